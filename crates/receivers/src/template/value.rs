//! Alertmanager's template data (`template.Data`) as a template value: `.Receiver .Status
//! .Alerts .GroupLabels .CommonLabels .CommonAnnotations .ExternalURL`, and per alert `.Status
//! .Labels .Annotations .StartsAt .EndsAt .GeneratorURL .Fingerprint`. The values carry Go's
//! type names so the methods registered in `funcs.rs` (`SortedPairs`, `Firing`, `Format`…)
//! apply to them.

use std::sync::Arc;

use templates::{Struct, Value};

use super::funcs::{ALERT_TYPE, DATA_TYPE};
use crate::data::{AlertData, NotificationData};
use crate::gotime::millis_to_nanos;

fn labels(set: &alerting::labels::LabelSet) -> Value {
    Value::Labels(Arc::new(set.clone()))
}

fn strukt(type_name: &str, fields: Vec<(&str, Value)>) -> Value {
    Value::Struct(Arc::new(Struct {
        type_name: Arc::from(type_name),
        fields: fields.into_iter().map(|(k, v)| (Arc::from(k), v)).collect(),
    }))
}

/// One alert as `template.Alert`.
pub fn alert_value(a: &AlertData) -> Value {
    strukt(
        ALERT_TYPE,
        vec![
            ("Status", Value::str(a.status.as_str())),
            ("Labels", labels(&a.labels)),
            ("Annotations", labels(&a.annotations)),
            ("StartsAt", Value::Time(millis_to_nanos(Some(a.starts_at_ms)))),
            ("EndsAt", Value::Time(millis_to_nanos(a.ends_at_ms))),
            ("GeneratorURL", Value::str(&a.generator_url)),
            ("Fingerprint", Value::str(&a.fingerprint)),
        ],
    )
}

/// The whole notification as `template.Data`.
pub fn template_data(d: &NotificationData) -> Value {
    let alerts: Vec<Value> = d.alerts.iter().map(alert_value).collect();
    strukt(
        DATA_TYPE,
        vec![
            ("Receiver", Value::from(d.quoted_receiver())),
            ("Status", Value::str(d.status().as_str())),
            ("Alerts", Value::List(Arc::from(alerts))),
            ("GroupLabels", labels(&d.group_labels)),
            ("CommonLabels", labels(&d.common_labels())),
            ("CommonAnnotations", labels(&d.common_annotations())),
            ("ExternalURL", Value::str(&d.external_url)),
        ],
    )
}
