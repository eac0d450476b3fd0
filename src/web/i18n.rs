//! The words on every page, in Vietnamese first and English second, and how a moment is written for people.
//!
//! Pages take a `&'static Text` and write `{{ t.save }}`; the compiler checks every key exists
//! in both languages. The language comes from the `lang` cookie (default Vietnamese). Words only:
//! it decides nothing a page does.

use axum_extra::extract::cookie::CookieJar;

use crate::model::asrun::Outcome;
use crate::model::{Category, Effect, ReviewState, Role, Said, Tier};

/// A language of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Tiếng Việt (default).
    #[default]
    Vi,
    /// English.
    En,
}

impl Lang {
    /// The language a request asks for, from its `lang` cookie.
    pub fn of(jar: &CookieJar) -> Lang {
        match jar.get("lang").map(|c| c.value()) {
            Some("en") => Lang::En,
            _ => Lang::Vi,
        }
    }

    /// The words in this language.
    pub fn text(self) -> &'static Text {
        match self {
            Lang::Vi => &VI,
            Lang::En => &EN,
        }
    }

    /// `vi` or `en`, for `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// The other language, for the switch in the header.
    pub fn other(self) -> Lang {
        match self {
            Lang::Vi => Lang::En,
            Lang::En => Lang::Vi,
        }
    }

    /// A message in this language only.
    pub fn say(self, said: &Said) -> &str {
        match self {
            Lang::Vi => said.vi(),
            Lang::En => said.en(),
        }
    }

    /// Messages in this language only, as a page lists them.
    pub fn say_all(self, said: &[Said]) -> Vec<String> {
        said.iter().map(|s| self.say(s).to_string()).collect()
    }

    fn pick(self, vi: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }

    /// A category's name.
    pub fn category(self, c: &Category) -> &'static str {
        self.pick(c.label_vi(), c.as_str())
    }

    /// A day of the week's name (`Thứ Hai`, `Monday`).
    pub fn weekday(self, d: chrono::Weekday) -> &'static str {
        const EN: [&str; 7] = [
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
            "Sunday",
        ];
        self.pick(
            crate::text::weekday_vi(d),
            EN[d.num_days_from_monday() as usize],
        )
    }

    /// How long something lasts, in words that cannot be read as a clock time: `25 phút`
    /// (rounded up), or `21 giây` under a minute.
    pub fn length(self, ms: u64) -> String {
        let seconds = ms.div_ceil(1000);
        if seconds < 60 {
            format!("{seconds} {}", self.pick("giây", "s"))
        } else {
            format!("{} {}", seconds.div_ceil(60), self.text().minutes_word)
        }
    }

    /// A slogan effect's name.
    pub fn effect(self, e: Effect) -> &'static str {
        self.pick(e.label_vi(), e.as_str())
    }

    /// A state's name.
    pub fn state(self, s: &ReviewState) -> &'static str {
        self.pick(s.label_vi(), s.as_str())
    }

    /// A tier's name.
    pub fn tier(self, t: &Tier) -> &'static str {
        self.pick(t.label_vi(), t.as_str())
    }

    /// A role's name.
    pub fn role(self, r: &Role) -> &'static str {
        self.pick(r.label_vi(), r.as_str())
    }

    /// An as-run outcome's name.
    pub fn outcome(self, o: &Outcome) -> &'static str {
        self.pick(o.label_vi(), o.as_str())
    }

    /// What started an as-run line (`schedule`, `emergency`, `manual`), in words; an unknown
    /// source is shown as stored.
    pub fn asrun_source(self, source: &str) -> String {
        let t = self.text();
        match source {
            "schedule" => t.source_schedule.to_string(),
            "emergency" => t.source_emergency.to_string(),
            "manual" => t.source_manual.to_string(),
            other => other.to_string(),
        }
    }

    /// An audit action (`item.approve`) in words: "Nội dung · duyệt". A noun or verb it does
    /// not know is shown as stored, so a new action is never hidden.
    pub fn audit_action(self, code: &str) -> String {
        let (noun, verb) = code.split_once('.').unwrap_or((code, ""));
        let noun = self.audit_noun(noun).unwrap_or(noun);
        match verb {
            "" => noun.to_string(),
            verb => format!("{noun} · {}", self.audit_verb(verb).unwrap_or(verb)),
        }
    }

    fn audit_noun(self, noun: &str) -> Option<&'static str> {
        Some(match noun {
            "item" => self.pick("Nội dung", "Item"),
            "bulletin" => self.pick("Bản tin", "Bulletin"),
            "slogan" => self.pick("Khẩu hiệu", "Slogan"),
            "user" => self.pick("Người dùng", "User"),
            "token" => self.pick("Mã truy cập", "Token"),
            "emergency" => self.pick("Khẩn cấp", "Emergency"),
            "programme" => self.pick("Lịch phát", "Programme"),
            "media" => self.pick("Thư viện", "Library"),
            "demo" => self.pick("Dữ liệu mẫu", "Demo"),
            _ => return None,
        })
    }

    fn audit_verb(self, verb: &str) -> Option<&'static str> {
        Some(match verb {
            "create" => self.pick("tạo", "created"),
            "submit" => self.pick("gửi duyệt", "submitted"),
            "withdraw" => self.pick("rút lại", "withdrawn"),
            "approve" => self.pick("duyệt", "approved"),
            "reject" => self.pick("từ chối", "rejected"),
            "edit" => self.pick("sửa", "edited"),
            "expire" => self.pick("hết hạn", "expired"),
            "take_off" => self.pick("gỡ khỏi sóng", "taken off air"),
            "update" => self.pick("cập nhật", "updated"),
            "login" => self.pick("đăng nhập", "signed in"),
            "revoke" => self.pick("thu hồi", "revoked"),
            "start" => self.pick("bắt đầu", "started"),
            "stop" => self.pick("dừng", "stopped"),
            "end" => self.pick("kết thúc", "ended"),
            "replace" => self.pick("thay thế", "replaced"),
            "import" => self.pick("nhập", "imported"),
            "reload" => self.pick("nạp lại", "reloaded"),
            "seed" => self.pick("tạo", "seeded"),
            _ => return None,
        })
    }
}

macro_rules! text {
    ($($key:ident : $vi:literal / $en:literal,)*) => {
        /// Every word on the pages.
        #[derive(Debug)]
        pub struct Text { $(
            #[doc = $en]
            pub $key: &'static str,
        )* }
        const VI: Text = Text { $($key: $vi,)* };
        const EN: Text = Text { $($key: $en,)* };
    };
}

text! {
    app_name: "Loa Xã" / "Loa Xã",
    app_tagline: "Đài truyền thanh xã" / "Commune broadcasting",
    switch_lang: "English" / "Tiếng Việt",
    nav_dashboard: "Tổng quan" / "Dashboard",
    nav_library: "Thư viện" / "Library",
    nav_items: "Bản tin" / "Broadcasts",
    nav_approvals: "Chờ duyệt" / "Approvals",
    nav_programme: "Lịch phát" / "Programme",
    nav_asrun: "Nhật ký phát" / "As-run log",
    nav_audit: "Nhật ký thao tác" / "Audit log",
    nav_users: "Người dùng" / "Users",
    nav_settings: "Cài đặt" / "Settings",
    nav_emergency: "Khẩn cấp" / "Emergency",
    nav_cluster: "Cụm loa" / "Clusters",
    nav_reports: "Báo cáo" / "Reports",
    reports_intro: "Ba báo cáo gửi tỉnh theo tháng (giờ của xã): in trang này hoặc tải tệp CSV để mở bằng Excel." / "The three monthly reports for the province (the commune's time): print this page or download the CSV to open in Excel.",
    report_month: "Tháng" / "Month",
    report_print: "In báo cáo" / "Print",
    report_empty: "Không có số liệu trong tháng này." / "No figures for this month.",
    report_made: "Lập lúc" / "Made at",
    logout: "Đăng xuất" / "Sign out",
    login_title: "Đăng nhập" / "Sign in",
    username: "Tên đăng nhập" / "Login name",
    password: "Mật khẩu" / "Password",
    password_again: "Nhập lại mật khẩu" / "Password again",
    sign_in: "Đăng nhập" / "Sign in",
    login_failed: "Sai tên đăng nhập hoặc mật khẩu." / "Wrong login name or password.",
    session_expired: "Phiên đăng nhập đã hết hạn. Hãy đăng nhập lại." / "Your session has ended. Please sign in again.",
    setup_title: "Tạo tài khoản quản trị" / "Create the administrator",
    setup_intro: "Đây là lần chạy đầu tiên. Hãy tạo tài khoản quản trị; liên kết này chỉ dùng được một lần." / "This is the first start. Create the administrator account; this link works only once.",
    setup_invalid: "Liên kết này đã được dùng hoặc không hợp lệ. Hỏi người quản trị, hoặc chạy loaxa setup-link trên máy chủ để có liên kết mới." / "This link was already used or is not valid. Ask the administrator, or run loaxa setup-link on the server for a new link.",
    setup_expired: "Liên kết này đã hết hạn: liên kết tạo tài khoản quản trị chỉ dùng được trong 24 giờ. Trên máy chủ, chạy lệnh dưới đây để in liên kết mới (liên kết cũ thôi dùng được):" / "This link has expired: a link that creates the administrator works for 24 hours. On the server, run the command below to print a new one (the old one stops working):",
    tokens: "Mã API" / "API tokens",
    token_scope: "Phạm vi" / "Scope",
    token_created: "Tạo lúc" / "Created",
    token_last_used: "Dùng lần cuối" / "Last used",
    token_never_used: "chưa dùng" / "never",
    token_revoke: "Thu hồi" / "Revoke",
    token_revoked: "Đã thu hồi" / "Revoked",
    token_revoke_confirm: "Thu hồi mã này? Script đang dùng nó sẽ bị từ chối ngay." / "Revoke this token? Scripts using it are refused at once.",
    tls_fingerprint: "Dấu vân tay chứng chỉ HTTPS (SHA-256)" / "HTTPS certificate fingerprint (SHA-256)",
    tls_fingerprint_hint: "Khi trình duyệt hỏi có tin chứng chỉ không, so dãy này với dãy trình duyệt hiện (bấm vào ổ khoá, xem chứng chỉ). Giống hệt thì mới tin." / "When a browser asks whether to trust the certificate, compare this with what it shows (the padlock, then the certificate). Trust it only if they are the same.",
    display_name: "Họ tên và chức vụ" / "Name and position",
    create_account: "Tạo tài khoản" / "Create account",
    passwords_differ: "Hai mật khẩu không giống nhau." / "The two passwords differ.",
    on_air: "Đang phát" / "On air",
    nothing_on_air: "Không có gì đang phát." / "Nothing is on air.",
    speakers_silent: "Loa không có tiếng — xem Tình trạng bên dưới." / "The speakers are silent — see Health below.",
    next_cues: "Sắp phát" / "Coming up",
    no_cues: "Chưa có mục nào trong lịch phát sắp tới." / "Nothing scheduled soon.",
    health: "Tình trạng" / "Health",
    warnings: "Cảnh báo" / "Warnings",
    no_warnings: "Không có cảnh báo." / "No warnings.",
    listen_live: "Nghe loa đang phát" / "Listen to the air",
    listen_hint: "Nghe đúng những gì đang ra loa lúc này (trễ vài giây). Khi không có gì phát, luồng im lặng." / "Hear exactly what the speakers get now (a few seconds late). Silent while nothing airs.",
    listen_alone: "Máy này không có card âm thanh: bản demo chỉ phát vào luồng Nghe này." / "This machine has no sound card: the demo airs into this Listen stream alone.",
    audio_output: "Loa / đầu ra âm thanh" / "Speakers / audio output",
    database: "Cơ sở dữ liệu" / "Database",
    underruns: "lần thiếu dữ liệu" / "underruns",
    status_ok: "Tốt" / "OK",
    status_problem: "Có vấn đề" / "Problem",
    waiting_approval: "bản tin chờ duyệt" / "items waiting for approval",
    live_updates: "Tự cập nhật" / "Live",
    upload_title: "Tải bản ghi lên" / "Upload a recording",
    upload_hint: "MP3, M4A (ghi âm điện thoại), OGG, Opus, FLAC, WAV. Tối đa" / "MP3, M4A (phone memos), OGG, Opus, FLAC, WAV. At most",
    file: "Tệp ghi âm" / "Recording",
    title: "Tiêu đề" / "Title",
    category: "Thể loại" / "Category",
    upload: "Tải lên" / "Upload",
    uploading: "Đang tải lên…" / "Uploading…",
    measuring: "Đang kiểm tra và đo âm lượng…" / "Checking and measuring…",
    upload_done: "Đã nhận bản ghi" / "Recording received",
    upload_check: "⚠ Đã nhận, nhưng cần xem lại" / "⚠ Accepted, but check it",
    upload_failed: "Không nhận được bản ghi" / "The recording was not accepted",
    duplicate: "Bản ghi này đã có trong thư viện" / "This recording is already in the library",
    duration: "Thời lượng" / "Duration",
    loudness: "Độ lớn" / "Loudness",
    true_peak: "Đỉnh" / "Peak",
    gain: "Bù âm lượng" / "Gain",
    format: "Định dạng" / "Format",
    library_empty: "Thư viện chưa có bản ghi nào." / "The library is empty.",
    uploaded_by: "Người tải" / "Uploaded by",
    uploaded_at: "Ngày tải" / "Uploaded",
    listen: "Nghe" / "Listen",
    make_item: "Tạo bản tin từ bản ghi này" / "Make a broadcast from this",
    new_item: "Tạo bản tin" / "New broadcast",
    edit_item: "Sửa bản tin" / "Edit broadcast",
    state: "Trạng thái" / "State",
    tier: "Mức ưu tiên" / "Priority",
    air_window: "Thời gian phát" / "Air window",
    air_from: "Từ ngày" / "From",
    air_until: "Đến ngày" / "Until",
    slots: "Buổi phát (để trống: mọi buổi hợp thể loại)" / "Slots (empty: every slot for its category)",
    zones: "Thôn / khu vực (để trống: tất cả)" / "Zones (empty: all)",
    all: "Tất cả" / "All",
    save: "Lưu" / "Save",
    submit: "Gửi duyệt" / "Submit for approval",
    withdraw: "Rút lại" / "Withdraw",
    approve: "Duyệt phát" / "Approve",
    reject: "Từ chối" / "Reject",
    reject_reason: "Lý do từ chối" / "Reason for rejecting",
    recording: "Bản ghi" / "Recording",
    created_by: "Người tạo" / "Created by",
    decided_by: "Người quyết định" / "Decided by",
    no_items: "Chưa có bản tin nào." / "No broadcasts yet.",
    edit: "Sửa" / "Edit",
    back: "Quay lại" / "Back",
    approvals_intro: "Hãy nghe hết bản ghi trước khi duyệt. Không ai được tự duyệt bản tin của mình." / "Listen to the whole recording before deciding. Nobody may approve their own item.",
    nothing_to_approve: "Không có bản tin nào chờ duyệt." / "Nothing is waiting for approval.",
    own_item: "Bạn đã viết hoặc sửa bản này — người khác sẽ duyệt." / "You wrote or edited this version — someone else decides on it.",
    from: "Từ" / "From",
    to: "Đến" / "To",
    show: "Xem" / "Show",
    export_csv: "Tải tệp CSV" / "Download CSV",
    planned: "Giờ dự kiến" / "Planned",
    started: "Bắt đầu" / "Started",
    ended: "Kết thúc" / "Ended",
    outcome: "Kết quả" / "Outcome",
    reason: "Lý do" / "Reason",
    source: "Nguồn" / "Source",
    nothing_aired: "Không có gì được phát trong khoảng này." / "Nothing aired in this period.",
    when: "Thời gian" / "When",
    who: "Người thực hiện" / "Who",
    action: "Thao tác" / "Action",
    subject: "Đối tượng" / "Subject",
    details: "Chi tiết" / "Details",
    filter: "Lọc" / "Filter",
    older: "Cũ hơn →" / "Older →",
    newest: "← Mới nhất" / "← Newest",
    newer: "← Mới hơn" / "← Newer",
    page_word: "Trang" / "Page",
    search: "Tìm" / "Search",
    search_hint: "Tên, người tạo…" / "Title, author…",
    found_none: "Không tìm thấy gì. Thử bớt từ hoặc chọn «Tất cả»." / "Nothing found. Try fewer words or «All».",
    add_user: "Thêm người dùng" / "Add a user",
    role: "Vai trò" / "Role",
    active: "Đang hoạt động" / "Active",
    inactive: "Đã khoá" / "Disabled",
    new_password: "Mật khẩu mới" / "New password",
    set_password: "Đổi mật khẩu" / "Set password",
    disable: "Khoá" / "Disable",
    enable: "Mở khoá" / "Enable",
    settings_intro: "Cấu hình đọc từ tệp loaxa.toml trên máy chủ; đổi ở đó rồi khởi động lại." / "Settings come from loaxa.toml on the server; change them there and restart.",
    error_title: "Có lỗi" / "Something is wrong",
    not_found_title: "Không tìm thấy" / "Not found",
    yes: "Có" / "Yes",
    no: "Không" / "No",
    actions: "Thao tác" / "Actions",
    emergency_intro: "Chiếm toàn bộ loa và bảng LED: chuông báo, rồi nội dung, lặp lại. Chương trình đang phát sẽ tiếp tục sau khi dừng." / "Takes every speaker and the LED panel: the chime, then the message, repeated. The programme carries on afterwards.",
    emergency_message: "Nội dung" / "Message",
    emergency_text: "Soạn nội dung để máy đọc" / "Type a text to be spoken",
    emergency_prepared: "Bản tin khẩn cấp soạn sẵn" / "A prepared emergency message",
    emergency_mic: "Nói trực tiếp qua micrô" / "Speak live through the microphone",
    emergency_repeat: "Lặp lại" / "Repeat",
    repeats_left: "Còn lặp lại (sau lượt đang phát)" / "Repeats left (after the one on air)",
    emergency_until_stopped: "Đến khi dừng" / "Until stopped",
    emergency_go: "PHÁT KHẨN CẤP" / "GO ON AIR",
    emergency_confirm: "Phát thông báo khẩn cấp trên toàn bộ loa ngay bây giờ?" / "Take every speaker for an emergency now?",
    emergency_on_air: "ĐANG PHÁT KHẨN CẤP" / "EMERGENCY ON AIR",
    emergency_stop: "DỪNG KHẨN CẤP" / "STOP THE EMERGENCY",
    emergency_stop_confirm: "Dừng thông báo khẩn cấp?" / "Stop the emergency?",
    reload_programme: "Đọc lại lịch phát" / "Reload the programme",
    nav_display: "Bảng LED" / "LED panel",
    demo_content: "Nội dung mẫu" / "Demo content",
    display_now: "Bảng LED lúc này" / "The panel now",
    display_intro: "Hình trên cập nhật mỗi giây, giống hệt bảng LED ở Trung tâm Phục vụ hành chính công. Chỉ khẩu hiệu đã duyệt mới được hiện; khi có khẩn cấp, bảng hiện cảnh báo." / "The picture updates every second, exactly as the panel at the Public Service Center shows it. Only approved slogans show; in an emergency the panel shows the warning.",
    display_output: "Đầu ra" / "Output",
    slogans: "Khẩu hiệu và thông báo" / "Slogans and notices",
    new_slogan: "Thêm khẩu hiệu" / "New slogan",
    edit_slogan: "Sửa khẩu hiệu" / "Edit slogan",
    no_slogans: "Chưa có khẩu hiệu nào." / "No slogans yet.",
    slogan_text: "Nội dung" / "Text",
    effect: "Hiệu ứng" / "Effect",
    shown: "Giờ hiện" / "Shown",
    all_day: "Cả ngày" / "All day",
    color: "Màu chữ" / "Colour",
    speed: "Tốc độ chạy chữ (điểm/giây; 0 = mặc định)" / "Scroll speed (LEDs per second; 0 = default)",
    hold: "Thời gian hiện đứng yên (giây)" / "Time shown when still (seconds)",
    show_from: "Chỉ hiện từ (giờ)" / "Shown only from",
    show_until: "đến (giờ)" / "until",
    position: "Thứ tự trong vòng quay" / "Place in the rotation",
    preview: "Xem trước" / "Preview",
    preview_hint: "Hình xem trước theo đúng bảng LED, cập nhật khi gõ." / "The preview is drawn for the real panel and follows your typing.",
    mono_note: "Bảng LED một màu: mọi chữ hiện bằng màu của bảng." / "Single-colour panel: every text shows in the panel's own colour.",
    new_bulletin: "Soạn bản tin văn bản" / "Write a typed bulletin",
    edit_bulletin: "Sửa bản tin văn bản" / "Edit typed bulletin",
    typed_bulletin: "Bản tin văn bản" / "Typed bulletin",
    bulletin_intro: "Viết nội dung, chọn giọng đọc: máy đọc thành bản ghi, người duyệt nghe đúng bản ghi đó rồi mới duyệt. Số, ngày, giờ và chữ viết tắt được đọc thành lời." / "Write the notice and choose a voice: the station reads it into a recording, and the approver hears that recording before approving. Numbers, dates, times and abbreviations are read out in words.",
    bulletin_text: "Nội dung bản tin" / "The notice",
    bulletin_text_hint: "Tối đa 5000 ký tự. Biểu tượng cảm xúc (emoji) không được đọc." / "At most 5000 characters. Emoji are not read.",
    voice: "Giọng đọc" / "Voice",
    rate: "Tốc độ đọc (từ/phút, 80–450; thường 140)" / "Reading rate (words per minute, 80–450; usually 140)",
    reading: "Máy sẽ đọc" / "What the voice reads",
    reading_hint: "Đúng những lời giọng đọc đã đọc vào bản ghi này." / "Exactly the words the voice read into this recording.",
    read_again_note: "Sửa nội dung sẽ đọc lại thành bản ghi mới và phải duyệt lại." / "Editing reads it again into a new recording, which needs approval again.",
    edit_makes_revision: "Nếu nội dung này đã được duyệt, những gì bạn sửa sẽ thành một bản sửa đổi chờ duyệt; bản đã duyệt vẫn phát (hoặc vẫn hiện) cho đến khi bản sửa được duyệt." / "If this is approved, your changes become a revision waiting for approval; the approved version keeps airing (or showing) until the revision is approved.",
    words_per_minute: "từ/phút" / "words per minute",
    revision_pending: "Bản sửa đang chờ" / "Revision waiting",
    revision_number: "Phiên bản" / "Version",
    revision_note: "Bản đã duyệt vẫn phát (hoặc vẫn hiện) cho đến khi bản sửa này được duyệt." / "The approved version keeps airing (or showing) until this revision is approved.",
    revision_changes: "Những gì thay đổi" / "What changed",
    revision_old: "Đang phát" / "On air now",
    revision_new: "Bản sửa" / "Revision",
    revision_recordings: "Nghe cả hai bản ghi" / "Listen to both recordings",
    edit_approved_note: "Nội dung này đã được duyệt: sửa sẽ tạo một bản sửa cần duyệt, bản đã duyệt vẫn phát cho đến lúc đó." / "This is approved: editing makes a revision that needs approval; the approved version keeps airing until then.",
    take_off: "Gỡ khỏi sóng" / "Take off air",
    take_off_title: "Gỡ khỏi sóng?" / "Take off air?",
    take_off_intro: "Bản đã duyệt sẽ ngừng phát (hoặc ngừng hiện) ngay và trở về bản nháp; muốn phát lại phải gửi duyệt lại. Bản sửa đang chờ, nếu có, trở thành bản nháp." / "The approved version stops airing (or showing) now and goes back to draft; it needs approval again to air. A revision waiting, if any, becomes the draft.",
    take_off_confirm: "Có, gỡ khỏi sóng" / "Yes, take it off air",
    cancel: "Huỷ" / "Cancel",
    flash_taken_off: "Đã gỡ khỏi sóng." / "Taken off air.",
    flash_revision_saved: "Đã lưu bản sửa — bản đã duyệt vẫn phát cho đến khi bản sửa được duyệt." / "Revision saved — the approved version keeps airing until the revision is approved.",
    flash_unchanged: "Không có gì thay đổi nên không tạo bản sửa." / "Nothing changed, so no revision was made.",
    save_and_read: "Lưu và đọc thành bản ghi" / "Save and read aloud",
    flash_saved: "Đã lưu." / "Saved.",
    flash_submitted: "Đã gửi duyệt." / "Sent for approval.",
    flash_withdrawn: "Đã rút lại." / "Withdrawn.",
    flash_approved: "Đã duyệt — sẽ phát theo lịch." / "Approved — it goes on the programme.",
    flash_rejected: "Đã từ chối; người soạn sẽ thấy lý do." / "Rejected; the author sees the reason.",
    flash_user_created: "Đã tạo người dùng." / "User created.",
    flash_emergency_started: "Đã bắt đầu phát khẩn cấp." / "The emergency is on air.",
    flash_emergency_stopped: "Đã dừng phát khẩn cấp. Chương trình tiếp tục." / "The emergency has stopped. The programme carries on.",
    source_schedule: "Theo lịch phát" / "Programme",
    source_emergency: "Khẩn cấp" / "Emergency",
    source_manual: "Phát tay" / "Played by hand",
    display_output_none: "không có bảng (chỉ xem trước trên trang)" / "no panel (preview on this page only)",
    airs_next: "Sẽ phát:" / "Airs next:",
    will_not_air: "Sẽ KHÔNG được phát:" / "Will NOT air:",
    not_in_programme: "không còn trong lịch phát" / "no longer in the programme",
    no_zones: "Lịch phát chưa chia thôn: phát cho cả xã." / "The programme names no zones: it airs everywhere.",
    never_airs_warning: "sẽ không được phát" / "will never air",
    programme_intro: "Lịch phát trong tuần: các buổi phát và bản tin đã duyệt sẽ phát." / "The week's programme: the slots and the approved items that will air.",
    programme_intro_month: "Lịch phát trong tháng: ngày âm lịch, ngày lễ và các buổi phát của từng ngày." / "The month's programme: each day's lunar date, holidays and slots.",
    programme_edit: "Sửa lịch phát" / "Edit the programme",
    demo_session: "Buổi demo (chỉ có trong bản demo)" / "The demo's session (the demo only)",
    demo_session_next: "lượt tới" / "next",
    demo_session_about: "Chỉ khi chạy loaxa serve --demo, không có trong tệp nào của schedules/: mỗi 5 phút cả ngày lẫn đêm, trừ các giờ có buổi của lịch (05:00–06:55, 17:00–17:55, 21:00–21:55), chuông báo rồi một thông báo mẫu, để người mới thấy một lượt phát trên trang chủ và trong nhật ký phát, và nghe được trên Nghe, dù là giờ nào. Buổi demo phát cả trong giờ yên tĩnh (through_quiet_hours = true), nhỏ hơn theo mức âm lượng buổi tối; các buổi thật vẫn giữ giờ yên tĩnh." / "Only with loaxa serve --demo, in no file of schedules/: every 5 minutes day and night, except the hours of the programme's sessions (05:00–06:55, 17:00–17:55, 21:00–21:55), the chime then one demo notice, so a newcomer sees a cue air on the dashboard and in the as-run log, and can hear it on Listen, whatever the hour. The demo session airs through quiet hours (through_quiet_hours = true), quieter by the evening gain; real sessions keep the quiet hours.",
    programme_files: "Lịch phát nằm trong các tệp schedules/ và playlists/ trên máy; trang này sửa thẳng vào tệp (giữ nguyên chú thích), kiểm tra như loaxa check và áp dụng ngay, không cần khởi động lại." / "The programme lives in the files in schedules/ and playlists/; this page edits them in place (keeping their comments), checks them as loaxa check does and puts them in force at once, without a restart.",
    programme_read_only: "Chỉ quản trị viên được sửa lịch phát." / "Only an administrator may change the programme.",
    programme_slots: "Buổi phát" / "Slots",
    programme_once: "Phát một lần" / "One-off slots",
    programme_holidays: "Ngày lễ" / "Holidays",
    programme_playlists: "Chương trình phát (playlist)" / "Playlists",
    programme_quiet: "Giờ yên tĩnh" / "Quiet hours",
    through_quiet_hours: "phát cả trong giờ yên tĩnh" / "airs through quiet hours",
    programme_problems: "Lỗi trong tệp lịch phát" / "Problems in the programme files",
    add_slot: "Thêm buổi phát" / "Add a slot",
    edit_slot: "Sửa buổi phát" / "Edit the slot",
    slot_name: "Tên định danh (chữ thường không dấu, ví dụ trua)" / "Identifier (a–z, 0–9, -; e.g. trua)",
    slot_title: "Tên hiển thị" / "Title",
    slot_time: "Giờ phát" / "Time",
    slot_days: "Các ngày trong tuần" / "Days of the week",
    slot_cron: "Dòng cron (nâng cao, thay cho giờ và ngày)" / "Cron line (advanced, instead of time and days)",
    slot_cron_hint: "5 trường: phút giờ ngày tháng thứ, ví dụ 30 6 * * 6 là 06:30 thứ Bảy. Để trống để dùng giờ và ngày ở trên." / "Five fields: minute hour day month weekday, e.g. 30 6 * * 6 is 06:30 on Saturdays. Leave empty to use the time and days above.",
    slot_playlist: "Phát chương trình" / "Playlist",
    slot_zones: "Thôn / khu vực nghe (để trống: tất cả)" / "Zones reached (none ticked: all)",
    slot_holidays: "Chỉ phát vào các ngày lễ (để trống: mọi ngày)" / "Only on these holidays (none ticked: every day)",
    programme_file: "Tệp" / "File",
    remove: "Xoá" / "Remove",
    remove_confirm: "Xoá hẳn mục này khỏi tệp lịch phát?" / "Remove this from the programme file for good?",
    programme_no_files: "Lịch phát này không có tệp để sửa." / "This programme has no files to edit.",
    add_holiday: "Thêm ngày lễ" / "Add a holiday",
    edit_holiday: "Sửa ngày lễ" / "Edit the holiday",
    holiday_title: "Tên ngày lễ" / "Holiday name",
    holiday_calendar: "Theo lịch" / "Calendar",
    solar: "Dương lịch" / "Solar",
    lunar: "Âm lịch" / "Lunar",
    holiday_date: "Ngày (tháng-ngày, ví dụ 09-02)" / "Date (month-day, e.g. 09-02)",
    holiday_days: "Kéo dài (ngày)" / "Lasts (days)",
    holiday_greeting: "Phát lời chúc của Chủ tịch vào ngày này" / "The chairman's greeting airs on it",
    add_once: "Thêm buổi phát một lần" / "Add a one-off slot",
    edit_once: "Sửa buổi phát một lần" / "Edit the one-off slot",
    once_at: "Ngày giờ phát" / "Date and time",
    edit_playlist: "Sửa chương trình" / "Edit the playlist",
    max_minutes: "Dài tối đa (phút)" / "Longest (minutes)",
    overflow: "Bản tin không vừa" / "Items that do not fit",
    overflow_drop: "Để sang buổi sau" / "Move to a later slot",
    overflow_extend: "Phát quá giờ" / "Run over",
    parts: "Các phần, theo thứ tự" / "Parts, in order",
    add_part: "Thêm phần" / "Add a part",
    edit_part: "Sửa phần" / "Edit the part",
    part_kind: "Loại phần" / "Kind of part",
    part_jingle: "Nhạc hiệu trong thư viện" / "A jingle from the library",
    part_category: "Bản tin đã duyệt theo thể loại" / "Approved items of a category",
    part_relay: "Tiếp sóng một luồng trực tiếp" / "Relay a live stream",
    part_holidays_only: "Chỉ vào ngày lễ có lời chúc" / "Only on greeting holidays",
    relay_url: "Địa chỉ luồng (http/https)" / "Stream address (http/https)",
    relay_minutes: "Bao lâu (phút)" / "How long (minutes)",
    relay_until: "hoặc đến giờ" / "or until",
    relay_fallback: "Khi mất sóng phát (tên nhạc hiệu hoặc thể loại) — bắt buộc" / "While the stream is out (a jingle's title or a category) — required",
    relay_silence: "Im lặng bao lâu thì coi là mất sóng (giây)" / "Silence this long is an outage (seconds)",
    quiet_hint: "Trong giờ yên tĩnh không phát bản tin thường và ưu tiên (khẩn cấp vẫn phát). Viết các khoảng HH:MM-HH:MM, cách nhau bằng dấu phẩy; qua nửa đêm được." / "In quiet hours no normal or priority programme airs (emergencies do). Write spans HH:MM-HH:MM separated by commas; across midnight is fine.",
    quiet_commune: "Của cả xã" / "The commune's",
    quiet_zones: "Riêng từng thôn (để trống: như cả xã)" / "A zone's own (empty: the commune's only)",
    greeting_word: "Lời chúc" / "Greeting",
    relay_word: "Tiếp sóng" / "Relay",
    jingle_word: "Nhạc hiệu" / "Jingle",
    approved_items: "Bản tin đã duyệt" / "Approved items",
    daily: "Hằng ngày" / "Daily",
    days_word: "ngày" / "days",
    minutes_word: "phút" / "min",
    week_view: "Tuần" / "Week",
    month_view: "Tháng" / "Month",
    today: "Hôm nay" / "Today",
    go_to_date: "Đến ngày" / "Go to",
    cluster_intro: "Các cụm loa ở thôn: mỗi cụm tự phát theo kế hoạch đã nhận, kể cả khi mất kết nối với trung tâm." / "The village clusters: each airs the plan it has, even when its link to the head-end is down.",
    cluster_none: "Máy này không phải trung tâm của cụm loa (cluster.role khác \"head-end\")." / "This station is not a cluster head-end (cluster.role is not \"head-end\").",
    cluster_online: "cụm đang trực tuyến" / "clusters online",
    cluster_up: "Trực tuyến" / "Online",
    cluster_down: "Ngoại tuyến" / "Offline",
    cluster_id: "Mã cụm" / "Node id",
    cluster_zones: "Vùng loa" / "Zones",
    cluster_last_seen: "Liên lạc lần cuối" / "Last seen",
    cluster_cache: "Bộ nhớ đệm (bản ghi · dung lượng)" / "Cache (recordings · size)",
    cluster_clock: "Lệch đồng hồ" / "Clock offset",
    cluster_temperature: "Nhiệt độ" / "Temperature",
    cluster_version: "Phiên bản" / "Version",
}

/// A moment as people here write it, in the commune's time zone: `dd/mm/yyyy HH:MM:SS`.
pub fn local(t: chrono::DateTime<chrono::Utc>, tz: chrono_tz::Tz) -> String {
    t.with_timezone(&tz).format("%d/%m/%Y %H:%M:%S").to_string()
}

/// An RFC 3339 string from the database, shown in the commune's time zone.
pub fn local_str(s: &str, tz: chrono_tz::Tz) -> String {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|d| local(d.with_timezone(&chrono::Utc), tz))
        .unwrap_or_else(|_| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lang_cookie_picks_english_only_when_asked() {
        let mut h = axum::http::HeaderMap::new();
        assert_eq!(Lang::of(&CookieJar::from_headers(&h)), Lang::Vi);
        h.insert(axum::http::header::COOKIE, "a=b; lang=en".parse().unwrap());
        assert_eq!(Lang::of(&CookieJar::from_headers(&h)), Lang::En);
    }

    #[test]
    fn a_length_reads_as_minutes_never_as_a_clock_time() {
        assert_eq!(Lang::Vi.length(25 * 60_000 + 12_000), "26 phút");
        assert_eq!(Lang::En.length(25 * 60_000), "25 min");
        assert_eq!(Lang::Vi.length(21_000), "21 giây");
        assert_eq!(Lang::Vi.length(0), "0 giây");
    }

    #[test]
    fn days_of_the_week_are_named_in_the_pages_language() {
        assert_eq!(Lang::Vi.weekday(chrono::Weekday::Sat), "Thứ Bảy");
        assert_eq!(Lang::En.weekday(chrono::Weekday::Sat), "Saturday");
        assert_eq!(Lang::En.weekday(chrono::Weekday::Mon), "Monday");
    }
}
