//! Acknowledgement of alert groups — something Alertmanager does not have: someone says "I am
//! on it", and until the group resolves (or the acknowledgement expires, or is withdrawn)
//!
//! - **repeat notifications stop**: the repeat_interval re-send of an unchanged firing set is
//!   not made (the notification log entry is kept alive meanwhile, so the end of the ack does
//!   not look like a first notification);
//! - **changes are still notified**: an alert joining the group, or (for send_resolved
//!   integrations) one resolving, is new information and goes out as usual. The
//!   acknowledgement stays, as an acknowledged PagerDuty incident stays acknowledged when more
//!   alerts are grouped into it: the person who took the incident keeps it;
//! - **escalation stops** ([`crate::escalation`]): no further level is notified. If the ack
//!   expires or is withdrawn while the group still fires, the levels whose time has come go out;
//! - **the ack ends with the incident**: once a flush finds every alert of the group resolved
//!   and its notifications (the resolved ones included) succeeded, the ack is dropped, so the
//!   next incident of the same group starts unacknowledged.
//!
//! A group is named as the API shows it (receiver and group labels) or by the group key that
//! notifications carry (the webhook's `groupKey`), see [`GroupRef`]. Acks are kept per
//! [`GroupKey`] and written to `acks.json` before the call that changed them returns, so an
//! acknowledgement the API confirmed survives `kill -9`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use std::collections::BTreeSet;

use crate::dispatch::{AggrGroup, Dispatcher, GroupKey};
use crate::labels::LabelSet;
use crate::persist::{self, PersistError};

/// File name of the acknowledgements snapshot in the data directory.
pub const SNAPSHOT: &str = "acks.json";

/// Which alert group(s) an acknowledgement is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupRef {
    /// As `GET /api/v2/alerts/groups` shows a group: its receiver and group labels. Two routes
    /// with the same receiver can form groups the API cannot tell apart; both are meant.
    Labels { receiver: String, labels: LabelSet },
    /// The dispatcher's group key, e.g. `{}/{severity="critical"}:{alertname="Down"}` (the
    /// webhook payload's `groupKey`); every receiver's group with that key.
    Key(String),
}

/// One acknowledgement. Times are Unix milliseconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ack {
    pub by: String,
    pub comment: String,
    pub at: i64,
    /// When it lapses by itself (`None`: when the group resolves).
    pub expires_at: Option<i64>,
}

impl Ack {
    /// Whether the ack is in force at `now`.
    pub fn active(&self, now: i64) -> bool {
        self.expires_at.is_none_or(|e| now < e)
    }
}

/// An acknowledgement as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AckView {
    pub group_key: String,
    pub receiver: String,
    pub by: String,
    pub comment: String,
    pub at: i64,
    pub expires_at: Option<i64>,
}

impl AckView {
    pub fn new(key: &GroupKey, ack: &Ack) -> AckView {
        AckView {
            group_key: key.group_key.clone(),
            receiver: key.receiver.clone(),
            by: ack.by.clone(),
            comment: ack.comment.clone(),
            at: ack.at,
            expires_at: ack.expires_at,
        }
    }
}

/// Why an acknowledgement operation was refused. `NotFound` maps to HTTP 404, `Invalid` to
/// 400, `Storage` to 500.
#[derive(Debug, thiserror::Error)]
pub enum AckError {
    #[error("alert group not found")]
    NotFound,
    #[error("{0}")]
    Invalid(String),
    #[error("cannot persist acknowledgements: {0}")]
    Storage(#[from] PersistError),
}

/// The groups a [`GroupRef`] names, as keys: `NotFound` when there is none, `Invalid` when
/// `firing_only` and none of them has a firing alert.
pub fn resolve(
    dispatcher: &Dispatcher,
    group: &GroupRef,
    now: i64,
    firing_only: bool,
) -> Result<Vec<GroupKey>, AckError> {
    let matching: Vec<&AggrGroup> = dispatcher
        .groups()
        .filter(|g| match group {
            GroupRef::Labels { receiver, labels } => &g.opts.receiver == receiver && &g.labels == labels,
            GroupRef::Key(k) => &g.key == k,
        })
        .collect();
    if matching.is_empty() {
        return Err(AckError::NotFound);
    }
    let keys: BTreeSet<GroupKey> = matching
        .iter()
        .filter(|g| !firing_only || g.alerts.values().any(|a| !a.resolved_at(now)))
        .map(|g| g.group_key())
        .collect();
    if keys.is_empty() {
        return Err(AckError::Invalid("the alert group has no firing alerts; nothing to acknowledge".into()));
    }
    Ok(keys.into_iter().collect())
}

#[derive(Serialize, Deserialize)]
struct Snapshot {
    version: u32,
    acks: Vec<(GroupKey, Ack)>,
}

/// Every acknowledgement, by group.
#[derive(Debug, Default)]
pub struct Acks {
    by_group: HashMap<GroupKey, Ack>,
    dir: Option<PathBuf>,
}

impl Acks {
    /// An empty set persisted in `dir` (none: memory only).
    pub fn new(dir: Option<&Path>) -> Acks {
        Acks { by_group: HashMap::new(), dir: dir.map(Path::to_path_buf) }
    }

    /// Loads the snapshot from `dir`; a damaged one is set aside and reported.
    pub fn load(dir: &Path) -> (Acks, Option<String>) {
        let mut acks = Acks::new(Some(dir));
        match persist::load::<Snapshot>(dir, SNAPSHOT) {
            Ok(Some(s)) => {
                acks.by_group = s.acks.into_iter().collect();
                (acks, None)
            }
            Ok(None) => (acks, None),
            Err(e) => (acks, Some(e.to_string())),
        }
    }

    /// The ack of a group, if one is in force at `now`.
    pub fn active(&self, key: &GroupKey, now: i64) -> Option<&Ack> {
        if self.by_group.is_empty() {
            return None;
        }
        self.by_group.get(key).filter(|a| a.active(now))
    }

    /// Whether any ack is stored (lets callers skip per-group look-ups).
    pub fn is_empty(&self) -> bool {
        self.by_group.is_empty()
    }

    /// The acks in force at `now`.
    pub fn iter_active(&self, now: i64) -> impl Iterator<Item = (&GroupKey, &Ack)> {
        self.by_group.iter().filter(move |(_, a)| a.active(now))
    }

    /// Checks an acknowledgement before it is stored.
    pub fn validate(ack: &Ack) -> Result<(), AckError> {
        if ack.by.trim().is_empty() {
            return Err(AckError::Invalid("acknowledged by must not be empty".into()));
        }
        if let Some(e) = ack.expires_at
            && e <= ack.at
        {
            return Err(AckError::Invalid("the acknowledgement's expiry must be in the future".into()));
        }
        Ok(())
    }

    /// Acknowledges groups (replacing earlier acks of theirs) and writes the snapshot; on a
    /// write failure nothing changes.
    pub fn set(&mut self, keys: &[GroupKey], ack: &Ack) -> Result<(), AckError> {
        Acks::validate(ack)?;
        let before: Vec<(GroupKey, Option<Ack>)> =
            keys.iter().map(|k| (k.clone(), self.by_group.insert(k.clone(), ack.clone()))).collect();
        self.save().inspect_err(|_| self.restore(before))
    }

    /// Withdraws the acks of groups; returns the ones that were in force.
    pub fn remove(&mut self, keys: &[GroupKey], now: i64) -> Result<Vec<(GroupKey, Ack)>, AckError> {
        let before: Vec<(GroupKey, Option<Ack>)> =
            keys.iter().map(|k| (k.clone(), self.by_group.remove(k))).filter(|(_, a)| a.is_some()).collect();
        if before.is_empty() {
            return Ok(Vec::new());
        }
        let removed =
            before.iter().filter_map(|(k, a)| a.clone().filter(|a| a.active(now)).map(|a| (k.clone(), a))).collect();
        self.save().inspect_err(|_| self.restore(before))?;
        Ok(removed)
    }

    /// Drops a group's ack because the group resolved; returns whether there was one.
    pub fn clear(&mut self, key: &GroupKey) -> bool {
        if self.by_group.remove(key).is_none() {
            return false;
        }
        if let Err(e) = self.save() {
            tracing::warn!(error = %e, group = %key.group_key, "cannot persist the end of an acknowledgement");
        }
        true
    }

    /// Drops expired acks and those of groups that no longer exist (`live` says which do);
    /// returns how many.
    pub fn gc(&mut self, now: i64, live: impl Fn(&GroupKey) -> bool) -> usize {
        let before = self.by_group.len();
        self.by_group.retain(|k, a| a.active(now) && live(k));
        let n = before - self.by_group.len();
        if n > 0
            && let Err(e) = self.save()
        {
            tracing::warn!(error = %e, "cannot persist acknowledgements after garbage collection");
        }
        n
    }

    fn restore(&mut self, before: Vec<(GroupKey, Option<Ack>)>) {
        for (k, prev) in before {
            match prev {
                Some(a) => self.by_group.insert(k, a),
                None => self.by_group.remove(&k),
            };
        }
    }

    fn save(&self) -> Result<(), AckError> {
        let Some(dir) = &self.dir else { return Ok(()) };
        let mut acks: Vec<(GroupKey, Ack)> = self.by_group.iter().map(|(k, a)| (k.clone(), a.clone())).collect();
        acks.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(persist::save(dir, SNAPSHOT, &Snapshot { version: 1, acks })?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(g: &str) -> GroupKey {
        GroupKey { group_key: g.into(), receiver: "r".into() }
    }

    fn ack(at: i64, expires_at: Option<i64>) -> Ack {
        Ack { by: "alice".into(), comment: "on it".into(), at, expires_at }
    }

    #[test]
    fn expiry_validation_and_persistence() {
        let dir = tempfile::tempdir().unwrap();
        let mut acks = Acks::new(Some(dir.path()));
        acks.set(&[key("a")], &ack(100, Some(200))).unwrap();
        acks.set(&[key("b")], &ack(100, None)).unwrap();
        assert!(acks.active(&key("a"), 199).is_some());
        assert!(acks.active(&key("a"), 200).is_none(), "the expiry instant ends it");
        assert!(acks.active(&key("b"), i64::MAX).is_some());
        assert!(matches!(acks.set(&[key("c")], &ack(100, Some(100))), Err(AckError::Invalid(_))));
        let nobody = Ack { by: " ".into(), ..ack(100, None) };
        assert!(matches!(acks.set(&[key("c")], &nobody), Err(AckError::Invalid(_))));

        let (back, err) = Acks::load(dir.path());
        assert!(err.is_none());
        assert_eq!(back.active(&key("b"), 500), Some(&ack(100, None)));
        assert!(back.active(&key("c"), 150).is_none());

        let mut back = back;
        assert_eq!(back.gc(300, |k| k.group_key != "gone"), 1, "a expired");
        assert_eq!(back.remove(&[key("b")], 300).unwrap().len(), 1);
        assert!(back.remove(&[key("b")], 300).unwrap().is_empty());
        let (again, _) = Acks::load(dir.path());
        assert!(again.is_empty());
    }

    #[test]
    fn a_failed_write_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-a-dir");
        std::fs::write(&file, b"x").unwrap();
        let mut acks = Acks::new(Some(&file));
        assert!(matches!(acks.set(&[key("a")], &ack(1, None)), Err(AckError::Storage(_))));
        assert!(acks.active(&key("a"), 2).is_none());
    }
}
