//! The injected clock: every rule that depends on time reads it from here.
//!
//! The engine never calls `Utc::now()` itself, so tests and simulations can drive the day boundary,
//! opening hours and waiting times with a [`ManualClock`]. These are the device's one wall clock (the
//! `clock` crate's), under the names the queue has always used.

pub use ::clock::{
    ManualWallClock as ManualClock, SystemWallClock as SystemClock, WallClock as Clock,
};
