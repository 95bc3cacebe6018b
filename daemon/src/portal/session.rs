//! Portal sessions: a random 256-bit token in a host-only, Secure, HttpOnly, SameSite=Lax
//! cookie, stored hashed with the domain and account it belongs to; the [`Account`] extractor
//! that lets a request in only with a live session of this domain; CSRF checks for forms.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::str::FromStr;
use std::sync::{Arc, RwLock};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ipnet::IpNet;
use portico_protocol::{Balance, Contact, Customer, CustomerStatus, FileInfo, Section};
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::access::Sections;
use super::credits::Standing;
use super::site::Site;
use super::tenant::{Portal, RequestHost, read_now};
use super::{SourceError, host, pages};
use crate::store::{SessionRecord, StoreError};

/// The session cookie. `__Host-` makes browsers insist on Secure, Path=/ and no Domain, so the
/// cookie is host-only and cannot be planted from a sibling name.
pub const SESSION_COOKIE: &str = "__Host-portico";
/// The pre-login CSRF cookie (double submit: the login and sign-up forms carry its value).
pub const FORM_COOKIE: &str = "__Host-portico-form";
/// How long a session lives (absolute; renewed only by logging in again).
pub const SESSION_SECONDS: i64 = 12 * 60 * 60;
/// How long a half-done login (password given, two-factor code not yet) lives.
pub const PENDING_SECONDS: i64 = 5 * 60;

/// A new random token and the hash it is stored under.
pub fn new_token() -> (String, [u8; 32]) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

/// The SHA-256 a token is stored under.
pub fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Compares two secrets in time that does not depend on where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// The value of cookie `name` in the request, if it sent one.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// A `Set-Cookie` value for a host-only secure cookie; `max_age` 0 removes it.
pub fn set_cookie(name: &str, value: &str, max_age: i64) -> HeaderValue {
    let cookie = cookie::Cookie::build((name, value))
        .path("/")
        .secure(true)
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .max_age(cookie::time::Duration::seconds(max_age))
        .build();
    HeaderValue::from_str(&cookie.to_string()).unwrap_or(HeaderValue::from_static(""))
}

/// The client's address (the TCP peer; Portico does not sit behind proxies it would have to
/// trust).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip())
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        Ok(ClientAddr(ip))
    }
}

/// Whether `ip` may use a contact with allow-list `allow` (empty: from anywhere).
pub fn ip_allowed(allow: &[String], ip: IpAddr) -> bool {
    let ip = match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    };
    allow.is_empty()
        || allow
            .iter()
            .filter_map(|n| IpNet::from_str(n).ok())
            .any(|net| net.contains(&ip))
}

/// A logged-in account on this request's domain, with what every page of it shows.
#[derive(Debug, Clone)]
pub struct Account {
    /// The domain, and what its pages are made with.
    pub site: Arc<Site>,
    /// The session, its contact and customer.
    pub login: Arc<Login>,
    /// The hash the session is stored under.
    pub session_key: [u8; 32],
    pub sections: Sections,
    pub logo: Option<FileInfo>,
    /// The balance, when the balance section is visible.
    pub balance: Option<Balance>,
    pub client: IpAddr,
    /// A required contract not yet approved (when the contracts section is visible): every
    /// page links to it.
    pub contract_due: Option<super::contracts::ContractDue>,
}

impl Account {
    /// 404 unless `section` is visible to this account.
    pub fn require(&self, section: Section) -> Result<(), Response> {
        if self.sections.shows(section) {
            Ok(())
        } else {
            Err(pages::not_found_for(self))
        }
    }

    /// Checks a form's CSRF token and the request's origin.
    pub fn check_form(&self, headers: &HeaderMap, token: &str) -> Result<(), Response> {
        check_origin(headers, &self.site.domain.fqdn)?;
        if same_secret(token, &self.login.session.csrf) {
            Ok(())
        } else {
            Err(forbidden())
        }
    }

    /// Whether the account is a carrier (carriers get the carrier column lists).
    pub fn is_carrier(&self) -> bool {
        self.login.customer.kind == portico_protocol::CustomerKind::Carrier
    }
}

/// The answer to a form without a valid CSRF token or from another origin.
pub fn forbidden() -> Response {
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "This form expired or did not come from this portal. Go back, reload the page and try \
         again.",
    )
        .into_response()
}

/// A form post is accepted only from this portal's own pages: an `Origin` (or, without one, a
/// `Referer`) naming another host is refused.
pub fn check_origin(headers: &HeaderMap, fqdn: &str) -> Result<(), Response> {
    let from = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|v| v.to_str().ok());
    let Some(from) = from else {
        // Browsers send Origin with every form post; a client that sends neither is not a
        // browser a page could have tricked, and still needs the token.
        return Ok(());
    };
    let origin_host = from
        .split_once("://")
        .map(|(_, rest)| rest.split('/').next().unwrap_or(rest))
        .and_then(host::normalize);
    if origin_host.as_deref() == Some(fqdn) {
        Ok(())
    } else {
        Err(forbidden())
    }
}

enum Refusal {
    /// No live session: log in.
    LogIn,
    /// Password given, two-factor code still to give.
    SecondFactor,
}

/// What a request brings to be let in: the portal it names, its session cookie, its client and
/// whether it only reads (a refused read is sent to the log-in page, a refused form post gets a
/// 403). Extracting it touches no store; [`Portal::account_with`] checks it.
#[derive(Debug, Clone)]
pub struct SessionRequest {
    fqdn: String,
    token: Option<String>,
    client: IpAddr,
    reads: bool,
}

impl FromRequestParts<Portal> for SessionRequest {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &Portal) -> Result<Self, Response> {
        let host = match parts.extensions.get::<RequestHost>() {
            Some(RequestHost(host)) => host.clone(),
            None => host::request_host(&parts.uri, &parts.headers),
        };
        let Some(fqdn) = host else {
            return Err(pages::no_portal());
        };
        let ClientAddr(client) = match ClientAddr::from_request_parts(parts, state).await {
            Ok(c) => c,
            Err(never) => match never {},
        };
        Ok(SessionRequest {
            fqdn,
            token: cookie(&parts.headers, SESSION_COOKIE),
            client,
            reads: parts.method == Method::GET || parts.method == Method::HEAD,
        })
    }
}

impl Portal {
    /// Lets `request` in only with a live session of its domain, and runs `page` in the same
    /// read transaction (one snapshot of the store for the whole page), on this thread (see
    /// [`read_now`]): `page` must be a short read. A refusal is the answer to send (the log-in
    /// page, the code page, a neutral page); `page`'s own error is the caller's to report.
    pub async fn account_with<T, F>(
        &self,
        request: SessionRequest,
        page: F,
    ) -> Result<(Account, Result<T, SourceError>), Response>
    where
        F: FnOnce(&crate::store::Tx, &Account) -> Result<T, SourceError> + Send + 'static,
        T: Send + 'static,
    {
        let now = crate::admin::service::now();
        let SessionRequest {
            fqdn,
            token,
            client,
            reads,
        } = request;
        let site = match self.site(&fqdn) {
            Ok(Some(site)) => site,
            Ok(None) => return Err(pages::no_portal()),
            Err(err) => {
                tracing::error!(error = %err, "portal: reading the domain failed");
                return Err(pages::internal_error());
            }
        };
        // Taken before the read: see [`Logins`] and [`Standing`].
        let logins = (&self.logins, self.store.accounts_generation());
        let standing = (&self.standing, self.store.children_generation());
        let found = read_now(|| {
            self.store
                .read(|tx| {
                    Ok::<_, StoreError>(
                        match load(tx, logins, standing, site, token.as_deref(), client, now)? {
                            Ok(account) => {
                                let data = page(tx, &account);
                                Ok((account, data))
                            }
                            Err(refusal) => Err(refusal),
                        },
                    )
                })
                .map_err(Into::into)
        });
        match found {
            Ok(Ok(loaded)) => Ok(loaded),
            Ok(Err(Refusal::LogIn)) if reads => Err(Redirect::to("/login").into_response()),
            Ok(Err(Refusal::LogIn)) => Err(forbidden()),
            Ok(Err(Refusal::SecondFactor)) => Err(Redirect::to("/login/code").into_response()),
            Err(err) => {
                tracing::error!(error = %err, "portal: reading the session failed");
                Err(pages::internal_error())
            }
        }
    }
}

impl FromRequestParts<Portal> for Account {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &Portal) -> Result<Self, Response> {
        let request = SessionRequest::from_request_parts(parts, state).await?;
        let (account, _) = state.account_with(request, |_, _| Ok(())).await?;
        Ok(account)
    }
}

/// A session as stored with its contact and customer: what every logged-in page reads first.
#[derive(Debug)]
pub struct Login {
    pub session: SessionRecord,
    pub contact: Contact,
    pub customer: Customer,
    /// The contact's time zone (UTC when it has none or an unknown one).
    pub zone: jiff::tz::TimeZone,
    /// How the customer's amounts are written.
    pub money: super::format::Style,
    /// The store's accounts generation this was read at.
    generation: u64,
}

/// Past this many sessions the remembered logins are dropped (and read again).
const MAX_LOGINS: usize = 65_536;

/// The logins read so far, by session hash. An entry is used only while no customer, contact
/// or session has been written since it was read ([`crate::store::Store::accounts_generation`]):
/// a log-out, a suspension, a new allow-list or password shows on the very next request.
/// Only sessions that exist are remembered.
#[derive(Debug, Default)]
pub struct Logins(RwLock<HashMap<[u8; 32], Arc<Login>>>);

impl Logins {
    /// The login of session `key`, read through `tx` unless remembered at `generation` (taken
    /// before `tx` began); `None` when the session, its contact or its customer is gone.
    fn get(
        &self,
        tx: &crate::store::Tx,
        key: &[u8; 32],
        generation: u64,
    ) -> Result<Option<Arc<Login>>, StoreError> {
        if let Ok(logins) = self.0.read()
            && let Some(login) = logins.get(key).filter(|l| l.generation == generation)
        {
            return Ok(Some(login.clone()));
        }
        let Some(session) = tx.session(key)? else {
            return Ok(None);
        };
        let Some(contact) = tx.contact(session.contact_id)?.map(|r| r.contact) else {
            return Ok(None);
        };
        let Some(customer) = tx.customer(contact.customer_id)? else {
            return Ok(None);
        };
        let login = Arc::new(Login {
            zone: super::format::zone(&contact.time_zone),
            money: super::format::Style::of(&customer.currency),
            session,
            contact,
            customer,
            generation,
        });
        if let Ok(mut logins) = self.0.write() {
            if logins.len() >= MAX_LOGINS {
                logins.clear();
            }
            logins.insert(*key, login.clone());
        }
        Ok(Some(login))
    }
}

fn load(
    tx: &crate::store::Tx,
    (logins, generation): (&Logins, u64),
    (standing, children_generation): (&Standing, u64),
    site: Arc<Site>,
    token: Option<&str>,
    client: IpAddr,
    now: i64,
) -> Result<Result<Account, Refusal>, StoreError> {
    let domain = &site.domain;
    let Some(token) = token else {
        return Ok(Err(Refusal::LogIn));
    };
    let session_key = token_hash(token);
    let Some(login) = logins.get(tx, &session_key, generation)? else {
        return Ok(Err(Refusal::LogIn));
    };
    let Login {
        session,
        contact,
        customer,
        ..
    } = &*login;
    // A session is bound to the domain it was made on: the cookie cannot be replayed elsewhere.
    if session.fqdn != domain.fqdn || session.expires_at <= now {
        return Ok(Err(Refusal::LogIn));
    }
    if session.pending_second_factor {
        return Ok(Err(Refusal::SecondFactor));
    }
    if customer.id != session.customer_id
        || customer.domain.as_deref() != Some(domain.fqdn.as_str())
        || customer.status == CustomerStatus::Suspended
        || !ip_allowed(&contact.ip_allow, client)
    {
        return Ok(Err(Refusal::LogIn));
    }
    let sections = Sections::of(domain, customer);
    let logo = match &domain.logo {
        Some(name) => tx.file_info(name)?,
        None => None,
    };
    let balance = if sections.shows(Section::Balance) {
        let balance = standing
            .credits
            .get(customer.id, children_generation, || {
                crate::reports::credit_of(tx, customer.id)
            })
            .and_then(|credit| {
                Ok(crate::reports::balance_from(
                    customer,
                    credit,
                    tx.totals(customer.id)?.charge,
                ))
            });
        match balance {
            Ok(b) => Some(b),
            Err(e) => {
                tracing::error!(error = %e, customer = customer.id, "portal: balance failed");
                None
            }
        }
    } else {
        None
    };
    let contract_due = if sections.shows(Section::Contracts) {
        standing
            .contracts_due
            .get(customer.id, children_generation, || {
                super::contracts::first_due(tx, customer.id)
            })?
    } else {
        None
    };
    Ok(Ok(Account {
        contract_due,
        site,
        login,
        session_key,
        sections,
        logo,
        balance,
        client,
    }))
}
