//! The app-wide parts every page uses: navigation history, the idle timeout, language and elderly mode.
//!
//! A *session* is one citizen's use of the kiosk. It ends when they tap 首页 (home) or when nobody touches
//! the screen for the idle timeout; then the history, the language, elderly mode and everything registered
//! with [`Shell::on_session_end`] (such as ID card data) are dropped.

use std::{cell::RefCell, rc::Rc, sync::Arc, time::Duration};

use clock::{SystemWallClock, WallClock};

use slint::{ComponentHandle, Timer, TimerMode};

use super::{AppWindow, Nav, Page, Session, TechnicianAdapter, Theme};
use crate::config::{KioskConfig, Language};

/// What the shell needs from the configuration.
#[derive(Debug, Clone)]
pub struct ShellOptions {
    /// The centre's name for the home screen.
    pub centre_name: String,
    /// The centre's English name.
    pub centre_name_en: String,
    /// Idle time after which the session ends.
    pub idle_timeout: Duration,
    /// The language a session starts in.
    pub language: Language,
    /// Whether a session starts in elderly mode.
    pub elderly_mode: bool,
    /// Keep the header clock ticking (off for screenshots, which show a fixed time).
    pub live_clock: bool,
}

impl ShellOptions {
    /// Takes the shell's options from the kiosk configuration.
    pub fn from_config(config: &KioskConfig) -> Self {
        Self {
            centre_name: config.site.name.clone(),
            centre_name_en: config.site.name_en.clone(),
            idle_timeout: Duration::from_secs(config.ui.idle_timeout_secs),
            language: config.ui.language,
            elderly_mode: config.ui.elderly_mode,
            live_clock: true,
        }
    }
}

type SessionEndHook = Box<dyn Fn()>;
type ActivityHook = Box<dyn Fn()>;

struct State {
    options: ShellOptions,
    history: Vec<Page>,
    session_end_hooks: Vec<SessionEndHook>,
    activity_hooks: Vec<ActivityHook>,
}

/// The main window with navigation, idle timeout and session settings wired up.
pub struct Shell {
    window: AppWindow,
    state: Rc<RefCell<State>>,
    _idle_timer: Rc<Timer>,
    _clock_timer: Timer,
    wall: Rc<RefCell<Arc<dyn WallClock>>>,
}

impl Shell {
    /// Creates the main window. The Slint platform (winit, testing or headless) must be chosen before.
    pub fn new(options: ShellOptions) -> Result<Self, slint::PlatformError> {
        let window = AppWindow::new()?;
        window
            .global::<Session>()
            .set_centre_name(options.centre_name.as_str().into());
        window
            .global::<Session>()
            .set_centre_name_en(options.centre_name_en.as_str().into());
        let live_clock = options.live_clock;
        let state = Rc::new(RefCell::new(State {
            options,
            history: Vec::new(),
            session_end_hooks: Vec::new(),
            activity_hooks: Vec::new(),
        }));
        let idle_timer = Rc::new(Timer::default());

        let nav = window.global::<Nav>();
        nav.on_go({
            let (weak, state, timer) = (window.as_weak(), state.clone(), idle_timer.clone());
            move |page| {
                let Some(window) = weak.upgrade() else { return };
                // The technician page opens only once its PIN is accepted (see `ui::technician`).
                if page == Page::Technician && !window.global::<TechnicianAdapter>().get_unlocked()
                {
                    tracing::warn!("the technician page is locked: navigation refused");
                    return;
                }
                let nav = window.global::<Nav>();
                let current = nav.get_page();
                if current != page {
                    state.borrow_mut().history.push(current);
                    nav.set_page(page);
                    nav.set_can_go_back(true);
                }
                restart_idle_timer(&window, &state, &timer);
            }
        });
        nav.on_back({
            let (weak, state) = (window.as_weak(), state.clone());
            move || {
                let Some(window) = weak.upgrade() else { return };
                let previous = state.borrow_mut().history.pop();
                match previous {
                    Some(Page::Home) | None => end_session(&window, &state),
                    Some(page) => {
                        let nav = window.global::<Nav>();
                        nav.set_page(page);
                        nav.set_can_go_back(!state.borrow().history.is_empty());
                    }
                }
            }
        });
        nav.on_home({
            let (weak, state) = (window.as_weak(), state.clone());
            move || {
                if let Some(window) = weak.upgrade() {
                    end_session(&window, &state);
                }
            }
        });
        nav.on_activity({
            let (weak, state, timer) = (window.as_weak(), state.clone(), idle_timer.clone());
            move || {
                if let Some(window) = weak.upgrade() {
                    restart_idle_timer(&window, &state, &timer);
                }
            }
        });

        let session = window.global::<Session>();
        session.on_toggle_language({
            let weak = window.as_weak();
            move || {
                if let Some(window) = weak.upgrade() {
                    let english = !window.global::<Session>().get_english();
                    set_language(&window, if english { Language::En } else { Language::Zh });
                }
            }
        });
        session.on_toggle_elderly({
            let weak = window.as_weak();
            move || {
                if let Some(window) = weak.upgrade() {
                    let theme = window.global::<Theme>();
                    theme.set_elderly(!theme.get_elderly());
                }
            }
        });

        let clock_timer = Timer::default();
        let wall: Rc<RefCell<Arc<dyn WallClock>>> =
            Rc::new(RefCell::new(Arc::new(SystemWallClock)));
        set_clock(&window, wall.borrow().as_ref());
        if live_clock {
            let weak = window.as_weak();
            let wall = Rc::clone(&wall);
            clock_timer.start(TimerMode::Repeated, Duration::from_secs(1), move || {
                if let Some(window) = weak.upgrade() {
                    set_clock(&window, wall.borrow().as_ref());
                }
            });
        }

        apply_session_defaults(&window, &state.borrow().options);
        Ok(Self {
            window,
            state,
            _idle_timer: idle_timer,
            _clock_timer: clock_timer,
            wall,
        })
    }

    /// The Slint window.
    pub fn window(&self) -> &AppWindow {
        &self.window
    }

    /// Registers something to forget when a session ends (ID card data, a half-filled form…).
    pub fn on_session_end(&self, hook: impl Fn() + 'static) {
        self.state
            .borrow_mut()
            .session_end_hooks
            .push(Box::new(hook));
    }

    /// Registers something to do on every touch or navigation: the board keeps the backlight up,
    /// the attract loop ends.
    pub fn on_activity(&self, hook: impl Fn() + 'static) {
        self.state.borrow_mut().activity_hooks.push(Box::new(hook));
    }

    /// Counts as a touch: restarts the idle timeout and leaves the idle publicity loop (someone stepped
    /// in front of the presence sensor).
    pub fn activity(&self) {
        self.window.global::<Nav>().invoke_activity();
    }

    /// Opens a page as if the citizen had tapped its tile.
    pub fn go(&self, page: Page) {
        self.window.global::<Nav>().invoke_go(page);
    }

    /// The page on screen.
    pub fn page(&self) -> Page {
        self.window.global::<Nav>().get_page()
    }

    /// Ends the session now: home, defaults back, per-session data dropped.
    pub fn end_session(&self) {
        end_session(&self.window, &self.state);
    }

    /// Sets the language of the current session.
    pub fn set_language(&self, language: Language) {
        set_language(&self.window, language);
    }

    /// Reads the header clock from `wall` from now on (the system clock until this is called).
    pub fn use_wall_clock(&self, wall: Arc<dyn WallClock>) {
        set_clock(&self.window, wall.as_ref());
        *self.wall.borrow_mut() = wall;
    }

    /// Shows a fixed time in the header (for reproducible screenshots).
    pub fn set_clock_text(&self, text: &str) {
        self.window.global::<Session>().set_clock(text.into());
    }
}

fn restart_idle_timer(window: &AppWindow, state: &Rc<RefCell<State>>, timer: &Rc<Timer>) {
    for hook in &state.borrow().activity_hooks {
        hook();
    }
    let timeout = state.borrow().options.idle_timeout;
    let (weak, state) = (window.as_weak(), state.clone());
    timer.start(TimerMode::SingleShot, timeout, move || {
        if let Some(window) = weak.upgrade() {
            tracing::info!("idle for {timeout:?}: session ended");
            end_session(&window, &state);
        }
    });
}

fn end_session(window: &AppWindow, state: &Rc<RefCell<State>>) {
    let nav = window.global::<Nav>();
    nav.set_page(Page::Home);
    nav.set_can_go_back(false);
    window.global::<TechnicianAdapter>().set_unlocked(false);
    let mut state_ref = state.borrow_mut();
    state_ref.history.clear();
    for hook in &state_ref.session_end_hooks {
        hook();
    }
    apply_session_defaults(window, &state_ref.options);
}

fn apply_session_defaults(window: &AppWindow, options: &ShellOptions) {
    window.global::<Theme>().set_elderly(options.elderly_mode);
    set_language(window, options.language);
}

fn set_language(window: &AppWindow, language: Language) {
    // The empty name selects the source language, Simplified Chinese.
    let code = match language {
        Language::Zh => "",
        Language::En => "en",
    };
    match slint::select_bundled_translation(code) {
        Ok(()) => window
            .global::<Session>()
            .set_english(language == Language::En),
        Err(err) => tracing::error!("cannot switch the UI language to {language:?}: {err}"),
    }
}

fn set_clock(window: &AppWindow, wall: &dyn WallClock) {
    let now = wall.now().with_timezone(&chrono::Local);
    window
        .global::<Session>()
        .set_clock(now.format("%Y-%m-%d %H:%M").to_string().into());
}
