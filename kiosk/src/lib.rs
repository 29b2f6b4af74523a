//! Qianjiang public legal service kiosk. See ARCHITECTURE.md for the map.

pub mod lan;
pub mod queue;
