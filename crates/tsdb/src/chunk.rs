//! Chunk encodings: XOR chunks for the head, compact chunks for blocks.
//!
//! * XOR ([`ENCODING_XOR`]): Gorilla-style bit stream — delta-of-delta timestamps in buckets,
//!   values XOR'd with their predecessor with leading/trailing-zero reuse. Appendable one sample
//!   at a time and decodable at any moment, which the head needs.
//! * Compact ([`ENCODING_COMPACT`]): byte-oriented, for immutable blocks that are then zstd
//!   compressed: varint delta-of-delta timestamps and, when every value is exactly a decimal
//!   `m × 10^-e`, varint deltas of the mantissas; otherwise the XOR value stream. Byte-aligned
//!   runs of zeros are what zstd squeezes best.
//!
//! Values always round-trip bit-exactly (NaN payloads, the staleness marker, -0.0, ±Inf).
//! Decoders take untrusted bytes and never panic: they stop and report [`ChunkError`].

/// Head chunks (and a valid block chunk encoding).
pub const ENCODING_XOR: u8 = 1;
/// Block chunks: see the module docs.
pub const ENCODING_COMPACT: u8 = 2;
/// Reserved for native-histogram chunks.
pub const ENCODING_HISTOGRAM: u8 = 3;

/// Why a chunk could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChunkError {
    #[error("chunk truncated after {decoded} of {expected} samples")]
    Truncated { decoded: usize, expected: usize },
    #[error("unknown chunk encoding {0}")]
    UnknownEncoding(u8),
    #[error("invalid chunk: {0}")]
    Invalid(&'static str),
}

// ---------------------------------------------------------------------------------------------
// Bit stream

#[derive(Clone, Default)]
struct BitWriter {
    bytes: Vec<u8>,
    /// Bits still free in the last byte (0 = start a new byte).
    free: u8,
}

impl BitWriter {
    fn write_bit(&mut self, bit: bool) {
        if self.free == 0 {
            self.bytes.push(0);
            self.free = 8;
        }
        if bit && let Some(last) = self.bytes.last_mut() {
            *last |= 1 << (self.free - 1);
        }
        self.free -= 1;
    }

    /// Writes the low `n` bits of `value`, most significant first, a byte at a time.
    fn write_bits(&mut self, value: u64, n: u8) {
        let mut n = n;
        while n > 0 {
            if self.free == 0 {
                self.bytes.push(0);
                self.free = 8;
            }
            let take = n.min(self.free);
            let bits = ((value >> (n - take)) & ((1u64 << take) - 1)) as u8;
            if let Some(last) = self.bytes.last_mut() {
                *last |= bits << (self.free - take);
            }
            self.free -= take;
            n -= take;
        }
    }
}

struct BitReader<'a> {
    bytes: &'a [u8],
    pos: usize,
    bit: u8,
}

impl<'a> BitReader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        BitReader { bytes, pos: 0, bit: 0 }
    }

    fn read_bit(&mut self) -> Option<bool> {
        let b = *self.bytes.get(self.pos)?;
        let v = (b >> (7 - self.bit)) & 1 == 1;
        self.bit += 1;
        if self.bit == 8 {
            self.bit = 0;
            self.pos += 1;
        }
        Some(v)
    }

    /// Reads `n` bits, most significant first, a byte at a time.
    fn read_bits(&mut self, n: u8) -> Option<u64> {
        let mut v = 0u64;
        let mut n = n;
        while n > 0 {
            let b = *self.bytes.get(self.pos)?;
            let avail = 8 - self.bit;
            let take = n.min(avail);
            let bits = (b >> (avail - take)) & (((1u16 << take) - 1) as u8);
            v = (v << take) | u64::from(bits);
            self.bit += take;
            if self.bit == 8 {
                self.bit = 0;
                self.pos += 1;
            }
            n -= take;
        }
        Some(v)
    }
}

// ---------------------------------------------------------------------------------------------
// XOR chunks

/// Delta-of-delta buckets: (prefix bits, prefix value, payload bits).
const DOD_BUCKETS: [(u8, u64, u8); 4] = [(2, 0b10, 14), (3, 0b110, 17), (4, 0b1110, 20), (4, 0b1111, 64)];

/// Appends samples to an XOR chunk. `bytes()` is a complete chunk after every append.
#[derive(Clone, Default)]
pub struct XorAppender {
    w: BitWriter,
    /// Header: sample count (u16 BE) lives in the first two bytes of `w.bytes`.
    num: u16,
    t: i64,
    delta: i64,
    v: u64,
    leading: u8,
    trailing: u8,
}

impl XorAppender {
    pub fn new() -> Self {
        let mut a = XorAppender { leading: 0xff, ..Default::default() };
        a.w.bytes.extend_from_slice(&[0, 0]);
        a
    }

    pub fn num_samples(&self) -> u16 {
        self.num
    }

    /// The encoded chunk so far, count header included.
    pub fn bytes(&self) -> &[u8] {
        &self.w.bytes
    }

    pub fn len_bytes(&self) -> usize {
        self.w.bytes.len()
    }

    /// The newest sample.
    pub fn last(&self) -> Option<(i64, f64)> {
        (self.num > 0).then(|| (self.t, f64::from_bits(self.v)))
    }

    /// Appends a sample; the caller guarantees `t` is greater than the previous one and that
    /// the chunk holds fewer than `u16::MAX` samples.
    pub fn append(&mut self, t: i64, v: f64) {
        let bits = v.to_bits();
        match self.num {
            0 => {
                self.w.write_bits(t as u64, 64);
                self.w.write_bits(bits, 64);
            }
            1 => {
                let delta = t.wrapping_sub(self.t);
                self.w.write_bits(delta as u64, 64);
                self.write_value(bits);
                self.delta = delta;
            }
            _ => {
                let delta = t.wrapping_sub(self.t);
                let dod = delta.wrapping_sub(self.delta);
                self.write_dod(dod);
                self.write_value(bits);
                self.delta = delta;
            }
        }
        self.t = t;
        self.v = bits;
        self.num = self.num.saturating_add(1);
        let [hi, lo] = self.num.to_be_bytes();
        self.w.bytes[0] = hi;
        self.w.bytes[1] = lo;
    }

    fn write_dod(&mut self, dod: i64) {
        if dod == 0 {
            self.w.write_bit(false);
            return;
        }
        for (plen, prefix, bits) in DOD_BUCKETS {
            let fits = bits == 64 || {
                let lo = -(1i64 << (bits - 1));
                let hi = (1i64 << (bits - 1)) - 1;
                dod >= lo && dod <= hi
            };
            if fits {
                self.w.write_bits(prefix, plen);
                let mask = if bits == 64 { u64::MAX } else { (1u64 << bits) - 1 };
                self.w.write_bits(dod as u64 & mask, bits);
                return;
            }
        }
    }

    fn write_value(&mut self, bits: u64) {
        let x = bits ^ self.v;
        if x == 0 {
            self.w.write_bit(false);
            return;
        }
        self.w.write_bit(true);
        let leading = (x.leading_zeros() as u8).min(31);
        let trailing = x.trailing_zeros() as u8;
        if self.leading != 0xff && leading >= self.leading && trailing >= self.trailing {
            self.w.write_bit(false);
            self.w.write_bits(x >> self.trailing, 64 - self.leading - self.trailing);
        } else {
            self.leading = leading;
            self.trailing = trailing;
            self.w.write_bit(true);
            self.w.write_bits(u64::from(leading), 5);
            let sig = 64 - leading - trailing;
            // 64 significant bits are written as 0 (6 bits cannot hold 64).
            self.w.write_bits(u64::from(sig & 63), 6);
            self.w.write_bits(x >> trailing, sig);
        }
    }
}

/// Iterates an XOR chunk. Check [`XorIter::error`] after the end to tell damage from the end.
pub struct XorIter<'a> {
    r: BitReader<'a>,
    total: usize,
    read: usize,
    t: i64,
    delta: i64,
    v: u64,
    leading: u8,
    trailing: u8,
    err: Option<ChunkError>,
}

impl<'a> XorIter<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        let (total, body, err) = match data {
            [hi, lo, rest @ ..] => (usize::from(u16::from_be_bytes([*hi, *lo])), rest, None),
            _ => (0, &[][..], (!data.is_empty()).then_some(ChunkError::Invalid("chunk shorter than its header"))),
        };
        XorIter { r: BitReader::new(body), total, read: 0, t: 0, delta: 0, v: 0, leading: 0, trailing: 0, err }
    }

    /// The damage that ended iteration early, if any.
    pub fn error(&self) -> Option<&ChunkError> {
        self.err.as_ref()
    }

    /// Advances to the first sample at or after `t`.
    pub fn seek(&mut self, t: i64) -> Option<(i64, f64)> {
        self.find(|(st, _)| *st >= t)
    }

    fn fail(&mut self) -> Option<(i64, f64)> {
        self.err = Some(ChunkError::Truncated { decoded: self.read, expected: self.total });
        self.read = self.total;
        None
    }

    fn read_value(&mut self) -> Option<()> {
        if !self.r.read_bit()? {
            return Some(());
        }
        if self.r.read_bit()? {
            self.leading = self.r.read_bits(5)? as u8;
            let mut sig = self.r.read_bits(6)? as u8;
            if sig == 0 {
                sig = 64;
            }
            if u32::from(self.leading) + u32::from(sig) > 64 {
                return None;
            }
            self.trailing = 64 - self.leading - sig;
        }
        let sig = 64 - self.leading - self.trailing;
        let bits = self.r.read_bits(sig)?;
        self.v ^= bits << self.trailing;
        Some(())
    }

    fn read_dod(&mut self) -> Option<i64> {
        if !self.r.read_bit()? {
            return Some(0);
        }
        let mut ones = 1;
        while ones < 4 && self.r.read_bit()? {
            ones += 1;
        }
        let bits = DOD_BUCKETS[ones - 1].2;
        let raw = self.r.read_bits(bits)?;
        Some(if bits == 64 { raw as i64 } else { ((raw << (64 - bits)) as i64) >> (64 - bits) })
    }

    fn step(&mut self) -> Option<(i64, f64)> {
        match self.read {
            0 => {
                self.t = self.r.read_bits(64)? as i64;
                self.v = self.r.read_bits(64)?;
            }
            1 => {
                self.delta = self.r.read_bits(64)? as i64;
                self.t = self.t.wrapping_add(self.delta);
                self.read_value()?;
            }
            _ => {
                let dod = self.read_dod()?;
                self.delta = self.delta.wrapping_add(dod);
                self.t = self.t.wrapping_add(self.delta);
                self.read_value()?;
            }
        }
        Some((self.t, f64::from_bits(self.v)))
    }
}

impl Iterator for XorIter<'_> {
    type Item = (i64, f64);

    fn next(&mut self) -> Option<(i64, f64)> {
        if self.read >= self.total {
            return None;
        }
        match self.step() {
            Some(s) => {
                self.read += 1;
                Some(s)
            }
            None => self.fail(),
        }
    }
}

/// Encodes samples as one XOR chunk.
pub fn xor_chunk_from(samples: &[(i64, f64)]) -> Vec<u8> {
    let mut a = XorAppender::new();
    for &(t, v) in samples {
        a.append(t, v);
    }
    a.bytes().to_vec()
}

fn decode_xor(data: &[u8]) -> Result<Vec<(i64, f64)>, ChunkError> {
    let mut it = XorIter::new(data);
    let out: Vec<(i64, f64)> = it.by_ref().collect();
    match it.error() {
        Some(e) => Err(e.clone()),
        None => Ok(out),
    }
}

// ---------------------------------------------------------------------------------------------
// Compact chunks
//
// Layout: count (uvarint) | first t (zigzag varint) | [second delta (zigzag)] | dods (zigzag)…
//         | value mode u8 | values
// Value modes: 0 = XOR bit stream of the values (header-less), 1 = decimal: exponent u8, first
// mantissa (zigzag), then mantissa deltas (zigzag), 2 = decimal with delta-of-deltas.

const VALUES_XOR: u8 = 0;
const VALUES_DECIMAL_DELTA: u8 = 1;
const VALUES_DECIMAL_DOD: u8 = 2;
/// Largest decimal exponent tried: values with more than this many fractional digits go raw.
const MAX_DECIMAL_EXP: u8 = 12;

fn put_uvarint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_varint(out: &mut Vec<u8>, v: i64) {
    put_uvarint(out, ((v << 1) ^ (v >> 63)) as u64);
}

struct ByteReader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl ByteReader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let v = *self.b.get(self.pos)?;
        self.pos += 1;
        Some(v)
    }
    fn uvarint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Some(v);
            }
        }
        None
    }
    fn varint(&mut self) -> Option<i64> {
        let u = self.uvarint()?;
        Some(((u >> 1) as i64) ^ -((u & 1) as i64))
    }
}

/// The smallest exponent `e` such that every value is exactly `m / 10^e` for an i64 `m`.
fn decimal_exponent(values: &[f64]) -> Option<u8> {
    'exp: for e in 0..=MAX_DECIMAL_EXP {
        let scale = 10f64.powi(i32::from(e));
        for &v in values {
            if !v.is_finite() || (v == 0.0 && v.is_sign_negative()) {
                return None;
            }
            let m = (v * scale).round();
            if m.abs() >= 9.0e15 || from_decimal(m as i64, e).to_bits() != v.to_bits() {
                continue 'exp;
            }
        }
        return Some(e);
    }
    None
}

fn from_decimal(m: i64, e: u8) -> f64 {
    if e == 0 { m as f64 } else { m as f64 / 10f64.powi(i32::from(e)) }
}

/// Encodes samples (strictly increasing timestamps) in the compact block encoding.
pub fn encode_compact(samples: &[(i64, f64)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(samples.len() * 2 + 16);
    put_uvarint(&mut out, samples.len() as u64);
    let mut prev_t = 0i64;
    let mut prev_delta = 0i64;
    for (i, &(t, _)) in samples.iter().enumerate() {
        match i {
            0 => put_varint(&mut out, t),
            1 => {
                prev_delta = t.wrapping_sub(prev_t);
                put_varint(&mut out, prev_delta);
            }
            _ => {
                let delta = t.wrapping_sub(prev_t);
                put_varint(&mut out, delta.wrapping_sub(prev_delta));
                prev_delta = delta;
            }
        }
        prev_t = t;
    }
    let values: Vec<f64> = samples.iter().map(|s| s.1).collect();
    match decimal_exponent(&values) {
        Some(e) => {
            let ms: Vec<i64> = values.iter().map(|v| (v * 10f64.powi(i32::from(e))).round() as i64).collect();
            let delta = encode_mantissas(&ms, false);
            let dod = encode_mantissas(&ms, true);
            let (mode, body) =
                if dod.len() < delta.len() { (VALUES_DECIMAL_DOD, dod) } else { (VALUES_DECIMAL_DELTA, delta) };
            out.push(mode);
            out.push(e);
            out.extend_from_slice(&body);
        }
        None => {
            out.push(VALUES_XOR);
            let mut a = XorAppender::new();
            for (i, &v) in values.iter().enumerate() {
                a.append(i as i64, v);
            }
            // Reuse the XOR value stream; timestamps are synthetic 0,1,2… (dod 0 = 1 bit each).
            out.extend_from_slice(a.bytes());
        }
    }
    out
}

fn encode_mantissas(ms: &[i64], dod: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(ms.len() * 2);
    let (mut prev, mut prev_delta) = (0i64, 0i64);
    for (i, &m) in ms.iter().enumerate() {
        let delta = m.wrapping_sub(prev);
        if dod && i >= 1 {
            put_varint(&mut out, delta.wrapping_sub(prev_delta));
        } else {
            put_varint(&mut out, delta);
        }
        prev = m;
        prev_delta = delta;
    }
    out
}

fn decode_compact_inner(data: &[u8]) -> Option<Result<Vec<(i64, f64)>, ChunkError>> {
    let mut r = ByteReader { b: data, pos: 0 };
    let n = r.uvarint()?;
    // Every sample needs at least one byte of timestamp, so a larger count is damage.
    if n > data.len() as u64 {
        return Some(Err(ChunkError::Invalid("sample count larger than the chunk")));
    }
    let n = n as usize;
    let mut ts = Vec::with_capacity(n);
    let (mut t, mut delta) = (0i64, 0i64);
    for i in 0..n {
        match i {
            0 => t = r.varint()?,
            1 => {
                delta = r.varint()?;
                t = t.wrapping_add(delta);
            }
            _ => {
                delta = delta.wrapping_add(r.varint()?);
                t = t.wrapping_add(delta);
            }
        }
        ts.push(t);
    }
    if n == 0 {
        return Some(Ok(Vec::new()));
    }
    let mode = r.byte()?;
    let values: Vec<f64> = match mode {
        VALUES_XOR => {
            let rest = data.get(r.pos..)?;
            let it = XorIter::new(rest);
            if it.total != n {
                return Some(Err(ChunkError::Invalid("value count differs from timestamp count")));
            }
            match decode_xor(rest) {
                Ok(v) => v.into_iter().map(|(_, v)| v).collect(),
                Err(e) => return Some(Err(e)),
            }
        }
        VALUES_DECIMAL_DELTA | VALUES_DECIMAL_DOD => {
            let e = r.byte()?;
            if e > MAX_DECIMAL_EXP {
                return Some(Err(ChunkError::Invalid("decimal exponent out of range")));
            }
            let mut vals = Vec::with_capacity(n);
            let (mut m, mut d) = (0i64, 0i64);
            for i in 0..n {
                let x = r.varint()?;
                if mode == VALUES_DECIMAL_DOD && i >= 1 {
                    d = d.wrapping_add(x);
                } else {
                    d = x;
                }
                m = m.wrapping_add(d);
                vals.push(from_decimal(m, e));
            }
            if r.pos != data.len() {
                return Some(Err(ChunkError::Invalid("trailing bytes after values")));
            }
            vals
        }
        _ => return Some(Err(ChunkError::Invalid("unknown value mode"))),
    };
    Some(Ok(ts.into_iter().zip(values).collect()))
}

/// Decodes a compact chunk.
pub fn decode_compact(data: &[u8]) -> Result<Vec<(i64, f64)>, ChunkError> {
    decode_compact_inner(data).unwrap_or(Err(ChunkError::Invalid("compact chunk truncated")))
}

/// Decodes a chunk of any known encoding.
pub fn decode_any(encoding: u8, data: &[u8]) -> Result<Vec<(i64, f64)>, ChunkError> {
    match encoding {
        ENCODING_XOR => decode_xor(data),
        ENCODING_COMPACT => decode_compact(data),
        other => Err(ChunkError::UnknownEncoding(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn bits(v: &[(i64, f64)]) -> Vec<(i64, u64)> {
        v.iter().map(|(t, x)| (*t, x.to_bits())).collect()
    }

    fn special_f64() -> impl Strategy<Value = f64> {
        prop_oneof![
            any::<f64>(),
            Just(f64::from_bits(crate::STALE_NAN_BITS)),
            Just(f64::NAN),
            Just(-0.0),
            Just(f64::INFINITY),
            Just(f64::NEG_INFINITY),
            Just(f64::MIN_POSITIVE / 2.0),
            (0i64..1000).prop_map(|i| i as f64 * 0.01),
            (0i64..100).prop_map(|i| i as f64),
            any::<u64>().prop_map(f64::from_bits),
        ]
    }

    fn series() -> impl Strategy<Value = Vec<(i64, f64)>> {
        (
            any::<i64>(),
            proptest::collection::vec(
                (prop_oneof![1i64..100, 1i64..100_000, 1i64..i64::MAX / 1024], special_f64()),
                0..300,
            ),
        )
            .prop_map(|(start, steps)| {
                let mut t = start / 2;
                let mut out = Vec::new();
                for (d, v) in steps {
                    match t.checked_add(d) {
                        Some(n) => t = n,
                        None => break,
                    }
                    out.push((t, v));
                }
                out
            })
    }

    proptest! {
        #[test]
        fn xor_round_trips(samples in series()) {
            let mut a = XorAppender::new();
            for (i, &(t, v)) in samples.iter().enumerate() {
                a.append(t, v);
                // Readable after every append.
                let got = decode_xor(a.bytes()).unwrap();
                prop_assert_eq!(bits(&got), bits(&samples[..=i]));
            }
        }

        #[test]
        fn compact_round_trips(samples in series()) {
            let enc = encode_compact(&samples);
            prop_assert_eq!(bits(&decode_compact(&enc).unwrap()), bits(&samples));
        }

        #[test]
        fn decoders_never_panic(data in proptest::collection::vec(any::<u8>(), 0..200), enc in 0u8..4) {
            let _ = decode_any(enc, &data);
        }

        #[test]
        fn truncated_chunks_are_errors(samples in series(), cut in any::<prop::sample::Index>()) {
            prop_assume!(!samples.is_empty());
            for enc in [xor_chunk_from(&samples), encode_compact(&samples)] {
                let at = cut.index(enc.len());
                let _ = decode_any(ENCODING_XOR, &enc[..at]);
                let _ = decode_any(ENCODING_COMPACT, &enc[..at]);
            }
        }
    }

    #[test]
    fn seek_finds_first_at_or_after() {
        let c = xor_chunk_from(&[(10, 1.0), (20, 2.0), (30, 3.0)]);
        assert_eq!(XorIter::new(&c).seek(15), Some((20, 2.0)));
        assert_eq!(XorIter::new(&c).seek(31), None);
    }

    #[test]
    fn regular_counters_are_small() {
        let samples: Vec<(i64, f64)> = (0..480).map(|i| (1_700_000_000_000 + i * 15_000, (i * 37) as f64)).collect();
        let enc = encode_compact(&samples);
        // One byte per timestamp and per value before zstd; runs of zero bytes after it.
        assert!(enc.len() <= 480 * 2 + 16, "{} bytes", enc.len());
        let squeezed = zstd::bulk::compress(&enc, 3).unwrap();
        assert!(squeezed.len() < 64, "{} bytes after zstd", squeezed.len());
        let gauge: Vec<(i64, f64)> = (0..480).map(|i| (i * 15_000, 100.0 + ((i * 7919) % 13) as f64 * 0.01)).collect();
        assert!(encode_compact(&gauge).len() < 480 * 3);
        // XOR is for the head: regular timestamps cost one bit each.
        let constant: Vec<(i64, f64)> = (0..480).map(|i| (i * 15_000, 1.0)).collect();
        // Two bits per sample plus the first sample and the first delta in full.
        assert!(xor_chunk_from(&constant).len() <= 480 / 4 + 2 + 24);
    }
}
