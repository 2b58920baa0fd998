//! Query limits on the running binary: too many samples and timeouts end in clear errors
//! with the flag to change, and are counted on `/metrics`.

mod common;

use std::time::{SystemTime, UNIX_EPOCH};

use common::*;
use serde_json::Value as Json;

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_millis() as i64
}

fn api(v: &Vigil, path: &str) -> (u16, Json) {
    let r = get(v.addr, path).expect("request");
    (r.status, serde_json::from_slice(&r.body).unwrap_or(Json::Null))
}

/// 20 series with a sample every 15 s over the last hour.
fn load(v: &Vigil) -> i64 {
    let end = now_ms() - 1_000;
    let names: Vec<String> = (0..20).map(|i| format!("host-{i}")).collect();
    let series: Vec<BorrowedSeries<'_>> = names
        .iter()
        .map(|n| {
            (
                vec![("__name__", "load_test"), ("host", n.as_str())],
                (0..240).map(|i| (end - (239 - i) * 15_000, i as f64)).collect(),
            )
        })
        .collect();
    let r = write_v1(v.addr, &series);
    assert_eq!(r.status / 100, 2, "write: {}", r.text());
    end
}

#[test]
fn too_many_samples_is_a_clear_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let v = Vigil::start(&tmp.path().join("data"), &["--query.max-samples=1000"]);
    let end = load(&v) as f64 / 1000.0;
    // 20 series × 20 samples in 5 minutes fit.
    let (status, small) = api(&v, &format!("/api/v1/query?query=count_over_time(load_test%5B5m%5D)&time={end}"));
    assert_eq!(status, 200, "{small}");
    assert_eq!(small["data"]["result"].as_array().map(Vec::len), Some(20));
    // 20 × 240 samples do not.
    let (status, big) = api(&v, &format!("/api/v1/query?query=count_over_time(load_test%5B1h%5D)&time={end}"));
    assert_eq!(status, 422, "{big}");
    assert_eq!(big["errorType"], "execution");
    let msg = big["error"].as_str().unwrap_or("");
    assert!(msg.contains("too many samples") && msg.contains("--query.max-samples"), "{msg}");
    assert_eq!(v.metric("vigil_queries_total{result=\"execution\"}"), Some(1.0));
    assert_eq!(v.metric("vigil_queries_total{result=\"success\"}"), Some(1.0));
    v.stop();
}

#[test]
fn timeouts_are_reported_as_timeout() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let v = Vigil::start(&tmp.path().join("data"), &["--query.timeout=1ms"]);
    let end = load(&v) as f64 / 1000.0;
    // 11,000 steps over 20 series cannot finish within a millisecond.
    let start = end - 10_999.0;
    let path = format!("/api/v1/query_range?query=sum(rate(load_test%5B5m%5D))&start={start}&end={end}&step=1");
    let (status, body) = api(&v, &path);
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["errorType"], "timeout");
    assert!(body["error"].as_str().unwrap_or("").contains("--query.timeout"), "{body}");
    assert_eq!(v.metric("vigil_queries_total{result=\"timeout\"}"), Some(1.0));
    // The per-request timeout parameter may shorten the limit but never lengthen it.
    let (status, body) = api(&v, &format!("{path}&timeout=5m"));
    assert_eq!(status, 503, "{body}");
    v.stop();
}

#[test]
fn errors_name_the_problem() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let v = Vigil::start(&tmp.path().join("data"), &[]);
    let cases = [
        (
            "/api/v1/query?query=sum(ml_predictions_correct_total%5B24h%5D)",
            "write sum(increase(ml_predictions_correct_total[24h]))",
        ),
        ("/api/v1/query?query=rate(http_requests_total)", "rate() expects a range vector"),
        ("/api/v1/query?query=sum(rate(x%5B5m%5D)", "1:"),
        ("/api/v1/query?query=limitk(1,%20up)", "--enable-feature=promql-experimental-functions"),
        ("/api/v1/query?query=up&time=tomorrow", "invalid parameter \"time\""),
        ("/api/v1/query_range?query=up&start=10&end=0&step=1", "end timestamp must not be before start time"),
    ];
    for (path, want) in cases {
        let (status, body) = api(&v, path);
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["errorType"], "bad_data", "{path}");
        let msg = body["error"].as_str().unwrap_or("");
        assert!(msg.contains(want), "{path}: {msg:?} lacks {want:?}");
    }
    v.stop();
}
