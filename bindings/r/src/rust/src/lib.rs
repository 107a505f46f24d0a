//! R bindings of hrrstats (extendr). No statistics here: each function converts its
//! arguments, calls `hrrstats_core` and returns a list of columns.
//!
//! Every exported function returns `list(ok = TRUE, value = <result>)` or
//! `list(ok = FALSE, message = <text>)`; the R layer turns the latter into an ordinary
//! R error with `stop()`. Core errors are rendered with `Error::message(1)` (rows
//! counted from 1, as R users count them). Any unexpected panic is caught here too, with
//! the default panic hook silenced so nothing like "thread panicked" reaches stderr.

use std::panic::{self, AssertUnwindSafe};

use extendr_api::prelude::*;
use hrrstats_core::{
    ConfType, Convergence, CoxData, CoxPh, Covariates, Error as CoreError, KaplanMeier, KaplanMeierFit, LogrankTest,
    SurvivalData, TestResult, Ties, Variance,
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

fn km_fit_of(ptr: &Robj) -> Res<&KaplanMeierFit> {
    let p: &ExternalPtr<KaplanMeierFit> = ptr
        .try_into()
        .map_err(|_| Failure("the Kaplan-Meier fit is no longer in memory (saved and reloaded?): refit it".into()))?;
    p.try_addr()
        .map_err(|_| Failure("the Kaplan-Meier fit is no longer in memory (saved and reloaded?): refit it".into()))
}

// ---- Kaplan-Meier ----------------------------------------------------------------------

/// Fit Kaplan-Meier curves. `strata`: NULL or integer codes 1..n_strata.
/// Returns the fit as columns plus an external pointer to the fit for quantiles and
/// survival at given times.
/// @noRd
#[extendr]
#[allow(clippy::too_many_arguments)]
fn km_fit_(
    time: Robj,
    status: Robj,
    entry: Robj,
    weights: Robj,
    strata: Robj,
    n_strata: Robj,
    conf_type: Robj,
    conf_level: Robj,
    variance: Robj,
) -> Robj {
    guarded(|| {
        let time = doubles("time", &time)?;
        let status = doubles("status", &status)?;
        let entry = opt_doubles("entry", &entry)?;
        let weights = opt_doubles("weights", &weights)?;
        let conf_type = ConfType::parse(string("conf_type", &conf_type)?)?;
        let conf_level = scalar("conf_level", &conf_level)?;
        let variance = match string("variance", &variance)? {
            "auto" => Variance::Auto,
            "greenwood" => Variance::Greenwood,
            "robust" => Variance::Robust,
            other => {
                return Err(Failure(format!(
                    "argument `variance`: unknown estimator {other:?}; use \"auto\", \"greenwood\" or \"robust\""
                )))
            }
        };

        let mut data = SurvivalData::new(time, status)?;
        if let Some(e) = entry {
            data = data.with_entry(e)?;
        }
        if let Some(w) = weights {
            data = data.with_weights(w)?;
        }
        let strata = if strata.is_null() {
            None
        } else {
            Some((codes("strata", &strata)?, count("n_strata", &n_strata)?))
        };
        if let Some((codes, k)) = &strata {
            data = data.with_strata(codes, *k)?;
        }
        let fit = KaplanMeier::params()
            .conf_type(conf_type)
            .conf_level(conf_level)
            .variance(variance)
            .fit(&data)?;

        let table = named(
            &[
                "strata",
                "time",
                "n_risk",
                "n_event",
                "n_censor",
                "survival",
                "std_err",
                "lower",
                "upper",
                "cumulative_hazard",
                "std_err_cumulative_hazard",
            ],
            vec![
                int_col(fit.row_strata().into_iter().map(|k| k as usize + 1)),
                fit.time.clone().into(),
                fit.n_risk.clone().into(),
                fit.n_event.clone().into(),
                fit.n_censor.clone().into(),
                fit.survival.clone().into(),
                fit.std_err.clone().into(),
                fit.lower.clone().into(),
                fit.upper.clone().into(),
                fit.cumulative_hazard.clone().into(),
                fit.std_err_cumulative_hazard.clone().into(),
            ],
        );
        let n = int_col(fit.n.iter().copied());
        let robust = fit.robust;
        let conf_type = fit.conf_type.name();
        let ptr: Robj = ExternalPtr::new(fit).into();
        Ok(named(
            &["table", "n", "robust", "conf_type", "ptr"],
            vec![table, n, robust.into(), conf_type.into(), ptr],
        ))
    })
}

/// Whether `ptr` still holds a fit (false after saveRDS()/readRDS(): R does not
/// serialise external pointers).
/// @noRd
#[extendr]
fn km_alive_(ptr: Robj) -> bool {
    km_fit_of(&ptr).is_ok()
}

/// Quantiles of the survival time per stratum, from a fit made by `km_fit_`.
/// @noRd
#[extendr]
fn km_quantile_(ptr: Robj, probs: Robj) -> Robj {
    guarded(|| {
        let fit = km_fit_of(&ptr)?;
        let probs = doubles("probs", &probs)?;
        let (mut strata, mut prob, mut est, mut lo, mut hi) = (vec![], vec![], vec![], vec![], vec![]);
        for &p in probs {
            for (k, q) in fit.quantile(p)?.into_iter().enumerate() {
                strata.push(k + 1);
                prob.push(p);
                est.push(q.estimate);
                lo.push(q.lower);
                hi.push(q.upper);
            }
        }
        Ok(named(
            &["strata", "prob", "estimate", "lower", "upper"],
            vec![int_col(strata), prob.into(), est.into(), lo.into(), hi.into()],
        ))
    })
}

/// Survival read off the curves at `times`, for the strata (codes 1..k) in `strata`.
/// @noRd
#[extendr]
fn km_survival_at_(ptr: Robj, times: Robj, strata: Robj) -> Robj {
    guarded(|| {
        let fit = km_fit_of(&ptr)?;
        let times = doubles("times", &times)?;
        let strata = codes("stratum", &strata)?;
        let (mut s_col, mut time, mut n_risk, mut surv, mut se, mut lo, mut hi, mut ch) =
            (vec![], vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
        for &k in &strata {
            let at = fit.survival_at(k as usize, times)?;
            s_col.extend(std::iter::repeat_n(k as usize + 1, at.time.len()));
            time.extend(at.time);
            n_risk.extend(at.n_risk);
            surv.extend(at.survival);
            se.extend(at.std_err);
            lo.extend(at.lower);
            hi.extend(at.upper);
            ch.extend(at.cumulative_hazard);
        }
        Ok(named(
            &[
                "strata",
                "time",
                "n_risk",
                "survival",
                "std_err",
                "lower",
                "upper",
                "cumulative_hazard",
            ],
            vec![
                int_col(s_col),
                time.into(),
                n_risk.into(),
                surv.into(),
                se.into(),
                lo.into(),
                hi.into(),
                ch.into(),
            ],
        ))
    })
}

// ---- log-rank ----------------------------------------------------------------------------

/// Log-rank (G-rho) test. `group`: codes 1..n_groups; `strata`: NULL or codes 1..n_strata.
/// @noRd
#[extendr]
#[allow(clippy::too_many_arguments)]
fn logrank_(
    time: Robj,
    status: Robj,
    entry: Robj,
    group: Robj,
    n_groups: Robj,
    strata: Robj,
    n_strata: Robj,
    rho: Robj,
) -> Robj {
    guarded(|| {
        let time = doubles("time", &time)?;
        let status = doubles("status", &status)?;
        let entry = opt_doubles("entry", &entry)?;
        let rho = scalar("rho", &rho)?;

        let mut data = SurvivalData::new(time, status)?;
        if let Some(e) = entry {
            data = data.with_entry(e)?;
        }
        let group = codes("group", &group)?;
        let n_groups = count("n_groups", &n_groups)?;
        let strata = if strata.is_null() {
            None
        } else {
            Some((codes("strata", &strata)?, count("n_strata", &n_strata)?))
        };
        if let Some((codes, k)) = &strata {
            data = data.with_strata(codes, *k)?;
        }
        let t: LogrankTest = LogrankTest::params().rho(rho).fit(&data, &group, n_groups)?;
        let g = t.n_groups;
        // Row-major k x k -> R's column-major matrix (symmetric, but keep it exact).
        let variance = RMatrix::<f64>::new_matrix(g, g, |i, j| t.variance[i * g + j]);
        Ok(named(
            &[
                "statistic",
                "df",
                "p_value",
                "observed",
                "expected",
                "variance",
                "n",
                "observed_by_stratum",
                "expected_by_stratum",
                "n_strata",
                "rho",
            ],
            vec![
                t.statistic.into(),
                (t.df as i32).into(),
                t.p_value.into(),
                t.observed.clone().into(),
                t.expected.clone().into(),
                variance.into(),
                int_col(t.n.iter().copied()),
                // [stratum * n_groups + group] is column-major n_groups x n_strata.
                RMatrix::<f64>::new_matrix(g, t.n_strata, |i, j| t.observed_by_stratum[j * g + i]).into(),
                RMatrix::<f64>::new_matrix(g, t.n_strata, |i, j| t.expected_by_stratum[j * g + i]).into(),
                (t.n_strata as i32).into(),
                t.rho.into(),
            ],
        ))
    })
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

/// Fit a Cox model. `x`: numeric matrix (column-major, n x length(names)); `strata`:
/// NULL or codes 1..n_strata; `cluster`: NULL or codes 1..k; `entry`, `weights`,
/// `offset`, `init`: NULL or double vectors. Returns the fit's fields; variance
/// matrices as R matrices, tests as c(statistic, df, p_value).
/// @noRd
#[extendr]
#[allow(clippy::too_many_arguments)]
fn cox_fit_(
    time: Robj,
    status: Robj,
    entry: Robj,
    weights: Robj,
    strata: Robj,
    n_strata: Robj,
    x: Robj,
    names: Robj,
    offset: Robj,
    cluster: Robj,
    ties: Robj,
    robust: Robj,
    max_iter: Robj,
    eps: Robj,
    init: Robj,
) -> Robj {
    guarded(|| {
        let time = doubles("time", &time)?;
        let status = doubles("status", &status)?;
        let entry = opt_doubles("entry", &entry)?;
        let weights = opt_doubles("weights", &weights)?;
        let x = doubles("covariates", &x)?;
        let names = strings("names", &names)?;
        let offset = opt_doubles("offset", &offset)?;
        let ties = Ties::parse(string("ties", &ties)?)?;
        let robust = flag("robust", &robust)?;
        let max_iter = nonneg_count("max_iter", &max_iter)?;
        let eps = scalar("eps", &eps)?;
        let init = opt_doubles("init", &init)?;

        let mut surv = SurvivalData::new(time, status)?;
        if let Some(e) = entry {
            surv = surv.with_entry(e)?;
        }
        if let Some(w) = weights {
            surv = surv.with_weights(w)?;
        }
        let strata = if strata.is_null() {
            None
        } else {
            Some((codes("strata", &strata)?, count("n_strata", &n_strata)?))
        };
        if let Some((codes, k)) = &strata {
            surv = surv.with_strata(codes, *k)?;
        }
        let cov = Covariates::new(x, time.len(), &names)?;
        let mut data = CoxData::new(surv, cov)?;
        if let Some(o) = offset {
            data = data.with_offset(o)?;
        }
        let cluster = if cluster.is_null() { None } else { Some(codes("cluster", &cluster)?) };
        if let Some(c) = &cluster {
            data = data.with_cluster(c)?;
        }
        let mut params = CoxPh::params().ties(ties).robust(robust).max_iter(max_iter).eps(eps);
        if let Some(b) = init {
            params = params.init(b.to_vec());
        }
        let fit = params.fit(&data)?;

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
            ],
        ))
    })
}

extendr_module! {
    mod hrrstats;
    fn km_fit_;
    fn km_alive_;
    fn km_quantile_;
    fn km_survival_at_;
    fn logrank_;
    fn cox_fit_;
}
