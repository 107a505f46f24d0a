//! Cox regression through the protocol: the fit and every operation on it.
//!
//! `cox_ph` fits the model and returns its numbers with a handle that answers, from the
//! fit's own sorted data: `coef_table` (the Wald table at another level), `residuals`,
//! `zph`, `predict` (fitted rows or new covariate rows), `baseline_hazard` and `anova`
//! (likelihood-ratio tests against other fits' log-likelihoods).

use super::{no_such, Fitted, Output};
use crate::data::{Covariates, CoxData};
use crate::error::{Error, Result};
use crate::inference::{lr_anova, CoefTable, WaldDist};
use crate::protocol::{ints, Arg, Args, Matrix, Record, Table, Value};
use crate::survival::cox::partitioned::{EventTimes, Point, ResidualTerms};
use crate::survival::cox::{
    Convergence, CoxPh, CoxPhFit, CoxPredictType, CoxResidual, Ties, ZphTransform,
};

/// A Cox fit with what the operations need besides it: the stratum labels and the
/// confidence level of the fit's table.
struct CoxFit {
    fit: CoxPhFit,
    strata_levels: Vec<String>,
    conf_level: f64,
}

/// Cox proportional hazards regression, as `survival::coxph`: `time`, `status`,
/// `covariates` (named numeric columns: the design, without an intercept), `entry`,
/// `weights`, `strata`, `offset`, `cluster` (groupings: codes with levels), `ties`
/// ("efron", "breslow"), `robust` (absent: robust with a cluster or non-integer case
/// weights, as coxph), `max_iter` (20), `eps` (1e-9), `init`,
/// `conf_level` (0.95, of `table`). Returns the coefficient table and every number of
/// the fit; the handle answers the operations listed in the module documentation.
pub fn cox_ph(args: &Args) -> Result<Output> {
    let surv = super::survival::survival_data(args, true)?;
    let (cols, names) = args.columns("covariates")?;
    let x = Covariates::from_columns(cols, &names)?;
    let mut data = CoxData::new(surv, x)?;
    if let Some(o) = args.opt_nums("offset")? {
        data = data.with_offset(o)?;
    }
    if let Some((c, _)) = args.opt_codes("cluster")? {
        data = data.with_cluster(c)?;
    }
    let mut params = cox_params(args)?;
    // Absent: coxph's rule (robust with a cluster or non-integer case weights).
    if args.get("robust").is_some() {
        params = params.robust(args.flag_or("robust", false)?);
    }
    let conf_level = args.num_or("conf_level", 0.95)?;
    let fit = params.fit(&data)?;
    let mut strata_levels = args.levels("strata");
    if strata_levels.is_empty() {
        strata_levels = (0..fit.baseline.offsets.len().saturating_sub(1))
            .map(|k| {
                if k == 0 {
                    "all".to_string()
                } else {
                    k.to_string()
                }
            })
            .collect();
    }
    let f = CoxFit {
        fit,
        strata_levels,
        conf_level,
    };
    let rec = f.record()?;
    Ok(Output::fit(rec, f))
}

// ---- Cox over parts (hrrstats.dask) ------------------------------------------------------

/// The options of a fit (`ties`, `max_iter`, `eps`, `init`), as `cox_ph` reads them.
fn cox_params(args: &Args) -> Result<crate::survival::cox::CoxPhParams> {
    let mut params = CoxPh::params()
        .ties(args.option::<Ties>("ties")?)
        .max_iter(args.count_or("max_iter", 20, 0)?)
        .eps(args.num_or("eps", 1e-9)?);
    if let Some(init) = args.opt_nums("init")? {
        params = params.init(init.to_vec());
    }
    Ok(params)
}

/// `cox_part_pass`: one part's sums for the pass `pass` ("moments", or "sums" with
/// `times`/`time_offsets` (the event times of every stratum), `centre`, `scale` and
/// `beta`), from its `time`, `status`, `entry`, `strata` (codes with the whole data's
/// levels), `weights`, `offset` and `covariates` (numeric columns). After the fit,
/// "residuals" and "rows" (the requests of the driver), and the concordance's passes:
/// "events" (`means`, `mean_offset`, `coef`: the part's event rows `ev_time`, `ev_lp`,
/// `ev_entry`, `ev_weights`, `ev_strata`) and "concordance" (the same with the whole
/// data's `ev_*` gathered in the parts' order: the part's pair sums).
pub fn cox_part_pass(args: &Args) -> Result<Output> {
    use crate::survival::cox::partitioned::{part_moments, part_sums, CoxPart};
    let (cols, names) = args.columns("covariates")?;
    let time = args.nums("time")?;
    let x = Covariates::from_columns(cols, &names)?;
    let part = CoxPart {
        time,
        status: args.nums("status")?,
        entry: args.opt_nums("entry")?,
        strata: args.opt_codes("strata")?,
        weights: args.opt_nums("weights")?,
        offset: args.opt_nums("offset")?,
        x,
    };
    let rec = match args.str_or("pass", "moments")? {
        "moments" => {
            let m = part_moments(&part)?;
            Record::new()
                .with("names", names.clone())
                .with("n", m.n)
                .with("n_event", m.n_event)
                .with("wsum", m.wsum)
                .with("sx", m.sx)
                .with("sxx", m.sxx)
                .with("zero_one", m.zero_one.iter().map(|&z| z as u8 as f64).collect::<Vec<f64>>())
                .with("fractional", m.fractional)
                .with("sx1", m.sx1)
                .with("so", m.so)
                .with("times", Value::List(m.times.into_iter().map(Value::Nums).collect()))
        }
        "sums" => {
            let t = part_sums(&part, PointArgs::read(args)?.point())?;
            Record::new()
                .with("names", names.clone())
                .with("a", t.a)
                .with("a1", t.a1)
                .with("a2", t.a2)
                .with("e0", t.e0)
                .with("e1", t.e1)
                .with("e2", t.e2)
                .with("deaths", t.deaths)
                .with("wdeaths", t.wdeaths)
                .with("l_ev", t.l_ev)
                .with("u_ev", t.u_ev)
        }
        "residuals" => {
            use crate::survival::cox::partitioned::{part_residuals, ResidualPass};
            let at = PointArgs::read(args)?;
            let (terms, terms0) = (at.terms()?, residual_terms_arg(args, "0")?);
            let pass = ResidualPass { at: at.point(), terms: &terms, beta0: args.nums("beta0")?, terms0: &terms0 };
            let r = part_residuals(&part, &pass, args.opt_codes("cluster")?.map(|(c, _)| c))?;
            Record::new()
                .with("names", names.clone())
                .with("meat", r.meat)
                .with("u0", r.u0)
                .with("tt0", r.tt0)
                .with("groups", r.groups)
        }
        "rows" => {
            use crate::survival::cox::partitioned::{part_rows, RowsPass};
            let at = PointArgs::read(args)?;
            let pass = RowsPass {
                at: at.point(),
                terms: &at.terms()?,
                means: args.nums("means")?,
                mean_offset: args.num_or("mean_offset", 0.0)?,
                coef: args.nums("coef")?,
                naive_var: args.nums("naive_var")?,
                n_event: args.count_or("n_event", 0, 0)?,
            };
            let what = args.str_or("type", "martingale")?;
            let weighted = args.flag_or("weighted", matches!(what, "dfbeta" | "dfbetas"))?;
            let r = part_rows(&part, &pass, what, args.opt_nums("at_times")?, weighted)?;
            Record::new()
                .with("ncol", r.ncol)
                .with("values", r.values)
                .with("rows", r.rows)
                .with("time", r.time)
                .with("strata", r.strata.iter().map(|&s| s as usize).collect::<Vec<usize>>())
        }
        "events" => {
            use crate::survival::cox::partitioned::part_events;
            let e = part_events(&part, &lp_pass(args)?)?;
            let mut rec = Record::new().with("names", names.clone()).with("n", e.n).with("ev_time", e.time).with("ev_lp", e.lp);
            if let Some(v) = e.entry {
                rec = rec.with("ev_entry", v);
            }
            if let Some(v) = e.weights {
                rec = rec.with("ev_weights", v);
            }
            if let Some(v) = e.strata {
                rec = rec.with("ev_strata", v.iter().map(|&k| k as f64).collect::<Vec<f64>>());
            }
            rec
        }
        "concordance" => {
            use crate::survival::cox::partitioned::part_concordance;
            let ev = EventsArg::read(args)?;
            let c = part_concordance(&part, &lp_pass(args)?, &ev.events())?;
            Record::new()
                .with("names", names.clone())
                .with("n", c.n)
                .with("count", c.count.to_vec())
                .with("events", c.events)
                .with("sq", c.sq.to_vec())
        }
        "zph" => {
            use crate::survival::cox::partitioned::part_zph;
            let z = part_zph(&part, PointArgs::read(args)?.point(), args.nums("pooled_times")?)?;
            Record::new()
                .with("names", names.clone())
                .with("a", z.sums.a)
                .with("a1", z.sums.a1)
                .with("a2", z.sums.a2)
                .with("e0", z.sums.e0)
                .with("e1", z.sums.e1)
                .with("e2", z.sums.e2)
                .with("deaths", z.sums.deaths)
                .with("wdeaths", z.sums.wdeaths)
                .with("l_ev", z.sums.l_ev)
                .with("u_ev", z.sums.u_ev)
                .with("dx", z.dx)
                .with("n_risk", z.n_risk)
                .with("below", z.below)
                .with("at", z.at)
        }
        other => {
            return Err(Error::InvalidArgument {
                arg: "pass",
                reason: format!(
                    "unknown value \"{other}\"; accepted: \"moments\", \"sums\", \"residuals\", \"rows\", \"events\", \"concordance\", \"zph\""
                ),
            })
        }
    };
    Ok(Output::value(rec))
}

/// The linear predictor of a concordance pass (`means`, `mean_offset`, `coef`).
fn lp_pass<'s>(args: &'s Args) -> Result<crate::survival::cox::partitioned::LpPass<'s>> {
    Ok(crate::survival::cox::partitioned::LpPass {
        means: args.nums("means")?,
        mean_offset: args.num_or("mean_offset", 0.0)?,
        coef: args.nums("coef")?,
    })
}

/// The whole data's event rows of a concordance pass (`ev_time`, `ev_lp`, and
/// `ev_entry`, `ev_weights`, `ev_strata` (codes) where the data have them).
struct EventsArg<'s> {
    time: &'s [f64],
    entry: Option<&'s [f64]>,
    lp: &'s [f64],
    weights: Option<&'s [f64]>,
    strata: Option<Vec<u32>>,
}

impl<'s> EventsArg<'s> {
    fn read(args: &'s Args<'s>) -> Result<EventsArg<'s>> {
        let strata = match args.opt_nums("ev_strata")? {
            None => None,
            Some(v) => Some(
                v.iter()
                    .map(|&k| {
                        if k >= 0.0 && k.fract() == 0.0 && k <= u32::MAX as f64 {
                            Ok(k as u32)
                        } else {
                            Err(Error::InvalidArgument { arg: "ev_strata", reason: format!("must be stratum codes, got {k}") })
                        }
                    })
                    .collect::<Result<Vec<u32>>>()?,
            ),
        };
        Ok(EventsArg {
            time: args.nums("ev_time")?,
            entry: args.opt_nums("ev_entry")?,
            lp: args.nums("ev_lp")?,
            weights: args.opt_nums("ev_weights")?,
            strata,
        })
    }

    fn events(&self) -> crate::survival::concordance::Events<'_> {
        crate::survival::concordance::Events {
            time: self.time,
            entry: self.entry,
            score: self.lp,
            weights: self.weights,
            strata: self.strata.as_deref(),
        }
    }
}

/// The terms of a proportional-hazards test (`terms`: a record of term label to column
/// names; default one per column): their labels and column groups.
fn zph_terms(names: &[String], args: &Args) -> Result<(Vec<String>, Option<Vec<Vec<usize>>>)> {
    let Some(terms) = args.record("terms")? else {
        return Ok((names.to_vec(), None));
    };
    let mut labels = Vec::new();
    let mut groups = Vec::new();
    for (label, a) in &terms.items {
        let cols: Vec<String> = match a {
            Arg::Str(s) => vec![s.clone()],
            Arg::Strs(v) => v.clone(),
            _ => {
                return Err(Error::InvalidArgument {
                    arg: "terms",
                    reason: format!("term `{label}` must list column names"),
                })
            }
        };
        let idx = cols
            .iter()
            .map(|c| {
                names.iter().position(|n| n == c).ok_or_else(|| Error::InvalidArgument {
                    arg: "terms",
                    reason: format!(
                        "column \"{c}\" of term `{label}` is not in the model; its columns are {}",
                        names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
                    ),
                })
            })
            .collect::<Result<Vec<usize>>>()?;
        labels.push(label.clone());
        groups.push(idx);
    }
    Ok((labels, Some(groups)))
}

/// The table of a proportional-hazards test: term (then GLOBAL), chisq, df, p.
fn zph_table(labels: &[String], z: &crate::survival::cox::ZphTest) -> Table {
    let mut term: Vec<String> = z.term.iter().map(|&t| labels[t].clone()).collect();
    let mut chisq = z.statistic.clone();
    let mut df = z.df.clone();
    let mut p = z.p_value.clone();
    term.push("GLOBAL".into());
    chisq.push(z.global.statistic);
    df.push(z.global.df);
    p.push(z.global.p_value);
    Table::new()
        .with("term", term)
        .with("chisq", chisq)
        .with("df", ints(&df))
        .with("p", p)
}

/// The record of a concordance (`survival::concordance(fit)`'s numbers).
fn concordance_record(c: crate::survival::concordance::Concordance) -> Record {
    Record::new()
        .with("concordance", c.concordance)
        .with("std_err", c.var.sqrt())
        .with("var", c.var)
        .with("n", c.n)
        .with(
            "counts",
            Record::new()
                .with("concordant", c.counts[0])
                .with("discordant", c.counts[1])
                .with("tied_x", c.counts[2])
                .with("tied_y", c.counts[3])
                .with("tied_xy", c.counts[4]),
        )
}

/// The residual terms of a residual pass (`h`, `xh`, `dm`, `m1`, `m2`, each name with
/// `suffix`: "" at the final coefficients, "0" at the initial ones).
fn residual_terms_arg(args: &Args, suffix: &str) -> Result<ResidualTerms> {
    let get = |name: &'static str, name0: &'static str| -> Result<Vec<f64>> {
        Ok(args.nums(if suffix.is_empty() { name } else { name0 })?.to_vec())
    };
    Ok(ResidualTerms {
        h: get("h", "h0")?,
        xh: get("xh", "xh0")?,
        dm: get("dm", "dm0")?,
        m1: get("m1", "m10")?,
        m2: get("m2", "m20")?,
    })
}

/// The event times of a pass (`times`, `time_offsets`: stratum `s` has the times
/// `offsets[s]..offsets[s+1]`), as the drivers send them.
pub(super) fn event_times_arg(args: &Args) -> Result<EventTimes> {
    let offsets = args
        .nums("time_offsets")?
        .iter()
        .map(|&v| {
            if v >= 0.0 && v.fract() == 0.0 {
                Ok(v as usize)
            } else {
                Err(Error::InvalidArgument { arg: "time_offsets", reason: format!("must be counts, got {v}") })
            }
        })
        .collect::<Result<Vec<usize>>>()?;
    Ok(EventTimes { times: args.nums("times")?.to_vec(), offsets })
}

/// The parts' records of a pass (`parts`: a list of records).
pub(super) fn part_records<'s, 'a>(args: &'s Args<'a>) -> Result<Vec<&'s Args<'a>>> {
    let bad = || Error::InvalidArgument { arg: "parts", reason: "must be a list of the parts' sums".into() };
    let Some(Arg::List(parts)) = args.get("parts") else {
        return Err(bad());
    };
    let recs = parts
        .iter()
        .map(|a| match a {
            Arg::Record(r) => Ok(r),
            _ => Err(bad()),
        })
        .collect::<Result<Vec<_>>>()?;
    if recs.is_empty() {
        return Err(Error::Empty { arg: "time" });
    }
    Ok(recs)
}

/// A list of numeric vectors (e.g. event times per stratum) from a part's record.
pub(super) fn list_of_nums(r: &Args, name: &'static str) -> Result<Vec<Vec<f64>>> {
    match r.get(name) {
        Some(Arg::List(l)) => l
            .iter()
            .map(|t| match t {
                Arg::Nums(v) => Ok(v.to_vec()),
                Arg::Num(x) => Ok(vec![*x]),
                _ => Err(Error::InvalidArgument { arg: "parts", reason: format!("`{name}` must be numbers") }),
            })
            .collect(),
        _ => Err(Error::InvalidArgument { arg: "parts", reason: format!("a part has no `{name}`") }),
    }
}

/// The driver of a Cox fit over parts, kept by the binding between passes.
struct CoxParts {
    driver: std::sync::Mutex<crate::survival::cox::partitioned::CoxOverParts>,
    strata_levels: Vec<String>,
    conf_level: f64,
}

impl CoxParts {
    fn request(&self) -> Value {
        use crate::survival::cox::partitioned::Pass;
        let d = self.driver.lock().expect("driver");
        match d.pending() {
            None => Value::Null,
            Some(Pass::Moments) => Value::Record(Record::new().with("pass", "moments")),
            Some(Pass::Sums(at)) => Value::Record(point_record("sums", &at)),
            Some(Pass::Residuals(r)) => Value::Record(with_terms(
                with_terms(point_record("residuals", &r.at), r.terms, "")
                    .with("beta0", r.beta0),
                r.terms0,
                "0",
            )),
        }
    }

    /// `step`: `parts`, the records of [`cox_part_pass`] over every part.
    fn step(&self, args: &Args) -> Result<Value> {
        use crate::survival::cox::partitioned::{Moments, Pass, ResidualSums, TimeSums};
        let recs = part_records(args)?;
        let mut d = self.driver.lock().expect("driver");
        let moments = matches!(d.pending(), Some(Pass::Moments));
        let residuals = matches!(d.pending(), Some(Pass::Residuals(_)));
        let vec = |r: &Args, name: &'static str| -> Result<Vec<f64>> { Ok(r.nums(name)?.to_vec()) };
        if residuals {
            let mut total = ResidualSums::default();
            for r in recs {
                total.add(&ResidualSums {
                    meat: vec(r, "meat")?,
                    u0: vec(r, "u0")?,
                    tt0: vec(r, "tt0")?,
                    groups: r.count_or("groups", 0, 0)?,
                })?;
            }
            d.take_residuals(&total)?;
        } else if moments {
            let mut total = Moments::default();
            for r in recs {
                let times = list_of_nums(r, "times")?;
                total.add(&Moments {
                    n: r.count_or("n", 0, 0)?,
                    n_event: r.count_or("n_event", 0, 0)?,
                    wsum: r.num_or("wsum", 0.0)?,
                    sx: vec(r, "sx")?,
                    sxx: vec(r, "sxx")?,
                    zero_one: r.nums("zero_one")?.iter().map(|&v| v != 0.0).collect(),
                    times,
                    fractional: r.flag_or("fractional", false)?,
                    sx1: r.opt_nums("sx1")?.map(<[f64]>::to_vec).unwrap_or_default(),
                    so: r.num_or("so", 0.0)?,
                })?;
            }
            d.take_moments(total)?;
        } else {
            let mut total: Option<TimeSums> = None;
            for r in recs {
                let t = time_sums(r)?;
                match &mut total {
                    None => total = Some(t),
                    Some(s) => s.add(&t)?,
                }
            }
            let total = total.expect("a part");
            if d.pending().is_none() {
                d.take_final_sums(&total)?;
            } else {
                d.take_sums(&total)?;
            }
        }
        let done = d.pending().is_none();
        drop(d);
        Ok(Value::Record(Record::new().with("done", done).with("request", self.request())))
    }

    fn fit(&self) -> Result<CoxFit> {
        let d = self.driver.lock().expect("driver");
        let Some(fit) = d.fit() else {
            return Err(Error::InvalidArgument { arg: "result", reason: "the fit is not done: run the passes it asks for".into() });
        };
        Ok(CoxFit { fit: fit.clone(), strata_levels: self.strata_levels.clone(), conf_level: self.conf_level })
    }
}

impl Fitted for CoxParts {
    fn call(&self, method: &str, args: &Args) -> Result<Value> {
        match method {
            "request" => Ok(self.request()),
            "step" => self.step(args),
            "result" => self.fit()?.record().map(Value::Record),
            // after the fit: the pass of risk-set sums at the final coefficients that the
            // rows' residuals and predictions need (NULL once taken), then their arguments
            "rows_request" => {
                let d = self.driver.lock().expect("driver");
                if d.fit().is_none() {
                    return Err(Error::InvalidArgument { arg: "rows_request", reason: "the fit is not done: run the passes it asks for".into() });
                }
                Ok(match d.final_pending() {
                    Some(crate::survival::cox::partitioned::Pass::Sums(at)) => Value::Record(point_record("sums", &at)),
                    _ => Value::Null,
                })
            }
            "rows_args" => {
                let d = self.driver.lock().expect("driver");
                let Some(r) = d.rows_pass() else {
                    return Err(Error::InvalidArgument { arg: "rows_args", reason: "take the pass that rows_request asks for first".into() });
                };
                Ok(Value::Record(
                    with_terms(point_record("rows", &r.at), r.terms, "")
                        .with("means", r.means)
                        .with("mean_offset", r.mean_offset)
                        .with("coef", r.coef)
                        .with("naive_var", r.naive_var)
                        .with("n_event", r.n_event),
                ))
            }
            "predict" | "baseline_hazard" => self.fit()?.call(method, args),
            // after the fit, the concordance in two passes: "events" (every part's event
            // rows, gathered in the parts' order), then "concordance" (the events sent
            // to every part); `concordance` finishes from the events and the parts' sums
            "concordance_request" => {
                let f = self.fit()?.fit;
                Ok(Value::Record(
                    Record::new()
                        .with("pass", "events")
                        .with("means", f.means)
                        .with("mean_offset", f.mean_offset)
                        .with("coef", f.coef),
                ))
            }
            "concordance" => {
                use crate::survival::concordance::{concordance_of_parts, PartConcordance};
                self.fit()?;
                let ev = EventsArg::read(args)?;
                let events = ev.events();
                let mut total = PartConcordance { events: vec![0.0; 3 * events.time.len()], ..Default::default() };
                let three = |r: &Args, name: &'static str| -> Result<[f64; 3]> {
                    r.nums(name)?.try_into().map_err(|_| Error::InvalidArgument {
                        arg: "parts",
                        reason: format!("`{name}` must have 3 values"),
                    })
                };
                for r in part_records(args)? {
                    total.add(&PartConcordance {
                        count: three(r, "count")?,
                        events: r.nums("events")?.to_vec(),
                        sq: three(r, "sq")?,
                        n: r.count_or("n", 0, 0)?,
                    })?;
                }
                concordance_of_parts(&events, &total, true).map(|c| Value::Record(concordance_record(c)))
            }
            // after the fit, the proportional-hazards test in one pass ("zph": the sums
            // at the final coefficients and the pooled event times' counts)
            "zph_request" => {
                let f = self.fit()?;
                let d = self.driver.lock().expect("driver");
                let Some((at, pooled)) = d.zph_pass() else { unreachable!("the fit is done") };
                drop(f);
                Ok(Value::Record(point_record("zph", &at).with("pooled_times", pooled)))
            }
            "zph" => {
                use crate::survival::cox::partitioned::ZphSums;
                let f = self.fit()?;
                let transform = args.option::<ZphTransform>("transform")?;
                let (labels, groups) = zph_terms(&f.fit.names, args)?;
                let vec = |r: &Args, name: &'static str| -> Result<Vec<f64>> { Ok(r.nums(name)?.to_vec()) };
                let mut total: Option<ZphSums> = None;
                for r in part_records(args)? {
                    let z = ZphSums {
                        sums: time_sums(r)?,
                        dx: vec(r, "dx")?,
                        n_risk: vec(r, "n_risk")?,
                        below: vec(r, "below")?,
                        at: vec(r, "at")?,
                    };
                    match &mut total {
                        None => total = Some(z),
                        Some(t) => t.add(&z)?,
                    }
                }
                let total = total.expect("a part");
                let d = self.driver.lock().expect("driver");
                let z = d.zph(&total, transform, groups.as_deref())?;
                Ok(Value::Table(zph_table(&labels, &z)))
            }
            "coef_table" => {
                let conf_level = args.num_or("conf_level", 0.95)?;
                crate::data::check_conf_level(conf_level)?;
                self.fit()?.coef_table(conf_level).map(Value::Table)
            }
            other => Err(no_such("a Cox fit over partitions", other)),
        }
    }
}

/// `cox_partitioned`: the driver of a Cox fit over parts (`covariate_names`, the
/// design's columns; `ties`, `max_iter`, `eps`, `init` as `cox_ph`; `has_entry`;
/// `strata_levels`; `conf_level`; `robust` (absent: coxph's rule) and `n_clusters`
/// (the data's number of clusters, each wholly in one part: the cluster-robust
/// variance)). Operations: `request` (the next pass: "moments" first, then one "sums"
/// pass per Newton evaluation, and for a robust variance a "sums" pass at the final
/// coefficients and a "residuals" pass (the parts' `cluster` codes with it); NULL when
/// done), `step` (`parts`:
/// the records of `cox_part_pass` over every part), `result` (the record of `cox_ph`
/// without its per-row vectors) and `coef_table`; after the fit `concordance_request`
/// (the "events" pass) and `concordance` (the gathered `ev_*` and `parts`, the
/// "concordance" pass's records: `survival::concordance(fit)`'s record, as `cox_ph`'s).
pub fn cox_partitioned(args: &Args) -> Result<Output> {
    // names (a string or strings; otherwise `default`)
    let strs_or = |name: &str, default: Vec<String>| match args.get(name) {
        Some(Arg::Strs(v)) => v.clone(),
        Some(Arg::Str(s)) => vec![s.clone()],
        _ => default,
    };
    let names = strs_or("covariate_names", Vec::new());
    let conf_level = args.num_or("conf_level", 0.95)?;
    crate::data::check_conf_level(conf_level)?;
    if args.get("cluster").is_some() {
        return Err(Error::InvalidArgument {
            arg: "cluster",
            reason: "over partitions, give `n_clusters` (the number of clusters in the data) here and each part's `cluster` codes to its residual pass".into(),
        });
    }
    let robust = match args.get("robust") {
        None => None,
        Some(_) => Some(args.flag_or("robust", false)?),
    };
    let n_clusters = match args.get("n_clusters") {
        None => None,
        Some(_) => Some(args.count_or("n_clusters", 0, 1)?),
    };
    let driver = crate::survival::cox::partitioned::CoxOverParts::new(cox_params(args)?, names, args.flag_or("has_entry", false)?)?
        .with_robust(robust, n_clusters);
    let strata_levels = strs_or("strata_levels", vec!["all".to_string()]);
    let f = CoxParts { driver: std::sync::Mutex::new(driver), strata_levels, conf_level };
    let first = f.request();
    Ok(Output::fit(Record::new().with("request", first), f))
}

fn convergence_name(c: Convergence) -> &'static str {
    match c {
        Convergence::Converged => "converged",
        Convergence::MaxIterations => "max_iterations",
        Convergence::NotIterated => "not_iterated",
    }
}

impl CoxFit {
    fn p(&self) -> usize {
        self.fit.names.len()
    }

    /// The Wald table (`summary`): term, coef, exp_coef, se, [naive_se], z, p,
    /// exp_lower, exp_upper, lower, upper.
    fn coef_table(&self, conf_level: f64) -> Result<Table> {
        let f = &self.fit;
        CoefTable {
            names: &f.names,
            coef: &f.coef,
            se: &f.se,
            naive_se: f.robust.then_some(&f.naive_se[..]),
            dist: WaldDist::Normal,
            exp: true,
            conf_level,
        }
        .table()
    }

    fn record(&self) -> Result<Record> {
        let f = &self.fit;
        let p = self.p();
        Ok(Record::new()
            .with("table", self.coef_table(self.conf_level)?)
            .with("names", f.names.clone())
            .with("coef", &f.coef)
            .with("se", &f.se)
            .with("naive_se", &f.naive_se)
            .with("var", Matrix::square(&f.var, &f.names))
            .with("naive_var", Matrix::square(&f.naive_var, &f.names))
            .with("loglik", f.loglik.to_vec())
            .with("df", f.aliased.iter().filter(|&&a| !a).count())
            .with("score_test", f.score_test.record())
            .with("wald_test", f.wald_test.record())
            .with("lr_test", f.lr_test.record())
            .with("robust_score_test", f.robust_score_test.map(|t| t.record()))
            .with("tests", self.tests_table())
            .with("warnings", f.warnings.clone())
            .with("iterations", f.iterations)
            .with("convergence", convergence_name(f.convergence))
            .with("converged", f.convergence == Convergence::Converged)
            .with("halvings", f.halvings)
            .with("rank", f.rank)
            .with("aliased", f.aliased.clone())
            .with("n", f.n)
            .with("n_event", f.n_event)
            .with("ties", f.ties.name())
            .with("robust", f.robust)
            .with("n_cluster", f.n_cluster)
            .with("score_vector", &f.score_vector)
            .with("means", &f.means)
            .with("mean_offset", f.mean_offset)
            .with("linear_predictors", &f.linear_predictors)
            .with("martingale_residuals", &f.martingale_residuals)
            .with("deviance_residuals", f.deviance_residuals())
            .with("strata_levels", self.strata_levels.clone())
            .with("baseline", self.baseline_table(None))
            .with("conf_level", self.conf_level)
            .with("n_params", p))
    }

    /// The fit's tests as print.coxph lists them: test (its label), statistic, df,
    /// p_value; the robust score test last, when the variance is robust.
    fn tests_table(&self) -> Table {
        let f = &self.fit;
        let mut rows = vec![
            ("Likelihood ratio test", &f.lr_test),
            ("Wald test", &f.wald_test),
            ("Score (logrank) test", &f.score_test),
        ];
        if let Some(t) = &f.robust_score_test {
            rows.push(("Robust score test", t));
        }
        Table::new()
            .with("test", rows.iter().map(|r| r.0.to_string()).collect::<Vec<String>>())
            .with("statistic", rows.iter().map(|r| r.1.statistic).collect::<Vec<f64>>())
            .with("df", rows.iter().map(|r| r.1.df as i64).collect::<Vec<i64>>())
            .with("p_value", rows.iter().map(|r| r.1.p_value).collect::<Vec<f64>>())
    }

    /// strata, time, cumulative_hazard and survival = exp(-cumulative_hazard) (at covariates 0, or at the means when
    /// `centered`); both hazards when `centered` is None.
    fn baseline_table(&self, centered: Option<bool>) -> Table {
        let b = &self.fit.baseline;
        let mut strata = Vec::with_capacity(b.time.len());
        for k in 0..b.offsets.len().saturating_sub(1) {
            strata.extend(std::iter::repeat_n(k, b.offsets[k + 1] - b.offsets[k]));
        }
        let t = Table::new().with("strata", strata).with("time", &b.time);
        let surv = |h: &[f64]| -> Vec<f64> { h.iter().map(|x| (-x).exp()).collect() };
        match centered {
            Some(true) => t
                .with("cumulative_hazard", &b.cumulative_hazard_centered)
                .with("survival", surv(&b.cumulative_hazard_centered)),
            Some(false) => t
                .with("cumulative_hazard", &b.cumulative_hazard)
                .with("survival", surv(&b.cumulative_hazard)),
            None => t
                .with("cumulative_hazard", &b.cumulative_hazard)
                .with("cumulative_hazard_centered", &b.cumulative_hazard_centered),
        }
    }

    /// Residuals of `type`; with `collapse` (a grouping, one code per row) summed
    /// within groups (one row per level), as `residuals(fit, collapse = )`. Vectors for
    /// martingale and deviance residuals, rows x coefficients matrices for score and
    /// dfbeta(s), a record (row, strata, time, values: events x coefficients) for the
    /// Schoenfeld kinds.
    fn residuals(&self, args: &Args) -> Result<Value> {
        let f = &self.fit;
        let (n, p) = (f.n, self.p());
        let kind = args.option::<CoxResidual>("type")?;
        let dfb = matches!(kind, CoxResidual::Dfbeta | CoxResidual::Dfbetas);
        let weighted = args.flag_or("weighted", dfb)?;
        if weighted && !dfb {
            return Err(Error::InvalidArgument {
                arg: "weighted",
                reason: "weighted residuals are available for type \"dfbeta\" and \"dfbetas\" only"
                    .into(),
            });
        }
        let collapse = args.opt_codes("collapse")?;
        if collapse.is_some()
            && matches!(
                kind,
                CoxResidual::Deviance | CoxResidual::Schoenfeld | CoxResidual::ScaledSchoenfeld
            )
        {
            return Err(Error::InvalidArgument {
                arg: "collapse",
                reason: "is available for martingale, score, dfbeta and dfbetas residuals only"
                    .into(),
            });
        }
        if let Some((c, _)) = collapse {
            if c.len() != n {
                return Err(Error::InvalidArgument {
                    arg: "collapse",
                    reason: format!(
                        "must have one value per row of the fit ({n}), not {}",
                        c.len()
                    ),
                });
            }
        }
        // Row sums within the collapse groups of a row-major n x ncol matrix.
        let collapsed = |v: &[f64], ncol: usize| -> Vec<f64> {
            let (c, k) = collapse.expect("collapse given");
            let mut out = vec![0.0; k * ncol];
            for i in 0..n {
                let g = c[i] as usize;
                for j in 0..ncol {
                    out[g * ncol + j] += v[i * ncol + j];
                }
            }
            out
        };
        // Row-major rows x p as a matrix (unnamed: the hosts name rows and columns; a
        // matrix named on one margin only would be a table in Python but a matrix in R).
        let matrix = |v: Vec<f64>, rows: usize| Matrix {
            nrow: rows,
            ncol: p,
            data: (0..p)
                .flat_map(|j| (0..rows).map(move |i| (i, j)))
                .map(|(i, j)| v[i * p + j])
                .collect(),
            row_names: None,
            col_names: None,
        };
        Ok(match kind {
            CoxResidual::Martingale => match collapse {
                None => Value::Nums(f.martingale_residuals.clone()),
                Some(_) => Value::Nums(collapsed(&f.martingale_residuals, 1)),
            },
            CoxResidual::Deviance => Value::Nums(f.deviance_residuals()),
            CoxResidual::Score | CoxResidual::Dfbeta | CoxResidual::Dfbetas => {
                let v = match kind {
                    CoxResidual::Score => f.score_residuals()?,
                    _ => f.dfbeta(weighted, kind == CoxResidual::Dfbetas)?,
                };
                match collapse {
                    None => Value::Matrix(matrix(v, n)),
                    Some((_, k)) => Value::Matrix(matrix(collapsed(&v, p), k)),
                }
            }
            CoxResidual::Schoenfeld | CoxResidual::ScaledSchoenfeld => {
                let s = f.schoenfeld_residuals(kind == CoxResidual::ScaledSchoenfeld)?;
                let events = s.time.len();
                Value::Record(
                    Record::new()
                        .with("row", s.row.clone())
                        .with(
                            "strata",
                            s.stratum
                                .iter()
                                .map(|&k| k as usize)
                                .collect::<Vec<usize>>(),
                        )
                        .with("time", s.time.clone())
                        .with("values", matrix(s.values, events)),
                )
            }
        })
    }

    /// Proportional-hazards test: `transform`, `terms` (named groups of column names;
    /// default one per column). Table term, chisq, df, p with the GLOBAL test last.
    fn zph(&self, args: &Args) -> Result<Table> {
        let transform = args.option::<ZphTransform>("transform")?;
        let (labels, groups) = zph_terms(&self.fit.names, args)?;
        Ok(zph_table(&labels, &self.fit.zph(transform, groups.as_deref())?))
    }

    /// The strata labels, quoted, for messages.
    fn strata_list(&self) -> String {
        self.strata_levels.iter().map(|l| format!("\"{l}\"")).collect::<Vec<_>>().join(", ")
    }

    /// The stratum named by `stratum` (a label); the only one when the fit has one.
    fn stratum(&self, args: &Args) -> Result<Option<usize>> {
        match args.get("stratum") {
            None => Ok(None),
            Some(_) => {
                let s = args.str("stratum")?;
                self.strata_levels
                    .iter()
                    .position(|l| l == s)
                    .map(Some)
                    .ok_or_else(|| Error::InvalidArgument {
                        arg: "stratum",
                        reason: format!("no stratum \"{s}\"; the fit has {}", self.strata_list()),
                    })
            }
        }
    }

    /// Predictions: `type` (lp, risk, expected, survival), for the fitted rows or for
    /// new `covariates` (with their `offset`); survival at `times`, from the baseline
    /// of `stratum` (each fitted row's own stratum when predicting the fitted rows).
    fn predict(&self, args: &Args) -> Result<Value> {
        let f = &self.fit;
        let kind = args.option::<CoxPredictType>("type")?;
        let new = match args.get("covariates") {
            None => None,
            Some(_) => {
                let (cols, names) = args.columns("covariates")?;
                Some((cols, names))
            }
        };
        let offset = args.opt_nums("offset")?;
        if new.is_none() && offset.is_some() {
            return Err(Error::InvalidArgument {
                arg: "offset",
                reason: "is for new covariate rows: give `covariates` too".into(),
            });
        }
        let n_strata = self.strata_levels.len();
        // Linear predictors on the scale of the fit's (offset centred) and as
        // predict.coxph reports them (new rows' offset as it is).
        let (lp_fit, lp_user) = match &new {
            None => (f.linear_predictors.clone(), f.linear_predictors.clone()),
            Some((cols, names)) => {
                let x = Covariates::from_columns(cols.clone(), names)?;
                (f.predict_lp(&x, offset)?, f.predict_lp_newdata(&x, offset)?)
            }
        };
        match kind {
            CoxPredictType::Lp => Ok(Value::Nums(lp_user)),
            CoxPredictType::Risk => Ok(Value::Nums(lp_user.iter().map(|v| v.exp()).collect())),
            CoxPredictType::Expected => {
                if new.is_some() {
                    return Err(Error::InvalidArgument {
                        arg: "type",
                        reason:
                            "\"expected\" is available for the fitted data only (no new covariates)"
                                .into(),
                    });
                }
                Ok(Value::Nums(
                    f.data
                        .status
                        .iter()
                        .zip(&f.martingale_residuals)
                        .map(|(s, m)| s - m)
                        .collect(),
                ))
            }
            CoxPredictType::Survival => {
                let times = args.nums("times")?;
                let stratum = self.stratum(args)?;
                let rows: Vec<usize> = match (stratum, &new) {
                    (Some(k), _) => vec![k; lp_fit.len()],
                    (None, _) if n_strata <= 1 => vec![0; lp_fit.len()],
                    (None, None) => match f.data.strata.as_deref() {
                        Some(s) => s.iter().map(|&k| k as usize).collect(),
                        None => vec![0; lp_fit.len()],
                    },
                    (None, Some(_)) => {
                        return Err(Error::InvalidArgument {
                            arg: "stratum",
                            reason: format!("the model has {n_strata} strata ({}): name one", self.strata_list()),
                        })
                    }
                };
                let nt = times.len();
                let m = lp_fit.len();
                let mut data = vec![0.0; m * nt];
                // each stratum's cumulative hazard at the times once, not once per row
                let mut hazard: Vec<Option<Vec<f64>>> = Vec::new();
                for (i, (&lp, &k)) in lp_fit.iter().zip(&rows).enumerate() {
                    if hazard.len() <= k {
                        hazard.resize(k + 1, None);
                    }
                    if hazard[k].is_none() {
                        hazard[k] = Some(f.cumulative_hazard_at(k, times)?);
                    }
                    let risk = lp.exp();
                    for (j, &h) in hazard[k].iter().flatten().enumerate() {
                        data[j * m + i] = (-h * risk).exp();
                    }
                }
                Ok(Value::Matrix(Matrix {
                    nrow: m,
                    ncol: nt,
                    data,
                    row_names: None,
                    col_names: None,
                }))
            }
        }
    }

    /// Likelihood-ratio tests of this fit against later, larger fits given by their
    /// log-likelihoods (`loglik`), numbers of estimated parameters (`df`) and numbers
    /// of rows (`n`, to check they were fitted to the same data).
    fn anova(&self, args: &Args) -> Result<Table> {
        let f = &self.fit;
        let loglik = args.nums("loglik")?;
        let df = args.nums("df")?;
        crate::data::check_len("df", df.len(), "loglik", loglik.len())?;
        if let Some(n) = args.opt_nums("n")? {
            crate::data::check_len("n", n.len(), "loglik", loglik.len())?;
            if n.iter().any(|&m| m != f.n as f64) {
                return Err(Error::InvalidArgument {
                    arg: "n",
                    reason: "the models were not all fitted to the same size of data set".into(),
                });
            }
        }
        let mut fits = vec![(f.loglik[1], f.aliased.iter().filter(|&&a| !a).count())];
        for (row, (&l, &d)) in loglik.iter().zip(df).enumerate() {
            if !(d.is_finite() && d >= 0.0 && d == d.floor() && l.is_finite()) {
                return Err(Error::InvalidValue {
                    arg: if l.is_finite() { "df" } else { "loglik" },
                    row,
                    value: if l.is_finite() { d } else { l },
                    problem: "not a log-likelihood with its number of parameters",
                });
            }
            fits.push((l, d as usize));
        }
        lr_anova(&fits)
    }
}

impl CoxFit {
    /// Harrell's concordance of the linear predictor with the outcome, as
    /// `survival::concordance(fit)`: concordance, std_err, var, n and the counts of
    /// concordant, discordant, tied_x, tied_y, tied_xy (weighted) pairs, within strata.
    fn concordance(&self) -> Result<Record> {
        let d = &self.fit.data;
        let c = crate::survival::concordance::concordance(
            &d.exit,
            &d.status,
            d.entry.as_deref(),
            &self.fit.linear_predictors,
            d.weights.as_deref(),
            d.strata.as_deref(),
            true,
        )?;
        Ok(concordance_record(c))
    }
}

impl Fitted for CoxFit {
    fn call(&self, method: &str, args: &Args) -> Result<Value> {
        match method {
            "coef_table" => self
                .coef_table(args.num_or("conf_level", self.conf_level)?)
                .map(Value::Table),
            "residuals" => self.residuals(args),
            "zph" => self.zph(args).map(Value::Table),
            "predict" => self.predict(args),
            "baseline_hazard" => Ok(Value::Table(
                self.baseline_table(Some(args.flag_or("centered", false)?)),
            )),
            "anova" => self.anova(args).map(Value::Table),
            "concordance" => self.concordance().map(Value::Record),
            other => Err(no_such("a Cox fit", other)),
        }
    }
}

/// A pass request over the parts at a point of the partitioned Cox fit: the event times
/// (with each stratum's offset), the covariates' centring and scaling, and `beta` (what
/// [`PointArgs::read`] reads back).
fn point_record(pass: &str, at: &Point) -> Record {
    Record::new()
        .with("pass", pass)
        .with("times", &at.times.times)
        .with("time_offsets", at.times.offsets.iter().map(|&o| o as f64).collect::<Vec<f64>>())
        .with("centre", at.centre)
        .with("scale", at.scale)
        .with("beta", at.beta)
}

/// The point of a pass request (as [`point_record`] writes it) read from a part's
/// arguments: the event times, `centre`, `scale` and `beta`.
struct PointArgs<'s> {
    args: &'s Args<'s>,
    times: EventTimes,
    centre: &'s [f64],
    scale: &'s [f64],
    beta: &'s [f64],
}

impl<'s> PointArgs<'s> {
    fn read(args: &'s Args<'s>) -> Result<PointArgs<'s>> {
        Ok(PointArgs {
            args,
            times: event_times_arg(args)?,
            centre: args.nums("centre")?,
            scale: args.nums("scale")?,
            beta: args.nums("beta")?,
        })
    }

    fn point(&self) -> Point<'_> {
        Point { times: &self.times, centre: self.centre, scale: self.scale, beta: self.beta }
    }

    /// The residual terms at `beta` (the passes after the fit).
    fn terms(&self) -> Result<ResidualTerms> {
        residual_terms_arg(self.args, "")
    }
}

/// `rec` with the per-time residual terms, their names ending in `suffix`.
fn with_terms(rec: Record, t: &ResidualTerms, suffix: &str) -> Record {
    let name = |n: &str| format!("{n}{suffix}");
    rec.with(&name("h"), &t.h)
        .with(&name("xh"), &t.xh)
        .with(&name("dm"), &t.dm)
        .with(&name("m1"), &t.m1)
        .with(&name("m2"), &t.m2)
}

/// One partition's risk-set sums per event time, as `cox_part_pass` writes them (the sums
/// pass and the zph pass).
fn time_sums(r: &Args) -> Result<crate::survival::cox::partitioned::TimeSums> {
    let vec = |name: &'static str| -> Result<Vec<f64>> { Ok(r.nums(name)?.to_vec()) };
    Ok(crate::survival::cox::partitioned::TimeSums {
        p: r.nums("u_ev")?.len(),
        a: vec("a")?,
        a1: vec("a1")?,
        a2: vec("a2")?,
        e0: vec("e0")?,
        e1: vec("e1")?,
        e2: vec("e2")?,
        deaths: vec("deaths")?,
        wdeaths: vec("wdeaths")?,
        l_ev: r.num_or("l_ev", 0.0)?,
        u_ev: vec("u_ev")?,
    })
}
