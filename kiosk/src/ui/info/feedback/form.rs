//! The complaint, suggestion and rating forms as plain values: validation with errors that name what is
//! wrong (in Chinese and English), and the reference number the citizen is given.
//!
//! ## Reference numbers
//!
//! A submission is queued in the outbox under its reference number as the idempotency key, so the
//! number a citizen quotes finds the item (`Outbox::item(reference)`) on the device and at the centre.
//! The format is a kind letter, a dash and two groups of four characters:
//! `T-7K3M-9QXA` for a complaint or suggestion (投诉/建议), `P-…` for a rating (评价), `S-…` for a
//! needs survey (需求调查, kept as its outbox key only). The eight
//! characters are random, drawn from the 32 digits and capital letters that cannot be mistaken for one
//! another (no `0`, `1`, `I`, `O`): 32⁸ ≈ 10¹² numbers, so two devices do not collide in practice.
//!
//! ## Category
//!
//! The outbox's `Complaint` has no category field, so the category travels as a mark at the start of
//! the text: `【投诉】` (complaint) or `【建议】` (suggestion).
//!
//! Nothing here comes from an ID card: a complaint holds its subject, text and an optional callback
//! phone; a rating holds the ticket number, service, score, comment and (when chosen) the window.

use rand::Rng;

use content::{Complaint, Rating};

/// Most characters of a complaint or suggestion.
pub const TEXT_MAX_CHARS: usize = 500;
/// Most characters of a rating's comment.
pub const COMMENT_MAX_CHARS: usize = 200;
/// What a complaint's `about` holds when it is not about one service.
pub const GENERAL: &str = "general";

/// The characters of reference numbers: digits and capitals without `0`, `1`, `I` and `O`.
const REFERENCE_ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// Whether the citizen complains or suggests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// 投诉.
    Complaint,
    /// 意见建议.
    Suggestion,
}

impl Category {
    /// The category from its page value (`complaint` or `suggestion`).
    pub fn from_value(value: &str) -> Option<Self> {
        match value {
            "complaint" => Some(Self::Complaint),
            "suggestion" => Some(Self::Suggestion),
            _ => None,
        }
    }

    /// The mark the stored text starts with, so the centre sees the category.
    pub fn mark(self) -> &'static str {
        match self {
            Self::Complaint => "【投诉】",
            Self::Suggestion => "【建议】",
        }
    }
}

/// Something wrong with a form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    /// Neither complaint nor suggestion chosen.
    #[error("choose complaint or suggestion")]
    NoCategory,
    /// No subject chosen.
    #[error("choose what it is about")]
    NoSubject,
    /// The text is empty.
    #[error("the text is empty")]
    EmptyText,
    /// The text is too long.
    #[error("the text has {chars} characters; at most {max}")]
    TextTooLong {
        /// Characters typed.
        chars: usize,
        /// The limit.
        max: usize,
    },
    /// The callback phone is not a number.
    #[error("the callback phone may only hold digits and one dash")]
    PhoneCharacters,
    /// The callback phone has a wrong length or start.
    #[error(
        "the callback phone {digits} is neither a mobile number (11 digits starting 13-19) nor a landline with area code (e.g. 023-12345678)"
    )]
    PhoneFormat {
        /// The digits typed.
        digits: String,
    },
    /// No ticket number.
    #[error("the ticket number is empty")]
    NoTicket,
    /// The ticket number is malformed.
    #[error("the ticket number {ticket} is not like A012 (1-3 letters, then 3-4 digits)")]
    TicketFormat {
        /// What was typed.
        ticket: String,
    },
    /// No service chosen for the rating.
    #[error("choose the service rated")]
    NoService,
    /// No score chosen.
    #[error("choose a rating from very dissatisfied to very satisfied")]
    NoScore,
    /// The comment is too long.
    #[error("the comment has {chars} characters; at most {max}")]
    CommentTooLong {
        /// Characters typed.
        chars: usize,
        /// The limit.
        max: usize,
    },
}

impl FormError {
    /// The message in Simplified Chinese.
    pub fn zh(&self) -> String {
        match self {
            Self::NoCategory => "请选择“投诉”或“建议”。".to_owned(),
            Self::NoSubject => "请选择投诉或建议涉及的业务。".to_owned(),
            Self::EmptyText => "请填写投诉或建议的内容。".to_owned(),
            Self::TextTooLong { chars, max } => {
                format!("内容太长：已输入{chars}字，最多{max}字。")
            }
            Self::PhoneCharacters => "回访电话只能填写数字（固定电话可带一个“-”）。".to_owned(),
            Self::PhoneFormat { digits } => format!(
                "回访电话“{digits}”格式不对：手机号为1开头的11位数字（第二位3至9），固定电话请带区号，如023-12345678。"
            ),
            Self::NoTicket => "请填写您的排队号码，如A012。".to_owned(),
            Self::TicketFormat { ticket } => {
                format!("排队号码“{ticket}”格式不对：应为1至3个字母加3至4位数字，如A012。")
            }
            Self::NoService => "请选择要评价的业务。".to_owned(),
            Self::NoScore => "请选择满意程度（非常不满意至非常满意）。".to_owned(),
            Self::CommentTooLong { chars, max } => {
                format!("评价内容太长：已输入{chars}字，最多{max}字。")
            }
        }
    }

    /// The message in English.
    pub fn en(&self) -> String {
        let mut text = self.to_string();
        if let Some(first) = text.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        text.push('.');
        text
    }
}

/// Checks an optional callback phone: empty is fine (none); otherwise a mainland mobile number
/// (`1[3-9]` and nine more digits) or a landline with its area code (`023-12345678`, `02312345678`:
/// a `0`, two or three more area digits, and seven or eight local digits). Spaces are ignored.
/// Returns the number as stored (digits, with the dash when one was typed).
pub fn validate_phone(raw: &str) -> Result<Option<String>, FormError> {
    let phone: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if phone.is_empty() {
        return Ok(None);
    }
    if !phone.chars().all(|c| c.is_ascii_digit() || c == '-') || phone.matches('-').count() > 1 {
        return Err(FormError::PhoneCharacters);
    }
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let wrong = || FormError::PhoneFormat {
        digits: digits.clone(),
    };
    let bytes = digits.as_bytes();
    let mobile = !phone.contains('-')
        && bytes.len() == 11
        && bytes[0] == b'1'
        && (b'3'..=b'9').contains(&bytes[1]);
    if mobile {
        return Ok(Some(phone));
    }
    if bytes.first() != Some(&b'0') {
        return Err(wrong());
    }
    let landline = match phone.split_once('-') {
        Some((area, local)) => (3..=4).contains(&area.len()) && (7..=8).contains(&local.len()),
        None => (10..=12).contains(&bytes.len()),
    };
    if landline && bytes.get(1) != Some(&b'0') {
        Ok(Some(phone))
    } else {
        Err(wrong())
    }
}

/// Checks a ticket number: one to three letters then three or four digits (`A012`, `VIP0123`);
/// lower-case letters and spaces are accepted and normalised. Returns the number in capitals.
pub fn validate_ticket(raw: &str) -> Result<String, FormError> {
    let ticket: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if ticket.is_empty() {
        return Err(FormError::NoTicket);
    }
    let letters = ticket.chars().take_while(char::is_ascii_uppercase).count();
    let digits = &ticket[letters..];
    if (1..=3).contains(&letters)
        && (3..=4).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit())
    {
        Ok(ticket)
    } else {
        Err(FormError::TicketFormat { ticket })
    }
}

/// The complaint or suggestion form as filled in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ComplaintForm {
    /// `complaint` or `suggestion` (empty: not chosen).
    pub category: String,
    /// A service id or [`GENERAL`] (empty: not chosen).
    pub about: String,
    /// The callback phone (may be empty).
    pub phone: String,
    /// The text.
    pub text: String,
}

impl ComplaintForm {
    /// The complaint to queue, or the first thing wrong, checked top to bottom as the page shows it.
    pub fn validate(&self) -> Result<Complaint, FormError> {
        let category = Category::from_value(&self.category).ok_or(FormError::NoCategory)?;
        if self.about.trim().is_empty() {
            return Err(FormError::NoSubject);
        }
        let contact = validate_phone(&self.phone)?;
        let text = self.text.trim();
        if text.is_empty() {
            return Err(FormError::EmptyText);
        }
        let chars = text.chars().count();
        if chars > TEXT_MAX_CHARS {
            return Err(FormError::TextTooLong {
                chars,
                max: TEXT_MAX_CHARS,
            });
        }
        Ok(Complaint {
            about: self.about.clone(),
            text: format!("{}{text}", category.mark()),
            contact,
        })
    }
}

/// The rating form as filled in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RatingForm {
    /// The ticket number of the visit.
    pub ticket: String,
    /// The service id (empty: not chosen).
    pub service: String,
    /// 1 (very dissatisfied) to 5 (very satisfied); 0 when not chosen.
    pub score: i32,
    /// An optional comment.
    pub comment: String,
    /// The window that served the visit, when the citizen chose one.
    pub window: Option<u32>,
}

impl RatingForm {
    /// The rating to queue, or the first thing wrong.
    pub fn validate(&self) -> Result<Rating, FormError> {
        let ticket = validate_ticket(&self.ticket)?;
        if self.service.trim().is_empty() {
            return Err(FormError::NoService);
        }
        let score = u8::try_from(self.score)
            .ok()
            .filter(|s| (1..=5).contains(s))
            .ok_or(FormError::NoScore)?;
        let comment = self.comment.trim();
        let chars = comment.chars().count();
        if chars > COMMENT_MAX_CHARS {
            return Err(FormError::CommentTooLong {
                chars,
                max: COMMENT_MAX_CHARS,
            });
        }
        Ok(Rating {
            service: self.service.clone(),
            ticket: Some(ticket),
            score,
            comment: comment.to_owned(),
            window: self.window,
            source: Some("kiosk".into()),
            ..Default::default()
        })
    }
}

/// What a reference number is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferenceKind {
    /// A complaint or suggestion: `T-…`.
    Complaint,
    /// A rating: `P-…`.
    Rating,
    /// An anonymous needs survey: `S-…` (kept as the outbox key; the page shows no number).
    Survey,
}

/// A new random reference number (see the module documentation for the format).
pub fn new_reference(kind: ReferenceKind, rng: &mut impl Rng) -> String {
    let mut reference = String::from(match kind {
        ReferenceKind::Complaint => "T",
        ReferenceKind::Rating => "P",
        ReferenceKind::Survey => "S",
    });
    for i in 0..8 {
        if i % 4 == 0 {
            reference.push('-');
        }
        let index = rng.random_range(0..REFERENCE_ALPHABET.len());
        reference.push(char::from(REFERENCE_ALPHABET[index]));
    }
    reference
}

/// Whether `text` is a well-formed reference number.
pub fn is_reference(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 11
        && matches!(bytes[0], b'T' | b'P' | b'S')
        && bytes[1] == b'-'
        && bytes[6] == b'-'
        && bytes
            .iter()
            .enumerate()
            .filter(|(i, _)| ![0, 1, 6].contains(i))
            .all(|(_, b)| REFERENCE_ALPHABET.contains(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobile_and_landline_numbers_pass() {
        for ok in [
            "13812345678",
            "19900001111",
            " 138 1234 5678 ",
            "023-12345678",
            "02312345678",
            "0851-1234567",
            "0851-12345678",
            "010-1234567",
        ] {
            assert!(validate_phone(ok).unwrap().is_some(), "{ok}");
        }
        assert_eq!(validate_phone("  ").unwrap(), None, "no phone is fine");
        assert_eq!(
            validate_phone("138 1234 5678").unwrap().as_deref(),
            Some("13812345678")
        );
    }

    #[test]
    fn wrong_phone_numbers_name_the_problem() {
        for bad in [
            "12812345678",
            "1381234567",
            "138123456789",
            "12345678",
            "023-123456",
            "02-12345678",
            "00312345678",
            "1381234567-8",
        ] {
            let err = validate_phone(bad).unwrap_err();
            assert!(matches!(err, FormError::PhoneFormat { .. }), "{bad}: {err}");
            assert!(err.zh().contains("回访电话"), "{}", err.zh());
        }
        assert_eq!(
            validate_phone("138abc45678"),
            Err(FormError::PhoneCharacters)
        );
        assert_eq!(
            validate_phone("023--1234567"),
            Err(FormError::PhoneCharacters)
        );
        let err = validate_phone("1381234567").unwrap_err();
        assert!(err.zh().contains("1381234567"), "names the digits");
        assert!(err.en().starts_with("The callback phone 1381234567"));
    }

    #[test]
    fn ticket_numbers_are_like_a012() {
        assert_eq!(validate_ticket("a012").unwrap(), "A012");
        assert_eq!(validate_ticket(" C 1234").unwrap(), "C1234");
        assert_eq!(validate_ticket("VIP001").unwrap(), "VIP001");
        assert_eq!(validate_ticket(""), Err(FormError::NoTicket));
        for bad in ["012", "A12", "A01234", "ABCD012", "A0B2", "甲012"] {
            assert!(
                matches!(validate_ticket(bad), Err(FormError::TicketFormat { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_complaint_is_checked_top_to_bottom() {
        let mut form = ComplaintForm::default();
        assert_eq!(form.validate(), Err(FormError::NoCategory));
        form.category = "complaint".into();
        assert_eq!(form.validate(), Err(FormError::NoSubject));
        form.about = "legal_aid".into();
        form.phone = "12345".into();
        assert!(matches!(
            form.validate(),
            Err(FormError::PhoneFormat { .. })
        ));
        form.phone = "13812345678".into();
        assert_eq!(form.validate(), Err(FormError::EmptyText));
        form.text = "等".repeat(TEXT_MAX_CHARS + 1);
        assert!(matches!(
            form.validate(),
            Err(FormError::TextTooLong { .. })
        ));
        form.text = " 窗口等待时间太长 ".into();
        let complaint = form.validate().unwrap();
        assert_eq!(complaint.text, "【投诉】窗口等待时间太长");
        assert_eq!(complaint.contact.as_deref(), Some("13812345678"));
        assert_eq!(complaint.about, "legal_aid");
        form.category = "suggestion".into();
        form.phone.clear();
        let suggestion = form.validate().unwrap();
        assert!(suggestion.text.starts_with("【建议】"));
        assert_eq!(suggestion.contact, None);
    }

    #[test]
    fn a_rating_needs_ticket_service_and_score() {
        let mut form = RatingForm::default();
        assert_eq!(form.validate(), Err(FormError::NoTicket));
        form.ticket = "a012".into();
        assert_eq!(form.validate(), Err(FormError::NoService));
        form.service = "notary".into();
        assert_eq!(form.validate(), Err(FormError::NoScore));
        form.score = 6;
        assert_eq!(form.validate(), Err(FormError::NoScore));
        form.score = 5;
        form.comment = "好".repeat(COMMENT_MAX_CHARS + 1);
        assert!(matches!(
            form.validate(),
            Err(FormError::CommentTooLong { .. })
        ));
        form.comment = "很耐心".into();
        let rating = form.validate().unwrap();
        assert_eq!(rating.ticket.as_deref(), Some("A012"));
        assert_eq!((rating.score, rating.service.as_str()), (5, "notary"));
        assert_eq!(rating.window, None, "the window is optional");
        form.window = Some(4);
        assert_eq!(form.validate().unwrap().window, Some(4));
    }

    #[test]
    fn references_have_the_documented_format() {
        let mut rng = rand::rng();
        for _ in 0..200 {
            let t = new_reference(ReferenceKind::Complaint, &mut rng);
            assert!(t.starts_with("T-") && is_reference(&t), "{t}");
            let p = new_reference(ReferenceKind::Rating, &mut rng);
            assert!(p.starts_with("P-") && is_reference(&p), "{p}");
            assert!(!t.contains(['0', '1', 'I', 'O']));
        }
        assert!(!is_reference("T-ABCD-EFG0"));
        assert!(!is_reference("X-ABCD-EFGH"));
        assert!(!is_reference("T-ABCDEFGH"));
    }
}
