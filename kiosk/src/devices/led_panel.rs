//! The kiosk's own LED panel slot (welcome scene, technician test pattern): the `[displays.led]` panel, sim
//! or real, opened through the displays crate like the hall display's.

use std::{path::Path, time::Duration};

use tokio::sync::watch;

use displays::led::{LedConfig, LedSink, MonoFrame, Scene, SinkError, open_sink, render};

/// The panel's state for health reports.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum LedPanelReport {
    /// No panel configured.
    #[default]
    None,
    /// Configured, nothing shown yet.
    Unknown,
    /// The last frame was shown.
    Ok,
    /// The last frame failed, with the reason.
    Fault(String),
}

/// The configured panel and its frame.
pub struct LedPanelSlot {
    sink: Option<Box<dyn LedSink>>,
    frame: MonoFrame,
    report: watch::Sender<LedPanelReport>,
}

impl std::fmt::Debug for LedPanelSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LedPanelSlot")
            .field("attached", &self.sink.is_some())
            .field("size", &(self.frame.width(), self.frame.height()))
            .finish()
    }
}

impl LedPanelSlot {
    /// Sets up the panel of `[displays.led]` through the displays crate's one seam ([`open_sink`]): the
    /// simulated panel writes `sim_dir/panel.png`, a real one is driven on its bus. A panel that cannot be
    /// opened is reported as a fault, and the kiosk goes on without it.
    pub fn start(config: &LedConfig, sim_dir: &Path) -> Self {
        if !config.driven_by.kiosk_drives() {
            return Self::detached();
        }
        match open_sink(config, sim_dir) {
            Ok(Some((sink, (w, h)))) => Self {
                sink: Some(sink),
                frame: MonoFrame::new(w, h),
                report: watch::Sender::new(LedPanelReport::Unknown),
            },
            Ok(None) => Self::detached(),
            Err(err) => {
                tracing::warn!("LED panel not opened: {err}");
                Self {
                    report: watch::Sender::new(LedPanelReport::Fault(err.to_string())),
                    ..Self::detached()
                }
            }
        }
    }

    /// No panel.
    pub fn detached() -> Self {
        Self {
            sink: None,
            frame: MonoFrame::new(1, 1),
            report: watch::Sender::new(LedPanelReport::None),
        }
    }

    /// Draws `scene` as it looks `elapsed` after it started and shows it.
    pub fn show(&mut self, scene: &Scene, elapsed: Duration) -> Result<(), SinkError> {
        let Some(sink) = self.sink.as_mut() else {
            return Ok(());
        };
        render(scene, elapsed, 32, &mut self.frame);
        let result = sink.show(&self.frame);
        self.report.send_replace(match &result {
            Ok(()) => LedPanelReport::Ok,
            Err(err) => LedPanelReport::Fault(err.to_string()),
        });
        result
    }

    /// The panel's state after the last frame, for health reports.
    pub fn report(&self) -> watch::Receiver<LedPanelReport> {
        self.report.subscribe()
    }

    /// Shows the wiring test pattern (border, diagonals, the top-left marker LED) of `kiosk led render
    /// --scene test`.
    pub fn show_test_pattern(&mut self) -> Result<(), SinkError> {
        let Some(sink) = self.sink.as_mut() else {
            return Ok(());
        };
        self.frame.clear_all();
        displays::led::test_pattern(&mut self.frame);
        sink.show(&self.frame)
    }

    /// Whether a panel is attached (simulated or real).
    pub fn attached(&self) -> bool {
        self.sink.is_some()
    }

    /// The last frame drawn.
    pub fn frame(&self) -> &MonoFrame {
        &self.frame
    }
}
