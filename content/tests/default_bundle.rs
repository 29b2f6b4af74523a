//! The default content: committed bundle up to date with its sources, shown with no network, complete for
//! the queue's services; publisher errors name file, line and field; the CLI's exit codes.

#[path = "support/mod.rs"]
mod content_support;

use std::{collections::BTreeMap, path::Path};

use content::{
    BuildOptions, ContentConfig, ContentError, ContentStore, InstitutionKind, PersonRole,
    PublicityKind, SecretKey, SiteTier,
};

const REBUILD: &str = "cargo run -p kiosk -- content build assets/content-src --key assets/content-dev-key/dev.key \
                       --out assets/content --prune --pack assets/content/bundle.pack";

fn assets() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets")
}

fn files_under(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

#[test]
fn committed_default_bundle_matches_its_sources() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("content");
    let key = SecretKey::read(&assets().join("content-dev-key/dev.key")).unwrap();
    let options = BuildOptions {
        pack: Some(out.join("bundle.pack")),
        ..BuildOptions::default()
    };
    content::build(&assets().join("content-src"), &key, &out, &options).unwrap();
    let fresh = files_under(&out);
    if std::env::var_os("BLESS").is_some() {
        // `BLESS=1 cargo test -p content --test default_bundle` rewrites the committed bundle from
        // its sources (the same bytes as the REBUILD command, without building the kiosk).
        let committed_dir = assets().join("content");
        std::fs::remove_dir_all(&committed_dir).unwrap();
        for (rel, bytes) in &fresh {
            let path = committed_dir.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
    }
    let committed = files_under(&assets().join("content"));
    let fresh_names: Vec<_> = fresh.keys().collect();
    let committed_names: Vec<_> = committed.keys().collect();
    assert!(
        fresh == committed,
        "assets/content is stale relative to assets/content-src (files {committed_names:?} vs {fresh_names:?}). \
         Rebuild it with:\n  {REBUILD}\nor: BLESS=1 cargo test -p content --test default_bundle"
    );
}

#[test]
fn the_default_content_is_shown_with_no_network() {
    let tmp = tempfile::tempdir().unwrap();
    let config = ContentConfig::from_table(None).unwrap();
    let store = ContentStore::open(tmp.path(), &config).unwrap();
    let content = store.current();
    let info = content
        .info
        .as_ref()
        .expect("the embedded default is shown with the default config");
    assert_eq!((info.version, info.origin.as_str()), (1, "bundled"));
    assert_eq!(store.status().version, Some(1));

    let queue_ids: Vec<String> = queue::QueueConfig::default()
        .services
        .into_iter()
        .map(|s| s.id)
        .collect();
    let guide_ids: Vec<String> = content.services.iter().map(|s| s.id.clone()).collect();
    assert_eq!(
        guide_ids.get(..queue_ids.len()),
        Some(&queue_ids[..]),
        "one guide per queue service first, in the queue's order"
    );
    assert_eq!(
        guide_ids[queue_ids.len()..],
        ["legal_exam", "grassroots", "village_adviser", "online"],
        "then the guides of services that take no number"
    );
    for guide in &content.services {
        let queued = queue_ids.contains(&guide.id);
        for (field, list) in [
            ("steps", &guide.steps),
            ("fees", &guide.fees),
            ("remedies", &guide.remedies),
            ("materials", &guide.materials),
        ] {
            assert!(!list.is_empty(), "guide {} has no {field}", guide.id);
        }
        assert!(
            !guide.plain.zh.is_empty() && (3..=6).contains(&guide.plain_points.len()),
            "guide {} starts with a plain line and 3 to 6 plain points",
            guide.id
        );
        assert!(
            guide.window.zh.is_empty() && guide.window.en.is_empty(),
            "guide {} names no window of its own: devices take it from their queue",
            guide.id
        );
        for text in guide.texts().filter(|t| !t.zh.is_empty()) {
            assert!(
                !text.en.is_empty(),
                "guide {}: untranslated {text:?}",
                guide.id
            );
            for half in [&text.zh, &text.en] {
                assert!(
                    !half.contains("号窗口") && !half.contains("字头") && !half.contains("Window "),
                    "guide {}: a hard-coded window or ticket letter in {half:?}",
                    guide.id
                );
                assert!(
                    queued || !half.contains(content::WINDOW_PLACEHOLDER),
                    "guide {}: {{window}} in a service that takes no number: {half:?}",
                    guide.id
                );
            }
        }
        let at_rooms = guide.tiers.is_empty() || guide.tiers.contains(&SiteTier::Room);
        for step in guide.steps_for(SiteTier::Room).iter().filter(|_| at_rooms) {
            assert!(
                !step.zh.contains("取号") && !step.zh.contains(content::WINDOW_PLACEHOLDER),
                "guide {}: a village room has no ticket machine: {step:?}",
                guide.id
            );
        }
        let unverified_marks = guide.texts().any(|t| t.zh.contains("待核实"));
        assert!(
            !unverified_marks || !guide.unverified.is_empty(),
            "guide {} marks text 待核实 but lists nothing unverified",
            guide.id
        );
    }
    for id in ["legal_aid", "notary", "lawyer_appraisal"] {
        let guide = content.services.iter().find(|g| g.id == id).unwrap();
        assert!(
            guide.tiers.is_empty() || guide.tiers.len() == 3,
            "guide {id} is shown at every tier"
        );
        assert!(
            !guide.station_steps.is_empty() && !guide.room_steps.is_empty(),
            "guide {id} has its own steps at stations and rooms"
        );
    }
    assert!(content.sites.iter().any(|s| s.id == "centre" && !s.sample));
    assert!(
        content
            .sites
            .iter()
            .filter(|s| s.id != "centre")
            .all(|s| s.sample),
        "generic sites are flagged"
    );
    assert!(
        !content.lawyers.is_empty() && content.lawyers.iter().all(|p| p.sample),
        "people are sample data"
    );
    assert!(
        content
            .institutions
            .iter()
            .filter(|i| i.phone.starts_with("023"))
            .all(|i| i.sample)
    );
    let display = content.display.as_ref().unwrap();
    assert_eq!(display.hotline, "12348");
    let aid = content.legal_aid.as_ref().unwrap();
    assert_eq!(
        (
            aid.decision_days,
            aid.assign_days,
            aid.objection_review_days
        ),
        (7, 3, 5)
    );
    assert_eq!(aid.check_exempt.len(), 3);
    assert_eq!(aid.no_hardship_condition.len(), 4);
    assert!(
        !aid.hardship_standard.verified
            && aid
                .hardship_standard
                .monthly_income_per_person_yuan
                .is_none()
    );
    let slide = content
        .publicity
        .iter()
        .find_map(|p| p.image.clone())
        .unwrap();
    assert!(content.file_path(&slide).is_some());
}

/// The everyday-law slides (the district plan's common disputes), the directory's phones and
/// schedules, and the appraisal institutions of the default content.
#[test]
fn the_default_content_teaches_everyday_law_and_schedules_its_people() {
    let tmp = tempfile::tempdir().unwrap();
    let store = ContentStore::open(tmp.path(), &ContentConfig::from_table(None).unwrap()).unwrap();
    let content = store.current();

    // Slides: bilingual, citing an article, with the way to help, shown for a limited time.
    let everyday: Vec<_> = content
        .publicity
        .iter()
        .filter(|p| p.valid_until.is_some() && p.kind == PublicityKind::Slide)
        .collect();
    assert!(
        everyday.len() >= 30,
        "{} everyday-law slides",
        everyday.len()
    );
    for item in &everyday {
        let id = &item.id;
        assert!(
            !item.title.en.is_empty() && !item.body.en.is_empty(),
            "{id}: English"
        );
        assert!(
            item.body.zh.contains("条") && item.body.en.contains("art. ")
                || item.body.en.contains("arts. "),
            "{id}: article"
        );
        assert!(
            item.body.zh.contains("12348") && item.body.en.contains("12348"),
            "{id}: help"
        );
        assert!(!item.body.zh.contains("一定"), "{id}: promises an outcome");
        assert!(item.seconds >= 15, "{id}: time to read");
    }
    for topic in [
        "marriage-",
        "family-",
        "inheritance-",
        "neighbours-",
        "debt-",
        "homestead-",
        "farmland-",
        "forest-",
        "injury-",
        "wages-",
        "work-injury-",
    ] {
        let n = everyday.iter().filter(|p| p.id.starts_with(topic)).count();
        assert!(n >= 2, "topic {topic}: {n} slides");
    }
    assert!(
        content.publicity.iter().all(|p| !p.title.en.is_empty()),
        "every item has English"
    );

    // 12348 is the hotline, shown on its own: not a site's, a committee's or a mediator's number.
    assert!(
        content
            .sites
            .iter()
            .filter(|s| s.tier != SiteTier::Centre)
            .all(|s| s.phone != "12348")
    );
    assert!(
        content
            .institutions
            .iter()
            .filter(|i| i.kind == InstitutionKind::MediationCommittee)
            .all(|i| i.phone != "12348")
    );
    assert!(content.lawyers.iter().all(|p| p.phone != "12348"));
    assert!(
        content.sites.iter().all(|s| !s.name.en.contains("Street"))
            && content
                .institutions
                .iter()
                .all(|i| !i.name.en.contains("Street")),
        "街道 is a sub-district"
    );

    // Each room its own village adviser on duty there; duty lawyers at the centre and the stations.
    let on_duty_at = |site: &str, role: PersonRole| {
        content
            .lawyers
            .iter()
            .filter(|p| p.role == role && p.sites.iter().any(|s| s == site))
            // A room's adviser is its own, not shared with another room.
            .filter(|p| role != PersonRole::VillageAdviser || p.sites.len() == 1)
            .filter(|p| p.schedule.as_ref().is_some_and(|s| !s.days.is_empty()))
            .count()
    };
    for site in &content.sites {
        let (role, what) = match site.tier {
            SiteTier::Room => (PersonRole::VillageAdviser, "village adviser"),
            SiteTier::Centre | SiteTier::Station => (PersonRole::Lawyer, "duty lawyer"),
        };
        assert!(
            on_duty_at(&site.id, role) >= 1,
            "{}: no {what} on duty",
            site.id
        );
    }

    // Appraisal institutions, for their tab: hours and services in both languages.
    let appraisal: Vec<_> = content
        .institutions
        .iter()
        .filter(|i| i.kind == InstitutionKind::AppraisalInstitution)
        .collect();
    assert!(appraisal.len() >= 2, "{appraisal:?}");
    for i in appraisal {
        assert!(
            i.sample && !i.hours.is_empty() && !i.hours_en.is_empty(),
            "{}",
            i.id
        );
        assert!(
            !i.services.is_empty() && i.services_en.len() == i.services.len(),
            "{}",
            i.id
        );
    }
}

#[test]
fn a_device_trusting_only_the_centre_key_shows_the_embedded_default() {
    let tmp = tempfile::tempdir().unwrap();
    let mut table = toml::Table::new();
    let centre = SecretKey::generate();
    table.insert(
        "trusted_keys".into(),
        toml::Value::Array(vec![centre.public().to_string().into()]),
    );
    let config = ContentConfig::from_table(Some(&table)).unwrap();
    let store = ContentStore::open(tmp.path(), &config).unwrap();
    let content = store.current();
    let info = content
        .info
        .as_ref()
        .expect("the embedded default is verified with the development key on its own path");
    assert_eq!((info.version, info.origin.as_str()), (1, "bundled"));
    assert!(!store.status().stale);
}

#[test]
fn config_errors_name_the_key() {
    let table: toml::Table = toml::from_str("interval_secs = 5").unwrap();
    let err = ContentConfig::from_table(Some(&table))
        .unwrap_err()
        .to_string();
    assert!(err.contains("content.interval_secs"), "{err}");
    let table: toml::Table = toml::from_str("trusted_keyz = []").unwrap();
    let err = ContentConfig::from_table(Some(&table))
        .unwrap_err()
        .to_string();
    assert!(err.contains("trusted_keyz"), "{err}");
    let table: toml::Table = toml::from_str("trusted_keys = [\"ed25519:zz\"]").unwrap();
    assert!(ContentConfig::from_table(Some(&table)).is_err());
}

fn source_error(src: &Path) -> (String, Option<usize>, Option<String>) {
    let key = SecretKey::generate();
    match content::build(src, &key, &src.join("../out"), &BuildOptions::default()) {
        Err(ContentError::Source {
            file,
            line,
            field,
            reason,
        }) => (
            format!("{}: {reason}", file.file_name().unwrap().to_string_lossy()),
            line,
            field,
        ),
        other => panic!("expected a source error, got {other:?}"),
    }
}

#[test]
fn publisher_errors_name_file_line_and_field() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    content_support::write_sources(&src, 3, 50, |_| 1);

    let csv = std::fs::read_to_string(src.join("lawyers.csv")).unwrap();
    std::fs::write(
        src.join("lawyers.csv"),
        csv.replacen(",lawyer,", ",judge,", 2),
    )
    .unwrap();
    let (file, line, field) = source_error(&src);
    assert!(file.starts_with("lawyers.csv"), "{file}");
    assert_eq!((line, field.as_deref()), (Some(2), Some("role")));
    std::fs::write(
        src.join("lawyers.csv"),
        csv.replacen("photos/p00001.png", "../../etc/passwd", 1),
    )
    .unwrap();
    let (file, line, field) = source_error(&src);
    assert!(file.contains("without `..`"), "{file}");
    assert_eq!((line, field.as_deref()), (Some(3), Some("photo")));
    std::fs::write(src.join("lawyers.csv"), &csv).unwrap();

    std::fs::write(
        src.join("services/02_notary.toml"),
        "id = \"notary\"\nname = { zh = \"公证\" }\nsummary = { zh = \"x\" }\nreviewed = \"2025-13-45\"\n",
    )
    .unwrap();
    let (file, line, field) = source_error(&src);
    assert!(file.starts_with("02_notary.toml"), "{file}");
    assert_eq!((line, field.as_deref()), (Some(4), Some("reviewed")));
}

/// The sample publicity video of the default content, when it plays, and the publisher's checks of a
/// video's clip, subtitles and hours.
#[test]
fn videos_carry_their_subtitles_and_hours_and_broken_ones_are_refused_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let store = ContentStore::open(tmp.path(), &ContentConfig::from_table(None).unwrap()).unwrap();
    let content = store.current();
    let video = content
        .videos
        .iter()
        .find(|v| v.id == "sample-12348")
        .unwrap();
    assert!(video.sample && video.attract);
    let clip = content.file_path(&video.file).unwrap();
    assert!(
        std::fs::read(&clip).unwrap()[4..8] == *b"ftyp",
        "an MP4 file"
    );
    let srt = std::fs::read(
        content
            .file_path(video.subtitles.as_ref().unwrap())
            .unwrap(),
    )
    .unwrap();
    let subs = subtitles::Subtitles::parse(&srt).unwrap();
    assert!(subs.cues()[0].text.contains("12348"));
    let at = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    assert!(video.plays_at(at("2026-12-07 09:00"), SiteTier::Room, "any-site"));

    let mut limited = video.clone();
    limited.hours = vec!["08:30-12:00".into(), "14:00-17:30".into()];
    limited.tiers = vec![SiteTier::Centre];
    assert!(limited.plays_at(at("2026-12-07 09:00"), SiteTier::Centre, "x"));
    assert!(
        !limited.plays_at(at("2026-12-07 12:30"), SiteTier::Centre, "x"),
        "lunch"
    );
    assert!(
        !limited.plays_at(at("2026-12-07 09:00"), SiteTier::Station, "x"),
        "tier"
    );
    limited.sites = vec!["zhoubai".into()];
    assert!(
        !limited.plays_at(at("2026-12-07 09:00"), SiteTier::Centre, "x"),
        "site"
    );
    limited.valid_from = "2027-01-01".parse().unwrap();
    assert!(
        !limited.plays_at(at("2026-12-07 09:00"), SiteTier::Centre, "zhoubai"),
        "not yet"
    );

    // The publisher: a broken subtitle file is refused with its line, wrong hours and file types too.
    let src = tmp.path().join("src");
    content_support::write_sources(&src, 1, 5, |_| 1);
    std::fs::create_dir_all(src.join("videos")).unwrap();
    std::fs::write(src.join("videos/clip.mp4"), b"\0\0\0\x18ftypisom").unwrap();
    std::fs::write(
        src.join("videos/clip.srt"),
        "1\n00:00:01,000 --> 00:00:02,000\n第一句\n\n2\n00:00:03,000 --> 00:00:0x,000\n第二句\n",
    )
    .unwrap();
    let record = |extra: &str| {
        format!(
            "id = \"clip\"\ntitle = {{ zh = \"宣传片\" }}\nfile = \"videos/clip.mp4\"\nvalid_from = \"2025-01-01\"\n{extra}"
        )
    };
    std::fs::write(
        src.join("videos/clip.toml"),
        record("subtitles = \"videos/clip.srt\"\n"),
    )
    .unwrap();
    let (file, _, field) = source_error(&src);
    assert!(
        file.starts_with("clip.toml") && file.contains("line 6"),
        "{file}"
    );
    assert_eq!(field.as_deref(), Some("subtitles"));
    std::fs::write(src.join("videos/clip.toml"), record("hours = [\"9-12\"]\n")).unwrap();
    let (file, _, field) = source_error(&src);
    assert!(file.contains("08:30-12:00"), "{file}");
    assert_eq!(field.as_deref(), Some("hours"));
    std::fs::write(
        src.join("videos/clip.toml"),
        record("").replace("clip.mp4", "clip.avi"),
    )
    .unwrap();
    std::fs::write(src.join("videos/clip.avi"), b"RIFF").unwrap();
    let (file, _, field) = source_error(&src);
    assert!(file.contains(".mp4, .m4v and .webm"), "{file}");
    assert_eq!(field.as_deref(), Some("file"));
}
