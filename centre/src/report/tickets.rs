//! The tickets report: the stored statistics of every device combined into one row per day, site
//! and service.
//!
//! How several devices of a site are combined (a site with more than one queue host, or a host
//! replaced during the day):
//!
//! - counts (issued, served, no-shows, tickets by hour) are added;
//! - waiting-time percentiles are computed from the **sum of the devices' histograms** of whole
//!   minutes, so they are exact (percentiles themselves cannot be averaged): P50 and P90 are the
//!   nearest-rank percentiles of the waiting times rounded down to the minute, given in seconds
//!   (always a multiple of 60);
//! - the mean service time is the sum of the service times over the number of tickets served,
//!   rounded down to the second: exact as well;
//! - a device that sent an older report without these fields (an older kiosk) makes the combined
//!   percentiles, mean service time and hours unknown (`null`): a figure over part of the tickets
//!   would look complete and be wrong.

use std::collections::{BTreeMap, btree_map::Entry};

use chrono::NaiveDate;
use serde::Serialize;

use crate::store::TicketStatsRow;

/// One day, site and service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TicketReportRow {
    /// The business day.
    pub day: NaiveDate,
    /// The site.
    pub site: String,
    /// The queue service id.
    pub service: String,
    /// Devices that reported.
    pub devices: u32,
    /// Numbers issued.
    pub issued: u32,
    /// Visits served.
    pub served: u32,
    /// No-shows.
    pub no_show: u32,
    /// Median waiting time, seconds (whole minutes); none when unknown or nobody was called.
    pub wait_p50_secs: Option<u32>,
    /// 90th percentile of the waiting time, seconds (whole minutes).
    pub wait_p90_secs: Option<u32>,
    /// Mean service time, seconds; none when unknown or nobody was served.
    pub service_mean_secs: Option<u32>,
    /// Numbers issued in each local hour (index 0 = 00:00–00:59); none when unknown.
    pub issued_by_hour: Option<[u32; 24]>,
}

/// What is being added up for one row.
struct Sum {
    row: TicketReportRow,
    /// Tickets per minute of waiting; none once a device without a histogram took part.
    waits: Option<Vec<u64>>,
    /// (count, total seconds); none once a device without them took part.
    service: Option<(u64, u64)>,
}

/// Combines the devices' rows into one row per day, site and service, ordered so.
pub fn combine(rows: &[TicketStatsRow]) -> Vec<TicketReportRow> {
    let mut sums: BTreeMap<(NaiveDate, &str, &str), Sum> = BTreeMap::new();
    for row in rows {
        let s = &row.stats;
        // A report with hours is from a kiosk that sends the new fields: its empty histogram means
        // nobody was called. Without hours, the histogram is unknown.
        let detailed = s.issued_by_hour.is_some();
        let key = (s.day, row.site.as_str(), s.service.as_str());
        let sum = match sums.entry(key) {
            Entry::Vacant(slot) => slot.insert(Sum {
                row: TicketReportRow {
                    day: s.day,
                    site: row.site.clone(),
                    service: s.service.clone(),
                    devices: 0,
                    issued: 0,
                    served: 0,
                    no_show: 0,
                    wait_p50_secs: None,
                    wait_p90_secs: None,
                    service_mean_secs: None,
                    issued_by_hour: Some([0; 24]),
                },
                waits: Some(Vec::new()),
                service: Some((0, 0)),
            }),
            Entry::Occupied(slot) => slot.into_mut(),
        };
        let out = &mut sum.row;
        out.devices += 1;
        out.issued = out.issued.saturating_add(s.issued);
        out.served = out.served.saturating_add(s.served);
        out.no_show = out.no_show.saturating_add(s.no_show);
        out.issued_by_hour = match (out.issued_by_hour, s.issued_by_hour) {
            (Some(mut total), Some(hours)) => {
                for (t, h) in total.iter_mut().zip(hours) {
                    *t = t.saturating_add(h);
                }
                Some(total)
            }
            _ => None,
        };
        sum.waits = sum.waits.take().filter(|_| detailed).map(|mut waits| {
            if waits.len() < s.wait_minutes.len() {
                waits.resize(s.wait_minutes.len(), 0);
            }
            for (total, &n) in waits.iter_mut().zip(&s.wait_minutes) {
                *total += u64::from(n);
            }
            waits
        });
        sum.service = match (sum.service, s.service_count, s.service_total_secs) {
            (Some((count, total)), Some(c), Some(t)) => {
                Some((count + u64::from(c), total.saturating_add(t)))
            }
            _ => None,
        };
    }
    sums.into_values()
        .map(|sum| {
            let mut row = sum.row;
            if let Some(waits) = &sum.waits {
                row.wait_p50_secs = percentile_minutes(waits, 50).map(|m| m * 60);
                row.wait_p90_secs = percentile_minutes(waits, 90).map(|m| m * 60);
            }
            row.service_mean_secs = sum
                .service
                .filter(|&(count, _)| count > 0)
                .map(|(count, total)| u32::try_from(total / count).unwrap_or(u32::MAX));
            row
        })
        .collect()
}

/// The nearest-rank `pct` percentile of a histogram (entry `m`: tickets that waited `m` minutes):
/// the smallest minute at which at least `⌈pct/100 × n⌉` tickets are counted. None for an empty
/// histogram.
pub fn percentile_minutes(histogram: &[u64], pct: u64) -> Option<u32> {
    let n: u64 = histogram.iter().sum();
    if n == 0 {
        return None;
    }
    let rank = (n * pct).div_ceil(100).clamp(1, n);
    let mut seen = 0;
    for (minute, &count) in histogram.iter().enumerate() {
        seen += count;
        if seen >= rank {
            return u32::try_from(minute).ok();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use content::TicketStats;

    use super::*;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
    }

    fn row(device: &str, site: &str, waits: &[(usize, u32)], detailed: bool) -> TicketStatsRow {
        let mut wait_minutes = vec![0; waits.iter().map(|&(m, _)| m + 1).max().unwrap_or(0)];
        for &(minute, n) in waits {
            wait_minutes[minute] = n;
        }
        let mut hours = [0; 24];
        hours[9] = 2;
        hours[10] = 1;
        TicketStatsRow {
            device: device.into(),
            site: site.into(),
            stats: TicketStats {
                day: day(),
                service: "notary".into(),
                issued: 3,
                served: 2,
                no_show: 1,
                mean_wait_secs: 100,
                wait_minutes,
                service_count: detailed.then_some(2),
                service_total_secs: detailed.then_some(if device == "a" { 600 } else { 301 }),
                issued_by_hour: detailed.then_some(hours),
            },
        }
    }

    #[test]
    fn two_devices_combine_exactly() {
        let rows = combine(&[
            row("a", "S", &[(1, 1), (5, 1)], true),
            row("b", "S", &[(3, 1), (10, 2)], true),
            row("c", "T", &[(7, 1)], true),
        ]);
        assert_eq!(rows.len(), 2);
        let s = &rows[0];
        assert_eq!((s.site.as_str(), s.devices), ("S", 2));
        assert_eq!((s.issued, s.served, s.no_show), (6, 4, 2));
        // Waits 1, 3, 5, 10, 10 minutes: the median is the 3rd, the P90 the 5th.
        assert_eq!((s.wait_p50_secs, s.wait_p90_secs), (Some(300), Some(600)));
        assert_eq!(
            s.service_mean_secs,
            Some(225),
            "(600 + 301) / 4, rounded down"
        );
        let hours = s.issued_by_hour.unwrap();
        assert_eq!((hours[9], hours[10], hours.iter().sum::<u32>()), (4, 2, 6));
        assert_eq!(rows[1].site, "T");
        assert_eq!(rows[1].wait_p50_secs, Some(420));
    }

    #[test]
    fn an_older_kiosk_makes_the_detail_unknown() {
        let rows = combine(&[row("a", "S", &[(1, 1)], true), row("old", "S", &[], false)]);
        assert_eq!(rows[0].issued, 6, "counts still add up");
        assert_eq!(rows[0].wait_p50_secs, None);
        assert_eq!(rows[0].service_mean_secs, None);
        assert_eq!(rows[0].issued_by_hour, None);
        let alone = combine(&[row("a", "S", &[], true)]);
        assert_eq!(alone[0].wait_p90_secs, None, "nobody was called");
        assert!(alone[0].issued_by_hour.is_some());
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let h = |pairs: &[(usize, u64)]| {
            let mut histogram = vec![0; pairs.iter().map(|&(m, _)| m + 1).max().unwrap_or(0)];
            for &(minute, n) in pairs {
                histogram[minute] = n;
            }
            histogram
        };
        assert_eq!(percentile_minutes(&h(&[]), 50), None);
        assert_eq!(percentile_minutes(&[0, 0], 50), None);
        assert_eq!(percentile_minutes(&h(&[(4, 1)]), 90), Some(4));
        // 10 values 1..=10: the median is the 5th, the P90 the 9th.
        let ten: Vec<(usize, u64)> = (1..=10).map(|m| (m, 1)).collect();
        assert_eq!(percentile_minutes(&h(&ten), 50), Some(5));
        assert_eq!(percentile_minutes(&h(&ten), 90), Some(9));
        assert_eq!(percentile_minutes(&h(&[(0, 9), (60, 1)]), 90), Some(0));
        assert_eq!(percentile_minutes(&h(&[(0, 8), (60, 2)]), 90), Some(60));
    }
}
