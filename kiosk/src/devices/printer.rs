//! The ticket printer service: one thread owns the printer (its API is blocking), jobs arrive on a channel.
//!
//! In simulated mode the printer is `ticket_printer`'s virtual printer: it interprets the very ESC/POS bytes a
//! real printer would get and answers status queries; each printed ticket is saved as PNG and text.

use std::{
    path::{Path, PathBuf},
    sync::{Arc, mpsc},
    time::Duration,
};

use chrono::{DateTime, Utc};
use ticket_printer::{
    Endpoint, NotPrinted, PrintOutcome, Printer, PrinterStatus, SharedVirtualPrinter, Ticket,
    TransportError, profile,
};
use tokio::sync::{oneshot, watch};

use super::DeviceError;
use crate::{config::PrinterConfig, watchdog::Heart};
use clock::{SystemWallClock, WallClock};
use health_facts::{PaperState, PrinterFacts};

/// How often the idle printer thread reads the printer's status (paper, cover) for health and the lamp.
pub const STATUS_POLL: Duration = Duration::from_secs(10);

/// The printer as last seen by a status read or a print, for health reports and the fault lamp.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PrinterReport {
    /// When it was last seen (none: not yet).
    pub checked_at: Option<DateTime<Utc>>,
    /// It answered (or, for a transport that cannot read status, took the bytes).
    pub reachable: bool,
    /// The status it reported; none when it did not answer or cannot report.
    pub status: Option<PrinterStatus>,
}

/// What the printer looked like after its last job or status check, for the UI, staff page and health.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrinterHealth {
    /// Nothing printed or checked yet.
    Unknown,
    /// Ready; `paper_near_end` warns staff before the roll runs out.
    Ready {
        /// The near-end sensor is on.
        paper_near_end: bool,
    },
    /// Not ready, with the reason (Chinese / English).
    NotReady(String),
}

/// Why a print job got no outcome at all.
#[derive(Debug, thiserror::Error)]
pub enum PrintJobError {
    /// The printer thread has stopped.
    #[error("the printer service has stopped")]
    Stopped,
}

enum Job {
    Print {
        ticket: Box<Ticket>,
        reply: oneshot::Sender<PrintOutcome>,
    },
    Check {
        reply: oneshot::Sender<PrinterReport>,
    },
    Note {
        note: Box<ticket_printer::Note>,
        reply: oneshot::Sender<PrintOutcome>,
    },
}

/// A handle to the printer thread. Cheap to clone.
#[derive(Clone)]
pub struct PrinterService {
    jobs: mpsc::Sender<Job>,
    health: watch::Receiver<PrinterHealth>,
    report: watch::Receiver<PrinterReport>,
    sim: Option<SharedVirtualPrinter>,
}

impl std::fmt::Debug for PrinterService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrinterService")
            .field("simulated", &self.sim.is_some())
            .finish_non_exhaustive()
    }
}

impl PrinterService {
    /// Starts the printer thread for the configured printer. Simulated tickets are saved under `sim_dir`.
    pub fn start(config: &PrinterConfig, sim_dir: &Path) -> Result<Self, DeviceError> {
        Self::start_with(config, sim_dir, None, Arc::new(SystemWallClock))
    }

    /// Like [`PrinterService::start`], beating `heart` on every job and every idle status read
    /// (at least every [`STATUS_POLL`]), and stamping reports with `wall`'s time.
    pub fn start_with(
        config: &PrinterConfig,
        sim_dir: &Path,
        heart: Option<Heart>,
        wall: Arc<dyn WallClock>,
    ) -> Result<Self, DeviceError> {
        let (profile_name, endpoint, sim) = match config {
            PrinterConfig::Sim { profile } => {
                let profile = lookup(profile)?;
                let sim = SharedVirtualPrinter::new(profile.clone());
                (profile, Endpoint::Virtual(sim.clone()), Some(sim))
            }
            PrinterConfig::Serial {
                port,
                baud,
                profile,
            } => (
                lookup(profile)?,
                Endpoint::Serial {
                    path: port.clone(),
                    baud: *baud,
                },
                None,
            ),
            PrinterConfig::UsbLp { path, profile } => {
                (lookup(profile)?, Endpoint::UsbDevice(path.clone()), None)
            }
            PrinterConfig::Tcp { address, profile } => {
                (lookup(profile)?, Endpoint::Tcp(address.clone()), None)
            }
        };
        let printer = Printer::new(endpoint, profile_name.clone());
        let (jobs, rx) = mpsc::channel();
        let (health_tx, health) = watch::channel(PrinterHealth::Unknown);
        let (report_tx, report) = watch::channel(PrinterReport::default());
        let out_dir = sim.as_ref().map(|_| sim_dir.to_owned());
        let thread_sim = sim.clone();
        std::thread::Builder::new()
            .name("printer".into())
            .spawn(move || {
                run(
                    printer,
                    &rx,
                    &Senders {
                        health: health_tx,
                        report: report_tx,
                        heart,
                        wall,
                    },
                    thread_sim.as_ref(),
                    out_dir.as_deref(),
                );
            })
            .map_err(|source| DeviceError::Thread {
                device: "printer",
                source,
            })?;
        Ok(Self {
            jobs,
            health,
            report,
            sim,
        })
    }

    /// Prints a ticket and reports what happened. Never panics and never loses the ticket: a ticket that could
    /// not be printed comes back as [`PrintOutcome::NotPrinted`] with the reason, for the caller to show.
    pub async fn print(&self, ticket: Ticket) -> Result<PrintOutcome, PrintJobError> {
        let (reply, outcome) = oneshot::channel();
        self.jobs
            .send(Job::Print {
                ticket: Box::new(ticket),
                reply,
            })
            .map_err(|_| PrintJobError::Stopped)?;
        outcome.await.map_err(|_| PrintJobError::Stopped)
    }

    /// Prints a note (the lawyer's advice after a video call) and reports what happened.
    pub async fn print_note(
        &self,
        note: ticket_printer::Note,
    ) -> Result<PrintOutcome, PrintJobError> {
        let (reply, outcome) = oneshot::channel();
        self.jobs
            .send(Job::Note {
                note: Box::new(note),
                reply,
            })
            .map_err(|_| PrintJobError::Stopped)?;
        outcome.await.map_err(|_| PrintJobError::Stopped)
    }

    /// The printer's health after its last job; watch it to raise staff alerts.
    pub fn health(&self) -> watch::Receiver<PrinterHealth> {
        self.health.clone()
    }

    /// The printer as last seen (status read every [`STATUS_POLL`] while idle, and after every print).
    pub fn report(&self) -> watch::Receiver<PrinterReport> {
        self.report.clone()
    }

    /// Reads the printer's status now and returns the new report.
    pub async fn check(&self) -> Result<PrinterReport, PrintJobError> {
        let (reply, report) = oneshot::channel();
        self.jobs
            .send(Job::Check { reply })
            .map_err(|_| PrintJobError::Stopped)?;
        report.await.map_err(|_| PrintJobError::Stopped)
    }

    /// The virtual printer, in simulated mode: tests and the technician use it to set paper-out, cover-open….
    pub fn simulator(&self) -> Option<&SharedVirtualPrinter> {
        self.sim.as_ref()
    }
}

fn lookup(name: &str) -> Result<&'static ticket_printer::Profile, DeviceError> {
    profile::by_name(name).ok_or_else(|| DeviceError::UnknownProfile(name.to_owned()))
}

struct Senders {
    health: watch::Sender<PrinterHealth>,
    report: watch::Sender<PrinterReport>,
    heart: Option<Heart>,
    wall: Arc<dyn WallClock>,
}

impl Senders {
    fn beat(&self) {
        if let Some(heart) = &self.heart {
            heart.beat();
        }
    }
}

fn read_status(printer: &mut Printer, wall: &dyn WallClock) -> PrinterReport {
    let (reachable, status) = match printer.status() {
        Ok(status) => (true, Some(status)),
        // The link opened but cannot report status (a plain file, a profile without real-time status):
        // as far as anyone can tell it works.
        Err(ticket_printer::Error::Transport(TransportError::WriteOnly { .. })) => (true, None),
        Err(err) => {
            tracing::debug!("printer status: {err}");
            (false, None)
        }
    };
    PrinterReport {
        checked_at: Some(wall.now()),
        reachable,
        status,
    }
}

fn run(
    mut printer: Printer,
    jobs: &mpsc::Receiver<Job>,
    out: &Senders,
    sim: Option<&SharedVirtualPrinter>,
    out_dir: Option<&Path>,
) {
    out.beat();
    loop {
        let job = match jobs.recv_timeout(STATUS_POLL) {
            Ok(job) => job,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                out.report
                    .send_replace(read_status(&mut printer, out.wall.as_ref()));
                out.beat();
                continue;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        };
        match job {
            Job::Print { ticket, reply } => {
                let outcome = printer.print(&ticket);
                let new_health = match &outcome {
                    PrintOutcome::Printed(printed) => PrinterHealth::Ready {
                        paper_near_end: printed.paper_near_end(),
                    },
                    PrintOutcome::NotPrinted(reason) => {
                        tracing::warn!("ticket {} not printed: {reason}", ticket.number);
                        PrinterHealth::NotReady(describe(reason))
                    }
                };
                out.health.send_replace(new_health);
                let report = match &outcome {
                    PrintOutcome::Printed(printed) => PrinterReport {
                        checked_at: Some(out.wall.now()),
                        reachable: true,
                        status: printed.status,
                    },
                    PrintOutcome::NotPrinted(_) => read_status(&mut printer, out.wall.as_ref()),
                };
                out.report.send_replace(report);
                if let (Some(sim), Some(dir)) = (sim, out_dir) {
                    save_simulated(sim, dir, &ticket);
                }
                // The caller may have given up waiting; the outcome is still in the log and health.
                let _ = reply.send(outcome);
            }
            Job::Check { reply } => {
                let report = read_status(&mut printer, out.wall.as_ref());
                out.report.send_replace(report);
                let _ = reply.send(report);
            }
            Job::Note { note, reply } => {
                let outcome = printer.print_note(&note);
                let new_health = match &outcome {
                    PrintOutcome::Printed(printed) => PrinterHealth::Ready {
                        paper_near_end: printed.paper_near_end(),
                    },
                    PrintOutcome::NotPrinted(reason) => {
                        tracing::warn!("note not printed: {reason}");
                        PrinterHealth::NotReady(describe(reason))
                    }
                };
                out.health.send_replace(new_health);
                let _ = reply.send(outcome);
            }
        }
        out.beat();
    }
}

fn describe(reason: &NotPrinted) -> String {
    reason.to_string()
}

/// How many simulated tickets (`.png` + `.txt` pairs) are kept; older ones are deleted. A ticket
/// carries a masked name: even masked, it is not kept longer than a developer needs to look at it.
pub(crate) const SIMULATED_TICKETS_KEPT: usize = 50;

/// Deletes all but the newest `keep` simulated tickets in `dir` (names start with the issue time,
/// so the name order is the time order).
pub(crate) fn prune_simulated(dir: &Path, keep: usize) -> std::io::Result<usize> {
    let mut stems: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "png"))
        .map(|p| p.with_extension(""))
        .collect();
    stems.sort();
    let excess = stems.len().saturating_sub(keep);
    for stem in &stems[..excess] {
        for ext in ["png", "txt"] {
            match std::fs::remove_file(stem.with_extension(ext)) {
                Err(err) if err.kind() != std::io::ErrorKind::NotFound => return Err(err),
                _ => {}
            }
        }
    }
    Ok(excess)
}

/// Saves what the virtual printer printed as `DIR/<time>-<number>.png` and `.txt`, and keeps only the
/// newest [`SIMULATED_TICKETS_KEPT`].
fn save_simulated(sim: &SharedVirtualPrinter, dir: &Path, ticket: &Ticket) {
    for printed in sim.take_tickets() {
        let stem: PathBuf = dir.join(format!(
            "{}-{}",
            ticket.issued_at.format("%Y%m%d-%H%M%S"),
            ticket.number
        ));
        let result = std::fs::create_dir_all(dir)
            .and_then(|()| std::fs::write(stem.with_extension("png"), printed.png()))
            .and_then(|()| std::fs::write(stem.with_extension("txt"), printed.text()));
        match result {
            Ok(()) => tracing::info!(
                "virtual printer: ticket {} saved as {}.png",
                ticket.number,
                stem.display()
            ),
            Err(err) => tracing::warn!(
                "virtual printer: cannot save ticket {}: {err}",
                ticket.number
            ),
        }
    }
    if let Err(err) = prune_simulated(dir, SIMULATED_TICKETS_KEPT) {
        tracing::warn!("virtual printer: cannot prune old tickets: {err}");
    }
}

impl From<&PrinterReport> for PrinterFacts {
    /// The facts of a printer report, as health reports and the fault lamp read them.
    fn from(report: &PrinterReport) -> Self {
        let status = report.status;
        Self {
            checked_at: report.checked_at,
            online: report.reachable && status.is_none_or(|s| s.online),
            paper: match status.map(|s| s.paper) {
                None => PaperState::Unknown,
                Some(ticket_printer::Paper::Ok) => PaperState::Ok,
                Some(ticket_printer::Paper::NearEnd) => PaperState::NearEnd,
                Some(ticket_printer::Paper::Out) => PaperState::Out,
            },
            cover_open: status.is_some_and(|s| s.cover_open),
            error: status.is_some_and(|s| s.error.is_some()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_newest_simulated_tickets_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..7 {
            let stem = dir.path().join(format!("20260302-0900{i:02}-A{i:03}"));
            std::fs::write(stem.with_extension("png"), b"png").unwrap();
            std::fs::write(stem.with_extension("txt"), "张*三").unwrap();
        }
        assert_eq!(prune_simulated(dir.path(), 3).unwrap(), 4);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "20260302-090004-A004.png",
                "20260302-090004-A004.txt",
                "20260302-090005-A005.png",
                "20260302-090005-A005.txt",
                "20260302-090006-A006.png",
                "20260302-090006-A006.txt"
            ]
        );
    }
}
