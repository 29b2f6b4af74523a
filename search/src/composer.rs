//! One text being typed on the on-screen keyboard: what is already converted, the pinyin still pending, and
//! the page of candidates on show.

use super::ime::{Candidate, Ime};

/// How many candidates are looked up for one input; pages show a slice of them.
const LOOKUP: usize = 60;

/// The longest pending pinyin, in letters; more letters are refused until some are converted.
const MAX_PINYIN: usize = 32;

/// The state of one text being typed: converted text, pending pinyin and the candidate page.
#[derive(Debug)]
pub struct Composer {
    ime: &'static Ime,
    text: String,
    pinyin: String,
    candidates: Vec<Candidate>,
    page: usize,
    page_size: usize,
    max_chars: usize,
}

impl Composer {
    /// An empty text. `page_size` candidates show at a time (at least one); the text holds at most
    /// `max_chars` characters.
    pub fn new(ime: &'static Ime, page_size: usize, max_chars: usize) -> Self {
        Self {
            ime,
            text: String::new(),
            pinyin: String::new(),
            candidates: Vec::new(),
            page: 0,
            page_size: page_size.max(1),
            max_chars,
        }
    }

    /// The converted text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The pinyin typed but not yet converted.
    pub fn pinyin(&self) -> &str {
        &self.pinyin
    }

    /// The text followed by the pending pinyin: what a search box searches for, since the search engine
    /// understands pinyin directly.
    pub fn query(&self) -> String {
        format!("{}{}", self.text, self.pinyin)
    }

    /// Types a pinyin letter (`a`–`z`, `ü` as `v`) or an apostrophe between syllables. Returns whether it
    /// was taken (not when the pending pinyin is full, or for an apostrophe with no pinyin before it).
    pub fn type_letter(&mut self, c: char) -> bool {
        let c = match c {
            'a'..='z' | '\'' => c,
            'A'..='Z' => c.to_ascii_lowercase(),
            'ü' | 'Ü' => 'v',
            _ => return false,
        };
        let full = self.pinyin.len() >= MAX_PINYIN || self.char_count() >= self.max_chars;
        if full || (c == '\'' && (self.pinyin.is_empty() || self.pinyin.ends_with('\''))) {
            return false;
        }
        self.pinyin.push(c);
        self.refresh();
        true
    }

    /// Types text as it is (digits, punctuation, a space). Pending pinyin is kept as letters first. Returns
    /// whether all of it fitted.
    pub fn type_text(&mut self, s: &str) -> bool {
        self.keep_pinyin_as_letters();
        let mut all = true;
        for c in s.chars() {
            if self.char_count() < self.max_chars {
                self.text.push(c);
            } else {
                all = false;
            }
        }
        all
    }

    /// The space key: converts with the first candidate when pinyin is pending, otherwise types a space.
    pub fn space(&mut self) {
        if self.pinyin.is_empty() {
            self.type_text(" ");
        } else if !self.pick_candidate(0) {
            self.keep_pinyin_as_letters();
        }
    }

    /// Deletes the last pinyin letter, or else the last character of the text.
    pub fn backspace(&mut self) {
        if self.pinyin.pop().is_some() {
            self.refresh();
        } else {
            self.text.pop();
        }
    }

    /// Empties the text and the pending pinyin.
    pub fn clear(&mut self) {
        self.text.clear();
        self.pinyin.clear();
        self.refresh();
    }

    /// Replaces everything with the given text (no pending pinyin).
    pub fn set_text(&mut self, text: &str) {
        self.pinyin.clear();
        self.text = text.chars().take(self.max_chars).collect();
        self.refresh();
    }

    /// The candidates on the current page.
    pub fn page(&self) -> &[Candidate] {
        let start = (self.page * self.page_size).min(self.candidates.len());
        let end = (start + self.page_size).min(self.candidates.len());
        &self.candidates[start..end]
    }

    /// Whether there is a page before the current one.
    pub fn has_previous_page(&self) -> bool {
        self.page > 0
    }

    /// Whether there is a page after the current one.
    pub fn has_next_page(&self) -> bool {
        (self.page + 1) * self.page_size < self.candidates.len()
    }

    /// Moves `delta` pages forwards (or backwards when negative), staying within the candidates.
    pub fn turn_page(&mut self, delta: i32) {
        let pages = self.candidates.len().div_ceil(self.page_size).max(1);
        let target = i64::try_from(self.page).unwrap_or(0) + i64::from(delta);
        self.page =
            usize::try_from(target.clamp(0, i64::try_from(pages - 1).unwrap_or(0))).unwrap_or(0);
    }

    /// Picks a candidate of the current page: its text is appended and the pinyin it stands for is removed
    /// from the pending pinyin. Returns whether there was such a candidate.
    pub fn pick_candidate(&mut self, index_in_page: usize) -> bool {
        let Some(candidate) = self.page().get(index_in_page).cloned() else {
            return false;
        };
        for c in candidate.text.chars() {
            if self.char_count() < self.max_chars {
                self.text.push(c);
            }
        }
        let rest = self.pinyin.get(candidate.consumed..).unwrap_or("");
        self.pinyin = rest.trim_start_matches('\'').to_owned();
        self.refresh();
        true
    }

    /// Ends typing: pending pinyin is kept as letters, and the whole text is returned.
    pub fn finish(&mut self) -> String {
        self.keep_pinyin_as_letters();
        self.text.clone()
    }

    fn keep_pinyin_as_letters(&mut self) {
        if !self.pinyin.is_empty() {
            let letters: String = self.pinyin.chars().filter(|c| *c != '\'').collect();
            self.pinyin.clear();
            for c in letters.chars() {
                if self.char_count() < self.max_chars {
                    self.text.push(c);
                }
            }
            self.refresh();
        }
    }

    fn char_count(&self) -> usize {
        self.text.chars().count() + self.pinyin.chars().filter(|c| *c != '\'').count()
    }

    fn refresh(&mut self) {
        self.page = 0;
        self.candidates = if self.pinyin.is_empty() {
            Vec::new()
        } else {
            self.ime.candidates(&self.pinyin, LOOKUP)
        };
    }
}
