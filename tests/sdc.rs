//! Disclosure control of count tables (issue 17): `protect_table` through `api::call`.
//!
//! The attacker test: for every protected table, each suppressed cell's interval given
//! the published cells and the margins must be at least the protection level wide, and
//! every primary cell (0 < count < threshold, margins included) must be suppressed.
//! Here the interval is computed (a) by brute-force enumeration of every whole-number
//! table consistent with what is published (tiny tables), which must agree with the
//! reported `lower`/`upper` in 2-D (where the LP's vertices are whole numbers) and lie
//! inside them in 3-D; (b) for larger random tables, by the result's own LP intervals
//! and an independent check that no published line leaves a single suppressed cell.
//! Python (scipy's linprog) and R (lpSolve) redo the attacker's LPs with solvers that
//! are not ours.
use std::borrow::Cow;

use hrrstats::api;
use hrrstats::protocol::{Arg, Args, Value};
use hrrstats_data::Rng;

fn codes(c: Vec<u32>, k: usize) -> Arg<'static> {
    Arg::Codes { codes: Cow::Owned(c), levels: (0..k).map(|i| format!("l{i}")).collect() }
}

/// A full table in row-major order (first dimension slowest) as protect_table's args,
/// with exact intervals.
fn table_args(values: &[f64], levels: &[usize]) -> Args<'static> {
    fast_args(values, levels).with("exact_intervals", Arg::Bool(true))
}

/// The same with the default audit (stops once each primary cell is certified).
fn fast_args(values: &[f64], levels: &[usize]) -> Args<'static> {
    let n = values.len();
    let mut dims = Vec::new();
    let names = ["a", "b", "c", "d"];
    for d in 0..levels.len() {
        let stride: usize = levels[d + 1..].iter().product();
        let c: Vec<u32> = (0..n).map(|i| ((i / stride) % levels[d]) as u32).collect();
        dims.push((names[d].to_string(), codes(c, levels[d])));
    }
    Args::new()
        .with("count", Arg::Nums(Cow::Owned(values.to_vec())))
        .with("dims", Arg::Record(Args { items: dims }))
}

struct Out {
    coords: Vec<Vec<i64>>,
    count: Vec<f64>,
    suppressed: Vec<bool>,
    reason: Vec<String>,
    lower: Vec<f64>,
    upper: Vec<f64>,
}

fn run(args: &Args) -> Out {
    let v = api::call("protect_table", args).unwrap().value;
    let Value::Record(r) = v else { panic!() };
    let Some(Value::Table(t)) = r.get("table") else { panic!() };
    let nums = |n: &str| match t.get(n) {
        Some(Value::Nums(x)) => x.clone(),
        o => panic!("{n}: {o:?}"),
    };
    let ndim = t.columns.len() - 6;
    let coords = (0..ndim)
        .map(|d| match &t.columns[d].1 {
            Value::Ints(x) => x.clone(),
            o => panic!("{o:?}"),
        })
        .collect();
    Out {
        coords,
        count: nums("count"),
        suppressed: match t.get("suppressed") {
            Some(Value::Bools(b)) => b.clone(),
            o => panic!("{o:?}"),
        },
        reason: match t.get("reason") {
            Some(Value::Strs(s)) => s.clone(),
            o => panic!("{o:?}"),
        },
        lower: nums("lower"),
        upper: nums("upper"),
    }
}

/// Every output row's extended position (total = L_d) in a row-major extended grid.
fn positions(o: &Out, levels: &[usize]) -> Vec<usize> {
    (0..o.count.len())
        .map(|i| {
            let mut pos = 0;
            for d in 0..levels.len() {
                let x = o.coords[d][i];
                let x = if x < 0 { levels[d] } else { x as usize };
                pos = pos * (levels[d] + 1) + x;
            }
            pos
        })
        .collect()
}

/// Brute force: every whole-number inner table that agrees with the published cells
/// (inner and margins); each cell's (min, max) over them. A suppressed inner cell that
/// no published margin contains is unconstrained: [0, inf), and so is every margin
/// containing it.
fn brute_force(o: &Out, levels: &[usize]) -> Vec<(f64, f64)> {
    let k = levels.len();
    let ext: Vec<usize> = levels.iter().map(|l| l + 1).collect();
    let ntot: usize = ext.iter().product();
    let pos = positions(o, levels);
    let mut published = vec![None; ntot];
    for (i, &p) in pos.iter().enumerate() {
        if !o.suppressed[i] {
            published[p] = Some(o.count[i]);
        }
    }
    let coords = |mut c: usize| {
        let mut x = vec![0; k];
        for d in (0..k).rev() {
            x[d] = c % ext[d];
            c /= ext[d];
        }
        x
    };
    let is_inner = |c: usize| coords(c).iter().zip(levels).all(|(x, l)| x < l);
    // the cells (margins and the cell itself) each inner cell adds to
    let adds_to = |c: usize| -> Vec<usize> {
        let xc = coords(c);
        (0..(1usize << k))
            .map(|mask| {
                let mut t = 0;
                for d in 0..k {
                    t = t * ext[d] + if mask >> d & 1 == 1 { levels[d] } else { xc[d] };
                }
                t
            })
            .collect()
    };
    let inner: Vec<usize> = (0..ntot).filter(|&c| is_inner(c)).collect();
    let targets: Vec<Vec<usize>> = inner.iter().map(|&c| adds_to(c)).collect();
    // free: suppressed, in no published margin
    let free: Vec<bool> = inner
        .iter()
        .zip(&targets)
        .map(|(&c, t)| published[c].is_none() && t[1..].iter().all(|&m| published[m].is_none()))
        .collect();
    let mut unbounded = vec![false; ntot];
    for (i, t) in targets.iter().enumerate() {
        if free[i] {
            for &m in t {
                unbounded[m] = true;
            }
        }
    }
    // enumeration order: the suppressed, constrained inner cells; the last of them
    // adding to each published margin (to check its equality there)
    let vars: Vec<usize> = (0..inner.len()).filter(|&i| published[inner[i]].is_none() && !free[i]).collect();
    let mut sums = vec![0.0; ntot];
    for (i, t) in targets.iter().enumerate() {
        if let Some(v) = published[inner[i]] {
            for &m in t {
                sums[m] += v;
            }
        }
    }
    let mut last = vec![usize::MAX; ntot];
    for (j, &i) in vars.iter().enumerate() {
        for &m in &targets[i] {
            last[m] = j;
        }
    }
    let complete_at_start: Vec<usize> = (0..ntot).filter(|&m| !is_inner(m) && published[m].is_some() && last[m] == usize::MAX).collect();
    if complete_at_start.iter().any(|&m| sums[m] != published[m].unwrap()) {
        panic!("the published margins do not add up");
    }
    let ub: Vec<f64> = vars
        .iter()
        .map(|&i| targets[i][1..].iter().filter_map(|&m| published[m]).fold(f64::INFINITY, f64::min))
        .collect();
    let mut best = vec![(f64::INFINITY, f64::NEG_INFINITY); ntot];
    #[allow(clippy::too_many_arguments)]
    fn rec(
        j: usize,
        vars: &[usize],
        ub: &[f64],
        targets: &[Vec<usize>],
        published: &[Option<f64>],
        last: &[usize],
        sums: &mut Vec<f64>,
        best: &mut Vec<(f64, f64)>,
    ) {
        if j == vars.len() {
            for (b, v) in best.iter_mut().zip(sums.iter()) {
                b.0 = b.0.min(*v);
                b.1 = b.1.max(*v);
            }
            return;
        }
        let t = &targets[vars[j]];
        let mut v = 0.0;
        while v <= ub[j] {
            for &m in t {
                sums[m] += v;
            }
            let ok = t[1..].iter().all(|&m| match published[m] {
                None => true,
                Some(p) => sums[m] <= p && (last[m] != j || sums[m] == p),
            });
            if ok {
                rec(j + 1, vars, ub, targets, published, last, sums, best);
            }
            for &m in t {
                sums[m] -= v;
            }
            if !ok && t[1..].iter().any(|&m| published[m].is_some_and(|p| sums[m] + v > p)) {
                break;
            }
            v += 1.0;
        }
    }
    rec(0, &vars, &ub, &targets, &published, &last, &mut sums, &mut best);
    // published cells and the inner cells' own entries: sums holds them at the leaves
    for c in 0..ntot {
        if unbounded[c] {
            best[c].1 = f64::INFINITY;
        }
    }
    pos.iter().map(|&p| best[p]).collect()
}

fn check_primary(o: &Out, threshold: f64) {
    for i in 0..o.count.len() {
        let v = o.count[i];
        if v > 0.0 && v < threshold {
            assert!(o.suppressed[i] && o.reason[i] == "primary", "cell {i} ({v}) not primary");
        }
        assert_eq!(o.suppressed[i], !o.reason[i].is_empty());
    }
}

#[test]
fn hand_made_two_by_three() {
    // rows 1, 2; columns a, b, c: one small cell
    let values = [3.0, 12.0, 20.0, 15.0, 9.0, 11.0];
    let o = run(&table_args(&values, &[2, 3]));
    check_primary(&o, 5.0);
    assert_eq!(o.count.len(), 12);
    assert_eq!(o.reason[0], "primary");
    // the cheapest rectangle through the 3: (1,a), (1,b), (2,a), (2,b) (12 + 15 + 9 = 36,
    // cheaper than with column c: 20 + 15 + 11 = 46)
    let sup: Vec<usize> = (0..12).filter(|&i| o.suppressed[i]).collect();
    assert_eq!(sup, vec![0, 1, 3, 4]);
    let bf = brute_force(&o, &[2, 3]);
    for &i in &sup {
        assert_eq!((o.lower[i], o.upper[i]), bf[i], "cell {i}");
    }
    // the 3 lies in [0, 15]: the rectangle moves it by -3 (itself) to +12 (min(12, 15))
    assert_eq!((o.lower[0], o.upper[0]), (0.0, 15.0));
}

#[test]
fn one_dimension() {
    // 1-D: a small cell needs a second one (the total is published)
    let values = [2.0, 30.0, 8.0, 40.0];
    let o = run(&table_args(&values, &[4]));
    check_primary(&o, 5.0);
    assert_eq!(o.reason[..4], ["primary".to_string(), "".into(), "secondary".into(), "".into()]);
    assert_eq!((o.lower[0], o.upper[0]), (0.0, 10.0));
    assert_eq!(o.reason[4], "");
    // a small total is itself primary: everything around it goes
    let o = run(&table_args(&[1.0, 2.0], &[2]));
    assert!(o.suppressed.iter().all(|&s| s));
    assert!(o.upper.iter().all(|u| u.is_infinite()));
}

#[test]
fn options_zeros_threshold_and_no_margins() {
    let values = [0.0, 12.0, 20.0, 15.0, 9.0, 11.0];
    let o = run(&table_args(&values, &[2, 3]));
    assert!(!o.suppressed[0], "a zero is published by default");
    let a = table_args(&values, &[2, 3]).with("suppress_zeros", Arg::Bool(true));
    let o = run(&a);
    assert_eq!(o.reason[0], "primary");
    assert!(o.upper[0] - o.lower[0] >= 5.0);
    let a = table_args(&values, &[2, 3]).with("threshold", Arg::Num(10.0)).with("protection", Arg::Num(3.0));
    let o = run(&a);
    check_primary(&o, 10.0);
    assert!(o.reason[4] == "primary");
    let a = table_args(&[3.0, 12.0, 20.0, 15.0], &[2, 2]).with("margins", Arg::Bool(false));
    let o = run(&a);
    assert_eq!(o.count.len(), 4);
    assert_eq!(o.reason, vec!["primary", "", "", ""]);
    assert_eq!((o.lower[0], o.upper[0]), (0.0, f64::INFINITY));
}

#[test]
fn bad_input_names_the_argument() {
    let e = api::call("protect_table", &table_args(&[1.0, f64::NAN], &[2])).err().unwrap();
    assert_eq!(e.to_string(), "argument `count`: count is missing at row 1");
    let e = api::call("protect_table", &table_args(&[1.0, -2.0], &[2])).err().unwrap();
    assert!(e.to_string().contains("`count`") && e.to_string().contains("row 1"), "{e}");
    // the same cell twice
    let a = Args::new()
        .with("count", Arg::Nums(Cow::Owned(vec![1.0, 2.0, 3.0])))
        .with("dims", Arg::Record(Args::new().with("a", codes(vec![0, 1, 0], 2))));
    let e = api::call("protect_table", &a).err().unwrap();
    assert!(e.to_string().starts_with("argument `dims`: the same cell") && e.to_string().ends_with("row 2"), "{e}");
    let e = api::call("protect_table", &table_args(&[1.0, 2.0], &[2]).with("cost", Arg::Str("x".into()))).err().unwrap();
    assert!(e.to_string().contains("`cost`"), "{e}");
    let e = api::call("protect_table", &table_args(&[1.0, 2.0], &[2]).with("threshold", Arg::Num(-1.0))).err().unwrap();
    assert!(e.to_string().contains("`threshold`"), "{e}");
    let four = table_args(&[1.0; 16], &[2, 2, 2, 2]);
    let e = api::call("protect_table", &four).err().unwrap();
    assert!(e.to_string().contains("one to three"), "{e}");
}

fn random_table(rng: &mut Rng, levels: &[usize], max: usize, p_small: usize) -> Vec<f64> {
    let n: usize = levels.iter().product();
    (0..n)
        .map(|_| if rng.below(100) < p_small { rng.below(5) as f64 } else { (5 + rng.below(max)) as f64 })
        .collect()
}

#[test]
fn brute_force_agrees_on_tiny_random_tables() {
    let mut rng = Rng::new(17);
    for t in 0..40 {
        let levels: Vec<usize> = if t % 3 == 2 { vec![2, 2, 2] } else { vec![2, 2 + t % 2] };
        let values = random_table(&mut rng, &levels, 4, 35);
        let o = run(&table_args(&values, &levels));
        check_primary(&o, 5.0);
        let bf = brute_force(&o, &levels);
        for i in 0..o.count.len() {
            if !o.suppressed[i] {
                continue;
            }
            let (lo, hi) = bf[i];
            if levels.len() == 2 {
                assert_eq!((o.lower[i], o.upper[i]), (lo, hi), "table {t} {values:?}, cell {i}");
            } else {
                assert!(o.lower[i] <= lo && o.upper[i] >= hi, "table {t}, cell {i}");
            }
            if o.reason[i] == "primary" {
                assert!(hi - lo >= 5.0, "table {t} {values:?}: primary cell {i} in [{lo}, {hi}]");
            }
        }
    }
}

#[test]
fn random_two_and_three_dimensional_tables_are_protected() {
    let mut rng = Rng::new(2026);
    for t in 0..12 {
        let levels: Vec<usize> = if t % 2 == 0 { vec![3 + t % 5, 4 + t % 3] } else { vec![3, 4, 2 + t % 3] };
        let values = random_table(&mut rng, &levels, 30, 20);
        let o = run(&fast_args(&values, &levels));
        let exact = run(&table_args(&values, &levels));
        assert_eq!(o.reason, exact.reason);
        check_primary(&o, 5.0);
        for i in 0..o.count.len() {
            if o.reason[i] == "primary" {
                assert!(o.upper[i] - o.lower[i] >= 5.0, "table {t}, cell {i}");
            }
            if o.reason[i] == "secondary" {
                assert!(o.lower[i].is_nan() && o.upper[i].is_nan());
            } else {
                // certified bounds lie within the exact interval
                assert!(o.lower[i] <= o.count[i] && o.count[i] <= o.upper[i]);
                assert!(exact.lower[i] <= o.lower[i] && o.upper[i] <= exact.upper[i]);
            }
            if !o.suppressed[i] {
                assert_eq!((o.lower[i], o.upper[i]), (o.count[i], o.count[i]));
            }
        }
        // no line (inner cells and their total) with exactly one suppressed cell
        let ext: Vec<usize> = levels.iter().map(|l| l + 1).collect();
        let pos = positions(&o, &levels);
        let mut sup = vec![false; ext.iter().product()];
        for (i, &p) in pos.iter().enumerate() {
            sup[p] = o.suppressed[i];
        }
        let k = levels.len();
        for d in 0..k {
            let stride: usize = ext[d + 1..].iter().product();
            for c in 0..sup.len() {
                if (c / stride) % ext[d] != 0 {
                    continue;
                }
                let n = (0..ext[d]).filter(|&i| sup[c + i * stride]).count();
                assert!(n != 1, "table {t}: a line with one suppressed cell");
            }
        }
    }
}

#[test]
fn fifty_by_twenty_by_ten_in_seconds() {
    let mut rng = Rng::new(5);
    let levels = [50, 20, 10];
    let values = random_table(&mut rng, &levels, 60, 3);
    let start = std::time::Instant::now();
    let o = run(&fast_args(&values, &levels));
    let secs = start.elapsed().as_secs_f64();
    check_primary(&o, 5.0);
    let n_sup = o.suppressed.iter().filter(|&&s| s).count();
    eprintln!("50 x 20 x 10: {n_sup} suppressed of {} cells in {secs:.2} s", o.count.len());
    for i in 0..o.count.len() {
        if o.reason[i] == "primary" {
            assert!(o.upper[i] - o.lower[i] >= 5.0);
        }
    }
    assert!(secs < 60.0, "{secs} s");
}

// ---- magnitude tables (p%-rule, dominance), hierarchies, controlled rounding ----

fn table_of(args: &Args) -> hrrstats::protocol::Table {
    let v = api::call("protect_table", args).unwrap().value;
    let Value::Record(r) = v else { panic!() };
    let Some(Value::Table(t)) = r.get("table") else { panic!() };
    t.clone()
}

fn col(t: &hrrstats::protocol::Table, n: &str) -> Vec<f64> {
    match t.get(n) {
        Some(Value::Nums(x)) => x.clone(),
        Some(Value::Ints(x)) => x.iter().map(|&v| v as f64).collect(),
        Some(Value::Bools(x)) => x.iter().map(|&v| v as u8 as f64).collect(),
        o => panic!("{n}: {o:?}"),
    }
}

fn strs(t: &hrrstats::protocol::Table, n: &str) -> Vec<String> {
    match t.get(n) {
        Some(Value::Strs(x)) => x.clone(),
        o => panic!("{n}: {o:?}"),
    }
}

/// Long contributions: per row (cell of a `levels` grid, unit, value).
fn magnitude_args(rows: &[(Vec<u32>, u32, f64)], levels: &[usize]) -> Args<'static> {
    let names = ["a", "b", "c"];
    let mut dims = Vec::new();
    for d in 0..levels.len() {
        dims.push((names[d].to_string(), codes(rows.iter().map(|r| r.0[d]).collect(), levels[d])));
    }
    Args::new()
        .with("magnitude", Arg::Nums(Cow::Owned(rows.iter().map(|r| r.2).collect())))
        .with("unit", codes(rows.iter().map(|r| r.1).collect(), 1 + rows.iter().map(|r| r.1 as usize).max().unwrap()))
        .with("dims", Arg::Record(Args { items: dims }))
        .with("exact_intervals", Arg::Bool(true))
}

/// By hand: each output row's (total, sorted unit sums) from the contributions, for a
/// flat table with margins (code -1 = total).
fn by_hand(t: &hrrstats::protocol::Table, rows: &[(Vec<u32>, u32, f64)], k: usize) -> Vec<(f64, Vec<f64>)> {
    let coords: Vec<Vec<f64>> = ["a", "b", "c"][..k].iter().map(|n| col(t, n)).collect();
    (0..t.nrow())
        .map(|i| {
            let mut per: std::collections::BTreeMap<u32, f64> = Default::default();
            for r in rows {
                if (0..k).all(|d| coords[d][i] < 0.0 || coords[d][i] as u32 == r.0[d]) {
                    *per.entry(r.1).or_default() += r.2;
                }
            }
            let mut v: Vec<f64> = per.values().copied().collect();
            v.sort_by(|a, b| b.total_cmp(a));
            (v.iter().sum(), v)
        })
        .collect()
}

fn random_contributions(rng: &mut Rng, levels: &[usize], units: u32) -> Vec<(Vec<u32>, u32, f64)> {
    let n: usize = levels.iter().product();
    let mut rows = Vec::new();
    for c in 0..n {
        let mut key = Vec::new();
        let mut rest = c;
        for d in (0..levels.len()).rev() {
            key.push((rest % levels[d]) as u32);
            rest /= levels[d];
        }
        key.reverse();
        let m = 1 + rng.below(5);
        for _ in 0..m {
            // a few large units, many small
            let v = if rng.below(4) == 0 { 50.0 + rng.below(500) as f64 } else { 1.0 + rng.below(40) as f64 };
            rows.push((key.clone(), rng.below(units as usize) as u32, v + 0.25));
        }
    }
    rows
}

#[test]
fn p_percent_rule_primary_cells_and_protection_levels() {
    let mut rng = Rng::new(71);
    for trial in 0..10 {
        let levels: Vec<usize> = if trial % 3 == 2 { vec![2, 3, 2] } else { vec![3 + trial % 2, 3] };
        let rows = random_contributions(&mut rng, &levels, 12);
        let p = 10.0 + trial as f64;
        let t = table_of(&magnitude_args(&rows, &levels).with("p", Arg::Num(p)));
        let hand = by_hand(&t, &rows, levels.len());
        let (count, reason, lo, hi, lvl, ncontrib) =
            (col(&t, "count"), strs(&t, "reason"), col(&t, "lower"), col(&t, "upper"), col(&t, "protection_level"), col(&t, "contributors"));
        let mut n_primary = 0;
        for i in 0..t.nrow() {
            let (x, v) = &hand[i];
            assert!((count[i] - x).abs() < 1e-9 * (1.0 + x), "trial {trial} row {i}: {} vs {x}", count[i]);
            assert_eq!(ncontrib[i], v.len() as f64);
            let x1 = v.first().copied().unwrap_or(0.0);
            let x2 = v.get(1).copied().unwrap_or(0.0);
            let sensitive = *x > 0.0 && x - x1 - x2 < p / 100.0 * x1;
            assert_eq!(reason[i] == "primary", sensitive, "trial {trial} row {i}: {v:?}");
            if sensitive {
                n_primary += 1;
                let need = p / 100.0 * x1 - (x - x1 - x2);
                assert!((lvl[i] - need).abs() < 1e-9 * (1.0 + need));
                // the attacker's exact interval covers the required levels
                assert!(hi[i] >= x + need - 1e-7 * (1.0 + x), "trial {trial} row {i}: upper {} < {}", hi[i], x + need);
                assert!(lo[i] <= (x - need).max(0.0) + 1e-7 * (1.0 + x), "trial {trial} row {i}: lower {} > {}", lo[i], x - need);
            } else {
                assert_eq!(lvl[i], 0.0);
            }
        }
        assert!(n_primary > 0, "trial {trial}: no sensitive cell");
    }
}

#[test]
fn dominance_rule_and_both_rules() {
    let mut rng = Rng::new(72);
    for trial in 0..8 {
        let levels = vec![4, 3];
        let rows = random_contributions(&mut rng, &levels, 15);
        let (n, k) = (1 + trial % 2, 70.0 + 5.0 * (trial % 3) as f64);
        let a = magnitude_args(&rows, &levels).with("dominance_n", Arg::Num(n as f64)).with("dominance_k", Arg::Num(k));
        let t = table_of(&a);
        let hand = by_hand(&t, &rows, 2);
        let (reason, lo, hi, lvl) = (strs(&t, "reason"), col(&t, "lower"), col(&t, "upper"), col(&t, "protection_level"));
        for i in 0..t.nrow() {
            let (x, v) = &hand[i];
            let s: f64 = v.iter().take(n).sum();
            let sensitive = *x > 0.0 && s > k / 100.0 * x;
            assert_eq!(reason[i] == "primary", sensitive, "trial {trial} row {i}");
            if sensitive {
                let need = 100.0 / k * s - x;
                assert!((lvl[i] - need).abs() < 1e-9 * (1.0 + need));
                assert!(hi[i] >= x + need - 1e-7 * (1.0 + x) && lo[i] <= (x - need).max(0.0) + 1e-7 * (1.0 + x));
            }
        }
        // both rules: primary if either says so, the larger level
        let both = table_of(&a.clone().with("p", Arg::Num(15.0)));
        let only_p = table_of(&magnitude_args(&rows, &levels).with("p", Arg::Num(15.0)));
        let (rb, rp, lb, lp, ld) =
            (strs(&both, "reason"), strs(&only_p, "reason"), col(&both, "protection_level"), col(&only_p, "protection_level"), lvl.clone());
        for i in 0..both.nrow() {
            assert_eq!(rb[i] == "primary", rp[i] == "primary" || reason[i] == "primary");
            assert!((lb[i] - lp[i].max(ld[i])).abs() < 1e-9 * (1.0 + lb[i]));
        }
    }
}

#[test]
fn magnitude_bad_input() {
    let rows = vec![(vec![0u32], 0u32, 5.0), (vec![1], 1, -1.0)];
    let e = api::call("protect_table", &magnitude_args(&rows, &[2]).with("p", Arg::Num(10.0))).err().unwrap();
    assert!(e.to_string().starts_with("argument `magnitude`: contributions must be finite and non-negative") && e.to_string().contains("row 1"), "{e}");
    let rows = vec![(vec![0u32], 0u32, 5.0), (vec![1], 1, 1.0)];
    let e = api::call("protect_table", &magnitude_args(&rows, &[2])).err().unwrap();
    assert!(e.to_string().starts_with("argument `p`: a magnitude table needs a sensitivity rule"), "{e}");
    let e = api::call("protect_table", &magnitude_args(&rows, &[2]).with("p", Arg::Num(10.0)).with("threshold", Arg::Num(3.0)))
        .err()
        .unwrap();
    assert!(e.to_string().starts_with("argument `threshold`: applies to count tables"), "{e}");
    let e = api::call("protect_table", &magnitude_args(&rows, &[2]).with("dominance_n", Arg::Num(1.0))).err().unwrap();
    assert!(e.to_string().starts_with("argument `dominance`"), "{e}");
    let e = api::call("protect_table", &table_args(&[1.0, 2.0], &[2]).with("p", Arg::Num(10.0))).err().unwrap();
    assert!(e.to_string().starts_with("argument `p`: applies to magnitude tables"), "{e}");
}

/// A hierarchy for dimension `a` as (child, parent) labels over leaves `l0..`.
fn hier(pairs: &[(&str, &str)]) -> Arg<'static> {
    Arg::Record(Args::new().with(
        "a",
        Arg::Record(
            Args::new()
                .with("child", Arg::Strs(pairs.iter().map(|p| p.0.to_string()).collect()))
                .with("parent", Arg::Strs(pairs.iter().map(|p| p.1.to_string()).collect())),
        ),
    ))
}

/// Every equation of the protected table: (cells of the children, cell of the node) by
/// output row, from the dimension columns and the tree; checks additivity and returns
/// the equations.
fn tree_equations(t: &hrrstats::protocol::Table, dims: &[&str], parent_of: &[Box<dyn Fn(i64) -> Option<i64>>]) -> Vec<(Vec<usize>, usize)> {
    let coords: Vec<Vec<i64>> = dims.iter().map(|n| col(t, n).iter().map(|&v| v as i64).collect()).collect();
    let mut index = std::collections::HashMap::new();
    for i in 0..t.nrow() {
        index.insert((0..dims.len()).map(|d| coords[d][i]).collect::<Vec<i64>>(), i);
    }
    let count = col(t, "count");
    let mut eqs: std::collections::HashMap<(usize, usize), Vec<usize>> = Default::default();
    for i in 0..t.nrow() {
        for d in 0..dims.len() {
            if let Some(p) = parent_of[d](coords[d][i]) {
                let mut key: Vec<i64> = (0..dims.len()).map(|e| coords[e][i]).collect();
                key[d] = p;
                eqs.entry((index[&key], d)).or_default().push(i);
            }
        }
    }
    let out: Vec<(Vec<usize>, usize)> = eqs.into_iter().map(|((node, _), ch)| (ch, node)).collect();
    for (ch, node) in &out {
        let s: f64 = ch.iter().map(|&c| count[c]).sum();
        assert!((s - count[*node]).abs() < 1e-9, "subtotal {node} is not the sum of its children");
    }
    out
}

#[test]
fn hierarchies_protect_every_level() {
    // municipalities l0..l5 in counties A (l0, l1, l2) and B (l3, l4, l5), counties in
    // region R, crossed with 3 columns
    let pairs = [("l0", "A"), ("l1", "A"), ("l2", "A"), ("l3", "B"), ("l4", "B"), ("l5", "B"), ("A", "R"), ("B", "R")];
    let mut rng = Rng::new(73);
    for trial in 0..10 {
        let levels = vec![6, 3];
        let values = random_table(&mut rng, &levels, 20, 15);
        let a = table_args(&values, &levels).with("hierarchies", hier(&pairs));
        let v = api::call("protect_table", &a).unwrap().value;
        let Value::Record(r) = v else { panic!() };
        let Some(Value::Record(lab)) = r.get("labels") else { panic!() };
        assert_eq!(lab.get("a"), Some(&Value::Strs(["l0", "l1", "l2", "l3", "l4", "l5", "A", "B", "R"].map(String::from).to_vec())));
        let t = table_of(&a);
        // 6 leaves + A, B, R + the total, by 3 columns + total
        assert_eq!(t.nrow(), 10 * 4);
        let pa: Box<dyn Fn(i64) -> Option<i64>> = Box::new(|x| match x {
            0..=2 => Some(6),
            3..=5 => Some(7),
            6 | 7 => Some(8),
            8 => Some(-1),
            _ => None,
        });
        let pb: Box<dyn Fn(i64) -> Option<i64>> = Box::new(|x| if x >= 0 { Some(-1) } else { None });
        let eqs = tree_equations(&t, &["a", "b"], &[pa, pb]);
        assert_eq!(eqs.len(), 4 * 4 + 10);
        let (count, sup, reason, lo, hi) = (col(&t, "count"), col(&t, "suppressed"), strs(&t, "reason"), col(&t, "lower"), col(&t, "upper"));
        for i in 0..t.nrow() {
            if count[i] > 0.0 && count[i] < 5.0 {
                assert_eq!(reason[i], "primary");
            }
            if reason[i] == "primary" {
                assert!(hi[i] - lo[i] >= 5.0, "trial {trial}: row {i} in [{}, {}]", lo[i], hi[i]);
            }
        }
        // no equation (at any level) with exactly one suppressed cell
        for (ch, node) in &eqs {
            let n = ch.iter().filter(|&&c| sup[c] > 0.0).count() + (sup[*node] > 0.0) as usize;
            assert!(n != 1, "trial {trial}: an equation with one suppressed cell");
        }
    }
}

#[test]
fn hierarchy_bad_input() {
    let a = table_args(&[1.0, 2.0, 3.0], &[3]);
    let e = api::call("protect_table", &a.clone().with("hierarchies", hier(&[("l0", "X"), ("X", "Y"), ("Y", "X")]))).err().unwrap();
    assert!(e.to_string().starts_with("argument `hierarchies`: dimension `a`"), "{e}");
    let e = api::call("protect_table", &a.clone().with("hierarchies", hier(&[("l0", "X"), ("l0", "Y")]))).err().unwrap();
    assert_eq!(e.to_string(), "argument `hierarchies`: dimension `a`: `l0` has two parents (`X` and `Y`)");
    let e = api::call("protect_table", &a.clone().with("hierarchies", hier(&[("l0", "l1")]))).err().unwrap();
    assert!(e.to_string().contains("`l1` is a level in the data and a subtotal"), "{e}");
}

/// Checks of a controlled rounding: multiples of the base, within the base of the
/// original (exact multiples unchanged, zeros zero), and additive.
fn check_rounding(t: &hrrstats::protocol::Table, base: f64, eqs: &[(Vec<usize>, usize)]) {
    let (count, rounded) = (col(t, "count"), col(t, "rounded"));
    for i in 0..t.nrow() {
        let (x, r) = (count[i], rounded[i]);
        assert_eq!(r, (r / base).round() * base, "not a multiple");
        assert!((r - x).abs() < base, "{x} -> {r}");
        if x == (x / base).round() * base {
            assert_eq!(r, x, "a multiple of the base changed");
        }
    }
    for (ch, node) in eqs {
        let s: f64 = ch.iter().map(|&c| rounded[c]).sum();
        assert_eq!(s, rounded[*node], "the rounded table does not add up");
    }
}

fn flat_parent(levels: usize) -> Box<dyn Fn(i64) -> Option<i64>> {
    Box::new(move |x| if x >= 0 && (x as usize) < levels { Some(-1) } else { None })
}

#[test]
fn controlled_rounding_of_random_two_dimensional_tables_always_exists() {
    let mut rng = Rng::new(74);
    for trial in 0..60 {
        let levels = vec![1 + rng.below(8), 1 + rng.below(8)];
        let values = random_table(&mut rng, &levels, 30, 30);
        let base = [3.0, 5.0, 10.0][trial % 3];
        let t = table_of(&table_args(&values, &levels).with("method", Arg::Str("round".into())).with("base", Arg::Num(base)).without_exact());
        let eqs = tree_equations(&t, &["a", "b"], &[flat_parent(levels[0]), flat_parent(levels[1])]);
        check_rounding(&t, base, &eqs);
    }
    // one dimension
    for _ in 0..20 {
        let levels = vec![1 + rng.below(12)];
        let values = random_table(&mut rng, &levels, 30, 30);
        let t = table_of(&table_args(&values, &levels).with("method", Arg::Str("round".into())).with("base", Arg::Num(3.0)).without_exact());
        let eqs = tree_equations(&t, &["a"], &[flat_parent(levels[0])]);
        check_rounding(&t, 3.0, &eqs);
    }
}

#[test]
fn controlled_rounding_with_subtotals_and_three_dimensions_or_a_clear_error() {
    let pairs = [("l0", "A"), ("l1", "A"), ("l2", "B"), ("l3", "B")];
    let mut rng = Rng::new(75);
    let mut found = 0;
    for _ in 0..10 {
        let values = random_table(&mut rng, &[4, 3], 30, 30);
        let a = table_args(&values, &[4, 3]).with("method", Arg::Str("round".into())).with("hierarchies", hier(&pairs)).without_exact();
        match api::call("protect_table", &a) {
            Ok(_) => {
                found += 1;
                let t = table_of(&a);
                let pa: Box<dyn Fn(i64) -> Option<i64>> = Box::new(|x| match x {
                    0 | 1 => Some(4),
                    2 | 3 => Some(5),
                    4 | 5 => Some(-1),
                    _ => None,
                });
                let eqs = tree_equations(&t, &["a", "b"], &[pa, flat_parent(3)]);
                check_rounding(&t, 5.0, &eqs);
            }
            Err(e) => assert!(e.to_string().starts_with("argument `method`: no controlled rounding was found"), "{e}"),
        }
        let values = random_table(&mut rng, &[3, 3, 2], 30, 30);
        let a = table_args(&values, &[3, 3, 2]).with("method", Arg::Str("round".into())).without_exact();
        match api::call("protect_table", &a) {
            Ok(_) => {
                found += 1;
                let t = table_of(&a);
                let eqs = tree_equations(&t, &["a", "b", "c"], &[flat_parent(3), flat_parent(3), flat_parent(2)]);
                check_rounding(&t, 5.0, &eqs);
            }
            Err(e) => assert!(e.to_string().starts_with("argument `method`: no controlled rounding was found"), "{e}"),
        }
    }
    eprintln!("roundings found: {found} of 20");
    assert!(found > 0);
    let e = api::call("protect_table", &table_args(&[1.0, 2.0], &[2]).with("method", Arg::Str("round".into()))).err().unwrap();
    assert!(e.to_string().starts_with("argument `exact_intervals`: applies to method = \"suppress\""), "{e}");
    let e = api::call("protect_table", &table_args(&[1.0, 2.0], &[2]).without_exact().with("method", Arg::Str("round".into())).with("threshold", Arg::Num(3.0)))
        .err()
        .unwrap();
    assert!(e.to_string().starts_with("argument `threshold`: applies to method = \"suppress\""), "{e}");
}

trait WithoutExact {
    fn without_exact(self) -> Self;
}
impl WithoutExact for Args<'static> {
    fn without_exact(mut self) -> Self {
        self.items.retain(|(n, _)| n != "exact_intervals");
        self
    }
}

#[test]
fn hierarchies_in_two_dimensions_and_in_three_dimensional_tables() {
    // a: l0..l5 in A (l0-l2), B (l3-l5), both in R; b: l0..l3 in X (l0, l1), Y (l2, l3)
    let rec = |pairs: &[(&str, &str)]| {
        Arg::Record(
            Args::new()
                .with("child", Arg::Strs(pairs.iter().map(|p| p.0.to_string()).collect()))
                .with("parent", Arg::Strs(pairs.iter().map(|p| p.1.to_string()).collect())),
        )
    };
    let ha = [("l0", "A"), ("l1", "A"), ("l2", "A"), ("l3", "B"), ("l4", "B"), ("l5", "B"), ("A", "R"), ("B", "R")];
    let hb = [("l0", "X"), ("l1", "X"), ("l2", "Y"), ("l3", "Y")];
    let pa = || -> Box<dyn Fn(i64) -> Option<i64>> {
        Box::new(|x| match x {
            0..=2 => Some(6),
            3..=5 => Some(7),
            6 | 7 => Some(8),
            8 => Some(-1),
            _ => None,
        })
    };
    let pb = || -> Box<dyn Fn(i64) -> Option<i64>> {
        Box::new(|x| match x {
            0 | 1 => Some(4),
            2 | 3 => Some(5),
            4 | 5 => Some(-1),
            _ => None,
        })
    };
    let mut rng = Rng::new(76);
    for trial in 0..8 {
        let three = trial % 2 == 1;
        let levels: Vec<usize> = if three { vec![6, 4, 2] } else { vec![6, 4] };
        let values = random_table(&mut rng, &levels, 20, 15);
        let h = Arg::Record(Args::new().with("a", rec(&ha)).with("b", rec(&hb)));
        let a = fast_args(&values, &levels).with("hierarchies", h);
        let t = table_of(&a);
        let eqs = if three {
            tree_equations(&t, &["a", "b", "c"], &[pa(), pb(), flat_parent(2)])
        } else {
            tree_equations(&t, &["a", "b"], &[pa(), pb()])
        };
        let (count, sup, reason, lo, hi) = (col(&t, "count"), col(&t, "suppressed"), strs(&t, "reason"), col(&t, "lower"), col(&t, "upper"));
        assert_eq!(t.nrow(), 10 * 7 * if three { 3 } else { 1 });
        for i in 0..t.nrow() {
            if count[i] > 0.0 && count[i] < 5.0 {
                assert_eq!(reason[i], "primary");
            }
            if reason[i] == "primary" {
                assert!(hi[i] - lo[i] >= 5.0, "trial {trial}: row {i} in [{}, {}]", lo[i], hi[i]);
            }
        }
        for (ch, node) in &eqs {
            let n = ch.iter().filter(|&&c| sup[c] > 0.0).count() + (sup[*node] > 0.0) as usize;
            assert!(n != 1, "trial {trial}: an equation with one suppressed cell");
        }
    }
}
