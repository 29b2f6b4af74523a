//! The kiosk's services, devices and subcommands against real parts (SQLite files, loopback HTTP, pseudo
//! terminals, the built `kiosk` binary, headless Chromium), one test binary. `cargo test -p kiosk --test
//! integration lan_api::` runs one module.

mod content_cli;
mod devices_sim;
mod hall_model;
mod health_board;
mod health_serve;
mod lan_api;
mod lan_attacks;
mod lan_queue_features;
mod lan_rating;
mod lan_staff_page;
mod led_cli;
mod queue_crash;
mod queue_http_client;
mod screenshots;
mod translations;
mod watchdog_notify;
