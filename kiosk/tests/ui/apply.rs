//! 在本机申请 on the kiosk with its devices simulated: a mediation application from the ID card to the
//! sealed queue (questions one per screen, the document camera's simulated desk through the real
//! GStreamer pipeline and page processing, the signature, the review, the printed receipt); the
//! refusals of a blank signature, missing papers, a black page and a lost camera; the session's end
//! wiping everything.

use std::{sync::Arc, time::Duration};

use applications::{Application, seal::CentreSecretKey};
use content::{SystemWallClock, application_queue::ApplicationQueue};
use kiosk::{
    devices::{DocCameraSlot, SimulatedDeskCamera},
    ui::{
        ApplyAdapter, ApplyStep, KeyboardAdapter, Page, Session,
        apply::{ApplyController, ApplyServices},
        take_number::card::SampleCard,
    },
};
use slint::{ComponentHandle as _, Model as _};

use super::take_number::support::{Kiosk, KioskSetup, WAIT};

struct Setup {
    apply: ApplyController,
    queue: ApplicationQueue,
    secret: CentreSecretKey,
    desk: Arc<SimulatedDeskCamera>,
    _dir: tempfile::TempDir,
}

fn attach(k: &Kiosk) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let secret = CentreSecretKey::generate().unwrap();
    let queue = ApplicationQueue::open(
        &dir.path().join("applications"),
        None,
        Some(secret.public_key().unwrap()),
        Arc::new(SystemWallClock),
    )
    .unwrap();
    let desk = Arc::new(SimulatedDeskCamera::new());
    let store =
        content::ContentStore::open(dir.path(), &content::ContentConfig::default()).unwrap();
    let content = store.current();
    let apply = ApplyController::attach(
        &k.shell,
        move || Arc::clone(&content),
        ApplyServices {
            runtime: k.runtime(),
            queue: Some(queue.clone()),
            printer: Some(k.devices.printer.clone()),
            cards: Some(k.controller.clone()),
            camera: DocCameraSlot::Simulated(Arc::clone(&desk)),
            device: "kiosk-test".into(),
            status_url: Some("https://centre.example/status?code=".into()),
        },
    );
    Setup {
        apply,
        queue,
        secret,
        desk,
        _dir: dir,
    }
}

/// Pumps both controllers until `done` holds.
fn wait(k: &Kiosk, s: &Setup, done: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + WAIT;
    while !done() {
        k.controller.pump();
        s.apply.pump();
        assert!(std::time::Instant::now() < deadline, "timed out");
        let _ = k.controller.wait_for(Duration::from_millis(20), |_| false);
    }
}

/// Types `text` for the question on screen through the on-screen keyboard.
fn type_answer(k: &Kiosk, text: &str) {
    let window = k.shell.window();
    window.global::<ApplyAdapter>().invoke_edit("answer".into());
    assert_eq!(window.global::<ApplyAdapter>().get_editing(), "answer");
    let keyboard = window.global::<KeyboardAdapter>();
    keyboard.invoke_key(text.into());
    keyboard.invoke_done();
    assert_eq!(window.global::<ApplyAdapter>().get_editing(), "");
}

fn press_digits(k: &Kiosk, digits: &str) {
    let adapter = k.shell.window().global::<ApplyAdapter>();
    for d in digits.chars() {
        adapter.invoke_digit(d.to_string().into());
    }
}

/// Takes one page of the paper `id` on the simulated desk and keeps it.
fn take_page(k: &Kiosk, s: &Setup, id: &str) {
    let adapter = k.shell.window().global::<ApplyAdapter>();
    adapter.invoke_take_paper(id.into());
    assert_eq!(adapter.get_step(), ApplyStep::Camera);
    wait(k, s, || adapter.get_has_preview());
    adapter.invoke_shoot();
    wait(k, s, || {
        adapter.get_has_shot() || !adapter.get_error().is_empty()
    });
    assert_eq!(adapter.get_error(), "", "the page was refused");
    adapter.invoke_keep();
    adapter.invoke_camera_done();
}

fn sign(k: &Kiosk) {
    let adapter = k.shell.window().global::<ApplyAdapter>();
    adapter.invoke_sign_down(0.1, 0.5);
    for i in 1..=20 {
        let t = i as f32 / 20.0;
        adapter.invoke_sign_move(0.1 + 0.8 * t, 0.5 + 0.2 * (t * 9.0).sin());
    }
}

/// From the home screen to the questions of a mediation application, with the sample card.
fn start_mediation(k: &Kiosk, s: &Setup) {
    let window = k.shell.window();
    assert!(window.global::<Session>().get_apply_offered());
    window.global::<Session>().invoke_apply("".into());
    assert_eq!(k.shell.page(), Page::Apply);
    let adapter = window.global::<ApplyAdapter>();
    assert_eq!(adapter.get_step(), ApplyStep::Choose);
    adapter.invoke_choose("mediation".into());
    assert_eq!(adapter.get_step(), ApplyStep::Intro);
    adapter.invoke_start();
    assert_eq!(adapter.get_step(), ApplyStep::Applicant);
    k.sim_reader().place(&SampleCard::Citizen.card());
    wait(k, s, || !adapter.get_applicant().is_empty());
    assert_eq!(
        k.shell.page(),
        Page::Apply,
        "take-a-number did not take the card"
    );
    let shown = adapter.get_applicant().to_string();
    assert!(shown.contains('*'), "masked: {shown}");
    adapter.invoke_next();
    assert_eq!(adapter.get_step(), ApplyStep::Question);
}

fn answer_mediation(k: &Kiosk) {
    let adapter = k.shell.window().global::<ApplyAdapter>();
    assert_eq!((adapter.get_q_number(), adapter.get_q_total()), (1, 8));
    press_digits(k, "1391234567");
    adapter.invoke_next();
    assert!(
        adapter.get_error().contains("电话"),
        "{}",
        adapter.get_error()
    );
    press_digits(k, "8");
    adapter.invoke_next();
    assert_eq!(adapter.get_error(), "");
    assert_eq!(adapter.get_q_number(), 2);
    let choices: Vec<_> = adapter
        .get_q_choices()
        .iter()
        .map(|c| c.id.to_string())
        .collect();
    assert!(choices.contains(&"neighbours".to_owned()), "{choices:?}");
    adapter.invoke_pick("neighbours".into());
    type_answer(k, "邻居李某");
    adapter.invoke_next();
    adapter.invoke_skip();
    type_answer(k, "邻居修房子占了我家的路");
    adapter.invoke_next();
    type_answer(k, "让出通道");
    adapter.invoke_next();
    adapter.invoke_pick("no".into());
    adapter.invoke_pick("village".into());
    assert_eq!(adapter.get_step(), ApplyStep::Papers);
}

#[test]
fn a_mediation_application_goes_from_the_card_to_the_sealed_queue_with_its_page_and_receipt() {
    let k = Kiosk::start(KioskSetup::default());
    let s = attach(&k);
    let adapter = k.shell.window().global::<ApplyAdapter>();
    start_mediation(&k, &s);
    answer_mediation(&k);

    let papers: Vec<_> = adapter
        .get_papers()
        .iter()
        .map(|p| (p.id.to_string(), p.required))
        .collect();
    assert_eq!(
        papers,
        [
            ("id_card".to_owned(), true),
            ("dispute_papers".to_owned(), false)
        ]
    );
    adapter.invoke_papers_done();
    assert!(
        adapter.get_error().contains("居民身份证"),
        "{}",
        adapter.get_error()
    );
    take_page(&k, &s, "id_card");
    assert_eq!(adapter.get_papers().row_data(0).unwrap().pages, 1);
    adapter.invoke_papers_done();
    assert_eq!(adapter.get_step(), ApplyStep::Signature);
    adapter.invoke_sign_done();
    assert_eq!(adapter.get_error(), "请在框内签名");
    sign(&k);
    assert!(adapter.get_signed());
    adapter.invoke_sign_done();
    assert_eq!(adapter.get_step(), ApplyStep::Review);
    let review: Vec<_> = adapter
        .get_review()
        .iter()
        .map(|r| (r.label.to_string(), r.value.to_string()))
        .collect();
    assert!(
        review.contains(&("纠纷类型".to_owned(), "邻里纠纷".to_owned())),
        "{review:?}"
    );
    assert!(
        review.iter().any(|(l, v)| l == "申请人" && v.contains('*')),
        "{review:?}"
    );
    assert_eq!(adapter.get_page_count(), 1);

    adapter.invoke_submit();
    assert_eq!(adapter.get_step(), ApplyStep::Sent);
    let code = adapter.get_code().to_string();
    assert!(code.starts_with("S-"), "{code}");
    assert!(!adapter.get_delivered(), "no centre: kept on the kiosk");
    assert!(adapter.get_has_qr());
    assert!(adapter.get_next_steps().contains("调解"));
    wait(&k, &s, || adapter.get_print_status().contains("已打印"));
    let printed = k.sim_printer().take_tickets();
    let text = printed.last().map(|t| t.text()).unwrap_or_default();
    assert!(
        text.contains(&code) && text.contains("人民调解申请回执"),
        "the receipt has the code: {text}"
    );

    // On the kiosk's disk: one envelope; opened with the centre's key, the whole application.
    let pending = s.queue.status().pending;
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].code.as_str(), code);
    let envelope = std::fs::read(
        s._dir
            .path()
            .join("applications")
            .join(format!("{code}.sealed")),
    )
    .unwrap();
    let plain = s.secret.open(code.as_bytes(), &envelope).unwrap();
    let application = Application::unpack(&plain).unwrap();
    assert_eq!(application.answers.get("dispute_type"), Some("neighbours"));
    assert_eq!(application.answers.get("other_party"), Some("邻居李某"));
    assert!(application.applicant.from_card);
    assert_eq!(application.pages.len(), 1);
    let page = image::load_from_memory(&application.pages[0].jpeg).unwrap();
    assert!(
        page.width() > page.height(),
        "an ID card lies wide: {}x{}",
        page.width(),
        page.height()
    );
    assert!(!application.signature_png.is_empty());

    // The session's end wipes the receipt screen too.
    k.shell.end_session();
    assert_eq!(adapter.get_step(), ApplyStep::Choose);
    assert_eq!(s.apply.step(), ApplyStep::Choose);
}

#[test]
fn a_black_page_and_a_lost_camera_are_told_and_nothing_is_kept() {
    let k = Kiosk::start(KioskSetup::default());
    let s = attach(&k);
    let adapter = k.shell.window().global::<ApplyAdapter>();
    start_mediation(&k, &s);
    answer_mediation(&k);
    adapter.invoke_take_paper("id_card".into());
    wait(&k, &s, || adapter.get_has_preview());
    s.desk.show(Some(docscan::sim::SimPage::black()));
    // The capture waits for a frame newer than the shot: the covered lens.
    adapter.invoke_shoot();
    wait(&k, &s, || {
        !adapter.get_error().is_empty() || adapter.get_has_shot()
    });
    assert!(!adapter.get_has_shot());
    assert!(
        adapter.get_error().contains("暗"),
        "{}",
        adapter.get_error()
    );

    s.desk.set_unplugged(true);
    wait(&k, &s, || adapter.get_camera_lost());
    adapter.invoke_shoot();
    wait(&k, &s, || adapter.get_error().contains("高拍仪"));
    adapter.invoke_camera_done();
    assert_eq!(
        adapter.get_papers().row_data(0).unwrap().pages,
        0,
        "no page was kept"
    );
    assert!(s.queue.status().pending.is_empty());
}
