//! The hall display: a full-screen page for the large screen in the waiting area, following the queue host.
//!
//! - [`Follower`]: the queue host's events over SSE (reconnecting by itself) and its snapshot;
//! - [`HallModel`]: what the screen shows, a pure function of what the host said and the time (the current
//!   call large, the latest calls, waiting counts, publicity slides between calls);
//! - [`HallScreen`]: the Slint `HallWindow`;
//! - [`HallDisplay`]: ties them together with the LED panel and the spoken calls.
//!
//! See `kiosk/DISPLAYS.md`.

mod config;
mod follow;
mod model;
pub mod publicity;
mod screen;

use std::{
    cell::RefCell,
    path::Path,
    rc::Rc,
    sync::mpsc::{Receiver, TryRecvError},
    time::{Duration, Instant},
};

use anyhow::Context as _;
use chrono::{NaiveDate, NaiveDateTime};
use slint::ComponentHandle as _;

pub use config::{DisplaysConfig, HallConfig, SlideConfig};
pub use follow::{Follower, HostMsg};
pub use model::{
    CallView, HallModel, HallView, ServiceView, SlideView, clock_text, short_clock_text,
};
pub use screen::HallScreen;

use crate::{
    config::{KioskConfig, LedPanelConfig, SiteKind, parse_size_any},
    content::{ContentConfig, ContentStore, SiteTier},
    led::{LedConfig, LedPanel, PanelInput, PanelThread, open_sink},
    voice::VoiceThread,
};

/// How often the LED panel's idle scene (clock, counts) is refreshed.
const IDLE_REFRESH: Duration = Duration::from_secs(1);

/// The hall screen with its LED panel and voice: takes in what the host says, shows it.
pub struct HallDisplay {
    model: HallModel,
    screen: HallScreen,
    led: Option<PanelThread>,
    voice: Option<VoiceThread>,
    led_config: LedConfig,
    idle_pushed: Option<Duration>,
    content: Option<(ContentStore, SiteTier)>,
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
            led_config: config.led.clone(),
            idle_pushed: None,
            content: None,
            content_key: None,
            content_notices: Vec::new(),
        }
    }

    /// Shows the publicity of a content store (slides between calls, ticker lines on the LED panel)
    /// for a site of `tier`, following each new bundle and each new day.
    pub fn follow_content(&mut self, store: ContentStore, tier: SiteTier) {
        self.content = Some((store, tier));
        self.content_key = None;
    }

    fn refresh_content(&mut self, local: NaiveDateTime) {
        let Some((store, tier)) = &self.content else {
            return;
        };
        let content = store.current();
        let key = (content.info.as_ref().map(|i| i.version), local.date());
        if self.content_key == Some(key) {
            return;
        }
        self.model
            .set_content_slides(publicity::slides(&content, *tier));
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

    /// Redraws the screen for `now` and keeps the LED panel's idle scene current.
    pub fn refresh(&mut self, now: Duration, local: NaiveDateTime) -> HallView {
        self.refresh_content(local);
        let view = self.model.view(now, local);
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

/// Starts the LED panel configured in `config` (none when `[devices.led_panel] kind = "none"`).
pub fn start_led_panel(
    config: &KioskConfig,
    sim_dir: &Path,
) -> anyhow::Result<Option<PanelThread>> {
    let sim_size = match &config.devices.led_panel {
        LedPanelConfig::None => return Ok(None),
        LedPanelConfig::Sim { size } => parse_size_any(size).unwrap_or((160, 16)),
    };
    let led = &config.displays.led;
    let (sink, size) = open_sink(led, sim_size, sim_dir).context("opening the LED panel")?;
    let panel = LedPanel::new(sink, size, led, Duration::ZERO);
    Ok(Some(
        PanelThread::spawn(panel, led.fps).context("starting the LED panel thread")?,
    ))
}

/// Runs the hall display until its window is closed.
pub fn run_hall_display(config: Option<&Path>) -> anyhow::Result<()> {
    let config = crate::app::load_config(config)?;
    config
        .displays
        .validate()
        .map_err(|(key, reason)| anyhow::anyhow!("`{key}` {reason}"))?;
    let data_dir = crate::app::data_dir(&config)?;
    let displays = &config.displays;

    let screen = HallScreen::new(&config.site.name, &config.site.name_en)
        .context("opening the hall window")?;
    if config.ui.fullscreen {
        screen.window().window().set_fullscreen(true);
    } else {
        screen
            .window()
            .window()
            .set_size(slint::LogicalSize::new(1280.0, 720.0));
    }
    let (follower, rx) = Follower::spawn(&displays.queue_host)?;
    tracing::info!(
        "hall display following the queue host at {}",
        displays.queue_host
    );
    let led = match start_led_panel(&config, &data_dir.join("sim/led")) {
        Ok(led) => led,
        Err(err) => {
            tracing::warn!("LED panel not started: {err:#}");
            None
        }
    };
    let voice = if displays.voice.enabled {
        Some(
            VoiceThread::start(&displays.voice, &data_dir.join("sim/voice"))
                .context("starting the voice")?,
        )
    } else {
        None
    };
    let origin = Instant::now();
    let welcome = welcome_slide(&config.site.name, &config.site.name_en);
    let display = Rc::new(RefCell::new(HallDisplay::new(
        screen,
        displays,
        welcome,
        led,
        voice,
        origin.elapsed(),
    )));
    // Publicity from the content bundle (the bundled content until the centre's first sync), kept
    // current by the same sync task a kiosk runs.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .thread_name("hall-io")
        .build()
        .context("cannot start the async runtime")?;
    let content_config = ContentConfig::from_kiosk(&config).context("[content]")?;
    let store =
        ContentStore::open(&data_dir, &content_config).context("cannot open the content store")?;
    let _sync = store.spawn_sync(runtime.handle(), None);
    let tier = match config.site.kind {
        SiteKind::Centre => SiteTier::Centre,
        SiteKind::Station => SiteTier::Station,
        SiteKind::Room => SiteTier::Room,
    };
    display.borrow_mut().follow_content(store, tier);
    let window = display.borrow().screen().window().clone_strong();
    let timer = slint::Timer::default();
    {
        let display = Rc::clone(&display);
        timer.start(
            slint::TimerMode::Repeated,
            Duration::from_millis(100),
            move || {
                let local = chrono::Local::now().naive_local();
                let mut d = display.borrow_mut();
                if d.drain(&rx, origin.elapsed(), local).is_none() {
                    tracing::warn!("the queue follower stopped");
                }
                d.refresh(origin.elapsed(), local);
            },
        );
    }
    display
        .borrow_mut()
        .refresh(origin.elapsed(), chrono::Local::now().naive_local());
    window.run().context("running the hall window")?;
    drop(timer);
    drop(follower);
    Ok(())
}
