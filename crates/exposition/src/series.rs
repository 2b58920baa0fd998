//! Turning a sample's raw series bytes into a name and label pairs, and mapping sample names to
//! their metric family.

use std::borrow::Cow;

use crate::error::{ParseError, quote};
use crate::lex::{self, skip_blanks};
use crate::types::MetricType;

/// Parses the `series` bytes of a Sample (already validated by the parser) into the metric name and
/// label pairs, unescaping values; appends labels to `out` (cleared first) and returns the name.
///
/// Accepts the text format's series grammar, which includes OpenMetrics'. Labels come back in
/// written order; empty values are kept (Prometheus treats a label with an empty value as absent,
/// which is the caller's business). Errors have line 0.
pub fn parse_series<'a>(
    series: &'a [u8],
    out: &mut Vec<(Cow<'a, str>, Cow<'a, str>)>,
) -> Result<Cow<'a, str>, ParseError> {
    out.clear();
    let b = series;
    let err = |what: &str, at: usize| ParseError {
        line: 0,
        message: format!("invalid series {}: {what} at byte {at}", quote(series)),
    };
    if b.is_empty() || !lex::is_metric_start(b[0]) {
        return Err(err("expected metric name", 0));
    }
    let name_end = lex::scan(b, 1, lex::is_metric_char);
    let name = ascii(&b[..name_end]);
    let mut j = skip_blanks(b, name_end);
    if j == b.len() {
        return Ok(Cow::Borrowed(name));
    }
    if b[j] != b'{' {
        return Err(err("expected '{'", j));
    }
    j += 1;
    loop {
        j = skip_blanks(b, j);
        match b.get(j) {
            Some(b'}') if j + 1 == b.len() => return Ok(Cow::Borrowed(name)),
            Some(b'}') => return Err(err("unexpected data after '}'", j + 1)),
            Some(&c) if lex::is_label_start(c) => {}
            _ => return Err(err("expected label name or '}'", j)),
        }
        let n_end = lex::scan(b, j + 1, lex::is_label_char);
        let label = ascii(&b[j..n_end]);
        j = skip_blanks(b, n_end);
        if b.get(j) != Some(&b'=') {
            return Err(err("expected '='", j));
        }
        j = skip_blanks(b, j + 1);
        let v_end = match (b.get(j), lex::scan_quoted(b, j, true)) {
            (Some(b'"'), Some(e)) => e,
            _ => return Err(err("expected quoted label value", j)),
        };
        let value = std::str::from_utf8(&b[j + 1..v_end - 1]).map_err(|_| err("invalid UTF-8 in label value", j))?;
        out.push((Cow::Borrowed(label), lex::unescape(value, true)));
        j = skip_blanks(b, v_end);
        if b.get(j) == Some(&b',') {
            j += 1;
        }
    }
}

/// A metric name, already checked to be ASCII.
fn ascii(b: &[u8]) -> &str {
    std::str::from_utf8(b).unwrap_or_default()
}

/// The metric family a sample name belongs to under the family's declared type: strips the
/// suffixes OpenMetrics defines for that type (`_total`/`_created` for counters;
/// `_bucket`/`_count`/`_sum`/`_created` for histograms; `_bucket`/`_gcount`/`_gsum` for gauge
/// histograms; `_count`/`_sum`/`_created` for summaries; `_info` for info). Lets the scrape loop
/// attach HELP/TYPE/UNIT metadata to samples; other names are returned unchanged.
pub fn family_name(sample_name: &str, kind: MetricType) -> &str {
    let suffixes: &[&str] = match kind {
        MetricType::Counter => &["_total", "_created"],
        MetricType::Histogram => &["_bucket", "_count", "_sum", "_created"],
        MetricType::GaugeHistogram => &["_bucket", "_gcount", "_gsum"],
        MetricType::Summary => &["_count", "_sum", "_created"],
        MetricType::Info => &["_info"],
        MetricType::Gauge | MetricType::StateSet | MetricType::Unknown => &[],
    };
    suffixes.iter().find_map(|s| sample_name.strip_suffix(s)).unwrap_or(sample_name)
}
