//! Validated inputs. All checks of user data live here, once, so that every method
//! and every binding reports the same problem the same way.

use crate::error::{Error, Result};

/// Check that a column has the expected number of rows.
pub fn check_len(
    arg: &'static str,
    len: usize,
    expected_arg: &'static str,
    expected: usize,
) -> Result<()> {
    if len != expected {
        return Err(Error::LengthMismatch {
            arg,
            len,
            expected_arg,
            expected,
        });
    }
    Ok(())
}

/// The one wording for a value that is missing (NaN) or infinite, whatever the column:
/// "missing value (NaN)" or "value is not finite"; `None` for a finite value.
pub fn non_finite(v: f64) -> Option<&'static str> {
    if v.is_nan() {
        Some("missing value (NaN)")
    } else if v.is_infinite() {
        Some("value is not finite")
    } else {
        None
    }
}

/// Check that every value is finite (NaN and infinities worded as [`non_finite`]).
pub fn check_finite(arg: &'static str, x: &[f64]) -> Result<()> {
    for (row, &v) in x.iter().enumerate() {
        if let Some(problem) = non_finite(v) {
            return Err(Error::InvalidValue {
                arg,
                row,
                value: v,
                problem,
            });
        }
    }
    Ok(())
}

/// Check that every value is finite and non-negative.
pub fn check_nonneg_finite(arg: &'static str, x: &[f64]) -> Result<()> {
    for (row, &v) in x.iter().enumerate() {
        let problem = match non_finite(v) {
            Some(p) => p,
            None if v < 0.0 => "negative value",
            None => continue,
        };
        return Err(Error::InvalidValue {
            arg,
            row,
            value: v,
            problem,
        });
    }
    Ok(())
}

/// Check event indicators: 0 (censored) or 1 (event), one wording for every method (a
/// column coded 1/2 as survival::lung gets a hint).
pub fn check_status(arg: &'static str, status: &[f64]) -> Result<()> {
    for (row, &s) in status.iter().enumerate() {
        if s != 0.0 && s != 1.0 {
            let problem = if s.is_nan() {
                "missing value (NaN)"
            } else if status.iter().all(|&v| v == 1.0 || v == 2.0) {
                "status must be 0 (censored) or 1 (event); these values look coded \
                 1 = censored, 2 = event (as survival::lung): pass status - 1"
            } else {
                "status must be 0 (censored) or 1 (event)"
            };
            return Err(Error::InvalidValue {
                arg,
                row,
                value: s,
                problem,
            });
        }
    }
    Ok(())
}

/// Check integer codes `0..n_levels` (strata, groups).
pub fn check_codes(arg: &'static str, codes: &[u32], n_levels: usize) -> Result<()> {
    if n_levels == 0 {
        return Err(Error::InvalidArgument {
            arg,
            reason: "number of levels must be at least 1".into(),
        });
    }
    for (row, &c) in codes.iter().enumerate() {
        if c as usize >= n_levels {
            return Err(Error::InvalidValue {
                arg,
                row,
                value: c as f64,
                problem: "code is not below the number of levels",
            });
        }
    }
    Ok(())
}

/// The most cells (f64) a method allocates for a table whose size grows with the
/// number of levels of a grouping or the number of grid points (5e7: 400 MB), so that an
/// identifier passed as a group, or a tiny step, is an error instead of an abort.
pub const MAX_CELLS: f64 = 5e7;

/// Refuse, naming `arg`, before allocating `cells` cells; `what` says what they are for.
pub fn check_cells(arg: &'static str, cells: f64, what: impl FnOnce() -> String) -> Result<()> {
    if cells > MAX_CELLS {
        return Err(Error::InvalidArgument {
            arg,
            reason: format!(
                "{} would need {:.2e} numbers ({:.1} GB), more than the {:.0e} allowed",
                what(),
                cells,
                cells * 8.0 / 1e9,
                MAX_CELLS
            ),
        });
    }
    Ok(())
}

/// The most cells (rows x columns) of a model matrix a fit copies: 4e8 numbers (3.2 GB
/// per copy), e.g. 1e6 rows x 400 columns or 1e7 x 40 (registry-sized fits pass). A
/// factor with very many levels (an identifier, a 500-level string column on 1e6 rows)
/// is refused before its dummy columns or the fit's working copy are allocated, instead
/// of exhausting memory.
pub const MAX_DESIGN_CELLS: f64 = 4e8;

/// The most columns a fit's p x p matrices (information, its inverse and the
/// per-stratum sums, a few copies each) may have: 5000 (200 MB per matrix).
pub const MAX_DESIGN_COLUMNS: usize = 5000;

/// Refuse, naming `arg`, a model matrix of `n` rows and `p` columns larger than
/// [`MAX_DESIGN_CELLS`] or wider than [`MAX_DESIGN_COLUMNS`]; `why` (may be empty) says
/// where the columns come from (e.g. "`f` has 500 levels: ").
pub fn check_design(arg: &'static str, n: usize, p: usize, why: &str) -> Result<()> {
    let cells = n as f64 * p as f64;
    if cells > MAX_DESIGN_CELLS || p > MAX_DESIGN_COLUMNS {
        return Err(Error::InvalidArgument {
            arg,
            reason: format!(
                "{why}the design has {p} columns x {n} rows ({:.1} GB), more than the {:.1e} cells and {MAX_DESIGN_COLUMNS} columns allowed (is a column with many levels, e.g. an identifier, used as a factor?)",
                cells * 8.0 / 1e9,
                MAX_DESIGN_CELLS
            ),
        });
    }
    Ok(())
}

/// `len` zeros, allocated fallibly: allocation failure is an error naming `arg` (the
/// design of `n` rows x `p` columns it holds) instead of an abort.
pub fn try_zeros(arg: &'static str, len: usize, n: usize, p: usize) -> Result<Vec<f64>> {
    let mut v: Vec<f64> = Vec::new();
    if v.try_reserve_exact(len).is_err() {
        return Err(Error::InvalidArgument {
            arg,
            reason: format!(
                "the design has {p} columns x {n} rows ({:.1} GB): not enough memory to copy it",
                len as f64 * 8.0 / 1e9
            ),
        });
    }
    v.resize(len, 0.0);
    Ok(v)
}

/// Check the `times` at which a fitted curve is read: every one finite.
pub fn check_times(times: &[f64]) -> Result<()> {
    check_finite("times", times)
}

/// Check a confidence level: strictly between 0 and 1.
pub fn check_conf_level(conf_level: f64) -> Result<()> {
    if !(conf_level > 0.0 && conf_level < 1.0) {
        return Err(Error::InvalidArgument {
            arg: "conf_level",
            reason: format!("must be strictly between 0 and 1, got {conf_level}"),
        });
    }
    Ok(())
}

/// Factorise labels into codes `0..k` in sorted label order, as R's `factor()` does.
///
/// Returns the codes and the sorted distinct labels.
pub fn factorize<T: Ord + Clone>(labels: &[T]) -> (Vec<u32>, Vec<T>) {
    let mut levels: Vec<T> = labels.to_vec();
    levels.sort();
    levels.dedup();
    let codes = labels
        .iter()
        .map(|l| levels.binary_search(l).expect("label is a level") as u32)
        .collect();
    (codes, levels)
}

/// Survival data: exit times, event indicators and the optional entry times (delayed
/// entry / counting-process `(entry, exit]` rows), case weights and strata.
///
/// Constructing it validates everything once:
/// - `exit` (and `entry`) finite and non-negative, `exit > entry` on every row;
/// - `status` 0 or 1 (false/true);
/// - `weights` finite and non-negative;
/// - `strata` codes below the number of strata (methods that need more, such as
///   Kaplan–Meier's two rows per stratum, check it themselves);
/// - all columns the same, non-zero, length.
#[derive(Debug, Clone, Copy)]
pub struct SurvivalData<'a> {
    exit: &'a [f64],
    status: &'a [f64],
    entry: Option<&'a [f64]>,
    weights: Option<&'a [f64]>,
    strata: Option<&'a [u32]>,
    n_strata: usize,
}

impl<'a> SurvivalData<'a> {
    /// Right-censored data: `exit` times and `status` (1 = event, 0 = censored).
    pub fn new(exit: &'a [f64], status: &'a [f64]) -> Result<Self> {
        if exit.is_empty() {
            return Err(Error::Empty { arg: "time" });
        }
        check_len("status", status.len(), "time", exit.len())?;
        check_nonneg_finite("time", exit)?;
        check_status("status", status)?;
        Ok(SurvivalData {
            exit,
            status,
            entry: None,
            weights: None,
            strata: None,
            n_strata: 1,
        })
    }

    /// All parts at once (what the bindings receive): exit, status and the optional
    /// entry times, case weights and strata (codes, number of strata).
    pub fn from_parts(
        exit: &'a [f64],
        status: &'a [f64],
        entry: Option<&'a [f64]>,
        weights: Option<&'a [f64]>,
        strata: Option<(&'a [u32], usize)>,
    ) -> Result<Self> {
        let mut d = SurvivalData::new(exit, status)?;
        if let Some(e) = entry {
            d = d.with_entry(e)?;
        }
        if let Some(w) = weights {
            d = d.with_weights(w)?;
        }
        if let Some((s, k)) = strata {
            d = d.with_strata(s, k)?;
        }
        Ok(d)
    }

    /// Add entry times: each row is at risk on `(entry, exit]`.
    pub fn with_entry(mut self, entry: &'a [f64]) -> Result<Self> {
        check_len("entry", entry.len(), "time", self.exit.len())?;
        check_nonneg_finite("entry", entry)?;
        for (row, (&e, &x)) in entry.iter().zip(self.exit).enumerate() {
            if x <= e {
                return Err(Error::InvalidValue {
                    arg: "entry",
                    row,
                    value: e,
                    problem: "exit time must be greater than entry time",
                });
            }
        }
        self.entry = Some(entry);
        Ok(self)
    }

    /// Add case weights (finite, non-negative).
    pub fn with_weights(mut self, weights: &'a [f64]) -> Result<Self> {
        check_len("weights", weights.len(), "time", self.exit.len())?;
        check_nonneg_finite("weights", weights)?;
        self.weights = Some(weights);
        Ok(self)
    }

    /// Add strata as codes `0..n_strata` (see [`factorize`]).
    pub fn with_strata(mut self, strata: &'a [u32], n_strata: usize) -> Result<Self> {
        check_len("strata", strata.len(), "time", self.exit.len())?;
        check_codes("strata", strata, n_strata)?;
        self.strata = Some(strata);
        self.n_strata = n_strata;
        Ok(self)
    }

    pub fn len(&self) -> usize {
        self.exit.len()
    }
    pub fn is_empty(&self) -> bool {
        self.exit.is_empty()
    }
    pub fn exit(&self) -> &'a [f64] {
        self.exit
    }
    pub fn status(&self) -> &'a [f64] {
        self.status
    }
    pub fn entry(&self) -> Option<&'a [f64]> {
        self.entry
    }
    pub fn weights(&self) -> Option<&'a [f64]> {
        self.weights
    }
    pub fn strata(&self) -> Option<&'a [u32]> {
        self.strata
    }
    pub fn n_strata(&self) -> usize {
        self.n_strata
    }
    /// Weight of row `i` (1 without weights).
    #[inline]
    pub fn weight(&self, i: usize) -> f64 {
        self.weights.map_or(1.0, |w| w[i])
    }
    /// Whether any weight is not a whole number (survival then uses a robust variance).
    pub fn has_fractional_weights(&self) -> bool {
        self.weights
            .is_some_and(|w| w.iter().any(|&x| x != x.floor()))
    }
    /// Require every stratum to have at least `min` rows (empty strata included).
    pub fn check_stratum_sizes(&self, min: usize) -> Result<()> {
        let Some(codes) = self.strata else {
            return Ok(());
        };
        let mut counts = vec![0usize; self.n_strata];
        for &c in codes {
            counts[c as usize] += 1;
        }
        if let Some(k) = counts.iter().position(|&c| c < min) {
            return Err(Error::Data {
                arg: "strata",
                reason: format!(
                    "stratum {} (code {k}) has {} row(s); every stratum needs at least {min} \
                     (drop unused levels or merge small strata)",
                    k + 1,
                    counts[k]
                ),
            });
        }
        Ok(())
    }

    /// Row indices of each stratum, in row order (a counting sort: O(n)).
    pub fn rows_by_stratum(&self) -> Vec<Vec<u32>> {
        match self.strata {
            None => vec![(0..self.exit.len() as u32).collect()],
            Some(codes) => {
                let mut counts = vec![0usize; self.n_strata];
                for &c in codes {
                    counts[c as usize] += 1;
                }
                let mut rows: Vec<Vec<u32>> =
                    counts.iter().map(|&c| Vec::with_capacity(c)).collect();
                for (i, &c) in codes.iter().enumerate() {
                    rows[c as usize].push(i as u32);
                }
                rows
            }
        }
    }
}

/// A numeric design matrix: `n` rows and `p` named columns, each column a borrowed
/// slice (no copy of the user's data), every value finite.
#[derive(Debug, Clone)]
pub struct Covariates<'a> {
    columns: Vec<&'a [f64]>,
    n: usize,
    names: &'a [String],
}

impl<'a> Covariates<'a> {
    /// From a column-major matrix with `names.len()` columns of `n` rows (zero columns
    /// allowed: an intercept-only GLM).
    pub fn new(x: &'a [f64], n: usize, names: &'a [String]) -> Result<Self> {
        let p = names.len();
        if x.len() != n * p {
            return Err(Error::InvalidArgument {
                arg: "covariates",
                reason: format!("{} values do not form {p} columns of {n} rows", x.len()),
            });
        }
        if p == 0 {
            return Ok(Covariates {
                columns: Vec::new(),
                n,
                names,
            });
        }
        Self::from_columns((0..p).map(|j| &x[j * n..(j + 1) * n]).collect(), names)
    }

    /// From one slice per column.
    pub fn from_columns(columns: Vec<&'a [f64]>, names: &'a [String]) -> Result<Self> {
        if columns.is_empty() {
            return Err(Error::InvalidArgument {
                arg: "covariates",
                reason: "no covariate columns".into(),
            });
        }
        if columns.len() != names.len() {
            return Err(Error::InvalidArgument {
                arg: "covariates",
                reason: format!("{} columns but {} names", columns.len(), names.len()),
            });
        }
        let n = columns[0].len();
        for (j, (col, name)) in columns.iter().zip(names).enumerate() {
            if col.len() != n {
                return Err(Error::InvalidArgument {
                    arg: "covariates",
                    reason: format!(
                        "column {} (`{name}`) has {} rows, the first has {n}",
                        j + 1,
                        col.len()
                    ),
                });
            }
            for (i, &v) in col.iter().enumerate() {
                if !v.is_finite() {
                    let problem = if v.is_nan() {
                        "missing value (NaN)"
                    } else {
                        "value is not finite"
                    };
                    return Err(Error::InvalidCell {
                        arg: "covariates",
                        column: name.clone(),
                        row: i,
                        value: v,
                        problem,
                    });
                }
            }
        }
        Ok(Covariates { columns, n, names })
    }
    pub fn n(&self) -> usize {
        self.n
    }
    pub fn p(&self) -> usize {
        self.names.len()
    }
    pub fn names(&self) -> &'a [String] {
        self.names
    }
    /// Column `j`.
    pub fn column(&self, j: usize) -> &'a [f64] {
        self.columns[j]
    }
}

/// Check an offset column (finite, `n` rows like `expected_arg`).
pub fn check_offset(offset: &[f64], n: usize, expected_arg: &'static str) -> Result<()> {
    check_len("offset", offset.len(), expected_arg, n)?;
    for (row, &v) in offset.iter().enumerate() {
        if !v.is_finite() {
            return Err(Error::InvalidValue {
                arg: "offset",
                row,
                value: v,
                problem: "value is not finite",
            });
        }
    }
    Ok(())
}

/// Input of a Cox model: survival data (entry, strata, weights), covariates, and an
/// optional offset and cluster (codes `0..k`, for the robust variance).
#[derive(Debug, Clone)]
pub struct CoxData<'a> {
    pub(crate) surv: SurvivalData<'a>,
    pub(crate) x: Covariates<'a>,
    pub(crate) offset: Option<&'a [f64]>,
    pub(crate) cluster: Option<&'a [u32]>,
}

impl<'a> CoxData<'a> {
    pub fn new(surv: SurvivalData<'a>, x: Covariates<'a>) -> Result<Self> {
        check_len("covariates", x.n(), "time", surv.len())?;
        Ok(CoxData {
            surv,
            x,
            offset: None,
            cluster: None,
        })
    }
    pub fn with_offset(mut self, offset: &'a [f64]) -> Result<Self> {
        check_offset(offset, self.surv.len(), "time")?;
        self.offset = Some(offset);
        Ok(self)
    }
    /// Cluster codes (any `u32` labels; rows with the same code form a cluster).
    pub fn with_cluster(mut self, cluster: &'a [u32]) -> Result<Self> {
        check_len("cluster", cluster.len(), "time", self.surv.len())?;
        self.cluster = Some(cluster);
        Ok(self)
    }
    pub fn survival(&self) -> &SurvivalData<'a> {
        &self.surv
    }
    pub fn covariates(&self) -> &Covariates<'a> {
        &self.x
    }
}
