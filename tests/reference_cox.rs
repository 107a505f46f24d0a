//! Cox regression against survival::coxph (fixtures from tests/reference/generate_cox.R).
mod common;
use common::{assert_close, assert_close_scaled, Table};
use hrrstats::{Covariates, CoxData, CoxPh, CoxPhFit, SurvivalData, Ties, ZphTransform};

/// One manifest case: the columns it uses, owned.
struct CaseData {
    time: Vec<f64>,
    status: Vec<f64>,
    names: Vec<String>,
    x: Vec<f64>,
    entry: Option<Vec<f64>>,
    weights: Option<Vec<f64>>,
    offset: Option<Vec<f64>>,
    strata: Option<(Vec<u32>, usize)>,
    cluster: Option<Vec<u32>>,
}

impl CaseData {
    fn data(&self) -> CoxData<'_> {
        let mut sd = SurvivalData::new(&self.time, &self.status).unwrap();
        if let Some(e) = &self.entry {
            sd = sd.with_entry(e).unwrap();
        }
        if let Some(w) = &self.weights {
            sd = sd.with_weights(w).unwrap();
        }
        if let Some((s, k)) = &self.strata {
            sd = sd.with_strata(s, *k).unwrap();
        }
        let cov = Covariates::new(&self.x, self.time.len(), &self.names).unwrap();
        let mut cd = CoxData::new(sd, cov).unwrap();
        if let Some(o) = &self.offset {
            cd = cd.with_offset(o).unwrap();
        }
        if let Some(c) = &self.cluster {
            cd = cd.with_cluster(c).unwrap();
        }
        cd
    }
}

struct Case {
    name: String,
    robust: bool,
    /// The fit keeps its own (sorted) data for residuals, zph and predictions.
    fit: CoxPhFit,
}

fn cases() -> Vec<Case> {
    let m = Table::read("cox_cases.csv");
    (0..m.nrow)
        .map(|i| {
            let get = |c: &str| m.str(c)[i].clone();
            let d = Table::read(&format!("data_{}.csv", get("data")));
            let names: Vec<String> = get("covariates").split(' ').map(String::from).collect();
            let col = |c: &str| (!get(c).is_empty()).then(|| d.num(&get(c)));
            let input = CaseData {
                time: d.num(&get("time")),
                status: d.num(&get("status")),
                x: names.iter().flat_map(|c| d.num(c)).collect(),
                names,
                entry: col("entry"),
                weights: col("weights"),
                offset: col("offset"),
                strata: col("strata").map(|raw| {
                    let mut lv: Vec<f64> = raw.clone();
                    lv.sort_by(f64::total_cmp);
                    lv.dedup();
                    (
                        raw.iter()
                            .map(|v| lv.iter().position(|l| l == v).unwrap() as u32)
                            .collect(),
                        lv.len(),
                    )
                }),
                cluster: col("cluster").map(|c| c.iter().map(|&v| v as u32).collect()),
            };
            let fit = CoxPh::params()
                .ties(Ties::parse(&get("ties")).unwrap())
                .robust(get("robust") == "TRUE")
                .fit(&input.data())
                .unwrap_or_else(|e| panic!("{}: {e}", get("case")));
            Case {
                name: get("case"),
                robust: get("robust") == "TRUE",
                fit,
            }
        })
        .collect()
}

#[test]
fn cox_coefficients_loglik_and_tests_match_coxph() {
    let cases = cases();
    assert!(cases.len() >= 14);
    for c in &cases {
        let n = &c.name;
        let f = &c.fit;
        let coef = Table::read(&format!("cox_{n}_coef.csv"));
        let fit = Table::read(&format!("cox_{n}_fit.csv"));
        assert_close(&format!("{n} coef"), &f.coef, &coef.num("coef"));
        assert_close(&format!("{n} naive_se"), &f.naive_se, &coef.num("naive_se"));
        assert_close(
            &format!("{n} loglik"),
            &f.loglik,
            &[fit.num("loglik_null")[0], fit.num("loglik")[0]],
        );
        assert_close(
            &format!("{n} score"),
            &[f.score_test.statistic],
            &fit.num("score"),
        );
        assert_close(&format!("{n} lr"), &[f.lr_test.statistic], &fit.num("lr"));
        assert_close(
            &format!("{n} iterations"),
            &[f.iterations as f64],
            &fit.num("iterations"),
        );
        assert_eq!(f.n_event as f64, fit.num("nevent")[0], "{n} nevent");
        let vfile = if c.robust {
            format!("cox_{n}_naive_var.csv")
        } else {
            format!("cox_{n}_var.csv")
        };
        let v = Table::read(&vfile);
        let p = f.coef.len();
        let ours: Vec<f64> = v
            .num("i")
            .iter()
            .zip(v.num("j"))
            .map(|(&i, j)| f.naive_var[(i as usize - 1) * p + j as usize - 1])
            .collect();
        assert_close(&format!("{n} naive var"), &ours, &v.num("value"));
        // With robust = TRUE or a cluster: robust se, var and Wald test, robust score test.
        assert_eq!(f.robust, c.robust, "{n} robust");
        assert_close(
            &format!("{n} wald"),
            &[f.wald_test.statistic],
            &fit.num("wald"),
        );
        assert_close(&format!("{n} se"), &f.se, &coef.num("se"));
        let v = Table::read(&format!("cox_{n}_var.csv"));
        let ours: Vec<f64> = v
            .num("i")
            .iter()
            .zip(v.num("j"))
            .map(|(&i, j)| f.var[(i as usize - 1) * p + j as usize - 1])
            .collect();
        assert_close(&format!("{n} var"), &ours, &v.num("value"));
        if c.robust {
            let rs = f.robust_score_test.expect("robust score test");
            assert_close(
                &format!("{n} robust score"),
                &[rs.statistic],
                &fit.num("rscore"),
            );
        }
    }
}

#[test]
fn cox_predictions_residuals_and_baseline_hazard_match_survival() {
    let m = Table::read("cox_cases.csv");
    for (i, c) in cases().iter().enumerate() {
        let n = &c.name;
        let f = &c.fit;
        let d = Table::read(&format!("data_{}.csv", m.str("data")[i]));
        let status = d.num(&m.str("status")[i]);
        let pr = Table::read(&format!("cox_{n}_predict.csv"));
        assert_close(
            &format!("{n} lp"),
            &f.linear_predictors,
            &pr.num("lp_sample"),
        );
        let res = Table::read(&format!("cox_{n}_resid.csv"));
        assert_close(
            &format!("{n} martingale"),
            &f.martingale_residuals,
            &res.num("martingale"),
        );
        assert_close(
            &format!("{n} deviance"),
            &f.deviance_residuals(),
            &res.num("deviance"),
        );
        let expected: Vec<f64> = status
            .iter()
            .zip(&f.martingale_residuals)
            .map(|(s, m)| s - m)
            .collect();
        assert_close(&format!("{n} expected"), &expected, &pr.num("expected"));
        let bh = Table::read(&format!("cox_{n}_basehaz.csv"));
        let b = &f.baseline;
        let strata: Vec<f64> = (0..b.offsets.len() - 1)
            .flat_map(|k| std::iter::repeat_n(k as f64 + 1.0, b.offsets[k + 1] - b.offsets[k]))
            .collect();
        assert_close(&format!("{n} basehaz strata"), &strata, &bh.num("strata"));
        assert_close(&format!("{n} basehaz time"), &b.time, &bh.num("time"));
        assert_close(
            &format!("{n} basehaz"),
            &b.cumulative_hazard,
            &bh.num("hazard"),
        );
        assert_close(
            &format!("{n} basehaz centered"),
            &b.cumulative_hazard_centered,
            &bh.num("hazard_centered"),
        );
    }
}

#[test]
fn cox_predicted_survival_matches_survfit_coxph() {
    let m = Table::read("cox_cases.csv");
    for (i, c) in cases().iter().enumerate() {
        let n = &c.name;
        let f = &c.fit;
        let sf = Table::read(&format!("cox_{n}_survfit.csv"));
        let names: Vec<String> = m.str("covariates")[i]
            .split(' ')
            .map(String::from)
            .collect();
        let offset_col = &m.str("offset")[i];
        let rows = sf.num("newdata_row");
        let strata = sf.num("strata");
        let times = sf.num("time");
        let mut ours = Vec::with_capacity(rows.len());
        for k in 0..rows.len() {
            let x: Vec<f64> = names.iter().map(|c| sf.num(c)[k]).collect();
            let cov = Covariates::new(&x, 1, &names).unwrap();
            let off = (!offset_col.is_empty()).then(|| vec![sf.num(offset_col)[k]]);
            let lp = f.predict_lp(&cov, off.as_deref()).unwrap();
            ours.push(
                f.predict_survival(&lp, strata[k] as usize - 1, &[times[k]])
                    .unwrap()[0],
            );
        }
        assert_close(
            &format!("{n} predicted survival"),
            &ours,
            &sf.num("survival"),
        );
    }
}

#[test]
fn cox_zph_matches_cox_zph() {
    for c in &cases() {
        let z = Table::read(&format!("cox_{}_zph.csv", c.name));
        for tr in ["km", "rank", "identity"] {
            let rows: Vec<usize> = (0..z.nrow)
                .filter(|&r| z.str("transform")[r] == tr)
                .collect();
            let t = c
                .fit
                .zph(ZphTransform::parse(tr).unwrap(), None)
                .unwrap();
            let mut ours: Vec<f64> = t.statistic.clone();
            ours.push(t.global.statistic);
            let theirs: Vec<f64> = rows.iter().map(|&r| z.num("chisq")[r]).collect();
            assert_close(&format!("{} zph {tr}", c.name), &ours, &theirs);
            let mut p: Vec<f64> = t.p_value.clone();
            p.push(t.global.p_value);
            assert_close(
                &format!("{} zph p {tr}", c.name),
                &p,
                &rows.iter().map(|&r| z.num("p")[r]).collect::<Vec<_>>(),
            );
        }
    }
}

#[test]
fn cox_residual_matrices_match_residuals_coxph() {
    for c in &cases() {
        let n = &c.name;
        let f = &c.fit;
        let t = Table::read(&format!("cox_{n}_resid_matrix.csv"));
        let p = f.coef.len();
        let (types, value, rown, terms, obs_col) = (
            t.str("type"),
            t.num("value"),
            t.num("row"),
            t.str("term"),
            t.num("obs"),
        );
        let pick = |ty: &str| -> (Vec<f64>, Vec<usize>, Vec<usize>) {
            let rows: Vec<usize> = (0..t.nrow).filter(|&r| types[r] == ty).collect();
            let vals = rows.iter().map(|&r| value[r]).collect();
            let row = rows.iter().map(|&r| rown[r] as usize - 1).collect();
            let term = rows
                .iter()
                .map(|&r| f.names.iter().position(|x| *x == terms[r]).unwrap())
                .collect();
            (vals, row, term)
        };
        let check = |ty: &str, ours: &[f64]| {
            let (vals, row, term) = pick(ty);
            let got: Vec<f64> = row
                .iter()
                .zip(&term)
                .map(|(&i, &j)| ours[i * p + j])
                .collect();
            assert_close_scaled(&format!("{n} {ty}"), &got, &vals);
        };
        check("score", &f.score_residuals().unwrap());
        check("dfbeta", &f.dfbeta(true, false).unwrap());
        check("dfbetas", &f.dfbeta(true, true).unwrap());
        let s = f.schoenfeld_residuals(false).unwrap();
        check("schoenfeld", &s.values);
        let (_, row, _) = pick("schoenfeld");
        let obs: Vec<f64> = (0..t.nrow)
            .filter(|&r| types[r] == "schoenfeld")
            .map(|r| obs_col[r] - 1.0)
            .collect();
        let ours_obs: Vec<f64> = row.iter().map(|&i| s.row[i] as f64).collect();
        assert_close(&format!("{n} schoenfeld rows"), &ours_obs, &obs);
        check(
            "scaledsch",
            &f.schoenfeld_residuals(true).unwrap().values,
        );
    }
}
