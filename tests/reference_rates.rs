//! Rates, rate ratios, direct standardisation, standard populations and SIR against
//! stats::poisson.test, the Fay–Feuer formula (= epitools::ageadjust.direct) and
//! popEpi::sir (fixtures from tests/reference/generate_lexis.R).
mod common;
use common::{assert_close_tol, Table};
use hrrstats::person_time::STANDARD_POPULATIONS;
use hrrstats::{
    crude_rates, direct_standardize, factorize, rate_ratios, sir, standard_population, LexisData,
    LexisSplit,
};

/// Exact limits and p-values reach 1e-10 relative (the quantile inversions stop at a
/// few ulps; R's own qgamma/qbeta are accurate to about 1e-15).
const TOL: f64 = 1e-10;

fn close(what: &str, ours: &[f64], theirs: &[f64]) {
    assert_close_tol(what, ours, theirs, TOL)
}

#[test]
fn crude_rates_match_poisson_test() {
    let f = Table::read("rate_crude.csv");
    assert!(f.nrow >= 10);
    let (e, t, r0, cl) = (
        f.num("events"),
        f.num("pyrs"),
        f.num("null_rate"),
        f.num("conf_level"),
    );
    for i in 0..f.nrow {
        let r = crude_rates(&e[i..=i], &t[i..=i], Some(r0[i]), cl[i]).unwrap();
        let what = format!("rate row {i}");
        close(
            &what,
            &[r.rate[0], r.lower[0], r.upper[0]],
            &[f.num("rate")[i], f.num("lower")[i], f.num("upper")[i]],
        );
        close(
            &format!("{what} p"),
            &r.p_value.unwrap(),
            &[f.num("p_value")[i]],
        );
    }
}

#[test]
fn rate_ratios_match_two_sample_poisson_test() {
    let f = Table::read("rate_ratio.csv");
    assert!(f.nrow >= 7);
    let (e1, t1, e2, t2) = (
        f.num("events1"),
        f.num("pyrs1"),
        f.num("events2"),
        f.num("pyrs2"),
    );
    let (r0, cl) = (f.num("null_ratio"), f.num("conf_level"));
    for i in 0..f.nrow {
        let r = rate_ratios(&e1[i..=i], &t1[i..=i], &e2[i..=i], &t2[i..=i], r0[i], cl[i]).unwrap();
        close(
            &format!("rate ratio row {i}"),
            &[r.estimate[0], r.lower[0], r.upper[0], r.p_value[0]],
            &[
                f.num("ratio")[i],
                f.num("lower")[i],
                f.num("upper")[i],
                f.num("p_value")[i],
            ],
        );
    }
}

#[test]
fn standard_populations_match_their_sources() {
    for name in STANDARD_POPULATIONS {
        let f = Table::read(&format!("rate_standard_{name}.csv"));
        let s = standard_population(name).unwrap();
        assert_eq!(s.weight, f.num("weight"), "{name} weights");
        assert_eq!(s.age_lower, f.num("age_lower"), "{name} age groups");
        let upper: Vec<f64> = s
            .age_upper
            .iter()
            .map(|&u| if u.is_infinite() { f64::NAN } else { u })
            .collect();
        close(&format!("{name} upper"), &upper, &f.num("age_upper"));
    }
    assert!(standard_population("nordic").is_ok());
    assert!(standard_population("who1990")
        .unwrap_err()
        .to_string()
        .contains("who2000"));
}

#[test]
fn direct_standardisation_matches_fay_feuer() {
    let m = Table::read("rate_dsr_cases.csv");
    let f = Table::read("rate_dsr.csv");
    assert!(m.nrow >= 10);
    for i in 0..m.nrow {
        let case = &m.str("case")[i];
        let d = Table::read(&format!("data_{}.csv", m.str("data")[i]));
        let w = standard_population(&m.str("standard")[i]).unwrap().weight;
        let r = direct_standardize(
            &d.num(&m.str("count")[i]),
            &d.num(&m.str("pyrs")[i]),
            &w,
            None,
            m.num("conf_level")[i],
        )
        .unwrap();
        let j = f.str("case").iter().position(|c| c == case).unwrap();
        close(
            &format!("dsr {case}"),
            &[
                r.crude[0],
                r.rate[0],
                r.variance[0],
                r.w_max[0],
                r.lower[0],
                r.upper[0],
                r.events[0],
                r.person_time[0],
            ],
            &[
                "crude", "dsr", "var", "wm", "lower", "upper", "events", "pyrs",
            ]
            .map(|c| f.num(c)[j]),
        );
    }
    // By-groups: two cohorts stacked give each cohort's own answer.
    let d = Table::read("data_lexis_stdrates.csv");
    let w = standard_population("who2000").unwrap().weight;
    let (ea, pa, eb, pb) = (
        d.num("count_a"),
        d.num("pyrs_a"),
        d.num("count_b"),
        d.num("pyrs_b"),
    );
    let events: Vec<f64> = ea.iter().chain(&eb).copied().collect();
    let pt: Vec<f64> = pa.iter().chain(&pb).copied().collect();
    let ww: Vec<f64> = w.iter().chain(&w).copied().collect();
    let g: Vec<u32> = (0..events.len())
        .map(|i| u32::from(i >= ea.len()))
        .collect();
    let r = direct_standardize(&events, &pt, &ww, Some((&g, 2)), 0.95).unwrap();
    for (k, case) in ["a_who2000", "b_who2000"].iter().enumerate() {
        let j = f.str("case").iter().position(|c| c == case).unwrap();
        close(
            &format!("dsr by {case}"),
            &[r.rate[k], r.lower[k], r.upper[k]],
            &["dsr", "lower", "upper"].map(|c| f.num(c)[j]),
        );
    }
}

#[test]
fn sir_matches_poisson_test_and_popepi() {
    // The cohort of lexis_sim_age_per, split by our splitter (itself checked against
    // Epi/popEpi), joined to the reference rates by age band, sex and period band.
    let d = Table::read("data_lexis_sim.csv");
    let (entry, age, tfe) = (d.num("entry"), d.num("age_at_entry"), d.num("tfe_at_entry"));
    let (exit, status, cst, sex) = (
        d.num("exit"),
        d.num("status"),
        d.num("entry_status"),
        d.num("sex"),
    );
    let data = LexisData::new(
        vec![
            ("per".into(), &entry[..]),
            ("age".into(), &age[..]),
            ("tfe".into(), &tfe[..]),
        ],
        &exit,
        &status,
    )
    .unwrap()
    .with_entry_status(&cst)
    .unwrap();
    let age_br = [30., 40., 50., 60., 70., 80., 90., 100.];
    let per_br = [2000., 2005., 2010., 2015., 2021.];
    let split = LexisSplit::new(&data, &[("age", &age_br), ("per", &per_br)], true)
        .unwrap()
        .split(&data);
    let rr = Table::read("data_lexis_refrates.csv");
    let (ra, rs, rp, rate) = (
        rr.num("age_lower"),
        rr.num("sex"),
        rr.num("per_lower"),
        rr.num("rate"),
    );
    let n = split.len();
    let mut observed = Vec::with_capacity(n);
    let mut ref_rate = Vec::with_capacity(n);
    let mut piece_sex = Vec::with_capacity(n);
    for k in 0..n {
        let s = sex[split.row[k] as usize];
        let (a, p) = (split.band[0][k], split.band[1][k]);
        let j = (0..rr.nrow)
            .find(|&j| ra[j] == a && rs[j] == s && rp[j] == p)
            .expect("reference rate");
        ref_rate.push(rate[j]);
        observed.push(f64::from(
            split.status[k] == 1.0 && split.entry_status[k] != 1.0,
        ));
        piece_sex.push(s as i64);
    }
    let cases = Table::read("sir_cases.csv");
    let homog = Table::read("sir_homogeneity.csv");
    for c in 0..cases.nrow {
        let case = &cases.str("case")[c];
        let f = Table::read(&format!("sir_{case}.csv"));
        let strata: Option<(Vec<u32>, usize)> = match cases.str("strata")[c].as_str() {
            "" => None,
            "sex" => {
                let (codes, levels) = factorize(&piece_sex);
                Some((codes, levels.len()))
            }
            "per_band" => {
                let keys: Vec<i64> = split.band[1].iter().map(|&p| p as i64).collect();
                let (codes, levels) = factorize(&keys);
                Some((codes, levels.len()))
            }
            other => panic!("unknown strata {other}"),
        };
        let r = sir(
            &observed,
            &split.duration,
            &ref_rate,
            strata.as_ref().map(|(g, k)| (g.as_slice(), *k)),
            0.95,
        )
        .unwrap();
        assert_eq!(r.sir.len(), f.nrow, "{case}: rows");
        for col in [
            "observed", "expected", "pyrs", "sir", "lower", "upper", "p_exact", "p_chisq",
        ] {
            let ours = match col {
                "observed" => &r.observed,
                "expected" => &r.expected,
                "pyrs" => &r.person_time,
                "sir" => &r.sir,
                "lower" => &r.lower,
                "upper" => &r.upper,
                "p_exact" => &r.p_exact,
                _ => &r.p_chisq,
            };
            close(&format!("sir {case} {col}"), ours, &f.num(col));
        }
        match r.homogeneity {
            None => assert!(strata.is_none(), "{case}: homogeneity test missing"),
            Some(h) => {
                let j = homog.str("case").iter().position(|x| x == case).unwrap();
                close(
                    &format!("homogeneity {case}"),
                    &[h.df as f64, h.lrt, h.p_lrt, h.pearson, h.p_pearson],
                    &["df", "lrt", "p_lrt", "pearson", "p_pearson"].map(|x| homog.num(x)[j]),
                );
            }
        }
    }
}

#[test]
fn rate_differences_match_epi_ci_lin() {
    let f = Table::read("rate_difference.csv");
    assert!(f.nrow >= 6);
    let (e1, t1, e2, t2, cl) = (
        f.num("events1"),
        f.num("pyrs1"),
        f.num("events2"),
        f.num("pyrs2"),
        f.num("conf_level"),
    );
    for i in 0..f.nrow {
        let r = hrrstats::rate_differences(&e1[i..=i], &t1[i..=i], &e2[i..=i], &t2[i..=i], cl[i])
            .unwrap();
        close(
            &format!("rate difference row {i}"),
            &[r.estimate[0], r.se[0], r.lower[0], r.upper[0], r.p_value[0]],
            &["difference", "se", "lower", "upper", "p_value"].map(|c| f.num(c)[i]),
        );
    }
}
