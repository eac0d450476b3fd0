//! Why a stream cannot be relayed, said so that the person on duty knows what to fix: every
//! message names the stream and the cause, in Vietnamese and English. It does not retry or decide
//! what to air instead: the monitor and the fallback do.

use super::url::StreamUrl;

/// Why a stream cannot be relayed (right now: the relay retries while it should run).
///
/// Where a detail comes from a library (English) or is already bilingual, it is written once,
/// after both halves of the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StreamError {
    /// The address is not an `http://` or `https://` URL.
    #[error(
        "địa chỉ luồng không hợp lệ / invalid stream address \"{url}\": {why} — hãy dùng / use http://host:port/path"
    )]
    BadUrl { url: String, why: String },
    /// The server refused the connection: nothing listens there.
    #[error(
        "{url} từ chối kết nối — đài có thể đang tắt / {url} refused the connection — the station may be off the air"
    )]
    Refused { url: StreamUrl },
    /// No such host.
    #[error(
        "không tìm thấy máy chủ của {url} — hãy kiểm tra địa chỉ và mạng / cannot find the host of {url} — check the address and the network"
    )]
    HostNotFound { url: StreamUrl },
    /// No connection for another reason: no route, TLS failed.
    #[error(
        "không kết nối được / cannot connect to {url}: {detail} — hãy kiểm tra mạng / check the network"
    )]
    Unreachable { url: StreamUrl, detail: String },
    /// The server answered with an error status.
    #[error(
        "máy chủ trả lời {code} cho {url}{hint_vi} / the server answered {code} for {url}{hint_en}",
        hint_vi = status_hint(*code).0, hint_en = status_hint(*code).1
    )]
    Status { url: StreamUrl, code: u16 },
    /// A web page where a stream was expected (the station's player page, a login page).
    #[error(
        "{url} là một trang web, không phải luồng âm thanh — hãy lấy địa chỉ của chính luồng (thường kết thúc bằng .mp3, .aac, .ogg hoặc .m3u8) / {url} is a web page, not an audio stream — use the stream's own address (it usually ends in .mp3, .aac, .ogg or .m3u8)"
    )]
    Html { url: StreamUrl },
    /// Something that is not audio (text, a picture, JSON).
    #[error(
        "{url} không phải luồng âm thanh (máy chủ gửi {content_type}) — hãy kiểm tra địa chỉ / {url} is not an audio stream (the server sends {content_type}) — check the address"
    )]
    NotAudio {
        url: StreamUrl,
        content_type: String,
    },
    /// A `.pls` or `.m3u` listing that names no stream.
    #[error("danh sách {url} không có địa chỉ luồng nào / the listing {url} names no stream")]
    EmptyListing { url: StreamUrl },
    /// Redirect after redirect, past the bound.
    #[error(
        "{url} chuyển hướng quá {max} lần — địa chỉ bị vòng lặp, hãy hỏi đài địa chỉ đúng / {url} redirects more than {max} times — the address loops, ask the station for the right one"
    )]
    TooManyRedirects { url: StreamUrl, max: u32 },
    /// Connected, but no data for this long.
    #[error(
        "{url} không gửi dữ liệu trong {seconds} giây / {url} sent no data for {seconds} seconds"
    )]
    Stalled { url: StreamUrl, seconds: u64 },
    /// The server closed the stream.
    #[error("{url} đã ngắt luồng / {url} closed the stream")]
    Ended { url: StreamUrl },
    /// Audio we cannot decode.
    #[error("không giải mã được / cannot decode {url}: {detail}")]
    Undecodable { url: StreamUrl, detail: String },
    /// An HLS playlist that is broken or uses what we do not play.
    #[error("danh sách HLS không dùng được / unusable HLS playlist {url}: {detail}")]
    Playlist { url: StreamUrl, detail: String },
    /// A relay played on simulated time (tests, `--fast`), where no live stream can keep
    /// up: it is out for its whole length and its fallback airs.
    #[error(
        "tiếp sóng theo thời gian mô phỏng không nhận được luồng nào: phát dự phòng / a relay on simulated time reaches no stream: the fallback airs"
    )]
    NotRealTime,
    /// The relay's network thread could not start (the system is out of threads).
    #[error("không khởi động được luồng tiếp sóng / cannot start the relay's thread: {detail}")]
    NoThread { detail: String },
    /// A read failed part way (the connection broke).
    #[error("mất kết nối / lost the connection to {url}: {detail}")]
    Read { url: StreamUrl, detail: String },
}

fn status_hint(code: u16) -> (&'static str, &'static str) {
    match code {
        404 => (
            " (không có luồng ở địa chỉ này — đài đã đổi địa chỉ hoặc đang tắt)",
            " (no stream at this address — the station moved it or is off the air)",
        ),
        401 | 403 => (
            " (bị từ chối — luồng cần quyền truy cập)",
            " (refused — the stream needs permission)",
        ),
        500..=599 => (" (lỗi phía đài)", " (a fault at the station's end)"),
        _ => ("", ""),
    }
}
