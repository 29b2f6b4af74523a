//! Two calls wired to each other in one process, as the kiosk and a lawyer's browser are through the
//! centre: real webrtcbin on both ends, real ICE over this machine's network address, real VP8 and
//! Opus. Media must flow both ways and the statistics must show it.

use std::{
    sync::{Arc, Mutex, mpsc},
    time::{Duration, Instant},
};

use media::{
    Frame, FrameSink,
    call::{CallEvent, CallMedia, CallRole, CallSettings, CallSignal, IceState},
};

#[derive(Default)]
struct Pictures(Mutex<Vec<(u32, u32)>>);

impl FrameSink for Pictures {
    fn frame(&self, frame: &Frame<'_>) {
        let mut seen = self.0.lock().unwrap();
        if seen.len() < 1000 {
            seen.push((frame.width, frame.height));
        }
    }
}

/// Which side an event came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Kiosk,
    Lawyer,
}

fn events(side: Side, tx: mpsc::Sender<(Side, CallEvent)>) -> media::call::CallEvents {
    let tx = Mutex::new(tx);
    Arc::new(move |event| {
        let _ = tx.lock().unwrap().send((side, event));
    })
}

fn settings(role: CallRole, width: u32, height: u32) -> CallSettings {
    CallSettings {
        role,
        width,
        height,
        framerate: 15,
        ..CallSettings::default()
    }
}

/// Carries the signalling between the two until `done` holds or the time is up.
fn relay(
    rx: &mpsc::Receiver<(Side, CallEvent)>,
    kiosk: &CallMedia,
    lawyer: &CallMedia,
    within: Duration,
    mut done: impl FnMut(&CallMedia, &CallMedia) -> bool,
) -> Vec<(Side, CallEvent)> {
    let deadline = Instant::now() + within;
    let mut seen = Vec::new();
    while !done(kiosk, lawyer) {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "timed out; events so far: {seen:?}");
        let Ok((side, event)) = rx.recv_timeout(left.min(Duration::from_millis(100))) else {
            continue;
        };
        let other = match side {
            Side::Kiosk => lawyer,
            Side::Lawyer => kiosk,
        };
        match &event {
            CallEvent::Signal(CallSignal::Description { kind, sdp }) => {
                other.apply_description(*kind, sdp).unwrap();
            }
            CallEvent::Signal(CallSignal::Candidate { mline, candidate }) => {
                other.add_candidate(*mline, candidate);
            }
            CallEvent::Failed(reason) => panic!("{side:?} failed: {reason}"),
            _ => {}
        }
        seen.push((side, event));
    }
    seen
}

#[test]
fn pictures_and_sound_flow_both_ways_and_the_statistics_show_it() {
    media::init().unwrap();
    let (tx, rx) = mpsc::channel();
    let kiosk_sees = Arc::new(Pictures::default());
    let lawyer_sees = Arc::new(Pictures::default());
    let own = Arc::new(Pictures::default());
    let kiosk = CallMedia::start(
        &settings(CallRole::Offerer, 320, 240),
        kiosk_sees.clone(),
        Some(own.clone()),
        events(Side::Kiosk, tx.clone()),
    )
    .unwrap();
    let lawyer = CallMedia::start(
        &settings(CallRole::Answerer, 352, 288),
        lawyer_sees.clone(),
        None,
        events(Side::Lawyer, tx),
    )
    .unwrap();
    let seen = relay(&rx, &kiosk, &lawyer, Duration::from_secs(30), |k, l| {
        k.remote_frames() >= 30
            && l.remote_frames() >= 30
            && k.remote_audio_buffers() >= 20
            && l.remote_audio_buffers() >= 20
    });
    assert!(
        seen.iter().any(|(side, e)| *side == Side::Kiosk
            && matches!(
                e,
                CallEvent::Connection(IceState::Connected | IceState::Completed)
            )),
        "the kiosk never reported a connection: {seen:?}"
    );
    assert!(seen.contains(&(
        Side::Lawyer,
        CallEvent::RemoteVideo {
            width: 320,
            height: 240
        }
    )));
    // Each side sees the other's picture at the other's size, and the kiosk its own.
    assert!(
        kiosk_sees
            .0
            .lock()
            .unwrap()
            .iter()
            .all(|s| *s == (352, 288))
    );
    assert!(
        lawyer_sees
            .0
            .lock()
            .unwrap()
            .iter()
            .all(|s| *s == (320, 240))
    );
    assert!(own.0.lock().unwrap().iter().all(|s| *s == (320, 240)));
    assert!(kiosk.local_frames() > 0);

    let stats = kiosk.stats(Duration::from_secs(5)).expect("statistics");
    assert!(stats.packets_sent > 0 && stats.bytes_sent > stats.packets_sent);
    assert!(stats.packets_received > 0 && stats.video_packets_received > 0);
    assert!(
        stats.video_packets_received < stats.packets_received,
        "sound is counted too"
    );
}

#[test]
fn audio_only_stops_the_picture_but_not_the_sound() {
    media::init().unwrap();
    let (tx, rx) = mpsc::channel();
    let kiosk = CallMedia::start(
        &settings(CallRole::Offerer, 160, 120),
        Arc::new(Pictures::default()),
        None,
        events(Side::Kiosk, tx.clone()),
    )
    .unwrap();
    let lawyer = CallMedia::start(
        &settings(CallRole::Answerer, 160, 120),
        Arc::new(Pictures::default()),
        None,
        events(Side::Lawyer, tx),
    )
    .unwrap();
    relay(&rx, &kiosk, &lawyer, Duration::from_secs(30), |_, l| {
        l.remote_frames() >= 10
    });
    kiosk.set_sending_video(false);
    assert!(!kiosk.sending_video());
    // Frames already on their way may still arrive: wait until the count stands still while the
    // sound goes on (bounded by the sound, not by a sleep).
    let mut frames = lawyer.remote_frames();
    let mut audio = lawyer.remote_audio_buffers();
    let mut steady_rounds = 0;
    relay(&rx, &kiosk, &lawyer, Duration::from_secs(30), |_, l| {
        if l.remote_audio_buffers() >= audio + 25 {
            steady_rounds = if l.remote_frames() == frames {
                steady_rounds + 1
            } else {
                0
            };
            frames = l.remote_frames();
            audio = l.remote_audio_buffers();
        }
        steady_rounds >= 2
    });
    kiosk.set_sending_video(true);
    let resumed_from = lawyer.remote_frames();
    relay(&rx, &kiosk, &lawyer, Duration::from_secs(30), |_, l| {
        l.remote_frames() >= resumed_from + 5
    });
}

#[test]
fn a_description_that_is_not_sdp_is_refused_with_a_reason() {
    media::init().unwrap();
    let (tx, _rx) = mpsc::channel();
    let kiosk = CallMedia::start(
        &settings(CallRole::Offerer, 160, 120),
        Arc::new(Pictures::default()),
        None,
        events(Side::Kiosk, tx),
    )
    .unwrap();
    let err = kiosk
        .apply_description(media::call::SdpKind::Answer, "\u{0}not sdp")
        .unwrap_err();
    assert!(err.to_string().contains("SDP"), "{err}");
    kiosk.add_candidate(0, "");
    kiosk.add_candidate(0, "candidate:garbage");
}
