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

use chrono::Duration;

use super::config::FairnessConfig;

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
}
