//! Mosquitto's password file, written by us: `user:$7$<iterations>$<salt>$<hash>` per line, the
//! PBKDF2-HMAC-SHA512 format of Mosquitto 2.0 (`mosquitto_passwd` writes the same). Written here
//! rather than by running `mosquitto_passwd -b`, which would put every password in argv where
//! any local user can read it with `ps`.
//!
//! The hash uses `mosquitto_passwd`'s own 101 iterations: every password is 256 random bits, so
//! a slower hash would add connect time on a Pi without making anything harder to guess. It never
//! runs a command.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::Sha512;

/// PBKDF2 rounds, as `mosquitto_passwd` uses.
const ITERATIONS: u32 = 101;
/// Salt length Mosquitto uses.
const SALT_BYTES: usize = 12;
/// SHA-512's output.
const HASH_BYTES: usize = 64;

/// The `$7$…` hash of `password` with `salt`.
fn hash_with(password: &str, salt: &[u8], iterations: u32) -> String {
    let mut out = [0u8; HASH_BYTES];
    pbkdf2::pbkdf2_hmac::<Sha512>(password.as_bytes(), salt, iterations, &mut out);
    format!(
        "$7${iterations}${}${}",
        STANDARD.encode(salt),
        STANDARD.encode(out)
    )
}

/// A new `$7$…` hash of `password` with a fresh random salt; `None` if the OS has no random
/// source to give (a fixed salt is never used instead).
pub fn hash(password: &str) -> Option<String> {
    let mut salt = [0u8; SALT_BYTES];
    getrandom::fill(&mut salt).ok()?;
    Some(hash_with(password, &salt, ITERATIONS))
}

/// Whether `password` matches a `$7$…` hash (how the broker will check it).
pub fn verify(password: &str, hash: &str) -> bool {
    let parts: Vec<&str> = hash.split('$').collect();
    let ["", "7", iterations, salt, _] = parts.as_slice() else {
        return false;
    };
    let (Ok(iterations), Ok(salt)) = (iterations.parse::<u32>(), STANDARD.decode(salt)) else {
        return false;
    };
    hash_with(password, &salt, iterations) == hash
}

/// The users of a password file, in order, with their hashes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PasswordFile {
    entries: Vec<(String, String)>,
}

impl PasswordFile {
    /// Read a file's text. Blank lines and `#` comments are skipped, as Mosquitto does.
    pub fn parse(text: &str) -> PasswordFile {
        let entries = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|l| l.split_once(':'))
            .map(|(u, h)| (u.to_string(), h.to_string()))
            .collect();
        PasswordFile { entries }
    }

    /// Whether `user` has a line.
    pub fn contains(&self, user: &str) -> bool {
        self.entries.iter().any(|(u, _)| u == user)
    }

    /// The hash for `user`.
    pub fn hash_of(&self, user: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(u, _)| u == user)
            .map(|(_, h)| h.as_str())
    }

    /// Add or replace `user`'s line.
    pub fn set(&mut self, user: &str, hash: String) {
        match self.entries.iter_mut().find(|(u, _)| u == user) {
            Some(entry) => entry.1 = hash,
            None => self.entries.push((user.to_string(), hash)),
        }
    }

    /// The file's text.
    pub fn render(&self) -> String {
        self.entries
            .iter()
            .map(|(u, h)| format!("{u}:{h}\n"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_a_hash_mosquitto_passwd_wrote() {
        // `mosquitto_passwd -c -b pw alice secret` with Mosquitto 2.0.11.
        let theirs = "$7$101$JuuE2WQtSL8xW0Df$fcXKvcquQ/NoJMnGvzTTjk6IRnakRylnkMbgWfePOpdXWUXuDmzKcZ6BOiIaDGQvDeF2lOvuYZ1zKoOO4/lC3w==";
        assert!(verify("secret", theirs));
        assert!(!verify("Secret", theirs));
        let salt = STANDARD.decode("JuuE2WQtSL8xW0Df").unwrap();
        assert_eq!(hash_with("secret", &salt, 101), theirs);
    }

    #[test]
    fn fresh_hashes_verify_and_never_repeat() {
        let a = hash("mật-khẩu").unwrap();
        let b = hash("mật-khẩu").unwrap();
        assert_ne!(a, b, "salt is random");
        assert!(verify("mật-khẩu", &a) && verify("mật-khẩu", &b));
        assert!(a.starts_with("$7$101$"));
        assert!(!verify("x", "$6$abc$def") && !verify("x", "junk"));
    }

    #[test]
    fn file_round_trips_and_replaces_a_users_line() {
        let mut f = PasswordFile::parse("# c\n\nhead-end:$7$1$a$b\nthon-1:$7$1$c$d\n");
        assert!(f.contains("thon-1") && !f.contains("thon-2"));
        f.set("thon-2", "$7$1$e$f".into());
        f.set("thon-1", "$7$1$g$h".into());
        assert_eq!(
            f.render(),
            "head-end:$7$1$a$b\nthon-1:$7$1$g$h\nthon-2:$7$1$e$f\n"
        );
        assert_eq!(PasswordFile::parse(&f.render()), f);
    }
}
