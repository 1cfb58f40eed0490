//! A minimal scoped fan-out: run a fallible job for each item on up to
//! `available_parallelism` threads (no thread pool, no rayon).

use std::thread;

use crate::error::SealError;

/// Number of worker threads to use: the machine's available parallelism.
pub(crate) fn worker_count() -> usize {
    thread::available_parallelism().map_or(1, |n| n.get())
}

/// Runs `job` on every item, splitting the items into contiguous groups, one
/// per thread (the calling thread takes the first group). Returns the first
/// error in item order, after all threads have finished. A panic in a worker
/// is propagated to the caller unchanged.
pub(crate) fn try_for_each<T, F>(mut items: Vec<T>, job: F) -> Result<(), SealError>
where
    T: Send,
    F: Fn(T) -> Result<(), SealError> + Sync,
{
    let threads = worker_count().min(items.len());
    if threads <= 1 {
        return items.into_iter().try_for_each(&job);
    }
    let per_group = items.len().div_ceil(threads);
    let mut groups: Vec<Vec<T>> = Vec::with_capacity(threads);
    while items.len() > per_group {
        let rest = items.split_off(per_group);
        groups.push(std::mem::replace(&mut items, rest));
    }
    groups.push(items);

    let job = &job;
    thread::scope(|scope| {
        let mut groups = groups.into_iter();
        let first = groups.next().unwrap_or_default();
        let handles: Vec<_> = groups
            .map(|group| scope.spawn(move || group.into_iter().try_for_each(job)))
            .collect();
        let mut result = first.into_iter().try_for_each(job);
        for handle in handles {
            let group_result = match handle.join() {
                Ok(r) => r,
                Err(panic) => std::panic::resume_unwind(panic),
            };
            if result.is_ok() {
                result = group_result;
            }
        }
        result
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn every_item_runs_once_and_errors_surface() {
        for n in [0usize, 1, 2, 3, 7, 64] {
            let seen = AtomicUsize::new(0);
            let sum = AtomicUsize::new(0);
            let items: Vec<usize> = (0..n).collect();
            try_for_each(items, |i| {
                seen.fetch_add(1, Ordering::Relaxed);
                sum.fetch_add(i, Ordering::Relaxed);
                Ok(())
            })
            .unwrap();
            assert_eq!(seen.load(Ordering::Relaxed), n);
            assert_eq!(sum.load(Ordering::Relaxed), n * n.saturating_sub(1) / 2);
        }
        let items: Vec<usize> = (0..10).collect();
        let r = try_for_each(items, |i| {
            if i == 9 {
                Err(SealError::AuthenticationFailed)
            } else {
                Ok(())
            }
        });
        assert!(matches!(r, Err(SealError::AuthenticationFailed)));
    }
}
