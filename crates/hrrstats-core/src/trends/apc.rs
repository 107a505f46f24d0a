//! Age–period–cohort models for tabulated rates, as `Epi::apc.fit` (Carstensen B. 2007,
//! Age–period–cohort models for the Lexis diagram, *Stat Med* 26:3018–45).
//!
//! `log λ(a, p) = f(a) + g(p) + h(c)`, `c = p − a`, fitted as Poisson regressions of the
//! events `D` with offset `log Y`, each effect a natural spline (knots at the quantiles
//! `(k − ½)/n` of the events' ages, periods, cohorts; boundary knots the extreme ones),
//! a B-spline or linear spline (`bs`), or a factor. The linear dependence `c = p − a` is
//! resolved as apc.fit does: the period and cohort effects are *detrended* — projected
//! orthogonally to `(1, x)` in the inner product with diagonal weights (`dr.extr`:
//! person-time `Y`, events `D`, `Y²/D`, unit weights as Holford, or `D + s·Y`) — and the
//! drift (the common linear trend) is one parameter, attached to the cohort effect
//! ("ACP"), the period effect ("APC") or to neither ("AdCP", "AdPC"); or the effects come
//! from a sequence of models each fitted with the previous one's linear predictor as
//! offset ("Ad-C-P", "Ad-P-C", "AC-P", "AP-C"). A reference period or cohort makes that
//! effect 1 there.
//!
//! Everything apc.fit reports depends only on the column spaces of the effects (the fits
//! and the effect functions are invariant to the basis chosen for each space; IRLS's
//! iterates of the fitted values are too), so the natural splines use the core's one
//! restricted-cubic basis ([`crate::splines::Rcs`], the same space as `splines::ns`),
//! B-splines the truncated-power basis of the same space. The analysis of deviance of
//! the nested models (Age, Age-drift, Age-Cohort, Age-Period-Cohort, Age-Period,
//! Age-drift) is apc.fit's `Anova`.

use crate::data::check_len;
use crate::dist::{pchisq_upper, qnorm};
use crate::error::{Error, Result};
use crate::glm::{Family, Glm, GlmData, GlmFit};
use crate::splines::{quantile_type7, truncated_power_basis, Rcs};
use crate::Covariates;

/// Kind of effect (apc.fit's `model`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ApcModel {
    /// Natural cubic splines.
    #[default]
    Ns,
    /// Cubic B-splines (`splines::bs`).
    Bs,
    /// Linear splines (`bs(degree = 1)`).
    Ls,
    /// One parameter per distinct value.
    Factor,
}
crate::option_enum!(ApcModel, "model", "ns" => ApcModel::Ns, "bs" => ApcModel::Bs,
    "ls" => ApcModel::Ls, "factor" => ApcModel::Factor);

/// The parametrisation (apc.fit's `parm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ApcParm {
    #[default]
    Acp,
    Apc,
    AdCp,
    AdPc,
    AdPC,
    AdCP,
    AcP,
    ApC,
}
crate::option_enum!(ApcParm, "parm", "ACP" => ApcParm::Acp, "APC" => ApcParm::Apc,
    "AdCP" => ApcParm::AdCp, "AdPC" => ApcParm::AdPc, "Ad-P-C" => ApcParm::AdPC,
    "Ad-C-P" => ApcParm::AdCP, "AC-P" => ApcParm::AcP, "AP-C" => ApcParm::ApC,
    "ADCP" => ApcParm::AdCp, "ADPC" => ApcParm::AdPc, "AD-P-C" => ApcParm::AdPC,
    "AD-C-P" => ApcParm::AdCP);

impl ApcParm {
    fn sequential(self) -> bool {
        matches!(self, ApcParm::AdPC | ApcParm::AdCP | ApcParm::AcP | ApcParm::ApC)
    }
}

/// The inner product that defines the detrended effects (apc.fit's `dr.extr`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DriftWeights {
    /// Person-time `Y` (apc.fit's default, "Y").
    #[default]
    Y,
    /// Events `D` ("D", "T").
    D,
    /// `Y²/D` ("L", "R").
    L,
    /// Unit weights: Holford's naive extraction ("holford", "naive").
    Naive,
}
crate::option_enum!(DriftWeights, "dr_extr", "weighted" => DriftWeights::Y,
    "Y" => DriftWeights::Y, "D" => DriftWeights::D, "T" => DriftWeights::D,
    "L" => DriftWeights::L, "R" => DriftWeights::L, "holford" => DriftWeights::Naive,
    "Holford" => DriftWeights::Naive, "naive" => DriftWeights::Naive, "1" => DriftWeights::Naive);

/// How the drift's inner product is given: an option, `D + s·Y`, or the weights.
#[derive(Debug, Clone, PartialEq)]
pub enum DriftInner {
    Option(DriftWeights),
    DPlusY(f64),
    Given(Vec<f64>),
}

/// Parameters of one effect's basis: a number of knots (apc.fit's `npar`) or the knots.
#[derive(Debug, Clone, PartialEq)]
pub enum Npar {
    Count(usize),
    Knots(Vec<f64>),
}

/// Options of [`apc_fit`].
#[derive(Debug, Clone)]
pub struct ApcParams {
    pub model: ApcModel,
    pub parm: ApcParm,
    /// Age, period, cohort.
    pub npar: [Npar; 3],
    pub ref_c: Option<f64>,
    pub ref_p: Option<f64>,
    pub dr_extr: DriftInner,
    pub scale: f64,
    pub alpha: f64,
}

impl Default for ApcParams {
    fn default() -> Self {
        ApcParams {
            model: ApcModel::Ns,
            parm: ApcParm::Acp,
            npar: [Npar::Count(5), Npar::Count(5), Npar::Count(5)],
            ref_c: None,
            ref_p: None,
            dr_extr: DriftInner::Option(DriftWeights::Y),
            scale: 1.0,
            alpha: 0.05,
        }
    }
}

/// One effect: its distinct values (increasing) with estimates and limits (rates for
/// age, rate ratios for period and cohort, on the natural scale).
#[derive(Debug, Clone, Default)]
pub struct ApcEffect {
    pub value: Vec<f64>,
    pub estimate: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
}

/// apc.fit's `Anova`: six rows (Age, Age-drift, Age-Cohort, Age-Period-Cohort,
/// Age-Period, Age-drift), each row's test against the row above.
#[derive(Debug, Clone, Default)]
pub struct ApcAnova {
    pub model: Vec<&'static str>,
    pub aic: Vec<f64>,
    pub mod_df: Vec<f64>,
    pub mod_dev: Vec<f64>,
    pub test_df: Vec<f64>,
    pub test_dev: Vec<f64>,
    pub p: Vec<f64>,
    pub dev_df: Vec<f64>,
    pub h0: Vec<&'static str>,
}

/// The fitted age–period–cohort model.
#[derive(Debug, Clone)]
pub struct ApcFit {
    pub age: ApcEffect,
    pub period: ApcEffect,
    pub cohort: ApcEffect,
    /// Drift rows: names ("APC (Y-weights)", "A-d") and exp(estimate) with limits.
    pub drift_names: Vec<String>,
    pub drift: Vec<[f64; 3]>,
    pub anova: ApcAnova,
    /// The reference period and cohort used (given, or the events' medians).
    pub ref_p: f64,
    pub ref_c: f64,
    /// All knots (boundary included) of age, period and cohort for spline models.
    pub knots: Option<[Vec<f64>; 3]>,
    pub model: ApcModel,
    pub parm: ApcParm,
    pub warnings: Vec<String>,
}

/// A basis of one effect over the data rows, with its value at the reference point.
struct Basis {
    /// Column-major, `n` rows.
    cols: Vec<Vec<f64>>,
    /// The basis at the reference point (for periods and cohorts).
    at_ref: Vec<f64>,
    /// All knots, sorted (splines only).
    knots: Option<Vec<f64>>,
}

fn invalid(arg: &'static str, reason: String) -> Error {
    Error::InvalidArgument { arg, reason }
}

/// apc.fit's `med`: the value of `x` at which the cumulative share of `d` (in order of
/// `x`, ties in row order) first exceeds 1/2.
fn median_of_events(x: &[f64], d: &[f64]) -> f64 {
    let mut o: Vec<usize> = (0..x.len()).collect();
    o.sort_by(|&i, &j| x[i].total_cmp(&x[j]));
    let total: f64 = d.iter().sum();
    let mut cum = 0.0;
    for &i in &o {
        cum += d[i];
        if cum / total > 0.5 {
            return x[i];
        }
    }
    x[o[o.len() - 1]]
}

/// Type-7 quantiles of `x` repeated `floor(d)` times (apc.fit's `quantile(rep(x, D))`).
fn event_quantiles(x: &[f64], d: &[f64], probs: &[f64], arg: &'static str) -> Result<Vec<f64>> {
    let mut o: Vec<(f64, u64)> = x
        .iter()
        .zip(d)
        .filter(|(_, &c)| c >= 1.0)
        .map(|(&v, &c)| (v, c.floor() as u64))
        .collect();
    o.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: u64 = o.iter().map(|p| p.1).sum();
    if total == 0 {
        return Err(invalid(arg, "there are no events to place the knots at".into()));
    }
    let at = |k: u64| -> f64 {
        // the k-th (0-based) value of the expanded sorted vector
        let mut c = 0;
        for &(v, m) in &o {
            c += m;
            if k < c {
                return v;
            }
        }
        o[o.len() - 1].0
    };
    Ok(probs
        .iter()
        .map(|&p| {
            let index = (total - 1) as f64 * p;
            let lo = index.floor();
            let xlo = at(lo as u64);
            let xhi = at(index.ceil() as u64);
            let h = index - lo;
            if h > 0.0 && xhi != xlo {
                (1.0 - h) * xlo + h * xhi
            } else {
                xlo
            }
        })
        .collect())
}

fn sorted_unique(v: &[f64]) -> Vec<f64> {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s.dedup();
    s
}

/// The basis of one effect (`x` over the rows, `r` the reference point, `None` for age).
fn effect_basis(
    model: ApcModel,
    npar: &Npar,
    x: &[f64],
    d: &[f64],
    r: Option<f64>,
    arg: &'static str,
) -> Result<Basis> {
    let n = x.len();
    match model {
        ApcModel::Factor => {
            let levels = sorted_unique(x);
            let mut cols = vec![vec![0.0; n]; levels.len()];
            for (i, &v) in x.iter().enumerate() {
                let l = levels.binary_search_by(|a| a.total_cmp(&v)).unwrap();
                cols[l][i] = 1.0;
            }
            // the level of the first row closest to the reference point
            let mut at_ref = vec![0.0; levels.len()];
            if let Some(r) = r {
                let dist: Vec<f64> = x.iter().map(|v| (v - r).abs()).collect();
                let m = dist.iter().cloned().fold(f64::INFINITY, f64::min);
                let i = dist.iter().position(|&v| v == m).unwrap();
                let l = levels.binary_search_by(|a| a.total_cmp(&x[i])).unwrap();
                at_ref[l] = 1.0;
            }
            Ok(Basis { cols, at_ref, knots: None })
        }
        ApcModel::Ns => {
            let all = match npar {
                Npar::Count(k) => {
                    let probs: Vec<f64> =
                        (1..=*k).map(|j| (j as f64 - 0.5) / *k as f64).collect();
                    event_quantiles(x, d, &probs, arg)?
                }
                Npar::Knots(k) => k.clone(),
            };
            let kn = sorted_unique(&all);
            if kn.len() < 2 {
                return Err(invalid(
                    arg,
                    format!(
                        "a natural spline needs at least two distinct knots, got {} (too few \
                         distinct values with events?)",
                        kn.len()
                    ),
                ));
            }
            let rcs = Rcs::new(kn[1..kn.len() - 1].to_vec(), [kn[0], kn[kn.len() - 1]], arg)?;
            let df = rcs.df();
            let mut cols = vec![vec![0.0; n]; df];
            let (mut b, mut db) = (vec![0.0; df], vec![0.0; df]);
            for (i, &v) in x.iter().enumerate() {
                rcs.eval(v, &mut b, &mut db);
                for j in 0..df {
                    cols[j][i] = b[j];
                }
            }
            let mut at_ref = vec![0.0; df];
            if let Some(r) = r {
                rcs.eval(r, &mut at_ref, &mut db);
            }
            Ok(Basis { cols, at_ref, knots: Some(kn) })
        }
        ApcModel::Bs | ApcModel::Ls => {
            let degree = if model == ApcModel::Bs { 3 } else { 1 };
            let (interior, boundary) = match npar {
                Npar::Count(df) => {
                    let s = {
                        let mut s = x.to_vec();
                        s.sort_by(f64::total_cmp);
                        s
                    };
                    let ni = df.saturating_sub(degree);
                    let probs: Vec<f64> = (1..=ni).map(|j| j as f64 * (1.0 / (ni + 1) as f64)).collect();
                    let interior: Vec<f64> = probs.iter().map(|&p| quantile_type7(&s, p)).collect();
                    (interior, [s[0], s[n - 1]])
                }
                Npar::Knots(k) => {
                    let kn = sorted_unique(k);
                    if kn.len() < 2 {
                        return Err(invalid(arg, "needs at least two distinct knots".into()));
                    }
                    (kn[1..kn.len() - 1].to_vec(), [kn[0], kn[kn.len() - 1]])
                }
            };
            if !(boundary[1] > boundary[0]) {
                return Err(invalid(arg, "the values span no range to place a spline on".into()));
            }
            let cols = truncated_power_basis(x, &interior, boundary, degree);
            let at_ref = match r {
                Some(r) => truncated_power_basis(&[r], &interior, boundary, degree)
                    .into_iter()
                    .map(|c| c[0])
                    .collect(),
                None => vec![0.0; cols.len()],
            };
            let mut kn = interior.clone();
            kn.push(boundary[0]);
            kn.push(boundary[1]);
            kn.sort_by(f64::total_cmp);
            Ok(Basis { cols, at_ref, knots: Some(kn) })
        }
    }
}

/// Epi's `detrend` then `thinCol`: the columns of `b` (reference row first, weight 0;
/// then the data rows with weights `w`) minus their weighted projection on `(1, x)`,
/// keeping the linearly independent ones (tolerance 1e-6 as thinCol's QR). Returns the
/// data rows and the reference row of the kept columns.
fn detrend(
    b: &Basis,
    x: &[f64],
    r: f64,
    w: &[f64],
    arg: &'static str,
    what: &str,
) -> Result<(Vec<Vec<f64>>, Vec<f64>)> {
    let n = x.len();
    // scale(t) over the n + 1 values, as detrend does
    let m = (r + x.iter().sum::<f64>()) / (n + 1) as f64;
    let ss = (r - m) * (r - m) + x.iter().map(|v| (v - m) * (v - m)).sum::<f64>();
    let sd = (ss / n as f64).sqrt();
    let t: Vec<f64> = x.iter().map(|v| (v - m) / sd).collect();
    let (mut s0, mut s1, mut s2) = (0.0, 0.0, 0.0);
    for i in 0..n {
        s0 += w[i];
        s1 += w[i] * t[i];
        s2 += w[i] * t[i] * t[i];
    }
    let det = s0 * s2 - s1 * s1;
    if !(sd > 0.0 && det > 1e-10 * s0 * s0) {
        return Err(Error::Data {
            arg,
            reason: format!(
                "the model needs at least two distinct {what} with positive drift weights \
                 (dr_extr)"
            ),
        });
    }
    let tr = (r - m) / sd;
    let mut kept: Vec<Vec<f64>> = Vec::new(); // detrended, stacked (ref first)
    let mut ortho: Vec<Vec<f64>> = Vec::new(); // orthonormal basis of the kept ones
    for (j, col) in b.cols.iter().enumerate() {
        let (mut a0, mut a1) = (0.0, 0.0);
        for i in 0..n {
            a0 += w[i] * col[i];
            a1 += w[i] * t[i] * col[i];
        }
        let c0 = (s2 * a0 - s1 * a1) / det;
        let c1 = (s0 * a1 - s1 * a0) / det;
        let mut v = Vec::with_capacity(n + 1);
        v.push(b.at_ref[j] - c0 - c1 * tr);
        for i in 0..n {
            v.push(col[i] - c0 - c1 * t[i]);
        }
        // relative to the column before detrending: a column that was linear is ~0 now
        let norm0 = (b.at_ref[j] * b.at_ref[j] + col.iter().map(|a| a * a).sum::<f64>()).sqrt();
        let mut u = v.clone();
        for q in &ortho {
            let dot: f64 = u.iter().zip(q).map(|(a, b)| a * b).sum();
            for (a, b) in u.iter_mut().zip(q) {
                *a -= dot * b;
            }
        }
        let norm = u.iter().map(|a| a * a).sum::<f64>().sqrt();
        if norm0 > 0.0 && norm > 1e-6 * norm0 {
            for a in u.iter_mut() {
                *a /= norm;
            }
            ortho.push(u);
            kept.push(v);
        }
    }
    let at_ref = kept.iter().map(|v| v[0]).collect();
    let cols = kept.into_iter().map(|v| v[1..].to_vec()).collect();
    Ok((cols, at_ref))
}

/// One Poisson fit of `d` on the columns (no implicit intercept) with `offset`.
fn poisson(d: &[f64], cols: &[&[f64]], offset: &[f64]) -> Result<GlmFit> {
    let names: Vec<String> = (0..cols.len()).map(|j| format!("x{j}")).collect();
    let x = Covariates::from_columns(cols.to_vec(), &names)?;
    let data = GlmData::new(d, x)?.with_offset(offset)?;
    Glm::params().family(Family::Poisson).intercept(false).fit(&data)
}

/// `x'β`, `√(x'Vx)` over the coefficients `idx` of `fit` (aliased ones count as 0).
fn contrast(fit: &GlmFit, idx: &[usize], x: &[f64]) -> (f64, f64) {
    let p = fit.coef.len();
    let b = |j: usize| if fit.coef[j].is_nan() { 0.0 } else { fit.coef[j] };
    let v = |a: usize, c: usize| {
        let t = fit.var[a * p + c];
        if t.is_nan() {
            0.0
        } else {
            t
        }
    };
    let mut est = 0.0;
    let mut var = 0.0;
    for (k, &j) in idx.iter().enumerate() {
        est += x[k] * b(j);
        for (l, &m) in idx.iter().enumerate() {
            var += x[k] * x[l] * v(j, m);
        }
    }
    (est, var.max(0.0).sqrt())
}

/// Effects at the distinct values of `x` (sorted), from the first row holding each.
fn effect(
    fit: &GlmFit,
    idx: &[usize],
    design: &[&[f64]],
    x: &[f64],
    z: f64,
    scale: f64,
) -> ApcEffect {
    let mut first: Vec<(f64, usize)> = Vec::new();
    let mut o: Vec<usize> = (0..x.len()).collect();
    o.sort_by(|&i, &j| x[i].total_cmp(&x[j]).then(i.cmp(&j)));
    for &i in &o {
        if first.last().map_or(true, |&(v, _)| v != x[i]) {
            first.push((x[i], i));
        }
    }
    let mut e = ApcEffect::default();
    let mut row = vec![0.0; idx.len()];
    for &(v, i) in &first {
        for (k, col) in design.iter().enumerate() {
            row[k] = col[i];
        }
        let (est, se) = contrast(fit, idx, &row);
        e.value.push(v);
        e.estimate.push(est.exp() * scale);
        e.lower.push((est - z * se).exp() * scale);
        e.upper.push((est + z * se).exp() * scale);
    }
    e
}

fn drift_row(fit: &GlmFit, j: usize, z: f64) -> [f64; 3] {
    let (est, se) = contrast(fit, &[j], &[1.0]);
    [est.exp(), (est - z * se).exp(), (est + z * se).exp()]
}

fn check_column(arg: &'static str, x: &[f64]) -> Result<()> {
    for (row, &v) in x.iter().enumerate() {
        if let Some(problem) = crate::data::non_finite(v) {
            return Err(Error::InvalidValue { arg, row, value: v, problem });
        }
    }
    Ok(())
}

/// Fit the age–period–cohort model: `d` events and `y` person-time by `a` age and `p`
/// period (one row per cell of the Lexis diagram, at its mean age and period).
pub fn apc_fit(d: &[f64], y: &[f64], a: &[f64], p: &[f64], params: &ApcParams) -> Result<ApcFit> {
    let n = d.len();
    if n == 0 {
        return Err(Error::Empty { arg: "events" });
    }
    check_len("person_time", y.len(), "events", n)?;
    check_len("age", a.len(), "events", n)?;
    check_len("period", p.len(), "events", n)?;
    for (arg, x) in [("events", d), ("person_time", y), ("age", a), ("period", p)] {
        check_column(arg, x)?;
    }
    if let Some(row) = d.iter().position(|&v| v < 0.0) {
        return Err(Error::InvalidValue {
            arg: "events",
            row,
            value: d[row],
            problem: "negative count",
        });
    }
    if let Some(row) = y.iter().position(|&v| v <= 0.0) {
        return Err(Error::InvalidValue {
            arg: "person_time",
            row,
            value: y[row],
            problem: "person-time must be positive",
        });
    }
    if !d.iter().any(|&v| v > 0.0) {
        return Err(Error::Data {
            arg: "events",
            reason: "there are no events: nothing to fit".into(),
        });
    }
    if !(params.alpha > 0.0 && params.alpha < 1.0) {
        return Err(invalid("alpha", format!("must be in (0, 1), got {}", params.alpha)));
    }
    if !(params.scale.is_finite() && params.scale > 0.0) {
        return Err(invalid("scale", format!("must be a positive number, got {}", params.scale)));
    }
    for (arg, r) in [("ref_c", params.ref_c), ("ref_p", params.ref_p)] {
        if let Some(v) = r.filter(|v| !v.is_finite()) {
            return Err(invalid(arg, format!("must be a finite number, got {v}")));
        }
    }
    for (arg, np) in ["npar", "npar", "npar"].iter().zip(&params.npar) {
        match np {
            Npar::Count(0) => return Err(invalid(arg, "the number of knots must be at least 1".into())),
            Npar::Knots(k) if k.iter().any(|v| !v.is_finite()) || k.is_empty() => {
                return Err(invalid(arg, "knots must be finite numbers".into()))
            }
            _ => {}
        }
    }
    let c: Vec<f64> = p.iter().zip(a).map(|(p, a)| p - a).collect();
    let has_p = params.ref_p.is_some();
    let has_c = params.ref_c.is_some();
    let p0 = params.ref_p.unwrap_or_else(|| median_of_events(p, d));
    let c0 = params.ref_c.unwrap_or_else(|| median_of_events(&c, d));

    // the inner product of the detrending
    let (wt, drtyp): (Vec<f64>, String) = match &params.dr_extr {
        DriftInner::Option(DriftWeights::Y) => (y.to_vec(), "Y-weights".into()),
        DriftInner::Option(DriftWeights::D) => (d.to_vec(), "D-weights".into()),
        DriftInner::Option(DriftWeights::L) => {
            if let Some(row) = d.iter().position(|&v| v == 0.0) {
                return Err(Error::InvalidValue {
                    arg: "dr_extr",
                    row,
                    value: 0.0,
                    problem: "weights Y^2/D need events in every row; no events",
                });
            }
            (y.iter().zip(d).map(|(y, d)| y * y / d).collect(), "Y^2/D-weights".into())
        }
        DriftInner::Option(DriftWeights::Naive) => (vec![1.0; n], "1-weights".into()),
        DriftInner::DPlusY(s) => {
            if !(s.is_finite() && *s >= 0.0) {
                return Err(invalid("dr_extr", format!("a number must be finite and non-negative, got {s}")));
            }
            (d.iter().zip(y).map(|(d, y)| d + s * y).collect(), format!("D+{s}*Y weights"))
        }
        DriftInner::Given(w) => {
            check_len("dr_extr", w.len(), "events", n)?;
            check_column("dr_extr", w)?;
            if let Some(row) = w.iter().position(|&v| v < 0.0) {
                return Err(Error::InvalidValue {
                    arg: "dr_extr",
                    row,
                    value: w[row],
                    problem: "negative weight",
                });
            }
            (w.clone(), "extn-weights".into())
        }
    };

    let arg = |j: usize, name: &'static str| match params.npar[j] {
        Npar::Count(_) => "npar",
        Npar::Knots(_) => name,
    };
    let ba = effect_basis(params.model, &params.npar[0], a, d, None, arg(0, "knots_age"))?;
    let bp = effect_basis(params.model, &params.npar[1], p, d, Some(p0), arg(1, "knots_period"))?;
    let bc = effect_basis(params.model, &params.npar[2], &c, d, Some(c0), arg(2, "knots_cohort"))?;
    let (mut mpr, rp) = detrend(&bp, p, p0, &wt, "period", "periods")?;
    let (mut mcr, rc) = detrend(&bc, &c, c0, &wt, "age", "cohorts (period - age)")?;
    if has_p {
        for (col, r) in mpr.iter_mut().zip(&rp) {
            col.iter_mut().for_each(|v| *v -= r);
        }
    }
    if has_c {
        for (col, r) in mcr.iter_mut().zip(&rc) {
            col.iter_mut().for_each(|v| *v -= r);
        }
    }
    // the age part, with the constant: all levels of a factor, else 1 and the basis
    let ones = vec![1.0; n];
    let mut ga: Vec<&[f64]> = Vec::new();
    if params.model != ApcModel::Factor {
        ga.push(&ones);
    }
    ga.extend(ba.cols.iter().map(|v| &v[..]));
    let dp: Vec<f64> = p.iter().map(|v| v - p0).collect();
    let dc: Vec<f64> = c.iter().map(|v| v - c0).collect();
    let log_y: Vec<f64> = y.iter().map(|v| v.ln()).collect();
    let mpr_s: Vec<&[f64]> = mpr.iter().map(|v| &v[..]).collect();
    let mcr_s: Vec<&[f64]> = mcr.iter().map(|v| &v[..]).collect();
    let na = ga.len();
    let (np, nc) = (mpr_s.len(), mcr_s.len());
    let range = |from: usize, len: usize| (from..from + len).collect::<Vec<usize>>();

    let mut warnings: Vec<String> = Vec::new();
    let mut keep = |f: GlmFit| -> GlmFit {
        for w in &f.warnings {
            if !warnings.contains(w) {
                warnings.push(w.clone());
            }
        }
        f
    };
    // the nested models of the analysis of deviance
    let m_a = keep(poisson(d, &ga, &log_y)?);
    let m_ad = keep(poisson(d, &cat(&[&ga, &[dp.as_slice()]]), &log_y)?);
    let m_ac = keep(poisson(d, &cat(&[&ga, &[dp.as_slice()], &mcr_s]), &log_y)?);
    let x_apc = cat(&[&ga, &[dp.as_slice()], &mpr_s, &mcr_s]);
    let m_apc = keep(poisson(d, &x_apc, &log_y)?);
    let m_ap = keep(poisson(d, &cat(&[&ga, &[dp.as_slice()], &mpr_s]), &log_y)?);
    let anova = anova_table(&[&m_a, &m_ad, &m_ac, &m_apc, &m_ap, &m_ad]);

    let z = qnorm(1.0 - params.alpha / 2.0);
    let sc = params.scale;
    let (age, period, cohort, drift_names, drift);
    if !params.parm.sequential() {
        drift = vec![drift_row(&m_apc, na, z), drift_row(&m_ad, na, z)];
        drift_names = vec![format!("APC ({drtyp})"), "A-d".to_string()];
        match params.parm {
            ApcParm::AdPc | ApcParm::Apc => {
                age = effect(&m_apc, &range(0, na), &ga, a, z, sc);
                let (pi, pd): (Vec<usize>, Vec<&[f64]>) = if params.parm == ApcParm::Apc {
                    (range(na, 1 + np), cat(&[&[dp.as_slice()], &mpr_s]))
                } else {
                    (range(na + 1, np), mpr_s.clone())
                };
                period = effect(&m_apc, &pi, &pd, p, z, 1.0);
                cohort = effect(&m_apc, &range(na + 1 + np, nc), &mcr_s, &c, z, 1.0);
            }
            _ => {
                let m = keep(poisson(d, &cat(&[&ga, &[dc.as_slice()], &mpr_s, &mcr_s]), &log_y)?);
                age = effect(&m, &range(0, na), &ga, a, z, sc);
                period = effect(&m, &range(na + 1, np), &mpr_s, p, z, 1.0);
                let (ci, cd): (Vec<usize>, Vec<&[f64]>) = if params.parm == ApcParm::Acp {
                    (std::iter::once(na).chain(range(na + 1 + np, nc)).collect(), cat(&[&[dc.as_slice()], &mcr_s]))
                } else {
                    (range(na + 1 + np, nc), mcr_s.clone())
                };
                cohort = effect(&m, &ci, &cd, &c, z, 1.0);
            }
        }
    } else {
        let adc = keep(poisson(d, &cat(&[&ga, &[dc.as_slice()]]), &log_y)?);
        // as apc.fit, the sequential parametrisations' drift has 95% limits whatever alpha
        drift = vec![drift_row(&adc, na, qnorm(0.975))];
        drift_names = vec!["A-d".to_string()];
        let xp = cat(&[&[ones.as_slice()], &[dp.as_slice()], &mpr_s]);
        let xc = cat(&[&[ones.as_slice()], &[dc.as_slice()], &mcr_s]);
        let lp = cat(&[&[dp.as_slice()], &mpr_s]);
        let lc = cat(&[&[dc.as_slice()], &mcr_s]);
        let all = |k: usize| range(0, k);
        match params.parm {
            ApcParm::AdCP => {
                let rc = keep(poisson(d, &xc, &adc.linear_predictors)?);
                let rp = keep(poisson(d, &xp, &adc.linear_predictors)?);
                age = effect(&adc, &range(0, na), &ga, a, z, sc);
                cohort = effect(&rc, &all(xc.len()), &xc, &c, z, 1.0);
                period = effect(&rp, &all(xp.len()), &xp, p, z, 1.0);
            }
            ApcParm::AdPC => {
                let rp = keep(poisson(d, &xp, &m_ad.linear_predictors)?);
                let rc = keep(poisson(d, &xc, &rp.linear_predictors)?);
                age = effect(&m_ad, &range(0, na), &ga, a, z, sc);
                period = effect(&rp, &all(xp.len()), &xp, p, z, 1.0);
                cohort = effect(&rc, &all(xc.len()), &xc, &c, z, 1.0);
            }
            ApcParm::AcP => {
                let ac = keep(poisson(d, &cat(&[&ga, &lc]), &log_y)?);
                let rp = keep(poisson(d, &xp, &ac.linear_predictors)?);
                age = effect(&ac, &range(0, na), &ga, a, z, sc);
                cohort = effect(&ac, &range(na, lc.len()), &lc, &c, z, 1.0);
                period = effect(&rp, &all(xp.len()), &xp, p, z, 1.0);
            }
            _ => {
                let ap = keep(poisson(d, &cat(&[&ga, &lp]), &log_y)?);
                let rc = keep(poisson(d, &xc, &ap.linear_predictors)?);
                age = effect(&ap, &range(0, na), &ga, a, z, sc);
                period = effect(&ap, &range(na, lp.len()), &lp, p, z, 1.0);
                cohort = effect(&rc, &all(xc.len()), &xc, &c, z, 1.0);
            }
        }
    }
    let knots = match (ba.knots, bp.knots, bc.knots) {
        (Some(x), Some(y), Some(z)) => Some([x, y, z]),
        _ => None,
    };
    Ok(ApcFit {
        age,
        period,
        cohort,
        drift_names,
        drift,
        anova,
        ref_p: p0,
        ref_c: c0,
        knots,
        model: params.model,
        parm: params.parm,
        warnings,
    })
}

fn cat<'a>(parts: &[&[&'a [f64]]]) -> Vec<&'a [f64]> {
    parts.iter().flat_map(|p| p.iter().copied()).collect()
}

/// apc.fit's `anova(m.A, m.Ad, m.AC, m.APC, m.AP, m.Ad, test = "Chisq")`, absolute values.
fn anova_table(fits: &[&GlmFit]) -> ApcAnova {
    let mut t = ApcAnova {
        model: vec!["Age", "Age-drift", "Age-Cohort", "Age-Period-Cohort", "Age-Period", "Age-drift"],
        h0: vec!["", "zero drift ", "Coh eff|dr.", "Per eff|Coh", "Coh eff|Per", "Per eff|dr."],
        ..Default::default()
    };
    for (i, f) in fits.iter().enumerate() {
        t.aic.push(f.aic);
        t.mod_df.push(f.df_residual as f64);
        t.mod_dev.push(f.deviance);
        if i == 0 {
            t.test_df.push(f64::NAN);
            t.test_dev.push(f64::NAN);
            t.p.push(f64::NAN);
            t.dev_df.push(f64::NAN);
            continue;
        }
        let g = fits[i - 1];
        let df = g.df_residual as f64 - f.df_residual as f64;
        let dev = g.deviance - f.deviance;
        let val = dev * df.signum();
        let pv = if df == 0.0 || val < 0.0 {
            f64::NAN
        } else {
            pchisq_upper(val, df.abs() as usize)
        };
        t.test_df.push(df.abs());
        t.test_dev.push(dev.abs());
        t.p.push(pv);
        t.dev_df.push(dev.abs() / df.abs());
    }
    t
}
