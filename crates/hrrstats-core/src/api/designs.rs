//! Registry study designs through the protocol: `pool` (Rubin's rules, as
//! `mice::pool`), `conditional_logistic` (as `survival::clogit`) and
//! `nested_case_control` (risk-set sampling, as `Epi::ccwc`).

use super::Output;
use crate::designs::pool::pool_scalar;
use crate::error::{Error, Result};
use crate::protocol::{Args, Record, Table};

/// The parameters' columns of `estimates` or `variances`: a record of columns (one per
/// parameter, `m` values each) or one numeric vector (one parameter, "estimate").
fn parameter_columns<'a>(args: &'a Args, name: &'static str) -> Result<(Vec<&'a [f64]>, Vec<String>)> {
    match args.get(name) {
        Some(crate::protocol::Arg::Record(_)) => args.columns(name),
        _ => Ok((vec![args.nums(name)?], vec!["estimate".to_string()])),
    }
}

/// Rubin's rules, as `mice::pool`: `estimates` and `variances` (squared standard
/// errors) from `m` imputations, one column per parameter (a record) or one vector;
/// `df_complete` (complete-data degrees of freedom; absent or infinite: Rubin's 1987
/// df), `conf_level` (0.95). Returns `table`: term, m, estimate, ubar, b, t,
/// df_complete, df, riv, lambda, fmi, se, statistic, p, lower, upper.
pub fn pool(args: &Args) -> Result<Output> {
    let (q, names) = parameter_columns(args, "estimates")?;
    let (u, unames) = parameter_columns(args, "variances")?;
    if u.len() != q.len() {
        return Err(Error::InvalidArgument {
            arg: "variances",
            reason: format!("has {} parameters but `estimates` has {}", u.len(), q.len()),
        });
    }
    if unames != names && !(u.len() == 1) {
        return Err(Error::InvalidArgument {
            arg: "variances",
            reason: format!(
                "the columns must be those of `estimates` ({}), got ({})",
                names.join(", "),
                unames.join(", ")
            ),
        });
    }
    let df_complete = args.num_or("df_complete", f64::INFINITY)?;
    let conf_level = args.num_or("conf_level", 0.95)?;
    let mut cols: [Vec<f64>; 14] = Default::default();
    let mut m = Vec::with_capacity(q.len());
    for (qj, uj) in q.iter().zip(&u) {
        let p = pool_scalar(qj, uj, df_complete, conf_level)?;
        m.push(p.m);
        for (c, v) in cols.iter_mut().zip([
            p.estimate, p.ubar, p.b, p.t, p.df_complete, p.df, p.riv, p.lambda, p.fmi, p.se,
            p.statistic, p.p_value, p.lower, p.upper,
        ]) {
            c.push(v);
        }
    }
    let mut t = Table::new()
        .with("term", names)
        .with("m", crate::protocol::ints(&m));
    for (name, c) in [
        "estimate", "ubar", "b", "t", "df_complete", "df", "riv", "lambda", "fmi", "se",
        "statistic", "p", "lower", "upper",
    ]
    .iter()
    .zip(cols)
    {
        t.push(name, c);
    }
    Ok(Output::value(
        Record::new().with("table", t).with("conf_level", conf_level),
    ))
}

// ---- conditional logistic regression ----------------------------------------------------

/// How the conditional likelihood is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClogitMethod {
    /// The exact conditional likelihood (Gail et al. 1981).
    #[default]
    Exact,
    /// Breslow's approximation (a Cox model with every time equal).
    Approximate,
    /// Efron's approximation.
    Efron,
}
crate::option_enum!(ClogitMethod, "method",
    "exact" => ClogitMethod::Exact, "approximate" => ClogitMethod::Approximate,
    "breslow" => ClogitMethod::Approximate, "efron" => ClogitMethod::Efron);

/// A fit of the study designs whose only operation is `coef_table` (conditional
/// logistic, case–cohort): its Wald table at any level.
struct CoefFit {
    what: &'static str,
    names: Vec<String>,
    coef: Vec<f64>,
    se: Vec<f64>,
    /// Model-based se beside a robust `se`.
    naive_se: Option<Vec<f64>>,
}

impl CoefFit {
    fn table(&self, conf_level: f64) -> Result<Table> {
        crate::inference::CoefTable {
            names: &self.names,
            coef: &self.coef,
            se: &self.se,
            naive_se: self.naive_se.as_deref(),
            dist: crate::inference::WaldDist::Normal,
            exp: true,
            conf_level,
        }
        .table()
    }
}

impl super::Fitted for CoefFit {
    fn call(&self, method: &str, args: &Args) -> Result<crate::protocol::Value> {
        match method {
            "coef_table" => Ok(self.table(args.num_or("conf_level", 0.95)?)?.into()),
            _ => Err(super::no_such(self.what, method)),
        }
    }
}

/// Conditional logistic regression, as `survival::clogit`: `case` (1 case, 0 control),
/// `covariates` (named numeric columns), `strata` (the matched sets; absent: one set),
/// `method` ("exact", "approximate" = "breslow", "efron"), `weights` (case weights, the
/// approximations only, as clogit), `offset`, `init`, `max_iter` (20), `eps` (1e-9),
/// `exact_limit` (1e7: the most cases x rows in one matched set for the exact method),
/// `conf_level` (0.95), `robust` (a sandwich variance, each row its own cluster, as
/// `clogit(..., robust = TRUE)`) and `cluster` (the sandwich summed within clusters,
/// e.g. the matched sets, as a `cluster()` term); both for the approximations only, as
/// clogit. Returns the coefficient table, coef, se, var (robust with `robust` or
/// `cluster`), naive_se and naive_var (model-based), loglik (null, final), score, Wald
/// (robust variance when robust) and likelihood-ratio tests, robust_score_test, n,
/// n_event, iterations.
pub fn conditional_logistic(args: &Args) -> Result<Output> {
    use crate::data::{check_len, check_status, Covariates, CoxData, SurvivalData};
    use crate::designs::clogit::{fit_exact, ExactParams, MatchedSets, DEFAULT_EXACT_LIMIT};
    use crate::protocol::Matrix;
    use crate::survival::cox::{Convergence, CoxPh, Ties};

    let case = args.nums("case")?;
    let n = case.len();
    if n == 0 {
        return Err(Error::Empty { arg: "case" });
    }
    check_status("case", case)?;
    let (cols, names) = args.columns("covariates")?;
    for c in &cols {
        check_len("covariates", c.len(), "case", n)?;
    }
    let x = Covariates::from_columns(cols, &names)?;
    let strata = args.opt_codes("strata")?;
    let levels = args.levels("strata");
    let one = vec![0u32; n];
    let (codes, n_strata) = match strata {
        Some((c, k)) => {
            check_len("strata", c.len(), "case", n)?;
            crate::data::check_codes("strata", c, k)?;
            (c, k)
        }
        None => (&one[..], 1),
    };
    let offset = args.opt_nums("offset")?;
    if let Some(o) = offset {
        crate::data::check_offset(o, n, "case")?;
    }
    let weights = args.opt_nums("weights")?;
    if let Some(w) = weights {
        check_len("weights", w.len(), "case", n)?;
    }
    let method = args.option::<ClogitMethod>("method")?;
    let max_iter = args.count_or("max_iter", 20, 0)?;
    let eps = args.num_or("eps", 1e-9)?;
    if !(eps > 0.0 && eps.is_finite()) {
        return Err(Error::InvalidArgument { arg: "eps", reason: format!("must be positive, got {eps}") });
    }
    let init = args.opt_nums("init")?;
    if let Some(i) = init {
        if i.len() != names.len() {
            return Err(Error::InvalidArgument {
                arg: "init",
                reason: format!("has {} values for {} coefficients", i.len(), names.len()),
            });
        }
        crate::data::check_finite("init", i)?;
    }
    let conf_level = args.num_or("conf_level", 0.95)?;
    crate::data::check_conf_level(conf_level)?;
    let n_event = case.iter().filter(|&&c| c == 1.0).count();
    if n_event == 0 {
        return Err(Error::Data { arg: "case", reason: "no cases: conditional logistic regression needs at least one".into() });
    }
    let p = names.len();
    let cluster = args.opt_codes("cluster")?;
    if let Some((c, k)) = cluster {
        check_len("cluster", c.len(), "case", n)?;
        crate::data::check_codes("cluster", c, k)?;
    }
    let robust = args.flag_or("robust", false)? || cluster.is_some();
    let mut naive_var = None;
    let mut robust_score = None;
    let (coef, var, loglik, tests, iterations, converged, aliased, warnings) = match method {
        ClogitMethod::Exact => {
            if robust {
                return Err(Error::InvalidArgument {
                    arg: if cluster.is_some() { "cluster" } else { "robust" },
                    reason: "a robust variance is not available with the exact method (as survival::clogit: no dfbeta residuals for it); use method = \"approximate\" or \"efron\"".into(),
                });
            }
            if weights.is_some() {
                return Err(Error::InvalidArgument {
                    arg: "weights",
                    reason: "case weights are not supported by the exact method (as survival::clogit); use method = \"approximate\" or \"efron\"".into(),
                });
            }
            let limit = args.num_or("exact_limit", DEFAULT_EXACT_LIMIT)?;
            if limit.is_nan() || limit <= 0.0 {
                return Err(Error::InvalidArgument { arg: "exact_limit", reason: format!("must be positive, got {limit}") });
            }
            let sets = MatchedSets::new(case, codes, n_strata, &levels, limit)?;
            let params = ExactParams { max_iter, eps, init: init.map(<[f64]>::to_vec), ..ExactParams::default() };
            let f = fit_exact(&sets, &x, case, offset, &params)?;
            (f.coef, f.var, f.loglik, [f.score_test, f.wald_test, f.lr_test], f.iterations, f.converged, f.aliased, f.warnings)
        }
        _ => {
            let time = vec![1.0; n];
            let surv = SurvivalData::from_parts(&time, case, None, weights, Some((codes, n_strata)))?;
            let mut data = CoxData::new(surv, x)?;
            if let Some(o) = offset {
                data = data.with_offset(o)?;
            }
            let ties = if method == ClogitMethod::Efron { Ties::Efron } else { Ties::Breslow };
            if let Some((c, _)) = cluster {
                data = data.with_cluster(c)?;
            }
            let mut params = CoxPh::params().ties(ties).max_iter(max_iter).eps(eps).robust(robust);
            if let Some(i) = init {
                params = params.init(i.to_vec());
            }
            let f = params.fit(&data)?;
            if robust {
                naive_var = Some(f.naive_var.clone());
                robust_score = f.robust_score_test;
            }
            let conv = f.convergence != Convergence::MaxIterations;
            (f.coef, f.var, f.loglik, [f.score_test, f.wald_test, f.lr_test], f.iterations, conv, f.aliased, f.warnings)
        }
    };
    let sd = |v: &[f64]| -> Vec<f64> { (0..p).map(|j| if aliased[j] { f64::NAN } else { v[j * p + j].sqrt() }).collect() };
    let se = sd(&var);
    let naive_se = naive_var.as_deref().map_or_else(|| se.clone(), sd);
    let fit = CoefFit {
        what: "a conditional logistic fit",
        names: names.clone(),
        coef: coef.clone(),
        se: se.clone(),
        naive_se: robust.then(|| naive_se.clone()),
    };
    let rec = Record::new()
        .with("table", fit.table(conf_level)?)
        .with("names", names.clone())
        .with("coef", coef)
        .with("se", se)
        .with("naive_se", naive_se)
        .with("var", Matrix::square(&var, &names))
        .with("naive_var", Matrix::square(naive_var.as_deref().unwrap_or(&var), &names))
        .with("robust", robust)
        .with("n_cluster", match cluster {
            Some((c, _)) => {
                let mut u: Vec<u32> = c.to_vec();
                u.sort_unstable();
                u.dedup();
                crate::protocol::Value::Int(u.len() as i64)
            }
            None if robust => crate::protocol::Value::Int(n as i64),
            None => crate::protocol::Value::Null,
        })
        .with("robust_score_test", match robust_score {
            Some(t) => t.record().into(),
            None => crate::protocol::Value::Null,
        })
        .with("loglik", loglik.to_vec())
        .with("score_test", tests[0].record())
        .with("wald_test", tests[1].record())
        .with("lr_test", tests[2].record())
        .with("df", aliased.iter().filter(|&&a| !a).count())
        .with("aliased", aliased)
        .with("iterations", iterations)
        .with("converged", converged)
        .with("n", n)
        .with("n_event", n_event)
        .with("method", match method {
            ClogitMethod::Exact => "exact",
            ClogitMethod::Approximate => "approximate",
            ClogitMethod::Efron => "efron",
        })
        .with("warnings", warnings)
        .with("conf_level", conf_level);
    Ok(Output::fit(rec, fit))
}

// ---- nested case-control sampling --------------------------------------------------------

/// Nested case–control (risk-set) sampling, as `Epi::ccwc`: `exit` (the time of failure
/// or censoring on the chosen time scale), `status` (1 failure, 0 censored), `entry`
/// (absent: at risk from the start), `controls` (per case, 1), `match` (a grouping:
/// controls drawn within the case's group), `seed` (a whole number in [0, 2^53); absent:
/// drawn from the clock and returned). Returns `table` (set, id (row), fail, time,
/// n_eligible, and `match` when given), the `seed` used, `n_sets`, `n_incomplete`,
/// `n_unmatched` and ccwc's warnings.
pub fn nested_case_control(args: &Args) -> Result<Output> {
    use crate::data::{check_codes, check_finite, check_len, check_status};
    use crate::designs::ncc::sample;
    use crate::protocol::Value;

    let exit = args.nums("exit")?;
    let status = args.nums("status")?;
    let n = exit.len();
    if n == 0 {
        return Err(Error::Empty { arg: "exit" });
    }
    check_len("status", status.len(), "exit", n)?;
    check_finite("exit", exit)?;
    check_status("status", status)?;
    let entry = args.opt_nums("entry")?;
    if let Some(e) = entry {
        check_len("entry", e.len(), "exit", n)?;
        check_finite("entry", e)?;
        if let Some(row) = (0..n).find(|&i| e[i] > exit[i]) {
            return Err(Error::InvalidValue {
                arg: "entry",
                row,
                value: e[row],
                problem: "entry is after exit",
            });
        }
    }
    let group = args.opt_codes("match")?;
    if let Some((c, k)) = group {
        check_len("match", c.len(), "exit", n)?;
        check_codes("match", c, k)?;
    }
    let controls = args.count_or("controls", 1, 1)?;
    let seed = match args.opt_num("seed")? {
        Some(s) => {
            if !(s.is_finite() && s >= 0.0 && s == s.floor() && s < 9007199254740992.0) {
                return Err(Error::InvalidArgument {
                    arg: "seed",
                    reason: format!("must be a whole number in [0, 2^53), got {s}"),
                });
            }
            s as u64
        }
        None => {
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0);
            t & ((1u64 << 53) - 1)
        }
    };
    let s = sample(entry, exit, status, group, controls, seed)?;
    let mut t = Table::new()
        .with("set", Value::Ints(s.set.clone()))
        .with("id", s.row.clone())
        .with("fail", Value::Ints(s.fail.clone()))
        .with("time", s.time.clone())
        .with("n_eligible", Value::Ints(s.n_eligible.clone()));
    if let Some((c, _)) = group {
        t.push("match", Value::Factor {
            codes: s.row.iter().map(|&i| c[i]).collect(),
            levels: args.levels("match"),
        });
    }
    let mut warnings = Vec::new();
    if s.n_incomplete > 0 {
        warnings.push(format!("{} case-control sets are incomplete", s.n_incomplete));
    }
    if s.n_unmatched > 0 {
        warnings.push(format!("{} cases could not be matched", s.n_unmatched));
    }
    if s.ties {
        warnings.push("there were tied failure times".to_string());
    }
    Ok(Output::value(
        Record::new()
            .with("table", t)
            .with("seed", seed as f64)
            .with("controls", controls)
            .with("n_sets", s.n_sets)
            .with("n_incomplete", s.n_incomplete)
            .with("n_unmatched", s.n_unmatched)
            .with("warnings", warnings),
    ))
}

// ---- case-cohort analysis ----------------------------------------------------------------

/// Case–cohort Cox regression, as `survival::cch`: `time`, `event` (1 case, 0
/// censored), `covariates` (named numeric columns), `subcohort` (1 in the random
/// subcohort, 0 not), `cohort_size` (one number, or one per stratum level for the
/// stratified methods; `cohort_size_names` optionally names them by level), `method`
/// ("Prentice", "SelfPrentice", "LinYing", "I.Borgan", "II.Borgan"), `stratum` (the
/// sampling strata; the Borgan methods), `id` (one record per id), `entry` (delayed
/// entry), `robust` (LinYing's robust variance), `conf_level` (0.95). Returns the
/// coefficient table, coef, se, var, naive_var (cch's: model-based plus phase-two),
/// phase2_var, loglik (not for Prentice), n, n_event, subcohort_size, cohort_size,
/// iterations, converged and cch's warnings.
pub fn case_cohort(args: &Args) -> Result<Output> {
    use crate::designs::cch::{fit, CaseCohortInput, CchMethod};
    use crate::protocol::{Matrix, Value};

    let time = args.nums("time")?;
    let event = args.nums("event")?;
    let subcohort = args.nums("subcohort")?;
    let (cols, names) = args.columns("covariates")?;
    let cohort_size = args.nums("cohort_size")?;
    let cohort_size_names = match args.get("cohort_size_names") {
        Some(_) => Some(args.strs("cohort_size_names")?),
        None => None,
    };
    let method = args.option::<CchMethod>("method")?;
    let stratum = args.opt_codes("stratum")?.map(|(c, _)| (c, args.levels("stratum")));
    let id = args.opt_codes("id")?.map(|(c, _)| c);
    let robust = args.flag_or("robust", false)?;
    let conf_level = args.num_or("conf_level", 0.95)?;
    crate::data::check_conf_level(conf_level)?;
    let f = fit(&CaseCohortInput {
        entry: args.opt_nums("entry")?,
        exit: time,
        event,
        subcohort,
        columns: cols,
        names: &names,
        stratum,
        cohort_size,
        cohort_size_names,
        id,
        method,
        robust,
    })?;
    let p = names.len();
    let sd = |v: &[f64]| -> Vec<f64> { (0..p).map(|j| v[j * p + j].sqrt()).collect() };
    let se = sd(&f.var);
    let naive_se = sd(&f.naive_var);
    let robust_used = robust && method == CchMethod::LinYing;
    let fitted = CoefFit {
        what: "a case-cohort fit",
        names: names.clone(),
        coef: f.coef.clone(),
        se: se.clone(),
        naive_se: robust_used.then(|| naive_se.clone()),
    };
    let rec = Record::new()
        .with("table", fitted.table(conf_level)?)
        .with("names", names.clone())
        .with("coef", f.coef.clone())
        .with("se", se)
        .with("naive_se", naive_se)
        .with("var", Matrix::square(&f.var, &names))
        .with("naive_var", Matrix::square(&f.naive_var, &names))
        .with("phase2_var", Matrix::square(&f.phase2_var, &names))
        .with("loglik", match f.loglik {
            Some(l) => Value::Nums(l.to_vec()),
            None => Value::Null,
        })
        .with("method", crate::options::OptionEnum::name(method))
        .with("robust", robust_used)
        .with("stratified", method.stratified())
        .with("stratum_levels", f.stratum_levels.clone())
        .with("subcohort_size", f.subcohort_size.iter().map(|&v| v as f64).collect::<Vec<f64>>())
        .with("cohort_size", f.cohort_size.clone())
        .with("n", f.n)
        .with("n_event", f.n_event)
        .with("iterations", f.iterations)
        .with("converged", f.converged)
        .with("warnings", f.warnings.clone())
        .with("conf_level", conf_level);
    Ok(Output::fit(rec, fitted))
}
