//! What fills the hall screen's main area between calls: the slides (configured, the bundle's
//! publicity, the notices) in turn, each for `slide_secs`, and after every `slides_between` slides a
//! video that may play now (dates, hours), for as long as it plays. The screen's player says when a
//! video ended or failed; a failed video is left out until the content changes, so a broken file is
//! never shown twice and never leaves the screen black.

use std::{collections::BTreeSet, path::PathBuf, time::Duration};

use chrono::NaiveDateTime;

use super::SlideConfig;
use content::VideoItem;

/// A publicity video of this site, with its files on disk.
#[derive(Debug, Clone, PartialEq)]
pub struct VideoEntry {
    /// The content record (title, dates, hours, flags).
    pub item: VideoItem,
    /// The clip.
    pub file: PathBuf,
    /// Its SubRip subtitles.
    pub subtitles: Option<PathBuf>,
    /// The picture shown until its first frame.
    pub poster: Option<PathBuf>,
}

impl VideoEntry {
    /// A local clip (not from a content bundle) that plays every day, all day: for a display that
    /// follows no content store, tests and benchmarks.
    pub fn local(
        id: &str,
        title: content::Text,
        file: PathBuf,
        subtitles: Option<PathBuf>,
    ) -> Self {
        Self {
            item: VideoItem {
                id: id.to_owned(),
                title,
                file: String::new(),
                subtitles: None,
                poster: None,
                valid_from: chrono::NaiveDate::MIN,
                valid_until: None,
                hours: Vec::new(),
                tiers: Vec::new(),
                sites: Vec::new(),
                attract: false,
                sample: false,
            },
            file,
            subtitles,
            poster: None,
        }
    }
}

/// What the main area shows now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Showing {
    /// `slides[i]`.
    Slide(usize),
    /// `videos[i]`.
    Video(usize),
    /// Nothing is valid: the welcome slide.
    Welcome,
}

/// The rotation of slides and videos.
#[derive(Debug)]
pub(crate) struct Programme {
    slides: Vec<SlideConfig>,
    videos: Vec<VideoEntry>,
    slide_secs: Duration,
    slides_between: u32,
    current: Option<(Showing, Duration)>,
    next_slide: usize,
    next_video: usize,
    slides_since_video: u32,
    failed: BTreeSet<String>,
}

impl Programme {
    pub(crate) fn new(slide_secs: Duration, slides_between: u32) -> Self {
        Self {
            slides: Vec::new(),
            videos: Vec::new(),
            slide_secs,
            slides_between,
            current: None,
            next_slide: 0,
            next_video: 0,
            slides_since_video: 0,
            failed: BTreeSet::new(),
        }
    }

    /// New slides; the rotation starts again when they differ.
    pub(crate) fn set_slides(&mut self, slides: Vec<SlideConfig>) {
        if slides != self.slides {
            self.slides = slides;
            self.restart();
        }
    }

    /// New videos (a new bundle): failures are forgotten, the rotation starts again when they differ.
    pub(crate) fn set_videos(&mut self, videos: Vec<VideoEntry>) {
        if videos != self.videos {
            self.videos = videos;
            self.failed.clear();
            self.restart();
        }
    }

    fn restart(&mut self) {
        self.current = None;
        self.next_slide = 0;
        self.next_video = 0;
        self.slides_since_video = 0;
    }

    pub(crate) fn slide(&self, i: usize) -> Option<&SlideConfig> {
        self.slides.get(i)
    }

    pub(crate) fn video(&self, i: usize) -> Option<&VideoEntry> {
        self.videos.get(i)
    }

    /// Ids of the videos skipped as broken since the content last changed.
    pub(crate) fn failed(&self) -> impl Iterator<Item = &str> {
        self.failed.iter().map(String::as_str)
    }

    fn slide_valid(&self, i: usize, local: NaiveDateTime) -> bool {
        let today = local.date();
        self.slides.get(i).is_some_and(|s| {
            s.from.is_none_or(|f| f <= today) && s.until.is_none_or(|u| today <= u)
        })
    }

    fn video_playable(&self, i: usize, local: NaiveDateTime) -> bool {
        self.videos
            .get(i)
            .is_some_and(|v| !self.failed.contains(&v.item.id) && v.item.is_on_at(local))
    }

    /// What shows at `now` (monotonic) and `local` (wall clock, for dates and hours).
    pub(crate) fn tick(&mut self, now: Duration, local: NaiveDateTime) -> Showing {
        let keep = match self.current {
            Some((Showing::Slide(i), since)) => {
                self.slide_valid(i, local) && now.saturating_sub(since) < self.slide_secs
            }
            // A video stays until the player says it ended (or failed).
            Some((Showing::Video(i), _)) => self.video_playable(i, local),
            Some((Showing::Welcome, since)) => now.saturating_sub(since) < self.slide_secs,
            None => false,
        };
        if !keep {
            let next = self.choose(local);
            self.current = Some((next, now));
        }
        self.current.map_or(Showing::Welcome, |(s, _)| s)
    }

    fn choose(&mut self, local: NaiveDateTime) -> Showing {
        let slide = (0..self.slides.len())
            .map(|k| (self.next_slide + k) % self.slides.len())
            .find(|&i| self.slide_valid(i, local));
        let video = (0..self.videos.len())
            .map(|k| (self.next_video + k) % self.videos.len())
            .find(|&i| self.video_playable(i, local));
        let video_turn = self.slides_since_video >= self.slides_between || slide.is_none();
        match (video_turn, video, slide) {
            (true, Some(v), _) => {
                self.next_video = v + 1;
                self.slides_since_video = 0;
                Showing::Video(v)
            }
            (_, _, Some(s)) => {
                self.next_slide = s + 1;
                self.slides_since_video = self.slides_since_video.saturating_add(1);
                Showing::Slide(s)
            }
            _ => Showing::Welcome,
        }
    }

    /// The player says video `id` played to its end at `now`: the next item comes.
    pub(crate) fn video_ended(&mut self, id: &str, now: Duration, local: NaiveDateTime) {
        if self.is_showing(id) {
            self.current = None;
            self.tick(now, local);
        }
    }

    /// The player says video `id` cannot play: it is left out until the content changes, and the next
    /// item comes at once.
    pub(crate) fn video_failed(&mut self, id: &str, now: Duration, local: NaiveDateTime) {
        self.failed.insert(id.to_owned());
        if self.is_showing(id) {
            self.current = None;
            self.tick(now, local);
        }
    }

    fn is_showing(&self, id: &str) -> bool {
        matches!(self.current, Some((Showing::Video(i), _)) if self.videos.get(i).is_some_and(|v| v.item.id == id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use content::Text;

    fn slide(title: &str) -> SlideConfig {
        SlideConfig {
            title: title.into(),
            title_en: String::new(),
            body: String::new(),
            body_en: String::new(),
            from: None,
            until: None,
        }
    }

    fn video(id: &str, hours: &[&str]) -> VideoEntry {
        let mut v = VideoEntry::local(
            id,
            Text {
                zh: id.into(),
                en: String::new(),
            },
            PathBuf::from(format!("{id}.mp4")),
            None,
        );
        v.item.hours = hours.iter().map(|h| (*h).to_owned()).collect();
        v
    }

    fn at(hh: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 3, 2)
            .unwrap()
            .and_hms_opt(hh, 0, 0)
            .unwrap()
    }

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    /// What shows, as a name.
    fn name(p: &mut Programme, now: u64, hh: u32) -> String {
        match p.tick(secs(now), at(hh)) {
            Showing::Slide(i) => p.slide(i).unwrap().title.clone(),
            Showing::Video(i) => format!("video:{}", p.video(i).unwrap().item.id),
            Showing::Welcome => "welcome".into(),
        }
    }

    #[test]
    fn two_slides_then_a_video_that_stays_until_it_ends() {
        let mut p = Programme::new(secs(10), 2);
        p.set_slides(vec![slide("a"), slide("b"), slide("c")]);
        p.set_videos(vec![video("v1", &[]), video("v2", &[])]);
        let seen: Vec<String> = [0, 10, 20, 500]
            .iter()
            .map(|&t| name(&mut p, t, 9))
            .collect();
        assert_eq!(
            seen,
            ["a", "b", "video:v1", "video:v1"],
            "a video has no slide time"
        );
        p.video_ended("v1", secs(501), at(9));
        assert_eq!(name(&mut p, 501, 9), "c");
        assert_eq!(name(&mut p, 511, 9), "a");
        assert_eq!(name(&mut p, 521, 9), "video:v2", "videos take turns");
    }

    #[test]
    fn a_failed_video_is_skipped_at_once_and_until_the_content_changes() {
        let mut p = Programme::new(secs(10), 1);
        p.set_slides(vec![slide("a")]);
        p.set_videos(vec![video("bad", &[]), video("good", &[])]);
        assert_eq!(name(&mut p, 0, 9), "a");
        assert_eq!(name(&mut p, 10, 9), "video:bad");
        p.video_failed("bad", secs(11), at(9));
        assert_eq!(name(&mut p, 11, 9), "a", "the next item comes at once");
        assert_eq!(name(&mut p, 21, 9), "video:good");
        p.video_ended("good", secs(30), at(9));
        assert_eq!(name(&mut p, 30, 9), "a");
        assert_eq!(
            name(&mut p, 40, 9),
            "video:good",
            "the broken one is not tried again"
        );
        assert_eq!(p.failed().collect::<Vec<_>>(), ["bad"]);
        // A late report about a video no longer on screen changes nothing shown.
        p.video_ended("bad", secs(41), at(9));
        assert_eq!(name(&mut p, 41, 9), "video:good");
        p.set_videos(vec![
            video("bad", &[]),
            video("good", &[]),
            video("new", &[]),
        ]);
        assert_eq!(p.failed().count(), 0, "a new bundle may have fixed it");
    }

    #[test]
    fn videos_play_only_in_their_hours_and_fill_in_when_no_slide_is_valid() {
        let mut p = Programme::new(secs(10), 1);
        p.set_slides(vec![slide("a")]);
        p.set_videos(vec![video("morning", &["08:00-12:00"])]);
        assert_eq!(name(&mut p, 0, 14), "a");
        assert_eq!(name(&mut p, 10, 14), "a", "out of its hours");
        assert_eq!(name(&mut p, 20, 9), "video:morning");

        let mut only_videos = Programme::new(secs(10), 2);
        only_videos.set_videos(vec![video("v", &[])]);
        assert_eq!(name(&mut only_videos, 0, 9), "video:v");
        only_videos.video_ended("v", secs(5), at(9));
        assert_eq!(
            name(&mut only_videos, 5, 9),
            "video:v",
            "again, rather than a blank"
        );
        only_videos.video_failed("v", secs(6), at(9));
        assert_eq!(name(&mut only_videos, 6, 9), "welcome");

        let mut playing = Programme::new(secs(10), 0);
        playing.set_videos(vec![video("morning", &["08:00-12:00"])]);
        playing.set_slides(vec![slide("a")]);
        assert_eq!(name(&mut playing, 0, 11), "video:morning");
        assert_eq!(
            name(&mut playing, 1, 12),
            "a",
            "its hours ended while it played"
        );
    }
}
