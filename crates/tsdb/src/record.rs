//! WAL record payloads: series definitions, float samples and metric metadata.
//!
//! Byte layout (all integers little-endian or LEB128 varints, see `docs/format/wal.md`):
//! - `Series`: count, then per series: ref (uvarint), label count (uvarint), then name and value
//!   as length-prefixed UTF-8.
//! - `Samples`: count, then per sample: ref (uvarint), timestamp delta from the previous sample
//!   (zigzag varint, first one absolute), value as 8 raw bytes (bit-exact: NaN payloads and the
//!   staleness marker survive).
//! - `Metadata`: count, then metric family name, type code byte, help, unit.
//!
//! Type bytes 4 (tombstones) and 5 (native histogram samples) are reserved.

use crate::labels::{Label, Labels};
use crate::metadata::{MetricMetadata, MetricType};

pub const TYPE_SERIES: u8 = 1;
pub const TYPE_SAMPLES: u8 = 2;
pub const TYPE_METADATA: u8 = 3;

/// A sample addressed by series reference, as logged.
#[derive(Debug, Clone, Copy)]
pub struct RefSample {
    pub series: u64,
    pub t: i64,
    pub v: f64,
}

/// Bit equality, so that NaNs (the staleness marker) compare as stored.
impl PartialEq for RefSample {
    fn eq(&self, o: &Self) -> bool {
        self.series == o.series && self.t == o.t && self.v.to_bits() == o.v.to_bits()
    }
}

/// One decoded WAL record.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Series(Vec<(u64, Labels)>),
    Samples(Vec<RefSample>),
    Metadata(Vec<(String, MetricMetadata)>),
}

/// Why a record payload could not be decoded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RecordError {
    #[error("record truncated")]
    Truncated,
    #[error("unknown record type {0}")]
    UnknownType(u8),
    #[error("invalid UTF-8 in label or metadata string")]
    Utf8,
    #[error("invalid label set: {0}")]
    Labels(#[from] crate::LabelError),
    #[error("unknown metric type code {0}")]
    MetricType(u8),
    #[error("{0} trailing bytes after record")]
    Trailing(usize),
}

impl Record {
    pub fn type_byte(&self) -> u8 {
        match self {
            Record::Series(_) => TYPE_SERIES,
            Record::Samples(_) => TYPE_SAMPLES,
            Record::Metadata(_) => TYPE_METADATA,
        }
    }

    /// Appends the payload (without the type byte) to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Record::Series(series) => encode_series(series.iter().map(|(r, l)| (*r, l)), out),
            Record::Samples(samples) => encode_samples(samples, out),
            Record::Metadata(meta) => {
                put_uvarint(out, meta.len() as u64);
                for (name, m) in meta {
                    put_str(out, name);
                    out.push(m.metric_type.code());
                    put_str(out, &m.help);
                    put_str(out, &m.unit);
                }
            }
        }
    }

    pub fn decode(type_byte: u8, payload: &[u8]) -> Result<Record, RecordError> {
        let mut r = Reader { buf: payload, pos: 0 };
        let rec = match type_byte {
            TYPE_SERIES => {
                let n = r.count()?;
                let mut out = Vec::with_capacity(n);
                for _ in 0..n {
                    let sref = r.uvarint()?;
                    let nl = r.count()?;
                    let mut labels = Vec::with_capacity(nl);
                    for _ in 0..nl {
                        let name = r.str()?;
                        let value = r.str()?;
                        labels.push(Label::new(name, value));
                    }
                    out.push((sref, Labels::from_sorted(labels)?));
                }
                Record::Series(out)
            }
            TYPE_SAMPLES => {
                let n = r.count()?;
                let mut out = Vec::with_capacity(n);
                let mut t = 0i64;
                for _ in 0..n {
                    let series = r.uvarint()?;
                    t = t.wrapping_add(r.varint()?);
                    let v = f64::from_bits(r.u64_le()?);
                    out.push(RefSample { series, t, v });
                }
                Record::Samples(out)
            }
            TYPE_METADATA => {
                let n = r.count()?;
                let mut out = Vec::with_capacity(n);
                for _ in 0..n {
                    let name = r.str()?.to_string();
                    let code = r.byte()?;
                    let metric_type = MetricType::from_code(code).ok_or(RecordError::MetricType(code))?;
                    let help = r.str()?.to_string();
                    let unit = r.str()?.to_string();
                    out.push((name, MetricMetadata { metric_type, help, unit }));
                }
                Record::Metadata(out)
            }
            other => return Err(RecordError::UnknownType(other)),
        };
        if r.pos != payload.len() {
            return Err(RecordError::Trailing(payload.len() - r.pos));
        }
        Ok(rec)
    }
}

/// Encodes a series record from borrowed label sets (the head logs new series without cloning).
pub fn encode_series<'a>(series: impl ExactSizeIterator<Item = (u64, &'a Labels)>, out: &mut Vec<u8>) {
    put_uvarint(out, series.len() as u64);
    for (sref, labels) in series {
        put_uvarint(out, sref);
        put_uvarint(out, labels.len() as u64);
        for l in labels.iter() {
            put_str(out, &l.name);
            put_str(out, &l.value);
        }
    }
}

/// Encodes a samples record.
pub fn encode_samples(samples: &[RefSample], out: &mut Vec<u8>) {
    put_uvarint(out, samples.len() as u64);
    let mut prev_t = 0i64;
    for s in samples {
        put_uvarint(out, s.series);
        put_varint(out, s.t.wrapping_sub(prev_t));
        prev_t = s.t;
        out.extend_from_slice(&s.v.to_bits().to_le_bytes());
    }
}

pub(crate) fn put_uvarint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

pub(crate) fn put_varint(out: &mut Vec<u8>, v: i64) {
    put_uvarint(out, ((v << 1) ^ (v >> 63)) as u64);
}

pub(crate) fn put_str(out: &mut Vec<u8>, s: &str) {
    put_uvarint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// A bounds-checked cursor over untrusted bytes.
pub(crate) struct Reader<'a> {
    pub buf: &'a [u8],
    pub pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    pub fn byte(&mut self) -> Result<u8, RecordError> {
        let b = *self.buf.get(self.pos).ok_or(RecordError::Truncated)?;
        self.pos += 1;
        Ok(b)
    }

    pub fn uvarint(&mut self) -> Result<u64, RecordError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Ok(v);
            }
        }
        Err(RecordError::Truncated)
    }

    pub fn varint(&mut self) -> Result<i64, RecordError> {
        let u = self.uvarint()?;
        Ok(((u >> 1) as i64) ^ -((u & 1) as i64))
    }

    /// A count of following items, sanity-checked against the bytes left so that a corrupt
    /// count cannot make us allocate gigabytes.
    pub fn count(&mut self) -> Result<usize, RecordError> {
        let n = self.uvarint()?;
        if n > self.remaining() as u64 {
            return Err(RecordError::Truncated);
        }
        Ok(n as usize)
    }

    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], RecordError> {
        let end = self.pos.checked_add(n).ok_or(RecordError::Truncated)?;
        let s = self.buf.get(self.pos..end).ok_or(RecordError::Truncated)?;
        self.pos = end;
        Ok(s)
    }

    pub fn u64_le(&mut self) -> Result<u64, RecordError> {
        let b = self.bytes(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    pub fn str(&mut self) -> Result<&'a str, RecordError> {
        let n = self.count()?;
        std::str::from_utf8(self.bytes(n)?).map_err(|_| RecordError::Utf8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_each_type() {
        let labels = Labels::from_pairs(&[("__name__", "up"), ("job", "a")]).unwrap();
        let recs = vec![
            Record::Series(vec![(7, labels)]),
            Record::Samples(vec![
                RefSample { series: 7, t: 1000, v: 1.5 },
                RefSample { series: 7, t: -5, v: f64::from_bits(crate::STALE_NAN_BITS) },
            ]),
            Record::Metadata(vec![(
                "up".into(),
                MetricMetadata { metric_type: MetricType::Gauge, help: "Up.".into(), unit: String::new() },
            )]),
        ];
        for rec in recs {
            let mut buf = Vec::new();
            rec.encode(&mut buf);
            let back = Record::decode(rec.type_byte(), &buf).unwrap();
            match (&rec, &back) {
                (Record::Samples(a), Record::Samples(b)) => {
                    assert!(a.iter().zip(b).all(|(x, y)| x.t == y.t && x.v.to_bits() == y.v.to_bits()));
                }
                _ => assert_eq!(rec, back),
            }
        }
    }

    #[test]
    fn truncated_payloads_are_errors() {
        let labels = Labels::from_pairs(&[("__name__", "up")]).unwrap();
        let mut buf = Vec::new();
        Record::Series(vec![(1, labels)]).encode(&mut buf);
        for cut in 0..buf.len() {
            assert!(Record::decode(TYPE_SERIES, &buf[..cut]).is_err(), "cut at {cut}");
        }
    }
}
