//! The video call to a duty lawyer (视频连线律师) at the centre: who answers ([`roster`], from
//! `[calls]`), the routing ([`board`], pure), the live calls and their sockets ([`hub`], [`ws`]), the
//! advice summaries ([`advice`]) and the calls of the last days ([`log`]). The kiosk's socket is in
//! [`crate::api`], the lawyer's console page and socket in [`crate::web`]; the messages are `videocall::wire`'s.

pub mod advice;
pub mod board;
pub mod hub;
pub mod log;
pub mod roster;
pub mod socket;

pub use hub::CallHub;
pub use roster::{CallsEntry, Roster};
