//! Store behaviour: persistence, Grafana's save rules, search and provisioning.

use std::path::Path;

use serde_json::{Map, Value, json};

use crate::*;

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        other => panic!("not an object: {other}"),
    }
}

fn req(v: Value) -> SaveRequest {
    SaveRequest { dashboard: obj(v), ..SaveRequest::default() }
}

fn open(dir: &Path) -> DashboardStore {
    DashboardStore::open(dir).unwrap()
}

#[test]
fn create_assigns_id_uid_version_and_persists_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let a = store.save(req(json!({"title": "First", "tags": ["x"], "panels": [{"id": 1}]})), 1000).unwrap();
    let b = store.save(req(json!({"id": null, "title": "Second", "uid": "given-uid"})), 2000).unwrap();
    assert_eq!((a.id, a.version, a.created_ms, a.updated_ms), (1, 1, 1000, 1000));
    assert_eq!((b.id, b.uid.as_str()), (2, "given-uid"));
    assert_eq!(a.json["uid"], a.uid.as_str());
    assert_eq!(a.json["id"], 1);
    assert_eq!(a.json["version"], 1);
    assert_eq!(a.tags, vec!["x"]);
    assert_eq!(a.url(), format!("/d/{}/first", a.uid));
    drop(store);

    let store = open(dir.path());
    assert_eq!(store.get(&a.uid), Some(a.clone()));
    assert_eq!(store.get("given-uid"), Some(b));
    // Ids keep counting after a reopen.
    let c = store.save(req(json!({"title": "Third"})), 3000).unwrap();
    assert_eq!(c.id, 3);
}

#[test]
fn ids_are_not_reused_after_delete_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let a = store.save(req(json!({"title": "A"})), 0).unwrap();
    let b = store.save(req(json!({"title": "B"})), 0).unwrap();
    store.delete(&b.uid).unwrap();
    drop(store);
    let store = open(dir.path());
    assert_eq!(store.save(req(json!({"title": "C"})), 0).unwrap().id, b.id + 1);
    assert!(store.get(&a.uid).is_some() && store.get(&b.uid).is_none());
    assert!(!dir.path().join(format!("{}.json", b.uid)).exists());
}

#[test]
fn damaged_files_are_skipped_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let good = store.save(req(json!({"title": "Good"})), 0).unwrap();
    drop(store);
    std::fs::write(dir.path().join("broken.json"), b"{\"format\": 1, \"id\": ").unwrap();
    std::fs::write(dir.path().join("wrong.json"), b"[]").unwrap();
    std::fs::write(dir.path().join("folders.state"), b"garbage").unwrap();
    std::fs::write(dir.path().join("next-id.state"), b"garbage").unwrap();
    let store = open(dir.path());
    assert_eq!(store.get(&good.uid).map(|d| d.title), Some("Good".into()));
    assert!(store.get("broken").is_none());
    assert_eq!(std::fs::read(dir.path().join("folders.state.corrupt")).unwrap(), b"garbage");
    // The counter is rebuilt from the ids in use.
    assert_eq!(store.save(req(json!({"title": "Next"})), 0).unwrap().id, good.id + 1);
}

#[test]
fn update_needs_the_current_version_unless_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let a = store.save(req(json!({"title": "A", "uid": "a"})), 10).unwrap();
    let a2 = store.save(req(json!({"title": "A", "uid": "a", "version": 1, "panels": []})), 20).unwrap();
    assert_eq!((a2.id, a2.version, a2.created_ms, a2.updated_ms), (a.id, 2, 10, 20));
    // Stale version.
    let stale = store.save(req(json!({"title": "A", "uid": "a", "version": 1})), 30);
    assert!(matches!(stale, Err(SaveError::VersionMismatch)), "{stale:?}");
    // Creating (no id) with an existing uid and no version is a conflict too, as in Grafana.
    let again = store.save(req(json!({"title": "A", "uid": "a"})), 30);
    assert!(matches!(again, Err(SaveError::VersionMismatch)), "{again:?}");
    // Update by id.
    let by_id = store.save(req(json!({"id": a.id, "title": "A renamed", "version": 2})), 40).unwrap();
    assert_eq!((by_id.uid.as_str(), by_id.version, by_id.title.as_str()), ("a", 3, "A renamed"));
    // Overwrite ignores the version.
    let mut r = req(json!({"title": "A", "uid": "a", "version": 1}));
    r.overwrite = true;
    let o = store.save(r, 50).unwrap();
    assert_eq!((o.id, o.version), (a.id, 4));
    assert_eq!(store.get("a").unwrap().version, 4);
}

#[test]
fn unknown_id_and_conflicting_id_and_uid_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let a = store.save(req(json!({"title": "A", "uid": "a"})), 0).unwrap();
    store.save(req(json!({"title": "B", "uid": "b"})), 0).unwrap();
    assert!(matches!(store.save(req(json!({"title": "X", "id": 99})), 0), Err(SaveError::NotFound)));
    let r = store.save(req(json!({"title": "A", "id": a.id, "uid": "b", "version": 1})), 0);
    assert!(matches!(r, Err(SaveError::SameUidExists)), "{r:?}");
}

#[test]
fn same_title_in_a_folder_is_refused_unless_overwrite_which_replaces_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let a = store.save(req(json!({"title": "Same"})), 0).unwrap();
    assert!(matches!(store.save(req(json!({"title": "Same"})), 0), Err(SaveError::NameExists)));
    // Another folder is fine.
    let f = store.create_folder(Some("f1"), "Team", 0).unwrap();
    let mut other = req(json!({"title": "Same"}));
    other.folder_uid = Some(f.uid.clone());
    let in_folder = store.save(other, 0).unwrap();
    assert_eq!(in_folder.folder_uid, "f1");
    // Titles are compared by slug, as in Grafana.
    assert!(matches!(store.save(req(json!({"title": "same!"})), 0), Err(SaveError::NameExists)));
    // Titles without a slug are compared ignoring case.
    store.save(req(json!({"title": "Ωμέγα"})), 0).unwrap();
    store.save(req(json!({"title": "Δέλτα"})), 0).unwrap();
    assert!(matches!(store.save(req(json!({"title": "ωμέγα"})), 0), Err(SaveError::NameExists)));
    // Overwrite takes over the same-named dashboard.
    let mut r = req(json!({"title": "Same", "panels": [1]}));
    r.overwrite = true;
    let replaced = store.save(r, 0).unwrap();
    assert_eq!((replaced.id, replaced.uid.clone(), replaced.version), (a.id, a.uid.clone(), 2));
}

#[test]
fn invalid_input_is_refused_with_grafana_messages() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let e = store.save(req(json!({"panels": []})), 0).unwrap_err();
    assert_eq!(e.to_string(), "Dashboard title cannot be empty");
    let e = store.save(req(json!({"title": "  "})), 0).unwrap_err();
    assert!(matches!(e, SaveError::TitleEmpty));
    let e = store.save(req(json!({"title": "t", "uid": "a/b"})), 0).unwrap_err();
    assert_eq!(e.to_string(), "uid contains illegal characters");
    let mut r = req(json!({"title": "t"}));
    r.folder_uid = Some("nope".into());
    assert!(matches!(store.save(r, 0), Err(SaveError::FolderNotFound)));
    let mut r = req(json!({"title": "t"}));
    r.folder_id = Some(42);
    assert!(matches!(store.save(r, 0), Err(SaveError::FolderNotFound)));
}

#[test]
fn folders_persist_and_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let f = store.create_folder(None, "Ops", 5).unwrap();
    assert_eq!(f.url(), format!("/dashboards/f/{}/ops", f.uid));
    assert!(matches!(store.create_folder(Some(&f.uid), "Other", 0), Err(FolderError::SameUidExists)));
    assert!(matches!(store.create_folder(None, "Ops", 0), Err(FolderError::SameNameExists)));
    assert!(matches!(store.create_folder(None, "", 0), Err(FolderError::TitleEmpty)));
    let mut r = req(json!({"title": "In ops"}));
    r.folder_id = Some(f.id);
    let d = store.save(r, 0).unwrap();
    drop(store);
    let store = open(dir.path());
    assert_eq!(store.folders(), vec![f.clone()]);
    assert_eq!(store.get(&d.uid).unwrap().folder_uid, f.uid);
}

fn titles(hits: &[Hit]) -> Vec<String> {
    hits.iter()
        .map(|h| match h {
            Hit::Dashboard { dashboard, .. } => dashboard.title.clone(),
            Hit::Folder(f) => format!("folder:{}", f.title),
        })
        .collect()
}

#[test]
fn search_filters_sorts_and_pages() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let f = store.create_folder(Some("team"), "Team", 0).unwrap();
    store.save(req(json!({"title": "beta", "uid": "b", "tags": ["x", "y"]})), 0).unwrap();
    store.save(req(json!({"title": "Alpha", "uid": "a", "tags": ["x"]})), 0).unwrap();
    let mut r = req(json!({"title": "Gamma Team", "uid": "g"}));
    r.folder_uid = Some(f.uid.clone());
    store.save(r, 0).unwrap();

    let all = store.search(&SearchQuery::default());
    assert_eq!(titles(&all), vec!["folder:Team", "Alpha", "beta", "Gamma Team"]);
    let q = |f: &dyn Fn(&mut SearchQuery)| {
        let mut q = SearchQuery::default();
        f(&mut q);
        titles(&store.search(&q))
    };
    assert_eq!(q(&|q| q.query = Some("TEAM".into())), vec!["folder:Team", "Gamma Team"]);
    assert_eq!(q(&|q| q.tags = vec!["x".into()]), vec!["Alpha", "beta"]);
    assert_eq!(q(&|q| q.tags = vec!["x".into(), "y".into()]), vec!["beta"]);
    assert_eq!(q(&|q| q.kind = Some(HitKind::Folder)), vec!["folder:Team"]);
    assert_eq!(q(&|q| q.kind = Some(HitKind::Dashboard)), vec!["Alpha", "beta", "Gamma Team"]);
    assert_eq!(q(&|q| q.dashboard_uids = vec!["g".into(), "a".into()]), vec!["Alpha", "Gamma Team"]);
    assert_eq!(q(&|q| q.folder_uids = vec!["team".into()]), vec!["Gamma Team"]);
    assert_eq!(q(&|q| q.folder_uids = vec!["general".into()]), vec!["Alpha", "beta"]);
    assert_eq!(q(&|q| q.folder_ids = vec![f.id]), vec!["Gamma Team"]);
    assert_eq!(q(&|q| q.folder_ids = vec![0]), vec!["Alpha", "beta"]);
    assert_eq!(q(&|q| q.folder_ids = vec![999]), Vec::<String>::new());
    assert_eq!(
        q(&|q| {
            q.limit = 2;
            q.page = 2;
        }),
        vec!["beta", "Gamma Team"]
    );
    let hit = store.search(&SearchQuery { query: Some("gamma".into()), ..SearchQuery::default() });
    assert!(matches!(&hit[0], Hit::Dashboard { folder: Some(f), .. } if f.uid == "team"));
    assert_eq!(store.tags(), vec![("x".to_string(), 2), ("y".to_string(), 1)]);
}

fn provisioned(title: &str, uid: Option<&str>, file: &str, allow: bool) -> ProvisionedDashboard {
    let mut json = obj(json!({"title": title, "panels": []}));
    if let Some(u) = uid {
        json.insert("uid".into(), u.into());
    }
    ProvisionedDashboard {
        json,
        folder: FolderTarget::Named { uid: None, title: "Prov".into() },
        provisioning: Provisioning { provider: "p".into(), allow_ui_updates: allow, external_id: file.into() },
    }
}

#[test]
fn provisioned_dashboards_are_read_only_and_keep_ids_across_reloads() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    store.replace_provisioned(
        vec![provisioned("P1", Some("p1"), "p1.json", false), provisioned("P2", None, "sub/p2.json", true)],
        0,
    );
    let p1 = store.get("p1").unwrap();
    assert!(!p1.can_save() && !p1.can_delete());
    let folder = store.folder(&p1.folder_uid).unwrap();
    assert_eq!(folder.title, "Prov");
    let mut r = req(json!({"title": "P1", "uid": "p1", "version": 1}));
    r.overwrite = true;
    assert!(matches!(store.save(r, 0), Err(SaveError::CannotSaveProvisioned)));
    assert!(matches!(store.delete("p1"), Err(DeleteError::Provisioned)));

    // allowUiUpdates: savable, in memory only.
    let p2 = store.search(&SearchQuery { query: Some("P2".into()), ..SearchQuery::default() });
    let Hit::Dashboard { dashboard: p2, .. } = &p2[0] else { panic!("{p2:?}") };
    let saved = store.save(req(json!({"title": "P2", "uid": p2.uid.clone(), "version": 1})), 0).unwrap();
    assert_eq!(saved.version, 2);
    assert!(!dir.path().join(format!("{}.json", p2.uid)).exists());

    // Reload: same uids keep their ids; unchanged JSON keeps its version; the stable uid repeats.
    store.replace_provisioned(
        vec![provisioned("P1", Some("p1"), "p1.json", false), provisioned("P2", None, "sub/p2.json", true)],
        1,
    );
    assert_eq!(store.get("p1").unwrap(), p1);
    assert_eq!(store.get(&p2.uid).unwrap().id, p2.id);
    // A dashboard gone from the files is gone from the store.
    store.replace_provisioned(vec![], 2);
    assert!(store.get("p1").is_none());
    // Provisioned dashboards are never written to the data directory.
    drop(store);
    let store = open(dir.path());
    assert!(store.get("p1").is_none());
    assert!(!dir.path().join("p1.json").exists());
    assert_eq!(store.folders().len(), 1, "the provisioning folder persists, as in Grafana");
}

#[test]
fn provisioning_skips_duplicates_and_untitled() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    store.replace_provisioned(
        vec![
            provisioned("One", Some("dup"), "a.json", false),
            provisioned("Two", Some("dup"), "b.json", false),
            provisioned("", Some("untitled"), "c.json", false),
            provisioned("One", Some("other"), "d.json", false),
        ],
        0,
    );
    assert_eq!(store.get("dup").unwrap().title, "One");
    assert!(store.get("untitled").is_none());
    assert!(store.get("other").is_none());
}

#[test]
fn builtin_overview_is_provisioned() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    store.replace_provisioned(provisioned_dashboards(None).unwrap(), 0);
    let d = store.get(builtin::OVERVIEW_UID).unwrap();
    assert_eq!(d.title, "Vigil overview");
    assert!(!d.can_save() && !d.can_delete());
    assert_eq!(d.folder_uid, "");
}

#[test]
fn concurrent_saves_get_distinct_ids() {
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(open(dir.path()));
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let s = store.clone();
            std::thread::spawn(move || s.save(req(json!({"title": format!("T{i}")})), 0).unwrap().id)
        })
        .collect();
    let mut ids: Vec<i64> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    ids.sort();
    assert_eq!(ids, (1..=8).collect::<Vec<_>>());
}

#[test]
fn provisioned_dashboards_keep_their_ids_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    store.save(req(json!({"title": "Saved first"})), 0).unwrap();
    store.replace_provisioned(provisioned_dashboards(None).unwrap(), 0);
    store.replace_provisioned(vec![provisioned("P1", Some("p1"), "p1.json", false)], 0);
    let p1 = store.get("p1").unwrap();
    drop(store);
    let store = open(dir.path());
    store.replace_provisioned(vec![provisioned("P1", Some("p1"), "p1.json", false)], 5);
    assert_eq!(store.get("p1").unwrap().id, p1.id);
    // No id was burnt by the restart.
    assert_eq!(store.save(req(json!({"title": "Saved next"})), 0).unwrap().id, p1.id + 1);
}

#[test]
fn a_stale_version_is_reported_before_a_name_clash() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    store.save(req(json!({"title": "A", "uid": "a"})), 0).unwrap();
    store.save(req(json!({"title": "B", "uid": "b"})), 0).unwrap();
    let r = store.save(req(json!({"title": "B", "uid": "a", "version": 7})), 0);
    assert!(matches!(r, Err(SaveError::VersionMismatch)), "{r:?}");
    let r = store.save(req(json!({"title": "B", "uid": "a", "version": 1})), 0);
    assert!(matches!(r, Err(SaveError::NameExists)), "{r:?}");
    // With overwrite, the same-named dashboard is the one replaced; "a" is left alone.
    let mut o = req(json!({"title": "B", "uid": "a", "version": 1, "panels": [1]}));
    o.overwrite = true;
    let saved = store.save(o, 0).unwrap();
    assert_eq!((saved.uid.as_str(), saved.version), ("b", 2));
    assert_eq!(store.get("a").unwrap().version, 1);
}
