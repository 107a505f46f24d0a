//! The protocol in R: arguments from a named list, results to R objects, once for every
//! method (`hrrstats_core::api`).
//!
//! Arguments (elements of the list): NULL; logical, integer or double vectors (numeric
//! columns: doubles are borrowed, integers and logicals converted with NA as NaN; a
//! length-one logical is a flag); factors (grouping variables: codes 1..k become the
//! core's 0..k-1, NA is an error naming the argument and row); character vectors;
//! named lists (several columns, e.g. covariates); unnamed lists. The argument `rows`
//! (rows of the user's data kept after dropping missing values) is counted from 1 here
//! and from 0 in the core.
//!
//! Results: numbers, logicals and strings as vectors; positions (`Value::Index`) counted
//! from 1; factors as factors; tables as data.frames; matrices with dimnames; records
//! as named lists.

use std::ffi::c_void;
use std::panic;

use extendr_api::prelude::*;
use extendr_api::SEXP;
use hrrstats_core as core;
use core::protocol::{Args, Failure, Held, Record, Value};

/// Rows are reported to R users counted from 1.
pub const ROW_BASE: usize = 1;

/// An argument read from R, holding the R objects it borrows from.
type RArg = Held<Robj>;

/// The strings of a character vector (none for another type).
fn str_vec(x: &Robj) -> Vec<String> {
    x.as_str_vector().unwrap_or_default().iter().map(|s| s.to_string()).collect()
}

fn read(name: &str, x: Robj) -> std::result::Result<RArg, String> {
    if x.is_null() {
        return Ok(Held::Null);
    }
    if x.is_factor() {
        let levels = x.get_attrib("levels").map_or_else(Vec::new, |l| str_vec(&l));
        let codes = x
            .as_integer_slice()
            .ok_or_else(|| format!("argument `{name}`: a factor without codes"))?
            .iter()
            .map(|&c| if c == i32::MIN { f64::NAN } else { (c - 1) as f64 });
        let codes = core::protocol::level_codes(name, codes, levels.len(), ROW_BASE)?;
        return Ok(Held::Codes(codes, levels));
    }
    match x.rtype() {
        Rtype::Doubles => Ok(Held::Column(x)),
        Rtype::Integers => {
            let v = x.as_integer_slice().unwrap_or(&[]);
            Ok(Held::Owned(
                v.iter().map(|&i| if i == i32::MIN { f64::NAN } else { i as f64 }).collect(),
            ))
        }
        Rtype::Logicals => {
            let v = x.as_logical_slice().unwrap_or(&[]);
            if v.len() == 1 && !v[0].is_na() {
                return Ok(Held::Bool(v[0].is_true()));
            }
            Ok(Held::Owned(
                v.iter()
                    .map(|b| if b.is_na() { f64::NAN } else { b.is_true() as u8 as f64 })
                    .collect(),
            ))
        }
        Rtype::Strings => {
            let v = str_vec(&x);
            Ok(if v.len() == 1 { Held::Str(v[0].clone()) } else { Held::Strs(v) })
        }
        Rtype::List => {
            let list = x.as_list().expect("a list");
            let named = x.names().is_some() || list.len() == 0;
            if named {
                let mut items = Vec::with_capacity(list.len());
                for (k, v) in list.iter() {
                    items.push((k.to_string(), read(k, v)?));
                }
                Ok(Held::Record(items))
            } else {
                Ok(Held::List(
                    list.values().map(|v| read(name, v)).collect::<std::result::Result<_, _>>()?,
                ))
            }
        }
        _ => Err(format!("argument `{name}`: unsupported type")),
    }
}

fn named(names: &[&str], values: Vec<Robj>) -> Robj {
    List::from_names_and_values(names, values)
        .expect("as many names as values")
        .into()
}

fn int_or_double(v: Vec<i64>) -> Robj {
    if v.iter().all(|&x| x.abs() < i32::MAX as i64) {
        v.into_iter().map(|x| x as i32).collect::<Vec<i32>>().into()
    } else {
        v.into_iter().map(|x| x as f64).collect::<Vec<f64>>().into()
    }
}

/// Convert a result to R.
pub fn to_r(v: Value) -> Robj {
    match v {
        Value::Null => ().into(),
        Value::Bool(b) => b.into(),
        Value::Int(i) => int_or_double(vec![i]),
        Value::Num(x) => x.into(),
        Value::Str(s) => s.into(),
        Value::Nums(x) => x.into(),
        Value::Ints(x) => int_or_double(x),
        Value::Bools(x) => x.into(),
        Value::Strs(x) => x.into(),
        Value::Index(x) => x.into_iter().map(|i| (i + ROW_BASE) as i32).collect::<Vec<i32>>().into(),
        Value::Factor { codes, levels } => {
            let mut r: Robj = codes.into_iter().map(|c| c as i32 + 1).collect::<Vec<i32>>().into();
            r.set_attrib("levels", levels).expect("levels");
            r.set_attrib("class", "factor").expect("class");
            r
        }
        Value::Matrix(m) => {
            let mut r: Robj = m.data.into();
            r.set_attrib("dim", vec![m.nrow as i32, m.ncol as i32]).expect("dim");
            if m.row_names.is_some() || m.col_names.is_some() {
                let dn = List::from_values([
                    m.row_names.map_or_else(|| ().into(), Robj::from),
                    m.col_names.map_or_else(|| ().into(), Robj::from),
                ]);
                r.set_attrib("dimnames", dn).expect("dimnames");
            }
            r
        }
        Value::Table(t) => {
            let n = t.nrow();
            let mut r = to_r(Value::Record(Record { fields: t.columns }));
            r.set_attrib("row.names", vec![i32::MIN, -(n as i32)]).expect("row.names");
            r.set_attrib("class", "data.frame").expect("class");
            r
        }
        Value::Record(rec) => {
            let (names, values): (Vec<String>, Vec<Robj>) =
                rec.fields.into_iter().map(|(k, v)| (k, to_r(v))).unzip();
            List::from_names_and_values(names, values).expect("as many names as values").into()
        }
        Value::List(v) => List::from_values(v.into_iter().map(to_r)).into(),
    }
}

extern "C" {
    // R's API (R_ext/Utils.h, Rinternals.h), resolved when R loads the package.
    fn R_CheckUserInterrupt();
    // Returns Rboolean: an int-sized enum in R <= 4.4, possibly a C `bool` later; read
    // as its low byte, which is right for both.
    fn R_ToplevelExec(fun: Option<unsafe extern "C" fn(*mut c_void)>, data: *mut c_void) -> u8;
}

unsafe extern "C" fn check_user_interrupt(_: *mut c_void) {
    R_CheckUserInterrupt();
}

/// The core's interrupt hook (`hrrstats_core::interrupt`): whether the user pressed
/// Ctrl-C / Esc. `R_CheckUserInterrupt` would longjmp out of an interrupt, across Rust
/// frames; run under `R_ToplevelExec` it jumps only to that top level, which then
/// returns FALSE (the pending interrupt consumed). The core calls this at most ten
/// times a second and only on R's thread (the one that installed it), never on
/// rayon's workers.
fn interrupted() -> bool {
    // SAFETY: on R's main thread (the hook is thread-local to the calling thread).
    unsafe { R_ToplevelExec(Some(check_user_interrupt), std::ptr::null_mut()) == 0 }
}

extern "C" {
    fn Rf_lang2(a: SEXP, b: SEXP) -> SEXP;
    fn Rf_ScalarReal(x: f64) -> SEXP;
    fn Rf_eval(call: SEXP, env: SEXP) -> SEXP;
    fn Rf_protect(x: SEXP) -> SEXP;
    fn Rf_unprotect(n: std::os::raw::c_int);
    fn Rf_asLogical(x: SEXP) -> std::os::raw::c_int;
    static R_GlobalEnv: SEXP;
}

thread_local! {
    /// The R function receiving the core's progress reports (`hrrstats_core::progress`),
    /// set by `hrr_set_progress_()` (the package's R/progress.R installs its display when
    /// it loads): called with the fraction done (a number in [0, 1], the last one 1 when
    /// the call succeeds), or NA when a call that reported fails; it returns TRUE for
    /// more reports of this call. Kept here, on R's thread, protected as an Robj.
    static PROGRESS: std::cell::RefCell<Option<Robj>> = const { std::cell::RefCell::new(None) };
}

/// Set (a function) or remove (NULL) the R function receiving progress reports.
/// @noRd
#[extendr]
fn hrr_set_progress_(callback: Robj) {
    PROGRESS.with(|p| *p.borrow_mut() = if callback.is_null() { None } else { Some(callback) });
}

struct ProgressCall {
    fun: SEXP,
    fraction: f64,
    more: bool,
}

unsafe extern "C" fn call_progress(data: *mut c_void) {
    let pc = &mut *(data as *mut ProgressCall);
    let call = Rf_protect(Rf_lang2(pc.fun, Rf_ScalarReal(pc.fraction)));
    let value = Rf_eval(call, R_GlobalEnv);
    pc.more = Rf_asLogical(value) == 1;
    Rf_unprotect(1);
}

/// Call the progress function with `fraction` (NaN: R's NA_real_ is a NaN, read by the
/// R side as "failed") under `R_ToplevelExec`, so that an R error in it (or Ctrl-C)
/// ends there and never jumps across Rust frames; an error stops the reports.
fn tell_progress(fraction: f64) -> bool {
    PROGRESS.with(|p| {
        let Some(fun) = p.borrow().as_ref().map(|f| unsafe { f.get() }) else {
            return false;
        };
        let mut pc = ProgressCall { fun, fraction, more: false };
        // SAFETY: on R's main thread (the hook is thread-local to the calling thread);
        // `fun` stays protected by the Robj held in PROGRESS.
        let ok = unsafe { R_ToplevelExec(Some(call_progress), &mut pc as *mut ProgressCall as *mut c_void) };
        ok != 0 && pc.more
    })
}

/// Run `f` (`core::protocol::run`: Ctrl-C polled, progress reported to the function of
/// `hrr_set_progress_()` if one is set, panics caught), returning `list(ok = TRUE,
/// value = ...)` or `list(ok = FALSE, message = ..., interrupted = ...)` (the R layer
/// turns the latter into an ordinary error, or an interrupt). The default panic hook is
/// silenced meanwhile, so nothing like "thread panicked" reaches stderr.
pub fn guarded<F: FnOnce() -> std::result::Result<Robj, Failure>>(f: F) -> Robj {
    let reporting = PROGRESS.with(|p| p.borrow().is_some());
    let previous = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let outcome = core::protocol::run(Some(interrupted), reporting.then_some(tell_progress), f);
    panic::set_hook(previous);
    match outcome {
        Ok(value) => named(&["ok", "value"], vec![true.into(), value]),
        Err(f) => named(
            &["ok", "message", "interrupted"],
            vec![false.into(), f.message(ROW_BASE).into(), f.is_interrupt().into()],
        ),
    }
}

fn with_args<T>(
    args: Robj,
    f: impl FnOnce(&Args) -> core::Result<T>,
) -> std::result::Result<T, Failure> {
    let held = read("args", args)?;
    Ok(f(&held.args(ROW_BASE, &|x| x.as_real_slice())?)?)
}

/// A fit kept for later operations.
pub struct Fit(Box<dyn core::api::Fitted>);

fn fit_of(ptr: &Robj) -> std::result::Result<&Fit, String> {
    let gone = || "the fit is no longer in memory (saved and reloaded?): refit it".to_string();
    let p: &ExternalPtr<Fit> = ptr.try_into().map_err(|_| gone())?;
    p.try_addr().map_err(|_| gone())
}

/// Run the core method `method` on the named list `args`:
/// `list(ok, value = list(value, fit))` with `fit` an external pointer or NULL.
/// @noRd
#[extendr]
fn hrr_call_(method: &str, args: Robj) -> Robj {
    guarded(|| {
        let out = with_args(args, |a| core::api::call(method, a))?;
        let fit: Robj = match out.fit {
            Some(f) => ExternalPtr::new(Fit(f)).into(),
            None => ().into(),
        };
        Ok(named(&["value", "fit"], vec![to_r(out.value), fit]))
    })
}

/// Run the operation `method` of a fit made by `hrr_call_`.
/// @noRd
#[extendr]
fn hrr_fit_call_(fit: Robj, method: &str, args: Robj) -> Robj {
    guarded(|| {
        let f = fit_of(&fit)?;
        let v = with_args(args, |a| core::api::call_fit(f.0.as_ref(), method, a))?;
        Ok(to_r(v))
    })
}

/// Whether `fit` still holds a fit (false after saveRDS()/readRDS()).
/// @noRd
#[extendr]
fn hrr_fit_alive_(fit: Robj) -> bool {
    fit_of(&fit).is_ok()
}

/// The names of every method `hrr_call_` accepts.
/// @noRd
#[extendr]
fn hrr_methods_() -> Vec<String> {
    core::api::method_names().into_iter().map(String::from).collect()
}

extendr_module! {
    mod protocol;
    fn hrr_set_progress_;
    fn hrr_call_;
    fn hrr_fit_call_;
    fn hrr_fit_alive_;
    fn hrr_methods_;
}
