//! How big one A4 page is after crop and compression, and how long a scan takes.
//!
//! ```text
//! cargo run -p docscan --release --example page_size [OUT_DIR]
//! ```
//!
//! Renders an A4 application (bundled Chinese font) on the simulated desk at the two usual
//! still resolutions, scans it with the default settings (colour, grey, and colour without
//! whitening), and prints the JPEG sizes. With `OUT_DIR` it also writes the camera frames (PNG)
//! and the pages (JPEG and a PNG copy).

#![allow(clippy::disallowed_methods)] // Instant::now: the example measures time.

use std::time::Instant;

use docscan::sim::{SimFont, SimPage, SimulatedDesk};
use docscan::{ScanSettings, scan};

static FONT: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-Regular.otf");

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out_dir = std::env::args().nth(1).map(std::path::PathBuf::from);
    let font = SimFont::from_static(FONT)?;
    let page = SimPage::document("法律援助申请表")
        .turned(6.5)
        .moved(0.03, -0.02);
    for (w, h) in [(1600u32, 1200u32), (2592, 1944)] {
        let mut desk = SimulatedDesk::new(w, h, 2026).with_font(font.clone());
        let frame = desk.render(&page, 0);
        for (colour, whiten) in [(true, true), (false, true), (true, false)] {
            let settings = ScanSettings {
                colour,
                whiten,
                ..ScanSettings::default()
            };
            let start = Instant::now();
            let scanned = scan(&frame.view(), &settings)?;
            let took = start.elapsed();
            println!(
                "{w}×{h} frame → {}×{} page, {}{}: {:.0} KB (JPEG quality {}), skew {:+.2}°, mean luma {}, scan {:.0} ms",
                scanned.width,
                scanned.height,
                if colour { "colour" } else { "grey" },
                if whiten { "" } else { ", not whitened" },
                scanned.jpeg.len() as f64 / 1024.0,
                settings.jpeg_quality,
                scanned.skew_degrees,
                scanned.mean_luma,
                took.as_secs_f64() * 1000.0,
            );
            if let Some(dir) = &out_dir {
                let name = format!(
                    "page-{w}x{h}-{}.jpg",
                    if colour { "colour" } else { "grey" }
                );
                std::fs::write(dir.join(&name), &scanned.jpeg)?;
                // A PNG copy for viewers without JPEG support.
                image::load_from_memory(&scanned.jpeg)?
                    .save(dir.join(name.replace(".jpg", ".png")))?;
            }
        }
        if let Some(dir) = &out_dir
            && let Some(img) = frame.into_rgba_image()
        {
            img.save(dir.join(format!("frame-{w}x{h}.png")))?;
        }
    }
    Ok(())
}
