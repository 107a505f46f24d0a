//! Sandwich variances of a GLM, as the sandwich package computes them (Zeileis 2006):
//! `vcovHC` HC0/HC1 and `vcovCL` (HC1 with the cluster adjustment).

use super::GlmFit;
use crate::data::check_len;
use crate::error::{Error, Result};
use super::GlmData;

/// Kind of sandwich variance, as the sandwich package computes them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Robust<'a> {
    /// `vcovHC(type = "HC0")`: `B (Σ r_i² x_i x_i') B`, `B = (X'WX)⁻¹`, `r` the working
    /// residual times the working weight.
    Hc0,
    /// `vcovHC(type = "HC1")`: HC0 times `n / (n - k)`.
    Hc1,
    /// `vcovCL(cluster, type = "HC1", cadjust = TRUE)`: `G/(G-1) (n-1)/(n-k)
    /// B (Σ_g U_g U_g') B` with `U_g` the cluster sums of `r_i x_i` (codes per row).
    Cluster(&'a [u32]),
}

impl GlmFit {
    /// Sandwich variance (row-major p x p; zero rows/columns for aliased terms).
    /// `data` must be the data the model was fitted to.
    pub fn robust_var(&self, data: &GlmData, kind: Robust) -> Result<Vec<f64>> {
        let design = self.design(data)?;
        let (n, p) = (self.fitted.len(), self.coef.len());
        let r: Vec<f64> = (0..n)
            .map(|i| self.working_residuals[i] * self.working_weights[i])
            .collect();
        let mut meat = vec![0.0; p * p];
        let mut groups = 0usize;
        match kind {
            Robust::Hc0 | Robust::Hc1 => {
                for i in 0..n {
                    for a in 0..p {
                        let ua = r[i] * design.get(i, a);
                        for b in 0..p {
                            meat[a * p + b] += ua * r[i] * design.get(i, b);
                        }
                    }
                }
            }
            Robust::Cluster(cl) => {
                check_len("cluster", cl.len(), "y", n)?;
                let mut labels: Vec<u32> = cl.to_vec();
                labels.sort_unstable();
                labels.dedup();
                groups = labels.len();
                if groups < 2 {
                    return Err(Error::Data {
                        arg: "cluster",
                        reason: "a cluster-robust variance needs at least 2 clusters; all rows are in one"
                            .into(),
                    });
                }
                let mut u = vec![0.0; groups * p];
                for i in 0..n {
                    let g = labels.binary_search(&cl[i]).unwrap();
                    for a in 0..p {
                        u[g * p + a] += r[i] * design.get(i, a);
                    }
                }
                for g in 0..groups {
                    for a in 0..p {
                        for b in 0..p {
                            meat[a * p + b] += u[g * p + a] * u[g * p + b];
                        }
                    }
                }
            }
        }
        Ok(self.sandwich(&meat, n, kind, groups))
    }

    /// `B meat B` with `B = (X'WX)⁻¹` and the small-sample factor of `kind` (`n` rows,
    /// `groups` clusters).
    pub(super) fn sandwich(&self, meat: &[f64], n: usize, kind: Robust, groups: usize) -> Vec<f64> {
        let p = self.coef.len();
        let bm = self.cov_unscaled.as_slice();
        let mut out = vec![0.0; p * p];
        for a in 0..p {
            for b in 0..p {
                let mut v = 0.0;
                for c in 0..p {
                    for d in 0..p {
                        v += bm[a * p + c] * meat[c * p + d] * bm[d * p + b];
                    }
                }
                out[a * p + b] = v;
            }
        }
        let (nf, k) = (n as f64, self.rank as f64);
        let adj = match kind {
            Robust::Hc0 => 1.0,
            Robust::Hc1 => nf / (nf - k),
            Robust::Cluster(_) => {
                let g = groups as f64;
                g / (g - 1.0) * (nf - 1.0) / (nf - k)
            }
        };
        out.iter_mut().for_each(|v| *v *= adj);
        out
    }

}

/// The sandwich variance asked for by name (`robust = "HC0" | "HC1"`; `TRUE` is HC1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SandwichType {
    #[default]
    Hc1,
    Hc0,
}

crate::option_enum!(SandwichType, "robust", "HC1" => SandwichType::Hc1, "HC0" => SandwichType::Hc0);
