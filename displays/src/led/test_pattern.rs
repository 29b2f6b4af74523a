//! The LED panel's test pattern, shown by the technician page and `kiosk led render --scene test`.

use embedded_graphics::{
    pixelcolor::BinaryColor,
    prelude::*,
    primitives::{Line, PrimitiveStyle, Rectangle},
};

use super::MonoFrame;

/// A border, both diagonals and the top-left LED's neighbours: shows orientation and chain order.
pub fn test_pattern(frame: &mut MonoFrame) {
    let size = frame.size();
    let on = PrimitiveStyle::with_stroke(BinaryColor::On, 1);
    let _ = Rectangle::new(Point::zero(), size)
        .into_styled(on)
        .draw(frame);
    let (w, h) = (size.width.cast_signed() - 1, size.height.cast_signed() - 1);
    let _ = Line::new(Point::zero(), Point::new(h, h))
        .into_styled(on)
        .draw(frame);
    let _ = Line::new(Point::new(w - h, h), Point::new(w, 0))
        .into_styled(on)
        .draw(frame);
    frame.set(2, 2, true);
}
