//! The video calls report: per local day and site, the calls made and how they ended, the wait of the
//! answered ones, the time talked, the advice written and the citizens' ratings; from the kiosks' own
//! records (outbox kind `video_call`), so a call that fell back because the centre was unreachable is
//! counted too.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use content::video_call::CallOutcome;
use serde::Serialize;

use crate::{calendar::local_offset, store::VideoCallRow};

/// One day and site.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CallReportRow {
    /// The local day (UTC+8) the call ended.
    pub day: NaiveDate,
    /// The site.
    pub site: String,
    /// Calls made.
    pub calls: u32,
    /// Answered by a lawyer.
    pub answered: u32,
    /// Nobody answered in time.
    pub unanswered: u32,
    /// The centre could not be reached.
    pub unreachable: u32,
    /// The media failed.
    pub failed: u32,
    /// The citizen gave up waiting.
    pub abandoned: u32,
    /// Mean seconds waited by the answered calls (none: none answered).
    pub mean_wait_secs: Option<u32>,
    /// Seconds talked in all.
    pub talk_secs: u64,
    /// Calls that dropped to voice only.
    pub audio_only: u32,
    /// Calls whose advice reached the kiosk.
    pub advice: u32,
    /// Ratings given.
    pub rated: u32,
    /// Their mean, 1 to 5 (none: none given).
    pub mean_rating: Option<f64>,
}

/// Counts `records` by local day and site, in that order.
pub fn call_rows(records: &[VideoCallRow]) -> Vec<CallReportRow> {
    let mut rows: BTreeMap<(NaiveDate, String), (CallReportRow, u64, u64)> = BTreeMap::new();
    for record in records {
        let day = record.created.with_timezone(&local_offset()).date_naive();
        let (row, waited, rating_sum) =
            rows.entry((day, record.site.clone())).or_insert_with(|| {
                (
                    CallReportRow {
                        day,
                        site: record.site.clone(),
                        ..CallReportRow::default()
                    },
                    0,
                    0,
                )
            });
        let r = &record.record;
        row.calls += 1;
        match r.outcome {
            CallOutcome::Answered => {
                row.answered += 1;
                *waited += u64::from(r.waited_secs);
            }
            CallOutcome::Unanswered => row.unanswered += 1,
            CallOutcome::Unreachable => row.unreachable += 1,
            CallOutcome::Failed => row.failed += 1,
            CallOutcome::Abandoned => row.abandoned += 1,
        }
        row.talk_secs += u64::from(r.talk_secs);
        row.audio_only += u32::from(r.audio_only);
        row.advice += u32::from(r.advice);
        if let Some(score) = r.rating {
            row.rated += 1;
            *rating_sum += u64::from(score);
        }
    }
    rows.into_values()
        .map(|(mut row, waited, rating_sum)| {
            if row.answered > 0 {
                row.mean_wait_secs =
                    Some(u32::try_from(waited / u64::from(row.answered)).unwrap_or(u32::MAX));
            }
            if row.rated > 0 {
                row.mean_rating = Some(rating_sum as f64 / f64::from(row.rated));
            }
            row
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone as _, Utc};
    use content::video_call::VideoCallRecord;

    fn row(
        site: &str,
        hour_utc: u32,
        outcome: CallOutcome,
        waited: u32,
        rating: Option<u8>,
    ) -> VideoCallRow {
        VideoCallRow {
            device: "k".into(),
            site: site.into(),
            created: Utc.with_ymd_and_hms(2026, 12, 7, hour_utc, 0, 0).unwrap(),
            record: VideoCallRecord {
                topic: "劳动争议".into(),
                outcome,
                lawyer: None,
                waited_secs: waited,
                talk_secs: if outcome == CallOutcome::Answered {
                    300
                } else {
                    0
                },
                ended_by: None,
                audio_only: false,
                advice: outcome == CallOutcome::Answered,
                rating,
                first_picture_ms: None,
                remote_frames: 0,
            },
        }
    }

    #[test]
    fn calls_are_counted_by_local_day_and_site() {
        let rows = call_rows(&[
            row("A", 1, CallOutcome::Answered, 10, Some(5)),
            row("A", 2, CallOutcome::Answered, 30, Some(2)),
            row("A", 3, CallOutcome::Unanswered, 30, None),
            row("B", 4, CallOutcome::Unreachable, 0, None),
            // 17:00 UTC is the next day in Chongqing.
            row("A", 17, CallOutcome::Abandoned, 5, None),
        ]);
        assert_eq!(rows.len(), 3);
        let a = &rows[0];
        assert_eq!(
            (a.site.as_str(), a.calls, a.answered, a.unanswered),
            ("A", 3, 2, 1)
        );
        assert_eq!(a.mean_wait_secs, Some(20), "answered calls only");
        assert_eq!((a.talk_secs, a.advice, a.rated), (600, 2, 2));
        assert_eq!(a.mean_rating, Some(3.5));
        assert_eq!((rows[1].site.as_str(), rows[1].unreachable), ("B", 1));
        assert_eq!(rows[1].mean_wait_secs, None);
        assert_eq!(rows[2].day, NaiveDate::from_ymd_opt(2026, 12, 8).unwrap());
        assert_eq!(rows[2].abandoned, 1);
    }
}
