//! The paper ticket: what goes on it, printing it, and what the outcome means for the citizen
//! (the screen) and for staff (the device alert).
//!
//! A ticket is issued before it is printed, and a failed print never takes it back: the number is
//! kept, the screen shows it with its QR code, and staff see the printer alert and can reprint it.

use chrono::{DateTime, FixedOffset, Utc};
use ticket_printer::{MaskedName, NotPrinted, PrintOutcome, Ticket};

use crate::devices::PrinterService;

use queue::{IssuedTicket, PrinterAlert};

/// What happened to a ticket's paper copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrintState {
    /// Not finished yet.
    Printing,
    /// Printed; `paper_near_end` when the roll is running low.
    Printed {
        /// The near-end sensor is on.
        paper_near_end: bool,
    },
    /// No paper: nothing printed.
    PaperOut,
    /// Cover open: nothing printed.
    CoverOpen,
    /// The printer stopped while printing: the paper copy may be incomplete.
    Interrupted,
    /// The printer does not answer or reports an error.
    Offline,
}

impl PrintState {
    /// Whether the citizen has the paper ticket.
    pub fn is_printed(self) -> bool {
        matches!(self, Self::Printed { .. })
    }
}

/// The outcome of one print: for the screen and for the staff banner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintReport {
    /// The ticket number.
    pub number: String,
    /// What happened.
    pub state: PrintState,
    /// The printer alert it implies.
    pub alert: PrinterAlert,
    /// Whether this was a reprint (asked by staff or by the citizen).
    pub reprint: bool,
}

/// Everything on a ticket that the queue's answer does not carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintContext {
    /// The centre's name.
    pub centre: String,
    /// The service's Chinese name.
    pub service: String,
    /// The service's English name, printed after the Chinese one: given when the citizen took
    /// the number in English mode.
    pub service_en: Option<String>,
    /// Where to go (`3号窗口`).
    pub window: Option<String>,
    /// Where to go, in English (`Window 3`), for the English half of the window line.
    pub window_en: Option<String>,
    /// The citizen's masked name, when the card was read.
    pub masked_name: Option<String>,
    /// Local time offset of the site (tickets show local time).
    pub utc_offset: FixedOffset,
}

/// The paper ticket for `issued`.
pub fn paper_ticket(issued: &IssuedTicket, ctx: &PrintContext) -> Ticket {
    let priority = issued.priority.is_priority();
    let service = if priority {
        format!("{}（优先）", ctx.service)
    } else {
        ctx.service.clone()
    };
    let service_en = ctx.service_en.as_ref().map(|en| {
        if priority {
            format!("{en} (priority)")
        } else {
            en.clone()
        }
    });
    Ticket {
        centre: ctx.centre.clone(),
        address: None,
        number: issued.number.clone(),
        service,
        service_en,
        window: ctx.window.clone(),
        window_en: ctx.window_en.clone(),
        ahead: issued.ahead,
        wait_minutes: Some((issued.eta_minutes.lo, issued.eta_minutes.hi)),
        issued_at: local_time(issued.issued_at, ctx.utc_offset),
        name: ctx.masked_name.as_deref().and_then(MaskedName::from_masked),
        qr: (!issued.status_url.is_empty()).then(|| issued.status_url.clone()),
        footer: Ticket::default_footer(),
    }
}

fn local_time(at: DateTime<Utc>, offset: FixedOffset) -> chrono::NaiveDateTime {
    at.with_timezone(&offset).naive_local()
}

/// Sorts a print outcome into what the screen says and what staff are told.
pub fn classify(outcome: &PrintOutcome) -> (PrintState, PrinterAlert) {
    match outcome {
        PrintOutcome::Printed(printed) => {
            let near_end = printed.paper_near_end();
            let alert = if near_end {
                PrinterAlert::PaperNearEnd
            } else {
                PrinterAlert::Ok
            };
            (
                PrintState::Printed {
                    paper_near_end: near_end,
                },
                alert,
            )
        }
        PrintOutcome::NotPrinted(reason) => match reason {
            NotPrinted::Interrupted(inner) => (PrintState::Interrupted, alert_of(inner)),
            other => {
                let state = match other {
                    NotPrinted::PaperOut => PrintState::PaperOut,
                    NotPrinted::CoverOpen => PrintState::CoverOpen,
                    _ => PrintState::Offline,
                };
                (state, alert_of(other))
            }
        },
    }
}

fn alert_of(reason: &NotPrinted) -> PrinterAlert {
    match reason {
        NotPrinted::PaperOut => PrinterAlert::PaperOut,
        NotPrinted::CoverOpen => PrinterAlert::CoverOpen,
        NotPrinted::Interrupted(inner) => alert_of(inner),
        _ => PrinterAlert::Offline,
    }
}

/// Prints `issued` and reports the outcome. Never fails: a printer that cannot print is an
/// outcome ([`PrintState`]), and the ticket stays issued whatever happens here.
pub async fn print_ticket(
    printer: &PrinterService,
    issued: &IssuedTicket,
    ctx: &PrintContext,
    reprint: bool,
) -> PrintReport {
    let (state, alert) = match printer.print(paper_ticket(issued, ctx)).await {
        Ok(outcome) => classify(&outcome),
        Err(err) => {
            tracing::error!("ticket {}: {err}", issued.number);
            (PrintState::Offline, PrinterAlert::Offline)
        }
    };
    if state.is_printed() {
        tracing::info!("ticket {} printed", issued.number);
    } else {
        tracing::warn!("ticket {} kept but not printed: {state:?}", issued.number);
    }
    PrintReport {
        number: issued.number.clone(),
        state,
        alert,
        reprint,
    }
}

#[cfg(test)]
mod tests {
    use ticket_printer::{Printed, TransportError};

    use super::*;
    use queue::{EtaRange, PriorityKind, TicketStatus};

    fn issued() -> IssuedTicket {
        IssuedTicket {
            id: 7,
            number: "C007".into(),
            service: "legal_aid".into(),
            priority: PriorityKind::Elderly,
            status: TicketStatus::Waiting,
            ahead: 3,
            eta_minutes: EtaRange { lo: 10, hi: 25 },
            status_url: "http://192.0.2.1:8080/t/abc".into(),
            issued_at: "2026-11-30T01:30:00Z".parse().unwrap(),
        }
    }

    fn context(service_en: Option<&str>) -> PrintContext {
        PrintContext {
            centre: "黔江区公共法律服务中心".into(),
            service: "法律援助".into(),
            service_en: service_en.map(str::to_owned),
            window: Some("2号窗口".into()),
            window_en: Some("Window 2".into()),
            masked_name: Some("陈*英".into()),
            utc_offset: FixedOffset::east_opt(8 * 3600).unwrap(),
        }
    }

    #[test]
    fn the_paper_ticket_shows_local_time_masked_name_priority_and_qr() {
        let t = paper_ticket(&issued(), &context(None));
        assert_eq!(t.issued_at.to_string(), "2026-11-30 09:30:00");
        assert_eq!(t.name.unwrap().as_str(), "陈*英");
        assert_eq!(t.service, "法律援助（优先）");
        assert_eq!(t.service_en, None);
        assert_eq!(t.qr.as_deref(), Some("http://192.0.2.1:8080/t/abc"));
        assert_eq!(t.wait_minutes, Some((10, 25)));
    }

    #[test]
    fn an_english_mode_ticket_names_service_and_window_in_both_languages() {
        let t = paper_ticket(&issued(), &context(Some("Legal aid")));
        assert_eq!(t.service, "法律援助（优先）");
        assert_eq!(t.service_en.as_deref(), Some("Legal aid (priority)"));
        assert_eq!(t.window.as_deref(), Some("2号窗口"));
        assert_eq!(t.window_en.as_deref(), Some("Window 2"));
        // What the printer gets: Chinese first, then English, never "Go to 2号窗口".
        let profile = &ticket_printer::profile::GENERIC_80_ZH;
        let layout = ticket_printer::Layout::for_paper(profile.paper);
        let bytes = ticket_printer::encode_ticket(&t, profile, &layout).unwrap();
        let text = ticket_printer::virtual_printer::render(&bytes, profile)[0].text();
        let at = |needle: &str| {
            text.find(needle)
                .unwrap_or_else(|| panic!("{needle:?} is not printed: {text}"))
        };
        assert!(
            at("业务：法律援助（优先）") < at("Service: Legal aid (priority)"),
            "{text}"
        );
        assert!(at("请到 2号窗口 办理") < at("Go to Window 2"), "{text}");
        assert!(!text.contains("Go to 2号"), "{text}");
    }

    #[test]
    fn outcomes_map_to_screen_states_and_staff_alerts() {
        let printed = PrintOutcome::Printed(Printed { status: None });
        assert_eq!(
            classify(&printed),
            (
                PrintState::Printed {
                    paper_near_end: false
                },
                PrinterAlert::Ok
            )
        );
        let out = PrintOutcome::NotPrinted(NotPrinted::PaperOut);
        assert_eq!(
            classify(&out),
            (PrintState::PaperOut, PrinterAlert::PaperOut)
        );
        let mid =
            PrintOutcome::NotPrinted(NotPrinted::Interrupted(Box::new(NotPrinted::CoverOpen)));
        assert_eq!(
            classify(&mid),
            (PrintState::Interrupted, PrinterAlert::CoverOpen)
        );
        let gone = PrintOutcome::NotPrinted(NotPrinted::Unreachable(TransportError::WriteOnly {
            target: "x".into(),
        }));
        assert_eq!(
            classify(&gone),
            (PrintState::Offline, PrinterAlert::Offline)
        );
    }
}
