//! The dashboard store: an in-memory index over the files in `<data dir>/dashboards/`, plus
//! the provisioned dashboards (kept in memory only, re-read from their files; `provision`).
//! All decisions Grafana's save API makes (create or update, version and name conflicts) are
//! made here; `search` answers `/api/search`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use serde_json::{Map, Value};

use crate::error::{DeleteError, FolderError, OpenError, SaveError};
use crate::model::{Dashboard, Folder, Origin, tags_of};
use crate::persist::{self, DashboardFile, FolderRecord, PersistError};
use crate::slug::slugify;
use crate::uid;

mod provision;
mod search;

pub use provision::{FolderTarget, ProvisionedDashboard};
pub use search::{DEFAULT_SEARCH_LIMIT, Hit, HitKind, MAX_SEARCH_LIMIT, SearchQuery};

/// A save through the API (`POST /api/dashboards/db`), already parsed from JSON.
#[derive(Debug, Clone, Default)]
pub struct SaveRequest {
    pub dashboard: Map<String, Value>,
    /// Replace whatever is there: no version or same-name check.
    pub overwrite: bool,
    /// Target folder by uid; takes precedence over `folder_id`. `""` is General.
    pub folder_uid: Option<String>,
    /// Target folder by numeric id (Grafana's older field); 0 is General.
    pub folder_id: Option<i64>,
    pub message: String,
}

/// Grafana dashboards kept in one directory. Cheap to share behind an `Arc`; every method
/// takes the lock for its whole decision, so concurrent saves are ordered.
pub struct DashboardStore {
    dir: PathBuf,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    saved: BTreeMap<String, Dashboard>,
    /// Provisioned dashboards, shadowing a saved one with the same uid.
    provisioned: BTreeMap<String, Dashboard>,
    folders: Vec<Folder>,
    next_id: i64,
    /// Ids of the provisioned dashboards by uid, persisted so they keep their ids across
    /// restarts as they do in Grafana's database.
    provisioned_ids: BTreeMap<String, i64>,
}

impl Inner {
    fn get(&self, uid: &str) -> Option<&Dashboard> {
        self.provisioned.get(uid).or_else(|| self.saved.get(uid))
    }

    /// Every visible dashboard (a provisioned one hides a saved one with its uid).
    fn visible(&self) -> impl Iterator<Item = &Dashboard> {
        self.provisioned.values().chain(self.saved.values().filter(|d| !self.provisioned.contains_key(&d.uid)))
    }

    fn by_id(&self, id: i64) -> Option<&Dashboard> {
        self.visible().find(|d| d.id == id)
    }

    fn folder(&self, uid: &str) -> Option<&Folder> {
        self.folders.iter().find(|f| f.uid == uid)
    }
}

fn json_str<'a>(json: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    json.get(key).and_then(Value::as_str)
}

/// A positive integer field (`id`, `version`); null, absent, 0 or not a number are `None`.
fn json_int(json: &Map<String, Value>, key: &str) -> Option<i64> {
    json.get(key).and_then(Value::as_i64).filter(|n| *n > 0)
}

fn stamp(json: &mut Map<String, Value>, id: i64, uid: &str, version: i64) {
    json.insert("id".into(), Value::from(id));
    json.insert("uid".into(), Value::from(uid));
    json.insert("version".into(), Value::from(version));
}

impl DashboardStore {
    /// Opens (creating it if needed) the store in `dir`. Damaged files are logged with their
    /// path and skipped: a bad file never stops Vigil from starting.
    pub fn open(dir: &Path) -> Result<Self, OpenError> {
        std::fs::create_dir_all(dir).map_err(|source| PersistError::Io { path: dir.to_path_buf(), source })?;
        persist::remove_leftover_temp_files(dir);
        let mut inner = Inner::default();
        for file in persist::read_all_dashboards(dir)? {
            match file {
                Ok(f) => {
                    let dashboard = from_file(f);
                    inner.saved.insert(dashboard.uid.clone(), dashboard);
                }
                Err(e) => tracing::error!(error = %e, "skipping damaged dashboard file"),
            }
        }
        match persist::read_folders(dir) {
            Ok(folders) => inner.folders = folders.into_iter().map(folder_from_record).collect(),
            Err(e) => {
                tracing::error!(error = %e, "skipping damaged folders file; folders start empty");
                persist::move_aside(&dir.join(persist::FOLDERS_FILE));
            }
        }
        inner.provisioned_ids = persist::read_provisioned_ids(dir).unwrap_or_else(|e| {
            tracing::error!(error = %e, "skipping damaged provisioned-ids file; provisioned dashboards get new ids");
            BTreeMap::new()
        });
        let persisted = persist::read_next_id(dir).unwrap_or_else(|e| {
            tracing::error!(error = %e, "skipping damaged id counter; continuing after the largest id in use");
            None
        });
        let largest = inner
            .saved
            .values()
            .map(|d| d.id)
            .chain(inner.folders.iter().map(|f| f.id))
            .chain(inner.provisioned_ids.values().copied())
            .max()
            .unwrap_or(0);
        inner.next_id = persisted.unwrap_or(1).max(largest + 1);
        tracing::info!(dir = %dir.display(), dashboards = inner.saved.len(), folders = inner.folders.len(), "dashboard store opened");
        Ok(DashboardStore { dir: dir.to_path_buf(), inner: Mutex::new(inner) })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes the next numeric id and persists the counter first, so an id is never given
    /// twice even if the process dies right after.
    fn allocate_id(&self, inner: &mut Inner) -> Result<i64, PersistError> {
        let id = inner.next_id;
        persist::write_next_id(&self.dir, id + 1)?;
        inner.next_id = id + 1;
        Ok(id)
    }

    /// The dashboard with this uid.
    pub fn get(&self, uid: &str) -> Option<Dashboard> {
        self.lock().get(uid).cloned()
    }

    /// The folder with this uid.
    pub fn folder(&self, uid: &str) -> Option<Folder> {
        self.lock().folder(uid).cloned()
    }

    /// Every folder, by title.
    pub fn folders(&self) -> Vec<Folder> {
        let mut folders = self.lock().folders.clone();
        folders.sort_by_key(|f| f.title.to_lowercase());
        folders
    }

    /// Saves a dashboard with Grafana's rules: `dashboard.id` or `dashboard.uid` naming an
    /// existing dashboard makes an update, which must carry its current `version` unless
    /// `overwrite`; a title already used in the folder is refused unless `overwrite`, which
    /// then replaces that dashboard.
    pub fn save(&self, req: SaveRequest, now_ms: i64) -> Result<Dashboard, SaveError> {
        let mut json = req.dashboard;
        let title = json_str(&json, "title").map(str::trim).unwrap_or_default().to_string();
        if title.is_empty() {
            return Err(SaveError::TitleEmpty);
        }
        let given_uid = json_str(&json, "uid").filter(|u| !u.is_empty()).map(str::to_string);
        if let Some(u) = &given_uid {
            uid::validate(u)?;
        }
        let given_id = json_int(&json, "id");
        let given_version = json.get("version").and_then(Value::as_i64).unwrap_or(0);

        let mut inner = self.lock();
        let folder_uid = resolve_folder(&inner, req.folder_uid.as_deref(), req.folder_id)?;

        let by_id = match given_id {
            Some(id) => Some(inner.by_id(id).ok_or(SaveError::NotFound)?.clone()),
            None => None,
        };
        let by_uid = given_uid.as_deref().and_then(|u| inner.get(u)).cloned();
        let mut existing = match (by_id, by_uid) {
            (Some(a), Some(b)) if a.uid != b.uid => return Err(SaveError::SameUidExists),
            (a, b) => a.or(b),
        };
        // The dashboard named by id or uid must be savable and carry its current version.
        if let Some(old) = &existing {
            if !old.can_save() {
                return Err(SaveError::CannotSaveProvisioned);
            }
            if !req.overwrite && given_version != old.version {
                return Err(SaveError::VersionMismatch);
            }
        }
        // Then the name: another dashboard in the folder with the same title (compared by
        // slug, as Grafana does) refuses the save, or with `overwrite` becomes its target,
        // uid and all.
        let mut uid_from_request = given_uid.clone();
        let same_name = inner
            .visible()
            .find(|d| {
                d.folder_uid == folder_uid
                    && same_title(&d.title, &title)
                    && Some(&d.uid) != existing.as_ref().map(|e| &e.uid)
            })
            .cloned();
        if let Some(other) = same_name {
            if !req.overwrite {
                return Err(SaveError::NameExists);
            }
            if !other.can_save() {
                return Err(SaveError::CannotSaveProvisioned);
            }
            uid_from_request = None;
            existing = Some(other);
        }

        let (id, uid, version, created_ms, origin) = match &existing {
            Some(old) => (
                old.id,
                uid_from_request.unwrap_or_else(|| old.uid.clone()),
                old.version + 1,
                old.created_ms,
                old.origin.clone(),
            ),
            None => {
                let uid = match uid_from_request {
                    Some(u) => u,
                    None => unused_uid(&inner),
                };
                (self.allocate_id(&mut inner)?, uid, 1, now_ms, Origin::Saved)
            }
        };
        if existing.as_ref().is_some_and(|old| old.uid != uid) && inner.get(&uid).is_some() {
            return Err(SaveError::SameUidExists);
        }
        stamp(&mut json, id, &uid, version);
        let dashboard = Dashboard {
            id,
            uid: uid.clone(),
            title,
            version,
            folder_uid,
            tags: tags_of(&json),
            created_ms,
            updated_ms: now_ms,
            json,
            origin,
        };
        if matches!(dashboard.origin, Origin::Provisioned(_)) {
            // Kept in memory only: the provisioning file stays the source of truth.
            inner.provisioned.insert(uid, dashboard.clone());
            return Ok(dashboard);
        }
        persist::write_dashboard(&self.dir, &to_file(&dashboard, &req.message))?;
        if let Some(old) = existing.filter(|old| old.uid != uid) {
            persist::remove_durably(&persist::dashboard_path(&self.dir, &old.uid))?;
            inner.saved.remove(&old.uid);
        }
        inner.saved.insert(uid, dashboard.clone());
        Ok(dashboard)
    }

    /// Deletes a saved dashboard; provisioned ones are refused.
    pub fn delete(&self, uid: &str) -> Result<Dashboard, DeleteError> {
        let mut inner = self.lock();
        let found = inner.get(uid).ok_or(DeleteError::NotFound)?;
        if !found.can_delete() {
            return Err(DeleteError::Provisioned);
        }
        persist::remove_durably(&persist::dashboard_path(&self.dir, uid))?;
        inner.saved.remove(uid).ok_or(DeleteError::NotFound)
    }

    /// Creates a folder (`POST /api/folders`); the uid is generated when not given.
    pub fn create_folder(&self, uid: Option<&str>, title: &str, now_ms: i64) -> Result<Folder, FolderError> {
        let title = title.trim();
        if title.is_empty() {
            return Err(FolderError::TitleEmpty);
        }
        let mut inner = self.lock();
        let uid = match uid.filter(|u| !u.is_empty()) {
            Some(u) => {
                uid::validate(u)?;
                if inner.folder(u).is_some() || inner.get(u).is_some() {
                    return Err(FolderError::SameUidExists);
                }
                u.to_string()
            }
            None => unused_uid(&inner),
        };
        if inner.folders.iter().any(|f| f.title == title)
            || inner.visible().any(|d| d.folder_uid.is_empty() && d.title == title)
        {
            return Err(FolderError::SameNameExists);
        }
        self.insert_folder(&mut inner, uid, title.to_string(), now_ms)
    }

    fn insert_folder(&self, inner: &mut Inner, uid: String, title: String, now_ms: i64) -> Result<Folder, FolderError> {
        let id = self.allocate_id(inner)?;
        let folder = Folder { id, uid, title, version: 1, created_ms: now_ms, updated_ms: now_ms };
        let mut records: Vec<FolderRecord> = inner.folders.iter().map(folder_record).collect();
        records.push(folder_record(&folder));
        persist::write_folders(&self.dir, &records)?;
        inner.folders.push(folder.clone());
        Ok(folder)
    }
}

fn resolve_folder(inner: &Inner, folder_uid: Option<&str>, folder_id: Option<i64>) -> Result<String, SaveError> {
    match (folder_uid, folder_id) {
        (Some(u), _) if !u.is_empty() => inner.folder(u).map(|f| f.uid.clone()).ok_or(SaveError::FolderNotFound),
        (Some(_), _) | (None, None) => Ok(String::new()),
        (None, Some(id)) if id <= 0 => Ok(String::new()),
        (None, Some(id)) => {
            inner.folders.iter().find(|f| f.id == id).map(|f| f.uid.clone()).ok_or(SaveError::FolderNotFound)
        }
    }
}

/// Whether two titles clash in one folder: Grafana compares their slugs; titles without any
/// ASCII letter or digit (empty slug) are compared ignoring case instead.
fn same_title(a: &str, b: &str) -> bool {
    let (sa, sb) = (slugify(a), slugify(b));
    if sa.is_empty() || sb.is_empty() { a.to_lowercase() == b.to_lowercase() } else { sa == sb }
}

fn unused_uid(inner: &Inner) -> String {
    loop {
        let u = uid::generate();
        if inner.get(&u).is_none() && !inner.saved.contains_key(&u) && inner.folder(&u).is_none() {
            return u;
        }
    }
}

fn from_file(f: DashboardFile) -> Dashboard {
    let title = json_str(&f.dashboard, "title").unwrap_or_default().trim().to_string();
    Dashboard {
        id: f.id,
        uid: f.uid,
        title,
        version: f.version,
        folder_uid: f.folder_uid,
        tags: tags_of(&f.dashboard),
        created_ms: f.created,
        updated_ms: f.updated,
        json: f.dashboard,
        origin: Origin::Saved,
    }
}

fn to_file(d: &Dashboard, message: &str) -> DashboardFile {
    DashboardFile {
        format: persist::FORMAT,
        id: d.id,
        uid: d.uid.clone(),
        version: d.version,
        folder_uid: d.folder_uid.clone(),
        created: d.created_ms,
        updated: d.updated_ms,
        message: message.to_string(),
        dashboard: d.json.clone(),
    }
}

fn folder_from_record(r: FolderRecord) -> Folder {
    Folder { id: r.id, uid: r.uid, title: r.title, version: r.version, created_ms: r.created, updated_ms: r.updated }
}

fn folder_record(f: &Folder) -> FolderRecord {
    FolderRecord {
        id: f.id,
        uid: f.uid.clone(),
        title: f.title.clone(),
        version: f.version,
        created: f.created_ms,
        updated: f.updated_ms,
    }
}
