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

use super::{
    LanConfig, LanService,
    auth::{DEMO_DEVICE_TOKEN, DEMO_PIN_HASHES, device_token_sha256, hash_pin},
    config::{DeviceEntry, StaffEntry},
};
use crate::queue::{
    DeviceAlerts, EventPayload, QueueConfig, QueueEngine, SystemClock, event_stream,
};

/// Arguments of `kiosk serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Kiosk configuration file (TOML); without it the demo configuration is used.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Directory for the queue database (default: `$KIOSK_DATA_DIR`, else the per-user data directory).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Address to listen on.
    #[arg(long)]
    pub listen: Option<SocketAddr>,
    /// Print the argon2 hash of a window PIN for `[[lan.staff]] pin_hash` and exit.
    #[arg(long, value_name = "PIN")]
    pub hash_pin: Option<String>,
}

/// File name of the queue database inside the data directory.
pub const DATABASE_FILE: &str = "queue.sqlite3";

/// Runs the queue host and LAN service until interrupted (Ctrl-C or SIGTERM).
///
/// Prints `listening on http://ADDR` on standard output once the socket is bound.
pub fn run_serve(args: ServeArgs) -> anyhow::Result<()> {
    if let Some(pin) = &args.hash_pin {
        println!("{}", hash_pin(pin).context("hashing the PIN")?);
        return Ok(());
    }
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .try_init();

    let (queue_config, lan_config, demo) = match &args.config {
        Some(path) => {
            let (q, l) = load_config(path)?;
            (q, l, false)
        }
        None => {
            eprintln!(
                "warning: no --config given: using the DEMO configuration (windows 1, 2, 3 with \
                 PINs 1111, 2222, 3333; device token {DEMO_DEVICE_TOKEN:?}). Never use it on a \
                 real site."
            );
            let (q, l) = demo_config()?;
            (q, l, true)
        }
    };

    let data_dir = args
        .data_dir
        .clone()
        .unwrap_or_else(crate::paths::default_data_dir);
    std::fs::create_dir_all(&data_dir)
        .with_context(|| format!("creating the data directory {}", data_dir.display()))?;
    let listen = args.listen.unwrap_or(lan_config.listen);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
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
    let restarts = crate::health::record_start(data_dir).unwrap_or(0);
    let health = crate::health::HealthSources::new(&device, data_dir).with_restarts(restarts);
    let service = LanService::new(Arc::clone(&engine), lan_config)
        .context("[lan]")?
        .with_routes(crate::health::routes(health, None));
    if !demo && !allow_demo {
        let s = service.clone();
        let uses_demo = tokio::task::spawn_blocking(move || s.uses_demo_credentials()).await?;
        if uses_demo {
            bail!(
                "the configuration uses the demo PINs or device token; set real ones \
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
        writeln!(out, "listening on http://{local}")?;
        out.flush()?;
    }
    tracing::info!(
        "queue database {}, staff page http://{local}/staff",
        db.display()
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
    let mut events = event_stream(Arc::clone(&engine), None).await?;
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

/// Reads the `[queue]` and `[lan]` tables of the kiosk's TOML file (other tables are ignored).
pub fn load_config(path: &Path) -> anyhow::Result<(QueueConfig, LanConfig)> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    parse_config(&text).with_context(|| format!("in {}", path.display()))
}

/// Parses the `[queue]` and `[lan]` tables of a kiosk TOML text.
pub fn parse_config(text: &str) -> anyhow::Result<(QueueConfig, LanConfig)> {
    let mut table: toml::Table = toml::from_str(text).context("not valid TOML")?;
    let queue: QueueConfig = match table.remove("queue") {
        Some(v) => v.try_into().context("[queue]")?,
        None => QueueConfig::default(),
    };
    queue.validate().context("[queue]")?;
    let lan: LanConfig = match table.remove("lan") {
        Some(v) => v.try_into().context("[lan]")?,
        None => LanConfig::default(),
    };
    Ok((queue, lan))
}

/// The demo configuration: windows 1-3 with PINs 1111, 2222, 3333 and the demo device token.
pub fn demo_config() -> anyhow::Result<(QueueConfig, LanConfig)> {
    let staff = DEMO_PIN_HASHES
        .iter()
        .map(|(window, hash)| StaffEntry {
            window: *window,
            pin_hash: (*hash).to_owned(),
        })
        .collect();
    let lan = LanConfig {
        staff,
        devices: vec![DeviceEntry {
            name: "demo-kiosk".into(),
            token_sha256: device_token_sha256(DEMO_DEVICE_TOKEN),
        }],
        ..LanConfig::default()
    };
    Ok((QueueConfig::demo(), lan))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_queue_and_lan_tables_are_read() {
        let (q, l) = parse_config(
            "[display]\nwhatever = 1\n[queue]\nreset_time = \"03:00\"\n[lan]\ndevice_name = \"k9\"\n",
        )
        .unwrap();
        assert_eq!(q.reset_time.minutes(), 180);
        assert_eq!(l.device_name, "k9");
        let err = format!("{:#}", parse_config("[lan]\nlisten = 5\n").unwrap_err());
        assert!(err.contains("[lan]"), "{err}");
        let err = format!("{:#}", parse_config("[queue]\nbogus = true\n").unwrap_err());
        assert!(err.contains("bogus"), "{err}");
    }
}
