//! The generated documentation: the man pages `porticod(8)`, `portico(1)` and
//! `porticod.toml(5)`, the shell completions, and the commented `/etc/portico/porticod.toml`
//! that the packages ship. All of it comes from the definitions that also drive the programs
//! (the clap commands, the config key table), and the committed copies are checked against it
//! by `tests/tests/docs.rs`; `PORTICO_REGENERATE=1 cargo test -p portico-tests --test docs`
//! rewrites them.

use std::path::{Path, PathBuf};

use clap::CommandFactory;
use clap_complete::Shell;

pub mod command;
pub mod config_file;
pub mod roff;

use roff::{Page, bold};

/// The date printed on the man pages: the release's, changed when the version is.
pub const DATE: &str = "2026-11-27";

/// The workspace's root directory.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(".."))
}

/// Every generated file: its path relative to the workspace root, and its content.
pub fn generate() -> Vec<(&'static str, Vec<u8>)> {
    let mut files = vec![
        ("man/porticod.8", porticod_page().into_bytes()),
        ("man/portico.1", portico_page().into_bytes()),
        (
            "man/porticod.toml.5",
            config_file::man_page(DATE, env!("CARGO_PKG_VERSION")).into_bytes(),
        ),
        (
            "packaging/porticod.toml",
            config_file::shipped_file().into_bytes(),
        ),
    ];
    for (name, cmd) in [
        ("portico", portico::cli::args::Cli::command()),
        ("porticod", porticod::cli::command()),
    ] {
        for (shell, path) in [
            (Shell::Bash, format!("packaging/completions/{name}.bash")),
            (Shell::Zsh, format!("packaging/completions/_{name}")),
            (Shell::Fish, format!("packaging/completions/{name}.fish")),
        ] {
            let mut out = Vec::new();
            let mut cmd = cmd.clone();
            clap_complete::generate(shell, &mut cmd, name, &mut out);
            files.push((Box::leak(path.into_boxed_str()) as &str, out));
        }
    }
    files
}

fn item(page: &mut Page, tag: &str, body: &str) {
    page.item(&bold(tag), body);
}

fn porticod_page() -> String {
    let reload = config_file::reloadable_keys().join(" and ");
    let sections = move |page: &mut Page| {
        page.section("reload");
        page.text(&format!(
            "SIGHUP (systemctl reload porticod) makes the daemon read its configuration file \
             again without dropping a connection. When the file is valid, {reload} take effect \
             at once: watched CDR files that were added start being read, removed ones stop, \
             changed ones restart where they left off. Every other key (data_dir, [admin], \
             [http], [store], the rest of [ingest], ...) needs a restart: the daemon logs each \
             changed key with 'needs a restart' and keeps its old value. An invalid file is \
             logged with the key and the reason, and the daemon goes on unchanged. Under \
             systemd the daemon reports RELOADING=1 and then READY=1."
        ));
        page.section("systemd");
        page.text(
            "The packaged unit porticod.service runs the daemon as the user portico with \
             Type=notify: the daemon sends READY=1 once its admin socket and every portal and \
             CDR listener are bound, so units ordered after it find them ready. The unit \
             creates /var/lib/portico (StateDirectory) and /run/portico (RuntimeDirectory), \
             grants CAP_NET_BIND_SERVICE for ports 80 and 443 and nothing else, and confines \
             the daemon with the usual hardening options. Its log goes to the journal: \
             journalctl -u porticod.",
        );
        page.section("backup and restore");
        page.text(
            "portico backup FILE asks the running daemon for a consistent copy of the store \
             (taken while no change can commit, and checked by opening it) and writes it to \
             FILE; changes wait for the few seconds the copy takes. To restore, stop the \
             daemon and run porticod --restore FILE as root or as portico: the file is \
             checked, the current store is kept beside it as portico.redb.before-restore-TIME, \
             and the copy takes its place with the data directory's owner. A restore is \
             refused while a daemon holds the store. A store written by an older release is \
             upgraded when the daemon opens it; one written by a newer release is refused.",
        );
        page.section("files");
        item(
            page,
            "/etc/portico/porticod.toml",
            "The configuration file; see porticod.toml(5).",
        );
        item(
            page,
            "/var/lib/portico/portico.redb",
            "The store: domains, customers, rates, CDRs, the audit log. Back it up with \
             portico backup.",
        );
        item(
            page,
            "/run/portico/admin.sock",
            "The admin socket, mode 0660, group portico-admin.",
        );
        item(
            page,
            "/usr/lib/systemd/system/porticod.service",
            "The systemd unit.",
        );
        item(
            page,
            "/usr/lib/sysusers.d/porticod.conf",
            "Declares the user portico and the group portico-admin.",
        );
    };
    command::render(
        porticod::cli::command(),
        &command::Extra {
            section: 8,
            date: DATE,
            sections: &sections,
            see_also: &format!(
                "{}(1), {}(5), {}(1), {}(1)",
                bold("portico"),
                bold("porticod.toml"),
                bold("systemctl"),
                bold("journalctl")
            ),
        },
    )
}

fn portico_page() -> String {
    let sections = |page: &mut Page| {
        page.section("files");
        item(
            page,
            "/run/portico/admin.sock",
            "The installed daemon's admin socket; root and the members of the group \
             portico-admin may use it.",
        );
        item(
            page,
            "./portico-data/admin.sock",
            "The socket of a development daemon (porticod --dev) started in the current \
             directory; used when it exists and no socket is given.",
        );
    };
    command::render(
        portico::cli::args::Cli::command(),
        &command::Extra {
            section: 1,
            date: DATE,
            sections: &sections,
            see_also: &format!("{}(8), {}(5)", bold("porticod"), bold("porticod.toml")),
        },
    )
}
