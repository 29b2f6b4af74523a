//! The kiosk renders its real home screen headless, in both orientations, with the bundled Chinese font.

use kiosk::{
    config::{KioskConfig, Language},
    ui::{
        Page, ShellOptions,
        screenshot::{Shot, render},
    },
};

fn decode(path: &std::path::Path) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

/// Counts pixels in a band of rows that are neither the header red nor near it: the centre's name in white.
fn light_pixels(rgba: &[u8], width: u32, rows: std::ops::Range<u32>) -> usize {
    rows.flat_map(|y| (0..width).map(move |x| ((y * width + x) * 4) as usize))
        .filter(|&i| rgba[i] > 230 && rgba[i + 1] > 230 && rgba[i + 2] > 230)
        .count()
}

#[test]
fn home_screen_renders_portrait_and_landscape_with_chinese_text() {
    let dir = tempfile::tempdir().unwrap();
    let config = KioskConfig::default();
    let shots = [
        Shot {
            page: Page::Home,
            size: (1080, 1920),
            language: Language::Zh,
            elderly: false,
            out: dir.path().join("portrait.png"),
        },
        Shot {
            page: Page::Home,
            size: (1920, 1080),
            language: Language::Zh,
            elderly: false,
            out: dir.path().join("landscape.png"),
        },
        Shot {
            page: Page::Guides,
            size: (1080, 1920),
            language: Language::En,
            elderly: true,
            out: dir.path().join("guides.png"),
        },
    ];
    render(ShellOptions::from_config(&config), &shots).unwrap();

    let (w, h, rgba) = decode(&shots[0].out);
    assert_eq!((w, h), (1080, 1920));
    // The header is the centre's red; its white title glyphs prove the embedded CJK font drew text.
    let top_left = &rgba[0..3];
    assert!(
        top_left[0] > 120 && top_left[1] < 60,
        "header colour {top_left:?}"
    );
    let title_pixels = light_pixels(&rgba, w, 60..180);
    assert!(
        title_pixels > 2_000,
        "title glyphs drawn ({title_pixels} light pixels)"
    );

    let (w, h, _) = decode(&shots[1].out);
    assert_eq!((w, h), (1920, 1080));

    // Elderly mode: black background and yellow accents.
    let (w, _, rgba) = decode(&shots[2].out);
    let bottom = ((1900 * w + 540) * 4) as usize;
    assert!(
        rgba[bottom] < 30 && rgba[bottom + 1] < 30 && rgba[bottom + 2] < 30,
        "elderly background is black"
    );
}
