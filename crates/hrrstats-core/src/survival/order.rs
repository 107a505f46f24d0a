//! Sorting rows by time, once, for the sweep-based estimators.

use rayon::slice::ParallelSliceMut;

/// Rows sorted in parallel above this size.
const PAR_SORT_MIN: usize = 1 << 16;

/// An order-preserving integer key for a finite, non-negative time (`-0.0` maps to `0.0`).
#[inline]
fn time_key(t: f64) -> u64 {
    (t + 0.0).to_bits()
}

/// `rows` in ascending order of `times[row]` (times validated finite and non-negative).
///
/// Sorts (key, row) pairs so the comparison never chases an index: O(n log n),
/// parallel for large inputs. The order of tied rows is unspecified.
pub(crate) fn sort_rows_by(times: &[f64], rows: &[u32]) -> Vec<u32> {
    let mut pairs: Vec<(u64, u32)> = rows
        .iter()
        .map(|&r| (time_key(times[r as usize]), r))
        .collect();
    if pairs.len() >= PAR_SORT_MIN {
        pairs.par_sort_unstable();
    } else {
        pairs.sort_unstable();
    }
    pairs.into_iter().map(|(_, r)| r).collect()
}

/// Start positions of each run of equal values in sorted `t`, with `t.len()` appended.
pub(crate) fn tie_starts(t: &[f64]) -> Vec<usize> {
    let mut starts = Vec::new();
    for i in 0..t.len() {
        if i == 0 || t[i] != t[i - 1] {
            starts.push(i);
        }
    }
    starts.push(t.len());
    starts
}
