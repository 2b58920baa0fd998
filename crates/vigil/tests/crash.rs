//! Crash test: a client remote-writes while the server is `kill -9`ed at random moments. With
//! `--storage.wal.fsync=always`, every acknowledged sample must be present after restart, with
//! its exact value, and nothing may be duplicated or invented.
//!
//! Cycles: `VIGIL_CRASH_CYCLES` (default 20; `scripts/crash-test.sh` runs more).

mod common;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;

const SERIES: usize = 40;

/// The value written for series `s` at step `k`: checkable after the fact.
fn value(s: usize, k: i64) -> f64 {
    (s as f64) * 1e6 + k as f64 * 0.5
}

/// A seeded pseudo-random sequence (SplitMix64): reproducible kill timings from
/// `VIGIL_CRASH_SEED` without a dependency.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[test]
fn acknowledged_writes_survive_kill_9() {
    let cycles: usize = std::env::var("VIGIL_CRASH_CYCLES").ok().and_then(|v| v.parse().ok()).unwrap_or(20);
    let seed: u64 = std::env::var("VIGIL_CRASH_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(7);
    let mut rng = SplitMix64(seed);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    // step -> acknowledged; a step is one request holding every series' sample at t = step*1000.
    let acked: Arc<Mutex<Vec<i64>>> = Arc::new(Mutex::new(Vec::new()));
    let mut next_step: i64 = 1;
    for cycle in 0..cycles {
        let v = Vigil::start(
            &dir,
            &[
                "--storage.wal.fsync=always",
                "--storage.tsdb.min-block-duration=20s",
                "--storage.maintenance-interval=300ms",
            ],
        );
        let stop = Arc::new(AtomicBool::new(false));
        let writer = {
            let (addr, stop, acked) = (v.addr, stop.clone(), acked.clone());
            let first = next_step;
            std::thread::spawn(move || {
                let mut step = first;
                while !stop.load(Ordering::Relaxed) {
                    let names: Vec<String> = (0..SERIES).map(|s| format!("{s:02}")).collect();
                    let batch: Vec<BorrowedSeries<'_>> = (0..SERIES)
                        .map(|s| {
                            (vec![("__name__", "crash"), ("s", names[s].as_str())], vec![(step * 1000, value(s, step))])
                        })
                        .collect();
                    match std::panic::catch_unwind(|| write_v1(addr, &batch)) {
                        Ok(r) if r.status == 204 => acked.lock().unwrap().push(step),
                        _ => break, // connection refused or cut: the server is gone
                    }
                    step += 1;
                }
                step
            })
        };
        std::thread::sleep(Duration::from_millis(rng.below(370) + 30));
        v.kill9();
        stop.store(true, Ordering::Relaxed);
        next_step = writer.join().unwrap_or(next_step) + 1;

        // Verify on the stopped directory.
        let rows = dump(&dir, "crash");
        let mut by_series: BTreeMap<String, Vec<(i64, f64)>> = BTreeMap::new();
        for (series, v, t) in rows {
            by_series.entry(series).or_default().push((t, v));
        }
        let acked_now = acked.lock().unwrap().clone();
        for s in 0..SERIES {
            let key = format!("crash{{s=\"{s:02}\"}}");
            let got = by_series.get(&key).cloned().unwrap_or_default();
            assert!(
                got.windows(2).all(|w| w[0].0 < w[1].0),
                "cycle {cycle}: {key} has unsorted or duplicate timestamps"
            );
            for (t, val) in &got {
                assert_eq!(*val, value(s, t / 1000), "cycle {cycle}: {key} at {t} has a corrupted value");
            }
            let present: std::collections::HashSet<i64> = got.iter().map(|(t, _)| t / 1000).collect();
            let missing: Vec<i64> = acked_now.iter().copied().filter(|k| !present.contains(k)).collect();
            assert!(missing.is_empty(), "cycle {cycle}: {key} lost acknowledged steps {missing:?}");
        }
    }
    let total = acked.lock().unwrap().len();
    assert!(total > cycles, "too few acknowledged writes ({total}) for the test to mean anything");
    eprintln!("crash test: {cycles} kill -9 cycles, {total} acknowledged requests, none lost");
}
