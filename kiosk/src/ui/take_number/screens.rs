//! Drives the flow through each of its screens on simulated hardware, for
//! `kiosk screenshot --flow`: a queue on a scratch SQLite file with a fixed clock (Monday
//! 2026-11-30 09:30 in Chongqing), the virtual printer and the simulated reader.

use std::{path::Path, sync::Arc, time::Duration};

use slint::ComponentHandle;

use super::{Flow, PrintState, Step, TakeNumberController, TakeNumberDeps, TakeNumberOptions};
use crate::{
    config::{DevicesConfig, Language},
    devices::Devices,
    ui::{Page, Shell, TakeNumberAdapter, Theme},
};
use queue::{
    HttpQueueClient, IssueRequest, LocalQueueClient, ManualClock, QueueConfig, QueueEngine,
};

const WAIT: Duration = Duration::from_secs(30);

/// A screen to capture: its file stem, then what to do before the picture.
pub type Capture<'a> = dyn FnMut(&str) -> Result<(), String> + 'a;

/// Everything the flow runs on while it is photographed.
pub struct FlowStage {
    controller: TakeNumberController,
    devices: Devices,
    runtime: tokio::runtime::Runtime,
}

impl std::fmt::Debug for FlowStage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlowStage").finish_non_exhaustive()
    }
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

impl FlowStage {
    /// Sets up the queue (in `dir`), the simulated devices and the flow on `shell`.
    pub fn new(shell: &Shell, centre_name: &str, dir: &Path) -> Result<Self, String> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(err)?;
        let _guard = runtime.enter();
        let mut config = QueueConfig::demo();
        config.identity_salt = Some("screenshot-site-salt".into());
        for s in &mut config.services {
            match s.id.as_str() {
                "lawyer_appraisal" => s.hours = vec!["14:00-17:00".parse().map_err(err)?],
                "complaints" => s.daily_cap = Some(1),
                _ => {}
            }
        }
        let clock = Arc::new(ManualClock::new(
            "2026-11-30T01:30:00Z".parse().map_err(err)?,
        ));
        let engine = QueueEngine::open(
            &dir.join("queue.sqlite3"),
            config.clone(),
            clock.clone(),
            "http://192.168.1.10:8080",
        )
        .map_err(err)?;
        // Some people already wait; complaints has used up its one ticket of the day.
        for (service, n) in [
            ("consultation", 4),
            ("mediation", 3),
            ("reception", 2),
            ("complaints", 1),
        ] {
            for _ in 0..n {
                engine
                    .issue(&IssueRequest::new(service), "kiosk-1")
                    .map_err(err)?;
            }
        }
        let engine = Arc::new(engine);
        let mut devices =
            Devices::start(&DevicesConfig::default(), &dir.join("sim")).map_err(err)?;
        let options = TakeNumberOptions {
            centre_name: centre_name.to_owned(),
            device_name: "kiosk-1".into(),
            elderly_age: config.elderly_age,
            ticket_screen: Duration::from_secs(20),
            utc_offset: config.utc_offset.0,
            queue: config,
            clock,
        };
        let controller = TakeNumberController::attach(
            shell,
            options,
            TakeNumberDeps {
                queue: Arc::new(LocalQueueClient::new(engine, "kiosk-1")),
                printer: devices.printer.clone(),
                reader: devices.id_reader.reader.take(),
                simulator: devices.id_reader.simulator.clone(),
                runtime: runtime.handle().clone(),
            },
        );
        drop(_guard);
        Ok(Self {
            controller,
            devices,
            runtime,
        })
    }

    fn wait(&self, what: &str, done: impl Fn(&Flow) -> bool) -> Result<(), String> {
        if self.controller.wait_for(WAIT, done) {
            Ok(())
        } else {
            Err(format!(
                "the flow did not reach {what} (at {:?})",
                self.controller.step()
            ))
        }
    }

    fn open(&self, shell: &Shell, capture: &mut Capture<'_>) -> Result<(), String> {
        let before = self.controller.with_flow(Flow::services_loads);
        // Pages are built when drawn: draw the page being left, so the new one is built afresh.
        capture("")?;
        shell.go(Page::TakeNumber);
        // Drawing builds the page, whose `init` loads the services.
        capture("")?;
        self.wait("the service list", |f| f.services_loads() > before)
    }

    /// Shows a fixed phone-page link and its QR code instead of the ticket's own, whose capability is
    /// random: pictures of the ticket screens then only change when the UI does.
    fn fixed_qr(shell: &Shell) {
        const URL: &str = "http://192.168.1.10:8080/t/screenshot-0000000000000000";
        let adapter = shell.window().global::<TakeNumberAdapter>();
        adapter.set_status_url(URL.into());
        adapter.set_qr(super::qr::qr_image(URL).unwrap_or_default());
    }

    /// Walks through every screen, calling `capture` with each screen's name (an empty name
    /// draws without keeping the picture).
    pub fn drive(&self, shell: &Shell, capture: &mut Capture<'_>) -> Result<(), String> {
        let tn = shell.window().global::<TakeNumberAdapter>();
        self.open(shell, capture)?;
        capture("take-number-1-services")?;

        tn.invoke_choose_service("legal_aid".into());
        self.wait("the ID card prompt", |f| f.step() == Step::IdPrompt)?;
        capture("take-number-2-id-card")?;

        tn.invoke_simulate_card(1);
        self.wait("the offer of priority service for seniors", |f| {
            f.step() == Step::Elderly
        })?;
        capture("take-number-3-elderly")?;

        tn.invoke_choose_elderly(true);
        self.wait("the printed ticket", |f| {
            f.step() == Step::Ticket && f.print() != PrintState::Printing
        })?;
        Self::fixed_qr(shell);
        capture("take-number-4-ticket")?;

        tn.invoke_back();
        self.wait("the service list", |f| f.step() == Step::Services)?;
        tn.invoke_choose_service("legal_aid".into());
        self.wait("the existing ticket", |f| f.step() == Step::Existing)?;
        Self::fixed_qr(shell);
        capture("take-number-5-existing")?;

        shell.end_session();
        let printer = self
            .devices
            .printer
            .simulator()
            .ok_or("no virtual printer")?;
        printer.set_state(ticket_printer::VirtualState {
            paper_out: true,
            ..Default::default()
        });
        self.open(shell, capture)?;
        tn.invoke_choose_service("reception".into());
        self.wait("the unprinted ticket", |f| {
            f.step() == Step::Ticket && f.print() != PrintState::Printing
        })?;
        Self::fixed_qr(shell);
        capture("take-number-6-not-printed")?;
        printer.set_state(ticket_printer::VirtualState::default());
        shell.end_session();
        Ok(())
    }

    /// The screen of a kiosk whose queue host cannot be reached: a flow on the same window
    /// that issues over the LAN to an address where nothing answers.
    pub fn drive_unreachable(
        &self,
        shell: &Shell,
        capture: &mut Capture<'_>,
    ) -> Result<(), String> {
        let _guard = self.runtime.enter();
        let dead = std::net::TcpListener::bind("127.0.0.1:0").map_err(err)?;
        let url = format!("http://{}", dead.local_addr().map_err(err)?);
        drop(dead);
        let queue = HttpQueueClient::new(&url, "token", None).map_err(err)?;
        let options = TakeNumberOptions {
            centre_name: String::new(),
            device_name: "kiosk-2".into(),
            elderly_age: 60,
            ticket_screen: Duration::from_secs(20),
            utc_offset: QueueConfig::default().utc_offset.0,
            queue: QueueConfig::default(),
            clock: Arc::new(queue::SystemClock),
        };
        let controller = TakeNumberController::attach(
            shell,
            options,
            TakeNumberDeps {
                queue: Arc::new(queue),
                printer: self.devices.printer.clone(),
                reader: None,
                simulator: None,
                runtime: self.runtime.handle().clone(),
            },
        );
        capture("")?;
        shell.go(Page::TakeNumber);
        capture("")?;
        if !controller.wait_for(WAIT, |f| f.services_failed()) {
            return Err("the unreachable host was not reported".into());
        }
        capture("take-number-7-host-unreachable")?;
        shell.end_session();
        Ok(())
    }
}

/// Sets the session's language and elderly mode (for each variant of a screen).
pub fn set_variant(shell: &Shell, language: Language, elderly: bool) {
    shell.set_language(language);
    shell.window().global::<Theme>().set_elderly(elderly);
}
