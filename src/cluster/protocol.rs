//! The messages between the head-end and the nodes: versioned JSON, one type per topic (the
//! live microphone's packets, fifty a second, are binary: [`LiveFrame`]).
//!
//! Every payload is a JSON object with `"v": 1` beside its own fields; [`encode`] adds it and
//! [`decode`] refuses any other major version with a clear error, so a node and a head-end of
//! different releases say so instead of misreading each other. Readers ignore fields they do not
//! know, so a release may add a field without a new version. Ids of nodes come from the topic
//! ([`super::topics::Route`]), never from a payload. This module holds plain types and pure
//! functions only: no network, no clock.

use chrono::{DateTime, Duration, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::model::Tier;
use crate::model::asrun::Outcome;

/// The protocol's major version.
pub const VERSION: u32 = 1;

/// How far ahead a node's plan reaches.
pub const PLAN_DAYS: i64 = 7;

/// Where on the head-end's web service a node fetches a recording: this, then its SHA-256.
pub const MEDIA_PATH: &str = "/api/v1/cluster/media/";

/// A payload that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ProtocolError {
    /// Another major version.
    #[error(
        "tin nhắn phiên bản {0}, máy này hiểu phiên bản {VERSION} / message version {0}, this \
         machine speaks version {VERSION}: cập nhật Loa Xã trên mọi máy / update Loa Xã everywhere"
    )]
    Version(u32),
    /// Not the JSON this topic carries.
    #[error("tin nhắn hỏng / unreadable message: {0}")]
    Json(#[from] serde_json::Error),
    /// A live frame cut short.
    #[error("khung âm thanh trực tiếp hỏng ({0} byte) / unreadable live frame ({0} bytes)")]
    Frame(usize),
}

#[derive(Serialize)]
struct Envelope<'a, T> {
    v: u32,
    #[serde(flatten)]
    body: &'a T,
}

#[derive(Deserialize)]
struct VersionOnly {
    v: u32,
}

/// The payload for a message.
pub fn encode<T: Serialize>(message: &T) -> Vec<u8> {
    // Serialising these plain types cannot fail (no maps with non-string keys, no foreign
    // Serialize impls); an empty payload would be refused by every reader.
    serde_json::to_vec(&Envelope {
        v: VERSION,
        body: message,
    })
    .unwrap_or_default()
}

/// A message from a payload, refusing other major versions.
pub fn decode<T: DeserializeOwned>(payload: &[u8]) -> Result<T, ProtocolError> {
    let VersionOnly { v } = serde_json::from_slice(payload)?;
    if v != VERSION {
        return Err(ProtocolError::Version(v));
    }
    Ok(serde_json::from_slice(payload)?)
}

/// A recording, named by its content: nodes fetch it from the head-end by hash and verify it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MediaRef {
    /// SHA-256 of the file, lowercase hex: the name to fetch it by and the check after.
    pub sha256: String,
    /// Its size, so a node knows what its cache needs before fetching.
    pub bytes: u64,
    /// How long it plays.
    pub duration_ms: u64,
}

/// A message id: unique, so a command repeated by QoS 1 acts once.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MessageId(pub String);

impl MessageId {
    /// A new random id (128 bits, hex).
    pub fn random() -> MessageId {
        MessageId(format!("{:032x}", fastrand::u128(..)))
    }
}

/// `node/<id>/plan`: everything the node airs in the next [`PLAN_DAYS`] days (retained).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Grows with every plan the head-end makes; a node keeps the highest it has seen.
    pub version: u64,
    /// When the head-end made it.
    pub generated_at: DateTime<Utc>,
    /// Start of the span it covers.
    pub from: DateTime<Utc>,
    /// End of the span it covers (exclusive).
    pub to: DateTime<Utc>,
    /// The attention chime, for the node to keep in its cache so an emergency starts at once.
    pub chime: Option<MediaRef>,
    /// The cues, by start time.
    pub cues: Vec<PlanCue>,
}

impl Plan {
    /// Every recording the plan needs, the chime first, then by cue start, each once.
    pub fn media(&self) -> Vec<MediaRef> {
        let mut seen = std::collections::HashSet::new();
        self.chime
            .iter()
            .chain(self.cues.iter().map(|c| &c.media))
            .filter(|m| seen.insert(m.sha256.clone()))
            .cloned()
            .collect()
    }
}

/// One play in a node's plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanCue {
    /// The cue's stable key (the same across re-plans): the as-run row names it.
    pub key: String,
    /// When its first sample should reach the output.
    pub start: DateTime<Utc>,
    /// The slot (buổi phát) it belongs to: a node airs a slot's cues back to back.
    pub slot: String,
    /// When that slot starts.
    pub slot_start: DateTime<Utc>,
    /// The head-end's item it plays; `None` for a jingle.
    pub item_id: Option<i64>,
    /// What people call it.
    pub title: String,
    /// Its tier.
    pub tier: Tier,
    /// The zones (thôn) it airs in; empty: all of the node's zones.
    pub zones: Vec<String>,
    /// What it plays.
    pub media: MediaRef,
    /// Gain to the programme's loudness target, in dB, measured once at the head-end.
    pub gain_db: f32,
    /// The gain by time of day (`[[volume]]`, quiet hours' softer evenings) for its start and
    /// zones, in dB, on top of `gain_db`: the head-end's gate decides it, the node applies it.
    #[serde(default)]
    pub volume_db: f32,
}

/// `broadcast` and `node/<id>/cmd`: something the head-end tells a node to do now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Command {
    /// Unique: the acknowledgement and the as-run row name it, and a repeat acts once.
    pub id: MessageId,
    /// When the head-end sent it.
    pub issued_at: DateTime<Utc>,
    /// After this a node drops it unread. The broker drops it too (MQTT 5 message expiry);
    /// this field is for a node that gets it late anyway (a bridge, a v3 broker).
    pub expires_at: Option<DateTime<Utc>>,
    /// What to do.
    #[serde(flatten)]
    pub action: Action,
}

impl Command {
    /// A command issued at `now`, expiring after `ttl` if given.
    pub fn new(action: Action, now: DateTime<Utc>, ttl: Option<Duration>) -> Command {
        Command {
            id: MessageId::random(),
            issued_at: now,
            expires_at: ttl.map(|t| now + t),
            action,
        }
    }

    /// Whether it is still to be acted on at `now` (a node's clock).
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_none_or(|e| now < e)
    }

    /// Seconds until it expires from `now`, for the MQTT message expiry (at least 1).
    pub fn expiry_seconds(&self, now: DateTime<Utc>) -> Option<u32> {
        self.expires_at
            .map(|e| (e - now).num_seconds().clamp(1, i64::from(u32::MAX)) as u32)
    }
}

/// What a command asks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// Take over the speakers: the chime from the node's cache, then the message.
    EmergencyStart(Emergency),
    /// End the emergency with this id.
    EmergencyStop {
        /// The emergency's command id.
        emergency: MessageId,
    },
    /// Fetch these recordings now (they will be needed soon).
    Prefetch {
        /// What to fetch.
        media: Vec<MediaRef>,
    },
    /// Answer with the node's clock, so the head-end can measure its offset.
    ClockProbe,
    /// The head-end has stored these as-run rows: the node may forget them.
    AsRunStored {
        /// The rows and the revision of each that was stored.
        rows: Vec<StoredRow>,
    },
}

/// An emergency announcement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Emergency {
    /// The attention chime, cached on every node so it starts at once.
    pub chime: Option<MediaRef>,
    /// What follows the chime.
    pub content: EmergencyContent,
    /// Times the message repeats; 0 until stopped.
    pub repeat: u32,
    /// Gain over the normal loudness, in dB.
    pub gain_db: f32,
    /// Zones it airs in; empty: all.
    pub zones: Vec<String>,
}

/// The body of an emergency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EmergencyContent {
    /// A recording (a prepared message, or a typed text the head-end read aloud once).
    Recording {
        /// The audio.
        media: MediaRef,
        /// The typed text, when it was one (for the log and the panel).
        text: Option<String>,
    },
    /// A typed text the head-end is still reading aloud: the chime starts now, and the same
    /// command (same id) comes again with the [`Recording`](EmergencyContent::Recording), or
    /// [`ChimeOnly`](EmergencyContent::ChimeOnly) when the text could not be spoken. A node of
    /// an older release cannot read this kind and acts on the second command alone.
    Speaking {
        /// The text, for the log and the panel.
        text: Option<String>,
    },
    /// No recording (the text could not be spoken): the chime, and the text on the panel.
    ChimeOnly {
        /// The text, for the log and the panel.
        text: Option<String>,
    },
    /// The head-end's live microphone: [`LiveFrame`]s on the commune's `live` topic.
    Live {
        /// What it is, for the log and the panel.
        text: Option<String>,
    },
}

/// `live`: 20 ms of the head-end's microphone, one Opus packet. Fifty a second, so binary,
/// not JSON: the protocol's version (one byte), the length of the emergency's command id (one
/// byte) and the id, the packet's number (four bytes, big-endian), then the packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveFrame<'a> {
    /// The emergency it belongs to (its start command's id): a node airs only its own.
    pub emergency: &'a str,
    /// Numbers the packets of one emergency, from 0: the node finds what was lost.
    pub seq: u32,
    /// The Opus packet.
    pub opus: &'a [u8],
}

impl LiveFrame<'_> {
    /// The payload.
    pub fn encode(&self) -> Vec<u8> {
        let id = &self.emergency.as_bytes()[..self.emergency.len().min(255)];
        let mut out = Vec::with_capacity(6 + id.len() + self.opus.len());
        out.push(VERSION as u8);
        out.push(id.len() as u8);
        out.extend_from_slice(id);
        out.extend_from_slice(&self.seq.to_be_bytes());
        out.extend_from_slice(self.opus);
        out
    }

    /// A frame from a payload, refusing other versions and anything cut short.
    pub fn decode(payload: &[u8]) -> Result<LiveFrame<'_>, ProtocolError> {
        let short = || ProtocolError::Frame(payload.len());
        let (&v, rest) = payload.split_first().ok_or_else(short)?;
        if u32::from(v) != VERSION {
            return Err(ProtocolError::Version(u32::from(v)));
        }
        let (&n, rest) = rest.split_first().ok_or_else(short)?;
        let (id, rest) = rest.split_at_checked(usize::from(n)).ok_or_else(short)?;
        let (seq, opus) = rest.split_at_checked(4).ok_or_else(short)?;
        let emergency = std::str::from_utf8(id).map_err(|_| short())?;
        let seq = u32::from_be_bytes(seq.try_into().map_err(|_| short())?);
        if opus.is_empty() {
            return Err(short());
        }
        Ok(LiveFrame {
            emergency,
            seq,
            opus,
        })
    }
}

/// `node/<id>/status`: how the node is (retained; the broker publishes [`NodeStatus::Offline`]
/// as its last will).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum NodeStatus {
    /// Up, with its report.
    Online(Box<NodeReport>),
    /// Gone: the node said so on the way down, or the broker did when it vanished.
    Offline,
}

/// What an online node reports, every few seconds and on every change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeReport {
    /// The node's clock when it wrote this.
    pub at: DateTime<Utc>,
    /// Loa Xã's version on the node.
    pub version: String,
    /// When the node's service started.
    pub started_at: DateTime<Utc>,
    /// Whether its sound output works.
    pub output_ok: bool,
    /// What is on air.
    pub now_playing: Option<NowPlaying>,
    /// Its media cache.
    pub cache: CacheStats,
    /// The plan it airs from.
    pub plan_version: Option<u64>,
    /// Its clock minus the head-end's, in ms, when measured.
    pub clock_offset_ms: Option<i64>,
    /// SoC temperature, where the board tells it.
    pub temperature_c: Option<f32>,
    /// Whether the Pi saw under-voltage since boot, where it tells it.
    pub under_voltage: Option<bool>,
    /// Service starts counted by the node (crash loops show here).
    pub restarts: u64,
    /// Errors logged since it started.
    pub errors: u64,
    /// Cues of the next day whose recordings the node does not have (yet).
    #[serde(default)]
    pub missing: Vec<MissingMedia>,
    /// As-run rows waiting for the head-end.
    #[serde(default)]
    pub queued_asrun: u64,
    /// Topics the broker refused the node (its ACL lacks their lines); the rest work.
    #[serde(default)]
    pub refused_topics: Vec<String>,
}

/// A cue whose recording a node does not have.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MissingMedia {
    /// The cue.
    pub cue: String,
    /// Its title.
    pub title: String,
    /// When it airs.
    pub start: DateTime<Utc>,
    /// Why the node does not have it (still fetching, the cache is full, the head-end refused).
    pub reason: String,
}

/// What a node is airing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NowPlaying {
    /// Its title.
    pub title: String,
    /// The plan cue, if scheduled.
    pub cue: Option<String>,
    /// The emergency, if one.
    pub emergency: Option<MessageId>,
    /// When its first sample reached the output.
    pub since: DateTime<Utc>,
}

/// A node's media cache.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheStats {
    /// Recordings held.
    pub items: u64,
    /// Bytes held.
    pub bytes: u64,
}

/// `head-end/status`: whether the head-end is up (retained; its last will says it is not).
/// A node airs its plan either way; this only tells it (and the panel) why nothing new comes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeadEndStatus {
    /// Up.
    pub online: bool,
    /// It relays its microphone on `live` (and leaves its beacon there first). A head-end of
    /// an older release does not say it (read as `false`): its nodes have no live audio to
    /// miss when they cannot read `live`.
    #[serde(default)]
    pub live: bool,
}

/// `node/<id>/asrun`: one play on a node, sent until the head-end says it stored it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AsRunRow {
    /// Unique on the node (the head-end deduplicates on node and id).
    pub id: String,
    /// Grows with every change of the row (interrupted, then aired again): the head-end keeps
    /// the highest it got.
    pub revision: u32,
    /// The head-end's item, for scheduled plays of items.
    pub item_id: Option<i64>,
    /// The plan cue, for scheduled plays.
    pub cue: Option<String>,
    /// The emergency command, for emergencies.
    pub emergency: Option<MessageId>,
    /// What it was.
    pub title: String,
    /// The recording.
    pub media: Option<String>,
    /// How it ended.
    pub outcome: Outcome,
    /// Why (failed, missed, interrupted).
    pub reason: Option<String>,
    /// When it was meant to start.
    pub planned_at: Option<DateTime<Utc>>,
    /// When its first sample reached the node's output.
    pub first_sample_at: Option<DateTime<Utc>>,
    /// When its last sample did.
    pub last_sample_at: Option<DateTime<Utc>>,
}

/// An as-run row the head-end stored, in the revision it stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredRow {
    /// The row's id on the node.
    pub id: String,
    /// Its revision.
    pub revision: u32,
}

/// `node/<id>/ack`: a node's answer to a command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ack {
    /// The command answered.
    pub command: MessageId,
    /// The node's clock when it answered.
    pub node_time: DateTime<Utc>,
    /// What came of it.
    pub result: AckResult,
}

/// What came of a command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum AckResult {
    /// Done (or started: the as-run row tells when the first sample aired).
    Done,
    /// It arrived after its expiry and was dropped.
    Expired,
    /// The node could not do it.
    Refused {
        /// Why.
        reason: String,
    },
}

/// A node's clock offset from a probe: the head-end sent at `sent`, the node stamped
/// `node_time`, the answer came back at `received` (both head-end times). Assumes the two
/// halves of the trip take as long; the error is at most half the round trip.
pub fn clock_offset_ms(
    sent: DateTime<Utc>,
    node_time: DateTime<Utc>,
    received: DateTime<Utc>,
) -> i64 {
    let midpoint = sent + (received - sent) / 2;
    (node_time - midpoint).num_milliseconds()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn media() -> MediaRef {
        MediaRef {
            sha256: "ab".repeat(32),
            bytes: 48_000,
            duration_ms: 3_000,
        }
    }

    #[test]
    fn a_live_frame_reads_back_and_a_cut_or_foreign_one_is_refused() {
        let id = MessageId::random();
        let frame = LiveFrame {
            emergency: &id.0,
            seq: 70_000,
            opus: &[1, 2, 3],
        };
        let bytes = frame.encode();
        assert_eq!(LiveFrame::decode(&bytes).unwrap(), frame);
        for cut in [0, 1, 2, 30, 2 + 32 + 4] {
            assert!(
                matches!(
                    LiveFrame::decode(&bytes[..cut]),
                    Err(ProtocolError::Frame(_))
                ),
                "{cut}"
            );
        }
        let mut other = bytes.clone();
        other[0] = 2;
        assert!(matches!(
            LiveFrame::decode(&other),
            Err(ProtocolError::Version(2))
        ));
    }

    #[test]
    fn every_message_carries_its_version_and_reads_back() {
        let now = t("2026-12-01T05:00:00Z");
        let cmd = Command::new(
            Action::EmergencyStart(Emergency {
                chime: Some(media()),
                content: EmergencyContent::Recording {
                    media: media(),
                    text: Some("Bão số 3 đổ bộ".into()),
                },
                repeat: 3,
                gain_db: 3.0,
                zones: vec!["Thôn 2".into()],
            }),
            now,
            Some(Duration::minutes(30)),
        );
        let bytes = encode(&cmd);
        let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(json["v"], 1);
        assert_eq!(json["action"], "emergency_start");
        assert_eq!(json["content"]["kind"], "recording");
        assert_eq!(decode::<Command>(&bytes).unwrap(), cmd);

        let offline = encode(&NodeStatus::Offline);
        assert_eq!(offline, br#"{"v":1,"state":"offline"}"#);
        assert_eq!(decode::<NodeStatus>(&offline).unwrap(), NodeStatus::Offline);
        let plan = Plan {
            version: 7,
            generated_at: now,
            from: now,
            to: now + Duration::days(PLAN_DAYS),
            chime: Some(media()),
            cues: vec![PlanCue {
                key: "sang/2026-12-01/1".into(),
                start: now,
                slot: "sang".into(),
                slot_start: now,
                item_id: Some(4),
                title: "Bản tin sáng".into(),
                tier: Tier::Priority,
                zones: vec![],
                media: media(),
                gain_db: -2.5,
                volume_db: -6.0,
            }],
        };
        assert_eq!(decode::<Plan>(&encode(&plan)).unwrap(), plan);
        assert_eq!(
            plan.media(),
            vec![media()],
            "the chime and the cue share a recording"
        );
    }

    #[test]
    fn an_emergency_whose_text_is_being_read_aloud_says_so() {
        let now = t("2026-12-01T05:00:00Z");
        let cmd = Command::new(
            Action::EmergencyStart(Emergency {
                chime: Some(media()),
                content: EmergencyContent::Speaking {
                    text: Some("Lũ quét".into()),
                },
                repeat: 0,
                gain_db: 0.0,
                zones: vec![],
            }),
            now,
            None,
        );
        let bytes = encode(&cmd);
        let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(json["content"]["kind"], "speaking");
        assert_eq!(decode::<Command>(&bytes).unwrap(), cmd);
    }

    #[test]
    fn other_versions_and_junk_are_refused_and_new_fields_are_ignored() {
        let e = decode::<NodeStatus>(br#"{"v":2,"state":"offline"}"#).unwrap_err();
        assert!(matches!(e, ProtocolError::Version(2)), "{e}");
        assert!(e.to_string().contains("update"));
        assert!(decode::<NodeStatus>(b"offline").is_err());
        assert!(decode::<NodeStatus>(br#"{"state":"offline"}"#).is_err());
        let newer = br#"{"v":1,"state":"offline","reason":"shutdown"}"#;
        assert_eq!(decode::<NodeStatus>(newer).unwrap(), NodeStatus::Offline);
    }

    #[test]
    fn a_command_expires_on_the_node_clock_and_gives_the_broker_its_expiry() {
        let now = t("2026-12-01T05:00:00Z");
        let cmd = Command::new(Action::ClockProbe, now, Some(Duration::seconds(90)));
        assert!(cmd.is_live(now + Duration::seconds(89)));
        assert!(!cmd.is_live(now + Duration::seconds(90)));
        assert_eq!(cmd.expiry_seconds(now), Some(90));
        assert_eq!(cmd.expiry_seconds(now + Duration::hours(1)), Some(1));
        let forever = Command::new(Action::ClockProbe, now, None);
        assert!(forever.is_live(now + Duration::days(365)));
        assert_eq!(forever.expiry_seconds(now), None);
    }

    #[test]
    fn clock_offset_is_the_node_time_against_the_trips_midpoint() {
        let sent = t("2026-12-01T05:00:00Z");
        let back = sent + Duration::milliseconds(40);
        assert_eq!(
            clock_offset_ms(sent, sent + Duration::milliseconds(20), back),
            0
        );
        let ahead = sent + Duration::milliseconds(3_020);
        assert_eq!(clock_offset_ms(sent, ahead, back), 3_000);
        let behind = sent - Duration::milliseconds(1_980);
        assert_eq!(clock_offset_ms(sent, behind, back), -2_000);
    }
}
