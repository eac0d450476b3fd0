//! "Nghe / Listen" in the real browser: the dashboard's player plays the live stream on a phone
//! (its clock advances with data from the server), and the dashboard still fits 390 px.

use std::time::Duration;

use super::{PHONE, Site};

/// The chairman, on his phone, presses play on the dashboard's Nghe control and hears the air.
pub async fn the_dashboard_plays_the_air(site: &Site) {
    site.login("chutich").await;
    site.client.set_window_size(PHONE.0, PHONE.1).await.unwrap();
    site.go("/").await;
    site.client
        .execute(
            "document.querySelector('audio[data-listen]').play(); return true;",
            vec![],
        )
        .await
        .unwrap();
    let mut last = serde_json::Value::Null;
    for _ in 0..300 {
        last = site
            .client
            .execute(
                "const a = document.querySelector('audio[data-listen]'); \
                 return [a.currentTime, a.readyState, a.paused, a.error ? a.error.code : 0];",
                vec![],
            )
            .await
            .unwrap();
        let time = last[0].as_f64().unwrap_or(0.0);
        let ready = last[1].as_u64().unwrap_or(0);
        if time > 1.0 && ready >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        last[0].as_f64().unwrap_or(0.0) > 1.0 && last[1].as_u64().unwrap_or(0) >= 2,
        "the Nghe player did not play: [currentTime, readyState, paused, error] = {last}"
    );
    site.shot("dashboard-listening").await;
    site.client
        .execute(
            "document.querySelector('audio[data-listen]').pause(); return true;",
            vec![],
        )
        .await
        .unwrap();
    // The same pages as a phone in dark mode shows them (looked at: contrast, no white cards).
    dark(site, true).await;
    site.go("/").await;
    let background = site
        .client
        .execute(
            "return getComputedStyle(document.querySelector('.card')).backgroundColor;",
            vec![],
        )
        .await
        .unwrap();
    assert_ne!(
        background.as_str(),
        Some("rgb(255, 255, 255)"),
        "dark mode darkens the cards"
    );
    site.shot("dashboard-dark").await;
    site.go("/programme").await;
    site.shot("programme-dark").await;
    site.logout().await;
    site.shot("login-dark").await;
    dark(site, false).await;
}

/// Ask Chromium (through chromedriver's DevTools bridge) to report `prefers-color-scheme: dark`.
async fn dark(site: &Site, on: bool) {
    let scheme = if on { "dark" } else { "light" };
    site.client
        .issue_cmd(Cdp(serde_json::json!({
            "cmd": "Emulation.setEmulatedMedia",
            "params": { "features": [{ "name": "prefers-color-scheme", "value": scheme }] }
        })))
        .await
        .unwrap();
}

/// One DevTools command, sent as chromedriver's `goog/cdp/execute`.
#[derive(Debug)]
struct Cdp(serde_json::Value);

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        (axum::http::Method::POST, Some(self.0.to_string()))
    }
}
