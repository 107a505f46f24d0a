//! Gray's (1988) k-sample test for cumulative incidence, as `cmprsk::cuminc` (its
//! Fortran `crstm`/`crst`): within each stratum, at each distinct time, the score
//! compares each group's cause-specific events with their expectation under a common
//! subdistribution hazard, weighted by `(1 - F(t-))^rho`; scores and their variance are
//! summed over strata and the statistic is `s' V⁻¹ s` on `k - 1` degrees of freedom
//! (the last group left out). NaN when `V` is singular (cmprsk reports -1). With
//! frequency weights each row counts as that many identical rows.

use super::CompetingData;
use crate::linalg::quadratic_form_ranked;

/// The statistic of Gray's test for `cause` (interruptible: its work grows as the
/// number of distinct times x the square of the number of groups).
pub(crate) fn gray_test(d: &CompetingData, cause: f64, rho: f64) -> crate::error::Result<f64> {
    let ng = d.n_groups();
    let ng1 = ng - 1;
    let (strata, nst) = d.strata.map_or((None, 1), |(s, k)| (Some(s), k));
    let mut s = vec![0.0; ng1];
    let mut v = vec![0.0; ng1 * ng1];
    // The rows of each stratum (a counting sort: O(n) for any number of strata), each
    // stratum's sorted by time.
    let mut start = vec![0usize; nst + 1];
    for i in 0..d.len() {
        start[strata.map_or(0, |s| s[i] as usize) + 1] += 1;
    }
    for k in 0..nst {
        start[k + 1] += start[k];
    }
    let mut rows = vec![0usize; d.len()];
    let mut next = start.clone();
    for i in 0..d.len() {
        let k = strata.map_or(0, |s| s[i] as usize);
        rows[next[k]] = i;
        next[k] += 1;
    }
    let (mut y, mut m, mut ig, mut count) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for st in 0..nst {
        let rows = &mut rows[start[st]..start[st + 1]];
        if rows.is_empty() {
            continue;
        }
        rows.sort_by(|&a, &b| d.time[a].total_cmp(&d.time[b]));
        y.clear();
        y.extend(rows.iter().map(|&i| d.time[i]));
        m.clear();
        m.extend(rows.iter().map(|&i| d.outcome(i, cause) as usize));
        ig.clear();
        ig.extend(rows.iter().map(|&i| d.group_of(i)));
        count.clear();
        count.extend(rows.iter().map(|&i| d.weight(i)));
        crst(&y, &m, &ig, &count, ng, rho, &mut s, &mut v)?;
    }
    Ok(match quadratic_form_ranked(&v, ng1, &s, 1e-9) {
        (q, rank) if rank == ng1 => q,
        _ => f64::NAN,
    })
}

/// One stratum: adds its scores to `s` and variance to `vs` (full `ng1 x ng1`); row
/// `i` stands for `count[i]` identical rows.
#[allow(clippy::too_many_arguments)]
fn crst(
    y: &[f64],
    m: &[usize],
    ig: &[usize],
    count: &[f64],
    ng: usize,
    rho: f64,
    s: &mut [f64],
    vs: &mut [f64],
) -> crate::error::Result<()> {
    let n = y.len();
    let ng1 = ng - 1;
    let mut rs = vec![0.0f64; ng];
    for (&g, &c) in ig.iter().zip(count) {
        rs[g] += c;
    }
    let (mut f1m, mut f1, mut skmm, mut skm, mut v3) = (
        vec![0.0; ng],
        vec![0.0; ng],
        vec![1.0; ng],
        vec![1.0; ng],
        vec![0.0; ng],
    );
    let mut v2 = vec![0.0; ng1 * ng];
    let mut c = vec![0.0; ng * ng];
    let mut a = vec![0.0; ng * ng];
    let mut v = vec![0.0; ng1 * ng1];
    let mut fm = 0.0;
    let mut dcnt = vec![[0.0f64; 3]; ng];
    let mut ll = 0;
    while ll < n {
        crate::interrupt::check()?;
        let mut lu = ll;
        while lu + 1 < n && y[lu + 1] <= y[ll] {
            lu += 1;
        }
        dcnt.iter_mut().for_each(|x| *x = [0.0; 3]);
        for i in ll..=lu {
            dcnt[ig[i]][m[i]] += count[i];
        }
        let nd1: f64 = dcnt.iter().map(|x| x[1]).sum();
        let nd2: f64 = dcnt.iter().map(|x| x[2]).sum();
        let mut f = fm;
        if nd1 > 0.0 || nd2 > 0.0 {
            let (mut tr, mut tq) = (0.0, 0.0);
            for i in 0..ng {
                if rs[i] <= 0.0 {
                    continue;
                }
                let td = dcnt[i][1] + dcnt[i][2];
                skm[i] = skmm[i] * (rs[i] - td) / rs[i];
                f1[i] = f1m[i] + skmm[i] * dcnt[i][1] / rs[i];
                tr += rs[i] / skmm[i];
                tq += rs[i] * (1.0 - f1m[i]) / skmm[i];
            }
            f = fm + nd1 / tr;
            let fb = (1.0 - fm).powf(rho);
            for i in 0..ng {
                for j in i..ng {
                    a[i * ng + j] = 0.0;
                }
                if rs[i] <= 0.0 {
                    continue;
                }
                let t1 = rs[i] / skmm[i];
                a[i * ng + i] = fb * t1 * (1.0 - t1 / tr);
                if a[i * ng + i] != 0.0 {
                    c[i * ng + i] += a[i * ng + i] * nd1 / (tr * (1.0 - fm));
                }
                for j in i + 1..ng {
                    if rs[j] <= 0.0 {
                        continue;
                    }
                    a[i * ng + j] = -fb * t1 * rs[j] / (skmm[j] * tr);
                    if a[i * ng + j] != 0.0 {
                        c[i * ng + j] += a[i * ng + j] * nd1 / (tr * (1.0 - fm));
                    }
                }
            }
            for i in 1..ng {
                for j in 0..i {
                    a[i * ng + j] = a[j * ng + i];
                    c[i * ng + j] = c[j * ng + i];
                }
            }
            for i in 0..ng1 {
                if rs[i] <= 0.0 {
                    continue;
                }
                s[i] += fb * (dcnt[i][1] - nd1 * rs[i] * (1.0 - f1m[i]) / (skmm[i] * tq));
            }
            if nd1 > 0.0 {
                for k in 0..ng {
                    if rs[k] <= 0.0 {
                        continue;
                    }
                    let t4 = if skm[k] > 0.0 {
                        1.0 - (1.0 - f) / skm[k]
                    } else {
                        1.0
                    };
                    let t5 = if nd1 > 1.0 {
                        1.0 - (nd1 - 1.0) / (tr * skmm[k] - 1.0)
                    } else {
                        1.0
                    };
                    let t3 = t5 * skmm[k] * nd1 / (tr * rs[k]);
                    v3[k] += t4 * t4 * t3;
                    for i in 0..ng1 {
                        let t1 = a[i * ng + k] - t4 * c[i * ng + k];
                        v2[i * ng + k] += t1 * t4 * t3;
                        for j in 0..=i {
                            let t2 = a[j * ng + k] - t4 * c[j * ng + k];
                            v[i * ng1 + j] += t1 * t2 * t3;
                        }
                    }
                }
            }
            if nd2 > 0.0 {
                for k in 0..ng {
                    if skm[k] <= 0.0 || dcnt[k][2] <= 0.0 {
                        continue;
                    }
                    let t4 = (1.0 - f) / skm[k];
                    let t5 = if dcnt[k][2] > 1.0 {
                        1.0 - (dcnt[k][2] - 1.0) / (rs[k] - 1.0)
                    } else {
                        1.0
                    };
                    let t3 = t5 * skmm[k] * skmm[k] * dcnt[k][2] / (rs[k] * rs[k]);
                    v3[k] += t4 * t4 * t3;
                    for i in 0..ng1 {
                        let t1 = t4 * c[i * ng + k];
                        v2[i * ng + k] -= t1 * t4 * t3;
                        for j in 0..=i {
                            let t2 = t4 * c[j * ng + k];
                            v[i * ng1 + j] += t1 * t2 * t3;
                        }
                    }
                }
            }
        }
        if lu + 1 >= n {
            break;
        }
        for i in ll..=lu {
            rs[ig[i]] -= count[i];
        }
        fm = f;
        f1m.copy_from_slice(&f1);
        skmm.copy_from_slice(&skm);
        ll = lu + 1;
    }
    for i in 0..ng1 {
        for j in 0..=i {
            let mut x = v[i * ng1 + j];
            for k in 0..ng {
                x += c[i * ng + k] * c[j * ng + k] * v3[k];
                x += c[i * ng + k] * v2[j * ng + k];
                x += c[j * ng + k] * v2[i * ng + k];
            }
            vs[i * ng1 + j] += x;
            if i != j {
                vs[j * ng1 + i] += x;
            }
        }
    }
    Ok(())
}
