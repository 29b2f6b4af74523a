//! The search index over directory records: every character of every field is stored with its pinyin
//! readings, so one query can mix Chinese characters, full pinyin, pinyin prefixes and initials.

use std::collections::HashMap;

use super::{
    reading::{common_prefix, double_initial, is_han, normalize_syllable, readings},
    surname::surname_readings,
};

/// What a field of a record holds. The kind decides how the field is read and how a match in it ranks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FieldKind {
    /// A person's name: the surname is read with its surname reading (曾 zeng, 单 shan, 欧阳 ou yang…).
    Name,
    /// The name of an institution or office (no surname rule).
    Title,
    /// A law firm or employer.
    Firm,
    /// A practice area or service (婚姻家庭, 劳动争议…).
    Area,
    /// A township or street (濯水镇, 城西街道…).
    Township,
    /// Anything else worth finding: licence numbers, phone numbers, addresses.
    Other,
}

/// One searchable record: a list of fields, each a kind and its text. A record may have several fields of a
/// kind (practice areas, for example).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    /// The fields in the order they were added.
    pub fields: Vec<(FieldKind, String)>,
}

impl Record {
    /// An empty record.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a field and returns the record, for building records in one expression.
    #[must_use]
    pub fn with(mut self, kind: FieldKind, text: impl Into<String>) -> Self {
        self.fields.push((kind, text.into()));
        self
    }
}

/// How well a query matched, best first. Results are ordered by this, then by field kind, then by whether
/// only a secondary reading matched, then by record order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MatchKind {
    /// The whole field: the same characters, or its full pinyin (`zhangsan` for 张三).
    Exact,
    /// The start of the field: characters, whole syllables and a last partial one (`zhang`, `zhangs`, `张`).
    Prefix,
    /// The start of the field by initials or other shortened syllables (`zs`, `zsan`).
    Initials,
    /// Somewhere after the start of the field (`san` or `三` for 张三).
    Substring,
}

/// One search result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// Position of the record in the list the index was built from.
    pub record: usize,
    /// How well the best field matched.
    pub kind: MatchKind,
    /// The kind of the best matching field.
    pub field: FieldKind,
    /// Whether the best match needed a secondary reading (`ceng` for the surname 曾), which ranks lower.
    pub secondary_reading: bool,
}

impl Hit {
    fn sort_key(&self) -> (MatchKind, FieldKind, bool, usize) {
        (self.kind, self.field, self.secondary_reading, self.record)
    }
}

/// A character with its readings. Surname characters get their own glyph whose first reading is the surname
/// reading and whose other readings are secondary.
#[derive(Debug)]
struct Glyph {
    ch: char,
    /// Range in `SearchIndex::reading_ids`.
    start: u32,
    len: u8,
    /// Readings at positions `>= primary` are secondary.
    primary: u8,
    /// Bit `n` set when some reading starts with the letter `a + n`; bit 26 for digits.
    first_letters: u32,
}

/// A field: a range of `SearchIndex::field_glyphs`, with summaries that let most fields be skipped.
#[derive(Debug)]
struct IndexedField {
    start: u32,
    len: u32,
    kind: FieldKind,
    /// Union of the glyphs' `first_letters`.
    first_letters: u32,
    /// Bit `c % 64` set for every character `c`.
    chars: u64,
}

/// A search index over records, built once and queried on every keystroke.
#[derive(Debug)]
pub struct SearchIndex {
    /// Record `r` has the fields `fields[record_starts[r]..record_starts[r + 1]]`.
    record_starts: Vec<u32>,
    fields: Vec<IndexedField>,
    /// The glyph of every character of every field, field after field.
    field_glyphs: Vec<u32>,
    glyphs: Vec<Glyph>,
    reading_ids: Vec<u16>,
    syllables: Vec<Box<str>>,
}

/// Interning tables used while building.
#[derive(Default)]
struct Builder {
    glyphs: Vec<Glyph>,
    glyph_ids: HashMap<(char, Option<&'static str>), u32>,
    reading_ids: Vec<u16>,
    syllables: Vec<Box<str>>,
    syllable_ids: HashMap<String, u16>,
}

impl Builder {
    fn syllable(&mut self, s: String) -> u16 {
        if let Some(id) = self.syllable_ids.get(&s) {
            return *id;
        }
        let id = u16::try_from(self.syllables.len()).expect("fewer than 65536 syllables");
        self.syllables.push(s.clone().into_boxed_str());
        self.syllable_ids.insert(s, id);
        id
    }

    /// The glyph of a character, read normally (`surname: None`) or with a surname reading first.
    fn glyph(&mut self, ch: char, surname: Option<&'static str>) -> u32 {
        if let Some(id) = self.glyph_ids.get(&(ch, surname)) {
            return *id;
        }
        let mut list = readings(ch);
        let primary = match surname.and_then(normalize_syllable) {
            Some(first) => {
                list.retain(|r| *r != first);
                list.insert(0, first);
                1
            }
            None => list.len(),
        };
        list.truncate(usize::from(u8::MAX));
        let start = u32::try_from(self.reading_ids.len()).expect("index fits in u32");
        let mut first_letters = 0u32;
        for syllable in &list {
            first_letters |= letter_bit(syllable.as_bytes()[0]);
        }
        let len = u8::try_from(list.len()).expect("truncated above");
        for syllable in list {
            let id = self.syllable(syllable);
            self.reading_ids.push(id);
        }
        let id = u32::try_from(self.glyphs.len()).expect("index fits in u32");
        self.glyphs.push(Glyph {
            ch,
            start,
            len,
            primary: u8::try_from(primary.min(usize::from(len))).expect("at most len"),
            first_letters,
        });
        self.glyph_ids.insert((ch, surname), id);
        id
    }

    /// Appends the glyphs of a field's text to `out` and returns the field.
    fn field(&mut self, kind: FieldKind, text: &str, out: &mut Vec<u32>) -> IndexedField {
        let surname = if kind == FieldKind::Name {
            surname_readings(text).unwrap_or_default()
        } else {
            Vec::new()
        };
        let start = out.len();
        let mut first_letters = 0;
        let mut chars = 0u64;
        for (i, ch) in text.chars().enumerate() {
            let glyph = self.glyph(ch, surname.get(i).copied());
            first_letters |= self.glyphs[glyph as usize].first_letters;
            chars |= char_bit(ch);
            out.push(glyph);
        }
        IndexedField {
            start: u32::try_from(start).expect("index fits in u32"),
            len: u32::try_from(out.len() - start).expect("index fits in u32"),
            kind,
            first_letters,
            chars,
        }
    }
}

fn char_bit(c: char) -> u64 {
    1 << (u32::from(c) % 64)
}

fn letter_bit(b: u8) -> u32 {
    match b {
        b'a'..=b'z' => 1 << (b - b'a'),
        b'0'..=b'9' => 1 << 26,
        _ => 0,
    }
}

/// One unit of a parsed query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    /// A lowercase ASCII letter or a digit, matched against readings.
    Letter(u8),
    /// A character matched literally.
    Char(char),
    /// A syllable boundary typed as an apostrophe or a space.
    Break,
}

/// The best outcome of matching so far: lower is better.
type Outcome = (MatchKind, bool);

struct Matcher<'a> {
    index: &'a SearchIndex,
    query: &'a [Unit],
    /// The query's letters as bytes, with non-letters as 0, for prefix comparison with syllables.
    letters: &'a [u8],
}

impl Matcher<'_> {
    /// Best outcome of matching `query[p..]` against `glyphs[i..]`. `shortened` tells whether a syllable
    /// before this point was typed shortened (an initial), `secondary` whether a secondary reading was used.
    fn walk(
        &self,
        glyphs: &[u32],
        i: usize,
        p: usize,
        shortened: bool,
        secondary: bool,
    ) -> Option<Outcome> {
        let Some(unit) = self.query.get(p) else {
            return Some(self.finish(glyphs.len() == i, shortened, false, secondary));
        };
        match *unit {
            Unit::Break => self.walk(glyphs, i, p + 1, shortened, secondary),
            Unit::Char(c) => {
                let glyph = &self.index.glyphs[*glyphs.get(i)? as usize];
                (glyph.ch == c)
                    .then(|| self.walk(glyphs, i + 1, p + 1, shortened, secondary))
                    .flatten()
            }
            Unit::Letter(b) => {
                let glyph = &self.index.glyphs[*glyphs.get(i)? as usize];
                if glyph.first_letters & letter_bit(b) == 0 {
                    return None;
                }
                let rest = &self.letters[p..];
                let run = rest.iter().take_while(|b| **b != 0).count();
                let mut best: Option<Outcome> = None;
                let start = glyph.start as usize;
                for (k, id) in self.index.reading_ids[start..start + usize::from(glyph.len)]
                    .iter()
                    .enumerate()
                {
                    let secondary = secondary || k >= usize::from(glyph.primary);
                    let syllable = self.index.syllables[usize::from(*id)].as_bytes();
                    let m = common_prefix(&rest[..run], syllable);
                    if m == 0 {
                        continue;
                    }
                    if m == syllable.len() {
                        keep_better(
                            &mut best,
                            self.walk(glyphs, i + 1, p + m, shortened, secondary),
                        );
                    } else if p + m == self.query.len() {
                        // The last syllable, still being typed.
                        let whole = glyphs.len() == i + 1;
                        keep_better(
                            &mut best,
                            Some(self.finish(whole, shortened, true, secondary)),
                        );
                    } else if m == run {
                        // A shortened syllable right before a break or a character.
                        keep_better(&mut best, self.walk(glyphs, i + 1, p + m, true, secondary));
                    }
                    // Initials: the first letter, or zh/ch/sh.
                    for len in [Some(1), double_initial(syllable)].into_iter().flatten() {
                        if len <= m && len < syllable.len() && !(len == m && m == run) {
                            keep_better(
                                &mut best,
                                self.walk(glyphs, i + 1, p + len, true, secondary),
                            );
                        }
                    }
                    if best == Some((MatchKind::Exact, false)) {
                        break;
                    }
                }
                best
            }
        }
    }

    fn finish(&self, whole: bool, shortened: bool, last_partial: bool, secondary: bool) -> Outcome {
        let kind = if whole && !shortened && !last_partial {
            MatchKind::Exact
        } else if !shortened {
            MatchKind::Prefix
        } else {
            MatchKind::Initials
        };
        (kind, secondary)
    }

    /// Best outcome of the query anywhere in a field.
    fn field(&self, field: &IndexedField) -> Option<Outcome> {
        let possible = match self.query.first()? {
            Unit::Letter(b) => field.first_letters & letter_bit(*b) != 0,
            Unit::Char(c) => field.chars & char_bit(*c) != 0,
            Unit::Break => true,
        };
        if !possible {
            return None;
        }
        let glyphs =
            &self.index.field_glyphs[field.start as usize..(field.start + field.len) as usize];
        let mut best = self.walk(glyphs, 0, 0, false, false);
        if best.is_some_and(|(_, secondary)| !secondary) {
            return best;
        }
        let first = self.query.iter().find(|u| **u != Unit::Break)?;
        for start in 1..glyphs.len() {
            let glyph = &self.index.glyphs[glyphs[start] as usize];
            let possible = match *first {
                Unit::Letter(b) => glyph.first_letters & letter_bit(b) != 0,
                Unit::Char(c) => glyph.ch == c,
                Unit::Break => false,
            };
            if !possible {
                continue;
            }
            if let Some((_, secondary)) = self.walk(&glyphs[start..], 0, 0, false, false) {
                let found = (MatchKind::Substring, secondary);
                if best.is_none_or(|b| found < b) {
                    best = Some(found);
                }
                if !secondary {
                    break;
                }
            }
        }
        best
    }
}

fn keep_better(best: &mut Option<Outcome>, found: Option<Outcome>) {
    if let Some(found) = found
        && best.is_none_or(|b| found < b)
    {
        *best = Some(found);
    }
}

/// The longest query looked at; anything typed beyond it is ignored.
const MAX_QUERY: usize = 48;

fn parse_query(query: &str) -> Vec<Unit> {
    let mut units = Vec::new();
    for c in query.chars() {
        let unit = match c {
            'a'..='z' | '0'..='9' => Unit::Letter(c as u8),
            'A'..='Z' => Unit::Letter(c.to_ascii_lowercase() as u8),
            'ü' | 'Ü' => Unit::Letter(b'v'),
            '\'' | '’' | ' ' | '\u{3000}' | '-' => Unit::Break,
            c if is_han(c) => Unit::Char(c),
            _ => continue,
        };
        if unit == Unit::Break && units.last().is_none_or(|u| *u == Unit::Break) {
            continue;
        }
        units.push(unit);
        if units.len() == MAX_QUERY {
            break;
        }
    }
    while units.last() == Some(&Unit::Break) {
        units.pop();
    }
    units
}

impl SearchIndex {
    /// Builds the index. Hits refer to records by their position in `records`.
    pub fn build<'a>(records: impl IntoIterator<Item = &'a Record>) -> Self {
        let mut builder = Builder::default();
        let mut record_starts = vec![0];
        let mut fields = Vec::new();
        let mut field_glyphs = Vec::new();
        for record in records {
            for (kind, text) in &record.fields {
                fields.push(builder.field(*kind, text, &mut field_glyphs));
            }
            record_starts.push(u32::try_from(fields.len()).expect("index fits in u32"));
        }
        fields.shrink_to_fit();
        field_glyphs.shrink_to_fit();
        Self {
            record_starts,
            fields,
            field_glyphs,
            glyphs: builder.glyphs,
            reading_ids: builder.reading_ids,
            syllables: builder.syllables,
        }
    }

    /// Number of records in the index.
    pub fn len(&self) -> usize {
        self.record_starts.len() - 1
    }

    /// Whether the index has no records.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The best `limit` records for a query, best first: exact name (or title) matches, then prefixes, then
    /// initials, then matches inside a field; within each, names before firms, areas and townships; ties keep
    /// record order. A query is any mix of Chinese characters, pinyin (full, shortened, or initials; case,
    /// apostrophes and spaces ignored), and digits. An empty query finds nothing.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit> {
        let units = parse_query(query);
        if units.is_empty() || limit == 0 {
            return Vec::new();
        }
        let letters: Vec<u8> = units
            .iter()
            .map(|u| match u {
                Unit::Letter(b) => *b,
                _ => 0,
            })
            .collect();
        let matcher = Matcher {
            index: self,
            query: &units,
            letters: &letters,
        };
        let mut hits: Vec<Hit> = Vec::new();
        for (record, bounds) in self.record_starts.windows(2).enumerate() {
            let mut best: Option<Hit> = None;
            for field in &self.fields[bounds[0] as usize..bounds[1] as usize] {
                let rank = match field.kind {
                    FieldKind::Title => FieldKind::Name,
                    kind => kind,
                };
                if let Some((kind, secondary_reading)) = matcher.field(field) {
                    let hit = Hit {
                        record,
                        kind,
                        field: rank,
                        secondary_reading,
                    };
                    if best.is_none_or(|b| hit.sort_key() < b.sort_key()) {
                        best = Some(hit);
                    }
                }
            }
            hits.extend(best);
        }
        if hits.len() > limit {
            hits.select_nth_unstable_by_key(limit - 1, Hit::sort_key);
            hits.truncate(limit);
        }
        hits.sort_unstable_by_key(Hit::sort_key);
        hits
    }

    /// The primary pinyin of a field as the index reads it, syllables separated by spaces (characters without
    /// a reading are left out): `reading_of(FieldKind::Name, "曾小明")` is `"zeng xiao ming"`.
    pub fn reading_of(kind: FieldKind, text: &str) -> String {
        let mut builder = Builder::default();
        let mut glyphs = Vec::new();
        builder.field(kind, text, &mut glyphs);
        glyphs
            .iter()
            .filter_map(|g| {
                let glyph = &builder.glyphs[*g as usize];
                (glyph.len > 0).then(|| {
                    let id = builder.reading_ids[glyph.start as usize];
                    builder.syllables[usize::from(id)].to_string()
                })
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}
