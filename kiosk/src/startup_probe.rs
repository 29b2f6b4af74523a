//! Startup measurement for the board figures: the time from process start to the first fully rendered
//! frame, and the memory the process holds then.
//!
//! `kiosk --exit-after-first-frame` arms the probe. Once the event loop runs, the probe renders the
//! window's scene completely (the same software rendering the first frame needs: layout, glyphs, images),
//! prints one line on standard output and quits:
//!
//! ```text
//! startup: first frame after 412 ms; VmRSS 85432 KiB; VmHWM 90012 KiB
//! ```
//!
//! `scripts/measure-startup.sh` runs it under Xvfb and collects the figures.

use std::{
    sync::{
        OnceLock,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

static PROCESS_START: OnceLock<Instant> = OnceLock::new();
static EXIT_AFTER_FIRST_FRAME: AtomicBool = AtomicBool::new(false);

/// Records the start of the process; the binary calls it first thing in `main`.
pub fn mark_process_start() {
    let _ = PROCESS_START.set(Instant::now());
}

/// Asks the kiosk window to report its startup figures and quit after its first frame.
pub fn request_exit_after_first_frame() {
    EXIT_AFTER_FIRST_FRAME.store(true, Ordering::Relaxed);
}

/// What the probe measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StartupReport {
    /// From [`mark_process_start`] to the end of the first complete rendering of the window.
    pub first_frame: Duration,
    /// Resident memory then, in KiB (`VmRSS` of `/proc/self/status`), when the kernel tells it.
    pub rss_kib: Option<u64>,
    /// Peak resident memory so far, in KiB (`VmHWM`).
    pub peak_rss_kib: Option<u64>,
}

impl std::fmt::Display for StartupReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kib =
            |value: Option<u64>| value.map_or_else(|| "unknown".to_owned(), |v| format!("{v} KiB"));
        write!(
            f,
            "startup: first frame after {} ms; VmRSS {}; VmHWM {}",
            self.first_frame.as_millis(),
            kib(self.rss_kib),
            kib(self.peak_rss_kib)
        )
    }
}

/// Reads one `Name:   1234 kB` line of `/proc/self/status`-formatted text, in KiB.
pub fn status_field_kib(status: &str, name: &str) -> Option<u64> {
    status.lines().find_map(|line| {
        let value = line.strip_prefix(name)?.strip_prefix(':')?;
        value.trim().strip_suffix("kB")?.trim().parse().ok()
    })
}

/// Measures now: elapsed time since [`mark_process_start`] (or since this call when it was never
/// marked) and the memory figures of this process.
pub fn report_now() -> StartupReport {
    let first_frame = PROCESS_START.get_or_init(Instant::now).elapsed();
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    StartupReport {
        first_frame,
        rss_kib: status_field_kib(&status, "VmRSS"),
        peak_rss_kib: status_field_kib(&status, "VmHWM"),
    }
}

/// When requested, arms a timer that fires once the event loop runs: it renders `component`'s window
/// completely, prints the [`StartupReport`] and quits the event loop. Keep the returned timer alive.
pub fn arm<C: slint::ComponentHandle + 'static>(component: &C) -> Option<slint::Timer> {
    if !EXIT_AFTER_FIRST_FRAME.load(Ordering::Relaxed) {
        return None;
    }
    let weak = component.as_weak();
    let timer = slint::Timer::default();
    timer.start(slint::TimerMode::SingleShot, Duration::ZERO, move || {
        let Some(component) = weak.upgrade() else {
            return;
        };
        if let Err(err) = component.window().take_snapshot() {
            tracing::warn!("startup probe: the window could not be rendered: {err}");
        }
        println!("{}", report_now());
        let _ = slint::quit_event_loop();
    });
    Some(timer)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS: &str =
        "Name:\tkiosk\nVmPeak:\t  300000 kB\nVmHWM:\t   90012 kB\nVmRSS:\t   85432 kB\n";

    #[test]
    fn reads_memory_fields_of_proc_status() {
        assert_eq!(status_field_kib(STATUS, "VmRSS"), Some(85_432));
        assert_eq!(status_field_kib(STATUS, "VmHWM"), Some(90_012));
        assert_eq!(status_field_kib(STATUS, "VmSwap"), None);
        assert_eq!(status_field_kib("VmRSS:\tlots kB\n", "VmRSS"), None);
    }

    #[test]
    fn report_line_names_every_figure() {
        let report = StartupReport {
            first_frame: Duration::from_millis(412),
            rss_kib: Some(85_432),
            peak_rss_kib: None,
        };
        assert_eq!(
            report.to_string(),
            "startup: first frame after 412 ms; VmRSS 85432 KiB; VmHWM unknown"
        );
    }

    #[test]
    fn this_process_has_a_resident_size() {
        let report = report_now();
        assert!(report.rss_kib.is_some_and(|kib| kib > 0));
    }
}
