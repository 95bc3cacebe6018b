//! Set-up shared by the portal's browser tests: logging in through the real form, and reading
//! the CLI's answers.

use crate::browser::Browser;

/// The log-in form: the one with a password field.
pub const LOGIN_FORM: &str = "form:has(input[type=password])";

/// Fills the log-in form on the current page with `email` and `password` and submits it.
pub fn log_in(b: &Browser, email: &str, password: &str) {
    b.wait_for(LOGIN_FORM);
    b.fill_form(LOGIN_FORM, &[("email", email), ("password", password)]);
    b.submit(LOGIN_FORM);
}

/// The id in `portico --json customer add`'s answer.
///
/// # Panics
/// When the answer has no id.
pub fn customer_id(answer: &serde_json::Value) -> String {
    let id = answer
        .get("id")
        .or_else(|| answer.get("customer").and_then(|c| c.get("id")))
        .unwrap_or_else(|| panic!("no customer id in {answer}"));
    match id {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The `portico domain add|set` flags that send a domain's mail through a plain SMTP server on
/// 127.0.0.1:`port` (e.g. [`crate::smtp::SmtpServer`]), from `from`.
pub fn smtp_flags(port: u16, from: &str) -> Vec<String> {
    [
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        &port.to_string(),
        "--smtp-security",
        "none",
        "--smtp-from",
        from,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// An Asterisk Master.csv line for `account` (the n-th call: source 2025550nnn, destination
/// 44207946nnnn), `minutes_ago` minutes before now (UTC).
pub fn asterisk_line(account: &str, n: u32, minutes_ago: i64, answered: bool) -> String {
    let start = time::OffsetDateTime::now_utc().unix_timestamp() - minutes_ago * 60;
    let t = |s: i64| {
        let at = time::OffsetDateTime::from_unix_timestamp(s)
            .unwrap_or_else(|e| panic!("no call time for {s}: {e}"));
        at.format(time::macros::format_description!(
            "[year]-[month]-[day] [hour]:[minute]:[second]"
        ))
        .unwrap_or_else(|e| panic!("cannot format {at}: {e}"))
    };
    let billsec = if answered { 60 + i64::from(n) * 7 } else { 0 };
    let answer = if answered {
        format!("\"{}\"", t(start + 3))
    } else {
        String::new()
    };
    format!(
        "\"{account}\",\"2025550{n:03}\",\"44207946{n:04}\",\"from-internal\",\"\",\"SIP/a-{n}\",\
         \"SIP/b-{n}\",\"Dial\",\"SIP/trunk\",\"{}\",{answer},\"{}\",{},{billsec},\"{}\",\
         \"DOCUMENTATION\",\"{}.{n}\"\n",
        t(start),
        t(start + 3 + billsec),
        3 + billsec,
        if answered { "ANSWERED" } else { "NO ANSWER" },
        start,
    )
}
