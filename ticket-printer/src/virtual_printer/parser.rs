//! An incremental ESC/POS parser: bytes in (in any chunks), commands out. Never panics;
//! unknown commands become [`Command::Unknown`] and parsing goes on.

/// Longest data block kept in memory (raster images, QR data); longer blocks are skipped.
const MAX_BLOCK: usize = 4 * 1024 * 1024;

/// A parsed command or run of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Printable bytes (ASCII, or GBK pairs in Chinese mode).
    Text(Vec<u8>),
    /// `LF`: print and feed one line.
    LineFeed,
    /// `CR`: ignored by most printers in serial mode.
    CarriageReturn,
    /// `HT`: horizontal tab.
    Tab,
    /// `FF`: print and return to standard mode / eject.
    FormFeed,
    /// `ESC @`.
    Init,
    /// `FS &` (true) / `FS .` (false).
    ChineseMode(bool),
    /// `ESC ! n`.
    PrintMode(u8),
    /// `FS ! n`.
    ChinesePrintMode(u8),
    /// `FS W n`: Chinese quadruple size.
    ChineseQuadruple(bool),
    /// `ESC E n`.
    Bold(bool),
    /// `ESC -` / `FS -` n.
    Underline(u8),
    /// `ESC a n`: 0 left, 1 centre, 2 right.
    Align(u8),
    /// `GS ! n`: width and height multipliers (1..=8).
    Size {
        /// Width multiplier.
        width: u8,
        /// Height multiplier.
        height: u8,
    },
    /// `ESC d n`: print and feed n lines.
    FeedLines(u8),
    /// `ESC J n`: print and feed n dots.
    FeedDots(u8),
    /// `ESC 2` (None) / `ESC 3 n`: line spacing.
    LineSpacing(Option<u8>),
    /// `ESC t n`: code page.
    CodePage(u8),
    /// `GS V`: cut.
    Cut {
        /// Partial (one point left) rather than full.
        partial: bool,
        /// Dots fed before cutting (function B).
        feed: u8,
    },
    /// `DLE EOT n`: real-time status request.
    StatusRequest(u8),
    /// `GS a n`: Automatic Status Back.
    Asb(u8),
    /// `GS r n`: transmit status.
    TransmitStatus(u8),
    /// `GS v 0`: raster bit image.
    Raster {
        /// Density mode (0..=3).
        mode: u8,
        /// Bytes per row.
        row_bytes: u16,
        /// Rows.
        height: u16,
        /// Image data (may be shorter than declared if the block was too large to keep).
        data: Vec<u8>,
    },
    /// `GS ( k` QR function 165: model (49 model 1, 50 model 2, 51 micro).
    QrModel(u8),
    /// `GS ( k` QR function 167: module size.
    QrModule(u8),
    /// `GS ( k` QR function 169: error correction.
    QrEcLevel(u8),
    /// `GS ( k` QR function 180: store data.
    QrStore(Vec<u8>),
    /// `GS ( k` QR function 181: print stored symbol.
    QrPrint,
    /// `GS k`: barcode (system, data).
    Barcode(u8, Vec<u8>),
    /// A command we recognise but do not act on (drawer kick, barcode settings, other 2D
    /// codes …), with its name.
    Ignored(&'static str, Vec<u8>),
    /// Bytes that start an unknown command; skipped.
    Unknown(Vec<u8>),
}

const ESC: u8 = 0x1B;
const GS: u8 = 0x1D;
const FS: u8 = 0x1C;
const DLE: u8 = 0x10;

/// What one parse attempt found.
enum Step {
    /// Need more bytes.
    Incomplete,
    /// A command of `len` bytes.
    Done(Command, usize),
    /// A header of `len` bytes followed by `skip` bytes of data to discard (too large).
    Skip(Command, usize, usize),
}

/// Incremental parser state.
#[derive(Debug, Default, Clone)]
pub struct Parser {
    buf: Vec<u8>,
    skip: usize,
}

impl Parser {
    /// A parser at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds bytes; returns every complete command. Partial commands wait for more bytes.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Command> {
        let mut bytes = bytes;
        if self.skip > 0 {
            let n = self.skip.min(bytes.len());
            self.skip -= n;
            bytes = &bytes[n..];
        }
        self.buf.extend_from_slice(bytes);
        let mut out = Vec::new();
        let mut pos = 0;
        while pos < self.buf.len() {
            match parse_one(&self.buf[pos..]) {
                Step::Incomplete => break,
                Step::Done(cmd, len) => {
                    out.push(cmd);
                    pos += len;
                }
                Step::Skip(cmd, header, skip) => {
                    out.push(cmd);
                    pos += header;
                    let available = self.buf.len() - pos;
                    let n = skip.min(available);
                    pos += n;
                    self.skip = skip - n;
                }
            }
        }
        self.buf.drain(..pos);
        out
    }

    /// Ends the stream: whatever is pending is returned as an unknown command.
    pub fn finish(&mut self) -> Option<Command> {
        self.skip = 0;
        (!self.buf.is_empty()).then(|| Command::Unknown(std::mem::take(&mut self.buf)))
    }

    /// Parses a complete byte stream into commands with their byte ranges (for disassembly).
    pub fn parse_spans(bytes: &[u8]) -> Vec<(std::ops::Range<usize>, Command)> {
        let mut out = Vec::new();
        let mut pos = 0;
        while pos < bytes.len() {
            match parse_one(&bytes[pos..]) {
                Step::Incomplete => {
                    out.push((pos..bytes.len(), Command::Unknown(bytes[pos..].to_vec())));
                    break;
                }
                Step::Done(cmd, len) => {
                    out.push((pos..pos + len, cmd));
                    pos += len;
                }
                Step::Skip(cmd, header, skip) => {
                    let end = (pos + header + skip).min(bytes.len());
                    out.push((pos..end, cmd));
                    pos = end;
                }
            }
        }
        out
    }

    /// Parses a complete byte stream.
    pub fn parse_all(bytes: &[u8]) -> Vec<Command> {
        let mut p = Self::new();
        let mut cmds = p.push(bytes);
        cmds.extend(p.finish());
        cmds
    }
}

fn at(buf: &[u8], i: usize) -> Option<u8> {
    buf.get(i).copied()
}

/// A fixed-length command: done if `len` bytes are there.
fn fixed(buf: &[u8], len: usize, make: impl FnOnce(&[u8]) -> Command) -> Step {
    if buf.len() < len {
        Step::Incomplete
    } else {
        Step::Done(make(&buf[..len]), len)
    }
}

fn ignored(name: &'static str) -> impl FnOnce(&[u8]) -> Command {
    move |b| Command::Ignored(name, b.to_vec())
}

fn parse_one(buf: &[u8]) -> Step {
    let Some(first) = at(buf, 0) else {
        return Step::Incomplete;
    };
    match first {
        0x0A => Step::Done(Command::LineFeed, 1),
        0x0D => Step::Done(Command::CarriageReturn, 1),
        0x09 => Step::Done(Command::Tab, 1),
        0x0C => Step::Done(Command::FormFeed, 1),
        ESC => parse_esc(buf),
        GS => parse_gs(buf),
        FS => parse_fs(buf),
        DLE => parse_dle(buf),
        0x00..=0x1F | 0x7F => Step::Done(Command::Ignored("control byte", vec![first]), 1),
        _ => {
            let len = buf
                .iter()
                .position(|&b| b < 0x20 || b == 0x7F)
                .unwrap_or(buf.len());
            Step::Done(Command::Text(buf[..len].to_vec()), len)
        }
    }
}

fn parse_esc(buf: &[u8]) -> Step {
    let Some(c) = at(buf, 1) else {
        return Step::Incomplete;
    };
    match c {
        b'@' => Step::Done(Command::Init, 2),
        b'!' => fixed(buf, 3, |b| Command::PrintMode(b[2])),
        b'E' => fixed(buf, 3, |b| Command::Bold(b[2] & 1 == 1)),
        b'-' => fixed(buf, 3, |b| Command::Underline(b[2] & 0x03)),
        b'a' => fixed(buf, 3, |b| Command::Align(b[2] % 48)),
        b'd' => fixed(buf, 3, |b| Command::FeedLines(b[2])),
        b'J' => fixed(buf, 3, |b| Command::FeedDots(b[2])),
        b'2' => Step::Done(Command::LineSpacing(None), 2),
        b'3' => fixed(buf, 3, |b| Command::LineSpacing(Some(b[2]))),
        b't' => fixed(buf, 3, |b| Command::CodePage(b[2])),
        b'<' => Step::Done(
            Command::Ignored("ESC < (return home)", buf[..2].to_vec()),
            2,
        ),
        b'G' | b'M' | b'R' | b'V' | b'{' | b'r' | b' ' | b'=' | b'U' | b'T' | b'?' | b'%' => {
            fixed(buf, 3, ignored("ESC setting"))
        }
        b'L' | b'S' => Step::Done(Command::Ignored("ESC mode", buf[..2].to_vec()), 2),
        b'$' | b'\\' => fixed(buf, 4, ignored("ESC position")),
        b'p' => fixed(buf, 5, ignored("ESC p (drawer kick)")),
        b'c' => fixed(buf, 4, ignored("ESC c (panel/sensor setting)")),
        b'*' => {
            // ESC * m nL nH d1..dk: k = n × (1 for m ∈ {0,1}, 3 for m ∈ {32,33}).
            if buf.len() < 5 {
                return Step::Incomplete;
            }
            let n = usize::from(buf[3]) + 256 * usize::from(buf[4]);
            let k = if buf[2] >= 32 { n * 3 } else { n };
            block(buf, 5, k, |b| {
                Command::Ignored("ESC * (bit image)", b.to_vec())
            })
        }
        b'&' => {
            // ESC & y c1 c2 [x d1..d(y*x)]...: user-defined characters.
            if buf.len() < 5 {
                return Step::Incomplete;
            }
            let (y, c1, c2) = (usize::from(buf[2]), buf[3], buf[4]);
            let mut pos = 5;
            for _ in c1..=c2.max(c1) {
                let Some(x) = at(buf, pos) else {
                    return Step::Incomplete;
                };
                pos += 1 + y * usize::from(x);
            }
            if buf.len() < pos {
                Step::Incomplete
            } else {
                Step::Done(
                    Command::Ignored("ESC & (user-defined characters)", buf[..pos].to_vec()),
                    pos,
                )
            }
        }
        _ => Step::Done(Command::Unknown(buf[..2].to_vec()), 2),
    }
}

/// A command with a `header`-byte head and `len` data bytes.
fn block(buf: &[u8], header: usize, len: usize, make: impl FnOnce(&[u8]) -> Command) -> Step {
    if len > MAX_BLOCK {
        return Step::Skip(Command::Unknown(buf[..header].to_vec()), header, len);
    }
    let total = header + len;
    if buf.len() < total {
        Step::Incomplete
    } else {
        Step::Done(make(&buf[..total]), total)
    }
}

fn parse_gs(buf: &[u8]) -> Step {
    let Some(c) = at(buf, 1) else {
        return Step::Incomplete;
    };
    match c {
        b'!' => fixed(buf, 3, |b| Command::Size {
            width: (b[2] >> 4 & 0x07) + 1,
            height: (b[2] & 0x07) + 1,
        }),
        b'V' => {
            let Some(m) = at(buf, 2) else {
                return Step::Incomplete;
            };
            match m {
                0 | 48 => Step::Done(
                    Command::Cut {
                        partial: false,
                        feed: 0,
                    },
                    3,
                ),
                1 | 49 => Step::Done(
                    Command::Cut {
                        partial: true,
                        feed: 0,
                    },
                    3,
                ),
                65 | 97 | 103 => fixed(buf, 4, |b| Command::Cut {
                    partial: false,
                    feed: b[3],
                }),
                66 | 98 | 104 => fixed(buf, 4, |b| Command::Cut {
                    partial: true,
                    feed: b[3],
                }),
                _ => Step::Done(Command::Unknown(buf[..3].to_vec()), 3),
            }
        }
        b'a' => fixed(buf, 3, |b| Command::Asb(b[2])),
        b'r' => fixed(buf, 3, |b| Command::TransmitStatus(b[2])),
        b'v' => {
            // GS v 0 m xL xH yL yH d1..dk
            if buf.len() < 8 {
                return Step::Incomplete;
            }
            if buf[2] != b'0' {
                return Step::Done(Command::Unknown(buf[..3].to_vec()), 3);
            }
            let row_bytes = u16::from_le_bytes([buf[4], buf[5]]);
            let height = u16::from_le_bytes([buf[6], buf[7]]);
            let k = usize::from(row_bytes) * usize::from(height);
            let mode = buf[3] % 48;
            block(buf, 8, k, |b| Command::Raster {
                mode,
                row_bytes,
                height,
                data: b[8..].to_vec(),
            })
        }
        b'(' => {
            // GS ( fn pL pH data
            if buf.len() < 5 {
                return Step::Incomplete;
            }
            let f = buf[2];
            let len = usize::from(buf[3]) + 256 * usize::from(buf[4]);
            block(buf, 5, len, |b| gs_paren(f, b))
        }
        b'k' => {
            let Some(m) = at(buf, 2) else {
                return Step::Incomplete;
            };
            if m <= 6 {
                // Function A: NUL-terminated.
                match buf[3..].iter().position(|&b| b == 0) {
                    Some(i) => Step::Done(Command::Barcode(m, buf[3..3 + i].to_vec()), 3 + i + 1),
                    None if buf.len() > 3 + 255 => {
                        Step::Done(Command::Unknown(buf[..3].to_vec()), 3)
                    }
                    None => Step::Incomplete,
                }
            } else {
                let Some(n) = at(buf, 3) else {
                    return Step::Incomplete;
                };
                block(buf, 4, usize::from(n), |b| {
                    Command::Barcode(m, b[4..].to_vec())
                })
            }
        }
        b'h' | b'w' | b'H' | b'f' | b'B' | b'b' | b'I' | b'E' | b'/' | b'^' => {
            fixed(buf, 3, ignored("GS setting"))
        }
        b'L' | b'W' | b'P' | b'$' | b'\\' => fixed(buf, 4, ignored("GS setting")),
        b'*' => {
            if buf.len() < 4 {
                return Step::Incomplete;
            }
            let k = usize::from(buf[2]) * usize::from(buf[3]) * 8;
            block(buf, 4, k, |b| {
                Command::Ignored("GS * (downloaded bit image)", b.to_vec())
            })
        }
        b'8' => {
            // GS 8 L p1 p2 p3 p4 m fn ...: 4-byte length.
            if buf.len() < 7 {
                return Step::Incomplete;
            }
            let len = u32::from_le_bytes([buf[3], buf[4], buf[5], buf[6]]) as usize;
            block(buf, 7, len, |b| {
                Command::Ignored("GS 8 L (graphics)", b.to_vec())
            })
        }
        _ => Step::Done(Command::Unknown(buf[..2].to_vec()), 2),
    }
}

fn gs_paren(f: u8, b: &[u8]) -> Command {
    let data = &b[5..];
    if f == b'k' && data.len() >= 2 && data[0] == 49 {
        match (data[1], data.get(2).copied()) {
            (65, Some(n)) => return Command::QrModel(n),
            (67, Some(n)) => return Command::QrModule(n),
            (69, Some(n)) => return Command::QrEcLevel(n),
            (80, Some(_)) => return Command::QrStore(data[3..].to_vec()),
            (81, _) => return Command::QrPrint,
            _ => {}
        }
    }
    let name = match f {
        b'k' => "GS ( k (2D code)",
        b'L' => "GS ( L (graphics)",
        b'A' => "GS ( A (test print)",
        _ => "GS ( (extended command)",
    };
    Command::Ignored(name, b.to_vec())
}

fn parse_fs(buf: &[u8]) -> Step {
    let Some(c) = at(buf, 1) else {
        return Step::Incomplete;
    };
    match c {
        b'&' => Step::Done(Command::ChineseMode(true), 2),
        b'.' => Step::Done(Command::ChineseMode(false), 2),
        b'!' => fixed(buf, 3, |b| Command::ChinesePrintMode(b[2])),
        b'W' => fixed(buf, 3, |b| Command::ChineseQuadruple(b[2] & 1 == 1)),
        b'-' => fixed(buf, 3, |b| Command::Underline(b[2] & 0x03)),
        b'C' => fixed(buf, 3, ignored("FS C (code system)")),
        b'S' => fixed(buf, 4, ignored("FS S (Chinese spacing)")),
        b'p' => fixed(buf, 4, ignored("FS p (print NV logo)")),
        b'2' => fixed(buf, 76, ignored("FS 2 (user-defined Chinese character)")),
        _ => Step::Done(Command::Unknown(buf[..2].to_vec()), 2),
    }
}

fn parse_dle(buf: &[u8]) -> Step {
    let Some(c) = at(buf, 1) else {
        return Step::Incomplete;
    };
    match c {
        0x04 => {
            let Some(n) = at(buf, 2) else {
                return Step::Incomplete;
            };
            match n {
                // n = 7, 8, 18 take a second parameter.
                7 | 8 | 18 => fixed(buf, 4, |b| Command::StatusRequest(b[2])),
                _ => Step::Done(Command::StatusRequest(n), 3),
            }
        }
        0x05 => fixed(buf, 3, ignored("DLE ENQ (real-time request)")),
        0x14 => fixed(buf, 5, ignored("DLE DC4 (real-time command)")),
        _ => Step::Done(Command::Unknown(buf[..2].to_vec()), 2),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_commands_are_reassembled() {
        let bytes = [
            0x1B, 0x40, 0x1D, 0x21, 0x11, b'A', 0x0A, 0x10, 0x04, 0x01, 0x1D, 0x56, 0x42, 0x00,
        ];
        let whole = Parser::parse_all(&bytes);
        for split in 0..bytes.len() {
            let mut p = Parser::new();
            let mut cmds = p.push(&bytes[..split]);
            cmds.extend(p.push(&bytes[split..]));
            // Text may be split in two runs; compare after merging text.
            assert_eq!(
                merge_text(cmds),
                merge_text(whole.clone()),
                "split at {split}"
            );
        }
        assert_eq!(
            whole,
            [
                Command::Init,
                Command::Size {
                    width: 2,
                    height: 2
                },
                Command::Text(b"A".to_vec()),
                Command::LineFeed,
                Command::StatusRequest(1),
                Command::Cut {
                    partial: true,
                    feed: 0
                },
            ]
        );
    }

    fn merge_text(cmds: Vec<Command>) -> Vec<Command> {
        let mut out: Vec<Command> = Vec::new();
        for c in cmds {
            if let (Some(Command::Text(prev)), Command::Text(t)) = (out.last_mut(), &c) {
                prev.extend_from_slice(t);
                continue;
            }
            out.push(c);
        }
        out
    }

    #[test]
    fn huge_raster_is_skipped_without_allocating() {
        let mut p = Parser::new();
        let cmds = p.push(&[0x1D, 0x76, 0x30, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3]);
        assert!(matches!(cmds[0], Command::Unknown(_)));
        assert_eq!(p.skip, 65535 * 65535 - 3);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(chunks in proptest::collection::vec(proptest::collection::vec(proptest::num::u8::ANY, 0..64), 0..16)) {
            let mut p = Parser::new();
            for c in &chunks {
                let _ = p.push(c);
            }
            let _ = p.finish();
        }
    }
}
