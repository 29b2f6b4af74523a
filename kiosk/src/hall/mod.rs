//! The hall display: a full-screen page for the large screen in the waiting area, following the queue host.
//!
//! - [`Follower`] and [`HallModel`] (from the `displays` crate): the queue host's events and what the
//!   screen shows, a pure function of what the host said and the time;
//! - [`HallScreen`]: the Slint `HallWindow`;
//! - [`VideoPlayer`] (from `crate::video`): the publicity videos, played by GStreamer into the screen;
//! - [`HallDisplay`]: ties them together with the LED panel and the spoken calls; a video's sound
//!   ducks under a spoken call and is muted in the voice's quiet hours.
//!
//! See `displays/README.md`.

mod screen;
pub mod screens;

use std::{
    sync::mpsc::{Receiver, TryRecvError},
    time::Duration,
};

use chrono::{NaiveDate, NaiveDateTime};

pub use crate::video::{ShownFrame, VideoOutcome, VideoPlayer};
pub use displays::hall::{
    CallView, DisplaysConfig, Follower, HallConfig, HallModel, HallView, HostMsg, ServiceView,
    SlideConfig, SlideView, VideoConfig, VideoDecoding, VideoEntry, VideoView, clock_text,
    publicity, short_clock_text,
};
pub use health_facts::MediaFacts;
pub use screen::HallScreen;

use displays::led::{LedConfig, PanelInput, PanelThread};

use displays::voice::{VoiceConfig, VoiceThread};

use content::{ContentStore, SiteTier};

/// How often the LED panel's idle scene (clock, counts) is refreshed.
const IDLE_REFRESH: Duration = Duration::from_secs(1);

/// The hall screen with its LED panel and voice: takes in what the host says, shows it.
pub struct HallDisplay {
    model: HallModel,
    screen: HallScreen,
    led: Option<PanelThread>,
    voice: Option<VoiceThread>,
    video: Option<VideoPlayer>,
    video_config: VideoConfig,
    voice_config: VoiceConfig,
    led_config: LedConfig,
    idle_pushed: Option<Duration>,
    content: Option<(ContentStore, SiteTier, String)>,
    /// The content version and day the publicity was taken for.
    content_key: Option<(Option<u64>, NaiveDate)>,
    content_notices: Vec<String>,
}

impl std::fmt::Debug for HallDisplay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HallDisplay")
            .field("model", &self.model)
            .finish_non_exhaustive()
    }
}

/// The welcome slide shown when no publicity slide is valid.
pub fn welcome_slide(centre_name: &str, centre_name_en: &str) -> SlideView {
    SlideView {
        title: centre_name.to_owned(),
        title_en: centre_name_en.to_owned(),
        body: "法律服务热线 12348 · 取号后请留意叫号".to_owned(),
        body_en: "Legal service hotline 12348 · Please take a ticket and watch for your number"
            .to_owned(),
    }
}

impl HallDisplay {
    /// A display on `screen`, optionally driving an LED panel and speaking calls; `now` is the time since
    /// any fixed origin.
    pub fn new(
        screen: HallScreen,
        config: &DisplaysConfig,
        welcome: SlideView,
        led: Option<PanelThread>,
        voice: Option<VoiceThread>,
        now: Duration,
    ) -> Self {
        Self {
            model: HallModel::new(&config.hall, welcome, now),
            screen,
            led,
            voice,
            video: None,
            video_config: config.hall.video.clone(),
            voice_config: config.voice.clone(),
            led_config: config.led.clone(),
            idle_pushed: None,
            content: None,
            content_key: None,
            content_notices: Vec::new(),
        }
    }

    /// Shows the publicity of a content store (slides, notices and videos between calls, ticker lines on
    /// the LED panel) for site `site` of `tier`, following each new bundle and each new day.
    pub fn follow_content(&mut self, store: ContentStore, tier: SiteTier, site: &str) {
        self.content = Some((store, tier, site.to_owned()));
        self.content_key = None;
    }

    /// Plays the content's videos with `video` (none: slides only).
    pub fn play_videos(&mut self, video: VideoPlayer) {
        self.video = Some(video);
        self.content_key = None;
    }

    /// The video player, if videos play.
    pub fn video(&self) -> Option<&VideoPlayer> {
        self.video.as_ref()
    }

    /// The model (for what it skipped).
    pub fn model(&self) -> &HallModel {
        &self.model
    }

    fn refresh_content(&mut self, local: NaiveDateTime) {
        let Some((store, tier, site)) = &self.content else {
            return;
        };
        let content = store.current();
        let key = (content.info.as_ref().map(|i| i.version), local.date());
        if self.content_key == Some(key) {
            return;
        }
        self.model.set_content_slides(
            publicity::slides(&content, *tier)
                .into_iter()
                .chain(publicity::notice_slides(&content))
                .collect(),
        );
        let videos = if self.video.is_some() && self.video_config.enabled {
            publicity::videos(&content, *tier, site)
        } else {
            Vec::new()
        };
        self.model.set_videos(videos);
        self.content_notices = publicity::tickers(&content, *tier, local.date());
        self.content_key = Some(key);
        self.idle_pushed = None;
    }

    /// The screen.
    pub fn screen(&self) -> &HallScreen {
        &self.screen
    }

    /// Takes in one message from the host at `now` (local wall time `local`).
    pub fn handle(&mut self, msg: HostMsg, now: Duration, local: NaiveDateTime) {
        let refresh_idle = matches!(msg, HostMsg::Snapshot(_));
        if let Some(call) = self.model.handle(msg, now) {
            if let Some(led) = &self.led {
                led.send(PanelInput::Announce(call.clone()));
            }
            if let Some(voice) = &self.voice {
                voice.say(call, local);
            }
        }
        if refresh_idle {
            self.idle_pushed = None;
        }
    }

    /// Takes in every message waiting in `rx`; returns how many there were, or `None` when the follower
    /// has stopped.
    pub fn drain(
        &mut self,
        rx: &Receiver<HostMsg>,
        now: Duration,
        local: NaiveDateTime,
    ) -> Option<usize> {
        let mut n = 0;
        loop {
            match rx.try_recv() {
                Ok(msg) => {
                    self.handle(msg, now, local);
                    n += 1;
                }
                Err(TryRecvError::Empty) => return Some(n),
                Err(TryRecvError::Disconnected) => return None,
            }
        }
    }

    /// Puts the newest video frame on screen, if one came, and returns it without its pixels (its time
    /// and subtitle). Called by a fast timer (the frame pump) between the refreshes.
    pub fn pump_video(&mut self) -> Option<(Option<Duration>, String)> {
        let frame = self.video.as_mut().and_then(VideoPlayer::take_frame)?;
        let shown = (frame.pts, frame.subtitle.clone());
        self.screen.show_frame(frame);
        Some(shown)
    }

    /// Plays `videos` (each with its files on disk) between the slides instead of the content's: for a
    /// display that follows no content store, and for tests.
    pub fn set_videos(&mut self, videos: Vec<VideoEntry>) {
        self.model.set_videos(videos);
    }

    /// Redraws the screen for `now` and keeps the LED panel's idle scene current.
    pub fn refresh(&mut self, now: Duration, local: NaiveDateTime) -> HallView {
        self.refresh_content(local);
        let mut view = self.model.view(now, local);
        if let Some(video) = &mut self.video {
            match video.sync(view.video.as_ref()) {
                Some(VideoOutcome::Ended { id }) => {
                    self.model.video_ended(&id, now, local);
                    view = self.model.view(now, local);
                    video.sync(view.video.as_ref());
                }
                Some(VideoOutcome::Failed { id, .. }) => {
                    self.model.video_failed(&id, now, local);
                    view = self.model.view(now, local);
                    video.sync(view.video.as_ref());
                }
                None => {}
            }
            let c = &self.video_config;
            let level = if self.voice_config.is_quiet(local.time()) {
                0.0
            } else if self.voice.as_ref().is_some_and(VoiceThread::speaking) {
                f64::from(c.volume) * f64::from(c.duck_percent) / 10_000.0
            } else {
                f64::from(c.volume) / 100.0
            };
            video.set_volume(level);
            video.set_skipping(self.model.failed_videos().len());
        }
        let flash_on = (now.as_millis() / 500).is_multiple_of(2);
        self.screen.apply(&view, flash_on);
        if let Some(led) = &self.led
            && self.idle_pushed.is_none_or(|at| now >= at + IDLE_REFRESH)
        {
            let c = &self.led_config;
            let notices: Vec<String> = c
                .notices
                .iter()
                .chain(&self.content_notices)
                .cloned()
                .collect();
            led.send(PanelInput::Idle(self.model.idle_scene(
                &notices,
                local,
                c.show_clock,
                c.show_waiting,
            )));
            self.idle_pushed = Some(now);
        }
        view
    }
}
