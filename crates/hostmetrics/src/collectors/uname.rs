//! `uname`: `node_uname_info`, the kernel's identification as the uname system call reports it.
//!
//! The fields are read from `/proc/sys/kernel` (so fixture trees work) and agree with uname(2);
//! only the machine is missing there on kernels before 6.1, so it falls back to the system call.

use crate::exposition::{Family, Kind};
use crate::source::Root;
use crate::{CollectError, Collector};

pub(crate) struct Uname;

/// (label, file under `proc/sys/kernel`), in node_exporter's label order.
const FIELDS: [(&str, &str); 5] = [
    ("sysname", "ostype"),
    ("release", "osrelease"),
    ("version", "version"),
    ("nodename", "hostname"),
    ("domainname", "domainname"),
];

impl Collector for Uname {
    fn name(&self) -> &'static str {
        "uname"
    }

    fn collect(&self, root: &Root, out: &mut Vec<Family>) -> Result<(), CollectError> {
        let mut labels = Vec::new();
        for (label, file) in FIELDS {
            let (_, text) = root.read(&format!("proc/sys/kernel/{file}"))?;
            labels.push((label, text.trim_end_matches('\n').to_string()));
        }
        let machine = match root.read("proc/sys/kernel/arch") {
            Ok((_, text)) => text.trim_end_matches('\n').to_string(),
            Err(err) => syscall_machine().ok_or(err)?,
        };
        labels.push(("machine", machine));
        labels.sort();
        let mut family = Family::new(
            "node_uname_info",
            "Labeled system information as provided by the uname system call.",
            Kind::Gauge,
        );
        family.push(labels, 1.0);
        out.push(family);
        Ok(())
    }
}

/// The `machine` field of uname(2).
fn syscall_machine() -> Option<String> {
    // SAFETY: `utsname` is plain old data; uname(2) fills it with NUL-terminated strings on success.
    let mut uts: libc::utsname = unsafe { std::mem::zeroed() };
    // SAFETY: the pointer is to a valid, writable `utsname`.
    if unsafe { libc::uname(&mut uts) } != 0 {
        return None;
    }
    let bytes: Vec<u8> = uts.machine.iter().take_while(|&&c| c != 0).map(|&c| c as u8).collect();
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::run;

    fn kernel(files: &[(&'static str, &'static str)]) -> Vec<(String, &'static str)> {
        files.iter().map(|(f, t)| (format!("proc/sys/kernel/{f}"), *t)).collect()
    }

    #[test]
    fn labels_from_proc_with_escaping() {
        let files = kernel(&[
            ("ostype", "Linux\n"),
            ("osrelease", "6.1.0\n"),
            ("version", "#1 SMP \"quoted\" \\ 2024\n"),
            ("hostname", "vm\n"),
            ("domainname", "(none)\n"),
            ("arch", "x86_64\n"),
        ]);
        let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), *t)).collect();
        let out = run(&Uname, &files).unwrap();
        assert!(
            out.contains(
                "node_uname_info{domainname=\"(none)\",machine=\"x86_64\",nodename=\"vm\",release=\"6.1.0\",\
             sysname=\"Linux\",version=\"#1 SMP \\\"quoted\\\" \\\\ 2024\"} 1\n"
            ),
            "{out}"
        );
    }

    #[test]
    fn missing_field_fails() {
        let files = kernel(&[("ostype", "Linux\n")]);
        let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), *t)).collect();
        assert!(run(&Uname, &files).is_err());
    }
}
