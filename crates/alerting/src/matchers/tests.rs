use super::*;

fn ls(pairs: &[(&str, &str)]) -> LabelSet {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn one(s: &str) -> Matcher {
    parse_matcher(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

#[test]
fn parses_every_operator_quoted_and_unquoted() {
    let cases = [
        (r#"foo="bar""#, "foo", MatchOp::Equal, "bar"),
        (r#"foo!="bar""#, "foo", MatchOp::NotEqual, "bar"),
        (r#"foo=~"b.*""#, "foo", MatchOp::Regex, "b.*"),
        (r#"foo!~"b.*""#, "foo", MatchOp::NotRegex, "b.*"),
        ("foo=bar", "foo", MatchOp::Equal, "bar"),
        ("foo!=bar", "foo", MatchOp::NotEqual, "bar"),
        ("foo=~bar|baz", "foo", MatchOp::Regex, "bar|baz"),
        ("  foo  =  bar  ", "foo", MatchOp::Equal, "bar"),
        ("foo=", "foo", MatchOp::Equal, ""),
        (r#"foo="""#, "foo", MatchOp::Equal, ""),
        (r#"a:b_c="x""#, "a:b_c", MatchOp::Equal, "x"),
        (r#"foo="with \"quotes\" and \\ and \n""#, "foo", MatchOp::Equal, "with \"quotes\" and \\ and \n"),
        (r#"foo="stray \x backslash""#, "foo", MatchOp::Equal, "stray \\x backslash"),
        (r#"foo=trailing\"#, "foo", MatchOp::Equal, "trailing\\"),
        (r#"foo="unicode ✓""#, "foo", MatchOp::Equal, "unicode ✓"),
    ];
    for (input, name, op, value) in cases {
        let m = one(input);
        assert_eq!((m.name.as_str(), m.op, m.value.as_str()), (name, op, value), "{input}");
    }
}

#[test]
fn rejects_bad_matchers_with_the_reason() {
    let cases = [
        ("=bar", "label name"),
        ("1foo=bar", "label name"),
        ("foo", "one of =, !=, =~, !~"),
        (r#"foo="bar"#, "never closed"),
        (r#"foo=ba"r"#, "unescaped double quote"),
        (r#"foo="a"b""#, "unescaped double quote"),
        (r#"foo=~"(""#, "invalid regular expression"),
    ];
    for (input, why) in cases {
        match parse_matcher(input) {
            Ok(m) => panic!("{input} parsed as {m}"),
            Err(e) => {
                assert!(e.0.contains(why), "{input}: {e}");
                assert!(e.0.contains(input) || e.0.contains("\"(\""), "error names the matcher: {e}");
            }
        }
    }
}

#[test]
fn second_equals_sign_belongs_to_the_value() {
    // Alertmanager's regex takes the first operator; `foo==bar` means foo equals "=bar".
    assert_eq!(one("foo==bar").value, "=bar");
}

#[test]
fn parses_lists_like_amtool_and_config() {
    let ms = parse_matchers(r#"{foo = "bar", dings != "bums", }"#).unwrap();
    assert_eq!(ms.len(), 2);
    assert_eq!(ms[1].to_string(), r#"dings!="bums""#);
    let ms = parse_matchers("foo=bar,dings!=bums").unwrap();
    assert_eq!(ms.len(), 2);
    let ms = parse_matchers(r#"{quote="She said: \"Hi, ladies! That's gender-neutral…\""}"#).unwrap();
    assert_eq!(ms.len(), 1);
    assert_eq!(ms[0].value, "She said: \"Hi, ladies! That's gender-neutral…\"");
    let ms = parse_matchers(r#"statuscode=~"5..""#).unwrap();
    assert!(ms[0].matches(&ls(&[("statuscode", "503")])));
    let ms = parse_matchers(r#"a="x,y",b=~"1|2""#).unwrap();
    assert_eq!(ms.len(), 2);
    assert_eq!(ms[0].value, "x,y");
    assert!(parse_matchers("{}").unwrap().is_empty());
    assert!(parse_matchers("").unwrap().is_empty());
    let err = parse_matchers(r#"a="1", b"#).unwrap_err();
    assert!(err.0.contains(": b:"), "{err}");
}

#[test]
fn regexes_are_anchored() {
    let m = one(r#"job=~"api""#);
    assert!(m.matches(&ls(&[("job", "api")])));
    assert!(!m.matches(&ls(&[("job", "api-server")])));
    assert!(!m.matches(&ls(&[("job", "my-api")])));
    let m = one(r#"job=~"api|web""#);
    assert!(m.matches(&ls(&[("job", "web")])));
    assert!(!m.matches(&ls(&[("job", "webx")])));
    let m = one(r#"job!~"api.*""#);
    assert!(!m.matches(&ls(&[("job", "api-server")])));
    assert!(m.matches(&ls(&[("job", "db")])));
}

#[test]
fn missing_labels_read_as_empty() {
    let labels = ls(&[("a", "1")]);
    assert!(one(r#"b="""#).matches(&labels));
    assert!(!one(r#"b="x""#).matches(&labels));
    assert!(one(r#"b!="x""#).matches(&labels));
    assert!(one(r#"b=~".*""#).matches(&labels));
    assert!(!one(r#"b=~".+""#).matches(&labels));
    assert!(one(r#"b=~".*""#).matches_empty());
    assert!(!one(r#"b!="""#).matches_empty());
    assert!(one(r#"b="""#).matches_empty());
}

#[test]
fn display_sort_and_api_flags() {
    let mut ms = Matchers(parse_matchers(r#"b=~"x", a="2", a="1", a!="1""#).unwrap());
    ms.sort();
    assert_eq!(ms.to_string(), r#"{a="1",a!="1",a="2",b=~"x"}"#);
    assert_eq!(one("x=\"a\\\"b\"").to_string(), r#"x="a\"b""#);
    assert_eq!(MatchOp::from_flags(true, false), MatchOp::NotRegex);
    assert_eq!(MatchOp::from_flags(false, true), MatchOp::Equal);
    assert!(MatchOp::Regex.is_regex() && MatchOp::Regex.is_equal());
    assert!(Matchers::default().matches(&ls(&[("a", "1")])));
}
