//! Request parameters as the Prometheus API reads them: GET query strings and POST forms,
//! repeated keys (`match[]`), times as Unix seconds or RFC 3339, durations as seconds or
//! Prometheus duration strings.

/// All parameters of a request, in order, from the URL and (for form POSTs) the body.
#[derive(Debug, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn parse(query: Option<&str>, form_body: Option<&[u8]>) -> Params {
        let mut v: Vec<(String, String)> = Vec::new();
        if let Some(q) = query {
            v.extend(form_urlencoded::parse(q.as_bytes()).into_owned());
        }
        if let Some(b) = form_body {
            v.extend(form_urlencoded::parse(b).into_owned());
        }
        Params(v)
    }

    /// The last value of `key` (Prometheus's `r.FormValue` takes the first; duplicates are
    /// rare and the first is what we return too).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    pub fn all(&self, key: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, _)| k == key).map(|(_, v)| v.as_str()).collect()
    }
}

/// Parses a time parameter: Unix seconds (with fraction) or RFC 3339; returns milliseconds.
pub fn parse_time(s: &str) -> Option<i64> {
    if let Ok(secs) = s.parse::<f64>() {
        if !secs.is_finite() {
            return None;
        }
        return Some((secs * 1000.0).round() as i64);
    }
    parse_rfc3339(s)
}

/// `2006-01-02T15:04:05.999999999Z07:00` to milliseconds since the epoch.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    promconfig::time::parse_rfc3339(s).ok()
}

/// A duration parameter: float seconds or a Prometheus duration (`1m30s`); milliseconds.
pub fn parse_duration(s: &str) -> Option<i64> {
    if let Ok(secs) = s.parse::<f64>() {
        if !secs.is_finite() || secs * 1000.0 > i64::MAX as f64 {
            return None;
        }
        return Some((secs * 1000.0).round() as i64);
    }
    promql::parse::parse_duration_ms(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(parse_time("1435781451.781"), Some(1_435_781_451_781));
        assert_eq!(parse_time("1435781451"), Some(1_435_781_451_000));
        assert_eq!(parse_time("2015-07-01T20:10:51.781Z"), Some(1_435_781_451_781));
        assert_eq!(parse_time("2015-07-01T22:10:51.781+02:00"), Some(1_435_781_451_781));
        assert_eq!(parse_time("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_time("x"), None);
        assert_eq!(parse_time("NaN"), None);
        assert_eq!(parse_time("2015-13-01T00:00:00Z"), None);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("15"), Some(15_000));
        assert_eq!(parse_duration("0.5"), Some(500));
        assert_eq!(parse_duration("1m30s"), Some(90_000));
        assert_eq!(parse_duration("5x"), None);
    }

    #[test]
    fn repeated_and_form_params() {
        let p = Params::parse(Some("match%5B%5D=up&match[]=foo%7Ba%3D%22b%22%7D"), Some(b"query=sum(up)&time=1"));
        assert_eq!(p.all("match[]"), vec!["up", "foo{a=\"b\"}"]);
        assert_eq!(p.get("query"), Some("sum(up)"));
        assert_eq!(p.get("time"), Some("1"));
        assert_eq!(p.get("nope"), None);
    }
}
