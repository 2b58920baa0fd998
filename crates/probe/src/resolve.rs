//! Target resolution with blackbox's IP-family preference and fallback, and the series it emits
//! (`probe_dns_lookup_time_seconds`, `probe_ip_protocol`, `probe_ip_addr_hash`).

use std::net::IpAddr;
use std::time::Instant;

use crate::metrics::ProbeMetrics;

/// A resolution that produced no usable address.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// The resolver failed.
    #[error("cannot resolve {host}: {source}")]
    Lookup { host: String, source: std::io::Error },
    /// Addresses exist, but none of the requested family and fallback is off.
    #[error("unable to find ip; no fallback")]
    NoAddress,
}

/// Resolves `host` preferring `preferred` (`ip4`, else IPv6), registering the resolution series
/// and returning the chosen address and the lookup time in seconds (also on failure).
pub async fn choose_protocol(
    preferred: &str,
    fallback: bool,
    host: &str,
    metrics: &mut ProbeMetrics,
) -> (Result<IpAddr, ResolveError>, f64) {
    metrics.register("probe_ip_protocol", "Specifies whether probe ip protocol is IP4 or IP6");
    metrics.register("probe_dns_lookup_time_seconds", "Returns the time taken for probe dns lookup in seconds");
    metrics.register(
        "probe_ip_addr_hash",
        "Specifies the hash of IP address. It's useful to detect if the IP address changes.",
    );
    let want_v4 = preferred == "ip4";
    let start = Instant::now();
    let result = lookup(host).await.and_then(|ips| pick(&ips, want_v4, fallback));
    let elapsed = start.elapsed().as_secs_f64();
    metrics.set("probe_dns_lookup_time_seconds", "", elapsed);
    if let Ok(ip) = &result {
        metrics.set("probe_ip_protocol", "", if ip.is_ipv4() { 4.0 } else { 6.0 });
        metrics.set("probe_ip_addr_hash", "", ip_hash(ip));
    }
    (result, elapsed)
}

async fn lookup(host: &str) -> Result<Vec<IpAddr>, ResolveError> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(vec![ip]);
    }
    let addrs = tokio::net::lookup_host((bare, 0))
        .await
        .map_err(|source| ResolveError::Lookup { host: bare.to_string(), source })?;
    Ok(addrs.map(|a| a.ip()).collect())
}

fn pick(ips: &[IpAddr], want_v4: bool, fallback: bool) -> Result<IpAddr, ResolveError> {
    if let Some(ip) = ips.iter().find(|ip| ip.is_ipv4() == want_v4) {
        return Ok(*ip);
    }
    match ips.last() {
        Some(ip) if fallback => Ok(*ip),
        _ => Err(ResolveError::NoAddress),
    }
}

/// FNV-1a (32 bit) of the address bytes, as blackbox hashes them.
pub fn ip_hash(ip: &IpAddr) -> f64 {
    let bytes: Vec<u8> = match ip {
        IpAddr::V4(v4) => v4.octets().to_vec(),
        IpAddr::V6(v6) => v6.octets().to_vec(),
    };
    let mut h: u32 = 0x811c_9dc5;
    for b in bytes {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    f64::from(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_hash_of_loopback() {
        // FNV-1a 32 of [127, 0, 0, 1], computed by hand from the published algorithm.
        let mut h: u32 = 2166136261;
        for b in [127u8, 0, 0, 1] {
            h = (h ^ u32::from(b)).wrapping_mul(16777619);
        }
        assert_eq!(ip_hash(&"127.0.0.1".parse().unwrap()), f64::from(h));
    }

    #[test]
    fn family_preference_and_fallback() {
        let v4: IpAddr = "127.0.0.1".parse().unwrap();
        let v6: IpAddr = "::1".parse().unwrap();
        assert_eq!(pick(&[v4, v6], false, true).unwrap(), v6);
        assert_eq!(pick(&[v4, v6], true, true).unwrap(), v4);
        assert_eq!(pick(&[v4], false, true).unwrap(), v4);
        assert!(pick(&[v4], false, false).is_err());
    }
}
