//! Spoken calls: reading rules, the clip pack, concatenation, repeat, volume, quiet hours, players.

use chrono::{NaiveDate, NaiveTime};
use displays::led::Announcement;
use displays::voice::{
    Announcer, ClipPack, FilePlayer, Player, QuietHours, VoiceConfig, VoiceError, VoiceThread,
    reading::{Word, all_clips, call_words, number_words, spoken_text, ticket_words},
    wav,
};

#[test]
fn a_call_reads_letters_as_letters_digits_one_by_one_and_the_window_as_a_number() {
    assert_eq!(spoken_text(&call_words("A012", 3)), "请A零一二号到三号窗口");
    assert_eq!(
        spoken_text(&call_words("B100", 12)),
        "请B一零零号到十二号窗口"
    );
    assert_eq!(spoken_text(&call_words("ab-7", 20)), "请AB七号到二十号窗口");
    let clips: Vec<String> = call_words("A012", 3).into_iter().map(Word::clip).collect();
    assert_eq!(
        clips,
        [
            "qing",
            "letter-a",
            "digit-0",
            "digit-1",
            "digit-2",
            "hao",
            "dao",
            "digit-3",
            "hao",
            "chuangkou"
        ]
    );
}

#[test]
fn window_numbers_read_as_mandarin_numbers() {
    let read = |n| spoken_text(&number_words(n));
    let cases = [
        (0, "零"),
        (3, "三"),
        (10, "十"),
        (11, "十一"),
        (20, "二十"),
        (21, "二十一"),
        (100, "一百"),
        (101, "一百零一"),
        (105, "一百零五"),
        (110, "一百一十"),
        (999, "九百九十九"),
        (1000, "一千"),
        (1005, "一千零五"),
        (1010, "一千零一十"),
        (2300, "二千三百"),
        (12345, "一二三四五"),
    ];
    for (n, text) in cases {
        assert_eq!(read(n), text, "{n}");
    }
}

#[test]
fn ticket_digits_are_never_read_as_a_number() {
    assert_eq!(spoken_text(&ticket_words("A100")), "A一零零");
    assert_eq!(spoken_text(&ticket_words("号码")), "");
}

#[test]
fn the_bundled_pack_has_every_clip_at_one_rate() {
    let pack = ClipPack::bundled().expect("the bundled pack loads");
    for name in all_clips() {
        let clip = pack.clip(&name).unwrap_or_else(|| panic!("clip {name}"));
        // A clip is a spoken word: between 0.05 s and 2 s.
        let secs = clip.len() as f64 / f64::from(pack.sample_rate());
        assert!((0.05..2.0).contains(&secs), "{name}: {secs} s");
        assert!(
            clip.iter().any(|s| s.unsigned_abs() > 1000),
            "{name} is not silent"
        );
    }
    assert!(pack.clip("chime").is_some());
}

#[test]
fn composing_concatenates_clips_with_gaps_repeats_and_scales_the_volume() {
    let pack = ClipPack::bundled().unwrap();
    let words = call_words("A012", 3);
    let once = pack.compose(&words, 1, 100, false);
    let clips: usize = words
        .iter()
        .map(|w| pack.clip(&w.clip()).unwrap().len())
        .sum();
    assert!(once.len() > clips, "gaps between words");
    // The first word's clip starts the call, unchanged at full volume.
    let qing = pack.clip("qing").unwrap();
    assert_eq!(&once[..qing.len()], qing);
    let twice = pack.compose(&words, 2, 100, false);
    assert!(twice.len() > 2 * once.len(), "a pause between repetitions");
    assert_eq!(&twice[..once.len()], once.as_slice());
    let half = pack.compose(&words, 1, 50, false);
    assert_eq!(half.len(), once.len());
    let peak = |s: &[i16]| s.iter().map(|x| x.unsigned_abs()).max().unwrap();
    assert_eq!(peak(&half), peak(&once) / 2);
    assert!(pack.compose(&words, 1, 0, false).iter().all(|&s| s == 0));
    let with_chime = pack.compose(&words, 1, 100, true);
    assert!(with_chime.len() > once.len() + pack.clip("chime").unwrap().len());
}

#[test]
fn wav_files_round_trip_and_bad_ones_are_refused() {
    let samples = [0i16, 1, -1, i16::MAX, i16::MIN, 1234];
    let bytes = wav::encode(11_025, &samples);
    assert_eq!(
        wav::parse(&bytes).unwrap(),
        wav::Pcm {
            rate: 11_025,
            samples: samples.to_vec()
        }
    );
    assert_eq!(wav::parse(b"RIFF"), Err(wav::WavError::NotWav));
    assert_eq!(wav::parse(&bytes[..30]), Err(wav::WavError::Truncated));
    let mut stereo = bytes.clone();
    stereo[22] = 2;
    assert!(matches!(
        wav::parse(&stereo),
        Err(wav::WavError::Unsupported { channels: 2, .. })
    ));
}

#[test]
fn a_centre_pack_missing_a_clip_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pack.toml"),
        "format = 1\nsample_rate = 8000\n",
    )
    .unwrap();
    for name in all_clips().into_iter().filter(|n| n != "letter-q") {
        std::fs::write(
            dir.path().join(format!("{name}.wav")),
            wav::encode(8000, &[100; 800]),
        )
        .unwrap();
    }
    let err = ClipPack::load(dir.path()).unwrap_err().to_string();
    assert!(err.contains("letter-q"), "{err}");
    std::fs::write(
        dir.path().join("letter-q.wav"),
        wav::encode(16_000, &[100; 800]),
    )
    .unwrap();
    let err = ClipPack::load(dir.path()).unwrap_err().to_string();
    assert!(err.contains("16000 Hz"), "{err}");
    std::fs::write(
        dir.path().join("letter-q.wav"),
        wav::encode(8000, &[100; 800]),
    )
    .unwrap();
    let pack = ClipPack::load(dir.path()).expect("a complete pack loads");
    assert!(pack.clip("chime").is_none(), "the chime is optional");
}

#[test]
fn quiet_hours_wrap_past_midnight() {
    let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
    let night = QuietHours::parse("22:00-07:00").unwrap();
    assert!(
        night.contains(t(23, 0))
            && night.contains(t(6, 59))
            && !night.contains(t(7, 0))
            && !night.contains(t(12, 0))
    );
    let lunch = QuietHours::parse(" 12:00 - 14:00 ").unwrap();
    assert!(lunch.contains(t(12, 0)) && !lunch.contains(t(14, 0)));
    assert!(QuietHours::parse("12-14").is_none());
    assert!(QuietHours::parse("12:00-12:00").is_none());
    let config = VoiceConfig {
        quiet_hours: vec!["12:00-14:00".into()],
        ..VoiceConfig::default()
    };
    assert!(config.validate().is_ok());
    assert!(config.is_quiet(t(13, 0)) && !config.is_quiet(t(9, 0)));
    let bad = VoiceConfig {
        quiet_hours: vec!["noon".into()],
        ..VoiceConfig::default()
    };
    assert_eq!(
        bad.validate().unwrap_err().0,
        "displays.voice.quiet_hours[0]"
    );
}

/// Records what it is asked to play.
struct Recorder(std::sync::mpsc::Sender<Vec<u8>>);

impl Player for Recorder {
    fn play(&mut self, wav: &[u8]) -> Result<(), VoiceError> {
        self.0
            .send(wav.to_vec())
            .map_err(|e| VoiceError::Play(e.to_string()))
    }
}

#[test]
fn the_announcer_plays_calls_and_keeps_quiet_in_quiet_hours() {
    let (tx, rx) = std::sync::mpsc::channel();
    let config = VoiceConfig {
        quiet_hours: vec!["12:00-14:00".into()],
        repeat: 3,
        ..VoiceConfig::default()
    };
    let mut announcer =
        Announcer::new(ClipPack::bundled().unwrap(), config, Box::new(Recorder(tx)));
    let day = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
    let call = Announcement::call("A012", 3);
    assert!(
        announcer
            .announce(&call, day.and_hms_opt(9, 30, 0).unwrap())
            .unwrap()
    );
    let played = rx.try_recv().expect("played");
    let pcm = wav::parse(&played).unwrap();
    let pack = ClipPack::bundled().unwrap();
    assert_eq!(
        pcm.samples,
        pack.compose(&call_words("A012", 3), 3, 80, true)
    );
    assert!(
        !announcer
            .announce(&call, day.and_hms_opt(12, 30, 0).unwrap())
            .unwrap()
    );
    assert!(rx.try_recv().is_err(), "nothing played in quiet hours");
}

#[test]
fn the_file_player_writes_playable_wav_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut player = FilePlayer::new(&dir.path().join("voice"));
    let bytes = wav::encode(8000, &[1, 2, 3]);
    player.play(&bytes).unwrap();
    assert_eq!(
        std::fs::read(dir.path().join("voice/latest.wav")).unwrap(),
        bytes
    );
    assert_eq!(
        std::fs::read(dir.path().join("voice/call-1.wav")).unwrap(),
        bytes
    );
}

/// Plays by waiting for the test's go-ahead, after saying it started.
struct Gated {
    started: std::sync::mpsc::Sender<()>,
    go: std::sync::mpsc::Receiver<()>,
}

impl Player for Gated {
    fn play(&mut self, _wav: &[u8]) -> Result<(), VoiceError> {
        let _ = self.started.send(());
        self.go.recv().map_err(|e| VoiceError::Play(e.to_string()))
    }
}

#[test]
fn the_voice_thread_says_it_is_speaking_from_the_call_until_the_last_one_is_spoken() {
    let (started_tx, started) = std::sync::mpsc::channel();
    let (go, go_rx) = std::sync::mpsc::channel();
    let announcer = Announcer::new(
        ClipPack::bundled().unwrap(),
        VoiceConfig::default(),
        Box::new(Gated {
            started: started_tx,
            go: go_rx,
        }),
    );
    let voice = VoiceThread::spawn(announcer).unwrap();
    assert!(!voice.speaking());
    let at = NaiveDate::from_ymd_opt(2026, 1, 5)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap();
    voice.say(Announcement::call("A001", 1), at);
    assert!(voice.speaking(), "from the moment the call is made");
    voice.say(Announcement::call("A002", 2), at);
    started.recv().unwrap();
    go.send(()).unwrap();
    started.recv().unwrap();
    assert!(voice.speaking(), "the second call is being spoken");
    go.send(()).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while voice.speaking() && std::time::Instant::now() < deadline {
        std::thread::yield_now();
    }
    assert!(!voice.speaking(), "both calls spoken");
}
