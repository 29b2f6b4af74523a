//! The pad's link to the queue host: what the network tasks tell the UI thread ([`FromHost`]), the
//! task that follows the window's events and the host's snapshot ([`follow_host`]), and the one that
//! sends a rating ([`send_rating`]). The runner (`cli::rating_pad`) and the end-to-end tests use them.

use std::{sync::Arc, time::Duration};

use futures_util::StreamExt as _;

use super::model::{SendOutcome, Submission};
use queue::{ErrorKind, HttpQueueClient, QueueClient as _, QueueError, QueueEvent};

/// What the network tasks tell the UI thread.
pub enum FromHost {
    /// The host's snapshot (services and windows), or `None` when it does not answer.
    Snapshot(Option<queue::wire::QueueResponse>),
    /// An event of the window's stream.
    Event(Box<QueueEvent>),
    /// The answer to a rating sent.
    Answer(SendOutcome),
}

/// Keeps the pad informed: the snapshot every 5 s (the connection state, the staff on duty), and
/// the window's events, resubscribing after a failure.
pub async fn follow_host(client: Arc<HttpQueueClient>, tx: std::sync::mpsc::Sender<FromHost>) {
    let probe = {
        let (client, tx) = (Arc::clone(&client), tx.clone());
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(5));
            loop {
                every.tick().await;
                let snapshot = client.snapshot().await;
                if let Err(err) = &snapshot {
                    tracing::debug!("queue host: {err}");
                }
                if tx.send(FromHost::Snapshot(snapshot.ok())).is_err() {
                    return;
                }
            }
        })
    };
    let mut after = None;
    loop {
        match client.subscribe(after).await {
            Ok(mut events) => {
                while let Some(item) = events.next().await {
                    match item {
                        Ok(event) => {
                            after = Some(event.seq);
                            if tx.send(FromHost::Event(Box::new(event))).is_err() {
                                probe.abort();
                                return;
                            }
                        }
                        Err(err) => {
                            tracing::warn!("queue host events: {err}");
                            if tx.send(FromHost::Snapshot(None)).is_err() {
                                probe.abort();
                                return;
                            }
                        }
                    }
                }
            }
            Err(err) => {
                tracing::debug!("queue host events: {err}");
                if tx.send(FromHost::Snapshot(None)).is_err() {
                    probe.abort();
                    return;
                }
            }
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

/// Sends one rating; the host's refusal (already rated, not this window's, invalid) ends it for
/// good, an unreachable host keeps it for a retry.
pub async fn send_rating(
    client: Arc<HttpQueueClient>,
    submission: Submission,
    tx: std::sync::mpsc::Sender<FromHost>,
) {
    let outcome = match client
        .rate(submission.ticket, submission.score, submission.reasons)
        .await
    {
        Ok(_) => {
            tracing::info!("rating of {} recorded by the queue host", submission.number);
            SendOutcome::Accepted
        }
        Err(err) => classify(&err, &submission.number),
    };
    let _ = tx.send(FromHost::Answer(outcome));
}

fn classify(err: &QueueError, number: &str) -> SendOutcome {
    match err.kind() {
        ErrorKind::Conflict | ErrorKind::NotFound | ErrorKind::BadRequest => {
            tracing::info!("rating of {number} refused by the queue host: {err}");
            SendOutcome::Refused
        }
        ErrorKind::Internal => {
            tracing::warn!("rating of {number} not sent yet: {err}");
            SendOutcome::Unreachable
        }
    }
}
