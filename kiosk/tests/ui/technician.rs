//! The technician page on Slint's testing backend with simulated hardware: reachable only through the
//! long press and the PIN (with lockout on mocked time), its status of the simulated devices, and its
//! tests landing in the virtual printer, the simulated reader, the simulated LED panel and the stored
//! window count. Leaving it (home, idle timeout) locks it again.

use std::{
    cell::Cell,
    rc::Rc,
    sync::{Arc, Mutex},
    time::Duration,
};

use content::{ContentConfig, ContentStore, Outbox};
use displays::led::Scene;
use i_slint_backend_testing::{AccessibleRole, ElementHandle, mock_elapsed_time};
use kiosk::{
    config::{DEV_PIN_SHA256, DevicesConfig, Language, PinHash},
    devices::{Devices, LedPanelSlot},
    ui::{
        Nav, Page, Shell, ShellOptions, TechnicianAdapter,
        take_number::{TakeNumberController, TakeNumberDeps, TakeNumberOptions},
        technician::{
            LogRing, StatusSources, TechnicianController, TechnicianDeps, TechnicianOptions,
            window_count,
        },
    },
};
use queue::{LocalQueueClient, ManualClock, QueueConfig, QueueEngine};
use slint::{
    ComponentHandle, LogicalPosition, Model,
    platform::{PointerEventButton, WindowEvent},
};
use ticket_printer::VirtualState;
use tracing_subscriber::layer::SubscriberExt as _;

/// How long any background step may take (generous: the machine is shared).
const WAIT: Duration = Duration::from_secs(30);
const PIN: &str = "8642";

struct Kiosk {
    shell: Shell,
    technician: TechnicianController,
    _take_number: TakeNumberController,
    devices: Devices,
    led_panel: Arc<Mutex<LedPanelSlot>>,
    /// The lockout's clock: moved by hand.
    now: Rc<Cell<Duration>>,
    dir: tempfile::TempDir,
    _logs: tracing::subscriber::DefaultGuard,
    _runtime: tokio::runtime::Runtime,
}

impl Kiosk {
    fn start() -> Self {
        i_slint_backend_testing::init_no_event_loop();
        Self::start_in(tempfile::tempdir().unwrap(), false)
    }

    /// A kiosk keeping its data in `dir` (the testing backend already initialised on this thread);
    /// `dev_pin_refused` as on a configured device whose PIN is still the development one.
    fn start_in(dir: tempfile::TempDir, dev_pin_refused: bool) -> Self {
        let ring = LogRing::new(50);
        let logs =
            tracing::subscriber::set_default(tracing_subscriber::registry().with(ring.layer()));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let _guard = runtime.enter();

        let mut devices =
            Devices::start(&DevicesConfig::default(), &dir.path().join("sim")).unwrap();
        let config = QueueConfig::demo();
        let clock = Arc::new(ManualClock::new("2026-11-30T02:00:00Z".parse().unwrap()));
        let engine = Arc::new(
            QueueEngine::open(
                &dir.path().join("queue.sqlite3"),
                config.clone(),
                clock.clone(),
                "http://192.0.2.10:8080",
            )
            .unwrap(),
        );
        let queue = Arc::new(LocalQueueClient::new(engine, "kiosk-1"));
        let shell = Shell::new(ShellOptions {
            centre_name: "黔江区公共法律服务中心".into(),
            centre_name_en: "Qianjiang District Public Legal Service Centre".into(),
            idle_timeout: Duration::from_secs(60),
            language: Language::Zh,
            elderly_mode: false,
            live_clock: false,
        })
        .unwrap();
        shell.window().show().unwrap();
        let take_number = TakeNumberController::attach(
            &shell,
            TakeNumberOptions {
                centre_name: "黔江区公共法律服务中心".into(),
                device_name: "kiosk-1".into(),
                elderly_age: config.elderly_age,
                ticket_screen: Duration::from_secs(20),
                utc_offset: config.utc_offset.0,
                queue: config.clone(),
                clock,
            },
            TakeNumberDeps {
                queue: queue.clone(),
                printer: devices.printer.clone(),
                reader: devices.id_reader.reader.take(),
                simulator: devices.id_reader.simulator.clone(),
                runtime: runtime.handle().clone(),
            },
        );
        let content_config = ContentConfig::default();
        let store = ContentStore::open(dir.path(), &content_config).unwrap();
        let outbox = Outbox::open(dir.path(), &content_config, "kiosk-1").unwrap();
        let led_panel = Arc::new(Mutex::new(LedPanelSlot::start(
            &displays::led::LedConfig::default(),
            &dir.path().join("sim/led"),
        )));
        let now = Rc::new(Cell::new(Duration::from_secs(1000)));
        let technician = TechnicianController::attach(
            &shell,
            TechnicianOptions {
                pin: PinHash::parse(DEV_PIN_SHA256).unwrap(),
                dev_pin_refused,
                max_attempts: 5,
                lockout: Duration::from_secs(300),
                centre_name: "黔江区公共法律服务中心".into(),
                queue: config,
                remote_queue: false,
                data_dir: dir.path().to_owned(),
                resting_scene: Scene::Message("法律服务热线12348".into()),
                led_test: Duration::from_secs(5),
                card_wait: Duration::from_secs(20),
                refresh: Duration::from_secs(2),
                clock: {
                    let now = now.clone();
                    Rc::new(move || now.get())
                },
            },
            TechnicianDeps {
                sources: StatusSources {
                    printer: devices.printer.clone(),
                    led_panel: Arc::clone(&led_panel),
                    queue,
                    queue_host_url: None,
                    store,
                    outbox,
                    scanner: devices.scanner.report.clone(),
                    applications: None,
                },
                take_number: Some(take_number.clone()),
                simulator: devices.id_reader.simulator.clone(),
                logs: ring,
                runtime: runtime.handle().clone(),
            },
        );
        drop(_guard);
        Self {
            shell,
            technician,
            _take_number: take_number,
            devices,
            led_panel,
            now,
            dir,
            _logs: logs,
            _runtime: runtime,
        }
    }

    fn tech(&self) -> TechnicianAdapter<'_> {
        self.shell.window().global::<TechnicianAdapter>()
    }

    fn exists(&self, label: &str) -> bool {
        ElementHandle::find_by_accessible_label(self.shell.window(), label)
            .next()
            .is_some()
    }

    /// The single button with this label.
    fn button(&self, label: &str) -> ElementHandle {
        let found: Vec<_> = ElementHandle::find_by_accessible_label(self.shell.window(), label)
            .filter(|e| e.accessible_role() == Some(AccessibleRole::Button))
            .collect();
        assert_eq!(found.len(), 1, "one button labelled {label:?}");
        found.into_iter().next().unwrap()
    }

    fn tap(&self, label: &str) {
        self.button(label).invoke_accessible_default_action();
    }

    fn corner(&self) -> LogicalPosition {
        let corner =
            ElementHandle::find_by_element_id(self.shell.window(), "HomePage::tech-corner")
                .next()
                .expect("the home screen has the technician corner");
        let (pos, size) = (corner.absolute_position(), corner.size());
        LogicalPosition::new(pos.x + size.width / 2.0, pos.y + size.height / 2.0)
    }

    /// Presses the corner, holds it for `held`, releases it.
    fn press_corner(&self, held: Duration) {
        let position = self.corner();
        let window = self.shell.window().window();
        window.dispatch_event(WindowEvent::PointerMoved { position });
        window.dispatch_event(WindowEvent::PointerPressed {
            position,
            button: PointerEventButton::Left,
        });
        mock_elapsed_time(Duration::from_millis(10));
        mock_elapsed_time(held);
        window.dispatch_event(WindowEvent::PointerReleased {
            position,
            button: PointerEventButton::Left,
        });
        mock_elapsed_time(Duration::from_millis(10));
    }

    fn type_pin(&self, pin: &str) {
        for digit in pin.chars() {
            self.tap(&digit.to_string());
        }
        self.tap("确定");
    }

    fn unlock(&self) {
        self.press_corner(Duration::from_millis(3100));
        assert!(self.tech().get_pin_pad_open());
        self.type_pin(PIN);
        assert_eq!(self.shell.page(), Page::Technician);
    }

    /// Waits for the page's result line to start with `prefix`; returns it.
    fn wait_result(&self, prefix: &str) -> String {
        let done = self
            .technician
            .wait_until(WAIT, || self.tech().get_result().starts_with(prefix));
        let result = self.tech().get_result().to_string();
        assert!(
            done,
            "expected a result starting with {prefix:?}, got {result:?}"
        );
        result
    }

    fn status_value(&self, name: &str) -> Option<String> {
        self.tech()
            .get_status()
            .iter()
            .find(|row| row.name == name)
            .map(|row| row.value.to_string())
    }
}

#[test]
fn the_page_is_unreachable_without_the_gesture_and_the_pin() {
    let k = Kiosk::start();
    k.shell.go(Page::Technician);
    assert_eq!(k.shell.page(), Page::Home, "Nav.go alone is refused");
    k.shell.window().global::<Nav>().invoke_go(Page::Technician);
    assert_eq!(k.shell.page(), Page::Home);
    assert!(!k.exists("维护"), "no tile, button or text leads there");
    assert!(!k.exists("设备状态"));

    // A tap, or a press shorter than 3 s, on the corner does nothing.
    ElementHandle::find_by_element_id(k.shell.window(), "HomePage::tech-corner")
        .next()
        .unwrap()
        .mock_single_click(PointerEventButton::Left);
    k.press_corner(Duration::from_millis(2500));
    assert!(!k.tech().get_pin_pad_open());
    assert!(!k.exists("维护密码"));

    // The long press opens the PIN pad, and cancel closes it without unlocking.
    k.press_corner(Duration::from_millis(3100));
    assert!(k.tech().get_pin_pad_open());
    assert!(k.exists("维护密码"));
    assert!(k.exists("请输入维护密码"));
    k.tap("取消");
    assert!(!k.tech().get_pin_pad_open());
    assert!(!k.technician.unlocked());
    assert_eq!(k.shell.page(), Page::Home);

    // A pad left open closes with the idle timeout.
    k.press_corner(Duration::from_millis(3100));
    assert!(k.tech().get_pin_pad_open());
    mock_elapsed_time(Duration::from_secs(61));
    assert!(!k.tech().get_pin_pad_open());
    assert_eq!(k.shell.page(), Page::Home);
}

#[test]
fn a_wrong_pin_keeps_it_locked_and_too_many_lock_the_pad_for_minutes() {
    let k = Kiosk::start();
    k.press_corner(Duration::from_millis(3100));
    for digit in ["1", "2", "3"] {
        k.tap(digit);
    }
    assert_eq!(k.tech().get_pin_mask(), "●●●", "digits are masked");
    assert!(k.exists("已输入 3 位"));
    k.tap("清除");
    assert_eq!(k.tech().get_pin_mask(), "");

    k.type_pin("1234");
    assert_eq!(k.shell.page(), Page::Home);
    assert!(!k.technician.unlocked());
    assert!(k.exists("密码不正确，还可尝试 4 次"));
    for _ in 0..4 {
        k.type_pin("0000");
    }
    assert!(k.exists("错误次数过多，请 5 分钟后再试"));
    // Locked out: even the right PIN is not checked.
    k.type_pin(PIN);
    assert_eq!(k.shell.page(), Page::Home);
    assert!(!k.technician.unlocked());
    k.now.set(k.now.get() + Duration::from_secs(240));
    k.type_pin(PIN);
    assert!(k.exists("错误次数过多，请 1 分钟后再试"));
    assert_eq!(k.shell.page(), Page::Home);

    // Reopening the pad while locked says so at once.
    k.tap("取消");
    k.press_corner(Duration::from_millis(3100));
    assert!(k.exists("错误次数过多，请 1 分钟后再试"));

    // Once the lockout is over, the right PIN opens the page.
    k.now.set(k.now.get() + Duration::from_secs(61));
    k.type_pin(PIN);
    assert_eq!(k.shell.page(), Page::Technician);
    assert!(k.technician.unlocked());
    assert!(!k.tech().get_pin_pad_open());
}

#[test]
fn a_configured_device_refuses_the_development_pin() {
    // Before: a packaged device without [technician] opened the page with the documented PIN 8642.
    i_slint_backend_testing::init_no_event_loop();
    let k = Kiosk::start_in(tempfile::tempdir().unwrap(), true);
    k.press_corner(Duration::from_millis(3100));
    assert!(k.tech().get_pin_pad_open());
    assert!(
        k.exists("维护密码仍为出厂默认值，维护页已停用。请用 kiosk technician hash-pin 设置新密码")
    );
    k.type_pin(PIN);
    assert_eq!(k.shell.page(), Page::Home);
    assert!(!k.technician.unlocked());
}

#[test]
fn the_lockout_survives_a_power_cycle() {
    // Before: the wrong-PIN lockout lived in memory only, so pulling the plug reset it.
    let k = Kiosk::start();
    k.press_corner(Duration::from_millis(3100));
    for _ in 0..5 {
        k.type_pin("0000");
    }
    assert!(k.exists("错误次数过多，请 5 分钟后再试"));
    let Kiosk { dir, .. } = k;
    // A new process on a new boot: the monotonic clock starts again, the lock does not end early.
    let k = Kiosk::start_in(dir, false);
    k.press_corner(Duration::from_millis(3100));
    assert!(k.exists("错误次数过多，请 5 分钟后再试"));
    k.type_pin(PIN);
    assert_eq!(k.shell.page(), Page::Home);
    assert!(!k.technician.unlocked());
}

#[test]
fn the_right_pin_opens_the_page_with_the_simulated_devices_status_and_logs() {
    let k = Kiosk::start();
    k.unlock();
    assert!(k.exists("维护"));
    assert!(k.exists("设备状态"));
    assert!(
        k.technician
            .wait_until(WAIT, || k.tech().get_status().row_count() >= 6),
        "the status arrives"
    );
    let printer = k.status_value("打印机").unwrap();
    assert!(printer.contains("模拟打印机"), "{printer}");
    let reader = k.status_value("身份证阅读器").unwrap();
    assert!(reader.contains("安全模块应答正常"), "{reader}");
    let led = k.status_value("LED 屏").unwrap();
    assert!(led.contains("160×16"), "{led}");
    let queue = k.status_value("排队主机").unwrap();
    assert!(queue.starts_with("本机：可访问"), "{queue}");
    let content = k.status_value("内容").unwrap();
    assert!(
        content.contains("版本") && content.contains("bundled"),
        "{content}"
    );
    let outbox = k.status_value("待发送").unwrap();
    assert!(outbox.contains("条待发送"), "{outbox}");
    // The simulated code scanner's real driver opens its pseudo-terminal: 在线 once it has (the
    // page is asked again until then; its own refresh timer does not run on the testing backend).
    let deadline = std::time::Instant::now() + WAIT;
    while k.status_value("扫码器").as_deref() != Some("在线") {
        assert!(
            std::time::Instant::now() < deadline,
            "the scanner's line: {:?}",
            k.status_value("扫码器")
        );
        k.technician.refresh();
        k.technician.wait_until(Duration::from_millis(200), || {
            k.status_value("扫码器").as_deref() == Some("在线")
        });
    }
    assert!(k.exists(&format!("⚠ {}", printer)) || k.exists(&printer));

    // The recent logs, newest first, show the unlock.
    let logs: Vec<String> = k.tech().get_logs().iter().map(|l| l.to_string()).collect();
    assert!(
        logs.iter().any(|l| l.contains("technician page unlocked")),
        "{logs:?}"
    );

    // The status follows the devices while the page is open: paper out shows after a print.
    k.devices
        .printer
        .simulator()
        .unwrap()
        .set_state(VirtualState {
            paper_out: true,
            ..VirtualState::default()
        });
    k.tap("打印测试页");
    let result = k.wait_result("失败");
    assert_eq!(result, "失败：打印机缺纸");
    assert!(
        k.technician.wait_until(WAIT, || k
            .status_value("打印机")
            .is_some_and(|v| v.contains("缺纸"))),
        "the status refreshes after the action"
    );

    // In English, the page and its lines switch language.
    k.shell.set_language(Language::En);
    assert!(k.exists("Device status"));
    assert!(k.exists("Failed: printer is out of paper"));
}

#[test]
fn the_test_page_lands_in_the_virtual_printer() {
    let k = Kiosk::start();
    k.unlock();
    k.tap("打印测试页");
    assert_eq!(k.wait_result("成功"), "成功：测试页已打印");
    let printed: Vec<_> = std::fs::read_dir(k.dir.path().join("sim/printer"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with("-TEST.txt"))
        .collect();
    assert_eq!(printed.len(), 1, "{printed:?}");
    let text = std::fs::read_to_string(&printed[0]).unwrap();
    assert!(text.contains("打印测试页"), "{text}");
    assert!(text.contains("TEST"), "{text}");
}

#[test]
fn the_test_card_shows_only_the_masked_name_and_number() {
    let k = Kiosk::start();
    k.unlock();
    k.tap("读取测试卡");
    let result = k.wait_result("成功");
    assert_eq!(result, "成功：读到证件 王*明，990***********9995");
    assert!(!result.contains("王小明"));
    assert!(!result.contains("990101198806129995"));
    assert!(k.exists(&result));
}

#[test]
fn led_pattern_sync_and_window_count_report_their_results() {
    let k = Kiosk::start();
    k.unlock();

    k.tap("LED 测试图案");
    let result = k.wait_result("成功");
    assert!(result.contains("测试图案 5 秒"), "{result}");
    let pattern = k.led_panel.lock().unwrap().frame().to_ascii();
    assert!(k.dir.path().join("sim/led/panel.png").exists());
    let corner = pattern.lines().nth(2).unwrap().chars().nth(2);
    assert_eq!(corner, Some('#'), "the top-left marker LED:\n{pattern}");
    mock_elapsed_time(Duration::from_secs(5));
    let after = k.led_panel.lock().unwrap().frame().to_ascii();
    assert_ne!(after, pattern, "the panel shows its message again");

    k.tap("立即同步内容");
    assert_eq!(
        k.wait_result("失败"),
        "失败：未配置内容来源（content.source_url 或 U 盘）"
    );

    // The demo queue has three windows; only window 3 serves notary, so two are refused.
    assert_eq!(k.tech().get_window_count(), 3);
    assert!(k.exists("窗口数量 3"));
    k.tap("减少窗口");
    assert_eq!(k.tech().get_window_count(), 2);
    k.tap("保存窗口数量");
    assert_eq!(k.wait_result("失败"), "失败：业务“公证受理”将没有窗口办理");
    assert_eq!(window_count::read(k.dir.path()).unwrap(), None);
    k.tap("增加窗口");
    k.tap("保存窗口数量");
    assert_eq!(k.wait_result("成功"), "成功：窗口数量设为 3，重启后生效");
    assert_eq!(window_count::read(k.dir.path()).unwrap(), Some(3));
}

#[test]
fn idle_timeout_and_home_return_home_and_lock_it_again() {
    let k = Kiosk::start();
    k.unlock();
    mock_elapsed_time(Duration::from_secs(59));
    assert_eq!(k.shell.page(), Page::Technician);
    mock_elapsed_time(Duration::from_secs(2));
    assert_eq!(k.shell.page(), Page::Home, "idle for 61 s returns home");
    assert!(!k.technician.unlocked());
    k.shell.go(Page::Technician);
    assert_eq!(k.shell.page(), Page::Home, "locked again");

    k.unlock();
    k.tap("首页");
    assert_eq!(k.shell.page(), Page::Home);
    assert!(!k.technician.unlocked());
    k.shell.go(Page::Technician);
    assert_eq!(k.shell.page(), Page::Home);

    k.unlock();
    k.tap("返回");
    assert_eq!(k.shell.page(), Page::Home);
    assert!(!k.technician.unlocked());
}
