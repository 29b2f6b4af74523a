//! Frames from the simulated desk through `detect_page` and `scan`: the recovered corners,
//! skew and shape match what was rendered, and the refused pages are refused.
//!
//! Debug builds are slow at pixel work, so the frames here are 800 × 600 and the pages 240
//! pixels wide; the example and the bench use the real sizes.

use docscan::sim::{SimPage, SimulatedDesk};
use docscan::{Quad, RgbaView, ScanError, ScanSettings, ScannedPage, detect_page, scan};

const A4_ASPECT: f32 = 297.0 / 210.0;
const CARD_ASPECT: f32 = 54.0 / 85.6;

/// Narrow pages: the JPEG encoder and decoder dominate a debug build's time.
fn small_settings() -> ScanSettings {
    ScanSettings {
        target_width: 240,
        ..ScanSettings::default()
    }
}

/// The page's pixels, decoded from its JPEG, as luma.
fn decoded_luma(page: &ScannedPage) -> image::GrayImage {
    let img = image::load_from_memory(&page.jpeg).expect("scan gives a valid JPEG");
    assert_eq!((img.width(), img.height()), (page.width, page.height));
    img.to_luma8()
}

/// The darkest pixel on the page's outermost two-pixel ring.
fn darkest_border(page: &ScannedPage) -> u8 {
    let img = decoded_luma(page);
    let (w, h) = (img.width(), img.height());
    img.enumerate_pixels()
        .filter(|&(x, y, _)| x < 2 || y < 2 || x + 2 >= w || y + 2 >= h)
        .map(|(_, _, p)| p.0[0])
        .min()
        .unwrap_or(0)
}

fn check_round_trip(page: &SimPage, aspect: f32, desk: &mut SimulatedDesk, frame_no: u64) {
    let frame = desk.render(page, frame_no);
    let truth = frame.corners.expect("a page has corners");
    let scanned =
        scan(&frame.view(), &small_settings()).unwrap_or_else(|e| panic!("{page:?}: {e}"));
    let found = scanned.corners.expect("the sheet is found");
    assert!(scanned.cropped());
    assert!(
        found.max_corner_distance(&truth) < 2.0,
        "{page:?}: corners {found:?} vs {truth:?}"
    );
    assert!(
        (scanned.skew_degrees - page.angle_degrees).abs() <= 0.7,
        "{page:?}: skew {}",
        scanned.skew_degrees
    );
    let got = scanned.height as f32 / scanned.width as f32;
    assert!(
        (got / aspect - 1.0).abs() <= 0.03,
        "{page:?}: aspect {got} vs {aspect}"
    );
    let border = darkest_border(&scanned);
    assert!(
        border >= 170,
        "{page:?}: desk on the border (luma {border})"
    );
}

#[test]
fn documents_at_many_angles_and_places() {
    let mut desk = SimulatedDesk::new(800, 600, 11);
    let offsets = [(0.0, 0.0), (-0.07, 0.02), (0.06, -0.03)];
    let angles = [-12.0f32, -9.5, -6.0, -2.5, -0.4, 0.0, 1.7, 4.0, 8.5, 12.0];
    for (n, angle) in angles.into_iter().enumerate() {
        let offset = offsets[n % offsets.len()];
        let page = SimPage::document("经济困难证明")
            .turned(angle)
            .moved(offset.0, offset.1);
        check_round_trip(&page, A4_ASPECT, &mut desk, n as u64);
    }
}

#[test]
fn id_cards_at_many_angles_and_places() {
    // A card is small on the desk: use a still-sized frame so it has pixels to measure.
    let mut desk = SimulatedDesk::new(1280, 960, 5);
    let offsets = [(0.0, 0.0), (0.2, -0.15), (-0.25, 0.2)];
    for (n, angle) in [-12.0f32, -7.0, -2.0, 0.0, 4.5, 12.0]
        .into_iter()
        .enumerate()
    {
        let offset = offsets[n % offsets.len()];
        let page = SimPage::id_card("居民身份证")
            .turned(angle)
            .moved(offset.0, offset.1);
        check_round_trip(&page, CARD_ASPECT, &mut desk, n as u64);
    }
}

#[test]
fn preview_detection_finds_the_rendered_corners() {
    let mut desk = SimulatedDesk::new(640, 480, 3);
    for (i, angle) in [-12.0f32, -6.0, 0.0, 5.0, 12.0].into_iter().enumerate() {
        for (page, tolerance) in [
            (SimPage::document("法律援助申请表"), 1.5),
            (SimPage::blank(), 1.5),
            (SimPage::id_card("居民身份证"), 2.0),
        ] {
            let page = page.turned(angle).moved(0.04, -0.02);
            let frame = desk.render(&page, i as u64);
            let truth = frame.corners.unwrap();
            assert_eq!(desk.page_corners(&page), Some(truth));
            let found = detect_page(&frame.view()).unwrap_or_else(|| panic!("{page:?}"));
            let error = found.max_corner_distance(&truth);
            assert!(
                error <= tolerance,
                "{page:?}: {error} px\n{found:?}\n{truth:?}"
            );
        }
    }
}

#[test]
fn preview_corners_scale_to_the_still() {
    let page = SimPage::document("劳动合同").turned(4.0);
    let preview = SimulatedDesk::new(640, 480, 9).render(&page, 0);
    let still = SimulatedDesk::new(1600, 1200, 9).render(&page, 0);
    let from_preview = detect_page(&preview.view()).unwrap().scaled(2.5, 2.5);
    let from_still = detect_page(&still.view()).unwrap();
    assert!(from_preview.max_corner_distance(&from_still) < 4.0);
}

#[test]
fn blank_black_and_empty_are_refused() {
    let mut desk = SimulatedDesk::new(800, 600, 21);
    let settings = small_settings();
    for angle in [0.0, 7.0] {
        let blank = desk.render(&SimPage::blank().turned(angle), 0);
        match scan(&blank.view(), &settings) {
            Err(ScanError::Blank { spread }) => assert!(spread < docscan::BLANK_SPREAD),
            other => panic!("blank page: {other:?}"),
        }
    }
    let black = desk.render(&SimPage::black(), 1);
    assert!(black.corners.is_none());
    let err = scan(&black.view(), &settings).unwrap_err();
    assert!(
        matches!(err, ScanError::Black { mean_luma } if mean_luma < 15),
        "{err:?}"
    );
    assert!(err.to_string().contains("black"));
    assert_eq!(err.zh(), "页面太暗，请检查灯光或镜头是否被遮挡");
    let empty = desk.render_empty(2);
    let err = scan(&empty.view(), &settings).unwrap_err();
    assert!(matches!(err, ScanError::Blank { .. }), "{err:?}");
    assert_eq!(err.zh(), "没有拍到内容，请把材料正面朝上放在拍摄区");
    // Brightness cannot hide a covered lens.
    let brightest = ScanSettings {
        brightness: 50,
        ..settings
    };
    assert!(matches!(
        scan(&black.view(), &brightest),
        Err(ScanError::Black { .. })
    ));
}

#[test]
fn brightness_moves_the_mean() {
    let mut desk = SimulatedDesk::new(800, 600, 4);
    let frame = desk.render(&SimPage::document("法律援助申请表").turned(2.0), 0);
    let mean = |brightness: i8, whiten: bool| {
        let settings = ScanSettings {
            brightness,
            whiten,
            ..small_settings()
        };
        let page = scan(&frame.view(), &settings).unwrap();
        // The reported mean is the encoded page's, within JPEG rounding.
        let img = decoded_luma(&page);
        let decoded = img.pixels().map(|p| f64::from(p.0[0])).sum::<f64>()
            / f64::from(img.width() * img.height());
        assert!((decoded - f64::from(page.mean_luma)).abs() < 2.0);
        page.mean_luma
    };
    for whiten in [true, false] {
        let (dark, normal, bright) = (mean(-30, whiten), mean(0, whiten), mean(30, whiten));
        assert!(
            dark < normal && normal < bright,
            "{whiten}: {dark} {normal} {bright}"
        );
    }
    // Out-of-range settings are clamped, not refused.
    let wild = ScanSettings {
        brightness: i8::MIN,
        target_width: 0,
        jpeg_quality: 0,
        colour: false,
        whiten: true,
    };
    let page = scan(&frame.view(), &wild).unwrap();
    assert_eq!(page.width, docscan::MIN_TARGET_WIDTH);
}

#[test]
fn a_sheet_filling_the_frame_is_kept_whole() {
    // A window inside the page of a larger frame, seen through a padded view: paper and
    // text only, no desk.
    let mut desk = SimulatedDesk::new(800, 600, 8);
    let frame = desk.render(&SimPage::document("法律援助申请表"), 0);
    let truth = frame.corners.unwrap();
    let (x0, y0) = (
        truth.top_left.x as usize + 10,
        truth.top_left.y as usize + 10,
    );
    let (w, h) = (240u32, 300u32);
    let stride = frame.width as usize * 4;
    let start = y0 * stride + x0 * 4;
    let window = RgbaView::new(w, h, stride, &frame.rgba[start..]);
    assert_eq!(detect_page(&window), None);
    let page = scan(&window, &small_settings()).unwrap();
    assert!(!page.cropped());
    assert_eq!(page.skew_degrees, 0.0);
    assert_eq!((page.width, page.height), (240, 300));
}

#[test]
fn padded_rows_give_the_same_result() {
    let mut desk = SimulatedDesk::new(640, 480, 2);
    let frame = desk.render(&SimPage::document("证明").turned(-3.0), 0);
    let stride = 640 * 4 + 12;
    let mut padded = vec![0u8; stride * 480];
    for y in 0..480 {
        padded[y * stride..y * stride + 640 * 4]
            .copy_from_slice(&frame.rgba[y * 640 * 4..(y + 1) * 640 * 4]);
    }
    let a = detect_page(&frame.view());
    let b = detect_page(&RgbaView::new(640, 480, stride, &padded));
    assert!(a.is_some());
    assert_eq!(a, b);
}

#[test]
fn grey_pages_are_smaller_than_colour() {
    let mut desk = SimulatedDesk::new(800, 600, 6);
    let frame = desk.render(&SimPage::document("法律援助申请表").turned(1.0), 0);
    let colour = scan(&frame.view(), &small_settings()).unwrap();
    let grey = scan(
        &frame.view(),
        &ScanSettings {
            colour: false,
            ..small_settings()
        },
    )
    .unwrap();
    assert!(grey.jpeg.len() < colour.jpeg.len());
    let img = image::load_from_memory(&grey.jpeg).unwrap();
    assert_eq!(img.color(), image::ColorType::L8);
}

#[test]
fn corners_outside_the_frame_still_give_a_page() {
    // Half the sheet hangs off the right edge: it is still found and cropped.
    let mut desk = SimulatedDesk::new(800, 600, 13);
    let frame = desk.render(&SimPage::document("证明").moved(0.42, 0.0), 0);
    let page = scan(&frame.view(), &small_settings()).unwrap();
    let corners: Quad = page.corners.unwrap();
    assert!(corners.top_left.x > 400.0 && corners.top_left.x < 800.0);
}
