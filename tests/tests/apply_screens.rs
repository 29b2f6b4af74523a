//! 在本机申请 end to end: the touch kiosk's application page on Slint's testing backend with its real
//! devices simulated (the ID card reader's SAM simulator, the document camera's simulated desk through
//! GStreamer and the page processing, the virtual ticket printer), the kiosk's sealed queue, and the
//! centre in-process on loopback over a SQLite file. A citizen applies for legal aid with the card,
//! the camera and a signature; the application reaches the centre sealed; staff return it for more
//! papers and then accept it; the citizen follows it at the kiosk by the receipt's code and by the card.
//!
//! With `APPLY_SCREENSHOTS=1` the screens are written to `images/screenshots/apply-*.png` (Chinese,
//! English and elderly mode).

use std::{path::Path, sync::Arc, time::Duration};

use applications::ApplicationState;
use content::application_queue::{ApplicationQueue, Centre};
use kiosk::{
    config::{DevicesConfig, IdReaderConfig, Language},
    devices::{DocCameraSlot, SimulatedDeskCamera},
    ui::{
        ApplyAdapter, ApplyStep, KeyboardAdapter, Session, Shell, ShellOptions,
        apply::{ApplyController, ApplyServices},
        take_number::{TakeNumberController, TakeNumberDeps, TakeNumberOptions, card::SampleCard},
    },
};
use queue::{LocalQueueClient, QueueConfig, QueueEngine};
use slint::{ComponentHandle as _, Model as _};

const WAIT: Duration = Duration::from_secs(30);

fn screenshots() -> bool {
    std::env::var("APPLY_SCREENSHOTS").as_deref() == Ok("1")
}

/// Slint's platform: the testing backend, or the headless software renderer when pictures are asked
/// for (the testing backend draws none).
fn platform() {
    if screenshots() {
        kiosk::ui::screenshot::headless_platform().unwrap();
    } else {
        i_slint_backend_testing::init_no_event_loop();
    }
}

/// The kiosk under test and the centre it sends to.
struct Rig {
    shell: Shell,
    apply: ApplyController,
    take_number: TakeNumberController,
    reader: id_reader::SimReader,
    queue: ApplicationQueue,
    store: Arc<dyn centre::Store>,
    runtime: tokio::runtime::Runtime,
    _devices: kiosk::devices::Devices,
    _dir: tempfile::TempDir,
}

impl Rig {
    fn adapter(&self) -> ApplyAdapter<'_> {
        self.shell.window().global::<ApplyAdapter>()
    }

    /// Pumps both controllers until `done` holds.
    fn wait(&self, done: impl Fn() -> bool) {
        let deadline = std::time::Instant::now() + WAIT;
        while !done() {
            self.take_number.pump();
            self.apply.pump();
            assert!(std::time::Instant::now() < deadline, "timed out");
            let _ = self
                .take_number
                .wait_for(Duration::from_millis(20), |_| false);
        }
    }

    /// Writes the window to `images/screenshots/apply-NAME.png` when asked, in Chinese, and for the
    /// screens named in `also`, in English and in elderly mode too.
    fn shoot(&self, name: &str, also: bool) {
        if !screenshots() {
            return;
        }
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../images/screenshots");
        let window = self.shell.window();
        let write = |suffix: &str| {
            self.apply.pump();
            kiosk::ui::screenshot::capture_window(
                window.window(),
                &dir.join(format!("apply-{name}{suffix}.png")),
            )
            .unwrap();
        };
        write("");
        if also {
            window.global::<Session>().invoke_toggle_language();
            write("-en");
            window.global::<Session>().invoke_toggle_language();
            window.global::<Session>().invoke_toggle_elderly();
            write("-elderly");
            window.global::<Session>().invoke_toggle_elderly();
            self.apply.pump();
        }
    }

    fn type_text(&self, field: &str, text: &str) {
        self.adapter().invoke_edit(field.into());
        let keyboard = self.shell.window().global::<KeyboardAdapter>();
        keyboard.invoke_key(text.into());
        keyboard.invoke_done();
    }

    fn digits(&self, digits: &str) {
        for d in digits.chars() {
            self.adapter().invoke_digit(d.to_string().into());
        }
    }

    fn take_page(&self, paper: &str, shoot_as: Option<&str>) {
        let adapter = self.adapter();
        adapter.invoke_take_paper(paper.into());
        self.wait(|| adapter.get_has_preview());
        if let Some(name) = shoot_as {
            self.shoot(&format!("{name}-preview"), true);
        }
        adapter.invoke_shoot();
        self.wait(|| adapter.get_has_shot() || !adapter.get_error().is_empty());
        assert_eq!(adapter.get_error(), "", "{paper}: the page was refused");
        if let Some(name) = shoot_as {
            self.shoot(&format!("{name}-shot"), true);
        }
        adapter.invoke_keep();
        adapter.invoke_camera_done();
    }

    fn track(&self) -> Vec<(String, String, String)> {
        let adapter = self.adapter();
        adapter.invoke_track();
        self.wait(|| !adapter.get_tracking());
        adapter
            .get_progress()
            .iter()
            .map(|r| (r.code.to_string(), r.state.to_string(), r.note.to_string()))
            .collect()
    }

    fn decide(&self, code: &str, to: ApplicationState, note: Option<&str>) {
        let at = chrono::Utc::now();
        let outcome = self
            .runtime
            .block_on(self.store.decide_application(
                centre::store::Decision {
                    code: code.to_owned(),
                    to,
                    note: note.map(str::to_owned),
                    by: "admin".into(),
                    at,
                },
                centre::store::AuditEntry::new(at, "admin", "application_decide", code, ""),
            ))
            .unwrap();
        assert!(
            matches!(outcome, centre::store::DecisionOutcome::Done),
            "{outcome:?}"
        );
    }
}

/// A phone's photo of a paper lying on a table, as a JPEG.
fn phone_photo(title: &str) -> Vec<u8> {
    let mut desk = docscan::sim::SimulatedDesk::new(1600, 1200, 11);
    let frame = desk.render(&docscan::sim::SimPage::document(title).turned(-4.0), 0);
    docscan::encode_jpeg(&frame.view(), 85, true).unwrap()
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_owned()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}

/// The centre in-process with the demo's accounts and a fresh application key.
async fn start_centre(dir: &Path) -> (String, Arc<dyn centre::Store>) {
    let store: Arc<dyn centre::Store> =
        Arc::new(centre::SqliteStore::open(&dir.join("centre.sqlite3")).unwrap());
    centre::install_accounts(store.as_ref(), &centre::Accounts::Demo)
        .await
        .unwrap();
    let state = centre::AppState::new(
        Arc::clone(&store),
        Arc::new(clock::SystemWallClock),
        centre::ApiSettings::default(),
    )
    .with_applications(centre::applications::ApplicationKeys::generate().unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(centre::serve(listener, state, std::future::pending()));
    (base, store)
}

fn rig() -> Rig {
    platform();
    media::init().unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (base, store) = runtime.block_on(start_centre(dir.path()));
    // The device drivers and controllers start their tasks on this runtime.
    let guard = runtime.enter();

    let shell = Shell::new(ShellOptions {
        centre_name: "黔江区公共法律服务中心".into(),
        centre_name_en: "Qianjiang District Public Legal Service Centre".into(),
        idle_timeout: Duration::from_secs(600),
        language: Language::Zh,
        elderly_mode: false,
        live_clock: false,
    })
    .unwrap();
    shell.set_clock_text("2026-12-07 10:00");
    shell
        .window()
        .window()
        .set_size(slint::PhysicalSize::new(540, 960));
    shell.window().show().unwrap();

    let devices_config = DevicesConfig {
        id_reader: IdReaderConfig::Sim,
        ..DevicesConfig::default()
    };
    let mut devices =
        kiosk::devices::Devices::start(&devices_config, &dir.path().join("sim")).unwrap();
    let clock: Arc<dyn clock::WallClock> = Arc::new(clock::SystemWallClock);
    let config = QueueConfig::demo();
    let engine = Arc::new(
        QueueEngine::open(
            &dir.path().join("queue.sqlite3"),
            config.clone(),
            Arc::clone(&clock),
            "http://192.0.2.10:8080",
        )
        .unwrap(),
    );
    let reader = devices.id_reader.simulator.clone().unwrap();
    let take_number = TakeNumberController::attach(
        &shell,
        TakeNumberOptions {
            centre_name: "黔江区公共法律服务中心".into(),
            device_name: "kiosk-1".into(),
            elderly_age: config.elderly_age,
            ticket_screen: Duration::from_secs(20),
            utc_offset: config.utc_offset.0,
            queue: config,
            clock,
        },
        TakeNumberDeps {
            queue: Arc::new(LocalQueueClient::new(engine, "kiosk-1")),
            printer: devices.printer.clone(),
            reader: devices.id_reader.reader.take(),
            simulator: devices.id_reader.simulator.clone(),
            runtime: runtime.handle().clone(),
        },
    );

    let token = centre::auth::DEMO_DEVICE_TOKEN.to_owned();
    let queue = ApplicationQueue::open(
        &dir.path().join("kiosk/applications"),
        Some(Centre {
            base: base.parse().unwrap(),
            client: reqwest::Client::new(),
            token: Some(token),
        }),
        None,
        Arc::new(content::SystemWallClock),
    )
    .unwrap();
    runtime.block_on(queue.refresh_key()).unwrap();
    let _delivery = queue.spawn(runtime.handle(), Duration::from_secs(1));
    let content = content::ContentStore::open(
        &dir.path().join("kiosk"),
        &content::ContentConfig::default(),
    )
    .unwrap();
    let apply = ApplyController::attach(
        &shell,
        move || content.current(),
        ApplyServices {
            runtime: runtime.handle().clone(),
            queue: Some(queue.clone()),
            printer: Some(devices.printer.clone()),
            cards: Some(take_number.clone()),
            camera: DocCameraSlot::Simulated(Arc::new(SimulatedDeskCamera::new())),
            device: centre::auth::DEMO_DEVICE.into(),
            status_url: Some(format!("{base}status?code=")),
        },
    );
    drop(guard);
    Rig {
        shell,
        apply,
        take_number,
        reader,
        queue,
        store,
        runtime,
        _devices: devices,
        _dir: dir,
    }
}

#[test]
fn a_legal_aid_application_goes_from_the_kiosk_to_the_centre_and_its_decision_comes_back() {
    let r = rig();
    let adapter = r.adapter();
    let session = r.shell.window().global::<Session>();
    r.shoot("home", false);

    session.invoke_apply("".into());
    assert_eq!(adapter.get_step(), ApplyStep::Choose);
    r.shoot("choose", true);
    adapter.invoke_choose("legal_aid".into());
    r.shoot("intro", true);
    adapter.invoke_start();
    assert_eq!(adapter.get_step(), ApplyStep::Applicant);
    r.reader.place(&SampleCard::Elderly.card());
    r.wait(|| !adapter.get_applicant().is_empty());
    assert!(adapter.get_applicant().contains('*'));
    r.shoot("applicant", true);
    adapter.invoke_next();

    // The questions, one per screen.
    assert_eq!(adapter.get_step(), ApplyStep::Question);
    r.digits("13912345678");
    r.shoot("question-phone", true);
    adapter.invoke_next();
    adapter.invoke_pick("no".into());
    let matters: Vec<_> = adapter
        .get_q_choices()
        .iter()
        .map(|c| c.id.to_string())
        .collect();
    assert!(
        matters.contains(&"wages".to_owned()),
        "the content's matters: {matters:?}"
    );
    r.shoot("question-matter", true);
    adapter.invoke_pick("wages".into());
    adapter.invoke_pick("arbitration".into());
    r.type_text("answer", "黔江某建筑公司");
    adapter.invoke_next();
    r.type_text("answer", "2025年在工地干活，老板欠工资八千元不给");
    r.shoot("question-facts", true);
    adapter.invoke_next();
    adapter.invoke_pick("none".into());
    r.digits("3");
    adapter.invoke_next();
    r.digits("800");
    adapter.invoke_next();
    r.shoot("question-pledge", true);
    adapter.invoke_pick("yes".into());

    // The papers the answers require, through the document camera.
    assert_eq!(adapter.get_step(), ApplyStep::Papers);
    let papers: Vec<_> = adapter
        .get_papers()
        .iter()
        .map(|p| p.id.to_string())
        .collect();
    assert_eq!(papers, ["id_card", "hardship_statement", "case_papers"]);
    r.wait(|| adapter.get_has_upload_qr());
    r.shoot("papers", true);
    r.take_page("id_card", Some("camera-card"));
    r.take_page("hardship_statement", Some("camera-page"));
    // The case papers come from the citizen's phone: the QR code's page takes a photo.
    r.wait(|| adapter.get_has_upload_qr());
    let url = adapter.get_upload_url().to_string();
    assert!(url.contains("/upload/"), "{url}");
    let answer = r
        .runtime
        .block_on(
            reqwest::Client::new()
                .post(format!("{url}/case_papers"))
                .header("content-type", "image/jpeg")
                .body(phone_photo("欠条"))
                .send(),
        )
        .unwrap();
    assert_eq!(answer.status(), 201);
    r.wait(|| {
        adapter
            .get_papers()
            .row_data(2)
            .is_some_and(|p| p.pages == 1)
    });
    r.shoot("papers-done", true);
    adapter.invoke_papers_done();
    assert_eq!(adapter.get_step(), ApplyStep::Signature);
    adapter.invoke_sign_down(0.1, 0.6);
    for i in 1..=30 {
        let t = i as f32 / 30.0;
        adapter.invoke_sign_move(0.1 + 0.8 * t, 0.55 + 0.15 * (t * 11.0).sin());
    }
    r.shoot("signature", true);
    adapter.invoke_sign_done();
    assert_eq!(adapter.get_step(), ApplyStep::Review);
    r.shoot("review", true);
    adapter.invoke_submit();
    assert_eq!(adapter.get_step(), ApplyStep::Sent);
    let code = adapter.get_code().to_string();

    // Delivered to the centre: stored sealed, deleted from the kiosk.
    r.wait(|| adapter.get_delivered());
    assert!(
        !r.queue
            .is_pending(&applications::TrackingCode::parse(&code).unwrap())
    );
    assert!(r.queue.status().pending.is_empty() && r.queue.status().rejected.is_empty());
    let stored = r
        .runtime
        .block_on(r.store.application(code.clone()))
        .unwrap()
        .expect("the centre has it");
    assert_eq!(stored.row.state, ApplicationState::Received);
    assert_eq!(stored.row.page_count, 3);
    // Nothing readable is left on the kiosk: every file under its data directory is scanned.
    let card = SampleCard::Elderly.card();
    let secrets = [
        card.name.clone(),
        card.id_number.clone(),
        "13912345678".to_owned(),
        "老板欠工资八千元".to_owned(),
    ];
    for file in files_under(&r._dir.path().join("kiosk")) {
        let bytes = std::fs::read(&file).unwrap();
        for secret in &secrets {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{} holds {secret}",
                file.display()
            );
        }
    }
    r.shoot("sent", true);

    // Staff return it for more papers: the kiosk shows the note by the receipt's code.
    r.decide(
        &code,
        ApplicationState::Returned,
        Some("请补充劳动合同或工资欠条的照片"),
    );
    r.shell.end_session();
    session.invoke_apply("".into());
    adapter.invoke_open_track();
    assert_eq!(adapter.get_step(), ApplyStep::Track);
    r.type_text("code", &code.to_lowercase().replace('-', ""));
    assert_eq!(adapter.get_track_code(), code.replace('-', ""));
    let rows = r.track();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].0, code);
    assert_eq!(rows[0].1, "需补充材料");
    assert_eq!(rows[0].2, "请补充劳动合同或工资欠条的照片");
    r.shoot("track-returned", true);

    // Accepted: by the card this time, which finds every application of its holder.
    r.decide(&code, ApplicationState::Received, None);
    r.decide(&code, ApplicationState::Accepted, None);
    r.reader.place(&SampleCard::Elderly.card());
    r.wait(|| {
        adapter
            .get_progress()
            .iter()
            .any(|row| row.state == "已受理")
    });
    let row = adapter.get_progress().row_data(0).unwrap();
    assert_eq!(row.code, code);
    assert!(row.deadline.contains("指派"), "{}", row.deadline);
    r.shoot("track-accepted", true);

    // Another holder's card finds nothing of it.
    r.reader.place(&SampleCard::Citizen.card());
    r.wait(|| adapter.get_progress().row_count() == 0 && !adapter.get_track_message().is_empty());
}
