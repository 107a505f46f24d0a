"""Reference fixtures for hrrstats' comorbidity(): the answers of Python's comorbidipy
(1.x; Quan 2005 ICD-10 mappings "charlson_icd10_quan" and "elixhauser_icd10_quan") on a
synthetic set that covers every prefix of every category, the hierarchy cases, codes
written with dots, spaces and lower case, and a look-back window.

Run with the interpreter that has comorbidipy (it is not a test dependency; the tests
read only the CSVs written here):

    /work/venv-comorb/bin/python tests/reference/generate_comorbidity.py

Writes tests/reference/fixtures/comorbidity_input.csv (id, code as given to hrrstats,
date, index_date; look-back 365 days) and comorbidity_<index>.csv (id, one 0/1 column
per category, score_<weights> for each weighting, and cpy_score_<weights>, comorbidipy's
own score).

Where comorbidipy departs from the publication the expected columns follow the
publication (and the R comorbidity package):
- a code listed in two categories (e.g. Elixhauser I11.0: congestive heart failure and
  complicated hypertension) counts for both; comorbidipy keeps one (its reverse mapping
  is a dict, the last category wins). The flags are therefore comorbidipy's, run once per
  category (the mapping reduced to that category).
- scores are not truncated at zero (van Walraven and Swiss scores can be negative);
  comorbidipy truncates every score at 0 (meant for SHMI only). score_<w> is the
  weighted sum of comorbidipy's own hierarchy (assignzero) on the flags, untruncated.
- comorbidipy matches codes as written (case- and dot-sensitive); it is given the
  normalised codes (upper case, letters and digits only), hrrstats the written ones.
"""
import os
import random
import warnings

import numpy as np
import pandas as pd
import pandas.core.common as _c

if not hasattr(_c, "SettingWithCopyWarning"):  # comorbidipy imports it from an old place
    _c.SettingWithCopyWarning = getattr(pd.errors, "SettingWithCopyWarning", type("W", (Warning,), {}))
warnings.simplefilter("ignore")
import comorbidipy  # noqa: E402
from comorbidipy import mapping as cmap  # noqa: E402
from comorbidipy.calculator import _calculate_weighted_score  # noqa: E402
from comorbidipy.assignzero import assignzero  # noqa: E402
from comorbidipy.weights import weights as cweights  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures")
LOOKBACK = 365.0
rng = random.Random(20260517)

KEYS = {"charlson": "charlson_icd10_quan", "elixhauser": "elixhauser_icd10_quan"}
WEIGHTS = {"charlson": {"charlson": "charlson", "quan": "quan"},
           "elixhauser": {"van_walraven": "vw", "swiss": "swiss"}}


def written(code):
    """The code as a registry might write it: with a dot after 3 characters, lower case,
    spaces."""
    r = rng.random()
    if r < 0.25 and len(code) > 3:
        return code[:3] + "." + code[3:]
    if r < 0.35:
        return code.lower()
    if r < 0.4:
        return " " + code + " "
    return code


def normalised(code):
    return "".join(ch for ch in code if ch.isalnum()).upper()


# ---- the synthetic set ----------------------------------------------------------------------
prefixes = sorted({p for key in KEYS.values() for v in cmap.mapping[key].values() for p in v})
nonmatching = ["Z000", "R69", "J069", "S720", "A099", "M545", "H10", "Z38"]
rows = []  # id, code (as written), date, index_date
n_persons = 400
index_dates = {i: float(rng.randint(18000, 20000)) for i in range(1, n_persons + 1)}


def add(i, code, inside=True):
    idx = index_dates[i]
    date = idx - rng.randint(1, int(LOOKBACK)) if inside else \
        rng.choice([idx, idx + rng.randint(1, 300), idx - LOOKBACK - rng.randint(1, 900)])
    rows.append((i, written(code), date, idx))


# every prefix, extended by 0-2 digits, in a random person, inside the window
for p in prefixes:
    ext = p + "".join(str(rng.randint(0, 9)) for _ in range(rng.randint(0, max(0, 4 - len(p)))))
    add(rng.randint(1, n_persons), ext)
# background: further codes, some outside the window
for _ in range(1200):
    i = rng.randint(1, n_persons)
    code = rng.choice(prefixes) if rng.random() < 0.6 else rng.choice(nonmatching)
    add(i, code, inside=rng.random() < 0.75)
# hierarchy cases, in persons of their own (n_persons + 1 ...)
extra = [
    ["E109", "E112"],           # charlson diab + diabwc; elixhauser diabunc + diabc
    ["C509", "C787"],           # canc + metacanc; solidtum + metacanc
    ["K703", "I850"],           # mld + msld; ld
    ["I10", "I110"],            # elixhauser hypunc + hypc (+ chf: I110 is in both)
    ["E119"], ["C509"], ["K700"], ["I10"],  # the less severe forms alone
    ["Z000"],                   # an id without any matching code: all zeros
]
for codes in extra:
    n_persons += 1
    index_dates[n_persons] = 19000.0
    for c in codes:
        add(n_persons, c)
# an id whose only matching code lies outside the window
n_persons += 1
index_dates[n_persons] = 19000.0
rows.append((n_persons, "C787", 19000.0 - LOOKBACK - 1, 19000.0))
rows.append((n_persons, "I21", 19000.0, 19000.0))  # on the index date: outside [.., index)
rng.shuffle(rows)
inp = pd.DataFrame(rows, columns=["id", "code", "date", "index_date"])
inp.to_csv(os.path.join(OUT, "comorbidity_input.csv"), index=False)

# what comorbidipy sees: the rows inside the window, codes normalised; rows outside the
# window keep their id with a code that matches nothing
inside = (inp["date"] >= inp["index_date"] - LOOKBACK) & (inp["date"] < inp["index_date"])
cp = pd.DataFrame({"id": inp["id"], "code": [normalised(c) if k else "0000"
                                               for c, k in zip(inp["code"], inside)]})


def run(score, key, weighting, mapping=None):
    saved = cmap.mapping[key]
    import comorbidipy.calculator as calc
    if mapping is not None:
        calc.mapping[key] = mapping
    try:
        return comorbidipy.comorbidity(cp.copy(), id="id", code="code", age=None, score=score,
                                       icd="icd10", variant="quan", weighting=weighting)
    finally:
        calc.mapping[key] = saved


for index, key in KEYS.items():
    cats = list(cmap.mapping[key])
    ids = np.sort(cp["id"].unique())
    flags = pd.DataFrame({"id": ids})
    for c in cats:  # once per category: a code in two categories counts for both
        only = {k: (v if k == c else ()) for k, v in cmap.mapping[key].items()}
        r = run(index, key, list(WEIGHTS[index].values())[0], only).set_index("id")
        flags[c] = r.loc[ids, c].to_numpy().astype(int)
    out = flags.copy()
    n_diff = 0
    for ours, theirs in WEIGHTS[index].items():
        z = assignzero(flags[cats].astype(float).copy(), key)
        w = pd.Series(cweights[key][theirs])
        out[f"score_{ours}"] = z.multiply(w).sum(axis=1).to_numpy()
        direct = run(index, key, theirs).set_index("id").loc[ids]
        out[f"cpy_score_{ours}"] = direct["comorbidity_score"].to_numpy()
        n_diff += int((direct[cats].to_numpy().astype(int) != flags[cats].to_numpy()).any(axis=1).sum())
        same = out[f"score_{ours}"] >= 0
        multi = (direct[cats].to_numpy().astype(int) != flags[cats].to_numpy()).any(axis=1)
        assert np.array_equal(out.loc[same & ~multi, f"score_{ours}"],
                              out.loc[same & ~multi, f"cpy_score_{ours}"]), (index, ours)
    for c in cats:
        assert flags[c].sum() > 0, (index, c)  # every category is present
    out.to_csv(os.path.join(OUT, f"comorbidity_{index}.csv"), index=False)
    print(f"{index}: {len(out)} ids, {len(cats)} categories; ids where comorbidipy's direct flags "
          f"differ (codes in two categories), summed over weightings: {n_diff}; negative scores: "
          f"{int((out.filter(like='score_').lt(0)).any(axis=1).sum())}")
print(f"input: {len(inp)} rows, {inp['id'].nunique()} ids")
