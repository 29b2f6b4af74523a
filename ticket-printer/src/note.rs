//! A note printed on the ticket paper: a heading, free text in paragraphs, an optional QR code with
//! its caption, the time and footer lines. The video call prints the lawyer's advice with it.

use chrono::NaiveDateTime;

use crate::{
    encode::{Align, TicketWriter},
    error::EncodeError,
    font::CellStyle,
    profile::Profile,
    ticket::Layout,
};

/// What a note holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// Centre name, printed large at the top.
    pub centre: String,
    /// The heading, e.g. `律师建议摘要 Lawyer's advice`.
    pub title: String,
    /// Lines above the text (who, about what), printed small.
    pub meta: Vec<String>,
    /// The text; each line is a paragraph, wrapped to the paper.
    pub text: String,
    /// A link encoded as a QR code, with its caption.
    pub qr: Option<(String, String)>,
    /// When it was printed (local time of the centre, passed in).
    pub printed_at: NaiveDateTime,
    /// Footer lines.
    pub footer: Vec<String>,
}

/// Encodes `note` for a printer profile, with the QR code settings of `layout`.
pub fn encode_note(
    note: &Note,
    profile: &Profile,
    layout: &Layout,
) -> Result<Vec<u8>, EncodeError> {
    let normal = CellStyle::default();
    let bold = CellStyle {
        bold: true,
        ..CellStyle::default()
    };
    let mut w = TicketWriter::new(profile)?;
    w.paragraph(
        &note.centre,
        CellStyle {
            height: layout.title_height.clamp(1, 8),
            bold: true,
            ..CellStyle::default()
        },
        Align::Centre,
    )?;
    w.paragraph(&note.title, bold, Align::Centre)?;
    w.rule()?;
    for line in &note.meta {
        w.paragraph(line, normal, Align::Left)?;
    }
    for paragraph in note.text.lines().filter(|l| !l.trim().is_empty()) {
        w.paragraph(paragraph.trim(), normal, Align::Left)?;
    }
    w.rule()?;
    if let Some((link, caption)) = &note.qr {
        w.qr(link, layout.qr_module, layout.qr_ec)?;
        w.paragraph(caption, normal, Align::Centre)?;
    }
    w.paragraph(
        &format!("打印 Printed {}", note.printed_at.format("%Y-%m-%d %H:%M")),
        normal,
        Align::Left,
    )?;
    for line in &note.footer {
        w.paragraph(line, normal, Align::Centre)?;
    }
    w.cut()?;
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{PaperWidth, profile::generic, virtual_printer::render};

    #[test]
    fn a_note_prints_its_text_wrapped_with_the_qr_code_and_is_cut() {
        let profile = generic(PaperWidth::Mm58);
        let note = Note {
            centre: "黔江区公共法律服务中心".into(),
            title: "律师建议摘要 Lawyer's advice".into(),
            meta: vec!["律师：王律师 · 事项：劳动争议".into()],
            text: "建议先与用人单位协商；协商不成，可向区劳动人事争议仲裁委员会申请仲裁，时效为一年。\n\n请保留工资条和考勤记录。".into(),
            qr: Some(("https://centre.example/advice/0123".into(), "扫码保存 Scan to keep".into())),
            printed_at: chrono::NaiveDate::from_ymd_opt(2026, 12, 7)
                .unwrap()
                .and_hms_opt(10, 30, 0)
                .unwrap(),
            footer: vec!["公共法律服务热线 12348".into()],
        };
        let bytes = encode_note(&note, profile, &Layout::for_paper(profile.paper)).unwrap();
        let printed = render(&bytes, profile);
        assert_eq!(printed.len(), 1, "one cut piece");
        let text = printed[0].text();
        assert!(text.contains("律师建议摘要"), "{text}");
        assert!(text.contains("劳动人事争议"), "{text}");
        assert!(text.contains("请保留工资条和考勤记录"), "{text}");
        assert!(text.contains("2026-12-07 10:30"), "{text}");
        assert!(text.contains("12348"));
        assert!(
            printed[0]
                .lines
                .iter()
                .all(|l| crate::text::display_width(l) <= 32 || l.starts_with('[')),
            "wrapped to 58 mm: {text}"
        );
    }
}
