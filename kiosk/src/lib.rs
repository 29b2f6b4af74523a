//! Qianjiang public legal service kiosk. See ARCHITECTURE.md for the map.

pub mod app;
pub mod board;
pub mod config;
pub mod content;
pub mod devices;
pub mod hall;
pub mod health;
pub mod lan;
pub mod led;
pub mod paths;
pub mod queue;
pub mod search;
pub mod startup_probe;
pub mod ui;
pub mod voice;
pub mod watchdog;
