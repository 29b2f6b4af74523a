//! Real clips, encoded by the test, through the real pipeline: good ones play every frame, bad ones
//! are refused by the probe and end with an event, never a hang.

use std::{
    collections::hash_map::DefaultHasher,
    hash::{Hash, Hasher},
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::Duration,
};

use media::{
    Audio, ClipPlayer, ClipSpec, Frame, FrameSink, MediaError, PlayOptions, PlayerEvent, probe,
    write_clip,
};

/// A frame seen: width, height, presentation time, hash of the pixels.
type Seen = (u32, u32, Option<Duration>, u64);

/// Remembers each frame's size, time and a hash of its pixels.
#[derive(Default)]
struct Recorder(Mutex<Vec<Seen>>);

impl FrameSink for Recorder {
    fn frame(&self, frame: &Frame<'_>) {
        let mut h = DefaultHasher::new();
        for row in frame.rows() {
            row.hash(&mut h);
        }
        self.0
            .lock()
            .unwrap()
            .push((frame.width, frame.height, frame.pts, h.finish()));
    }
}

fn fast() -> PlayOptions {
    PlayOptions {
        realtime: false,
        audio: Audio::Silent,
        first_frame_within: Duration::from_secs(5),
        ..PlayOptions::default()
    }
}

fn clip(dir: &Path, name: &str, spec: &ClipSpec) -> PathBuf {
    media::init().unwrap();
    let path = dir.join(name);
    write_clip(&path, spec).unwrap();
    path
}

/// Plays `path` to its end or failure; returns the events and what the sink saw.
fn play(path: &Path, options: &PlayOptions) -> (Vec<PlayerEvent>, Arc<Recorder>) {
    let rec = Arc::new(Recorder::default());
    let player = ClipPlayer::start(path, rec.clone(), options).unwrap();
    let mut events = Vec::new();
    while let Some(e) = player.wait_event(Duration::from_secs(20)) {
        let last = !matches!(e, PlayerEvent::Started { .. });
        events.push(e);
        if last {
            break;
        }
    }
    (events, rec)
}

#[test]
fn a_good_clip_is_probed_and_plays_every_changing_frame_with_the_software_decoder() {
    let dir = tempfile::tempdir().unwrap();
    let path = clip(
        dir.path(),
        "good.mp4",
        &ClipSpec {
            audio: true,
            ..ClipSpec::small(45)
        },
    );
    let info = probe(&path, Duration::from_secs(5)).unwrap();
    assert_eq!((info.width, info.height), (320, 240));
    assert!(info.audio);
    assert!((info.fps - 30.0).abs() < 0.01);
    let duration = info.duration.unwrap();
    assert!(duration >= Duration::from_millis(1400) && duration <= Duration::from_millis(1600));
    assert!(info.video_codec.contains("H.264"), "{}", info.video_codec);

    let (events, rec) = play(&path, &fast());
    match &events[0] {
        PlayerEvent::Started {
            decoder, hardware, ..
        } => {
            assert_eq!(decoder.as_deref(), Some("avdec_h264"));
            assert!(!hardware);
        }
        other => panic!("expected Started, got {other:?}"),
    }
    assert_eq!(events.last(), Some(&PlayerEvent::Ended { frames: 45 }));
    let frames = rec.0.lock().unwrap();
    assert_eq!(frames.len(), 45);
    assert!(frames.iter().all(|f| (f.0, f.1) == (320, 240)));
    assert_ne!(frames[0].3, frames[20].3, "the ball moves");
    let pts: Vec<Duration> = frames.iter().map(|f| f.2.unwrap()).collect();
    assert!(pts.windows(2).all(|p| p[0] < p[1]), "in presentation order");
    assert!(pts[44] >= Duration::from_millis(1400));
}

#[test]
fn real_time_playback_follows_the_clock_and_volume_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = clip(dir.path(), "rt.mp4", &ClipSpec::small(15));
    let rec = Arc::new(Recorder::default());
    let player = ClipPlayer::start(
        &path,
        rec.clone(),
        &PlayOptions {
            realtime: true,
            volume: 0.6,
            ..fast()
        },
    )
    .unwrap();
    assert!((player.volume() - 0.6).abs() < 1e-9);
    player.set_volume(0.1);
    assert!((player.volume() - 0.1).abs() < 1e-9);
    player.set_volume(3.0);
    assert!((player.volume() - 1.0).abs() < 1e-9, "clamped");
    let started = std::time::Instant::now();
    let mut ended = None;
    while let Some(e) = player.wait_event(Duration::from_secs(10)) {
        if let PlayerEvent::Ended { frames } = e {
            ended = Some(frames);
            break;
        }
    }
    assert_eq!(ended, Some(15));
    // 15 frames at 30 fps last half a second when shown at their times.
    assert!(started.elapsed() >= Duration::from_millis(400));
}

#[test]
fn pictures_are_scaled_down_to_fit_keeping_the_aspect_ratio() {
    let dir = tempfile::tempdir().unwrap();
    let path = clip(dir.path(), "fit.mp4", &ClipSpec::small(5));
    let (_, rec) = play(
        &path,
        &PlayOptions {
            fit: Some((160, 160)),
            ..fast()
        },
    );
    let frames = rec.0.lock().unwrap();
    assert_eq!((frames[0].0, frames[0].1), (160, 120));
}

fn is_failure(events: &[PlayerEvent]) -> bool {
    matches!(events.last(), Some(PlayerEvent::Failed(_)))
}

#[test]
fn a_truncated_clip_is_refused_by_the_probe_and_ends_if_played_anyway() {
    let dir = tempfile::tempdir().unwrap();
    let good = clip(dir.path(), "whole.mp4", &ClipSpec::small(60));
    let bytes = std::fs::read(&good).unwrap();
    let cut = dir.path().join("cut.mp4");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let err = probe(&cut, Duration::from_secs(5)).unwrap_err();
    assert_eq!(err.kind(), "not_playable", "{err}");
    assert!(
        err.to_string().contains("cut.mp4"),
        "the error names the file: {err}"
    );

    let (events, rec) = play(
        &cut,
        &PlayOptions {
            first_frame_within: Duration::from_secs(2),
            ..fast()
        },
    );
    assert!(is_failure(&events), "{events:?}");
    assert!(rec.0.lock().unwrap().is_empty());
}

#[test]
fn a_cut_faststart_clip_plays_its_first_part_and_ends() {
    let dir = tempfile::tempdir().unwrap();
    let good = clip(
        dir.path(),
        "fs.mp4",
        &ClipSpec {
            faststart: true,
            ..ClipSpec::small(60)
        },
    );
    let bytes = std::fs::read(&good).unwrap();
    let cut = dir.path().join("fs-cut.mp4");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let (events, rec) = play(&cut, &fast());
    let shown = rec.0.lock().unwrap().len();
    assert!(shown > 0 && shown < 60, "{shown} frames");
    assert!(
        matches!(
            events.last(),
            Some(PlayerEvent::Ended { .. } | PlayerEvent::Failed(_))
        ),
        "{events:?}"
    );
}

#[test]
fn garbage_empty_and_missing_files_are_named_errors() {
    media::init().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.mp4");
    std::fs::write(
        &garbage,
        (0..50_000u32)
            .map(|i| (i * 7919 % 251) as u8)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    let empty = dir.path().join("empty.mp4");
    std::fs::write(&empty, b"").unwrap();
    let missing = dir.path().join("missing.mp4");

    for bad in [&garbage, &empty] {
        let err = probe(bad, Duration::from_secs(5)).unwrap_err();
        assert_eq!(err.kind(), "not_playable", "{err}");
        let (events, rec) = play(bad, &fast());
        assert!(is_failure(&events), "{}: {events:?}", bad.display());
        assert!(rec.0.lock().unwrap().is_empty());
    }
    assert!(matches!(
        probe(&missing, Duration::from_secs(5)),
        Err(MediaError::Unreadable { .. })
    ));
    let err = ClipPlayer::start(&missing, Arc::new(Recorder::default()), &fast()).unwrap_err();
    assert!(matches!(err, MediaError::Unreadable { .. }), "{err}");
}
