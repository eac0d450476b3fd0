//! Every page a role reaches, walked on a phone: from the dashboard, every link of the station's
//! own pages is followed (one page of each shape: `/items/7` stands for every item), and each
//! page must fit 390 px — no sideways scroll, no element past the right edge. Each page's
//! screenshots, at 390×844 and 1366×900, go to `target/screenshots/walk-*.png`.

use std::collections::{BTreeSet, VecDeque};

use super::{PHONE, Site};

/// What on the page sticks out past the right edge of the window (without its scroll bar), in
/// words; empty when the page fits. An element clipped inside a box that fits and hides its overflow (an ellipsis)
/// is not on screen and does not count; one inside a box that scrolls sideways does.
const OVERFLOW: &str = r#"
const W = document.documentElement.clientWidth, out = [];
const wide = document.scrollingElement.scrollWidth;
if (wide > W) out.push("the page is " + wide + " px wide for " + W + " px of window");
for (const el of document.querySelectorAll("body *")) {
  const r = el.getBoundingClientRect();
  if (r.width === 0 || r.height === 0 || r.right <= W + 0.5) continue;
  let p = el.parentElement, clipped = false;
  for (; p && p !== document.body; p = p.parentElement) {
    const o = getComputedStyle(p).overflowX;
    if ((o === "hidden" || o === "clip") && p.getBoundingClientRect().right <= W + 0.5) { clipped = true; break; }
  }
  if (clipped) continue;
  const cls = typeof el.className === "string" && el.className ? "." + el.className.trim().split(/\s+/).join(".") : "";
  out.push(el.tagName.toLowerCase() + cls + " ends at " + Math.round(r.right) + " px: «" + (el.textContent || "").trim().slice(0, 50) + "»");
  if (out.length >= 6) break;
}
return out;
"#;

/// The station's own links on this page, with their query (`/programme/slots/edit?name=sang`
/// is a form of one slot), without the API, static files, the language switch or anything
/// that leaves the site.
const LINKS: &str = r##"
return Array.from(document.querySelectorAll("a[href]"))
  .map(a => a.getAttribute("href"))
  .filter(h => h.startsWith("/") && !h.startsWith("//"))
  .map(h => h.split("#")[0])
  .filter(h => !/^\/(api|static|lang)\//.test(h.split("?")[0]));
"##;

/// A path's shape: every number is `N` and the query is left out, so one item page (and one
/// slot's form) stands for all — but a `view` (the programme's month) is a page of its own.
fn shape(path: &str) -> String {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let view = query
        .split('&')
        .find(|p| p.starts_with("view=") && *p != "view=week")
        .map(|v| format!("?{v}"))
        .unwrap_or_default();
    let path = path
        .split('/')
        .map(|s| {
            if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
                "N"
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join("/");
    path + &view
}

/// The screenshot name of a path.
fn shot_name(path: &str) -> String {
    match shape(path).trim_matches('/') {
        "" => "walk-dashboard".to_string(),
        s => format!("walk-{}", s.replace(['/', '?', '='], "-")),
    }
}

impl Site {
    /// What sticks out past the right edge of the page now shown (empty when it fits).
    pub async fn overflow(&self) -> Vec<String> {
        let found = self.client.execute(OVERFLOW, vec![]).await.unwrap();
        serde_json::from_value(found).unwrap()
    }

    /// The page now shown fits a phone, or the test fails saying what sticks out.
    pub async fn assert_fits(&self, what: &str) {
        let out = self.overflow().await;
        assert!(out.is_empty(), "{what} does not fit the phone: {out:#?}");
    }
}

/// Walk every page `who` (signed in) reaches from the dashboard at 390×844, failing on any
/// page that does not fit; pages not yet in `shot` get their two screenshots. Returns the
/// paths walked.
pub async fn every_page(site: &Site, who: &str, shot: &mut BTreeSet<String>) -> Vec<String> {
    site.client.set_window_size(PHONE.0, PHONE.1).await.unwrap();
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from(["/".to_string()]);
    let mut walked = Vec::new();
    let mut unshot = Vec::new();
    while let Some(path) = queue.pop_front() {
        if !seen.insert(shape(&path)) {
            continue;
        }
        site.go(&path).await;
        let landed = site.path().await;
        assert!(
            !landed.starts_with("/login"),
            "{who} was sent to sign in from {path}"
        );
        let out = site.overflow().await;
        assert!(
            out.is_empty(),
            "{who}: {path} does not fit a {} px phone: {out:#?}",
            PHONE.0
        );
        if shot.insert(shape(&path)) {
            site.save_shot(&format!("{}-phone", shot_name(&path))).await;
            unshot.push(path.clone());
        }
        let links: Vec<String> =
            serde_json::from_value(site.client.execute(LINKS, vec![]).await.unwrap()).unwrap();
        queue.extend(links.into_iter().filter(|l| !seen.contains(&shape(l))));
        walked.push(path);
    }
    // The desktop pictures in one pass, so the window is resized once.
    site.client.set_window_size(1366, 900).await.unwrap();
    for path in unshot {
        site.go(&path).await;
        site.save_shot(&format!("{}-desktop", shot_name(&path)))
            .await;
    }
    site.client.set_window_size(PHONE.0, PHONE.1).await.unwrap();
    walked
}

#[test]
fn shapes_stand_for_every_row() {
    assert_eq!(shape("/items/17/edit"), "/items/N/edit");
    assert_eq!(
        shot_name("/display/slogans/3/edit"),
        "walk-display-slogans-N-edit"
    );
    assert_eq!(shot_name("/"), "walk-dashboard");
    assert_eq!(
        shot_name("/programme/slots/edit?name=sang"),
        "walk-programme-slots-edit"
    );
    assert_eq!(
        shot_name("/programme?view=month&from=2027-02-01"),
        "walk-programme-view-month"
    );
    assert_eq!(shape("/programme?view=week&from=2027-02-01"), "/programme");
}
