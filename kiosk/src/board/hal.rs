//! The board over embedded-hal 1.0 pins: any HAL (rppal on a Pi, the simulated pins in tests)
//! plugs in here.

use embedded_hal::{
    digital::{InputPin, OutputPin},
    pwm::SetDutyCycle,
};

use super::{Board, BoardError, BoardInputs};

/// A board made of a presence input (active high), a help button input (active low: to ground with a
/// pull-up), a fault lamp output (active high) and a backlight PWM.
#[derive(Debug)]
pub struct HalBoard<P, H, L, B> {
    presence: P,
    help: H,
    lamp: L,
    backlight: B,
}

impl<P, H, L, B> HalBoard<P, H, L, B> {
    /// A board on these pins.
    pub fn new(presence: P, help: H, lamp: L, backlight: B) -> Self {
        Self {
            presence,
            help,
            lamp,
            backlight,
        }
    }
}

fn pin_error(what: &'static str, err: impl std::fmt::Debug) -> BoardError {
    BoardError::Pin {
        what,
        reason: format!("{err:?}"),
    }
}

impl<P, H, L, B> Board for HalBoard<P, H, L, B>
where
    P: InputPin + Send,
    H: InputPin + Send,
    L: OutputPin + Send,
    B: SetDutyCycle + Send,
{
    fn read(&mut self) -> Result<BoardInputs, BoardError> {
        Ok(BoardInputs {
            presence: self
                .presence
                .is_high()
                .map_err(|e| pin_error("presence sensor", e))?,
            help_pressed: self
                .help
                .is_low()
                .map_err(|e| pin_error("help button", e))?,
        })
    }

    fn set_backlight(&mut self, percent: u8) -> Result<(), BoardError> {
        self.backlight
            .set_duty_cycle_percent(percent.min(100))
            .map_err(|e| pin_error("backlight PWM", e))
    }

    fn set_fault_lamp(&mut self, on: bool) -> Result<(), BoardError> {
        if on {
            self.lamp.set_high()
        } else {
            self.lamp.set_low()
        }
        .map_err(|e| pin_error("fault lamp", e))
    }
}
