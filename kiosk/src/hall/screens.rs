//! The hall screen playing a publicity video, rendered headless for the README (`kiosk screenshot
//! --hall --size 1280x720`): the bundled sample clip with its subtitle on screen, and the same with a
//! call above it. The frames come from the real pipeline (GStreamer decoding the bundled clip), so the
//! pictures are not byte-for-byte goldens: a test checks what they show instead.

use std::{
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use chrono::{NaiveDate, TimeZone as _, Utc};
use slint::PhysicalSize;

use super::{
    DisplaysConfig, HallDisplay, HallScreen, HostMsg, VideoPlayer, publicity, welcome_slide,
};
use crate::ui::screenshot::{self, ScreenshotError};
use content::{ContentConfig, ContentStore, SiteTier};
use queue::{EventPayload, QueueEvent};

/// The time within the sample clip the pictures show (its first subtitle is on screen).
const AT: Duration = Duration::from_secs(2);

fn failed(reason: impl std::fmt::Display) -> ScreenshotError {
    ScreenshotError::Flow(format!("hall video: {reason}"))
}

/// Renders `hall-video.png` and `hall-video-call.png` at `size` into `out_dir`; `data_dir` holds the
/// content store with the bundled sample video.
pub fn render(
    size: (u32, u32),
    out_dir: &Path,
    data_dir: &Path,
) -> Result<Vec<PathBuf>, ScreenshotError> {
    std::fs::create_dir_all(out_dir).map_err(|source| ScreenshotError::Write {
        path: out_dir.to_owned(),
        source,
    })?;
    media::init().map_err(failed)?;
    let platform = screenshot::headless_platform()?;
    platform.set_size(PhysicalSize::new(size.0, size.1));
    let screen = HallScreen::new(
        "黔江区公共法律服务中心",
        "Qianjiang District Public Legal Service Centre",
    )?;
    screen.show()?;
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
    let store = ContentStore::open(data_dir, &ContentConfig::default()).map_err(failed)?;
    let videos = publicity::videos(&store.current(), SiteTier::Centre, "");
    if videos.is_empty() {
        return Err(failed("the bundled content has no video"));
    }
    display.set_videos(videos);
    display.play_videos(VideoPlayer::new(media::PlayOptions {
        realtime: false,
        audio: media::Audio::Silent,
        volume: 0.0,
        first_frame_within: Duration::from_secs(10),
        stall_after: Duration::from_secs(10),
        fit: Some(size),
    }));
    let local = NaiveDate::from_ymd_opt(2026, 11, 29)
        .and_then(|d| d.and_hms_opt(9, 30, 0))
        .unwrap_or_default();
    let now = Duration::from_secs(1);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        display.refresh(now, local);
        if let Some((Some(pts), _)) = display.pump_video()
            && pts >= AT
        {
            break;
        }
        if Instant::now() > deadline {
            return Err(failed("no frame of the sample clip within 30 s"));
        }
        std::thread::yield_now();
    }
    // The player goes on in the background; the screen keeps the frame it was given.
    let window = slint::ComponentHandle::clone_strong(display.screen().window());
    let mut written = Vec::new();
    let path = out_dir.join("hall-video.png");
    screenshot::capture_window(slint::ComponentHandle::window(&window), &path)?;
    written.push(path);

    display.handle(
        HostMsg::Event(QueueEvent {
            seq: 1,
            at: Utc
                .with_ymd_and_hms(2026, 11, 29, 1, 30, 0)
                .single()
                .unwrap_or_default(),
            day: NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default(),
            payload: EventPayload::Called {
                ticket_id: 12,
                number: "A012".into(),
                service: "consultation".into(),
                window: 3,
                out_of_order: false,
            },
        }),
        now,
        local,
    );
    // Past the call's flashing time, so the picture shows the overlay, not the flash colour.
    display.refresh(now + Duration::from_secs(5), local);
    let path = out_dir.join("hall-video-call.png");
    screenshot::capture_window(slint::ComponentHandle::window(&window), &path)?;
    written.push(path);
    Ok(written)
}
