//! A readable disassembly of ESC/POS bytes, one command per line (for golden files and for
//! technicians reading what a POS system sends).

use std::fmt::Write as _;

use crate::virtual_printer::{Command, Parser, TextDecoder};

fn hex(bytes: &[u8], max: usize) -> String {
    let mut s = bytes
        .iter()
        .take(max)
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(" ");
    if bytes.len() > max {
        let _ = write!(s, " … (+{} bytes)", bytes.len() - max);
    }
    s
}

fn describe(cmd: &Command, decoder: &mut TextDecoder) -> String {
    match cmd {
        Command::Text(bytes) => format!("TEXT {:?}", decoder.decode(bytes)),
        Command::LineFeed => "LF".into(),
        Command::CarriageReturn => "CR".into(),
        Command::Tab => "HT".into(),
        Command::FormFeed => "FF".into(),
        Command::Init => "ESC @  initialise".into(),
        Command::ChineseMode(true) => "FS &  Chinese mode on".into(),
        Command::ChineseMode(false) => "FS .  Chinese mode off".into(),
        Command::PrintMode(n) => format!("ESC ! {n:#04x}  print mode"),
        Command::ChinesePrintMode(n) => format!("FS ! {n:#04x}  Chinese print mode"),
        Command::ChineseQuadruple(on) => format!("FS W {}  Chinese quadruple size", u8::from(*on)),
        Command::Bold(on) => format!(
            "ESC E {}  bold {}",
            u8::from(*on),
            if *on { "on" } else { "off" }
        ),
        Command::Underline(n) => format!("ESC - {n}  underline"),
        Command::Align(n) => {
            format!(
                "ESC a {n}  align {}",
                ["left", "centre", "right"]
                    .get(usize::from(*n))
                    .unwrap_or(&"?")
            )
        }
        Command::Size { width, height } => format!(
            "GS ! {:#04x}  size {width}x{height}",
            ((width - 1) << 4) | (height - 1)
        ),
        Command::FeedLines(n) => format!("ESC d {n}  feed {n} lines"),
        Command::FeedDots(n) => format!("ESC J {n}  feed {n} dots"),
        Command::LineSpacing(None) => "ESC 2  default line spacing".into(),
        Command::LineSpacing(Some(n)) => format!("ESC 3 {n}  line spacing {n} dots"),
        Command::CodePage(n) => format!("ESC t {n}  code page"),
        Command::Cut { partial, feed } => {
            format!(
                "GS V  {} cut after feeding {feed}",
                if *partial { "partial" } else { "full" }
            )
        }
        Command::StatusRequest(n) => format!("DLE EOT {n}  real-time status"),
        Command::Asb(n) => format!("GS a {n}  automatic status back"),
        Command::TransmitStatus(n) => format!("GS r {n}  transmit status"),
        Command::Raster {
            mode,
            row_bytes,
            height,
            ..
        } => {
            format!(
                "GS v 0 {mode}  raster image {}x{height} dots",
                usize::from(*row_bytes) * 8
            )
        }
        Command::QrModel(n) => format!("GS ( k  QR model {}", n.saturating_sub(48)),
        Command::QrModule(n) => format!("GS ( k  QR module {n} dots"),
        Command::QrEcLevel(n) => format!(
            "GS ( k  QR error correction {}",
            ["L", "M", "Q", "H"]
                .get(usize::from(n.saturating_sub(48)))
                .unwrap_or(&"?")
        ),
        Command::QrStore(data) => format!("GS ( k  QR store {:?}", String::from_utf8_lossy(data)),
        Command::QrPrint => "GS ( k  QR print".into(),
        Command::Barcode(m, data) => {
            format!("GS k {m}  barcode {:?}", String::from_utf8_lossy(data))
        }
        Command::Ignored(name, _) => format!("{name}  (ignored)"),
        Command::Unknown(_) => "unknown, skipped".into(),
    }
}

/// Disassembles a byte stream: `offset  hex  meaning`, one command per line.
pub fn disassemble(bytes: &[u8]) -> String {
    let mut out = String::new();
    // Chinese printers power up in Chinese mode; `FS .` leaves it.
    let mut decoder = TextDecoder::new(true);
    for (range, cmd) in Parser::parse_spans(bytes) {
        if let Command::ChineseMode(on) = &cmd {
            decoder.set_chinese(*on);
        }
        let max = if matches!(cmd, Command::Raster { .. }) {
            8
        } else {
            12
        };
        let _ = writeln!(
            out,
            "{:06X}  {:<48}  {}",
            range.start,
            hex(&bytes[range.clone()], max),
            describe(&cmd, &mut decoder)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disassembly_names_commands() {
        let text = disassemble(&[
            0x1B, 0x40, 0x1C, 0x26, 0xC7, 0xEB, 0x0A, 0x1D, 0x56, 0x42, 0x00, 0x1B, 0x99,
        ]);
        assert!(text.contains("ESC @  initialise"), "{text}");
        assert!(text.contains("TEXT \"请\""), "{text}");
        assert!(text.contains("partial cut"), "{text}");
        assert!(text.contains("unknown, skipped"), "{text}");
    }
}
