//! Orders with instant-acme: one account per CA directory (its key in the store), HTTP-01 or
//! TLS-ALPN-01, a fresh key per certificate. Failures come back as the CA's problem detail.

use std::sync::Arc;
use std::time::Duration;

use instant_acme::{
    Account, AccountCredentials, AuthorizationStatus, ChallengeType, Identifier, NewAccount,
    NewOrder, OrderStatus, RetryPolicy,
};
use rcgen::{CertificateParams, CustomExtension, DistinguishedName, KeyPair};
use tokio::sync::Mutex;

use super::Shared;
use crate::config::Challenge;
use crate::store::{AcmeAccountRecord, Store, StoreError};

/// The ACME client of one directory.
pub struct Acme {
    directory: String,
    root: Option<std::path::PathBuf>,
    contact: Vec<String>,
    account: Mutex<Option<Account>>,
}

impl std::fmt::Debug for Acme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Acme")
            .field("directory", &self.directory)
            .finish_non_exhaustive()
    }
}

/// A certificate chain and its key, both PEM.
pub type Issued = (String, String);

/// A failed order, in words: the CA's problem detail when it sent one.
#[derive(Debug)]
pub struct OrderError {
    /// What went wrong.
    pub problem: String,
    /// The CA no longer knows the stored account (it must be created again).
    pub account_unknown: bool,
}

impl From<instant_acme::Error> for OrderError {
    fn from(e: instant_acme::Error) -> Self {
        let account_unknown = matches!(&e, instant_acme::Error::Api(p)
            if p.r#type.as_deref() == Some("urn:ietf:params:acme:error:accountDoesNotExist"));
        OrderError {
            problem: describe(&e),
            account_unknown,
        }
    }
}

fn fail(problem: impl Into<String>) -> OrderError {
    OrderError {
        problem: problem.into(),
        account_unknown: false,
    }
}

/// The CA's problem as `detail (type)`, or the transport error with its causes.
fn describe(e: &instant_acme::Error) -> String {
    match e {
        instant_acme::Error::Api(p) => problem_text(p),
        other => {
            let mut text = other.to_string();
            let mut io = false;
            let mut source = std::error::Error::source(other);
            while let Some(s) = source {
                io |= s.downcast_ref::<std::io::Error>().is_some();
                let more = s.to_string();
                if !text.contains(&more) {
                    text.push_str(": ");
                    text.push_str(&more);
                }
                source = s.source();
            }
            // No answer at all (refused, reset, timed out): say so first, the chain after.
            if io {
                format!("CA unreachable: {text}")
            } else {
                text
            }
        }
    }
}

fn problem_text(p: &instant_acme::Problem) -> String {
    let mut text = p.detail.clone().unwrap_or_else(|| "the CA refused".into());
    if let Some(t) = &p.r#type {
        text.push_str(&format!(
            " ({})",
            t.strip_prefix("urn:ietf:params:acme:error:").unwrap_or(t)
        ));
    }
    for sub in &p.subproblems {
        if let Some(d) = &sub.detail {
            text.push_str("; ");
            text.push_str(d);
        }
    }
    text
}

impl Acme {
    /// A client for `directory`, trusting `root` (a PEM file) instead of the system's roots.
    pub fn new(directory: String, root: Option<std::path::PathBuf>, contact: Vec<String>) -> Acme {
        Acme {
            directory,
            root,
            contact,
            account: Mutex::new(None),
        }
    }

    fn builder(&self) -> Result<instant_acme::AccountBuilder, OrderError> {
        match &self.root {
            Some(root) => Account::builder_with_root(root).map_err(|e| {
                fail(format!(
                    "tls.acme_root {}: {}",
                    root.display(),
                    describe(&e)
                ))
            }),
            None => Account::builder().map_err(|e| fail(describe(&e))),
        }
    }

    /// The account: loaded from the store, or created at the CA and stored.
    async fn account(&self, store: &Store) -> Result<Account, OrderError> {
        let mut slot = self.account.lock().await;
        if let Some(account) = slot.as_ref() {
            return Ok(account.clone());
        }
        let dir = self.directory.clone();
        let stored = blocking(store, move |s| s.read(|tx| tx.acme_account(&dir))).await?;
        let account = match stored {
            Some(record) => {
                let credentials: AccountCredentials = serde_json::from_str(&record.credentials)
                    .map_err(|e| fail(format!("stored ACME account does not decode: {e}")))?;
                self.builder()?.from_credentials(credentials).await?
            }
            None => {
                let contact: Vec<&str> = self.contact.iter().map(String::as_str).collect();
                let (account, credentials) = self
                    .builder()?
                    .create(
                        &NewAccount {
                            contact: &contact,
                            terms_of_service_agreed: true,
                            only_return_existing: false,
                        },
                        self.directory.clone(),
                        None,
                    )
                    .await?;
                let record = AcmeAccountRecord {
                    credentials: serde_json::to_string(&credentials)
                        .map_err(|e| fail(e.to_string()))?,
                    created_at: time::OffsetDateTime::now_utc().unix_timestamp(),
                };
                let dir = self.directory.clone();
                blocking(store, move |s| {
                    s.write(|tx| tx.put_acme_account(&dir, &record))
                })
                .await?;
                tracing::info!(directory = %self.directory, id = account.id(), "ACME account created");
                account
            }
        };
        *slot = Some(account.clone());
        Ok(account)
    }

    /// Forgets the account (the CA said it does not know it): the next order creates one.
    pub async fn forget_account(&self, store: &Store) {
        *self.account.lock().await = None;
        let dir = self.directory.clone();
        let _ = blocking(store, move |s| s.write(|tx| tx.remove_acme_account(&dir))).await;
    }

    /// Orders a certificate for `fqdn`, answering `challenge`.
    pub async fn order(
        &self,
        shared: &Arc<Shared>,
        fqdn: &str,
        challenge: Challenge,
    ) -> Result<Issued, OrderError> {
        let account = self.account(&shared.store).await?;
        let identifiers = [Identifier::Dns(fqdn.to_string())];
        let mut order = account.new_order(&NewOrder::new(&identifiers)).await?;
        let kind = match challenge {
            Challenge::Http01 => ChallengeType::Http01,
            Challenge::TlsAlpn01 => ChallengeType::TlsAlpn01,
        };
        let mut tokens = Vec::new();
        let result = async {
            let mut auths = order.authorizations();
            while let Some(auth) = auths.next().await {
                let mut auth = auth?;
                match auth.status {
                    AuthorizationStatus::Pending => {}
                    AuthorizationStatus::Valid => continue,
                    other => return Err(fail(format!("the CA's authorization is {other:?}"))),
                }
                let mut handle = auth.challenge(kind.clone()).ok_or_else(|| {
                    fail(format!("the CA offers no {kind:?} challenge for {fqdn}"))
                })?;
                let key_auth = handle.key_authorization();
                match challenge {
                    Challenge::Http01 => {
                        shared.put_token(&handle.token, key_auth.as_str());
                        tokens.push(handle.token.clone());
                    }
                    Challenge::TlsAlpn01 => {
                        let cert = alpn_certificate(fqdn, key_auth.digest().as_ref())?;
                        shared.resolver.start_challenge(fqdn, cert);
                    }
                }
                handle.set_ready().await?;
            }
            let retry = RetryPolicy::new()
                .initial_delay(Duration::from_millis(250))
                .backoff(1.5)
                .timeout(Duration::from_secs(60));
            let status = order.poll_ready(&retry).await?;
            if status != OrderStatus::Ready {
                return Err(fail(invalid_reason(&mut order).await));
            }
            let key = KeyPair::generate().map_err(|e| fail(format!("key: {e}")))?;
            let mut params = CertificateParams::new(vec![fqdn.to_string()])
                .map_err(|e| fail(format!("CSR: {e}")))?;
            params.distinguished_name = DistinguishedName::new();
            let csr = params
                .serialize_request(&key)
                .map_err(|e| fail(format!("CSR: {e}")))?;
            order.finalize_csr(csr.der()).await?;
            let chain = order.poll_certificate(&retry).await?;
            Ok((chain, key.serialize_pem()))
        }
        .await;
        for token in &tokens {
            shared.drop_token(token);
        }
        shared.resolver.end_challenge(fqdn);
        result
    }
}

/// Why an order became invalid: the failed challenge's problem.
async fn invalid_reason(order: &mut instant_acme::Order) -> String {
    let mut auths = order.authorizations();
    while let Some(Ok(auth)) = auths.next().await {
        for ch in &auth.challenges {
            if let Some(problem) = &ch.error {
                return problem_text(problem);
            }
        }
    }
    "the CA marked the order invalid without saying why".into()
}

/// The self-signed certificate a TLS-ALPN-01 validation expects (RFC 8737).
fn alpn_certificate(
    fqdn: &str,
    digest: &[u8],
) -> Result<Arc<rustls::sign::CertifiedKey>, OrderError> {
    let key = KeyPair::generate().map_err(|e| fail(e.to_string()))?;
    let mut params =
        CertificateParams::new(vec![fqdn.to_string()]).map_err(|e| fail(e.to_string()))?;
    params.custom_extensions = vec![CustomExtension::new_acme_identifier(digest)];
    let cert = params.self_signed(&key).map_err(|e| fail(e.to_string()))?;
    super::certs::certified_key_unchecked(&cert.pem(), &key.serialize_pem()).map_err(|e| fail(e.0))
}

async fn blocking<T: Send + 'static>(
    store: &Store,
    f: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, OrderError> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || f(&store))
        .await
        .map_err(|e| fail(e.to_string()))?
        .map_err(|e| fail(e.to_string()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_tls_alpn_01_certificate_is_served_with_its_key() {
        let cert = super::alpn_certificate("portal.acme.test", &[7u8; 32]);
        assert!(cert.is_ok(), "{:?}", cert.err().map(|e| e.problem));
    }
}
