//! `kiosk led …`: technician commands for the LED panel.

use std::{
    path::{Path, PathBuf},
    sync::mpsc::RecvTimeoutError,
    time::Duration,
};

use anyhow::{Context as _, bail};

use slint::ComponentHandle as _;

use crate::{
    cli::hall::start_led_panel,
    config::parse_size_any,
    hall::{Follower, HallModel, short_clock_text, welcome_slide},
    ui::led_window::{WINDOW_SCALE, WindowSink},
};
use displays::led::PanelInput;
use displays::led::{
    GifSink, IdleScene, LedColour, LedConfig, LedPanel, LedSink, MonoFrame, PanelThread, RgbFrame,
    Scene, Style, WaitingCount, draw, open_sink, test_pattern, write_png, write_rgb_png,
};
use displays::voice::VoiceThread;

/// LED panel subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum LedCommand {
    /// Render a scene to PNG, e.g. `kiosk led render --scene call --ticket A012 --window 3 --size 160x16 --png OUT.png`.
    Render(Box<RenderArgs>),
    /// Drive the configured LED panel (and the voice) from the queue host's events, without a screen.
    Follow(FollowArgs),
}

/// Arguments of `kiosk led render`.
#[derive(Debug, clap::Args)]
pub struct RenderArgs {
    /// `call`, `idle`, `message` or `test` (a border and a diagonal, to check module wiring).
    #[arg(long, default_value = "call")]
    pub scene: String,
    /// Ticket number for a call scene.
    #[arg(long, default_value = "A012")]
    pub ticket: String,
    /// Window number for a call scene.
    #[arg(long, default_value_t = 1)]
    pub window: u32,
    /// Panel size in LEDs, WIDTHxHEIGHT.
    #[arg(long, default_value = "160x16")]
    pub size: String,
    /// Output PNG (one frame, at `--at-ms`).
    #[arg(long)]
    pub png: Option<PathBuf>,
    /// Output animated GIF (`--seconds` long from `--at-ms`, at `--fps`).
    #[arg(long)]
    pub gif: Option<PathBuf>,
    /// Time since the scene started, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub at_ms: u64,
    /// Length of the GIF in seconds.
    #[arg(long, default_value_t = 6.0)]
    pub seconds: f64,
    /// Frames per second of the GIF.
    #[arg(long, default_value_t = 20)]
    pub fps: u32,
    /// Marquee speed in LEDs per second.
    #[arg(long, default_value_t = 24)]
    pub speed: u32,
    /// Seconds a call flashes (0: never).
    #[arg(long, default_value_t = 0)]
    pub highlight_secs: u64,
    /// `mono` (single-colour panel) or `rgb`.
    #[arg(long, default_value = "mono")]
    pub colour: String,
    /// Text of a message scene; notices of an idle scene (repeat the option for several).
    #[arg(long)]
    pub text: Vec<String>,
    /// Clock text of an idle scene.
    #[arg(long, default_value = "1月5日 星期一 09:30")]
    pub clock: String,
    /// Waiting counts of an idle scene, `NAME=COUNT` (repeat the option).
    #[arg(long)]
    pub waiting: Vec<String>,
    /// Size of one LED in the picture, in pixels.
    #[arg(long, default_value_t = 6)]
    pub scale: u32,
}

/// Arguments of `kiosk led follow`.
#[derive(Debug, clap::Args)]
pub struct FollowArgs {
    /// The queue host (default: `[displays] queue_host`).
    #[arg(long)]
    pub host: Option<String>,
    /// Do not speak the calls.
    #[arg(long)]
    pub no_voice: bool,
    /// Also show the simulated panel in a development window (the PNG is still written).
    #[arg(long)]
    pub window: bool,
}

/// Runs an LED subcommand; `config` is the `--config` file, if any (`follow` reads the panel, queue host
/// and voice from it).
pub fn run_led_with_config(command: LedCommand, config: Option<&Path>) -> anyhow::Result<()> {
    match command {
        LedCommand::Render(args) => render_cmd(&args),
        LedCommand::Follow(args) => follow_cmd(config, &args),
    }
}

/// The scene `args` describe.
pub fn scene_of(args: &RenderArgs) -> anyhow::Result<Option<Scene>> {
    Ok(Some(match args.scene.as_str() {
        "call" => Scene::Call {
            ticket: args.ticket.clone(),
            window: args.window,
        },
        "message" => Scene::Message(args.text.join("　")),
        "idle" => {
            let mut waiting = Vec::new();
            for w in &args.waiting {
                let (label, count) = w
                    .split_once('=')
                    .with_context(|| format!("--waiting `{w}` must look like 法律咨询=3"))?;
                let waiting_count = count
                    .trim()
                    .parse()
                    .with_context(|| format!("--waiting `{w}`: the count is not a number"))?;
                waiting.push(WaitingCount {
                    label: label.trim().to_owned(),
                    waiting: waiting_count,
                });
            }
            let notices = if args.text.is_empty() {
                LedConfig::default().notices
            } else {
                args.text.clone()
            };
            Scene::Idle(IdleScene {
                notices,
                clock: Some(args.clock.clone()).filter(|c| !c.is_empty()),
                waiting,
            })
        }
        "test" => return Ok(None),
        other => bail!("unknown scene `{other}`: call, idle, message or test"),
    }))
}

fn render_cmd(args: &RenderArgs) -> anyhow::Result<()> {
    let (w, h) = parse_size_any(&args.size)
        .with_context(|| format!("--size `{}` must look like 160x16", args.size))?;
    let colour = match args.colour.as_str() {
        "mono" => LedColour::Mono,
        "rgb" => LedColour::Rgb,
        other => bail!("--colour `{other}`: mono or rgb"),
    };
    if args.png.is_none() && args.gif.is_none() {
        bail!("give --png OUT.png and/or --gif OUT.gif");
    }
    let scene = scene_of(args)?;
    let highlight = Duration::from_secs(args.highlight_secs);
    let mono = |at: Duration, frame: &mut MonoFrame| match &scene {
        Some(scene) => draw(scene, at, &Style::mono(args.speed, highlight), frame),
        None => test_pattern(frame),
    };
    let start = Duration::from_millis(args.at_ms);
    if let Some(png) = &args.png {
        match (colour, &scene) {
            (LedColour::Rgb, Some(scene)) => {
                let mut frame = RgbFrame::new(w, h);
                draw(scene, start, &Style::rgb(args.speed, highlight), &mut frame);
                write_rgb_png(&frame, args.scale, png)?;
            }
            _ => {
                let mut frame = MonoFrame::new(w, h);
                mono(start, &mut frame);
                write_png(&frame, args.scale, png)?;
            }
        }
        println!("{}", png.display());
    }
    if let Some(gif) = &args.gif {
        let fps = args.fps.clamp(1, 50);
        let step = Duration::from_secs(1) / fps;
        let frames = (args.seconds.clamp(0.1, 120.0) * f64::from(fps)).round() as u32;
        let mut sink = GifSink::new(gif, args.scale, step);
        let mut frame = MonoFrame::new(w, h);
        for i in 0..frames.max(1) {
            mono(start + step * i, &mut frame);
            sink.show(&frame)?;
        }
        println!("{}", sink.finish()?.display());
    }
    Ok(())
}

/// `kiosk led follow`: the configured panel and voice, following the queue host.
pub fn follow_cmd(config: Option<&Path>, args: &FollowArgs) -> anyhow::Result<()> {
    let mut config = super::load_config(config)?;
    if let Some(host) = &args.host {
        config.displays.queue_host.clone_from(host);
    }
    config
        .displays
        .validate()
        .map_err(|(key, reason)| anyhow::anyhow!("`{key}` {reason}"))?;
    let data_dir = super::data_dir(&config)?;
    let sim_dir = data_dir.join("sim/led");
    let voice = if config.displays.voice.enabled && !args.no_voice {
        Some(VoiceThread::start(
            &config.displays.voice,
            &data_dir.join("sim/voice"),
        )?)
    } else {
        None
    };
    if !args.window {
        let led = start_led_panel(&config, &sim_dir)?
            .context("no LED panel configured ([devices.led_panel] kind = \"none\")")?;
        return follow_loop(&config, &led, voice.as_ref());
    }
    // The window owns the main thread (the UI event loop); the panel follows from another.
    let window = crate::ui::LedWindow::new().context("opening the LED window")?;
    let Some((inner, size)) =
        open_sink(&config.displays.led, &sim_dir).context("opening the LED panel")?
    else {
        bail!("no LED panel configured ([displays.led] driver = \"none\")");
    };
    let scale = WINDOW_SCALE as f32;
    window.window().set_size(slint::LogicalSize::new(
        size.0 as f32 * scale,
        size.1 as f32 * scale,
    ));
    let sink = WindowSink::new(&window, Some(inner));
    let panel = LedPanel::new(Box::new(sink), size, &config.displays.led, Duration::ZERO);
    let led = PanelThread::spawn(panel, config.displays.led.fps)
        .context("starting the LED panel thread")?;
    let follower = std::thread::Builder::new()
        .name("led-follow".into())
        .spawn(move || {
            if let Err(err) = follow_loop(&config, &led, voice.as_ref()) {
                tracing::error!("LED panel: {err:#}");
            }
            let _ = slint::quit_event_loop();
        })
        .context("starting the follower")?;
    window.run().context("running the LED window")?;
    drop(follower);
    Ok(())
}

/// Follows the queue host and drives the panel (and voice) until the follower stops.
fn follow_loop(
    config: &crate::config::KioskConfig,
    led: &PanelThread,
    voice: Option<&VoiceThread>,
) -> anyhow::Result<()> {
    let (_follower, rx) = Follower::spawn_configured(&config.displays)?;
    tracing::info!(
        "LED panel following the queue host at {}",
        config.displays.queue_host
    );
    // The runner's two clocks: calls and slides are timed by the monotonic one, the screen's clock
    // and the day by the wall clock.
    let clocks = clock::Clocks::system();
    let mut model = HallModel::new(
        &config.displays.hall,
        welcome_slide(&config.site.name, &config.site.name_en),
        clocks.mono.now(),
    );
    let c = &config.displays.led;
    loop {
        let local = clocks
            .wall
            .now()
            .with_timezone(&chrono::Local)
            .naive_local();
        match rx.recv_timeout(Duration::from_secs(1)) {
            Ok(msg) => {
                if let Some(call) = model.handle(msg, clocks.mono.now()) {
                    led.send(PanelInput::Announce(call.clone()));
                    if let Some(voice) = voice {
                        voice.say(call, local);
                    }
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => bail!("the queue follower stopped"),
        }
        led.send(PanelInput::Idle(IdleScene {
            clock: c.show_clock.then(|| short_clock_text(local)),
            ..model.idle_scene(&c.notices, local, false, c.show_waiting)
        }));
    }
}
