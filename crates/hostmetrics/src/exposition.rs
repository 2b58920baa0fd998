//! Metric families and their rendering in the Prometheus text format 0.0.4, formatted like
//! node_exporter's Go client so that output can be compared byte for byte where values agree.

use std::fmt::Write as _;

/// The TYPE of a metric family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Counter,
    Gauge,
    Untyped,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
            Kind::Untyped => "untyped",
        }
    }
}

/// One series: its labels (names are fixed by the collector) and value.
#[derive(Debug, Clone)]
pub(crate) struct Sample {
    pub(crate) labels: Vec<(&'static str, String)>,
    pub(crate) value: f64,
}

/// A metric family: name, HELP text, TYPE and samples.
#[derive(Debug, Clone)]
pub(crate) struct Family {
    pub(crate) name: String,
    pub(crate) help: String,
    pub(crate) kind: Kind,
    pub(crate) samples: Vec<Sample>,
}

impl Family {
    pub(crate) fn new(name: impl Into<String>, help: impl Into<String>, kind: Kind) -> Self {
        Family { name: name.into(), help: help.into(), kind, samples: Vec::new() }
    }

    /// A family with one unlabelled sample.
    pub(crate) fn single(name: impl Into<String>, help: impl Into<String>, kind: Kind, value: f64) -> Self {
        let mut family = Family::new(name, help, kind);
        family.push(Vec::new(), value);
        family
    }

    /// Adds a sample; labels are put in name order, as the Go client prints them.
    pub(crate) fn push(&mut self, mut labels: Vec<(&'static str, String)>, value: f64) {
        labels.sort_by(|a, b| a.0.cmp(b.0));
        self.samples.push(Sample { labels, value });
    }
}

/// Renders `families` sorted by name, samples sorted by label values, skipping empty families
/// (node_exporter prints no HELP/TYPE for a family without series).
pub(crate) fn render(families: &mut [Family], out: &mut String) {
    families.sort_by(|a, b| a.name.cmp(&b.name));
    for family in families.iter_mut().filter(|f| !f.samples.is_empty()) {
        family.samples.sort_by(|a, b| a.labels.cmp(&b.labels));
        let _ = writeln!(out, "# HELP {} {}", family.name, escape_help(&family.help));
        let _ = writeln!(out, "# TYPE {} {}", family.name, family.kind.as_str());
        for sample in &family.samples {
            out.push_str(&family.name);
            render_labels(&sample.labels, out);
            out.push(' ');
            out.push_str(&format_value(sample.value));
            out.push('\n');
        }
    }
}

fn render_labels(labels: &[(&'static str, String)], out: &mut String) {
    if labels.is_empty() {
        return;
    }
    out.push('{');
    for (i, (name, value)) in labels.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(name);
        out.push_str("=\"");
        out.push_str(&escape_label_value(value));
        out.push('"');
    }
    out.push('}');
}

/// Escapes a label value: backslash, double quote and line feed.
pub(crate) fn escape_label_value(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => escaped.push_str("\\\\"),
            '"' => escaped.push_str("\\\""),
            '\n' => escaped.push_str("\\n"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// Escapes HELP text: backslash and line feed.
fn escape_help(help: &str) -> String {
    help.replace('\\', "\\\\").replace('\n', "\\n")
}

/// Formats like Go's `strconv.FormatFloat(v, 'g', -1, 64)`: shortest digits, exponent form when the
/// decimal exponent is below -4 or at least max(6, digit count) (e.g. `1.031426e+06`, `17938.14`).
pub(crate) fn format_value(v: f64) -> String {
    if v.is_nan() {
        return "NaN".to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "+Inf".to_string() } else { "-Inf".to_string() };
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0".to_string() } else { "0".to_string() };
    }
    // Rust's `{:e}` gives the shortest round-tripping digits, e.g. "-1.031426e6".
    let sci = format!("{v:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let nd = digits.len() as i32;
    let dp = exp + 1;
    let eprec = if 6 > nd && nd >= dp { nd } else { 6 };
    if exp < -4 || exp >= eprec {
        let frac = &digits[1..];
        let dot = if frac.is_empty() { "" } else { "." };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{}{dot}{frac}e{esign}{:02}", &digits[..1], exp.abs());
    }
    if dp <= 0 {
        return format!("{sign}0.{}{digits}", "0".repeat((-dp) as usize));
    }
    if dp >= nd {
        return format!("{sign}{digits}{}", "0".repeat((dp - nd) as usize));
    }
    format!("{sign}{}.{}", &digits[..dp as usize], &digits[dp as usize..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_go() {
        let cases = [
            (0.0, "0"),
            (513.0, "513"),
            (14447.0, "14447"),
            (1031426.0, "1.031426e+06"),
            (1e6, "1e+06"),
            (17938.14, "17938.14"),
            (0.6970000000000001, "0.6970000000000001"),
            (5.359e-05, "5.359e-05"),
            (0.000743276, "0.000743276"),
            (2.70553174016e11, "2.70553174016e+11"),
            (-125000.0, "-125000"),
            (0.01, "0.01"),
            (1.7961502141524966e9, "1.7961502141524966e+09"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "+Inf"),
        ];
        for (v, want) in cases {
            assert_eq!(format_value(v), want, "formatting {v}");
        }
    }

    #[test]
    fn escapes_label_values_and_sorts() {
        let mut fam = Family::new("x_info", "Help with \\ and\nnewline.", Kind::Gauge);
        fam.push(vec![("b", "2".into())], 1.0);
        fam.push(vec![("b", "a\"q\\\nz".into())], 1.0);
        let mut out = String::new();
        render(&mut [fam, Family::new("empty", "none", Kind::Counter)], &mut out);
        assert_eq!(
            out,
            "# HELP x_info Help with \\\\ and\\nnewline.\n# TYPE x_info gauge\nx_info{b=\"2\"} 1\nx_info{b=\"a\\\"q\\\\\\nz\"} 1\n"
        );
    }
}
