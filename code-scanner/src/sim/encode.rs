//! The scanner's side, sans-io: the bytes a scanner sends for one scan, in either mode.

use std::time::Duration;

use crate::framing::Framing;
use crate::keyboard::event::{
    EV_KEY, EV_MSC, EV_SYN, InputEvent, MSC_SCAN, RecordLayout, SYN_REPORT,
};
use crate::keyboard::keymap::{
    self, KEY_ENTER, KEY_LEFTCTRL, KEY_LEFTSHIFT, USAGE_ENTER, USAGE_LEFTCTRL, USAGE_LEFTSHIFT,
};
use crate::serial::Terminator;
use crate::symbology::AimId;

/// Why the simulated scanner cannot send a text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// A US keyboard cannot type this character.
    #[error("{ch:?} cannot be typed on a US keyboard (keyboard-wedge scanners send ASCII)")]
    Untypeable {
        /// The character.
        ch: char,
    },
    /// GBK has no code for this character.
    #[error("{ch:?} has no GBK code")]
    NotGbk {
        /// The character.
        ch: char,
    },
    /// The text holds the terminator, so a decoder would see two scans.
    #[error("the text contains the terminator {terminator:?}")]
    ContainsTerminator {
        /// The configured terminator.
        terminator: Terminator,
    },
}

/// How the simulated serial scanner encodes text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SimEncoding {
    /// UTF-8.
    #[default]
    Utf8,
    /// GBK (the default of scanners sold in China).
    Gbk,
}

/// The bytes of one scan of `text` in serial mode: framing, text, terminator. `aim` is sent
/// when `framing.aim_id` is set.
pub fn serial_scan(
    text: &str,
    framing: &Framing,
    terminator: Terminator,
    encoding: SimEncoding,
    aim: Option<AimId>,
) -> Result<Vec<u8>, EncodeError> {
    let bytes = match encoding {
        SimEncoding::Utf8 => text.as_bytes().to_vec(),
        SimEncoding::Gbk => {
            let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
            if unmappable {
                let ch = text
                    .chars()
                    .find(|c| encoding_rs::GBK.encode(&c.to_string()).2)
                    .unwrap_or(char::REPLACEMENT_CHARACTER);
                return Err(EncodeError::NotGbk { ch });
            }
            bytes.into_owned()
        }
    };
    let terminator_bytes = terminator.bytes();
    let clashes = match terminator {
        Terminator::Cr | Terminator::Lf => bytes.iter().any(|b| matches!(b, b'\r' | b'\n')),
        Terminator::CrLf => bytes.windows(2).any(|w| w == b"\r\n") || bytes.ends_with(b"\r"),
        Terminator::None => false,
    };
    if clashes {
        return Err(EncodeError::ContainsTerminator { terminator });
    }
    let mut out = framing.wrap(&bytes, aim);
    out.extend_from_slice(terminator_bytes);
    Ok(out)
}

/// The `input_event` records of one scan of `text` typed on a US keyboard and ended by Enter,
/// as Linux delivers a HID keyboard: per key a press report and a release report, each an
/// `MSC_SCAN` with the HID usage, the `EV_KEY` and a `SYN_REPORT`; Shift (or Ctrl) in the same
/// reports. Reports are `interval` apart from `start`.
pub fn keyboard_scan(
    text: &str,
    framing: &Framing,
    aim: Option<AimId>,
    layout: RecordLayout,
    start: Duration,
    interval: Duration,
) -> Result<Vec<u8>, EncodeError> {
    let wrapped = framing.wrap(text.as_bytes(), aim);
    let wrapped = String::from_utf8_lossy(&wrapped).into_owned();
    let strokes = wrapped
        .chars()
        .map(|ch| keymap::keystroke(ch).ok_or(EncodeError::Untypeable { ch }))
        .collect::<Result<Vec<_>, _>>()?;
    let mut typist = Typist {
        out: Vec::with_capacity((strokes.len() + 1) * 8 * layout.size()),
        layout,
        time: start,
        interval,
    };
    for stroke in strokes {
        let modifier = if stroke.shift {
            Some((KEY_LEFTSHIFT, USAGE_LEFTSHIFT))
        } else if stroke.ctrl {
            Some((KEY_LEFTCTRL, USAGE_LEFTCTRL))
        } else {
            None
        };
        typist.stroke(stroke.key.code, stroke.key.usage, modifier);
    }
    typist.stroke(KEY_ENTER, USAGE_ENTER, None);
    Ok(typist.out)
}

/// Writes key reports.
struct Typist {
    out: Vec<u8>,
    layout: RecordLayout,
    time: Duration,
    interval: Duration,
}

impl Typist {
    fn stroke(&mut self, code: u16, usage: u8, modifier: Option<(u16, u8)>) {
        if let Some((m, u)) = modifier {
            self.key(m, u, 1);
        }
        self.key(code, usage, 1);
        self.report();
        self.key(code, usage, 0);
        if let Some((m, u)) = modifier {
            self.key(m, u, 0);
        }
        self.report();
    }

    fn key(&mut self, code: u16, usage: u8, value: i32) {
        self.push(EV_MSC, MSC_SCAN, 0x0007_0000 | i32::from(usage));
        self.push(EV_KEY, code, value);
    }

    fn report(&mut self) {
        self.push(EV_SYN, SYN_REPORT, 0);
        self.time = self.time.saturating_add(self.interval);
    }

    fn push(&mut self, kind: u16, code: u16, value: i32) {
        InputEvent {
            time: self.time,
            kind,
            code,
            value,
        }
        .write(self.layout, &mut self.out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::symbology::Symbology;

    #[test]
    fn serial_bytes_are_framing_text_and_terminator() {
        let framing = Framing {
            prefix: "<".into(),
            suffix: ">".into(),
            aim_id: true,
            ..Framing::default()
        };
        let aim = Some(AimId::usual(Symbology::Qr));
        let bytes = serial_scan("黔江", &framing, Terminator::CrLf, SimEncoding::Gbk, aim).unwrap();
        assert_eq!(bytes, b"<]Q1\xc7\xad\xbd\xad>\r\n");
        let bytes = serial_scan(
            "ab",
            &Framing::default(),
            Terminator::Cr,
            SimEncoding::Utf8,
            aim,
        );
        assert_eq!(bytes.unwrap(), b"ab\r");
    }

    #[test]
    fn serial_refuses_what_it_cannot_send() {
        let f = Framing::default();
        assert_eq!(
            serial_scan("a\rb", &f, Terminator::Cr, SimEncoding::Utf8, None),
            Err(EncodeError::ContainsTerminator {
                terminator: Terminator::Cr
            })
        );
        assert!(serial_scan("a\rb", &f, Terminator::CrLf, SimEncoding::Utf8, None).is_ok());
        assert_eq!(
            serial_scan("a😀", &f, Terminator::Cr, SimEncoding::Gbk, None),
            Err(EncodeError::NotGbk { ch: '😀' })
        );
    }

    #[test]
    fn a_shifted_key_is_two_reports_of_msc_key_and_syn() {
        let bytes = keyboard_scan(
            "A",
            &Framing::default(),
            None,
            RecordLayout::Bits64,
            Duration::from_secs(1),
            Duration::from_millis(1),
        )
        .unwrap();
        let events: Vec<_> = bytes
            .chunks(24)
            .map(|r| {
                let e = InputEvent::parse(r, RecordLayout::Bits64).unwrap();
                (e.kind, e.code, e.value)
            })
            .collect();
        assert_eq!(
            events,
            [
                (EV_MSC, MSC_SCAN, 0x700e1),
                (EV_KEY, 42, 1),
                (EV_MSC, MSC_SCAN, 0x70004),
                (EV_KEY, 30, 1),
                (EV_SYN, SYN_REPORT, 0),
                (EV_MSC, MSC_SCAN, 0x70004),
                (EV_KEY, 30, 0),
                (EV_MSC, MSC_SCAN, 0x700e1),
                (EV_KEY, 42, 0),
                (EV_SYN, SYN_REPORT, 0),
                (EV_MSC, MSC_SCAN, 0x70028),
                (EV_KEY, 28, 1),
                (EV_SYN, SYN_REPORT, 0),
                (EV_MSC, MSC_SCAN, 0x70028),
                (EV_KEY, 28, 0),
                (EV_SYN, SYN_REPORT, 0),
            ]
        );
        let last = InputEvent::parse(&bytes[bytes.len() - 24..], RecordLayout::Bits64).unwrap();
        assert_eq!(last.time, Duration::from_millis(1003));
    }

    #[test]
    fn keyboard_refuses_chinese() {
        let err = keyboard_scan(
            "黔江",
            &Framing::default(),
            None,
            RecordLayout::Bits64,
            Duration::ZERO,
            Duration::ZERO,
        );
        assert_eq!(err, Err(EncodeError::Untypeable { ch: '黔' }));
    }
}
