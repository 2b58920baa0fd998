//! Silences with Alertmanager 0.25's rules: creation with a random UUID, updates that may only
//! change what does not rewrite history (otherwise the old silence is expired and a new one
//! created), expiry, pending / active / expired states, matching, and collection `retention`
//! after the end. Every change is written to a snapshot before it is acknowledged, so a silence
//! the API confirmed survives `kill -9`.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::labels::LabelSet;
use crate::matchers::{MatchOp, Matcher, Matchers};
use crate::persist::{self, PersistError};

/// File name of the silences snapshot in the data directory.
pub const SNAPSHOT: &str = "silences.json";

/// Alertmanager's default `--data.retention`: 120h.
pub const DEFAULT_RETENTION_MS: i64 = 120 * 3_600_000;

/// Where a silence is in its life at a given time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SilenceState {
    Pending,
    Active,
    Expired,
}

impl SilenceState {
    pub fn as_str(self) -> &'static str {
        match self {
            SilenceState::Pending => "pending",
            SilenceState::Active => "active",
            SilenceState::Expired => "expired",
        }
    }
}

/// A silence. Times are Unix milliseconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Silence {
    pub id: String,
    pub matchers: Matchers,
    pub starts_at: i64,
    pub ends_at: i64,
    pub updated_at: i64,
    pub created_by: String,
    pub comment: String,
}

impl Silence {
    /// Alertmanager's `getState`: pending before the start, expired after the end.
    pub fn state(&self, now: i64) -> SilenceState {
        if now < self.starts_at {
            SilenceState::Pending
        } else if now > self.ends_at {
            SilenceState::Expired
        } else {
            SilenceState::Active
        }
    }

    /// Whether the silence's matchers accept these labels (regardless of its state).
    pub fn matches(&self, labels: &LabelSet) -> bool {
        self.matchers.matches(labels)
    }
}

/// A silence as posted (`id` set: an update of that silence).
#[derive(Debug, Clone, PartialEq)]
pub struct PostableSilence {
    pub id: Option<String>,
    pub matchers: Vec<Matcher>,
    pub starts_at: i64,
    pub ends_at: i64,
    pub created_by: String,
    pub comment: String,
}

/// Why a silence operation was refused. `NotFound` maps to HTTP 404, `Invalid` to 400,
/// `Storage` to 500.
#[derive(Debug, thiserror::Error)]
pub enum SilenceError {
    #[error("silence not found")]
    NotFound,
    #[error("{0}")]
    Invalid(String),
    #[error("cannot persist silences: {0}")]
    Storage(#[from] PersistError),
}

#[derive(Serialize, Deserialize)]
struct StoredMatcher {
    name: String,
    value: String,
    is_regex: bool,
    is_equal: bool,
}

#[derive(Serialize, Deserialize)]
struct StoredSilence {
    id: String,
    matchers: Vec<StoredMatcher>,
    starts_at: i64,
    ends_at: i64,
    updated_at: i64,
    created_by: String,
    comment: String,
}

#[derive(Serialize, Deserialize)]
struct Snapshot {
    version: u32,
    silences: Vec<StoredSilence>,
}

/// All silences, by id.
#[derive(Debug)]
pub struct Silences {
    by_id: HashMap<String, Silence>,
    retention_ms: i64,
    dir: Option<std::path::PathBuf>,
}

fn validate(s: &Silence) -> Result<(), SilenceError> {
    if s.matchers.is_empty() {
        return Err(SilenceError::Invalid("at least one matcher required".into()));
    }
    for (i, m) in s.matchers.iter().enumerate() {
        if !crate::labels::is_valid_label_name(&m.name) {
            return Err(SilenceError::Invalid(format!("invalid label matcher {i}: invalid label name {:?}", m.name)));
        }
    }
    if s.matchers.iter().all(Matcher::matches_empty) {
        return Err(SilenceError::Invalid("at least one matcher must not match the empty string".into()));
    }
    if s.ends_at < s.starts_at {
        return Err(SilenceError::Invalid("end time must not be before start time".into()));
    }
    Ok(())
}

impl Silences {
    /// An empty set persisted in `dir` (none: memory only, for tests and tools).
    pub fn new(dir: Option<&Path>, retention_ms: i64) -> Silences {
        Silences { by_id: HashMap::new(), retention_ms, dir: dir.map(Path::to_path_buf) }
    }

    /// Loads the snapshot from `dir`; a damaged one is set aside and reported.
    pub fn load(dir: &Path, retention_ms: i64) -> (Silences, Option<String>) {
        let mut s = Silences::new(Some(dir), retention_ms);
        match persist::load::<Snapshot>(dir, SNAPSHOT) {
            Ok(Some(snap)) => {
                let mut problems = Vec::new();
                for st in snap.silences {
                    match from_stored(st) {
                        Ok(sil) => {
                            s.by_id.insert(sil.id.clone(), sil);
                        }
                        Err(e) => problems.push(e.to_string()),
                    }
                }
                let err =
                    (!problems.is_empty()).then(|| format!("skipped silences in {SNAPSHOT}: {}", problems.join("; ")));
                (s, err)
            }
            Ok(None) => (s, None),
            Err(e) => (s, Some(e.to_string())),
        }
    }

    /// Creates or updates a silence (Alertmanager's `Silences.Set`) and returns its id. An
    /// update that changes the matchers, or the start of an active silence, or that ends an
    /// active one in the past, expires the old silence and creates a new id instead.
    pub fn set(&mut self, p: PostableSilence, now: i64) -> Result<String, SilenceError> {
        let mut matchers = Matchers(p.matchers);
        matchers.sort();
        let mut sil = Silence {
            id: p.id.clone().unwrap_or_default(),
            matchers,
            starts_at: p.starts_at,
            ends_at: p.ends_at,
            updated_at: now,
            created_by: p.created_by,
            comment: p.comment,
        };
        validate(&sil)?;
        let prev = match p.id.as_deref().filter(|id| !id.is_empty()) {
            Some(id) => Some(self.by_id.get(id).cloned().ok_or(SilenceError::NotFound)?),
            None => None,
        };
        let mut expired_prev = None;
        if let Some(prev) = prev {
            if can_update(&prev, &sil, now) {
                self.by_id.insert(sil.id.clone(), sil.clone());
                self.save_or_restore(&sil.id, Some(prev))?;
                return Ok(sil.id);
            }
            if prev.state(now) != SilenceState::Expired {
                let mut old = prev.clone();
                expire_at(&mut old, now);
                self.by_id.insert(old.id.clone(), old);
                expired_prev = Some(prev);
            }
        }
        sil.id = crate::uuid::new_v4();
        sil.starts_at = sil.starts_at.max(now);
        if sil.ends_at < sil.starts_at {
            return Err(SilenceError::Invalid("end time must not be before start time".into()));
        }
        self.by_id.insert(sil.id.clone(), sil.clone());
        if let Err(e) = self.save() {
            self.by_id.remove(&sil.id);
            if let Some(prev) = expired_prev {
                self.by_id.insert(prev.id.clone(), prev);
            }
            return Err(e);
        }
        Ok(sil.id)
    }

    /// Adds a silence made by Vigil itself (a recurring silence's window, see
    /// [`crate::recurring`]) with a new id. Unlike [`Silences::set`] its start may lie in the
    /// past: it is the window's start, shown as such. It is kept even if it cannot be written
    /// (it still mutes; the error is returned for the caller to log).
    pub(crate) fn add_internal(&mut self, mut sil: Silence, now: i64) -> Result<String, SilenceError> {
        sil.matchers.sort();
        sil.id = crate::uuid::new_v4();
        sil.updated_at = now;
        validate(&sil)?;
        let id = sil.id.clone();
        self.by_id.insert(id.clone(), sil);
        self.save().map(|()| id)
    }

    /// Expires a silence now (a pending one gets start = end = now). Expiring an expired silence
    /// is a no-op, as in Alertmanager.
    pub fn expire(&mut self, id: &str, now: i64) -> Result<(), SilenceError> {
        let prev = self.by_id.get(id).cloned().ok_or(SilenceError::NotFound)?;
        if prev.state(now) == SilenceState::Expired {
            return Ok(());
        }
        let mut s = prev.clone();
        expire_at(&mut s, now);
        self.by_id.insert(id.to_string(), s);
        self.save_or_restore(id, Some(prev))
    }

    fn save_or_restore(&mut self, id: &str, prev: Option<Silence>) -> Result<(), SilenceError> {
        match self.save() {
            Ok(()) => Ok(()),
            Err(e) => {
                match prev {
                    Some(p) => self.by_id.insert(id.to_string(), p),
                    None => self.by_id.remove(id),
                };
                Err(e)
            }
        }
    }

    pub fn get(&self, id: &str) -> Option<&Silence> {
        self.by_id.get(id)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Silence> {
        self.by_id.values()
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// Ids of the silences active at `now` that match the labels, sorted.
    pub fn silenced_by(&self, labels: &LabelSet, now: i64) -> Vec<String> {
        let mut ids: Vec<String> = self
            .by_id
            .values()
            .filter(|s| s.state(now) == SilenceState::Active && s.matches(labels))
            .map(|s| s.id.clone())
            .collect();
        ids.sort();
        ids
    }

    /// Drops silences whose end is more than the retention ago; returns how many.
    pub fn gc(&mut self, now: i64) -> usize {
        let before = self.by_id.len();
        let retention = self.retention_ms;
        self.by_id.retain(|_, s| s.ends_at.saturating_add(retention) > now);
        let n = before - self.by_id.len();
        if n > 0
            && let Err(e) = self.save()
        {
            tracing::warn!(error = %e, "cannot persist silences after garbage collection");
        }
        n
    }

    fn save(&self) -> Result<(), SilenceError> {
        let Some(dir) = &self.dir else { return Ok(()) };
        let mut silences: Vec<StoredSilence> = self.by_id.values().map(to_stored).collect();
        silences.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(persist::save(dir, SNAPSHOT, &Snapshot { version: 1, silences })?)
    }
}

fn expire_at(s: &mut Silence, now: i64) {
    match s.state(now) {
        SilenceState::Pending => {
            s.starts_at = now;
            s.ends_at = now;
        }
        SilenceState::Active => s.ends_at = now,
        SilenceState::Expired => {}
    }
    s.updated_at = now;
}

/// Alertmanager's `canUpdate`: same matchers, and the times change only where that does not
/// rewrite what was already silenced.
fn can_update(a: &Silence, b: &Silence, now: i64) -> bool {
    if a.matchers != b.matchers {
        return false;
    }
    match a.state(now) {
        SilenceState::Active => b.starts_at / 1000 == a.starts_at / 1000 && b.ends_at >= now,
        SilenceState::Pending => b.starts_at >= now,
        SilenceState::Expired => false,
    }
}

fn to_stored(s: &Silence) -> StoredSilence {
    StoredSilence {
        id: s.id.clone(),
        matchers: s
            .matchers
            .iter()
            .map(|m| StoredMatcher {
                name: m.name.clone(),
                value: m.value.clone(),
                is_regex: m.op.is_regex(),
                is_equal: m.op.is_equal(),
            })
            .collect(),
        starts_at: s.starts_at,
        ends_at: s.ends_at,
        updated_at: s.updated_at,
        created_by: s.created_by.clone(),
        comment: s.comment.clone(),
    }
}

/// A silence in the snapshot whose matchers no longer compile; it is skipped at load.
#[derive(Debug, thiserror::Error)]
#[error("silence {id}: {source}")]
struct BadStoredSilence {
    id: String,
    source: crate::matchers::MatcherError,
}

fn from_stored(s: StoredSilence) -> Result<Silence, BadStoredSilence> {
    let matchers = s
        .matchers
        .iter()
        .map(|m| Matcher::new(MatchOp::from_flags(m.is_regex, m.is_equal), &m.name, &m.value))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|source| BadStoredSilence { id: s.id.clone(), source })?;
    Ok(Silence {
        id: s.id,
        matchers: Matchers(matchers),
        starts_at: s.starts_at,
        ends_at: s.ends_at,
        updated_at: s.updated_at,
        created_by: s.created_by,
        comment: s.comment,
    })
}

#[cfg(test)]
mod tests;
