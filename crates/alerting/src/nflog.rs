//! The notification log: per aggregation group and integration, which alerts the last
//! successful notification reported as firing and as resolved, and when. The dispatcher asks it
//! whether a flush must notify (Alertmanager's `DedupStage.needsUpdate`), and it is persisted
//! so that after a restart nothing already sent is sent again and no pending resolution is lost.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::config::receivers::IntegrationKind;
use crate::labels::Fingerprint;
use crate::persist;

/// File name of the notification-log snapshot in the data directory.
pub const SNAPSHOT: &str = "nflog.json";

/// Which group and integration an entry is about (Alertmanager's `stateKey(groupKey, receiver)`
/// where the receiver is `{group_name, integration, idx}`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LogKey {
    pub group_key: String,
    pub receiver: String,
    pub integration: IntegrationKind,
    pub index: usize,
}

/// The last successful notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub firing: BTreeSet<Fingerprint>,
    pub resolved: BTreeSet<Fingerprint>,
    pub timestamp: i64,
    pub expires_at: i64,
}

/// Alertmanager's `needsUpdate`: notify when there was no notification yet and something fires,
/// when an alert fires that the last notification did not report, when everything resolved
/// after something had fired, when newly resolved alerts are to be sent (send_resolved), or when
/// the repeat interval has passed.
pub fn needs_update(
    entry: Option<&Entry>,
    firing: &BTreeSet<Fingerprint>,
    resolved: &BTreeSet<Fingerprint>,
    send_resolved: bool,
    repeat_ms: i64,
    now: i64,
) -> bool {
    let Some(e) = entry else { return !firing.is_empty() };
    if !firing.is_subset(&e.firing) {
        return true;
    }
    if firing.is_empty() {
        return !e.firing.is_empty();
    }
    if send_resolved && !resolved.is_subset(&e.resolved) {
        return true;
    }
    e.timestamp < now.saturating_sub(repeat_ms)
}

#[derive(Serialize, Deserialize)]
struct Snapshot {
    version: u32,
    entries: Vec<(LogKey, Entry)>,
}

/// The log itself.
#[derive(Debug)]
pub struct NotificationLog {
    entries: HashMap<LogKey, Entry>,
    retention_ms: i64,
    dirty: bool,
}

impl NotificationLog {
    pub fn new(retention_ms: i64) -> NotificationLog {
        NotificationLog { entries: HashMap::new(), retention_ms, dirty: false }
    }

    pub fn get(&self, key: &LogKey) -> Option<&Entry> {
        self.entries.get(key)
    }

    /// Records a successful notification. The entry expires after `expiry_ms` (twice the
    /// repeat interval, as Alertmanager passes) or the retention, whichever is shorter.
    pub fn log(
        &mut self,
        key: LogKey,
        firing: BTreeSet<Fingerprint>,
        resolved: BTreeSet<Fingerprint>,
        now: i64,
        expiry_ms: i64,
    ) {
        if self.entries.get(&key).is_some_and(|e| e.timestamp > now) {
            return;
        }
        let keep = if expiry_ms > 0 && self.retention_ms > expiry_ms { expiry_ms } else { self.retention_ms };
        self.entries.insert(key, Entry { firing, resolved, timestamp: now, expires_at: now.saturating_add(keep) });
        self.dirty = true;
    }

    /// Drops expired entries; returns how many.
    pub fn gc(&mut self, now: i64) -> usize {
        self.gc_keeping(now, |_| false)
    }

    /// Drops expired entries except those `keep` asks for (the entries of acknowledged groups,
    /// which send nothing while the ack lasts but must not look never-notified when it ends);
    /// returns how many.
    pub fn gc_keeping(&mut self, now: i64, keep: impl Fn(&LogKey) -> bool) -> usize {
        let before = self.entries.len();
        self.entries.retain(|k, e| e.expires_at > now || keep(k));
        let n = before - self.entries.len();
        self.dirty |= n > 0;
        n
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    /// Writes the snapshot if anything changed since the last one.
    pub fn save(&mut self, dir: &Path) -> Result<(), crate::persist::PersistError> {
        if !self.dirty {
            return Ok(());
        }
        let mut entries: Vec<(LogKey, Entry)> = self.entries.iter().map(|(k, e)| (k.clone(), e.clone())).collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        persist::save(dir, SNAPSHOT, &Snapshot { version: 1, entries })?;
        self.dirty = false;
        Ok(())
    }

    /// Loads the snapshot from `dir`; a damaged one is set aside and reported.
    pub fn load(dir: &Path, retention_ms: i64) -> (NotificationLog, Option<String>) {
        let mut log = NotificationLog::new(retention_ms);
        match persist::load::<Snapshot>(dir, SNAPSHOT) {
            Ok(Some(s)) => {
                log.entries = s.entries.into_iter().collect();
                (log, None)
            }
            Ok(None) => (log, None),
            Err(e) => (log, Some(e.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(v: &[u64]) -> BTreeSet<u64> {
        v.iter().copied().collect()
    }

    fn entry(firing: &[u64], resolved: &[u64], ts: i64) -> Entry {
        Entry { firing: set(firing), resolved: set(resolved), timestamp: ts, expires_at: i64::MAX }
    }

    #[test]
    fn needs_update_cases() {
        let h = 3_600_000;
        // (entry, firing, resolved, send_resolved, now, want)
        type Case = (Option<Entry>, &'static [u64], &'static [u64], bool, i64, bool);
        let cases: Vec<Case> = vec![
            (None, &[], &[], true, 0, false),
            (None, &[1], &[], true, 0, true),
            (None, &[], &[1], true, 0, false),
            (Some(entry(&[1], &[], 0)), &[1], &[], true, h, false),
            (Some(entry(&[1], &[], 0)), &[1, 2], &[], true, h, true),
            (Some(entry(&[1, 2], &[], 0)), &[1], &[2], true, h, true),
            (Some(entry(&[1, 2], &[], 0)), &[1], &[2], false, h, false),
            (Some(entry(&[1], &[2], 0)), &[1], &[2], true, h, false),
            (Some(entry(&[1], &[], 0)), &[], &[1], true, h, true),
            (Some(entry(&[1], &[], 0)), &[], &[1], false, h, true),
            (Some(entry(&[], &[1], 0)), &[], &[1], true, h, false),
            (Some(entry(&[1], &[], 0)), &[1], &[], true, 4 * h, false),
            (Some(entry(&[1], &[], 0)), &[1], &[], true, 4 * h + 1, true),
        ];
        for (i, (e, f, r, sr, now, want)) in cases.into_iter().enumerate() {
            assert_eq!(needs_update(e.as_ref(), &set(f), &set(r), sr, 4 * h, now), want, "case {i}");
        }
    }

    fn key(g: &str) -> LogKey {
        LogKey { group_key: g.into(), receiver: "r".into(), integration: IntegrationKind::Webhook, index: 0 }
    }

    #[test]
    fn expiry_gc_and_persistence() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = NotificationLog::new(1000);
        log.log(key("a"), set(&[1]), set(&[]), 10, 400);
        log.log(key("b"), set(&[2]), set(&[3]), 10, 0);
        assert_eq!(log.get(&key("a")).unwrap().expires_at, 410);
        assert_eq!(log.get(&key("b")).unwrap().expires_at, 1010);
        log.log(key("a"), set(&[9]), set(&[]), 5, 400);
        assert_eq!(log.get(&key("a")).unwrap().firing, set(&[1]), "an older write does not replace a newer one");
        log.save(dir.path()).unwrap();
        let (mut back, err) = NotificationLog::load(dir.path(), 1000);
        assert!(err.is_none());
        assert_eq!(back.get(&key("b")).unwrap().resolved, set(&[3]));
        assert_eq!(back.gc(500), 1);
        assert!(back.get(&key("a")).is_none());
    }
}
