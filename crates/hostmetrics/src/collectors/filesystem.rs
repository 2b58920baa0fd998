//! `filesystem`: size, free space and inodes of mounted filesystems, via statfs(2) on each mount point
//! listed in `/proc/1/mounts` (or `/proc/mounts`), with node_exporter's default exclusions.

use std::collections::HashSet;
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use crate::exposition::{Family, Kind};
use crate::source::Root;
use crate::{CollectError, Collector};

/// node_exporter's default `--collector.filesystem.mount-timeout`.
const MOUNT_TIMEOUT: Duration = Duration::from_secs(5);

/// Remembers mount points whose statfs(2) hung (a dead NFS server), so later scrapes report them as
/// `device_error` at once instead of waiting again; a mount leaves the set when its call returns.
pub(crate) struct Filesystem {
    stuck: Arc<Mutex<HashSet<PathBuf>>>,
    timeout: Duration,
}

impl Default for Filesystem {
    fn default() -> Self {
        Filesystem { stuck: Arc::default(), timeout: MOUNT_TIMEOUT }
    }
}

/// One line of the mount table.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Mount {
    device: String,
    mount_point: String,
    fs_type: String,
    options: String,
}

/// statfs(2) results in node_exporter's units.
struct Usage {
    size: f64,
    free: f64,
    avail: f64,
    files: f64,
    files_free: f64,
}

impl Collector for Filesystem {
    fn name(&self) -> &'static str {
        "filesystem"
    }

    fn collect(&self, root: &Root, out: &mut Vec<Family>) -> Result<(), CollectError> {
        // PID 1's table is the host's even when we run in another mount namespace; hidepid may hide it.
        let (path, text) = match root.read("proc/1/mounts") {
            Ok(found) => found,
            Err(CollectError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
                root.read("proc/mounts")?
            }
            Err(err) => return Err(err),
        };
        let mounts = parse_mounts(&text).map_err(|e| CollectError::parse(&path, e.to_string()))?;
        let mut families = Families::new();
        let mut seen = std::collections::HashSet::new();
        for mount in mounts {
            if excluded_mount_point(&mount.mount_point) || excluded_fs_type(&mount.fs_type) {
                continue;
            }
            // The same filesystem mounted twice at one place is reported once.
            if !seen.insert((mount.device.clone(), mount.mount_point.clone(), mount.fs_type.clone())) {
                continue;
            }
            let usage = self.statfs_bounded(root.path(&mount.mount_point), statfs);
            families.push(&mount, usage.as_ref());
        }
        out.extend(families.0);
        Ok(())
    }
}

impl Filesystem {
    /// Runs `stat` on its own thread and gives up after the timeout, marking the mount stuck until the
    /// call returns.
    fn statfs_bounded(&self, path: PathBuf, stat: fn(&Path) -> Option<Usage>) -> Option<Usage> {
        if lock(&self.stuck).contains(&path) {
            return None;
        }
        let (tx, rx) = mpsc::channel();
        let stuck = Arc::clone(&self.stuck);
        let thread_path = path.clone();
        let spawned = std::thread::Builder::new().name("statfs".into()).spawn(move || {
            let usage = stat(&thread_path);
            // Under the lock, so the collector either sees this result or has marked the mount stuck.
            let mut stuck = lock(&stuck);
            if stuck.remove(&thread_path) {
                tracing::info!(mountpoint = %thread_path.display(), "mount point responds again");
            }
            let _ = tx.send(usage);
        });
        if spawned.is_err() {
            return stat(&path);
        }
        match rx.recv_timeout(self.timeout) {
            Ok(usage) => usage,
            Err(_) => {
                let mut stuck = lock(&self.stuck);
                if let Ok(usage) = rx.try_recv() {
                    return usage; // finished just after the timeout
                }
                tracing::warn!(mountpoint = %path.display(), "statfs timed out; mount point marked stuck");
                stuck.insert(path);
                None
            }
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A mount-table line with fewer than the 4 fields every line has.
#[derive(Debug, thiserror::Error)]
#[error("malformed {0:?}")]
struct MalformedMount(String);

/// Parses the mount table; a line with fewer than 4 fields is the error.
fn parse_mounts(text: &str) -> Result<Vec<Mount>, MalformedMount> {
    text.lines()
        .map(|line| match line.split_whitespace().collect::<Vec<_>>().as_slice() {
            [device, mount_point, fs_type, options, ..] => Ok(Mount {
                device: device.to_string(),
                // Like node_exporter, decode only the space and tab escapes of fstab(5).
                mount_point: mount_point.replace("\\040", " ").replace("\\011", "\t"),
                fs_type: fs_type.to_string(),
                options: options.to_string(),
            }),
            _ => Err(MalformedMount(line.to_string())),
        })
        .collect()
}

/// node_exporter's default `--collector.filesystem.mount-points-exclude`,
/// `^/(dev|proc|run|sys|mnt|media|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)`.
fn excluded_mount_point(mount_point: &str) -> bool {
    let Some(rest) = mount_point.strip_prefix('/') else { return false };
    let under = |dir: &str| rest.strip_prefix(dir).is_some_and(|r| r.is_empty() || r.starts_with('/'));
    ["dev", "proc", "run", "sys", "mnt", "media"].iter().any(|d| under(d))
        || ["var/lib/docker/", "var/lib/containers/storage/"]
            .iter()
            .any(|p| rest.strip_prefix(p).is_some_and(|r| !r.is_empty() && !r.starts_with('\n')))
}

/// node_exporter's default `--collector.filesystem.fs-types-exclude`: pseudo filesystems.
fn excluded_fs_type(fs_type: &str) -> bool {
    const EXCLUDED: [&str; 23] = [
        "autofs",
        "binfmt_misc",
        "bpf",
        "cgroup",
        "cgroup2",
        "configfs",
        "debugfs",
        "devpts",
        "devtmpfs",
        "fusectl",
        "hugetlbfs",
        "iso9660",
        "mqueue",
        "nsfs",
        "overlay",
        "proc",
        "procfs",
        "pstore",
        "rpc_pipefs",
        "securityfs",
        "selinuxfs",
        "squashfs",
        "sysfs",
    ];
    EXCLUDED.contains(&fs_type) || fs_type == "tracefs"
}

/// statfs(2) of `path`; None when it fails (reported as `node_filesystem_device_error` 1).
fn statfs(path: &Path) -> Option<Usage> {
    let c_path = CString::new(path.as_os_str().as_bytes()).ok()?;
    // SAFETY: `statfs` is plain old data that the call fills on success.
    let mut buf: libc::statfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c_path` is NUL-terminated and `buf` is a valid, writable struct.
    if unsafe { libc::statfs(c_path.as_ptr(), &mut buf) } != 0 {
        tracing::debug!(path = %path.display(), error = %std::io::Error::last_os_error(), "statfs failed");
        return None;
    }
    let block = buf.f_bsize as f64;
    Some(Usage {
        size: buf.f_blocks as f64 * block,
        free: buf.f_bfree as f64 * block,
        avail: buf.f_bavail as f64 * block,
        files: buf.f_files as f64,
        files_free: buf.f_ffree as f64,
    })
}

/// The seven filesystem families, filled mount by mount.
struct Families(Vec<Family>);

impl Families {
    const SPECS: [(&'static str, &'static str); 7] = [
        ("device_error", "Whether an error occurred while getting statistics for the given device."),
        ("size_bytes", "Filesystem size in bytes."),
        ("free_bytes", "Filesystem free space in bytes."),
        ("avail_bytes", "Filesystem space available to non-root users in bytes."),
        ("files", "Filesystem total file nodes."),
        ("files_free", "Filesystem total free file nodes."),
        ("readonly", "Filesystem read-only status."),
    ];

    fn new() -> Self {
        Families(
            Self::SPECS
                .iter()
                .map(|(name, help)| Family::new(format!("node_filesystem_{name}"), *help, Kind::Gauge))
                .collect(),
        )
    }

    /// Adds one mount: only `device_error` 1 when statfs failed, like node_exporter.
    fn push(&mut self, mount: &Mount, usage: Option<&Usage>) {
        let labels = || {
            vec![
                ("device", mount.device.clone()),
                ("fstype", mount.fs_type.clone()),
                ("mountpoint", mount.mount_point.clone()),
            ]
        };
        let Some(u) = usage else {
            self.0[0].push(labels(), 1.0);
            return;
        };
        let readonly = if mount.options.split(',').any(|o| o == "ro") { 1.0 } else { 0.0 };
        let values = [0.0, u.size, u.free, u.avail, u.files, u.files_free, readonly];
        for (family, value) in self.0.iter_mut().zip(values) {
            family.push(labels(), value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{run_in, write_tree};

    #[test]
    fn mounts_exclusions_and_statfs() {
        let dir = tempfile::tempdir().unwrap();
        let mounts = "proc /proc proc rw 0 0\n/dev/vda / ext4 rw,relatime 0 0\n/dev/vda / ext4 rw,relatime 0 0\n\
            tmpfs /dev/shm tmpfs rw 0 0\n/dev/vdb /data\\040set xfs ro,noatime 0 0\ncgroup2 /cg cgroup2 rw 0 0\n\
            /dev/sdz /gone ext4 rw 0 0\n/dev/x /var/lib/docker/overlay ext4 rw 0 0\n";
        write_tree(dir.path(), &[("proc/mounts", mounts), ("data set/file", "x")]);
        let out = run_in(&Filesystem::default(), dir.path()).unwrap();
        let root = "{device=\"/dev/vda\",fstype=\"ext4\",mountpoint=\"/\"}";
        assert!(out.contains(&format!("node_filesystem_device_error{root} 0\n")), "{out}");
        assert!(out.contains(&format!("node_filesystem_readonly{root} 0\n")));
        assert_eq!(out.matches(&format!("node_filesystem_size_bytes{root}")).count(), 1);
        let data = "{device=\"/dev/vdb\",fstype=\"xfs\",mountpoint=\"/data set\"}";
        assert!(out.contains(&format!("node_filesystem_readonly{data} 1\n")));
        // statfs of the tempdir gives the same numbers as the crate reports.
        let usage = statfs(dir.path()).unwrap();
        assert!(
            out.contains(&format!("node_filesystem_files{root} {}\n", crate::exposition::format_value(usage.files)))
        );
        let gone = "{device=\"/dev/sdz\",fstype=\"ext4\",mountpoint=\"/gone\"}";
        assert!(out.contains(&format!("node_filesystem_device_error{gone} 1\n")));
        assert!(!out.contains(&format!("node_filesystem_size_bytes{gone}")));
        for hidden in ["/proc", "/dev/shm", "/cg", "docker"] {
            assert!(!out.contains(&format!("mountpoint=\"{hidden}")), "{hidden} not excluded");
        }
    }

    #[test]
    fn hung_statfs_times_out_and_is_remembered() {
        fn slow(_: &Path) -> Option<Usage> {
            std::thread::sleep(Duration::from_millis(300));
            Some(Usage { size: 1.0, free: 1.0, avail: 1.0, files: 1.0, files_free: 1.0 })
        }
        let fs = Filesystem { stuck: Arc::default(), timeout: Duration::from_millis(20) };
        let path = PathBuf::from("/nfs");
        assert!(fs.statfs_bounded(path.clone(), slow).is_none());
        assert!(lock(&fs.stuck).contains(&path));
        // While stuck, no new call is made.
        assert!(fs.statfs_bounded(path.clone(), |_| panic!("called while stuck")).is_none());
        std::thread::sleep(Duration::from_millis(500));
        assert!(!lock(&fs.stuck).contains(&path), "mount not released after its call returned");
        let patient = Filesystem { stuck: Arc::default(), timeout: Duration::from_secs(5) };
        assert_eq!(patient.statfs_bounded(path, slow).map(|u| u.size), Some(1.0));
    }

    #[test]
    fn default_exclusions() {
        for mp in ["/dev", "/dev/shm", "/run/user/1000", "/sys", "/mnt/x", "/media", "/var/lib/docker/a"] {
            assert!(excluded_mount_point(mp), "{mp}");
        }
        for mp in ["/", "/devices", "/home", "/var/lib/docker", "/var/lib/docker/", "/running"] {
            assert!(!excluded_mount_point(mp), "{mp}");
        }
        assert!(excluded_fs_type("tracefs") && excluded_fs_type("cgroup") && !excluded_fs_type("tmpfs"));
    }

    #[test]
    fn malformed_mount_table_fails() {
        let dir = tempfile::tempdir().unwrap();
        write_tree(dir.path(), &[("proc/1/mounts", "/dev/vda /\n")]);
        assert!(run_in(&Filesystem::default(), dir.path()).is_err());
        assert!(run_in(&Filesystem::default(), tempfile::tempdir().unwrap().path()).is_err());
    }
}
