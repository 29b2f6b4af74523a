//! Pinyin input: typed letters (full pinyin, initials, or a mix, with optional apostrophes) to candidate
//! characters and words, ordered by common use, with a local lexicon of legal and Qianjiang terms first.
//!
//! The word list is generated from the AOSP PinyinIME dictionary (Apache-2.0) and shipped in
//! `assets/pinyin/aosp_words.txt`; the local lexicon is `assets/pinyin/local_lexicon.txt`. See
//! `assets/pinyin/NOTICE`.

use std::{
    collections::{HashMap, HashSet},
    sync::LazyLock,
};

use super::reading::{common_prefix, double_initial};

const AOSP_WORDS: &str = include_str!("../../assets/pinyin/aosp_words.txt");
const LOCAL_LEXICON: &str = include_str!("../../assets/pinyin/local_lexicon.txt");

/// Frequency (in tenths) given to local lexicon words that the general word list lacks: that of a fairly
/// common word, so they also show among shortened-pinyin candidates without crowding out everyday words.
const LOCAL_WEIGHT: u32 = 20_000;

/// The longest pinyin input looked at, in bytes; letters beyond it are ignored.
const MAX_INPUT: usize = 64;

/// One candidate for the typed pinyin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The characters to insert.
    pub text: String,
    /// How many bytes at the start of the input this candidate stands for. Less than the input's length when
    /// it converts only the first syllables (`法律` for `falvyuanzhu`); the rest stays to be converted.
    pub consumed: usize,
}

#[derive(Debug)]
struct Entry {
    text: Box<str>,
    /// Frequency in tenths.
    weight: u32,
    /// From the local lexicon: ranked first among candidates typed with whole syllables.
    local: bool,
}

#[derive(Debug, Default)]
struct Node {
    /// (syllable id, child node), sorted by syllable id.
    children: Vec<(u16, u32)>,
    /// Entries whose pinyin ends at this node.
    words: Vec<u32>,
}

/// The pinyin input engine: a trie of syllables over the word list.
#[derive(Debug)]
pub struct Ime {
    syllables: Vec<Box<str>>,
    entries: Vec<Entry>,
    nodes: Vec<Node>,
}

/// Errors in a word list.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WordListError {
    /// A line is not `pinyin<TAB>word weight…` (or `word<TAB>pinyin` for the lexicon).
    #[error("line {line}: {reason}")]
    Malformed {
        /// One-based line number.
        line: usize,
        /// What is wrong.
        reason: &'static str,
    },
}

struct Builder {
    ime: Ime,
    syllable_ids: HashMap<String, u16>,
    edges: HashMap<(u32, u16), u32>,
    by_key: HashMap<(u32, Box<str>), u32>,
}

impl Builder {
    fn new() -> Self {
        Self {
            ime: Ime {
                syllables: Vec::new(),
                entries: Vec::new(),
                nodes: vec![Node::default()],
            },
            syllable_ids: HashMap::new(),
            edges: HashMap::new(),
            by_key: HashMap::new(),
        }
    }

    fn node_for(&mut self, pinyin: &str) -> Option<u32> {
        let mut node = 0u32;
        let mut any = false;
        for syllable in pinyin.split(' ').filter(|s| !s.is_empty()) {
            if !syllable.bytes().all(|b| b.is_ascii_lowercase()) {
                return None;
            }
            let id = match self.syllable_ids.get(syllable) {
                Some(id) => *id,
                None => {
                    let id = u16::try_from(self.ime.syllables.len()).ok()?;
                    self.ime.syllables.push(syllable.into());
                    self.syllable_ids.insert(syllable.to_owned(), id);
                    id
                }
            };
            node = match self.edges.get(&(node, id)) {
                Some(child) => *child,
                None => {
                    let child = u32::try_from(self.ime.nodes.len()).ok()?;
                    self.ime.nodes.push(Node::default());
                    self.ime.nodes[node as usize].children.push((id, child));
                    self.edges.insert((node, id), child);
                    child
                }
            };
            any = true;
        }
        any.then_some(node)
    }

    fn add(&mut self, node: u32, text: &str, weight: u32, local: bool) {
        if let Some(existing) = self.by_key.get(&(node, text.into())) {
            let entry = &mut self.ime.entries[*existing as usize];
            entry.local |= local;
            entry.weight = entry.weight.max(weight);
            return;
        }
        let id = u32::try_from(self.ime.entries.len()).expect("fewer than 2^32 entries");
        self.ime.entries.push(Entry {
            text: text.into(),
            weight,
            local,
        });
        self.ime.nodes[node as usize].words.push(id);
        self.by_key.insert((node, text.into()), id);
    }

    fn word_list(&mut self, text: &str) -> Result<(), WordListError> {
        for (n, line) in text.lines().enumerate() {
            let malformed = |reason| WordListError::Malformed {
                line: n + 1,
                reason,
            };
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (pinyin, words) = line.split_once('\t').ok_or(malformed("no tab"))?;
            let node = self.node_for(pinyin).ok_or(malformed("bad pinyin"))?;
            let mut parts = words.split(' ');
            while let Some(word) = parts.next() {
                let weight = parts
                    .next()
                    .and_then(|w| w.parse().ok())
                    .ok_or(malformed("word without a frequency"))?;
                self.add(node, word, weight, false);
            }
        }
        Ok(())
    }

    fn lexicon(&mut self, text: &str) -> Result<(), WordListError> {
        for (n, line) in text.lines().enumerate() {
            let malformed = |reason| WordListError::Malformed {
                line: n + 1,
                reason,
            };
            let line = line.trim_end();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (word, pinyin) = line.split_once('\t').ok_or(malformed("no tab"))?;
            if pinyin.split(' ').filter(|s| !s.is_empty()).count() != word.chars().count() {
                return Err(malformed("not one syllable per character"));
            }
            let node = self.node_for(pinyin).ok_or(malformed("bad pinyin"))?;
            self.add(node, word, LOCAL_WEIGHT, true);
        }
        Ok(())
    }

    fn finish(mut self) -> Ime {
        for node in &mut self.ime.nodes {
            node.children.sort_unstable();
            let entries = &self.ime.entries;
            node.words.sort_by(|a, b| {
                entries[*b as usize]
                    .weight
                    .cmp(&entries[*a as usize].weight)
            });
        }
        self.ime
    }
}

/// A candidate found while walking the trie, before ranking.
#[derive(Debug, Clone, Copy)]
struct Found {
    entry: u32,
    consumed: usize,
    /// Some syllable was typed shortened (an initial, or the last one unfinished).
    shortened: bool,
}

struct Walk<'a> {
    ime: &'a Ime,
    input: &'a [u8],
    found: Vec<Found>,
}

impl Walk<'_> {
    fn walk(&mut self, node: u32, p: usize, shortened: bool) {
        if node != 0 {
            for entry in &self.ime.nodes[node as usize].words {
                self.found.push(Found {
                    entry: *entry,
                    consumed: p,
                    shortened,
                });
            }
        }
        let Some(&next) = self.input.get(p) else {
            return;
        };
        if next == b'\'' {
            return self.walk(node, p + 1, shortened);
        }
        let run = self.input[p..].iter().take_while(|b| **b != b'\'').count();
        let segment = &self.input[p..p + run];
        for &(id, child) in &self.ime.nodes[node as usize].children {
            let syllable = self.ime.syllables[usize::from(id)].as_bytes();
            let m = common_prefix(segment, syllable);
            if m == 0 {
                continue;
            }
            if m == syllable.len() {
                self.walk(child, p + m, shortened);
            } else if m == run {
                // An unfinished syllable at the end of the input or before an apostrophe.
                self.walk(child, p + m, true);
            }
            // Initials: the first letter, or zh/ch/sh.
            for len in [Some(1), double_initial(syllable)].into_iter().flatten() {
                if len <= m && len < syllable.len() && !(len == m && m == run) {
                    self.walk(child, p + len, true);
                }
            }
        }
    }
}

/// Normalises typed pinyin: lowercase letters, `ü` as `v`, apostrophes kept as syllable breaks (runs of them
/// and leading ones dropped); anything else is dropped.
fn normalize_input(input: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    for c in input.chars() {
        let b = match c {
            'a'..='z' => c as u8,
            'A'..='Z' => c.to_ascii_lowercase() as u8,
            'ü' | 'Ü' => b'v',
            '\'' | '’' | ' ' => {
                if out.last().is_none_or(|b| *b == b'\'') {
                    continue;
                }
                b'\''
            }
            _ => continue,
        };
        out.push(b);
        if out.len() == MAX_INPUT {
            break;
        }
    }
    out
}

static BUILTIN: LazyLock<Ime> = LazyLock::new(|| {
    Ime::from_lists(AOSP_WORDS, LOCAL_LEXICON).expect("the bundled word lists are well formed")
});

impl Ime {
    /// The engine with the bundled word list and local lexicon, loaded on first use (a few tens of
    /// milliseconds) and shared afterwards.
    pub fn builtin() -> &'static Self {
        &BUILTIN
    }

    /// Builds an engine from a word list (`pinyin<TAB>word weight word weight…`, weights being frequencies
    /// in tenths) and a local lexicon (`word<TAB>pinyin`), both with `#` comment lines.
    pub fn from_lists(words: &str, lexicon: &str) -> Result<Self, WordListError> {
        let mut builder = Builder::new();
        builder.word_list(words)?;
        builder.lexicon(lexicon)?;
        Ok(builder.finish())
    }

    /// Up to `limit` candidates for typed pinyin, best first. Pinyin may be full (`falvyuanzhu`), initials
    /// (`zs`), or mixed (`zhangs`, `flyz`), with apostrophes to separate syllables (`xi'an`). Candidates that
    /// stand for the whole input come first: those typed in whole syllables (local lexicon words first, then
    /// by frequency), then shortened ones by frequency. Then come candidates for the first syllables only,
    /// longest first. Each text appears once.
    pub fn candidates(&self, pinyin: &str, limit: usize) -> Vec<Candidate> {
        let input = normalize_input(pinyin);
        if input.is_empty() || limit == 0 {
            return Vec::new();
        }
        let mut walk = Walk {
            ime: self,
            input: &input,
            found: Vec::new(),
        };
        walk.walk(0, 0, false);
        let mut found = walk.found;
        let whole = input.len() - usize::from(input.last() == Some(&b'\''));
        let entries = &self.entries;
        let key = |f: &Found| {
            let entry = &entries[f.entry as usize];
            let complete = f.consumed >= whole;
            (
                !complete,
                if complete { 0 } else { usize::MAX - f.consumed },
                f.shortened,
                !entry.local || f.shortened,
                u32::MAX - entry.weight,
                f.entry,
            )
        };
        found.sort_unstable_by_key(key);
        let mut seen = HashSet::new();
        let mut out = Vec::with_capacity(limit.min(found.len()));
        for f in found {
            let text = &*entries[f.entry as usize].text;
            if seen.insert(text) {
                out.push(Candidate {
                    text: text.to_owned(),
                    consumed: consumed_bytes(pinyin, f.consumed),
                });
                if out.len() == limit {
                    break;
                }
            }
        }
        out
    }
}

/// Maps a count of normalised input bytes back to a byte offset in the original input (they differ when the
/// input had upper case, doubled apostrophes, spaces or other characters). Trailing breaks after the last
/// consumed letter are included.
fn consumed_bytes(original: &str, normalized_count: usize) -> usize {
    let mut count = 0usize;
    let mut last_break = true;
    for (offset, c) in original.char_indices() {
        let counts = match c {
            'a'..='z' | 'A'..='Z' | 'ü' | 'Ü' => {
                last_break = false;
                true
            }
            '\'' | '’' | ' ' => {
                let counts = !last_break;
                last_break = true;
                counts
            }
            _ => false,
        };
        if counts {
            if count == normalized_count {
                return offset;
            }
            count += 1;
        }
    }
    original.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Ime {
        Ime::from_lists(
            "fa\t发 50 法 40\nfa lv\t法律 100\nqian jiang\t钱江 10\nxi an\t西安 30\nxian\t先 60\n",
            "黔江\tqian jiang\n",
        )
        .unwrap()
    }

    fn texts(c: &[Candidate]) -> Vec<&str> {
        c.iter().map(|c| c.text.as_str()).collect()
    }

    #[test]
    fn whole_input_first_then_first_syllables() {
        let ime = small();
        let c = ime.candidates("falv", 10);
        assert_eq!(texts(&c), ["法律", "发", "法"]);
        assert_eq!(c[0].consumed, 4);
        assert_eq!(c[1].consumed, 2);
    }

    #[test]
    fn local_words_lead_and_apostrophes_split() {
        let ime = small();
        assert_eq!(
            texts(&ime.candidates("qianjiang", 10))[..2],
            ["黔江", "钱江"]
        );
        assert_eq!(texts(&ime.candidates("xian", 10)), ["先", "西安"]);
        assert_eq!(texts(&ime.candidates("xi'an", 10))[0], "西安");
        assert_eq!(texts(&ime.candidates("fl", 10))[0], "法律");
    }

    #[test]
    fn consumed_counts_original_bytes() {
        assert_eq!(consumed_bytes("Fa'lv", 3), 3);
        assert_eq!(consumed_bytes("fa''lv", 3), 4);
        assert_eq!(consumed_bytes("falv", 4), 4);
    }

    #[test]
    fn malformed_lists_are_refused() {
        assert!(matches!(
            Ime::from_lists("fa 法 1\n", ""),
            Err(WordListError::Malformed { line: 1, .. })
        ));
        assert!(Ime::from_lists("", "黔江\tqian\n").is_err());
    }
}
