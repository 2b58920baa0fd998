//! The node_exporter collectors this crate implements, one module each, in node_exporter's names.

mod cpu;
mod cpu_sysfs;
mod diskstats;
mod filefd;
mod filesystem;
mod loadavg;
mod meminfo;
mod netdev;
mod stat;
mod time;
mod uname;
mod vmstat;

use crate::Collector;

/// Every collector, in the order they run.
pub(crate) fn all() -> Vec<Box<dyn Collector>> {
    vec![
        Box::new(cpu::Cpu::default()),
        Box::new(diskstats::Diskstats),
        Box::new(filefd::Filefd),
        Box::new(filesystem::Filesystem::default()),
        Box::new(loadavg::Loadavg),
        Box::new(meminfo::Meminfo),
        Box::new(netdev::Netdev),
        Box::new(stat::Stat),
        Box::new(time::Time),
        Box::new(uname::Uname),
        Box::new(vmstat::Vmstat),
    ]
}
