//! Ticket → ESC/POS bytes. Sans-io: no clock, no device; the same input gives the same bytes.
//!
//! Standard commands (`ESC @`, `ESC a`, `ESC E`, `GS !`, `ESC d`, full cut, QR model 2) come
//! from the `escpos` crate's builder writing into a memory buffer; the Chinese-specific parts
//! (`FS &`, GBK text with the full-width pre-map, raster fallback) and the commands the crate
//! gets wrong are written here (see [`crate::commands`]).

use std::cell::RefCell;
use std::rc::Rc;

use escpos::driver::Driver;
use escpos::printer::Printer as EscPrinter;
use escpos::utils::{JustifyMode, Protocol, QRCodeCorrectionLevel, QRCodeModel, QRCodeOption};

use crate::bitmap::Bitmap;
use crate::commands;
use crate::error::EncodeError;
use crate::font::{CellStyle, Font};
use crate::profile::{CutMode, Profile};
use crate::qr::{QrEcLevel, qr_bitmap};
use crate::text::{display_width, encode_gbk, sanitize, wrap};
use crate::ticket::{Layout, Part, Ticket};

/// An `escpos` driver that appends to a shared buffer.
#[derive(Clone, Default)]
struct BufferDriver(Rc<RefCell<Vec<u8>>>);

impl Driver for BufferDriver {
    fn name(&self) -> String {
        "buffer".to_string()
    }
    fn write(&self, data: &[u8]) -> escpos::errors::Result<()> {
        self.0.borrow_mut().extend_from_slice(data);
        Ok(())
    }
    fn read(&self, _buf: &mut [u8]) -> escpos::errors::Result<usize> {
        Ok(0)
    }
    fn flush(&self) -> escpos::errors::Result<()> {
        Ok(())
    }
}

/// Horizontal alignment of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Left.
    Left,
    /// Centre.
    Centre,
    /// Right.
    Right,
}

/// Builds ESC/POS bytes for a given printer profile.
pub struct TicketWriter<'p> {
    profile: &'p Profile,
    esc: EscPrinter<BufferDriver>,
    out: BufferDriver,
    align: Option<Align>,
    style: CellStyle,
}

fn builder_err(e: escpos::errors::PrinterError) -> EncodeError {
    EncodeError::Builder(e.to_string())
}

impl<'p> TicketWriter<'p> {
    /// Starts a document: `ESC @`, then `FS &` if the profile needs Chinese mode.
    pub fn new(profile: &'p Profile) -> Result<Self, EncodeError> {
        let out = BufferDriver::default();
        let esc = EscPrinter::new(out.clone(), Protocol::default(), None);
        let mut w = Self {
            profile,
            esc,
            out,
            align: None,
            style: CellStyle::default(),
        };
        w.esc.init().map_err(builder_err)?;
        if profile.chinese_mode {
            w.raw(&commands::CHINESE_MODE_ON)?;
        }
        Ok(w)
    }

    /// Appends raw bytes.
    pub fn raw(&mut self, bytes: &[u8]) -> Result<&mut Self, EncodeError> {
        self.esc.custom(bytes).map_err(builder_err)?;
        Ok(self)
    }

    /// Columns available at a width multiplier.
    pub fn columns(&self, width: u8) -> usize {
        self.profile.paper.columns() / usize::from(width.clamp(1, 8))
    }

    fn set_align(&mut self, align: Align) -> Result<(), EncodeError> {
        if self.align != Some(align) {
            let mode = match align {
                Align::Left => JustifyMode::LEFT,
                Align::Centre => JustifyMode::CENTER,
                Align::Right => JustifyMode::RIGHT,
            };
            self.esc.justify(mode).map_err(builder_err)?;
            self.align = Some(align);
        }
        Ok(())
    }

    fn set_style(&mut self, style: CellStyle) -> Result<(), EncodeError> {
        let (w, h) = (style.width.clamp(1, 8), style.height.clamp(1, 8));
        if (w, h) != (self.style.width, self.style.height) {
            if (w, h) == (1, 1) {
                self.esc.reset_size().map_err(builder_err)?;
            } else {
                self.esc.size(w, h).map_err(builder_err)?;
            }
        }
        if style.bold != self.style.bold {
            self.esc.bold(style.bold).map_err(builder_err)?;
        }
        self.style = CellStyle {
            width: w,
            height: h,
            ..style
        };
        Ok(())
    }

    /// Prints one line that already fits the paper. Text the resident font can print goes as
    /// GBK; a line containing any other character (rare name characters, `€` …) is rendered
    /// with the bundled font and sent as a raster image, so nothing prints as `?`.
    pub fn line(
        &mut self,
        text: &str,
        style: CellStyle,
        align: Align,
    ) -> Result<&mut Self, EncodeError> {
        let text = sanitize(text);
        self.set_align(align)?;
        match encode_gbk(&text) {
            Ok(bytes) => {
                self.set_style(style)?;
                self.raw(&bytes)?;
                self.raw(&[commands::LF])?;
            }
            Err(_) => {
                let image = Font::bundled().render_line(&text, style);
                self.image(&image, align)?;
                // Text lines use a 30-dot pitch for 24-dot characters: keep the same rhythm.
                self.raw(&commands::feed_dots(6 * style.height.clamp(1, 8)))?;
            }
        }
        Ok(self)
    }

    /// Wraps `text` by display width and prints every line.
    pub fn paragraph(
        &mut self,
        text: &str,
        style: CellStyle,
        align: Align,
    ) -> Result<&mut Self, EncodeError> {
        for paragraph in text.split('\n') {
            for line in wrap(&sanitize(paragraph), self.columns(style.width)) {
                self.line(&line, style, align)?;
            }
        }
        Ok(self)
    }

    /// Prints `zh / en` on one line if it fits, otherwise the Chinese and the English text
    /// as separate paragraphs.
    pub fn bilingual(
        &mut self,
        zh: &str,
        en: &str,
        style: CellStyle,
        align: Align,
    ) -> Result<&mut Self, EncodeError> {
        let both = format!("{zh} / {en}");
        if display_width(&sanitize(&both)) <= self.columns(style.width) {
            self.line(&both, style, align)
        } else {
            self.paragraph(zh, style, align)?;
            self.paragraph(en, style, align)
        }
    }

    /// Prints a raster image (`GS v 0`), cropped to the paper width.
    pub fn image(&mut self, image: &Bitmap, align: Align) -> Result<&mut Self, EncodeError> {
        self.set_align(align)?;
        let max = usize::from(self.profile.dots());
        let bytes = if image.width() > max {
            let mut cropped = Bitmap::new(max, image.height());
            cropped.blit(image, 0, 0);
            cropped.to_gs_v0()?
        } else {
            image.to_gs_v0()?
        };
        self.raw(&bytes)?;
        Ok(self)
    }

    /// Prints a QR code, centred: native `GS ( k` model 2 if the profile supports it, a
    /// raster image otherwise.
    pub fn qr(&mut self, data: &str, module: u8, ec: QrEcLevel) -> Result<&mut Self, EncodeError> {
        let module = module.clamp(1, 16);
        self.set_align(Align::Centre)?;
        if self.profile.native_qr {
            // Validate first: a printer given data it cannot encode prints nothing.
            qr_bitmap(data.as_bytes(), 1, ec)?;
            let level = match ec {
                QrEcLevel::L => QRCodeCorrectionLevel::L,
                QrEcLevel::M => QRCodeCorrectionLevel::M,
                QrEcLevel::Q => QRCodeCorrectionLevel::Q,
                QrEcLevel::H => QRCodeCorrectionLevel::H,
            };
            // Always pass the option: the crate's default is model 1, which cheap printers lack.
            let option = QRCodeOption::new(QRCodeModel::Model2, module, level);
            self.esc.qrcode_option(data, option).map_err(builder_err)?;
            self.raw(&[commands::LF])?;
        } else {
            let image = qr_bitmap(data.as_bytes(), module, ec)?;
            self.image(&image, Align::Centre)?;
        }
        Ok(self)
    }

    /// A dashed rule across the paper.
    pub fn rule(&mut self) -> Result<&mut Self, EncodeError> {
        let line = "-".repeat(self.columns(1));
        self.line(&line, CellStyle::default(), Align::Left)
    }

    /// Feeds `lines` lines.
    pub fn feed(&mut self, lines: u8) -> Result<&mut Self, EncodeError> {
        self.esc.feeds(lines).map_err(builder_err)?;
        Ok(self)
    }

    /// Feeds so the last line clears the cutter, then cuts as the profile says.
    pub fn cut(&mut self) -> Result<&mut Self, EncodeError> {
        self.feed(self.profile.feed_before_cut)?;
        match self.profile.cut {
            CutMode::Full => {
                self.esc.cut().map_err(builder_err)?;
            }
            CutMode::Partial => {
                self.raw(&commands::PARTIAL_CUT)?;
            }
            CutMode::None => {}
        }
        Ok(self)
    }

    /// Finishes the document and returns its bytes.
    pub fn finish(mut self) -> Result<Vec<u8>, EncodeError> {
        self.esc.print().map_err(builder_err)?;
        Ok(self.out.0.take())
    }
}

fn sized(width: u8, height: u8, bold: bool) -> CellStyle {
    CellStyle {
        width,
        height,
        bold,
        underline: false,
    }
}

/// Encodes a ticket for a printer profile with a layout.
pub fn encode_ticket(
    ticket: &Ticket,
    profile: &Profile,
    layout: &Layout,
) -> Result<Vec<u8>, EncodeError> {
    let normal = CellStyle::default();
    let mut w = TicketWriter::new(profile)?;
    for part in &layout.parts {
        match part {
            Part::Logo => {
                if let Some(logo) = &layout.logo {
                    w.image(logo, Align::Centre)?;
                }
            }
            Part::Centre => {
                w.paragraph(
                    &ticket.centre,
                    sized(1, layout.title_height, true),
                    Align::Centre,
                )?;
            }
            Part::Address => {
                if let Some(address) = &ticket.address {
                    w.paragraph(address, normal, Align::Centre)?;
                }
            }
            Part::Rule => {
                w.rule()?;
            }
            Part::Number => {
                w.bilingual("您的号码", "Your number", normal, Align::Centre)?;
                let size = layout.number_size.clamp(1, 8);
                let mut size_fit = size;
                while size_fit > 1 && display_width(&ticket.number) > w.columns(size_fit) {
                    size_fit -= 1;
                }
                w.paragraph(
                    &ticket.number,
                    sized(size_fit, size_fit, true),
                    Align::Centre,
                )?;
            }
            Part::Service => match &ticket.service_en {
                Some(en) => {
                    w.bilingual(
                        &format!("业务：{}", ticket.service),
                        &format!("Service: {en}"),
                        normal,
                        Align::Left,
                    )?;
                }
                None => {
                    w.paragraph(
                        &format!("业务 Service：{}", ticket.service),
                        normal,
                        Align::Left,
                    )?;
                }
            },
            Part::Window => {
                if let Some(window) = &ticket.window {
                    let zh = format!("请到 {window} 办理");
                    let bold = sized(1, 1, true);
                    match &ticket.window_en {
                        Some(en) => w.bilingual(&zh, &format!("Go to {en}"), bold, Align::Left)?,
                        None => w.paragraph(&zh, bold, Align::Left)?,
                    };
                }
            }
            Part::Ahead => {
                let n = ticket.ahead;
                w.bilingual(
                    &format!("前面还有 {n} 人等候"),
                    &format!("{n} ahead of you"),
                    normal,
                    Align::Left,
                )?;
            }
            Part::Wait => {
                if let Some((lo, hi)) = ticket.wait_minutes {
                    w.bilingual(
                        &format!("预计等候 {lo}-{hi} 分钟"),
                        &format!("Wait about {lo}-{hi} min"),
                        normal,
                        Align::Left,
                    )?;
                }
            }
            Part::IssuedAt => {
                let at = ticket.issued_at.format("%Y-%m-%d %H:%M");
                w.paragraph(&format!("取号时间 Issued：{at}"), normal, Align::Left)?;
            }
            Part::Name => {
                if let Some(name) = &ticket.name {
                    w.paragraph(
                        &format!("姓名 Name：{}", name.as_str()),
                        normal,
                        Align::Left,
                    )?;
                }
            }
            Part::Qr => {
                if let Some(qr) = &ticket.qr {
                    w.qr(qr, layout.qr_module, layout.qr_ec)?;
                    w.bilingual(
                        "扫码查看排队进度",
                        "Scan to follow the queue",
                        normal,
                        Align::Centre,
                    )?;
                }
            }
            Part::Footer => {
                for line in &ticket.footer {
                    w.paragraph(line, normal, Align::Centre)?;
                }
            }
        }
    }
    w.cut()?;
    w.finish()
}

/// Encodes the technician's test page: every size, alignment, a rare character, a QR code.
pub fn encode_test_page(profile: &Profile) -> Result<Vec<u8>, EncodeError> {
    let normal = CellStyle::default();
    let mut w = TicketWriter::new(profile)?;
    w.line("打印机测试页 Test page", sized(1, 2, true), Align::Centre)?;
    w.paragraph(
        &format!("型号 Profile：{}", profile.name),
        normal,
        Align::Left,
    )?;
    w.paragraph(
        &format!("纸宽 Width：{} dots", profile.dots()),
        normal,
        Align::Left,
    )?;
    w.rule()?;
    w.line("左对齐 Left", normal, Align::Left)?;
    w.line("居中 Centre", normal, Align::Centre)?;
    w.line("右对齐 Right", normal, Align::Right)?;
    w.line("加粗 Bold", sized(1, 1, true), Align::Left)?;
    w.line("倍高 2x", sized(1, 2, false), Align::Left)?;
    w.line("倍宽倍高 2x2", sized(2, 2, false), Align::Left)?;
    w.line("¥12.50 全角符号 ￥", normal, Align::Left)?;
    w.line("生僻字 Rare: 𠮷 䶮", normal, Align::Left)?;
    w.paragraph(
        "0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz",
        normal,
        Align::Left,
    )?;
    w.qr("https://example.org/test", 5, QrEcLevel::M)?;
    w.cut()?;
    w.finish()
}

/// The same ticket as one raster image (what image-based libraries send), for comparison.
pub fn encode_ticket_as_raster(
    ticket: &Ticket,
    profile: &Profile,
    layout: &Layout,
) -> Result<Vec<u8>, EncodeError> {
    let bytes = encode_ticket(ticket, profile, layout)?;
    let page = crate::virtual_printer::render(&bytes, profile)
        .into_iter()
        .next()
        .map_or_else(|| Bitmap::new(1, 1), |t| t.image);
    let mut w = TicketWriter::new(profile)?;
    w.image(&page, Align::Left)?;
    w.cut()?;
    w.finish()
}
