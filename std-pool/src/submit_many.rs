//! Submitting many jobs at once: [`Pool::submit_many`] and
//! [`Pool::try_submit_many`].
//!
//! A caller holding many jobs pays the books and the queue once per chunk
//! instead of once per job: one admission of `k` jobs in the ledger (one
//! read-modify-write on the completion counter and one on the ids,
//! [`Ledger::admit_many`]), one batch push into the ring (one fetch-add on
//! each of its two index rings per round of up to `MAX_BATCH`, instead of a
//! pair per job), one acceptance, and one notify of the workers.
//!
//! The jobs come from the caller's iterator and are taken out of it only
//! when they are queued, so a refused submission leaves every job it did
//! not queue in the iterator, in order (the ring's `push_batch` contract).
//! A chunk is admitted before it is pushed (the ledger's rule 1); the part
//! of it the ring did not take is withdrawn (rule 2); its ids stay used up,
//! as a single submit's do when the queue is full.
//!
//! [`Ledger::admit_many`]: ringpool_core::pool::Ledger::admit_many

use crate::backoff::BeforePark;
use crate::error::SubmitError;
use crate::job::{Envelope, JobId};
use crate::pool::{Patience, Pool};
use ringpool_core::BatchPushError;
use ringpool_core::MAX_BATCH;

impl<J, R, E> Pool<J, R, E>
where
    J: Send,
    R: Send,
    E: Send,
{
    /// Queues every job of `jobs`, in order, waiting while the queue is
    /// full (as [`submit`](Self::submit), including from inside the pool's
    /// own handler, where it does not wait). Returns how many were queued:
    /// all of them, on success. Their ids are consecutive within each chunk
    /// queued at once and grow in submission order, as single submits'.
    ///
    /// # Errors
    ///
    /// A [`SubmitError`] that carries how many jobs were queued before the
    /// refusal: [`Closed`](SubmitError::Closed) once the pool is closed,
    /// [`Full`](SubmitError::Full) from inside the handler with the queue
    /// full. The jobs not queued stay in `jobs`, in order.
    ///
    /// ```
    /// use ringpool::{Pool, SubmitError};
    ///
    /// let pool = Pool::new(2, 4, |_, job: u32| job * 2).unwrap();
    /// let results = pool.results().unwrap();
    /// let drainer = std::thread::spawn(move || {
    ///     results.map(|r| r.outcome.unwrap()).sum::<u32>()
    /// });
    /// let mut jobs = 1..=100;
    /// assert_eq!(pool.submit_many(&mut jobs), Ok(100));
    /// pool.close();
    /// // Refused after close: nothing queued, the jobs stay with the caller.
    /// let mut late = 1..=3;
    /// assert_eq!(pool.submit_many(&mut late), Err(SubmitError::Closed(0)));
    /// assert_eq!(late, 1..=3);
    /// assert_eq!(drainer.join().unwrap(), 10100);
    /// ```
    pub fn submit_many<I>(&self, jobs: &mut I) -> Result<usize, SubmitError<usize>>
    where
        I: Iterator<Item = J>,
    {
        self.submit_many_with(jobs, Patience::Forever)
    }

    /// Queues jobs of `jobs`, in order, while there is room now; never
    /// waits. Returns how many were queued (all of them, on success).
    ///
    /// # Errors
    ///
    /// As [`submit_many`](Self::submit_many), plus
    /// [`Full`](SubmitError::Full) when the queue filled up first. The jobs
    /// not queued stay in `jobs`, in order.
    ///
    /// ```
    /// use ringpool::{Pool, SubmitError};
    ///
    /// let pool = Pool::builder()
    ///     .workers(1)
    ///     .queue_capacity(4)
    ///     .discard_results()
    ///     .build(|_, _job: u32| std::thread::sleep(std::time::Duration::from_millis(50)))
    ///     .unwrap();
    /// let mut jobs = 0..100;
    /// let Err(SubmitError::Full(queued)) = pool.try_submit_many(&mut jobs) else {
    ///     panic!("a queue of 4 cannot take 100 jobs at once");
    /// };
    /// // The rest are still in the iterator, in order.
    /// assert_eq!(jobs.start, queued as u32);
    /// pool.stop_now();
    /// ```
    pub fn try_submit_many<I>(&self, jobs: &mut I) -> Result<usize, SubmitError<usize>>
    where
        I: Iterator<Item = J>,
    {
        self.submit_many_with(jobs, Patience::None)
    }

    fn submit_many_with<I>(
        &self,
        jobs: &mut I,
        patience: Patience,
    ) -> Result<usize, SubmitError<usize>>
    where
        I: Iterator<Item = J>,
    {
        let shared = &*self.shared;
        // From inside this pool's own handler, never park for room.
        let patience = match patience {
            Patience::Forever if shared.inside_handler() => Patience::None,
            other => other,
        };
        let mut queued = 0;
        let mut before_park = BeforePark::new(shared.settings.spin_before_park);
        loop {
            let hint = match jobs.size_hint() {
                (_, Some(0)) => return Ok(queued),
                (_, Some(upper)) => upper,
                (lower, None) => lower.max(1),
            };
            if shared.jobs.is_closed() {
                shared.ledger.count_refused();
                return Err(SubmitError::Closed(queued));
            }
            // Admit no more than there is room for now (each job admitted
            // and not queued costs a withdrawal), but at least one, so a
            // full queue is found by a push as in `submit`.
            let room = shared.jobs.capacity().saturating_sub(shared.jobs.len());
            let chunk = hint.min(room).clamp(1, MAX_BATCH);
            let Ok(mut admissions) = shared.ledger.admit_many(chunk) else {
                shared.ledger.count_refused();
                return Err(SubmitError::Full(queued));
            };
            let first = admissions.first_id();
            let ticket = admissions.ticket();
            let submitted_at = shared.clock.now();
            let mut offset = 0;
            let mut envelopes = jobs.by_ref().take(chunk).map(|job| {
                let id = first.wrapping_add(offset) as JobId;
                offset += 1;
                Envelope {
                    id,
                    job,
                    submitted_at,
                    ticket,
                    deadline: None,
                }
            });
            let pushed = shared.jobs.push_batch(&mut envelopes);
            let count = match pushed {
                Ok(count)
                | Err(BatchPushError::Full { pushed: count })
                | Err(BatchPushError::Closed { pushed: count }) => count,
            };
            shared.ledger.accept_many(&mut admissions, count);
            if admissions.count() > 0 {
                // Not queued (or the iterator ran dry early): undo.
                shared.refuse_many(admissions);
            }
            match count {
                0 => {}
                1 => shared.job_ready.notify_one(),
                _ => shared.job_ready.notify_all(),
            }
            queued += count;
            self.after_push();
            match pushed {
                // The chunk ran short: the iterator is exhausted.
                Ok(count) if count < chunk => return Ok(queued),
                Ok(_) => continue,
                Err(BatchPushError::Closed { .. }) => {
                    shared.ledger.count_refused();
                    return Err(SubmitError::Closed(queued));
                }
                Err(BatchPushError::Full { .. }) if count > 0 => {
                    before_park = BeforePark::new(shared.settings.spin_before_park);
                    continue;
                }
                Err(BatchPushError::Full { .. }) => {}
            }
            // Full and nothing queued: spin with read-only looks, then park
            // until a worker frees a slot, the pool closes, or the deadline.
            if let Patience::None = patience {
                shared.ledger.count_refused();
                return Err(SubmitError::Full(queued));
            }
            // Helping: a queued job run here frees a slot.
            if crate::help::help_until(shared, patience.deadline()) {
                continue;
            }
            let has_room = || shared.jobs.len() < shared.jobs.capacity() || shared.jobs.is_closed();
            let mut spun = false;
            while before_park.snooze() {
                spun = true;
                if has_room() {
                    break;
                }
            }
            if spun && has_room() {
                continue;
            }
            let woke = shared
                .slot_free
                .wait_until(patience.deadline(), || has_room().then_some(()));
            if woke.is_none() {
                shared.ledger.count_refused();
                return Err(SubmitError::Timeout(queued));
            }
            before_park = BeforePark::new(shared.settings.spin_before_park);
        }
    }
}
