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

/// The arrays a GLM is fitted to, as the Python layer keeps them (a dict).
#[derive(FromPyObject)]
struct GlmInputs<'py> {
    #[pyo3(item)]
    y: PyReadonlyArray1<'py, f64>,
    #[pyo3(item)]
    columns: Vec<PyReadonlyArray1<'py, f64>>,
    #[pyo3(item)]
    weights: Option<PyReadonlyArray1<'py, f64>>,
    #[pyo3(item)]
    offset: Option<PyReadonlyArray1<'py, f64>>,
}

impl<'py> GlmInputs<'py> {
    fn with_data<T: Send>(
        &self,
        py: Python<'_>,
        names: &[String],
        f: impl FnOnce(&core::GlmData) -> core::Result<T> + Send,
    ) -> PyResult<T> {
        let y = slice("y", &self.y)?;
        let cols = self
            .columns
            .iter()
            .map(|c| slice("covariates", c))
            .collect::<PyResult<Vec<_>>>()?;
        let w = self
            .weights
            .as_ref()
            .map(|a| slice("weights", a))
            .transpose()?;
        let o = self
            .offset
            .as_ref()
            .map(|a| slice("offset", a))
            .transpose()?;
        run(py, || {
            let x = if cols.is_empty() {
                core::Covariates::new(&[], y.len(), names)?
            } else {
                core::Covariates::from_columns(cols, names)?
            };
            let mut d = core::GlmData::new(y, x)?;
            if let Some(w) = w {
                d = d.with_weights(w)?;
            }
            if let Some(o) = o {
                d = d.with_offset(o)?;
            }
            f(&d)
        })
    }
}

/// A fitted GLM (wrapped by `hrrstats.GLM` in Python).
#[pyclass(module = "hrrstats._hrrstats", frozen)]
struct GlmFit {
    fit: core::GlmFit,
    /// Covariate names (without the intercept), for rebuilding the data.
    xnames: Vec<String>,
}

#[pymethods]
impl GlmFit {
    fn result<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let f = &self.fit;
        let d = PyDict::new(py);
        d.set_item("names", f.names.clone())?;
        for (name, v) in [
            ("coef", &f.coef),
            ("se", &f.se),
            ("var", &f.var),
            ("fitted", &f.fitted),
            ("linear_predictors", &f.linear_predictors),
            ("working_weights", &f.working_weights),
        ] {
            d.set_item(name, PyArray1::from_slice(py, v))?;
        }
        for (name, v) in [
            ("deviance", f.deviance),
            ("null_deviance", f.null_deviance),
            ("aic", f.aic),
            ("loglik", f.loglik),
            ("dispersion", f.dispersion),
        ] {
            d.set_item(name, v)?;
        }
        d.set_item("loglik_df", f.loglik_df)?;
        d.set_item("df_residual", f.df_residual)?;
        d.set_item("df_null", f.df_null)?;
        d.set_item("rank", f.rank)?;
        d.set_item("iterations", f.iterations)?;
        d.set_item("converged", f.converged)?;
        d.set_item("boundary", f.boundary)?;
        d.set_item("aliased", f.aliased.clone())?;
        d.set_item("warnings", f.warnings.clone())?;
        d.set_item("family", f.family.name())?;
        d.set_item("link", f.link.name())?;
        d.set_item("theta", f.theta)?;
        d.set_item("se_theta", f.se_theta)?;
        d.set_item("twologlik", f.twologlik)?;
        Ok(d)
    }

    /// Sandwich variance: kind "HC0", "HC1" or "CL" (with `cluster` codes).
    /// (statistic, p-value) arrays for variance `var` (row-major p x p).
    fn wald<'py>(
        &self,
        py: Python<'py>,
        var: PyReadonlyArray1<'py, f64>,
    ) -> PyResult<(Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>)> {
        let (z, p) = self.fit.wald(slice("var", &var)?);
        Ok((PyArray1::from_vec(py, z), PyArray1::from_vec(py, p)))
    }

    #[pyo3(signature = (inputs, kind, cluster=None))]
    fn robust_var<'py>(
        &self,
        py: Python<'py>,
        inputs: GlmInputs<'py>,
        kind: &str,
        cluster: Option<PyReadonlyArray1<'py, u32>>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let cl = cluster
            .as_ref()
            .map(|a| slice_u32("cluster", a))
            .transpose()?;
        let kind = match (kind, cl) {
            ("HC0", _) => core::Robust::Hc0,
            ("HC1", _) => core::Robust::Hc1,
            ("CL", Some(c)) => core::Robust::Cluster(c),
            _ => {
                return Err(PyValueError::new_err(
                    "argument `robust`: use \"HC0\", \"HC1\" or a cluster",
                ))
            }
        };
        let v = inputs.with_data(py, &self.xnames, |d| self.fit.robust_var(d, kind))?;
        Ok(PyArray1::from_vec(py, v))
    }

    fn residuals<'py>(
        &self,
        py: Python<'py>,
        inputs: GlmInputs<'py>,
        kind: &str,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let kind = core::GlmResidual::parse(kind).map_err(to_py)?;
        let v = inputs.with_data(py, &self.xnames, |d| self.fit.residuals(d, kind))?;
        Ok(PyArray1::from_vec(py, v))
    }

    #[pyo3(signature = (columns, offset=None))]
    fn predict<'py>(
        &self,
        py: Python<'py>,
        columns: Vec<PyReadonlyArray1<'py, f64>>,
        offset: Option<PyReadonlyArray1<'py, f64>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let cols = columns
            .iter()
            .map(|c| slice("covariates", c))
            .collect::<PyResult<Vec<_>>>()?;
        let o = offset.as_ref().map(|a| slice("offset", a)).transpose()?;
        let p = run(py, || {
            self.fit
                .predict(&core::Covariates::from_columns(cols, &self.xnames)?, o)
        })?;
        let d = PyDict::new(py);
        d.set_item("link", PyArray1::from_vec(py, p.link))?;
        d.set_item("link_se", PyArray1::from_vec(py, p.link_se))?;
        d.set_item("response", PyArray1::from_vec(py, p.response))?;
        d.set_item("response_se", PyArray1::from_vec(py, p.response_se))?;
        Ok(d)
    }
}

/// GLM fit by IRLS; family "negbin" estimates theta (glm.nb) unless `theta` is given.
#[pyfunction]
#[pyo3(signature = (inputs, names, family, link, intercept, epsilon, max_iter, start, theta))]
#[allow(clippy::too_many_arguments)]
fn glm(
    py: Python<'_>,
    inputs: GlmInputs<'_>,
    names: Vec<String>,
    family: &str,
    link: Option<&str>,
    intercept: bool,
    epsilon: f64,
    max_iter: usize,
    start: Option<Vec<f64>>,
    theta: Option<f64>,
) -> PyResult<GlmFit> {
    let negbin = family == "negbin";
    let fam = if negbin {
        core::Family::NegativeBinomial(theta.unwrap_or(1.0))
    } else {
        core::Family::parse(family).map_err(to_py)?
    };
    let mut params = core::Glm::params()
        .family(fam)
        .intercept(intercept)
        .epsilon(epsilon)
        .max_iter(max_iter);
    if let Some(l) = link {
        params = params.link(core::glm::link_by_name(l).map_err(to_py)?);
    }
    if let Some(s) = start {
        params = params.start(s);
    }
    let estimate_theta = negbin && theta.is_none();
    let fit = inputs.with_data(py, &names, |d| {
        if estimate_theta {
            params.fit_negbin(d)
        } else {
            params.fit(d)
        }
    })?;
    Ok(GlmFit { fit, xnames: names })
}

/// A design term from Python: ("numeric", name, values) or ("factor", name, codes, levels).
#[derive(FromPyObject)]
enum DesignTerm<'py> {
    Numeric(String, String, PyReadonlyArray1<'py, f64>),
    Factor(String, String, PyReadonlyArray1<'py, u32>, Vec<String>),
}

/// Build a model matrix in the core. Returns (names, columns, factor levels kept); a
/// column is an int (the index of a numeric input term, used as it is, no copy) or
/// a new array (a dummy column).
#[pyfunction]
fn design_matrix<'py>(
    py: Python<'py>,
    terms: Vec<DesignTerm<'py>>,
    n: usize,
    drop_unused: bool,
) -> PyResult<(Vec<String>, Vec<Py<PyAny>>, Vec<(String, Vec<String>)>)> {
    let mut core_terms = Vec::with_capacity(terms.len());
    for t in &terms {
        match t {
            DesignTerm::Numeric(kind, name, v) if kind == "numeric" => {
                core_terms.push(core::Term::Numeric {
                    name,
                    values: slice("covariates", v)?,
                });
            }
            DesignTerm::Factor(kind, name, c, levels) if kind == "factor" => {
                core_terms.push(core::Term::Factor {
                    name,
                    codes: slice_u32("covariates", c)?,
                    levels,
                });
            }
            _ => {
                return Err(PyValueError::new_err(
                    "design term kinds are \"numeric\" and \"factor\"",
                ))
            }
        }
    }
    let d = core::DesignMatrix::build(&core_terms, n, drop_unused).map_err(to_py)?;
    // Map borrowed columns back to their input term.
    let mut cols = Vec::with_capacity(d.columns.len());
    for c in &d.columns {
        match c {
            std::borrow::Cow::Borrowed(b) => {
                let idx = core_terms
                    .iter()
                    .position(|t| matches!(t, core::Term::Numeric { values, .. } if std::ptr::eq(*values, *b)))
                    .expect("a borrowed column is an input term");
                cols.push(idx.into_pyobject(py)?.into_any().unbind());
            }
            std::borrow::Cow::Owned(v) => {
                cols.push(PyArray1::from_slice(py, v).into_any().unbind())
            }
        }
    }
    Ok((d.names, cols, d.factor_levels))
}

#[pymodule]
fn _hrrstats(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(protocol::call, m)?)?;
    m.add_function(wrap_pyfunction!(protocol::methods, m)?)?;
    m.add_class::<protocol::Fit>()?;
    m.add_class::<GlmFit>()?;
    m.add_function(wrap_pyfunction!(glm, m)?)?;
    m.add_function(wrap_pyfunction!(design_matrix, m)?)?;
    m.add_function(wrap_pyfunction!(lexis_split, m)?)?;
    m.add_function(wrap_pyfunction!(person_time_table, m)?)?;
    m.add_function(wrap_pyfunction!(lexis_cut, m)?)?;
    m.add_function(wrap_pyfunction!(crude_rates, m)?)?;
    m.add_function(wrap_pyfunction!(compare_rates, m)?)?;
    m.add_function(wrap_pyfunction!(direct_standardize, m)?)?;
    m.add_function(wrap_pyfunction!(sir, m)?)?;
    m.add_function(wrap_pyfunction!(standard_population, m)?)?;
    m.add_class::<CumIncFit>()?;
    m.add_class::<FineGrayFit>()?;
    m.add_function(wrap_pyfunction!(cumulative_incidence, m)?)?;
    m.add_function(wrap_pyfunction!(fine_gray, m)?)?;
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

// ---- person-time and rates ------------------------------------------------------

fn arrays<'py>(py: Python<'py>, v: Vec<Vec<f64>>) -> Vec<Bound<'py, PyArray1<f64>>> {
    v.into_iter().map(|x| PyArray1::from_vec(py, x)).collect()
}

/// Borrowed Lexis inputs: scale names and values at entry, exit, status, entry state.
struct LexisArgs<'a, 'py> {
    names: Vec<String>,
    at_entry: Vec<&'a [f64]>,
    exit: &'a [f64],
    status: &'a [f64],
    entry_status: Option<&'a [f64]>,
    _py: std::marker::PhantomData<&'py ()>,
}

impl<'a, 'py> LexisArgs<'a, 'py> {
    fn new(
        names: Vec<String>,
        at_entry: &'a [PyReadonlyArray1<'py, f64>],
        exit: &'a PyReadonlyArray1<'py, f64>,
        status: &'a PyReadonlyArray1<'py, f64>,
        entry_status: &'a Option<PyReadonlyArray1<'py, f64>>,
    ) -> PyResult<Self> {
        let at_entry = at_entry
            .iter()
            .map(|a| slice("time_scales", a))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(LexisArgs {
            names,
            at_entry,
            exit: slice("exit", exit)?,
            status: slice("status", status)?,
            entry_status: entry_status
                .as_ref()
                .map(|a| slice("entry_status", a))
                .transpose()?,
            _py: std::marker::PhantomData,
        })
    }
    fn data(&self) -> core::Result<core::LexisData<'a>> {
        let d = core::LexisData::new(
            self.names
                .iter()
                .cloned()
                .zip(self.at_entry.iter().copied())
                .collect(),
            self.exit,
            self.status,
        )?;
        match self.entry_status {
            Some(s) => d.with_entry_status(s),
            None => Ok(d),
        }
    }
}

/// Lexis splitting: the split rows as columns.
#[pyfunction]
#[pyo3(signature = (names, at_entry, exit, status, entry_status, break_names, breaks, drop))]
#[allow(clippy::too_many_arguments)]
fn lexis_split<'py>(
    py: Python<'py>,
    names: Vec<String>,
    at_entry: Vec<PyReadonlyArray1<'py, f64>>,
    exit: PyReadonlyArray1<'py, f64>,
    status: PyReadonlyArray1<'py, f64>,
    entry_status: Option<PyReadonlyArray1<'py, f64>>,
    break_names: Vec<String>,
    breaks: Vec<PyReadonlyArray1<'py, f64>>,
    drop: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let a = LexisArgs::new(names, &at_entry, &exit, &status, &entry_status)?;
    let br = breaks
        .iter()
        .map(|b| slice("breaks", b))
        .collect::<PyResult<Vec<_>>>()?;
    let rows = run(py, || {
        let d = a.data()?;
        let pairs: Vec<(&str, &[f64])> = break_names
            .iter()
            .map(|s| s.as_str())
            .zip(br.iter().copied())
            .collect();
        Ok(core::LexisSplit::new(&d, &pairs, drop)?.split(&d))
    })?;
    let d = PyDict::new(py);
    d.set_item("row", PyArray1::from_vec(py, rows.row))?;
    d.set_item("start", arrays(py, rows.start))?;
    d.set_item("band", arrays(py, rows.band))?;
    d.set_item("duration", PyArray1::from_vec(py, rows.duration))?;
    d.set_item("entry_status", PyArray1::from_vec(py, rows.entry_status))?;
    d.set_item("status", PyArray1::from_vec(py, rows.status))?;
    Ok(d)
}

/// Person-time table without materialising the split.
#[pyfunction]
#[pyo3(signature = (names, at_entry, exit, status, entry_status, break_names, breaks, drop, by, by_levels))]
#[allow(clippy::too_many_arguments)]
fn person_time_table<'py>(
    py: Python<'py>,
    names: Vec<String>,
    at_entry: Vec<PyReadonlyArray1<'py, f64>>,
    exit: PyReadonlyArray1<'py, f64>,
    status: PyReadonlyArray1<'py, f64>,
    entry_status: Option<PyReadonlyArray1<'py, f64>>,
    break_names: Vec<String>,
    breaks: Vec<PyReadonlyArray1<'py, f64>>,
    drop: bool,
    by: Vec<PyReadonlyArray1<'py, u32>>,
    by_levels: Vec<usize>,
) -> PyResult<Bound<'py, PyDict>> {
    let a = LexisArgs::new(names, &at_entry, &exit, &status, &entry_status)?;
    let br = breaks
        .iter()
        .map(|b| slice("breaks", b))
        .collect::<PyResult<Vec<_>>>()?;
    let byc = by
        .iter()
        .map(|b| slice_u32("by", b))
        .collect::<PyResult<Vec<_>>>()?;
    let t = run(py, || {
        let d = a.data()?;
        let pairs: Vec<(&str, &[f64])> = break_names
            .iter()
            .map(|s| s.as_str())
            .zip(br.iter().copied())
            .collect();
        let by: Vec<(&[u32], usize)> = byc.iter().copied().zip(by_levels.iter().copied()).collect();
        core::LexisSplit::new(&d, &pairs, drop)?.person_time_table(&d, &by)
    })?;
    let d = PyDict::new(py);
    d.set_item("band", arrays(py, t.band))?;
    d.set_item(
        "by",
        t.by.into_iter()
            .map(|x| PyArray1::from_vec(py, x))
            .collect::<Vec<_>>(),
    )?;
    d.set_item("entry_status", PyArray1::from_vec(py, t.entry_status))?;
    d.set_item("person_time", PyArray1::from_vec(py, t.person_time))?;
    d.set_item("pieces", PyArray1::from_vec(py, t.pieces))?;
    d.set_item("states", t.states)?;
    d.set_item("transitions", arrays(py, t.transitions))?;
    Ok(d)
}

/// Cut follow-up at individual times (Epi::cutLexis).
#[pyfunction]
#[pyo3(signature = (names, at_entry, exit, status, entry_status, cut, timescale, new_state, precursor_states, progressive))]
#[allow(clippy::too_many_arguments)]
fn lexis_cut<'py>(
    py: Python<'py>,
    names: Vec<String>,
    at_entry: Vec<PyReadonlyArray1<'py, f64>>,
    exit: PyReadonlyArray1<'py, f64>,
    status: PyReadonlyArray1<'py, f64>,
    entry_status: Option<PyReadonlyArray1<'py, f64>>,
    cut: PyReadonlyArray1<'py, f64>,
    timescale: String,
    new_state: PyReadonlyArray1<'py, f64>,
    precursor_states: Option<Vec<f64>>,
    progressive: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let a = LexisArgs::new(names, &at_entry, &exit, &status, &entry_status)?;
    let (c, ns) = (slice("cut", &cut)?, slice("new_state", &new_state)?);
    let r = run(py, || {
        core::cut_lexis(
            &a.data()?,
            c,
            &timescale,
            ns,
            precursor_states.as_deref(),
            progressive,
        )
    })?;
    let d = PyDict::new(py);
    d.set_item("row", PyArray1::from_vec(py, r.row))?;
    d.set_item("at_entry", arrays(py, r.at_entry))?;
    d.set_item("exit", PyArray1::from_vec(py, r.exit))?;
    d.set_item("entry_status", PyArray1::from_vec(py, r.entry_status))?;
    d.set_item("status", PyArray1::from_vec(py, r.status))?;
    Ok(d)
}

#[pyfunction]
#[pyo3(signature = (events, person_time, null_rate, conf_level))]
fn crude_rates<'py>(
    py: Python<'py>,
    events: PyReadonlyArray1<'py, f64>,
    person_time: PyReadonlyArray1<'py, f64>,
    null_rate: Option<f64>,
    conf_level: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let (e, t) = (
        slice("events", &events)?,
        slice("person_time", &person_time)?,
    );
    let r = run(py, || core::crude_rates(e, t, null_rate, conf_level))?;
    let d = PyDict::new(py);
    d.set_item("rate", PyArray1::from_vec(py, r.rate))?;
    d.set_item("lower", PyArray1::from_vec(py, r.lower))?;
    d.set_item("upper", PyArray1::from_vec(py, r.upper))?;
    d.set_item("p_value", r.p_value.map(|p| PyArray1::from_vec(py, p)))?;
    Ok(d)
}

#[pyfunction]
#[pyo3(signature = (events1, person_time1, events2, person_time2, kind, null_ratio, conf_level))]
#[allow(clippy::too_many_arguments)]
fn compare_rates<'py>(
    py: Python<'py>,
    events1: PyReadonlyArray1<'py, f64>,
    person_time1: PyReadonlyArray1<'py, f64>,
    events2: PyReadonlyArray1<'py, f64>,
    person_time2: PyReadonlyArray1<'py, f64>,
    kind: &str,
    null_ratio: f64,
    conf_level: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let (e1, t1) = (
        slice("events1", &events1)?,
        slice("person_time1", &person_time1)?,
    );
    let (e2, t2) = (
        slice("events2", &events2)?,
        slice("person_time2", &person_time2)?,
    );
    let ratio = kind == "ratio";
    let r = run(py, || {
        if ratio {
            core::rate_ratios(e1, t1, e2, t2, null_ratio, conf_level)
        } else {
            core::rate_differences(e1, t1, e2, t2, conf_level)
        }
    })?;
    let d = PyDict::new(py);
    d.set_item("estimate", PyArray1::from_vec(py, r.estimate))?;
    if !ratio {
        d.set_item("se", PyArray1::from_vec(py, r.se))?;
    }
    d.set_item("lower", PyArray1::from_vec(py, r.lower))?;
    d.set_item("upper", PyArray1::from_vec(py, r.upper))?;
    d.set_item("p_value", PyArray1::from_vec(py, r.p_value))?;
    Ok(d)
}

#[pyfunction]
#[pyo3(signature = (events, person_time, weights, groups, n_groups, conf_level))]
fn direct_standardize<'py>(
    py: Python<'py>,
    events: PyReadonlyArray1<'py, f64>,
    person_time: PyReadonlyArray1<'py, f64>,
    weights: PyReadonlyArray1<'py, f64>,
    groups: Option<PyReadonlyArray1<'py, u32>>,
    n_groups: usize,
    conf_level: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let (e, t, w) = (
        slice("events", &events)?,
        slice("person_time", &person_time)?,
        slice("standard_weights", &weights)?,
    );
    let g = groups.as_ref().map(|a| slice_u32("by", a)).transpose()?;
    let r = run(py, || {
        core::direct_standardize(e, t, w, g.map(|g| (g, n_groups)), conf_level)
    })?;
    let d = PyDict::new(py);
    d.set_item("events", PyArray1::from_vec(py, r.events))?;
    d.set_item("person_time", PyArray1::from_vec(py, r.person_time))?;
    d.set_item("crude_rate", PyArray1::from_vec(py, r.crude))?;
    d.set_item("rate", PyArray1::from_vec(py, r.rate))?;
    d.set_item("variance", PyArray1::from_vec(py, r.variance))?;
    d.set_item("lower", PyArray1::from_vec(py, r.lower))?;
    d.set_item("upper", PyArray1::from_vec(py, r.upper))?;
    Ok(d)
}

#[pyfunction]
#[pyo3(signature = (observed, person_time, reference_rate, strata, n_strata, conf_level))]
fn sir<'py>(
    py: Python<'py>,
    observed: PyReadonlyArray1<'py, f64>,
    person_time: PyReadonlyArray1<'py, f64>,
    reference_rate: PyReadonlyArray1<'py, f64>,
    strata: Option<PyReadonlyArray1<'py, u32>>,
    n_strata: usize,
    conf_level: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let (o, t, r) = (
        slice("observed", &observed)?,
        slice("person_time", &person_time)?,
        slice("reference_rate", &reference_rate)?,
    );
    let g = strata.as_ref().map(|a| slice_u32("by", a)).transpose()?;
    let s = run(py, || {
        core::sir(o, t, r, g.map(|g| (g, n_strata)), conf_level)
    })?;
    let d = PyDict::new(py);
    d.set_item("observed", PyArray1::from_vec(py, s.observed))?;
    d.set_item("expected", PyArray1::from_vec(py, s.expected))?;
    d.set_item("person_time", PyArray1::from_vec(py, s.person_time))?;
    d.set_item("sir", PyArray1::from_vec(py, s.sir))?;
    d.set_item("lower", PyArray1::from_vec(py, s.lower))?;
    d.set_item("upper", PyArray1::from_vec(py, s.upper))?;
    d.set_item("p_value", PyArray1::from_vec(py, s.p_exact))?;
    d.set_item("p_chisq", PyArray1::from_vec(py, s.p_chisq))?;
    if let Some(h) = s.homogeneity {
        let hd = PyDict::new(py);
        hd.set_item("df", h.df)?;
        hd.set_item("lrt", h.lrt)?;
        hd.set_item("p_lrt", h.p_lrt)?;
        hd.set_item("pearson", h.pearson)?;
        hd.set_item("p_pearson", h.p_pearson)?;
        d.set_item("homogeneity", hd)?;
    }
    Ok(d)
}

#[pyfunction]
fn standard_population<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyDict>> {
    let s = core::standard_population(name).map_err(to_py)?;
    let d = PyDict::new(py);
    d.set_item("name", s.name)?;
    d.set_item("age_lower", PyArray1::from_vec(py, s.age_lower))?;
    d.set_item("age_upper", PyArray1::from_vec(py, s.age_upper))?;
    d.set_item("weight", PyArray1::from_vec(py, s.weight))?;
    d.set_item("source", s.source)?;
    Ok(d)
}

// ---- competing risks ----------------------------------------------------------------

/// A cumulative-incidence fit (wrapped by `hrrstats.CumulativeIncidence`).
#[pyclass(module = "hrrstats._hrrstats", frozen)]
struct CumIncFit {
    fit: core::CumIncFit,
}

#[pymethods]
impl CumIncFit {
    /// Causes, one dict of columns per group, Gray's tests (or None).
    fn result<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("causes", self.fit.causes.clone())?;
        let curves = self
            .fit
            .curves
            .iter()
            .map(|c| -> PyResult<Bound<'py, PyDict>> {
                let cd = PyDict::new(py);
                cd.set_item("time", PyArray1::from_slice(py, &c.time))?;
                cd.set_item("n_risk", PyArray1::from_slice(py, &c.n_risk))?;
                cd.set_item("n_censor", PyArray1::from_slice(py, &c.n_censor))?;
                cd.set_item("survival", PyArray1::from_slice(py, &c.survival))?;
                cd.set_item(
                    "n_event",
                    c.n_event
                        .iter()
                        .map(|v| PyArray1::from_slice(py, v))
                        .collect::<Vec<_>>(),
                )?;
                cd.set_item(
                    "estimate",
                    c.estimate
                        .iter()
                        .map(|v| PyArray1::from_slice(py, v))
                        .collect::<Vec<_>>(),
                )?;
                cd.set_item(
                    "variance",
                    c.variance
                        .iter()
                        .map(|v| PyArray1::from_slice(py, v))
                        .collect::<Vec<_>>(),
                )?;
                cd.set_item(
                    "lower",
                    c.lower
                        .iter()
                        .map(|v| PyArray1::from_slice(py, v))
                        .collect::<Vec<_>>(),
                )?;
                cd.set_item(
                    "upper",
                    c.upper
                        .iter()
                        .map(|v| PyArray1::from_slice(py, v))
                        .collect::<Vec<_>>(),
                )?;
                Ok(cd)
            })
            .collect::<PyResult<Vec<_>>>()?;
        d.set_item("curves", curves)?;
        match &self.fit.gray {
            None => d.set_item("gray", py.None())?,
            Some(g) => {
                let gd = PyDict::new(py);
                gd.set_item("cause", g.iter().map(|t| t.cause).collect::<Vec<_>>())?;
                gd.set_item(
                    "statistic",
                    g.iter().map(|t| t.statistic).collect::<Vec<_>>(),
                )?;
                gd.set_item("df", g.iter().map(|t| t.df).collect::<Vec<_>>())?;
                gd.set_item("p_value", g.iter().map(|t| t.p_value).collect::<Vec<_>>())?;
                d.set_item("gray", gd)?;
            }
        }
        Ok(d)
    }

    /// Estimates and variances of group `g` at `times`.
    fn at<'py>(
        &self,
        py: Python<'py>,
        g: usize,
        times: PyReadonlyArray1<'py, f64>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let t = slice("times", &times)?;
        let r = self.fit.at(g, t).map_err(to_py)?;
        let d = PyDict::new(py);
        d.set_item("estimate", arrays(py, r.estimate))?;
        d.set_item("variance", arrays(py, r.variance))?;
        Ok(d)
    }
}

#[pyfunction]
#[pyo3(signature = (time, cause, censor_code, entry, weights, group, n_groups, strata, n_strata, conf_type, conf_level, rho, variance="cuminc"))]
#[allow(clippy::too_many_arguments)]
fn cumulative_incidence(
    py: Python<'_>,
    time: PyReadonlyArray1<'_, f64>,
    cause: PyReadonlyArray1<'_, f64>,
    censor_code: f64,
    entry: Option<PyReadonlyArray1<'_, f64>>,
    weights: Option<PyReadonlyArray1<'_, f64>>,
    group: Option<PyReadonlyArray1<'_, u32>>,
    n_groups: usize,
    strata: Option<PyReadonlyArray1<'_, u32>>,
    n_strata: usize,
    conf_type: &str,
    conf_level: f64,
    rho: f64,
    variance: &str,
) -> PyResult<CumIncFit> {
    let variance = match variance {
        "cuminc" => core::CifVariance::Cuminc,
        "survfit" => core::CifVariance::Survfit,
        other => {
            return Err(PyValueError::new_err(format!(
                "argument `variance`: unknown value {other:?}; use \"cuminc\" or \"survfit\""
            )))
        }
    };
    let (t, c) = (slice("time", &time)?, slice("cause", &cause)?);
    let e = entry.as_ref().map(|a| slice("entry", a)).transpose()?;
    let w = weights.as_ref().map(|a| slice("weights", a)).transpose()?;
    let g = group.as_ref().map(|a| slice_u32("group", a)).transpose()?;
    let s = strata
        .as_ref()
        .map(|a| slice_u32("strata", a))
        .transpose()?;
    let ct = core::ConfType::parse(conf_type).map_err(to_py)?;
    let fit = run(py, || {
        let mut d = core::CompetingData::new(t, c, censor_code)?;
        if let Some(e) = e {
            d = d.with_entry(e)?;
        }
        if let Some(w) = w {
            d = d.with_weights(w)?;
        }
        if let Some(g) = g {
            d = d.with_group(g, n_groups)?;
        }
        if let Some(s) = s {
            d = d.with_strata(s, n_strata)?;
        }
        core::CumInc::params()
            .conf_type(ct)
            .conf_level(conf_level)
            .rho(rho)
            .variance(variance)
            .fit(&d)
    })?;
    Ok(CumIncFit { fit })
}

/// A Fine–Gray fit (wrapped by `hrrstats.FineGray`).
#[pyclass(module = "hrrstats._hrrstats", frozen)]
struct FineGrayFit {
    fit: core::FineGrayFit,
}

#[pymethods]
impl FineGrayFit {
    fn result<'py>(&self, py: Python<'py>, conf_level: f64) -> PyResult<Bound<'py, PyDict>> {
        let f = &self.fit;
        let d = PyDict::new(py);
        d.set_item("names", f.names.clone())?;
        d.set_item("coef", PyArray1::from_slice(py, &f.coef))?;
        d.set_item("se", PyArray1::from_slice(py, &f.se))?;
        d.set_item("var", PyArray1::from_slice(py, &f.var))?;
        d.set_item("naive_var", PyArray1::from_slice(py, &f.naive_var))?;
        d.set_item("loglik", (f.loglik_null, f.loglik))?;
        d.set_item("score", PyArray1::from_slice(py, &f.score))?;
        d.set_item("iterations", f.iterations)?;
        d.set_item("converged", f.converged)?;
        d.set_item("n", f.n)?;
        d.set_item("n_events", f.n_events)?;
        d.set_item("event_times", PyArray1::from_slice(py, &f.event_times))?;
        d.set_item(
            "baseline_jumps",
            PyArray1::from_slice(py, &f.baseline_jumps),
        )?;
        let w = f.wald(conf_level);
        for (k, name) in ["coef", "se", "z", "p", "lower", "upper"]
            .iter()
            .enumerate()
        {
            d.set_item(
                format!("wald_{name}"),
                w.iter().map(|r| r[k]).collect::<Vec<_>>(),
            )?;
        }
        Ok(d)
    }

    /// Predicted cumulative incidence at the event times, one array per row of `x`
    /// (row-major, p values per row).
    fn predict<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray1<'py, f64>,
    ) -> PyResult<Vec<Bound<'py, PyArray1<f64>>>> {
        let rows = slice("newdata", &x)?;
        let r = self.fit.predict(rows).map_err(to_py)?;
        Ok(arrays(py, r))
    }
}

#[pyfunction]
#[pyo3(signature = (time, cause, columns, names, cause_of_interest, censor_code, cengroup, n_cengroups, gtol, max_iter))]
#[allow(clippy::too_many_arguments)]
fn fine_gray(
    py: Python<'_>,
    time: PyReadonlyArray1<'_, f64>,
    cause: PyReadonlyArray1<'_, f64>,
    columns: Vec<PyReadonlyArray1<'_, f64>>,
    names: Vec<String>,
    cause_of_interest: f64,
    censor_code: f64,
    cengroup: Option<PyReadonlyArray1<'_, u32>>,
    n_cengroups: usize,
    gtol: f64,
    max_iter: usize,
) -> PyResult<FineGrayFit> {
    let (t, c) = (slice("time", &time)?, slice("cause", &cause)?);
    let cols = columns
        .iter()
        .map(|a| slice("covariates", a))
        .collect::<PyResult<Vec<_>>>()?;
    let g = cengroup
        .as_ref()
        .map(|a| slice_u32("cengroup", a))
        .transpose()?;
    let fit = run(py, || {
        let mut d = core::CompetingData::new(t, c, censor_code)?;
        if let Some(g) = g {
            d = d.with_group(g, n_cengroups)?;
        }
        let x = core::Covariates::from_columns(cols, &names)?;
        core::FineGray::params()
            .cause(cause_of_interest)
            .gtol(gtol)
            .max_iter(max_iter)
            .fit(&d, &x)
    })?;
    Ok(FineGrayFit { fit })
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
