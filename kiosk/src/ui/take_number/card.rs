//! What the flow keeps of an ID card: the masked name, the age and the salted identity token.
//!
//! The raw card (name, number, address, photo) never leaves the reader task: it is summarised
//! there and dropped (its memory is wiped by `id_reader`'s `ZeroizeOnDrop`).

use chrono::NaiveDate;
use id_reader::{CardSpec, IdentityCard};

use queue::{IdentityToken, QueueClient, QueueError};

/// The part of an ID card the flow may hold for one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardSummary {
    /// The holder's name, masked (`王*明`).
    pub masked_name: String,
    /// Age in whole years today (none when the birth date is after today).
    pub age: Option<u32>,
    /// The salted identity token (the only identity that goes to the queue).
    pub token: IdentityToken,
    /// The card's holder in full, only while a page that sends it sealed to the centre (an
    /// application) asked for it ([`super::TakeNumberController::share_full_card`]); wiped when
    /// dropped, never given to the take-a-number flow.
    pub applicant: Option<applications::Applicant>,
}

impl CardSummary {
    /// Summarises `card` as of `today`, deriving the token with the queue's salt.
    pub fn from_card(
        card: &IdentityCard,
        today: NaiveDate,
        queue: &dyn QueueClient,
    ) -> Result<Self, QueueError> {
        Ok(Self {
            masked_name: card.masked_name(),
            age: card.age_on(today),
            token: queue.identity_token(&card.id_number)?,
            applicant: None,
        })
    }
}

/// The holder of `card`, in full, for an application sealed to the centre.
pub fn applicant_of(card: &IdentityCard) -> applications::Applicant {
    applications::Applicant {
        name: card.name.clone(),
        sex: card.sex.to_string(),
        ethnicity: card.nation.map(|n| n.name().to_owned()).unwrap_or_default(),
        birth_date: card.birth.to_string(),
        id_number: card.id_number.clone(),
        address: card.address.clone().unwrap_or_default(),
        from_card: true,
    }
}

/// A card read as the technician's test read sees it: masked values only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardCheck {
    /// A card was read.
    Read {
        /// The holder's name, masked (`王*明`).
        masked_name: String,
        /// The ID number, masked (`990***********9992`).
        masked_number: String,
    },
    /// A card lay on the pad but could not be read, with the reason.
    Failed(String),
}

/// The sample cards of simulated mode (`assets/sim-cards/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleCard {
    /// An adult below the age of the priority service for seniors.
    Citizen,
    /// A person above the age of the priority service for seniors.
    Elderly,
}

impl SampleCard {
    /// The card file's text.
    pub fn toml(self) -> &'static str {
        match self {
            Self::Citizen => include_str!("../../../../assets/sim-cards/citizen.toml"),
            Self::Elderly => include_str!("../../../../assets/sim-cards/elderly.toml"),
        }
    }

    /// The card, ready to place on the simulated reader.
    pub fn card(self) -> IdentityCard {
        CardSpec::from_toml(self.toml())
            .and_then(|spec| spec.to_card())
            .expect("the bundled sample cards are valid (checked by a unit test)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_cards_parse_and_are_on_either_side_of_sixty() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let citizen = SampleCard::Citizen.card();
        let elderly = SampleCard::Elderly.card();
        assert!(citizen.id_number_valid() && elderly.id_number_valid());
        assert!(citizen.age_on(today).unwrap() < 60);
        assert!(elderly.age_on(today).unwrap() >= 60);
        assert_eq!(elderly.masked_name(), "陈*英");
    }
}
