//! The helping wait over the std pool's real code (`std-pool/src/lend.rs`,
//! `help.rs` and the worker loop): a thread blocked in `recv` or `wait`
//! borrows a parked worker's slot, runs one turn of the worker's loop
//! under it and gives it back. Checked over every interleaving (with a
//! small preemption bound): each job runs once, under worker id 1 of a
//! one-worker pool, never while another handler runs under the same slot;
//! a worker that wakes while its slot is lent gets it back (else Drop's
//! join would block for ever, which loom reports as a deadlock).
//!
//! Deliberate bugs these models caught (each put in, seen failing, taken
//! out; see `/work/notes/wt-help.md` and the README's helping section):
//! * `Lending::reclaim` storing RUNNING without looking for a borrow (the
//!   worker takes its slot back while a helper runs under it):
//!   `two_jobs_never_two_handlers_under_one_slot` fails (two handlers at
//!   once under worker id 1).
//! * `Lending::give_back` not notifying `returned` when the worker wants
//!   its slot: `a_receiver_helps_as_the_parked_worker` deadlocks (the
//!   worker never wakes, Drop's join never ends).
//! * `Lending::borrow` also taking a RUNNING slot: every model but the
//!   spinning one fails (deadlock).
//!
//! `a_waking_worker_spins_for_its_slot` covers the spin before a hand-over
//! with the real code; a waking worker that skips its CAS after the spin
//! (returning with its slot still lendable) is *not* caught at this
//! preemption bound: the overlap it allows needs three preemptions.
#![cfg(loom)]

use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::thread;
use ringpool_loom_tests::pool::{RunLog, check_bounded, tiny};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// Counts the handlers running under worker id 1 (a loom atomic, so a
/// switch can fall between a handler's start and end) and remembers any
/// overlap. The handler's own panics are caught by the pool, so the model
/// asserts on the flag afterwards.
struct OneSlot {
    active: AtomicUsize,
    overlap: AtomicBool,
    wrong_id: AtomicBool,
    /// Runs on a thread that is not a worker (a helper), over all of a
    /// model's interleavings: the model reaches the borrow.
    helped: Arc<std::sync::atomic::AtomicUsize>,
}

impl OneSlot {
    fn new(helped: &Arc<std::sync::atomic::AtomicUsize>) -> Arc<Self> {
        Arc::new(Self {
            active: AtomicUsize::new(0),
            overlap: AtomicBool::new(false),
            wrong_id: AtomicBool::new(false),
            helped: Arc::clone(helped),
        })
    }

    fn run(&self, worker_id: usize, log: &RunLog, job: usize) {
        if worker_id != 1 {
            self.wrong_id
                .store(true, std::sync::atomic::Ordering::SeqCst);
        }
        if self.active.fetch_add(1, Ordering::SeqCst) != 0 {
            self.overlap
                .store(true, std::sync::atomic::Ordering::SeqCst);
        }
        log.ran(job);
        if loom::thread::current()
            .name()
            .is_none_or(|name| !name.starts_with("model"))
        {
            self.helped
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        self.active.fetch_sub(1, Ordering::SeqCst);
    }

    fn assert_clean(&self) {
        let seq = std::sync::atomic::Ordering::SeqCst;
        assert!(
            !self.overlap.load(seq),
            "two handlers at once under one slot"
        );
        assert!(!self.wrong_id.load(seq), "a worker id outside 1..=1");
    }
}

/// One worker, one job, a receiver that helps: the job runs once, as
/// worker 1, whether the worker or the receiver runs it; the worker gets
/// its slot back (Drop joins it).
#[test]
fn a_receiver_helps_as_the_parked_worker() {
    let helped = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = Arc::clone(&helped);
    check_bounded(1, move || {
        let log = RunLog::new(1);
        let slot = OneSlot::new(&counted);
        let (ran, watch) = (Arc::clone(&log), Arc::clone(&slot));
        let pool = tiny(1, 1, 1)
            .helping(true)
            .build(move |ctx, job: usize| watch.run(ctx.worker_id, &ran, job))
            .unwrap();
        let results = pool.results().unwrap();
        let pool = Arc::new(pool);
        let helper = {
            let pool = Arc::clone(&pool);
            thread::spawn(move || {
                pool.submit(0).unwrap();
                assert_eq!(results.recv().unwrap().worker_id, 1);
            })
        };
        helper.join().unwrap();
        drop(pool);
        assert_eq!(log.runs(0), 1);
        slot.assert_clean();
    });
    assert!(
        helped.load(std::sync::atomic::Ordering::SeqCst) > 0,
        "no run was helped"
    );
}

/// One worker, two jobs in a queue of 2, a receiver that helps for both:
/// never two handlers at once under the one slot, each job once.
#[test]
fn two_jobs_never_two_handlers_under_one_slot() {
    let helped = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = Arc::clone(&helped);
    check_bounded(1, move || {
        let log = RunLog::new(2);
        let slot = OneSlot::new(&counted);
        let (ran, watch) = (Arc::clone(&log), Arc::clone(&slot));
        let pool = tiny(1, 2, 2)
            .helping(true)
            .build(move |ctx, job: usize| watch.run(ctx.worker_id, &ran, job))
            .unwrap();
        let results = pool.results().unwrap();
        // The helper is a thread of its own: while the model's main thread
        // waits for it, loom may run the worker into its park first
        // without spending a preemption.
        let pool = Arc::new(pool);
        let helper = {
            let pool = Arc::clone(&pool);
            thread::spawn(move || {
                pool.submit(0).unwrap();
                pool.submit(1).unwrap();
                assert_eq!(results.recv().unwrap().worker_id, 1);
                assert_eq!(results.recv().unwrap().worker_id, 1);
            })
        };
        helper.join().unwrap();
        drop(pool);
        assert_eq!((log.runs(0), log.runs(1)), (1, 1));
        slot.assert_clean();
    });
    assert!(
        helped.load(std::sync::atomic::Ordering::SeqCst) > 0,
        "no run was helped"
    );
}

/// A waiter that helps while another thread closes the pool: the job runs
/// once, `wait` returns, the closed pool's worker leaves (Drop joins it).
#[test]
fn wait_helps_while_the_pool_closes() {
    let helped = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = Arc::clone(&helped);
    check_bounded(1, move || {
        let log = RunLog::new(1);
        let slot = OneSlot::new(&counted);
        let (ran, watch) = (Arc::clone(&log), Arc::clone(&slot));
        let pool = Arc::new(
            tiny(1, 1, 1)
                .helping(true)
                .discard_results()
                .build(move |ctx, job: usize| watch.run(ctx.worker_id, &ran, job))
                .unwrap(),
        );
        let helper = {
            let pool = Arc::clone(&pool);
            thread::spawn(move || {
                let accepted = pool.submit(0).is_ok();
                pool.wait().unwrap();
                accepted
            })
        };
        let closer = {
            let pool = Arc::clone(&pool);
            thread::spawn(move || pool.close())
        };
        let accepted = helper.join().unwrap();
        closer.join().unwrap();
        assert_eq!(log.runs(0), usize::from(accepted));
        drop(pool);
        slot.assert_clean();
    });
    assert!(
        helped.load(std::sync::atomic::Ordering::SeqCst) > 0,
        "no run was helped"
    );
}

/// Two workers resized down to one while a receiver helps: the job runs
/// once with an id in 1..=2, never under a slot that another handler
/// holds, and the surplus worker retires only with its slot back (else
/// Drop's join would block).
#[test]
fn helping_while_resized_down() {
    check_bounded(1, || {
        let log = RunLog::new(1);
        let ran = Arc::clone(&log);
        let ids = Arc::new([AtomicUsize::new(0), AtomicUsize::new(0)]);
        let overlap = Arc::new(AtomicBool::new(false));
        let (held, seen) = (Arc::clone(&ids), Arc::clone(&overlap));
        let pool = Arc::new(
            tiny(2, 1, 1)
                .helping(true)
                .build(move |ctx, job: usize| {
                    let slot = &held[ctx.worker_id - 1];
                    if slot.fetch_add(1, Ordering::SeqCst) != 0 {
                        seen.store(true, std::sync::atomic::Ordering::SeqCst);
                    }
                    ran.ran(job);
                    slot.fetch_sub(1, Ordering::SeqCst);
                })
                .unwrap(),
        );
        let results = pool.results().unwrap();
        let helper = {
            let pool = Arc::clone(&pool);
            thread::spawn(move || {
                pool.submit(0).unwrap();
                results.recv().unwrap().worker_id
            })
        };
        pool.resize(1).unwrap();
        let id = helper.join().unwrap();
        assert!((1..=2).contains(&id));
        drop(pool);
        assert_eq!(log.runs(0), 1);
        assert!(!overlap.load(std::sync::atomic::Ordering::SeqCst));
    });
}

/// One worker, three jobs in a queue of 3, one spin round before parking,
/// a receiver that helps for each: a waking worker that finds its slot
/// lent spins for the plain give-back before it asks for a hand-over
/// (`Lending::reclaim`), and must still take the slot back with a CAS
/// (a later borrow may come first): never two handlers under one slot.
#[test]
fn a_waking_worker_spins_for_its_slot() {
    let helped = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = Arc::clone(&helped);
    check_bounded(1, move || {
        let log = RunLog::new(3);
        let slot = OneSlot::new(&counted);
        let (ran, watch) = (Arc::clone(&log), Arc::clone(&slot));
        let pool = Arc::new(
            tiny(1, 3, 3)
                .spin_before_park(1)
                .helping(true)
                .build(move |ctx, job: usize| watch.run(ctx.worker_id, &ran, job))
                .unwrap(),
        );
        let results = pool.results().unwrap();
        let helper = {
            let pool = Arc::clone(&pool);
            thread::spawn(move || {
                for job in 0..3 {
                    pool.submit(job).unwrap();
                }
                for _ in 0..3 {
                    assert_eq!(results.recv().unwrap().worker_id, 1);
                }
            })
        };
        helper.join().unwrap();
        drop(pool);
        assert_eq!((log.runs(0), log.runs(1), log.runs(2)), (1, 1, 1));
        slot.assert_clean();
    });
    assert!(
        helped.load(std::sync::atomic::Ordering::SeqCst) > 0,
        "no run was helped"
    );
}
