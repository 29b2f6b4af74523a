//! What the technician's buttons do, away from the UI thread: each returns a result line in both
//! languages.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use chrono::NaiveDateTime;
use ticket_printer::{PrintOutcome, Ticket};
use tokio::sync::broadcast;

use super::status::split_message;
use crate::{
    devices::{LedPanelSlot, PrinterService},
    ui::take_number::CardCheck,
};
use content::{ContentStore, SyncOutcome, Text};
use displays::led::Scene;

/// The outcome of one action: success or failure, with the line to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionResult {
    /// Whether it worked.
    pub ok: bool,
    /// The line, without the 成功/失败 prefix.
    pub text: Text,
}

impl ActionResult {
    /// A success.
    pub fn ok(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            ok: true,
            text: Text::new(zh, en),
        }
    }

    /// A failure with its reason.
    pub fn failed(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            ok: false,
            text: Text::new(zh, en),
        }
    }

    /// The line as shown: `成功：…` / `Success: …`, `失败：…` / `Failed: …`.
    pub fn line(&self) -> Text {
        if self.ok {
            Text::new(
                format!("成功：{}", self.text.zh),
                format!("Success: {}", self.text.en),
            )
        } else {
            Text::new(
                format!("失败：{}", self.text.zh),
                format!("Failed: {}", self.text.en),
            )
        }
    }
}

/// The printer test page: a ticket numbered `TEST` with Chinese, English and a QR code, so that one
/// print checks the encoder, the GBK text, the QR code and the cutter.
pub fn test_ticket(centre: &str, now: NaiveDateTime) -> Ticket {
    Ticket {
        centre: centre.to_owned(),
        address: None,
        number: "TEST".to_owned(),
        service: "打印测试页 Printer test page".to_owned(),
        service_en: None,
        window: None,
        window_en: None,
        ahead: 0,
        wait_minutes: None,
        issued_at: now,
        name: None,
        qr: Some("kiosk printer test page 12348".to_owned()),
        footer: vec![
            "测试：中文、English、二维码、切纸".to_owned(),
            "Test: Chinese, English, QR code, cut".to_owned(),
        ],
    }
}

/// Prints the test page through the printer service (its status check included).
pub async fn print_test_page(printer: PrinterService, ticket: Ticket) -> ActionResult {
    match printer.print(ticket).await {
        Ok(PrintOutcome::Printed(_)) => ActionResult::ok("测试页已打印", "test page printed"),
        Ok(PrintOutcome::NotPrinted(reason)) => {
            let text = split_message(&reason.to_string());
            ActionResult::failed(text.zh, text.en)
        }
        Err(err) => ActionResult::failed("打印服务已停止", err.to_string()),
    }
}

/// Waits for the next card read (masked values only) for up to `wait`.
pub async fn read_test_card(
    mut checks: broadcast::Receiver<CardCheck>,
    wait: Duration,
) -> ActionResult {
    let secs = wait.as_secs();
    match tokio::time::timeout(wait, checks.recv()).await {
        Ok(Ok(CardCheck::Read {
            masked_name,
            masked_number,
        })) => ActionResult::ok(
            format!("读到证件 {masked_name}，{masked_number}"),
            format!("card read: {masked_name}, {masked_number}"),
        ),
        Ok(Ok(CardCheck::Failed(reason))) => {
            let text = split_message(&reason);
            ActionResult::failed(
                format!("证件无法读取：{}", text.zh),
                format!("card not read: {}", text.en),
            )
        }
        Ok(Err(_)) => ActionResult::failed("读卡器已停止", "the reader has stopped"),
        Err(_) => ActionResult::failed(
            format!("{secs} 秒内未读到证件"),
            format!("no card read within {secs} s"),
        ),
    }
}

/// Shows the LED test pattern.
pub fn show_led_test(panel: &Arc<Mutex<LedPanelSlot>>, secs: u64) -> ActionResult {
    let mut panel = panel
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if !panel.attached() {
        return ActionResult::failed("未配置 LED 屏", "no LED panel configured");
    }
    match panel.show_test_pattern() {
        Ok(()) => ActionResult::ok(
            format!("LED 屏显示测试图案 {secs} 秒（边框、对角线、左上角标记）"),
            format!(
                "the LED panel shows the test pattern for {secs} s (border, diagonals, top-left mark)"
            ),
        ),
        Err(err) => ActionResult::failed(
            format!("LED 屏无法显示：{err}"),
            format!("LED panel: {err}"),
        ),
    }
}

/// Shows `scene` again after the test pattern.
pub fn restore_led(panel: &Arc<Mutex<LedPanelSlot>>, scene: &Scene) {
    let mut panel = panel
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Err(err) = panel.show(scene, Duration::ZERO) {
        tracing::warn!("LED panel: {err}");
    }
}

/// One content sync now, with every configured origin (as `kiosk sync --once`).
pub async fn sync_now(store: ContentStore) -> ActionResult {
    let attempts = store.sync_once().await;
    if attempts.is_empty() {
        return ActionResult::failed(
            "未配置内容来源（content.source_url 或 U 盘）",
            "no content source configured (content.source_url or a USB stick)",
        );
    }
    let mut zh = Vec::new();
    let mut en = Vec::new();
    let mut ok = true;
    for attempt in attempts {
        match attempt.result {
            Ok(report) => match report.outcome {
                SyncOutcome::Applied { to, .. } => {
                    tracing::info!("technician sync from {}: version {to}", attempt.origin);
                    zh.push(format!("{} 已更新到版本 {to}", attempt.origin));
                    en.push(format!("{} applied version {to}", attempt.origin));
                }
                SyncOutcome::Unchanged { version } => {
                    zh.push(format!("{} 已是最新（版本 {version}）", attempt.origin));
                    en.push(format!("{} unchanged (version {version})", attempt.origin));
                }
            },
            Err(err) => {
                tracing::warn!("technician sync from {}: {err}", attempt.origin);
                ok = false;
                zh.push(format!("{}：{err}", attempt.origin));
                en.push(format!("{}: {err}", attempt.origin));
            }
        }
    }
    ActionResult {
        ok,
        text: Text::new(zh.join("；"), en.join("; ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_lines_say_success_or_failure_in_both_languages() {
        let line = ActionResult::failed("打印机缺纸", "printer is out of paper").line();
        assert_eq!(line.zh, "失败：打印机缺纸");
        assert_eq!(line.en, "Failed: printer is out of paper");
        let line = ActionResult::ok("测试页已打印", "test page printed").line();
        assert_eq!(line.en, "Success: test page printed");
    }
}
