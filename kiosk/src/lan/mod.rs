//! LAN service: the staff API, staff page, phone status page and event stream.

mod serve_cmd;

pub use serve_cmd::{ServeArgs, run_serve};
