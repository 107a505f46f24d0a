//! Exponential families and link functions, as R's `family` objects.
//!
//! Each link gives `g(μ)`, `g⁻¹(η)` and `dμ/dη` with R's numerical guards (e.g. the
//! logit inverse is kept within `[ε, 1-ε]` for `|η| > 30`, the log inverse at least
//! `ε`); each family gives the variance function, deviance residuals, the AIC term,
//! the valid range of `μ` and the starting values of `glm.fit`. Custom links plug in
//! through the [`Link`] trait.

use statrs::distribution::{Continuous, ContinuousCDF, Normal};
use statrs::function::gamma::ln_gamma;

use crate::error::{Error, Result};

const EPS: f64 = f64::EPSILON;

/// A link function `η = g(μ)`.
pub trait Link: Send + Sync + std::fmt::Debug {
    fn name(&self) -> &str;
    /// `g(μ)`.
    fn link(&self, mu: f64) -> f64;
    /// `g⁻¹(η)`.
    fn inverse(&self, eta: f64) -> f64;
    /// `dμ/dη` at `η`.
    fn mu_eta(&self, eta: f64) -> f64;
    /// Whether `η` is in the link's domain.
    fn valid_eta(&self, _eta: f64) -> bool {
        true
    }
    /// `g(μ)` for row `i` (links that differ between rows, e.g. the excess-hazard link
    /// `log(μ - d*_i)`, override the `_at` methods; the others ignore `i`).
    fn link_at(&self, _i: usize, mu: f64) -> f64 {
        self.link(mu)
    }
    /// `g⁻¹(η)` for row `i`.
    fn inverse_at(&self, _i: usize, eta: f64) -> f64 {
        self.inverse(eta)
    }
    /// `dμ/dη` for row `i`.
    fn mu_eta_at(&self, _i: usize, eta: f64) -> f64 {
        self.mu_eta(eta)
    }
}

#[derive(Debug, Clone, Copy)]
pub struct LogLink;
#[derive(Debug, Clone, Copy)]
pub struct LogitLink;
#[derive(Debug, Clone, Copy)]
pub struct ProbitLink;
#[derive(Debug, Clone, Copy)]
pub struct IdentityLink;
#[derive(Debug, Clone, Copy)]
pub struct CloglogLink;

impl Link for LogLink {
    fn name(&self) -> &str {
        "log"
    }
    fn link(&self, mu: f64) -> f64 {
        mu.ln()
    }
    fn inverse(&self, eta: f64) -> f64 {
        eta.exp().max(EPS)
    }
    fn mu_eta(&self, eta: f64) -> f64 {
        eta.exp().max(EPS)
    }
}

impl Link for LogitLink {
    fn name(&self) -> &str {
        "logit"
    }
    fn link(&self, mu: f64) -> f64 {
        (mu / (1.0 - mu)).ln()
    }
    fn inverse(&self, eta: f64) -> f64 {
        let t = if eta < -30.0 {
            EPS
        } else if eta > 30.0 {
            1.0 / EPS
        } else {
            eta.exp()
        };
        t / (1.0 + t)
    }
    fn mu_eta(&self, eta: f64) -> f64 {
        let op = 1.0 + eta.exp();
        if !(-30.0..=30.0).contains(&eta) {
            EPS
        } else {
            eta.exp() / (op * op)
        }
    }
}

impl Link for ProbitLink {
    fn name(&self) -> &str {
        "probit"
    }
    fn link(&self, mu: f64) -> f64 {
        Normal::standard().inverse_cdf(mu)
    }
    fn inverse(&self, eta: f64) -> f64 {
        let thresh = -Normal::standard().inverse_cdf(EPS);
        Normal::standard().cdf(eta.clamp(-thresh, thresh))
    }
    fn mu_eta(&self, eta: f64) -> f64 {
        Normal::standard().pdf(eta).max(EPS)
    }
}

impl Link for IdentityLink {
    fn name(&self) -> &str {
        "identity"
    }
    fn link(&self, mu: f64) -> f64 {
        mu
    }
    fn inverse(&self, eta: f64) -> f64 {
        eta
    }
    fn mu_eta(&self, _eta: f64) -> f64 {
        1.0
    }
}

impl Link for CloglogLink {
    fn name(&self) -> &str {
        "cloglog"
    }
    fn link(&self, mu: f64) -> f64 {
        (-(-mu).ln_1p()).ln()
    }
    fn inverse(&self, eta: f64) -> f64 {
        (-(-eta.exp()).exp_m1()).clamp(EPS, 1.0 - EPS)
    }
    fn mu_eta(&self, eta: f64) -> f64 {
        let e = eta.min(700.0);
        (e.exp() * (-e.exp()).exp()).max(EPS)
    }
}

/// Parse a link name.
pub fn link_by_name(name: &str) -> Result<Box<dyn Link>> {
    Ok(match name {
        "log" => Box::new(LogLink),
        "logit" => Box::new(LogitLink),
        "probit" => Box::new(ProbitLink),
        "identity" => Box::new(IdentityLink),
        "cloglog" => Box::new(CloglogLink),
        other => {
            return Err(crate::options::unknown(
                "link",
                other,
                &["log", "logit", "probit", "identity", "cloglog"],
            ))
        }
    })
}

/// Check a link named `name` against a family: the links of R's family objects
/// (`poisson()`: log, identity; `binomial()`: logit, probit, cloglog, log, and identity
/// for risk differences; `gaussian()`: identity, log; the negative binomial: log,
/// identity) that the library has. Custom links (other names) are not checked. R
/// accepts any `make.link()` name and then fails with "cannot find valid starting
/// values"; the library says what is wrong instead.
pub fn check_link(family: Family, name: &str) -> Result<()> {
    const KNOWN: [&str; 5] = ["log", "logit", "probit", "identity", "cloglog"];
    let ok = family.links();
    if KNOWN.contains(&name) && !ok.contains(&name) {
        let list: Vec<String> = ok.iter().map(|a| format!("\"{a}\"")).collect();
        return Err(Error::InvalidArgument {
            arg: "link",
            reason: format!(
                "\"{name}\" is not available for family \"{}\"; accepted: {}",
                family.name(),
                list.join(", ")
            ),
        });
    }
    Ok(())
}

/// An exponential family (and the negative binomial with known `theta`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Family {
    Poisson,
    /// `y` a proportion in [0, 1] with `weights` the number of trials (or 0/1 with
    /// weight 1).
    Binomial,
    Gaussian,
    /// Negative binomial with shape `theta` (variance `μ + μ²/θ`).
    NegativeBinomial(f64),
}

impl Family {
    pub fn parse(name: &str) -> Result<Self> {
        Self::parse_with_theta(name, None).map(|(f, _)| f)
    }

    /// Parse a family name with the negative binomial's `theta` (given: known; None:
    /// to be estimated by maximum likelihood, signalled by the `true` returned).
    /// `theta` for another family is an error, in every language.
    pub fn parse_with_theta(name: &str, theta: Option<f64>) -> Result<(Self, bool)> {
        let fam = match name {
            "poisson" => Family::Poisson,
            "binomial" => Family::Binomial,
            "gaussian" => Family::Gaussian,
            "negbin" => {
                if let Some(t) = theta {
                    if !(t.is_finite() && t > 0.0) {
                        return Err(Error::InvalidArgument {
                            arg: "theta",
                            reason: format!("must be a positive number, got {t}"),
                        });
                    }
                }
                return Ok((Family::NegativeBinomial(theta.unwrap_or(1.0)), theta.is_none()));
            }
            other => {
                return Err(crate::options::unknown(
                    "family",
                    other,
                    &["poisson", "binomial", "gaussian", "negbin"],
                ))
            }
        };
        if theta.is_some() {
            return Err(Error::InvalidArgument {
                arg: "theta",
                reason: format!("applies only to family \"negbin\", not \"{name}\""),
            });
        }
        Ok((fam, false))
    }

    pub fn name(&self) -> &'static str {
        match self {
            Family::Poisson => "poisson",
            Family::Binomial => "binomial",
            Family::Gaussian => "gaussian",
            Family::NegativeBinomial(_) => "negbin",
        }
    }

    /// The links the family accepts, the canonical one first.
    pub fn links(&self) -> &'static [&'static str] {
        match self {
            Family::Poisson | Family::NegativeBinomial(_) => &["log", "identity"],
            Family::Binomial => &["logit", "probit", "cloglog", "log", "identity"],
            Family::Gaussian => &["identity", "log"],
        }
    }

    /// Warnings R gives for a response the family's likelihood does not define:
    /// binomial's initialize ("non-integer #successes in a binomial glm!" when some
    /// `w y` is more than 0.001 from an integer) and, for Poisson, `dpois`'s
    /// "non-integer x = ..." (the first such count; R repeats it per count).
    pub fn response_warnings(&self, y: &[f64], w: &[f64]) -> Vec<String> {
        match self {
            Family::Binomial => {
                let nonint = y
                    .iter()
                    .zip(w)
                    .any(|(&y, &w)| ((w * y) - (w * y).round()).abs() > 1e-3);
                if nonint {
                    vec!["non-integer #successes in a binomial glm!".to_string()]
                } else {
                    Vec::new()
                }
            }
            Family::Poisson => {
                let bad: Vec<f64> = y.iter().copied().filter(|&y| non_integer(y)).collect();
                match bad.len() {
                    0 => Vec::new(),
                    1 => vec![format!("non-integer x = {:.6}", bad[0])],
                    k => vec![format!(
                        "non-integer x = {:.6} (and {} more non-integer counts)",
                        bad[0],
                        k - 1
                    )],
                }
            }
            _ => Vec::new(),
        }
    }

    /// The canonical (default) link.
    pub fn default_link(&self) -> Box<dyn Link> {
        match self {
            Family::Poisson | Family::NegativeBinomial(_) => Box::new(LogLink),
            Family::Binomial => Box::new(LogitLink),
            Family::Gaussian => Box::new(IdentityLink),
        }
    }

    /// Whether the dispersion is fixed at 1.
    pub fn fixed_dispersion(&self) -> bool {
        !matches!(self, Family::Gaussian)
    }

    pub fn variance(&self, mu: f64) -> f64 {
        match self {
            Family::Poisson => mu,
            Family::Binomial => mu * (1.0 - mu),
            Family::Gaussian => 1.0,
            Family::NegativeBinomial(theta) => mu + mu * mu / theta,
        }
    }

    pub fn valid_mu(&self, mu: f64) -> bool {
        match self {
            Family::Poisson | Family::NegativeBinomial(_) => mu.is_finite() && mu > 0.0,
            Family::Binomial => mu.is_finite() && mu > 0.0 && mu < 1.0,
            Family::Gaussian => true,
        }
    }

    /// Unit deviance times the prior weight.
    pub fn deviance_residual(&self, y: f64, mu: f64, w: f64) -> f64 {
        match self {
            Family::Poisson => {
                if y > 0.0 {
                    2.0 * w * (y * (y / mu).ln() - (y - mu))
                } else {
                    2.0 * mu * w
                }
            }
            Family::Binomial => 2.0 * w * (y_log_y(y, mu) + y_log_y(1.0 - y, 1.0 - mu)),
            Family::Gaussian => w * (y - mu) * (y - mu),
            Family::NegativeBinomial(theta) => {
                2.0 * w
                    * (y * (y.max(1.0) / mu).ln() - (y + theta) * ((y + theta) / (mu + theta)).ln())
            }
        }
    }

    /// `glm.fit`'s starting `μ` (the family's `initialize`).
    pub fn mustart(&self, y: f64, w: f64) -> f64 {
        match self {
            Family::Poisson => y + 0.1,
            Family::Binomial => (w * y + 0.5) / (w + 1.0),
            Family::Gaussian => y,
            Family::NegativeBinomial(_) => y + (y == 0.0) as u8 as f64 / 6.0,
        }
    }

    /// The family's `aic()` (before `+ 2 rank`): `-2 log L` at `μ`, as R computes it.
    pub fn aic(&self, y: &[f64], mu: &[f64], w: &[f64], dev: f64) -> f64 {
        match self {
            Family::Poisson => {
                // dpois() of a non-integer count is 0 (with a warning, see
                // `response_warnings`): the AIC is infinite, as R's.
                -2.0 * y
                    .iter()
                    .zip(mu)
                    .zip(w)
                    .map(|((&y, &m), &w)| {
                        if w == 0.0 {
                            0.0
                        } else if non_integer(y) {
                            f64::NEG_INFINITY
                        } else {
                            w * ln_dpois(y.round(), m)
                        }
                    })
                    .sum::<f64>()
            }
            Family::Binomial => {
                -2.0 * y
                    .iter()
                    .zip(mu)
                    .zip(w)
                    .map(|((&y, &m), &w)| {
                        if w > 0.0 {
                            ln_dbinom((w * y).round(), w.round(), m)
                        } else {
                            0.0
                        }
                    })
                    .sum::<f64>()
            }
            Family::Gaussian => {
                let n = y.len() as f64;
                let slw: f64 = w.iter().filter(|&&w| w > 0.0).map(|w| w.ln()).sum();
                n * ((2.0 * std::f64::consts::PI * dev / n).ln() + 1.0) + 2.0 - slw
            }
            Family::NegativeBinomial(theta) => {
                let t = *theta;
                -2.0 * y
                    .iter()
                    .zip(mu)
                    .zip(w)
                    .map(|((&y, &m), &w)| {
                        w * (ln_gamma(t + y) - ln_gamma(t) - ln_gamma(y + 1.0)
                            + t * t.ln()
                            + y * (m + (y == 0.0) as u8 as f64).ln()
                            - (t + y) * (t + m).ln())
                    })
                    .sum::<f64>()
            }
        }
    }
}

/// R's `R_nonint`: more than `1e-7 max(1, |x|)` from the nearest integer.
pub(super) fn non_integer(x: f64) -> bool {
    (x - x.round()).abs() > 1e-7 * x.abs().max(1.0)
}

fn y_log_y(y: f64, mu: f64) -> f64 {
    if y != 0.0 {
        y * (y / mu).ln()
    } else {
        0.0
    }
}

/// log of the Poisson probability of `y` (R's `dpois(log = TRUE)`).
fn ln_dpois(y: f64, mu: f64) -> f64 {
    if mu == 0.0 {
        return if y == 0.0 { 0.0 } else { f64::NEG_INFINITY };
    }
    y * mu.ln() - mu - ln_gamma(y + 1.0)
}

/// log of the binomial probability (R's `dbinom(log = TRUE)`).
fn ln_dbinom(k: f64, n: f64, p: f64) -> f64 {
    let lchoose = ln_gamma(n + 1.0) - ln_gamma(k + 1.0) - ln_gamma(n - k + 1.0);
    let a = if k > 0.0 { k * p.ln() } else { 0.0 };
    let b = if n - k > 0.0 {
        (n - k) * (-p).ln_1p()
    } else {
        0.0
    };
    lchoose + a + b
}
