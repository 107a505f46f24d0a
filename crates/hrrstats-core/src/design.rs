//! A small design-matrix builder for the bindings: numeric columns as they are,
//! factors with treatment contrasts (the first used level is the reference), column
//! names as R's `model.matrix` gives them (`<name><level>`). R's own `model.matrix`
//! serves the R package; Python and Rust users build designs here.

use std::borrow::Cow;

use crate::data::Covariates;
use crate::error::{Error, Result};

/// One input variable.
#[derive(Debug, Clone, Copy)]
pub enum Term<'a> {
    /// A numeric column, used as it is (borrowed, not copied).
    Numeric { name: &'a str, values: &'a [f64] },
    /// A factor: codes `0..levels.len()` per row and the level labels, in order.
    Factor {
        name: &'a str,
        codes: &'a [u32],
        levels: &'a [String],
    },
}

/// The model matrix's columns (borrowed numeric ones, owned dummies) and names.
#[derive(Debug, Clone)]
pub struct DesignMatrix<'a> {
    pub names: Vec<String>,
    pub columns: Vec<Cow<'a, [f64]>>,
    /// For each factor term: the levels kept (reference first), for new data.
    pub factor_levels: Vec<(String, Vec<String>)>,
}

impl<'a> DesignMatrix<'a> {
    /// Build the columns; every term must have `n` rows. With `drop_unused`, factor
    /// levels no row uses are dropped (as `model.frame(drop.unused.levels = TRUE)`; a
    /// factor with a single used level then contributes no column); without it (new
    /// data for predictions) every given level is kept.
    pub fn build(terms: &[Term<'a>], n: usize, drop_unused: bool) -> Result<Self> {
        let mut out = DesignMatrix {
            names: Vec::new(),
            columns: Vec::new(),
            factor_levels: Vec::new(),
        };
        // Columns before allocating any dummy: numeric terms one each, factors at most
        // one per level after the first (the resource guard counts given levels).
        let mut p = 0usize;
        let mut widest: Option<(&str, usize)> = None;
        for t in terms {
            match *t {
                Term::Numeric { .. } => p += 1,
                Term::Factor { name, levels, .. } => {
                    p += levels.len().saturating_sub(1);
                    if widest.is_none_or(|(_, k)| levels.len() > k) {
                        widest = Some((name, levels.len()));
                    }
                }
            }
        }
        let why = widest.map_or(String::new(), |(name, k)| format!("factor `{name}` has {k} levels: "));
        crate::data::check_design("covariates", n, p, &why)?;
        for t in terms {
            match *t {
                Term::Numeric { name, values } => {
                    if values.len() != n {
                        return Err(Error::InvalidArgument {
                            arg: "covariates",
                            reason: format!(
                                "column `{name}` has length {}, the other columns {n}",
                                values.len()
                            ),
                        });
                    }
                    out.names.push(name.to_string());
                    out.columns.push(Cow::Borrowed(values));
                }
                Term::Factor {
                    name,
                    codes,
                    levels,
                } => {
                    if codes.len() != n {
                        return Err(Error::InvalidArgument {
                            arg: "covariates",
                            reason: format!(
                                "column `{name}` has length {}, the other columns {n}",
                                codes.len()
                            ),
                        });
                    }
                    let mut used = vec![false; levels.len()];
                    for (row, &c) in codes.iter().enumerate() {
                        match used.get_mut(c as usize) {
                            Some(u) => *u = true,
                            None => {
                                return Err(Error::InvalidCell {
                                    arg: "covariates",
                                    column: name.to_string(),
                                    row,
                                    value: c as f64,
                                    problem: "factor code is not below the number of levels",
                                })
                            }
                        }
                    }
                    let kept: Vec<usize> = (0..levels.len())
                        .filter(|&l| used[l] || !drop_unused)
                        .collect();
                    for &l in kept.iter().skip(1) {
                        out.names.push(format!("{name}{}", levels[l]));
                        let mut col = crate::data::try_zeros("covariates", n, n, p)?;
                        for (v, &c) in col.iter_mut().zip(codes.iter()) {
                            *v = (c as usize == l) as u8 as f64;
                        }
                        out.columns.push(Cow::Owned(col));
                    }
                    out.factor_levels.push((
                        name.to_string(),
                        kept.iter().map(|&l| levels[l].clone()).collect(),
                    ));
                }
            }
        }
        Ok(out)
    }

    /// The columns as validated [`Covariates`].
    pub fn covariates(&self) -> Result<Covariates<'_>> {
        Covariates::from_columns(
            self.columns.iter().map(|c| c.as_ref()).collect(),
            &self.names,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn treatment_contrasts_with_unused_levels_dropped() {
        let age = [50.0, 60.0, 70.0, 80.0];
        let levels: Vec<String> = ["I", "II", "III", "IV"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let codes = [1u32, 3, 1, 2]; // level "I" unused: "II" is the reference
        let d = DesignMatrix::build(
            &[
                Term::Numeric {
                    name: "age",
                    values: &age,
                },
                Term::Factor {
                    name: "stage",
                    codes: &codes,
                    levels: &levels,
                },
            ],
            4,
            true,
        )
        .unwrap();
        assert_eq!(d.names, vec!["age", "stageIII", "stageIV"]);
        assert_eq!(d.columns[1].as_ref(), &[0.0, 0.0, 0.0, 1.0]);
        assert_eq!(d.columns[2].as_ref(), &[0.0, 1.0, 0.0, 0.0]);
        assert!(matches!(d.columns[0], Cow::Borrowed(_)));
        assert_eq!(d.factor_levels[0].1, vec!["II", "III", "IV"]);
        let bad = DesignMatrix::build(
            &[Term::Factor {
                name: "stage",
                codes: &[0, 9],
                levels: &levels,
            }],
            2,
            true,
        )
        .unwrap_err();
        let keep = DesignMatrix::build(
            &[Term::Factor {
                name: "stage",
                codes: &[1, 1],
                levels: &levels,
            }],
            2,
            false,
        )
        .unwrap();
        assert_eq!(keep.names, vec!["stageII", "stageIII", "stageIV"]);
        assert_eq!((bad.arg(), bad.row()), ("covariates", Some(1)));
    }
}
