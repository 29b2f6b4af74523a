//! The simulated desk: deterministic, fonts optional, and where it says the page is.

use docscan::sim::{SimFont, SimPage, SimPageKind, SimulatedDesk};

static FONT: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-Regular.otf");

#[test]
fn frames_are_deterministic_with_fresh_noise_per_frame() {
    let page = SimPage::document("法律援助申请表").turned(3.0);
    let a = SimulatedDesk::new(320, 240, 1).render(&page, 0);
    let b = SimulatedDesk::new(320, 240, 1).render(&page, 0);
    assert_eq!(a, b);
    let c = SimulatedDesk::new(320, 240, 1).render(&page, 1);
    assert_ne!(a.rgba, c.rgba);
    assert_eq!(a.corners, c.corners);
    let other_desk = SimulatedDesk::new(320, 240, 2).render(&page, 0);
    assert_ne!(a.rgba, other_desk.rgba);
    assert_eq!(a.rgba.len(), 320 * 240 * 4);
    assert!(a.rgba.chunks_exact(4).all(|p| p[3] == 255));
}

#[test]
fn the_font_draws_the_heading() {
    let font = SimFont::from_static(FONT).unwrap();
    let page = SimPage::document("法律援助申请表");
    let plain = SimulatedDesk::new(640, 480, 1).render(&page, 0);
    let mut desk = SimulatedDesk::new(640, 480, 1).with_font(font);
    let lettered = desk.render(&page, 0);
    assert_eq!(plain.corners, lettered.corners);
    assert_ne!(plain.rgba, lettered.rgba);
    // The heading's band (30 mm down an A4 sheet of 374 px) has dark strokes.
    let q = lettered.corners.unwrap();
    let y = (q.top_left.y + 0.105 * (q.bottom_left.y - q.top_left.y)) as usize;
    let dark = (q.top_left.x as usize..q.top_right.x as usize)
        .filter(|&x| {
            let p = &lettered.rgba[(y * 640 + x) * 4..];
            p[0] < 110
        })
        .count();
    assert!(dark > 10, "{dark}");
    // And the page is found as before.
    let found = docscan::detect_page(&lettered.view()).unwrap();
    assert!(found.max_corner_distance(&q) < 1.5);
}

#[test]
fn black_frames_are_dark_and_empty_desks_have_no_page() {
    let mut desk = SimulatedDesk::new(320, 240, 1);
    let black = desk.render(&SimPage::black(), 0);
    assert!(black.corners.is_none());
    let mean = black
        .rgba
        .chunks_exact(4)
        .map(|p| u32::from(p[1]))
        .sum::<u32>()
        / (320 * 240);
    assert!(mean < 15);
    let empty = desk.render_empty(0);
    assert!(empty.corners.is_none());
    assert!(docscan::detect_page(&empty.view()).is_none());
    assert_eq!(SimPage::black().size_mm(), None);
    assert_eq!(SimPage::id_card("x").kind, SimPageKind::IdCard);
}

#[test]
fn render_into_reuses_the_buffer_and_odd_sizes_are_clamped() {
    let desk = SimulatedDesk::new(0, 100_000, 1);
    assert_eq!((desk.width(), desk.height()), (16, 8192));
    let mut desk = SimulatedDesk::new(200, 150, 1);
    let mut buf = Vec::new();
    let page = SimPage::id_card("居民身份证")
        .turned(f32::NAN)
        .moved(f32::INFINITY, 0.0);
    let corners = desk.render_into(Some(&page), 0, &mut buf);
    assert_eq!(buf.len(), 200 * 150 * 4);
    assert!(corners.is_some_and(|q| q.is_convex()));
    let capacity = buf.capacity();
    desk.render_into(None, 1, &mut buf);
    assert_eq!(buf.capacity(), capacity);
}

#[test]
fn a_frame_converts_to_an_image() {
    let frame = SimulatedDesk::new(64, 48, 1).render(&SimPage::blank(), 0);
    let img = frame.into_rgba_image().unwrap();
    assert_eq!(img.dimensions(), (64, 48));
}
