//! Kiosk.
