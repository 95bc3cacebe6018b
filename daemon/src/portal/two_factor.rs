//! `/two-factor`: turning TOTP two-factor login on (a secret kept server-side while enrolling,
//! shown as a QR code and as text, confirmed with a first code, then ten recovery codes shown
//! once and stored as SHA-256 hashes) and off (with a current code or a recovery code). Also
//! the code checks the second login step uses.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine as _;
use rand::{Rng, RngCore};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Secret, TOTP};

use super::pages::{Chrome, html, internal_error};
use super::session::{Account, same_secret};
use super::store_calls::{audited_write, contact_target, read};
use super::tenant::{Portal, blocking};
use super::throttle::AttemptKeys;
use crate::store::{ContactRecord, StoreError, Tx};

/// Digits of a code.
const DIGITS: usize = 6;
/// Seconds a code lasts.
const STEP: u64 = 30;
/// Recovery codes handed out at enrolment.
pub const RECOVERY_CODES: usize = 10;
/// Characters of recovery codes: lower-case letters and digits without look-alikes.
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// A new random 160-bit secret (RFC 4226's recommended size for SHA-1), base32 without padding.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    match Secret::Raw(bytes.to_vec()).to_encoded() {
        Secret::Encoded(text) => text,
        Secret::Raw(_) => String::new(),
    }
}

/// The TOTP of `secret` (base32) for `account` at `issuer`: SHA-1, 6 digits, 30 s, one step of
/// clock drift either way.
pub fn totp(secret: &str, issuer: &str, account: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret.to_owned()).to_bytes().ok()?;
    // The otpauth label separates issuer and account with ':'.
    let clean = |s: &str| s.replace(':', " ").trim().to_owned();
    TOTP::new(
        Algorithm::SHA1,
        DIGITS,
        1,
        STEP,
        bytes,
        Some(clean(issuer)),
        clean(account),
    )
    .ok()
}

/// The time step a TOTP `code` is for: now's step or one either side, and later than `last`
/// (the step last used), so that a code is never accepted twice.
pub fn matching_step(totp: &TOTP, code: &str, now: i64, last: Option<u64>) -> Option<u64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let current = u64::try_from(now).ok()? / STEP;
    [current.saturating_sub(1), current, current + 1]
        .into_iter()
        .filter(|step| last.is_none_or(|l| *step > l))
        .find(|step| same_secret(&totp.generate(step * STEP), &code))
}

fn normalize_recovery(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The SHA-256 (hex) a recovery code is stored under; spaces, dashes and case do not matter.
pub fn recovery_hash(code: &str) -> String {
    hex::encode(Sha256::digest(normalize_recovery(code).as_bytes()))
}

/// Ten new recovery codes such as `k7qm-3xwt-p2ha` (about 59 bits each).
pub fn new_recovery_codes() -> Vec<String> {
    let mut rng = rand::rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let chars: Vec<char> = (0..12)
                .map(|_| {
                    char::from(RECOVERY_ALPHABET[rng.random_range(0..RECOVERY_ALPHABET.len())])
                })
                .collect();
            chars
                .chunks(4)
                .map(|c| c.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect()
}

/// Checks a code of a contact with two-factor on, in the write transaction that acts on it:
/// a TOTP code (its step is remembered) or an unused recovery code (used up). Returns whether
/// it was accepted; a refused code changes nothing.
pub fn use_code(
    tx: &mut Tx,
    record: &mut ContactRecord,
    issuer: &str,
    code: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let Some(secret) = record.totp_secret.clone() else {
        return Ok(false);
    };
    if !record.contact.two_factor {
        return Ok(false);
    }
    if let Some(totp) = totp(&secret, issuer, &record.contact.email) {
        let last = tx.totp_last_step(record.contact.id)?;
        if let Some(step) = matching_step(&totp, code, now, last) {
            tx.set_totp_last_step(record.contact.id, step)?;
            return Ok(true);
        }
    }
    let normalized = normalize_recovery(code);
    if normalized.len() != 12 {
        return Ok(false);
    }
    let hash = recovery_hash(&normalized);
    let Some(at) = record
        .recovery_codes
        .iter()
        .position(|h| same_secret(h, &hash))
    else {
        return Ok(false);
    };
    record.recovery_codes.remove(at);
    tx.put_contact(record)?;
    Ok(true)
}

/// The keys code attempts count against: the client's address (shared with logins) and the
/// contact's codes (apart from its passwords, so that a right password does not reset them).
pub fn code_keys(fqdn: &str, email: &str, client: std::net::IpAddr) -> AttemptKeys {
    AttemptKeys::new(fqdn, &format!("{email} #two-factor"), client)
}

// ---- the page ---------------------------------------------------------------------------------

/// What the page shows.
#[derive(Debug)]
pub enum State2fa {
    /// Off: a button to start.
    Off,
    /// Enrolling: the QR code, the secret, and the form for the first code.
    Enrolling {
        qr: String,
        secret: String,
        uri: String,
    },
    /// On: the form to turn it off.
    On { recovery_left: usize },
    /// Just turned on: the recovery codes, shown this once.
    JustOn { codes: Vec<String> },
}

/// The two-factor page.
#[derive(Template)]
#[template(path = "portal/two_factor.html")]
pub struct TwoFactorPage {
    pub chrome: Chrome,
    pub state: State2fa,
    pub csrf: String,
    pub error: Option<String>,
    pub turned_off: bool,
}

/// A form with a code.
#[derive(Deserialize)]
pub struct CodePost {
    #[serde(default)]
    pub(super) code: String,
    #[serde(default)]
    pub(super) csrf: String,
}

/// A form with only its token.
#[derive(Deserialize)]
pub struct CsrfPost {
    #[serde(default)]
    pub(super) csrf: String,
}

/// The QR code of `uri` as an `<img src>` data URI (an SVG).
fn qr_data_uri(uri: &str) -> Option<String> {
    let code =
        qrcode::QrCode::with_error_correction_level(uri.as_bytes(), qrcode::EcLevel::M).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(232, 232)
        .quiet_zone(true)
        .build();
    Some(format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    ))
}

/// `ABCD EFGH ...`: the secret in groups of four, easier to type.
fn grouped(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn state_of(account: &Account, record: &ContactRecord) -> Result<State2fa, Response> {
    if record.contact.two_factor {
        return Ok(State2fa::On {
            recovery_left: record.recovery_codes.len(),
        });
    }
    let Some(secret) = &record.totp_secret else {
        return Ok(State2fa::Off);
    };
    let Some(totp) = totp(
        secret,
        &account.site.domain.brand_name,
        &record.contact.email,
    ) else {
        tracing::error!(
            contact = record.contact.id,
            "portal: a stored TOTP secret is unusable"
        );
        return Err(internal_error());
    };
    let uri = totp.get_url();
    let Some(qr) = qr_data_uri(&uri) else {
        tracing::error!("portal: the QR code could not be made");
        return Err(internal_error());
    };
    Ok(State2fa::Enrolling {
        qr,
        secret: grouped(secret),
        uri,
    })
}

fn page(
    status: StatusCode,
    account: &Account,
    state: State2fa,
    error: Option<String>,
    turned_off: bool,
) -> Response {
    let (chrome, csp) = Chrome::for_account(account, "/two-factor");
    let page = TwoFactorPage {
        chrome,
        state,
        csrf: account.login.session.csrf.clone(),
        error,
        turned_off,
    };
    html(status, &csp, &page)
}

async fn record_of(portal: &Portal, account: &Account) -> Result<ContactRecord, Response> {
    let id = account.login.contact.id;
    match read(portal, "contact", move |tx| tx.contact(id)).await? {
        Some(record) => Ok(record),
        None => Err(Redirect::to("/login").into_response()),
    }
}

/// `GET /two-factor`.
pub async fn show(State(portal): State<Portal>, account: Account) -> Response {
    let record = match record_of(&portal, &account).await {
        Ok(r) => r,
        Err(response) => return response,
    };
    match state_of(&account, &record) {
        Ok(state) => page(StatusCode::OK, &account, state, None, false),
        Err(response) => response,
    }
}

/// `POST /two-factor/start`: a new secret, kept server-side until a first code confirms it.
pub async fn start(
    State(portal): State<Portal>,
    account: Account,
    headers: HeaderMap,
    Form(post): Form<CsrfPost>,
) -> Response {
    if let Err(response) = account.check_form(&headers, &post.csrf) {
        return response;
    }
    let store = portal.store.clone();
    let id = account.login.contact.id;
    let written = blocking(move || {
        Ok(store.write(|tx| {
            let Some(mut record) = tx.contact(id)? else {
                return Ok::<_, StoreError>(());
            };
            // Never replace the secret of two-factor that is on.
            if !record.contact.two_factor {
                record.totp_secret = Some(new_secret());
                tx.put_contact(&record)?;
            }
            Ok(())
        })?)
    })
    .await;
    match written {
        Ok(()) => Redirect::to("/two-factor").into_response(),
        Err(err) => {
            tracing::error!(error = %err, "portal: starting two-factor failed");
            internal_error()
        }
    }
}

enum Confirmed {
    On(Vec<String>),
    WrongCode,
    NotEnrolling,
}

/// `POST /two-factor/confirm`: the first code turns two-factor on; the recovery codes are
/// shown once, in the answer.
pub async fn confirm(
    State(portal): State<Portal>,
    account: Account,
    headers: HeaderMap,
    Form(post): Form<CodePost>,
) -> Response {
    if let Err(response) = account.check_form(&headers, &post.csrf) {
        return response;
    }
    let outcome = change_two_factor(
        &portal,
        &account,
        "portal_two_factor_on",
        Confirmed::NotEnrolling,
        move |tx, record, issuer, now| {
            let secret = match (&record.totp_secret, record.contact.two_factor) {
                (Some(secret), false) => secret.clone(),
                _ => return Err(Refused(Confirmed::NotEnrolling)),
            };
            let Some(totp) = totp(&secret, issuer, &record.contact.email) else {
                return Err(Refused(Confirmed::NotEnrolling));
            };
            let id = record.contact.id;
            let last = tx.totp_last_step(id)?;
            let Some(step) = matching_step(&totp, &post.code, now, last) else {
                return Err(Refused(Confirmed::WrongCode));
            };
            tx.set_totp_last_step(id, step)?;
            let codes = new_recovery_codes();
            record.contact.two_factor = true;
            record.recovery_codes = codes.iter().map(|c| recovery_hash(c)).collect();
            Ok(Confirmed::On(codes))
        },
    )
    .await;
    let result = match outcome {
        Ok(Ok(confirmed) | Err(confirmed)) => confirmed,
        Err(response) => return response,
    };
    match result {
        Confirmed::On(codes) => page(
            StatusCode::OK,
            &account,
            State2fa::JustOn { codes },
            None,
            false,
        ),
        Confirmed::NotEnrolling => Redirect::to("/two-factor").into_response(),
        Confirmed::WrongCode => {
            let record = match record_of(&portal, &account).await {
                Ok(r) => r,
                Err(response) => return response,
            };
            match state_of(&account, &record) {
                Ok(state) => page(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &account,
                    state,
                    Some(
                        "That code is not right. Type the 6-digit code your app shows now \
                         (check that the phone's clock is right)."
                            .to_owned(),
                    ),
                    false,
                ),
                Err(response) => response,
            }
        }
    }
}

/// A refusal that rolls the transaction back, or a store failure.
enum Rollback<T> {
    Refused(T),
    Failed(StoreError),
}
use Rollback::{Failed, Refused};

impl<T> From<StoreError> for Rollback<T> {
    fn from(err: StoreError) -> Self {
        Failed(err)
    }
}

/// `POST /two-factor/off`: turns two-factor off with a current code or a recovery code.
pub async fn turn_off(
    State(portal): State<Portal>,
    account: Account,
    headers: HeaderMap,
    Form(post): Form<CodePost>,
) -> Response {
    if let Err(response) = account.check_form(&headers, &post.csrf) {
        return response;
    }
    let keys = code_keys(
        &account.site.domain.fqdn,
        &account.login.contact.email,
        account.client,
    );
    let wait = portal.throttle.wait(&keys);
    let record = match record_of(&portal, &account).await {
        Ok(r) => r,
        Err(response) => return response,
    };
    if !record.contact.two_factor {
        return Redirect::to("/two-factor").into_response();
    }
    let refuse = |status, message: String| {
        page(
            status,
            &account,
            State2fa::On {
                recovery_left: record.recovery_codes.len(),
            },
            Some(message),
            false,
        )
    };
    if !wait.is_zero() {
        return refuse(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "Too many wrong codes. Wait {} seconds, then try again.",
                wait.as_secs().max(1)
            ),
        );
    }
    let outcome = change_two_factor(
        &portal,
        &account,
        "portal_two_factor_off",
        (),
        move |tx, record, issuer, now| {
            if !use_code(tx, record, issuer, &post.code, now)? {
                return Err(Refused(()));
            }
            record.contact.two_factor = false;
            record.totp_secret = None;
            record.recovery_codes.clear();
            Ok(())
        },
    )
    .await;
    match outcome {
        Ok(Ok(())) => {
            portal.throttle.succeeded(&keys);
            page(StatusCode::OK, &account, State2fa::Off, None, true)
        }
        Ok(Err(())) => {
            portal.throttle.failed(&keys);
            refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                "That code is not right. Type the code your app shows now, or one of your \
                 unused recovery codes."
                    .to_owned(),
            )
        }
        Err(response) => response,
    }
}

/// Turning two-factor on or off: in one audited write (`action`, the contact as target),
/// `change` acts on the contact's record with the brand name the codes are issued under and
/// now; the record is then stored and the contact's other sessions end. A refusal
/// (`Refused`, also `missing` when the contact is gone) rolls the transaction back.
///
/// Returns `Ok(Ok(done))`, `Ok(Err(refused))`, or the neutral 500 page when the store failed.
async fn change_two_factor<T: Send + 'static>(
    portal: &Portal,
    account: &Account,
    action: &'static str,
    missing: T,
    change: impl FnOnce(&mut Tx, &mut ContactRecord, &str, i64) -> Result<T, Rollback<T>>
    + Send
    + 'static,
) -> Result<Result<T, T>, Response> {
    let store = portal.store.clone();
    let id = account.login.contact.id;
    let keep = account.session_key;
    let issuer = account.site.domain.brand_name.clone();
    let target = contact_target(&account.login.contact);
    let outcome = blocking(move || {
        Ok(audited_write(
            &store,
            action,
            serde_json::json!({}),
            |tx, now| {
                let Some(mut record) = tx.contact(id)? else {
                    return Err(Refused(missing));
                };
                let done = change(tx, &mut record, &issuer, now)?;
                tx.put_contact(&record)?;
                tx.remove_sessions_of(id, Some(&keep))?;
                Ok((done, target))
            },
        ))
    })
    .await;
    match outcome {
        Ok(Ok(done)) => Ok(Ok(done)),
        Ok(Err(Refused(refused))) => Ok(Err(refused)),
        Ok(Err(Failed(err))) => {
            tracing::error!(error = %err, action, "portal: changing two-factor failed");
            Err(internal_error())
        }
        Err(err) => {
            tracing::error!(error = %err, action, "portal: changing two-factor failed");
            Err(internal_error())
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_one_step_either_side_and_never_twice() {
        let secret = new_secret();
        assert_eq!(secret.len(), 32);
        let t = totp(&secret, "Brand: Co", "pat@example.com").unwrap();
        assert!(
            t.get_url()
                .starts_with("otpauth://totp/Brand%20%20Co:pat%40example.com?")
        );
        let now = 1_700_000_000i64;
        let step = now as u64 / STEP;
        let code = t.generate(now as u64);
        assert_eq!(matching_step(&t, &code, now, None), Some(step));
        assert_eq!(
            matching_step(&t, &format!(" {} {} ", &code[..3], &code[3..]), now, None),
            Some(step)
        );
        // The same step again is refused, and so is an older one.
        assert_eq!(matching_step(&t, &code, now, Some(step)), None);
        let before = t.generate(now as u64 - STEP);
        assert_eq!(matching_step(&t, &before, now, None), Some(step - 1));
        assert_eq!(matching_step(&t, &before, now, Some(step - 1)), None);
        let after = t.generate(now as u64 + STEP);
        assert_eq!(matching_step(&t, &after, now, Some(step)), Some(step + 1));
        let far = t.generate(now as u64 + 3 * STEP);
        assert_eq!(matching_step(&t, &far, now, None), None);
        assert_eq!(matching_step(&t, "abcdef", now, None), None);
    }

    #[test]
    fn recovery_codes_are_distinct_and_hash_ignoring_layout() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), RECOVERY_CODES);
        assert!(
            codes
                .iter()
                .all(|c| c.len() == 14 && c.matches('-').count() == 2)
        );
        assert_eq!(
            recovery_hash("ABCD-efgh-2345"),
            recovery_hash(" abcd efgh 2345 ")
        );
        assert_ne!(
            recovery_hash("abcd-efgh-2345"),
            recovery_hash("abcd-efgh-2346")
        );
    }

    #[test]
    fn qr_code_is_an_svg_data_uri() {
        let uri = qr_data_uri("otpauth://totp/A:b?secret=ABC").unwrap();
        let b64 = uri.strip_prefix("data:image/svg+xml;base64,").unwrap();
        let svg = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        assert!(String::from_utf8(svg).unwrap().contains("<svg"));
    }
}
