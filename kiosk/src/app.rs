//! Starting the kiosk: configuration, data directory, devices and the window.
//!
//! This is the binary's edge, so its functions return `anyhow` errors with context for the operator.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use slint::ComponentHandle as _;

use crate::{
    config::{DevicesConfig, KioskConfig},
    devices::Devices,
    led::Scene,
    paths,
    ui::{Shell, ShellOptions},
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
    let dir = config.storage.data_dir.clone().unwrap_or_else(paths::default_data_dir);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create the data directory {}", dir.display()))?;
    Ok(dir)
}

/// Runs the kiosk UI until its window is closed.
pub fn run_kiosk(config_path: Option<&Path>) -> anyhow::Result<()> {
    let config = load_config(config_path)?;
    let data_dir = data_dir(&config)?;
    tracing::info!("data directory: {}", data_dir.display());
    log_devices(&config.devices, &data_dir);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .thread_name("kiosk-io")
        .build()
        .context("cannot start the async runtime")?;
    let _runtime_guard = runtime.enter();

    let mut devices = Devices::start(&config.devices, &data_dir.join("sim")).context("cannot start the devices")?;
    let welcome = Scene::Message(format!("欢迎来到{}  法律服务热线12348", config.site.name));
    if let Err(err) = devices.led_panel.show(&welcome, std::time::Duration::ZERO) {
        tracing::warn!("LED panel: {err}");
    }

    let shell = Shell::new(ShellOptions::from_config(&config)).context("cannot open the kiosk window")?;
    let window = shell.window().window();
    if config.ui.fullscreen {
        window.set_fullscreen(true);
    } else {
        let (width, height) = config.ui.window_size();
        window.set_size(slint::LogicalSize::new(width as f32, height as f32));
    }
    shell.window().run().context("the UI event loop failed")?;
    drop(devices);
    tracing::info!("window closed: kiosk stopped");
    Ok(())
}

fn log_devices(devices: &DevicesConfig, data_dir: &Path) {
    if devices.all_simulated() {
        tracing::info!("simulated hardware: ID reader, virtual printer and LED panel run the real protocol code");
    }
    tracing::info!("printer: {:?}", devices.printer);
    tracing::info!("ID reader: {:?}", devices.id_reader);
    tracing::info!("LED panel: {:?}", devices.led_panel);
    if matches!(devices.printer, crate::config::PrinterConfig::Sim { .. }) {
        tracing::info!("virtual printer: tickets saved as PNG and text under {}", data_dir.join("sim/printer").display());
    }
    if matches!(devices.led_panel, crate::config::LedPanelConfig::Sim { .. }) {
        tracing::info!("simulated LED panel: current frame in {}", data_dir.join("sim/led/panel.png").display());
    }
}
