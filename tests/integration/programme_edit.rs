//! The programme edited through the real router, on a copy of the shipped programme files: only
//! an admin changes it, with the form's CSRF token; a slot added is in the plan at once (no
//! restart) and in the audit log; a change that would break the programme comes back 422 with
//! `loaxa check`'s words and what was typed, the file untouched; a stale form is refused 409.

use std::path::{Path, PathBuf};

use axum::http::{Method, StatusCode};
use loaxa::model::Role;

use crate::web::{PASSWORD, TestApp, urlencode};

/// A copy of the shipped `schedules/` and `playlists/` to edit, and the app reading it.
pub struct Copy {
    pub dir: tempfile::TempDir,
}

impl Copy {
    pub fn new() -> Copy {
        let dir = tempfile::tempdir().unwrap();
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        for folder in ["schedules", "playlists"] {
            copy_dir(&root.join(folder), &dir.path().join(folder));
        }
        Copy { dir }
    }
    pub fn schedules(&self) -> PathBuf {
        self.dir.path().join("schedules")
    }
    pub fn playlists(&self) -> PathBuf {
        self.dir.path().join("playlists")
    }
    pub fn daily(&self) -> String {
        std::fs::read_to_string(self.schedules().join("hang-ngay.toml")).unwrap()
    }
}

/// Copy the `*.toml` of one folder into another.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

fn app(copy: &Copy) -> TestApp {
    let (s, p) = (copy.schedules(), copy.playlists());
    TestApp::with(move |c| {
        c.schedule.schedules_dir = s;
        c.schedule.playlists_dir = p;
    })
}

/// The hidden `version` of the form on `page`.
fn version(page: &str) -> String {
    page.split("name=\"version\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string()
}

fn slot_form(csrf: &str, version: &str, time: &str) -> String {
    format!(
        "csrf={csrf}&original=&version={version}&file=hang-ngay.toml&title={}&name=trua&time={}&days=t2&days=t4&days=t6&playlist=thong-bao&zones=",
        urlencode("Buổi trưa"),
        urlencode(time)
    )
}

#[tokio::test]
async fn an_admin_adds_a_slot_and_the_plan_has_it_without_a_restart() {
    let copy = Copy::new();
    let t = app(&copy);
    let before = copy.daily();
    let (session, csrf) = t.login("admin", PASSWORD).await.unwrap();
    let (status, _, form) = t
        .page(&session, Method::GET, "/programme/slots/new", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{form}");
    assert!(
        form.contains("<option value=\"thong-bao\""),
        "the real playlists: {form}"
    );
    assert!(form.contains("value=\"giao-thua\""), "the real holidays");
    let v = version(&form);
    let (status, h, _) = t
        .page(
            &session,
            Method::POST,
            "/programme/slots",
            Some(slot_form(&csrf, &v, "11:30")),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        h.0.get("location").and_then(|v| v.to_str().ok()),
        Some("/programme/edit")
    );
    let after = copy.daily();
    let added = "\n[[slot]]\nname = \"trua\"\ntitle = \"Buổi trưa\"\ntime = \"11:30\"\ndays = [\"t2\", \"t4\", \"t6\"]\nplaylist = \"thong-bao\"\n";
    assert!(
        after.starts_with(&before),
        "the file is kept byte for byte, the slot after: {after}"
    );
    assert_eq!(&after[before.len()..], added);
    // In force at once: the timetable has it, the editor page lists it.
    let p = t.service.state.timetable.programme();
    assert!(p.slots.iter().any(|s| s.name == "trua"));
    let (_, _, list) = t.page(&session, Method::GET, "/programme/edit", None).await;
    assert!(
        list.contains("Buổi trưa") && list.contains("11:30"),
        "{list}"
    );
    let (_, audit) = t.api(Role::Admin, Method::GET, "/audit", None).await;
    let text = audit.to_string();
    assert!(
        text.contains("programme.edit") && text.contains("slot.add trua"),
        "{text}"
    );

    // Changed, then removed, through the edit form's own version.
    let (_, _, edit) = t
        .page(
            &session,
            Method::GET,
            "/programme/slots/edit?name=trua",
            None,
        )
        .await;
    assert!(edit.contains("value=\"11:30\""), "{edit}");
    let body = slot_form(&csrf, &version(&edit), "12:00").replace("original=", "original=trua");
    let (status, _, _) = t
        .page(&session, Method::POST, "/programme/slots", Some(body))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(copy.daily().contains("time = \"12:00\""));
    let v = version(
        &t.page(
            &session,
            Method::GET,
            "/programme/slots/edit?name=trua",
            None,
        )
        .await
        .2,
    );
    let body = format!("csrf={csrf}&array=slot&file=hang-ngay.toml&version={v}&name=trua");
    let (status, _, _) = t
        .page(&session, Method::POST, "/programme/remove", Some(body))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        copy.daily(),
        before,
        "removing it gives the file back as it was"
    );
    assert!(
        !t.service
            .state
            .timetable
            .programme()
            .slots
            .iter()
            .any(|s| s.name == "trua")
    );
}

#[tokio::test]
async fn a_breaking_change_comes_back_with_the_problem_and_what_was_typed() {
    let copy = Copy::new();
    let t = app(&copy);
    let before = copy.daily();
    let (session, csrf) = t.login("admin", PASSWORD).await.unwrap();
    let v = version(
        &t.page(&session, Method::GET, "/programme/slots/new", None)
            .await
            .2,
    );
    // 23:00 is inside the shipped quiet hours 21:30–05:30.
    let (status, _, page) = t
        .page(
            &session,
            Method::POST,
            "/programme/slots",
            Some(slot_form(&csrf, &v, "23:00")),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(
        page.contains("schedules/hang-ngay.toml:"),
        "the file and line: {page}"
    );
    assert!(page.contains("giờ yên tĩnh"), "loaxa check's words: {page}");
    assert!(
        page.contains("value=\"23:00\"") && page.contains("value=\"Buổi trưa\""),
        "what was typed stays"
    );
    assert_eq!(copy.daily(), before, "nothing written");
    // A name that is not an identifier: 400, said on the form.
    let body = slot_form(&csrf, &v, "11:00").replace("name=trua", "name=Bu%E1%BB%95i+tr%C6%B0a");
    let (status, _, page) = t
        .page(&session, Method::POST, "/programme/slots", Some(body))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert!(page.contains("tên định danh"), "{page}");
    // A form read before someone else's change is refused, not saved over it.
    let (status, _, _) = t
        .page(
            &session,
            Method::POST,
            "/programme/slots",
            Some(slot_form(&csrf, &v, "11:30")),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let body = slot_form(&csrf, &v, "12:30").replace("name=trua", "name=trua-2");
    let (status, _, page) = t
        .page(&session, Method::POST, "/programme/slots", Some(body))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    assert!(
        page.contains("đã được sửa sau khi bạn mở biểu mẫu"),
        "{page}"
    );
    assert!(page.contains("value=\"12:30\""), "what was typed stays");
    assert!(!copy.daily().contains("trua-2"));
}

#[tokio::test]
async fn only_an_admin_changes_the_programme_and_only_with_the_forms_token() {
    let copy = Copy::new();
    let t = app(&copy);
    let before = copy.daily();
    let (admin, csrf) = t.login("admin", PASSWORD).await.unwrap();
    let v = version(
        &t.page(&admin, Method::GET, "/programme/slots/new", None)
            .await
            .2,
    );
    for who in ["editor", "approver", "operator"] {
        let (session, their_csrf) = t.login(who, PASSWORD).await.unwrap();
        let (status, _, page) = t.page(&session, Method::GET, "/programme/edit", None).await;
        assert_eq!(status, StatusCode::OK, "{who} reads the programme");
        assert!(
            !page.contains("/programme/slots/new"),
            "{who} is offered no change"
        );
        let (status, _, _) = t
            .page(
                &session,
                Method::POST,
                "/programme/slots",
                Some(slot_form(&their_csrf, &v, "11:30")),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who} may not change it");
        let (status, _, _) = t
            .page(&session, Method::GET, "/programme/slots/new", None)
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who} gets no form");
    }
    let (status, _, _) = t
        .page(
            &admin,
            Method::POST,
            "/programme/slots",
            Some(slot_form("sai", &v, "11:30")),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a wrong CSRF token is refused"
    );
    let body = format!("csrf={csrf}&array=slot&file=..%2F..%2Fetc%2Fpasswd&version={v}&name=sang");
    let (status, _, _) = t
        .page(&admin, Method::POST, "/programme/remove", Some(body))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "only the folder's own files");
    assert_eq!(copy.daily(), before);
}

#[tokio::test]
async fn holidays_one_offs_parts_and_quiet_hours_are_changed_in_their_files() {
    let copy = Copy::new();
    let t = app(&copy);
    let (session, csrf) = t.login("admin", PASSWORD).await.unwrap();
    let holidays = || std::fs::read_to_string(copy.schedules().join("ngay-le.toml")).unwrap();
    let before = holidays();
    // A lunar holiday with its greeting, into the holidays' file.
    let (_, _, form) = t
        .page(&session, Method::GET, "/programme/holidays/new", None)
        .await;
    assert!(
        form.contains("value=\"ngay-le.toml\" selected"),
        "the holidays' file first: {form}"
    );
    let body = format!(
        "csrf={csrf}&original=&version={}&file=ngay-le.toml&title={}&name=le-vu-lan&calendar=lunar&date=07-15&days=&greeting=on",
        version(&form),
        urlencode("Lễ Vu Lan")
    );
    let (status, _, page) = t
        .page(&session, Method::POST, "/programme/holidays", Some(body))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    assert!(holidays().starts_with(&before));
    assert!(holidays().ends_with("\n[[holiday]]\nname = \"le-vu-lan\"\ntitle = \"Lễ Vu Lan\"\nlunar = \"07-15\"\ngreeting = true\n"), "{}", holidays());
    assert!(
        t.service
            .state
            .timetable
            .programme()
            .holidays
            .contains_key("le-vu-lan")
    );
    // Giao thừa keeps its offset_days when its title changes.
    let (_, _, form) = t
        .page(
            &session,
            Method::GET,
            "/programme/holidays/edit?name=giao-thua",
            None,
        )
        .await;
    let body = format!(
        "csrf={csrf}&original=giao-thua&version={}&file=ngay-le.toml&title={}&name=giao-thua&calendar=lunar&date=01-01&days=&offset_days=-1&greeting=on",
        version(&form),
        urlencode("Đêm Giao thừa")
    );
    let (status, _, _) = t
        .page(&session, Method::POST, "/programme/holidays", Some(body))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        holidays().contains("title = \"Đêm Giao thừa\"\nlunar = \"01-01\"\noffset_days = -1\n"),
        "{}",
        holidays()
    );
    // 31 February is refused with loaxa check's words.
    let (_, _, form) = t
        .page(&session, Method::GET, "/programme/holidays/new", None)
        .await;
    let body = format!(
        "csrf={csrf}&original=&version={}&file=ngay-le.toml&title=Sai&name=sai&calendar=solar&date=02-31&days=",
        version(&form)
    );
    let (status, _, page) = t
        .page(&session, Method::POST, "/programme/holidays", Some(body))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("02-31") && page.contains("schedules/ngay-le.toml:"),
        "{page}"
    );

    // A one-off meeting announcement, then removed.
    let (_, _, form) = t
        .page(&session, Method::GET, "/programme/once/new", None)
        .await;
    let body = format!(
        "csrf={csrf}&original=&version={}&file=hang-ngay.toml&title={}&name=hop-dan&at=2027-03-02T19%3A00&playlist=thong-bao",
        version(&form),
        urlencode("Họp dân thôn")
    );
    let (status, _, page) = t
        .page(&session, Method::POST, "/programme/once", Some(body))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    assert!(copy.daily().contains("[[once]]\nname = \"hop-dan\"\ntitle = \"Họp dân thôn\"\nat = \"2027-03-02 19:00\"\nplaylist = \"thong-bao\"\n"));
    let (_, _, form) = t
        .page(
            &session,
            Method::GET,
            "/programme/once/edit?name=hop-dan",
            None,
        )
        .await;
    assert!(form.contains("value=\"2027-03-02T19:00\""), "{form}");
    let body = format!(
        "csrf={csrf}&array=once&file=hang-ngay.toml&version={}&name=hop-dan",
        version(&form)
    );
    let (status, _, _) = t
        .page(&session, Method::POST, "/programme/remove", Some(body))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(!copy.daily().contains("hop-dan"));

    // The provincial relay runs 12 minutes instead of 10; the jingle part is chosen from the library.
    let playlist = || std::fs::read_to_string(copy.playlists().join("buoi-phat.toml")).unwrap();
    let shipped = playlist();
    let (status, _, form) = t
        .page(
            &session,
            Method::GET,
            "/programme/parts/edit?playlist=buoi-phat&part=1",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        form.contains("value=\"relay\" checked") && form.contains("dai-tinh.invalid"),
        "{form}"
    );
    // Its heading names the playlist by its title, as the other programme pages do.
    let heading = form
        .split_once("<h2>")
        .and_then(|(_, rest)| rest.split_once("</h2>"))
        .map(|(h, _)| h)
        .unwrap();
    assert!(
        heading.ends_with("· Buổi phát thanh") && !heading.contains("buoi-phat"),
        "{heading}"
    );
    let body = format!(
        "csrf={csrf}&playlist=buoi-phat&part=1&version={}&kind=relay&relay={}&title={}&minutes=12&until=&fallback=jingle&silence_seconds=20&jingle=&category=&tier=",
        version(&form),
        urlencode("http://dai-tinh.invalid/live.mp3"),
        urlencode("Đài Phát thanh và Truyền hình tỉnh")
    );
    let (status, _, page) = t
        .page(&session, Method::POST, "/programme/parts", Some(body))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    assert_eq!(
        playlist(),
        shipped.replace("minutes = 10", "minutes = 12"),
        "only that line changes"
    );
    // A relay with no fallback would break the playlist.
    let (_, _, form) = t
        .page(
            &session,
            Method::GET,
            "/programme/parts/new?playlist=buoi-phat",
            None,
        )
        .await;
    let body = format!(
        "csrf={csrf}&playlist=buoi-phat&part=&version={}&kind=relay&relay={}&title=X&minutes=5&until=&fallback=&silence_seconds=",
        version(&form),
        urlencode("http://x.invalid/a.mp3")
    );
    let (status, _, page) = t
        .page(&session, Method::POST, "/programme/parts", Some(body))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("fallback"), "{page}");
    assert!(
        page.contains("· Buổi phát thanh</h2>"),
        "the refused form keeps the title"
    );
    assert_eq!(playlist(), shipped.replace("minutes = 10", "minutes = 12"));
    // An address that is no stream's is refused in the page's language only.
    let body = format!(
        "csrf={csrf}&playlist=buoi-phat&part=&version={}&kind=relay&relay={}&title=X&minutes=5&until=&fallback=jingle&silence_seconds=",
        version(&form),
        urlencode("ftp://dai-tinh.invalid/a.mp3")
    );
    let refused = |lang: &str| {
        let req = axum::http::Request::post("/programme/parts")
            .header(
                axum::http::header::COOKIE,
                format!("loaxa_session={session}; lang={lang}"),
            )
            .header(
                axum::http::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(axum::body::Body::from(body.clone()))
            .unwrap();
        t.send(req)
    };
    let (status, _, vi) = refused("vi").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{vi}");
    assert!(
        vi.contains("địa chỉ luồng không hợp lệ &#34;ftp://dai-tinh.invalid/a.mp3&#34;: chỉ nhận http:// và https://"),
        "{vi}"
    );
    assert!(
        !vi.contains("invalid stream address") && !vi.contains("only http"),
        "{vi}"
    );
    let (_, _, en) = refused("en").await;
    assert!(
        en.contains("invalid stream address &#34;ftp://dai-tinh.invalid/a.mp3&#34;: only http:// and https:// are accepted"),
        "{en}"
    );
    assert!(
        !en.contains("không hợp lệ") && !en.contains("chỉ nhận"),
        "{en}"
    );
    assert_eq!(playlist(), shipped.replace("minutes = 10", "minutes = 12"));

    // Quiet hours: the commune's move, the comment in the file stays.
    let (_, _, form) = t
        .page(&session, Method::GET, "/programme/quiet", None)
        .await;
    assert!(form.contains("value=\"21:30-05:30\""), "{form}");
    let body = format!(
        "csrf={csrf}&file=hang-ngay.toml&version={}&hours={}",
        version(&form),
        urlencode("22:00-05:30")
    );
    let (status, _, page) = t
        .page(&session, Method::POST, "/programme/quiet", Some(body))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    assert!(
        copy.daily()
            .contains("[quiet]\nhours = [\"22:00-05:30\"]\n")
    );
    assert!(
        copy.daily().contains("# [quiet]: giờ yên tĩnh"),
        "comments stay"
    );
    let (_, audit) = t.api(Role::Admin, Method::GET, "/audit", None).await;
    let text = audit.to_string();
    for what in [
        "holiday.add le-vu-lan",
        "once.remove hop-dan",
        "part.change buoi-phat #2",
        "quiet.change",
    ] {
        assert!(text.contains(what), "{what} audited: {text}");
    }
}

#[tokio::test]
async fn the_month_shows_lunar_dates_and_holidays_and_the_week_starts_where_asked() {
    let copy = Copy::new();
    let t = app(&copy);
    let (session, _) = t.login("editor", PASSWORD).await.unwrap();
    let (status, _, month) = t
        .page(
            &session,
            Method::GET,
            "/programme?view=month&from=2027-02-10",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(month.contains("02/2027"), "the month: {month}");
    // Tết Đinh Mùi: lunar 1/1 is 6 February 2027.
    assert!(month.contains("Thứ Bảy 06/02"), "{month}");
    assert!(
        month.contains("Tết Nguyên Đán") && month.contains("Giao thừa"),
        "{month}"
    );
    assert!(
        month.contains("1/1 Đinh Mùi"),
        "the lunar new year named: {month}"
    );
    assert_eq!(
        month.matches("class=\"day blank\"").count(),
        0,
        "1 February 2027 is a Monday"
    );
    let (_, _, week) = t
        .page(
            &session,
            Method::GET,
            "/programme?view=week&from=2027-02-05",
            None,
        )
        .await;
    assert!(
        week.contains("Thứ Sáu 05/02") && week.contains("Thứ Năm 11/02"),
        "{week}"
    );
    assert!(!week.contains("12/02"), "seven days");
    let (status, _, _) = t
        .page(
            &session,
            Method::GET,
            "/programme?view=month&from=hom-nay",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_editor_page_says_its_kinds_in_vietnamese() {
    let copy = Copy::new();
    let t = app(&copy);
    let (session, _) = t.login("admin", PASSWORD).await.unwrap();
    let (status, _, page) = t.page(&session, Method::GET, "/programme/edit", None).await;
    assert_eq!(status, StatusCode::OK);
    for word in [
        "Dương lịch",
        "Âm lịch",
        "Lời chúc",
        "Tiếp sóng",
        "Nhạc hiệu",
    ] {
        assert!(page.contains(word), "{word} on the page: {page}");
    }
    for english in [
        "/ solar",
        "/ lunar",
        "/ greeting",
        "/ relay",
        "/ jingle",
        "/ daily",
    ] {
        assert!(
            !page.contains(english),
            "no \"{english}\" in the Vietnamese page"
        );
    }
}

#[tokio::test]
async fn a_wrong_line_in_the_files_is_said_on_the_page_in_its_language_only() {
    let copy = Copy::new();
    let broken =
        copy.daily() + "\n[[slot]]\nname = \"hong\"\ntime = \"25:00\"\nplaylist = \"buoi-phat\"\n";
    std::fs::write(copy.schedules().join("hang-ngay.toml"), broken).unwrap();
    let t = app(&copy);
    let (session, _) = t.login("admin", PASSWORD).await.unwrap();
    let page = |lang: &str| {
        axum::http::Request::get("/programme/edit")
            .header(
                axum::http::header::COOKIE,
                format!("loaxa_session={session}; lang={lang}"),
            )
            .body(axum::body::Body::empty())
            .unwrap()
    };
    let (status, _, vi) = t.send(page("vi")).await;
    assert_eq!(status, StatusCode::OK, "{vi}");
    let problems = vi.split("class=\"warnings\"").nth(1).unwrap_or_default();
    assert!(
        problems.contains("hang-ngay.toml:") && problems.contains("25:00"),
        "the problem, with its file and line: {vi}"
    );
    assert!(
        !problems.contains("is not a time"),
        "Vietnamese only: {problems}"
    );
    let (_, _, en) = t.send(page("en")).await;
    let problems = en.split("class=\"warnings\"").nth(1).unwrap_or_default();
    assert!(problems.contains("is not a time"), "{en}");
    assert!(
        !problems.contains("không hợp lệ"),
        "English only: {problems}"
    );
}
