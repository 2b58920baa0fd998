//! Test certificates made with the `openssl` command line at test time (no key is committed,
//! and no certificate-generation crate is built). Used by the websec unit tests and, through
//! `#[path]`, by the binary's end-to-end tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// A certificate authority: `<name>.pem` (certificate) and `<name>.key` in `dir`.
pub struct Ca {
    pub dir: PathBuf,
    pub name: String,
}

fn openssl(args: &[&str]) {
    let out = Command::new("openssl").args(args).output().expect("run openssl (is it installed?)");
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

fn path_str(p: &Path) -> String {
    p.display().to_string()
}

const EC: [&str; 4] = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"];

/// A new self-signed CA with this common name.
pub fn ca(dir: &Path, name: &str, cn: &str) -> Ca {
    let (cert, key) = (dir.join(format!("{name}.pem")), dir.join(format!("{name}.key")));
    let subj = format!("/CN={cn}");
    let mut args = vec!["req", "-x509", "-nodes", "-days", "3", "-subj", &subj];
    args.extend(EC);
    let (c, k) = (path_str(&cert), path_str(&key));
    args.extend(["-keyout", &k, "-out", &c]);
    openssl(&args);
    Ca { dir: dir.to_path_buf(), name: name.to_string() }
}

impl Ca {
    pub fn pem(&self) -> String {
        std::fs::read_to_string(self.dir.join(format!("{}.pem", self.name))).expect("CA certificate")
    }

    /// Issues `<out>.crt` and `<out>.key` (for servers and clients alike) with this common
    /// name, serial and subject alternative names in openssl's syntax (`DNS:localhost`,
    /// `IP:127.0.0.1`, `email:…`, `URI:…`); returns their PEM texts.
    pub fn issue(&self, out: &str, cn: &str, sans: &[&str], serial: u64) -> (String, String) {
        let (crt, key, csr, ext) = (
            self.dir.join(format!("{out}.crt")),
            self.dir.join(format!("{out}.key")),
            self.dir.join(format!("{out}.csr")),
            self.dir.join(format!("{out}.ext")),
        );
        let mut ext_text = "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth,clientAuth\n".to_string();
        if !sans.is_empty() {
            ext_text.push_str(&format!("subjectAltName={}\n", sans.join(",")));
        }
        std::fs::write(&ext, ext_text).expect("write extensions");
        let subj = format!("/CN={cn}");
        let (k, r) = (path_str(&key), path_str(&csr));
        let mut args = vec!["req", "-new", "-nodes", "-subj", &subj, "-keyout", &k, "-out", &r];
        args.extend(EC);
        openssl(&args);
        let (ca_crt, ca_key) = (
            path_str(&self.dir.join(format!("{}.pem", self.name))),
            path_str(&self.dir.join(format!("{}.key", self.name))),
        );
        let serial = format!("0x{serial:x}");
        let (c, e) = (path_str(&crt), path_str(&ext));
        openssl(&[
            "x509",
            "-req",
            "-in",
            &r,
            "-CA",
            &ca_crt,
            "-CAkey",
            &ca_key,
            "-set_serial",
            &serial,
            "-days",
            "3",
            "-extfile",
            &e,
            "-out",
            &c,
        ]);
        let _ = std::fs::remove_file(&csr);
        let _ = std::fs::remove_file(&ext);
        (std::fs::read_to_string(&crt).expect("certificate"), std::fs::read_to_string(&key).expect("key"))
    }
}
