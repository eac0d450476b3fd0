//! A stream's address, checked once: `http://` or `https://`, with a host, of a sane length.
//! It prints without any password it carries, so logs and the as-run never show one.

use std::str::FromStr;

use super::error::StreamError;
use crate::model::Said;
use crate::model::said;

/// Longest address accepted; real stream URLs are well under 300 characters.
const MAX_LEN: usize = 2048;

/// A checked stream address. Boxed, so that a [`StreamError`] that names it and says why in both
/// languages stays small enough to return by value.
#[derive(Clone, PartialEq, Eq)]
pub struct StreamUrl(Box<url::Url>);

impl StreamUrl {
    /// The address as sent on the wire (with its password, if any).
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The server's name (what a relay is called when the programme gives it no title).
    pub fn host(&self) -> &str {
        self.0.host_str().unwrap_or_default()
    }

    /// `reference` (a playlist entry, a `Location`) resolved against this address.
    pub fn join(&self, reference: &str) -> Result<StreamUrl, StreamError> {
        let joined = self
            .0
            .join(reference.trim())
            .map_err(|e| StreamError::BadUrl {
                url: reference.to_string(),
                why: Said::same(e.to_string()),
            })?;
        Self::checked(joined, reference)
    }

    fn checked(url: url::Url, original: &str) -> Result<StreamUrl, StreamError> {
        let bad = |why: Said| StreamError::BadUrl {
            url: original.to_string(),
            why,
        };
        if !matches!(url.scheme(), "http" | "https") {
            return Err(bad(said!(
                "chỉ nhận http:// và https://",
                "only http:// and https:// are accepted"
            )));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(bad(said!("thiếu tên máy chủ", "no host")));
        }
        Ok(StreamUrl(Box::new(url)))
    }
}

impl FromStr for StreamUrl {
    type Err = StreamError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.len() > MAX_LEN {
            return Err(StreamError::BadUrl {
                url: format!("{}…", s.chars().take(60).collect::<String>()),
                why: said!(
                    "dài quá {MAX_LEN} ký tự",
                    "longer than {MAX_LEN} characters"
                ),
            });
        }
        let url = url::Url::parse(s).map_err(|e| StreamError::BadUrl {
            url: s.to_string(),
            why: Said::same(e.to_string()),
        })?;
        Self::checked(url, s)
    }
}

impl std::fmt::Display for StreamUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.password().is_none() && self.0.username().is_empty() {
            return f.write_str(self.0.as_str());
        }
        let mut shown = self.0.clone();
        // Setting these only fails for URLs that cannot have credentials, which ours can.
        let _ = shown.set_username("");
        let _ = shown.set_password(None);
        f.write_str(shown.as_str())
    }
}

/// As it prints: without its password (the plan in JSON, the API).
impl serde::Serialize for StreamUrl {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl std::fmt::Debug for StreamUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StreamUrl({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_and_https_with_a_host_are_accepted() {
        for good in [
            "http://127.0.0.1:8000/vov1.mp3",
            "https://str.example.vn/live/playlist.m3u8",
            "  http://radio.example.vn/  ",
        ] {
            assert!(good.parse::<StreamUrl>().is_ok(), "{good}");
        }
        for bad in [
            "ftp://example.vn/a.mp3",
            "file:///etc/passwd",
            "vov1.mp3",
            "http://",
            "",
        ] {
            let err = bad.parse::<StreamUrl>().unwrap_err();
            assert!(matches!(err, StreamError::BadUrl { .. }), "{bad}: {err}");
            assert!(err.to_string().contains("http://"), "{err}");
        }
        let long = format!("http://a.vn/{}", "x".repeat(3000));
        assert!(long.parse::<StreamUrl>().is_err());
    }

    #[test]
    fn a_password_never_shows() {
        let url: StreamUrl = "http://nghe:bi-mat@radio.example.vn:8000/live"
            .parse()
            .unwrap();
        assert!(url.as_str().contains("bi-mat"));
        assert!(!url.to_string().contains("bi-mat"), "{url}");
        assert!(!format!("{url:?}").contains("bi-mat"));
    }

    #[test]
    fn playlist_entries_resolve_against_the_playlist() {
        let base: StreamUrl = "https://s.example.vn/vov1/chunklist.m3u8?t=1"
            .parse()
            .unwrap();
        assert_eq!(
            base.join("seg-12.ts").unwrap().as_str(),
            "https://s.example.vn/vov1/seg-12.ts"
        );
        assert_eq!(
            base.join("/other/a.aac").unwrap().as_str(),
            "https://s.example.vn/other/a.aac"
        );
        assert_eq!(
            base.join("http://cdn.example.vn/x.ts").unwrap().as_str(),
            "http://cdn.example.vn/x.ts"
        );
        assert!(base.join("file:///etc/passwd").is_err());
    }
}
