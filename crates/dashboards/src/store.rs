//! The dashboard store: an in-memory index over the files in `<data dir>/dashboards/`, plus
//! the provisioned dashboards (kept in memory only, re-read from their files). All decisions
//! Grafana's save API makes (create or update, version and name conflicts) are made here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use serde_json::{Map, Value};

use crate::error::{DeleteError, FolderError, OpenError, SaveError};
use crate::model::{Dashboard, Folder, Origin, Provisioning, tags_of};
use crate::persist::{self, DashboardFile, FolderRecord, PersistError};
use crate::slug::slugify;
use crate::uid;

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

/// What `GET /api/search` asks for.
#[derive(Debug, Clone)]
pub struct SearchQuery {
    /// Case-insensitive substring of the title.
    pub query: Option<String>,
    /// Every one of these tags must be on the dashboard.
    pub tags: Vec<String>,
    pub kind: Option<HitKind>,
    pub dashboard_uids: Vec<String>,
    /// Folder uids; `general` (or `""`) is the root folder.
    pub folder_uids: Vec<String>,
    pub limit: usize,
    /// 1-based.
    pub page: usize,
}

impl Default for SearchQuery {
    fn default() -> Self {
        SearchQuery {
            query: None,
            tags: Vec::new(),
            kind: None,
            dashboard_uids: Vec::new(),
            folder_uids: Vec::new(),
            limit: DEFAULT_SEARCH_LIMIT,
            page: 1,
        }
    }
}

/// Grafana's default page size for search.
pub const DEFAULT_SEARCH_LIMIT: usize = 1000;
/// Grafana's largest page size for search.
pub const MAX_SEARCH_LIMIT: usize = 5000;

/// The two kinds of search hits (`type=dash-db`, `type=dash-folder`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HitKind {
    Dashboard,
    Folder,
}

/// One search result, with the folder a dashboard is in (`None` for General).
#[derive(Debug, Clone, PartialEq)]
pub enum Hit {
    Dashboard { dashboard: Box<Dashboard>, folder: Option<Folder> },
    Folder(Folder),
}

impl Hit {
    fn title(&self) -> &str {
        match self {
            Hit::Dashboard { dashboard, .. } => &dashboard.title,
            Hit::Folder(f) => &f.title,
        }
    }
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

    /// Every distinct tag with the number of dashboards carrying it, by tag.
    pub fn tags(&self) -> Vec<(String, usize)> {
        let inner = self.lock();
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for d in inner.visible() {
            for t in &d.tags {
                *counts.entry(t.clone()).or_default() += 1;
            }
        }
        counts.into_iter().collect()
    }

    /// Grafana's search: folders first, then by title ignoring case; one page of `limit`.
    pub fn search(&self, q: &SearchQuery) -> Vec<Hit> {
        let inner = self.lock();
        let needle = q.query.as_deref().map(str::to_lowercase).filter(|n| !n.is_empty());
        let title_matches = |t: &str| needle.as_deref().is_none_or(|n| t.to_lowercase().contains(n));
        let uid_matches = |u: &str| q.dashboard_uids.is_empty() || q.dashboard_uids.iter().any(|x| x == u);
        let in_folders = |f: &str| {
            q.folder_uids.is_empty() || q.folder_uids.iter().any(|x| x == f || (f.is_empty() && x == "general"))
        };
        let mut hits = Vec::new();
        if q.kind != Some(HitKind::Dashboard) && q.tags.is_empty() && q.folder_uids.is_empty() {
            hits.extend(
                inner
                    .folders
                    .iter()
                    .filter(|f| title_matches(&f.title) && uid_matches(&f.uid))
                    .cloned()
                    .map(Hit::Folder),
            );
        }
        if q.kind != Some(HitKind::Folder) {
            hits.extend(
                inner
                    .visible()
                    .filter(|d| title_matches(&d.title) && uid_matches(&d.uid) && in_folders(&d.folder_uid))
                    .filter(|d| q.tags.iter().all(|t| d.tags.contains(t)))
                    .map(|d| Hit::Dashboard {
                        dashboard: Box::new(d.clone()),
                        folder: inner.folder(&d.folder_uid).cloned(),
                    }),
            );
        }
        hits.sort_by(|a, b| {
            let rank = |h: &Hit| matches!(h, Hit::Dashboard { .. });
            rank(a).cmp(&rank(b)).then_with(|| a.title().to_lowercase().cmp(&b.title().to_lowercase()))
        });
        let limit = q.limit.clamp(1, MAX_SEARCH_LIMIT);
        let skip = q.page.max(1).saturating_sub(1).saturating_mul(limit);
        hits.into_iter().skip(skip).take(limit).collect()
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
