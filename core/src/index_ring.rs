//! SCQ: the lock-free ring of slot indices that both halves of [`Ring`]
//! are made of.
//!
//! The algorithm is Nikolaev's Scalable Circular Queue (R. Nikolaev, "A
//! Scalable, Portable, and Memory-Efficient Lock-Free FIFO Queue", DISC 2019,
//! Figure 8), written here from the paper. An `IndexRing` stores small
//! integers (slot indices `< size / 2`) in an array of `size` entries, `size`
//! a power of two. It never holds more than `size / 2` indices, which is what
//! lets an enqueue always find a usable entry and makes the queue lock-free
//! with single-word compare-and-swap only.
//!
//! # Entries and tickets
//!
//! `head` and `tail` are free-running ticket counters advanced with
//! fetch-add, in steps of two: counter value `2t` is ticket `t`, and bit 0
//! of `tail` is the ring's closed bit (see `close` below). Ticket `t`
//! addresses entry `t mod size` in lap ("cycle") `t / size`. Each entry is
//! one word:
//!
//! ```text
//!   | cycle (word bits - order - 1) | safe (1) | index (order bits) |
//! ```
//!
//! `order = log2(size)`. An index field of all ones ([`EMPTY`]) means no
//! index. The `safe` bit is cleared by a dequeuer that skipped the entry while
//! it still held an index of an older cycle; an enqueuer may reuse an unsafe
//! entry only if no dequeuer can be waiting on it (`head <= ticket`).
//!
//! Cycles are compared the way the paper does it without a wide word: the
//! ticket is shifted left by one and the low `order + 1` bits of both sides
//! are set (`cycle_of_ticket`, `cycle_of_entry`), then the two words are
//! compared by the sign of their wrapping difference.
//!
//! # Operations
//!
//! * **enqueue(i)**: take a ticket `t` from `tail`; if the fetch-add
//!   returned the closed bit, fail (placing nothing; give the ticket back if
//!   `tail` has not moved since, so `len` does not count it). If the entry is of an
//!   older cycle, empty, and safe (or unsafe with `head <= t`), compare-and-
//!   swap `{cycle(t), safe, i}` into it and reset `threshold` to `3n - 1`.
//!   Otherwise take the next ticket. **Linearization point**: the successful
//!   compare-and-swap.
//!   **Fast path** (ours): the compare-and-swap is tried first, with no
//!   load before it, against the one value a usable entry almost always
//!   holds: empty, safe, exactly one lap older than the ticket (what the
//!   previous lap's consumer, or a dequeuer that burnt that ticket, left
//!   there). That value satisfies the rule above, so the shortcut only
//!   skips the test; any other value falls back to the full rule, out of
//!   line. It saves a load, and on a contended line a shared read followed
//!   by an upgrade.
//! * **dequeue**: if `threshold < 0` the ring is empty. Otherwise take a
//!   ticket `h` from `head`. If the entry holds an index of cycle `h`, consume
//!   it with one fetch-or that sets the index field to [`EMPTY`]
//!   (**linearization point**) and return it. Otherwise make the entry
//!   useless to a late enqueuer of ticket `h`: an empty entry of an older
//!   cycle is advanced to cycle `h`; an entry still holding an older index is
//!   marked unsafe. Then, if `tail <= h + 1`, the ring was empty when `tail`
//!   was read (**linearization point** of an empty dequeue): move `tail` up to
//!   `h + 1` ("catch-up", so later enqueuers do not land behind `head`),
//!   decrement `threshold`, and report empty. Otherwise decrement
//!   `threshold`; if it was already `<= 0` report empty, else take another
//!   ticket.
//!
//!   **Fast path** (ours): read `head` and the entry at `head` before the
//!   fetch-add (the empty check below needs both anyway). If that entry
//!   holds the index of `head`'s cycle and the fetch-add returns exactly
//!   `head`, the value read is still the entry's index: only the holder of
//!   ticket `head` consumes it, an enqueuer never overwrites an entry that
//!   holds an index, and a dequeuer of a later lap may only clear its safe
//!   bit. So it is consumed (the same fetch-or, the same linearization
//!   point) without reading the entry again; any other outcome treats the
//!   drawn ticket by the full rule, out of line.
//!
//!   The consuming fetch-or cannot be a plain store, although a store
//!   would save a locked instruction per ring and item: a dequeuer of a
//!   later lap that finds the entry still holding this lap's index clears
//!   its safe bit with a compare-and-swap, and a store of a value read
//!   before that would set the bit again. A late enqueuer of that later
//!   lap would then place its index behind a dequeuer that has already
//!   passed it, and the index would never be found. (Repairing it after the
//!   store would need a store-load fence, a locked instruction on x86
//!   again.) The reference implementation uses the same fetch-or.
//! * **empty check** (before a dequeue takes a ticket; ours, not the
//!   paper's): read `head`, then the entry at `head`; if that entry holds no
//!   index of `head`'s cycle, read `tail`, and if `tail <= head` report empty
//!   without taking a ticket. Every ticket an enqueuer has drawn is then
//!   already drawn by a dequeuer, which is exactly what the paper's empty
//!   test (`tail <= h + 1` after burning ticket `h`) establishes, so this is
//!   a **linearization point** of an empty dequeue too (at the read of
//!   `tail`). It writes nothing: an empty poll neither burns a ticket, nor
//!   moves `tail`, nor spends `threshold`, so polling an empty ring does not
//!   walk the ring and does not take cache lines from the enqueuers. A ready
//!   entry at `head` (the usual case) skips the read of `tail`.
//!
//! * **close** (ours; LSCQ's "finalize" in spirit): fetch-or the closed bit
//!   into `tail`. Every enqueue that draws its ticket afterwards fails; a
//!   batch enqueue ignores the bit (its caller registered before the close,
//!   see `ring.rs`). **dequeue_closed** is a dequeue for a closed ring that
//!   never gives up on `threshold`: it returns an index or, once `tail <=
//!   head` with the bit set, `None`, after which no index can ever be
//!   placed at a ticket not yet drawn. Catch-up keeps the bit.
//!
//! `threshold` bounds how many tickets dequeuers may burn while enqueuers
//! race them: with at most `n = size / 2` indices, an index enqueued at
//! ticket `t` is found by a dequeuer no later than `3n - 1` failed dequeue
//! tickets after it (paper, Lemma 5), so a dequeue that sees `threshold <= 0`
//! can report empty without losing anything, and empty dequeues cannot
//! livelock each other.
//!
//! # Batches
//!
//! * **enqueue_batch(i₀ … iₖ₋₁)**: one fetch-add of `k` on `tail` claims
//!   tickets `t … t+k-1`. Index `i₀` tries ticket `t` by the enqueue rule
//!   above; on success the next index tries the next ticket, on failure the
//!   *same* index tries the next ticket. When the claimed tickets run out
//!   with indices left, one more fetch-add claims as many tickets as indices
//!   are left. The indices land at increasing tickets: they enter in order,
//!   none overtakes another, and each has its own linearization point (its
//!   compare-and-swap), in order.
//! * **dequeue_batch(m)**: read `head` and `tail`; if `tail - head <= 1`,
//!   this is one plain dequeue. Otherwise one fetch-add on `head` claims
//!   `m' = min(m, tail - head)` tickets `h … h+m'-1`, and each is treated
//!   exactly as a single dequeue treats its ticket (consume, or make the
//!   entry useless to a late enqueuer). The indices found come back in
//!   ticket order: the claimed tickets are consecutive, so no other dequeuer
//!   takes a position between them, and a batch returns the oldest indices
//!   there. Each failed ticket costs `threshold` one (one fetch-sub of the
//!   count), `tail` is caught up if the batch overtook it, and a batch that
//!   found nothing continues as a plain dequeue.
//!
//! **The threshold argument with batches.** Lemma 5 counts tickets, not
//! calls; what it needs of the operations is (a) the ring never holds more
//! than `n` indices, (b) an enqueuer gives up a ticket only when its entry
//! is occupied or a dequeuer has already passed it, and never holds more
//! drawn-but-untried tickets than indices it has yet to place (a single
//! enqueuer holds one index and one ticket), and (c) every failed dequeue
//! ticket decrements `threshold` once. A batch enqueue is `k` enqueuers
//! drawing consecutive tickets; it skips a ticket only by rule (b); and its
//! claimed-but-untried tickets never exceed the indices still in its hand,
//! since a failure consumes a ticket but not an index. (a) holds because
//! indices are distinct slot numbers. A batch dequeue is `m'` dequeuers
//! drawing consecutive tickets, each failure is counted (c), and `m'` is
//! capped by the `tail - head` it saw, so it burns no more tickets past the
//! tail than the single dequeuers racing it would. So the bound and the
//! threshold `3n - 1` carry over unchanged; the read-only empty check burns
//! no ticket and so does not enter the count at all.
//!
//! A batch enqueue resets `threshold` once, after its last compare-and-swap,
//! not after each. The reset only has to follow the compare-and-swap it
//! covers (the paper's single enqueue resets after its own), so that a
//! dequeuer that reads a negative threshold has read it before some reset
//! that follows every index placed before it; delaying the reset of index
//! `j` until after index `k - 1` keeps that order. What it widens is the
//! window a single enqueue also has between its compare-and-swap and its
//! reset, by the batch's own remaining attempts (at most `MAX_BATCH`
//! entries, no waiting): a dequeuer that runs the threshold out in that
//! window reports empty, exactly as it could against a single enqueuer
//! paused at that point, and the reset that follows restores the budget.
//!
//! # Layout
//!
//! Ticket `t` uses entry `t mod size`: consecutive tickets share a cache
//! line (8 entries of 8 bytes on 64-bit targets). The paper's `cache_remap`
//! spreads consecutive tickets over different lines so that concurrent
//! single operations do not share one; it also makes a batch of 8 touch 8
//! lines instead of 1, and every item touch a fresh line per ring once the
//! ring outgrows L1 (cachegrind, fill-and-drain at capacity 65 536: 3.7 D1
//! misses per item with the remap, 0.66 without; 11% fewer instructions
//! per push and pop). Machines with many cores contending on one ring may
//! want the remap back for single items (one function, `Shape::position`);
//! the 2-core development machine could not show its benefit.
//!
//! # Progress
//!
//! No step waits for another thread: a failed compare-and-swap means another
//! operation changed the entry (and made progress), and every retry takes a
//! fresh ticket. A thread stalled at any point inside `enqueue` or `dequeue`
//! (preempted, or interrupted by a handler that uses the same ring) leaves
//! only its own ticket's entry behind: later tickets use other entries and
//! complete. This is the property Vyukov's bounded queue lacks.
//!
//! # ABA margin
//!
//! Tickets are compared by the sign of a wrapping difference of `ticket << 1`,
//! so comparisons are exact while no two live tickets are more than
//! `2^(W-2)` apart (`W` = pointer width): `2^30` (about 1.07 billion)
//! operations on one ring while a thread is stalled inside an operation on a
//! 32-bit target, `2^62` on a 64-bit one. `head`/`tail` comparisons (`head <=
//! t`, `tail <= h + 1`) use the sign of the full-width difference of the
//! counters (twice the tickets), margin `2^(W-2)` tickets too. The
//! free-running counters themselves may wrap: `size` divides `2^(W-1)`, so
//! `t mod size` and the cycle stay consistent across the wrap, and the
//! closed bit is never carried into. A
//! batch claims at most [`MAX_BATCH`](crate::MAX_BATCH) tickets at once,
//! which does not change these margins.
//!
//! [`Ring`]: crate::Ring

use crate::sync::{AtomicIsize, AtomicUsize, Ordering, store_isize};
use crossbeam_utils::CachePadded;

/// Index field value meaning "no index" (all ones, relative to the ring's
/// index mask). `EMPTY & mask` is what consumption leaves behind.
pub(crate) const EMPTY: usize = usize::MAX;

/// `tail` bit 0: the ring is closed to single enqueues (set by
/// [`IndexRing::close`]; only the used ring of a `Ring` is ever closed).
const CLOSED_BIT: usize = 1;

/// `head` and `tail` count tickets in steps of two, so that bit 0 of `tail`
/// can carry [`CLOSED_BIT`]: counter value `raw` is ticket `raw >> 1`.
const STEP: usize = 2;

/// Which way a wrapping difference points: `a < b` in ticket order.
#[inline]
fn before(a: usize, b: usize) -> bool {
    (a.wrapping_sub(b) as isize) < 0
}

/// One word of an index ring, kept in the ring's storage.
///
/// Storage providers create these with [`Entry::new`]; only the ring reads
/// or writes them. See [`Storage`](crate::Storage) for how many a ring needs.
#[derive(Debug)]
#[repr(transparent)]
pub struct Entry(pub(crate) AtomicUsize);

impl Entry {
    crate::sync::const_if_not_loom! {
        /// A fresh entry, as every entry of a ring's storage must start.
        pub fn new() -> Self {
            Self(AtomicUsize::new(Shape::initial_entry()))
        }
    }

    /// An entry holding a given word (const ring construction only).
    #[cfg(not(loom))]
    pub(crate) const fn holding(word: usize) -> Self {
        Self(AtomicUsize::new(word))
    }

    /// Overwrites the entry (ring construction only).
    pub(crate) fn set(&self, word: usize) {
        self.0.store(word, Ordering::Relaxed);
    }
}

impl Default for Entry {
    fn default() -> Self {
        Self::new()
    }
}

/// The index ring's shared counters; its entries live in the ring's storage
/// and are passed to every call.
#[derive(Debug)]
pub(crate) struct IndexRing {
    head: CachePadded<AtomicUsize>,
    tail: CachePadded<AtomicUsize>,
    threshold: CachePadded<AtomicIsize>,
}

/// Geometry shared by both index rings of a `Ring`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shape {
    /// `size - 1`: the index field's mask. Kept instead of `log2(size)` so
    /// that every mask below is one or two cheap operations away (no
    /// variable shift on the hot path).
    mask: usize,
}

impl Shape {
    /// The shape for a ring of `size` entries (`size` a power of two >= 2).
    pub(crate) const fn new(size: usize) -> Self {
        Self { mask: size - 1 }
    }

    #[inline]
    pub(crate) const fn size(self) -> usize {
        self.mask + 1
    }

    #[inline]
    const fn index_mask(self) -> usize {
        self.mask
    }

    #[inline]
    const fn safe_bit(self) -> usize {
        self.size()
    }

    /// Index bits and the safe bit: everything below the cycle.
    #[inline]
    const fn low_bits(self) -> usize {
        (self.mask << 1) | 1
    }

    /// The most indices the ring may hold at once.
    #[inline]
    const fn half(self) -> usize {
        self.size() >> 1
    }

    /// `3n - 1`, the dequeue budget after an enqueue (paper, §5.2).
    #[inline]
    const fn threshold(self) -> isize {
        (3 * self.half()) as isize - 1
    }

    #[inline]
    const fn cycle_of_ticket(self, ticket: usize) -> usize {
        (ticket << 1) | self.low_bits()
    }

    #[inline]
    fn cycle_of_entry(self, entry: usize) -> usize {
        entry | self.low_bits()
    }

    /// Entry position of a ticket: its low `order` bits. Consecutive
    /// tickets share a cache line (no `cache_remap`, see the module docs).
    #[inline]
    pub(crate) const fn position(self, ticket: usize) -> usize {
        ticket & self.index_mask()
    }

    /// Whether `entry` holds an index of `ticket`'s cycle (a dequeuer of
    /// `ticket` would consume it).
    #[inline]
    fn ready(self, entry: usize, ticket: usize) -> bool {
        self.cycle_of_entry(entry) == self.cycle_of_ticket(ticket)
            && entry & self.index_mask() != self.index_mask()
    }

    /// The word of an entry that holds `index` in the cycle of `ticket`.
    #[inline]
    pub(crate) const fn entry_for(self, ticket: usize, index: usize) -> usize {
        (self.cycle_of_ticket(ticket) & !self.index_mask()) | index
    }

    /// The initial word of every entry: cycle "-1", safe, empty.
    pub(crate) const fn initial_entry() -> usize {
        EMPTY
    }
}

impl IndexRing {
    crate::sync::const_if_not_loom! {
        /// An index ring whose tickets start at `head`/`tail` with the given
        /// threshold; see [`IndexRing::empty`] and [`IndexRing::filled`].
        fn with_counters(head: usize, tail: usize, threshold: isize) -> Self {
            Self {
                head: CachePadded::new(AtomicUsize::new(head.wrapping_mul(STEP))),
                tail: CachePadded::new(AtomicUsize::new(tail.wrapping_mul(STEP))),
                threshold: CachePadded::new(AtomicIsize::new(threshold)),
            }
        }
    }

    crate::sync::const_if_not_loom! {
        /// An empty ring. Its entries must hold [`Shape::initial_entry`].
        pub(crate) fn empty() -> Self {
            Self::with_counters(0, 0, -1)
        }
    }

    crate::sync::const_if_not_loom! {
        /// A ring holding indices `0..count` in order. Entry `position(i)`
        /// must hold `shape.entry_for(i, i)` for `i < count`, and
        /// [`Shape::initial_entry`] elsewhere.
        pub(crate) fn filled(shape: Shape, count: usize) -> Self {
            let threshold = if count == 0 { -1 } else { shape.threshold() };
            Self::with_counters(0, count, threshold)
        }
    }

    /// Appends `index` (`< shape.half()`). Never fails: the ring never holds
    /// more than `shape.half()` indices, so some ticket finds a free entry.
    // `#[inline]`: non-generic, so without it no other crate could inline the
    // hot path (measured +10% items/s at 1/1 in benches/notes).
    ///
    /// Returns `false`, placing nothing, if the ticket it drew carries the
    /// closed bit ([`close`](Self::close)).
    #[inline]
    pub(crate) fn enqueue(&self, shape: Shape, entries: &[Entry], index: usize) -> bool {
        debug_assert!(index < shape.half());
        loop {
            // Claim a ticket; its entry is ours to fill if nobody is behind.
            let raw = self.tail.fetch_add(STEP, Ordering::AcqRel);
            if raw & CLOSED_BIT != 0 {
                // Give the ticket back if nobody moved `tail` since, so that
                // `len` does not count refused pushes; a ticket that stays
                // drawn is burnt by the next dequeue like any skipped one.
                let _ = self.tail.compare_exchange(
                    raw.wrapping_add(STEP),
                    raw,
                    Ordering::AcqRel,
                    Ordering::Relaxed,
                );
                return false;
            }
            if self.try_enqueue_at(shape, entries, raw, index) {
                self.reset_threshold(shape);
                return true;
            }
        }
    }

    /// Sets the closed bit in `tail`: every later [`enqueue`](Self::enqueue)
    /// fails. Returns `true` if this call set it.
    pub(crate) fn close(&self) -> bool {
        self.tail.fetch_or(CLOSED_BIT, Ordering::AcqRel) & CLOSED_BIT == 0
    }

    /// Whether [`close`](Self::close) has been called.
    #[inline]
    pub(crate) fn is_closed(&self) -> bool {
        self.tail.load(Ordering::Acquire) & CLOSED_BIT != 0
    }

    /// Appends `indices` in order (each `< shape.half()`), claiming all
    /// their tickets with one fetch-add on `tail`.
    ///
    /// The indices go to increasing tickets, so they enter in order and no
    /// later index overtakes an earlier one. A ticket whose entry is not
    /// usable (the same test as [`enqueue`](Self::enqueue)) is skipped and
    /// the current index tries the next claimed ticket; only when the claimed
    /// tickets run out does it claim as many new ones as indices are left.
    /// So at any moment the claimed-but-untried tickets are at most the
    /// indices still in hand: the bound the threshold argument needs (see
    /// the module docs of `ring.rs`).
    #[inline]
    pub(crate) fn enqueue_batch(&self, shape: Shape, entries: &[Entry], indices: &[usize]) {
        let mut next = 0;
        while next < indices.len() {
            let left = indices.len() - next;
            // The closed bit does not stop a batch (its pusher registered
            // before the close; see `ring.rs`).
            let first = self.tail.fetch_add(left * STEP, Ordering::AcqRel) & !CLOSED_BIT;
            for offset in 0..left {
                let ticket = first.wrapping_add(offset * STEP);
                debug_assert!(indices[next] < shape.half());
                if self.try_enqueue_at(shape, entries, ticket, indices[next]) {
                    next += 1;
                }
            }
        }
        if !indices.is_empty() {
            // One reset for the whole batch, after its last compare-and-swap
            // (see "The threshold argument with batches").
            self.reset_threshold(shape);
        }
    }

    /// One enqueue attempt at a claimed `ticket`: `true` if `index` was
    /// stored there, `false` if the ticket is unusable and must be skipped.
    /// The caller resets `threshold` after success.
    ///
    /// Fast path: one compare-and-swap that expects the entry exactly as a
    /// consumer (or a dequeuer that burnt the ticket one lap earlier) leaves
    /// it: empty, safe, one lap older than the ticket, which is usable by
    /// the rule of [`enqueue`](Self::enqueue). No load first: one cache-line
    /// transfer instead of a shared read followed by an upgrade. Any other
    /// entry value goes to [`try_enqueue_seen`](Self::try_enqueue_seen), out
    /// of line, which applies the full rule.
    #[inline(always)]
    fn try_enqueue_at(&self, shape: Shape, entries: &[Entry], raw: usize, index: usize) -> bool {
        let ticket = raw >> 1;
        let slot = &entries[shape.position(ticket)].0;
        let expected = shape.cycle_of_ticket(ticket.wrapping_sub(shape.size()));
        match slot.compare_exchange_weak(
            expected,
            shape.entry_for(ticket, index),
            Ordering::AcqRel,
            Ordering::Acquire,
        ) {
            Ok(_) => true,
            Err(current) => self.try_enqueue_seen(shape, slot, raw, index, current),
        }
    }

    /// The full enqueue rule at ticket `raw` for an entry last seen holding
    /// `entry`.
    #[inline(never)]
    fn try_enqueue_seen(
        &self,
        shape: Shape,
        slot: &AtomicUsize,
        raw: usize,
        index: usize,
        mut entry: usize,
    ) -> bool {
        let ticket = raw >> 1;
        let ticket_cycle = shape.cycle_of_ticket(ticket);
        loop {
            let entry_cycle = shape.cycle_of_entry(entry);
            let usable = before(entry_cycle, ticket_cycle)
                && (entry == entry_cycle
                    || (entry == entry_cycle ^ shape.safe_bit()
                        && !before(raw, self.head.load(Ordering::Acquire))));
            if !usable {
                // An index still sits here, or a dequeuer already passed
                // this ticket: try the next one.
                return false;
            }
            match slot.compare_exchange_weak(
                entry,
                shape.entry_for(ticket, index),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return true,
                Err(current) => entry = current,
            }
        }
    }

    /// Gives dequeuers a fresh budget after an enqueue (paper: "reset
    /// threshold"); a load first, so that a steady stream of enqueues does
    /// not write the line.
    #[inline(always)]
    fn reset_threshold(&self, shape: Shape) {
        if self.threshold.load(Ordering::Acquire) != shape.threshold() {
            store_isize(&self.threshold, shape.threshold(), Ordering::Release);
        }
    }

    /// Removes and returns the oldest index, or `None` if the ring is empty.
    ///
    /// The fast path (inline): `threshold` is not negative, the entry at
    /// `head` holds the index of `head`'s cycle, and our fetch-add draws
    /// exactly that ticket; then the entry value read before the fetch-add
    /// is still the entry's index (only the holder of ticket `head` may
    /// consume it, and a dequeuer of a later lap may only clear its safe
    /// bit), so it is consumed without reading the entry again. Everything
    /// else is out of line: [`dequeue_slow`](Self::dequeue_slow) (the
    /// read-only empty check) and [`dequeue_from`](Self::dequeue_from).
    #[inline]
    pub(crate) fn dequeue(&self, shape: Shape, entries: &[Entry]) -> Option<usize> {
        // No enqueue since the last run of failed dequeues: empty.
        if self.threshold.load(Ordering::Acquire) < 0 {
            return None;
        }
        let head = self.head.load(Ordering::Acquire);
        let slot = &entries[shape.position(head >> 1)].0;
        let entry = slot.load(Ordering::Acquire);
        if !shape.ready(entry, head >> 1) {
            return self.dequeue_slow(shape, entries, head);
        }
        let raw = self.head.fetch_add(STEP, Ordering::AcqRel);
        if raw != head {
            // Another dequeuer drew `head` first: treat our own ticket.
            return self.dequeue_from(shape, entries, raw);
        }
        // Our index: consume it by emptying the index field.
        slot.fetch_or(shape.index_mask(), Ordering::AcqRel);
        Some(entry & shape.index_mask())
    }

    /// The dequeue after the entry at `head` (the value read from `head`)
    /// held no index of `head`'s cycle. First the read-only empty check:
    /// if `tail <= head`, every ticket an enqueuer ever drew has already
    /// been drawn by a dequeuer, which is what a dequeue that burnt its
    /// ticket and then saw `tail <= ticket + 1` would have concluded; report
    /// empty without burning a ticket, moving `tail`, or spending
    /// `threshold` (an empty poll writes nothing and does not walk the
    /// ring). Otherwise draw a ticket.
    #[inline(never)]
    fn dequeue_slow(&self, shape: Shape, entries: &[Entry], head: usize) -> Option<usize> {
        if !before(head, self.tail.load(Ordering::Acquire) & !CLOSED_BIT) {
            return None;
        }
        let raw = self.head.fetch_add(STEP, Ordering::AcqRel);
        self.dequeue_from(shape, entries, raw)
    }

    /// The dequeue from a drawn ticket `raw` on: its index, or the paper's
    /// failure handling (empty test, catch-up, threshold) and more tickets.
    #[inline(never)]
    fn dequeue_from(&self, shape: Shape, entries: &[Entry], mut raw: usize) -> Option<usize> {
        loop {
            if let Some(index) = self.try_dequeue_at(shape, entries, raw) {
                return Some(index);
            }
            // Nothing for this ticket. Is the ring empty?
            let tail = self.tail.load(Ordering::Acquire);
            let next = raw.wrapping_add(STEP);
            if !before(next, tail & !CLOSED_BIT) {
                self.catch_up(tail, next);
                self.threshold.fetch_sub(1, Ordering::AcqRel);
                return None;
            }
            if self.threshold.fetch_sub(1, Ordering::AcqRel) <= 0 {
                return None;
            }
            raw = self.head.fetch_add(STEP, Ordering::AcqRel);
        }
    }

    /// Removes up to `out.len()` of the oldest indices into `out`, oldest
    /// first, and returns how many; `0` only if the ring is empty (by the
    /// rules of [`dequeue`](Self::dequeue)).
    ///
    /// One fetch-add on `head` claims `m` tickets, `m` the smaller of
    /// `out.len()` and the `tail - head` seen just before, so a batch does
    /// not burn tickets past the tail it saw (a racing dequeuer may still
    /// make some of them fail). Every claimed ticket is then treated exactly
    /// as a single dequeue treats its ticket: its index is taken, or its
    /// entry is made useless to a late enqueuer. Each failed ticket costs
    /// `threshold` one, as a failed single dequeue does, and a batch that
    /// found nothing falls back to [`dequeue`](Self::dequeue), so the
    /// livelock bound and the empty rule are those of single dequeues.
    #[inline]
    pub(crate) fn dequeue_batch(
        &self,
        shape: Shape,
        entries: &[Entry],
        out: &mut [usize],
    ) -> usize {
        if out.is_empty() || self.threshold.load(Ordering::Acquire) < 0 {
            return 0;
        }
        let head = self.head.load(Ordering::Acquire);
        let tail = self.tail.load(Ordering::Acquire) & !CLOSED_BIT;
        let seen = (tail.wrapping_sub(head) as isize) >> 1;
        if seen <= 1 {
            // Nothing or one index to batch: the single path decides (and
            // reports empty exactly as it would).
            return match self.dequeue(shape, entries) {
                Some(index) => {
                    out[0] = index;
                    1
                }
                None => 0,
            };
        }
        let claim = out.len().min(seen as usize);
        let first = self.head.fetch_add(claim * STEP, Ordering::AcqRel);
        let mut found = 0;
        for offset in 0..claim {
            let raw = first.wrapping_add(offset * STEP);
            if let Some(index) = self.try_dequeue_at(shape, entries, raw) {
                out[found] = index;
                found += 1;
            }
        }
        let failed = claim - found;
        if failed > 0 {
            // As many failed tickets as single dequeues would have burnt;
            // catch `tail` up if this batch overtook it.
            let tail = self.tail.load(Ordering::Acquire);
            let end = first.wrapping_add(claim * STEP);
            if !before(end, tail & !CLOSED_BIT) {
                self.catch_up(tail, end);
            }
            self.threshold.fetch_sub(failed as isize, Ordering::AcqRel);
            if found == 0 {
                return match self.dequeue(shape, entries) {
                    Some(index) => {
                        out[0] = index;
                        1
                    }
                    None => 0,
                };
            }
        }
        found
    }

    /// One dequeue attempt at a claimed `ticket`: its index, or `None` after
    /// making the entry useless to a late enqueuer of that ticket.
    #[inline(always)]
    fn try_dequeue_at(&self, shape: Shape, entries: &[Entry], raw: usize) -> Option<usize> {
        let ticket = raw >> 1;
        let ticket_cycle = shape.cycle_of_ticket(ticket);
        let slot = &entries[shape.position(ticket)].0;
        let mut entry = slot.load(Ordering::Acquire);
        loop {
            let entry_cycle = shape.cycle_of_entry(entry);
            if entry_cycle == ticket_cycle {
                // Our index: consume it by emptying the index field.
                slot.fetch_or(shape.index_mask(), Ordering::AcqRel);
                return Some(entry & shape.index_mask());
            }
            let replacement = if entry | shape.safe_bit() != entry_cycle {
                // An index of another cycle is still here: mark it unsafe
                // so a late enqueuer of our ticket cannot reuse the entry.
                let unsafe_entry = entry & !shape.safe_bit();
                if unsafe_entry == entry {
                    return None;
                }
                unsafe_entry
            } else {
                // Empty: advance it to our cycle (keeping its safe bit),
                // so an enqueuer still holding our ticket must move on.
                ticket_cycle ^ (!entry & shape.safe_bit())
            };
            if !before(entry_cycle, ticket_cycle) {
                return None;
            }
            match slot.compare_exchange_weak(
                entry,
                replacement,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return None,
                Err(current) => entry = current,
            }
        }
    }

    /// Moves `tail` up to `head` after dequeuers overtook it, so that the
    /// next enqueue takes a ticket no dequeuer has burnt yet.
    /// `tail` is a value read from `tail` (closed bit included), which the
    /// catch-up keeps.
    fn catch_up(&self, mut tail: usize, mut head: usize) {
        while let Err(current) = self.tail.compare_exchange_weak(
            tail,
            head | (tail & CLOSED_BIT),
            Ordering::AcqRel,
            Ordering::Acquire,
        ) {
            tail = current;
            head = self.head.load(Ordering::Acquire);
            if !before(tail & !CLOSED_BIT, head) {
                break;
            }
        }
    }

    /// A dequeue of a closed ring that may not give up on `threshold`: the
    /// index, or `None` once every ticket drawn before the close has been
    /// drawn by a dequeuer (`tail <= head`, with the closed bit set in that
    /// `tail`). After `None` no index can ever be placed at a ticket not
    /// yet drawn: single enqueues after the close fail at their fetch-add,
    /// and the caller has checked that no batch is in flight. Terminates:
    /// each round draws a ticket below `tail`, and `tail` grows only by
    /// enqueue attempts, each of which then fails (lock-free).
    // Cold and out of line: it runs once per pop that ends a closed ring, and
    // inlined into every `pop` it cost flash on small targets.
    #[cold]
    #[inline(never)]
    pub(crate) fn dequeue_closed(&self, shape: Shape, entries: &[Entry]) -> Option<usize> {
        loop {
            let head = self.head.load(Ordering::Acquire);
            let tail = self.tail.load(Ordering::Acquire);
            debug_assert!(tail & CLOSED_BIT != 0);
            if !before(head, tail & !CLOSED_BIT) {
                return None;
            }
            let raw = self.head.fetch_add(STEP, Ordering::AcqRel);
            if let Some(index) = self.try_dequeue_at(shape, entries, raw) {
                return Some(index);
            }
            let tail = self.tail.load(Ordering::Acquire);
            let next = raw.wrapping_add(STEP);
            self.threshold.fetch_sub(1, Ordering::AcqRel);
            if !before(next, tail & !CLOSED_BIT) {
                self.catch_up(tail, next);
                return None;
            }
        }
    }

    /// How many indices the ring holds, exact when no operation is in flight
    /// and an estimate in `0..=shape.half()` otherwise.
    pub(crate) fn len(&self, shape: Shape) -> usize {
        let head = self.head.load(Ordering::Acquire);
        let tail = self.tail.load(Ordering::Acquire) & !CLOSED_BIT;
        let diff = (tail.wrapping_sub(head) as isize) >> 1;
        diff.clamp(0, shape.half() as isize) as usize
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn ring(size: usize) -> (Shape, IndexRing, [Entry; 64]) {
        let shape = Shape::new(size);
        let entries = core::array::from_fn(|_| Entry::new());
        (shape, IndexRing::empty(), entries)
    }

    #[test]
    fn position_is_a_bijection() {
        for order in 1..=12 {
            let shape = Shape::new(1 << order);
            let mut seen = [false; 4096];
            for t in 0..shape.size() {
                let p = shape.position(t);
                assert!(p < shape.size());
                assert!(!seen[p], "order {order}: position {p} twice");
                seen[p] = true;
            }
        }
    }

    #[test]
    fn fifo_over_many_laps() {
        let (shape, ring, entries) = ring(8);
        let entries = &entries[..8];
        for lap in 0..100 {
            for i in 0..4 {
                ring.enqueue(shape, entries, (i + lap) % 4);
            }
            for i in 0..4 {
                assert_eq!(ring.dequeue(shape, entries), Some((i + lap) % 4));
            }
            assert_eq!(ring.dequeue(shape, entries), None);
            assert_eq!(ring.len(shape), 0);
        }
    }

    #[test]
    fn tickets_survive_counter_wrap() {
        let shape = Shape::new(4);
        let start = usize::MAX - 5;
        let ring = IndexRing::with_counters(start, start, -1);
        let entries: [Entry; 4] = core::array::from_fn(|_| Entry::new());
        // Fresh entries hold cycle "-1", which is not older than tickets
        // near usize::MAX: seed them empty and safe, one lap behind `start`.
        for e in &entries {
            e.set(shape.cycle_of_ticket(start.wrapping_sub(4)));
        }
        for round in 0..20 {
            ring.enqueue(shape, &entries, round % 2);
            ring.enqueue(shape, &entries, (round + 1) % 2);
            assert_eq!(ring.dequeue(shape, &entries), Some(round % 2));
            assert_eq!(ring.dequeue(shape, &entries), Some((round + 1) % 2));
            assert_eq!(ring.dequeue(shape, &entries), None);
        }
    }
}
