//! Linux evdev `struct input_event` records, as `read(2)` on `/dev/input/event*` returns them:
//! `struct timeval` (seconds, microseconds), `u16 type`, `u16 code`, `i32 value`, in the host's
//! byte order. On 64-bit Linux a record is 24 bytes; on 32-bit Linux 16 bytes (the kernel keeps
//! `unsigned long` seconds there, also with 64-bit `time_t`).

use std::time::Duration;

/// `EV_SYN`: the end of one report of the device.
pub const EV_SYN: u16 = 0x00;
/// `EV_KEY`: a key went down (value 1), up (0), or auto-repeats (2).
pub const EV_KEY: u16 = 0x01;
/// `EV_MSC`: miscellaneous; keyboards send `MSC_SCAN` with the HID usage before each key.
pub const EV_MSC: u16 = 0x04;
/// `SYN_REPORT`, the code of an `EV_SYN` record.
pub const SYN_REPORT: u16 = 0x00;
/// `MSC_SCAN`, the code of an `EV_MSC` record carrying the HID usage.
pub const MSC_SCAN: u16 = 0x04;

/// The size of a record on the two kinds of Linux.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordLayout {
    /// 64-bit Linux (x86-64, aarch64): 24-byte records.
    Bits64,
    /// 32-bit Linux (armv7): 16-byte records.
    Bits32,
}

impl RecordLayout {
    /// The layout of the Linux this was built for.
    pub const fn native() -> Self {
        if cfg!(target_pointer_width = "64") {
            Self::Bits64
        } else {
            Self::Bits32
        }
    }

    /// Bytes per record.
    pub const fn size(self) -> usize {
        match self {
            Self::Bits64 => 24,
            Self::Bits32 => 16,
        }
    }

    const fn word(self) -> usize {
        self.size() / 2 - 4
    }
}

/// One input event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputEvent {
    /// The kernel's time stamp (negative fields read as zero).
    pub time: Duration,
    /// `EV_SYN`, `EV_KEY`, `EV_MSC`, …
    pub kind: u16,
    /// The key code for `EV_KEY` (`KEY_A` = 30, …).
    pub code: u16,
    /// 1 pressed, 0 released, 2 auto-repeat for `EV_KEY`.
    pub value: i32,
}

impl InputEvent {
    /// A key event.
    pub fn key(time: Duration, code: u16, value: i32) -> Self {
        Self {
            time,
            kind: EV_KEY,
            code,
            value,
        }
    }

    /// Reads one record; `bytes` must hold at least `layout.size()` bytes (more are ignored).
    pub fn parse(bytes: &[u8], layout: RecordLayout) -> Option<Self> {
        let record = bytes.get(..layout.size())?;
        let word = layout.word();
        let int = |at: usize| -> i64 {
            match layout {
                RecordLayout::Bits64 => {
                    i64::from_ne_bytes(record[at..at + 8].try_into().unwrap_or([0; 8]))
                }
                RecordLayout::Bits32 => i64::from(i32::from_ne_bytes(
                    record[at..at + 4].try_into().unwrap_or([0; 4]),
                )),
            }
        };
        let secs = u64::try_from(int(0)).unwrap_or(0);
        let micros = u64::try_from(int(word)).unwrap_or(0);
        let rest = &record[2 * word..];
        Some(Self {
            time: Duration::from_secs(secs).saturating_add(Duration::from_micros(micros)),
            kind: u16::from_ne_bytes([rest[0], rest[1]]),
            code: u16::from_ne_bytes([rest[2], rest[3]]),
            value: i32::from_ne_bytes([rest[4], rest[5], rest[6], rest[7]]),
        })
    }

    /// Appends the record to `out`.
    pub fn write(&self, layout: RecordLayout, out: &mut Vec<u8>) {
        let secs = self.time.as_secs();
        let micros = u64::from(self.time.subsec_micros());
        match layout {
            RecordLayout::Bits64 => {
                out.extend_from_slice(&i64::try_from(secs).unwrap_or(i64::MAX).to_ne_bytes());
                out.extend_from_slice(&i64::try_from(micros).unwrap_or(0).to_ne_bytes());
            }
            RecordLayout::Bits32 => {
                out.extend_from_slice(&i32::try_from(secs).unwrap_or(i32::MAX).to_ne_bytes());
                out.extend_from_slice(&i32::try_from(micros).unwrap_or(0).to_ne_bytes());
            }
        }
        out.extend_from_slice(&self.kind.to_ne_bytes());
        out.extend_from_slice(&self.code.to_ne_bytes());
        out.extend_from_slice(&self.value.to_ne_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_is_24_bytes_on_64_bit_linux_and_16_on_32_bit() {
        let event = InputEvent::key(Duration::new(1_765_000_000, 250_000_000), 30, 1);
        for (layout, size) in [(RecordLayout::Bits64, 24), (RecordLayout::Bits32, 16)] {
            let mut bytes = Vec::new();
            event.write(layout, &mut bytes);
            assert_eq!(bytes.len(), size);
            assert_eq!(InputEvent::parse(&bytes, layout), Some(event));
            assert_eq!(InputEvent::parse(&bytes[..size - 1], layout), None);
        }
    }

    #[test]
    fn fields_sit_where_the_kernel_puts_them() {
        let mut bytes = Vec::new();
        InputEvent::key(Duration::new(2, 5), 28, 1).write(RecordLayout::Bits64, &mut bytes);
        assert_eq!(&bytes[0..8], &2i64.to_ne_bytes());
        assert_eq!(&bytes[8..16], &0i64.to_ne_bytes()); // 5 ns is 0 µs
        assert_eq!(&bytes[16..18], &EV_KEY.to_ne_bytes());
        assert_eq!(&bytes[18..20], &28u16.to_ne_bytes());
        assert_eq!(&bytes[20..24], &1i32.to_ne_bytes());
    }

    #[test]
    fn negative_times_read_as_zero() {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&(-5i64).to_ne_bytes());
        bytes.extend_from_slice(&(-1i64).to_ne_bytes());
        bytes.extend_from_slice(&[1, 0, 30, 0, 1, 0, 0, 0]);
        let event = InputEvent::parse(&bytes, RecordLayout::Bits64).unwrap();
        assert_eq!(event.time, Duration::ZERO);
    }
}
