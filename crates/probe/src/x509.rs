//! Just enough X.509 DER reading for the TLS series: validity end, subject and issuer (rendered
//! like Go's `pkix.Name.String()`), and DNS subject alternative names.

/// The certificate fields the probe reports.
#[derive(Debug, Clone, PartialEq)]
pub struct CertInfo {
    /// `notAfter` as Unix seconds.
    pub not_after: i64,
    /// Subject, RFC 2253 style as Go prints it.
    pub subject: String,
    /// Issuer, same rendering.
    pub issuer: String,
    /// DNS names of the subjectAltName extension.
    pub dns_names: Vec<String>,
}

struct Tlv<'a> {
    tag: u8,
    /// The whole element, header included (Go prints unknown attribute values this way).
    raw: &'a [u8],
    body: &'a [u8],
}

fn read_tlv(input: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let tag = *input.first()?;
    let first = *input.get(1)?;
    let (len, header) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | usize::from(*input.get(2 + i)?);
        }
        (len, 2 + n)
    };
    let end = header.checked_add(len)?;
    let raw = input.get(..end)?;
    Some((Tlv { tag, raw, body: &raw[header..] }, &input[end..]))
}

fn children(mut body: &[u8]) -> Vec<Tlv<'_>> {
    let mut out = Vec::new();
    while let Some((t, rest)) = read_tlv(body) {
        out.push(t);
        body = rest;
    }
    out
}

/// Parses a DER certificate; `None` when it is not one.
pub fn parse(der: &[u8]) -> Option<CertInfo> {
    let (cert, _) = read_tlv(der)?;
    let (tbs, _) = read_tlv(cert.body)?;
    let mut fields = children(tbs.body).into_iter();
    let mut next = fields.next()?;
    if next.tag == 0xa0 {
        next = fields.next()?; // explicit version, then serial
    }
    let _serial = next;
    let _sig_alg = fields.next()?;
    let issuer = fields.next()?;
    let validity = fields.next()?;
    let subject = fields.next()?;
    let _spki = fields.next()?;
    let times = children(validity.body);
    let not_after = parse_time(times.get(1)?)?;
    let mut dns_names = Vec::new();
    for f in fields {
        if f.tag == 0xa3 {
            dns_names = san_dns_names(f.body);
        }
    }
    Some(CertInfo { not_after, subject: render_name(subject.body), issuer: render_name(issuer.body), dns_names })
}

const OID_SAN: &[u8] = &[0x55, 0x1d, 0x11];

fn san_dns_names(ext_wrapper: &[u8]) -> Vec<String> {
    let Some((seq, _)) = read_tlv(ext_wrapper) else { return Vec::new() };
    for ext in children(seq.body) {
        let parts = children(ext.body);
        let is_san = parts.first().is_some_and(|oid| oid.tag == 0x06 && oid.body == OID_SAN);
        let Some(value) = parts.iter().find(|p| p.tag == 0x04) else { continue };
        if !is_san {
            continue;
        }
        let Some((names, _)) = read_tlv(value.body) else { return Vec::new() };
        return children(names.body)
            .into_iter()
            .filter(|n| n.tag == 0x82)
            .map(|n| String::from_utf8_lossy(n.body).into_owned())
            .collect();
    }
    Vec::new()
}

fn parse_time(t: &Tlv<'_>) -> Option<i64> {
    let s = std::str::from_utf8(t.body).ok()?;
    let digits = |a: usize, b: usize| s.get(a..b).and_then(|x| x.parse::<i64>().ok());
    let (year, off) = match t.tag {
        0x17 => {
            let yy = digits(0, 2)?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, 2)
        }
        0x18 => (digits(0, 4)?, 4),
        _ => return None,
    };
    let month = digits(off, off + 2)?;
    let day = digits(off + 2, off + 4)?;
    let hour = digits(off + 4, off + 6)?;
    let min = digits(off + 6, off + 8)?;
    let sec = digits(off + 8, off + 10)?;
    Some(days_from_civil(year, month, day) * 86400 + hour * 3600 + min * 60 + sec)
}

/// Days since 1970-01-01 of a proleptic Gregorian date ([`promconfig::time`]'s arithmetic).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let (Ok(m), Ok(d)) = (u32::try_from(m), u32::try_from(d)) else { return 0 };
    promconfig::time::days_from_civil(y, m, d)
}

/// Attribute types Go keeps in named fields, in the order `ToRDNSequence` emits them.
const KNOWN: [(&[u8], &str); 9] = [
    (&[0x55, 0x04, 0x06], "C"),
    (&[0x55, 0x04, 0x08], "ST"),
    (&[0x55, 0x04, 0x07], "L"),
    (&[0x55, 0x04, 0x09], "STREET"),
    (&[0x55, 0x04, 0x11], "POSTALCODE"),
    (&[0x55, 0x04, 0x0a], "O"),
    (&[0x55, 0x04, 0x0b], "OU"),
    (&[0x55, 0x04, 0x03], "CN"),
    (&[0x55, 0x04, 0x05], "SERIALNUMBER"),
];

/// Renders a Name as Go's `pkix.Name.String()` does: named attributes grouped per type in Go's
/// fixed order (CN and SERIALNUMBER keep only the last value), other attributes after them as
/// `oid=#hex`, the whole sequence printed in reverse.
fn render_name(name: &[u8]) -> String {
    let mut known: Vec<Vec<String>> = vec![Vec::new(); KNOWN.len()];
    let mut extra: Vec<String> = Vec::new();
    for rdn in children(name) {
        for atv in children(rdn.body) {
            let parts = children(atv.body);
            let (Some(oid), Some(value)) = (parts.first(), parts.get(1)) else { continue };
            match KNOWN.iter().position(|(k, _)| *k == oid.body) {
                Some(i) => {
                    let v = String::from_utf8_lossy(value.body).into_owned();
                    if KNOWN[i].1 == "CN" || KNOWN[i].1 == "SERIALNUMBER" {
                        known[i] = vec![v];
                    } else {
                        known[i].push(v);
                    }
                }
                None => extra.push(format!("{}=#{}", oid_string(oid.body), hex(value.raw))),
            }
        }
    }
    let mut rdns: Vec<String> = Vec::new();
    for (i, values) in known.iter().enumerate() {
        if !values.is_empty() {
            let atvs: Vec<String> = values.iter().map(|v| format!("{}={}", KNOWN[i].1, escape(v))).collect();
            rdns.push(atvs.join("+"));
        }
    }
    rdns.extend(extra);
    rdns.reverse();
    rdns.join(",")
}

fn escape(v: &str) -> String {
    let chars: Vec<char> = v.chars().collect();
    let mut out = String::new();
    for (k, c) in chars.iter().enumerate() {
        let needs = match c {
            ',' | '+' | '"' | '\\' | '<' | '>' | ';' => true,
            ' ' => k == 0 || k == chars.len() - 1,
            '#' => k == 0,
            _ => false,
        };
        if needs {
            out.push('\\');
        }
        out.push(*c);
    }
    out
}

fn oid_string(body: &[u8]) -> String {
    let Some(first) = body.first() else { return String::new() };
    let mut parts = vec![u64::from(first / 40).min(2), u64::from(*first) - 40 * u64::from(first / 40).min(2)];
    let mut acc: u64 = 0;
    for b in &body[1..] {
        acc = (acc << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            parts.push(acc);
            acc = 0;
        }
    }
    parts.iter().map(u64::to_string).collect::<Vec<_>>().join(".")
}

/// Lower-case hex, as Go's `hex.EncodeToString`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11017);
        assert_eq!(days_from_civil(1, 1, 1) * 86400, -62135596800);
    }

    #[test]
    fn names_render_like_go() {
        // SEQUENCE { SET { SEQ { OID CN, UTF8 "a,b" } }, SET { SEQ { OID O, UTF8 "Org" } } }
        let cn = [0x30, 0x0a, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x03, b'a', b',', b'b'];
        let o = [0x30, 0x0a, 0x06, 0x03, 0x55, 0x04, 0x0a, 0x0c, 0x03, b'O', b'r', b'g'];
        let mut name = Vec::new();
        for atv in [&cn[..], &o[..]] {
            name.push(0x31);
            name.push(atv.len() as u8);
            name.extend_from_slice(atv);
        }
        assert_eq!(render_name(&name), "CN=a\\,b,O=Org");
    }
}
