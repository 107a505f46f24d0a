//! Net and relative survival against relsurv::rs.surv on relsurv's rdata with the
//! Slovenian population table slopop (fixtures from tests/reference/generate_relsurv.R).
mod common;
use common::{assert_close_tol, Table};
use hrrstats::{ConfType, NetMethod, NetSurvival, NetSurvivalData, RateTable};

/// The issue asks 1e-6 relative where the algorithm is the same.
const TOL: f64 = 1e-10;

fn slopop() -> RateTable {
    let t = Table::read("data_rs_slopop.csv");
    let sex: Vec<f64> = t.num("sex").iter().map(|s| s - 1.0).collect();
    let names = vec!["age".to_string(), "year".to_string(), "sex".to_string()];
    RateTable::from_long(
        &names,
        &[true, true, false],
        &[&t.num("age_days"), &t.num("year_days1960"), &sex],
        &t.num("rate"),
    )
    .unwrap()
}

/// relsurv's rdata in the table's units: the table, age (days), date of diagnosis (days
/// since 1960), sex code (0 male, 1 female), follow-up (days), status.
fn rdata() -> (Table, Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
    let d = Table::read("data_rs_rdata.csv");
    let age: Vec<f64> = d.num("age").iter().map(|a| a * 365.241).collect();
    let sex: Vec<f64> = d.num("sex").iter().map(|s| s - 1.0).collect();
    let (year, time, status) = (d.num("year_days1960"), d.num("time"), d.num("cens"));
    (d, age, year, sex, time, status)
}

#[test]
fn net_survival_matches_rs_surv() {
    let table = slopop();
    let (_, age, year, sex, time, status) = rdata();
    let sex_codes: Vec<u32> = sex.iter().map(|&s| s as u32).collect();
    let m = Table::read("rs_surv_cases.csv");
    let mut checked = 0;
    for c in 0..m.nrow {
        let get = |k: &str| m.str(k)[c].clone();
        // relsurv 2.2-9's Hakulinen with slopop looks the potential follow-up up ten years
        // too early (dates since 1970 against the table's 1960 cut-points; see
        // generate_relsurv.R): hak / hak_sex reproduce that bug, hak_datecut / _sex are the
        // intended estimate (the same table with consistent date origins), which is ours.
        if get("method") == "hakulinen" && get("ratetable") == "slopop" {
            continue;
        }
        let case = get("case");
        let method = NetMethod::parse(&get("method")).unwrap();
        let mut data =
            NetSurvivalData::new(&time, &status, vec![&age, &year, &sex], &table).unwrap();
        let by_sex = get("strata") == "sex";
        if by_sex {
            data = data.with_strata(&sex_codes, 2).unwrap();
        }
        let fit = NetSurvival::params()
            .method(method)
            .conf_type(ConfType::parse(&get("conf_type")).unwrap())
            .conf_level(get("conf_int").parse().unwrap())
            .fit(&table, &data)
            .unwrap();
        let f = Table::read(&format!("rs_surv_{case}.csv"));
        let fs = f.num("strata");
        for (k, cv) in fit.curves.iter().enumerate() {
            let rows: Vec<usize> = (0..f.nrow)
                .filter(|&r| {
                    if by_sex {
                        fs[r] == (k + 1) as f64
                    } else {
                        fs[r].is_nan()
                    }
                })
                .collect();
            let col = |name: &str| -> Vec<f64> { rows.iter().map(|&r| f.num(name)[r]).collect() };
            let what = format!("{case} stratum {k}");
            assert_eq!(cv.time, col("time"), "{what}: times");
            assert_close_tol(&format!("{what} n_risk"), &cv.n_risk, &col("n_risk"), 0.0);
            assert_close_tol(
                &format!("{what} n_event"),
                &cv.n_event,
                &col("n_event"),
                0.0,
            );
            assert_close_tol(&format!("{what} surv"), &cv.survival, &col("surv"), TOL);
            // std_err: of the survival estimate, as summary(rs.surv(...), times = ...)
            assert_close_tol(
                &format!("{what} std_err"),
                &cv.std_err,
                &col("std_err"),
                TOL,
            );
            // rs.surv's own std.err, of the cumulative hazard (the limits' scale)
            assert_close_tol(
                &format!("{what} std_err_cumulative_hazard"),
                &cv.std_err_cumulative_hazard,
                &col("std_err_cumulative_hazard"),
                TOL,
            );
            // and through at(), at the reported times and before the first one
            let mut probe = vec![cv.time[0] / 2.0];
            probe.extend_from_slice(&cv.time);
            let (s_at, se_at) = fit.at(k, &probe).unwrap();
            assert_eq!(
                (s_at[0], se_at[0]),
                (1.0, 0.0),
                "{what}: at() before the first time"
            );
            assert_close_tol(
                &format!("{what} at() std_err"),
                &se_at[1..],
                &col("std_err"),
                TOL,
            );
            assert_close_tol(&format!("{what} lower"), &cv.lower, &col("lower"), TOL);
            assert_close_tol(&format!("{what} upper"), &cv.upper, &col("upper"), TOL);
        }
        checked += 1;
    }
    assert!(checked >= 10, "{checked} cases");
}

#[test]
fn expected_survival_matches_survexp() {
    let table = slopop();
    let f = Table::read("rs_expected_rdata.csv");
    let (ids, t) = (f.num("id"), f.num("time"));
    let mut checked = 0;
    let mut k = 0;
    while k < f.nrow {
        let mut e = k;
        while e < f.nrow && ids[e] == ids[k] {
            e += 1;
        }
        let age = [f.num("age")[k] * 365.241];
        let year = [f.num("year_days1960")[k]];
        let sex = [f.num("sex")[k] - 1.0];
        let s = table
            .expected_survival(&[&age, &year, &sex], &t[k..e])
            .unwrap();
        assert_close_tol(
            &format!("person {}", ids[k]),
            &s[0],
            &f.num("surv_exact")[k..e],
            1e-12,
        );
        checked += e - k;
        k = e;
    }
    assert_eq!(checked, f.nrow);
}

#[test]
fn net_survival_test_matches_rs_diff() {
    let table = slopop();
    let (_, age, year, sex, time, status) = rdata();
    let g: Vec<u32> = sex.iter().map(|&s| s as u32).collect();
    let data = NetSurvivalData::new(&time, &status, vec![&age, &year, &sex], &table).unwrap();
    let r = hrrstats::net_survival_test(&table, &data, &g, 2, 1.0).unwrap();
    assert_rs_diff(&r, "rs_diff.csv", "p_upper");
}

/// The test's statistic, df, p (column `p`), scores and covariance against a fixture.
fn assert_rs_diff(r: &hrrstats::NetSurvivalTest, fixture: &str, p: &str) {
    let f = Table::read(fixture);
    let col = |c: &str| f.num(c)[0];
    assert_close_tol(
        &format!("{fixture} statistic, p"),
        &[r.statistic, r.df as f64, r.p_value],
        &[col("statistic"), col("df"), col(p)],
        TOL,
    );
    assert_close_tol(
        &format!("{fixture} scores"),
        &r.score,
        &[col("z_1"), col("z_2")],
        TOL,
    );
    assert_close_tol(
        &format!("{fixture} variance"),
        &r.variance,
        &[col("var_11"), col("var_12"), col("var_12"), col("var_22")],
        TOL,
    );
}

/// rsadd's model on rdata: `Surv(time, cens) ~ sex + age` (numeric covariates),
/// follow-up intervals 0, 1, 3, 5, 10 years, fitted by `fit`.
fn rsadd_fit(
    fit: fn(
        &RateTable,
        &NetSurvivalData,
        &hrrstats::Covariates,
        &[f64],
        f64,
    ) -> hrrstats::Result<hrrstats::ExcessHazardFit>,
) -> hrrstats::ExcessHazardFit {
    let table = slopop();
    let (d, age_days, year, sex0, time, status) = rdata();
    let data = NetSurvivalData::new(&time, &status, vec![&age_days, &year, &sex0], &table).unwrap();
    let names = vec!["sex".to_string(), "age".to_string()];
    let (sex, age) = (d.num("sex"), d.num("age"));
    let x = hrrstats::Covariates::from_columns(vec![&sex, &age], &names).unwrap();
    let breaks: Vec<f64> = [0.0, 1.0, 3.0, 5.0, 10.0]
        .iter()
        .map(|y| y * 365.241)
        .collect();
    fit(&table, &data, &x, &breaks, 365.241).unwrap()
}

#[test]
fn excess_hazard_glm_matches_rsadd() {
    let fit = rsadd_fit(hrrstats::excess_hazard_glm);
    assert!(fit.converged);
    // The grouped table, row by row (keyed by sub-interval, sex, age).
    let f = Table::read("rs_rsadd_glm.poi_table.csv");
    assert_eq!(fit.table.deaths.len(), f.nrow, "groups");
    let t = &fit.table;
    let mut ours = std::collections::HashMap::new();
    for r in 0..t.deaths.len() {
        let key = (
            t.sub_interval[r] + 1,
            t.x[2 * r] as i64,
            t.x[2 * r + 1].to_bits(),
        );
        ours.insert(key, [t.deaths[r], t.person_years[r].ln(), t.expected[r]]);
    }
    let (fs, fsex, fage) = (f.num("sub_interval"), f.num("sex"), f.num("age"));
    for r in 0..f.nrow {
        let got = ours[&(fs[r] as usize, fsex[r] as i64, fage[r].to_bits())];
        assert_close_tol(
            &format!("group row {r}"),
            &got,
            &[f.num("nd")[r], f.num("lny")[r], f.num("dstar")[r]],
            1e-12,
        );
    }
    let c = Table::read("rs_rsadd_glm.poi.csv");
    // The GLM engine with the excess-hazard link and glm's default control: rsadd's own
    // answer (same IRLS path, same stopping point).
    assert_close_tol("rsadd coef", &fit.glm_coef, &c.num("coef"), 1e-10);
    assert_close_tol("rsadd se", &fit.glm_se, &c.num("se"), 1e-10);
    // Fisher scoring on to the optimum.
    assert_close_tol("coef", &fit.coef, &c.num("coef_converged"), 1e-10);
    assert_close_tol("se", &fit.se, &c.num("se_converged"), 1e-10);
}

#[test]
fn crude_probabilities_match_cmp_rel() {
    let table = slopop();
    let (_, age, year, sex, time, status) = rdata();
    let data = NetSurvivalData::new(&time, &status, vec![&age, &year, &sex], &table).unwrap();
    let cp = hrrstats::crude_probabilities(&table, &data, 1.0, None).unwrap();
    let f = Table::read("rs_cmprel.csv");
    let (ft, fc) = (f.num("time"), f.str("cause"));
    for (cause, est, var) in [
        ("cancer", &cp.cancer, &cp.cancer_var),
        ("population", &cp.population, &cp.population_var),
    ] {
        let rows: Vec<usize> = (0..f.nrow)
            .filter(|&r| fc[r] == cause && ft[r] > 0.0)
            .collect();
        assert!(rows.len() > 100);
        let pick = |v: &Vec<f64>| -> Vec<f64> {
            rows.iter()
                .map(|&r| v[cp.time.iter().position(|&t| t == ft[r]).unwrap()])
                .collect()
        };
        assert_close_tol(
            &format!("{cause} estimate"),
            &pick(est),
            &rows
                .iter()
                .map(|&r| f.num("estimate")[r])
                .collect::<Vec<_>>(),
            TOL,
        );
        assert_close_tol(
            &format!("{cause} variance"),
            &pick(var),
            &rows
                .iter()
                .map(|&r| f.num("variance")[r])
                .collect::<Vec<_>>(),
            1e-10,
        );
    }
}

#[test]
fn age_standardised_net_survival_matches_weighted_rs_surv() {
    let table = slopop();
    let (d, age, year, sex, time, status) = rdata();
    // ICSS age groups: under 45, 45-54, 55-64, 65-74, 75+.
    let groups: Vec<u32> = d
        .num("age")
        .iter()
        .map(|&a| {
            hrrstats::relsurv::ICSS_AGE_LOWER[1..]
                .iter()
                .filter(|&&l| a >= l)
                .count() as u32
        })
        .collect();
    let data = NetSurvivalData::new(&time, &status, vec![&age, &year, &sex], &table)
        .unwrap()
        .with_strata(&groups, 5)
        .unwrap();
    let fit = NetSurvival::params().fit(&table, &data).unwrap();
    let f = Table::read("rs_surv_icss1.csv");
    let rows: Vec<usize> = (0..f.nrow)
        .filter(|&r| f.str("group")[r] == "standardised")
        .collect();
    let times: Vec<f64> = rows.iter().map(|&r| f.num("time")[r]).collect();
    let s = fit
        .age_standardized(&hrrstats::relsurv::ICSS[0], &times)
        .unwrap();
    assert_close_tol(
        "standardised",
        &s.survival,
        &rows.iter().map(|&r| f.num("surv")[r]).collect::<Vec<_>>(),
        TOL,
    );
    assert_close_tol(
        "standardised se",
        &s.std_err,
        &rows
            .iter()
            .map(|&r| f.num("std_err")[r])
            .collect::<Vec<_>>(),
        TOL,
    );
    // each age group's curve at the same times: survival and its (survival-scale) std_err
    for (k, g) in ["15-44", "45-54", "55-64", "65-74", "75+"]
        .iter()
        .enumerate()
    {
        let rows: Vec<usize> = (0..f.nrow).filter(|&r| f.str("group")[r] == *g).collect();
        let col = |name: &str| -> Vec<f64> { rows.iter().map(|&r| f.num(name)[r]).collect() };
        let (sk, sek) = fit.at(k, &col("time")).unwrap();
        assert_close_tol(&format!("group {g} surv"), &sk, &col("surv"), TOL);
        assert_close_tol(&format!("group {g} std_err"), &sek, &col("std_err"), TOL);
    }
}

/// popEpi's popmort (hazard per person-year) as a rate table: year, age (single years),
/// sex (0 male, 1 female).
fn popmort() -> RateTable {
    let t = Table::read("data_rs_popmort.csv");
    let names = vec!["year".to_string(), "age".to_string(), "sex".to_string()];
    RateTable::from_long(
        &names,
        &[true, true, false],
        &[&t.num("year"), &t.num("agegroup"), &t.num("sex")],
        &t.num("haz"),
    )
    .unwrap()
}

/// popEpi's sire in years: time (exit - diagnosis), status (any death), diagnosis date
/// (decimal year), age at diagnosis, sex, and the ICSS age group (0..5) with its lower
/// bounds.
struct Sire {
    time: Vec<f64>,
    status: Vec<f64>,
    dg_cal: Vec<f64>,
    dg_age: Vec<f64>,
    sex: Vec<f64>,
    groups: Vec<u32>,
}
const ICSS_LOWER: [f64; 5] = [0.0, 45.0, 55.0, 65.0, 75.0];

fn sire() -> Sire {
    let si = Table::read("data_rs_sire.csv");
    let (dg_cal, dg_age, sex) = (si.num("dg_cal"), si.num("dg_age"), si.num("sex"));
    let time = si
        .num("ex_cal")
        .iter()
        .zip(&dg_cal)
        .map(|(e, d)| e - d)
        .collect();
    let status = si
        .num("status")
        .iter()
        .map(|&s| (s > 0.0) as u8 as f64)
        .collect();
    // ICSS age groups [0, 45), [45, 55), [55, 65), [65, 75), [75, Inf).
    let groups = dg_age
        .iter()
        .map(|&a| ICSS_LOWER[1..].iter().filter(|&&l| a >= l).count() as u32)
        .collect();
    Sire {
        time,
        status,
        dg_cal,
        dg_age,
        sex,
        groups,
    }
}

#[test]
fn interval_survival_matches_survtab() {
    use hrrstats::{IntervalMethod, IntervalSurvival, LifeTableData, PpWeight};
    let table = popmort();
    let Sire {
        time,
        status,
        dg_cal,
        dg_age,
        sex,
        groups,
    } = sire();
    let lower = ICSS_LOWER;
    let breaks: Vec<f64> = (0..=60).map(|k| k as f64 / 12.0).collect();
    let m = Table::read("rs_survtab_cases.csv");
    for c in 0..m.nrow {
        let case = &m.str("case")[c];
        let method = IntervalMethod::parse(&m.str("relsurv_method")[c]).unwrap();
        let by_age = m.str("formula")[c] != "FUT ~ 1";
        let mut data =
            LifeTableData::new(&time, &status, vec![&dg_cal, &dg_age, &sex], &table).unwrap();
        if by_age {
            data = data.with_groups(&groups, 5).unwrap();
        }
        let fit = IntervalSurvival::params()
            .breaks(&breaks)
            .method(method)
            .pp_weight(PpWeight::PopEpi)
            .fit(&table, &data)
            .unwrap();
        let f = Table::read(&format!("rs_survtab_{case}.csv"));
        let fg = f.num("group");
        let tables: Vec<(f64, hrrstats::IntervalTable)> = if m.str("weights")[c] == "ICSS1" {
            let w = hrrstats::relsurv::ICSS[0];
            vec![(f64::NAN, fit.age_standardized(&w).unwrap())]
        } else if by_age {
            fit.tables
                .iter()
                .cloned()
                .zip(lower)
                .map(|(t, l)| (l, t))
                .collect()
        } else {
            vec![(f64::NAN, fit.tables[0].clone())]
        };
        for (g, t) in &tables {
            let rows: Vec<usize> = (0..f.nrow)
                .filter(|&r| (fg[r].is_nan() && g.is_nan()) || fg[r] == *g)
                .collect();
            let col = |name: &str| -> Vec<f64> { rows.iter().map(|&r| f.num(name)[r]).collect() };
            let what = format!("survtab {case} group {g}");
            let mut cols: Vec<(&str, &Vec<f64>)> = vec![
                ("Tstart", &t.start),
                ("Tstop", &t.stop),
                ("delta", &t.delta),
                ("pyrs", &t.pyrs),
                ("d", &t.d),
                ("surv.obs", &t.surv_obs),
                ("SE.surv.obs", &t.se_obs),
                ("surv", &t.surv),
                ("SE", &t.std_err),
                ("lower", &t.lower),
                ("upper", &t.upper),
            ];
            match method {
                IntervalMethod::Ederer2 => cols.push(("d.exp", &t.d_exp)),
                IntervalMethod::PoharPerme => cols.extend([
                    ("d.pp", &t.d_pp),
                    ("d.pp.2", &t.d_pp2),
                    ("pyrs.pp", &t.pyrs_pp),
                    ("d.exp.pp", &t.d_exp_pp),
                ]),
            }
            for (name, ours) in cols {
                assert_close_tol(&format!("{what} {name}"), ours, &col(name), TOL);
            }
        }
    }
}

#[test]
fn excess_hazard_ml_matches_rsadd_max_lik() {
    let fit = rsadd_fit(hrrstats::excess_hazard_ml);
    assert!(fit.converged);
    let c = Table::read("rs_rsadd_max.lik.csv");
    assert_eq!(c.nrow, 6);
    // relsurv stops at |step| < 1e-8; the converged optimum is the anchor's own Newton
    // continued to |step| < 1e-15 (generate_relsurv.R); relsurv's answer is within 1e-12.
    assert_close_tol("coef", &fit.coef, &c.num("coef_converged"), 1e-10);
    assert_close_tol("se", &fit.se, &c.num("se_converged"), 1e-10);
    assert_close_tol("coef vs relsurv", &fit.coef, &c.num("coef"), 1e-9);
}

#[test]
fn interval_pp_with_midpoint_weights_matches_by_hand() {
    use hrrstats::{IntervalSurvival, LifeTableData};
    let table = popmort();
    let Sire {
        time,
        status,
        dg_cal,
        dg_age,
        sex,
        groups,
    } = sire();
    let lower = ICSS_LOWER;
    let breaks: Vec<f64> = (0..=60).map(|k| k as f64 / 12.0).collect();
    for case in ["pp", "pp_agegr"] {
        let mut data =
            LifeTableData::new(&time, &status, vec![&dg_cal, &dg_age, &sex], &table).unwrap();
        if case == "pp_agegr" {
            data = data.with_groups(&groups, 5).unwrap();
        }
        // the default weighting: expected survival at the interval's mid-point
        let fit = IntervalSurvival::params()
            .breaks(&breaks)
            .fit(&table, &data)
            .unwrap();
        let f = Table::read(&format!("rs_survtab_{case}_midpoint.csv"));
        let fg = f.num("group");
        for (k, t) in fit.tables.iter().enumerate() {
            let rows: Vec<usize> = (0..f.nrow)
                .filter(|&r| {
                    if case == "pp" {
                        fg[r].is_nan()
                    } else {
                        fg[r] == lower[k]
                    }
                })
                .collect();
            let col = |name: &str| -> Vec<f64> { rows.iter().map(|&r| f.num(name)[r]).collect() };
            for (name, ours) in [
                ("pyrs", &t.pyrs),
                ("d.pp", &t.d_pp),
                ("d.pp.2", &t.d_pp2),
                ("pyrs.pp", &t.pyrs_pp),
                ("d.exp.pp", &t.d_exp_pp),
                ("surv", &t.surv),
                ("SE", &t.std_err),
                ("lower", &t.lower),
                ("upper", &t.upper),
            ] {
                assert_close_tol(&format!("{case} group {k} {name}"), ours, &col(name), TOL);
            }
        }
    }
}

/// The built-in survexp.us (US-style calendar dimension) against survival::survexp on
/// 40 synthetic persons (tests/reference/generate_ratetables.R).
#[test]
fn builtin_survexp_us_matches_survexp() {
    let b = hrrstats::data::survexp_us();
    let names = vec!["age".to_string(), "year".to_string(), "sex".to_string()];
    let table = RateTable::from_long(
        &names,
        &[true, true, false],
        &[&b.age, &b.year, &b.sex],
        &b.rate,
    )
    .unwrap()
    .with_us_date("year", "age")
    .unwrap();
    let cases = Table::read("rt_survexp_us_cases.csv");
    let f = Table::read("rt_survexp_us_expected.csv");
    let (ids, times) = (f.num("id"), f.num("time"));
    let (age, date, sex) = (
        cases.num("age_days"),
        cases.num("date_days1960"),
        cases.num("sex"),
    );
    // Persons diagnosed before the table's first year (1940) are refused, as net
    // survival refuses them (survexp and rs.surv extend the first year backwards).
    let first = b.year.iter().copied().fold(f64::INFINITY, f64::min);
    let covered: Vec<usize> = (0..date.len()).filter(|&i| date[i] >= first).collect();
    assert_eq!(covered.len(), date.len() - 2);
    let before = date.iter().position(|&d| d < first).unwrap();
    let e = table.expected_survival(&[&age, &date, &sex], &[1.0]).unwrap_err();
    assert_eq!(e.row(), Some(before));
    assert!(e.to_string().contains("does not cover this person"), "{e}");
    let pick = |x: &[f64]| covered.iter().map(|&i| x[i]).collect::<Vec<f64>>();
    let (age, date, sex) = (pick(&age), pick(&date), pick(&sex));
    let s = table
        .expected_survival(
            &[&age, &date, &sex],
            &[1.0, 100.0, 365.0, 1000.0, 3652.5, 9000.0],
        )
        .unwrap();
    let id = pick(&cases.num("id"));
    let mut checked = 0;
    for r in 0..f.nrow {
        let Some(i) = id.iter().position(|&x| x == ids[r]) else {
            continue; // a person before 1940
        };
        let k = [1.0, 100.0, 365.0, 1000.0, 3652.5, 9000.0]
            .iter()
            .position(|&t| t == times[r])
            .unwrap();
        // the cumulative hazard, exact also where it is tiny (survexp's survival is
        // 1 - 1e-7 after a day)
        assert_close_tol(
            &format!("person {} at {}", ids[r], times[r]),
            &[-s[i][k].ln()],
            &[f.num("cumhaz")[r]],
            1e-9,
        );
        assert_close_tol(
            &format!("person {} at {}", ids[r], times[r]),
            &[s[i][k]],
            &[f.num("surv")[r]],
            1e-13,
        );
        checked += 1;
    }
    assert_eq!(checked, 228);
}

#[test]
fn stratified_net_survival_test_matches_rs_diff() {
    let table = slopop();
    let (d, age, year, sex, time, status) = rdata();
    let g: Vec<u32> = sex.iter().map(|&s| s as u32).collect();
    // strata(cut(age, c(0, 60, 75, Inf), right = FALSE))
    let agegr3: Vec<u32> = d
        .num("age")
        .iter()
        .map(|&a| (a >= 60.0) as u32 + (a >= 75.0) as u32)
        .collect();
    let data = NetSurvivalData::new(&time, &status, vec![&age, &year, &sex], &table)
        .unwrap()
        .with_strata(&agegr3, 3)
        .unwrap();
    let r = hrrstats::net_survival_test(&table, &data, &g, 2, 1.0).unwrap();
    assert_rs_diff(&r, "rs_diff_strata.csv", "p_value");
}

#[test]
fn crude_probabilities_by_sex_match_cmp_rel() {
    let table = slopop();
    let (_, age, year, sex, time, status) = rdata();
    let g: Vec<u32> = sex.iter().map(|&s| s as u32).collect();
    let data = NetSurvivalData::new(&time, &status, vec![&age, &year, &sex], &table)
        .unwrap()
        .with_strata(&g, 2)
        .unwrap();
    let cps = hrrstats::crude_probabilities_by_stratum(&table, &data, 1.0, None).unwrap();
    let f = Table::read("rs_cmprel_sex.csv");
    let (fg, ft, fc) = (f.num("group"), f.num("time"), f.str("cause"));
    let mut checked = 0;
    for (k, cp) in cps.iter().enumerate() {
        for (cause, est, var) in [
            ("cancer", &cp.cancer, &cp.cancer_var),
            ("population", &cp.population, &cp.population_var),
        ] {
            let rows: Vec<usize> = (0..f.nrow)
                .filter(|&r| fg[r] == (k + 1) as f64 && fc[r] == cause && ft[r] > 0.0)
                .collect();
            assert!(rows.len() > 50);
            let pick = |v: &Vec<f64>| -> Vec<f64> {
                rows.iter()
                    .map(|&r| v[cp.time.iter().position(|&t| t == ft[r]).unwrap()])
                    .collect()
            };
            let theirs = |c: &str| -> Vec<f64> { rows.iter().map(|&r| f.num(c)[r]).collect() };
            let what = format!("sex {} {cause}", k + 1);
            assert_close_tol(&what, &pick(est), &theirs("estimate"), TOL);
            assert_close_tol(&what, &pick(var), &theirs("variance"), TOL);
            checked += rows.len();
        }
    }
    assert_eq!(checked, (0..f.nrow).filter(|&r| ft[r] > 0.0).count());
}
