//! The hall screen's model with an injected clock, and the `[displays]` configuration.

use std::{path::Path, time::Duration};

use chrono::{NaiveDate, NaiveDateTime, TimeZone, Utc};
use content::{ContentConfig, ContentStore, SiteTier};
use displays::led::Announcement;
use kiosk::{
    config::{ConfigError, KioskConfig},
    hall::{
        DisplaysConfig, HallConfig, HallModel, HostMsg, SlideConfig, SlideView, clock_text,
        publicity,
    },
};
use queue::{EventPayload, QueueEvent, TicketId};

fn local(day: u32, h: u32, m: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 1, day)
        .unwrap()
        .and_hms_opt(h, m, 0)
        .unwrap()
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn welcome() -> SlideView {
    SlideView {
        title: "欢迎".into(),
        title_en: "Welcome".into(),
        body: String::new(),
        body_en: String::new(),
    }
}

fn event(seq: u64, payload: EventPayload) -> HostMsg {
    HostMsg::Event(QueueEvent {
        seq,
        at: Utc.with_ymd_and_hms(2026, 1, 5, 1, 0, 0).unwrap(),
        day: NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
        payload,
    })
}

fn called(seq: u64, number: &str, window: u32) -> HostMsg {
    event(
        seq,
        EventPayload::Called {
            ticket_id: seq as TicketId,
            number: number.into(),
            service: "consultation".into(),
            window,
            out_of_order: false,
        },
    )
}

fn recalled(seq: u64, number: &str, window: u32) -> HostMsg {
    event(
        seq,
        EventPayload::Recalled {
            ticket_id: seq as TicketId,
            number: number.into(),
            service: "consultation".into(),
            window,
            recalls: 1,
        },
    )
}

#[test]
fn calls_fill_the_screen_in_turn_then_publicity_returns_and_five_calls_are_listed() {
    let config = HallConfig::default();
    let mut model = HallModel::new(&config, welcome(), secs(0));
    let now = local(5, 9, 30);
    assert_eq!(model.view(secs(0), now).slide, welcome());
    assert!(model.view(secs(0), now).calling.is_none());

    for (i, n) in ["B001", "B002", "B003", "B004", "B005", "B006"]
        .iter()
        .enumerate()
    {
        let announced = model.handle(called(i as u64 + 1, n, 1 + i as u32 % 3), secs(100));
        assert_eq!(announced, Some(Announcement::call(*n, 1 + i as u32 % 3)));
    }
    let view = model.view(secs(100), now);
    // The first call is on show, highlighted; the others wait their turn.
    assert_eq!(
        view.calling.as_ref().map(|c| c.number.as_str()),
        Some("B001")
    );
    assert!(view.highlighted);
    // The list keeps the five latest, newest first.
    let listed: Vec<&str> = view.recent.iter().map(|c| c.number.as_str()).collect();
    assert_eq!(listed, ["B006", "B005", "B004", "B003", "B002"]);
    assert_eq!(view.recent[0].window_name, "3号窗口");
    // Each waiting call gets turn_secs; the last gets call_secs.
    assert_eq!(
        model
            .view(secs(100 + config.turn_secs), now)
            .calling
            .unwrap()
            .number,
        "B002"
    );
    let end = 100 + 5 * config.turn_secs + config.call_secs;
    assert_eq!(
        model.view(secs(end - 1), now).calling.unwrap().number,
        "B006"
    );
    assert!(
        model.view(secs(end), now).calling.is_none(),
        "publicity again"
    );
}

#[test]
fn a_recall_is_highlighted_again_and_moves_to_the_top_once() {
    let mut model = HallModel::new(&HallConfig::default(), welcome(), secs(0));
    model.handle(called(1, "A001", 1), secs(0));
    model.handle(called(2, "A002", 2), secs(1));
    assert_eq!(
        model.handle(recalled(3, "A001", 1), secs(60)),
        Some(Announcement::recall("A001", 1))
    );
    let view = model.view(secs(60), local(5, 10, 0));
    assert!(view.highlighted);
    assert!(view.calling.as_ref().unwrap().recall);
    let listed: Vec<&str> = view.recent.iter().map(|c| c.number.as_str()).collect();
    assert_eq!(listed, ["A001", "A002"]);
}

#[test]
fn other_events_announce_nothing_and_a_new_day_clears_the_list() {
    let mut model = HallModel::new(&HallConfig::default(), welcome(), secs(0));
    model.handle(called(1, "A001", 1), secs(0));
    let started = event(
        2,
        EventPayload::Started {
            ticket_id: 1,
            number: "A001".into(),
            service: "consultation".into(),
            window: 1,
            staff: None,
        },
    );
    assert_eq!(model.handle(started, secs(1)), None);
    assert_eq!(model.handle(HostMsg::Connected(false), secs(1)), None);
    assert!(!model.view(secs(1), local(5, 9, 0)).connected);
    model.handle(
        event(
            3,
            EventPayload::DayReset {
                from: None,
                cancelled: 0,
            },
        ),
        secs(2),
    );
    assert!(model.view(secs(2), local(6, 0, 1)).recent.is_empty());
}

#[test]
fn slides_are_shown_in_turn_while_valid() {
    let slide = |title: &str, from: Option<u32>, until: Option<u32>| SlideConfig {
        title: title.into(),
        title_en: String::new(),
        body: String::new(),
        body_en: String::new(),
        from: from.map(|d| NaiveDate::from_ymd_opt(2026, 1, d).unwrap()),
        until: until.map(|d| NaiveDate::from_ymd_opt(2026, 1, d).unwrap()),
    };
    let config = HallConfig {
        slide_secs: 10,
        slides: vec![
            slide("一直", None, None),
            slide("五号起", Some(5), None),
            slide("四号止", None, Some(4)),
        ],
        ..HallConfig::default()
    };
    let mut model = HallModel::new(&config, welcome(), secs(0));
    let titles = |model: &mut HallModel, day| -> Vec<String> {
        (0..4)
            .map(|i| model.view(secs(i * 10), local(day, 9, 0)).slide.title)
            .collect()
    };
    assert_eq!(titles(&mut model, 4), ["一直", "四号止", "一直", "四号止"]);
    assert_eq!(titles(&mut model, 5), ["一直", "五号起", "一直", "五号起"]);
    let only_past = HallConfig {
        slides: vec![slide("过期", None, Some(1))],
        ..HallConfig::default()
    };
    let mut model = HallModel::new(&only_past, welcome(), secs(0));
    assert_eq!(
        model.view(secs(0), local(5, 9, 0)).slide,
        welcome(),
        "nothing valid: the welcome slide"
    );
}

#[test]
fn the_content_bundles_slides_follow_the_configured_ones_while_valid() {
    let dir = tempfile::tempdir().unwrap();
    let store = ContentStore::open(dir.path(), &ContentConfig::default()).unwrap();
    let content = store.current();
    let config = HallConfig {
        slide_secs: 10,
        slides: vec![SlideConfig {
            title: "本地".into(),
            title_en: String::new(),
            body: String::new(),
            body_en: String::new(),
            from: None,
            until: None,
        }],
        ..HallConfig::default()
    };
    let mut model = HallModel::new(&config, welcome(), secs(0));
    let mut from_content = publicity::slides(&content, SiteTier::Centre);
    // One more that ended yesterday: never shown.
    let mut ended = from_content[0].clone();
    ended.title = "昨天结束".into();
    ended.until = Some(NaiveDate::from_ymd_opt(2026, 1, 4).unwrap());
    from_content.push(ended);
    let count = from_content.len() as u64;
    model.set_content_slides(from_content);
    let titles: Vec<String> = (0..count)
        .map(|i| model.view(secs(i * 10), local(5, 9, 0)).slide.title)
        .collect();
    assert_eq!(titles[0], "本地");
    assert_eq!(titles[1], "12348 公共法律服务热线");
    assert!(!titles.contains(&"昨天结束".to_owned()), "{titles:?}");
}

#[test]
fn clock_reads_in_chinese() {
    assert_eq!(clock_text(local(5, 9, 3)), "2026年1月5日 星期一 09:03");
}

#[test]
fn the_example_file_documents_the_displays_defaults() {
    let text = include_str!("../../../assets/config/kiosk.example.toml");
    let config =
        KioskConfig::parse(text, Path::new("kiosk.example.toml")).expect("the example parses");
    assert_eq!(config.displays, DisplaysConfig::default());
    assert!(config.displays.validate().is_ok());
}

#[test]
fn displays_keys_are_checked() {
    // `[displays]` is checked when the file is read, like every other table: the key is named.
    let parse = |t: &str| KioskConfig::parse(t, Path::new("kiosk.toml"));
    let invalid_key = |t: &str| match parse(t) {
        Err(ConfigError::Invalid { key, .. }) => key,
        other => panic!("{t:?} should be refused as invalid, got {other:?}"),
    };
    let err = parse("[displays.led]\nspeed = 3\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown field"), "{err}");
    assert_eq!(
        invalid_key("[displays.led]\nspeed_px_per_s = 0\n"),
        "displays.led.speed_px_per_s"
    );
    let config = parse("[displays.led.max7219]\nrotate = 90\n").unwrap();
    assert!(config.displays.validate().is_ok());
    assert!(parse("[displays.led.max7219]\nrotate = 45\n").is_err());
    assert_eq!(
        invalid_key("[displays]\nqueue_host = \"192.168.1.10\"\n"),
        "displays.queue_host"
    );
    assert_eq!(
        invalid_key("[displays.hall]\nturn_secs = 99\n"),
        "displays.hall.turn_secs"
    );
    assert_eq!(
        invalid_key("[displays.led]\nsize = \"160\"\n"),
        "displays.led.size"
    );
}

/// A player that records every call it plays; the first call blocks until the test lets it go,
/// so the calls behind it are queued while it plays.
struct RecordingPlayer {
    played: std::sync::Arc<std::sync::Mutex<Vec<Vec<u8>>>>,
    playing: std::sync::Arc<std::sync::atomic::AtomicBool>,
    overlaps: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    started: std::sync::mpsc::Sender<()>,
    release: Option<std::sync::mpsc::Receiver<()>>,
}

impl displays::voice::Player for RecordingPlayer {
    fn play(&mut self, wav: &[u8]) -> Result<(), displays::voice::VoiceError> {
        use std::sync::atomic::Ordering;
        if self.playing.swap(true, Ordering::SeqCst) {
            self.overlaps.fetch_add(1, Ordering::SeqCst);
        }
        let _ = self.started.send(());
        if let Some(release) = self.release.take() {
            // The first call plays until the test has queued the rest of the burst.
            release.recv().expect("the test releases the first call");
        }
        self.played.lock().unwrap().push(wav.to_vec());
        self.playing.store(false, Ordering::SeqCst);
        Ok(())
    }
}

#[test]
fn a_burst_of_calls_is_spoken_completely_in_order_each_with_its_window() {
    use displays::voice::{Announcer, ClipPack, VoiceConfig, VoiceThread, reading};
    use std::sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicUsize, Ordering},
        mpsc,
    };
    let config = VoiceConfig::default();
    let at = local(5, 10, 0);
    let played = Arc::new(Mutex::new(Vec::new()));
    let overlaps = Arc::new(AtomicUsize::new(0));
    let (started_tx, started) = mpsc::channel();
    let (release, release_rx) = mpsc::channel();
    let player = RecordingPlayer {
        played: Arc::clone(&played),
        playing: Arc::new(AtomicBool::new(false)),
        overlaps: Arc::clone(&overlaps),
        started: started_tx,
        release: Some(release_rx),
    };
    let voice = VoiceThread::spawn(Announcer::new(
        ClipPack::bundled().unwrap(),
        config.clone(),
        Box::new(player),
    ))
    .unwrap();
    // The calls come through the hall's model, as on the hall display.
    let mut model = HallModel::new(&HallConfig::default(), welcome(), secs(0));
    let burst = [
        called(1, "A001", 1),
        called(2, "B001", 2),
        recalled(3, "A001", 1),
        called(4, "C001", 3),
        called(5, "A002", 1),
        recalled(6, "C001", 3),
    ];
    let mut calls = Vec::new();
    for (i, msg) in burst.into_iter().enumerate() {
        let call = model
            .handle(msg, secs(i as u64))
            .expect("a call to announce");
        calls.push(call.clone());
        voice.say(call, at);
        if i == 0 {
            // The first call is playing: the rest arrive while it plays.
            started.recv_timeout(Duration::from_secs(30)).unwrap();
        }
    }
    release.send(()).unwrap();
    // Dropping the thread lets it finish every queued call first.
    drop(voice);
    let expected = Announcer::new(
        ClipPack::bundled().unwrap(),
        config,
        Box::new(displays::voice::FilePlayer::new(Path::new("/nonexistent"))),
    );
    let played = played.lock().unwrap();
    assert_eq!(played.len(), calls.len(), "every call is spoken");
    for (call, wav) in calls.iter().zip(played.iter()) {
        // The whole call, from 请 to 窗口, never a part of one.
        assert_eq!(
            Some(wav),
            expected.render(call, at).as_ref(),
            "{} to window {}",
            call.ticket,
            call.window
        );
        let words = reading::spoken_text(&reading::call_words(&call.ticket, call.window));
        assert!(words.ends_with("号窗口"), "{words}");
    }
    let spoken: Vec<(String, u32, bool)> = calls
        .iter()
        .map(|c| (c.ticket.clone(), c.window, c.recall))
        .collect();
    assert_eq!(
        spoken,
        [
            ("A001".to_owned(), 1, false),
            ("B001".to_owned(), 2, false),
            ("A001".to_owned(), 1, true),
            ("C001".to_owned(), 3, false),
            ("A002".to_owned(), 1, false),
            ("C001".to_owned(), 3, true),
        ]
    );
    // Different windows give different calls: the window is part of what is spoken.
    assert_ne!(played[0], played[1]);
    assert_eq!(
        overlaps.load(Ordering::SeqCst),
        0,
        "no call cut into another"
    );
}
