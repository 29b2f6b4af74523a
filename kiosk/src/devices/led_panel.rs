//! The LED panel slot: in simulated mode, frames go to a PNG that looks like the panel.

use std::{path::Path, time::Duration};

use tokio::sync::watch;

use crate::{
    config::{LedPanelConfig, parse_size_any},
    led::{LedSink, MonoFrame, PngSink, Scene, SinkError, render},
};

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
    /// Sets up the configured panel; a simulated panel writes `sim_dir/panel.png`.
    pub fn start(config: &LedPanelConfig, sim_dir: &Path) -> Self {
        match config {
            LedPanelConfig::Sim { size } => {
                let (w, h) = parse_size_any(size).unwrap_or((160, 16));
                Self {
                    sink: Some(Box::new(PngSink::new(sim_dir.join("panel.png"), 6))),
                    frame: MonoFrame::new(w, h),
                    report: watch::Sender::new(LedPanelReport::Unknown),
                }
            }
            LedPanelConfig::None => Self {
                sink: None,
                frame: MonoFrame::new(1, 1),
                report: watch::Sender::new(LedPanelReport::None),
            },
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
        crate::led::cli::test_pattern(&mut self.frame);
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
