//! Grafana's dashboard API and file provisioning end to end with the real binary: the seed
//! dashboards (tests/dashboards/seeds, each a `POST /api/dashboards/db` body) are pushed as a
//! provisioning script would push them to Grafana, read back field for field, searched,
//! updated, refused on stale versions, deleted, and found again after a restart.

mod common;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::*;
use serde_json::{Map, Value, json};

fn seeds_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/dashboards/seeds")
}

/// Every seed body, by file name.
fn seeds() -> Vec<(String, Value)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(seeds_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 3, "three seed dashboards");
    files
        .iter()
        .map(|p| {
            let body: Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
            (p.file_name().unwrap().to_string_lossy().into_owned(), body)
        })
        .collect()
}

fn call(addr: SocketAddr, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
    let bytes = body.map(|b| serde_json::to_vec(b).unwrap()).unwrap_or_default();
    let r = request(addr, method, path, &[("Content-Type", "application/json")], &bytes).unwrap();
    let v = serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("{method} {path}: not JSON ({e}): {}", r.text()));
    (r.status, v)
}

fn post(addr: SocketAddr, body: &Value) -> (u16, Value) {
    call(addr, "POST", "/api/dashboards/db", Some(body))
}

/// Grafana's slug rule, written independently of the implementation under test.
fn expected_slug(title: &str) -> String {
    title
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

fn obj(v: &Value) -> &Map<String, Value> {
    v.as_object().unwrap_or_else(|| panic!("not an object: {v}"))
}

/// The GET answer holds what was posted, with only `id`, `uid` and `version` filled in.
fn assert_round_trip(posted: &Value, got: &Value, id: i64, uid: &str, version: i64) {
    let posted = obj(posted);
    let got = obj(got);
    for (k, v) in posted {
        if k == "id" || k == "uid" || k == "version" {
            continue;
        }
        assert_eq!(got.get(k), Some(v), "field {k} changed");
    }
    let extra: Vec<&String> =
        got.keys().filter(|k| !posted.contains_key(*k) && !["id", "uid", "version"].contains(&k.as_str())).collect();
    assert!(extra.is_empty(), "fields added: {extra:?}");
    assert_eq!(got["id"], id);
    assert_eq!(got["uid"], uid);
    assert_eq!(got["version"], version);
}

fn search(addr: SocketAddr, query: &str) -> Vec<Value> {
    let (status, v) = call(addr, "GET", &format!("/api/search?{query}"), None);
    assert_eq!(status, 200, "{v}");
    v.as_array().unwrap().clone()
}

fn titles(hits: &[Value]) -> Vec<&str> {
    hits.iter().map(|h| h["title"].as_str().unwrap()).collect()
}

#[test]
fn seeds_round_trip_search_conflicts_delete_and_survive_a_restart() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let v = Vigil::start(&data, &[]);
    let addr = v.addr;

    let (status, health) = call(addr, "GET", "/api/health", None);
    assert_eq!((status, &health["database"]), (200, &json!("ok")));

    // Create every seed.
    let mut created = Vec::new();
    for (name, body) in seeds() {
        let (status, r) = post(addr, &body);
        assert_eq!(status, 200, "{name}: {r}");
        let title = body["dashboard"]["title"].as_str().unwrap();
        let uid = r["uid"].as_str().unwrap().to_string();
        assert!(!uid.is_empty() && uid.len() <= 40 && uid.bytes().all(|b| b.is_ascii_alphanumeric()), "{uid}");
        let slug = expected_slug(title);
        assert_eq!(r["status"], "success");
        assert_eq!(r["version"], 1);
        assert_eq!(r["slug"], slug.as_str());
        assert_eq!(r["url"], format!("/d/{uid}/{slug}"));
        let id = r["id"].as_i64().unwrap();
        assert!(id > 0);
        created.push((body, uid, id, slug));
    }
    let ids: std::collections::HashSet<i64> = created.iter().map(|c| c.2).collect();
    assert_eq!(ids.len(), 3, "distinct ids");

    // Read back: field for field, and the meta block.
    for (body, uid, id, slug) in &created {
        let (status, got) = call(addr, "GET", &format!("/api/dashboards/uid/{uid}"), None);
        assert_eq!(status, 200, "{got}");
        assert_round_trip(&body["dashboard"], &got["dashboard"], *id, uid, 1);
        let meta = &got["meta"];
        assert_eq!(meta["type"], "db");
        assert_eq!(meta["canSave"], true);
        assert_eq!(meta["canEdit"], true);
        assert_eq!(meta["slug"], slug.as_str());
        assert_eq!(meta["url"], format!("/d/{uid}/{slug}"));
        assert_eq!(meta["version"], 1);
        assert_eq!(meta["folderUid"], "");
        assert_eq!(meta["folderTitle"], "General");
        assert_eq!(meta["provisioned"], false);
        assert!(meta["created"].as_str().unwrap().ends_with('Z'));
        assert_eq!(meta["created"], meta["updated"]);
    }

    // Search: by title substring (any case), by tag, by uid, by type; sorted by title.
    let all = search(addr, "type=dash-db");
    assert_eq!(
        titles(&all),
        vec![
            "Cart Recovery - Business Metrics",
            "Cart Recovery Platform - Overview",
            "EngLog - System Overview",
            "Vigil overview"
        ]
    );
    let hit = all.iter().find(|h| h["uid"] == created[2].1.as_str()).unwrap();
    assert_eq!(hit["uri"], format!("db/{}", created[2].3));
    assert_eq!(hit["url"], format!("/d/{}/{}", created[2].1, created[2].3));
    assert_eq!(hit["type"], "dash-db");
    assert_eq!(hit["isStarred"], false);
    assert_eq!(hit["tags"], json!(["englog", "overview"]));
    assert_eq!(titles(&search(addr, "query=cart%20RECOVERY")).len(), 2);
    assert_eq!(
        titles(&search(addr, "tag=overview")),
        vec!["Cart Recovery Platform - Overview", "EngLog - System Overview"]
    );
    assert_eq!(titles(&search(addr, "tag=overview&tag=englog")), vec!["EngLog - System Overview"]);
    assert_eq!(
        titles(&search(addr, &format!("dashboardUIDs={}", created[0].1))),
        vec!["Cart Recovery - Business Metrics"]
    );
    assert_eq!(search(addr, "limit=1&page=2&type=dash-db").len(), 1);
    assert!(search(addr, "type=dash-folder").is_empty());

    // Update with the current version: version 2, same id and uid.
    let (_, uid0, id0, _) = &created[0];
    let mut update = created[0].0.clone();
    update["dashboard"]["uid"] = json!(uid0);
    update["dashboard"]["version"] = json!(1);
    update["dashboard"]["description"] = json!("edited");
    let (status, r) = post(addr, &update);
    assert_eq!((status, &r["version"], &r["id"]), (200, &json!(2), &json!(id0)), "{r}");
    // The same stale version again: 412 version-mismatch.
    let (status, r) = post(addr, &update);
    assert_eq!(status, 412, "{r}");
    assert_eq!(r, json!({"message": "The dashboard has been changed by someone else", "status": "version-mismatch"}));
    // The seed again (no uid): the title is taken in the folder.
    let (status, r) = post(addr, &created[1].0);
    assert_eq!(status, 412, "{r}");
    assert_eq!(r["status"], "name-exists");
    // The seed with an existing uid but no version: Grafana treats it as a stale update.
    let mut same_uid = created[1].0.clone();
    same_uid["dashboard"]["uid"] = json!(created[1].1);
    let (status, r) = post(addr, &same_uid);
    assert_eq!((status, &r["status"]), (412, &json!("version-mismatch")), "{r}");
    // overwrite: true replaces regardless of version.
    let mut overwrite = same_uid.clone();
    overwrite["overwrite"] = json!(true);
    overwrite["dashboard"]["version"] = json!(99);
    let (status, r) = post(addr, &overwrite);
    assert_eq!((status, &r["version"], &r["uid"]), (200, &json!(2), &json!(created[1].1)), "{r}");
    // An id that names nothing.
    let mut unknown = created[2].0.clone();
    unknown["dashboard"]["id"] = json!(9999);
    let (status, r) = post(addr, &unknown);
    assert_eq!((status, &r["message"]), (404, &json!("Dashboard not found")), "{r}");

    // Delete the third.
    let (_, uid2, id2, _) = &created[2];
    let (status, r) = call(addr, "DELETE", &format!("/api/dashboards/uid/{uid2}"), None);
    assert_eq!(status, 200, "{r}");
    assert_eq!(
        r,
        json!({"title": "EngLog - System Overview", "message": "Dashboard EngLog - System Overview deleted", "id": id2})
    );
    let (status, r) = call(addr, "GET", &format!("/api/dashboards/uid/{uid2}"), None);
    assert_eq!((status, r), (404, json!({"message": "Dashboard not found"})));
    let (status, _) = call(addr, "DELETE", &format!("/api/dashboards/uid/{uid2}"), None);
    assert_eq!(status, 404);

    // Remember what is there, kill without warning, restart on the same data.
    let before: Vec<Value> =
        [uid0, &created[1].1].iter().map(|u| call(addr, "GET", &format!("/api/dashboards/uid/{u}"), None).1).collect();
    let builtin_id = call(addr, "GET", "/api/dashboards/uid/vigil-overview", None).1["dashboard"]["id"].clone();
    v.kill9();
    let v = Vigil::start(&data, &[]);
    let addr = v.addr;
    let (_, builtin) = call(addr, "GET", "/api/dashboards/uid/vigil-overview", None);
    assert_eq!(builtin["dashboard"]["id"], builtin_id, "the built-in dashboard keeps its id");
    for b in &before {
        let uid = b["dashboard"]["uid"].as_str().unwrap();
        let (status, after) = call(addr, "GET", &format!("/api/dashboards/uid/{uid}"), None);
        assert_eq!(status, 200);
        assert_eq!(after["dashboard"], b["dashboard"]);
        assert_eq!(after["meta"]["version"], 2);
        assert_eq!(after["meta"]["created"], b["meta"]["created"]);
    }
    let (status, got) = call(addr, "GET", &format!("/api/dashboards/uid/{}", created[0].1), None);
    assert_eq!((status, &got["dashboard"]["description"]), (200, &json!("edited")));
    assert_eq!(call(addr, "GET", &format!("/api/dashboards/uid/{uid2}"), None).0, 404);
    // Ids keep counting: the deleted dashboard's id is not given again.
    let (status, r) = post(addr, &created[2].0);
    assert_eq!(status, 200, "{r}");
    assert!(r["id"].as_i64().unwrap() > *ids.iter().max().unwrap(), "{r}");
}

#[test]
fn bad_requests_answer_grafana_errors_naming_the_problem() {
    let tmp = tempfile::tempdir().unwrap();
    let v = Vigil::start(&tmp.path().join("data"), &["--web.max-request-bytes=4KB"]);
    let raw = |body: &[u8]| {
        let r = request(v.addr, "POST", "/api/dashboards/db", &[("Content-Type", "application/json")], body).unwrap();
        (r.status, serde_json::from_slice::<Value>(&r.body).unwrap_or(Value::Null))
    };
    let (status, r) = raw(b"{not json");
    assert_eq!(status, 400);
    assert!(r["message"].as_str().unwrap().contains("not valid JSON"), "{r}");
    let (status, r) = raw(br#"{"overwrite": true}"#);
    assert_eq!((status, r["message"].as_str().unwrap()), (400, "bad request data: \"dashboard\" is missing"));
    let (status, r) = raw(br#"{"dashboard": {"panels": []}}"#);
    assert_eq!((status, r["message"].as_str().unwrap()), (400, "Dashboard title cannot be empty"));
    let (status, r) = raw(br#"{"dashboard": {"title": "x", "uid": "no spaces please"}}"#);
    assert_eq!((status, r["message"].as_str().unwrap()), (400, "uid contains illegal characters"));
    let (status, r) = raw(br#"{"dashboard": {"title": "x"}, "folderUid": "missing"}"#);
    assert_eq!((status, r["message"].as_str().unwrap()), (400, "Folder not found"));
    let big = serde_json::to_vec(&json!({"dashboard": {"title": "big", "description": "x".repeat(8192)}})).unwrap();
    let (status, r) = raw(&big);
    assert_eq!(status, 413, "{r}");
    // Nothing was stored by any of these.
    let (status, hits) = call(v.addr, "GET", "/api/search?type=dash-db", None);
    assert_eq!((status, titles(hits.as_array().unwrap())), (200, vec!["Vigil overview"]));
}

#[test]
fn folders_place_dashboards_and_show_in_search() {
    let tmp = tempfile::tempdir().unwrap();
    let v = Vigil::start(&tmp.path().join("data"), &[]);
    let addr = v.addr;
    let (status, f) = call(addr, "POST", "/api/folders", Some(&json!({"uid": "team-a", "title": "Team A"})));
    assert_eq!(status, 200, "{f}");
    assert_eq!(
        (&f["uid"], &f["title"], &f["url"]),
        (&json!("team-a"), &json!("Team A"), &json!("/dashboards/f/team-a/team-a"))
    );
    let (status, r) = call(addr, "POST", "/api/folders", Some(&json!({"uid": "team-a", "title": "Other"})));
    assert_eq!(status, 409, "{r}");
    let (status, r) = call(addr, "POST", "/api/folders", Some(&json!({"title": "Team A"})));
    assert_eq!(status, 409, "{r}");
    let (_, list) = call(addr, "GET", "/api/folders", None);
    assert_eq!(list, json!([{"id": f["id"], "uid": "team-a", "title": "Team A"}]));

    let mut body = seeds()[0].1.clone();
    body["folderUid"] = json!("team-a");
    let (status, r) = post(addr, &body);
    assert_eq!(status, 200, "{r}");
    let uid = r["uid"].as_str().unwrap();
    let (_, got) = call(addr, "GET", &format!("/api/dashboards/uid/{uid}"), None);
    assert_eq!((&got["meta"]["folderUid"], &got["meta"]["folderTitle"]), (&json!("team-a"), &json!("Team A")));
    // The same title in General is a different dashboard.
    let (status, _) = post(addr, &seeds()[0].1);
    assert_eq!(status, 200);
    let hits = search(addr, "folderUIDs=team-a");
    assert_eq!(hits.len(), 1);
    assert_eq!((&hits[0]["folderUid"], &hits[0]["folderTitle"]), (&json!("team-a"), &json!("Team A")));
    let all = search(addr, "");
    assert_eq!(all[0]["type"], "dash-folder", "folders come first");
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn provisioning_directory_loads_read_only_dashboards_and_rereads_on_reload() {
    let tmp = tempfile::tempdir().unwrap();
    let prov = tmp.path().join("provisioning");
    let dash_dir = tmp.path().join("dashboards");
    write(
        &prov.join("seeds.yaml"),
        &format!(
            "apiVersion: 1\nproviders:\n  - name: seeds\n    orgId: 1\n    folder: Seeds\n    type: file\n    disableDeletion: true\n    updateIntervalSeconds: 30\n    allowUiUpdates: false\n    options:\n      path: {}\n      foldersFromFilesStructure: false\n",
            dash_dir.display()
        ),
    );
    for (name, body) in seeds() {
        // Two files as save bodies, one as a bare dashboard, one in a subdirectory.
        let (path, content) = if name.starts_with("englog") {
            (dash_dir.join("nested").join(&name), body["dashboard"].clone())
        } else {
            (dash_dir.join(&name), body)
        };
        write(&path, &serde_json::to_string_pretty(&content).unwrap());
    }
    write(&dash_dir.join("broken.json"), "{ not json");
    let flag = format!("--dashboards.provisioning-dir={}", prov.display());
    let data = tmp.path().join("data");
    let v = Vigil::start(&data, &[&flag, "--web.enable-lifecycle"]);
    let addr = v.addr;
    assert!(v.log_text().contains("broken.json"), "the bad file is logged: {}", v.log_text());

    let hits = search(addr, "type=dash-db");
    assert_eq!(hits.len(), 4, "{hits:?}");
    let seed_hits: Vec<&Value> = hits.iter().filter(|h| h["uid"] != "vigil-overview").collect();
    assert!(seed_hits.iter().all(|h| h["folderTitle"] == "Seeds"), "{seed_hits:?}");
    for h in &seed_hits {
        let uid = h["uid"].as_str().unwrap();
        let (status, got) = call(addr, "GET", &format!("/api/dashboards/uid/{uid}"), None);
        assert_eq!(status, 200);
        assert_eq!(got["meta"]["provisioned"], true);
        assert_eq!(got["meta"]["canSave"], false);
        let title = got["dashboard"]["title"].as_str().unwrap();
        let (_, seed) = seeds().into_iter().find(|(_, s)| s["dashboard"]["title"] == title).unwrap();
        assert_round_trip(&seed["dashboard"], &got["dashboard"], h["id"].as_i64().unwrap(), uid, 1);

        let mut save = json!({"dashboard": got["dashboard"].clone(), "overwrite": true});
        save["dashboard"]["title"] = json!("changed");
        let (status, r) = post(addr, &save);
        assert_eq!((status, r), (400, json!({"message": "Cannot save provisioned dashboard"})));
        let (status, r) = call(addr, "DELETE", &format!("/api/dashboards/uid/{uid}"), None);
        assert_eq!((status, r), (400, json!({"message": "provisioned dashboard cannot be deleted"})));
    }
    let uids: Vec<String> = seed_hits.iter().map(|h| h["uid"].as_str().unwrap().to_string()).collect();

    // A new file, then a reload: it appears; the others keep their uids.
    write(&dash_dir.join("extra.json"), r#"{"title": "Extra", "uid": "extra", "panels": []}"#);
    let r = request(addr, "POST", "/-/reload", &[], b"").unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    let (status, got) = call(addr, "GET", "/api/dashboards/uid/extra", None);
    assert_eq!((status, &got["meta"]["provisioned"]), (200, &json!(true)));
    for u in &uids {
        assert_eq!(call(addr, "GET", &format!("/api/dashboards/uid/{u}"), None).0, 200);
    }

    // A broken provider file fails the reload and changes nothing.
    write(&prov.join("zz-bad.yml"), "providers: [ {name: x");
    let r = request(addr, "POST", "/-/reload", &[], b"").unwrap();
    assert_eq!(r.status, 500);
    assert!(r.text().contains("zz-bad.yml"), "{}", r.text());
    assert_eq!(call(addr, "GET", "/api/dashboards/uid/extra", None).0, 200);
    drop(v);

    // At start-up the same broken file is fatal, with the file named.
    let mut v = Vigil::spawn(&tmp.path().join("data2"), &[&flag]);
    let start = Instant::now();
    let status = loop {
        if let Some(s) = v.child.try_wait().unwrap() {
            break s;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "vigil kept running with a bad provider file");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(!status.success());
    let log = v.log_text();
    assert!(log.contains("zz-bad.yml") && log.contains("invalid YAML"), "{log}");
}

#[test]
fn builtin_overview_is_always_there_and_read_only() {
    let tmp = tempfile::tempdir().unwrap();
    // An Alertmanager to notify, so the per-Alertmanager notification metrics exist.
    let config = tmp.path().join("vigil.yml");
    std::fs::write(&config, "alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['127.0.0.1:1']\n")
        .unwrap();
    let config_flag = format!("--config.file={}", config.display());
    let v = Vigil::start(&tmp.path().join("data"), &[&config_flag]);
    let (status, got) = call(v.addr, "GET", "/api/dashboards/uid/vigil-overview", None);
    assert_eq!(status, 200, "{got}");
    assert_eq!(got["dashboard"]["title"], "Vigil overview");
    assert!(got["dashboard"]["schemaVersion"].as_i64().unwrap() >= 36);
    assert_eq!(got["meta"]["provisioned"], true);
    let panels = got["dashboard"]["panels"].as_array().unwrap();
    assert!(panels.iter().any(|p| p["type"] == "timeseries") && panels.iter().any(|p| p["type"] == "stat"));
    // Every metric it charts is one this Vigil exposes at /metrics (or the scrape's own).
    let metrics = get(v.addr, "/metrics").unwrap().text();
    let exposed: std::collections::HashSet<&str> =
        metrics.lines().filter(|l| !l.starts_with('#')).filter_map(|l| l.split(['{', ' ']).next()).collect();
    let text = serde_json::to_string(panels).unwrap();
    let missing: std::collections::BTreeSet<&str> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with("vigil_"))
        .filter(|w| !exposed.iter().any(|m| m.starts_with(w.trim_end_matches("_bucket"))))
        .collect();
    assert!(missing.is_empty(), "the overview charts metrics /metrics does not expose: {missing:?}");
    let (status, r) = call(v.addr, "DELETE", "/api/dashboards/uid/vigil-overview", None);
    assert_eq!((status, &r["message"]), (400, &json!("provisioned dashboard cannot be deleted")));
}
