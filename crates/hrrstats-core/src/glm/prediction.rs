//! Predictions (`predict.glm(se.fit = TRUE)`), Wald tests and residuals
//! (`residuals.glm`) of a fitted GLM.

use super::{GlmData, GlmFit, Link};
use crate::data::{check_offset, Covariates};
use crate::error::{Error, Result};
use crate::inference::{CoefTable, WaldDist};
use crate::protocol::Table;

/// Predictions with standard errors on the link and response scales.
#[derive(Debug, Clone, Default)]
pub struct GlmPrediction {
    pub link: Vec<f64>,
    pub link_se: Vec<f64>,
    pub response: Vec<f64>,
    pub response_se: Vec<f64>,
}

/// Residual types of `residuals.glm`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GlmResidual {
    #[default]
    Deviance,
    Pearson,
    Working,
    Response,
}

crate::option_enum!(GlmResidual, "type", "deviance" => GlmResidual::Deviance, "pearson" => GlmResidual::Pearson, "working" => GlmResidual::Working, "response" => GlmResidual::Response);

impl GlmResidual {
    pub fn parse(s: &str) -> Result<Self> {
        <Self as crate::options::OptionEnum>::parse(s)
    }
}

impl GlmFit {
    /// with standard errors from `var` (`predict.glm(se.fit = TRUE)`).
    pub fn predict(&self, x: &Covariates, offset: Option<&[f64]>) -> Result<GlmPrediction> {
        predict_rows(&self.coef, &self.var, &self.aliased, self.intercept, &*self.link, x, offset)
    }

    /// The reference distribution of the Wald statistics: z, or t on the residual
    /// degrees of freedom when the dispersion is estimated (as `summary.glm`).
    pub fn wald_dist(&self) -> WaldDist {
        if !self.family.fixed_dispersion() && self.df_residual > 0 {
            WaldDist::T(self.df_residual as f64)
        } else {
            WaldDist::Normal
        }
    }

    /// The coefficient table ([`CoefTable`]) with standard errors `se` (the model's or a
    /// sandwich's; `naive_se` the model's beside a sandwich's): Wald statistics (z or
    /// t, [`GlmFit::wald_dist`]), p-values, limits of coef, and `exp` columns for log
    /// and logit links.
    pub fn coef_table(&self, se: &[f64], naive_se: Option<&[f64]>, conf_level: f64) -> Result<Table> {
        CoefTable {
            names: &self.names,
            coef: &self.coef,
            se,
            naive_se,
            dist: self.wald_dist(),
            exp: matches!(self.link.name(), "log" | "logit"),
            conf_level,
        }
        .table()
    }

    /// Residuals of the fitted data (`y` and prior weights as in the fit).
    pub fn residuals(&self, data: &GlmData, kind: GlmResidual) -> Result<Vec<f64>> {
        self.design(data)?;
        self.residuals_of(data.y, data.weights, kind)
    }

    /// Residuals from the response `y` and prior `weights` of the fitted rows (the
    /// covariates are not needed).
    pub fn residuals_of(&self, y: &[f64], weights: Option<&[f64]>, kind: GlmResidual) -> Result<Vec<f64>> {
        let mu = &self.fitted;
        crate::data::check_len("y", y.len(), "fitted", mu.len())?;
        let w = |i: usize| weights.map_or(1.0, |w| w[i]);
        Ok((0..y.len())
            .map(|i| match kind {
                GlmResidual::Response => y[i] - mu[i],
                GlmResidual::Working => self.working_residuals[i],
                GlmResidual::Pearson => {
                    (y[i] - mu[i]) * w(i).sqrt() / self.family.variance(mu[i]).sqrt()
                }
                GlmResidual::Deviance => {
                    let d = self
                        .family
                        .deviance_residual(y[i], mu[i], w(i))
                        .max(0.0)
                        .sqrt();
                    if y[i] > mu[i] {
                        d
                    } else {
                        -d
                    }
                }
            })
            .collect())
    }
}

/// The scale of `predict.glm`: the linear predictor or the mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GlmScale {
    #[default]
    Link,
    Response,
}

crate::option_enum!(GlmScale, "type", "link" => GlmScale::Link, "response" => GlmScale::Response);

/// Linear predictor and mean, with standard errors from the coefficients' variance `var`
/// (p x p, row-major), for the rows of `x` (covariates without the intercept) and
/// `offset` (`predict.glm(se.fit = TRUE)`): shared by GLM and GEE fits. Aliased
/// coefficients (`aliased`, empty for none) are left out of the linear predictor.
pub(crate) fn predict_rows(
    coef: &[f64],
    var: &[f64],
    aliased: &[bool],
    intercept: bool,
    link: &dyn Link,
    x: &Covariates,
    offset: Option<&[f64]>,
) -> Result<GlmPrediction> {
    let p = coef.len();
    if x.p() + intercept as usize != p {
        return Err(Error::InvalidArgument {
            arg: "covariates",
            reason: format!("has {} columns; the model has {}", x.p(), p - intercept as usize),
        });
    }
    if let Some(o) = offset {
        check_offset(o, x.n(), "covariates")?;
    }
    let j0 = intercept as usize;
    let mut xr = vec![1.0; p];
    let mut out = GlmPrediction::default();
    for i in 0..x.n() {
        for j in 0..x.p() {
            xr[j0 + j] = x.column(j)[i];
        }
        let eta: f64 = (0..p)
            .filter(|&j| !aliased.get(j).copied().unwrap_or(false))
            .map(|j| xr[j] * coef[j])
            .sum::<f64>()
            + offset.map_or(0.0, |o| o[i]);
        let mut v = 0.0;
        for a in 0..p {
            for b in 0..p {
                v += xr[a] * var[a * p + b] * xr[b];
            }
        }
        let se = v.max(0.0).sqrt();
        out.link.push(eta);
        out.link_se.push(se);
        out.response.push(link.inverse(eta));
        out.response_se.push(se * link.mu_eta(eta).abs());
    }
    Ok(out)
}
