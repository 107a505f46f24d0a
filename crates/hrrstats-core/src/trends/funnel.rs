//! Funnel plots for comparing institutional performance (Spiegelhalter 2005, *Statistics
//! in Medicine* 24:1185–1202; "Handling over-dispersion of performance indicators",
//! *Qual Saf Health Care* 14:347–351), as FunnelPlotR does.
//!
//! Unit `i` has observed count `O_i` and denominator `ρ_i`: the number of cases (kind
//! "proportion", indicator `y = O/ρ`), the expected count from a risk-adjustment model
//! (kind "ratio", indicator the standardised ratio `O/E`, target 1) or person-time (kind
//! "rate"). Under the target `θ0` (default: the pooled `ΣO/Σρ` for proportions and rates,
//! 1 for ratios) the indicator has variance `V_i = g(θ0)/ρ_i`, `g(θ) = θ(1-θ)`
//! (proportion) or `θ` (ratio, rate); the z-score is `z_i = (y_i - θ0)/sqrt(V_i)`.
//!
//! Control limits at level `L` (two-sided; `p = (1-L)/2` and `1-p`):
//! - without overdispersion, exact limits with Spiegelhalter's interpolation (2005,
//!   Appendix A.1.1): `r_p` the `p`-quantile of `Binomial(ρ, θ0)` (proportions; `ρ` a
//!   whole number) or `Poisson(θ0 ρ)` (ratios, rates), `α = (F(r_p) - p)/(F(r_p) -
//!   F(r_p - 1))`, limit `(r_p - α)/ρ`;
//! - multiplicative overdispersion: `φ = (1/I) Σ z_w^2`, `z_w` the z-scores Winsorised at
//!   their `q` and `1-q` quantiles (R's type 7; `q = 0.1` by default), limits `θ0 ± z_L
//!   sqrt(φ V_i)` and z-scores `z_i/sqrt(φ)`, applied when `φ > 1`;
//! - additive (random effects): `τ² = max(0, (I φ - (I - 1)) / (Σw - Σw²/Σw))`, `w_i =
//!   1/V_i` (DerSimonian–Laird on the Winsorised z-scores), limits `θ0 ± z_L sqrt(V_i +
//!   τ²)`, z-scores `(y_i - θ0)/sqrt(V_i + τ²)`, applied when `τ² > 0`; empirical-Bayes
//!   estimates `θ0 + τ²/(τ² + V_i) (y_i - θ0)` with variance `τ² V_i/(τ² + V_i)`.
//!
//! Where no overdispersion is found (`φ <= 1`, `τ² = 0`) the exact limits are kept and
//! a warning says so. Limits are clipped to `[0, 1]` for proportions and at 0 for ratios
//! and rates (the interpolation gives `-α/ρ < 0` where the quantile is 0; the normal
//! limits go below 0 for small denominators). A unit is flagged at the widest level whose
//! limits its indicator lies outside ("high 99.8%", "low 95%", "").
//!
//! No R package in Debian computes these (FunnelPlotR is on CRAN only);
//! `tests/reference/generate_funnel.R` does the closed forms by hand in plain R.

use crate::data::check_nonneg_finite;
use crate::dist::{pbinom, ppois, qnorm};
use crate::error::{Error, Result};
use crate::option_enum;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FunnelKind {
    #[default]
    Proportion,
    Ratio,
    Rate,
}
option_enum!(FunnelKind, "kind", "proportion" => FunnelKind::Proportion,
    "ratio" => FunnelKind::Ratio, "rate" => FunnelKind::Rate);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Overdispersion {
    #[default]
    None,
    Multiplicative,
    Additive,
}
option_enum!(Overdispersion, "overdispersion", "none" => Overdispersion::None,
    "multiplicative" => Overdispersion::Multiplicative, "additive" => Overdispersion::Additive);

/// Options of [`funnel`].
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelParams {
    pub kind: FunnelKind,
    pub limits: Vec<f64>,
    pub overdispersion: Overdispersion,
    pub target: Option<f64>,
    /// Winsorising fraction on each side.
    pub winsorize: f64,
    /// Level of the empirical-Bayes intervals.
    pub conf_level: f64,
}

impl Default for FunnelParams {
    fn default() -> Self {
        FunnelParams {
            kind: FunnelKind::Proportion,
            limits: vec![0.95, 0.998],
            overdispersion: Overdispersion::None,
            target: None,
            winsorize: 0.1,
            conf_level: 0.95,
        }
    }
}

/// Largest whole denominator for exact binomial limits.
const MAX_BINOMIAL: f64 = 1e9;

/// A funnel plot's numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Funnel {
    pub indicator: Vec<f64>,
    /// z-scores under the model used for the limits (adjusted for overdispersion).
    pub z: Vec<f64>,
    /// z-scores without overdispersion.
    pub z_unadjusted: Vec<f64>,
    /// Per level: lower and upper limit of each unit.
    pub lower: Vec<Vec<f64>>,
    pub upper: Vec<Vec<f64>>,
    pub flag: Vec<String>,
    pub target: f64,
    /// Winsorised φ (always computed).
    pub phi: f64,
    /// DerSimonian–Laird τ² (always computed).
    pub tau2: f64,
    /// Whether the limits are adjusted for overdispersion.
    pub adjusted: bool,
    /// Empirical-Bayes estimates and limits (additive model only).
    pub shrunk: Option<(Vec<f64>, Vec<f64>, Vec<f64>)>,
    /// The limits on a grid of denominators (for drawing the funnel).
    pub curve_denominator: Vec<f64>,
    pub curve_lower: Vec<Vec<f64>>,
    pub curve_upper: Vec<Vec<f64>>,
    pub warnings: Vec<String>,
}

/// A level as a percentage label: 0.95 -> "95", 0.998 -> "99.8".
pub fn level_label(level: f64) -> String {
    let pct = (level * 100.0 * 1e6).round() / 1e6;
    format!("{pct}")
}

/// Smallest whole `r` with `cdf(r) >= p`, for a CDF on `0..=hi` (bisection).
fn quantile(p: f64, hi: f64, cdf: impl Fn(f64) -> f64) -> f64 {
    let (mut lo, mut hi) = (0.0f64, hi.max(1.0));
    if cdf(0.0) >= p {
        return 0.0;
    }
    // cdf(lo) < p <= cdf(hi)
    while cdf(hi) < p {
        hi *= 2.0;
        if !hi.is_finite() {
            return f64::INFINITY;
        }
    }
    while hi - lo > 1.0 {
        let mid = (lo + (hi - lo) / 2.0).floor();
        if mid <= lo || mid >= hi {
            break; // beyond whole-number resolution (astronomical denominators)
        }
        if cdf(mid) >= p {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

/// `P(R <= r)` under the target: binomial(rho, target) for proportions, Poisson(target
/// rho) otherwise.
fn null_cdf(kind: FunnelKind, target: f64, rho: f64, r: f64) -> f64 {
    match kind {
        FunnelKind::Proportion => pbinom(r, rho, target),
        _ => ppois(r, target * rho),
    }
}

/// Spiegelhalter's interpolated exact limit at probability `p` for denominator `rho`.
fn exact_limit(kind: FunnelKind, target: f64, rho: f64, p: f64) -> f64 {
    let cdf = |r: f64| null_cdf(kind, target, rho, r);
    let hi = match kind {
        FunnelKind::Proportion => rho,
        _ => target * rho + 10.0 * (target * rho).sqrt() + 10.0,
    };
    let r = quantile(p, hi, cdf);
    let (f, f1) = (cdf(r), cdf(r - 1.0));
    let alpha = if f > f1 { (f - p) / (f - f1) } else { 0.0 };
    (r - alpha) / rho
}

fn variance_fn(kind: FunnelKind, target: f64) -> f64 {
    match kind {
        FunnelKind::Proportion => target * (1.0 - target),
        _ => target,
    }
}

/// R's type-7 quantile of sorted `x` at `p`.
fn quantile7(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Funnel-plot limits, z-scores, flags and overdispersion for `observed` and
/// `denominator` (one unit per row).
pub fn funnel(observed: &[f64], denominator: &[f64], params: &FunnelParams) -> Result<Funnel> {
    let n = observed.len();
    crate::data::check_len("denominator", denominator.len(), "observed", n)?;
    if n == 0 {
        return Err(Error::Empty { arg: "observed" });
    }
    check_nonneg_finite("observed", observed)?;
    check_nonneg_finite("denominator", denominator)?;
    let kind = params.kind;
    for i in 0..n {
        let (o, d) = (observed[i], denominator[i]);
        if d == 0.0 {
            return Err(Error::InvalidValue {
                arg: "denominator",
                row: i,
                value: d,
                problem: "zero denominator",
            });
        }
        if kind == FunnelKind::Proportion {
            if o > d {
                return Err(Error::InvalidValue {
                    arg: "observed",
                    row: i,
                    value: o,
                    problem: "more observed than the denominator (a proportion above 1)",
                });
            }
            if d != d.floor() || d > MAX_BINOMIAL {
                return Err(Error::InvalidValue {
                    arg: "denominator",
                    row: i,
                    value: d,
                    problem: "must be a whole number of cases (at most 1e9) for a proportion",
                });
            }
        }
    }
    if params.limits.is_empty() {
        return Err(Error::InvalidArgument {
            arg: "limits",
            reason: "give at least one level (e.g. 0.95, 0.998)".into(),
        });
    }
    for &l in &params.limits {
        if !(l > 0.0 && l < 1.0) {
            return Err(Error::InvalidArgument {
                arg: "limits",
                reason: format!("levels must be strictly between 0 and 1, got {l}"),
            });
        }
    }
    crate::data::check_conf_level(params.conf_level)?;
    if !(params.winsorize >= 0.0 && params.winsorize < 0.5) {
        return Err(Error::InvalidArgument {
            arg: "winsorize",
            reason: format!("must be in [0, 0.5), got {}", params.winsorize),
        });
    }
    let target = match params.target {
        Some(t) => t,
        None => match kind {
            FunnelKind::Ratio => 1.0,
            _ => observed.iter().sum::<f64>() / denominator.iter().sum::<f64>(),
        },
    };
    let ok = match kind {
        FunnelKind::Proportion => target > 0.0 && target < 1.0,
        _ => target > 0.0 && target.is_finite(),
    };
    if !ok {
        return Err(Error::InvalidArgument {
            arg: "target",
            reason: match kind {
                FunnelKind::Proportion => format!("the target proportion must be strictly between 0 and 1, got {target} (no events, or all events?)"),
                _ => format!("the target must be a finite positive number, got {target} (no events?)"),
            },
        });
    }
    let g = variance_fn(kind, target);
    let v: Vec<f64> = denominator.iter().map(|&d| g / d).collect();
    let indicator: Vec<f64> = observed.iter().zip(denominator).map(|(o, d)| o / d).collect();
    let z0: Vec<f64> = indicator.iter().zip(&v).map(|(y, v)| (y - target) / v.sqrt()).collect();
    // Winsorised phi and DL tau^2.
    let mut sorted = z0.clone();
    sorted.sort_by(f64::total_cmp);
    let (zlo, zhi) = (quantile7(&sorted, params.winsorize), quantile7(&sorted, 1.0 - params.winsorize));
    let nf = n as f64;
    let phi = z0.iter().map(|z| z.clamp(zlo, zhi).powi(2)).sum::<f64>() / nf;
    let sw: f64 = v.iter().map(|v| 1.0 / v).sum();
    let sw2: f64 = v.iter().map(|v| 1.0 / (v * v)).sum();
    let denom = sw - sw2 / sw;
    let tau2 = if n >= 2 && denom > 0.0 {
        ((nf * phi - (nf - 1.0)) / denom).max(0.0)
    } else {
        0.0
    };
    let mut warnings = Vec::new();
    let adjusted = match params.overdispersion {
        Overdispersion::None => false,
        Overdispersion::Multiplicative => {
            if phi > 1.0 {
                true
            } else {
                warnings.push(format!("no overdispersion (phi = {phi:.4} <= 1): exact limits kept"));
                false
            }
        }
        Overdispersion::Additive => {
            if n < 2 {
                return Err(Error::Data {
                    arg: "overdispersion",
                    reason: "the additive model needs at least 2 units".into(),
                });
            }
            if tau2 > 0.0 {
                true
            } else {
                warnings.push("no overdispersion (tau^2 = 0): exact limits kept".to_string());
                false
            }
        }
    };
    let extra = |vi: f64| match params.overdispersion {
        Overdispersion::Multiplicative => phi * vi,
        _ => vi + tau2,
    };
    let z: Vec<f64> = if adjusted {
        indicator.iter().zip(&v).map(|(y, &vi)| (y - target) / extra(vi).sqrt()).collect()
    } else {
        z0.clone()
    };
    let clip = |x: f64| match kind {
        FunnelKind::Proportion => x.clamp(0.0, 1.0),
        _ => x.max(0.0),
    };
    let limits_at = |rho: f64, level: f64| -> (f64, f64) {
        let p = (1.0 - level) / 2.0;
        if adjusted {
            let s = extra(g / rho).sqrt();
            let zq = qnorm(1.0 - p);
            (clip(target - zq * s), clip(target + zq * s))
        } else {
            (
                clip(exact_limit(kind, target, rho, p)),
                clip(exact_limit(kind, target, rho, 1.0 - p)),
            )
        }
    };
    let nl = params.limits.len();
    let mut lower = vec![Vec::with_capacity(n); nl];
    let mut upper = vec![Vec::with_capacity(n); nl];
    for (k, &level) in params.limits.iter().enumerate() {
        for &d in denominator {
            let (lo, hi) = limits_at(d, level);
            lower[k].push(lo);
            upper[k].push(hi);
        }
    }
    // Flags at the widest level exceeded.
    let mut by_width: Vec<usize> = (0..nl).collect();
    by_width.sort_by(|&a, &b| params.limits[b].total_cmp(&params.limits[a]));
    let flag: Vec<String> = (0..n)
        .map(|i| {
            for &k in &by_width {
                let lab = level_label(params.limits[k]);
                if indicator[i] > upper[k][i] {
                    return format!("high {lab}%");
                }
                if indicator[i] < lower[k][i] {
                    return format!("low {lab}%");
                }
            }
            String::new()
        })
        .collect();
    let shrunk = (params.overdispersion == Overdispersion::Additive).then(|| {
        let zc = qnorm(1.0 - (1.0 - params.conf_level) / 2.0);
        let mut est = Vec::with_capacity(n);
        let mut lo = Vec::with_capacity(n);
        let mut hi = Vec::with_capacity(n);
        for i in 0..n {
            let b = tau2 / (tau2 + v[i]);
            let e = target + b * (indicator[i] - target);
            let s = (tau2 * v[i] / (tau2 + v[i])).sqrt();
            est.push(e);
            lo.push(clip(e - zc * s));
            hi.push(clip(e + zc * s));
        }
        (est, lo, hi)
    });
    // The funnel on a geometric grid of denominators.
    let dmin = denominator.iter().cloned().fold(f64::INFINITY, f64::min);
    let dmax = denominator.iter().cloned().fold(0.0, f64::max);
    let (a, b) = ((dmin * 0.5).max(f64::MIN_POSITIVE), dmax * 1.1);
    let mut grid: Vec<f64> = (0..200)
        .map(|j| a * (b / a).powf(j as f64 / 199.0))
        .map(|x| if kind == FunnelKind::Proportion { x.ceil().min(MAX_BINOMIAL) } else { x })
        .filter(|x| x.is_finite() && *x > 0.0)
        .collect();
    grid.dedup();
    let mut curve_lower = vec![Vec::with_capacity(grid.len()); nl];
    let mut curve_upper = vec![Vec::with_capacity(grid.len()); nl];
    for (k, &level) in params.limits.iter().enumerate() {
        for &d in &grid {
            let (lo, hi) = limits_at(d, level);
            curve_lower[k].push(lo);
            curve_upper[k].push(hi);
        }
    }
    Ok(Funnel {
        indicator,
        z,
        z_unadjusted: z0,
        lower,
        upper,
        flag,
        target,
        phi,
        tau2,
        adjusted,
        shrunk,
        curve_denominator: grid,
        curve_lower,
        curve_upper,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_is_the_smallest_with_cdf_at_least_p() {
        let cdf = |r: f64| pbinom(r, 20.0, 0.3);
        for p in [0.001, 0.025, 0.5, 0.975, 0.999] {
            let r = quantile(p, 20.0, cdf);
            assert!(cdf(r) >= p && (r == 0.0 || cdf(r - 1.0) < p), "p {p} r {r}");
        }
    }

    #[test]
    fn labels() {
        assert_eq!(level_label(0.95), "95");
        assert_eq!(level_label(0.998), "99.8");
    }
}
