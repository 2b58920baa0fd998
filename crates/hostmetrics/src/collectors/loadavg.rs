//! `loadavg`: the 1, 5 and 15 minute load averages from `/proc/loadavg`.

use crate::exposition::{Family, Kind};
use crate::source::{Root, parse_f64};
use crate::{CollectError, Collector};

pub(crate) struct Loadavg;

impl Collector for Loadavg {
    fn name(&self) -> &'static str {
        "loadavg"
    }

    fn collect(&self, root: &Root, out: &mut Vec<Family>) -> Result<(), CollectError> {
        let (path, text) = root.read("proc/loadavg")?;
        let fields: Vec<&str> = text.split_whitespace().collect();
        if fields.len() < 3 {
            return Err(CollectError::parse(&path, format!("expected 3 load averages in {text:?}")));
        }
        for (minutes, field) in ["1", "5", "15"].iter().zip(&fields) {
            let value = parse_f64(&path, "load average", field)?;
            out.push(Family::single(
                format!("node_load{minutes}"),
                format!("{minutes}m load average."),
                Kind::Gauge,
                value,
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::run;

    #[test]
    fn three_averages() {
        let out = run(&Loadavg, &[("proc/loadavg", "0.32 0.97 0.59 1/234 5678\n")]).unwrap();
        assert_eq!(
            out,
            "# HELP node_load1 1m load average.\n# TYPE node_load1 gauge\nnode_load1 0.32\n\
             # HELP node_load15 15m load average.\n# TYPE node_load15 gauge\nnode_load15 0.59\n\
             # HELP node_load5 5m load average.\n# TYPE node_load5 gauge\nnode_load5 0.97\n"
        );
    }

    #[test]
    fn malformed_files_fail() {
        assert!(run(&Loadavg, &[("proc/loadavg", "0.1 0.2\n")]).is_err());
        assert!(run(&Loadavg, &[("proc/loadavg", "a b c\n")]).is_err());
        assert!(run(&Loadavg, &[("proc/loadavg", "")]).is_err());
    }
}
