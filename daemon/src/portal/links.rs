//! Absolute links to this portal, for mails (sign-up confirmations, password resets): built in
//! one place from the request, so that `--dev` and tests on plain HTTP and a port get links that
//! work there.
//!
//! The host is the domain's own FQDN (the tenant already matched the request's host to it; the
//! header's text is never copied), the port the one the request named, and the scheme the
//! listener's: each listener marks its requests with [`Scheme`] (`serve` marks plain HTTP).
//! Unmarked requests get `https`, which is what a deployed portal is reached by.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

/// How the listener that took a request is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Http,
    Https,
}

/// The scheme and port a request came in by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkBase {
    pub scheme: Scheme,
    /// The port the request named, when it is not the scheme's default.
    pub port: Option<u16>,
}

impl LinkBase {
    /// `scheme://fqdn[:port]{path}`; `path` starts with `/`.
    pub fn url(&self, fqdn: &str, path: &str) -> String {
        let scheme = match self.scheme {
            Scheme::Http => "http",
            Scheme::Https => "https",
        };
        match self.port {
            Some(port) => format!("{scheme}://{fqdn}:{port}{path}"),
            None => format!("{scheme}://{fqdn}{path}"),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for LinkBase {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let scheme = match parts.extensions.get::<Scheme>() {
            Some(s) => *s,
            None if parts.uri.scheme_str() == Some("http") => Scheme::Http,
            None => Scheme::Https,
        };
        let authority = match parts.uri.authority() {
            Some(a) => Some(a.as_str().to_owned()),
            None => parts
                .headers
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        };
        let port = authority
            .as_deref()
            .and_then(|a| a.rsplit_once(':'))
            .and_then(|(_, p)| p.parse::<u16>().ok());
        let default = match scheme {
            Scheme::Http => 80,
            Scheme::Https => 443,
        };
        Ok(LinkBase {
            scheme,
            port: port.filter(|p| *p != default),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use axum::http::Request;

    async fn base(host: &str, scheme: Option<Scheme>) -> LinkBase {
        let mut request = Request::get("/signup").header(header::HOST, host);
        if let Some(s) = scheme {
            request = request.extension(s);
        }
        let (mut parts, ()) = request.body(()).unwrap().into_parts();
        LinkBase::from_request_parts(&mut parts, &()).await.unwrap()
    }

    #[tokio::test]
    async fn links_follow_the_listener_and_the_port() {
        let b = base("Alpha.Example:8080", Some(Scheme::Http)).await;
        assert_eq!(
            b.url("alpha.example", "/reset/x"),
            "http://alpha.example:8080/reset/x"
        );
        let b = base("alpha.example", None).await;
        assert_eq!(b.url("alpha.example", "/"), "https://alpha.example/");
        let b = base("alpha.example:443", Some(Scheme::Https)).await;
        assert_eq!(b.url("alpha.example", "/"), "https://alpha.example/");
        let b = base("alpha.example:80", Some(Scheme::Http)).await;
        assert_eq!(b.url("alpha.example", "/"), "http://alpha.example/");
        let b = base("alpha.example:8443", Some(Scheme::Https)).await;
        assert_eq!(b.url("alpha.example", "/"), "https://alpha.example:8443/");
    }
}
