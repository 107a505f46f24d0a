//! R bindings of hrrstats (extendr). No statistics here: each function converts its
//! arguments, calls `hrrstats_core` and returns a list of columns.
//!
//! Every exported function returns `list(ok = TRUE, value = <result>)` or
//! `list(ok = FALSE, message = <text>)`; the R layer turns the latter into an ordinary
//! R error with `stop()`. Core errors are rendered with `Error::message(1)` (rows
//! counted from 1, as R users count them). Any unexpected panic is caught here too, with
//! the default panic hook silenced so nothing like "thread panicked" reaches stderr.

use std::panic::{self, AssertUnwindSafe};

mod protocol;

use extendr_api::prelude::*;
use hrrstats_core::{
    crude_rates, cut_lexis, direct_standardize, glm::link_by_name, rate_differences, rate_ratios, sir, standard_population,
    CompetingData, ConfType, Convergence, CoxData, CoxPh, CoxPhFit, CoxPhParams, Covariates, CumInc, CumIncFit, CumIncParams,
    Error as CoreError, Family, FineGray, FineGrayFit, FineGrayParams, Glm, GlmData, GlmFit, GlmParams, GlmResidual,
    LexisData, LexisSplit, Robust, SurvivalData, TestResult, Ties,
    ZphTransform,
};

/// Rows are reported to R users counted from 1.
const ROW_BASE: usize = 1;

/// Failure of a binding call: a message for R's `stop()`.
struct Failure(String);

impl From<CoreError> for Failure {
    fn from(e: CoreError) -> Self {
        Failure(e.message(ROW_BASE))
    }
}

type Res<T> = std::result::Result<T, Failure>;

/// Run `f`, turning an error or a panic into `list(ok = FALSE, message = ...)`.
fn guarded<F: FnOnce() -> Res<Robj>>(f: F) -> Robj {
    let previous = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let outcome = panic::catch_unwind(AssertUnwindSafe(f));
    panic::set_hook(previous);
    let failure = match outcome {
        Ok(Ok(value)) => return named(&["ok", "value"], vec![true.into(), value]),
        Ok(Err(Failure(msg))) => msg,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown cause".to_string());
            format!("internal error in hrrstats (please report it): {what}")
        }
    };
    named(&["ok", "message"], vec![false.into(), failure.into()])
}

/// A named R list.
fn named(names: &[&str], values: Vec<Robj>) -> Robj {
    List::from_names_and_values(names, values)
        .expect("as many names as values")
        .into()
}

// ---- argument conversion -------------------------------------------------------------

fn doubles<'a>(arg: &str, x: &'a Robj) -> Res<&'a [f64]> {
    x.as_real_slice()
        .ok_or_else(|| Failure(format!("argument `{arg}` must be a double vector (use as.double())")))
}

fn opt_doubles<'a>(arg: &str, x: &'a Robj) -> Res<Option<&'a [f64]>> {
    if x.is_null() {
        Ok(None)
    } else {
        doubles(arg, x).map(Some)
    }
}

/// R factor codes (1-based integers) to the core's 0-based `u32` codes.
fn codes(arg: &'static str, x: &Robj) -> Res<Vec<u32>> {
    let x = x
        .as_integer_slice()
        .ok_or_else(|| Failure(format!("argument `{arg}` must be an integer vector of codes 1..k")))?;
    x.iter()
        .enumerate()
        .map(|(row, &c)| {
            if c == i32::MIN {
                Err(Failure(format!(
                    "argument `{arg}`: missing value (NA) at row {}",
                    row + ROW_BASE
                )))
            } else if c < 1 {
                Err(Failure(format!(
                    "argument `{arg}`: code {c} is not a level (codes are 1..k) at row {}",
                    row + ROW_BASE
                )))
            } else {
                Ok((c - 1) as u32)
            }
        })
        .collect()
}

fn count(arg: &str, x: &Robj) -> Res<usize> {
    match x.as_integer().map(f64::from).or_else(|| x.as_real()) {
        Some(v) if v >= 1.0 && v == v.floor() => Ok(v as usize),
        _ => Err(Failure(format!("argument `{arg}` must be a whole number >= 1"))),
    }
}

fn scalar(arg: &str, x: &Robj) -> Res<f64> {
    x.as_real()
        .or_else(|| x.as_integer().filter(|&i| i != i32::MIN).map(f64::from))
        .ok_or_else(|| Failure(format!("argument `{arg}` must be a single number")))
}

fn string<'a>(arg: &str, x: &'a Robj) -> Res<&'a str> {
    x.as_str()
        .ok_or_else(|| Failure(format!("argument `{arg}` must be a single string")))
}

fn int_col(x: impl IntoIterator<Item = usize>) -> Robj {
    x.into_iter().map(|v| v as i32).collect::<Vec<i32>>().into()
}


// ---- Cox proportional hazards ----------------------------------------------------------

/// A whole number >= 0 (`max_iter = 0` evaluates the model at `init`).
fn nonneg_count(arg: &str, x: &Robj) -> Res<usize> {
    match x.as_integer().filter(|&i| i != i32::MIN).map(f64::from).or_else(|| x.as_real()) {
        Some(v) if v >= 0.0 && v == v.floor() && v.is_finite() => Ok(v as usize),
        _ => Err(Failure(format!("argument `{arg}` must be a whole number >= 0"))),
    }
}

fn flag(arg: &str, x: &Robj) -> Res<bool> {
    x.as_bool()
        .ok_or_else(|| Failure(format!("argument `{arg}` must be TRUE or FALSE")))
}

fn strings(arg: &str, x: &Robj) -> Res<Vec<String>> {
    x.as_str_vector()
        .map(|v| v.into_iter().map(String::from).collect())
        .ok_or_else(|| Failure(format!("argument `{arg}` must be a character vector")))
}

/// `c(statistic =, df =, p_value =)`.
fn test_col(t: &TestResult) -> Robj {
    let mut r: Robj = vec![t.statistic, t.df as f64, t.p_value].into();
    r.set_names(["statistic", "df", "p_value"]).expect("three names");
    r
}

/// Row-major p x p -> R's column-major matrix.
fn square(v: &[f64], p: usize) -> Robj {
    RMatrix::<f64>::new_matrix(p, p, |i, j| v[i * p + j]).into()
}

/// The inputs of a Cox fit, an R list as `cox_ph()` builds it and keeps in the fit
/// (`fit$inputs`): time, status, entry, weights, strata, n_strata, x (numeric matrix,
/// column-major, n x length(names)), names, offset, cluster, ties, robust, max_iter,
/// eps, init. `strata`: NULL or codes 1..n_strata; `cluster`: NULL or codes 1..k;
/// `entry`, `weights`, `offset`, `init`: NULL or double vectors. A missing element is
/// NULL. The GLM functions take their inputs the same way (see [`GlmInputs`]).
struct NamedArgs {
    items: std::collections::HashMap<String, Robj>,
    nil: Robj,
}

/// The inputs of a Cox fit (see [`NamedArgs`]).
type CoxArgs = NamedArgs;

impl NamedArgs {
    /// `what`: whose inputs, for the message ("a Cox fit").
    fn new(inputs: Robj, what: &str) -> Res<Self> {
        let list: List = inputs
            .try_into()
            .map_err(|_| Failure(format!("argument `inputs` must be a list (the inputs of {what})")))?;
        let items = std::collections::HashMap::<String, Robj>::try_from(list)
            .map_err(|_| Failure("argument `inputs` must be a named list".into()))?;
        Ok(NamedArgs { items, nil: ().into() })
    }

    fn get(&self, name: &str) -> &Robj {
        self.items.get(name).unwrap_or(&self.nil)
    }
}

/// The converted inputs of a Cox fit; the slices borrow R's memory (no copies of the
/// data columns or the covariate matrix).
struct CoxInputs<'a> {
    time: &'a [f64],
    status: &'a [f64],
    entry: Option<&'a [f64]>,
    weights: Option<&'a [f64]>,
    strata: Option<(Vec<u32>, usize)>,
    x: &'a [f64],
    names: Vec<String>,
    offset: Option<&'a [f64]>,
    cluster: Option<Vec<u32>>,
    params: CoxPhParams,
}

impl<'a> CoxInputs<'a> {
    fn parse(a: &'a CoxArgs) -> Res<Self> {
        let time = doubles("time", a.get("time"))?;
        let status = doubles("status", a.get("status"))?;
        let entry = opt_doubles("entry", a.get("entry"))?;
        let weights = opt_doubles("weights", a.get("weights"))?;
        let x = doubles("covariates", a.get("x"))?;
        let names = strings("names", a.get("names"))?;
        let offset = opt_doubles("offset", a.get("offset"))?;
        let ties = Ties::parse(string("ties", a.get("ties"))?)?;
        let robust = flag("robust", a.get("robust"))?;
        let max_iter = nonneg_count("max_iter", a.get("max_iter"))?;
        let eps = scalar("eps", a.get("eps"))?;
        let init = opt_doubles("init", a.get("init"))?;
        let strata = if a.get("strata").is_null() {
            None
        } else {
            Some((codes("strata", a.get("strata"))?, count("n_strata", a.get("n_strata"))?))
        };
        let cluster = if a.get("cluster").is_null() { None } else { Some(codes("cluster", a.get("cluster"))?) };
        let mut params = CoxPh::params().ties(ties).robust(robust).max_iter(max_iter).eps(eps);
        if let Some(b) = init {
            params = params.init(b.to_vec());
        }
        Ok(CoxInputs { time, status, entry, weights, strata, x, names, offset, cluster, params })
    }

    /// The `CoxData` of the fit (built the same way every time).
    fn data(&self) -> Res<CoxData<'_>> {
        let surv = SurvivalData::from_parts(
            self.time,
            self.status,
            self.entry,
            self.weights,
            self.strata.as_ref().map(|(c, k)| (c.as_slice(), *k)),
        )?;
        let cov = Covariates::new(self.x, self.time.len(), &self.names)?;
        let mut data = CoxData::new(surv, cov)?;
        if let Some(o) = self.offset {
            data = data.with_offset(o)?;
        }
        if let Some(c) = &self.cluster {
            data = data.with_cluster(c)?;
        }
        Ok(data)
    }
}

/// Fit a Cox model from `inputs` (the named list of `CoxArgs`). Returns the fit's fields (variance
/// matrices as R matrices, tests as c(statistic, df, p_value)) and `ptr`, an external
/// pointer to the fit for the residuals and tests that need the data again.
/// @noRd
#[extendr]
fn cox_fit_(inputs: Robj) -> Robj {
    guarded(|| {
        let args = CoxArgs::new(inputs, "a Cox fit")?;
        let inp = CoxInputs::parse(&args)?;
        let data = inp.data()?;
        let fit = inp.params.fit(&data)?;
        let status = inp.status;

        let p = fit.names.len();
        let b = &fit.baseline;
        let mut b_strata = Vec::with_capacity(b.time.len());
        for k in 0..b.offsets.len().saturating_sub(1) {
            b_strata.extend(std::iter::repeat_n(k + 1, b.offsets[k + 1] - b.offsets[k]));
        }
        let baseline = named(
            &["strata", "time", "cumulative_hazard", "cumulative_hazard_centered"],
            vec![
                int_col(b_strata),
                b.time.clone().into(),
                b.cumulative_hazard.clone().into(),
                b.cumulative_hazard_centered.clone().into(),
            ],
        );
        let convergence = match fit.convergence {
            Convergence::Converged => "converged",
            Convergence::MaxIterations => "max_iterations",
            Convergence::NotIterated => "not_iterated",
        };
        let deviance = fit.deviance_residuals(status);
        Ok(named(
            &[
                "names",
                "coef",
                "se",
                "naive_se",
                "var",
                "naive_var",
                "loglik",
                "score_test",
                "wald_test",
                "lr_test",
                "robust_score_test",
                "iterations",
                "convergence",
                "halvings",
                "rank",
                "aliased",
                "n",
                "n_event",
                "ties",
                "robust",
                "n_cluster",
                "score_vector",
                "means",
                "linear_predictors",
                "martingale_residuals",
                "deviance_residuals",
                "baseline",
                "ptr",
            ],
            vec![
                fit.names.clone().into(),
                fit.coef.clone().into(),
                fit.se.clone().into(),
                fit.naive_se.clone().into(),
                square(&fit.var, p),
                square(&fit.naive_var, p),
                fit.loglik.to_vec().into(),
                test_col(&fit.score_test),
                test_col(&fit.wald_test),
                test_col(&fit.lr_test),
                fit.robust_score_test.as_ref().map_or_else(|| ().into(), test_col),
                (fit.iterations as i32).into(),
                convergence.into(),
                (fit.halvings as i32).into(),
                (fit.rank as i32).into(),
                fit.aliased.clone().into(),
                (fit.n as i32).into(),
                (fit.n_event as i32).into(),
                fit.ties.name().into(),
                fit.robust.into(),
                fit.n_cluster.map_or_else(|| ().into(), |k| Robj::from(k as i32)),
                fit.score_vector.clone().into(),
                fit.means.clone().into(),
                fit.linear_predictors.clone().into(),
                fit.martingale_residuals.clone().into(),
                deviance.into(),
                baseline,
                ExternalPtr::new(fit).into(),
            ],
        ))
    })
}

/// The fit behind `ptr`, or, when it is gone (saveRDS()/readRDS() does not keep
/// external pointers), the same fit made again from the inputs.
fn cox_fit_or_refit<'p>(ptr: &'p Robj, inp: &CoxInputs, data: &CoxData) -> Res<std::borrow::Cow<'p, CoxPhFit>> {
    let alive = <&ExternalPtr<CoxPhFit>>::try_from(ptr).ok().and_then(|p| p.try_addr().ok());
    match alive {
        Some(fit) => Ok(std::borrow::Cow::Borrowed(fit)),
        None => Ok(std::borrow::Cow::Owned(inp.params.fit(data)?)),
    }
}

/// Row-major rows x cols -> R's column-major matrix.
fn matrix_rm(v: &[f64], rows: usize, cols: usize) -> Robj {
    RMatrix::<f64>::new_matrix(rows, cols, |i, j| v[i * cols + j]).into()
}

/// Proportional-hazards test (`cox.zph`) of the fit made from `inputs` (fit behind
/// `ptr`, refitted when gone). `terms`: NULL (one test per column) or a list of integer
/// vectors of 1-based column indices. Returns `term` (1-based index into the terms),
/// statistic, df, p_value and global = c(statistic, df, p_value).
/// @noRd
#[extendr]
fn cox_zph_(inputs: Robj, ptr: Robj, transform: Robj, terms: Robj) -> Robj {
    guarded(|| {
        let args = CoxArgs::new(inputs, "a Cox fit")?;
        let inp = CoxInputs::parse(&args)?;
        let transform = ZphTransform::parse(string("transform", &transform)?)?;
        let terms: Option<Vec<Vec<usize>>> = if terms.is_null() {
            None
        } else {
            let list: List = terms
                .try_into()
                .map_err(|_| Failure("argument `terms` must be a list of column indices".into()))?;
            let mut groups = Vec::with_capacity(list.len());
            for (_, g) in list.iter() {
                let g = g
                    .as_integer_slice()
                    .ok_or_else(|| Failure("argument `terms`: each term must be an integer vector".into()))?;
                let cols = g
                    .iter()
                    .map(|&c| {
                        if c >= 1 && (c as usize) <= inp.names.len() {
                            Ok(c as usize - 1)
                        } else {
                            Err(Failure(format!("argument `terms`: column {c} is not in the model")))
                        }
                    })
                    .collect::<Res<Vec<usize>>>()?;
                groups.push(cols);
            }
            Some(groups)
        };
        let data = inp.data()?;
        let fit = cox_fit_or_refit(&ptr, &inp, &data)?;
        let z = fit.zph(&data, transform, terms.as_deref())?;
        Ok(named(
            &["term", "statistic", "df", "p_value", "global"],
            vec![
                int_col(z.term.iter().map(|t| t + 1)),
                z.statistic.clone().into(),
                int_col(z.df.iter().copied()),
                z.p_value.clone().into(),
                test_col(&z.global),
            ],
        ))
    })
}

/// Residuals of the fit made from `inputs` (fit behind `ptr`, refitted when gone) that
/// need the data again. `kind`: "score" (n x p), "dfbeta" / "dfbetas" (n x p, times the
/// case weights when `weighted`), "schoenfeld" / "scaledsch" (a list: strata (codes
/// 1..k), time, row (1-based data row), values (events x p), one row per event ordered
/// by stratum, time and data row).
/// @noRd
#[extendr]
fn cox_resid_(inputs: Robj, ptr: Robj, kind: Robj, weighted: Robj) -> Robj {
    guarded(|| {
        let args = CoxArgs::new(inputs, "a Cox fit")?;
        let inp = CoxInputs::parse(&args)?;
        let kind = string("type", &kind)?;
        let weighted = flag("weighted", &weighted)?;
        let data = inp.data()?;
        let fit = cox_fit_or_refit(&ptr, &inp, &data)?;
        let (n, p) = (fit.n, fit.coef.len());
        match kind {
            "score" => Ok(matrix_rm(&fit.score_residuals(&data)?, n, p)),
            "dfbeta" | "dfbetas" => Ok(matrix_rm(&fit.dfbeta(&data, weighted, kind == "dfbetas")?, n, p)),
            "schoenfeld" | "scaledsch" => {
                let s = fit.schoenfeld_residuals(&data, kind == "scaledsch")?;
                let events = s.time.len();
                Ok(named(
                    &["strata", "time", "row", "values"],
                    vec![
                        int_col(s.stratum.iter().map(|&k| k as usize + 1)),
                        s.time.clone().into(),
                        int_col(s.row.iter().map(|r| r + ROW_BASE)),
                        matrix_rm(&s.values, events, s.p),
                    ],
                ))
            }
            other => Err(Failure(format!(
                "argument `type`: unknown residual type {other:?}; use \"score\", \"dfbeta\", \"dfbetas\", \"schoenfeld\" or \"scaledsch\""
            ))),
        }
    })
}

// ---- generalised linear models ----------------------------------------------------------

/// The converted inputs of a GLM, from the named list `glm_fit()` builds and keeps in the
/// fit (`fit$inputs`): y (double), x (numeric matrix, column-major, n x length(names),
/// without the intercept), names, weights, offset (NULL or double vectors), cluster
/// (NULL or codes 1..k), family ("gaussian", "poisson", "binomial" or "negbin"), link
/// (NULL = the family's default, or a link name), intercept, epsilon, max_iter, start
/// (NULL or double, intercept first), theta (NULL, or the known theta of "negbin"; NULL
/// with "negbin" estimates it as MASS::glm.nb). The slices borrow R's memory.
struct GlmInputs<'a> {
    y: &'a [f64],
    x: &'a [f64],
    names: Vec<String>,
    weights: Option<&'a [f64]>,
    offset: Option<&'a [f64]>,
    cluster: Option<Vec<u32>>,
    family: String,
    link: Option<String>,
    intercept: bool,
    epsilon: f64,
    max_iter: usize,
    start: Option<&'a [f64]>,
    theta: Option<f64>,
}

impl<'a> GlmInputs<'a> {
    fn parse(a: &'a NamedArgs) -> Res<Self> {
        let y = doubles("y", a.get("y"))?;
        let x = doubles("covariates", a.get("x"))?;
        let names = strings("names", a.get("names"))?;
        let weights = opt_doubles("weights", a.get("weights"))?;
        let offset = opt_doubles("offset", a.get("offset"))?;
        let cluster = if a.get("cluster").is_null() { None } else { Some(codes("cluster", a.get("cluster"))?) };
        let family = string("family", a.get("family"))?.to_string();
        let link = if a.get("link").is_null() { None } else { Some(string("link", a.get("link"))?.to_string()) };
        let intercept = flag("intercept", a.get("intercept"))?;
        let epsilon = scalar("epsilon", a.get("epsilon"))?;
        let max_iter = count("maxit", a.get("max_iter"))?;
        let start = opt_doubles("start", a.get("start"))?;
        let theta = if a.get("theta").is_null() { None } else { Some(scalar("theta", a.get("theta"))?) };
        if theta.is_some() && family != "negbin" {
            return Err(Failure(format!(
                "argument `theta` is for family \"negbin\" only, not {family:?}"
            )));
        }
        Ok(GlmInputs { y, x, names, weights, offset, cluster, family, link, intercept, epsilon, max_iter, start, theta })
    }

    /// The `GlmData` of the fit (built the same way every time).
    fn data(&self) -> Res<GlmData<'_>> {
        let cov = Covariates::new(self.x, self.y.len(), &self.names)?;
        let mut data = GlmData::new(self.y, cov)?;
        if let Some(w) = self.weights {
            data = data.with_weights(w)?;
        }
        if let Some(o) = self.offset {
            data = data.with_offset(o)?;
        }
        Ok(data)
    }

    fn params(&self) -> Res<GlmParams> {
        let mut params = Glm::params().intercept(self.intercept).epsilon(self.epsilon).max_iter(self.max_iter);
        params = match (self.family.as_str(), self.theta) {
            ("negbin", Some(theta)) => params.family(Family::NegativeBinomial(theta)),
            ("negbin", None) => params,
            (name, _) => params.family(Family::parse(name)?),
        };
        if let Some(link) = &self.link {
            params = params.link(link_by_name(link)?);
        }
        if let Some(s) = self.start {
            params = params.start(s.to_vec());
        }
        Ok(params)
    }

    /// The fit: `glm.nb` (theta estimated) for "negbin" without theta, else IRLS.
    fn fit(&self, data: &GlmData) -> Res<GlmFit> {
        let params = self.params()?;
        if self.family == "negbin" && self.theta.is_none() {
            Ok(params.fit_negbin(data)?)
        } else {
            Ok(params.fit(data)?)
        }
    }
}

fn opt_f64(x: Option<f64>) -> Robj {
    x.map_or_else(|| ().into(), Robj::from)
}

/// Fit a GLM from `inputs` (the named list of `GlmInputs`). Returns the fit's fields
/// (variance matrices as R matrices; `stat`, `p` the Wald tests of the model-based
/// variance, z or t as summary.glm) and `ptr`, an external pointer to the fit for
/// robust variances, predictions and residuals.
/// @noRd
#[extendr]
fn glm_fit_(inputs: Robj) -> Robj {
    guarded(|| {
        let args = NamedArgs::new(inputs, "a GLM fit")?;
        let inp = GlmInputs::parse(&args)?;
        let data = inp.data()?;
        let fit = inp.fit(&data)?;
        let p = fit.names.len();
        let (stat, pval) = fit.wald(&fit.var);
        Ok(named(
            &[
                "names",
                "coef",
                "se",
                "var",
                "cov_unscaled",
                "stat",
                "p",
                "aliased",
                "rank",
                "deviance",
                "null_deviance",
                "aic",
                "loglik",
                "loglik_df",
                "df_residual",
                "df_null",
                "dispersion",
                "iterations",
                "converged",
                "boundary",
                "fitted",
                "linear_predictors",
                "working_weights",
                "working_residuals",
                "warnings",
                "family",
                "link",
                "intercept",
                "n_ok",
                "theta",
                "se_theta",
                "twologlik",
                "ptr",
            ],
            vec![
                fit.names.clone().into(),
                fit.coef.clone().into(),
                fit.se.clone().into(),
                square(&fit.var, p),
                square(&fit.cov_unscaled, p),
                stat.into(),
                pval.into(),
                fit.aliased.clone().into(),
                (fit.rank as i32).into(),
                fit.deviance.into(),
                fit.null_deviance.into(),
                fit.aic.into(),
                fit.loglik.into(),
                (fit.loglik_df as i32).into(),
                (fit.df_residual as i32).into(),
                (fit.df_null as i32).into(),
                fit.dispersion.into(),
                (fit.iterations as i32).into(),
                fit.converged.into(),
                fit.boundary.into(),
                fit.fitted.clone().into(),
                fit.linear_predictors.clone().into(),
                fit.working_weights.clone().into(),
                fit.working_residuals.clone().into(),
                fit.warnings.clone().into(),
                fit.family.name().into(),
                fit.link.name().into(),
                fit.intercept.into(),
                (fit.n_ok as i32).into(),
                opt_f64(fit.theta),
                opt_f64(fit.se_theta),
                opt_f64(fit.twologlik),
                ExternalPtr::new(fit).into(),
            ],
        ))
    })
}

/// The GLM fit behind `ptr`, or, when it is gone (saveRDS()/readRDS()), the same fit
/// made again from the inputs.
fn glm_fit_or_refit<'p>(ptr: &'p Robj, inp: &GlmInputs, data: &GlmData) -> Res<std::borrow::Cow<'p, GlmFit>> {
    let alive = <&ExternalPtr<GlmFit>>::try_from(ptr).ok().and_then(|p| p.try_addr().ok());
    match alive {
        Some(fit) => Ok(std::borrow::Cow::Borrowed(fit)),
        None => Ok(std::borrow::Cow::Owned(inp.fit(data)?)),
    }
}

/// Sandwich variance of the fit made from `inputs` (fit behind `ptr`, refitted when
/// gone): `type` "HC0", "HC1" (sandwich::vcovHC) or "CL" (sandwich::vcovCL, HC1 with
/// the cluster adjustment, clusters `inputs$cluster`). Returns `var` (p x p) and the
/// Wald tests with it, `stat` and `p`.
/// @noRd
#[extendr]
fn glm_robust_(inputs: Robj, ptr: Robj, kind: Robj) -> Robj {
    guarded(|| {
        let args = NamedArgs::new(inputs, "a GLM fit")?;
        let inp = GlmInputs::parse(&args)?;
        let kind = string("robust", &kind)?;
        let data = inp.data()?;
        let fit = glm_fit_or_refit(&ptr, &inp, &data)?;
        let robust = match kind {
            "HC0" => Robust::Hc0,
            "HC1" => Robust::Hc1,
            "CL" => Robust::Cluster(
                inp.cluster
                    .as_deref()
                    .ok_or_else(|| Failure("argument `cluster`: the cluster-robust variance needs a cluster".into()))?,
            ),
            other => {
                return Err(Failure(format!(
                    "argument `robust`: unknown type {other:?}; use \"HC0\", \"HC1\" or a cluster"
                )))
            }
        };
        let var = fit.robust_var(&data, robust)?;
        let (stat, pval) = fit.wald(&var);
        Ok(named(&["var", "stat", "p"], vec![square(&var, fit.coef.len()), stat.into(), pval.into()]))
    })
}

/// Predictions of the fit made from `inputs` (fit behind `ptr`, refitted when gone) at
/// the `n` rows of `x` (column-major, the fit's columns without the intercept), with
/// `offset` (NULL or double): link, link_se, response, response_se.
/// @noRd
#[extendr]
fn glm_predict_(inputs: Robj, ptr: Robj, x: Robj, n: Robj, offset: Robj) -> Robj {
    guarded(|| {
        let args = NamedArgs::new(inputs, "a GLM fit")?;
        let inp = GlmInputs::parse(&args)?;
        let x = doubles("newdata", &x)?;
        let n = nonneg_count("n", &n)?;
        let offset = opt_doubles("offset", &offset)?;
        let data = inp.data()?;
        let fit = glm_fit_or_refit(&ptr, &inp, &data)?;
        let cov = Covariates::new(x, n, &inp.names)?;
        let pr = fit.predict(&cov, offset)?;
        Ok(named(
            &["link", "link_se", "response", "response_se"],
            vec![pr.link.into(), pr.link_se.into(), pr.response.into(), pr.response_se.into()],
        ))
    })
}

/// Residuals of the fit made from `inputs` (fit behind `ptr`, refitted when gone):
/// `type` "deviance", "pearson", "working" or "response".
/// @noRd
#[extendr]
fn glm_resid_(inputs: Robj, ptr: Robj, kind: Robj) -> Robj {
    guarded(|| {
        let args = NamedArgs::new(inputs, "a GLM fit")?;
        let inp = GlmInputs::parse(&args)?;
        let kind = GlmResidual::parse(string("type", &kind)?)?;
        let data = inp.data()?;
        let fit = glm_fit_or_refit(&ptr, &inp, &data)?;
        Ok(fit.residuals(&data, kind)?.into())
    })
}

// ---- person-time on the Lexis diagram, rates and standardisation -----------------------

/// The elements of an R list, as owned handles (slices into them live as long as the
/// returned vector).
fn list_items(arg: &str, x: &Robj) -> Res<Vec<Robj>> {
    x.as_list()
        .map(|l| l.values().collect())
        .ok_or_else(|| Failure(format!("argument `{arg}` must be a list")))
}

/// Columns as an unnamed R list of double vectors.
fn double_list(v: Vec<Vec<f64>>) -> Robj {
    List::from_values(v.into_iter().map(Robj::from)).into()
}

/// Whole numbers >= 0 (levels per by-variable), integer or double.
fn counts(arg: &str, x: &Robj) -> Res<Vec<usize>> {
    let bad = || Failure(format!("argument `{arg}` must be whole numbers >= 0"));
    let v: Vec<f64> = if let Some(i) = x.as_integer_slice() {
        i.iter().map(|&c| if c == i32::MIN { f64::NAN } else { f64::from(c) }).collect()
    } else {
        x.as_real_slice().ok_or_else(bad)?.to_vec()
    };
    v.into_iter()
        .map(|c| if c >= 0.0 && c == c.floor() && c.is_finite() { Ok(c as usize) } else { Err(bad()) })
        .collect()
}

/// Lexis data from the scale names, their values at entry (a list of double vectors,
/// the first scale being the one `exit` is measured on), exit, status and the entry
/// states (NULL: 0).
fn lexis_data<'a>(
    names: &[String],
    at_entry: &'a [Robj],
    exit: &'a Robj,
    status: &'a Robj,
    entry_status: &'a Robj,
) -> Res<LexisData<'a>> {
    if names.len() != at_entry.len() {
        return Err(Failure(format!(
            "argument `time_scales`: {} names for {} scales",
            names.len(),
            at_entry.len()
        )));
    }
    let scales = names
        .iter()
        .cloned()
        .zip(at_entry)
        .map(|(n, v)| Ok((n, doubles("time_scales", v)?)))
        .collect::<Res<Vec<_>>>()?;
    let d = LexisData::new(scales, doubles("exit", exit)?, doubles("status", status)?)?;
    match opt_doubles("entry_status", entry_status)? {
        Some(s) => Ok(d.with_entry_status(s)?),
        None => Ok(d),
    }
}

/// (scale name, breaks) pairs from the names and a list of double vectors.
fn breaks_of<'a>(names: &'a [String], values: &'a [Robj]) -> Res<Vec<(&'a str, &'a [f64])>> {
    if names.len() != values.len() {
        return Err(Failure(format!("argument `breaks`: {} names for {} scales", names.len(), values.len())));
    }
    names
        .iter()
        .zip(values)
        .map(|(n, v)| {
            let b = v
                .as_real_slice()
                .ok_or_else(|| Failure(format!("argument `breaks`: the breaks of `{n}` must be a double vector")))?;
            Ok((n.as_str(), b))
        })
        .collect()
}

/// Split follow-up on the Lexis diagram (Epi::splitLexis / popEpi::splitMulti).
/// `names`: scale names; `at_entry`: list of each scale's value at entry (first scale =
/// the one `exit` is on); `entry_status`: NULL or double; `break_names`, `breaks`: the
/// split scales and a list of their breaks. Returns row (1-based input row), start
/// (list, per scale), band (list, per split scale, NaN outside), duration,
/// entry_status, status.
/// @noRd
#[extendr]
#[allow(clippy::too_many_arguments)]
fn lexis_split_(
    names: Robj,
    at_entry: Robj,
    exit: Robj,
    status: Robj,
    entry_status: Robj,
    break_names: Robj,
    breaks: Robj,
    drop_outside: Robj,
) -> Robj {
    guarded(|| {
        let names = strings("time_scales", &names)?;
        let at = list_items("time_scales", &at_entry)?;
        let d = lexis_data(&names, &at, &exit, &status, &entry_status)?;
        let bnames = strings("breaks", &break_names)?;
        let bvals = list_items("breaks", &breaks)?;
        let br = breaks_of(&bnames, &bvals)?;
        let drop = flag("drop", &drop_outside)?;
        let r = LexisSplit::new(&d, &br, drop)?.split(&d);
        Ok(named(
            &["row", "start", "band", "duration", "entry_status", "status"],
            vec![
                int_col(r.row.iter().map(|&i| i as usize + ROW_BASE)),
                double_list(r.start),
                double_list(r.band),
                r.duration.into(),
                r.entry_status.into(),
                r.status.into(),
            ],
        ))
    })
}

/// Person-time table without materialising the split. Arguments as `lexis_split_`, plus
/// `by`: a list of integer codes 1..k per by-variable and `by_levels` (k of each).
/// Returns band (list), by (list of codes 1..k), entry_status, person_time, pieces,
/// states (entered), transitions (list, per state).
/// @noRd
#[extendr]
#[allow(clippy::too_many_arguments)]
fn person_time_table_(
    names: Robj,
    at_entry: Robj,
    exit: Robj,
    status: Robj,
    entry_status: Robj,
    break_names: Robj,
    breaks: Robj,
    drop_outside: Robj,
    by: Robj,
    by_levels: Robj,
) -> Robj {
    guarded(|| {
        let names = strings("time_scales", &names)?;
        let at = list_items("time_scales", &at_entry)?;
        let d = lexis_data(&names, &at, &exit, &status, &entry_status)?;
        let bnames = strings("breaks", &break_names)?;
        let bvals = list_items("breaks", &breaks)?;
        let br = breaks_of(&bnames, &bvals)?;
        let drop = flag("drop", &drop_outside)?;
        let by_codes = list_items("by", &by)?
            .iter()
            .map(|b| codes("by", b))
            .collect::<Res<Vec<_>>>()?;
        let levels = counts("by_levels", &by_levels)?;
        if levels.len() != by_codes.len() {
            return Err(Failure(format!(
                "argument `by_levels`: {} values for {} by-variables",
                levels.len(),
                by_codes.len()
            )));
        }
        let by: Vec<(&[u32], usize)> = by_codes.iter().map(|c| c.as_slice()).zip(levels).collect();
        let t = LexisSplit::new(&d, &br, drop)?.person_time_table(&d, &by)?;
        let by_out: Vec<Robj> = t
            .by
            .iter()
            .map(|c| int_col(c.iter().map(|&k| k as usize + 1)))
            .collect();
        Ok(named(
            &["band", "by", "entry_status", "person_time", "pieces", "states", "transitions"],
            vec![
                double_list(t.band),
                List::from_values(by_out).into(),
                t.entry_status.into(),
                t.person_time.into(),
                t.pieces.into(),
                t.states.into(),
                double_list(t.transitions),
            ],
        ))
    })
}

/// Cut follow-up at individual times (Epi::cutLexis). Lexis arguments as `lexis_split_`;
/// `cut`: double (NaN/NA: no cut); `timescale`: the scale of the cuts; `new_state`:
/// double per row; `precursor_states`: NULL (the entry states) or double. Returns row
/// (1-based input row), at_entry (list, per scale), exit, duration, entry_status, status.
/// @noRd
#[extendr]
#[allow(clippy::too_many_arguments)]
fn lexis_cut_(
    names: Robj,
    at_entry: Robj,
    exit: Robj,
    status: Robj,
    entry_status: Robj,
    cut: Robj,
    timescale: Robj,
    new_state: Robj,
    precursor_states: Robj,
    progressive: Robj,
) -> Robj {
    guarded(|| {
        let names = strings("time_scales", &names)?;
        let at = list_items("time_scales", &at_entry)?;
        let d = lexis_data(&names, &at, &exit, &status, &entry_status)?;
        let cut = doubles("cut", &cut)?;
        let timescale = string("timescale", &timescale)?;
        let new_state = doubles("new_state", &new_state)?;
        let pre = opt_doubles("precursor_states", &precursor_states)?;
        let progressive = flag("progressive", &progressive)?;
        let r = cut_lexis(&d, cut, timescale, new_state, pre, progressive)?;
        let duration = r.duration();
        Ok(named(
            &["row", "at_entry", "exit", "duration", "entry_status", "status"],
            vec![
                int_col(r.row.iter().map(|&i| i as usize + ROW_BASE)),
                double_list(r.at_entry),
                r.exit.into(),
                duration.into(),
                r.entry_status.into(),
                r.status.into(),
            ],
        ))
    })
}

/// Crude rates with exact Poisson limits; `null_rate`: NULL or the rate of the exact
/// test. Returns rate, lower, upper, p_value (NULL without a null rate).
/// @noRd
#[extendr]
fn crude_rates_(events: Robj, person_time: Robj, null_rate: Robj, conf_level: Robj) -> Robj {
    guarded(|| {
        let e = doubles("events", &events)?;
        let t = doubles("person_time", &person_time)?;
        let null_rate = if null_rate.is_null() { None } else { Some(scalar("null_rate", &null_rate)?) };
        let conf_level = scalar("conf_level", &conf_level)?;
        let r = crude_rates(e, t, null_rate, conf_level)?;
        Ok(named(
            &["rate", "lower", "upper", "p_value"],
            vec![
                r.rate.into(),
                r.lower.into(),
                r.upper.into(),
                r.p_value.map_or_else(|| ().into(), Robj::from),
            ],
        ))
    })
}

/// Rate ratios (`kind` "ratio": exact conditional limits and test of `null_ratio`) or
/// differences ("difference": Wald limits), group 1 versus group 2, one per row.
/// Returns estimate, se (NULL for ratios), lower, upper, p_value.
/// @noRd
#[extendr]
#[allow(clippy::too_many_arguments)]
fn compare_rates_(
    events1: Robj,
    person_time1: Robj,
    events2: Robj,
    person_time2: Robj,
    kind: Robj,
    null_ratio: Robj,
    conf_level: Robj,
) -> Robj {
    guarded(|| {
        let e1 = doubles("events1", &events1)?;
        let t1 = doubles("person_time1", &person_time1)?;
        let e2 = doubles("events2", &events2)?;
        let t2 = doubles("person_time2", &person_time2)?;
        let conf_level = scalar("conf_level", &conf_level)?;
        let (r, ratio) = match string("kind", &kind)? {
            "ratio" => {
                let null_ratio = scalar("null_ratio", &null_ratio)?;
                (rate_ratios(e1, t1, e2, t2, null_ratio, conf_level)?, true)
            }
            "difference" => (rate_differences(e1, t1, e2, t2, conf_level)?, false),
            other => {
                return Err(Failure(format!(
                    "argument `kind`: unknown comparison {other:?}; use \"ratio\" or \"difference\""
                )))
            }
        };
        Ok(named(
            &["estimate", "se", "lower", "upper", "p_value"],
            vec![
                r.estimate.into(),
                if ratio { ().into() } else { r.se.into() },
                r.lower.into(),
                r.upper.into(),
                r.p_value.into(),
            ],
        ))
    })
}

/// Directly standardised rates (Fay-Feuer limits), one per group. `groups`: NULL or
/// codes 1..n_groups, every group used. Returns events, person_time, crude_rate, rate,
/// variance, lower, upper.
/// @noRd
#[extendr]
fn direct_standardize_(
    events: Robj,
    person_time: Robj,
    weights: Robj,
    groups: Robj,
    n_groups: Robj,
    conf_level: Robj,
) -> Robj {
    guarded(|| {
        let e = doubles("events", &events)?;
        let t = doubles("person_time", &person_time)?;
        let w = doubles("standard_weights", &weights)?;
        let conf_level = scalar("conf_level", &conf_level)?;
        let g = if groups.is_null() { None } else { Some((codes("by", &groups)?, count("n_groups", &n_groups)?)) };
        let r = direct_standardize(e, t, w, g.as_ref().map(|(c, k)| (c.as_slice(), *k)), conf_level)?;
        Ok(named(
            &["events", "person_time", "crude_rate", "rate", "variance", "lower", "upper"],
            vec![
                r.events.into(),
                r.person_time.into(),
                r.crude.into(),
                r.rate.into(),
                r.variance.into(),
                r.lower.into(),
                r.upper.into(),
            ],
        ))
    })
}

/// Standardised incidence ratios. `strata`: NULL or codes 1..n_strata, every stratum
/// used. Rows are the strata then the whole cohort (one row unstratified): observed,
/// expected, person_time, sir, lower, upper, p_value (exact), p_chisq; homogeneity:
/// NULL or list(df, lrt, p_lrt, pearson, p_pearson).
/// @noRd
#[extendr]
fn sir_(
    observed: Robj,
    person_time: Robj,
    reference_rate: Robj,
    strata: Robj,
    n_strata: Robj,
    conf_level: Robj,
) -> Robj {
    guarded(|| {
        let o = doubles("observed", &observed)?;
        let t = doubles("person_time", &person_time)?;
        let rr = doubles("reference_rate", &reference_rate)?;
        let conf_level = scalar("conf_level", &conf_level)?;
        let g = if strata.is_null() { None } else { Some((codes("by", &strata)?, count("n_strata", &n_strata)?)) };
        let s = sir(o, t, rr, g.as_ref().map(|(c, k)| (c.as_slice(), *k)), conf_level)?;
        let homogeneity = s.homogeneity.map_or_else(
            || ().into(),
            |h| {
                named(
                    &["df", "lrt", "p_lrt", "pearson", "p_pearson"],
                    vec![(h.df as i32).into(), h.lrt.into(), h.p_lrt.into(), h.pearson.into(), h.p_pearson.into()],
                )
            },
        );
        Ok(named(
            &["observed", "expected", "person_time", "sir", "lower", "upper", "p_value", "p_chisq", "homogeneity"],
            vec![
                s.observed.into(),
                s.expected.into(),
                s.person_time.into(),
                s.sir.into(),
                s.lower.into(),
                s.upper.into(),
                s.p_exact.into(),
                s.p_chisq.into(),
                homogeneity,
            ],
        ))
    })
}

/// A built-in standard population by name: name, age_lower, age_upper (Inf last),
/// weight, source.
/// @noRd
#[extendr]
fn standard_population_(name: Robj) -> Robj {
    guarded(|| {
        let s = standard_population(string("name", &name)?)?;
        Ok(named(
            &["name", "age_lower", "age_upper", "weight", "source"],
            vec![s.name.into(), s.age_lower.into(), s.age_upper.into(), s.weight.into(), s.source.into()],
        ))
    })
}

// ---- competing risks ------------------------------------------------------------------

/// Optional group or strata codes with their count: NULL, or codes 1..k and k.
fn opt_codes(arg: &'static str, count_arg: &str, x: &Robj, k: &Robj) -> Res<Option<(Vec<u32>, usize)>> {
    if x.is_null() {
        Ok(None)
    } else {
        Ok(Some((codes(arg, x)?, count(count_arg, k)?)))
    }
}

/// The columns of competing-risks data, from the named list the R functions build and
/// keep in the fit (`fit$inputs`): time, cause (double codes; `censor_code` =
/// censored), censor_code, entry, weights (NULL or double), and the groups (cumulative
/// incidence: `group`/`n_groups`; Fine-Gray: the censoring groups `cengroup`/
/// `n_cengroups`) and strata (`strata`/`n_strata`), NULL or codes 1..k. The slices
/// borrow R's memory.
struct CompetingInputs<'a> {
    time: &'a [f64],
    cause: &'a [f64],
    censor_code: f64,
    entry: Option<&'a [f64]>,
    weights: Option<&'a [f64]>,
    group: Option<(Vec<u32>, usize)>,
    strata: Option<(Vec<u32>, usize)>,
}

impl<'a> CompetingInputs<'a> {
    /// `group`: the key (and argument name) of the groups: "group" or "cengroup".
    fn parse(a: &'a NamedArgs, group: &'static str) -> Res<Self> {
        let count_key = if group == "group" { "n_groups" } else { "n_cengroups" };
        Ok(CompetingInputs {
            time: doubles("time", a.get("time"))?,
            cause: doubles("cause", a.get("cause"))?,
            censor_code: scalar("censor_code", a.get("censor_code"))?,
            entry: opt_doubles("entry", a.get("entry"))?,
            weights: opt_doubles("weights", a.get("weights"))?,
            group: opt_codes(group, count_key, a.get(group), a.get(count_key))?,
            strata: opt_codes("strata", "n_strata", a.get("strata"), a.get("n_strata"))?,
        })
    }

    fn data(&self) -> Res<CompetingData<'_>> {
        let mut d = CompetingData::new(self.time, self.cause, self.censor_code)?;
        if let Some(e) = self.entry {
            d = d.with_entry(e)?;
        }
        if let Some(w) = self.weights {
            d = d.with_weights(w)?;
        }
        if let Some((g, k)) = &self.group {
            d = d.with_group(g, *k)?;
        }
        if let Some((s, k)) = &self.strata {
            d = d.with_strata(s, *k)?;
        }
        Ok(d)
    }
}

/// The options of a cumulative-incidence fit (`conf_type`, `conf_level`, `rho` of
/// `fit$inputs`).
fn cuminc_params(a: &NamedArgs) -> Res<CumIncParams> {
    Ok(CumInc::params()
        .conf_type(ConfType::parse(string("conf_type", a.get("conf_type"))?)?)
        .conf_level(scalar("conf_level", a.get("conf_level"))?)
        .rho(scalar("rho", a.get("rho"))?)
        .variance(match string("variance", a.get("variance"))? {
            "cuminc" => hrrstats_core::CifVariance::Cuminc,
            "survfit" => hrrstats_core::CifVariance::Survfit,
            other => {
                return Err(Failure(format!(
                    "argument `variance`: unknown value \"{other}\"; use \"cuminc\" or \"survfit\""
                )))
            }
        }))
}

/// Aalen-Johansen cumulative incidence from `inputs` (see [`CompetingInputs`], plus
/// conf_type, conf_level, rho). Returns causes (the codes present, sorted), table (one
/// row per group, cause and distinct time of the group, in that order: group (1..k),
/// cause (1-based index into causes), time, n_risk, n_event, n_censor, estimate,
/// variance, lower, upper, survival (all-cause)), gray (NULL, or cause, statistic, df,
/// p_value), conf_type and `ptr`, an external pointer to the fit for `cuminc_at_`.
/// @noRd
#[extendr]
fn cuminc_fit_(inputs: Robj) -> Robj {
    guarded(|| {
        let args = NamedArgs::new(inputs, "a cumulative incidence fit")?;
        let inp = CompetingInputs::parse(&args, "group")?;
        let fit = cuminc_params(&args)?.fit(&inp.data()?)?;
        let rows: usize = fit.curves.iter().map(|c| c.time.len()).sum::<usize>() * fit.causes.len();
        let (mut group, mut cause) = (Vec::with_capacity(rows), Vec::with_capacity(rows));
        let mut cols: [Vec<f64>; 9] = Default::default();
        for (g, c) in fit.curves.iter().enumerate() {
            for k in 0..fit.causes.len() {
                let m = c.time.len();
                group.extend(std::iter::repeat_n(g + 1, m));
                cause.extend(std::iter::repeat_n(k + 1, m));
                for (col, v) in cols.iter_mut().zip([
                    &c.time,
                    &c.n_risk,
                    &c.n_event[k],
                    &c.n_censor,
                    &c.estimate[k],
                    &c.variance[k],
                    &c.lower[k],
                    &c.upper[k],
                    &c.survival,
                ]) {
                    col.extend_from_slice(v);
                }
            }
        }
        let mut values = vec![int_col(group), int_col(cause)];
        values.extend(cols.into_iter().map(Robj::from));
        let table = named(
            &[
                "group", "cause", "time", "n_risk", "n_event", "n_censor", "estimate", "variance", "lower", "upper",
                "survival",
            ],
            values,
        );
        let gray = fit.gray.as_ref().map_or_else(
            || ().into(),
            |g| {
                named(
                    &["cause", "statistic", "df", "p_value"],
                    vec![
                        g.iter().map(|t| t.cause).collect::<Vec<f64>>().into(),
                        g.iter().map(|t| t.statistic).collect::<Vec<f64>>().into(),
                        int_col(g.iter().map(|t| t.df)),
                        g.iter().map(|t| t.p_value).collect::<Vec<f64>>().into(),
                    ],
                )
            },
        );
        let causes: Robj = fit.causes.clone().into();
        let conf_type = fit.conf_type.name();
        Ok(named(
            &["causes", "table", "gray", "conf_type", "ptr"],
            vec![causes, table, gray, conf_type.into(), ExternalPtr::new(fit).into()],
        ))
    })
}

/// Estimates and variances at `times` for the groups (codes 1..k) in `groups`, from the
/// fit behind `ptr` (refitted from `inputs` when gone): group, cause (1-based index
/// into the fit's causes), time, estimate, variance (NaN after a group's last time),
/// ordered by group, cause and time.
/// @noRd
#[extendr]
fn cuminc_at_(inputs: Robj, ptr: Robj, times: Robj, groups: Robj) -> Robj {
    guarded(|| {
        let times = doubles("times", &times)?;
        let groups = codes("group", &groups)?;
        let alive = <&ExternalPtr<CumIncFit>>::try_from(&ptr).ok().and_then(|p| p.try_addr().ok());
        let refit;
        let fit = match alive {
            Some(f) => f,
            None => {
                let args = NamedArgs::new(inputs, "a cumulative incidence fit")?;
                let inp = CompetingInputs::parse(&args, "group")?;
                refit = cuminc_params(&args)?.fit(&inp.data()?)?;
                &refit
            }
        };
        let (mut g_col, mut c_col, mut t_col, mut est, mut var) = (vec![], vec![], vec![], vec![], vec![]);
        for &g in &groups {
            let at = fit.at(g as usize, times)?;
            for k in 0..fit.causes.len() {
                g_col.extend(std::iter::repeat_n(g as usize + 1, times.len()));
                c_col.extend(std::iter::repeat_n(k + 1, times.len()));
                t_col.extend_from_slice(times);
                est.extend_from_slice(&at.estimate[k]);
                var.extend_from_slice(&at.variance[k]);
            }
        }
        Ok(named(
            &["group", "cause", "time", "estimate", "variance"],
            vec![int_col(g_col), int_col(c_col), t_col.into(), est.into(), var.into()],
        ))
    })
}

/// The inputs of a Fine-Gray fit: the competing-risks columns (see
/// [`CompetingInputs`], censoring groups `cengroup`), x (numeric matrix, column-major,
/// n x length(names)), names, failcode (the cause of interest), gtol, max_iter.
struct FineGrayInputs<'a> {
    data: CompetingInputs<'a>,
    x: &'a [f64],
    names: Vec<String>,
    params: FineGrayParams,
}

impl<'a> FineGrayInputs<'a> {
    fn parse(a: &'a NamedArgs) -> Res<Self> {
        let data = CompetingInputs::parse(a, "cengroup")?;
        let x = doubles("covariates", a.get("x"))?;
        let names = strings("names", a.get("names"))?;
        let params = FineGray::params()
            .cause(scalar("cause", a.get("failcode"))?)
            .gtol(scalar("gtol", a.get("gtol"))?)
            .max_iter(nonneg_count("max_iter", a.get("max_iter"))?);
        Ok(FineGrayInputs { data, x, names, params })
    }

    fn fit(&self) -> Res<FineGrayFit> {
        let cov = Covariates::new(self.x, self.data.time.len(), &self.names)?;
        Ok(self.params.fit(&self.data.data()?, &cov)?)
    }
}

/// The Fine-Gray fit behind `ptr`, or, when it is gone (saveRDS()/readRDS()), the same
/// fit made again from `inputs`.
fn fine_gray_fit_or_refit(ptr: &Robj, inputs: Robj) -> Res<std::borrow::Cow<'_, FineGrayFit>> {
    let alive = <&ExternalPtr<FineGrayFit>>::try_from(ptr).ok().and_then(|p| p.try_addr().ok());
    match alive {
        Some(fit) => Ok(std::borrow::Cow::Borrowed(fit)),
        None => {
            let args = NamedArgs::new(inputs, "a Fine-Gray fit")?;
            Ok(std::borrow::Cow::Owned(FineGrayInputs::parse(&args)?.fit()?))
        }
    }
}

/// The Wald table (coef, se, z, p, lower, upper; one row per coefficient) at
/// `conf_level`.
fn wald_matrix(fit: &FineGrayFit, conf_level: &Robj) -> Res<Robj> {
    let level = scalar("conf_level", conf_level)?;
    if !(level > 0.0 && level < 1.0) {
        return Err(Failure(format!("argument `conf_level`: must be strictly between 0 and 1 (got {level})")));
    }
    let w = fit.wald(level);
    Ok(RMatrix::<f64>::new_matrix(w.len(), 6, |i, j| w[i][j]).into())
}

/// Fine-Gray regression from `inputs` (see [`FineGrayInputs`]) with the Wald table at
/// `inputs$conf_level`. Returns names, coef, se, var (sandwich) and naive_var (inverse
/// information) as matrices, loglik, loglik_null, score, iterations, converged, n,
/// n_events, event_times, baseline_jumps, wald (p x 6: coef, se, z, p, lower, upper)
/// and `ptr`, an external pointer to the fit for predictions.
/// @noRd
#[extendr]
fn fine_gray_fit_(inputs: Robj) -> Robj {
    guarded(|| {
        let args = NamedArgs::new(inputs, "a Fine-Gray fit")?;
        let fit = FineGrayInputs::parse(&args)?.fit()?;
        let wald = wald_matrix(&fit, args.get("conf_level"))?;
        let p = fit.p();
        Ok(named(
            &[
                "names",
                "coef",
                "se",
                "var",
                "naive_var",
                "loglik",
                "loglik_null",
                "score",
                "iterations",
                "converged",
                "n",
                "n_events",
                "event_times",
                "baseline_jumps",
                "wald",
                "ptr",
            ],
            vec![
                fit.names.clone().into(),
                fit.coef.clone().into(),
                fit.se.clone().into(),
                square(&fit.var, p),
                square(&fit.naive_var, p),
                fit.loglik.into(),
                fit.loglik_null.into(),
                fit.score.clone().into(),
                (fit.iterations as i32).into(),
                fit.converged.into(),
                (fit.n as i32).into(),
                (fit.n_events as i32).into(),
                fit.event_times.clone().into(),
                fit.baseline_jumps.clone().into(),
                wald,
                ExternalPtr::new(fit).into(),
            ],
        ))
    })
}

/// The Wald table (p x 6: coef, se, z, p, lower, upper) at `conf_level` of the fit
/// behind `ptr` (refitted from `inputs` when gone).
/// @noRd
#[extendr]
fn fine_gray_wald_(inputs: Robj, ptr: Robj, conf_level: Robj) -> Robj {
    guarded(|| {
        let fit = fine_gray_fit_or_refit(&ptr, inputs)?;
        wald_matrix(&fit, &conf_level)
    })
}

/// Predicted cumulative incidence of the cause of interest at the fit's event times
/// (as predict.crr) for the `n` rows of `x` (column-major, the fit's columns), from the
/// fit behind `ptr` (refitted from `inputs` when gone): a matrix with one row per event
/// time and one column per row of `x`.
/// @noRd
#[extendr]
fn fine_gray_predict_(inputs: Robj, ptr: Robj, x: Robj, n: Robj) -> Robj {
    guarded(|| {
        let fit = fine_gray_fit_or_refit(&ptr, inputs)?;
        let x = doubles("newdata", &x)?;
        let n = count("n", &n)?;
        let p = fit.p();
        if x.len() != n * p {
            return Err(Failure(format!(
                "argument `newdata`: {} values do not form {p} columns of {n} rows",
                x.len()
            )));
        }
        let rows: Vec<f64> = (0..n).flat_map(|i| (0..p).map(move |j| x[j * n + i])).collect();
        let cif = fit.predict(&rows)?;
        let m = fit.event_times.len();
        Ok(RMatrix::<f64>::new_matrix(m, n, |t, i| cif[i][t]).into())
    })
}

extendr_module! {
    mod hrrstats;
    use protocol;
    fn cox_fit_;
    fn cox_zph_;
    fn cox_resid_;
    fn glm_fit_;
    fn glm_robust_;
    fn glm_predict_;
    fn glm_resid_;
    fn lexis_split_;
    fn person_time_table_;
    fn lexis_cut_;
    fn crude_rates_;
    fn compare_rates_;
    fn direct_standardize_;
    fn sir_;
    fn standard_population_;
    fn cuminc_fit_;
    fn cuminc_at_;
    fn fine_gray_fit_;
    fn fine_gray_wald_;
    fn fine_gray_predict_;
}
