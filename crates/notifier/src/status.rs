//! The data of `/api/v1/alertmanagers`, shaped as Prometheus's API returns it.

use serde::Serialize;

/// One Alertmanager in the API answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlertmanagerUrl {
    pub url: String,
}

/// `{"activeAlertmanagers":[{"url":…}],"droppedAlertmanagers":[{"url":…}]}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertmanagersStatus {
    /// Alertmanagers alerts are sent to.
    pub active_alertmanagers: Vec<AlertmanagerUrl>,
    /// Discovered Alertmanagers that `relabel_configs` dropped.
    pub dropped_alertmanagers: Vec<AlertmanagerUrl>,
}

impl AlertmanagersStatus {
    pub fn new(active: Vec<String>, dropped: Vec<String>) -> Self {
        AlertmanagersStatus {
            active_alertmanagers: active.into_iter().map(|url| AlertmanagerUrl { url }).collect(),
            dropped_alertmanagers: dropped.into_iter().map(|url| AlertmanagerUrl { url }).collect(),
        }
    }
}
