//! Python bindings of hrrstats: argument conversion, calls into the core, results
//! wrapped as numpy arrays. No statistics live here.
//!
//! Arrays arrive as contiguous float64 / uint32 numpy arrays (the Python layer
//! guarantees this) and are borrowed, not copied. The computation runs with the
//! interpreter detached, so other Python threads keep running.

use hrrstats_core as core;
use numpy::{PyArray1, PyReadonlyArray1};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

mod protocol;
use protocol::{run, to_py};

fn slice<'a>(name: &str, a: &'a PyReadonlyArray1<'_, f64>) -> PyResult<&'a [f64]> {
    a.as_slice().map_err(|_| {
        PyValueError::new_err(format!("argument `{name}` must be a contiguous 1-D array"))
    })
}
fn slice_u32<'a>(name: &str, a: &'a PyReadonlyArray1<'_, u32>) -> PyResult<&'a [u32]> {
    a.as_slice().map_err(|_| {
        PyValueError::new_err(format!("argument `{name}` must be a contiguous 1-D array"))
    })
}

#[pymodule]
fn _hrrstats(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(protocol::call, m)?)?;
    m.add_function(wrap_pyfunction!(protocol::methods, m)?)?;
    m.add_class::<protocol::Fit>()?;
    m.add_class::<RateTableObj>()?;
    m.add_function(wrap_pyfunction!(rate_table, m)?)?;
    m.add_function(wrap_pyfunction!(builtin_ratetable, m)?)?;
    m.add_function(wrap_pyfunction!(days_since_1960, m)?)?;
    m.add_function(wrap_pyfunction!(net_survival, m)?)?;
    m.add_function(wrap_pyfunction!(net_survival_test, m)?)?;
    m.add_function(wrap_pyfunction!(excess_hazard_glm, m)?)?;
    m.add_function(wrap_pyfunction!(interval_survival, m)?)?;
    m.add_function(wrap_pyfunction!(crude_probabilities, m)?)?;
    m.add_function(wrap_pyfunction!(net_age_standardized, m)?)?;
    m.add_function(wrap_pyfunction!(icss_weights, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}

// ---- shared helpers ----------------------------------------------------------------

fn arrays<'py>(py: Python<'py>, v: Vec<Vec<f64>>) -> Vec<Bound<'py, PyArray1<f64>>> {
    v.into_iter().map(|x| PyArray1::from_vec(py, x)).collect()
}


// ---- relative survival -----------------------------------------------------------------

/// Borrowed follow-up times, status and the persons' rate-table values.
#[allow(clippy::type_complexity)]
fn net_inputs<'a>(
    time: &'a PyReadonlyArray1<'_, f64>,
    status: &'a PyReadonlyArray1<'_, f64>,
    values: &'a [PyReadonlyArray1<'_, f64>],
) -> PyResult<(&'a [f64], &'a [f64], Vec<&'a [f64]>)> {
    let v = values
        .iter()
        .map(|a| slice("rmap", a))
        .collect::<PyResult<Vec<_>>>()?;
    Ok((slice("time", time)?, slice("event", status)?, v))
}

/// A population rate table (wrapped by `hrrstats.RateTable`).
#[pyclass(module = "hrrstats._hrrstats", frozen)]
struct RateTableObj {
    table: core::RateTable,
}

#[pymethods]
impl RateTableObj {
    /// Expected survival of each person at `times`: a list of arrays (one per person).
    fn expected_survival<'py>(
        &self,
        py: Python<'py>,
        values: Vec<PyReadonlyArray1<'py, f64>>,
        times: PyReadonlyArray1<'py, f64>,
    ) -> PyResult<Vec<Bound<'py, PyArray1<f64>>>> {
        let v = values
            .iter()
            .map(|a| slice("rmap", a))
            .collect::<PyResult<Vec<_>>>()?;
        let t = slice("times", &times)?;
        let r = run(py, || self.table.expected_survival(&v, t))?;
        Ok(arrays(py, r))
    }
}

#[pyfunction]
fn rate_table(
    names: Vec<String>,
    continuous: Vec<bool>,
    columns: Vec<PyReadonlyArray1<'_, f64>>,
    rate: PyReadonlyArray1<'_, f64>,
) -> PyResult<RateTableObj> {
    let cols = columns
        .iter()
        .map(|a| slice("ratetable", a))
        .collect::<PyResult<Vec<_>>>()?;
    let r = slice("rate", &rate)?;
    let table = core::RateTable::from_long(&names, &continuous, &cols, r).map_err(to_py)?;
    Ok(RateTableObj { table })
}

/// A built-in rate table (in days, sex 0 male / 1 female): the table object and its
/// source.
#[pyfunction]
fn builtin_ratetable(name: &str) -> PyResult<(RateTableObj, String)> {
    let b = hrrstats_data::builtin_ratetable(name).ok_or_else(|| {
        PyValueError::new_err(format!(
            "argument `name`: unknown built-in rate table {name:?}; available: {}",
            hrrstats_data::BUILTIN_RATETABLES.join(", ")
        ))
    })?;
    let names = ["age".to_string(), "year".to_string(), "sex".to_string()];
    let mut table = core::RateTable::from_long(
        &names,
        &[true, true, false],
        &[&b.age, &b.year, &b.sex],
        &b.rate,
    )
    .map_err(to_py)?;
    if b.us_date {
        table = table.with_us_date("year", "age").map_err(to_py)?;
    }
    Ok((RateTableObj { table }, b.source.to_string()))
}

#[pyfunction]
fn days_since_1960<'py>(
    py: Python<'py>,
    year: PyReadonlyArray1<'py, f64>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let y = slice("year", &year)?;
    Ok(PyArray1::from_vec(
        py,
        y.iter().map(|&v| core::days_since_1960(v)).collect(),
    ))
}

#[pyfunction]
#[pyo3(signature = (table, time, status, values, strata, n_strata, method, precision, conf_type, conf_level, fin_date))]
#[allow(clippy::too_many_arguments)]
fn net_survival<'py>(
    py: Python<'py>,
    table: &RateTableObj,
    time: PyReadonlyArray1<'py, f64>,
    status: PyReadonlyArray1<'py, f64>,
    values: Vec<PyReadonlyArray1<'py, f64>>,
    strata: Option<PyReadonlyArray1<'py, u32>>,
    n_strata: usize,
    method: &str,
    precision: f64,
    conf_type: &str,
    conf_level: f64,
    fin_date: Option<f64>,
) -> PyResult<Vec<Bound<'py, PyDict>>> {
    let (t, s, v) = net_inputs(&time, &status, &values)?;
    let st = strata
        .as_ref()
        .map(|a| slice_u32("strata", a))
        .transpose()?;
    let m = core::NetMethod::parse(method).map_err(to_py)?;
    let ct = core::ConfType::parse(conf_type).map_err(to_py)?;
    let tab = &table.table;
    let fit = run(py, || {
        let mut d = core::NetSurvivalData::new(t, s, v, tab)?;
        if let Some(st) = st {
            d = d.with_strata(st, n_strata)?;
        }
        let mut p = core::NetSurvival::params()
            .method(m)
            .precision(precision)
            .conf_type(ct)
            .conf_level(conf_level);
        if let Some(f) = fin_date {
            p = p.fin_date(f);
        }
        p.fit(tab, &d)
    })?;
    fit.curves
        .into_iter()
        .map(|c| {
            let d = PyDict::new(py);
            d.set_item("time", PyArray1::from_vec(py, c.time))?;
            d.set_item("n_risk", PyArray1::from_vec(py, c.n_risk))?;
            d.set_item("n_event", PyArray1::from_vec(py, c.n_event))?;
            d.set_item("n_censor", PyArray1::from_vec(py, c.n_censor))?;
            d.set_item("survival", PyArray1::from_vec(py, c.survival))?;
            d.set_item("std_err", PyArray1::from_vec(py, c.std_err))?;
            d.set_item(
                "std_err_cumulative_hazard",
                PyArray1::from_vec(py, c.std_err_cumulative_hazard),
            )?;
            d.set_item("lower", PyArray1::from_vec(py, c.lower))?;
            d.set_item("upper", PyArray1::from_vec(py, c.upper))?;
            Ok(d)
        })
        .collect()
}

#[pyfunction]
#[pyo3(signature = (table, time, status, values, group, n_groups, precision, strata = None, n_strata = 1))]
#[allow(clippy::too_many_arguments)]
fn net_survival_test<'py>(
    py: Python<'py>,
    table: &RateTableObj,
    time: PyReadonlyArray1<'py, f64>,
    status: PyReadonlyArray1<'py, f64>,
    values: Vec<PyReadonlyArray1<'py, f64>>,
    group: PyReadonlyArray1<'py, u32>,
    n_groups: usize,
    precision: f64,
    strata: Option<PyReadonlyArray1<'py, u32>>,
    n_strata: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let (t, s, v) = net_inputs(&time, &status, &values)?;
    let g = slice_u32("group", &group)?;
    let st = strata
        .as_ref()
        .map(|a| slice_u32("strata", a))
        .transpose()?;
    let tab = &table.table;
    let r = run(py, || {
        let mut d = core::NetSurvivalData::new(t, s, v, tab)?;
        if let Some(st) = st {
            d = d.with_strata(st, n_strata)?;
        }
        core::net_survival_test(tab, &d, g, n_groups, precision)
    })?;
    let d = PyDict::new(py);
    d.set_item("statistic", r.statistic)?;
    d.set_item("df", r.df)?;
    d.set_item("p_value", r.p_value)?;
    d.set_item("score", PyArray1::from_vec(py, r.score))?;
    d.set_item("variance", PyArray1::from_vec(py, r.variance))?;
    Ok(d)
}

#[pyfunction]
#[pyo3(signature = (table, time, status, values, columns, names, breaks, year, method = "glm.poi"))]
#[allow(clippy::too_many_arguments)]
fn excess_hazard_glm<'py>(
    py: Python<'py>,
    table: &RateTableObj,
    time: PyReadonlyArray1<'py, f64>,
    status: PyReadonlyArray1<'py, f64>,
    values: Vec<PyReadonlyArray1<'py, f64>>,
    columns: Vec<PyReadonlyArray1<'py, f64>>,
    names: Vec<String>,
    breaks: Vec<f64>,
    year: f64,
    method: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let (t, s, v) = net_inputs(&time, &status, &values)?;
    let cols = columns
        .iter()
        .map(|a| slice("covariates", a))
        .collect::<PyResult<Vec<_>>>()?;
    let tab = &table.table;
    let f = run(py, || {
        let d = core::NetSurvivalData::new(t, s, v, tab)?;
        let x = core::Covariates::from_columns(cols, &names)?;
        match method {
            "glm.poi" | "glm" => core::excess_hazard_glm(tab, &d, &x, &breaks, year),
            "max.lik" | "ml" => core::excess_hazard_ml(tab, &d, &x, &breaks, year),
            other => Err(core::Error::InvalidArgument {
                arg: "method",
                reason: format!("unknown method {other:?}; use \"glm.poi\" or \"max.lik\""),
            }),
        }
    })?;
    let d = PyDict::new(py);
    d.set_item("names", f.names)?;
    d.set_item("coef", PyArray1::from_vec(py, f.coef))?;
    d.set_item("se", PyArray1::from_vec(py, f.se))?;
    d.set_item("var", PyArray1::from_vec(py, f.var))?;
    d.set_item("loglik", f.loglik)?;
    d.set_item("iterations", f.iterations)?;
    d.set_item("converged", f.converged)?;
    d.set_item("glm_coef", PyArray1::from_vec(py, f.glm_coef))?;
    d.set_item("glm_se", PyArray1::from_vec(py, f.glm_se))?;
    Ok(d)
}

fn interval_dict<'py>(py: Python<'py>, t: core::IntervalTable) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (k, v) in [
        ("start", t.start),
        ("stop", t.stop),
        ("delta", t.delta),
        ("n_start", t.n_start),
        ("n_censor", t.n_censor),
        ("pyrs", t.pyrs),
        ("d", t.d),
        ("d_exp", t.d_exp),
        ("d_pp", t.d_pp),
        ("d_pp2", t.d_pp2),
        ("pyrs_pp", t.pyrs_pp),
        ("d_exp_pp", t.d_exp_pp),
        ("surv_obs", t.surv_obs),
        ("se_obs", t.se_obs),
        ("surv_exp", t.surv_exp),
        ("survival", t.surv),
        ("std_err", t.std_err),
        ("lower", t.lower),
        ("upper", t.upper),
    ] {
        d.set_item(k, PyArray1::from_vec(py, v))?;
    }
    Ok(d)
}

/// Interval net survival: one table per group and, with `weights`, the age-standardised
/// table last.
#[pyfunction]
#[pyo3(signature = (table, time, status, values, group, n_groups, breaks, method, pp_weight, conf_type, conf_level, weights))]
#[allow(clippy::too_many_arguments)]
fn interval_survival<'py>(
    py: Python<'py>,
    table: &RateTableObj,
    time: PyReadonlyArray1<'py, f64>,
    status: PyReadonlyArray1<'py, f64>,
    values: Vec<PyReadonlyArray1<'py, f64>>,
    group: Option<PyReadonlyArray1<'py, u32>>,
    n_groups: usize,
    breaks: Vec<f64>,
    method: &str,
    pp_weight: &str,
    conf_type: &str,
    conf_level: f64,
    weights: Option<Vec<f64>>,
) -> PyResult<(Vec<Bound<'py, PyDict>>, Option<Bound<'py, PyDict>>)> {
    let (t, s, v) = net_inputs(&time, &status, &values)?;
    let g = group.as_ref().map(|a| slice_u32("group", a)).transpose()?;
    let m = core::IntervalMethod::parse(method).map_err(to_py)?;
    let w = core::PpWeight::parse(pp_weight).map_err(to_py)?;
    let ct = core::ConfType::parse(conf_type).map_err(to_py)?;
    let tab = &table.table;
    let (fit, std) = run(py, || {
        let mut d = core::LifeTableData::new(t, s, v, tab)?;
        if let Some(g) = g {
            d = d.with_groups(g, n_groups)?;
        }
        let fit = core::IntervalSurvival::params()
            .breaks(&breaks)
            .method(m)
            .pp_weight(w)
            .conf_type(ct)
            .conf_level(conf_level)
            .fit(tab, &d)?;
        let std = weights
            .as_ref()
            .map(|w| fit.age_standardized(w))
            .transpose()?;
        Ok((fit, std))
    })?;
    let tables = fit
        .tables
        .into_iter()
        .map(|t| interval_dict(py, t))
        .collect::<PyResult<Vec<_>>>()?;
    Ok((tables, std.map(|t| interval_dict(py, t)).transpose()?))
}

/// Crude probabilities, one dict per group (all persons when `group` is None).
#[pyfunction]
#[pyo3(signature = (table, time, status, values, precision, tau, group = None, n_groups = 1))]
#[allow(clippy::too_many_arguments)]
fn crude_probabilities<'py>(
    py: Python<'py>,
    table: &RateTableObj,
    time: PyReadonlyArray1<'py, f64>,
    status: PyReadonlyArray1<'py, f64>,
    values: Vec<PyReadonlyArray1<'py, f64>>,
    precision: f64,
    tau: Option<f64>,
    group: Option<PyReadonlyArray1<'py, u32>>,
    n_groups: usize,
) -> PyResult<Vec<Bound<'py, PyDict>>> {
    let (t, s, v) = net_inputs(&time, &status, &values)?;
    let g = group.as_ref().map(|a| slice_u32("group", a)).transpose()?;
    let tab = &table.table;
    let rs = run(py, || {
        let mut d = core::NetSurvivalData::new(t, s, v, tab)?;
        if let Some(g) = g {
            d = d.with_strata(g, n_groups)?;
        }
        core::crude_probabilities_by_stratum(tab, &d, precision, tau)
    })?;
    rs.into_iter()
        .map(|r| {
            let d = PyDict::new(py);
            d.set_item("time", PyArray1::from_vec(py, r.time))?;
            d.set_item("cancer", PyArray1::from_vec(py, r.cancer))?;
            d.set_item("cancer_var", PyArray1::from_vec(py, r.cancer_var))?;
            d.set_item("population", PyArray1::from_vec(py, r.population))?;
            d.set_item("population_var", PyArray1::from_vec(py, r.population_var))?;
            Ok(d)
        })
        .collect()
}

/// Direct age standardisation of net-survival curves (one per age group, in order).
#[pyfunction]
#[pyo3(signature = (curves, weights, times, conf_level))]
fn net_age_standardized<'py>(
    py: Python<'py>,
    curves: Vec<(
        PyReadonlyArray1<'py, f64>,
        PyReadonlyArray1<'py, f64>,
        PyReadonlyArray1<'py, f64>,
    )>,
    weights: Vec<f64>,
    times: PyReadonlyArray1<'py, f64>,
    conf_level: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let mut fit = core::NetSurvivalFit {
        method: core::NetMethod::PoharPerme,
        curves: Vec::new(),
        conf_type: core::ConfType::Log,
        conf_level,
    };
    for (t, s, se) in &curves {
        fit.curves.push(core::relsurv::NetCurve {
            time: slice("time", t)?.to_vec(),
            survival: slice("survival", s)?.to_vec(),
            std_err: slice("std_err", se)?.to_vec(),
            ..Default::default()
        });
    }
    let t = slice("times", &times)?;
    let r = fit.age_standardized(&weights, t).map_err(to_py)?;
    let d = PyDict::new(py);
    d.set_item("survival", PyArray1::from_vec(py, r.survival))?;
    d.set_item("std_err", PyArray1::from_vec(py, r.std_err))?;
    d.set_item("lower", PyArray1::from_vec(py, r.lower))?;
    d.set_item("upper", PyArray1::from_vec(py, r.upper))?;
    Ok(d)
}

/// The ICSS weights (three standards x five age groups) and the groups' lower ages.
#[pyfunction]
fn icss_weights() -> (Vec<Vec<f64>>, Vec<f64>) {
    (
        core::relsurv::ICSS.iter().map(|w| w.to_vec()).collect(),
        core::relsurv::ICSS_AGE_LOWER.to_vec(),
    )
}
