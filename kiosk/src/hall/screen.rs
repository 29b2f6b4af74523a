//! The hall screen's window: a [`HallView`] pushed into the Slint `HallWindow`.

use std::rc::Rc;

use slint::{ComponentHandle, ModelRc, SharedString, VecModel};

use super::{CallView, HallView};
use crate::ui::{HallCall, HallService, HallSlide, HallWindow};
use crate::video::ShownFrame;

/// The hall window and the view it shows.
pub struct HallScreen {
    window: HallWindow,
    shown: Option<HallView>,
    /// Whether the video on show has a picture yet (its poster or a frame): until then the slide stays,
    /// so a clip being checked or failing never leaves the area black.
    has_picture: bool,
}

impl std::fmt::Debug for HallScreen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HallScreen")
            .field("shown", &self.shown)
            .finish_non_exhaustive()
    }
}

fn call(c: &CallView) -> HallCall {
    HallCall {
        number: c.number.as_str().into(),
        window_name: c.window_name.as_str().into(),
        window_name_en: c.window_name_en.as_str().into(),
        recall: c.recall,
    }
}

impl HallScreen {
    /// Creates the window with the centre's names in the header.
    pub fn new(centre_name: &str, centre_name_en: &str) -> Result<Self, slint::PlatformError> {
        let window = HallWindow::new()?;
        window.set_centre_name(centre_name.into());
        window.set_centre_name_en(centre_name_en.into());
        Ok(Self {
            window,
            shown: None,
            has_picture: false,
        })
    }

    /// The Slint window.
    pub fn window(&self) -> &HallWindow {
        &self.window
    }

    /// Shows `view`; `flash_on` is the phase of a flashing call.
    pub fn apply(&mut self, view: &HallView, flash_on: bool) {
        let w = &self.window;
        w.set_flash_on(flash_on);
        if self.shown.as_ref() == Some(view) {
            return;
        }
        w.set_clock(SharedString::from(view.clock.as_str()));
        w.set_connected(view.connected);
        w.set_calling(view.calling.is_some());
        w.set_highlighted(view.highlighted);
        if let Some(current) = &view.calling {
            w.set_current(call(current));
        }
        w.set_recent(ModelRc::from(Rc::new(VecModel::from(
            view.recent.iter().map(call).collect::<Vec<_>>(),
        ))));
        w.set_services(ModelRc::from(Rc::new(VecModel::from(
            view.services
                .iter()
                .map(|s| HallService {
                    name: s.name.as_str().into(),
                    name_en: s.name_en.as_str().into(),
                    prefix: s.prefix.as_str().into(),
                    waiting: i32::try_from(s.waiting).unwrap_or(i32::MAX),
                })
                .collect::<Vec<_>>(),
        ))));
        if let Some(video) = &view.video {
            w.set_video_title(video.title.as_str().into());
            w.set_video_title_en(video.title_en.as_str().into());
            w.set_video_sample(video.sample);
            let changed = self
                .shown
                .as_ref()
                .and_then(|s| s.video.as_ref())
                .map(|v| &v.id)
                != Some(&video.id);
            if changed {
                // The poster (or nothing) until the clip's first frame.
                let poster = video
                    .poster
                    .as_deref()
                    .and_then(|p| crate::ui::images::load(p).ok());
                self.has_picture = poster.is_some();
                w.set_video_frame(poster.unwrap_or_default());
                w.set_video_subtitle(SharedString::new());
            }
        } else {
            self.has_picture = false;
        }
        w.set_video_on(view.video.is_some() && self.has_picture);
        w.set_slide(HallSlide {
            title: view.slide.title.as_str().into(),
            title_en: view.slide.title_en.as_str().into(),
            body: view.slide.body.as_str().into(),
            body_en: view.slide.body_en.as_str().into(),
        });
        self.shown = Some(view.clone());
    }

    /// Puts a video frame and its subtitle on screen.
    pub fn show_frame(&mut self, frame: ShownFrame) {
        let w = &self.window;
        w.set_video_frame(slint::Image::from_rgba8(frame.pixels));
        if !self.has_picture && self.shown.as_ref().is_some_and(|v| v.video.is_some()) {
            self.has_picture = true;
            w.set_video_on(true);
        }
        if w.get_video_subtitle() != frame.subtitle.as_str() {
            w.set_video_subtitle(frame.subtitle.into());
        }
    }

    /// Shows the window.
    pub fn show(&self) -> Result<(), slint::PlatformError> {
        self.window.show()
    }
}
