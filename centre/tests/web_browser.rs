//! The staff web app in headless Chromium (Debian's `chromium` and `chromium-driver`), against a real
//! centre on loopback over a real SQLite file: log in, see a complaint that arrived through
//! `POST /api/v1/outbox`, assign, reply, close; the receipt lookup then says closed; the fleet page
//! shows a kiosk whose heartbeat reports paper out, with its alert.
//!
//! A second test walks the citizen's booking pages on a 390-pixel-wide phone, in Chinese and in
//! English (site, service, day, slot, the form, the booking with its QR code, moving and cancelling
//! it), and the staff's bookings page, booking for a citizen.
//!
//! With `CENTRE_SCREENSHOTS=1` it also writes a PNG of every staff page (and of the ratings page's
//! return-call list), the phone status page and the booking pages (`book-*.png`, `bookings.png`) to `images/centre/` (referenced from
//! `centre/README.md`).

mod browser_support;
mod web_support;

use std::time::Duration;

use browser_support::{WAIT, chromium, fonts_conf, shoot, start_chromedriver, text_of, wait_text};
use fantoccini::{Client, Locator};
use serde_json::{Value, json};
use web_support::{
    BOOKINGS, PASSWORD, SITE_A, TOKEN_A, TOKEN_B, WebCentre, complaint, config, heartbeat,
    monday_morning, rating, url,
};

/// Reloads `path` until `css` is on it (the page is server-rendered: no live updates).
async fn reload_until(
    browser: &Client,
    url: &str,
    css: &str,
) -> Result<(), fantoccini::error::CmdError> {
    let start = std::time::Instant::now();
    loop {
        browser.goto(url).await?;
        if browser.find(Locator::Css(css)).await.is_ok() {
            return Ok(());
        }
        assert!(
            start.elapsed() < WAIT,
            "{css} did not appear on {url} within {WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_handle_a_complaint_and_see_a_kiosk_out_of_paper_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let centre = WebCentre::start(dir.path(), config(""), monday_morning()).await;
    centre
        .deliver(
            TOKEN_A,
            &complaint(
                "T-ABCD-EFGH",
                "kiosk-a",
                "【投诉】窗口等候时间太长",
                Some("13812345678"),
            ),
        )
        .await;
    centre
        .deliver(
            TOKEN_B,
            &complaint("T-WXYZ-2345", "kiosk-b", "【建议】希望增加座椅", None),
        )
        .await;
    centre
        .deliver(
            TOKEN_A,
            &heartbeat("H-1", "kiosk-a", "2026-03-02T01:00:00Z", "out"),
        )
        .await;
    centre
        .deliver(
            TOKEN_B,
            &heartbeat("H-2", "kiosk-b", "2026-03-02T01:00:00Z", "near_end"),
        )
        .await;
    for (key, device, token, service, ticket, score, window) in [
        (
            "P-AAAA-AAAA",
            "kiosk-a",
            TOKEN_A,
            "legal_aid",
            "C012",
            5,
            Some(3),
        ),
        (
            "P-BBBB-BBBB",
            "kiosk-a",
            TOKEN_A,
            "legal_aid",
            "C013",
            2,
            Some(3),
        ),
        ("P-CCCC-CCCC", "kiosk-b", TOKEN_B, "notary", "N004", 4, None),
    ] {
        let mut item = rating(key, device, service, ticket, score);
        if let Some(window) = window {
            // From window 3's rating pad, with who served and, on the low one, why.
            item["data"]["window"] = window.into();
            item["data"]["staff_id"] = "A017".into();
            item["data"]["staff_name"] = "张敏".into();
            item["data"]["source"] = "pad".into();
            if score <= 2 {
                item["data"]["reasons"] = json!(["long_wait", "unclear"]);
            }
        }
        centre.deliver(token, &item).await;
    }

    // A day of ticket statistics from each site's queue host, for the reports page.
    for (device, token, service, issued, by_hour) in [
        (
            "kiosk-a",
            TOKEN_A,
            "legal_aid",
            34,
            [3, 5, 6, 4, 3, 4, 4, 3, 2],
        ),
        (
            "kiosk-b",
            TOKEN_B,
            "notary",
            21,
            [2, 4, 3, 2, 1, 3, 3, 2, 1],
        ),
    ] {
        let mut hours = [0u32; 24];
        hours[8..17].copy_from_slice(&by_hour);
        let status = centre
            .deliver(
                token,
                &web_support::item(
                    &format!("stats:2026-03-02:{service}"),
                    device,
                    "2026-03-02T10:00:00Z",
                    "ticket_stats",
                    serde_json::json!({"day": "2026-03-02", "service": service,
                        "issued": issued, "served": issued - 4, "no_show": 3,
                        "mean_wait_secs": 1260, "wait_minutes": [2, 3, 0, 4, 5, 6, 2, 1, 3, 2, 1],
                        "service_count": issued - 4, "service_total_secs": (issued - 4) * 600,
                        "issued_by_hour": hours}),
                ),
            )
            .await;
        assert_eq!(status, 201, "the statistics of {device} are stored");
    }

    let profile = tempfile::tempdir().unwrap();
    let (_driver, port) = start_chromedriver(&fonts_conf(profile.path()));
    let browser = chromium(port, &profile.path().join("profile")).await;
    let base = centre.url("");
    let result = async {
        browser.set_window_size(1280, 900).await?;
        browser.goto(&format!("{base}/staff/fleet")).await?;
        // Not logged in: the login form.
        browser
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Id("password"))
            .await?;
        shoot(&browser, "login").await?;
        browser
            .find(Locator::Id("user"))
            .await?
            .send_keys("admin")
            .await?;
        browser
            .find(Locator::Id("password"))
            .await?
            .send_keys(PASSWORD)
            .await?;
        browser.find(Locator::Id("login")).await?.click().await?;
        wait_text(&browser, "user", "admin").await?;

        // The fleet: kiosk-a out of paper, with its alert (raised when the heartbeat arrived).
        reload_until(&browser, &format!("{base}/staff/fleet"), ".alert-paper_out").await?;
        let row = browser
            .find(Locator::XPath(
                "//tr[.//span[@class='device-id' and text()='kiosk-a']]",
            ))
            .await?
            .text()
            .await?;
        assert!(
            row.contains("缺纸 Out") && row.contains("缺纸 Paper out"),
            "{row}"
        );
        shoot(&browser, "fleet").await?;
        browser.goto(&format!("{base}/staff/alerts")).await?;
        assert!(
            text_of(&browser, "tr.alert-paper_out")
                .await?
                .contains("kiosk-a")
        );
        shoot(&browser, "alerts").await?;
        browser.goto(&format!("{base}/staff/summary")).await?;
        wait_text(&browser, "broken-count", "2").await?;
        shoot(&browser, "summary").await?;

        // The complaint that came through the outbox: assign, reply, close.
        browser.goto(&format!("{base}/staff/complaints")).await?;
        shoot(&browser, "complaints").await?;
        browser
            .find(Locator::LinkText("T-ABCD-EFGH"))
            .await?
            .click()
            .await?;
        wait_text(&browser, "case-status", "已受理").await?;
        wait_text(&browser, "case-text", "窗口等候时间太长").await?;
        browser
            .find(Locator::Css("#assignee option[value='admin']"))
            .await?
            .click()
            .await?;
        browser.find(Locator::Id("assign")).await?.click().await?;
        wait_text(&browser, "case-status", "办理中").await?;
        browser
            .find(Locator::Id("reply"))
            .await?
            .send_keys("已增加一个窗口，感谢您的意见。")
            .await?;
        shoot(&browser, "complaint").await?;
        browser
            .find(Locator::Id("send-reply"))
            .await?
            .click()
            .await?;
        wait_text(&browser, "case-status", "已答复").await?;
        browser.find(Locator::Id("close")).await?.click().await?;
        wait_text(&browser, "case-status", "已办结").await?;
        wait_text(&browser, "case-reply", "已增加一个窗口").await?;

        browser.goto(&format!("{base}/staff/ratings")).await?;
        text_of(&browser, "h1").await?;
        let page = text_of(&browser, "main").await?;
        assert!(
            page.contains("按站点和工作人员 By site and staff member"),
            "{page}"
        );
        assert!(page.contains("张敏 · A017"), "{page}");
        assert!(page.contains("等候时间长 Long wait"), "{page}");
        shoot(&browser, "ratings").await?;
        // The return-call list, with who served and the reasons ticked.
        browser
            .execute(
                "Array.from(document.querySelectorAll('h2')).find(h => h.textContent.includes('差评回访')).scrollIntoView()",
                vec![],
            )
            .await?;
        shoot(&browser, "ratings-return-calls").await?;
        browser
            .goto(&format!(
                "{base}/staff/reports?from=2026-03-01&to=2026-03-02"
            ))
            .await?;
        assert!(text_of(&browser, "h1").await?.contains("报表"));
        browser
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css("svg[role=img]"))
            .await?;
        shoot(&browser, "reports").await?;
        browser.goto(&format!("{base}/staff/audit")).await?;
        assert!(
            text_of(&browser, "table")
                .await?
                .contains("complaint_close")
        );
        shoot(&browser, "audit").await?;

        // The citizen's phone page.
        browser.set_window_size(412, 915).await?;
        browser
            .goto(&format!("{base}/status?code=T-ABCD-EFGH"))
            .await?;
        wait_text(&browser, "status", "已办结").await?;
        shoot(&browser, "status").await?;
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    let _ = browser.close().await;
    result.expect("the staff web app works in Chromium");

    let receipt: Value = reqwest::get(centre.url("/api/v1/receipts/T-ABCD-EFGH"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(receipt["status"], "closed");
    assert_eq!(receipt["reply"], "已增加一个窗口，感谢您的意见。");
}

async fn click(browser: &Client, css: &str) -> Result<(), fantoccini::error::CmdError> {
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await?
        .click()
        .await
}

async fn type_into(
    browser: &Client,
    id: &str,
    text: &str,
) -> Result<(), fantoccini::error::CmdError> {
    browser.find(Locator::Id(id)).await?.send_keys(text).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn citizens_book_on_their_phones_and_staff_see_the_bookings_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let centre = WebCentre::start(dir.path(), config(BOOKINGS), monday_morning()).await;
    let profile = tempfile::tempdir().unwrap();
    let (_driver, port) = start_chromedriver(&fonts_conf(profile.path()));
    let browser = chromium(port, &profile.path().join("profile")).await;
    let base = centre.url("");
    let result = async {
        // A phone: 390 CSS pixels wide.
        browser.set_window_size(390, 844).await?;
        browser.goto(&format!("{base}/book")).await?;
        click(&browser, "#sites a.choice").await?;
        wait_text(&browser, "services", "法律援助").await?;
        shoot(&browser, "book-1-service").await?;
        click(&browser, "a[data-service='legal_aid']").await?;
        browser
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css("a[data-day='2026-03-03']"))
            .await?;
        shoot(&browser, "book-2-day").await?;
        click(&browser, "a[data-day='2026-03-03']").await?;
        wait_text(&browser, "chosen-day", "3月3日").await?;
        shoot(&browser, "book-3-slot").await?;
        click(&browser, "a[data-slot='09:30']").await?;
        wait_text(&browser, "chosen-slot", "09:30").await?;
        type_into(&browser, "name", "张小三").await?;
        type_into(&browser, "phone", "13812345678").await?;
        type_into(&browser, "id_number", "99010119491231992X").await?;
        shoot(&browser, "book-4-form").await?;
        click(&browser, "#confirm").await?;
        wait_text(&browser, "done", "预约成功").await?;
        let code = text_of(&browser, "#code").await?;
        assert!(content::booking::is_booking_code(&code), "{code}");
        browser
            .find(Locator::Css(".ticket svg.qr"))
            .await
            .expect("the QR code is on the page");
        shoot(&browser, "book-5-done").await?;

        // The same page later, in English: the booking's link, to move and cancel it.
        let link = browser.current_url().await?;
        let manage = format!("{}{}", base, link.path());
        browser.goto(&manage).await?;
        click(&browser, "#lang").await?;
        wait_text(&browser, "b-state", "Booked").await?;
        shoot(&browser, "book-6-manage-en").await?;
        click(&browser, "#move").await?;
        click(&browser, "a[data-day='2026-03-05']").await?;
        click(&browser, "button[data-slot='14:00']").await?;
        wait_text(&browser, "moved", "moved").await?;
        wait_text(&browser, "b-time", "14:00").await?;
        browser
            .find(Locator::Id("confirm-cancel"))
            .await?
            .click()
            .await?;
        click(&browser, "#cancel").await?;
        wait_text(&browser, "b-state", "Cancelled").await?;
        shoot(&browser, "book-7-cancelled-en").await?;

        // A booking in English from the start.
        browser.goto(&format!("{base}/book?lang=en")).await?;
        click(&browser, "#sites a.choice").await?;
        click(&browser, "a[data-service='mediation']").await?;
        click(&browser, "a[data-day='2026-03-04']").await?;
        click(&browser, "a[data-slot='10:00']").await?;
        wait_text(&browser, "chosen-service", "mediation").await?;
        type_into(&browser, "name", "Li Si").await?;
        type_into(&browser, "phone", "139 0000 1111").await?;
        click(&browser, "#confirm").await?;
        wait_text(&browser, "done", "Booked!").await?;
        shoot(&browser, "book-8-done-en").await?;

        // Staff: the day's bookings, booking for a citizen on the phone (12348).
        browser.set_window_size(1280, 900).await?;
        browser.goto(&format!("{base}/staff/login")).await?;
        type_into(&browser, "user", "admin").await?;
        type_into(&browser, "password", PASSWORD).await?;
        click(&browser, "#login").await?;
        wait_text(&browser, "user", "admin").await?;
        browser
            .goto(&format!(
                "{base}/staff/bookings?site={}&day=2026-03-04&service=legal_aid",
                url(SITE_A)
            ))
            .await?;
        click(&browser, "#s-slot option[value='11:00']").await?;
        type_into(&browser, "s-name", "王小明").await?;
        type_into(&browser, "s-phone", "13712345678").await?;
        type_into(&browser, "s-id", "990101199003079992").await?;
        click(&browser, "#staff-confirm").await?;
        let booked = text_of(&browser, "#booked-code").await?;
        assert!(content::booking::is_booking_code(&booked), "{booked}");
        let table = text_of(&browser, "table").await?;
        assert!(
            table.contains(&booked) && table.contains("137****5678"),
            "{table}"
        );
        shoot(&browser, "bookings").await?;
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    let _ = browser.close().await;
    result.expect("the booking pages work in Chromium");
}
