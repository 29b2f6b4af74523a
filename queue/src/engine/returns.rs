//! Back in the queue (回队): staff put a called citizen who did not come, and came back, into
//! the queue again, a bounded number of times per ticket.

use rusqlite::params;

use super::{Ctx, QueueEngine, call::validate_number};
use crate::{
    QueueError,
    events::EventPayload,
    model::{Ticket, TicketStatus},
    sql,
    store::{day_str, to_ms},
};

impl QueueEngine {
    /// Puts ticket `number` back in its service's queue: a no-show of today, or the window's own
    /// called ticket (the citizen did not come at the call). The window must serve the ticket's
    /// service.
    ///
    /// The ticket keeps its number and phone page and waits as a walk-in of its class
    /// (priority or normal; an appointment's precedence was used by its call) behind the first
    /// `return_behind` waiting tickets of that class (at the back when fewer wait). Refused
    /// with [`QueueError::ReturnLimit`] after `max_returns` returns, and when the person
    /// already holds another active ticket of the service.
    pub fn return_to_queue(&self, window: u32, number: &str) -> Result<Ticket, QueueError> {
        validate_number(number)?;
        let wcfg = self
            .config
            .window(window)
            .ok_or(QueueError::UnknownWindow(window))?
            .clone();
        self.run(|c| {
            let t = c
                .latest_with_number(number)?
                .ok_or_else(|| QueueError::TicketNotFound(number.to_owned()))?;
            if !wcfg.services.contains(&t.service) {
                return Err(QueueError::Conflict(format!(
                    "{number} 属于其他业务，本窗口不办理 / {number} belongs to service {} which window {window} does not serve",
                    t.service
                )));
            }
            let called_here = t.status == TicketStatus::Called && t.window == Some(window);
            if t.status != TicketStatus::NoShow && !called_here {
                return Err(QueueError::Conflict(format!(
                    "{number} 当前状态为 {}，不能回队 / {number} is {} and cannot be put back in the queue",
                    t.status.as_str(),
                    t.status.as_str()
                )));
            }
            if t.returns >= c.config.max_returns {
                return Err(QueueError::ReturnLimit {
                    number: t.number,
                    returns: t.returns,
                });
            }
            let others: u32 = c.tx.query_row(
                sql::COUNT_OTHER_ACTIVE_OF_SAME_PERSON,
                params![day_str(c.day), t.service, t.id],
                |r| r.get(0),
            )?;
            if others > 0 {
                return Err(QueueError::Conflict(format!(
                    "{number} 的持有人已另取此业务的号 / the holder of {number} already has another ticket of this service"
                )));
            }
            let key = c.return_key(&t)?;
            c.tx.execute(sql::MARK_RETURNED, params![t.id, to_ms(c.now), key])?;
            c.log(EventPayload::Returned {
                ticket_id: t.id,
                number: t.number.clone(),
                service: t.service.clone(),
                window,
                returns: t.returns + 1,
            })?;
            c.reload(t.id)
        })
    }
}

impl Ctx<'_> {
    /// The queue key that puts a returning ticket behind the first `return_behind` waiting
    /// walk-ins of its class, making room after them if needed.
    fn return_key(&self, t: &Ticket) -> Result<i64, QueueError> {
        let day = day_str(self.day);
        let class: Vec<(i64, i64)> = {
            let mut stmt = self.tx.prepare_cached(sql::WAITING_WALK_IN_KEYS)?;
            let rows = stmt.query_map(params![day, t.service, t.priority.is_priority()], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
            rows.collect::<Result<_, _>>()?
        };
        let behind = usize::try_from(self.config.return_behind).unwrap_or(usize::MAX);
        if behind == 0 {
            let min: Option<i64> = self.tx.query_row(
                sql::MIN_WAITING_QUEUE_KEY,
                params![day, t.service, t.id],
                |r| r.get(0),
            )?;
            return Ok(min.map_or(t.id, |m| m - 1));
        }
        match class.get(behind - 1) {
            Some(&(id, key)) if class.len() > behind => {
                // Room right after the `behind`-th ticket: everyone after it moves two keys on.
                self.tx
                    .execute(sql::SHIFT_QUEUE_AFTER, params![day, t.service, key, id])?;
                Ok(key + 1)
            }
            _ => {
                let max: Option<i64> = self.tx.query_row(
                    sql::MAX_WAITING_QUEUE_KEY,
                    params![day, t.service],
                    |r| r.get(0),
                )?;
                Ok(max.map_or(t.id, |m| m + 1))
            }
        }
    }
}
