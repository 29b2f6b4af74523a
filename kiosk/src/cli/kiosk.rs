//! `kiosk` (the touch kiosk role): devices, the queue, the LAN service, content, board, watchdog and the
//! window, wired together.

use std::{
    path::Path,
    sync::{Arc, Mutex, OnceLock},
    time::Duration,
};

use anyhow::Context as _;
use slint::ComponentHandle as _;

use super::{data_dir, load_config, queue_config};
use crate::{
    board::{self, BoardHooks, BoardTask},
    bookings::{
        BOOKINGS_FILE, BookingBook, POLL_EVERY,
        demo::{SampleNumbers, demo_bookings},
        poll::booked_slots,
        spawn_poll,
    },
    config::{DevicesConfig, KioskConfig},
    devices::{Devices, DocCameraSlot, LedPanelSlot},
    health::{self, HealthSources, QueueReach, SecurityCounters},
    lan::{self, LanConfig, LanService},
    ui::{
        AppWindow, Nav, Shell, ShellOptions,
        apply::{ApplyController, ApplyServices},
        check_in::{CheckInController, CheckInDeps},
        info::{GuideWindows, InfoOptions, InfoPages, feedback::status::ReceiptLookup},
        take_number::{TakeNumberController, TakeNumberDeps, TakeNumberOptions, card::SampleCard},
        technician::{
            LogRing, StatusSources, TechnicianController, TechnicianDeps, TechnicianOptions,
            window_count,
        },
        video_call::{CallServices, CallSetup, VideoCallController},
    },
    watchdog::{Heart, Liveness, Watchdog},
};

use clock::Clocks;
use displays::led::{LedConfig, LedDriver, Scene};

use content::{ContentStore, Outbox, booking::BookingClient};

use queue::{
    HttpQueueClient, LocalQueueClient, QueueClient, QueueConfig, QueueEngine, SystemClock,
};

/// The device's own routes (`/healthz`, `/metrics`) and the counters its listener reports to.
#[derive(Debug)]
pub struct DeviceRoutes {
    /// The health routes.
    pub health: axum::Router,
    /// Refused logins and connections, shown by `/metrics`.
    pub counters: Arc<SecurityCounters>,
}

/// The queue client, and the engine itself when this kiosk is the queue host.
pub type ConnectedQueue = (Arc<dyn QueueClient>, Option<Arc<QueueEngine>>);

/// The queue this kiosk issues into: its own (it is the queue host, and serves the LAN API), or
/// the host's over the LAN when `[ui] queue_host_url` is set. Either way `[lan] listen` serves
/// `health` (`/healthz`, `/metrics`): beside the API on the host, alone on any other device. The
/// queue host queues each finished business day's ticket statistics in `outbox` for the centre,
/// and every rating (rating pads, phone pages) right after the engine recorded it.
/// Needs a tokio runtime.
#[allow(clippy::too_many_arguments)]
pub fn connect_queue(
    config: &KioskConfig,
    queue: &QueueConfig,
    lan: &LanConfig,
    data_dir: &Path,
    demo: bool,
    health: DeviceRoutes,
    liveness: &Liveness,
    outbox: &Outbox,
) -> anyhow::Result<ConnectedQueue> {
    let DeviceRoutes { health, counters } = health;
    if let Some(url) = &config.ui.queue_host_url {
        let token = config.ui.queue_device_token.clone().unwrap_or_default();
        let mut client = HttpQueueClient::new(url, token, queue.identity_salt.clone())
            .context("[ui] queue_host_url")?;
        if let Some(path) = &config.ui.queue_host_ca_file {
            let pem = std::fs::read(path)
                .with_context(|| format!("[ui] queue_host_ca_file {}", path.display()))?;
            client = client
                .with_trusted_pem(&pem)
                .context("[ui] queue_host_ca_file")?;
        }
        tracing::info!("remote mode: tickets are issued by the queue host at {url}");
        tokio::spawn(serve_router(lan.clone(), health, counters, "device health"));
        return Ok((Arc::new(client), None));
    }
    let db = data_dir.join(lan::DATABASE_FILE);
    let status_base = lan.public_url.clone().unwrap_or_default();
    let engine = QueueEngine::open(&db, queue.clone(), Arc::new(SystemClock), &status_base)
        .with_context(|| format!("cannot open the queue database {}", db.display()))?;
    let engine = Arc::new(engine);
    engine.on_rated(rating_sink(outbox.clone()));
    tracing::info!("queue host: database {}", db.display());
    start_lan_service(&engine, lan, demo, health, counters);
    start_daily_tick(
        &engine,
        liveness.register("queue_tick", Duration::from_secs(300)),
        outbox.clone(),
    );
    let client = LocalQueueClient::new(Arc::clone(&engine), lan.device_name.clone());
    Ok((Arc::new(client), Some(engine)))
}

/// Today's bookings for check-in: the sample list in a demo run (also handed to the demo queue),
/// else the list of the centre (`[content] centre_url` or `outbox_url`, with the device's token),
/// kept in the data directory and polled every [`POLL_EVERY`]; none without a centre (the home
/// screen then offers no check-in).
fn start_bookings(
    content_config: &content::ContentConfig,
    queue_config: &QueueConfig,
    data_dir: &Path,
    engine: Option<&Arc<QueueEngine>>,
    demo: bool,
) -> Option<BookingBook> {
    if demo {
        let (elderly, citizen) = (SampleCard::Elderly.card(), SampleCard::Citizen.card());
        let list = demo_bookings(
            chrono::Utc::now(),
            queue_config.utc_offset.0,
            SampleNumbers {
                elderly: &elderly.id_number,
                citizen: &citizen.id_number,
            },
        );
        if let Some(engine) = engine {
            match engine.replace_bookings(&booked_slots(&list, engine.config())) {
                Ok(n) => tracing::info!("DEMO bookings: {n} sample bookings today"),
                Err(err) => tracing::warn!("the demo queue refused the sample bookings: {err}"),
            }
        }
        return Some(BookingBook::in_memory(Some(list)));
    }
    let base = content::receipt::centre_base(content_config.outbox_url()?.as_str())?;
    let token = match &content_config.outbox_token_file {
        Some(file) => match content::upload::read_token(file) {
            Ok(token) => token,
            Err(err) => {
                tracing::error!("no booking check-in: the device token cannot be read: {err}");
                return None;
            }
        },
        None => {
            tracing::warn!("no booking check-in: [content] outbox_token_file is not set");
            return None;
        }
    };
    let http = match content_config.http_client(Duration::from_secs(10), Duration::from_secs(20)) {
        Ok(http) => http,
        Err(err) => {
            tracing::error!("no booking check-in: {err}");
            return None;
        }
    };
    let book = BookingBook::open(&data_dir.join(BOOKINGS_FILE));
    let client = BookingClient::new(http, base, token);
    tracing::info!(
        "today's bookings: polling {} every {POLL_EVERY:?}",
        client.url()
    );
    spawn_poll(book.clone(), client, engine.cloned(), POLL_EVERY);
    Some(book)
}

/// Serves the staff page, phone pages and LAN API on `[lan] listen`, with the device's `health`
/// routes. A failure is logged: the kiosk still issues tickets without it, and still answers
/// `/healthz` when only the staff page is refused.
fn start_lan_service(
    engine: &Arc<QueueEngine>,
    lan: &LanConfig,
    demo: bool,
    health: axum::Router,
    counters: Arc<SecurityCounters>,
) {
    let service =
        match LanService::with_counters(Arc::clone(engine), lan.clone(), Arc::clone(&counters)) {
            Ok(service) => Some(service.with_routes(health.clone())),
            Err(err) => {
                tracing::error!("[lan] is unusable, no staff page: {err}");
                None
            }
        };
    let lan = lan.clone();
    let allow_demo = demo || lan.allow_demo_credentials;
    if lan.allow_demo_credentials && !demo {
        tracing::warn!(
            "[lan] allow_demo_credentials = true: demo or common PINs and the demo device token are accepted; never on a real site"
        );
    }
    tokio::spawn(async move {
        let Some(service) = service else {
            return serve_router(lan, health, counters, "device health").await;
        };
        let s = service.clone();
        let uses_demo = tokio::task::spawn_blocking(move || s.uses_demo_credentials())
            .await
            .unwrap_or(true);
        if uses_demo && !allow_demo {
            tracing::error!(
                "[lan] uses demo or common PINs or the demo device token: the staff page stays off until real ones are set"
            );
            return serve_router(lan, health, counters, "device health").await;
        }
        if demo {
            tracing::warn!("DEMO queue: staff PINs 1111, 2222, 3333 for windows 1-3");
        }
        let listen = lan.listen;
        match tokio::net::TcpListener::bind(listen).await {
            Ok(listener) => {
                tracing::info!("staff page: {}://{listen}/staff", service.scheme());
                if let Err(err) = service.serve(listener, std::future::pending()).await {
                    tracing::error!("LAN service stopped: {err}");
                }
            }
            Err(err) => tracing::error!("cannot listen on {listen}, no staff page: {err}"),
        }
    });
}

/// Serves `router` on `[lan] listen` through the hardened server until the process ends; failures
/// are logged.
async fn serve_router(
    lan: LanConfig,
    router: axum::Router,
    counters: Arc<SecurityCounters>,
    what: &'static str,
) {
    let options = match lan::serve_options(&lan, counters) {
        Ok(options) => options,
        Err(err) => {
            tracing::error!("no {what}: {err}");
            return;
        }
    };
    let listen = lan.listen;
    match tokio::net::TcpListener::bind(listen).await {
        Ok(listener) => {
            tracing::info!("{what}: {}://{listen}/healthz", options.scheme());
            if let Err(err) =
                lan::server::serve(listener, router, options, std::future::pending()).await
            {
                tracing::error!("{what} stopped: {err}");
            }
        }
        Err(err) => tracing::error!("cannot listen on {listen}, no {what}: {err}"),
    }
}

/// Queues each rating the engine records in `outbox` for the centre, keyed `rating:DAY:NUMBER`
/// (a repeat is the same item). The engine's record is the truth: should this write fail, the
/// rating is logged (by number only) and queued again by the daily tick ([`requeue_ratings`]).
pub fn rating_sink(outbox: Outbox) -> queue::engine::RatingSink {
    Arc::new(move |rating: &queue::TicketRating| {
        let key = content::Rating::key_of(rating);
        let payload = content::OutboxPayload::Rating(content::Rating::from_ticket(rating));
        if let Err(err) = outbox.submit_with_key(&key, payload) {
            tracing::warn!(
                "rating of {} not queued for the centre yet (queued again at the daily tick): {err}",
                rating.number
            );
        }
    })
}

/// Queues again every rating the engine holds for `day` (a no-op for those already queued or
/// sent while the outbox keeps them: same keys); how many were added.
pub fn requeue_ratings(
    engine: &QueueEngine,
    outbox: &Outbox,
    day: chrono::NaiveDate,
) -> anyhow::Result<usize> {
    let mut added = 0;
    for rating in engine.ratings_of_day(day)? {
        let payload = content::OutboxPayload::Rating(content::Rating::from_ticket(&rating));
        if outbox.submit_with_key(&content::Rating::key_of(&rating), payload)? {
            added += 1;
        }
    }
    Ok(added)
}

/// The daily reset goes out even when nobody takes a ticket, and the day that ended is reported.
fn start_daily_tick(engine: &Arc<QueueEngine>, heart: Heart, outbox: Outbox) {
    let engine = Arc::clone(engine);
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(30));
        // The finished day already queued: none after a start, so the day before is queued again
        // (a no-op while its items are kept: the keys are the same).
        let mut reported = None;
        loop {
            every.tick().await;
            heart.beat();
            let (e, o) = (Arc::clone(&engine), outbox.clone());
            match tokio::task::spawn_blocking(move || report_finished_day(&e, &o, reported)).await {
                Ok(Ok(day)) => reported = Some(day),
                Ok(Err(err)) => tracing::warn!("daily reset or ticket statistics failed: {err:#}"),
                Err(_) => {}
            }
        }
    });
}

/// Applies the daily reset when due and, once per day, queues the ticket statistics of the
/// business day before today (`content::ticket_stats`) and its ratings again (after a start,
/// today's too); returns that day.
fn report_finished_day(
    engine: &QueueEngine,
    outbox: &Outbox,
    reported: Option<chrono::NaiveDate>,
) -> anyhow::Result<chrono::NaiveDate> {
    let today = engine.tick()?;
    let finished = today.pred_opt().unwrap_or(today);
    // Ratings whose outbox write failed: the day that ended, and after a start today's too.
    let days = if reported.is_none() {
        vec![finished, today]
    } else if reported != Some(finished) {
        vec![finished]
    } else {
        Vec::new()
    };
    for day in days {
        let added = requeue_ratings(engine, outbox, day)?;
        if added > 0 {
            tracing::info!("ratings of {day}: {added} queued again for the centre");
        }
    }
    if reported != Some(finished) {
        let added = content::ticket_stats::submit_day_stats(outbox, engine, finished)?;
        if added > 0 {
            tracing::info!(
                "ticket statistics of {finished}: {added} service(s) queued for the centre"
            );
        }
    }
    Ok(finished)
}

/// Runs the kiosk UI until its window is closed.
pub fn run_kiosk(config_path: Option<&Path>) -> anyhow::Result<()> {
    let config = load_config(config_path)?;
    let data_dir = data_dir(&config)?;
    tracing::info!("data directory: {}", data_dir.display());
    log_devices(&config.devices, &config.displays.led, &data_dir);
    let demo = config_path.is_none();
    let (mut queue_config, lan_config) = queue_config(&config, !demo)?;
    if config.ui.queue_host_url.is_none() {
        window_count::apply(&mut queue_config, &data_dir);
    }

    let runtime = super::runtime("kiosk-io")?;
    let _runtime_guard = runtime.enter();

    // The process's two clocks: everything below reads time from these.
    let clocks = Clocks::system();
    let liveness = Liveness::new(Arc::clone(&clocks.mono));
    let watchdog = Arc::new(Watchdog::from_env(liveness.clone()));
    let restarts = health::record_start(&data_dir).unwrap_or_else(|err| {
        tracing::warn!("cannot count this start in the data directory: {err}");
        0
    });
    let mut devices = Devices::start_with(
        &config.devices,
        &config.displays.led,
        &data_dir.join("sim"),
        Some(&liveness),
        &clocks,
    )
    .context("cannot start the devices")?;
    // A still frame that fits a 160-LED panel; `kiosk led follow` drives a panel from the queue's calls.
    let welcome = Scene::Message("法律服务热线12348".to_owned());
    if let Err(err) = devices.led_panel.show(&welcome, Duration::ZERO) {
        tracing::warn!("LED panel: {err}");
    }
    let content_config = config.content.clone();
    let store = ContentStore::open_with_clock(&data_dir, &content_config, Arc::clone(&clocks.wall))
        .context("cannot open the content store")?;
    let outbox = Outbox::open_with_clock(
        &data_dir,
        &content_config,
        &config.site.name,
        Arc::clone(&clocks.wall),
    )
    .context("cannot open the outbox")?;

    let late = LateBound::default();
    let board = start_board(
        &config,
        &clocks,
        &liveness,
        &late,
        &devices.printer,
        runtime.handle(),
    )?;
    let queue_reach = match &config.ui.queue_host_url {
        Some(url) => QueueReach::Remote(health::spawn_queue_probe(
            runtime.handle(),
            url,
            Duration::from_secs(30),
        )),
        None => QueueReach::Host,
    };
    let security = Arc::new(SecurityCounters::default());
    let mut sources = HealthSources::new(&lan_config.device_name, &data_dir)
        .with_security(Arc::clone(&security))
        .with_clocks(clocks.clone())
        .with_restarts(restarts)
        .with_devices(&devices)
        .with_queue(queue_reach)
        .with_content(store.clone())
        .with_outbox(outbox.clone())
        .with_liveness(liveness.clone());
    if let Some((task, _)) = &board {
        sources = sources.with_board(task.status());
    }
    // The technician page shares the panel (test pattern); health already holds its report.
    let detached = LedPanelSlot::detached();
    let led_panel = Arc::new(Mutex::new(std::mem::replace(
        &mut devices.led_panel,
        detached,
    )));
    let health_routes =
        health::routes(sources.clone(), board.as_ref().and_then(|(_, s)| s.clone()));
    let (queue, engine) = connect_queue(
        &config,
        &queue_config,
        &lan_config,
        &data_dir,
        demo,
        DeviceRoutes {
            health: health_routes,
            counters: security,
        },
        &liveness,
        &outbox,
    )?;
    let _ = late.queue.set(Arc::clone(&queue));
    // A village room issues no tickets, so it checks no bookings in either.
    let bookings = (InfoOptions::from_config(&config).tier != content::SiteTier::Room)
        .then(|| {
            start_bookings(
                &content_config,
                &queue_config,
                &data_dir,
                engine.as_ref(),
                demo,
            )
        })
        .flatten();

    let shell =
        Shell::new(ShellOptions::from_config(&config)).context("cannot open the kiosk window")?;
    shell.use_wall_clock(Arc::clone(&clocks.wall));
    let _ = late.window.set(shell.window().as_weak());
    if let Some((task, _)) = &board {
        shell.on_activity(task.touch_handle());
    }
    let take_number = TakeNumberController::attach(
        &shell,
        TakeNumberOptions::from_config(&config, &queue_config, &lan_config.device_name),
        TakeNumberDeps {
            queue: Arc::clone(&queue),
            printer: devices.printer.clone(),
            reader: devices.id_reader.reader.take(),
            simulator: devices.id_reader.simulator.clone(),
            runtime: runtime.handle().clone(),
        },
    );
    let _check_in = bookings.map(|book| {
        CheckInController::attach(
            &shell,
            TakeNumberOptions::from_config(&config, &queue_config, &lan_config.device_name),
            CheckInDeps {
                queue: Arc::clone(&queue),
                printer: devices.printer.clone(),
                book,
                scanner: devices.scanner.scanner.take(),
                scanner_sim: devices.scanner.simulator.clone(),
                take_number: Some(take_number.clone()),
                outbox: Some(outbox.clone()),
                runtime: runtime.handle().clone(),
            },
        )
    });
    let _video_call = start_video_call(
        &shell,
        &config,
        &content_config,
        CallServices {
            runtime: runtime.handle().clone(),
            outbox: Some(outbox.clone()),
            printer: Some(devices.printer.clone()),
            cards: Some(take_number.clone()),
        },
    );
    let apply = start_apply(
        &shell,
        &config,
        &content_config,
        &data_dir,
        &store,
        ApplyServices {
            runtime: runtime.handle().clone(),
            queue: None,
            printer: Some(devices.printer.clone()),
            cards: Some(take_number.clone()),
            camera: DocCameraSlot::None,
            device: lan_config.device_name.clone(),
            status_url: None,
        },
    );
    let _outbox_task = outbox.spawn(runtime.handle());
    // Heartbeats carry every device fact, so the sync task sends none of its own.
    let _sync = store.spawn_sync(runtime.handle(), None);
    let _heartbeats = (content_config.heartbeat_secs > 0).then(|| {
        health::spawn_heartbeats(
            runtime.handle(),
            sources,
            outbox.clone(),
            Duration::from_secs(content_config.heartbeat_secs),
        )
    });
    let info_options = InfoOptions::from_config(&config);
    // The guides name this site's own windows; a village room has no queue and names none.
    let windows = if info_options.tier == content::SiteTier::Room {
        GuideWindows::default()
    } else {
        GuideWindows::from_queue(&queue_config)
    };
    let info = InfoPages::attach_with_windows(&shell, store.current(), info_options, windows);
    info.set_outbox(outbox.clone());
    if let Some(lookup) = ReceiptLookup::from_config(&content_config, runtime.handle().clone()) {
        info.set_receipt_lookup(lookup);
    }
    let _follow = info.follow(&store, runtime.handle());
    let _technician = TechnicianController::attach(
        &shell,
        TechnicianOptions::from_config(&config, &queue_config, data_dir.clone(), welcome, demo),
        TechnicianDeps {
            sources: StatusSources {
                printer: devices.printer.clone(),
                led_panel,
                queue,
                queue_host_url: config.ui.queue_host_url.clone(),
                store: store.clone(),
                outbox: outbox.clone(),
                scanner: devices.scanner.report.clone(),
                applications: apply.as_ref().map(|(_, _, queue)| queue.clone()),
            },
            take_number: Some(take_number),
            simulator: devices.id_reader.simulator.clone(),
            logs: LogRing::global().clone(),
            runtime: runtime.handle().clone(),
        },
    );
    let _ui_beat = watch_ui_loop(&shell, &liveness, &watchdog);
    let _watchdog_thread = Arc::clone(&watchdog).spawn();
    let window = shell.window().window();
    if config.ui.fullscreen {
        window.set_fullscreen(true);
    } else {
        let (width, height) = config.ui.window_size();
        window.set_size(slint::LogicalSize::new(width as f32, height as f32));
    }
    let _startup_probe = crate::startup_probe::arm(shell.window());
    shell.window().run().context("the UI event loop failed")?;
    drop(board);
    drop(devices);
    tracing::info!("window closed: kiosk stopped");
    Ok(())
}

/// What the board's hooks reach once it exists (the board starts before the queue and the window).
#[derive(Default)]
struct LateBound {
    queue: Arc<OnceLock<Arc<dyn QueueClient>>>,
    window: Arc<OnceLock<slint::Weak<AppWindow>>>,
}

/// Starts the board loop of `[board]`: presence wakes the screen, the help button raises a help
/// request on the staff page, the printer's state lights the fault lamp.
fn start_board(
    config: &KioskConfig,
    clocks: &Clocks,
    liveness: &Liveness,
    late: &LateBound,
    printer: &crate::devices::PrinterService,
    runtime: &tokio::runtime::Handle,
) -> anyhow::Result<Option<(BoardTask, Option<board::SimBoardControls>)>> {
    let Some(opened) = board::open(&config.board).context("[board]")? else {
        return Ok(None);
    };
    let (queue, window) = (Arc::clone(&late.queue), Arc::clone(&late.window));
    let help_runtime = runtime.clone();
    let hooks = BoardHooks {
        on_wake: Box::new(move || {
            if let Some(window) = window.get() {
                let _ = window.upgrade_in_event_loop(|w| w.global::<Nav>().invoke_activity());
            }
        }),
        on_help: Box::new(move |open| {
            if let Some(queue) = queue.get() {
                let queue = Arc::clone(queue);
                help_runtime.spawn(async move {
                    if let Err(err) = queue.request_help(open).await {
                        tracing::warn!("cannot report the help request: {err}");
                    }
                });
            }
        }),
    };
    let task = BoardTask::spawn(
        opened.board,
        &config.board,
        clocks,
        Some(liveness.register("board", Duration::from_secs(10))),
        hooks,
    )
    .context("[board]")?;
    task.follow_printer(printer.report(), runtime);
    tracing::info!("board I/O: {:?}", config.board.kind);
    Ok(Some((task, opened.sim)))
}

/// Beats the `ui` liveness source from a Slint timer and reports `READY=1` once the event loop runs
/// (the first frame is on screen).
fn watch_ui_loop(shell: &Shell, liveness: &Liveness, watchdog: &Arc<Watchdog>) -> slint::Timer {
    let heart = liveness.register("ui", Duration::from_secs(15));
    let ready = Arc::clone(watchdog);
    let window = shell.window().window();
    let notified = window.set_rendering_notifier(move |state, _| {
        if matches!(state, slint::RenderingState::AfterRendering) {
            ready.ready();
        }
    });
    if notified.is_err() {
        let ready = Arc::clone(watchdog);
        slint::Timer::single_shot(Duration::ZERO, move || ready.ready());
    }
    let timer = slint::Timer::default();
    timer.start(
        slint::TimerMode::Repeated,
        Duration::from_secs(1),
        move || {
            heart.beat();
        },
    );
    timer
}

fn log_devices(devices: &DevicesConfig, led: &LedConfig, data_dir: &Path) {
    let led_simulated = matches!(led.driver, LedDriver::Sim | LedDriver::None);
    if devices.all_simulated() && led_simulated {
        tracing::info!(
            "simulated hardware: ID reader, virtual printer and LED panel run the real protocol code"
        );
    }
    tracing::info!("printer: {:?}", devices.printer);
    tracing::info!("ID reader: {:?}", devices.id_reader);
    tracing::info!("LED panel: {:?}, driven by {:?}", led.driver, led.driven_by);
    if matches!(devices.printer, crate::config::PrinterConfig::Sim { .. }) {
        tracing::info!(
            "virtual printer: tickets saved as PNG and text under {}",
            data_dir.join("sim/printer").display()
        );
    }
    if led.driver == LedDriver::Sim && led.driven_by.kiosk_drives() {
        tracing::info!(
            "simulated LED panel: current frame in {}",
            data_dir.join("sim/led/panel.png").display()
        );
    }
}

/// Applications at the kiosk, when `[applications] enabled`: the sealed queue in
/// `DATA_DIR/applications/` delivering to the centre of `[content]`, the document camera of
/// `[applications]`. A kiosk with no centre and no configured key (a laptop run) seals to a demo key
/// made in `DATA_DIR/sim/`, so the whole flow can be tried; its applications wait, honestly marked
/// as not yet sent.
fn start_apply(
    shell: &Shell,
    config: &KioskConfig,
    content_config: &content::ContentConfig,
    data_dir: &Path,
    store: &ContentStore,
    mut services: ApplyServices,
) -> Option<(
    ApplyController,
    tokio::task::JoinHandle<()>,
    content::application_queue::ApplicationQueue,
)> {
    if !config.applications.enabled {
        return None;
    }
    let configured = config
        .applications
        .centre_public_key
        .as_deref()
        .and_then(|key| applications::seal::CentrePublicKey::parse(key).ok());
    let centre = match content::application_queue::Centre::from_config(content_config) {
        Ok(centre) => centre,
        Err(err) => {
            tracing::error!("applications: {err}");
            None
        }
    };
    let key = match (&centre, configured) {
        (None, None) => match demo_application_key(data_dir) {
            Ok(key) => Some(key),
            Err(err) => {
                tracing::error!("applications: no demo key: {err}");
                None
            }
        },
        (_, key) => key,
    };
    let queue = match content::application_queue::ApplicationQueue::open(
        &data_dir.join("applications"),
        centre,
        key,
        Arc::new(content::SystemWallClock),
    ) {
        Ok(queue) => queue,
        Err(err) => {
            tracing::error!("applications: {err}; the kiosk takes none");
            return None;
        }
    };
    let delivery = queue.spawn(&services.runtime, Duration::from_secs(300));
    services.queue = Some(queue.clone());
    services.camera = match media::init() {
        Ok(()) => DocCameraSlot::from_config(&config.applications),
        Err(err) => {
            tracing::error!("applications: no document camera: {err}");
            DocCameraSlot::None
        }
    };
    services.status_url = content_config
        .outbox_url()
        .and_then(|url| content::receipt::centre_base(&url))
        .map(|base| format!("{base}status?code="));
    let store = store.clone();
    let controller = ApplyController::attach(shell, move || store.current(), services);
    Some((controller, delivery, queue))
}

/// The demo centre key of a laptop run: made once in `DATA_DIR/sim/centre-application-key` (mode
/// 0600), only its public half used by the kiosk.
fn demo_application_key(data_dir: &Path) -> anyhow::Result<applications::seal::CentrePublicKey> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let file = data_dir.join("sim").join("centre-application-key");
    if let Ok(text) = std::fs::read_to_string(&file) {
        let secret = applications::seal::CentreSecretKey::parse(&text)?;
        return Ok(secret.public_key()?);
    }
    std::fs::create_dir_all(data_dir.join("sim"))?;
    let secret = applications::seal::CentreSecretKey::generate()?;
    let mut out = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&file)?;
    std::io::Write::write_all(&mut out, secret.to_hex().as_bytes())?;
    tracing::info!(
        "applications: no centre configured; sealing to the demo key in {}",
        file.display()
    );
    Ok(secret.public_key()?)
}

/// The video call to a duty lawyer, when `[calls] enabled` and GStreamer starts. Without a centre
/// (`[content] centre_url`) the page still opens and offers 12348 and a call-back at once.
fn start_video_call(
    shell: &Shell,
    config: &KioskConfig,
    content_config: &content::ContentConfig,
    services: CallServices,
) -> Option<VideoCallController> {
    if !config.calls.enabled {
        return None;
    }
    if let Err(err) = media::init() {
        tracing::error!("no video call: {err}");
        return None;
    }
    let base = content_config
        .outbox_url()
        .and_then(|url| content::receipt::centre_base(&url));
    let token =
        content_config.outbox_token_file.as_ref().and_then(
            |file| match content::upload::read_token(file) {
                Ok(token) => Some(token),
                Err(err) => {
                    tracing::error!("video call: the device token cannot be read: {err}");
                    None
                }
            },
        );
    let mut setup = CallSetup::new(
        &config.calls,
        base.as_ref().map(reqwest::Url::as_str),
        token,
    );
    if let Some(file) = &content_config.ca_file {
        match std::fs::read(file) {
            Ok(pem) => setup.ca_pem = Some(pem),
            Err(err) => tracing::error!("video call: {}: {err}", file.display()),
        }
    }
    if setup.url.is_none() {
        tracing::info!("video call: no centre configured; the page offers 12348 and a call-back");
    }
    Some(VideoCallController::attach(shell, setup, services))
}
