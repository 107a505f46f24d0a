//! Option strings (`ties`, `conf_type`, `method`, `kind`, ...) parsed once, here.
//!
//! Every option enum implements [`OptionEnum`]: its accepted spellings (aliases after
//! the canonical one) and one error for an unknown value, naming the argument and
//! listing the accepted values. Python and R pass the user's string through unchanged,
//! so the same spelling is accepted, and the same error raised, in every language.

use crate::error::{Error, Result};

/// An option with a fixed set of spellings.
pub trait OptionEnum: Sized + Copy + PartialEq + Default + 'static {
    /// The argument's name in the public API (used in errors).
    const ARG: &'static str;
    /// Accepted spellings and their values; the first spelling of a value is its name.
    fn choices() -> &'static [(&'static str, Self)];

    /// Parse `s` for the argument `arg` (the same option may be called differently by
    /// different methods).
    fn parse_arg(arg: &'static str, s: &str) -> Result<Self> {
        Self::choices()
            .iter()
            .find(|(name, _)| *name == s)
            .map(|&(_, v)| v)
            .ok_or_else(|| unknown(arg, s, &Self::names()))
    }
    /// Parse `s` for the option's own argument name.
    fn parse(s: &str) -> Result<Self> {
        Self::parse_arg(Self::ARG, s)
    }
    /// The canonical spelling.
    fn name(self) -> &'static str {
        Self::choices()
            .iter()
            .find(|(_, v)| *v == self)
            .map(|(n, _)| *n)
            .expect("every value has a spelling")
    }
    /// The canonical spellings, one per value.
    fn names() -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        let mut seen: Vec<Self> = Vec::new();
        for &(n, v) in Self::choices() {
            if !seen.contains(&v) {
                seen.push(v);
                out.push(n);
            }
        }
        out
    }
}

/// The one error for an unknown option value.
pub fn unknown(arg: &'static str, got: &str, accepted: &[&str]) -> Error {
    let list: Vec<String> = accepted.iter().map(|a| format!("\"{a}\"")).collect();
    Error::InvalidArgument {
        arg,
        reason: format!("unknown value \"{got}\"; accepted: {}", list.join(", ")),
    }
}

/// Implement [`OptionEnum`] for an enum: `options!(Ties, "ties", "efron" => Efron, ...)`.
#[macro_export]
macro_rules! option_enum {
    ($t:ty, $arg:literal, $($name:literal => $v:expr),+ $(,)?) => {
        impl $crate::options::OptionEnum for $t {
            const ARG: &'static str = $arg;
            fn choices() -> &'static [(&'static str, Self)] {
                &[$(($name, $v)),+]
            }
        }
    };
}

/// Missing values: fail (an error naming the first one) or drop the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NaAction {
    #[default]
    Fail,
    Drop,
}
option_enum!(NaAction, "na_action", "fail" => NaAction::Fail, "drop" => NaAction::Drop);
