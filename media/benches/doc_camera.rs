//! The document camera through its real pipeline, fed by a simulated desk at the kiosk's 10 pictures
//! a second, with an 800×600 preview:
//!
//! - **capture to preview**: from the moment the desk hands out a picture (its number stamped in a
//!   corner block) to that picture reaching the preview sink, p50/p90/max over 100 pictures, at
//!   1600×1200 and 2592×1944 (5 MP, the usual document camera);
//! - **capture**: how long [`DocCamera::capture`] takes at both sizes, asked at random moments
//!   between pictures. It waits for the first picture taken after it is called, so it is about half
//!   a picture's interval (50 ms at 10 fps) plus the pipeline's latency plus the copy of the still.
//!
//! `cargo bench -p media --bench doc_camera`. With `-- --test` (CI's smoke run) it measures 10
//! pictures and 2 captures per size and says the figures are no measurement.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU32, Ordering},
        mpsc,
    },
    time::{Duration, Instant},
};

use media::{
    Frame, FrameSink,
    doc_camera::{
        DocCamera, DocCameraEvent, DocCameraSettings, DocCameraSource, Still, StillSource,
    },
};

const BLOCK: u32 = 128;
const MARK: u8 = 0x5a;
const PREVIEW: (u32, u32) = (800, 600);
const WAIT: Duration = Duration::from_secs(20);

/// A page on a grey desk that stamps each picture's number and remembers when it handed it out.
struct Desk {
    page: Still,
    next: AtomicU32,
    handed_out: Mutex<HashMap<u32, Instant>>,
}

impl StillSource for Desk {
    fn frame(&self) -> Option<Still> {
        let n = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let mut still = self.page.clone();
        still.fill_rect(
            0,
            0,
            BLOCK,
            BLOCK,
            [(n & 0xff) as u8, (n >> 8 & 0xff) as u8, MARK, 255],
        );
        if let Ok(mut handed_out) = self.handed_out.lock() {
            handed_out.insert(n, Instant::now());
        }
        Some(still)
    }
}

/// Reads the number in each preview picture and sends how long it took to get there.
struct Preview {
    desk: Arc<Desk>,
    camera_width: u32,
    latencies: Mutex<mpsc::Sender<Duration>>,
}

impl FrameSink for Preview {
    fn frame(&self, frame: &Frame<'_>) {
        let arrived = Instant::now();
        let at = BLOCK * frame.width / self.camera_width / 2;
        let pixel = frame
            .rows()
            .nth(at as usize)
            .and_then(|row| row.get(at as usize * 4..at as usize * 4 + 4));
        let Some(&[r, g, b, _]) = pixel else { return };
        if b != MARK {
            return;
        }
        let n = u32::from(r) | u32::from(g) << 8;
        let handed_out = self
            .desk
            .handed_out
            .lock()
            .ok()
            .and_then(|mut h| h.remove(&n));
        if let (Some(t), Ok(tx)) = (handed_out, self.latencies.lock()) {
            let _ = tx.send(arrived.duration_since(t));
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn summary(mut samples: Vec<Duration>) -> String {
    samples.sort();
    format!(
        "p50 {:6.2} ms  p90 {:6.2} ms  max {:6.2} ms  (n = {})",
        ms(percentile(&samples, 0.5)),
        ms(percentile(&samples, 0.9)),
        ms(samples.last().copied().unwrap_or_default()),
        samples.len()
    )
}

/// A small deterministic sequence in 0..1 (the capture moments).
fn phases() -> impl Iterator<Item = f64> {
    let mut x: u32 = 0x2545_f491;
    std::iter::repeat_with(move || {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        f64::from(x) / f64::from(u32::MAX)
    })
}

fn measure(width: u32, height: u32, frames: usize, captures: usize) {
    let mut page = Still::filled(width, height, [96, 96, 96, 255]);
    page.fill_rect(
        width / 8,
        height / 8,
        width * 3 / 4,
        height * 3 / 4,
        [255; 4],
    );
    let copy = {
        let t = Instant::now();
        let copied = page.clone();
        let took = t.elapsed();
        std::hint::black_box(copied);
        took
    };
    let desk = Arc::new(Desk {
        page,
        next: AtomicU32::new(0),
        handed_out: Mutex::new(HashMap::new()),
    });
    let (tx, latencies) = mpsc::channel();
    let preview = Arc::new(Preview {
        desk: Arc::clone(&desk),
        camera_width: width,
        latencies: Mutex::new(tx),
    });
    let settings = DocCameraSettings {
        preview_width: PREVIEW.0,
        preview_height: PREVIEW.1,
        ..DocCameraSettings::new(DocCameraSource::simulated(desk.clone()))
    };
    let camera = DocCamera::open(&settings, preview).expect("the simulated camera opens");
    match camera.wait_event(WAIT) {
        Some(DocCameraEvent::Started { first_frame_after }) => println!(
            "{width}×{height}: first preview picture {:.1} ms after opening",
            ms(first_frame_after)
        ),
        other => panic!("{width}×{height}: no first picture: {other:?}"),
    }
    let mut seen = Vec::with_capacity(frames);
    while seen.len() < frames {
        seen.push(
            latencies
                .recv_timeout(WAIT)
                .expect("preview pictures keep coming"),
        );
    }
    let figures = camera.figures();
    println!("  capture → preview   {}", summary(seen));
    println!(
        "  pictures: {} from the camera, {} previewed, {} dropped",
        figures.frames_from_camera, figures.frames_previewed, figures.frames_dropped
    );

    let interval = Duration::from_millis(100);
    let mut took = Vec::with_capacity(captures);
    for phase in phases().take(captures) {
        std::thread::sleep(interval.mul_f64(phase));
        let t = Instant::now();
        let still = camera.capture(WAIT).expect("a still");
        took.push(t.elapsed());
        assert_eq!((still.width, still.height), (width, height));
        assert!(still.is_well_formed());
        assert_eq!(
            still.pixel(width / 2, height / 2),
            Some([255; 4]),
            "the page in the middle"
        );
    }
    println!("  capture()           {}", summary(took));
    println!(
        "  (of which a copy of the still is about {:.2} ms: a clone of the same {:.1} MB)",
        ms(copy),
        (width as f64 * height as f64 * 4.0) / 1e6
    );
}

fn main() {
    let smoke = std::env::args().any(|a| a == "--test");
    media::init().expect("GStreamer");
    println!(
        "document camera, simulated desk at 10 pictures/s, preview {}×{}, {}{}",
        PREVIEW.0,
        PREVIEW.1,
        media::gstreamer_version(),
        if smoke {
            " — smoke run (--test): the figures are no measurement"
        } else {
            ""
        }
    );
    let (frames, captures) = if smoke { (10, 2) } else { (100, 30) };
    for (width, height) in [(1600, 1200), (2592, 1944)] {
        measure(width, height, frames, captures);
    }
}
