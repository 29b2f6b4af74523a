//! Services as the kiosk and the screens show them (open, closed or full, waiting, wait
//! estimate) and the whole queue snapshot.

use rusqlite::{OptionalExtension, params};

use super::{Ctx, QueueEngine};
use crate::{
    QueueError,
    config::ServiceConfig,
    eta::ServiceTimes,
    model::{EtaRange, QueueSnapshot, ServiceState, ServiceStatus},
    sql,
    store::day_str,
};

impl QueueEngine {
    /// The services with waiting counts, wait ranges and whether they issue now.
    pub fn services(&self) -> Result<Vec<ServiceStatus>, QueueError> {
        self.run(|c| c.services())
    }

    /// Services and windows (the hall display's and the API's `GET /api/v1/queue`).
    pub fn snapshot(&self) -> Result<QueueSnapshot, QueueError> {
        self.run(|c| {
            Ok(QueueSnapshot {
                day: c.day,
                services: c.services()?,
                windows: c.windows()?,
            })
        })
    }
}

impl Ctx<'_> {
    pub(super) fn service_status(&self, svc: &ServiceConfig) -> Result<ServiceStatus, QueueError> {
        let day = day_str(self.day);
        let waiting: u32 = self
            .tx
            .query_row(sql::COUNT_WAITING, params![day, svc.id], |r| r.get(0))?;
        let (last, issued): (u32, u32) = self
            .tx
            .query_row(sql::SERVICE_DAY_COUNTERS, params![day, svc.id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?
            .unwrap_or((svc.number_start - 1, 0));
        let local = self
            .now
            .with_timezone(&self.config.utc_offset.0)
            .naive_local();
        let serves = self
            .config
            .windows
            .iter()
            .any(|w| w.services.contains(&svc.id));
        let (state, reason) = if !serves {
            (
                ServiceState::Closed,
                Some("暂无窗口办理此业务 / No window serves this service".to_owned()),
            )
        } else if !svc.is_open_at(local) {
            let list: Vec<String> = svc.hours.iter().map(ToString::to_string).collect();
            let reason = if svc.is_open_today(local) && !list.is_empty() {
                format!(
                    "不在办理时间（{}）/ Outside opening hours ({})",
                    list.join("，"),
                    list.join(", ")
                )
            } else {
                "今日不办理此业务 / This service is closed today".to_owned()
            };
            (ServiceState::Closed, Some(reason))
        } else if last >= svc.number_end || svc.daily_cap.is_some_and(|cap| issued >= cap) {
            (
                ServiceState::Full,
                Some("今日号源已满 / All of today's tickets have been taken".to_owned()),
            )
        } else {
            (ServiceState::Open, None)
        };
        let open_windows = self.open_windows(&svc.id)?;
        let eta = self.eta(&svc.id, waiting)?;
        Ok(ServiceStatus {
            id: svc.id.clone(),
            name: svc.name_zh.clone(),
            name_en: svc.name_en.clone(),
            prefix: svc.prefix.clone(),
            waiting,
            eta_minutes: eta,
            state,
            reason,
            id_card: svc.id_card,
            priority_allowed: svc.priority_allowed,
            open_windows,
        })
    }

    fn services(&self) -> Result<Vec<ServiceStatus>, QueueError> {
        self.config
            .services
            .iter()
            .map(|s| self.service_status(s))
            .collect()
    }

    /// The wait range of a ticket with `ahead` tickets before it, from today's service times.
    pub(super) fn eta(&self, service: &str, ahead: u32) -> Result<EtaRange, QueueError> {
        let svc = self.service(service)?;
        let mut stmt = self.tx.prepare_cached(sql::SERVICE_TIMES)?;
        let samples: Vec<f64> = stmt
            .query_map(params![day_str(self.day), service], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
            })?
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .map(|(a, b)| (b - a) as f64 / 60_000.0)
            .collect();
        let times = ServiceTimes::from_samples(
            &samples,
            f64::from(svc.default_service_minutes),
            usize::try_from(self.config.eta_min_samples).unwrap_or(5),
        );
        Ok(times.wait(ahead, self.open_windows(service)?))
    }
}
