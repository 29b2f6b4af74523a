//! `kiosk --role hall-display`: the hall screen with its LED panel and voice, following the queue host.

use std::{
    cell::RefCell,
    net::SocketAddr,
    path::Path,
    rc::Rc,
    sync::{Arc, Mutex},
    time::Duration,
};

use anyhow::Context as _;
use slint::ComponentHandle as _;

use crate::{
    config::{KioskConfig, LanConfig, SiteKind},
    hall::{
        Follower, HallDisplay, HallScreen, MediaFacts, VideoConfig, VideoDecoding, VideoPlayer,
        welcome_slide,
    },
    health::{self, HealthSources, QueueReach},
};
use content::{ContentStore, Outbox, SiteTier};
use displays::{
    led::{LedPanel, PanelThread, open_sink},
    voice::VoiceThread,
};

/// Starts the panel of `[displays.led]` on its own thread (none when `driver = "none"`).
pub fn start_led_panel(
    config: &KioskConfig,
    sim_dir: &Path,
) -> anyhow::Result<Option<PanelThread>> {
    let led = &config.displays.led;
    if !led.driven_by.hall_drives() {
        return Ok(None);
    }
    let Some((sink, size)) = open_sink(led, sim_dir).context("opening the LED panel")? else {
        return Ok(None);
    };
    let panel = LedPanel::new(sink, size, led, Duration::ZERO);
    Ok(Some(
        PanelThread::spawn(panel, led.fps).context("starting the LED panel thread")?,
    ))
}

/// What keeps the hall display's health reported while it runs.
struct HallHealth {
    _heartbeats: Option<health::HeartbeatTask>,
    _outbox: tokio::task::JoinHandle<()>,
}

/// The hall display's `/healthz` and `/metrics` on `[displays.hall] health_listen`, and its heartbeats
/// to the centre as `DEVICE-hall` (the queue host's reach, the content, the videos' figures).
fn start_health(
    config: &KioskConfig,
    data_dir: &Path,
    clocks: &clock::Clocks,
    store: ContentStore,
    media: Option<Arc<Mutex<MediaFacts>>>,
    runtime: &tokio::runtime::Handle,
) -> anyhow::Result<HallHealth> {
    let device = format!(
        "{}-hall",
        config.lan.as_ref().map_or_else(
            || LanConfig::default().device_name,
            |l| l.device_name.clone()
        )
    );
    let restarts = health::record_start(data_dir).unwrap_or(0);
    let outbox = Outbox::open_with_clock(
        data_dir,
        &config.content,
        &config.site.name,
        Arc::clone(&clocks.wall),
    )
    .context("cannot open the outbox")?;
    let probe = {
        let _guard = runtime.enter();
        health::spawn_queue_probe(
            runtime,
            &config.displays.queue_host,
            Duration::from_secs(30),
        )
    };
    let mut sources = HealthSources::new(&device, data_dir)
        .with_clocks(clocks.clone())
        .with_restarts(restarts)
        .with_queue(QueueReach::Remote(probe))
        .with_content(store)
        .with_outbox(outbox.clone());
    if let Some(media) = media {
        sources = sources.with_media(media);
    }
    let listen = &config.displays.hall.health_listen;
    if !listen.is_empty() {
        let addr: SocketAddr = listen
            .parse()
            .with_context(|| format!("displays.hall.health_listen `{listen}`"))?;
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind(addr))
            .with_context(|| format!("cannot listen on {addr} for /healthz and /metrics"))?;
        let app = health::routes(sources.clone(), None)
            .into_make_service_with_connect_info::<SocketAddr>();
        runtime.spawn(async move {
            if let Err(err) = axum::serve(listener, app).await {
                tracing::warn!("hall health service stopped: {err}");
            }
        });
        tracing::info!("hall display health on http://{addr}/healthz and /metrics");
    }
    let every = config.content.heartbeat_secs;
    let heartbeats = (every > 0).then(|| {
        health::spawn_heartbeats(runtime, sources, outbox.clone(), Duration::from_secs(every))
    });
    Ok(HallHealth {
        _heartbeats: heartbeats,
        _outbox: outbox.spawn(runtime),
    })
}

/// GStreamer and the hall's video player for `[displays.hall.video]`.
pub fn start_video(config: &VideoConfig) -> anyhow::Result<VideoPlayer> {
    media::init().context("starting GStreamer")?;
    if config.decoding == VideoDecoding::Software {
        let out = media::apply_decoding(media::Decoding::Software);
        tracing::info!("videos decoded in software; hardware decoders not used: {out:?}");
    }
    tracing::info!("publicity videos through {}", media::gstreamer_version());
    let watchdog = Duration::from_secs(config.watchdog_secs);
    Ok(VideoPlayer::new(media::PlayOptions {
        realtime: true,
        audio: media::Audio::Speakers,
        volume: f64::from(config.volume) / 100.0,
        first_frame_within: watchdog,
        stall_after: watchdog,
        fit: Some((1920, 1080)),
    }))
}

/// Runs the hall display until its window is closed.
pub fn run_hall_display(config: Option<&Path>) -> anyhow::Result<()> {
    let config = super::load_config(config)?;
    let data_dir = super::data_dir(&config)?;
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
    let (follower, rx) = Follower::spawn_configured(displays)?;
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
    // The runner's two clocks: calls and slides are timed by the monotonic one, the screen's clock
    // and the day by the wall clock.
    let clocks = clock::Clocks::system();
    let welcome = welcome_slide(&config.site.name, &config.site.name_en);
    let display = Rc::new(RefCell::new(HallDisplay::new(
        screen,
        displays,
        welcome,
        led,
        voice,
        clocks.mono.now(),
    )));
    // Publicity from the content bundle (the bundled content until the centre's first sync), kept
    // current by the same sync task a kiosk runs.
    let runtime = super::runtime("hall-io")?;
    let content_config = config.content.clone();
    let store =
        ContentStore::open(&data_dir, &content_config).context("cannot open the content store")?;
    let _sync = store.spawn_sync(runtime.handle(), None);
    let tier = match config.site.kind {
        SiteKind::Centre => SiteTier::Centre,
        SiteKind::Station => SiteTier::Station,
        SiteKind::Room => SiteTier::Room,
    };
    display
        .borrow_mut()
        .follow_content(store.clone(), tier, &config.site.id);
    let mut media = None;
    if displays.hall.video.enabled {
        match start_video(&displays.hall.video) {
            Ok(video) => {
                media = Some(video.figures());
                display.borrow_mut().play_videos(video);
            }
            Err(err) => tracing::warn!("publicity videos off: {err:#}"),
        }
    }
    let _health = start_health(&config, &data_dir, &clocks, store, media, runtime.handle())?;
    let window = display.borrow().screen().window().clone_strong();
    let timer = slint::Timer::default();
    {
        let display = Rc::clone(&display);
        let clocks = clocks.clone();
        timer.start(
            slint::TimerMode::Repeated,
            Duration::from_millis(100),
            move || {
                let local = clocks
                    .wall
                    .now()
                    .with_timezone(&chrono::Local)
                    .naive_local();
                let mut d = display.borrow_mut();
                if d.drain(&rx, clocks.mono.now(), local).is_none() {
                    tracing::warn!("the queue follower stopped");
                }
                d.refresh(clocks.mono.now(), local);
            },
        );
    }
    // The frame pump: the newest decoded frame goes on screen at up to 100 Hz (a slow screen drops
    // frames rather than queueing them).
    let pump = slint::Timer::default();
    {
        let display = Rc::clone(&display);
        pump.start(
            slint::TimerMode::Repeated,
            Duration::from_millis(10),
            move || {
                display.borrow_mut().pump_video();
            },
        );
    }
    display.borrow_mut().refresh(
        clocks.mono.now(),
        clocks
            .wall
            .now()
            .with_timezone(&chrono::Local)
            .naive_local(),
    );
    window.run().context("running the hall window")?;
    drop(pump);
    drop(timer);
    drop(follower);
    Ok(())
}
