//! Log-rank / G-rho tests against survival::survdiff (fixtures from generate.R).
mod common;
use common::{assert_close, Table};
use hrrstats::{LogrankTest, SurvivalData};

#[test]
fn logrank_matches_survdiff() {
    let m = Table::read("logrank_cases.csv");
    assert!(m.nrow >= 7);
    for i in 0..m.nrow {
        let name = &m.str("case")[i];
        let d = Table::read(&format!("data_{}.csv", m.str("data")[i]));
        let time = d.num(&m.str("time")[i]);
        let status = d.num(&m.str("status")[i]);
        let (group, k) = d.codes(&m.str("group")[i]);
        let rho: f64 = m.str("rho")[i].parse().unwrap();
        let strata_col = &m.str("strata")[i];
        let strata = (!strata_col.is_empty()).then(|| d.codes(strata_col));
        let mut sd = SurvivalData::new(&time, &status).unwrap();
        if let Some((s, ns)) = &strata {
            sd = sd.with_strata(s, *ns).unwrap();
        }
        let t = LogrankTest::params().rho(rho).fit(&sd, &group, k).unwrap();
        let r = Table::read(&format!("logrank_{name}.csv"));
        assert_close(&format!("{name} observed"), &t.observed, &r.num("observed"));
        assert_close(&format!("{name} expected"), &t.expected, &r.num("expected"));
        assert_close(
            &format!("{name} n"),
            &t.n.iter().map(|&x| x as f64).collect::<Vec<_>>(),
            &r.num("n"),
        );
        assert_close(
            &format!("{name} statistic"),
            &[t.statistic],
            &r.num("statistic")[..1],
        );
        assert_close(&format!("{name} df"), &[t.df as f64], &r.num("df")[..1]);
        assert_close(&format!("{name} p"), &[t.p_value], &r.num("p_value")[..1]);
        let v = Table::read(&format!("logrank_{name}_var.csv"));
        let ours: Vec<f64> = v
            .num("i")
            .iter()
            .zip(v.num("j"))
            .map(|(&a, b)| t.variance[(a as usize - 1) * k + (b as usize - 1)])
            .collect();
        assert_close(&format!("{name} variance"), &ours, &v.num("value"));
    }
}

#[test]
fn logrank_with_zero_entry_equals_right_censored() {
    let d = Table::read("data_veteran.csv");
    let time = d.num("time");
    let status = d.num("status");
    let (g, k) = d.codes("celltype");
    let zeros = vec![0.0; time.len()];
    let a = LogrankTest::params()
        .fit(&SurvivalData::new(&time, &status).unwrap(), &g, k)
        .unwrap();
    let sd = SurvivalData::new(&time, &status)
        .unwrap()
        .with_entry(&zeros)
        .unwrap();
    let b = LogrankTest::params().fit(&sd, &g, k).unwrap();
    assert_close("statistic", &[b.statistic], &[a.statistic]);
    assert_close("expected", &b.expected, &a.expected);
}

#[test]
fn logrank_with_delayed_entry_matches_coxph_score_test() {
    // Untied continuous times: the log-rank statistic equals coxph's score test
    // (ties = "breslow"); expected counts from a brute-force R computation.
    let d = Table::read("data_sim_entry.csv");
    let (entry, exit, status) = (d.num("entry"), d.num("exit"), d.num("status"));
    let (g, k) = d.codes("grp");
    let sd = SurvivalData::new(&exit, &status)
        .unwrap()
        .with_entry(&entry)
        .unwrap();
    let t = LogrankTest::params().fit(&sd, &g, k).unwrap();
    let r = Table::read("logrank_entry_coxph.csv");
    assert_close("observed", &t.observed, &r.num("observed"));
    assert_close("expected", &t.expected, &r.num("expected"));
    assert_close("statistic", &[t.statistic], &r.num("statistic")[..1]);
    assert_close("p", &[t.p_value], &r.num("p_value")[..1]);
}
