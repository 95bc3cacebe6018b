//! Portal passwords: the policy, argon2id hashing and generated passwords.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use portico_protocol::AdminError;
use rand::Rng;

/// Fewest characters a password may have.
pub const MIN_CHARS: usize = 10;
/// Most characters a password may have (bounds the hashing work a request can cause).
pub const MAX_CHARS: usize = 1024;
/// Length of a generated password.
pub const GENERATED_CHARS: usize = 16;
/// Characters of generated passwords: letters and digits without look-alikes (0 O o 1 l I).
const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";

/// Checks a password someone chose: at least [`MIN_CHARS`] and at most [`MAX_CHARS`]
/// characters. Spaces count; nothing is trimmed.
pub fn check_policy(pw: &str) -> Result<(), AdminError> {
    let count = pw.chars().count();
    if count < MIN_CHARS {
        return Err(AdminError::invalid(
            "password",
            format!(
                "has {count} characters; use at least {MIN_CHARS} (a few words make a long \
                 password easy to remember), or leave it out to have one generated"
            ),
        ));
    }
    if count > MAX_CHARS {
        return Err(AdminError::invalid(
            "password",
            format!("has {count} characters; use at most {MAX_CHARS}"),
        ));
    }
    Ok(())
}

/// Hashes a password with argon2id (the crate's default parameters, OWASP's recommendation)
/// and a random 128-bit salt, as a PHC string (`$argon2id$v=19$...`).
pub fn hash(pw: &str) -> Result<String, AdminError> {
    hash_with(&Argon2::default(), pw)
}

fn hash_with(argon2: &Argon2<'_>, pw: &str) -> Result<String, AdminError> {
    let mut salt = [0u8; 16];
    rand::rng().fill(&mut salt);
    let salt = SaltString::encode_b64(&salt)
        .map_err(|e| AdminError::internal(format!("password salt: {e}")))?;
    argon2
        .hash_password(pw.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AdminError::internal(format!("password hashing: {e}")))
}

/// Whether `pw` matches the PHC string `phc`, with the parameters stored in it. A malformed
/// `phc` matches nothing.
pub fn verify(phc: &str, pw: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default()
            .verify_password(pw.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A new random password of [`GENERATED_CHARS`] characters from an alphabet without look-alikes
/// (about 93 bits), drawn from the thread's CSPRNG (seeded from the OS).
pub fn generate() -> String {
    let mut rng = rand::rng();
    (0..GENERATED_CHARS)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use argon2::{Algorithm, Params, Version};

    /// Cheap parameters so that tests stay fast; `verify` reads them back from the PHC string.
    fn fast() -> Argon2<'static> {
        let params = Params::new(256, 1, 1, None).unwrap();
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
    }

    fn reason(err: AdminError) -> (String, String) {
        match err {
            AdminError::Invalid { field, reason } => (field, reason),
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn policy_bounds_the_length_in_characters() {
        assert!(check_policy("0123456789").is_ok());
        assert!(check_policy("ääääääääää").is_ok());
        assert!(check_policy(&"x".repeat(MAX_CHARS)).is_ok());
        let (field, text) = reason(check_policy("123456789").unwrap_err());
        assert_eq!(field, "password");
        assert!(text.contains("has 9 characters"), "{text}");
        assert!(text.contains("at least 10"), "{text}");
        let (_, text) = reason(check_policy(&"x".repeat(MAX_CHARS + 1)).unwrap_err());
        assert!(text.contains("at most 1024"), "{text}");
        assert!(check_policy("").is_err());
    }

    #[test]
    fn default_hash_is_argon2id_and_verifies() {
        let phc = hash("correct horse battery").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$"), "{phc}");
        assert!(verify(&phc, "correct horse battery"));
        assert!(!verify(&phc, "correct horse batterY"));
    }

    #[test]
    fn salts_are_random() {
        let a = hash_with(&fast(), "same password").unwrap();
        let b = hash_with(&fast(), "same password").unwrap();
        assert_ne!(a, b);
        assert!(verify(&a, "same password"));
        assert!(verify(&b, "same password"));
        assert!(!verify(&a, "same passwor"));
        assert!(!verify(&a, ""));
    }

    #[test]
    fn malformed_hashes_match_nothing() {
        assert!(!verify("", ""));
        assert!(!verify("plaintext", "plaintext"));
        assert!(!verify("$argon2id$v=19$garbage", "x"));
    }

    #[test]
    fn generated_passwords_are_long_unambiguous_and_different() {
        let a = generate();
        let b = generate();
        assert_eq!(a.chars().count(), GENERATED_CHARS);
        assert_ne!(a, b);
        assert!(check_policy(&a).is_ok());
        for _ in 0..50 {
            let pw = generate();
            assert!(pw.bytes().all(|c| ALPHABET.contains(&c)), "{pw}");
            assert!(!pw.contains(['0', 'O', 'o', '1', 'l', 'I']), "{pw}");
        }
    }
}
