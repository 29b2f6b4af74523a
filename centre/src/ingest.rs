//! What a well-formed outbox item is, and why one is refused.
//!
//! The body is parsed as [`content::OutboxMessage`], the type the kiosk's outbox serialises, so both
//! sides agree by construction. The payload rules are the ones the kiosk checks before it queues an
//! item (`content::outbox`): the centre applies the same ones, never stricter, so a kiosk never has an
//! item refused that it accepted, and never looser, so a hand-made request cannot store what a kiosk
//! could not.

use content::{OutboxError, OutboxMessage, OutboxPayload};

/// The largest body accepted, in bytes. A complaint's 2,000 characters are at most 8 KB of UTF-8; a
/// heartbeat is about 1 KB.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The longest idempotency key, in bytes. The kiosk's keys are 32 hex digits, `T-ABCD-EFGH` receipt
/// codes, or names such as `stats:2026-03-02:legal_aid`.
pub const MAX_KEY_BYTES: usize = 128;

/// The longest device id, in bytes.
pub const MAX_DEVICE_BYTES: usize = 64;

/// A well-formed outbox item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The parsed message.
    pub message: OutboxMessage,
    /// The body as received (UTF-8 JSON), kept verbatim so fields a newer kiosk adds are not lost.
    pub body: String,
}

/// Why an item is refused (each is a `400 Bad Request` with this text as its reason).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Malformed {
    /// No `Idempotency-Key` header.
    #[error("the Idempotency-Key header is missing")]
    MissingKey,
    /// The key is empty, too long, or not printable ASCII.
    #[error(
        "the idempotency key must be 1 to {MAX_KEY_BYTES} printable ASCII characters without spaces"
    )]
    BadKey,
    /// The body is not UTF-8.
    #[error("the body is not UTF-8")]
    NotUtf8,
    /// The body is not an outbox item (wrong types, unknown kind, bad dates, missing fields…).
    #[error("the body is not an outbox item: {0}")]
    Body(String),
    /// The header's key and the body's key differ.
    #[error("the Idempotency-Key header ({header:?}) does not match the body's key ({body:?})")]
    KeyMismatch {
        /// The header's key.
        header: String,
        /// The body's key.
        body: String,
    },
    /// The body names no device, or one that is too long.
    #[error("the body's device must be 1 to {MAX_DEVICE_BYTES} bytes")]
    BadDevice,
    /// The payload breaks a rule of its kind.
    #[error("{kind}: {reason}")]
    Invalid {
        /// The kind.
        kind: &'static str,
        /// The rule broken.
        reason: String,
    },
}

/// Checks an idempotency key: 1 to [`MAX_KEY_BYTES`] printable ASCII characters, no spaces.
pub fn check_key(key: &str) -> Result<(), Malformed> {
    if key.is_empty() || key.len() > MAX_KEY_BYTES || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Malformed::BadKey);
    }
    Ok(())
}

/// Parses and checks an item: the `Idempotency-Key` header's value and the body.
pub fn parse(header_key: Option<&str>, body: &[u8]) -> Result<Item, Malformed> {
    let header_key = header_key.ok_or(Malformed::MissingKey)?;
    check_key(header_key)?;
    let text = std::str::from_utf8(body).map_err(|_| Malformed::NotUtf8)?;
    let message = read_message(text)?;
    // JSON may carry U+0000 as `\u0000`; PostgreSQL cannot store it in text, so no engine takes it.
    if text.contains("u0000")
        && let Ok(value) = serde_json::from_str::<serde_json::Value>(text)
        && let Some(path) = nul_at(&value)
    {
        return Err(Malformed::Body(format!(
            "{path}: contains the character U+0000 (NUL), which cannot be stored"
        )));
    }
    if message.key != header_key {
        return Err(Malformed::KeyMismatch {
            header: header_key.to_owned(),
            body: message.key,
        });
    }
    if message.device.is_empty() || message.device.len() > MAX_DEVICE_BYTES {
        return Err(Malformed::BadDevice);
    }
    validate(&message.payload)?;
    Ok(Item {
        message,
        body: text.to_owned(),
    })
}

/// The path (`data.text`) of the first string or object key holding U+0000, if any.
fn nul_at(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) if s.contains('\0') => Some(".".into()),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| nul_at(item).map(|rest| join_path(&format!("[{i}]"), &rest))),
        serde_json::Value::Object(map) => map.iter().find_map(|(key, item)| {
            if key.contains('\0') {
                return Some(key.escape_default().to_string());
            }
            nul_at(item).map(|rest| join_path(key, &rest))
        }),
        _ => None,
    }
}

fn join_path(head: &str, rest: &str) -> String {
    match rest {
        "." => head.to_owned(),
        rest if rest.starts_with('[') => format!("{head}{rest}"),
        rest => format!("{head}.{rest}"),
    }
}

/// The envelope of an item, read first so that an error in `data` names its field (`data.score`).
#[derive(serde::Deserialize)]
struct Envelope {
    key: String,
    device: String,
    created: chrono::DateTime<chrono::Utc>,
    kind: String,
    data: serde_json::Value,
}

/// The kinds, in the order the error lists them.
const KINDS: [&str; 8] = [
    "complaint",
    "rating",
    "ticket_stats",
    "heartbeat",
    "needs_survey",
    "booking_update",
    "video_call",
    "callback_request",
];

/// Reads the body as an [`OutboxMessage`], with the path of the first wrong field in the reason.
fn read_message(text: &str) -> Result<OutboxMessage, Malformed> {
    fn at<T: serde::de::DeserializeOwned>(
        prefix: &str,
        value: serde_json::Value,
    ) -> Result<T, Malformed> {
        serde_path_to_error::deserialize(value).map_err(|err| {
            let path = err.path().to_string();
            let inner = err.into_inner();
            match (prefix, path.as_str()) {
                ("", ".") => Malformed::Body(inner.to_string()),
                ("", path) => Malformed::Body(format!("{path}: {inner}")),
                (prefix, ".") => Malformed::Body(format!("{prefix}: {inner}")),
                (prefix, path) => Malformed::Body(format!("{prefix}.{path}: {inner}")),
            }
        })
    }
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|err| Malformed::Body(err.to_string()))?;
    let envelope: Envelope = at("", value)?;
    let payload = match envelope.kind.as_str() {
        "complaint" => OutboxPayload::Complaint(at("data", envelope.data)?),
        "rating" => OutboxPayload::Rating(at("data", envelope.data)?),
        "ticket_stats" => OutboxPayload::TicketStats(at("data", envelope.data)?),
        "heartbeat" => OutboxPayload::Heartbeat(at("data", envelope.data)?),
        "needs_survey" => OutboxPayload::NeedsSurvey(at("data", envelope.data)?),
        "booking_update" => OutboxPayload::BookingUpdate(at("data", envelope.data)?),
        "video_call" => OutboxPayload::VideoCall(at("data", envelope.data)?),
        "callback_request" => OutboxPayload::CallbackRequest(at("data", envelope.data)?),
        other => {
            return Err(Malformed::Body(format!(
                "kind: unknown kind {other:?}, expected one of {}",
                KINDS.join(", ")
            )));
        }
    };
    let message = OutboxMessage {
        key: envelope.key,
        device: envelope.device,
        created: envelope.created,
        payload,
    };
    // The kiosk's own reading must agree: the body is exactly the kiosk's outbox item.
    match serde_json::from_str::<OutboxMessage>(text) {
        Ok(direct) if direct == message => Ok(message),
        Ok(_) => Err(Malformed::Body(
            "the item reads differently as a kiosk message".into(),
        )),
        Err(err) => Err(Malformed::Body(err.to_string())),
    }
}

/// The kiosk's own rules of each kind (`OutboxPayload::validate`), so the centre is never stricter
/// nor looser than the kiosk that queued the item.
fn validate(payload: &OutboxPayload) -> Result<(), Malformed> {
    match payload.validate() {
        Ok(()) => Ok(()),
        Err(OutboxError::Invalid { kind, reason }) => Err(Malformed::Invalid { kind, reason }),
        Err(other) => Err(Malformed::Invalid {
            kind: payload.kind(),
            reason: other.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "T-ABCD-EFGH";

    fn body(kind: &str, data: &str) -> String {
        format!(
            r#"{{"key":"{KEY}","device":"k1","created":"2026-03-02T09:00:00Z","kind":"{kind}","data":{data}}}"#
        )
    }

    fn reason(header: Option<&str>, body: &str) -> String {
        parse(header, body.as_bytes()).unwrap_err().to_string()
    }

    #[test]
    fn a_kiosk_item_is_read_as_written() {
        let message = OutboxMessage {
            key: KEY.into(),
            device: "k1".into(),
            created: "2026-03-02T09:00:00Z".parse().unwrap(),
            payload: OutboxPayload::Rating(content::Rating {
                service: "notary".into(),
                ticket: Some("C012".into()),
                score: 4,
                comment: "快".into(),
                window: None,
                ..Default::default()
            }),
        };
        let json = serde_json::to_string(&message).unwrap();
        let item = parse(Some(KEY), json.as_bytes()).unwrap();
        assert_eq!(item.message, message);
        assert_eq!(item.body, json);
    }

    #[test]
    fn malformed_items_are_refused_with_a_reason() {
        let complaint = body(
            "complaint",
            r#"{"about":"notary","text":"太慢","contact":null}"#,
        );
        assert_eq!(
            reason(None, &complaint),
            "the Idempotency-Key header is missing"
        );
        assert!(reason(Some("a b"), &complaint).contains("printable ASCII"));
        assert!(reason(Some(&"x".repeat(129)), &complaint).contains("printable ASCII"));
        assert!(reason(Some("other"), &complaint).contains("does not match"));
        let wrong_type = body(
            "rating",
            r#"{"service":"notary","ticket":null,"score":"five","comment":""}"#,
        );
        let text = reason(Some(KEY), &wrong_type);
        assert!(
            text.contains("score") && text.contains("invalid type"),
            "{text}"
        );
        assert!(text.contains("data.score"), "the field is named: {text}");
        let text = reason(Some(KEY), &body("gossip", "{}"));
        assert!(text.contains(r#"unknown kind "gossip""#), "{text}");
        let text = reason(Some(KEY), &body("rating", r#"{"service":"notary"}"#));
        assert!(text.contains("data: missing field `score`"), "{text}");
        let bad_date = complaint.replace("2026-03-02T09:00:00Z", "2026-13-45T09:00:00Z");
        let text = reason(Some(KEY), &bad_date);
        assert!(
            text.starts_with("the body is not an outbox item: created:"),
            "{text}"
        );
        let bad_day = body(
            "ticket_stats",
            r#"{"day":"2026-02-30","service":"notary","issued":1,"served":1,"no_show":0,"mean_wait_secs":5}"#,
        );
        let text = reason(Some(KEY), &bad_day);
        assert!(text.contains("data.day"), "{text}");
        assert!(reason(Some(KEY), "not json").contains("not an outbox item"));
        assert!(reason(Some(KEY), &format!("{complaint} {{}}")).contains("trailing"));
        assert_eq!(parse(Some(KEY), b"\xff\xfe"), Err(Malformed::NotUtf8));
        assert_eq!(
            reason(
                Some(KEY),
                &body(
                    "rating",
                    r#"{"service":"notary","ticket":null,"score":9,"comment":""}"#
                )
            ),
            "rating: the score must be 1 to 5"
        );
        assert_eq!(
            reason(
                Some(KEY),
                &body(
                    "complaint",
                    r#"{"about":"notary","text":"  ","contact":null}"#
                )
            ),
            "complaint: the text is empty"
        );
        let survey = body(
            "needs_survey",
            r#"{"services":["法律援助"],"matters":[],"channels":[]}"#,
        );
        assert!(reason(Some(KEY), &survey).contains("not a choice id"));
        let lower_code = body(
            "booking_update",
            r#"{"code":"b-7k3m-9qxa","state":"checked_in","ticket":"Y003","at":"2026-03-02T01:05:00Z"}"#,
        );
        assert!(reason(Some(KEY), &lower_code).starts_with("booking_update: "));
        let bad_state = body(
            "booking_update",
            r#"{"code":"B-7K3M-9QXA","state":"no_show","ticket":"Y003","at":"2026-03-02T01:05:00Z"}"#,
        );
        assert!(reason(Some(KEY), &bad_state).contains("data.state"));
        let no_device = complaint.replace(r#""device":"k1""#, r#""device":"""#);
        assert_eq!(
            parse(Some(KEY), no_device.as_bytes()),
            Err(Malformed::BadDevice)
        );
    }

    #[test]
    fn every_kind_the_kiosk_sends_is_accepted() {
        for (kind, data) in [
            (
                "complaint",
                r#"{"about":"general","text":"建议增加座椅","contact":"13812345678"}"#,
            ),
            (
                "rating",
                r#"{"service":"legal_aid","ticket":"C012","score":5,"comment":""}"#,
            ),
            (
                "ticket_stats",
                r#"{"day":"2026-03-02","service":"legal_aid","issued":40,"served":37,"no_show":3,"mean_wait_secs":600}"#,
            ),
            (
                "heartbeat",
                r#"{"content_version":7,"content_stale":false,"clock":"plausible","last_sync_error":null,"outbox_pending":0}"#,
            ),
            (
                "needs_survey",
                r#"{"services":["legal_aid"],"matters":["wages"],"channels":[]}"#,
            ),
            (
                "booking_update",
                r#"{"code":"B-7K3M-9QXA","state":"checked_in","ticket":"Y003","at":"2026-03-02T01:05:00Z"}"#,
            ),
        ] {
            let item = parse(Some(KEY), body(kind, data).as_bytes()).unwrap();
            assert_eq!(item.message.payload.kind(), kind);
        }
    }
}
