//! The document camera through its real pipeline (appsrc → videobalance → tee → two appsinks), fed by
//! a simulated desk that draws a page and stamps a frame counter in its top-left corner: the preview
//! arrives at its size, stills at full size with the exact pixels, a retake shows the desk as it is
//! now, brightness reaches both, an unplugged, broken or silent camera is lost with a reason, a
//! missing device is named, and dropping the camera stops its source. No camera is needed (there is
//! none on CI); waits are on channels with timeouts, never sleeps.

use std::{
    path::Path,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
        mpsc,
    },
    thread,
    time::{Duration, Instant},
};

use media::{
    Frame, FrameSink, MediaError,
    doc_camera::{
        DocCamera, DocCameraEvent, DocCameraSettings, DocCameraSource, Still, StillSource,
    },
};

const WAIT: Duration = Duration::from_secs(20);
/// The corner block that carries the frame counter: `[n & 255, n >> 8 & 255, MARK, 255]`.
const BLOCK: u32 = 64;
const MARK: u8 = 0x5a;
const WHITE: [u8; 4] = [255, 255, 255, 255];

fn grey(level: u8) -> [u8; 4] {
    [level, level, level, 255]
}

/// A page on the desk: a white sheet at (`x`, `y`) of `w`×`h` on a grey desk.
fn page(width: u32, height: u32, desk: u8, sheet: (u32, u32, u32, u32)) -> Still {
    let mut still = Still::filled(width, height, grey(desk));
    still.fill_rect(sheet.0, sheet.1, sheet.2, sheet.3, WHITE);
    still
}

fn a4_on_grey() -> Still {
    page(1600, 1200, 96, (200, 150, 1200, 900))
}

/// The counter stamped in `pixel` (the corner block's), if the block is there.
fn counter(pixel: [u8; 4]) -> Option<u32> {
    (pixel[2] == MARK).then(|| u32::from(pixel[0]) | u32::from(pixel[1]) << 8)
}

/// The simulated desk: the page it shows, how often it was asked, and whether it is unplugged.
struct Desk {
    page: Mutex<Still>,
    calls: AtomicU64,
    unplugged: AtomicBool,
    /// Told of every call (the drop test listens).
    asked: Mutex<Option<mpsc::Sender<u64>>>,
}

impl Desk {
    fn new(page: Still) -> Arc<Self> {
        Arc::new(Self {
            page: Mutex::new(page),
            calls: AtomicU64::new(0),
            unplugged: AtomicBool::new(false),
            asked: Mutex::new(None),
        })
    }

    fn show(&self, page: Still) {
        *self.page.lock().unwrap() = page;
    }
}

impl StillSource for Desk {
    fn frame(&self) -> Option<Still> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some(tx) = &*self.asked.lock().unwrap() {
            let _ = tx.send(n);
        }
        if self.unplugged.load(Ordering::SeqCst) {
            return None;
        }
        let mut still = self.page.lock().unwrap().clone();
        let stamp = [(n & 0xff) as u8, (n >> 8 & 0xff) as u8, MARK, 255];
        still.fill_rect(0, 0, BLOCK, BLOCK, stamp);
        Some(still)
    }
}

/// What the preview sink saw of one picture.
#[derive(Debug, Clone, Copy)]
struct Seen {
    width: u32,
    height: u32,
    /// The middle pixel.
    center: [u8; 4],
    /// A pixel on the left edge, half way down (the desk, outside the sheet).
    left: [u8; 4],
    /// The counter in the corner block.
    counter: Option<u32>,
}

fn pixel_of(frame: &Frame<'_>, x: u32, y: u32) -> [u8; 4] {
    let at = x as usize * 4;
    frame
        .rows()
        .nth(y as usize)
        .and_then(|row| row.get(at..at + 4))
        .and_then(|p| p.try_into().ok())
        .unwrap_or([0; 4])
}

/// Sends what it sees of each preview picture to the test.
struct Preview(Mutex<mpsc::Sender<Seen>>);

impl FrameSink for Preview {
    fn frame(&self, frame: &Frame<'_>) {
        let block = BLOCK * frame.width / 1600;
        let seen = Seen {
            width: frame.width,
            height: frame.height,
            center: pixel_of(frame, frame.width / 2, frame.height / 2),
            left: pixel_of(frame, 2, frame.height / 2),
            counter: counter(pixel_of(frame, block / 2, block / 2)),
        };
        let _ = self.0.lock().unwrap().send(seen);
    }
}

fn preview() -> (Arc<Preview>, mpsc::Receiver<Seen>) {
    let (tx, rx) = mpsc::channel();
    (Arc::new(Preview(Mutex::new(tx))), rx)
}

/// The next preview picture for which `wanted` holds.
fn preview_where(rx: &mpsc::Receiver<Seen>, what: &str, wanted: impl Fn(&Seen) -> bool) -> Seen {
    let deadline = Instant::now() + WAIT;
    let mut last = None;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(seen) if wanted(&seen) => return seen,
            Ok(seen) => last = Some(seen),
            Err(_) => panic!("no preview picture with {what}; the last one: {last:?}"),
        }
    }
}

fn settings(source: Arc<dyn StillSource>) -> DocCameraSettings {
    DocCameraSettings {
        preview_width: 400,
        preview_height: 300,
        ..DocCameraSettings::new(DocCameraSource::simulated(source))
    }
}

fn open(settings: &DocCameraSettings, preview: Arc<Preview>) -> DocCamera {
    let camera = DocCamera::open(settings, preview).unwrap();
    match camera.wait_event(WAIT) {
        Some(DocCameraEvent::Started { .. }) => camera,
        other => panic!("expected the first picture, got {other:?}"),
    }
}

/// The next `Lost` event, skipping the others.
fn lost(camera: &DocCamera) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match camera.wait_event(left) {
            Some(DocCameraEvent::Lost { reason }) => return reason,
            Some(_) => {}
            None => panic!("the camera was not lost in time"),
        }
    }
}

fn mean(still: &Still) -> f64 {
    let sum: u64 = still
        .rgba
        .chunks_exact(4)
        .map(|p| u64::from(p[0]) + u64::from(p[1]) + u64::from(p[2]))
        .sum();
    sum as f64 / (still.rgba.len() / 4 * 3) as f64
}

#[test]
fn preview_and_stills_show_the_desk_and_a_retake_shows_it_as_it_is_now() {
    let desk = Desk::new(a4_on_grey());
    let (sink, seen) = preview();
    let camera = open(&settings(desk.clone()), sink);

    let first = preview_where(&seen, "a counter", |s| s.counter.is_some());
    assert_eq!(
        (first.width, first.height),
        (400, 300),
        "the preview's size"
    );
    assert_eq!(
        first.center, WHITE,
        "the sheet in the middle of the preview"
    );
    assert_eq!(first.left, grey(96), "the desk at the preview's left edge");

    let still = camera.capture(WAIT).unwrap();
    assert_eq!((still.width, still.height), (1600, 1200));
    assert!(still.is_well_formed(), "tightly packed: {still:?}");
    assert_eq!(still.pixel(800, 600), Some(WHITE));
    assert_eq!(still.pixel(100, 600), Some(grey(96)));
    assert_eq!(
        still.pixel(199, 600),
        Some(grey(96)),
        "the sheet's left edge, exact"
    );
    assert_eq!(still.pixel(200, 600), Some(WHITE));
    let n1 = still.pixel(32, 32).and_then(counter).expect("the counter");

    // The sheet moved and the desk is darker: the next still shows it, never the old picture.
    desk.show(page(1600, 1200, 40, (700, 500, 600, 500)));
    let moved = camera.capture(WAIT).unwrap();
    assert_eq!(moved.pixel(100, 600), Some(grey(40)), "the new desk");
    assert_eq!(moved.pixel(300, 300), Some(grey(40)), "where the sheet was");
    assert_eq!(moved.pixel(1000, 700), Some(WHITE), "where the sheet is");
    let n2 = moved.pixel(32, 32).and_then(counter).expect("the counter");
    assert!(n2 > n1, "a later picture: {n2} after {n1}");

    desk.show(page(1600, 1200, 160, (700, 500, 600, 500)));
    let again = camera.capture(WAIT).unwrap();
    assert_eq!(
        again.pixel(100, 600),
        Some(grey(160)),
        "the desk changed again"
    );
    assert!(again.pixel(32, 32).and_then(counter).unwrap() > n2);

    let later = preview_where(&seen, "the new desk", |s| s.left == grey(160));
    assert_eq!((later.width, later.height), (400, 300));

    let figures = camera.figures();
    assert!(figures.frames_previewed >= 2, "{figures:?}");
    assert!(
        figures.frames_from_camera >= figures.frames_previewed,
        "{figures:?}"
    );
    assert!(figures.last_capture_ms.is_some(), "{figures:?}");
    assert_eq!(camera.lost(), None);
}

#[test]
fn brightness_reaches_the_stills_and_the_preview() {
    let desk = Desk::new(a4_on_grey());
    let (sink, seen) = preview();
    let camera = open(&settings(desk), sink);
    assert_eq!(camera.brightness(), 0.0);
    let plain = camera.capture(WAIT).unwrap();

    assert_eq!(camera.set_brightness(0.3), 0.3);
    let brighter = camera.capture(WAIT).unwrap();
    let (before, after) = (mean(&plain), mean(&brighter));
    assert!(
        after > before + 20.0,
        "the mean went from {before:.1} to {after:.1}"
    );
    let desk_pixel = brighter.pixel(100, 600).unwrap();
    assert!(
        desk_pixel[0] > 96 + 40,
        "the grey desk is lighter: {desk_pixel:?}"
    );
    preview_where(&seen, "a lighter desk", |s| s.left[0] > 96 + 40);

    assert_eq!(camera.set_brightness(5.0), 0.5, "clamped");
    assert_eq!(camera.set_brightness(-5.0), -0.5, "clamped");
    assert_eq!(camera.set_brightness(f64::NAN), -0.5, "a NaN is ignored");
    let darker = camera.capture(WAIT).unwrap();
    assert!(
        mean(&darker) < before - 20.0,
        "{} vs {before}",
        mean(&darker)
    );
}

#[test]
fn an_unplugged_camera_is_lost_and_a_capture_then_says_so() {
    let desk = Desk::new(a4_on_grey());
    let (sink, _seen) = preview();
    let camera = open(&settings(desk.clone()), sink);
    camera.capture(WAIT).unwrap();

    desk.unplugged.store(true, Ordering::SeqCst);
    let reason = lost(&camera);
    assert!(reason.contains("unplugged"), "{reason}");
    assert_eq!(camera.lost().as_deref(), Some(reason.as_str()));
    match camera.capture(WAIT) {
        Err(e @ MediaError::CameraLost { .. }) => {
            assert!(e.to_string().contains("unplugged"), "{e}");
            assert_eq!(e.kind(), "camera_lost");
        }
        other => panic!("expected CameraLost, got {other:?}"),
    }
    assert_eq!(camera.try_event(), None, "the loss is reported once");
}

#[test]
fn a_picture_whose_bytes_do_not_match_its_size_loses_the_camera() {
    struct Broken;
    impl StillSource for Broken {
        fn frame(&self) -> Option<Still> {
            Some(Still {
                width: 1600,
                height: 1200,
                rgba: vec![0; 1000],
            })
        }
    }
    let (sink, _seen) = preview();
    let camera = DocCamera::open(&settings(Arc::new(Broken)), sink).unwrap();
    let reason = lost(&camera);
    assert!(
        reason.contains("1600×1200") && reason.contains("1000 bytes"),
        "{reason}"
    );
    assert!(matches!(
        camera.capture(Duration::from_secs(1)),
        Err(MediaError::CameraLost { .. })
    ));
}

#[test]
fn a_change_of_picture_size_is_followed_and_the_preview_keeps_its_size() {
    let desk = Desk::new(a4_on_grey());
    let (sink, seen) = preview();
    let camera = open(&settings(desk.clone()), sink);
    assert_eq!(camera.capture(WAIT).unwrap().width, 1600);

    desk.show(page(800, 600, 40, (100, 75, 600, 450)));
    let small = camera.capture(WAIT).unwrap();
    assert_eq!((small.width, small.height), (800, 600));
    assert!(small.is_well_formed());
    assert_eq!(small.pixel(50, 300), Some(grey(40)));
    assert_eq!(small.pixel(400, 300), Some(WHITE));
    let after = preview_where(&seen, "the small picture", |s| s.left == grey(40));
    assert_eq!((after.width, after.height), (400, 300));

    desk.show(page(2592, 1944, 160, (300, 200, 2000, 1500)));
    let large = camera.capture(WAIT).unwrap();
    assert_eq!((large.width, large.height), (2592, 1944));
    assert_eq!(large.pixel(150, 972), Some(grey(160)));
    assert_eq!(camera.lost(), None);
}

/// Gives one picture, then one more each time the test allows it (unplugged when not allowed in
/// time, so that a failing test cannot hang the camera's drop).
struct Gated {
    page: Still,
    first: AtomicBool,
    allow: Mutex<mpsc::Receiver<()>>,
}

impl StillSource for Gated {
    fn frame(&self) -> Option<Still> {
        let allowed = self.first.swap(false, Ordering::SeqCst)
            || self.allow.lock().unwrap().recv_timeout(WAIT).is_ok();
        allowed.then(|| self.page.clone())
    }
}

#[test]
fn a_capture_waits_for_a_new_picture_and_a_silent_camera_is_lost() {
    let (allow_tx, allowed) = mpsc::channel();
    let gated = Arc::new(Gated {
        page: a4_on_grey(),
        first: AtomicBool::new(true),
        allow: Mutex::new(allowed),
    });
    let (sink, _seen) = preview();
    let settings = DocCameraSettings {
        stall_after: Duration::from_secs(2),
        ..settings(gated)
    };
    let camera = open(&settings, sink);
    // Dropped before the camera, even by a failing assertion: the source's thread is let go.
    let allow = allow_tx;
    // The only picture is older than the request: it is not given as a still.
    match camera.capture(Duration::from_millis(300)) {
        Err(e @ MediaError::CaptureTimeout { .. }) => {
            assert_eq!(
                e.to_string(),
                "the document camera gave no new picture within 300 ms"
            );
        }
        other => panic!("expected CaptureTimeout, got {other:?}"),
    }
    // Two more pictures, allowed while the capture waits: the first was asked for (and stamped)
    // before the capture, so only the second is new enough.
    let allow_two = allow.clone();
    let releaser = thread::spawn(move || {
        allow_two.send(()).unwrap();
        allow_two.send(()).unwrap();
    });
    let still = camera.capture(WAIT).unwrap();
    releaser.join().unwrap();
    assert_eq!(still.pixel(800, 600), Some(WHITE));

    let reason = lost(&camera);
    assert_eq!(reason, "no picture from the camera for 2000 ms");
    assert!(matches!(
        camera.capture(WAIT),
        Err(MediaError::CameraLost { .. })
    ));
}

#[test]
fn a_missing_device_is_unavailable_and_named() {
    let mut devices = vec!["/dev/video-does-not-exist"];
    if !Path::new("/dev/video0").exists() {
        devices.push("/dev/video0");
    }
    for device in devices {
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let (sink, _seen) = preview();
            let settings = DocCameraSettings::new(DocCameraSource::device(device));
            let _ = tx.send(DocCamera::open(&settings, sink).map(|_| ()));
        });
        let result = rx
            .recv_timeout(WAIT)
            .unwrap_or_else(|_| panic!("opening {device} did not end in time"));
        match result {
            Err(e @ MediaError::CameraUnavailable { .. }) => {
                let text = e.to_string();
                assert!(
                    text.starts_with(&format!("document camera {device}: cannot be opened: ")),
                    "{text}"
                );
                assert!(
                    text.contains(&format!("'{device}'")),
                    "GStreamer's reason: {text}"
                );
                assert_eq!(e.kind(), "camera_unavailable");
            }
            other => panic!("{device}: expected CameraUnavailable, got {other:?}"),
        }
    }
}

#[test]
fn dropping_the_camera_stops_its_source() {
    let desk = Desk::new(a4_on_grey());
    let (asked_tx, asked) = mpsc::channel();
    *desk.asked.lock().unwrap() = Some(asked_tx);
    let (sink, seen) = preview();
    let settings = settings(desk.clone());
    let camera = open(&settings, sink);
    for _ in 0..3 {
        asked
            .recv_timeout(WAIT)
            .expect("the desk is asked for pictures");
    }
    preview_where(&seen, "a picture", |_| true);
    drop(camera);
    drop(settings);
    let calls = desk.calls.load(Ordering::SeqCst);
    // The source's thread has ended and let go of the desk ...
    assert_eq!(Arc::strong_count(&desk), 1, "only the test holds the desk");
    // ... and asks for nothing more (calls made before the drop are drained first).
    while let Ok(n) = asked.try_recv() {
        assert!(n <= calls, "call {n} after the drop (there were {calls})");
    }
    assert!(
        asked.recv_timeout(Duration::from_millis(500)).is_err(),
        "the desk was asked for a picture after the camera was dropped"
    );
    assert_eq!(desk.calls.load(Ordering::SeqCst), calls);
}

#[test]
fn a_camera_can_be_shared_between_threads() {
    fn send_and_sync<T: Send + Sync>() {}
    send_and_sync::<DocCamera>();
    send_and_sync::<Still>();
}

#[test]
fn listing_the_cameras_does_not_fail_without_any() {
    media::init().unwrap();
    let devices = DocCamera::list_devices().unwrap();
    for device in &devices {
        assert!(!device.name.is_empty(), "{device:?}");
    }
    if !Path::new("/dev/video0").exists() {
        assert!(
            devices
                .iter()
                .all(|d| d.path.is_none() || d.path.as_deref().is_some_and(Path::exists))
        );
    }
}
