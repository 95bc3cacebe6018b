//! The .deb installed with `dpkg -i` into a clean Debian root made by `debootstrap --variant
//! minbase` (from the machine's own apt mirror, into the test's temporary directory): the shipped
//! config passes `porticod --check-config`, the daemon started the way the installed unit says
//! (its ExecStart, User, Group, SupplementaryGroups, RuntimeDirectory) serves its portal on
//! loopback and its admin socket with mode 0660 and group portico-admin, removal keeps the data
//! and purge removes it. Needs root (debootstrap, chroot).
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use portico_tests::daemon::free_port;
use portico_tests::http;
use portico_tests::packages::{packages, run, stdout};

/// The host's Debian release and the mirror its apt uses.
fn host_mirror() -> (String, String) {
    let os = std::fs::read_to_string("/etc/os-release").unwrap();
    let suite = os
        .lines()
        .find_map(|l| l.strip_prefix("VERSION_CODENAME="))
        .unwrap_or_else(|| panic!("/etc/os-release names no VERSION_CODENAME: not Debian?"))
        .trim_matches('"')
        .to_string();
    let mut sources = std::fs::read_to_string("/etc/apt/sources.list").unwrap_or_default();
    if let Ok(dir) = std::fs::read_dir("/etc/apt/sources.list.d") {
        for entry in dir.flatten() {
            sources.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
            sources.push('\n');
        }
    }
    // The main archive: a URI ending in /debian (not the security archive, not a third party's).
    let is_archive = |u: &&str| u.contains("://") && u.trim_end_matches('/').ends_with("/debian");
    let mirror = sources
        .lines()
        .find_map(|l| {
            let l = l.trim();
            if let Some(uris) = l.strip_prefix("URIs:") {
                uris.split_whitespace().find(is_archive).map(str::to_string)
            } else if let Some(rest) = l.strip_prefix("deb ") {
                rest.split_whitespace().find(is_archive).map(str::to_string)
            } else {
                None
            }
        })
        .unwrap_or_else(|| panic!("no Debian mirror in /etc/apt/sources.list(.d)"));
    (suite, mirror)
}

fn chroot(root: &Path) -> Command {
    chroot_as(&[], root)
}

/// `chroot OPTIONS ROOT ...` (`--userspec`, `--groups`).
fn chroot_as(options: &[String], root: &Path) -> Command {
    let mut cmd = Command::new("chroot");
    cmd.args(options)
        .arg(root)
        .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
        .env("DEBIAN_FRONTEND", "noninteractive")
        .stdin(Stdio::null());
    cmd
}

/// `Key=value` of the installed unit.
fn unit_value<'a>(unit: &'a str, key: &str) -> &'a str {
    unit.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}=")))
        .unwrap_or_else(|| panic!("the unit has no {key}="))
}

fn id_in(root: &Path, file: &str, name: &str) -> u32 {
    let text = std::fs::read_to_string(root.join(file)).unwrap();
    text.lines()
        .find_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            (f[0] == name).then(|| f[2].parse().unwrap())
        })
        .unwrap_or_else(|| panic!("{name} is not in {file}:\n{text}"))
}

#[test]
fn the_deb_installs_runs_and_purges_in_a_clean_debian_root() {
    assert!(
        nix::unistd::geteuid().is_root(),
        "the install test needs root (debootstrap, chroot); CI runs as root"
    );
    let deb = packages().deb.clone();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    let (suite, mirror) = host_mirror();
    let started = Instant::now();
    run(Command::new("debootstrap")
        .args([
            "--variant=minbase",
            "--include=systemd-standalone-sysusers",
            &suite,
        ])
        .arg(&root)
        .arg(&mirror)
        .stdout(Stdio::null()));
    eprintln!(
        "debootstrap {suite} minbase from {mirror}: {:.1?}",
        started.elapsed()
    );

    std::fs::copy(&deb, root.join("tmp/portico.deb")).unwrap();
    let installed = stdout(chroot(&root).args(["dpkg", "-i", "/tmp/portico.deb"]));
    eprintln!("dpkg -i:\n{installed}");
    assert!(root.join("usr/bin/porticod").is_file());
    let config = root.join("etc/portico/porticod.toml");
    let meta = std::fs::metadata(&config).unwrap();
    assert_eq!(
        meta.permissions().mode() & 0o777,
        0o640,
        "the config may hold a password"
    );
    assert_eq!(meta.gid(), id_in(&root, "etc/group", "portico"));
    let state = std::fs::metadata(root.join("var/lib/portico")).unwrap();
    assert_eq!(state.uid(), id_in(&root, "etc/passwd", "portico"));
    let checked = stdout(chroot(&root).args(["porticod", "--check-config"]));
    assert!(
        checked.contains("/etc/portico/porticod.toml: OK"),
        "{checked}"
    );

    // Start it as the unit would.
    let unit_path = ["usr/lib/systemd/system", "lib/systemd/system"]
        .iter()
        .map(|d| root.join(d).join("porticod.service"))
        .find(|p| p.exists())
        .expect("the unit is installed");
    let unit = std::fs::read_to_string(unit_path).unwrap();
    let user = unit_value(&unit, "User");
    let group = unit_value(&unit, "Group");
    let groups = unit_value(&unit, "SupplementaryGroups");
    let runtime = root.join("run").join(unit_value(&unit, "RuntimeDirectory"));
    std::fs::create_dir_all(&runtime).unwrap();
    std::os::unix::fs::chown(
        &runtime,
        Some(id_in(&root, "etc/passwd", user)),
        Some(id_in(&root, "etc/group", group)),
    )
    .unwrap();
    std::fs::set_permissions(
        &runtime,
        std::fs::Permissions::from_mode(
            u32::from_str_radix(unit_value(&unit, "RuntimeDirectoryMode"), 8).unwrap(),
        ),
    )
    .unwrap();
    let port = free_port();
    let exec: Vec<&str> = unit_value(&unit, "ExecStart").split_whitespace().collect();
    let as_unit = [
        format!("--userspec={user}:{group}"),
        format!("--groups={groups}"),
    ];
    let mut daemon = KillOnDrop(
        chroot_as(&as_unit, &root)
            .args(&exec)
            .arg("--http-listen")
            .arg(format!("127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("porticod.err")).unwrap())
            .spawn()
            .unwrap(),
    );
    let logs = || std::fs::read_to_string(dir.path().join("porticod.err")).unwrap_or_default();
    let socket = runtime.join("admin.sock");
    let deadline = Instant::now() + Duration::from_secs(30);
    while UnixStream::connect(&socket).is_err() {
        assert!(
            daemon.try_wait().unwrap().is_none(),
            "porticod exited:\n{}",
            logs()
        );
        assert!(
            Instant::now() < deadline,
            "no admin socket after 30 s:\n{}",
            logs()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let sock = std::fs::metadata(&socket).unwrap();
    assert_eq!(sock.permissions().mode() & 0o777, 0o660);
    assert_eq!(
        sock.gid(),
        id_in(&root, "etc/group", "portico-admin"),
        "{}",
        logs()
    );
    assert_eq!(sock.uid(), id_in(&root, "etc/passwd", "portico"));

    // Root administers it; a user outside portico-admin cannot.
    run(chroot(&root).args([
        "portico",
        "domain",
        "add",
        "install.example",
        "--currencies",
        "USD",
        "--brand-name",
        "Installed Brand",
    ]));
    let page = http::get(port, "install.example", "/login");
    assert_eq!(page.status, 200, "{}", logs());
    assert!(page.text().contains("Installed Brand"), "{}", page.text());
    let outsider = chroot_as(&["--userspec=nobody:nogroup".to_string()], &root)
        .args(["portico", "domain", "list"])
        .output()
        .unwrap();
    assert!(
        !outsider.status.success(),
        "nobody could use the admin socket"
    );
    assert!(
        String::from_utf8_lossy(&outsider.stderr).contains("ermission"),
        "{}",
        String::from_utf8_lossy(&outsider.stderr)
    );

    kill(
        Pid::from_raw(i32::try_from(daemon.id()).unwrap()),
        Signal::SIGTERM,
    )
    .unwrap();
    let status = daemon.wait().unwrap();
    assert!(
        status.success(),
        "porticod did not stop cleanly:\n{}",
        logs()
    );

    run(chroot(&root).args(["dpkg", "-r", "portico"]));
    assert!(!root.join("usr/bin/porticod").exists());
    assert!(
        root.join("var/lib/portico/portico.redb").is_file(),
        "removal must keep the data"
    );
    assert!(config.is_file(), "removal keeps the configuration");
    run(chroot(&root).args(["dpkg", "-P", "portico"]));
    assert!(
        !root.join("var/lib/portico").exists(),
        "purge must remove the data"
    );
    assert!(!config.exists(), "purge removes the configuration");
    eprintln!("install test done in {:.1?}", started.elapsed());
}

/// The installed daemon, stopped when a failed assertion unwinds the test, so that nothing is
/// left running.
struct KillOnDrop(std::process::Child);

impl std::ops::Deref for KillOnDrop {
    type Target = std::process::Child;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for KillOnDrop {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        // After a clean stop the child is already reaped and these do nothing.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
