//! Real streaming servers for the relay's tests and bench: Debian's `icecast2` fed by `ffmpeg`,
//! HLS written live by `ffmpeg` into a temporary folder, and a tiny HTTP server (axum) for
//! those folders and for the addresses a relay must refuse. Every process started here is
//! killed when its guard drops, whatever the test does.
//!
//! icecast2 refuses to run as root; as root (CI) the generated config tells it to drop to
//! `nobody` (`<changeowner>`), so its folder is made readable by everyone.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Password of the test server's sources.
const SOURCE_PASSWORD: &str = "thu-nghiem";

/// A free TCP port on the loopback interface.
pub fn free_port() -> io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Whether this process runs as root (icecast2 then needs `<changeowner>`).
fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

/// A child process killed (and reaped) on drop.
pub struct Guard(Option<Child>);

impl Guard {
    /// Start `cmd` with no standard input or output.
    pub fn spawn(cmd: &mut Command) -> io::Result<Guard> {
        Ok(Guard(Some(
            cmd.stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()?,
        )))
    }

    /// Its process id, while it runs.
    pub fn id(&self) -> Option<u32> {
        self.0.as_ref().map(Child::id)
    }

    /// Whether it has exited (or was killed).
    fn exited(&mut self) -> bool {
        self.0
            .as_mut()
            .is_none_or(|c| c.try_wait().ok().flatten().is_some())
    }

    /// Kill it now.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The status line and headers of `GET path` on the loopback port, if the server answers
/// in time.
fn head_of(port: u16, path: &str) -> Option<String> {
    let mut s =
        TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(300))
            .ok()?;
    s.set_read_timeout(Some(Duration::from_millis(500))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 4096 {
        s.read_exact(&mut byte).ok()?;
        head.push(byte[0]);
    }
    Some(String::from_utf8_lossy(&head).into_owned())
}

/// The status code of `GET path` on the loopback port, if the server answers in time.
pub fn status_of(port: u16, path: &str) -> Option<u16> {
    head_of(port, path)?.get(9..12)?.parse().ok()
}

/// Wait until `ready` says yes, up to `within`.
fn wait_for(within: Duration, mut ready: impl FnMut() -> bool) -> io::Result<()> {
    let until = Instant::now() + within;
    while Instant::now() < until {
        if ready() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(io::Error::new(
        io::ErrorKind::TimedOut,
        "the server did not come up",
    ))
}

/// An icecast2 server on a loopback port, with its config in a temporary folder.
pub struct Icecast {
    /// Its port.
    pub port: u16,
    _dir: tempfile::TempDir,
    process: Guard,
}

impl Icecast {
    /// Start a server on a free port. (Another test may take the port between our look and
    /// icecast2's bind: then it starts again on another.)
    pub fn start() -> io::Result<Icecast> {
        let mut last = None;
        for _ in 0..5 {
            match Self::start_on(free_port()?) {
                Ok(server) => return Ok(server),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| io::Error::other("icecast2 did not start")))
    }

    /// Start a server on `port` (again, after [`Icecast::kill`]).
    pub fn start_on(port: u16) -> io::Result<Icecast> {
        let dir = tempfile::tempdir()?;
        let owner = if running_as_root() {
            // Only then may (and must) it change user; its folder must be readable by it.
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))?;
            "<changeowner><user>nobody</user><group>nogroup</group></changeowner>"
        } else {
            ""
        };
        let config = format!(
            "<icecast>\
             <limits><clients>50</clients><sources>10</sources><source-timeout>3</source-timeout></limits>\
             <authentication><source-password>{SOURCE_PASSWORD}</source-password>\
             <admin-user>admin</admin-user><admin-password>{SOURCE_PASSWORD}-admin</admin-password></authentication>\
             <hostname>127.0.0.1</hostname>\
             <listen-socket><port>{port}</port><bind-address>127.0.0.1</bind-address></listen-socket>\
             <fileserve>0</fileserve>\
             <paths><logdir>{dir}</logdir><webroot>/usr/share/icecast2/web</webroot>\
             <adminroot>/usr/share/icecast2/admin</adminroot></paths>\
             <logging><accesslog>-</accesslog><errorlog>-</errorlog><loglevel>1</loglevel></logging>\
             <security><chroot>0</chroot>{owner}</security>\
             </icecast>",
            dir = dir.path().display()
        );
        let path = dir.path().join("icecast.xml");
        std::fs::write(&path, config)?;
        let mut process = Guard::spawn(Command::new("icecast2").arg("-c").arg(&path))?;
        // Up once it answers as Icecast (with a 404 for a mount nobody feeds); gone if it
        // could not bind the port.
        wait_for(Duration::from_secs(10), || {
            process.exited() || head_of(port, "/").is_some_and(|h| h.contains("Icecast"))
        })?;
        if process.exited() {
            return Err(io::Error::other(format!(
                "icecast2 could not start on port {port}"
            )));
        }
        Ok(Icecast {
            port,
            _dir: dir,
            process,
        })
    }

    /// The listeners' address of `mount`.
    pub fn url(&self, mount: &str) -> String {
        format!("http://127.0.0.1:{}/{mount}", self.port)
    }

    /// Announce `title` on `mount`, as a station's playout does: the server passes it to
    /// listeners in its ICY metadata.
    pub fn set_title(&self, mount: &str, title: &str) -> io::Result<()> {
        use base64::Engine as _;
        let auth = base64::engine::general_purpose::STANDARD
            .encode(format!("admin:{SOURCE_PASSWORD}-admin"));
        let song: String = title
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect();
        let mut s = TcpStream::connect(("127.0.0.1", self.port))?;
        s.set_read_timeout(Some(Duration::from_secs(2)))?;
        write!(
            s,
            "GET /admin/metadata?mount=/{mount}&mode=updinfo&charset=UTF-8&song={song} HTTP/1.0\r\n\
             Authorization: Basic {auth}\r\n\r\n"
        )?;
        let mut answer = String::new();
        let _ = s.read_to_string(&mut answer);
        if answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.1 200") {
            Ok(())
        } else {
            Err(io::Error::other(format!(
                "icecast2 refused the title: {answer}"
            )))
        }
    }

    /// Kill the server at once, as a crash or a power cut would.
    pub fn kill(&mut self) {
        self.process.kill();
    }
}

/// How a feed is encoded.
#[derive(Debug, Clone, Copy)]
pub enum Codec {
    Mp3,
    Aac,
    Vorbis,
    Opus,
}

impl Codec {
    fn args(self) -> &'static [&'static str] {
        match self {
            Codec::Mp3 => &[
                "-c:a",
                "libmp3lame",
                "-b:a",
                "128k",
                "-content_type",
                "audio/mpeg",
                "-f",
                "mp3",
            ],
            Codec::Aac => &[
                "-c:a",
                "aac",
                "-b:a",
                "96k",
                "-content_type",
                "audio/aac",
                "-f",
                "adts",
            ],
            // Ogg pages of 0.2 s, as a live source sends them (ffmpeg's default of 1 s delays
            // the first audio by as much).
            Codec::Vorbis => &[
                "-c:a",
                "libvorbis",
                "-q:a",
                "3",
                "-content_type",
                "audio/ogg",
                "-page_duration",
                "200000",
                "-f",
                "ogg",
            ],
            Codec::Opus => &[
                "-c:a",
                "libopus",
                "-b:a",
                "64k",
                "-content_type",
                "audio/ogg",
                "-page_duration",
                "200000",
                "-f",
                "ogg",
            ],
        }
    }
}

/// ffmpeg feeding a mount of an Icecast server in real time.
pub struct Feed {
    _process: Guard,
}

impl Feed {
    /// Feed `mount` with a sine of `freq` Hz, encoded as `codec`; returns once listeners can
    /// tune in.
    pub fn sine(server: &Icecast, mount: &str, codec: Codec, freq: u32) -> io::Result<Feed> {
        Self::start(
            server,
            mount,
            codec,
            &format!("sine=frequency={freq}:sample_rate=44100"),
            None,
        )
    }

    /// Feed `mount` with the lavfi `source` (44.1 kHz), through the audio filter `filter` if
    /// any (`volume=…` to make a part silent), encoded as `codec`.
    pub fn start(
        server: &Icecast,
        mount: &str,
        codec: Codec,
        source: &str,
        filter: Option<&str>,
    ) -> io::Result<Feed> {
        let mut cmd = Command::new("ffmpeg");
        cmd.args(["-v", "error", "-re", "-f", "lavfi", "-i", source]);
        if let Some(f) = filter {
            cmd.args(["-af", f]);
        }
        cmd.args(["-ac", "2"]).args(codec.args()).arg(format!(
            "icecast://source:{SOURCE_PASSWORD}@127.0.0.1:{}/{mount}",
            server.port
        ));
        let feed = Feed {
            _process: Guard::spawn(&mut cmd)?,
        };
        let path = format!("/{mount}");
        wait_for(Duration::from_secs(10), || {
            status_of(server.port, &path) == Some(200)
        })?;
        Ok(feed)
    }
}

/// How an HLS feed packs its segments.
#[derive(Debug, Clone, Copy)]
pub enum Hls {
    /// MPEG-TS with AAC, behind a master playlist.
    TsAac,
    /// MPEG-TS with MP3.
    TsMp3,
    /// fMP4 with AAC, behind a master playlist.
    Fmp4Aac,
    /// Packed ADTS segments (no container).
    PackedAdts,
}

/// ffmpeg writing a live HLS stream (1 s segments, a sliding window of 4) into a folder.
pub struct HlsFeed {
    dir: tempfile::TempDir,
    _process: Guard,
}

impl HlsFeed {
    /// Start writing a sine of `freq` Hz; returns once the playlist lists two segments.
    pub fn sine(kind: Hls, freq: u32) -> io::Result<HlsFeed> {
        let dir = tempfile::tempdir()?;
        let out = |name: &str| dir.path().join(name).display().to_string();
        let mut cmd = Command::new("ffmpeg");
        cmd.args(["-v", "error", "-re", "-f", "lavfi", "-i"])
            .arg(format!("sine=frequency={freq}:sample_rate=44100"));
        let hls = [
            "-f",
            "hls",
            "-hls_time",
            "1",
            "-hls_list_size",
            "4",
            "-hls_flags",
            "delete_segments",
        ];
        match kind {
            Hls::TsAac => cmd
                .args(["-c:a", "aac", "-b:a", "64k"])
                .args(hls)
                .args(["-master_pl_name", "master.m3u8"])
                .arg(out("live.m3u8")),
            Hls::TsMp3 => cmd
                .args(["-c:a", "libmp3lame", "-b:a", "64k"])
                .args(hls)
                .arg(out("live.m3u8")),
            Hls::Fmp4Aac => cmd
                .args(["-c:a", "aac", "-b:a", "64k"])
                .args(hls)
                .args([
                    "-hls_segment_type",
                    "fmp4",
                    "-master_pl_name",
                    "master.m3u8",
                ])
                .arg(out("live.m3u8")),
            Hls::PackedAdts => cmd
                .args([
                    "-c:a",
                    "aac",
                    "-b:a",
                    "64k",
                    "-f",
                    "segment",
                    "-segment_time",
                    "1",
                ])
                .args(["-segment_list_type", "m3u8", "-segment_list_flags", "+live"])
                .args([
                    "-segment_list_size",
                    "4",
                    "-segment_format",
                    "adts",
                    "-segment_list",
                ])
                .arg(out("live.m3u8"))
                .arg(out("p%d.aac")),
        };
        let process = Guard::spawn(&mut cmd)?;
        let playlist = dir.path().join("live.m3u8");
        wait_for(Duration::from_secs(15), || {
            std::fs::read_to_string(&playlist).is_ok_and(|t| t.matches("#EXTINF").count() >= 2)
        })?;
        Ok(HlsFeed {
            dir,
            _process: process,
        })
    }

    /// The folder it writes into.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

/// A tiny web server on a loopback port: `/hls/…` serves a folder, and a few addresses
/// answer as a relay must refuse: a web page, a picture, a redirect loop, and a server that
/// never answers. Anything else is 404.
pub struct WebServer {
    /// Its port.
    pub port: u16,
    runtime: Option<tokio::runtime::Runtime>,
}

impl WebServer {
    /// Serve `hls` (if any) under `/hls/`.
    pub fn start(hls: Option<PathBuf>) -> io::Result<WebServer> {
        use axum::response::{IntoResponse, Redirect};
        use axum::routing::get;

        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()?;
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let port = listener.local_addr()?.port();
        let mut app = axum::Router::new()
            .route(
                "/trang.html",
                get(|| async {
                    axum::response::Html("<!DOCTYPE html><html><body>Nghe đài VOV</body></html>")
                }),
            )
            .route(
                "/anh.png",
                get(|| async {
                    (
                        [("content-type", "image/png")],
                        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(),
                    )
                        .into_response()
                }),
            )
            .route("/vong/a", get(|| async { Redirect::temporary("/vong/b") }))
            .route("/vong/b", get(|| async { Redirect::temporary("/vong/a") }))
            .route(
                "/treo",
                get(|| async {
                    std::future::pending::<()>().await;
                    "never"
                }),
            );
        if let Some(dir) = hls {
            app = app.nest_service("/hls", tower_http::services::ServeDir::new(dir));
        }
        runtime.spawn(async move {
            if let Ok(listener) = tokio::net::TcpListener::from_std(listener) {
                let _ = axum::serve(listener, app).await;
            }
        });
        Ok(WebServer {
            port,
            runtime: Some(runtime),
        })
    }

    /// The address of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for WebServer {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}
