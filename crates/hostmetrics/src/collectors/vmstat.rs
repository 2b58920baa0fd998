//! `vmstat`: the `/proc/vmstat` fields node_exporter selects by default, as untyped metrics.

use crate::exposition::{Family, Kind};
use crate::source::{Root, parse_f64};
use crate::{CollectError, Collector};

pub(crate) struct Vmstat;

/// node_exporter's default `--collector.vmstat.fields`, `^(oom_kill|pgpg|pswp|pg.*fault).*`.
fn selected(field: &str) -> bool {
    ["oom_kill", "pgpg", "pswp"].iter().any(|p| field.starts_with(p))
        || field.strip_prefix("pg").is_some_and(|rest| rest.contains("fault"))
}

impl Collector for Vmstat {
    fn name(&self) -> &'static str {
        "vmstat"
    }

    fn collect(&self, root: &Root, out: &mut Vec<Family>) -> Result<(), CollectError> {
        let (path, text) = root.read("proc/vmstat")?;
        for line in text.lines() {
            let mut parts = line.split_whitespace();
            let Some(field) = parts.next() else { continue };
            if !selected(field) {
                continue;
            }
            let value = parts.next().ok_or_else(|| CollectError::parse(&path, format!("{field} has no value")))?;
            let value = parse_f64(&path, field, value)?;
            if !field.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(CollectError::parse(&path, format!("field {field:?} makes no valid metric name")));
            }
            out.push(Family::single(
                format!("node_vmstat_{field}"),
                format!("/proc/vmstat information field {field}."),
                Kind::Untyped,
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
    fn default_fields_only() {
        let text = "nr_free_pages 5\npgpgin 2228541\npgfault 12629813\npgmajfault 2013\npswpout 0\n\
            oom_kill 1\npgfree 77\nthp_fault_alloc 3\n";
        let out = run(&Vmstat, &[("proc/vmstat", text)]).unwrap();
        assert!(out.contains("# HELP node_vmstat_pgfault /proc/vmstat information field pgfault.\n"));
        assert!(out.contains("# TYPE node_vmstat_pgfault untyped\nnode_vmstat_pgfault 1.2629813e+07\n"));
        for name in ["pgpgin", "pgmajfault", "pswpout", "oom_kill"] {
            assert!(out.contains(&format!("node_vmstat_{name} ")), "{name} missing: {out}");
        }
        for name in ["nr_free_pages", "pgfree", "thp_fault_alloc"] {
            assert!(!out.contains(name), "{name} selected");
        }
    }

    #[test]
    fn malformed_files_fail() {
        assert!(run(&Vmstat, &[("proc/vmstat", "pgfault\n")]).is_err());
        assert!(run(&Vmstat, &[("proc/vmstat", "pgfault many\n")]).is_err());
        assert!(run(&Vmstat, &[]).is_err());
    }
}
