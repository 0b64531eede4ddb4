//! A fixed-bucket latency histogram that allocates nothing when recording.
//!
//! Buckets are log-linear over nanoseconds: values `0..4` have a bucket each,
//! then every power of two `[2^p, 2^(p+1))` is split into four equal
//! sub-buckets, so any reading is within 25% of the true value (the scheme
//! of HdrHistogram with two significant bits). 252 buckets cover all of
//! `u64`.
//!
//! Each worker owns its histograms and is their only writer, so recording is
//! a relaxed load and store (no read-modify-write); readers sum the buckets
//! of every worker into a [`HistogramSnapshot`].

use crate::sync::{Ordering, StatCounter};
use std::time::Duration;

/// Sub-buckets per power of two, as a power of two.
const SUB_BITS: u32 = 2;
const SUBS: usize = 1 << SUB_BITS;
/// Number of buckets: `SUBS` linear ones, then `SUBS` per power of two.
pub(crate) const BUCKETS: usize = SUBS + SUBS * (64 - SUB_BITS as usize);

/// The bucket of a value.
fn bucket_of(value: u64) -> usize {
    if value < SUBS as u64 {
        return value as usize;
    }
    let power = 63 - value.leading_zeros();
    let sub = (value >> (power - SUB_BITS)) as usize & (SUBS - 1);
    SUBS * (power - SUB_BITS + 1) as usize + sub
}

/// The largest value that falls in `bucket`.
fn bucket_upper(bucket: usize) -> u64 {
    if bucket < SUBS {
        return bucket as u64;
    }
    let power = (bucket / SUBS) as u32 + SUB_BITS - 1;
    let sub = (bucket % SUBS) as u64;
    let low = (1u64 << power) + (sub << (power - SUB_BITS));
    // Step minus one first: the top bucket ends exactly at u64::MAX.
    low + ((1u64 << (power - SUB_BITS)) - 1)
}

/// A single-writer histogram of durations.
#[derive(Debug)]
pub(crate) struct Histogram {
    buckets: Box<[StatCounter]>,
    sum_nanos: StatCounter,
}

impl Histogram {
    pub(crate) fn new() -> Self {
        Self {
            buckets: (0..BUCKETS).map(|_| StatCounter::new(0)).collect(),
            sum_nanos: StatCounter::new(0),
        }
    }

    /// Records one duration. Only the owning worker calls this.
    pub(crate) fn record(&self, duration: Duration) {
        let nanos = u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX);
        let bucket = &self.buckets[bucket_of(nanos)];
        bucket.store(bucket.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
        let sum = self.sum_nanos.load(Ordering::Relaxed);
        self.sum_nanos
            .store(sum.saturating_add(nanos), Ordering::Relaxed);
    }

    /// Adds this histogram's counts into `into`.
    pub(crate) fn add_to(&self, into: &mut HistogramSnapshot) {
        for (total, bucket) in into.buckets.iter_mut().zip(self.buckets.iter()) {
            *total += bucket.load(Ordering::Relaxed);
        }
        into.sum_nanos = into
            .sum_nanos
            .saturating_add(self.sum_nanos.load(Ordering::Relaxed));
    }
}

/// Counts of recorded durations, read with
/// [`Pool::metrics`](crate::Pool::metrics).
///
/// ```
/// # use ringpool::Pool;
/// let pool = Pool::builder().workers(1).queue_capacity(4).build(|_, x: u32| x).unwrap();
/// pool.submit(1).unwrap();
/// pool.wait().unwrap();
/// let run = pool.metrics().run_time;
/// assert_eq!(run.count(), 1);
/// assert!(run.p50() <= run.p99());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct HistogramSnapshot {
    buckets: Box<[u64; BUCKETS]>,
    sum_nanos: u64,
}

impl Default for HistogramSnapshot {
    fn default() -> Self {
        Self {
            buckets: Box::new([0; BUCKETS]),
            sum_nanos: 0,
        }
    }
}

impl HistogramSnapshot {
    /// Durations recorded.
    ///
    /// ```
    /// use ringpool::{HistogramSnapshot, Pool};
    ///
    /// assert_eq!(HistogramSnapshot::default().count(), 0);
    /// let pool = Pool::new(2, 8, |_, job: u32| job).unwrap();
    /// for job in 0..6 {
    ///     pool.submit(job).unwrap();
    /// }
    /// pool.wait().unwrap();
    /// let m = pool.metrics();
    /// // One recording per job, in each histogram.
    /// assert_eq!(m.run_time.count(), 6);
    /// assert_eq!(m.queue_wait.count(), 6);
    /// ```
    pub fn count(&self) -> u64 {
        self.buckets.iter().sum()
    }

    /// The mean duration (zero when empty). Exact up to the clock: it is
    /// kept as a sum, not read from the buckets.
    ///
    /// ```
    /// use ringpool::{HistogramSnapshot, Pool};
    /// use std::time::Duration;
    ///
    /// assert_eq!(HistogramSnapshot::default().mean(), Duration::ZERO);
    /// let pool = Pool::new(1, 4, |_, ms: u64| std::thread::sleep(Duration::from_millis(ms)))
    ///     .unwrap();
    /// pool.submit(2).unwrap();
    /// pool.submit(4).unwrap();
    /// pool.wait().unwrap();
    /// let mean = pool.metrics().run_time.mean();
    /// // At least the 3 ms slept on average (less a little clock calibration
    /// // error); how much more depends on the scheduler.
    /// assert!(mean >= Duration::from_micros(2_900));
    /// ```
    pub fn mean(&self) -> Duration {
        match self.count() {
            0 => Duration::ZERO,
            n => Duration::from_nanos(self.sum_nanos / n),
        }
    }

    /// The duration below which a fraction `q` (0.0..=1.0) of recordings
    /// fall, as the upper edge of its bucket (at most 25% above the truth).
    /// Zero when empty.
    ///
    /// ```
    /// use ringpool::{HistogramSnapshot, Pool};
    /// use std::time::Duration;
    ///
    /// assert_eq!(HistogramSnapshot::default().quantile(0.5), Duration::ZERO);
    /// let pool = Pool::new(1, 8, |_, ms: u64| std::thread::sleep(Duration::from_millis(ms)))
    ///     .unwrap();
    /// for ms in [0, 0, 0, 2] {
    ///     pool.submit(ms).unwrap();
    /// }
    /// pool.wait().unwrap();
    /// let run = pool.metrics().run_time;
    /// // One of the four jobs slept 2 ms: the top recording is at least that
    /// // (less a little clock error).
    /// assert!(run.quantile(1.0) >= Duration::from_micros(1_900));
    /// // Quantiles never decrease with q.
    /// assert!(run.quantile(0.25) <= run.quantile(0.75));
    /// assert!(run.quantile(0.75) <= run.quantile(1.0));
    /// // q is clamped into 0.0..=1.0.
    /// assert_eq!(run.quantile(7.0), run.quantile(1.0));
    /// ```
    pub fn quantile(&self, q: f64) -> Duration {
        let total = self.count();
        if total == 0 {
            return Duration::ZERO;
        }
        let rank = ((q.clamp(0.0, 1.0) * total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (bucket, &count) in self.buckets.iter().enumerate() {
            seen += count;
            if seen >= rank {
                return Duration::from_nanos(bucket_upper(bucket));
            }
        }
        Duration::from_nanos(u64::MAX)
    }

    /// The median: `quantile(0.5)`.
    ///
    /// ```
    /// use ringpool::Pool;
    /// use std::time::Duration;
    ///
    /// let pool = Pool::new(1, 8, |_, ms: u64| std::thread::sleep(Duration::from_millis(ms)))
    ///     .unwrap();
    /// for _ in 0..3 {
    ///     pool.submit(1).unwrap();
    /// }
    /// pool.wait().unwrap();
    /// let run = pool.metrics().run_time;
    /// assert_eq!(run.p50(), run.quantile(0.5));
    /// // Every job slept 1 ms, so the median did too (less clock error).
    /// assert!(run.p50() >= Duration::from_micros(950));
    /// ```
    pub fn p50(&self) -> Duration {
        self.quantile(0.50)
    }

    /// The 90th percentile: `quantile(0.9)`.
    ///
    /// ```
    /// use ringpool::Pool;
    ///
    /// let pool = Pool::new(2, 16, |_, job: u64| job * 3).unwrap();
    /// for job in 0..10 {
    ///     pool.submit(job).unwrap();
    /// }
    /// pool.wait().unwrap();
    /// let wait = pool.metrics().queue_wait;
    /// assert_eq!(wait.p90(), wait.quantile(0.9));
    /// assert!(wait.p50() <= wait.p90() && wait.p90() <= wait.p99());
    /// ```
    pub fn p90(&self) -> Duration {
        self.quantile(0.90)
    }

    /// The 99th percentile: `quantile(0.99)`.
    ///
    /// ```
    /// use ringpool::Pool;
    /// use std::time::Duration;
    ///
    /// let pool = Pool::new(1, 8, |_, ms: u64| std::thread::sleep(Duration::from_millis(ms)))
    ///     .unwrap();
    /// pool.submit(2).unwrap();
    /// pool.wait().unwrap();
    /// let run = pool.metrics().run_time;
    /// assert_eq!(run.p99(), run.quantile(0.99));
    /// // With one recording, every quantile is its bucket's upper edge:
    /// // never below the 2 ms slept (less clock error).
    /// assert_eq!(run.p99(), run.p50());
    /// assert!(run.p99() >= Duration::from_micros(1_900));
    /// ```
    pub fn p99(&self) -> Duration {
        self.quantile(0.99)
    }

    /// The upper edge of the highest non-empty bucket: `quantile(1.0)`, at
    /// most 25% above the longest recording.
    ///
    /// ```
    /// use ringpool::{HistogramSnapshot, Pool};
    /// use std::time::Duration;
    ///
    /// assert_eq!(HistogramSnapshot::default().max(), Duration::ZERO);
    /// let pool = Pool::new(2, 8, |_, ms: u64| std::thread::sleep(Duration::from_millis(ms)))
    ///     .unwrap();
    /// for ms in [0, 1, 3] {
    ///     pool.submit(ms).unwrap();
    /// }
    /// pool.wait().unwrap();
    /// let run = pool.metrics().run_time;
    /// assert_eq!(run.max(), run.quantile(1.0));
    /// assert!(run.max() >= Duration::from_micros(2_900));
    /// assert!(run.p50() <= run.max());
    /// ```
    pub fn max(&self) -> Duration {
        self.quantile(1.0)
    }
}

impl std::fmt::Debug for HistogramSnapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HistogramSnapshot")
            .field("count", &self.count())
            .field("mean", &self.mean())
            .field("p50", &self.p50())
            .field("p90", &self.p90())
            .field("p99", &self.p99())
            .field("max", &self.max())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_ordered_and_tight() {
        let mut last = 0;
        for value in (0..20_000u64).chain([u64::MAX / 3, u64::MAX - 1, u64::MAX]) {
            let bucket = bucket_of(value);
            assert!(bucket < BUCKETS);
            assert!(bucket >= last || value > 20_000, "bucket order at {value}");
            last = bucket;
            let upper = bucket_upper(bucket);
            assert!(upper >= value, "{value} above its bucket's edge {upper}");
            // Within 25% (plus the linear range).
            assert!(
                upper - value <= value / 4 + 1,
                "{value}: edge {upper} too loose"
            );
            if bucket > 0 {
                assert!(
                    bucket_upper(bucket - 1) < value,
                    "{value} in too high a bucket"
                );
            }
        }
    }

    #[test]
    fn quantiles_of_known_data() {
        let h = Histogram::new();
        for micros in 1..=100 {
            h.record(Duration::from_micros(micros));
        }
        let mut s = HistogramSnapshot::default();
        h.add_to(&mut s);
        assert_eq!(s.count(), 100);
        let p50 = s.p50().as_nanos() as f64;
        assert!((50_000.0..=50_000.0 * 1.25).contains(&p50), "p50 {p50}");
        let p99 = s.p99().as_nanos() as f64;
        assert!((99_000.0..=99_000.0 * 1.25).contains(&p99), "p99 {p99}");
        assert_eq!(s.mean(), Duration::from_nanos(50_500));
        assert_eq!(HistogramSnapshot::default().p99(), Duration::ZERO);
    }
}
