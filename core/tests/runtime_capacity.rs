//! The run-time constructor `GenericRing::with_storage`: its errors (zero,
//! too large, storage too small) and rings of capacities that are not
//! powers of two, which must hold exactly `capacity` items.
// Plain std execution: loom types would panic outside `loom::model`.
#![cfg(not(loom))]

use ringpool_core::{
    BorrowedStorage, CapacityError, Entry, GenericRing, MAX_CAPACITY, PopError, Slot, entries_for,
};

fn slots<T>(n: usize) -> Vec<Slot<T>> {
    (0..n).map(|_| Slot::new()).collect()
}

fn entries(n: usize) -> Vec<Entry> {
    (0..n).map(|_| Entry::new()).collect()
}

#[test]
fn zero_capacity_is_an_error() {
    let (mut s, mut e) = (slots::<u8>(1), entries(entries_for(1)));
    let err = GenericRing::with_storage(BorrowedStorage::new(&mut s, &mut e), 0).unwrap_err();
    assert_eq!(err, CapacityError::Zero);
    assert!(err.to_string().contains("at least 1"));
}

#[test]
fn too_large_capacity_is_an_error() {
    // The check comes before any look at the storage, so empty storage is
    // enough to ask for more than the target supports.
    let (mut s, mut e) = (slots::<u8>(0), entries(0));
    let err = GenericRing::with_storage(BorrowedStorage::new(&mut s, &mut e), MAX_CAPACITY + 1)
        .unwrap_err();
    assert_eq!(
        err,
        CapacityError::TooLarge {
            requested: MAX_CAPACITY + 1,
            max: MAX_CAPACITY
        }
    );
    assert!(err.to_string().contains(&MAX_CAPACITY.to_string()));
    let (mut s, mut e) = (slots::<u8>(0), entries(0));
    let err = GenericRing::with_storage(BorrowedStorage::new(&mut s, &mut e), usize::MAX);
    assert!(matches!(err, Err(CapacityError::TooLarge { .. })));
}

#[test]
fn too_few_slots_is_an_error() {
    let (mut s, mut e) = (slots::<u8>(2), entries(entries_for(3)));
    let err = GenericRing::with_storage(BorrowedStorage::new(&mut s, &mut e), 3).unwrap_err();
    assert_eq!(
        err,
        CapacityError::StorageTooSmall {
            needed_slots: 3,
            needed_entries: entries_for(3),
            slots: 2,
            entries: entries_for(3),
        }
    );
    assert!(err.to_string().contains("storage too small"));
}

#[test]
fn too_few_entries_is_an_error() {
    let (mut s, mut e) = (slots::<u8>(10), entries(entries_for(10) - 1));
    let err = GenericRing::with_storage(BorrowedStorage::new(&mut s, &mut e), 10).unwrap_err();
    assert!(matches!(
        err,
        CapacityError::StorageTooSmall { needed_entries, entries, .. }
            if needed_entries == entries_for(10) && entries == needed_entries - 1
    ));
}

#[test]
fn entries_for_covers_both_index_rings() {
    assert_eq!(entries_for(1), 4);
    assert_eq!(entries_for(3), 16);
    assert_eq!(entries_for(4), 16);
    assert_eq!(entries_for(10), 64);
}

#[test]
fn larger_storage_than_needed_is_fine() {
    let (mut s, mut e) = (slots::<u32>(8), entries(100));
    let ring = GenericRing::with_storage(BorrowedStorage::new(&mut s, &mut e), 5).unwrap();
    assert_eq!(ring.capacity(), 5);
}

/// A run-time ring of `capacity` holds exactly that many, FIFO, over laps.
fn exact_capacity(capacity: usize) {
    let (mut s, mut e) = (slots::<usize>(capacity), entries(entries_for(capacity)));
    let ring = GenericRing::with_storage(BorrowedStorage::new(&mut s, &mut e), capacity).unwrap();
    assert_eq!(ring.capacity(), capacity);
    let laps = if cfg!(miri) { 3 } else { 50 };
    for lap in 0..laps {
        for i in 0..capacity {
            ring.push(lap * 1000 + i).unwrap();
        }
        assert_eq!(ring.len(), capacity);
        let refused = ring.push(usize::MAX).unwrap_err();
        assert!(
            refused.is_full(),
            "capacity {capacity}: room beyond capacity"
        );
        for i in 0..capacity {
            assert_eq!(ring.pop(), Ok(lap * 1000 + i));
        }
        assert_eq!(ring.pop(), Err(PopError::Empty));
    }
}

#[test]
fn non_power_of_two_capacities_are_exact() {
    for capacity in [1, 2, 3, 5, 6, 7, 10, 17] {
        exact_capacity(capacity);
    }
}

#[test]
fn storage_is_reset_at_construction() {
    // Entries left over from an earlier ring are overwritten: a second ring
    // over the same storage starts empty and works.
    let (mut s, mut e) = (slots::<u32>(3), entries(entries_for(3)));
    {
        let ring = GenericRing::with_storage(BorrowedStorage::new(&mut s, &mut e), 3).unwrap();
        ring.push(1).unwrap();
        assert_eq!(ring.pop(), Ok(1));
        ring.push(2).unwrap();
        assert_eq!(ring.pop(), Ok(2));
    }
    let ring = GenericRing::with_storage(BorrowedStorage::new(&mut s, &mut e), 3).unwrap();
    assert_eq!(ring.pop(), Err(PopError::Empty));
    for i in 0..3 {
        ring.push(i).unwrap();
    }
    assert!(ring.push(9).is_err());
}
