//! Fuzzes the Go-template engine: parsing and expanding any text as an alert template gives
//! a string or an error naming the problem, never a panic or a runaway loop.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let labels: templates::LabelPairs = [("instance".to_string(), "a:1".to_string())].into_iter().collect();
    let external = templates::LabelPairs::new();
    let d = templates::AlertTemplateData { labels: &labels, external_labels: &external, external_url: "http://x", value: 1.5 };
    let _ = templates::expand_alert_template("fuzz", text, &d, 0, None);
});
