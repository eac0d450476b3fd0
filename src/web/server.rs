//! The sockets: plain HTTP or HTTPS on `web.listen`, and the optional listener that only sends
//! browsers on to HTTPS. Each connection is served by hyper's HTTP/1.1 with a header read
//! timeout (axum's own `serve` has none, so a client trickling headers held a connection
//! forever); TLS is rustls through tokio-rustls, with the handshake held to the same timeout.
//! A plain request on the HTTPS port gets a short plain answer saying to use `https://`.
//!
//! Owns connections only; what a request may carry is `limits`', who sends it `auth`'s. It does not
//! route or authorise: the router and `auth` do.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use hyper_util::service::TowerToHyperService;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

/// How connections on one listener are served.
#[derive(Clone)]
pub struct Serving {
    /// HTTPS with this acceptor; plain HTTP when `None`.
    pub tls: Option<TlsAcceptor>,
    /// Time a client has for the TLS handshake and for each request's headers.
    pub header_timeout: Duration,
}

/// The first byte of every TLS connection (a handshake record).
const TLS_HANDSHAKE: u8 = 0x16;

/// Accept connections on `listener` and serve `app` on each until `shutdown` completes, then
/// let the requests under way finish.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    serving: Serving,
    shutdown: impl Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors, usually: wait a moment rather than spin.
                    tracing::warn!("không nhận được kết nối / cannot accept a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let (app, serving, watcher) = (app.clone(), serving.clone(), graceful.watcher());
        tokio::spawn(async move { connection(stream, peer, app, &serving, watcher).await });
    }
    graceful.shutdown().await;
}

async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: Router,
    serving: &Serving,
    watcher: Watcher,
) {
    let _ = stream.set_nodelay(true);
    let app = app.map_request(move |mut req: axum::http::Request<Incoming>| {
        req.extensions_mut().insert(ConnectInfo(peer));
        req
    });
    let service = TowerToHyperService::new(app);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(serving.header_timeout);
    let result = match &serving.tls {
        None => {
            watcher
                .watch(http.serve_connection(TokioIo::new(stream), service))
                .await
        }
        Some(acceptor) => {
            let handshake = tls_handshake(stream, acceptor);
            match tokio::time::timeout(serving.header_timeout, handshake).await {
                Ok(Some(tls)) => {
                    watcher
                        .watch(http.serve_connection(TokioIo::new(tls), service))
                        .await
                }
                _ => return,
            }
        }
    };
    if let Err(e) = result {
        tracing::debug!("kết nối {peer} / connection {peer}: {e}");
    }
}

/// The TLS session of `stream`, or `None` (after a plain answer to a plain request).
async fn tls_handshake(
    stream: TcpStream,
    acceptor: &TlsAcceptor,
) -> Option<tokio_rustls::server::TlsStream<TcpStream>> {
    let mut first = [0u8; 1];
    match stream.peek(&mut first).await {
        Ok(1) if first[0] == TLS_HANDSHAKE => {}
        Ok(1) => {
            refuse_plain_http(stream).await;
            return None;
        }
        _ => return None,
    }
    match acceptor.accept(stream).await {
        Ok(tls) => Some(tls),
        Err(e) => {
            tracing::debug!("bắt tay TLS hỏng / TLS handshake failed: {e}");
            None
        }
    }
}

/// Say, in plain HTTP, that this port speaks HTTPS, and close.
async fn refuse_plain_http(mut stream: TcpStream) {
    let body = "Cổng này dùng HTTPS: hãy mở địa chỉ bắt đầu bằng https:// / This port speaks HTTPS: open the address with https://\n";
    let head = format!(
        "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(body.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// The router of the plain-HTTP listener that only sends browsers on to the HTTPS port.
pub fn redirect_to_https(https_port: u16) -> Router {
    use axum::http::{HeaderMap, Uri, header};
    use axum::response::{IntoResponse, Redirect};
    Router::new().fallback(move |headers: HeaderMap, uri: Uri| async move {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(host_without_port)
            .filter(|h| !h.is_empty() && h.bytes().all(host_byte));
        let path = uri.path_and_query().map_or("/", |p| p.as_str());
        match host {
            Some(host) => {
                Redirect::permanent(&format!("https://{host}:{https_port}{path}")).into_response()
            }
            None => (
                axum::http::StatusCode::BAD_REQUEST,
                "thiếu Host / no Host header",
            )
                .into_response(),
        }
    })
}

/// `host` of `host:port` or `[v6]:port`.
fn host_without_port(h: &str) -> &str {
    if h.starts_with('[') {
        return h.split_inclusive(']').next().unwrap_or(h);
    }
    h.rsplit_once(':').map_or(h, |(host, _)| host)
}

/// A byte a host name or address may hold.
fn host_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b".-:[]".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_lose_their_port_and_keep_their_brackets() {
        assert_eq!(host_without_port("loa-xa.local:8080"), "loa-xa.local");
        assert_eq!(host_without_port("192.168.1.20"), "192.168.1.20");
        assert_eq!(host_without_port("[fe80::1]:80"), "[fe80::1]");
        assert!(!"evil.example/x".bytes().all(host_byte));
    }
}
