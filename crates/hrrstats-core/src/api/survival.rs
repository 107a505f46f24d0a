//! Kaplan–Meier and the log-rank test through the protocol.

use super::{no_such, Fitted, Output};
use crate::data::SurvivalData;
use crate::data::check_conf_level;
use crate::dist::{p_normal_two_sided, qnorm};
use crate::error::{Error, Result};
use crate::protocol::{ints, Arg, Args, Matrix, Record, Table, Value};
use crate::survival::km::{ConfType, KaplanMeier, KaplanMeierFit, Variance};
use crate::survival::logrank::LogrankTest;

/// `time`, `status` and the optional `entry`, `weights`, `strata` of a survival call.
pub(crate) fn survival_data<'a>(args: &'a Args, weights: bool) -> Result<SurvivalData<'a>> {
    SurvivalData::from_parts(
        args.nums("time")?,
        args.nums("status")?,
        args.opt_nums("entry")?,
        if weights { args.opt_nums("weights")? } else { None },
        args.opt_codes("strata")?,
    )
}

/// Kaplan–Meier curves: `time`, `status`, `entry`, `weights`, `strata`, `conf_type`,
/// `conf_level`, `variance`. Returns `table` (one row per time per stratum), `n`,
/// `robust`, `conf_type`, `conf_level`; the fit answers `quantile(probs)` and
/// `survival_at(times, strata)`.
pub fn kaplan_meier(args: &Args) -> Result<Output> {
    let data = survival_data(args, true)?;
    let fit = KaplanMeier::params()
        .conf_type(args.option::<ConfType>("conf_type")?)
        .conf_level(args.num_or("conf_level", 0.95)?)
        .variance(args.option::<Variance>("variance")?)
        .fit(&data)?;
    let f = &fit;
    let table = Table::new()
        .with("strata", Value::Index(f.row_strata().iter().map(|&k| k as usize).collect()))
        .with("time", &f.time)
        .with("n_risk", &f.n_risk)
        .with("n_event", &f.n_event)
        .with("n_censor", &f.n_censor)
        .with("survival", &f.survival)
        .with("std_err", &f.std_err)
        .with("lower", &f.lower)
        .with("upper", &f.upper)
        .with("cumulative_hazard", &f.cumulative_hazard)
        .with("std_err_cumulative_hazard", &f.std_err_cumulative_hazard);
    let mut n_event = vec![0.0; f.n_strata];
    for k in 0..f.n_strata {
        n_event[k] = f.n_event[f.stratum_range(k)].iter().sum();
    }
    let median = quantile_table(f, &[0.5])?;
    let rec = Record::new()
        .with("table", table)
        .with("n", ints(&f.n))
        .with("events", n_event)
        .with("n_strata", f.n_strata)
        .with("robust", f.robust)
        .with("conf_type", f.conf_type.name())
        .with("conf_level", f.conf_level)
        .with("median", median);
    Ok(Output::fit(rec, fit))
}

/// strata, prob, quantile, lower, upper: every stratum for every p.
fn quantile_table(f: &KaplanMeierFit, probs: &[f64]) -> Result<Table> {
    let (mut strata, mut prob, mut est, mut lo, mut hi) = (vec![], vec![], vec![], vec![], vec![]);
    for &p in probs {
        for (k, q) in f.quantile(p)?.into_iter().enumerate() {
            strata.push(k);
            prob.push(p);
            est.push(q.estimate);
            lo.push(q.lower);
            hi.push(q.upper);
        }
    }
    Ok(Table::new()
        .with("strata", strata)
        .with("prob", prob)
        .with("quantile", est)
        .with("lower", lo)
        .with("upper", hi))
}

impl Fitted for KaplanMeierFit {
    fn call(&self, method: &str, args: &Args) -> Result<Value> {
        match method {
            "quantile" => quantile_table(self, args.nums("probs")?).map(Value::Table),
            "survival_at" => {
                let times = args.nums("times")?;
                let strata: Vec<usize> = match stratum_labels(args, "stratum")? {
                    Some(k) => k,
                    None => match args.opt_codes("strata")? {
                        Some((c, _)) => c.iter().map(|&k| k as usize).collect(),
                        None => (0..self.n_strata).collect(),
                    },
                };
                let mut cols: [Vec<f64>; 7] = Default::default();
                let mut s_col = Vec::new();
                for &k in &strata {
                    let at = self.survival_at(k, times)?;
                    s_col.extend(std::iter::repeat_n(k, at.time.len()));
                    for (c, v) in cols.iter_mut().zip([
                        at.time,
                        at.n_risk,
                        at.survival,
                        at.std_err,
                        at.lower,
                        at.upper,
                        at.cumulative_hazard,
                    ]) {
                        c.extend(v);
                    }
                }
                let mut t = Table::new().with("strata", s_col);
                for (name, c) in ["time", "n_risk", "survival", "std_err", "lower", "upper", "cumulative_hazard"]
                    .iter()
                    .zip(cols)
                {
                    t.push(name, c);
                }
                Ok(Value::Table(t))
            }
            "rmst" => rmst_table(self, args).map(Value::Table),
            "rmst_difference" => rmst_difference(self, args).map(Value::Record),
            other => Err(no_such("a Kaplan-Meier fit", other)),
        }
    }
}

/// Strata chosen by label: `name` (the user's labels, strings) looked up among `levels` (the
/// fit's stratum labels, as the host shows them), or `None` when `name` is absent or codes. An
/// unknown label is an error naming `name` and listing the strata.
fn stratum_labels(args: &Args, name: &'static str) -> Result<Option<Vec<usize>>> {
    if !matches!(args.get(name), Some(Arg::Str(_) | Arg::Strs(_))) {
        return Ok(None);
    }
    let levels = args.strs("levels")?;
    args.strs(name)?
        .iter()
        .map(|label| {
            levels.iter().position(|l| l == label).ok_or_else(|| Error::InvalidArgument {
                arg: name,
                reason: format!("\"{label}\" is not a stratum of the fit (strata: {})", levels.join(", ")),
            })
        })
        .collect::<Result<Vec<usize>>>()
        .map(Some)
}

/// The horizon of a restricted mean (one positive, finite `tau`) and the normal
/// quantile of the limits at `conf_level` (default the fit's).
fn rmst_args(f: &KaplanMeierFit, args: &Args) -> Result<(f64, f64, f64)> {
    let tau = args.num("tau")?;
    if !(tau.is_finite() && tau > 0.0) {
        return Err(Error::InvalidArgument {
            arg: "tau",
            reason: format!("must be a positive, finite time, not {tau}"),
        });
    }
    let level = args.num_or("conf_level", f.conf_level)?;
    check_conf_level(level)?;
    Ok((tau, level, qnorm(0.5 + level / 2.0)))
}

/// Restricted mean survival time up to `tau` per stratum: strata, tau, rmst, std_err,
/// lower, upper (Wald limits at `conf_level`, default the fit's).
fn rmst_table(f: &KaplanMeierFit, args: &Args) -> Result<Table> {
    let (tau, _, q) = rmst_args(f, args)?;
    let (mut est, mut se) = (Vec::new(), Vec::new());
    for k in 0..f.n_strata {
        let (m, s) = f.rmst(k, tau);
        est.push(m);
        se.push(s);
    }
    let lower: Vec<f64> = est.iter().zip(&se).map(|(m, s)| m - q * s).collect();
    let upper: Vec<f64> = est.iter().zip(&se).map(|(m, s)| m + q * s).collect();
    Ok(Table::new()
        .with("strata", Value::Index((0..f.n_strata).collect()))
        .with("tau", vec![tau; f.n_strata])
        .with("rmst", est)
        .with("std_err", se)
        .with("lower", lower)
        .with("upper", upper))
}

/// Difference of the restricted means of two strata (`strata`: two codes, default the
/// first two): difference (first minus second), std_err (the strata are independent),
/// z, p, lower, upper.
fn rmst_difference(f: &KaplanMeierFit, args: &Args) -> Result<Record> {
    let (tau, level, q) = rmst_args(f, args)?;
    let chosen: Option<Vec<usize>> = match stratum_labels(args, "strata")? {
        Some(k) => Some(k),
        None => args.opt_codes("strata")?.map(|(c, _)| c.iter().map(|&k| k as usize).collect()),
    };
    let (a, b) = match chosen.as_deref() {
        Some(&[a, b]) if a < f.n_strata && b < f.n_strata && a != b => (a, b),
        Some(_) => {
            return Err(Error::InvalidArgument {
                arg: "strata",
                reason: "give two different strata of the fit".into(),
            })
        }
        None if f.n_strata >= 2 => (0, 1),
        None => {
            return Err(Error::InvalidArgument {
                arg: "strata",
                reason: "a difference of restricted means needs a fit with two or more strata".into(),
            })
        }
    };
    let ((m1, s1), (m2, s2)) = (f.rmst(a, tau), f.rmst(b, tau));
    let d = m1 - m2;
    let se = (s1 * s1 + s2 * s2).sqrt();
    let z = d / se;
    Ok(Record::new()
        .with("strata", Value::Index(vec![a, b]))
        .with("tau", tau)
        .with("difference", d)
        .with("std_err", se)
        .with("z", z)
        .with("p_value", p_normal_two_sided(z))
        .with("lower", d - q * se)
        .with("upper", d + q * se)
        .with("conf_level", level))
}

/// Log-rank / G-rho test: `time`, `status`, `entry`, `group`, `strata`, `rho`.
/// Returns statistic, df, p_value, rho, the per-group table (group, n, observed,
/// expected, (O-E)^2/E, (O-E)^2/V), the variance matrix of O - E and observed and
/// expected by stratum (groups x strata).
pub fn logrank_test(args: &Args) -> Result<Output> {
    let data = survival_data(args, false)?;
    let (group, n_groups) = args.codes("group")?;
    let r = LogrankTest::params()
        .rho(args.num_or("rho", 0.0)?)
        .fit(&data, group, n_groups)?;
    let mut strata = args.levels("strata");
    if strata.is_empty() {
        strata.push("all".into());
    }
    let names = (args.levels("group"), strata);
    Ok(Output::value(logrank_record(&r, Some(names))))
}

/// The record of a log-rank test: statistic, df, p_value, rho, the table (group, n,
/// observed, expected, (O-E)^2/E, (O-E)^2/V), variance, by-stratum observed and expected;
/// the matrices' rows named by the group labels and their columns by the group or
/// stratum labels, when `names` (group labels, stratum labels) match their sizes.
fn logrank_record(r: &LogrankTest, names: Option<(Vec<String>, Vec<String>)>) -> Record {
    let g = r.n_groups;
    let (o, e) = (&r.observed, &r.expected);
    let table = Table::new()
        .with("group", (0..g).collect::<Vec<usize>>())
        .with("n", ints(&r.n))
        .with("observed", o)
        .with("expected", e)
        .with("(O-E)^2/E", (0..g).map(|j| (o[j] - e[j]).powi(2) / e[j]).collect::<Vec<f64>>())
        .with(
            "(O-E)^2/V",
            (0..g)
                .map(|j| (o[j] - e[j]).powi(2) / r.variance[j * g + j])
                .collect::<Vec<f64>>(),
        );
    let (groups, strata) = match names {
        Some((gl, sl)) if gl.len() == g && sl.len() == r.n_strata => (Some(gl), Some(sl)),
        _ => (None, None),
    };
    // groups x strata, as survdiff's obs and exp
    let by_stratum = |v: &[f64]| Matrix {
        nrow: g,
        ncol: r.n_strata,
        data: (0..r.n_strata).flat_map(|s| (0..g).map(move |j| v[s * g + j])).collect(),
        row_names: groups.clone(),
        col_names: strata.clone(),
    };
    let mut variance = Matrix::square_unnamed(&r.variance, g);
    variance.row_names = groups.clone();
    variance.col_names = groups.clone();
    // survdiff gives NA (with R's "NaNs produced") when nothing can be compared.
    let warnings: Vec<String> = if r.df == 0 {
        vec!["the test has 0 degrees of freedom (no events, or a single group with any): p-value NA".to_string()]
    } else {
        Vec::new()
    };
    Record::new()
        .with("warnings", warnings)
        .with("statistic", r.statistic)
        .with("df", r.df)
        .with("p_value", r.p_value)
        .with("rho", r.rho)
        .with("table", table)
        .with("variance", variance)
        .with("observed_by_stratum", by_stratum(&r.observed_by_stratum))
        .with("expected_by_stratum", by_stratum(&r.expected_by_stratum))
        .with("n_strata", r.n_strata)
}

// ---- log-rank over parts (hrrstats.dask) ----------------------------------------------------

fn logrank_part<'a>(args: &'a Args) -> Result<crate::survival::logrank_parts::LogrankPart<'a>> {
    Ok(crate::survival::logrank_parts::LogrankPart {
        time: args.nums("time")?,
        status: args.nums("status")?,
        entry: args.opt_nums("entry")?,
        strata: args.opt_codes("strata")?,
        group: args.codes("group")?,
    })
}

/// `logrank_part_pass`: one part's pass — "times" (its event times per stratum and rows
/// per group) or "counts" (`times`/`time_offsets` of the whole data: at risk and deaths
/// per time and group) — from its `time`, `status`, `entry`, `group` and `strata` (codes
/// with the whole data's levels).
pub fn logrank_part_pass(args: &Args) -> Result<Output> {
    use crate::survival::logrank_parts::{part_counts, part_times};
    let part = logrank_part(args)?;
    let rec = match args.str_or("pass", "times")? {
        "times" => {
            let (times, n) = part_times(&part)?;
            Record::new()
                .with("times", Value::List(times.into_iter().map(Value::Nums).collect()))
                .with("n", n.iter().map(|&v| v as f64).collect::<Vec<f64>>())
        }
        "counts" => {
            let times = super::cox::event_times_arg(args)?;
            let (risk, dead) = part_counts(&part, &times)?;
            Record::new().with("risk", risk).with("dead", dead)
        }
        other => {
            return Err(Error::InvalidArgument {
                arg: "pass",
                reason: format!("unknown value \"{other}\"; accepted: \"times\", \"counts\""),
            })
        }
    };
    Ok(Output::value(rec))
}

/// The driver of a log-rank test over parts.
struct LogrankParts {
    rho: f64,
    state: std::sync::Mutex<LogrankState>,
}

enum LogrankState {
    Times,
    Counts { times: crate::survival::cox::partitioned::EventTimes, n: Vec<usize> },
    Done(Record),
}

impl LogrankParts {
    fn request(&self) -> Value {
        match &*self.state.lock().expect("state") {
            LogrankState::Times => Value::Record(Record::new().with("pass", "times")),
            LogrankState::Counts { times, .. } => Value::Record(
                Record::new()
                    .with("pass", "counts")
                    .with("times", &times.times)
                    .with("time_offsets", times.offsets.iter().map(|&o| o as f64).collect::<Vec<f64>>()),
            ),
            LogrankState::Done(_) => Value::Null,
        }
    }

    fn step(&self, args: &Args) -> Result<Value> {
        use crate::survival::cox::partitioned::EventTimes;
        let recs = super::cox::part_records(args)?;
        let mut st = self.state.lock().expect("state");
        let next = match &*st {
            LogrankState::Times => {
                let mut per: Vec<Vec<f64>> = Vec::new();
                let mut n: Vec<usize> = Vec::new();
                for r in &recs {
                    let t = super::cox::list_of_nums(r, "times")?;
                    let m: Vec<usize> = r.nums("n")?.iter().map(|&v| v as usize).collect();
                    if per.is_empty() {
                        per = vec![Vec::new(); t.len()];
                        n = vec![0; m.len()];
                    }
                    if t.len() != per.len() || m.len() != n.len() {
                        return Err(Error::InvalidArgument { arg: "parts", reason: "the parts have different strata or groups".into() });
                    }
                    for (a, b) in per.iter_mut().zip(t) {
                        a.extend(b);
                    }
                    n.iter_mut().zip(&m).for_each(|(a, b)| *a += b);
                }
                for t in &mut per {
                    t.sort_by(f64::total_cmp);
                    t.dedup();
                }
                LogrankState::Counts { times: EventTimes::from_strata(&per), n }
            }
            LogrankState::Counts { times, n } => {
                let (k, g) = (times.k(), n.len());
                let (mut risk, mut dead) = (vec![0.0; k * g], vec![0.0; k * g]);
                for r in &recs {
                    let (a, b) = (r.nums("risk")?, r.nums("dead")?);
                    if a.len() != k * g || b.len() != k * g {
                        return Err(Error::InvalidArgument { arg: "parts", reason: "the counts are not of this pass".into() });
                    }
                    risk.iter_mut().zip(a).for_each(|(x, y)| *x += y);
                    dead.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                }
                let r = crate::survival::logrank_parts::from_counts(times, &risk, &dead, n.clone(), self.rho)?;
                LogrankState::Done(logrank_record(&r, None))
            }
            LogrankState::Done(_) => return Err(Error::InvalidArgument { arg: "parts", reason: "the test is done".into() }),
        };
        *st = next;
        let done = matches!(*st, LogrankState::Done(_));
        drop(st);
        Ok(Value::Record(Record::new().with("done", done).with("request", self.request())))
    }
}

impl Fitted for LogrankParts {
    fn call(&self, method: &str, args: &Args) -> Result<Value> {
        match method {
            "request" => Ok(self.request()),
            "step" => self.step(args),
            "result" => match &*self.state.lock().expect("state") {
                LogrankState::Done(r) => Ok(Value::Record(r.clone())),
                _ => Err(Error::InvalidArgument { arg: "result", reason: "the test is not done: run the passes it asks for".into() }),
            },
            other => Err(super::no_such("a log-rank test over partitions", other)),
        }
    }
}

/// `logrank_partitioned`: the driver of a log-rank test over parts (`rho`). Operations:
/// `request` (the next pass: "times", then "counts"; NULL when done), `step` (`parts`:
/// the records of `logrank_part_pass` over every part) and `result` (the record of
/// `logrank_test`).
pub fn logrank_partitioned(args: &Args) -> Result<Output> {
    let rho = args.num_or("rho", 0.0)?;
    LogrankTest::params().rho(rho).check()?;
    let f = LogrankParts { rho, state: std::sync::Mutex::new(LogrankState::Times) };
    let first = f.request();
    Ok(Output::fit(Record::new().with("request", first), f))
}
