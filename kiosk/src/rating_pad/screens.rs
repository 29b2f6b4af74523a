//! The rating pad's screens rendered headless for the README and the screenshot goldens
//! (`kiosk screenshot --rating-pad --size 1024x600`): serving, prompt, reasons and thanks, each in
//! Chinese, English and elderly mode. The states are reached through the real model with fixed
//! events and times.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use chrono::{NaiveDate, TimeZone as _, Utc};
use slint::{ComponentHandle as _, PhysicalSize};

use super::{
    RatingPad,
    model::{PadTimings, SendOutcome},
};
use crate::ui::screenshot::{self, ScreenshotError};
use queue::{EventPayload, QueueEvent, StaffOnDuty};

/// The window the pictures show.
const WINDOW: u32 = 3;

fn event(payload: EventPayload) -> QueueEvent {
    QueueEvent {
        seq: 1,
        at: Utc
            .with_ymd_and_hms(2026, 11, 29, 1, 30, 0)
            .single()
            .unwrap_or_default(),
        day: NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default(),
        payload,
    }
}

/// Renders the pad's screens at `size` into `out_dir` as `rating-pad-<screen><variant>.png`.
pub fn render(size: (u32, u32), out_dir: &Path) -> Result<Vec<PathBuf>, ScreenshotError> {
    std::fs::create_dir_all(out_dir).map_err(|source| ScreenshotError::Write {
        path: out_dir.to_owned(),
        source,
    })?;
    let platform = screenshot::headless_platform()?;
    platform.set_size(PhysicalSize::new(size.0, size.1));
    let mut pad = RatingPad::new(WINDOW, PadTimings::default())?;
    pad.window().show()?;
    pad.set_service_names([("legal_aid", "法律援助", "Legal aid")]);
    let staff = Some(StaffOnDuty {
        name: "张明".into(),
        staff_id: "QJ-0301".into(),
    });
    let mut written = Vec::new();
    for (suffix, english, elderly) in [
        ("", false, false),
        ("-en", true, false),
        ("-elderly", false, true),
    ] {
        pad.set_english(english);
        pad.set_elderly(elderly);
        let t = Duration::from_secs(1);
        pad.on_event(
            &event(EventPayload::WindowOpened {
                window: WINDOW,
                staff: staff.clone(),
            }),
            t,
        );
        pad.on_event(
            &event(EventPayload::Started {
                ticket_id: 12,
                number: "C012".into(),
                service: "legal_aid".into(),
                window: WINDOW,
                staff: staff.clone(),
            }),
            t,
        );
        let mut shot = |name: &str, pad: &RatingPad| -> Result<(), ScreenshotError> {
            let path = out_dir.join(format!("rating-pad-{name}{suffix}.png"));
            screenshot::capture_window(pad.window().window(), &path)?;
            written.push(path);
            Ok(())
        };
        shot("serving", &pad)?;
        pad.on_event(
            &event(EventPayload::Completed {
                ticket_id: 12,
                number: "C012".into(),
                service: "legal_aid".into(),
                window: WINDOW,
                outcome: "accepted".into(),
                staff: staff.clone(),
            }),
            t,
        );
        shot("prompt", &pad)?;
        pad.choose_score(2, t);
        pad.toggle_reason(0, t);
        pad.toggle_reason(3, t);
        shot("reasons", &pad)?;
        pad.finish_reasons(false, t);
        // As when the host accepted it at once (no "waiting to be sent" in the header).
        pad.answered(SendOutcome::Accepted, t);
        shot("thanks", &pad)?;
        // Back to idle for the next variant.
        pad.tick(t + Duration::from_secs(60));
    }
    pad.window().hide()?;
    Ok(written)
}
