//! Grafana dashboards for Vigil: the store behind Grafana's dashboard HTTP API (saved in
//! `<data dir>/dashboards/`), Grafana's file provisioning, and the built-in overview.
//!
//! This crate owns the files in `<data dir>/dashboards/` and every decision about them (ids,
//! uids, versions, conflicts); it knows nothing of HTTP, and never touches the TSDB.

pub mod builtin;
mod error;
pub mod model;
pub mod persist;
pub mod provisioning;
pub mod slug;
mod store;
pub mod uid;

pub use error::{DeleteError, FolderError, OpenError, SaveError};
pub use model::{Dashboard, Folder, GENERAL_FOLDER_TITLE, Origin, Provisioning};
pub use provisioning::{Provider, ProvisioningError};
pub use store::{
    DEFAULT_SEARCH_LIMIT, DashboardStore, FolderTarget, Hit, HitKind, MAX_SEARCH_LIMIT, ProvisionedDashboard,
    SaveRequest, SearchQuery,
};

/// Everything to provision: the built-in dashboards and those of the providers in `dir`
/// (`--dashboards.provisioning-dir`), if given. Fails only on a bad provider file.
pub fn provisioned_dashboards(dir: Option<&std::path::Path>) -> Result<Vec<ProvisionedDashboard>, ProvisioningError> {
    let mut all = builtin::dashboards();
    if let Some(dir) = dir {
        let providers = provisioning::read_providers(dir)?;
        all.extend(provisioning::load_dashboards(&providers));
    }
    Ok(all)
}

#[cfg(test)]
mod tests;
