//! The names a cluster is addressed by: the commune's id and each node's id.
//!
//! Both become MQTT topic levels, broker user names and file names, so they are ASCII slugs
//! (`thon-2`), checked once here; a Vietnamese display name ("Thôn 2") travels beside them.
//! This module only validates and suggests names; it knows nothing of topics or files.

use std::fmt;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::model::Said;

/// The longest id: short enough for a topic level and a broker user name.
pub const MAX_LEN: usize = 32;

/// Broker user names that belong to the cluster itself, never to a node.
pub const RESERVED: &[&str] = &["head-end", "bridge", "province"];

/// A refused id, with the reason and a name that would do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("tên \"{given}\" không dùng được / the name \"{given}\" cannot be used: {why}{}", hint(.suggestion))]
pub struct IdError {
    /// What was given.
    pub given: String,
    /// What is wrong with it.
    pub why: Said,
    /// A valid name made from it, if one can be.
    pub suggestion: Option<String>,
}

impl IdError {
    /// The refusal in each language apart, for a page or a config problem.
    pub fn said(&self) -> Said {
        let given = &self.given;
        let (try_vi, try_en) = match &self.suggestion {
            Some(s) => (format!("; thử \"{s}\""), format!("; try \"{s}\"")),
            None => (String::new(), String::new()),
        };
        Said::new(
            format!("tên \"{given}\" không dùng được: {}{try_vi}", self.why.vi()),
            format!(
                "the name \"{given}\" cannot be used: {}{try_en}",
                self.why.en()
            ),
        )
    }
}

fn hint(s: &Option<String>) -> String {
    s.as_ref()
        .map(|s| format!("; thử / try \"{s}\""))
        .unwrap_or_default()
}

/// Check an id: 1–32 of `a–z`, `0–9` and `-`, not starting or ending with `-`.
fn check(given: &str) -> Result<(), IdError> {
    let why = if given.is_empty() {
        Some(Said::new("trống", "it is empty"))
    } else if given.len() > MAX_LEN {
        Some(Said::new("dài quá 32 ký tự", "longer than 32 characters"))
    } else if !given
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        Some(Said::new(
            "chỉ dùng a–z, 0–9 và -",
            "use only a–z, 0–9 and -",
        ))
    } else if given.starts_with('-') || given.ends_with('-') {
        Some(Said::new(
            "không bắt đầu hay kết thúc bằng -",
            "it must not start or end with -",
        ))
    } else {
        None
    };
    match why {
        None => Ok(()),
        Some(why) => Err(IdError {
            given: given.to_string(),
            why,
            suggestion: Some(slug_of(given)).filter(|s| !s.is_empty() && s != given),
        }),
    }
}

/// A slug made from a display name: "Thôn Đông 2" → "thon-dong-2".
pub fn slug_of(name: &str) -> String {
    let mut out = String::new();
    for c in name.nfd() {
        let c = match c {
            'đ' | 'Đ' => 'd',
            c if c.is_ascii_alphanumeric() => c.to_ascii_lowercase(),
            c if c.is_ascii() || c.is_whitespace() => '-',
            // Combining marks (the tones and hats NFD split off) and other letters go.
            _ => continue,
        };
        if c == '-' && (out.is_empty() || out.ends_with('-')) {
            continue;
        }
        out.push(c);
    }
    let trimmed = out.trim_end_matches('-');
    trimmed[..trimmed.len().min(MAX_LEN)]
        .trim_end_matches('-')
        .to_string()
}

macro_rules! slug_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The id as written in topics and files.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(s: String) -> Result<Self, IdError> {
                check(&s)?;
                Ok($name(s))
            }
        }

        impl std::str::FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                Self::try_from(s.to_string())
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

slug_type!(
    /// The commune's id: the first level under `loaxa/` in every topic (`xa-an-binh`).
    CommuneId
);
slug_type!(
    /// A node's id: its topic level and its broker user name (`thon-2`).
    NodeId
);

impl NodeId {
    /// A node id that is also free to be a node's broker user name.
    pub fn new_node(s: &str) -> Result<NodeId, IdError> {
        let id: NodeId = s.parse()?;
        if RESERVED.contains(&s) {
            return Err(IdError {
                given: s.to_string(),
                why: Said::new(
                    "tên này dành cho trung tâm",
                    "the cluster keeps this name for itself",
                ),
                suggestion: Some(format!("thon-{s}")),
            });
        }
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_names_become_slugs() {
        assert_eq!(slug_of("Thôn 2"), "thon-2");
        assert_eq!(slug_of("  Thôn Đông — Bắc  "), "thon-dong-bac");
        assert_eq!(slug_of("Xóm Mới/Ấp 3"), "xom-moi-ap-3");
    }

    #[test]
    fn ids_are_ascii_slugs_and_a_refusal_suggests_one() {
        assert!("thon-2".parse::<NodeId>().is_ok());
        let e = "Thôn 2".parse::<NodeId>().unwrap_err();
        assert_eq!(e.suggestion.as_deref(), Some("thon-2"));
        assert!(e.to_string().contains("thon-2"), "{e}");
        for bad in ["", "-a", "a-", "a/b", "a+", "#", &"x".repeat(33)] {
            assert!(bad.parse::<NodeId>().is_err(), "{bad:?} accepted");
        }
        assert!(NodeId::new_node("head-end").is_err());
        let json = serde_json::to_string(&NodeId::new_node("thon-2").unwrap()).unwrap();
        assert_eq!(json, "\"thon-2\"");
        assert!(serde_json::from_str::<NodeId>("\"thon/2\"").is_err());
    }
}
