//! GLMs against stats::glm, MASS::glm.nb and sandwich (fixtures from generate_glm.R).
mod common;
use common::{assert_close, Table};
use hrrstats::glm::link_by_name;
use hrrstats::{Covariates, Family, Glm, GlmData, GlmFit};

struct Case {
    name: String,
    family: String,
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
            let x: Vec<f64> = names.iter().flat_map(|c| d.num(c)).collect();
            let y = d.num(&get("response"));
            let col = |c: &str| (!get(c).is_empty()).then(|| d.num(&get(c)));
            let (w, o) = (col("weights"), col("offset"));
            let cov = Covariates::new(&x, y.len(), &names).unwrap();
            let mut gd = GlmData::new(&y, cov).unwrap();
            if let Some(w) = &w {
                gd = gd.with_weights(w).unwrap();
            }
            if let Some(o) = &o {
                gd = gd.with_offset(o).unwrap();
            }
            let fam = get("family");
            let mut params = Glm::params()
                .family(Family::parse(&fam).unwrap())
                .link(link_by_name(&get("link")).unwrap())
                .intercept(get("intercept") == "TRUE")
                .epsilon(get("epsilon").parse().unwrap())
                .max_iter(get("maxit").parse().unwrap());
            if !get("start").is_empty() {
                params = params.start(get("start").split(' ').map(|v| v.parse().unwrap()).collect());
            }
            let fit = params.fit(&gd).unwrap_or_else(|e| panic!("{}: {e}", get("case")));
            Case { name: get("case"), family: fam, fit }
        })
        .collect()
}

#[test]
fn glm_matches_stats_glm() {
    let cases = cases(|f| f != "negbin");
    assert!(cases.len() >= 15);
    for c in &cases {
        let n = &c.name;
        let f = &c.fit;
        let coef = Table::read(&format!("glm_{n}_coef.csv"));
        let fit = Table::read(&format!("glm_{n}_fit.csv"));
        assert_eq!(f.names, coef.str("term").iter().map(|s| s.replace("\"", "")).collect::<Vec<_>>(), "{n} names");
        assert_close(&format!("{n} coef"), &f.coef, &coef.num("coef"));
        assert_close(&format!("{n} se"), &f.se, &coef.num("se"));
        assert_close(&format!("{n} deviance"), &[f.deviance], &fit.num("deviance"));
        assert_close(&format!("{n} null deviance"), &[f.null_deviance], &fit.num("null_deviance"));
        assert_close(&format!("{n} aic"), &[f.aic], &fit.num("aic"));
        assert_close(&format!("{n} loglik"), &[f.loglik], &fit.num("loglik"));
        assert_close(&format!("{n} dispersion"), &[f.dispersion], &fit.num("dispersion"));
        assert_close(&format!("{n} iterations"), &[f.iterations as f64], &fit.num("iterations"));
        assert_close(&format!("{n} df"), &[f.df_residual as f64, f.df_null as f64, f.rank as f64], &[fit.num("df_residual")[0], fit.num("df_null")[0], fit.num("rank")[0]]);
        assert_eq!(f.converged, fit.str("converged")[0] == "TRUE", "{n} converged");
        let v = Table::read(&format!("glm_{n}_var.csv"));
        let p = f.coef.len();
        let ours: Vec<f64> = v.num("i").iter().zip(v.num("j")).map(|(&i, j)| {
            let (i, j) = (i as usize - 1, j as usize - 1);
            if f.aliased[i] || f.aliased[j] { f64::NAN } else { f.var[i * p + j] }
        }).collect();
        assert_close(&format!("{n} var"), &ours, &v.num("value"));
        let _ = &c.family;
    }
}
