//! `meminfo`: every `/proc/meminfo` field as `node_memory_<Field>[_bytes]`.

use crate::exposition::{Family, Kind};
use crate::source::{Root, parse_f64};
use crate::{CollectError, Collector};

pub(crate) struct Meminfo;

impl Collector for Meminfo {
    fn name(&self) -> &'static str {
        "meminfo"
    }

    fn collect(&self, root: &Root, out: &mut Vec<Family>) -> Result<(), CollectError> {
        let (path, text) = root.read("proc/meminfo")?;
        let mut seen = std::collections::HashSet::new();
        for line in text.lines() {
            let parts: Vec<&str> = line.split_whitespace().collect();
            let (key, value, has_unit) = match parts.as_slice() {
                [] => continue, // some kernels print empty lines
                [key, value] => (*key, *value, false),
                [key, value, _unit] => (*key, *value, true),
                _ => return Err(CollectError::parse(&path, format!("invalid line {line:?}"))),
            };
            let mut value = parse_f64(&path, key, value)?;
            let mut name = mangle(key.strip_suffix(':').unwrap_or(key));
            if has_unit {
                value *= 1024.0; // the kernel's unit is always kB
                name.push_str("_bytes");
            }
            if !is_metric_name(&name) {
                return Err(CollectError::parse(&path, format!("field {key:?} makes no valid metric name")));
            }
            if seen.insert(name.clone()) {
                out.push(Family::single(
                    format!("node_memory_{name}"),
                    format!("Memory information field {name}."),
                    Kind::Gauge,
                    value,
                ));
            }
        }
        Ok(())
    }
}

/// `Active(anon)` → `Active_anon`: node_exporter replaces the outermost parenthesised part with `_` and its
/// contents.
fn mangle(key: &str) -> String {
    match (key.find('('), key.rfind(')')) {
        (Some(open), Some(close)) if open < close => {
            format!("{}_{}{}", &key[..open], &key[open + 1..close], &key[close + 1..])
        }
        _ => key.to_string(),
    }
}

fn is_metric_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::run;

    #[test]
    fn names_units_and_mangling() {
        let text = "MemTotal:       24683584 kB\nActive(anon):       1560 kB\n\nHugePages_Total:       7\n\
            Hugepagesize:       2048 kB\n";
        let out = run(&Meminfo, &[("proc/meminfo", text)]).unwrap();
        assert!(out.contains("# HELP node_memory_MemTotal_bytes Memory information field MemTotal_bytes.\n"));
        assert!(out.contains("# TYPE node_memory_MemTotal_bytes gauge\nnode_memory_MemTotal_bytes 2.5275990016e+10\n"));
        assert!(out.contains("node_memory_Active_anon_bytes 1.59744e+06\n"), "{out}");
        assert!(out.contains("node_memory_HugePages_Total 7\n"));
        assert!(out.contains("node_memory_Hugepagesize_bytes 2.097152e+06\n"));
    }

    #[test]
    fn malformed_files_fail() {
        for bad in ["MemTotal: lots kB\n", "MemTotal: 1 kB extra\n", "Mem{Total}: 1 kB\n", "MemTotal:\n"] {
            assert!(run(&Meminfo, &[("proc/meminfo", bad)]).is_err(), "{bad:?} accepted");
        }
        assert!(run(&Meminfo, &[]).is_err());
    }
}
