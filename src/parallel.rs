//! The one thread scheduler: runs groups of work on scoped threads, one
//! thread per group, and gives the results back in the order of the groups.
//!
//! Both large jobs of a build use it: the parser lowers the pieces of a
//! large file ([`syntax`](crate::syntax), pieces dealt out in turn), and
//! the checker checks the services of a large program
//! ([`check`](crate::check), services cut into runs of neighbours).  The
//! callers decide how much work is worth threads; one group runs on the
//! calling thread.  Output never depends on the number of threads: results
//! are joined in a fixed order.

/// How many threads the machine runs at once (at least 1).
pub(crate) fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Runs `work` on each group, on a thread of its own when there are
/// several groups, and returns the results in the order of the groups.  A
/// group whose thread panicked gives no result.
pub(crate) fn map<G: Send, R: Send>(groups: Vec<G>, work: impl Fn(G) -> R + Sync) -> Vec<R> {
    if groups.len() <= 1 {
        return groups.into_iter().map(work).collect();
    }
    std::thread::scope(|scope| {
        let work = &work;
        let handles: Vec<_> = groups
            .into_iter()
            .map(|group| scope.spawn(move || work(group)))
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    })
}

/// `items` cut into runs of `size` neighbours (the last one shorter).
pub(crate) fn runs<T>(items: Vec<T>, size: usize) -> Vec<Vec<T>> {
    let mut runs: Vec<Vec<T>> = Vec::with_capacity(items.len().div_ceil(size.max(1)));
    for item in items {
        match runs.last_mut() {
            Some(last) if last.len() < size => last.push(item),
            _ => runs.push(vec![item]),
        }
    }
    runs
}

/// `items` dealt out in turn to `groups` groups: group `g` gets items `g`,
/// `g + groups`, …  (similar work for every group when neighbouring items
/// are alike).
pub(crate) fn deal<T>(items: Vec<T>, groups: usize) -> Vec<Vec<T>> {
    let mut dealt: Vec<Vec<T>> = (0..groups.min(items.len())).map(|_| Vec::new()).collect();
    let count = dealt.len();
    for (i, item) in items.into_iter().enumerate() {
        if let Some(group) = dealt.get_mut(i % count) {
            group.push(item);
        }
    }
    dealt
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_cut_and_joined_in_order() {
        assert_eq!(runs((0..7).collect(), 3), vec![vec![0, 1, 2], vec![3, 4, 5], vec![6]]);
        assert_eq!(deal((0..7).collect(), 3), vec![vec![0, 3, 6], vec![1, 4], vec![2, 5]]);
        assert_eq!(deal(vec![1, 2], 5), vec![vec![1], vec![2]]);
        assert!(deal(Vec::<u8>::new(), 0).is_empty());
        let sums = map(runs((0..100).collect::<Vec<u32>>(), 10), |run| run.iter().sum::<u32>());
        assert_eq!(
            sums,
            (0..10).map(|r| (0..10).map(|i| r * 10 + i).sum()).collect::<Vec<u32>>()
        );
    }
}
