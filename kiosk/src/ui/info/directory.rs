//! The lawyer and institution directory page (律师与机构): category tabs, filters by practice area and
//! township, pinyin search on the page's own keyboard, a list paged to fit the screen, and one entry
//! at a time.
//!
//! The directory and its search index are built once per content bundle ([`fill`]); a keystroke only
//! searches. The page drives its own [`Composer`] rather than the window's shared `KeyboardAdapter`,
//! so its search text is independent of any other page that types (a complaint form keeps its text,
//! the directory keeps its search).

pub mod entries;

use std::{
    cell::{Cell, RefCell},
    collections::HashMap,
    path::PathBuf,
    rc::{Rc, Weak},
};

use chrono::Datelike as _;
use slint::{ComponentHandle as _, Image, ModelRc, SharedString, VecModel};

use self::entries::{Category, Directory, Entry, Filter};
use super::InfoOptions;
use crate::ui::{AppWindow, DirectoryAdapter, DirectoryDetail, DirectoryOption, DirectoryRow};
use content::Content;
use search::{Composer, Ime};

/// Candidates shown at a time in the keyboard's candidate bar.
const CANDIDATES_PER_PAGE: usize = 5;
/// Most characters in the search text.
const MAX_QUERY_CHARS: usize = 20;
/// Photos kept decoded at most (the cache starts again beyond).
const MAX_CACHED_PHOTOS: usize = 64;
/// Longest side of a decoded photo, in pixels.
const PHOTO_MAX_SIDE: u32 = 480;
/// Rows per page until the layout says how many fit.
const DEFAULT_PAGE_SIZE: usize = 4;

/// Which picker is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Picker {
    Closed,
    Area,
    Township,
}

/// What the citizen did on the page, and the directory of the current bundle.
struct State {
    window: slint::Weak<AppWindow>,
    options: InfoOptions,
    directory: Option<Directory>,
    filter: Filter,
    composer: Option<Composer>,
    /// Page of the list (from 0).
    page: usize,
    /// Page of the open picker (from 0).
    picker_page: usize,
    picker: Picker,
    page_size: usize,
    /// The open entry's key.
    open: Option<String>,
    photos: HashMap<PathBuf, Image>,
    sample_notice: (String, String),
}

thread_local! {
    /// The page state of each window on this (the UI) thread, found through `DirectoryAdapter.instance`.
    static STATES: RefCell<Vec<(i32, Weak<RefCell<State>>)>> = const { RefCell::new(Vec::new()) };
    static NEXT_INSTANCE: Cell<i32> = const { Cell::new(1) };
}

fn state_of(window: &AppWindow) -> Option<Rc<RefCell<State>>> {
    let instance = window.global::<DirectoryAdapter>().get_instance();
    STATES.with(|states| {
        states
            .borrow()
            .iter()
            .find(|(id, _)| *id == instance)
            .and_then(|(_, state)| state.upgrade())
    })
}

/// Connects the page's callbacks.
pub(super) fn connect(window: &AppWindow, options: InfoOptions) {
    let state = Rc::new(RefCell::new(State {
        window: window.as_weak(),
        options,
        directory: None,
        filter: Filter::category(Category::default_for(options.tier)),
        composer: None,
        page: 0,
        picker_page: 0,
        picker: Picker::Closed,
        page_size: DEFAULT_PAGE_SIZE,
        open: None,
        photos: HashMap::new(),
        sample_notice: (String::new(), String::new()),
    }));
    let instance = NEXT_INSTANCE.with(|next| {
        let id = next.get();
        next.set(id.wrapping_add(1));
        id
    });
    STATES.with(|states| {
        let mut states = states.borrow_mut();
        states.retain(|(_, s)| s.strong_count() > 0);
        states.push((instance, Rc::downgrade(&state)));
    });
    let global = window.global::<DirectoryAdapter>();
    global.set_instance(instance);

    // Every callback edits the state, then the page is redrawn from it.
    let on = |edit: fn(&mut State, i32)| {
        let state = Rc::clone(&state);
        move |argument: i32| {
            edit(&mut state.borrow_mut(), argument);
            render(&mut state.borrow_mut());
        }
    };
    let on_text = |edit: fn(&mut State, &str)| {
        let state = Rc::clone(&state);
        move |argument: SharedString| {
            edit(&mut state.borrow_mut(), &argument);
            render(&mut state.borrow_mut());
        }
    };
    let on_unit = |edit: fn(&mut State)| {
        let state = Rc::clone(&state);
        move || {
            edit(&mut state.borrow_mut());
            render(&mut state.borrow_mut());
        }
    };
    global.on_select_category(on(|s, index| {
        if let Some(category) = Category::from_index(index) {
            s.filter.category = category;
            s.filter.area = None;
            s.picker = Picker::Closed;
            s.page = 0;
        }
    }));
    global.on_turn_page(on(|s, delta| {
        let page = if s.picker == Picker::Closed {
            &mut s.page
        } else {
            &mut s.picker_page
        };
        *page = page.saturating_add_signed(delta as isize);
        // `render` clamps to the last page.
    }));
    global.on_fit_rows(on(|s, rows| {
        let size = usize::try_from(rows).unwrap_or(1).max(1);
        if size != s.page_size {
            // Keep the first row on screen in view.
            let first = s.page * s.page_size;
            s.page = first / size;
            s.picker_page = s.picker_page * s.page_size / size;
            s.page_size = size;
        }
    }));
    global.on_open_picker(on(|s, which| {
        s.picker = match which {
            1 => Picker::Area,
            2 => Picker::Township,
            _ => Picker::Closed,
        };
        s.picker_page = 0;
    }));
    global.on_close_picker(on_unit(|s| s.picker = Picker::Closed));
    global.on_pick(on_text(|s, key| {
        let choice = (!key.is_empty()).then(|| key.to_owned());
        match s.picker {
            Picker::Area => s.filter.area = choice,
            Picker::Township => s.filter.township = choice,
            Picker::Closed => {}
        }
        s.picker = Picker::Closed;
        s.page = 0;
    }));
    global.on_open_entry(on_text(|s, key| {
        if s.directory.as_ref().and_then(|d| d.entry(key)).is_some() {
            s.open = Some(key.to_owned());
        } else {
            tracing::warn!("no directory entry {key}");
        }
    }));
    global.on_close_entry(on_unit(|s| s.open = None));
    global.on_key(on_text(|s, key| {
        let composer = s.composer();
        let mut chars = key.chars();
        match (chars.next(), chars.next()) {
            (Some(' '), None) => composer.space(),
            (Some(c @ ('a'..='z' | '\'')), None) => {
                composer.type_letter(c);
            }
            _ => {
                composer.type_text(key);
            }
        }
        s.search_changed();
    }));
    global.on_backspace(on_unit(|s| {
        s.composer().backspace();
        s.search_changed();
    }));
    global.on_clear_search(on_unit(|s| {
        s.composer().clear();
        s.search_changed();
    }));
    global.on_candidate_picked(on(|s, index| {
        if let Ok(index) = usize::try_from(index) {
            s.composer().pick_candidate(index);
            s.search_changed();
        }
    }));
    global.on_candidate_page(on(|s, delta| s.composer().turn_page(delta)));
}

impl State {
    fn composer(&mut self) -> &mut Composer {
        self.composer.get_or_insert_with(|| {
            Composer::new(Ime::builtin(), CANDIDATES_PER_PAGE, MAX_QUERY_CHARS)
        })
    }

    fn search_changed(&mut self) {
        self.filter.query = self
            .composer
            .as_ref()
            .map(Composer::query)
            .unwrap_or_default();
        self.page = 0;
        self.picker = Picker::Closed;
    }

    /// Back to how a new citizen finds the page.
    fn reset(&mut self) {
        self.filter = Filter::category(Category::default_for(self.options.tier));
        if let Some(composer) = &mut self.composer {
            composer.clear();
        }
        self.page = 0;
        self.picker_page = 0;
        self.picker = Picker::Closed;
        self.open = None;
    }

    fn photo(&mut self, path: Option<&PathBuf>) -> Option<Image> {
        let path = path?;
        if let Some(image) = self.photos.get(path) {
            return Some(image.clone());
        }
        match crate::ui::images::load_fitting(path, PHOTO_MAX_SIDE) {
            Ok(image) => {
                if self.photos.len() >= MAX_CACHED_PHOTOS {
                    self.photos.clear();
                }
                self.photos.insert(path.clone(), image.clone());
                Some(image)
            }
            Err(err) => {
                tracing::warn!("directory photo: {err}");
                None
            }
        }
    }
}

/// Fills the page from new content: builds the directory and its search index once for the bundle.
/// Filters that no longer apply are dropped; an open entry that is gone closes.
pub(super) fn fill(window: &AppWindow, content: &Content) {
    let Some(state) = state_of(window) else {
        return;
    };
    let mut s = state.borrow_mut();
    let directory = Directory::build(content);
    if s.filter
        .township
        .as_ref()
        .is_some_and(|t| !directory.townships().contains(t))
    {
        s.filter.township = None;
    }
    if s.filter.area.as_ref().is_some_and(|a| {
        !directory
            .areas(s.filter.category)
            .iter()
            .any(|p| &p.zh == a)
    }) {
        s.filter.area = None;
    }
    if s.open
        .as_ref()
        .is_some_and(|key| directory.entry(key).is_none())
    {
        s.open = None;
    }
    s.sample_notice = content
        .display
        .as_ref()
        .map(|d| {
            (
                d.sample_notice.zh.clone(),
                d.sample_notice.en_or_zh().to_owned(),
            )
        })
        .unwrap_or_default();
    s.photos.clear();
    s.directory = Some(directory);
    render(&mut s);
    window.global::<DirectoryAdapter>().set_ready(true);
}

/// Forgets what the citizen did on the page (session end).
pub(super) fn reset(window: &AppWindow) {
    window.global::<DirectoryAdapter>().set_typing(false);
    if let Some(state) = state_of(window) {
        let mut s = state.borrow_mut();
        s.reset();
        render(&mut s);
    }
}

fn pages(count: usize, size: usize) -> usize {
    count.div_ceil(size.max(1)).max(1)
}

/// Puts the state on screen.
fn render(s: &mut State) {
    let Some(window) = s.window.upgrade() else {
        return;
    };
    let global = window.global::<DirectoryAdapter>();
    let Some(directory) = s.directory.take() else {
        return;
    };
    let found = directory.find(&s.filter);
    let size = s.page_size.max(1);
    let list_pages = pages(found.len(), size);
    s.page = s.page.min(list_pages - 1);

    global.set_category(s.filter.category.index());
    global.set_total(found.len() as i32);
    let areas = directory.areas(s.filter.category);
    global.set_has_areas(!areas.is_empty());
    let area = s
        .filter
        .area
        .as_ref()
        .and_then(|a| areas.iter().find(|p| &p.zh == a));
    global.set_area(area.map(|p| p.zh.as_str()).unwrap_or_default().into());
    global.set_area_en(area.map(|p| p.en.as_str()).unwrap_or_default().into());
    global.set_township(s.filter.township.clone().unwrap_or_default().into());
    global.set_any_sample(found.iter().any(|e| e.sample));
    global.set_sample_notice(s.sample_notice.0.as_str().into());
    global.set_sample_notice_en(s.sample_notice.1.as_str().into());

    // The picker's options: 全部 first, then the category's areas or the townships.
    let options: Vec<DirectoryOption> = match s.picker {
        Picker::Closed => Vec::new(),
        Picker::Area => std::iter::once(option("", "全部", "All", s.filter.area.is_none()))
            .chain(areas.iter().map(|a| {
                option(
                    &a.zh,
                    &a.zh,
                    &a.en,
                    s.filter.area.as_deref() == Some(a.zh.as_str()),
                )
            }))
            .collect(),
        Picker::Township => std::iter::once(option("", "全部", "All", s.filter.township.is_none()))
            .chain(
                directory
                    .townships()
                    .iter()
                    .map(|t| option(t, t, t, s.filter.township.as_deref() == Some(t.as_str()))),
            )
            .collect(),
    };
    if s.picker == Picker::Closed {
        let rows: Vec<DirectoryRow> = found
            .iter()
            .skip(s.page * size)
            .take(size)
            .map(|entry| row(s, entry))
            .collect();
        global.set_rows(ModelRc::new(VecModel::from(rows)));
        global.set_options(ModelRc::default());
        global.set_page(s.page as i32 + 1);
        global.set_pages(list_pages as i32);
    } else {
        let option_pages = pages(options.len(), size);
        s.picker_page = s.picker_page.min(option_pages - 1);
        let page: Vec<DirectoryOption> = options
            .into_iter()
            .skip(s.picker_page * size)
            .take(size)
            .collect();
        global.set_rows(ModelRc::default());
        global.set_options(ModelRc::new(VecModel::from(page)));
        global.set_page(s.picker_page as i32 + 1);
        global.set_pages(option_pages as i32);
    }
    global.set_picker(match s.picker {
        Picker::Closed => 0,
        Picker::Area => 1,
        Picker::Township => 2,
    });

    // The open entry.
    match s.open.as_ref().and_then(|key| directory.entry(key)) {
        Some(entry) => {
            let detail = detail(s, entry);
            global.set_detail(detail);
            global.set_showing(true);
        }
        None => {
            global.set_showing(false);
            global.set_detail(DirectoryDetail::default());
        }
    }

    // The keyboard.
    let (query, pinyin, candidates, previous, next) = match &s.composer {
        Some(c) => (
            c.text().to_owned(),
            c.pinyin().to_owned(),
            c.page()
                .iter()
                .map(|c| SharedString::from(c.text.as_str()))
                .collect(),
            c.has_previous_page(),
            c.has_next_page(),
        ),
        None => (String::new(), String::new(), Vec::new(), false, false),
    };
    global.set_query(query.into());
    global.set_pinyin(pinyin.into());
    global.set_candidates(ModelRc::new(VecModel::from(candidates)));
    global.set_has_previous_candidates(previous);
    global.set_has_next_candidates(next);
    s.directory = Some(directory);
}

fn option(key: &str, label: &str, label_en: &str, selected: bool) -> DirectoryOption {
    DirectoryOption {
        key: key.into(),
        label: label.into(),
        label_en: label_en.into(),
        selected,
    }
}

fn row(s: &mut State, entry: &Entry) -> DirectoryRow {
    let photo = s.photo(entry.photo.as_ref());
    DirectoryRow {
        key: entry.key.as_str().into(),
        name: entry.name.zh.as_str().into(),
        name_en: entry.name.en.as_str().into(),
        line: entry.line.zh.as_str().into(),
        line_en: entry.line.en.as_str().into(),
        place: entry.place.as_str().into(),
        has_photo: photo.is_some(),
        photo: photo.unwrap_or_default(),
        sample: entry.sample,
    }
}

fn detail(s: &mut State, entry: &Entry) -> DirectoryDetail {
    let photo = s.photo(entry.photo.as_ref());
    let year = chrono::Local::now().year();
    let since = entry.since.map_or(0, i32::from);
    DirectoryDetail {
        key: entry.key.as_str().into(),
        name: entry.name.zh.as_str().into(),
        name_en: entry.name.en.as_str().into(),
        kind: entry.kind.zh.as_str().into(),
        kind_en: entry.kind.en.as_str().into(),
        organisation: entry.organisation.zh.as_str().into(),
        organisation_en: entry.organisation.en.as_str().into(),
        areas: if entry.is_person {
            entry
                .areas
                .iter()
                .map(|a| a.zh.as_str())
                .collect::<Vec<_>>()
                .join("、")
                .into()
        } else {
            SharedString::default()
        },
        areas_en: if entry.is_person {
            entry
                .areas
                .iter()
                .map(|a| a.en.as_str())
                .collect::<Vec<_>>()
                .join(", ")
                .into()
        } else {
            SharedString::default()
        },
        licence: entry.licence.as_str().into(),
        since,
        years: if since > 0 { (year - since).max(0) } else { 0 },
        serves: entry.serves.as_str().into(),
        address: entry.address.as_str().into(),
        phone: entry.phone.as_str().into(),
        hours: entry.hours.zh.as_str().into(),
        hours_en: entry.hours.en.as_str().into(),
        services: entry.services.zh.as_str().into(),
        services_en: entry.services.en.as_str().into(),
        has_photo: photo.is_some(),
        photo: photo.unwrap_or_default(),
        sample: entry.sample,
        is_person: entry.is_person,
    }
}
