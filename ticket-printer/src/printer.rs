//! The printer handle the kiosk uses: open (and reopen) a transport, check status before
//! printing, print, confirm after, and report a typed outcome.

use std::time::{Duration, Instant};

use crate::commands;
use crate::encode::encode_ticket;
use crate::error::{EncodeError, TransportError};
use crate::profile::Profile;
use crate::status::{
    ErrorCause, OfflineCause, Paper, PrinterInfo, PrinterStatus, Reply, ReplyScanner, RollPaper,
    StatusQuery,
};
use crate::ticket::{Layout, Ticket};
use crate::transport::{Endpoint, Transport};

/// Why a ticket was not printed. The caller decides what to do (the kiosk keeps the number
/// and shows the ticket on screen).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NotPrinted {
    /// Out of paper.
    #[error("打印机缺纸 / printer is out of paper")]
    PaperOut,
    /// Cover open.
    #[error("打印机盖未关 / printer cover is open")]
    CoverOpen,
    /// Offline for another reason.
    #[error("打印机离线 / printer is offline")]
    Offline,
    /// The printer reports an error (cutter jam, head overheated …).
    #[error("打印机故障 / printer error: {0:?}")]
    PrinterError(ErrorCause),
    /// The printer stopped while printing: the ticket may be incomplete.
    #[error("打印中断，票据可能不完整 / printing stopped, the ticket may be incomplete: {0}")]
    Interrupted(Box<Self>),
    /// The printer could not be reached or did not answer.
    #[error("无法连接打印机 / printer unreachable: {0}")]
    Unreachable(#[from] TransportError),
    /// A printer reply was not a valid status byte.
    #[error("打印机应答无效 / invalid printer reply: {0}")]
    BadReply(#[from] crate::status::StatusError),
    /// The ticket could not be encoded.
    #[error("票据无法编码 / ticket cannot be encoded: {0}")]
    Encode(#[from] EncodeError),
}

impl NotPrinted {
    fn from_status(status: &PrinterStatus) -> Self {
        if status.paper == Paper::Out {
            Self::PaperOut
        } else if status.cover_open {
            Self::CoverOpen
        } else if let Some(e) = status.error {
            Self::PrinterError(e)
        } else {
            Self::Offline
        }
    }
}

/// A ticket that was printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Printed {
    /// Status read after printing; `None` for transports that cannot read (a plain file).
    pub status: Option<PrinterStatus>,
}

impl Printed {
    /// Whether the roll is near its end (tell a technician).
    pub fn paper_near_end(&self) -> bool {
        self.status.is_some_and(|s| s.paper == Paper::NearEnd)
    }
}

/// The outcome of a print.
#[derive(Debug)]
pub enum PrintOutcome {
    /// Printed, and confirmed if the transport can read status.
    Printed(Printed),
    /// Not printed, with the reason.
    NotPrinted(NotPrinted),
}

impl PrintOutcome {
    /// Whether the ticket was printed.
    pub fn is_printed(&self) -> bool {
        matches!(self, Self::Printed(_))
    }
}

/// A printer: an endpoint, a profile and a layout. Opens lazily and reopens after a failure,
/// so a printer that is unplugged and plugged back in works again without a restart.
pub struct Printer {
    endpoint: Endpoint,
    profile: Profile,
    layout: Layout,
    link: Option<Box<dyn Transport>>,
    reply_timeout: Duration,
}

impl std::fmt::Debug for Printer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Printer")
            .field("endpoint", &self.endpoint)
            .field("profile", &self.profile.name)
            .field("open", &self.link.is_some())
            .finish()
    }
}

impl Printer {
    /// A printer at `endpoint` of class `profile`, with the profile's default layout.
    pub fn new(endpoint: Endpoint, profile: Profile) -> Self {
        let layout = Layout::for_paper(profile.paper);
        Self {
            endpoint,
            profile,
            layout,
            link: None,
            reply_timeout: Duration::from_millis(500),
        }
    }

    /// Replaces the layout.
    pub fn with_layout(mut self, layout: Layout) -> Self {
        self.layout = layout;
        self
    }

    /// How long to wait for each status reply (default 500 ms).
    pub fn with_reply_timeout(mut self, timeout: Duration) -> Self {
        self.reply_timeout = timeout;
        self
    }

    /// The profile.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// Reads the printer's status (`DLE EOT 1, 2, 4`, and 3 on error).
    pub fn status(&mut self) -> Result<PrinterStatus, crate::Error> {
        let result = self.with_link(|p, link| p.read_status(link));
        result.map_err(|e| match e {
            NotPrinted::Unreachable(t) => crate::Error::Transport(t),
            NotPrinted::BadReply(s) => crate::Error::Status(s),
            other => crate::Error::Transport(TransportError::Io {
                target: "status".into(),
                source: std::io::Error::other(other.to_string()),
            }),
        })
    }

    /// Encodes and prints a ticket.
    pub fn print(&mut self, ticket: &Ticket) -> PrintOutcome {
        match encode_ticket(ticket, &self.profile, &self.layout) {
            Ok(bytes) => self.print_bytes(&bytes),
            Err(e) => PrintOutcome::NotPrinted(NotPrinted::Encode(e)),
        }
    }

    /// Encodes and prints a note (the same checks and confirmation as a ticket).
    pub fn print_note(&mut self, note: &crate::note::Note) -> PrintOutcome {
        match crate::note::encode_note(note, &self.profile, &self.layout) {
            Ok(bytes) => self.print_bytes(&bytes),
            Err(e) => PrintOutcome::NotPrinted(NotPrinted::Encode(e)),
        }
    }

    /// Prints ready-made bytes: status check, write, confirmation.
    pub fn print_bytes(&mut self, bytes: &[u8]) -> PrintOutcome {
        match self.with_link(|p, link| p.print_on(link, bytes)) {
            Ok(printed) => PrintOutcome::Printed(printed),
            Err(reason) => PrintOutcome::NotPrinted(reason),
        }
    }

    /// Runs `f` on an open link; on a transport failure drops the link and tries once more
    /// on a reopened one.
    fn with_link<T>(
        &mut self,
        f: impl Fn(&Self, &mut dyn Transport) -> Result<T, NotPrinted>,
    ) -> Result<T, NotPrinted> {
        for attempt in 0..2 {
            let mut link = match self.link.take() {
                Some(link) => link,
                None => self.open()?,
            };
            match f(self, link.as_mut()) {
                Err(NotPrinted::Unreachable(e)) => {
                    // Dropping the link closes it; the next attempt reopens.
                    if attempt == 1 {
                        return Err(NotPrinted::Unreachable(e));
                    }
                }
                other => {
                    self.link = Some(link);
                    return other;
                }
            }
        }
        unreachable!("the loop returns on its second attempt")
    }

    fn open(&self) -> Result<Box<dyn Transport>, NotPrinted> {
        let mut link = self.endpoint.open()?;
        if link.can_read() {
            // Disable Automatic Status Back so only our queries are answered, then drop
            // whatever the printer sent before (stale replies, ASB frames).
            link.write_all(&commands::ASB_OFF)
                .map_err(|e| self.io_err(e))?;
            self.drain(link.as_mut())?;
        }
        Ok(link)
    }

    fn io_err(&self, source: std::io::Error) -> NotPrinted {
        NotPrinted::Unreachable(TransportError::Io {
            target: self.endpoint.to_string(),
            source,
        })
    }

    fn drain(&self, link: &mut dyn Transport) -> Result<(), NotPrinted> {
        let mut buf = [0u8; 256];
        for _ in 0..64 {
            if link
                .read_timeout(&mut buf, Duration::from_millis(1))
                .map_err(|e| self.io_err(e))?
                == 0
            {
                break;
            }
        }
        Ok(())
    }

    // The I/O layer waits on a real deadline; the codecs it drives never read the clock.
    #[allow(clippy::disallowed_methods)]
    fn query(&self, link: &mut dyn Transport, q: StatusQuery) -> Result<u8, NotPrinted> {
        self.drain(link)?;
        link.write_all(&q.request()).map_err(|e| self.io_err(e))?;
        let deadline = Instant::now() + self.reply_timeout;
        let mut scanner = ReplyScanner::new();
        let mut buf = [0u8; 16];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let n = link
                .read_timeout(&mut buf, left)
                .map_err(|e| self.io_err(e))?;
            for &b in &buf[..n] {
                if let Some(Reply::Status(s)) = scanner.push(b) {
                    return Ok(s);
                }
            }
            if n == 0 && Instant::now() >= deadline {
                return Err(NotPrinted::Unreachable(TransportError::NoReply {
                    target: self.endpoint.to_string(),
                    query: q as u8,
                    timeout_ms: self.reply_timeout.as_millis() as u64,
                }));
            }
        }
    }

    fn read_status(&self, link: &mut dyn Transport) -> Result<PrinterStatus, NotPrinted> {
        if !link.can_read() || !self.profile.realtime_status {
            return Err(NotPrinted::Unreachable(TransportError::WriteOnly {
                target: self.endpoint.to_string(),
            }));
        }
        let printer = PrinterInfo::parse(self.query(link, StatusQuery::Printer)?)?;
        let offline = OfflineCause::parse(self.query(link, StatusQuery::OfflineCause)?)?;
        let error = if offline.error {
            Some(ErrorCause::parse(
                self.query(link, StatusQuery::ErrorCause)?,
            )?)
        } else {
            None
        };
        let paper = RollPaper::parse(self.query(link, StatusQuery::RollPaper)?)?;
        Ok(PrinterStatus::from_parts(printer, offline, error, paper))
    }

    fn print_on(&self, link: &mut dyn Transport, bytes: &[u8]) -> Result<Printed, NotPrinted> {
        let checks = link.can_read() && self.profile.realtime_status;
        if checks {
            let before = self.read_status(link)?;
            if !before.ready() {
                return Err(NotPrinted::from_status(&before));
            }
        }
        link.write_all(bytes).map_err(|e| self.io_err(e))?;
        if !checks {
            return Ok(Printed { status: None });
        }
        let after = self.read_status(link)?;
        if !after.ready() {
            return Err(NotPrinted::Interrupted(Box::new(NotPrinted::from_status(
                &after,
            ))));
        }
        Ok(Printed {
            status: Some(after),
        })
    }
}
