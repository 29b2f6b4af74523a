//! Byte offsets of the four text-block layouts, parsing and encoding.

use super::{
    CardDate, CardError, CardType, IdentityCard, Nation, Photo, Sex, TEXT_BLOCK_LEN, ValidTo,
};

/// Byte offset of the layout flag character.
const FLAG_AT: usize = 248;

/// Decodes UTF-16LE without trimming.
fn raw(text: &[u8], at: usize, len: usize) -> String {
    let units: Vec<u16> = text[at..at + len]
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    String::from_utf16_lossy(&units)
}

fn trim(s: &str) -> String {
    s.trim_matches(|c| c == ' ' || c == '\0').to_owned()
}

fn field(text: &[u8], at: usize, len: usize) -> String {
    trim(&raw(text, at, len))
}

fn opt(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

fn date(text: &[u8], at: usize, name: &'static str) -> Result<CardDate, CardError> {
    CardDate::parse(&field(text, at, 16)).ok_or(CardError::BadField { field: name })
}

fn valid_to(text: &[u8], at: usize) -> Result<ValidTo, CardError> {
    ValidTo::parse(&field(text, at, 16)).ok_or(CardError::BadField { field: "valid_to" })
}

fn empty(card_type: CardType) -> IdentityCard {
    IdentityCard {
        card_type,
        name: String::new(),
        name_en: None,
        sex: Sex::Unknown,
        nation: None,
        birth: CardDate::EPOCH,
        address: None,
        id_number: String::new(),
        authority: None,
        valid_from: CardDate::EPOCH,
        valid_to: ValidTo::LongTerm,
        pass_number: None,
        issue_count: None,
        nationality: None,
        card_version: None,
        accepting_authority: None,
        previous_number: None,
        photo: Photo::default(),
        fingerprint: None,
    }
}

pub(super) fn parse(text: &[u8]) -> Result<IdentityCard, CardError> {
    if text.len() < TEXT_BLOCK_LEN {
        return Err(CardError::TextTooShort(text.len()));
    }
    let flag = raw(text, FLAG_AT, 2).chars().next().unwrap_or(' ');
    let card_type = CardType::from_flag(flag);
    let mut card = empty(card_type);
    match card_type {
        CardType::Resident | CardType::HkMacaoTaiwan => {
            card.name = field(text, 0, 30);
            card.sex = Sex::parse(&field(text, 30, 2));
            if card_type == CardType::Resident {
                card.nation = Some(
                    Nation::parse(&field(text, 32, 4))
                        .ok_or(CardError::BadField { field: "nation" })?,
                );
            }
            card.birth = date(text, 36, "birth")?;
            card.address = opt(field(text, 52, 70));
            card.id_number = field(text, 122, 36);
            card.authority = opt(field(text, 158, 30));
            card.valid_from = date(text, 188, "valid_from")?;
            card.valid_to = valid_to(text, 204)?;
            if card_type == CardType::HkMacaoTaiwan {
                card.pass_number = opt(field(text, 220, 18));
                card.issue_count = opt(field(text, 238, 4));
            }
        }
        CardType::ForeignPermanent2017 => {
            card.name_en = opt(field(text, 0, 120));
            card.sex = Sex::parse(&field(text, 120, 2));
            card.id_number = field(text, 122, 30);
            card.nationality = opt(field(text, 152, 6));
            card.name = field(text, 158, 30);
            card.valid_from = date(text, 188, "valid_from")?;
            card.valid_to = valid_to(text, 204)?;
            card.birth = date(text, 220, "birth")?;
            card.card_version = opt(field(text, 236, 4));
            card.accepting_authority = opt(field(text, 240, 8));
        }
        CardType::ForeignPermanent2023 => {
            card.name = field(text, 0, 30);
            card.sex = Sex::parse(&field(text, 30, 2));
            card.issue_count = opt(field(text, 32, 4));
            card.birth = date(text, 36, "birth")?;
            // The English name is split: characters 1–35 at 52, 36–46 at 220.
            let en = raw(text, 52, 70) + &raw(text, 220, 22);
            card.name_en = opt(trim(&en));
            card.id_number = field(text, 122, 36);
            card.valid_from = date(text, 188, "valid_from")?;
            card.valid_to = valid_to(text, 204)?;
            card.nationality = opt(field(text, 242, 6));
            card.previous_number = opt(field(text, 250, 6));
        }
    }
    if card.id_number.is_empty() {
        return Err(CardError::BadField { field: "id_number" });
    }
    Ok(card)
}

/// Writes `s` as UTF-16LE into `len` bytes at `at`, cut to whole characters and padded with spaces.
fn put(buf: &mut [u8], at: usize, len: usize, s: &str) {
    let mut pos = at;
    for c in s.chars() {
        let mut units = [0u16; 2];
        let units = c.encode_utf16(&mut units);
        if pos + 2 * units.len() > at + len {
            break;
        }
        for u in units.iter() {
            buf[pos..pos + 2].copy_from_slice(&u.to_le_bytes());
            pos += 2;
        }
    }
}

pub(super) fn encode(card: &IdentityCard) -> [u8; TEXT_BLOCK_LEN] {
    let mut buf = [0u8; TEXT_BLOCK_LEN];
    for pair in buf.chunks_exact_mut(2) {
        pair.copy_from_slice(&[0x20, 0x00]);
    }
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    let sex = card.sex.code().to_string();
    match card.card_type {
        CardType::Resident | CardType::HkMacaoTaiwan => {
            put(&mut buf, 0, 30, &card.name);
            put(&mut buf, 30, 2, &sex);
            if let Some(n) = card.nation {
                put(&mut buf, 32, 4, &format!("{:02}", n.code()));
            }
            put(&mut buf, 36, 16, &card.birth.compact());
            put(&mut buf, 52, 70, &o(&card.address));
            put(&mut buf, 122, 36, &card.id_number);
            put(&mut buf, 158, 30, &o(&card.authority));
            put(&mut buf, 188, 16, &card.valid_from.compact());
            put(&mut buf, 204, 16, &card.valid_to.compact());
            if card.card_type == CardType::HkMacaoTaiwan {
                put(&mut buf, 220, 18, &o(&card.pass_number));
                put(&mut buf, 238, 4, &o(&card.issue_count));
            }
        }
        CardType::ForeignPermanent2017 => {
            put(&mut buf, 0, 120, &o(&card.name_en));
            put(&mut buf, 120, 2, &sex);
            put(&mut buf, 122, 30, &card.id_number);
            put(&mut buf, 152, 6, &o(&card.nationality));
            put(&mut buf, 158, 30, &card.name);
            put(&mut buf, 188, 16, &card.valid_from.compact());
            put(&mut buf, 204, 16, &card.valid_to.compact());
            put(&mut buf, 220, 16, &card.birth.compact());
            put(&mut buf, 236, 4, &o(&card.card_version));
            put(&mut buf, 240, 8, &o(&card.accepting_authority));
        }
        CardType::ForeignPermanent2023 => {
            put(&mut buf, 0, 30, &card.name);
            put(&mut buf, 30, 2, &sex);
            put(&mut buf, 32, 4, &o(&card.issue_count));
            put(&mut buf, 36, 16, &card.birth.compact());
            let en: Vec<char> = o(&card.name_en).chars().collect();
            let split = en.len().min(35);
            put(&mut buf, 52, 70, &en[..split].iter().collect::<String>());
            put(&mut buf, 220, 22, &en[split..].iter().collect::<String>());
            put(&mut buf, 122, 36, &card.id_number);
            put(&mut buf, 188, 16, &card.valid_from.compact());
            put(&mut buf, 204, 16, &card.valid_to.compact());
            put(&mut buf, 242, 6, &o(&card.nationality));
            put(&mut buf, 250, 6, &o(&card.previous_number));
        }
    }
    let flag = card.card_type.flag().to_string();
    put(&mut buf, FLAG_AT, 2, &flag);
    buf
}
