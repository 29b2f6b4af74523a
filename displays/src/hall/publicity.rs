//! The hall's publicity from the content bundle: picture slides and notices become the hall screen's
//! slides between calls, videos play between them, ticker lines scroll on the LED panel. All are
//! scheduled by the items' validity (the hall model and [`tickers`] judge each day, videos also by
//! their hours), and follow the tier (and, for videos, the id) of the site.

use chrono::NaiveDate;

use super::{SlideConfig, VideoEntry};
use content::{Content, PublicityKind, SiteTier};

fn for_site(tier: SiteTier) -> impl Fn(&&content::PublicityItem) -> bool {
    move |item| item.tiers.is_empty() || item.tiers.contains(&tier)
}

/// The content's picture slides for this site, with their validity, in the content's order.
pub fn slides(content: &Content, tier: SiteTier) -> Vec<SlideConfig> {
    content
        .publicity
        .iter()
        .filter(|item| item.kind == PublicityKind::Slide)
        .filter(for_site(tier))
        .map(|item| SlideConfig {
            title: item.title.zh.clone(),
            title_en: item.title.en_or_zh().to_owned(),
            body: item.body.zh.clone(),
            body_en: item.body.en_or_zh().to_owned(),
            from: Some(item.valid_from),
            until: item.valid_until,
        })
        .collect()
}

/// The notices (通知公告) as slides: the title, and the start of the text without its Markdown.
pub fn notice_slides(content: &Content) -> Vec<SlideConfig> {
    content
        .notices
        .iter()
        .map(|n| SlideConfig {
            title: n.title.zh.clone(),
            title_en: n.title.en_or_zh().to_owned(),
            body: summary(&n.body_zh, 120),
            body_en: summary(&n.body_en, 200),
            from: Some(n.published),
            until: n.valid_until,
        })
        .collect()
}

/// The first `max` characters of Markdown `text` as plain text on one line.
fn summary(text: &str, max: usize) -> String {
    let plain: String = text
        .lines()
        .map(|l| l.trim().trim_start_matches(['#', '>', '-', '*', ' ']))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .replace("**", "")
        .replace('`', "");
    if plain.chars().count() <= max {
        plain
    } else {
        plain.chars().take(max).chain(['…']).collect()
    }
}

/// The content's videos for a site of `tier` with id `site` whose clip is on disk (all dates and
/// hours: the hall model judges those as the day goes on).
pub fn videos(content: &Content, tier: SiteTier, site: &str) -> Vec<VideoEntry> {
    content
        .videos
        .iter()
        .filter(|v| v.is_for_site(tier, site))
        .filter_map(|v| {
            let file = content.file_path(&v.file)?;
            Some(VideoEntry {
                item: v.clone(),
                file,
                subtitles: v.subtitles.as_deref().and_then(|o| content.file_path(o)),
                poster: v.poster.as_deref().and_then(|o| content.file_path(o)),
            })
        })
        .collect()
}

/// The lines the LED panel scrolls on `day`: the content's standing ticker line, then the ticker
/// items valid that day for this site.
pub fn tickers(content: &Content, tier: SiteTier, day: NaiveDate) -> Vec<String> {
    content
        .display
        .iter()
        .map(|display| display.ticker.zh.clone())
        .chain(
            content
                .publicity
                .iter()
                .filter(|item| item.kind == PublicityKind::Ticker)
                .filter(for_site(tier))
                .filter(|item| item.is_valid_on(day))
                .map(|item| item.title.zh.clone()),
        )
        .filter(|line| !line.trim().is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use content::{ContentConfig, ContentStore};

    fn bundled() -> (tempfile::TempDir, std::sync::Arc<Content>) {
        let dir = tempfile::tempdir().unwrap();
        let store = ContentStore::open(dir.path(), &ContentConfig::default()).unwrap();
        let content = store.current();
        (dir, content)
    }

    #[test]
    fn the_sample_video_is_for_every_site_and_notices_become_plain_slides() {
        let (_dir, content) = bundled();
        let videos = videos(&content, SiteTier::Room, "any");
        assert_eq!(videos.len(), 1);
        assert!(videos[0].file.is_file() && videos[0].subtitles.is_some());
        let notices = notice_slides(&content);
        assert!(!notices.is_empty());
        assert!(
            notices
                .iter()
                .all(|n| !n.body.contains('#') && n.from.is_some())
        );
        assert_eq!(summary("# 标题\n\n**重要** 通知", 100), "标题 重要 通知");
        assert_eq!(summary("一二三四", 2), "一二…");
    }

    #[test]
    fn picture_slides_keep_their_validity_and_tickers_follow_the_day_and_site() {
        let (_dir, content) = bundled();
        let slides = slides(&content, SiteTier::Centre);
        assert_eq!(slides[0].title, "12348 公共法律服务热线");
        assert!(slides.iter().all(|s| s.from.is_some()));

        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        let during = tickers(&content, SiteTier::Centre, day("2026-12-01"));
        assert!(during[0].contains("12348"), "the standing line first");
        assert!(during.iter().any(|l| l.contains("国家宪法日")));
        let after = tickers(&content, SiteTier::Centre, day("2026-12-11"));
        assert!(!after.iter().any(|l| l.contains("国家宪法日")), "expired");
        let station = tickers(&content, SiteTier::Station, day("2026-12-01"));
        assert!(
            !station.iter().any(|l| l.contains("附加证明书")),
            "the apostille line is the centre's"
        );
    }
}
