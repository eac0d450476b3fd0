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
    site.logout().await;
}
