//! The information pages: service guides and the other pages fed by the content store.
//!
//! [`InfoPages`] fills the pages' Slint globals from a [`Content`] snapshot and answers their
//! callbacks. The running kiosk hands it the store's current content and lets it follow the store
//! ([`InfoPages::follow`]), so a new bundle shows without a restart; tests and screenshots hand it
//! a snapshot with [`InfoPages::attach`] alone.

pub mod about;
pub mod directory;
pub mod feedback;
pub mod guides;
pub mod legal_aid;
pub mod publicity;

use std::{
    collections::{BTreeMap, BTreeSet},
    rc::Rc,
    sync::{Arc, Mutex, PoisonError},
};

use chrono::NaiveDate;
use slint::ComponentHandle as _;

use super::take_number::directory::Directory;
use super::{AppWindow, Shell};
use crate::config::{KioskConfig, SiteKind};
use content::{Content, ContentStore, Outbox, SiteTier, Text};
use queue::QueueConfig;

/// Which site the device serves (it decides which services the pages list), and the day by which
/// publicity and notices are judged valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InfoOptions {
    /// The tier of this device's site.
    pub tier: SiteTier,
    /// The day items are judged valid on; none: today by the local clock, asked each time.
    pub today: Option<NaiveDate>,
}

impl InfoOptions {
    /// The options from the kiosk configuration (`[site] kind`).
    pub fn from_config(config: &KioskConfig) -> Self {
        Self {
            tier: match config.site.kind {
                SiteKind::Centre => SiteTier::Centre,
                SiteKind::Station => SiteTier::Station,
                SiteKind::Room => SiteTier::Room,
            },
            today: None,
        }
    }

    /// The day items are judged valid on.
    pub fn today(&self) -> NaiveDate {
        self.today
            .unwrap_or_else(|| chrono::Local::now().date_naive())
    }
}

impl Default for InfoOptions {
    fn default() -> Self {
        Self {
            tier: SiteTier::Centre,
            today: None,
        }
    }
}

/// The windows that serve each service at this device's own site, from its queue configuration:
/// what the guides' `{window}` placeholders and window lines show. Empty at a site without a queue
/// (a village room), where the guides say "窗口 / the window" and their tier wording applies.
#[derive(Debug, Clone, Default)]
pub struct GuideWindows {
    hints: Arc<BTreeMap<String, Text>>,
    ticketed: Arc<BTreeSet<String>>,
    counters: Arc<Vec<(u32, Text)>>,
}

impl GuideWindows {
    /// The hints of every service the queue configuration names (`3号窗口、4号窗口` / `Window 3, Window 4`).
    pub fn from_queue(config: &QueueConfig) -> Self {
        let directory = Directory::new(config.services.clone(), config.windows.clone());
        let hints = config
            .services
            .iter()
            .filter_map(|service| {
                let hint = directory.window_hint(&service.id)?;
                Some((service.id.clone(), Text::new(hint.zh, hint.en)))
            })
            .collect();
        let ticketed = config.services.iter().map(|s| s.id.clone()).collect();
        let counters = config
            .windows
            .iter()
            .map(|w| (w.id, Text::new(w.name_zh.clone(), w.name_en.clone())))
            .collect();
        Self {
            hints: Arc::new(hints),
            ticketed: Arc::new(ticketed),
            counters: Arc::new(counters),
        }
    }

    /// What a site of `tier` shows when its own queue configuration is not at hand (tests,
    /// screenshots): the default queue's windows at the centre, none elsewhere.
    pub fn default_for(tier: SiteTier) -> Self {
        match tier {
            SiteTier::Centre => Self::from_queue(&QueueConfig::default()),
            SiteTier::Station | SiteTier::Room => Self::default(),
        }
    }

    /// The windows that serve `service`, when the queue names any.
    pub fn get(&self, service: &str) -> Option<&Text> {
        self.hints.get(service)
    }

    /// The site's windows by number, with their names (`3号窗口 法律援助` / `Window 3 Legal aid`),
    /// in the queue configuration's order: what a rating may name.
    pub fn counters(&self) -> &[(u32, Text)] {
        &self.counters
    }

    /// Whether this site issues tickets for `service` (the guide then offers 取号办理).
    pub fn issues_tickets_for(&self, service: &str) -> bool {
        self.ticketed.contains(service)
    }
}

/// The content on screen, shared with the task that follows the store.
type Shared = Arc<Mutex<Arc<Content>>>;

/// The controller of the information pages.
pub struct InfoPages {
    content: Shared,
    options: InfoOptions,
    windows: GuideWindows,
    window: slint::Weak<AppWindow>,
    attract: std::cell::OnceCell<publicity::AttractLoop>,
    outbox: feedback::OutboxSlot,
    lookup: feedback::LookupSlot,
}

impl InfoPages {
    /// Fills the pages from `content` and answers their callbacks; the guides name the windows of
    /// the default queue at the centre and none elsewhere (see [`InfoPages::attach_with_windows`]).
    pub fn attach(shell: &Shell, content: Arc<Content>, options: InfoOptions) -> Rc<Self> {
        Self::attach_with_windows(
            shell,
            content,
            options,
            GuideWindows::default_for(options.tier),
        )
    }

    /// Fills the pages from `content` and answers their callbacks; the guides name the windows
    /// `windows` gives for each service.
    pub fn attach_with_windows(
        shell: &Shell,
        content: Arc<Content>,
        options: InfoOptions,
        windows: GuideWindows,
    ) -> Rc<Self> {
        let window = shell.window();
        // A village room has no queue: its home screen offers no tickets.
        window
            .global::<crate::ui::Session>()
            .set_take_number_offered(options.tier != SiteTier::Room);
        let pages = Rc::new(Self {
            content: Arc::new(Mutex::new(content)),
            options,
            windows: windows.clone(),
            window: window.as_weak(),
            attract: std::cell::OnceCell::new(),
            outbox: feedback::OutboxSlot::default(),
            lookup: feedback::LookupSlot::default(),
        });
        guides::connect(window, &pages.content, options, windows);
        directory::connect(window, options);
        legal_aid::connect(window, &pages.content);
        feedback::connect(window, &pages.outbox, &pages.lookup);
        publicity::connect(window);
        about::connect(window);
        shell.on_session_end({
            let weak = window.as_weak();
            move || {
                if let Some(window) = weak.upgrade() {
                    guides::reset(&window);
                    directory::reset(&window);
                    legal_aid::reset(&window);
                    feedback::reset(&window);
                    publicity::reset(&window);
                    about::reset(&window);
                }
            }
        });
        pages.show(pages.current());
        let _ = pages.attract.set(publicity::AttractLoop::attach(
            shell,
            &pages.content,
            options,
        ));
        pages
    }

    /// Starts the attract loop now, as a quiet spell on the home screen would (for screenshots and
    /// demonstrations); a touch ends it as usual.
    pub fn start_attract(&self) {
        if let Some(attract) = self.attract.get() {
            attract.start_now();
        }
    }

    /// Whether the home screen's attract loop is on screen.
    pub fn attract_running(&self) -> bool {
        self.attract
            .get()
            .is_some_and(publicity::AttractLoop::running)
    }

    /// Gives the pages the outbox that keeps complaints and ratings until the centre has them. Without
    /// one (screenshots, some tests) the feedback page says it cannot save now.
    pub fn set_outbox(&self, outbox: Outbox) {
        *self.outbox.borrow_mut() = Some(outbox);
    }

    /// Gives the complaints page the centre's receipt lookup (its 进度查询 tab). Without one the tab
    /// says this device cannot ask the centre. Call on the UI thread.
    pub fn set_receipt_lookup(&self, lookup: feedback::status::ReceiptLookup) {
        *self.lookup.borrow_mut() = Some(lookup);
        if let Some(window) = self.window.upgrade() {
            window
                .global::<crate::ui::FeedbackAdapter>()
                .set_lookup_available(true);
        }
    }

    /// The content on screen.
    pub fn current(&self) -> Arc<Content> {
        Arc::clone(&self.content.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Shows new content (a new bundle arrived). Call on the UI thread.
    pub fn show(&self, content: Arc<Content>) {
        show(
            &self.window,
            &self.content,
            self.options,
            &self.windows,
            content,
        );
    }

    /// Follows the store: every new bundle is shown without a restart. The task ends with the runtime.
    pub fn follow(
        &self,
        store: &ContentStore,
        runtime: &tokio::runtime::Handle,
    ) -> tokio::task::JoinHandle<()> {
        let mut updates = store.subscribe();
        let shared = Arc::clone(&self.content);
        let window = self.window.clone();
        let options = self.options;
        let windows = self.windows.clone();
        runtime.spawn(async move {
            while updates.changed().await.is_ok() {
                let content = Arc::clone(&updates.borrow_and_update());
                let shared = Arc::clone(&shared);
                let window = window.clone();
                let windows = windows.clone();
                let result = slint::invoke_from_event_loop(move || {
                    show(&window, &shared, options, &windows, content);
                });
                if result.is_err() {
                    break;
                }
            }
        })
    }
}

fn show(
    window: &slint::Weak<AppWindow>,
    shared: &Shared,
    options: InfoOptions,
    windows: &GuideWindows,
    content: Arc<Content>,
) {
    *shared.lock().unwrap_or_else(PoisonError::into_inner) = Arc::clone(&content);
    if let Some(window) = window.upgrade() {
        guides::fill(&window, &content, options, windows);
        directory::fill(&window, &content);
        legal_aid::fill(&window, &content);
        feedback::fill(&window, &content, options, windows);
        publicity::fill(&window, &content, options);
        about::fill(&window, &content, options);
        tracing::debug!(
            "information pages show content with {} services",
            content.services.len()
        );
    }
}
