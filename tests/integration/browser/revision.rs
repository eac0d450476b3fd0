//! Revisions on a phone (390×844), in the one browser session: the chairman edits the editor's
//! approved item — the programme still airs the approved version, and he can approve it
//! neither on the page nor over the API; the vice-chairman sees what changed on her approval
//! card and approves it, and the programme airs the new version; she takes it off air through
//! the page that asks first. A revision of the Tết greeting is left waiting, so the walk that
//! follows screenshots the pages showing one.

use fantoccini::Locator;

use super::Site;

/// The text of the programme page.
async fn programme(site: &Site) -> String {
    site.go("/programme").await;
    site.text().await
}

/// Change the title of the item at `path` through its form, as the one signed in.
async fn retitle(site: &Site, path: &str, title: &str) {
    site.go(&format!("{path}/edit")).await;
    site.fill("input[name=title]", title).await;
    site.click_to_next_page("form[data-item-form] button.primary")
        .await;
    assert_eq!(site.path().await, path);
}

/// The journey; `item` is the path of the editor's approved item, `tet` of the approved Tết
/// greeting, with their titles.
pub async fn journey(site: &Site, (item, old): (&str, &str), tet: &str) {
    site.login("quantri").await;
    site.add_user(
        "phochutich",
        "Võ Thị Phó — Phó chủ tịch UBND xã",
        "approver",
    )
    .await;
    site.logout().await;

    let new = "Thông báo tiêm phòng dại (bổ sung lịch tiêm)";
    site.login("chutich").await;
    retitle(site, item, new).await;
    assert_eq!(
        site.flash().await.as_deref(),
        Some("✔ Đã lưu bản sửa — bản đã duyệt vẫn phát cho đến khi bản sửa được duyệt.")
    );
    let page = site.text().await;
    assert!(
        page.contains("Bản sửa đang chờ") && page.contains(new),
        "{page}"
    );
    site.click_to_next_page("form[action$='/submit'] button")
        .await;
    let page = site.text().await;
    assert!(
        page.contains("Bạn đã viết hoặc sửa bản này"),
        "the maker is told someone else decides: {page}"
    );
    assert!(
        site.client
            .find(Locator::Css("form[action$='/approve']"))
            .await
            .is_err(),
        "no approve button for the maker"
    );
    site.shot("revision-maker").await;
    let week = programme(site).await;
    assert!(
        week.contains(old) && !week.contains(new),
        "the approved version airs: {week}"
    );
    let id = item.rsplit('/').next().unwrap();
    let refused = site
        .client
        .execute(
            &format!(
                "return fetch('/api/v1/items/{id}/approve', {{method: 'POST', headers: \
                 {{'x-csrf-token': document.querySelector('meta[name=csrf]').content}}}}) \
                 .then(r => r.json().then(b => [r.status, b.error.message]));"
            ),
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(refused[0], 403, "{refused}");
    assert!(
        refused[1].as_str().unwrap().contains("bạn đã sửa bản này"),
        "{refused}"
    );
    site.logout().await;

    site.login("phochutich").await;
    site.go("/approvals").await;
    let card = site
        .client
        .find(Locator::Css(&format!("#item-{id}")))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        card.contains("Bản sửa đang chờ") && card.contains(old) && card.contains(new),
        "the card shows old → new: {card}"
    );
    site.shot("approval-revision").await;
    site.click_to_next_page(&format!("#item-{id} form[action$='/approve'] button"))
        .await;
    assert_eq!(
        site.flash().await.as_deref(),
        Some("✔ Đã duyệt — sẽ phát theo lịch.")
    );
    let week = programme(site).await;
    assert!(week.contains(new), "the revision airs now: {week}");

    // Off air: the page asks first.
    site.go(item).await;
    site.click_to_next_page("a[href$='/take-off']").await;
    assert_eq!(site.path().await, format!("{item}/take-off"));
    assert!(site.text().await.contains("Gỡ khỏi sóng?"));
    site.shot("take-off").await;
    site.click_to_next_page("form[action$='/take-off'] button")
        .await;
    assert_eq!(site.path().await, item);
    assert_eq!(site.flash().await.as_deref(), Some("✔ Đã gỡ khỏi sóng."));
    assert!(!programme(site).await.contains(new), "off air");

    // A revision of the Tết greeting waits for the chairman: the walk shows it.
    retitle(site, tet, "Thư chúc Tết của Chủ tịch UBND xã (bản sửa)").await;
    site.click_to_next_page("form[action$='/submit'] button")
        .await;
    site.shot("item-revision").await;
    site.logout().await;
}
