//! Windows: opening and closing (staff log in and out), a window's staff view and its current
//! ticket.

use rusqlite::{OptionalExtension, params};

use super::{Ctx, QueueEngine};
use crate::{
    QueueError,
    events::EventPayload,
    model::{StaffOnDuty, Ticket, TicketBrief, TicketStatus, WindowStatus, WindowView},
    sql,
    store::{day_str, query_ticket, query_tickets, to_ms},
};

impl QueueEngine {
    /// What a window's staff page shows.
    pub fn window_view(&self, window: u32) -> Result<WindowView, QueueError> {
        let wcfg = self
            .config
            .window(window)
            .ok_or(QueueError::UnknownWindow(window))?;
        self.run(|c| {
            let status = c
                .windows()?
                .into_iter()
                .find(|w| w.id == window)
                .ok_or(QueueError::UnknownWindow(window))?;
            let current = c.current(window)?.map(|t| c.brief(&t));
            let held = query_tickets(&c.tx, sql::HELD_AT_WINDOW, params![day_str(c.day), window])?
                .iter()
                .map(|t| c.brief(t))
                .collect();
            let mut waiting = Vec::new();
            let mut outcomes = Vec::new();
            for s in &wcfg.services {
                waiting.extend(c.waiting_in_call_order(s)?.iter().map(|t| c.brief(t)));
                let svc = c.service(s)?;
                outcomes.push((s.clone(), svc.outcomes.clone()));
            }
            let since = to_ms(c.now - c.late_tolerance());
            let mut late_callable = Vec::new();
            for s in &wcfg.services {
                late_callable.extend(
                    query_tickets(&c.tx, sql::LATE_NO_SHOWS, params![day_str(c.day), s, since])?
                        .iter()
                        .map(|t| c.brief(t)),
                );
            }
            Ok(WindowView {
                window: status,
                current,
                held,
                waiting,
                late_callable,
                outcomes,
            })
        })
    }

    /// Marks a window open (staff logged in), without naming who is on duty.
    pub fn open_window(&self, window: u32) -> Result<(), QueueError> {
        self.open_window_as(window, None)
    }

    /// Marks a window open with the staff member on duty (or nobody named). Logs
    /// `window_opened` when the window opens or the staff member changes.
    pub fn open_window_as(
        &self,
        window: u32,
        staff: Option<&StaffOnDuty>,
    ) -> Result<(), QueueError> {
        self.check_window(window)?;
        self.run(|c| {
            let was_open = c.is_open(window)?;
            let before = c.staff_at(window)?;
            if was_open && before.as_ref() == staff {
                return Ok(());
            }
            c.tx.execute(sql::SET_WINDOW_OPEN, params![window, true, to_ms(c.now)])?;
            c.tx.execute(
                sql::SET_WINDOW_STAFF,
                params![
                    window,
                    staff.map(|s| s.name.as_str()),
                    staff.map(|s| s.staff_id.as_str())
                ],
            )?;
            c.log(EventPayload::WindowOpened {
                window,
                staff: staff.cloned(),
            })
        })
    }

    /// Marks a window closed (staff logged out); nobody is on duty there any more.
    pub fn close_window(&self, window: u32) -> Result<(), QueueError> {
        self.check_window(window)?;
        self.run(|c| c.set_window_open(window, false))
    }
}

impl Ctx<'_> {
    fn open_window_ids(&self) -> Result<Vec<u32>, QueueError> {
        let mut stmt = self.tx.prepare_cached(sql::OPEN_WINDOW_IDS)?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many open windows serve `service`.
    pub(super) fn open_windows(&self, service: &str) -> Result<u32, QueueError> {
        let open = self.open_window_ids()?;
        let n = self
            .config
            .windows
            .iter()
            .filter(|w| open.contains(&w.id) && w.services.iter().any(|s| s == service))
            .count();
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    pub(super) fn windows(&self) -> Result<Vec<WindowStatus>, QueueError> {
        let open: Vec<(u32, Option<StaffOnDuty>)> = {
            let mut stmt = self.tx.prepare_cached(sql::OPEN_WINDOWS_WITH_STAFF)?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, staff_of(r.get(1)?, r.get(2)?))))?;
            rows.collect::<Result<_, _>>()?
        };
        self.config
            .windows
            .iter()
            .map(|w| {
                let here = open.iter().find(|(id, _)| *id == w.id);
                Ok(WindowStatus {
                    id: w.id,
                    name: w.name_zh.clone(),
                    name_en: w.name_en.clone(),
                    open: here.is_some(),
                    serving: self.current(w.id)?.map(|t| t.number),
                    services: w.services.clone(),
                    staff: here.and_then(|(_, s)| s.clone()),
                })
            })
            .collect()
    }

    fn is_open(&self, window: u32) -> Result<bool, QueueError> {
        Ok(self
            .tx
            .query_row(sql::WINDOW_IS_OPEN, [window], |r| r.get(0))
            .optional()?
            .unwrap_or(false))
    }

    /// The staff member on duty at a window, if its login named one.
    pub(super) fn staff_at(&self, window: u32) -> Result<Option<StaffOnDuty>, QueueError> {
        Ok(self
            .tx
            .query_row(sql::WINDOW_STAFF, [window], |r| {
                Ok(staff_of(r.get(0)?, r.get(1)?))
            })
            .optional()?
            .flatten())
    }

    fn brief(&self, t: &Ticket) -> TicketBrief {
        let since = match t.status {
            TicketStatus::Called | TicketStatus::Serving => t.called_at.unwrap_or(t.enqueued_at),
            TicketStatus::Held => t.called_at.unwrap_or(t.enqueued_at),
            _ => t.enqueued_at,
        };
        let identified = self
            .tx
            .query_row(sql::TICKET_IS_IDENTIFIED, [t.id], |r| r.get(0))
            .unwrap_or(false);
        TicketBrief {
            id: t.id,
            number: t.number.clone(),
            service: t.service.clone(),
            priority: t.priority,
            status: t.status,
            waited_minutes: u32::try_from((self.now - since).num_minutes().max(0))
                .unwrap_or(u32::MAX),
            recalls: t.recalls,
            identified,
            appointment: t.appointment.clone(),
            returns: t.returns,
        }
    }

    fn current(&self, window: u32) -> Result<Option<Ticket>, QueueError> {
        query_ticket(
            &self.tx,
            sql::CURRENT_AT_WINDOW,
            params![day_str(self.day), window],
        )
    }

    /// The window's current ticket, when its status is one of `allowed`.
    pub(super) fn current_in(
        &self,
        window: u32,
        allowed: &[TicketStatus],
    ) -> Result<Ticket, QueueError> {
        let t = self.current(window)?.ok_or_else(|| {
            QueueError::Conflict(format!(
                "窗口 {window} 当前没有号 / window {window} has no current ticket"
            ))
        })?;
        if !allowed.contains(&t.status) {
            return Err(QueueError::Conflict(format!(
                "{} 状态为 {}，不能进行此操作 / {} is {} and this action does not apply",
                t.number,
                t.status.as_str(),
                t.number,
                t.status.as_str()
            )));
        }
        Ok(t)
    }

    /// Refuses when the window still has a current ticket; opens the window otherwise.
    pub(super) fn ensure_free(&mut self, window: u32) -> Result<(), QueueError> {
        if let Some(t) = self.current(window)? {
            return Err(QueueError::Conflict(format!(
                "窗口 {window} 正在办理 {n}，请先办结、过号、转移或暂停 / window {window} is still on {n}: complete, mark no-show, transfer or hold it first",
                n = t.number
            )));
        }
        self.set_window_open(window, true)
    }

    fn set_window_open(&mut self, window: u32, open: bool) -> Result<(), QueueError> {
        let was: Option<bool> = self
            .tx
            .query_row(sql::WINDOW_IS_OPEN, [window], |r| r.get(0))
            .optional()?;
        if was == Some(open) || (was.is_none() && !open) {
            return Ok(());
        }
        self.tx
            .execute(sql::SET_WINDOW_OPEN, params![window, open, to_ms(self.now)])?;
        if !open {
            self.tx.execute(
                sql::SET_WINDOW_STAFF,
                params![window, None::<String>, None::<String>],
            )?;
        }
        self.log(if open {
            EventPayload::WindowOpened {
                window,
                staff: self.staff_at(window)?,
            }
        } else {
            EventPayload::WindowClosed { window }
        })
    }
}

/// The staff member of a `window_state` row's `staff_name`, `staff_id`.
fn staff_of(name: Option<String>, staff_id: Option<String>) -> Option<StaffOnDuty> {
    Some(StaffOnDuty {
        name: name?,
        staff_id: staff_id?,
    })
}
