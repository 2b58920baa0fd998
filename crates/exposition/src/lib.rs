//! Zero-copy parsers for scrape bodies in the Prometheus text format 0.0.4 and OpenMetrics 1.0,
//! accepting and rejecting exactly what Prometheus 2.42's scrape parsers do.
//!
//! The parser hands out entries that borrow from the body; a sample's series is returned as raw
//! bytes so that the scrape loop can look it up in a cache and call [`parse_series`] only for
//! series it has not seen before. No allocation happens per sample unless a value needs
//! unescaping (HELP texts) or the sample carries an exemplar.

mod error;
mod float;
pub mod fuzzing;
mod lex;
mod openmetrics;
mod series;
mod text;
mod types;

use std::borrow::Cow;

pub use error::ParseError;
pub use series::{family_name, parse_series};
pub use types::{Format, MetricType, SCRAPE_ACCEPT_HEADER};

/// Exemplars whose label names and values together exceed this many characters are dropped, as
/// Prometheus 2.42's exemplar storage rejects them (the sample itself is kept).
pub const EXEMPLAR_MAX_LABEL_SET_LENGTH: usize = 128;

/// One entry of a scrape body. Comments, blank lines and `# EOF` are consumed, not returned.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry<'a> {
    /// `# HELP name text`, with the text unescaped (text: `\\` and `\n`; OpenMetrics also `\"`).
    Help { metric: &'a str, text: Cow<'a, str> },
    /// `# TYPE name type`.
    Type { metric: &'a str, kind: MetricType },
    /// `# UNIT name unit` (OpenMetrics only).
    Unit { metric: &'a str, unit: &'a str },
    /// A sample line.
    Sample(Sample<'a>),
}

/// One sample line.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample<'a> {
    /// The raw bytes of the series part of the line (`name{labels}` exactly as written, without
    /// surrounding whitespace): the scrape loop uses it as a cache key so that it parses labels
    /// only for series it has not seen before.
    pub series: &'a [u8],
    pub value: f64,
    /// Milliseconds. Text format: integer ms as written. OpenMetrics: float seconds converted like Prometheus does.
    pub timestamp_ms: Option<i64>,
    /// OpenMetrics only; parsed and kept.
    pub exemplar: Option<Exemplar>,
}

/// An OpenMetrics exemplar attached to a `_total` or `_bucket` sample.
///
/// Label values are kept as written (escape sequences are not resolved), as Prometheus 2.42 does.
#[derive(Debug, Clone, PartialEq)]
pub struct Exemplar {
    pub labels: Vec<(String, String)>,
    pub value: f64,
    pub timestamp_ms: Option<i64>,
}

/// A pull parser over one scrape body.
pub struct Parser<'a> {
    inner: Inner<'a>,
    failed: Option<ParseError>,
}

enum Inner<'a> {
    Text(text::TextParser<'a>),
    OpenMetrics(openmetrics::OmParser<'a>),
}

impl<'a> Parser<'a> {
    /// Creates a parser for `body` in the given format.
    pub fn new(body: &'a [u8], format: Format) -> Self {
        let inner = match format {
            Format::Text => Inner::Text(text::TextParser::new(body)),
            Format::OpenMetrics => Inner::OpenMetrics(openmetrics::OmParser::new(body)),
        };
        Parser { inner, failed: None }
    }

    /// Next entry, Ok(None) at the end. After an Err the parser is done (returns Ok(None) or the same error).
    pub fn next_entry(&mut self) -> Result<Option<Entry<'a>>, ParseError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let r = match &mut self.inner {
            Inner::Text(p) => p.next_entry(),
            Inner::OpenMetrics(p) => p.next_entry(),
        };
        if let Err(e) = &r {
            self.failed = Some(e.clone());
        }
        r
    }
}

impl<'a> Iterator for Parser<'a> {
    type Item = Result<Entry<'a>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed.is_some() {
            return None;
        }
        self.next_entry().transpose()
    }
}
