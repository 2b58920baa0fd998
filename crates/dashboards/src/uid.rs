//! Dashboard and folder uids: Grafana's rules for accepted ones, and generation of new ones.
//!
//! Generated uids are 14 characters, a lowercase letter followed by letters and digits, like
//! the short uids Grafana generates, so they fit every place a Grafana uid fits.

use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Longest uid Grafana accepts.
pub const MAX_UID_LEN: usize = 40;

/// Why a uid from a request is refused (Grafana's wording).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UidError {
    #[error("uid too long, max 40 characters")]
    TooLong,
    #[error("uid contains illegal characters")]
    IllegalCharacters,
}

/// Checks a uid given in a request: at most 40 characters of `[a-zA-Z0-9_-]`.
pub fn validate(uid: &str) -> Result<(), UidError> {
    if uid.len() > MAX_UID_LEN {
        return Err(UidError::TooLong);
    }
    if !uid.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return Err(UidError::IllegalCharacters);
    }
    Ok(())
}

const GENERATED_LEN: usize = 14;
const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// A new uid. Unpredictable enough for uniqueness (time, a process-wide counter and the
/// standard library's randomly keyed hasher); the store still checks it is unused.
pub fn generate() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut out = String::with_capacity(GENERATED_LEN);
    let mut round = 0u64;
    while out.len() < GENERATED_LEN {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(nanos);
        h.write_u64(count);
        h.write_u64(round);
        let mut bits = h.finish();
        round += 1;
        for _ in 0..8 {
            if out.len() == GENERATED_LEN {
                break;
            }
            // The first character is a letter, so a uid never looks like a number.
            let modulus = if out.is_empty() { 26 } else { ALPHABET.len() as u64 };
            out.push(char::from(ALPHABET[(bits % modulus) as usize]));
            bits /= modulus;
        }
    }
    out
}

/// A uid that is the same every time for the same input (provisioned dashboards without a
/// uid keep theirs across restarts). FNV-1a, written out in the uid alphabet.
pub fn stable(input: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in input.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    let mut out = String::from("p");
    while out.len() < GENERATED_LEN {
        out.push(char::from(ALPHABET[(hash % ALPHABET.len() as u64) as usize]));
        hash /= ALPHABET.len() as u64;
        if hash == 0 {
            hash = 0x9e37_79b9_7f4a_7c15 ^ out.len() as u64;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_uids_are_valid_distinct_and_start_with_a_letter() {
        let uids: std::collections::HashSet<String> = (0..2000).map(|_| generate()).collect();
        assert_eq!(uids.len(), 2000);
        for u in &uids {
            assert_eq!(u.len(), 14, "{u}");
            assert!(u.as_bytes()[0].is_ascii_lowercase(), "{u}");
            assert_eq!(validate(u), Ok(()));
        }
    }

    #[test]
    fn stable_uids_repeat_and_differ_by_input() {
        assert_eq!(stable("a/b.json"), stable("a/b.json"));
        assert_ne!(stable("a/b.json"), stable("a/c.json"));
        assert_eq!(validate(&stable("x")), Ok(()));
        assert_eq!(stable("x").len(), 14);
    }

    #[test]
    fn validation_follows_grafana() {
        assert_eq!(validate("abc-DEF_123"), Ok(()));
        assert_eq!(validate(""), Ok(()));
        assert_eq!(validate(&"a".repeat(41)), Err(UidError::TooLong));
        assert_eq!(validate(&"a".repeat(40)), Ok(()));
        assert_eq!(validate("a/b"), Err(UidError::IllegalCharacters));
        assert_eq!(validate("a b"), Err(UidError::IllegalCharacters));
    }
}
