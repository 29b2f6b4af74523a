//! Publicity video on the hall screen, measured through the real path: GStreamer decodes an H.264 clip
//! (`avdec_h264` here), the hall's player copies each frame into a Slint image, and Slint's software
//! renderer draws the whole hall window for every new frame, as on a board without a GPU.
//!
//! For 720p30 in a 1280×720 window and 1080p30 in a 1920×1080 window: the process's CPU time as a share
//! of one core (all threads: decoding, conversion, copying, drawing), the frames shown and dropped over
//! the clip, and the time from asking for the clip to its first frame on screen (the clip check by
//! GStreamer's Discoverer included). The goal: 720p30 with no dropped frame over 60 s using at most 50 %
//! of one core on the development machine.
//!
//! `cargo bench -p kiosk --bench hall_video` (60 s clips; `-- --secs 10` for shorter ones). With
//! `-- --test` (CI's smoke run) it plays a one-second 320×240 clip and checks that frames were shown.

use std::{
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use content::Text;
use kiosk::{
    hall::{DisplaysConfig, HallDisplay, HallScreen, VideoEntry, VideoPlayer, welcome_slide},
    ui::screenshot,
};
use media::{Audio, ClipSpec, PlayOptions};
use slint::{
    PhysicalSize,
    platform::software_renderer::{MinimalSoftwareWindow, PremultipliedRgbaColor},
};

/// One measured case.
struct Case {
    name: &'static str,
    width: u32,
    height: u32,
    kbps: u32,
}

/// CPU time of this process (user + system, every thread), from `/proc/self/stat` in clock ticks
/// of 1/100 s (Linux's USER_HZ).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of the line: 12 and 13 after the state field.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

fn entry(file: PathBuf) -> VideoEntry {
    let title = Text {
        zh: "基准".into(),
        en: "Benchmark".into(),
    };
    VideoEntry::local("bench", title, file, None)
}

struct Figures {
    cpu_share: f64,
    shown: u64,
    expected: u64,
    first_frame: Duration,
    draw_ms: f64,
}

fn play(platform: &MinimalSoftwareWindow, case: &Case, clip: &Path, secs: u32) -> Figures {
    platform.set_size(PhysicalSize::new(case.width, case.height));
    let screen = HallScreen::new("黔江区公共法律服务中心", "Qianjiang").unwrap();
    screen.show().unwrap();
    let mut config = DisplaysConfig::default();
    config.hall.video.slides_between = 0;
    let mut display = HallDisplay::new(
        screen,
        &config,
        welcome_slide("黔江区公共法律服务中心", "Qianjiang"),
        None,
        None,
        Duration::ZERO,
    );
    display.play_videos(VideoPlayer::new(PlayOptions {
        realtime: true,
        audio: Audio::Silent,
        volume: 0.0,
        first_frame_within: Duration::from_secs(10),
        stall_after: Duration::from_secs(10),
        fit: Some((case.width, case.height)),
    }));
    display.set_videos(vec![entry(clip.to_owned())]);
    let mut buffer = vec![PremultipliedRgbaColor::default(); (case.width * case.height) as usize];
    let local = chrono::NaiveDate::from_ymd_opt(2026, 12, 7)
        .unwrap()
        .and_hms_opt(10, 0, 0)
        .unwrap();
    let start = Instant::now();
    let cpu_start = cpu_time();
    let mut first_frame = None;
    let mut last_refresh = start;
    let mut draw = Duration::ZERO;
    let mut draws = 0u32;
    display.refresh(start.elapsed(), local);
    loop {
        if last_refresh.elapsed() >= Duration::from_millis(100) {
            display.refresh(start.elapsed(), local);
            last_refresh = Instant::now();
        }
        if display.pump_video().is_some() {
            first_frame.get_or_insert_with(|| start.elapsed());
        }
        let t = Instant::now();
        let drawn = platform.draw_if_needed(|renderer| {
            renderer.render(&mut buffer, case.width as usize);
        });
        if drawn {
            draw += t.elapsed();
            draws += 1;
        }
        let figures = display.video().unwrap().figures();
        let f = figures.lock().unwrap().clone();
        if f.ended >= 1 || f.failed >= 1 {
            assert_eq!(f.failed, 0, "the clip failed: {:?}", f.last_failure);
            let wall = start.elapsed();
            return Figures {
                cpu_share: (cpu_time() - cpu_start).as_secs_f64() / wall.as_secs_f64(),
                shown: f.frames_shown,
                expected: u64::from(secs) * 30,
                first_frame: first_frame.unwrap_or_default(),
                draw_ms: draw.as_secs_f64() * 1000.0 / f64::from(draws.max(1)),
            };
        }
        std::thread::sleep(Duration::from_millis(4));
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let smoke = args.iter().any(|a| a == "--test");
    let secs: u32 = args
        .iter()
        .position(|a| a == "--secs")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(if smoke { 1 } else { 60 });
    media::init().expect("GStreamer");
    let platform = screenshot::headless_platform().expect("headless platform");
    let dir = tempfile::tempdir().unwrap();
    let cases: &[Case] = if smoke {
        &[Case {
            name: "240p30 (smoke run)",
            width: 320,
            height: 240,
            kbps: 400,
        }]
    } else {
        &[
            Case {
                name: "720p30",
                width: 1280,
                height: 720,
                kbps: 4000,
            },
            Case {
                name: "1080p30",
                width: 1920,
                height: 1080,
                kbps: 8000,
            },
        ]
    };
    println!(
        "hall video, {secs} s clips, H.264 + AAC, {}",
        media::gstreamer_version()
    );
    for case in cases {
        let clip = dir.path().join(format!("{}.mp4", case.height));
        media::write_clip(
            &clip,
            &ClipSpec {
                width: case.width,
                height: case.height,
                fps: 30,
                frames: secs * 30,
                audio: true,
                faststart: true,
                pattern: "ball",
                kbps: case.kbps,
                preset: if smoke { "ultrafast" } else { "veryfast" },
            },
        )
        .expect("encoding the clip");
        let f = play(&platform, case, &clip, secs);
        let dropped = f.expected.saturating_sub(f.shown);
        println!(
            "{:<20} {}x{} window: CPU {:5.1} % of one core, {} of {} frames shown, {} dropped ({:.2} %), \
             first frame after {} ms, {:.1} ms per window draw",
            case.name,
            case.width,
            case.height,
            f.cpu_share * 100.0,
            f.shown,
            f.expected,
            dropped,
            dropped as f64 * 100.0 / f.expected as f64,
            f.first_frame.as_millis(),
            f.draw_ms,
        );
        assert!(f.shown > 0, "no frame was shown");
    }
}
