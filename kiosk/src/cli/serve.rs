//! `kiosk serve`: the queue host and LAN service, headless.

use std::{
    io::Write,
    net::SocketAddr,
    path::{Path, PathBuf},
    sync::Arc,
    time::Duration,
};

use anyhow::{Context, bail};
use futures_util::StreamExt;

use crate::{
    config::LanConfig,
    health::{self, SecurityCounters},
    lan::{DATABASE_FILE, DEMO_DEVICE_TOKEN, LanService, hash_pin},
};
use queue::{
    DeviceAlerts, EventAudience, EventPayload, QueueConfig, QueueEngine, SystemClock,
    event_stream_for,
};

/// Arguments of `kiosk serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Kiosk configuration file (TOML); without it the demo configuration is used.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Directory for the queue database (default: `[storage] data_dir`, else `$KIOSK_DATA_DIR`, else the
    /// per-user data directory).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Address to listen on.
    #[arg(long)]
    pub listen: Option<SocketAddr>,
    /// Print the argon2 hash of a window PIN (at least 6 digits, not a common one) for
    /// `[[lan.staff]] pin_hash` and exit. The PIN is read from the terminal without echo, or from
    /// the first line of standard input when it is not a terminal; never from the command line.
    #[arg(long)]
    pub hash_pin: bool,
}

/// Runs the queue host and LAN service until interrupted (Ctrl-C or SIGTERM).
///
/// Prints `listening on http://ADDR` on standard output once the socket is bound.
pub fn run_serve(args: ServeArgs) -> anyhow::Result<()> {
    if args.hash_pin {
        let pin = super::pin_prompt::read_pin("window PIN / 窗口密码")?;
        println!("{}", hash_pin(&pin).context("hashing the PIN")?);
        return Ok(());
    }
    let config = super::load_config(args.config.as_deref())?;
    let demo = args.config.is_none();
    if demo {
        eprintln!(
            "warning: no --config given: using the DEMO configuration (windows 1, 2, 3 with \
                 PINs 1111, 2222, 3333; device token {DEMO_DEVICE_TOKEN:?}). Never use it on a \
                 real site."
        );
    }
    let (queue_config, lan_config) = super::queue_config(&config, !demo)?;
    // `--data-dir` wins over `[storage] data_dir`, which wins over the default.
    let data_dir = match &args.data_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("creating the data directory {}", dir.display()))?;
            dir.clone()
        }
        None => super::data_dir(&config)?,
    };
    let listen = args.listen.unwrap_or(lan_config.listen);

    let runtime = super::runtime("queue-host")?;
    runtime.block_on(serve(queue_config, lan_config, demo, &data_dir, listen))
}

async fn serve(
    queue_config: QueueConfig,
    lan_config: LanConfig,
    demo: bool,
    data_dir: &Path,
    listen: SocketAddr,
) -> anyhow::Result<()> {
    let status_base = lan_config.public_url.clone().unwrap_or_default();
    let device = lan_config.device_name.clone();
    let db = data_dir.join(DATABASE_FILE);
    let engine = {
        let path = db.clone();
        tokio::task::spawn_blocking(move || {
            QueueEngine::open(&path, queue_config, Arc::new(SystemClock), &status_base)
        })
        .await?
        .with_context(|| format!("opening the queue database {}", db.display()))?
    };
    let engine = Arc::new(engine);
    let allow_demo = lan_config.allow_demo_credentials;
    // A headless host has no printer, reader, panel or board of its own: its health is the process,
    // the data directory and its disk.
    let restarts = health::record_start(data_dir).unwrap_or(0);
    let health = health::HealthSources::new(&device, data_dir).with_restarts(restarts);
    if lan_config.allow_demo_credentials && !demo {
        eprintln!(
            "warning: [lan] allow_demo_credentials = true: demo or common PINs and the demo device \
             token are accepted. Never on a real site."
        );
    }
    let counters = Arc::new(SecurityCounters::default());
    let health = health.with_security(Arc::clone(&counters));
    let service = LanService::with_counters(Arc::clone(&engine), lan_config, counters)
        .context("[lan]")?
        .with_routes(health::routes(health, None));
    if !demo && !allow_demo {
        let s = service.clone();
        let uses_demo = tokio::task::spawn_blocking(move || s.uses_demo_credentials()).await?;
        if uses_demo {
            bail!(
                "the configuration uses demo or common PINs or the demo device token; set real ones \
                 (or [lan] allow_demo_credentials = true on a test bench)"
            );
        }
    }
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let local = listener.local_addr()?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on {}://{local}", service.scheme())?;
        out.flush()?;
    }
    tracing::info!(
        "queue database {}, staff page {}://{local}/staff",
        db.display(),
        service.scheme()
    );

    // The simulated ticket printer of this headless host: reports a healthy printer and
    // answers reprint requests addressed to this device in the log.
    {
        let engine = Arc::clone(&engine);
        let device = device.clone();
        tokio::task::spawn_blocking(move || {
            engine.set_device_alerts(&device, DeviceAlerts::default())
        })
        .await??;
    }
    let mut events = event_stream_for(
        Arc::clone(&engine),
        EventAudience::Device(device.clone()),
        None,
    )
    .await?;
    tokio::spawn(async move {
        while let Some(Ok(event)) = events.next().await {
            if let EventPayload::ReprintRequested {
                number, device: d, ..
            } = &event.payload
                && *d == device
            {
                tracing::info!("simulated printer: reprinting ticket {number}");
            }
        }
    });
    // The daily reset goes out even when nobody takes a ticket.
    {
        let engine = Arc::clone(&engine);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(30));
            loop {
                every.tick().await;
                let e = Arc::clone(&engine);
                if let Ok(Err(err)) = tokio::task::spawn_blocking(move || e.tick()).await {
                    tracing::warn!("daily reset check failed: {err}");
                }
            }
        });
    }
    service.serve(listener, shutdown_signal()).await?;
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
