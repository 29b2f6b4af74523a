//! How many connections are open, in all and per address.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{Arc, Mutex, PoisonError},
};

/// Connection limits: at most `total` open connections, at most `per_source` from one address.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    inner: Arc<Mutex<Open>>,
    total: usize,
    per_source: usize,
}

#[derive(Debug, Default)]
struct Open {
    total: usize,
    by_source: HashMap<IpAddr, usize>,
}

/// An admitted connection's place; dropping it frees the place.
#[derive(Debug)]
pub struct Slot {
    inner: Arc<Mutex<Open>>,
    source: IpAddr,
}

impl ConnectionLimits {
    /// Limits of `total` connections and `per_source` per address (each at least 1).
    pub fn new(total: usize, per_source: usize) -> Self {
        Self {
            inner: Arc::default(),
            total: total.max(1),
            per_source: per_source.max(1),
        }
    }

    /// A place for a connection from `source`, or `None` when a limit is reached.
    pub fn admit(&self, source: IpAddr) -> Option<Slot> {
        let mut open = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let from_source = open.by_source.get(&source).copied().unwrap_or(0);
        if open.total >= self.total || from_source >= self.per_source {
            return None;
        }
        open.total += 1;
        *open.by_source.entry(source).or_default() += 1;
        Some(Slot {
            inner: Arc::clone(&self.inner),
            source,
        })
    }

    /// Connections open now.
    pub fn open(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .total
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        open.total = open.total.saturating_sub(1);
        if let Some(n) = open.by_source.get_mut(&self.source) {
            *n -= 1;
            if *n == 0 {
                open.by_source.remove(&self.source);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_source_and_in_all() {
        let limits = ConnectionLimits::new(3, 2);
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        let a1 = limits.admit(a).unwrap();
        let _a2 = limits.admit(a).unwrap();
        assert!(limits.admit(a).is_none(), "third from one address");
        let _b1 = limits.admit(b).unwrap();
        assert!(limits.admit(b).is_none(), "fourth in all");
        drop(a1);
        let b2 = limits.admit(b);
        assert!(b2.is_some(), "a place freed");
        assert_eq!(limits.open(), 3);
        drop(b2);
        assert_eq!(limits.open(), 2);
    }
}
