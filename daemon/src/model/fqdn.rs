//! A portal's DNS name: the key of a domain and the name its certificate is issued for.

use std::net::IpAddr;

use portico_protocol::AdminError;

use super::text::shown;

const FIELD: &str = "fqdn";
/// Longest DNS label, in octets (RFC 1035).
const MAX_LABEL: usize = 63;
/// Longest DNS name without the trailing dot, in octets (RFC 1035).
const MAX_NAME: usize = 253;
const EXAMPLE: &str = "such as portal.example.com";

/// Checks a portal's name and returns it as stored: lower-case ASCII, internationalised labels
/// in punycode (UTS-46), no trailing dot. `Portal.Bücher.Example.` → `portal.xn--bcher-kva.example`.
///
/// Refused: empty names, IP addresses, wildcards, URLs and `host:port`, single labels, labels
/// longer than 63 octets or names longer than 253, labels that start or end with `-`, characters
/// other than letters, digits and `-`, and an all-numeric top-level label.
pub fn normalize_fqdn(input: &str) -> Result<String, AdminError> {
    let trimmed = input.trim();
    let name = trimmed.strip_suffix('.').unwrap_or(trimmed);
    if name.is_empty() {
        return Err(invalid(format!(
            "is empty; give the portal's DNS name, {EXAMPLE}"
        )));
    }
    refuse_ip(trimmed, name)?;
    if name.contains('*') {
        return Err(invalid(format!(
            "{} is a wildcard; a portal needs one exact name, {EXAMPLE} (add each portal on its own)",
            shown(trimmed)
        )));
    }
    if let Some(rest) = name.split_once("://").map(|(_, rest)| rest) {
        let host = rest.split(['/', ':']).next().unwrap_or(rest);
        return Err(invalid(format!(
            "{} is a URL; give only the name, e.g. {}",
            shown(trimmed),
            shown(&host.to_lowercase())
        )));
    }
    if let Some((host, port)) = name.rsplit_once(':')
        && !port.is_empty()
        && port.bytes().all(|b| b.is_ascii_digit())
    {
        refuse_ip(trimmed, host)?;
        return Err(invalid(format!(
            "{} has a port; give only the name, e.g. {}",
            shown(trimmed),
            shown(host)
        )));
    }
    if name.contains('/') {
        return Err(invalid(format!(
            "{} has a path; give only the name, {EXAMPLE}",
            shown(trimmed)
        )));
    }

    let ascii = idna::domain_to_ascii(name).map_err(|_| {
        invalid(format!(
            "{} is not a valid internationalised name (IDNA/UTS-46 refuses it); check it for \
             symbols or mixed scripts, {EXAMPLE}",
            shown(trimmed)
        ))
    })?;
    // Full-width digits and dots map to an IP address only after conversion.
    refuse_ip(trimmed, &ascii)?;
    check_labels(trimmed, &ascii)?;
    Ok(ascii)
}

fn invalid(reason: String) -> AdminError {
    AdminError::invalid(FIELD, reason)
}

fn refuse_ip(original: &str, name: &str) -> Result<(), AdminError> {
    let unbracketed = name
        .strip_prefix('[')
        .and_then(|n| n.strip_suffix(']'))
        .unwrap_or(name);
    if unbracketed.parse::<IpAddr>().is_ok() {
        return Err(invalid(format!(
            "{} is an IP address; a portal needs a DNS name {EXAMPLE}",
            shown(original)
        )));
    }
    Ok(())
}

fn check_labels(original: &str, ascii: &str) -> Result<(), AdminError> {
    let labels: Vec<&str> = ascii.split('.').collect();
    if labels.iter().any(|l| l.is_empty()) {
        return Err(invalid(format!(
            "{} has an empty label (two dots in a row, or a dot at the start); remove the extra dot",
            shown(original)
        )));
    }
    if labels.len() < 2 {
        return Err(invalid(format!(
            "{} is a single label; a portal needs a full DNS name {EXAMPLE}",
            shown(original)
        )));
    }
    for label in &labels {
        if label.len() > MAX_LABEL {
            return Err(invalid(format!(
                "the label {} is {} characters long (after IDNA conversion); a label may have at \
                 most {MAX_LABEL}, so shorten it",
                shown(label),
                label.len()
            )));
        }
        if let Some(c) = label
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
        {
            return Err(invalid(format!(
                "{} contains {}; a DNS name has only letters, digits, hyphens and dots, {EXAMPLE}",
                shown(original),
                shown(&c.to_string())
            )));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(invalid(format!(
                "the label {} starts or ends with a hyphen; a hyphen may only be inside a label",
                shown(label)
            )));
        }
    }
    if ascii.len() > MAX_NAME {
        return Err(invalid(format!(
            "{} is {} characters long (after IDNA conversion); a DNS name may have at most \
             {MAX_NAME}, so use a shorter name",
            shown(original),
            ascii.len()
        )));
    }
    if let Some(tld) = labels.last()
        && tld.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(invalid(format!(
            "{} ends in the all-numeric label {}; no top-level domain is all digits, {EXAMPLE}",
            shown(original),
            shown(tld)
        )));
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn reason(input: &str) -> String {
        match normalize_fqdn(input) {
            Err(AdminError::Invalid { field, reason }) => {
                assert_eq!(field, "fqdn");
                reason
            }
            other => panic!("{input:?}: expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn normalises_case_trailing_dot_and_idn() {
        assert_eq!(
            normalize_fqdn("Portal.Bücher.Example.").unwrap(),
            "portal.xn--bcher-kva.example"
        );
        assert_eq!(
            normalize_fqdn("  PORTAL.Example.COM  ").unwrap(),
            "portal.example.com"
        );
        assert_eq!(
            normalize_fqdn("portal.localhost").unwrap(),
            "portal.localhost"
        );
        assert_eq!(
            normalize_fqdn("my-portal.acme-voice.co.uk").unwrap(),
            "my-portal.acme-voice.co.uk"
        );
        assert_eq!(
            normalize_fqdn("portal.xn--bcher-kva.example").unwrap(),
            "portal.xn--bcher-kva.example"
        );
        assert_eq!(normalize_fqdn("1.example.com").unwrap(), "1.example.com");
        assert_eq!(
            normalize_fqdn("portal.example.xn--p1ai").unwrap(),
            "portal.example.xn--p1ai"
        );
    }

    #[test]
    fn refuses_empty() {
        assert!(reason("").contains("is empty"));
        assert!(reason("   ").contains("is empty"));
        assert!(reason(".").contains("is empty"));
    }

    #[test]
    fn refuses_ip_literals() {
        let text = reason("1.2.3.4");
        assert_eq!(
            text,
            "\"1.2.3.4\" is an IP address; a portal needs a DNS name such as portal.example.com"
        );
        assert!(reason("::1").contains("IP address"));
        assert!(reason("2001:db8::1").contains("IP address"));
        assert!(reason("[2001:db8::1]").contains("IP address"));
        assert!(reason("1.2.3.4.").contains("IP address"));
        // Full-width digits become an IPv4 address under UTS-46.
        assert!(reason("１．２．３．４").contains("IP address"));
    }

    #[test]
    fn refuses_wildcards() {
        let text = reason("*.example.com");
        assert!(text.contains("wildcard"), "{text}");
        assert!(reason("portal*.example.com").contains("wildcard"));
    }

    #[test]
    fn refuses_urls_ports_and_paths_with_the_name_to_use() {
        let text = reason("https://portal.example.com/login");
        assert!(text.contains("is a URL"), "{text}");
        assert!(text.contains("\"portal.example.com\""), "{text}");
        let text = reason("portal.example.com:8443");
        assert!(text.contains("has a port"), "{text}");
        assert!(text.contains("\"portal.example.com\""), "{text}");
        assert!(reason("portal.example.com/x").contains("has a path"));
        assert!(reason("[::1]:8443").contains("IP address"));
        assert!(reason("127.0.0.1:8443").contains("IP address"));
    }

    #[test]
    fn refuses_single_labels() {
        let text = reason("localhost");
        assert!(text.contains("single label"), "{text}");
        assert!(reason("Portal.").contains("single label"));
    }

    #[test]
    fn refuses_empty_labels() {
        assert!(reason("portal..example.com").contains("empty label"));
        assert!(reason(".portal.example.com").contains("empty label"));
        assert!(reason("portal.example.com..").contains("empty label"));
    }

    #[test]
    fn enforces_label_and_name_lengths() {
        let ok_label = "a".repeat(63);
        assert!(normalize_fqdn(&format!("{ok_label}.example.com")).is_ok());
        let text = reason(&format!("{}.example.com", "a".repeat(64)));
        assert!(text.contains("64 characters"), "{text}");
        assert!(text.contains("at most 63"), "{text}");

        // 4 labels of 63 + 3 dots = 255 > 253; 3 of 63 + "abcd" + 4 dots... build exact sizes.
        let l = "a".repeat(63);
        let exactly_253 = format!("{l}.{l}.{l}.{}", "b".repeat(61));
        assert_eq!(exactly_253.len(), 253);
        assert!(normalize_fqdn(&exactly_253).is_ok());
        let too_long = format!("{l}.{l}.{l}.{}", "b".repeat(62));
        let text = reason(&too_long);
        assert!(text.contains("254 characters"), "{text}");
        assert!(text.contains("at most 253"), "{text}");
    }

    #[test]
    fn a_long_unicode_label_is_measured_after_conversion() {
        // 60 letters with an umlaut each become more than 63 octets in punycode.
        let label = "ü".repeat(60);
        let text = reason(&format!("{label}.example.com"));
        assert!(text.contains("after IDNA conversion"), "{text}");
    }

    #[test]
    fn refuses_hyphens_at_label_edges() {
        let text = reason("-portal.example.com");
        assert!(text.contains("hyphen"), "{text}");
        assert!(reason("portal-.example.com").contains("hyphen"));
        assert!(reason("portal.example.com-").contains("hyphen"));
    }

    #[test]
    fn refuses_characters_outside_ldh() {
        let text = reason("portal_1.example.com");
        assert!(text.contains("\"_\""), "{text}");
        assert!(text.contains("letters, digits, hyphens"), "{text}");
        let text = reason("por tal.example.com");
        assert!(text.contains("\" \""), "{text}");
        assert!(reason("portal!.example.com").contains("\"!\""));
    }

    #[test]
    fn refuses_what_idna_refuses() {
        let text = reason("portal.xn--a.example");
        assert!(text.contains("IDNA"), "{text}");
        assert!(reason("a\u{0}b.example.com").contains("example.com"));
    }

    #[test]
    fn refuses_all_numeric_tld() {
        let text = reason("portal.example.123");
        assert!(text.contains("all-numeric"), "{text}");
        assert!(reason("0x7f.1").contains("all-numeric"));
    }
}
