//! Example data for hrrstats: a deterministic, synthetic registry-like cancer cohort.
//!
//! The cohort imitates a national cancer registry extract linked to the cause of
//! death and population registries: diagnoses 2000–2019, follow-up in days to death,
//! emigration or the end of follow-up (2023-12-31). Hazards depend on stage, age and
//! sex so that the example analyses show realistic contrasts. It is generated from a
//! fixed seed by a self-contained xoshiro256** generator, so it is identical on every
//! machine and needs no data files.

/// The columns of a cohort, one entry per person.
#[derive(Debug, Clone, Default)]
pub struct Cohort {
    pub id: Vec<u32>,
    /// 1 = male, 2 = female (registry coding).
    pub sex: Vec<u8>,
    /// Age at diagnosis in years (decimal).
    pub age: Vec<f64>,
    /// Calendar year of diagnosis (decimal).
    pub year: Vec<f64>,
    /// Stage at diagnosis, 1–4.
    pub stage: Vec<u8>,
    /// Regional health authority: 0 South-East, 1 West, 2 Central, 3 North.
    pub region: Vec<u8>,
    /// Follow-up from diagnosis in days.
    pub time: Vec<f64>,
    /// 1 = died, 0 = censored (emigrated or alive at end of follow-up).
    pub status: Vec<f64>,
}

/// Names of the regions, in code order.
pub const REGIONS: [&str; 4] = ["South-East", "West", "Central", "North"];

/// xoshiro256** (Blackman & Vigna) seeded through splitmix64: the synthetic data's
/// generator, and the core's for sampling (the nested case-control designs), so that a
/// seed gives the same draws in every language.
#[derive(Debug, Clone)]
pub struct Rng([u64; 4]);

impl Rng {
    pub fn new(seed: u64) -> Self {
        let mut z = seed;
        let mut next = || {
            z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut x = z;
            x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            x ^ (x >> 31)
        };
        Rng([next(), next(), next(), next()])
    }
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.0;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }
    /// Uniform on `0..k` (Lemire's method, unbiased), `k >= 1`.
    pub fn below(&mut self, k: usize) -> usize {
        let k = k as u64;
        // (2^64 - k) mod k: products whose low half falls below it are rejected, so
        // every value is equally likely.
        let threshold = k.wrapping_neg() % k;
        loop {
            let m = (self.next_u64() as u128) * (k as u128);
            if (m as u64) >= threshold {
                return (m >> 64) as usize;
            }
        }
    }
    /// Uniform on (0, 1).
    fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn exponential(&mut self, rate: f64) -> f64 {
        -self.uniform().ln() / rate
    }
    fn normal(&mut self) -> f64 {
        let (u1, u2) = (self.uniform(), self.uniform());
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
    fn choose(&mut self, probs: &[f64]) -> usize {
        let u = self.uniform();
        let mut acc = 0.0;
        for (i, p) in probs.iter().enumerate() {
            acc += p;
            if u < acc {
                return i;
            }
        }
        probs.len() - 1
    }
}

/// A synthetic cohort of `n` persons from `seed`.
///
/// Death hazard (per year): stage-specific excess hazard decaying with time since
/// diagnosis plus a Gompertz background hazard by age and sex; emigration at
/// 0.2% per year; administrative censoring at 2024.0.
pub fn synthetic_cohort(n: usize, seed: u64) -> Cohort {
    let mut rng = Rng::new(seed);
    let mut c = Cohort::default();
    let excess = [0.02, 0.08, 0.25, 1.10];
    for i in 0..n {
        let sex = if rng.uniform() < 0.52 { 1u8 } else { 2u8 };
        let age = (70.0 + 11.0 * rng.normal()).clamp(18.0, 99.0);
        let year = 2000.0 + 20.0 * rng.uniform();
        let stage = 1 + rng.choose(&[0.22, 0.30, 0.28, 0.20]) as u8;
        let region = rng.choose(&[0.56, 0.21, 0.13, 0.10]) as u8;
        // Background (population) mortality: Gompertz in attained age.
        let bg = |a: f64| (if sex == 1 { 1.0 } else { 0.7 }) * 0.00005 * (0.092 * a).exp();
        // Cancer excess hazard: higher early, lower in later calendar years.
        let ex = excess[(stage - 1) as usize]
            * (-(year - 2000.0) * 0.02).exp()
            * (1.0 + 0.01 * (age - 70.0));
        // Simulate death time by thinning over 0.05-year steps (piecewise constant).
        let end = 2024.0 - year;
        let mut t = 0.0;
        let mut died = false;
        let dt: f64 = 0.05;
        let emig = rng.exponential(0.002);
        while t < end && t < emig {
            let h = bg(age + t) + ex * (-0.35 * t).exp();
            let step = dt.min(end - t).min(emig - t);
            if rng.uniform() < 1.0 - (-h * step).exp() {
                t += step * rng.uniform();
                died = true;
                break;
            }
            t += step;
        }
        let t = t.min(end).min(emig);
        // Follow-up recorded in whole days, at least one day.
        let days = (t * 365.25).round().max(1.0);
        c.id.push(i as u32 + 1);
        c.sex.push(sex);
        c.age.push((age * 100.0).round() / 100.0);
        c.year.push((year * 1000.0).round() / 1000.0);
        c.stage.push(stage);
        c.region.push(region);
        c.time.push(days);
        c.status.push(if died { 1.0 } else { 0.0 });
    }
    c
}

/// The example cohort used by the README, the examples and the bindings'
/// `example_cohort()`: 20,000 persons, seed 2024.
pub fn example_cohort() -> Cohort {
    synthetic_cohort(20_000, 2024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_cohort_is_deterministic_and_plausible() {
        let a = example_cohort();
        let b = example_cohort();
        assert_eq!(a.time, b.time);
        assert_eq!(a.time.len(), 20_000);
        let deaths: f64 = a.status.iter().sum();
        // A cancer cohort with 4–24 years of follow-up: most, not all, have died.
        assert!(deaths > 6_000.0 && deaths < 18_000.0, "deaths {deaths}");
        assert!(a.time.iter().all(|&t| t >= 1.0 && t <= 24.0 * 365.25 + 1.0));
        assert!(a.stage.iter().all(|&s| (1..=4).contains(&s)));
    }
}

/// A population rate table in long form: one row per age x calendar year x sex.
#[derive(Debug, Clone, Default)]
pub struct LongRateTable {
    /// Age cut-points in years (0, 1, ..., 110).
    pub age: Vec<f64>,
    /// Calendar-year cut-points (1990, ..., 2025).
    pub year: Vec<f64>,
    /// 1 = male, 2 = female.
    pub sex: Vec<f64>,
    /// Hazard per day.
    pub rate: Vec<f64>,
}

/// The population mortality behind the example cohort: the Gompertz background hazard
/// its deaths were simulated with (per year `5e-5 exp(0.092 a)`, women 0.7 times men's),
/// taken at the middle of each one-year age band and converted to a rate per day;
/// constant over calendar time 1990–2025. Synthetic, for examples and tests of the
/// relative-survival code (with it, net survival estimates the simulated cancer-only
/// survival).
pub fn example_ratetable() -> LongRateTable {
    let mut t = LongRateTable::default();
    for year in 1990..=2025 {
        for sex in [1.0, 2.0] {
            for age in 0..=110 {
                let a = age as f64 + 0.5;
                let per_year = (if sex == 1.0 { 1.0 } else { 0.7 }) * 0.00005 * (0.092 * a).exp();
                t.age.push(age as f64);
                t.year.push(year as f64);
                t.sex.push(sex);
                t.rate.push(per_year / 365.25);
            }
        }
    }
    t
}

/// A built-in population rate table in long form, in days: see `data/SOURCES.md`.
#[derive(Debug, Clone, Default)]
pub struct BuiltinRateTable {
    pub name: &'static str,
    /// Where the numbers come from.
    pub source: &'static str,
    /// Age cut-points in days.
    pub age: Vec<f64>,
    /// Calendar cut-points in days since 1960-01-01.
    pub year: Vec<f64>,
    /// 0 = male, 1 = female.
    pub sex: Vec<f64>,
    /// Hazard per day.
    pub rate: Vec<f64>,
    /// The calendar dimension is US-style (survival's ratetable type 4): a person's
    /// calendar row changes on the birthday (see `RateTable::with_us_date` in the core).
    pub us_date: bool,
}

/// The names of the built-in rate tables.
pub const BUILTIN_RATETABLES: &[&str] = &["survexp.us"];

/// `survexp.us`: the total United States population by age (0–109 years, cut-points
/// `k * 365.25` days), sex and calendar year (1940–2014; rates are daily hazards
/// `-log(1 - q) / 365.25` from the US life tables), as shipped with R's survival 3.5-3
/// (Therneau et al.; the numbers are US Government life tables). US-style calendar
/// dimension.
pub fn survexp_us() -> BuiltinRateTable {
    let mut t = BuiltinRateTable {
        name: "survexp.us",
        source: "R package survival 3.5-3, data set survexp.us (US population life tables \
                 1940-2014, US Census / National Center for Health Statistics); see \
                 crates/hrrstats-data/data/SOURCES.md",
        us_date: true,
        ..Default::default()
    };
    for line in include_str!("../data/survexp_us.csv").lines().skip(1) {
        let v: Vec<f64> = line
            .split(',')
            .map(|x| x.parse().expect("survexp_us.csv is numeric"))
            .collect();
        t.age.push(v[0]);
        t.sex.push(v[1]);
        t.year.push(v[2]);
        t.rate.push(v[3]);
    }
    t
}

/// A built-in rate table by name (see [`BUILTIN_RATETABLES`]).
pub fn builtin_ratetable(name: &str) -> Option<BuiltinRateTable> {
    match name {
        "survexp.us" | "survexp_us" | "us" => Some(survexp_us()),
        _ => None,
    }
}

#[cfg(test)]
mod builtin_tests {
    #[test]
    fn survexp_us_is_complete() {
        let t = super::survexp_us();
        assert_eq!(t.rate.len(), 110 * 75 * 2);
        assert!(t.rate.iter().all(|r| r.is_finite() && *r > 0.0));
        assert_eq!(t.age[1], 365.25);
        assert_eq!(t.year[0], -7305.0); // 1940-01-01
    }
}
