//! Batched hand-offs: how many jobs a worker takes from the queue at once,
//! and the small inline list that holds them (and then their results).
//!
//! A worker that finds the queue deep takes up to [`MAX_TAKE`] jobs with
//! one `pop_batch` (one fetch-add on the used ring and one on the free ring
//! for the lot, instead of one pair per job), runs them, publishes their
//! results with one `push_batch`, and finishes them in the books with one
//! counter step per counter phase. It never takes more than its share of
//! what is queued (`len / live workers`, rounded down, at least one), so
//! while jobs wait every worker still finds some: a worker does not hoard
//! a backlog another one could run. The cost is latency inside a batch: a
//! result waits for the batch's later jobs before it is published, which is
//! at most `MAX_TAKE - 1` job run times, and only when the queue is deep
//! anyway.

/// The most jobs a worker takes at once.
pub(crate) const MAX_TAKE: usize = 4;

/// How many jobs a worker takes when `queued` jobs wait and `live` workers
/// share them: its share, from 1 to [`MAX_TAKE`].
pub(crate) fn share(queued: usize, live: usize) -> usize {
    (queued / live.max(1)).clamp(1, MAX_TAKE)
}

/// Up to [`MAX_TAKE`] values, inline (no allocation), in push order.
pub(crate) struct Taken<T> {
    items: [Option<T>; MAX_TAKE],
    len: usize,
}

impl<T> Taken<T> {
    /// An empty list.
    pub(crate) fn new() -> Self {
        Self {
            items: std::array::from_fn(|_| None),
            len: 0,
        }
    }

    /// How many values it holds.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Appends `item`; a full list hands it back.
    pub(crate) fn push(&mut self, item: T) -> Result<(), T> {
        match self.items.get_mut(self.len) {
            Some(free) => {
                *free = Some(item);
                self.len += 1;
                Ok(())
            }
            None => Err(item),
        }
    }

    /// Takes every value out, oldest first, leaving the list empty.
    pub(crate) fn drain(&mut self) -> impl Iterator<Item = T> + '_ {
        let len = std::mem::take(&mut self.len);
        self.items[..len].iter_mut().filter_map(Option::take)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_is_bounded_and_fair() {
        assert_eq!(share(0, 2), 1);
        assert_eq!(share(3, 2), 1);
        assert_eq!(share(4, 2), 2);
        assert_eq!(share(100, 2), MAX_TAKE);
        assert_eq!(share(7, 0), MAX_TAKE);
    }

    #[test]
    fn taken_keeps_order_and_bound() {
        let mut t = Taken::new();
        for i in 0..MAX_TAKE {
            assert!(t.push(i).is_ok());
        }
        assert_eq!(t.push(99), Err(99));
        assert_eq!(
            t.drain().collect::<Vec<_>>(),
            (0..MAX_TAKE).collect::<Vec<_>>()
        );
        assert_eq!(t.len(), 0);
        assert_eq!(t.drain().count(), 0);
    }
}
