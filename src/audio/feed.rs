//! A live feed pushed from elsewhere: the head-end's microphone reaching a village node as
//! numbered Opus packets over the broker. A small jitter buffer sits between the network and
//! the player: packets go in as they come ([`LiveFeed::push`]), the player reads 48 kHz mono
//! out ([`FeedReader`]). A lost packet is 20 ms of silence, an empty buffer 10 ms of it, so the
//! player never waits on the network; a buffer that grows past [`MOST`] drops its oldest, so
//! the delay stays small. A reader that opens late starts from the packet that comes next.
//!
//! Owns the buffer and the decoding. Must not know the broker or the emergency: the node's
//! exchange pushes, the player reads.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::opus::{self, FRAME};

/// Packets held before the reader starts (and starts again after running dry): 60 ms to
/// ride out the link's jitter.
pub const PRIMED: usize = 3;
/// Packets held at most (200 ms): past that the oldest go, so a burst never adds delay.
pub const MOST: usize = 10;
/// A feed with no packet for this long is over: the head-end, or the link to it, is gone.
const QUIET: Duration = Duration::from_secs(10);
/// What the reader hands out while it has nothing: 10 ms.
const GAP: usize = FRAME / 2;

/// A live feed's buffer, shared by whoever pushes and the player reading it. Cheap to clone.
#[derive(Clone, Default)]
pub struct LiveFeed {
    shared: Arc<Mutex<Jitter>>,
}

impl std::fmt::Debug for LiveFeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let j = self.lock();
        f.debug_struct("LiveFeed")
            .field("held", &j.frames.len())
            .field("closed", &j.closed)
            .finish_non_exhaustive()
    }
}

/// The same feed (the same buffer), not equal contents.
impl PartialEq for LiveFeed {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

/// What happened to a feed so far, for the as-run warnings and the bench.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FeedStats {
    /// Packets decoded and kept.
    pub received: u64,
    /// Packets that never came (or came too late): aired as silence.
    pub lost: u64,
    /// Times the buffer ran dry.
    pub underruns: u64,
}

#[derive(Default)]
struct Jitter {
    /// Made with the first packet.
    decoder: Option<opus::Samples>,
    frames: BTreeMap<u32, Vec<f32>>,
    /// The number of the packet to play next; `None` until primed.
    next: Option<u32>,
    last_push: Option<Instant>,
    closed: bool,
    stats: FeedStats,
}

impl LiveFeed {
    fn lock(&self) -> std::sync::MutexGuard<'_, Jitter> {
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Packet number `seq` arrived. A packet older than what already aired is dropped.
    pub fn push(&self, seq: u32, packet: &[u8]) {
        let mut j = self.lock();
        if j.closed || j.next.is_some_and(|n| seq < n) || j.frames.contains_key(&seq) {
            return;
        }
        if j.decoder.is_none() {
            match opus::Samples::new() {
                Ok(d) => j.decoder = Some(d),
                Err(e) => {
                    tracing::error!("{e}");
                    return;
                }
            }
        }
        let Some(decoder) = j.decoder.as_mut() else {
            return;
        };
        let pcm = match decoder.decode(packet) {
            Ok(s) => s.to_vec(),
            Err(e) => {
                tracing::debug!("{e}");
                return;
            }
        };
        j.frames.insert(seq, pcm);
        j.stats.received += 1;
        j.last_push = Some(Instant::now());
        while j.frames.len() > MOST {
            j.frames.pop_first();
        }
        if let (Some(n), Some((&first, _))) = (j.next, j.frames.first_key_value())
            && first > n
            && j.frames.len() == MOST
        {
            // The oldest went unheard: play on from the oldest kept.
            j.next = Some(first);
        }
    }

    /// No more packets: the reader ends.
    pub fn close(&self) {
        self.lock().closed = true;
    }

    /// What the feed has seen.
    pub fn stats(&self) -> FeedStats {
        self.lock().stats
    }

    /// A reader for the player, which ends when the feed is closed or has been quiet for
    /// ten seconds.
    pub fn reader(&self) -> FeedReader {
        FeedReader {
            feed: self.clone(),
            opened: Instant::now(),
            block: Vec::with_capacity(FRAME),
        }
    }
}

/// The player's end of a [`LiveFeed`]: 48 kHz mono ([`opus::FORMAT`]), never waiting.
pub struct FeedReader {
    feed: LiveFeed,
    opened: Instant,
    block: Vec<f32>,
}

impl FeedReader {
    /// The next samples: a packet, or silence for a lost one or while the buffer fills;
    /// `None` once the feed is over.
    pub fn next_block(&mut self) -> Option<&[f32]> {
        let mut j = self.feed.lock();
        let heard = j.last_push.unwrap_or(self.opened).max(self.opened);
        if j.closed || heard.elapsed() > QUIET {
            return None;
        }
        self.block.clear();
        let next = match j.next {
            Some(n) => Some(n),
            None if j.frames.len() >= PRIMED => j.frames.first_key_value().map(|(&k, _)| k),
            None => None,
        };
        match next {
            Some(n) => {
                if let Some(pcm) = j.frames.remove(&n) {
                    self.block.extend_from_slice(&pcm);
                    j.next = Some(n.wrapping_add(1));
                } else if !j.frames.is_empty() {
                    // A later packet is here and this one is not: it was lost.
                    j.stats.lost += 1;
                    self.block.resize(FRAME, 0.0);
                    j.next = Some(n.wrapping_add(1));
                } else {
                    // Dry: fill again before playing on.
                    j.stats.underruns += 1;
                    j.next = None;
                    self.block.resize(GAP, 0.0);
                }
            }
            None => self.block.resize(GAP, 0.0),
        }
        Some(&self.block)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Twenty packets of a 1 kHz tone at 0.5, numbered from `from`.
    fn packets(from: u32) -> Vec<(u32, Vec<u8>)> {
        let tone: Vec<f32> = (0..FRAME * 20)
            .map(|i| 0.5 * (2.0 * std::f32::consts::PI * 1000.0 * i as f32 / 48_000.0).sin())
            .collect();
        let mut enc = opus::Packets::new().unwrap();
        let mut out = Vec::new();
        let mut seq = from;
        enc.add(opus::FORMAT, &tone, |p| {
            out.push((seq, p.to_vec()));
            seq += 1;
        });
        out
    }

    fn read(r: &mut FeedReader) -> Vec<f32> {
        r.next_block().unwrap().to_vec()
    }

    #[test]
    fn the_reader_gets_silence_until_primed_then_every_packet_in_order() {
        let feed = LiveFeed::default();
        let mut r = feed.reader();
        assert_eq!(read(&mut r), vec![0.0; GAP], "nothing yet: silence");
        // A late joiner: the first packet it sees is number 500.
        let p = packets(500);
        for (seq, pkt) in &p[..PRIMED] {
            feed.push(*seq, pkt);
        }
        for _ in 0..PRIMED {
            assert_eq!(read(&mut r).len(), FRAME);
        }
        // Dry: silence, then it fills again and plays on.
        assert_eq!(read(&mut r), vec![0.0; GAP]);
        assert_eq!(feed.stats().underruns, 1);
        // Packet 504 is lost; 505 and 506 arrive, then 503 late.
        for i in [3usize, 5, 6] {
            feed.push(p[i].0, &p[i].1);
        }
        assert_eq!(read(&mut r).len(), FRAME, "503");
        assert_eq!(read(&mut r), vec![0.0; FRAME], "504 lost: 20 ms of silence");
        let tone = read(&mut r);
        assert!(tone.iter().any(|s| s.abs() > 0.3), "505 is the tone");
        feed.push(p[4].0, &p[4].1);
        assert_eq!(feed.stats().lost, 1);
        assert_eq!(read(&mut r).len(), FRAME, "506");
        feed.close();
        assert!(r.next_block().is_none(), "closed: the reader ends");
    }

    #[test]
    fn a_burst_past_the_most_held_drops_the_oldest() {
        let feed = LiveFeed::default();
        let mut r = feed.reader();
        let p = packets(0);
        for (seq, pkt) in &p[..PRIMED] {
            feed.push(*seq, pkt);
        }
        read(&mut r);
        for (seq, pkt) in &p[PRIMED..] {
            feed.push(*seq, pkt);
        }
        let held = feed.lock().frames.len();
        assert_eq!(held, MOST);
        assert_eq!(feed.lock().next, Some(10), "plays on from the oldest kept");
    }
}
