//! Life tables and funnel plots through the protocol.
//!
//! `life_table`: `deaths`, `population`, `age` (lower bounds of the age groups), `ax`
//! (optional, years), `by` (named groupings, crossed as in the rate methods), `a0`
//! ("coale_demeny", "half" or a number of years), `sex` ("both", "male", "female"),
//! `conf_level`, `radix`, `method` ("chiang2"). Returns `table` (the by-variables' codes, age, mx, ax, qx, lx,
//! dx, Lx, Tx, ex, std_err, lower, upper) and a fit answering `temporary` (`from`, `to`:
//! temporary life expectancy and years of life lost per group) and `arriaga` (`group1`,
//! `group2`: a group's label, "name=level, ..." or, with one by-variable, its level).
//!
//! `funnel`: `observed`, `denominator`, `kind`, `limits` (levels), `overdispersion`,
//! `target`, `winsorize`, `conf_level`. Returns `table` (observed, denominator,
//! indicator, z, z_unadjusted, lower_<L>/upper_<L> per level, flag, and with the
//! additive model shrunk, shrunk_lower, shrunk_upper), `curve` (denominator and the
//! limits on a grid, to draw the funnel), target, phi, tau2, adjusted, warnings.

use super::person_time::{by_vars, cross, joined, Groups};
use super::{no_such, Fitted, Output};
use crate::error::{Error, Result};
use crate::options::OptionEnum;
use crate::protocol::{Arg, Args, Record, Table, Value};
use crate::trends::funnel::{funnel as funnel_fit, level_label, FunnelKind, FunnelParams, Overdispersion};
use crate::trends::life_table::{
    arriaga, life_table as lt_fit, temporary_life_expectancy, A0Method, LifeTable,
    LifeTableMethod, LifeTableParams, Sex,
};

struct LifeTableFit {
    table: LifeTable,
    /// The by-variables' codes per group (a table of one row per group), empty without.
    group_columns: Table,
    /// Group labels ("name=level, ...") and the levels alone ("level, ...").
    labels: Vec<String>,
    level_labels: Vec<String>,
}

fn lt_table(t: &LifeTable, group_columns: &Table) -> Table {
    let by = group_columns.take(&t.group);
    let cols = Table::new()
        .with("age", t.age.clone())
        .with("mx", t.mx.clone())
        .with("ax", t.ax.clone())
        .with("qx", t.qx.clone())
        .with("lx", t.lx.clone())
        .with("dx", t.dx.clone())
        .with("Lx", t.big_lx.clone())
        .with("Tx", t.tx.clone())
        .with("ex", t.ex.clone())
        .with("std_err", t.std_err.clone())
        .with("lower", t.lower.clone())
        .with("upper", t.upper.clone());
    joined(by, cols)
}

/// Period life tables (Chiang), see [`crate::trends::life_table`].
pub fn life_table(args: &Args) -> Result<Output> {
    let _: LifeTableMethod = args.option("method")?;
    let deaths = args.nums("deaths")?;
    let population = args.nums("population")?;
    let age = args.nums("age")?;
    let n = deaths.len();
    let vars = by_vars(args, n, "deaths")?;
    let groups: Option<Groups> = cross(&vars, n)?;
    let (a0, a0_value) = match args.get("a0") {
        Some(Arg::Num(_)) | Some(Arg::Nums(_)) => (A0Method::CoaleDemeny, Some(args.num("a0")?)),
        _ => (args.option::<A0Method>("a0")?, None),
    };
    let params = LifeTableParams {
        a0,
        a0_value,
        sex: args.option::<Sex>("sex")?,
        conf_level: args.num_or("conf_level", 0.95)?,
        radix: args.num_or("radix", 100_000.0)?,
    };
    let t = lt_fit(
        deaths,
        population,
        age,
        args.opt_nums("ax")?,
        groups.as_ref().map(|g| (&g.codes[..], g.n())),
        &params,
    )?;
    let (group_columns, labels) = match &groups {
        Some(g) => (g.columns(&vars, &(0..g.n()).collect::<Vec<_>>()), g.labels.clone()),
        None => (Table::new(), vec![String::new()]),
    };
    let level_labels = labels
        .iter()
        .map(|l| {
            l.split(", ")
                .map(|p| p.split_once('=').map_or(p, |(_, v)| v))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .collect();
    let table = lt_table(&t, &group_columns);
    let value = Record::new()
        .with("table", table)
        .with("conf_level", params.conf_level)
        .with("radix", params.radix)
        .with("a0", params.a0.name());
    Ok(Output::fit(
        value,
        LifeTableFit {
            table: t,
            group_columns,
            labels,
            level_labels,
        },
    ))
}

impl LifeTableFit {
    fn group(&self, args: &Args, name: &'static str) -> Result<usize> {
        let s = args.str(name)?;
        self.labels
            .iter()
            .position(|l| l == s)
            .or_else(|| self.level_labels.iter().position(|l| l == s))
            .filter(|&g| self.table.starts[g + 1] > self.table.starts[g])
            .ok_or_else(|| Error::InvalidArgument {
                arg: name,
                reason: format!(
                    "no group \"{s}\"; the groups are {}",
                    self.labels.iter().map(|l| format!("\"{l}\"")).collect::<Vec<_>>().join(", ")
                ),
            })
    }
}

impl Fitted for LifeTableFit {
    fn call(&self, method: &str, args: &Args) -> Result<Value> {
        match method {
            "temporary" => {
                let from = args.num("from")?;
                let to = args.num("to")?;
                let mut gs = Vec::new();
                let (mut temp, mut lost) = (Vec::new(), Vec::new());
                for g in 0..self.table.starts.len() - 1 {
                    if self.table.starts[g + 1] == self.table.starts[g] {
                        continue;
                    }
                    let (t, l) = temporary_life_expectancy(&self.table, g, from, Some(to))?;
                    gs.push(g);
                    temp.push(t);
                    lost.push(l);
                }
                let k = gs.len();
                let by = self.group_columns.take(&gs);
                Ok(joined(
                    by,
                    Table::new()
                        .with("from", vec![from; k])
                        .with("to", vec![to; k])
                        .with("temporary_ex", temp)
                        .with("years_lost", lost),
                )
                .into())
            }
            "arriaga" => {
                if self.labels.len() < 2 {
                    return Err(Error::InvalidArgument {
                        arg: "group1",
                        reason: "the decomposition compares two groups of the life table (give `by`)".into(),
                    });
                }
                let g1 = self.group(args, "group1")?;
                let g2 = self.group(args, "group2")?;
                let a = arriaga(&self.table, g1, g2)?;
                let (e1, e2) = (self.table.ex[self.table.starts[g1]], self.table.ex[self.table.starts[g2]]);
                Ok(Record::new()
                    .with(
                        "table",
                        Table::new()
                            .with("age", a.age)
                            .with("direct", a.direct)
                            .with("indirect", a.indirect)
                            .with("total", a.total),
                    )
                    .with("e1", e1)
                    .with("e2", e2)
                    .with("difference", e2 - e1)
                    .with("group1", self.labels[g1].clone())
                    .with("group2", self.labels[g2].clone())
                    .into())
            }
            other => Err(no_such("a life table", other)),
        }
    }
}

/// Standard expected years of life lost (SEYLL), see
/// [`crate::trends::life_table::years_of_life_lost`]. Arguments: `deaths`, `age` (age at
/// death), `standard_age`, `standard_ex` (the standard life table: ages and remaining life
/// expectancy), `discount` (rate per year, default 0), `age_weighting` (GBD 1990 weights,
/// default false), `by`. Returns `table` (by..., age, deaths, standard_ex,
/// years_lost_per_death, years_lost per row) and `total` (by..., deaths, years_lost per
/// group).
pub fn years_of_life_lost(args: &Args) -> Result<Output> {
    use crate::trends::life_table::{years_of_life_lost as yll, YllParams};
    let deaths = args.nums("deaths")?;
    let age = args.nums("age")?;
    let n = deaths.len();
    let params = YllParams {
        discount: args.num_or("discount", 0.0)?,
        age_weighting: args.flag_or("age_weighting", false)?,
    };
    let r = yll(deaths, age, args.nums("standard_age")?, args.nums("standard_ex")?, &params)?;
    let vars = by_vars(args, n, "deaths")?;
    let groups: Option<Groups> = cross(&vars, n)?;
    let (codes, ng) = match &groups {
        Some(g) => (g.codes.iter().map(|&c| c as usize).collect::<Vec<_>>(), g.n()),
        None => (vec![0; n], 1),
    };
    let group_columns = match &groups {
        Some(g) => g.columns(&vars, &(0..g.n()).collect::<Vec<_>>()),
        None => Table::new(),
    };
    let (mut tot_d, mut tot_y) = (vec![0.0; ng], vec![0.0; ng]);
    for i in 0..n {
        tot_d[codes[i]] += deaths[i];
        tot_y[codes[i]] += r.years_lost[i];
    }
    let table = joined(
        group_columns.take(&codes),
        Table::new()
            .with("age", age.to_vec())
            .with("deaths", deaths.to_vec())
            .with("standard_ex", r.standard_ex)
            .with("years_lost_per_death", r.per_death)
            .with("years_lost", r.years_lost),
    );
    let total = joined(group_columns, Table::new().with("deaths", tot_d).with("years_lost", tot_y));
    Ok(Output::value(
        Record::new()
            .with("table", table)
            .with("total", total)
            .with("discount", params.discount)
            .with("age_weighting", params.age_weighting),
    ))
}

/// Funnel plot limits and flags, see [`crate::trends::funnel`].
pub fn funnel(args: &Args) -> Result<Output> {
    let observed = args.nums("observed")?;
    let denominator = args.nums("denominator")?;
    let limits = match args.opt_nums("limits")? {
        Some(l) => l.to_vec(),
        None => vec![0.95, 0.998],
    };
    let params = FunnelParams {
        kind: args.option::<FunnelKind>("kind")?,
        limits,
        overdispersion: args.option::<Overdispersion>("overdispersion")?,
        target: args.opt_num("target")?,
        winsorize: args.num_or("winsorize", 0.1)?,
        conf_level: args.num_or("conf_level", 0.95)?,
    };
    if let Some(t) = params.target {
        if !t.is_finite() {
            return Err(Error::InvalidArgument {
                arg: "target",
                reason: format!("must be a finite number, got {t}"),
            });
        }
    }
    let f = funnel_fit(observed, denominator, &params)?;
    let mut table = Table::new()
        .with("observed", observed.to_vec())
        .with("denominator", denominator.to_vec())
        .with("indicator", f.indicator)
        .with("z", f.z)
        .with("z_unadjusted", f.z_unadjusted);
    let mut curve = Table::new().with("denominator", f.curve_denominator);
    for (k, &level) in params.limits.iter().enumerate() {
        let lab = level_label(level);
        table.push(&format!("lower_{lab}"), f.lower[k].clone());
        table.push(&format!("upper_{lab}"), f.upper[k].clone());
        curve.push(&format!("lower_{lab}"), f.curve_lower[k].clone());
        curve.push(&format!("upper_{lab}"), f.curve_upper[k].clone());
    }
    table.push("flag", f.flag);
    if let Some((e, lo, hi)) = f.shrunk {
        table.push("shrunk", e);
        table.push("shrunk_lower", lo);
        table.push("shrunk_upper", hi);
    }
    Ok(Output::value(
        Record::new()
            .with("table", table)
            .with("curve", curve)
            .with("kind", params.kind.name())
            .with("overdispersion", params.overdispersion.name())
            .with("limits", params.limits.clone())
            .with("target", f.target)
            .with("phi", f.phi)
            .with("tau2", f.tau2)
            .with("adjusted", f.adjusted)
            .with("warnings", f.warnings),
    ))
}

// ---- joinpoint ------------------------------------------------------------------------

use crate::trends::joinpoint::{
    joinpoint_many, prepare, Joinpoint, JoinpointParams, JoinpointVariance, Selection,
};

/// Fits of every series, with their group columns (one row per group).
struct JoinpointFit {
    fits: Vec<Joinpoint>,
    group_columns: Table,
}

fn group_rows(group_columns: &Table, counts: &[usize]) -> Table {
    let rows: Vec<usize> = counts.iter().enumerate().flat_map(|(g, &c)| std::iter::repeat_n(g, c)).collect();
    group_columns.take(&rows)
}

/// Joinpoint regression (NCI's Joinpoint program), see [`crate::trends::joinpoint`].
///
/// Arguments: `x`, `y`, `se` (optional), `log_linear`, `variance` ("auto", "constant",
/// "se", "poisson"), `max_joinpoints`, `selection` ("bic", "bic3", "permutation"),
/// `n_permutations`, `alpha`, `min_obs_end`, `min_obs_between`, `seed`, `conf_level`,
/// `by`. Returns `joinpoints` (by..., joinpoint), `segments` (by..., segment, start,
/// end, apc, lower, upper, slope, slope_se, t, p), `fitted` (by..., row, x, y, fitted,
/// weight; sorted by x within a series), `models` (by..., joinpoints, locations, sse,
/// mse, df, bic, bic3, selected), `tests` (by..., null, alt, statistic, p_value, level,
/// reject), warnings; the fit answers `aapc` (`start`, `end`).
pub fn joinpoint(args: &Args) -> Result<Output> {
    let x = args.nums("x")?;
    let y = args.nums("y")?;
    let se = args.opt_nums("se")?;
    let n = x.len();
    let defaults = JoinpointParams::default();
    let seed = match args.opt_num("seed")? {
        None => defaults.seed,
        Some(s) if s.is_finite() && s >= 0.0 && s.fract() == 0.0 && s < 2f64.powi(53) => s as u64,
        Some(s) => {
            return Err(Error::InvalidArgument {
                arg: "seed",
                reason: format!("must be a whole number >= 0, got {s}"),
            })
        }
    };
    let params = JoinpointParams {
        log_linear: args.flag_or("log_linear", true)?,
        variance: args.option::<JoinpointVariance>("variance")?,
        max_joinpoints: args.count_or("max_joinpoints", defaults.max_joinpoints, 0)?,
        selection: args.option::<Selection>("selection")?,
        n_permutations: args.count_or("n_permutations", defaults.n_permutations, 1)?,
        alpha: args.num_or("alpha", defaults.alpha)?,
        min_obs_end: args.count_or("min_obs_end", defaults.min_obs_end, 1)?,
        min_obs_between: args.count_or("min_obs_between", defaults.min_obs_between, 0)?,
        seed,
        conf_level: args.num_or("conf_level", defaults.conf_level)?,
    };
    crate::trends::joinpoint::check_params(&params)?;
    let vars = by_vars(args, n, "x")?;
    let groups: Option<Groups> = cross(&vars, n)?;
    let series = prepare(x, y, se, groups.as_ref().map(|g| (&g.codes[..], g.n())), &params)?;
    let fits = joinpoint_many(series, &params)?;
    let group_columns = match &groups {
        Some(g) => g.columns(&vars, &(0..g.n()).collect::<Vec<_>>()),
        None => Table::new(),
    };
    let mut warnings = Vec::new();
    for (g, f) in fits.iter().enumerate() {
        for w in &f.warnings {
            match &groups {
                Some(gr) => warnings.push(format!("{}: {w}", gr.labels[g])),
                None => warnings.push(w.clone()),
            }
        }
    }
    // joinpoints
    let counts: Vec<usize> = fits.iter().map(|f| f.model().k).collect();
    let jp: Vec<f64> = fits.iter().flat_map(|f| f.model().joinpoints.clone()).collect();
    let joinpoints = joined(group_rows(&group_columns, &counts), Table::new().with("joinpoint", jp));
    // segments
    let counts: Vec<usize> = fits.iter().map(|f| f.segments.len()).collect();
    let segs = fits.iter().flat_map(|f| f.segments.iter());
    let col = |g: fn(&crate::trends::joinpoint::Segment) -> f64| -> Vec<f64> { segs.clone().map(g).collect() };
    let segment_no: Vec<usize> = fits.iter().flat_map(|f| 0..f.segments.len()).collect();
    let segments = joined(
        group_rows(&group_columns, &counts),
        Table::new()
            .with("segment", Value::Ints(segment_no.iter().map(|&s| s as i64 + 1).collect()))
            .with("start", col(|s| s.start))
            .with("end", col(|s| s.end))
            .with("apc", col(|s| s.apc))
            .with("lower", col(|s| s.lower))
            .with("upper", col(|s| s.upper))
            .with("slope", col(|s| s.slope))
            .with("slope_se", col(|s| s.slope_se))
            .with("t", col(|s| s.t))
            .with("p", col(|s| s.p)),
    );
    // fitted
    let counts: Vec<usize> = fits.iter().map(|f| f.x.len()).collect();
    let cat = |g: &dyn Fn(&Joinpoint) -> Vec<f64>| -> Vec<f64> { fits.iter().flat_map(g).collect() };
    let fitted = joined(
        group_rows(&group_columns, &counts),
        Table::new()
            .with("row", Value::Index(fits.iter().flat_map(|f| f.order.clone()).collect()))
            .with("x", cat(&|f| f.x.clone()))
            .with("y", cat(&|f| f.y.clone()))
            .with("fitted", cat(&|f| f.model().fitted.clone()))
            .with("weight", cat(&|f| f.weights.clone())),
    );
    // model table
    let counts: Vec<usize> = fits.iter().map(|f| f.models.len()).collect();
    let ms = || fits.iter().flat_map(|f| f.models.iter().map(move |m| (f, m)));
    let models = joined(
        group_rows(&group_columns, &counts),
        Table::new()
            .with("joinpoints", Value::Ints(ms().map(|(_, m)| m.k as i64).collect()))
            .with(
                "locations",
                Value::Strs(
                    ms().map(|(_, m)| m.joinpoints.iter().map(|v| format!("{v}")).collect::<Vec<_>>().join(", "))
                        .collect(),
                ),
            )
            .with("sse", ms().map(|(_, m)| m.sse).collect::<Vec<f64>>())
            .with("mse", ms().map(|(_, m)| m.mse).collect::<Vec<f64>>())
            .with("df", Value::Ints(ms().map(|(_, m)| m.df as i64).collect()))
            .with("bic", ms().map(|(_, m)| m.bic).collect::<Vec<f64>>())
            .with("bic3", ms().map(|(_, m)| m.bic3).collect::<Vec<f64>>())
            .with("selected", Value::Bools(ms().map(|(f, m)| m.k == f.selected).collect())),
    );
    // permutation tests
    let counts: Vec<usize> = fits.iter().map(|f| f.tests.len()).collect();
    let ts = || fits.iter().flat_map(|f| f.tests.iter());
    let tests = joined(
        group_rows(&group_columns, &counts),
        Table::new()
            .with("null", Value::Ints(ts().map(|t| t.null as i64).collect()))
            .with("alt", Value::Ints(ts().map(|t| t.alt as i64).collect()))
            .with("statistic", ts().map(|t| t.statistic).collect::<Vec<f64>>())
            .with("p_value", ts().map(|t| t.p_value).collect::<Vec<f64>>())
            .with("level", ts().map(|t| t.level).collect::<Vec<f64>>())
            .with("reject", Value::Bools(ts().map(|t| t.reject).collect())),
    );
    let value = Record::new()
        .with("joinpoints", joinpoints)
        .with("segments", segments)
        .with("fitted", fitted)
        .with("models", models)
        .with("tests", tests)
        .with("log_linear", params.log_linear)
        .with("selection", params.selection.name())
        .with("n_permutations", params.n_permutations as f64)
        .with("seed", seed as f64)
        .with("conf_level", params.conf_level)
        .with("warnings", warnings);
    Ok(Output::fit(value, JoinpointFit { fits, group_columns }))
}

impl Fitted for JoinpointFit {
    fn call(&self, method: &str, args: &Args) -> Result<Value> {
        match method {
            "aapc" => {
                let start = args.num("start")?;
                let end = args.num("end")?;
                let a = self
                    .fits
                    .iter()
                    .map(|f| f.aapc(start, end))
                    .collect::<Result<Vec<_>>>()?;
                Ok(joined(
                    self.group_columns.clone(),
                    Table::new()
                        .with("start", a.iter().map(|r| r.start).collect::<Vec<f64>>())
                        .with("end", a.iter().map(|r| r.end).collect::<Vec<f64>>())
                        .with("aapc", a.iter().map(|r| r.aapc).collect::<Vec<f64>>())
                        .with("lower", a.iter().map(|r| r.lower).collect::<Vec<f64>>())
                        .with("upper", a.iter().map(|r| r.upper).collect::<Vec<f64>>())
                        .with("mean_slope", a.iter().map(|r| r.mean_slope).collect::<Vec<f64>>())
                        .with("mean_slope_se", a.iter().map(|r| r.se).collect::<Vec<f64>>()),
                )
                .into())
            }
            other => Err(no_such("a joinpoint fit", other)),
        }
    }
}
