//! The DNS check that gates every order: the portal name must have a CNAME to
//! `[tls] cname_target`, and no CAA record may forbid the CA. What was found is kept in words
//! the admin can act on.

use std::net::SocketAddr;

use hickory_resolver::TokioResolver;
use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolveHosts, ResolverConfig};
use hickory_resolver::net::NetError;
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::rr::{RData, RecordType};

/// What a check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The name points at Portico and the CA may issue.
    pub ok: bool,
    /// In words.
    pub found: String,
    /// No answer came (the DNS server is unreachable or failed): says nothing about the
    /// records, so the check is retried with backoff rather than reported as a DNS mistake.
    pub lookup_failed: bool,
}

fn bad(found: String) -> Finding {
    Finding {
        ok: false,
        found,
        lookup_failed: false,
    }
}

/// Looks names up on the configured name servers (or the system's).
pub struct DnsChecker {
    resolver: TokioResolver,
    target: String,
    caa_identities: Vec<String>,
    /// The servers asked, for messages.
    servers: String,
}

impl std::fmt::Debug for DnsChecker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DnsChecker")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

impl DnsChecker {
    /// A checker asking `name_servers` (empty: /etc/resolv.conf) whether names have a CNAME to
    /// `target`, and whether CAA lets one of `caa_identities` issue (empty: CAA is not read).
    pub fn new(
        name_servers: &[SocketAddr],
        target: &str,
        caa_identities: Vec<String>,
    ) -> Result<DnsChecker, String> {
        let provider = TokioRuntimeProvider::default();
        let servers = if name_servers.is_empty() {
            "the system's (/etc/resolv.conf)".to_string()
        } else {
            name_servers
                .iter()
                .map(SocketAddr::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut builder = if name_servers.is_empty() {
            TokioResolver::builder(provider)
                .map_err(|e| format!("reading the system's DNS configuration: {e}"))?
        } else {
            let servers = name_servers
                .iter()
                .map(|addr| {
                    let mut udp = ConnectionConfig::udp();
                    udp.port = addr.port();
                    let mut tcp = ConnectionConfig::tcp();
                    tcp.port = addr.port();
                    NameServerConfig::new(addr.ip(), true, vec![udp, tcp])
                })
                .collect();
            TokioResolver::builder_with_config(
                ResolverConfig::from_parts(None, Vec::new(), servers),
                provider,
            )
        };
        let opts = builder.options_mut();
        // Every check asks again: an admin who just fixed a record must see it at once.
        opts.cache_size = 0;
        opts.use_hosts_file = ResolveHosts::Never;
        opts.timeout = std::time::Duration::from_secs(3);
        opts.attempts = 2;
        opts.ndots = 0;
        let resolver = builder
            .build()
            .map_err(|e| format!("setting up the DNS resolver: {e}"))?;
        Ok(DnsChecker {
            resolver,
            target: target.to_string(),
            caa_identities,
            servers,
        })
    }

    /// Checks `fqdn`.
    pub async fn check(&self, fqdn: &str) -> Finding {
        let name = format!("{fqdn}.");
        let cname = match self.resolver.lookup(name.as_str(), RecordType::CNAME).await {
            Ok(lookup) => lookup.answers().iter().find_map(|r| match &r.data {
                RData::CNAME(c) => Some(plain(&c.0.to_ascii())),
                _ => None,
            }),
            Err(e) if e.is_nx_domain() => {
                return bad(format!(
                    "NXDOMAIN: {fqdn} does not exist in DNS; add a CNAME to {}",
                    self.target
                ));
            }
            Err(e) if e.is_no_records_found() => None,
            Err(e) => return lookup_failed(&e, &self.servers),
        };
        match cname {
            Some(t) if t == self.target => {}
            Some(other) => {
                return bad(format!(
                    "CNAME to {other} instead of {}; change the CNAME to point at {}",
                    self.target, self.target
                ));
            }
            None => return bad(self.without_cname(&name, fqdn).await),
        }
        if let Some(forbidden) = self.caa_forbids(fqdn).await {
            return bad(forbidden);
        }
        Finding {
            ok: true,
            found: format!("CNAME to {}", self.target),
            lookup_failed: false,
        }
    }

    /// What the name has instead of a CNAME.
    async fn without_cname(&self, name: &str, fqdn: &str) -> String {
        let mut addrs = Vec::new();
        for rtype in [RecordType::A, RecordType::AAAA] {
            match self.resolver.lookup(name, rtype).await {
                Ok(lookup) => {
                    for r in lookup.answers() {
                        match &r.data {
                            RData::A(a) => addrs.push(("A", a.0.to_string())),
                            RData::AAAA(a) => addrs.push(("AAAA", a.0.to_string())),
                            _ => {}
                        }
                    }
                }
                Err(e) if e.is_nx_domain() => {
                    return format!(
                        "NXDOMAIN: {fqdn} does not exist in DNS; add a CNAME to {}",
                        self.target
                    );
                }
                Err(_) => {}
            }
        }
        match addrs.first() {
            Some((kind, addr)) => format!(
                "{kind} record {addr} instead of a CNAME; replace it with a CNAME to {}",
                self.target
            ),
            None => format!("no CNAME record for {fqdn}; add a CNAME to {}", self.target),
        }
    }

    /// The reason CAA forbids every CA Portico may use, if it does (RFC 8659: the closest
    /// name, climbing towards the root, that has CAA records decides).
    async fn caa_forbids(&self, fqdn: &str) -> Option<String> {
        if self.caa_identities.is_empty() {
            return None;
        }
        let mut name = fqdn;
        loop {
            if let Ok(lookup) = self
                .resolver
                .lookup(format!("{name}."), RecordType::CAA)
                .await
            {
                let issuers: Vec<Option<String>> = lookup
                    .answers()
                    .iter()
                    .filter_map(|r| match &r.data {
                        RData::CAA(caa) if caa.tag.eq_ignore_ascii_case("issue") => Some(
                            caa.value_as_issue()
                                .ok()
                                .and_then(|(n, _)| n.map(|n| plain(&n.to_ascii()))),
                        ),
                        _ => None,
                    })
                    .collect();
                if !lookup.answers().is_empty() {
                    return caa_verdict(name, &issuers, &self.caa_identities);
                }
            }
            match name.split_once('.') {
                Some((_, parent)) if !parent.is_empty() => name = parent,
                _ => return None,
            }
        }
    }
}

/// Decides on the CAA `issue` values found at `name`; `None` allows issuance.
fn caa_verdict(name: &str, issuers: &[Option<String>], ours: &[String]) -> Option<String> {
    if issuers.is_empty() {
        // Only other tags (iodef, issuewild): they do not restrict non-wildcard names.
        return None;
    }
    if issuers
        .iter()
        .flatten()
        .any(|i| ours.iter().any(|o| o.eq_ignore_ascii_case(i)))
    {
        return None;
    }
    let allowed: Vec<&str> = issuers.iter().flatten().map(String::as_str).collect();
    Some(if allowed.is_empty() {
        format!(
            "CAA forbids the CA: {name} has CAA issue \";\" (no CA may issue); add a CAA \
             record issue \"{}\"",
            ours.join(", ")
        )
    } else {
        format!(
            "CAA forbids the CA: {name} lets only {} issue; add a CAA record issue \"{}\"",
            allowed.join(", "),
            ours.first().map(String::as_str).unwrap_or_default()
        )
    })
}

fn plain(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// A lookup that got no answer: the server unreachable (no reply, refused) or failing.
fn lookup_failed(e: &NetError, servers: &str) -> Finding {
    let unreachable = matches!(
        e,
        NetError::Timeout | NetError::NoConnections | NetError::Io(_) | NetError::Busy
    );
    let found = if unreachable {
        format!(
            "DNS server unreachable ({servers}: {e}); check that it runs and that [tls] \
             name_servers names it"
        )
    } else {
        format!("DNS lookup failed ({servers}: {e}); check [tls] name_servers and try again")
    };
    Finding {
        ok: false,
        found,
        lookup_failed: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_resolver::proto::op::{Message, MessageType, ResponseCode};
    use hickory_resolver::proto::rr::rdata::{A, CAA, CNAME};
    use hickory_resolver::proto::rr::{Name, Record};

    /// What the fake name server answers for a name and type: NXDOMAIN, or these records.
    type Zone = fn(&str, RecordType) -> Option<Vec<RData>>;

    /// A DNS server on a free UDP port of 127.0.0.1 that answers from `zone`.
    async fn fake_dns(zone: Zone) -> SocketAddr {
        let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = socket.local_addr().unwrap();
        tokio::spawn(async move {
            let mut buf = vec![0u8; 4096];
            loop {
                let Ok((n, peer)) = socket.recv_from(&mut buf).await else {
                    return;
                };
                let Ok(query) = Message::from_vec(&buf[..n]) else {
                    continue;
                };
                let mut answer = Message::response(query.metadata.id, query.metadata.op_code);
                answer.metadata.message_type = MessageType::Response;
                answer.metadata.recursion_desired = query.metadata.recursion_desired;
                answer.metadata.recursion_available = true;
                for q in &query.queries {
                    answer.add_query(q.clone());
                    let name = q.name().to_ascii();
                    match zone(name.trim_end_matches('.'), q.query_type()) {
                        None => answer.metadata.response_code = ResponseCode::NXDomain,
                        Some(records) => {
                            for data in records {
                                answer.add_answer(Record::from_rdata(q.name().clone(), 60, data));
                            }
                        }
                    }
                }
                let _ = socket.send_to(&answer.to_vec().unwrap(), peer).await;
            }
        });
        addr
    }

    fn cname(target: &str) -> RData {
        RData::CNAME(CNAME(Name::from_ascii(format!("{target}.")).unwrap()))
    }

    fn zone(name: &str, rtype: RecordType) -> Option<Vec<RData>> {
        let caa = |issuer: &str| {
            RData::CAA(CAA::new_issue(
                false,
                Some(Name::from_ascii(issuer).unwrap()),
                Vec::new(),
            ))
        };
        match (name, rtype) {
            ("gone.acme.test", _) => None,
            ("a.acme.test", RecordType::A) => {
                Some(vec![RData::A(A("203.0.113.7".parse().unwrap()))])
            }
            ("other.acme.test", RecordType::CNAME) => Some(vec![cname("other.example")]),
            ("ok.acme.test" | "strict.acme.test" | "allowed.acme.test", RecordType::CNAME) => {
                Some(vec![cname("portico.carrier.example")])
            }
            ("strict.acme.test", RecordType::CAA) => Some(vec![caa("digicert.com")]),
            ("acme.test", RecordType::CAA) => Some(vec![caa("letsencrypt.org")]),
            _ => Some(Vec::new()),
        }
    }

    #[tokio::test]
    async fn findings_say_what_dns_has_instead() {
        let server = fake_dns(zone).await;
        let checker = DnsChecker::new(
            &[server],
            "portico.carrier.example",
            vec!["letsencrypt.org".into()],
        )
        .unwrap();
        let f = checker.check("ok.acme.test").await;
        assert!(f.ok, "{f:?}");
        assert_eq!(f.found, "CNAME to portico.carrier.example");
        let f = checker.check("allowed.acme.test").await;
        assert!(f.ok, "the parent's CAA names our CA: {f:?}");
        let f = checker.check("a.acme.test").await;
        assert!(!f.ok);
        assert!(
            f.found
                .starts_with("A record 203.0.113.7 instead of a CNAME"),
            "{f:?}"
        );
        assert!(f.found.contains("portico.carrier.example"), "{f:?}");
        let f = checker.check("other.acme.test").await;
        assert!(f.found.starts_with("CNAME to other.example"), "{f:?}");
        let f = checker.check("gone.acme.test").await;
        assert!(f.found.starts_with("NXDOMAIN"), "{f:?}");
        let f = checker.check("strict.acme.test").await;
        assert!(!f.ok);
        assert!(f.found.starts_with("CAA forbids the CA"), "{f:?}");
        assert!(f.found.contains("digicert.com"), "{f:?}");
        let f = checker.check("empty.acme.test").await;
        assert!(f.found.starts_with("no CNAME record"), "{f:?}");
    }

    #[test]
    fn caa_allows_our_ca_and_names_the_others() {
        let ours = vec!["letsencrypt.org".to_string()];
        assert_eq!(caa_verdict("example.com", &[], &ours), None);
        assert_eq!(
            caa_verdict("example.com", &[Some("letsencrypt.org".into())], &ours),
            None
        );
        let no = caa_verdict("example.com", &[Some("digicert.com".into())], &ours).unwrap();
        assert!(no.starts_with("CAA forbids the CA"), "{no}");
        assert!(no.contains("digicert.com"), "{no}");
        let none = caa_verdict("example.com", &[None], &ours).unwrap();
        assert!(none.contains("no CA may issue"), "{none}");
    }
}
