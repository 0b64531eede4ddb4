//! `WakerList`: the async waiters of one [`Event`](crate::event::Event),
//! in the order they registered.
//!
//! A future that must wait for a pool condition (room in the queue, a
//! result, the jobs finished) cannot sleep on the event's condvar: it
//! registers its task's [`Waker`] here and returns `Pending`. A notify of
//! the event then wakes registered wakers as it wakes sleeping threads:
//! `notify_one` the oldest waiting entry, `notify_all` every entry waiting
//! when it started.
//!
//! **Storage.** The entries live in a slab (a `Vec` of entries and a free
//! list through the vacant ones) whose waiting entries form a doubly linked
//! FIFO list by index, so registering, removing and waking the oldest are
//! O(1). The `Vec` starts with room for [`RESERVED`] entries (allocated
//! with the pool), grows to the largest number of futures waiting at once
//! and keeps that capacity: a steady state allocates nothing (a waker
//! clone is the executor's business; tokio's and `futures`' are reference
//! count increments).
//!
//! **States of an entry**, owned by one future through its [`WakerKey`]:
//! *waiting* (in the FIFO list, holding a waker), *notified* (a notify took
//! it off the list and woke its waker; the future has not looked since),
//! and *vacant*. A future that looks again re-arms its entry (notified →
//! waiting at the tail); a future that finishes or is dropped removes it,
//! and learns whether it was notified: a notified future dropped without
//! looking must pass the wake-up on (see [`crate::async_listen`]), or a
//! `notify_one` meant for some waiter would be lost with it.
//!
//! **Wakers run outside the lock.** A notify takes wakers out under the
//! lock and calls them after releasing it (up to [`WAKE_BATCH`] at a time,
//! from an array on the stack), so an executor whose `wake` runs code that
//! registers again cannot deadlock on the list.
//!
//! **The count.** `registered` (entries waiting or notified) is written
//! under the lock and read by a notifier without it, after the event's
//! `SeqCst` fence: a registration happens before the waiter's fence (see
//! the event's protocol), so a notifier whose fence comes later sees it,
//! and a notifier that reads 0 needs no lock at all. A notify with no async
//! waiter therefore costs one load here, and only when the event already
//! found a (thread) waiter; with no waiter at all, nothing.

use crate::sync::{AtomicUsize, Mutex, Ordering, lock};
use std::task::Waker;

/// How many wakers a notify takes out per lock before calling them.
pub(crate) const WAKE_BATCH: usize = 8;

/// Entries reserved when an event is made: so many futures may wait on
/// one event at once before the list allocates at all.
pub(crate) const RESERVED: usize = 4;

/// No entry (the end of a list).
const NIL: usize = usize::MAX;

/// One future's entry in a [`WakerList`]. Not `Clone`: exactly one owner,
/// which must give it back with [`WakerList::remove`].
#[derive(Debug)]
#[must_use = "a registered entry must be removed"]
pub(crate) struct WakerKey(usize);

/// The async waiters of one event; see the module docs.
#[derive(Debug, Default)]
pub(crate) struct WakerList {
    /// Entries waiting or notified (not vacant). Written under `slab`'s
    /// lock; read without it by notifiers.
    registered: AtomicUsize,
    slab: Mutex<Slab>,
}

#[derive(Debug)]
struct Slab {
    entries: Vec<Entry>,
    /// First vacant entry (linked through `Entry::Vacant`), or `NIL`.
    free: usize,
    /// Oldest and newest waiting entries, or `NIL`.
    head: usize,
    tail: usize,
    /// Entries in the waiting list.
    waiting: usize,
}

#[derive(Debug)]
enum Entry {
    Vacant {
        next_free: usize,
    },
    Waiting {
        waker: Waker,
        prev: usize,
        next: usize,
    },
    Notified,
}

impl Default for Slab {
    fn default() -> Self {
        Self {
            entries: Vec::with_capacity(RESERVED),
            free: NIL,
            head: NIL,
            tail: NIL,
            waiting: 0,
        }
    }
}

impl Slab {
    /// Appends entry `index` (vacant or notified) to the waiting list.
    fn push_back(&mut self, index: usize, waker: Waker) {
        self.entries[index] = Entry::Waiting {
            waker,
            prev: self.tail,
            next: NIL,
        };
        match self.tail {
            NIL => self.head = index,
            tail => self.set_next(tail, index),
        }
        self.tail = index;
        self.waiting += 1;
    }

    /// Takes waiting entry `index` off the list, leaving `becomes` in its
    /// place; returns its waker.
    fn unlink(&mut self, index: usize, becomes: Entry) -> Waker {
        let Entry::Waiting { waker, prev, next } =
            std::mem::replace(&mut self.entries[index], becomes)
        else {
            unreachable!("only waiting entries are linked");
        };
        match prev {
            NIL => self.head = next,
            prev => self.set_next(prev, next),
        }
        match next {
            NIL => self.tail = prev,
            next => self.set_prev(next, prev),
        }
        self.waiting -= 1;
        waker
    }

    fn set_next(&mut self, index: usize, to: usize) {
        if let Entry::Waiting { next, .. } = &mut self.entries[index] {
            *next = to;
        }
    }

    fn set_prev(&mut self, index: usize, to: usize) {
        if let Entry::Waiting { prev, .. } = &mut self.entries[index] {
            *prev = to;
        }
    }

    /// Marks the oldest waiting entry notified; returns its waker.
    fn pop_front(&mut self) -> Option<Waker> {
        match self.head {
            NIL => None,
            head => Some(self.unlink(head, Entry::Notified)),
        }
    }
}

impl WakerList {
    /// Registers a new waiting entry for `waker`, at the tail.
    pub(crate) fn register(&self, waker: &Waker) -> WakerKey {
        let mut slab = lock(&self.slab);
        let index = match slab.free {
            NIL => {
                slab.entries.push(Entry::Vacant { next_free: NIL });
                slab.entries.len() - 1
            }
            free => {
                let Entry::Vacant { next_free } = slab.entries[free] else {
                    unreachable!("the free list links vacant entries");
                };
                slab.free = next_free;
                free
            }
        };
        slab.push_back(index, waker.clone());
        self.registered.fetch_add(1, Ordering::SeqCst);
        WakerKey(index)
    }

    /// Re-arms `key`'s entry for `waker`: a notified entry goes back to the
    /// tail of the waiting list; a waiting one keeps its place, with its
    /// waker replaced if `waker` would wake another task.
    pub(crate) fn rearm(&self, key: &WakerKey, waker: &Waker) {
        let mut slab = lock(&self.slab);
        match &mut slab.entries[key.0] {
            Entry::Waiting { waker: old, .. } => {
                if !old.will_wake(waker) {
                    old.clone_from(waker);
                }
            }
            Entry::Notified => slab.push_back(key.0, waker.clone()),
            Entry::Vacant { .. } => unreachable!("a key's entry is never vacant"),
        }
    }

    /// Removes `key`'s entry; returns whether it had been notified (and not
    /// re-armed since).
    pub(crate) fn remove(&self, key: WakerKey) -> bool {
        let mut slab = lock(&self.slab);
        let index = key.0;
        let vacant = Entry::Vacant {
            next_free: slab.free,
        };
        let notified = match slab.entries[index] {
            Entry::Waiting { .. } => {
                drop(slab.unlink(index, vacant));
                false
            }
            Entry::Notified => {
                slab.entries[index] = vacant;
                true
            }
            Entry::Vacant { .. } => unreachable!("a key's entry is never vacant"),
        };
        slab.free = index;
        self.registered.fetch_sub(1, Ordering::SeqCst);
        notified
    }

    /// Whether any entry is registered. Call after the event's fence.
    pub(crate) fn is_empty(&self) -> bool {
        self.registered.load(Ordering::SeqCst) == 0
    }

    /// Wakes the oldest waiting entry, if any.
    pub(crate) fn wake_one(&self) {
        if self.is_empty() {
            return;
        }
        let waker = lock(&self.slab).pop_front();
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Wakes every entry waiting now (not those that register while it
    /// runs), [`WAKE_BATCH`] at a time outside the lock.
    pub(crate) fn wake_all(&self) {
        if self.is_empty() {
            return;
        }
        let mut left = usize::MAX;
        loop {
            let mut batch: [Option<Waker>; WAKE_BATCH] = Default::default();
            let mut taken = 0;
            {
                let mut slab = lock(&self.slab);
                left = left.min(slab.waiting);
                while taken < WAKE_BATCH && left > 0 {
                    batch[taken] = slab.pop_front();
                    taken += 1;
                    left -= 1;
                }
            }
            for waker in batch.into_iter().flatten() {
                waker.wake();
            }
            if left == 0 {
                return;
            }
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize as Count;
    use std::task::Wake;

    struct Counting(Count);

    impl Wake for Counting {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }

    fn counter() -> (Arc<Counting>, Waker) {
        let c = Arc::new(Counting(Count::new(0)));
        (Arc::clone(&c), Waker::from(c))
    }

    fn woken(c: &Counting) -> usize {
        c.0.load(std::sync::atomic::Ordering::SeqCst)
    }

    #[test]
    fn wake_one_is_fifo_and_remove_reports_notified() {
        let list = WakerList::default();
        let (a, wa) = counter();
        let (b, wb) = counter();
        let ka = list.register(&wa);
        let kb = list.register(&wb);
        list.wake_one();
        assert_eq!((woken(&a), woken(&b)), (1, 0));
        list.wake_one();
        assert_eq!((woken(&a), woken(&b)), (1, 1));
        list.wake_one(); // nobody waiting: nothing
        assert!(list.remove(ka));
        // b re-arms, then is removed while waiting: not notified.
        list.rearm(&kb, &wb);
        assert!(!list.remove(kb));
        assert!(list.is_empty());
    }

    #[test]
    fn rearm_goes_to_the_tail_and_slots_are_reused() {
        let list = WakerList::default();
        let (a, wa) = counter();
        let (b, wb) = counter();
        let ka = list.register(&wa);
        let kb = list.register(&wb);
        list.wake_one(); // a
        list.rearm(&ka, &wa); // a behind b now
        list.wake_one();
        assert_eq!((woken(&a), woken(&b)), (1, 1));
        assert!(list.remove(kb));
        let kc = list.register(&wb); // reuses b's slot
        assert_eq!(kc.0, 1);
        assert_eq!(lock(&list.slab).entries.len(), 2);
        assert!(!list.remove(ka));
        assert!(!list.remove(kc));
    }

    #[test]
    fn wake_all_wakes_every_waiting_entry_in_batches() {
        let list = WakerList::default();
        let counters: Vec<_> = (0..3 * WAKE_BATCH + 1).map(|_| counter()).collect();
        let keys: Vec<_> = counters.iter().map(|(_, w)| list.register(w)).collect();
        list.wake_all();
        assert!(counters.iter().all(|(c, _)| woken(c) == 1));
        list.wake_all(); // all notified, none waiting: nothing more
        assert!(counters.iter().all(|(c, _)| woken(c) == 1));
        for key in keys {
            assert!(list.remove(key));
        }
        assert!(list.is_empty());
    }

    #[test]
    fn middle_removal_keeps_the_list_linked() {
        let list = WakerList::default();
        let c: Vec<_> = (0..3).map(|_| counter()).collect();
        let mut keys: Vec<_> = c.iter().map(|(_, w)| list.register(w)).collect();
        assert!(!list.remove(keys.remove(1)));
        list.wake_one();
        list.wake_one();
        list.wake_one();
        assert_eq!(
            c.iter().map(|(c, _)| woken(c)).collect::<Vec<_>>(),
            [1, 0, 1]
        );
        for key in keys {
            assert!(list.remove(key));
        }
    }
}
