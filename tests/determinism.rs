//! Deterministic numbers: the same input gives bitwise the same output on every run and
//! for any number of threads (a registry analysis re-run by a reviewer on another server
//! must reproduce to the last digit). Every parallel sum of the core runs through
//! `hrrstats_core::par` (fixed groups of items whose boundaries depend only on the input,
//! combined in index order); here each method runs under rayon pools of 1, 2, 3 and 7
//! threads on inputs split into many groups, and the answers must be identical (compared
//! through `{:?}`, which writes every f64 in its shortest round-trip form, so equal text
//! is equal bits).
mod common;
use common::{arg_record as record, codes, nums};
use hrrstats::api;
use hrrstats::protocol::{Arg, Args};

/// Uniform numbers in [0, 1) from a fixed seed (64-bit LCG, top 53 bits).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `method(args)` under a rayon pool of `threads` threads: the whole answer as text.
fn answer(method: &str, args: &Args, threads: usize) -> String {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    pool.install(|| {
        let out = api::call(method, args).unwrap_or_else(|e| panic!("{method}: {e}"));
        format!("{:?}", out.value)
    })
}

/// The answer under 1 thread, then under 2, 3 and 7 (and 7 again): all identical.
fn same_for_any_number_of_threads(what: &str, method: &str, args: &Args) {
    let one = answer(method, args, 1);
    for threads in [2, 3, 7, 7] {
        let other = answer(method, args, threads);
        if other != one {
            let at = one.bytes().zip(other.bytes()).position(|(a, b)| a != b).unwrap_or(0);
            let lo = at.saturating_sub(60);
            panic!(
                "{what}: {threads} threads differ from 1 thread at byte {at}:\n  1: ...{}\n  {threads}: ...{}",
                &one[lo..(at + 60).min(one.len())],
                &other[lo..(at + 60).min(other.len())]
            );
        }
    }
}

/// n persons entering 1990-2020 at ages 0-90, exponential follow-up (mean 12 years) up
/// to 2020; `levels` levels of a by-variable besides sex.
fn lexis(n: usize, levels: usize) -> Args<'static> {
    let mut r = Lcg(2026);
    let entry: Vec<f64> = (0..n).map(|_| 1990.0 + 30.0 * r.next()).collect();
    let age: Vec<f64> = (0..n).map(|_| 90.0 * r.next()).collect();
    let exit: Vec<f64> =
        entry.iter().map(|&e| (e - 12.0 * (1.0 - r.next()).ln()).min(2020.0).max(e + 1e-3)).collect();
    let status: Vec<f64> = exit.iter().map(|&x| if x < 2020.0 && r.next() < 0.6 { 1.0 } else { 0.0 }).collect();
    let sex: Vec<u32> = (0..n).map(|_| (r.next() * 2.0) as u32).collect();
    let group: Vec<u32> = (0..n).map(|_| (r.next() * levels as f64) as u32).collect();
    Args::new()
        .with("time_scales", record(vec![("period", nums(entry)), ("age", nums(age))]))
        .with("exit", nums(exit))
        .with("status", nums(status))
        .with(
            "breaks",
            record(vec![
                ("period", nums((0..=30).map(|k| 1990.0 + k as f64).collect())),
                ("age", nums((0..=220).map(|k| 0.5 * k as f64).collect())),
            ]),
        )
        .with("by", record(vec![("sex", codes(sex, 2)), ("group", codes(group, levels))]))
}

#[test]
fn person_time_table_is_the_same_for_any_number_of_threads() {
    // 100,000 persons (25 chunks of 4096), 30 x 220 bands x 2 sexes x 10 groups: dense cells
    same_for_any_number_of_threads("person_time_table (dense cells)", "person_time_table", &lexis(100_000, 10));
    // 1000 groups: too many possible cells for dense accumulators, a hash map of the cells
    // (30,000 persons: 8 chunks, one per group)
    same_for_any_number_of_threads("person_time_table (sparse cells)", "person_time_table", &lexis(30_000, 1000));
}

#[test]
fn lexis_split_is_the_same_for_any_number_of_threads() {
    same_for_any_number_of_threads("lexis_split", "lexis_split", &lexis(30_000, 3));
}

/// n persons aged 40-80 at diagnosis in 1980-2000, followed 1-3000 days (whole days, so
/// that the integration grid stays daily), survexp.us; two groups, two strata.
fn cohort(n: usize) -> Args<'static> {
    let mut r = Lcg(1960);
    let time: Vec<f64> = (0..n).map(|_| 1.0 + (3000.0 * r.next()).floor()).collect();
    let status: Vec<f64> = (0..n).map(|_| (r.next() < 0.7) as u8 as f64).collect();
    let age: Vec<f64> = (0..n).map(|_| 40.0 + 40.0 * r.next()).collect();
    let year: Vec<f64> = (0..n).map(|_| 1980.0 + 20.0 * r.next()).collect();
    let sex: Vec<f64> = (0..n).map(|_| (r.next() < 0.5) as u8 as f64).collect();
    let group: Vec<u32> = (0..n).map(|_| (r.next() < 0.4) as u32).collect();
    Args::new()
        .with("time", nums(time))
        .with("status", nums(status))
        .with("age", nums(age))
        .with("year", nums(year))
        .with("sex", nums(sex))
        .with("group", codes(group, 2))
        .with("ratetable", record(vec![("name", Arg::Str("survexp.us".into()))]))
}

#[test]
fn net_survival_is_the_same_for_any_number_of_threads() {
    // groups of 64 persons: about 100 groups for Pohar-Perme and Ederer II, 50 for
    // Ederer I and Hakulinen (whose persons each walk the whole grid)
    for (method, n) in [("pohar-perme", 6000), ("ederer2", 6000), ("ederer1", 3000), ("hakulinen", 3000)] {
        let m = cohort(n).with("method", Arg::Str(method.into()));
        same_for_any_number_of_threads(&format!("net_survival ({method})"), "net_survival", &m);
    }
}

#[test]
fn net_survival_test_and_crude_probabilities_are_the_same_for_any_number_of_threads() {
    let a = cohort(4_000);
    same_for_any_number_of_threads("net_survival_test", "net_survival_test", &a);
    same_for_any_number_of_threads("crude_probabilities", "crude_probabilities", &a);
}

#[test]
fn interval_net_survival_is_the_same_for_any_number_of_threads() {
    let a = cohort(200_000);
    for method in ["pohar-perme", "ederer2"] {
        let m = a.clone().with("method", Arg::Str(method.into()));
        same_for_any_number_of_threads(&format!("interval_net_survival ({method})"), "interval_net_survival", &m);
    }
}

/// Cox with many strata: strata are swept in parallel blocks of at least 16 per thread
/// when a stratum's work (rows x p^2) is large (here 1,200 rows x 30^2 > 2^24 / 16), so
/// the blocks' boundaries depend on the number of threads; the strata's sums are added in
/// stratum order whatever the blocks.
#[test]
fn cox_with_many_strata_is_the_same_for_any_number_of_threads() {
    let (n, k, p) = (120_000, 100, 30);
    let mut r = Lcg(11);
    let (mut time, mut status, mut strata) = (Vec::new(), Vec::new(), Vec::new());
    let mut x = vec![Vec::with_capacity(n); p];
    for i in 0..n {
        let mut eta = 0.0;
        for (j, col) in x.iter_mut().enumerate() {
            let v = r.next() - 0.5;
            eta += if j < 3 { 0.5 * v } else { 0.0 };
            col.push(v);
        }
        time.push((-(1.0 - r.next()).ln() / eta.exp() * 100.0).ceil());
        status.push((r.next() < 0.7) as u8 as f64);
        strata.push((i % k) as u32);
    }
    let names: Vec<String> = (0..p).map(|j| format!("x{j}")).collect();
    let covariates = record(names.iter().map(|s| s.as_str()).zip(x.into_iter().map(nums)).collect());
    let args = Args {
        items: vec![
            ("time".into(), nums(time)),
            ("status".into(), nums(status)),
            ("strata".into(), codes(strata, k)),
            ("covariates".into(), covariates),
        ],
    };
    same_for_any_number_of_threads("cox_ph with 100 strata", "cox_ph", &args);
}
