//! The video call's screens as a pure state machine: what the citizen sees (consent, connecting,
//! waiting, in the call, the fallback, the end with the advice) from their taps and the call's
//! [`CallUpdate`]s, and what must be done ([`Effect`]). No Slint, no network, no clock: the
//! controller feeds it and draws it.

use std::time::Duration;

use content::video_call::CallOutcome;
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
    /// Report the call (the outbox's `video_call`): it is over for this citizen.
    Record(CallDraft),
}

/// What is known of a call for its record; the controller adds the times.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallDraft {
    /// The topic.
    pub topic: String,
    /// How it ended (none yet: still going).
    pub outcome: Option<CallOutcome>,
    /// The lawyer's public name.
    pub lawyer: Option<String>,
    /// Who hung up.
    pub ended_by: Option<EndedBy>,
    /// Time talked.
    pub talk: Duration,
    /// Dropped to voice only.
    pub audio_only: bool,
    /// The advice arrived.
    pub advice: bool,
    /// The citizen's rating, 1 to 5.
    pub rating: Option<u8>,
}

pub use content::video_call::valid_phone;

/// See the module's documentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flow {
    step: Step,
    topic: String,
    draft: Option<CallDraft>,
}

impl Default for Flow {
    fn default() -> Self {
        Self {
            step: Step::Consent,
            topic: String::new(),
            draft: None,
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
        self.draft = Some(CallDraft {
            topic: self.topic.clone(),
            ..CallDraft::default()
        });
        vec![Effect::Dial(self.topic.clone())]
    }

    /// The citizen's one rating of the call (满意 5, 一般 3, 不满意 1), on the end screen.
    pub fn rate(&mut self, score: u8) -> Vec<Effect> {
        if let (Step::Ended { .. }, Some(draft)) = (&self.step, &mut self.draft)
            && (1..=5).contains(&score)
        {
            draft.rating = Some(score);
        }
        Vec::new()
    }

    /// The lawyer's name, once answered.
    pub fn lawyer(&self) -> Option<&str> {
        self.draft.as_ref().and_then(|d| d.lawyer.as_deref())
    }

    /// The rating given, if any.
    pub fn rating(&self) -> Option<u8> {
        self.draft.as_ref().and_then(|d| d.rating)
    }

    /// The record of the call so far, taken (sent once).
    fn record(&mut self) -> Option<Effect> {
        let mut draft = self.draft.take()?;
        if draft.outcome.is_none() {
            draft.outcome = Some(match self.step {
                Step::InCall { .. } | Step::Ended { .. } => CallOutcome::Answered,
                _ => CallOutcome::Abandoned,
            });
        }
        Some(Effect::Record(draft))
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
        let mut effects: Vec<Effect> = self.record().into_iter().collect();
        self.step = Step::Consent;
        if active {
            effects.insert(0, Effect::Leave);
        }
        effects
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
        if let Some(draft) = &mut self.draft {
            match &update {
                CallUpdate::Answered { lawyer, .. } => draft.lawyer = Some(lawyer.clone()),
                CallUpdate::AudioOnly { .. } => draft.audio_only = true,
                CallUpdate::Ended { by, talk } if draft.lawyer.is_some() => {
                    draft.ended_by = Some(*by);
                    draft.talk = *talk;
                    draft.outcome = Some(CallOutcome::Answered);
                }
                CallUpdate::Advice { .. } => draft.advice = true,
                _ => {}
            }
        }
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
            // Hung up while waiting: back to the consent screen, the attempt recorded.
            (CallUpdate::Ended { .. }, Step::Connecting | Step::Waiting { .. }) => {
                if let Some(draft) = &mut self.draft {
                    draft.outcome = Some(CallOutcome::Abandoned);
                }
                self.step = Step::Consent;
                return self.record().into_iter().collect();
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
        if let Some(draft) = &mut self.draft
            && draft.outcome.is_none()
        {
            draft.outcome = Some(match reason {
                FallbackReason::Unanswered => CallOutcome::Unanswered,
                FallbackReason::Unreachable => CallOutcome::Unreachable,
                FallbackReason::Failed => CallOutcome::Failed,
            });
        }
        self.step = Step::Fallback {
            reason,
            callback_sent: false,
        };
    }

    /// Why the fallback is shown (for the call-back request).
    pub fn fallback_reason(&self) -> Option<FallbackReason> {
        match self.step {
            Step::Fallback { reason, .. } => Some(reason),
            _ => None,
        }
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
        flow.rate(9);
        assert_eq!(flow.rating(), None, "1 to 5 only");
        flow.rate(5);
        let effects = flow.leave();
        assert_eq!(effects[0], Effect::Leave);
        let Effect::Record(draft) = &effects[1] else {
            panic!("{effects:?}")
        };
        assert_eq!(draft.outcome, Some(CallOutcome::Answered));
        assert_eq!(draft.lawyer.as_deref(), Some("王律师"));
        assert_eq!(draft.ended_by, Some(EndedBy::Citizen));
        assert_eq!(draft.talk, Duration::from_secs(95));
        assert!(draft.audio_only && draft.advice);
        assert_eq!(draft.rating, Some(5));
        assert_eq!(flow.step(), &Step::Consent);
        assert!(flow.leave().is_empty(), "recorded once");
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
            let effects = flow.leave();
            assert!(
                matches!(&effects[1], Effect::Record(d) if d.outcome == Some(match reason {
                    FallbackReason::Unanswered => CallOutcome::Unanswered,
                    FallbackReason::Unreachable => CallOutcome::Unreachable,
                    FallbackReason::Failed => CallOutcome::Failed,
                })),
                "{effects:?}"
            );
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
        let effects = flow.update(CallUpdate::Ended {
            by: EndedBy::Citizen,
            talk: Duration::ZERO,
        });
        assert!(
            matches!(&effects[..], [Effect::Record(d)] if d.outcome == Some(CallOutcome::Abandoned)),
            "{effects:?}"
        );
        assert_eq!(flow.step(), &Step::Consent);
    }
}
