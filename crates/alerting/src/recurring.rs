//! Recurring silences (alertmanager#517): a silence that comes back with every window of its
//! time intervals, e.g. a weekly maintenance window, configured under
//! `vigil.recurring_silences` ([`crate::config::vigil`]).
//!
//! Each window is **materialized** as an ordinary silence when it starts, so it mutes through
//! the same path as any silence and `amtool silence query` shows it: created by
//! `vigil:recurring/<name>`, with the configured comment and matchers, starting at the window's
//! first minute and ending at the first minute after it (silences include their end instant,
//! so that one millisecond is muted too). A window is the longest run of minutes that any of
//! the definition's intervals contains, so back-to-back intervals (Friday 22:00–24:00 and
//! Saturday 00:00–02:00) make one window across midnight. Windows longer than
//! [`MAX_WINDOW_MS`] are cut where a grid of that size laid from the Unix epoch crosses them,
//! so every cut is the same whenever it is computed.
//!
//! The silences store is the record of what was materialized: a window counts as done when a
//! silence of the definition with its matchers starts at the window's start (whatever happened
//! to it since — a silence someone expired early stays expired for that window, and one they
//! extended is left alone), or when such a silence is active through the window's end. So a
//! restart or reload never duplicates a window. A reload that removes a definition, or changes
//! its matchers, expires its active silences (then the new matchers are materialized); other
//! changes apply from the next window.

use std::collections::HashMap;

use crate::config::RecurringSilence;
use crate::silence::{Silence, SilenceState, Silences};
use crate::timeinterval::{TimeInterval, any_contains};

/// Prefix of `createdBy` on materialized silences; the definition's name follows.
pub const CREATED_BY_PREFIX: &str = "vigil:recurring/";

const MINUTE: i64 = 60_000;

/// Longest stretch one materialized silence covers (366 days).
pub const MAX_WINDOW_MS: i64 = 366 * 86_400_000;

/// `createdBy` of a definition's silences.
pub fn created_by(name: &str) -> String {
    format!("{CREATED_BY_PREFIX}{name}")
}

/// The window of `intervals` that contains `t`: `[start, end)` in whole minutes, or `None` when
/// `t` is outside every interval.
pub fn window_at(intervals: &[TimeInterval], t: i64) -> Option<(i64, i64)> {
    if !any_contains(intervals, t) {
        return None;
    }
    let minute = t.div_euclid(MINUTE) * MINUTE;
    let cell = t.div_euclid(MAX_WINDOW_MS) * MAX_WINDOW_MS;
    let mut start = minute;
    while start > cell && any_contains(intervals, start - MINUTE) {
        start -= MINUTE;
    }
    let mut end = minute + MINUTE;
    while end < cell + MAX_WINDOW_MS && any_contains(intervals, end) {
        end += MINUTE;
    }
    Some((start, end))
}

/// The configured definitions and which of their windows are settled.
#[derive(Debug, Default)]
pub struct Recurring {
    defs: Vec<RecurringSilence>,
    /// Per definition, the window last materialized (or found materialized): nothing to check
    /// until it is over.
    settled: HashMap<String, (i64, i64)>,
}

impl Recurring {
    pub fn new(defs: Vec<RecurringSilence>) -> Recurring {
        Recurring { defs, settled: HashMap::new() }
    }

    pub fn definitions(&self) -> &[RecurringSilence] {
        &self.defs
    }

    /// Expires the active or pending materialized silences whose definition is gone or has
    /// other matchers now; returns their ids.
    pub fn retire(&self, silences: &mut Silences, now: i64) -> Vec<String> {
        let stale: Vec<String> = silences
            .iter()
            .filter(|s| s.state(now) != SilenceState::Expired)
            .filter_map(|s| {
                let name = s.created_by.strip_prefix(CREATED_BY_PREFIX)?;
                let current = self.defs.iter().find(|d| d.name == name);
                current.is_none_or(|d| d.matchers != s.matchers).then(|| s.id.clone())
            })
            .collect();
        for id in &stale {
            if let Err(e) = silences.expire(id, now) {
                tracing::warn!(error = %e, silence = %id, "cannot expire a retired recurring silence");
            }
        }
        stale
    }

    /// Materializes the current window of every definition that is inside one and has no
    /// silence for it yet; returns the new silences' ids.
    pub fn sync(&mut self, silences: &mut Silences, now: i64) -> Vec<String> {
        let mut created = Vec::new();
        for def in &self.defs {
            if self.settled.get(&def.name).is_some_and(|(s, e)| *s <= now && now < *e) {
                continue;
            }
            let Some((start, end)) = window_at(&def.intervals, now) else { continue };
            let tag = created_by(&def.name);
            let done = silences.iter().any(|s| {
                s.created_by == tag
                    && s.matchers == def.matchers
                    && (s.starts_at == start || (s.state(now) == SilenceState::Active && s.ends_at >= end))
            });
            if !done {
                let sil = Silence {
                    id: String::new(),
                    matchers: def.matchers.clone(),
                    starts_at: start,
                    ends_at: end,
                    updated_at: now,
                    created_by: tag,
                    comment: def.comment.clone(),
                };
                match silences.add_internal(sil, now) {
                    Ok(id) => created.push(id),
                    Err(e) => {
                        tracing::error!(error = %e, recurring = %def.name, "cannot materialize a recurring silence");
                    }
                }
            }
            self.settled.insert(def.name.clone(), (start, end));
        }
        created
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::civil::days_from_civil;

    const H: i64 = 3_600_000;
    const DAY: i64 = 24 * H;

    fn intervals(yaml: &str) -> Vec<TimeInterval> {
        serde_saphyr::from_str(yaml).unwrap()
    }

    /// Monday 2024-05-06 00:00 UTC.
    fn monday() -> i64 {
        days_from_civil(2024, 5, 6) * DAY
    }

    #[test]
    fn weekend_window_bounds() {
        let weekend = intervals("- weekdays: [saturday, sunday]\n");
        let sat = monday() + 5 * DAY;
        assert_eq!(window_at(&weekend, sat - 1), None);
        assert_eq!(window_at(&weekend, sat), Some((sat, sat + 2 * DAY)));
        assert_eq!(window_at(&weekend, sat + DAY + 13 * H + 59_999), Some((sat, sat + 2 * DAY)));
        assert_eq!(window_at(&weekend, sat + 2 * DAY), None);
    }

    #[test]
    fn adjacent_intervals_make_one_window_across_midnight() {
        let night = intervals(
            "- weekdays: [friday]\n  times: [{start_time: '22:00', end_time: '24:00'}]\n- weekdays: [saturday]\n  times: [{start_time: '00:00', end_time: '02:00'}]\n",
        );
        let fri = monday() + 4 * DAY;
        let want = Some((fri + 22 * H, fri + 26 * H));
        assert_eq!(window_at(&night, fri + 23 * H), want);
        assert_eq!(window_at(&night, fri + 25 * H), want);
        assert_eq!(window_at(&night, fri + 26 * H), None);
    }

    #[test]
    fn windows_follow_their_time_zone() {
        if crate::tz::Location::load("Europe/Berlin").is_err() {
            return; // no zoneinfo on this machine
        }
        let local = intervals("- times: [{start_time: '02:00', end_time: '03:00'}]\n  location: Europe/Berlin\n");
        // 02:00 CEST is 00:00 UTC in May.
        let t = monday() + 30 * 60_000;
        assert_eq!(window_at(&local, t), Some((monday(), monday() + H)));
    }

    #[test]
    fn endless_windows_are_cut_on_a_fixed_grid() {
        let always = intervals("- {}\n");
        let t = monday() + 17 * 60_000 + 5;
        let (s, e) = window_at(&always, t).unwrap();
        assert_eq!(e - s, MAX_WINDOW_MS);
        assert_eq!(s % MAX_WINDOW_MS, 0);
        assert_eq!(window_at(&always, t + DAY), Some((s, e)), "the same cut from anywhere inside it");
        assert_eq!(window_at(&always, e).map(|w| w.0), Some(e));
    }

    fn def(name: &str, matchers: &str, yaml: &str) -> RecurringSilence {
        let mut m = crate::matchers::Matchers(crate::matchers::parse_matchers(matchers).unwrap());
        m.sort();
        RecurringSilence {
            name: name.into(),
            matchers: m,
            intervals: intervals(yaml),
            interval_names: vec![],
            comment: "maintenance".into(),
        }
    }

    #[test]
    fn materializes_once_per_window_and_retires_removed_definitions() {
        let dir = tempfile::tempdir().unwrap();
        let mut silences = Silences::new(Some(dir.path()), crate::silence::DEFAULT_RETENTION_MS);
        let weekend = "- weekdays: [saturday, sunday]\n";
        let mut r = Recurring::new(vec![def("weekend", "env=staging", weekend)]);
        let sat = monday() + 5 * DAY;
        assert!(r.sync(&mut silences, sat - 1).is_empty());
        let ids = r.sync(&mut silences, sat);
        assert_eq!(ids.len(), 1);
        let s = silences.get(&ids[0]).unwrap().clone();
        assert_eq!((s.starts_at, s.ends_at), (sat, sat + 2 * DAY));
        assert_eq!(s.created_by, "vigil:recurring/weekend");
        assert_eq!(s.comment, "maintenance");
        assert!(r.sync(&mut silences, sat + H).is_empty());
        // A new instance (restart, reload) finds the window done, even after someone expired it.
        silences.expire(&ids[0], sat + 2 * H).unwrap();
        let (mut reloaded, _) = Silences::load(dir.path(), crate::silence::DEFAULT_RETENTION_MS);
        let mut r2 = Recurring::new(vec![def("weekend", "env=staging", weekend)]);
        assert!(r2.sync(&mut reloaded, sat + 3 * H).is_empty());
        // Next weekend: a new silence.
        assert_eq!(r2.sync(&mut reloaded, sat + 7 * DAY + H).len(), 1);
        assert_eq!(reloaded.len(), 2);
        // Changed matchers: the active one is expired and the new matchers materialized.
        let r3 = Recurring::new(vec![def("weekend", "env=qa", weekend)]);
        assert_eq!(r3.retire(&mut reloaded, sat + 7 * DAY + 2 * H).len(), 1);
        let mut r3 = r3;
        assert_eq!(r3.sync(&mut reloaded, sat + 7 * DAY + 2 * H).len(), 1);
        // Removed: expired.
        let gone = Recurring::new(vec![]);
        assert_eq!(gone.retire(&mut reloaded, sat + 7 * DAY + 3 * H).len(), 1);
        assert!(reloaded.iter().all(|s| s.state(sat + 7 * DAY + 3 * H + 1) == SilenceState::Expired));
    }
}
