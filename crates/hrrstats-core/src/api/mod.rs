//! One entry point for every public method: `call(method, args)`.
//!
//! The bindings convert their language's arguments to [`Args`] and the returned
//! [`Value`] back, generically (see [`crate::protocol`]); the per-method work — reading
//! arguments by name, parsing options, fitting, laying out results — is here, once, so
//! Python and R accept the same arguments, raise the same errors and return the same
//! columns.
//!
//! Fits that answer later questions (quantiles, predictions, residuals, tests) come
//! back as a [`Fitted`] handle kept by the binding; `Fitted::call` answers from the
//! fit's own (sorted) data without the inputs crossing the boundary again.
//!
//! Rows: a binding that dropped rows with missing values passes the 0-based row
//! numbers of the rows it kept as the argument `rows`; an error naming a row then
//! names the row of the user's data. Names: `labels` (a record of core name → the
//! caller's name) makes errors name the arguments as the user wrote them.

use crate::error::{Error, Result};
use crate::protocol::{Arg, Args, Value};

pub mod apc;
pub mod competing;
pub mod cox;
pub mod data;
pub mod designs;
pub mod drugs;
pub mod person_time;
pub mod glm;
pub mod gee;
pub mod flexible;
pub mod parametric;
pub mod registry;
pub mod relsurv;
pub mod survival;
pub mod trends;

/// A fit kept by a binding between calls.
pub trait Fitted: Send + Sync {
    /// An operation on the fit (`quantile`, `predict`, `residuals`, ...).
    fn call(&self, method: &str, args: &Args) -> Result<Value>;
}

/// What a method returns: its numbers and, for fits with later operations, the fit.
pub struct Output {
    pub value: Value,
    pub fit: Option<Box<dyn Fitted>>,
}

impl Output {
    pub fn value(value: impl Into<Value>) -> Output {
        Output {
            value: value.into(),
            fit: None,
        }
    }
    pub fn fit(value: impl Into<Value>, fit: impl Fitted + 'static) -> Output {
        Output {
            value: value.into(),
            fit: Some(Box::new(fit)),
        }
    }
}

type Method = fn(&Args) -> Result<Output>;

/// Every public method by name.
fn methods() -> &'static [(&'static str, Method)] {
    &[
        ("kaplan_meier", survival::kaplan_meier),
        ("logrank_test", survival::logrank_test),
        ("logrank_partitioned", survival::logrank_partitioned),
        ("logrank_part_pass", survival::logrank_part_pass),
        ("cumulative_incidence", competing::cumulative_incidence),
        ("fine_gray", competing::fine_gray),
        ("cause_specific_events", competing::cause_specific_events),
        ("cox_ph", cox::cox_ph),
        ("cox_partitioned", cox::cox_partitioned),
        ("cox_part_pass", cox::cox_part_pass),
        ("parametric_survival", parametric::parametric_survival),
        ("flexible_parametric", flexible::flexible_parametric),
        ("example_cohort", data::example_cohort),
        ("example_ratetable", data::example_ratetable),
        ("lexis_split", person_time::lexis_split),
        ("lexis_cut", person_time::lexis_cut),
        ("person_time_table", person_time::person_time_table),
        ("lexis_segments", person_time::lexis_segments),
        ("rate", person_time::rate),
        ("rate_ratio", person_time::rate_ratio),
        ("rate_difference", person_time::rate_difference),
        ("compare_rates", person_time::compare_rates),
        ("direct_standardize", person_time::direct_standardize),
        ("sir", person_time::sir),
        ("standard_population", person_time::standard_population),
        ("pooled_rates", person_time::pooled_rates),
        ("glm_fit", glm::glm_fit),
        ("poisson_glm", glm::poisson_glm),
        ("logistic_glm", glm::logistic_glm),
        ("negbin_glm", glm::negbin_glm),
        ("design_matrix", glm::design_matrix),
        ("glm_partitioned", glm::glm_partitioned),
        ("glm_part_pass", glm::glm_part_pass),
        ("design_size", glm::design_size),
        ("rate_table", relsurv::rate_table),
        ("builtin_rate_table", relsurv::builtin_rate_table),
        ("expected_survival", relsurv::expected_survival),
        ("expected_hazard", relsurv::expected_hazard),
        ("days_since_1960", relsurv::days_since_1960_method),
        ("net_survival", relsurv::net_survival),
        ("net_survival_test", relsurv::net_survival_test),
        ("excess_hazard_model", relsurv::excess_hazard_model),
        ("crude_probabilities", relsurv::crude_probabilities),
        ("interval_net_survival", relsurv::interval_net_survival),
        ("interval_partitioned", relsurv::interval_partitioned),
        ("interval_part_pass", relsurv::interval_part_pass),
        ("net_survival_partitioned", relsurv::net_survival_partitioned),
        ("net_survival_part_pass", relsurv::net_survival_part_pass),
        ("icss_group", relsurv::icss_group),
        ("life_table", trends::life_table),
        ("funnel", trends::funnel),
        ("joinpoint", trends::joinpoint),
        ("years_of_life_lost", trends::years_of_life_lost),
        ("pool", designs::pool),
        ("conditional_logistic", designs::conditional_logistic),
        ("nested_case_control", designs::nested_case_control),
        ("case_cohort", designs::case_cohort),
        ("drug_exposure", drugs::drug_exposure),
        ("adherence", drugs::adherence),
        ("comorbidity", registry::comorbidity),
        ("apc_fit", apc::apc_fit),
        ("gee", gee::gee),
        ("capture_recapture", registry::capture_recapture),
        ("protect_table", registry::protect_table),
        ("cross_factors", cross_factors),
    ]
}

/// The names [`call`] accepts.
pub fn method_names() -> Vec<&'static str> {
    methods().iter().map(|(n, _)| *n).collect()
}

/// Run `method` on `args`.
pub fn call(method: &str, args: &Args) -> Result<Output> {
    let f = methods()
        .iter()
        .find(|(n, _)| *n == method)
        .map(|(_, f)| *f)
        .ok_or_else(|| Error::InvalidArgument {
            arg: "method",
            reason: format!("no method \"{method}\" in hrrstats"),
        })?;
    let rows = args.opt_nums("rows")?.map(|r| r.to_vec());
    let labels = labels(args)?;
    f(args)
        .map_err(|e| match rows {
            Some(rows) => e.with_row_map(&rows),
            None => e,
        })
        .map_err(|e| e.relabel(&labels))
}

/// `labels`: the caller's names for the core's arguments (e.g. Python's `event` for
/// `status`, R's `level` for `conf_level`), so that errors name what the user wrote.
fn labels(args: &Args) -> Result<Vec<(String, String)>> {
    Ok(match args.record("labels")? {
        Some(r) => r
            .items
            .iter()
            .filter_map(|(k, v)| match v {
                Arg::Str(s) => Some((k.clone(), s.clone())),
                _ => None,
            })
            .collect(),
        None => Vec::new(),
    })
}

/// Run the operation `method` of a fit, with the caller's `labels` (as [`call`]).
pub fn call_fit(fit: &dyn Fitted, method: &str, args: &Args) -> Result<Value> {
    let labels = labels(args)?;
    fit.call(method, args).map_err(|e| e.relabel(&labels))
}

/// Unknown post-fit operation.
pub fn no_such(what: &str, method: &str) -> Error {
    Error::InvalidArgument {
        arg: "method",
        reason: format!("{what} has no operation \"{method}\""),
    }
}

/// `cross_factors`: the grouping variables `factors` (each its codes and levels) crossed
/// into one by [`crate::protocol::cross_factors`]: a list gives labels "level, level", a
/// named list (record) "name=level, name=level" with its names. Returns a record of
/// `codes` (positions) and `levels`. Both bindings cross several strata or group
/// variables with it.
fn cross_factors(args: &Args) -> Result<Output> {
    let bad = |reason: String| Error::InvalidArgument { arg: "factors", reason };
    let not_factors = || bad("must be a list of one or more factors".to_string());
    let (items, names): (Vec<&Arg>, Option<Vec<String>>) = match args.get("factors") {
        Some(Arg::List(l)) => (l.iter().collect(), None),
        Some(Arg::Record(r)) => (
            r.items.iter().map(|(_, a)| a).collect(),
            Some(r.items.iter().map(|(k, _)| k.clone()).collect()),
        ),
        _ => return Err(not_factors()),
    };
    let mut factors: Vec<(&[u32], &[String])> = Vec::with_capacity(items.len());
    for (j, a) in items.into_iter().enumerate() {
        let Arg::Codes { codes, levels } = a else {
            return Err(not_factors());
        };
        let n = factors.first().map_or(codes.len(), |f| f.0.len());
        if codes.len() != n {
            let reason = format!("factor {} has length {}, the first {n}", j + 1, codes.len());
            return Err(bad(reason));
        }
        if let Some(&c) = codes.iter().find(|&&c| c as usize >= levels.len()) {
            return Err(bad(format!("factor {}: code {c} has no level", j + 1)));
        }
        factors.push((codes, levels));
    }
    if factors.is_empty() {
        return Err(not_factors());
    }
    let (codes, levels) = crate::protocol::cross_factors(&factors, names.as_deref());
    let codes: Vec<usize> = codes.into_iter().map(|c| c as usize).collect();
    Ok(Output::value(crate::protocol::Record::new().with("codes", codes).with("levels", levels)))
}
