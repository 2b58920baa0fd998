//! One table case per action and rule, following the semantics documented for Prometheus's
//! `<relabel_config>` (and its validation messages).

use super::*;

fn labels(pairs: &[(&str, &str)]) -> LabelSet {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn configs(yaml: &str) -> Vec<RelabelConfig> {
    serde_saphyr::from_str(yaml).unwrap_or_else(|e| panic!("{yaml}\n{e}"))
}

fn config_error(yaml: &str) -> String {
    match serde_saphyr::from_str::<Vec<RelabelConfig>>(yaml) {
        Ok(c) => panic!("expected an error for {yaml}, got {c:?}"),
        Err(e) => e.to_string(),
    }
}

struct Case {
    name: &'static str,
    yaml: &'static str,
    input: &'static [(&'static str, &'static str)],
    output: Option<&'static [(&'static str, &'static str)]>,
}

const CASES: &[Case] = &[
    Case {
        name: "replace with defaults copies the joined source labels",
        yaml: "- source_labels: [a, b]\n  target_label: c\n",
        input: &[("a", "foo"), ("b", "bar")],
        output: Some(&[("a", "foo"), ("b", "bar"), ("c", "foo;bar")]),
    },
    Case {
        name: "replace with capture groups and custom separator",
        yaml: "- source_labels: [a, b]\n  separator: '-'\n  regex: '(f.*)-(b.*)'\n  target_label: c\n  replacement: '${2}_$1'\n",
        input: &[("a", "foo"), ("b", "bar")],
        output: Some(&[("a", "foo"), ("b", "bar"), ("c", "bar_foo")]),
    },
    Case {
        name: "replace does nothing when the anchored regex does not match",
        yaml: "- source_labels: [a]\n  regex: 'oo'\n  target_label: c\n",
        input: &[("a", "foo")],
        output: Some(&[("a", "foo")]),
    },
    Case {
        name: "replace with an empty result deletes the target",
        yaml: "- source_labels: [a]\n  regex: 'foo'\n  target_label: b\n  replacement: ''\n",
        input: &[("a", "foo"), ("b", "x")],
        output: Some(&[("a", "foo")]),
    },
    Case {
        name: "replace with a templated target label",
        yaml: "- source_labels: [a]\n  regex: '(.+)=(.+)'\n  target_label: 'lbl_$1'\n  replacement: '$2'\n",
        input: &[("a", "zone=eu")],
        output: Some(&[("a", "zone=eu"), ("lbl_zone", "eu")]),
    },
    Case {
        name: "replace skips an expanded target label that is not a valid name",
        yaml: "- source_labels: [a]\n  regex: '(.+)'\n  target_label: '$1'\n",
        input: &[("a", "1abc")],
        output: Some(&[("a", "1abc")]),
    },
    Case {
        name: "replace of a missing source label matches the empty string",
        yaml: "- source_labels: [missing]\n  target_label: t\n  replacement: fixed\n",
        input: &[("a", "1")],
        output: Some(&[("a", "1"), ("t", "fixed")]),
    },
    Case {
        name: "the englog blackbox recipe",
        yaml: "- source_labels: [__address__]\n  target_label: __param_target\n- source_labels: [__param_target]\n  target_label: instance\n- target_label: __address__\n  replacement: 127.0.0.1:9090\n",
        input: &[("__address__", "https://englog.com")],
        output: Some(&[
            ("__address__", "127.0.0.1:9090"),
            ("__param_target", "https://englog.com"),
            ("instance", "https://englog.com"),
        ]),
    },
    Case {
        name: "keep keeps a match",
        yaml: "- source_labels: [a]\n  regex: 'fo+'\n  action: keep\n",
        input: &[("a", "foo")],
        output: Some(&[("a", "foo")]),
    },
    Case {
        name: "keep drops a non-match (anchored: partial match is not a match)",
        yaml: "- source_labels: [a]\n  regex: 'fo'\n  action: keep\n",
        input: &[("a", "foo")],
        output: None,
    },
    Case {
        name: "drop drops a match",
        yaml: "- source_labels: [a, b]\n  regex: 'foo;.*'\n  action: drop\n",
        input: &[("a", "foo"), ("b", "x")],
        output: None,
    },
    Case {
        name: "drop keeps a non-match; action names are case-insensitive",
        yaml: "- source_labels: [a]\n  regex: 'bar'\n  action: DROP\n",
        input: &[("a", "foo")],
        output: Some(&[("a", "foo")]),
    },
    Case {
        name: "keepequal keeps when the target label equals the joined sources",
        yaml: "- source_labels: [a]\n  target_label: b\n  action: keepequal\n",
        input: &[("a", "x"), ("b", "x")],
        output: Some(&[("a", "x"), ("b", "x")]),
    },
    Case {
        name: "keepequal drops when they differ",
        yaml: "- source_labels: [a]\n  target_label: b\n  action: keepequal\n",
        input: &[("a", "x"), ("b", "y")],
        output: None,
    },
    Case {
        name: "dropequal drops when equal",
        yaml: "- source_labels: [a]\n  target_label: b\n  action: dropequal\n",
        input: &[("a", "x"), ("b", "x")],
        output: None,
    },
    Case {
        name: "dropequal keeps when they differ",
        yaml: "- source_labels: [a]\n  target_label: b\n  action: dropequal\n",
        input: &[("a", "x"), ("b", "y")],
        output: Some(&[("a", "x"), ("b", "y")]),
    },
    Case {
        // md5("foo") = acbd18db4cc2f85cedef654fccc4a4d8; last 8 bytes 0xedef654fccc4a4d8 % 10 = 6
        // (17145559209063138520 mod 10), as Prometheus computes it.
        name: "hashmod takes the last 8 bytes of the md5 sum modulo modulus",
        yaml: "- source_labels: [a]\n  modulus: 10\n  target_label: shard\n  action: hashmod\n",
        input: &[("a", "foo")],
        output: Some(&[("a", "foo"), ("shard", "0")]),
    },
    Case {
        name: "labelmap copies matching label names with the replacement",
        yaml: "- regex: '__meta_kubernetes_pod_label_(.+)'\n  action: labelmap\n",
        input: &[("__meta_kubernetes_pod_label_app", "web"), ("__meta_other", "x")],
        output: Some(&[("__meta_kubernetes_pod_label_app", "web"), ("__meta_other", "x"), ("app", "web")]),
    },
    Case {
        name: "labeldrop removes matching names",
        yaml: "- regex: 'tmp_.*'\n  action: labeldrop\n",
        input: &[("tmp_a", "1"), ("tmp_b", "2"), ("keep", "3")],
        output: Some(&[("keep", "3")]),
    },
    Case {
        name: "labelkeep removes non-matching names",
        yaml: "- regex: '__name__|job'\n  action: labelkeep\n",
        input: &[("__name__", "up"), ("job", "j"), ("instance", "i")],
        output: Some(&[("__name__", "up"), ("job", "j")]),
    },
    Case {
        name: "lowercase",
        yaml: "- source_labels: [a]\n  target_label: b\n  action: lowercase\n",
        input: &[("a", "FoO")],
        output: Some(&[("a", "FoO"), ("b", "foo")]),
    },
    Case {
        name: "uppercase",
        yaml: "- source_labels: [a]\n  target_label: b\n  action: uppercase\n",
        input: &[("a", "FoO")],
        output: Some(&[("a", "FoO"), ("b", "FOO")]),
    },
    Case {
        name: "steps run in order and stop at a drop",
        yaml: "- source_labels: [a]\n  target_label: b\n- source_labels: [b]\n  regex: foo\n  action: drop\n- target_label: never\n  replacement: set\n",
        input: &[("a", "foo")],
        output: None,
    },
];

#[test]
fn every_action_follows_prometheus_semantics() {
    for case in CASES {
        let cfgs = configs(case.yaml);
        let got = process(labels(case.input), &cfgs);
        let want = case.output.map(labels);
        if case.name.starts_with("hashmod") {
            // Computed independently here so the expectation is not copied from the code under test.
            let n = u64::from_str_radix("edef654fccc4a4d8", 16).unwrap() % 10;
            let mut w = labels(case.input);
            w.insert("shard".into(), n.to_string());
            assert_eq!(got, Some(w), "{}", case.name);
            continue;
        }
        assert_eq!(got, want, "{}", case.name);
    }
}

#[test]
fn validation_rejects_what_prometheus_rejects() {
    let cases = [
        ("- action: hashmod\n  target_label: x\n", "hashmod requires non-zero modulus"),
        ("- source_labels: [a]\n  action: replace\n", "replace action requires 'target_label' value"),
        ("- source_labels: [a]\n  target_label: 1bad\n", "\"1bad\" is invalid 'target_label' for replace action"),
        (
            "- source_labels: [a]\n  target_label: b\n  action: lowercase\n  replacement: x\n",
            "'replacement' can not be set for lowercase action",
        ),
        (
            "- source_labels: [a]\n  target_label: b\n  action: keepequal\n  regex: x\n",
            "keepequal action requires only 'source_labels'",
        ),
        ("- source_labels: [a]\n  regex: x\n  action: labeldrop\n", "labeldrop action requires only 'regex'"),
        ("- regex: x\n  action: labelmap\n  replacement: 'a-b'\n", "is invalid 'replacement' for labelmap action"),
        ("- action: explode\n", "unknown relabel action \"explode\""),
        ("- action: ''\n", "relabel action cannot be empty"),
        ("- source_labels: [a]\n  target_label: b\n  regex: '(unclosed'\n", "invalid regex \"(unclosed\""),
        ("- source_labels: [a]\n  target_label: b\n  colour: red\n", "colour"),
        ("- source_labels: ['a-b']\n  target_label: b\n", "not a valid label name in source_labels"),
    ];
    for (yaml, want) in cases {
        let err = config_error(yaml);
        assert!(err.contains(want), "{yaml}: {err}");
        assert!(err.contains("line"), "error should carry a position: {err}");
    }
}

proptest::proptest! {
    /// labelkeep and labeldrop with the same regex partition the label set.
    #[test]
    fn labelkeep_and_labeldrop_partition(names in proptest::collection::btree_set("[a-e_]{1,4}", 0..8), re in "[a-e]\\.\\*|\\.\\*[a-e]|[a-e_]{1,3}") {
        let input: LabelSet = names.iter().map(|n| (n.clone(), "v".to_string())).collect();
        let keep = configs(&format!("- regex: '{re}'\n  action: labelkeep\n"));
        let drop = configs(&format!("- regex: '{re}'\n  action: labeldrop\n"));
        let kept = process(input.clone(), &keep).unwrap();
        let dropped = process(input.clone(), &drop).unwrap();
        proptest::prop_assert_eq!(kept.len() + dropped.len(), input.len());
        for k in kept.keys() { proptest::prop_assert!(!dropped.contains_key(k)); }
    }

    /// hashmod always yields a value below the modulus.
    #[test]
    fn hashmod_is_below_modulus(value in ".{0,20}", modulus in 1u64..1000) {
        let cfg = configs(&format!("- source_labels: [a]\n  modulus: {modulus}\n  target_label: h\n  action: hashmod\n"));
        let out = process(labels(&[("a", &value)]), &cfg).unwrap();
        let h: u64 = out["h"].parse().unwrap();
        proptest::prop_assert!(h < modulus);
    }
}
