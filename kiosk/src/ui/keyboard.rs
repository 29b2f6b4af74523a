//! Connects the on-screen keyboard (`ui/components/keyboard.slint`) to the pinyin engine: the
//! `KeyboardAdapter` global of any window that shows an `ImeKeyboard` is driven by a [`KeyboardController`].

use std::{cell::RefCell, rc::Rc};

use slint::{ComponentHandle, ModelRc, SharedString, VecModel};

use super::generated::{KeyboardAdapter, KeyboardMode};
use search::{Composer, Ime};

/// Candidates shown at a time in the candidate bar.
pub const CANDIDATES_PER_PAGE: usize = 5;

type Listener = Box<dyn Fn(&str)>;

struct State {
    composer: Composer,
    /// Called with the text and pending pinyin after every change.
    on_change: Option<Listener>,
    /// Called with the finished text when the done key is pressed.
    on_done: Option<Listener>,
}

/// Drives the `KeyboardAdapter` of one window: keys go into a [`Composer`], and the pending pinyin, the
/// candidate page and the text come back out. Dropping the controller leaves the callbacks connected.
#[derive(Clone)]
pub struct KeyboardController {
    state: Rc<RefCell<State>>,
    sync: Rc<dyn Fn(&Composer)>,
}

impl KeyboardController {
    /// Connects the keyboard of `component` (any window that declares or uses `KeyboardAdapter`). The text
    /// holds at most `max_chars` characters.
    pub fn attach<C>(component: &C, max_chars: usize) -> Self
    where
        C: ComponentHandle + 'static,
        for<'a> KeyboardAdapter<'a>: slint::Global<'a, C>,
    {
        let state = Rc::new(RefCell::new(State {
            composer: Composer::new(Ime::builtin(), CANDIDATES_PER_PAGE, max_chars),
            on_change: None,
            on_done: None,
        }));
        let weak = component.as_weak();
        let sync: Rc<dyn Fn(&Composer)> = Rc::new(move |composer: &Composer| {
            let Some(component) = weak.upgrade() else {
                return;
            };
            let adapter = component.global::<KeyboardAdapter>();
            adapter.set_text(composer.text().into());
            adapter.set_pinyin(composer.pinyin().into());
            let page: Vec<SharedString> = composer
                .page()
                .iter()
                .map(|c| SharedString::from(c.text.as_str()))
                .collect();
            adapter.set_candidates(ModelRc::new(VecModel::from(page)));
            adapter.set_has_previous_page(composer.has_previous_page());
            adapter.set_has_next_page(composer.has_next_page());
        });
        let controller = Self { state, sync };
        let adapter = component.global::<KeyboardAdapter>();
        adapter.on_key(controller.handler(|composer, key: SharedString| {
            let mut chars = key.chars();
            match (chars.next(), chars.next()) {
                (Some(' '), None) => composer.space(),
                (Some(c @ ('a'..='z' | '\'')), None) => {
                    composer.type_letter(c);
                }
                _ => {
                    composer.type_text(&key);
                }
            }
        }));
        let backspace = controller.handler(|composer, ()| composer.backspace());
        adapter.on_backspace(move || backspace(()));
        let clear = controller.handler(|composer, ()| composer.clear());
        adapter.on_clear(move || clear(()));
        adapter.on_candidate_picked(controller.handler(|composer, index: i32| {
            if let Ok(index) = usize::try_from(index) {
                composer.pick_candidate(index);
            }
        }));
        adapter.on_turn_page(controller.handler(|composer, delta: i32| composer.turn_page(delta)));
        adapter.on_done({
            let controller = controller.clone();
            move || controller.done()
        });
        controller.refresh();
        controller
    }

    /// A callback handler that edits the composer, then updates the keyboard and tells the listener.
    fn handler<A: 'static>(
        &self,
        edit: impl Fn(&mut Composer, A) + 'static,
    ) -> impl Fn(A) + 'static {
        let controller = self.clone();
        move |argument| {
            edit(&mut controller.state.borrow_mut().composer, argument);
            controller.refresh();
        }
    }

    fn refresh(&self) {
        let state = self.state.borrow();
        (self.sync)(&state.composer);
        if let Some(listener) = &state.on_change {
            listener(&state.composer.query());
        }
    }

    fn done(&self) {
        let text = self.state.borrow_mut().composer.finish();
        self.refresh();
        if let Some(listener) = &self.state.borrow().on_done {
            listener(&text);
        }
    }

    /// Calls `listener` with the text and any pending pinyin after every key: what a search box searches
    /// for as the citizen types.
    pub fn on_change(&self, listener: impl Fn(&str) + 'static) {
        self.state.borrow_mut().on_change = Some(Box::new(listener));
    }

    /// Calls `listener` with the finished text (pending pinyin kept as letters) when done is pressed.
    pub fn on_done(&self, listener: impl Fn(&str) + 'static) {
        self.state.borrow_mut().on_done = Some(Box::new(listener));
    }

    /// The text typed so far, without pending pinyin.
    pub fn text(&self) -> String {
        self.state.borrow().composer.text().to_owned()
    }

    /// The text followed by the pending pinyin.
    pub fn query(&self) -> String {
        self.state.borrow().composer.query()
    }

    /// Replaces the text (for editing a field that already has one) and drops pending pinyin.
    pub fn set_text(&self, text: &str) {
        self.state.borrow_mut().composer.set_text(text);
        self.refresh();
    }

    /// Empties the keyboard, as at the end of a citizen's session.
    pub fn reset(&self) {
        self.state.borrow_mut().composer.clear();
        self.refresh();
    }
}

/// Sets which keys show and whether letters may be chosen, on the window's `KeyboardAdapter`: a phone number
/// field shows digits only.
pub fn set_keyboard_mode<C>(component: &C, mode: KeyboardMode, letters_allowed: bool)
where
    C: ComponentHandle + 'static,
    for<'a> KeyboardAdapter<'a>: slint::Global<'a, C>,
{
    let adapter = component.global::<KeyboardAdapter>();
    adapter.set_mode(mode);
    adapter.set_letters_allowed(letters_allowed);
}
