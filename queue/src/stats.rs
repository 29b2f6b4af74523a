//! Daily ticket statistics of a business day, per service, from the queue's own ticket rows:
//! what the kiosk sends to the district centre (anonymous: no number, no identity, no time of a
//! single ticket beyond its hour of issue).
//!
//! The rules, per service:
//!
//! - **issued**: numbers issued for the service that day (rows that are not the continuation of a
//!   transfer), also counted by the local hour of issue (`utc_offset`);
//! - **served**: visits a window of the service finished (`done`, or `transferred` on after being
//!   served);
//! - **no_show**: tickets marked no-show;
//! - **waiting time**: from entering the service's queue to the (first) call, for every ticket
//!   called that day (served, no-show, or still at a window when the figures were taken);
//! - **service time**: from the start of service (the call when the window did not press start) to
//!   its end, for served tickets.
//!
//! Times are whole seconds, rounded down; negative spans (a clock set back) count as zero.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDate, Timelike as _, Utc};

use crate::model::{Ticket, TicketStatus};

/// One service's figures of one business day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceDayStats {
    /// The business day.
    pub day: NaiveDate,
    /// The service id.
    pub service: String,
    /// Numbers issued.
    pub issued: u32,
    /// Visits served.
    pub served: u32,
    /// No-shows.
    pub no_show: u32,
    /// Numbers issued in each local hour of the day (index 0 = 00:00–00:59).
    pub issued_by_hour: [u32; 24],
    /// Waiting time of every ticket called, seconds, ascending.
    pub wait_secs: Vec<u32>,
    /// Service time of every ticket served, seconds, ascending.
    pub service_secs: Vec<u32>,
}

impl ServiceDayStats {
    /// Mean waiting time in seconds, rounded down; 0 when nobody was called.
    pub fn mean_wait_secs(&self) -> u32 {
        mean(&self.wait_secs)
    }

    /// Mean service time in seconds, rounded down; 0 when nobody was served.
    pub fn mean_service_secs(&self) -> u32 {
        mean(&self.service_secs)
    }

    /// The sum of the service times, seconds.
    pub fn service_total_secs(&self) -> u64 {
        self.service_secs.iter().map(|&s| u64::from(s)).sum()
    }

    /// Waiting times as a histogram of whole minutes (rounded down): entry `m` counts the tickets
    /// that waited `m` minutes; empty when nobody was called (no trailing zeros).
    pub fn wait_minutes(&self) -> Vec<u32> {
        let mut histogram = Vec::new();
        for &secs in &self.wait_secs {
            let minute = (secs / 60) as usize;
            if histogram.len() <= minute {
                histogram.resize(minute + 1, 0);
            }
            histogram[minute] += 1;
        }
        histogram
    }
}

/// The figures of every service that has a ticket on `day` among `tickets`, by service id.
/// Rows of other days are ignored. `offset` is the site's local time (for the hour of issue).
pub fn day_stats(tickets: &[Ticket], day: NaiveDate, offset: FixedOffset) -> Vec<ServiceDayStats> {
    let mut by_service: BTreeMap<&str, ServiceDayStats> = BTreeMap::new();
    for t in tickets.iter().filter(|t| t.day == day) {
        let stats = by_service
            .entry(t.service.as_str())
            .or_insert_with(|| ServiceDayStats {
                day,
                service: t.service.clone(),
                ..ServiceDayStats::default()
            });
        if t.transferred_from.is_none() {
            stats.issued += 1;
            let hour = t.issued_at.with_timezone(&offset).hour() as usize;
            stats.issued_by_hour[hour] += 1;
        }
        match t.status {
            TicketStatus::Done | TicketStatus::Transferred => {
                stats.served += 1;
                if let (Some(start), Some(end)) = (t.started_at.or(t.called_at), t.finished_at) {
                    stats.service_secs.push(secs_between(start, end));
                }
            }
            TicketStatus::NoShow => stats.no_show += 1,
            _ => {}
        }
        if let Some(called) = t.called_at {
            stats.wait_secs.push(secs_between(t.enqueued_at, called));
        }
    }
    by_service
        .into_values()
        .map(|mut s| {
            s.wait_secs.sort_unstable();
            s.service_secs.sort_unstable();
            s
        })
        .collect()
}

/// Whole seconds from `from` to `to`, rounded down; zero when `to` is earlier.
fn secs_between(from: DateTime<Utc>, to: DateTime<Utc>) -> u32 {
    u32::try_from((to - from).num_seconds().max(0)).unwrap_or(u32::MAX)
}

fn mean(values: &[u32]) -> u32 {
    if values.is_empty() {
        return 0;
    }
    let sum: u64 = values.iter().map(|&v| u64::from(v)).sum();
    u32::try_from(sum / values.len() as u64).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;
    use crate::model::PriorityKind;

    fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        // 2026-03-02 local (+08:00) h:m:s
        FixedOffset::east_opt(8 * 3600)
            .unwrap()
            .with_ymd_and_hms(2026, 3, 2, h, m, s)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
    }

    fn ticket(id: i64, service: &str, issued: DateTime<Utc>, status: TicketStatus) -> Ticket {
        Ticket {
            id,
            day: day(),
            number: format!("A{id:03}"),
            service: service.into(),
            priority: PriorityKind::None,
            status,
            window: None,
            issued_at: issued,
            enqueued_at: issued,
            called_at: None,
            started_at: None,
            finished_at: None,
            recalls: 0,
            outcome: None,
            capability: None,
            transferred_from: None,
            issued_by: "k1".into(),
            appointment: None,
            returns: 0,
        }
    }

    #[test]
    fn figures_follow_the_rows() {
        let offset = FixedOffset::east_opt(8 * 3600).unwrap();
        let mut served = ticket(1, "notary", at(9, 5, 0), TicketStatus::Done);
        served.called_at = Some(at(9, 17, 30)); // waited 750 s
        served.started_at = Some(at(9, 18, 0));
        served.finished_at = Some(at(9, 28, 0)); // served 600 s
        let mut no_show = ticket(2, "notary", at(9, 40, 0), TicketStatus::NoShow);
        no_show.called_at = Some(at(9, 41, 0)); // waited 60 s
        no_show.finished_at = Some(at(9, 45, 0));
        let waiting = ticket(3, "notary", at(14, 0, 0), TicketStatus::Cancelled);
        let mut moved = ticket(4, "notary", at(10, 0, 0), TicketStatus::Transferred);
        moved.called_at = Some(at(10, 0, 10)); // waited 10 s
        moved.finished_at = Some(at(10, 2, 10)); // no start: from the call, 120 s
        let mut continued = ticket(5, "legal_aid", at(10, 0, 0), TicketStatus::Done);
        continued.transferred_from = Some(4);
        continued.enqueued_at = at(10, 2, 10);
        continued.called_at = Some(at(10, 32, 10)); // waited 1800 s in legal aid
        continued.finished_at = Some(at(10, 40, 10));
        let mut other_day = ticket(6, "notary", at(9, 0, 0), TicketStatus::Done);
        other_day.day = day().pred_opt().unwrap();

        let stats = day_stats(
            &[served, no_show, waiting, moved, continued, other_day],
            day(),
            offset,
        );
        assert_eq!(stats.len(), 2);
        let (aid, notary) = (&stats[0], &stats[1]);
        assert_eq!(aid.service, "legal_aid");
        assert_eq!(
            (aid.issued, aid.served, aid.no_show),
            (0, 1, 0),
            "a transfer is not an issue"
        );
        assert_eq!(aid.wait_secs, vec![1800]);
        assert_eq!(aid.service_secs, vec![480]);
        assert_eq!(notary.service, "notary");
        assert_eq!((notary.issued, notary.served, notary.no_show), (4, 2, 1));
        assert_eq!(notary.issued_by_hour[9], 2);
        assert_eq!(notary.issued_by_hour[10], 1);
        assert_eq!(notary.issued_by_hour[14], 1);
        assert_eq!(notary.issued_by_hour.iter().sum::<u32>(), notary.issued);
        assert_eq!(notary.wait_secs, vec![10, 60, 750]);
        assert_eq!(notary.mean_wait_secs(), 273);
        assert_eq!(notary.service_secs, vec![120, 600]);
        assert_eq!(notary.mean_service_secs(), 360);
        assert_eq!(notary.service_total_secs(), 720);
        assert_eq!(
            notary.wait_minutes(),
            vec![1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
        );
        assert!(ServiceDayStats::default().wait_minutes().is_empty());
    }

    #[test]
    fn a_clock_set_back_counts_as_no_wait_and_an_empty_day_has_no_rows() {
        let mut t = ticket(1, "notary", at(9, 0, 0), TicketStatus::Done);
        t.called_at = Some(at(8, 59, 0));
        t.finished_at = Some(at(8, 58, 0));
        let stats = day_stats(&[t], day(), FixedOffset::east_opt(0).unwrap());
        assert_eq!(stats[0].wait_secs, vec![0]);
        assert_eq!(stats[0].service_secs, vec![0]);
        assert_eq!(
            stats[0].issued_by_hour[1], 1,
            "09:00 at +08:00 is 01:00 UTC"
        );
        assert!(
            day_stats(&[], day(), FixedOffset::east_opt(0).unwrap()).is_empty(),
            "no tickets, no rows"
        );
        assert_eq!(ServiceDayStats::default().mean_wait_secs(), 0);
    }
}
