//! Relative and net survival for cancer registries: population rate tables and the
//! Pohar-Perme, Ederer II, Ederer I and Hakulinen estimators.

pub mod excess;
pub mod lifetable;
pub mod net;
pub mod ratetable;

pub use excess::{excess_hazard_glm, excess_hazard_ml, ExcessHazardFit, ExcessMethod, ExcessTable};
pub use lifetable::{
    IntervalMethod, IntervalSurvival, IntervalSurvivalFit, IntervalSurvivalParams, IntervalTable,
    LifeTableData, PpWeight, INTERVAL_COLUMNS,
};
pub use net::{
    crude_probabilities, crude_probabilities_by_stratum, net_survival_test, CrudeProbabilities,
    NetCurve, NetMethod, NetSurvival, NetSurvivalData, NetSurvivalFit, NetSurvivalParams,
    NetSurvivalTest, StandardWeights, StandardizedNet, icss_weights, ICSS, ICSS_AGE_LOWER,
    ICSS_LABELS,
};
pub use ratetable::{Dimension, RateTable};

/// Days per year for ages given in years against a table in days (relsurv's
/// `rmap = list(age = age * 365.241)`), and the length of a year of follow-up.
pub const DAYS_PER_YEAR: f64 = 365.241;

/// The time unit of a rate table: its rates are hazards per day (follow-up in days,
/// calendar time in days since 1960-01-01, as survival/relsurv) or per person-year
/// (follow-up and calendar time in years).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimeUnit {
    #[default]
    Days,
    Years,
}
crate::option_enum!(TimeUnit, "time_unit", "days" => TimeUnit::Days, "years" => TimeUnit::Years);

impl TimeUnit {
    /// One year in this unit.
    pub fn year(self) -> f64 {
        match self {
            TimeUnit::Days => DAYS_PER_YEAR,
            TimeUnit::Years => 1.0,
        }
    }
}

/// The unit of the persons' ages: years (converted to the table's unit) or days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AgeUnit {
    #[default]
    Years,
    Days,
}
crate::option_enum!(AgeUnit, "age_unit", "years" => AgeUnit::Years, "days" => AgeUnit::Days);

/// Days from 1970-01-01 to January 1 of year `y` (Howard Hinnant's algorithm, month =
/// day = 1).
fn days_from_civil(y: i64) -> i64 {
    let y = y - 1; // January counts as month 13 of the previous year
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let doy = (153 * (1 + 9) + 2) / 5; // March-based day of year of January 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// January 1 of the calendar year holding day `day` (days since 1960-01-01), in the same
/// units.
pub(crate) fn jan1_of_day(day: f64) -> f64 {
    let from1970 = day as i64 + days_from_civil(1960);
    // civil year of a day (Hinnant's civil_from_days, year only)
    let z = from1970 + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let y = yoe + era * 400 + if mp >= 10 { 1 } else { 0 };
    (days_from_civil(y) - days_from_civil(1960)) as f64
}

/// "YYYY-MM-DD" of the day `day` (days since 1960-01-01; a fraction of a day dropped),
/// as R's format(as.Date(day, origin = "1960-01-01")) (Hinnant's civil_from_days).
pub(crate) fn iso_date(day: f64) -> String {
    let z = day.floor() as i64 + days_from_civil(1960) + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!("{y:04}-{m:02}-{d:02}")
}

/// The decimal year of a date given as days since 1970-01-01 (R's Date, numpy's
/// datetime64[D]; a fraction of a day is dropped): year + (date - January 1) / the days
/// in that year. NaN for a missing (or absurdly distant) date.
pub fn decimal_year(days: f64) -> f64 {
    if !(days.abs() < 1e11) {
        return f64::NAN;
    }
    let d = days.floor() as i64;
    let mut y = 1970 + (d as f64 / 365.2425).floor() as i64; // off by one at most
    while days_from_civil(y) > d {
        y -= 1;
    }
    while days_from_civil(y + 1) <= d {
        y += 1;
    }
    let (start, end) = (days_from_civil(y), days_from_civil(y + 1));
    y as f64 + (d - start) as f64 / (end - start) as f64
}

/// Days from 1960-01-01 (survival's and relsurv's date origin) to the calendar time
/// `year` given as a decimal year: the day number of January 1 of its integer part
/// (proleptic Gregorian calendar) plus the fraction times that year's length. A result
/// within 1e-6 days of a whole day is that day (decimal years written from dates carry
/// rounding noise that would otherwise move a rate-table crossing by a day).
pub fn days_since_1960(year: f64) -> f64 {
    let y0 = year.floor();
    let start = days_from_civil(y0 as i64) - days_from_civil(1960);
    let len = (days_from_civil(y0 as i64 + 1) - days_from_civil(y0 as i64)) as f64;
    let d = start as f64 + (year - y0) * len;
    let r = d.round();
    if (d - r).abs() < 1e-6 {
        r
    } else {
        d
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn calendar_days() {
        assert_eq!(super::days_since_1960(1960.0), 0.0);
        assert_eq!(super::days_since_1960(1930.0), -10957.0);
        assert_eq!(super::days_since_1960(2020.0), 21915.0);
        assert_eq!(super::days_since_1960(1961.0), 366.0);
        assert_eq!(
            super::days_since_1960(1982.0 + 174.0 / 365.0).round(),
            8210.0
        );
        for (day, jan1) in [
            (0.0, 0.0),
            (365.0, 0.0),
            (366.0, 366.0),
            (-1.0, -365.0),
            (-7305.0, -7305.0),
            (-7306.0, -7670.0),
            (21915.0 + 59.0, 21915.0),
        ] {
            assert_eq!(super::jan1_of_day(day), jan1, "day {day}");
        }
    }

    #[test]
    fn decimal_years_of_dates() {
        // days since 1970-01-01 -> year + day of the year / its length (as R's
        // as.POSIXlt(x)$yday and pandas' DatetimeIndex gave them)
        for (days, year) in [
            (0.0, 1970.0),
            (0.75, 1970.0),
            (364.0, 1970.0 + 364.0 / 365.0),
            (365.0, 1971.0),
            (-1.0, 1969.0 + 364.0 / 365.0),
            (-3653.0, 1960.0),
            (10957.0 + 59.0, 2000.0 + 59.0 / 366.0),
            (-25567.0, 1900.0),
            (47482.0, 2100.0),
        ] {
            assert_eq!(super::decimal_year(days), year, "days {days}");
        }
        assert!(super::decimal_year(f64::NAN).is_nan());
        for (day, date) in [
            (0.0, "1960-01-01"),
            (-10957.0, "1930-01-01"),
            (21975.5, "2020-03-01"),
            (-1.0, "1959-12-31"),
            (14670.0, "2000-03-01"),
        ] {
            assert_eq!(super::iso_date(day), date);
        }
        assert!(super::decimal_year(1e300).is_nan());
    }
}
