//! The kiosk's UI on Slint's testing backend, one test binary (one link instead of one per file). Each test
//! runs on its own thread with its own headless platform, so language and elderly mode never leak between
//! tests. `cargo test -p kiosk --test ui take_number::` runs one module.

mod apply;
mod check_in;
mod hall_screen;
mod hall_video;
mod info_about;
mod info_directory;
mod info_feedback;
mod info_guides;
mod info_legal_aid;
mod info_publicity;
mod info_support;
mod keyboard;
mod led_window;
mod rating_pad;
mod shell;
mod take_number;
mod technician;
mod video_call;
