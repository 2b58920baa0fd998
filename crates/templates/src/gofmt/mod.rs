//! Go's `fmt` package for template values: `Sprint`, `Sprintln`, `Sprintf` and the `%v`
//! printing of actions.
//!
//! Alert texts are compared byte for byte with Prometheus's (`printf "%.2f"`, `%5s`,
//! `%!d(string=x)` for a wrong verb), so the verb, flag, width and precision handling
//! follows Go's `fmt` rather than Rust's.

pub mod float;
pub mod quote;

use crate::gotime::{format_duration, format_time};
use crate::value::Value;
use float::format_float;
use quote::{can_backquote, go_quote, go_quote_rune, is_print};

/// Flags, width and precision of one verb.
#[derive(Debug, Clone, Copy, Default)]
struct Spec {
    plus: bool,
    minus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    plus_v: bool,
    sharp_v: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

impl Spec {
    /// Go's `pad`: pads `s` to the width with spaces (or zeros under the `0` flag).
    fn pad(&self, out: &mut String, s: &str) {
        let Some(width) = self.width else {
            out.push_str(s);
            return;
        };
        let count = s.chars().count();
        if count >= width {
            out.push_str(s);
            return;
        }
        let fill = if self.zero { '0' } else { ' ' };
        if self.minus {
            out.push_str(s);
            out.extend(std::iter::repeat_n(' ', width - count));
        } else {
            out.extend(std::iter::repeat_n(fill, width - count));
            out.push_str(s);
        }
    }

    fn write_padding(&self, out: &mut String, n: usize) {
        let fill = if self.zero { '0' } else { ' ' };
        out.extend(std::iter::repeat_n(fill, n));
    }
}

/// Go's `fmt.Sprint`: operands printed with `%v`, a space between two operands when
/// neither is a string.
pub fn sprint(args: &[Value]) -> String {
    let mut out = String::new();
    let mut prev_string = false;
    for (i, arg) in args.iter().enumerate() {
        let is_string = arg.is_string_kind();
        if i > 0 && !is_string && !prev_string {
            out.push(' ');
        }
        print_arg(&mut out, arg, 'v', Spec::default(), 0);
        prev_string = is_string;
    }
    out
}

/// Go's `fmt.Sprintln`: operands separated by spaces, then a newline.
pub fn sprintln(args: &[Value]) -> String {
    let mut out = String::new();
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        print_arg(&mut out, arg, 'v', Spec::default(), 0);
    }
    out.push('\n');
    out
}

/// Go's `%v` of a single value (what `{{ x }}` prints once nil has been ruled out).
pub fn format_value(v: &Value) -> String {
    match v {
        Value::Str(s) | Value::Html(s) => s.to_string(),
        Value::Float(f) => float::format_go_float(*f),
        _ => {
            let mut out = String::new();
            print_arg(&mut out, v, 'v', Spec::default(), 0);
            out
        }
    }
}

/// Parses a decimal number at `i`, as Go's `parsenum`; values over 10⁶ count as absent.
fn parse_num(fmt: &[u8], mut i: usize) -> (Option<usize>, usize) {
    let start = i;
    let mut n: usize = 0;
    while i < fmt.len() && fmt[i].is_ascii_digit() {
        if n > 1_000_000 {
            return (None, i);
        }
        n = n * 10 + usize::from(fmt[i] - b'0');
        i += 1;
    }
    if i == start { (None, i) } else { (Some(n), i) }
}

/// Go's `intFromArg` for `*` widths and precisions.
fn int_from_arg(args: &[Value], arg_num: usize) -> (Option<i64>, usize) {
    match args.get(arg_num) {
        Some(Value::Int(n)) if n.unsigned_abs() <= 1_000_000 => (Some(*n), arg_num + 1),
        Some(_) => (None, arg_num + 1),
        None => (None, arg_num),
    }
}

/// State of one `Sprintf` call.
struct Printf<'a> {
    fmt: &'a [u8],
    args: &'a [Value],
    arg_num: usize,
    reordered: bool,
    good_arg_num: bool,
}

impl Printf<'_> {
    /// Go's `argNumber`: an explicit `[n]` index at `i`.
    fn arg_number(&mut self, i: usize) -> (usize, bool) {
        if i >= self.fmt.len() || self.fmt[i] != b'[' {
            return (i, false);
        }
        self.reordered = true;
        let rest = &self.fmt[i..];
        if rest.len() < 3 {
            self.good_arg_num = false;
            return (i + 1, false);
        }
        let Some(close) = rest.iter().position(|&b| b == b']') else {
            self.good_arg_num = false;
            return (i + 1, false);
        };
        let (n, end) = parse_num(rest, 1);
        match n {
            Some(n) if end == close && n >= 1 && n - 1 < self.args.len() => {
                self.arg_num = n - 1;
                (i + close + 1, true)
            }
            Some(_) if end == close => {
                self.good_arg_num = false;
                (i + close + 1, true)
            }
            _ => {
                self.good_arg_num = false;
                (i + close + 1, false)
            }
        }
    }
}

/// Go's `fmt.Sprintf`, including its in-band error markers (`%!d(string=x)`,
/// `%!v(MISSING)`, `%!(EXTRA int=1)`).
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut out = String::with_capacity(format.len() + 16);
    let mut p = Printf { fmt: format.as_bytes(), args, arg_num: 0, reordered: false, good_arg_num: true };
    let end = p.fmt.len();
    let mut i = 0;
    while i < end {
        p.good_arg_num = true;
        let last = i;
        while i < end && p.fmt[i] != b'%' {
            i += 1;
        }
        if i > last {
            out.push_str(&format[last..i]);
        }
        if i >= end {
            break;
        }
        i += 1;
        let mut spec = Spec::default();
        while i < end {
            match p.fmt[i] {
                b'#' => spec.sharp = true,
                b'0' => spec.zero = !spec.minus,
                b'+' => spec.plus = true,
                b'-' => {
                    spec.minus = true;
                    spec.zero = false;
                }
                b' ' => spec.space = true,
                _ => break,
            }
            i += 1;
        }
        let (ni, mut after_index) = p.arg_number(i);
        i = ni;
        if i < end && p.fmt[i] == b'*' {
            i += 1;
            let (w, next) = int_from_arg(args, p.arg_num);
            p.arg_num = next;
            match w {
                Some(w) => {
                    if w < 0 {
                        spec.minus = true;
                        spec.zero = false;
                    }
                    spec.width = Some(w.unsigned_abs() as usize);
                }
                None => out.push_str("%!(BADWIDTH)"),
            }
            after_index = false;
        } else {
            let (w, ni) = parse_num(p.fmt, i);
            spec.width = w;
            i = ni;
            if after_index && spec.width.is_some() {
                p.good_arg_num = false;
            }
        }
        if i + 1 < end && p.fmt[i] == b'.' {
            i += 1;
            if after_index {
                p.good_arg_num = false;
            }
            let (ni, ai) = p.arg_number(i);
            i = ni;
            after_index = ai;
            if i < end && p.fmt[i] == b'*' {
                i += 1;
                let (pr, next) = int_from_arg(args, p.arg_num);
                p.arg_num = next;
                match pr {
                    Some(pr) if pr >= 0 => spec.prec = Some(pr as usize),
                    Some(_) => spec.prec = None,
                    None => out.push_str("%!(BADPREC)"),
                }
                after_index = false;
            } else {
                let (pr, ni) = parse_num(p.fmt, i);
                spec.prec = Some(pr.unwrap_or(0));
                i = ni;
            }
        }
        if !after_index {
            let (ni, _) = p.arg_number(i);
            i = ni;
        }
        if i >= end {
            out.push_str("%!(NOVERB)");
            break;
        }
        let Some(verb) = format[i..].chars().next() else {
            break;
        };
        i += verb.len_utf8();
        if verb == '%' {
            out.push('%');
        } else if !p.good_arg_num {
            out.push_str(&format!("%!{verb}(BADINDEX)"));
        } else if p.arg_num >= args.len() {
            out.push_str(&format!("%!{verb}(MISSING)"));
        } else {
            if verb == 'v' {
                spec.sharp_v = spec.sharp;
                spec.sharp = false;
                spec.plus_v = spec.plus;
                spec.plus = false;
            }
            print_arg(&mut out, &args[p.arg_num], verb, spec, 0);
            p.arg_num += 1;
        }
    }
    if !p.reordered && p.arg_num < args.len() {
        out.push_str("%!(EXTRA ");
        for (k, arg) in args[p.arg_num..].iter().enumerate() {
            if k > 0 {
                out.push_str(", ");
            }
            if matches!(arg, Value::Nil) {
                out.push_str("<nil>");
            } else {
                out.push_str(&arg.type_name());
                out.push('=');
                print_arg(&mut out, arg, 'v', Spec::default(), 0);
            }
        }
        out.push(')');
    }
    out
}

/// Go's `badVerb`: `%!verb(type=value)`.
fn bad_verb(out: &mut String, v: &Value, verb: char) {
    out.push_str("%!");
    out.push(verb);
    out.push('(');
    if matches!(v, Value::Nil) {
        out.push_str("<nil>");
    } else {
        out.push_str(&v.type_name());
        out.push('=');
        print_arg(out, v, 'v', Spec::default(), 0);
    }
    out.push(')');
}

/// Go's `printArg`/`printValue`: one operand under one verb.
fn print_arg(out: &mut String, v: &Value, verb: char, spec: Spec, depth: usize) {
    if verb == 'T' {
        spec.pad(out, &v.type_name());
        return;
    }
    match v {
        Value::Nil => match verb {
            'v' => spec.pad(out, "<nil>"),
            _ => bad_verb(out, v, verb),
        },
        Value::Bool(b) => match verb {
            't' | 'v' => spec.pad(out, if *b { "true" } else { "false" }),
            _ => bad_verb(out, v, verb),
        },
        Value::Int(n) => fmt_integer_verb(out, *n, verb, spec, v),
        Value::Duration(n) => match verb {
            'v' | 's' | 'x' | 'X' | 'q' => fmt_string(out, &format_duration(*n), verb, spec, v),
            _ => fmt_integer_verb(out, *n, verb, spec, v),
        },
        Value::Float(f) => match verb {
            'v' => fmt_float(out, *f, 'g', None, spec),
            'g' | 'G' => fmt_float(out, *f, verb, None, spec),
            'e' | 'E' | 'f' | 'F' => fmt_float(out, *f, verb, Some(6), spec),
            _ => bad_verb(out, v, verb),
        },
        Value::Str(s) | Value::Html(s) => fmt_string(out, s, verb, spec, v),
        Value::Time(t) => match verb {
            'v' | 's' | 'x' | 'X' | 'q' => fmt_string(out, &format_time(*t), verb, spec, v),
            _ => bad_verb(out, v, verb),
        },
        Value::Labels(m) => {
            out.push_str("map[");
            for (i, (k, val)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                fmt_string(out, k, verb, spec, &Value::str(k));
                out.push(':');
                fmt_string(out, val, verb, spec, &Value::str(val));
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push_str("map[");
            for (i, (k, val)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                fmt_string(out, k, verb, spec, &Value::str(k));
                out.push(':');
                print_arg(out, val, verb, spec, depth + 1);
            }
            out.push(']');
        }
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                print_arg(out, item, verb, spec, depth + 1);
            }
            out.push(']');
        }
        Value::QueryResult(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                print_sample(out, item, verb, spec, depth + 1);
            }
            out.push(']');
        }
        Value::Sample(s) => print_sample(out, s, verb, spec, depth),
        Value::Struct(s) => {
            out.push('{');
            for (i, (name, val)) in s.fields.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                if spec.plus_v {
                    out.push_str(name);
                    out.push(':');
                }
                print_arg(out, val, verb, spec, depth + 1);
            }
            out.push('}');
        }
        Value::Func(_) => match verb {
            'v' | 'p' => spec.pad(out, "0x0"),
            _ => bad_verb(out, v, verb),
        },
    }
}

/// A `*sample` prints as `&{map[...] value}` (Go prints nested pointers as addresses,
/// which carry no information; the contents are printed instead).
fn print_sample(out: &mut String, s: &crate::value::Sample, verb: char, spec: Spec, depth: usize) {
    out.push_str("&{");
    if spec.plus_v {
        out.push_str("Labels:");
    }
    print_arg(out, &Value::Labels(s.labels.clone()), verb, spec, depth + 1);
    out.push(' ');
    if spec.plus_v {
        out.push_str("Value:");
    }
    print_arg(out, &Value::Float(s.value), verb, spec, depth + 1);
    out.push('}');
}

/// Go's `fmtString`: verbs `v s q x X`.
fn fmt_string(out: &mut String, s: &str, verb: char, spec: Spec, v: &Value) {
    match verb {
        'v' if spec.sharp_v => fmt_q(out, s, spec),
        'v' | 's' => spec.pad(out, truncate(s, spec.prec)),
        'q' => fmt_q(out, s, spec),
        'x' | 'X' => fmt_sx(out, s.as_bytes(), verb == 'X', spec),
        _ => bad_verb(out, v, verb),
    }
}

fn truncate(s: &str, prec: Option<usize>) -> &str {
    match prec {
        Some(p) => match s.char_indices().nth(p) {
            Some((idx, _)) => &s[..idx],
            None => s,
        },
        None => s,
    }
}

fn fmt_q(out: &mut String, s: &str, spec: Spec) {
    let s = truncate(s, spec.prec);
    if spec.sharp && can_backquote(s) {
        spec.pad(out, &format!("`{s}`"));
    } else {
        spec.pad(out, &go_quote(s, spec.plus));
    }
}

/// Go's `fmtSbx`: hex of each byte, `% x` separates, `#` prefixes `0x`.
fn fmt_sx(out: &mut String, b: &[u8], upper: bool, spec: Spec) {
    let len = spec.prec.map_or(b.len(), |p| p.min(b.len()));
    let mut width = 2 * len;
    if width > 0 {
        if spec.space {
            if spec.sharp {
                width *= 2;
            }
            width += len - 1;
        } else if spec.sharp {
            width += 2;
        }
    } else {
        if let Some(w) = spec.width {
            spec.write_padding(out, w);
        }
        return;
    }
    let pad = spec.width.map_or(0, |w| w.saturating_sub(width));
    if !spec.minus {
        spec.write_padding(out, pad);
    }
    let prefix = if upper { "0X" } else { "0x" };
    if spec.sharp {
        out.push_str(prefix);
    }
    for (i, byte) in b[..len].iter().enumerate() {
        if spec.space && i > 0 {
            out.push(' ');
            if spec.sharp {
                out.push_str(prefix);
            }
        }
        if upper {
            out.push_str(&format!("{byte:02X}"));
        } else {
            out.push_str(&format!("{byte:02x}"));
        }
    }
    if spec.minus {
        out.extend(std::iter::repeat_n(' ', pad));
    }
}

/// Integer verbs `v d b o O x X c q U`.
fn fmt_integer_verb(out: &mut String, n: i64, verb: char, spec: Spec, v: &Value) {
    match verb {
        'v' | 'd' => fmt_integer(out, n, 10, false, verb, spec),
        'b' => fmt_integer(out, n, 2, false, verb, spec),
        'o' | 'O' => fmt_integer(out, n, 8, false, verb, spec),
        'x' => fmt_integer(out, n, 16, false, verb, spec),
        'X' => fmt_integer(out, n, 16, true, verb, spec),
        'c' => {
            let c = u32::try_from(n).ok().and_then(char::from_u32).unwrap_or('\u{fffd}');
            spec.pad(out, c.encode_utf8(&mut [0; 4]));
        }
        'q' => {
            let c = u32::try_from(n).ok().and_then(char::from_u32).unwrap_or('\u{fffd}');
            spec.pad(out, &go_quote_rune(c, spec.plus));
        }
        'U' => {
            let u = n as u64;
            let mut s = format!("U+{u:04X}");
            if let Some(p) = spec.prec
                && s.len() - 2 < p
            {
                s = format!("U+{}{u:X}", "0".repeat(p - (s.len() - 2)));
            }
            if spec.sharp
                && let Some(c) = u32::try_from(u).ok().and_then(char::from_u32)
                && is_print(c)
            {
                s.push_str(&format!(" '{c}'"));
            }
            let mut plain = spec;
            plain.zero = false;
            plain.pad(out, &s);
        }
        _ => bad_verb(out, v, verb),
    }
}

/// Go's `fmt.fmtInteger`.
fn fmt_integer(out: &mut String, n: i64, base: u64, upper: bool, verb: char, spec: Spec) {
    let negative = n < 0;
    let mut u = n.unsigned_abs();
    let mut prec = 0usize;
    if let Some(p) = spec.prec {
        prec = p;
        if p == 0 && u == 0 {
            let mut plain = spec;
            plain.zero = false;
            plain.write_padding(out, spec.width.unwrap_or(0));
            return;
        }
    } else if spec.zero
        && let Some(w) = spec.width
    {
        prec = w;
        if negative || spec.plus || spec.space {
            prec = prec.saturating_sub(1);
        }
    }
    let digits: &[u8] = if upper { b"0123456789ABCDEF" } else { b"0123456789abcdef" };
    let mut rev: Vec<u8> = Vec::with_capacity(24);
    loop {
        rev.push(digits[(u % base) as usize]);
        u /= base;
        if u == 0 {
            break;
        }
    }
    while rev.len() < prec {
        rev.push(b'0');
    }
    if spec.sharp {
        match base {
            2 => rev.extend_from_slice(b"b0"),
            8 if rev.last() != Some(&b'0') => rev.push(b'0'),
            16 => rev.extend_from_slice(if upper { b"X0" } else { b"x0" }),
            _ => {}
        }
    }
    if verb == 'O' {
        rev.extend_from_slice(b"o0");
    }
    if negative {
        rev.push(b'-');
    } else if spec.plus {
        rev.push(b'+');
    } else if spec.space {
        rev.push(b' ');
    }
    rev.reverse();
    let mut plain = spec;
    plain.zero = false;
    plain.pad(out, &String::from_utf8_lossy(&rev));
}

/// Go's `fmt.fmtFloat`: sign handling, `+Inf`/`NaN` never zero padded.
fn fmt_float(out: &mut String, f: f64, verb: char, default_prec: Option<usize>, spec: Spec) {
    let prec = spec.prec.or(default_prec).map_or(-1, |p| i32::try_from(p).unwrap_or(i32::MAX));
    let mut num = format_float(f, verb, prec);
    if !num.starts_with(['-', '+']) {
        num.insert(0, '+');
    }
    if spec.space && num.starts_with('+') && !spec.plus {
        num.replace_range(0..1, " ");
    }
    if num[1..].starts_with(['I', 'N']) {
        if num[1..].starts_with('N') && !spec.space && !spec.plus {
            num.remove(0);
        }
        let mut plain = spec;
        plain.zero = false;
        plain.pad(out, &num);
        return;
    }
    if spec.plus || !num.starts_with('+') {
        if spec.zero
            && let Some(w) = spec.width
            && w > num.len()
        {
            out.push_str(&num[..1]);
            spec.write_padding(out, w - num.len());
            out.push_str(&num[1..]);
            return;
        }
        spec.pad(out, &num);
        return;
    }
    spec.pad(out, &num[1..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(format: &str, args: &[Value]) -> String {
        sprintf(format, args)
    }

    #[test]
    fn printf_matches_go() {
        assert_eq!(f("%.2f", &[Value::Float(4.56789)]), "4.57");
        assert_eq!(
            f("%5.1f|%-6d|%06d|%+d", &[1.25.into(), 42.into(), (-42).into(), 7.into()]),
            "  1.2|42    |-00042|+7"
        );
        assert_eq!(
            f("%x %X %o %#x %b", &[255.into(), 255.into(), 8.into(), 255.into(), 5.into()]),
            "ff FF 10 0xff 101"
        );
        assert_eq!(f("%q %v %s", &["a\"b".into(), Value::Nil, true.into()]), "\"a\\\"b\" <nil> %!s(bool=true)");
        assert_eq!(f("%d %s", &["x".into(), 1.5.into()]), "%!d(string=x) %!s(float64=1.5)");
        assert_eq!(f("%d", &[]), "%!d(MISSING)");
        assert_eq!(f("a", &[1.into()]), "a%!(EXTRA int=1)");
        assert_eq!(f("%[2]s %[1]s", &["a".into(), "b".into()]), "b a");
        assert_eq!(f("%f %v %e", &[f64::INFINITY.into(), f64::NAN.into(), f64::NEG_INFINITY.into()]), "+Inf NaN -Inf");
        assert_eq!(
            f("%08.3f|%8.3f|%-8.3f|", &[(-4.56789).into(), 4.56789.into(), 4.56789.into()]),
            "-004.568|   4.568|4.568   |"
        );
        assert_eq!(
            f("%05s|%.2s|%x|% x", &["ab".into(), "abc".into(), "hi".into(), "hi".into()]),
            "000ab|ab|6869|68 69"
        );
        assert_eq!(f("%T %T %T", &[1.into(), 1.5.into(), Value::Nil]), "int float64 <nil>");
        assert_eq!(f("%*d|%-*d", &[5.into(), 1.into(), 3.into(), 2.into()]), "    1|2  ");
        assert_eq!(f("%c %U %#U", &[65.into(), 0x1F600.into(), 65.into()]), "A U+1F600 U+0041 'A'");
        assert_eq!(f("100%%", &[]), "100%");
        assert_eq!(f("%", &[]), "%!(NOVERB)");
        assert_eq!(f("%!", &[]), "%!!(MISSING)");
    }

    #[test]
    fn sprint_spaces_like_go() {
        assert_eq!(sprint(&[1.into(), 2.into(), "a".into(), "b".into(), 3.5.into()]), "1 2ab3.5");
        assert_eq!(sprintln(&["a".into(), 1.into()]), "a 1\n");
    }
}
