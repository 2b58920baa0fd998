//! `netdev`: per-interface traffic counters from `/proc/net/dev`, under node_exporter's legacy names.
//!
//! node_exporter 1.5.0 reads these over netlink and folds the detailed error counters the way
//! `/proc/net/dev` already does, so the file gives the same values; the one counter the file lacks,
//! `receive_nohandler`, comes from `/sys/class/net/<dev>/statistics/rx_nohandler` (0 when absent, as
//! netlink reports it).

use crate::exposition::{Family, Kind};
use crate::source::{Root, parse_u64};
use crate::{CollectError, Collector};

pub(crate) struct Netdev;

/// The 16 `/proc/net/dev` columns, named as node_exporter's legacy metric names.
const COLUMNS: [&str; 16] = [
    "receive_bytes",
    "receive_packets",
    "receive_errs",
    "receive_drop",
    "receive_fifo",
    "receive_frame",
    "receive_compressed",
    "receive_multicast",
    "transmit_bytes",
    "transmit_packets",
    "transmit_errs",
    "transmit_drop",
    "transmit_fifo",
    "transmit_colls",
    "transmit_carrier",
    "transmit_compressed",
];

/// Debian's node_exporter 1.5.0 package excludes the loopback device by default (`^lo$`).
fn excluded(device: &str) -> bool {
    device == "lo"
}

impl Collector for Netdev {
    fn name(&self) -> &'static str {
        "netdev"
    }

    fn collect(&self, root: &Root, out: &mut Vec<Family>) -> Result<(), CollectError> {
        let (path, text) = root.read("proc/net/dev")?;
        let mut families: Vec<Family> = COLUMNS.iter().chain(&["receive_nohandler"]).map(|c| family(c)).collect();
        // Two header lines, then "  name: 16 numbers".
        for line in text.lines().skip(2).filter(|l| !l.trim().is_empty()) {
            let (device, numbers) =
                line.split_once(':').ok_or_else(|| CollectError::parse(&path, format!("no ':' in {line:?}")))?;
            let device = device.trim();
            let numbers: Vec<&str> = numbers.split_whitespace().collect();
            if numbers.len() != COLUMNS.len() {
                return Err(CollectError::parse(&path, format!("{device}: {} columns, want 16", numbers.len())));
            }
            if excluded(device) {
                continue;
            }
            for (family, number) in families.iter_mut().zip(&numbers) {
                let value = parse_u64(&path, &family.name, number)? as f64;
                family.push(vec![("device", device.to_string())], value);
            }
            let nohandler = nohandler(root, device);
            if let Some(family) = families.last_mut() {
                family.push(vec![("device", device.to_string())], nohandler);
            }
        }
        out.extend(families);
        Ok(())
    }
}

fn family(column: &str) -> Family {
    Family::new(format!("node_network_{column}_total"), format!("Network device statistic {column}."), Kind::Counter)
}

/// Packets received for a protocol the kernel does not handle; 0 when the kernel does not say.
fn nohandler(root: &Root, device: &str) -> f64 {
    if device.contains('/') || device == ".." || device == "." {
        return 0.0;
    }
    root.read(&format!("sys/class/net/{device}/statistics/rx_nohandler"))
        .ok()
        .and_then(|(_, text)| text.trim().parse::<u64>().ok())
        .map_or(0.0, |v| v as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::run;

    const HEADER: &str = "Inter-|   Receive                                                |  Transmit\n \
        face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n";

    #[test]
    fn columns_and_devices() {
        let text = format!(
            "{HEADER}    lo:  354726     311    0    0    0     0          0         0   354726     311    0    0    0     0       0          0\n  \
             eth0: 159760183 5836 1 2 3 4 5 6 335210 3441 7 8 9 10 11 12\n"
        );
        let out =
            run(&Netdev, &[("proc/net/dev", &text), ("sys/class/net/eth0/statistics/rx_nohandler", "42\n")]).unwrap();
        assert!(out.contains("# HELP node_network_receive_bytes_total Network device statistic receive_bytes.\n"));
        assert!(out.contains("# TYPE node_network_receive_bytes_total counter\n"));
        assert!(out.contains("node_network_receive_bytes_total{device=\"eth0\"} 1.59760183e+08\n"), "{out}");
        assert!(out.contains("node_network_receive_multicast_total{device=\"eth0\"} 6\n"));
        assert!(out.contains("node_network_transmit_colls_total{device=\"eth0\"} 10\n"));
        assert!(out.contains("node_network_transmit_compressed_total{device=\"eth0\"} 12\n"));
        assert!(out.contains("node_network_receive_nohandler_total{device=\"eth0\"} 42\n"));
        assert!(!out.contains("device=\"lo\""));
        assert_eq!(out.matches("{device=").count(), 17);
    }

    #[test]
    fn malformed_files_fail() {
        for bad in ["eth0 1 2 3\n", "eth0: 1 2 3\n", "eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 x\n"] {
            let text = format!("{HEADER}{bad}");
            assert!(run(&Netdev, &[("proc/net/dev", &text)]).is_err(), "{bad:?} accepted");
        }
        assert!(run(&Netdev, &[]).is_err());
    }
}
