//! The hall's publicity from the content bundle: picture slides become the hall screen's slides
//! between calls, ticker lines scroll on the LED panel. Both are scheduled by the items' validity
//! (the hall model and [`tickers`] judge each day), and follow the tier of the site.

use chrono::NaiveDate;

use super::SlideConfig;
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
