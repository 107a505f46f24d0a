//! Criterion benchmark of the Kaplan–Meier and log-rank kernels: 1e6 rows, 10 strata.
use criterion::{criterion_group, criterion_main, Criterion};
use hrrstats::{KaplanMeier, LogrankTest, SurvivalData};

fn data(n: usize) -> (Vec<f64>, Vec<f64>, Vec<u32>) {
    // Deterministic pseudo-random times on a day grid (ties, as registry data have).
    let mut x: u64 = 42;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut time = Vec::with_capacity(n);
    let mut status = Vec::with_capacity(n);
    let mut strata = Vec::with_capacity(n);
    for _ in 0..n {
        time.push((-next().ln() * 1000.0).ceil());
        status.push(if next() < 0.7 { 1.0 } else { 0.0 });
        strata.push((next() * 10.0) as u32);
    }
    (time, status, strata)
}

fn bench(c: &mut Criterion) {
    let (time, status, strata) = data(1_000_000);
    let d = SurvivalData::new(&time, &status)
        .unwrap()
        .with_strata(&strata, 10)
        .unwrap();
    c.bench_function("kaplan_meier 1e6 rows 10 strata", |b| {
        b.iter(|| KaplanMeier::params().fit(&d).unwrap())
    });
    let d1 = SurvivalData::new(&time, &status).unwrap();
    c.bench_function("logrank 1e6 rows 10 groups", |b| {
        b.iter(|| LogrankTest::params().fit(&d1, &strata, 10).unwrap())
    });
}

criterion_group! { name = benches; config = Criterion::default().sample_size(10); targets = bench }
criterion_main!(benches);
