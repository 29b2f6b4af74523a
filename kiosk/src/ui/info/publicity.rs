//! Legal publicity (普法宣传) and notices (通知公告): the page's lists of what is valid today for this
//! site, one item at a time, and the home screen's attract loop.
//!
//! Validity is judged on the day [`InfoOptions::today`] gives, each time the lists are built: when
//! new content arrives, when a session ends and when the attract loop starts, so an item that expires
//! at midnight is gone by the next citizen without a restart.
//!
//! After its last slide the attract loop plays the content's videos marked `attract` (muted, with
//! their subtitles), then starts its slides again. A clip that cannot play is skipped and not tried
//! again until new content arrives; GStreamer missing means slides only.

use std::{
    cell::RefCell,
    rc::Rc,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use chrono::NaiveDate;
use slint::{ComponentHandle as _, Image, ModelRc, SharedString, Timer, TimerMode, VecModel};

use super::InfoOptions;
use crate::{
    ui::{AppWindow, Nav, Page, PublicityAdapter, PublicityEntry, Shell},
    video::{VideoOutcome, VideoPlayer},
};
use content::{Content, Notice, PublicityItem, PublicityKind};
use displays::hall::VideoView;

/// Seconds without a touch on the home screen before the attract loop starts, when the content
/// does not say (`display.idle_publicity_after_secs`).
pub const DEFAULT_ATTRACT_AFTER_SECS: u32 = 90;
/// Seconds a notice stays on screen in the attract loop, when the content does not say.
pub const DEFAULT_SLIDE_SECS: u32 = 12;

/// What a list shows: an item and how long it stays up as a slide.
#[derive(Debug, Clone)]
pub struct Shown {
    /// The item for the page.
    pub item: PublicityEntry,
    /// Seconds on screen in the attract loop.
    pub seconds: u32,
}

/// The publicity articles valid on `day` for this site, in the content's order. Ticker lines are
/// one-liners for the LED panel and the hall screen, but they are publicity too: the page lists them.
pub fn articles(content: &Content, options: InfoOptions, day: NaiveDate) -> Vec<&PublicityItem> {
    content
        .publicity
        .iter()
        .filter(|item| item.is_valid_on(day))
        .filter(|item| item.tiers.is_empty() || item.tiers.contains(&options.tier))
        .collect()
}

/// The notices valid on `day`, pinned first, then newest first.
pub fn notices(content: &Content, day: NaiveDate) -> Vec<&Notice> {
    let mut notices: Vec<_> = content
        .notices
        .iter()
        .filter(|notice| notice.is_valid_on(day))
        .collect();
    notices.sort_by(|a, b| b.pinned.cmp(&a.pinned).then(b.published.cmp(&a.published)));
    notices
}

/// The attract loop's slides valid on `day`: the picture slides, then the notices.
pub fn slides(content: &Content, options: InfoOptions, day: NaiveDate) -> Vec<Shown> {
    let notice_secs = content
        .display
        .as_ref()
        .map_or(DEFAULT_SLIDE_SECS, |d| d.slide_seconds)
        .max(1);
    articles(content, options, day)
        .into_iter()
        .filter(|item| item.kind == PublicityKind::Slide)
        .map(|item| Shown {
            item: article_item(content, item),
            seconds: item.seconds.max(1),
        })
        .chain(notices(content, day).into_iter().map(|notice| Shown {
            item: notice_item(notice),
            seconds: notice_secs,
        }))
        .collect()
}

/// The videos the attract loop plays after its slides at local time `at`: those marked `attract` for
/// every site of this tier, whose clip is on disk, within their dates and hours.
pub fn attract_videos(
    content: &Content,
    options: InfoOptions,
    at: chrono::NaiveDateTime,
) -> Vec<VideoView> {
    content
        .videos
        .iter()
        .filter(|v| v.attract && v.is_for_site(options.tier, "") && v.is_on_at(at))
        .filter_map(|v| {
            Some(VideoView {
                id: v.id.clone(),
                title: v.title.zh.clone(),
                title_en: v.title.en_or_zh().to_owned(),
                file: content.file_path(&v.file)?,
                subtitles: v.subtitles.as_deref().and_then(|o| content.file_path(o)),
                poster: v.poster.as_deref().and_then(|o| content.file_path(o)),
                sample: v.sample,
            })
        })
        .collect()
}

fn article_item(content: &Content, item: &PublicityItem) -> PublicityEntry {
    let image = item
        .image
        .as_deref()
        .and_then(|object| content.file_path(object))
        .and_then(|path| match crate::ui::images::load(&path) {
            Ok(image) => Some(image),
            Err(err) => {
                tracing::warn!("publicity {}: {err}", item.id);
                None
            }
        });
    PublicityEntry {
        id: item.id.as_str().into(),
        title: item.title.zh.as_str().into(),
        title_en: item.title.en_or_zh().into(),
        body: item.body.zh.as_str().into(),
        body_en: item.body.en_or_zh().into(),
        has_image: image.is_some(),
        image: image.unwrap_or_default(),
        notice: false,
        date: item.valid_from.to_string().into(),
    }
}

fn notice_item(notice: &Notice) -> PublicityEntry {
    let body_en = if notice.body_en.trim().is_empty() {
        &notice.body_zh
    } else {
        &notice.body_en
    };
    PublicityEntry {
        id: format!("notice:{}", notice.id).into(),
        title: notice.title.zh.as_str().into(),
        title_en: notice.title.en_or_zh().into(),
        body: plain(&notice.body_zh).into(),
        body_en: plain(body_en).into(),
        image: Image::default(),
        has_image: false,
        notice: true,
        date: notice.published.to_string().into(),
    }
}

/// Notices are Markdown; the screen shows the words: heading marks and emphasis go, paragraphs stay.
fn plain(markdown: &str) -> String {
    markdown
        .lines()
        .map(|line| {
            line.trim_start_matches('#')
                .trim()
                .replace("**", "")
                .replace("__", "")
        })
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_owned()
}

type SharedContent = Arc<Mutex<Arc<Content>>>;

fn current(content: &SharedContent) -> Arc<Content> {
    Arc::clone(&content.lock().unwrap_or_else(PoisonError::into_inner))
}

/// Connects the page's callbacks.
pub(super) fn connect(window: &AppWindow) {
    let publicity = window.global::<PublicityAdapter>();
    publicity.on_open_item({
        let weak = window.as_weak();
        move |id| {
            if let Some(window) = weak.upgrade() {
                open(&window, &id);
            }
        }
    });
    publicity.on_step_item({
        let weak = window.as_weak();
        move |delta| {
            let Some(window) = weak.upgrade() else { return };
            let publicity = window.global::<PublicityAdapter>();
            let list = visible_list(&publicity);
            let id = publicity.get_detail().id;
            let at = list.iter().position(|item| item.id == id).unwrap_or(0);
            let next = at
                .checked_add_signed(delta as isize)
                .filter(|next| *next < list.len());
            if let Some(next) = next {
                open(&window, &list[next].id);
            }
        }
    });
    publicity.on_close_item({
        let weak = window.as_weak();
        move || {
            if let Some(window) = weak.upgrade() {
                window.global::<PublicityAdapter>().set_showing(false);
            }
        }
    });
}

fn visible_list(publicity: &PublicityAdapter<'_>) -> Vec<PublicityEntry> {
    use slint::Model as _;
    let list = if publicity.get_notices_tab() {
        publicity.get_notices()
    } else {
        publicity.get_articles()
    };
    list.iter().collect()
}

fn open(window: &AppWindow, id: &str) {
    let publicity = window.global::<PublicityAdapter>();
    let notice = id.starts_with("notice:");
    publicity.set_notices_tab(notice);
    let list = visible_list(&publicity);
    let Some(at) = list.iter().position(|item| item.id == id) else {
        tracing::warn!("no publicity item {id}");
        return;
    };
    publicity.set_detail(list[at].clone());
    publicity.set_has_previous(at > 0);
    publicity.set_has_next(at + 1 < list.len());
    publicity.set_showing(true);
}

/// Fills the page from new content.
pub(super) fn fill(window: &AppWindow, content: &Content, options: InfoOptions) {
    let day = options.today();
    let publicity = window.global::<PublicityAdapter>();
    let articles: Vec<PublicityEntry> = articles(content, options, day)
        .into_iter()
        .map(|item| article_item(content, item))
        .collect();
    let notices: Vec<PublicityEntry> = notices(content, day).into_iter().map(notice_item).collect();
    publicity.set_articles(ModelRc::new(VecModel::from(articles)));
    publicity.set_notices(ModelRc::new(VecModel::from(notices)));
    let hotline = content
        .display
        .as_ref()
        .map_or("12348", |d| d.hotline.as_str());
    publicity.set_hotline(SharedString::from(hotline));
}

/// Forgets what the citizen did on the page (session end).
pub(super) fn reset(window: &AppWindow) {
    let publicity = window.global::<PublicityAdapter>();
    publicity.set_showing(false);
    publicity.set_notices_tab(false);
}

/// The home screen's attract loop: after a quiet spell on the home screen, full-screen slides of the
/// publicity and notices valid today, each for its own seconds; any touch ends it.
pub struct AttractLoop {
    inner: Rc<Inner>,
}

struct Inner {
    window: slint::Weak<AppWindow>,
    content: SharedContent,
    options: InfoOptions,
    idle: Timer,
    slide: Timer,
    slides: RefCell<Vec<Shown>>,
    videos: RefCell<Vec<VideoView>>,
    /// The muted player (made on the first video; none when GStreamer cannot start).
    player: RefCell<Option<VideoPlayer>>,
    /// GStreamer could not start: slides only.
    no_video: std::cell::Cell<bool>,
    /// Video ids that could not play, until the content changes.
    failed: RefCell<std::collections::HashSet<String>>,
    /// Puts the newest frame on screen and watches for the clip's end while a video plays.
    pump: Timer,
}

impl AttractLoop {
    /// Starts counting the quiet spell now, and again after every touch and every session end.
    pub(super) fn attach(shell: &Shell, content: &SharedContent, options: InfoOptions) -> Self {
        let inner = Rc::new(Inner {
            window: shell.window().as_weak(),
            content: Arc::clone(content),
            options,
            idle: Timer::default(),
            slide: Timer::default(),
            slides: RefCell::new(Vec::new()),
            videos: RefCell::new(Vec::new()),
            player: RefCell::new(None),
            no_video: std::cell::Cell::new(false),
            failed: RefCell::new(std::collections::HashSet::new()),
            pump: Timer::default(),
        });
        let weak = Rc::downgrade(&inner);
        shell.on_activity(move || {
            if let Some(inner) = weak.upgrade() {
                Inner::quiet_from_now(&inner);
            }
        });
        let weak = Rc::downgrade(&inner);
        shell.on_session_end(move || {
            if let Some(inner) = weak.upgrade() {
                // The lists too: the next citizen sees what is valid on their day.
                if let Some(window) = inner.window.upgrade() {
                    fill(&window, &current(&inner.content), inner.options);
                }
                // The quiet spell counts from the last touch, which already restarted it; a session
                // ended by the idle timeout does not restart it.
                if !inner.idle.running() {
                    Inner::quiet_from_now(&inner);
                }
            }
        });
        Inner::quiet_from_now(&inner);
        Self { inner }
    }

    /// Starts the loop now (on the home screen only).
    pub fn start_now(&self) {
        Inner::start(&self.inner);
    }

    /// Whether the loop is on screen.
    pub fn running(&self) -> bool {
        self.inner
            .window
            .upgrade()
            .is_some_and(|w| w.global::<PublicityAdapter>().get_attract())
    }
}

impl Inner {
    /// A touch or a session end: leave the loop and count the quiet spell from now.
    fn quiet_from_now(this: &Rc<Self>) {
        this.slide.stop();
        Self::stop_video(this);
        if let Some(window) = this.window.upgrade() {
            window.global::<PublicityAdapter>().set_attract(false);
        }
        let after = current(&this.content)
            .display
            .as_ref()
            .map_or(DEFAULT_ATTRACT_AFTER_SECS, |d| d.idle_publicity_after_secs)
            .max(1);
        let weak = Rc::downgrade(this);
        this.idle.start(
            TimerMode::SingleShot,
            Duration::from_secs(after.into()),
            move || {
                if let Some(inner) = weak.upgrade() {
                    Self::start(&inner);
                }
            },
        );
    }

    fn start(this: &Rc<Self>) {
        let Some(window) = this.window.upgrade() else {
            return;
        };
        // Only the home screen falls into the loop; a page left open ends its session first.
        if window.global::<Nav>().get_page() != Page::Home {
            return;
        }
        let content = current(&this.content);
        let slides = slides(&content, this.options, this.options.today());
        if slides.is_empty() {
            return;
        }
        let at = this
            .options
            .today()
            .and_time(chrono::Local::now().naive_local().time());
        let videos: Vec<VideoView> = attract_videos(&content, this.options, at);
        if *this.videos.borrow() != videos {
            this.failed.borrow_mut().clear();
        }
        *this.videos.borrow_mut() = videos;
        let publicity = window.global::<PublicityAdapter>();
        let items: Vec<PublicityEntry> = slides.iter().map(|s| s.item.clone()).collect();
        publicity.set_slides(ModelRc::new(VecModel::from(items)));
        publicity.set_slide(0);
        publicity.set_attract(true);
        tracing::debug!("home idle: attract loop of {} slides", slides.len());
        *this.slides.borrow_mut() = slides;
        Self::show_slide(this, 0);
    }

    fn show_slide(this: &Rc<Self>, index: usize) {
        let Some(window) = this.window.upgrade() else {
            return;
        };
        let seconds = {
            let slides = this.slides.borrow();
            let Some(shown) = slides.get(index) else {
                return;
            };
            shown.seconds
        };
        window
            .global::<PublicityAdapter>()
            .set_slide(i32::try_from(index).unwrap_or(0));
        let weak = Rc::downgrade(this);
        this.slide.start(
            TimerMode::SingleShot,
            Duration::from_secs(seconds.into()),
            move || {
                if let Some(inner) = weak.upgrade() {
                    let count = inner.slides.borrow().len();
                    if index + 1 >= count {
                        Self::play_video(&inner, 0);
                    } else {
                        Self::show_slide(&inner, index + 1);
                    }
                }
            },
        );
    }

    /// Plays the `from`-th attract video or a later one that has not failed; none left: the slides
    /// again from the first.
    fn play_video(this: &Rc<Self>, from: usize) {
        let Some(window) = this.window.upgrade() else {
            return;
        };
        let next = {
            let failed = this.failed.borrow();
            this.videos
                .borrow()
                .iter()
                .enumerate()
                .skip(from)
                .find(|(_, v)| !failed.contains(&v.id))
                .map(|(i, v)| (i, v.clone()))
        };
        let Some((index, view)) = next.filter(|_| Self::ensure_player(this)) else {
            Self::stop_video(this);
            Self::show_slide(this, 0);
            return;
        };
        let publicity = window.global::<PublicityAdapter>();
        publicity.set_video_title(view.title.as_str().into());
        publicity.set_video_title_en(view.title_en.as_str().into());
        publicity.set_video_subtitle(SharedString::new());
        publicity.set_video_frame(
            view.poster
                .as_deref()
                .and_then(|p| crate::ui::images::load(p).ok())
                .unwrap_or_default(),
        );
        publicity.set_video_on(true);
        let weak = Rc::downgrade(this);
        this.pump
            .start(TimerMode::Repeated, Duration::from_millis(15), move || {
                let Some(inner) = weak.upgrade() else {
                    return;
                };
                let (outcome, frame) = {
                    let mut player = inner.player.borrow_mut();
                    let Some(player) = player.as_mut() else {
                        return;
                    };
                    (player.sync(Some(&view)), player.take_frame())
                };
                if let Some(window) = inner.window.upgrade()
                    && let Some(frame) = frame
                {
                    let publicity = window.global::<PublicityAdapter>();
                    publicity.set_video_frame(Image::from_rgba8(frame.pixels));
                    publicity.set_video_subtitle(frame.subtitle.into());
                }
                match outcome {
                    Some(VideoOutcome::Ended { .. }) => Self::play_video(&inner, index + 1),
                    Some(VideoOutcome::Failed { id, .. }) => {
                        inner.failed.borrow_mut().insert(id);
                        Self::play_video(&inner, index + 1);
                    }
                    None => {}
                }
            });
    }

    /// Makes the muted player on first use; false when GStreamer cannot start.
    fn ensure_player(this: &Rc<Self>) -> bool {
        if this.no_video.get() {
            return false;
        }
        if this.player.borrow().is_some() {
            return true;
        }
        match media::init() {
            Ok(()) => {
                *this.player.borrow_mut() = Some(VideoPlayer::new(media::PlayOptions {
                    realtime: true,
                    audio: media::Audio::Silent,
                    volume: 0.0,
                    first_frame_within: Duration::from_secs(8),
                    stall_after: Duration::from_secs(8),
                    fit: Some((1080, 1080)),
                }));
                true
            }
            Err(err) => {
                tracing::warn!("attract loop without videos: {err}");
                this.no_video.set(true);
                false
            }
        }
    }

    fn stop_video(this: &Rc<Self>) {
        this.pump.stop();
        if let Some(player) = this.player.borrow_mut().as_mut() {
            player.sync(None);
        }
        if let Some(window) = this.window.upgrade() {
            window.global::<PublicityAdapter>().set_video_on(false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_marks_are_dropped_but_paragraphs_stay() {
        assert_eq!(
            plain("# 办公时间\n\n**周一**至周五\n"),
            "办公时间\n\n周一至周五"
        );
    }
}
