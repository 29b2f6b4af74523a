//! The simulated board: embedded-hal pins that keep their state in memory, so the real board logic
//! ([`HalBoard`], [`BoardController`](super::BoardController)) runs on a laptop and in tests.
//! [`SimBoardControls`] drives the inputs and reads the outputs.

use std::{
    convert::Infallible,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU8, AtomicU16, Ordering},
    },
};

use embedded_hal::{
    digital::{self, InputPin, OutputPin},
    pwm::{self, SetDutyCycle},
};

use super::hal::HalBoard;

/// An input pin whose level is set from outside.
#[derive(Debug, Clone, Default)]
pub struct SimInput {
    high: Arc<AtomicBool>,
}

impl SimInput {
    /// Sets the level.
    pub fn set_high(&self, high: bool) {
        self.high.store(high, Ordering::SeqCst);
    }
}

impl digital::ErrorType for SimInput {
    type Error = Infallible;
}

impl InputPin for SimInput {
    fn is_high(&mut self) -> Result<bool, Infallible> {
        Ok(self.high.load(Ordering::SeqCst))
    }

    fn is_low(&mut self) -> Result<bool, Infallible> {
        Ok(!self.high.load(Ordering::SeqCst))
    }
}

/// A momentary push button wired to ground with a pull-up: [`SimButton::press`] makes the pin read low
/// for the next `n` samples, as a real press lasts a few board loop periods.
#[derive(Debug, Clone, Default)]
pub struct SimButton {
    low_samples: Arc<AtomicU8>,
}

impl SimButton {
    /// Presses the button for the next two samples.
    pub fn press(&self) {
        self.low_samples.store(2, Ordering::SeqCst);
    }
}

impl digital::ErrorType for SimButton {
    type Error = Infallible;
}

impl InputPin for SimButton {
    fn is_high(&mut self) -> Result<bool, Infallible> {
        self.is_low().map(|low| !low)
    }

    fn is_low(&mut self) -> Result<bool, Infallible> {
        let pressed = self
            .low_samples
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        Ok(pressed)
    }
}

/// An output pin whose level can be read back.
#[derive(Debug, Clone, Default)]
pub struct SimOutput {
    high: Arc<AtomicBool>,
}

impl SimOutput {
    /// The level last set.
    pub fn is_set_high(&self) -> bool {
        self.high.load(Ordering::SeqCst)
    }
}

impl digital::ErrorType for SimOutput {
    type Error = Infallible;
}

impl OutputPin for SimOutput {
    fn set_low(&mut self) -> Result<(), Infallible> {
        self.high.store(false, Ordering::SeqCst);
        Ok(())
    }

    fn set_high(&mut self) -> Result<(), Infallible> {
        self.high.store(true, Ordering::SeqCst);
        Ok(())
    }
}

/// A PWM channel with a 0-1000 duty range whose duty can be read back.
#[derive(Debug, Clone, Default)]
pub struct SimPwm {
    duty: Arc<AtomicU16>,
}

impl SimPwm {
    /// The maximum duty value.
    pub const MAX: u16 = 1000;

    /// The duty cycle last set, in percent.
    pub fn percent(&self) -> u8 {
        u8::try_from(u32::from(self.duty.load(Ordering::SeqCst)) * 100 / u32::from(Self::MAX))
            .unwrap_or(100)
    }
}

impl pwm::ErrorType for SimPwm {
    type Error = Infallible;
}

impl SetDutyCycle for SimPwm {
    fn max_duty_cycle(&self) -> u16 {
        Self::MAX
    }

    fn set_duty_cycle(&mut self, duty: u16) -> Result<(), Infallible> {
        self.duty.store(duty.min(Self::MAX), Ordering::SeqCst);
        Ok(())
    }
}

/// The simulated board.
pub type SimBoard = HalBoard<SimInput, SimButton, SimOutput, SimPwm>;

/// The outside of a simulated board: set presence, press help, read the lamp and backlight.
#[derive(Debug, Clone, Default)]
pub struct SimBoardControls {
    /// The presence sensor.
    pub presence: SimInput,
    /// The help button.
    pub help: SimButton,
    /// The fault lamp.
    pub lamp: SimOutput,
    /// The backlight.
    pub backlight: SimPwm,
}

impl SimBoardControls {
    /// A new simulated board and its controls.
    pub fn new() -> (SimBoard, Self) {
        let controls = Self::default();
        let board = HalBoard::new(
            controls.presence.clone(),
            controls.help.clone(),
            controls.lamp.clone(),
            controls.backlight.clone(),
        );
        (board, controls)
    }

    /// Someone steps in front of the kiosk (`true`) or leaves (`false`).
    pub fn set_presence(&self, present: bool) {
        self.presence.set_high(present);
    }

    /// Presses the help button once.
    pub fn press_help(&self) {
        self.help.press();
    }

    /// Whether the fault lamp is lit.
    pub fn lamp_on(&self) -> bool {
        self.lamp.is_set_high()
    }

    /// The backlight level in percent.
    pub fn backlight_percent(&self) -> u8 {
        self.backlight.percent()
    }
}
