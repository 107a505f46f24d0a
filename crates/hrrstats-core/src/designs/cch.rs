//! Case–cohort analysis, as `survival::cch`: Cox regression on the cases and a random
//! subcohort of a cohort of `N` (or `N_j` per sampling stratum), with the variance
//! corrected for the sampling of the subcohort.
//!
//! With `cc = event + 1 - subcohort` (0 subcohort non-case, 1 subcohort case, 2 case
//! outside the subcohort), `n_d` cases, `n_c` subcohort members and `n_cd` subcohort
//! cases, the estimators are cch's own (Therneau & Li 1999; Lin & Ying 1993; Borgan et
//! al. 2000), each a Cox fit on manipulated data followed by a phase-two variance term:
//!
//! - **Prentice**: β from the Cox fit on `(entry, exit]` with a non-subcohort case at
//!   risk only on `(exit - δ, exit]` (δ half the smallest gap between event times); the
//!   variance `V + (1 - n_c/N) D'D` from the Self-Prentice fit below started at that β
//!   (35 iterations at most), `V` its model-based variance and `D` its dfbeta residuals
//!   on the subcohort rows.
//! - **SelfPrentice**: the Cox fit on the cases (each an event with offset -100, so that
//!   it never weighs in a risk set) stacked on the subcohort (censored); β, `V` and `D`
//!   from it, variance as for Prentice.
//! - **LinYing**: the Cox fit on all rows with offset `log((N - n_d)/(n_c - n_cd))` for
//!   non-cases (0 for cases); `D₀` the dfbeta residuals of the non-cases centred at
//!   their mean, variance `V + (1 - (n_c - n_cd)/(N - n_d)) D₀'D₀`; with `robust`,
//!   `Σ_i D_i D_i' / w_i + (1 - ...) D₀'D₀` (`w_i` the sampling weight).
//! - **I.Borgan** (stratified, Borgan et al.'s estimator I): the stacked Self-Prentice
//!   data with subcohort rows weighted `N_j/m_j` (`m_j` subcohort members of stratum j);
//!   **II.Borgan** (estimator II): all rows, non-cases weighted `(N_j - d_j)/m⁰_j`
//!   (`d_j` cases, `m⁰_j` subcohort non-cases). For both the variance is
//!   `V + V Δ V` with `Δ = Σ_j (w_j - 1) n_j S_j'S_j / (m_j - 1)`, `S_j` the unweighted
//!   score residuals of the stratum's subcohort (non-case) rows centred within the
//!   stratum (`n_j = N_j`, `m_j` for I; `N_j - d_j`, `m⁰_j` for II).
//!
//! Every fit is the library's Cox engine ([`crate::survival::cox`], Efron ties, as cch's
//! `coxph` calls); the phase-two terms are O(n p²).
//!
//! Reference: Prentice RL (1986) Biometrika 73:1–11; Self SG, Prentice RL (1988) Ann
//! Stat 16:64–81; Lin DY, Ying Z (1993) JASA 88:1341–1349; Borgan Ø et al. (2000)
//! Lifetime Data Anal 6:39–58; Therneau TM, Li H (1999) Lifetime Data Anal 5:99–112;
//! anchor `survival::cch` (survival 3.x).

use crate::data::{Covariates, CoxData, SurvivalData};
use crate::error::{Error, Result};
use crate::survival::cox::{CoxPh, CoxPhFit};

/// The estimator (`cch`'s `method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CchMethod {
    #[default]
    Prentice,
    SelfPrentice,
    LinYing,
    IBorgan,
    IIBorgan,
}

crate::option_enum!(CchMethod, "method",
    "Prentice" => CchMethod::Prentice, "SelfPrentice" => CchMethod::SelfPrentice,
    "LinYing" => CchMethod::LinYing, "I.Borgan" => CchMethod::IBorgan,
    "II.Borgan" => CchMethod::IIBorgan, "SelfPren" => CchMethod::SelfPrentice);

impl CchMethod {
    pub fn stratified(self) -> bool {
        matches!(self, CchMethod::IBorgan | CchMethod::IIBorgan)
    }
}

/// The data and options of a case–cohort fit (all validated by [`fit`]).
pub struct CaseCohortInput<'a> {
    /// Entry times (absent: 0, at risk from the start).
    pub entry: Option<&'a [f64]>,
    pub exit: &'a [f64],
    pub event: &'a [f64],
    /// 1 in the subcohort, 0 not.
    pub subcohort: &'a [f64],
    pub columns: Vec<&'a [f64]>,
    pub names: &'a [String],
    /// Sampling strata (codes, levels); required by the Borgan estimators.
    pub stratum: Option<(&'a [u32], Vec<String>)>,
    /// Cohort size (one number), or one per stratum level.
    pub cohort_size: &'a [f64],
    /// The names of `cohort_size`'s entries (stratum levels), if given.
    pub cohort_size_names: Option<Vec<String>>,
    /// Row identifiers (codes): one record per id, as cch.
    pub id: Option<&'a [u32]>,
    pub method: CchMethod,
    pub robust: bool,
}

/// A case–cohort fit (`cch`'s object).
#[derive(Debug, Clone)]
pub struct CaseCohortFit {
    pub names: Vec<String>,
    pub coef: Vec<f64>,
    /// `cch`'s `var` (row-major p x p).
    pub var: Vec<f64>,
    /// `cch`'s `naive.var`: model-based variance plus the phase-two term.
    pub naive_var: Vec<f64>,
    /// The phase-two (subcohort sampling) term.
    pub phase2_var: Vec<f64>,
    /// Log pseudo-likelihood of the fit (initial, final); `None` for Prentice, whose
    /// variance comes from another fit.
    pub loglik: Option<[f64; 2]>,
    pub iterations: usize,
    pub converged: bool,
    pub n: usize,
    pub n_event: usize,
    /// Subcohort size (one number, or per stratum: records in the stratum, as cch).
    pub subcohort_size: Vec<usize>,
    pub cohort_size: Vec<f64>,
    pub stratum_levels: Vec<String>,
    pub warnings: Vec<String>,
}

fn cox(
    entry: &[f64],
    exit: &[f64],
    status: &[f64],
    weights: Option<&[f64]>,
    columns: Vec<&[f64]>,
    names: &[String],
    offset: Option<&[f64]>,
    init: Option<Vec<f64>>,
    max_iter: usize,
) -> Result<CoxPhFit> {
    let surv = SurvivalData::from_parts(exit, status, Some(entry), weights, None)?;
    let x = Covariates::from_columns(columns, names)?;
    let mut data = CoxData::new(surv, x)?;
    if let Some(o) = offset {
        data = data.with_offset(o)?;
    }
    let mut params = CoxPh::params().max_iter(max_iter).robust(false);
    if let Some(i) = init {
        params = params.init(i);
    }
    params.fit(&data)
}

/// `A + B` (p x p).
fn add(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(x, y)| x + y).collect()
}

/// `Σ_{i ∈ rows} c · r_i r_i'` for the p-vectors `r_i` (row-major n x p).
fn crossprod(r: &[f64], p: usize, rows: impl Iterator<Item = usize>, c: impl Fn(usize) -> f64) -> Vec<f64> {
    let mut out = vec![0.0; p * p];
    for i in rows {
        let ci = c(i);
        let ri = &r[i * p..(i + 1) * p];
        for a in 0..p {
            for b in 0..p {
                out[a * p + b] += ci * ri[a] * ri[b];
            }
        }
    }
    out
}

fn col_refs(x: &[Vec<f64>]) -> Vec<&[f64]> {
    x.iter().map(|c| &c[..]).collect()
}

fn converged(f: &CoxPhFit) -> bool {
    f.convergence != crate::survival::cox::Convergence::MaxIterations
}

/// Fit the case–cohort model.
pub fn fit(inp: &CaseCohortInput) -> Result<CaseCohortFit> {
    let n = inp.exit.len();
    let p = inp.names.len();
    if n == 0 {
        return Err(Error::Empty { arg: "time" });
    }
    crate::data::check_len("event", inp.event.len(), "time", n)?;
    crate::data::check_len("subcohort", inp.subcohort.len(), "time", n)?;
    for c in &inp.columns {
        crate::data::check_len("covariates", c.len(), "time", n)?;
    }
    if p == 0 {
        return Err(Error::InvalidArgument {
            arg: "covariates",
            reason: "a case-cohort model needs at least one covariate".into(),
        });
    }
    crate::data::check_nonneg_finite("time", inp.exit)?;
    crate::data::check_status("event", inp.event)?;
    let zeros;
    let entry = match inp.entry {
        Some(e) => {
            crate::data::check_len("entry", e.len(), "time", n)?;
            crate::data::check_nonneg_finite("entry", e)?;
            if let Some(row) = (0..n).find(|&i| inp.exit[i] <= e[i]) {
                return Err(Error::InvalidValue {
                    arg: "entry",
                    row,
                    value: e[row],
                    problem: "exit time must be greater than entry time",
                });
            }
            e
        }
        None => {
            if let Some(row) = inp.exit.iter().position(|&t| t <= 0.0) {
                return Err(Error::InvalidValue {
                    arg: "time",
                    row,
                    value: inp.exit[row],
                    problem: "case-cohort times must be positive (the Cox fits are on (0, time], as cch's coxph calls)",
                });
            }
            zeros = vec![0.0; n];
            &zeros[..]
        }
    };
    for (j, c) in inp.columns.iter().enumerate() {
        if let Some(row) = c.iter().position(|v| !v.is_finite()) {
            return Err(Error::InvalidCell {
                arg: "covariates",
                column: inp.names[j].clone(),
                row,
                value: c[row],
                problem: "covariate values must be finite",
            });
        }
    }
    // cch's checks, in its order.
    if let Some(id) = inp.id {
        crate::data::check_len("id", id.len(), "time", n)?;
        let mut seen = std::collections::HashSet::with_capacity(n);
        if let Some(row) = id.iter().position(|c| !seen.insert(*c)) {
            return Err(Error::InvalidValue {
                arg: "id",
                row,
                value: f64::NAN,
                problem: "repeats an earlier id: one record per id (cch: multiple records per id not allowed)",
            });
        }
    }
    if let Some(row) = inp.subcohort.iter().position(|&s| s != 0.0 && s != 1.0) {
        return Err(Error::InvalidValue {
            arg: "subcohort",
            row,
            value: inp.subcohort[row],
            problem: "the subcohort indicator must be 0/1 or TRUE/FALSE",
        });
    }
    let cs = inp.cohort_size;
    if cs.is_empty() {
        return Err(Error::Empty { arg: "cohort_size" });
    }
    if let Some(j) = cs.iter().position(|v| !(v.is_finite() && *v > 0.0)) {
        return Err(Error::InvalidArgument {
            arg: "cohort_size",
            reason: format!("must be positive and finite, got {} (entry {})", cs[j], j + 1),
        });
    }
    let total: f64 = cs.iter().sum();
    if n as f64 > total {
        return Err(Error::InvalidArgument {
            arg: "cohort_size",
            reason: format!("the data have {n} records, more than the cohort size {total} (cch: number of records greater than cohort size)"),
        });
    }
    let mut warnings = Vec::new();
    let method = inp.method;
    let stratified = method.stratified();
    // Strata present in the data (factor(stratum) drops unused levels), renumbered.
    let (st, levels): (Vec<usize>, Vec<String>) = match &inp.stratum {
        Some((codes, lv)) => {
            crate::data::check_len("stratum", codes.len(), "time", n)?;
            crate::data::check_codes("stratum", codes, lv.len())?;
            let mut used = vec![false; lv.len()];
            for &c in codes.iter() {
                used[c as usize] = true;
            }
            let mut map = vec![usize::MAX; lv.len()];
            let mut levels = Vec::new();
            for (k, u) in used.iter().enumerate() {
                if *u {
                    map[k] = levels.len();
                    levels.push(lv[k].clone());
                }
            }
            (codes.iter().map(|&c| map[c as usize]).collect(), levels)
        }
        None => (Vec::new(), Vec::new()),
    };
    let mut cohort: Vec<f64> = cs.to_vec();
    let subcohort_size: Vec<usize>;
    if stratified {
        if inp.robust {
            warnings.push("`robust' not implemented for stratified analysis.".to_string());
        }
        if inp.stratum.is_none() {
            return Err(Error::InvalidArgument {
                arg: "stratum",
                reason: format!("is required by method \"{}\"", crate::options::OptionEnum::name(method)),
            });
        }
        if cs.len() != levels.len() {
            return Err(Error::InvalidArgument {
                arg: "cohort_size",
                reason: format!(
                    "has {} values for the {} strata of `stratum` (cch: cohort.size and stratum do not match)",
                    cs.len(),
                    levels.len()
                ),
            });
        }
        if let Some(nm) = &inp.cohort_size_names {
            if nm.len() == cs.len() && levels.iter().all(|l| nm.contains(l)) {
                cohort = levels
                    .iter()
                    .map(|l| cs[nm.iter().position(|x| x == l).unwrap()])
                    .collect();
            } else {
                warnings.push("stratum levels and names(cohort.size) do not agree".to_string());
            }
        }
        let mut sizes = vec![0usize; levels.len()];
        for &s in &st {
            sizes[s] += 1;
        }
        subcohort_size = sizes;
    } else {
        if method != CchMethod::LinYing && inp.robust {
            warnings.push(format!(
                "`robust' ignored for  method ({})",
                crate::options::OptionEnum::name(method)
            ));
        }
        if inp.stratum.is_some() {
            warnings.push(format!(
                "'stratum' ignored for method ({})",
                crate::options::OptionEnum::name(method)
            ));
        }
        if cs.len() != 1 {
            return Err(Error::InvalidArgument {
                arg: "cohort_size",
                reason: format!("must be one number for an unstratified analysis, got {}", cs.len()),
            });
        }
        subcohort_size = vec![n];
    }
    if let Some(j) = (0..cohort.len()).find(|&j| subcohort_size[j] as f64 > cohort[j]) {
        return Err(Error::InvalidArgument {
            arg: "cohort_size",
            reason: if stratified {
                format!(
                    "stratum \"{}\" has {} records but a cohort size of {} (cch: population smaller than sample in some strata)",
                    levels[j], subcohort_size[j], cohort[j]
                )
            } else {
                format!("is smaller than the {} records", subcohort_size[j])
            },
        });
    }
    if let Some(row) = (0..n).find(|&i| inp.subcohort[i] == 0.0 && inp.event[i] == 0.0) {
        let k = (0..n).filter(|&i| inp.subcohort[i] == 0.0 && inp.event[i] == 0.0).count();
        return Err(Error::InvalidValue {
            arg: "subcohort",
            row,
            value: 0.0,
            problem: if k == 1 {
                "a censored record outside the subcohort: a case-cohort sample has only cases and subcohort members (cch: censored observations not in subcohort)"
            } else {
                "a censored record outside the subcohort (the first of several): a case-cohort sample has only cases and subcohort members (cch: censored observations not in subcohort)"
            },
        });
    }
    let cens: Vec<f64> = inp.event.to_vec();
    let cc: Vec<u8> = (0..n)
        .map(|i| (inp.event[i] as u8) + 1 - (inp.subcohort[i] as u8))
        .collect();
    let nd = cc.iter().filter(|&&c| c > 0).count();
    if nd == 0 {
        return Err(Error::Data {
            arg: "event",
            reason: "no cases: a case-cohort model needs at least one".into(),
        });
    }
    let nc = cc.iter().filter(|&&c| c < 2).count();
    let ncd = cc.iter().filter(|&&c| c == 1).count();
    let names = inp.names;
    let cols = &inp.columns;
    let exit = inp.exit;

    // The stacked data of Self-Prentice and Borgan I: the cases (events, offset -100),
    // then the subcohort (censored, offset 0).
    let stacked = || {
        let rows: Vec<usize> = (0..n).filter(|&i| cc[i] > 0).chain((0..n).filter(|&i| cc[i] < 2)).collect();
        let ent: Vec<f64> = rows.iter().map(|&i| entry[i]).collect();
        let ex: Vec<f64> = rows.iter().map(|&i| exit[i]).collect();
        let gp: Vec<f64> = (0..rows.len()).map(|k| if k < nd { 1.0 } else { 0.0 }).collect();
        let off: Vec<f64> = (0..rows.len()).map(|k| if k < nd { -100.0 } else { 0.0 }).collect();
        let x: Vec<Vec<f64>> = cols.iter().map(|c| rows.iter().map(|&i| c[i]).collect()).collect();
        (rows, ent, ex, gp, off, x)
    };

    let (coef, model_var, phase2, var_robust, loglik, iterations, conv) = match method {
        CchMethod::Prentice | CchMethod::SelfPrentice => {
            let mut init = None;
            let mut first = None;
            if method == CchMethod::Prentice {
                // A case outside the subcohort is at risk only just before its exit.
                let mut dt: Vec<f64> = (0..n).filter(|&i| cens[i] == 1.0).map(|i| exit[i]).collect();
                dt.sort_by(f64::total_cmp);
                dt.dedup();
                let delta = if dt.len() > 1 {
                    dt.windows(2).map(|w| w[1] - w[0]).fold(f64::INFINITY, f64::min) / 2.0
                } else {
                    1.0
                };
                let mut ent2: Vec<f64> = (0..n).map(|i| if cc[i] == 2 { exit[i] - delta } else { entry[i] }).collect();
                // Only the order of times matters to a Cox fit: shift them all when
                // an entry falls below 0.
                let low = ent2.iter().copied().fold(0.0, f64::min);
                let shifted: Vec<f64>;
                let ex: &[f64] = if low < 0.0 {
                    for e in ent2.iter_mut() {
                        *e -= low;
                    }
                    shifted = exit.iter().map(|t| t - low).collect();
                    &shifted
                } else {
                    exit
                };
                let f1 = cox(&ent2, ex, &cens, None, cols.clone(), names, None, None, 20)?;
                init = Some(f1.coef.iter().map(|b| if b.is_nan() { 0.0 } else { *b }).collect());
                first = Some(f1);
            }
            let (_, ent, ex, gp, off, x) = stacked();
            let max_iter = if method == CchMethod::Prentice { 35 } else { 20 };
            let f = cox(&ent, &ex, &gp, None, col_refs(&x), names, Some(&off), init, max_iter)?;
            let db = f.dfbeta(true, false)?;
            let m = gp.len();
            let c = 1.0 - nc as f64 / total;
            let phase2 = crossprod(&db, p, nd..m, |_| c);
            // Prentice: the first fit's warnings first, as cch (fit1 comes first)
            if let Some(f1) = &first {
                warnings.extend(f1.warnings.iter().cloned());
            }
            warnings.extend(f.warnings.iter().cloned());
            match first {
                Some(f1) => {
                    (f1.coef.clone(), f.naive_var.clone(), phase2, None, None, f1.iterations, converged(&f1))
                }
                None => (f.coef.clone(), f.naive_var.clone(), phase2, None, Some(f.loglik), f.iterations, converged(&f)),
            }
        }
        CchMethod::LinYing => {
            if nc == ncd {
                return Err(Error::Data {
                    arg: "subcohort",
                    reason: "method \"LinYing\" needs subcohort members who are not cases".into(),
                });
            }
            let w0 = (total - nd as f64) / (nc - ncd) as f64;
            let offs: Vec<f64> = (0..n).map(|i| if cc[i] > 0 { 1.0 } else { w0 }).collect();
            let loffs: Vec<f64> = offs.iter().map(|o| o.ln()).collect();
            let f = cox(entry, exit, &cens, None, cols.clone(), names, Some(&loffs), None, 20)?;
            let mut db = f.dfbeta(true, false)?;
            let non: Vec<usize> = (0..n).filter(|&i| cens[i] == 0.0).collect();
            let mut mean = vec![0.0; p];
            for &i in &non {
                for j in 0..p {
                    mean[j] += db[i * p + j];
                }
            }
            for m in mean.iter_mut() {
                *m /= non.len() as f64;
            }
            let robust = inp.robust.then(|| crossprod(&db, p, 0..n, |i| 1.0 / offs[i]));
            for &i in &non {
                for j in 0..p {
                    db[i * p + j] -= mean[j];
                }
            }
            let c = 1.0 - (nc - ncd) as f64 / (total - nd as f64);
            let phase2 = crossprod(&db, p, non.iter().copied(), |_| c);
            warnings.extend(f.warnings.iter().cloned());
            (f.coef.clone(), f.naive_var.clone(), phase2, robust, Some(f.loglik), f.iterations, converged(&f))
        }
        CchMethod::IBorgan | CchMethod::IIBorgan => {
            let k = levels.len();
            let (mut m0, mut m, mut d) = (vec![0usize; k], vec![0usize; k], vec![0usize; k]);
            for i in 0..n {
                match cc[i] {
                    0 => m0[st[i]] += 1,
                    1 => d[st[i]] += 1,
                    _ => d[st[i]] += 1,
                }
                if cc[i] < 2 {
                    m[st[i]] += 1;
                }
            }
            let one = method == CchMethod::IBorgan;
            // n_j, m_j of the variance and the weight n_j / m_j.
            let (nn, mm): (Vec<f64>, Vec<usize>) = if one {
                (cohort.clone(), m.clone())
            } else {
                ((0..k).map(|j| cohort[j] - d[j] as f64).collect(), m0.clone())
            };
            if let Some(j) = (0..k).find(|&j| mm[j] < 2) {
                return Err(Error::Data {
                    arg: "stratum",
                    reason: format!(
                        "stratum \"{}\" has {} subcohort {}; method \"{}\" needs at least 2 in every stratum",
                        levels[j],
                        mm[j],
                        if one { "members" } else { "members who are not cases" },
                        crate::options::OptionEnum::name(method)
                    ),
                });
            }
            let wt: Vec<f64> = (0..k).map(|j| nn[j] / mm[j] as f64).collect();
            let (f, sub_rows, sub_st): (CoxPhFit, Vec<usize>, Vec<usize>) = if one {
                let (rows, ent, ex, gp, off, x) = stacked();
                let w: Vec<f64> = rows.iter().enumerate().map(|(q, &i)| if q < nd { 1.0 } else { wt[st[i]] }).collect();
                let f = cox(&ent, &ex, &gp, Some(&w), col_refs(&x), names, Some(&off), None, 25)?;
                let sub: Vec<usize> = (nd..rows.len()).collect();
                let sst = sub.iter().map(|&q| st[rows[q]]).collect();
                (f, sub, sst)
            } else {
                let w: Vec<f64> = (0..n).map(|i| if cens[i] == 1.0 { 1.0 } else { wt[st[i]] }).collect();
                let f = cox(entry, exit, &cens, Some(&w), cols.clone(), names, None, None, 25)?;
                let sub: Vec<usize> = (0..n).filter(|&i| cens[i] == 0.0).collect();
                let sst = sub.iter().map(|&i| st[i]).collect();
                (f, sub, sst)
            };
            let mut score = f.score_residuals()?;
            // Centre within strata.
            let mut mean = vec![0.0; k * p];
            let mut cnt = vec![0usize; k];
            for (&q, &s) in sub_rows.iter().zip(&sub_st) {
                cnt[s] += 1;
                for j in 0..p {
                    mean[s * p + j] += score[q * p + j];
                }
            }
            for s in 0..k {
                for j in 0..p {
                    mean[s * p + j] /= cnt[s] as f64;
                }
            }
            for (&q, &s) in sub_rows.iter().zip(&sub_st) {
                for j in 0..p {
                    score[q * p + j] -= mean[s * p + j];
                }
            }
            let mut delta = vec![0.0; p * p];
            for s in 0..k {
                let c = (wt[s] - 1.0) * nn[s] / (mm[s] as f64 - 1.0);
                let rows = sub_rows.iter().zip(&sub_st).filter(|(_, &t)| t == s).map(|(&q, _)| q);
                let t = crossprod(&score, p, rows, |_| c);
                for (a, b) in delta.iter_mut().zip(&t) {
                    *a += b;
                }
            }
            let phase2 = crate::linalg::sandwich(&f.naive_var, &delta, p);
            warnings.extend(f.warnings.iter().cloned());
            (f.coef.clone(), f.naive_var.clone(), phase2, None, Some(f.loglik), f.iterations, converged(&f))
        }
    };
    let naive_var = add(&model_var, &phase2);
    let var = match var_robust {
        Some(r) => add(&r, &phase2),
        None => naive_var.clone(),
    };
    Ok(CaseCohortFit {
        names: names.to_vec(),
        coef,
        var,
        naive_var,
        phase2_var: phase2,
        loglik,
        iterations,
        converged: conv,
        n,
        n_event: nd,
        subcohort_size: if stratified { subcohort_size } else { vec![nc] },
        cohort_size: cohort,
        stratum_levels: if stratified { levels } else { Vec::new() },
        warnings,
    })
}
