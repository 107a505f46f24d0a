//! Lexis splitting and person-time tables against Epi::splitLexis / popEpi::splitMulti
//! (fixtures from tests/reference/generate_lexis.R).
mod common;
use common::{assert_close_tol, Table};

/// The issue asks 1e-10 for rows, person-time and events per cell.
const TOL: f64 = 1e-10;

fn assert_close(what: &str, ours: &[f64], theirs: &[f64]) {
    assert_close_tol(what, ours, theirs, TOL)
}
use hrrstats::{LexisData, LexisSplit, SplitRows};

fn parse_breaks(s: &str) -> Vec<(String, Vec<f64>)> {
    s.split(';')
        .map(|part| {
            let (name, vals) = part.split_once('=').unwrap();
            (
                name.to_string(),
                vals.split(' ').map(|v| v.parse().unwrap()).collect(),
            )
        })
        .collect()
}

/// Every split row against an Epi/popEpi split file (id, each scale's value and band,
/// duration, entry and exit states); a scale that is not split has band NA there.
fn check_split_rows(name: &str, rows: &SplitRows, ids: &[f64], scales: &[String], r: &Table) {
    assert_close(&format!("{name} id"), ids, &r.num("id"));
    for (s, sc) in scales.iter().enumerate() {
        assert_close(&format!("{name} {sc}"), &rows.start[s], &r.num(sc));
        let band = match rows.split_scales.iter().position(|&k| k == s) {
            Some(k) => rows.band[k].clone(),
            None => vec![f64::NAN; rows.len()],
        };
        assert_close(
            &format!("{name} {sc}_band"),
            &band,
            &r.num(&format!("{sc}_band")),
        );
    }
    assert_close(
        &format!("{name} lex_dur"),
        &rows.duration,
        &r.num("lex_dur"),
    );
    assert_close(
        &format!("{name} lex_Cst"),
        &rows.entry_status,
        &r.num("lex_Cst"),
    );
    assert_close(&format!("{name} lex_Xst"), &rows.status, &r.num("lex_Xst"));
}

#[test]
fn lexis_split_and_table_match_epi_and_popepi() {
    let m = Table::read("lexis_cases.csv");
    assert!(m.nrow >= 7);
    for i in 0..m.nrow {
        let get = |c: &str| m.str(c)[i].clone();
        let name = get("case");
        let d = Table::read(&format!("data_{}.csv", get("data")));
        let scales: Vec<String> = get("scales").split(' ').map(String::from).collect();
        let entry_cols: Vec<String> = get("entry").split(' ').map(String::from).collect();
        let entry_vals: Vec<Vec<f64>> = entry_cols.iter().map(|c| d.num(c)).collect();
        let (exit, status, cst) = (
            d.num(&get("exit")),
            d.num(&get("status")),
            d.num(&get("entry_status")),
        );
        let ids = d.num("id");
        let data = LexisData::new(
            scales
                .iter()
                .cloned()
                .zip(entry_vals.iter().map(|v| v.as_slice()))
                .collect(),
            &exit,
            &status,
        )
        .unwrap()
        .with_entry_status(&cst)
        .unwrap();
        let breaks = parse_breaks(&get("breaks"));
        let br: Vec<(&str, &[f64])> = breaks
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .collect();
        let split = LexisSplit::new(&data, &br, get("drop") == "TRUE").unwrap();

        // Split rows, in id then time order.
        let rows = split.split(&data);
        let r = Table::read(&format!("lexis_{name}_split.csv"));
        let ours_id: Vec<f64> = rows.row.iter().map(|&k| ids[k as usize]).collect();
        check_split_rows(&name, &rows, &ours_id, &scales, &r);

        // Person-time table, cell by cell (computed without materialising the split).
        let t = split.person_time_table(&data, &[]).unwrap();
        let f = Table::read(&format!("lexis_{name}_table.csv"));
        let band_cols: Vec<String> = breaks.iter().map(|(n, _)| format!("{n}_band")).collect();
        let key = |vals: Vec<f64>| -> String {
            vals.iter()
                .map(|v| format!("{v}"))
                .collect::<Vec<_>>()
                .join("|")
        };
        let mut ours = std::collections::HashMap::new();
        for c in 0..t.person_time.len() {
            let mut k: Vec<f64> = (0..band_cols.len()).map(|j| t.band[j][c]).collect();
            k.push(t.entry_status[c]);
            let tr = |state: f64| {
                t.states
                    .iter()
                    .position(|&s| s == state)
                    .map_or(0.0, |si| t.transitions[si][c])
            };
            ours.insert(key(k), [t.person_time[c], t.pieces[c], tr(1.0), tr(2.0)]);
        }
        assert_eq!(ours.len(), f.nrow, "{name}: number of cells");
        let cols: Vec<Vec<f64>> = band_cols.iter().map(|c| f.num(c)).collect();
        let (cst_col, pyrs, pieces, e1, e2) = (
            f.num("lex_Cst"),
            f.num("pyrs"),
            f.num("pieces"),
            f.num("events_1"),
            f.num("events_2"),
        );
        for c in 0..f.nrow {
            let mut k: Vec<f64> = cols.iter().map(|col| col[c]).collect();
            k.push(cst_col[c]);
            let got = ours
                .get(&key(k.clone()))
                .unwrap_or_else(|| panic!("{name}: no cell {k:?}"));
            assert_close(
                &format!("{name} cell {k:?}"),
                got,
                &[pyrs[c], pieces[c], e1[c], e2[c]],
            );
        }
    }
}

fn parse_nums(s: &str) -> Vec<f64> {
    s.split(' ')
        .filter(|x| !x.is_empty())
        .map(|v| v.parse().unwrap())
        .collect()
}

#[test]
fn cut_lexis_matches_epi_cutlexis() {
    let m = Table::read("lexis_cut_cases.csv");
    assert!(m.nrow >= 6);
    for i in 0..m.nrow {
        let get = |c: &str| m.str(c)[i].clone();
        let name = get("case");
        let d = Table::read(&format!("data_{}.csv", get("data")));
        let scales: Vec<String> = get("scales").split(' ').map(String::from).collect();
        let entry_vals: Vec<Vec<f64>> = get("entry").split(' ').map(|c| d.num(c)).collect();
        let (exit, status, cst) = (
            d.num(&get("exit")),
            d.num(&get("status")),
            d.num(&get("entry_status")),
        );
        let (cut, new_state, ids) = (d.num(&get("cut")), d.num(&get("new_state")), d.num("id"));
        let data = LexisData::new(
            scales
                .iter()
                .cloned()
                .zip(entry_vals.iter().map(|v| v.as_slice()))
                .collect(),
            &exit,
            &status,
        )
        .unwrap()
        .with_entry_status(&cst)
        .unwrap();
        let pre = parse_nums(&get("precursor_states"));
        let cr = hrrstats::cut_lexis(
            &data,
            &cut,
            &get("timescale"),
            &new_state,
            Some(&pre),
            get("progressive") == "TRUE",
        )
        .unwrap();
        let r = Table::read(&format!("lexis_cut_{name}.csv"));
        if get("breaks").is_empty() {
            let ours_id: Vec<f64> = cr.row.iter().map(|&k| ids[k as usize]).collect();
            assert_close(&format!("{name} id"), &ours_id, &r.num("id"));
            for (s, sc) in scales.iter().enumerate() {
                assert_close(&format!("{name} {sc}"), &cr.at_entry[s], &r.num(sc));
            }
            assert_close(
                &format!("{name} lex_dur"),
                &cr.duration(),
                &r.num("lex_dur"),
            );
            assert_close(
                &format!("{name} lex_Cst"),
                &cr.entry_status,
                &r.num("lex_Cst"),
            );
            assert_close(&format!("{name} lex_Xst"), &cr.status, &r.num("lex_Xst"));
            if pre == [0.0] {
                // Epi's default precursor states (transient()) are the states with time.
                let dflt = hrrstats::cut_lexis(
                    &data,
                    &cut,
                    &get("timescale"),
                    &new_state,
                    None,
                    get("progressive") == "TRUE",
                )
                .unwrap();
                assert_eq!(dflt.status, cr.status, "{name}: default precursor states");
            }
        } else {
            // Cut, then split.
            let cd = cr.lexis_data().unwrap();
            let breaks = parse_breaks(&get("breaks"));
            let br: Vec<(&str, &[f64])> = breaks
                .iter()
                .map(|(n, b)| (n.as_str(), b.as_slice()))
                .collect();
            let rows = LexisSplit::new(&cd, &br, get("drop") == "TRUE")
                .unwrap()
                .split(&cd);
            let ours_id: Vec<f64> = rows
                .row
                .iter()
                .map(|&k| ids[cr.row[k as usize] as usize])
                .collect();
            check_split_rows(&name, &rows, &ours_id, &scales, &r);
        }
    }
}

#[test]
fn person_time_table_by_groups_adds_up_to_the_split() {
    // The table with a by-variable equals the materialised split aggregated by hand.
    let d = Table::read("data_lexis_sim.csv");
    let (entry, age, exit, status, sex) = (
        d.num("entry"),
        d.num("age_at_entry"),
        d.num("exit"),
        d.num("status"),
        d.num("sex"),
    );
    let data = LexisData::new(
        vec![("per".into(), &entry[..]), ("age".into(), &age[..])],
        &exit,
        &status,
    )
    .unwrap();
    let (age_br, per_br) = (
        [30., 40., 50., 60., 70., 80., 90., 100.],
        [2000., 2005., 2010., 2015., 2021.],
    );
    for drop in [true, false] {
        let sp = LexisSplit::new(&data, &[("age", &age_br), ("per", &per_br)], drop).unwrap();
        let rows = sp.split(&data);
        let codes: Vec<u32> = sex.iter().map(|&s| s as u32 - 1).collect();
        let t = sp.person_time_table(&data, &[(&codes, 2)]).unwrap();
        let mut expect = std::collections::BTreeMap::new();
        for k in 0..rows.len() {
            let key = (
                rows.band[0][k].to_bits(),
                rows.band[1][k].to_bits(),
                codes[rows.row[k] as usize],
            );
            let e = expect.entry(key).or_insert([0.0; 3]);
            e[0] += rows.duration[k];
            e[1] += 1.0;
            e[2] += f64::from(rows.status[k] == 1.0);
        }
        assert_eq!(t.person_time.len(), expect.len(), "drop {drop}: cells");
        let s1 = t.states.iter().position(|&s| s == 1.0).unwrap();
        for c in 0..t.person_time.len() {
            let key = (t.band[0][c].to_bits(), t.band[1][c].to_bits(), t.by[0][c]);
            let e = expect[&key];
            assert_close(
                &format!("drop {drop} cell {c}"),
                &[t.person_time[c], t.pieces[c], t.transitions[s1][c]],
                &e,
            );
        }
    }
}
