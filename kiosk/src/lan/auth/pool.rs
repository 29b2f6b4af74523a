//! A small fixed pool for PIN checks, with a bounded queue.
//!
//! One argon2 check takes about 19 MiB and tens of milliseconds of one core. Run on the blocking
//! thread pool, 250 parallel logins took the service from 55 MB to 3 GB. Here at most `threads`
//! checks run at once and at most `queue` more wait; anything beyond is refused at once (429).

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use tokio::sync::Semaphore;

/// The pool is full: the caller answers 429.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("PIN check pool is full")]
pub struct PoolFull;

/// Runs PIN checks on at most `threads` blocking threads.
#[derive(Debug)]
pub struct PinCheckPool {
    running: Arc<Semaphore>,
    admitted: AtomicUsize,
    capacity: usize,
    checks: AtomicUsize,
}

impl PinCheckPool {
    /// A pool of `threads` workers (at least 1) and `queue` waiting places.
    pub fn new(threads: usize, queue: usize) -> Self {
        let threads = threads.max(1);
        Self {
            running: Arc::new(Semaphore::new(threads)),
            admitted: AtomicUsize::new(0),
            capacity: threads + queue,
            checks: AtomicUsize::new(0),
        }
    }

    /// Runs `check` when a worker is free, or refuses at once when the queue is full.
    pub async fn run<T: Send + 'static>(
        &self,
        check: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, PoolFull> {
        let admitted = self.admitted.fetch_add(1, Ordering::AcqRel);
        let _leave = Leave(&self.admitted);
        if admitted >= self.capacity {
            return Err(PoolFull);
        }
        let permit = Arc::clone(&self.running)
            .acquire_owned()
            .await
            .map_err(|_| PoolFull)?;
        self.checks.fetch_add(1, Ordering::Relaxed);
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            check()
        })
        .await
        .map_err(|_| PoolFull)
    }

    /// PIN checks run so far (for `/metrics` and the attack tests).
    pub fn checks(&self) -> usize {
        self.checks.load(Ordering::Relaxed)
    }
}

/// Leaves the admitted count when the request is done or dropped (a client that hangs up).
struct Leave<'a>(&'a AtomicUsize);

impl Drop for Leave<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn beyond_threads_and_queue_is_refused_at_once() {
        let pool = Arc::new(PinCheckPool::new(1, 2));
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let wait = Arc::new(std::sync::Mutex::new(wait));
        let (started_tx, mut started) = tokio::sync::mpsc::unbounded_channel();
        let mut held = Vec::new();
        for _ in 0..3 {
            let pool = Arc::clone(&pool);
            let wait = Arc::clone(&wait);
            let started_tx = started_tx.clone();
            held.push(tokio::spawn(async move {
                pool.run(move || {
                    let _ = started_tx.send(());
                    let _ = wait.lock().unwrap().recv();
                })
                .await
            }));
        }
        // The first is running; two wait. Wait until the running one has started.
        started.recv().await.unwrap();
        // Admitted counts are taken synchronously on the first poll: let the spawned tasks reach it.
        while pool.admitted.load(Ordering::Acquire) < 3 {
            tokio::task::yield_now().await;
        }
        assert_eq!(pool.run(|| ()).await, Err(PoolFull));
        for _ in 0..3 {
            release.send(()).unwrap();
        }
        for h in held {
            assert_eq!(h.await.unwrap(), Ok(()));
        }
        assert_eq!(pool.checks(), 3);
        assert_eq!(pool.run(|| 7).await, Ok(7));
    }
}
