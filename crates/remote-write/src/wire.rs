//! A minimal, zero-copy protobuf reader for the remote-write messages.
//!
//! Decoding is the hot path of ingestion: `prost` would allocate a `String` per label name and
//! value, which dominated the receiver's CPU profile. This reader borrows every string from the
//! decompressed buffer instead. It implements just the wire format (varints, fixed64, length
//! delimited fields, skipping unknown fields); `proto.rs` remains the schema and the encoder,
//! and a property test checks both agree.

/// A wire-format problem, with the byte offset where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireError {
    pub offset: usize,
    pub problem: &'static str,
}

pub type Result<T> = std::result::Result<T, WireError>;

/// One field of a message.
pub enum Value<'a> {
    Varint(u64),
    Fixed64(u64),
    Bytes(&'a [u8]),
    /// A 32-bit fixed value (not used by remote write; skipped).
    Fixed32,
}

/// Iterates the fields of one message.
pub struct Fields<'a> {
    buf: &'a [u8],
    pos: usize,
    /// Offset of `buf` in the whole request, for error messages.
    base: usize,
}

impl<'a> Fields<'a> {
    pub fn new(buf: &'a [u8], base: usize) -> Self {
        Fields { buf, pos: 0, base }
    }

    fn err(&self, problem: &'static str) -> WireError {
        WireError { offset: self.base + self.pos, problem }
    }

    fn varint(&mut self) -> Result<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *self.buf.get(self.pos).ok_or_else(|| self.err("truncated varint"))?;
            self.pos += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Ok(v);
            }
        }
        Err(self.err("varint longer than 10 bytes"))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|e| *e <= self.buf.len())
            .ok_or_else(|| self.err("field runs past the end of its message"))?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    /// The next `(field number, value, offset of the value in the whole request)`, or `None`
    /// at the end.
    pub fn next_field(&mut self) -> Result<Option<(u32, Value<'a>, usize)>> {
        if self.pos >= self.buf.len() {
            return Ok(None);
        }
        let key = self.varint()?;
        let field = u32::try_from(key >> 3).map_err(|_| self.err("field number too large"))?;
        if field == 0 {
            return Err(self.err("field number 0"));
        }
        let mut at = self.base + self.pos;
        let value = match key & 7 {
            0 => Value::Varint(self.varint()?),
            1 => {
                let b = self.take(8)?;
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                Value::Fixed64(u64::from_le_bytes(a))
            }
            2 => {
                let len = self.varint()?;
                let len = usize::try_from(len).map_err(|_| self.err("length too large"))?;
                // Offsets of length-delimited values point at their first payload byte.
                at = self.base + self.pos;
                Value::Bytes(self.take(len)?)
            }
            5 => {
                self.take(4)?;
                Value::Fixed32
            }
            _ => return Err(self.err("unsupported wire type (groups are not used by remote write)")),
        };
        Ok(Some((field, value, at)))
    }
}

/// The wire type a known field must arrive with.
#[derive(Debug, Clone, Copy)]
pub enum Wire {
    Varint,
    Fixed64,
    Len,
    /// A `repeated` scalar: packed (length-delimited) or one varint per element.
    VarintOrLen,
}

/// The fields of one message that the parser reads: number, wire type, and the problem reported
/// when the field arrives with another wire type. Fields not listed are skipped, as protobuf
/// requires for fields added by newer senders.
pub type Schema = &'static [(u32, Wire, &'static str)];

/// Rejects a known field sent with the wrong wire type. Skipping it instead would silently drop
/// data (a sample value sent as a varint would become 0.0), which the receiver must never do.
pub fn check(schema: Schema, field: u32, value: &Value<'_>, at: usize) -> Result<()> {
    for (number, wire, problem) in schema {
        if *number != field {
            continue;
        }
        let ok = matches!(
            (wire, value),
            (Wire::Varint | Wire::VarintOrLen, Value::Varint(_))
                | (Wire::Fixed64, Value::Fixed64(_))
                | (Wire::Len | Wire::VarintOrLen, Value::Bytes(_))
        );
        if !ok {
            return Err(WireError { offset: at, problem });
        }
    }
    Ok(())
}

/// Reads a string field as UTF-8.
pub fn utf8(b: &[u8], at: usize) -> Result<&str> {
    std::str::from_utf8(b).map_err(|_| WireError { offset: at, problem: "string is not valid UTF-8" })
}

/// Decodes a packed or single `repeated uint32` value into `out`.
pub fn push_u32s(v: &Value<'_>, at: usize, out: &mut Vec<u32>) -> Result<()> {
    match v {
        Value::Varint(x) => {
            out.push(u32::try_from(*x).map_err(|_| WireError { offset: at, problem: "uint32 out of range" })?);
            Ok(())
        }
        Value::Bytes(b) => {
            let mut f = Fields::new(b, at);
            while f.pos < b.len() {
                let x = f.varint()?;
                out.push(u32::try_from(x).map_err(|_| f.err("uint32 out of range"))?);
            }
            Ok(())
        }
        _ => Err(WireError { offset: at, problem: "wrong wire type for uint32" }),
    }
}
