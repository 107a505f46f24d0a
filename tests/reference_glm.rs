//! GLMs against stats::glm, MASS::glm.nb and sandwich (fixtures from generate_glm.R).
mod common;
use common::{assert_close, Table};
use hrrstats::glm::link_by_name;
use hrrstats::{Covariates, Family, Glm, GlmData, GlmFit, GlmResidual, Robust};

/// One manifest case with its columns owned.
struct CaseData {
    y: Vec<f64>,
    names: Vec<String>,
    x: Vec<f64>,
    weights: Option<Vec<f64>>,
    offset: Option<Vec<f64>>,
    cluster: Option<Vec<u32>>,
}

impl CaseData {
    fn data(&self) -> GlmData<'_> {
        let cov = Covariates::new(&self.x, self.y.len(), &self.names).unwrap();
        let mut gd = GlmData::new(&self.y, cov).unwrap();
        if let Some(w) = &self.weights {
            gd = gd.with_weights(w).unwrap();
        }
        if let Some(o) = &self.offset {
            gd = gd.with_offset(o).unwrap();
        }
        gd
    }
}

struct Case {
    name: String,
    input: CaseData,
    fit: GlmFit,
}

fn cases(include: impl Fn(&str) -> bool) -> Vec<Case> {
    let m = Table::read("glm_cases.csv");
    (0..m.nrow)
        .filter(|&i| include(&m.str("family")[i]))
        .map(|i| {
            let get = |c: &str| m.str(c)[i].clone();
            let d = Table::read(&format!("data_{}.csv", get("data")));
            let names: Vec<String> = get("covariates").split(' ').map(String::from).collect();
            let col = |c: &str| (!get(c).is_empty()).then(|| d.num(&get(c)));
            let input = CaseData {
                y: d.num(&get("response")),
                x: names.iter().flat_map(|c| d.num(c)).collect(),
                names,
                weights: col("weights"),
                offset: col("offset"),
                cluster: col("cluster").map(|c| c.iter().map(|&v| v as u32).collect()),
            };
            let fam = get("family");
            let family = if fam == "negbin" {
                Family::NegativeBinomial(1.0)
            } else {
                Family::parse(&fam).unwrap()
            };
            let mut params = Glm::params()
                .family(family)
                .link(link_by_name(&get("link")).unwrap())
                .intercept(get("intercept") == "TRUE")
                .epsilon(get("epsilon").parse().unwrap())
                .max_iter(get("maxit").parse().unwrap());
            if !get("start").is_empty() {
                params = params.start(
                    get("start")
                        .split(' ')
                        .map(|v| v.parse().unwrap())
                        .collect(),
                );
            }
            let fit = if fam == "negbin" {
                params.fit_negbin(&input.data())
            } else {
                params.fit(&input.data())
            }
            .unwrap_or_else(|e| panic!("{}: {e}", get("case")));
            Case {
                name: get("case"),
                input,
                fit,
            }
        })
        .collect()
}

/// A p x p matrix from a long (i, j, value) table, NaN where the anchor has NA.
fn long(t: &Table, rows: &[usize], p: usize) -> Vec<f64> {
    let (i, j, v) = (t.num("i"), t.num("j"), t.num("value"));
    let mut m = vec![f64::NAN; p * p];
    for &r in rows {
        m[(i[r] as usize - 1) * p + j[r] as usize - 1] = v[r];
    }
    m
}

#[test]
fn glm_matches_stats_glm() {
    let cases = cases(|_| true);
    assert!(cases.len() >= 21);
    for c in &cases {
        let n = &c.name;
        let f = &c.fit;
        let coef = Table::read(&format!("glm_{n}_coef.csv"));
        let fit = Table::read(&format!("glm_{n}_fit.csv"));
        assert_eq!(
            f.names,
            coef.str("term")
                .iter()
                .map(|s| s.replace("\"", ""))
                .collect::<Vec<_>>(),
            "{n} names"
        );
        assert_close(&format!("{n} coef"), &f.coef, &coef.num("coef"));
        assert_close(&format!("{n} se"), &f.se, &coef.num("se"));
        assert_close(
            &format!("{n} deviance"),
            &[f.deviance],
            &fit.num("deviance"),
        );
        assert_close(
            &format!("{n} null deviance"),
            &[f.null_deviance],
            &fit.num("null_deviance"),
        );
        assert_close(&format!("{n} aic"), &[f.aic], &fit.num("aic"));
        assert_close(&format!("{n} loglik"), &[f.loglik], &fit.num("loglik"));
        assert_close(
            &format!("{n} dispersion"),
            &[f.dispersion],
            &fit.num("dispersion"),
        );
        assert_close(
            &format!("{n} iterations"),
            &[f.iterations as f64],
            &fit.num("iterations"),
        );
        assert_close(
            &format!("{n} df"),
            &[f.df_residual as f64, f.df_null as f64, f.rank as f64],
            &[
                fit.num("df_residual")[0],
                fit.num("df_null")[0],
                fit.num("rank")[0],
            ],
        );
        assert_eq!(
            f.converged,
            fit.str("converged")[0] == "TRUE",
            "{n} converged"
        );
        if let Some(theta) = f.theta {
            assert_close(
                &format!("{n} theta"),
                &[theta, f.se_theta.unwrap(), f.twologlik.unwrap()],
                &[
                    fit.num("theta")[0],
                    fit.num("se_theta")[0],
                    fit.num("twologlik")[0],
                ],
            );
        } else {
            assert!(fit.num("theta")[0].is_nan(), "{n}: anchor has theta");
        }
        let v = Table::read(&format!("glm_{n}_var.csv"));
        let p = f.coef.len();
        let ours: Vec<f64> = v
            .num("i")
            .iter()
            .zip(v.num("j"))
            .map(|(&i, j)| {
                let (i, j) = (i as usize - 1, j as usize - 1);
                if f.aliased[i] || f.aliased[j] {
                    f64::NAN
                } else {
                    f.var[i * p + j]
                }
            })
            .collect();
        assert_close(&format!("{n} var"), &ours, &v.num("value"));
    }
}

#[test]
fn glm_robust_variance_predictions_and_residuals_match() {
    for c in &cases(|_| true) {
        let n = &c.name;
        let f = &c.fit;
        let data = c.input.data();
        let p = f.coef.len();
        let mask = |v: Vec<f64>| -> Vec<f64> {
            (0..p * p)
                .map(|k| {
                    if f.aliased[k / p] || f.aliased[k % p] {
                        f64::NAN
                    } else {
                        v[k]
                    }
                })
                .collect()
        };
        let rob = Table::read(&format!("glm_{n}_robust.csv"));
        let types = rob.str("type");
        for (ty, kind) in [
            ("HC0", Some(Robust::Hc0)),
            ("HC1", Some(Robust::Hc1)),
            ("CL", c.input.cluster.as_deref().map(Robust::Cluster)),
        ] {
            let rows: Vec<usize> = (0..rob.nrow).filter(|&r| types[r] == ty).collect();
            let Some(kind) = kind else {
                assert!(
                    rows.is_empty(),
                    "{n}: anchor has {ty} but the case has no cluster"
                );
                continue;
            };
            assert_close(
                &format!("{n} {ty}"),
                &mask(f.robust_var(&data, kind).unwrap()),
                &long(&rob, &rows, p),
            );
        }
        let pr = Table::read(&format!("glm_{n}_predict.csv"));
        let cov = Covariates::new(&c.input.x, c.input.y.len(), &c.input.names).unwrap();
        let ours = f.predict(&cov, c.input.offset.as_deref()).unwrap();
        assert_close(&format!("{n} link"), &ours.link, &pr.num("link"));
        assert_close(&format!("{n} link_se"), &ours.link_se, &pr.num("link_se"));
        assert_close(
            &format!("{n} response"),
            &ours.response,
            &pr.num("response"),
        );
        assert_close(
            &format!("{n} response_se"),
            &ours.response_se,
            &pr.num("response_se"),
        );
        let res = Table::read(&format!("glm_{n}_resid.csv"));
        for (col, kind) in [
            ("deviance", GlmResidual::Deviance),
            ("pearson", GlmResidual::Pearson),
            ("working", GlmResidual::Working),
            ("response", GlmResidual::Response),
        ] {
            common::assert_close_scaled(
                &format!("{n} {col} residuals"),
                &f.residuals(&data, kind).unwrap(),
                &res.num(col),
            );
        }
    }
}

#[test]
fn intercept_only_glm_is_the_weighted_mean() {
    let y = [2.0, 0.0, 5.0, 3.0, 1.0];
    let names: Vec<String> = vec![];
    let d = GlmData::new(&y, Covariates::new(&[], 5, &names).unwrap()).unwrap();
    let f = Glm::params().family(Family::Poisson).fit(&d).unwrap();
    assert_eq!(f.names, vec!["(Intercept)"]);
    assert!(
        (f.coef[0] - (11.0f64 / 5.0).ln()).abs() < 1e-10,
        "{}",
        f.coef[0]
    );
    assert!((f.deviance - f.null_deviance).abs() < 1e-10);
}
