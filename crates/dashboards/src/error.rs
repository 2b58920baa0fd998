//! Why the store refuses a request. Messages are Grafana's wording, because scripts written
//! against Grafana match on them; the HTTP layer picks the status code.

use crate::persist::PersistError;
use crate::uid::UidError;

/// A save refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error("Dashboard title cannot be empty")]
    TitleEmpty,
    #[error(transparent)]
    Uid(#[from] UidError),
    /// `dashboard.id` names no dashboard.
    #[error("Dashboard not found")]
    NotFound,
    /// `folderUid` / `folderId` names no folder.
    #[error("Folder not found")]
    FolderNotFound,
    /// `dashboard.id` names one dashboard and `dashboard.uid` another.
    #[error("A dashboard with the same uid already exists")]
    SameUidExists,
    #[error("A dashboard with the same name in the folder already exists")]
    NameExists,
    #[error("The dashboard has been changed by someone else")]
    VersionMismatch,
    #[error("Cannot save provisioned dashboard")]
    CannotSaveProvisioned,
    #[error("cannot store the dashboard: {0}")]
    Storage(#[from] PersistError),
}

/// A delete refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum DeleteError {
    #[error("Dashboard not found")]
    NotFound,
    #[error("provisioned dashboard cannot be deleted")]
    Provisioned,
    #[error("cannot delete the dashboard: {0}")]
    Storage(#[from] PersistError),
}

/// A folder creation refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    #[error("folder title cannot be empty")]
    TitleEmpty,
    #[error(transparent)]
    Uid(#[from] UidError),
    #[error("a folder/dashboard with the same uid already exists")]
    SameUidExists,
    #[error("a folder or dashboard in the general folder with the same name already exists")]
    SameNameExists,
    #[error("cannot store the folder: {0}")]
    Storage(#[from] PersistError),
}

/// The store could not be opened at all (its directory cannot be created or listed).
#[derive(Debug, thiserror::Error)]
#[error("cannot open the dashboard store: {0}")]
pub struct OpenError(#[from] pub PersistError);
