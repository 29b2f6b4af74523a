//! Pictures to look at: for each kind of simulated page, the camera frame (PNG) and what
//! `scan` makes of it (the page as PNG, or the refusal printed).
//!
//! ```text
//! cargo run -p docscan --release --example desk_pictures OUT_DIR
//! ```

use docscan::sim::{SimFont, SimPage, SimulatedDesk};
use docscan::{ScanSettings, scan};

static FONT: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-Regular.otf");

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some(dir) = std::env::args().nth(1).map(std::path::PathBuf::from) else {
        eprintln!("usage: desk_pictures OUT_DIR");
        std::process::exit(2);
    };
    let font = SimFont::from_static(FONT)?;
    let pages = [
        (
            "document",
            SimPage::document("法律援助申请表")
                .turned(-9.0)
                .moved(-0.05, 0.02),
        ),
        (
            "id-card",
            SimPage::id_card("居民身份证").turned(7.0).moved(0.1, 0.05),
        ),
        ("blank", SimPage::blank().turned(3.0)),
        ("black", SimPage::black()),
    ];
    for (w, h) in [(640u32, 480u32), (1600, 1200)] {
        let mut desk = SimulatedDesk::new(w, h, 7).with_font(font.clone());
        for (name, page) in &pages {
            let frame = desk.render(page, 0);
            match scan(&frame.view(), &ScanSettings::default()) {
                Ok(scanned) => {
                    println!(
                        "{name} {w}×{h}: {}×{} page, {:.0} KB, skew {:+.2}°",
                        scanned.width,
                        scanned.height,
                        scanned.jpeg.len() as f64 / 1024.0,
                        scanned.skew_degrees
                    );
                    image::load_from_memory(&scanned.jpeg)?
                        .save(dir.join(format!("{name}-{w}x{h}-page.png")))?;
                }
                Err(e) => println!("{name} {w}×{h}: refused: {e} ({})", e.zh()),
            }
            if let Some(img) = frame.into_rgba_image() {
                img.save(dir.join(format!("{name}-{w}x{h}-frame.png")))?;
            }
        }
    }
    Ok(())
}
