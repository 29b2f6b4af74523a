//! The 进度查询 tab: a citizen types the receipt code a kiosk gave for a complaint or suggestion and
//! sees where it stands at the centre (state, deadline, reply). The question goes to the centre the
//! outbox delivers to (`content::receipt`), off the UI thread; the answer is shown only if the citizen
//! is still waiting for it (same code, same session).

use std::time::Duration;

use chrono::{DateTime, FixedOffset, Utc};
use content::{
    ContentConfig,
    receipt::{self, ReceiptError, ReceiptKind, ReceiptStatus},
};
use reqwest::Url;
use slint::{ComponentHandle as _, SharedString};

use crate::ui::{AppWindow, FeedbackAdapter, generated::ReceiptView};

/// How long a lookup may take before the citizen is told the centre cannot be reached.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(8);

/// China Standard Time, in which the kiosk shows the centre's times.
fn china_time() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap()
}

/// Asks the centre where a receipt stands. Cheap to clone.
#[derive(Clone, Debug)]
pub struct ReceiptLookup {
    client: reqwest::Client,
    base: Url,
    runtime: tokio::runtime::Handle,
}

impl ReceiptLookup {
    /// Asks the centre at `base` with `client` on `runtime`.
    pub fn new(client: reqwest::Client, base: Url, runtime: tokio::runtime::Handle) -> Self {
        Self {
            client,
            base,
            runtime,
        }
    }

    /// The lookup of the centre the outbox delivers to (`[content] outbox_url`), with the same pinned
    /// certificate; none when there is no centre (the tab then says to ask a window).
    pub fn from_config(config: &ContentConfig, runtime: tokio::runtime::Handle) -> Option<Self> {
        let base = receipt::centre_base(config.outbox_url.as_deref()?)?;
        match config.http_client(LOOKUP_TIMEOUT, LOOKUP_TIMEOUT) {
            Ok(client) => Some(Self::new(client, base, runtime)),
            Err(err) => {
                tracing::error!("receipt lookups are off: {err}");
                None
            }
        }
    }

    /// The centre's base URL.
    pub fn base(&self) -> &Url {
        &self.base
    }
}

/// What the page shows for an answer: the state in both languages, the dates in China time.
pub fn view(status: &ReceiptStatus) -> ReceiptView {
    let (kind, kind_en) = match status.kind {
        ReceiptKind::Complaint => ("投诉", "Complaint"),
        ReceiptKind::Suggestion => ("建议", "Suggestion"),
    };
    let or = |text: &str, fallback: &str| {
        if text.trim().is_empty() {
            fallback.to_owned()
        } else {
            text.to_owned()
        }
    };
    ReceiptView {
        code: status.code.as_str().into(),
        kind: kind.into(),
        kind_en: kind_en.into(),
        state: or(&status.status_zh, status.status.zh()).into(),
        state_en: or(&status.status_en, status.status.en()).into(),
        received: local_time(status.received).into(),
        deadline: status.deadline.format("%Y-%m-%d").to_string().into(),
        reply: status.reply.clone().unwrap_or_default().into(),
    }
}

fn local_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&china_time())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// What the citizen is told when there is no status to show, in Chinese and English.
pub fn no_status_text(
    outcome: &Result<Option<ReceiptStatus>, ReceiptError>,
) -> (&'static str, &'static str) {
    match outcome {
        Ok(Some(_)) => ("", ""),
        Ok(None) => (
            "没有查到这个编号。刚提交的投诉建议可能还未送达中心，请稍后再查；也请核对编号。",
            "No such code was found. A complaint filed just now may not have reached the centre yet: please try again later, and check the code.",
        ),
        Err(ReceiptError::Malformed(_)) => (
            "编号格式不对：应为T加8位字母数字，如T-7K3M-9QXA。",
            "That is not a receipt code: a T and 8 letters or digits, like T-7K3M-9QXA.",
        ),
        Err(ReceiptError::TooMany) => (
            "查询太频繁，请过一会儿再试。",
            "Too many lookups; please try again in a while.",
        ),
        Err(ReceiptError::Unreachable(_) | ReceiptError::Answer { .. }) => (
            "暂时连不上中心，请稍后再试，或到服务窗口、拨打12348咨询。",
            "The centre cannot be reached now; please try again later, ask a service window or call 12348.",
        ),
    }
}

/// Starts the lookup of the typed code; the answer is shown when it comes, if the citizen still waits.
pub(super) fn look_up(window: &AppWindow, lookup: Option<&ReceiptLookup>) {
    let page = window.global::<FeedbackAdapter>();
    page.set_found(false);
    let Some(lookup) = lookup else {
        page.set_error("本机未连接中心，暂不能查询，请到服务窗口或拨打12348咨询。".into());
        page.set_error_en(
            "This device is not connected to the centre; please ask a service window or call 12348."
                .into(),
        );
        return;
    };
    let Some(code) = receipt::normalise_code(&page.get_code()) else {
        let (zh, en) = no_status_text(&Err(ReceiptError::Malformed(page.get_code().into())));
        page.set_error(zh.into());
        page.set_error_en(en.into());
        return;
    };
    page.set_code(code.as_str().into());
    page.set_error(SharedString::new());
    page.set_error_en(SharedString::new());
    page.set_looking(true);
    let weak = window.as_weak();
    let lookup = lookup.clone();
    lookup.runtime.clone().spawn(async move {
        let outcome = receipt::lookup(&lookup.client, &lookup.base, &code).await;
        if let Err(err) = &outcome {
            tracing::warn!("receipt lookup of {code}: {err}");
        }
        let _ = weak.upgrade_in_event_loop(move |window| show(&window, &code, &outcome));
    });
}

/// Shows an answer, unless the citizen has gone (session reset) or asked about another code since.
fn show(window: &AppWindow, code: &str, outcome: &Result<Option<ReceiptStatus>, ReceiptError>) {
    let page = window.global::<FeedbackAdapter>();
    if !page.get_looking() || page.get_code() != code {
        return;
    }
    page.set_looking(false);
    match outcome {
        Ok(Some(status)) => {
            page.set_receipt(view(status));
            page.set_found(true);
        }
        _ => {
            let (zh, en) = no_status_text(outcome);
            page.set_error(zh.into());
            page.set_error_en(en.into());
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone as _};
    use content::receipt::ReceiptState;

    use super::*;

    #[test]
    fn answers_are_shown_in_china_time_with_both_languages() {
        let status = ReceiptStatus {
            code: "T-ABCD-EFGH".into(),
            kind: ReceiptKind::Suggestion,
            status: ReceiptState::Replied,
            status_zh: String::new(),
            status_en: "Replied".into(),
            received: Utc.with_ymd_and_hms(2026, 3, 2, 17, 30, 0).unwrap(),
            deadline: NaiveDate::from_ymd_opt(2026, 3, 23).unwrap(),
            reply: Some("已增加座椅。".into()),
        };
        let v = view(&status);
        assert_eq!(v.received, "2026-03-03 01:30");
        assert_eq!(v.deadline, "2026-03-23");
        assert_eq!(
            v.state, "已答复",
            "an empty wording falls back to the kiosk's"
        );
        assert_eq!(v.state_en, "Replied");
        assert_eq!(
            (v.kind.as_str(), v.kind_en.as_str()),
            ("建议", "Suggestion")
        );
        assert_eq!(v.reply, "已增加座椅。");
    }

    #[test]
    fn every_failure_tells_the_citizen_what_to_do() {
        for outcome in [
            Ok(None),
            Err(ReceiptError::Malformed("x".into())),
            Err(ReceiptError::TooMany),
            Err(ReceiptError::Unreachable("refused".into())),
            Err(ReceiptError::Answer {
                status: 500,
                reason: "x".into(),
            }),
        ] {
            let (zh, en) = no_status_text(&outcome);
            assert!(!zh.is_empty() && !en.is_empty(), "{outcome:?}");
        }
    }
}
