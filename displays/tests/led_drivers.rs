//! Panel drivers against embedded-hal mocks: the exact SPI transactions and pin changes, in order.

use std::{
    sync::{Arc, Mutex, mpsc},
    time::Duration,
};

use displays::led::{
    ChainLayout, LedSink, MonoFrame,
    hub12::{Hub12, Hub12Sink, phase_bytes},
    max7219::{Max7219, frame_transactions, init_transactions},
};
use embedded_hal::{
    digital::{ErrorType as PinErrorType, OutputPin},
    spi::{ErrorType as SpiErrorType, SpiBus},
};
use embedded_hal_mock::eh1::{
    digital::{Mock as PinMock, State, Transaction as PinTx},
    spi::{Mock as SpiMock, Transaction as SpiTx},
};

fn device_writes(transactions: &[Vec<u8>]) -> Vec<SpiTx<u8>> {
    transactions
        .iter()
        .flat_map(|t| {
            [
                SpiTx::transaction_start(),
                SpiTx::write_vec(t.clone()),
                SpiTx::transaction_end(),
            ]
        })
        .collect()
}

#[test]
fn max7219_init_then_frame_is_one_cs_transaction_per_register_row() {
    let mut frame = MonoFrame::new(32, 8);
    frame.set(0, 0, true);
    frame.set(31, 7, true);
    let layout = ChainLayout::new(4);
    let mut expected = device_writes(&init_transactions(4, 5));
    expected.extend(device_writes(&frame_transactions(&frame, &layout)));
    expected.extend(device_writes(&[vec![
        0x0A, 0x0F, 0x0A, 0x0F, 0x0A, 0x0F, 0x0A, 0x0F,
    ]]));
    let spi = SpiMock::new(&expected);
    let mut chain = Max7219::new(spi, layout, 5);
    chain.init().unwrap();
    chain.show(&frame).unwrap();
    chain.set_intensity(99).unwrap();
    chain.release().done();
}

#[test]
fn max7219_first_row_of_a_frame_on_the_wire() {
    // Pixel (0,0) is device 0 (nearest DIN, last word), (31,7) device 3 (first word).
    let mut frame = MonoFrame::new(32, 8);
    frame.set(0, 0, true);
    frame.set(31, 7, true);
    let t = frame_transactions(&frame, &ChainLayout::new(4));
    assert_eq!(t[0], [0x01, 0x00, 0x01, 0x00, 0x01, 0x00, 0x01, 0x80]);
    assert_eq!(t[7], [0x08, 0x01, 0x08, 0x00, 0x08, 0x00, 0x08, 0x00]);
}

#[test]
fn hub12_phase_shifts_then_blanks_latches_selects_rows_and_enables() {
    let mut frame = MonoFrame::new(32, 16);
    frame.set(8, 5, true);
    let bytes = phase_bytes(&frame, 1, 1);
    let spi = SpiMock::new(&[SpiTx::write_vec(bytes.clone()), SpiTx::flush()]);
    // Phase 1: A high, B low.
    let a = PinMock::new(&[PinTx::set(State::High)]);
    let b = PinMock::new(&[PinTx::set(State::Low)]);
    let oe = PinMock::new(&[PinTx::set(State::Low), PinTx::set(State::High)]);
    let latch = PinMock::new(&[PinTx::set(State::High), PinTx::set(State::Low)]);
    let mut driver = Hub12::new(spi, a, b, oe, latch, 1);
    driver.scan_phase(1, &bytes).unwrap();
    let (mut spi, mut a, mut b, mut oe, mut latch) = driver.release();
    spi.done();
    a.done();
    b.done();
    oe.done();
    latch.done();
}

/// One log shared by a fake bus and fake pins, to check the order across them.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<String>>>, Option<mpsc::Sender<Vec<u8>>>);

impl Log {
    fn push(&self, entry: String) {
        self.0.lock().unwrap().push(entry);
    }
}

struct FakeBus(Log);
struct FakePin(&'static str, Log);

impl SpiErrorType for FakeBus {
    type Error = std::convert::Infallible;
}

impl SpiBus<u8> for FakeBus {
    fn read(&mut self, _: &mut [u8]) -> Result<(), Self::Error> {
        Ok(())
    }
    fn write(&mut self, words: &[u8]) -> Result<(), Self::Error> {
        self.0.push(format!("spi {} bytes", words.len()));
        if let Some(tx) = &self.0.1 {
            let _ = tx.send(words.to_vec());
        }
        Ok(())
    }
    fn transfer(&mut self, _: &mut [u8], _: &[u8]) -> Result<(), Self::Error> {
        Ok(())
    }
    fn transfer_in_place(&mut self, _: &mut [u8]) -> Result<(), Self::Error> {
        Ok(())
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        self.0.push("flush".into());
        Ok(())
    }
}

impl PinErrorType for FakePin {
    type Error = std::convert::Infallible;
}

impl OutputPin for FakePin {
    fn set_low(&mut self) -> Result<(), Self::Error> {
        self.1.push(format!("{} low", self.0));
        Ok(())
    }
    fn set_high(&mut self) -> Result<(), Self::Error> {
        self.1.push(format!("{} high", self.0));
        Ok(())
    }
}

fn fake_driver(log: &Log, panels: usize) -> Hub12<FakeBus, FakePin, FakePin, FakePin, FakePin> {
    Hub12::new(
        FakeBus(log.clone()),
        FakePin("A", log.clone()),
        FakePin("B", log.clone()),
        FakePin("OE", log.clone()),
        FakePin("LAT", log.clone()),
        panels,
    )
}

#[test]
fn hub12_order_across_bus_and_pins_is_shift_rows_off_latch_address_rows_on() {
    let log = Log::default();
    let mut driver = fake_driver(&log, 2);
    driver.scan_phase(2, &[0xFF; 32]).unwrap();
    let entries = log.0.lock().unwrap().clone();
    assert_eq!(
        entries,
        [
            "spi 32 bytes",
            "flush",
            "OE low",
            "LAT high",
            "LAT low",
            "A low",
            "B high",
            "OE high"
        ]
    );
}

#[test]
fn hub12_scan_thread_scans_every_phase_and_picks_up_new_frames() {
    let (tx, rx) = mpsc::channel();
    let log = Log(Arc::default(), Some(tx));
    let mut sink = Hub12Sink::spawn(fake_driver(&log, 1), 100).unwrap();
    let mut frame = MonoFrame::new(32, 16);
    // One lit LED in each of the first four rows, each in its own column, so every phase of the new frame
    // differs from the dark one scanned before `show` and from the other phases: four matches are four writes.
    for row in 0..4 {
        frame.set(row, row, true);
    }
    sink.show(&frame).unwrap();
    let wanted: Vec<Vec<u8>> = (0..4).map(|s| phase_bytes(&frame, 1, s)).collect();
    let dark: Vec<Vec<u8>> = (0..4)
        .map(|s| phase_bytes(&MonoFrame::new(32, 16), 1, s))
        .collect();
    assert!(
        wanted.iter().zip(&dark).all(|(w, d)| w != d),
        "every phase shows a lit LED"
    );
    assert!(
        (0..4).all(|i| (i + 1..4).all(|j| wanted[i] != wanted[j])),
        "the phases differ"
    );
    let mut seen = [false; 4];
    while !seen.iter().all(|&s| s) {
        let bytes = rx
            .recv_timeout(Duration::from_secs(10))
            .expect("the scan thread keeps scanning");
        for (i, w) in wanted.iter().enumerate() {
            seen[i] |= *w == bytes;
        }
    }
    // Four writes were seen; the counts of all but the last are certainly in.
    assert!(
        sink.stats()
            .phases
            .load(std::sync::atomic::Ordering::Relaxed)
            >= 3
    );
    assert_eq!(
        sink.stats()
            .errors
            .load(std::sync::atomic::Ordering::Relaxed),
        0
    );
    drop(sink);
    // After the drop the thread has stopped with the rows blanked.
    assert_eq!(
        log.0.lock().unwrap().last().map(String::as_str),
        Some("OE low")
    );
}
