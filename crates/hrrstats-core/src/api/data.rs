//! The embedded data (hrrstats-data) through the protocol.

use super::Output;
use crate::error::Result;
use crate::protocol::{Args, Table, Value};

fn ints<T: Copy + Into<i64>>(v: &[T]) -> Value {
    Value::Ints(v.iter().map(|&x| x.into()).collect())
}

/// The synthetic 20,000-patient cancer cohort: id, sex, age, year, stage, region, time,
/// status.
pub fn example_cohort(_: &Args) -> Result<Output> {
    let c = hrrstats_data::example_cohort();
    Ok(Output::value(
        Table::new()
            .with("id", ints(&c.id))
            .with("sex", ints(&c.sex))
            .with("age", c.age)
            .with("year", c.year)
            .with("stage", ints(&c.stage))
            .with(
                "region",
                Value::Factor {
                    codes: c.region.iter().map(|&r| r as u32).collect(),
                    levels: hrrstats_data::REGIONS.iter().map(|s| s.to_string()).collect(),
                },
            )
            .with("time", c.time)
            .with("status", c.status),
    ))
}

/// The example population table (long form): age, year, sex, rate (per day).
pub fn example_ratetable(_: &Args) -> Result<Output> {
    let t = hrrstats_data::example_ratetable();
    Ok(Output::value(
        Table::new()
            .with("age", t.age)
            .with("year", t.year)
            .with("sex", t.sex)
            .with("rate", t.rate),
    ))
}
