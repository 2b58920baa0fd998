//! Notification templates: Alertmanager's default output, user `templates:` files, every
//! Alertmanager function, the data's methods, and errors that name the template and position.

mod common;

use common::{T0, firing_group, labels, resolved_group};
use receivers::template::value::template_data;
use receivers::{NotificationData, Templates};

const NOW: i64 = T0 + 3_600_000;

fn render(t: &Templates, text: &str, d: &NotificationData) -> String {
    t.execute_text("test", text, &template_data(d), NOW).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn render_default(text: &str, d: &NotificationData) -> String {
    render(&Templates::builtin(), text, d)
}

#[test]
fn default_subject_reads_like_alertmanagers() {
    let sub = r#"{{ template "__subject" . }}"#;
    assert_eq!(render_default(sub, &firing_group()), "[FIRING:2] HighLatency (api critical)");
    assert_eq!(render_default(sub, &resolved_group()), "[RESOLVED] HighLatency (api critical)");
    let mut one = firing_group();
    one.alerts.truncate(1);
    assert_eq!(render_default(sub, &one), "[FIRING:1] HighLatency (api-1:8080 api critical)");
    // No labels beyond the group's: Alertmanager leaves a trailing space.
    let mut bare = firing_group();
    for a in &mut bare.alerts {
        a.labels = labels(&[("alertname", "HighLatency")]);
    }
    assert_eq!(render_default(sub, &bare), "[FIRING:2] HighLatency ");
    let mut mixed = firing_group();
    mixed.alerts[1].status = receivers::Status::Resolved;
    assert_eq!(render_default(sub, &mixed), "[FIRING:1] HighLatency (api critical)");
}

#[test]
fn default_slack_and_pagerduty_fields() {
    let d = firing_group();
    assert_eq!(render_default(r#"{{ template "slack.default.username" . }}"#, &d), "Alertmanager");
    assert_eq!(
        render_default(r#"{{ template "slack.default.titlelink" . }}"#, &d),
        "http://vigil:9093/#/alerts?receiver=team-api"
    );
    assert_eq!(
        render_default(r#"{{ template "slack.default.fallback" . }}"#, &d),
        "[FIRING:2] HighLatency (api critical) | http://vigil:9093/#/alerts?receiver=team-api"
    );
    for empty in ["slack.default.text", "slack.default.pretext", "slack.default.footer", "__description"] {
        assert_eq!(render_default(&format!("{{{{ template \"{empty}\" . }}}}"), &d), "", "{empty}");
    }
    assert_eq!(
        render_default(r#"{{ template "pagerduty.default.description" . }}"#, &d),
        "[FIRING:2] HighLatency (api critical)"
    );
    let instances = render_default(r#"{{ template "pagerduty.default.instances" .Alerts.Firing }}"#, &d);
    let first = "Labels:\n - alertname = HighLatency\n - instance = api-1:8080\n - service = api\n - severity = critical\n\
                 Annotations:\n - runbook = https://runbooks/latency\n - summary = Latency is high\n\
                 Source: http://prometheus:9090/graph?g0.expr=latency&instance=api-1:8080\n";
    assert!(instances.starts_with(first), "{instances}");
    assert_eq!(instances.matches("Labels:").count(), 2);
}

#[test]
fn receiver_is_regex_quoted_like_alertmanager() {
    let mut d = firing_group();
    d.receiver = "team.api".into();
    assert_eq!(render_default("{{ .Receiver }}", &d), r"team\.api");
    assert_eq!(
        render_default(r#"{{ template "__alertmanagerURL" . }}"#, &d),
        "http://vigil:9093/#/alerts?receiver=team%5C.api"
    );
}

#[test]
fn data_fields_and_methods() {
    let d = firing_group();
    let cases = [
        ("{{ .Status }} {{ len .Alerts }} {{ len .Alerts.Firing }} {{ len .Alerts.Resolved }}", "firing 2 2 0"),
        (
            "{{ .CommonLabels.alertname }}|{{ .CommonLabels.missing }}|{{ .ExternalURL }}",
            "HighLatency||http://vigil:9093",
        ),
        ("{{ range .Alerts.Firing }}{{ .Labels.instance }};{{ end }}", "api-1:8080;api-2:8080;"),
        (
            "{{ range .CommonLabels.SortedPairs }}{{ .Name }}={{ .Value }} {{ end }}",
            "alertname=HighLatency service=api severity=critical ",
        ),
        (
            "{{ .CommonLabels.Names }} {{ .CommonLabels.Values }}",
            "[alertname service severity] [HighLatency api critical]",
        ),
        (r#"{{ .CommonLabels.Remove (stringSlice "alertname" "severity") }}"#, "map[service:api]"),
        ("{{ (.CommonLabels.Remove .GroupLabels.Names).Values }}", "[api critical]"),
        ("{{ .CommonLabels.SortedPairs.Names | join \",\" }}", "alertname,service,severity"),
        (
            "{{ with index .Alerts 0 }}{{ .StartsAt }} {{ .EndsAt }}{{ end }}",
            "2023-01-01 12:00:00 +0000 UTC 0001-01-01 00:00:00 +0000 UTC",
        ),
        (
            "{{ with index .Alerts 0 }}{{ .StartsAt.Format \"15:04 Jan 2\" }} {{ .EndsAt.IsZero }}{{ end }}",
            "12:00 Jan 1 true",
        ),
        ("{{ range .Alerts }}{{ .Fingerprint }} {{ end }}", "00000000b60b60b0 00000000b60b60b0 "),
        ("{{ .GroupLabels }}", "map[alertname:HighLatency]"),
    ];
    for (text, want) in cases {
        assert_eq!(render_default(text, &d), want, "{text}");
    }
    let r = resolved_group();
    assert_eq!(render_default("{{ range .Alerts.Resolved }}{{ .Status }} {{ end }}", &r), "resolved resolved ");
}

#[test]
fn every_alertmanager_function() {
    let d = firing_group();
    let cases = [
        (r#"{{ toUpper "abc" }} {{ toLower "ABC" }} {{ title "hELLO wORLD" }}"#, "ABC abc Hello World"),
        (r#"[{{ trimSpace "  x y \n" }}]"#, "[x y]"),
        (r#"{{ join ", " (stringSlice "a" "b") }}"#, "a, b"),
        (r#"{{ match "^api-[0-9]+" "api-12:80" }} {{ match "^db" "api" }}"#, "true false"),
        (r#"{{ reReplaceAll ":[0-9]+$" "" "api-1:8080" }}"#, "api-1"),
        (r#"{{ safeHtml "<b>" }} {{ safeUrl "http://x/?a=b" }}"#, "<b> http://x/?a=b"),
        (r#"{{ urlUnescape "a%20b+c" }}"#, "a b c"),
        (r#"{{ stringSlice "x" "y" }}"#, "[x y]"),
        (r#"{{ with index .Alerts 0 }}{{ date "2006-01-02T15:04" .StartsAt }}{{ end }}"#, "2023-01-01T12:00"),
        (r#"{{ with index .Alerts 0 }}{{ date "15:04 -0700" (tz "UTC" .StartsAt) }}{{ end }}"#, "12:00 +0000"),
        (r#"{{ with index .Alerts 0 }}{{ since .StartsAt }}{{ end }}"#, "1h0m0s"),
        (r#"{{ with index .Alerts 0 }}{{ since .StartsAt | humanizeDuration }}{{ end }}"#, "1h 0m 0s"),
        (r#"{{ humanizeDuration 90 }}"#, "1m 30s"),
        (r#"{{ toJson .GroupLabels }}"#, r#"{"alertname":"HighLatency"}"#),
        (r#"{{ toJson (stringSlice "<a>") }}"#, r#"["\u003ca\u003e"]"#),
        (r#"{{ now.Format "2006-01-02 15:04" }}"#, "2023-01-01 13:00"),
        (r#"{{ printf "%d-%s" 3 "x" }} {{ len "abc" }} {{ if and true (not false) }}y{{ end }}"#, "3-x 3 y"),
        (r#"{{ "a b" | urlquery }} {{ html "<>" }} {{ index .CommonLabels "service" }}"#, "a+b &lt;&gt; api"),
    ];
    for (text, want) in cases {
        assert_eq!(render_default(text, &d), want, "{text}");
    }
    let json = render_default("{{ toJson (index .Alerts 0) }}", &d);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["startsAt"], "2023-01-01T12:00:00Z");
    assert_eq!(v["endsAt"], "0001-01-01T00:00:00Z");
    assert_eq!(v["labels"]["instance"], "api-1:8080");
    assert_eq!(v["generatorURL"], "http://prometheus:9090/graph?g0.expr=latency&instance=api-1:8080");
}

#[test]
fn tz_shows_times_in_a_zone() {
    if alerting::tz::Location::load("Europe/Berlin").is_err() {
        eprintln!("no zoneinfo on this machine: skipping");
        return;
    }
    let d = firing_group();
    let text =
        r#"{{ with index .Alerts 0 }}{{ (tz "Europe/Berlin" .StartsAt).Format "2006-01-02 15:04 -07:00" }}{{ end }}"#;
    assert_eq!(render_default(text, &d), "2023-01-01 13:00 +01:00");
    let err = Templates::builtin()
        .execute_text("f", r#"{{ tz "Nowhere/Nothing" now }}"#, &template_data(&d), NOW)
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown time zone"), "{err}");
}

#[test]
fn user_templates_define_blocks_and_override_defaults() {
    let file = r#"
{{ define "slack.myorg.title" }}{{ .CommonLabels.alertname }} on {{ .CommonLabels.service }} ({{ .Alerts.Firing | len }} firing){{ end }}
{{ define "slack.myorg.text" }}{{ range .Alerts }}* {{ .Annotations.summary }} ({{ .Labels.instance }})
{{ end }}{{ end }}
{{ define "__alertmanager" }}Vigil{{ end }}
"#;
    let t = Templates::from_sources(&[("myorg.tmpl".into(), file.into())]).unwrap();
    let d = firing_group();
    assert_eq!(render(&t, r#"{{ template "slack.myorg.title" . }}"#, &d), "HighLatency on api (2 firing)");
    assert_eq!(
        render(&t, r#"{{ template "slack.myorg.text" . }}"#, &d),
        "* Latency is high (api-1:8080)\n* Latency is high (api-2:8080)\n"
    );
    // A user definition replaces the default one, also where other defaults call it.
    assert_eq!(render(&t, r#"{{ template "slack.default.username" . }}"#, &d), "Vigil");
}

#[test]
fn templates_load_from_globs() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("t")).unwrap();
    std::fs::write(dir.path().join("t/a.tmpl"), r#"{{ define "x" }}a{{ end }}"#).unwrap();
    std::fs::write(dir.path().join("t/b.tmpl"), r#"{{ define "x" }}b{{ end }}{{ define "y" }}y{{ end }}"#).unwrap();
    let t = Templates::load(&["t/*.tmpl".into(), "missing/*.tmpl".into()], Some(dir.path())).unwrap();
    assert_eq!(t.files().len(), 2);
    // b.tmpl loads after a.tmpl and wins.
    assert_eq!(render(&t, r#"{{ template "x" . }}{{ template "y" . }}"#, &firing_group()), "by");
    std::fs::write(dir.path().join("t/c.tmpl"), "{{ define \"z\" }}\n{{ .Oops }\n{{ end }}").unwrap();
    let err = Templates::load(&["t/*.tmpl".into()], Some(dir.path())).unwrap_err().to_string();
    assert!(err.contains("c.tmpl") && err.contains("c.tmpl:2:"), "{err}");
    let err = Templates::load(&["t/[.tmpl".into()], Some(dir.path())).unwrap_err().to_string();
    assert!(err.contains("invalid templates pattern"), "{err}");
}

#[test]
fn broken_templates_name_the_template_and_position() {
    let t = Templates::builtin();
    let data = template_data(&firing_group());
    let err = t.execute_text("slack[0].title", "ok\n{{ .Status | nosuchfunc }}", &data, NOW).unwrap_err().to_string();
    assert_eq!(
        err,
        "error parsing template slack[0].title: template: slack[0].title:2:14: function \"nosuchfunc\" not defined"
    );
    let err = t.execute_text("slack[0].text", "{{ template \"nope\" . }}", &data, NOW).unwrap_err().to_string();
    assert!(err.contains("template: slack[0].text:1:") && err.contains("template \"nope\" not defined"), "{err}");
    // An error inside a definition of a templates: file names that file and its line.
    let file = "{{ define \"bad\" }}\n  {{ .NoSuchField }}\n{{ end }}";
    let t = Templates::from_sources(&[("team.tmpl".into(), file.into())]).unwrap();
    let err = t.execute_text("slack[0].title", r#"{{ template "bad" . }}"#, &data, NOW).unwrap_err().to_string();
    assert!(err.contains("template: team.tmpl:2:6: executing \"bad\""), "{err}");
    assert!(err.contains("can't evaluate field NoSuchField in type template.Data"), "{err}");
}

#[test]
fn html_fields_escape_values_but_not_safe_html() {
    let t = Templates::builtin();
    let mut d = firing_group();
    d.alerts[0].annotations.insert("summary".into(), "<script>x</script> & co".into());
    d.alerts.truncate(1);
    let data = template_data(&d);
    let out = t
        .execute_html("email[0].html", r#"<p>{{ .CommonAnnotations.summary }}</p>{{ safeHtml "<br>" }}"#, &data, NOW)
        .unwrap();
    assert_eq!(out, "<p>&lt;script&gt;x&lt;/script&gt; &amp; co</p><br>");
    let html = t.execute_html("email[0].html", r#"{{ template "email.default.html" . }}"#, &data, NOW).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.contains("<title>[FIRING:1] HighLatency (api-1:8080 api critical)</title>"), "{html}");
    assert!(html.contains("1 alert for alertname=HighLatency"), "{html}");
    assert!(html.contains("[1] Firing") && !html.contains("Resolved"), "{html}");
    assert!(html.contains("summary = &lt;script&gt;x&lt;/script&gt; &amp; co<br>"), "{html}");
    assert!(html.contains(r#"href="http://prometheus:9090/graph?g0.expr=latency&amp;instance=api-1:8080""#), "{html}");
    assert!(html.contains("View in Alertmanager"), "{html}");
}
