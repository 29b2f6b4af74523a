//! The LED panel at run time: the call board, the idle scene, a framebuffer and a sink.

use std::{
    sync::mpsc::{Receiver, RecvTimeoutError, Sender},
    thread::JoinHandle,
    time::{Duration, Instant},
};

use embedded_graphics::pixelcolor::BinaryColor;

use super::{
    Announcement, BoardState, CallBoard, IdleScene, LedConfig, LedSink, MonoFrame, Scene,
    SinkError, Style, draw,
};

/// A panel: what it shows now follows from the calls it was given and the time.
pub struct LedPanel {
    board: CallBoard,
    idle: IdleScene,
    style: Style<BinaryColor>,
    sink: Box<dyn LedSink>,
    frame: MonoFrame,
    shown: Option<MonoFrame>,
}

impl std::fmt::Debug for LedPanel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LedPanel")
            .field("board", &self.board)
            .field("size", &(self.frame.width(), self.frame.height()))
            .finish()
    }
}

impl LedPanel {
    /// A `width` × `height` panel showing through `sink`, idle since `now`.
    pub fn new(
        sink: Box<dyn LedSink>,
        (width, height): (u32, u32),
        config: &LedConfig,
        now: Duration,
    ) -> Self {
        let timing = config.timing();
        Self {
            board: CallBoard::new(timing, now),
            idle: IdleScene::default(),
            style: Style::mono(config.speed_px_per_s, timing.highlight),
            sink,
            frame: MonoFrame::new(width, height),
            shown: None,
        }
    }

    /// A call or recall arrives.
    pub fn announce(&mut self, call: Announcement, now: Duration) {
        self.board.push(call, now);
    }

    /// What to show between calls.
    pub fn set_idle(&mut self, idle: IdleScene) {
        self.idle = idle;
    }

    /// The scene on show at `now` and how long it has been on.
    pub fn scene_at(&mut self, now: Duration) -> (Scene, Duration) {
        match self.board.state(now) {
            BoardState::Calling { call, elapsed, .. } => (
                Scene::Call {
                    ticket: call.ticket,
                    window: call.window,
                },
                elapsed,
            ),
            BoardState::Idle { elapsed } => (Scene::Idle(self.idle.clone()), elapsed),
        }
    }

    /// Draws the panel at `now` and pushes the frame to the sink when it changed. Returns whether it was
    /// pushed.
    pub fn tick(&mut self, now: Duration) -> Result<bool, SinkError> {
        let (scene, elapsed) = self.scene_at(now);
        draw(&scene, elapsed, &self.style, &mut self.frame);
        if self.shown.as_ref() == Some(&self.frame) {
            return Ok(false);
        }
        self.sink.show(&self.frame)?;
        self.shown = Some(self.frame.clone());
        Ok(true)
    }

    /// The last frame drawn.
    pub fn frame(&self) -> &MonoFrame {
        &self.frame
    }
}

/// What the panel thread is told.
#[derive(Debug, Clone)]
pub enum PanelInput {
    /// A call or recall.
    Announce(Announcement),
    /// A new idle scene (clock, counts, notices).
    Idle(IdleScene),
}

/// A panel driven by its own thread at a fixed frame rate; dropping it stops the thread.
#[derive(Debug)]
pub struct PanelThread {
    tx: Option<Sender<PanelInput>>,
    thread: Option<JoinHandle<()>>,
}

impl PanelThread {
    /// Starts drawing `panel` at `fps` frames per second.
    pub fn spawn(mut panel: LedPanel, fps: u32) -> std::io::Result<Self> {
        let (tx, rx) = std::sync::mpsc::channel();
        let interval = Duration::from_secs(1) / fps.clamp(1, 120);
        let thread = std::thread::Builder::new()
            .name("led-panel".into())
            .spawn(move || run(&mut panel, &rx, interval))?;
        Ok(Self {
            tx: Some(tx),
            thread: Some(thread),
        })
    }

    /// Sends the panel a call or new idle scene (ignored once the thread has stopped).
    pub fn send(&self, input: PanelInput) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(input);
        }
    }
}

fn run(panel: &mut LedPanel, rx: &Receiver<PanelInput>, interval: Duration) {
    let origin = Instant::now();
    let mut next = Instant::now();
    let mut failing = false;
    loop {
        let wait = next.saturating_duration_since(Instant::now());
        match rx.recv_timeout(wait) {
            Ok(PanelInput::Announce(call)) => panel.announce(call, origin.elapsed()),
            Ok(PanelInput::Idle(idle)) => {
                panel.set_idle(idle);
                continue;
            }
            Err(RecvTimeoutError::Timeout) => next += interval,
            Err(RecvTimeoutError::Disconnected) => return,
        }
        match panel.tick(origin.elapsed()) {
            Ok(_) => failing = false,
            Err(err) if !failing => {
                tracing::warn!("LED panel: {err}");
                failing = true;
            }
            Err(_) => {}
        }
        let now = Instant::now();
        if next < now {
            next = now + interval;
        }
    }
}

impl Drop for PanelThread {
    fn drop(&mut self) {
        self.tx.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
