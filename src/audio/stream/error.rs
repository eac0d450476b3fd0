//! Why a stream cannot be relayed, said so that the person on duty knows what to fix: every
//! message names the stream and the cause, in Vietnamese and in English, kept apart so a page
//! shows its own language. It does not retry or decide what to air instead: the monitor and the
//! fallback do.

use super::url::StreamUrl;
use crate::model::Said;
use crate::model::said;

/// Why a stream cannot be relayed (right now: the relay retries while it should run).
///
/// A detail is a [`Said`] too: in both languages where it is ours, the same words in both
/// where a library (in English) or the server said it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.said())]
pub enum StreamError {
    /// The address is not an `http://` or `https://` URL.
    BadUrl { url: String, why: Said },
    /// The server refused the connection: nothing listens there.
    Refused { url: StreamUrl },
    /// No such host.
    HostNotFound { url: StreamUrl },
    /// No connection for another reason: no route, TLS failed.
    Unreachable { url: StreamUrl, detail: Said },
    /// The server answered with an error status.
    Status { url: StreamUrl, code: u16 },
    /// A web page where a stream was expected (the station's player page, a login page).
    Html { url: StreamUrl },
    /// Something that is not audio (text, a picture, JSON).
    NotAudio {
        url: StreamUrl,
        content_type: String,
    },
    /// A `.pls` or `.m3u` listing that names no stream.
    EmptyListing { url: StreamUrl },
    /// Redirect after redirect, past the bound.
    TooManyRedirects { url: StreamUrl, max: u32 },
    /// Connected, but no data for this long.
    Stalled { url: StreamUrl, seconds: u64 },
    /// The server closed the stream.
    Ended { url: StreamUrl },
    /// Audio we cannot decode.
    Undecodable { url: StreamUrl, detail: Said },
    /// An HLS playlist that is broken or uses what we do not play.
    Playlist { url: StreamUrl, detail: Said },
    /// A relay played on simulated time (tests, `--fast`), where no live stream can keep
    /// up: it is out for its whole length and its fallback airs.
    NotRealTime,
    /// The relay's network thread could not start (the system is out of threads).
    NoThread { detail: Said },
    /// A read failed part way (the connection broke).
    Read { url: StreamUrl, detail: Said },
}

impl StreamError {
    /// What went wrong and what to do, in each language.
    pub fn said(&self) -> Said {
        match self {
            StreamError::BadUrl { url, why } => {
                let (vi, en) = (why.vi(), why.en());
                said!(
                    "địa chỉ luồng không hợp lệ \"{url}\": {vi} — hãy dùng http://máy-chủ:cổng/đường-dẫn",
                    "invalid stream address \"{url}\": {en} — use http://host:port/path"
                )
            }
            StreamError::Refused { url } => said!(
                "{url} từ chối kết nối — đài có thể đang tắt",
                "{url} refused the connection — the station may be off the air"
            ),
            StreamError::HostNotFound { url } => said!(
                "không tìm thấy máy chủ của {url} — hãy kiểm tra địa chỉ và mạng",
                "cannot find the host of {url} — check the address and the network"
            ),
            StreamError::Unreachable { url, detail } => {
                let (vi, en) = (detail.vi(), detail.en());
                said!(
                    "không kết nối được tới {url}: {vi} — hãy kiểm tra mạng",
                    "cannot connect to {url}: {en} — check the network"
                )
            }
            StreamError::Status { url, code } => {
                let (hint_vi, hint_en) = status_hint(*code);
                said!(
                    "máy chủ trả lời {code} cho {url}{hint_vi}",
                    "the server answered {code} for {url}{hint_en}"
                )
            }
            StreamError::Html { url } => said!(
                "{url} là một trang web, không phải luồng âm thanh — hãy lấy địa chỉ của chính luồng (thường kết thúc bằng .mp3, .aac, .ogg hoặc .m3u8)",
                "{url} is a web page, not an audio stream — use the stream's own address (it usually ends in .mp3, .aac, .ogg or .m3u8)"
            ),
            StreamError::NotAudio { url, content_type } => said!(
                "{url} không phải luồng âm thanh (máy chủ gửi {content_type}) — hãy kiểm tra địa chỉ",
                "{url} is not an audio stream (the server sends {content_type}) — check the address"
            ),
            StreamError::EmptyListing { url } => said!(
                "danh sách {url} không có địa chỉ luồng nào",
                "the listing {url} names no stream"
            ),
            StreamError::TooManyRedirects { url, max } => said!(
                "{url} chuyển hướng quá {max} lần — địa chỉ bị vòng lặp, hãy hỏi đài địa chỉ đúng",
                "{url} redirects more than {max} times — the address loops, ask the station for the right one"
            ),
            StreamError::Stalled { url, seconds } => said!(
                "{url} không gửi dữ liệu trong {seconds} giây",
                "{url} sent no data for {seconds} seconds"
            ),
            StreamError::Ended { url } => {
                said!("{url} đã ngắt luồng", "{url} closed the stream")
            }
            StreamError::Undecodable { url, detail } => {
                let (vi, en) = (detail.vi(), detail.en());
                said!(
                    "không giải mã được {url}: {vi}",
                    "cannot decode {url}: {en}"
                )
            }
            StreamError::Playlist { url, detail } => {
                let (vi, en) = (detail.vi(), detail.en());
                said!(
                    "danh sách HLS {url} không dùng được: {vi}",
                    "unusable HLS playlist {url}: {en}"
                )
            }
            StreamError::NotRealTime => said!(
                "tiếp sóng theo thời gian mô phỏng không nhận được luồng nào: phát dự phòng",
                "a relay on simulated time reaches no stream: the fallback airs"
            ),
            StreamError::NoThread { detail } => {
                let (vi, en) = (detail.vi(), detail.en());
                said!(
                    "không khởi động được luồng tiếp sóng: {vi}",
                    "cannot start the relay's thread: {en}"
                )
            }
            StreamError::Read { url, detail } => {
                let (vi, en) = (detail.vi(), detail.en());
                said!(
                    "mất kết nối tới {url}: {vi}",
                    "lost the connection to {url}: {en}"
                )
            }
        }
    }
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
