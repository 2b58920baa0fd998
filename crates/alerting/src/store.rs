//! The alert store: every alert the API received, merged by fingerprint with Alertmanager's
//! rules, kept until resolved and collected, and persisted as a snapshot so alerts survive a
//! restart (Alertmanager keeps them only in memory, alertmanager#2370).

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::alert::Alert;
use crate::labels::Fingerprint;
use crate::persist::{self, PersistError};

/// File name of the alerts snapshot in the data directory.
pub const SNAPSHOT: &str = "alerts.json";

/// Alerts stored since the last snapshot, one JSON array per line, each line fsynced before
/// the API answers: an acknowledged alert survives `kill -9` without rewriting the whole
/// snapshot on every request. A snapshot empties it.
pub const JOURNAL: &str = "alerts.journal";

#[derive(Serialize, Deserialize)]
struct Snapshot {
    version: u32,
    alerts: Vec<Alert>,
}

/// Alerts by fingerprint.
#[derive(Debug, Default)]
pub struct AlertStore {
    alerts: HashMap<Fingerprint, Alert>,
    dirty: bool,
    generation: u64,
}

impl AlertStore {
    /// Stores a posted alert, merging it into an existing one with the same labels when their
    /// activity overlaps (Alertmanager's `mem.Alerts.Put`); returns what is now stored.
    pub fn put(&mut self, alert: Alert) -> Alert {
        let fp = alert.fingerprint();
        let stored = match self.alerts.get(&fp) {
            Some(old)
                if (alert.ends_at > old.starts_at && alert.ends_at < old.ends_at)
                    || (alert.starts_at > old.starts_at && alert.starts_at < old.ends_at) =>
            {
                old.merge(&alert)
            }
            _ => alert,
        };
        self.alerts.insert(fp, stored.clone());
        self.touch();
        stored
    }

    pub fn get(&self, fp: Fingerprint) -> Option<&Alert> {
        self.alerts.get(&fp)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Fingerprint, &Alert)> {
        self.alerts.iter()
    }

    pub fn len(&self) -> usize {
        self.alerts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.alerts.is_empty()
    }

    /// Changes with every modification (lets the inhibitor know when to re-index).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    fn touch(&mut self) {
        self.dirty = true;
        self.generation += 1;
    }

    /// Drops alerts resolved at `now` unless `keep` says they are still needed (an aggregation
    /// group has not yet notified their resolution). Returns the dropped fingerprints.
    pub fn gc(&mut self, now: i64, keep: impl Fn(Fingerprint) -> bool) -> Vec<Fingerprint> {
        let gone: Vec<Fingerprint> =
            self.alerts.iter().filter(|(fp, a)| a.resolved_at(now) && !keep(**fp)).map(|(fp, _)| *fp).collect();
        for fp in &gone {
            self.alerts.remove(fp);
        }
        if !gone.is_empty() {
            self.touch();
        }
        gone
    }

    /// Whether there are changes not yet saved.
    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    /// Writes the snapshot if anything changed since the last one, then empties the journal.
    pub fn save(&mut self, dir: &Path) -> Result<(), PersistError> {
        if !self.dirty {
            return Ok(());
        }
        let mut alerts: Vec<Alert> = self.alerts.values().cloned().collect();
        alerts.sort_by_key(|a| a.fingerprint());
        persist::save(dir, SNAPSHOT, &Snapshot { version: 1, alerts })?;
        self.dirty = false;
        let journal = dir.join(JOURNAL);
        if journal.exists() {
            std::fs::OpenOptions::new()
                .write(true)
                .open(&journal)
                .and_then(|f| {
                    f.set_len(0)?;
                    f.sync_all()
                })
                .map_err(|source| PersistError::Truncate { path: journal.clone(), source })?;
        }
        Ok(())
    }

    /// Appends what `put` stored to the journal and fsyncs it.
    pub fn journal(&self, dir: &Path, stored: &[Alert]) -> Result<(), PersistError> {
        use std::io::Write;
        if stored.is_empty() {
            return Ok(());
        }
        let path = dir.join(JOURNAL);
        let mut line =
            serde_json::to_vec(stored).map_err(|source| PersistError::Encode { what: "alerts".into(), source })?;
        line.push(b'\n');
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|source| PersistError::Open { path: path.clone(), source })?;
        f.write_all(&line).and_then(|_| f.sync_data()).map_err(|source| PersistError::Write { path, source })
    }

    /// Applies the journal over a loaded snapshot. A torn last line (a crash mid-write, never
    /// acknowledged) is skipped.
    fn replay_journal(&mut self, dir: &Path) -> Result<usize, PersistError> {
        let path = dir.join(JOURNAL);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(source) => return Err(PersistError::Read { path, source }),
        };
        let mut n = 0;
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let Ok(alerts) = serde_json::from_str::<Vec<Alert>>(line) else { continue };
            for a in alerts {
                self.alerts.insert(a.fingerprint(), a);
                n += 1;
            }
        }
        if n > 0 {
            self.touch();
        }
        Ok(n)
    }

    /// Loads the snapshot from `dir`; a damaged one is set aside and reported in the error
    /// alongside an empty store.
    pub fn load(dir: &Path) -> (AlertStore, Option<String>) {
        let (mut store, err) = match persist::load::<Snapshot>(dir, SNAPSHOT) {
            Ok(Some(s)) => {
                let alerts = s.alerts.into_iter().map(|a| (a.fingerprint(), a)).collect();
                (AlertStore { alerts, dirty: false, generation: 1 }, None)
            }
            Ok(None) => (AlertStore::default(), None),
            Err(e) => (AlertStore::default(), Some(e.to_string())),
        };
        match store.replay_journal(dir) {
            Ok(_) => (store, err),
            Err(e) => (store, Some(err.map_or(e.to_string(), |first| format!("{first}; {e}")))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_replays_over_the_snapshot_and_a_snapshot_empties_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = AlertStore::default();
        let a = s.put(alert("A", 0, 100, 0));
        s.save(dir.path()).unwrap();
        let b = s.put(alert("B", 10, 200, 10));
        s.journal(dir.path(), std::slice::from_ref(&b)).unwrap();
        // A torn line after a crash is ignored.
        std::fs::OpenOptions::new()
            .append(true)
            .open(dir.path().join(JOURNAL))
            .and_then(|mut f| std::io::Write::write_all(&mut f, b"[{\"labels\""))
            .unwrap();
        let (loaded, err) = AlertStore::load(dir.path());
        assert!(err.is_none(), "{err:?}");
        assert_eq!(loaded.len(), 2);
        assert_eq!(loaded.get(b.fingerprint()), Some(&b));
        assert_eq!(loaded.get(a.fingerprint()), Some(&a));
        let mut loaded = loaded;
        assert!(loaded.is_dirty(), "replayed entries are compacted by the next snapshot");
        loaded.save(dir.path()).unwrap();
        assert_eq!(std::fs::metadata(dir.path().join(JOURNAL)).unwrap().len(), 0);
        assert_eq!(AlertStore::load(dir.path()).0.len(), 2);
    }
    use crate::labels::LabelSet;

    fn alert(name: &str, starts: i64, ends: i64, updated: i64) -> Alert {
        let labels: LabelSet = [("alertname".to_string(), name.to_string())].into();
        Alert {
            labels,
            annotations: LabelSet::new(),
            starts_at: starts,
            ends_at: ends,
            generator_url: String::new(),
            updated_at: updated,
            timeout: false,
        }
    }

    #[test]
    fn put_merges_overlapping_and_replaces_others() {
        let mut s = AlertStore::default();
        s.put(alert("A", 100, 1000, 100));
        // Later start inside the old activity: merged, earliest start kept.
        let got = s.put(alert("A", 200, 2000, 200));
        assert_eq!((got.starts_at, got.ends_at), (100, 2000));
        // Same start (what Prometheus re-sends): replaced, annotations from the newer one.
        let mut newer = alert("A", 100, 3000, 300);
        newer.annotations.insert("summary".into(), "new".into());
        let got = s.put(newer);
        assert_eq!(got.annotations["summary"], "new");
        assert_eq!(got.ends_at, 3000);
        // A new firing after the old one ended: not merged, the new start stands.
        let got = s.put(alert("A", 5000, 6000, 5000));
        assert_eq!(got.starts_at, 5000);
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn gc_respects_keep_and_snapshot_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = AlertStore::default();
        s.put(alert("Resolved", 0, 10, 5));
        s.put(alert("Held", 0, 10, 5));
        s.put(alert("Firing", 0, 10_000, 5));
        let held = s.get(alert("Held", 0, 0, 0).fingerprint()).unwrap().fingerprint();
        let gone = s.gc(100, |fp| fp == held);
        assert_eq!(gone.len(), 1);
        assert_eq!(s.len(), 2);
        assert!(s.is_dirty());
        s.save(dir.path()).unwrap();
        assert!(!s.is_dirty());
        let (back, err) = AlertStore::load(dir.path());
        assert!(err.is_none());
        assert_eq!(back.len(), 2);
        assert_eq!(back.get(held).map(|a| a.ends_at), Some(10));
    }
}
