//! OpenMetrics 1.0 text, with the acceptance rules of Prometheus 2.42's `openmetricslex`:
//! single spaces as separators, no comments other than HELP/TYPE/UNIT, a mandatory final
//! `# EOF`, float-second timestamps, and exemplars only on `_total` and `_bucket` series.

use crate::error::{self, ParseError};
use crate::lex::{self, SeenNames, fail};
use crate::text::{ascii, parse_value};
use crate::{EXEMPLAR_MAX_LABEL_SET_LENGTH, Entry, Exemplar, MetricType, Sample};

pub struct OmParser<'a> {
    b: &'a [u8],
    pos: usize,
    done: bool,
    seen: SeenNames,
}

const NO_EOF: &str = "data does not end with # EOF";

/// Where a label set is being read: a series' labels or an exemplar's.
enum LabelSink<'s> {
    Series(&'s mut SeenNames),
    Exemplar(&'s mut Vec<(String, String)>),
}

impl<'a> OmParser<'a> {
    pub fn new(b: &'a [u8]) -> Self {
        OmParser { b, pos: 0, done: false, seen: SeenNames::default() }
    }

    pub fn next_entry(&mut self) -> Result<Option<Entry<'a>>, ParseError> {
        if self.done {
            return Ok(None);
        }
        let (b, i) = (self.b, self.pos);
        if i >= b.len() {
            return Err(error::at(b, i, NO_EOF.to_string()));
        }
        match b[i] {
            b'#' => self.hash_line(i),
            c if lex::is_metric_start(c) => self.sample(i).map(Some),
            _ => Err(fail(b, i, "expected a metric name or '# '")),
        }
    }

    fn hash_line(&mut self, i: usize) -> Result<Option<Entry<'a>>, ParseError> {
        let b = self.b;
        let k = i + 2;
        let word = if b.get(i + 1) == Some(&b' ') { b.get(k..(k + 5).min(b.len())).unwrap_or_default() } else { &[] };
        let what = match word {
            b"HELP " => "HELP",
            b"TYPE " => "TYPE",
            b"UNIT " => "UNIT",
            w if w.starts_with(b"EOF") => {
                let mut m = k + 3;
                if b.get(m) == Some(&b'\n') {
                    m += 1;
                }
                if m != b.len() {
                    return Err(fail(b, m, "unexpected data after # EOF"));
                }
                self.done = true;
                return Ok(None);
            }
            _ => {
                return Err(fail(b, i, "expected # HELP, # TYPE, # UNIT or # EOF (OpenMetrics has no other comments)"));
            }
        };
        let m = k + 5;
        let name_end =
            if m < b.len() && lex::is_metric_start(b[m]) { lex::scan(b, m + 1, lex::is_metric_char) } else { m };
        if name_end == m {
            return Err(fail(b, m, &format!("expected metric name after # {what}")));
        }
        let eol = lex::line_end(b, name_end);
        if b.get(name_end) != Some(&b' ') || eol == b.len() {
            return Err(fail(b, name_end, &format!("expected a space and text ending in a newline in # {what}")));
        }
        self.pos = eol + 1;
        let metric = ascii(&b[m..name_end]);
        let text = &b[name_end + 1..eol];
        match what {
            "TYPE" => match MetricType::from_openmetrics(text) {
                Some(kind) => Ok(Some(Entry::Type { metric, kind })),
                None => Err(error::at(b, i, format!("invalid metric type {}", error::quote(text)))),
            },
            "HELP" => match std::str::from_utf8(text) {
                Ok(t) => Ok(Some(Entry::Help { metric, text: lex::unescape(t, true) })),
                Err(_) => Err(error::at(b, i, format!("help text is not valid UTF-8: {}", error::quote(text)))),
            },
            _ => {
                let ok = text.is_empty()
                    || (metric.len() > text.len()
                        && metric.as_bytes().ends_with(text)
                        && metric.as_bytes()[metric.len() - text.len() - 1] == b'_');
                if !ok {
                    return Err(error::at(
                        b,
                        i,
                        format!("unit {} is not a suffix of metric {:?}", error::quote(text), metric),
                    ));
                }
                Ok(Some(Entry::Unit { metric, unit: ascii(text) }))
            }
        }
    }

    fn sample(&mut self, i: usize) -> Result<Entry<'a>, ParseError> {
        let b = self.b;
        let name_end = lex::scan(b, i + 1, lex::is_metric_char);
        let mut j = name_end;
        if b.get(j) == Some(&b'{') {
            self.seen.clear();
            j = labels(b, j + 1, LabelSink::Series(&mut self.seen))?;
        }
        let series_end = j;
        let (value, mut j) = token(b, j, "expected a space and a value after metric")?;
        let mut timestamp_ms = None;
        let mut exemplar = None;
        if j >= b.len() {
            return Err(error::at(b, j, NO_EOF.to_string()));
        }
        if b[j] != b'\n' && !is_exemplar_start(b, j) {
            let (ts, after) = token(b, j, "expected a space and a timestamp, an exemplar or end of line after value")?;
            timestamp_ms = Some(seconds_to_ms(b, j + 1, ts, "invalid timestamp")?);
            j = after;
            if j < b.len() && b[j] != b'\n' && !is_exemplar_start(b, j) {
                return Err(fail(b, j, "expected an exemplar or end of line after timestamp"));
            }
            if j >= b.len() {
                return Err(fail(b, j, "expected end of line after timestamp"));
            }
        }
        if is_exemplar_start(b, j) {
            let (e, after) = exemplar_at(b, i, name_end, j)?;
            exemplar = e;
            j = after;
        }
        self.pos = j + 1;
        Ok(Entry::Sample(Sample { series: &b[i..series_end], value, timestamp_ms, exemplar }))
    }
}

/// ` # {` at `j`, the start of an exemplar.
fn is_exemplar_start(b: &[u8], j: usize) -> bool {
    b.get(j..j + 4) == Some(b" # {")
}

/// ` <value>` at `j`: a space then a run of non-space, non-newline bytes, parsed as a float.
/// Returns the value and the index after it.
fn token(b: &[u8], j: usize, what: &str) -> Result<(f64, usize), ParseError> {
    if b.get(j) != Some(&b' ') {
        return Err(fail(b, j, what));
    }
    let end = lex::scan(b, j + 1, |c| c != b' ' && c != b'\n');
    if end == j + 1 {
        return Err(fail(b, j, what));
    }
    Ok((parse_value(b, j + 1, end)?, end))
}

/// Converts float seconds to milliseconds as Prometheus does (truncating `ts * 1000`).
fn seconds_to_ms(b: &[u8], at: usize, ts: f64, what: &str) -> Result<i64, ParseError> {
    if !ts.is_finite() {
        return Err(fail(b, at, what));
    }
    Ok((ts * 1000.0) as i64)
}

/// The exemplar starting with ` # {` at `j` of the sample whose name is `b[i..name_end]`.
/// Returns it (or `None` when over the length limit) and the index of the line's end.
fn exemplar_at(b: &[u8], i: usize, name_end: usize, j: usize) -> Result<(Option<Exemplar>, usize), ParseError> {
    let name = &b[i..name_end];
    if !(name.ends_with(b"_total") || name.ends_with(b"_bucket")) {
        return Err(error::at(
            b,
            j,
            format!("metric name {} does not support exemplars (only _total and _bucket do)", error::quote(name)),
        ));
    }
    let mut labels_out = Vec::new();
    let k = labels(b, j + 4, LabelSink::Exemplar(&mut labels_out))?;
    let (value, k) = token(b, k, "expected a space and a value after exemplar labels")?;
    if k >= b.len() {
        return Err(error::at(b, k, NO_EOF.to_string()));
    }
    let mut timestamp_ms = None;
    let mut k = k;
    if b[k] != b'\n' {
        let (ts, after) = token(b, k, "expected a space and a timestamp or end of line after exemplar value")?;
        timestamp_ms = Some(seconds_to_ms(b, k + 1, ts, "invalid exemplar timestamp")?);
        if after >= b.len() || b[after] != b'\n' {
            return Err(fail(b, after, "expected end of line after exemplar timestamp"));
        }
        k = after;
    }
    let len: usize = labels_out.iter().map(|(n, v)| n.chars().count() + v.chars().count()).sum();
    let e = (len <= EXEMPLAR_MAX_LABEL_SET_LENGTH).then_some(Exemplar { labels: labels_out, value, timestamp_ms });
    Ok((e, k))
}

/// An OpenMetrics label set after `{` at `j - 1`: no blanks, commas only between pairs.
/// Returns the index after `}`.
fn labels(b: &[u8], mut j: usize, mut sink: LabelSink<'_>) -> Result<usize, ParseError> {
    let mut first = true;
    loop {
        match b.get(j) {
            Some(b'}') => return Ok(j + 1),
            Some(b',') if !first => {
                j += 1;
                if !b.get(j).is_some_and(|&c| lex::is_label_start(c)) {
                    return Err(fail(b, j, "expected label name after ','"));
                }
            }
            Some(&c) if lex::is_label_start(c) && first => {}
            Some(&c) if lex::is_label_start(c) => return Err(fail(b, j, "expected ',' between labels")),
            _ if first => return Err(fail(b, j, "expected label name or '}'")),
            _ => return Err(fail(b, j, "expected ',' or '}'")),
        }
        first = false;
        let n_end = lex::scan(b, j + 1, lex::is_label_char);
        if b.get(n_end) != Some(&b'=') {
            return Err(fail(b, n_end, "expected '=' after label name"));
        }
        let v = n_end + 1;
        let v_end = match (b.get(v), lex::scan_quoted(b, v, false)) {
            (Some(b'"'), Some(e)) => e,
            _ => return Err(fail(b, v, "expected quoted label value")),
        };
        let Ok(value) = std::str::from_utf8(&b[v + 1..v_end - 1]) else {
            return Err(fail(b, v, "invalid UTF-8 in label value"));
        };
        match &mut sink {
            LabelSink::Series(seen) => seen.insert(b, j, n_end)?,
            LabelSink::Exemplar(out) => out.push((ascii(&b[j..n_end]).to_string(), value.to_string())),
        }
        j = v_end;
    }
}
