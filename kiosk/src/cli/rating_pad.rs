//! `kiosk --role rating-pad --window N`: the window's rating pad, following the queue host over
//! the LAN like a remote kiosk (`[ui] queue_host_url`, `queue_device_token`, `queue_host_ca_file`).
//!
//! Without a configuration file it looks for the demo queue host that `kiosk` and `kiosk serve`
//! run on a laptop (`http://127.0.0.1:8080`, the demo pad token of its window), and says 未连接
//! until one answers.

use std::{cell::RefCell, path::Path, rc::Rc, sync::Arc, time::Duration};

use anyhow::Context as _;
use slint::ComponentHandle as _;

use crate::{
    lan,
    rating_pad::{
        RatingPad,
        link::{FromHost, follow_host, send_rating},
        model::PadTimings,
    },
};
use queue::HttpQueueClient;

/// The demo queue host a pad without a configuration file looks for.
pub const DEMO_QUEUE_HOST: &str = "http://127.0.0.1:8080";

/// Runs the rating pad of `window` until its window is closed.
pub fn run_rating_pad(config_path: Option<&Path>, window: u32) -> anyhow::Result<()> {
    let config = super::load_config(config_path)?;
    let (url, token) = match (&config.ui.queue_host_url, config_path) {
        (Some(url), _) => (
            url.clone(),
            config.ui.queue_device_token.clone().unwrap_or_default(),
        ),
        (None, None) => {
            tracing::info!(
                "no --config: following the demo queue host at {DEMO_QUEUE_HOST} (run `kiosk` or `kiosk serve` beside it)"
            );
            (DEMO_QUEUE_HOST.to_owned(), lan::demo_pad_token(window))
        }
        (None, Some(_)) => anyhow::bail!(
            "a rating pad needs [ui] queue_host_url and queue_device_token (a [[lan.devices]] entry with window = {window} on the queue host)"
        ),
    };
    if let Some(queue) = &config.queue
        && queue.window(window).is_none()
    {
        anyhow::bail!("--window {window} is not a window of [queue]");
    }
    let mut client = HttpQueueClient::new(&url, token, None).context("[ui] queue_host_url")?;
    if let Some(path) = &config.ui.queue_host_ca_file {
        let pem = std::fs::read(path)
            .with_context(|| format!("[ui] queue_host_ca_file {}", path.display()))?;
        client = client
            .with_trusted_pem(&pem)
            .context("[ui] queue_host_ca_file")?;
    }
    let client = Arc::new(client);

    let timings = PadTimings {
        prompt_timeout: Duration::from_secs(u64::from(config.rating_pad.prompt_timeout_secs)),
        thanks: Duration::from_secs(u64::from(config.rating_pad.thanks_secs)),
    };
    let pad = RatingPad::new(window, timings).context("opening the rating pad's window")?;
    pad.set_elderly(config.rating_pad.elderly_mode);
    let slint_window = pad.window().clone_strong();
    if config.ui.fullscreen {
        slint_window.window().set_fullscreen(true);
    } else {
        slint_window
            .window()
            .set_size(slint::LogicalSize::new(1024.0, 600.0));
    }
    let pad = Rc::new(RefCell::new(pad));
    let clocks = clock::Clocks::system();
    let runtime = super::runtime("pad-io")?;
    let (tx, rx) = std::sync::mpsc::channel::<FromHost>();
    runtime.spawn(follow_host(Arc::clone(&client), tx.clone()));
    tracing::info!("rating pad of window {window} following the queue host at {url}");

    RatingPad::wire_touches(&pad, Arc::clone(&clocks.mono));
    // One rating on its way at a time; the answer comes back through `rx`.
    let in_flight = Rc::new(std::cell::Cell::new(false));
    let timer = slint::Timer::default();
    {
        let pad = Rc::clone(&pad);
        let clocks = clocks.clone();
        let handle = runtime.handle().clone();
        timer.start(
            slint::TimerMode::Repeated,
            Duration::from_millis(100),
            move || {
                let now = clocks.mono.now();
                let mut pad = pad.borrow_mut();
                while let Ok(message) = rx.try_recv() {
                    if pad.apply(message, now) {
                        in_flight.set(false);
                    }
                }
                pad.tick(now);
                if !in_flight.get()
                    && let Some(submission) = pad.due(now)
                {
                    in_flight.set(true);
                    handle.spawn(send_rating(Arc::clone(&client), submission, tx.clone()));
                }
            },
        );
    }
    slint_window
        .run()
        .context("running the rating pad's window")?;
    drop(timer);
    drop(runtime);
    Ok(())
}
