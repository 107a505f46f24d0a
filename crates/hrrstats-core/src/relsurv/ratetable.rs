//! Population rate tables: hazards by age x calendar time x sex (and any further
//! dimensions), as `survival`/`relsurv` ratetables.
//!
//! Each dimension is either *continuous* (age, calendar time: a person's value grows
//! with follow-up time, in the table's time unit) with increasing cut-points, a row
//! holding from its cut-point up to the next one (the last open-ended, values below the
//! first cut-point use the first row), or a *factor* (sex, region) with codes
//! `0..levels`. Rates are hazards per time unit, stored with the first dimension
//! varying fastest (R's array layout).

use std::borrow::Cow;

use super::jan1_of_day;
use crate::error::{Error, Result};

/// One dimension of a rate table.
#[derive(Debug, Clone, PartialEq)]
pub enum Dimension {
    /// A time-varying dimension (age, calendar time) with increasing cut-points.
    Continuous { name: String, cuts: Vec<f64> },
    /// A fixed factor (sex, ...) with `levels` levels, coded `0..levels`.
    Factor { name: String, levels: usize },
}

impl Dimension {
    pub fn name(&self) -> &str {
        match self {
            Dimension::Continuous { name, .. } | Dimension::Factor { name, .. } => name,
        }
    }
    fn size(&self) -> usize {
        match self {
            Dimension::Continuous { cuts, .. } => cuts.len(),
            Dimension::Factor { levels, .. } => *levels,
        }
    }
}

/// A population rate table.
#[derive(Debug, Clone, PartialEq)]
pub struct RateTable {
    dims: Vec<Dimension>,
    rates: Vec<f64>,
    strides: Vec<usize>,
    /// US-style calendar dimension (survival's ratetable type 4): (year dim, age dim).
    us_date: Option<(usize, usize)>,
}

impl RateTable {
    /// `rates`: hazards per time unit, first dimension fastest; one per cell.
    pub fn new(dims: Vec<Dimension>, rates: Vec<f64>) -> Result<Self> {
        if dims.is_empty() {
            return Err(Error::InvalidArgument {
                arg: "ratetable",
                reason: "a rate table needs at least one dimension".into(),
            });
        }
        let mut strides = Vec::with_capacity(dims.len());
        let mut size = 1usize;
        for d in &dims {
            if d.size() == 0 {
                return Err(Error::InvalidArgument {
                    arg: "ratetable",
                    reason: format!("dimension `{}` is empty", d.name()),
                });
            }
            if let Dimension::Continuous { name, cuts } = d {
                if cuts.iter().any(|c| !c.is_finite()) || cuts.windows(2).any(|w| w[1] <= w[0]) {
                    return Err(Error::InvalidArgument {
                        arg: "ratetable",
                        reason: format!(
                            "cut-points of `{name}` must be finite and strictly increasing"
                        ),
                    });
                }
            }
            strides.push(size);
            size *= d.size();
        }
        if rates.len() != size {
            return Err(Error::InvalidArgument {
                arg: "ratetable",
                reason: format!("{} rates for {size} cells", rates.len()),
            });
        }
        if let Some(row) = rates.iter().position(|r| !(r.is_finite() && *r >= 0.0)) {
            return Err(Error::InvalidValue {
                arg: "rate",
                row,
                value: rates[row],
                problem: "rate must be finite and non-negative",
            });
        }
        Ok(RateTable {
            dims,
            rates,
            strides,
            us_date: None,
        })
    }

    /// From a long table: one column per dimension (cut-points for continuous
    /// dimensions, codes `0..levels` for factors) and the rate; every combination must
    /// appear exactly once.
    pub fn from_long(
        names: &[String],
        continuous: &[bool],
        columns: &[&[f64]],
        rate: &[f64],
    ) -> Result<Self> {
        let n = rate.len();
        if names.len() != columns.len() || names.len() != continuous.len() {
            return Err(Error::InvalidArgument {
                arg: "ratetable",
                reason: "one name, kind and column per dimension".into(),
            });
        }
        let mut dims = Vec::new();
        for ((name, &cont), col) in names.iter().zip(continuous).zip(columns) {
            if col.len() != n {
                return Err(Error::LengthMismatch {
                    arg: "ratetable",
                    len: col.len(),
                    expected_arg: "rate",
                    expected: n,
                });
            }
            if let Some(row) = col.iter().position(|v| !v.is_finite()) {
                return Err(Error::InvalidCell {
                    arg: "ratetable",
                    column: name.clone(),
                    row,
                    value: col[row],
                    problem: "value is not finite",
                });
            }
            let mut v: Vec<f64> = col.to_vec();
            v.sort_by(f64::total_cmp);
            v.dedup();
            if cont {
                dims.push(Dimension::Continuous {
                    name: name.clone(),
                    cuts: v,
                });
            } else {
                if let Some(row) = col.iter().position(|x| x.fract() != 0.0 || *x < 0.0) {
                    return Err(Error::InvalidCell {
                        arg: "ratetable",
                        column: name.clone(),
                        row,
                        value: col[row],
                        problem: "factor codes must be 0, 1, 2, ...",
                    });
                }
                dims.push(Dimension::Factor {
                    name: name.clone(),
                    levels: v.last().map_or(0, |&m| m as usize + 1),
                });
            }
        }
        if let Some(row) = rate.iter().position(|r| !(r.is_finite() && *r >= 0.0)) {
            return Err(Error::InvalidValue {
                arg: "rate",
                row,
                value: rate[row],
                problem: "rate must be finite and non-negative",
            });
        }
        let size: usize = dims.iter().map(|d| d.size()).product();
        if n != size {
            return Err(Error::Data { arg: "ratetable", reason: format!("{n} rows but {size} combinations of the dimensions' values: every combination must appear once") });
        }
        let mut rates = vec![f64::NAN; size];
        let mut stride = 1;
        let mut strides = Vec::new();
        for d in &dims {
            strides.push(stride);
            stride *= d.size();
        }
        for row in 0..n {
            let mut k = 0;
            for (j, d) in dims.iter().enumerate() {
                let v = columns[j][row];
                let pos = match d {
                    Dimension::Continuous { cuts, .. } => cuts.partition_point(|&c| c < v),
                    Dimension::Factor { .. } => v as usize,
                };
                k += pos * strides[j];
            }
            if !rates[k].is_nan() {
                return Err(Error::InvalidValue {
                    arg: "ratetable",
                    row,
                    value: rate[row],
                    problem: "this combination of the dimensions appears twice",
                });
            }
            rates[k] = rate[row];
        }
        RateTable::new(dims, rates)
    }

    pub fn dims(&self) -> &[Dimension] {
        &self.dims
    }
    pub fn rates(&self) -> &[f64] {
        &self.rates
    }
    /// Mark the calendar dimension `year` as US-style (survival's ratetable type 4, e.g.
    /// `survexp.us`): the rates of calendar year `Y` at age `A` hold for persons who turn
    /// `A` in `Y`, so the calendar row changes on the birthday rather than on January 1.
    /// As `survival::survexp`, each person's date at diagnosis `d` (days since
    /// 1960-01-01) is replaced by `J(b) + a`, where `a` is the age in days, `b = d - a`
    /// the birth date and `J(b)` January 1 of the year holding day `floor(b)`; the table
    /// is then read as usual. Both dimensions must be continuous and in days.
    pub fn with_us_date(mut self, year: &str, age: &str) -> Result<Self> {
        let find = |name: &str| -> Result<usize> {
            match self.dim_index(name) {
                Some(j) if matches!(self.dims[j], Dimension::Continuous { .. }) => Ok(j),
                _ => Err(Error::InvalidArgument {
                    arg: "ratetable",
                    reason: format!("no continuous dimension called `{name}`"),
                }),
            }
        };
        self.us_date = Some((find(year)?, find(age)?));
        Ok(self)
    }
    /// The US-style (year, age) dimensions, if any.
    pub fn us_date(&self) -> Option<(usize, usize)> {
        self.us_date
    }

    /// The persons' values as the table reads them: unchanged, except the calendar
    /// column of a US-style table (see [`RateTable::with_us_date`]).
    pub(crate) fn lookup_values<'a>(&self, values: &[&'a [f64]]) -> Vec<Cow<'a, [f64]>> {
        let mut out: Vec<Cow<'a, [f64]>> = values.iter().map(|v| Cow::Borrowed(*v)).collect();
        if let Some((y, a)) = self.us_date {
            out[y] = Cow::Owned(
                values[y]
                    .iter()
                    .zip(values[a])
                    .map(|(&d, &age)| jan1_of_day((d - age).floor()) + age)
                    .collect(),
            );
        }
        out
    }

    /// Index of the dimension called `name`.
    pub fn dim_index(&self, name: &str) -> Option<usize> {
        self.dims.iter().position(|d| d.name() == name)
    }

    /// Check a person's values (one slice per dimension, in the table's order): finite,
    /// factor codes in range.
    pub(crate) fn check_values(&self, values: &[&[f64]], n: usize) -> Result<()> {
        if values.len() != self.dims.len() {
            return Err(Error::InvalidArgument {
                arg: "ratetable",
                reason: format!(
                    "the rate table has {} dimensions but {} person columns were given",
                    self.dims.len(),
                    values.len()
                ),
            });
        }
        for (d, v) in self.dims.iter().zip(values) {
            if v.len() != n {
                return Err(Error::LengthMismatch {
                    arg: "rmap",
                    len: v.len(),
                    expected_arg: "time",
                    expected: n,
                });
            }
            for (row, &x) in v.iter().enumerate() {
                if let Some(problem) = crate::data::non_finite(x) {
                    return Err(Error::InvalidCell {
                        arg: "rmap",
                        column: d.name().into(),
                        row,
                        value: x,
                        problem,
                    });
                }
                if let Dimension::Factor { levels, .. } = d {
                    if x.fract() != 0.0 || x < 0.0 || x as usize >= *levels {
                        return Err(Error::InvalidCell {
                            arg: "rmap",
                            column: d.name().into(),
                            row,
                            value: x,
                            problem: "code is not a level of the rate table",
                        });
                    }
                }
            }
        }
        Ok(())
    }

    /// Check that the table covers every person at diagnosis: values of continuous
    /// dimensions not below the first cut-point (beyond the last cut-point the last row
    /// continues, as in survival and relsurv).
    pub(crate) fn check_coverage(&self, values: &[&[f64]]) -> Result<()> {
        for (d, v) in self.dims.iter().zip(values) {
            if let Dimension::Continuous { name, cuts } = d {
                if let Some(row) = v.iter().position(|&x| x < cuts[0]) {
                    return Err(Error::InvalidCell {
                        arg: "ratetable",
                        column: name.clone(),
                        row,
                        value: v[row],
                        problem: "the rate table does not cover this person (value below its first cut-point)",
                    });
                }
            }
        }
        Ok(())
    }

    /// Linear index of the cell holding `point` (continuous: the last cut-point <= value,
    /// the first row below the first cut-point; factors: the code).
    #[inline]
    pub(crate) fn cell(&self, point: &[f64]) -> usize {
        let mut k = 0;
        for (j, d) in self.dims.iter().enumerate() {
            let pos = match d {
                Dimension::Continuous { cuts, .. } => {
                    cuts.partition_point(|&c| c <= point[j]).saturating_sub(1)
                }
                Dimension::Factor { .. } => point[j] as usize,
            };
            k += pos * self.strides[j];
        }
        k
    }

    #[inline]
    pub(crate) fn rate(&self, cell: usize) -> f64 {
        self.rates[cell]
    }

    /// Time from `point` to the next cut-point of any continuous dimension (infinite
    /// past the last ones), as survival's `pystep`.
    #[inline]
    pub(crate) fn to_boundary(&self, point: &[f64]) -> f64 {
        let mut t = f64::INFINITY;
        for (j, d) in self.dims.iter().enumerate() {
            if let Dimension::Continuous { cuts, .. } = d {
                let k = cuts.partition_point(|&c| c <= point[j]);
                if k < cuts.len() {
                    t = t.min(cuts[k] - point[j]);
                }
            }
        }
        t
    }

    /// For each continuous dimension the next cut-point above `point` (infinite past the
    /// last; factors infinite).
    #[inline]
    pub(crate) fn next_cuts(&self, point: &[f64], out: &mut [f64]) {
        for (j, d) in self.dims.iter().enumerate() {
            out[j] = match d {
                Dimension::Continuous { cuts, .. } => cuts
                    .get(cuts.partition_point(|&c| c <= point[j]))
                    .copied()
                    .unwrap_or(f64::INFINITY),
                Dimension::Factor { .. } => f64::INFINITY,
            };
        }
    }

    /// Which dimensions advance with time.
    pub(crate) fn advances(&self) -> Vec<bool> {
        self.dims
            .iter()
            .map(|d| matches!(d, Dimension::Continuous { .. }))
            .collect()
    }

    /// Cumulative hazard from `point` over a length `len`, crossing cells exactly
    /// (survival's `pystep` walk; a zero rate counts as 1e-9, as relsurv's `netwei`).
    pub(crate) fn hazard_over(
        &self,
        point: &mut [f64],
        adv: &[bool],
        len: f64,
        zero_floor: bool,
    ) -> f64 {
        let mut left = len;
        let mut h = 0.0;
        while left > 0.0 {
            let step = self.to_boundary(point).min(left);
            let mut r = self.rate(self.cell(point));
            if zero_floor && r == 0.0 {
                r = 1e-9;
            }
            h += step * r;
            for (p, &a) in point.iter_mut().zip(adv) {
                if a {
                    *p += step;
                }
            }
            left -= step;
        }
        h
    }

    /// The population hazard of each person at `time[i]` after diagnosis (the rate of the
    /// cell the person is in then: attained age and calendar time advanced by the time;
    /// at a cut-point the rate of the cell it opens). The expected hazard at exit that a
    /// relative-survival model (`bhazard`) takes, per the table's time unit.
    pub fn hazard_at(&self, values: &[&[f64]], time: &[f64]) -> Result<Vec<f64>> {
        let n = values.first().map_or(0, |v| v.len());
        self.check_values(values, n)?;
        self.check_coverage(values)?;
        crate::data::check_len("time", time.len(), "age", n)?;
        crate::data::check_nonneg_finite("time", time)?;
        let adv = self.advances();
        let values = self.lookup_values(values);
        let mut point = vec![0.0; values.len()];
        Ok((0..n)
            .map(|i| {
                for (j, v) in values.iter().enumerate() {
                    point[j] = v[i] + if adv[j] { time[i] } else { 0.0 };
                }
                self.rate(self.cell(&point))
            })
            .collect())
    }

    /// Expected (population) survival of each person at each of `times` (time since
    /// diagnosis), integrating the hazard exactly across the table's cells (as
    /// `survival::survexp(..., method = "individual.s")`). `values`: one slice per
    /// dimension, the persons' values at diagnosis. Returns one vector per person (a
    /// convenience over [`RateTable::expected_survival_matrix`]).
    pub fn expected_survival(&self, values: &[&[f64]], times: &[f64]) -> Result<Vec<Vec<f64>>> {
        let n = values.first().map_or(0, |v| v.len());
        let m = self.expected_survival_matrix(values, times)?;
        Ok((0..n).map(|i| (0..times.len()).map(|k| m[k * n + i]).collect()).collect())
    }

    /// [`RateTable::expected_survival`] as one column-major `n x times.len()` matrix
    /// (entry `[k * n + i]`: person `i` at `times[k]`), without a vector per person.
    pub fn expected_survival_matrix(&self, values: &[&[f64]], times: &[f64]) -> Result<Vec<f64>> {
        let n = values.first().map_or(0, |v| v.len());
        self.check_values(values, n)?;
        // the same persons net survival refuses (below the table's first cut-points)
        self.check_coverage(values)?;
        crate::data::check_nonneg_finite("times", times)?;
        let mut order: Vec<usize> = (0..times.len()).collect();
        order.sort_by(|&a, &b| times[a].total_cmp(&times[b]));
        let adv = self.advances();
        let values = self.lookup_values(values);
        let mut out = vec![0.0; n * times.len()];
        let mut point = vec![0.0; values.len()];
        for i in 0..n {
            crate::interrupt::check_every(i, 256)?;
            for (p, v) in point.iter_mut().zip(&values) {
                *p = v[i];
            }
            let (mut at, mut h) = (0.0, 0.0);
            for &k in &order {
                h += self.hazard_over(&mut point, &adv, times[k] - at, false);
                at = times[k];
                out[k * n + i] = (-h).exp();
            }
        }
        Ok(out)
    }
}
