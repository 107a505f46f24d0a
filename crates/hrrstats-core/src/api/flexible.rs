//! Flexible parametric (Royston–Parmar) survival models through the protocol
//! (`stpm2` / `rstpm2::stpm2`).
//!
//! `flexible_parametric` fits the model and returns its numbers with a handle that
//! answers `predict` (survival, hazard, cumulative hazard, hazard ratio, RMST at times
//! for covariate rows, with delta-method standard errors and confidence limits),
//! `standardize` (marginal survival or RMST over a data set, and its contrast with a
//! `reference` data set) and `coef_table`.

use super::{no_such, Fitted, Output};
use crate::dist::qnorm;
use crate::error::{Error, Result};
use crate::inference::{CoefTable, WaldDist};
use crate::protocol::{Arg, Args, Matrix, Record, Table, Value};
use super::relsurv::{check_follow_up_unit, name_person_args, persons, spec, Kind, Spec};
use crate::survival::flexible::{fit, FlexData, FlexFit, FlexParams, FlexPredict, FlexScale, Pred, RelativeIntegrals, RelativeScratch};

struct FlexModelFit {
    fit: FlexFit,
    covariates: Vec<String>,
    conf_level: f64,
    /// Fitted with `bhazard`: an excess-hazard (relative-survival) model, whose
    /// survival is net (relative) survival.
    relative: bool,
}

/// Flexible parametric survival model: `time`, `status`, optional `covariates` (named
/// numeric columns), `entry` (delayed entry), `weights`, `bhazard` (expected hazard at
/// each row's exit time: relative survival), `df` (3), `knots` (interior knots of the
/// baseline spline, time scale), `boundary_knots` (two times), `scale` ("hazard",
/// "odds", "normal"), `tvc` (named list covariate = df), `max_iter` (50), `eps` (1e-12),
/// `conf_level` (0.95).
pub fn flexible_parametric(args: &Args) -> Result<Output> {
    let surv = super::survival::survival_data(args, true)?;
    let (x, names) = match args.get("covariates") {
        None => (Vec::new(), Vec::new()),
        Some(_) => args.columns("covariates")?,
    };
    let mut tvc = Vec::new();
    if let Some(r) = args.record("tvc")? {
        for (k, v) in &r.items {
            let c = names.iter().position(|n| n == k).ok_or_else(|| Error::InvalidArgument {
                arg: "tvc",
                reason: format!("\"{k}\" is not a covariate of the model (covariates: {})", names.join(", ")),
            })?;
            let df = match v {
                Arg::Num(d) if *d >= 1.0 && d.fract() == 0.0 => *d as usize,
                Arg::Nums(d) if d.len() == 1 && d[0] >= 1.0 && d[0].fract() == 0.0 => d[0] as usize,
                _ => {
                    return Err(Error::InvalidArgument {
                        arg: "tvc",
                        reason: format!("the degrees of freedom of \"{k}\" must be a positive whole number"),
                    })
                }
            };
            tvc.push((c, df));
        }
    }
    let boundary_knots = match args.opt_nums("boundary_knots")? {
        None => None,
        Some(b) if b.len() == 2 => Some([b[0], b[1]]),
        Some(b) => {
            return Err(Error::InvalidArgument {
                arg: "boundary_knots",
                reason: format!("must be two times, got {} values", b.len()),
            })
        }
    };
    let params = FlexParams {
        df: args.count_or("df", 3, 1)?,
        knots: args.opt_nums("knots")?.map(|k| k.to_vec()),
        boundary_knots,
        scale: args.option::<FlexScale>("scale")?,
        tvc,
        max_iter: args.count_or("max_iter", 50, 1)?,
        eps: args.num_or("eps", 1e-12)?,
        ..FlexParams::default()
    };
    let conf_level = args.num_or("conf_level", 0.95)?;
    crate::data::check_conf_level(conf_level)?;
    let data = FlexData { surv, x, names: names.clone(), bhazard: args.opt_nums("bhazard")? };
    let relative = data.bhazard.is_some();
    let fit = fit(&params, &data)?;
    let model = FlexModelFit { fit, covariates: names, conf_level, relative };
    let rec = model.record()?;
    Ok(Output::fit(rec, model))
}

impl FlexModelFit {
    fn coef_table(&self, conf_level: f64) -> Result<Table> {
        let f = &self.fit;
        let q = f.q();
        let se: Vec<f64> = (0..q).map(|j| f.var[j * q + j].sqrt()).collect();
        CoefTable { names: &f.names, coef: &f.coef, se: &se, naive_se: None, dist: WaldDist::Normal, exp: false, conf_level }
            .table()
    }

    fn record(&self) -> Result<Record> {
        let f = &self.fit;
        let q = f.q();
        let se: Vec<f64> = (0..q).map(|j| f.var[j * q + j].sqrt()).collect();
        let knots: Vec<f64> = f.knots[0].iter().map(|k| k.exp()).collect();
        Ok(Record::new()
            .with("table", self.coef_table(self.conf_level)?)
            .with("names", f.names.clone())
            .with("covariates", self.covariates.clone())
            .with("coef", &f.coef)
            .with("se", se)
            .with("var", Matrix::square(&f.var, &f.names))
            .with("loglik", f.loglik)
            .with("df", (0..q).filter(|&j| !f.aliased[j]).count())
            .with("aliased", f.aliased.clone())
            .with("iterations", f.iterations)
            .with("converged", f.converged)
            .with("halvings", f.halvings)
            .with("n", f.n)
            .with("n_event", f.n_event)
            .with("scale", f.model.scale.name())
            .with("knots", knots)
            .with("warnings", f.warnings.clone())
            .with("conf_level", self.conf_level)
            .with("relative", self.relative))
    }

    /// Covariate rows from the record argument `arg` (the model's covariates, in its
    /// order); a model without covariates gives one empty row (or `n_default`).
    fn rows(&self, args: &Args, arg: &'static str) -> Result<Vec<Vec<f64>>> {
        let p = self.covariates.len();
        let (flat, m) = self.rows_flat(args, arg)?;
        Ok((0..m).map(|i| flat[i * p..(i + 1) * p].to_vec()).collect())
    }

    /// [`FlexModelFit::rows`] as one row-major block (`p` values a row) and the number of
    /// rows.
    fn rows_flat(&self, args: &Args, arg: &'static str) -> Result<(Vec<f64>, usize)> {
        let p = self.covariates.len();
        match args.get(arg) {
            None => {
                if p > 0 {
                    return Err(Error::InvalidArgument {
                        arg,
                        reason: format!("is required: the model's covariates are {}", self.covariates.join(", ")),
                    });
                }
                Ok((Vec::new(), 1))
            }
            Some(_) => {
                let (cols, names) = args.columns(arg)?;
                let mut out_cols = Vec::with_capacity(p);
                for c in &self.covariates {
                    let k = names.iter().position(|n| n == c).ok_or_else(|| Error::InvalidArgument {
                        arg,
                        reason: format!("has no column \"{c}\" (the model's covariates: {})", self.covariates.join(", ")),
                    })?;
                    out_cols.push(cols[k]);
                }
                let m = cols.first().map_or(1, |c| c.len());
                for (c, nm) in cols.iter().zip(&names) {
                    crate::data::check_len(arg, c.len(), arg, m)?;
                    if let Some(row) = c.iter().position(|v| !v.is_finite()) {
                        return Err(Error::InvalidCell { arg, column: nm.clone(), row, value: c[row], problem: "value is not finite" });
                    }
                }
                if p == 0 {
                    return Ok((Vec::new(), m.max(1)));
                }
                let mut flat = vec![0.0; m * p];
                for (j, c) in out_cols.iter().enumerate() {
                    for (i, v) in c.iter().enumerate() {
                        flat[i * p + j] = *v;
                    }
                }
                Ok((flat, m))
            }
        }
    }

    fn times(args: &Args) -> Result<Vec<f64>> {
        let t = args.nums("times")?;
        for (row, &v) in t.iter().enumerate() {
            if !(v > 0.0 && v.is_finite()) {
                return Err(Error::InvalidValue { arg: "times", row, value: v, problem: "times must be positive and finite" });
            }
        }
        Ok(t.to_vec())
    }

    /// Estimate, standard error and limits: `est` with gradient, its CI on a transformed
    /// scale (`Log`: log; `Cloglog`: log(−log)).
    fn limits(&self, p: &Pred, tr: Tr, z: f64) -> [f64; 4] {
        self.limits_of(p.est, &p.grad, tr, z)
    }

    /// [`FlexModelFit::limits`] of an estimate `e` with gradient `grad`.
    fn limits_of(&self, e: f64, grad: &[f64], tr: Tr, z: f64) -> [f64; 4] {
        let se = self.fit.quad(grad).sqrt();
        let (lo, hi) = match tr {
            Tr::Log => {
                let s = se / e;
                ((e.ln() - z * s).exp(), (e.ln() + z * s).exp())
            }
            Tr::Cloglog => {
                let u = (-e.ln()).ln();
                let s = se / (e * e.ln()).abs();
                ((-(u + z * s).exp()).exp(), (-(u - z * s).exp()).exp())
            }
        };
        [e, se, lo, hi]
    }

    fn predict(&self, args: &Args) -> Result<Value> {
        let kind = args.option::<FlexPredict>("type")?;
        let times = Self::times(args)?;
        let rows = self.rows(args, "covariates")?;
        let level = args.num_or("conf_level", self.conf_level)?;
        crate::data::check_conf_level(level)?;
        let z = qnorm(0.5 + level / 2.0);
        let reference = if kind == FlexPredict::Hr {
            let r = self.rows(args, "reference")?;
            if r.len() != 1 && r.len() != rows.len() {
                return Err(Error::InvalidArgument {
                    arg: "reference",
                    reason: format!("must have one row or as many rows as `covariates` ({}), got {}", rows.len(), r.len()),
                });
            }
            r
        } else {
            Vec::new()
        };
        let f = &self.fit;
        let mut cols: [Vec<f64>; 4] = Default::default();
        let (mut rid, mut tid) = (Vec::new(), Vec::new());
        for (i, x) in rows.iter().enumerate() {
            for &t in &times {
                let v = match kind {
                    FlexPredict::Survival => self.limits(&f.survival(x, t), Tr::Cloglog, z),
                    FlexPredict::Cumhaz => self.limits(&f.cumhaz(x, t), Tr::Log, z),
                    FlexPredict::Rmst => self.limits(&f.rmst(x, t), Tr::Log, z),
                    FlexPredict::Hazard | FlexPredict::Hr => {
                        let mut lh = f.log_hazard(x, t);
                        if kind == FlexPredict::Hazard && self.relative && lh.est.is_nan() {
                            // a negative (or zero) excess hazard: on its own scale
                            let h = f.hazard_signed(x, t);
                            let s = f.quad(&h.grad).sqrt();
                            [h.est, s, h.est - z * s, h.est + z * s]
                        } else {
                            if kind == FlexPredict::Hr {
                                let xr = &reference[if reference.len() == 1 { 0 } else { i }];
                                let r = if self.relative {
                                    // excess hazards of the same sign (both may be negative)
                                    let ((a, sa), (r, sr)) = (f.log_abs_hazard(x, t), f.log_abs_hazard(xr, t));
                                    lh = if sa != 0.0 && sa == sr { a } else { Pred { est: f64::NAN, grad: vec![f64::NAN; a.grad.len()] } };
                                    r
                                } else {
                                    f.log_hazard(xr, t)
                                };
                                lh.est -= r.est;
                                lh.grad.iter_mut().zip(&r.grad).for_each(|(a, b)| *a -= b);
                            }
                            let s = f.quad(&lh.grad).sqrt();
                            let e = lh.est.exp();
                            [e, e * s, (lh.est - z * s).exp(), (lh.est + z * s).exp()]
                        }
                    }
                };
                for k in 0..4 {
                    cols[k].push(v[k]);
                }
                rid.push((i + 1) as f64);
                tid.push(t);
            }
        }
        let [e, s, l, u] = cols;
        Ok(Table::new()
            .with("row", rid)
            .with("time", tid)
            .with("estimate", e)
            .with("std_err", s)
            .with("lower", l)
            .with("upper", u)
            .into())
    }

    fn standardize(&self, args: &Args) -> Result<Value> {
        let kind = args.option::<FlexPredict>("type")?;
        if !matches!(kind, FlexPredict::Survival | FlexPredict::Rmst) {
            return Err(Error::InvalidArgument { arg: "type", reason: "must be \"survival\" or \"rmst\" for standardize".into() });
        }
        let times = Self::times(args)?;
        let rows = self.rows(args, "covariates")?;
        let level = args.num_or("conf_level", self.conf_level)?;
        crate::data::check_conf_level(level)?;
        let z = qnorm(0.5 + level / 2.0);
        let f = &self.fit;
        let q = f.q();
        let reference = match args.get("reference") {
            None => None,
            Some(_) => Some(self.rows(args, "reference")?),
        };
        let mean = |rows: &[Vec<f64>], t: f64| -> Result<Pred> {
            let m = rows.len() as f64;
            let mut acc = Pred { est: 0.0, grad: vec![0.0; q] };
            for x in rows {
                crate::interrupt::check()?;
                let p = if kind == FlexPredict::Survival { f.survival(x, t) } else { f.rmst(x, t) };
                acc.est += p.est / m;
                acc.grad.iter_mut().zip(&p.grad).for_each(|(a, b)| *a += b / m);
            }
            Ok(acc)
        };
        let tr = if kind == FlexPredict::Survival { Tr::Cloglog } else { Tr::Log };
        let mut cols: [Vec<f64>; 4] = Default::default();
        let mut rcols: [Vec<f64>; 6] = Default::default();
        for &t in &times {
            let acc = mean(&rows, t)?;
            let v = self.limits(&acc, tr, z);
            for k in 0..4 {
                cols[k].push(v[k]);
            }
            if let Some(r) = &reference {
                // the contrast: mean over `covariates` minus mean over `reference`
                let racc = mean(r, t)?;
                let rv = self.limits(&racc, tr, z);
                let d = Pred {
                    est: acc.est - racc.est,
                    grad: acc.grad.iter().zip(&racc.grad).map(|(a, b)| a - b).collect(),
                };
                let se = f.quad(&d.grad).sqrt();
                for (k, val) in [rv[0], rv[1], d.est, se, d.est - z * se, d.est + z * se].into_iter().enumerate() {
                    rcols[k].push(val);
                }
            }
        }
        let [e, s, l, u] = cols;
        let mut tab = Table::new().with("time", times).with("estimate", e).with("std_err", s).with("lower", l).with("upper", u);
        if reference.is_some() {
            let [re, rs, d, ds, dl, du] = rcols;
            tab = tab
                .with("reference_estimate", re)
                .with("reference_std_err", rs)
                .with("difference", d)
                .with("difference_std_err", ds)
                .with("difference_lower", dl)
                .with("difference_upper", du);
        }
        Ok(tab.into())
    }
}

/// Crude probabilities and life expectancies of a relative-survival fit (see
/// [`FlexFit::relative_integrals`]).
impl FlexModelFit {
    /// The rate table, the persons' covariate rows and their values at diagnosis (in the
    /// table's units, as the table reads them), checked.
    fn relative_persons(&self, args: &Args, method: &str) -> Result<(Spec, Vec<Vec<f64>>, Vec<f64>, Vec<Vec<f64>>)> {
        if !self.relative {
            return Err(Error::InvalidArgument {
                arg: "bhazard",
                reason: format!(
                    "{method} needs a relative-survival fit: fit the model with `bhazard` (each row's \
                     expected hazard at its exit time, e.g. from expected_hazard)"
                ),
            });
        }
        let s = spec(args)?;
        let p = persons(args, &s)?;
        let n = p.first().map_or(0, |c| c.len());
        let v: Vec<&[f64]> = p.iter().map(|c| &c[..]).collect();
        s.table.check_values(&v, n).map_err(name_person_args(&s))?;
        s.table.check_coverage(&v).map_err(name_person_args(&s))?;
        if n == 0 {
            return Err(Error::InvalidArgument { arg: "age", reason: "no persons were given".into() });
        }
        // row-major, one row per person (none without covariates)
        let (rows, m) = self.rows_flat(args, "covariates")?;
        if !self.covariates.is_empty() && m != n {
            return Err(Error::LengthMismatch { arg: "covariates", len: m, expected_arg: "age", expected: n });
        }
        let look: Vec<Vec<f64>> = s.table.lookup_values(&v).into_iter().map(|c| c.into_owned()).collect();
        Ok((s, p, rows, look))
    }

    /// Each person's integrals at their `ends(i)` (ascending; as many for every person),
    /// in parallel blocks: θ and the knots once, working buffers reused per worker.
    fn integrate<'e>(
        &self,
        s: &Spec,
        rows: &[f64],
        look: &[Vec<f64>],
        n: usize,
        ends: &(dyn Fn(usize) -> &'e [f64] + Sync),
        cost: usize,
    ) -> Result<RelativeIntegrals> {
        use rayon::prelude::*;
        let adv = s.table.advances();
        let plan = self.fit.relative_plan();
        let (p, q, dims) = (self.covariates.len(), self.fit.q(), look.len());
        let fit = &self.fit;
        let all = crate::interrupt::in_blocks(
            n,
            cost,
            RelativeIntegrals::new(q),
            |r| {
                r.into_par_iter()
                    .fold(
                        || (RelativeScratch::new(q, dims), vec![0.0; dims], RelativeIntegrals::new(q)),
                        |(mut buf, mut point, mut out), i| {
                            for (v, c) in point.iter_mut().zip(look) {
                                *v = c[i];
                            }
                            let x = &rows[(i * p).min(rows.len())..((i + 1) * p).min(rows.len())];
                            fit.relative_integrals(&plan, &s.table, &adv, &point, x, ends(i), &mut buf, &mut out);
                            (buf, point, out)
                        },
                    )
                    .map(|(_, _, out)| out)
                    .reduce(
                        || RelativeIntegrals::new(q),
                        |mut a, b| {
                            a.append(b);
                            a
                        },
                    )
            },
            |mut a, b| {
                a.append(b);
                a
            },
        )?;
        if let Some(slope) = all.too_steep {
            return Err(Error::InvalidArgument {
                arg: "df",
                reason: format!(
                    "the fitted model is degenerate: its spline in log time is too steep to integrate \
                     (|d eta / d log t| reaches {slope:.3e}; e.g. too many degrees of freedom for few \
                     distinct times); refit with fewer degrees of freedom (df) or other knots"
                ),
            });
        }
        Ok(all)
    }

    /// The warning for a fitted excess hazard that is not positive somewhere in the
    /// integrals' range (the earliest time over the persons), if any.
    fn nonpositive_warning(all: &RelativeIntegrals, what: &str) -> Vec<String> {
        match all.first_nonpositive {
            Some(first) if first.is_finite() => vec![format!(
                "the fitted excess hazard is not positive at time {first} (the earliest such time; a \
                 non-monotone spline, or one decreasing beyond its last knot where the model is \
                 extrapolated): the {what} are not valid; consider fewer degrees of freedom (df) or \
                 other knots"
            )],
            _ => Vec::new(),
        }
    }

    /// The mean over the `n` persons of column `est` (gradients `grad`) at each person's
    /// `k`-th of `ends` ends (estimate and gradient).
    fn mean_pred(all: &RelativeIntegrals, n: usize, ends: usize, k: usize, est: &[f64], grad: &[f64]) -> Pred {
        let m = n as f64;
        let mut acc = Pred { est: 0.0, grad: vec![0.0; all.q] };
        for i in 0..n {
            let r = i * ends + k;
            acc.est += est[r] / m;
            acc.grad.iter_mut().zip(all.grad(grad, r)).for_each(|(a, b)| *a += b / m);
        }
        acc
    }

    /// `crude_probabilities(times, ratetable, age, year, sex, covariates, individual,
    /// conf_level)`: the crude probabilities of death from the cancer and from other
    /// (population) causes by each time (the table's time unit), averaged over the persons
    /// (or per person with `individual`): a table of [row,] time, cause ("cancer",
    /// "population"), estimate, std_err (delta method), lower, upper (on the log(−log)
    /// scale, as cmprsk's cumulative incidence), in a record with `warnings` (a fitted
    /// excess hazard that is not positive somewhere up to the last time).
    fn crude_probabilities(&self, args: &Args) -> Result<Value> {
        let (s, p, rows, look) = self.relative_persons(args, "crude_probabilities")?;
        let times = Self::times(args)?;
        check_follow_up_unit(&s, &p, "times", &times, false)?;
        let individual = args.flag_or("individual", false)?;
        let level = args.num_or("conf_level", self.conf_level)?;
        crate::data::check_conf_level(level)?;
        let z = qnorm(0.5 + level / 2.0);
        let mut ends = times.clone();
        ends.sort_by(f64::total_cmp);
        ends.dedup();
        let pos: Vec<usize> = times.iter().map(|t| ends.partition_point(|e| e < t)).collect();
        let n = p.first().map_or(0, |c| c.len());
        let ne = ends.len();
        let all = self.integrate(&s, &rows, &look, n, &|_| &ends[..], 3000 * ne.max(1))?;
        let mut cols: [Vec<f64>; 4] = Default::default();
        let (mut rid, mut tid, mut cause) = (Vec::new(), Vec::new(), Vec::new());
        let mut push = |row: usize, t: f64, c: &str, est: f64, grad: &[f64]| {
            let v = self.limits_of(est, grad, Tr::Cloglog, z);
            for k in 0..4 {
                cols[k].push(v[k]);
            }
            rid.push(row as f64);
            tid.push(t);
            cause.push(c.to_string());
        };
        if individual {
            for i in 0..n {
                for c in ["cancer", "population"] {
                    let (est, grad) = if c == "cancer" { (&all.cancer, &all.cancer_grad) } else { (&all.population, &all.population_grad) };
                    for (&t, &k) in times.iter().zip(&pos) {
                        let r = i * ne + k;
                        push(i + 1, t, c, est[r], all.grad(grad, r));
                    }
                }
            }
        } else {
            for c in ["cancer", "population"] {
                let (est, grad) = if c == "cancer" { (&all.cancer, &all.cancer_grad) } else { (&all.population, &all.population_grad) };
                for (&t, &k) in times.iter().zip(&pos) {
                    let m = Self::mean_pred(&all, n, ne, k, est, grad);
                    push(0, t, c, m.est, &m.grad);
                }
            }
        }
        let [e, se, l, u] = cols;
        let mut tab = Table::new();
        if individual {
            tab.push("row", rid);
        }
        let tab = tab
            .with("time", tid)
            .with("cause", cause)
            .with("estimate", e)
            .with("std_err", se)
            .with("lower", l)
            .with("upper", u);
        Ok(Record::new()
            .with("table", tab)
            .with("warnings", Self::nonpositive_warning(&all, "crude probabilities"))
            .into())
    }

    /// `loss_in_life_expectancy(ratetable, age, year, sex, covariates, horizon, max_age,
    /// individual, conf_level)`: expected life expectancy `∫ S*` minus observed `∫ S* R`
    /// (the model extrapolated beyond follow-up), both up to `horizon` (the table's time
    /// unit) or, by default, to each person's attained age `max_age` (years, 110); in the
    /// table's time unit, averaged over the persons (or per person with `individual`): a
    /// table of [row, horizon,] expected, observed, observed_std_err, observed_lower,
    /// observed_upper (log scale), loss, loss_std_err, loss_lower, loss_upper, in a record
    /// with `warnings` (as crude_probabilities').
    fn loss_in_life_expectancy(&self, args: &Args) -> Result<Value> {
        let (s, p, rows, look) = self.relative_persons(args, "loss_in_life_expectancy")?;
        let individual = args.flag_or("individual", false)?;
        let level = args.num_or("conf_level", self.conf_level)?;
        crate::data::check_conf_level(level)?;
        let z = qnorm(0.5 + level / 2.0);
        let n = p.first().map_or(0, |c| c.len());
        let horizons: Vec<f64> = match args.opt_num("horizon")? {
            Some(h) => {
                if !(h > 0.0 && h.is_finite()) {
                    return Err(Error::InvalidArgument { arg: "horizon", reason: format!("must be a positive finite time, not {h}") });
                }
                check_follow_up_unit(&s, &p, "horizon", &[h], false)?;
                vec![h; n]
            }
            None => {
                let max_age = args.num_or("max_age", 110.0)?;
                if !(max_age > 0.0 && max_age <= 150.0) {
                    return Err(Error::InvalidArgument { arg: "max_age", reason: format!("must be an age in years above 0 and at most 150, not {max_age}") });
                }
                let a = s.kinds.iter().position(|k| *k == Kind::Age).ok_or_else(|| Error::InvalidArgument {
                    arg: "horizon",
                    reason: "is required: the rate table has no age dimension to reach max_age on".into(),
                })?;
                let top = max_age * s.unit.year();
                let mut h = Vec::with_capacity(n);
                for (i, &age) in p[a].iter().enumerate() {
                    if !(age < top) {
                        return Err(Error::InvalidValue {
                            arg: "age",
                            row: i,
                            value: args.nums("age")?.get(i).copied().unwrap_or(age),
                            problem: "the age at diagnosis is not below max_age",
                        });
                    }
                    h.push(top - age);
                }
                h
            }
        };
        let all = self.integrate(&s, &rows, &look, n, &|i| std::slice::from_ref(&horizons[i]), 3000)?;
        let mut cols: [Vec<f64>; 9] = Default::default();
        let mut row = |exp: f64, ob: f64, grad: &[f64]| {
            let o = self.limits_of(ob, grad, Tr::Log, z);
            let loss = exp - ob;
            let se = o[1];
            for (k, v) in [exp, o[0], o[1], o[2], o[3], loss, se, loss - z * se, loss + z * se].into_iter().enumerate() {
                cols[k].push(v);
            }
        };
        let mut tab = Table::new();
        if individual {
            for i in 0..n {
                row(all.expected[i], all.observed[i], all.grad(&all.observed_grad, i));
            }
            tab.push("row", (1..=n).map(|i| i as f64).collect::<Vec<f64>>());
            tab.push("horizon", horizons);
        } else {
            let e = all.expected.iter().sum::<f64>() / n as f64;
            let m = Self::mean_pred(&all, n, 1, 0, &all.observed, &all.observed_grad);
            row(e, m.est, &m.grad);
        }
        let names = ["expected", "observed", "observed_std_err", "observed_lower", "observed_upper", "loss", "loss_std_err", "loss_lower", "loss_upper"];
        for (nm, c) in names.iter().zip(cols) {
            tab.push(nm, c);
        }
        Ok(Record::new()
            .with("table", tab)
            .with("warnings", Self::nonpositive_warning(&all, "life expectancies"))
            .into())
    }
}

#[derive(Clone, Copy)]
enum Tr {
    Log,
    Cloglog,
}

impl Fitted for FlexModelFit {
    fn call(&self, method: &str, args: &Args) -> Result<Value> {
        match method {
            "predict" => self.predict(args),
            "standardize" => self.standardize(args),
            "coef_table" => Ok(self.coef_table(args.num_or("conf_level", self.conf_level)?)?.into()),
            "crude_probabilities" => self.crude_probabilities(args),
            "loss_in_life_expectancy" => self.loss_in_life_expectancy(args),
            _ => Err(no_such("a flexible parametric fit", method)),
        }
    }
}
