//! Format negotiation and metric types.

/// The Accept header Prometheus 2.42 sends on scrapes (OpenMetrics 1.0.0, 0.0.1 q=0.75, text 0.0.4 q=0.5, */* q=0.1).
pub const SCRAPE_ACCEPT_HEADER: &str = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

/// Which parser a scrape body needs, chosen from the response Content-Type like Prometheus 2.42.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    OpenMetrics,
}

impl Format {
    /// `application/openmetrics-text` (any case, any well-formed parameters) selects OpenMetrics;
    /// anything else, a missing header or one that does not parse as a media type selects Text.
    pub fn from_content_type(content_type: Option<&str>) -> Format {
        let Some(ct) = content_type else { return Format::Text };
        let mut parts = ct.split(';');
        let media = parts.next().unwrap_or("").trim();
        if !media.eq_ignore_ascii_case("application/openmetrics-text") {
            return Format::Text;
        }
        // Go's mime.ParseMediaType fails on a malformed parameter, and Prometheus then falls
        // back to the text parser.
        for p in parts {
            let p = p.trim();
            if p.is_empty() {
                continue;
            }
            match p.split_once('=') {
                Some((k, v)) if !k.trim().is_empty() && !v.trim().is_empty() => {}
                _ => return Format::Text,
            }
        }
        Format::OpenMetrics
    }
}

/// The type of a metric family as declared by `# TYPE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MetricType {
    Counter,
    Gauge,
    Histogram,
    GaugeHistogram,
    Summary,
    Info,
    StateSet,
    Unknown,
}

impl MetricType {
    /// The OpenMetrics name of the type (text-format `untyped` is `unknown`).
    pub fn as_str(&self) -> &'static str {
        match self {
            MetricType::Counter => "counter",
            MetricType::Gauge => "gauge",
            MetricType::Histogram => "histogram",
            MetricType::GaugeHistogram => "gaugehistogram",
            MetricType::Summary => "summary",
            MetricType::Info => "info",
            MetricType::StateSet => "stateset",
            MetricType::Unknown => "unknown",
        }
    }

    /// Types the text format 0.0.4 knows.
    pub(crate) fn from_text(s: &[u8]) -> Option<MetricType> {
        Some(match s {
            b"counter" => MetricType::Counter,
            b"gauge" => MetricType::Gauge,
            b"histogram" => MetricType::Histogram,
            b"summary" => MetricType::Summary,
            b"untyped" => MetricType::Unknown,
            _ => return None,
        })
    }

    /// Types OpenMetrics 1.0 knows.
    pub(crate) fn from_openmetrics(s: &[u8]) -> Option<MetricType> {
        Some(match s {
            b"counter" => MetricType::Counter,
            b"gauge" => MetricType::Gauge,
            b"histogram" => MetricType::Histogram,
            b"gaugehistogram" => MetricType::GaugeHistogram,
            b"summary" => MetricType::Summary,
            b"info" => MetricType::Info,
            b"stateset" => MetricType::StateSet,
            b"unknown" => MetricType::Unknown,
            _ => return None,
        })
    }
}
