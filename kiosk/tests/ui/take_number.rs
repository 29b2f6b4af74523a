//! The take-a-number flow end to end on Slint's testing backend, with simulated hardware: the
//! real queue engine on a SQLite file, the printer service driving the virtual printer through
//! ESC/POS, and the ID card driver talking the SAM protocol to the simulated reader. Each test
//! taps through the screens by accessible label and checks the queue's database and the
//! virtual printer's decoded text.

use kiosk::ui::{
    Page, TakeNumberAdapter, Theme,
    take_number::{PrintState, ReaderState, Step},
};

use queue::{PrinterAlert, PriorityKind, ServiceState, TicketStatus};

use slint::{ComponentHandle, Model};
use support::{Kiosk, KioskSetup, Printer, WAIT};
use ticket_printer::VirtualState;

#[test]
fn elderly_card_takes_the_green_channel_and_the_ticket_prints() {
    let k = Kiosk::start(KioskSetup::default());
    k.open();
    k.tap("法律援助");
    k.wait_step(Step::IdPrompt);
    assert!(k.exists("请将身份证放在感应区"));
    assert!(
        k.exists("模拟放卡 / Simulated card"),
        "simulated mode offers sample cards"
    );
    k.tap("模拟放卡：老年人");
    k.wait_step(Step::Elderly);
    assert!(k.exists("陈*英，您好"), "greets with the masked name only");
    assert!(k.exists("您已年满 60 周岁，可以优先办理。需要使用绿色通道吗？"));
    assert!(k.controller.holds_card_data());
    k.tap("使用绿色通道取号");
    let state = k.wait_printed();
    assert_eq!(
        state,
        PrintState::Printed {
            paper_near_end: false
        }
    );
    assert!(k.exists("请取走您的号码单"));
    assert!(k.exists("您的号码 C001"));
    assert!(k.exists("前面没有人等候"));
    let qr = k.shell.window().global::<TakeNumberAdapter>().get_qr();
    assert!(qr.size().width > 20, "the status URL is shown as a QR code");

    let tickets = k.tickets();
    assert_eq!(tickets.len(), 1);
    assert_eq!(tickets[0].number, "C001");
    assert_eq!(tickets[0].priority, PriorityKind::Elderly);
    assert_eq!(tickets[0].status, TicketStatus::Waiting);
    let text = k.printed_text("C001");
    assert!(text.contains("C001"), "{text}");
    assert!(text.contains("法律援助"), "{text}");
    assert!(
        text.contains("陈*英"),
        "the ticket shows the masked name: {text}"
    );
    assert!(!text.contains("陈秀英"), "never the full name: {text}");

    // The ticket screen returns home by itself, and the session's card data is gone.
    k.tick_seconds(21);
    assert_eq!(k.shell.page(), Page::Home);
    assert!(!k.controller.holds_card_data());
}

#[test]
fn another_pages_take_a_number_button_opens_the_flow_with_its_service_chosen() {
    let k = Kiosk::start(KioskSetup::default());
    assert_eq!(k.shell.page(), Page::Home);
    let _ = k.exists(""); // draw home, as the screen would before a tap
    // What a guide's or the legal-aid check's "取号办理" button calls.
    k.shell
        .window()
        .global::<TakeNumberAdapter>()
        .invoke_open_for("legal_aid".into());
    assert_eq!(k.shell.page(), Page::TakeNumber);
    let _ = k.exists(""); // draw the page: its `init` loads the services
    k.wait_step(Step::IdPrompt);
    assert!(
        k.exists("请将身份证放在感应区"),
        "the service list was skipped: legal aid offers the card reader"
    );
    k.tap("模拟放卡：普通市民");
    assert!(k.printed_state().is_printed());
    assert_eq!(k.tickets()[0].service, "legal_aid");

    // The choice was used once: the next citizen starts at the list.
    k.tap("首页");
    k.open();
    assert!(k.exists("法律咨询"), "the service list shows again");
    assert_eq!(k.controller.step(), Step::Services);
}

#[test]
fn a_second_ticket_for_the_same_person_shows_the_first_and_reprints_it() {
    let k = Kiosk::start(KioskSetup::default());
    let mut reports = k.controller.print_reports();
    k.open();
    k.tap("法律咨询");
    k.wait_step(Step::IdPrompt);
    k.tap("模拟放卡：普通市民");
    assert!(k.printed_state().is_printed());
    assert!(k.exists("王*明，您好"));
    let number = k.shown_number();
    k.tap("首页");
    assert_eq!(k.shell.page(), Page::Home);
    assert!(!k.controller.holds_card_data());
    k.wait(|f| !f.card_on_reader());

    k.open();
    k.tap("法律咨询");
    k.wait_step(Step::IdPrompt);
    k.tap("模拟放卡：普通市民");
    k.wait_step(Step::Existing);
    assert!(k.exists("您已有本业务的号码"));
    assert_eq!(k.shown_number(), number);
    k.tap("重新打印号码单");
    assert!(k.printed_state().is_printed());
    assert_eq!(k.tickets().len(), 1, "still one ticket");
    let first = k.next_report(&mut reports);
    let again = k.next_report(&mut reports);
    assert_eq!(
        (first.number.as_str(), first.reprint),
        (number.as_str(), false)
    );
    assert_eq!(
        (again.number.as_str(), again.reprint),
        (number.as_str(), true)
    );
    assert!(again.state.is_printed());
    assert!(k.printed_text(&number).contains("王*明"));
}

#[test]
fn out_of_paper_keeps_the_ticket_on_screen_alerts_staff_and_staff_reprint_it() {
    let k = Kiosk::start(KioskSetup::default());
    let mut events = k.events();
    k.sim_printer().set_state(VirtualState {
        paper_out: true,
        ..VirtualState::default()
    });
    k.open();
    // Reception does not ask for the ID card: the tap issues at once.
    k.tap("接待指引");
    assert_eq!(k.printed_state(), PrintState::PaperOut);
    let number = k.shown_number();
    assert!(k.exists("号码单未能打印，请拍下号码"));
    assert!(
        k.exists("打印机缺纸。号码已为您保留，请用手机拍下号码和二维码，工作人员也可以为您补打。")
    );
    assert!(k.exists(&format!("您的号码 {number}")));
    assert!(
        k.shell
            .window()
            .global::<TakeNumberAdapter>()
            .get_qr()
            .size()
            .width
            > 20
    );
    assert_eq!(k.printed_files(&number), 0);
    let tickets = k.tickets();
    assert_eq!(tickets.len(), 1);
    assert_eq!(
        tickets[0].status,
        TicketStatus::Waiting,
        "the number is kept"
    );
    assert_eq!(
        k.next_alert(&mut events),
        PrinterAlert::PaperOut,
        "staff see a banner"
    );
    assert!(
        k.engine
            .device_alerts()
            .iter()
            .any(|(d, a)| d == "kiosk-1" && a.printer == PrinterAlert::PaperOut)
    );

    // Paper back in; staff reprint from their page.
    k.sim_printer().set_state(VirtualState::default());
    let mut reports = k.controller.print_reports();
    k.engine.open_window(1).unwrap();
    k.engine.request_reprint(1, &number).unwrap();
    let report = k.next_report(&mut reports);
    assert!(report.reprint);
    assert_eq!(report.number, number);
    assert!(report.state.is_printed());
    assert!(k.printed_text(&number).contains(&number));
    assert_eq!(
        k.next_alert(&mut events),
        PrinterAlert::Ok,
        "the banner goes away"
    );
}

#[test]
fn cover_open_keeps_the_ticket_and_alerts_staff() {
    let k = Kiosk::start(KioskSetup::default());
    let mut events = k.events();
    k.sim_printer().set_state(VirtualState {
        cover_open: true,
        ..VirtualState::default()
    });
    k.open();
    k.tap("人民调解");
    k.wait_step(Step::IdPrompt);
    k.tap("不用身份证直接取号");
    assert_eq!(k.printed_state(), PrintState::CoverOpen);
    assert!(k.exists(
        "打印机盖未关好。号码已为您保留，请用手机拍下号码和二维码，工作人员也可以为您补打。"
    ));
    assert_eq!(k.tickets().len(), 1);
    assert_eq!(k.printed_files(&k.shown_number()), 0);
    assert_eq!(k.next_alert(&mut events), PrinterAlert::CoverOpen);
}

#[test]
fn paper_near_end_prints_and_warns_staff() {
    let k = Kiosk::start(KioskSetup::default());
    let mut events = k.events();
    k.sim_printer().set_state(VirtualState {
        near_end: true,
        ..VirtualState::default()
    });
    k.open();
    // Reception does not ask for the ID card: the tap issues at once.
    k.tap("接待指引");
    assert_eq!(
        k.printed_state(),
        PrintState::Printed {
            paper_near_end: true
        }
    );
    assert!(k.exists("请取走您的号码单"));
    assert!(
        k.printed_text(&k.shown_number())
            .contains(&k.shown_number())
    );
    assert_eq!(k.next_alert(&mut events), PrinterAlert::PaperNearEnd);
}

#[test]
fn an_offline_printer_keeps_the_ticket_and_alerts_staff() {
    let k = Kiosk::start(KioskSetup {
        printer: Printer::Unreachable,
        ..KioskSetup::default()
    });
    let mut events = k.events();
    k.open();
    // Reception does not ask for the ID card: the tap issues at once.
    k.tap("接待指引");
    assert_eq!(k.printed_state(), PrintState::Offline);
    assert!(k.exists(
        "打印机无响应。号码已为您保留，请用手机拍下号码和二维码，工作人员也可以为您补打。"
    ));
    assert_eq!(k.tickets().len(), 1);
    assert_eq!(k.next_alert(&mut events), PrinterAlert::Offline);
}

#[test]
fn a_printer_failing_mid_print_keeps_the_ticket_and_staff_reprint_it() {
    let k = Kiosk::start(KioskSetup {
        printer: Printer::TcpFailingOnce,
        ..KioskSetup::default()
    });
    let mut events = k.events();
    k.open();
    // Reception does not ask for the ID card: the tap issues at once.
    k.tap("接待指引");
    assert_eq!(k.printed_state(), PrintState::Interrupted);
    assert!(
        k.exists("打印中断。号码已为您保留，请用手机拍下号码和二维码，工作人员也可以为您补打。")
    );
    let number = k.shown_number();
    assert_eq!(k.tickets().len(), 1);
    assert_eq!(k.next_alert(&mut events), PrinterAlert::CoverOpen);

    // The technician closes the cover; staff reprint; the TCP printer prints it.
    let tcp = k.tcp_printer.as_ref().unwrap();
    tcp.printer.set_state(VirtualState::default());
    let mut reports = k.controller.print_reports();
    k.engine.open_window(1).unwrap();
    k.engine.request_reprint(1, &number).unwrap();
    assert!(k.next_report(&mut reports).state.is_printed());
    let text = tcp
        .tickets
        .recv_timeout(WAIT)
        .expect("the reprint reaches the printer");
    assert!(text.contains(&number), "{text}");
}

#[test]
fn a_legal_aid_ticket_needs_no_id_card() {
    // A guardian or relative applying for someone else, a minor, someone with only a household
    // register or a temporary card: the prompt says a number needs no card, and one tap issues it.
    let k = Kiosk::start(KioskSetup::default());
    k.open();
    k.tap("法律援助");
    k.wait_step(Step::IdPrompt);
    assert!(k.exists("请将身份证放在感应区"));
    assert!(k.exists(
        "没有身份证也可以取号，代他人办理也可以，到窗口核对身份。读取身份证可以核对老年人绿色通道。"
    ));
    assert!(!k.exists("本业务需要读取身份证，放好后请稍等"));
    k.tap("不用身份证直接取号");
    assert!(k.printed_state().is_printed());
    assert!(k.exists("请取走您的号码单"));
    assert!(!k.controller.holds_card_data());
    let tickets = k.tickets();
    assert_eq!(tickets.len(), 1);
    assert_eq!(tickets[0].service, "legal_aid");
    assert_eq!(tickets[0].priority, PriorityKind::None);
    let text = k.printed_text(&tickets[0].number);
    assert!(text.contains("法律援助"), "{text}");
    assert!(!text.contains("姓名"), "no name without a card: {text}");

    // In English the same way out is offered.
    k.tap("首页");
    k.shell.set_language(kiosk::config::Language::En);
    k.open();
    k.tap("Legal aid");
    k.wait_step(Step::IdPrompt);
    assert!(k.exists(
        "No ID card? You can still take a number, also for someone else; staff at the window check identity. With your ID card we can offer priority service for seniors."
    ));
    k.tap("Continue without ID card");
    assert!(k.printed_state().is_printed());
    assert_eq!(k.tickets().len(), 2);
}

#[test]
fn without_a_reader_the_prompt_says_so_and_optional_services_still_issue() {
    let k = Kiosk::start(KioskSetup {
        reader: false,
        ..KioskSetup::default()
    });
    k.open();
    k.tap("法律咨询");
    k.wait_step(Step::IdPrompt);
    assert!(k.exists("读卡器暂时无法使用"));
    assert!(k.exists("本机没有读卡器，您可以不用身份证继续取号"));
    assert!(!k.exists("模拟放卡 / Simulated card"));
    k.tap("不用身份证继续取号");
    assert!(k.printed_state().is_printed());
    assert_eq!(k.tickets().len(), 1);

    // A service that requires the card (notarisation) says why and where to go.
    k.tap("首页");
    k.open();
    k.tap("公证受理");
    k.wait_step(Step::Error);
    assert!(k.exists("本业务需要身份证"));
    assert!(k.exists("读卡器暂时无法读取身份证，请到服务台，工作人员会为您取号。"));
    k.tap("选择其他业务");
    k.wait_step(Step::Services);
}

#[test]
fn a_failing_reader_is_reported_and_never_blocks_optional_services() {
    let k = Kiosk::start(KioskSetup::default());
    k.sim_reader().set_fault(Some(id_reader::Fault::NoAnswer));
    k.wait(|f| f.reader() == ReaderState::Failing);
    k.open();
    k.tap("法律咨询");
    k.wait_step(Step::IdPrompt);
    assert!(k.exists("读卡器暂时无法使用"));
    assert!(k.exists("您可以不用身份证继续取号，不影响办理"));
    k.tap("不用身份证继续取号");
    assert!(k.printed_state().is_printed());
    assert_eq!(k.tickets().len(), 1);
}

#[test]
fn idle_timeout_mid_flow_goes_home_and_drops_the_card() {
    let k = Kiosk::start(KioskSetup::default());
    k.open();
    k.tap("法律援助");
    k.wait_step(Step::IdPrompt);
    k.tap("模拟放卡：老年人");
    k.wait_step(Step::Elderly);
    assert!(k.controller.holds_card_data());
    k.tick_seconds(61);
    assert_eq!(k.shell.page(), Page::Home);
    assert!(!k.controller.holds_card_data());
    assert_eq!(k.controller.step(), Step::Services);
    assert_eq!(
        k.shell
            .window()
            .global::<TakeNumberAdapter>()
            .get_masked_name(),
        ""
    );
    assert!(k.tickets().is_empty(), "nothing was issued");
}

#[test]
fn closed_and_full_services_stay_on_screen_and_say_why_and_when() {
    let k = Kiosk::start(KioskSetup {
        restricted: true,
        ..KioskSetup::default()
    });
    // Use up consultation's daily cap of one.
    k.engine
        .issue(&queue::IssueRequest::new("consultation"), "kiosk-1")
        .unwrap();
    k.open();
    let services = k.controller.with_flow(|f| f.services().to_vec());
    let full = services.iter().find(|s| s.id == "consultation").unwrap();
    assert_eq!(full.state, ServiceState::Full);
    let closed = services.iter().find(|s| s.id == "notary").unwrap();
    assert_eq!(closed.state, ServiceState::Closed);

    let tiles = k
        .shell
        .window()
        .global::<TakeNumberAdapter>()
        .get_services();
    let tile = |id: &str| tiles.iter().find(|t| t.id == id).unwrap();
    assert!(!tile("notary").open);
    assert!(
        tile("notary").reason.contains("不在办理时间"),
        "{}",
        tile("notary").reason
    );
    assert!(
        tile("notary").reason.contains("今天 14:00"),
        "says when: {}",
        tile("notary").reason
    );
    assert!(tile("notary").reason_en.contains("today 14:00"));
    assert!(tile("consultation").reason.contains("今日号源已满"));
    assert!(
        tile("consultation").reason.contains("明天"),
        "{}",
        tile("consultation").reason
    );

    // The tile is there, disabled, and explains itself to assistive technology.
    let notary = k.element("公证受理");
    assert_eq!(notary.accessible_enabled(), Some(false));
    assert!(
        notary
            .accessible_description()
            .unwrap()
            .contains("今天 14:00")
    );
    notary.invoke_accessible_default_action();
    assert_eq!(k.controller.step(), Step::Services);
}

#[test]
fn english_and_elderly_mode_on_the_flow() {
    let k = Kiosk::start(KioskSetup::default());
    k.shell.set_language(kiosk::config::Language::En);
    k.shell.window().global::<Theme>().set_elderly(true);
    k.open();
    assert!(k.exists("Please choose a service"));
    k.tap("Legal aid");
    k.wait_step(Step::IdPrompt);
    assert!(k.exists("Please place your ID card on the reader"));
    k.tap("Simulated card: senior");
    k.wait_step(Step::Elderly);
    assert!(k.exists("Hello, 陈*英"));
    assert!(k.exists(
        "You are 60 or older and may be served first. Would you like priority service for seniors?"
    ));
    k.tap("Use priority service");
    assert!(k.printed_state().is_printed());
    assert!(k.exists("Please take your ticket"));
    assert!(k.exists("Priority service for seniors"));
    assert!(k.shell.window().global::<Theme>().get_elderly());

    // The paper ticket of an English-mode citizen: the service and the window line in Chinese
    // first, then English (the demo queue serves legal aid at window 2).
    let number = k.shown_number();
    let text = k.printed_text(&number);
    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle:?} is not on the ticket: {text}"))
    };
    assert!(
        at("业务：法律援助（优先）") < at("Service: Legal aid (priority)"),
        "{text}"
    );
    assert!(at("请到 2号窗口 办理") < at("Go to Window 2"), "{text}");
    assert!(!text.contains("Go to 2号"), "{text}");
}

#[test]
fn a_chinese_mode_ticket_names_the_service_in_chinese_and_the_window_in_both() {
    let k = Kiosk::start(KioskSetup::default());
    k.open();
    // Reception does not ask for the ID card: the tap issues at once.
    k.tap("接待指引");
    assert!(k.printed_state().is_printed());
    let text = k.printed_text(&k.shown_number());
    assert!(text.contains("业务 Service：接待指引"), "{text}");
    assert!(!text.contains("Reception and guidance"), "{text}");
    // The demo queue serves reception at windows 1 and 3.
    assert!(
        text.contains("请到 1号窗口、3号窗口 办理") && text.contains("Go to Window 1, Window 3"),
        "{text}"
    );
    assert!(!text.contains("Go to 1号"), "{text}");
}

#[test]
fn touch_targets_are_at_least_15_mm_on_every_screen() {
    // 21.5" 1080x1920 portrait: 0.248 mm per pixel, so 15 mm is 61 px.
    const MIN_PX: f32 = 61.0;
    let k = Kiosk::start(KioskSetup::default());
    k.shell
        .window()
        .window()
        .set_size(slint::PhysicalSize::new(1080, 1920));
    let check = |screen: &str| {
        let buttons = k.buttons();
        assert!(!buttons.is_empty(), "{screen}: no buttons");
        for b in buttons {
            let size = b.size();
            let label = b.accessible_label().unwrap_or_default();
            assert!(
                !label.is_empty(),
                "{screen}: a button without an accessible label"
            );
            assert!(
                size.width >= MIN_PX && size.height >= MIN_PX,
                "{screen}: {label:?} is {}x{} px",
                size.width,
                size.height
            );
        }
    };
    for elderly in [false, true] {
        // A service this card has no ticket for yet, so priority service for seniors is offered.
        let service = if elderly {
            "法律咨询"
        } else {
            "法律援助"
        };
        k.shell.window().global::<Theme>().set_elderly(elderly);
        k.open();
        check("services");
        k.tap(service);
        k.wait_step(Step::IdPrompt);
        check("ID card prompt");
        k.tap("模拟放卡：老年人");
        k.wait_step(Step::Elderly);
        check("priority service for seniors");
        k.tap("使用绿色通道取号");
        k.printed_state();
        check("ticket");
        k.tap("首页");
        k.wait(|f| !f.card_on_reader());
        k.shell.window().global::<Theme>().set_elderly(elderly);
        k.open();
        k.tap(service);
        k.wait_step(Step::IdPrompt);
        k.tap("模拟放卡：老年人");
        k.wait_step(Step::Existing);
        check("existing ticket");
        k.tap("首页");
        k.wait(|f| !f.card_on_reader());
    }
}

#[test]
fn an_unreachable_queue_host_says_so_and_retry_never_issues_twice() {
    let k = Kiosk::start(KioskSetup {
        remote: true,
        reader: false,
        ..KioskSetup::default()
    });
    let proxy = k.proxy.as_ref().unwrap();
    k.open();
    k.tap("法律咨询");
    k.wait_step(Step::IdPrompt);

    // The host is down: nothing reaches it.
    proxy.set_mode(support::ProxyMode::Refuse);
    k.tap("不用身份证继续取号");
    k.wait_step(Step::Error);
    assert!(k.exists("暂时无法连接排队服务器"));
    assert!(k.exists("请点击“重试”。重试不会重复取号；如仍不行，请咨询服务台。"));
    assert!(k.tickets().is_empty());
    let key = k
        .controller
        .with_flow(|f| f.pending().and_then(|r| r.idempotency_key.clone()));
    assert!(key.is_some(), "the request is kept for the retry");

    // The network comes back but loses every answer: the host issues once, the kiosk never
    // hears it, and says so again.
    proxy.set_mode(support::ProxyMode::LoseAnswers);
    k.tap("重试");
    k.wait(|f| f.step() == Step::Error && f.pending().is_some());
    assert!(k.exists("暂时无法连接排队服务器"));
    assert_eq!(k.tickets().len(), 1, "the request did reach the host");
    assert_eq!(
        k.controller
            .with_flow(|f| f.pending().and_then(|r| r.idempotency_key.clone())),
        key
    );

    // All well again: the retry returns the ticket already issued, not a second one.
    proxy.set_mode(support::ProxyMode::Pass);
    k.tap("重试");
    assert!(k.printed_state().is_printed());
    let tickets = k.tickets();
    assert_eq!(tickets.len(), 1, "no duplicate ticket");
    assert_eq!(k.shown_number(), tickets[0].number);
    assert!(
        k.printed_text(&tickets[0].number)
            .contains(&tickets[0].number)
    );
}

pub(crate) mod support {
    //! A kiosk on the testing backend with simulated devices and a real queue.

    use std::{
        io::{Read, Write},
        net::SocketAddr,
        sync::{
            Arc,
            atomic::{AtomicBool, AtomicU8, Ordering},
            mpsc,
        },
        time::Duration,
    };

    use code_scanner::ScannerConfig;
    use content::{ContentConfig, Outbox};
    use i_slint_backend_testing::{AccessibleRole, ElementHandle, ElementQuery, mock_elapsed_time};
    use kiosk::{
        bookings::{
            BookingBook,
            demo::{SampleNumbers, demo_bookings},
            poll::booked_slots,
        },
        config::{DevicesConfig, IdReaderConfig, Language, PrinterConfig},
        devices::Devices,
        lan::{DeviceEntry, LanConfig, LanService, device_token_sha256},
        ui::{
            Page, Shell, ShellOptions, TakeNumberAdapter,
            check_in::{CheckInController, CheckInDeps},
            take_number::{
                Flow, PrintReport, PrintState, Step, TakeNumberController, TakeNumberDeps,
                TakeNumberOptions, card::SampleCard,
            },
        },
    };
    use queue::{
        Clock as _, EventPayload, HttpQueueClient, LocalQueueClient, ManualClock, PrinterAlert,
        QueueClient, QueueConfig, QueueEngine, QueueEvent, Ticket,
    };
    use slint::ComponentHandle;
    use ticket_printer::{SharedVirtualPrinter, VirtualState, virtual_printer::link::serve};
    use tokio::{
        io::{AsyncReadExt, AsyncWriteExt},
        sync::broadcast,
    };

    /// How long any one step may take (generous: the machine is shared).
    pub(crate) const WAIT: Duration = Duration::from_secs(30);
    const SALT: &str = "test-site-salt-0001";
    const TOKEN: &str = "kiosk-2-device-token-for-tests";

    /// Which printer the kiosk has.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub(crate) enum Printer {
        /// The virtual printer in-process (tickets saved as text and PNG).
        Sim,
        /// A network printer that does not answer.
        Unreachable,
        /// A network printer (the virtual printer behind TCP) whose cover opens mid-print once.
        TcpFailingOnce,
    }

    /// How the kiosk is set up.
    #[derive(Debug, Clone, Copy)]
    pub(crate) struct KioskSetup {
        pub(crate) reader: bool,
        pub(crate) printer: Printer,
        /// Consultation capped at one ticket a day, notary open 14:00-17:00 only.
        pub(crate) restricted: bool,
        /// Issue over HTTP through a proxy to a queue host on loopback.
        pub(crate) remote: bool,
        /// Check-in too: the simulated code scanner, the demo's booking list for the test's day
        /// (also handed to the queue), an outbox on a SQLite file.
        pub(crate) check_in: bool,
    }

    impl Default for KioskSetup {
        fn default() -> Self {
            Self {
                reader: true,
                printer: Printer::Sim,
                restricted: false,
                remote: false,
                check_in: false,
            }
        }
    }

    /// The network printer of the mid-print failure test.
    pub(crate) struct TcpPrinter {
        pub(crate) printer: SharedVirtualPrinter,
        /// Decoded text of every ticket it printed.
        pub(crate) tickets: mpsc::Receiver<String>,
    }

    /// What the proxy in front of the queue host does.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[repr(u8)]
    pub(crate) enum ProxyMode {
        Pass = 0,
        /// Drops every connection and request (the host is unreachable).
        Refuse = 1,
        /// Forwards requests, drops the answers (the request reaches the host, the reply is lost).
        LoseAnswers = 2,
    }

    pub(crate) struct Proxy {
        mode: Arc<AtomicU8>,
    }

    impl Proxy {
        pub(crate) fn set_mode(&self, mode: ProxyMode) {
            self.mode.store(mode as u8, Ordering::SeqCst);
        }
    }

    pub(crate) struct Kiosk {
        pub(crate) controller: TakeNumberController,
        /// The check-in page's controller, with `KioskSetup::check_in`.
        pub(crate) check_in: Option<CheckInController>,
        /// The outbox check-ins are reported to, with `KioskSetup::check_in`.
        pub(crate) outbox: Option<Outbox>,
        pub(crate) shell: Shell,
        pub(crate) engine: Arc<QueueEngine>,
        pub(crate) devices: Devices,
        pub(crate) tcp_printer: Option<TcpPrinter>,
        pub(crate) proxy: Option<Proxy>,
        dir: tempfile::TempDir,
        device: &'static str,
        runtime: tokio::runtime::Runtime,
    }

    impl Kiosk {
        pub(crate) fn start(setup: KioskSetup) -> Self {
            i_slint_backend_testing::init_no_event_loop();
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            let _guard = runtime.enter();
            let dir = tempfile::tempdir().unwrap();

            let mut config = QueueConfig::demo();
            config.identity_salt = Some(SALT.into());
            if setup.restricted {
                for s in &mut config.services {
                    match s.id.as_str() {
                        "consultation" => s.daily_cap = Some(1),
                        "notary" => s.hours = vec!["14:00-17:00".parse().unwrap()],
                        _ => {}
                    }
                }
            }
            // Monday 2026-11-30, 10:00 in Chongqing.
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

            let mut tcp_printer = None;
            let printer = match setup.printer {
                Printer::Sim => PrinterConfig::default(),
                Printer::Unreachable => {
                    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
                    let address = listener.local_addr().unwrap().to_string();
                    drop(listener);
                    PrinterConfig::Tcp {
                        address,
                        profile: "generic-80-zh".into(),
                    }
                }
                Printer::TcpFailingOnce => {
                    let (address, printer) = start_tcp_printer();
                    tcp_printer = Some(printer);
                    PrinterConfig::Tcp {
                        address,
                        profile: "generic-80-zh".into(),
                    }
                }
            };
            let devices_config = DevicesConfig {
                printer,
                id_reader: if setup.reader {
                    IdReaderConfig::Sim
                } else {
                    IdReaderConfig::None
                },
                scanner: if setup.check_in {
                    ScannerConfig::Sim {}
                } else {
                    ScannerConfig::None {}
                },
            };
            let mut devices = Devices::start(&devices_config, &dir.path().join("sim")).unwrap();

            let (queue, proxy, device): (Arc<dyn QueueClient>, _, _) = if setup.remote {
                let (url, proxy) = start_host_behind_proxy(&runtime, &engine);
                let client = HttpQueueClient::new(&url, TOKEN, Some(SALT.into())).unwrap();
                (Arc::new(client), Some(proxy), "kiosk-2")
            } else {
                (
                    Arc::new(LocalQueueClient::new(Arc::clone(&engine), "kiosk-1")),
                    None,
                    "kiosk-1",
                )
            };

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
            let now = clock.now();
            let options = TakeNumberOptions {
                centre_name: "黔江区公共法律服务中心".into(),
                device_name: device.into(),
                elderly_age: config.elderly_age,
                ticket_screen: Duration::from_secs(20),
                utc_offset: config.utc_offset.0,
                queue: config,
                clock,
            };
            let controller = TakeNumberController::attach(
                &shell,
                options.clone(),
                TakeNumberDeps {
                    queue: Arc::clone(&queue),
                    printer: devices.printer.clone(),
                    reader: devices.id_reader.reader.take(),
                    simulator: devices.id_reader.simulator.clone(),
                    runtime: runtime.handle().clone(),
                },
            );
            let (check_in, outbox) = if setup.check_in {
                let (elderly, citizen) = (SampleCard::Elderly.card(), SampleCard::Citizen.card());
                let list = demo_bookings(
                    now,
                    options.utc_offset,
                    SampleNumbers {
                        elderly: &elderly.id_number,
                        citizen: &citizen.id_number,
                    },
                );
                engine
                    .replace_bookings(&booked_slots(&list, engine.config()))
                    .unwrap();
                let outbox = Outbox::open_with_clock(
                    dir.path(),
                    &ContentConfig::default(),
                    "黔江区公共法律服务中心",
                    Arc::new(content::SystemWallClock),
                )
                .unwrap();
                let check_in = CheckInController::attach(
                    &shell,
                    options,
                    CheckInDeps {
                        queue,
                        printer: devices.printer.clone(),
                        book: BookingBook::in_memory(Some(list)),
                        scanner: devices.scanner.scanner.take(),
                        scanner_sim: devices.scanner.simulator.clone(),
                        take_number: Some(controller.clone()),
                        outbox: Some(outbox.clone()),
                        runtime: runtime.handle().clone(),
                    },
                );
                (Some(check_in), Some(outbox))
            } else {
                (None, None)
            };
            drop(_guard);
            Self {
                controller,
                check_in,
                outbox,
                shell,
                engine,
                devices,
                tcp_printer,
                proxy,
                dir,
                device,
                runtime,
            }
        }

        /// Opens the take-a-number page (as its home tile does) and waits for the services.
        pub(crate) fn open(&self) {
            let before = self.controller.with_flow(Flow::services_loads);
            // Pages are built lazily, when the window is drawn or searched: let the window see
            // the page it is leaving, as drawing it would, so the new page is built afresh.
            let _ = self.exists("");
            self.shell.go(Page::TakeNumber);
            // Any query builds the page, whose `init` asks for the services.
            let _ = self.exists("");
            self.wait(|f| f.services_loads() > before && !f.services().is_empty());
        }

        pub(crate) fn exists(&self, label: &str) -> bool {
            ElementHandle::find_by_accessible_label(self.shell.window(), label)
                .next()
                .is_some()
        }

        /// The single button with this accessible label.
        pub(crate) fn element(&self, label: &str) -> ElementHandle {
            let found: Vec<_> = ElementHandle::find_by_accessible_label(self.shell.window(), label)
                .filter(|e| e.accessible_role() == Some(AccessibleRole::Button))
                .collect();
            assert_eq!(
                found.len(),
                1,
                "expected one button {label:?}, found {}",
                found.len()
            );
            found.into_iter().next().unwrap()
        }

        pub(crate) fn tap(&self, label: &str) {
            self.element(label).invoke_accessible_default_action();
        }

        pub(crate) fn buttons(&self) -> Vec<ElementHandle> {
            ElementQuery::from_root(self.shell.window())
                .match_descendants()
                .match_accessible_role(AccessibleRole::Button)
                .find_all()
        }

        pub(crate) fn wait(&self, done: impl Fn(&Flow) -> bool) {
            let ok = self.controller.wait_for(WAIT, done);
            assert!(ok, "timed out at step {:?}", self.controller.step());
        }

        pub(crate) fn wait_step(&self, step: Step) {
            let ok = self.controller.wait_for(WAIT, |f| f.step() == step);
            let at = self
                .controller
                .with_flow(|f| (f.step(), f.error().cloned()));
            assert!(ok, "expected {step:?}, at {at:?}");
        }

        /// Waits for the ticket screen's print outcome.
        pub(crate) fn printed_state(&self) -> PrintState {
            self.wait_step(Step::Ticket);
            self.wait(|f| f.print() != PrintState::Printing);
            self.controller.with_flow(Flow::print)
        }

        pub(crate) fn wait_printed(&self) -> PrintState {
            self.printed_state()
        }

        pub(crate) fn shown_number(&self) -> String {
            self.shell
                .window()
                .global::<TakeNumberAdapter>()
                .get_number()
                .to_string()
        }

        pub(crate) fn tickets(&self) -> Vec<Ticket> {
            let day = self.engine.current_day().unwrap();
            self.engine.tickets_of_day(day).unwrap()
        }

        fn printed_paths(&self, number: &str) -> Vec<std::path::PathBuf> {
            let dir = self.dir.path().join("sim/printer");
            let mut paths: Vec<_> = std::fs::read_dir(&dir)
                .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
                .unwrap_or_default();
            paths.retain(|p| {
                p.extension().is_some_and(|e| e == "txt")
                    && p.file_stem()
                        .is_some_and(|s| s.to_string_lossy().ends_with(&format!("-{number}")))
            });
            paths
        }

        /// The virtual printer's decoded text of the ticket `number`.
        pub(crate) fn printed_text(&self, number: &str) -> String {
            let paths = self.printed_paths(number);
            assert_eq!(paths.len(), 1, "one printed ticket {number}: {paths:?}");
            std::fs::read_to_string(&paths[0]).unwrap()
        }

        pub(crate) fn printed_files(&self, number: &str) -> usize {
            self.printed_paths(number).len()
        }

        pub(crate) fn sim_printer(&self) -> &SharedVirtualPrinter {
            self.devices.printer.simulator().unwrap()
        }

        /// The async runtime the kiosk's controllers use.
        pub(crate) fn runtime(&self) -> tokio::runtime::Handle {
            self.runtime.handle().clone()
        }

        pub(crate) fn sim_reader(&self) -> &id_reader::SimReader {
            self.devices.id_reader.simulator.as_ref().unwrap()
        }

        pub(crate) fn events(&self) -> broadcast::Receiver<QueueEvent> {
            self.engine.subscribe()
        }

        /// The next printer alert this kiosk reports to the queue (what the staff page shows).
        pub(crate) fn next_alert(
            &self,
            events: &mut broadcast::Receiver<QueueEvent>,
        ) -> PrinterAlert {
            self.runtime.block_on(async {
                loop {
                    let event = tokio::time::timeout(WAIT, events.recv())
                        .await
                        .expect("an alert in time")
                        .unwrap();
                    if let EventPayload::DeviceAlert { device, alerts } = event.payload
                        && device == self.device
                    {
                        return alerts.printer;
                    }
                }
            })
        }

        pub(crate) fn next_report(
            &self,
            reports: &mut broadcast::Receiver<PrintReport>,
        ) -> PrintReport {
            self.runtime.block_on(async {
                tokio::time::timeout(WAIT, reports.recv())
                    .await
                    .expect("a print in time")
                    .unwrap()
            })
        }

        /// Lets `secs` seconds of UI time pass (timers fire; nothing sleeps).
        pub(crate) fn tick_seconds(&self, secs: u64) {
            for _ in 0..secs {
                mock_elapsed_time(Duration::from_secs(1));
            }
        }
    }

    /// The virtual printer served over TCP on loopback; its cover opens in the middle of the
    /// first ticket.
    fn start_tcp_printer() -> (String, TcpPrinter) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let profile = ticket_printer::profile::by_name("generic-80-zh")
            .unwrap()
            .clone();
        let printer = SharedVirtualPrinter::new(profile);
        let (tx, tickets) = mpsc::channel();
        let armed = Arc::new(AtomicBool::new(true));
        let shared = printer.clone();
        std::thread::spawn(move || {
            let stop = AtomicBool::new(false);
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                stream
                    .set_read_timeout(Some(Duration::from_millis(50)))
                    .unwrap();
                let mut stream = FailOnce {
                    inner: stream,
                    printer: shared.clone(),
                    seen: 0,
                    armed: Arc::clone(&armed),
                };
                let tx = tx.clone();
                let _ = serve(&mut stream, &shared, &stop, |t| {
                    if !t.lines.is_empty() {
                        let _ = tx.send(t.text());
                    }
                });
            }
        });
        (address, TcpPrinter { printer, tickets })
    }

    /// Opens the printer's cover once the ticket's bytes start to arrive.
    struct FailOnce {
        inner: std::net::TcpStream,
        printer: SharedVirtualPrinter,
        seen: usize,
        armed: Arc<AtomicBool>,
    }

    impl Read for FailOnce {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.inner.read(buf)?;
            self.seen += n;
            // Setup and status queries are a few bytes; a ticket is hundreds.
            if self.seen > 64 && self.armed.swap(false, Ordering::SeqCst) {
                self.printer.set_state(VirtualState {
                    cover_open: true,
                    ..VirtualState::default()
                });
            }
            Ok(n)
        }
    }

    impl Write for FailOnce {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.inner.write(buf)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            self.inner.flush()
        }
    }

    /// The queue host's LAN service on loopback, behind a proxy the test controls.
    fn start_host_behind_proxy(
        runtime: &tokio::runtime::Runtime,
        engine: &Arc<QueueEngine>,
    ) -> (String, Proxy) {
        let lan = LanConfig {
            devices: vec![DeviceEntry {
                name: "kiosk-2".into(),
                token_sha256: device_token_sha256(TOKEN),
                window: None,
            }],
            ..LanConfig::default()
        };
        let service = LanService::new(Arc::clone(engine), lan).unwrap();
        let (host, proxy_listener) = runtime.block_on(async {
            let host = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let proxy = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            (host, proxy)
        });
        let upstream = host.local_addr().unwrap();
        let url = format!("http://{}", proxy_listener.local_addr().unwrap());
        runtime.spawn(service.serve(host, std::future::pending()));
        let mode = Arc::new(AtomicU8::new(ProxyMode::Pass as u8));
        runtime.spawn(run_proxy(proxy_listener, upstream, Arc::clone(&mode)));
        (url, Proxy { mode })
    }

    async fn run_proxy(
        listener: tokio::net::TcpListener,
        upstream: SocketAddr,
        mode: Arc<AtomicU8>,
    ) {
        let current = move |m: &AtomicU8| m.load(Ordering::SeqCst);
        while let Ok((client, _)) = listener.accept().await {
            let mode = Arc::clone(&mode);
            tokio::spawn(async move {
                if current(&mode) == ProxyMode::Refuse as u8 {
                    return;
                }
                let Ok(server) = tokio::net::TcpStream::connect(upstream).await else {
                    return;
                };
                let (mut cr, mut cw) = client.into_split();
                let (mut sr, mut sw) = server.into_split();
                let up_mode = Arc::clone(&mode);
                let up = tokio::spawn(async move {
                    let mut buf = vec![0u8; 16 * 1024];
                    while let Ok(n) = cr.read(&mut buf).await {
                        if n == 0 || current(&up_mode) == ProxyMode::Refuse as u8 {
                            break;
                        }
                        if sw.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                });
                let mut buf = vec![0u8; 16 * 1024];
                while let Ok(n) = sr.read(&mut buf).await {
                    if n == 0 || current(&mode) != ProxyMode::Pass as u8 {
                        break;
                    }
                    if cw.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
                up.abort();
            });
        }
    }
}
