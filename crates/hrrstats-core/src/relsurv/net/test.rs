//! The log-rank-type comparison of net survival (relsurv's `rs.diff`).

use super::NetSurvivalData;
use crate::data::{check_codes, check_len};
use crate::error::{Error, Result};
use crate::relsurv::ratetable::RateTable;

/// Log-rank-type test comparing net survival across groups (Pohar-Perme weighting), as
/// `relsurv::rs.diff`: on a common grid (every `precision` up to the longest follow-up,
/// plus the follow-up times) with exact integration of each person's population hazard
/// `h_ij` over each step and their expected survival `S_i`,
/// `Yw_gj = Σ_{at risk} 1/S_i`, `Nw_gj = Σ_{died at t_j} 1/S_i - Σ_{at risk} h_ij/S_i`,
/// `q_gj = Σ_{died at t_j} 1/S_i²`; scores `Z_g = Σ_j (Nw_gj - Yw_gj Nw_j / Yw_j)` and
/// covariances `V_gh = Σ_j Σ_k q_kj (δ_gk - Yw_gj/Yw_j)(δ_hk - Yw_hj/Yw_j)`; the
/// statistic is `Z' V⁻¹ Z` over the first `K - 1` groups, chi-square on `K - 1` df.
#[derive(Debug, Clone, PartialEq)]
pub struct NetSurvivalTest {
    pub statistic: f64,
    pub df: usize,
    pub p_value: f64,
    pub score: Vec<f64>,
    /// `K x K` covariance of the scores, row-major.
    pub variance: Vec<f64>,
}

/// Compare net survival across `group` (codes `0..k`), as `relsurv::rs.diff`; with
/// strata on `d` (`NetSurvivalData::with_strata`) the scores and covariances are summed
/// over the strata, as `rs.diff(Surv(...) ~ group + strata(x))`.
pub fn net_survival_test(
    table: &RateTable,
    d: &NetSurvivalData,
    group: &[u32],
    k: usize,
    precision: f64,
) -> Result<NetSurvivalTest> {
    check_len("group", group.len(), "time", d.time.len())?;
    if k < 2 {
        return Err(Error::InvalidArgument {
            arg: "group",
            reason: "at least two groups are needed".into(),
        });
    }
    check_codes("group", group, k)?;
    if !(precision.is_finite() && precision > 0.0) {
        return Err(Error::InvalidArgument {
            arg: "precision",
            reason: "must be positive".into(),
        });
    }
    let tmax = d.time.iter().copied().fold(0.0, f64::max);
    let mut grid: Vec<f64> = Vec::new();
    let mut t = precision;
    let mut i = 1.0;
    while t <= tmax {
        grid.push(t);
        i += 1.0;
        t = precision * i;
    }
    grid.extend_from_slice(d.time);
    grid.sort_by(f64::total_cmp);
    grid.dedup();
    let m = grid.len();
    let adv = table.advances();
    let nd = adv.len();
    let (strata, ns) = match d.strata {
        Some((c, n)) => (Some(c), n),
        None => (None, 1),
    };
    let width = 3 * k; // per group: Yw, Nw, q
    let block = ns * width; // per grid time: the strata's groups
    // Persons in fixed groups, the groups' sums added in order (crate::par: the same
    // sums, to the last bit, for any number of threads); Ctrl-C and progress between
    // waves of groups.
    let n = d.time.len();
    let acc = crate::par::sums(
        n,
        crate::par::group_len(n, m, m * block, 64),
        m,
        m * block,
        |a, persons| {
            for i in persons {
                let g = group[i] as usize;
                let off = strata.map_or(0, |c| c[i] as usize * width);
                let mut point: Vec<f64> = (0..nd).map(|q| d.values[q][i]).collect();
                let (mut prev, mut cum) = (0.0, 0.0);
                for (j, &tj) in grid.iter().enumerate() {
                    if tj > d.time[i] {
                        break;
                    }
                    let h = table.hazard_over(&mut point, &adv, tj - prev, false);
                    cum += h;
                    prev = tj;
                    let s = (-cum).exp();
                    let row = &mut a[j * block + off..j * block + off + width];
                    row[3 * g] += 1.0 / s;
                    row[3 * g + 1] -= h / s;
                    if tj == d.time[i] && d.status[i] == 1.0 {
                        row[3 * g + 1] += 1.0 / s;
                        row[3 * g + 2] += 1.0 / (s * s);
                    }
                }
            }
        },
    )?;
    let mut z = vec![0.0; k];
    let mut v = vec![0.0; k * k];
    for row in acc.chunks_exact(width) {
        let yw: f64 = (0..k).map(|g| row[3 * g]).sum();
        if yw <= 0.0 {
            continue;
        }
        let nw: f64 = (0..k).map(|g| row[3 * g + 1]).sum();
        for g in 0..k {
            z[g] += row[3 * g + 1] - row[3 * g] / yw * nw;
        }
        for kk in 0..k {
            let q = row[3 * kk + 2];
            if q == 0.0 {
                continue;
            }
            for g in 0..k {
                let a = f64::from(u8::from(g == kk)) - row[3 * g] / yw;
                for h in 0..k {
                    let b = f64::from(u8::from(h == kk)) - row[3 * h] / yw;
                    v[g * k + h] += q * a * b;
                }
            }
        }
    }
    let k1 = k - 1;
    let sub: Vec<f64> = (0..k1)
        .flat_map(|g| (0..k1).map(move |h| (g, h)))
        .map(|(g, h)| v[g * k + h])
        .collect();
    // z' V⁻¹ z over the first k - 1 groups; NaN when V is singular (rs.diff's solve()
    // would fail there).
    let statistic = match crate::linalg::quadratic_form_ranked(&sub, k1, &z[..k1], 1e-12) {
        (q, rank) if rank == k1 => q,
        _ => f64::NAN,
    };
    Ok(NetSurvivalTest {
        statistic,
        df: k1,
        p_value: crate::dist::pchisq_upper(statistic, k1),
        score: z,
        variance: v,
    })
}
