//! Property tests of the engine: results agree with brute-force oracles written here, and an
//! instant query at `t` agrees with the same query's range evaluation at step `t`.

use std::collections::BTreeMap;

use promql::{Engine, EngineOptions, MemStorage, Value};
use proptest::prelude::*;
use tsdb::{Labels, Sample};

const STEP: i64 = 15_000;

/// Series `m{g, i}` with one value per 15 s step (None = no sample).
fn storage(values: &[Vec<Option<f64>>]) -> MemStorage {
    let s = MemStorage::new();
    for (i, vals) in values.iter().enumerate() {
        let (g, idx) = (format!("g{}", i % 3), i.to_string());
        let labels = Labels::from_pairs(&[("__name__", "m"), ("g", &g), ("i", &idx)]).expect("labels");
        s.add(labels, vals.iter().enumerate().filter_map(|(k, v)| v.map(|v| Sample { t: k as i64 * STEP, v })));
    }
    s
}

fn engine() -> Engine {
    Engine::new(EngineOptions { enable_experimental_functions: true, ..EngineOptions::default() })
}

fn vector(v: Value) -> BTreeMap<String, f64> {
    match v {
        Value::Vector(s) => s.into_iter().map(|x| (x.labels.to_string(), x.v)).collect(),
        other => panic!("expected a vector, got {other:?}"),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

fn data() -> impl Strategy<Value = Vec<Vec<Option<f64>>>> {
    prop::collection::vec(prop::collection::vec(prop::option::weighted(0.85, -1e6f64..1e6), 1..30), 1..8)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// `sum/min/max/count/avg by (g)` equal a direct computation over the latest samples.
    #[test]
    fn aggregations_match_oracle(values in data(), at_step in 0usize..30) {
        let s = storage(&values);
        let t = at_step as i64 * STEP;
        // Oracle: each series' latest sample within the 5m lookback (left-open).
        let mut groups: BTreeMap<String, Vec<f64>> = BTreeMap::new();
        for (i, vals) in values.iter().enumerate() {
            let latest = vals.iter().enumerate().rev().find(|(k, v)| {
                let ts = *k as i64 * STEP;
                v.is_some() && ts <= t && ts > t - 300_000
            });
            if let Some((_, Some(v))) = latest {
                groups.entry(format!("{{g=\"g{}\"}}", i % 3)).or_default().push(*v);
            }
        }
        for (agg, f) in [
            ("sum", (|v: &[f64]| v.iter().sum::<f64>()) as fn(&[f64]) -> f64),
            ("min", |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min)),
            ("max", |v: &[f64]| v.iter().copied().fold(f64::NEG_INFINITY, f64::max)),
            ("count", |v: &[f64]| v.len() as f64),
            ("avg", |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64),
        ] {
            let got = vector(engine().instant(&s, &format!("{agg} by (g) (m)"), t).expect("query").value);
            prop_assert_eq!(got.len(), groups.len(), "{} groups", agg);
            for (g, vals) in &groups {
                let want = f(vals);
                let have = got.get(g).copied().unwrap_or(f64::NAN);
                prop_assert!(close(want, have), "{} for {}: want {} got {}", agg, g, want, have);
            }
        }
    }

    /// Any query's instant result at a step equals the range result at that step.
    #[test]
    fn instant_equals_range_step(
        values in data(),
        query in prop::sample::select(vec![
            "m", "sum by (g) (m)", "rate(m[1m])", "increase(m[2m])", "delta(m[1m])", "deriv(m[2m])",
            "max_over_time(m[1m])", "avg_over_time(m[3m])", "topk(2, m)", "m > 0", "m + on(i) group_left m",
            "sum(rate(m[2m])) by (g) / sum(m) by (g)", "max_over_time(sum(m)[2m:30s])", "quantile(0.3, m)",
            "stddev(m)", "resets(m[5m])", "changes(m[5m])", "m offset 1m", "count_values(\"v\", m > 1e5)",
            "absent(nope)", "label_replace(m, \"x\", \"$1\", \"i\", \"(.*)\")", "-m", "abs(m) % 7",
        ]),
        step in 1usize..20,
    ) {
        let s = storage(&values);
        let e = engine();
        let t = step as i64 * STEP;
        let instant = e.instant(&s, query, t);
        let range = e.range(&s, query, t - 2 * STEP, t + 2 * STEP, STEP);
        match (instant, range) {
            (Ok(i), Ok(r)) => {
                let i = vector(i.value);
                let Value::Matrix(series) = r.value else { panic!("range query returned no matrix") };
                let at_t: BTreeMap<String, f64> = series
                    .iter()
                    .filter_map(|s| s.points.iter().find(|p| p.t == t).map(|p| (s.labels.to_string(), p.v)))
                    .collect();
                prop_assert_eq!(i.keys().collect::<Vec<_>>(), at_t.keys().collect::<Vec<_>>(), "{}", query);
                for (k, v) in &i {
                    prop_assert!(close(*v, at_t[k]), "{} {}: instant {} range {}", query, k, v, at_t[k]);
                }
            }
            (Err(a), Err(b)) => prop_assert_eq!(a.error_type(), b.error_type()),
            (i, r) => prop_assert!(false, "{}: instant {:?} vs range {:?}", query, i.map(|_| ()), r.map(|_| ())),
        }
    }
}

/// Ranges longer than one storage read span (2 h) are read span by span; the joins must not
/// lose or duplicate a step.
#[test]
fn long_ranges_match_instant_queries() {
    let s = MemStorage::new();
    for i in 0..3 {
        let labels = Labels::from_pairs(&[("__name__", "m"), ("i", &i.to_string())]).expect("labels");
        // 6 h at 15 s, with a 20-minute gap around the 2 h mark.
        s.add(
            labels,
            (0..1440).filter(|k| !(470..550).contains(k)).map(|k| Sample { t: k * STEP, v: (k * (i + 1)) as f64 }),
        );
    }
    let e = engine();
    for query in ["m", "timestamp(m)", "sum(m)", "rate(m[5m])"] {
        let r = e.range(&s, query, 0, 6 * 3_600_000, 7 * 60_000).expect("range");
        let Value::Matrix(series) = r.value else { panic!("matrix expected") };
        let mut steps = 0;
        for t in (0..=6 * 3_600_000).step_by(7 * 60_000) {
            let i = vector(e.instant(&s, query, t).expect("instant").value);
            let at_t: BTreeMap<String, f64> = series
                .iter()
                .filter_map(|x| x.points.iter().find(|p| p.t == t).map(|p| (x.labels.to_string(), p.v)))
                .collect();
            assert_eq!(i.len(), at_t.len(), "{query} at {t}");
            for (k, v) in &i {
                assert!(close(*v, at_t[k]), "{query} {k} at {t}: instant {v} range {}", at_t[k]);
            }
            steps += 1;
        }
        assert!(steps > 50);
        for x in &series {
            assert!(x.points.windows(2).all(|w| w[0].t < w[1].t), "{query}: steps out of order or repeated");
        }
    }
}
