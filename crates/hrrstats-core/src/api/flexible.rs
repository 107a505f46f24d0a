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
use crate::survival::flexible::{fit, FlexData, FlexFit, FlexParams, FlexPredict, FlexScale, Pred};

struct FlexModelFit {
    fit: FlexFit,
    covariates: Vec<String>,
    conf_level: f64,
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
    let fit = fit(&params, &data)?;
    let model = FlexModelFit { fit, covariates: names, conf_level };
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
            .with("conf_level", self.conf_level))
    }

    /// Covariate rows from the record argument `arg` (the model's covariates, in its
    /// order); a model without covariates gives one empty row (or `n_default`).
    fn rows(&self, args: &Args, arg: &'static str) -> Result<Vec<Vec<f64>>> {
        let p = self.covariates.len();
        match args.get(arg) {
            None => {
                if p > 0 {
                    return Err(Error::InvalidArgument {
                        arg,
                        reason: format!("is required: the model's covariates are {}", self.covariates.join(", ")),
                    });
                }
                Ok(vec![Vec::new()])
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
                    return Ok(vec![Vec::new(); m.max(1)]);
                }
                Ok((0..m).map(|i| out_cols.iter().map(|c| c[i]).collect()).collect())
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
        let se = self.fit.quad(&p.grad).sqrt();
        let e = p.est;
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
                        if kind == FlexPredict::Hr {
                            let r = f.log_hazard(&reference[if reference.len() == 1 { 0 } else { i }], t);
                            lh.est -= r.est;
                            lh.grad.iter_mut().zip(&r.grad).for_each(|(a, b)| *a -= b);
                        }
                        let s = f.quad(&lh.grad).sqrt();
                        let e = lh.est.exp();
                        [e, e * s, (lh.est - z * s).exp(), (lh.est + z * s).exp()]
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
            _ => Err(no_such("a flexible parametric fit", method)),
        }
    }
}
