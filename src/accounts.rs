//! Secrets of accounts: login names, passwords (argon2id) and random tokens (sessions, API
//! tokens, setup links), stored only as hashes.
//!
//! Owns the checks and the cryptography; the roles and what each may do are the model's
//! ([`crate::model::Role::can`]), and storing accounts is the store's. Must not touch the
//! database or the web.

use crate::model::Said;
use crate::model::said;
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use sha2::{Digest, Sha256};

/// Shortest password accepted. Long passphrases beat complex short ones.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Why a password or name cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.said())]
pub enum AccountError {
    /// Too short.
    WeakPassword,
    /// The user name has characters that make it hard to type or read.
    BadName,
    /// Hashing failed (out of memory).
    Hash(String),
}

impl AccountError {
    /// Why the name or password cannot be used, in each language.
    pub fn said(&self) -> Said {
        match self {
            AccountError::WeakPassword => said!(
                "mật khẩu phải có ít nhất {MIN_PASSWORD_CHARS} ký tự",
                "the password needs at least {MIN_PASSWORD_CHARS} characters"
            ),
            AccountError::BadName => said!(
                "tên đăng nhập chỉ gồm chữ không dấu, số, dấu chấm, gạch ngang, gạch dưới (2–32 ký tự)",
                "the login name may only hold letters a–z, digits, '.', '-', '_' (2–32 characters)"
            ),
            AccountError::Hash(f0) => {
                said!("không băm được mật khẩu", "cannot hash the password: {f0}")
            }
        }
    }
}

/// Check a login name: ASCII, short, unambiguous.
pub fn check_name(name: &str) -> Result<(), AccountError> {
    let ok = (2..=32).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if ok {
        Ok(())
    } else {
        Err(AccountError::BadName)
    }
}

/// Hash a new password with argon2id (a fresh random salt each time).
pub fn hash_password(password: &str) -> Result<String, AccountError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AccountError::WeakPassword);
    }
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AccountError::Hash(e.to_string()))
}

thread_local! {
    /// argon2 verifications run on this thread (see [`verifications_here`]).
    static VERIFICATIONS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// argon2 verifications run so far on the calling thread: the sign-in gate reads it around
/// each check to count what a burst of guesses really cost.
pub fn verifications_here() -> u64 {
    VERIFICATIONS.with(std::cell::Cell::get)
}

/// Whether `password` matches a stored hash. A malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        VERIFICATIONS.with(|n| n.set(n.get() + 1));
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// Check `password` against a hash made once per process from a random secret, so that a name
/// that does not exist costs a guesser as much time as one that does (no timing tells which
/// names exist). Never matches.
pub fn verify_against_nothing(password: &str) -> bool {
    static STAND_IN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let hash = STAND_IN.get_or_init(|| {
        let secret = format!("{}{}", new_token(), new_token());
        hash_password(&secret).unwrap_or_default()
    });
    // Run argon2 for its time; a random secret's hash cannot match what a guesser types.
    let _ = verify_password(password, hash);
    false
}

/// A new secret token: 32 random bytes, hex. Shown once; only its hash is stored.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    // The OS random source failing is not something a commune can fix; a zero token would be
    // guessable, so refuse loudly by making it unusable instead.
    if getrandom::fill(&mut bytes).is_err() {
        return String::new();
    }
    hex(&bytes)
}

/// The stored form of a token.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_themselves() {
        let h = hash_password("mật khẩu dài và khó đoán").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("mật khẩu dài và khó đoán", &h));
        assert!(!verify_password("mat khau dai va kho doan", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn the_stand_in_check_never_matches() {
        assert!(!verify_against_nothing("mật khẩu dài và khó đoán"));
        assert!(!verify_against_nothing(""));
    }

    #[test]
    fn short_passwords_and_odd_names_are_refused() {
        assert_eq!(hash_password("123456"), Err(AccountError::WeakPassword));
        assert!(check_name("chu-tich.xa").is_ok());
        assert!(check_name("chủ tịch").is_err());
        assert!(check_name("a").is_err());
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_ne!(token_hash(&a), a);
    }
}
