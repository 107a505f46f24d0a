//! The main job: a registry-style survival analysis of the embedded example cohort.
//!
//! `cargo run --release --example registry_survival`
//!
//! 20,000 synthetic cancer patients (diagnosed 2000–2019, followed to 2023-12-31):
//! Kaplan–Meier survival by stage with medians and 1- and 5-year survival, log-rank
//! tests (stage; region stratified by stage; Peto–Peto weights), survival on the
//! attained-age time scale with delayed entry at the age at diagnosis, and mortality
//! rates on the Lexis diagram (person-time by attained age, calendar period and time
//! since diagnosis; exact Poisson limits; truncated age-standardised rates), and net
//! survival by stage against the population table behind the cohort's background deaths
//! (Pohar-Perme and Ederer II curves; the age-standardised yearly life table).
use hrrstats::data::{example_cohort, REGIONS};
use hrrstats::relsurv::{ICSS, ICSS_AGE_LOWER};
use hrrstats::{
    crude_rates, days_since_1960, direct_standardize, standard_population, ConfType,
    IntervalSurvival, KaplanMeier, LexisData, LexisSplit, LifeTableData, LogrankTest, NetMethod,
    NetSurvival, NetSurvivalData, RateTable, SurvivalData,
};

fn main() -> Result<(), hrrstats::Error> {
    let c = example_cohort();
    let n = c.time.len();
    let deaths: f64 = c.status.iter().sum();
    let years: Vec<f64> = c.time.iter().map(|d| d / 365.25).collect();
    println!("hrrstats example: synthetic cancer registry cohort");
    println!(
        "{n} patients, {deaths:.0} deaths, {:.0} person-years of follow-up\n",
        years.iter().sum::<f64>()
    );

    // Kaplan–Meier by stage (follow-up in years).
    let stage: Vec<u32> = c.stage.iter().map(|&s| s as u32 - 1).collect();
    let data = SurvivalData::new(&years, &c.status)?.with_strata(&stage, 4)?;
    let km = KaplanMeier::params()
        .conf_type(ConfType::LogLog)
        .fit(&data)?;
    println!("Overall survival by stage (Kaplan–Meier, log-log 95% CI)");
    println!(
        "{:<6} {:>6} {:>7}  {:>22}  {:>22}  {:>22}",
        "stage", "n", "deaths", "median years (95% CI)", "1-year % (95% CI)", "5-year % (95% CI)"
    );
    let medians = km.median();
    for k in 0..4 {
        let at = km.survival_at(k, &[1.0, 5.0])?;
        let d: f64 = km.n_event[km.stratum_range(k)].iter().sum();
        let m = medians[k];
        println!(
            "{:<6} {:>6} {:>7.0}  {:>6.2} ({:>5.2}, {:>5.2})  {:>6.1} ({:>5.1}, {:>5.1})  {:>6.1} ({:>5.1}, {:>5.1})",
            ["I", "II", "III", "IV"][k],
            km.n[k],
            d,
            m.estimate,
            m.lower,
            m.upper,
            100.0 * at.survival[0],
            100.0 * at.lower[0],
            100.0 * at.upper[0],
            100.0 * at.survival[1],
            100.0 * at.lower[1],
            100.0 * at.upper[1]
        );
    }
    println!();

    // Log-rank tests.
    let plain = SurvivalData::new(&years, &c.status)?;
    let lr = LogrankTest::params().fit(&plain, &stage, 4)?;
    println!(
        "Log-rank test, stage: chisq = {:.1} on {} df, p {}",
        lr.statistic,
        lr.df,
        fmt_p(lr.p_value)
    );
    for k in 0..4 {
        println!(
            "  stage {:<4} observed {:>7.0}  expected {:>9.1}  O/E {:.2}",
            ["I", "II", "III", "IV"][k],
            lr.observed[k],
            lr.expected[k],
            lr.observed[k] / lr.expected[k]
        );
    }
    let region: Vec<u32> = c.region.iter().map(|&r| r as u32).collect();
    let by_stage = SurvivalData::new(&years, &c.status)?.with_strata(&stage, 4)?;
    let lr = LogrankTest::params().fit(&by_stage, &region, 4)?;
    println!(
        "\nLog-rank test, region stratified by stage: chisq = {:.2} on {} df, p = {}",
        lr.statistic,
        lr.df,
        fmt_p(lr.p_value)
    );
    for k in 0..4 {
        println!(
            "  {:<11} observed {:>7.0}  expected {:>9.1}",
            REGIONS[k], lr.observed[k], lr.expected[k]
        );
    }
    let pp = LogrankTest::params().rho(1.0).fit(&plain, &stage, 4)?;
    println!(
        "Peto–Peto (rho = 1) test, stage: chisq = {:.1} on {} df\n",
        pp.statistic, pp.df
    );

    // Attained age as the time scale: patients enter the risk set at their age at
    // diagnosis (delayed entry). Early ages have tiny risk sets, so condition on being
    // alive at 60, as one would report it: entry = max(age at diagnosis, 60).
    let (mut entry, mut exit, mut status, mut sex) = (vec![], vec![], vec![], vec![]);
    for i in 0..n {
        let (a0, a1) = (c.age[i], c.age[i] + years[i]);
        if a1 > 60.0 {
            entry.push(a0.max(60.0));
            exit.push(a1);
            status.push(c.status[i]);
            sex.push(c.sex[i] as u32 - 1);
        }
    }
    let by_age = SurvivalData::new(&exit, &status)?
        .with_entry(&entry)?
        .with_strata(&sex, 2)?;
    let km_age = KaplanMeier::params().fit(&by_age)?;
    println!(
        "Attained age as time scale, delayed entry at diagnosis, conditional on being alive at 60"
    );
    let medians = km_age.median();
    for (k, name) in ["men", "women"].iter().enumerate() {
        let at = km_age.survival_at(k, &[70.0, 80.0, 90.0])?;
        let m = medians[k];
        println!(
            "  {name:<6} S(70) {:.3}  S(80) {:.3}  S(90) {:.3}  median age at death {:.1} ({:.1}, {:.1})",
            at.survival[0], at.survival[1], at.survival[2], m.estimate, m.lower, m.upper
        );
    }

    lexis_rates(&c, &years)?;
    net_survival(&c)
}

/// Net survival (Pohar-Perme) by stage against the population mortality the cohort's
/// background deaths were drawn from.
fn net_survival(c: &hrrstats::data::Cohort) -> Result<(), hrrstats::Error> {
    let lt = hrrstats::data::example_ratetable();
    let names = vec!["age".to_string(), "year".to_string(), "sex".to_string()];
    let age_cuts: Vec<f64> = lt.age.iter().map(|a| a * 365.241).collect();
    let year_cuts: Vec<f64> = lt.year.iter().map(|&y| days_since_1960(y)).collect();
    let sex_codes: Vec<f64> = lt.sex.iter().map(|s| s - 1.0).collect();
    let table = RateTable::from_long(
        &names,
        &[true, true, false],
        &[&age_cuts, &year_cuts, &sex_codes],
        &lt.rate,
    )?;
    let age: Vec<f64> = c.age.iter().map(|a| a * 365.241).collect();
    let year: Vec<f64> = c.year.iter().map(|&y| days_since_1960(y)).collect();
    let sex: Vec<f64> = c.sex.iter().map(|&s| s as f64 - 1.0).collect();
    let stage: Vec<u32> = c.stage.iter().map(|&s| s as u32 - 1).collect();
    let data = NetSurvivalData::new(&c.time, &c.status, vec![&age, &year, &sex], &table)?
        .with_strata(&stage, 4)?;
    let pp = NetSurvival::params().fit(&table, &data)?;
    let e2 = NetSurvival::params()
        .method(NetMethod::Ederer2)
        .fit(&table, &data)?;
    println!(
        "\nNet survival by stage (Pohar-Perme, 95% CI; Ederer II relative survival alongside)"
    );
    for (k, (a, b)) in pp.curves.iter().zip(&e2.curves).enumerate() {
        let at = |cv: &hrrstats::relsurv::NetCurve, t: f64| {
            cv.time.partition_point(|&x| x <= t).checked_sub(1)
        };
        let mut line = format!("  stage {}", k + 1);
        for years in [1.0, 5.0] {
            let t = years * 365.25;
            if let (Some(i), Some(j)) = (at(a, t), at(b, t)) {
                line += &format!(
                    "   {years:.0}-year {:.3} ({:.3}, {:.3}) [E2 {:.3}]",
                    a.survival[i], a.lower[i], a.upper[i], b.survival[j]
                );
            }
        }
        println!("{line}");
    }

    // The life-table version (yearly intervals, as Stata's strs / popEpi's survtab),
    // age-standardised over the ICSS age groups with the ICSS 1 weights.
    let icss: Vec<u32> = c
        .age
        .iter()
        .map(|&a| ICSS_AGE_LOWER[1..].iter().filter(|&&l| a >= l).count() as u32)
        .collect();
    let breaks: Vec<f64> = (0..=5).map(|y| y as f64 * 365.241).collect();
    let lt_data = LifeTableData::new(&c.time, &c.status, vec![&age, &year, &sex], &table)?
        .with_groups(&icss, 5)?;
    let fit = IntervalSurvival::params()
        .breaks(&breaks)
        .fit(&table, &lt_data)?;
    let std = fit.age_standardized(&ICSS[0])?;
    println!("\nInterval net survival (Pohar-Perme life table, yearly), age-standardised (ICSS 1)");
    for k in 0..std.surv.len() {
        println!(
            "  year {}  alive at start {:>6.0}  deaths {:>5.0}  expected {:>7.1}  cumulative {:.3} ({:.3}, {:.3})",
            k + 1,
            std.n_start[k],
            std.d[k],
            std.d_exp[k],
            std.surv[k],
            std.lower[k],
            std.upper[k]
        );
    }
    Ok(())
}

/// Mortality rates on the Lexis diagram: follow-up split by time since diagnosis,
/// attained age (5-year bands from 40) and calendar period, tabulated without
/// materialising the split.
fn lexis_rates(c: &hrrstats::data::Cohort, years: &[f64]) -> Result<(), hrrstats::Error> {
    let exit: Vec<f64> = c.year.iter().zip(years).map(|(y, t)| y + t).collect();
    let tsd = vec![0.0; exit.len()];
    let data = LexisData::new(
        vec![
            ("period".into(), &c.year[..]),
            ("age".into(), &c.age[..]),
            ("tsd".into(), &tsd[..]),
        ],
        &exit,
        &c.status,
    )?;
    let tsd_br = [0.0, 1.0, 5.0, 10.0, 30.0];
    let split = LexisSplit::new(&data, &[("tsd", &tsd_br[..])], true)?;
    let t = split.person_time_table(&data, &[])?;
    let deaths = &t.transitions[t.states.iter().position(|&s| s == 1.0).expect("deaths")];
    let r = crude_rates(deaths, &t.person_time, None, 0.95)?;
    println!("\nMortality by time since diagnosis (Lexis split; rates per 100 person-years, exact 95% CI)");
    for k in 0..t.person_time.len() {
        let hi = tsd_br[tsd_br
            .iter()
            .position(|&b| b == t.band[0][k])
            .expect("band")
            + 1];
        println!(
            "  {:>2}-{:<2} years  {:>8.0} py  {:>5.0} deaths  {:>6.2} ({:.2}, {:.2})",
            t.band[0][k],
            hi,
            t.person_time[k],
            deaths[k],
            100.0 * r.rate[k],
            100.0 * r.lower[k],
            100.0 * r.upper[k]
        );
    }

    // Truncated (40+) age-standardised mortality by sex, European Standard Population
    // 2013, Fay–Feuer limits; rows = 5-year attained-age bands x sex.
    let esp = standard_population("esp2013")?;
    let age_br: Vec<f64> = esp
        .age_lower
        .iter()
        .copied()
        .filter(|&a| a >= 40.0)
        .chain([130.0])
        .collect();
    let sex: Vec<u32> = c.sex.iter().map(|&s| s as u32 - 1).collect();
    let split = LexisSplit::new(
        &data,
        &[("age", &age_br[..]), ("period", &[2000.0, 2024.0][..])],
        true,
    )?;
    let t = split.person_time_table(&data, &[(&sex[..], 2)])?;
    let deaths = &t.transitions[t.states.iter().position(|&s| s == 1.0).expect("deaths")];
    let w: Vec<f64> = t.band[0]
        .iter()
        .map(|a| {
            esp.weight[esp
                .age_lower
                .iter()
                .position(|b| b == a)
                .expect("age group")]
        })
        .collect();
    let dsr = direct_standardize(deaths, &t.person_time, &w, Some((&t.by[0], 2)), 0.95)?;
    println!(
        "\nAge-standardised mortality, ages 40+ (ESP 2013; per 100 person-years, Fay-Feuer 95% CI)"
    );
    for (k, name) in ["men", "women"].iter().enumerate() {
        println!(
            "  {name:<6} crude {:.2}  standardised {:.2} ({:.2}, {:.2})",
            100.0 * dsr.crude[k],
            100.0 * dsr.rate[k],
            100.0 * dsr.lower[k],
            100.0 * dsr.upper[k]
        );
    }
    Ok(())
}

/// p-values as a statistician reads them.
fn fmt_p(p: f64) -> String {
    if p < 1e-16 {
        "< 1e-16".to_string()
    } else if p < 1e-3 {
        format!("{p:.1e}")
    } else {
        format!("{p:.3}")
    }
}
