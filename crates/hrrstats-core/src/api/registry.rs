//! Registry data to analysis variables through the protocol: `comorbidity` (Charlson
//! and Elixhauser indices from ICD-10 codes, as the R `comorbidity` package and Python
//! `comorbidipy`).

use super::Output;
use crate::error::{Error, Result};
use crate::options::OptionEnum;
use crate::protocol::{Arg, Args, Record, Table, Value};
use crate::registry::comorbidity::{self as cm, Index, Weights, Window};

/// A grouping argument as (codes, levels): a factor (codes) or strings (factorised here
/// in order of first appearance).
fn coded(args: &Args, name: &'static str) -> Result<(Vec<u32>, Vec<String>)> {
    match args.get(name) {
        Some(Arg::Codes { codes, levels }) => Ok((codes.to_vec(), levels.clone())),
        Some(Arg::Strs(_)) | Some(Arg::Str(_)) => {
            let v = args.strs(name)?;
            let mut map = std::collections::HashMap::<&str, u32>::with_capacity(v.len() / 4 + 1);
            let mut levels = Vec::new();
            let codes = v
                .iter()
                .map(|s| {
                    *map.entry(s.as_str()).or_insert_with(|| {
                        levels.push(s.clone());
                        (levels.len() - 1) as u32
                    })
                })
                .collect();
            Ok((codes, levels))
        }
        // absent or of another kind: the protocol's error naming the argument
        Some(_) | None => Err(args.codes(name).err().unwrap_or(Error::InvalidArgument {
            arg: name,
            reason: "must be a grouping variable (codes) or strings".into(),
        })),
    }
}

/// `comorbidity`: `id` and `code` (groupings: codes with levels, or strings), optional
/// `date`, `index_date` (per row or one value) and `lookback` (days; absent: no lower
/// bound), `index` ("charlson", "elixhauser"), `weights` (Charlson: "charlson" (1987,
/// default), "quan" (2011); Elixhauser: "van_walraven" (default), "swiss"). Returns
/// `table`: id (0-based code of the id; the id itself when ids came as strings), one 0/1 column per category, score; and
/// `categories` (name, label), `index`, `weights`.
pub fn comorbidity(args: &Args) -> Result<Output> {
    let id_as_strings = matches!(args.get("id"), Some(Arg::Strs(_)) | Some(Arg::Str(_)));
    let (id, id_levels) = coded(args, "id")?;
    let (code, levels) = coded(args, "code")?;
    let index: Index = args.option("index")?;
    let weights = match args.get("weights") {
        None => index.default_weights(),
        Some(_) => Weights::parse(args.str("weights")?)?,
    };
    let date = args.opt_nums("date")?;
    let index_date = args.opt_nums("index_date")?;
    let lookback = args.opt_num("lookback")?;
    let window = match (date, index_date) {
        (Some(date), Some(index_date)) => Some(Window {
            date,
            index_date,
            lookback: lookback.unwrap_or(f64::INFINITY),
        }),
        (None, None) if lookback.is_none() => None,
        (None, _) => {
            return Err(Error::InvalidArgument {
                arg: "date",
                reason: "is required with `index_date` or `lookback`".into(),
            })
        }
        (Some(_), None) => {
            return Err(Error::InvalidArgument {
                arg: "index_date",
                reason: "is required with `date` (the window is [index_date - lookback, index_date))".into(),
            })
        }
    };
    let res = cm::comorbidity(&id, id_levels.len().max(id.iter().map(|&i| i as usize + 1).max().unwrap_or(0)),
        &code, &levels, window.as_ref(), index, weights)?;
    let cats = index.categories();
    let ids = if id_as_strings {
        Value::Strs(res.ids.iter().map(|&i| id_levels[i].clone()).collect())
    } else {
        Value::Index(res.ids.clone())
    };
    let mut t = Table::new().with("id", ids);
    for (c, cat) in cats.iter().enumerate() {
        t.push(cat.name, Value::Ints(res.masks.iter().map(|m| (m >> c & 1) as i64).collect()));
    }
    t.push("score", res.scores);
    let categories = Table::new()
        .with("name", cats.iter().map(|c| c.name.to_string()).collect::<Vec<_>>())
        .with("label", cats.iter().map(|c| c.label.to_string()).collect::<Vec<_>>());
    Ok(Output::value(
        Record::new()
            .with("table", t)
            .with("categories", categories)
            .with("index", index.name())
            .with("weights", weights.name()),
    ))
}

/// `capture_recapture`: `sources` (a record of 0/1 columns, one per source, 2 to 4),
/// optional `counts` (people per row: aggregated data; absent: one row per person),
/// `model` (absent: selected by `criterion`, "aic" or "bic"; else "independence" or
/// pairwise terms "A:B + A:C"), `conf_level`. Returns `models` (model, df, deviance,
/// aic, bic, n_unobserved, n_hat, std_err, lower, upper (profile likelihood),
/// wald_lower, wald_upper), the selected model's `selected`, `n_observed`, `n_hat`,
/// `n_unobserved`, `std_err`, `lower`, `upper`, `wald_lower`, `wald_upper`,
/// `lower_unobserved`, `upper_unobserved`; `chapman` (a record: n_hat, std_err, lower,
/// upper; two sources only); `patterns` (one 0/1 column per source, count); `warnings`.
/// Definitions in [`crate::registry::capture_recapture`].
pub fn capture_recapture(args: &Args) -> Result<Output> {
    use crate::registry::capture_recapture::{self as cr, CaptureTable, Criterion};
    let (cols, names) = args.columns("sources")?;
    let counts = args.opt_nums("counts")?;
    let criterion: Criterion = args.option("criterion")?;
    let conf_level = args.num_or("conf_level", 0.95)?;
    crate::data::check_conf_level(conf_level)?;
    let model = match args.get("model") {
        None => None,
        Some(_) => Some(args.str("model")?.to_string()),
    };
    let table = CaptureTable::new(&cols, &names, counts)?;
    let r = cr::capture_recapture(table, model.as_deref(), criterion, conf_level)?;
    let ms = &r.models;
    let col = |f: fn(&cr::ModelFit) -> f64| ms.iter().map(f).collect::<Vec<f64>>();
    let models = Table::new()
        .with("model", ms.iter().map(|m| m.label.clone()).collect::<Vec<_>>())
        .with("df", Value::Ints(ms.iter().map(|m| m.df as i64).collect()))
        .with("deviance", col(|m| m.deviance))
        .with("aic", col(|m| m.aic))
        .with("bic", col(|m| m.bic))
        .with("n_unobserved", col(|m| m.n_unobserved))
        .with("n_hat", col(|m| m.n_hat))
        .with("std_err", col(|m| m.std_err))
        .with("lower", col(|m| m.lower))
        .with("upper", col(|m| m.upper))
        .with("wald_lower", col(|m| m.wald_lower))
        .with("wald_upper", col(|m| m.wald_upper));
    let k = r.table.k();
    let mut patterns = Table::new();
    for (j, name) in r.table.names.iter().enumerate() {
        patterns.push(name, Value::Ints((1..1usize << k).map(|p| (p >> j & 1) as i64).collect()));
    }
    patterns.push("count", r.table.counts.clone());
    let s = &ms[r.selected];
    let n = r.table.n;
    let mut out = Record::new()
        .with("models", models)
        .with("selected", s.label.clone())
        .with("criterion", match criterion {
            Criterion::Aic => "aic",
            Criterion::Bic => "bic",
        })
        .with("model_given", model.is_some() as u8 as f64)
        .with("conf_level", conf_level)
        .with("n_observed", n)
        .with("n_hat", s.n_hat)
        .with("n_unobserved", s.n_unobserved)
        .with("std_err", s.std_err)
        .with("lower", s.lower)
        .with("upper", s.upper)
        .with("wald_lower", s.wald_lower)
        .with("wald_upper", s.wald_upper)
        .with("lower_unobserved", s.lower - n)
        .with("upper_unobserved", s.upper - n)
        .with("sources", r.table.names.clone())
        .with("patterns", patterns);
    if let Some(c) = r.chapman {
        out.push(
            "chapman",
            Record::new()
                .with("n_hat", c.n_hat)
                .with("std_err", c.std_err)
                .with("lower", c.lower)
                .with("upper", c.upper),
        );
    }
    out.push("warnings", r.warnings);
    Ok(Output::value(out))
}

/// `protect_table`: cell suppression of a count table (see [`crate::registry::sdc`]).
/// `count` (one value per cell), `dims` (a named list of one to three groupings: the
/// cell's level in each dimension), `threshold` (5), `protection` (the threshold),
/// `suppress_zeros` (false), `margins` (true), `cost` ("value", "cells"),
/// `exact_intervals` (false: each primary cell's exact minimum, its maximum only until
/// the protection is certified, secondary cells' bounds NaN; true: every suppressed
/// cell's exact interval). Returns
/// `table`: one column per dimension (0-based level code, -1 for the total), `row`
/// (0-based input row; -1 for an absent combination, a zero cell, or a margin), `count`,
/// `suppressed`, `reason` ("primary", "secondary", ""), `lower`, `upper` (within the
/// attacker's interval, certified by the audit; exact with `exact_intervals`; the count
/// itself for a published cell); the input rows first, then absent
/// combinations, then the margins; and `n_primary`, `n_secondary`, `suppressed_total`,
/// `threshold`, `protection`, `margins`, `cost`.
pub fn protect_table(args: &Args) -> Result<Output> {
    use crate::registry::sdc::{self, Cost, Reason};
    let count = args.nums("count")?;
    let n = count.len();
    for (row, &v) in count.iter().enumerate() {
        if !v.is_finite() || v < 0.0 {
            return Err(Error::InvalidValue {
                arg: "count",
                row,
                value: v,
                problem: if v.is_nan() { "count is missing" } else { "count must be finite and non-negative" },
            });
        }
    }
    let Some(rec) = args.record("dims")? else {
        return Err(Error::InvalidArgument { arg: "dims", reason: "is required (one to three grouping columns)".into() });
    };
    let dims: Vec<(&String, &[u32], &Vec<String>)> = rec
        .items
        .iter()
        .filter(|(_, a)| !matches!(a, Arg::Null))
        .map(|(name, a)| match a {
            Arg::Codes { codes, levels } => Ok((name, &codes[..], levels)),
            _ => Err(Error::InvalidArgument {
                arg: "dims",
                reason: format!("`{name}` must be a grouping variable (codes with levels)"),
            }),
        })
        .collect::<Result<_>>()?;
    if dims.is_empty() || dims.len() > 3 {
        return Err(Error::InvalidArgument {
            arg: "dims",
            reason: format!("must name one to three dimensions, got {}", dims.len()),
        });
    }
    const RESERVED: [&str; 6] = ["row", "count", "suppressed", "reason", "lower", "upper"];
    for (name, codes, levels) in &dims {
        if RESERVED.contains(&name.as_str()) {
            return Err(Error::InvalidArgument {
                arg: "dims",
                reason: format!("a dimension may not be called `{name}` (a column of the result)"),
            });
        }
        crate::data::check_len("dims", codes.len(), "count", n)?;
        crate::data::check_codes("dims", codes, levels.len().max(1))?;
    }
    if n == 0 {
        return Err(Error::Empty { arg: "count" });
    }
    let levels: Vec<usize> = dims
        .iter()
        .map(|(_, c, l)| l.len().max(c.iter().map(|&x| x as usize + 1).max().unwrap_or(0)))
        .collect();
    let margins = args.flag_or("margins", true)?;
    let cells: f64 = levels.iter().map(|&l| (l + margins as usize) as f64).product();
    crate::data::check_cells("dims", cells, || "the table with its margins".into())?;
    let threshold = args.num_or("threshold", 5.0)?;
    if !(threshold.is_finite() && threshold >= 0.0) {
        return Err(Error::InvalidArgument { arg: "threshold", reason: format!("must be a finite number >= 0, got {threshold}") });
    }
    let protection = args.opt_num("protection")?.unwrap_or(threshold);
    if !(protection.is_finite() && protection >= 0.0) {
        return Err(Error::InvalidArgument { arg: "protection", reason: format!("must be a finite number >= 0, got {protection}") });
    }
    let opt = sdc::Options {
        threshold,
        protection,
        suppress_zeros: args.flag_or("suppress_zeros", false)?,
        margins,
        cost: args.option::<Cost>("cost")?,
        exact: args.flag_or("exact_intervals", false)?,
    };
    let total: f64 = count.iter().sum();
    if !total.is_finite() {
        return Err(Error::InvalidArgument { arg: "count", reason: "the counts are too large to add up (their total overflows)".into() });
    }
    let codes: Vec<&[u32]> = dims.iter().map(|d| d.1).collect();
    let p = sdc::protect(count, &codes, &levels, &opt)?;
    // output order: input rows, absent combinations, margins
    let st = {
        let mut s = vec![1usize; levels.len()];
        for d in (0..levels.len().saturating_sub(1)).rev() {
            s[d] = s[d + 1] * p.ext[d + 1];
        }
        s
    };
    let mut order: Vec<(usize, i64)> = (0..n)
        .map(|r| ((0..levels.len()).map(|d| codes[d][r] as usize * st[d]).sum(), r as i64))
        .collect();
    let mut given = vec![false; p.value.len()];
    for &(c, _) in &order {
        given[c] = true;
    }
    let is_margin = |c: usize| p.coords(c).iter().zip(&levels).any(|(x, l)| x == l);
    order.extend((0..p.value.len()).filter(|&c| !given[c] && !is_margin(c)).map(|c| (c, -1)));
    order.extend((0..p.value.len()).filter(|&c| is_margin(c)).map(|c| (c, -1)));
    let mut t = Table::new();
    for (d, (name, _, _)) in dims.iter().enumerate() {
        t.push(
            name,
            Value::Ints(
                order
                    .iter()
                    .map(|&(c, _)| {
                        let x = p.coords(c)[d];
                        if x == levels[d] { -1 } else { x as i64 }
                    })
                    .collect(),
            ),
        );
    }
    t.push("row", Value::Ints(order.iter().map(|&(_, r)| r).collect()));
    t.push("count", order.iter().map(|&(c, _)| p.value[c]).collect::<Vec<f64>>());
    t.push("suppressed", order.iter().map(|&(c, _)| p.reason[c] != Reason::Published).collect::<Vec<bool>>());
    t.push(
        "reason",
        order
            .iter()
            .map(|&(c, _)| match p.reason[c] {
                Reason::Primary => "primary",
                Reason::Secondary => "secondary",
                Reason::Published => "",
            }
            .to_string())
            .collect::<Vec<String>>(),
    );
    t.push("lower", order.iter().map(|&(c, _)| p.lower[c]).collect::<Vec<f64>>());
    t.push("upper", order.iter().map(|&(c, _)| p.upper[c]).collect::<Vec<f64>>());
    let n_of = |r: Reason| p.reason.iter().filter(|&&x| x == r).count();
    let suppressed_total: f64 = (0..p.value.len()).filter(|&c| p.reason[c] != Reason::Published && !is_margin(c)).map(|c| p.value[c]).sum();
    Ok(Output::value(
        Record::new()
            .with("table", t)
            .with("n_primary", n_of(Reason::Primary))
            .with("n_secondary", n_of(Reason::Secondary))
            .with("suppressed_total", suppressed_total)
            .with("threshold", threshold)
            .with("protection", protection)
            .with("margins", margins)
            .with("cost", opt.cost.name()),
    ))
}
