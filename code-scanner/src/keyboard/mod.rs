//! USB HID keyboard-wedge mode, as Linux evdev delivers it: `input_event` records → key presses
//! → characters on the US layout → a scan at each Enter. [`KeyboardDecoder`] is sans-io.

pub mod event;
pub mod keymap;

#[cfg(test)]
mod tests;

use std::time::Duration;

use event::{EV_KEY, InputEvent, RecordLayout};
use keymap::{
    KEY_CAPSLOCK, KEY_ENTER, KEY_KPENTER, KEY_LEFTCTRL, KEY_LEFTSHIFT, KEY_RIGHTCTRL,
    KEY_RIGHTSHIFT, SILENT_KEYS,
};

use crate::framing::Framing;
use crate::scan::{Scan, ScanError};

/// Decodes the bytes read from a keyboard-wedge scanner's event device.
///
/// Partial records are kept for the next feed; `EV_SYN`, `EV_MSC` and every other non-key event
/// are ignored, and so are auto-repeats (value 2). Shift (either), Caps Lock and Ctrl are tracked;
/// Alt, Meta and the other locks type nothing. A key without a character is reported at once as
/// [`ScanError::UnknownKey`], and the rest of that scan is dropped up to its Enter. Memory is
/// bounded by [`Framing::max_len`].
#[derive(Debug, Clone)]
pub struct KeyboardDecoder {
    framing: Framing,
    layout: RecordLayout,
    /// Bytes of an incomplete record.
    partial: Vec<u8>,
    /// The current scan's characters (ASCII), empty while `overflow` or `dropping`.
    buf: Vec<u8>,
    length: usize,
    overflow: bool,
    /// An unknown key was reported: drop up to Enter.
    dropping: bool,
    shift: [bool; 2],
    ctrl: [bool; 2],
    caps_lock: bool,
}

impl KeyboardDecoder {
    /// A decoder for records of `layout` ([`RecordLayout::native`] for the device on this host).
    pub fn new(framing: Framing, layout: RecordLayout) -> Self {
        Self {
            framing,
            layout,
            partial: Vec::with_capacity(layout.size()),
            buf: Vec::new(),
            length: 0,
            overflow: false,
            dropping: false,
            shift: [false; 2],
            ctrl: [false; 2],
            caps_lock: false,
        }
    }

    /// Bytes held now: an incomplete record and the unfinished scan's characters.
    pub fn buffered(&self) -> usize {
        self.partial.len() + self.buf.len()
    }

    /// The most [`KeyboardDecoder::buffered`] can be.
    pub fn capacity_limit(&self) -> usize {
        self.layout.size() - 1 + self.framing.max_len
    }

    /// Takes bytes read at `now`; returns the scans (or errors) they completed, in order.
    pub fn feed(&mut self, mut bytes: &[u8], now: Duration) -> Vec<Result<Scan, ScanError>> {
        let size = self.layout.size();
        let mut out = Vec::new();
        if !self.partial.is_empty() {
            let take = (size - self.partial.len()).min(bytes.len());
            self.partial.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.partial.len() < size {
                return out;
            }
            let mut record = [0u8; 24];
            record[..size].copy_from_slice(&self.partial);
            self.partial.clear();
            if let Some(done) = self.record(&record[..size], now) {
                out.push(done);
            }
        }
        let mut records = bytes.chunks_exact(size);
        for record in &mut records {
            if let Some(done) = self.record(record, now) {
                out.push(done);
            }
        }
        self.partial.extend_from_slice(records.remainder());
        out
    }

    /// Drops the unfinished scan, any partial record and the modifier state (after the device
    /// was lost).
    pub fn reset(&mut self) {
        *self = Self::new(self.framing.clone(), self.layout);
    }

    fn record(&mut self, record: &[u8], now: Duration) -> Option<Result<Scan, ScanError>> {
        let event = InputEvent::parse(record, self.layout)?;
        self.event(event, now)
    }

    /// Takes one decoded event.
    pub fn event(&mut self, event: InputEvent, now: Duration) -> Option<Result<Scan, ScanError>> {
        if event.kind != EV_KEY || !matches!(event.value, 0 | 1) {
            return None;
        }
        let down = event.value == 1;
        match event.code {
            KEY_LEFTSHIFT => self.shift[0] = down,
            KEY_RIGHTSHIFT => self.shift[1] = down,
            KEY_LEFTCTRL => self.ctrl[0] = down,
            KEY_RIGHTCTRL => self.ctrl[1] = down,
            KEY_CAPSLOCK if down => self.caps_lock = !self.caps_lock,
            KEY_ENTER | KEY_KPENTER if down => return self.finish(now),
            code if down && !SILENT_KEYS.contains(&code) && code != KEY_CAPSLOCK => {
                return self.key(code);
            }
            _ => {}
        }
        None
    }

    fn key(&mut self, code: u16) -> Option<Result<Scan, ScanError>> {
        if self.dropping {
            return None;
        }
        let shift = self.shift.iter().any(|s| *s);
        let ctrl = self.ctrl.iter().any(|c| *c);
        let Some(c) = keymap::char_for(code, shift, self.caps_lock, ctrl) else {
            self.dropping = true;
            self.buf.clear();
            return Some(Err(ScanError::UnknownKey { code }));
        };
        self.length = self.length.saturating_add(1);
        if self.length > self.framing.max_len {
            self.overflow = true;
            self.buf.clear();
        } else if !self.overflow {
            // Every character of the US layout is ASCII.
            self.buf.push(u8::try_from(u32::from(c)).unwrap_or(b'?'));
        }
        None
    }

    fn finish(&mut self, at: Duration) -> Option<Result<Scan, ScanError>> {
        let length = std::mem::take(&mut self.length);
        let overflow = std::mem::take(&mut self.overflow);
        if std::mem::take(&mut self.dropping) || length == 0 {
            self.buf.clear();
            return None;
        }
        let result = if overflow {
            Err(ScanError::TooLong {
                length,
                max: self.framing.max_len,
            })
        } else {
            self.framing.unwrap(&self.buf, at)
        };
        self.buf.clear();
        Some(result)
    }
}
