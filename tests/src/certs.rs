//! Certificates made by a test: a CA and leaf certificates signed by it (rcgen), PEM.

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};

/// A CA that signs leaf certificates.
pub struct TestCa {
    /// The CA's certificate in PEM.
    pub pem: String,
    issuer: Issuer<'static, KeyPair>,
}

impl std::fmt::Debug for TestCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestCa").finish_non_exhaustive()
    }
}

/// A leaf certificate: the chain (leaf, then the CA) and its key, PEM.
#[derive(Debug, Clone)]
pub struct Leaf {
    /// Leaf then CA.
    pub chain_pem: String,
    /// The leaf's key.
    pub key_pem: String,
}

fn fail(e: rcgen::Error) -> ! {
    panic!("rcgen: {e}")
}

impl TestCa {
    /// A new CA named `name`.
    pub fn new(name: &str) -> TestCa {
        let key = KeyPair::generate().unwrap_or_else(|e| fail(e));
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap_or_else(|e| fail(e));
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        let cert = params.self_signed(&key).unwrap_or_else(|e| fail(e));
        TestCa {
            pem: cert.pem(),
            issuer: Issuer::new(params, key),
        }
    }

    /// A leaf for `names` (DNS names or IP addresses).
    pub fn leaf(&self, names: &[&str]) -> Leaf {
        let key = KeyPair::generate().unwrap_or_else(|e| fail(e));
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let params = CertificateParams::new(names).unwrap_or_else(|e| fail(e));
        let cert = params
            .signed_by(&key, &self.issuer)
            .unwrap_or_else(|e| fail(e));
        Leaf {
            chain_pem: format!("{}{}", cert.pem(), self.pem),
            key_pem: key.serialize_pem(),
        }
    }
}
