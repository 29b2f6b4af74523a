//! The hall display: a full-screen page for the large screen in the waiting area, following the queue host.

use std::path::Path;

/// Runs the hall display until its window is closed.
pub fn run_hall_display(config: Option<&Path>) -> anyhow::Result<()> {
    anyhow::bail!("the hall display is being built (config {config:?})")
}
