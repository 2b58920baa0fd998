//! JSON output in the Prometheus API's exact shapes, written directly into a string (large
//! range results would otherwise go through an intermediate tree).

use std::fmt::Write;

use promql::{QueryResult, Value};
use tsdb::Labels;

/// A float as the API writes sample values: Go's `FormatFloat(v, 'f', -1, 64)`, with
/// `NaN`, `+Inf` and `-Inf`.
pub fn float(v: f64) -> String {
    telemetry::format_float(v)
}

/// A timestamp in seconds with at most millisecond digits, as a JSON number.
pub fn timestamp(out: &mut String, t_ms: i64) {
    let secs = t_ms.div_euclid(1000);
    let ms = t_ms.rem_euclid(1000);
    let _ = write!(out, "{secs}");
    if ms != 0 {
        let frac = format!("{ms:03}");
        let _ = write!(out, ".{}", frac.trim_end_matches('0'));
    }
}

pub fn string(out: &mut String, s: &str) {
    // serde_json escapes exactly as JSON requires; it cannot fail for a str.
    out.push_str(&serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into()));
}

pub fn labels(out: &mut String, l: &Labels) {
    out.push('{');
    for (i, x) in l.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        string(out, &x.name);
        out.push(':');
        string(out, &x.value);
    }
    out.push('}');
}

fn point(out: &mut String, t: i64, v: f64) {
    out.push('[');
    timestamp(out, t);
    out.push_str(",\"");
    out.push_str(&float(v));
    out.push_str("\"]");
}

fn string_list(out: &mut String, key: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    let _ = write!(out, ",\"{key}\":[");
    for (i, s) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        string(out, s);
    }
    out.push(']');
}

/// The success envelope of `/api/v1/query` and `/api/v1/query_range`.
/// Query statistics answered with `stats=all`, in Prometheus's field names (Grafana and
/// Vigil's explore page show them).
#[derive(Debug, Clone, Copy)]
pub struct QueryStats {
    /// Seconds waiting for a query slot.
    pub queue_seconds: f64,
    /// Seconds evaluating.
    pub eval_seconds: f64,
}

pub fn query_result(r: &QueryResult, stats: Option<QueryStats>) -> String {
    let mut out = String::with_capacity(256);
    out.push_str("{\"status\":\"success\",\"data\":{\"resultType\":\"");
    out.push_str(r.value.kind().as_str());
    out.push_str("\",\"result\":");
    match &r.value {
        Value::Scalar { t, v } => point(&mut out, *t, *v),
        Value::String { t, s } => {
            out.push('[');
            timestamp(&mut out, *t);
            out.push(',');
            string(&mut out, s);
            out.push(']');
        }
        Value::Vector(samples) => {
            out.push('[');
            for (i, s) in samples.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str("{\"metric\":");
                labels(&mut out, &s.labels);
                out.push_str(",\"value\":");
                point(&mut out, s.t, s.v);
                out.push('}');
            }
            out.push(']');
        }
        Value::Matrix(series) => {
            out.push('[');
            for (i, s) in series.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str("{\"metric\":");
                labels(&mut out, &s.labels);
                out.push_str(",\"values\":[");
                for (j, p) in s.points.iter().enumerate() {
                    if j > 0 {
                        out.push(',');
                    }
                    point(&mut out, p.t, p.v);
                }
                out.push_str("]}");
            }
            out.push(']');
        }
    }
    if let Some(st) = stats {
        use std::fmt::Write as _;
        let total = st.queue_seconds + st.eval_seconds;
        let _ = write!(
            out,
            ",\"stats\":{{\"timings\":{{\"evalTotalTime\":{e},\"resultSortTime\":0,\"queryPreparationTime\":0,\"innerEvalTime\":{e},\"execQueueTime\":{q},\"execTotalTime\":{total}}},\"samples\":{{\"totalQueryableSamples\":{n}}}}}",
            e = st.eval_seconds,
            q = st.queue_seconds,
            n = r.samples_loaded,
        );
    }
    out.push('}');
    string_list(&mut out, "warnings", &r.warnings);
    string_list(&mut out, "infos", &r.infos);
    out.push('}');
    out
}

/// `{"status":"success","data":<data>}` around an already encoded value.
pub fn success(data: &str) -> String {
    format!("{{\"status\":\"success\",\"data\":{data}}}")
}

/// The error envelope.
pub fn error(error_type: &str, message: &str) -> String {
    let mut out = String::from("{\"status\":\"error\",\"errorType\":");
    string(&mut out, error_type);
    out.push_str(",\"error\":");
    string(&mut out, message);
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use promql::InstantSample;

    #[test]
    fn floats_and_times() {
        assert_eq!(float(1.0), "1");
        assert_eq!(float(0.1), "0.1");
        assert_eq!(float(1e21), "1000000000000000000000");
        assert_eq!(float(f64::NAN), "NaN");
        assert_eq!(float(f64::NEG_INFINITY), "-Inf");
        let mut s = String::new();
        timestamp(&mut s, 1_435_781_451_781);
        assert_eq!(s, "1435781451.781");
        s.clear();
        timestamp(&mut s, 1_435_781_451_100);
        assert_eq!(s, "1435781451.1");
        s.clear();
        timestamp(&mut s, 5_000);
        assert_eq!(s, "5");
    }

    #[test]
    fn vector_envelope() {
        let labels = Labels::from_pairs(&[("__name__", "up"), ("job", "a\"b")]).expect("labels");
        let r = QueryResult {
            value: Value::Vector(vec![InstantSample { labels, t: 1_000, v: 1.5 }]),
            warnings: vec!["w".into()],
            infos: vec![],
            samples_loaded: 1,
        };
        assert_eq!(
            query_result(&r, None),
            r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","job":"a\"b"},"value":[1,"1.5"]}]},"warnings":["w"]}"#
        );
    }
}
