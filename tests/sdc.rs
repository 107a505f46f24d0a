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
