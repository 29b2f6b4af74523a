//! Qianjiang public legal service kiosk. See ARCHITECTURE.md for the map.

pub mod board;
pub mod bookings;
pub mod cli;
pub mod config;
pub mod devices;
pub mod frame_mailbox;
pub mod hall;
pub mod health;
pub mod lan;
pub mod paths;
pub mod rating_pad;
pub mod startup_probe;
pub mod ui;
pub mod video;
pub mod watchdog;
