//! The call board: who is online, which calls wait, who talks to whom, and which lawyer is offered
//! which call. Pure: time is passed in, nothing is sent from here ([`super::hub`] does the sending).
//!
//! Routing: a waiting call is offered first to the duty lawyer of the day, after
//! `escalate_after_secs` also to the village's own adviser, after twice that to every available
//! lawyer. A tier with nobody available and idle is skipped at once, so a call never waits for a
//! lawyer who is not there. The first lawyer to accept takes the call; calls are answered in the order
//! they came (the console lists the longest waiting first).

use std::collections::{BTreeMap, VecDeque};

use chrono::{DateTime, NaiveDate, Utc};

use super::roster::{Roster, Tier};

/// Talk times remembered for the wait estimate.
const RECENT_CALLS: usize = 20;
/// The talk time assumed before any call was made, in seconds.
const DEFAULT_TALK_SECS: u32 = 300;

/// A call waiting for a lawyer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    /// The call's id.
    pub id: String,
    /// The device that dialled.
    pub device: String,
    /// Its site.
    pub site: String,
    /// What it is about.
    pub topic: String,
    /// The masked name.
    pub caller: Option<String>,
    /// When it was dialled.
    pub since: DateTime<Utc>,
}

/// A call a lawyer took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Active {
    /// The call as it waited.
    pub call: Waiting,
    /// The lawyer's login.
    pub lawyer: String,
    /// When it was accepted.
    pub answered: DateTime<Utc>,
}

/// An ended call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ended {
    /// The call.
    pub active: Active,
    /// Seconds talked.
    pub talk_secs: u32,
}

/// A caller's place in the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitInfo {
    /// Calls ahead.
    pub ahead: u32,
    /// Lawyers online.
    pub lawyers_online: u32,
    /// Expected seconds; none: no lawyer online.
    pub estimate_secs: Option<u32>,
}

/// Why a lawyer cannot take a call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AcceptError {
    /// The call is no longer waiting (taken, hung up, timed out).
    #[error("这个来电已被接听或已结束 The call was taken or has ended")]
    Gone,
    /// The lawyer is in a call.
    #[error("您正在通话中 You are in a call")]
    Busy,
    /// The lawyer has not set themselves available.
    #[error("请先设为可接听 Set yourself available first")]
    NotAvailable,
    /// The call is offered to someone else first.
    #[error(
        "这个来电正在优先转给值班律师或本村法律顾问 The call is offered to the duty lawyer or the village's adviser first"
    )]
    NotOffered,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct LawyerState {
    consoles: u32,
    available: bool,
    in_call: Option<String>,
}

/// See the module's documentation.
#[derive(Debug, Clone)]
pub struct CallBoard {
    roster: Roster,
    lawyers: BTreeMap<String, LawyerState>,
    waiting: Vec<Waiting>,
    active: BTreeMap<String, Active>,
    recent_talk: VecDeque<u32>,
    next_id: u64,
}

fn secs_between(from: DateTime<Utc>, to: DateTime<Utc>) -> u32 {
    u32::try_from((to - from).num_seconds().max(0)).unwrap_or(u32::MAX)
}

impl CallBoard {
    /// An empty board with `roster`.
    pub fn new(roster: Roster) -> Self {
        Self {
            roster,
            lawyers: BTreeMap::new(),
            waiting: Vec::new(),
            active: BTreeMap::new(),
            recent_talk: VecDeque::new(),
            next_id: 0,
        }
    }

    /// The roster.
    pub fn roster(&self) -> &Roster {
        &self.roster
    }

    /// A console of `user` connected.
    pub fn connect(&mut self, user: &str) {
        self.lawyers.entry(user.to_owned()).or_default().consoles += 1;
    }

    /// A console of `user` disconnected. When it was the last one: the lawyer is no longer available,
    /// and their call (if any) is returned to be ended.
    pub fn disconnect(&mut self, user: &str) -> Option<String> {
        let state = self.lawyers.get_mut(user)?;
        state.consoles = state.consoles.saturating_sub(1);
        if state.consoles > 0 {
            return None;
        }
        state.available = false;
        let call = state.in_call.clone();
        if call.is_none() {
            self.lawyers.remove(user);
        }
        call
    }

    /// Sets `user` available or not.
    pub fn set_available(&mut self, user: &str, on: bool) {
        if let Some(state) = self.lawyers.get_mut(user) {
            state.available = on;
        }
    }

    /// `user`'s state: available, and the call they are in.
    pub fn lawyer(&self, user: &str) -> (bool, Option<String>) {
        self.lawyers
            .get(user)
            .map_or((false, None), |s| (s.available, s.in_call.clone()))
    }

    /// Lawyers with a console open.
    pub fn lawyers_online(&self) -> u32 {
        u32::try_from(self.lawyers.values().filter(|s| s.consoles > 0).count()).unwrap_or(u32::MAX)
    }

    /// The logins of the lawyers with a console open.
    pub fn online(&self) -> Vec<String> {
        self.lawyers
            .iter()
            .filter(|(_, s)| s.consoles > 0)
            .map(|(u, _)| u.clone())
            .collect()
    }

    fn idle(&self) -> impl Iterator<Item = &String> {
        self.lawyers
            .iter()
            .filter(|(_, s)| s.consoles > 0 && s.available && s.in_call.is_none())
            .map(|(u, _)| u)
    }

    /// Queues a call; its id.
    pub fn dial(
        &mut self,
        device: &str,
        site: &str,
        topic: &str,
        caller: Option<String>,
        now: DateTime<Utc>,
    ) -> String {
        self.next_id += 1;
        let id = format!("{}-{}", now.format("%Y%m%d%H%M%S"), self.next_id);
        self.waiting.push(Waiting {
            id: id.clone(),
            device: device.to_owned(),
            site: site.to_owned(),
            topic: topic.to_owned(),
            caller,
            since: now,
        });
        id
    }

    /// The widest tier `call` is offered to now.
    fn allowed_tier(&self, call: &Waiting, now: DateTime<Utc>, day: NaiveDate) -> Tier {
        let waited = secs_between(call.since, now);
        let step = self.roster.escalate_after_secs;
        let by_time = if waited < step {
            Tier::Duty
        } else if waited < step.saturating_mul(2) {
            Tier::Adviser
        } else {
            Tier::Any
        };
        let best_there = self
            .idle()
            .map(|u| self.roster.tier(u, &call.site, day))
            .min()
            .unwrap_or(Tier::Any);
        by_time.max(best_there)
    }

    /// The calls offered to `user` now, longest waiting first, with the reason.
    pub fn offered(&self, user: &str, now: DateTime<Utc>, day: NaiveDate) -> Vec<(Waiting, Tier)> {
        let Some(state) = self.lawyers.get(user) else {
            return Vec::new();
        };
        if !state.available || state.in_call.is_some() || state.consoles == 0 {
            return Vec::new();
        }
        self.waiting
            .iter()
            .filter_map(|call| {
                let tier = self.roster.tier(user, &call.site, day);
                (tier <= self.allowed_tier(call, now, day)).then(|| (call.clone(), tier))
            })
            .collect()
    }

    /// `user` takes `call`.
    pub fn accept(
        &mut self,
        user: &str,
        call: &str,
        now: DateTime<Utc>,
        day: NaiveDate,
    ) -> Result<Active, AcceptError> {
        let (available, in_call) = self.lawyer(user);
        if in_call.is_some() {
            return Err(AcceptError::Busy);
        }
        if !available {
            return Err(AcceptError::NotAvailable);
        }
        let index = self
            .waiting
            .iter()
            .position(|w| w.id == call)
            .ok_or(AcceptError::Gone)?;
        if !self
            .offered(user, now, day)
            .iter()
            .any(|(w, _)| w.id == call)
        {
            return Err(AcceptError::NotOffered);
        }
        let waiting = self.waiting.remove(index);
        let active = Active {
            call: waiting,
            lawyer: user.to_owned(),
            answered: now,
        };
        if let Some(state) = self.lawyers.get_mut(user) {
            state.in_call = Some(call.to_owned());
        }
        self.active.insert(call.to_owned(), active.clone());
        Ok(active)
    }

    /// The active call `call`.
    pub fn active(&self, call: &str) -> Option<&Active> {
        self.active.get(call)
    }

    /// Whether `call` is waiting.
    pub fn is_waiting(&self, call: &str) -> bool {
        self.waiting.iter().any(|w| w.id == call)
    }

    /// Ends an active call: the lawyer is free again.
    pub fn end(&mut self, call: &str, now: DateTime<Utc>) -> Option<Ended> {
        let active = self.active.remove(call)?;
        let talk_secs = secs_between(active.answered, now);
        self.recent_talk.push_back(talk_secs);
        if self.recent_talk.len() > RECENT_CALLS {
            self.recent_talk.pop_front();
        }
        let lawyer_gone = match self.lawyers.get_mut(&active.lawyer) {
            Some(state) => {
                state.in_call = None;
                state.consoles == 0
            }
            None => false,
        };
        if lawyer_gone {
            self.lawyers.remove(&active.lawyer);
        }
        Some(Ended { active, talk_secs })
    }

    /// Removes a waiting call (the citizen gave up, the kiosk went away); the call, when it was
    /// waiting.
    pub fn cancel(&mut self, call: &str) -> Option<Waiting> {
        let index = self.waiting.iter().position(|w| w.id == call)?;
        Some(self.waiting.remove(index))
    }

    /// Removes and returns the calls that waited `answer_timeout_secs`.
    pub fn expire(&mut self, now: DateTime<Utc>) -> Vec<Waiting> {
        let limit = self.roster.answer_timeout_secs;
        let (expired, kept) = std::mem::take(&mut self.waiting)
            .into_iter()
            .partition(|w| secs_between(w.since, now) >= limit);
        self.waiting = kept;
        expired
    }

    /// The waiting calls, longest waiting first.
    pub fn waiting(&self) -> &[Waiting] {
        &self.waiting
    }

    /// `call`'s place and an honest wait: none when nobody is online; else the calls ahead spread over
    /// the online lawyers at the recent mean talk time (a free lawyer now: the first tier's time).
    pub fn wait_info(&self, call: &str) -> Option<WaitInfo> {
        let ahead = self.waiting.iter().position(|w| w.id == call)?;
        let ahead = u32::try_from(ahead).unwrap_or(u32::MAX);
        let online = self.lawyers_online();
        let idle = u32::try_from(self.idle().count()).unwrap_or(u32::MAX);
        let estimate_secs = if online == 0 {
            None
        } else if idle > ahead {
            Some(self.roster.escalate_after_secs.max(5))
        } else {
            let talk = if self.recent_talk.is_empty() {
                DEFAULT_TALK_SECS
            } else {
                let sum: u64 = self.recent_talk.iter().map(|&t| u64::from(t)).sum();
                u32::try_from(sum / self.recent_talk.len() as u64).unwrap_or(u32::MAX)
            };
            let rounds = (ahead + 1 - idle).div_ceil(online);
            Some(rounds.saturating_mul(talk))
        };
        Some(WaitInfo {
            ahead,
            lawyers_online: online,
            estimate_secs,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calls::roster::{CallsEntry, LawyerEntry};
    use chrono::TimeZone as _;

    const VILLAGE: &str = "小南海镇新建村";

    /// Monday 2026-12-07 09:00 UTC.
    fn t(secs: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0).unwrap() + chrono::Duration::seconds(secs)
    }

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
    }

    fn lawyer(user: &str, duty: &[&str], adviser_of: &[&str]) -> LawyerEntry {
        LawyerEntry {
            user: user.into(),
            name: format!("{user}律师"),
            duty_weekdays: duty.iter().map(|d| (*d).to_owned()).collect(),
            duty_dates: Vec::new(),
            adviser_of: adviser_of.iter().map(|d| (*d).to_owned()).collect(),
        }
    }

    /// duty (Monday), adviser (of the village), other.
    fn board() -> CallBoard {
        let entry = CallsEntry {
            lawyers: vec![
                lawyer("duty", &["mon"], &[]),
                lawyer("adviser", &[], &[VILLAGE]),
                lawyer("other", &["tue"], &[]),
            ],
            ..CallsEntry::default()
        };
        let roster = Roster::from_entry(&entry, &["duty", "adviser", "other"]).unwrap();
        let mut board = CallBoard::new(roster);
        for user in ["duty", "adviser", "other"] {
            board.connect(user);
            board.set_available(user, true);
        }
        board
    }

    fn offered_to(board: &CallBoard, user: &str, now: DateTime<Utc>) -> Vec<String> {
        board
            .offered(user, now, day())
            .into_iter()
            .map(|(w, _)| w.id)
            .collect()
    }

    #[test]
    fn a_call_goes_to_the_duty_lawyer_then_the_adviser_then_anyone() {
        let mut board = board();
        let id = board.dial("k1", VILLAGE, "劳动争议", None, t(0));
        assert_eq!(offered_to(&board, "duty", t(1)), vec![id.clone()]);
        assert!(offered_to(&board, "adviser", t(1)).is_empty());
        assert!(offered_to(&board, "other", t(1)).is_empty());
        assert_eq!(
            board.accept("other", &id, t(1), day()),
            Err(AcceptError::NotOffered)
        );
        assert_eq!(offered_to(&board, "adviser", t(10)), vec![id.clone()]);
        assert!(offered_to(&board, "other", t(10)).is_empty());
        assert_eq!(offered_to(&board, "other", t(20)), vec![id.clone()]);
        let active = board.accept("other", &id, t(21), day()).unwrap();
        assert_eq!(active.lawyer, "other");
        assert!(offered_to(&board, "duty", t(21)).is_empty(), "taken");
        assert_eq!(
            board.accept("duty", &id, t(21), day()),
            Err(AcceptError::Gone)
        );
        let ended = board.end(&id, t(81)).unwrap();
        assert_eq!(ended.talk_secs, 60);
        assert_eq!(board.lawyer("other"), (true, None), "free again");
    }

    #[test]
    fn a_tier_with_nobody_there_is_skipped_at_once() {
        let mut board = board();
        board.set_available("duty", false);
        let id = board.dial("k1", VILLAGE, "婚姻家庭", None, t(0));
        assert_eq!(offered_to(&board, "adviser", t(0)), vec![id.clone()]);
        assert!(offered_to(&board, "other", t(0)).is_empty());
        board.set_available("adviser", false);
        assert_eq!(offered_to(&board, "other", t(0)), vec![id.clone()]);
        // Another village's call: no adviser tier for it.
        let elsewhere = board.dial("k2", "白石镇", "其他咨询", None, t(1));
        assert_eq!(offered_to(&board, "other", t(1)), [id, elsewhere]);
    }

    #[test]
    fn busy_or_unavailable_lawyers_are_offered_nothing_and_cannot_accept() {
        let mut board = board();
        let first = board.dial("k1", VILLAGE, "a", None, t(0));
        let second = board.dial("k2", VILLAGE, "b", None, t(1));
        board.accept("duty", &first, t(2), day()).unwrap();
        assert!(offered_to(&board, "duty", t(2)).is_empty());
        assert_eq!(
            board.accept("duty", &second, t(2), day()),
            Err(AcceptError::Busy)
        );
        // The duty lawyer is busy: the second call goes to the adviser at once.
        assert_eq!(offered_to(&board, "adviser", t(2)), vec![second.clone()]);
        board.set_available("adviser", false);
        assert_eq!(
            board.accept("adviser", &second, t(3), day()),
            Err(AcceptError::NotAvailable)
        );
    }

    #[test]
    fn the_wait_is_honest_about_the_queue_and_about_nobody_being_there() {
        let mut board = board();
        let a = board.dial("k1", VILLAGE, "a", None, t(0));
        let b = board.dial("k2", VILLAGE, "b", None, t(1));
        let c = board.dial("k3", VILLAGE, "c", None, t(2));
        let d = board.dial("k4", VILLAGE, "d", None, t(3));
        assert_eq!(board.wait_info(&a).unwrap().ahead, 0);
        assert_eq!(board.wait_info(&a).unwrap().estimate_secs, Some(10));
        let info = board.wait_info(&d).unwrap();
        assert_eq!((info.ahead, info.lawyers_online), (3, 3));
        // Three lawyers free, three calls ahead: one round of the default talk time.
        assert_eq!(info.estimate_secs, Some(300));
        board.accept("duty", &a, t(4), day()).unwrap();
        board.end(&a, t(64)).unwrap();
        assert_eq!(board.wait_info(&b).unwrap().ahead, 0);
        assert_eq!(board.wait_info(&d).unwrap().estimate_secs, Some(10));
        for user in ["duty", "adviser", "other"] {
            board.set_available(user, false);
        }
        assert_eq!(
            board.wait_info(&c).unwrap().estimate_secs,
            Some(60),
            "mean talk 60 s"
        );
        for user in ["duty", "adviser", "other"] {
            assert_eq!(board.disconnect(user), None);
        }
        assert_eq!(
            board.wait_info(&c).unwrap().estimate_secs,
            None,
            "nobody online"
        );
        assert_eq!(board.lawyers_online(), 0);
    }

    #[test]
    fn unanswered_calls_expire_and_a_lawyer_leaving_mid_call_ends_it() {
        let mut board = board();
        let a = board.dial("k1", VILLAGE, "a", None, t(0));
        let b = board.dial("k2", VILLAGE, "b", None, t(20));
        let expired = board.expire(t(30));
        assert_eq!(expired.iter().map(|w| &w.id).collect::<Vec<_>>(), [&a]);
        assert!(board.is_waiting(&b));
        board.accept("duty", &b, t(31), day()).unwrap();
        assert_eq!(board.disconnect("duty"), Some(b.clone()));
        assert!(board.end(&b, t(40)).is_some());
        assert_eq!(board.lawyer("duty"), (false, None));
        let c = board.dial("k3", VILLAGE, "c", None, t(41));
        assert_eq!(board.cancel(&c).map(|w| w.topic), Some("c".to_owned()));
        assert_eq!(board.cancel("nope"), None);
    }
}
