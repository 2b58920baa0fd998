//! Entry points shared by the `cargo fuzz` targets and the tests that replay their corpora:
//! whatever the input, parsing and evaluation must return (an answer or an error), never
//! panic, and stay within the limits.

use std::sync::LazyLock;
use std::time::Duration;

use tsdb::{Labels, Sample};

use crate::{Engine, EngineOptions, Limits, MemStorage};

static STORAGE: LazyLock<MemStorage> = LazyLock::new(|| {
    let s = MemStorage::new();
    for (i, (name, job)) in
        [("up", "a"), ("up", "b"), ("http_requests_total", "a"), ("x_bucket", "a")].iter().enumerate()
    {
        for le in ["0.1", "1", "+Inf"] {
            let mut pairs = vec![("__name__", *name), ("job", *job)];
            if name.ends_with("_bucket") {
                pairs.push(("le", le));
            }
            let Ok(labels) = Labels::from_pairs(&pairs) else { continue };
            s.add(labels, (0..60).map(|k| Sample { t: k * 15_000, v: (k * (i as i64 + 1)) as f64 }));
            if !name.ends_with("_bucket") {
                break;
            }
        }
    }
    s
});

fn engine() -> Engine {
    Engine::new(EngineOptions {
        enable_experimental_functions: true,
        limits: Limits { timeout: Duration::from_secs(2), max_samples: 200_000 },
        ..EngineOptions::default()
    })
}

/// Parses `data` as a query and, if it parses, evaluates it as an instant and a range query.
pub fn query(data: &[u8]) {
    let Ok(q) = std::str::from_utf8(data) else { return };
    if q.len() > 2_000 {
        return;
    }
    let e = engine();
    let _ = e.instant(&*STORAGE, q, 600_000);
    let _ = e.range(&*STORAGE, q, 0, 900_000, 30_000);
}

/// Parses `data` as a promqltest script.
pub fn script(data: &[u8]) {
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = crate::promqltest::parse_script(s);
    }
}
