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

use crate::error::{Error, Result};

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

/// One of the built-in standard populations by name (case-insensitive, aliases allowed).
pub fn standard_population(name: &str) -> Result<StandardPopulation> {
    let (name, w, source): (&'static str, &[f64; 18], &'static str) = match name.to_ascii_lowercase().as_str() {
        "who2000" | "who" | "world2000" => ("who2000", &WHO2000, "WHO World Standard Population 2000-2025 (Ahmad et al. 2001, GPE Discussion Paper 31, Table 1)"),
        "esp2013" | "esp" | "europe2013" => ("esp2013", &ESP2013, "European Standard Population 2013 (Eurostat 2013, report of the task force)"),
        "nordic2000" | "nordic" => ("nordic2000", &NORDIC2000, "Nordic standard population 2000 (NORDCAN; popEpi::stdpop18$nordic)"),
        "segi1960" | "segi" | "world1960" => ("segi1960", &SEGI1960, "Segi 1960 world standard as modified by Doll, Payne and Waterhouse 1966"),
        "esp1976" | "europe1976" => ("esp1976", &ESP1976, "European Standard Population 1976"),
        _ => {
            return Err(Error::InvalidArgument {
                arg: "standard",
                reason: format!("unknown standard population `{name}` (built in: {})", STANDARD_POPULATIONS.join(", ")),
            })
        }
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
