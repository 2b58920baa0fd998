//! What the store holds: dashboards, folders, and where a dashboard came from.

use serde_json::{Map, Value};

use crate::slug::slugify;

/// Title of the root folder, as Grafana names it.
pub const GENERAL_FOLDER_TITLE: &str = "General";

/// A dashboard in the store.
#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    pub id: i64,
    pub uid: String,
    pub title: String,
    pub version: i64,
    /// `""` is the General (root) folder.
    pub folder_uid: String,
    pub tags: Vec<String>,
    /// Milliseconds since the Unix epoch.
    pub created_ms: i64,
    /// Milliseconds since the Unix epoch.
    pub updated_ms: i64,
    /// The dashboard JSON as saved, `id`, `uid` and `version` set to the values above.
    pub json: Map<String, Value>,
    pub origin: Origin,
}

impl Dashboard {
    /// The slug of the title (`/d/<uid>/<slug>`).
    pub fn slug(&self) -> String {
        slugify(&self.title)
    }

    /// Grafana's URL of the dashboard.
    pub fn url(&self) -> String {
        format!("/d/{}/{}", self.uid, self.slug())
    }

    /// Whether the HTTP API may change it.
    pub fn can_save(&self) -> bool {
        match &self.origin {
            Origin::Saved => true,
            Origin::Provisioned(p) => p.allow_ui_updates,
        }
    }

    /// Whether the HTTP API may delete it.
    pub fn can_delete(&self) -> bool {
        matches!(self.origin, Origin::Saved)
    }

    /// Provisioning details, for provisioned dashboards.
    pub fn provisioning(&self) -> Option<&Provisioning> {
        match &self.origin {
            Origin::Saved => None,
            Origin::Provisioned(p) => Some(p),
        }
    }
}

/// Where a dashboard came from, which decides whether the API may change it.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    /// Saved through the HTTP API and kept in the data directory.
    Saved,
    /// Read from a provisioning file (or built in); re-read at start and reload.
    Provisioned(Provisioning),
}

/// How a provisioned dashboard was provisioned.
#[derive(Debug, Clone, PartialEq)]
pub struct Provisioning {
    /// The provider's `name`.
    pub provider: String,
    /// The provider's `allowUiUpdates`: the API may save it (in memory, until the next read
    /// of the files).
    pub allow_ui_updates: bool,
    /// The file, relative to the provider's path (Grafana's `provisionedExternalId`).
    pub external_id: String,
}

/// A folder.
#[derive(Debug, Clone, PartialEq)]
pub struct Folder {
    pub id: i64,
    pub uid: String,
    pub title: String,
    pub version: i64,
    pub created_ms: i64,
    pub updated_ms: i64,
}

impl Folder {
    /// Grafana's URL of the folder.
    pub fn url(&self) -> String {
        format!("/dashboards/f/{}/{}", self.uid, slugify(&self.title))
    }
}

/// The tags of a dashboard JSON (`tags`, strings only).
pub fn tags_of(json: &Map<String, Value>) -> Vec<String> {
    match json.get("tags") {
        Some(Value::Array(a)) => a.iter().filter_map(|t| t.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}
