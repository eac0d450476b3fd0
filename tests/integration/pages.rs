//! The pages as staff meet them, through the real router and store: the station's own 404,
//! forms that keep what was typed and point at the field, a slogan saved with only its text,
//! the confirmation after a redirect, a recording's warning on its item's page, long lists a
//! page at a time with a search that needs no tone marks, every message in the page's language
//! only.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use loaxa::model::Role;

use crate::common::fixture;
use crate::web::{PASSWORD, TestApp, urlencode};

/// A page request with the session and any other cookies.
async fn get_with(t: &TestApp, session: &str, path: &str, cookies: &str) -> (StatusCode, String) {
    let req = Request::get(path)
        .header(
            header::COOKIE,
            format!("loaxa_session={session}; {cookies}"),
        )
        .body(Body::empty())
        .unwrap();
    let (status, _, body) = t.send(req).await;
    (status, body)
}

#[tokio::test]
async fn an_unknown_address_gets_the_stations_own_page_and_the_api_its_json() {
    let t = TestApp::new();
    let (status, h, body) = t
        .send(Request::get("/ban-tin-cu").body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        h.0[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
        "a page, not the browser's bare 404"
    );
    assert!(body.contains("Không tìm thấy"), "{body}");
    assert!(body.contains("/ban-tin-cu"), "it names the address: {body}");
    assert!(body.contains("href=\"/\""), "and the way back: {body}");
    let english = Request::get("/ban-tin-cu")
        .header(header::COOKIE, "lang=en")
        .body(Body::empty())
        .unwrap();
    let (_, _, body) = t.send(english).await;
    assert!(body.contains("Not found"), "{body}");
    // Escaped like every value on a page.
    let (_, _, body) = t
        .send(
            Request::get("/%3Cscript%3Ealert(1)%3C/script%3E")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(!body.contains("<script>alert"), "{body}");

    let (status, json) = t.api(Role::Editor, Method::GET, "/khong-co", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(json["error"]["code"], "not_found", "{json}");
}

#[tokio::test]
async fn a_slogan_saves_with_only_its_text_and_a_wrong_number_is_said_on_the_form() {
    let t = TestApp::new();
    let (session, csrf) = t.login("editor", PASSWORD).await.unwrap();
    // Exactly what the form posts as it opens, with only the text typed.
    let form = |speed: &str| {
        format!(
            "csrf={csrf}&text={}&color=%23ff0000&effect=scroll&speed_px_s={speed}&hold_s=5&show_from=&show_until=&position=",
            urlencode("Chung tay xây dựng nông thôn mới")
        )
    };
    let (status, h, body) = t
        .page(
            &session,
            Method::POST,
            "/display/slogans/new",
            Some(form("")),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(h.location(), "/display");
    let (_, list) = t
        .api(Role::Editor, Method::GET, "/display/slogans", None)
        .await;
    assert!(
        list.to_string()
            .contains("Chung tay xây dựng nông thôn mới"),
        "{list}"
    );

    let (status, _, body) = t
        .page(
            &session,
            Method::POST,
            "/display/slogans/new",
            Some(form("nhanh")),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "the form again: {body}");
    assert!(
        body.contains("tốc độ: &#34;nhanh&#34; không phải số hợp lệ"),
        "a Vietnamese message, not serde's: {body}"
    );
    assert!(!body.contains("Failed to deserialize"), "{body}");
    assert!(
        body.contains("Chung tay xây dựng nông thôn mới"),
        "what was typed is kept: {body}"
    );
}

#[tokio::test]
async fn the_user_form_starts_at_the_least_privilege_and_keeps_what_was_typed_when_refused() {
    let t = TestApp::new();
    let (session, csrf) = t.login("admin", PASSWORD).await.unwrap();
    let (_, _, page) = t.page(&session, Method::GET, "/users", None).await;
    let add = page.split("action=\"/users\"").nth(1).unwrap();
    let add = add.split("</form>").next().unwrap();
    assert!(
        add.contains("<option value=\"editor\" selected>"),
        "the new user's role starts at editor: {add}"
    );
    assert!(!add.contains("<option value=\"admin\" selected>"), "{add}");

    // "editor" is taken (TestApp made one of each role).
    let body = format!(
        "csrf={csrf}&name=editor&display_name={}&role=approver&password={}",
        urlencode("Lê Thị Mới — Phó Chủ tịch"),
        urlencode(PASSWORD)
    );
    let (status, _, page) = t.page(&session, Method::POST, "/users", Some(body)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("&#34;editor&#34; đã có"), "{page}");
    assert!(
        page.contains("value=\"Lê Thị Mới — Phó Chủ tịch\""),
        "the typed name stays: {page}"
    );
    assert!(
        page.contains("<option value=\"approver\" selected>"),
        "the chosen role stays"
    );
    let name_field = page
        .split("<input name=\"name\"")
        .nth(1)
        .and_then(|s| s.split('>').next())
        .unwrap();
    assert!(
        name_field.contains("value=\"editor\"") && name_field.contains("aria-invalid=\"true\""),
        "the name field is marked: {name_field}"
    );
    assert!(
        !page.contains(&urlencode(PASSWORD)) && !page.contains(PASSWORD),
        "the password is not sent back"
    );
}

#[tokio::test]
async fn a_confirmation_follows_the_redirect_once() {
    let t = TestApp::new();
    let (session, csrf) = t.login("admin", PASSWORD).await.unwrap();
    let body = format!(
        "csrf={csrf}&name=pho-chu-tich&display_name=P&role=approver&password={}",
        urlencode(PASSWORD)
    );
    let (status, h, _) = t.page(&session, Method::POST, "/users", Some(body)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let flash = h.cookie("loaxa_flash").unwrap();
    let (_, page) = get_with(&t, &session, "/users", &format!("loaxa_flash={flash}")).await;
    assert!(page.contains("Đã tạo người dùng."), "{page}");
    let req = Request::get("/users")
        .header(
            header::COOKIE,
            format!("loaxa_session={session}; loaxa_flash={flash}"),
        )
        .body(Body::empty())
        .unwrap();
    let (_, h, _) = t.send(req).await;
    assert_eq!(
        h.cookie("loaxa_flash").as_deref(),
        Some(""),
        "the page that showed it forgets it"
    );
    let (_, page) = get_with(&t, &session, "/users", "").await;
    assert!(!page.contains("Đã tạo người dùng."));
    // A forged value shows nothing.
    let (_, page) = get_with(&t, &session, "/users", "loaxa_flash=Đã%20trúng%20thưởng").await;
    assert!(!page.contains("class=\"alert ok flash\""), "{page}");
}

#[tokio::test]
async fn a_cut_off_recording_is_said_at_upload_and_on_its_item_page_in_the_pages_language() {
    let t = TestApp::new();
    let (status, m) = t
        .upload(
            Role::Editor,
            "cut-ngang.mp3",
            &std::fs::read(fixture("cut-ngang.mp3")).unwrap(),
            "Bản ghi bị cắt",
        )
        .await;
    assert!(status.is_success(), "{status} {m}");
    let (vi, en) = (
        "tệp bị cắt ngang: chỉ phát được phần đã giải mã",
        "the file is cut off: only the decodable part plays",
    );
    assert_eq!(
        m["media"]["warnings"],
        serde_json::json!([format!("{vi} / {en}")]),
        "the API keeps its one string in both languages: {m}"
    );
    let id = &m["media"]["id"];
    let (_, item) = t
        .api(
            Role::Editor,
            Method::POST,
            "/items",
            Some(serde_json::json!({"media_id": id, "title": "Bị cắt", "category": "bulletin"})),
        )
        .await;
    let (session, _) = t.login("editor", PASSWORD).await.unwrap();
    // What the upload form shows once the recording is in (the library, with the upload).
    let confirmation = |page: &str| {
        page.split("class=\"upload-status")
            .nth(1)
            .and_then(|s| s.split("</p>").next())
            .unwrap_or_default()
            .to_string()
    };
    let received = format!("/library?uploaded={id}");
    let item_page = format!("/items/{}", item["id"]);

    let (_, library) = get_with(&t, &session, &received, "").await;
    let said = confirmation(&library);
    assert!(
        said.starts_with(" warn\"")
            && said.contains("⚠ Đã nhận, nhưng cần xem lại: Bản ghi bị cắt")
            && said.contains(vi),
        "amber, in Vietnamese: {said}"
    );
    assert!(
        !library.contains("cut off") && !library.contains("Accepted"),
        "{library}"
    );
    let (_, page) = get_with(&t, &session, &item_page, "").await;
    assert!(page.contains(&format!("⚠ Bản ghi: {vi}</p>")), "{page}");
    assert!(!page.contains("cut off"), "no English half: {page}");

    let (_, library) = get_with(&t, &session, &received, "lang=en").await;
    let said = confirmation(&library);
    assert!(
        said.starts_with(" warn\"")
            && said.contains("⚠ Accepted, but check it: Bản ghi bị cắt")
            && said.contains(en),
        "amber, in English: {said}"
    );
    assert!(
        !library.contains("cắt ngang"),
        "no Vietnamese half: {library}"
    );
    let (_, page) = get_with(&t, &session, &item_page, "lang=en").await;
    assert!(page.contains(&format!(": {en}</p>")), "{page}");
    assert!(!page.contains("cắt ngang"), "no Vietnamese half: {page}");

    // A recording with nothing wrong is confirmed in green, and only once it was asked for.
    let (_, clean) = t
        .upload(
            Role::Editor,
            "ban-tin.mp3",
            &std::fs::read(fixture("ban-tin.mp3")).unwrap(),
            "Bản tin sạch",
        )
        .await;
    let (_, library) = get_with(
        &t,
        &session,
        &format!("/library?uploaded={}", clean["media"]["id"]),
        "",
    )
    .await;
    let said = confirmation(&library);
    assert!(
        said.starts_with(" ok\"") && said.contains("Đã nhận bản ghi: Bản tin sạch — 0:04"),
        "{said}"
    );
    let (_, library) = get_with(&t, &session, "/library", "").await;
    assert!(
        confirmation(&library).starts_with("\""),
        "no confirmation: {library}"
    );
}

#[tokio::test]
async fn while_an_emergency_runs_every_page_says_so_and_that_the_speakers_are_silent() {
    // A machine whose sound card is gone.
    let t = TestApp::with(|c| c.audio.output = "device:card-da-rut".parse().unwrap());
    let warning = "Bão số 3 sắp đổ bộ, bà con ở trong nhà";
    let (status, body) = t
        .api(
            Role::Operator,
            Method::POST,
            "/emergency",
            Some(serde_json::json!({"text": warning, "repeat": 0})),
        )
        .await;
    assert!(status.is_success(), "{status} {body}");
    let (session, _) = t.login("editor", PASSWORD).await.unwrap();
    for path in ["/items", "/", "/library"] {
        let (_, page) = get_with(&t, &session, path, "").await;
        let banner = page
            .split("class=\"emergency-banner\"")
            .nth(1)
            .unwrap_or_else(|| panic!("no banner on {path}: {page}"));
        let banner = banner.split("</div>").next().unwrap();
        assert!(banner.contains(warning), "{path}: {banner}");
        assert!(banner.contains("· operator ·"), "who started it: {banner}");
        assert!(
            banner.contains("LOA KHÔNG CÓ TIẾNG") && banner.contains("card-da-rut"),
            "the speakers are silent, and why: {banner}"
        );
        assert!(
            !banner.contains("SILENT") && !banner.contains("not found"),
            "in Vietnamese only: {banner}"
        );
    }
    let (_, page) = get_with(&t, &session, "/items", "lang=en").await;
    let banner = page
        .split("class=\"emergency-banner\"")
        .nth(1)
        .unwrap_or_default();
    assert!(
        banner.contains("THE SPEAKERS ARE SILENT") && !banner.contains("KHÔNG CÓ TIẾNG"),
        "in English only: {banner}"
    );
    let (_, s) = t.api(Role::Editor, Method::GET, "/status", None).await;
    assert_eq!(s["emergency"]["title"].as_str(), Some(warning), "{s}");
    assert!(
        s["no_sound"]
            .as_str()
            .unwrap_or_default()
            .contains("card-da-rut"),
        "{s}"
    );

    let (status, _) = t
        .api(Role::Operator, Method::DELETE, "/emergency", None)
        .await;
    assert!(status.is_success());
    let (_, page) = get_with(&t, &session, "/items", "").await;
    assert!(
        !page.contains("class=\"emergency-banner\""),
        "gone once stopped"
    );
    let (_, s) = t.api(Role::Editor, Method::GET, "/status", None).await;
    assert!(s["emergency"].is_null(), "{s}");
}

#[tokio::test]
async fn the_audit_log_comes_a_page_at_a_time_filtered_from_lists() {
    let t = TestApp::new();
    t.service
        .state
        .store
        .with(|c| {
            let tx = c.transaction()?;
            for n in 0..120 {
                let (actor, action) = match n % 3 {
                    0 => ("chu-tich", "item.approve"),
                    1 => ("bien-tap", "item.submit"),
                    _ => ("quan-tri", "user.create"),
                };
                let subject = format!("item:{n}");
                loaxa::store::audit::record(&tx, actor, action, &subject, &serde_json::json!({}))?;
            }
            tx.commit()?;
            Ok(())
        })
        .unwrap();
    let (session, _) = t.login("admin", PASSWORD).await.unwrap();
    let entries = |page: &str| page.matches("<td data-label=\"Thời gian\">").count();
    let href = |page: &str, words: &str| {
        let before = page.split(words).next().unwrap();
        let start = before.rfind("href=\"").unwrap() + 6;
        before[start..]
            .split('"')
            .next()
            .unwrap()
            .replace("&amp;", "&")
    };

    let (status, first) = get_with(&t, &session, "/audit", "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(entries(&first), 50, "the first page holds fifty");
    assert!(
        !first.contains("Mới nhất"),
        "the first page leads nowhere back"
    );
    // Chosen from what the log holds, in words, not typed.
    assert!(first.contains("<option value=\"chu-tich\""), "{first}");
    assert!(first.contains(">Nội dung · duyệt</option>"), "{first}");
    assert!(first.contains(">Người dùng · tạo</option>"), "{first}");

    let mut seen = entries(&first);
    let mut page = first;
    while page.contains("Cũ hơn →") {
        let next = href(&page, "Cũ hơn →");
        assert!(next.starts_with("/audit?before="), "{next}");
        let (status, body) = get_with(&t, &session, &next, "").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("← Mới nhất"), "a later page leads back");
        seen += entries(&body);
        page = body;
    }
    // 120 entries, plus the ones the test's own sign-in wrote: none lost, none twice.
    let total = t
        .service
        .state
        .store
        .with(|c| Ok(loaxa::store::audit::list(c, &Default::default())?.len()))
        .unwrap();
    assert!(total >= 120);
    assert_eq!(seen, total, "every entry on exactly one page");

    let (_, approvals) = get_with(
        &t,
        &session,
        "/audit?actor=chu-tich&action=item.approve",
        "",
    )
    .await;
    assert_eq!(entries(&approvals), 40, "only the chairman's approvals");
    assert!(approvals.contains("<option value=\"chu-tich\" selected"));
    assert!(approvals.contains("<option value=\"item.approve\" selected"));
    assert!(!approvals.contains("Cũ hơn"), "forty fit on one page");
    assert!(!approvals.contains("bien-tap</td>"));
}

#[tokio::test]
async fn an_edit_form_says_the_approved_version_keeps_airing() {
    let t = TestApp::new();
    let (_, item) = t.item_by(Role::Editor, "Lịch tiêm phòng").await;
    let (session, _) = t.login("editor", PASSWORD).await.unwrap();
    let note = "bản đã duyệt vẫn phát (hoặc vẫn hiện) cho đến khi bản sửa được duyệt";
    let (status, form) = get_with(&t, &session, &format!("/items/{item}/edit"), "").await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains(note), "{form}");
    let (_, new) = get_with(&t, &session, "/items/new", "").await;
    assert!(!new.contains(note), "a new item has no approved version");
}

/// The library holding `bulletins` recordings titled "Tiêm chủng đợt N" and `songs` titled
/// "Nhạc dân ca N", oldest first.
fn seed_library(t: &TestApp, bulletins: usize, songs: usize) {
    use loaxa::model::{Analysis, Category, NewMedia};
    let analysis = Analysis {
        container: "ogg".into(),
        codec: "opus".into(),
        sample_rate: 48_000,
        channels: 1,
        duration_ms: 60_000,
        integrated_lufs: Some(-16.0),
        loudness_range_lu: Some(4.0),
        true_peak_dbtp: Some(-1.5),
        warnings: vec![],
    };
    let titles = (0..bulletins)
        .map(|n| (format!("Tiêm chủng đợt {n}"), Category::Bulletin))
        .chain((0..songs).map(|n| (format!("Nhạc dân ca {n}"), Category::Music)));
    t.service
        .state
        .store
        .with(|c| {
            let tx = c.transaction()?;
            for (n, (title, category)) in titles.enumerate() {
                let sha256 = format!("{n:064x}");
                let file = format!("media/{sha256}.ogg");
                let media = NewMedia {
                    sha256: &sha256,
                    file: &file,
                    original_name: "ghi-am.ogg",
                    title: &title,
                    category,
                    analysis: &analysis,
                    gain_db: -7.0,
                    bytes: 1000,
                    created_by: "bien-tap",
                };
                loaxa::store::media::insert(&tx, &media)?;
            }
            tx.commit()?;
            Ok(())
        })
        .unwrap();
}

/// The titles a list page shows, in order.
fn titles(page: &str) -> Vec<String> {
    page.split("<strong>")
        .skip(1)
        .filter_map(|s| s.split("</strong>").next())
        .filter(|s| s.starts_with("Tiêm") || s.starts_with("Nhạc") || s.starts_with("Họp"))
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn the_library_comes_a_page_at_a_time_and_finds_words_typed_without_marks() {
    let t = TestApp::new();
    seed_library(&t, 100, 30);
    let (session, _) = t.login("editor", PASSWORD).await.unwrap();
    let older = |page: &str| {
        let before = page.split("Cũ hơn →").next().unwrap();
        let start = before.rfind("href=\"").unwrap() + 6;
        before[start..]
            .split('"')
            .next()
            .unwrap()
            .replace("&amp;", "&")
    };

    let (status, first) = get_with(&t, &session, "/library", "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(titles(&first).len(), 50, "fifty a page");
    assert_eq!(titles(&first)[0], "Nhạc dân ca 29", "newest first");
    assert!(first.contains("Trang 1 / 3"), "{first}");
    let mut seen = titles(&first);
    let mut page = first;
    while page.contains("Cũ hơn →") {
        let next = older(&page);
        let (status, body) = get_with(&t, &session, &next, "").await;
        assert_eq!(status, StatusCode::OK, "{next}");
        assert!(body.contains("← Mới hơn"), "a later page leads back");
        seen.extend(titles(&body));
        page = body;
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (130, 130), "each once");

    // Typed on a phone without tone marks, words in any order.
    let (_, found) = get_with(&t, &session, "/library?q=chung+TIEM", "").await;
    assert!(found.contains("Trang 1 / 2"), "a hundred found: {found}");
    assert!(titles(&found).iter().all(|t| t.starts_with("Tiêm chủng")));
    assert!(
        found.contains("value=\"chung TIEM\""),
        "the words stay in the box"
    );
    let next = older(&found);
    assert!(
        next.contains("q=chung+TIEM") && next.contains("page=2"),
        "{next}"
    );

    let (_, songs) = get_with(&t, &session, "/library?category=music&q=d%C3%A2n", "").await;
    assert_eq!(titles(&songs).len(), 30);
    assert!(!songs.contains("Trang 1"), "thirty fit on one page");
    assert!(
        songs.contains("<option value=\"music\" selected"),
        "{songs}"
    );

    let (_, none) = get_with(&t, &session, "/library?q=bao+so+3", "").await;
    assert!(titles(&none).is_empty());
    assert!(none.contains("Không tìm thấy gì."), "{none}");
}

#[tokio::test]
async fn the_items_list_finds_by_words_within_a_state() {
    let t = TestApp::new();
    seed_library(&t, 2, 0);
    for (media_id, title) in [(1, "Tiêm chủng mở rộng"), (2, "Họp thôn Đông")] {
        let (status, body) = t
            .api(
                Role::Editor,
                Method::POST,
                "/items",
                Some(serde_json::json!({"media_id": media_id, "title": title, "category": "bulletin"})),
            )
            .await;
        assert!(status.is_success(), "{status} {body}");
    }
    let (session, _) = t.login("editor", PASSWORD).await.unwrap();
    let (_, all) = get_with(&t, &session, "/items", "").await;
    assert_eq!(titles(&all), ["Họp thôn Đông", "Tiêm chủng mở rộng"]);
    let (_, found) = get_with(&t, &session, "/items?state=draft&q=hop+thon+dong", "").await;
    assert_eq!(titles(&found), ["Họp thôn Đông"]);
    assert!(
        found.contains("<option value=\"draft\" selected"),
        "{found}"
    );
    let (_, none) = get_with(&t, &session, "/items?state=approved&q=hop", "").await;
    assert!(titles(&none).is_empty());
    assert!(none.contains("Không tìm thấy gì."), "{none}");
}

/// The text of the page's first error box.
fn alert_in(page: &str) -> &str {
    page.split("class=\"alert error\"")
        .nth(1)
        .and_then(|rest| rest.split("</").next())
        .unwrap_or_else(|| panic!("no error on the page: {page}"))
}

#[tokio::test]
async fn a_refusal_speaks_the_pages_language_only() {
    let t = TestApp::new();
    let (session, csrf) = t.login("editor", PASSWORD).await.unwrap();
    let slogan = format!(
        "csrf={csrf}&text={}&color=tim&effect=scroll&speed_px_s=&hold_s=5&show_from=&show_until=&position=",
        urlencode("Chung tay xây dựng nông thôn mới")
    );
    let post = |cookies: &'static str| {
        Request::post("/display/slogans/new")
            .header(
                header::COOKIE,
                format!("loaxa_session={session}; {cookies}"),
            )
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(slogan.clone()))
            .unwrap()
    };
    let (status, _, vi) = t.send(post("")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{vi}");
    let said = alert_in(&vi);
    assert!(said.contains("không hợp lệ"), "{said}");
    assert!(
        !said.contains("invalid") && !said.contains(" / "),
        "Vietnamese only: {said}"
    );
    let (_, _, en) = t.send(post("lang=en")).await;
    let said = alert_in(&en);
    assert!(said.contains("invalid colour"), "{said}");
    assert!(!said.contains("không"), "English only: {said}");

    // The station's error page too: an item that is not there.
    let (status, vi) = get_with(&t, &session, "/items/987654", "").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(vi.contains("987654") && !vi.contains("no item"), "{vi}");
    let (_, en) = get_with(&t, &session, "/items/987654", "lang=en").await;
    assert!(
        en.contains("no item 987654") && !en.contains("không có"),
        "{en}"
    );
}

/// A play that failed keeps its reason in the as-run log as the player wrote it (both
/// languages, for the CSV and the province); the page says the half of its language.
#[tokio::test]
async fn a_failed_plays_reason_is_said_in_the_pages_language_only() {
    let t = TestApp::new();
    let lost = loaxa::audio::sink::SinkError::DeviceLost {
        name: "hw:CARD=Loa".into(),
        detail: "No such device".into(),
    };
    let reason = lost.said().to_string();
    t.service
        .state
        .store
        .with(|c| {
            let new = loaxa::model::asrun::NewEntry {
                cue_key: None,
                item_id: None,
                media_id: None,
                label: "Bản tin sáng",
                source: "schedule",
                planned_at: None,
            };
            let now = chrono::Utc::now();
            Ok(loaxa::store::asrun::record(
                c,
                &new,
                loaxa::model::asrun::Outcome::Failed,
                Some(&reason),
                Some(now),
                Some(now),
            )?)
        })
        .unwrap();
    let (session, _) = t.login("editor", PASSWORD).await.unwrap();
    let (status, _, vi) = t.page(&session, Method::GET, "/asrun", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(vi.contains("mất card âm thanh"), "{vi}");
    assert!(!vi.contains("lost sound card"), "Vietnamese only: {vi}");
    let req = Request::get("/asrun")
        .header(header::COOKIE, format!("loaxa_session={session}; lang=en"))
        .body(Body::empty())
        .unwrap();
    let (_, _, en) = t.send(req).await;
    assert!(en.contains("lost sound card"), "{en}");
    assert!(!en.contains("mất card"), "English only: {en}");
}
