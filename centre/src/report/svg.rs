//! Charts as inline SVG strings: pure functions of their data, fixed sizes, no script, no external
//! font or stylesheet (the centre's network may be offline). Each chart is an accessible image
//! (`role="img"`, a `<title>` and a `<desc>` naming what it shows, Chinese then English), and each
//! bar carries its value (`data-value`) and a `<title>` for the pointer.

use std::fmt::Write as _;

use chrono::NaiveDate;

/// Width of every chart, px.
pub const WIDTH: u32 = 720;
/// Height of every chart, px.
pub const HEIGHT: u32 = 280;

const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 44.0;
const BAR_COLOUR: &str = "#1f5fa8";

/// Escapes text for XML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Characters XML 1.0 does not allow are left out.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// A chart's title in both languages: `取号数（按小时） / Tickets by hour of day`.
#[derive(Debug, Clone, Copy)]
pub struct Title<'a> {
    /// Chinese.
    pub zh: &'a str,
    /// English.
    pub en: &'a str,
}

impl Title<'_> {
    fn text(&self) -> String {
        format!("{} / {}", self.zh, self.en)
    }
}

/// The smallest "round" number (1, 2 or 5 × 10ⁿ) at or above `max` (at least 1): the top of the
/// value axis.
pub fn axis_top(max: f64) -> f64 {
    if !max.is_finite() || max <= 1.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(max.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|step| step * magnitude)
        .find(|&top| top >= max)
        .unwrap_or(10.0 * magnitude)
}

/// Only characters safe in an XML id.
fn clean_id(id: &str) -> String {
    let id: String = id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    if id.is_empty() { "chart".into() } else { id }
}

fn open(out: &mut String, id: &str, title: Title<'_>, desc: &str) {
    let id = clean_id(id);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{id}-title {id}-desc" font-family="sans-serif" font-size="12"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc><text x="{LEFT}" y="22" font-size="14" font-weight="bold">{}</text>"#,
        escape(&title.text()),
        escape(desc),
        escape(&title.text()),
    );
}

/// The value axis: the baseline, the top and half-way ticks with their values.
fn value_axis(out: &mut String, top: f64) {
    let (x0, x1) = (LEFT, f64::from(WIDTH) - RIGHT);
    let plot = f64::from(HEIGHT) - TOP - BOTTOM;
    for fraction in [0.0, 0.5, 1.0] {
        let y = TOP + plot * (1.0 - fraction);
        let _ = write!(
            out,
            r##"<line x1="{x0}" y1="{y:.2}" x2="{x1}" y2="{y:.2}" stroke="#ccc"/><text x="{:.2}" y="{:.2}" text-anchor="end">{}</text>"##,
            x0 - 6.0,
            y + 4.0,
            format_value(top * fraction),
        );
    }
}

fn format_value(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// Vertical bars of `values` labelled `labels` below every `label_every`th bar.
fn vertical_bars(
    out: &mut String,
    values: &[f64],
    labels: &[String],
    tips: &[String],
    label_every: usize,
) {
    let plot_w = f64::from(WIDTH) - LEFT - RIGHT;
    let plot_h = f64::from(HEIGHT) - TOP - BOTTOM;
    let top = axis_top(values.iter().copied().fold(0.0, f64::max));
    value_axis(out, top);
    let n = values.len().max(1) as f64;
    let slot = plot_w / n;
    let bar_w = (slot * 0.8).max(0.5);
    for (i, &v) in values.iter().enumerate() {
        let h = (v.max(0.0) / top * plot_h).min(plot_h);
        let x = LEFT + slot * i as f64 + (slot - bar_w) / 2.0;
        let y = TOP + plot_h - h;
        let _ = write!(
            out,
            r#"<rect class="bar" x="{x:.2}" y="{y:.2}" width="{bar_w:.2}" height="{h:.2}" fill="{BAR_COLOUR}" data-value="{}"><title>{}</title></rect>"#,
            format_value(v),
            escape(&tips[i]),
        );
        if label_every > 0 && i % label_every == 0 {
            let _ = write!(
                out,
                r#"<text x="{:.2}" y="{:.2}" text-anchor="middle">{}</text>"#,
                x + bar_w / 2.0,
                TOP + plot_h + 16.0,
                escape(&labels[i]),
            );
        }
    }
}

/// Bars of tickets issued in each hour of the day (00–23).
pub fn hour_bars(id: &str, title: Title<'_>, by_hour: &[u32; 24]) -> String {
    let total: u64 = by_hour.iter().map(|&n| u64::from(n)).sum();
    let mut out = String::new();
    open(
        &mut out,
        id,
        title,
        &format!("共 {total} 张，按取号时段（0–23 时）/ {total} tickets by hour of issue (0–23)"),
    );
    let values: Vec<f64> = by_hour.iter().map(|&n| f64::from(n)).collect();
    let labels: Vec<String> = (0..24).map(|h| format!("{h:02}")).collect();
    let tips: Vec<String> = by_hour
        .iter()
        .enumerate()
        .map(|(h, n)| format!("{h:02}:00–{h:02}:59 {n}"))
        .collect();
    vertical_bars(&mut out, &values, &labels, &tips, 1);
    out.push_str("</svg>");
    out
}

/// Bars of a value per day over a range (every day of the range, zero when absent).
pub fn daily_bars(id: &str, title: Title<'_>, days: &[(NaiveDate, u32)]) -> String {
    let total: u64 = days.iter().map(|&(_, n)| u64::from(n)).sum();
    let mut out = String::new();
    let range = match (days.first(), days.last()) {
        (Some((a, _)), Some((b, _))) => format!("{a} – {b}"),
        _ => String::new(),
    };
    open(
        &mut out,
        id,
        title,
        &format!("{range}：共 {total}，按日 / {range}: {total} in all, by day"),
    );
    let values: Vec<f64> = days.iter().map(|&(_, n)| f64::from(n)).collect();
    let labels: Vec<String> = days
        .iter()
        .map(|(d, _)| d.format("%m-%d").to_string())
        .collect();
    let tips: Vec<String> = days.iter().map(|(d, n)| format!("{d} {n}")).collect();
    // About eight date labels whatever the range.
    let every = days.len().div_ceil(8).max(1);
    vertical_bars(&mut out, &values, &labels, &tips, every);
    out.push_str("</svg>");
    out
}

/// One horizontal bar of [`rating_bars`].
#[derive(Debug, Clone)]
pub struct RatingBar {
    /// What was rated (site and service).
    pub label: String,
    /// The mean score, 0 to 5.
    pub average: f64,
    /// Ratings.
    pub count: u64,
}

/// Horizontal bars of mean ratings on a 0–5 scale, one per row (at most 12 shown, in the order
/// given; the chart says how many were left out).
pub fn rating_bars(id: &str, title: Title<'_>, rows: &[RatingBar]) -> String {
    const MAX_ROWS: usize = 12;
    let mut out = String::new();
    let shown = &rows[..rows.len().min(MAX_ROWS)];
    let left_out = rows.len() - shown.len();
    let mut desc = format!(
        "{} 项平均评分（满分 5 分）/ mean score of {} (out of 5)",
        rows.len(),
        rows.len()
    );
    if left_out > 0 {
        let _ = write!(
            desc,
            "；另有 {left_out} 项未画出 / {left_out} more not drawn"
        );
    }
    open(&mut out, id, title, &desc);
    let label_w = 260.0;
    let x0 = label_w;
    let plot_w = f64::from(WIDTH) - label_w - 60.0;
    let plot_h = f64::from(HEIGHT) - TOP - 16.0;
    let slot = plot_h / MAX_ROWS as f64;
    let bar_h = slot * 0.7;
    for score in 0..=5 {
        let x = x0 + plot_w * f64::from(score) / 5.0;
        let _ = write!(
            out,
            r##"<line x1="{x:.2}" y1="{TOP}" x2="{x:.2}" y2="{:.2}" stroke="#ccc"/>"##,
            TOP + plot_h
        );
    }
    for (i, row) in shown.iter().enumerate() {
        let average = if row.average.is_finite() {
            row.average.clamp(0.0, 5.0)
        } else {
            0.0
        };
        let w = plot_w * average / 5.0;
        let y = TOP + slot * i as f64 + (slot - bar_h) / 2.0;
        let label: String = row.label.chars().take(24).collect();
        let _ = write!(
            out,
            r#"<text x="{:.2}" y="{:.2}" text-anchor="end">{}</text><rect class="bar" x="{x0:.2}" y="{y:.2}" width="{w:.2}" height="{bar_h:.2}" fill="{BAR_COLOUR}" data-value="{average:.2}"><title>{} {average:.2}（{} 条 / ratings）</title></rect><text x="{:.2}" y="{:.2}">{average:.2}</text>"#,
            x0 - 6.0,
            y + bar_h / 2.0 + 4.0,
            escape(&label),
            escape(&row.label),
            row.count,
            x0 + w + 4.0,
            y + bar_h / 2.0 + 4.0,
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TITLE: Title<'static> = Title {
        zh: "取号数（按小时）",
        en: "Tickets by hour <of> \"day\" & night",
    };

    /// Parses the chart (it must be well-formed XML) and returns its bars as (value, height or
    /// width) in document order.
    fn bars(svg: &str, size: &str) -> Vec<(f64, f64)> {
        let doc = roxmltree::Document::parse(svg).expect("well-formed XML");
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert_eq!(
            root.tag_name().namespace(),
            Some("http://www.w3.org/2000/svg")
        );
        assert_eq!(root.attribute("role"), Some("img"));
        assert_eq!(root.attribute("width"), Some("720"));
        let title = root
            .children()
            .find(|n| n.has_tag_name("title"))
            .expect("a title first");
        assert!(title.text().unwrap().contains(" / "), "Chinese / English");
        let labelled = root.attribute("aria-labelledby").unwrap();
        assert!(labelled.contains(title.attribute("id").unwrap()));
        root.descendants()
            .filter(|n| n.has_tag_name("rect") && n.attribute("class") == Some("bar"))
            .map(|n| {
                (
                    n.attribute("data-value").unwrap().parse().unwrap(),
                    n.attribute(size).unwrap().parse().unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn hour_bars_are_as_tall_as_their_values() {
        let mut hours = [0u32; 24];
        hours[8] = 3;
        hours[9] = 37;
        hours[14] = 12;
        let svg = hour_bars("hours", TITLE, &hours);
        let bars = bars(&svg, "height");
        assert_eq!(bars.len(), 24);
        let plot = f64::from(HEIGHT) - TOP - BOTTOM;
        let top = axis_top(37.0);
        assert_eq!(top, 50.0);
        for (h, (value, height)) in bars.iter().enumerate() {
            assert_eq!(*value, f64::from(hours[h]));
            assert!(
                (height - value / top * plot).abs() < 0.01,
                "hour {h}: {height}"
            );
        }
        assert!(
            svg.contains("&lt;of&gt; &quot;day&quot; &amp; night"),
            "escaped"
        );
        assert!(!svg.contains("<of>"));
    }

    #[test]
    fn daily_bars_cover_the_range_and_an_empty_chart_is_still_valid() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
        let days: Vec<(NaiveDate, u32)> = (1..=31).map(|d| (day(d), d * 2)).collect();
        let svg = daily_bars("days", TITLE, &days);
        let bars = bars(&svg, "height");
        assert_eq!(bars.len(), 31);
        let plot = f64::from(HEIGHT) - TOP - BOTTOM;
        assert!((bars[30].1 - 62.0 / 100.0 * plot).abs() < 0.01);
        assert!((bars[0].1 * 31.0 - bars[30].1).abs() < 0.01, "proportional");
        let empty = daily_bars("days", TITLE, &[]);
        assert!(self::bars(&empty, "height").is_empty());
        let zero = hour_bars("h", TITLE, &[0; 24]);
        assert!(self::bars(&zero, "height").iter().all(|&(_, h)| h == 0.0));
    }

    #[test]
    fn rating_bars_are_as_long_as_their_mean() {
        let rows = vec![
            RatingBar {
                label: "向阳镇 · 法律援助 <legal_aid>".into(),
                average: 4.5,
                count: 10,
            },
            RatingBar {
                label: "S · notary".into(),
                average: 2.25,
                count: 4,
            },
        ];
        let svg = rating_bars("ratings", TITLE, &rows);
        let bars = bars(&svg, "width");
        assert_eq!(bars, vec![(4.5, bars[0].1), (2.25, bars[1].1)]);
        assert!((bars[0].1 - 2.0 * bars[1].1).abs() < 0.01);
        let many: Vec<RatingBar> = (0..15)
            .map(|i| RatingBar {
                label: format!("s{i}"),
                average: 3.0,
                count: 1,
            })
            .collect();
        let svg = rating_bars("ratings", TITLE, &many);
        assert_eq!(self::bars(&svg, "width").len(), 12);
        assert!(svg.contains("3 more not drawn"));
    }

    #[test]
    fn axis_tops_are_round() {
        assert_eq!(axis_top(0.0), 1.0);
        assert_eq!(axis_top(7.0), 10.0);
        assert_eq!(axis_top(10.0), 10.0);
        assert_eq!(axis_top(11.0), 20.0);
        assert_eq!(axis_top(230.0), 500.0);
        assert_eq!(escape("a\u{1}b"), "ab");
    }
}
