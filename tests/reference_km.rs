//! Kaplan–Meier against survival::survfit (fixtures from tests/reference/generate.R).
mod common;
use common::{assert_close, Table};
use hrrstats::{ConfType, KaplanMeier, KaplanMeierFit, SurvivalData};

struct Case {
    name: String,
    data: Table,
    entry: String,
    time: String,
    status: String,
    strata: String,
    weights: String,
    conf_type: ConfType,
    conf_level: f64,
}

fn cases() -> Vec<Case> {
    let m = Table::read("km_cases.csv");
    (0..m.nrow)
        .map(|i| Case {
            name: m.str("case")[i].clone(),
            data: Table::read(&format!("data_{}.csv", m.str("data")[i])),
            entry: m.str("entry")[i].clone(),
            time: m.str("time")[i].clone(),
            status: m.str("status")[i].clone(),
            strata: m.str("strata")[i].clone(),
            weights: m.str("weights")[i].clone(),
            conf_type: ConfType::parse(&m.str("conf_type")[i]).unwrap(),
            conf_level: m.str("conf_level")[i].parse().unwrap(),
        })
        .collect()
}

fn fit(c: &Case) -> KaplanMeierFit {
    let time = c.data.num(&c.time);
    let status = c.data.num(&c.status);
    let entry = (!c.entry.is_empty()).then(|| c.data.num(&c.entry));
    let weights = (!c.weights.is_empty()).then(|| c.data.num(&c.weights));
    let strata = (!c.strata.is_empty()).then(|| c.data.codes(&c.strata));
    let mut d = SurvivalData::new(&time, &status).unwrap();
    if let Some(e) = &entry {
        d = d.with_entry(e).unwrap();
    }
    if let Some(w) = &weights {
        d = d.with_weights(w).unwrap();
    }
    if let Some((s, k)) = &strata {
        d = d.with_strata(s, *k).unwrap();
    }
    KaplanMeier::params()
        .conf_type(c.conf_type)
        .conf_level(c.conf_level)
        .fit(&d)
        .unwrap()
}

#[test]
fn km_table_matches_survfit_summary_censored() {
    let cases = cases();
    assert!(cases.len() >= 15);
    for c in &cases {
        let f = fit(c);
        let r = Table::read(&format!("km_{}.csv", c.name));
        let strata: Vec<f64> = f.row_strata().iter().map(|&s| s as f64 + 1.0).collect();
        let n = &c.name;
        assert_close(&format!("{n} strata"), &strata, &r.num("strata"));
        assert_close(&format!("{n} time"), &f.time, &r.num("time"));
        assert_close(&format!("{n} n_risk"), &f.n_risk, &r.num("n_risk"));
        assert_close(&format!("{n} n_event"), &f.n_event, &r.num("n_event"));
        assert_close(&format!("{n} n_censor"), &f.n_censor, &r.num("n_censor"));
        assert_close(&format!("{n} survival"), &f.survival, &r.num("survival"));
        assert_close(&format!("{n} std_err"), &f.std_err, &r.num("std_err"));
        assert_close(&format!("{n} lower"), &f.lower, &r.num("lower"));
        assert_close(&format!("{n} upper"), &f.upper, &r.num("upper"));
        assert_close(
            &format!("{n} cumhaz"),
            &f.cumulative_hazard,
            &r.num("cumulative_hazard"),
        );
        assert_close(
            &format!("{n} se cumhaz"),
            &f.std_err_cumulative_hazard,
            &r.num("std_err_cumulative_hazard"),
        );
    }
}

#[test]
fn km_quantiles_match_quantile_survfit() {
    for c in &cases() {
        let f = fit(c);
        let r = Table::read(&format!("km_{}_quantile.csv", c.name));
        let probs = r.num("prob");
        let strata = r.num("strata");
        let (mut est, mut lo, mut hi) = (vec![], vec![], vec![]);
        for (p, s) in probs.iter().zip(&strata) {
            let q = f.quantile(*p).unwrap()[*s as usize - 1];
            est.push(q.estimate);
            lo.push(q.lower);
            hi.push(q.upper);
        }
        assert_close(&format!("{} quantile", c.name), &est, &r.num("quantile"));
        assert_close(&format!("{} quantile lower", c.name), &lo, &r.num("lower"));
        assert_close(&format!("{} quantile upper", c.name), &hi, &r.num("upper"));
    }
}

#[test]
fn km_survival_at_matches_summary_times() {
    for c in &cases() {
        let f = fit(c);
        let r = Table::read(&format!("km_{}_at.csv", c.name));
        let strata = r.num("strata");
        let times = r.num("time");
        let (mut nr, mut s, mut se, mut lo, mut hi) = (vec![], vec![], vec![], vec![], vec![]);
        for (t, k) in times.iter().zip(&strata) {
            let a = f.survival_at(*k as usize - 1, &[*t]).unwrap();
            nr.push(a.n_risk[0]);
            s.push(a.survival[0]);
            se.push(a.std_err[0]);
            lo.push(a.lower[0]);
            hi.push(a.upper[0]);
        }
        let n = &c.name;
        assert_close(&format!("{n} at n_risk"), &nr, &r.num("n_risk"));
        assert_close(&format!("{n} at survival"), &s, &r.num("survival"));
        assert_close(&format!("{n} at std_err"), &se, &r.num("std_err"));
        assert_close(&format!("{n} at lower"), &lo, &r.num("lower"));
        assert_close(&format!("{n} at upper"), &hi, &r.num("upper"));
    }
}
