//! `emergency.cap_feeds`: fetching CAP alerts from feeds — a CAP document at an address, or an
//! Atom feed of them (the MeteoAlarm and NWS style: entries linking to their CAP documents,
//! or carrying them inside).
//!
//! Every request is bounded in time and size; what comes back that is not a feed is an error
//! to log, never a crash. An entry (or document) already seen is not fetched or handed on
//! again, so an unchanged feed costs one request a poll. Judging and acting on the alerts is
//! the station's ([`crate::station::cap`]).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use url::Url;

use super::{MAX_BYTES, NAMESPACE, contains_ignoring_case};

/// How long one request may take, connecting and reading included.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// Linked CAP documents fetched per feed and poll; the rest wait for the next poll.
pub const MAX_LINKS: usize = 20;
/// Redirects followed before a feed is refused.
const MAX_REDIRECTS: u32 = 5;
/// Entries and documents remembered as seen before the memory is cleared (the store still
/// knows every alert acted on).
const MAX_SEEN: usize = 10_000;

/// Why a feed (or a document it links to) gave nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedError {
    /// The request failed: no answer in time, no such host, refused, too many redirects.
    #[error("không tải được {url}: {why} / cannot fetch {url}: {why}")]
    Unreachable {
        /// What was asked for.
        url: String,
        /// What went wrong.
        why: String,
    },
    /// The server answered with an error status.
    #[error("{url} trả lời {status} / {url} answered {status}")]
    Status {
        /// What was asked for.
        url: String,
        /// The HTTP status.
        status: u16,
    },
    /// More than [`MAX_BYTES`].
    #[error("{url} lớn quá {MAX_BYTES} byte / {url} is over {MAX_BYTES} bytes")]
    TooLarge {
        /// What was asked for.
        url: String,
    },
    /// Neither a CAP alert nor an Atom feed.
    #[error("{url} không phải CAP hay Atom: {why} / {url} is neither CAP nor Atom: {why}")]
    NotAFeed {
        /// What was asked for.
        url: String,
        /// What it looked like.
        why: String,
    },
}

/// A CAP document a feed gave, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The address it was read from.
    pub url: String,
    /// Its text.
    pub xml: String,
}

/// What one poll brought: the new documents, and what failed.
#[derive(Debug, Default)]
pub struct Poll {
    /// CAP documents not handed on before.
    pub documents: Vec<Document>,
    /// Feeds and links that gave nothing.
    pub errors: Vec<FeedError>,
}

/// The feeds to poll, when the next poll is due, and what was seen. Cheap to clone (the clones
/// share their state), so a poll can run on a blocking thread.
#[derive(Clone)]
pub struct Feeds {
    urls: Arc<Vec<Url>>,
    every: Duration,
    agent: ureq::Agent,
    state: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    next: Option<DateTime<Utc>>,
    seen: HashSet<String>,
}

impl Feeds {
    /// Poll `urls` every `every`, each request taking at most `timeout`. Addresses that are
    /// not `http(s)://` are left out (`loaxa check` names them).
    pub fn new(urls: &[String], every: Duration, timeout: Duration) -> Feeds {
        let urls = urls
            .iter()
            .filter_map(|u| {
                crate::config::feed_url(u)
                    .inspect_err(|e| tracing::warn!("emergency.cap_feeds: {e}"))
                    .ok()
            })
            .collect();
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(MAX_REDIRECTS)
            .max_redirects_will_error(true)
            .timeout_global(Some(timeout))
            .user_agent(concat!("LoaXa/", env!("CARGO_PKG_VERSION"), " (cap)"))
            .build()
            .into();
        Feeds {
            urls: Arc::new(urls),
            every,
            agent,
            state: Arc::default(),
        }
    }

    /// Whether there is any feed to poll.
    pub fn is_empty(&self) -> bool {
        self.urls.is_empty()
    }

    /// When the next poll is due (`None`: now, nothing was polled yet).
    pub fn next_poll(&self) -> Option<DateTime<Utc>> {
        self.state().next
    }

    /// Poll every feed if a poll is due at `now`; the next is due `every` later. Blocks for
    /// the requests: call it on a blocking thread.
    pub fn poll_if_due(&self, now: DateTime<Utc>) -> Option<Poll> {
        {
            let mut st = self.state();
            if st.next.is_some_and(|next| now < next) {
                return None;
            }
            st.next = Some(now + self.every);
        }
        let mut poll = Poll::default();
        for url in self.urls.iter() {
            if let Err(e) = self.poll_feed(url, &mut poll) {
                poll.errors.push(e);
            }
        }
        Some(poll)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether `key` is new, remembering it.
    fn first_sight(&self, key: String) -> bool {
        let mut st = self.state();
        if st.seen.len() >= MAX_SEEN {
            st.seen.clear();
        }
        st.seen.insert(key)
    }

    /// One feed: its alert, its embedded alerts, or the CAP documents its new entries link to.
    fn poll_feed(&self, url: &Url, poll: &mut Poll) -> Result<(), FeedError> {
        let text = self.fetch(url)?;
        let not_a_feed = |why: &str| FeedError::NotAFeed {
            url: url.to_string(),
            why: why.to_string(),
        };
        if contains_ignoring_case(&text, "<!doctype") || contains_ignoring_case(&text, "<!entity") {
            return Err(not_a_feed("DOCTYPE/ENTITY"));
        }
        let contents = match root_element(&text).as_deref() {
            Some("alert") => vec![Entry::Embedded(text)],
            Some("feed") => atom_entries(&text, url).map_err(|why| not_a_feed(&why))?,
            Some(other) => return Err(not_a_feed(&format!("<{other}>"))),
            None => return Err(not_a_feed("không phải XML / not XML")),
        };
        let mut links = 0;
        for entry in contents {
            match entry {
                Entry::Embedded(xml) => {
                    if self.first_sight(digest(&xml)) {
                        poll.documents.push(Document {
                            url: url.to_string(),
                            xml,
                        });
                    }
                }
                Entry::Linked { key, link } => {
                    if links >= MAX_LINKS || !self.first_sight(key.clone()) {
                        continue;
                    }
                    links += 1;
                    match self.fetch(&link) {
                        Ok(xml) => poll.documents.push(Document {
                            url: link.to_string(),
                            xml,
                        }),
                        Err(e) => {
                            // Fetched again next poll.
                            self.state().seen.remove(&key);
                            poll.errors.push(e);
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// GET `url` as text, within the time and size limits.
    fn fetch(&self, url: &Url) -> Result<String, FeedError> {
        let unreachable = |e: ureq::Error| match e {
            ureq::Error::BodyExceedsLimit(_) => FeedError::TooLarge {
                url: url.to_string(),
            },
            e => FeedError::Unreachable {
                url: url.to_string(),
                why: e.to_string(),
            },
        };
        let mut response = self.agent.get(url.as_str()).call().map_err(unreachable)?;
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            return Err(FeedError::Status {
                url: url.to_string(),
                status,
            });
        }
        response
            .body_mut()
            .with_config()
            .limit(MAX_BYTES as u64)
            .read_to_string()
            .map_err(unreachable)
    }
}

/// What an Atom entry carries.
enum Entry {
    /// A CAP document inside it (or the whole answer was one).
    Embedded(String),
    /// A link to one; `key` says which entry and version it is.
    Linked { key: String, link: Url },
}

/// The name of the document's first element, without its prefix.
fn root_element(text: &str) -> Option<String> {
    let mut reader = quick_xml::Reader::from_str(text);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)) => {
                return Some(String::from_utf8_lossy(e.local_name().as_ref()).into_owned());
            }
            Ok(quick_xml::events::Event::Eof) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

#[derive(Deserialize)]
struct AtomFeed {
    #[serde(default)]
    entry: Vec<AtomEntry>,
}

#[derive(Deserialize)]
struct AtomEntry {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    updated: Option<String>,
    #[serde(default)]
    link: Vec<AtomLink>,
}

#[derive(Deserialize)]
struct AtomLink {
    #[serde(rename = "@href")]
    href: String,
    #[serde(rename = "@type", default)]
    kind: Option<String>,
    #[serde(rename = "@rel", default)]
    rel: Option<String>,
}

/// An Atom feed's alerts: the CAP documents inside it if it carries them, else each entry's
/// link to its CAP document (`type="application/cap+xml"`, else the entry's main link).
fn atom_entries(text: &str, base: &Url) -> Result<Vec<Entry>, String> {
    let embedded = embedded_alerts(text);
    if !embedded.is_empty() {
        return Ok(embedded.into_iter().map(Entry::Embedded).collect());
    }
    let feed: AtomFeed = std::panic::catch_unwind(|| quick_xml::de::from_str::<AtomFeed>(text))
        .unwrap_or_else(|_| Err(quick_xml::DeError::Custom("unreadable XML".into())))
        .map_err(|e| e.to_string())?;
    Ok(feed
        .entry
        .into_iter()
        .filter_map(|e| {
            let link = cap_link(&e.link, base)?;
            let key = format!(
                "{}|{}|{link}",
                e.id.as_deref().unwrap_or(""),
                e.updated.as_deref().unwrap_or("")
            );
            Some(Entry::Linked { key, link })
        })
        .collect())
}

/// The link of an entry that leads to its CAP document, resolved against the feed's address.
fn cap_link(links: &[AtomLink], base: &Url) -> Option<Url> {
    let is_cap = |l: &&AtomLink| {
        l.kind
            .as_deref()
            .is_some_and(|k| k.trim().eq_ignore_ascii_case("application/cap+xml"))
    };
    let is_main =
        |l: &&AtomLink| matches!(l.rel.as_deref().map(str::trim), None | Some("alternate"));
    let link = links
        .iter()
        .find(is_cap)
        .or_else(|| links.iter().find(is_main))?;
    base.join(link.href.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
}

/// The `<alert xmlns="…cap:1.2">…</alert>` documents written inside a feed.
fn embedded_alerts(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("<alert") {
        let after = &rest[start..];
        let Some(end) = after.find("</alert>") else {
            break;
        };
        let alert = &after[..end + "</alert>".len()];
        let head = &alert[..alert.find('>').unwrap_or(0)];
        if head.contains(NAMESPACE) {
            out.push(alert.to_string());
        }
        rest = &after[end + "</alert>".len()..];
    }
    out
}

/// A short name for a document's content, to know it again.
fn digest(text: &str) -> String {
    let hash = Sha256::digest(text.as_bytes());
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "https://feeds.example.org/api/v1/warnings/feeds-vietnam";

    #[test]
    fn atom_entries_lead_to_their_cap_documents() {
        let atom = r#"<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:cap="urn:oasis:names:tc:emergency:cap:1.2">
  <id>https://feeds.example.org/api/v1/warnings/feeds-vietnam</id>
  <title>Cảnh báo</title>
  <entry>
    <id>urn:oid:2.49.0.1.704.0.2026.9.15.1</id>
    <updated>2026-09-15T06:00:00+07:00</updated>
    <link href="https://feeds.example.org/page/1" rel="alternate" type="text/html"/>
    <link href="warnings/1.xml" rel="related" type="application/cap+xml"/>
    <cap:event>Bão</cap:event>
  </entry>
  <entry>
    <id>urn:oid:2</id>
    <link href="https://api.example.gov/alerts/2"/>
  </entry>
  <entry><id>no link</id></entry>
  <entry><id>file</id><link href="file:///etc/passwd"/></entry>
</feed>"#;
        let base = Url::parse(BASE).unwrap();
        let links: Vec<String> = atom_entries(atom, &base)
            .unwrap()
            .into_iter()
            .map(|e| match e {
                Entry::Linked { link, .. } => link.to_string(),
                Entry::Embedded(_) => panic!("no embedded alert here"),
            })
            .collect();
        assert_eq!(
            links,
            [
                "https://feeds.example.org/api/v1/warnings/warnings/1.xml",
                "https://api.example.gov/alerts/2"
            ]
        );
        assert_eq!(root_element(atom).as_deref(), Some("feed"));
        assert_eq!(root_element("<html><body>").as_deref(), Some("html"));
        assert_eq!(root_element("không phải XML"), None);
    }

    #[test]
    fn alerts_written_inside_a_feed_are_taken_as_they_are() {
        let alert = format!("<alert xmlns=\"{NAMESPACE}\"><identifier>A</identifier></alert>");
        let atom = format!(
            "<feed><entry><content type=\"application/cap+xml\">{alert}</content></entry><entry><alert>x</alert></entry></feed>"
        );
        assert_eq!(embedded_alerts(&atom), [alert]);
        assert!(embedded_alerts("<feed><alert xmlns=\"x\">").is_empty());
    }
}
