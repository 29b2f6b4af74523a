//! Single-colour P10 modules (32×16, HUB12, 1/4 scan) driven by SPI plus four GPIO lines.
//!
//! The encoder is pure: [`phase_bytes`] turns a frame into the 16 bytes per panel shifted out for one scan
//! phase (the Freetronics DMD order: bit 7 = leftmost LED, **0 = LED on**; phase `s` lights rows `s`, `s+4`,
//! `s+8`, `s+12`, sent as row `s+12`, `s+8`, `s+4`, `s` for each byte column). [`Hub12`] shifts a phase out
//! on an embedded-hal 1.0 [`SpiBus`] and then: output enable off → latch pulse → row address A, B → output
//! enable on. The modules do not hold a picture: [`Hub12Sink`] keeps a thread that scans the four phases
//! continuously (≥ 100 frames per second, 400 phases), and `show` only swaps the bytes it scans.
//!
//! Other P10 variants (outdoor modules, other driver chips) shift in other orders: check a new module
//! with a test pattern (`kiosk led render --scene test`).

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    thread::JoinHandle,
    time::{Duration, Instant},
};

use embedded_hal::{digital::OutputPin, spi::SpiBus};

use super::{LedSink, MonoFrame, SinkError};

/// Width of one P10 module in LEDs.
pub const PANEL_WIDTH: u32 = 32;
/// Height of one P10 module in LEDs.
pub const PANEL_HEIGHT: u32 = 16;

/// One byte of a frame row: 8 LEDs from column `8 * byte`, bit 7 leftmost, a set bit = LED off.
fn row_byte(frame: &MonoFrame, y: u32, byte: u32) -> u8 {
    let mut out = 0xFF;
    for bit in 0..8 {
        if frame.get(byte * 8 + bit, y) {
            out &= !(0x80 >> bit);
        }
    }
    out
}

/// The bytes shifted out for scan phase `phase` (0..4; taken modulo 4) of a row of `panels` modules:
/// for each byte column `i` in `0..4 × panels`, rows `phase+12`, `phase+8`, `phase+4`, `phase`.
pub fn phase_bytes(frame: &MonoFrame, panels: usize, phase: u8) -> Vec<u8> {
    let s = u32::from(phase % 4);
    let columns = 4 * u32::try_from(panels).unwrap_or(1);
    let mut out = Vec::with_capacity(columns as usize * 4);
    for i in 0..columns {
        for row in [s + 12, s + 8, s + 4, s] {
            out.push(row_byte(frame, row, i));
        }
    }
    out
}

/// The four phases of a frame.
pub fn frame_phases(frame: &MonoFrame, panels: usize) -> [Vec<u8>; 4] {
    [0, 1, 2, 3].map(|s| phase_bytes(frame, panels, s))
}

/// Why a scan step failed.
#[derive(Debug, thiserror::Error)]
pub enum Hub12Error {
    /// The SPI bus failed.
    #[error("HUB12 SPI: {0}")]
    Spi(String),
    /// A GPIO line failed.
    #[error("HUB12 GPIO: {0}")]
    Pin(String),
}

fn pin_err<E: core::fmt::Debug>(e: E) -> Hub12Error {
    Hub12Error::Pin(format!("{e:?}"))
}

/// A row of P10 modules: SPI for CLK and R data, GPIO for A, B, nOE and the latch.
#[derive(Debug)]
pub struct Hub12<SPI, A, B, OE, LAT> {
    spi: SPI,
    a: A,
    b: B,
    oe: OE,
    latch: LAT,
    panels: usize,
}

impl<SPI, A, B, OE, LAT> Hub12<SPI, A, B, OE, LAT>
where
    SPI: SpiBus<u8>,
    A: OutputPin,
    B: OutputPin,
    OE: OutputPin,
    LAT: OutputPin,
{
    /// A driver for `panels` modules in a row (the frame is `32 × panels` by 16).
    pub fn new(spi: SPI, a: A, b: B, oe: OE, latch: LAT, panels: usize) -> Self {
        Self {
            spi,
            a,
            b,
            oe,
            latch,
            panels: panels.max(1),
        }
    }

    /// Modules in the row.
    pub fn panels(&self) -> usize {
        self.panels
    }

    /// Shows scan phase `phase` (0..4) with its `bytes` from [`phase_bytes`]: shift out, rows off, latch,
    /// select the row group, rows on. (Freetronics wiring: nOE low = rows off.)
    pub fn scan_phase(&mut self, phase: u8, bytes: &[u8]) -> Result<(), Hub12Error> {
        let spi = |e: SPI::Error| Hub12Error::Spi(format!("{e:?}"));
        self.spi.write(bytes).map_err(spi)?;
        self.spi.flush().map_err(spi)?;
        self.oe.set_low().map_err(pin_err)?;
        self.latch.set_high().map_err(pin_err)?;
        self.latch.set_low().map_err(pin_err)?;
        let phase = phase % 4;
        self.a.set_state((phase & 1 != 0).into()).map_err(pin_err)?;
        self.b.set_state((phase & 2 != 0).into()).map_err(pin_err)?;
        self.oe.set_high().map_err(pin_err)?;
        Ok(())
    }

    /// Turns every row off (output enable off).
    pub fn blank(&mut self) -> Result<(), Hub12Error> {
        self.oe.set_low().map_err(pin_err)
    }

    /// Gives the bus and pins back.
    pub fn release(self) -> (SPI, A, B, OE, LAT) {
        (self.spi, self.a, self.b, self.oe, self.latch)
    }
}

/// Statistics of the scan thread.
#[derive(Debug, Default)]
pub struct ScanStats {
    /// Phases shown so far.
    pub phases: AtomicU64,
    /// Scan steps that failed.
    pub errors: AtomicU64,
}

/// A P10 row with its scan thread: `show` swaps the frame the thread scans.
#[derive(Debug)]
pub struct Hub12Sink {
    phases: Arc<Mutex<[Vec<u8>; 4]>>,
    panels: usize,
    stop: Arc<AtomicBool>,
    stats: Arc<ScanStats>,
    thread: Option<JoinHandle<()>>,
}

impl Hub12Sink {
    /// Starts scanning with `driver`, `refresh_hz` full frames per second (4 phases each; at least 50).
    pub fn spawn<SPI, A, B, OE, LAT>(
        mut driver: Hub12<SPI, A, B, OE, LAT>,
        refresh_hz: u32,
    ) -> std::io::Result<Self>
    where
        SPI: SpiBus<u8> + Send + 'static,
        A: OutputPin + Send + 'static,
        B: OutputPin + Send + 'static,
        OE: OutputPin + Send + 'static,
        LAT: OutputPin + Send + 'static,
    {
        let panels = driver.panels();
        let dark = MonoFrame::new(
            PANEL_WIDTH * u32::try_from(panels).unwrap_or(1),
            PANEL_HEIGHT,
        );
        let phases = Arc::new(Mutex::new(frame_phases(&dark, panels)));
        let stop = Arc::new(AtomicBool::new(false));
        let stats = Arc::new(ScanStats::default());
        let step = Duration::from_secs(1) / (4 * refresh_hz.max(50));
        let thread = {
            let (phases, stop, stats) =
                (Arc::clone(&phases), Arc::clone(&stop), Arc::clone(&stats));
            std::thread::Builder::new()
                .name("hub12-scan".into())
                .spawn(move || {
                    let mut next = Instant::now();
                    let mut bytes = Vec::new();
                    while !stop.load(Ordering::Relaxed) {
                        for phase in 0..4u8 {
                            if let Ok(all) = phases.lock() {
                                bytes.clone_from(&all[usize::from(phase)]);
                            }
                            match driver.scan_phase(phase, &bytes) {
                                Ok(()) => stats.phases.fetch_add(1, Ordering::Relaxed),
                                Err(_) => stats.errors.fetch_add(1, Ordering::Relaxed),
                            };
                            // Pace the phases evenly: the row group stays lit until the next one.
                            next += step;
                            let now = Instant::now();
                            if next > now {
                                std::thread::sleep(next - now);
                            } else {
                                next = now;
                            }
                        }
                    }
                    let _ = driver.blank();
                })?
        };
        Ok(Self {
            phases,
            panels,
            stop,
            stats,
            thread: Some(thread),
        })
    }

    /// Scan statistics.
    pub fn stats(&self) -> &ScanStats {
        &self.stats
    }
}

impl LedSink for Hub12Sink {
    fn show(&mut self, frame: &MonoFrame) -> Result<(), SinkError> {
        let phases = frame_phases(frame, self.panels);
        let mut shared = self
            .phases
            .lock()
            .map_err(|_| SinkError::Bus("HUB12 scan thread panicked".into()))?;
        *shared = phases;
        Ok(())
    }
}

impl Drop for Hub12Sink {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
