//! The touch UI: the Slint components compiled from `ui/`, and the Rust side that drives them.
//!
//! The Slint globals are the only API between the two halves: `Nav`, `Session` and `Theme` for the
//! whole window, and one `…Adapter` global per page or feature (`TakeNumberAdapter`, `GuidesAdapter`,
//! `KeyboardAdapter`…). Pages read properties and raise callbacks; the Rust side sets properties and
//! answers callbacks.

mod generated {
    #![allow(
        missing_docs,
        unreachable_pub,
        unused_qualifications,
        clippy::all,
        clippy::pedantic
    )]
    slint::include_modules!();
}

pub mod apply;
pub mod check_in;
pub mod images;
pub mod info;
pub mod keyboard;
pub mod led_window;
pub mod page_work;
pub mod screenshot;
mod shell;
pub mod take_number;
pub mod technician;
pub mod video_call;

pub use generated::LegalAidAdapter;
pub use generated::{AboutAdapter, AboutService, StaffCard};
pub use generated::{
    AppWindow, CardReaderStatus, HallCall, HallService, HallSlide, HallWindow, LedWindow, Nav,
    Page, ServiceQueueInfo, Session, TakeNumberAdapter, TakeNumberError, TakeNumberStep, Theme,
    TicketPrintStatus,
};
pub use generated::{
    ApplyAdapter, ApplyChoice, ApplyInput, ApplyPaper, ApplyProgressRow, ApplyReviewRow, ApplyStep,
};
pub use generated::{BookingRow, CheckInAdapter, CheckInError, CheckInStep, CheckInTiming};
pub use generated::{CallFallback, CallStep, VideoCallAdapter};
pub use generated::{DeviceStatusRow, TechnicianAdapter};
pub use generated::{DirectoryAdapter, DirectoryDetail, DirectoryOption, DirectoryRow};
pub use generated::{FeedbackAdapter, HomeAdapter};
pub use generated::{GuideDetail, GuideRow, GuidesAdapter};
pub use generated::{KeyboardAdapter, KeyboardMode, KeyboardTestWindow};
pub use generated::{PublicityAdapter, PublicityEntry};
pub use generated::{RatingPadAdapter, RatingPadPhase, RatingPadWindow};
pub use shell::{Shell, ShellOptions};

impl Page {
    /// Every page: the home screen's tiles in their order, then the pages reached otherwise.
    pub const ALL: [Self; 12] = [
        Self::Home,
        Self::TakeNumber,
        Self::Guides,
        Self::Directory,
        Self::LegalAid,
        Self::Publicity,
        Self::Complaints,
        Self::About,
        Self::Technician,
        Self::CheckIn,
        Self::VideoCall,
        Self::Apply,
    ];

    /// The page's name on the command line (`kiosk screenshot --page NAME`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Home => "home",
            Self::TakeNumber => "take-number",
            Self::Guides => "guides",
            Self::Directory => "directory",
            Self::LegalAid => "legal-aid",
            Self::Publicity => "publicity",
            Self::Complaints => "complaints",
            Self::About => "about",
            Self::Technician => "technician",
            Self::CheckIn => "check-in",
            Self::VideoCall => "video-call",
            Self::Apply => "apply",
        }
    }

    /// Looks a page up by its command-line name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|page| page.name() == name)
    }
}
