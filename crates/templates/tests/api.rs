//! The public API as the rules engine uses it: load-time checks, expansion, error
//! reporting, strict missing-label mode, Go float formatting.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use common::{FakeQueries, alert_labels, data, external_labels, labels};
use templates::{
    AlertTemplateData, Callable, ExecOptions, LabelPairs, MissingKey, PreparedAlertTemplate, Struct, Template,
    TemplateError, Value, alert_functions, check_alert_template, expand_alert_template, format_go_float,
};

fn expand(text: &str, value: f64) -> Result<String, TemplateError> {
    let (l, e) = (alert_labels(), external_labels());
    expand_alert_template("__alert_HighLoad", text, &data(&l, &e, value), 1_700_000_000_000, Some(&FakeQueries))
}

fn parse_error(text: &str) -> String {
    match check_alert_template("__alert_HighLoad", text) {
        Ok(()) => panic!("{text:?} parsed"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn go_float_formatting_table() {
    let table = [
        (1e6, "1e+06"),
        (1e21, "1e+21"),
        (0.0001, "0.0001"),
        (1e-05, "1e-05"),
        (123456789.0, "1.23456789e+08"),
        (123456.0, "123456"),
        (-0.5, "-0.5"),
        (0.5, "0.5"),
        (0.0, "0"),
        (-0.0, "-0"),
        (100.0, "100"),
        (1.5e300, "1.5e+300"),
        (5e-324, "5e-324"),
        (f64::MAX, "1.7976931348623157e+308"),
        (0.1 + 0.2, "0.30000000000000004"),
        (f64::NAN, "NaN"),
        (f64::INFINITY, "+Inf"),
        (f64::NEG_INFINITY, "-Inf"),
    ];
    for (v, want) in table {
        assert_eq!(format_go_float(v), want, "format_go_float({v:e})");
    }
}

#[test]
fn valid_templates_pass_the_load_check() {
    for text in [
        "{{ $labels.instance }} of {{ $labels.job }} is down",
        "{{ $value | humanizePercentage }} {{ $externalLabels.cluster }} {{ $externalURL }}",
        "{{ with query \"up\" }}{{ . | first | value | humanize }}{{ end }}",
        "{{ define \"x\" }}{{ . }}{{ end }}{{ template \"x\" .Value }}",
        "plain text",
        "",
    ] {
        assert!(check_alert_template("__alert_X", text).is_ok(), "{text:?}");
    }
}

#[test]
fn parse_errors_name_problem_and_position() {
    assert_eq!(
        parse_error("{{ humanise $value }}"),
        "error parsing template __alert_HighLoad: template: __alert_HighLoad:1:4: function \"humanise\" not defined"
    );
    assert_eq!(
        parse_error("{{ $labels.job | 1 }}"),
        "error parsing template __alert_HighLoad: template: __alert_HighLoad:1:18: non executable command in pipeline stage 2"
    );
    assert_eq!(
        parse_error("ok\n{{ $value "),
        "error parsing template __alert_HighLoad: template: __alert_HighLoad:2:11: unclosed action"
    );
    assert_eq!(
        parse_error("{{ $labels.job }"),
        "error parsing template __alert_HighLoad: template: __alert_HighLoad:1:16: unexpected \"}\" in operand"
    );
    assert_eq!(
        parse_error("{{ if $value }}x"),
        "error parsing template __alert_HighLoad: template: __alert_HighLoad:1:17: unexpected EOF"
    );
    assert_eq!(
        parse_error("{{ $nope }}"),
        "error parsing template __alert_HighLoad: template: __alert_HighLoad:1:4: undefined variable \"$nope\""
    );
    assert!(parse_error("{{ printf \"%d\" (len $labels }}").ends_with("unclosed left paren"));
    assert!(parse_error("{{ \"abc }}").ends_with("unterminated quoted string"));
    assert!(parse_error("{{ end }}").ends_with("unexpected {{end}}"));
    assert!(parse_error("{{ else }}").ends_with("unexpected {{else}}"));
    assert!(parse_error("{{ break }}").ends_with("{{break}} outside {{range}}"));
    assert!(parse_error("{{ .Value | }").ends_with("unexpected \"}\" in command"));
    assert!(parse_error("{{ 12abc }}").ends_with("bad number syntax: \"12a\""));
    assert!(parse_error("{{ $x := }}").ends_with("missing value for command"));
    assert!(parse_error("{{/* never closed").ends_with("unclosed comment"));
    // Defines have their own scope: the preamble variables are not visible there.
    assert!(parse_error("{{ define \"d\" }}{{ $value }}{{ end }}").ends_with("undefined variable \"$value\""));
}

#[test]
fn parse_error_variant_carries_position() {
    match check_alert_template("__alert_X", "line one\n  {{ nosuch }}") {
        Err(TemplateError::Parse { name, line, col, message }) => {
            assert_eq!((name.as_str(), line, col), ("__alert_X", 2, 6));
            assert_eq!(message, "function \"nosuch\" not defined");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn render_errors_are_clear() {
    assert_eq!(
        expand("{{ humanize \"abc\" }}", 1.0).unwrap_err().to_string(),
        "error executing template __alert_HighLoad: template: __alert_HighLoad:1:4: executing \"__alert_HighLoad\" at \
         <humanize \"abc\">: error calling humanize: strconv.ParseFloat: parsing \"abc\": invalid syntax"
    );
    assert_eq!(
        expand("a\n  {{ index (query \"up\") 3 }}", 1.0).unwrap_err().to_string(),
        "error executing template __alert_HighLoad: template: __alert_HighLoad:2:6: executing \"__alert_HighLoad\" at \
         <index (query \"up\") 3>: error calling index: index out of range: 3"
    );
    let err = expand("{{ define \"d\" }}{{ humanize . }}{{ end }}{{ template \"d\" true }}", 1.0).unwrap_err();
    assert!(
        err.to_string()
            .contains("executing \"d\" at <humanize .>: error calling humanize: can't convert bool to float")
    );
}

#[test]
fn query_without_runner_fails_clearly() {
    let (l, e) = (alert_labels(), external_labels());
    let err = expand_alert_template("__alert_X", "{{ query \"up\" }}", &data(&l, &e, 1.0), 0, None).unwrap_err();
    assert!(err.to_string().ends_with("error calling query: no query engine is available to this template"), "{err}");
}

#[test]
fn query_errors_are_reported() {
    let err = expand("{{ query \"bad(\" }}", 1.0).unwrap_err();
    assert!(err.to_string().ends_with("error calling query: unexpected query \"bad(\""), "{err}");
}

#[test]
fn query_results_support_fields_and_helpers() {
    assert_eq!(
        expand("{{ range query \"up\" }}{{ .Labels.job }}={{ .Value }} {{ end }}", 1.0).unwrap(),
        "node=1 api=0 db=1 "
    );
    assert_eq!(expand("{{ with query \"up\" }}{{ . | first | value | humanize }}{{ end }}", 1.0).unwrap(), "1");
    assert_eq!(
        expand("{{ range sortByLabel \"instance\" (query \"up\") }}{{ label \"job\" . }} {{ end }}", 1.0).unwrap(),
        "db api node "
    );
}

#[test]
fn missing_label_is_empty_in_prometheus_mode_and_an_error_in_strict_mode() {
    let text = "{{ $labels.instance }}/[{{ $labels.severity }}]";
    assert_eq!(expand(text, 1.0).unwrap(), "host.example.com:9090/[]");

    let (l, e) = (alert_labels(), external_labels());
    let prepared = PreparedAlertTemplate::parse("__alert_HighLoad", text).unwrap();
    let err = prepared.expand_with(&data(&l, &e, 1.0), 0, None, MissingKey::Error).unwrap_err();
    match &err {
        TemplateError::MissingKey { key, node, line, col, .. } => {
            assert_eq!((key.as_str(), node.as_str(), *line, *col), ("severity", "$labels.severity", 1, 28));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "error executing template __alert_HighLoad: template: __alert_HighLoad:1:28: executing \"__alert_HighLoad\" at \
         <$labels.severity>: map has no entry for key \"severity\""
    );
    // Go's default mode prints "<no value>".
    assert_eq!(
        prepared.expand_with(&data(&l, &e, 1.0), 0, None, MissingKey::Invalid).unwrap(),
        "host.example.com:9090/[<no value>]"
    );
}

#[test]
fn prepared_template_is_reused_across_alerts() {
    let prepared =
        PreparedAlertTemplate::parse("__alert_X", "{{ $labels.instance }}: {{ $value | humanize }}").unwrap();
    assert_eq!(prepared.name(), "__alert_X");
    let external = LabelPairs::new();
    for (instance, value, want) in [("a", 1234.0, "a: 1.234k"), ("b", 0.001, "b: 1m"), ("c", f64::NAN, "c: NaN")] {
        let l = labels(&[("instance", instance)]);
        let d = AlertTemplateData { labels: &l, external_labels: &external, external_url: "", value };
        assert_eq!(prepared.expand(&d, 0, None).unwrap(), want);
    }
}

#[test]
fn static_text_is_returned_as_is() {
    let prepared = PreparedAlertTemplate::parse("__alert_X", "critical").unwrap();
    assert_eq!(prepared.template().static_text(), Some("critical"));
    let (l, e) = (alert_labels(), external_labels());
    assert_eq!(prepared.expand(&data(&l, &e, 1.0), 0, None).unwrap(), "critical");
}

#[test]
fn now_is_the_evaluation_time() {
    assert_eq!(
        expand("{{ now }} {{ now | humanizeTimestamp }}", 1.0).unwrap(),
        "1.7e+09 2023-11-14 22:13:20 +0000 UTC"
    );
}

#[test]
fn output_is_not_html_escaped() {
    assert_eq!(expand("<b>{{ \"<&>\" }}</b> {{ safeHtml \"<i>\" }}", 1.0).unwrap(), "<b><&></b> <i>");
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let nested = |n: usize| format!("{}x{}", "{{ if true }}".repeat(n), "{{ end }}".repeat(n));
    assert_eq!(expand(&nested(100), 1.0).unwrap(), "x");
    assert!(parse_error(&nested(10_000)).ends_with("template nesting exceeds 100 levels"));
    let parens = |n: usize| format!("{{{{ {}1{} }}}}", "(".repeat(n), ")".repeat(n));
    assert_eq!(expand(&parens(100), 1.0).unwrap(), "1");
    assert!(parse_error(&parens(10_000)).ends_with("template nesting exceeds 100 levels"));
    // Nesting inside recursive templates counts towards the execution depth.
    let text = format!(
        "{{{{ define \"r\" }}}}{}{{{{ template \"r\" . }}}}{}{{{{ end }}}}{{{{ template \"r\" . }}}}",
        "{{ if true }}".repeat(90),
        "{{ end }}".repeat(90)
    );
    assert!(expand(&text, 1.0).unwrap_err().to_string().ends_with("exceeded maximum template depth (200)"));
}

#[test]
fn recursion_is_bounded() {
    let err = expand("{{ define \"r\" }}{{ template \"r\" . }}{{ end }}{{ template \"r\" . }}", 1.0).unwrap_err();
    assert!(err.to_string().ends_with("exceeded maximum template depth (200)"), "{err}");
}

/// 4^12 ≈ 16.7M nested template calls.
fn exponential_template() -> String {
    let mut text = String::from("{{ define \"l0\" }}x{{ end }}");
    for i in 1..=12 {
        let p = i - 1;
        let call = format!("{{{{ template \"l{p}\" }}}}");
        text.push_str(&format!("{{{{ define \"l{i}\" }}}}{call}{call}{call}{call}{{{{ end }}}}"));
    }
    text.push_str("{{ template \"l12\" }}");
    text
}

#[test]
fn runaway_templates_stop_at_the_step_limit() {
    let t = Template::parse("t", &exponential_template(), Arc::new(alert_functions()), &[]).unwrap();
    let options = ExecOptions { step_limit: Some(100_000), ..ExecOptions::default() };
    match t.execute(&Value::Nil, &options) {
        Err(err) => assert!(err.to_string().contains("exceeded 100000 steps"), "{err}"),
        Ok(out) => panic!("expanded to {} bytes instead of failing", out.len()),
    }
}

#[test]
fn lower_level_api_with_custom_data_and_call() {
    let double = Callable(Arc::new(|args: &[Value]| match args {
        [Value::Int(n)] => Ok(Value::Int(n * 2)),
        _ => Err(templates::FuncError::External("want one int".into())),
    }));
    let data = Value::Struct(Arc::new(Struct {
        type_name: Arc::from("main.Data"),
        fields: vec![
            (Arc::from("Double"), Value::Func(double)),
            (Arc::from("Items"), Value::List(Arc::from(vec![Value::str("a"), Value::str("b")]))),
            (Arc::from("Meta"), Value::Map(Arc::new(BTreeMap::from([("k".to_string(), Value::Float(2.5))])))),
        ],
    }));
    let funcs = Arc::new(alert_functions());
    let t = Template::parse(
        "t",
        "{{ call .Double 21 }} {{ range $i, $x := .Items }}{{ $i }}{{ $x }}{{ end }} {{ .Meta.k }} [{{ .Meta.nope }}]",
        funcs.clone(),
        &[],
    )
    .unwrap();
    assert_eq!(t.execute(&data, &ExecOptions::default()).unwrap(), "42 0a1b 2.5 [<no value>]");
    let t = Template::parse("t", "{{ call .Double \"x\" }}", funcs, &[]).unwrap();
    assert!(
        t.execute(&data, &ExecOptions::default())
            .unwrap_err()
            .to_string()
            .ends_with("error calling call: want one int")
    );
}

#[test]
fn no_panics_on_truncated_or_odd_input() {
    let full = "{{- define \"d\" -}}{{ range $i, $s := query \"up\" }}{{ if eq $i 1 }}{{ break }}{{ end }}\
                {{ $s.Labels.job | printf \"%-5s|%q\" 'é' }}{{ else }}none{{ end }}{{- end -}}\
                {{ with $x := $labels.instance }}{{ $x | stripDomain | title }}{{ end }}{{ if gt $value 1.5 }}é{{ else if lt $value 0.0 }}n{{ end }}\
                {{ template \"d\" . }} {{/* c */}} {{ (index $labels \"job\") | len | humanize1024 }} {{ `raw` }}";
    let (l, e) = (alert_labels(), external_labels());
    let d = data(&l, &e, 2.0);
    let cut_points = full.char_indices().map(|(i, _)| i).chain([full.len()]);
    for cut in cut_points {
        for text in [&full[..cut], &full[cut..]] {
            let _ = expand_alert_template("__alert_X", text, &d, 0, Some(&FakeQueries));
        }
    }
    let result = expand_alert_template("__alert_X", full, &d, 0, Some(&FakeQueries));
    assert!(result.is_ok(), "{result:?}");
}
