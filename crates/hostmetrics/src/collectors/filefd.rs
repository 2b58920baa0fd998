//! `filefd`: allocated and maximum file handles from `/proc/sys/fs/file-nr`.

use crate::exposition::{Family, Kind};
use crate::source::{Root, parse_f64};
use crate::{CollectError, Collector};

pub(crate) struct Filefd;

impl Collector for Filefd {
    fn name(&self) -> &'static str {
        "filefd"
    }

    fn collect(&self, root: &Root, out: &mut Vec<Family>) -> Result<(), CollectError> {
        let (path, text) = root.read("proc/sys/fs/file-nr")?;
        // Three tab-separated numbers: allocated, unused (always 0 since Linux 2.6), maximum.
        let parts: Vec<&str> = text.trim().split('\t').collect();
        if parts.len() < 3 {
            return Err(CollectError::parse(&path, format!("expected 3 tab-separated values in {text:?}")));
        }
        for (name, field) in [("allocated", parts[0]), ("maximum", parts[2])] {
            let value = parse_f64(&path, name, field)?;
            out.push(Family::single(
                format!("node_filefd_{name}"),
                format!("File descriptor statistics: {name}."),
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
    fn allocated_and_maximum() {
        let out = run(&Filefd, &[("proc/sys/fs/file-nr", "513\t0\t2466126\n")]).unwrap();
        assert!(out.contains("# HELP node_filefd_allocated File descriptor statistics: allocated.\n"));
        assert!(out.contains("node_filefd_allocated 513\n"));
        assert!(out.contains("# TYPE node_filefd_maximum gauge\nnode_filefd_maximum 2.466126e+06\n"));
    }

    #[test]
    fn malformed_files_fail() {
        assert!(run(&Filefd, &[("proc/sys/fs/file-nr", "513 0 2466126\n")]).is_err());
        assert!(run(&Filefd, &[("proc/sys/fs/file-nr", "x\t0\t1\n")]).is_err());
        assert!(run(&Filefd, &[]).is_err());
    }
}
