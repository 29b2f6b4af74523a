//! Reading rules: a call as the words spoken, a pure function.
//!
//! `请 A 零一二 号 到 三 号 窗口`: the ticket's letters are read as letters and its digits one by one
//! (0 is 零), the window number is read as a number (3 → 三, 12 → 十二, 20 → 二十, 105 → 一百零五; from
//! 10000 on, digit by digit). Characters that are neither letters nor digits are skipped.

/// One spoken word: one clip of the pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Word {
    /// 请
    Qing,
    /// 号
    Hao,
    /// 到
    Dao,
    /// 窗口
    Chuangkou,
    /// A digit 0..9 (零 一 二 … 九).
    Digit(u8),
    /// 十
    Shi,
    /// 百
    Bai,
    /// 千
    Qian,
    /// A Latin letter, upper case.
    Letter(char),
}

const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];

impl Word {
    /// The clip's file stem in a clip pack, e.g. `qing`, `digit-0`, `letter-a`.
    pub fn clip(self) -> String {
        match self {
            Self::Qing => "qing".into(),
            Self::Hao => "hao".into(),
            Self::Dao => "dao".into(),
            Self::Chuangkou => "chuangkou".into(),
            Self::Digit(d) => format!("digit-{}", d.min(9)),
            Self::Shi => "shi".into(),
            Self::Bai => "bai".into(),
            Self::Qian => "qian".into(),
            Self::Letter(c) => format!("letter-{}", c.to_ascii_lowercase()),
        }
    }

    /// How the word is written.
    pub fn text(self) -> String {
        match self {
            Self::Qing => "请".into(),
            Self::Hao => "号".into(),
            Self::Dao => "到".into(),
            Self::Chuangkou => "窗口".into(),
            Self::Digit(d) => DIGITS[usize::from(d.min(9))].into(),
            Self::Shi => "十".into(),
            Self::Bai => "百".into(),
            Self::Qian => "千".into(),
            Self::Letter(c) => c.to_string(),
        }
    }
}

/// Every clip a pack must have to read any call.
pub fn all_clips() -> Vec<String> {
    let mut words = vec![
        Word::Qing,
        Word::Hao,
        Word::Dao,
        Word::Chuangkou,
        Word::Shi,
        Word::Bai,
        Word::Qian,
    ];
    words.extend((0..10).map(Word::Digit));
    words.extend(('A'..='Z').map(Word::Letter));
    words.into_iter().map(Word::clip).collect()
}

/// A ticket number as spoken: letters as letters, digits one by one.
pub fn ticket_words(ticket: &str) -> Vec<Word> {
    ticket
        .chars()
        .filter_map(|c| {
            if c.is_ascii_alphabetic() {
                Some(Word::Letter(c.to_ascii_uppercase()))
            } else {
                c.to_digit(10)
                    .and_then(|d| u8::try_from(d).ok())
                    .map(Word::Digit)
            }
        })
        .collect()
}

/// A number as spoken in Mandarin (三, 十二, 二十, 一百零五, 一千零一十); from 10000 on, digit by digit.
pub fn number_words(n: u32) -> Vec<Word> {
    if n >= 10_000 {
        return n
            .to_string()
            .bytes()
            .map(|b| Word::Digit(b - b'0'))
            .collect();
    }
    if n == 0 {
        return vec![Word::Digit(0)];
    }
    let digits =
        [n / 1000, n / 100 % 10, n / 10 % 10, n % 10].map(|d| u8::try_from(d).unwrap_or(0));
    let units = [Some(Word::Qian), Some(Word::Bai), Some(Word::Shi), None];
    let first = digits.iter().position(|&d| d != 0).unwrap_or(3);
    let mut out = Vec::new();
    let mut zero = false;
    for i in first..4 {
        let d = digits[i];
        if d == 0 {
            zero = true;
            continue;
        }
        if zero {
            out.push(Word::Digit(0));
            zero = false;
        }
        // 十二, not 一十二, when the number starts with the tens.
        if !(i == 2 && i == first && d == 1) {
            out.push(Word::Digit(d));
        }
        if let Some(unit) = units[i] {
            out.push(unit);
        }
    }
    out
}

/// The whole call: 请 (ticket) 号 到 (window) 号 窗口.
pub fn call_words(ticket: &str, window: u32) -> Vec<Word> {
    let mut out = vec![Word::Qing];
    out.extend(ticket_words(ticket));
    out.extend([Word::Hao, Word::Dao]);
    out.extend(number_words(window));
    out.extend([Word::Hao, Word::Chuangkou]);
    out
}

/// The words as text, e.g. `请A零一二号到三号窗口`.
pub fn spoken_text(words: &[Word]) -> String {
    words.iter().map(|w| w.text()).collect()
}
