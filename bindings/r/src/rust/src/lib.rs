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


// ---- shared argument helpers (the GLM, competing-risks and other functions) -----------

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

/// Row-major p x p -> R's column-major matrix.
fn square(v: &[f64], p: usize) -> Robj {
    RMatrix::<f64>::new_matrix(p, p, |i, j| v[i * p + j]).into()
}

/// The inputs of a fit as a named list, as the R layer builds it and keeps in the fit
/// (`fit$inputs`); a missing element is NULL (see [`GlmInputs`]).
struct NamedArgs {
    items: std::collections::HashMap<String, Robj>,
    nil: Robj,
}

impl NamedArgs {
    /// `what`: whose inputs, for the message ("a GLM fit").
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

        Ok(named(
            &[
                "names",
                "coef",
                "se",
                "ptr",
            ],
            vec![
                fit.names.clone().into(),
                fit.coef.clone().into(),
                fit.se.clone().into(),
                ExternalPtr::new(fit).into(),
            ],
        ))
    })
}

        ))
    })
}

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


// ---- relative survival ---------------------------------------------------------------

/// A rate table as the R layer keeps it (`x$long`): names (character, one per
/// dimension), continuous (logical), columns (a list of double vectors: cut-points in
/// the table's time unit, factor codes 0..k-1), rate (hazard per time unit) and
/// optionally us_date (NULL, or the names of the calendar and the age dimension of a
/// US-style table, survival's type 4: see `RateTable::with_us_date`). The table is
/// rebuilt from these on each call (small, and it survives saveRDS()).
fn rate_table_of(table: Robj) -> Res<hrrstats_core::RateTable> {
    let args = NamedArgs::new(table, "a rate table")?;
    let names = strings("ratetable names", args.get("names"))?;
    let continuous: Vec<bool> = args
        .get("continuous")
        .as_logical_slice()
        .ok_or_else(|| Failure("the rate table's `continuous` must be a logical vector".into()))?
        .iter()
        .map(|b| b.is_true())
        .collect();
    let cols: List = args
        .get("columns")
        .clone()
        .try_into()
        .map_err(|_| Failure("the rate table's `columns` must be a list".into()))?;
    let cols: Vec<Robj> = cols.values().collect();
    let cols = cols.iter().map(|c| doubles("ratetable", c)).collect::<Res<Vec<&[f64]>>>()?;
    let rate = doubles("rate", args.get("rate"))?;
    let table = hrrstats_core::RateTable::from_long(&names, &continuous, &cols, rate)?;
    let us = args.get("us_date");
    if us.is_null() {
        return Ok(table);
    }
    match strings("us_date", us)?.as_slice() {
        [year, age] => Ok(table.with_us_date(year, age)?),
        _ => Err(Failure(
            "the rate table's `us_date` must name the calendar and the age dimension".into(),
        )),
    }
}

/// The persons' values at diagnosis: a list of double vectors, one per rate-table
/// dimension in the table's order.
fn person_values(values: &Robj) -> Res<Vec<Robj>> {
    let list: List = values
        .clone()
        .try_into()
        .map_err(|_| Failure("the persons' rate-table values must be a list".into()))?;
    Ok(list.values().collect())
}

/// Build the rate table described by `table` (see [`rate_table_of`]) and return the
/// number of rows (cut-points or levels) of each dimension.
/// @noRd
#[extendr]
fn rate_table_check_(table: Robj) -> Robj {
    guarded(|| {
        let t = rate_table_of(table)?;
        Ok(int_col(t.dims().iter().map(|d| match d {
            hrrstats_core::Dimension::Continuous { cuts, .. } => cuts.len(),
            hrrstats_core::Dimension::Factor { levels, .. } => *levels,
        })))
    })
}

/// Days since 1960-01-01 of decimal calendar years.
/// @noRd
#[extendr]
fn days_since_1960_(year: Robj) -> Robj {
    guarded(|| {
        let y = doubles("year", &year)?;
        Ok(y.iter().map(|&v| hrrstats_core::days_since_1960(v)).collect::<Vec<f64>>().into())
    })
}

/// A built-in rate table (`hrrstats_data::builtin_ratetable`): name, source, age (cut-points
/// in days), year (days since 1960-01-01), sex (0 male, 1 female), rate (per day) and
/// us_date (logical: US-style calendar dimension).
/// @noRd
#[extendr]
fn builtin_rate_table_(name: Robj) -> Robj {
    guarded(|| {
        let name = string("name", &name)?;
        let b = hrrstats_data::builtin_ratetable(name).ok_or_else(|| {
            Failure(format!(
                "argument `name`: unknown built-in rate table \"{name}\"; available: {}",
                hrrstats_data::BUILTIN_RATETABLES.join(", ")
            ))
        })?;
        Ok(named(
            &["name", "source", "age", "year", "sex", "rate", "us_date"],
            vec![
                b.name.into(),
                b.source.into(),
                b.age.into(),
                b.year.into(),
                b.sex.into(),
                b.rate.into(),
                b.us_date.into(),
            ],
        ))
    })
}

/// The synthetic population table behind the example cohort
/// (`hrrstats_data::example_ratetable`): age (years), year (calendar years), sex (1, 2),
/// rate (per day).
/// @noRd
#[extendr]
fn example_ratetable_() -> Robj {
    guarded(|| {
        let t = hrrstats_data::example_ratetable();
        Ok(named(
            &["age", "year", "sex", "rate"],
            vec![t.age.into(), t.year.into(), t.sex.into(), t.rate.into()],
        ))
    })
}

/// Expected survival of each person (values: see [`person_values`]) at `times`: a
/// matrix with one row per person and one column per time.
/// @noRd
#[extendr]
fn expected_survival_(table: Robj, values: Robj, times: Robj) -> Robj {
    guarded(|| {
        let t = rate_table_of(table)?;
        let vals = person_values(&values)?;
        let v = vals.iter().map(|c| doubles("rmap", c)).collect::<Res<Vec<&[f64]>>>()?;
        let times = doubles("times", &times)?;
        let e = t.expected_survival(&v, times)?;
        Ok(RMatrix::<f64>::new_matrix(e.len(), times.len(), |i, j| e[i][j]).into())
    })
}

/// Net or relative survival (`method`: "pohar-perme", "ederer2", "ederer1",
/// "hakulinen"). `time`, `status`: follow-up in the table's unit and 0/1; `values`: see
/// [`person_values`]; `strata`: NULL or codes 1..n_strata; `fin_date`: NULL or the end
/// of the study in the table's calendar unit. Returns the curves as columns: strata
/// (1..k), time, n_risk, n_event, n_censor, survival, std_err (of the survival
/// estimate), lower, upper, std_err_cumulative_hazard (relsurv's std.err).
/// @noRd
#[extendr]
#[allow(clippy::too_many_arguments)]
fn net_survival_(
    table: Robj,
    time: Robj,
    status: Robj,
    values: Robj,
    strata: Robj,
    n_strata: Robj,
    method: Robj,
    precision: Robj,
    conf_type: Robj,
    conf_level: Robj,
    fin_date: Robj,
) -> Robj {
    guarded(|| {
        let t = rate_table_of(table)?;
        let time = doubles("time", &time)?;
        let status = doubles("status", &status)?;
        let vals = person_values(&values)?;
        let v = vals.iter().map(|c| doubles("rmap", c)).collect::<Res<Vec<&[f64]>>>()?;
        let method = hrrstats_core::NetMethod::parse(string("method", &method)?)?;
        let conf_type = ConfType::parse(string("conf_type", &conf_type)?)?;
        let mut params = hrrstats_core::NetSurvival::params()
            .method(method)
            .precision(scalar("precision", &precision)?)
            .conf_type(conf_type)
            .conf_level(scalar("conf_level", &conf_level)?);
        if !fin_date.is_null() {
            params = params.fin_date(scalar("fin_date", &fin_date)?);
        }
        let codes_k = if strata.is_null() {
            None
        } else {
            Some((codes("strata", &strata)?, count("n_strata", &n_strata)?))
        };
        let mut data = hrrstats_core::NetSurvivalData::new(time, status, v, &t)?;
        if let Some((c, k)) = codes_k.as_ref() {
            data = data.with_strata(c, *k)?;
        }
        let fit = params.fit(&t, &data)?;
        let mut s_col = Vec::new();
        let mut cols: [Vec<f64>; 9] = Default::default();
        for (k, c) in fit.curves.iter().enumerate() {
            s_col.extend(std::iter::repeat_n(k + 1, c.time.len()));
            for (col, v) in cols.iter_mut().zip([
                &c.time, &c.n_risk, &c.n_event, &c.n_censor, &c.survival, &c.std_err, &c.lower, &c.upper,
                &c.std_err_cumulative_hazard,
            ]) {
                col.extend_from_slice(v);
            }
        }
        let mut values = vec![int_col(s_col)];
        values.extend(cols.into_iter().map(Robj::from));
        Ok(named(
            &[
                "strata", "time", "n_risk", "n_event", "n_censor", "survival", "std_err", "lower", "upper",
                "std_err_cumulative_hazard",
            ],
            values,
        ))
    })
}

/// Log-rank-type test that net survival is the same in every group (Pohar-Perme
/// weighting), as `relsurv::rs.diff`. `time`, `status`, `values`: as [`net_survival_`];
/// `group`: codes 1..n_groups. Returns statistic, df, p_value, score (one per group)
/// and variance (the n_groups x n_groups covariance of the scores).
/// @noRd
#[extendr]
#[allow(clippy::too_many_arguments)]
fn net_survival_test_(
    table: Robj,
    time: Robj,
    status: Robj,
    values: Robj,
    group: Robj,
    n_groups: Robj,
    precision: Robj,
    strata: Robj,
    n_strata: Robj,
) -> Robj {
    guarded(|| {
        let t = rate_table_of(table)?;
        let time = doubles("time", &time)?;
        let status = doubles("status", &status)?;
        let vals = person_values(&values)?;
        let v = vals.iter().map(|c| doubles("rmap", c)).collect::<Res<Vec<&[f64]>>>()?;
        let g = codes("group", &group)?;
        let k = count("n_groups", &n_groups)?;
        let precision = scalar("precision", &precision)?;
        let st = if strata.is_null() { None } else { Some(codes("strata", &strata)?) };
        let mut data = hrrstats_core::NetSurvivalData::new(time, status, v, &t)?;
        if let Some(st) = &st {
            data = data.with_strata(st, count("n_strata", &n_strata)?)?;
        }
        let r = hrrstats_core::net_survival_test(&t, &data, &g, k, precision)?;
        Ok(named(
            &["statistic", "df", "p_value", "score", "variance"],
            vec![
                r.statistic.into(),
                (r.df as f64).into(),
                r.p_value.into(),
                r.score.into(),
                square(&r.variance, k),
            ],
        ))
    })
}

/// Excess-hazard regression as `relsurv::rsadd`: `method` "glm.poi" (Dickman grouped
/// Poisson GLM, `excess_hazard_glm`) or "max.lik" (full likelihood on the individual
/// data, `excess_hazard_ml`). `time`, `status`, `values`: as [`net_survival_`]; `x`: the
/// covariates, an n x length(names) double matrix (column-major); `breaks`: follow-up
/// interval boundaries in the table's time unit (starting at 0); `year`: one year in
/// that unit. Returns names, coef, se, var (matrix), loglik, iterations, converged.
/// @noRd
#[extendr]
#[allow(clippy::too_many_arguments)]
fn excess_hazard_(
    table: Robj,
    time: Robj,
    status: Robj,
    values: Robj,
    x: Robj,
    names: Robj,
    breaks: Robj,
    year: Robj,
    method: Robj,
) -> Robj {
    guarded(|| {
        let t = rate_table_of(table)?;
        let time = doubles("time", &time)?;
        let status = doubles("status", &status)?;
        let vals = person_values(&values)?;
        let v = vals.iter().map(|c| doubles("rmap", c)).collect::<Res<Vec<&[f64]>>>()?;
        let x = doubles("covariates", &x)?;
        let names = strings("names", &names)?;
        let breaks = doubles("breaks", &breaks)?;
        let year = scalar("year", &year)?;
        let method = string("method", &method)?;
        let fit = match method {
            "glm.poi" => hrrstats_core::excess_hazard_glm,
            "max.lik" => hrrstats_core::excess_hazard_ml,
            other => {
                return Err(Failure(format!(
                    "argument `method`: unknown method \"{other}\"; use \"glm.poi\" or \"max.lik\""
                )))
            }
        };
        let data = hrrstats_core::NetSurvivalData::new(time, status, v, &t)?;
        let cov = Covariates::new(x, time.len(), &names)?;
        let f = fit(&t, &data, &cov, breaks, year)?;
        let p = f.names.len();
        Ok(named(
            &["names", "coef", "se", "var", "loglik", "iterations", "converged", "glm_coef", "glm_se"],
            vec![
                f.names.into(),
                f.coef.into(),
                f.se.into(),
                square(&f.var, p),
                f.loglik.into(),
                (f.iterations as i32).into(),
                f.converged.into(),
                f.glm_coef.into(),
                f.glm_se.into(),
            ],
        ))
    })
}

/// The columns of an interval (life) table, as the R layer keeps them.
const INTERVAL_COLUMNS: [&str; 19] = [
    "start", "stop", "delta", "n_start", "n_censor", "pyrs", "d", "d_exp", "d_pp", "d_pp2", "pyrs_pp",
    "d_exp_pp", "surv_obs", "se_obs", "surv_exp", "surv", "std_err", "lower", "upper",
];

fn interval_fields(t: &mut hrrstats_core::IntervalTable) -> [&mut Vec<f64>; 19] {
    [
        &mut t.start,
        &mut t.stop,
        &mut t.delta,
        &mut t.n_start,
        &mut t.n_censor,
        &mut t.pyrs,
        &mut t.d,
        &mut t.d_exp,
        &mut t.d_pp,
        &mut t.d_pp2,
        &mut t.pyrs_pp,
        &mut t.d_exp_pp,
        &mut t.surv_obs,
        &mut t.se_obs,
        &mut t.surv_exp,
        &mut t.surv,
        &mut t.std_err,
        &mut t.lower,
        &mut t.upper,
    ]
}

/// An interval table as a named list of its columns ([`INTERVAL_COLUMNS`]).
fn interval_list(mut t: hrrstats_core::IntervalTable) -> Robj {
    let cols = interval_fields(&mut t).map(|c| Robj::from(std::mem::take(c)));
    named(&INTERVAL_COLUMNS, cols.into())
}

/// Interval (life-table) net or relative survival, as `popEpi::survtab` (`method`
/// "pohar-perme" or "ederer2"; `pp_weight` "midpoint" or "popepi"; `conf_type` "log-log",
/// "log", "plain" or "none"). `time`, `status`, `values`: as [`net_survival_`]; `group`:
/// NULL or codes 1..n_groups; `breaks`: interval boundaries in the table's time unit
/// (from 0); `year`: one year in that unit (boundaries in messages are shown in years).
/// Returns a list with one table per group, each a list of the [`INTERVAL_COLUMNS`].
/// @noRd
#[extendr]
#[allow(clippy::too_many_arguments)]
fn interval_survival_(
    table: Robj,
    time: Robj,
    status: Robj,
    values: Robj,
    group: Robj,
    n_groups: Robj,
    breaks: Robj,
    year: Robj,
    method: Robj,
    pp_weight: Robj,
    conf_type: Robj,
    conf_level: Robj,
) -> Robj {
    guarded(|| {
        let t = rate_table_of(table)?;
        let time = doubles("time", &time)?;
        let status = doubles("status", &status)?;
        let vals = person_values(&values)?;
        let v = vals.iter().map(|c| doubles("rmap", c)).collect::<Res<Vec<&[f64]>>>()?;
        let breaks = doubles("breaks", &breaks)?;
        let year = scalar("year", &year)?;
        let params = hrrstats_core::IntervalSurvival::params()
            .breaks(breaks)
            .method(hrrstats_core::IntervalMethod::parse(string("method", &method)?)?)
            .pp_weight(hrrstats_core::PpWeight::parse(string("pp_weight", &pp_weight)?)?)
            .conf_type(ConfType::parse(string("conf_type", &conf_type)?)?)
            .conf_level(scalar("conf_level", &conf_level)?);
        let codes_k = if group.is_null() {
            None
        } else {
            Some((codes("group", &group)?, count("n_groups", &n_groups)?))
        };
        let mut data = hrrstats_core::LifeTableData::new(time, status, v, &t)?;
        if let Some((c, k)) = codes_k.as_ref() {
            data = data.with_groups(c, *k)?;
        }
        let fit = params.fit(&t, &data).map_err(|e| match e {
            // the boundaries were given in years
            CoreError::InvalidValue { arg: "breaks", row, value, problem } => CoreError::InvalidValue {
                arg: "breaks",
                row,
                value: value / year,
                problem,
            },
            e => e,
        })?;
        let tables: Vec<Robj> = fit.tables.into_iter().map(interval_list).collect();
        Ok(List::from_values(tables).into())
    })
}

/// Direct age standardisation of interval tables over the groups, as
/// `IntervalSurvivalFit::age_standardized`: `tables` as [`interval_survival_`] returns
/// them (one per group, in group order), `weights` one per group (normalised), `method`,
/// `conf_type`, `conf_level` those of the fit. Returns the standardised table (a list of
/// the [`INTERVAL_COLUMNS`]).
/// @noRd
#[extendr]
fn interval_age_standardized_(tables: Robj, weights: Robj, method: Robj, conf_type: Robj, conf_level: Robj) -> Robj {
    guarded(|| {
        let mut fit = hrrstats_core::IntervalSurvivalFit {
            method: hrrstats_core::IntervalMethod::parse(string("method", &method)?)?,
            conf_type: ConfType::parse(string("conf_type", &conf_type)?)?,
            conf_level: scalar("conf_level", &conf_level)?,
            tables: Vec::new(),
        };
        for (k, item) in list_items("tables", &tables)?.iter().enumerate() {
            let args = NamedArgs::new(item.clone(), "an interval table")?;
            let mut t = hrrstats_core::IntervalTable::default();
            let mut len = None;
            for (name, col) in INTERVAL_COLUMNS.iter().zip(interval_fields(&mut t)) {
                let v = doubles(name, args.get(name))?;
                if *len.get_or_insert(v.len()) != v.len() {
                    return Err(Failure(format!(
                        "argument `tables`: the columns of group {} have different lengths",
                        k + ROW_BASE
                    )));
                }
                *col = v.to_vec();
            }
            fit.tables.push(t);
        }
        let weights = doubles("weights", &weights)?;
        Ok(interval_list(fit.age_standardized(weights)?))
    })
}

/// Crude probabilities of death from the cancer (excess hazard) and from population
/// causes, as `relsurv::cmp.rel`. `time`, `status`, `values`: as [`net_survival_`];
/// `tau`: NULL (the longest follow-up) or the end of the grid. Returns time, cancer,
/// cancer_var, population, population_var.
/// @noRd
#[extendr]
#[allow(clippy::too_many_arguments)]
fn crude_probabilities_(
    table: Robj,
    time: Robj,
    status: Robj,
    values: Robj,
    precision: Robj,
    tau: Robj,
    group: Robj,
    n_groups: Robj,
) -> Robj {
    guarded(|| {
        let t = rate_table_of(table)?;
        let time = doubles("time", &time)?;
        let status = doubles("status", &status)?;
        let vals = person_values(&values)?;
        let v = vals.iter().map(|c| doubles("rmap", c)).collect::<Res<Vec<&[f64]>>>()?;
        let precision = scalar("precision", &precision)?;
        let tau = if tau.is_null() { None } else { Some(scalar("tau", &tau)?) };
        let g = if group.is_null() { None } else { Some(codes("group", &group)?) };
        let mut data = hrrstats_core::NetSurvivalData::new(time, status, v, &t)?;
        if let Some(g) = &g {
            data = data.with_groups(g, count("n_groups", &n_groups)?)?;
        }
        let rs = hrrstats_core::crude_probabilities_by_stratum(&t, &data, precision, tau)?;
        let items: Vec<Robj> = rs
            .into_iter()
            .map(|r| {
                named(
                    &["time", "cancer", "cancer_var", "population", "population_var"],
                    vec![
                        r.time.into(),
                        r.cancer.into(),
                        r.cancer_var.into(),
                        r.population.into(),
                        r.population_var.into(),
                    ],
                )
            })
            .collect();
        Ok(List::from_values(items).into())
    })
}

/// Direct age standardisation of net survival over the strata (the age groups, in
/// stratum order), as `NetSurvivalFit::age_standardized`. `curves`: a list with one
/// element per stratum, each a list of the double vectors time, survival and std_err (of
/// the survival estimate) of that stratum's curve (as `net_survival_` reports them); `weights`: one per stratum
/// (normalised to sum 1); `times`: where to evaluate. Returns survival, std_err, lower,
/// upper (limits S -/+ z SE).
/// @noRd
#[extendr]
fn net_age_standardized_(curves: Robj, weights: Robj, times: Robj, conf_level: Robj) -> Robj {
    guarded(|| {
        let mut fit = hrrstats_core::NetSurvivalFit {
            method: hrrstats_core::NetMethod::PoharPerme,
            curves: Vec::new(),
            conf_type: ConfType::Log,
            conf_level: scalar("conf_level", &conf_level)?,
        };
        for (k, c) in list_items("curves", &curves)?.iter().enumerate() {
            let parts = list_items("curves", c)?;
            if parts.len() != 3 {
                return Err(Failure(format!(
                    "argument `curves`: stratum {} must be a list of time, survival and std_err",
                    k + ROW_BASE
                )));
            }
            let time = doubles("time", &parts[0])?;
            let survival = doubles("survival", &parts[1])?;
            let std_err = doubles("std_err", &parts[2])?;
            if survival.len() != time.len() || std_err.len() != time.len() {
                return Err(Failure(format!(
                    "argument `curves`: stratum {} has time, survival and std_err of different lengths",
                    k + ROW_BASE
                )));
            }
            fit.curves.push(hrrstats_core::relsurv::NetCurve {
                time: time.to_vec(),
                survival: survival.to_vec(),
                std_err: std_err.to_vec(),
                ..Default::default()
            });
        }
        let weights = doubles("weights", &weights)?;
        let times = doubles("times", &times)?;
        let r = fit.age_standardized(weights, times)?;
        Ok(named(
            &["survival", "std_err", "lower", "upper"],
            vec![r.survival.into(), r.std_err.into(), r.lower.into(), r.upper.into()],
        ))
    })
}

/// The International Cancer Survival Standard: `weights`, a list of the three standards'
/// weights for the five age groups, and `age_lower`, the groups' lower ages.
/// @noRd
#[extendr]
fn icss_weights_() -> Robj {
    named(
        &["weights", "age_lower"],
        vec![
            double_list(hrrstats_core::relsurv::ICSS.iter().map(|w| w.to_vec()).collect()),
            hrrstats_core::relsurv::ICSS_AGE_LOWER.to_vec().into(),
        ],
    )
}

extendr_module! {
    mod hrrstats;
    use protocol;
    fn rate_table_check_;
    fn days_since_1960_;
    fn expected_survival_;
    fn net_survival_;
    fn net_survival_test_;
    fn excess_hazard_;
    fn interval_survival_;
    fn interval_age_standardized_;
    fn builtin_rate_table_;
    fn example_ratetable_;
    fn crude_probabilities_;
    fn net_age_standardized_;
    fn icss_weights_;
}
