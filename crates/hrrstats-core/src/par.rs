//! Deterministic parallel sums: the same input gives bitwise the same answer on every run
//! and for any number of threads.
//!
//! Floating-point addition is not associative, so a parallel sum is reproducible only if
//! the grouping of its terms is. rayon's `fold(..).reduce(..)` groups by where work
//! stealing happened to split the range (it differs from run to run), and a block size
//! taken from the number of threads groups differently on another machine. [`fold`]
//! instead cuts the items `0..n` into *groups* of `group` consecutive items (boundaries
//! that depend only on `n` and `group`, which the caller derives from the problem, never
//! from the number of threads), folds each group in item order into an accumulator of its
//! own, and merges the groups' accumulators into the total one after the other, in group
//! order. The groups run in parallel in *waves* (as many groups as there are threads, up
//! to four times that when groups are cheap); each wave's accumulators are merged into
//! the total in group order ([`sums`] adds vectors of sums element by element, in
//! parallel over the elements, each element in group order); between waves it polls for
//! Ctrl-C ([`crate::interrupt::check`]) and reports progress
//! ([`crate::progress::report`]). The waves' size changes nothing in the answer, only
//! how many accumulators are alive at once (at most one wave's, plus the total: a small
//! number independent of `n`).

use std::ops::Range;

use rayon::prelude::*;

use crate::error::Result;

/// At most this many groups, whatever the number of items: bounds the work of creating
/// and merging accumulators while leaving groups small (a wave short, so Ctrl-C is
/// answered quickly) and numerous enough to balance many threads.
pub const MAX_GROUPS: usize = 4096;

/// Items per group for `n` items: at least `min`; enough that a group's work (`cost` per
/// item) is at least `acc`, the size of an accumulator (creating and merging the
/// accumulators stays small against the work); and at most [`MAX_GROUPS`] groups.
/// Depends only on the problem, never on the number of threads.
pub fn group_len(n: usize, cost: usize, acc: usize, min: usize) -> usize {
    acc.div_ceil(cost.max(1)).max(min).max(n.div_ceil(MAX_GROUPS)).max(1)
}

/// Fold the items `0..n` in groups of `group` consecutive items: `body(&mut acc, range)`
/// adds the items of `range` (one group, in order) to a fresh accumulator from `init`;
/// after each wave of groups, `merge(&mut total, parts)` adds the wave's accumulators
/// (in group order) to the total, in that order (the first group's accumulator is the
/// first total). `cost`: the work per item (sets how many groups a wave holds). Returns
/// `init()` when `n == 0`; [`crate::error::Error::Interrupted`] when the user asks.
pub fn fold<A: Send>(
    n: usize,
    group: usize,
    cost: usize,
    init: impl Fn() -> A + Sync,
    body: impl Fn(&mut A, Range<usize>) + Sync,
    mut merge: impl FnMut(&mut A, Vec<A>),
) -> Result<A> {
    let group = group.max(1);
    let groups = n.div_ceil(group);
    let threads = rayon::current_num_threads().max(1);
    let wave = ((1usize << 24) / group.saturating_mul(cost.max(1)).max(1)).clamp(threads, 4 * threads);
    let mut total: Option<A> = None;
    let mut g = 0;
    while g < groups {
        crate::interrupt::check()?;
        let end = groups.min(g + wave);
        let mut parts: Vec<A> = (g..end)
            .into_par_iter()
            .map(|k| {
                let mut acc = init();
                body(&mut acc, k * group..((k + 1) * group).min(n));
                acc
            })
            .collect();
        match &mut total {
            Some(t) => merge(t, parts),
            None => {
                let mut t = parts.remove(0);
                merge(&mut t, parts);
                total = Some(t);
            }
        }
        g = end;
        crate::progress::report((end * group).min(n), n);
    }
    Ok(total.unwrap_or_else(init))
}

/// [`fold`] for sums into a vector of `len` numbers (zeros at first): `body(sums, range)`
/// adds the items of `range`; the groups' vectors are added element by element in
/// group order (in parallel over the elements).
pub fn sums(
    n: usize,
    group: usize,
    cost: usize,
    len: usize,
    body: impl Fn(&mut [f64], Range<usize>) + Sync,
) -> Result<Vec<f64>> {
    fold(n, group, cost, || vec![0.0; len], |a, r| body(a, r), |t, parts| add_parts(t, &parts))
}

/// `total += part` for each of `parts` in turn, element by element (in parallel over
/// blocks of elements: each element still adds the parts in their order).
pub fn add_parts<P: AsRef<[f64]> + Sync>(total: &mut [f64], parts: &[P]) {
    const SPAN: usize = 1 << 13;
    let add = |c: usize, t: &mut [f64]| {
        let lo = c * SPAN;
        for p in parts {
            add_into(t, &p.as_ref()[lo..lo + t.len()]);
        }
    };
    if total.len() <= SPAN || parts.is_empty() {
        add(0, total);
    } else {
        total.par_chunks_mut(SPAN).enumerate().for_each(|(c, t)| add(c, t));
    }
}

/// `a += b` element by element.
pub fn add_into(a: &mut [f64], b: &[f64]) {
    a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sum whose rounding depends on the grouping of its terms.
    fn term(i: usize) -> f64 {
        1.0 / (1.0 + i as f64) * if i % 3 == 0 { 1e8 } else { 1.0 }
    }

    fn sum(n: usize, group: usize) -> f64 {
        fold(
            n,
            group,
            1,
            || 0.0f64,
            |a, r| r.for_each(|i| *a += term(i)),
            |a, parts| parts.into_iter().for_each(|b| *a += b),
        )
        .unwrap()
    }

    /// 20,000 sums (element e: the terms i with i % 20,000 == e).
    fn vector(n: usize, group: usize) -> Vec<u64> {
        sums(n, group, 1, 20_000, |a, r| r.for_each(|i| a[i % 20_000] += term(i)))
            .unwrap()
            .iter()
            .map(|x| x.to_bits())
            .collect()
    }

    #[test]
    fn the_same_bits_for_any_number_of_threads() {
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap().install(|| sum(1_000_003, 1000));
        for t in [2, 3, 5, 8] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(t).build().unwrap();
            for _ in 0..3 {
                assert_eq!(pool.install(|| sum(1_000_003, 1000)).to_bits(), one.to_bits(), "{t} threads");
            }
        }
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap().install(|| vector(2_000_003, 997));
        for t in [2, 3, 7] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(t).build().unwrap();
            assert!(pool.install(|| vector(2_000_003, 997)) == one, "{t} threads");
        }
    }

    #[test]
    fn every_item_once_in_order() {
        let seen = fold(
            10_007,
            64,
            1 << 20,
            Vec::new,
            |v: &mut Vec<usize>, r| v.extend(r),
            |a, parts| parts.into_iter().for_each(|b| a.extend(b)),
        )
        .unwrap();
        assert_eq!(seen, (0..10_007).collect::<Vec<_>>());
        assert_eq!(fold(0, 8, 1, || 7, |_, _| unreachable!(), |_, _| unreachable!()), Ok(7));
    }

    #[test]
    fn group_len_covers_the_accumulator() {
        assert_eq!(group_len(1000, 100, 1000, 1), 10);
        assert_eq!(group_len(1000, 100, 10, 4), 4);
        assert_eq!(group_len(0, 0, 0, 0), 1);
        assert_eq!(group_len(100_000_000, 100, 10, 4), 100_000_000usize.div_ceil(MAX_GROUPS));
    }
}
