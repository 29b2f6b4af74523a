//! The priority fairness rule: which class of ticket a window calls next.
//!
//! Priority tickets (elderly, disabled, manual) go before normal tickets, but never without
//! bound:
//!
//! 1. when only one class waits, it goes;
//! 2. a normal ticket that has waited `max_normal_wait_minutes` or longer goes first;
//! 3. after `max_priority_in_a_row` priority calls in a row in a service, a waiting normal
//!    ticket goes (0 turns priority precedence off);
//! 4. otherwise the priority ticket goes.
//!
//! The streak counts calls per service and resets with every normal call.
//!
//! # Appointments
//!
//! A checked-in appointment whose slot has started (a *due* appointment) is called before the
//! walk-ins of its service (priority or normal), bounded by [`appointment_turn`]:
//!
//! 1. when only one side waits (due appointments or walk-ins), it goes;
//! 2. after `appointments.max_in_a_row` appointment calls in a row in a service, a walk-in who
//!    has waited `appointments.walk_in_max_wait_minutes` or longer goes;
//! 3. otherwise the due appointment with the earliest slot goes.
//!
//! When a walk-in goes, the priority rule above chooses which one. An appointment holder with a
//! priority (elderly, disabled) is called by the appointment rule; their priority matters again
//! only if the ticket becomes a walk-in (late check-in, put back in the queue). Appointments
//! whose slot has not started are not called. The appointment streak counts calls per service
//! and resets with every walk-in call; appointment calls leave the priority streak as it is.

use chrono::Duration;

use super::config::{AppointmentConfig, FairnessConfig};

/// Which class to call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    /// The first waiting priority ticket.
    Priority,
    /// The first waiting normal ticket.
    Normal,
}

/// Applies the rule. `longest_normal_wait` is the wait of the longest-waiting normal ticket
/// (none when no normal ticket waits); `priority_streak` the priority calls in a row so far.
pub fn pick(
    priority_waiting: bool,
    longest_normal_wait: Option<Duration>,
    priority_streak: u32,
    rule: &FairnessConfig,
) -> Option<Pick> {
    match (priority_waiting, longest_normal_wait) {
        (false, None) => None,
        (true, None) => Some(Pick::Priority),
        (false, Some(_)) => Some(Pick::Normal),
        (true, Some(wait)) => {
            let cap = Duration::minutes(i64::from(rule.max_normal_wait_minutes));
            if wait >= cap || priority_streak >= rule.max_priority_in_a_row {
                Some(Pick::Normal)
            } else {
                Some(Pick::Priority)
            }
        }
    }
}

/// Whose turn it is in a service: a due appointment or a walk-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turn {
    /// The due appointment with the earliest slot.
    Appointment,
    /// A walk-in, chosen by [`pick`].
    WalkIn,
}

/// Applies the appointment rule. `due_appointment`: whether a checked-in appointment whose slot
/// started waits; `longest_walk_in_wait`: the wait of the longest-waiting walk-in (none when no
/// walk-in waits); `appointment_streak`: appointment calls in a row so far.
pub fn appointment_turn(
    due_appointment: bool,
    longest_walk_in_wait: Option<Duration>,
    appointment_streak: u32,
    rule: &AppointmentConfig,
) -> Option<Turn> {
    match (due_appointment, longest_walk_in_wait) {
        (false, None) => None,
        (true, None) => Some(Turn::Appointment),
        (false, Some(_)) => Some(Turn::WalkIn),
        (true, Some(wait)) => {
            let waited_enough = wait >= Duration::minutes(i64::from(rule.walk_in_max_wait_minutes));
            if appointment_streak >= rule.max_in_a_row && waited_enough {
                Some(Turn::WalkIn)
            } else {
                Some(Turn::Appointment)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: FairnessConfig = FairnessConfig {
        max_priority_in_a_row: 2,
        max_normal_wait_minutes: 30,
    };

    #[test]
    fn single_class_goes() {
        assert_eq!(pick(false, None, 0, &RULE), None);
        assert_eq!(pick(true, None, 9, &RULE), Some(Pick::Priority));
        assert_eq!(
            pick(false, Some(Duration::zero()), 0, &RULE),
            Some(Pick::Normal)
        );
    }

    #[test]
    fn priority_goes_until_the_streak_limit() {
        let w = Some(Duration::minutes(1));
        assert_eq!(pick(true, w, 0, &RULE), Some(Pick::Priority));
        assert_eq!(pick(true, w, 1, &RULE), Some(Pick::Priority));
        assert_eq!(pick(true, w, 2, &RULE), Some(Pick::Normal));
    }

    #[test]
    fn max_wait_puts_a_normal_ticket_first() {
        assert_eq!(
            pick(true, Some(Duration::minutes(29)), 0, &RULE),
            Some(Pick::Priority)
        );
        assert_eq!(
            pick(true, Some(Duration::minutes(30)), 0, &RULE),
            Some(Pick::Normal)
        );
    }

    #[test]
    fn zero_streak_turns_precedence_off() {
        let rule = FairnessConfig {
            max_priority_in_a_row: 0,
            ..RULE
        };
        assert_eq!(
            pick(true, Some(Duration::zero()), 0, &rule),
            Some(Pick::Normal)
        );
    }

    const APPOINTMENTS: AppointmentConfig = AppointmentConfig {
        max_in_a_row: 3,
        walk_in_max_wait_minutes: 20,
        late_grace_minutes: 15,
    };

    #[test]
    fn a_single_side_goes() {
        assert_eq!(appointment_turn(false, None, 0, &APPOINTMENTS), None);
        assert_eq!(
            appointment_turn(true, None, 99, &APPOINTMENTS),
            Some(Turn::Appointment)
        );
        assert_eq!(
            appointment_turn(false, Some(Duration::zero()), 0, &APPOINTMENTS),
            Some(Turn::WalkIn)
        );
    }

    #[test]
    fn appointments_go_first_until_the_streak_and_a_long_wait_meet() {
        let short = Some(Duration::minutes(19));
        let long = Some(Duration::minutes(20));
        for streak in 0..3 {
            assert_eq!(
                appointment_turn(true, long, streak, &APPOINTMENTS),
                Some(Turn::Appointment),
                "streak {streak}"
            );
        }
        // After three in a row, a walk-in goes, but only one who has waited long enough.
        assert_eq!(
            appointment_turn(true, short, 3, &APPOINTMENTS),
            Some(Turn::Appointment)
        );
        assert_eq!(
            appointment_turn(true, long, 3, &APPOINTMENTS),
            Some(Turn::WalkIn)
        );
        assert_eq!(
            appointment_turn(true, long, 7, &APPOINTMENTS),
            Some(Turn::WalkIn)
        );
    }

    #[test]
    fn zero_limits_turn_appointment_precedence_off() {
        let rule = AppointmentConfig {
            max_in_a_row: 0,
            walk_in_max_wait_minutes: 0,
            ..APPOINTMENTS
        };
        assert_eq!(
            appointment_turn(true, Some(Duration::zero()), 0, &rule),
            Some(Turn::WalkIn)
        );
    }
}
