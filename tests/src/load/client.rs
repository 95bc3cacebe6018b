//! HTTP clients of the load driver: a portal visitor over HTTPS (rustls with only the local CA
//! trusted, SNI and Host the portal's name, the connection kept alive, its cookies kept), and the
//! FreeSWITCH side posting CDRs over plain HTTP with basic auth. Both connect to 127.0.0.1 only.

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::{Context, Result, anyhow, bail};
use base64::Engine;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::{Request, header};
use hyper_util::rt::TokioIo;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// An answer: status, `Location`, body.
#[derive(Debug, Clone)]
pub struct Answer {
    /// Status code.
    pub status: u16,
    /// The `Location` header, if any.
    pub location: Option<String>,
    /// The body as text (lossy).
    pub body: String,
}

/// A TLS client configuration trusting only `root_pem` (ring, TLS 1.2 and 1.3, ALPN http/1.1).
pub fn tls_trusting(root_pem: &[u8]) -> Result<TlsConnector> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(root_pem) {
        roots.add(cert.context("reading the root certificate")?)?;
    }
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_root_certificates(roots)
    .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsConnector::from(Arc::new(config)))
}

/// One visitor of one portal: one keep-alive connection at a time, reopened after an error.
pub struct Visitor {
    tls: TlsConnector,
    host: String,
    port: u16,
    conn: Option<SendRequest<Full<Bytes>>>,
    cookies: BTreeMap<String, String>,
}

impl Visitor {
    /// A visitor of `https://host:port/` (connecting to 127.0.0.1:port).
    pub fn new(tls: TlsConnector, host: &str, port: u16) -> Visitor {
        Visitor {
            tls,
            host: host.to_string(),
            port,
            conn: None,
            cookies: BTreeMap::new(),
        }
    }

    /// Forgets the cookies (a new browser).
    pub fn clear_cookies(&mut self) {
        self.cookies.clear();
    }

    async fn connect(&mut self) -> Result<&mut SendRequest<Full<Bytes>>> {
        if self.conn.as_ref().is_none_or(|c| c.is_closed()) {
            let tcp = TcpStream::connect(("127.0.0.1", self.port))
                .await
                .with_context(|| format!("connecting to 127.0.0.1:{}", self.port))?;
            tcp.set_nodelay(true)?;
            let name = ServerName::try_from(self.host.clone())?;
            let tls = self
                .tls
                .connect(name, tcp)
                .await
                .with_context(|| format!("TLS handshake with {}", self.host))?;
            let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls)).await?;
            tokio::spawn(conn);
            self.conn = Some(sender);
        }
        self.conn.as_mut().ok_or_else(|| anyhow!("no connection"))
    }

    /// `GET path`.
    pub async fn get(&mut self, path: &str) -> Result<Answer> {
        self.send("GET", path, None).await
    }

    /// `POST path` with a form body (pairs are URL-encoded here).
    pub async fn post_form(&mut self, path: &str, form: &[(&str, &str)]) -> Result<Answer> {
        let body = form
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        self.send("POST", path, Some(body)).await
    }

    async fn send(&mut self, method: &str, path: &str, form: Option<String>) -> Result<Answer> {
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, &self.host)
            .header(header::USER_AGENT, "portico-soak");
        if !cookie.is_empty() {
            req = req.header(header::COOKIE, cookie);
        }
        if form.is_some() {
            req = req
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ORIGIN, format!("https://{}", self.host));
        }
        let req = req.body(Full::new(Bytes::from(form.unwrap_or_default())))?;
        let what = format!("{method} https://{}{path}", self.host);
        let result = async {
            let sender = self.connect().await?;
            sender.ready().await?;
            let resp = sender.send_request(req).await?;
            let status = resp.status().as_u16();
            let location = resp
                .headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let set: Vec<String> = resp
                .headers()
                .get_all(header::SET_COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok().map(str::to_owned))
                .collect();
            let body = resp.into_body().collect().await?.to_bytes();
            Ok::<_, anyhow::Error>((status, location, set, body))
        }
        .await;
        let (status, location, set, body) = match result {
            Ok(r) => r,
            Err(e) => {
                self.conn = None;
                return Err(e.context(what));
            }
        };
        for line in set {
            let pair = line.split(';').next().unwrap_or("");
            if let Some((name, value)) = pair.split_once('=') {
                let gone = line.to_ascii_lowercase().contains("max-age=0") || value.is_empty();
                if gone {
                    self.cookies.remove(name.trim());
                } else {
                    self.cookies
                        .insert(name.trim().to_string(), value.to_string());
                }
            }
        }
        Ok(Answer {
            status,
            location,
            body: String::from_utf8_lossy(&body).into_owned(),
        })
    }
}

/// The value of the first `<input ... name="NAME" value="...">` in `html`.
pub fn hidden_input(html: &str, name: &str) -> Option<String> {
    let needle = format!("name=\"{name}\"");
    let at = html.find(&needle)?;
    let tag_start = html[..at].rfind('<')?;
    let tag_end = at + html[at..].find('>')?;
    let tag = &html[tag_start..tag_end];
    let v = tag.split("value=\"").nth(1)?;
    Some(unescape(&v[..v.find('"')?]))
}

/// The `href` of the element with `id="ID"`, unescaped.
pub fn href_of(html: &str, id: &str) -> Option<String> {
    let at = html.find(&format!("id=\"{id}\""))?;
    let tag_start = html[..at].rfind('<')?;
    let tag_end = at + html[at..].find('>')?;
    let tag = &html[tag_start..tag_end];
    let v = tag.split("href=\"").nth(1)?;
    Some(unescape(&v[..v.find('"')?]))
}

fn unescape(s: &str) -> String {
    s.replace("&amp;", "&")
        .replace("&#x3D;", "=")
        .replace("&#61;", "=")
        .replace("&quot;", "\"")
}

fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The FreeSWITCH side: posts mod_json_cdr documents to `http://127.0.0.1:port/cdr` with basic
/// auth, on one keep-alive connection.
pub struct CdrPoster {
    port: u16,
    auth: String,
    conn: Option<SendRequest<Full<Bytes>>>,
}

impl CdrPoster {
    /// A poster to the ingest endpoint on `port`.
    pub fn new(port: u16, user: &str, password: &str) -> CdrPoster {
        let auth = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        CdrPoster {
            port,
            auth: format!("Basic {auth}"),
            conn: None,
        }
    }

    /// Posts one document; `Ok` holds the status and body.
    pub async fn post(&mut self, uuid: &str, doc: String) -> Result<Answer> {
        if self.conn.as_ref().is_none_or(|c| c.is_closed()) {
            let tcp = TcpStream::connect(("127.0.0.1", self.port))
                .await
                .with_context(|| format!("connecting to the ingest port {}", self.port))?;
            tcp.set_nodelay(true)?;
            let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp)).await?;
            tokio::spawn(conn);
            self.conn = Some(sender);
        }
        let Some(sender) = self.conn.as_mut() else {
            bail!("no connection");
        };
        let req = Request::post(format!("/cdr?uuid={uuid}"))
            .header(header::HOST, format!("127.0.0.1:{}", self.port))
            .header(header::USER_AGENT, "freeswitch-json/1.0")
            .header(header::AUTHORIZATION, &self.auth)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(doc)))?;
        let result = async {
            sender.ready().await?;
            let resp = sender.send_request(req).await?;
            let status = resp.status().as_u16();
            let body = resp.into_body().collect().await?.to_bytes();
            Ok::<_, anyhow::Error>(Answer {
                status,
                location: None,
                body: String::from_utf8_lossy(&body).into_owned(),
            })
        }
        .await;
        if result.is_err() {
            self.conn = None;
        }
        result.with_context(|| format!("POST /cdr {uuid}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_values_and_links_are_read_from_pages() {
        let html = r#"<form><input type="hidden" name="csrf" value="a&amp;b"></form>
            <a class="button" href="?from=1&amp;before=5_2" id="cdr-older" rel="next">Older</a>"#;
        assert_eq!(hidden_input(html, "csrf").as_deref(), Some("a&b"));
        assert_eq!(
            href_of(html, "cdr-older").as_deref(),
            Some("?from=1&before=5_2")
        );
        assert_eq!(hidden_input(html, "nope"), None);
        assert_eq!(encode("a b@c"), "a%20b%40c");
    }
}
