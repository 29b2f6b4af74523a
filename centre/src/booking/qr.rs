//! The booking's QR code as an inline SVG, drawn here from the `qrcode` crate's modules: one path
//! of unit squares, a quiet zone of four modules, no script and no external resource (the pages'
//! Content-Security-Policy allows none).

use std::fmt::Write as _;

use qrcode::{Color, EcLevel, QrCode};

/// An SVG (`<svg …>…</svg>`) of the QR code of `text`, `size` CSS pixels wide, with an accessible
/// title; none when the text does not fit a QR code.
pub fn svg(text: &str, size: u32, title: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    let width = code.width();
    let colors = code.to_colors();
    let quiet = 4;
    let full = width + 2 * quiet;
    let mut path = String::new();
    for y in 0..width {
        for x in 0..width {
            if colors[y * width + x] == Color::Dark {
                let _ = write!(path, "M{} {}h1v1h-1z", x + quiet, y + quiet);
            }
        }
    }
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr\" role=\"img\" \
         aria-label=\"{title}\" width=\"{size}\" height=\"{size}\" viewBox=\"0 0 {full} {full}\" \
         shape-rendering=\"crispEdges\"><title>{title}</title>\
         <rect width=\"{full}\" height=\"{full}\" fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>",
        title = crate::html::esc(title),
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_svg_holds_the_modules() {
        let svg = super::svg("BOOKING:B-7K3M-9QXA", 240, "预约码 B-7K3M-9QXA").unwrap();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(
            svg.contains("viewBox=\"0 0 29 29\""),
            "version 1 (21 modules) and the quiet zone: {svg}"
        );
        assert!(svg.matches('z').count() > 100);
    }
}
