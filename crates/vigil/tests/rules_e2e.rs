//! Rules end to end: the real binary evaluates rule files against data written over
//! remote_write, serves `/api/v1/rules` and `/api/v1/alerts`, keeps alert state across
//! `kill -9` and reloads, delivers to a real Alertmanager 0.25, and its `check rules` /
//! `test rules` commands agree with Debian's promtool on the same files.

mod common;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Vigil, free_port, get, request, require_peer, urlencode, vigil_bin, write_v1};
use serde_json::Value;

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

fn json(addr: SocketAddr, path: &str) -> Value {
    let r = get(addr, path).expect("GET");
    assert_eq!(r.status, 200, "{path}: {}", r.text());
    serde_json::from_slice(&r.body).expect("JSON")
}

fn alerts(addr: SocketAddr) -> Vec<Value> {
    json(addr, "/api/v1/alerts")["data"]["alerts"].as_array().cloned().unwrap_or_default()
}

/// Polls until `f` returns Some, or panics with `what` and the server log.
fn wait_for<T>(v: &Vigil, what: &str, timeout: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(x) = f() {
            return x;
        }
        if start.elapsed() > timeout {
            panic!("timed out waiting for {what}; log:\n{}", v.log_text());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn write_temp(addr: SocketAddr, room: &str, value: f64) {
    let r = write_v1(addr, &[(vec![("__name__", "room_temperature"), ("room", room)], vec![(now_ms(), value)])]);
    assert_eq!(r.status, 204, "remote write: {}", r.text());
}

const RULES: &str = r#"groups:
  - name: climate
    interval: 1s
    rules:
      - record: room:temperature:max
        expr: max by (room) (room_temperature)
      - alert: RoomTooHot
        expr: room:temperature:max > 50
        for: 2s
        labels:
          severity: page
          room_copy: "{{ $labels.room }}"
        annotations:
          summary: "Room {{ $labels.room }} is at {{ $value }} degrees"
          percent: "{{ 0.5 | humanizePercentage }}"
"#;

/// A data dir, a config naming `rules.yml` next to it, and the rule file.
fn setup(tmp: &Path, rules: &str, extra_config: &str) -> PathBuf {
    let cfg = tmp.join("prometheus.yml");
    std::fs::write(
        &cfg,
        format!("global:\n  evaluation_interval: 1s\n  external_labels:\n    region: eu\nrule_files: ['rules.yml']\n{extra_config}"),
    )
    .unwrap();
    std::fs::write(tmp.join("rules.yml"), rules).unwrap();
    cfg
}

fn start(tmp: &Path, cfg: &Path) -> Vigil {
    Vigil::start(
        &tmp.join("data"),
        &[
            &format!("--config.file={}", cfg.display()),
            "--web.enable-lifecycle",
            "--web.external-url=http://vigil.example:9090",
        ],
    )
}

fn firing(v: &Vigil, name: &str) -> Value {
    wait_for(v, &format!("{name} firing"), Duration::from_secs(20), || {
        alerts(v.addr).into_iter().find(|a| a["labels"]["alertname"] == name && a["state"] == "firing")
    })
}

#[test]
fn alert_lifecycle_recording_rules_and_the_rules_api() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = setup(tmp.path(), RULES, "");
    let v = start(tmp.path(), &cfg);
    write_temp(v.addr, "kitchen", 70.0);
    write_temp(v.addr, "cellar", 12.0);

    // Pending first, then firing after `for`.
    let pending = wait_for(&v, "pending alert", Duration::from_secs(10), || {
        alerts(v.addr).into_iter().find(|a| a["state"] == "pending")
    });
    assert_eq!(pending["labels"]["room"], "kitchen");
    let a = firing(&v, "RoomTooHot");
    assert_eq!(a["labels"]["severity"], "page");
    assert_eq!(a["labels"]["room_copy"], "kitchen", "label templates are expanded");
    assert_eq!(a["annotations"]["summary"], "Room kitchen is at 70 degrees");
    assert_eq!(a["annotations"]["percent"], "50%");
    assert_eq!(a["value"], "7e+01");
    assert_eq!(a["activeAt"], pending["activeAt"], "the pending alert is the one that fires");
    assert_eq!(alerts(v.addr).len(), 1, "the cellar is cool");

    // The recording rule wrote its series, and ALERTS / ALERTS_FOR_STATE exist.
    let q = json(v.addr, &format!("/api/v1/query?query={}", urlencode("room:temperature:max")));
    assert_eq!(q["data"]["result"].as_array().unwrap().len(), 2, "{q}");
    let q = json(v.addr, &format!("/api/v1/query?query={}", urlencode("ALERTS{alertstate=\"firing\"}")));
    assert_eq!(q["data"]["result"][0]["metric"]["room"], "kitchen", "{q}");
    let q = json(v.addr, &format!("/api/v1/query?query={}", urlencode("ALERTS_FOR_STATE")));
    let active_at: f64 = q["data"]["result"][0]["value"][1].as_str().unwrap().parse().unwrap();
    assert!((active_at - now_ms() as f64 / 1000.0).abs() < 60.0, "ALERTS_FOR_STATE holds activeAt seconds: {q}");

    // /api/v1/rules: shape and filters.
    let r = json(v.addr, "/api/v1/rules");
    let group = &r["data"]["groups"][0];
    assert_eq!(group["name"], "climate");
    assert_eq!(group["interval"], 1.0);
    assert!(group["file"].as_str().unwrap().ends_with("rules.yml"));
    let rules = group["rules"].as_array().unwrap();
    assert_eq!(rules[0]["type"], "recording");
    assert_eq!(rules[0]["health"], "ok");
    assert_eq!(rules[1]["type"], "alerting");
    assert_eq!(rules[1]["state"], "firing");
    assert_eq!(rules[1]["duration"], 2.0);
    assert_eq!(rules[1]["alerts"].as_array().unwrap().len(), 1);
    let only_alerts = json(v.addr, "/api/v1/rules?type=alert");
    assert_eq!(only_alerts["data"]["groups"][0]["rules"].as_array().unwrap().len(), 1);
    let by_name = json(v.addr, &format!("/api/v1/rules?{}=room:temperature:max", urlencode("rule_name[]")));
    assert_eq!(by_name["data"]["groups"][0]["rules"][0]["name"], "room:temperature:max");
    let none = json(v.addr, &format!("/api/v1/rules?{}=nope", urlencode("rule_group[]")));
    assert_eq!(none["data"]["groups"].as_array().unwrap().len(), 0);
    let excluded = json(v.addr, "/api/v1/rules?exclude_alerts=true");
    assert!(excluded["data"]["groups"][0]["rules"][1].get("alerts").is_none());
    let bad = get(v.addr, "/api/v1/rules?type=bogus").unwrap();
    assert_eq!(bad.status, 400);
    assert!(bad.text().contains("type"), "{}", bad.text());

    // Cooling down resolves the alert and ALERTS goes stale at once.
    write_temp(v.addr, "kitchen", 20.0);
    wait_for(&v, "alert resolved", Duration::from_secs(10), || alerts(v.addr).is_empty().then_some(()));
    let q = json(v.addr, &format!("/api/v1/query?query={}", urlencode("ALERTS")));
    assert_eq!(q["data"]["result"].as_array().unwrap().len(), 0, "ALERTS is marked stale: {q}");
    assert!(v.metric("vigil_rule_evaluations_total").unwrap_or(0.0) > 0.0);
}

#[test]
fn evaluation_errors_are_shown_per_rule() {
    let tmp = tempfile::tempdir().unwrap();
    let rules = "groups:\n  - name: broken\n    interval: 1s\n    rules:\n      - record: dup\n        expr: label_replace(vector(1), \"a\", \"x\", \"\", \"\") or label_replace(vector(2), \"b\", \"y\", \"\", \"\")\n        labels:\n          a: same\n          b: same\n";
    let cfg = setup(tmp.path(), rules, "");
    let v = start(tmp.path(), &cfg);
    let rule = wait_for(&v, "rule error", Duration::from_secs(10), || {
        let r = json(v.addr, "/api/v1/rules");
        let rule = r["data"]["groups"][0]["rules"][0].clone();
        (rule["health"] == "err").then_some(rule)
    });
    assert!(rule["lastError"].as_str().unwrap().contains("same labelset"), "{rule}");
    assert!(v.metric("vigil_rule_evaluation_failures_total").unwrap_or(0.0) > 0.0);
}

#[test]
fn firing_alert_survives_kill_9_without_going_back_to_pending() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = setup(tmp.path(), RULES, "");
    let v = start(tmp.path(), &cfg);
    write_temp(v.addr, "kitchen", 70.0);
    let before = firing(&v, "RoomTooHot");
    // The state file is written right after the evaluation that changed state.
    let state = tmp.path().join("data/rules/alert-state.json");
    wait_for(&v, "state file with the firing alert", Duration::from_secs(5), || {
        std::fs::read_to_string(&state).ok().filter(|s| s.contains("\"firing\"")).map(|_| ())
    });
    v.kill9();

    let v = start(tmp.path(), &cfg);
    // Right after start-up, before any evaluation could have re-derived it.
    let after = alerts(v.addr);
    assert_eq!(after.len(), 1, "restored at start-up: {after:?}\n{}", v.log_text());
    assert_eq!(after[0]["state"], "firing");
    assert_eq!(after[0]["activeAt"], before["activeAt"]);
    let restart = now_ms();
    std::thread::sleep(Duration::from_millis(3500));
    let a = alerts(v.addr);
    assert_eq!(a[0]["state"], "firing", "still firing after evaluations: {a:?}");
    // ALERTS never showed pending after the restart.
    let q = json(
        v.addr,
        &format!(
            "/api/v1/query_range?query={}&start={}&end={}&step=0.5",
            urlencode("ALERTS{alertstate=\"pending\"}"),
            restart as f64 / 1000.0,
            now_ms() as f64 / 1000.0
        ),
    );
    assert_eq!(q["data"]["result"].as_array().unwrap().len(), 0, "no pending after restart: {q}");
}

#[test]
fn pending_alert_keeps_its_clock_across_a_restart() {
    let tmp = tempfile::tempdir().unwrap();
    let rules = RULES.replace("for: 2s", "for: 1h");
    let cfg = setup(tmp.path(), &rules, "");
    let v = start(tmp.path(), &cfg);
    write_temp(v.addr, "kitchen", 70.0);
    let before = wait_for(&v, "pending", Duration::from_secs(10), || {
        alerts(v.addr).into_iter().find(|a| a["state"] == "pending")
    });
    std::thread::sleep(Duration::from_millis(300));
    v.stop();
    let v = start(tmp.path(), &cfg);
    let after = alerts(v.addr);
    assert_eq!(after.len(), 1, "{after:?}");
    assert_eq!(after[0]["state"], "pending");
    let t = |x: &Value| common_rfc3339_ms(x["activeAt"].as_str().unwrap());
    let shift = t(&after[0]) - t(&before);
    assert!((0..10_000).contains(&shift), "activeAt moves by at most the downtime: {shift} ms");
}

/// Parses `2026-12-02T00:14:33.965Z` to ms (enough for the API's own output).
fn common_rfc3339_ms(s: &str) -> i64 {
    let (date, time) = s.trim_end_matches('Z').split_once('T').unwrap();
    let d: Vec<i64> = date.split('-').map(|x| x.parse().unwrap()).collect();
    let (hms, frac) = time.split_once('.').unwrap_or((time, "0"));
    let t: Vec<i64> = hms.split(':').map(|x| x.parse().unwrap()).collect();
    let ms: i64 = format!("{frac:0<3}")[..3].parse().unwrap();
    let (y, m) = if d[1] <= 2 { (d[0] - 1, d[1] + 9) } else { (d[0], d[1] - 3) };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + d[2] - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    ((days * 86_400 + t[0] * 3600 + t[1] * 60 + t[2]) * 1000) + ms
}

#[test]
fn reload_keeps_alert_state_and_a_broken_file_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = setup(tmp.path(), RULES, "");
    let v = start(tmp.path(), &cfg);
    write_temp(v.addr, "kitchen", 70.0);
    let before = firing(&v, "RoomTooHot");

    let more = format!("{RULES}      - record: room:temperature:min\n        expr: min(room_temperature)\n");
    std::fs::write(tmp.path().join("rules.yml"), &more).unwrap();
    let r = request(v.addr, "POST", "/-/reload", &[], &[]).unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    let rules = json(v.addr, "/api/v1/rules");
    assert_eq!(rules["data"]["groups"][0]["rules"].as_array().unwrap().len(), 3);
    let a = alerts(v.addr);
    assert_eq!((a[0]["state"].clone(), a[0]["activeAt"].clone()), ("firing".into(), before["activeAt"].clone()));

    std::fs::write(
        tmp.path().join("rules.yml"),
        "groups:\n  - name: x\n    rules:\n      - alert: Bad\n        expr: sum(\n",
    )
    .unwrap();
    let r = request(v.addr, "POST", "/-/reload", &[], &[]).unwrap();
    assert_eq!(r.status, 500);
    let msg = r.text();
    assert!(msg.contains("rules.yml:5") && msg.contains("could not parse expression"), "{msg}");
    assert_eq!(json(v.addr, "/api/v1/rules")["data"]["groups"][0]["rules"].as_array().unwrap().len(), 3);
    assert_eq!(alerts(v.addr)[0]["state"], "firing");
}

/// Debian's Alertmanager 0.25 on a free loopback port; killed on drop.
struct Alertmanager {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Alertmanager {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_alertmanager(tmp: &Path) -> Alertmanager {
    let port = free_port();
    let cfg = tmp.join("alertmanager.yml");
    std::fs::write(&cfg, "route:\n  receiver: sink\nreceivers:\n  - name: sink\n").unwrap();
    let child = Command::new("prometheus-alertmanager")
        .arg(format!("--config.file={}", cfg.display()))
        .arg(format!("--storage.path={}", tmp.join("am").display()))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .arg("--cluster.listen-address=")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(tmp.join("am.log")).unwrap())
        .spawn()
        .expect("start alertmanager");
    let am = Alertmanager { child, addr: format!("127.0.0.1:{port}").parse().unwrap() };
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if get(am.addr, "/-/ready").is_ok_and(|r| r.status == 200) {
            return am;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("alertmanager not ready: {}", std::fs::read_to_string(tmp.join("am.log")).unwrap_or_default());
}

#[test]
fn alerts_reach_a_real_alertmanager_and_resolve_there() {
    if !require_peer("prometheus-alertmanager", "alerts_reach_a_real_alertmanager_and_resolve_there") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let am = start_alertmanager(tmp.path());
    let alerting = format!("alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['{}']\n", am.addr);
    let cfg = setup(tmp.path(), RULES, &alerting);
    let v = start(tmp.path(), &cfg);
    let want = format!("http://{}/api/v2/alerts", am.addr);
    wait_for(&v, "alertmanager discovered", Duration::from_secs(10), || {
        let managers = json(v.addr, "/api/v1/alertmanagers");
        (managers["data"]["activeAlertmanagers"][0]["url"] == want.as_str()).then_some(())
    });
    write_temp(v.addr, "kitchen", 70.0);
    let got = wait_for(&v, "alert in Alertmanager", Duration::from_secs(20), || {
        let r = get(am.addr, "/api/v2/alerts").ok()?;
        let list: Vec<Value> = serde_json::from_slice(&r.body).ok()?;
        list.into_iter().find(|a| a["labels"]["alertname"] == "RoomTooHot")
    });
    assert_eq!(got["labels"]["region"], "eu", "external labels are attached");
    assert_eq!(got["labels"]["room"], "kitchen");
    assert_eq!(got["annotations"]["summary"], "Room kitchen is at 70 degrees");
    assert_eq!(got["status"]["state"], "active");
    let url = got["generatorURL"].as_str().unwrap();
    assert!(url.starts_with("http://vigil.example:9090/graph?g0.expr=room%3Atemperature%3Amax"), "{url}");

    write_temp(v.addr, "kitchen", 20.0);
    wait_for(&v, "alert resolved in Alertmanager", Duration::from_secs(20), || {
        let r = get(am.addr, "/api/v2/alerts?active=true").ok()?;
        let list: Vec<Value> = serde_json::from_slice(&r.body).ok()?;
        (!list.iter().any(|a| a["labels"]["alertname"] == "RoomTooHot")).then_some(())
    });
    assert!(
        v.metric(&format!("vigil_notifications_sent_total{{alertmanager=\"http://{}/api/v2/alerts\"}}", am.addr))
            .unwrap_or(0.0)
            >= 2.0
    );
}

fn run(bin: &str, args: &[&str], dir: &Path) -> (i32, String) {
    let out = Command::new(bin).args(args).current_dir(dir).output().expect("run");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

/// The repository's promtool-format tests (`tests/rules`).
fn rule_tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/rules")
}

fn test_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".test.yml"))
        .collect();
    v.sort();
    v
}

#[test]
fn seed_rule_unit_tests_pass_in_vigil() {
    let dir = rule_tests_dir();
    let files = test_files(&dir);
    assert!(files.len() >= 4, "the seed tests are in tests/rules: {files:?}");
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let (code, out) = run(vigil_bin().to_str().unwrap(), &["test", "rules", &name], &dir);
        assert_eq!(code, 0, "{name}:\n{out}");
        assert!(out.contains("SUCCESS"), "{out}");
    }
}

#[test]
fn vigil_and_promtool_give_the_same_verdicts() {
    if !require_peer("promtool", "vigil_and_promtool_give_the_same_verdicts") {
        return;
    }
    let root = rule_tests_dir();
    let mut compared = 0;
    for dir in [root.clone(), root.join("failing")] {
        for f in test_files(&dir) {
            let name = f.file_name().unwrap().to_string_lossy().to_string();
            let (vc, vout) = run(vigil_bin().to_str().unwrap(), &["test", "rules", &name], &dir);
            let (pc, pout) = run("promtool", &["test", "rules", &name], &dir);
            assert_eq!(
                vc == 0,
                pc == 0,
                "{name}: vigil exit {vc}, promtool exit {pc}\nvigil:\n{vout}\npromtool:\n{pout}"
            );
            // Failures name the same alerts and times.
            for line in pout.lines().filter(|l| l.trim_start().starts_with("alertname:")) {
                assert!(vout.contains(line.trim()), "{name}: promtool reports {line:?}; vigil said:\n{vout}");
            }
            compared += 1;
        }
    }
    assert!(compared >= 5, "compared {compared} files");
}

#[test]
fn check_rules_accepts_the_seeds_and_names_mistakes() {
    let dir = rule_tests_dir().join("seeds");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".yml"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 4);
    let mut args = vec!["check", "rules"];
    args.extend(files.iter().map(String::as_str));
    let (code, out) = run(vigil_bin().to_str().unwrap(), &args, &dir);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out.matches("SUCCESS").count(), 4, "{out}");
    // syncup's histogram_quantile over a non-bucket series can never fire: warned.
    assert!(
        out.contains("WARNING") && out.contains("http_request_duration_seconds_bucket"),
        "the never-firing histogram_quantile is named: {out}"
    );

    let tmp = tempfile::tempdir().unwrap();
    let cases = [
        (
            "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: rate(x[5m]) >\n",
            "5",
            "could not parse expression",
        ),
        (
            "groups:\n  - name: g\n    rules:\n      - record: 'bad name'\n        expr: up\n",
            "4",
            "invalid recording rule name",
        ),
        (
            "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        labels:\n          0bad: x\n",
            "4",
            "invalid label name",
        ),
        (
            "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        annotations:\n          s: '{{ nosuchfunc }}'\n",
            "4",
            "invalid template",
        ),
        ("groups:\n  - name: g\n    rules: []\n  - name: g\n    rules: []\n", "4", "repeated"),
        (
            "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        anotations: {}\n",
            "",
            "anotations",
        ),
    ];
    for (i, (text, line, want)) in cases.iter().enumerate() {
        let f = tmp.path().join(format!("bad{i}.yml"));
        std::fs::write(&f, text).unwrap();
        let (code, out) = run(vigil_bin().to_str().unwrap(), &["check", "rules", f.to_str().unwrap()], tmp.path());
        assert_eq!(code, 1, "case {i} must fail: {out}");
        assert!(out.contains(want), "case {i}: wants {want:?}: {out}");
        if !line.is_empty() {
            assert!(out.contains(&format!("bad{i}.yml:{line}:")), "case {i}: names line {line}: {out}");
        }
    }
}
