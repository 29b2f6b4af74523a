//! Real panels on a Raspberry Pi: the embedded-hal drivers instantiated with rppal (`pi` feature).
//!
//! rppal is in maintenance mode; the drivers only see embedded-hal 1.0 traits, so another HAL
//! (`linux-embedded-hal` on a non-Pi board) plugs in here without touching them. Off a Pi, opening fails
//! with rppal's "Unknown Raspberry Pi model" or "No such file or directory" and nothing panics.

use rppal::{
    gpio::Gpio,
    spi::{Bus, Mode, SimpleHalSpiDevice, SlaveSelect, Spi},
};

use super::{
    Hub12Config, Max7219Config, SinkError,
    hub12::{Hub12, Hub12Sink},
    max7219::Max7219,
};

fn bus(n: u8) -> Result<Bus, SinkError> {
    Ok(match n {
        0 => Bus::Spi0,
        1 => Bus::Spi1,
        2 => Bus::Spi2,
        3 => Bus::Spi3,
        4 => Bus::Spi4,
        5 => Bus::Spi5,
        6 => Bus::Spi6,
        other => return Err(SinkError::Bus(format!("no SPI bus {other} (0 to 6)"))),
    })
}

fn chip_select(n: u8) -> Result<SlaveSelect, SinkError> {
    Ok(match n {
        0 => SlaveSelect::Ss0,
        1 => SlaveSelect::Ss1,
        2 => SlaveSelect::Ss2,
        other => {
            return Err(SinkError::Bus(format!(
                "no SPI chip select {other} (0 to 2)"
            )));
        }
    })
}

/// Opens a MAX7219 chain on `/dev/spidevB.C` (mode 0) and initialises it.
pub fn open_max7219(config: &Max7219Config) -> Result<Max7219<SimpleHalSpiDevice>, SinkError> {
    let spi = Spi::new(
        bus(config.spi_bus)?,
        chip_select(config.chip_select)?,
        config.clock_hz,
        Mode::Mode0,
    )
    .map_err(|e| SinkError::Bus(format!("SPI{}.{}: {e}", config.spi_bus, config.chip_select)))?;
    let mut chain = Max7219::new(
        SimpleHalSpiDevice::new(spi),
        config.layout(),
        config.intensity,
    );
    chain
        .init()
        .map_err(|e| SinkError::Bus(format!("MAX7219 init: {e:?}")))?;
    Ok(chain)
}

/// Opens a row of P10 modules and starts its scan thread.
pub fn open_hub12(config: &Hub12Config) -> Result<Hub12Sink, SinkError> {
    let spi = Spi::new(
        bus(config.spi_bus)?,
        SlaveSelect::Ss0,
        config.clock_hz,
        Mode::Mode0,
    )
    .map_err(|e| SinkError::Bus(format!("SPI{}: {e}", config.spi_bus)))?;
    let gpio = Gpio::new().map_err(|e| SinkError::Bus(format!("GPIO: {e}")))?;
    let output = |pin: u8| {
        gpio.get(pin)
            .map(rppal::gpio::Pin::into_output_low)
            .map_err(|e| SinkError::Bus(format!("GPIO {pin}: {e}")))
    };
    let driver = Hub12::new(
        spi,
        output(config.pin_a)?,
        output(config.pin_b)?,
        output(config.pin_oe)?,
        output(config.pin_latch)?,
        config.panels,
    );
    Hub12Sink::spawn(driver, config.refresh_hz)
        .map_err(|e| SinkError::Bus(format!("HUB12 scan thread: {e}")))
}
