//! Relabelling (`relabel_configs`, `metric_relabel_configs`) with Prometheus's semantics: the
//! same actions, defaults, validation messages and regex anchoring, so a prometheus.yml that
//! loads in Prometheus produces the same label sets here.

use std::collections::BTreeMap;

use regex::Regex;
use serde::Deserialize;

/// A label set being relabelled. Sorted by name so iteration order matches Prometheus's.
pub type LabelSet = BTreeMap<String, String>;

/// What a relabel step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Replace,
    Keep,
    Drop,
    KeepEqual,
    DropEqual,
    HashMod,
    LabelMap,
    LabelDrop,
    LabelKeep,
    Lowercase,
    Uppercase,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Replace => "replace",
            Action::Keep => "keep",
            Action::Drop => "drop",
            Action::KeepEqual => "keepequal",
            Action::DropEqual => "dropequal",
            Action::HashMod => "hashmod",
            Action::LabelMap => "labelmap",
            Action::LabelDrop => "labeldrop",
            Action::LabelKeep => "labelkeep",
            Action::Lowercase => "lowercase",
            Action::Uppercase => "uppercase",
        }
    }

    fn parse(s: &str) -> Option<Action> {
        Some(match s.to_ascii_lowercase().as_str() {
            "replace" => Action::Replace,
            "keep" => Action::Keep,
            "drop" => Action::Drop,
            "keepequal" => Action::KeepEqual,
            "dropequal" => Action::DropEqual,
            "hashmod" => Action::HashMod,
            "labelmap" => Action::LabelMap,
            "labeldrop" => Action::LabelDrop,
            "labelkeep" => Action::LabelKeep,
            "lowercase" => Action::Lowercase,
            "uppercase" => Action::Uppercase,
            _ => return None,
        })
    }
}

/// A relabel step Prometheus would refuse, with its message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RelabelError {
    #[error("relabel action cannot be empty")]
    EmptyAction,
    #[error(
        "unknown relabel action {0:?} (expected one of replace, keep, drop, keepequal, dropequal, \
         hashmod, labelmap, labeldrop, labelkeep, lowercase, uppercase)"
    )]
    UnknownAction(String),
    #[error("regex must be a string")]
    RegexNotText,
    #[error("invalid regex {regex:?}: {reason}")]
    Regex { regex: String, reason: String },
    #[error("{0:?} is not a valid label name in source_labels")]
    SourceLabel(String),
    #[error("relabel configuration for hashmod requires non-zero modulus")]
    ZeroModulus,
    #[error("relabel configuration for {0} action requires 'target_label' value")]
    MissingTarget(&'static str),
    #[error("{target:?} is invalid 'target_label' for {action} action")]
    InvalidTarget { target: String, action: &'static str },
    #[error("'replacement' can not be set for {0} action")]
    ReplacementNotAllowed(&'static str),
    #[error("{replacement:?} is invalid 'replacement' for {action} action")]
    InvalidReplacement { replacement: String, action: &'static str },
    #[error("{0} action requires only 'source_labels' and `target_label`, and no other fields")]
    OnlySourceAndTarget(&'static str),
    #[error("{0} action requires only 'regex', and no other fields")]
    OnlyRegex(&'static str),
}

/// A regex as written in the config, compiled anchored (`^(?:…)$`) like Prometheus (so, as in
/// Go's RE2, `.` does not match a newline).
#[derive(Debug, Clone)]
pub struct AnchoredRegex {
    pub source: String,
    pub regex: Regex,
}

impl AnchoredRegex {
    pub fn new(source: &str) -> Result<Self, RelabelError> {
        let regex = Regex::new(&format!("^(?:{source})$"))
            .map_err(|e| RelabelError::Regex { regex: source.to_string(), reason: first_line(&e.to_string()) })?;
        Ok(AnchoredRegex { source: source.to_string(), regex })
    }
}

fn first_line(s: &str) -> String {
    s.lines().rfind(|l| !l.trim().is_empty()).unwrap_or(s).trim().to_string()
}

impl PartialEq for AnchoredRegex {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

/// One relabel step, validated at load time.
#[derive(Debug, Clone, PartialEq)]
pub struct RelabelConfig {
    pub source_labels: Vec<String>,
    pub separator: String,
    pub regex: AnchoredRegex,
    pub modulus: u64,
    pub target_label: String,
    pub replacement: String,
    pub action: Action,
}

const DEFAULT_REGEX: &str = "(.*)";
const DEFAULT_SEPARATOR: &str = ";";
const DEFAULT_REPLACEMENT: &str = "$1";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRelabelConfig {
    #[serde(default)]
    source_labels: Option<Vec<String>>,
    separator: Option<String>,
    regex: Option<serde_json::Value>,
    #[serde(default)]
    modulus: u64,
    #[serde(default)]
    target_label: String,
    replacement: Option<String>,
    action: Option<String>,
}

impl<'de> Deserialize<'de> for RelabelConfig {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = RawRelabelConfig::deserialize(d)?;
        RelabelConfig::from_raw(raw).map_err(serde::de::Error::custom)
    }
}

impl RelabelConfig {
    fn from_raw(raw: RawRelabelConfig) -> Result<Self, RelabelError> {
        let action = match raw.action.as_deref() {
            None => Action::Replace,
            Some("") => return Err(RelabelError::EmptyAction),
            Some(s) => Action::parse(s).ok_or_else(|| RelabelError::UnknownAction(s.to_string()))?,
        };
        // YAML may give a regex as a number or boolean (`regex: 1`): Prometheus reads it as text.
        let regex_src = match &raw.regex {
            None => DEFAULT_REGEX.to_string(),
            Some(serde_json::Value::Null) => String::new(),
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Number(n)) => n.to_string(),
            Some(serde_json::Value::Bool(b)) => b.to_string(),
            Some(_) => return Err(RelabelError::RegexNotText),
        };
        let cfg = RelabelConfig {
            source_labels: raw.source_labels.clone().unwrap_or_default(),
            separator: raw.separator.clone().unwrap_or_else(|| DEFAULT_SEPARATOR.into()),
            regex: AnchoredRegex::new(&regex_src)?,
            modulus: raw.modulus,
            target_label: raw.target_label.clone(),
            replacement: raw.replacement.clone().unwrap_or_else(|| DEFAULT_REPLACEMENT.into()),
            action,
        };
        for name in &cfg.source_labels {
            if !is_valid_label_name(name) {
                return Err(RelabelError::SourceLabel(name.clone()));
            }
        }
        cfg.validate(raw.source_labels.is_some())?;
        Ok(cfg)
    }

    /// Checks the combination of fields, with Prometheus's rules and messages.
    fn validate(&self, source_labels_given: bool) -> Result<(), RelabelError> {
        use Action::*;
        let a = self.action.as_str();
        if self.modulus == 0 && self.action == HashMod {
            return Err(RelabelError::ZeroModulus);
        }
        let needs_target = matches!(self.action, Replace | HashMod | Lowercase | Uppercase | KeepEqual | DropEqual);
        if needs_target && self.target_label.is_empty() {
            return Err(RelabelError::MissingTarget(a));
        }
        let invalid_target = || RelabelError::InvalidTarget { target: self.target_label.clone(), action: a };
        if self.action == Replace {
            let ok = if self.target_label.contains('$') {
                is_relabel_target_template(&self.target_label)
            } else {
                is_valid_label_name(&self.target_label)
            };
            if !ok {
                return Err(invalid_target());
            }
        }
        if matches!(self.action, Lowercase | Uppercase | KeepEqual | DropEqual | HashMod)
            && !is_valid_label_name(&self.target_label)
        {
            return Err(invalid_target());
        }
        if matches!(self.action, Lowercase | Uppercase | KeepEqual | DropEqual)
            && self.replacement != DEFAULT_REPLACEMENT
        {
            return Err(RelabelError::ReplacementNotAllowed(a));
        }
        if self.action == LabelMap && !is_relabel_target_template(&self.replacement) {
            return Err(RelabelError::InvalidReplacement { replacement: self.replacement.clone(), action: a });
        }
        if matches!(self.action, KeepEqual | DropEqual)
            && (self.regex.source != DEFAULT_REGEX
                || self.modulus != 0
                || self.separator != DEFAULT_SEPARATOR
                || self.replacement != DEFAULT_REPLACEMENT)
        {
            return Err(RelabelError::OnlySourceAndTarget(a));
        }
        if matches!(self.action, LabelDrop | LabelKeep)
            && (source_labels_given
                || !self.target_label.is_empty()
                || self.modulus != 0
                || self.separator != DEFAULT_SEPARATOR
                || self.replacement != DEFAULT_REPLACEMENT)
        {
            return Err(RelabelError::OnlyRegex(a));
        }
        Ok(())
    }
}

/// Applies the steps in order. `None` means the label set was dropped.
pub fn process(mut labels: LabelSet, configs: &[RelabelConfig]) -> Option<LabelSet> {
    for cfg in configs {
        if !apply(cfg, &mut labels) {
            return None;
        }
    }
    Some(labels)
}

/// Sets a label; an empty value deletes it, as in Prometheus's label builder.
fn set(labels: &mut LabelSet, name: String, value: String) {
    if value.is_empty() {
        labels.remove(&name);
    } else {
        labels.insert(name, value);
    }
}

fn apply(cfg: &RelabelConfig, labels: &mut LabelSet) -> bool {
    let joined = {
        let mut s = String::new();
        for (i, name) in cfg.source_labels.iter().enumerate() {
            if i > 0 {
                s.push_str(&cfg.separator);
            }
            s.push_str(labels.get(name).map(String::as_str).unwrap_or(""));
        }
        s
    };
    let re = &cfg.regex.regex;
    match cfg.action {
        Action::Drop => return !re.is_match(&joined),
        Action::Keep => return re.is_match(&joined),
        Action::DropEqual => return labels.get(&cfg.target_label).map(String::as_str).unwrap_or("") != joined,
        Action::KeepEqual => return labels.get(&cfg.target_label).map(String::as_str).unwrap_or("") == joined,
        Action::Replace => {
            let Some(caps) = re.captures(&joined) else { return true };
            let mut target = String::new();
            caps.expand(&cfg.target_label, &mut target);
            if !is_valid_label_name(&target) {
                return true;
            }
            let mut value = String::new();
            caps.expand(&cfg.replacement, &mut value);
            set(labels, target, value);
        }
        Action::Lowercase => set(labels, cfg.target_label.clone(), joined.to_lowercase()),
        Action::Uppercase => set(labels, cfg.target_label.clone(), joined.to_uppercase()),
        Action::HashMod => {
            let digest = md5::compute(joined.as_bytes());
            let mut tail = [0u8; 8];
            tail.copy_from_slice(&digest.0[8..]);
            let m = u64::from_be_bytes(tail) % cfg.modulus.max(1);
            set(labels, cfg.target_label.clone(), m.to_string());
        }
        Action::LabelMap => {
            let renamed: Vec<(String, String)> = labels
                .iter()
                .filter(|(name, _)| re.is_match(name))
                .map(|(name, value)| (re.replace_all(name, cfg.replacement.as_str()).into_owned(), value.clone()))
                .collect();
            for (name, value) in renamed {
                set(labels, name, value);
            }
        }
        Action::LabelDrop => labels.retain(|name, _| !re.is_match(name)),
        Action::LabelKeep => labels.retain(|name, _| re.is_match(name)),
    }
    true
}

/// `[a-zA-Z_][a-zA-Z0-9_]*`: the label names Prometheus 2.42 accepts.
pub fn is_valid_label_name(s: &str) -> bool {
    let mut bytes = s.bytes();
    match bytes.next() {
        Some(b) if b.is_ascii_alphabetic() || b == b'_' => {}
        _ => return false,
    }
    bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Prometheus's check for a `target_label`/`replacement` holding `$1` / `${name}` references:
/// `^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$`.
fn is_relabel_target_template(s: &str) -> bool {
    static PATTERN: std::sync::OnceLock<Option<Regex>> = std::sync::OnceLock::new();
    PATTERN
        .get_or_init(|| Regex::new(r"^(?:(?:[a-zA-Z_]|\$(?:\{[0-9A-Za-z_]+\}|[0-9A-Za-z_]+))+[0-9A-Za-z_]*)+$").ok())
        .as_ref()
        .is_some_and(|re| re.is_match(s))
}

#[cfg(test)]
mod tests;
