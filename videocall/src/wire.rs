//! The signalling messages: JSON text frames over two WebSockets that meet at the centre, one from
//! the kiosk (`/api/v1/calls/ws`, the device's token) and one from the lawyer's console
//! (`/staff/calls/ws`, the staff session). Every message is an object with a `type`.
//!
//! ```text
//!  kiosk                          centre                          lawyer's browser
//!  dial ─────────────────────────▶ queue, route ── board ────────▶ (offered calls)
//!  ◀──────────────────────────── waiting (place, honest wait)
//!                                          ◀───────────────────── accept
//!  ◀──────────────────────────── answered ── connected ──────────▶
//!  offer, ice ──────────────────▶ relayed ───────────────────────▶ answer, ice
//!  ◀──────────────────────────── relayed ◀─────────────────────── answer, ice
//!  hangup ──────────────────────▶ ended ─────────────────────────▶   (or the other way)
//!                                          ◀───────────────────── advice
//!  ◀──────────────────────────── advice (text, link for the QR)
//! ```
//!
//! Parsing never panics; every text is bounded ([`MAX_MESSAGE_BYTES`], the limits of each field), and
//! a refused message names what was wrong ([`WireError`]).

use serde::{Deserialize, Serialize};

/// The largest message accepted, in bytes (an SDP with its candidates is 3 to 8 KB).
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;
/// The longest SDP accepted, in bytes.
pub const MAX_SDP_BYTES: usize = 32 * 1024;
/// The longest ICE candidate line, in bytes.
pub const MAX_CANDIDATE_BYTES: usize = 1024;
/// The longest topic, in characters (`劳动争议`, a guide's title).
pub const MAX_TOPIC_CHARS: usize = 40;
/// The longest advice summary, in characters.
pub const MAX_ADVICE_CHARS: usize = 2000;
/// The longest masked name shown to the lawyer, in characters.
pub const MAX_CALLER_CHARS: usize = 20;

/// An ICE candidate as it travels: the `candidate:…` line and its media line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Candidate {
    /// The `candidate:…` line; empty: the end of candidates.
    pub candidate: String,
    /// The media line (`sdpMLineIndex`).
    pub mline: u32,
}

/// A TURN relay (coturn), as the centre's configuration lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TurnServer {
    /// `host:port`.
    pub host: String,
    /// The user name.
    pub username: String,
    /// The password.
    pub credential: String,
    /// TURN over TLS (`turns:`).
    #[serde(default)]
    pub tls: bool,
}

/// The STUN and TURN servers both sides use, sent by the centre with each call: one place to
/// configure them for every kiosk and every console.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IceServers {
    /// `host:port` of a STUN server; none: host candidates only (one LAN).
    #[serde(default)]
    pub stun: Option<String>,
    /// TURN relays.
    #[serde(default)]
    pub turn: Vec<TurnServer>,
}

/// Percent-encodes what may not stand in a URL's user or password.
fn url_part(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl IceServers {
    /// The STUN server as GStreamer's `webrtcbin` takes it (`stun://host:port`).
    pub fn gst_stun(&self) -> Option<String> {
        self.stun.as_ref().map(|s| format!("stun://{s}"))
    }

    /// The TURN servers as `webrtcbin`'s `add-turn-server` takes them
    /// (`turn://user:password@host:port`).
    pub fn gst_turn(&self) -> Vec<String> {
        self.turn
            .iter()
            .map(|t| {
                format!(
                    "{}://{}:{}@{}",
                    if t.tls { "turns" } else { "turn" },
                    url_part(&t.username),
                    url_part(&t.credential),
                    t.host
                )
            })
            .collect()
    }
}

/// What the consent screen says before a call (`GET /api/v1/calls/policy`, the device's token).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallPolicy {
    /// Whether the centre records calls.
    pub recorded: bool,
    /// Seconds a caller waits before the kiosk offers 12348 and a call-back.
    pub answer_timeout_secs: u32,
    /// Lawyers online now.
    pub lawyers_online: u32,
}

/// Who ended a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndedBy {
    /// The citizen hung up (or left the kiosk).
    Citizen,
    /// The lawyer hung up.
    Lawyer,
    /// The centre ended it: the other side's connection was lost, or the centre is stopping.
    Centre,
}

/// What the kiosk sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum KioskMessage {
    /// Asks for a lawyer: the first message, once.
    Dial {
        /// What it is about (a guide's title, `法律援助`, or `其他咨询`).
        topic: String,
        /// The citizen's masked name when the ID card was placed (`张*三`); never the full name.
        #[serde(default)]
        caller: Option<String>,
    },
    /// The kiosk's SDP offer, after `answered`.
    Offer {
        /// The SDP.
        sdp: String,
    },
    /// One of the kiosk's ICE candidates.
    Ice(Candidate),
    /// The kiosk stopped (`false`) or resumed sending its picture.
    Media {
        /// Whether its picture is sent.
        video: bool,
    },
    /// The citizen hung up, or gave up waiting.
    Hangup,
}

/// What the centre sends the kiosk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum CentreToKiosk {
    /// The call is queued: its place and an honest wait.
    Waiting {
        /// The call's id (for the log).
        call: String,
        /// Calls ahead of this one.
        ahead: u32,
        /// Lawyers online (available or in a call).
        lawyers_online: u32,
        /// The expected wait in seconds; none: nobody can say (no lawyer online).
        estimate_secs: Option<u32>,
        /// The centre gives up after this many seconds of waiting in all.
        give_up_after_secs: u32,
    },
    /// A lawyer accepted: start the media and send the offer.
    Answered {
        /// The lawyer's name as shown to citizens (`王律师`).
        lawyer: String,
        /// The servers to use.
        ice_servers: IceServers,
        /// Whether the centre records calls (the consent screen already said so).
        recorded: bool,
    },
    /// The lawyer's SDP answer.
    Answer {
        /// The SDP.
        sdp: String,
    },
    /// One of the lawyer's ICE candidates.
    Ice(Candidate),
    /// The lawyer stopped or resumed sending their picture.
    Media {
        /// Whether their picture is sent.
        video: bool,
    },
    /// Nobody answered in time: offer 12348 and a call-back.
    Unanswered,
    /// The call ended.
    Ended {
        /// Who ended it.
        by: EndedBy,
    },
    /// The lawyer's advice summary, after the call.
    Advice {
        /// The summary.
        text: String,
        /// A page with the summary, for a QR code on the citizen's phone.
        url: Option<String>,
    },
    /// The last message was refused (malformed, out of order): the reason.
    Refused {
        /// Why.
        reason: String,
    },
}

/// A waiting call as the lawyer's console lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferedCall {
    /// The call's id.
    pub call: String,
    /// The site it comes from.
    pub site: String,
    /// What it is about.
    pub topic: String,
    /// The masked name, when the ID card was placed.
    pub caller: Option<String>,
    /// Seconds waited so far.
    pub waited_secs: u32,
    /// Why it is offered to this lawyer: `duty`, `adviser` or `any`.
    pub reason: String,
}

/// What the lawyer's console sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum LawyerMessage {
    /// Available for calls, or not.
    Available {
        /// Available.
        on: bool,
    },
    /// Takes a waiting call.
    Accept {
        /// The call's id.
        call: String,
    },
    /// The browser's SDP answer.
    Answer {
        /// The SDP.
        sdp: String,
    },
    /// One of the browser's ICE candidates.
    Ice(Candidate),
    /// The browser stopped or resumed sending its picture.
    Media {
        /// Whether its picture is sent.
        video: bool,
    },
    /// The lawyer hung up.
    Hangup,
    /// The advice summary of a call this lawyer answered.
    Advice {
        /// The call's id.
        call: String,
        /// The summary.
        text: String,
    },
    /// The browser's figures of the call (kept with the call's record).
    Stats {
        /// Pictures of the kiosk decoded by the browser.
        frames_decoded: u64,
        /// Packets of the kiosk received.
        packets_received: u64,
    },
}

/// What the centre sends the lawyer's console.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum CentreToLawyer {
    /// The console's state: own availability, the calls offered to this lawyer.
    Board {
        /// Available for calls.
        available: bool,
        /// The call this lawyer is in.
        in_call: Option<String>,
        /// Calls offered to this lawyer, longest waiting first.
        calls: Vec<OfferedCall>,
        /// Lawyers online.
        lawyers_online: u32,
    },
    /// The accepted call: the kiosk's offer follows.
    Connected {
        /// The call's id.
        call: String,
        /// The site.
        site: String,
        /// The topic.
        topic: String,
        /// The masked name.
        caller: Option<String>,
        /// The servers to use.
        ice_servers: IceServers,
    },
    /// The kiosk's SDP offer.
    Offer {
        /// The SDP.
        sdp: String,
    },
    /// One of the kiosk's ICE candidates.
    Ice(Candidate),
    /// The kiosk stopped or resumed sending its picture (a weak link).
    Media {
        /// Whether its picture is sent.
        video: bool,
    },
    /// The call ended.
    Ended {
        /// The call's id.
        call: String,
        /// Who ended it.
        by: EndedBy,
    },
    /// The advice was saved (and sent to the kiosk if the citizen is still there).
    AdviceSaved {
        /// The call's id.
        call: String,
        /// Whether the kiosk received it.
        delivered: bool,
        /// The page with the summary.
        url: Option<String>,
    },
    /// The last message was refused: the reason.
    Refused {
        /// Why.
        reason: String,
    },
}

/// Why a message was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// Longer than [`MAX_MESSAGE_BYTES`].
    #[error("the message is {0} bytes; at most {MAX_MESSAGE_BYTES} are accepted")]
    TooLong(usize),
    /// Not JSON, or not one of the messages.
    #[error("not a signalling message: {0}")]
    Malformed(String),
    /// A field breaks its rule.
    #[error("{field}: {reason}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// The rule broken.
        reason: String,
    },
}

fn bounded_bytes(field: &'static str, value: &str, max: usize) -> Result<(), WireError> {
    if value.len() > max {
        return Err(WireError::Invalid {
            field,
            reason: format!("{} bytes; at most {max}", value.len()),
        });
    }
    Ok(())
}

fn bounded_chars(
    field: &'static str,
    value: &str,
    min: usize,
    max: usize,
) -> Result<(), WireError> {
    let n = value.chars().count();
    if n < min || n > max || value.chars().any(char::is_control) {
        return Err(WireError::Invalid {
            field,
            reason: format!("{min} to {max} characters without control characters (got {n})"),
        });
    }
    Ok(())
}

fn check_sdp(sdp: &str) -> Result<(), WireError> {
    bounded_bytes("sdp", sdp, MAX_SDP_BYTES)?;
    if !sdp.starts_with("v=0") {
        return Err(WireError::Invalid {
            field: "sdp",
            reason: "an SDP starts with v=0".into(),
        });
    }
    Ok(())
}

fn check_candidate(c: &Candidate) -> Result<(), WireError> {
    bounded_bytes("candidate", &c.candidate, MAX_CANDIDATE_BYTES)?;
    if !c.candidate.is_empty() && !c.candidate.starts_with("candidate:") {
        return Err(WireError::Invalid {
            field: "candidate",
            reason: "an ICE candidate starts with candidate:".into(),
        });
    }
    if c.mline > 16 {
        return Err(WireError::Invalid {
            field: "mline",
            reason: format!("{} is not one of the call's media lines", c.mline),
        });
    }
    Ok(())
}

fn parse_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, WireError> {
    if text.len() > MAX_MESSAGE_BYTES {
        return Err(WireError::TooLong(text.len()));
    }
    serde_json::from_str(text).map_err(|e| WireError::Malformed(e.to_string()))
}

impl KioskMessage {
    /// Parses and checks a message from a kiosk.
    pub fn parse(text: &str) -> Result<Self, WireError> {
        let message: Self = parse_json(text)?;
        match &message {
            Self::Dial { topic, caller } => {
                bounded_chars("topic", topic, 1, MAX_TOPIC_CHARS)?;
                if let Some(caller) = caller {
                    bounded_chars("caller", caller, 1, MAX_CALLER_CHARS)?;
                }
            }
            Self::Offer { sdp } => check_sdp(sdp)?,
            Self::Ice(c) => check_candidate(c)?,
            Self::Media { .. } | Self::Hangup => {}
        }
        Ok(message)
    }
}

impl LawyerMessage {
    /// Parses and checks a message from a lawyer's console.
    pub fn parse(text: &str) -> Result<Self, WireError> {
        let message: Self = parse_json(text)?;
        match &message {
            Self::Answer { sdp } => check_sdp(sdp)?,
            Self::Ice(c) => check_candidate(c)?,
            Self::Advice { call, text } => {
                bounded_chars("call", call, 1, 64)?;
                let n = text.chars().count();
                if n == 0 || n > MAX_ADVICE_CHARS || text.contains('\0') {
                    return Err(WireError::Invalid {
                        field: "text",
                        reason: format!("1 to {MAX_ADVICE_CHARS} characters (got {n})"),
                    });
                }
            }
            Self::Accept { call } => bounded_chars("call", call, 1, 64)?,
            Self::Available { .. } | Self::Media { .. } | Self::Hangup | Self::Stats { .. } => {}
        }
        Ok(message)
    }
}

impl CentreToKiosk {
    /// Parses a message from the centre (the kiosk's side; no field rules: the centre is trusted
    /// for shape, the size is bounded).
    pub fn parse(text: &str) -> Result<Self, WireError> {
        parse_json(text)
    }
}

/// Serialises any message (infallible for these types).
pub fn to_text<T: Serialize>(message: &T) -> String {
    serde_json::to_string(message).unwrap_or_else(|_| "{}".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_have_the_documented_shape() {
        assert_eq!(
            to_text(&KioskMessage::Dial {
                topic: "劳动争议".into(),
                caller: Some("张*三".into())
            }),
            r#"{"type":"dial","topic":"劳动争议","caller":"张*三"}"#
        );
        assert_eq!(
            to_text(&KioskMessage::Ice(Candidate {
                candidate: "candidate:1 1 UDP 1 10.0.0.1 5000 typ host".into(),
                mline: 0
            })),
            r#"{"type":"ice","candidate":"candidate:1 1 UDP 1 10.0.0.1 5000 typ host","mline":0}"#
        );
        assert_eq!(to_text(&KioskMessage::Hangup), r#"{"type":"hangup"}"#);
        assert_eq!(
            to_text(&CentreToKiosk::Ended {
                by: EndedBy::Lawyer
            }),
            r#"{"type":"ended","by":"lawyer"}"#
        );
        let back = LawyerMessage::parse(r#"{"type":"available","on":true}"#).unwrap();
        assert_eq!(back, LawyerMessage::Available { on: true });
    }

    #[test]
    fn bad_messages_are_refused_naming_what_is_wrong() {
        let err = |text: &str| KioskMessage::parse(text).unwrap_err().to_string();
        assert!(err("not json").contains("not a signalling message"));
        assert!(err(r#"{"type":"dial"}"#).contains("topic"));
        assert!(err(r#"{"type":"dial","topic":""}"#).starts_with("topic:"));
        assert!(err(r#"{"type":"dial","topic":"a\u0007b"}"#).starts_with("topic:"));
        assert!(err(r#"{"type":"offer","sdp":"hello"}"#).starts_with("sdp:"));
        assert!(err(r#"{"type":"ice","candidate":"x","mline":0}"#).starts_with("candidate:"));
        assert!(
            err(r#"{"type":"ice","candidate":"candidate:1","mline":99}"#).starts_with("mline:")
        );
        assert!(err(r#"{"type":"dial","topic":"x","extra":1}"#).contains("unknown field"));
        assert!(err(r#"{"type":"shout"}"#).contains("unknown variant"));
        assert!(err(&"x".repeat(MAX_MESSAGE_BYTES + 1)).contains("bytes"));
        let advice = format!(
            r#"{{"type":"advice","call":"c1","text":"{}"}}"#,
            "字".repeat(MAX_ADVICE_CHARS + 1)
        );
        assert!(
            LawyerMessage::parse(&advice)
                .unwrap_err()
                .to_string()
                .starts_with("text:")
        );
        assert!(LawyerMessage::parse(r#"{"type":"ice","candidate":"","mline":0}"#).is_ok());
    }

    #[test]
    fn ice_servers_are_written_for_webrtcbin_with_credentials_encoded() {
        let servers = IceServers {
            stun: Some("stun.qianjiang.example:3478".into()),
            turn: vec![TurnServer {
                host: "turn.qianjiang.example:3478".into(),
                username: "kiosk".into(),
                credential: "p@ss:word/1".into(),
                tls: false,
            }],
        };
        assert_eq!(
            servers.gst_stun().as_deref(),
            Some("stun://stun.qianjiang.example:3478")
        );
        assert_eq!(
            servers.gst_turn(),
            ["turn://kiosk:p%40ss%3Aword%2F1@turn.qianjiang.example:3478"]
        );
    }

    proptest::proptest! {
        #[test]
        fn parsing_never_panics(text in ".{0,300}") {
            let _ = KioskMessage::parse(&text);
            let _ = LawyerMessage::parse(&text);
            let _ = CentreToKiosk::parse(&text);
        }

        #[test]
        fn a_parsed_message_survives_the_round_trip(topic in "[^\u{0}-\u{1f}\u{7f}-\u{9f}]{1,40}") {
            let dial = KioskMessage::Dial { topic, caller: None };
            assert_eq!(KioskMessage::parse(&to_text(&dial)).unwrap(), dial);
        }
    }
}
