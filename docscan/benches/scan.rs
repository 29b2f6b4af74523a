//! Benchmarks: `detect_page` on a 640 × 480 preview (the kiosk runs it on every preview frame
//! to draw the outline), `scan` of a 1600 × 1200 and a 2592 × 1944 still (A4 document, default
//! settings: a 1240-pixel colour page, whitened, JPEG quality 75), the JPEG encoder alone, and
//! the simulated desk's frames (the face drawn once, then each frame; with the bundled font).
//!
//! `cargo bench -p docscan --bench scan`; it also prints the size of one A4 page's JPEG.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use docscan::sim::{SimFont, SimPage, SimulatedDesk};
use docscan::{RgbaView, ScanSettings, detect_page, encode_jpeg, scan};

static FONT: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-Regular.otf");

fn font() -> SimFont {
    SimFont::from_static(FONT).expect("the bundled font parses")
}

fn page() -> SimPage {
    SimPage::document("法律援助申请表")
        .turned(6.5)
        .moved(0.03, -0.02)
}

fn detect(c: &mut Criterion) {
    let frame = SimulatedDesk::new(640, 480, 1)
        .with_font(font())
        .render(&page(), 0);
    assert!(detect_page(&frame.view()).is_some());
    c.bench_function("detect_page 640x480", |b| {
        b.iter(|| detect_page(black_box(&frame.view())))
    });
}

fn scans(c: &mut Criterion) {
    let mut group = c.benchmark_group("scan");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(8));
    for (w, h) in [(1600u32, 1200u32), (2592, 1944)] {
        let frame = SimulatedDesk::new(w, h, 1)
            .with_font(font())
            .render(&page(), 0);
        for (name, settings) in [
            ("colour", ScanSettings::default()),
            (
                "grey",
                ScanSettings {
                    colour: false,
                    ..ScanSettings::default()
                },
            ),
        ] {
            let scanned = scan(&frame.view(), &settings).expect("the page scans");
            println!(
                "A4 page from {w}x{h}, {name}: {}x{} px, {:.0} KB",
                scanned.width,
                scanned.height,
                scanned.jpeg.len() as f64 / 1024.0
            );
            group.bench_function(format!("{w}x{h} {name}"), |b| {
                b.iter(|| scan(black_box(&frame.view()), &settings))
            });
        }
    }
    group.finish();
    // The encoder alone, on a page-sized picture (for the share of a scan it takes).
    let frame = SimulatedDesk::new(1240, 1754, 1).render(&SimPage::blank(), 0);
    let view = RgbaView::packed(frame.width, frame.height, &frame.rgba);
    let mut group = c.benchmark_group("encode_jpeg");
    group.sample_size(20);
    group.bench_function("1240x1754 colour q75", |b| {
        b.iter(|| encode_jpeg(black_box(&view), 75, true))
    });
    group.finish();
}

fn simulator(c: &mut Criterion) {
    let mut group = c.benchmark_group("sim");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(6));
    let mut desk = SimulatedDesk::new(1600, 1200, 1).with_font(font());
    let mut buf = Vec::new();
    let mut frame = 0u64;
    // Steady state: the same page, a new frame (fresh noise) each time.
    group.bench_function("frame 1600x1200", |b| {
        b.iter(|| {
            frame += 1;
            desk.render_into(Some(&page()), frame, &mut buf)
        })
    });
    // The page moving under the camera: each frame turns and moves it (face still cached).
    group.bench_function("moving page frame 1600x1200", |b| {
        b.iter(|| {
            frame += 1;
            let angle = (frame % 20) as f32 * 0.5;
            desk.render_into(Some(&page().turned(angle)), frame, &mut buf)
        })
    });
    // A new page: the face is drawn (text with the font) before the frame.
    group.bench_function("first frame of a new page 1600x1200", |b| {
        b.iter(|| {
            frame += 1;
            let title = if frame.is_multiple_of(2) {
                "法律援助申请表"
            } else {
                "经济困难证明"
            };
            desk.render_into(Some(&SimPage::document(title)), frame, &mut buf)
        })
    });
    let mut preview = SimulatedDesk::new(640, 480, 1).with_font(font());
    group.bench_function("frame 640x480", |b| {
        b.iter(|| {
            frame += 1;
            preview.render_into(Some(&page()), frame, &mut buf)
        })
    });
    group.finish();
}

criterion_group!(benches, detect, scans, simulator);
criterion_main!(benches);
