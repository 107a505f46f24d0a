//! Crude probabilities of death (relsurv's `cmp.rel`).

use super::NetSurvivalData;
use crate::error::{Error, Result};
use crate::relsurv::ratetable::RateTable;

/// Crude probabilities of death from the cancer (excess) and from population causes, as
/// `relsurv::cmp.rel`: on the grid of every `precision` up to `tau` plus the follow-up
/// times, with `Y_j` at risk, `d_j` deaths and `E_j = Σ_{at risk} ∫ λ_i` (exact),
/// `S_O` the all-cause Kaplan–Meier,
/// `F_E(t_j) = Σ_{k<=j} S_O(t_{k-1}) (d_k - E_k)/Y_k`, `F_P(t_j) = Σ S_O(t_{k-1}) E_k/Y_k`,
/// `Var F_E(t_j) = Σ_{k<=j} (S_O(t_k) - F_E(t_j) + F_E(t_k))² d_k/Y_k²`,
/// `Var F_P(t_j) = Σ_{k<=j} (F_P(t_j) - F_P(t_k))² d_k/Y_k²` (prefix sums, O(grid)).
#[derive(Debug, Clone, Default)]
pub struct CrudeProbabilities {
    pub time: Vec<f64>,
    pub cancer: Vec<f64>,
    pub cancer_var: Vec<f64>,
    pub population: Vec<f64>,
    pub population_var: Vec<f64>,
}

/// Crude probabilities of death (cancer vs population causes) up to `tau` (default the
/// longest follow-up).
pub fn crude_probabilities(
    table: &RateTable,
    d: &NetSurvivalData,
    precision: f64,
    tau: Option<f64>,
) -> Result<CrudeProbabilities> {
    if !(precision.is_finite() && precision > 0.0) {
        return Err(Error::InvalidArgument {
            arg: "precision",
            reason: "must be positive".into(),
        });
    }
    let tmax = d.time.iter().copied().fold(0.0, f64::max);
    super::check_steps(tmax, precision)?;
    let tau = tau.unwrap_or(tmax);
    if !(tau.is_finite() && tau > 0.0) {
        return Err(Error::InvalidArgument {
            arg: "tau",
            reason: "must be positive".into(),
        });
    }
    let rows: Vec<usize> = (0..d.time.len()).collect();
    crude_rows(table, d, &rows, precision, tau)
}

/// [`crude_probabilities`] in each stratum of `d` (`NetSurvivalData::with_strata`), as
/// `cmp.rel(Surv(...) ~ group)`: each stratum on its own grid (up to its longest
/// follow-up), `tau` (default the longest follow-up of all) common. Strata without
/// persons get empty curves.
pub fn crude_probabilities_by_stratum(
    table: &RateTable,
    d: &NetSurvivalData,
    precision: f64,
    tau: Option<f64>,
) -> Result<Vec<CrudeProbabilities>> {
    let Some((codes, k)) = d.strata else {
        return Ok(vec![crude_probabilities(table, d, precision, tau)?]);
    };
    let tau = tau.unwrap_or(d.time.iter().copied().fold(0.0, f64::max));
    super::check_steps(d.time.iter().copied().fold(0.0, f64::max), precision)?;
    // validate once, as for the whole cohort
    if !(precision.is_finite() && precision > 0.0) || !(tau.is_finite() && tau > 0.0) {
        crude_probabilities(table, d, precision, Some(tau))?;
    }
    let mut rows = vec![Vec::new(); k];
    for (i, &c) in codes.iter().enumerate() {
        rows[c as usize].push(i);
    }
    // each stratum's share of the progress reports (crate::progress)
    rows.iter()
        .enumerate()
        .map(|(s, r)| crate::progress::part(s, k, || crude_rows(table, d, r, precision, tau)))
        .collect()
}

fn crude_rows(
    table: &RateTable,
    d: &NetSurvivalData,
    rows: &[usize],
    precision: f64,
    tau: f64,
) -> Result<CrudeProbabilities> {
    let tmax = rows.iter().map(|&i| d.time[i]).fold(0.0, f64::max);
    let mut grid: Vec<f64> = Vec::new();
    let mut k = 1.0;
    while precision * k <= tmax {
        grid.push((precision * k).min(tau));
        k += 1.0;
    }
    grid.extend(rows.iter().map(|&i| d.time[i].min(tau)));
    grid.sort_by(f64::total_cmp);
    grid.dedup();
    let m = grid.len();
    let adv = table.advances();
    let nd = adv.len();
    // Per grid time: at risk, deaths, expected deaths. Persons in fixed groups, the
    // groups' sums added in order (crate::par: the same sums, to the last bit, for any
    // number of threads); Ctrl-C and progress between waves of groups.
    let acc = crate::par::sums(
        rows.len(),
        crate::par::group_len(rows.len(), m, 3 * m, 64),
        m,
        3 * m,
        |a, group| {
            for &i in &rows[group] {
                let mut point: Vec<f64> = (0..nd).map(|q| d.values[q][i]).collect();
                let mut prev = 0.0;
                for (j, &tj) in grid.iter().enumerate() {
                    if tj > d.time[i] {
                        break;
                    }
                    let h = table.hazard_over(&mut point, &adv, tj - prev, false);
                    prev = tj;
                    a[3 * j] += 1.0;
                    a[3 * j + 2] += h;
                    if tj == d.time[i] && d.status[i] == 1.0 {
                        a[3 * j + 1] += 1.0;
                    }
                }
            }
        },
    )?;
    let mut out = CrudeProbabilities {
        time: grid.clone(),
        ..Default::default()
    };
    let (mut so, mut fe, mut fp) = (1.0, 0.0, 0.0);
    // Prefix sums for the variances: Σσ, Σσa, Σσa² with a = S_O + F_E, and Σσ F_P, Σσ F_P².
    let (mut s0, mut s1, mut s2, mut p1, mut p2) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for j in 0..m {
        let (y, dd, e) = (acc[3 * j], acc[3 * j + 1], acc[3 * j + 2]);
        if y > 0.0 {
            let (dlp, dlo) = (e / y, dd / y);
            fe += so * (dlo - dlp);
            fp += so * dlp;
            so *= 1.0 - dlo;
            let sig = dd / (y * y);
            let a = so + fe;
            s0 += sig;
            s1 += sig * a;
            s2 += sig * a * a;
            p1 += sig * fp;
            p2 += sig * fp * fp;
        }
        out.cancer.push(fe);
        out.population.push(fp);
        out.cancer_var.push(s2 - 2.0 * fe * s1 + fe * fe * s0);
        out.population_var.push(p2 - 2.0 * fp * p1 + fp * fp * s0);
    }
    Ok(out)
}
