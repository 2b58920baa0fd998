//! The Prometheus text format 0.0.4, with the acceptance rules of Prometheus 2.42's `promlex`:
//! blanks are spaces and tabs, any line starting with `#` that is not `# HELP`/`# TYPE` is a
//! comment, a label value may hold raw newlines, commas between labels are optional and one may
//! trail, timestamps are unsigned integer milliseconds, `\r` is an ordinary character.

use crate::error::{self, ParseError};
use crate::lex::{self, SeenNames, fail, skip_blanks};
use crate::{Entry, MetricType, Sample, float};

pub struct TextParser<'a> {
    b: &'a [u8],
    pos: usize,
    seen: SeenNames,
}

enum Meta {
    Help,
    Type,
}

impl<'a> TextParser<'a> {
    pub fn new(b: &'a [u8]) -> Self {
        TextParser { b, pos: 0, seen: SeenNames::default() }
    }

    pub fn next_entry(&mut self) -> Result<Option<Entry<'a>>, ParseError> {
        let b = self.b;
        loop {
            let i = skip_blanks(b, self.pos);
            if i >= b.len() {
                self.pos = b.len();
                return Ok(None);
            }
            match b[i] {
                b'\n' => self.pos = i + 1,
                // Prometheus's lexer reads a NUL byte at the start of a token as the end of input.
                0 => {
                    self.pos = b.len();
                    return Ok(None);
                }
                b'#' => {
                    if let Some(e) = self.hash_line(i)? {
                        return Ok(Some(e));
                    }
                }
                c if lex::is_metric_start(c) => return self.sample(i).map(Some),
                _ => return Err(fail(b, i, "expected a metric name, '#' or an empty line")),
            }
        }
    }

    /// A line starting with `#` at `i`: HELP, TYPE, or a comment (skipped, `None`).
    fn hash_line(&mut self, i: usize) -> Result<Option<Entry<'a>>, ParseError> {
        let b = self.b;
        let eol = lex::line_end(b, i);
        self.pos = (eol + 1).min(b.len());
        let k = skip_blanks(b, i + 1);
        if k == i + 1 {
            return Ok(None);
        }
        let kind = match b.get(k..k + 5) {
            Some([b'H', b'E', b'L', b'P', c]) if *c == b' ' || *c == b'\t' => Meta::Help,
            Some([b'T', b'Y', b'P', b'E', c]) if *c == b' ' || *c == b'\t' => Meta::Type,
            _ => return Ok(None),
        };
        let what = match kind {
            Meta::Help => "HELP",
            Meta::Type => "TYPE",
        };
        let m = skip_blanks(b, k + 5);
        let name_end =
            if m < b.len() && lex::is_metric_start(b[m]) { lex::scan(b, m + 1, lex::is_metric_char) } else { m };
        if name_end == m {
            return Err(fail(b, m, &format!("expected metric name after # {what}")));
        }
        let metric = ascii(&b[m..name_end]);
        // Like Prometheus, the text is the rest of the line minus its first character, which
        // normally is the blank after the name.
        let text = if eol - name_end > 1 { &b[name_end + 1..eol] } else { &b[eol..eol] };
        match kind {
            Meta::Type => match MetricType::from_text(text) {
                Some(kind) => Ok(Some(Entry::Type { metric, kind })),
                None => Err(error::at(b, i, format!("invalid metric type {}", error::quote(text)))),
            },
            Meta::Help => match std::str::from_utf8(text) {
                Ok(t) => Ok(Some(Entry::Help { metric, text: lex::unescape(t, false) })),
                Err(_) => Err(error::at(b, i, format!("help text is not valid UTF-8: {}", error::quote(text)))),
            },
        }
    }

    fn sample(&mut self, i: usize) -> Result<Entry<'a>, ParseError> {
        let b = self.b;
        let mut series_end = lex::scan(b, i + 1, lex::is_metric_char);
        let mut j = skip_blanks(b, series_end);
        if j < b.len() && b[j] == b'{' {
            j = self.labels(j + 1)?;
            series_end = j;
            j = skip_blanks(b, j);
        }
        let v_end = lex::scan(b, j, |c| !matches!(c, b'{' | b' ' | b'\t' | b'\n'));
        if v_end == j {
            return Err(fail(b, j, "expected value after metric"));
        }
        let value = parse_value(b, j, v_end)?;
        let mut j = skip_blanks(b, v_end);
        let mut timestamp_ms = None;
        if j < b.len() && b[j].is_ascii_digit() {
            let t_end = lex::scan(b, j, |c| c.is_ascii_digit());
            match float::parse_digits(&b[j..t_end]) {
                Some(t) => timestamp_ms = Some(t),
                None => return Err(fail(b, j, "timestamp out of range")),
            }
            j = skip_blanks(b, t_end);
            if j < b.len() && b[j] != b'\n' {
                return Err(fail(b, j, "expected end of line after timestamp"));
            }
        } else if j < b.len() && b[j] != b'\n' {
            return Err(fail(b, j, "expected integer timestamp or end of line after value"));
        }
        self.pos = (j + 1).min(b.len());
        Ok(Entry::Sample(Sample { series: &b[i..series_end], value, timestamp_ms, exemplar: None }))
    }

    /// Label pairs after `{` at `j - 1`; returns the index after `}`.
    fn labels(&mut self, mut j: usize) -> Result<usize, ParseError> {
        let b = self.b;
        self.seen.clear();
        loop {
            j = skip_blanks(b, j);
            if j < b.len() && b[j] == b'}' {
                return Ok(j + 1);
            }
            if j >= b.len() || !lex::is_label_start(b[j]) {
                return Err(fail(b, j, "expected label name or '}'"));
            }
            let n_end = lex::scan(b, j + 1, lex::is_label_char);
            self.seen.insert(b, j, n_end)?;
            j = skip_blanks(b, n_end);
            if j >= b.len() || b[j] != b'=' {
                return Err(fail(b, j, "expected '=' after label name"));
            }
            j = skip_blanks(b, j + 1);
            let v_end = match (b.get(j), b.get(j).and_then(|_| lex::scan_quoted(b, j, true))) {
                (Some(b'"'), Some(e)) => e,
                _ => return Err(fail(b, j, "expected quoted label value")),
            };
            if std::str::from_utf8(&b[j + 1..v_end - 1]).is_err() {
                return Err(fail(b, j, "invalid UTF-8 in label value"));
            }
            j = skip_blanks(b, v_end);
            if j < b.len() && b[j] == b',' {
                j += 1;
            }
        }
    }
}

/// Parses the value token `b[s..e]` or names it in the error.
pub(crate) fn parse_value(b: &[u8], s: usize, e: usize) -> Result<f64, ParseError> {
    let tok = &b[s..e];
    float::parse(tok)
        .ok_or_else(|| error::at(b, s, format!("invalid value {}: {}", error::quote(tok), float::reason(tok))))
}

/// A metric name, already checked to be ASCII.
pub(crate) fn ascii(b: &[u8]) -> &str {
    std::str::from_utf8(b).unwrap_or_default()
}
