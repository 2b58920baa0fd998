//! The `http_config_parse` fuzz corpus (fuzz/corpus/http_config_parse) runs as a normal test, so
//! every input the fuzzer was seeded with, and every crash input added there, is checked on
//! each test run without nightly Rust.

#[test]
fn corpus_inputs_parse_or_fail_without_panicking() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/http_config_parse");
    let entries: Vec<_> = std::fs::read_dir(&dir).expect("corpus directory").flatten().collect();
    assert!(entries.len() >= 5, "corpus is missing: {}", dir.display());
    for entry in entries {
        let bytes = std::fs::read(entry.path()).expect("read corpus file");
        if let Ok(text) = std::str::from_utf8(&bytes) {
            promconfig::fuzz_one(text);
        }
    }
    // The seeds themselves are meaningful: the proxy and OAuth2 seed is a valid block.
    let seed = std::fs::read_to_string(dir.join("oauth2_proxy.yml")).expect("seed");
    let cfg: promconfig::HttpClientConfig = serde_saphyr::from_str(&seed).expect("seed parses");
    assert_eq!(cfg.validate(), Ok(()));
}
