//! Chinese search and input without a keyboard: the engine behind the on-screen keyboard.
//!
//! * [`SearchIndex`]: find directory records (names, firms, practice areas, townships…) by pinyin initials
//!   (`zs` → 张三), full or partial pinyin (`zhangsan`, `zhangs`), Chinese characters, or a mix. Personal
//!   names read their surname as a surname (曾 zeng, 单 shan, 解 xie, 欧阳 ou yang…); every other character
//!   is found by any of its readings.
//! * [`Ime`]: typed pinyin to candidate characters and words by common use, with local legal and Qianjiang
//!   terms first.
//! * [`Composer`]: the state of one text being typed (converted text, pending pinyin, candidate pages), as
//!   the on-screen keyboard shows it.
//!
//! No UI here; the kiosk's `ui::keyboard` connects these to the Slint keyboard.

mod composer;
mod ime;
mod index;
mod reading;
/// Generated directory records for tests and benchmarks (feature `sample`); never in the product.
#[cfg(feature = "sample")]
pub mod sample;
mod surname;

pub use composer::Composer;
pub use ime::{Candidate, Ime, WordListError};
pub use index::{FieldKind, Hit, MatchKind, Record, SearchIndex};
