//! The protocol in Python: arguments from a dict, results to numpy / pandas, once for
//! every method (`hrrstats_core::api`).
//!
//! Arguments (values of the dict):
//! - None, bool, int, float, str, a list of str;
//! - a 1-D numpy array: a numeric column (float64 contiguous arrays are borrowed,
//!   other numeric dtypes converted);
//! - a tuple `(codes, levels)`: a grouping variable, integer codes 0..k-1 and its k
//!   level labels (`hrrstats._convert.codes` makes it);
//! - a dict: named arguments (several columns, e.g. covariates);
//! - a list (not of str): a list of arguments.
//!
//! Results: scalars as Python numbers, columns as numpy arrays (positions as int64,
//! counted from 0), factors as pandas Categoricals, tables as pandas DataFrames,
//! matrices as 2-D arrays (DataFrames when they have names), records as dicts.

use hrrstats_core as core;
use core::protocol::{Args, Failure, Held, Record, Value};
use numpy::{PyArray1, PyArrayMethods, PyReadonlyArray1, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::exceptions::{PyKeyboardInterrupt, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

/// An argument read from Python, holding its numpy borrows.
type PyArg<'py> = Held<PyReadonlyArray1<'py, f64>>;

fn type_error(name: &str, what: &str) -> PyErr {
    PyTypeError::new_err(format!("argument `{name}`: {what}"))
}

/// A numeric numpy array as a contiguous, aligned float64 array (a no-op when it is
/// one; arrays received over a network, e.g. by a Dask worker, may be unaligned).
fn float_array<'py>(name: &str, x: &Bound<'py, PyAny>) -> PyResult<PyReadonlyArray1<'py, f64>> {
    let arr = x.cast::<PyUntypedArray>().map_err(|_| type_error(name, "must be a numpy array"))?;
    if arr.ndim() != 1 {
        return Err(type_error(name, "must be a 1-D array"));
    }
    let np = x.py().import("numpy")?;
    let y = np.call_method1("require", (x, np.getattr("float64")?, ["C", "A"]))?;
    y.extract::<PyReadonlyArray1<'py, f64>>()
        .map_err(|_| type_error(name, "must be a numeric array"))
}

fn read<'py>(name: &str, x: &Bound<'py, PyAny>) -> PyResult<PyArg<'py>> {
    if x.is_none() {
        return Ok(Held::Null);
    }
    if let Ok(b) = x.cast::<pyo3::types::PyBool>() {
        return Ok(Held::Bool(b.is_true()));
    }
    if x.cast::<PyUntypedArray>().is_ok() {
        return Ok(Held::Column(float_array(name, x)?));
    }
    if let Ok(s) = x.cast::<PyString>() {
        return Ok(Held::Str(s.extract::<String>()?));
    }
    if let Ok(d) = x.cast::<PyDict>() {
        let mut items = Vec::with_capacity(d.len());
        for (k, v) in d.iter() {
            let k: String = k.extract()?;
            let a = read(&k, &v)?;
            items.push((k, a));
        }
        return Ok(Held::Record(items));
    }
    if let Ok(t) = x.cast::<PyTuple>() {
        if t.len() == 2 {
            let levels: Vec<String> = t
                .get_item(1)?
                .try_iter()?
                .map(|l| l.and_then(|l| l.str().map(|s| s.to_string())))
                .collect::<PyResult<_>>()?;
            return Ok(Held::Group(float_array(name, &t.get_item(0)?)?, levels));
        }
    }
    if let Ok(l) = x.cast::<PyList>() {
        if !l.is_empty() && l.iter().all(|v| v.cast::<PyString>().is_ok()) {
            return Ok(Held::Strs(l.extract()?));
        }
        return Ok(Held::List(
            l.iter().map(|v| read(name, &v)).collect::<PyResult<_>>()?,
        ));
    }
    if let Ok(v) = x.extract::<f64>() {
        return Ok(Held::Num(v));
    }
    Err(type_error(name, "unsupported type"))
}

/// Map a failed call to `ValueError` (a panic: `RuntimeError`), rows counted from 0 as
/// in numpy/pandas; an interrupt re-raises what Python's signal handler raised
/// (`KeyboardInterrupt` for Ctrl-C).
pub fn to_py(f: Failure) -> PyErr {
    if f.is_interrupt() {
        return SIGNALLED
            .with(|p| p.take())
            .unwrap_or_else(|| PyKeyboardInterrupt::new_err(f.message(0)));
    }
    match f {
        Failure::Panic(_) => PyRuntimeError::new_err(f.message(0)),
        _ => PyValueError::new_err(f.message(0)),
    }
}

thread_local! {
    /// The exception a signal handler raised during a call (re-raised by `to_py`).
    static SIGNALLED: std::cell::Cell<Option<PyErr>> = const { std::cell::Cell::new(None) };
}

/// The core's interrupt hook (`hrrstats_core::interrupt`): runs Python's signal handlers
/// (`PyErr_CheckSignals`, through pyo3), re-attaching to the interpreter for that
/// moment (the computation runs detached, on this same thread). The core asks at most
/// ten times a second and only on the thread that installed the hook, never on rayon's
/// workers; Python runs handlers only on its main thread (elsewhere this says no).
fn interrupted() -> bool {
    Python::attach(|py| match py.check_signals() {
        Ok(()) => false,
        Err(e) => {
            SIGNALLED.with(|p| p.set(Some(e)));
            true
        }
    })
}

/// Python's main thread (the only one its signal handlers run on), recorded when the
/// module is imported there.
static MAIN_THREAD: std::sync::OnceLock<std::thread::ThreadId> = std::sync::OnceLock::new();

/// Record the current thread as Python's main thread if it is (at import).
pub fn note_main_thread(py: Python<'_>) -> PyResult<()> {
    let threading = py.import("threading")?;
    let main = threading.call_method0("main_thread")?;
    let current = threading.call_method0("current_thread")?;
    if main.is(&current) {
        let _ = MAIN_THREAD.set(std::thread::current().id());
    }
    Ok(())
}

/// The Python callable that receives the core's progress reports
/// (`hrrstats_core::progress`), set by `set_progress` (the host package's
/// `hrrstats._progress` installs its display at import): called with the fraction done
/// (a float in [0, 1], the last one 1.0 when the call succeeds), or None when a call
/// that reported fails; it returns whether it wants more reports of this call.
static PROGRESS: std::sync::Mutex<Option<Py<PyAny>>> = std::sync::Mutex::new(None);

/// Set (or, with None, remove) the callable receiving the core's progress reports.
#[pyfunction]
pub fn set_progress(callback: Option<Py<PyAny>>) {
    *PROGRESS.lock().unwrap_or_else(|e| e.into_inner()) = callback;
}

fn progress_callback(py: Python<'_>) -> Option<Py<PyAny>> {
    PROGRESS.lock().unwrap_or_else(|e| e.into_inner()).as_ref().map(|c| c.clone_ref(py))
}

/// Call the progress callback with `arg`; an exception in it is reported as
/// unraisable (it must not change the call's result) and stops the reports.
fn tell_progress(py: Python<'_>, arg: Option<f64>) -> bool {
    let Some(cb) = progress_callback(py) else {
        return false;
    };
    match cb.call1(py, (arg,)).and_then(|r| r.is_truthy(py)) {
        Ok(more) => more,
        Err(e) => {
            e.write_unraisable(py, Some(cb.bind(py)));
            false
        }
    }
}

/// The core's progress hook: re-attaches to the interpreter (the computation runs
/// detached, on this same thread) and passes the fraction on (NaN, a failed call: None).
fn progress(fraction: f64) -> bool {
    Python::attach(|py| tell_progress(py, (!fraction.is_nan()).then_some(fraction)))
}

/// Run `f` with the interpreter detached, turning a panic into a Python exception
/// (never a crash of the interpreter); on Python's main thread Ctrl-C stops long loops
/// (see `interrupted`; other threads never see signals, so they do not ask) and long
/// loops report their progress to the callback of `set_progress`, if one is set.
pub fn run<T: Send>(py: Python<'_>, f: impl FnOnce() -> core::Result<T> + Send) -> PyResult<T> {
    SIGNALLED.with(|p| p.set(None));
    let main = MAIN_THREAD.get() == Some(&std::thread::current().id());
    let reporting = main && progress_callback(py).is_some();
    let interrupt: Option<core::interrupt::Hook> = main.then_some(interrupted);
    let report: Option<core::progress::Hook> = reporting.then_some(progress);
    py.detach(|| core::protocol::run(interrupt, report, || Ok(f()?))).map_err(to_py)
}

fn with_args<T: Send>(
    py: Python<'_>,
    args: &Bound<'_, PyDict>,
    f: impl FnOnce(&Args) -> core::Result<T> + Send,
) -> PyResult<T> {
    let held = read("args", args.as_any())?;
    let a = held.args(0, &|x| x.as_slice().ok()).map_err(PyValueError::new_err)?;
    run(py, || f(&a))
}

/// Convert a result to Python.
pub fn to_python(py: Python<'_>, v: Value) -> PyResult<Py<PyAny>> {
    Ok(match v {
        Value::Null => py.None(),
        Value::Bool(b) => b.into_pyobject(py)?.to_owned().into_any().unbind(),
        Value::Int(i) => i.into_pyobject(py)?.into_any().unbind(),
        Value::Num(x) => x.into_pyobject(py)?.into_any().unbind(),
        Value::Str(s) => s.into_pyobject(py)?.into_any().unbind(),
        Value::Nums(x) => PyArray1::from_vec(py, x).into_any().unbind(),
        Value::Ints(x) => PyArray1::from_vec(py, x).into_any().unbind(),
        Value::Bools(x) => PyArray1::from_vec(py, x).into_any().unbind(),
        Value::Strs(x) => PyList::new(py, x)?.into_any().unbind(),
        Value::Index(x) => {
            PyArray1::from_iter(py, x.into_iter().map(|i| i as i64)).into_any().unbind()
        }
        Value::Factor { codes, levels } => {
            let pd = py.import("pandas")?;
            let codes = PyArray1::from_iter(py, codes.into_iter().map(|c| c as i64));
            pd.getattr("Categorical")?
                .call_method1("from_codes", (codes, levels))?
                .unbind()
        }
        Value::Matrix(m) => {
            let np = py.import("numpy")?;
            let a = PyArray1::from_vec(py, m.data)
                .reshape([m.ncol, m.nrow])?
                .call_method0("transpose")?;
            if m.row_names.is_some() || m.col_names.is_some() {
                let kw = PyDict::new(py);
                kw.set_item("index", m.row_names)?;
                kw.set_item("columns", m.col_names)?;
                py.import("pandas")?
                    .getattr("DataFrame")?
                    .call((a,), Some(&kw))?
                    .unbind()
            } else {
                np.call_method1("ascontiguousarray", (a,))?.unbind()
            }
        }
        Value::Table(t) => {
            let d = to_python(py, Value::Record(Record { fields: t.columns }))?;
            py.import("pandas")?.getattr("DataFrame")?.call1((d,))?.unbind()
        }
        Value::Record(r) => {
            let d = PyDict::new(py);
            for (name, v) in r.fields {
                d.set_item(name, to_python(py, v)?)?;
            }
            d.into_any().unbind()
        }
        Value::List(v) => {
            let items = v.into_iter().map(|x| to_python(py, x)).collect::<PyResult<Vec<_>>>()?;
            PyList::new(py, items)?.into_any().unbind()
        }
    })
}

/// A fit kept for later operations (`Fit.call("quantile", {...})`).
#[pyclass(module = "hrrstats._hrrstats", frozen, name = "Fit")]
pub struct Fit {
    inner: Box<dyn core::api::Fitted>,
}

#[pymethods]
impl Fit {
    /// Run the operation `method` of this fit with the arguments in `args`.
    fn call(&self, py: Python<'_>, method: &str, args: &Bound<'_, PyDict>) -> PyResult<Py<PyAny>> {
        let inner = &self.inner;
        let v = with_args(py, args, |a| core::api::call_fit(inner.as_ref(), method, a))?;
        to_python(py, v)
    }
}

/// Run the method `method` with the arguments in `args`: (result, fit or None).
#[pyfunction]
pub fn call(
    py: Python<'_>,
    method: &str,
    args: &Bound<'_, PyDict>,
) -> PyResult<(Py<PyAny>, Option<Fit>)> {
    let out = with_args(py, args, |a| core::api::call(method, a))?;
    Ok((to_python(py, out.value)?, out.fit.map(|inner| Fit { inner })))
}

/// The names of every method `call` accepts.
#[pyfunction]
pub fn methods() -> Vec<&'static str> {
    core::api::method_names()
}
