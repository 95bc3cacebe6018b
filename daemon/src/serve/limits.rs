//! How long and how much a client of an HTTP listener may take: the numbers, in one place.

use std::time::Duration;

/// Shortens every client timeout of every listener to this many milliseconds (and the idle
/// timeout to twice that). Meant for tests, which would otherwise wait the full production
/// timeouts to see a slow client cut; a daemon started with it logs a warning.
pub const TIMEOUT_ENV: &str = "PORTICO_CLIENT_TIMEOUT_MS";

/// Default of `http.max_connections`.
pub const DEFAULT_MAX_CONNECTIONS: usize = 4096;
/// Default of `http.max_connections_per_client`.
pub const DEFAULT_MAX_PER_CLIENT: usize = 256;
/// The largest portal request body (forms are a few hundred bytes; uploads go through the
/// admin socket, never the portal).
pub const PORTAL_MAX_BODY: usize = 64 * 1024;
/// The largest request head (request line and headers, HTTP/1.1) or header list (HTTP/2).
pub const MAX_HEADER_BYTES: usize = 64 * 1024;
/// Connections the CDR endpoint holds at once: switches post one leg per connection, and a
/// busy one hangs up hundreds of calls a second.
pub const INGEST_MAX_CONNECTIONS: usize = 1024;

/// The limits one listener holds its clients to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// From TCP accept to the end of the TLS handshake (HTTPS only).
    pub handshake: Duration,
    /// From the connection's start (or the end of the previous request) to the end of a
    /// request's head. Also how long an idle HTTP/1.1 keep-alive connection stays open.
    pub header_read: Duration,
    /// From a request's head to the end of its body.
    pub body_read: Duration,
    /// How long a connection with no request under way stays open (HTTP/2; HTTP/1.1 closes
    /// sooner, at `header_read`).
    pub idle: Duration,
    /// The largest request head or HTTP/2 header list, in bytes; larger ones get 431.
    pub max_header_bytes: usize,
    /// The largest request body, in bytes; larger ones get 413 without being read.
    pub max_body_bytes: usize,
    /// Connections open at once on the listener; more are closed as soon as they are accepted.
    pub max_connections: usize,
    /// Connections open at once from one client address (IPv4 address or IPv6 /64).
    pub max_per_client: usize,
    /// HTTP/2 streams open at once on one connection.
    pub max_streams: u32,
}

impl Limits {
    /// The portal's listeners (plain HTTP and HTTPS), with the `[http]` connection caps.
    pub fn portal(max_connections: usize, max_per_client: usize) -> Limits {
        Limits {
            handshake: Duration::from_secs(10),
            header_read: Duration::from_secs(10),
            body_read: Duration::from_secs(30),
            idle: Duration::from_secs(60),
            max_header_bytes: MAX_HEADER_BYTES,
            max_body_bytes: PORTAL_MAX_BODY,
            max_connections,
            max_per_client,
            max_streams: 128,
        }
        .with_test_timeouts()
    }

    /// The mod_json_cdr endpoint: bodies up to [`crate::ingest::http::MAX_BODY`], and no cap
    /// per client below the listener's (a switch is one client posting many legs at once).
    pub fn ingest() -> Limits {
        Limits {
            max_body_bytes: crate::ingest::http::MAX_BODY,
            max_connections: INGEST_MAX_CONNECTIONS,
            max_per_client: INGEST_MAX_CONNECTIONS,
            ..Limits::portal(INGEST_MAX_CONNECTIONS, INGEST_MAX_CONNECTIONS)
        }
    }

    /// Applies [`TIMEOUT_ENV`] when it is set to a number of milliseconds.
    fn with_test_timeouts(mut self) -> Limits {
        let Some(ms) = std::env::var(TIMEOUT_ENV)
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|ms| *ms > 0)
        else {
            return self;
        };
        let short = Duration::from_millis(ms);
        self.handshake = short;
        self.header_read = short;
        self.body_read = short;
        self.idle = short * 2;
        self
    }

    /// Whether [`TIMEOUT_ENV`] shortened the timeouts (logged at start).
    pub fn shortened_for_tests() -> bool {
        std::env::var_os(TIMEOUT_ENV).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ingest_takes_bigger_bodies_than_the_portal_and_has_no_per_client_cap_below_its_own() {
        let ingest = Limits::ingest();
        assert!(ingest.max_body_bytes > PORTAL_MAX_BODY);
        assert_eq!(ingest.max_per_client, ingest.max_connections);
        let portal = Limits::portal(10, 2);
        assert_eq!((portal.max_connections, portal.max_per_client), (10, 2));
        // hyper refuses a read buffer below 8 KiB.
        assert!(portal.max_header_bytes >= 8192);
    }
}
