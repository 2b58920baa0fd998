//! A per-probe set of gauges rendered in the Prometheus text format 0.0.4, ordered the way
//! client_golang's registry gathers them (families by name, series by label values), so the
//! output reads like blackbox_exporter's.

use std::collections::BTreeMap;
use std::fmt::Write as _;

#[derive(Debug, Default)]
struct Family {
    help: &'static str,
    /// Label values in the family's label-name order → value.
    series: BTreeMap<Vec<String>, f64>,
    label_names: &'static [&'static str],
}

/// The gauges one probe produced. Registering a gauge makes its series appear (at 0) even when
/// it is never set, which is how blackbox reports "this phase did not happen".
#[derive(Debug, Default)]
pub struct ProbeMetrics {
    families: BTreeMap<&'static str, Family>,
}

impl ProbeMetrics {
    /// Registers a label-less gauge at 0 (keeps the current value when already registered).
    pub fn register(&mut self, name: &'static str, help: &'static str) {
        let family = self.families.entry(name).or_insert_with(|| Family { help, ..Default::default() });
        family.series.entry(Vec::new()).or_insert(0.0);
    }

    /// Registers a gauge family with labels but no series yet.
    pub fn register_vec(&mut self, name: &'static str, help: &'static str, label_names: &'static [&'static str]) {
        self.families.entry(name).or_insert_with(|| Family { help, label_names, series: BTreeMap::new() });
    }

    /// Sets a label-less gauge, registering it if needed.
    pub fn set(&mut self, name: &'static str, help: &'static str, value: f64) {
        self.register(name, help);
        if let Some(f) = self.families.get_mut(name) {
            f.series.insert(Vec::new(), value);
        }
    }

    /// Adds to a series of a labelled family (creating the series at 0 first).
    pub fn add_labeled(&mut self, name: &'static str, values: &[&str], delta: f64) {
        if let Some(f) = self.families.get_mut(name) {
            let key: Vec<String> = values.iter().map(|v| v.to_string()).collect();
            *f.series.entry(key).or_insert(0.0) += delta;
        }
    }

    /// Sets a series of a labelled family.
    pub fn set_labeled(&mut self, name: &'static str, values: &[&str], value: f64) {
        if let Some(f) = self.families.get_mut(name) {
            f.series.insert(values.iter().map(|v| v.to_string()).collect(), value);
        }
    }

    /// Renders the text exposition format 0.0.4.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (name, family) in &self.families {
            if family.series.is_empty() {
                continue;
            }
            let _ = writeln!(out, "# HELP {name} {}", escape_help(family.help));
            let _ = writeln!(out, "# TYPE {name} gauge");
            // client_golang sorts a series' labels by name, and series by those sorted values.
            let mut rows: Vec<(Vec<(&str, &String)>, f64)> = family
                .series
                .iter()
                .map(|(values, value)| {
                    let mut pairs: Vec<(&str, &String)> = family.label_names.iter().copied().zip(values).collect();
                    pairs.sort();
                    (pairs, *value)
                })
                .collect();
            rows.sort_by(|a, b| a.0.iter().map(|p| p.1).cmp(b.0.iter().map(|p| p.1)));
            for (pairs, value) in &rows {
                out.push_str(name);
                if !pairs.is_empty() {
                    out.push('{');
                    for (i, (label, v)) in pairs.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        let _ = write!(out, "{label}=\"{}\"", escape_label_value(v));
                    }
                    out.push('}');
                }
                let _ = writeln!(out, " {}", format_go_float(*value));
            }
        }
        out
    }
}

fn escape_help(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\n', "\\n")
}

fn escape_label_value(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\n', "\\n").replace('"', "\\\"")
}

/// Formats like Go's `strconv.FormatFloat(v, 'g', -1, 64)`, which client_golang uses: shortest
/// digits, exponent form when the decimal exponent is below -4 or at least 6.
pub fn format_go_float(v: f64) -> String {
    if v.is_nan() {
        return "NaN".to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    let sci = format!("{v:e}");
    let Some((mantissa, exp)) = sci.split_once('e') else { return v.to_string() };
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    } else {
        v.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_float_formatting() {
        assert_eq!(format_go_float(1.0), "1");
        assert_eq!(format_go_float(0.001234), "0.001234");
        assert_eq!(format_go_float(0.00001234), "1.234e-05");
        assert_eq!(format_go_float(3289656698.0), "3.289656698e+09");
        assert_eq!(format_go_float(123456.0), "123456");
        assert_eq!(format_go_float(1e21), "1e+21");
        assert_eq!(format_go_float(-62135596800.0), "-6.21355968e+10");
        assert_eq!(format_go_float(f64::NAN), "NaN");
    }

    #[test]
    fn renders_sorted_families_and_series() {
        let mut m = ProbeMetrics::default();
        m.set("probe_success", "Displays whether or not the probe was a success", 1.0);
        m.register_vec("probe_http_duration_seconds", "Duration", &["phase"]);
        m.add_labeled("probe_http_duration_seconds", &["resolve"], 0.5);
        m.add_labeled("probe_http_duration_seconds", &["connect"], 0.25);
        let text = m.render();
        let expected = "# HELP probe_http_duration_seconds Duration\n# TYPE probe_http_duration_seconds gauge\n\
probe_http_duration_seconds{phase=\"connect\"} 0.25\nprobe_http_duration_seconds{phase=\"resolve\"} 0.5\n\
# HELP probe_success Displays whether or not the probe was a success\n# TYPE probe_success gauge\nprobe_success 1\n";
        assert_eq!(text, expected);
    }
}
