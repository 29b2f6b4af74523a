//! Starting the kiosk: configuration, data directory, devices, the queue and the window.
//!
//! This is the binary's edge, so its functions return `anyhow` errors with context for the operator.

use std::{
    path::{Path, PathBuf},
    sync::Arc,
    time::Duration,
};

use anyhow::Context as _;
use slint::ComponentHandle as _;

use crate::{
    config::{DevicesConfig, KioskConfig},
    content::{ContentConfig, ContentStore, Outbox},
    devices::Devices,
    lan::{self, LanConfig, LanService},
    led::Scene,
    paths,
    queue::{
        HttpQueueClient, LocalQueueClient, QueueClient, QueueConfig, QueueEngine, SystemClock,
    },
    ui::{
        Shell, ShellOptions,
        info::{InfoOptions, InfoPages},
        take_number::{TakeNumberController, TakeNumberDeps, TakeNumberOptions},
    },
};

/// Loads the configuration file, or the defaults when there is none.
pub fn load_config(path: Option<&Path>) -> anyhow::Result<KioskConfig> {
    match path {
        Some(path) => Ok(KioskConfig::load(path)?),
        None => {
            tracing::info!("no --config given: using the built-in defaults (simulated devices)");
            Ok(KioskConfig::default())
        }
    }
}

/// The data directory the configuration names, created if missing.
pub fn data_dir(config: &KioskConfig) -> anyhow::Result<PathBuf> {
    let dir = config
        .storage
        .data_dir
        .clone()
        .unwrap_or_else(paths::default_data_dir);
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create the data directory {}", dir.display()))?;
    Ok(dir)
}

/// The `[queue]` and `[lan]` tables of the configuration; without a configuration file, the demo
/// queue (every service open all day, windows 1-3 with PINs 1111/2222/3333) so that a laptop run
/// can take numbers at any hour.
pub fn queue_config(
    config: &KioskConfig,
    from_file: bool,
) -> anyhow::Result<(QueueConfig, LanConfig)> {
    if !from_file {
        return lan::demo_config();
    }
    let queue: QueueConfig = match &config.queue {
        Some(table) => toml::Value::Table(table.clone())
            .try_into()
            .context("[queue]")?,
        None => QueueConfig::default(),
    };
    queue.validate().context("[queue]")?;
    let lan: LanConfig = match &config.lan {
        Some(table) => toml::Value::Table(table.clone())
            .try_into()
            .context("[lan]")?,
        None => LanConfig::default(),
    };
    Ok((queue, lan))
}

/// The queue this kiosk issues into: its own (it is the queue host, and serves the LAN API), or
/// the host's over the LAN when `[ui] queue_host_url` is set. Needs a tokio runtime.
pub fn connect_queue(
    config: &KioskConfig,
    queue: &QueueConfig,
    lan: &LanConfig,
    data_dir: &Path,
    demo: bool,
) -> anyhow::Result<Arc<dyn QueueClient>> {
    if let Some(url) = &config.ui.queue_host_url {
        let token = config.ui.queue_device_token.clone().unwrap_or_default();
        let client = HttpQueueClient::new(url, token, queue.identity_salt.clone())
            .context("[ui] queue_host_url")?;
        tracing::info!("remote mode: tickets are issued by the queue host at {url}");
        return Ok(Arc::new(client));
    }
    let db = data_dir.join(lan::DATABASE_FILE);
    let status_base = lan.public_url.clone().unwrap_or_default();
    let engine = QueueEngine::open(&db, queue.clone(), Arc::new(SystemClock), &status_base)
        .with_context(|| format!("cannot open the queue database {}", db.display()))?;
    let engine = Arc::new(engine);
    tracing::info!("queue host: database {}", db.display());
    start_lan_service(&engine, lan, demo);
    start_daily_tick(&engine);
    Ok(Arc::new(LocalQueueClient::new(
        engine,
        lan.device_name.clone(),
    )))
}

/// Serves the staff page, phone pages and LAN API on `[lan] listen`. A failure is logged: the
/// kiosk still issues tickets without it.
fn start_lan_service(engine: &Arc<QueueEngine>, lan: &LanConfig, demo: bool) {
    let service = match LanService::new(Arc::clone(engine), lan.clone()) {
        Ok(service) => service,
        Err(err) => {
            tracing::error!("[lan] is unusable, no staff page: {err}");
            return;
        }
    };
    let listen = lan.listen;
    let allow_demo = demo || lan.allow_demo_credentials;
    tokio::spawn(async move {
        let s = service.clone();
        let uses_demo = tokio::task::spawn_blocking(move || s.uses_demo_credentials())
            .await
            .unwrap_or(true);
        if uses_demo && !allow_demo {
            tracing::error!(
                "[lan] uses the demo PINs or device token: the staff page stays off until real ones are set"
            );
            return;
        }
        if demo {
            tracing::warn!("DEMO queue: staff PINs 1111, 2222, 3333 for windows 1-3");
        }
        match tokio::net::TcpListener::bind(listen).await {
            Ok(listener) => {
                tracing::info!("staff page: http://{listen}/staff");
                if let Err(err) = service.serve(listener, std::future::pending()).await {
                    tracing::error!("LAN service stopped: {err}");
                }
            }
            Err(err) => tracing::error!("cannot listen on {listen}, no staff page: {err}"),
        }
    });
}

/// The daily reset goes out even when nobody takes a ticket.
fn start_daily_tick(engine: &Arc<QueueEngine>) {
    let engine = Arc::clone(engine);
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

/// Runs the kiosk UI until its window is closed.
pub fn run_kiosk(config_path: Option<&Path>) -> anyhow::Result<()> {
    let config = load_config(config_path)?;
    let data_dir = data_dir(&config)?;
    tracing::info!("data directory: {}", data_dir.display());
    log_devices(&config.devices, &data_dir);
    let demo = config_path.is_none();
    let (queue_config, lan_config) = queue_config(&config, !demo)?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .thread_name("kiosk-io")
        .build()
        .context("cannot start the async runtime")?;
    let _runtime_guard = runtime.enter();

    let mut devices = Devices::start(&config.devices, &data_dir.join("sim"))
        .context("cannot start the devices")?;
    // A still frame that fits a 160-LED panel; `kiosk led follow` drives a panel from the queue's calls.
    let welcome = Scene::Message("法律服务热线12348".to_owned());
    if let Err(err) = devices.led_panel.show(&welcome, Duration::ZERO) {
        tracing::warn!("LED panel: {err}");
    }
    let queue = connect_queue(&config, &queue_config, &lan_config, &data_dir, demo)?;

    let shell =
        Shell::new(ShellOptions::from_config(&config)).context("cannot open the kiosk window")?;
    let _take_number = TakeNumberController::attach(
        &shell,
        TakeNumberOptions::from_config(&config, &queue_config, &lan_config.device_name),
        TakeNumberDeps {
            queue,
            printer: devices.printer.clone(),
            reader: devices.id_reader.reader.take(),
            simulator: devices.id_reader.simulator.clone(),
            runtime: runtime.handle().clone(),
        },
    );
    let content_config = ContentConfig::from_kiosk(&config).context("[content]")?;
    let store =
        ContentStore::open(&data_dir, &content_config).context("cannot open the content store")?;
    let outbox = Outbox::open(&data_dir, &content_config, &config.site.name)
        .context("cannot open the outbox")?;
    let _outbox_task = outbox.spawn(runtime.handle());
    let _sync = store.spawn_sync(runtime.handle(), Some(outbox.clone()));
    let info = InfoPages::attach(&shell, store.current(), InfoOptions::from_config(&config));
    let _follow = info.follow(&store, runtime.handle());
    let window = shell.window().window();
    if config.ui.fullscreen {
        window.set_fullscreen(true);
    } else {
        let (width, height) = config.ui.window_size();
        window.set_size(slint::LogicalSize::new(width as f32, height as f32));
    }
    let _startup_probe = crate::startup_probe::arm(shell.window());
    shell.window().run().context("the UI event loop failed")?;
    drop(devices);
    tracing::info!("window closed: kiosk stopped");
    Ok(())
}

fn log_devices(devices: &DevicesConfig, data_dir: &Path) {
    if devices.all_simulated() {
        tracing::info!(
            "simulated hardware: ID reader, virtual printer and LED panel run the real protocol code"
        );
    }
    tracing::info!("printer: {:?}", devices.printer);
    tracing::info!("ID reader: {:?}", devices.id_reader);
    tracing::info!("LED panel: {:?}", devices.led_panel);
    if matches!(devices.printer, crate::config::PrinterConfig::Sim { .. }) {
        tracing::info!(
            "virtual printer: tickets saved as PNG and text under {}",
            data_dir.join("sim/printer").display()
        );
    }
    if matches!(devices.led_panel, crate::config::LedPanelConfig::Sim { .. }) {
        tracing::info!(
            "simulated LED panel: current frame in {}",
            data_dir.join("sim/led/panel.png").display()
        );
    }
}
