//! The result protocol: how every method's arguments come in and its numbers go out.
//!
//! A binding converts its language's values to [`Args`] once (a named list of
//! borrowed columns, codes, scalars, strings and nested records), calls
//! [`crate::api::call`] with a method name, and converts the returned [`Value`] (tables
//! of equal-length columns, scalars, matrices, nested records) back once. No binding
//! knows any method's fields: adding a method touches the core and one thin file per
//! host language.
//!
//! Conventions the converters apply, once per language:
//! - [`Value::Index`] holds 0-based positions (rows, strata, groups): R adds 1.
//! - [`Value::Factor`] holds 0-based codes into its levels: an R factor, a pandas
//!   Categorical.
//! - [`Value::Table`] columns all have the same length: an R data.frame, a pandas
//!   DataFrame (or a dict of numpy arrays).
//! - [`Value::Matrix`] is column-major with optional dimnames.

use std::borrow::Cow;

use crate::error::{Error, Result};

/// A number, a column, a table or a record of them: what a method returns.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Num(f64),
    Str(String),
    Nums(Vec<f64>),
    Ints(Vec<i64>),
    Bools(Vec<bool>),
    Strs(Vec<String>),
    /// 0-based positions (rows, strata, groups); R counts from 1.
    Index(Vec<usize>),
    /// 0-based codes into `levels`.
    Factor { codes: Vec<u32>, levels: Vec<String> },
    Matrix(Matrix),
    Table(Table),
    Record(Record),
    List(Vec<Value>),
}

/// A column-major matrix with optional row and column names.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Matrix {
    pub nrow: usize,
    pub ncol: usize,
    pub data: Vec<f64>,
    pub row_names: Option<Vec<String>>,
    pub col_names: Option<Vec<String>>,
}

impl Matrix {
    /// A square matrix from row-major data (as nalgebra/our fits store it) with the same
    /// names on both margins.
    pub fn square(data_row_major: &[f64], names: &[String]) -> Matrix {
        let mut m = Matrix::square_unnamed(data_row_major, names.len());
        m.row_names = Some(names.to_vec());
        m.col_names = Some(names.to_vec());
        m
    }
    /// A square `p x p` matrix from row-major data, without names.
    pub fn square_unnamed(data_row_major: &[f64], p: usize) -> Matrix {
        debug_assert_eq!(data_row_major.len(), p * p);
        let mut data = vec![0.0; p * p];
        for i in 0..p {
            for j in 0..p {
                data[j * p + i] = data_row_major[i * p + j];
            }
        }
        Matrix {
            nrow: p,
            ncol: p,
            data,
            row_names: None,
            col_names: None,
        }
    }
    /// Columns given one by one (each of length `nrow`).
    pub fn from_columns(columns: &[Vec<f64>], col_names: Option<Vec<String>>) -> Matrix {
        let nrow = columns.first().map_or(0, |c| c.len());
        Matrix {
            nrow,
            ncol: columns.len(),
            data: columns.concat(),
            row_names: None,
            col_names,
        }
    }
}

/// Named fields in a fixed order (an R named list, a Python dict).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Record {
    pub fields: Vec<(String, Value)>,
}

impl Record {
    pub fn new() -> Record {
        Record::default()
    }
    /// Append a field (builder style).
    pub fn with(mut self, name: &str, value: impl Into<Value>) -> Record {
        self.fields.push((name.to_string(), value.into()));
        self
    }
    pub fn push(&mut self, name: &str, value: impl Into<Value>) {
        self.fields.push((name.to_string(), value.into()));
    }
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }
}

/// Equal-length named columns (a data frame).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub columns: Vec<(String, Value)>,
}

impl Table {
    pub fn new() -> Table {
        Table::default()
    }
    /// Append a column (builder style). Panics in debug builds on a length mismatch.
    pub fn with(mut self, name: &str, column: impl Into<Value>) -> Table {
        self.push(name, column);
        self
    }
    pub fn push(&mut self, name: &str, column: impl Into<Value>) {
        let column = column.into();
        debug_assert!(
            self.columns.is_empty() || column.len() == Some(self.nrow()),
            "column {name} has length {:?}, table has {}",
            column.len(),
            self.nrow()
        );
        self.columns.push((name.to_string(), column));
    }
    pub fn nrow(&self) -> usize {
        self.columns.first().and_then(|(_, c)| c.len()).unwrap_or(0)
    }
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.columns.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }
    /// Rows `rows` of every column, in that order.
    pub fn take(&self, rows: &[usize]) -> Table {
        Table {
            columns: self
                .columns
                .iter()
                .map(|(n, c)| (n.clone(), c.take(rows)))
                .collect(),
        }
    }
}

impl Value {
    /// Length of a column value (None for scalars and containers).
    pub fn len(&self) -> Option<usize> {
        Some(match self {
            Value::Nums(v) => v.len(),
            Value::Ints(v) => v.len(),
            Value::Bools(v) => v.len(),
            Value::Strs(v) => v.len(),
            Value::Index(v) => v.len(),
            Value::Factor { codes, .. } => codes.len(),
            _ => return None,
        })
    }
    /// Elements `rows` of a column value (other values are returned as they are).
    pub fn take(&self, rows: &[usize]) -> Value {
        fn pick<T: Clone>(v: &[T], rows: &[usize]) -> Vec<T> {
            rows.iter().map(|&r| v[r].clone()).collect()
        }
        match self {
            Value::Nums(v) => Value::Nums(pick(v, rows)),
            Value::Ints(v) => Value::Ints(pick(v, rows)),
            Value::Bools(v) => Value::Bools(pick(v, rows)),
            Value::Strs(v) => Value::Strs(pick(v, rows)),
            Value::Index(v) => Value::Index(pick(v, rows)),
            Value::Factor { codes, levels } => Value::Factor {
                codes: pick(codes, rows),
                levels: levels.clone(),
            },
            other => other.clone(),
        }
    }
}

macro_rules! value_from {
    ($($t:ty => $v:ident $(as $c:ty)?),* $(,)?) => {$(
        impl From<$t> for Value {
            fn from(x: $t) -> Value {
                Value::$v(x $(as $c)?)
            }
        }
    )*};
}
value_from!(bool => Bool, i64 => Int, f64 => Num, String => Str, Vec<f64> => Nums,
    Vec<i64> => Ints, Vec<bool> => Bools, Vec<String> => Strs, Vec<usize> => Index,
    Matrix => Matrix, Table => Table, Record => Record, Vec<Value> => List,
    usize => Int as i64, u32 => Int as i64, i32 => Int as i64);

impl From<&str> for Value {
    fn from(x: &str) -> Value {
        Value::Str(x.to_string())
    }
}
impl From<&[f64]> for Value {
    fn from(x: &[f64]) -> Value {
        Value::Nums(x.to_vec())
    }
}
impl From<&Vec<f64>> for Value {
    fn from(x: &Vec<f64>) -> Value {
        Value::Nums(x.clone())
    }
}
impl From<&[String]> for Value {
    fn from(x: &[String]) -> Value {
        Value::Strs(x.to_vec())
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(x: Option<T>) -> Value {
        x.map_or(Value::Null, Into::into)
    }
}
/// Counts stored as f64 (weighted) or usize in the fits: usize columns become Ints.
pub fn ints(x: &[usize]) -> Value {
    Value::Ints(x.iter().map(|&v| v as i64).collect())
}

// ---- arguments ------------------------------------------------------------------------

/// One argument as the binding passed it.
#[derive(Debug, Clone)]
pub enum Arg<'a> {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Strs(Vec<String>),
    /// A numeric column: borrowed from the host's memory where it is contiguous f64.
    Nums(Cow<'a, [f64]>),
    /// 0-based codes of a grouping variable with its number of levels (and labels, if
    /// the host passed them).
    Codes {
        codes: Cow<'a, [u32]>,
        levels: Vec<String>,
    },
    /// Named arguments (a dict / named list): also how several columns (covariates)
    /// arrive.
    Record(Args<'a>),
    List(Vec<Arg<'a>>),
}

/// Named arguments of one call.
#[derive(Debug, Clone, Default)]
pub struct Args<'a> {
    pub items: Vec<(String, Arg<'a>)>,
}

fn kind(a: &Arg) -> &'static str {
    match a {
        Arg::Null => "NULL/None",
        Arg::Bool(_) => "a logical",
        Arg::Num(_) => "a number",
        Arg::Str(_) => "a string",
        Arg::Strs(_) => "strings",
        Arg::Nums(_) => "a numeric vector",
        Arg::Codes { .. } => "a factor",
        Arg::Record(_) => "a named list",
        Arg::List(_) => "a list",
    }
}

fn wrong(arg: &'static str, want: &str, got: &Arg) -> Error {
    Error::InvalidArgument {
        arg,
        reason: format!("must be {want}, got {}", kind(got)),
    }
}

impl<'a> Args<'a> {
    pub fn new() -> Args<'a> {
        Args::default()
    }
    pub fn with(mut self, name: &str, arg: Arg<'a>) -> Args<'a> {
        self.items.push((name.to_string(), arg));
        self
    }
    /// The argument, `None` when absent or NULL/None.
    pub fn get(&self, name: &str) -> Option<&Arg<'a>> {
        self.items
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, a)| a)
            .filter(|a| !matches!(a, Arg::Null))
    }
    fn required(&self, name: &'static str) -> Result<&Arg<'a>> {
        self.get(name).ok_or_else(|| Error::InvalidArgument {
            arg: name,
            reason: "is required".into(),
        })
    }
    /// A numeric column (a single number is a column of length one).
    pub fn nums(&self, name: &'static str) -> Result<&[f64]> {
        match self.required(name)? {
            Arg::Nums(v) => Ok(v),
            Arg::Num(x) => Ok(std::slice::from_ref(x)),
            other => Err(wrong(name, "a numeric vector", other)),
        }
    }
    pub fn opt_nums(&self, name: &'static str) -> Result<Option<&[f64]>> {
        if self.get(name).is_none() {
            return Ok(None);
        }
        self.nums(name).map(Some)
    }
    /// Codes `0..n_levels` of a grouping argument and the number of levels.
    pub fn codes(&self, name: &'static str) -> Result<(&[u32], usize)> {
        match self.required(name)? {
            Arg::Codes { codes, levels } => Ok((codes, levels.len())),
            other => Err(wrong(name, "a grouping variable (codes)", other)),
        }
    }
    pub fn opt_codes(&self, name: &'static str) -> Result<Option<(&[u32], usize)>> {
        if self.get(name).is_none() {
            return Ok(None);
        }
        self.codes(name).map(Some)
    }
    /// The level labels of a grouping argument (empty when absent).
    pub fn levels(&self, name: &'static str) -> Vec<String> {
        match self.get(name) {
            Some(Arg::Codes { levels, .. }) => levels.clone(),
            _ => Vec::new(),
        }
    }
    pub fn num(&self, name: &'static str) -> Result<f64> {
        match self.required(name)? {
            Arg::Num(x) => Ok(*x),
            Arg::Nums(v) if v.len() == 1 => Ok(v[0]),
            Arg::Bool(b) => Ok(*b as u8 as f64),
            other => Err(wrong(name, "a single number", other)),
        }
    }
    pub fn num_or(&self, name: &'static str, default: f64) -> Result<f64> {
        if self.get(name).is_none() {
            return Ok(default);
        }
        self.num(name)
    }
    pub fn opt_num(&self, name: &'static str) -> Result<Option<f64>> {
        if self.get(name).is_none() {
            return Ok(None);
        }
        self.num(name).map(Some)
    }
    /// A whole number >= `min`.
    pub fn count_or(&self, name: &'static str, default: usize, min: usize) -> Result<usize> {
        let x = self.num_or(name, default as f64)?;
        if !(x.is_finite() && x == x.floor() && x >= min as f64) {
            return Err(Error::InvalidArgument {
                arg: name,
                reason: format!("must be a whole number >= {min}, got {x}"),
            });
        }
        Ok(x as usize)
    }
    pub fn flag_or(&self, name: &'static str, default: bool) -> Result<bool> {
        match self.get(name) {
            None => Ok(default),
            Some(Arg::Bool(b)) => Ok(*b),
            Some(Arg::Num(x)) if *x == 0.0 || *x == 1.0 => Ok(*x == 1.0),
            Some(other) => Err(wrong(name, "TRUE/FALSE (True/False)", other)),
        }
    }
    pub fn str(&self, name: &'static str) -> Result<&str> {
        match self.required(name)? {
            Arg::Str(s) => Ok(s),
            Arg::Strs(v) if v.len() == 1 => Ok(&v[0]),
            other => Err(wrong(name, "a single string", other)),
        }
    }
    pub fn str_or<'s>(&'s self, name: &'static str, default: &'s str) -> Result<&'s str> {
        if self.get(name).is_none() {
            return Ok(default);
        }
        self.str(name)
    }
    pub fn strs(&self, name: &'static str) -> Result<Vec<String>> {
        match self.required(name)? {
            Arg::Str(s) => Ok(vec![s.clone()]),
            Arg::Strs(v) => Ok(v.clone()),
            other => Err(wrong(name, "strings", other)),
        }
    }
    /// An option string parsed by its enum's parser (one parser per option, in the core).
    pub fn option<T: crate::options::OptionEnum>(&self, name: &'static str) -> Result<T> {
        match self.get(name) {
            None => Ok(T::default()),
            Some(_) => T::parse_arg(name, self.str(name)?),
        }
    }
    /// Several numeric columns with their names (covariates): a record of columns.
    pub fn columns(&self, name: &'static str) -> Result<(Vec<&[f64]>, Vec<String>)> {
        match self.required(name)? {
            Arg::Record(r) => {
                let mut cols = Vec::with_capacity(r.items.len());
                let mut names = Vec::with_capacity(r.items.len());
                for (n, a) in &r.items {
                    match a {
                        Arg::Nums(v) => cols.push(&v[..]),
                        Arg::Num(x) => cols.push(std::slice::from_ref(x)),
                        other => {
                            return Err(Error::InvalidArgument {
                                arg: name,
                                reason: format!("column `{n}` must be numeric, got {}", kind(other)),
                            })
                        }
                    }
                    names.push(n.clone());
                }
                Ok((cols, names))
            }
            other => Err(wrong(name, "named numeric columns", other)),
        }
    }
    pub fn record(&self, name: &'static str) -> Result<Option<&Args<'a>>> {
        match self.get(name) {
            None => Ok(None),
            Some(Arg::Record(r)) => Ok(Some(r)),
            Some(other) => Err(wrong(name, "a named list", other)),
        }
    }
}

/// An argument tree as a binding reads it from its language, before the core borrows
/// from it: `C` is the host's numeric column (a numpy array, an R double vector), kept
/// alive while the call runs. Each binding only converts leaf values into it;
/// [`Held::args`] walks the tree once for both.
#[derive(Debug, Clone)]
pub enum Held<C> {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Strs(Vec<String>),
    /// A numeric column in the host's memory (borrowed through `slice` of `args`).
    Column(C),
    /// A numeric column the binding converted (e.g. R integers and logicals).
    Owned(Vec<f64>),
    /// 0-based codes of a grouping variable and its level labels.
    Codes(Vec<u32>, Vec<String>),
    /// A grouping variable as a host column of 0-based codes (NaN or negative: missing)
    /// and its level labels, checked by [`level_codes`].
    Group(C, Vec<String>),
    Record(Vec<(String, Held<C>)>),
    List(Vec<Held<C>>),
}

impl<C> Held<C> {
    /// The arguments of a call (the tree must be a record), borrowing every host column
    /// through `slice` (None: an error naming the argument). The argument `rows` (the
    /// rows of the user's data kept after dropping missing values) is counted from
    /// `row_base` in the host (0 in Python, 1 in R) and from 0 in the core.
    pub fn args<'s>(
        &'s self,
        row_base: usize,
        slice: &impl Fn(&'s C) -> Option<&'s [f64]>,
    ) -> std::result::Result<Args<'s>, String> {
        let Arg::Record(mut a) = self.arg("args", row_base, slice)? else {
            return Err("arguments must be a named list".into());
        };
        if let Some((_, Arg::Nums(rows))) = a.items.iter_mut().find(|(n, _)| n == "rows") {
            *rows = rows.iter().map(|&r| r - row_base as f64).collect();
        }
        Ok(a)
    }

    fn arg<'s>(
        &'s self,
        name: &str,
        row_base: usize,
        slice: &impl Fn(&'s C) -> Option<&'s [f64]>,
    ) -> std::result::Result<Arg<'s>, String> {
        let column = |c| slice(c).ok_or_else(|| format!("argument `{name}`: must be contiguous"));
        Ok(match self {
            Held::Null => Arg::Null,
            Held::Bool(b) => Arg::Bool(*b),
            Held::Num(x) => Arg::Num(*x),
            Held::Str(s) => Arg::Str(s.clone()),
            Held::Strs(s) => Arg::Strs(s.clone()),
            Held::Column(c) => Arg::Nums(Cow::Borrowed(column(c)?)),
            Held::Owned(v) => Arg::Nums(Cow::Borrowed(v)),
            Held::Codes(c, levels) => Arg::Codes {
                codes: Cow::Borrowed(c),
                levels: levels.clone(),
            },
            Held::Group(c, levels) => {
                let codes = level_codes(name, column(c)?.iter().copied(), levels.len(), row_base)?;
                Arg::Codes {
                    codes: codes.into(),
                    levels: levels.clone(),
                }
            }
            Held::Record(items) => Arg::Record(Args {
                items: items
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), v.arg(k, row_base, slice)?)))
                    .collect::<std::result::Result<_, String>>()?,
            }),
            Held::List(v) => Arg::List(
                v.iter()
                    .map(|x| x.arg(name, row_base, slice))
                    .collect::<std::result::Result<_, _>>()?,
            ),
        })
    }
}

// ---- what both bindings do around a call ----------------------------------------------

/// Why a binding's call failed: the core's error, the binding's own message (an
/// argument it cannot convert), or a panic (a bug in hrrstats).
#[derive(Debug)]
pub enum Failure {
    Error(Error),
    Host(String),
    Panic(String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure::Error(e)
    }
}

impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure::Host(message)
    }
}

impl Failure {
    /// The message users see, rows counted from `row_base` (0 in Python, 1 in R).
    pub fn message(&self, row_base: usize) -> String {
        match self {
            Failure::Error(e) => e.message(row_base),
            Failure::Host(m) => m.clone(),
            Failure::Panic(what) => {
                format!("internal error in hrrstats (please report it): {what}")
            }
        }
    }
    /// Whether the user interrupted the call (Ctrl-C / Esc).
    pub fn is_interrupt(&self) -> bool {
        matches!(self, Failure::Error(e) if e.is_interrupt())
    }
}

/// Run a binding's call `f`: long loops poll `interrupt` for Ctrl-C and report their
/// progress to `progress` (called with NaN when a call that reported fails, so that the
/// host closes its display); a panic is caught and returned as [`Failure::Panic`],
/// never crossing into the host language.
pub fn run<T>(
    interrupt: Option<crate::interrupt::Hook>,
    progress: Option<crate::progress::Hook>,
    f: impl FnOnce() -> std::result::Result<T, Failure>,
) -> std::result::Result<T, Failure> {
    if let Some(hook) = interrupt {
        crate::interrupt::install(hook);
    }
    if let Some(hook) = progress {
        crate::progress::install(hook);
    }
    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|p| {
        let what = p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown cause".to_string());
        Err(Failure::Panic(what))
    });
    if let Some(hook) = progress {
        if crate::progress::finish(out.is_ok()) && out.is_err() {
            hook(f64::NAN);
        }
    }
    out
}

/// The 0-based codes of a grouping variable as a host passes them (NaN or a negative
/// value: missing), each checked against the variable's `k` levels; the message names
/// the argument `name` and the row (counted from `row_base`).
pub fn level_codes(
    name: &str,
    codes: impl Iterator<Item = f64>,
    k: usize,
    row_base: usize,
) -> std::result::Result<Vec<u32>, String> {
    codes
        .enumerate()
        .map(|(row, v)| {
            let row = row + row_base;
            if v.is_nan() || v < 0.0 {
                Err(format!("argument `{name}`: missing value at row {row}"))
            } else if v != v.floor() || v >= k as f64 {
                let last = k.saturating_sub(1);
                Err(format!("argument `{name}`: code {v} is not one of 0..{last} at row {row}"))
            } else {
                Ok(v as u32)
            }
        })
        .collect()
}

/// Several grouping variables (each its codes and level labels) crossed into one, as
/// survival's `strata(a, b)` and survfit's labels: the combinations present, ordered by
/// the variables' levels with the first varying slowest, labelled "level, level" or,
/// with `names`, "name=level, name=level". Returns the codes and the labels.
pub fn cross_factors(
    factors: &[(&[u32], &[String])],
    names: Option<&[String]>,
) -> (Vec<u32>, Vec<String>) {
    let label = |j: usize, level: &str| match names {
        Some(n) => format!("{}={level}", n[j]),
        None => level.to_string(),
    };
    let Some(&(first, first_levels)) = factors.first() else {
        return (Vec::new(), Vec::new());
    };
    let mut codes = first.to_vec();
    let mut labels: Vec<String> = first_levels.iter().map(|l| label(0, l)).collect();
    // crossed one variable at a time: the codes so far (< n) times the next variable's
    // levels (< 2^32) fit in a u64, and sorted keys keep the levels' order
    for (j, &(next, levels)) in factors.iter().enumerate().skip(1) {
        let k = levels.len() as u64;
        let keys: Vec<u64> =
            codes.iter().zip(next).map(|(&a, &b)| a as u64 * k + b as u64).collect();
        let (crossed, used) = crate::data::factorize(&keys);
        labels = used
            .iter()
            .map(|&key| {
                let level = label(j, &levels[(key % k) as usize]);
                format!("{}, {level}", labels[(key / k) as usize])
            })
            .collect();
        codes = crossed;
    }
    (codes, labels)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn crossing_orders_by_levels_first_slowest_and_keeps_used_combinations() {
        let (a, la) = (vec![1, 0, 1, 0, 1], strings(&["m", "f"]));
        let (b, lb) = (vec![2, 2, 0, 2, 0], strings(&["x", "y", "z"]));
        let names = strings(&["sex", "grp"]);
        let (codes, labels) = cross_factors(&[(&a, &la), (&b, &lb)], Some(&names));
        // used combinations (m,z), (f,x), (f,z) in level order
        assert_eq!(labels, strings(&["sex=m, grp=z", "sex=f, grp=x", "sex=f, grp=z"]));
        assert_eq!(codes, vec![2, 0, 1, 0, 1]);
        let (codes, labels) = cross_factors(&[(&a, &la), (&b, &lb), (&a, &la)], None);
        assert_eq!(labels, strings(&["m, z, m", "f, x, f", "f, z, f"]));
        assert_eq!(codes, vec![2, 0, 1, 0, 1]);
        // one variable: its own levels, named
        let (codes, labels) = cross_factors(&[(&a, &la)], Some(&names[..1]));
        assert_eq!((codes, labels), (a.clone(), strings(&["sex=m", "sex=f"])));
    }

    #[test]
    fn level_codes_name_the_missing_or_bad_row() {
        let ok = level_codes("g", [0.0, 2.0, 1.0].into_iter(), 3, 0);
        assert_eq!(ok, Ok(vec![0, 2, 1]));
        let e = level_codes("g", [0.0, f64::NAN].into_iter(), 3, 1).unwrap_err();
        assert_eq!(e, "argument `g`: missing value at row 2");
        let e = level_codes("g", [0.0, -1.0].into_iter(), 3, 0).unwrap_err();
        assert_eq!(e, "argument `g`: missing value at row 1");
        let e = level_codes("g", [3.0].into_iter(), 3, 0).unwrap_err();
        assert_eq!(e, "argument `g`: code 3 is not one of 0..2 at row 0");
    }

    #[test]
    fn held_trees_become_args_borrowing_the_host_columns() {
        fn whole(c: &Vec<f64>) -> Option<&[f64]> {
            Some(c)
        }
        fn none(_: &Vec<f64>) -> Option<&[f64]> {
            None
        }
        let tree = Held::Record(vec![
            ("x".into(), Held::Column(vec![1.0, 2.0])),
            ("g".into(), Held::Codes(vec![1, 0], strings(&["a", "b"]))),
            ("l".into(), Held::List(vec![Held::Num(3.0), Held::Owned(vec![4.0])])),
        ]);
        let args = tree.args(0, &whole).unwrap();
        assert!(matches!(args.get("x"), Some(Arg::Nums(Cow::Borrowed([1.0, 2.0])))));
        assert_eq!(args.codes("g").unwrap(), (&[1u32, 0][..], 2));
        assert!(matches!(args.get("l"), Some(Arg::List(v)) if v.len() == 2));
        assert_eq!(tree.args(0, &none).unwrap_err(), "argument `x`: must be contiguous");
        // a host's codes checked against the levels, the row counted from the host's base
        let group = |codes| Held::Record(vec![("g".into(), Held::Group(codes, strings(&["a"])))]);
        let args = group(vec![0.0, 0.0]);
        assert_eq!(args.args(0, &whole).unwrap().codes("g").unwrap(), (&[0u32, 0][..], 1));
        let e = group(vec![0.0, f64::NAN]).args(1, &whole).unwrap_err();
        assert_eq!(e, "argument `g`: missing value at row 2");
        let e = group(vec![1.0]).args(0, &whole).unwrap_err();
        assert_eq!(e, "argument `g`: code 1 is not one of 0..0 at row 0");
        let inner = Held::Record(vec![("inner".into(), Held::Column(vec![1.0]))]);
        let nested = Held::Record(vec![("r".into(), inner)]);
        assert_eq!(nested.args(0, &none).unwrap_err(), "argument `inner`: must be contiguous");
        let e = Held::<Vec<f64>>::List(vec![]).args(0, &whole).unwrap_err();
        assert_eq!(e, "arguments must be a named list");
        // `rows` re-based from the host's count, once, at the top level only
        let inner = Held::Record(vec![("rows".into(), Held::Owned(vec![1.0]))]);
        let tree = Held::Record(vec![
            ("rows".into(), Held::Column(vec![1.0, 3.0])),
            ("r".into(), inner),
        ]);
        let args = tree.args(1, &whole).unwrap();
        assert_eq!(args.nums("rows").unwrap(), &[0.0, 2.0]);
        assert_eq!(args.record("r").unwrap().unwrap().nums("rows").unwrap(), &[1.0]);
        assert_eq!(tree.args(0, &whole).unwrap().nums("rows").unwrap(), &[1.0, 3.0]);
    }

    #[test]
    fn run_turns_a_panic_into_a_failure() {
        let out: std::result::Result<(), Failure> = run(None, None, || panic!("boom"));
        let f = out.unwrap_err();
        assert_eq!(f.message(0), "internal error in hrrstats (please report it): boom");
        assert!(!f.is_interrupt());
        let out = run(None, None, || Err::<(), _>(Failure::from(Error::Interrupted)));
        assert!(out.unwrap_err().is_interrupt());
    }
}
