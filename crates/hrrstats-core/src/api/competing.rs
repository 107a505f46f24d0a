//! Competing risks through the protocol: Aalen–Johansen cumulative incidence (with
//! Gray's test) and Fine–Gray regression. (Cause-specific Cox models are a loop over
//! causes in the host language calling `cox_ph`.)

use super::{no_such, Fitted, Output};
use crate::competing::{CifVariance, CompetingData, CumInc, CumIncFit, FineGray, FineGrayFit};
use crate::data::Covariates;
use crate::error::{Error, Result};
use crate::options::OptionEnum;
use crate::protocol::{ints, Arg, Args, Matrix, Record, Table, Value};
use crate::survival::km::ConfType;

/// `cause_levels`: the labels of a factor event's codes 0, 1, ... in `cause` (the first
/// level is censoring), None for numeric codes.
fn cause_levels(args: &Args) -> Result<Option<Vec<String>>> {
    args.get("cause_levels").map(|_| args.strs("cause_levels")).transpose()
}

/// `censor_code` (0): with a factor event (`cause_levels`) its first level, code 0, and
/// then not to be given; the event's codes are then those of its levels.
fn censor_code(args: &Args) -> Result<f64> {
    let levels = cause_levels(args)?;
    if let Some(k) = levels.as_ref().map(|l| l.len() as f64) {
        let cause = args.nums("cause")?;
        let bad = |c: f64| !c.is_nan() && !(c >= 0.0 && c < k && c == c.floor());
        if let Some(row) = cause.iter().position(|&c| bad(c)) {
            return Err(Error::InvalidValue {
                arg: "cause",
                row,
                value: cause[row],
                problem: "not the code of a level of the event (0, 1, ... with `cause_levels`)",
            });
        }
    }
    match levels {
        Some(levels) if args.get("censor_code").is_some() => Err(Error::InvalidArgument {
            arg: "censor_code",
            reason: format!(
                "only numeric event codes have one; with a factor event the first level \
                 (\"{}\") is censoring",
                levels.first().map_or("", |l| l.as_str())
            ),
        }),
        Some(_) => Ok(0.0),
        None => args.num_or("censor_code", 0.0),
    }
}

/// The labels of cause codes with a factor event (`cause_levels`), else NULL.
fn cause_labels(args: &Args, codes: &[f64]) -> Result<Value> {
    Ok(cause_levels(args)?.map_or(Value::Null, |levels| {
        let label = |&c: &f64| levels.get(c as usize).cloned().unwrap_or_else(|| c.to_string());
        Value::Strs(codes.iter().map(label).collect())
    }))
}

/// `cause_of_interest` (1): a cause code, or with a factor event (`cause_levels`) one of
/// its levels. Errors name `cause`, as the core's other errors about it do.
fn cause_of_interest(args: &Args) -> Result<f64> {
    let err = |reason: String| Error::InvalidArgument { arg: "cause", reason };
    let label = match args.get("cause_of_interest") {
        Some(Arg::Str(s)) => s,
        Some(Arg::Codes { codes, levels }) if codes.len() == 1 => &levels[codes[0] as usize],
        Some(Arg::Strs(_) | Arg::Codes { .. }) => {
            return Err(err("must be a single cause code or level".into()))
        }
        _ => {
            return args
                .num_or("cause_of_interest", 1.0)
                .map_err(|_| err("must be a single cause code or level".into()))
        }
    };
    let Some(levels) = cause_levels(args)? else {
        return Err(err("the event is numeric, so the cause must be a number".into()));
    };
    let quoted: Vec<String> = levels.iter().map(|l| format!("\"{l}\"")).collect();
    levels.iter().position(|l| l == label).map(|k| k as f64).ok_or_else(|| {
        err(format!("no level \"{label}\" in the event (levels: {})", quoted.join(", ")))
    })
}

/// `time`, `cause` (codes: numbers, or a factor's codes with `cause_levels`),
/// `censor_code` and the optional `entry`, `weights`, the groups (argument `group_arg`:
/// `group` for curves, `cengroup` for Fine–Gray's censoring groups) and `strata`.
fn competing_data<'a>(args: &'a Args, group_arg: &'static str) -> Result<CompetingData<'a>> {
    let mut d = CompetingData::new(args.nums("time")?, args.nums("cause")?, censor_code(args)?)?;

    if let Some(e) = args.opt_nums("entry")? {
        d = d.with_entry(e)?;
    }
    if let Some(w) = args.opt_nums("weights")? {
        d = if args.flag_or("frequency_weights", false)? {
            d.with_frequency_weights(w)?
        } else {
            d.with_weights(w)?
        };
    }
    if let Some(w2) = args.opt_nums("weights_squared")? {
        d = d.with_weights_squared(w2)?;
    }
    if let Some((g, k)) = args.opt_codes(group_arg)? {
        d = d.with_group_arg(g, k, group_arg)?;
    }
    if let Some((s, k)) = args.opt_codes("strata")? {
        d = d.with_strata(s, k)?;
    }
    Ok(d)
}

/// Standard errors from variances (NaN stays NaN; rounding below zero gives 0).
fn std_err(v: &[f64]) -> Vec<f64> {
    v.iter()
        .map(|&x| if x.is_nan() { f64::NAN } else { x.max(0.0).sqrt() })
        .collect()
}

/// Aalen–Johansen cumulative incidence: `time`, `cause`, `censor_code` (0), `entry`,
/// `weights` (with `frequency_weights`: whole numbers counting identical rows, and
/// Gray's test that of the expanded data), `weights_squared` (rows that merge weighted
/// rows: the sums of their squared weights, for `variance = "survfit"`), `group`, `strata` (Gray's test), `conf_type`
/// ("log-log"), `conf_level`, `rho`, `variance` ("cuminc" or "survfit"); `cause_levels`
/// for a factor event. Returns `causes` (the codes, sorted), `cause_labels` (their
/// levels with a factor event, else NULL),
/// `table` (group, cause (positions into causes), time, n_risk, n_event, estimate,
/// variance, std_err, lower, upper: one row per distinct time of the group, per cause),
/// `all_cause` (group, time, n_risk, n_censor, survival), `gray_test` (cause,
/// statistic, df, p_value; NULL without groups or with entry or case weights), `n` per group,
/// `conf_type`, `conf_level`, `rho`, `variance`. The fit answers `at(times, group)`.
pub fn cumulative_incidence(args: &Args) -> Result<Output> {
    let data = competing_data(args, "group")?;
    let conf_type = match args.get("conf_type") {
        None => ConfType::LogLog,
        Some(_) => ConfType::parse_arg("conf_type", args.str("conf_type")?)?,
    };
    let variance = args.option::<CifVariance>("variance")?;
    let rho = args.num_or("rho", 0.0)?;
    let fit = CumInc::params()
        .conf_type(conf_type)
        .conf_level(args.num_or("conf_level", 0.95)?)
        .rho(rho)
        .variance(variance)
        .fit(&data)?;
    let nc = fit.causes.len();
    let (mut group, mut cause) = (Vec::new(), Vec::new());
    let mut cols: [Vec<f64>; 8] = Default::default();
    let mut all: [Vec<f64>; 4] = Default::default();
    let mut all_group = Vec::new();
    for (g, c) in fit.curves.iter().enumerate() {
        let m = c.time.len();
        for k in 0..nc {
            group.extend(std::iter::repeat_n(g, m));
            cause.extend(std::iter::repeat_n(k, m));
            for (col, v) in cols.iter_mut().zip([
                &c.time,
                &c.n_risk,
                &c.n_event[k],
                &c.estimate[k],
                &c.variance[k],
                &std_err(&c.variance[k]),
                &c.lower[k],
                &c.upper[k],
            ]) {
                col.extend_from_slice(v);
            }
        }
        all_group.extend(std::iter::repeat_n(g, m));
        for (col, v) in all.iter_mut().zip([&c.time, &c.n_risk, &c.n_censor, &c.survival]) {
            col.extend_from_slice(v);
        }
    }
    let mut table = Table::new().with("group", group).with("cause", cause);
    for (name, col) in [
        "time", "n_risk", "n_event", "estimate", "variance", "std_err", "lower", "upper",
    ]
    .iter()
    .zip(cols)
    {
        table.push(name, col);
    }
    let mut all_cause = Table::new().with("group", all_group);
    for (name, col) in ["time", "n_risk", "n_censor", "survival"].iter().zip(all) {
        all_cause.push(name, col);
    }
    let gray: Value = match &fit.gray {
        None => Value::Null,
        Some(tests) => {
            let t: Vec<_> = tests.iter().map(|g| g.test()).collect();
            Table::new()
                .with("cause", (0..tests.len()).collect::<Vec<usize>>())
                .with("statistic", t.iter().map(|t| t.statistic).collect::<Vec<f64>>())
                .with("df", ints(&t.iter().map(|t| t.df).collect::<Vec<usize>>()))
                .with("p_value", t.iter().map(|t| t.p_value).collect::<Vec<f64>>())
                .into()
        }
    };
    let mut n = vec![0usize; fit.curves.len()];
    match data_groups(args)? {
        Some(codes) => codes.iter().for_each(|&g| n[g as usize] += 1),
        None => n[0] = args.nums("time")?.len(),
    }
    let rec = Record::new()
        .with("causes", fit.causes.clone())
        .with("cause_labels", cause_labels(args, &fit.causes)?)
        .with("table", table)
        .with("all_cause", all_cause)
        .with("gray_test", gray)
        .with("n", ints(&n))
        .with("conf_type", fit.conf_type.name())
        .with("conf_level", fit.conf_level)
        .with("rho", rho)
        .with("variance", variance.name());
    Ok(Output::fit(rec, fit))
}

fn data_groups<'a>(args: &'a Args) -> Result<Option<&'a [u32]>> {
    Ok(args.opt_codes("group")?.map(|(c, _)| c))
}

impl Fitted for CumIncFit {
    fn call(&self, method: &str, args: &Args) -> Result<Value> {
        match method {
            // group, cause, time, estimate, variance, std_err at `times` for the groups
            // `group` (all when absent): by group, cause and time, as cmprsk::timepoints.
            "at" => {
                let times = args.nums("times")?;
                let groups: Vec<usize> = match args.opt_codes("group")? {
                    Some((c, _)) => c.iter().map(|&k| k as usize).collect(),
                    None => (0..self.curves.len()).collect(),
                };
                let (mut g_col, mut c_col, mut t_col, mut est, mut var) =
                    (vec![], vec![], vec![], vec![], vec![]);
                for &g in &groups {
                    let at = self.at(g, times)?;
                    for k in 0..self.causes.len() {
                        g_col.extend(std::iter::repeat_n(g, times.len()));
                        c_col.extend(std::iter::repeat_n(k, times.len()));
                        t_col.extend_from_slice(times);
                        est.extend_from_slice(&at.estimate[k]);
                        var.extend_from_slice(&at.variance[k]);
                    }
                }
                let se = std_err(&var);
                Ok(Table::new()
                    .with("group", g_col)
                    .with("cause", c_col)
                    .with("time", t_col)
                    .with("estimate", est)
                    .with("variance", var)
                    .with("std_err", se)
                    .into())
            }
            other => Err(no_such("a cumulative incidence fit", other)),
        }
    }
}

/// Fine–Gray regression: `time`, `cause`, `covariates` (named columns),
/// `cause_of_interest` (1), `censor_code` (0), `cengroup` (censoring groups), `gtol`,
/// `max_iter`, `conf_level`; with a factor event `cause_levels`, and `cause_of_interest`
/// may be one of them. Returns cause_of_interest (the code), cause_label (its level with
/// a factor event, else NULL), names, coef, se, var (sandwich), naive_var
/// (inverse information), loglik, loglik_null, score, iterations, converged,
/// convergence (why it stopped), warnings (non-convergence, infinite coefficients), n,
/// n_events, event_times, baseline_jumps, `table` (the coefficient table at
/// conf_level), conf_level. The fit answers `coef_table(conf_level)`,
/// `baseline_hazard()` and `predict(newdata)`.
pub fn fine_gray(args: &Args) -> Result<Output> {
    let data = competing_data(args, "cengroup")?;
    let (cols, names) = args.columns("covariates")?;
    let x = Covariates::from_columns(cols, &names)?;
    let conf_level = args.num_or("conf_level", 0.95)?;
    crate::data::check_conf_level(conf_level)?;
    let cause = cause_of_interest(args)?;
    let fit = FineGray::params()
        .cause(cause)
        .gtol(args.num_or("gtol", 1e-9)?)
        .max_iter(args.count_or("max_iter", 50, 0)?)
        .fit(&data, &x)?;
    let f = &fit;
    let rec = Record::new()
        .with("names", f.names.clone())
        .with("coef", &f.coef)
        .with("se", &f.se)
        .with("var", Matrix::square(&f.var, &f.names))
        .with("naive_var", Matrix::square(&f.naive_var, &f.names))
        .with("loglik", f.loglik)
        .with("loglik_null", f.loglik_null)
        .with("score", &f.score)
        .with("iterations", f.iterations)
        .with("converged", f.converged)
        .with("convergence", f.stop.name())
        .with("warnings", f.warnings.clone())
        .with("n", f.n)
        .with("n_events", f.n_events)
        .with("event_times", &f.event_times)
        .with("baseline_jumps", &f.baseline_jumps)
        .with("table", f.coef_table(conf_level)?)
        .with("conf_level", conf_level)
        .with("cause_of_interest", cause)
        .with("cause_label", match cause_labels(args, &[cause])? {
            Value::Strs(mut l) => Value::Str(l.remove(0)),
            other => other,
        });
    Ok(Output::fit(rec, fit))
}

impl Fitted for FineGrayFit {
    fn call(&self, method: &str, args: &Args) -> Result<Value> {
        match method {
            "coef_table" => Ok(self.coef_table(args.num_or("conf_level", 0.95)?)?.into()),
            // time, cumulative_hazard (crr's uftime and cumsum(bfitj)).
            "baseline_hazard" => Ok(Table::new()
                .with("time", &self.event_times)
                .with("cumulative_hazard", self.cumulative_hazard())
                .into()),
            // time (the event times) and cumulative_incidence: one column per row of
            // `newdata` (named columns, as the fit's covariates), as predict.crr.
            "predict" => {
                let (cols, _) = args.columns("newdata")?;
                let p = self.p();
                if cols.len() != p {
                    return Err(Error::InvalidArgument {
                        arg: "newdata",
                        reason: format!(
                            "needs the fit's {p} covariate column(s) ({}), got {}",
                            self.names.join(", "),
                            cols.len()
                        ),
                    });
                }
                let n = cols[0].len();
                if let Some(j) = cols.iter().position(|c| c.len() != n) {
                    return Err(Error::InvalidArgument {
                        arg: "newdata",
                        reason: format!("column {} has {} rows, the first has {n}", j + 1, cols[j].len()),
                    });
                }
                let rows: Vec<f64> = (0..n).flat_map(|i| cols.iter().map(move |c| c[i])).collect();
                let cif = self.predict(&rows)?;
                Ok(Record::new()
                    .with("time", &self.event_times)
                    .with("cumulative_incidence", Matrix::from_columns(&cif, None))
                    .into())
            }
            other => Err(no_such("a Fine-Gray fit", other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn nums(v: &[f64]) -> Arg<'static> {
        Arg::Nums(Cow::Owned(v.to_vec()))
    }
    fn data() -> Args<'static> {
        Args::new()
            .with("time", nums(&[5., 8., 12., 3., 9., 15., 7., 11., 4., 6.]))
            .with("cause", nums(&[1., 0., 2., 1., 1., 0., 2., 0., 1., 2.]))
    }
    fn col<'v>(v: &'v Value, name: &str) -> &'v [f64] {
        match v {
            Value::Table(t) => match t.get(name) {
                Some(Value::Nums(x)) => x,
                _ => panic!("no column {name}"),
            },
            Value::Record(r) => match r.get(name) {
                Some(Value::Nums(x)) => x,
                _ => panic!("no field {name}"),
            },
            _ => panic!("not a table"),
        }
    }

    #[test]
    fn cumulative_incidence_options_and_std_err() {
        let e = crate::api::call("cumulative_incidence", &data().with("variance", Arg::Str("x".into())))
            .err()
            .unwrap();
        assert_eq!(
            e.to_string(),
            "argument `variance`: unknown value \"x\"; accepted: \"cuminc\", \"survfit\""
        );
        let out = crate::api::call("cumulative_incidence", &data()).unwrap();
        let Value::Record(r) = &out.value else { panic!() };
        assert_eq!(r.get("conf_type"), Some(&Value::Str("log-log".into())));
        let t = r.get("table").unwrap();
        for (v, s) in col(t, "variance").iter().zip(col(t, "std_err")) {
            assert_eq!(v.sqrt(), *s);
        }
        let at = out
            .fit
            .unwrap()
            .call("at", &Args::new().with("times", nums(&[5.0, 100.0])))
            .unwrap();
        // cause 1 at t = 5: events at 3, 4, 5 among 10 at risk
        assert!((col(&at, "estimate")[0] - 0.3).abs() < 1e-15);
        assert!(col(&at, "estimate")[1].is_nan());
    }

    /// A factor event: codes 0 (censoring, its first level), 1, 2 with `cause_levels`;
    /// the core gives the causes' labels, looks the cause of interest up among them and
    /// rejects a `censor_code` (Python and R alike).
    #[test]
    fn factor_events_are_coded_and_labelled_in_the_core() {
        let lv = Arg::Strs(vec!["cens".into(), "relapse".into(), "death".into()]);
        let factor = || data().with("cause_levels", lv.clone());
        let out = crate::api::call("cumulative_incidence", &factor()).unwrap();
        let Value::Record(r) = &out.value else { panic!() };
        assert_eq!(r.get("cause_labels"), Some(&Value::Strs(vec!["relapse".into(), "death".into()])));
        let out = crate::api::call("cumulative_incidence", &data()).unwrap();
        let Value::Record(r) = &out.value else { panic!() };
        assert_eq!(r.get("cause_labels"), Some(&Value::Null));
        let e = crate::api::call("cumulative_incidence", &factor().with("censor_code", Arg::Num(0.0)))
            .err()
            .unwrap();
        assert_eq!(
            e.to_string(),
            "argument `censor_code`: only numeric event codes have one; with a factor event the \
             first level (\"cens\") is censoring"
        );
        let x = || Arg::Record(Args::new().with("x", nums(&[0.5, 1.2, -0.3, 0.8, 0.0, 1.5, -1.0, 0.2, 0.7, -0.4])));
        let fg = |a: Args<'static>, cause: Arg<'static>| {
            crate::api::call("fine_gray", &a.with("covariates", x()).with("cause_of_interest", cause))
        };
        let by_label = fg(factor(), Arg::Str("death".into())).unwrap();
        let by_code = fg(data(), Arg::Num(2.0)).unwrap();
        let (Value::Record(a), Value::Record(b)) = (&by_label.value, &by_code.value) else { panic!() };
        assert_eq!(a.get("coef"), b.get("coef"));
        assert_eq!(a.get("cause_of_interest"), Some(&Value::Num(2.0)));
        assert_eq!(a.get("cause_label"), Some(&Value::Str("death".into())));
        assert_eq!(b.get("cause_label"), Some(&Value::Null));
        let msg = |a, c| fg(a, c).err().unwrap().to_string();
        assert_eq!(
            msg(factor(), Arg::Str("other".into())),
            "argument `cause`: no level \"other\" in the event (levels: \"cens\", \"relapse\", \"death\")"
        );
        assert_eq!(
            msg(data(), Arg::Str("death".into())),
            "argument `cause`: the event is numeric, so the cause must be a number"
        );
        assert_eq!(
            msg(data(), nums(&[1.0, 2.0])),
            "argument `cause`: must be a single cause code or level"
        );
        let mut bad = factor();
        bad.items[1].1 = nums(&[1., 0., 2., 1., 3., 0., 2., 0., 1., 2.]);
        assert_eq!(
            crate::api::call("cumulative_incidence", &bad).err().unwrap().to_string(),
            "argument `cause`: not the code of a level of the event (0, 1, ... with \
             `cause_levels`) (value 3) at row 4"
        );
        let cs = crate::api::call("cause_specific_events", &factor()).unwrap();
        let Value::Record(r) = &cs.value else { panic!() };
        assert_eq!(r.get("cause_labels"), Some(&Value::Strs(vec!["relapse".into(), "death".into()])));
        assert_eq!(r.get("causes"), Some(&Value::Nums(vec![1.0, 2.0])));
    }

    #[test]
    fn fine_gray_baseline_and_predictions_come_from_the_fit() {
        let x = Args::new().with("x", nums(&[0.5, 1.2, -0.3, 0.8, 0.0, 1.5, -1.0, 0.2, 0.7, -0.4]));
        let out = crate::api::call("fine_gray", &data().with("covariates", Arg::Record(x))).unwrap();
        let fit = out.fit.unwrap();
        let bh = fit.call("baseline_hazard", &Args::new()).unwrap();
        let nd = Args::new().with("x", nums(&[0.0]));
        let p = fit.call("predict", &Args::new().with("newdata", Arg::Record(nd))).unwrap();
        let Value::Record(p) = p else { panic!() };
        let Some(Value::Matrix(m)) = p.get("cumulative_incidence") else { panic!() };
        for (h, f) in col(&bh, "cumulative_hazard").iter().zip(&m.data) {
            assert!((1.0 - (-h).exp() - f).abs() < 1e-15);
        }
        let t = fit
            .call("coef_table", &Args::new().with("conf_level", Arg::Num(0.9)))
            .unwrap();
        let Value::Table(t) = t else { panic!() };
        let names: Vec<&str> = t.columns.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            ["term", "coef", "exp_coef", "se", "z", "p", "exp_lower", "exp_upper", "lower", "upper"]
        );
        assert!(fit.call("residuals", &Args::new()).is_err());
    }
}

/// `cause_specific_events`: the causes of cause-specific Cox models and each row's
/// event indicator per cause (the host then fits `cox_ph` once per cause). `cause`,
/// `censor_code` (0), `causes` (optional: the causes to model), `allow_missing` (false:
/// a missing cause is an error naming its row; true: it stays missing in `events` for
/// the host's `na_action = "drop"` to drop and count), `cause_levels` (a factor event).
/// Returns `cause_labels` (NULL for numeric codes), `causes` and `events` (a matrix, one
/// column per cause).
pub fn cause_specific_events(args: &Args) -> Result<Output> {
    let cs = crate::competing::cause_specific(
        args.nums("cause")?,
        censor_code(args)?,
        args.opt_nums("causes")?,
        args.flag_or("allow_missing", false)?,
    )?;
    let events = Matrix::from_columns(&cs.events, None);
    Ok(Output::value(
        Record::new()
            .with("cause_labels", cause_labels(args, &cs.causes)?)
            .with("causes", cs.causes)
            .with("events", events),
    ))
}
