//! Comorbidity indices from ICD-10 diagnosis codes: Charlson and Elixhauser.
//!
//! For each person `i` and category `c`, the flag is `x_ic = 1` if any of the person's
//! codes (inside the look-back window, if one is given) starts with one of the
//! category's ICD-10 prefixes; the score is `sum_c w_c x*_ic`, where `x*` applies the
//! hierarchy rules (the less severe form of a condition does not count when the more
//! severe form is present; the flags themselves are reported as found), as the R
//! `comorbidity` package and Python `comorbidipy` compute it.
//!
//! Code lists: Quan H, Sundararajan V, Halfon P, et al. Coding algorithms for defining
//! comorbidities in ICD-9-CM and ICD-10 administrative data. Med Care 2005;43:1130–9
//! (the ICD-10 columns of its Tables 1 and 2: Charlson, 17 categories; Elixhauser, 31
//! categories, hypertension split into uncomplicated and complicated), transcribed as
//! in the R `comorbidity` package (Gasparini 2018) and `comorbidipy`.
//!
//! Weights: Charlson ME, Pompei P, Ales KL, MacKenzie CR. J Chronic Dis 1987;40:373–83
//! ("charlson"); Quan H, Li B, Couris CM, et al. Am J Epidemiol 2011;173:676–82
//! ("quan"); van Walraven C, Austin PC, Jennings A, et al. Med Care 2009;47:626–33
//! ("van_walraven"); the Swiss Elixhauser weights of `comorbidipy` ("swiss"); the AHRQ
//! Elixhauser mortality and readmission indices of Moore et al. (Med Care 2017;55:698–705;
//! "ahrq_mortality", "ahrq_readmission"; not in comorbidipy: the published table). Scores are
//! not truncated at zero (van Walraven scores can be negative; comorbidipy truncates).
//!
//! Hierarchies: Charlson: diabetes with complications over diabetes, metastatic solid
//! tumour over any malignancy, moderate/severe over mild liver disease. Elixhauser:
//! complicated over uncomplicated hypertension and diabetes, metastatic cancer over
//! solid tumour without metastasis.
//!
//! Matching: a code is upper-cased and stripped of dots, spaces and other
//! non-alphanumeric characters ("c50.9", "C50 9" and "C509" are the same), then looked
//! up by binary search of its prefixes in a sorted prefix table, once per distinct code;
//! rows are then one table look-up and an OR into the person's bit mask: O(n) in the
//! rows plus O(k log P) in the k distinct codes.

use crate::error::{Error, Result};

/// One category of an index.
#[derive(Debug, Clone, Copy)]
pub struct Category {
    /// Column name (as the R comorbidity package and comorbidipy).
    pub name: &'static str,
    /// Description.
    pub label: &'static str,
    /// ICD-10 prefixes (no dots, upper case).
    pub prefixes: &'static [&'static str],
}

/// The index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Index {
    #[default]
    Charlson,
    Elixhauser,
}
crate::option_enum!(Index, "index", "charlson" => Index::Charlson, "elixhauser" => Index::Elixhauser);

/// The score's weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weights {
    /// Charlson et al. (1987).
    Charlson,
    /// Quan et al. (2011).
    Quan,
    /// van Walraven et al. (2009).
    VanWalraven,
    /// Swiss Elixhauser weights (as comorbidipy).
    Swiss,
    /// AHRQ Elixhauser mortality index (Moore et al. 2017).
    AhrqMortality,
    /// AHRQ Elixhauser readmission index (Moore et al. 2017).
    AhrqReadmission,
}
impl Default for Weights {
    fn default() -> Self {
        Weights::Charlson
    }
}
crate::option_enum!(Weights, "weights",
    "charlson" => Weights::Charlson, "quan" => Weights::Quan,
    "van_walraven" => Weights::VanWalraven, "vw" => Weights::VanWalraven,
    "swiss" => Weights::Swiss, "ahrq_mortality" => Weights::AhrqMortality,
    "ahrq" => Weights::AhrqMortality, "ahrq_readmission" => Weights::AhrqReadmission);

impl Index {
    pub fn categories(self) -> &'static [Category] {
        match self {
            Index::Charlson => CHARLSON,
            Index::Elixhauser => ELIXHAUSER,
        }
    }
    /// The default weights of the index.
    pub fn default_weights(self) -> Weights {
        match self {
            Index::Charlson => Weights::Charlson,
            Index::Elixhauser => Weights::VanWalraven,
        }
    }
    /// (more severe, less severe) category positions.
    fn hierarchy(self) -> &'static [(usize, usize)] {
        match self {
            // msld over mld, diabwc over diab, metacanc over canc
            Index::Charlson => &[(14, 8), (10, 9), (15, 13)],
            // hypc over hypunc, diabc over diabunc, metacanc over solidtum
            Index::Elixhauser => &[(6, 5), (11, 10), (18, 19)],
        }
    }
    /// The weights, one per category, or an error if `w` does not belong to the index.
    pub fn weights(self, w: Weights) -> Result<&'static [f64]> {
        match (self, w) {
            (Index::Charlson, Weights::Charlson) => Ok(&W_CHARLSON),
            (Index::Charlson, Weights::Quan) => Ok(&W_QUAN),
            (Index::Elixhauser, Weights::VanWalraven) => Ok(&W_VW),
            (Index::Elixhauser, Weights::Swiss) => Ok(&W_SWISS),
            (Index::Elixhauser, Weights::AhrqMortality) => Ok(&W_AHRQ_MORTALITY),
            (Index::Elixhauser, Weights::AhrqReadmission) => Ok(&W_AHRQ_READMISSION),
            _ => Err(Error::InvalidArgument {
                arg: "weights",
                reason: format!(
                    "\"{}\" is not a weighting of the {} index; accepted: {}",
                    crate::options::OptionEnum::name(w),
                    crate::options::OptionEnum::name(self),
                    match self {
                        Index::Charlson => "\"charlson\", \"quan\"",
                        Index::Elixhauser => "\"van_walraven\", \"swiss\", \"ahrq_mortality\", \"ahrq_readmission\"",
                    }
                ),
            }),
        }
    }
}

const W_CHARLSON: [f64; 17] = [1., 1., 1., 1., 1., 1., 1., 1., 1., 1., 2., 2., 2., 2., 3., 6., 6.];
const W_QUAN: [f64; 17] = [0., 2., 0., 0., 2., 1., 1., 0., 2., 0., 1., 2., 1., 2., 4., 6., 2.];
const W_VW: [f64; 31] = [
    7., 5., -1., 4., 2., 0., 0., 7., 6., 3., 0., 0., 0., 5., 11., 0., 0., 9., 12., 4., 0., 3.,
    -4., 6., 5., -2., -2., 0., -7., 0., -3.,
];
const W_SWISS: [f64; 31] = [
    13., 6., -1., 6., 3., -4., -3., 11., 10., 3., 1., -1., -3., 8., 16., 0., 0., 9., 17., 10.,
    -1., 9., -6., 6., 5., -5., -7., -3., -5., -4., -3.,
];

// AHRQ Elixhauser comorbidity indices (Moore BJ, White S, Washington R, Coenen N,
// Elixhauser A. Identifying increased risk of readmission and in-hospital mortality using
// hospital administrative data: the AHRQ Elixhauser Comorbidity Index. Med Care
// 2017;55:698-705), as published by AHRQ/HCUP in comindex2012-2015.txt (mw*/rw*): 29
// comorbidities. Mapped onto the 31 Quan (2005) categories: cardiac arrhythmias is not in
// the AHRQ set (0); hypertension uncomplicated and complicated are AHRQ's one HTN_C (-1
// in both indices: counted once, through the hypertension hierarchy); DM/DMCX,
// TUMOR/METS as the Elixhauser hierarchy. The AHRQ indices were derived on the AHRQ
// comorbidity definitions (HCUP software), not on Quan's ICD-10 lists used here.
const W_AHRQ_MORTALITY: [f64; 31] = [
    9., 0., 0., 6., 3., -1., -1., 5., 5., 3., 0., -3., 0., 6., 4., 0., 0., 6., 14., 7., 0., 11.,
    -5., 9., 11., -3., -2., -1., -7., -5., -5.,
];
const W_AHRQ_READMISSION: [f64; 31] = [
    13., 0., 0., 5., 4., -1., -1., 6., 7., 8., 6., 9., 0., 15., 10., 0., 19., 16., 21., 15., 4.,
    7., -3., 10., 8., 3., 9., 6., 14., 10., 4.,
];

/// Longest normalised code considered (ICD-10 codes have at most 7 characters).
const MAX_CODE: usize = 16;

/// A code upper-cased with everything but letters and digits removed, into `buf`;
/// returns the used length (codes longer than [`MAX_CODE`] are cut: prefixes are short).
pub fn normalise(code: &str, buf: &mut [u8; MAX_CODE]) -> usize {
    let mut n = 0;
    for b in code.bytes() {
        if b.is_ascii_alphanumeric() {
            if n == MAX_CODE {
                break;
            }
            buf[n] = b.to_ascii_uppercase();
            n += 1;
        }
    }
    n
}

/// Sorted (prefix, category) pairs of an index for prefix look-up.
pub struct Matcher {
    table: Vec<(&'static [u8], u8)>,
    max_len: usize,
}

impl Matcher {
    pub fn new(index: Index) -> Matcher {
        let mut table: Vec<(&'static [u8], u8)> = index
            .categories()
            .iter()
            .enumerate()
            .flat_map(|(c, cat)| cat.prefixes.iter().map(move |p| (p.as_bytes(), c as u8)))
            .collect();
        table.sort_unstable();
        let max_len = table.iter().map(|(p, _)| p.len()).max().unwrap_or(0);
        Matcher { table, max_len }
    }
    /// The categories (bit mask) a code belongs to.
    pub fn mask(&self, code: &str) -> u64 {
        let mut buf = [0u8; MAX_CODE];
        let n = normalise(code, &mut buf);
        let mut mask = 0u64;
        for len in 1..=n.min(self.max_len) {
            let key = &buf[..len];
            let start = self.table.partition_point(|(p, _)| *p < key);
            for (p, c) in &self.table[start..] {
                if *p != key {
                    break;
                }
                mask |= 1u64 << c;
            }
        }
        mask
    }
}

/// Per-person flags and scores.
#[derive(Debug, Clone)]
pub struct Comorbidity {
    /// The persons (id codes) that have at least one row, in code order.
    pub ids: Vec<usize>,
    /// Category bit masks, one per person in `ids`.
    pub masks: Vec<u64>,
    /// Scores, one per person in `ids`.
    pub scores: Vec<f64>,
}

/// The look-back window: a row counts if `index_date - lookback <= date < index_date`.
pub struct Window<'a> {
    pub date: &'a [f64],
    /// One per row, or one for all rows.
    pub index_date: &'a [f64],
    /// Days (in the unit of the dates) before the index date; infinite: no lower bound.
    pub lookback: f64,
}

/// Flags and scores per id. `id`: codes `0..n_ids`; `code`: codes into `levels` (the
/// distinct diagnosis codes).
pub fn comorbidity(
    id: &[u32],
    n_ids: usize,
    code: &[u32],
    levels: &[String],
    window: Option<&Window>,
    index: Index,
    weights: Weights,
) -> Result<Comorbidity> {
    let n = id.len();
    if n == 0 {
        return Err(Error::Empty { arg: "id" });
    }
    if code.len() != n {
        return Err(Error::LengthMismatch { arg: "code", len: code.len(), expected_arg: "id", expected: n });
    }
    let w = index.weights(weights)?;
    if let Some(win) = window {
        if win.date.len() != n {
            return Err(Error::LengthMismatch { arg: "date", len: win.date.len(), expected_arg: "id", expected: n });
        }
        if win.index_date.len() != n && win.index_date.len() != 1 {
            return Err(Error::LengthMismatch {
                arg: "index_date",
                len: win.index_date.len(),
                expected_arg: "id",
                expected: n,
            });
        }
        if !(win.lookback >= 0.0) {
            return Err(Error::InvalidArgument {
                arg: "lookback",
                reason: format!("must be a non-negative number of days, got {}", win.lookback),
            });
        }
        for (arg, col) in [("date", win.date), ("index_date", win.index_date)] {
            if let Some(row) = col.iter().position(|v| !v.is_finite()) {
                return Err(Error::InvalidValue {
                    arg,
                    row,
                    value: col[row],
                    problem: if col[row].is_nan() { "missing value (NaN)" } else { "value is not finite" },
                });
            }
        }
    }
    let matcher = Matcher::new(index);
    let level_mask: Vec<u64> = levels.iter().map(|l| matcher.mask(l)).collect();
    let mut masks = vec![0u64; n_ids];
    let mut seen = vec![false; n_ids];
    for r in 0..n {
        let (i, c) = (id[r] as usize, code[r] as usize);
        if i >= n_ids {
            return Err(Error::InvalidValue { arg: "id", row: r, value: i as f64, problem: "code out of range" });
        }
        if c >= levels.len() {
            return Err(Error::InvalidValue { arg: "code", row: r, value: c as f64, problem: "code out of range" });
        }
        seen[i] = true;
        if let Some(win) = window {
            let idx = if win.index_date.len() == 1 { win.index_date[0] } else { win.index_date[r] };
            let d = win.date[r];
            if !(d < idx && d >= idx - win.lookback) {
                continue;
            }
        }
        masks[i] |= level_mask[c];
    }
    let hierarchy = index.hierarchy();
    let mut out = Comorbidity { ids: Vec::new(), masks: Vec::new(), scores: Vec::new() };
    for (i, (&m, &s)) in masks.iter().zip(&seen).enumerate() {
        if !s {
            continue;
        }
        out.ids.push(i);
        out.masks.push(m);
        out.scores.push(score(m, w, hierarchy));
    }
    Ok(out)
}

/// The weighted score of a mask with the hierarchy applied.
fn score(mask: u64, w: &[f64], hierarchy: &[(usize, usize)]) -> f64 {
    let mut m = mask;
    for &(hi, lo) in hierarchy {
        if m >> hi & 1 == 1 {
            m &= !(1u64 << lo);
        }
    }
    w.iter().enumerate().filter(|(c, _)| m >> c & 1 == 1).map(|(_, x)| x).sum()
}

// ---- code lists (Quan et al. 2005, ICD-10) -------------------------------------------------

/// Charlson categories: (column, label, ICD-10 prefixes).
pub const CHARLSON: &[Category] = &[
    Category { name: "ami", label: "acute myocardial infarction", prefixes: &["I21", "I22", "I252"] },
    Category { name: "chf", label: "congestive heart failure", prefixes: &["I099", "I110", "I130", "I132", "I255", "I420", "I425", "I426", "I427", "I428", "I429", "I43", "I50", "P290"] },
    Category { name: "pvd", label: "peripheral vascular disease", prefixes: &["I70", "I71", "I731", "I738", "I739", "I771", "I790", "I792", "K551", "K558", "K559", "Z958", "Z959"] },
    Category { name: "cevd", label: "cerebrovascular disease", prefixes: &["G45", "G46", "H340", "I60", "I61", "I62", "I63", "I64", "I65", "I66", "I67", "I68", "I69"] },
    Category { name: "dementia", label: "dementia", prefixes: &["F00", "F01", "F02", "F03", "F051", "G30", "G311"] },
    Category { name: "copd", label: "chronic obstructive pulmonary disease", prefixes: &["I278", "I279", "J40", "J41", "J42", "J43", "J44", "J45", "J46", "J47", "J60", "J61", "J62", "J63", "J64", "J65", "J66", "J67", "J684", "J701", "J703"] },
    Category { name: "rheumd", label: "rheumatoid disease", prefixes: &["M05", "M06", "M315", "M32", "M33", "M34", "M351", "M353", "M360"] },
    Category { name: "pud", label: "peptic ulcer disease", prefixes: &["K25", "K26", "K27", "K28"] },
    Category { name: "mld", label: "mild liver disease", prefixes: &["B18", "K700", "K701", "K702", "K703", "K709", "K713", "K714", "K715", "K717", "K73", "K74", "K760", "K762", "K763", "K764", "K768", "K769", "Z944"] },
    Category { name: "diab", label: "diabetes without complications", prefixes: &["E100", "E101", "E106", "E108", "E109", "E110", "E111", "E116", "E118", "E119", "E120", "E121", "E126", "E128", "E129", "E130", "E131", "E136", "E138", "E139", "E140", "E141", "E146", "E148", "E149"] },
    Category { name: "diabwc", label: "diabetes with complications", prefixes: &["E102", "E103", "E104", "E105", "E107", "E112", "E113", "E114", "E115", "E117", "E122", "E123", "E124", "E125", "E127", "E132", "E133", "E134", "E135", "E137", "E142", "E143", "E144", "E145", "E147"] },
    Category { name: "hp", label: "hemiplegia or paraplegia", prefixes: &["G041", "G114", "G801", "G802", "G81", "G82", "G830", "G831", "G832", "G833", "G834", "G839"] },
    Category { name: "rend", label: "renal disease", prefixes: &["I120", "I131", "N032", "N033", "N034", "N035", "N036", "N037", "N052", "N053", "N054", "N055", "N056", "N057", "N18", "N19", "N250", "Z490", "Z491", "Z492", "Z940", "Z992"] },
    Category { name: "canc", label: "cancer any malignancy", prefixes: &["C00", "C01", "C02", "C03", "C04", "C05", "C06", "C07", "C08", "C09", "C10", "C11", "C12", "C13", "C14", "C15", "C16", "C17", "C18", "C19", "C20", "C21", "C22", "C23", "C24", "C25", "C26", "C30", "C31", "C32", "C33", "C34", "C37", "C38", "C39", "C40", "C41", "C43", "C45", "C46", "C47", "C48", "C49", "C50", "C51", "C52", "C53", "C54", "C55", "C56", "C57", "C58", "C60", "C61", "C62", "C63", "C64", "C65", "C66", "C67", "C68", "C69", "C70", "C71", "C72", "C73", "C74", "C75", "C76", "C81", "C82", "C83", "C84", "C85", "C88", "C90", "C91", "C92", "C93", "C94", "C95", "C96", "C97"] },
    Category { name: "msld", label: "moderate or severe liver disease", prefixes: &["I850", "I859", "I864", "I982", "K704", "K711", "K721", "K729", "K765", "K766", "K767"] },
    Category { name: "metacanc", label: "metastatic solid tumour", prefixes: &["C77", "C78", "C79", "C80"] },
    Category { name: "aids", label: "AIDS or HIV", prefixes: &["B20", "B21", "B22", "B24"] },
];

/// Elixhauser categories: (column, label, ICD-10 prefixes).
pub const ELIXHAUSER: &[Category] = &[
    Category { name: "chf", label: "congestive heart failure", prefixes: &["I099", "I110", "I130", "I132", "I255", "I420", "I425", "I426", "I427", "I428", "I429", "I43", "I50", "P290"] },
    Category { name: "carit", label: "cardiac arrhythmias", prefixes: &["I441", "I442", "I443", "I456", "I459", "I47", "I48", "I49", "R000", "R001", "R008", "T821", "Z450", "Z950"] },
    Category { name: "valv", label: "valvular disease", prefixes: &["A520", "I05", "I06", "I07", "I08", "I091", "I098", "I34", "I35", "I36", "I37", "I38", "I39", "Q230", "Q231", "Q232", "Q233", "Z952", "Z953", "Z954"] },
    Category { name: "pcd", label: "pulmonary circulation disorders", prefixes: &["I26", "I27", "I280", "I288", "I289"] },
    Category { name: "pvd", label: "peripheral vascular disorders", prefixes: &["I70", "I71", "I731", "I738", "I739", "I771", "I790", "I792", "K551", "K558", "K559", "Z958", "Z959"] },
    Category { name: "hypunc", label: "hypertension uncomplicated", prefixes: &["I10"] },
    Category { name: "hypc", label: "hypertension complicated", prefixes: &["I11", "I12", "I13", "I15"] },
    Category { name: "para", label: "paralysis", prefixes: &["G041", "G114", "G801", "G802", "G81", "G82", "G830", "G831", "G832", "G833", "G834", "G839"] },
    Category { name: "ond", label: "other neurological disorders", prefixes: &["G10", "G11", "G12", "G13", "G20", "G21", "G22", "G254", "G255", "G312", "G318", "G319", "G32", "G35", "G36", "G37", "G40", "G41", "G931", "G934", "R470", "R56"] },
    Category { name: "cpd", label: "chronic pulmonary disease", prefixes: &["I278", "I279", "J40", "J41", "J42", "J43", "J44", "J45", "J46", "J47", "J60", "J61", "J62", "J63", "J64", "J65", "J66", "J67", "J684", "J701", "J703"] },
    Category { name: "diabunc", label: "diabetes uncomplicated", prefixes: &["E100", "E101", "E109", "E110", "E111", "E119", "E120", "E121", "E129", "E130", "E131", "E139", "E140", "E141", "E149"] },
    Category { name: "diabc", label: "diabetes complicated", prefixes: &["E102", "E103", "E104", "E105", "E106", "E107", "E108", "E112", "E113", "E114", "E115", "E116", "E117", "E118", "E122", "E123", "E124", "E125", "E126", "E127", "E128", "E132", "E133", "E134", "E135", "E136", "E137", "E138", "E142", "E143", "E144", "E145", "E146", "E147", "E148"] },
    Category { name: "hypothy", label: "hypothyroidism", prefixes: &["E00", "E01", "E02", "E03", "E890"] },
    Category { name: "rf", label: "renal failure", prefixes: &["I120", "I131", "N18", "N19", "N250", "Z490", "Z491", "Z492", "Z940", "Z992"] },
    Category { name: "ld", label: "liver disease", prefixes: &["B18", "I85", "I864", "I982", "K70", "K711", "K713", "K714", "K715", "K717", "K72", "K73", "K74", "K760", "K762", "K763", "K764", "K765", "K766", "K767", "K768", "K769", "Z944"] },
    Category { name: "pud", label: "peptic ulcer disease excluding bleeding", prefixes: &["K257", "K259", "K267", "K269", "K277", "K279", "K287", "K289"] },
    Category { name: "aids", label: "AIDS/HIV", prefixes: &["B20", "B21", "B22", "B24"] },
    Category { name: "lymph", label: "lymphoma", prefixes: &["C81", "C82", "C83", "C84", "C85", "C88", "C96", "C900", "C902"] },
    Category { name: "metacanc", label: "metastatic cancer", prefixes: &["C77", "C78", "C79", "C80"] },
    Category { name: "solidtum", label: "solid tumour without metastasis", prefixes: &["C00", "C01", "C02", "C03", "C04", "C05", "C06", "C07", "C08", "C09", "C10", "C11", "C12", "C13", "C14", "C15", "C16", "C17", "C18", "C19", "C20", "C21", "C22", "C23", "C24", "C25", "C26", "C30", "C31", "C32", "C33", "C34", "C37", "C38", "C39", "C40", "C41", "C43", "C45", "C46", "C47", "C48", "C49", "C50", "C51", "C52", "C53", "C54", "C55", "C56", "C57", "C58", "C60", "C61", "C62", "C63", "C64", "C65", "C66", "C67", "C68", "C69", "C70", "C71", "C72", "C73", "C74", "C75", "C76", "C97"] },
    Category { name: "rheumd", label: "rheumatoid arthritis/collaged vascular disease", prefixes: &["L940", "L941", "L943", "M05", "M06", "M08", "M120", "M123", "M30", "M310", "M311", "M312", "M313", "M32", "M33", "M34", "M35", "M45", "M461", "M468", "M469"] },
    Category { name: "coag", label: "coagulopathy", prefixes: &["D65", "D66", "D67", "D68", "D691", "D693", "D694", "D695", "D696"] },
    Category { name: "obes", label: "obesity", prefixes: &["E66"] },
    Category { name: "wloss", label: "weight loss", prefixes: &["E40", "E41", "E42", "E43", "E44", "E45", "E46", "R634", "R64"] },
    Category { name: "fed", label: "fluid and electrolyte disorders", prefixes: &["E222", "E86", "E87"] },
    Category { name: "blane", label: "blood loss anaemia", prefixes: &["D500"] },
    Category { name: "dane", label: "deficiency anaemia", prefixes: &["D508", "D509", "D51", "D52", "D53"] },
    Category { name: "alcohol", label: "alcohol abuse", prefixes: &["F10", "E52", "G621", "I426", "K292", "K700", "K703", "K709", "T51", "Z502", "Z714", "Z721"] },
    Category { name: "drug", label: "drug abuse", prefixes: &["F11", "F12", "F13", "F14", "F15", "F16", "F18", "F19", "Z715", "Z722"] },
    Category { name: "psycho", label: "psychoses", prefixes: &["F20", "F22", "F23", "F24", "F25", "F28", "F29", "F302", "F312", "F315"] },
    Category { name: "depre", label: "depression", prefixes: &["F204", "F313", "F314", "F315", "F32", "F33", "F341", "F412", "F432"] },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching_ignores_dots_spaces_and_case() {
        let m = Matcher::new(Index::Charlson);
        let canc = 1u64 << 13;
        assert_eq!(m.mask("C50.9"), canc);
        assert_eq!(m.mask("c509"), canc);
        assert_eq!(m.mask(" C50 9 "), canc);
        assert_eq!(m.mask("Z00"), 0);
        assert_eq!(m.mask(""), 0);
    }

    #[test]
    fn hierarchy_counts_the_severe_form_only() {
        let w = Index::Charlson.weights(Weights::Charlson).unwrap();
        let h = Index::Charlson.hierarchy();
        // diab (9) + diabwc (10): 2, not 3
        assert_eq!(score(1 << 9 | 1 << 10, w, h), 2.0);
        assert_eq!(score(1 << 13 | 1 << 15, w, h), 6.0);
        assert_eq!(score(1 << 8 | 1 << 14, w, h), 3.0);
    }

    #[test]
    fn tables_have_the_published_sizes() {
        assert_eq!(CHARLSON.len(), 17);
        assert_eq!(ELIXHAUSER.len(), 31);
        for (hi, lo) in Index::Charlson.hierarchy() {
            assert!(["msld", "diabwc", "metacanc"].contains(&CHARLSON[*hi].name), "{}", CHARLSON[*lo].name);
        }
        assert_eq!(CHARLSON[8].name, "mld");
        assert_eq!(CHARLSON[9].name, "diab");
        assert_eq!(CHARLSON[13].name, "canc");
        assert_eq!(ELIXHAUSER[5].name, "hypunc");
        assert_eq!(ELIXHAUSER[6].name, "hypc");
        assert_eq!(ELIXHAUSER[10].name, "diabunc");
        assert_eq!(ELIXHAUSER[11].name, "diabc");
        assert_eq!(ELIXHAUSER[18].name, "metacanc");
        assert_eq!(ELIXHAUSER[19].name, "solidtum");
    }
}
