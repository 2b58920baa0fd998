//! Alert state on disk, so a restart keeps firing alerts firing.
//!
//! Prometheus rebuilds alert state from `ALERTS_FOR_STATE` and puts every firing alert back
//! to pending (prometheus#13957). Vigil writes each group's alerts to one JSON file whenever
//! an alert appears, changes state or goes away, replacing the file atomically (write,
//! fsync, rename, fsync the directory) so `kill -9` leaves either the old or the new state.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::alerting::{Alert, AlertSet, AlertState};
use crate::group::Group;

const VERSION: u32 = 1;
const FILE_NAME: &str = "alert-state.json";

#[derive(Debug, Default, Serialize, Deserialize)]
struct StateFile {
    version: u32,
    groups: Vec<GroupState>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct GroupState {
    key: String,
    #[serde(default)]
    last_eval_ts: Option<i64>,
    rules: Vec<RuleState>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct RuleState {
    name: String,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    alerts: Vec<Alert>,
}

/// The persisted state of every group, loaded at start-up.
#[derive(Debug, Default)]
pub struct Snapshot {
    groups: HashMap<String, GroupState>,
}

impl Snapshot {
    /// How many alerts the snapshot holds (for the start-up log).
    pub fn alert_count(&self) -> usize {
        self.groups.values().flat_map(|g| g.rules.iter()).map(|r| r.alerts.len()).sum()
    }

    /// Puts the saved alerts back into `group`'s rules, matched by group key, rule name and
    /// labels (in order among equals). Firing alerts stay firing. A pending alert's `for`
    /// clock does not count time Vigil was down: its activation moves forward by the gap
    /// between the last evaluation before the stop and `now_ms`.
    pub fn restore(&mut self, group: &mut Group, now_ms: i64) -> usize {
        let Some(saved) = self.groups.remove(&group.key()) else { return 0 };
        let downtime = saved.last_eval_ts.map_or(0, |t| (now_ms - t - group.interval_ms).max(0));
        let mut pool: Vec<Option<RuleState>> = saved.rules.into_iter().map(Some).collect();
        let mut restored = 0;
        for rule in &mut group.rules {
            let found = pool
                .iter_mut()
                .find(|slot| slot.as_ref().is_some_and(|s| s.name == rule.spec.name() && s.labels == rule.spec.labels));
            let Some(state) = found.and_then(Option::take) else { continue };
            if !rule.spec.is_alerting() {
                continue;
            }
            let alerts = state.alerts.into_iter().map(|mut a| {
                if a.state == AlertState::Pending {
                    a.active_at += downtime;
                }
                a
            });
            rule.alerts = AlertSet::from_alerts(alerts);
            restored += rule.alerts.len();
        }
        if group.last_eval_ts.is_none() {
            group.last_eval_ts = saved.last_eval_ts;
        }
        restored
    }
}

/// Reads and writes the state file in one directory.
#[derive(Debug, Clone)]
pub struct StateStore {
    dir: PathBuf,
}

/// Why the state could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("cannot {what} {path}: {source}")]
    Io { what: &'static str, path: String, source: std::io::Error },
    #[error("{path} is not a valid alert state file ({source}); it was moved aside to {moved} and alerts start fresh")]
    Corrupt { path: String, moved: String, source: serde_json::Error },
}

impl StateStore {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        StateStore { dir: dir.into() }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.join(FILE_NAME)
    }

    /// Loads the saved state; a missing file is an empty state. A corrupt file is moved
    /// aside (never silently overwritten) and reported.
    pub fn load(&self) -> Result<Snapshot, StateError> {
        let path = self.path();
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Snapshot::default()),
            Err(source) => return Err(StateError::Io { what: "read", path: path.display().to_string(), source }),
        };
        match serde_json::from_slice::<StateFile>(&bytes) {
            Ok(f) => Ok(Snapshot { groups: f.groups.into_iter().map(|g| (g.key.clone(), g)).collect() }),
            Err(source) => {
                let moved = path.with_extension("json.corrupt");
                let _ = std::fs::rename(&path, &moved);
                Err(StateError::Corrupt {
                    path: path.display().to_string(),
                    moved: moved.display().to_string(),
                    source,
                })
            }
        }
    }

    /// Writes the alerts of `groups` atomically.
    pub fn save<'a>(&self, groups: impl IntoIterator<Item = &'a Group>) -> Result<(), StateError> {
        let file = StateFile { version: VERSION, groups: groups.into_iter().map(group_state).collect() };
        let io = |what: &'static str, path: &Path| {
            let path = path.display().to_string();
            move |source| StateError::Io { what, path, source }
        };
        std::fs::create_dir_all(&self.dir).map_err(io("create", &self.dir))?;
        let tmp = self.dir.join(format!("{FILE_NAME}.tmp"));
        let bytes = serde_json::to_vec(&file).map_err(|e| StateError::Io {
            what: "encode",
            path: tmp.display().to_string(),
            source: std::io::Error::other(e),
        })?;
        {
            let mut f = std::fs::File::create(&tmp).map_err(io("create", &tmp))?;
            f.write_all(&bytes).map_err(io("write", &tmp))?;
            f.sync_all().map_err(io("sync", &tmp))?;
        }
        let path = self.path();
        std::fs::rename(&tmp, &path).map_err(io("rename to", &path))?;
        if let Ok(d) = std::fs::File::open(&self.dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

fn group_state(g: &Group) -> GroupState {
    GroupState {
        key: g.key(),
        last_eval_ts: g.last_eval_ts,
        rules: g
            .rules
            .iter()
            .filter(|r| r.spec.is_alerting())
            .map(|r| RuleState {
                name: r.spec.name().to_string(),
                labels: r.spec.labels.clone(),
                alerts: r.alerts.all().into_iter().cloned().collect(),
            })
            .collect(),
    }
}
