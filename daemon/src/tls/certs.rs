//! PEM chains and keys: parsed once into what the resolver serves (`CertifiedKey`) and what
//! the store and the status keep (names, issuer, validity).

use std::sync::Arc;

use portico_protocol::CertSource;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::CertifiedKey;

use crate::store::CertRecord;

/// Why a chain or key cannot be used; the message is for the admin.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct CertError(pub String);

fn err(msg: impl Into<String>) -> CertError {
    CertError(msg.into())
}

/// The certificates of a PEM chain, leaf first.
pub fn parse_chain(pem: &str) -> Result<Vec<CertificateDer<'static>>, CertError> {
    let chain = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| err(format!("the chain is not valid PEM ({e})")))?;
    if chain.is_empty() {
        return Err(err(
            "the chain holds no certificate; give the PEM file that starts with \
             -----BEGIN CERTIFICATE-----",
        ));
    }
    Ok(chain)
}

/// The private key of a PEM file (PKCS#8, PKCS#1 or SEC1).
pub fn parse_key(pem: &str) -> Result<PrivateKeyDer<'static>, CertError> {
    PrivateKeyDer::from_pem_slice(pem.as_bytes()).map_err(|_| {
        err(
            "the key is not a PEM private key; give the file that starts with \
             -----BEGIN PRIVATE KEY----- (or RSA / EC PRIVATE KEY)",
        )
    })
}

/// A chain and key as rustls serves them; refused when the key does not match the leaf.
pub fn certified_key(chain_pem: &str, key_pem: &str) -> Result<Arc<CertifiedKey>, CertError> {
    let chain = parse_chain(chain_pem)?;
    let key = parse_key(key_pem)?;
    let signing = rustls::crypto::ring::sign::any_supported_type(&key)
        .map_err(|e| err(format!("the key's type is not supported ({e})")))?;
    let certified = CertifiedKey::new(chain, signing);
    certified.keys_match().map_err(|_| {
        err(
            "the key does not belong to the certificate: upload the key the certificate \
             was issued for",
        )
    })?;
    Ok(Arc::new(certified))
}

/// A chain and key as rustls serves them, without the match check: for the TLS-ALPN-01
/// certificate, whose critical acmeIdentifier extension webpki refuses to parse.
pub fn certified_key_unchecked(
    chain_pem: &str,
    key_pem: &str,
) -> Result<Arc<CertifiedKey>, CertError> {
    let chain = parse_chain(chain_pem)?;
    let key = parse_key(key_pem)?;
    let signing = rustls::crypto::ring::sign::any_supported_type(&key)
        .map_err(|e| err(format!("the key's type is not supported ({e})")))?;
    Ok(Arc::new(CertifiedKey::new(chain, signing)))
}

/// What a leaf certificate says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeafInfo {
    /// Subject alternative names (DNS), lower-case.
    pub names: Vec<String>,
    /// The issuer's distinguished name.
    pub issuer: String,
    /// Serial in hex.
    pub serial: String,
    /// Start of validity.
    pub not_before: i64,
    /// End of validity.
    pub not_after: i64,
}

/// Reads the leaf (first certificate) of `chain`.
pub fn leaf_info(leaf: &CertificateDer<'_>) -> Result<LeafInfo, CertError> {
    use x509_parser::prelude::*;
    let (_, cert) = X509Certificate::from_der(leaf.as_ref())
        .map_err(|e| err(format!("the certificate does not parse ({e})")))?;
    let mut names = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for name in &san.value.general_names {
            if let GeneralName::DNSName(n) = name {
                names.push(n.to_ascii_lowercase());
            }
        }
    }
    if names.is_empty()
        && let Some(cn) = cert.subject().iter_common_name().next()
        && let Ok(cn) = cn.as_str()
    {
        names.push(cn.to_ascii_lowercase());
    }
    Ok(LeafInfo {
        names,
        issuer: cert.issuer().to_string(),
        serial: cert.raw_serial_as_string().replace(':', ""),
        not_before: cert.validity().not_before.timestamp(),
        not_after: cert.validity().not_after.timestamp(),
    })
}

/// Whether a certificate name (possibly `*.example.com`) covers `fqdn`.
pub fn covers(name: &str, fqdn: &str) -> bool {
    if let Some(suffix) = name.strip_prefix("*.") {
        fqdn.split_once('.')
            .is_some_and(|(first, rest)| !first.is_empty() && rest == suffix)
    } else {
        name == fqdn
    }
}

/// A record for the store from a chain and key, checked: they match, the leaf covers `fqdn`,
/// and (for uploads) it has not expired at `now`.
pub fn record(
    source: CertSource,
    fqdn: &str,
    chain_pem: &str,
    key_pem: &str,
    now: i64,
) -> Result<(CertRecord, Arc<CertifiedKey>), CertError> {
    let certified = certified_key(chain_pem, key_pem)?;
    let leaf = certified
        .cert
        .first()
        .ok_or_else(|| err("the chain holds no certificate"))?;
    let info = leaf_info(leaf)?;
    if !info.names.iter().any(|n| covers(n, fqdn)) {
        return Err(err(format!(
            "the certificate is for {} and does not cover {fqdn}; upload one whose names \
             include {fqdn}",
            if info.names.is_empty() {
                "no DNS name".to_string()
            } else {
                info.names.join(", ")
            }
        )));
    }
    if info.not_after <= now {
        return Err(err(format!(
            "the certificate expired at {}; upload a current one",
            super::when(info.not_after)
        )));
    }
    Ok((
        CertRecord {
            source,
            chain_pem: chain_pem.to_string(),
            key_pem: key_pem.to_string(),
            not_before: info.not_before,
            not_after: info.not_after,
            issuer: info.issuer,
            serial: info.serial,
            names: info.names,
        },
        certified,
    ))
}

/// The moment two thirds of a certificate's lifetime have passed.
pub fn renew_at(not_before: i64, not_after: i64) -> i64 {
    not_before + (not_after - not_before) * 2 / 3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_cover_one_label_only() {
        assert!(covers("portal.example.com", "portal.example.com"));
        assert!(covers("*.example.com", "portal.example.com"));
        assert!(!covers("*.example.com", "a.portal.example.com"));
        assert!(!covers("*.example.com", "example.com"));
        assert!(!covers("other.example.com", "portal.example.com"));
    }

    #[test]
    fn renewal_is_at_two_thirds() {
        assert_eq!(renew_at(0, 90), 60);
        assert_eq!(renew_at(1000, 1300), 1200);
    }
}
