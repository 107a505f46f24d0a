//! Lexis splitting and person-time tables against Epi::splitLexis / popEpi::splitMulti
//! (fixtures from tests/reference/generate_lexis.R).
mod common;
use common::{assert_close, Table};
use hrrstats::{LexisData, LexisSplit};

fn parse_breaks(s: &str) -> Vec<(String, Vec<f64>)> {
    s.split(';')
        .map(|part| {
            let (name, vals) = part.split_once('=').unwrap();
            (name.to_string(), vals.split(' ').map(|v| v.parse().unwrap()).collect())
        })
        .collect()
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
        let (exit, status, cst) = (d.num(&get("exit")), d.num(&get("status")), d.num(&get("entry_status")));
        let ids = d.num("id");
        let data = LexisData::new(scales.iter().cloned().zip(entry_vals.iter().map(|v| v.as_slice())).collect(), &exit, &status)
            .unwrap()
            .with_entry_status(&cst)
            .unwrap();
        let breaks = parse_breaks(&get("breaks"));
        let br: Vec<(&str, &[f64])> = breaks.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
        let split = LexisSplit::new(&data, &br, get("drop") == "TRUE").unwrap();

        // Split rows, in id then time order.
        let rows = split.split(&data);
        let r = Table::read(&format!("lexis_{name}_split.csv"));
        let ours_id: Vec<f64> = rows.row.iter().map(|&k| ids[k as usize]).collect();
        assert_close(&format!("{name} id"), &ours_id, &r.num("id"));
        for (s, sc) in scales.iter().enumerate() {
            assert_close(&format!("{name} {sc}"), &rows.start[s], &r.num(sc));
            let band = match rows.split_scales.iter().position(|&k| k == s) {
                Some(k) => rows.band[k].clone(),
                None => vec![f64::NAN; rows.len()],
            };
            assert_close(&format!("{name} {sc}_band"), &band, &r.num(&format!("{sc}_band")));
        }
        assert_close(&format!("{name} lex_dur"), &rows.duration, &r.num("lex_dur"));
        assert_close(&format!("{name} lex_Cst"), &rows.entry_status, &r.num("lex_Cst"));
        assert_close(&format!("{name} lex_Xst"), &rows.status, &r.num("lex_Xst"));

        // Person-time table, cell by cell (computed without materialising the split).
        let t = split.person_time_table(&data);
        let f = Table::read(&format!("lexis_{name}_table.csv"));
        let band_cols: Vec<String> = breaks.iter().map(|(n, _)| format!("{n}_band")).collect();
        let key = |vals: Vec<f64>| -> String { vals.iter().map(|v| format!("{v}")).collect::<Vec<_>>().join("|") };
        let mut ours = std::collections::HashMap::new();
        for c in 0..t.person_time.len() {
            let mut k: Vec<f64> = (0..band_cols.len()).map(|j| t.band[j][c]).collect();
            k.push(t.entry_status[c]);
            let tr = |state: f64| t.states.iter().position(|&s| s == state).map_or(0.0, |si| t.transitions[si][c]);
            ours.insert(key(k), [t.person_time[c], t.pieces[c], tr(1.0), tr(2.0)]);
        }
        assert_eq!(ours.len(), f.nrow, "{name}: number of cells");
        let cols: Vec<Vec<f64>> = band_cols.iter().map(|c| f.num(c)).collect();
        let (cst_col, pyrs, pieces, e1, e2) = (f.num("lex_Cst"), f.num("pyrs"), f.num("pieces"), f.num("events_1"), f.num("events_2"));
        for c in 0..f.nrow {
            let mut k: Vec<f64> = cols.iter().map(|col| col[c]).collect();
            k.push(cst_col[c]);
            let got = ours.get(&key(k.clone())).unwrap_or_else(|| panic!("{name}: no cell {k:?}"));
            assert_close(&format!("{name} cell {k:?}"), got, &[pyrs[c], pieces[c], e1[c], e2[c]]);
        }
    }
}
