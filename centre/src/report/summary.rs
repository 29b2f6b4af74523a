//! The complaints, ratings and needs-survey reports: the store's counts shaped into rows.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::store::{
    ComplaintCategory, ComplaintCount, RatingCount, RatingStaffCount, SurveyRow,
    report::LOW_RATING_SCORE,
};

/// Complaints and suggestions of one day and site.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ComplaintReportRow {
    /// The local day the kiosk queued them.
    pub day: NaiveDate,
    /// The site.
    pub site: String,
    /// Marked 【投诉】.
    pub complaints: u64,
    /// Marked 【建议】.
    pub suggestions: u64,
    /// Without a mark.
    pub other: u64,
    /// All of them.
    pub total: u64,
}

/// One row per day and site, ordered so.
pub fn complaint_rows(counts: &[ComplaintCount]) -> Vec<ComplaintReportRow> {
    let mut rows: BTreeMap<(NaiveDate, &str), ComplaintReportRow> = BTreeMap::new();
    for c in counts {
        let row = rows
            .entry((c.day, c.site.as_str()))
            .or_insert_with(|| ComplaintReportRow {
                day: c.day,
                site: c.site.clone(),
                ..ComplaintReportRow::default()
            });
        match c.category {
            ComplaintCategory::Complaint => row.complaints += c.count,
            ComplaintCategory::Suggestion => row.suggestions += c.count,
            ComplaintCategory::Other => row.other += c.count,
        }
        row.total += c.count;
    }
    rows.into_values().collect()
}

/// Ratings of one site and service.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RatingReportRow {
    /// The site.
    pub site: String,
    /// The service rated.
    pub service: String,
    /// Ratings.
    pub count: u64,
    /// The mean score, two decimals.
    pub average: f64,
    /// Ratings with each score, 1 to 5.
    pub by_score: [u64; 5],
}

/// One row per site and service, ordered so.
pub fn rating_rows(counts: &[RatingCount]) -> Vec<RatingReportRow> {
    let mut rows: BTreeMap<(&str, &str), [u64; 5]> = BTreeMap::new();
    for c in counts.iter().filter(|c| (1..=5).contains(&c.score)) {
        rows.entry((c.site.as_str(), c.service.as_str()))
            .or_insert([0; 5])[usize::from(c.score) - 1] += c.count;
    }
    rows.into_iter()
        .map(|((site, service), by_score)| {
            let (count, average) = count_and_average(&by_score);
            RatingReportRow {
                site: site.to_owned(),
                service: service.to_owned(),
                count,
                average,
                by_score,
            }
        })
        .collect()
}

/// Ratings of one site and staff member (the by-staff breakdown of the ratings report).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RatingStaffRow {
    /// The site.
    pub site: String,
    /// The staff number (工号); null for the ratings that name no one.
    pub staff_id: Option<String>,
    /// The staff member's name; null for the ratings that name no one.
    pub staff_name: Option<String>,
    /// Ratings.
    pub count: u64,
    /// The mean score, two decimals.
    pub average: f64,
    /// Low ratings (score ≤ [`LOW_RATING_SCORE`]).
    pub low: u64,
    /// `low` of `count`, 0 to 1, two decimals.
    pub low_share: f64,
    /// Ratings with each score, 1 to 5.
    pub by_score: [u64; 5],
}

/// One row per site and staff member (id, then name; the ratings naming no one first), ordered so.
pub fn rating_staff_rows(counts: &[RatingStaffCount]) -> Vec<RatingStaffRow> {
    type Key<'a> = (&'a str, Option<&'a str>, Option<&'a str>);
    let mut rows: BTreeMap<Key<'_>, [u64; 5]> = BTreeMap::new();
    for c in counts.iter().filter(|c| (1..=5).contains(&c.score)) {
        rows.entry((
            c.site.as_str(),
            c.staff_id.as_deref(),
            c.staff_name.as_deref(),
        ))
        .or_insert([0; 5])[usize::from(c.score) - 1] += c.count;
    }
    rows.into_iter()
        .map(|((site, staff_id, staff_name), by_score)| {
            let (count, average) = count_and_average(&by_score);
            let low: u64 = by_score[..usize::from(LOW_RATING_SCORE)].iter().sum();
            RatingStaffRow {
                site: site.to_owned(),
                staff_id: staff_id.map(str::to_owned),
                staff_name: staff_name.map(str::to_owned),
                count,
                average,
                low,
                low_share: two_decimals(low, count),
                by_score,
            }
        })
        .collect()
}

/// The number of ratings of counts by score (1 to 5) and their mean score, two decimals (0 for
/// none).
fn count_and_average(by_score: &[u64; 5]) -> (u64, f64) {
    let count: u64 = by_score.iter().sum();
    let points: u64 = by_score
        .iter()
        .zip(1u64..)
        .map(|(&n, score)| n * score)
        .sum();
    (count, two_decimals(points, count))
}

/// `part / whole` rounded to two decimals; 0 when `whole` is 0.
fn two_decimals(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        (part as f64 / whole as f64 * 100.0).round() / 100.0
    }
}

/// How often one choice of one question was chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SurveyAnswerRow {
    /// The question: `services`, `matters` or `channels`.
    pub question: &'static str,
    /// The choice id.
    pub choice: String,
    /// Surveys that chose it.
    pub count: u64,
}

/// The needs surveys counted per question and choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SurveyReport {
    /// Surveys answered.
    pub surveys: u64,
    /// Per question (in the survey's order) the choices, most chosen first (then by id).
    pub answers: Vec<SurveyAnswerRow>,
}

/// Counts the answers of `rows`.
pub fn survey_report(rows: &[SurveyRow]) -> SurveyReport {
    let mut counts: [BTreeMap<&str, u64>; 3] = Default::default();
    for row in rows {
        let lists = [
            &row.survey.services,
            &row.survey.matters,
            &row.survey.channels,
        ];
        for (count, list) in counts.iter_mut().zip(lists) {
            // A choice listed twice in one survey counts once.
            let mut seen: Vec<&str> = list.iter().map(String::as_str).collect();
            seen.sort_unstable();
            seen.dedup();
            for choice in seen {
                *count.entry(choice).or_insert(0) += 1;
            }
        }
    }
    let mut answers = Vec::new();
    for (question, count) in ["services", "matters", "channels"].into_iter().zip(counts) {
        let mut list: Vec<(&str, u64)> = count.into_iter().collect();
        list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        answers.extend(list.into_iter().map(|(choice, count)| SurveyAnswerRow {
            question,
            choice: choice.to_owned(),
            count,
        }));
    }
    SurveyReport {
        surveys: rows.len() as u64,
        answers,
    }
}

#[cfg(test)]
mod tests {
    use content::NeedsSurvey;

    use super::*;

    #[test]
    fn complaints_are_counted_by_day_site_and_mark() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let c = |site: &str, category, count| ComplaintCount {
            day,
            site: site.into(),
            category,
            count,
        };
        let rows = complaint_rows(&[
            c("S", ComplaintCategory::Complaint, 2),
            c("S", ComplaintCategory::Suggestion, 1),
            c("T", ComplaintCategory::Other, 4),
        ]);
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].complaints, rows[0].suggestions, rows[0].total),
            (2, 1, 3)
        );
        assert_eq!((rows[1].other, rows[1].total), (4, 4));
    }

    #[test]
    fn ratings_have_a_count_and_an_average() {
        let r = |score, count| RatingCount {
            site: "S".into(),
            service: "notary".into(),
            score,
            count,
        };
        let rows = rating_rows(&[r(5, 2), r(4, 1), r(1, 0)]);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].count, 3);
        assert_eq!(rows[0].average, 4.67);
        assert_eq!(rows[0].by_score, [0, 0, 0, 1, 2]);
    }

    #[test]
    fn ratings_by_staff_have_a_low_share_and_the_unnamed_first() {
        let r = |staff: Option<(&str, &str)>, score, count| RatingStaffCount {
            site: "S".into(),
            staff_id: staff.map(|s| s.0.to_owned()),
            staff_name: staff.map(|s| s.1.to_owned()),
            score,
            count,
        };
        let zhang = Some(("A017", "张敏"));
        let rows = rating_staff_rows(&[
            r(zhang, 1, 1),
            r(zhang, 2, 1),
            r(zhang, 5, 2),
            r(None, 3, 1),
            r(zhang, 9, 4),
        ]);
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].staff_id.as_deref(), rows[0].count), (None, 1));
        assert_eq!((rows[0].low, rows[0].low_share), (0, 0.0));
        let z = &rows[1];
        assert_eq!(
            (z.staff_id.as_deref(), z.staff_name.as_deref()),
            (Some("A017"), Some("张敏"))
        );
        assert_eq!((z.count, z.average, z.low, z.low_share), (4, 3.25, 2, 0.5));
        assert_eq!(z.by_score, [1, 1, 0, 0, 2]);
    }

    #[test]
    fn survey_choices_are_counted_per_question() {
        let survey = |services: &[&str], channels: &[&str]| SurveyRow {
            site: "S".into(),
            survey: NeedsSurvey {
                services: services.iter().map(|s| (*s).to_owned()).collect(),
                matters: vec![],
                channels: channels.iter().map(|s| (*s).to_owned()).collect(),
            },
        };
        let report = survey_report(&[
            survey(&["legal_aid", "mediation"], &["hotline"]),
            survey(&["legal_aid", "legal_aid"], &[]),
        ]);
        assert_eq!(report.surveys, 2);
        let got: Vec<(&str, &str, u64)> = report
            .answers
            .iter()
            .map(|a| (a.question, a.choice.as_str(), a.count))
            .collect();
        assert_eq!(
            got,
            vec![
                ("services", "legal_aid", 2),
                ("services", "mediation", 1),
                ("channels", "hotline", 1)
            ]
        );
    }
}
