//! The board on a Raspberry Pi (`pi` feature): GPIO inputs and output through rppal's embedded-hal 1.0
//! implementations, the backlight on a hardware PWM channel.
//!
//! rppal is in maintenance mode, so the board logic only sees embedded-hal traits ([`HalBoard`]); rppal's
//! PWM has no embedded-hal 1.0 `SetDutyCycle`, so [`PiPwm`] wraps it here. Off a Pi, opening fails with
//! rppal's error and nothing panics.

use embedded_hal::pwm::{self, SetDutyCycle};
use rppal::{
    gpio::{Gpio, InputPin, OutputPin},
    pwm::{Channel, Polarity, Pwm},
};

use super::{BoardConfig, BoardError, HalBoard};

/// rppal's hardware PWM as an embedded-hal 1.0 [`SetDutyCycle`] (duty in per mille).
#[derive(Debug)]
pub struct PiPwm(Pwm);

/// rppal's PWM error, for embedded-hal.
#[derive(Debug)]
pub struct PiPwmError(pub rppal::pwm::Error);

impl std::fmt::Display for PiPwmError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PWM: {}", self.0)
    }
}

impl pwm::Error for PiPwmError {
    fn kind(&self) -> pwm::ErrorKind {
        pwm::ErrorKind::Other
    }
}

impl pwm::ErrorType for PiPwm {
    type Error = PiPwmError;
}

impl SetDutyCycle for PiPwm {
    fn max_duty_cycle(&self) -> u16 {
        1000
    }

    fn set_duty_cycle(&mut self, duty: u16) -> Result<(), PiPwmError> {
        self.0
            .set_duty_cycle(f64::from(duty.min(1000)) / 1000.0)
            .map_err(PiPwmError)
    }
}

/// The Pi board.
pub type PiBoard = HalBoard<InputPin, InputPin, OutputPin, PiPwm>;

fn open_error(what: &str, err: impl std::fmt::Display) -> BoardError {
    BoardError::Open(format!("{what}: {err}"))
}

/// Opens the pins `[board]` names.
pub fn open(config: &BoardConfig) -> Result<PiBoard, BoardError> {
    let gpio = Gpio::new().map_err(|e| open_error("GPIO", e))?;
    let presence = gpio
        .get(config.presence_pin)
        .map_err(|e| open_error("presence pin", e))?
        .into_input_pulldown();
    let help = gpio
        .get(config.help_pin)
        .map_err(|e| open_error("help pin", e))?
        .into_input_pullup();
    let lamp = gpio
        .get(config.lamp_pin)
        .map_err(|e| open_error("lamp pin", e))?
        .into_output_low();
    let channel = if config.backlight_pwm_channel == 0 {
        Channel::Pwm0
    } else {
        Channel::Pwm1
    };
    let pwm = Pwm::with_frequency(
        channel,
        f64::from(config.backlight_pwm_hz),
        1.0,
        Polarity::Normal,
        true,
    )
    .map_err(|e| open_error("backlight PWM", e))?;
    Ok(HalBoard::new(presence, help, lamp, PiPwm(pwm)))
}
