//! The simulated LED panel in a development window: a frame sent from the panel's thread reaches the
//! window on the UI thread, dot for dot (lit LEDs red, unlit dark, gaps black), and still reaches the
//! sink behind it.

use std::sync::{Arc, Mutex};

use kiosk::ui::LedWindow;

use displays::led::{LedSink, MonoFrame, SinkError};
use kiosk::ui::led_window::{WINDOW_SCALE, WindowSink};

/// A sink that keeps what it was shown.
#[derive(Clone, Default)]
struct Kept(Arc<Mutex<Vec<MonoFrame>>>);

impl LedSink for Kept {
    fn show(&mut self, frame: &MonoFrame) -> Result<(), SinkError> {
        self.0.lock().unwrap().push(frame.clone());
        Ok(())
    }
}

#[test]
fn a_frame_from_the_panel_thread_shows_in_the_window_and_reaches_the_png_sink() {
    i_slint_backend_testing::init_integration_test_with_system_time();
    let window = LedWindow::new().unwrap();
    let kept = Kept::default();
    let mut sink = WindowSink::new(&window, Some(Box::new(kept.clone())));
    let mut frame = MonoFrame::new(8, 4);
    frame.set(2, 1, true);

    let panel = std::thread::spawn(move || {
        sink.show(&frame).expect("the window takes the frame");
        // Queued after the frame: the event loop has drawn it when this runs.
        slint::invoke_from_event_loop(|| {
            let _ = slint::quit_event_loop();
        })
        .unwrap();
    });
    slint::run_event_loop_until_quit().unwrap();
    panel.join().unwrap();

    let image = window.get_frame();
    assert_eq!(
        (image.size().width, image.size().height),
        (8 * WINDOW_SCALE, 4 * WINDOW_SCALE)
    );
    let pixels = image.to_rgba8().expect("an RGBA picture");
    let at = |led_x: u32, led_y: u32| {
        let (x, y) = (led_x * WINDOW_SCALE + 1, led_y * WINDOW_SCALE + 1);
        pixels.as_slice()[(y * pixels.width() + x) as usize]
    };
    let lit = at(2, 1);
    let dark = at(0, 0);
    assert!(lit.r > 200 && lit.g < 100, "a lit LED is red: {lit:?}");
    assert!(dark.r < 100, "an unlit LED is dark: {dark:?}");
    let gap = pixels.as_slice()[(WINDOW_SCALE - 1) as usize];
    assert_eq!(
        (gap.r, gap.g, gap.b),
        (0, 0, 0),
        "gaps between LEDs are black"
    );
    assert_eq!(
        kept.0.lock().unwrap().len(),
        1,
        "the PNG sink still gets it"
    );
}
