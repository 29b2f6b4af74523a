//! Applications made at the kiosk: 法律援助 (legal aid), 人民调解 (people's mediation) and 公证预约 (a
//! notary appointment), from the first question to the centre's decision.
//!
//! The crate holds what kiosk and centre must agree on and nothing that does I/O:
//!
//! ```text
//!  kind       ApplicationKind: the three kinds, their names and the law behind their time limits
//!  form       the questions of each kind, one per screen, in plain words (Field, FieldType, Choice),
//!             the order and the conditions that skip a question
//!  answers    Answers: what the citizen answered, checked field by field (AnswerError names the field),
//!             and the answers carried over from the legal-aid self-check (SelfCheckCarry)
//!  applicant  Applicant: who applies, from the ID card or typed; masked for every screen
//!  documents  the papers the answers require (RequiredDocument) and the check that each required one
//!             has at least one page
//!  code       TrackingCode: S-XXXX-XXXX, typed or scanned, normalised and checked
//!  state      ApplicationState and ApplicationStatus (what any kiosk or phone may see: no personal
//!             data), the time limits of each step (deadline)
//!  package    Application: the whole application with its pages and signature, packed into one byte
//!             string and unpacked with every length bounded
//!  seal       the envelope: X25519 + HKDF-SHA256 + AES-256-GCM to the centre's public key, so that
//!             nothing on a kiosk's disk can be read without the centre's private key
//!  wire       the routes between kiosk and centre
//! ```

mod answers;
mod applicant;
mod code;
mod documents;
mod error;
pub mod form;
mod kind;
mod package;
pub mod seal;
mod state;
pub mod wire;

pub use answers::{AnswerError, Answers, SelfCheckCarry};
pub use applicant::{Applicant, mask_id_number, mask_name};
pub use code::TrackingCode;
pub use documents::{
    DocumentShortfall, ID_CARD, RequiredDocument, missing_documents, required_documents,
};
pub use error::PackageError;
pub use kind::ApplicationKind;
pub use package::{Application, MAX_PAGE_BYTES, MAX_PAGES, Page};
pub use state::{ApplicationState, ApplicationStatus, Deadline, StatusStep, deadline_after};
