//! One Newton–Raphson driver for the likelihood maximisations written by hand (Cox,
//! Fine–Gray, the excess-hazard models), with each anchor's rules plugged in.
//!
//! From an accepted point `b` with its evaluation (log-likelihood, score and
//! information), the driver takes the Newton direction the rule gives, evaluates trial
//! points `b + step` and lets the rule judge each: accept it (the next point), reject
//! it (the rule shrinks the step and the driver tries again), or take it as the
//! converged estimate. The rule also says when to stop at a point (before its step)
//! and after a step, so the three anchors' schemes are the same loop:
//!
//! - Cox (`survival`'s coxfit6/agfit4, [`crate::survival::cox`]): every trial is an
//!   iteration; converged when `|1 - l_old / l_trial| <= eps` at a trial; a worse or
//!   non-finite trial is pulled back towards the last point (step halving);
//! - Fine–Gray (`cmprsk::crr`, [`crate::competing`]): crr's gradient test at each
//!   accepted point, then a Newton step with Armijo backtracking;
//! - excess hazard (`relsurv::rsadd`, [`crate::relsurv::excess`]): Newton with step
//!   halving until the relative step is below 1e-13.

use crate::error::Result;

/// What the driver needs of an evaluation.
pub(crate) trait Point {
    fn score(&self) -> &[f64];
    /// Whether it holds the score and information (not only the log-likelihood).
    fn full(&self) -> bool;
}

/// Counters the rules decide on.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Counts {
    /// Accepted steps.
    pub steps: usize,
    /// Trial points evaluated.
    pub evaluations: usize,
    /// Rejected trials since the last accepted step.
    pub halvings: usize,
    /// Rejected trials in all.
    pub total_halvings: usize,
}

/// How a trial point is judged.
pub(crate) enum Verdict {
    /// The next point.
    Accept,
    /// Shrink the step and try again.
    Reject,
    /// The trial is the estimate.
    Converged,
}

/// Why the iterations stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    Converged,
    MaxIterations,
    /// No step along the Newton direction is acceptable.
    StepFailed,
    /// The information became singular at a later point (a coefficient running off).
    Singular,
}

/// An anchor's rules.
pub(crate) trait Rule<E: Point> {
    /// Whether trial points are evaluated with the score and information (else only
    /// the log-likelihood, and the accepted point again in full).
    fn full_trials(&self) -> bool;
    /// A test at an accepted point, before its Newton step.
    fn at_point(&mut self, _b: &[f64], _at: &E, _n: &Counts) -> Option<Stop> {
        None
    }
    /// The Newton direction from `at`; `Ok(None)`: stop as [`Stop::Singular`].
    fn direction(&mut self, at: &E, n: &Counts) -> Result<Option<Vec<f64>>>;
    /// Judge a trial point against the point it steps from; `slope` is the full step
    /// times the score there.
    fn judge(&mut self, at: &E, trial: &E, slope: f64, n: &Counts) -> Verdict;
    /// Shrink after a rejection (`n.halvings` already counts it): `trial` is the point
    /// tried, `step` the step that gave it; both are updated.
    fn shrink(&self, trial: &mut [f64], b: &[f64], step: &mut [f64], n: &Counts);
    /// A test after a rejection (and its shrinking).
    fn after_reject(&mut self, _b: &[f64], _step: &[f64], _n: &Counts) -> Option<Stop> {
        None
    }
    /// A test after an accepted step (`b` the new point, `step` the step taken).
    fn after_accept(&mut self, _b: &[f64], _step: &[f64], _n: &Counts) -> Option<Stop> {
        None
    }
}

/// Where the driver stopped: the estimate, its evaluation (in full unless the rule
/// took a likelihood-only trial as converged), why, and the counters.
pub(crate) struct Outcome<E> {
    pub b: Vec<f64>,
    pub at: E,
    pub stop: Stop,
    pub counts: Counts,
}

/// Maximise from `b` (evaluated in full as `at`) with `eval(b, full)`.
pub(crate) fn maximise<E: Point, R: Rule<E>>(
    mut eval: impl FnMut(&[f64], bool) -> Result<E>,
    rule: &mut R,
    mut b: Vec<f64>,
    mut at: E,
) -> Result<Outcome<E>> {
    let mut n = Counts::default();
    let done = |b, at, stop, n| {
        Ok(Outcome {
            b,
            at,
            stop,
            counts: n,
        })
    };
    loop {
        if let Some(stop) = rule.at_point(&b, &at, &n) {
            return done(b, at, stop, n);
        }
        let Some(mut step) = rule.direction(&at, &n)? else {
            return done(b, at, Stop::Singular, n);
        };
        let slope: f64 = step.iter().zip(at.score()).map(|(a, s)| a * s).sum();
        let mut trial: Vec<f64> = b.iter().zip(&step).map(|(a, s)| a + s).collect();
        n.halvings = 0;
        loop {
            // Every evaluation may be long (a Cox sweep over many rows): Ctrl-C stops here.
            crate::interrupt::check()?;
            let te = eval(&trial, rule.full_trials())?;
            n.evaluations += 1;
            match rule.judge(&at, &te, slope, &n) {
                Verdict::Converged => return done(trial, te, Stop::Converged, n),
                Verdict::Accept => {
                    n.steps += 1;
                    b = trial;
                    at = if te.full() { te } else { eval(&b, true)? };
                    if let Some(stop) = rule.after_accept(&b, &step, &n) {
                        return done(b, at, stop, n);
                    }
                    break;
                }
                Verdict::Reject => {
                    n.halvings += 1;
                    n.total_halvings += 1;
                    rule.shrink(&mut trial, &b, &mut step, &n);
                    if let Some(stop) = rule.after_reject(&b, &step, &n) {
                        return done(b, at, stop, n);
                    }
                }
            }
        }
    }
}

/// The shrinking of crr and rsadd: halve the step, `trial = b + step`.
pub(crate) fn halve(trial: &mut [f64], b: &[f64], step: &mut [f64]) {
    step.iter_mut().for_each(|v| *v *= 0.5);
    for ((t, a), s) in trial.iter_mut().zip(b).zip(step.iter()) {
        *t = a + s;
    }
}
