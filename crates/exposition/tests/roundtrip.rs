//! Property test: random metric families rendered in both formats parse back exactly.

use exposition::{Entry, Exemplar, Format, MetricType, Parser, parse_series};
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Family {
    name: String,
    help: String,
    kind: MetricType,
    unit: bool,
    samples: Vec<Row>,
}

#[derive(Debug, Clone)]
struct Row {
    labels: Vec<(String, String)>,
    value: f64,
    /// Milliseconds; whole quarter seconds so OpenMetrics' float seconds are exact.
    ts: Option<i64>,
    exemplar: Option<(String, f64)>,
}

fn text_value() -> impl Strategy<Value = String> {
    // Backslashes, quotes, newlines, other escapes, non-ASCII.
    proptest::collection::vec(
        prop_oneof![
            Just('\\'),
            Just('"'),
            Just('\n'),
            Just('n'),
            Just('t'),
            Just('é'),
            Just('日'),
            Just(' '),
            any::<char>()
        ],
        0..8,
    )
    .prop_map(|v| v.into_iter().collect())
}

fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(0.0),
        Just(-0.0),
        any::<f64>().prop_filter("finite", |v| v.is_finite()),
        (-1_000_000i64..1_000_000).prop_map(|v| v as f64),
    ]
}

fn row() -> impl Strategy<Value = Row> {
    (
        proptest::collection::btree_map("[a-zA-Z_][a-zA-Z0-9_]{0,6}", text_value(), 0..4),
        value(),
        proptest::option::of(0i64..4_000_000_000),
        proptest::option::of(("[a-z]{1,5}", -1000i32..1000)),
    )
        .prop_map(|(labels, value, ts, ex)| Row {
            labels: labels.into_iter().filter(|(k, _)| k != "__name__").collect(),
            value,
            ts: ts.map(|q| q * 250),
            exemplar: ex.map(|(v, x)| (v, f64::from(x) / 4.0)),
        })
}

fn family() -> impl Strategy<Value = Family> {
    (
        "[a-zA-Z_:][a-zA-Z0-9_:]{0,10}",
        text_value(),
        prop_oneof![Just(MetricType::Counter), Just(MetricType::Gauge), Just(MetricType::Unknown)],
        any::<bool>(),
        proptest::collection::vec(row(), 0..4),
    )
        .prop_map(|(name, help, kind, unit, samples)| Family { name, help, kind, unit, samples })
}

fn render_value(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v == f64::INFINITY {
        "+Inf".into()
    } else if v == f64::NEG_INFINITY {
        "-Inf".into()
    } else {
        format!("{v:?}")
    }
}

fn escape(s: &str, quote: bool) -> String {
    let mut o = String::new();
    for c in s.chars() {
        match c {
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '"' if quote => o.push_str("\\\""),
            c => o.push(c),
        }
    }
    o
}

/// The sample name of a family's rows in the format (OpenMetrics counters end in `_total`).
fn sample_name(f: &Family, om: bool) -> String {
    if om && f.kind == MetricType::Counter { format!("{}_total", f.name) } else { f.name.clone() }
}

fn render(fams: &[Family], om: bool) -> String {
    let mut out = String::new();
    for f in fams {
        out.push_str(&format!("# HELP {} {}\n", f.name, escape(&f.help, om)));
        let kind = if !om && f.kind == MetricType::Unknown { "untyped" } else { f.kind.as_str() };
        out.push_str(&format!("# TYPE {} {kind}\n", f.name));
        if om && f.unit {
            out.push_str(&format!("# UNIT {}_bytes bytes\n", f.name));
        }
        for r in &f.samples {
            let labels: Vec<String> = r.labels.iter().map(|(k, v)| format!("{k}=\"{}\"", escape(v, true))).collect();
            out.push_str(&format!("{}{{{}}} {}", sample_name(f, om), labels.join(","), render_value(r.value)));
            match (r.ts, om) {
                (Some(ms), true) => out.push_str(&format!(" {}", ms as f64 / 1000.0)),
                (Some(ms), false) => out.push_str(&format!(" {ms}")),
                (None, _) => {}
            }
            if let (true, MetricType::Counter, Some((v, x))) = (om, f.kind, &r.exemplar) {
                out.push_str(&format!(" # {{trace_id=\"{v}\"}} {x}"));
            }
            out.push('\n');
        }
    }
    if om {
        out.push_str("# EOF\n");
    }
    out
}

fn same(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a.to_bits() == b.to_bits()
}

fn check(fams: &[Family], om: bool) -> Result<(), TestCaseError> {
    let body = render(fams, om);
    let format = if om { Format::OpenMetrics } else { Format::Text };
    let entries: Vec<Entry<'_>> = Parser::new(body.as_bytes(), format)
        .collect::<Result<_, _>>()
        .map_err(|e| TestCaseError::fail(format!("{e}\n{body}")))?;
    let mut it = entries.into_iter();
    let mut labels = Vec::new();
    for f in fams {
        prop_assert_eq!(it.next(), Some(Entry::Help { metric: &f.name, text: f.help.clone().into() }));
        prop_assert_eq!(it.next(), Some(Entry::Type { metric: &f.name, kind: f.kind }));
        if om && f.unit {
            let m = format!("{}_bytes", f.name);
            prop_assert_eq!(it.next(), Some(Entry::Unit { metric: &m, unit: "bytes" }));
        }
        for r in &f.samples {
            let Some(Entry::Sample(s)) = it.next() else { return Err(TestCaseError::fail("missing sample")) };
            let name = parse_series(s.series, &mut labels).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let want_name = sample_name(f, om);
            prop_assert_eq!(name.as_ref(), want_name.as_str());
            let got: Vec<(String, String)> = labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
            prop_assert_eq!(&got, &r.labels);
            prop_assert!(same(s.value, r.value), "{} vs {}", s.value, r.value);
            prop_assert_eq!(s.timestamp_ms, r.ts);
            let want_ex = match (om, f.kind, &r.exemplar) {
                (true, MetricType::Counter, Some((v, x))) => {
                    Some(Exemplar { labels: vec![("trace_id".into(), v.clone())], value: *x, timestamp_ms: None })
                }
                _ => None,
            };
            prop_assert_eq!(s.exemplar, want_ex);
        }
    }
    prop_assert_eq!(it.next(), None);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn families_round_trip_in_both_formats(fams in proptest::collection::vec(family(), 0..5)) {
        check(&fams, false)?;
        check(&fams, true)?;
    }
}
