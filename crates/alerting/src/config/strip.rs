//! Taking the `vigil:` section out of alertmanager.yml's text. `/api/v2/status` shows the config
//! to tools that re-parse it with Alertmanager's own strict loader (`amtool config routes`),
//! which rejects unknown top-level keys, so what it shows must be the file without Vigil's
//! section. The section is cut out line by line so comments and layout survive; when the
//! file is written in a way the line cut cannot be proven right for (flow style, a quoted key,
//! anchors shared with the rest of the file), the file is re-encoded without the key instead.

use serde_json::Value;

/// The key of Vigil's section.
pub const KEY: &str = "vigil";

/// The file without its `vigil:` section, and the section's own text (`None`: there is none).
pub fn split(text: &str) -> (String, Option<String>) {
    let Ok(full) = serde_saphyr::from_str::<Value>(text) else {
        return (text.to_string(), None);
    };
    if full.get(KEY).is_none() {
        return (text.to_string(), None);
    }
    let mut expected = full.clone();
    if let Value::Object(map) = &mut expected {
        map.remove(KEY);
    }
    if let Some((rest, section)) = cut_lines(text) {
        let same =
            serde_saphyr::from_str::<Value>(&rest).ok().map(|v| null_is_empty(v) == null_is_empty(expected.clone()));
        if same == Some(true) {
            return (rest, Some(section));
        }
    }
    let section = full.get(KEY).map(|v| {
        let mut m = serde_json::Map::new();
        m.insert(KEY.to_string(), v.clone());
        serde_saphyr::to_string(&Value::Object(m)).unwrap_or_default()
    });
    let rest = match &expected {
        Value::Object(m) if m.is_empty() => String::new(),
        v => serde_saphyr::to_string(v).unwrap_or_default(),
    };
    (rest, section)
}

/// An empty document parses as null; a file that held nothing but `vigil:` leaves one.
fn null_is_empty(v: Value) -> Value {
    if v.is_null() { Value::Object(serde_json::Map::new()) } else { v }
}

/// Whether a line opens the top-level `vigil` key (`vigil:`, `vigil: {…}`, `vigil:  # …`).
fn opens_section(line: &str) -> bool {
    let Some(rest) = line.strip_prefix(KEY) else { return false };
    let Some(after) = rest.strip_prefix(':') else { return false };
    after.is_empty() || after.starts_with([' ', '\t', '\r', '\n'])
}

fn is_top_level_content(line: &str) -> bool {
    let t = line.trim_end();
    !t.is_empty() && !t.starts_with([' ', '\t', '#'])
}

/// Removes the section: its key line, then every line until the next line that starts in the
/// first column with content. Blank and first-column comment lines just before that next key
/// belong to it and stay.
fn cut_lines(text: &str) -> Option<(String, String)> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let start = lines.iter().position(|l| opens_section(l))?;
    let mut end = start + 1;
    let mut last_body = start;
    while end < lines.len() && !is_top_level_content(lines[end]) {
        let t = lines[end].trim_end();
        // Comments and blank lines belong to the section only if more of it follows.
        if t.starts_with([' ', '\t']) && !t.trim_start().starts_with('#') {
            last_body = end;
        }
        end += 1;
    }
    // Trailing blank lines and comments after the section's last line go with what follows.
    let cut_end = if end == lines.len() { end } else { last_body + 1 };
    let section: String = lines[start..cut_end].concat();
    let rest: String = lines[..start].concat() + &lines[cut_end..].concat();
    Some((rest, section))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_the_section_and_keeps_the_rest_as_written() {
        let text = "# head\nroute:\n  receiver: r  # keep me\nvigil:\n  escalations:\n# inside\n    - name: x\n\n# about receivers\nreceivers:\n  - name: r\n";
        let (rest, section) = split(text);
        assert_eq!(rest, "# head\nroute:\n  receiver: r  # keep me\n\n# about receivers\nreceivers:\n  - name: r\n");
        assert_eq!(section.as_deref(), Some("vigil:\n  escalations:\n# inside\n    - name: x\n"));
    }

    #[test]
    fn section_at_the_end_or_alone() {
        let (rest, section) = split("route:\n  receiver: r\nvigil:\n  recurring_silences: []\n");
        assert_eq!(rest, "route:\n  receiver: r\n");
        assert_eq!(section.as_deref(), Some("vigil:\n  recurring_silences: []\n"));
        let (rest, _) = split("vigil: {escalations: []}\n");
        assert_eq!(rest, "");
    }

    #[test]
    fn files_without_the_section_are_untouched() {
        let text = "route:\n  receiver: r\n# vigil: is not here\nvigilant: true\n";
        assert_eq!(split(text), (text.to_string(), None));
    }

    #[test]
    fn unusual_layouts_fall_back_to_re_encoding() {
        let text = "{route: {receiver: r}, vigil: {escalations: []}, receivers: [{name: r}]}\n";
        let (rest, section) = split(text);
        assert!(!rest.contains("vigil"), "{rest}");
        assert!(rest.contains("receiver: r"), "{rest}");
        assert!(section.unwrap().contains("escalations"));
        let quoted = "route:\n  receiver: r\n\"vigil\":\n  escalations: []\n";
        let (rest, _) = split(quoted);
        assert!(!rest.contains("vigil") && rest.contains("receiver: r"), "{rest}");
    }
}
