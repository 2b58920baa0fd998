//! `GET /api/search` and `/api/dashboards/tags` over the store, with Grafana's filters,
//! order (folders first, then title ignoring case) and paging.

use std::collections::BTreeMap;

use super::DashboardStore;
use crate::model::{Dashboard, Folder};

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
    /// Folder ids (Grafana's older `folderIds`); 0 is the root folder.
    pub folder_ids: Vec<i64>,
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
            folder_ids: Vec::new(),
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

impl DashboardStore {
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
        let folder_id = |f: &str| if f.is_empty() { Some(0) } else { inner.folder(f).map(|f| f.id) };
        let in_folders = |f: &str| {
            let by_uid = q.folder_uids.iter().any(|x| x == f || (f.is_empty() && (x == "general" || x.is_empty())));
            let by_id = folder_id(f).is_some_and(|id| q.folder_ids.contains(&id));
            (q.folder_uids.is_empty() && q.folder_ids.is_empty()) || by_uid || by_id
        };
        let mut hits = Vec::new();
        let folder_filter = !q.folder_uids.is_empty() || !q.folder_ids.is_empty();
        if q.kind != Some(HitKind::Dashboard) && q.tags.is_empty() && !folder_filter {
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
