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
