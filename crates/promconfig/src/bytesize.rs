//! Byte sizes as Prometheus and blackbox write them (`10MB`, `512KiB`, `0` = no limit).

/// Why a byte size did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid byte size {input:?}: {reason}")]
pub struct ByteSizeError {
    pub input: String,
    pub reason: &'static str,
}

/// A byte size read from YAML (a number of bytes, or a string with a unit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ByteSize(pub u64);

/// Parses `10MB`, `1GiB`, `512` (bytes). Units B, KB, MB, GB, TB, PB, EB are powers of 1024 like
/// Prometheus's units package; the `iB` and bare-letter (`K`, `M`) spellings blackbox accepts
/// are accepted too.
pub fn parse_byte_size(s: &str) -> Result<u64, ByteSizeError> {
    let err = |reason| ByteSizeError { input: s.to_string(), reason };
    let t = s.trim();
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return Err(err("expected a number (examples: 10MB, 512KiB)"));
    }
    let n: u64 = t[..digits].parse().map_err(|_| err("number too large"))?;
    let unit = t[digits..].trim().to_ascii_uppercase();
    let shift = match unit.as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        "T" | "TB" | "TIB" => 40,
        "P" | "PB" | "PIB" => 50,
        "E" | "EB" | "EIB" => 60,
        _ => return Err(err("unknown unit (use B, KB, MB, GB, TB, PB or EB)")),
    };
    n.checked_mul(1u64 << shift).ok_or_else(|| err("too large"))
}

impl<'de> serde::Deserialize<'de> for ByteSize {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = ByteSize;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a byte size like 10MB or 512KiB")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<ByteSize, E> {
                Ok(ByteSize(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<ByteSize, E> {
                u64::try_from(v).map(ByteSize).map_err(|_| E::custom("a byte size cannot be negative"))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ByteSize, E> {
                parse_byte_size(v).map(ByteSize).map_err(E::custom)
            }
        }
        d.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_are_powers_of_1024() {
        assert_eq!(parse_byte_size("512"), Ok(512));
        assert_eq!(parse_byte_size("10MB"), Ok(10 << 20));
        assert_eq!(parse_byte_size("1GiB"), Ok(1 << 30));
        assert_eq!(parse_byte_size("2kb"), Ok(2048));
        assert!(parse_byte_size("MB").is_err());
        assert!(parse_byte_size("10XB").unwrap_err().to_string().contains("unknown unit"));
        assert!(parse_byte_size("99999999999EB").is_err());
    }
}
