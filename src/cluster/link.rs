//! The link to the commune's broker: one MQTT 5 connection (rumqttc) that keeps itself up.
//!
//! [`Link::start`] connects with the Pi's credentials (over TLS when a CA is given), sets the
//! last will, subscribes after every connect, and reconnects after any loss with a backoff that
//! doubles to a ceiling and never spins, even when the broker refuses at once. Messages arrive
//! as [`LinkEvent`]s on a channel; [`Link::publish`] never waits on the network, so a node
//! keeps airing while its link is down. MQTT 5 lets a message carry an expiry the broker
//! enforces, so a node back after an emergency ended is never handed the stale start.
//! This module knows MQTT, not what the messages mean: `protocol` and `topics` do.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use rumqttc::v5::mqttbytes::QoS;
use rumqttc::v5::mqttbytes::v5::{
    ConnectReturnCode, Filter, LastWill, Packet, PubAckReason, PublishProperties,
    SubscribeReasonCode,
};
use rumqttc::v5::{AsyncClient, ConnectionError, Event, EventLoop, MqttOptions, StateError};
use rumqttc::{TlsConfiguration, Transport};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// Events kept for a slow reader before the link waits for it.
const EVENT_QUEUE: usize = 256;
/// Publishes kept while the link is down before [`Link::publish`] refuses more. A head-end
/// answers every node's as-run rows at once after an emergency (100 nodes: 100 answers) and
/// the next emergency must still find room behind them; the queue holds only what is sent.
const REQUEST_QUEUE: usize = 1024;
/// QoS 1 publishes on the wire awaiting the broker's acknowledgement. rumqttc keeps a slot for
/// every one it may send, allocated at start: left unset it takes 65 535 (14 MB, most of a
/// node's heap). Mosquitto lets a client have 20 in flight by default (`max_inflight_messages`,
/// its MQTT 5 receive maximum), so 100 never holds a link back; the rest waits in the request
/// queue.
const MAX_INFLIGHT: u16 = 100;

/// How a message is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Once or not at all (statuses that the next one replaces).
    AtMostOnce,
    /// At least once, repeated until the broker has it (commands, plans, as-run rows).
    AtLeastOnce,
}

impl Delivery {
    fn qos(self) -> QoS {
        match self {
            Delivery::AtMostOnce => QoS::AtMostOnce,
            Delivery::AtLeastOnce => QoS::AtLeastOnce,
        }
    }
}

/// A message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// Where.
    pub topic: String,
    /// What (a `protocol::encode`d message).
    pub payload: Vec<u8>,
    /// How.
    pub delivery: Delivery,
    /// Whether the broker keeps it for every later subscriber (plans, statuses).
    pub retain: bool,
    /// Seconds after which the broker drops it undelivered (MQTT 5 message expiry).
    pub expiry_seconds: Option<u32>,
}

/// A received message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    /// Where it was published.
    pub topic: String,
    /// What.
    pub payload: Bytes,
    /// Whether it is a retained message handed over on subscribing.
    pub retained: bool,
}

/// Why the link is down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Down {
    /// The broker refused the credentials (or this client): retrying will not help until
    /// someone fixes the password or the broker's files, but the link retries slowly anyway.
    Refused(String),
    /// The broker's certificate is not trusted, or TLS failed.
    Tls(String),
    /// The network or the broker went away.
    Lost(String),
}

impl std::fmt::Display for Down {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Down::Refused(why) | Down::Tls(why) | Down::Lost(why) => f.write_str(why),
        }
    }
}

/// What happens on the link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkEvent {
    /// Connected; `session_present` says the broker kept this client's session (and the
    /// messages queued for it) from before.
    Connected {
        /// The broker had the session.
        session_present: bool,
    },
    /// The broker answered the subscriptions: from here on nothing sent to the granted ones is
    /// missed. MQTT grants or refuses each filter on its own, so one the ACL refuses (an ACL
    /// written before a topic existed) leaves the others working.
    Subscribed {
        /// The filters the broker refused, in the order subscribed; empty: every one granted.
        refused: Vec<String>,
    },
    /// A message arrived.
    Message(Incoming),
    /// The broker refused a publish (the ACL said no).
    NotAuthorized(String),
    /// The link went down; the next try is in `retry_in`.
    Down {
        /// Why.
        reason: Down,
        /// When the next try is.
        retry_in: Duration,
    },
}

/// How a session survives a disconnection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Session {
    /// Forgotten when the connection ends (a monitor, a test).
    Clean,
    /// Kept by the broker for this long, with the QoS 1 messages that arrive meanwhile, so a
    /// node that reconnects gets what was sent while it was away (and not yet expired).
    Persistent(Duration),
}

/// Waits between reconnection tries: doubling from `first` to `max`, each shortened by up to
/// half at random so a hundred nodes do not come back in step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    /// The first wait.
    pub first: Duration,
    /// The longest wait.
    pub max: Duration,
    next: Duration,
}

impl Backoff {
    /// Doubling from `first` to `max`.
    pub fn new(first: Duration, max: Duration) -> Backoff {
        Backoff {
            first,
            max,
            next: first,
        }
    }

    /// The next wait, given a random `jitter` in 0..1.
    pub fn next_wait(&mut self, jitter: f64) -> Duration {
        let full = self.next;
        self.next = (self.next * 2).min(self.max);
        full.mul_f64(1.0 - 0.5 * jitter.clamp(0.0, 1.0))
            .max(self.first / 2)
    }

    /// Back to the first wait, after a connection that held.
    pub fn reset(&mut self) {
        self.next = self.first;
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff::new(Duration::from_millis(500), Duration::from_secs(30))
    }
}

/// A connection that lasted this long resets the backoff; a shorter one (the broker closing
/// right after accepting) keeps backing off.
const STABLE: Duration = Duration::from_secs(10);

/// Everything a link needs.
#[derive(Debug, Clone)]
pub struct LinkOptions {
    /// The broker's host.
    pub host: String,
    /// The broker's port.
    pub port: u16,
    /// User name (also the client id: the broker is set to use it as one); empty: connect
    /// without credentials (which the commune's broker refuses).
    pub user: String,
    /// Password.
    pub password: String,
    /// The CA certificate(s), PEM, that signed the broker's; `None`: plain TCP.
    pub tls_ca_pem: Option<Vec<u8>>,
    /// Ping interval; the broker declares the client gone after 1.5 times this.
    pub keep_alive: Duration,
    /// Clean or persistent.
    pub session: Session,
    /// Published by the broker if the link dies without saying goodbye.
    pub last_will: Option<Outgoing>,
    /// Subscribed after every connect.
    pub subscriptions: Vec<(String, Delivery)>,
    /// Reconnection waits.
    pub backoff: Backoff,
    /// The largest message accepted (a week's plan is tens of kB).
    pub max_packet_bytes: u32,
}

impl LinkOptions {
    /// Options with the defaults: persistent for a day, 10 s pings, no will, no subscriptions.
    pub fn new(host: &str, port: u16, user: &str, password: &str) -> LinkOptions {
        LinkOptions {
            host: host.to_string(),
            port,
            user: user.to_string(),
            password: password.to_string(),
            tls_ca_pem: None,
            keep_alive: Duration::from_secs(10),
            session: Session::Persistent(Duration::from_secs(24 * 3600)),
            last_will: None,
            subscriptions: Vec::new(),
            backoff: Backoff::default(),
            max_packet_bytes: 1024 * 1024,
        }
    }
}

/// A link that cannot start or cannot send.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// The CA file has no certificate rustls can use.
    #[error(
        "chứng chỉ CA không dùng được / the CA certificate cannot be used: {0}; cần tệp PEM \
         (-----BEGIN CERTIFICATE-----) / a PEM file is needed"
    )]
    BadCa(String),
    /// Too many messages wait for a link that is down.
    #[error("hàng đợi gửi đầy khi mất kết nối / the send queue is full while the link is down")]
    QueueFull,
    /// The link has ended.
    #[error("liên kết đã đóng / the link has ended")]
    Closed,
}

/// A running link: publish through it, read its events from the receiver `start` gave.
/// Dropping it ends the connection (the broker then publishes the last will).
pub struct Link {
    client: AsyncClient,
    task: JoinHandle<()>,
}

/// Publishes on a link; cheap to clone. Sends nothing once the link has ended.
#[derive(Clone)]
pub struct Publisher {
    client: AsyncClient,
}

impl Publisher {
    /// Queue a message; it goes out now, or when the link is back. Never waits.
    pub fn publish(&self, msg: Outgoing) -> Result<(), LinkError> {
        let properties = PublishProperties {
            message_expiry_interval: msg.expiry_seconds,
            ..PublishProperties::default()
        };
        self.client
            .try_publish_with_properties(
                msg.topic,
                msg.delivery.qos(),
                msg.retain,
                msg.payload,
                properties,
            )
            .map_err(|e| match e {
                rumqttc::v5::ClientError::TryRequest(_) => LinkError::QueueFull,
                rumqttc::v5::ClientError::Request(_) => LinkError::Closed,
            })
    }
}

impl Link {
    /// Connect and keep connecting; must be called inside a tokio runtime.
    pub fn start(opts: LinkOptions) -> Result<(Link, mpsc::Receiver<LinkEvent>), LinkError> {
        let mqtt = mqtt_options(&opts)?;
        let (client, eventloop) = AsyncClient::new(mqtt, REQUEST_QUEUE);
        let (tx, rx) = mpsc::channel(EVENT_QUEUE);
        let filters: Vec<Filter> = opts
            .subscriptions
            .iter()
            .map(|(topic, d)| Filter::new(topic.clone(), d.qos()))
            .collect();
        let task = tokio::spawn(run(eventloop, client.clone(), filters, opts.backoff, tx));
        Ok((Link { client, task }, rx))
    }

    /// Queue a message; it goes out now, or when the link is back. Never waits.
    pub fn publish(&self, msg: Outgoing) -> Result<(), LinkError> {
        self.publisher().publish(msg)
    }

    /// A handle that publishes on this link, for a task of its own (the live microphone).
    pub fn publisher(&self) -> Publisher {
        Publisher {
            client: self.client.clone(),
        }
    }

    /// Say goodbye and end the link: the broker does not publish the last will, so publish
    /// the offline status first if there is one.
    pub async fn close(mut self) {
        // A queued DISCONNECT goes out after what was queued before it.
        let _ = self.client.disconnect().await;
        let _ = tokio::time::timeout(Duration::from_secs(2), &mut self.task).await;
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn mqtt_options(opts: &LinkOptions) -> Result<MqttOptions, LinkError> {
    let client_id = if opts.user.is_empty() {
        "loaxa-anonymous"
    } else {
        &opts.user
    };
    let mut m = MqttOptions::new(client_id, opts.host.clone(), opts.port);
    if !opts.user.is_empty() {
        m.set_credentials(opts.user.clone(), opts.password.clone());
    }
    m.set_keep_alive(opts.keep_alive);
    m.set_max_packet_size(Some(opts.max_packet_bytes));
    m.set_outgoing_inflight_upper_limit(MAX_INFLIGHT);
    // Every message is small and urgent (an emergency, an ack, a status): sent at once, not
    // held by Nagle's algorithm until the last one's ACK is back, a round trip on a 3G link.
    let mut network = m.network_options();
    network.set_tcp_nodelay(true);
    m.set_network_options(network);
    match opts.session {
        Session::Clean => {
            m.set_clean_start(true);
        }
        Session::Persistent(keep) => {
            // MQTT 5 keeps a session only with an expiry above zero.
            m.set_clean_start(false);
            m.set_session_expiry_interval(
                Some(keep.as_secs().clamp(1, u64::from(u32::MAX)) as u32),
            );
        }
    }
    if let Some(will) = &opts.last_will {
        m.set_last_will(LastWill::new(
            will.topic.clone(),
            will.payload.clone(),
            will.delivery.qos(),
            will.retain,
            None,
        ));
    }
    if let Some(pem) = &opts.tls_ca_pem {
        m.set_transport(Transport::tls_with_config(TlsConfiguration::Rustls(
            Arc::new(tls_config(pem)?),
        )));
    }
    Ok(m)
}

/// A TLS client that trusts only the given CA (the commune's), with ring as its crypto.
fn tls_config(ca_pem: &[u8]) -> Result<rustls::ClientConfig, LinkError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem) {
        let cert = cert.map_err(|e| LinkError::BadCa(e.to_string()))?;
        roots
            .add(cert)
            .map_err(|e| LinkError::BadCa(e.to_string()))?;
    }
    if roots.is_empty() {
        return Err(LinkError::BadCa(
            "không có chứng chỉ / no certificate".into(),
        ));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| LinkError::BadCa(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// The link's life: poll, hand events over, resubscribe after each connect, wait between
/// tries. Ends when the reader of events is gone or the client said goodbye.
async fn run(
    mut eventloop: EventLoop,
    client: AsyncClient,
    filters: Vec<Filter>,
    mut backoff: Backoff,
    tx: mpsc::Sender<LinkEvent>,
) {
    let mut connected_at: Option<Instant> = None;
    loop {
        let event = match eventloop.poll().await {
            Ok(Event::Incoming(packet)) => on_packet(packet, &client, &filters, &mut connected_at),
            Ok(Event::Outgoing(rumqttc::Outgoing::Disconnect)) => return,
            Ok(Event::Outgoing(_)) => None,
            Err(ConnectionError::RequestsDone) => return,
            Err(e) => {
                if connected_at.take().is_some_and(|t| t.elapsed() >= STABLE) {
                    backoff.reset();
                }
                let retry_in = backoff.next_wait(fastrand::f64());
                let event = LinkEvent::Down {
                    reason: classify(&e),
                    retry_in,
                };
                if tx.send(event).await.is_err() {
                    return;
                }
                tokio::time::sleep(retry_in).await;
                continue;
            }
        };
        if let Some(event) = event
            && tx.send(event).await.is_err()
        {
            return;
        }
    }
}

fn on_packet(
    packet: Packet,
    client: &AsyncClient,
    filters: &[Filter],
    connected_at: &mut Option<Instant>,
) -> Option<LinkEvent> {
    match packet {
        Packet::ConnAck(ack) => {
            *connected_at = Some(Instant::now());
            if !filters.is_empty() {
                // Queued, not awaited: the event loop that sends it is this one.
                let _ = client.try_subscribe_many(filters.to_vec());
            }
            Some(LinkEvent::Connected {
                session_present: ack.session_present,
            })
        }
        Packet::Publish(p) => Some(LinkEvent::Message(Incoming {
            topic: String::from_utf8_lossy(&p.topic).into_owned(),
            payload: p.payload,
            retained: p.retain,
        })),
        Packet::PubAck(ack)
            if !matches!(
                ack.reason,
                PubAckReason::Success | PubAckReason::NoMatchingSubscribers
            ) =>
        {
            Some(LinkEvent::NotAuthorized(format!(
                "broker từ chối tin / the broker refused a message: {:?}",
                ack.reason
            )))
        }
        Packet::SubAck(ack) => Some(LinkEvent::Subscribed {
            refused: refused_filters(filters, &ack.return_codes),
        }),
        _ => None,
    }
}

/// The filters a SUBACK refused: its codes answer the filters one by one, in order (a code
/// missing counts as a refusal).
fn refused_filters(filters: &[Filter], codes: &[SubscribeReasonCode]) -> Vec<String> {
    filters
        .iter()
        .enumerate()
        .filter(|(i, _)| !matches!(codes.get(*i), Some(SubscribeReasonCode::Success(_))))
        .map(|(_, f)| f.path.clone())
        .collect()
}

fn classify(e: &ConnectionError) -> Down {
    let refused = |code: &ConnectReturnCode| {
        Down::Refused(format!(
            "broker từ chối kết nối / the broker refused the connection: {code:?}; kiểm tra \
             [cluster] user và password / check [cluster] user and password"
        ))
    };
    match e {
        ConnectionError::ConnectionRefused(code) => refused(code),
        ConnectionError::MqttState(StateError::ConnFail { reason }) => refused(reason),
        ConnectionError::Tls(t) => Down::Tls(format!(
            "TLS: {t}; kiểm tra [cluster] tls_ca_file và tên máy / check [cluster] tls_ca_file \
             and the host name"
        )),
        other => Down::Lost(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_its_ceiling_never_below_half_the_first_and_resets() {
        let mut b = Backoff::new(Duration::from_millis(500), Duration::from_secs(30));
        let waits: Vec<Duration> = (0..10).map(|_| b.next_wait(0.0)).collect();
        assert_eq!(waits[0], Duration::from_millis(500));
        assert_eq!(waits[1], Duration::from_secs(1));
        assert_eq!(waits[9], Duration::from_secs(30));
        assert!(waits.windows(2).all(|w| w[0] <= w[1]));
        let shortest = b.next_wait(1.0);
        assert_eq!(
            shortest,
            Duration::from_secs(15),
            "jitter takes at most half"
        );
        b.reset();
        assert!(b.next_wait(1.0) >= Duration::from_millis(250));
    }

    #[test]
    fn each_refused_filter_is_named_and_the_granted_ones_are_not() {
        let filters = vec![
            Filter::new("loaxa/xa/broadcast", QoS::AtLeastOnce),
            Filter::new("loaxa/xa/live", QoS::AtMostOnce),
            Filter::new("loaxa/xa/node/thon-2/cmd", QoS::AtLeastOnce),
        ];
        let codes = [
            SubscribeReasonCode::Success(QoS::AtLeastOnce),
            SubscribeReasonCode::NotAuthorized,
            SubscribeReasonCode::Success(QoS::AtLeastOnce),
        ];
        assert_eq!(refused_filters(&filters, &codes), vec!["loaxa/xa/live"]);
        assert_eq!(
            refused_filters(&filters, &codes[..2]),
            vec!["loaxa/xa/live", "loaxa/xa/node/thon-2/cmd"],
            "a filter the broker did not answer is not taken for granted"
        );
    }

    #[test]
    fn a_ca_file_without_a_certificate_is_refused_with_the_fix() {
        let e = tls_config(b"not a certificate").unwrap_err();
        assert!(e.to_string().contains("PEM"), "{e}");
    }
}
