//! The board logic of one loop turn: sample the inputs, decide the outputs, report what happened.
//! Time is passed in (monotonic for durations, local time of day for the schedule).

use std::time::Duration;

use chrono::NaiveTime;

use super::{Board, BoardError, backlight::BacklightPolicy};

/// What the board shows, for health and the technician.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BoardStatus {
    /// Someone is in front of the kiosk (presence sensor).
    pub presence: bool,
    /// A help request is open (button pressed within the hold time).
    pub help_requested: bool,
    /// Backlight level, percent.
    pub backlight_percent: u8,
    /// The fault lamp is lit.
    pub lamp_on: bool,
    /// The last board I/O error, if the last turn failed.
    pub fault: bool,
}

/// What one turn found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StepEvents {
    /// Someone stepped in front of the kiosk: wake the screen.
    pub woke: bool,
    /// The help button was pressed (`Some(true)`: open or renew the request, idempotent on the queue
    /// host) or the request closed after its hold time (`Some(false)`).
    pub help: Option<bool>,
}

/// The board's state between turns.
#[derive(Debug, Clone)]
pub struct BoardController {
    policy: BacklightPolicy,
    help_hold: Duration,
    last_activity: Duration,
    presence: bool,
    help_down: bool,
    help_since: Option<Duration>,
    backlight: Option<u8>,
    lamp: Option<bool>,
}

impl BoardController {
    /// A controller with the given backlight policy; a help request stays open `help_hold`.
    pub fn new(policy: BacklightPolicy, help_hold: Duration) -> Self {
        Self {
            policy,
            help_hold,
            last_activity: Duration::ZERO,
            presence: false,
            help_down: false,
            help_since: None,
            backlight: None,
            lamp: None,
        }
    }

    /// One turn at monotonic time `now` and local time `local`. `last_touch` is when the screen was
    /// last touched (monotonic); `fault` whether the lamp should be lit (the printer needs attention).
    pub fn step(
        &mut self,
        board: &mut dyn Board,
        now: Duration,
        local: NaiveTime,
        last_touch: Option<Duration>,
        fault: bool,
    ) -> Result<StepEvents, BoardError> {
        let inputs = board.read()?;
        let mut events = StepEvents::default();
        if let Some(touch) = last_touch {
            self.last_activity = self.last_activity.max(touch);
        }
        if inputs.presence {
            events.woke = !self.presence;
            self.last_activity = now;
        }
        self.presence = inputs.presence;

        if inputs.help_pressed && !self.help_down {
            // Every press is sent: if staff closed the request on their page, a new press shows again.
            events.help = Some(true);
            self.help_since = Some(now);
            self.last_activity = now;
        }
        self.help_down = inputs.help_pressed;
        if let Some(since) = self.help_since
            && now.saturating_sub(since) >= self.help_hold
        {
            self.help_since = None;
            events.help = Some(false);
        }

        let level = self.policy.level(
            local,
            now.saturating_sub(self.last_activity),
            inputs.presence,
        );
        if self.backlight != Some(level) {
            tracing::info!("backlight {level} %");
            board.set_backlight(level)?;
            self.backlight = Some(level);
        }
        if self.lamp != Some(fault) {
            tracing::info!("fault lamp {}", if fault { "on" } else { "off" });
            board.set_fault_lamp(fault)?;
            self.lamp = Some(fault);
        }
        Ok(events)
    }

    /// Closes an open help request (staff came).
    pub fn clear_help(&mut self) -> bool {
        self.help_since.take().is_some()
    }

    /// The state after the last turn.
    pub fn status(&self) -> BoardStatus {
        BoardStatus {
            presence: self.presence,
            help_requested: self.help_since.is_some(),
            backlight_percent: self.backlight.unwrap_or(0),
            lamp_on: self.lamp.unwrap_or(false),
            fault: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::board::{BoardConfig, SimBoardControls};

    fn noon() -> NaiveTime {
        NaiveTime::from_hms_opt(12, 0, 0).unwrap()
    }

    fn controller() -> BoardController {
        BoardController::new(
            BacklightPolicy::from_config(&BoardConfig::default()),
            Duration::from_secs(300),
        )
    }

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn presence_wakes_once_and_keeps_the_backlight_up() {
        let (mut board, sim) = SimBoardControls::new();
        let mut c = controller();
        let e = c.step(&mut board, secs(0), noon(), None, false).unwrap();
        assert!(!e.woke);
        assert_eq!(sim.backlight_percent(), 100);
        let e = c.step(&mut board, secs(200), noon(), None, false).unwrap();
        assert!(!e.woke);
        assert_eq!(sim.backlight_percent(), 20, "dimmed after 120 s of nothing");
        sim.set_presence(true);
        let e = c.step(&mut board, secs(201), noon(), None, false).unwrap();
        assert!(e.woke, "someone stepped up: wake");
        assert_eq!(sim.backlight_percent(), 100);
        let e = c.step(&mut board, secs(202), noon(), None, false).unwrap();
        assert!(!e.woke, "one wake per arrival");
        sim.set_presence(false);
        c.step(&mut board, secs(300), noon(), None, false).unwrap();
        assert_eq!(sim.backlight_percent(), 100, "left 98 s ago: still bright");
        c.step(&mut board, secs(330), noon(), None, false).unwrap();
        assert_eq!(sim.backlight_percent(), 20);
        c.step(&mut board, secs(331), noon(), Some(secs(330)), false)
            .unwrap();
        assert_eq!(sim.backlight_percent(), 100, "a touch brightens");
        assert!(!c.status().presence);
    }

    #[test]
    fn help_opens_on_each_press_and_closes_after_the_hold() {
        let (mut board, sim) = SimBoardControls::new();
        let mut c = controller();
        sim.press_help();
        let e = c.step(&mut board, secs(10), noon(), None, false).unwrap();
        assert_eq!(e.help, Some(true));
        assert!(c.status().help_requested);
        let e = c.step(&mut board, secs(11), noon(), None, false).unwrap();
        assert_eq!(e.help, None, "held down: no second request");
        c.step(&mut board, secs(12), noon(), None, false).unwrap();
        sim.press_help();
        let e = c.step(&mut board, secs(200), noon(), None, false).unwrap();
        assert_eq!(
            e.help,
            Some(true),
            "pressed again while open: sent again, hold renewed"
        );
        let e = c.step(&mut board, secs(499), noon(), None, false).unwrap();
        assert_eq!(e.help, None);
        let e = c.step(&mut board, secs(500), noon(), None, false).unwrap();
        assert_eq!(e.help, Some(false), "closed 300 s after the last press");
        assert!(!c.status().help_requested);
    }

    #[test]
    fn the_lamp_mirrors_the_fault() {
        let (mut board, sim) = SimBoardControls::new();
        let mut c = controller();
        c.step(&mut board, secs(0), noon(), None, true).unwrap();
        assert!(sim.lamp_on());
        assert!(c.status().lamp_on);
        c.step(&mut board, secs(1), noon(), None, false).unwrap();
        assert!(!sim.lamp_on());
    }
}
