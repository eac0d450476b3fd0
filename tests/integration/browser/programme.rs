//! The admin changes the programme on a phone: adds a slot from the choices the programme
//! offers, is told in `loaxa check`'s words why a time in the quiet hours is refused (with what
//! was typed kept), saves it at a good time, and sees it in the week's plan at once — no restart —
//! and in the file, whose comments stay. Then a lunar holiday, seen on its day of the month, and
//! a playlist part.

use std::path::Path;

use super::{PHONE, Site};

/// Set a form field as the browser's own picker would (a time input has no text to type).
async fn set(site: &Site, css: &str, value: &str) {
    site.client
        .execute(
            "const el = document.querySelector(arguments[0]); el.value = arguments[1]; el.dispatchEvent(new Event('change')); return true;",
            vec![css.into(), value.into()],
        )
        .await
        .unwrap();
}

/// Press the form's Save and read the page that answers.
async fn save(site: &Site) -> String {
    site.click_to_next_page("form.programme-form button.primary")
        .await;
    site.text().await
}

pub async fn admin_adds_a_slot(site: &Site, schedules: &Path) {
    site.client.set_window_size(PHONE.0, PHONE.1).await.unwrap();
    let file = schedules.join("hang-ngay.toml");
    let before = std::fs::read_to_string(&file).unwrap();
    site.login("quantri").await;
    site.go("/programme").await;
    site.click_to_next_page("a[href='/programme/edit']").await;
    site.shot("programme-edit").await;
    site.click_to_next_page("a[href='/programme/slots/new']")
        .await;
    site.fill("input[name=title]", "Buổi trưa").await;
    site.fill("input[name=name]", "trua").await;
    set(site, "input[name=time]", "22:00").await;
    set(site, "select[name=playlist]", "thong-bao").await;
    site.shot("programme-slot-new").await;
    let refused = save(site).await;
    assert!(
        refused.contains("làm hỏng lịch phát") && refused.contains("giờ yên tĩnh"),
        "22:00 is in the quiet hours: {refused}"
    );
    assert!(
        refused.contains("hang-ngay.toml:"),
        "with file and line: {refused}"
    );
    assert_eq!(
        site.value("input[name=title]").await,
        "Buổi trưa",
        "what was typed stays"
    );
    assert_eq!(site.value("input[name=time]").await, "22:00");
    site.shot("programme-slot-refused").await;
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);

    set(site, "input[name=time]", "11:30").await;
    let list = save(site).await;
    assert_eq!(site.path().await, "/programme/edit");
    assert!(list.contains("Đã lưu"), "confirmed: {list}");
    assert!(
        list.contains("Buổi trưa") && list.contains("11:30"),
        "{list}"
    );

    // In the week's plan at once, and in the file after the others, its comments kept.
    site.go("/programme").await;
    let week = site.text().await;
    assert!(
        week.contains("11:30") && week.contains("Buổi trưa"),
        "in the plan: {week}"
    );
    let after = std::fs::read_to_string(&file).unwrap();
    assert!(
        after.starts_with(&before),
        "the file is kept as it was: {after}"
    );
    assert!(after[before.len()..].contains("name = \"trua\""), "{after}");

    site.go("/programme/slots/edit?name=trua").await;
    site.shot("programme-slot-edit").await;
    site.logout().await;
}

/// The text of the day card titled with `date` (`20/02`) on the page shown.
async fn day_card(site: &Site, date: &str) -> String {
    let found = site
        .client
        .execute(
            "const d = [...document.querySelectorAll('.day')].find(d => d.querySelector('h3')?.textContent.includes(arguments[0])); return d ? d.innerText : null;",
            vec![date.into()],
        )
        .await
        .unwrap();
    found
        .as_str()
        .unwrap_or_else(|| panic!("no day {date} on the page"))
        .to_string()
}

pub async fn admin_adds_a_holiday_and_a_part(site: &Site, dir: &Path) {
    site.client.set_window_size(PHONE.0, PHONE.1).await.unwrap();
    let holidays = dir.join("schedules/ngay-le.toml");
    let before = std::fs::read_to_string(&holidays).unwrap();
    site.login("quantri").await;
    site.go("/programme/edit").await;
    site.click_to_next_page("a[href='/programme/holidays/new']")
        .await;
    site.fill("input[name=title]", "Tết Nguyên Tiêu (Rằm tháng Giêng)")
        .await;
    site.fill("input[name=name]", "ram-thang-gieng").await;
    site.click("input[name=calendar][value=lunar]").await;
    site.fill("input[name=date]", "13-15").await;
    site.shot("programme-holiday-new").await;
    let refused = save(site).await;
    assert!(
        refused.contains("ngày \"13-15\" không tồn tại") && refused.contains("ngay-le.toml:"),
        "a thirteenth lunar month is refused, with file and line: {refused}"
    );
    assert!(
        !refused.contains("not a real date"),
        "Vietnamese only: {refused}"
    );
    assert_eq!(
        site.value("input[name=title]").await,
        "Tết Nguyên Tiêu (Rằm tháng Giêng)",
        "what was typed stays"
    );
    assert_eq!(site.value("input[name=calendar]:checked").await, "lunar");
    assert_eq!(std::fs::read_to_string(&holidays).unwrap(), before);

    site.fill("input[name=date]", "01-15").await;
    let list = save(site).await;
    assert_eq!(site.path().await, "/programme/edit");
    assert!(list.contains("Đã lưu"), "confirmed: {list}");
    assert!(
        list.contains("Tết Nguyên Tiêu (Rằm tháng Giêng)") && list.contains("15/01 · Âm lịch"),
        "{list}"
    );
    // Tết Đinh Mùi is 6 February 2027, so the fifteenth of the first month is the 20th.
    site.go("/programme?view=month&from=2027-02-01").await;
    let day = day_card(site, "20/02").await;
    assert!(day.contains("Tết Nguyên Tiêu"), "on its day: {day}");
    assert!(day.contains("15/1"), "with its lunar date: {day}");
    site.shot("programme-month-holiday").await;
    let after = std::fs::read_to_string(&holidays).unwrap();
    assert!(after.starts_with(&before), "the file is kept: {after}");
    assert!(
        after[before.len()..].contains("lunar = \"01-15\""),
        "{after}"
    );

    // A bulletin part at the end of the notice playlist.
    let playlist = dir.join("playlists/thong-bao.toml");
    let before = std::fs::read_to_string(&playlist).unwrap();
    site.go("/programme/playlists/edit?playlist=thong-bao")
        .await;
    site.click_to_next_page("a[href^='/programme/parts/new']")
        .await;
    site.click("input[name=kind][value=category]").await;
    set(site, "select[name=category]", "bulletin").await;
    site.shot("programme-part-new").await;
    let parts = save(site).await;
    assert_eq!(site.path().await, "/programme/playlists/edit");
    assert!(parts.contains("Đã lưu"), "confirmed: {parts}");
    assert!(parts.contains("4. Bản tin"), "listed last: {parts}");
    let after = std::fs::read_to_string(&playlist).unwrap();
    assert!(after.starts_with(&before), "the file is kept: {after}");
    assert!(
        after[before.len()..].contains("category = \"bulletin\""),
        "{after}"
    );
    site.logout().await;
}
