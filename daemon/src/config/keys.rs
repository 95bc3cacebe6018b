//! Every key of `porticod.toml`, described once. The man page `porticod.toml(5)`, the commented
//! default file the packages ship (`/etc/portico/porticod.toml`) and the reload logic (which
//! keys SIGHUP applies) are all built from [`SECTIONS`] and [`KEYS`].
//!
//! Tests hold the table to the parser: every key the parser accepts is described here and every
//! described key is accepted (a tracing deserializer walks the raw structs), and every default
//! written here gives the same configuration as leaving the key out. A new key (a `[tls]`
//! section, say) therefore fails those tests until it has a line here.

/// A table of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Section {
    /// `""` for the top level, `ingest` for `[ingest]`, `ingest.watch` for `[[ingest.watch]]`.
    pub name: &'static str,
    /// Whether the table is an array of tables (`[[name]]`, one entry per item).
    pub array: bool,
    /// What the table is for.
    pub doc: &'static str,
}

/// The default of a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Default {
    /// A TOML value that means the same as leaving the key out (tests check it).
    Value(&'static str),
    /// No value: what happens without it.
    Unset(&'static str),
    /// The key must be given (inside an array-of-tables entry).
    Required,
}

/// One key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    /// The dotted path; keys of an array of tables are written `ingest.watch[].path`.
    pub key: &'static str,
    /// What kind of value it takes, in words.
    pub kind: &'static str,
    /// Its default in production (`--dev` changes some; the doc says which).
    pub default: Default,
    /// A TOML value to show in the shipped file when the default is not a value.
    pub example: &'static str,
    /// Whether SIGHUP applies a change; otherwise the daemon logs that it needs a restart.
    pub reload: bool,
    /// What it does, for a person who has only the man page.
    pub doc: &'static str,
}

/// The tables of `porticod.toml`, in the order the man page and the shipped file list them.
pub const SECTIONS: &[Section] = &[
    Section {
        name: "",
        array: false,
        doc: "Keys at the top of the file, before any table.",
    },
    Section {
        name: "admin",
        array: false,
        doc: "The admin socket that the console, portico(1), connects to.",
    },
    Section {
        name: "http",
        array: false,
        doc: "The portal's plain-HTTP listeners.",
    },
    Section {
        name: "log",
        array: false,
        doc: "What the daemon logs (on standard error; the journal under systemd).",
    },
    Section {
        name: "store",
        array: false,
        doc: "The embedded database, DATA_DIR/portico.redb.",
    },
    Section {
        name: "ingest",
        array: false,
        doc: "CDRs that come in without an admin: an HTTP endpoint for FreeSWITCH's \
              mod_json_cdr, and watched CDR files (below). Without this table nothing listens \
              for CDRs and no file is watched; `portico cdr import` works either way.",
    },
    Section {
        name: "ingest.watch",
        array: true,
        doc: "A CDR file a switch appends to (one [[ingest.watch]] table per file). The daemon \
              reads new lines as they are written, remembers its position in the store, and \
              follows the file when it is rotated.",
    },
    Section {
        name: "tls",
        array: false,
        doc: "HTTPS for every portal domain: the listeners, where certificates come from (an \
              ACME CA after a DNS check, or Portico's own local CA) and how orders are paced. \
              Without this table a production daemon serves plain HTTP only. The packaged file \
              has it commented out: uncomment [tls], set cname_target (and acme_contact), check \
              with porticod --check-config and restart.",
    },
];

/// Every key of `porticod.toml`.
pub const KEYS: &[Key] = &[
    Key {
        key: "data_dir",
        kind: "path",
        default: Default::Value("\"/var/lib/portico\""),
        example: "",
        reload: false,
        doc: "Directory of the store, portico.redb. With --dev the default is ./portico-data. \
              The --data-dir flag overrides it.",
    },
    Key {
        key: "admin.socket",
        kind: "path",
        default: Default::Value("\"/run/portico/admin.sock\""),
        example: "",
        reload: false,
        doc: "Path of the admin socket. It is created with mode 0660; a stale socket left by a \
              daemon that died is removed first. With --dev the default is \
              DATA_DIR/admin.sock. The --admin-socket flag overrides it.",
    },
    Key {
        key: "admin.group",
        kind: "group name",
        default: Default::Value("\"portico-admin\""),
        example: "",
        reload: false,
        doc: "Group given to the admin socket, so that its members can run portico. When the \
              group does not exist only the daemon's own user (and root) can connect, and a \
              warning is logged. An empty string gives no group; so does --dev.",
    },
    Key {
        key: "http.listen",
        kind: "list of addresses",
        default: Default::Value("[\"0.0.0.0:80\"]"),
        example: "",
        reload: false,
        doc: "Addresses (IP and port) where the portal answers plain HTTP, e.g. \
              [\"0.0.0.0:80\", \"[::]:80\"]. With --dev the default is [\"127.0.0.1:8080\"]. \
              The --http-listen flag (repeatable) overrides it.",
    },
    Key {
        key: "http.max_connections",
        kind: "integer",
        default: Default::Value("4096"),
        example: "",
        reload: false,
        doc: "Connections each portal listener (plain HTTP and HTTPS, each address) holds at \
              once; a connection over it is closed as soon as it is accepted. Keep it below the \
              daemon's open-file limit (LimitNOFILE in the unit).",
    },
    Key {
        key: "http.max_connections_per_client",
        kind: "integer",
        default: Default::Value("256"),
        example: "",
        reload: false,
        doc: "Connections one client address (an IPv4 address, or an IPv6 /64) may hold on a \
              portal listener, so that one client cannot take them all. Raise it when many \
              customers share one address (a large office behind NAT, or a reverse proxy in \
              front of Portico: then every client has the proxy's address). At most \
              http.max_connections.",
    },
    Key {
        key: "log.level",
        kind: "filter",
        default: Default::Value("\"info\""),
        example: "",
        reload: true,
        doc: "What is logged: error, warn, info, debug or trace, or a tracing filter such as \
              \"info,porticod::ingest=debug\". The environment variable PORTICO_LOG, when set, \
              wins over it. rustls's warning about a TLS client that sends an IP address as \
              the server name (one per connection of such a client) is left out unless the \
              filter names rustls.",
    },
    Key {
        key: "store.cache_mib",
        kind: "integer, 16 to 65536",
        default: Default::Value("256"),
        example: "",
        reload: false,
        doc: "Size of the store's page cache in MiB. More keeps more of a large CDR history in \
              memory; 256 suits most installs.",
    },
    Key {
        key: "ingest.listen",
        kind: "list of addresses",
        default: Default::Value("[]"),
        example: "[\"127.0.0.1:8090\"]",
        reload: false,
        doc: "Addresses of the CDR endpoint that FreeSWITCH's mod_json_cdr posts to (point its \
              url at http://ADDRESS/). Each must differ from the portal's http.listen. Empty: \
              no endpoint.",
    },
    Key {
        key: "ingest.username",
        kind: "string",
        default: Default::Unset("required with ingest.listen unless allow_anonymous is true"),
        example: "\"freeswitch\"",
        reload: false,
        doc: "User name a poster must send with HTTP basic authentication (mod_json_cdr's cred \
              is username:password). It must not contain ':'.",
    },
    Key {
        key: "ingest.password",
        kind: "string",
        default: Default::Unset("required with ingest.username"),
        example: "\"a long random secret\"",
        reload: false,
        doc: "The password that goes with ingest.username. Keep the file readable only by root \
              and the portico group when it holds one.",
    },
    Key {
        key: "ingest.allow_anonymous",
        kind: "boolean",
        default: Default::Value("false"),
        example: "",
        reload: false,
        doc: "Take posts without credentials. Refused unless every ingest.listen address is a \
              loopback address, and refused together with username or password.",
    },
    Key {
        key: "ingest.customer_variable",
        kind: "variable name",
        default: Default::Unset("customers are matched by account code only"),
        example: "\"portico_account\"",
        reload: false,
        doc: "A FreeSWITCH channel variable whose value is matched against customers' account \
              codes (letters, digits, '_', '-' and '.').",
    },
    Key {
        key: "ingest.time_zone",
        kind: "IANA time zone",
        default: Default::Value("\"UTC\""),
        example: "",
        reload: false,
        doc: "Zone of CDR times written without an offset, e.g. \"Europe/Paris\". Watched files \
              take it unless they set their own.",
    },
    Key {
        key: "ingest.watch[].path",
        kind: "absolute path",
        default: Default::Required,
        example: "\"/var/log/asterisk/cdr-csv/Master.csv\"",
        reload: true,
        doc: "The file. Its read position is stored under this path, so a renamed entry reads \
              the file again from the start. The daemon's user must be able to read it.",
    },
    Key {
        key: "ingest.watch[].format",
        kind: "format name",
        default: Default::Required,
        example: "\"asterisk-csv\"",
        reload: true,
        doc: "The file's line format: asterisk-csv (cdr_csv's Master.csv), freeswitch-csv \
              (mod_cdr_csv) or generic-csv (any CSV with a header line, read with mapping).",
    },
    Key {
        key: "ingest.watch[].time_zone",
        kind: "IANA time zone",
        default: Default::Unset("ingest.time_zone"),
        example: "\"Europe/Paris\"",
        reload: true,
        doc: "Zone of this file's times written without an offset.",
    },
    Key {
        key: "ingest.watch[].poll_ms",
        kind: "integer, 10 to 3600000",
        default: Default::Value("1000"),
        example: "",
        reload: true,
        doc: "How often the file is looked at, in milliseconds.",
    },
    Key {
        key: "ingest.watch[].mapping",
        kind: "table or string",
        default: Default::Unset("the columns are matched by their header names"),
        example: "{ call_id = \"UUID\", destination = \"Called\" }",
        reload: true,
        doc: "For generic-csv only: which column holds which field, as a table \
              { call_id = \"UUID\", destination = \"Called\" } or as the text \
              \"call_id=UUID,destination=Called\" that portico cdr import --mapping takes.",
    },
    Key {
        key: "tls.mode",
        kind: "acme, local or off",
        default: Default::Unset(
            "\"acme\" when the [tls] table is there, \"off\" (plain HTTP only) without it; \"local\" with --dev",
        ),
        example: "\"acme\"",
        reload: false,
        doc: "Where certificates come from: \"acme\" orders them from an ACME CA (Let's Encrypt by \
              default) once a domain's DNS has a CNAME to cname_target; \"local\" issues them \
              from a CA Portico creates (for --dev and air-gapped installs; browsers must trust \
              its root, see portico ca export); \"off\" serves no HTTPS.",
    },
    Key {
        key: "tls.listen",
        kind: "list of addresses",
        default: Default::Value("[\"0.0.0.0:443\"]"),
        example: "",
        reload: false,
        doc: "Addresses of the HTTPS listeners (127.0.0.1:8443 with --dev). Binding port 443 needs \
              CAP_NET_BIND_SERVICE, which the packaged unit grants.",
    },
    Key {
        key: "tls.cname_target",
        kind: "host name",
        default: Default::Unset("none; required with mode = \"acme\""),
        example: "\"portico.carrier.example\"",
        reload: false,
        doc: "The name every portal domain must have a CNAME to before a certificate is ordered: \
              this host's own name, which brands point their portal names at.",
    },
    Key {
        key: "tls.name_servers",
        kind: "list of IP addresses (with optional ports)",
        default: Default::Value("[]"),
        example: "",
        reload: false,
        doc: "DNS servers the CNAME and CAA checks ask, e.g. [\"192.0.2.53\"]. Empty: the \
              system's resolvers (/etc/resolv.conf).",
    },
    Key {
        key: "tls.acme_directory",
        kind: "https URL",
        default: Default::Value("\"https://acme-v02.api.letsencrypt.org/directory\""),
        example: "",
        reload: false,
        doc: "The ACME CA's directory URL. One ACME account per directory is created and kept in \
              the store.",
    },
    Key {
        key: "tls.acme_root",
        kind: "absolute path",
        default: Default::Unset("the system's trusted roots"),
        example: "\"/etc/portico/acme-root.pem\"",
        reload: false,
        doc: "A PEM root certificate to trust for the ACME CA's API instead of the system's (a \
              private CA, or Pebble in tests).",
    },
    Key {
        key: "tls.acme_contact",
        kind: "e-mail address",
        default: Default::Unset("no contact address"),
        example: "\"ops@carrier.example\"",
        reload: false,
        doc: "Where the CA may write about the ACME account (expiry notices, policy changes).",
    },
    Key {
        key: "tls.challenge",
        kind: "http-01 or tls-alpn-01",
        default: Default::Value("\"http-01\""),
        example: "",
        reload: false,
        doc: "How domains are validated: \"http-01\" answers the CA on port 80 (http.listen must \
              reach it), \"tls-alpn-01\" on port 443 through the HTTPS listener.",
    },
    Key {
        key: "tls.orders_per_hour",
        kind: "integer, at least 1",
        default: Default::Value("20"),
        example: "",
        reload: false,
        doc: "At most this many certificate orders in any hour, so that the CA's rate limits are \
              never reached; orders over it wait for the next hour.",
    },
    Key {
        key: "tls.hsts_max_age",
        kind: "seconds",
        default: Default::Value("31536000"),
        example: "",
        reload: false,
        doc: "Strict-Transport-Security max-age on HTTPS answers (0 with --dev); 0 sends none.",
    },
    Key {
        key: "tls.redirect",
        kind: "boolean",
        default: Default::Value("true"),
        example: "",
        reload: false,
        doc: "Plain HTTP redirects to HTTPS for names that have a certificate (false with --dev).",
    },
    Key {
        key: "tls.check_interval_ms",
        kind: "integer, 1 to 3600000",
        default: Default::Value("10000"),
        example: "",
        reload: false,
        doc: "How often the certificate scheduler looks at every domain, in milliseconds.",
    },
    Key {
        key: "tls.dns_recheck_secs",
        kind: "integer, 1 to 86400",
        default: Default::Value("300"),
        example: "",
        reload: false,
        doc: "How long a DNS check is trusted before the scheduler checks the domain again.",
    },
    Key {
        key: "tls.retry_base_secs",
        kind: "integer, 1 to 86400",
        default: Default::Value("60"),
        example: "",
        reload: false,
        doc: "The first wait after a failed order; it doubles after each further failure.",
    },
    Key {
        key: "tls.retry_max_secs",
        kind: "integer, 1 to 604800",
        default: Default::Value("86400"),
        example: "",
        reload: false,
        doc: "The longest wait between two orders of one domain.",
    },
    Key {
        key: "tls.clock_file",
        kind: "absolute path",
        default: Default::Unset("the real clock"),
        example: "\"/var/lib/portico/test-clock\"",
        reload: false,
        doc: "For tests only: a file holding a number of seconds added to the clock the \
              certificate scheduler uses (renewal is tested without waiting months).",
    },
    Key {
        key: "tls.caa_identities",
        kind: "list of CA names",
        default: Default::Unset(
            "[\"letsencrypt.org\"] with Let's Encrypt's directory, else none (CAA is not checked)",
        ),
        example: "[\"letsencrypt.org\"]",
        reload: false,
        doc: "The CA's CAA issuer names: a domain whose CAA records name other CAs only is not \
              ordered, and its status says so.",
    },
    Key {
        key: "tls.default_sni",
        kind: "portal domain",
        default: Default::Unset("none: a client that sends no server name gets no certificate"),
        example: "\"portal.carrier.example\"",
        reload: false,
        doc: "The domain whose certificate a client without SNI gets (old clients, URLs with an \
              IP address).",
    },
    Key {
        key: "tls.session_resumption",
        kind: "boolean",
        default: Default::Value("true"),
        example: "",
        reload: false,
        doc: "Returning clients may resume their TLS session (TLS 1.3 tickets, a TLS 1.2 session \
              cache) instead of paying a full handshake; false makes every connection a full \
              handshake (for benchmarks against servers configured so).",
    },
];

/// The description of `key` (`ingest.watch[].path` style).
pub fn find(key: &str) -> Option<&'static Key> {
    KEYS.iter().find(|k| k.key == key)
}

/// The section `key` belongs to and its name inside it: `ingest.watch[].path` →
/// (`ingest.watch`, `path`), `data_dir` → (``, `data_dir`).
pub fn split(key: &str) -> (&str, &str) {
    match key.rfind('.') {
        Some(i) => (key[..i].trim_end_matches("[]"), &key[i + 1..]),
        None => ("", key),
    }
}

/// The keys of `section`, in table order.
pub fn keys_of(section: &str) -> impl Iterator<Item = &'static Key> + '_ {
    KEYS.iter().filter(move |k| split(k.key).0 == section)
}

/// Whether SIGHUP applies a change of the value at `path`, a dotted path as it appears in a
/// file (`log.level`; an array of tables is one value, `ingest.watch`). Unknown keys need a
/// restart.
pub fn reloadable(path: &str) -> bool {
    let nested = format!("{path}[].");
    let mut matched = KEYS
        .iter()
        .filter(|k| k.key == path || k.key.starts_with(&nested))
        .peekable();
    matched.peek().is_some() && matched.all(|k| k.reload)
}

#[cfg(test)]
mod tests;
