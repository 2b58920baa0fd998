//! Prints this host's metrics as a node_exporter would serve them: `cargo run -p hostmetrics --example dump`.

fn main() {
    let root = std::env::args().nth(1).unwrap_or_else(|| "/".to_string());
    let mut out = String::new();
    hostmetrics::HostCollector::new(root).gather(&mut out);
    print!("{out}");
}
