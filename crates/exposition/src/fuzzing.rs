//! Entry points shared by the `exposition_parse` fuzz target and the corpus replay test.

use crate::{Entry, Format, Parser, parse_series};

/// Parses `data` in both formats and every returned series with [`parse_series`]. Panics only
/// on a broken invariant: a series the parser accepted must parse again, an error must stick,
/// and parsing must terminate within one entry per input byte.
pub fn parse(data: &[u8]) {
    for format in [Format::Text, Format::OpenMetrics] {
        let mut p = Parser::new(data, format);
        let mut labels = Vec::new();
        for _ in 0..=data.len() + 1 {
            match p.next_entry() {
                Ok(Some(Entry::Sample(s))) => {
                    assert!(parse_series(s.series, &mut labels).is_ok(), "series the parser accepted must re-parse");
                }
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(e) => {
                    assert!(e.line >= 1, "parser errors name a line");
                    assert_eq!(p.next_entry(), Err(e), "errors are sticky");
                    break;
                }
            }
        }
    }
    // The series parser must also survive arbitrary bytes on its own.
    let mut labels = Vec::new();
    let _ = parse_series(data, &mut labels);
}
