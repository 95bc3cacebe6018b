//! A portal login's e-mail address and the networks it may log in from.

use std::net::IpAddr;

use email_address::{EmailAddress, Options};
use ipnet::IpNet;
use portico_protocol::AdminError;

use super::text::shown;

/// Longest e-mail address (RFC 5321 path limit).
const MAX_EMAIL: usize = 254;

/// Checks an e-mail address and returns it trimmed and lower-cased, with an internationalised
/// domain in punycode (`Ann@Bücher.de` → `ann@xn--bcher-kva.de`) so that one mailbox has one
/// spelling: a plain address (no display name, no `[IP]` domain) whose domain has a dot.
pub fn normalize_email(field: &str, s: &str) -> Result<String, AdminError> {
    let trimmed = s.trim();
    let invalid = |what: &str| {
        AdminError::invalid(
            field,
            format!(
                "{} {what}; give an address such as name@example.com",
                shown(trimmed)
            ),
        )
    };
    if trimmed.is_empty() {
        return Err(AdminError::invalid(
            field,
            "is empty; give an address such as name@example.com",
        ));
    }
    if trimmed.contains('<') || trimmed.contains('>') {
        return Err(invalid("has a display name or angle brackets"));
    }
    let Some((local, domain)) = trimmed.rsplit_once('@') else {
        return Err(invalid("has no @"));
    };
    if domain.starts_with('[') {
        return Err(invalid("has an IP address as its domain"));
    }
    if !domain.contains('.') {
        return Err(invalid("has a domain without a dot"));
    }
    let domain = idna::domain_to_ascii(domain).map_err(|_| invalid("has an invalid domain"))?;
    let email = format!("{}@{domain}", local.to_lowercase());
    if email.chars().count() > MAX_EMAIL {
        return Err(AdminError::invalid(
            field,
            format!("is longer than {MAX_EMAIL} characters; give a shorter address"),
        ));
    }
    let options = Options::default()
        .with_required_tld()
        .without_domain_literal()
        .without_display_text();
    if EmailAddress::parse_with_options(&email, options).is_err() {
        return Err(invalid("is not a valid e-mail address"));
    }
    Ok(email)
}

/// Checks a contact's IP allow-list and returns it normalised: each entry an IPv4 or IPv6
/// network in CIDR form (a bare address becomes `/32` or `/128`), duplicates dropped, order
/// kept. A network written with host bits set (`10.0.0.1/8`) is refused with its network form.
pub fn normalize_ip_allow(list: &[String]) -> Result<Vec<String>, AdminError> {
    let mut out: Vec<String> = Vec::with_capacity(list.len());
    for entry in list {
        let net = parse_net(entry)?.to_string();
        if !out.contains(&net) {
            out.push(net);
        }
    }
    Ok(out)
}

fn parse_net(entry: &str) -> Result<IpNet, AdminError> {
    let invalid = |reason: String| AdminError::invalid("ip_allow", reason);
    let text = entry.trim();
    if text.is_empty() {
        return Err(invalid(
            "has an empty entry; remove it, or give an address such as 203.0.113.7".to_string(),
        ));
    }
    if !text.contains('/') {
        return text.parse::<IpAddr>().map(IpNet::from).map_err(|_| {
            invalid(format!(
                "{} is not an IP address or network; write it like 203.0.113.7, 203.0.113.0/24 \
                 or 2001:db8::/32",
                shown(text)
            ))
        });
    }
    let net: IpNet = text.parse().map_err(|_| {
        let (addr, len) = text.split_once('/').unwrap_or((text, ""));
        let reason = match addr.parse::<IpAddr>() {
            Ok(ip) => {
                let max = if ip.is_ipv4() { 32 } else { 128 };
                format!(
                    "{} has the prefix length {}; it must be a number from 0 to {max}",
                    shown(text),
                    shown(len)
                )
            }
            Err(_) => format!(
                "{} is not an IP network; write it like 203.0.113.0/24 or 2001:db8::/32",
                shown(text)
            ),
        };
        invalid(reason)
    })?;
    if net.trunc() != net {
        return Err(invalid(format!(
            "{} has host bits set; write the network as {} (or the single address as {})",
            shown(text),
            net.trunc(),
            IpNet::from(net.addr())
        )));
    }
    Ok(net)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn reason(err: AdminError) -> (String, String) {
        match err {
            AdminError::Invalid { field, reason } => (field, reason),
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(
            normalize_email("email", "  Demo@Portal.LOCALHOST ").unwrap(),
            "demo@portal.localhost"
        );
        assert_eq!(
            normalize_email("email", "first.last+tag@mail.example.co.uk").unwrap(),
            "first.last+tag@mail.example.co.uk"
        );
        assert_eq!(
            normalize_email("email", "Ann@Bücher.DE").unwrap(),
            "ann@xn--bcher-kva.de"
        );
        assert_eq!(
            normalize_email("email", "ann@xn--bcher-kva.de").unwrap(),
            "ann@xn--bcher-kva.de"
        );
    }

    #[test]
    fn refuses_bad_emails_naming_the_field() {
        let (field, text) = reason(normalize_email("email", "").unwrap_err());
        assert_eq!(field, "email");
        assert!(text.contains("empty"), "{text}");

        let (_, text) = reason(normalize_email("email", "nobody").unwrap_err());
        assert!(text.contains("no @"), "{text}");
        assert!(text.contains("name@example.com"), "{text}");

        let (field, text) = reason(normalize_email("smtp_from", "root@localhost").unwrap_err());
        assert_eq!(field, "smtp_from");
        assert!(text.contains("without a dot"), "{text}");

        let (_, text) = reason(normalize_email("email", "a@[192.0.2.1]").unwrap_err());
        assert!(text.contains("IP address"), "{text}");

        let (_, text) = reason(normalize_email("email", "Ann <ann@example.com>").unwrap_err());
        assert!(text.contains("display name"), "{text}");

        for bad in [
            "@example.com",
            "a@b@example.com",
            "a b@example.com",
            "a@example..com",
            "a@-example.com",
            "a@example.com.",
        ] {
            assert!(normalize_email("email", bad).is_err(), "{bad}");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(normalize_email("email", &long).is_err());
    }

    #[test]
    fn ip_allow_normalises_addresses_and_networks() {
        let list = strings(&[
            "203.0.113.7",
            " 10.0.0.0/8 ",
            "2001:DB8::1",
            "2001:db8::/32",
        ]);
        assert_eq!(
            normalize_ip_allow(&list).unwrap(),
            strings(&[
                "203.0.113.7/32",
                "10.0.0.0/8",
                "2001:db8::1/128",
                "2001:db8::/32"
            ])
        );
        assert_eq!(normalize_ip_allow(&[]).unwrap(), Vec::<String>::new());
        assert_eq!(
            normalize_ip_allow(&strings(&["0.0.0.0/0", "::/0"])).unwrap(),
            strings(&["0.0.0.0/0", "::/0"])
        );
    }

    #[test]
    fn ip_allow_drops_duplicates_keeping_order() {
        let list = strings(&["10.0.0.0/8", "192.0.2.1", "10.0.0.0/8", "192.0.2.1/32"]);
        assert_eq!(
            normalize_ip_allow(&list).unwrap(),
            strings(&["10.0.0.0/8", "192.0.2.1/32"])
        );
    }

    #[test]
    fn ip_allow_refuses_host_bits_with_the_network_form() {
        let (field, text) = reason(normalize_ip_allow(&strings(&["10.1.2.3/8"])).unwrap_err());
        assert_eq!(field, "ip_allow");
        assert!(text.contains("host bits"), "{text}");
        assert!(text.contains("10.0.0.0/8"), "{text}");
        assert!(text.contains("10.1.2.3/32"), "{text}");
        let (_, text) = reason(normalize_ip_allow(&strings(&["2001:db8::1/32"])).unwrap_err());
        assert!(text.contains("2001:db8::/32"), "{text}");
    }

    #[test]
    fn ip_allow_refuses_what_is_not_an_address() {
        let (_, text) = reason(normalize_ip_allow(&strings(&["example.com"])).unwrap_err());
        assert!(
            text.contains("\"example.com\" is not an IP address"),
            "{text}"
        );
        let (_, text) = reason(normalize_ip_allow(&strings(&["10.0.0.0/33"])).unwrap_err());
        assert!(text.contains("0 to 32"), "{text}");
        let (_, text) = reason(normalize_ip_allow(&strings(&["::/129"])).unwrap_err());
        assert!(text.contains("0 to 128"), "{text}");
        let (_, text) = reason(normalize_ip_allow(&strings(&["10.0.0/8"])).unwrap_err());
        assert!(text.contains("not an IP network"), "{text}");
        let (_, text) = reason(normalize_ip_allow(&strings(&["10.0.0.1", ""])).unwrap_err());
        assert!(text.contains("empty entry"), "{text}");
        assert!(normalize_ip_allow(&strings(&["256.1.1.1"])).is_err());
        assert!(normalize_ip_allow(&strings(&["[::1]"])).is_err());
    }
}
