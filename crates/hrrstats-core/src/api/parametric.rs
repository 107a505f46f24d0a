//! Parametric survival regression through the protocol (`survival::survreg`).
//!
//! `parametric_survival` fits the model and returns its numbers with a handle that
//! answers `predict` (linear predictor, quantiles of the time with delta-method
//! standard errors, survival at times; for the fitted rows or new covariate rows) and
//! `coef_table` (the Wald table at another level).

use super::{no_such, Fitted, Output};
use crate::data::check_times;
use crate::error::{Error, Result};
use crate::inference::{CoefTable, WaldDist};
use crate::protocol::{Arg, Args, Matrix, Record, Table, Value};
use crate::survival::parametric::{fit, Dist, ParametricData, ParametricFit, ParametricParams};

crate::option_enum!(PredictType, "type",
    "lp" => PredictType::Lp, "quantile" => PredictType::Quantile,
    "survival" => PredictType::Survival);

/// What `predict` returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PredictType {
    #[default]
    Lp,
    Quantile,
    Survival,
}

/// The fit with the rows it was fitted to (for predictions without new data).
struct ParametricModel {
    fit: ParametricFit,
    x: Vec<Vec<f64>>,
    offset: Option<Vec<f64>>,
    strata: Option<Vec<u32>>,
    strata_levels: Vec<String>,
    conf_level: f64,
}

/// Parametric survival regression, as `survival::survreg`: `time`, `status`, optional
/// `covariates` (named numeric columns, without an intercept), `intercept` (true),
/// `entry` (delayed entry), `weights`, `strata` (a scale per stratum), `offset`,
/// `dist` ("weibull", "exponential", "lognormal", "loglogistic", "gaussian",
/// "logistic"; "gompertz": proportional hazards with rate `exp(x'β)` and a shape,
/// flexsurv's parametrisation), `scale` (a fixed scale; default estimated), `init`, `max_iter` (30),
/// `eps` (1e-9), `conf_level` (0.95, of `table`).
pub fn parametric_survival(args: &Args) -> Result<Output> {
    let surv = super::survival::survival_data(args, true)?;
    let (x, names) = match args.get("covariates") {
        None => (Vec::new(), Vec::new()),
        Some(_) => args.columns("covariates")?,
    };
    let params = ParametricParams {
        dist: args.option::<Dist>("dist")?,
        scale: args.opt_num("scale")?.filter(|&s| s != 0.0),
        max_iter: args.count_or("max_iter", 30, 1)?,
        eps: args.num_or("eps", 1e-9)?,
        init: args.opt_nums("init")?.map(|v| v.to_vec()),
        intercept: args.flag_or("intercept", true)?,
        ..ParametricParams::default()
    };
    let conf_level = args.num_or("conf_level", 0.95)?;
    crate::data::check_conf_level(conf_level)?;
    let data = ParametricData {
        surv,
        x: x.clone(),
        names,
        offset: args.opt_nums("offset")?,
    };
    let fit = fit(&params, &data)?;
    let mut strata_levels = args.levels("strata");
    if strata_levels.is_empty() {
        strata_levels = (1..=surv.n_strata()).map(|k| k.to_string()).collect();
    }
    let model = ParametricModel {
        fit,
        x: x.iter().map(|c| c.to_vec()).collect(),
        offset: data.offset.map(|o| o.to_vec()),
        strata: surv.strata().map(|s| s.to_vec()),
        strata_levels,
        conf_level,
    };
    let rec = model.record()?;
    Ok(Output::fit(rec, model))
}

impl ParametricModel {
    /// Names of every parameter: coefficients, then "Log(scale)" (one stratum) or the
    /// stratum labels (survreg's names).
    fn param_names(&self) -> Vec<String> {
        let mut names = self.fit.names.clone();
        if self.fit.dist.is_gompertz() {
            names.push("shape".into());
        } else if !self.fit.fixed_scale {
            if self.fit.scale.len() == 1 {
                names.push("Log(scale)".into());
            } else {
                names.extend(self.strata_levels.iter().map(|l| format!("Log(scale):{l}")));
            }
        }
        names
    }

    /// The Wald table over the coefficients and the log scales (survreg's summary).
    fn coef_table(&self, conf_level: f64) -> Result<Table> {
        let f = &self.fit;
        let q = f.n_params;
        let names = self.param_names();
        let mut est = f.coef.clone();
        if f.dist.is_gompertz() {
            est.push(f.scale[0]);
        } else if !f.fixed_scale {
            est.extend(f.scale.iter().map(|s| s.ln()));
        }
        let se: Vec<f64> = (0..q).map(|j| f.var[j * q + j].sqrt()).collect();
        CoefTable {
            names: &names,
            coef: &est,
            se: &se,
            naive_se: None,
            dist: WaldDist::Normal,
            exp: false,
            conf_level,
        }
        .table()
    }

    fn record(&self) -> Result<Record> {
        let f = &self.fit;
        let q = f.n_params;
        let pb = f.n_beta();
        let se: Vec<f64> = (0..pb).map(|j| f.var[j * q + j].sqrt()).collect();
        let names = self.param_names();
        Ok(Record::new()
            .with("table", self.coef_table(self.conf_level)?)
            .with("names", f.names.clone())
            .with("coef", &f.coef)
            .with("se", se)
            .with("scale", if f.dist.is_gompertz() { Vec::new() } else { f.scale.clone() })
            .with("shape", if f.dist.is_gompertz() { f.scale[0] } else { f64::NAN })
            .with("strata_levels", self.strata_levels.clone())
            .with("var", Matrix::square(&f.var, &names))
            .with("loglik", f.loglik.to_vec())
            .with("lr_test", f.lr_test.record())
            .with("df", (0..q).filter(|&j| !f.aliased[j]).count())
            .with("aliased", f.aliased[..pb].to_vec())
            .with("iterations", f.iterations)
            .with("converged", f.converged)
            .with("halvings", f.halvings)
            .with("n", f.n)
            .with("n_event", f.n_event)
            .with("dist", f.dist.name())
            .with("linear_predictors", &f.linear_predictors)
            .with("warnings", f.warnings.clone())
            .with("conf_level", self.conf_level))
    }

    /// Rows to predict for: the covariate rows (without the intercept), offsets and
    /// stratum of each.
    fn rows(&self, args: &Args) -> Result<(Vec<Vec<f64>>, Vec<f64>, Vec<usize>)> {
        let f = &self.fit;
        let p = f.n_beta() - usize::from(f.intercept);
        let n_strata = f.scale.len();
        let (cols, offset, strata): (Vec<Vec<f64>>, Vec<f64>, Option<Vec<usize>>) =
            match args.get("covariates") {
                None => {
                    if args.get("offset").is_some() {
                        return Err(Error::InvalidArgument {
                            arg: "offset",
                            reason: "is for new covariate rows: give `covariates` too".into(),
                        });
                    }
                    let n = f.n;
                    (
                        self.x.clone(),
                        self.offset.clone().unwrap_or_else(|| vec![0.0; n]),
                        self.strata.as_ref().map(|s| s.iter().map(|&k| k as usize).collect()),
                    )
                }
                Some(_) => {
                    let (cols, names) = args.columns("covariates")?;
                    if names != f.names[usize::from(f.intercept)..] {
                        return Err(Error::InvalidArgument {
                            arg: "covariates",
                            reason: format!(
                                "the columns must be the model's covariates ({}), got ({})",
                                f.names[usize::from(f.intercept)..].join(", "),
                                names.join(", ")
                            ),
                        });
                    }
                    let m = cols.first().map_or(1, |c| c.len());
                    for (c, nm) in cols.iter().zip(&names) {
                        crate::data::check_len("covariates", c.len(), "covariates", m)?;
                        if let Some(row) = c.iter().position(|v| !v.is_finite()) {
                            return Err(Error::InvalidCell {
                                arg: "covariates",
                                column: nm.clone(),
                                row,
                                value: c[row],
                                problem: "value is not finite",
                            });
                        }
                    }
                    let offset = match args.opt_nums("offset")? {
                        Some(o) => {
                            crate::data::check_offset(o, m, "covariates")?;
                            o.to_vec()
                        }
                        None => vec![0.0; m],
                    };
                    let strata = match args.get("strata") {
                        None => None,
                        Some(_) => Some(self.new_strata(args, m)?),
                    };
                    (cols.iter().map(|c| c.to_vec()).collect(), offset, strata)
                }
            };
        let m = offset.len();
        let strata = match strata {
            Some(s) => s,
            None if n_strata <= 1 => vec![0; m],
            None => {
                return Err(Error::InvalidArgument {
                    arg: "strata",
                    reason: "the model has a scale per stratum: give the stratum of each new row"
                        .into(),
                })
            }
        };
        debug_assert_eq!(cols.len(), p);
        let rows = (0..m).map(|i| cols.iter().map(|c| c[i]).collect()).collect();
        Ok((rows, offset, strata))
    }

    /// The strata of new rows (a grouping whose labels are the fit's stratum labels) as
    /// the fit's stratum positions.
    fn new_strata(&self, args: &Args, m: usize) -> Result<Vec<usize>> {
        let (codes, _) = args.codes("strata")?;
        crate::data::check_len("strata", codes.len(), "covariates", m)?;
        let labels = match args.get("strata") {
            Some(Arg::Codes { levels, .. }) => levels.clone(),
            _ => Vec::new(),
        };
        codes
            .iter()
            .map(|&c| {
                let label = labels.get(c as usize).cloned().unwrap_or_else(|| c.to_string());
                self.strata_levels.iter().position(|l| *l == label).ok_or_else(|| {
                    Error::InvalidArgument {
                        arg: "strata",
                        reason: format!(
                            "\"{label}\" is not a stratum of the fit (strata: {})",
                            self.strata_levels.join(", ")
                        ),
                    }
                })
            })
            .collect()
    }

    fn predict(&self, args: &Args) -> Result<Value> {
        let f = &self.fit;
        let kind = args.option::<PredictType>("type")?;
        let se = args.flag_or("se", false)?;
        let (rows, offset, strata) = self.rows(args)?;
        match kind {
            PredictType::Lp => {
                let fit: Vec<f64> = rows.iter().zip(&offset).map(|(x, &o)| f.eta(x, o)).collect();
                if !se {
                    return Ok(Value::Nums(fit));
                }
                let s: Vec<f64> = rows.iter().map(|x| f.se_eta(x)).collect();
                Ok(Record::new().with("fit", fit).with("se_fit", s).into())
            }
            PredictType::Quantile => {
                let p = match args.opt_nums("p")? {
                    Some(p) => p.to_vec(),
                    None => vec![0.1, 0.9],
                };
                for (row, &v) in p.iter().enumerate() {
                    if !(v > 0.0 && v < 1.0) {
                        return Err(Error::InvalidValue {
                            arg: "p",
                            row,
                            value: v,
                            problem: "probabilities must be strictly between 0 and 1",
                        });
                    }
                }
                let (mut qs, mut ses) = (vec![Vec::with_capacity(rows.len()); p.len()], vec![Vec::with_capacity(rows.len()); p.len()]);
                for ((x, &o), &k) in rows.iter().zip(&offset).zip(&strata) {
                    for (j, &pj) in p.iter().enumerate() {
                        let (q, s) = f.quantile(x, o, k, pj);
                        qs[j].push(q);
                        ses[j].push(s);
                    }
                }
                let qm = Matrix::from_columns(&qs, None);
                if !se {
                    return Ok(Value::Matrix(qm));
                }
                Ok(Record::new()
                    .with("fit", Value::Matrix(qm))
                    .with("se_fit", Value::Matrix(Matrix::from_columns(&ses, None)))
                    .into())
            }
            PredictType::Survival => {
                let times = args.nums("times")?;
                check_times(times)?;
                let cols: Vec<Vec<f64>> = times
                    .iter()
                    .map(|&t| {
                        rows.iter()
                            .zip(&offset)
                            .zip(&strata)
                            .map(|((x, &o), &k)| f.survival(x, o, k, t))
                            .collect()
                    })
                    .collect();
                Ok(Value::Matrix(Matrix::from_columns(&cols, None)))
            }
        }
    }
}

impl Fitted for ParametricModel {
    fn call(&self, method: &str, args: &Args) -> Result<Value> {
        match method {
            "predict" => self.predict(args),
            "coef_table" => Ok(self.coef_table(args.num_or("conf_level", self.conf_level)?)?.into()),
            _ => Err(no_such("a parametric survival fit", method)),
        }
    }
}
