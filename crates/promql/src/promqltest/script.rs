//! Parsing of promqltest scripts: `load`, `clear` and `eval` commands with their
//! expectations, and the series-description syntax (`1+2x3 _ stale`).

use std::sync::LazyLock;

use promql_parser::parser::{self, Expr};
use regex::Regex;
use tsdb::{Labels, STALE_NAN_BITS};

/// One value of a series description.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SeqValue {
    /// `_`: no sample at this step.
    Omitted,
    Float(f64),
    /// A native histogram literal (`{{…}}`), which Vigil does not evaluate yet.
    Histogram,
}

/// A series with its values, one per step of the surrounding command.
#[derive(Debug, Clone)]
pub struct SeriesDesc {
    pub labels: Labels,
    pub values: Vec<SeqValue>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectKind {
    Fail,
    Warn,
    Info,
    NoWarn,
    NoInfo,
    Ordered,
}

/// How an expectation's message must match (absent: any message).
#[derive(Debug, Clone)]
pub enum MessageMatch {
    Any,
    Exact(String),
    Regex(String),
}

#[derive(Debug, Clone)]
pub struct Expectation {
    pub kind: ExpectKind,
    pub message: MessageMatch,
}

#[derive(Debug, Clone)]
pub enum EvalKind {
    Instant { at: i64 },
    Range { start: i64, end: i64, step: i64 },
}

#[derive(Debug, Clone)]
pub struct Eval {
    pub line: usize,
    pub query: String,
    pub kind: EvalKind,
    pub expectations: Vec<Expectation>,
    pub series: Vec<SeriesDesc>,
    /// A lone number: the expected scalar.
    pub scalar: Option<f64>,
    pub string: Option<String>,
    /// `expect range vector from … to … step …` (instant queries returning a range vector).
    pub range_vector: Option<(i64, i64, i64)>,
    /// Expected values use native histograms.
    pub needs_histograms: bool,
}

impl Eval {
    pub fn expects(&self, kind: ExpectKind) -> bool {
        self.expectations.iter().any(|e| e.kind == kind)
    }
}

#[derive(Debug, Clone)]
pub enum Command {
    Load { line: usize, interval: i64, series: Vec<SeriesDesc>, histograms: bool },
    Clear,
    Eval(Eval),
}

/// A script error: the line and what is wrong there.
#[derive(Debug, thiserror::Error)]
#[error("line {line}: {msg}")]
pub struct ScriptError {
    pub line: usize,
    pub msg: String,
}

fn err(line: usize, msg: impl Into<String>) -> ScriptError {
    ScriptError { line, msg: msg.into() }
}

static LOAD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^load(?:_(with_nhcb))?\s+(.+?)$").expect("static regex"));
static EVAL_INSTANT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$").expect("static regex")
});
static EVAL_RANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^eval(?:_(fail|warn|info))?\s+range\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+?)\s+(.+)$")
        .expect("static regex")
});
static EXPECT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^expect\s+(fail|warn|info|no_warn|no_info|ordered)(?:\s+(msg|regex):\s*(.*))?$").expect("static regex")
});
static EXPECT_RANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^expect\s+range\s+vector\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+)$").expect("static regex")
});

/// Parses a whole script.
pub fn parse_script(input: &str) -> Result<Vec<Command>, ScriptError> {
    // Comments become blank lines, which end blocks, as upstream does.
    let lines: Vec<String> = input
        .lines()
        .map(|l| {
            let t = l.trim();
            if t.starts_with('#') { String::new() } else { t.to_string() }
        })
        .collect();
    let mut cmds = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        let lineno = i + 1;
        if line.is_empty() {
            i += 1;
            continue;
        }
        let block_end = (i + 1..lines.len()).find(|&j| lines[j].is_empty()).unwrap_or(lines.len());
        let body: Vec<(usize, &str)> = (i + 1..block_end).map(|j| (j + 1, lines[j].as_str())).collect();
        if line == "clear" {
            cmds.push(Command::Clear);
            i += 1;
            continue;
        }
        if let Some(c) = LOAD.captures(line) {
            let interval =
                parse_duration(&c[2]).ok_or_else(|| err(lineno, format!("bad load interval {:?}", &c[2])))?;
            let mut series = Vec::new();
            let mut histograms = c.get(1).is_some();
            for (n, l) in body {
                let s = parse_series(l).map_err(|m| err(n, m.to_string()))?;
                histograms |= s.values.contains(&SeqValue::Histogram);
                series.push(s);
            }
            cmds.push(Command::Load { line: lineno, interval, series, histograms });
            i = block_end;
            continue;
        }
        if line.starts_with("eval") {
            let eval = parse_eval(lineno, line, &body)?;
            cmds.push(Command::Eval(eval));
            i = block_end;
            continue;
        }
        return Err(err(lineno, format!("unknown command {line:?}")));
    }
    Ok(cmds)
}

fn parse_eval(lineno: usize, line: &str, body: &[(usize, &str)]) -> Result<Eval, ScriptError> {
    let (legacy, kind, query) = if let Some(c) = EVAL_RANGE.captures(line) {
        let t = |s: &str| parse_time(s).ok_or_else(|| err(lineno, format!("bad time {s:?}")));
        let step = parse_duration(&c[4]).ok_or_else(|| err(lineno, format!("bad step {:?}", &c[4])))?;
        let kind = EvalKind::Range { start: t(&c[2])?, end: t(&c[3])?, step };
        (c.get(1).map(|m| m.as_str().to_string()), kind, c[5].to_string())
    } else if let Some(c) = EVAL_INSTANT.captures(line) {
        let at = match c.get(2) {
            Some(m) => parse_time(m.as_str()).ok_or_else(|| err(lineno, format!("bad time {:?}", m.as_str())))?,
            None => 0,
        };
        (c.get(1).map(|m| m.as_str().to_string()), EvalKind::Instant { at }, c[3].to_string())
    } else {
        return Err(err(lineno, format!("cannot parse eval command {line:?}")));
    };
    let mut eval = Eval {
        line: lineno,
        query,
        kind,
        expectations: Vec::new(),
        series: Vec::new(),
        scalar: None,
        string: None,
        range_vector: None,
        needs_histograms: false,
    };
    if let Some(l) = legacy {
        let kind = match l.as_str() {
            "fail" => ExpectKind::Fail,
            "warn" => ExpectKind::Warn,
            "info" => ExpectKind::Info,
            _ => ExpectKind::Ordered,
        };
        eval.expectations.push(Expectation { kind, message: MessageMatch::Any });
    }
    for &(n, l) in body {
        if let Some(rest) = l.strip_prefix("expected_fail_message") {
            set_fail_message(&mut eval, MessageMatch::Exact(rest.trim().to_string()));
        } else if let Some(rest) = l.strip_prefix("expected_fail_regexp") {
            set_fail_message(&mut eval, MessageMatch::Regex(rest.trim().to_string()));
        } else if let Some(c) = EXPECT_RANGE.captures(l) {
            let t = |s: &str| parse_time(s).ok_or_else(|| err(n, format!("bad time {s:?}")));
            let step = parse_duration(&c[3]).ok_or_else(|| err(n, "bad step"))?;
            eval.range_vector = Some((t(&c[1])?, t(&c[2])?, step));
        } else if let Some(rest) = l.strip_prefix("expect string") {
            eval.string = Some(unquote(rest.trim()).ok_or_else(|| err(n, format!("bad string {rest:?}")))?);
        } else if let Some(c) = EXPECT.captures(l) {
            let kind = match &c[1] {
                "fail" => ExpectKind::Fail,
                "warn" => ExpectKind::Warn,
                "info" => ExpectKind::Info,
                "no_warn" => ExpectKind::NoWarn,
                "no_info" => ExpectKind::NoInfo,
                _ => ExpectKind::Ordered,
            };
            let message = match (c.get(2).map(|m| m.as_str()), c.get(3)) {
                (Some("msg"), Some(m)) => MessageMatch::Exact(strip_quotes(m.as_str().trim())),
                (Some("regex"), Some(m)) => MessageMatch::Regex(strip_quotes(m.as_str().trim())),
                _ => MessageMatch::Any,
            };
            eval.expectations.push(Expectation { kind, message });
        } else if l.starts_with("expect") {
            return Err(err(n, format!("unknown expectation {l:?}")));
        } else if let Some(v) = parse_number(l) {
            eval.scalar = Some(v);
        } else {
            let s = parse_series(l).map_err(|m| err(n, m.to_string()))?;
            eval.needs_histograms |= s.values.contains(&SeqValue::Histogram);
            eval.series.push(s);
        }
    }
    Ok(eval)
}

fn set_fail_message(eval: &mut Eval, message: MessageMatch) {
    match eval.expectations.iter_mut().find(|e| e.kind == ExpectKind::Fail) {
        Some(e) => e.message = message,
        None => eval.expectations.push(Expectation { kind: ExpectKind::Fail, message }),
    }
}

fn strip_quotes(s: &str) -> String {
    if s.len() >= 2 && ((s.starts_with('"') && s.ends_with('"')) || (s.starts_with('`') && s.ends_with('`'))) {
        unquote(s).unwrap_or_else(|| s.to_string())
    } else {
        s.to_string()
    }
}

/// A PromQL string literal (double, single or back quotes) to its value.
fn unquote(s: &str) -> Option<String> {
    match parser::parse(s) {
        Ok(Expr::StringLiteral(l)) => Some(l.val),
        _ => None,
    }
}

/// A number as test files write it: `1`, `-2.5`, `1e3`, `Inf`, `NaN`, `0x1f`.
pub fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim();
    let (neg, body) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let v = match body.to_ascii_lowercase().as_str() {
        "inf" => f64::INFINITY,
        "nan" => f64::NAN,
        b if b.starts_with("0x") => i64::from_str_radix(&b[2..], 16).ok()? as f64,
        b => {
            if !b.chars().next().is_some_and(|c| c.is_ascii_digit() || c == '.') {
                return None;
            }
            b.parse::<f64>().ok()?
        }
    };
    Some(if neg { -v } else { v })
}

/// A duration such as `5m`, `1h30m`, `100ms` (or a plain number of seconds) in ms.
pub fn parse_duration(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<f64>() {
        return Some((secs * 1000.0).round() as i64);
    }
    crate::parse::parse_duration_ms(s)
}

/// An evaluation time: a duration after the epoch, possibly negative.
pub fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim();
    match s.strip_prefix('-') {
        Some(r) => parse_duration(r).map(|v| -v),
        None => parse_duration(s),
    }
}

/// A series description (`metric{a="b"} 1 2+3x4`) that cannot be read; the text quotes the
/// part that is wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SeriesError {
    #[error("cannot find the series labels in {0:?}")]
    NoLabels(String),
    #[error("bad series {series:?}: {detail}")]
    BadSeries { series: String, detail: String },
    #[error("not a series: {0:?}")]
    NotASeries(String),
    #[error("unterminated histogram literal")]
    UnterminatedHistogram,
    #[error("bad repeat in {0:?}")]
    BadRepeat(String),
    #[error("repeat count in {0:?} exceeds {MAX_EXPANSION}")]
    RepeatTooLarge(String),
    #[error("bad value {0:?}")]
    BadValue(String),
    #[error("bad increment in {0:?}")]
    BadIncrement(String),
    #[error("an increment needs a repeat count (a+bxN) in {0:?}")]
    IncrementWithoutRepeat(String),
}

/// `metric{a="b"} 1 2+3x4 _ stale`.
pub fn parse_series(line: &str) -> Result<SeriesDesc, SeriesError> {
    let split = labels_end(line).ok_or_else(|| SeriesError::NoLabels(line.to_string()))?;
    let (sel, values) = line.split_at(split);
    let labels = parse_labels(sel.trim())?;
    let values = parse_values(values.trim())?;
    Ok(SeriesDesc { labels, values })
}

/// Where the label part of a series description ends.
fn labels_end(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut i = 0;
    if bytes.first() != Some(&b'{') {
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'{' {
            i += 1;
        }
        if i >= bytes.len() || bytes[i] != b'{' {
            return Some(i);
        }
    }
    // Inside braces: skip quoted strings.
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let c = bytes[i];
        match quote {
            Some(_) if c == b'\\' => i += 1,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == b'"' || c == b'\'' || c == b'`' => quote = Some(c),
            None if c == b'}' => return Some(i + 1),
            None => {}
        }
        i += 1;
    }
    None
}

/// The labels of a series description, via the PromQL parser's selector grammar.
pub fn parse_labels(sel: &str) -> Result<Labels, SeriesError> {
    if sel.replace(' ', "") == "{}" {
        return Ok(Labels::default());
    }
    let bad = |detail: String| SeriesError::BadSeries { series: sel.to_string(), detail };
    let expr = parser::parse(sel).map_err(bad)?;
    let Expr::VectorSelector(vs) = expr else { return Err(SeriesError::NotASeries(sel.to_string())) };
    let mut pairs: Vec<tsdb::Label> = Vec::new();
    if let Some(n) = &vs.name {
        pairs.push(tsdb::Label::new(tsdb::METRIC_NAME, n.as_str()));
    }
    for m in &vs.matchers.matchers {
        if m.name == tsdb::METRIC_NAME && vs.name.is_some() {
            continue;
        }
        pairs.push(tsdb::Label::new(m.name.as_str(), m.value.as_str()));
    }
    Labels::new(pairs).map_err(|e| bad(e.to_string()))
}

fn parse_values(s: &str) -> Result<Vec<SeqValue>, SeriesError> {
    let mut out = Vec::new();
    let mut rest = s.trim();
    while !rest.is_empty() {
        if rest.starts_with("{{") {
            let end = rest.find("}}").ok_or(SeriesError::UnterminatedHistogram)?;
            rest = &rest[end + 2..];
            // `{{…}}+{{…}}xN`: an increment that is itself a histogram.
            if (rest.starts_with("+{{") || rest.starts_with("-{{"))
                && let Some(e) = rest.find("}}")
            {
                rest = &rest[e + 2..];
            }
            // `{{…}}xN` repeats.
            let (times, r) = repeat_suffix(rest);
            rest = r.trim_start();
            for _ in 0..=times.min(MAX_EXPANSION) {
                out.push(SeqValue::Histogram);
            }
            continue;
        }
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let tok = &rest[..end];
        rest = rest[end..].trim_start();
        out.extend(parse_value_token(tok)?);
    }
    Ok(out)
}

fn repeat_suffix(s: &str) -> (usize, &str) {
    if let Some(r) = s.strip_prefix('x') {
        let n = r.chars().take_while(|c| c.is_ascii_digit()).count();
        if n > 0 {
            return (r[..n].parse().unwrap_or(0), &r[n..]);
        }
    }
    (0, s)
}

/// Longest expansion one value token may produce (`1+1x99999999999` would exhaust memory).
const MAX_EXPANSION: usize = 1_000_000;

fn parse_value_token(tok: &str) -> Result<Vec<SeqValue>, SeriesError> {
    if tok == "_" {
        return Ok(vec![SeqValue::Omitted]);
    }
    if let Some(n) = tok.strip_prefix("_x") {
        let n: usize = n.parse().map_err(|_| SeriesError::BadRepeat(tok.to_string()))?;
        if n > MAX_EXPANSION {
            return Err(SeriesError::RepeatTooLarge(tok.to_string()));
        }
        return Ok(vec![SeqValue::Omitted; n]);
    }
    if tok == "stale" {
        return Ok(vec![SeqValue::Float(f64::from_bits(STALE_NAN_BITS))]);
    }
    // `a`, `axN`, `a+bxN`, `a-bxN`.
    let (base, times) = match tok.rfind('x') {
        Some(p) if tok[p + 1..].chars().all(|c| c.is_ascii_digit()) && p + 1 < tok.len() => {
            let n = tok[p + 1..].parse::<usize>().map_err(|_| SeriesError::BadRepeat(tok.to_string()))?;
            if n > MAX_EXPANSION {
                return Err(SeriesError::RepeatTooLarge(tok.to_string()));
            }
            (&tok[..p], Some(n))
        }
        _ => (tok, None),
    };
    // Split `a+b` / `a-b` at a sign that is not the leading one nor part of an exponent.
    let bytes = base.as_bytes();
    let mut split = None;
    for i in 1..bytes.len() {
        if (bytes[i] == b'+' || bytes[i] == b'-') && !matches!(bytes[i - 1], b'e' | b'E') {
            split = Some(i);
            break;
        }
    }
    let (start, inc) = match split {
        Some(i) => (&base[..i], Some(&base[i..])),
        None => (base, None),
    };
    let start = if start == "stale" {
        f64::from_bits(STALE_NAN_BITS)
    } else {
        parse_number(start).ok_or_else(|| SeriesError::BadValue(tok.to_string()))?
    };
    match (inc, times) {
        (None, None) => Ok(vec![SeqValue::Float(start)]),
        (None, Some(n)) => Ok(vec![SeqValue::Float(start); n + 1]),
        (Some(inc), Some(n)) => {
            let inc = parse_number(inc).ok_or_else(|| SeriesError::BadIncrement(tok.to_string()))?;
            let mut v = start;
            let mut out = vec![SeqValue::Float(v)];
            for _ in 0..n {
                v += inc;
                out.push(SeqValue::Float(v));
            }
            Ok(out)
        }
        (Some(_), None) => Err(SeriesError::IncrementWithoutRepeat(tok.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn floats(v: &[SeqValue]) -> Vec<Option<f64>> {
        v.iter()
            .map(|x| match x {
                SeqValue::Float(f) => Some(*f),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn expanding_values() {
        let s = parse_series(r#"m{a="b"} 5 2+3x2 _ stale 1-1x2 _x2 7x1"#).expect("valid");
        let f = floats(&s.values);
        assert_eq!(&f[..4], &[Some(5.0), Some(2.0), Some(5.0), Some(8.0)]);
        assert_eq!(f[4], None);
        assert!(f[5].is_some_and(|v| v.to_bits() == STALE_NAN_BITS));
        assert_eq!(&f[6..], &[Some(1.0), Some(0.0), Some(-1.0), None, None, Some(7.0), Some(7.0)]);
        assert_eq!(s.labels.get("a"), Some("b"));
        assert_eq!(s.labels.metric_name(), "m");
    }

    #[test]
    fn exponents_and_specials() {
        let s = parse_series("m 1e3 -Inf NaN 1e-2+1e-2x1").expect("valid");
        let f = floats(&s.values);
        assert_eq!(f[0], Some(1000.0));
        assert_eq!(f[1], Some(f64::NEG_INFINITY));
        assert!(f[2].is_some_and(f64::is_nan));
        assert_eq!(f[4], Some(0.02));
    }

    #[test]
    fn commands() {
        let script = "load 5m\n  m 1 2\n\n# c\neval instant at 10m m\n  expect warn msg: PromQL warning: x\n  m 2\n\neval range from 0 to 10m step 5m m\n  m 1 2 _\n\nclear\n";
        let cmds = parse_script(script).expect("valid");
        assert_eq!(cmds.len(), 4);
        let Command::Eval(e) = &cmds[1] else { panic!("eval expected") };
        assert!(matches!(e.kind, EvalKind::Instant { at: 600_000 }));
        assert!(matches!(&e.expectations[0].message, MessageMatch::Exact(m) if m == "PromQL warning: x"));
        let Command::Eval(e) = &cmds[2] else { panic!("eval expected") };
        assert!(matches!(e.kind, EvalKind::Range { start: 0, end: 600_000, step: 300_000 }));
    }
}
