//! Fixtures shared by the integration tests: the alert data and query results that the
//! golden file was verified with against promtool 2.42.

#![allow(dead_code)]

use templates::{AlertTemplateData, LabelPairs, QueryRunner, QuerySample};

pub fn labels(pairs: &[(&str, &str)]) -> LabelPairs {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// The alert's labels in every golden case.
pub fn alert_labels() -> LabelPairs {
    labels(&[("instance", "host.example.com:9090"), ("job", "node")])
}

pub fn external_labels() -> LabelPairs {
    labels(&[("cluster", "eu1")])
}

pub const EXTERNAL_URL: &str = "http://prom.example.com:9090/prom/";

pub fn data<'a>(labels: &'a LabelPairs, external: &'a LabelPairs, value: f64) -> AlertTemplateData<'a> {
    AlertTemplateData { labels, external_labels: external, external_url: EXTERNAL_URL, value }
}

/// Answers the queries used by the tests; series come in the runner's order, as in Prometheus.
pub struct FakeQueries;

impl QueryRunner for FakeQueries {
    fn query(&self, expr: &str, _time_ms: i64) -> Result<Vec<QuerySample>, templates::QueryRunnerError> {
        let up = |instance: &str, job: &str, value: f64| QuerySample {
            labels: labels(&[("__name__", "up"), ("instance", instance), ("job", job)]),
            value,
        };
        match expr {
            "up" => Ok(vec![
                up("host.example.com:9090", "node", 1.0),
                up("b.example.com:9100", "api", 0.0),
                up("a.example.com:9100", "db", 1.0),
            ]),
            "up{job='node'}" => Ok(vec![up("host.example.com:9090", "node", 1.0)]),
            "scalar(up{job='node'})" => Ok(vec![QuerySample { labels: LabelPairs::new(), value: 1.0 }]),
            "nothing" => Ok(vec![]),
            other => Err(format!("unexpected query {other:?}").into()),
        }
    }
}
