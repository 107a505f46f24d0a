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
