//! `/profile` (name, phone, time zone) and `/password` (change it, ending the contact's other
//! sessions). Both are always there, whatever the sections.

use std::sync::LazyLock;

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use portico_protocol::AdminError;
use serde::Deserialize;

use super::pages::{Chrome, html, internal_error};
use super::session::Account;
use super::store_calls::{audited_write, contact_target};
use super::tenant::{Portal, blocking};
use super::throttle::AttemptKeys;
use crate::model::{password, text};
use crate::store::StoreError;

/// Longest phone number, in characters.
const MAX_PHONE: usize = 40;

/// The IANA time zone names of jiff's database (the one times are shown with), sorted.
static ZONES: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut zones: Vec<String> = jiff::tz::db()
        .available()
        .map(|name| name.as_str().to_owned())
        .filter(|name| name.contains('/') || name == "UTC")
        .filter(|name| !name.starts_with("Etc/") && !name.starts_with("posix"))
        .collect();
    zones.sort();
    zones.dedup();
    zones
});

/// One choice of the time zone list.
#[derive(Debug)]
pub struct ZoneOption {
    pub name: &'static str,
    pub selected: bool,
}

/// The profile form's values and what was wrong with them.
#[derive(Debug, Default)]
pub struct ProfileForm {
    pub name: String,
    pub phone: String,
    pub time_zone: String,
    pub name_error: Option<String>,
    pub phone_error: Option<String>,
    pub zone_error: Option<String>,
}

/// The profile page.
#[derive(Template)]
#[template(path = "portal/profile.html")]
pub struct ProfilePage {
    pub chrome: Chrome,
    pub email: String,
    pub form: ProfileForm,
    pub zones: Vec<ZoneOption>,
    pub csrf: String,
    pub saved: bool,
}

/// `?saved=1` after a change.
#[derive(Debug, Deserialize)]
pub struct Saved {
    #[serde(default)]
    pub(super) saved: Option<String>,
}

/// The posted profile.
#[derive(Debug, Deserialize)]
pub struct ProfilePost {
    #[serde(default)]
    pub(super) name: String,
    #[serde(default)]
    pub(super) phone: String,
    #[serde(default)]
    pub(super) time_zone: String,
    #[serde(default)]
    pub(super) csrf: String,
}

fn profile_page(account: &Account, form: ProfileForm, saved: bool) -> (ProfilePage, String) {
    let chosen = if form.time_zone.is_empty() {
        "UTC"
    } else {
        form.time_zone.as_str()
    };
    let zones = ZONES
        .iter()
        .map(|z| ZoneOption {
            name: z.as_str(),
            selected: z == chosen,
        })
        .collect();
    let (chrome, csp) = Chrome::for_account(account, "/profile");
    let page = ProfilePage {
        chrome,
        email: account.login.contact.email.clone(),
        form,
        zones,
        csrf: account.login.session.csrf.clone(),
        saved,
    };
    (page, csp)
}

/// `GET /profile`.
pub async fn show(account: Account, Query(saved): Query<Saved>) -> Response {
    let form = ProfileForm {
        name: account.login.contact.name.clone(),
        phone: account.login.contact.phone.clone(),
        time_zone: account.login.contact.time_zone.clone(),
        ..ProfileForm::default()
    };
    let (page, csp) = profile_page(&account, form, saved.saved.is_some());
    html(StatusCode::OK, &csp, &page)
}

fn reason(label: &str, err: AdminError) -> String {
    match err {
        AdminError::Invalid { reason, .. } => format!("{label} {reason}"),
        other => format!("{label}: {other}"),
    }
}

/// Checks a phone number: digits and the signs people write them with.
pub(super) fn check_phone(phone: &str) -> Result<String, String> {
    let phone =
        text::check_text("phone", phone, MAX_PHONE, false).map_err(|e| reason("Phone", e))?;
    if phone
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c))
    {
        Ok(phone)
    } else {
        Err("Phone may hold digits, spaces and + - ( ) . only, e.g. +44 20 7946 0000.".to_owned())
    }
}

/// Checks a time zone name: one of the IANA names the portal knows ("UTC" is stored as empty).
pub(super) fn check_zone(zone: &str) -> Result<String, String> {
    let zone = zone.trim();
    if zone.is_empty() || zone == "UTC" {
        return Ok(String::new());
    }
    if ZONES.iter().any(|z| z == zone) {
        Ok(zone.to_owned())
    } else {
        Err(format!(
            "Time zone {} is not one the portal knows; pick one from the list, e.g. \
             Europe/London.",
            text::shown(zone)
        ))
    }
}

/// `POST /profile`.
pub async fn save(
    State(portal): State<Portal>,
    account: Account,
    headers: HeaderMap,
    Form(post): Form<ProfilePost>,
) -> Response {
    if let Err(response) = account.check_form(&headers, &post.csrf) {
        return response;
    }
    let name = text::check_required("name", &post.name, 200).map_err(|e| reason("Name", e));
    let phone = check_phone(&post.phone);
    let zone = check_zone(&post.time_zone);
    let (name, phone, zone) = match (name, phone, zone) {
        (Ok(n), Ok(p), Ok(z)) => (n, p, z),
        (name, phone, zone) => {
            let form = ProfileForm {
                name: post.name,
                phone: post.phone,
                time_zone: post.time_zone,
                name_error: name.err(),
                phone_error: phone.err(),
                zone_error: zone.err(),
            };
            let (page, csp) = profile_page(&account, form, false);
            return html(StatusCode::UNPROCESSABLE_ENTITY, &csp, &page);
        }
    };
    let store = portal.store.clone();
    let contact_id = account.login.contact.id;
    let target = contact_target(&account.login.contact);
    let detail = serde_json::json!({ "name": name, "phone": phone, "time_zone": zone });
    let written = blocking(move || {
        Ok(audited_write(
            &store,
            "portal_profile_set",
            detail,
            |tx, _| {
                let Some(mut record) = tx.contact(contact_id)? else {
                    return Err(StoreError::Corrupt(format!(
                        "contact #{contact_id} vanished"
                    )));
                };
                record.contact.name = name;
                record.contact.phone = phone;
                record.contact.time_zone = zone;
                tx.put_contact(&record)?;
                Ok(((), target))
            },
        )?)
    })
    .await;
    match written {
        Ok(()) => Redirect::to("/profile?saved=1").into_response(),
        Err(err) => {
            tracing::error!(error = %err, "portal: saving the profile failed");
            internal_error()
        }
    }
}

// ---- password ---------------------------------------------------------------------------------

/// The password page.
#[derive(Template)]
#[template(path = "portal/password.html")]
pub struct PasswordPage {
    pub chrome: Chrome,
    pub csrf: String,
    /// The login, for password managers.
    pub email: String,
    pub current_error: Option<String>,
    pub new_error: Option<String>,
    pub confirm_error: Option<String>,
    /// How many other sessions were ended by the change just made.
    pub changed: Option<usize>,
    pub min_chars: usize,
}

/// The posted password change.
#[derive(Deserialize)]
pub struct PasswordPost {
    #[serde(default)]
    pub(super) current: String,
    #[serde(default)]
    pub(super) new: String,
    #[serde(default)]
    pub(super) confirm: String,
    #[serde(default)]
    pub(super) csrf: String,
}

fn password_page(account: &Account) -> (PasswordPage, String) {
    let (chrome, csp) = Chrome::for_account(account, "/password");
    let page = PasswordPage {
        chrome,
        csrf: account.login.session.csrf.clone(),
        email: account.login.contact.email.clone(),
        current_error: None,
        new_error: None,
        confirm_error: None,
        changed: None,
        min_chars: password::MIN_CHARS,
    };
    (page, csp)
}

/// `GET /password`.
pub async fn password_form(account: Account) -> Response {
    let (page, csp) = password_page(&account);
    html(StatusCode::OK, &csp, &page)
}

enum Change {
    Done(usize),
    WrongCurrent,
}

/// `POST /password`: checks the current password (throttled like logins), applies the policy,
/// stores the new hash and ends every other session of the contact.
pub async fn change_password(
    State(portal): State<Portal>,
    account: Account,
    headers: HeaderMap,
    Form(post): Form<PasswordPost>,
) -> Response {
    if let Err(response) = account.check_form(&headers, &post.csrf) {
        return response;
    }
    let (mut page, csp) = password_page(&account);
    let keys = AttemptKeys::new(
        &account.site.domain.fqdn,
        &account.login.contact.email,
        account.client,
    );
    let wait = portal.throttle.wait(&keys);
    if !wait.is_zero() {
        page.current_error = Some(format!(
            "Too many wrong passwords. Wait {} seconds, then try again.",
            wait.as_secs().max(1)
        ));
        return html(StatusCode::TOO_MANY_REQUESTS, &csp, &page);
    }
    if let Err(e) = password::check_policy(&post.new) {
        page.new_error = Some(reason("The new password", e));
    } else if post.new != post.confirm {
        page.confirm_error =
            Some("The two new passwords differ; type the same password twice.".to_owned());
    }
    if post.current.is_empty() {
        page.current_error = Some("Type your current password.".to_owned());
    }
    if page.new_error.is_some() || page.confirm_error.is_some() || page.current_error.is_some() {
        return html(StatusCode::UNPROCESSABLE_ENTITY, &csp, &page);
    }
    let store = portal.store.clone();
    let contact_id = account.login.contact.id;
    let keep = account.session_key;
    let target = contact_target(&account.login.contact);
    let outcome = blocking(move || {
        let Some(record) = store.read(|tx| tx.contact(contact_id))? else {
            return Err(format!("contact #{contact_id} vanished").into());
        };
        if !password::verify(&record.password_hash, &post.current) {
            return Ok(Change::WrongCurrent);
        }
        let hash = password::hash(&post.new)?;
        let ended = audited_write(
            &store,
            "portal_password_change",
            serde_json::json!({}),
            |tx, _| {
                let Some(mut record) = tx.contact(contact_id)? else {
                    return Err(StoreError::Corrupt(format!(
                        "contact #{contact_id} vanished"
                    )));
                };
                record.password_hash = hash;
                tx.put_contact(&record)?;
                let ended = tx.remove_sessions_of(contact_id, Some(&keep))?;
                Ok((ended, target))
            },
        )?;
        Ok(Change::Done(ended))
    })
    .await;
    match outcome {
        Ok(Change::Done(ended)) => {
            portal.throttle.succeeded(&keys);
            page.changed = Some(ended);
            html(StatusCode::OK, &csp, &page)
        }
        Ok(Change::WrongCurrent) => {
            portal.throttle.failed(&keys);
            page.current_error =
                Some("That is not your current password; type it again.".to_owned());
            html(StatusCode::UNPROCESSABLE_ENTITY, &csp, &page)
        }
        Err(err) => {
            tracing::error!(error = %err, "portal: changing a password failed");
            internal_error()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_are_iana_names_and_utc_is_stored_empty() {
        assert!(ZONES.iter().any(|z| z == "Europe/London"));
        assert!(ZONES.iter().any(|z| z == "America/New_York"));
        assert_eq!(check_zone("UTC"), Ok(String::new()));
        assert_eq!(check_zone(" Asia/Tokyo "), Ok("Asia/Tokyo".to_owned()));
        assert!(check_zone("Mars/Olympus").is_err());
        assert!(check_zone("<script>").is_err());
    }

    #[test]
    fn phones_hold_digits_and_the_usual_signs() {
        assert_eq!(
            check_phone(" +44 (20) 7946-0000 "),
            Ok("+44 (20) 7946-0000".to_owned())
        );
        assert_eq!(check_phone(""), Ok(String::new()));
        assert!(check_phone("call me").is_err());
        assert!(check_phone(&"1".repeat(MAX_PHONE + 1)).is_err());
    }
}
