//! Model test: random single-threaded sequences of push / pop / push_batch /
//! pop_batch / close / len / is_empty on a ring, checked step by step against
//! a `VecDeque` with the same capacity and a closed flag.
//!
//! Inline rings of capacities 1, 2, 4 and 8, and run-time rings of every
//! capacity in 1..=8 plus 3 and 10 (the run-time constructor accepts any
//! capacity). proptest drives it normally; under miri, whose interpreter is
//! far too slow for hundreds of proptest cases (and where proptest's
//! failure-file persistence touches the file system), a fixed-seed
//! generator drives a few short sequences through the same checker instead.
// Plain std execution: loom types would panic outside `loom::model`.
#![cfg(not(loom))]

use ringpool_core::{
    BatchPushError, BorrowedStorage, Entry, GenericRing, PopError, PushError, Ring, Slot, Storage,
    entries_for,
};
use std::collections::VecDeque;

/// One step of a sequence.
#[derive(Debug, Clone, Copy)]
enum Op {
    Push(u16),
    Pop,
    /// Push `len` items `first, first + 1, ...` in one batch.
    PushBatch {
        first: u16,
        len: u8,
    },
    /// Pop up to this many items in one batch.
    PopBatch(u8),
    Close,
    Len,
    IsEmpty,
}

/// The reference: what a ring must do.
struct Model {
    items: VecDeque<u16>,
    capacity: usize,
    closed: bool,
}

impl Model {
    fn push(&mut self, v: u16) -> Result<(), PushError<u16>> {
        if self.closed {
            Err(PushError::Closed(v))
        } else if self.items.len() == self.capacity {
            Err(PushError::Full(v))
        } else {
            self.items.push_back(v);
            Ok(())
        }
    }

    /// The batch push: as many as fit, in order; the rest refused.
    fn push_batch(&mut self, items: &[u16]) -> Result<usize, BatchPushError> {
        if self.closed {
            return Err(BatchPushError::Closed { pushed: 0 });
        }
        let fit = items.len().min(self.capacity - self.items.len());
        self.items.extend(&items[..fit]);
        if fit == items.len() {
            Ok(fit)
        } else {
            Err(BatchPushError::Full { pushed: fit })
        }
    }

    /// The batch pop: the oldest `max` (or fewer); errors as `pop`.
    fn pop_batch(&mut self, max: usize) -> Result<Vec<u16>, PopError> {
        if max == 0 {
            return Ok(Vec::new());
        }
        let n = max.min(self.items.len());
        if n == 0 {
            return self.pop().map(|_| unreachable!());
        }
        Ok(self.items.drain(..n).collect())
    }

    fn pop(&mut self) -> Result<u16, PopError> {
        match self.items.pop_front() {
            Some(v) => Ok(v),
            None if self.closed => Err(PopError::Closed),
            None => Err(PopError::Empty),
        }
    }
}

/// Runs `ops` on `ring` and the model, comparing every answer.
fn check<S: Storage<Item = u16>>(ring: &GenericRing<S>, capacity: usize, ops: &[Op]) {
    assert_eq!(ring.capacity(), capacity);
    let mut model = Model {
        items: VecDeque::new(),
        capacity,
        closed: false,
    };
    for (step, op) in ops.iter().enumerate() {
        match *op {
            Op::Push(v) => assert_eq!(ring.push(v), model.push(v), "step {step}: {op:?}"),
            Op::Pop => assert_eq!(ring.pop(), model.pop(), "step {step}: {op:?}"),
            Op::PushBatch { first, len } => {
                let items: Vec<u16> = (0..u16::from(len)).map(|i| first.wrapping_add(i)).collect();
                let mut iter = items.clone().into_iter();
                let result = ring.push_batch(&mut iter);
                let expected = model.push_batch(&items);
                assert_eq!(result, expected, "step {step}: {op:?}");
                let pushed = result.unwrap_or_else(|e| e.pushed());
                // The refused items are still in the iterator, in order.
                assert_eq!(iter.as_slice(), &items[pushed..], "step {step}: {op:?}");
            }
            Op::PopBatch(max) => {
                let mut got = Vec::new();
                let result = ring.pop_batch(usize::from(max), |v| got.push(v));
                let expected = model.pop_batch(usize::from(max));
                assert_eq!(result.map(|_| got), expected, "step {step}: {op:?}");
            }
            Op::Close => {
                assert_eq!(ring.close(), !model.closed, "step {step}: close");
                model.closed = true;
            }
            Op::Len => assert_eq!(ring.len(), model.items.len(), "step {step}: len"),
            Op::IsEmpty => assert_eq!(ring.is_empty(), model.items.is_empty(), "step {step}"),
        }
        assert_eq!(ring.is_closed(), model.closed, "step {step}: is_closed");
    }
}

fn check_inline<const N: usize>(ops: &[Op]) {
    check(&Ring::<u16, N>::new(), N, ops);
}

fn check_runtime(capacity: usize, ops: &[Op]) {
    let mut slots: Vec<Slot<u16>> = (0..capacity).map(|_| Slot::new()).collect();
    let mut entries: Vec<Entry> = (0..entries_for(capacity)).map(|_| Entry::new()).collect();
    let storage = BorrowedStorage::new(&mut slots, &mut entries);
    check(
        &GenericRing::with_storage(storage, capacity).unwrap(),
        capacity,
        ops,
    );
}

/// Every ring shape on one sequence.
fn check_all(ops: &[Op]) {
    check_inline::<1>(ops);
    check_inline::<2>(ops);
    check_inline::<4>(ops);
    check_inline::<8>(ops);
    for capacity in (1..=8).chain([10]) {
        check_runtime(capacity, ops);
    }
}

#[cfg(not(miri))]
mod prop {
    use super::*;
    use proptest::prelude::*;

    /// Pushes and pops dominate so that rings fill, drain and wrap; close
    /// is rare so that most sequences run open for a while first.
    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            10 => any::<u16>().prop_map(Op::Push),
            10 => Just(Op::Pop),
            4 => (any::<u16>(), 0u8..20).prop_map(|(first, len)| Op::PushBatch { first, len }),
            4 => (0u8..20).prop_map(Op::PopBatch),
            1 => Just(Op::Close),
            2 => Just(Op::Len),
            1 => Just(Op::IsEmpty),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn ring_matches_vecdeque(ops in proptest::collection::vec(op(), 0..200)) {
            check_all(&ops);
        }
    }
}

/// The same checker on fixed pseudo-random sequences (xorshift, fixed
/// seeds): runs under miri, and everywhere as a cheap smoke of the model.
#[test]
fn fixed_seed_sequences() {
    let (sequences, length) = if cfg!(miri) { (3, 60) } else { (50, 300) };
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..sequences {
        let ops: Vec<Op> = (0..length)
            .map(|_| match next() % 56 {
                0 => Op::Close,
                1..=3 => Op::Len,
                4 => Op::IsEmpty,
                5..=26 => Op::Push(next() as u16),
                27..=30 => Op::PushBatch {
                    first: next() as u16,
                    len: (next() % 20) as u8,
                },
                31..=34 => Op::PopBatch((next() % 20) as u8),
                _ => Op::Pop,
            })
            .collect();
        check_all(&ops);
    }
}
