//! Python bindings of hrrstats: one generic bridge to the core (`protocol`), no
//! statistics and no per-method code. Every public method is
//! `hrrstats_core::api::call(name, args)`; its arguments arrive as a dict of numpy
//! arrays (borrowed, not copied), groupings, records and scalars, and its result goes
//! back as pandas DataFrames, numpy arrays and dicts. The computation runs with the
//! interpreter detached, so other Python threads keep running.

use pyo3::prelude::*;

mod protocol;

#[pymodule]
fn _hrrstats(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(protocol::call, m)?)?;
    m.add_function(wrap_pyfunction!(protocol::methods, m)?)?;
    m.add_function(wrap_pyfunction!(protocol::set_progress, m)?)?;
    m.add_class::<protocol::Fit>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    protocol::note_main_thread(m.py())?;
    Ok(())
}
