//! The kiosk side of the daily ticket statistics: a business day's figures from the queue
//! ([`queue::QueueEngine::day_stats`]) turned into [`TicketStats`] outbox items, one per service,
//! under the key `stats:DAY:SERVICE` (so a second submission of the same day is a no-op).

use chrono::NaiveDate;
use queue::{QueueEngine, QueueError, stats::ServiceDayStats};

use crate::{Outbox, OutboxError, OutboxPayload, TicketStats};

/// Why a day's statistics were not queued.
#[derive(Debug, thiserror::Error)]
pub enum TicketStatsError {
    /// The queue could not be read.
    #[error("reading the queue's tickets: {0}")]
    Queue(#[from] QueueError),
    /// The outbox refused or failed.
    #[error(transparent)]
    Outbox(#[from] OutboxError),
}

impl From<&ServiceDayStats> for TicketStats {
    fn from(s: &ServiceDayStats) -> Self {
        Self {
            day: s.day,
            service: s.service.clone(),
            issued: s.issued,
            served: s.served,
            no_show: s.no_show,
            mean_wait_secs: s.mean_wait_secs(),
            wait_minutes: s.wait_minutes(),
            service_count: Some(u32::try_from(s.service_secs.len()).unwrap_or(u32::MAX)),
            service_total_secs: Some(s.service_total_secs()),
            issued_by_hour: Some(s.issued_by_hour),
        }
    }
}

/// The outbox key of a day's statistics of a service: `stats:2026-03-02:legal_aid`.
pub fn stats_key(day: NaiveDate, service: &str) -> String {
    format!("stats:{day}:{service}")
}

/// Queues the statistics of `day` from `engine`, one item per service with tickets that day.
/// Returns how many were added (a service already queued for that day is not added again).
pub fn submit_day_stats(
    outbox: &Outbox,
    engine: &QueueEngine,
    day: NaiveDate,
) -> Result<usize, TicketStatsError> {
    let mut added = 0;
    for stats in engine.day_stats(day)? {
        let key = stats_key(day, &stats.service);
        if outbox.submit_with_key(&key, OutboxPayload::TicketStats(TicketStats::from(&stats)))? {
            added += 1;
        }
    }
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{OutboxMessage, TICKET_STATS_MAX_TICKETS};

    fn figures() -> ServiceDayStats {
        let mut by_hour = [0; 24];
        by_hour[9] = 2;
        by_hour[14] = 1;
        ServiceDayStats {
            day: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
            service: "legal_aid".into(),
            issued: 3,
            served: 2,
            no_show: 1,
            issued_by_hour: by_hour,
            wait_secs: vec![30, 59, 61, 900],
            service_secs: vec![300, 601],
        }
    }

    fn problem(stats: TicketStats) -> String {
        OutboxPayload::TicketStats(stats)
            .validate()
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn figures_become_a_payload_that_passes_the_rules() {
        let stats = TicketStats::from(&figures());
        assert_eq!(stats.mean_wait_secs, 262);
        let mut minutes = vec![0; 16];
        (minutes[0], minutes[1], minutes[15]) = (2, 1, 1);
        assert_eq!(stats.wait_minutes, minutes);
        assert_eq!(
            (stats.service_count, stats.service_total_secs),
            (Some(2), Some(901))
        );
        assert_eq!(stats.issued_by_hour.unwrap()[9], 2);
        OutboxPayload::TicketStats(stats.clone())
            .validate()
            .unwrap();
        assert_eq!(
            stats_key(stats.day, &stats.service),
            "stats:2026-03-02:legal_aid"
        );
        // As the outbox and the centre read it: inside a whole message.
        let message = OutboxMessage {
            key: "stats:2026-03-02:legal_aid".into(),
            device: "k1".into(),
            created: chrono::Utc::now(),
            payload: OutboxPayload::TicketStats(stats),
        };
        let text = serde_json::to_string(&message).unwrap();
        assert!(text.contains(r#""wait_minutes":[2,1,0,"#), "{text}");
        assert_eq!(
            serde_json::from_str::<OutboxMessage>(&text).unwrap(),
            message
        );
    }

    #[test]
    fn an_older_kiosks_statistics_are_still_read_and_written_the_same() {
        let old = r#"{"day":"2026-03-02","service":"notary","issued":4,"served":3,"no_show":1,"mean_wait_secs":600}"#;
        let stats: TicketStats = serde_json::from_str(old).unwrap();
        assert!(stats.wait_minutes.is_empty() && stats.issued_by_hour.is_none());
        assert_eq!(stats.service_count, None);
        OutboxPayload::TicketStats(stats.clone())
            .validate()
            .unwrap();
        assert_eq!(serde_json::to_string(&stats).unwrap(), old);
    }

    #[test]
    fn the_new_fields_have_bounds() {
        let good = TicketStats::from(&figures());
        let mut hours = good.clone();
        hours.issued_by_hour.as_mut().unwrap()[3] = 1;
        assert!(problem(hours).contains("issued_by_hour adds up to 4, not to the 3 issued"));
        let mut long = good.clone();
        long.wait_minutes.resize(1442, 0);
        long.wait_minutes[1441] = 1;
        assert!(problem(long).contains("wait_minutes: 1442 entries, more than a day"));
        let mut many = good.clone();
        many.wait_minutes[3] = TICKET_STATS_MAX_TICKETS;
        assert!(problem(many).contains("wait_minutes: more than 20000 tickets"));
        let mut half = good.clone();
        half.service_total_secs = None;
        assert!(problem(half).contains("go together"));
        let mut count = good.clone();
        count.service_count = Some(3);
        assert!(problem(count).contains("service_count: 3 is more than the 2 served"));
        let mut total = good.clone();
        total.service_total_secs = Some(2 * 86_400 + 1);
        assert!(problem(total).contains("more than a day per ticket"));
        let mut issued = good;
        issued.issued = TICKET_STATS_MAX_TICKETS + 1;
        assert!(problem(issued).contains("issued: more than 20000 tickets"));
    }
}
