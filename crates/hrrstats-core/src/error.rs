//! The one error type of hrrstats.
//!
//! Every variant names the argument it concerns and, where a single row is at fault,
//! the row. Rows are stored 0-based; [`Error::message`] renders them in the base the
//! caller's language uses (0 for Rust and Python, 1 for R).

/// All errors raised by hrrstats.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// A value in a column is not allowed (NaN, negative time, unknown code, ...).
    #[error("{}", self.message(0))]
    InvalidValue {
        arg: &'static str,
        row: usize,
        value: f64,
        problem: &'static str,
    },
    /// A value in one column of a matrix argument is not allowed.
    #[error("{}", self.message(0))]
    InvalidCell {
        arg: &'static str,
        column: String,
        row: usize,
        value: f64,
        problem: &'static str,
    },
    /// Two columns that must describe the same rows have different lengths.
    #[error("{}", self.message(0))]
    LengthMismatch {
        arg: &'static str,
        len: usize,
        expected_arg: &'static str,
        expected: usize,
    },
    /// A column has no rows.
    #[error("{}", self.message(0))]
    Empty { arg: &'static str },
    /// A scalar argument or option is out of range or inconsistent.
    #[error("{}", self.message(0))]
    InvalidArgument { arg: &'static str, reason: String },
    /// The data do not allow the computation (e.g. a stratum with a single row).
    #[error("{}", self.message(0))]
    Data { arg: &'static str, reason: String },
    /// The user asked to stop (Ctrl-C; see [`crate::interrupt`]). Names no argument.
    #[error("{}", self.message(0))]
    Interrupted,
    /// An error about arguments the caller knows under other names (Python's `event` is
    /// the core's `status`): every backticked name in `labels` (core, caller) is shown
    /// as the caller's.
    #[error("{}", self.message(0))]
    Relabelled {
        inner: Box<Error>,
        labels: Vec<(String, String)>,
    },
    /// A label (or a missing value: `label` None) that is not a level of a rate table's
    /// factor dimension: in argument `arg` (e.g. `sex`), or in its `column` (a column of
    /// `data` named as the dimension).
    #[error("{}", self.message(0))]
    UnknownLevel {
        arg: &'static str,
        column: Option<String>,
        row: usize,
        label: Option<String>,
        levels: Vec<String>,
    },
}

/// " (value v)" for a value worth showing; nothing for NaN (the problem says it).
fn shown(value: f64) -> String {
    if value.is_nan() {
        String::new()
    } else {
        format!(" (value {value})")
    }
}

/// Result alias used throughout the crate.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// A covariate whose values overflow the fit's arithmetic (Cox, GLM, Fine–Gray):
    /// named, with its largest magnitude, instead of NaN coefficients.
    pub(crate) fn covariate_too_large(name: &str, values: &[f64]) -> Error {
        let big = values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        Error::Data {
            arg: "covariates",
            reason: format!(
                "covariate `{name}`: values too large to fit (|x| up to {big:e}); rescale it"
            ),
        }
    }

    /// The message with rows counted from `row_base` (0 in Rust/Python, 1 in R).
    pub fn message(&self, row_base: usize) -> String {
        match self {
            Error::InvalidValue {
                arg,
                row,
                value,
                problem,
            } => {
                format!(
                    "argument `{arg}`: {problem}{} at row {}",
                    shown(*value),
                    row + row_base
                )
            }
            Error::InvalidCell {
                arg,
                column,
                row,
                value,
                problem,
            } => format!(
                "argument `{arg}`, column `{column}`: {problem}{} at row {}",
                shown(*value),
                row + row_base
            ),
            Error::LengthMismatch {
                arg,
                len,
                expected_arg,
                expected,
            } => format!(
                "argument `{arg}` has length {len} but `{expected_arg}` has length {expected}"
            ),
            Error::Empty { arg } => format!("argument `{arg}` is empty: no rows to analyse"),
            Error::InvalidArgument { arg, reason } => format!("argument `{arg}`: {reason}"),
            Error::Data { arg, reason } => format!("argument `{arg}`: {reason}"),
            Error::Interrupted => "interrupted by the user".to_string(),
            Error::Relabelled { inner, labels } => {
                let mut m = inner.message(row_base);
                for (core, caller) in labels {
                    m = m.replace(&format!("`{core}`"), &format!("`{caller}`"));
                }
                m
            }
            Error::UnknownLevel { arg, column, row, label, levels } => {
                let (who, what) = match column {
                    None => (format!("argument `{arg}`"), arg.to_string()),
                    Some(c) => (format!("column `{c}` of `{arg}`"), format!("level of `{c}`")),
                };
                match label {
                    None => format!("{who}: missing value (NA) at row {}", row + row_base),
                    Some(l) => format!(
                        "{who}: value \"{l}\" at row {} is not a {what} of the rate table ({})",
                        row + row_base,
                        levels.join(", ")
                    ),
                }
            }
        }
    }

    /// The same error with the arguments named as the caller names them (`labels`:
    /// (core name, caller's name) pairs); unchanged when none applies.
    pub fn relabel(self, labels: &[(String, String)]) -> Error {
        if labels.is_empty() {
            return self;
        }
        Error::Relabelled {
            inner: Box::new(self),
            labels: labels.to_vec(),
        }
    }

    /// The argument this error concerns (as the caller names it).
    pub fn arg(&self) -> &str {
        match self {
            Error::Relabelled { inner, labels } => {
                let a = inner.arg();
                labels.iter().find(|(c, _)| c == a).map_or(a, |(_, u)| u.as_str())
            }
            Error::InvalidValue { arg, .. }
            | Error::InvalidCell { arg, .. }
            | Error::LengthMismatch { arg, .. }
            | Error::Empty { arg }
            | Error::InvalidArgument { arg, .. }
            | Error::Data { arg, .. } => arg,
            Error::Interrupted => "",
            Error::UnknownLevel { arg, .. } => arg,
        }
    }

    /// The same error with its row mapped through `rows` (the 0-based rows of the
    /// user's data that were kept, e.g. after dropping missing values).
    pub fn with_row_map(self, rows: &[f64]) -> Error {
        let map = |row: usize| rows.get(row).map_or(row, |&r| r as usize);
        match self {
            Error::InvalidValue { arg, row, value, problem } => Error::InvalidValue {
                arg,
                row: map(row),
                value,
                problem,
            },
            Error::InvalidCell { arg, column, row, value, problem } => Error::InvalidCell {
                arg,
                column,
                row: map(row),
                value,
                problem,
            },
            Error::Relabelled { inner, labels } => Error::Relabelled {
                inner: Box::new(inner.with_row_map(rows)),
                labels,
            },
            Error::UnknownLevel { arg, column, row, label, levels } => Error::UnknownLevel {
                arg,
                column,
                row: map(row),
                label,
                levels,
            },
            other => other,
        }
    }

    /// Whether this is [`Error::Interrupted`] (the bindings raise their language's
    /// interrupt for it, not an error).
    pub fn is_interrupt(&self) -> bool {
        match self {
            Error::Interrupted => true,
            Error::Relabelled { inner, .. } => inner.is_interrupt(),
            _ => false,
        }
    }

    /// The offending row (0-based), if one row is at fault.
    pub fn row(&self) -> Option<usize> {
        match self {
            Error::InvalidValue { row, .. }
            | Error::InvalidCell { row, .. }
            | Error::UnknownLevel { row, .. } => Some(*row),
            Error::Relabelled { inner, .. } => inner.row(),
            _ => None,
        }
    }
}
