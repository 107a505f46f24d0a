//! Generalised linear models and the design-matrix builder through the protocol.
//!
//! `glm_fit` (Python also `glm`), `poisson_glm`, `logistic_glm`, `negbin_glm`: IRLS as
//! `stats::glm`, `MASS::glm.nb` for the negative binomial with theta estimated,
//! sandwich variances as the sandwich package. Every statistic the hosts show comes from
//! here: the coefficient table ([`CoefTable`]: z, or t on the residual degrees of
//! freedom when the dispersion is estimated; exp_coef and its limits for log and logit
//! links), the robust variance (at fit time), predictions with standard errors and
//! residuals (post-fit operations of the fit handle: residuals from the response and
//! weights it keeps; predictions take covariates, new or the fitted rows' own again,
//! borrowed, since the fit never copies X).
//!
//! `covariates` is a record of numeric columns and factors (codes with levels); factors
//! are dummy-coded here with treatment contrasts ([`DesignMatrix`]). R passes its model
//! matrix instead (column-major numbers, borrowed, with `covariate_names`). `design_matrix`
//! exposes the same builder to the Python layer (R uses `model.matrix`).

use super::{no_such, Fitted, Output};
use crate::data::Covariates;
use crate::design::{DesignMatrix, Term};
use crate::error::{Error, Result};
use crate::glm::{
    link_by_name, Family, Glm, GlmData, GlmFit, GlmParams, GlmPrediction, GlmResidual, GlmScale, PartSums,
    PartitionedGlm, PassRequest, Robust, SandwichType,
};
use std::sync::Mutex;
use crate::inference::WaldDist;
use crate::options::OptionEnum;
use crate::protocol::{Arg, Args, Matrix, Record, Table, Value};

/// The terms of a record of covariates (numeric columns and factors), in order; none
/// when the argument is absent.
pub(super) fn covariate_terms<'s>(args: &'s Args, name: &'static str) -> Result<Vec<Term<'s>>> {
    let Some(arg) = args.get(name) else {
        return Ok(Vec::new());
    };
    if let Arg::Nums(x) = arg {
        return matrix_terms(args, name, x);
    }
    let Arg::Record(r) = arg else {
        return Err(Error::InvalidArgument {
            arg: name,
            reason: "must be named columns (numeric or factors)".into(),
        });
    };
    r.items
        .iter()
        .map(|(n, a)| match a {
            Arg::Nums(v) => Ok(Term::Numeric { name: n, values: v }),
            Arg::Num(x) => Ok(Term::Numeric {
                name: n,
                values: std::slice::from_ref(x),
            }),
            Arg::Codes { codes, levels } => Ok(Term::Factor {
                name: n,
                codes,
                levels,
            }),
            other => Err(Error::InvalidArgument {
                arg: name,
                reason: format!(
                    "column `{n}` must be numeric or a factor, got {}",
                    match other {
                        Arg::Str(_) | Arg::Strs(_) => "strings",
                        Arg::Bool(_) => "a logical",
                        _ => "another kind of value",
                    }
                ),
            }),
        })
        .collect()
}

/// Numeric covariates given as one column-major matrix (R's model matrix, borrowed)
/// with its column names in `covariate_names`.
fn matrix_terms<'s>(args: &'s Args, name: &'static str, x: &'s [f64]) -> Result<Vec<Term<'s>>> {
    let names: &'s [String] = match args.get("covariate_names") {
        Some(Arg::Strs(v)) => v,
        Some(Arg::Str(s)) => std::slice::from_ref(s),
        _ => {
            return Err(Error::InvalidArgument {
                arg: "covariate_names",
                reason: format!("is required with `{name}` given as a matrix (one name per column)"),
            })
        }
    };
    let p = names.len();
    if p == 0 || x.len() % p != 0 {
        return Err(Error::InvalidArgument {
            arg: name,
            reason: format!("{} values do not form {p} columns", x.len()),
        });
    }
    let n = x.len() / p;
    Ok(names
        .iter()
        .enumerate()
        .map(|(j, nm)| Term::Numeric {
            name: nm,
            values: &x[j * n..(j + 1) * n],
        })
        .collect())
}

/// Rows of a term.
pub(super) fn term_len(t: &Term) -> usize {
    match t {
        Term::Numeric { values, .. } => values.len(),
        Term::Factor { codes, .. } => codes.len(),
    }
}

/// Covariates of `n` rows from a design (zero columns allowed: intercept only).
pub(super) fn covariates_of<'d>(d: &'d DesignMatrix, n: usize) -> Result<Covariates<'d>> {
    if d.names.is_empty() {
        Covariates::new(&[], n, &d.names)
    } else {
        d.covariates()
    }
}

/// The resource guard of a design, for hosts that build model matrices themselves (R's
/// `model.matrix`) to ask before allocating: `n` rows, `p` columns and, when a
/// factor contributes most of them, its name (`factor`) and number of `levels`. The
/// same check and message as the core's own designs ([`crate::data::check_design`]):
/// an error naming `covariates`, or `rows`, `columns` and `cells` when within limits.
pub fn design_size(args: &Args) -> Result<Output> {
    let n = args.count_or("n", 0, 0)?;
    let p = args.count_or("p", 0, 0)?;
    let factor = args.str_or("factor", "")?;
    let why = if factor.is_empty() {
        String::new()
    } else {
        format!("factor `{factor}` has {} levels: ", args.count_or("levels", 0, 0)?)
    };
    crate::data::check_design("covariates", n, p, &why)?;
    Ok(Output::value(
        Record::new()
            .with("rows", n as f64)
            .with("columns", p as f64)
            .with("cells", n as f64 * p as f64),
    ))
}

/// The model matrix of a record of covariates: `covariates` (numeric columns and
/// factors), `n` (rows; default the first column's length), `drop_unused` (default
/// true: factor levels no row uses are dropped, as `model.frame`). Returns `names` (the
/// columns), `term` (0-based input column of each), `columns` (the dummy columns;
/// NULL where a numeric input is used as it is, not sent back) and `factor_levels`
/// (levels kept per factor, reference first).
pub fn design_matrix(args: &Args) -> Result<Output> {
    let terms = covariate_terms(args, "covariates")?;
    let n = args.count_or("n", terms.first().map_or(0, term_len), 0)?;
    let d = DesignMatrix::build(&terms, n, args.flag_or("drop_unused", true)?)?;
    // Columns in the order of the terms: one per numeric input (used as it is, not
    // sent back), one per kept level after the first of each factor.
    let mut term = Vec::with_capacity(d.names.len());
    let mut columns = Vec::with_capacity(d.names.len());
    let mut factor = 0;
    for (t_idx, t) in terms.iter().enumerate() {
        match t {
            Term::Numeric { .. } => {
                term.push(t_idx);
                columns.push(Value::Null);
            }
            Term::Factor { .. } => {
                let kept = d.factor_levels[factor].1.len();
                factor += 1;
                for _ in 1..kept {
                    term.push(t_idx);
                    columns.push(Value::Nums(d.columns[columns.len()].to_vec()));
                }
            }
        }
    }
    let mut levels = Record::new();
    for (name, l) in &d.factor_levels {
        levels.push(name, l.clone());
    }
    Ok(Output::value(
        Record::new()
            .with("names", d.names.clone())
            .with("term", term)
            .with("columns", columns)
            .with("factor_levels", levels),
    ))
}

/// `glm_fit`: the family by name (`family`, default "gaussian"; `theta` only with
/// "negbin").
pub fn glm_fit(args: &Args) -> Result<Output> {
    fit(args, None)
}

/// `poisson_glm`: `glm_fit` with family "poisson".
pub fn poisson_glm(args: &Args) -> Result<Output> {
    fit(args, Some(("poisson_glm", "poisson")))
}

/// `logistic_glm`: `glm_fit` with family "binomial".
pub fn logistic_glm(args: &Args) -> Result<Output> {
    fit(args, Some(("logistic_glm", "binomial")))
}

/// `negbin_glm`: `glm_fit` with family "negbin" (theta estimated unless given).
pub fn negbin_glm(args: &Args) -> Result<Output> {
    fit(args, Some(("negbin_glm", "negbin")))
}

/// The variance reported as `var`/`se`.
#[derive(Debug, Clone, Copy, PartialEq)]
enum VarKind {
    Model,
    Sandwich(SandwichType),
    Cluster,
}

impl VarKind {
    fn name(self) -> Option<&'static str> {
        match self {
            VarKind::Model => None,
            VarKind::Sandwich(t) => Some(t.name()),
            VarKind::Cluster => Some("CL"),
        }
    }
}

/// `robust`: FALSE/TRUE (HC1) or "HC0"/"HC1"; with `cluster` the cluster-robust HC1.
fn var_kind(args: &Args, cluster: bool) -> Result<VarKind> {
    let bad = || Error::InvalidArgument {
        arg: "robust",
        reason: "must be TRUE, FALSE, \"HC0\" or \"HC1\"".into(),
    };
    let asked = match args.get("robust") {
        None | Some(Arg::Bool(false)) => None,
        Some(Arg::Bool(true)) => Some(SandwichType::Hc1),
        Some(Arg::Num(x)) if *x == 0.0 => None,
        Some(Arg::Num(x)) if *x == 1.0 => Some(SandwichType::Hc1),
        Some(Arg::Str(_)) | Some(Arg::Strs(_)) => Some(args.option::<SandwichType>("robust")?),
        Some(_) => return Err(bad()),
    };
    Ok(match (asked, cluster) {
        (_, true) if asked == Some(SandwichType::Hc0) => {
            return Err(Error::InvalidArgument {
                arg: "robust",
                reason: "the cluster-robust variance is of type \"HC1\" (sandwich::vcovCL(type = \"HC1\", cadjust = TRUE)); use robust = TRUE or \"HC1\"".into(),
            })
        }
        (_, true) => VarKind::Cluster,
        (Some(t), false) => VarKind::Sandwich(t),
        (None, false) => VarKind::Model,
    })
}

/// A fitted GLM with the response and prior weights it was fitted to (for residuals)
/// and the variance it reports. The covariates are not kept (the fit borrows them and
/// never copies X): predictions with standard errors for the fitted rows take them
/// again, borrowed.
struct GlmModel {
    fit: GlmFit,
    y: Vec<f64>,
    weights: Option<Vec<f64>>,
    /// Design column names without the intercept.
    xnames: Vec<String>,
    /// The reported variance (robust when asked for).
    var: Vec<f64>,
    se: Vec<f64>,
    kind: VarKind,
}

impl GlmModel {
    /// The coefficient table at `conf_level`.
    fn table(&self, conf_level: f64) -> Result<Table> {
        let naive = (self.kind != VarKind::Model).then_some(&self.fit.se[..]);
        self.fit.coef_table(&self.se, naive, conf_level)
    }

    /// `predict`: `covariates` (new data, or the fitted rows' columns again, as the
    /// fit's covariates), `offset` (absent: none), `type` ("link" or "response").
    /// Returns fit and se (from the model-based variance, as `predict.glm`).
    fn predict(&self, args: &Args) -> Result<Table> {
        predict_table(args, &self.xnames, self.y.len(), |x, offset| self.fit.predict(x, offset))
    }
}

impl Fitted for GlmModel {
    fn call(&self, method: &str, args: &Args) -> Result<Value> {
        match method {
            "predict" => self.predict(args).map(Value::Table),
            "residuals" => {
                let kind = args.option::<GlmResidual>("type")?;
                self.fit
                    .residuals_of(&self.y, self.weights.as_deref(), kind)
                    .map(Value::Nums)
            }
            "coef_table" => self.table(args.num_or("conf_level", 0.95)?).map(Value::Table),
            other => Err(no_such("a GLM fit", other)),
        }
    }
}

/// `p x p` row-major with NaN rows and columns for aliased coefficients, as a matrix
/// with the coefficient `names` on both margins.
fn masked(v: &[f64], aliased: &[bool], names: &[String]) -> Matrix {
    let p = aliased.len();
    let m: Vec<f64> = (0..p * p)
        .map(|k| {
            if aliased[k / p] || aliased[k % p] {
                f64::NAN
            } else {
                v[k]
            }
        })
        .collect();
    Matrix::square(&m, names)
}

/// The fit's options: `family` (`family_name`), `theta`, `intercept`, `epsilon`,
/// `max_iter`, `link`, `start`; and whether theta is to be estimated.
fn params_of(args: &Args, family_name: &str) -> Result<(GlmParams, bool)> {
    let (family, estimate_theta) = Family::parse_with_theta(family_name, args.opt_num("theta")?)?;
    let mut params = Glm::params()
        .family(family)
        .intercept(args.flag_or("intercept", true)?)
        .epsilon(args.num_or("epsilon", 1e-8)?)
        .max_iter(args.count_or("max_iter", 25, 1)?);
    if args.get("link").is_some() {
        params = params.link(link_by_name(args.str("link")?)?);
    }
    if let Some(s) = args.opt_nums("start")? {
        params = params.start(s.to_vec());
    }
    Ok((params, estimate_theta))
}

/// Fit a GLM. Arguments: `y`, `covariates` (record of numeric columns and factors),
/// `family`, `link`, `theta`, `weights`, `offset`, `robust`, `cluster` (a grouping),
/// `intercept`, `start`, `epsilon`, `max_iter`, `conf_level`.
fn fit(args: &Args, fixed: Option<(&str, &'static str)>) -> Result<Output> {
    let family_name = match fixed {
        Some((method, fam)) => {
            if args.get("family").is_some() {
                return Err(Error::InvalidArgument {
                    arg: "family",
                    reason: format!("{method}() fits family \"{fam}\"; use glm_fit() for others"),
                });
            }
            fam
        }
        None => args.str_or("family", "gaussian")?,
    };
    let (params, estimate_theta) = params_of(args, family_name)?;
    let cluster = args.opt_codes("cluster")?;
    let kind = var_kind(args, cluster.is_some())?;
    let conf_level = args.num_or("conf_level", 0.95)?;
    crate::data::check_conf_level(conf_level)?;

    let y = args.nums("y")?;
    let terms = covariate_terms(args, "covariates")?;
    // The covariates' own length: a mismatch with `y` is reported by GlmData.
    let n = terms.first().map_or(y.len(), term_len);
    let design = DesignMatrix::build(&terms, n, true)?;
    let x = covariates_of(&design, n)?;
    let mut data = GlmData::new(y, x)?;
    let weights = args.opt_nums("weights")?;
    let offset = args.opt_nums("offset")?;
    if let Some(w) = weights {
        data = data.with_weights(w)?;
    }
    if let Some(o) = offset {
        data = data.with_offset(o)?;
    }
    let fit = if estimate_theta {
        params.fit_negbin(&data)?
    } else {
        params.fit(&data)?
    };
    let p = fit.coef.len();
    let var = match kind {
        VarKind::Model => fit.var.clone(),
        VarKind::Sandwich(SandwichType::Hc0) => fit.robust_var(&data, Robust::Hc0)?,
        VarKind::Sandwich(SandwichType::Hc1) => fit.robust_var(&data, Robust::Hc1)?,
        VarKind::Cluster => {
            let (codes, _) = cluster.expect("a cluster");
            fit.robust_var(&data, Robust::Cluster(codes))?
        }
    };
    let se: Vec<f64> = (0..p)
        .map(|j| if fit.aliased[j] { f64::NAN } else { var[j * p + j].sqrt() })
        .collect();
    let n_cluster = cluster.map(|(c, _)| {
        let mut u = c.to_vec();
        u.sort_unstable();
        u.dedup();
        u.len()
    });
    let model = GlmModel {
        y: y.to_vec(),
        weights: weights.map(|w| w.to_vec()),
        xnames: design.names.clone(),
        var,
        se,
        kind,
        fit,
    };
    let table = model.table(conf_level)?;
    let mut levels = Record::new();
    for (name, l) in &design.factor_levels {
        levels.push(name, l.clone());
    }
    let prior_weights: Vec<f64> = weights.map_or_else(|| vec![1.0; y.len()], |w| w.to_vec());
    let rec = fit_record(&model.fit, &model.var, &model.se, kind, table, n_cluster, conf_level)
        .with("prior_weights", prior_weights)
        .with("factor_levels", levels);
    Ok(Output::fit(rec, model))
}

/// The record of a fitted GLM (`var`/`se`: the reported variance, robust when `kind`
/// says so; `table`: the coefficient table at `conf_level`).
fn fit_record(
    f: &GlmFit,
    var: &[f64],
    se: &[f64],
    kind: VarKind,
    table: Table,
    n_cluster: Option<usize>,
    conf_level: f64,
) -> Record {
    Record::new()
        .with("names", f.names.clone())
        .with("coef", &f.coef)
        .with("se", se)
        .with("naive_se", &f.se)
        .with("var", masked(var, &f.aliased, &f.names))
        .with("naive_var", masked(&f.var, &f.aliased, &f.names))
        .with("cov_unscaled", masked(&f.cov_unscaled, &f.aliased, &f.names))
        .with("table", table)
        .with("test", if matches!(f.wald_dist(), WaldDist::T(_)) { "t" } else { "z" })
        .with("robust", kind.name())
        .with("n_cluster", n_cluster)
        .with("aliased", f.aliased.clone())
        .with("rank", f.rank)
        .with("deviance", f.deviance)
        .with("null_deviance", f.null_deviance)
        .with("aic", f.aic)
        .with("loglik", f.loglik)
        .with("loglik_df", f.loglik_df)
        .with("df_residual", f.df_residual)
        .with("df_null", f.df_null)
        .with("dispersion", f.dispersion)
        .with("iterations", f.iterations)
        .with("converged", f.converged)
        .with("convergence", f.stop.name())
        .with("alternations", f.alternations)
        .with("boundary", f.boundary)
        .with("fitted", &f.fitted)
        .with("linear_predictors", &f.linear_predictors)
        .with("working_weights", &f.working_weights)
        .with("working_residuals", &f.working_residuals)
        .with("warnings", f.warnings.clone())
        .with("family", f.family.name())
        .with("link", f.link.name())
        .with("intercept", f.intercept)
        .with("nobs", f.n_ok)
        .with("theta", f.theta)
        .with("se_theta", f.se_theta)
        .with("twologlik", f.twologlik)
        .with("conf_level", conf_level)
}

// ---- GLMs over parts (hrrstats.dask) -------------------------------------------------

/// The family named by `family` (default "gaussian"), for the methods over parts; theta
/// must be given for the negative binomial.
fn part_params(args: &Args) -> Result<GlmParams> {
    let (params, estimate_theta) = params_of(args, args.str_or("family", "gaussian")?)?;
    if estimate_theta {
        return Err(Error::InvalidArgument {
            arg: "theta",
            reason: "is required for the negative binomial over partitions (theta is not estimated there)".into(),
        });
    }
    Ok(params)
}

fn opt_vec(args: &Args, name: &'static str) -> Result<Option<Vec<f64>>> {
    Ok(args.opt_nums(name)?.map(|v| v.to_vec()))
}

/// `glm_part_pass`: the sums of one pass ([`PassRequest`]: `beta`, `weights_at`,
/// `intercept_only`, `null`, `null_mu`, `meat`) over one part's rows (`y`, `covariates` with the
/// factors' levels of the whole data, `weights`, `offset`), for the model's options
/// (`family`, `link`, `theta`, `intercept`). A record of the sums and the part's
/// design column `names`.
pub fn glm_part_pass(args: &Args) -> Result<Output> {
    let params = part_params(args)?;
    let req = PassRequest {
        beta: opt_vec(args, "beta")?,
        weights_at: opt_vec(args, "weights_at")?,
        intercept_only: args.flag_or("intercept_only", false)?,
        null: args.flag_or("null", false)?,
        null_mu: args.opt_num("null_mu")?,
        meat: args.flag_or("meat", false)?,
    };
    let y = args.nums("y")?;
    let terms = covariate_terms(args, "covariates")?;
    let n = terms.first().map_or(y.len(), term_len);
    let design = DesignMatrix::build(&terms, n, false)?;
    let x = covariates_of(&design, n)?;
    let data = crate::glm::partitioned::part_data(y, x, args.opt_nums("weights")?, args.opt_nums("offset")?)?;
    let cluster = args.opt_codes("cluster")?.map(|(c, _)| c);
    let s = params.part_pass(Some(&data), design.names.len(), &req, cluster)?;
    Ok(Output::value(
        Record::new()
            .with("names", design.names.clone())
            .with("n", s.n)
            .with("n_ok", s.n_ok)
            .with("deviance", s.deviance)
            .with("invalid", s.invalid)
            .with("xtwx", s.xtwx)
            .with("xtwz", s.xtwz)
            .with("pearson", s.pearson)
            .with("aic_terms", s.aic_terms)
            .with("wsum", s.wsum)
            .with("wysum", s.wysum)
            .with("null_deviance", s.null_deviance)
            .with("meat", s.meat)
            .with("nonint", s.nonint)
            .with("first_nonint", s.first_nonint)
            .with("extreme", s.extreme)
            .with("groups", s.groups),
    ))
}

/// A part's sums from its record (as [`glm_part_pass`] returned it).
fn part_sums(a: &Args) -> Result<(Vec<String>, PartSums)> {
    let count = |name: &'static str| a.count_or(name, 0, 0);
    let names = match a.get("names") {
        Some(Arg::Strs(v)) => v.clone(),
        Some(Arg::Str(s)) => vec![s.clone()],
        _ => Vec::new(),
    };
    Ok((
        names,
        PartSums {
            n: count("n")?,
            n_ok: count("n_ok")?,
            deviance: a.num_or("deviance", 0.0)?,
            invalid: count("invalid")?,
            xtwx: a.nums("xtwx")?.to_vec(),
            xtwz: a.nums("xtwz")?.to_vec(),
            pearson: a.num_or("pearson", 0.0)?,
            aic_terms: a.num_or("aic_terms", 0.0)?,
            wsum: a.num_or("wsum", 0.0)?,
            wysum: a.num_or("wysum", 0.0)?,
            null_deviance: a.num_or("null_deviance", 0.0)?,
            meat: a.nums("meat")?.to_vec(),
            nonint: count("nonint")?,
            first_nonint: a.opt_num("first_nonint")?,
            extreme: count("extreme")?,
            groups: count("groups")?,
        },
    ))
}

/// The driver of a GLM over parts, kept by the binding between passes.
struct GlmOverParts {
    params: Mutex<Option<GlmParams>>,
    driver: Mutex<Option<PartitionedGlm>>,
    start: Option<Vec<f64>>,
    has_offset: bool,
    kind: VarKind,
    /// The number of clusters (cluster-robust variance).
    clusters: Option<usize>,
    conf_level: f64,
}

fn request_record(r: Option<PassRequest>) -> Value {
    match r {
        None => Value::Null,
        Some(r) => Value::Record(
            Record::new()
                .with("beta", r.beta)
                .with("weights_at", r.weights_at)
                .with("intercept_only", r.intercept_only)
                .with("null", r.null)
                .with("null_mu", r.null_mu)
                .with("meat", r.meat),
        ),
    }
}

impl GlmOverParts {
    fn request(&self) -> Value {
        match &*self.driver.lock().expect("driver") {
            Some(d) => request_record(d.request()),
            None => request_record(Some(PassRequest {
                beta: self.start.clone(),
                ..Default::default()
            })),
        }
    }

    /// `step`: `parts`, the records of the pass over every part (in any order).
    fn step(&self, args: &Args) -> Result<Value> {
        let Some(Arg::List(parts)) = args.get("parts") else {
            return Err(Error::InvalidArgument { arg: "parts", reason: "must be a list of the parts' sums".into() });
        };
        let mut total: Option<(Vec<String>, PartSums)> = None;
        for part in parts {
            let Arg::Record(a) = part else {
                return Err(Error::InvalidArgument { arg: "parts", reason: "must be a list of the parts' sums".into() });
            };
            let (names, s) = part_sums(a)?;
            match &mut total {
                None => total = Some((names, s)),
                Some((n0, t)) => {
                    if *n0 != names {
                        return Err(Error::InvalidArgument {
                            arg: "covariates",
                            reason: format!("the partitions give different design columns ({n0:?} and {names:?}): give the factors the same levels in every partition"),
                        });
                    }
                    t.add(&s)?;
                }
            }
        }
        let Some((names, total)) = total else {
            return Err(Error::Empty { arg: "y" });
        };
        let mut driver = self.driver.lock().expect("driver");
        if driver.is_none() {
            let params = self.params.lock().expect("params").take().expect("params before the first step");
            let robust = match self.kind {
                VarKind::Sandwich(t) => Some(t),
                _ => None,
            };
            let d = params.partitioned(names, self.has_offset, robust)?;
            *driver = Some(match self.clusters {
                Some(g) => d.with_clusters(g),
                None => d,
            });
        } else if driver.as_ref().is_some_and(|d| !d.request().is_some_and(|r| r.intercept_only) && d.covariate_names() != names.as_slice()) {
            return Err(Error::InvalidArgument { arg: "covariates", reason: "the design changed between passes".into() });
        }
        let d = driver.as_mut().expect("driver");
        let done = d.step(&total)?;
        Ok(Value::Record(Record::new().with("done", done).with("request", request_record(d.request()))))
    }

    fn result(&self) -> Result<(Record, GlmFit, Vec<f64>)> {
        let driver = self.driver.lock().expect("driver");
        let Some((f, var)) = driver.as_ref().and_then(|d| d.fit()) else {
            return Err(Error::InvalidArgument { arg: "result", reason: "the fit is not done: run the passes it asks for".into() });
        };
        let p = f.coef.len();
        let se: Vec<f64> = (0..p).map(|j| if f.aliased[j] { f64::NAN } else { var[j * p + j].sqrt() }).collect();
        let naive = (self.kind != VarKind::Model).then_some(&f.se[..]);
        let table = f.coef_table(&se, naive, self.conf_level)?;
        let rec = fit_record(f, &var, &se, self.kind, table, self.clusters, self.conf_level);
        Ok((rec, f.clone(), se))
    }
}

impl Fitted for GlmOverParts {
    fn call(&self, method: &str, args: &Args) -> Result<Value> {
        match method {
            "request" => Ok(self.request()),
            "step" => self.step(args),
            "result" => self.result().map(|(r, _, _)| Value::Record(r)),
            "coef_table" => {
                let (_, f, se) = self.result()?;
                let conf_level = args.num_or("conf_level", 0.95)?;
                crate::data::check_conf_level(conf_level)?;
                let naive = (self.kind != VarKind::Model).then_some(&f.se[..]);
                f.coef_table(&se, naive, conf_level).map(Value::Table)
            }
            other => Err(no_such("a GLM fitted over partitions", other)),
        }
    }
}

/// `glm_partitioned`: the driver of a GLM over parts (options as `glm_fit`: `family`,
/// `link`, `theta` (given), `intercept`, `epsilon`, `max_iter`, `start`, `robust`
/// (HC0/HC1), `n_clusters` (the number of clusters in the data: the cluster-robust HC1
/// variance, each part's pass given its rows' `cluster` codes on the meat pass; a
/// cluster with rows in two parts is an error), `conf_level`; `has_offset`: whether the
/// parts have an offset). Its operations: `request` (the next pass, NULL when done), `step` (`parts`:
/// the records of [`glm_part_pass`] over every part), `result` (the fit's record, as
/// `glm_fit`'s without the per-row vectors) and `coef_table`.
pub fn glm_partitioned(args: &Args) -> Result<Output> {
    let params = part_params(args)?;
    params.check_start(None)?;
    if args.get("cluster").is_some() {
        return Err(Error::InvalidArgument {
            arg: "cluster",
            reason: "over partitions, give `n_clusters` (the number of clusters in the data) here and each part's `cluster` codes to its pass".into(),
        });
    }
    let clusters = match args.get("n_clusters") {
        None => None,
        Some(_) => Some(args.count_or("n_clusters", 0, 1)?),
    };
    let kind = var_kind(args, clusters.is_some())?;
    let conf_level = args.num_or("conf_level", 0.95)?;
    crate::data::check_conf_level(conf_level)?;
    let fit = GlmOverParts {
        start: opt_vec(args, "start")?,
        params: Mutex::new(Some(params)),
        driver: Mutex::new(None),
        has_offset: args.flag_or("has_offset", false)?,
        kind,
        clusters,
        conf_level,
    };
    let first = fit.request();
    Ok(Output::fit(Record::new().with("request", first), fit))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::call;
    use std::borrow::Cow;

    fn nums(v: &[f64]) -> Arg<'_> {
        Arg::Nums(Cow::Borrowed(v))
    }

    const Y: [f64; 8] = [2.0, 0.0, 5.0, 1.0, 3.0, 4.0, 0.0, 2.0];
    const X: [f64; 8] = [0.5, 1.2, 2.2, 0.1, 1.7, 2.9, 0.4, 1.1];

    fn base<'a>() -> Args<'a> {
        Args::new()
            .with("y", nums(&Y))
            .with("covariates", Arg::Record(Args::new().with("x", nums(&X))))
    }

    fn err(method: &str, args: &Args) -> String {
        match call(method, args) {
            Err(e) => e.message(0),
            Ok(_) => panic!("{method} should fail"),
        }
    }

    #[test]
    fn theta_for_another_family_is_the_parsers_error() {
        let a = base().with("family", Arg::Str("poisson".into())).with("theta", Arg::Num(2.0));
        let want = Family::parse_with_theta("poisson", Some(2.0)).unwrap_err().message(0);
        assert_eq!(err("glm_fit", &a), want);
        assert!(want.contains("argument `theta`"), "{want}");
    }

    #[test]
    fn fixed_family_methods_refuse_a_family() {
        let a = base().with("family", Arg::Str("binomial".into()));
        assert!(err("poisson_glm", &a).starts_with("argument `family`: poisson_glm() fits family"));
    }

    #[test]
    fn robust_options_are_parsed_in_the_core() {
        let a = base().with("robust", Arg::Str("HC3".into()));
        assert!(err("poisson_glm", &a).contains("unknown value \"HC3\""));
        let cl = [0u32, 0, 1, 1, 2, 2, 3, 3];
        let a = base()
            .with("robust", Arg::Str("HC0".into()))
            .with("cluster", Arg::Codes { codes: Cow::Borrowed(&cl), levels: vec!["a".into(); 4] });
        assert!(err("poisson_glm", &a).contains("\"HC1\""));
    }

    #[test]
    fn table_and_predictions_come_from_the_fit() {
        let out = call("poisson_glm", &base().with("robust", Arg::Bool(true))).unwrap();
        let Value::Record(r) = &out.value else { panic!() };
        let Some(Value::Table(t)) = r.get("table") else { panic!() };
        let names: Vec<&str> = t.columns.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            ["term", "coef", "exp_coef", "se", "naive_se", "z", "p", "exp_lower", "exp_upper", "lower", "upper"]
        );
        assert_eq!(r.get("robust"), Some(&Value::Str("HC1".into())));
        let fit = out.fit.unwrap();
        assert!(fit.call("predict", &Args::new()).is_err());
        let again = Args::new().with("covariates", Arg::Record(Args::new().with("x", nums(&X))));
        let Value::Table(p) = fit.call("predict", &again).unwrap() else { panic!() };
        let Some(Value::Nums(lp)) = p.get("fit") else { panic!() };
        let Some(Value::Nums(eta)) = r.get("linear_predictors") else { panic!() };
        assert_eq!(lp, eta);
        assert!(fit.call("predict", &Args::new().with("type", Arg::Str("risk".into()))).is_err());
    }

    #[test]
    fn covariates_as_a_matrix_with_names() {
        let x2: Vec<f64> = X.iter().map(|v| v * v).collect();
        let m: Vec<f64> = X.iter().chain(&x2).copied().collect();
        let names = vec!["x".to_string(), "x2".to_string()];
        let cols = Args::new().with("x", nums(&X)).with("x2", nums(&x2));
        let a = call("poisson_glm", &Args::new().with("y", nums(&Y)).with("covariates", Arg::Record(cols))).unwrap();
        let b = call(
            "poisson_glm",
            &Args::new()
                .with("y", nums(&Y))
                .with("covariates", nums(&m))
                .with("covariate_names", Arg::Strs(names)),
        )
        .unwrap();
        assert_eq!(a.value, b.value);
        let bad = Args::new().with("y", nums(&Y)).with("covariates", nums(&m));
        assert!(err("poisson_glm", &bad).starts_with("argument `covariate_names`"));
    }

    #[test]
    fn design_matrix_maps_columns_to_terms() {
        let codes = [1u32, 2, 1, 2, 1, 2, 1, 3];
        let levels: Vec<String> = ["I", "II", "III", "IV"].iter().map(|s| s.to_string()).collect();
        let cov = Args::new()
            .with("age", nums(&X))
            .with("stage", Arg::Codes { codes: Cow::Borrowed(&codes), levels });
        let out = call("design_matrix", &Args::new().with("covariates", Arg::Record(cov))).unwrap();
        let Value::Record(r) = out.value else { panic!() };
        assert_eq!(r.get("names"), Some(&Value::Strs(vec!["age".into(), "stageIII".into(), "stageIV".into()])));
        assert_eq!(r.get("term"), Some(&Value::Index(vec![0, 1, 1])));
        let Some(Value::List(cols)) = r.get("columns") else { panic!() };
        assert_eq!(cols[0], Value::Null);
        assert_eq!(cols[2], Value::Nums(vec![0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]));
    }
}

/// `predict` for a GLM-type fit with design columns `xnames`: builds the design of the
/// new `covariates` (required when the model has covariates; `n_fitted` rows when neither
/// covariates nor `offset` are given), checks its columns against the model's, and
/// returns `fit` and `se` on the `type` scale ("link" or "response") from `predict`.
pub(super) fn predict_table(
    args: &Args,
    xnames: &[String],
    n_fitted: usize,
    predict: impl FnOnce(&Covariates, Option<&[f64]>) -> Result<GlmPrediction>,
) -> Result<Table> {
    let scale = args.option::<GlmScale>("type")?;
    if args.get("covariates").is_none() && !xnames.is_empty() {
        return Err(Error::InvalidArgument {
            arg: "covariates",
            reason: "is required (the fit does not keep a copy of the covariates)".into(),
        });
    }
    let terms = covariate_terms(args, "covariates")?;
    let n = match (terms.first(), args.opt_nums("offset")?) {
        (Some(t), _) => term_len(t),
        (None, Some(o)) => o.len(),
        (None, None) => n_fitted,
    };
    let d = DesignMatrix::build(&terms, n, false)?;
    if d.names != xnames {
        return Err(Error::InvalidArgument {
            arg: "covariates",
            reason: format!("new data give columns {:?}, the model has {:?}", d.names, xnames),
        });
    }
    let p = predict(&covariates_of(&d, n)?, args.opt_nums("offset")?)?;
    let (fit, se) = match scale {
        GlmScale::Link => (p.link, p.link_se),
        GlmScale::Response => (p.response, p.response_se),
    };
    Ok(Table::new().with("fit", fit).with("se", se))
}
