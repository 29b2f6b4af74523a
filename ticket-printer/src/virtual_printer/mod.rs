//! The virtual printer: an ESC/POS interpreter that consumes any byte stream (ours, another
//! library's, a POS system's), answers status queries from a configurable state, and renders
//! what a real printer would print, to a bitmap/PNG at the profile's dot width, and to text,
//! line by line.
//!
//! It is sans-io: [`VirtualPrinter::feed`] takes bytes and returns the bytes the printer
//! sends back. [`link`] connects it to a [`crate::transport::Transport`] in-process and
//! serves it over a serial port or pseudo-terminal.

pub mod link;
pub mod parser;
mod text_decode;

pub use parser::{Command, Parser};
pub use text_decode::TextDecoder;

use crate::bitmap::Bitmap;
use crate::font::{CELL_HEIGHT, CellStyle, Font};
use crate::profile::Profile;
use crate::qr::{QrEcLevel, qr_bitmap};

/// Default line pitch in dots (24-dot characters plus 6 dots of spacing).
const DEFAULT_LINE_SPACING: usize = 30;
/// A page longer than this is split into a new ticket (guards memory on hostile input).
const MAX_PAGE_DOTS: usize = 60_000;

/// The simulated condition of the printer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct VirtualState {
    /// No paper: prints nothing, reports paper end.
    pub paper_out: bool,
    /// Paper near end (reported only if the profile has a near-end sensor).
    pub near_end: bool,
    /// Cover open: prints nothing, reports offline.
    pub cover_open: bool,
    /// Autocutter jammed: reports an error, prints nothing.
    pub cutter_error: bool,
}

impl VirtualState {
    /// Whether the printer prints what it receives.
    pub fn ready(&self) -> bool {
        !self.paper_out && !self.cover_open && !self.cutter_error
    }
}

/// One printed ticket: the paper from the previous cut to this one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintedTicket {
    /// The printed text, one printed line per entry (images and QR codes as `[…]` notes).
    pub lines: Vec<String>,
    /// The printed dots, profile width, with a dashed cut mark at the bottom if cut.
    pub image: Bitmap,
    /// How the ticket was cut off: `Some(true)` partial, `Some(false)` full, `None` not cut.
    pub cut: Option<bool>,
}

impl PrintedTicket {
    /// The printed text, lines joined by `\n`.
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    /// The image as PNG.
    pub fn png(&self) -> Vec<u8> {
        self.image.to_png()
    }
}

#[derive(Debug, Clone, Copy)]
struct Glyph {
    c: char,
    style: CellStyle,
}

#[derive(Debug, Clone)]
struct QrState {
    model: u8,
    module: u8,
    ec: QrEcLevel,
    data: Vec<u8>,
}

impl Default for QrState {
    fn default() -> Self {
        Self {
            model: 50,
            module: 3,
            ec: QrEcLevel::L,
            data: Vec::new(),
        }
    }
}

/// The ESC/POS interpreter and renderer.
#[derive(Debug)]
pub struct VirtualPrinter {
    profile: Profile,
    state: VirtualState,
    parser: Parser,
    decoder: TextDecoder,
    size: (u8, u8),
    bold: bool,
    underline: bool,
    align: u8,
    line_spacing: usize,
    asb: u8,
    qr: QrState,
    line: Vec<Glyph>,
    line_text: String,
    page: Bitmap,
    y: usize,
    lines: Vec<String>,
    tickets: Vec<PrintedTicket>,
    replies: Vec<u8>,
}

impl VirtualPrinter {
    /// A printer of the given profile, ready, with paper.
    pub fn new(profile: Profile) -> Self {
        let dots = usize::from(profile.dots());
        let chinese = profile.chinese_mode;
        Self {
            profile,
            state: VirtualState::default(),
            parser: Parser::new(),
            decoder: TextDecoder::new(chinese),
            size: (1, 1),
            bold: false,
            underline: false,
            align: 0,
            line_spacing: DEFAULT_LINE_SPACING,
            asb: 0,
            qr: QrState::default(),
            line: Vec::new(),
            line_text: String::new(),
            page: Bitmap::new(dots, 0),
            y: 0,
            lines: Vec::new(),
            tickets: Vec::new(),
            replies: Vec::new(),
        }
    }

    /// The profile.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// The simulated condition.
    pub fn state(&self) -> VirtualState {
        self.state
    }

    /// Changes the simulated condition; with ASB enabled the printer reports the change.
    pub fn set_state(&mut self, state: VirtualState) {
        let changed = state != self.state;
        self.state = state;
        if changed && self.asb != 0 {
            self.push_asb();
        }
    }

    /// Consumes bytes from the host; returns the bytes the printer sends back.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<u8> {
        for cmd in self.parser.push(bytes) {
            self.execute(cmd);
        }
        std::mem::take(&mut self.replies)
    }

    /// Tickets completed by a cut since the last call.
    pub fn take_tickets(&mut self) -> Vec<PrintedTicket> {
        std::mem::take(&mut self.tickets)
    }

    /// Ends the stream: prints what is buffered and returns every ticket, including paper
    /// printed after the last cut (with `cut: None`).
    pub fn finish(&mut self) -> Vec<PrintedTicket> {
        if let Some(cmd) = self.parser.finish() {
            self.execute(cmd);
        }
        self.flush_page();
        self.take_tickets()
    }

    /// Ends the current page as a ticket (without a cut) if anything was printed on it.
    /// Used at `ESC @` and by [`link::serve`] when the host goes quiet, so that printers
    /// without a cutter still separate tickets.
    pub fn flush_page(&mut self) {
        self.flush_line();
        if self.y > 0 || !self.lines.is_empty() {
            self.end_ticket(None);
        }
    }

    fn status_byte(&self, n: u8) -> u8 {
        let s = self.state;
        let mut b = 0x12;
        match n {
            1 if !s.ready() => b |= 0x08,
            2 => {
                if s.cover_open {
                    b |= 0x04;
                }
                if s.paper_out {
                    b |= 0x20;
                }
                if s.cutter_error {
                    b |= 0x40;
                }
            }
            3 if s.cutter_error => b |= 0x08,
            4 => {
                if s.near_end && self.profile.near_end_sensor {
                    b |= 0x0C;
                }
                if s.paper_out {
                    b |= 0x60;
                }
            }
            _ => {}
        }
        b
    }

    fn push_asb(&mut self) {
        let s = self.state;
        let mut b1 = 0x10;
        if !s.ready() {
            b1 |= 0x08;
        }
        if s.cover_open {
            b1 |= 0x20;
        }
        let b2 = if s.cutter_error { 0x08 } else { 0x00 };
        let mut b3 = 0x00;
        if s.near_end && self.profile.near_end_sensor {
            b3 |= 0x03;
        }
        if s.paper_out {
            b3 |= 0x0C;
        }
        self.replies.extend_from_slice(&[b1, b2, b3, 0x00]);
    }

    fn execute(&mut self, cmd: Command) {
        let printing = self.state.ready();
        match cmd {
            Command::Text(bytes) => {
                let text = self.decoder.decode(&bytes);
                if printing {
                    for c in text.chars() {
                        self.put_char(c);
                    }
                }
            }
            Command::LineFeed => self.newline(printing),
            Command::FeedLines(n) => {
                self.newline(printing);
                for _ in 1..n {
                    self.advance(self.line_spacing, printing);
                }
            }
            Command::FeedDots(n) => {
                self.flush_line();
                self.advance(usize::from(n), printing);
            }
            Command::FormFeed => self.flush_line(),
            Command::CarriageReturn => {}
            Command::Tab => {
                if printing {
                    let col = self
                        .line
                        .iter()
                        .map(|g| Font::cell_width(g.c, g.style.width))
                        .sum::<usize>()
                        / usize::from(crate::font::HALF_WIDTH);
                    for _ in 0..(8 - col % 8) {
                        self.put_char(' ');
                    }
                }
            }
            Command::Init => {
                // A new document: paper printed so far (without a cut) is one ticket.
                self.flush_page();
                self.size = (1, 1);
                self.bold = false;
                self.underline = false;
                self.align = 0;
                self.line_spacing = DEFAULT_LINE_SPACING;
                self.decoder = TextDecoder::new(self.profile.chinese_mode);
                self.qr = QrState::default();
            }
            Command::ChineseMode(on) => self.decoder.set_chinese(on),
            Command::PrintMode(n) => {
                self.bold = n & 0x08 != 0;
                self.underline = n & 0x80 != 0;
                self.size = (
                    if n & 0x20 != 0 { 2 } else { 1 },
                    if n & 0x10 != 0 { 2 } else { 1 },
                );
            }
            Command::ChinesePrintMode(n) => {
                self.underline = n & 0x80 != 0;
                self.size = (
                    if n & 0x04 != 0 { 2 } else { 1 },
                    if n & 0x08 != 0 { 2 } else { 1 },
                );
            }
            Command::ChineseQuadruple(on) => self.size = if on { (2, 2) } else { (1, 1) },
            Command::Bold(on) => self.bold = on,
            Command::Underline(n) => self.underline = n != 0,
            Command::Align(n) => self.align = n.min(2),
            Command::Size { width, height } => self.size = (width, height),
            Command::LineSpacing(n) => {
                self.line_spacing = n.map_or(DEFAULT_LINE_SPACING, usize::from)
            }
            Command::Cut { partial, feed } => {
                self.flush_line();
                self.advance(usize::from(feed), printing);
                if printing && self.profile.cut != crate::profile::CutMode::None {
                    self.end_ticket(Some(partial));
                } else if printing {
                    // No cutter: the command is ignored and the paper stays in one piece.
                }
            }
            Command::StatusRequest(n) => {
                let b = self.status_byte(n);
                self.replies.push(b);
            }
            Command::Asb(n) => {
                self.asb = n;
                if n != 0 {
                    self.push_asb();
                }
            }
            Command::TransmitStatus(n) => {
                let b = match n {
                    1 | 49 => {
                        let mut b = 0;
                        if self.state.near_end && self.profile.near_end_sensor {
                            b |= 0x03;
                        }
                        if self.state.paper_out {
                            b |= 0x0C;
                        }
                        b
                    }
                    _ => 0,
                };
                self.replies.push(b);
            }
            Command::Raster {
                row_bytes,
                height,
                data,
                mode,
            } => {
                let mut image =
                    Bitmap::from_raster_bytes(usize::from(row_bytes), usize::from(height), &data);
                let (sx, sy) = match mode {
                    1 => (2, 1),
                    2 => (1, 2),
                    3 => (2, 2),
                    _ => (1, 1),
                };
                if (sx, sy) != (1, 1) {
                    image = image.scaled(sx, sy);
                }
                if printing {
                    self.flush_line();
                    self.lines
                        .push(format!("[图像 image {}x{}]", image.width(), image.height()));
                    self.place_image(&image);
                }
            }
            Command::QrModel(n) => self.qr.model = n,
            Command::QrModule(n) => self.qr.module = n.clamp(1, 16),
            Command::QrEcLevel(n) => {
                self.qr.ec = QrEcLevel::from_escpos_byte(n).unwrap_or(QrEcLevel::L)
            }
            Command::QrStore(data) => self.qr.data = data,
            Command::QrPrint => {
                if printing {
                    self.flush_line();
                    let data = String::from_utf8_lossy(&self.qr.data).into_owned();
                    let mut note = format!("[二维码 QR] {data}");
                    if self.qr.model != 50 {
                        note.push_str(&format!(" (model {})", self.qr.model.saturating_sub(48)));
                    }
                    if !self.profile.native_qr {
                        note.push_str(" (此型号不支持原生二维码 / no native QR on this model)");
                    }
                    match qr_bitmap(&self.qr.data, self.qr.module, self.qr.ec) {
                        Ok(image) => {
                            self.lines.push(note);
                            self.place_image(&image);
                        }
                        Err(e) => self.lines.push(format!("[二维码错误 QR error] {e}")),
                    }
                }
            }
            Command::Barcode(m, data) => {
                if printing {
                    self.flush_line();
                    self.lines.push(format!(
                        "[条码 barcode {m}] {}",
                        String::from_utf8_lossy(&data)
                    ));
                    self.advance(CELL_HEIGHT as usize * 3, true);
                }
            }
            Command::CodePage(_) | Command::Ignored(..) | Command::Unknown(_) => {}
        }
    }

    fn style(&self) -> CellStyle {
        CellStyle {
            width: self.size.0,
            height: self.size.1,
            bold: self.bold,
            underline: self.underline,
        }
    }

    fn line_width(&self) -> usize {
        self.line
            .iter()
            .map(|g| Font::cell_width(g.c, g.style.width))
            .sum()
    }

    fn put_char(&mut self, c: char) {
        let style = self.style();
        let w = Font::cell_width(c, style.width);
        if self.line_width() + w > self.page.width() && !self.line.is_empty() {
            // The printer wraps at the right margin.
            self.flush_line();
        }
        self.line.push(Glyph { c, style });
        self.line_text.push(c);
    }

    fn newline(&mut self, printing: bool) {
        if self.line.is_empty() {
            if printing {
                self.lines.push(String::new());
                self.advance(self.line_spacing, true);
            }
        } else {
            self.flush_line();
        }
    }

    fn advance(&mut self, dots: usize, printing: bool) {
        if printing {
            self.y += dots;
            if self.y > MAX_PAGE_DOTS {
                self.end_ticket(None);
            }
        }
    }

    fn x_for(&self, width: usize) -> usize {
        let free = self.page.width().saturating_sub(width);
        match self.align {
            1 => free / 2,
            2 => free,
            _ => 0,
        }
    }

    fn flush_line(&mut self) {
        if self.line.is_empty() {
            return;
        }
        let glyphs = std::mem::take(&mut self.line);
        let height = glyphs
            .iter()
            .map(|g| usize::from(CELL_HEIGHT) * usize::from(g.style.height.clamp(1, 8)))
            .max()
            .unwrap_or(0);
        let width = glyphs
            .iter()
            .map(|g| Font::cell_width(g.c, g.style.width))
            .sum();
        let pitch = height + self.line_spacing.saturating_sub(usize::from(CELL_HEIGHT));
        self.page.grow_to(self.y + pitch);
        let font = Font::bundled();
        let mut x = self.x_for(width);
        for g in glyphs {
            let h = usize::from(CELL_HEIGHT) * usize::from(g.style.height.clamp(1, 8));
            x += font.draw_char(&mut self.page, x, self.y + height - h, g.c, g.style);
        }
        let text = std::mem::take(&mut self.line_text);
        self.lines.push(text.trim_end().to_string());
        self.advance(pitch, true);
    }

    fn place_image(&mut self, image: &Bitmap) {
        let x = self.x_for(image.width());
        self.page.grow_to(self.y + image.height());
        self.page.blit(image, x, self.y);
        self.advance(image.height(), true);
    }

    fn end_ticket(&mut self, cut: Option<bool>) {
        let mut image = std::mem::replace(
            &mut self.page,
            Bitmap::new(usize::from(self.profile.dots()), 0),
        );
        let mut height = self.y;
        if cut.is_some() {
            // A dashed cut mark.
            image.grow_to(height + 8);
            let mut x = 0;
            while x < image.width() {
                image.fill_rect(x, height + 4, 8, 2);
                x += 16;
            }
            height += 8;
        }
        image.grow_to(height.max(1));
        let mut cropped = Bitmap::new(image.width(), height.max(1));
        cropped.blit(&image, 0, 0);
        self.tickets.push(PrintedTicket {
            lines: std::mem::take(&mut self.lines),
            image: cropped,
            cut,
        });
        self.y = 0;
    }
}

/// Renders a complete byte stream on a fresh printer of `profile`: every ticket, in order.
pub fn render(bytes: &[u8], profile: &Profile) -> Vec<PrintedTicket> {
    let mut vp = VirtualPrinter::new(profile.clone());
    vp.feed(bytes);
    vp.finish()
}

#[cfg(test)]
mod tests;
