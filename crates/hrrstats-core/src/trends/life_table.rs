//! Period life tables by Chiang's method, with Chiang II standard errors of life
//! expectancy, temporary life expectancy and the Arriaga decomposition.
//!
//! Each row is an age group `[x_i, x_{i+1})` of width `n_i = x_{i+1} - x_i` (ages are the
//! lower bounds, increasing within a group); the last age group is open. From deaths
//! `D_i` and population (person-years) `P_i`:
//!
//! - `m_i = D_i / P_i`;
//! - `a_i` (years lived in the interval by those dying in it): `n_i / 2`, except, when
//!   the table starts at age 0 with a one-year interval, `1a0` (and `4a1` when the next
//!   interval is 1–4) from the Coale–Demeny West model as tabulated by Preston,
//!   Heuveline & Guillot (2001, *Demography*, Table 3.3): males `1a0 = 0.045 + 2.684 m0`
//!   (0.330 from `m0 >= 0.107`), `4a1 = 1.651 - 2.816 m0` (1.352); females
//!   `1a0 = 0.053 + 2.800 m0` (0.350), `4a1 = 1.522 - 1.518 m0` (1.361); both sexes the
//!   mean of the two. `a0 = "half"` keeps `n/2` everywhere; a given number replaces
//!   `1a0`; a given `ax` column (years) replaces all of them;
//! - `q_i = n_i m_i / (1 + (n_i - a_i) m_i)`, `q = 1` in the open interval;
//! - `l_0 = radix`, `d_i = l_i q_i`, `l_{i+1} = l_i - d_i`;
//! - `L_i = n_i l_{i+1} + a_i d_i`, `L_w = l_w / m_w` in the open interval;
//! - `T_i = sum_{j >= i} L_j`, `e_i = T_i / l_i`.
//!
//! Standard errors (Chiang 1984, *The Life Table and its Applications*, ch. 8, "Chiang
//! II"): with `var(q_i) = n_i^2 m_i (1 - a_i m_i) / (P_i (1 + (n_i - a_i) m_i)^3)`
//! (= `q_i^2 (1 - q_i) / D_i`),
//! `var(e_x) = [sum_{x <= i < w} l_i^2 ((n_i - a_i) + e_{i+1})^2 var(q_i)
//!   + l_w^2 var(m_w) / m_w^4] / l_x^2`, the open interval's term with
//! `var(m_w) = D_w / P_w^2` as in Silcocks, Jenner & Reza (2001, *J Epidemiol Community
//! Health* 55:38–43; the Public Health England life expectancy calculator). Limits
//! `e_x ± z sd`.
//!
//! Temporary life expectancy between ages `x < y` (Andersen & Keiding's years lived in
//! `[x, y)`): `(T_x - T_y) / l_x`; years of life lost in `[x, y)`: `(y - x)` minus it.
//! Arriaga (1984) decomposition of `e_0(2) - e_0(1)` by age (Preston et al. 2001, Box
//! 3.4): direct `l1_x/l1_0 (L2_x/l2_x - L1_x/l1_x)`, indirect and interaction
//! `T2_{x+n}/l1_0 (l1_x/l2_x - l1_{x+n}/l2_{x+n})`; the open interval
//! `l1_w/l1_0 (T2_w/l2_w - T1_w/l1_w)`.
//!
//! No R package in Debian computes these; `tests/reference/generate_lifetable.R` does
//! the closed forms by hand in plain R (the reference the tests hold at 1e-10).

use crate::data::{check_conf_level, check_len, check_nonneg_finite};
use crate::dist::qnorm;
use crate::error::{Error, Result};
use crate::option_enum;

/// How `1a0` (and `4a1`) are set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum A0Method {
    /// Coale–Demeny West (Preston et al. 2001, Table 3.3).
    #[default]
    CoaleDemeny,
    /// Half the interval.
    Half,
}
option_enum!(A0Method, "a0", "coale_demeny" => A0Method::CoaleDemeny, "half" => A0Method::Half);

/// The life-table method (one so far: Chiang's, with Chiang II standard errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LifeTableMethod {
    #[default]
    Chiang2,
}
option_enum!(LifeTableMethod, "method", "chiang2" => LifeTableMethod::Chiang2);

/// Which Coale–Demeny coefficients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sex {
    #[default]
    Both,
    Male,
    Female,
}
option_enum!(Sex, "sex", "both" => Sex::Both, "male" => Sex::Male, "female" => Sex::Female);

/// Options of [`life_table`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LifeTableParams {
    pub a0: A0Method,
    /// A given `1a0` (years), replacing the method's.
    pub a0_value: Option<f64>,
    pub sex: Sex,
    pub conf_level: f64,
    pub radix: f64,
}

impl Default for LifeTableParams {
    fn default() -> Self {
        LifeTableParams {
            a0: A0Method::CoaleDemeny,
            a0_value: None,
            sex: Sex::Both,
            conf_level: 0.95,
            radix: 100_000.0,
        }
    }
}

/// A life table (one or several groups, rows of a group together, ages increasing).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LifeTable {
    /// Group of each row (0 without groups).
    pub group: Vec<usize>,
    /// The input row of each row.
    pub row: Vec<usize>,
    pub age: Vec<f64>,
    /// Interval width; infinite for the open interval.
    pub width: Vec<f64>,
    pub mx: Vec<f64>,
    pub ax: Vec<f64>,
    pub qx: Vec<f64>,
    pub lx: Vec<f64>,
    pub dx: Vec<f64>,
    pub big_lx: Vec<f64>,
    pub tx: Vec<f64>,
    pub ex: Vec<f64>,
    pub std_err: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    /// Rows of group g: `starts[g]..starts[g + 1]` (groups without rows are empty).
    pub starts: Vec<usize>,
    pub conf_level: f64,
}

/// Coale–Demeny `(1a0, 4a1)` for infant mortality `m0`.
pub fn coale_demeny(m0: f64, sex: Sex) -> (f64, f64) {
    let male = if m0 >= 0.107 {
        (0.330, 1.352)
    } else {
        (0.045 + 2.684 * m0, 1.651 - 2.816 * m0)
    };
    let female = if m0 >= 0.107 {
        (0.350, 1.361)
    } else {
        (0.053 + 2.800 * m0, 1.522 - 1.518 * m0)
    };
    match sex {
        Sex::Male => male,
        Sex::Female => female,
        Sex::Both => ((male.0 + female.0) / 2.0, (male.1 + female.1) / 2.0),
    }
}

/// Life tables from `deaths`, `population` and `age` (lower bounds) per row, `ax`
/// (years, optional), in groups `group` (codes, number of groups). See the module documentation for the formulas.
#[allow(clippy::too_many_arguments)]
pub fn life_table(
    deaths: &[f64],
    population: &[f64],
    age: &[f64],
    ax: Option<&[f64]>,
    group: Option<(&[u32], usize)>,
    params: &LifeTableParams,
) -> Result<LifeTable> {
    let n = deaths.len();
    check_len("population", population.len(), "deaths", n)?;
    check_len("age", age.len(), "deaths", n)?;
    if n == 0 {
        return Err(Error::Empty { arg: "deaths" });
    }
    check_nonneg_finite("deaths", deaths)?;
    check_nonneg_finite("population", population)?;
    check_nonneg_finite("age", age)?;
    if let Some(a) = ax {
        check_len("ax", a.len(), "deaths", n)?;
        check_nonneg_finite("ax", a)?;
    }
    check_conf_level(params.conf_level)?;
    if !(params.radix.is_finite() && params.radix > 0.0) {
        return Err(Error::InvalidArgument {
            arg: "radix",
            reason: format!("must be a finite positive number, got {}", params.radix),
        });
    }
    if let Some(a0) = params.a0_value {
        if !(a0.is_finite() && (0.0..=1.0).contains(&a0)) {
            return Err(Error::InvalidArgument {
                arg: "a0",
                reason: format!("must be \"coale_demeny\", \"half\" or a number of years in [0, 1], got {a0}"),
            });
        }
    }
    for i in 0..n {
        if population[i] == 0.0 && deaths[i] > 0.0 {
            return Err(Error::InvalidValue {
                arg: "population",
                row: i,
                value: 0.0,
                problem: "no population but deaths > 0",
            });
        }
    }
    let (codes, n_groups) = match group {
        Some((c, k)) => {
            check_len("by", c.len(), "deaths", n)?;
            crate::data::check_codes("by", c, k.max(1))?;
            (Some(c), k.max(1))
        }
        None => (None, 1),
    };
    // Rows of each group in data order (counting sort).
    let g_of = |i: usize| codes.map_or(0, |c| c[i] as usize);
    let mut starts = vec![0usize; n_groups + 1];
    for i in 0..n {
        starts[g_of(i) + 1] += 1;
    }
    for g in 0..n_groups {
        starts[g + 1] += starts[g];
    }
    let mut next = starts.clone();
    let mut order = vec![0usize; n];
    for i in 0..n {
        let g = g_of(i);
        order[next[g]] = i;
        next[g] += 1;
    }
    let z = qnorm(1.0 - (1.0 - params.conf_level) / 2.0);
    let mut t = LifeTable {
        conf_level: params.conf_level,
        starts: starts.clone(),
        ..LifeTable::default()
    };
    let cap = n;
    for v in [
        &mut t.age, &mut t.width, &mut t.mx, &mut t.ax, &mut t.qx, &mut t.lx, &mut t.dx,
        &mut t.big_lx, &mut t.tx, &mut t.ex, &mut t.std_err, &mut t.lower, &mut t.upper,
    ] {
        v.reserve(cap);
    }
    for g in 0..n_groups {
        let rows = &order[starts[g]..starts[g + 1]];
        if rows.is_empty() {
            continue;
        }
        for w in rows.windows(2) {
            let (a, b) = (age[w[0]], age[w[1]]);
            if b == a {
                return Err(Error::InvalidValue {
                    arg: "age",
                    row: w[1],
                    value: b,
                    problem: "duplicated age within a group",
                });
            }
            if b < a {
                return Err(Error::InvalidValue {
                    arg: "age",
                    row: w[1],
                    value: b,
                    problem: "ages not increasing within a group (sort the rows by age)",
                });
            }
        }
        let k = rows.len();
        let last = rows[k - 1];
        if deaths[last] <= 0.0 {
            return Err(Error::InvalidValue {
                arg: "deaths",
                row: last,
                value: deaths[last],
                problem: "no deaths in the open last age group (its L = l/m needs deaths > 0)",
            });
        }
        let base = t.age.len();
        // m, width, a
        for (j, &i) in rows.iter().enumerate() {
            let width = if j + 1 < k { age[rows[j + 1]] - age[i] } else { f64::INFINITY };
            let m = if population[i] > 0.0 { deaths[i] / population[i] } else { 0.0 };
            t.group.push(g);
            t.row.push(i);
            t.age.push(age[i]);
            t.width.push(width);
            t.mx.push(m);
        }
        let m0 = t.mx[base];
        let cd = coale_demeny(m0, params.sex);
        for (j, &i) in rows.iter().enumerate() {
            let width = t.width[base + j];
            let a = if j + 1 == k {
                // The open interval: e = 1/m; a_w = 1/m (its mean years lived).
                1.0 / t.mx[base + j]
            } else if let Some(a) = ax {
                if a[i] > width {
                    return Err(Error::InvalidValue {
                        arg: "ax",
                        row: i,
                        value: a[i],
                        problem: "longer than the age interval",
                    });
                }
                a[i]
            } else if j == 0 && age[i] == 0.0 && width == 1.0 {
                match (params.a0_value, params.a0) {
                    (Some(v), _) => v,
                    (None, A0Method::CoaleDemeny) => cd.0,
                    (None, A0Method::Half) => 0.5,
                }
            } else if j == 1
                && age[i] == 1.0
                && width == 4.0
                && age[rows[0]] == 0.0
                && params.a0_value.is_none()
                && params.a0 == A0Method::CoaleDemeny
                && ax.is_none()
            {
                cd.1
            } else {
                width / 2.0
            };
            t.ax.push(a);
        }
        // q, l, d, L
        let mut l = params.radix;
        for j in 0..k {
            let (m, a, width) = (t.mx[base + j], t.ax[base + j], t.width[base + j]);
            let q = if j + 1 == k {
                1.0
            } else {
                let q = width * m / (1.0 + (width - a) * m);
                if q >= 1.0 {
                    return Err(Error::InvalidValue {
                        arg: "deaths",
                        row: rows[j],
                        value: deaths[rows[j]],
                        problem: "death rate too high for the age interval (q >= 1: a(x) m(x) >= 1; give smaller ax or shorter intervals)",
                    });
                }
                q
            };
            let d = l * q;
            let big_l = if j + 1 == k { l / m } else { width * (l - d) + a * d };
            t.qx.push(q);
            t.lx.push(l);
            t.dx.push(d);
            t.big_lx.push(big_l);
            l -= d;
        }
        // T, e
        let mut tt = 0.0;
        let mut tx = vec![0.0; k];
        for j in (0..k).rev() {
            tt += t.big_lx[base + j];
            tx[j] = tt;
        }
        for j in 0..k {
            t.tx.push(tx[j]);
            t.ex.push(tx[j] / t.lx[base + j]);
        }
        // Chiang II variance: accumulate from the open interval down.
        let iw = rows[k - 1];
        let (lw, mw) = (t.lx[base + k - 1], t.mx[base + k - 1]);
        let mut acc = lw * lw * (deaths[iw] / (population[iw] * population[iw])) / mw.powi(4);
        let mut var = vec![0.0; k];
        var[k - 1] = acc / (lw * lw);
        for j in (0..k - 1).rev() {
            let i = rows[j];
            let (m, a, width, lj) = (t.mx[base + j], t.ax[base + j], t.width[base + j], t.lx[base + j]);
            let var_q = if population[i] > 0.0 && m > 0.0 {
                width * width * m * (1.0 - a * m) / (population[i] * (1.0 + (width - a) * m).powi(3))
            } else {
                0.0
            };
            let e_next = t.ex[base + j + 1];
            let h = (width - a) + e_next;
            acc += lj * lj * h * h * var_q;
            var[j] = acc / (lj * lj);
        }
        for j in 0..k {
            let se = var[j].sqrt();
            let e = t.ex[base + j];
            t.std_err.push(se);
            t.lower.push(e - z * se);
            t.upper.push(e + z * se);
        }
    }
    // Output order: groups in code order, ages increasing (starts index the output).
    let mut s = vec![0usize; n_groups + 1];
    for &g in &t.group {
        s[g + 1] += 1;
    }
    for g in 0..n_groups {
        s[g + 1] += s[g];
    }
    t.starts = s;
    for (j, v) in t.ex.iter().enumerate() {
        if !v.is_finite() || !t.std_err[j].is_finite() {
            let i = t.row[j];
            return Err(Error::InvalidValue {
                arg: "deaths",
                row: i,
                value: deaths[i],
                problem: "life expectancy not computable here (no survivors to this age)",
            });
        }
    }
    Ok(t)
}

/// Temporary life expectancy between ages `from` and `to` (`to = None`: to the end of the
/// table) in group `g`: (years lived in [from, to) per person alive at `from`, years of
/// life lost in [from, to)). `from` and `to` must be ages of the group's table.
pub fn temporary_life_expectancy(
    t: &LifeTable,
    g: usize,
    from: f64,
    to: Option<f64>,
) -> Result<(f64, f64)> {
    let rows = t.starts[g]..t.starts[g + 1];
    let find = |arg: &'static str, x: f64| {
        rows.clone().find(|&j| t.age[j] == x).ok_or_else(|| Error::InvalidArgument {
            arg,
            reason: format!("{x} is not an age of the table (the lower bound of an age group)"),
        })
    };
    let jx = find("from", from)?;
    let (t_to, span) = match to {
        None => (0.0, f64::INFINITY),
        Some(y) => {
            if y <= from {
                return Err(Error::InvalidArgument {
                    arg: "to",
                    reason: format!("must be greater than `from` ({from}), got {y}"),
                });
            }
            (t.tx[find("to", y)?], y - from)
        }
    };
    let temp = (t.tx[jx] - t_to) / t.lx[jx];
    Ok((temp, span - temp))
}

/// The Arriaga decomposition of `e(2) - e(1)` at the first age, by age group.
#[derive(Debug, Clone, PartialEq)]
pub struct Arriaga {
    pub age: Vec<f64>,
    pub direct: Vec<f64>,
    pub indirect: Vec<f64>,
    pub total: Vec<f64>,
}

/// Arriaga decomposition between groups `g1` (reference) and `g2` of `t`, which must
/// have the same ages.
pub fn arriaga(t: &LifeTable, g1: usize, g2: usize) -> Result<Arriaga> {
    let r1 = t.starts[g1]..t.starts[g1 + 1];
    let r2 = t.starts[g2]..t.starts[g2 + 1];
    if r1.len() != r2.len() || r1.clone().zip(r2.clone()).any(|(a, b)| t.age[a] != t.age[b]) {
        return Err(Error::InvalidArgument {
            arg: "group2",
            reason: "the two life tables must have the same age groups".into(),
        });
    }
    let (b1, b2, k) = (r1.start, r2.start, r1.len());
    let l10 = t.lx[b1];
    let mut out = Arriaga {
        age: Vec::with_capacity(k),
        direct: Vec::with_capacity(k),
        indirect: Vec::with_capacity(k),
        total: Vec::with_capacity(k),
    };
    for j in 0..k {
        let (i1, i2) = (b1 + j, b2 + j);
        let (direct, indirect) = if j + 1 == k {
            (t.lx[i1] / l10 * (t.tx[i2] / t.lx[i2] - t.tx[i1] / t.lx[i1]), 0.0)
        } else {
            (
                t.lx[i1] / l10 * (t.big_lx[i2] / t.lx[i2] - t.big_lx[i1] / t.lx[i1]),
                t.tx[i2 + 1] / l10 * (t.lx[i1] / t.lx[i2] - t.lx[i1 + 1] / t.lx[i2 + 1]),
            )
        };
        out.age.push(t.age[i1]);
        out.direct.push(direct);
        out.indirect.push(indirect);
        out.total.push(direct + indirect);
    }
    Ok(out)
}

/// Options of [`years_of_life_lost`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct YllParams {
    /// Continuous discount rate `r` per year (0: none).
    pub discount: f64,
    /// GBD 1990 age weights `C x e^{-β x}` (β = 0.04, C = 0.1658, K = 1).
    pub age_weighting: bool,
}

impl Default for YllParams {
    fn default() -> Self {
        YllParams {
            discount: 0.0,
            age_weighting: false,
        }
    }
}

/// GBD 1990's age-weighting constants (Murray 1994).
pub const YLL_BETA: f64 = 0.04;
pub const YLL_C: f64 = 0.1658;

/// Standard expected years of life lost (SEYLL) per row.
#[derive(Debug, Clone, PartialEq)]
pub struct Yll {
    /// The standard's remaining life expectancy at each row's age of death.
    pub standard_ex: Vec<f64>,
    /// Years lost per death (discounted and age-weighted when asked).
    pub per_death: Vec<f64>,
    /// deaths × per_death.
    pub years_lost: Vec<f64>,
}

/// Years lost by one death at age `a` with `l` standard years remaining: `l` itself, or
/// with discount rate `r` and GBD age weights (Murray 1994, eq. 4, K = 1 or 0):
/// `K C e^{ra}/(r+β)² [e^{-(r+β)(a+l)}(-(r+β)(a+l) - 1) - e^{-(r+β)a}(-(r+β)a - 1)]
///  + (1 - K)(1 - e^{-rl})/r`.
pub fn yll_per_death(a: f64, l: f64, p: &YllParams) -> f64 {
    let r = p.discount;
    if p.age_weighting {
        let rb = r + YLL_BETA;
        let end = a + l;
        YLL_C * (r * a).exp() / (rb * rb)
            * ((-rb * end).exp() * (-rb * end - 1.0) - (-rb * a).exp() * (-rb * a - 1.0))
    } else if r > 0.0 {
        -(-r * l).exp_m1() / r
    } else {
        l
    }
}

/// Standard expected years of life lost (GBD's SEYLL): each death at age `age[i]`
/// loses the remaining life expectancy `e*(age)` of a standard (reference) life table
/// given by its ages `standard_age` (strictly increasing) and life expectancies
/// `standard_ex`, interpolated linearly between the standard's ages (an age of death
/// outside the standard's ages is an error); `years_lost = deaths × e*(age)`, or with
/// discounting / GBD age weighting [`yll_per_death`] in place of `e*`.
pub fn years_of_life_lost(
    deaths: &[f64],
    age: &[f64],
    standard_age: &[f64],
    standard_ex: &[f64],
    params: &YllParams,
) -> Result<Yll> {
    let n = deaths.len();
    check_len("age", age.len(), "deaths", n)?;
    if n == 0 {
        return Err(Error::Empty { arg: "deaths" });
    }
    check_nonneg_finite("deaths", deaths)?;
    check_nonneg_finite("age", age)?;
    let k = standard_age.len();
    check_len("standard_ex", standard_ex.len(), "standard_age", k)?;
    if k == 0 {
        return Err(Error::Empty { arg: "standard_age" });
    }
    check_nonneg_finite("standard_age", standard_age)?;
    check_nonneg_finite("standard_ex", standard_ex)?;
    for j in 1..k {
        if standard_age[j] <= standard_age[j - 1] {
            return Err(Error::InvalidValue {
                arg: "standard_age",
                row: j,
                value: standard_age[j],
                problem: "not increasing (one standard life table, ages in increasing order)",
            });
        }
    }
    if !(params.discount.is_finite() && (0.0..1.0).contains(&params.discount)) {
        return Err(Error::InvalidArgument {
            arg: "discount",
            reason: format!("must be a rate in [0, 1) per year, got {}", params.discount),
        });
    }
    let (lo, hi) = (standard_age[0], standard_age[k - 1]);
    let mut out = Yll {
        standard_ex: Vec::with_capacity(n),
        per_death: Vec::with_capacity(n),
        years_lost: Vec::with_capacity(n),
    };
    for i in 0..n {
        let a = age[i];
        if a < lo || a > hi {
            return Err(Error::InvalidValue {
                arg: "age",
                row: i,
                value: a,
                problem: "outside the standard life table's ages (give a standard that covers every age of death)",
            });
        }
        // the standard's interval [x_j, x_{j+1}] holding a (binary search)
        let j = standard_age.partition_point(|&x| x <= a).saturating_sub(1);
        let e = if j + 1 >= k || standard_age[j] == a {
            standard_ex[j]
        } else {
            let (x0, x1) = (standard_age[j], standard_age[j + 1]);
            let f = (a - x0) / (x1 - x0);
            standard_ex[j] + f * (standard_ex[j + 1] - standard_ex[j])
        };
        let per = yll_per_death(a, e, params);
        out.standard_ex.push(e);
        out.per_death.push(per);
        out.years_lost.push(deaths[i] * per);
    }
    Ok(out)
}
