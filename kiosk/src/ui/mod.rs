//! The touch UI: the Slint components compiled from `ui/`, and the Rust side that drives them.
//!
//! The Slint globals (`Nav`, `Session`, `Theme`) are the only API between the two halves: pages read
//! properties and raise callbacks; the Rust side sets properties and answers callbacks.

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

pub mod images;
pub mod info;
pub mod keyboard;
pub mod led_window;
pub mod screenshot;
mod shell;
pub mod take_number;
pub mod technician;

pub use generated::InfoFeedback;
pub use generated::InfoLegalAid;
pub use generated::{AboutService, InfoAbout, StaffCard};
pub use generated::{
    AppWindow, HallCall, HallService, HallSlide, HallWindow, LedWindow, Nav, Page, Session,
    TakeNumber, Theme, TnError, TnPrint, TnReader, TnService, TnStep,
};
pub use generated::{DirectoryDetail, DirectoryOption, DirectoryRow, InfoDirectory};
pub use generated::{GuideDetail, GuideRow, InfoGuides};
pub use generated::{InfoPublicity, PubItem};
pub use generated::{KeyboardAdapter, KeyboardMode, KeyboardTestWindow};
pub use generated::{TechStatusRow, Technician};
pub use shell::{Shell, ShellOptions};

impl Page {
    /// Every page: the home screen's tiles in their order, then the pages reached otherwise.
    pub const ALL: [Self; 9] = [
        Self::Home,
        Self::TakeNumber,
        Self::Guides,
        Self::Directory,
        Self::LegalAid,
        Self::Publicity,
        Self::Complaints,
        Self::About,
        Self::Technician,
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
        }
    }

    /// Looks a page up by its command-line name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|page| page.name() == name)
    }
}
