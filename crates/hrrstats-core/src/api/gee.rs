//! Generalised estimating equations through the protocol (`gee`, as `geepack::geeglm`).
//!
//! Arguments: `y`, `covariates` (record of numeric columns and factors, or R's model
//! matrix with `covariate_names`), `cluster` (a grouping: the cluster of each row; rows
//! need not be contiguous), `family` ("gaussian", "binomial", "poisson"), `link`,
//! `corstr` ("independence", "exchangeable", "ar1", "unstructured"), `waves`, `offset`,
//! `weights`, `intercept`, `scale_fix`/`scale_value`, `epsilon`, `max_iter`,
//! `conf_level`. The coefficient table has the robust se (geeglm's `Std.err`) and the
//! model-based `naive_se` beside it, Wald z (geeglm's `Wald` is z²; same p-values).

use super::glm::{covariate_terms, covariates_of, predict_table, term_len};
use super::{no_such, Fitted, Output};
use crate::design::DesignMatrix;
use crate::error::{Error, Result};
use crate::glm::gee::{CorStr, GeeFit, GeeParams};
use crate::glm::{link_by_name, Family, Glm, GlmData};
use crate::inference::{CoefTable, WaldDist};
use crate::options::OptionEnum;
use crate::protocol::{Args, Matrix, Record, Table, Value};

struct GeeModel {
    fit: GeeFit,
    xnames: Vec<String>,
}

impl GeeModel {
    fn table(&self, conf_level: f64) -> Result<Table> {
        CoefTable {
            names: &self.fit.names,
            coef: &self.fit.coef,
            se: &self.fit.se,
            naive_se: Some(&self.fit.naive_se),
            dist: WaldDist::Normal,
            exp: matches!(self.fit.link.name(), "log" | "logit"),
            conf_level,
        }
        .table()
    }

    /// `predict`: `covariates` (new data or the fitted rows' again), `offset`, `type`
    /// ("link" or "response"); fit and se (robust variance).
    fn predict(&self, args: &Args) -> Result<Table> {
        predict_table(args, &self.xnames, self.fit.fitted.len(), |x, offset| self.fit.predict(x, offset))
    }
}

impl Fitted for GeeModel {
    fn call(&self, method: &str, args: &Args) -> Result<Value> {
        match method {
            "predict" => self.predict(args).map(Value::Table),
            "coef_table" => {
                let conf_level = args.num_or("conf_level", 0.95)?;
                crate::data::check_conf_level(conf_level)?;
                self.table(conf_level).map(Value::Table)
            }
            other => Err(no_such("a GEE fit", other)),
        }
    }
}

/// `gee`: see the module documentation.
pub fn gee(args: &Args) -> Result<Output> {
    let family_name = args.str_or("family", "gaussian")?;
    if family_name == "negbin" {
        return Err(Error::InvalidArgument {
            arg: "family",
            reason: "\"negbin\" is not available for gee (geeglm's families: \"gaussian\", \"binomial\", \"poisson\")".into(),
        });
    }
    let family = Family::parse(family_name)?;
    let mut glm = Glm::params()
        .family(family)
        .intercept(args.flag_or("intercept", true)?);
    if args.get("link").is_some() {
        glm = glm.link(link_by_name(args.str("link")?)?);
    }
    let corstr = match args.get("corstr") {
        None => CorStr::Independence,
        Some(_) => args.option::<CorStr>("corstr")?,
    };
    let scale_fix = if args.flag_or("scale_fix", false)? {
        Some(args.num_or("scale_value", 1.0)?)
    } else {
        None
    };
    let params = GeeParams {
        corstr,
        epsilon: args.num_or("epsilon", 1e-10)?,
        max_iter: args.count_or("max_iter", 100, 1)?,
        scale_fix,
    };
    let conf_level = args.num_or("conf_level", 0.95)?;
    crate::data::check_conf_level(conf_level)?;

    let y = args.nums("y")?;
    let (cluster, _) = args.codes("cluster")?;
    let terms = covariate_terms(args, "covariates")?;
    let n = terms.first().map_or(y.len(), term_len);
    let design = DesignMatrix::build(&terms, n, true)?;
    let x = covariates_of(&design, n)?;
    let mut data = GlmData::new(y, x)?;
    if let Some(w) = args.opt_nums("weights")? {
        data = data.with_weights(w)?;
    }
    if let Some(o) = args.opt_nums("offset")? {
        data = data.with_offset(o)?;
    }
    let fit = params.fit(&glm, &data, cluster, args.opt_nums("waves")?)?;
    let model = GeeModel {
        xnames: design.names.clone(),
        fit,
    };
    let table = model.table(conf_level)?;
    let mut levels = Record::new();
    for (name, l) in &design.factor_levels {
        levels.push(name, l.clone());
    }
    let f = &model.fit;
    let rec = Record::new()
        .with("names", f.names.clone())
        .with("coef", &f.coef)
        .with("se", &f.se)
        .with("naive_se", &f.naive_se)
        .with("var", Matrix::square(&f.var, &f.names))
        .with("naive_var", Matrix::square(&f.naive_var, &f.names))
        .with("alpha", &f.alpha)
        .with("alpha_names", f.alpha_names.clone())
        .with("scale", f.scale)
        .with("n_clusters", f.n_clusters)
        .with("max_cluster_size", f.max_cluster_size)
        .with("iterations", f.iterations)
        .with("converged", f.converged)
        .with("fitted", &f.fitted)
        .with("linear_predictors", &f.linear_predictors)
        .with("warnings", f.warnings.clone())
        .with("family", f.family.name())
        .with("link", f.link.name())
        .with("corstr", f.corstr.name())
        .with("intercept", f.intercept)
        .with("nobs", f.fitted.len())
        .with("table", table)
        .with("factor_levels", levels)
        .with("conf_level", conf_level);
    Ok(Output::fit(rec, model))
}
