//! What the hall screen shows, as a pure function of what the queue host said and the time.

use std::{collections::VecDeque, time::Duration};

use chrono::{Datelike, NaiveDateTime, Weekday};

use super::{
    HallConfig, HostMsg, SlideConfig,
    programme::{Programme, Showing, VideoEntry},
};
use crate::led::{Announcement, BoardState, BoardTiming, CallBoard, IdleScene, WaitingCount};
use queue::{EventPayload, ServiceStatus, wire::QueueResponse};

/// A call as the screen lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallView {
    /// Ticket number.
    pub number: String,
    /// Window number.
    pub window: u32,
    /// Window name (Chinese), e.g. `3号窗口`.
    pub window_name: String,
    /// Window name (English).
    pub window_name_en: String,
    /// Whether it was a recall.
    pub recall: bool,
}

/// A service's waiting count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceView {
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Ticket prefix.
    pub prefix: String,
    /// Tickets waiting.
    pub waiting: u32,
}

/// A publicity slide on screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlideView {
    /// Heading, Chinese.
    pub title: String,
    /// Heading, English.
    pub title_en: String,
    /// Text, Chinese.
    pub body: String,
    /// Text, English.
    pub body_en: String,
}

/// A publicity video on screen: the screen's player plays `file` and says when it ended or failed
/// ([`HallModel::video_ended`], [`HallModel::video_failed`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VideoView {
    /// The content record's id.
    pub id: String,
    /// Title, Chinese.
    pub title: String,
    /// Title, English.
    pub title_en: String,
    /// The clip.
    pub file: std::path::PathBuf,
    /// Its SubRip subtitles.
    pub subtitles: Option<std::path::PathBuf>,
    /// The picture shown until the first frame.
    pub poster: Option<std::path::PathBuf>,
    /// A sample made by the project (marked on screen).
    pub sample: bool,
}

/// Everything the hall screen shows at a moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HallView {
    /// The call filling the screen, if one is on show.
    pub calling: Option<CallView>,
    /// Whether that call is in its flashing time.
    pub highlighted: bool,
    /// The latest calls, newest first (the current one included).
    pub recent: Vec<CallView>,
    /// Waiting counts per open or full service.
    pub services: Vec<ServiceView>,
    /// The publicity slide shown when no call fills the screen (and no video plays).
    pub slide: SlideView,
    /// The publicity video playing in the main area (under a call, if one is on show).
    pub video: Option<VideoView>,
    /// Whether the queue host answers.
    pub connected: bool,
    /// Date and time, e.g. `2026年1月5日 星期一 09:30`.
    pub clock: String,
}

/// The hall screen's state.
#[derive(Debug)]
pub struct HallModel {
    board: CallBoard,
    recent: VecDeque<CallView>,
    keep: usize,
    snapshot: Option<QueueResponse>,
    connected: bool,
    slides: Vec<SlideConfig>,
    programme: Programme,
    welcome: SlideView,
}

impl HallModel {
    /// A model with nothing called yet; `now` is the time since any fixed origin.
    pub fn new(config: &HallConfig, welcome: SlideView, now: Duration) -> Self {
        let timing = BoardTiming {
            hold: Duration::from_secs(config.call_secs),
            turn: Duration::from_secs(config.turn_secs),
            highlight: Duration::from_secs(config.highlight_secs),
        };
        Self {
            board: CallBoard::new(timing, now),
            recent: VecDeque::new(),
            keep: config.recent_calls.clamp(1, 10),
            snapshot: None,
            connected: false,
            slides: config.slides.clone(),
            programme: {
                let mut p = Programme::new(
                    Duration::from_secs(config.slide_secs.max(1)),
                    config.video.slides_between,
                );
                p.set_slides(config.slides.clone());
                p
            },
            welcome,
        }
    }

    /// The publicity slides of the content bundle (its slides and notices), shown after the configured
    /// ones while valid.
    pub fn set_content_slides(&mut self, slides: Vec<SlideConfig>) {
        self.programme
            .set_slides(self.slides.iter().cloned().chain(slides).collect());
    }

    /// The publicity videos of this site, played between the slides while their dates and hours allow.
    pub fn set_videos(&mut self, videos: Vec<VideoEntry>) {
        self.programme.set_videos(videos);
    }

    /// The screen's player played video `id` to its end.
    pub fn video_ended(&mut self, id: &str, now: Duration, local: NaiveDateTime) {
        self.programme.video_ended(id, now, local);
    }

    /// The screen's player could not play video `id`: it is skipped until the content changes.
    pub fn video_failed(&mut self, id: &str, now: Duration, local: NaiveDateTime) {
        self.programme.video_failed(id, now, local);
    }

    /// Ids of the videos skipped as broken since the content last changed.
    pub fn failed_videos(&self) -> Vec<String> {
        self.programme.failed().map(str::to_owned).collect()
    }

    /// Takes in what the host said at `now`; returns the call to announce (LED panel, voice), if any.
    pub fn handle(&mut self, msg: HostMsg, now: Duration) -> Option<Announcement> {
        match msg {
            HostMsg::Connected(up) => {
                self.connected = up;
                None
            }
            HostMsg::Snapshot(snapshot) => {
                self.connected = true;
                if self.recent.is_empty() {
                    // Seed the list with what the windows serve now (a display started mid-day).
                    for w in snapshot.windows.iter().filter(|w| w.open) {
                        if let Some(number) = &w.serving {
                            self.recent.push_back(self.call_view(number, w.id, false));
                        }
                    }
                    self.recent.truncate(self.keep);
                }
                self.snapshot = Some(snapshot);
                None
            }
            HostMsg::Event(event) => match event.payload {
                EventPayload::Called { number, window, .. } => {
                    Some(self.call(number, window, false, now))
                }
                EventPayload::Recalled { number, window, .. } => {
                    Some(self.call(number, window, true, now))
                }
                EventPayload::DayReset { .. } => {
                    self.recent.clear();
                    None
                }
                _ => None,
            },
        }
    }

    fn call(&mut self, number: String, window: u32, recall: bool, now: Duration) -> Announcement {
        self.recent
            .retain(|c| !(c.number == number && c.window == window));
        self.recent
            .push_front(self.call_view(&number, window, recall));
        self.recent.truncate(self.keep);
        let call = Announcement {
            ticket: number,
            window,
            recall,
        };
        self.board.push(call.clone(), now);
        call
    }

    fn call_view(&self, number: &str, window: u32, recall: bool) -> CallView {
        let named = self
            .snapshot
            .as_ref()
            .and_then(|s| s.windows.iter().find(|w| w.id == window));
        CallView {
            number: number.to_owned(),
            window,
            window_name: named.map_or_else(|| format!("{window}号窗口"), |w| w.name.clone()),
            window_name_en: named.map_or_else(|| format!("Window {window}"), |w| w.name_en.clone()),
            recall,
        }
    }

    /// Waiting counts of the services that issue tickets today.
    fn services(&self) -> Vec<&ServiceStatus> {
        self.snapshot
            .as_ref()
            .map(|s| s.services.iter().collect())
            .unwrap_or_default()
    }

    /// What the screen shows at `now` (monotonic) and `local` (wall clock, for the clock and slide dates).
    pub fn view(&mut self, now: Duration, local: NaiveDateTime) -> HallView {
        let (calling, highlighted) = match self.board.state(now) {
            BoardState::Calling {
                call, highlighted, ..
            } => (
                Some(self.call_view(&call.ticket, call.window, call.recall)),
                highlighted,
            ),
            BoardState::Idle { .. } => (None, false),
        };
        let (slide, video) = match self.programme.tick(now, local) {
            Showing::Slide(i) => (
                self.programme
                    .slide(i)
                    .map_or_else(|| self.welcome.clone(), slide_view),
                None,
            ),
            Showing::Video(i) => (
                self.welcome.clone(),
                self.programme.video(i).map(|v| VideoView {
                    id: v.item.id.clone(),
                    title: v.item.title.zh.clone(),
                    title_en: v.item.title.en_or_zh().to_owned(),
                    file: v.file.clone(),
                    subtitles: v.subtitles.clone(),
                    poster: v.poster.clone(),
                    sample: v.item.sample,
                }),
            ),
            Showing::Welcome => (self.welcome.clone(), None),
        };
        HallView {
            calling,
            highlighted,
            recent: self.recent.iter().cloned().collect(),
            services: self
                .services()
                .into_iter()
                .map(|s| ServiceView {
                    name: s.name.clone(),
                    name_en: s.name_en.clone(),
                    prefix: s.prefix.clone(),
                    waiting: s.waiting,
                })
                .collect(),
            slide,
            video,
            connected: self.connected,
            clock: clock_text(local),
        }
    }

    /// The LED panel's idle scene: `notices`, the time and the waiting counts.
    pub fn idle_scene(
        &self,
        notices: &[String],
        local: NaiveDateTime,
        clock: bool,
        waiting: bool,
    ) -> IdleScene {
        IdleScene {
            notices: notices.to_vec(),
            clock: clock.then(|| short_clock_text(local)),
            waiting: if waiting {
                self.services()
                    .into_iter()
                    .map(|s| WaitingCount {
                        label: s.name.clone(),
                        waiting: s.waiting,
                    })
                    .collect()
            } else {
                Vec::new()
            },
        }
    }
}

fn slide_view(s: &SlideConfig) -> SlideView {
    SlideView {
        title: s.title.clone(),
        title_en: s.title_en.clone(),
        body: s.body.clone(),
        body_en: s.body_en.clone(),
    }
}

fn weekday(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "星期一",
        Weekday::Tue => "星期二",
        Weekday::Wed => "星期三",
        Weekday::Thu => "星期四",
        Weekday::Fri => "星期五",
        Weekday::Sat => "星期六",
        Weekday::Sun => "星期日",
    }
}

/// `2026年1月5日 星期一 09:30`.
pub fn clock_text(local: NaiveDateTime) -> String {
    format!(
        "{}年{}月{}日 {} {}",
        local.year(),
        local.month(),
        local.day(),
        weekday(local.weekday()),
        local.format("%H:%M")
    )
}

/// `1月5日 星期一 09:30` (for the LED panel).
pub fn short_clock_text(local: NaiveDateTime) -> String {
    format!(
        "{}月{}日 {} {}",
        local.month(),
        local.day(),
        weekday(local.weekday()),
        local.format("%H:%M")
    )
}
