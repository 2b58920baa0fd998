//! Deleted time ranges of series (`/api/v1/admin/tsdb/delete_series`), kept until
//! `clean_tombstones` rewrites the blocks without them.
//!
//! A tombstone is the deletion request itself — matchers and an inclusive time range — so
//! it also hides matching samples that are still in the head. The list lives in
//! `tombstones.json` in the data directory, replaced atomically (write, fsync, rename, fsync
//! the directory) before a deletion is acknowledged.

use std::fs::{self, File};
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::labels::Labels;
use crate::matcher::{MatchOp, Matcher};

const FILE: &str = "tombstones.json";

/// One deletion request as stored on disk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tombstone {
    /// `(label, op, value)` with op one of `=`, `!=`, `=~`, `!~`.
    pub matchers: Vec<(String, String, String)>,
    /// Inclusive range of deleted sample timestamps (milliseconds).
    pub mint: i64,
    pub maxt: i64,
}

/// The active tombstones with their compiled matchers.
#[derive(Debug, Default, Clone)]
pub struct Tombstones {
    entries: Vec<(Tombstone, Vec<Matcher>)>,
}

fn op_str(op: MatchOp) -> &'static str {
    match op {
        MatchOp::Equal => "=",
        MatchOp::NotEqual => "!=",
        MatchOp::RegexMatch => "=~",
        MatchOp::RegexNoMatch => "!~",
    }
}

fn compile(t: &Tombstone) -> Result<Vec<Matcher>> {
    t.matchers
        .iter()
        .map(|(name, op, value)| {
            let op = match op.as_str() {
                "=" => MatchOp::Equal,
                "!=" => MatchOp::NotEqual,
                "=~" => MatchOp::RegexMatch,
                _ => MatchOp::RegexNoMatch,
            };
            Ok(Matcher::new(op, name.clone(), value.clone())?)
        })
        .collect()
}

impl Tombstones {
    /// Reads `tombstones.json` from `dir` (none: no tombstones).
    pub fn load(dir: &Path) -> Result<Tombstones> {
        let path = dir.join(FILE);
        let text = match fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Tombstones::default()),
            Err(e) => return Err(Error::io("read", &path)(e)),
        };
        let list: Vec<Tombstone> = serde_json::from_str(&text).map_err(|e| Error::Corrupt {
            what: "tombstones",
            path: path.clone(),
            detail: e.to_string(),
        })?;
        let mut out = Tombstones::default();
        for t in list {
            let m = compile(&t)?;
            out.entries.push((t, m));
        }
        Ok(out)
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// A tombstone for `matchers` over `[mint, maxt]`.
    pub fn add(&mut self, matchers: &[Matcher], mint: i64, maxt: i64) {
        let t = Tombstone {
            matchers: matchers.iter().map(|m| (m.name.clone(), op_str(m.op).to_string(), m.value.clone())).collect(),
            mint,
            maxt,
        };
        self.entries.push((t, matchers.to_vec()));
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// Drops the tombstones that `applied` holds (those a clean-up has just applied), keeping
    /// any added since.
    pub fn remove_applied(&mut self, applied: &Tombstones) {
        self.entries.retain(|(t, _)| !applied.entries.iter().any(|(a, _)| a == t));
    }

    /// Writes the list durably to `dir` (removes the file when the list is empty).
    pub fn persist(&self, dir: &Path) -> Result<()> {
        let path = dir.join(FILE);
        if self.entries.is_empty() {
            return match fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io("remove", &path)(e)),
                _ => sync_dir(dir),
            };
        }
        let list: Vec<&Tombstone> = self.entries.iter().map(|(t, _)| t).collect();
        let text = serde_json::to_vec_pretty(&list).map_err(|e| Error::Corrupt {
            what: "tombstones",
            path: path.clone(),
            detail: e.to_string(),
        })?;
        let tmp = dir.join(format!("{FILE}.tmp"));
        let mut f = File::create(&tmp).map_err(Error::io("create", &tmp))?;
        f.write_all(&text).map_err(Error::io("write", &tmp))?;
        f.sync_all().map_err(Error::io("fsync", &tmp))?;
        fs::rename(&tmp, &path).map_err(Error::io("rename", &path))?;
        sync_dir(dir)
    }

    /// The deleted ranges that apply to a series.
    pub fn ranges_for(&self, labels: &Labels) -> Vec<(i64, i64)> {
        self.entries
            .iter()
            .filter(|(_, m)| m.iter().all(|m| m.matches_labels(labels)))
            .map(|(t, _)| (t.mint, t.maxt))
            .collect()
    }

    /// Whether any tombstone could touch data of this time range (for block rewrites).
    pub fn overlaps(&self, mint: i64, maxt: i64) -> bool {
        self.entries.iter().any(|(t, _)| t.mint <= maxt && t.maxt >= mint)
    }

    /// The matchers of every tombstone overlapping `[mint, maxt]`.
    pub fn matchers_overlapping(&self, mint: i64, maxt: i64) -> Vec<&[Matcher]> {
        self.entries.iter().filter(|(t, _)| t.mint <= maxt && t.maxt >= mint).map(|(_, m)| m.as_slice()).collect()
    }
}

/// Removes samples whose timestamps fall in any of `ranges`.
pub fn retain_outside(samples: &mut Vec<(i64, f64)>, ranges: &[(i64, i64)]) {
    if ranges.is_empty() {
        return;
    }
    samples.retain(|(t, _)| !ranges.iter().any(|(lo, hi)| t >= lo && t <= hi));
}

fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(Error::io("fsync directory", dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn persist_load_and_match() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut t = Tombstones::default();
        let m = vec![Matcher::equal("__name__", "up"), Matcher::new(MatchOp::RegexMatch, "job", "a|b").expect("re")];
        t.add(&m, 100, 200);
        t.persist(dir.path()).expect("persist");
        let back = Tombstones::load(dir.path()).expect("load");
        assert_eq!(back.len(), 1);
        let hit = Labels::from_pairs(&[("__name__", "up"), ("job", "b")]).expect("labels");
        let miss = Labels::from_pairs(&[("__name__", "up"), ("job", "c")]).expect("labels");
        assert_eq!(back.ranges_for(&hit), vec![(100, 200)]);
        assert!(back.ranges_for(&miss).is_empty());
        let mut s = vec![(99, 1.0), (100, 2.0), (200, 3.0), (201, 4.0)];
        retain_outside(&mut s, &back.ranges_for(&hit));
        assert_eq!(s, vec![(99, 1.0), (201, 4.0)]);
        let mut empty = back;
        empty.clear();
        empty.persist(dir.path()).expect("persist empty");
        assert!(!dir.path().join(FILE).exists());
        assert!(Tombstones::load(dir.path()).expect("load").is_empty());
    }

    #[test]
    fn corrupt_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::write(dir.path().join(FILE), "{not json").expect("write");
        let e = Tombstones::load(dir.path()).expect_err("corrupt");
        assert!(e.to_string().contains("tombstones"), "{e}");
    }
}
