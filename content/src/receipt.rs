//! Where a complaint or suggestion stands, asked of the centre by its receipt code.
//!
//! A citizen who filed a complaint or suggestion at a kiosk was given its reference number
//! (`T-7K3M-9QXA`), which is the outbox item's idempotency key. The centre answers
//! `GET {centre}/api/v1/receipts/{code}` with a [`ReceiptStatus`] (no personal data: no contact, no
//! text), `404` for a code it does not know and `400` for a malformed one. Any kiosk can ask, so a
//! citizen may check at another station than the one where the complaint was filed.
//!
//! The centre's address is the outbox endpoint's (`[content] outbox_url` ends in
//! [`OUTBOX_PATH`]), so a kiosk that delivers its outbox to a centre can also ask it; the same HTTP
//! client (with the pinned `ca_file`) is used.

use chrono::{DateTime, NaiveDate, Utc};
use reqwest::{StatusCode, Url};
use serde::{Deserialize, Serialize};

/// The path of the outbox endpoint below the centre's base URL.
pub const OUTBOX_PATH: &str = "api/v1/outbox";
/// The path of the receipt lookup below the centre's base URL (followed by the code).
pub const RECEIPTS_PATH: &str = "api/v1/receipts/";

/// How far a complaint or suggestion has come at the centre.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptState {
    /// Received, not yet given to a member of staff.
    Received,
    /// A member of staff is handling it.
    Assigned,
    /// The centre has replied.
    Replied,
    /// Closed.
    Closed,
}

impl ReceiptState {
    /// The name as sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Assigned => "assigned",
            Self::Replied => "replied",
            Self::Closed => "closed",
        }
    }

    /// The state in Simplified Chinese.
    pub fn zh(self) -> &'static str {
        match self {
            Self::Received => "已受理",
            Self::Assigned => "办理中",
            Self::Replied => "已答复",
            Self::Closed => "已办结",
        }
    }

    /// The state in English.
    pub fn en(self) -> &'static str {
        match self {
            Self::Received => "Received",
            Self::Assigned => "Being handled",
            Self::Replied => "Replied",
            Self::Closed => "Closed",
        }
    }
}

/// Whether the citizen complained or suggested.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptKind {
    /// 投诉.
    Complaint,
    /// 建议.
    Suggestion,
}

/// The centre's answer about one receipt code: exactly the JSON of `GET /api/v1/receipts/{code}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptStatus {
    /// The receipt code asked for.
    pub code: String,
    /// Complaint or suggestion.
    pub kind: ReceiptKind,
    /// Where it stands.
    pub status: ReceiptState,
    /// The state as the centre words it in Chinese.
    pub status_zh: String,
    /// The state as the centre words it in English.
    pub status_en: String,
    /// When the centre received it.
    pub received: DateTime<Utc>,
    /// The day by which the centre answers.
    pub deadline: NaiveDate,
    /// The centre's reply, once there is one.
    pub reply: Option<String>,
}

/// Why a lookup gave no status.
#[derive(Debug, thiserror::Error)]
pub enum ReceiptError {
    /// The code is not a reference number (checked before asking).
    #[error("`{0}` is not a receipt code (like T-7K3M-9QXA)")]
    Malformed(String),
    /// The centre cannot be reached or did not answer in time.
    #[error("the centre cannot be reached: {0}")]
    Unreachable(String),
    /// Too many lookups from this device: try again later.
    #[error("too many lookups: try again later")]
    TooMany,
    /// The centre answered something else than a status.
    #[error("the centre answered {status}: {reason}")]
    Answer {
        /// The HTTP status.
        status: u16,
        /// The centre's reason or what was wrong with the body.
        reason: String,
    },
}

/// The centre's base URL from the outbox endpoint: `https://c:8480/api/v1/outbox` →
/// `https://c:8480/`. None when the endpoint does not end in [`OUTBOX_PATH`] (then the kiosk does
/// not know where receipts can be looked up) or is not a URL.
pub fn centre_base(outbox_url: &str) -> Option<Url> {
    let trimmed = outbox_url.trim_end_matches('/');
    let base = trimmed.strip_suffix(OUTBOX_PATH)?;
    if !base.ends_with('/') {
        return None;
    }
    let url = Url::parse(base).ok()?;
    matches!(url.scheme(), "http" | "https").then_some(url)
}

/// A receipt code normalised the way citizens type it: letters upper-cased, spaces dropped, the
/// dashes put back when left out (`t7k3m9qxa` → `T-7K3M-9QXA`). None when it cannot be one.
pub fn normalise_code(typed: &str) -> Option<String> {
    let plain: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if plain.len() != 9 || !plain.is_ascii() {
        return None;
    }
    let code = format!("{}-{}-{}", &plain[..1], &plain[1..5], &plain[5..]);
    is_code(&code).then_some(code)
}

/// Whether `code` is a complaint receipt code: `T-` and two groups of four characters drawn from the
/// digits and capitals that cannot be mistaken for one another (no `0`, `1`, `I`, `O`).
pub fn is_code(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() == 11
        && b[0] == b'T'
        && b[1] == b'-'
        && b[6] == b'-'
        && b.iter()
            .enumerate()
            .filter(|(i, _)| ![0, 1, 6].contains(i))
            .all(|(_, c)| matches!(c, b'2'..=b'9' | b'A'..=b'H' | b'J'..=b'N' | b'P'..=b'Z'))
}

/// Asks the centre at `base` where the receipt `code` stands. `Ok(None)`: the centre does not know the
/// code (not yet delivered from the kiosk that took it, or mistyped).
pub async fn lookup(
    client: &reqwest::Client,
    base: &Url,
    code: &str,
) -> Result<Option<ReceiptStatus>, ReceiptError> {
    if !is_code(code) {
        return Err(ReceiptError::Malformed(code.to_owned()));
    }
    let url = base
        .join(RECEIPTS_PATH)
        .and_then(|u| u.join(code))
        .map_err(|e| ReceiptError::Unreachable(format!("{base}: {e}")))?;
    let response = client
        .get(url)
        .send()
        .await
        .map_err(|e| ReceiptError::Unreachable(error_chain(&e)))?;
    let status = response.status();
    match status {
        StatusCode::OK => {
            let body = response
                .bytes()
                .await
                .map_err(|e| ReceiptError::Unreachable(error_chain(&e)))?;
            let answer: ReceiptStatus =
                serde_json::from_slice(&body).map_err(|e| ReceiptError::Answer {
                    status: status.as_u16(),
                    reason: format!("not a receipt status: {e}"),
                })?;
            Ok(Some(answer))
        }
        StatusCode::NOT_FOUND => Ok(None),
        StatusCode::TOO_MANY_REQUESTS => Err(ReceiptError::TooMany),
        other => {
            let text = response.text().await.unwrap_or_default();
            let reason = serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_owned))
                .unwrap_or_else(|| text.chars().take(200).collect());
            Err(ReceiptError::Answer {
                status: other.as_u16(),
                reason,
            })
        }
    }
}

/// The error and its causes on one line (reqwest's top error alone says little: "error sending
/// request").
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_centre_base_comes_from_the_outbox_endpoint() {
        let base = centre_base("https://centre.example:8480/api/v1/outbox").unwrap();
        assert_eq!(base.as_str(), "https://centre.example:8480/");
        let base = centre_base("http://10.0.0.2/centre/api/v1/outbox/").unwrap();
        assert_eq!(base.as_str(), "http://10.0.0.2/centre/");
        assert_eq!(
            base.join(RECEIPTS_PATH)
                .unwrap()
                .join("T-ABCD-EFGH")
                .unwrap()
                .as_str(),
            "http://10.0.0.2/centre/api/v1/receipts/T-ABCD-EFGH"
        );
        assert!(centre_base("https://centre.example/outbox").is_none());
        assert!(centre_base("https://centre.example/xapi/v1/outbox").is_none());
        assert!(centre_base("ftp://centre.example/api/v1/outbox").is_none());
        assert!(centre_base("api/v1/outbox").is_none());
    }

    #[test]
    fn codes_are_normalised_as_citizens_type_them() {
        assert_eq!(normalise_code("t7k3m9qxa").as_deref(), Some("T-7K3M-9QXA"));
        assert_eq!(
            normalise_code(" T-7K3M 9QXA ").as_deref(),
            Some("T-7K3M-9QXA")
        );
        // A rating's reference (P-) or a survey's (S-) has no status to look up.
        assert_eq!(normalise_code("P-7K3M-9QXA"), None);
        // 0, 1, I and O are never in a code.
        assert_eq!(normalise_code("T-7K3M-9QX0"), None);
        assert_eq!(normalise_code("T-7K3M-9QXI"), None);
        assert_eq!(normalise_code("T-7K3M"), None);
        assert_eq!(normalise_code("T-7K3M-9QXAé"), None);
        assert_eq!(normalise_code(""), None);
    }

    #[test]
    fn the_status_json_is_the_documented_one() {
        let json = r#"{"code":"T-ABCD-EFGH","kind":"suggestion","status":"replied",
            "status_zh":"已答复","status_en":"Replied","received":"2026-03-02T09:00:00Z",
            "deadline":"2026-03-23","reply":"已增加座椅。"}"#;
        let status: ReceiptStatus = serde_json::from_str(json).unwrap();
        assert_eq!(status.kind, ReceiptKind::Suggestion);
        assert_eq!(status.status, ReceiptState::Replied);
        assert_eq!(
            status.deadline,
            NaiveDate::from_ymd_opt(2026, 3, 23).unwrap()
        );
        assert_eq!(status.reply.as_deref(), Some("已增加座椅。"));
        let back = serde_json::to_value(&status).unwrap();
        assert_eq!(back["status"], "replied");
        assert_eq!(back["kind"], "suggestion");
        for state in [
            ReceiptState::Received,
            ReceiptState::Assigned,
            ReceiptState::Replied,
            ReceiptState::Closed,
        ] {
            let text = serde_json::to_string(&state).unwrap();
            assert_eq!(text, format!("\"{}\"", state.as_str()));
            assert!(!state.zh().is_empty() && !state.en().is_empty());
        }
    }
}
