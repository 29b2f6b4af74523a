//! The publicity video player of the screens (the hall screen, and muted in the kiosk's attract loop):
//! keeps one [`ClipPlayer`] in step with the [`VideoView`] wanted, copies its frames into Slint images,
//! picks the subtitle of the frame on screen, and says when a clip ended or failed.
//!
//! A clip is checked by GStreamer's Discoverer on a helper thread before it first plays (a truncated
//! MP4 can hang playbin without an error); the player's own watchdog ends a clip with no picture or a
//! stopped one. The UI thread never waits on GStreamer: it takes the newest frame from a one-slot
//! mailbox when its pump timer fires, so a slow screen drops frames instead of queueing them.

use std::{
    collections::HashSet,
    path::{Path, PathBuf},
    sync::{
        Arc, Mutex,
        mpsc::{self, Receiver},
    },
    time::Duration,
};

use health_facts::MediaFacts;
use media::{ClipPlayer, MediaError, PlayOptions, PlayerEvent};
use slint::{Rgba8Pixel, SharedPixelBuffer};

use crate::frame_mailbox::FrameMailbox;
use subtitles::Subtitles;

use displays::hall::VideoView;

/// A frame for the screen, with the subtitle that belongs to it.
#[derive(Debug)]
pub struct ShownFrame {
    /// The picture.
    pub pixels: SharedPixelBuffer<Rgba8Pixel>,
    /// The subtitle on screen at its time (empty: none).
    pub subtitle: String,
    /// Its time within the clip.
    pub pts: Option<Duration>,
}

/// What happened to the clip the model asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum VideoOutcome {
    /// It played to its end.
    Ended {
        /// The video's id.
        id: String,
    },
    /// It could not play; skip it.
    Failed {
        /// The video's id.
        id: String,
        /// Why.
        error: MediaError,
    },
}

/// Where the player is with the clip the model wants.
enum State {
    Idle,
    /// The clip is being checked on a helper thread.
    Probing {
        view: VideoView,
        result: Receiver<Result<(), MediaError>>,
    },
    Playing {
        view: VideoView,
        player: ClipPlayer,
        subtitles: Option<Subtitles>,
    },
}

/// A screen's video player.
pub struct VideoPlayer {
    options: PlayOptions,
    mailbox: Arc<FrameMailbox>,
    state: State,
    checked: HashSet<PathBuf>,
    volume: f64,
    figures: Arc<Mutex<MediaFacts>>,
}

impl std::fmt::Debug for VideoPlayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VideoPlayer")
            .field("playing", &self.playing())
            .finish_non_exhaustive()
    }
}

fn check(path: &Path, timeout: Duration) -> Result<(), MediaError> {
    media::probe(path, timeout).map(|_| ())
}

impl VideoPlayer {
    /// A player that plays clips with `options` (GStreamer must be initialised: [`media::init`]).
    pub fn new(options: PlayOptions) -> Self {
        let volume = options.volume;
        Self {
            options,
            mailbox: Arc::new(FrameMailbox::default()),
            state: State::Idle,
            checked: HashSet::new(),
            volume,
            figures: Arc::new(Mutex::new(MediaFacts::default())),
        }
    }

    /// The figures since start, shared with the health report (`/metrics`, the heartbeat).
    pub fn figures(&self) -> Arc<Mutex<MediaFacts>> {
        Arc::clone(&self.figures)
    }

    /// The id of the video playing or being checked.
    pub fn playing(&self) -> Option<&str> {
        match &self.state {
            State::Idle => None,
            State::Probing { view, .. } | State::Playing { view, .. } => Some(&view.id),
        }
    }

    /// Sets the sound level (0.0 to 1.0) of this and later clips.
    pub fn set_volume(&mut self, volume: f64) {
        if (volume - self.volume).abs() > f64::EPSILON {
            self.volume = volume;
            if let State::Playing { player, .. } = &self.state {
                player.set_volume(volume);
            }
        }
    }

    /// Records how many clips of the current content the model skips as unplayable.
    pub fn set_skipping(&self, clips: usize) {
        self.figures_mut().skipping = clips as u64;
    }

    /// The sound level of the clip playing.
    pub fn volume(&self) -> f64 {
        self.volume
    }

    fn figures_mut(&self) -> std::sync::MutexGuard<'_, MediaFacts> {
        self.figures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Brings the player in step with `want` (what the model shows) and reports what happened to the
    /// clip since the last call.
    pub fn sync(&mut self, want: Option<&VideoView>) -> Option<VideoOutcome> {
        if self.playing() != want.map(|v| v.id.as_str()) {
            self.stop();
            if let Some(view) = want
                && let Err(error) = self.begin(view.clone())
            {
                return Some(self.failed(view.id.clone(), error));
            }
        }
        self.advance()
    }

    fn stop(&mut self) {
        self.state = State::Idle;
        self.mailbox.clear();
    }

    fn begin(&mut self, view: VideoView) -> Result<(), MediaError> {
        if self.checked.contains(&view.file) {
            return self.play(view);
        }
        let (tx, result) = mpsc::channel();
        let file = view.file.clone();
        let timeout = self.options.first_frame_within;
        std::thread::Builder::new()
            .name("clip-check".into())
            .spawn(move || {
                let _ = tx.send(check(&file, timeout));
            })
            .map_err(|e| MediaError::Init(e.to_string()))?;
        self.state = State::Probing { view, result };
        Ok(())
    }

    fn play(&mut self, view: VideoView) -> Result<(), MediaError> {
        // Subtitles that cannot be read leave the clip playing without them (said in the log).
        let subtitles = view.subtitles.as_deref().and_then(|path| {
            match std::fs::read(path)
                .map_err(|e| e.to_string())
                .and_then(|b| Subtitles::parse(&b).map_err(|e| e.to_string()))
            {
                Ok(s) => Some(s),
                Err(reason) => {
                    tracing::warn!("video {}: subtitles {}: {reason}", view.id, path.display());
                    None
                }
            }
        });
        let options = PlayOptions {
            volume: self.volume,
            ..self.options.clone()
        };
        let player = ClipPlayer::start(&view.file, self.mailbox.clone(), &options)?;
        self.figures_mut().started += 1;
        tracing::info!("video {}: playing {}", view.id, view.file.display());
        self.state = State::Playing {
            view,
            player,
            subtitles,
        };
        Ok(())
    }

    fn failed(&mut self, id: String, error: MediaError) -> VideoOutcome {
        tracing::warn!("video {id} skipped: {error}");
        {
            let mut f = self.figures_mut();
            f.failed += 1;
            f.last_failure = Some(format!("{id}: {error}"));
        }
        self.stop();
        VideoOutcome::Failed { id, error }
    }

    fn advance(&mut self) -> Option<VideoOutcome> {
        match &self.state {
            State::Idle => None,
            State::Probing { view, result } => match result.try_recv() {
                Err(mpsc::TryRecvError::Empty) => None,
                Ok(Ok(())) => {
                    let view = view.clone();
                    self.checked.insert(view.file.clone());
                    let id = view.id.clone();
                    self.play(view).err().map(|e| self.failed(id, e))
                }
                Ok(Err(error)) => {
                    let id = view.id.clone();
                    Some(self.failed(id, error))
                }
                Err(mpsc::TryRecvError::Disconnected) => {
                    let id = view.id.clone();
                    Some(self.failed(id, MediaError::Init("the clip check stopped".into())))
                }
            },
            State::Playing { view, player, .. } => {
                let id = view.id.clone();
                let mut outcome = None;
                while let Some(event) = player.try_event() {
                    match event {
                        PlayerEvent::Started {
                            decoder,
                            first_frame_after,
                            ..
                        } => {
                            tracing::info!(
                                "video {id}: first picture after {} ms ({})",
                                first_frame_after.as_millis(),
                                decoder.as_deref().unwrap_or("decoder unknown")
                            );
                            self.figures_mut().decoder = decoder;
                        }
                        PlayerEvent::Ended { .. } => {
                            outcome = Some(VideoOutcome::Ended { id: id.clone() });
                        }
                        PlayerEvent::Failed(error) => {
                            outcome = Some(VideoOutcome::Failed {
                                id: id.clone(),
                                error,
                            });
                        }
                    }
                }
                match outcome {
                    Some(VideoOutcome::Failed { id, error }) => Some(self.failed(id, error)),
                    Some(ended) => {
                        self.figures_mut().ended += 1;
                        self.stop();
                        Some(ended)
                    }
                    None => None,
                }
            }
        }
    }

    /// The newest frame, if one came since the last call, with its subtitle.
    pub fn take_frame(&mut self) -> Option<ShownFrame> {
        let State::Playing { subtitles, .. } = &self.state else {
            return None;
        };
        let (pixels, pts) = self.mailbox.take()?;
        let subtitle = match (subtitles, pts) {
            (Some(subs), Some(t)) => subs.text_at(t).to_owned(),
            _ => String::new(),
        };
        let dropped = self.mailbox.replaced();
        {
            let mut f = self.figures_mut();
            f.frames_shown += 1;
            f.frames_dropped = dropped;
        }
        Some(ShownFrame {
            pixels,
            subtitle,
            pts,
        })
    }
}
