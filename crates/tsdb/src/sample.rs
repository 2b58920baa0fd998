//! Samples and the Prometheus staleness marker.

/// The bit pattern Prometheus uses to mark a series stale. It is a NaN, so it must be stored and
/// compared by bits, never by value: the chunk encodings keep all 64 bits exactly.
pub const STALE_NAN_BITS: u64 = 0x7ff0_0000_0000_0002;

/// Whether `v` is the staleness marker (not merely some NaN).
pub fn is_stale_nan(v: f64) -> bool {
    v.to_bits() == STALE_NAN_BITS
}

/// One float sample: milliseconds since the Unix epoch and a value.
///
/// Native histograms will be a second sample kind with their own chunk encoding and WAL record
/// type (both formats reserve a type byte for it), so this struct stays the float case.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub t: i64,
    pub v: f64,
}

impl Sample {
    pub fn new(t: i64, v: f64) -> Self {
        Sample { t, v }
    }

    /// Equality by bits, so that NaNs (and the staleness marker) compare as stored.
    pub fn bits_eq(&self, other: &Sample) -> bool {
        self.t == other.t && self.v.to_bits() == other.v.to_bits()
    }
}

impl PartialEq for Sample {
    fn eq(&self, other: &Self) -> bool {
        self.bits_eq(other)
    }
}
