//! # Footprint images
//!
//! One minimal Cortex-M3 image per queue, built with one cargo feature:
//!
//! * `ringpool`: a `static` `ringpool_core::Ring<u32, 16>`;
//! * `lfqueue`: a `static` `lfqueue::ConstBoundedQueue<u32, 32>` (lfqueue
//!   0.8's bounded SCQ; its `N` counts index-ring entries, twice the
//!   capacity, so this holds 16 items). Its constructor `new_const` is not a
//!   `const fn`, so the static is zero-filled storage written once at start;
//! * `pool`: a `static` `ringpool_core::pool::Pool<u32, u32, 16, 16>`;
//! * no feature: the baseline, the same loop with no queue.
//!
//! Each image pushes 16 values and pops them back, `ROUNDS` times, checks
//! the sum, prints it and exits through semihosting (0 when right), so every
//! image is also run once under QEMU. `footprint.sh` in
//! `examples/qemu-cortex-m` builds the four and reports each queue's image
//! minus the baseline.
#![no_std]
#![no_main]

use core::hint::black_box;

use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};
use panic_semihosting as _;

/// Items per round: the queues' capacity.
const ITEMS: u32 = 16;

#[cfg(feature = "ringpool")]
mod queue {
    use ringpool_core::Ring;

    /// The queue under measurement.
    pub static QUEUE: Ring<u32, 16> = Ring::new();

    pub fn init() {}

    pub fn push(x: u32) -> bool {
        QUEUE.push(x).is_ok()
    }

    pub fn pop() -> Option<u32> {
        QUEUE.pop().ok()
    }
}

#[cfg(feature = "pool")]
mod queue {
    use ringpool_core::pool::{JobContext, Pool};

    fn identity(_: JobContext, x: u32) -> u32 {
        x
    }

    /// The pool under measurement.
    pub static QUEUE: Pool<u32, u32, 16, 16> = Pool::new(identity);

    pub fn init() {}

    pub fn push(x: u32) -> bool {
        QUEUE.try_submit(x).is_ok()
    }

    /// Runs the next job and receives its result.
    pub fn pop() -> Option<u32> {
        QUEUE.run_one(1).ok()?;
        QUEUE.recv().ok().map(|r| r.outcome)
    }
}

#[cfg(feature = "lfqueue")]
mod queue {
    use core::cell::UnsafeCell;
    use core::mem::MaybeUninit;
    use lfqueue::ConstBoundedQueue;

    /// 16 items: lfqueue's `N` counts twice the capacity.
    type Queue = ConstBoundedQueue<u32, 32>;

    /// Storage for the queue, written once by `init` before any use.
    pub struct Slot(UnsafeCell<MaybeUninit<Queue>>);

    // SAFETY: written only by `init`, before any other access, on the one
    // core; afterwards only shared references to the (Sync) queue exist.
    unsafe impl Sync for Slot {}

    /// The queue under measurement.
    pub static QUEUE: Slot = Slot(UnsafeCell::new(MaybeUninit::uninit()));

    pub fn init() {
        // SAFETY: called once at start, before `get` (see `Slot`).
        unsafe { (*QUEUE.0.get()).write(Queue::new_const()) };
    }

    fn get() -> &'static Queue {
        // SAFETY: `init` ran first (the `main` below calls it before any
        // push or pop), so the queue is initialised.
        unsafe { (*QUEUE.0.get()).assume_init_ref() }
    }

    pub fn push(x: u32) -> bool {
        get().enqueue(x).is_ok()
    }

    pub fn pop() -> Option<u32> {
        get().dequeue()
    }
}

#[cfg(not(any(feature = "ringpool", feature = "pool", feature = "lfqueue")))]
mod queue {
    use core::sync::atomic::{AtomicU32, Ordering};

    /// The baseline: one word, no queue.
    static LAST: AtomicU32 = AtomicU32::new(0);
    static LEFT: AtomicU32 = AtomicU32::new(0);

    pub fn init() {}

    pub fn push(x: u32) -> bool {
        LAST.store(x, Ordering::Relaxed);
        LEFT.fetch_add(1, Ordering::Relaxed);
        true
    }

    pub fn pop() -> Option<u32> {
        if LEFT.load(Ordering::Relaxed) == 0 {
            return None;
        }
        LEFT.fetch_sub(1, Ordering::Relaxed);
        Some(LAST.load(Ordering::Relaxed))
    }
}

#[entry]
fn main() -> ! {
    queue::init();
    let rounds = black_box(100);
    let (mut sum, mut want) = (0u32, 0u32);
    for round in 0..rounds {
        for i in 0..ITEMS {
            let x = black_box(round * ITEMS + i);
            if !queue::push(x) {
                hprintln!("push {} refused", x);
                debug::exit(debug::EXIT_FAILURE);
            }
            want = want.wrapping_add(x);
        }
        let mut popped = 0;
        while let Some(x) = queue::pop() {
            sum = sum.wrapping_add(x);
            popped += 1;
        }
        if popped != ITEMS {
            hprintln!("round {}: popped {} of {}", round, popped, ITEMS);
            debug::exit(debug::EXIT_FAILURE);
        }
    }
    let exact = cfg!(any(
        feature = "ringpool",
        feature = "pool",
        feature = "lfqueue"
    ));
    hprintln!("sum {} (want {})", sum, want);
    debug::exit(if sum == want || !exact {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    loop {
        cortex_m::asm::wfi();
    }
}
