//! Every SQL statement of the queue engine, by name, in one place.
//!
//! The operations in [`engine`](crate::engine) pass these to rusqlite with positional
//! parameters; each doc comment says what `?1`, `?2`, … are. Ticket queries select the columns
//! that `store::ticket_from_row` reads, in its order (the `select_tickets!` macro). The schema
//! itself lives with its migrations in [`store`](crate::store).

/// The statuses of a ticket still in the queue or at a window (`TicketStatus::is_active`).
macro_rules! active_statuses {
    () => {
        "('waiting', 'called', 'serving', 'held')"
    };
}

/// The statuses of a window's current ticket.
macro_rules! at_window_statuses {
    () => {
        "('called', 'serving')"
    };
}

/// `SELECT` of the ticket columns `store::ticket_from_row` reads, followed by `$rest`.
macro_rules! select_tickets {
    ($($rest:expr),+ $(,)?) => {
        concat!(
            "SELECT id, day, number, service, priority, status, window, issued_at, enqueued_at, \
             called_at, started_at, finished_at, recalls, outcome, capability, transferred_from, \
             issued_by, appointment_code, slot_start, slot_end, check_in, slot_precedence, \
             returns FROM tickets ",
            $($rest),+
        )
    };
}

// ---- Tickets: reads (whole rows) ------------------------------------------------------------

/// One ticket by id: `?1` id.
pub(crate) const TICKET_BY_ID: &str = select_tickets!("WHERE id = ?1 LIMIT 1");

/// One ticket by id, only when `device` issued it: `?1` id, `?2` device.
pub(crate) const TICKET_BY_ID_OF_DEVICE: &str =
    select_tickets!("WHERE id = ?1 AND issued_by = ?2 LIMIT 1");

/// One ticket by the capability of its phone page: `?1` capability.
pub(crate) const TICKET_BY_CAPABILITY: &str = select_tickets!("WHERE capability = ?1 LIMIT 1");

/// The person's latest active ticket of a service: `?1` day, `?2` service, `?3` identity token.
pub(crate) const LATEST_ACTIVE_OF_PERSON: &str = select_tickets!(
    "WHERE day = ?1 AND service = ?2 AND identity_token = ?3 AND status IN ",
    active_statuses!(),
    " ORDER BY id DESC LIMIT 1"
);

/// The person's latest active ticket of a service issued by a device: `?1` day, `?2` service,
/// `?3` identity token, `?4` device.
pub(crate) const LATEST_ACTIVE_OF_PERSON_AT_DEVICE: &str = select_tickets!(
    "WHERE day = ?1 AND service = ?2 AND identity_token = ?3 AND issued_by = ?4 AND status IN ",
    active_statuses!(),
    " ORDER BY id DESC LIMIT 1"
);

/// Any active ticket of the person in a service: `?1` day, `?2` service, `?3` identity token.
pub(crate) const ANY_ACTIVE_OF_PERSON: &str = select_tickets!(
    "WHERE day = ?1 AND service = ?2 AND identity_token = ?3 AND status IN ",
    active_statuses!(),
    " LIMIT 1"
);

/// The latest row of a ticket number (transfers add rows): `?1` day, `?2` number.
pub(crate) const LATEST_WITH_NUMBER: &str =
    select_tickets!("WHERE day = ?1 AND number = ?2 ORDER BY id DESC LIMIT 1");

/// A window's current ticket (called or serving): `?1` day, `?2` window.
pub(crate) const CURRENT_AT_WINDOW: &str = select_tickets!(
    "WHERE day = ?1 AND window = ?2 AND status IN ",
    at_window_statuses!(),
    " ORDER BY id DESC LIMIT 1"
);

/// Tickets a window parked, oldest first: `?1` day, `?2` window.
pub(crate) const HELD_AT_WINDOW: &str =
    select_tickets!("WHERE day = ?1 AND window = ?2 AND status = 'held' ORDER BY held_at");

/// A ticket the window parked, by number: `?1` day, `?2` window, `?3` number.
pub(crate) const HELD_BY_NUMBER: &str =
    select_tickets!("WHERE day = ?1 AND window = ?2 AND status = 'held' AND number = ?3 LIMIT 1");

/// The ticket the window parked last: `?1` day, `?2` window.
pub(crate) const LAST_HELD: &str = select_tickets!(
    "WHERE day = ?1 AND window = ?2 AND status = 'held' ORDER BY held_at DESC LIMIT 1"
);

/// Waiting tickets of a service in call order (appointments by slot, then the priority class,
/// then queue position): `?1` day, `?2` service.
pub(crate) const WAITING_IN_CALL_ORDER: &str = select_tickets!(
    "WHERE day = ?1 AND service = ?2 AND status = 'waiting'
     ORDER BY (slot_precedence = 0), CASE WHEN slot_precedence = 1 THEN slot_start END,
              CASE WHEN slot_precedence = 0 THEN (priority = 'none') END, queue_key, id"
);

/// The ticket a booking was checked in with (its first row): `?1` day, `?2` booking code.
pub(crate) const TICKET_BY_APPOINTMENT: &str = select_tickets!(
    "WHERE day = ?1 AND appointment_code = ?2 AND transferred_from IS NULL LIMIT 1"
);

/// No-shows of a service since an instant, latest first: `?1` day, `?2` service, `?3` since.
pub(crate) const LATE_NO_SHOWS: &str = select_tickets!(
    "WHERE day = ?1 AND service = ?2 AND status = 'no_show' AND finished_at >= ?3 \
     ORDER BY finished_at DESC"
);

/// Every ticket row of a business day in id order: `?1` day.
pub(crate) const TICKETS_OF_DAY: &str = select_tickets!("WHERE day = ?1 ORDER BY id");

// ---- Tickets: reads (single values) ---------------------------------------------------------

/// The row a ticket was transferred to, if any: `?1` id.
pub(crate) const TRANSFERRED_TO: &str = "SELECT id FROM tickets WHERE transferred_from = ?1";

/// Whether a ticket was issued with an identity token: `?1` id.
pub(crate) const TICKET_IS_IDENTIFIED: &str =
    "SELECT identity_token IS NOT NULL FROM tickets WHERE id = ?1";

/// A ticket's position key in its queue: `?1` id.
pub(crate) const TICKET_QUEUE_KEY: &str = "SELECT queue_key FROM tickets WHERE id = ?1";

/// A ticket's number within its service and day: `?1` id.
pub(crate) const TICKET_SEQ: &str = "SELECT seq FROM tickets WHERE id = ?1";

/// A ticket's phone page capability and identity token: `?1` id.
pub(crate) const TICKET_CAPABILITY_AND_IDENTITY: &str =
    "SELECT capability, identity_token FROM tickets WHERE id = ?1";

/// How many wait in a service: `?1` day, `?2` service.
pub(crate) const COUNT_WAITING: &str =
    "SELECT COUNT(*) FROM tickets WHERE day = ?1 AND service = ?2 AND status = 'waiting'";

/// Waiting walk-ins called before a priority one: `?1` day, `?2` service, `?3` key, `?4` id.
pub(crate) const COUNT_AHEAD_OF_PRIORITY: &str =
    "SELECT COUNT(*) FROM tickets WHERE day = ?1 AND service = ?2 AND status = 'waiting'
       AND slot_precedence = 0
       AND priority != 'none' AND (queue_key < ?3 OR (queue_key = ?3 AND id < ?4))";

/// Waiting walk-ins called before a normal one: `?1` day, `?2` service, `?3` key, `?4` id.
pub(crate) const COUNT_AHEAD_OF_NORMAL: &str =
    "SELECT COUNT(*) FROM tickets WHERE day = ?1 AND service = ?2 AND status = 'waiting'
       AND slot_precedence = 0
       AND (priority != 'none' OR queue_key < ?3 OR (queue_key = ?3 AND id < ?4))";

/// Waiting appointments whose slot started: `?1` day, `?2` service, `?3` now.
pub(crate) const COUNT_DUE_APPOINTMENTS: &str =
    "SELECT COUNT(*) FROM tickets WHERE day = ?1 AND service = ?2 AND status = 'waiting'
       AND slot_precedence = 1 AND slot_start <= ?3";

/// Due appointments called before a due appointment: `?1` day, `?2` service, `?3` now,
/// `?4` its slot start, `?5` its key, `?6` its id.
pub(crate) const COUNT_AHEAD_OF_APPOINTMENT: &str =
    "SELECT COUNT(*) FROM tickets WHERE day = ?1 AND service = ?2 AND status = 'waiting'
       AND slot_precedence = 1 AND slot_start <= ?3
       AND (slot_start < ?4 OR (slot_start = ?4
            AND (queue_key < ?5 OR (queue_key = ?5 AND id < ?6))))";

/// Waiting walk-ins of one class in queue order, `(id, queue_key)`: `?1` day, `?2` service,
/// `?3` whether the class is priority.
pub(crate) const WAITING_WALK_IN_KEYS: &str = "SELECT id, queue_key FROM tickets
     WHERE day = ?1 AND service = ?2 AND status = 'waiting' AND slot_precedence = 0
       AND (priority != 'none') = ?3
     ORDER BY queue_key, id";

/// The back of a service's queue: `?1` day, `?2` service.
pub(crate) const MAX_WAITING_QUEUE_KEY: &str = "SELECT MAX(queue_key) FROM tickets
     WHERE day = ?1 AND service = ?2 AND status = 'waiting'";

/// Other active tickets of the same person in the ticket's service: `?1` day, `?2` service,
/// `?3` the ticket's id.
pub(crate) const COUNT_OTHER_ACTIVE_OF_SAME_PERSON: &str = concat!(
    "SELECT COUNT(*) FROM tickets t, tickets me
     WHERE me.id = ?3 AND me.identity_token IS NOT NULL
       AND t.day = ?1 AND t.service = ?2 AND t.id != me.id
       AND t.identity_token = me.identity_token AND t.status IN ",
    active_statuses!()
);

/// The front of a service's queue, not counting a ticket: `?1` day, `?2` service, `?3` id.
pub(crate) const MIN_WAITING_QUEUE_KEY: &str = "SELECT MIN(queue_key) FROM tickets
     WHERE day = ?1 AND service = ?2 AND status = 'waiting' AND id != ?3";

/// Call and end times of today's finished visits (ETA samples): `?1` day, `?2` service.
pub(crate) const SERVICE_TIMES: &str = "SELECT called_at, finished_at FROM tickets
     WHERE day = ?1 AND service = ?2 AND status IN ('done', 'transferred')
       AND called_at IS NOT NULL AND finished_at IS NOT NULL";

// ---- Tickets: writes ------------------------------------------------------------------------

/// A new waiting ticket: `?1` day, `?2` service, `?3` seq, `?4` number, `?5` priority,
/// `?6` time, `?7` identity token, `?8` capability, `?9` issuing device.
pub(crate) const INSERT_TICKET: &str =
    "INSERT INTO tickets(day, service, seq, number, priority, status, queue_key,
            issued_at, enqueued_at, identity_token, capability, issued_by)
     VALUES (?1, ?2, ?3, ?4, ?5, 'waiting', 0, ?6, ?6, ?7, ?8, ?9)";

/// The waiting row of a transferred ticket: `?1` day, `?2` service, `?3` seq, `?4` number,
/// `?5` priority, `?6` issued at, `?7` now, `?8` identity token, `?9` capability, `?10` the
/// row it comes from, `?11` issuing device.
pub(crate) const INSERT_TRANSFERRED_TICKET: &str =
    "INSERT INTO tickets(day, service, seq, number, priority, status, queue_key,
            issued_at, enqueued_at, identity_token, capability, transferred_from,
            issued_by)
     VALUES (?1, ?2, ?3, ?4, ?5, 'waiting', 0, ?6, ?7, ?8, ?9, ?10, ?11)";

/// Records the booking of a checked-in ticket: `?1` id, `?2` code, `?3` slot start, `?4` slot
/// end, `?5` check-in, `?6` whether the appointment rule calls it.
pub(crate) const SET_TICKET_APPOINTMENT: &str =
    "UPDATE tickets SET appointment_code = ?2, slot_start = ?3, slot_end = ?4, check_in = ?5,
            slot_precedence = ?6
     WHERE id = ?1";

/// Makes room in a queue: moves the waiting tickets after a position two keys back: `?1` day,
/// `?2` service, `?3` key, `?4` id of the ticket at the position.
pub(crate) const SHIFT_QUEUE_AFTER: &str = "UPDATE tickets SET queue_key = queue_key + 2
     WHERE day = ?1 AND service = ?2 AND status = 'waiting'
       AND (queue_key > ?3 OR (queue_key = ?3 AND id > ?4))";

/// Staff put a no-show back in the queue (as a walk-in): `?1` id, `?2` time, `?3` queue key.
pub(crate) const MARK_RETURNED: &str =
    "UPDATE tickets SET status = 'waiting', window = NULL, enqueued_at = ?2, finished_at = NULL,
            started_at = NULL, held_at = NULL, recalls = 0, returns = returns + 1,
            slot_precedence = 0, queue_key = ?3
     WHERE id = ?1";

/// A new ticket queues in issue order (its key is its id): `?1` id.
pub(crate) const QUEUE_KEY_FROM_ID: &str = "UPDATE tickets SET queue_key = ?1 WHERE id = ?1";

/// Moves a ticket in its queue: `?1` id, `?2` queue key.
pub(crate) const SET_QUEUE_KEY: &str = "UPDATE tickets SET queue_key = ?2 WHERE id = ?1";

/// Calls a ticket to a window: `?1` id, `?2` window, `?3` time.
pub(crate) const MARK_CALLED: &str =
    "UPDATE tickets SET status = 'called', window = ?2, called_at = ?3, recalls = 0,
            finished_at = NULL, started_at = NULL
     WHERE id = ?1";

/// Counts one more recall: `?1` id.
pub(crate) const COUNT_RECALL: &str = "UPDATE tickets SET recalls = recalls + 1 WHERE id = ?1";

/// The citizen did not come: `?1` id, `?2` time.
pub(crate) const MARK_NO_SHOW: &str =
    "UPDATE tickets SET status = 'no_show', finished_at = ?2 WHERE id = ?1";

/// The window starts serving: `?1` id, `?2` time.
pub(crate) const MARK_SERVING: &str =
    "UPDATE tickets SET status = 'serving', started_at = ?2 WHERE id = ?1";

/// The visit ends with an outcome; the identity token is erased: `?1` id, `?2` outcome,
/// `?3` time.
pub(crate) const MARK_DONE: &str =
    "UPDATE tickets SET status = 'done', outcome = ?2, finished_at = ?3,
            started_at = COALESCE(started_at, called_at, ?3), identity_token = NULL
     WHERE id = ?1";

/// The visit ends by a transfer (the new row takes capability and identity): `?1` id,
/// `?2` time, `?3` outcome `to:<service>`.
pub(crate) const MARK_TRANSFERRED: &str =
    "UPDATE tickets SET status = 'transferred', finished_at = ?2, outcome = ?3,
            capability = NULL, identity_token = NULL,
            started_at = COALESCE(started_at, called_at, ?2)
     WHERE id = ?1";

/// The window parks its ticket: `?1` id, `?2` time.
pub(crate) const MARK_HELD: &str = "UPDATE tickets SET status = 'held', held_at = ?2 WHERE id = ?1";

/// A parked ticket comes back: `?1` id, `?2` status (`called` or `serving`).
pub(crate) const MARK_RESUMED: &str =
    "UPDATE tickets SET status = ?2, held_at = NULL WHERE id = ?1";

/// A waiting ticket is withdrawn: `?1` id, `?2` outcome `cancelled_by_<who>`, `?3` time.
pub(crate) const MARK_CANCELLED: &str =
    "UPDATE tickets SET status = 'cancelled', outcome = ?2, finished_at = ?3,
            identity_token = NULL
     WHERE id = ?1";

/// Daily reset: earlier days' active tickets end as `day_end`: `?1` today, `?2` time.
pub(crate) const CANCEL_EARLIER_DAYS: &str = concat!(
    "UPDATE tickets SET status = 'cancelled', outcome = 'day_end', finished_at = ?2
     WHERE day < ?1 AND status IN ",
    active_statuses!()
);

/// Daily reset: earlier days' identity tokens and phone page capabilities are erased:
/// `?1` today.
pub(crate) const ERASE_EARLIER_SECRETS: &str =
    "UPDATE tickets SET identity_token = NULL, capability = NULL
     WHERE day < ?1 AND (identity_token IS NOT NULL OR capability IS NOT NULL)";

/// Phone page capabilities of tickets that ended (done, no-show, cancelled) at or before an
/// instant are erased: `?1` that instant.
pub(crate) const ERASE_EXPIRED_CAPABILITIES: &str = "UPDATE tickets SET capability = NULL
     WHERE capability IS NOT NULL AND status IN ('done', 'no_show', 'cancelled')
       AND finished_at <= ?1";

// ---- Numbering and fairness counters (service_day) ------------------------------------------

/// Creates a service's day counters: `?1` day, `?2` service, `?3` the number before the first.
pub(crate) const ENSURE_SERVICE_DAY: &str =
    "INSERT OR IGNORE INTO service_day(day, service, last_number, issued)
     VALUES (?1, ?2, ?3, 0)";

/// `(last_number, issued)` of a service: `?1` day, `?2` service.
pub(crate) const SERVICE_DAY_COUNTERS: &str =
    "SELECT last_number, issued FROM service_day WHERE day = ?1 AND service = ?2";

/// Counts an issued ticket: `?1` day, `?2` service, `?3` its number.
pub(crate) const COUNT_ISSUED: &str = "UPDATE service_day SET last_number = ?3, issued = issued + 1
     WHERE day = ?1 AND service = ?2";

/// Priority calls in a row in a service: `?1` day, `?2` service.
pub(crate) const PRIORITY_STREAK: &str =
    "SELECT priority_streak FROM service_day WHERE day = ?1 AND service = ?2";

/// A priority call: one more in the streak: `?1` day, `?2` service.
pub(crate) const BUMP_PRIORITY_STREAK: &str =
    "UPDATE service_day SET priority_streak = priority_streak + 1 WHERE day = ?1 AND service = ?2";

/// A normal call ends the streak: `?1` day, `?2` service.
pub(crate) const RESET_PRIORITY_STREAK: &str =
    "UPDATE service_day SET priority_streak = 0 WHERE day = ?1 AND service = ?2";

/// Appointment calls in a row in a service: `?1` day, `?2` service.
pub(crate) const APPOINTMENT_STREAK: &str =
    "SELECT appointment_streak FROM service_day WHERE day = ?1 AND service = ?2";

/// An appointment call: one more in the streak: `?1` day, `?2` service.
pub(crate) const BUMP_APPOINTMENT_STREAK: &str = "UPDATE service_day
     SET appointment_streak = appointment_streak + 1 WHERE day = ?1 AND service = ?2";

/// A walk-in call ends the appointment streak: `?1` day, `?2` service.
pub(crate) const RESET_APPOINTMENT_STREAK: &str =
    "UPDATE service_day SET appointment_streak = 0 WHERE day = ?1 AND service = ?2";

// ---- Windows --------------------------------------------------------------------------------

/// The windows currently open (staff logged in).
pub(crate) const OPEN_WINDOW_IDS: &str = "SELECT window FROM window_state WHERE open = 1";

/// Whether a window is open (no row: never opened): `?1` window.
pub(crate) const WINDOW_IS_OPEN: &str = "SELECT open FROM window_state WHERE window = ?1";

/// Opens or closes a window: `?1` window, `?2` open, `?3` time.
pub(crate) const SET_WINDOW_OPEN: &str =
    "INSERT INTO window_state(window, open, changed_at) VALUES (?1, ?2, ?3)
     ON CONFLICT(window) DO UPDATE SET open = excluded.open, changed_at = excluded.changed_at";

/// Daily reset: every window closes and nobody is on duty: `?1` time.
pub(crate) const CLOSE_ALL_WINDOWS: &str = "UPDATE window_state
     SET open = 0, changed_at = ?1, staff_name = NULL, staff_id = NULL WHERE open = 1";

/// The staff member on duty at a window: `?1` window.
pub(crate) const WINDOW_STAFF: &str =
    "SELECT staff_name, staff_id FROM window_state WHERE window = ?1";

/// Open windows with the staff member on duty, `(window, name, staff id)`.
pub(crate) const OPEN_WINDOWS_WITH_STAFF: &str =
    "SELECT window, staff_name, staff_id FROM window_state WHERE open = 1";

/// Sets (or clears) the staff member on duty at a window: `?1` window, `?2` name, `?3` staff
/// id.
pub(crate) const SET_WINDOW_STAFF: &str =
    "UPDATE window_state SET staff_name = ?2, staff_id = ?3 WHERE window = ?1";

// ---- The day's booked slots -----------------------------------------------------------------

/// Replace-all, first step: `?1` day.
pub(crate) const DELETE_BOOKINGS_OF_DAY: &str = "DELETE FROM bookings WHERE day = ?1";

/// One booked slot: `?1` day, `?2` code, `?3` service, `?4` start, `?5` end, `?6` masked name.
pub(crate) const INSERT_BOOKING: &str =
    "INSERT INTO bookings(day, code, service, slot_start, slot_end, masked_name)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

/// A day's booked slots by start: `?1` day.
pub(crate) const BOOKINGS_OF_DAY: &str =
    "SELECT code, service, slot_start, slot_end, masked_name FROM bookings
     WHERE day = ?1 ORDER BY slot_start, code";

/// Daily reset: earlier days' booked slots (masked names) go: `?1` today.
pub(crate) const DELETE_EARLIER_BOOKINGS: &str = "DELETE FROM bookings WHERE day < ?1";

// ---- Retry keys (idempotency) ---------------------------------------------------------------

/// The ticket already issued for a retry key: `?1` key (`<device>\u{1f}<key>`).
pub(crate) const IDEMPOTENT_TICKET: &str = "SELECT ticket_id FROM idempotency WHERE key = ?1";

/// Remembers a retry key: `?1` key, `?2` ticket id, `?3` time.
pub(crate) const INSERT_IDEMPOTENCY_KEY: &str =
    "INSERT INTO idempotency(key, ticket_id, created_at) VALUES (?1, ?2, ?3)";

/// Daily reset: drops retry keys older than an instant: `?1` time.
pub(crate) const DELETE_OLD_IDEMPOTENCY_KEYS: &str =
    "DELETE FROM idempotency WHERE created_at < ?1";

// ---- Event log ------------------------------------------------------------------------------

/// Appends an event: `?1` time, `?2` day, `?3` kind, `?4` JSON payload.
pub(crate) const INSERT_EVENT: &str =
    "INSERT INTO events(at, day, kind, payload) VALUES (?1, ?2, ?3, ?4)";

/// Events after a sequence number, oldest first: `?1` after (exclusive), `?2` limit.
pub(crate) const EVENTS_AFTER: &str =
    "SELECT seq, at, day, payload FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2";

/// The sequence number of the last event ever logged (0 when none was), deleted ones included:
/// `AUTOINCREMENT` never reuses a number.
pub(crate) const LAST_EVENT_SEQ: &str =
    "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0)";

/// The first event of a business day or later: `?1` day.
pub(crate) const FIRST_EVENT_SEQ_SINCE: &str = "SELECT MIN(seq) FROM events WHERE day >= ?1";

/// Daily reset: earlier days' events are deleted (the trigger refuses the current day's):
/// `?1` today.
pub(crate) const DELETE_EARLIER_EVENTS: &str = "DELETE FROM events WHERE day < ?1";

// ---- Settings (meta) ------------------------------------------------------------------------

/// A stored setting: `?1` key.
pub(crate) const META_GET: &str = "SELECT value FROM meta WHERE key = ?1";

/// Stores a setting: `?1` key, `?2` value.
pub(crate) const META_SET: &str = "INSERT INTO meta(key, value) VALUES (?1, ?2)
     ON CONFLICT(key) DO UPDATE SET value = excluded.value";

// ---- Ratings --------------------------------------------------------------------------------

/// Records a ticket's rating: `?1` ticket id, `?2` day, `?3` number, `?4` service, `?5` window,
/// `?6` staff id, `?7` staff name, `?8` score, `?9` reasons (comma-separated ids), `?10` source,
/// `?11` rated at (ms).
pub(crate) const INSERT_RATING: &str = "INSERT INTO ratings(ticket_id, day, number, service, \
     window, staff_id, staff_name, score, reasons, source, rated_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";

/// The columns `engine::rating` reads, followed by `$rest`.
macro_rules! select_ratings {
    ($($rest:expr),+ $(,)?) => {
        concat!(
            "SELECT ticket_id, day, number, service, window, staff_id, staff_name, score, \
             reasons, source, rated_at FROM ratings ",
            $($rest),+
        )
    };
}

/// The rating of a ticket of a day by its number: `?1` day, `?2` number.
pub(crate) const RATING_BY_NUMBER: &str = select_ratings!("WHERE day = ?1 AND number = ?2");

/// Every rating of a day, in the order given: `?1` day.
pub(crate) const RATINGS_OF_DAY: &str =
    select_ratings!("WHERE day = ?1 ORDER BY rated_at, ticket_id");

/// The `completed` events of a day, newest first (a rating's staff member): `?1` day.
pub(crate) const COMPLETED_EVENTS_OF_DAY: &str =
    "SELECT payload FROM events WHERE day = ?1 AND kind = 'completed' ORDER BY seq DESC";
