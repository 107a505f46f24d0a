//! Built-in standard populations for direct age standardisation: 18 five-year age
//! groups, 0-4, 5-9, ..., 80-84, 85+.
//!
//! Sources:
//! - `who2000`: WHO World Standard Population 2000–2025. Ahmad OB, Boschi-Pinto C, Lopez
//!   AD, Murray CJL, Lozano R, Inoue M. *Age standardization of rates: a new WHO
//!   standard.* GPE Discussion Paper Series No. 31, WHO 2001, Table 1 (per 100,000; the
//!   85+ group is the sum of 85-89 ... 100+; the published weights sum to 100,035).
//! - `esp2013`: European Standard Population 2013. Eurostat, *Revision of the European
//!   Standard Population — Report of Eurostat's task force*, 2013 (85+ = 85-89 ... 95+).
//! - `nordic2000`: the Nordic standard population (NORDCAN), as distributed in
//!   `popEpi::stdpop18$nordic`.
//! - `segi1960`: Segi's 1960 world standard as modified by Doll, Payne & Waterhouse
//!   (1966), the "world" standard of `popEpi::stdpop18` (which labels it World 2000).
//! - `esp1976`: the European Standard Population of 1976 (`popEpi::stdpop18$europe`).

use crate::data::check_len;
use crate::error::{Error, Result};
use crate::options::OptionEnum;

/// A standard population: lower bounds of the age groups (years), the upper bound of
/// each (`INFINITY` for the open last group) and the weights.
#[derive(Debug, Clone, PartialEq)]
pub struct StandardPopulation {
    pub name: &'static str,
    pub age_lower: Vec<f64>,
    pub age_upper: Vec<f64>,
    pub weight: Vec<f64>,
    pub source: &'static str,
}

const WHO2000: [f64; 18] = [
    8860., 8690., 8600., 8470., 8220., 7930., 7610., 7150., 6590., 6040., 5370., 4550., 3720.,
    2960., 2210., 1520., 910., 635.,
];
const ESP2013: [f64; 18] = [
    5000., 5500., 5500., 5500., 6000., 6000., 6500., 7000., 7000., 7000., 7000., 6500., 6000.,
    5500., 5000., 4000., 2500., 2500.,
];
const NORDIC2000: [f64; 18] = [
    5900., 6600., 6200., 5800., 6100., 6800., 7300., 7300., 7000., 6900., 7400., 6100., 4800.,
    4100., 3900., 3500., 2400., 1900.,
];
const SEGI1960: [f64; 18] = [
    12000., 10000., 9000., 9000., 8000., 8000., 6000., 6000., 6000., 6000., 5000., 4000., 4000.,
    3000., 2000., 1000., 500., 500.,
];
const ESP1976: [f64; 18] = [
    8000., 7000., 7000., 7000., 7000., 7000., 7000., 7000., 7000., 7000., 7000., 6000., 5000.,
    4000., 3000., 2000., 1000., 1000.,
];

/// Names accepted by [`standard_population`] (aliases in parentheses in the docs):
/// `who2000` (`who`, `world2000`), `esp2013` (`esp`, `europe2013`), `nordic2000`
/// (`nordic`), `segi1960` (`segi`, `world1960`), `esp1976` (`europe1976`).
pub const STANDARD_POPULATIONS: [&str; 5] =
    ["who2000", "esp2013", "nordic2000", "segi1960", "esp1976"];

/// A built-in standard population by name: one option enum, parsed once (names are
/// case-insensitive; aliases after the canonical name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StandardName {
    #[default]
    Who2000,
    Esp2013,
    Nordic2000,
    Segi1960,
    Esp1976,
}
crate::option_enum!(StandardName, "name",
    "who2000" => StandardName::Who2000, "esp2013" => StandardName::Esp2013,
    "nordic2000" => StandardName::Nordic2000, "segi1960" => StandardName::Segi1960,
    "esp1976" => StandardName::Esp1976,
    "who" => StandardName::Who2000, "world2000" => StandardName::Who2000,
    "esp" => StandardName::Esp2013, "europe2013" => StandardName::Esp2013,
    "nordic" => StandardName::Nordic2000, "segi" => StandardName::Segi1960,
    "world1960" => StandardName::Segi1960, "europe1976" => StandardName::Esp1976);

impl StandardName {
    /// Parse `s` (case-insensitive) for the argument `arg`; the error shows `s` as given.
    pub fn parse_name(arg: &'static str, s: &str) -> Result<StandardName> {
        StandardName::parse_arg(arg, &s.to_ascii_lowercase())
            .map_err(|_| crate::options::unknown(arg, s, &StandardName::names()))
    }
}

/// One of the built-in standard populations by name (case-insensitive, aliases allowed).
pub fn standard_population(name: &str) -> Result<StandardPopulation> {
    standard_population_arg("name", name)
}

/// As [`standard_population`], naming `arg` in the error for an unknown name.
pub fn standard_population_arg(arg: &'static str, name: &str) -> Result<StandardPopulation> {
    let (name, w, source): (&'static str, &[f64; 18], &'static str) = match StandardName::parse_name(arg, name)? {
        StandardName::Who2000 => ("who2000", &WHO2000, "WHO World Standard Population 2000-2025 (Ahmad et al. 2001, GPE Discussion Paper 31, Table 1)"),
        StandardName::Esp2013 => ("esp2013", &ESP2013, "European Standard Population 2013 (Eurostat 2013, report of the task force)"),
        StandardName::Nordic2000 => ("nordic2000", &NORDIC2000, "Nordic standard population 2000 (NORDCAN; popEpi::stdpop18$nordic)"),
        StandardName::Segi1960 => ("segi1960", &SEGI1960, "Segi 1960 world standard as modified by Doll, Payne and Waterhouse 1966"),
        StandardName::Esp1976 => ("esp1976", &ESP1976, "European Standard Population 1976"),
    };
    let age_lower: Vec<f64> = (0..18).map(|i| 5.0 * i as f64).collect();
    let age_upper = (0..18)
        .map(|i| {
            if i == 17 {
                f64::INFINITY
            } else {
                5.0 * (i + 1) as f64
            }
        })
        .collect();
    Ok(StandardPopulation {
        name,
        age_lower,
        age_upper,
        weight: w.to_vec(),
        source,
    })
}

/// Rows pooled onto a standard's age groups: one row per (group, age group) with any
/// rows, ordered by group then age group.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PooledAges {
    pub events: Vec<f64>,
    pub person_time: Vec<f64>,
    /// The standard's weight of each row's age group.
    pub weight: Vec<f64>,
    /// Index of each row's age group in the standard.
    pub age_group: Vec<usize>,
    /// Group code of each row (0 without groups).
    pub group: Vec<u32>,
}

impl StandardPopulation {
    /// Index of the age group holding `age` (the last group whose lower bound is <= age).
    pub fn age_group(&self, age: f64) -> usize {
        self.age_lower
            .partition_point(|&l| l <= age)
            .saturating_sub(1)
    }

    /// Pool rows of finer (or equal) age groups onto this standard's groups, within
    /// each group of `groups` (codes, number of groups): events and person-time are
    /// summed over the rows whose `age` falls in the same age group of the standard
    /// (any age in the group will do, e.g. its lower bound). Every group must have rows
    /// in every age group of the standard (otherwise the standardised rate is
    /// undefined; pass the weights of the groups you have instead). `labels` name the
    /// groups in errors (empty: by code).
    pub fn pool(
        &self,
        events: &[f64],
        person_time: &[f64],
        age: &[f64],
        groups: Option<(&[u32], usize)>,
        labels: &[String],
    ) -> Result<PooledAges> {
        let n = events.len();
        if n == 0 {
            return Err(Error::Empty { arg: "events" });
        }
        check_len("person_time", person_time.len(), "events", n)?;
        check_len("age", age.len(), "events", n)?;
        super::rates::check_counts("events", events)?;
        super::rates::check_person_time_nonneg(person_time)?;
        if let Some(row) = age.iter().position(|a| a.is_nan() || *a < 0.0) {
            return Err(Error::InvalidValue {
                arg: "age",
                row,
                value: age[row],
                problem: "missing or negative value",
            });
        }
        let k = match groups {
            None => 1,
            Some((g, k)) => {
                check_len("by", g.len(), "events", n)?;
                crate::data::check_codes("by", g, k)?;
                k
            }
        };
        let m = self.weight.len();
        let mut e = vec![0.0; k * m];
        let mut t = vec![0.0; k * m];
        let mut seen = vec![false; k * m];
        for i in 0..n {
            let g = groups.map_or(0, |(c, _)| c[i] as usize);
            let cell = g * m + self.age_group(age[i]);
            e[cell] += events[i];
            t[cell] += person_time[i];
            seen[cell] = true;
        }
        let label = |g: usize| labels.get(g).cloned().unwrap_or_else(|| g.to_string());
        let mut out = PooledAges::default();
        for g in 0..k {
            let cells = g * m..(g + 1) * m;
            if !seen[cells.clone()].iter().any(|&s| s) {
                continue; // an unused group (absent from the data)
            }
            let missing: Vec<String> = (0..m)
                .filter(|&a| !seen[g * m + a])
                .map(|a| format!("{}", self.age_lower[a]))
                .collect();
            let where_ = if groups.is_some() {
                format!(" in by group {}", label(g))
            } else {
                String::new()
            };
            if !missing.is_empty() {
                return Err(Error::Data {
                    arg: "age",
                    reason: format!(
                        "no person-time in the standard's age group(s) starting at {}{where_}; \
                         pass the weights of the groups you have as standard_weights",
                        missing.join(", ")
                    ),
                });
            }
            for a in 0..m {
                if t[g * m + a] <= 0.0 {
                    return Err(Error::Data {
                        arg: "person_time",
                        reason: format!(
                            "no person-time in the standard's age group starting at {}{where_}",
                            self.age_lower[a]
                        ),
                    });
                }
                out.events.push(e[g * m + a]);
                out.person_time.push(t[g * m + a]);
                out.weight.push(self.weight[a]);
                out.age_group.push(a);
                out.group.push(g as u32);
            }
        }
        Ok(out)
    }
}
