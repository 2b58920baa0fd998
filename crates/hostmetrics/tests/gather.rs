//! `HostCollector::gather` over fixture trees: failed collectors are reported, not fatal.

use std::path::Path;

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn success(out: &str, collector: &str) -> Option<f64> {
    let prefix = format!("node_scrape_collector_success{{collector=\"{collector}\"}} ");
    out.lines().find_map(|l| l.strip_prefix(&prefix)).map(|v| v.parse().unwrap())
}

#[test]
fn empty_root_reports_every_file_collector_failed() {
    let dir = tempfile::tempdir().unwrap();
    let collector = hostmetrics::HostCollector::new(dir.path());
    let mut out = String::new();
    collector.gather(&mut out);
    for name in ["cpu", "meminfo", "loadavg", "filesystem", "netdev", "diskstats", "stat", "uname", "vmstat", "filefd"]
    {
        assert_eq!(success(&out, name), Some(0.0), "{name}: {out}");
    }
    // The time collector needs no files.
    assert_eq!(success(&out, "time"), Some(1.0));
    assert!(out.contains("# TYPE node_scrape_collector_duration_seconds gauge\n"));
    assert!(!out.contains("node_load1"));
}

#[test]
fn odd_contents_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let junk = [
        "",
        "\n\n",
        "\0\u{ff}\u{1}",
        ":::: :",
        "cpu0\nintr\n",
        "a b c d e f g h i j k l m n o p q r s",
        "99999999999999999999999999 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17",
    ];
    let files = [
        "proc/stat",
        "proc/meminfo",
        "proc/loadavg",
        "proc/mounts",
        "proc/net/dev",
        "proc/diskstats",
        "proc/vmstat",
        "proc/sys/fs/file-nr",
        "proc/sys/kernel/ostype",
    ];
    for text in junk {
        for file in files {
            write(dir.path(), file, text);
        }
        let mut out = String::new();
        hostmetrics::HostCollector::new(dir.path()).gather(&mut out);
        assert!(out.contains("node_scrape_collector_success{collector=\"cpu\"}"));
    }
}

#[test]
fn fixture_tree_collectors_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "proc/stat", "cpu 1 1 1 1\ncpu0 1 1 1 1 1 1 1 1 0 0\nbtime 5\nctxt 6\nprocesses 7\nintr 8 1\n");
    write(d, "proc/meminfo", "MemTotal: 1024 kB\n");
    write(d, "proc/loadavg", "1.5 1 0.5 1/2 3\n");
    write(d, "proc/mounts", "/dev/root / ext4 rw 0 0\n");
    write(d, "proc/net/dev", "h1\nh2\neth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n");
    write(d, "proc/diskstats", "8 0 sda 1 2 3 4 5 6 7 8 0 9 10\n");
    write(d, "proc/vmstat", "pgfault 1\n");
    write(d, "proc/sys/fs/file-nr", "1\t0\t2\n");
    for f in ["ostype", "osrelease", "version", "hostname", "domainname", "arch"] {
        write(d, &format!("proc/sys/kernel/{f}"), "x\n");
    }
    let mut out = String::new();
    hostmetrics::HostCollector::new(d).gather(&mut out);
    for name in hostmetrics::HostCollector::new(d).collector_names() {
        assert_eq!(success(&out, name), Some(1.0), "{name}: {out}");
    }
    assert!(out.contains("node_memory_MemTotal_bytes 1.048576e+06\n"));
    assert!(out.contains("node_load1 1.5\n"));
}
