//! The head-end's microphone to every node: while a live emergency airs, what the player reads
//! from the microphone ([`crate::audio::input::Tap`]) is encoded into 20 ms Opus packets (the
//! station's one encoder, [`crate::audio::opus`]) and published on the commune's `live` topic,
//! numbered, at QoS 0. A task of its own, so a plan being made never holds a packet back.
//!
//! Owns the numbering and the encoding of the relay. Must not decide when it runs: the
//! head-end's task starts it with the emergency and drops it with the stop.

use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::RecvError;
use tokio::task::JoinHandle;

use crate::audio::listen::Block;
use crate::audio::opus::{OpusError, Packets};
use crate::cluster::link::Publisher;
use crate::cluster::protocol::{LiveFrame, MessageId};
use crate::cluster::session;
use crate::cluster::topics::Topics;

/// The microphone relayed for one emergency; dropping it ends the relay.
pub struct LiveRelay {
    task: JoinHandle<()>,
}

impl LiveRelay {
    /// Relay what `microphone` gives, as emergency `emergency`'s packets, through `link`.
    /// Inside a tokio runtime.
    pub fn start(
        microphone: Receiver<Block>,
        link: Publisher,
        topics: Topics,
        emergency: MessageId,
    ) -> Result<LiveRelay, OpusError> {
        let packets = Packets::new()?;
        let task = tokio::spawn(relay(microphone, packets, link, topics, emergency));
        Ok(LiveRelay { task })
    }
}

impl Drop for LiveRelay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn relay(
    mut microphone: Receiver<Block>,
    mut packets: Packets,
    link: Publisher,
    topics: Topics,
    emergency: MessageId,
) {
    let mut seq: u32 = 0;
    loop {
        let block = match microphone.recv().await {
            Ok(b) => b,
            // Behind: what was missed is gone, the nodes air silence for it.
            Err(RecvError::Lagged(n)) => {
                tracing::debug!("micrô / microphone relay skipped {n} blocks");
                continue;
            }
            Err(RecvError::Closed) => return,
        };
        packets.add(block.format, &block.samples, |opus| {
            let frame = LiveFrame {
                emergency: &emergency.0,
                seq,
                opus,
            };
            seq = seq.wrapping_add(1);
            if let Err(e) = link.publish(session::live(&topics, frame.encode())) {
                tracing::debug!("{e}");
            }
        });
    }
}
