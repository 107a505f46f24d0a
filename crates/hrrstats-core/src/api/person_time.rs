//! Person-time and rates through the protocol: Lexis splitting and cuts, person-time
//! tables, crude rates and their comparisons, direct standardisation (with pooling of
//! finer ages onto a standard population's groups) and SIRs with homogeneity tests.
//!
//! Conventions shared by the methods here:
//! - Lexis data: `time_scales` (named columns: each scale's value at entry, the first
//!   being the scale `exit` is measured on: NULL/None there stands for `entry`), `entry`,
//!   `exit`, `status`, optional `entry_status`; `breaks` (named columns: break points per
//!   split scale); `drop`.
//! - `by`: named groupings (a record of codes with levels); several are crossed, first
//!   varying slowest, into groups labelled `name=level, ...` in messages. Results give
//!   each by-variable's 0-based level code per row (a column named after it) for the
//!   binding to show the user's own values.
//! - Numeric arguments of the rate functions are recycled: a single number stands for a
//!   column of the others' length.

use std::borrow::Cow;

use super::Output;
use crate::data::check_len;
use crate::error::{Error, Result};
use crate::person_time::{
    crude_rates, cut_lexis, direct_standardize_labelled, rate_differences, rate_ratios,
    sir_labelled, standard_population_arg, Comparison, LexisData, LexisSplit,
};
use crate::person_time::lexis::ZERO_LENGTH_TOL;
use crate::protocol::{Arg, Args, Record, Table, Value};

// ---- arguments ----------------------------------------------------------------------

/// Columns `names`, a single value recycled to the length of the longest; any other
/// length is an error naming the first argument of that length.
fn recycled<'b>(args: &'b Args, names: &[&'static str]) -> Result<Vec<Cow<'b, [f64]>>> {
    let cols = names
        .iter()
        .map(|&nm| args.nums(nm))
        .collect::<Result<Vec<_>>>()?;
    let n = cols.iter().map(|c| c.len()).max().unwrap_or(0);
    let reference = names[cols.iter().position(|c| c.len() == n).unwrap_or(0)];
    names
        .iter()
        .zip(cols)
        .map(|(&nm, c)| match c.len() {
            l if l == n => Ok(Cow::Borrowed(c)),
            1 => Ok(Cow::Owned(vec![c[0]; n])),
            l => Err(Error::LengthMismatch {
                arg: nm,
                len: l,
                expected_arg: reference,
                expected: n,
            }),
        })
        .collect()
}

/// A column of length `n`, or a single value repeated `n` times.
fn broadcast<'b>(args: &'b Args, name: &'static str, n: usize) -> Result<Cow<'b, [f64]>> {
    let x = args.nums(name)?;
    if x.len() == 1 && n != 1 {
        return Ok(Cow::Owned(vec![x[0]; n]));
    }
    check_len(name, x.len(), "entry", n)?;
    Ok(Cow::Borrowed(x))
}

fn conf_level(args: &Args) -> Result<f64> {
    args.num_or("conf_level", 0.95)
}

/// `per`: the multiplier of rates (1e5 for rates per 100,000), finite and positive.
fn per(args: &Args) -> Result<f64> {
    let p = args.num_or("per", 1.0)?;
    if !(p.is_finite() && p > 0.0) {
        return Err(Error::InvalidArgument {
            arg: "per",
            reason: format!("must be a finite positive number, got {p}"),
        });
    }
    Ok(p)
}

fn scaled(x: &[f64], by: f64) -> Vec<f64> {
    x.iter().map(|v| v * by).collect()
}

/// A by-variable: its name, the level code of each row and the level labels.
pub(super) struct ByVar<'b> {
    name: String,
    codes: &'b [u32],
    levels: &'b [String],
}

pub(super) fn by_vars<'b>(args: &'b Args, n: usize, reference: &'static str) -> Result<Vec<ByVar<'b>>> {
    let Some(rec) = args.record("by")? else {
        return Ok(Vec::new());
    };
    rec.items
        .iter()
        .filter(|(_, a)| !matches!(a, Arg::Null))
        .map(|(name, a)| match a {
            Arg::Codes { codes, levels } => {
                if codes.len() != n {
                    return Err(Error::InvalidArgument {
                        arg: "by",
                        reason: format!("`{name}` has length {} but `{reference}` has length {n}", codes.len()),
                    });
                }
                crate::data::check_codes("by", codes, levels.len().max(1))?;
                Ok(ByVar {
                    name: name.clone(),
                    codes,
                    levels,
                })
            }
            _ => Err(Error::InvalidArgument {
                arg: "by",
                reason: format!("`{name}` must be a grouping variable (codes with levels)"),
            }),
        })
        .collect()
}

/// By-variables crossed into one grouping: the combinations that occur, in order of the
/// first variable, then the second, ...
pub(super) struct Groups {
    /// Group of each row.
    pub(super) codes: Vec<u32>,
    /// `name=level, ...` per group.
    pub(super) labels: Vec<String>,
    /// Per by-variable, its level code in each group.
    pub(super) var_codes: Vec<Vec<usize>>,
}

impl Groups {
    pub(super) fn n(&self) -> usize {
        self.labels.len()
    }
    /// The by-variables' codes per group as columns named after them.
    pub(super) fn columns(&self, vars: &[ByVar], rows: &[usize]) -> Table {
        let mut t = Table::new();
        for (v, c) in vars.iter().zip(&self.var_codes) {
            t.push(&v.name, Value::Index(rows.iter().map(|&g| c[g]).collect()));
        }
        t
    }
}

pub(super) fn cross(vars: &[ByVar], n: usize) -> Result<Option<Groups>> {
    if vars.is_empty() {
        return Ok(None);
    }
    let sizes: Vec<u64> = vars.iter().map(|v| v.levels.len().max(1) as u64).collect();
    if sizes
        .iter()
        .try_fold(1u64, |acc, &s| acc.checked_mul(s))
        .is_none()
    {
        return Err(Error::InvalidArgument {
            arg: "by",
            reason: "too many combinations of by-levels".into(),
        });
    }
    let key = |i: usize| {
        vars.iter()
            .zip(&sizes)
            .fold(0u64, |k, (v, &s)| k * s + v.codes[i] as u64)
    };
    let mut keys: Vec<u64> = (0..n).map(key).collect();
    let mut used = keys.clone();
    used.sort_unstable();
    used.dedup();
    for k in keys.iter_mut() {
        *k = used.binary_search(k).expect("a used key") as u64;
    }
    let mut var_codes = vec![Vec::with_capacity(used.len()); vars.len()];
    let mut labels = Vec::with_capacity(used.len());
    for &u in &used {
        let mut rest = u;
        let mut digits = vec![0usize; vars.len()];
        for j in (0..vars.len()).rev() {
            digits[j] = (rest % sizes[j]) as usize;
            rest /= sizes[j];
        }
        let parts: Vec<String> = vars
            .iter()
            .zip(&digits)
            .map(|(v, &d)| {
                let lev = v.levels.get(d).cloned().unwrap_or_else(|| d.to_string());
                format!("{}={lev}", v.name)
            })
            .collect();
        labels.push(parts.join(", "));
        for (j, &d) in digits.iter().enumerate() {
            var_codes[j].push(d);
        }
    }
    Ok(Some(Groups {
        codes: keys.into_iter().map(|k| k as u32).collect(),
        labels,
        var_codes,
    }))
}

/// Table `b` appended to `a`, column by column.
pub(super) fn joined(mut a: Table, b: Table) -> Table {
    for (name, col) in b.columns {
        a.push(&name, col);
    }
    a
}

// ---- Lexis ------------------------------------------------------------------------------

/// `time_scales` (named columns: each scale's value at entry) with `entry`: the first
/// scale is the one `entry` and `exit` are measured on, given as NULL/None (its value is
/// then `entry`) or as a column equal to `entry`.
fn time_scales<'b>(args: &'b Args) -> Result<Vec<(String, &'b [f64])>> {
    let entry = args.opt_nums("entry")?;
    let Some(rec) = args.record("time_scales")? else {
        return Err(Error::InvalidArgument {
            arg: "time_scales",
            reason: "is required".into(),
        });
    };
    let mut scales = Vec::with_capacity(rec.items.len());
    for (k, (name, a)) in rec.items.iter().enumerate() {
        let v: &[f64] = match (a, entry) {
            (Arg::Null, Some(e)) if k == 0 => e,
            (Arg::Nums(v), _) => v,
            (Arg::Num(x), _) => std::slice::from_ref(x),
            _ => {
                return Err(Error::InvalidArgument {
                    arg: "time_scales",
                    reason: format!("the value at entry of scale `{name}` must be numeric"),
                })
            }
        };
        let same = |e: &[f64]| {
            e.len() == v.len() && e.iter().zip(v).all(|(a, b)| a == b || (a.is_nan() && b.is_nan()))
        };
        if k == 0 && !entry.is_none_or(same) {
            return Err(Error::InvalidArgument {
                arg: "time_scales",
                reason: format!(
                    "the first scale (`{name}`) is the one `entry` and `exit` are measured on; \
                     its value at entry must be `entry` (give NULL in R, None in Python)"
                ),
            });
        }
        scales.push((name.clone(), v));
    }
    Ok(scales)
}

/// `breaks`: named columns, the break points of each scale to split.
fn breaks<'b>(args: &'b Args) -> Result<Vec<(&'b str, &'b [f64])>> {
    let items = args.record("breaks")?.map_or(&[][..], |r| &r.items[..]);
    items
        .iter()
        .map(|(name, a)| match a {
            Arg::Nums(v) => Ok((name.as_str(), &v[..])),
            Arg::Num(x) => Ok((name.as_str(), std::slice::from_ref(x))),
            _ => Err(Error::InvalidArgument {
                arg: "breaks",
                reason: format!("the breaks of `{name}` must be numeric"),
            }),
        })
        .collect()
}

/// The rows (time scales, exit, status, entry_status) of the Lexis methods; `id_length`:
/// the length of the user's `id` (the ids stay in the host, shown by the tables' `row`),
/// which must be that of `entry`.
fn lexis_data<'b>(args: &'b Args) -> Result<LexisData<'b>> {
    let d = LexisData::new(time_scales(args)?, args.nums("exit")?, args.nums("status")?)?;
    if let Some(k) = args.opt_num("id_length")? {
        check_len("id", k as usize, "entry", d.len())?;
    }
    match args.opt_nums("entry_status")? {
        Some(s) => d.with_entry_status(s),
        None => Ok(d),
    }
}

fn lexis_split_of(args: &Args, d: &LexisData) -> Result<(LexisSplit, Vec<String>)> {
    let pairs = breaks(args)?;
    if pairs.is_empty() {
        return Err(Error::InvalidArgument {
            arg: "breaks",
            reason: "at least one time scale to split is needed".into(),
        });
    }
    let names = pairs.iter().map(|(n, _)| n.to_string()).collect();
    Ok((LexisSplit::new(d, &pairs, args.flag_or("drop", true)?)?, names))
}

/// A state code as a column-name suffix: whole numbers without a decimal point.
fn state_label(s: f64) -> String {
    if s.fract() == 0.0 && s.abs() < 1e15 {
        format!("{}", s as i64)
    } else {
        format!("{s}")
    }
}

/// Split follow-up on the Lexis diagram (`Epi::splitLexis` / `popEpi::splitMulti`).
/// Returns `table`: row (the input row), one column per time scale (its value at the
/// piece's start), `<scale>_band` per split scale (lower break, NaN outside), duration,
/// [entry_status], status; and `warnings` (rows of zero-length follow-up dropped, as
/// `Epi::Lexis` announces).
pub fn lexis_split(args: &Args) -> Result<Output> {
    let d = lexis_data(args)?;
    let (split, bnames) = lexis_split_of(args, &d)?;
    let r = split.try_split(&d)?;
    let mut t = Table::new().with(
        "row",
        Value::Index(r.row.iter().map(|&i| i as usize).collect()),
    );
    for (name, v) in d.names().iter().zip(r.start) {
        t.push(name, v);
    }
    for (name, v) in bnames.iter().zip(r.band) {
        t.push(&format!("{name}_band"), v);
    }
    t.push("duration", r.duration);
    if args.get("entry_status").is_some() {
        t.push("entry_status", r.entry_status);
    }
    t.push("status", r.status);
    Ok(Output::value(with_warnings(t, d.zero_length_warning(ZERO_LENGTH_TOL))))
}

/// A Lexis result: its `table` and `warnings` (rows dropped for zero-length follow-up).
fn with_warnings(table: Table, warning: Option<String>) -> Record {
    Record::new()
        .with("table", table)
        .with("warnings", warning.into_iter().collect::<Vec<String>>())
}

/// The life lines of a Lexis diagram: per row (input order) its start `x0`, `y0` and end
/// `x1`, `y1` on the first two time scales, and `event` (1 when the exit state differs
/// from the entry state). The Lexis data are checked as for a split (an exit that is
/// missing or before entry is an error naming `exit` and the row); the host samples
/// rows and draws. `breaks` (optional, the grid the host draws) are checked as a split's.
pub fn lexis_segments(args: &Args) -> Result<Output> {
    let d = lexis_data(args)?;
    breaks(args)?; // optional: the grid the host draws (checked as for a split)
    if d.names().len() < 2 {
        return Err(Error::InvalidArgument {
            arg: "time_scales",
            reason: "a Lexis diagram needs two time scales".into(),
        });
    }
    let n = d.len();
    let (mut x0, mut y0, mut x1, mut y1, mut ev) = (vec![], vec![], vec![], vec![], vec![]);
    for i in 0..n {
        let dur = d.duration(i);
        x0.push(d.at_entry(0, i));
        y0.push(d.at_entry(1, i));
        x1.push(d.exit(i));
        y1.push(d.at_entry(1, i) + dur);
        ev.push(f64::from(u8::from(d.exit_state(i) != d.entry_state(i))));
    }
    Ok(Output::value(
        Table::new()
            .with("x0", x0)
            .with("y0", y0)
            .with("x1", x1)
            .with("y1", y1)
            .with("event", ev),
    ))
}

/// Cut follow-up at individual times (`Epi::cutLexis`): `cut` (NaN: never),
/// `timescale` (default the first scale), `new_state` (a column or one value),
/// `precursor_states`, `progressive`. Returns `table`: row, the time scales at entry,
/// exit, duration, entry_status, status; and `warnings` (rows of zero length dropped).
pub fn lexis_cut(args: &Args) -> Result<Output> {
    let d = lexis_data(args)?;
    let n = d.len();
    let cut = args.nums("cut")?;
    check_len("cut", cut.len(), "entry", n)?;
    let new_state = broadcast(args, "new_state", n)?;
    let timescale = match args.get("timescale") {
        None => d.names()[0].clone(),
        Some(_) => args.str("timescale")?.to_string(),
    };
    let r = cut_lexis(
        &d,
        cut,
        &timescale,
        &new_state,
        args.opt_nums("precursor_states")?,
        args.flag_or("progressive", false)?,
    )?;
    let duration = r.duration();
    let mut t = Table::new().with(
        "row",
        Value::Index(r.row.iter().map(|&i| i as usize).collect()),
    );
    for (name, v) in r.names.iter().zip(r.at_entry) {
        t.push(name, v);
    }
    let t = t
        .with("exit", r.exit)
        .with("duration", duration)
        .with("entry_status", r.entry_status)
        .with("status", r.status);
    // rows of zero length have no part to keep (the cut keeps parts of positive length)
    Ok(Output::value(with_warnings(t, d.zero_length_warning(f64::MIN_POSITIVE))))
}

/// Person-time and events by Lexis bands (and `by` variables), without materialising
/// the split. Returns `table`: `<scale>_band` per split scale, the by-variables (level
/// codes), [entry_status], person_time, events (pieces ending in a state other than
/// the entry state), and `events_<state>` per state entered when there are several; and
/// `warnings` (rows of zero-length follow-up dropped, with their events).
pub fn person_time_table(args: &Args) -> Result<Output> {
    let d = lexis_data(args)?;
    let (split, bnames) = lexis_split_of(args, &d)?;
    let vars = by_vars(args, d.len(), "entry")?;
    let by: Vec<(&[u32], usize)> = vars
        .iter()
        .map(|v| (v.codes, v.levels.len().max(1)))
        .collect();
    let r = split.person_time_table(&d, &by)?;
    let mut t = Table::new();
    for (name, v) in bnames.iter().zip(r.band) {
        t.push(&format!("{name}_band"), v);
    }
    for (v, c) in vars.iter().zip(r.by) {
        t.push(
            &v.name,
            Value::Index(c.into_iter().map(|k| k as usize).collect()),
        );
    }
    if args.get("entry_status").is_some() {
        t.push("entry_status", r.entry_status);
    }
    let events: Vec<f64> = (0..r.person_time.len())
        .map(|i| r.transitions.iter().map(|s| s[i]).sum())
        .collect();
    t.push("person_time", r.person_time);
    t.push("events", events);
    if r.states.len() > 1 {
        for (s, v) in r.states.iter().zip(r.transitions) {
            t.push(&format!("events_{}", state_label(*s)), v);
        }
    }
    Ok(Output::value(with_warnings(t, d.zero_length_warning(ZERO_LENGTH_TOL))))
}

// ---- rates ------------------------------------------------------------------------------

/// Crude rates with exact Poisson limits (`stats::poisson.test`): `events`,
/// `person_time`, `null_rate`, `conf_level`, `per`. Returns a table: events,
/// person_time, rate, lower, upper (x per), [p_value].
pub fn rate(args: &Args) -> Result<Output> {
    let v = recycled(args, &["events", "person_time"])?;
    let p = per(args)?;
    let r = crude_rates(&v[0], &v[1], args.opt_num("null_rate")?, conf_level(args)?)?;
    let mut t = Table::new()
        .with("events", r.events)
        .with("person_time", r.person_time)
        .with("rate", scaled(&r.rate, p))
        .with("lower", scaled(&r.lower, p))
        .with("upper", scaled(&r.upper, p));
    if let Some(pv) = r.p_value {
        t.push("p_value", pv);
    }
    Ok(Output::value(t))
}

/// Rates compared, group 1 versus group 2, one comparison per row: `kind` "ratio"
/// (exact conditional limits, test of `null_ratio`, as two-sample `poisson.test`) or
/// "difference" (Wald limits, x `per`). Returns a table: rate_ratio or rate_difference,
/// [std_err, se (the same, the old name) for differences], lower, upper, p_value.
pub fn compare_rates(args: &Args) -> Result<Output> {
    compare(args, args.option::<Comparison>("kind")?)
}

/// [`compare_rates`] with `kind = "ratio"`.
pub fn rate_ratio(args: &Args) -> Result<Output> {
    compare(args, Comparison::Ratio)
}

/// [`compare_rates`] with `kind = "difference"`.
pub fn rate_difference(args: &Args) -> Result<Output> {
    compare(args, Comparison::Difference)
}

fn compare(args: &Args, kind: Comparison) -> Result<Output> {
    let v = recycled(
        args,
        &["events1", "person_time1", "events2", "person_time2"],
    )?;
    let cl = conf_level(args)?;
    let t = match kind {
        Comparison::Ratio => {
            let r = rate_ratios(
                &v[0],
                &v[1],
                &v[2],
                &v[3],
                args.num_or("null_ratio", 1.0)?,
                cl,
            )?;
            Table::new()
                .with("rate_ratio", r.estimate)
                .with("lower", r.lower)
                .with("upper", r.upper)
                .with("p_value", r.p_value)
        }
        Comparison::Difference => {
            let p = per(args)?;
            let r = rate_differences(&v[0], &v[1], &v[2], &v[3], cl)?;
            let se = scaled(&r.se, p);
            Table::new()
                .with("rate_difference", scaled(&r.estimate, p))
                .with("std_err", se.clone())
                .with("se", se)
                .with("lower", scaled(&r.lower, p))
                .with("upper", scaled(&r.upper, p))
                .with("p_value", r.p_value)
        }
    };
    Ok(Output::value(t))
}

/// Crude rates of pooled rows (the rates a plot of a person-time table shows): `events`
/// and `person_time` summed within each combination of the `by` variables (e.g. the
/// band on the x axis and the curves' groups), with exact Poisson limits (`conf_level`,
/// x `per`). Combinations without person-time are left out. Returns a table: the
/// by-variables (level codes), events, person_time, rate, lower, upper.
pub fn pooled_rates(args: &Args) -> Result<Output> {
    let events = args.nums("events")?;
    let person_time = args.nums("person_time")?;
    let n = events.len();
    check_len("person_time", person_time.len(), "events", n)?;
    crate::person_time::rates::check_counts("events", events)?;
    crate::person_time::rates::check_person_time_nonneg(person_time)?;
    let vars = by_vars(args, n, "events")?;
    let groups = cross(&vars, n)?;
    let k = groups.as_ref().map_or(1, |g| g.n());
    let (mut e, mut t) = (vec![0.0; k], vec![0.0; k]);
    for i in 0..n {
        let g = groups.as_ref().map_or(0, |g| g.codes[i] as usize);
        e[g] += events[i];
        t[g] += person_time[i];
    }
    let kept: Vec<usize> = (0..k).filter(|&g| t[g] > 0.0).collect();
    let p = per(args)?;
    let by = groups
        .as_ref()
        .map_or_else(Table::new, |g| g.columns(&vars, &kept));
    let (e, t): (Vec<f64>, Vec<f64>) = kept.iter().map(|&g| (e[g], t[g])).unzip();
    let out = if e.is_empty() {
        Table::new()
            .with("events", e)
            .with("person_time", t)
            .with("rate", Vec::<f64>::new())
            .with("lower", Vec::<f64>::new())
            .with("upper", Vec::<f64>::new())
    } else {
        let r = crude_rates(&e, &t, None, conf_level(args)?)?;
        Table::new()
            .with("events", r.events)
            .with("person_time", r.person_time)
            .with("rate", scaled(&r.rate, p))
            .with("lower", scaled(&r.lower, p))
            .with("upper", scaled(&r.upper, p))
    };
    Ok(Output::value(joined(by, out)))
}

/// A built-in standard population (`name`, case-insensitive). Returns name, source and
/// table (age_lower, age_upper, weight).
pub fn standard_population(args: &Args) -> Result<Output> {
    let s = standard_population_arg("name", args.str_or("name", "who2000")?)?;
    Ok(Output::value(
        Record::new()
            .with("name", s.name)
            .with("source", s.source)
            .with(
                "table",
                Table::new()
                    .with("age_lower", s.age_lower)
                    .with("age_upper", s.age_upper)
                    .with("weight", s.weight),
            ),
    ))
}

/// Directly standardised rates with Fay–Feuer limits (`epitools::ageadjust.direct`):
/// `events`, `person_time`, `standard_weights` (a weight per row, or the name of a
/// built-in standard, then `age`: each row's age, rows in the same age group of the
/// standard pooled within by-group), `by`, `conf_level`, `per`. Returns a table: the
/// by-variables, events, person_time, crude_rate, rate, lower, upper (x per).
pub fn direct_standardize(args: &Args) -> Result<Output> {
    let events = args.nums("events")?;
    let person_time = args.nums("person_time")?;
    let n = events.len();
    check_len("person_time", person_time.len(), "events", n)?;
    let vars = by_vars(args, n, "events")?;
    let groups = cross(&vars, n)?;
    let labels: &[String] = groups.as_ref().map_or(&[], |g| &g.labels);
    let grouping = groups.as_ref().map(|g| (&g.codes[..], g.n()));
    let cl = conf_level(args)?;
    let r = match args.get("standard_weights") {
        Some(Arg::Str(_)) | Some(Arg::Strs(_)) => {
            let std = standard_population_arg("standard_weights", args.str("standard_weights")?)?;
            let age = args
                .opt_nums("age")?
                .ok_or_else(|| Error::InvalidArgument {
                    arg: "age",
                    reason: "a named standard population needs each row's age (age=)".into(),
                })?;
            let pooled = std.pool(events, person_time, age, grouping, labels)?;
            let g = groups.as_ref().map(|g| (&pooled.group[..], g.n()));
            direct_standardize_labelled(
                &pooled.events,
                &pooled.person_time,
                &pooled.weight,
                g,
                labels,
                cl,
            )?
        }
        _ => {
            let w = args.nums("standard_weights")?;
            direct_standardize_labelled(events, person_time, w, grouping, labels, cl)?
        }
    };
    let p = per(args)?;
    let by = groups.as_ref().map_or_else(Table::new, |g| {
        g.columns(&vars, &(0..g.n()).collect::<Vec<_>>())
    });
    let t = Table::new()
        .with("events", r.events)
        .with("person_time", r.person_time)
        .with("crude_rate", scaled(&r.crude, p))
        .with("rate", scaled(&r.rate, p))
        .with("lower", scaled(&r.lower, p))
        .with("upper", scaled(&r.upper, p));
    Ok(Output::value(joined(by, t)))
}

/// Standardised incidence (mortality) ratios with exact limits: `observed`,
/// `person_time`, `reference_rate` (expected = person_time x reference_rate per row),
/// `by`, `conf_level`. Returns `table` (one row per stratum, then the whole cohort:
/// observed, expected, person_time, sir, lower, upper, p_value (exact), p_chisq
/// (continuity-corrected)), `strata` (the by-variables' codes of the strata rows),
/// `overall` (the whole cohort's row as a record) and `homogeneity` (likelihood-ratio
/// and Pearson tests that the SIR is the same in every stratum: test, statistic, df,
/// p_value; NULL with fewer than two strata).
pub fn sir(args: &Args) -> Result<Output> {
    let v = recycled(args, &["observed", "person_time", "reference_rate"])?;
    let n = v[0].len();
    let vars = by_vars(args, n, "observed")?;
    let groups = cross(&vars, n)?;
    let labels: &[String] = groups.as_ref().map_or(&[], |g| &g.labels);
    let s = sir_labelled(
        &v[0],
        &v[1],
        &v[2],
        groups.as_ref().map(|g| (&g.codes[..], g.n())),
        labels,
        conf_level(args)?,
    )?;
    let last = s.sir.len() - 1;
    let cols: [(&str, &Vec<f64>); 8] = [
        ("observed", &s.observed),
        ("expected", &s.expected),
        ("person_time", &s.person_time),
        ("sir", &s.sir),
        ("lower", &s.lower),
        ("upper", &s.upper),
        ("p_value", &s.p_exact),
        ("p_chisq", &s.p_chisq),
    ];
    let mut table = Table::new();
    let mut overall = Record::new();
    for (name, c) in cols {
        table.push(name, c);
        overall.push(name, c[last]);
    }
    let strata = groups.as_ref().map_or_else(Table::new, |g| {
        g.columns(&vars, &(0..g.n()).collect::<Vec<_>>())
    });
    let homogeneity: Value = match s.homogeneity {
        None => Value::Null,
        Some(h) => Table::new()
            .with(
                "test",
                vec!["likelihood ratio".to_string(), "Pearson".to_string()],
            )
            .with("statistic", vec![h.lrt, h.pearson])
            .with("df", Value::Ints(vec![h.df as i64; 2]))
            .with("p_value", vec![h.p_lrt, h.p_pearson])
            .into(),
    };
    Ok(Output::value(
        Record::new()
            .with("table", table)
            .with("strata", strata)
            .with("overall", overall)
            .with("homogeneity", homogeneity)
            .with("conf_level", s.conf_level),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::call;

    fn nums(x: &[f64]) -> Arg<'static> {
        Arg::Nums(Cow::Owned(x.to_vec()))
    }
    fn grouping(codes: &[u32], levels: &[&str]) -> Arg<'static> {
        Arg::Codes {
            codes: Cow::Owned(codes.to_vec()),
            levels: levels.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn lexis_id_length_is_checked_against_entry() {
        let base = || {
            Args::new()
                .with("time_scales", Arg::Record(Args::new().with("per", nums(&[0.0, 1.0]))))
                .with("exit", nums(&[2.0, 3.0]))
                .with("status", nums(&[0.0, 1.0]))
                .with("breaks", Arg::Record(Args::new().with("per", nums(&[0.0, 1.0, 5.0]))))
        };
        for m in ["lexis_split", "lexis_cut", "lexis_segments"] {
            let err = call(m, &base().with("id_length", Arg::Num(3.0))).err().unwrap();
            assert_eq!(err.to_string(), "argument `id` has length 3 but `entry` has length 2");
        }
        assert!(call("lexis_split", &base().with("id_length", Arg::Num(2.0))).is_ok());
    }

    #[test]
    fn kind_is_parsed_once_with_one_error() {
        let a = Args::new()
            .with("events1", nums(&[3.0]))
            .with("person_time1", nums(&[10.0]))
            .with("events2", nums(&[4.0]))
            .with("person_time2", nums(&[20.0]))
            .with("kind", Arg::Str("differnce".into()));
        let e = call("compare_rates", &a).err().expect("an error");
        assert_eq!(
            e.to_string(),
            "argument `kind`: unknown value \"differnce\"; accepted: \"ratio\", \"difference\""
        );
    }

    #[test]
    fn pooling_finer_ages_gives_the_five_year_answer() {
        // two half-groups per five-year group of the standard pool to the same rate
        let std = crate::person_time::standard_population("esp2013").unwrap();
        let m = std.weight.len();
        let (mut e, mut t, mut age) = (vec![], vec![], vec![]);
        for a in 0..m {
            for half in 0..2 {
                e.push((a + half) as f64);
                t.push(100.0 + a as f64);
                age.push(5.0 * a as f64 + 2.5 * half as f64);
            }
        }
        let pooled = std.pool(&e, &t, &age, None, &[]).unwrap();
        assert_eq!(pooled.events.len(), m);
        assert_eq!(pooled.events[3], 3.0 + 4.0);
        assert_eq!(pooled.person_time[3], 2.0 * 103.0);
        let a = Args::new()
            .with("events", nums(&e))
            .with("person_time", nums(&t))
            .with("standard_weights", Arg::Str("ESP2013".into()))
            .with("age", nums(&age));
        assert!(call("direct_standardize", &a).is_ok());
        let short = Args::new()
            .with("events", nums(&e[4..]))
            .with("person_time", nums(&t[4..]))
            .with("standard_weights", Arg::Str("esp2013".into()))
            .with("age", nums(&age[4..]))
            .with(
                "by",
                Arg::Record(Args::new().with("g", grouping(&vec![0; 2 * m - 4], &["x"]))),
            );
        let e = call("direct_standardize", &short)
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.contains("age group(s) starting at 0, 5 in by group g=x"),
            "{e}"
        );
    }

    #[test]
    fn sir_names_the_stratum_by_its_label() {
        let a = Args::new()
            .with("observed", nums(&[1.0, 2.0, 3.0]))
            .with("person_time", nums(&[10.0]))
            .with("reference_rate", nums(&[0.1, 0.0, 0.1]))
            .with(
                "by",
                Arg::Record(Args::new().with("g", grouping(&[0, 1, 0], &["a", "b"]))),
            );
        let e = call("sir", &a).err().unwrap().to_string();
        assert_eq!(
            e,
            "argument `reference_rate`: the expected count is zero in stratum g=b"
        );
        let e = call(
            "standard_population",
            &Args::new().with("name", Arg::Str("Martian".into())),
        )
        .err()
        .unwrap()
        .to_string();
        assert!(
            e.starts_with("argument `name`: unknown value \"Martian\"; accepted: \"who2000\""),
            "{e}"
        );
    }

    /// The first time scale given as NULL/None is `entry`; given otherwise it must equal
    /// `entry` (one check and one message for Python and R); breaks must be numeric.
    #[test]
    fn first_time_scale_is_entry_and_breaks_are_numeric() {
        let lexis = |first: Arg<'static>, breaks: Arg<'static>| {
            Args::new()
                .with("entry", nums(&[50.0, 60.0]))
                .with(
                    "time_scales",
                    Arg::Record(Args::new().with("age", first).with("per", nums(&[2000.0, 2001.0]))),
                )
                .with("exit", nums(&[55.0, 70.0]))
                .with("status", nums(&[0.0, 1.0]))
                .with("breaks", Arg::Record(Args::new().with("age", breaks)))
        };
        let b = || nums(&[40.0, 60.0, 80.0]);
        let with_null = call("lexis_split", &lexis(Arg::Null, b())).unwrap().value;
        let with_entry = call("lexis_split", &lexis(nums(&[50.0, 60.0]), b())).unwrap().value;
        assert_eq!(with_null, with_entry);
        let e = call("lexis_split", &lexis(nums(&[50.0, 61.0]), b())).err().unwrap();
        assert_eq!(
            e.to_string(),
            "argument `time_scales`: the first scale (`age`) is the one `entry` and `exit` are \
             measured on; its value at entry must be `entry` (give NULL in R, None in Python)"
        );
        let e = call("person_time_table", &lexis(Arg::Null, Arg::Strs(vec!["0".into(), "1".into()])))
            .err()
            .unwrap();
        assert_eq!(e.to_string(), "argument `breaks`: the breaks of `age` must be numeric");
        let e = call("lexis_segments", &lexis(Arg::Null, Arg::Str("0".into()))).err().unwrap();
        assert_eq!(e.to_string(), "argument `breaks`: the breaks of `age` must be numeric");
    }
}
