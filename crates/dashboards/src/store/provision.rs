//! Provisioned dashboards in the store: replaced as a whole at start-up and on every reload,
//! kept in memory, read-only unless their provider allows UI updates.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{DashboardStore, Inner, json_str, same_title, stamp, unused_uid};
use crate::error::{FolderError, SaveError};
use crate::model::{Dashboard, Origin, Provisioning, tags_of};
use crate::{persist, uid};

/// A dashboard read from a provisioning file, ready for [`DashboardStore::replace_provisioned`].
#[derive(Debug, Clone)]
pub struct ProvisionedDashboard {
    pub json: Map<String, Value>,
    pub folder: FolderTarget,
    pub provisioning: Provisioning,
}

/// The folder a provisioned dashboard goes into; created when missing.
#[derive(Debug, Clone, PartialEq)]
pub enum FolderTarget {
    General,
    /// A folder by title, with the uid to give it when it must be created.
    Named {
        uid: Option<String>,
        title: String,
    },
}

impl DashboardStore {
    /// Replaces every provisioned dashboard with `items` (start-up and reload). A dashboard
    /// that keeps its uid keeps its id, and its version unless its JSON changed. Items that
    /// cannot be placed (no title, bad or repeated uid, folder cannot be created) are logged
    /// and skipped.
    pub fn replace_provisioned(&self, items: Vec<ProvisionedDashboard>, now_ms: i64) {
        let mut inner = self.lock();
        let previous = std::mem::take(&mut inner.provisioned);
        for item in items {
            let where_ = format!("{} (provider {:?})", item.provisioning.external_id, item.provisioning.provider);
            match self.place_provisioned(&mut inner, &previous, item, now_ms) {
                Ok(d) => {
                    if inner.saved.contains_key(&d.uid) {
                        tracing::warn!(uid = %d.uid, file = %where_, "provisioned dashboard hides a saved dashboard with the same uid");
                    }
                    inner.provisioned.insert(d.uid.clone(), d);
                }
                Err(reason) => tracing::error!(file = %where_, error = %reason, "skipping provisioned dashboard"),
            }
        }
        let ids: BTreeMap<String, i64> = inner.provisioned.values().map(|d| (d.uid.clone(), d.id)).collect();
        if ids != inner.provisioned_ids {
            match persist::write_provisioned_ids(&self.dir, &ids) {
                Ok(()) => inner.provisioned_ids = ids,
                Err(e) => tracing::error!(error = %e, "cannot record the ids of provisioned dashboards"),
            }
        }
    }

    fn place_provisioned(
        &self,
        inner: &mut Inner,
        previous: &BTreeMap<String, Dashboard>,
        item: ProvisionedDashboard,
        now_ms: i64,
    ) -> Result<Dashboard, String> {
        let mut json = item.json;
        let title = json_str(&json, "title").map(str::trim).unwrap_or_default().to_string();
        if title.is_empty() {
            return Err(SaveError::TitleEmpty.to_string());
        }
        let uid = match json_str(&json, "uid").filter(|u| !u.is_empty()) {
            Some(u) => {
                uid::validate(u).map_err(|e| e.to_string())?;
                u.to_string()
            }
            None => uid::stable(&format!("{}/{}", item.provisioning.provider, item.provisioning.external_id)),
        };
        if inner.provisioned.contains_key(&uid) {
            return Err(format!("uid {uid:?} is already provisioned by another file"));
        }
        let folder_uid = match item.folder {
            FolderTarget::General => String::new(),
            FolderTarget::Named { uid: folder_uid, title: folder_title } => {
                self.ensure_folder(inner, folder_uid, folder_title, now_ms).map_err(|e| e.to_string())?
            }
        };
        if inner.provisioned.values().any(|d| d.folder_uid == folder_uid && same_title(&d.title, &title)) {
            return Err(format!("{} (title {title:?})", SaveError::NameExists));
        }
        let before = previous.get(&uid).or_else(|| inner.saved.get(&uid)).cloned();
        let id = match (&before, inner.provisioned_ids.get(&uid)) {
            (Some(b), _) => b.id,
            (None, Some(id)) => *id,
            (None, None) => self.allocate_id(inner).map_err(|e| e.to_string())?,
        };
        let unchanged = previous.get(&uid).filter(|p| {
            let mut again = json.clone();
            stamp(&mut again, p.id, &p.uid, p.version);
            again == p.json && p.folder_uid == folder_uid
        });
        let (version, updated_ms) = match (unchanged, &before) {
            (Some(p), _) => (p.version, p.updated_ms),
            (None, Some(b)) => (b.version + 1, now_ms),
            (None, None) => (1, now_ms),
        };
        stamp(&mut json, id, &uid, version);
        Ok(Dashboard {
            id,
            uid,
            title,
            version,
            folder_uid,
            tags: tags_of(&json),
            created_ms: before.as_ref().map_or(now_ms, |b| b.created_ms),
            updated_ms,
            json,
            origin: Origin::Provisioned(item.provisioning),
        })
    }

    /// The uid of the folder with this uid or else this title, created when neither exists.
    fn ensure_folder(
        &self,
        inner: &mut Inner,
        uid: Option<String>,
        title: String,
        now_ms: i64,
    ) -> Result<String, FolderError> {
        if let Some(u) = uid.as_deref().filter(|u| !u.is_empty()) {
            if let Some(f) = inner.folder(u) {
                return Ok(f.uid.clone());
            }
            uid::validate(u)?;
        } else if let Some(f) = inner.folders.iter().find(|f| f.title == title) {
            return Ok(f.uid.clone());
        }
        let uid = uid.filter(|u| !u.is_empty()).unwrap_or_else(|| unused_uid(inner));
        Ok(self.insert_folder(inner, uid, title, now_ms)?.uid)
    }
}
