//! The FFI layer called from Rust: argument checks, a round trip with
//! exact accounting, stop-now's buffer protocol, the deadlock guard, and
//! the codes C cannot provoke (panics).

use crate::*;
use ringpool::{JobError, JobResult};
use std::ffi::{CStr, c_void};
use std::ptr::{null, null_mut};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Doubles the job; fails (code 7) on multiples of 7.
unsafe extern "C" fn double(
    _user: *mut c_void,
    _ctx: ringpool_job_context,
    job: u64,
    value: *mut u64,
) -> i32 {
    // SAFETY: the library passes a writable u64.
    unsafe { value.write(job * 2) };
    if job.is_multiple_of(7) { 7 } else { 0 }
}

/// Tries to wait on its own pool (whose handle is `user`'s target) and
/// reports the status as the value.
unsafe extern "C" fn waits_on_itself(
    user: *mut c_void,
    _ctx: ringpool_job_context,
    _job: u64,
    value: *mut u64,
) -> i32 {
    // SAFETY: the test stores the live handle in the AtomicU64 at `user`
    // before submitting.
    let pool = unsafe { &*user.cast::<AtomicU64>() }.load(Ordering::Acquire) as *mut ringpool_pool;
    // SAFETY: the handle is live while its jobs run.
    let wait = unsafe { ringpool_wait(pool) };
    // SAFETY: as above.
    let destroy = unsafe { ringpool_destroy(pool) };
    // SAFETY: the library passes a writable u64.
    unsafe { value.write(((wait as u64) << 8) | destroy as u64) };
    0
}

fn create(workers: usize, capacity: usize) -> *mut ringpool_pool {
    let mut pool = null_mut();
    // SAFETY: `double` is thread-safe and ignores `user`; `pool` is writable.
    let status = unsafe { ringpool_create(workers, capacity, Some(double), null_mut(), &mut pool) };
    assert_eq!(status, ringpool_status::Ok);
    pool
}

#[test]
fn create_checks_its_arguments() {
    let mut pool = null_mut();
    // SAFETY: every pointer is NULL or a writable local.
    unsafe {
        assert_eq!(
            ringpool_create(1, 1, Some(double), null_mut(), null_mut()),
            ringpool_status::NullArgument
        );
        assert_eq!(
            ringpool_create(1, 1, None, null_mut(), &mut pool),
            ringpool_status::NullArgument
        );
        assert_eq!(
            ringpool_create(0, 1, Some(double), null_mut(), &mut pool),
            ringpool_status::ZeroWorkers
        );
        assert_eq!(
            ringpool_create(1, 0, Some(double), null_mut(), &mut pool),
            ringpool_status::ZeroCapacity
        );
        assert_eq!(
            ringpool_create(1, usize::MAX, Some(double), null_mut(), &mut pool),
            ringpool_status::CapacityTooLarge
        );
        assert!(pool.is_null());
        assert_eq!(ringpool_destroy(null_mut()), ringpool_status::Ok);
        assert_eq!(ringpool_close(null()), ringpool_status::NullArgument);
        assert_eq!(
            ringpool_submit(null(), 1, null_mut()),
            ringpool_status::NullArgument
        );
    }
}

#[test]
fn round_trip_accounts_for_every_job() {
    let pool = create(3, 8);
    let mut result = ringpool_result::from(JobResult {
        job_id: 0,
        worker_id: 0,
        outcome: Ok(handler::Done { job: 0, value: 0 }),
        queue_wait: Duration::ZERO,
        run_time: Duration::ZERO,
    });
    let (mut ok, mut failed, mut sum) = (0, 0, 0);
    // SAFETY: `pool` is live until the destroy below; out-pointers are locals.
    unsafe {
        for job in 1..=100u64 {
            let mut id = 0;
            assert_eq!(ringpool_submit(pool, job, &mut id), ringpool_status::Ok);
            assert_eq!(id, job);
            // Drain as we go (keeps the backlog inside the result ring).
            while ringpool_try_recv(pool, &mut result) == ringpool_status::Ok {
                account(&result, &mut ok, &mut failed, &mut sum);
            }
        }
        assert_eq!(ringpool_close(pool), ringpool_status::Ok);
        let mut id = 0;
        assert_eq!(ringpool_submit(pool, 1, &mut id), ringpool_status::Closed);
        assert_eq!(ringpool_wait(pool), ringpool_status::Ok);
        while ringpool_recv(pool, &mut result) == ringpool_status::Ok {
            account(&result, &mut ok, &mut failed, &mut sum);
        }
        assert_eq!(
            ringpool_try_recv(pool, &mut result),
            ringpool_status::Closed
        );
        let mut m = ringpool_metrics::default();
        assert_eq!(ringpool_metrics_snapshot(pool, &mut m), ringpool_status::Ok);
        assert_eq!(
            (m.submitted, m.succeeded, m.failed, m.rejected),
            (100, 86, 14, 1)
        );
        assert_eq!(m.run_time.count, 100);
        assert_eq!(ringpool_destroy(pool), ringpool_status::Ok);
    }
    assert_eq!((ok, failed, sum), (86, 14, (1..=100u64).sum::<u64>() * 2));
}

fn account(result: &ringpool_result, ok: &mut u64, failed: &mut u64, sum: &mut u64) {
    assert_eq!(result.job_id, result.job);
    assert!((1..=3).contains(&result.worker_id));
    *sum += result.value;
    if result.status == ringpool_status::Ok {
        *ok += 1;
    } else {
        assert_eq!(result.status, ringpool_status::JobFailed);
        assert_eq!(result.error_code, 7);
        *failed += 1;
    }
}

#[test]
fn stop_now_hands_back_in_pieces() {
    let pool = create(1, 64);
    let mut out = [ringpool_unstarted { job_id: 0, job: 0 }; 4];
    let mut written = 0;
    let mut handed_back = 0;
    // SAFETY: `pool` is live until the destroy; `out` holds 4 elements.
    unsafe {
        assert_eq!(ringpool_resize(pool, 0), ringpool_status::ZeroWorkers);
        assert_eq!(
            ringpool_resize(pool, 1_000_000),
            ringpool_status::TooManyWorkers
        );
        for job in 1..=40u64 {
            let mut id = 0;
            assert_eq!(ringpool_submit(pool, job, &mut id), ringpool_status::Ok);
        }
        assert_eq!(
            ringpool_stop_now(pool, null_mut(), 1, &mut written),
            ringpool_status::NullArgument
        );
        loop {
            let status = ringpool_stop_now(pool, out.as_mut_ptr(), out.len(), &mut written);
            for u in &out[..written] {
                assert_eq!(u.job_id, u.job);
            }
            handed_back += written as u64;
            if status == ringpool_status::Ok {
                break;
            }
            assert_eq!(status, ringpool_status::More);
        }
        assert_eq!(ringpool_resize(pool, 2), ringpool_status::Closed);
        let mut result = std::mem::zeroed::<ringpool_result>();
        let mut ran = 0;
        while ringpool_recv(pool, &mut result) == ringpool_status::Ok {
            ran += 1;
        }
        let mut m = ringpool_metrics::default();
        assert_eq!(ringpool_metrics_snapshot(pool, &mut m), ringpool_status::Ok);
        assert_eq!(m.cancelled, handed_back);
        assert_eq!(ran + handed_back, 40);
        assert_eq!(ringpool_destroy(pool), ringpool_status::Ok);
    }
}

#[test]
fn wait_and_destroy_from_the_handler_would_deadlock() {
    let slot = AtomicU64::new(0);
    let mut pool = null_mut();
    // SAFETY: `slot` outlives the pool (destroyed below); `pool` is writable.
    unsafe {
        let user = (&raw const slot).cast_mut().cast::<c_void>();
        assert_eq!(
            ringpool_create(1, 1, Some(waits_on_itself), user, &mut pool),
            ringpool_status::Ok
        );
        slot.store(pool as u64, Ordering::Release);
        let mut id = 0;
        assert_eq!(ringpool_submit(pool, 1, &mut id), ringpool_status::Ok);
        let mut result = std::mem::zeroed::<ringpool_result>();
        assert_eq!(
            ringpool_recv_timeout(pool, 10_000, &mut result),
            ringpool_status::Ok
        );
        let expected =
            ((ringpool_status::WouldDeadlock as u64) << 8) | ringpool_status::WouldDeadlock as u64;
        assert_eq!(result.value, expected);
        assert_eq!(
            ringpool_recv_timeout(pool, 1, &mut result),
            ringpool_status::Timeout
        );
        assert_eq!(ringpool_destroy(pool), ringpool_status::Ok);
    }
}

#[test]
fn panics_become_codes() {
    assert_eq!(guard::guard(|| panic!("boom")), ringpool_status::Panic);
    let panicked: JobResult<handler::Done, handler::Failed> = JobResult {
        job_id: 5,
        worker_id: 1,
        outcome: Err(JobError::Panicked("boom".into())),
        queue_wait: Duration::from_nanos(3),
        run_time: Duration::from_nanos(4),
    };
    let result = ringpool_result::from(panicked);
    assert_eq!(
        (result.status, result.job_id, result.run_time_ns),
        (ringpool_status::JobPanicked, 5, 4)
    );
}

#[test]
fn every_status_has_a_message() {
    for (code, status) in ringpool_status::ALL.iter().enumerate() {
        assert_eq!(*status as usize, code);
        // SAFETY: ringpool_status_str returns a static C string.
        let message = unsafe { CStr::from_ptr(ringpool_status_str(code as u32)) };
        assert_eq!(message, status.message());
    }
    // SAFETY: as above.
    let unknown = unsafe { CStr::from_ptr(ringpool_status_str(999)) };
    assert_eq!(unknown, c"unknown ringpool status");
    // SAFETY: ringpool_version returns a static C string.
    let version = unsafe { CStr::from_ptr(ringpool_version()) };
    assert_eq!(version.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
}
