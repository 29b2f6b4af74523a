//! What a kiosk reports about its video calls to a duty lawyer (视频连线律师), through the outbox:
//! the record of every call ([`VideoCallRecord`], kind `video_call`: no personal data) and the
//! call-back a citizen asked for when nobody could answer ([`CallbackRequest`], kind
//! `callback_request`: the phone number, which the centre shows to its lawyers).

use serde::{Deserialize, Serialize};

/// How a call ended, for the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallOutcome {
    /// A lawyer answered.
    Answered,
    /// Nobody answered in time.
    Unanswered,
    /// The centre could not be reached.
    Unreachable,
    /// The media failed (camera, network path).
    Failed,
    /// The citizen gave up while waiting.
    Abandoned,
}

impl CallOutcome {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Answered => "answered",
            Self::Unanswered => "unanswered",
            Self::Unreachable => "unreachable",
            Self::Failed => "failed",
            Self::Abandoned => "abandoned",
        }
    }

    /// The label for staff, Chinese first.
    pub fn label(self) -> &'static str {
        match self {
            Self::Answered => "已接听 Answered",
            Self::Unanswered => "无人接听 Unanswered",
            Self::Unreachable => "连不上中心 Centre unreachable",
            Self::Failed => "通话失败 Failed",
            Self::Abandoned => "群众放弃 Abandoned",
        }
    }
}

/// One video call as the kiosk saw it (kind `video_call`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VideoCallRecord {
    /// What it was about (a guide's title, 法律援助, 其他咨询).
    pub topic: String,
    /// How it ended.
    pub outcome: CallOutcome,
    /// The lawyer's public name, when answered.
    #[serde(default)]
    pub lawyer: Option<String>,
    /// Seconds from the tap to the answer (or to the end, unanswered).
    pub waited_secs: u32,
    /// Seconds talked.
    #[serde(default)]
    pub talk_secs: u32,
    /// Who hung up: `citizen`, `lawyer` or `centre`.
    #[serde(default)]
    pub ended_by: Option<String>,
    /// The call dropped to voice only.
    #[serde(default)]
    pub audio_only: bool,
    /// The lawyer's written advice reached the kiosk.
    #[serde(default)]
    pub advice: bool,
    /// The citizen's one rating of the call, 1 (dissatisfied) to 5 (satisfied).
    #[serde(default)]
    pub rating: Option<u8>,
    /// Milliseconds from the tap to the lawyer's first picture.
    #[serde(default)]
    pub first_picture_ms: Option<u64>,
    /// Pictures of the lawyer decoded.
    #[serde(default)]
    pub remote_frames: u64,
}

/// A call-back a citizen asked for (kind `callback_request`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallbackRequest {
    /// The number to call: a mobile (11 digits from 1) or a landline with its area code.
    pub phone: String,
    /// What it is about.
    pub topic: String,
    /// Why the call did not happen: `unanswered`, `unreachable` or `failed`.
    pub reason: CallOutcome,
}

/// A call-back number: 11 digits of a mobile (1…) or a landline with its area code (0…, 10 to
/// 12 digits).
pub fn valid_phone(phone: &str) -> bool {
    phone.bytes().all(|b| b.is_ascii_digit())
        && match phone.as_bytes().first() {
            Some(b'1') => phone.len() == 11,
            Some(b'0') => (10..=12).contains(&phone.len()),
            _ => false,
        }
}

/// `138****5678`: a phone number for lists and logs.
pub fn mask_phone(phone: &str) -> String {
    let keep_end = phone.len().saturating_sub(4);
    phone
        .char_indices()
        .map(|(i, c)| if (3..keep_end).contains(&i) { '*' } else { c })
        .collect()
}

fn topic_problem(topic: &str) -> Option<String> {
    let n = topic.chars().count();
    (n == 0 || n > 40 || topic.chars().any(char::is_control))
        .then(|| "the topic must be 1 to 40 characters".into())
}

impl VideoCallRecord {
    pub(crate) fn problem(&self) -> Option<String> {
        if let Some(problem) = topic_problem(&self.topic) {
            return Some(problem);
        }
        if self.rating.is_some_and(|r| !(1..=5).contains(&r)) {
            return Some("the rating must be 1 to 5".into());
        }
        if self
            .lawyer
            .as_ref()
            .is_some_and(|l| l.is_empty() || l.chars().count() > 20)
        {
            return Some("the lawyer's name must be 1 to 20 characters".into());
        }
        if self
            .ended_by
            .as_deref()
            .is_some_and(|b| !["citizen", "lawyer", "centre"].contains(&b))
        {
            return Some("ended_by must be citizen, lawyer or centre".into());
        }
        None
    }
}

impl CallbackRequest {
    pub(crate) fn problem(&self) -> Option<String> {
        if !valid_phone(&self.phone) {
            return Some(
                "the phone must be a mobile (11 digits) or a landline with its area code".into(),
            );
        }
        if matches!(self.reason, CallOutcome::Answered | CallOutcome::Abandoned) {
            return Some("a call-back follows a call nobody could answer".into());
        }
        topic_problem(&self.topic)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_checked_and_masked() {
        assert!(valid_phone("13812345678"));
        assert!(valid_phone("02379221234"));
        assert!(!valid_phone("1381234567"));
        assert!(!valid_phone("23812345678"));
        assert!(!valid_phone("138-1234-5678"));
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("02379221234"), "023****1234");
    }

    #[test]
    fn records_and_requests_are_checked() {
        let record = VideoCallRecord {
            topic: "劳动争议".into(),
            outcome: CallOutcome::Answered,
            lawyer: Some("王律师".into()),
            waited_secs: 12,
            talk_secs: 300,
            ended_by: Some("lawyer".into()),
            audio_only: false,
            advice: true,
            rating: Some(5),
            first_picture_ms: Some(1800),
            remote_frames: 9000,
        };
        assert_eq!(record.problem(), None);
        let bad = VideoCallRecord {
            rating: Some(6),
            ..record.clone()
        };
        assert!(bad.problem().unwrap().contains("rating"));
        let bad = VideoCallRecord {
            ended_by: Some("cat".into()),
            ..record
        };
        assert!(bad.problem().unwrap().contains("ended_by"));
        let request = CallbackRequest {
            phone: "13812345678".into(),
            topic: "其他咨询".into(),
            reason: CallOutcome::Unanswered,
        };
        assert_eq!(request.problem(), None);
        let bad = CallbackRequest {
            phone: "12345".into(),
            ..request.clone()
        };
        assert!(bad.problem().unwrap().contains("phone"));
        let bad = CallbackRequest {
            reason: CallOutcome::Answered,
            ..request
        };
        assert!(bad.problem().is_some());
    }
}
