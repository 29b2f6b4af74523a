//! Publicity videos on the hall screen, on Slint's testing backend: real clips encoded by the test,
//! played by GStreamer through the real pipeline into the window. Frames change over time, subtitles
//! appear at their times, a call appears above a playing video and its sound ducks under the spoken
//! call, quiet hours mute it, and a corrupt clip is skipped without a black screen.

use std::{
    collections::hash_map::DefaultHasher,
    hash::{Hash, Hasher},
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use chrono::{NaiveDate, NaiveDateTime, TimeZone, Utc};
use content::Text;
use displays::voice::{Announcer, ClipPack, Player, VoiceConfig, VoiceError, VoiceThread};
use i_slint_backend_testing::ElementHandle;
use kiosk::hall::{
    DisplaysConfig, HallDisplay, HallScreen, HostMsg, SlideConfig, VideoEntry, VideoPlayer,
    welcome_slide,
};
use media::{Audio, ClipSpec, PlayOptions};
use queue::{EventPayload, QueueEvent};

const SRT: &str = "1\n00:00:00,000 --> 00:00:00,900\n第一句 first\n\n2\n00:00:01,000 --> 00:00:02,000\n第二句 second\n";

/// The subtitle that belongs to a frame at `pts`.
fn expected_subtitle(pts: Duration) -> &'static str {
    match pts.as_millis() {
        0..900 => "第一句 first",
        1000..2000 => "第二句 second",
        _ => "",
    }
}

fn entry(id: &str, file: PathBuf, subtitles: Option<PathBuf>) -> VideoEntry {
    let title = Text {
        zh: format!("宣传片{id}"),
        en: format!("Clip {id}"),
    };
    VideoEntry::local(id, title, file, subtitles)
}

/// A 2-second clip (60 frames, a moving ball) with its subtitles.
fn clip_with_subtitles(dir: &Path) -> VideoEntry {
    media::init().unwrap();
    let file = dir.join("clip.mp4");
    media::write_clip(&file, &ClipSpec::small(60)).unwrap();
    let srt = dir.join("clip.srt");
    std::fs::write(&srt, SRT).unwrap();
    entry("clip", file, Some(srt))
}

fn local(h: u32, m: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 3, 2)
        .unwrap()
        .and_hms_opt(h, m, 0)
        .unwrap()
}

/// Plays by waiting for the test's go-ahead.
struct Gated(std::sync::mpsc::Receiver<()>);

impl Player for Gated {
    fn play(&mut self, _wav: &[u8]) -> Result<(), VoiceError> {
        self.0.recv().map_err(|e| VoiceError::Play(e.to_string()))
    }
}

struct Hall {
    display: HallDisplay,
    origin: Instant,
}

impl Hall {
    fn new(voice: Option<VoiceThread>, quiet: &[&str]) -> Self {
        i_slint_backend_testing::init_no_event_loop();
        let screen = HallScreen::new("黔江区公共法律服务中心", "Qianjiang").unwrap();
        screen.show().unwrap();
        let mut config = DisplaysConfig::default();
        config.hall.slides = vec![SlideConfig {
            title: "幻灯片".into(),
            title_en: "Slide".into(),
            body: String::new(),
            body_en: String::new(),
            from: None,
            until: None,
        }];
        config.hall.video.slides_between = 0;
        config.hall.video.volume = 80;
        config.hall.video.duck_percent = 25;
        config.voice.quiet_hours = quiet.iter().map(|q| (*q).to_owned()).collect();
        let origin = Instant::now();
        let mut display = HallDisplay::new(
            screen,
            &config,
            welcome_slide("黔江区公共法律服务中心", "Qianjiang"),
            None,
            voice,
            origin.elapsed(),
        );
        display.play_videos(VideoPlayer::new(PlayOptions {
            realtime: true,
            audio: Audio::Silent,
            volume: 0.8,
            first_frame_within: Duration::from_secs(5),
            stall_after: Duration::from_secs(5),
            fit: None,
        }));
        Self { display, origin }
    }

    fn window(&self) -> &kiosk::ui::HallWindow {
        self.display.screen().window()
    }

    /// Refreshes and pumps frames until `done` (at most 30 s); the frames shown are passed to `seen`.
    fn until(
        &mut self,
        what: &str,
        at: NaiveDateTime,
        mut seen: impl FnMut(&Self, Option<Duration>, &str),
        done: impl Fn(&Self) -> bool,
    ) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !done(self) {
            assert!(Instant::now() < deadline, "waiting for {what}");
            self.display.refresh(self.origin.elapsed(), at);
            if let Some((pts, subtitle)) = self.display.pump_video() {
                seen(self, pts, &subtitle);
            }
            // The screen never shows an empty video area.
            let w = self.window();
            if w.get_video_on() {
                assert!(w.get_video_frame().size().width > 0, "a black video area");
            }
            std::thread::yield_now();
        }
    }

    fn has_label(&self, label: &str) -> bool {
        ElementHandle::find_by_accessible_label(self.window(), label)
            .next()
            .is_some()
    }

    fn frame_hash(&self) -> u64 {
        let mut h = DefaultHasher::new();
        if let Some(pixels) = self.window().get_video_frame().to_rgba8() {
            pixels.as_bytes().hash(&mut h);
        }
        h.finish()
    }

    fn figures(&self) -> kiosk::hall::MediaFacts {
        self.display
            .video()
            .unwrap()
            .figures()
            .lock()
            .unwrap()
            .clone()
    }
}

#[test]
fn a_video_plays_with_changing_frames_and_subtitles_at_their_times_then_the_slides_return() {
    let dir = tempfile::tempdir().unwrap();
    let mut hall = Hall::new(None, &[]);
    hall.display
        .set_videos(vec![clip_with_subtitles(dir.path())]);
    let mut hashes = std::collections::HashSet::new();
    let mut subtitles_seen = std::collections::BTreeSet::new();
    hall.until(
        "the clip to end",
        local(10, 0),
        |h, pts, subtitle| {
            let pts = pts.expect("file frames carry their time");
            assert_eq!(subtitle, expected_subtitle(pts), "at {pts:?}");
            assert_eq!(h.window().get_video_subtitle(), expected_subtitle(pts));
            if !subtitle.is_empty() {
                assert!(h.has_label(subtitle), "drawn on screen: {subtitle}");
            }
            hashes.insert(h.frame_hash());
            subtitles_seen.insert(subtitle.to_owned());
        },
        |h| h.figures().ended == 1,
    );
    assert!(hashes.len() >= 5, "{} different frames shown", hashes.len());
    assert!(
        subtitles_seen.contains("第一句 first"),
        "{subtitles_seen:?}"
    );
    assert!(
        subtitles_seen.contains("第二句 second"),
        "{subtitles_seen:?}"
    );
    let f = hall.figures();
    // With slides_between = 0 the clip starts again at once after its end.
    assert!((1..=2).contains(&f.started) && f.failed == 0, "{f:?}");
    assert_eq!(f.decoder.as_deref(), Some("avdec_h264"));
    assert!(f.frames_shown >= 5);
    // The model shows a slide whenever no video may play: take the video away and the slide is back.
    hall.display.set_videos(Vec::new());
    hall.display.refresh(hall.origin.elapsed(), local(10, 1));
    assert!(!hall.window().get_video_on());
    assert!(hall.has_label("幻灯片"));
}

fn called(number: &str, window: u32) -> HostMsg {
    HostMsg::Event(QueueEvent {
        seq: 1,
        at: Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap(),
        day: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
        payload: EventPayload::Called {
            ticket_id: 1,
            number: number.into(),
            service: "consultation".into(),
            window,
            out_of_order: false,
        },
    })
}

#[test]
fn a_call_appears_above_a_playing_video_whose_sound_ducks_under_the_spoken_call() {
    let dir = tempfile::tempdir().unwrap();
    let (go, gate) = std::sync::mpsc::channel();
    let voice = VoiceThread::spawn(Announcer::new(
        ClipPack::bundled().unwrap(),
        VoiceConfig::default(),
        Box::new(Gated(gate)),
    ))
    .unwrap();
    let mut hall = Hall::new(Some(voice), &["12:00-14:00"]);
    let clip = clip_with_subtitles(dir.path());
    hall.display.set_videos(vec![clip]);
    let at = local(10, 0);
    hall.until(
        "the first frame",
        at,
        |_, _, _| {},
        |h| h.window().get_video_on(),
    );
    let volume = |h: &Hall| h.display.video().unwrap().volume();
    assert!((volume(&hall) - 0.8).abs() < 1e-9, "the configured level");

    hall.display
        .handle(called("A012", 3), hall.origin.elapsed(), at);
    hall.display.refresh(hall.origin.elapsed(), at);
    let w = hall.window();
    assert!(
        w.get_calling() && w.get_video_on(),
        "the call above the video, at once"
    );
    assert!(hall.has_label("A012"));
    assert!((volume(&hall) - 0.2).abs() < 1e-9, "ducked to 25 %");
    let before = hall.figures().frames_shown;
    hall.until(
        "frames under the call",
        at,
        |_, _, _| {},
        |h| h.figures().frames_shown >= before + 3,
    );
    assert!(
        hall.window().get_calling(),
        "the call stays while the video plays on"
    );

    // The call is spoken: the sound comes back.
    go.send(()).unwrap();
    hall.until(
        "the sound back",
        at,
        |_, _, _| {},
        |h| (h.display.video().unwrap().volume() - 0.8).abs() < 1e-9,
    );
    // Quiet hours: muted.
    hall.display.refresh(hall.origin.elapsed(), local(12, 30));
    assert_eq!(volume(&hall), 0.0);
    drop(go);
}

#[test]
fn a_corrupt_clip_is_skipped_reported_and_the_next_one_plays_without_a_black_screen() {
    let dir = tempfile::tempdir().unwrap();
    let good = clip_with_subtitles(dir.path());
    let bytes = std::fs::read(&good.file).unwrap();
    let cut = dir.path().join("cut.mp4");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let garbage = dir.path().join("garbage.mp4");
    std::fs::write(&garbage, vec![0x47u8; 4096]).unwrap();
    let mut hall = Hall::new(None, &[]);
    hall.display.set_videos(vec![
        entry("cut", cut, None),
        entry("garbage", garbage, None),
        entry("good", good.file.clone(), None),
    ]);
    hall.until(
        "the good clip on screen",
        local(10, 0),
        |_, _, _| {},
        |h| h.display.video().unwrap().playing() == Some("good") && h.window().get_video_on(),
    );
    let f = hall.figures();
    assert_eq!(f.failed, 2, "{f:?}");
    assert!(
        f.last_failure.as_deref().unwrap().starts_with("garbage: "),
        "{f:?}"
    );
    assert_eq!(hall.display.model().failed_videos(), ["cut", "garbage"]);
    // Reported: /metrics and the heartbeat to the centre carry the skips and why.
    let sources = kiosk::health::HealthSources::new("hall-1", dir.path())
        .with_media(hall.display.video().unwrap().figures());
    let metrics = kiosk::health::metrics::render(&sources.snapshot());
    assert!(metrics.contains("kiosk_video_failed_total 2"), "{metrics}");
    assert!(metrics.contains("kiosk_video_configured 1"), "{metrics}");
    let heartbeat = sources.heartbeat();
    let media = heartbeat.devices.unwrap().media.unwrap();
    assert_eq!(media.failed, 2);
    assert!(media.last_failure.unwrap().contains("garbage.mp4"));
    // The broken ones are not tried again: after the good one, it comes again.
    hall.until(
        "the good clip's end",
        local(10, 0),
        |_, _, _| {},
        |h| h.figures().ended == 1,
    );
    hall.until(
        "the good clip again",
        local(10, 0),
        |_, _, _| {},
        |h| h.figures().started == 2,
    );
    assert_eq!(hall.figures().failed, 2);
    let metrics = kiosk::health::metrics::render(&sources.snapshot());
    assert!(
        metrics.contains("kiosk_video_decoder{decoder=\"avdec_h264\"} 1"),
        "{metrics}"
    );
}
