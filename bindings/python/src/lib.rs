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

/// A fitted Cox model (wrapped by `hrrstats.CoxPH` in Python).
#[pyclass(module = "hrrstats._hrrstats", frozen)]
struct CoxPhFit {
    fit: core::CoxPhFit,
}

fn test_dict<'py>(py: Python<'py>, t: &core::TestResult) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("statistic", t.statistic)?;
    d.set_item("df", t.df)?;
    d.set_item("p_value", t.p_value)?;
    Ok(d)
}

#[pymethods]
impl CoxPhFit {
    /// Everything the Python layer shows, as a dict.
    fn result<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let f = &self.fit;
        let d = PyDict::new(py);
        d.set_item("names", f.names.clone())?;
        for (name, v) in [
            ("coef", &f.coef),
            ("se", &f.se),
            ("naive_se", &f.naive_se),
            ("var", &f.var),
            ("naive_var", &f.naive_var),
            ("means", &f.means),
            ("linear_predictors", &f.linear_predictors),
            ("martingale_residuals", &f.martingale_residuals),
            ("score_vector", &f.score_vector),
        ] {
            d.set_item(name, PyArray1::from_slice(py, v))?;
        }
        d.set_item("loglik", (f.loglik[0], f.loglik[1]))?;
        d.set_item("score_test", test_dict(py, &f.score_test)?)?;
        d.set_item("wald_test", test_dict(py, &f.wald_test)?)?;
        d.set_item("lr_test", test_dict(py, &f.lr_test)?)?;
        match &f.robust_score_test {
            Some(t) => d.set_item("robust_score_test", test_dict(py, t)?)?,
            None => d.set_item("robust_score_test", py.None())?,
        }
        d.set_item("iterations", f.iterations)?;
        d.set_item("converged", f.convergence == core::Convergence::Converged)?;
        d.set_item("halvings", f.halvings)?;
        d.set_item("rank", f.rank)?;
        d.set_item("aliased", f.aliased.clone())?;
        d.set_item("n", f.n)?;
        d.set_item("n_event", f.n_event)?;
        d.set_item("ties", f.ties.name())?;
        d.set_item("robust", f.robust)?;
        d.set_item("n_cluster", f.n_cluster)?;
        d.set_item("mean_offset", f.mean_offset)?;
        let b = &f.baseline;
        d.set_item("baseline_offsets", b.offsets.clone())?;
        d.set_item("baseline_time", PyArray1::from_slice(py, &b.time))?;
        d.set_item(
            "baseline_cumhaz",
            PyArray1::from_slice(py, &b.cumulative_hazard),
        )?;
        d.set_item(
            "baseline_cumhaz_centered",
            PyArray1::from_slice(py, &b.cumulative_hazard_centered),
        )?;
        Ok(d)
    }

    fn deviance_residuals<'py>(
        &self,
        py: Python<'py>,
        status: PyReadonlyArray1<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let s = slice("event", &status)?;
        if s.len() != self.fit.martingale_residuals.len() {
            return Err(PyValueError::new_err(
                "argument `event` does not match the fit's rows",
            ));
        }
        Ok(PyArray1::from_vec(py, self.fit.deviance_residuals(s)))
    }

    /// Linear predictor for new covariate columns (fit's column order).
    #[pyo3(signature = (columns, offset=None))]
    fn predict_lp<'py>(
        &self,
        py: Python<'py>,
        columns: Vec<PyReadonlyArray1<'py, f64>>,
        offset: Option<PyReadonlyArray1<'py, f64>>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let cols = columns
            .iter()
            .map(|c| slice("covariates", c))
            .collect::<PyResult<Vec<_>>>()?;
        let o = offset.as_ref().map(|a| slice("offset", a)).transpose()?;
        let lp = run(py, || {
            let x = core::Covariates::from_columns(cols, &self.fit.names)?;
            self.fit.predict_lp(&x, o)
        })?;
        Ok(PyArray1::from_vec(py, lp))
    }

    /// Proportional-hazards test on the fit data (`inputs`: the arrays of the fit).
    #[pyo3(signature = (inputs, transform, terms))]
    fn zph<'py>(
        &self,
        py: Python<'py>,
        inputs: CoxInputs<'py>,
        transform: &str,
        terms: Option<Vec<Vec<usize>>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let transform = core::ZphTransform::parse(transform).map_err(to_py)?;
        let slices = inputs.slices()?;
        let z = run(py, || {
            self.fit
                .zph(&slices.data(&self.fit.names)?, transform, terms.as_deref())
        })?;
        let d = PyDict::new(py);
        d.set_item("term", z.term)?;
        d.set_item("statistic", z.statistic)?;
        d.set_item("df", z.df)?;
        d.set_item("p_value", z.p_value)?;
        d.set_item("global", test_dict(py, &z.global)?)?;
        Ok(d)
    }

    /// Residual matrix (row-major) of `kind`: score, dfbeta, dfbetas, schoenfeld,
    /// scaledsch; for the Schoenfeld kinds also the event rows and times.
    fn residual_matrix<'py>(
        &self,
        py: Python<'py>,
        inputs: CoxInputs<'py>,
        kind: &str,
    ) -> PyResult<Bound<'py, PyDict>> {
        let slices = inputs.slices()?;
        let d = PyDict::new(py);
        let f = &self.fit;
        let (values, rows, times) = run(py, || {
            let data = slices.data(&f.names)?;
            Ok(match kind {
                "score" => (f.score_residuals(&data)?, None, None),
                "dfbeta" => (f.dfbeta(&data, true, false)?, None, None),
                "dfbetas" => (f.dfbeta(&data, true, true)?, None, None),
                "schoenfeld" | "scaledsch" => {
                    let s = f.schoenfeld_residuals(&data, kind == "scaledsch")?;
                    (s.values, Some(s.row), Some(s.time))
                }
                other => {
                    return Err(core::Error::InvalidArgument {
                        arg: "type",
                        reason: format!(
                            "unknown residual type {other:?}; use \"martingale\", \"deviance\", \"score\", \"dfbeta\", \"dfbetas\", \"schoenfeld\" or \"scaledsch\""
                        ),
                    })
                }
            })
        })?;
        d.set_item("values", PyArray1::from_vec(py, values))?;
        d.set_item("rows", rows)?;
        d.set_item("times", times.map(|t| PyArray1::from_vec(py, t)))?;
        Ok(d)
    }

    /// Predicted survival, lp-major: len(lp) x len(times).
    fn predict_survival<'py>(
        &self,
        py: Python<'py>,
        lp: PyReadonlyArray1<'py, f64>,
        stratum: usize,
        times: PyReadonlyArray1<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let (l, t) = (slice("lp", &lp)?, slice("times", &times)?);
        let s = self.fit.predict_survival(l, stratum, t).map_err(to_py)?;
        Ok(PyArray1::from_vec(py, s))
    }
}

/// The arrays a Cox model was fitted to, as the Python layer keeps them (a dict).
#[derive(FromPyObject)]
struct CoxInputs<'py> {
    #[pyo3(item)]
    time: PyReadonlyArray1<'py, f64>,
    #[pyo3(item)]
    event: PyReadonlyArray1<'py, f64>,
    #[pyo3(item)]
    entry: Option<PyReadonlyArray1<'py, f64>>,
    #[pyo3(item)]
    weights: Option<PyReadonlyArray1<'py, f64>>,
    #[pyo3(item)]
    strata: Option<PyReadonlyArray1<'py, u32>>,
    #[pyo3(item)]
    n_strata: usize,
    #[pyo3(item)]
    columns: Vec<PyReadonlyArray1<'py, f64>>,
    #[pyo3(item)]
    offset: Option<PyReadonlyArray1<'py, f64>>,
    #[pyo3(item)]
    cluster: Option<PyReadonlyArray1<'py, u32>>,
}

/// Borrowed slices of [`CoxInputs`].
struct CoxSlices<'a> {
    time: &'a [f64],
    event: &'a [f64],
    entry: Option<&'a [f64]>,
    weights: Option<&'a [f64]>,
    strata: Option<(&'a [u32], usize)>,
    columns: Vec<&'a [f64]>,
    offset: Option<&'a [f64]>,
    cluster: Option<&'a [u32]>,
}

impl<'py> CoxInputs<'py> {
    fn slices(&self) -> PyResult<CoxSlices<'_>> {
        Ok(CoxSlices {
            time: slice("time", &self.time)?,
            event: slice("event", &self.event)?,
            entry: self.entry.as_ref().map(|a| slice("entry", a)).transpose()?,
            weights: self
                .weights
                .as_ref()
                .map(|a| slice("weights", a))
                .transpose()?,
            strata: self
                .strata
                .as_ref()
                .map(|a| slice_u32("strata", a))
                .transpose()?
                .map(|s| (s, self.n_strata)),
            columns: self
                .columns
                .iter()
                .map(|c| slice("covariates", c))
                .collect::<PyResult<Vec<_>>>()?,
            offset: self
                .offset
                .as_ref()
                .map(|a| slice("offset", a))
                .transpose()?,
            cluster: self
                .cluster
                .as_ref()
                .map(|a| slice_u32("cluster", a))
                .transpose()?,
        })
    }
}

impl<'a> CoxSlices<'a> {
    fn data(&self, names: &'a [String]) -> core::Result<core::CoxData<'a>> {
        let surv = core::SurvivalData::from_parts(
            self.time,
            self.event,
            self.entry,
            self.weights,
            self.strata,
        )?;
        let x = core::Covariates::from_columns(self.columns.clone(), names)?;
        let mut data = core::CoxData::new(surv, x)?;
        if let Some(o) = self.offset {
            data = data.with_offset(o)?;
        }
        if let Some(c) = self.cluster {
            data = data.with_cluster(c)?;
        }
        Ok(data)
    }
}

/// Cox proportional hazards fit.
#[pyfunction]
#[pyo3(signature = (inputs, names, ties, robust, max_iter, eps, init))]
fn cox_ph(
    py: Python<'_>,
    inputs: CoxInputs<'_>,
    names: Vec<String>,
    ties: &str,
    robust: bool,
    max_iter: usize,
    eps: f64,
    init: Option<Vec<f64>>,
) -> PyResult<CoxPhFit> {
    let ties = core::Ties::parse(ties).map_err(to_py)?;
    let slices = inputs.slices()?;
    let fit = run(py, || {
        let data = slices.data(&names)?;
        let mut params = core::CoxPh::params()
            .ties(ties)
            .robust(robust)
            .max_iter(max_iter)
            .eps(eps);
        if let Some(init) = init {
            params = params.init(init);
        }
        params.fit(&data)
    })?;
    Ok(CoxPhFit { fit })
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
    m.add_class::<CoxPhFit>()?;
    m.add_function(wrap_pyfunction!(cox_ph, m)?)?;
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
