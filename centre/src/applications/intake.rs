//! What a well-formed application envelope is, checked in memory on arrival
//! (`POST /api/v1/applications/{code}`), and why one is refused.
//!
//! In this order: the envelope opens with the centre's key for its tracking code; the package inside
//! unpacks within its bounds; it names the same code and the device whose token sent it; every
//! question its kind asks is answered as it should be (`Answers::finish`, the kiosk's own check); it
//! names an applicant; it has at most `MAX_PAGES` pages. Each refusal names the part (`package: …`,
//! `answers: …`), so the kiosk's technician can tell a wrong key from a damaged file.

use ::applications::{
    AnswerError, Application, MAX_PAGES, PackageError, TrackingCode, seal::SealError,
};

use super::ApplicationKeys;

/// The largest envelope accepted (the body of `POST /api/v1/applications/{code}`).
pub const MAX_ENVELOPE_BYTES: usize = 48 << 20;

/// Envelopes read and checked at once; further deliveries wait for a turn before their body is
/// read. An envelope of 48 MiB costs about three times that in memory while it is checked (the body,
/// the opened package, its pages).
pub const MAX_CHECKS_AT_ONCE: usize = 4;

/// Why an envelope is refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum IntakeError {
    /// Sealed to another key, for another code, changed, or not an envelope at all.
    #[error("the envelope cannot be opened with this centre's key: {0}")]
    Seal(SealError),
    /// The package inside is damaged or out of bounds.
    #[error("package: {0}")]
    Package(PackageError),
    /// The package names another tracking code than the one it was sent under.
    #[error("code: the package holds {inside} but was sent as {sent}")]
    CodeMismatch {
        /// The code inside.
        inside: String,
        /// The code of the request.
        sent: String,
    },
    /// The application was made at another device than the one whose token sent it (403).
    #[error(
        "device: the application was made at {inside:?} but the credentials are those of {token:?}"
    )]
    OtherDevice {
        /// The device the package names.
        inside: String,
        /// The token's device.
        token: String,
    },
    /// An answer is missing or does not fit its question.
    #[error("answers: {0}")]
    Answers(AnswerError),
    /// The applicant is not named.
    #[error("applicant: {0}")]
    Applicant(&'static str),
    /// More pages than an application may carry.
    #[error("pages: {count} pages (at most {MAX_PAGES})")]
    TooManyPages {
        /// The pages sent.
        count: usize,
    },
}

impl IntakeError {
    /// Whether the refusal is about the sender (403) rather than the envelope (400).
    pub fn is_forbidden(&self) -> bool {
        matches!(self, Self::OtherDevice { .. })
    }
}

/// Opens `envelope`, sent under `code` by `device`, and checks the application inside (see the
/// module documentation). The application is returned for the few facts the store keeps; the
/// envelope itself is what is stored.
pub fn check_envelope(
    keys: &ApplicationKeys,
    code: &TrackingCode,
    device: &str,
    envelope: &[u8],
) -> Result<Application, IntakeError> {
    let plain = keys
        .open(code.as_str().as_bytes(), envelope)
        .map_err(IntakeError::Seal)?;
    let mut application = Application::unpack(&plain).map_err(IntakeError::Package)?;
    if application.code != *code {
        return Err(IntakeError::CodeMismatch {
            inside: application.code.to_string(),
            sent: code.to_string(),
        });
    }
    if application.device != device {
        return Err(IntakeError::OtherDevice {
            inside: application.device.clone(),
            token: device.to_owned(),
        });
    }
    let kind = application.kind;
    application
        .answers
        .finish(kind)
        .map_err(IntakeError::Answers)?;
    if application.applicant.name.trim().is_empty() {
        return Err(IntakeError::Applicant("the name is empty"));
    }
    if application.applicant.id_number.trim().is_empty() {
        return Err(IntakeError::Applicant("the ID number is empty"));
    }
    if application.pages.len() > MAX_PAGES {
        return Err(IntakeError::TooManyPages {
            count: application.pages.len(),
        });
    }
    Ok(application)
}

#[cfg(test)]
pub(crate) mod tests {
    use ::applications::{
        Answers, Applicant, ApplicationKind, Page, required_documents, seal::seal,
    };
    use chrono::DateTime;

    use super::*;

    /// A complete mediation application of `device` under `code`.
    pub(crate) fn mediation(code: &TrackingCode, device: &str) -> Application {
        let kind = ApplicationKind::Mediation;
        let mut answers = Answers::default();
        for (field, value) in [
            ("phone", "13900001234"),
            ("dispute_type", "neighbours"),
            ("other_party", "李四"),
            ("facts", "邻居修房子占了我家的路"),
            ("request", "让出通道"),
            ("in_court", "no"),
            ("place", "village"),
        ] {
            answers.set(kind, field, value).unwrap();
        }
        Application {
            code: code.clone(),
            kind,
            made_at: DateTime::from_timestamp(1_772_413_200, 0).unwrap(),
            device: device.into(),
            applicant: Applicant {
                name: "张小三".into(),
                sex: "男".into(),
                ethnicity: "汉".into(),
                birth_date: "1960-01-02".into(),
                id_number: "990101196001029991".into(),
                address: "重庆市黔江区某路1号".into(),
                from_card: true,
            },
            documents: required_documents(kind, &answers),
            answers,
            pages: vec![Page {
                document: "id_card".into(),
                jpeg: vec![0xff, 0xd8, 0xff, 0xe0, 1, 2, 3],
            }],
            signature_png: b"\x89PNG\r\n\x1a\nsig".to_vec(),
        }
    }

    #[test]
    fn a_sealed_application_is_opened_and_checked() {
        let keys = ApplicationKeys::generate().unwrap();
        let code = TrackingCode::from_random([1, 2, 3, 4, 5]);
        let app = mediation(&code, "kiosk-a");
        let sealed = |app: &Application| {
            seal(
                &keys.public_key(),
                app.code.as_str().as_bytes(),
                &app.pack().unwrap(),
            )
            .unwrap()
        };
        let envelope = sealed(&app);
        let opened = check_envelope(&keys, &code, "kiosk-a", &envelope).unwrap();
        assert_eq!(opened.applicant.name, "张小三");

        let other = TrackingCode::from_random([9, 9, 9, 9, 9]);
        assert!(matches!(
            check_envelope(&keys, &other, "kiosk-a", &envelope),
            Err(IntakeError::Seal(SealError::Unopenable))
        ));
        let err = check_envelope(&keys, &code, "kiosk-b", &envelope).unwrap_err();
        assert!(err.is_forbidden(), "{err}");
        let stranger = ApplicationKeys::generate().unwrap();
        let err = check_envelope(&stranger, &code, "kiosk-a", &envelope).unwrap_err();
        assert!(
            err.to_string()
                .contains("cannot be opened with this centre's key"),
            "{err}"
        );
        let err = check_envelope(&keys, &code, "kiosk-a", b"garbage").unwrap_err();
        assert!(err.to_string().contains("not a sealed envelope"), "{err}");

        // Sealed under the right code, but the package names another.
        let mut renamed = mediation(&other, "kiosk-a");
        renamed.code = other.clone();
        let envelope = seal(
            &keys.public_key(),
            code.as_str().as_bytes(),
            &renamed.pack().unwrap(),
        )
        .unwrap();
        assert!(matches!(
            check_envelope(&keys, &code, "kiosk-a", &envelope),
            Err(IntakeError::CodeMismatch { .. })
        ));

        let mut unanswered = mediation(&code, "kiosk-a");
        unanswered.answers.clear("facts");
        let err = check_envelope(&keys, &code, "kiosk-a", &sealed(&unanswered)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "answers: 纠纷事实 (facts) is required",
            "the field is named"
        );

        let mut nameless = mediation(&code, "kiosk-a");
        nameless.applicant.name = " ".into();
        let err = check_envelope(&keys, &code, "kiosk-a", &sealed(&nameless)).unwrap_err();
        assert_eq!(err.to_string(), "applicant: the name is empty");

        let mut cut = sealed(&app);
        cut.truncate(cut.len() / 2);
        assert!(matches!(
            check_envelope(&keys, &code, "kiosk-a", &cut),
            Err(IntakeError::Seal(_))
        ));
        let damaged = seal(&keys.public_key(), code.as_str().as_bytes(), b"QJAP\x01").unwrap();
        let err = check_envelope(&keys, &code, "kiosk-a", &damaged).unwrap_err();
        assert!(err.to_string().starts_with("package: "), "{err}");
    }
}
