//! Applications made at the kiosk (法律援助, 人民调解, 公证预约), the centre's side, over loopback HTTP
//! on both engines (`NAME_on_sqlite`, `NAME_on_postgres`): a sealed application from a registered
//! device is stored (201), a repeat answered 200, another envelope under the same code 409, an
//! unreadable one 400 naming the part, another device's 403, no token 401; staff list it (the name
//! masked), open it (the full name, the answers, the pages and the signature, the view audited) and
//! decide (returned with a note, received, accepted, assigned, closed), each step changing the public
//! status (steps, note, the time limit of 法律援助法 art. 43) and the phone page; a disallowed move is
//! refused; managers see their site only and lawyers nothing; the citizen's lookup by a sealed ID
//! number; the SQLite file (with its `-wal`) holds no readable name or ID number; the kiosk's own
//! queue (`content::application_queue`) delivering, its refused application kept with the centre's
//! reason, its status screens answered; and the inbox → case → decision in headless Chromium.

mod browser_support;
mod web_support;

use applications::{
    Answers, Applicant, Application, ApplicationKind, Page, TrackingCode,
    form::{self},
    required_documents,
    seal::{CentrePublicKey, seal},
};
use chrono::Duration;
use reqwest::{StatusCode, header};
use serde_json::Value;
use web_support::{
    Engine, PASSWORD, SITE_A, TOKEN_A, TOKEN_B, TestDb, WebCentre, application_keys, config,
    monday_morning,
};

const NAME: &str = "张小三";
const ID_NUMBER: &str = "990101196001029991";
const OTHER_ID_NUMBER: &str = "990101197512319992";
/// A photographed page (240×160 JPEG) and a signature drawn on the touch screen (PNG).
const PAGE: &[u8] = include_bytes!("fixtures/application-page.jpg");
const SIGNATURE: &[u8] = include_bytes!("fixtures/application-signature.png");

fn code(n: u8) -> TrackingCode {
    TrackingCode::from_random([n, 0x5a, 0x17, n, 0x42])
}

/// The second page: another JPEG's bytes (trailing bytes after its end are ignored by decoders).
fn second_page() -> Vec<u8> {
    let mut bytes = PAGE.to_vec();
    bytes.extend_from_slice(b"page two");
    bytes
}

fn applicant(name: &str, id_number: &str) -> Applicant {
    Applicant {
        name: name.into(),
        sex: "男".into(),
        ethnicity: "土家".into(),
        birth_date: "1960-01-02".into(),
        id_number: id_number.into(),
        address: "重庆市黔江区城东街道某路1号".into(),
        from_card: true,
    }
}

/// A complete legal-aid application made at `device`, with the ID card and the case papers (the
/// statement of finances is missing: the staff page says so).
fn legal_aid(code: &TrackingCode, device: &str, id_number: &str) -> Application {
    let kind = ApplicationKind::LegalAid;
    let mut answers = Answers::default();
    for (field, value) in [
        ("phone", "13900001234"),
        ("on_behalf", "no"),
        ("matter", "wages"),
        ("stage", "not_started"),
        ("facts", "老板欠了三个月工资一直不给"),
        ("hardship_basis", "none"),
        ("household_size", "3"),
        ("income_per_person", "900"),
        ("pledge", "yes"),
    ] {
        answers.set(kind, field, value).unwrap();
    }
    Application {
        code: code.clone(),
        kind,
        made_at: "2026-03-02T00:50:00Z".parse().unwrap(),
        device: device.into(),
        applicant: applicant(NAME, id_number),
        documents: required_documents(kind, &answers),
        answers,
        pages: vec![
            Page {
                document: "id_card".into(),
                jpeg: PAGE.to_vec(),
            },
            Page {
                document: "case_papers".into(),
                jpeg: second_page(),
            },
        ],
        signature_png: SIGNATURE.to_vec(),
    }
}

/// A complete mediation application made at `device`.
fn mediation(code: &TrackingCode, device: &str) -> Application {
    let kind = ApplicationKind::Mediation;
    let mut answers = Answers::default();
    for (field, value) in [
        ("phone", "13900005678"),
        ("dispute_type", "neighbours"),
        ("other_party", "邻居王五"),
        ("facts", "修房子占了我家的路"),
        ("request", "让出通道"),
        ("in_court", "no"),
        ("place", "village"),
    ] {
        answers.set(kind, field, value).unwrap();
    }
    Application {
        code: code.clone(),
        kind,
        made_at: "2026-03-02T00:55:00Z".parse().unwrap(),
        device: device.into(),
        applicant: applicant("李四", OTHER_ID_NUMBER),
        documents: required_documents(kind, &answers),
        answers,
        pages: vec![Page {
            document: "id_card".into(),
            jpeg: PAGE.to_vec(),
        }],
        signature_png: SIGNATURE.to_vec(),
    }
}

/// What the kiosk sends: the packed application sealed to the centre's key for its code.
fn sealed(public: &CentrePublicKey, application: &Application) -> Vec<u8> {
    seal(
        public,
        application.code.as_str().as_bytes(),
        &application.pack().unwrap(),
    )
    .unwrap()
}

async fn public_key(centre: &WebCentre) -> CentrePublicKey {
    let body: Value = reqwest::get(centre.url("/api/v1/applications/key"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    CentrePublicKey::parse(body["public_key"].as_str().unwrap()).unwrap()
}

/// POSTs `body` to `path` as a device would (octet-stream, the token when given).
async fn post_bytes(
    centre: &WebCentre,
    token: Option<&str>,
    path: &str,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new()
        .post(centre.url(path))
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn send(
    centre: &WebCentre,
    token: Option<&str>,
    code: &str,
    envelope: Vec<u8>,
) -> (StatusCode, Value) {
    post_bytes(
        centre,
        token,
        &format!("/api/v1/applications/{code}"),
        envelope,
    )
    .await
}

/// Delivers `application` from the device of `token`; asserts 201.
async fn deliver(centre: &WebCentre, token: &str, application: &Application) {
    let public = application_keys().public_key();
    let (status, body) = send(
        centre,
        Some(token),
        application.code.as_str(),
        sealed(&public, application),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

async fn status_json(centre: &WebCentre, code: &str) -> (StatusCode, Value) {
    let response = reqwest::get(centre.url(&format!("/api/v1/applications/{code}/status")))
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

fn error_of(body: &Value) -> &str {
    body["error"].as_str().unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Intake

#[tokio::test]
async fn intake_stores_once_and_names_what_it_refuses_on_sqlite() {
    intake_stores_once_and_names_what_it_refuses(Engine::Sqlite).await;
}

#[tokio::test]
async fn intake_stores_once_and_names_what_it_refuses_on_postgres() {
    intake_stores_once_and_names_what_it_refuses(Engine::Postgres).await;
}

async fn intake_stores_once_and_names_what_it_refuses(engine: Engine) {
    let Some(db) = TestDb::of(engine, "intake_stores_once_and_names_what_it_refuses").await else {
        return;
    };
    let centre = WebCentre::start_on(&db, config(""), monday_morning()).await;
    let public = public_key(&centre).await;
    assert_eq!(public, application_keys().public_key(), "the key is served");

    let first_code = code(1);
    let application = legal_aid(&first_code, "kiosk-a", ID_NUMBER);
    let envelope = sealed(&public, &application);
    let (status, first) = send(
        &centre,
        Some(TOKEN_A),
        first_code.as_str(),
        envelope.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["code"], first_code.as_str());
    assert!(first["received"].is_string());
    // The same envelope again (a retry after a lost answer): 200, the same answer.
    let (status, again) = send(
        &centre,
        Some(TOKEN_A),
        first_code.as_str(),
        envelope.clone(),
    )
    .await;
    assert_eq!((status, &again), (StatusCode::OK, &first));
    // Sealed again (a new envelope) under the stored code: 409, nothing changed.
    let (status, body) = send(
        &centre,
        Some(TOKEN_A),
        first_code.as_str(),
        sealed(&public, &application),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(error_of(&body).contains("different envelope"), "{body}");

    // Refusals name what is wrong.
    let other_code = code(2);
    let other = legal_aid(&other_code, "kiosk-a", ID_NUMBER);
    let stranger = applications::seal::CentreSecretKey::generate()
        .unwrap()
        .public_key()
        .unwrap();
    for (what, envelope, expected) in [
        (
            "sealed to another key",
            sealed(&stranger, &other),
            "cannot be opened with this centre's key",
        ),
        (
            "garbage",
            b"not an envelope at all".to_vec(),
            "cannot be opened with this centre's key: not a sealed envelope",
        ),
        (
            "the first code's envelope under another code",
            envelope.clone(),
            "cannot be opened with this centre's key",
        ),
        (
            "a damaged package",
            seal(&public, other_code.as_str().as_bytes(), b"QJAP\x01\0\0").unwrap(),
            "package: ",
        ),
        (
            "a missing answer",
            {
                let mut unanswered = other.clone();
                unanswered.answers.clear("facts");
                sealed(&public, &unanswered)
            },
            "answers: 案情及申请理由 (facts) is required",
        ),
    ] {
        let (status, body) = send(&centre, Some(TOKEN_A), other_code.as_str(), envelope).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {body}");
        assert!(error_of(&body).contains(expected), "{what}: {body}");
    }
    let (status, body) = send(
        &centre,
        Some(TOKEN_A),
        "not-a-code",
        sealed(&public, &other),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error_of(&body).starts_with("code: "), "{body}");
    // kiosk-a's application sent with kiosk-b's token.
    let (status, body) = send(
        &centre,
        Some(TOKEN_B),
        other_code.as_str(),
        sealed(&public, &other),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(error_of(&body).contains("kiosk-b"), "{body}");
    let (status, _) = send(&centre, None, other_code.as_str(), sealed(&public, &other)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = send(
        &centre,
        Some("not-a-token"),
        other_code.as_str(),
        sealed(&public, &other),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Only the first was stored, with its first step.
    assert_eq!(db.count("SELECT COUNT(*) FROM applications").await, 1);
    assert_eq!(db.count("SELECT COUNT(*) FROM application_steps").await, 1);
    assert_eq!(
        status_json(&centre, other_code.as_str()).await.0,
        StatusCode::NOT_FOUND
    );
    let record = centre
        .store
        .application(first_code.to_string())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            record.row.masked_name.as_str(),
            record.row.site.as_str(),
            record.row.page_count
        ),
        ("张*三", SITE_A, 2)
    );
    assert_eq!(
        centre
            .store
            .application_envelope(first_code.to_string())
            .await
            .unwrap()
            .unwrap(),
        envelope,
        "stored sealed, as received"
    );
}

// ---------------------------------------------------------------------------------------------
// Staff and the citizen's status

#[tokio::test]
async fn staff_decide_and_the_citizen_sees_every_step_on_sqlite() {
    staff_decide_and_the_citizen_sees_every_step(Engine::Sqlite).await;
}

#[tokio::test]
async fn staff_decide_and_the_citizen_sees_every_step_on_postgres() {
    staff_decide_and_the_citizen_sees_every_step(Engine::Postgres).await;
}

/// A lawyer's account besides the usual ones.
fn config_with_lawyer() -> centre::CentreConfig {
    let hash = centre::auth::hash_password(PASSWORD).unwrap();
    config(&format!(
        "[[staff]]\nuser = \"lawyer\"\npassword_hash = \"{hash}\"\nrole = \"lawyer\"\n"
    ))
}

async fn staff_decide_and_the_citizen_sees_every_step(engine: Engine) {
    let Some(db) = TestDb::of(engine, "staff_decide_and_the_citizen_sees_every_step").await else {
        return;
    };
    let centre = WebCentre::start_on(&db, config_with_lawyer(), monday_morning()).await;
    let aid_code = code(3);
    let application = legal_aid(&aid_code, "kiosk-a", ID_NUMBER);
    deliver(&centre, TOKEN_A, &application).await;
    let mediation_code = code(4);
    deliver(&centre, TOKEN_B, &mediation(&mediation_code, "kiosk-b")).await;
    let path = format!("/staff/applications/{aid_code}");

    // The public status: received on Monday 2026-03-02, a decision due within 7 days (art. 43).
    let (status, body) = status_json(&centre, aid_code.as_str()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["kind"], "legal_aid");
    assert_eq!(body["state"], "received");
    assert_eq!(
        body["steps"],
        serde_json::json!([{"state": "received", "on": "2026-03-02"}])
    );
    assert_eq!(body["deadline"]["by"], "2026-03-09");
    assert_eq!(body["deadline"]["basis_zh"], "法律援助法第四十三条");
    let text = body.to_string();
    assert!(
        !text.contains("张") && !text.contains(ID_NUMBER) && !text.contains("13900001234"),
        "no personal data: {text}"
    );

    // The inbox: the name masked only.
    let admin = centre.login("admin").await;
    let (status, inbox) = admin.get("/staff/applications").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        inbox.contains(aid_code.as_str()) && inbox.contains("张*三"),
        "{inbox}"
    );
    assert!(inbox.contains("法律援助申请") && inbox.contains("人民调解申请"));
    assert!(
        inbox.contains("2026-03-09") && !inbox.contains(NAME),
        "{inbox}"
    );
    assert!(inbox.contains("申请 Applications"), "in the navigation");

    // The case: opened in memory, every detail for staff; the view is audited.
    let (status, page) = admin.get(&path).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains(NAME) && page.contains(ID_NUMBER), "{page}");
    assert!(page.contains("城东街道某路1号") && page.contains("土家"));
    let stage = form::field(ApplicationKind::LegalAid, "stage").unwrap();
    assert!(
        page.contains(stage.label_zh) && page.contains(form::choice_label_zh(stage, "not_started")),
        "answers with their labels and choice labels"
    );
    assert!(page.contains("老板欠了三个月工资一直不给") && page.contains("13900001234"));
    assert!(page.contains("900 元"), "a number with its unit");
    assert!(
        page.contains("以上都不是 None of these") && page.contains("wages"),
        "the content lists' answers: the id, or the label this crate knows"
    );
    assert!(
        page.contains("缺少材料 Missing") && page.contains("经济困难状况说明"),
        "the missing statement of finances is named"
    );
    assert!(page.contains(&format!("{path}/pages/1")) && page.contains(&format!("{path}/pages/2")));
    assert!(page.contains(&format!("{path}/signature")));
    assert!(page.contains("法律援助法第四十三条"));
    let audit = centre.store.audit(20).await.unwrap();
    assert!(
        audit.iter().any(|e| e.action == "application_view"
            && e.user == "admin"
            && e.target == format!("application {aid_code}")),
        "{audit:?}"
    );
    assert!(
        !audit
            .iter()
            .any(|e| e.detail.contains(NAME) || e.detail.contains(ID_NUMBER)),
        "never personal data in the audit log"
    );

    // The pages and the signature, as sent.
    for (n, expected) in [(1, PAGE.to_vec()), (2, second_page())] {
        let response = admin
            .client
            .get(centre.url(&format!("{path}/pages/{n}")))
            .header(
                header::COOKIE,
                format!("centre_session={}", admin.session.as_deref().unwrap()),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "image/jpeg");
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
        assert_eq!(
            response.bytes().await.unwrap().to_vec(),
            expected,
            "page {n}"
        );
    }
    let response = admin
        .client
        .get(centre.url(&format!("{path}/signature")))
        .header(
            header::COOKIE,
            format!("centre_session={}", admin.session.as_deref().unwrap()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()[header::CONTENT_TYPE], "image/png");
    assert_eq!(response.bytes().await.unwrap().to_vec(), SIGNATURE);
    for missing in ["0", "3"] {
        assert_eq!(
            admin.get(&format!("{path}/pages/{missing}")).await.0,
            StatusCode::NOT_FOUND
        );
    }

    // Returned: a note is required, at most 500 characters.
    let decide = format!("{path}/decide");
    let (status, _) = admin.post(&decide, &[("state", "returned")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "no note");
    let long = "字".repeat(501);
    let (status, _) = admin
        .post(&decide, &[("state", "returned"), ("note", &long)])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "too long");
    let (status, _) = admin
        .post_raw(
            &decide,
            &[("state", "accepted"), ("csrf", "forged")],
            Some(&centre.url("")),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "CSRF");
    let missing = "请补充经济困难状况说明（可以是个人诚信承诺）";
    let (status, location) = admin
        .post(&decide, &[("state", "returned"), ("note", missing)])
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, path.as_str())
    );
    let (_, body) = status_json(&centre, aid_code.as_str()).await;
    assert_eq!(body["state"], "returned");
    assert_eq!(body["note"], missing);
    assert!(
        body["deadline"].is_null(),
        "the next step waits for the citizen"
    );
    // The phone page, with the code typed as citizens type it.
    let typed = aid_code.as_str().to_lowercase().replace('-', "");
    let phone = reqwest::get(centre.url(&format!("/status?code={typed}")))
        .await
        .unwrap();
    assert_eq!(phone.status(), StatusCode::OK);
    let phone = phone.text().await.unwrap();
    assert!(
        phone.contains("需补充材料")
            && phone.contains("More papers needed")
            && phone.contains(missing),
        "{phone}"
    );
    assert!(
        !phone.contains("张") && !phone.contains(ID_NUMBER),
        "{phone}"
    );

    // The papers came the next day (a new session: the last one expired): received again, a new
    // 7 days.
    centre.clock.advance(Duration::days(1));
    let admin = centre.login("admin").await;
    let decided = (StatusCode::SEE_OTHER, path.clone());
    assert_eq!(admin.post(&decide, &[("state", "received")]).await, decided);
    let (_, body) = status_json(&centre, aid_code.as_str()).await;
    assert_eq!(
        (body["state"].as_str(), body["deadline"]["by"].as_str()),
        (Some("received"), Some("2026-03-10"))
    );
    assert!(body["note"].is_null());
    // A disallowed move is refused and changes nothing.
    let (status, page) = admin.post(&decide, &[("state", "assigned")]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    let (status, _) = admin.post(&decide, &[("state", "nonsense")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Granted: a lawyer within 3 days (art. 43).
    assert_eq!(admin.post(&decide, &[("state", "accepted")]).await, decided);
    let (_, body) = status_json(&centre, aid_code.as_str()).await;
    assert_eq!(body["deadline"]["by"], "2026-03-06");
    assert_eq!(body["deadline"]["zh"], "指派律师等法律援助人员");
    let handler = "已指派王律师承办，律师会电话联系您";
    assert_eq!(
        admin
            .post(&decide, &[("state", "assigned"), ("note", handler)])
            .await,
        decided
    );
    assert_eq!(admin.post(&decide, &[("state", "closed")]).await, decided);
    let (_, body) = status_json(&centre, aid_code.as_str()).await;
    assert_eq!(body["state"], "closed");
    assert!(body["deadline"].is_null() && body["note"].is_null());
    let steps: Vec<(String, String)> = body["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["state"].as_str().unwrap().to_owned(),
                s["on"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = [
        ("received", "2026-03-02"),
        ("returned", "2026-03-02"),
        ("received", "2026-03-03"),
        ("accepted", "2026-03-03"),
        ("assigned", "2026-03-03"),
        ("closed", "2026-03-03"),
    ]
    .iter()
    .map(|(s, d)| ((*s).to_owned(), (*d).to_owned()))
    .collect();
    assert_eq!(steps, expected);
    let (status, _) = admin.post(&decide, &[("state", "received")]).await;
    assert_eq!(status, StatusCode::CONFLICT, "closed is final");
    let (_, page) = admin.get(&path).await;
    assert!(
        page.contains("已办结") && !page.contains("id=\"decide\""),
        "no form once closed"
    );
    assert!(page.contains(handler), "the steps keep every note");
    let phone = reqwest::get(centre.url(&format!("/status?code={aid_code}")))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        phone.contains("已办结") && phone.contains("2026-03-03"),
        "{phone}"
    );
    let decisions = centre
        .store
        .audit(50)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "application_decide")
        .count();
    assert_eq!(
        decisions, 5,
        "every decision is audited, the refused ones are not"
    );

    // Three days later the mediation (a mediator's call within 3 working days) is overdue.
    centre.clock.advance(Duration::days(3));
    let admin = centre.login("admin").await;
    let (_, inbox) = admin.get("/staff/applications?state=open").await;
    assert!(inbox.contains("1 件逾期 overdue"), "{inbox}");
    assert!(
        inbox.contains(mediation_code.as_str()) && !inbox.contains(aid_code.as_str()),
        "open ones only"
    );
    assert!(inbox.contains("2026-03-05 <span class=\"bad\">逾期 Overdue</span>"));

    // A manager sees their own site only; a lawyer nothing.
    let manager_b = centre.login("manager-b").await;
    let (_, inbox) = manager_b
        .get(&format!(
            "/staff/applications?site={}",
            web_support::url(SITE_A)
        ))
        .await;
    assert!(
        inbox.contains(mediation_code.as_str()) && !inbox.contains(aid_code.as_str()),
        "{inbox}"
    );
    for other_site in [
        path.clone(),
        format!("{path}/pages/1"),
        format!("{path}/signature"),
    ] {
        assert_eq!(
            manager_b.get(&other_site).await.0,
            StatusCode::NOT_FOUND,
            "{other_site}"
        );
    }
    let (status, _) = manager_b
        .post(
            &format!("/staff/applications/{mediation_code}/decide"),
            &[("state", "accepted")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "their own site's");
    let manager_a = centre.login("manager-a").await;
    assert_eq!(manager_a.get(&path).await.0, StatusCode::OK);
    let (status, _) = manager_a
        .post(
            &format!("/staff/applications/{mediation_code}/decide"),
            &[("state", "closed")],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another site's");
    let supervisor = centre.login("super").await;
    let (_, inbox) = supervisor.get("/staff/applications").await;
    assert!(inbox.contains(mediation_code.as_str()) && inbox.contains(aid_code.as_str()));
    let lawyer = centre.login("lawyer").await;
    assert_eq!(
        lawyer.get("/staff/applications").await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(lawyer.get(&path).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        centre.browser().get("/staff/applications").await.0,
        StatusCode::SEE_OTHER,
        "no session: the login page"
    );
}

// ---------------------------------------------------------------------------------------------
// The citizen's lookup by ID card

#[tokio::test]
async fn a_sealed_id_number_finds_its_holders_applications_on_sqlite() {
    a_sealed_id_number_finds_its_holders_applications(Engine::Sqlite).await;
}

#[tokio::test]
async fn a_sealed_id_number_finds_its_holders_applications_on_postgres() {
    a_sealed_id_number_finds_its_holders_applications(Engine::Postgres).await;
}

async fn a_sealed_id_number_finds_its_holders_applications(engine: Engine) {
    let Some(db) = TestDb::of(engine, "a_sealed_id_number_finds_its_holders_applications").await
    else {
        return;
    };
    let centre = WebCentre::start_on(&db, config(""), monday_morning()).await;
    let (older, newer, someone_else) = (code(5), code(6), code(7));
    deliver(&centre, TOKEN_A, &legal_aid(&older, "kiosk-a", ID_NUMBER)).await;
    centre.clock.advance(Duration::hours(2));
    // At another site, by the same citizen.
    let mut second = mediation(&newer, "kiosk-b");
    second.applicant = applicant(NAME, ID_NUMBER);
    deliver(&centre, TOKEN_B, &second).await;
    deliver(&centre, TOKEN_A, &mediation(&someone_else, "kiosk-a")).await;

    let public = application_keys().public_key();
    let lookup = |id: &str| seal(&public, b"lookup", id.as_bytes()).unwrap();
    let (status, body) = post_bytes(
        &centre,
        Some(TOKEN_A),
        "/api/v1/applications/lookup",
        lookup(&format!(" {ID_NUMBER} ")),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let codes: Vec<&str> = body
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, [newer.as_str(), older.as_str()], "newest first");
    assert_eq!(body[0]["kind"], "mediation");
    assert_eq!(body[1]["deadline"]["by"], "2026-03-09");
    assert!(!body.to_string().contains(ID_NUMBER) && !body.to_string().contains("张"));

    let (status, body) = post_bytes(
        &centre,
        Some(TOKEN_B),
        "/api/v1/applications/lookup",
        lookup("990101198001019993"),
    )
    .await;
    assert_eq!((status, body), (StatusCode::OK, serde_json::json!([])));
    let (status, body) = post_bytes(
        &centre,
        Some(TOKEN_A),
        "/api/v1/applications/lookup",
        ID_NUMBER.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "not sealed: {body}");
    assert!(error_of(&body).contains("cannot be opened with this centre's key"));
    let (status, _) = post_bytes(
        &centre,
        Some(TOKEN_A),
        "/api/v1/applications/lookup",
        seal(&public, b"S-2345-6789", ID_NUMBER.as_bytes()).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "sealed for another use");
    let (status, _) = post_bytes(
        &centre,
        None,
        "/api/v1/applications/lookup",
        lookup(ID_NUMBER),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

// ---------------------------------------------------------------------------------------------
// What is on disk, the public lookup's limit

/// Whether `needle` occurs in `haystack`.
fn holds(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn the_sqlite_file_holds_no_readable_application() {
    let db = TestDb::sqlite();
    let centre = WebCentre::start_on(&db, config(""), monday_morning()).await;
    let aid_code = code(8);
    deliver(
        &centre,
        TOKEN_A,
        &legal_aid(&aid_code, "kiosk-a", ID_NUMBER),
    )
    .await;
    // A decision, so the file holds a changed row and steps too.
    let admin = centre.login("admin").await;
    admin
        .post(
            &format!("/staff/applications/{aid_code}/decide"),
            &[("state", "accepted")],
        )
        .await;
    let path = db.sqlite_path().unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    if let Ok(more) = std::fs::read(&wal) {
        bytes.extend_from_slice(&more);
    }
    assert!(
        holds(&bytes, "张*三".as_bytes()),
        "the scan sees the file (the masked name is in it)"
    );
    for secret in [
        NAME,
        ID_NUMBER,
        "19600102",
        "13900001234",
        "城东街道某路1号",
        "老板欠了三个月工资",
    ] {
        assert!(
            !holds(&bytes, secret.as_bytes()),
            "{secret} is readable in the database file"
        );
    }
}

#[tokio::test]
async fn the_public_status_is_checked_and_rate_limited_with_the_receipts() {
    let db = TestDb::sqlite();
    let centre = WebCentre::start_on(&db, config(""), monday_morning()).await;
    let aid_code = code(9);
    deliver(
        &centre,
        TOKEN_A,
        &legal_aid(&aid_code, "kiosk-a", ID_NUMBER),
    )
    .await;
    let (status, body) = status_json(&centre, "S-0000-0000").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error_of(&body).contains("S-XXXX-XXXX"));
    assert_eq!(
        status_json(&centre, "S-2222-2222").await.0,
        StatusCode::NOT_FOUND
    );
    let unknown = reqwest::get(centre.url("/status?code=S-2222-2222"))
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    // 3 lookups so far; the receipts' lookups count against the same 10 a minute.
    for _ in 0..3 {
        assert_eq!(
            reqwest::get(centre.url("/api/v1/receipts/T-2222-2222"))
                .await
                .unwrap()
                .status(),
            StatusCode::NOT_FOUND
        );
    }
    for _ in 0..4 {
        assert_eq!(
            status_json(&centre, aid_code.as_str()).await.0,
            StatusCode::OK
        );
    }
    let response = reqwest::get(centre.url(&format!("/api/v1/applications/{aid_code}/status")))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()[header::RETRY_AFTER], "60");
    centre.clock.advance(Duration::seconds(60));
    assert_eq!(
        status_json(&centre, aid_code.as_str()).await.0,
        StatusCode::OK
    );
    // The form says which codes it takes.
    let form = reqwest::get(centre.url("/status"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(form.contains("S-XXXX-XXXX") && form.contains("T-XXXX-XXXX"));
}

#[tokio::test]
async fn a_centre_without_a_key_takes_no_applications() {
    let db = TestDb::sqlite();
    let store = db.open().await;
    centre::install_accounts(store.as_ref(), &centre::Accounts::Configured(config("")))
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = centre::AppState::new(
        store,
        std::sync::Arc::new(clock::ManualWallClock::new(monday_morning())),
        centre::ApiSettings::default(),
    );
    tokio::spawn(centre::serve(listener, state, std::future::pending::<()>()));
    let response = reqwest::get(format!("{base}/api/v1/applications/key"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let aid_code = code(10);
    let response = reqwest::Client::new()
        .post(format!("{base}/api/v1/applications/{aid_code}"))
        .bearer_auth(TOKEN_A)
        .body(sealed(
            &application_keys().public_key(),
            &legal_aid(&aid_code, "kiosk-a", ID_NUMBER),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::SERVICE_UNAVAILABLE,
        "kept by the kiosk and retried"
    );
}

// ---------------------------------------------------------------------------------------------
// The kiosk's own queue

#[tokio::test]
async fn the_kiosks_queue_delivers_to_the_centre_and_keeps_a_refused_one() {
    use content::application_queue::{ApplicationQueue, Centre};

    let db = TestDb::sqlite();
    let centre = WebCentre::start_on(&db, config(""), monday_morning()).await;
    let kiosk_dir = tempfile::tempdir().unwrap();
    let queue = ApplicationQueue::open(
        &kiosk_dir.path().join("applications"),
        Some(Centre {
            base: reqwest::Url::parse(&centre.url("/")).unwrap(),
            client: reqwest::Client::new(),
            token: Some(TOKEN_A.to_owned()),
        }),
        None,
        std::sync::Arc::new(content::SystemWallClock),
    )
    .unwrap();
    // The key fetched from the centre, as a kiosk does at start.
    assert_eq!(
        queue.refresh_key().await.unwrap(),
        application_keys().public_key()
    );
    let good = code(13);
    queue
        .submit(&legal_aid(&good, "kiosk-a", ID_NUMBER))
        .unwrap();
    let bad = code(14);
    let mut unanswered = legal_aid(&bad, "kiosk-a", ID_NUMBER);
    unanswered.answers.clear("pledge");
    queue.submit(&unanswered).unwrap();
    let report = queue.deliver_due(chrono::Utc::now()).await;
    assert_eq!((report.delivered, report.rejected, report.retry), (1, 1, 0));
    assert!(!queue.is_pending(&good) && !queue.is_pending(&bad));
    let reason = queue.rejection(&bad).expect("kept for the technician");
    assert!(
        reason.contains("answers: 诚信承诺 (pledge) is required"),
        "{reason}"
    );

    // The kiosk's status screens: by code, and by the ID card.
    let status = queue.status_of(&good).await.unwrap().unwrap();
    assert_eq!(status.state, applications::ApplicationState::Received);
    assert_eq!(status.deadline.unwrap().by.to_string(), "2026-03-09");
    assert!(queue.status_of(&bad).await.unwrap().is_none());
    let mine = queue.statuses_of_holder(ID_NUMBER).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].code, good);
}

// ---------------------------------------------------------------------------------------------
// Headless Chromium

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_open_and_decide_an_application_in_chromium() {
    use browser_support::{WAIT, chromium, fonts_conf, shoot, start_chromedriver, wait_text};
    use fantoccini::Locator;

    let db = TestDb::sqlite();
    let centre = WebCentre::start_on(&db, config(""), monday_morning()).await;
    let aid_code = code(11);
    deliver(
        &centre,
        TOKEN_A,
        &legal_aid(&aid_code, "kiosk-a", ID_NUMBER),
    )
    .await;
    deliver(&centre, TOKEN_B, &mediation(&code(12), "kiosk-b")).await;
    let profile = tempfile::tempdir().unwrap();
    let (_driver, port) = start_chromedriver(&fonts_conf(profile.path()));
    let browser = chromium(port, &profile.path().join("profile")).await;
    let base = centre.url("");
    let note = "请补充经济困难状况说明";
    let result = async {
        browser.set_window_size(1280, 900).await?;
        browser.goto(&format!("{base}/staff/login")).await?;
        browser
            .find(Locator::Id("user"))
            .await?
            .send_keys("admin")
            .await?;
        browser
            .find(Locator::Id("password"))
            .await?
            .send_keys(PASSWORD)
            .await?;
        browser.find(Locator::Id("login")).await?.click().await?;
        wait_text(&browser, "user", "admin").await?;
        browser.goto(&format!("{base}/staff/applications")).await?;
        shoot(&browser, "applications").await?;
        browser
            .wait()
            .at_most(WAIT)
            .for_element(Locator::LinkText(aid_code.as_str()))
            .await?
            .click()
            .await?;
        wait_text(&browser, "applicant-name", NAME).await?;
        // Every thumbnail and the signature decode: real pictures from the envelope.
        let decoded = browser
            .execute_async(
                "const done = arguments[arguments.length - 1];\
                 const images = Array.from(document.querySelectorAll('img.page, img.signature'));\
                 Promise.all(images.map(i => i.decode()))\
                   .then(() => done(images.map(i => i.naturalWidth)), e => done(String(e)));",
                vec![],
            )
            .await?;
        assert_eq!(decoded, serde_json::json!([240, 240, 240]), "{decoded}");
        shoot(&browser, "application").await?;
        browser
            .find(Locator::Css("#next-state option[value='returned']"))
            .await?
            .click()
            .await?;
        browser
            .find(Locator::Id("note"))
            .await?
            .send_keys(note)
            .await?;
        browser.find(Locator::Id("decide")).await?.click().await?;
        wait_text(&browser, "app-state", "需补充材料").await?;
        wait_text(&browser, "app-note", note).await?;

        // The citizen's phone.
        browser.set_window_size(412, 915).await?;
        browser
            .goto(&format!("{base}/status?code={aid_code}"))
            .await?;
        wait_text(&browser, "status", "需补充材料").await?;
        wait_text(&browser, "note", note).await?;
        shoot(&browser, "application-status").await?;
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    let _ = browser.close().await;
    result.expect("the applications pages work in Chromium");
    let record = centre
        .store
        .application(aid_code.to_string())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.row.note.as_deref(), Some(note));
    assert_eq!(record.steps.last().unwrap().by, "admin");
}
