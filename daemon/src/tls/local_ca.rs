//! Portico's own CA, for `--dev` and air-gapped installs: created once and kept in the store;
//! it issues a certificate for every added domain, and `portico ca export` prints its root.

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};

use super::certs::CertError;
use crate::store::LocalCaRecord;

/// How long a certificate of the local CA lasts.
const LEAF_DAYS: i64 = 90;
/// How long the local CA's root lasts.
const ROOT_DAYS: i64 = 3650;

fn rc(e: rcgen::Error) -> CertError {
    CertError(format!("local CA: {e}"))
}

/// Makes a new root.
pub fn create(now: i64) -> Result<LocalCaRecord, CertError> {
    let key = KeyPair::generate().map_err(rc)?;
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(rc)?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "Portico");
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "localhost".into());
    dn.push(DnType::CommonName, format!("Portico local CA ({host})"));
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.not_before = at(now - 3600)?;
    params.not_after = at(now + ROOT_DAYS * 86_400)?;
    let cert = params.self_signed(&key).map_err(rc)?;
    Ok(LocalCaRecord {
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    })
}

/// Issues a certificate for `fqdn`: (certificate PEM, key PEM). The chain is the leaf alone:
/// a client must already trust the root, so sending it would only lengthen every handshake.
pub fn issue(ca: &LocalCaRecord, fqdn: &str, now: i64) -> Result<(String, String), CertError> {
    let ca_key = KeyPair::from_pem(&ca.key_pem).map_err(rc)?;
    let issuer = Issuer::from_ca_cert_pem(&ca.cert_pem, ca_key).map_err(rc)?;
    let key = KeyPair::generate().map_err(rc)?;
    let mut params = CertificateParams::new(vec![fqdn.to_string()]).map_err(rc)?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, fqdn);
    params.distinguished_name = dn;
    params.use_authority_key_identifier_extension = true;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.not_before = at(now - 3600)?;
    params.not_after = at(now + LEAF_DAYS * 86_400)?;
    let mut serial = [0u8; 16];
    rand::Rng::fill(&mut rand::rng(), &mut serial[..]);
    serial[0] &= 0x7f;
    params.serial_number = Some(rcgen::SerialNumber::from_slice(&serial));
    let cert = params.signed_by(&key, &issuer).map_err(rc)?;
    Ok((cert.pem(), key.serialize_pem()))
}

fn at(unix: i64) -> Result<time::OffsetDateTime, CertError> {
    time::OffsetDateTime::from_unix_timestamp(unix).map_err(|e| CertError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::certs;

    #[test]
    fn the_local_ca_issues_a_matching_certificate_for_the_domain() {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let ca = create(now).unwrap();
        let (chain, key) = issue(&ca, "portal.localhost", now).unwrap();
        let (record, _) = certs::record(
            portico_protocol::CertSource::LocalCa,
            "portal.localhost",
            &chain,
            &key,
            now,
        )
        .unwrap();
        assert_eq!(record.names, vec!["portal.localhost"]);
        assert_eq!(
            chain.matches("BEGIN CERTIFICATE").count(),
            1,
            "the leaf alone"
        );
        assert!(
            record.issuer.contains("Portico local CA"),
            "{}",
            record.issuer
        );
        assert_eq!(record.not_after - now, LEAF_DAYS * 86_400);
        let err = certs::record(
            portico_protocol::CertSource::Uploaded,
            "other.localhost",
            &chain,
            &key,
            now,
        )
        .unwrap_err();
        assert!(err.0.contains("does not cover other.localhost"), "{err}");
        let (_, other_key) = issue(&ca, "portal.localhost", now).unwrap();
        let err = certs::certified_key(&chain, &other_key).unwrap_err();
        assert!(err.0.contains("does not belong"), "{err}");
    }
}
