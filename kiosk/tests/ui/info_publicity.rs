//! The publicity page and the home screen's attract loop on Slint's testing backend, fed by a real
//! content store (the embedded default bundle in an empty data directory): only items valid on the
//! day and for the site show, articles open one at a time, notices have their tab, and the home
//! screen falls into the slides after its quiet spell and leaves them at a touch.

use std::{rc::Rc, time::Duration};

use chrono::NaiveDate;
use content::{ContentConfig, ContentStore, SiteTier};
use i_slint_backend_testing::mock_elapsed_time;
use kiosk::{
    config::Language,
    ui::{
        Nav, Page, PublicityAdapter, Shell, Theme,
        info::{InfoOptions, InfoPages},
    },
};
use slint::{ComponentHandle, Model};

use crate::info_support;
use info_support::Screen;

struct Fixture {
    shell: Shell,
    pages: Rc<InfoPages>,
    _dir: tempfile::TempDir,
}

fn start(tier: SiteTier, today: &str) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = ContentStore::open(dir.path(), &ContentConfig::default()).expect("the store opens");
    let shell = info_support::shell("黔江区公共法律服务中心");
    let options = InfoOptions {
        tier,
        today: Some(today.parse::<NaiveDate>().unwrap()),
    };
    let pages = InfoPages::attach(&shell, store.current(), options);
    Fixture {
        shell,
        pages,
        _dir: dir,
    }
}

impl Screen for Fixture {
    fn shell(&self) -> &Shell {
        &self.shell
    }
}

impl Fixture {
    fn publicity(&self) -> PublicityAdapter<'_> {
        self.shell.window().global::<PublicityAdapter>()
    }

    fn article_ids(&self) -> Vec<String> {
        self.publicity()
            .get_articles()
            .iter()
            .map(|item| item.id.to_string())
            .collect()
    }

    /// Draws the screen (pages are built lazily) and lets the timers run.
    fn draw(&self) {
        let _ = self.exists("");
    }
}

#[test]
fn only_items_valid_today_for_this_site_are_listed() {
    let f = start(SiteTier::Centre, "2026-11-29");
    let ids = f.article_ids();
    assert!(ids.contains(&"constitution-day-2026".to_owned()), "{ids:?}");
    assert!(
        ids.contains(&"apostille".to_owned()),
        "centre-only item at the centre"
    );

    let after = start(SiteTier::Centre, "2026-12-11");
    assert!(
        !after
            .article_ids()
            .contains(&"constitution-day-2026".to_owned()),
        "expired after its last day"
    );
    let before = start(SiteTier::Centre, "2026-11-26");
    assert!(
        !before
            .article_ids()
            .contains(&"constitution-day-2026".to_owned()),
        "not before its first day"
    );

    let station = start(SiteTier::Station, "2026-11-29");
    let ids = station.article_ids();
    assert!(!ids.contains(&"apostille".to_owned()), "{ids:?}");
    assert!(ids.contains(&"hotline-12348".to_owned()));
}

#[test]
fn an_article_opens_in_large_type_and_steps_to_the_next() {
    let f = start(SiteTier::Centre, "2026-11-29");
    f.shell.go(Page::Publicity);
    f.draw();
    f.tap("12348 公共法律服务热线");
    assert!(f.publicity().get_showing());
    assert!(f.exists("法律咨询、法律援助申请指引、人民调解转办、投诉建议，请拨打12348。"));
    assert!(
        f.publicity().get_detail().has_image,
        "the slide's picture is shown"
    );
    assert!(!f.publicity().get_has_previous());
    f.tap("下一篇");
    assert_eq!(f.publicity().get_detail().id, f.article_ids()[1]);
    f.tap("上一篇");
    assert_eq!(f.publicity().get_detail().id, "hotline-12348");
    f.tap("全部内容");
    assert!(!f.publicity().get_showing());

    f.tap("通知公告");
    f.draw();
    assert!(
        f.exists("关于本机内容的说明"),
        "the pinned notice is listed"
    );
    f.tap("关于本机内容的说明");
    assert!(f.publicity().get_detail().notice);

    f.shell.end_session();
    assert!(!f.publicity().get_showing());
    assert!(
        !f.publicity().get_notices_tab(),
        "the next citizen starts at the articles"
    );
}

#[test]
fn the_page_reads_in_english_and_in_elderly_mode() {
    let f = start(SiteTier::Centre, "2026-11-29");
    f.shell.go(Page::Publicity);
    f.shell.set_language(Language::En);
    f.shell.window().global::<Theme>().set_elderly(true);
    f.draw();
    assert!(f.exists("Know the law"), "translated title");
    assert!(f.exists("Notices"));
    assert!(f.exists("12348 Public Legal Service Hotline"));
}

#[test]
fn the_home_screen_falls_into_the_attract_loop_and_a_touch_ends_it() {
    let f = start(SiteTier::Centre, "2026-11-29");
    f.draw();
    // The default content waits 90 s.
    mock_elapsed_time(Duration::from_secs(89));
    assert!(!f.pages.attract_running());
    mock_elapsed_time(Duration::from_secs(2));
    assert!(f.pages.attract_running(), "home left alone for 90 s");
    f.draw();
    assert!(f.exists("触摸屏幕开始使用"));
    let slides: Vec<_> = f
        .publicity()
        .get_slides()
        .iter()
        .map(|s| s.id.to_string())
        .collect();
    assert_eq!(
        slides.first().map(String::as_str),
        Some("hotline-12348"),
        "picture slides first: {slides:?}"
    );
    assert!(
        slides.iter().all(|id| id != "constitution-day-2026"),
        "ticker lines are not slides"
    );
    assert!(
        slides.iter().any(|id| id.starts_with("notice:")),
        "notices follow the slides: {slides:?}"
    );
    assert_eq!(f.publicity().get_slide(), 0);
    mock_elapsed_time(Duration::from_secs(13));
    assert_eq!(f.publicity().get_slide(), 1, "each slide for its seconds");

    // A touch anywhere (the whole loop is one button) ends it.
    f.tap("触摸屏幕开始使用");
    assert!(!f.pages.attract_running());
    assert_eq!(f.shell.page(), Page::Home);
    mock_elapsed_time(Duration::from_secs(89));
    assert!(!f.pages.attract_running(), "the quiet spell starts again");
    mock_elapsed_time(Duration::from_secs(2));
    assert!(f.pages.attract_running());
}

#[test]
fn a_page_left_open_is_not_covered_by_the_attract_loop() {
    let f = start(SiteTier::Centre, "2026-11-29");
    f.shell.go(Page::Guides);
    f.shell.window().global::<Nav>().invoke_activity();
    // The session ends after 60 s idle and the home screen shows; the loop starts 90 s after the
    // last touch.
    mock_elapsed_time(Duration::from_secs(61));
    assert_eq!(f.shell.page(), Page::Home);
    assert!(!f.pages.attract_running());
    mock_elapsed_time(Duration::from_secs(30));
    assert!(f.pages.attract_running());
}

#[test]
fn someone_stepping_up_to_the_presence_sensor_ends_the_attract_loop() {
    let f = start(SiteTier::Centre, "2026-11-29");
    f.draw();
    mock_elapsed_time(Duration::from_secs(91));
    assert!(f.pages.attract_running());
    // What the board does when its presence sensor fires.
    f.shell.activity();
    assert!(!f.pages.attract_running());
    assert_eq!(f.shell.page(), Page::Home);
}

/// Lets Slint's timers run in small steps while GStreamer plays in real time, until `done` (at most
/// `secs` seconds of real time).
fn run_until(f: &Fixture, secs: u64, what: &str, done: impl Fn(&Fixture) -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(secs);
    while !done(f) {
        assert!(std::time::Instant::now() < deadline, "waiting for {what}");
        mock_elapsed_time(Duration::from_millis(15));
        std::thread::yield_now();
    }
}

#[test]
fn after_its_slides_the_attract_loop_plays_the_sample_video_muted_with_subtitles_then_the_slides() {
    let f = start(SiteTier::Centre, "2026-11-29");
    f.draw();
    mock_elapsed_time(Duration::from_secs(91));
    assert!(f.pages.attract_running());
    let slides = f.publicity().get_slides().row_count();
    // Through every slide (each stays its own seconds) to the video.
    for _ in 0..slides * 30 {
        if f.publicity().get_video_on() {
            break;
        }
        mock_elapsed_time(Duration::from_secs(1));
    }
    assert!(
        f.publicity().get_video_on(),
        "the video after {slides} slides"
    );
    f.draw();
    assert!(f.exists("示例：12348 热线与法律援助"), "its title");
    run_until(&f, 20, "a frame with the first subtitle", |f| {
        f.publicity().get_video_subtitle().contains("12348")
            && f.publicity().get_video_frame().size().width == 1080
    });
    f.draw();
    assert!(f.exists("触摸屏幕开始使用"), "still one button");
    run_until(&f, 30, "the clip's end and the first slide again", |f| {
        !f.publicity().get_video_on()
    });
    assert!(f.pages.attract_running());
    assert_eq!(f.publicity().get_slide(), 0);

    // A touch during the video ends the loop and the video.
    for _ in 0..slides * 30 {
        if f.publicity().get_video_on() {
            break;
        }
        mock_elapsed_time(Duration::from_secs(1));
    }
    assert!(f.publicity().get_video_on());
    f.tap("触摸屏幕开始使用");
    assert!(!f.pages.attract_running());
    assert!(!f.publicity().get_video_on());
}
