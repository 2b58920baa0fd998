//! HTTP dates (`Last-Modified`) in the three forms Go's `http.ParseTime` accepts.

use crate::x509::days_from_civil;

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// Unix seconds of an IMF-fixdate, RFC 850 or asctime date; `None` when it is none of them.
pub fn parse_http_date(s: &str) -> Option<i64> {
    let parts: Vec<&str> = s.split_whitespace().collect();
    let (day, month, year, time) = match parts.as_slice() {
        // Mon, 02 Jan 2006 15:04:05 GMT
        [_, d, m, y, t, "GMT"] => (d.parse().ok()?, *m, y.parse().ok()?, *t),
        // Monday, 02-Jan-06 15:04:05 GMT
        [_, dmy, t, "GMT"] => {
            let mut it = dmy.split('-');
            let d: i64 = it.next()?.parse().ok()?;
            let m = it.next()?;
            let yy: i64 = it.next()?.parse().ok()?;
            (d, m, if yy < 69 { 2000 + yy } else { 1900 + yy }, *t)
        }
        // Mon Jan  2 15:04:05 2006
        [_, m, d, t, y] => (d.parse().ok()?, *m, y.parse().ok()?, *t),
        _ => return None,
    };
    let month = MONTHS.iter().position(|m| *m == month)? as i64 + 1;
    let mut hms = time.split(':').map(|x| x.parse::<i64>().ok());
    let (h, mi, se) = (hms.next()??, hms.next()??, hms.next()??);
    if !(1..=31).contains(&day) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86400 + h * 3600 + mi * 60 + se)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_forms() {
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784111777));
        assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), Some(784111777));
        assert_eq!(parse_http_date("Sun Nov  6 08:49:37 1994"), Some(784111777));
        assert_eq!(parse_http_date("yesterday"), None);
    }
}
