//! The waiting-area displays, without a screen toolkit: the LED panel (scenes, call board, drivers and
//! sinks), the spoken calls (voice), and the hall display's model and publicity. The kiosk draws the hall
//! screen and the development LED window with Slint on top of these.
//!
//! See `displays/README.md`.

pub mod hall;
pub mod led;
pub mod voice;
