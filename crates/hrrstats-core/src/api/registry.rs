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

/// `protect_table`: disclosure control of a table (see [`crate::registry::sdc`]).
/// `count` (one value per cell) or `magnitude` (one row per contribution, summed per
/// cell; `unit`, a grouping, says whose: one unit's rows in a cell are one
/// contribution), `dims` (a named list of one to three groupings: the cell's level in
/// each dimension), `hierarchies` (optional: per dimension name a record of `child` and
/// `parent` label strings: subtotals within the dimension), `method` ("suppress",
/// "round"), `base` (5; controlled rounding), `threshold` (5; count tables),
/// `protection` (the threshold), `p` (p%-rule) and `dominance_n`, `dominance_k` ((n, k)
/// rule; magnitude tables), `suppress_zeros` (false), `margins` (true), `cost` ("value",
/// "cells"), `exact_intervals` (false: each primary cell's exact minimum, its maximum
/// only until the protection is certified, secondary cells' bounds NaN; true: every
/// suppressed cell's exact interval). Returns `table`: one column per dimension (node
/// code: 0-based level, subtotals after the levels (their labels in `labels`), -1 for
/// the total), `row` (0-based input row; -1 for an absent combination, a zero cell, a
/// margin, or a cell of several contributions), `count`, then with "suppress":
/// `suppressed`, `reason` ("primary", "secondary", ""), `lower`, `upper` (within the
/// attacker's interval, certified by the audit; exact with `exact_intervals`; the count
/// itself for a published cell), and for magnitude tables `contributors` and
/// `protection_level` (the UPL = LPL required of a primary cell); with "round":
/// `rounded`. Rows: the input cells first, then absent combinations, then the margins.
/// And `labels` (per dimension every node's label but the total's), `n_primary`,
/// `n_secondary`, `suppressed_total`, `threshold`, `protection`, `margins`, `cost`,
/// `method`, `base`.
pub fn protect_table(args: &Args) -> Result<Output> {
    use crate::registry::sdc::{self, Cost, Dim, Method, Reason};
    let magnitude = args.opt_nums("magnitude")?;
    let (values, value_arg) = match magnitude {
        Some(m) => (m, "magnitude"),
        None => (args.nums("count")?, "count"),
    };
    let n = values.len();
    for (row, &v) in values.iter().enumerate() {
        if !v.is_finite() || v < 0.0 {
            return Err(Error::InvalidValue {
                arg: value_arg,
                row,
                value: v,
                problem: if v.is_nan() {
                    if magnitude.is_some() { "contribution is missing" } else { "count is missing" }
                } else if magnitude.is_some() {
                    "contributions must be finite and non-negative"
                } else {
                    "count must be finite and non-negative"
                },
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
    const RESERVED: [&str; 9] = ["row", "count", "suppressed", "reason", "lower", "upper", "contributors", "protection_level", "rounded"];
    for (name, codes, levels) in &dims {
        if RESERVED.contains(&name.as_str()) {
            return Err(Error::InvalidArgument {
                arg: "dims",
                reason: format!("a dimension may not be called `{name}` (a column of the result)"),
            });
        }
        crate::data::check_len("dims", codes.len(), value_arg, n)?;
        crate::data::check_codes("dims", codes, levels.len().max(1))?;
    }
    if n == 0 {
        return Err(Error::Empty { arg: value_arg });
    }
    let unit = match args.get("unit") {
        None | Some(Arg::Null) => None,
        Some(_) => {
            if magnitude.is_none() {
                return Err(Error::InvalidArgument { arg: "unit", reason: "applies to magnitude tables (give `magnitude`)".into() });
            }
            let (u, _) = coded(args, "unit")?;
            crate::data::check_len("unit", u.len(), value_arg, n)?;
            Some(u)
        }
    };
    let margins = args.flag_or("margins", true)?;
    let method = args.option::<Method>("method")?;
    // the trees: flat, or from the hierarchies' (child, parent) labels
    let hier = args.record("hierarchies")?;
    if let Some(h) = hier {
        for (name, a) in &h.items {
            if matches!(a, Arg::Null) {
                continue;
            }
            if !dims.iter().any(|d| d.0 == name) {
                return Err(Error::InvalidArgument { arg: "hierarchies", reason: format!("`{name}` is not one of the dimensions") });
            }
        }
        if !margins {
            return Err(Error::InvalidArgument { arg: "hierarchies", reason: "subtotals need margins = true".into() });
        }
    }
    let mut trees = Vec::with_capacity(dims.len());
    let mut labels: Vec<Vec<String>> = Vec::with_capacity(dims.len());
    for (name, codes, levels) in &dims {
        let nlev = levels.len().max(codes.iter().map(|&x| x as usize + 1).max().unwrap_or(0));
        let spec = match hier.and_then(|h| h.items.iter().find(|(nm, a)| nm == *name && !matches!(a, Arg::Null))) {
            Some((_, Arg::Record(r))) => {
                let child = r.strs("child").map_err(|_| Error::InvalidArgument {
                    arg: "hierarchies",
                    reason: format!("dimension `{name}`: give `child` and `parent` labels"),
                })?;
                let parent = r.strs("parent").map_err(|_| Error::InvalidArgument {
                    arg: "hierarchies",
                    reason: format!("dimension `{name}`: give `child` and `parent` labels"),
                })?;
                if child.len() != parent.len() {
                    return Err(Error::InvalidArgument {
                        arg: "hierarchies",
                        reason: format!("dimension `{name}`: {} children but {} parents", child.len(), parent.len()),
                    });
                }
                Some((child, parent))
            }
            Some(_) => {
                return Err(Error::InvalidArgument {
                    arg: "hierarchies",
                    reason: format!("dimension `{name}`: must be a mapping of child labels to parent labels"),
                })
            }
            None => None,
        };
        match spec {
            Some((child, parent)) => {
                let mut lev: Vec<String> = levels.to_vec();
                lev.resize(nlev, String::new());
                let (tree, lab) = sdc::dim_from_labels(name, &lev, &child, &parent)?;
                trees.push(tree);
                labels.push(lab);
            }
            None => {
                trees.push(Dim::flat(nlev, margins));
                let mut lab: Vec<String> = levels.to_vec();
                lab.resize(nlev, String::new());
                labels.push(lab);
            }
        }
    }
    let cells: f64 = trees.iter().map(|t| t.nodes() as f64).product();
    crate::data::check_cells("dims", cells, || "the table with its margins".into())?;
    let given = |name: &str| !matches!(args.get(name), None | Some(Arg::Null));
    let p = args.opt_num("p")?;
    if let Some(p) = p {
        if !(p.is_finite() && p > 0.0) {
            return Err(Error::InvalidArgument { arg: "p", reason: format!("must be a finite number > 0 (a percentage), got {p}") });
        }
    }
    let dominance = match (args.opt_num("dominance_n")?, args.opt_num("dominance_k")?) {
        (None, None) => None,
        (Some(dn), Some(dk)) => {
            if !(dn >= 1.0 && dn == dn.floor() && dn < 1e6) {
                return Err(Error::InvalidArgument { arg: "dominance", reason: format!("n must be a whole number >= 1, got {dn}") });
            }
            if !(dk > 0.0 && dk <= 100.0) {
                return Err(Error::InvalidArgument { arg: "dominance", reason: format!("k must be a percentage in (0, 100], got {dk}") });
            }
            Some((dn as usize, dk))
        }
        _ => return Err(Error::InvalidArgument { arg: "dominance", reason: "give both n and k".into() }),
    };
    if magnitude.is_some() {
        for a in ["threshold", "protection", "suppress_zeros"] {
            if given(a) {
                return Err(Error::InvalidArgument {
                    arg: if a == "threshold" { "threshold" } else if a == "protection" { "protection" } else { "suppress_zeros" },
                    reason: "applies to count tables; a magnitude table's rules are `p` and `dominance`".into(),
                });
            }
        }
        if method == Method::Suppress && p.is_none() && dominance.is_none() {
            return Err(Error::InvalidArgument {
                arg: "p",
                reason: "a magnitude table needs a sensitivity rule: give `p` (p%-rule) and/or `dominance` (n, k)".into(),
            });
        }
    } else if p.is_some() || dominance.is_some() {
        return Err(Error::InvalidArgument {
            arg: if p.is_some() { "p" } else { "dominance" },
            reason: "applies to magnitude tables (give `magnitude`, one row per contribution)".into(),
        });
    }
    let threshold = args.num_or("threshold", 5.0)?;
    if !(threshold.is_finite() && threshold >= 0.0) {
        return Err(Error::InvalidArgument { arg: "threshold", reason: format!("must be a finite number >= 0, got {threshold}") });
    }
    let protection = args.opt_num("protection")?.unwrap_or(threshold);
    if !(protection.is_finite() && protection >= 0.0) {
        return Err(Error::InvalidArgument { arg: "protection", reason: format!("must be a finite number >= 0, got {protection}") });
    }
    let base = args.num_or("base", 5.0)?;
    if !(base.is_finite() && base > 0.0) {
        return Err(Error::InvalidArgument { arg: "base", reason: format!("must be a finite number > 0, got {base}") });
    }
    let total: f64 = values.iter().sum();
    if !total.is_finite() {
        return Err(Error::InvalidArgument { arg: value_arg, reason: "the values are too large to add up (their total overflows)".into() });
    }
    let codes: Vec<&[u32]> = dims.iter().map(|d| d.1).collect();
    let input = sdc::Input { value: values, cells: &codes, magnitude: magnitude.is_some(), unit: unit.as_deref() };
    let cost = args.option::<Cost>("cost")?;
    let (ext, value, row_of) ;
    let mut stats = Record::new();
    let order_cols: Box<dyn Fn(&[usize], &mut Table)>;
    match method {
        Method::Suppress => {
            let opt = sdc::Options {
                rules: sdc::Rules { threshold, protection, suppress_zeros: args.flag_or("suppress_zeros", false)?, p, dominance },
                cost,
                exact: args.flag_or("exact_intervals", false)?,
            };
            let pr = sdc::protect(&input, &trees, &opt)?;
            let is_margin = |c: usize| pr.coords(c).iter().zip(&trees).any(|(x, t)| !t.is_leaf(*x));
            let n_of = |r: Reason| pr.reason.iter().filter(|&&x| x == r).count();
            let suppressed_total: f64 =
                (0..pr.value.len()).filter(|&c| pr.reason[c] != Reason::Published && !is_margin(c)).map(|c| pr.value[c]).sum();
            stats.push("n_primary", n_of(Reason::Primary));
            stats.push("n_secondary", n_of(Reason::Secondary));
            stats.push("suppressed_total", suppressed_total);
            let magn = magnitude.is_some();
            ext = pr.ext.clone();
            value = pr.value.clone();
            row_of = pr.row.clone();
            order_cols = Box::new(move |order: &[usize], t: &mut Table| {
                t.push("suppressed", order.iter().map(|&c| pr.reason[c] != Reason::Published).collect::<Vec<bool>>());
                t.push(
                    "reason",
                    order
                        .iter()
                        .map(|&c| match pr.reason[c] {
                            Reason::Primary => "primary",
                            Reason::Secondary => "secondary",
                            Reason::Published => "",
                        }
                        .to_string())
                        .collect::<Vec<String>>(),
                );
                t.push("lower", order.iter().map(|&c| pr.lower[c]).collect::<Vec<f64>>());
                t.push("upper", order.iter().map(|&c| pr.upper[c]).collect::<Vec<f64>>());
                if magn {
                    t.push("contributors", order.iter().map(|&c| pr.contributors[c]).collect::<Vec<f64>>());
                    t.push("protection_level", order.iter().map(|&c| pr.required[c]).collect::<Vec<f64>>());
                }
            });
        }
        Method::Round => {
            for a in ["exact_intervals", "suppress_zeros", "threshold", "protection", "cost", "p", "dominance_n"] {
                if given(a) {
                    return Err(Error::InvalidArgument {
                        arg: match a {
                            "exact_intervals" => "exact_intervals",
                            "suppress_zeros" => "suppress_zeros",
                            "threshold" => "threshold",
                            "protection" => "protection",
                            "cost" => "cost",
                            "p" => "p",
                            _ => "dominance",
                        },
                        reason: "applies to method = \"suppress\"".into(),
                    });
                }
            }
            let r = sdc::round(&input, &trees, base)?;
            ext = r.ext.clone();
            value = r.value.clone();
            row_of = r.row.clone();
            order_cols = Box::new(move |order: &[usize], t: &mut Table| {
                t.push("rounded", order.iter().map(|&c| r.rounded[c]).collect::<Vec<f64>>());
            });
        }
    }
    // output order: input rows, absent combinations, margins
    let coords = |mut c: usize| {
        let mut x = vec![0; ext.len()];
        for d in (0..ext.len()).rev() {
            x[d] = c % ext[d];
            c /= ext[d];
        }
        x
    };
    let is_margin = |c: usize| coords(c).iter().zip(&trees).any(|(x, t)| !t.is_leaf(*x));
    let mut first: Vec<(usize, usize)> = (0..value.len()).filter(|&c| row_of[c] != usize::MAX).map(|c| (row_of[c], c)).collect();
    first.sort_unstable();
    let mut order: Vec<usize> = first.iter().map(|&(_, c)| c).collect();
    let mut placed = vec![false; value.len()];
    for &c in &order {
        placed[c] = true;
    }
    if magnitude.is_some() {
        // cells of several contributions: in order of their first row
        let mut firstrow = vec![usize::MAX; value.len()];
        let st: Vec<usize> = (0..ext.len()).map(|d| ext[d + 1..].iter().product()).collect();
        for r in 0..n {
            let c: usize = (0..ext.len()).map(|d| codes[d][r] as usize * st[d]).sum();
            firstrow[c] = firstrow[c].min(r);
        }
        let mut more: Vec<(usize, usize)> = (0..value.len()).filter(|&c| !placed[c] && firstrow[c] != usize::MAX).map(|c| (firstrow[c], c)).collect();
        more.sort_unstable();
        // merge with the single-row cells by first row
        let mut all: Vec<(usize, usize)> = first.into_iter().chain(more).collect();
        all.sort_unstable();
        order = all.iter().map(|&(_, c)| c).collect();
        for &c in &order {
            placed[c] = true;
        }
    }
    order.extend((0..value.len()).filter(|&c| !placed[c] && !is_margin(c)));
    order.extend((0..value.len()).filter(|&c| is_margin(c)));
    let mut t = Table::new();
    for (d, (name, _, _)) in dims.iter().enumerate() {
        let root = trees[d].root();
        t.push(
            name,
            Value::Ints(
                order
                    .iter()
                    .map(|&c| {
                        let x = coords(c)[d];
                        if Some(x) == root { -1 } else { x as i64 }
                    })
                    .collect(),
            ),
        );
    }
    t.push("row", Value::Ints(order.iter().map(|&c| if row_of[c] == usize::MAX { -1 } else { row_of[c] as i64 }).collect()));
    t.push("count", order.iter().map(|&c| value[c]).collect::<Vec<f64>>());
    order_cols(&order, &mut t);
    let mut lab = Record::new();
    for (d, (name, _, _)) in dims.iter().enumerate() {
        lab.push(name, labels[d].clone());
    }
    let mut out = Record::new().with("table", t).with("labels", lab);
    for (name, v) in stats.fields {
        out.push(&name, v);
    }
    out.push("threshold", threshold);
    out.push("protection", protection);
    out.push("margins", margins);
    out.push("cost", cost.name());
    out.push("method", method.name());
    out.push("base", base);
    Ok(Output::value(out))
}
