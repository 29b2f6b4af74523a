//! The live calls: the [`CallBoard`] behind a lock, and the sockets of kiosks and consoles. Every
//! change of the board is pushed: a kiosk's place and wait, each console's offered calls. Signalling
//! is relayed between the kiosk and the one console that accepted. A tick every second expires
//! unanswered calls and refreshes what the screens show.
//!
//! Whatever side goes away, the other is told at once (`ended`), and the board frees the lawyer:
//! nothing waits on a socket that is gone.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, MutexGuard},
};

use chrono::{DateTime, NaiveDate, Utc};
use clock::WallClock;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use videocall::wire::{
    Candidate, CentreToKiosk, CentreToLawyer, EndedBy, KioskMessage, LawyerMessage, OfferedCall,
};

use super::{
    advice::{AdviceBook, AdviceNote},
    board::{AcceptError, CallBoard, Waiting},
    log::{CallLog, CallOutcome, LoggedCall},
    roster::Roster,
};
use crate::calendar::local_offset;

/// A console's connection id.
pub type ConsoleId = u64;

struct Console {
    user: String,
    tx: UnboundedSender<CentreToLawyer>,
}

/// A call whose lawyer may still write the advice (the kiosk may still be there to receive it).
struct AfterCall {
    lawyer: String,
    site: String,
    topic: String,
    kiosk: Option<UnboundedSender<CentreToKiosk>>,
}

struct Inner {
    board: CallBoard,
    kiosks: HashMap<String, UnboundedSender<CentreToKiosk>>,
    consoles: HashMap<ConsoleId, Console>,
    /// The console that accepted each active call.
    in_call: HashMap<String, ConsoleId>,
    after: HashMap<String, AfterCall>,
    last_waiting: HashMap<String, CentreToKiosk>,
    next_console: ConsoleId,
}

/// See the module's documentation. Clone freely.
#[derive(Clone)]
pub struct CallHub {
    inner: Arc<Mutex<Inner>>,
    clock: Arc<dyn WallClock>,
    advice: AdviceBook,
    log: CallLog,
}

impl std::fmt::Debug for CallHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallHub").finish_non_exhaustive()
    }
}

impl CallHub {
    /// A hub routing by `roster`, reading time from `clock`.
    pub fn new(roster: Roster, clock: Arc<dyn WallClock>) -> Self {
        Self {
            inner: Arc::new(Mutex::new(Inner {
                board: CallBoard::new(roster),
                kiosks: HashMap::new(),
                consoles: HashMap::new(),
                in_call: HashMap::new(),
                after: HashMap::new(),
                last_waiting: HashMap::new(),
                next_console: 0,
            })),
            clock,
            advice: AdviceBook::default(),
            log: CallLog::default(),
        }
    }

    /// A handle that does not keep the hub alive (for its tick).
    pub fn downgrade(&self) -> WeakCallHub {
        WeakCallHub {
            inner: Arc::downgrade(&self.inner),
            clock: Arc::clone(&self.clock),
            advice: self.advice.clone(),
            log: self.log.clone(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn now(&self) -> (DateTime<Utc>, NaiveDate) {
        let now = self.clock.now();
        (now, now.with_timezone(&local_offset()).date_naive())
    }

    /// The advice summaries written.
    pub fn advice(&self) -> &AdviceBook {
        &self.advice
    }

    /// The calls logged.
    pub fn log(&self) -> &CallLog {
        &self.log
    }

    /// The roster's recording policy.
    pub fn recorded(&self) -> bool {
        self.lock().board.roster().recorded
    }

    /// What the consent screen says: the recording policy, the answer time, the lawyers online.
    pub fn policy(&self) -> videocall::wire::CallPolicy {
        let inner = self.lock();
        videocall::wire::CallPolicy {
            recorded: inner.board.roster().recorded,
            answer_timeout_secs: inner.board.roster().answer_timeout_secs,
            lawyers_online: inner.board.lawyers_online(),
        }
    }

    /// The seconds after which a waiting call gives up.
    pub fn answer_timeout_secs(&self) -> u32 {
        self.lock().board.roster().answer_timeout_secs
    }

    // ---- kiosks -------------------------------------------------------------------------------

    /// A kiosk dialled: the call's id and the channel of what to send it.
    pub fn dial(
        &self,
        device: &str,
        site: &str,
        topic: &str,
        caller: Option<String>,
    ) -> (String, UnboundedReceiver<CentreToKiosk>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let (now, _) = self.now();
        let mut inner = self.lock();
        let id = inner.board.dial(device, site, topic, caller, now);
        inner.kiosks.insert(id.clone(), tx);
        tracing::info!("call {id}: {site} dialled about {topic:?}");
        self.refresh(&mut inner);
        (id, rx)
    }

    /// A message from the kiosk of `call`.
    pub fn from_kiosk(&self, call: &str, message: KioskMessage) {
        let mut inner = self.lock();
        match message {
            KioskMessage::Dial { .. } => {
                send_kiosk(
                    &inner,
                    call,
                    CentreToKiosk::Refused {
                        reason: "this call has already been dialled".into(),
                    },
                );
            }
            KioskMessage::Offer { sdp } => {
                self.to_console(&inner, call, CentreToLawyer::Offer { sdp })
            }
            KioskMessage::Ice(candidate) => {
                self.to_console(&inner, call, CentreToLawyer::Ice(candidate));
            }
            KioskMessage::Media { video } => {
                self.to_console(&inner, call, CentreToLawyer::Media { video });
            }
            KioskMessage::Hangup => {
                if let Some(waiting) = inner.board.cancel(call) {
                    self.log_unanswered(&mut inner, &waiting, CallOutcome::Abandoned);
                    self.refresh(&mut inner);
                } else {
                    self.end(&mut inner, call, EndedBy::Citizen);
                }
            }
        }
    }

    /// The kiosk of `call` went away.
    pub fn kiosk_gone(&self, call: &str) {
        let mut inner = self.lock();
        inner.kiosks.remove(call);
        if let Some(after) = inner.after.get_mut(call) {
            after.kiosk = None;
        }
        if let Some(waiting) = inner.board.cancel(call) {
            self.log_unanswered(&mut inner, &waiting, CallOutcome::Abandoned);
            self.refresh(&mut inner);
        } else if inner.board.active(call).is_some() {
            self.end(&mut inner, call, EndedBy::Citizen);
        }
    }

    fn to_console(&self, inner: &Inner, call: &str, message: CentreToLawyer) {
        if let Some(console) = inner
            .in_call
            .get(call)
            .and_then(|id| inner.consoles.get(id))
        {
            let _ = console.tx.send(message);
        }
    }

    // ---- consoles -----------------------------------------------------------------------------

    /// A console of `user` connected: its id and the channel of what to send it.
    pub fn console_connect(&self, user: &str) -> (ConsoleId, UnboundedReceiver<CentreToLawyer>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let mut inner = self.lock();
        inner.next_console += 1;
        let id = inner.next_console;
        inner.consoles.insert(
            id,
            Console {
                user: user.to_owned(),
                tx,
            },
        );
        inner.board.connect(user);
        self.refresh(&mut inner);
        (id, rx)
    }

    /// The console `id` went away. Its call ends when it was the console in the call.
    pub fn console_gone(&self, id: ConsoleId) {
        let mut inner = self.lock();
        let Some(console) = inner.consoles.remove(&id) else {
            return;
        };
        let its_call = inner
            .in_call
            .iter()
            .find(|(_, c)| **c == id)
            .map(|(call, _)| call.clone());
        if let Some(call) = its_call {
            self.end(&mut inner, &call, EndedBy::Lawyer);
        }
        inner.board.disconnect(&console.user);
        self.refresh(&mut inner);
    }

    /// A message from console `id`; `base_url` is where the centre's pages are reached
    /// (`https://centre.example`), for the advice's link.
    pub fn from_console(&self, id: ConsoleId, message: LawyerMessage, base_url: &str) {
        let mut inner = self.lock();
        let Some(user) = inner.consoles.get(&id).map(|c| c.user.clone()) else {
            return;
        };
        let its_call = inner
            .in_call
            .iter()
            .find(|(_, c)| **c == id)
            .map(|(call, _)| call.clone());
        let refuse = |inner: &Inner, reason: String| {
            if let Some(c) = inner.consoles.get(&id) {
                let _ = c.tx.send(CentreToLawyer::Refused { reason });
            }
        };
        match message {
            LawyerMessage::Available { on } => {
                inner.board.set_available(&user, on);
                self.refresh(&mut inner);
            }
            LawyerMessage::Accept { call } => self.accept(&mut inner, id, &user, &call),
            LawyerMessage::Answer { sdp } => match its_call {
                Some(call) => send_kiosk(&inner, &call, CentreToKiosk::Answer { sdp }),
                None => refuse(&inner, "no call to answer".into()),
            },
            LawyerMessage::Ice(Candidate { candidate, mline }) => {
                if let Some(call) = its_call {
                    send_kiosk(
                        &inner,
                        &call,
                        CentreToKiosk::Ice(Candidate { candidate, mline }),
                    );
                }
            }
            LawyerMessage::Media { video } => {
                if let Some(call) = its_call {
                    send_kiosk(&inner, &call, CentreToKiosk::Media { video });
                }
            }
            LawyerMessage::Hangup => match its_call {
                Some(call) => self.end(&mut inner, &call, EndedBy::Lawyer),
                None => refuse(&inner, "no call to hang up".into()),
            },
            LawyerMessage::Stats {
                frames_decoded,
                packets_received,
            } => {
                if let Some(call) = its_call {
                    self.log
                        .lawyer_figures(&call, frames_decoded, packets_received);
                }
            }
            LawyerMessage::Advice { call, text } => {
                let Some(after) = inner.after.get(&call).filter(|a| a.lawyer == user) else {
                    refuse(
                        &inner,
                        format!("{call}: not a call of yours that has ended"),
                    );
                    return;
                };
                let (now, _) = self.now();
                let token = self.advice.add(AdviceNote {
                    call: call.clone(),
                    site: after.site.clone(),
                    topic: after.topic.clone(),
                    lawyer: inner.board.roster().public_name(&user),
                    text: text.clone(),
                    written: now,
                });
                let url = format!("{}/advice/{token}", base_url.trim_end_matches('/'));
                let delivered = after.kiosk.as_ref().is_some_and(|k| {
                    k.send(CentreToKiosk::Advice {
                        text,
                        url: Some(url.clone()),
                    })
                    .is_ok()
                });
                self.log.advice_written(&call);
                if let Some(c) = inner.consoles.get(&id) {
                    let _ = c.tx.send(CentreToLawyer::AdviceSaved {
                        call,
                        delivered,
                        url: Some(url),
                    });
                }
            }
        }
    }

    fn accept(&self, inner: &mut Inner, id: ConsoleId, user: &str, call: &str) {
        let (now, day) = self.now();
        match inner.board.accept(user, call, now, day) {
            Ok(active) => {
                inner.in_call.insert(call.to_owned(), id);
                inner.last_waiting.remove(call);
                let roster = inner.board.roster();
                let ice_servers = roster.ice_servers.clone();
                let answered = CentreToKiosk::Answered {
                    lawyer: roster.public_name(user),
                    ice_servers: ice_servers.clone(),
                    recorded: roster.recorded,
                };
                send_kiosk(inner, call, answered);
                if let Some(c) = inner.consoles.get(&id) {
                    let _ = c.tx.send(CentreToLawyer::Connected {
                        call: call.to_owned(),
                        site: active.call.site.clone(),
                        topic: active.call.topic.clone(),
                        caller: active.call.caller.clone(),
                        ice_servers,
                    });
                }
                tracing::info!(
                    "call {call}: answered by {user} after {} s",
                    (now - active.call.since).num_seconds()
                );
            }
            Err(err) => {
                if let Some(c) = inner.consoles.get(&id) {
                    let _ = c.tx.send(CentreToLawyer::Refused {
                        reason: err.to_string(),
                    });
                }
                if err == AcceptError::Gone {
                    tracing::debug!("call {call}: accepted by {user} too late");
                }
            }
        }
        self.refresh(inner);
    }

    /// Ends the active `call`: both sides are told, the lawyer is free, the call is logged.
    fn end(&self, inner: &mut Inner, call: &str, by: EndedBy) {
        let (now, _) = self.now();
        let Some(ended) = inner.board.end(call, now) else {
            return;
        };
        send_kiosk(inner, call, CentreToKiosk::Ended { by });
        self.to_console(
            inner,
            call,
            CentreToLawyer::Ended {
                call: call.to_owned(),
                by,
            },
        );
        inner.in_call.remove(call);
        let kiosk = inner.kiosks.get(call).cloned();
        inner.after.insert(
            call.to_owned(),
            AfterCall {
                lawyer: ended.active.lawyer.clone(),
                site: ended.active.call.site.clone(),
                topic: ended.active.call.topic.clone(),
                kiosk,
            },
        );
        let waited = (ended.active.answered - ended.active.call.since).num_seconds();
        self.log.add(LoggedCall {
            call: call.to_owned(),
            device: ended.active.call.device.clone(),
            site: ended.active.call.site.clone(),
            topic: ended.active.call.topic.clone(),
            lawyer: Some(ended.active.lawyer.clone()),
            dialled: ended.active.call.since,
            waited_secs: u32::try_from(waited.max(0)).unwrap_or(u32::MAX),
            talk_secs: ended.talk_secs,
            outcome: CallOutcome::Answered,
            ended_by: Some(by),
        });
        tracing::info!("call {call}: ended by {by:?} after {} s", ended.talk_secs);
        self.refresh(inner);
    }

    fn log_unanswered(&self, inner: &mut Inner, call: &Waiting, outcome: CallOutcome) {
        inner.last_waiting.remove(&call.id);
        let (now, _) = self.now();
        self.log.add(LoggedCall {
            call: call.id.clone(),
            device: call.device.clone(),
            site: call.site.clone(),
            topic: call.topic.clone(),
            lawyer: None,
            dialled: call.since,
            waited_secs: u32::try_from((now - call.since).num_seconds().max(0)).unwrap_or(u32::MAX),
            talk_secs: 0,
            outcome,
            ended_by: None,
        });
        tracing::info!("call {}: {}", call.id, outcome.as_str());
    }

    /// Expires unanswered calls and refreshes every screen; run every second.
    pub fn tick(&self) {
        let mut inner = self.lock();
        let (now, _) = self.now();
        for call in inner.board.expire(now) {
            send_kiosk(&inner, &call.id, CentreToKiosk::Unanswered);
            self.log_unanswered(&mut inner, &call, CallOutcome::Unanswered);
        }
        self.refresh(&mut inner);
    }

    /// Pushes each waiting kiosk its place (when it changed) and each console its board.
    fn refresh(&self, inner: &mut Inner) {
        let (now, day) = self.now();
        let timeout = inner.board.roster().answer_timeout_secs;
        let waiting: Vec<String> = inner.board.waiting().iter().map(|w| w.id.clone()).collect();
        for call in waiting {
            let Some(info) = inner.board.wait_info(&call) else {
                continue;
            };
            let message = CentreToKiosk::Waiting {
                call: call.clone(),
                ahead: info.ahead,
                lawyers_online: info.lawyers_online,
                estimate_secs: info.estimate_secs,
                give_up_after_secs: timeout,
            };
            if inner.last_waiting.get(&call) != Some(&message) {
                send_kiosk(inner, &call, message.clone());
                inner.last_waiting.insert(call, message);
            }
        }
        let online = inner.board.lawyers_online();
        for console in inner.consoles.values() {
            let (available, in_call) = inner.board.lawyer(&console.user);
            let calls = inner
                .board
                .offered(&console.user, now, day)
                .into_iter()
                .map(|(w, tier)| OfferedCall {
                    call: w.id,
                    site: w.site,
                    topic: w.topic,
                    caller: w.caller,
                    waited_secs: u32::try_from((now - w.since).num_seconds().max(0))
                        .unwrap_or(u32::MAX),
                    reason: tier.as_str().to_owned(),
                })
                .collect();
            let _ = console.tx.send(CentreToLawyer::Board {
                available,
                in_call,
                calls,
                lawyers_online: online,
            });
        }
    }
}

/// A [`CallHub`] that may be gone.
pub struct WeakCallHub {
    inner: std::sync::Weak<Mutex<Inner>>,
    clock: Arc<dyn WallClock>,
    advice: AdviceBook,
    log: CallLog,
}

impl WeakCallHub {
    /// The hub, while it lives.
    pub fn upgrade(&self) -> Option<CallHub> {
        Some(CallHub {
            inner: self.inner.upgrade()?,
            clock: Arc::clone(&self.clock),
            advice: self.advice.clone(),
            log: self.log.clone(),
        })
    }
}

fn send_kiosk(inner: &Inner, call: &str, message: CentreToKiosk) {
    if let Some(kiosk) = inner.kiosks.get(call) {
        let _ = kiosk.send(message);
    }
}
