//! Escalation policies — levels of receivers notified while an alert group keeps firing
//! unacknowledged (seed 002: the on-call now, the team lead after 15 minutes, the manager after
//! 30), which Alertmanager does not have. Policies are configured under `vigil.escalations`
//! ([`crate::config::vigil`]); this module runs them.
//!
//! Semantics:
//!
//! - **Incident.** A group's incident begins at the first regular flush at which the group has
//!   firing alerts left after inhibition, silences and its route's time intervals (the moment
//!   its first firing notification goes to the route's receiver, "level 0"), if a policy covers
//!   the group then: the first policy, in file order, whose matchers match the common labels
//!   of those alerts and whose `receivers` (if any) name the route's receiver. The policy stays
//!   the incident's even if later alerts change the common labels. A group already firing when
//!   a policy is added by a reload begins its incident at its next flush, so a reload never
//!   pages anyone at once.
//! - **Levels.** Level N is due `after` its configured delay from the incident's start. When it
//!   is due, the group fires (after the same filtering as above) and is not acknowledged
//!   ([`crate::ack`]), each integration of the level's receiver is notified once with the
//!   group's alerts, through the same [`crate::notify::Notify`] as everything else and with
//!   `Notification.receiver` set to the level's receiver. Levels go out on time, not at the
//!   group's next `group_interval`: the dispatcher is woken for them. A failed integration is
//!   retried at the group's next regular flush; integrations that succeeded are not repeated.
//!   Escalated receivers get no repeat notifications and no updates: one page per level.
//! - **Pauses.** While the group is acknowledged, silenced or muted by time intervals, no level
//!   is notified. When that ends and the group still fires, every level whose time has come is
//!   notified (none is skipped): an ack that expires after an hour hands the incident up the
//!   ladder as if it had never been taken.
//! - **End.** When a flush finds every alert of the group resolved, every integration that got
//!   a level's firing notification and has `send_resolved` gets the resolved notification, and
//!   once all of that succeeded the incident ends: the next firing starts a new one at level 0.
//!
//! Incidents and which integrations each level reached are kept in `escalations.json`. A sent
//! level is written before the flush completes, so a restart neither repeats a level nor skips
//! one (levels that fell due while Vigil was down go out at the first flush after start). The
//! start of an incident is written with the periodic persistence; lost in a crash, it restarts
//! at the next flush, which delays the ladder rather than repeating it.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::ack::Ack;
use crate::ack::Acks;
use crate::alert::Alert;
use crate::config::EscalationPolicy;
use crate::config::receivers::IntegrationKind;
use crate::dispatch::{AggrGroup, FlushBatch, FlushKind, GroupKey};
use crate::notify::{FlushContext, Planned, ReceiverTable, Record, build, common};
use crate::persist;

/// File name of the escalation snapshot in the data directory.
pub const SNAPSHOT: &str = "escalations.json";

/// One integration of a receiver: its kind and index among that kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Slot {
    pub kind: IntegrationKind,
    pub index: usize,
}

/// What one level has done in an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelRecord {
    /// The receiver notified (kept in case a reload changes the level's receiver: the resolved
    /// notification goes where the firing one went).
    pub receiver: String,
    /// When the first of its integrations was notified.
    pub notified_at: Option<i64>,
    pub firing_sent: BTreeSet<Slot>,
    pub resolved_sent: BTreeSet<Slot>,
}

/// One group's incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incident {
    pub policy: String,
    /// The group's first firing notification: the levels' delays count from here.
    pub started_at: i64,
    /// By level index (0 = the policy's first level).
    pub levels: BTreeMap<usize, LevelRecord>,
}

/// A successful escalation notification, to be recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub group: GroupKey,
    pub level: usize,
    pub receiver: String,
    pub slot: Slot,
    /// The resolved notification (else the level's firing one).
    pub resolved: bool,
}

/// An incident as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscalationView {
    pub policy: String,
    pub started_at: i64,
    pub levels: Vec<LevelView>,
}

/// One level of an [`EscalationView`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelView {
    /// 1 for the policy's first level (level 0 being the route's receiver).
    pub level: usize,
    pub receiver: String,
    pub due_at: i64,
    /// When it was notified (`None`: not yet).
    pub notified_at: Option<i64>,
}

#[derive(Serialize, Deserialize)]
struct Snapshot {
    version: u32,
    incidents: Vec<(GroupKey, Incident)>,
}

/// Every group's incident, and when each group was last looked at for escalation.
#[derive(Debug, Default)]
pub struct Escalations {
    incidents: HashMap<GroupKey, Incident>,
    /// The time of the last flush planned per group while it was not acknowledged (memory
    /// only): a wake-up for a level that could not go out then (silenced, failed) is not
    /// repeated; regular flushes retry it.
    woken: HashMap<GroupKey, i64>,
    dirty: bool,
}

fn policy<'p>(policies: &'p [EscalationPolicy], name: &str) -> Option<&'p EscalationPolicy> {
    policies.iter().find(|p| p.name == name)
}

impl Escalations {
    pub fn get(&self, key: &GroupKey) -> Option<&Incident> {
        self.incidents.get(key)
    }

    pub fn len(&self) -> usize {
        self.incidents.len()
    }

    pub fn is_empty(&self) -> bool {
        self.incidents.is_empty()
    }

    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    /// Begins the group's incident if it has none and a policy covers it (`firing`: the
    /// group's notifiable firing alerts). Returns whether one began.
    pub fn begin(&mut self, key: &GroupKey, firing: &[&Alert], policies: &[EscalationPolicy], now: i64) -> bool {
        if policies.is_empty() || firing.is_empty() || self.incidents.contains_key(key) {
            return false;
        }
        let labels = common(firing.iter().map(|a| a.labels.clone()));
        let Some(p) = policies.iter().find(|p| p.covers(&key.receiver, &labels)) else { return false };
        self.incidents
            .insert(key.clone(), Incident { policy: p.name.clone(), started_at: now, levels: BTreeMap::new() });
        self.dirty = true;
        true
    }

    /// Records a successful escalation notification.
    pub fn record(&mut self, sent: &Sent, now: i64) {
        let Some(inc) = self.incidents.get_mut(&sent.group) else { return };
        let rec = inc.levels.entry(sent.level).or_insert_with(|| LevelRecord {
            receiver: sent.receiver.clone(),
            notified_at: None,
            firing_sent: BTreeSet::new(),
            resolved_sent: BTreeSet::new(),
        });
        if sent.resolved {
            rec.resolved_sent.insert(sent.slot);
        } else {
            rec.firing_sent.insert(sent.slot);
            rec.notified_at.get_or_insert(now);
        }
        self.dirty = true;
    }

    /// Ends the group's incident (it resolved); returns whether there was one.
    pub fn end(&mut self, key: &GroupKey) -> bool {
        self.woken.remove(key);
        let had = self.incidents.remove(key).is_some();
        self.dirty |= had;
        had
    }

    /// Drops the incidents of groups that no longer exist (`live` says which do): their
    /// route changed in a reload, or they were collected. Returns how many.
    pub fn retain(&mut self, live: impl Fn(&GroupKey) -> bool) -> usize {
        let before = self.incidents.len();
        self.incidents.retain(|k, _| live(k));
        self.woken.retain(|k, _| live(k));
        let n = before - self.incidents.len();
        self.dirty |= n > 0;
        n
    }

    /// Forgets when the group was last woken, so a level held back by an ack that was just
    /// withdrawn goes out at once.
    pub fn reset_woken(&mut self, key: &GroupKey) {
        self.woken.remove(key);
    }

    /// Notes that the group's escalation was planned at `now`.
    pub fn mark_woken(&mut self, key: &GroupKey, now: i64) {
        if self.incidents.contains_key(key) {
            self.woken.insert(key.clone(), now);
        }
    }

    /// When the group next needs waking for a level: the first level not yet fully notified,
    /// or the end of the group's ack if that is later (`ack`: the ack in force, if any). `None`
    /// when nothing is pending, when an ack without expiry holds everything back, or when the
    /// group was already woken for that time.
    pub fn next_due(
        &self,
        key: &GroupKey,
        policies: &[EscalationPolicy],
        receivers: &ReceiverTable,
        ack: Option<&Ack>,
    ) -> Option<i64> {
        if self.incidents.is_empty() {
            return None;
        }
        let inc = self.incidents.get(key)?;
        let p = policy(policies, &inc.policy)?;
        let (_, level) = p.levels.iter().enumerate().find(|(i, l)| !level_done(inc, *i, &l.receiver, receivers))?;
        let mut due = inc.started_at.saturating_add(level.after_ms);
        if let Some(a) = ack {
            due = due.max(a.expires_at?);
        }
        match self.woken.get(key) {
            Some(w) if due <= *w => None,
            _ => Some(due),
        }
    }

    /// The group's incident for the API.
    pub fn view(&self, key: &GroupKey, policies: &[EscalationPolicy]) -> Option<EscalationView> {
        let inc = self.incidents.get(key)?;
        let mut levels: Vec<LevelView> = match policy(policies, &inc.policy) {
            Some(p) => p
                .levels
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    let rec = inc.levels.get(&i);
                    LevelView {
                        level: i + 1,
                        receiver: rec.map_or_else(|| l.receiver.clone(), |r| r.receiver.clone()),
                        due_at: inc.started_at.saturating_add(l.after_ms),
                        notified_at: rec.and_then(|r| r.notified_at),
                    }
                })
                .collect(),
            None => Vec::new(),
        };
        // Levels of a policy that a reload shortened or removed still show what they did.
        for (i, rec) in &inc.levels {
            if !levels.iter().any(|l| l.level == i + 1) {
                levels.push(LevelView {
                    level: i + 1,
                    receiver: rec.receiver.clone(),
                    due_at: rec.notified_at.unwrap_or(inc.started_at),
                    notified_at: rec.notified_at,
                });
            }
        }
        Some(EscalationView { policy: inc.policy.clone(), started_at: inc.started_at, levels })
    }

    /// Writes the snapshot if anything changed since the last one.
    pub fn save(&mut self, dir: &Path) -> Result<(), crate::persist::PersistError> {
        if !self.dirty {
            return Ok(());
        }
        let mut incidents: Vec<(GroupKey, Incident)> =
            self.incidents.iter().map(|(k, i)| (k.clone(), i.clone())).collect();
        incidents.sort_by(|a, b| a.0.cmp(&b.0));
        persist::save(dir, SNAPSHOT, &Snapshot { version: 1, incidents })?;
        self.dirty = false;
        Ok(())
    }

    /// Loads the snapshot from `dir`; a damaged one is set aside and reported.
    pub fn load(dir: &Path) -> (Escalations, Option<String>) {
        match persist::load::<Snapshot>(dir, SNAPSHOT) {
            Ok(Some(s)) => {
                (Escalations { incidents: s.incidents.into_iter().collect(), ..Escalations::default() }, None)
            }
            Ok(None) => (Escalations::default(), None),
            Err(e) => (Escalations::default(), Some(e.to_string())),
        }
    }
}

/// The dispatcher's wake function: when a group next needs waking for a level (see
/// [`Escalations::next_due`]; `now` decides which acks are in force).
pub fn wake<'a>(
    escalations: &'a Escalations,
    acks: &'a Acks,
    policies: &'a [EscalationPolicy],
    receivers: &'a ReceiverTable,
    now: i64,
) -> impl Fn(&AggrGroup) -> Option<i64> + 'a {
    move |g| {
        if escalations.is_empty() {
            return None;
        }
        let key = g.group_key();
        escalations.next_due(&key, policies, receivers, acks.active(&key, now))
    }
}

/// Whether level `i` reached every integration of its receiver (a level already notified under
/// another receiver, before a reload changed it, counts as done: each level fires once).
fn level_done(inc: &Incident, i: usize, receiver: &str, receivers: &ReceiverTable) -> bool {
    let Some(rec) = inc.levels.get(&i) else {
        return receivers.get(receiver).is_none_or(Vec::is_empty);
    };
    if rec.receiver != receiver {
        return true;
    }
    receivers.get(receiver).is_none_or(|ints| {
        ints.iter().all(|(index, c)| rec.firing_sent.contains(&Slot { kind: c.kind(), index: *index }))
    })
}

/// The escalation part of a flush (`alerts`: the group's alerts after the filtering stages).
/// While the group fires: every due level's integrations not yet notified, unless acknowledged.
/// When it has resolved (regular flushes only): the resolved notification for every escalated
/// integration with send_resolved that has not had it.
pub fn plan_levels(
    batch: &FlushBatch,
    key: &GroupKey,
    alerts: &[&Alert],
    ctx: &FlushContext<'_>,
    acked: bool,
) -> Vec<Planned> {
    let Some(inc) = ctx.escalations.get(key) else { return Vec::new() };
    let now = batch.now;
    let mut out = Vec::new();
    let mut plan = |level: usize, receiver: &str, resolved: bool, pick: &dyn Fn(Slot, bool) -> bool| {
        let Some(integrations) = ctx.receivers.get(receiver) else { return };
        for (index, config) in integrations {
            let slot = Slot { kind: config.kind(), index: *index };
            let send_resolved = config.send_resolved();
            if !pick(slot, send_resolved) {
                continue;
            }
            let sent: Vec<&Alert> = alerts.iter().copied().filter(|a| send_resolved || !a.resolved_at(now)).collect();
            out.push(Planned {
                notification: Some(build(batch, &sent, receiver, config, *index, ctx.external_url)),
                record: Record::Escalation(Sent {
                    group: key.clone(),
                    level,
                    receiver: receiver.to_string(),
                    slot,
                    resolved,
                }),
            });
        }
    };
    if alerts.iter().any(|a| !a.resolved_at(now)) {
        let Some(p) = policy(ctx.policies, &inc.policy) else { return Vec::new() };
        if acked {
            return Vec::new();
        }
        for (i, level) in p.levels.iter().enumerate() {
            if inc.started_at.saturating_add(level.after_ms) > now {
                break;
            }
            let rec = inc.levels.get(&i);
            if rec.is_some_and(|r| r.receiver != level.receiver) {
                continue;
            }
            plan(i, &level.receiver, false, &|slot, _| rec.is_none_or(|r| !r.firing_sent.contains(&slot)));
        }
    } else if batch.kind == FlushKind::Regular {
        for (i, rec) in &inc.levels {
            plan(*i, &rec.receiver, true, &|slot, send_resolved| {
                send_resolved && rec.firing_sent.contains(&slot) && !rec.resolved_sent.contains(&slot)
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::EscalationLevel;
    use crate::matchers::{Matchers, parse_matchers};

    fn policies() -> Vec<EscalationPolicy> {
        vec![
            EscalationPolicy {
                name: "pager-only".into(),
                matchers: Matchers(parse_matchers("severity=critical").unwrap()),
                receivers: vec!["pager".into()],
                levels: vec![EscalationLevel { after_ms: 1000, receiver: "boss".into() }],
            },
            EscalationPolicy {
                name: "critical".into(),
                matchers: Matchers(parse_matchers("severity=critical").unwrap()),
                receivers: vec![],
                levels: vec![
                    EscalationLevel { after_ms: 15 * 60_000, receiver: "lead".into() },
                    EscalationLevel { after_ms: 30 * 60_000, receiver: "boss".into() },
                ],
            },
        ]
    }

    fn alert(labels: &str) -> Alert {
        Alert {
            labels: parse_matchers(labels).unwrap().into_iter().map(|m| (m.name, m.value)).collect(),
            annotations: Default::default(),
            starts_at: 0,
            ends_at: i64::MAX,
            generator_url: String::new(),
            updated_at: 0,
            timeout: false,
        }
    }

    fn key(receiver: &str) -> GroupKey {
        GroupKey { group_key: "{}:{}".into(), receiver: receiver.into() }
    }

    fn table() -> ReceiverTable {
        let cfg = crate::config::load_str(
            "route:\n  receiver: team\nreceivers:\n  - name: team\n  - name: pager\n  - name: lead\n    webhook_configs: [{url: 'http://x/l'}]\n  - name: boss\n    webhook_configs: [{url: 'http://x/b'}]\n    slack_configs: [{api_url: 'http://x/s'}]\n",
            "t.yml",
        )
        .unwrap();
        crate::notify::receiver_table(&cfg.receivers)
    }

    #[test]
    fn the_first_covering_policy_is_chosen_on_common_labels() {
        let mut e = Escalations::default();
        let (crit, warn) = (alert("severity=critical, i=1"), alert("severity=warning, i=2"));
        assert!(!e.begin(&key("team"), &[&crit, &warn], &policies(), 5), "mixed severities: no common label");
        assert!(e.begin(&key("team"), &[&crit], &policies(), 5));
        assert_eq!(e.get(&key("team")).unwrap().policy, "critical");
        assert!(!e.begin(&key("team"), &[&crit], &policies(), 9), "an incident begins once");
        assert!(e.begin(&key("pager"), &[&crit], &policies(), 5));
        assert_eq!(e.get(&key("pager")).unwrap().policy, "pager-only", "receivers narrow a policy");
    }

    #[test]
    fn next_due_walks_the_ladder_and_respects_acks_and_wake_ups() {
        let (p, t) = (policies(), table());
        let mut e = Escalations::default();
        let k = key("team");
        e.begin(&k, &[&alert("severity=critical")], &p, 0);
        assert_eq!(e.next_due(&k, &p, &t, None), Some(15 * 60_000));
        let ack = |expires_at| Ack { by: "a".into(), comment: String::new(), at: 0, expires_at };
        assert_eq!(e.next_due(&k, &p, &t, Some(&ack(None))), None);
        assert_eq!(e.next_due(&k, &p, &t, Some(&ack(Some(3_600_000)))), Some(3_600_000));
        let lead = Slot { kind: IntegrationKind::Webhook, index: 0 };
        e.record(&Sent { group: k.clone(), level: 0, receiver: "lead".into(), slot: lead, resolved: false }, 900_000);
        assert_eq!(e.next_due(&k, &p, &t, None), Some(30 * 60_000));
        // Only one of boss's two integrations got through: still due, but not woken again.
        let hook = Slot { kind: IntegrationKind::Webhook, index: 0 };
        e.record(&Sent { group: k.clone(), level: 1, receiver: "boss".into(), slot: hook, resolved: false }, 1_800_000);
        e.mark_woken(&k, 1_800_000);
        assert_eq!(e.next_due(&k, &p, &t, None), None);
        let slack = Slot { kind: IntegrationKind::Slack, index: 0 };
        e.record(
            &Sent { group: k.clone(), level: 1, receiver: "boss".into(), slot: slack, resolved: false },
            2_100_000,
        );
        assert_eq!(e.next_due(&k, &p, &t, None), None, "the ladder is done");
        let v = e.view(&k, &p).unwrap();
        assert_eq!(
            v.levels.iter().map(|l| (l.level, l.notified_at)).collect::<Vec<_>>(),
            vec![(1, Some(900_000)), (2, Some(1_800_000))]
        );
        assert!(e.end(&k));
        assert!(e.get(&k).is_none());
    }

    #[test]
    fn snapshot_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let mut e = Escalations::default();
        e.begin(&key("team"), &[&alert("severity=critical")], &policies(), 7);
        e.save(dir.path()).unwrap();
        assert!(!e.is_dirty());
        let (back, err) = Escalations::load(dir.path());
        assert!(err.is_none());
        assert_eq!(back.get(&key("team")).unwrap().started_at, 7);
    }
}
