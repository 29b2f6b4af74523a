//! A small fixed pool for PIN checks, with a bounded queue.
//!
//! One argon2 check takes about 19 MiB and tens of milliseconds of one core. Run on tokio's blocking
//! pool, 250 parallel logins took the service from 55 MB to 3.0 GB: a thread per check, and the
//! allocator keeps what each check allocated. Here `threads` long-lived workers run the checks, each
//! with its own argon2 memory allocated once and reused ([`Scratch`]), and at most `queue` more wait;
//! anything beyond is refused at once (429). The memory of PIN checking is `threads × m_cost`, however
//! many logins arrive.

use std::sync::{
    Arc, Mutex, PoisonError,
    atomic::{AtomicUsize, Ordering},
    mpsc::{SyncSender, TrySendError},
};

use tokio::sync::oneshot;

/// The pool is full: the caller answers 429.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("PIN check pool is full")]
pub struct PoolFull;

/// A worker's argon2 memory, kept between checks (zeroed after each).
pub type Scratch = Vec<argon2::Block>;

type Job = Box<dyn FnOnce(&mut Scratch) + Send>;

/// A queued check; [`PendingCheck::wait`] gives its answer.
#[derive(Debug)]
pub struct PendingCheck<T>(oneshot::Receiver<T>);

impl<T> PendingCheck<T> {
    /// The check's answer ([`PoolFull`] if the worker died).
    pub async fn wait(self) -> Result<T, PoolFull> {
        self.0.await.map_err(|_| PoolFull)
    }
}

/// Runs PIN checks on `threads` dedicated worker threads.
#[derive(Debug)]
pub struct PinCheckPool {
    jobs: Mutex<SyncSender<Job>>,
    checks: Arc<AtomicUsize>,
}

impl PinCheckPool {
    /// A pool of `threads` workers (at least 1) and `queue` waiting places. The workers end when
    /// the pool is dropped.
    pub fn new(threads: usize, queue: usize) -> Self {
        let threads = threads.max(1);
        // The workers take jobs from the channel one at a time: `threads` being run, `queue` waiting.
        let (tx, rx) = std::sync::mpsc::sync_channel::<Job>(queue);
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..threads {
            let rx = Arc::clone(&rx);
            let spawned = std::thread::Builder::new()
                .name(format!("pin-check-{i}"))
                .spawn(move || {
                    let mut scratch = Scratch::new();
                    loop {
                        let job = rx.lock().unwrap_or_else(PoisonError::into_inner).recv();
                        match job {
                            Ok(job) => job(&mut scratch),
                            Err(_) => return,
                        }
                    }
                });
            if let Err(err) = spawned {
                tracing::error!("cannot start a PIN check worker: {err}");
            }
        }
        Self {
            jobs: Mutex::new(tx),
            checks: Arc::default(),
        }
    }

    /// Queues `check` for a worker now, or refuses at once when every worker is busy and the queue
    /// is full.
    pub fn submit<T: Send + 'static>(
        &self,
        check: impl FnOnce(&mut Scratch) -> T + Send + 'static,
    ) -> Result<PendingCheck<T>, PoolFull> {
        let (reply, answer) = oneshot::channel();
        let checks = Arc::clone(&self.checks);
        let job: Job = Box::new(move |scratch| {
            checks.fetch_add(1, Ordering::Relaxed);
            let _ = reply.send(check(scratch));
        });
        match self
            .jobs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .try_send(job)
        {
            Ok(()) => Ok(PendingCheck(answer)),
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => Err(PoolFull),
        }
    }

    /// [`PinCheckPool::submit`], then waits for the answer.
    pub async fn run<T: Send + 'static>(
        &self,
        check: impl FnOnce(&mut Scratch) -> T + Send + 'static,
    ) -> Result<T, PoolFull> {
        self.submit(check)?.wait().await
    }

    /// PIN checks run so far (for `/metrics` and the attack tests).
    pub fn checks(&self) -> usize {
        self.checks.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn beyond_threads_and_queue_is_refused_at_once() {
        let pool = PinCheckPool::new(1, 2);
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let (started_tx, started) = std::sync::mpsc::channel();
        let blocker = pool
            .submit(move |_| {
                started_tx.send(()).unwrap();
                wait.recv().unwrap();
            })
            .unwrap();
        // The worker runs the first check; two more wait in the queue; a fourth is refused.
        tokio::task::spawn_blocking(move || started.recv().unwrap())
            .await
            .unwrap();
        let queued = [pool.submit(|_| 1).unwrap(), pool.submit(|_| 2).unwrap()];
        assert!(matches!(pool.submit(|_| 3), Err(PoolFull)));
        release.send(()).unwrap();
        assert_eq!(blocker.wait().await, Ok(()));
        let [a, b] = queued;
        assert_eq!((a.wait().await, b.wait().await), (Ok(1), Ok(2)));
        assert_eq!(pool.run(|_| 7).await, Ok(7));
        assert_eq!(pool.checks(), 4);
    }
}
