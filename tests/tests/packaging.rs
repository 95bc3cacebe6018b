//! The packages: `cargo deb` and `cargo generate-rpm` build them from the release binaries and
//! the files in packaging/ and man/; lintian finds no error in the .deb, both hold every file
//! with the right modes, scripts and configuration files, and systemd-analyze accepts the unit
//! as installed. Every tool is required: `.ci/run` installs them, and a missing one fails here.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

use std::process::Command;

use portico_tests::packages::{packages, stdout};

const FILES: &[&str] = &[
    "/usr/bin/porticod",
    "/usr/bin/portico",
    "/etc/portico/porticod.toml",
    "/usr/lib/sysusers.d/porticod.conf",
    "/usr/share/bash-completion/completions/portico",
    "/usr/share/fish/vendor_completions.d/portico.fish",
];

#[test]
fn the_deb_holds_everything_and_lintian_finds_no_error() {
    let p = packages();
    let listing = stdout(Command::new("dpkg-deb").arg("-c").arg(&p.deb));
    for file in FILES
        .iter()
        .chain(&["/usr/share/zsh/vendor-completions/_portico"])
    {
        assert!(
            listing.contains(&format!(".{file}\n")),
            "{file} is not in the .deb:\n{listing}"
        );
    }
    for page in ["man8/porticod.8", "man1/portico.1", "man5/porticod.toml.5"] {
        assert!(
            listing.contains(page),
            "{page} is not in the .deb:\n{listing}"
        );
    }
    assert!(
        listing.contains("systemd/system/porticod.service"),
        "no unit in the .deb:\n{listing}"
    );
    let control = |name: &str| stdout(Command::new("dpkg-deb").arg("-I").arg(&p.deb).arg(name));
    assert_eq!(control("conffiles").trim(), "/etc/portico/porticod.toml");
    let postinst = control("postinst");
    assert!(postinst.contains("systemd-sysusers"), "{postinst}");
    assert!(postinst.contains("deb-systemd-helper"), "{postinst}");
    assert!(control("postrm").contains("rm -rf /var/lib/portico"));
    assert!(control("prerm").contains("porticod.service"));

    let out = Command::new("lintian")
        .args(["--fail-on", "error", "--tag-display-limit", "0"])
        .arg(&p.deb)
        .output()
        .unwrap_or_else(|e| panic!("cannot run lintian ({e}); apt-get install lintian"));
    let said = String::from_utf8_lossy(&out.stdout);
    eprintln!("lintian:\n{said}{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success() && !said.lines().any(|l| l.starts_with("E:")),
        "lintian reports errors:\n{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_rpm_holds_everything_with_its_scripts() {
    let p = packages();
    let rpm = |args: &[&str]| stdout(Command::new("rpm").args(args).arg(&p.rpm));
    let listing = rpm(&["-qpl"]);
    for file in FILES.iter().chain(&[
        "/usr/lib/systemd/system/porticod.service",
        "/usr/share/man/man8/porticod.8",
        "/usr/share/man/man5/porticod.toml.5",
    ]) {
        assert!(
            listing.lines().any(|l| l == *file),
            "{file} is not in the .rpm:\n{listing}"
        );
    }
    assert_eq!(rpm(&["-qpc"]).trim(), "/etc/portico/porticod.toml");
    let scripts = rpm(&["-qp", "--scripts"]);
    assert!(scripts.contains("useradd --system"), "{scripts}");
    assert!(
        scripts.contains("disable --now porticod.service"),
        "{scripts}"
    );
    let modes = rpm(&[
        "-qp",
        "--queryformat",
        "[%{FILEMODES:perms} %{FILEGROUPNAME} %{FILENAMES}\n]",
    ]);
    assert!(
        modes.contains("-rw-r----- portico /etc/portico/porticod.toml"),
        "{modes}"
    );
}

#[test]
fn systemd_analyze_accepts_the_installed_unit() {
    let p = packages();
    let unit = p.root.join("usr/lib/systemd/system/porticod.service");
    let unit = if unit.exists() {
        unit
    } else {
        p.root.join("lib/systemd/system/porticod.service")
    };
    assert!(unit.exists(), "the .deb has no porticod.service");
    // verify checks that ExecStart's program exists: point it at the unpacked package's.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(&unit).unwrap();
    let bin = p.root.join("usr/bin/porticod");
    let local = dir.path().join("porticod.service");
    std::fs::write(
        &local,
        text.replace("/usr/bin/porticod", bin.to_str().unwrap()),
    )
    .unwrap();
    let out = Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(&local)
        .output()
        .unwrap_or_else(|e| panic!("cannot run systemd-analyze ({e}); apt-get install systemd"));
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && !said.contains("porticod.service:"),
        "systemd-analyze verify:\n{said}"
    );
    for key in [
        "Type=notify",
        "User=portico",
        "StateDirectory=portico",
        "RuntimeDirectory=portico",
        "AmbientCapabilities=CAP_NET_BIND_SERVICE",
        "ProtectSystem=strict",
        "ExecReload=/bin/kill -HUP $MAINPID",
    ] {
        assert!(text.lines().any(|l| l == key), "the unit lacks {key}");
    }
}
