//! Which portal a request is for: the host it names, reduced to the form domains are stored in.

use axum::http::{HeaderMap, Uri, header};

/// The host a request names, or `None` when it names none (or several, or one no portal can
/// have, such as an IP literal).
///
/// The authority of an absolute request target (HTTP/1.1) or `:authority` (HTTP/2) wins over
/// the `Host` header, as RFC 9112 §3.2.2 and RFC 9113 §8.3.1 say.
pub fn request_host(uri: &Uri, headers: &HeaderMap) -> Option<String> {
    if let Some(authority) = uri.authority() {
        return normalize(authority.as_str());
    }
    let mut hosts = headers.get_all(header::HOST).iter();
    let host = hosts.next()?;
    if hosts.next().is_some() {
        return None;
    }
    normalize(host.to_str().ok()?)
}

/// Lower-cases `raw`, strips a port and one trailing dot, and checks that what is left is a
/// DNS name in ASCII (IDN hosts arrive as punycode). Stored FQDNs are in this same form.
pub fn normalize(raw: &str) -> Option<String> {
    let raw = raw.trim();
    // Bracketed IPv6 literals and userinfo never name a portal.
    if raw.starts_with('[') || raw.contains('@') {
        return None;
    }
    let name = match raw.rsplit_once(':') {
        Some((name, port)) => {
            if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            name
        }
        None => raw,
    };
    let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
    if name.is_empty() || name.len() > 253 {
        return None;
    }
    let labels_ok = name.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    });
    // A name whose last label is all digits is an IPv4 address, not an FQDN.
    let ipv4_like = name
        .rsplit('.')
        .next()
        .is_some_and(|last| last.bytes().all(|b| b.is_ascii_digit()));
    (labels_ok && !ipv4_like).then_some(name)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn normalizes_case_port_and_trailing_dot() {
        assert_eq!(
            normalize("Portal.Example.COM").as_deref(),
            Some("portal.example.com")
        );
        assert_eq!(
            normalize("portal.example.com:8080").as_deref(),
            Some("portal.example.com")
        );
        assert_eq!(
            normalize("portal.example.com.").as_deref(),
            Some("portal.example.com")
        );
        assert_eq!(
            normalize("portal.example.com.:443").as_deref(),
            Some("portal.example.com")
        );
        assert_eq!(
            normalize("xn--bcher-kva.example").as_deref(),
            Some("xn--bcher-kva.example")
        );
        assert_eq!(normalize("localhost").as_deref(), Some("localhost"));
    }

    #[test]
    fn refuses_what_no_portal_can_be() {
        for bad in [
            "",
            ":80",
            ".",
            "a..b",
            "127.0.0.1",
            "127.0.0.1:8080",
            "[::1]:8080",
            "[::1]",
            "user@portal.example.com",
            "portal.example.com:",
            "portal.example.com:http",
            "bücher.example",
            "portal_example.com",
            "-bad.example.com",
            "portal.example.com;x",
        ] {
            assert_eq!(normalize(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn authority_wins_and_duplicate_hosts_are_refused() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("b.example"));
        let absolute: Uri = "http://A.example:80/x".parse().unwrap();
        assert_eq!(
            request_host(&absolute, &headers).as_deref(),
            Some("a.example")
        );
        let origin_form: Uri = "/x".parse().unwrap();
        assert_eq!(
            request_host(&origin_form, &headers).as_deref(),
            Some("b.example")
        );
        headers.append(header::HOST, HeaderValue::from_static("c.example"));
        assert_eq!(request_host(&origin_form, &headers), None);
        assert_eq!(request_host(&origin_form, &HeaderMap::new()), None);
    }
}
