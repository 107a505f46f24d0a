//! Relative and net survival through the protocol: rate tables, expected survival, net
//! survival curves (with `at` and `age_standardized`), the net-survival test, the
//! excess-hazard model, crude probabilities and interval (life-table) net survival.
//!
//! A rate table crosses the boundary as a record (see [`rate_table_record`]) that the
//! bindings keep and pass back as the argument `ratetable`; the core rebuilds the table
//! from it on each call (built-in tables by name, from `hrrstats-data`). Units are the
//! core's business: ages arrive in years (or days with `age_unit = "days"`), calendar
//! times as decimal years, follow-up `breaks` in years; a table in days converts them
//! (ages x 365.241 as relsurv, calendar years to days since 1960-01-01).
//!
//! Persons' values: `age`, `year`, `sex` and, for further factor dimensions of the table
//! (e.g. race), `factors`: a record of columns named as the dimensions. A factor column
//! is a record of the host's labels (see [`level_codes`]), matched here against the
//! table's levels, or plain codes `0..k` of the levels.

use super::{no_such, Fitted, Output};
use crate::data::Covariates;
use crate::error::{Error, Result};
use crate::inference::{CoefTable, TestResult, WaldDist};
use crate::options::OptionEnum;
use crate::protocol::{ints, Arg, Args, Matrix, Record, Table, Value};
use crate::relsurv::{
    crude_probabilities_by_stratum, days_since_1960, decimal_year, excess_hazard_glm, excess_hazard_ml,
    icss_weights, net_survival_test as rs_diff, AgeUnit, Dimension, ExcessMethod, IntervalMethod,
    IntervalSurvival, IntervalSurvivalFit, IntervalTable, NetMethod, NetSurvival,
    NetSurvivalData, NetSurvivalFit, PpWeight, RateTable, StandardWeights, TimeUnit,
    ICSS_AGE_LOWER, ICSS_LABELS, INTERVAL_COLUMNS,
};
use crate::survival::km::ConfType;

/// How a dimension's values are read from the persons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Age,
    Calendar,
    Factor,
}

impl Kind {
    fn parse(s: &str) -> Result<Kind> {
        match s {
            "age" => Ok(Kind::Age),
            "calendar" => Ok(Kind::Calendar),
            "factor" => Ok(Kind::Factor),
            other => Err(Error::InvalidArgument {
                arg: "ratetable",
                reason: format!("unknown dimension kind \"{other}\"; use \"age\", \"calendar\" or \"factor\""),
            }),
        }
    }
    fn name(self) -> &'static str {
        match self {
            Kind::Age => "age",
            Kind::Calendar => "calendar",
            Kind::Factor => "factor",
        }
    }
}

/// A rate table as the bindings hold it, rebuilt.
pub(super) struct Spec {
    pub(super) table: RateTable,
    pub(super) unit: TimeUnit,
    pub(super) names: Vec<String>,
    pub(super) kinds: Vec<Kind>,
    /// The labels of each factor dimension (empty for the others).
    levels: Vec<Vec<String>>,
}

/// The long form of a rate table (columns in the table's unit).
struct Long {
    name: Option<String>,
    source: String,
    unit: TimeUnit,
    names: Vec<String>,
    kinds: Vec<Kind>,
    columns: Vec<Vec<f64>>,
    levels: Vec<(String, Vec<String>)>,
    rate: Vec<f64>,
    us_date: bool,
}

impl Long {
    /// The labels of each dimension of `t` (empty for continuous ones): those given, else
    /// "1", "2", ...
    fn dim_levels(&self, t: &RateTable) -> Vec<Vec<String>> {
        let given = |n: &str| self.levels.iter().find(|(m, _)| m == n).map(|(_, l)| l.clone());
        t.dims()
            .iter()
            .map(|d| match d {
                Dimension::Factor { name, levels } => {
                    given(name).unwrap_or_else(|| (1..=*levels).map(|i| i.to_string()).collect())
                }
                Dimension::Continuous { .. } => Vec::new(),
            })
            .collect()
    }

    fn build(&self) -> Result<RateTable> {
        let cont: Vec<bool> = self.kinds.iter().map(|k| *k != Kind::Factor).collect();
        let cols: Vec<&[f64]> = self.columns.iter().map(|c| &c[..]).collect();
        let t = RateTable::from_long(&self.names, &cont, &cols, &self.rate)?;
        if self.us_date {
            t.with_us_date("year", "age")
        } else {
            Ok(t)
        }
    }
}

/// The record a binding keeps for a rate table: name (built-in tables), source,
/// time_unit, dims, kinds ("age", "calendar", "factor"), long (a record of the long
/// columns in the table's unit: cut-points, factor codes from 0), levels (a record of
/// each factor dimension's labels), rate, us_date, sizes (rows of each dimension),
/// dimensions (a record: per dimension its name, kind, levels or cut-points, and size)
/// and description (the lines R prints for it).
fn rate_table_record(l: &Long, t: &RateTable) -> Record {
    let mut columns = Record::new();
    for (n, c) in l.names.iter().zip(&l.columns) {
        columns.push(n, c.clone());
    }
    let mut levels = Record::new();
    for (n, lv) in &l.levels {
        levels.push(n, lv.clone());
    }
    let sizes: Vec<usize> = t
        .dims()
        .iter()
        .map(|d| match d {
            Dimension::Continuous { cuts, .. } => cuts.len(),
            Dimension::Factor { levels, .. } => *levels,
        })
        .collect();
    let levels_of = l.dim_levels(t);
    let description = describe(l, t.dims(), &levels_of);
    let mut dimensions = Record::new();
    for (((d, k), lv), &size) in t.dims().iter().zip(&l.kinds).zip(levels_of).zip(&sizes) {
        let r = Record::new().with("name", d.name()).with("kind", k.name());
        let r = match d {
            Dimension::Continuous { cuts, .. } => r.with("cuts", cuts.clone()),
            Dimension::Factor { .. } => r.with("levels", lv),
        };
        dimensions.push(d.name(), r.with("size", size));
    }
    Record::new()
        .with("name", l.name.clone())
        .with("source", l.source.as_str())
        .with("time_unit", l.unit.name())
        .with("dims", l.names.clone())
        .with("kinds", l.kinds.iter().map(|k| k.name().to_string()).collect::<Vec<String>>())
        .with("long", columns)
        .with("levels", levels)
        .with("rate", l.rate.clone())
        .with("us_date", l.us_date)
        .with("sizes", ints(&sizes))
        .with("dimensions", dimensions)
        .with("description", description)
}

/// Numbers as R's format() shows them together: 7 significant digits, the decimals the
/// most precise one needs, right-aligned to a common width.
fn r_format(x: &[f64]) -> Vec<String> {
    let decimals = |v: f64| -> usize {
        if v == 0.0 || !v.is_finite() {
            return 0;
        }
        let most = (6 - v.abs().log10().floor() as i64).max(0) as usize;
        let s = format!("{v:.most$}");
        let t = if s.contains('.') { s.trim_end_matches('0') } else { &s };
        t.split_once('.').map_or(0, |(_, f)| f.len())
    };
    let d = x.iter().map(|&v| decimals(v)).max().unwrap_or(0);
    let s: Vec<String> = x.iter().map(|v| format!("{v:.d$}")).collect();
    let w = s.iter().map(String::len).max().unwrap_or(0);
    s.iter().map(|s| format!("{s:>w$}")).collect()
}

/// The lines printed for a rate table: its unit and size, one line per dimension (the
/// range of its cut-points, ages in years and dates of a table in days, or its levels),
/// its source (tables with a name) and how ages and follow-up are read.
fn describe(l: &Long, dims: &[Dimension], levels: &[Vec<String>]) -> Vec<String> {
    let days = l.unit == TimeUnit::Days;
    let unit = if days { "day" } else { "person-year" };
    let title = l.name.as_deref().unwrap_or(&l.source);
    let mut out = vec![format!("Rate table ({title}): hazards per {unit}, {} cells", l.rate.len())];
    for ((d, kind), lv) in dims.iter().zip(&l.kinds).zip(levels) {
        let desc = match d {
            Dimension::Factor { .. } => format!("{} levels: {}", lv.len(), lv.join(", ")),
            Dimension::Continuous { cuts, .. } => {
                let (n, lo, hi) = (cuts.len(), cuts[0], cuts[cuts.len() - 1]);
                if *kind == Kind::Age {
                    let y = if days { TimeUnit::Days.year() } else { 1.0 };
                    let (a, b) = (&r_format(&[lo / y])[0], &r_format(&[hi / y])[0]);
                    format!("{n} cut-points, {a} to {b} years")
                } else {
                    let shown = match days {
                        true => vec![crate::relsurv::iso_date(lo), crate::relsurv::iso_date(hi)],
                        false => r_format(&[lo, hi]),
                    };
                    let us = if l.us_date { "; US-style (the row changes on the birthday)" } else { "" };
                    let unit = if days { "" } else { " (decimal years)" };
                    format!("{n} cut-points, {} to {}{unit}{us}", shown[0], shown[1])
                }
            }
        };
        out.push(format!("  {:<5} {desc}", d.name()));
    }
    if l.name.is_some() {
        out.push(format!("Source: {}", l.source));
    }
    let ages = if days { "to days (x 365.241)" } else { "as years" };
    out.push(format!("Ages are converted {ages}; follow-up times are in {}.", l.unit.name()));
    out
}

fn sex_levels() -> Vec<String> {
    vec!["male".into(), "female".into()]
}

/// A built-in table by name (in days; sex "male", "female").
fn builtin_long(name: &str) -> Result<Long> {
    let b = hrrstats_data::builtin_ratetable(name).ok_or_else(|| Error::InvalidArgument {
        arg: "name",
        reason: format!(
            "unknown built-in rate table \"{name}\"; available: {}",
            hrrstats_data::BUILTIN_RATETABLES.join(", ")
        ),
    })?;
    Ok(Long {
        name: Some(b.name.to_string()),
        source: b.source.to_string(),
        unit: TimeUnit::Days,
        names: vec!["age".into(), "year".into(), "sex".into()],
        kinds: vec![Kind::Age, Kind::Calendar, Kind::Factor],
        columns: vec![b.age, b.year, b.sex],
        levels: vec![("sex".into(), sex_levels())],
        rate: b.rate,
        us_date: b.us_date,
    })
}

/// Ages in the table's unit from years (or days).
fn age_in(unit: TimeUnit, age_unit: AgeUnit, x: &[f64]) -> Vec<f64> {
    let f = match (unit, age_unit) {
        (TimeUnit::Days, AgeUnit::Years) => unit.year(),
        (TimeUnit::Years, AgeUnit::Days) => 1.0 / TimeUnit::Days.year(),
        _ => 1.0,
    };
    x.iter().map(|&a| a * f).collect()
}

/// Calendar times in the table's unit from decimal years.
fn calendar_in(unit: TimeUnit, x: &[f64]) -> Vec<f64> {
    match unit {
        TimeUnit::Days => x.iter().map(|&y| if y.is_nan() { y } else { days_since_1960(y) }).collect(),
        TimeUnit::Years => x.to_vec(),
    }
}

/// Calendar times `arg` as decimal years: given so, or dates as a record `{days}` (days
/// since 1970-01-01, as R's Date and numpy's datetime64[D] hold them).
fn calendar_years<'b>(args: &'b Args, arg: &'static str) -> Result<std::borrow::Cow<'b, [f64]>> {
    Ok(match args.get(arg) {
        Some(Arg::Record(r)) => r.nums("days")?.iter().map(|&d| decimal_year(d)).collect(),
        _ => std::borrow::Cow::Borrowed(args.nums(arg)?),
    })
}

/// `rate_table`: from a long table (`age` in years, `year` decimal calendar years,
/// `sex` a grouping, `rate` hazards per `time_unit`), or, given `ratetable` (a record
/// as [`rate_table_record`] describes, columns already in the table's unit: e.g. a
/// survival ratetable), that table checked. Returns the record.
pub fn rate_table(args: &Args) -> Result<Output> {
    let long = if let Some(r) = args.record("ratetable")? {
        read_long(r)?
    } else if let Some(r) = args.record("survival")? {
        survival_long(r)?
    } else {
        let unit = args.option::<TimeUnit>("time_unit")?;
        let rate = args.nums("rate")?;
        let age = args.nums("age")?;
        let year = &calendar_years(args, "year")?[..];
        let (sex, _) = args.codes("sex")?;
        for (name, len) in [("age", age.len()), ("year", year.len()), ("sex", sex.len())] {
            if len != rate.len() {
                return Err(Error::LengthMismatch {
                    arg: name,
                    len,
                    expected_arg: "rate",
                    expected: rate.len(),
                });
            }
        }
        for (name, col) in [("age", age), ("year", year)] {
            if let Some(row) = col.iter().position(|v| v.is_nan()) {
                return Err(Error::InvalidValue { arg: name, row, value: f64::NAN, problem: "missing value (NA)" });
            }
        }
        Long {
            name: None,
            source: args.str_or("source", "rate_table() from a long table")?.to_string(),
            unit,
            names: vec!["age".into(), "year".into(), "sex".into()],
            kinds: vec![Kind::Age, Kind::Calendar, Kind::Factor],
            columns: vec![
                age_in(unit, AgeUnit::Years, age),
                calendar_in(unit, year),
                sex.iter().map(|&c| c as f64).collect(),
            ],
            levels: vec![("sex".into(), args.levels("sex"))],
            rate: rate.to_vec(),
            us_date: false,
        }
    };
    let t = long.build()?;
    Ok(Output::value(rate_table_record(&long, &t)))
}

/// `builtin_rate_table(name)`: a table shipped with hrrstats, as a record.
pub fn builtin_rate_table(args: &Args) -> Result<Output> {
    let long = builtin_long(args.str_or("name", "survexp.us")?)?;
    let t = long.build()?;
    Ok(Output::value(rate_table_record(&long, &t)))
}

/// The elements of a list argument (a list, or a named list's values; one value as
/// itself), NULL ones as None.
fn items<'b>(a: Option<&'b Arg<'b>>) -> Vec<Option<&'b Arg<'b>>> {
    let some = |x: &'b Arg<'b>| (!matches!(x, Arg::Null)).then_some(x);
    match a {
        None => Vec::new(),
        Some(Arg::List(v)) => v.iter().map(some).collect(),
        Some(Arg::Record(r)) => r.items.iter().map(|(_, x)| some(x)).collect(),
        Some(x) => vec![some(x)],
    }
}

/// Strings of a list element (none when absent).
fn strings(a: Option<&Arg>) -> Vec<String> {
    match a {
        Some(Arg::Str(s)) => vec![s.clone()],
        Some(Arg::Strs(s)) => s.clone(),
        _ => Vec::new(),
    }
}

/// Numbers of a list element (none when absent).
fn numbers(a: Option<&Arg>) -> Vec<f64> {
    match a {
        Some(Arg::Nums(v)) => v.to_vec(),
        Some(Arg::Num(x)) => vec![*x],
        _ => Vec::new(),
    }
}

/// A rate table's record (as [`rate_table_record`] gives it), or one that R's hrrstats
/// saved before the tables kept it: `dims` a list of (name, kind, levels) records and
/// `long` a record of `columns` (a list, in the order of `dims`) and `rate`.
fn read_long(r: &Args) -> Result<Long> {
    let bad = |reason: &str| Error::InvalidArgument {
        arg: "ratetable",
        reason: reason.to_string(),
    };
    if let Some(Arg::Str(name)) = r.get("name") {
        if hrrstats_data::builtin_ratetable(name).is_some() {
            return builtin_long(name);
        }
    }
    let unit = r.option::<TimeUnit>("time_unit")?;
    let cols = r.record("long")?.ok_or_else(|| bad("no long columns"))?;
    let (names, kinds, mut levels) = if let Some(Arg::List(dims)) = r.get("dims") {
        let (mut names, mut kinds, mut levels) = (Vec::new(), Vec::new(), Vec::new());
        for d in dims {
            let Arg::Record(d) = d else { return Err(bad("must be a rate table (rate_table())")) };
            names.push(d.str("name")?.to_string());
            kinds.push(Kind::parse(d.str("kind")?)?);
            if d.get("levels").is_some() {
                levels.push((names[names.len() - 1].clone(), strings(d.get("levels"))));
            }
        }
        (names, kinds, levels)
    } else {
        let names = r
            .strs("dims")
            .map_err(|_| bad("must be a rate table (rate_table(), builtin_rate_table())"))?;
        let kinds = r.strs("kinds")?.iter().map(|k| Kind::parse(k)).collect::<Result<Vec<_>>>()?;
        (names, kinds, Vec::new())
    };
    if kinds.len() != names.len() {
        return Err(bad("one kind per dimension"));
    }
    let mut columns = Vec::with_capacity(names.len());
    let legacy = items(cols.get("columns"));
    for (k, n) in names.iter().enumerate() {
        match cols.get(n).or(legacy.get(k).copied().flatten()) {
            Some(a @ (Arg::Nums(_) | Arg::Num(_))) => columns.push(numbers(Some(a))),
            _ => return Err(bad(&format!("no column for dimension `{n}`"))),
        }
    }
    if let Some(lv) = r.record("levels")? {
        for (n, a) in &lv.items {
            levels.push((n.clone(), strings(Some(a))));
        }
    }
    let rate = match r.get("rate") {
        Some(_) => r.nums("rate")?,
        None => cols.nums("rate")?,
    };
    Ok(Long {
        name: r.get("name").map(|_| r.str("name")).transpose()?.map(str::to_string),
        source: r.str_or("source", "")?.to_string(),
        unit,
        names,
        kinds,
        columns,
        levels,
        rate: rate.to_vec(),
        us_date: r.flag_or("us_date", false)?,
    })
}

/// A survival/relsurv `ratetable` (hazards per day) from R's `as_rate_table()`: its
/// `dim`, `dimid` (or the names of its dimnames), `levels` (its dimnames, a list),
/// `cutpoints` (a list, calendar ones as days since 1960-01-01), `type` (per dimension 1
/// factor, 2 continuous, 3 calendar date, 4 US-style calendar date: the calendar row
/// changes on the birthday, as survexp.us) or the older `factor` (1 factor, 0
/// continuous, > 1 US-style), and `rate` (the array as a vector). There must be an age
/// and a year dimension; every other dimension must be a factor (levels "1", "2", ...
/// without dimnames). Errors name R's argument `x`.
fn survival_long(r: &Args) -> Result<Long> {
    let bad = |reason: String| Error::InvalidArgument { arg: "x", reason };
    let dim: Vec<usize> = r.nums("dim")?.iter().map(|&m| m as usize).collect();
    let ids = if r.get("dimid").is_some() { r.strs("dimid")? } else { Vec::new() };
    let cuts = items(r.get("cutpoints"));
    if ids.len() != dim.len() || cuts.is_empty() {
        return Err(bad("not a survival rate table (no dimid/dimnames or cutpoints)".into()));
    }
    let types: Vec<f64> = match r.opt_nums("type")? {
        Some(t) => t.to_vec(),
        None => {
            let of = |f: f64| if f == 1.0 { 1.0 } else if f > 1.0 { 4.0 } else { 2.0 };
            r.nums("factor")?.iter().map(|&f| of(f)).collect()
        }
    };
    if let Some(t) = types.iter().find(|t| ![1.0, 2.0, 3.0, 4.0].contains(*t)) {
        return Err(bad(format!("unknown dimension type {t}")));
    }
    let once = |n: &str| ids.iter().filter(|i| *i == n).count() == 1;
    if !once("age") || !once("year") || (1..ids.len()).any(|k| ids[..k].contains(&ids[k])) {
        return Err(bad(format!(
            "the dimensions must include age and year, each once (this table has {})",
            ids.join(", ")
        )));
    }
    if types.len() != dim.len() {
        return Err(bad(format!("{} dimensions but {} types", dim.len(), types.len())));
    }
    let dimnames = items(r.get("levels"));
    let (mut kinds, mut idx, mut levels) = (Vec::new(), Vec::new(), Vec::new());
    for (k, (id, &m)) in ids.iter().zip(&dim).enumerate() {
        let timelike = id == "age" || id == "year";
        let kind = if types[k] == 1.0 {
            Kind::Factor
        } else if types[k] >= 3.0 || id == "year" {
            Kind::Calendar
        } else {
            Kind::Age
        };
        if kind == Kind::Factor {
            if timelike {
                return Err(bad(format!("dimension `{id}` is a factor; it must be continuous")));
            }
            let given = strings(dimnames.get(k).copied().flatten());
            let numbered = || (1..=m).map(|i| i.to_string()).collect();
            levels.push((id.clone(), if given.is_empty() { numbered() } else { given }));
            idx.push((0..m).map(|i| i as f64).collect::<Vec<f64>>());
            kinds.push(kind);
            continue;
        }
        if !timelike {
            return Err(bad(format!("dimension `{id}` is continuous; only age and year may be")));
        }
        if kind == Kind::Calendar && id != "year" {
            return Err(bad(format!("dimension `{id}` is a date; only year may be")));
        }
        let c = numbers(cuts.get(k).copied().flatten());
        if c.len() != m {
            return Err(bad(format!("dimension `{id}` has {m} rows but {} cut-points", c.len())));
        }
        idx.push(c);
        kinds.push(kind);
    }
    // the long form of the array: the first dimension varies fastest (as expand.grid)
    let cells: usize = dim.iter().product();
    let mut stride = 1;
    let mut columns = Vec::with_capacity(dim.len());
    for (v, &m) in idx.iter().zip(&dim) {
        columns.push((0..cells).map(|i| v[(i / stride) % m]).collect());
        stride *= m;
    }
    Ok(Long {
        name: None,
        source: "as_rate_table() from a survival rate table".into(),
        unit: TimeUnit::Days,
        names: ids,
        kinds,
        columns,
        levels,
        rate: r.nums("rate")?.to_vec(),
        us_date: types.contains(&4.0),
    })
}

/// The argument `ratetable`, rebuilt.
pub(super) fn spec(args: &Args) -> Result<Spec> {
    let r = args.record("ratetable")?.ok_or_else(|| Error::InvalidArgument {
        arg: "ratetable",
        reason: "is required".into(),
    })?;
    let l = read_long(r)?;
    let table = l.build()?;
    Ok(Spec {
        levels: l.dim_levels(&table),
        table,
        unit: l.unit,
        names: l.names,
        kinds: l.kinds,
    })
}

/// The key a label is matched on: a number by its value ("1", "1.0" alike), any other
/// label as it is.
fn level_key(s: &str) -> String {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() => format!("{v}"),
        _ => s.to_string(),
    }
}

/// A factor column of the persons as codes of the dimension's `levels`. The host sends
/// a record: `values` (numbers) or `labels` with `codes`, each row's position among them
/// (NaN where missing). Each value is matched to the level of its label (numbers by
/// their value); when no value is a level and all are whole numbers 1..k, they are the
/// levels' positions (as survival reads numeric sex codes 1, 2). A missing or unknown
/// value is an error naming `arg` (or its `column`) and the row.
fn level_codes(
    r: &Args,
    arg: &'static str,
    column: Option<&str>,
    levels: &[String],
) -> Result<Vec<f64>> {
    let labels: Vec<Option<String>> = match r.opt_nums("values")? {
        Some(v) => v.iter().map(|x| (!x.is_nan()).then(|| format!("{x}"))).collect(),
        None => {
            let given = match r.get("labels") {
                Some(Arg::List(l)) if l.is_empty() => Vec::new(),
                Some(_) => r.strs("labels")?,
                None => Vec::new(),
            };
            let label = |c: f64| given.get(c as usize).filter(|_| c >= 0.0).cloned();
            r.nums("codes")?.iter().map(|&c| label(c)).collect()
        }
    };
    let mut keys = std::collections::HashMap::new();
    for (i, l) in levels.iter().enumerate() {
        keys.entry(level_key(l)).or_insert(i);
    }
    let code_of = |l: &String| keys.get(&level_key(l)).copied();
    let mut code: Vec<Option<usize>> =
        labels.iter().map(|l| l.as_ref().and_then(code_of)).collect();
    let k = levels.len() as f64;
    let whole = |v: &f64| v.fract() == 0.0 && (1.0..=k).contains(v);
    let position = |l: &String| l.parse::<f64>().ok().filter(whole).map(|v| v as usize - 1);
    if code.iter().all(Option::is_none) && labels.iter().flatten().all(|l| position(l).is_some()) {
        code = labels.iter().map(|l| l.as_ref().and_then(position)).collect();
    }
    code.iter()
        .zip(labels)
        .enumerate()
        .map(|(row, (c, label))| {
            c.map(|c| c as f64).ok_or_else(|| Error::UnknownLevel {
                arg,
                column: column.map(str::to_string),
                row,
                label,
                levels: levels.to_vec(),
            })
        })
        .collect()
}

/// The persons' values in the table's unit, one column per dimension.
fn person_values(args: &Args, s: &Spec, age_unit: AgeUnit) -> Result<Vec<Vec<f64>>> {
    // The persons' columns are as long as `time` (net survival and friends) or, without
    // follow-up (expected survival), as the first of the persons' columns given; an
    // error names the column the user gave, not the table's dimension.
    let reference: Option<(&'static str, usize)> = match args.get("time") {
        Some(_) => Some(("time", args.nums("time")?.len())),
        None => ["age", "year", "sex"]
            .into_iter()
            .find(|a| args.get(a).is_some())
            .map(|a| args.nums(a).map(|v| (a, v.len())))
            .transpose()?,
    };
    let same_length = |arg: &'static str, len: usize| -> Result<()> {
        match reference {
            Some((expected_arg, n)) if len != n => Err(Error::LengthMismatch {
                arg,
                len,
                expected_arg,
                expected: n,
            }),
            _ => Ok(()),
        }
    };
    let column = |arg: &'static str| -> Result<&[f64]> {
        let v = args.nums(arg)?;
        same_length(arg, v.len())?;
        Ok(v)
    };
    let mut out = Vec::with_capacity(s.names.len());
    for ((name, kind), levels) in s.names.iter().zip(&s.kinds).zip(&s.levels) {
        out.push(match kind {
            Kind::Age => age_in(s.unit, age_unit, column("age")?),
            Kind::Calendar => {
                let year = calendar_years(args, "year")?;
                same_length("year", year.len())?;
                calendar_in(s.unit, &year)
            }
            Kind::Factor if name == "sex" => match args.record("sex") {
                Ok(Some(r)) => {
                    let v = level_codes(r, "sex", None, levels)?;
                    same_length("sex", v.len())?;
                    v
                }
                _ => column("sex")?.to_vec(),
            },
            Kind::Factor => {
                let col = args.record("factors")?.and_then(|f| f.get(name));
                let v: Vec<f64> = match col {
                    Some(Arg::Record(r)) => level_codes(r, "data", Some(name), levels)?,
                    Some(Arg::Nums(v)) => v.to_vec(),
                    Some(Arg::Codes { codes, .. }) => codes.iter().map(|&c| c as f64).collect(),
                    _ => {
                        return Err(Error::InvalidArgument {
                            arg: "data",
                            reason: format!(
                                "the rate table has a dimension `{name}` ({}): `data` needs a \
                                 column `{name}`",
                                levels.join(", ")
                            ),
                        })
                    }
                };
                same_length("factors", v.len())?;
                v
            }
        });
    }
    Ok(out)
}

/// The oldest age (years) a follow-up may reach: beyond it `time` is taken to be in
/// another unit than the rate table's (days against a table per year, ...).
const MAX_AGE_YEARS: f64 = 150.0;

/// Follow-up in the rate table's unit: a person's age at the end of follow-up (age at
/// diagnosis + time, both in the table's unit) over [`MAX_AGE_YEARS`] means `time` is in
/// another unit (e.g. days against a table per year: every later hazard is read from the
/// table's last age row, survival underflows to 0 and the inverse weights of Pohar-Perme
/// overflow to NaN). `times` of expected survival (`per_person` false): the same for the
/// oldest person. One check, one message, for expected survival, net survival (and its
/// test, crude probabilities, the excess-hazard model) and interval net survival.
pub(super) fn check_follow_up_unit(
    s: &Spec,
    p: &[Vec<f64>],
    arg: &'static str,
    time: &[f64],
    per_person: bool,
) -> Result<()> {
    let Some(a) = s.kinds.iter().position(|k| *k == Kind::Age) else {
        return Ok(());
    };
    let ages = &p[a];
    let limit = MAX_AGE_YEARS * s.unit.year();
    let problem = match s.unit {
        TimeUnit::Years => {
            "the age at the end of follow-up (age + time) is over 150 years: follow-up must be \
             in the rate table's time unit (years), not days or months"
        }
        TimeUnit::Days => {
            "the age at the end of follow-up (age + time) is over 150 years: follow-up must be \
             in the rate table's time unit (days)"
        }
    };
    let oldest = ages
        .iter()
        .copied()
        .filter(|a| a.is_finite())
        .fold(f64::NEG_INFINITY, f64::max);
    let row = time.iter().enumerate().position(|(i, &t)| {
        let age = if per_person { ages[i] } else { oldest };
        age + t > limit
    });
    match row {
        Some(row) => Err(Error::InvalidValue {
            arg,
            row,
            value: time[row],
            problem,
        }),
        None => Ok(()),
    }
}

/// Errors about the persons' values name the argument the user gave (age, year, sex;
/// `data` for a further factor dimension, read from the column of that name), not the
/// table's dimension.
pub(super) fn name_person_args(s: &Spec) -> impl Fn(Error) -> Error + '_ {
    move |e| match e {
        Error::InvalidCell { arg: "rmap" | "ratetable", column, row, value, problem } => {
            let dim = s.names.iter().position(|n| *n == column);
            let arg = match dim.map(|k| (s.kinds[k], s.names[k].as_str())) {
                Some((Kind::Age, _)) => "age",
                Some((Kind::Calendar, _)) => "year",
                Some((Kind::Factor, "sex")) => "sex",
                _ => return Error::InvalidCell { arg: "data", column, row, value, problem },
            };
            Error::InvalidValue { arg, row, value, problem }
        }
        e => e,
    }
}

/// The persons' values (`age_unit` read here).
pub(super) fn persons(args: &Args, s: &Spec) -> Result<Vec<Vec<f64>>> {
    person_values(args, s, args.option::<AgeUnit>("age_unit")?)
}

/// Follow-up, status and the persons' values, checked against the table.
fn net_data<'a>(args: &'a Args, s: &Spec, p: &'a [Vec<f64>]) -> Result<NetSurvivalData<'a>> {
    let v: Vec<&[f64]> = p.iter().map(|c| &c[..]).collect();
    let time = args.nums("time")?;
    let d = NetSurvivalData::new(time, args.nums("status")?, v, &s.table)
        .map_err(name_person_args(s))?;
    check_follow_up_unit(s, p, "time", time, true)?;
    Ok(d)
}

/// The integration step: `precision` (the table's unit), default one day.
fn precision(args: &Args, s: &Spec) -> Result<f64> {
    let one_day = match s.unit {
        TimeUnit::Days => 1.0,
        TimeUnit::Years => 1.0 / TimeUnit::Days.year(),
    };
    args.num_or("precision", one_day)
}

/// `expected_survival`: each person's population survival at `times` (exact
/// integration, as `survexp(method = "individual.s")`): a matrix, one row per person.
pub fn expected_survival(args: &Args) -> Result<Output> {
    let s = spec(args)?;
    let p = persons(args, &s)?;
    let v: Vec<&[f64]> = p.iter().map(|c| &c[..]).collect();
    let times = args.nums("times")?;
    crate::data::check_nonneg_finite("times", times)?;
    check_follow_up_unit(&s, &p, "times", times, false)?;
    let data = s.table.expected_survival_matrix(&v, times).map_err(name_person_args(&s))?;
    let nrow = v.first().map_or(0, |c| c.len());
    Ok(Output::value(Matrix { nrow, ncol: times.len(), data, row_names: None, col_names: None }))
}

/// `expected_hazard`: each person's population hazard at `time` (their own, in the
/// table's unit: e.g. the exit time) after diagnosis, per the table's time unit — the
/// `bhazard` of a relative-survival model.
pub fn expected_hazard(args: &Args) -> Result<Output> {
    let s = spec(args)?;
    let p = persons(args, &s)?;
    let v: Vec<&[f64]> = p.iter().map(|c| &c[..]).collect();
    let time = args.nums("time")?;
    crate::data::check_nonneg_finite("time", time)?;
    check_follow_up_unit(&s, &p, "time", time, true)?;
    Ok(Output::value(s.table.hazard_at(&v, time).map_err(name_person_args(&s))?))
}

/// `days_since_1960(year)`: days from 1960-01-01 of decimal calendar years.
pub fn days_since_1960_method(args: &Args) -> Result<Output> {
    let y = args.nums("year")?;
    Ok(Output::value(calendar_in(TimeUnit::Days, y)))
}

/// `net_survival`: `ratetable`, `time`, `status`, `age`, `year`, `sex`, `strata`,
/// `method`, `precision`, `conf_type`, `conf_level`, `fin_date` (decimal year). Returns
/// table (strata, time, n_risk, n_event, n_censor, survival, std_err, lower, upper,
/// std_err_cumulative_hazard), n and events per stratum, method, conf_type,
/// conf_level, time_unit; the fit answers `at(times)` and
/// `age_standardized(times, weights)`.
pub fn net_survival(args: &Args) -> Result<Output> {
    let s = spec(args)?;
    let p = persons(args, &s)?;
    let mut d = net_data(args, &s, &p)?;
    let strata = args.opt_codes("strata")?;
    if let Some((c, k)) = strata {
        d = d.with_strata(c, k)?;
    }
    let method = args.option::<NetMethod>("method")?;
    let mut params = net_params(args, &s)?;
    if args.get("fin_date").is_some() {
        let f = calendar_years(args, "fin_date")?;
        if f.len() != 1 {
            let reason = "must be a single date".into();
            return Err(Error::InvalidArgument { arg: "fin_date", reason });
        }
        params = params.fin_date(calendar_in(s.unit, &f)[0]);
    }
    let fit = params.fit(&s.table, &d)?;
    let k = fit.curves.len();
    let mut n = vec![0usize; k];
    match strata {
        Some((c, _)) => c.iter().for_each(|&g| n[g as usize] += 1),
        None => n[0] = d.n(),
    }
    let rec = net_record(&fit, &n, method, &s);
    Ok(Output::fit(rec, fit))
}

/// The options of a net-survival curve (`method`, `precision`, `conf_type`, `conf_level`).
fn net_params(args: &Args, s: &Spec) -> Result<crate::relsurv::NetSurvivalParams> {
    Ok(NetSurvival::params()
        .method(args.option::<NetMethod>("method")?)
        .precision(precision(args, s)?)
        .conf_type(args.option::<ConfType>("conf_type")?)
        .conf_level(args.num_or("conf_level", 0.95)?))
}

/// The heading the bindings print for a net-survival curve.
fn net_title(m: NetMethod) -> &'static str {
    match m {
        NetMethod::PoharPerme => "Net survival (Pohar-Perme)",
        NetMethod::Ederer2 => "Relative survival (Ederer II)",
        NetMethod::Ederer1 => "Relative survival (Ederer I)",
        NetMethod::Hakulinen => "Relative survival (Hakulinen)",
    }
}

/// The record of a net-survival fit (`n` persons per stratum).
fn net_record(fit: &NetSurvivalFit, n: &[usize], method: NetMethod, s: &Spec) -> Record {
    let mut t = Table::new();
    let mut s_col = Vec::new();
    let mut cols: [Vec<f64>; 9] = Default::default();
    for (j, c) in fit.curves.iter().enumerate() {
        s_col.extend(std::iter::repeat_n(j, c.time.len()));
        for (col, v) in cols.iter_mut().zip([
            &c.time, &c.n_risk, &c.n_event, &c.n_censor, &c.survival, &c.std_err, &c.lower, &c.upper,
            &c.std_err_cumulative_hazard,
        ]) {
            col.extend_from_slice(v);
        }
    }
    t.push("strata", s_col);
    for (name, c) in [
        "time", "n_risk", "n_event", "n_censor", "survival", "std_err", "lower", "upper",
        "std_err_cumulative_hazard",
    ]
    .iter()
    .zip(cols)
    {
        t.push(name, c);
    }
    let events: Vec<f64> = fit.curves.iter().map(|c| c.n_event.iter().sum()).collect();
    Record::new()
        .with("table", t)
        .with("n", ints(n))
        .with("events", events)
        .with("method", method.name())
        .with("conf_type", fit.conf_type.name())
        .with("conf_level", fit.conf_level)
        .with("time_unit", s.unit.name())
        .with("title", net_title(method))
}

// ---- net survival over parts (hrrstats.dask) ---------------------------------------------

/// `net_survival_part_pass`: one part's numbers for a pass of `net_survival_partitioned`
/// (the arguments of `net_survival` for the part's persons, `strata` codes with the whole
/// data's levels): `pass` "times" gives `times` (its distinct follow-up times per
/// stratum: a list) and `n`; "sums" (with `times`/`time_offsets`, the merged times of
/// every stratum) gives the additive sums `a`, `dn`, `dn2`, `exits`, `events` (lists,
/// one per stratum) and `n`.
pub fn net_survival_part_pass(args: &Args) -> Result<Output> {
    let s = spec(args)?;
    let p = persons(args, &s)?;
    let mut d = net_data(args, &s, &p)?;
    if let Some((c, k)) = args.opt_codes("strata")? {
        d = d.with_strata(c, k)?;
    }
    let params = net_params(args, &s)?;
    let list = |v: Vec<Vec<f64>>| Value::List(v.into_iter().map(Value::Nums).collect());
    let rec = match args.str_or("pass", "times")? {
        "times" => {
            let (times, n) = params.part_times(&d)?;
            Record::new().with("times", list(times)).with("n", n)
        }
        "sums" => {
            let times = stacked_times(args)?;
            let r = params.part_sums(&s.table, &d, &times)?;
            Record::new()
                .with("a", list(r.a))
                .with("dn", list(r.dn))
                .with("dn2", list(r.dn2))
                .with("exits", list(r.exits))
                .with("events", list(r.events))
                .with("n", r.n)
        }
        other => {
            return Err(Error::InvalidArgument {
                arg: "pass",
                reason: format!("unknown value \"{other}\"; accepted: \"times\", \"sums\""),
            })
        }
    };
    Ok(Output::value(rec))
}

/// Times per stratum from `times`/`time_offsets` (as the Cox driver sends event times).
fn stacked_times(args: &Args) -> Result<Vec<Vec<f64>>> {
    let e = super::cox::event_times_arg(args)?;
    if e.offsets.first() != Some(&0) || e.offsets.last() != Some(&e.times.len()) || e.offsets.windows(2).any(|w| w[0] > w[1]) {
        return Err(Error::InvalidArgument { arg: "time_offsets", reason: "must run from 0 to the number of times".into() });
    }
    Ok(e.offsets.windows(2).map(|w| e.times[w[0]..w[1]].to_vec()).collect())
}

enum NetPartsState {
    Times,
    Sums(Vec<Vec<f64>>),
    Done(Box<(Record, NetSurvivalFit)>),
}

/// The driver of a net-survival curve over parts.
struct NetParts {
    params: crate::relsurv::NetSurvivalParams,
    method: NetMethod,
    spec: Spec,
    state: std::sync::Mutex<NetPartsState>,
}

impl NetParts {
    fn request(state: &NetPartsState) -> Value {
        match state {
            NetPartsState::Times => Value::Record(Record::new().with("pass", "times")),
            NetPartsState::Sums(times) => {
                let mut offsets = vec![0.0];
                for t in times {
                    offsets.push(offsets.last().copied().unwrap_or(0.0) + t.len() as f64);
                }
                Value::Record(
                    Record::new()
                        .with("pass", "sums")
                        .with("times", times.concat())
                        .with("time_offsets", offsets),
                )
            }
            NetPartsState::Done(_) => Value::Null,
        }
    }
}

impl Fitted for NetParts {
    fn call(&self, method: &str, args: &Args) -> Result<Value> {
        use super::cox::{list_of_nums, part_records};
        let mut state = self.state.lock().expect("net parts");
        match (method, &*state) {
            ("request", st) => Ok(Self::request(st)),
            ("step", NetPartsState::Times) => {
                let recs = part_records(args)?;
                let mut times: Vec<Vec<f64>> = Vec::new();
                for r in recs {
                    let t = list_of_nums(r, "times")?;
                    if times.is_empty() {
                        times = t;
                    } else if t.len() != times.len() {
                        return Err(Error::InvalidArgument { arg: "parts", reason: "the parts have different strata".into() });
                    } else {
                        for (a, b) in times.iter_mut().zip(t) {
                            a.extend(b);
                        }
                    }
                }
                for t in &mut times {
                    t.sort_by(f64::total_cmp);
                    t.dedup();
                }
                *state = NetPartsState::Sums(times);
                Ok(Value::Record(Record::new().with("done", false).with("request", Self::request(&state))))
            }
            ("step", NetPartsState::Sums(times)) => {
                let recs = part_records(args)?;
                let mut total = crate::relsurv::net::partitioned::NetPartSums::default();
                for r in recs {
                    total.add(&crate::relsurv::net::partitioned::NetPartSums {
                        a: list_of_nums(r, "a")?,
                        dn: list_of_nums(r, "dn")?,
                        dn2: list_of_nums(r, "dn2")?,
                        exits: list_of_nums(r, "exits")?,
                        events: list_of_nums(r, "events")?,
                        n: r.nums("n")?.to_vec(),
                    })?;
                }
                let fit = self.params.from_part_sums(times, &total)?;
                let n: Vec<usize> = total.n.iter().map(|&v| v as usize).collect();
                let rec = net_record(&fit, &n, self.method, &self.spec);
                *state = NetPartsState::Done(Box::new((rec, fit)));
                Ok(Value::Record(Record::new().with("done", true).with("request", Value::Null)))
            }
            ("step", NetPartsState::Done(_)) => Err(Error::InvalidArgument {
                arg: "parts",
                reason: "the curves are done: their passes were taken".into(),
            }),
            ("result", NetPartsState::Done(d)) => Ok(Value::Record(d.0.clone())),
            ("result", _) => Err(Error::InvalidArgument {
                arg: "result",
                reason: "the curves are not done: run the passes they ask for".into(),
            }),
            (other, NetPartsState::Done(d)) => d.1.call(other, args),
            (other, _) => Err(no_such("a net-survival curve over partitions", other)),
        }
    }
}

/// `net_survival_partitioned`: the driver of `net_survival` (Pohar-Perme or Ederer II)
/// over parts: its options (`method`, `precision`, `conf_type`, `conf_level`) and
/// `ratetable`; no persons. Operations: `request` (a "times" pass, then a "sums" pass
/// with the merged times, then NULL), `step` (`parts`: the records of
/// `net_survival_part_pass`), `result` (the record of `net_survival`), then that fit's
/// `at` and `age_standardized`.
pub fn net_survival_partitioned(args: &Args) -> Result<Output> {
    let s = spec(args)?;
    let params = net_params(args, &s)?;
    params.check_partitioned()?;
    let method = args.option::<NetMethod>("method")?;
    let f = NetParts { params, method, spec: s, state: std::sync::Mutex::new(NetPartsState::Times) };
    let first = f.call("request", &Args::new())?;
    Ok(Output::fit(Record::new().with("request", first), f))
}

/// The standard's weights: "icss1".."icss3" (the five ICSS age groups) or one number
/// per stratum / group.
fn weights_arg(args: &Args, k: usize, what: &str) -> Result<Vec<f64>> {
    match args.get("weights") {
        None => icss_weights(StandardWeights::default(), k, what),
        Some(Arg::Str(_)) | Some(Arg::Strs(_)) => icss_weights(args.option::<StandardWeights>("weights")?, k, what),
        Some(_) => {
            let w = args.nums("weights")?;
            if w.len() != k {
                return Err(Error::InvalidArgument {
                    arg: "weights",
                    reason: format!("has length {} but the fit has {k} {what}", w.len()),
                });
            }
            Ok(w.to_vec())
        }
    }
}

impl Fitted for NetSurvivalFit {
    fn call(&self, method: &str, args: &Args) -> Result<Value> {
        let f = self;
        match method {
            "at" => {
                let times = args.nums("times")?;
                let mut cols: [Vec<f64>; 7] = Default::default();
                let mut s_col = Vec::new();
                for (k, c) in f.curves.iter().enumerate() {
                    s_col.extend(std::iter::repeat_n(k, times.len()));
                    cols[0].extend_from_slice(times);
                    for row in f.at_rows(k, times)? {
                        let v = match row {
                            None => [f64::NAN, 1.0, 0.0, 1.0, 1.0, 0.0],
                            Some(i) => [
                                c.n_risk[i],
                                c.survival[i],
                                c.std_err[i],
                                c.lower[i],
                                c.upper[i],
                                c.std_err_cumulative_hazard[i],
                            ],
                        };
                        for (q, x) in v.into_iter().enumerate() {
                            cols[q + 1].push(x);
                        }
                    }
                }
                let mut t = Table::new().with("strata", s_col);
                for (name, c) in
                    ["time", "n_risk", "survival", "std_err", "lower", "upper", "std_err_cumulative_hazard"]
                        .iter()
                        .zip(cols)
                {
                    t.push(name, c);
                }
                Ok(Value::Table(t))
            }
            "age_standardized" => {
                let times = args.nums("times")?;
                let w = weights_arg(args, f.curves.len(), "strata")?;
                let r = f.age_standardized(&w, times)?;
                Ok(Value::Table(
                    Table::new()
                        .with("time", r.time)
                        .with("survival", r.survival)
                        .with("std_err", r.std_err)
                        .with("lower", r.lower)
                        .with("upper", r.upper),
                ))
            }
            other => Err(no_such("a net-survival fit", other)),
        }
    }
}

/// `net_survival_test`: `group` (a grouping), optional `strata`, `precision`. Returns
/// statistic, df, p_value (a chi-square test), score (per group), variance (groups x
/// groups), n and events per group, and the title the bindings print.
pub fn net_survival_test(args: &Args) -> Result<Output> {
    let s = spec(args)?;
    let p = persons(args, &s)?;
    let mut d = net_data(args, &s, &p)?;
    let mut title = "Log-rank-type test of equal net survival (Pohar-Perme weighting)".to_string();
    if let Some((c, k)) = args.opt_codes("strata")? {
        d = d.with_strata(c, k)?;
        title += &format!(", stratified ({k} strata)");
    }
    let (g, k) = args.codes("group")?;
    let r = rs_diff(&s.table, &d, g, k, precision(args, &s)?)?;
    let status = args.nums("status")?;
    let mut n = vec![0usize; k];
    let mut ev = vec![0.0; k];
    for (i, &c) in g.iter().enumerate() {
        n[c as usize] += 1;
        ev[c as usize] += status[i];
    }
    let test = TestResult {
        statistic: r.statistic,
        df: r.df,
        p_value: r.p_value,
    };
    let mut rec = test.record();
    rec.push("score", r.score);
    // named by the groups' labels, as the binding gave them
    rec.push("variance", Matrix::square(&r.variance, &args.levels("group")));
    rec.push("n", ints(&n));
    rec.push("events", ev);
    rec.push("title", title);
    Ok(Output::value(rec))
}

/// `excess_hazard_model`: `covariates` (a record of numeric columns), `breaks`
/// (follow-up intervals in years), `method` ("glm.poi" or "max.lik"), `conf_level`.
/// Returns coefficients (the coefficient table), coef, se, var, loglik, iterations,
/// converged, warnings (non-convergence, infinite coefficients), rsadd_coef / rsadd_se (glm.poi: the GLM as rsadd reports it), method, n,
/// events, and the method's description the bindings print (`title`).
pub fn excess_hazard_model(args: &Args) -> Result<Output> {
    let s = spec(args)?;
    let p = persons(args, &s)?;
    let d = net_data(args, &s, &p)?;
    let (cols, names) = args.columns("covariates")?;
    let x = Covariates::from_columns(cols, &names)?;
    let year = s.unit.year();
    let breaks: Vec<f64> = match args.opt_nums("breaks")? {
        Some(b) => b.iter().map(|v| v * year).collect(),
        None => [0.0, 1.0, 3.0, 5.0, 10.0].iter().map(|v| v * year).collect(),
    };
    let method = args.option::<ExcessMethod>("method")?;
    let f = match method {
        ExcessMethod::GlmPoi => excess_hazard_glm(&s.table, &d, &x, &breaks, year)?,
        ExcessMethod::MaxLik => excess_hazard_ml(&s.table, &d, &x, &breaks, year)?,
    };
    let table = CoefTable {
        names: &f.names,
        coef: &f.coef,
        se: &f.se,
        naive_se: None,
        dist: WaldDist::Normal,
        exp: true,
        conf_level: args.num_or("conf_level", 0.95)?,
    }
    .table()?;
    let status = args.nums("status")?;
    let rec = Record::new()
        .with("coefficients", table)
        .with("names", f.names.clone())
        .with("coef", f.coef.clone())
        .with("se", f.se.clone())
        .with("var", Matrix::square(&f.var, &f.names))
        .with("loglik", f.loglik)
        .with("iterations", f.iterations)
        .with("converged", f.converged)
        .with("warnings", f.warnings.clone())
        .with("rsadd_coef", f.glm_coef.clone())
        .with("rsadd_se", f.glm_se.clone())
        .with("method", method.name())
        .with("n", status.len())
        .with("events", status.iter().sum::<f64>())
        .with("title", match method {
            ExcessMethod::GlmPoi => "grouped Poisson GLM, Dickman et al. 2004",
            ExcessMethod::MaxLik => {
                "maximum likelihood on the individual data, as rsadd(method = \"max.lik\")"
            }
        });
    Ok(Output::value(rec))
}

/// `crude_probabilities`: optional `group`, `tau`, `precision`. Returns a table: group
/// (with a grouping), time, cause ("cancer", "population"), estimate, variance.
pub fn crude_probabilities(args: &Args) -> Result<Output> {
    let s = spec(args)?;
    let p = persons(args, &s)?;
    let mut d = net_data(args, &s, &p)?;
    let group = args.opt_codes("group")?;
    if let Some((c, k)) = group {
        d = d.with_groups(c, k)?;
    }
    let rs = crude_probabilities_by_stratum(&s.table, &d, precision(args, &s)?, args.opt_num("tau")?)?;
    let (mut g, mut time, mut cause, mut est, mut var) = (vec![], vec![], vec![], vec![], vec![]);
    for (k, r) in rs.iter().enumerate() {
        for (name, e, v) in [("cancer", &r.cancer, &r.cancer_var), ("population", &r.population, &r.population_var)] {
            g.extend(std::iter::repeat_n(k, r.time.len()));
            time.extend_from_slice(&r.time);
            cause.extend(std::iter::repeat_n(name.to_string(), r.time.len()));
            est.extend_from_slice(e);
            var.extend_from_slice(v);
        }
    }
    let mut t = Table::new();
    if group.is_some() {
        t.push("group", g);
    }
    t.push("time", time);
    t.push("cause", cause);
    t.push("estimate", est);
    t.push("variance", var);
    Ok(Output::value(t))
}

/// An interval fit with its boundaries in years.
struct IntervalFit {
    fit: IntervalSurvivalFit,
    breaks: Vec<f64>,
    /// One year in the table's unit.
    year: f64,
}

impl IntervalFit {
    /// One interval table in [`INTERVAL_COLUMNS`] (times and person-time in years).
    fn columns(&self, t: &IntervalTable) -> Vec<(&'static str, Vec<f64>)> {
        let m = t.surv.len();
        let b = &self.breaks;
        let y = self.year;
        let vals: Vec<Vec<f64>> = vec![
            (1..=m).map(|k| k as f64).collect(),
            b[..m].to_vec(),
            b[1..=m].to_vec(),
            (0..m).map(|k| b[k + 1] - b[k]).collect(),
            t.n_start.clone(),
            t.n_censor.clone(),
            t.pyrs.iter().map(|v| v / y).collect(),
            t.d.clone(),
            t.d_exp.clone(),
            t.d_pp.clone(),
            t.d_pp2.clone(),
            t.pyrs_pp.iter().map(|v| v / y).collect(),
            t.d_exp_pp.clone(),
            t.surv_obs.clone(),
            t.se_obs.clone(),
            t.surv_exp.clone(),
            t.surv.clone(),
            t.std_err.clone(),
            t.lower.clone(),
            t.upper.clone(),
        ];
        INTERVAL_COLUMNS.iter().copied().zip(vals).collect()
    }

    fn table(&self, t: &IntervalTable, group: Option<usize>) -> Table {
        let mut out = Table::new();
        if let Some(g) = group {
            out.push("group", vec![g; t.surv.len()]);
        }
        for (name, c) in self.columns(t) {
            if name == "interval" {
                out.push(name, Value::Ints(c.iter().map(|&v| v as i64).collect()));
            } else {
                out.push(name, c);
            }
        }
        out
    }

    fn all_tables(&self) -> Table {
        let mut parts: Vec<Table> = self
            .fit
            .tables
            .iter()
            .enumerate()
            .map(|(g, t)| self.table(t, Some(g)))
            .collect();
        let mut out = parts.remove(0);
        for p in parts {
            for ((_, a), (_, b)) in out.columns.iter_mut().zip(p.columns) {
                match (a, b) {
                    (Value::Nums(a), Value::Nums(b)) => a.extend(b),
                    (Value::Ints(a), Value::Ints(b)) => a.extend(b),
                    (Value::Index(a), Value::Index(b)) => a.extend(b),
                    _ => unreachable!("interval columns are numbers"),
                }
            }
        }
        out
    }
}

/// `interval_net_survival`: `breaks` (years since diagnosis, default 0:10), optional
/// `group`, `method` ("pohar-perme", "ederer2"), `pp_weight`, `conf_type` (default
/// log-log), `conf_level`. Returns table (group, then [`INTERVAL_COLUMNS`]), n and
/// deaths (events) per group, method, pp_weight, conf_type, conf_level, breaks; the fit answers
/// `age_standardized(weights)` and `at(times)`.
pub fn interval_net_survival(args: &Args) -> Result<Output> {
    let s = spec(args)?;
    let p = persons(args, &s)?;
    let (d, group) = interval_data(args, &s, &p)?;
    let o = IntervalOptions::read(args, &s)?;
    let fit = o.params.fit(&s.table, &d).map_err(|e| o.in_years(e))?;
    let k = fit.tables.len();
    let mut n = vec![0usize; k];
    match group {
        Some((c, _)) => c.iter().for_each(|&g| n[g as usize] += 1),
        None => n[0] = d.n(),
    }
    let (rec, f) = o.output(fit, &n, &s);
    Ok(Output::fit(rec, f))
}

/// The persons of an interval table and their groups.
fn interval_data<'a>(args: &'a Args, s: &Spec, p: &'a [Vec<f64>]) -> Result<(NetSurvivalData<'a>, Option<(&'a [u32], usize)>)> {
    let mut d = net_data(args, s, p)?;
    let group = args.opt_codes("group")?;
    if let Some((c, k)) = group {
        d = d.with_groups(c, k)?;
    }
    Ok((d, group))
}

/// The options of an interval table, read once: breaks in years and in the rate table's
/// unit, method, weights, limits.
struct IntervalOptions {
    params: crate::relsurv::lifetable::IntervalSurvivalParams,
    breaks: Vec<f64>,
    year: f64,
    method: IntervalMethod,
    pp_weight: PpWeight,
    conf_type: ConfType,
}

impl IntervalOptions {
    fn read(args: &Args, s: &Spec) -> Result<IntervalOptions> {
        let year = s.unit.year();
        let breaks: Vec<f64> = match args.opt_nums("breaks")? {
            Some(b) => b.to_vec(),
            None => (0..=10).map(|k| k as f64).collect(),
        };
        let in_unit: Vec<f64> = breaks.iter().map(|b| b * year).collect();
        let method = args.option::<IntervalMethod>("method")?;
        let pp_weight = args.option::<PpWeight>("pp_weight")?;
        let conf_type = match args.get("conf_type") {
            None => ConfType::LogLog,
            Some(_) => args.option::<ConfType>("conf_type")?,
        };
        let params = IntervalSurvival::params()
            .breaks(&in_unit)
            .method(method)
            .pp_weight(pp_weight)
            .conf_type(conf_type)
            .conf_level(args.num_or("conf_level", 0.95)?);
        Ok(IntervalOptions { params, breaks, year, method, pp_weight, conf_type })
    }

    /// An error about the boundaries names them in years, as they were given.
    fn in_years(&self, e: Error) -> Error {
        match e {
            Error::InvalidValue { arg: "breaks", row, value, problem } => Error::InvalidValue {
                arg: "breaks",
                row,
                value: value / self.year,
                problem,
            },
            e => e,
        }
    }

    /// The record of a fit (persons per group `n`) and its handle.
    fn output(&self, fit: crate::relsurv::lifetable::IntervalSurvivalFit, n: &[usize], s: &Spec) -> (Record, IntervalFit) {
        let events: Vec<f64> = fit.tables.iter().map(|t| t.d.iter().sum()).collect();
        let f = IntervalFit { fit, breaks: self.breaks.clone(), year: self.year };
        let rec = Record::new()
            .with("table", f.all_tables())
            .with("n", ints(n))
            .with("events", events)
            .with("method", self.method.name())
            .with("pp_weight", self.pp_weight.name())
            .with("conf_type", self.conf_type.name())
            .with("conf_level", f.fit.conf_level)
            .with("breaks", self.breaks.clone())
            .with("time_unit", s.unit.name())
            .with("title", match self.method {
                IntervalMethod::PoharPerme => "Interval net survival (Pohar-Perme)",
                IntervalMethod::Ederer2 => "Interval relative survival (Ederer II)",
            });
        (rec, f)
    }
}

/// `interval_part_pass`: one part's sums of an interval table (the arguments of
/// `interval_net_survival` for the part's persons; `group` codes with the whole data's
/// levels): `sums` (groups x intervals x 9) and `n` (persons per group).
pub fn interval_part_pass(args: &Args) -> Result<Output> {
    let s = spec(args)?;
    let p = persons(args, &s)?;
    let (d, group) = interval_data(args, &s, &p)?;
    let o = IntervalOptions::read(args, &s)?;
    let sums = o.params.sums(&s.table, &d).map_err(|e| o.in_years(e))?;
    let mut n = vec![0.0; group.map_or(1, |(_, k)| k)];
    match group {
        Some((c, _)) => c.iter().for_each(|&g| n[g as usize] += 1.0),
        None => n[0] = d.n() as f64,
    }
    Ok(Output::value(Record::new().with("sums", sums).with("n", n)))
}

/// The driver of an interval table over parts: one pass of `interval_part_pass`.
struct IntervalParts {
    options: IntervalOptions,
    spec: Spec,
    done: std::sync::Mutex<Option<(Record, IntervalFit)>>,
}

impl Fitted for IntervalParts {
    fn call(&self, method: &str, args: &Args) -> Result<Value> {
        let mut done = self.done.lock().expect("interval parts");
        match (method, done.as_ref()) {
            ("request", None) => Ok(Value::Record(Record::new().with("pass", "sums"))),
            ("request", Some(_)) => Ok(Value::Null),
            ("step", None) => {
                let recs = super::cox::part_records(args)?;
                let (mut sums, mut n): (Vec<f64>, Vec<f64>) = (Vec::new(), Vec::new());
                for r in recs {
                    let (s, k) = (r.nums("sums")?, r.nums("n")?);
                    if sums.is_empty() {
                        sums = s.to_vec();
                        n = k.to_vec();
                    } else if s.len() != sums.len() || k.len() != n.len() {
                        return Err(Error::InvalidArgument { arg: "parts", reason: "the parts' sums differ in size (different breaks or groups)".into() });
                    } else {
                        sums.iter_mut().zip(s).for_each(|(a, b)| *a += b);
                        n.iter_mut().zip(k).for_each(|(a, b)| *a += b);
                    }
                }
                let fit = self.options.params.from_sums(&sums, n.len()).map_err(|e| self.options.in_years(e))?;
                let counts: Vec<usize> = n.iter().map(|&v| v as usize).collect();
                *done = Some(self.options.output(fit, &counts, &self.spec));
                Ok(Value::Record(Record::new().with("done", true).with("request", Value::Null)))
            }
            ("result", Some((rec, _))) => Ok(Value::Record(rec.clone())),
            ("step", Some(_)) => Err(Error::InvalidArgument {
                arg: "parts",
                reason: "the table is done: its one pass was taken".into(),
            }),
            ("result", None) => Err(Error::InvalidArgument {
                arg: "result",
                reason: "the table is not done: run the pass it asks for".into(),
            }),
            (other, Some((_, f))) => f.call(other, args),
            (other, None) => Err(no_such("an interval table over partitions", other)),
        }
    }
}

/// `interval_partitioned`: the driver of `interval_net_survival` over parts (its
/// options and `ratetable`; no persons). Operations: `request` (one "sums" pass, then
/// NULL), `step` (`parts`: the records of `interval_part_pass`), `result` (the record
/// of `interval_net_survival`), then that fit's `at` and `age_standardized`.
pub fn interval_partitioned(args: &Args) -> Result<Output> {
    let s = spec(args)?;
    let options = IntervalOptions::read(args, &s)?;
    options.params.check().map_err(|e| options.in_years(e))?;
    let f = IntervalParts { options, spec: s, done: std::sync::Mutex::new(None) };
    let first = f.call("request", &Args::new())?;
    Ok(Output::fit(Record::new().with("request", first), f))
}

impl Fitted for IntervalFit {
    fn call(&self, method: &str, args: &Args) -> Result<Value> {
        match method {
            "age_standardized" => {
                let w = weights_arg(args, self.fit.tables.len(), "groups")?;
                let t = self.fit.age_standardized(&w)?;
                Ok(Value::Table(self.table(&t, None)))
            }
            // cumulative estimates at `times` (years): at the end of the last interval
            // ending at or before each time (1 before the first interval's end, NaN after
            // a group's last)
            "at" => {
                let times = args.nums("times")?;
                crate::data::check_times(times)?;
                let mut cols: [Vec<f64>; 5] = Default::default();
                let mut g_col = Vec::new();
                for (g, t) in self.fit.tables.iter().enumerate() {
                    let m = t.surv.len();
                    let stops = &self.breaks[1..=m];
                    let last = if m > 0 { stops[m - 1] } else { 0.0 };
                    for &x in times {
                        g_col.push(g);
                        cols[0].push(x);
                        let v = if x > last {
                            [f64::NAN; 4]
                        } else {
                            match stops.partition_point(|&s| s <= x) {
                                0 => [1.0, 0.0, 1.0, 1.0],
                                j => [t.surv[j - 1], t.std_err[j - 1], t.lower[j - 1], t.upper[j - 1]],
                            }
                        };
                        for q in 0..4 {
                            cols[q + 1].push(v[q]);
                        }
                    }
                }
                let mut out = Table::new().with("group", g_col);
                for (name, c) in ["time", "survival", "std_err", "lower", "upper"].iter().zip(cols) {
                    out.push(name, c);
                }
                Ok(Value::Table(out))
            }
            other => Err(no_such("an interval net-survival fit", other)),
        }
    }
}

/// `icss_group(age)`: the ICSS age group of each age at diagnosis (under 15 in the
/// first group): codes (0-based, NaN where the age is missing) and levels.
pub fn icss_group(args: &Args) -> Result<Output> {
    let age = args.nums("age")?;
    // A missing age has no group (NA); a negative or infinite age is an error, not a
    // member of the youngest or oldest group.
    if let Some(row) = age.iter().position(|a| a.is_infinite() || *a < 0.0) {
        return Err(Error::InvalidValue {
            arg: "age",
            row,
            value: age[row],
            problem: "age must be finite and non-negative",
        });
    }
    let codes: Vec<f64> = age
        .iter()
        .map(|&a| {
            if a.is_nan() {
                f64::NAN
            } else {
                ICSS_AGE_LOWER[1..].partition_point(|&l| l <= a) as f64
            }
        })
        .collect();
    Ok(Output::value(
        Record::new()
            .with("codes", codes)
            .with("levels", ICSS_LABELS.iter().map(|s| s.to_string()).collect::<Vec<String>>()),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::call;
    use crate::protocol::{Arg, Args, Value};
    use std::borrow::Cow;

    fn nums(v: &[f64]) -> Arg<'static> {
        Arg::Nums(Cow::Owned(v.to_vec()))
    }
    fn record(v: &Value) -> Arg<'static> {
        // a record returned by the core, passed back as an argument (as a binding does)
        match v {
            Value::Record(r) => Arg::Record(Args {
                items: r.fields.iter().map(|(n, x)| (n.clone(), record(x))).collect(),
            }),
            Value::Nums(x) => nums(x),
            Value::Ints(x) => nums(&x.iter().map(|&i| i as f64).collect::<Vec<_>>()),
            Value::Strs(s) => Arg::Strs(s.clone()),
            Value::Str(s) => Arg::Str(s.clone()),
            Value::Bool(b) => Arg::Bool(*b),
            _ => Arg::Null,
        }
    }
    fn table_days() -> Value {
        let args = Args::new()
            .with("age", nums(&[0.0, 50.0, 0.0, 50.0]))
            .with("year", nums(&[1990.0, 1990.0, 1990.0, 1990.0]))
            .with("sex", Arg::Codes { codes: Cow::Owned(vec![0, 0, 1, 1]), levels: vec!["m".into(), "f".into()] })
            .with("rate", nums(&[1e-5, 1e-4, 2e-5, 2e-4]))
            .with("time_unit", Arg::Str("days".into()));
        call("rate_table", &args).unwrap().value
    }

    #[test]
    fn rate_table_converts_years_to_days() {
        let Value::Record(r) = table_days() else { panic!() };
        let Some(Value::Record(long)) = r.get("long") else { panic!() };
        assert_eq!(long.get("age"), Some(&Value::Nums(vec![0.0, 50.0 * 365.241, 0.0, 50.0 * 365.241])));
        assert_eq!(long.get("year"), Some(&Value::Nums(vec![10958.0; 4])));
        assert_eq!(r.get("time_unit"), Some(&Value::Str("days".into())));
    }

    #[test]
    fn net_survival_and_excess_aliases_through_the_protocol() {
        let rt = record(&table_days());
        let persons = |extra: Vec<(&str, Arg<'static>)>| {
            let mut a = Args::new()
                .with("ratetable", rt.clone())
                .with("time", nums(&[100.0, 400.0, 800.0, 900.0, 1500.0, 2000.0]))
                .with("status", nums(&[1.0, 0.0, 1.0, 1.0, 0.0, 1.0]))
                .with("age", nums(&[60.0, 70.0, 55.0, 65.0, 75.0, 50.0]))
                .with("year", nums(&[1995.0, 1996.5, 1997.0, 1998.2, 1999.0, 2000.0]))
                .with("sex", nums(&[0.0, 1.0, 0.0, 1.0, 0.0, 1.0]));
            for (n, v) in extra {
                a = a.with(n, v);
            }
            a
        };
        let out = call("net_survival", &persons(vec![])).unwrap();
        let fit = out.fit.unwrap();
        let Value::Table(at) = fit.call("at", &Args::new().with("times", nums(&[0.0, 1e9]))).unwrap() else {
            panic!()
        };
        let Some(Value::Nums(s)) = at.get("survival") else { panic!() };
        assert_eq!(s[0], 1.0);
        assert!(s[1] < 1.0);
        let coef = |m: &str| {
            let a = persons(vec![
                ("covariates", Arg::Record(Args::new().with("x", nums(&[0.0, 1.0, 0.0, 1.0, 1.0, 0.0])))),
                ("breaks", nums(&[0.0, 2.0, 10.0])),
                ("method", Arg::Str(m.into())),
            ]);
            let Value::Record(r) = call("excess_hazard_model", &a).unwrap().value else { panic!() };
            r.get("coef").cloned().unwrap()
        };
        assert_eq!(coef("glm"), coef("glm.poi"));
        assert_eq!(coef("ml"), coef("max.lik"));
        let e = call("excess_hazard_model", &persons(vec![
            ("covariates", Arg::Record(Args::new().with("x", nums(&[0.0, 1.0, 0.0, 1.0, 1.0, 0.0])))),
            ("method", Arg::Str("EM".into())),
        ]))
        .err()
        .unwrap();
        assert_eq!(
            e.message(0),
            "argument `method`: unknown value \"EM\"; accepted: \"glm.poi\", \"max.lik\""
        );
        // a bad age names the argument, not the rate table's column
        let mut a = persons(vec![]);
        a.items.retain(|(n, _)| n != "age");
        let a = a.with("age", nums(&[60.0, f64::NAN, 55.0, 65.0, 75.0, 50.0]));
        let e = call("net_survival", &a).err().unwrap();
        assert!(e.message(1).starts_with("argument `age`:"), "{}", e.message(1));
    }

    fn strs(v: &[&str]) -> Arg<'static> {
        Arg::Strs(v.iter().map(|s| s.to_string()).collect())
    }

    /// Expected survival at one day of persons aged 50 in 1990 with the `sex` given.
    fn expected(sex: Arg<'static>) -> crate::error::Result<Vec<f64>> {
        let n = match &sex {
            Arg::Record(r) => r.nums("values").or(r.nums("codes")).unwrap().len(),
            Arg::Nums(v) => v.len(),
            _ => 1,
        };
        let args = Args::new()
            .with("ratetable", record(&table_days()))
            .with("age", nums(&vec![50.0; n]))
            .with("year", nums(&vec![1990.0; n]))
            .with("sex", sex)
            .with("times", nums(&[1.0]));
        match call("expected_survival", &args)?.value {
            Value::Matrix(m) => Ok(m.data),
            _ => panic!(),
        }
    }

    fn labels(codes: &[f64], labels: &[&str]) -> Arg<'static> {
        Arg::Record(Args::new().with("codes", nums(codes)).with("labels", strs(labels)))
    }

    fn values(v: &[f64]) -> Arg<'static> {
        Arg::Record(Args::new().with("values", nums(v)))
    }

    #[test]
    fn sex_labels_are_matched_to_the_levels_in_the_core() {
        let by_code = expected(nums(&[0.0, 1.0, 1.0])).unwrap();
        // labels in any order, numbers as the levels' positions 1..k (as survival)
        assert_eq!(expected(labels(&[1.0, 0.0, 0.0], &["f", "m"])).unwrap(), by_code);
        assert_eq!(expected(values(&[1.0, 2.0, 2.0])).unwrap(), by_code);
        let e = expected(labels(&[0.0, 1.0, 0.0], &["m", "x"])).err().unwrap();
        assert_eq!(e.message(1), "argument `sex`: value \"x\" at row 2 is not a sex of the rate table (m, f)");
        assert_eq!(e.row(), Some(1));
        let e = expected(labels(&[0.0, f64::NAN], &["m"])).err().unwrap();
        assert_eq!(e.message(0), "argument `sex`: missing value (NA) at row 1");
        // not all positions: no value is read as one (as R's survival-style lookup)
        let e = expected(values(&[1.0, 3.0])).err().unwrap();
        assert_eq!(e.message(1), "argument `sex`: value \"1\" at row 1 is not a sex of the rate table (m, f)");
        let e = expected(values(&[1.5])).err().unwrap();
        assert_eq!(e.message(1), "argument `sex`: value \"1.5\" at row 1 is not a sex of the rate table (m, f)");
    }

    /// A survival ratetable's attributes: age (2 rows) x sex (2) x year (2), as R sends them.
    fn survival_args(edit: impl Fn(Args<'static>) -> Args<'static>) -> crate::error::Result<Value> {
        let a = Args::new()
            .with("dim", nums(&[2.0, 2.0, 2.0]))
            .with("dimid", strs(&["age", "sex", "year"]))
            .with("levels", Arg::List(vec![Arg::Null, strs(&["male", "female"]), Arg::Null]))
            .with("cutpoints", Arg::List(vec![
                nums(&[0.0, 18262.05]),
                Arg::Null,
                nums(&[10958.0, 14610.0]),
            ]))
            .with("type", nums(&[2.0, 1.0, 3.0]))
            .with("rate", nums(&[1e-5, 1e-4, 2e-5, 2e-4, 3e-5, 3e-4, 4e-5, 4e-4]));
        Ok(call("rate_table", &Args::new().with("survival", Arg::Record(edit(a))))?.value)
    }

    #[test]
    fn survival_ratetable_attributes_are_checked_and_laid_out_by_the_core() {
        let Value::Record(r) = survival_args(|a| a).unwrap() else { panic!() };
        let Some(Value::Record(long)) = r.get("long") else { panic!() };
        // the first dimension varies fastest
        assert_eq!(long.get("age"), Some(&Value::Nums(vec![0.0, 18262.05, 0.0, 18262.05, 0.0, 18262.05, 0.0, 18262.05])));
        assert_eq!(long.get("sex"), Some(&Value::Nums(vec![0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0])));
        assert_eq!(long.get("year"), Some(&Value::Nums(vec![10958.0, 10958.0, 10958.0, 10958.0, 14610.0, 14610.0, 14610.0, 14610.0])));
        let Some(Value::Record(dims)) = r.get("dimensions") else { panic!() };
        let Some(Value::Record(sex)) = dims.get("sex") else { panic!() };
        assert_eq!(sex.get("levels"), Some(&Value::Strs(vec!["male".into(), "female".into()])));
        assert_eq!(sex.get("size"), Some(&Value::Int(2)));
        assert_eq!(r.get("us_date"), Some(&Value::Bool(false)));
        // older tables: `factor` instead of `type` (> 1: US-style calendar); without
        // dimnames the levels are "1", "2"
        let Value::Record(r) = survival_args(|mut a| {
            a.items.retain(|(n, _)| n != "type" && n != "levels");
            a.with("factor", nums(&[0.0, 1.0, 2.0]))
        })
        .unwrap() else { panic!() };
        assert_eq!(r.get("us_date"), Some(&Value::Bool(true)));
        let Some(Value::Record(lv)) = r.get("levels") else { panic!() };
        assert_eq!(lv.get("sex"), Some(&Value::Strs(vec!["1".into(), "2".into()])));
        let err = |edit: &dyn Fn(Args<'static>) -> Args<'static>| {
            survival_args(edit).err().unwrap().message(1)
        };
        let set = |n: &'static str, v: Arg<'static>| {
            move |mut a: Args<'static>| {
                a.items.retain(|(m, _)| m != n);
                a.with(n, v.clone())
            }
        };
        assert_eq!(err(&set("dimid", strs(&["age", "sex"]))), "argument `x`: not a survival rate table (no dimid/dimnames or cutpoints)");
        assert_eq!(err(&set("type", nums(&[2.0, 5.0, 3.0]))), "argument `x`: unknown dimension type 5");
        assert_eq!(
            err(&set("dimid", strs(&["age", "sex", "age"]))),
            "argument `x`: the dimensions must include age and year, each once (this table has age, sex, age)"
        );
        assert_eq!(err(&set("type", nums(&[1.0, 1.0, 3.0]))), "argument `x`: dimension `age` is a factor; it must be continuous");
        assert_eq!(err(&set("type", nums(&[2.0, 2.0, 3.0]))), "argument `x`: dimension `sex` is continuous; only age and year may be");
        assert_eq!(err(&set("type", nums(&[3.0, 1.0, 3.0]))), "argument `x`: dimension `age` is a date; only year may be");
        assert_eq!(
            err(&set("cutpoints", Arg::List(vec![nums(&[0.0]), Arg::Null, nums(&[1.0, 2.0])]))),
            "argument `x`: dimension `age` has 2 rows but 1 cut-points"
        );
    }

    #[test]
    fn a_factor_dimension_other_than_sex_is_read_from_data() {
        let rt = survival_args(|mut a| {
            a.items.retain(|(n, _)| n != "dimid");
            a.with("dimid", strs(&["age", "race", "year"]))
        })
        .unwrap();
        let persons = |factors: Arg<'static>| {
            Args::new()
                .with("ratetable", record(&rt))
                .with("age", nums(&[50.0, 60.0]))
                .with("year", nums(&[1990.0, 1991.0]))
                .with("factors", factors)
                .with("times", nums(&[1.0]))
        };
        let e = call("expected_survival", &persons(Arg::Record(Args::new()))).err().unwrap();
        assert_eq!(e.message(1), "argument `data`: the rate table has a dimension `race` (male, female): `data` needs a column `race`");
        let bad = Arg::Record(Args::new().with("race", labels(&[0.0, 1.0], &["female", "other"])));
        let e = call("expected_survival", &persons(bad)).err().unwrap();
        assert_eq!(
            e.message(1),
            "column `race` of `data`: value \"other\" at row 2 is not a level of `race` of the rate table (male, female)"
        );
        let good = Arg::Record(Args::new().with("race", labels(&[0.0, 0.0], &["female"])));
        assert!(call("expected_survival", &persons(good)).is_ok());
    }

    #[test]
    fn a_table_saved_by_an_earlier_r_version_is_rebuilt() {
        let Value::Record(r) = table_days() else { panic!() };
        let Some(Value::Record(long)) = r.get("long") else { panic!() };
        let cols = ["age", "year", "sex"].iter().map(|n| record(long.get(n).unwrap())).collect();
        let dim = |n: &str, kind: &str| {
            Args::new().with("name", Arg::Str(n.into())).with("kind", Arg::Str(kind.into()))
        };
        let rate = record(r.get("rate").unwrap());
        let old = Args::new()
            .with("dims", Arg::List(vec![
                Arg::Record(dim("age", "age")),
                Arg::Record(dim("year", "calendar")),
                Arg::Record(dim("sex", "factor").with("levels", strs(&["m", "f"]))),
            ]))
            .with("long", Arg::Record(Args::new().with("columns", Arg::List(cols)).with("rate", rate)))
            .with("time_unit", Arg::Str("days".into()))
            .with("us_date", Arg::Bool(false))
            .with("name", Arg::Str("old".into()));
        let back = call("rate_table", &Args::new().with("ratetable", Arg::Record(old))).unwrap();
        let Value::Record(back) = back.value else { panic!() };
        for f in ["long", "levels", "rate", "dims", "kinds"] {
            assert_eq!(back.get(f), r.get(f), "{f}");
        }
        assert_eq!(back.get("name"), Some(&Value::Str("old".into())));
    }
}
