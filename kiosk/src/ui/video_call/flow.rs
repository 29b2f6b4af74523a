//! The video call's screens as a pure state machine: what the citizen sees (consent, connecting,
//! waiting, in the call, the fallback, the end with the advice) from their taps and the call's
//! [`CallUpdate`]s, and what must be done ([`Effect`]). No Slint, no network, no clock: the
//! controller feeds it and draws it.

use std::time::Duration;

use videocall::{CallUpdate, EndedBy};

/// Why the fallback screen (12348 and a call-back) is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FallbackReason {
    /// Nobody answered in time.
    Unanswered,
    /// The centre could not be reached (or was lost before an answer).
    Unreachable,
    /// The call could not go on (camera, network path).
    Failed,
}

/// What the screen shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Who will answer, not recorded, tips; 开始连线 or back.
    Consent,
    /// Reaching the centre.
    Connecting,
    /// In the queue.
    Waiting {
        /// Calls ahead.
        ahead: u32,
        /// Lawyers online.
        lawyers_online: u32,
        /// The expected wait; none: nobody can say.
        estimate_secs: Option<u32>,
    },
    /// Talking.
    InCall {
        /// The lawyer's name for citizens.
        lawyer: String,
        /// The media connected.
        connected: bool,
        /// The lawyer's picture arrived.
        remote_video: bool,
        /// Audio only (a weak link, either side).
        audio_only: bool,
    },
    /// Nobody could answer: 12348 and a call-back.
    Fallback {
        /// Why.
        reason: FallbackReason,
        /// The call-back request was queued.
        callback_sent: bool,
    },
    /// The call ended: the advice (when written), print, QR.
    Ended {
        /// Who hung up.
        by: EndedBy,
        /// Time talked.
        talk: Duration,
        /// The lawyer's advice and its link.
        advice: Option<(String, Option<String>)>,
        /// Still waiting for the advice.
        waiting_for_advice: bool,
    },
}

/// What the controller must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Dial the centre about the topic.
    Dial(String),
    /// Hang up (the task stays for the advice).
    HangUp,
    /// Drop the call entirely (the citizen left).
    Leave,
    /// Queue a call-back request with this phone number.
    RequestCallback(String),
    /// Print the advice.
    PrintAdvice,
}

/// A call-back phone number: 11 digits of a mobile (1…) or a landline with its area code
/// (0… , 10 to 12 digits).
pub fn valid_phone(phone: &str) -> bool {
    let digits = phone.chars().all(|c| c.is_ascii_digit());
    digits
        && match phone.as_bytes().first() {
            Some(b'1') => phone.len() == 11,
            Some(b'0') => (10..=12).contains(&phone.len()),
            _ => false,
        }
}

/// See the module's documentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flow {
    step: Step,
    topic: String,
}

impl Default for Flow {
    fn default() -> Self {
        Self {
            step: Step::Consent,
            topic: String::new(),
        }
    }
}

impl Flow {
    /// What is on screen.
    pub fn step(&self) -> &Step {
        &self.step
    }

    /// What the call is about.
    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// The page opens from the home tile, a guide (its title) or the legal-aid check.
    pub fn open(&mut self, topic: &str) -> Vec<Effect> {
        let mut effects = self.leave();
        self.topic = if topic.trim().is_empty() {
            "其他咨询".to_owned()
        } else {
            topic
                .chars()
                .take(videocall::wire::MAX_TOPIC_CHARS)
                .collect()
        };
        self.step = Step::Consent;
        effects.retain(|e| *e == Effect::Leave);
        effects
    }

    /// 开始连线 on the consent screen.
    pub fn start(&mut self) -> Vec<Effect> {
        if self.step != Step::Consent {
            return Vec::new();
        }
        self.step = Step::Connecting;
        vec![Effect::Dial(self.topic.clone())]
    }

    /// 挂断 (also 取消等待 while waiting).
    pub fn hang_up(&mut self) -> Vec<Effect> {
        match self.step {
            Step::Connecting | Step::Waiting { .. } | Step::InCall { .. } => vec![Effect::HangUp],
            _ => Vec::new(),
        }
    }

    /// The citizen leaves the page, or the session ends: the call is dropped, back to consent.
    pub fn leave(&mut self) -> Vec<Effect> {
        let active = !matches!(self.step, Step::Consent);
        self.step = Step::Consent;
        if active {
            vec![Effect::Leave]
        } else {
            Vec::new()
        }
    }

    /// 请律师回电 with a number typed on the keypad.
    pub fn request_callback(&mut self, phone: &str) -> Vec<Effect> {
        match &mut self.step {
            Step::Fallback { callback_sent, .. } if !*callback_sent && valid_phone(phone) => {
                *callback_sent = true;
                vec![Effect::RequestCallback(phone.to_owned())]
            }
            _ => Vec::new(),
        }
    }

    /// 打印建议.
    pub fn print_advice(&mut self) -> Vec<Effect> {
        match &self.step {
            Step::Ended {
                advice: Some(_), ..
            } => vec![Effect::PrintAdvice],
            _ => Vec::new(),
        }
    }

    /// A call update.
    pub fn update(&mut self, update: CallUpdate) -> Vec<Effect> {
        match (update, &mut self.step) {
            (
                CallUpdate::Waiting {
                    ahead,
                    lawyers_online,
                    estimate_secs,
                    ..
                },
                Step::Connecting | Step::Waiting { .. },
            ) => {
                self.step = Step::Waiting {
                    ahead,
                    lawyers_online,
                    estimate_secs,
                };
            }
            (CallUpdate::Answered { lawyer, .. }, Step::Connecting | Step::Waiting { .. }) => {
                self.step = Step::InCall {
                    lawyer,
                    connected: false,
                    remote_video: false,
                    audio_only: false,
                };
            }
            (CallUpdate::Connected, Step::InCall { connected, .. }) => *connected = true,
            (CallUpdate::RemoteVideo { .. }, Step::InCall { remote_video, .. }) => {
                *remote_video = true;
            }
            (CallUpdate::AudioOnly { .. }, Step::InCall { audio_only, .. }) => *audio_only = true,
            (CallUpdate::Ended { by, talk }, Step::InCall { .. }) => {
                self.step = Step::Ended {
                    by,
                    talk,
                    advice: None,
                    waiting_for_advice: true,
                };
            }
            // Hung up while waiting: back to the consent screen.
            (CallUpdate::Ended { .. }, Step::Connecting | Step::Waiting { .. }) => {
                self.step = Step::Consent;
            }
            (CallUpdate::Unanswered, Step::Connecting | Step::Waiting { .. }) => {
                self.fallback(FallbackReason::Unanswered);
            }
            (CallUpdate::Unreachable { .. }, Step::Connecting | Step::Waiting { .. }) => {
                self.fallback(FallbackReason::Unreachable);
            }
            (
                CallUpdate::Failed { .. },
                Step::Connecting | Step::Waiting { .. } | Step::InCall { .. },
            ) => {
                self.fallback(FallbackReason::Failed);
            }
            (
                CallUpdate::Advice { text, url },
                Step::Ended {
                    advice,
                    waiting_for_advice,
                    ..
                },
            ) => {
                *advice = Some((text, url));
                *waiting_for_advice = false;
            }
            (
                CallUpdate::Closed,
                Step::Ended {
                    waiting_for_advice, ..
                },
            ) => {
                *waiting_for_advice = false;
            }
            (CallUpdate::Closed, Step::Connecting | Step::Waiting { .. }) => {
                self.fallback(FallbackReason::Unreachable);
            }
            _ => {}
        }
        Vec::new()
    }

    fn fallback(&mut self, reason: FallbackReason) {
        self.step = Step::Fallback {
            reason,
            callback_sent: false,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waiting(ahead: u32) -> CallUpdate {
        CallUpdate::Waiting {
            ahead,
            lawyers_online: 1,
            estimate_secs: Some(60),
            give_up_after_secs: 30,
        }
    }

    #[test]
    fn a_call_goes_from_consent_to_the_advice() {
        let mut flow = Flow::default();
        assert!(flow.open("劳动争议").is_empty());
        assert_eq!(flow.start(), [Effect::Dial("劳动争议".into())]);
        assert!(flow.start().is_empty(), "one dial");
        flow.update(CallUpdate::Connecting);
        flow.update(waiting(1));
        assert!(matches!(flow.step(), Step::Waiting { ahead: 1, .. }));
        flow.update(CallUpdate::Answered {
            lawyer: "王律师".into(),
            recorded: false,
        });
        flow.update(CallUpdate::Connected);
        flow.update(CallUpdate::RemoteVideo {
            width: 640,
            height: 480,
        });
        flow.update(CallUpdate::AudioOnly { ours: true });
        assert_eq!(
            flow.step(),
            &Step::InCall {
                lawyer: "王律师".into(),
                connected: true,
                remote_video: true,
                audio_only: true
            }
        );
        assert_eq!(flow.hang_up(), [Effect::HangUp]);
        flow.update(CallUpdate::Ended {
            by: EndedBy::Citizen,
            talk: Duration::from_secs(95),
        });
        assert!(flow.print_advice().is_empty(), "nothing to print yet");
        flow.update(CallUpdate::Advice {
            text: "先协商".into(),
            url: Some("https://c/advice/x".into()),
        });
        assert!(matches!(
            flow.step(),
            Step::Ended {
                advice: Some(_),
                waiting_for_advice: false,
                ..
            }
        ));
        assert_eq!(flow.print_advice(), [Effect::PrintAdvice]);
        assert_eq!(flow.leave(), [Effect::Leave]);
        assert_eq!(flow.step(), &Step::Consent);
        assert!(flow.leave().is_empty());
    }

    #[test]
    fn nobody_answering_or_no_centre_offers_12348_and_one_call_back() {
        for (update, reason) in [
            (CallUpdate::Unanswered, FallbackReason::Unanswered),
            (
                CallUpdate::Unreachable {
                    reason: "refused".into(),
                },
                FallbackReason::Unreachable,
            ),
            (CallUpdate::Closed, FallbackReason::Unreachable),
        ] {
            let mut flow = Flow::default();
            flow.open("");
            assert_eq!(flow.topic(), "其他咨询");
            flow.start();
            flow.update(update);
            assert_eq!(
                flow.step(),
                &Step::Fallback {
                    reason,
                    callback_sent: false
                }
            );
            assert!(flow.request_callback("1381234").is_empty(), "too short");
            assert!(flow.request_callback("2381234567x").is_empty());
            assert_eq!(
                flow.request_callback("13812345678"),
                [Effect::RequestCallback("13812345678".into())]
            );
            assert!(flow.request_callback("13812345678").is_empty(), "once");
        }
    }

    #[test]
    fn a_failed_call_falls_back_and_a_hang_up_while_waiting_returns_to_consent() {
        let mut flow = Flow::default();
        flow.open("法律援助");
        flow.start();
        flow.update(CallUpdate::Answered {
            lawyer: "律师".into(),
            recorded: false,
        });
        flow.update(CallUpdate::Failed {
            reason: "camera".into(),
        });
        assert!(matches!(
            flow.step(),
            Step::Fallback {
                reason: FallbackReason::Failed,
                ..
            }
        ));
        let mut flow = Flow::default();
        flow.open("法律援助");
        flow.start();
        flow.update(waiting(0));
        assert_eq!(flow.hang_up(), [Effect::HangUp]);
        flow.update(CallUpdate::Ended {
            by: EndedBy::Citizen,
            talk: Duration::ZERO,
        });
        assert_eq!(flow.step(), &Step::Consent);
    }

    #[test]
    fn phone_numbers_are_mobiles_or_landlines_with_area_code() {
        assert!(valid_phone("13812345678"));
        assert!(valid_phone("02379221234"));
        assert!(valid_phone("0237922123"));
        assert!(!valid_phone("1381234567"));
        assert!(!valid_phone("23812345678"));
        assert!(!valid_phone("138-1234-5678"));
        assert!(!valid_phone(""));
    }
}
