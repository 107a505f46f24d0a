"""Conformance of the Python and R bindings: the same inputs, the same answers.

Every case in ``cases/*.json`` (one public method of the core with its arguments and
the operations run on its fit) is fed through Python's and R's generic ``call``; both
results are flattened to (path, kind, values) and must agree: the same names, the
same numbers to 1e-12 (relative, with an absolute floor of 1e-300), the same strings,
integers equal (R counts positions from 1: an integer column that is the Python one
plus 1 throughout is a position and agrees).

The bad-input sweep derives, from every case, inputs that must be handled alike in
both languages: each numeric column with a NaN, an infinite value or a negative value
at its second row, shortened by one row (length mismatch), every column empty, and
every option string replaced by an unknown value. Both languages must then raise the
same error (rows named from 0 in Python and from 1 in R) or both return the same
result.

  python conformance.py run-python OUT.tsv   # run every case and mutation in Python
  python conformance.py emit-r OUT.R         # the same inputs as an R script
  Rscript run.R CASES.R OUT.tsv              # run them in R
  python conformance.py compare PY.tsv R.tsv # prints "conformance: N passed, M failed"
"""
from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEP = "\x1f"
REL_TOL = 1e-12


# ---- cases and mutations -------------------------------------------------------------

def expand(v):
    """Generated columns, for large cases kept small on disk: {"range": [a, b]} is
    a, a+1, ..., b-1; {"repeat": [x, n]} is x n times; {"cycle": [k, n]} is
    0, 1, ..., k-1, 0, ... (n values); {"groups": n} is a grouping of n rows with a level
    each (an identifier passed as a group)."""
    if isinstance(v, dict) and len(v) == 1:
        (k, a), = v.items()
        if k == "range":
            return [float(x) for x in range(a[0], a[1])]
        if k == "repeat":
            return [float(a[0])] * a[1]
        if k == "cycle":
            return [float(i % a[0]) for i in range(a[1])]
        if k == "groups":
            return {"codes": list(range(a)), "levels": [str(i) for i in range(a)]}
    if isinstance(v, dict):
        return {k: expand(x) for k, x in v.items()}
    return v


def load_cases():
    cases = []
    for f in sorted((HERE / "cases").glob("*.json")):
        for c in json.loads(f.read_text()):
            c["args"] = expand(c["args"])
            c.setdefault("fit_calls", [])
            c["id"] = f"{f.stem}/{c['name']}"
            cases.append(c)
    return cases


def is_column(v):
    return isinstance(v, list) and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v)


def is_grouping(v):
    return isinstance(v, dict) and set(v) == {"codes", "levels"}


def mutations(case):
    """(suffix, args) variants of a case's arguments for the bad-input sweep."""
    args = case["args"]
    out = []
    cols = [k for k, v in args.items() if is_column(v) and len(v) >= 2 and k != "rows"]
    for k in cols:
        for label, val in (("nan", float("nan")), ("inf", float("inf")), ("negative", -1.0)):
            a = json.loads(json.dumps(args))
            a[k][1] = val
            out.append((f"{k}:{label}", a))
        a = json.loads(json.dumps(args))
        a[k] = a[k][:-1]
        out.append((f"{k}:short", a))
    for k, v in args.items():
        if isinstance(v, dict) and "columns" in v:
            for c in v["columns"]:
                a = json.loads(json.dumps(args))
                a[k]["columns"][c][1] = float("nan")
                out.append((f"{k}.{c}:nan", a))
    if cols:
        a = json.loads(json.dumps(args))
        for k, v in a.items():
            if is_column(v) and len(v) == len(args[cols[0]]):
                a[k] = []
            elif is_grouping(v) and len(v["codes"]) == len(args[cols[0]]):
                v["codes"] = []
        out.append(("all:empty", a))
    for k, v in args.items():
        if isinstance(v, str):
            a = dict(args)
            a[k] = "no-such-option"
            out.append((f"{k}:unknown", a))
    return out


def variants(case):
    yield case["id"], case["args"], case["fit_calls"]
    for suffix, a in mutations(case):
        yield f"{case['id']}!{suffix}", a, []


# ---- Python --------------------------------------------------------------------------

def py_arg(v):
    import numpy as np
    if is_grouping(v):
        return (np.asarray(v["codes"], dtype=np.uint32), list(v["levels"]))
    if isinstance(v, dict) and "columns" in v:
        return {k: np.asarray(c, dtype=np.float64) for k, c in v["columns"].items()}
    if isinstance(v, dict):
        return {k: py_arg(x) for k, x in v.items()}
    if is_column(v) and not (isinstance(v, list) and len(v) and all(isinstance(x, str) for x in v)):
        return np.asarray(v, dtype=np.float64)
    return v


def fmt_num(x):
    """A number as both the flattened results and R source spell it (NaN, Inf, -Inf)."""
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Inf" if x > 0 else "-Inf"
    return repr(x)


def flatten_py(obj, path, out):
    import numpy as np
    import pandas as pd
    if obj is None:
        out.append((path, "null", ""))
    elif isinstance(obj, dict):
        for k, v in obj.items():
            flatten_py(v, f"{path}/{k}", out)
    elif isinstance(obj, list) and not all(isinstance(x, str) for x in obj) or isinstance(obj, tuple):
        for i, v in enumerate(obj):
            flatten_py(v, f"{path}/{i + 1}", out)
    elif isinstance(obj, pd.DataFrame):
        if isinstance(obj.index, pd.RangeIndex):
            out.append((path, "table", SEP.join(map(str, obj.columns))))
            for c in obj.columns:
                flatten_py(obj[c], f"{path}/{c}", out)
        else:
            flatten_py(obj.to_numpy(), path, out)
            out.append((f"{path}#dimnames", "str", SEP.join(map(str, list(obj.index) + list(obj.columns)))))
    elif isinstance(obj, pd.Series):
        flatten_py(obj.array if isinstance(obj.dtype, pd.CategoricalDtype) else obj.to_numpy(), path, out)
    elif isinstance(obj, pd.Categorical):
        out.append((path, "str", SEP.join(str(x) for x in obj.astype(object))))
    elif isinstance(obj, np.ndarray) and obj.ndim == 2:
        out.append((f"{path}#dim", "int", SEP.join(map(str, obj.shape))))
        flatten_py(obj.ravel(order="F"), path, out)
    elif isinstance(obj, np.ndarray):
        if obj.dtype.kind == "f":
            out.append((path, "num", SEP.join(fmt_num(x) for x in obj)))
        elif obj.dtype.kind in "iu":
            out.append((path, "int", SEP.join(str(int(x)) for x in obj)))
        elif obj.dtype.kind == "b":
            out.append((path, "lgl", SEP.join("TRUE" if x else "FALSE" for x in obj)))
        else:
            out.append((path, "str", SEP.join(str(x) for x in obj)))
    elif isinstance(obj, list):
        out.append((path, "str", SEP.join(obj)))
    elif isinstance(obj, bool):
        out.append((path, "lgl", "TRUE" if obj else "FALSE"))
    elif isinstance(obj, int):
        out.append((path, "int", str(obj)))
    elif isinstance(obj, float):
        out.append((path, "num", fmt_num(obj)))
    elif isinstance(obj, str):
        out.append((path, "str", obj))
    else:
        out.append((path, "unknown", type(obj).__name__))


def clean(s):
    return s.replace("\t", " ").replace("\n", " ")


def run_python(out_path):
    from hrrstats import _hrrstats as core
    lines = []
    for case in load_cases():
        for vid, args, fit_calls in variants(case):
            rows = []
            try:
                value, fit = core.call(case["method"], {k: py_arg(v) for k, v in args.items()})
                flatten_py(value, "", rows)
                for i, fc in enumerate(fit_calls):
                    try:
                        r = fit.call(fc["method"], {k: py_arg(v) for k, v in fc["args"].items()})
                        flatten_py(r, f"@{i + 1}", rows)
                    except (ValueError, TypeError) as e:
                        rows.append((f"@{i + 1}", "error", clean(str(e))))
            except (ValueError, TypeError) as e:
                rows.append(("", "error", clean(str(e))))
            lines += [f"{vid}\t{p}\t{k}\t{v}" for p, k, v in rows]
    Path(out_path).write_text("\n".join(lines) + "\n")


# ---- R -------------------------------------------------------------------------------

def r_str(s):
    return json.dumps(s)


def r_arg(v):
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, (int, float)):
        return fmt_num(v)
    if isinstance(v, str):
        return r_str(v)
    if is_grouping(v):
        codes = ", ".join(f"{int(c) + 1}L" for c in v["codes"])
        levels = ", ".join(r_str(l) for l in v["levels"])
        return f"structure(c({codes}), levels = c({levels}), class = \"factor\")" if v["codes"] else \
            f"structure(integer(0), levels = c({levels}), class = \"factor\")"
    if isinstance(v, dict) and "columns" in v:
        return "list(" + ", ".join(f"{r_str(k)} = {r_arg(c)}" for k, c in v["columns"].items()) + ")"
    if isinstance(v, dict):
        return "list(" + ", ".join(f"{r_str(k)} = {r_arg(x)}" for k, x in v.items()) + ")" if v else \
            "structure(list(), names = character(0))"
    if isinstance(v, list) and v and all(isinstance(x, str) for x in v):
        return "c(" + ", ".join(r_str(x) for x in v) + ")"
    if isinstance(v, list):
        return "as.double(c(" + ", ".join(fmt_num(x) for x in v) + "))" if v else "double(0)"
    raise TypeError(v)


def emit_r(out_path):
    parts = ["cases <- list("]
    items = []
    for case in load_cases():
        for vid, args, fit_calls in variants(case):
            fcs = ", ".join(f"list(method = {r_str(fc['method'])}, args = {r_arg(fc['args'])})" for fc in fit_calls)
            items.append(f"list(id = {r_str(vid)}, method = {r_str(case['method'])}, args = {r_arg(args)}, "
                         f"fit_calls = list({fcs}))")
    parts.append(",\n".join(items))
    parts.append(")")
    Path(out_path).write_text("\n".join(parts) + "\n")


# ---- comparison ----------------------------------------------------------------------

def read(path):
    res = {}
    for line in Path(path).read_text().splitlines():
        if not line:
            continue
        vid, p, kind, values = (line.split("\t") + ["", "", ""])[:4]
        res.setdefault(vid, []).append((p, kind, values))
    return res


ROW = re.compile(r"row (\d+)")


def same_error(py, r):
    shifted = ROW.sub(lambda m: f"row {int(m.group(1)) + 1}", py)
    return shifted == r


def close(a, b):
    if a == b:
        return True
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    return abs(x - y) <= REL_TOL * max(abs(x), abs(y), 1e-300)


def compare_rows(py, r):
    """None if the flattened results agree, else the first difference."""
    if [(p, k) for p, k, _ in py] != [(p, k) for p, k, _ in r]:
        pp, rr = [(p, k) for p, k, _ in py], [(p, k) for p, k, _ in r]
        diff = next(((a, b) for a, b in zip(pp, rr) if a != b), (pp[len(rr):][:1], rr[len(pp):][:1]))
        return f"structure differs: python {diff[0]} vs R {diff[1]}"
    for (p, k, a), (_, _, b) in zip(py, r):
        if k == "error":
            if not same_error(a, b):
                return f"{p}: errors differ: python {a!r} vs R {b!r}"
            continue
        xa, xb = a.split(SEP) if a else [], b.split(SEP) if b else []
        if len(xa) != len(xb):
            return f"{p}: lengths differ ({len(xa)} vs {len(xb)})"
        if k == "int":
            ia, ib = [int(x) for x in xa], [int(x) for x in xb]
            if ia != ib and ib != [x + 1 for x in ia]:
                return f"{p}: integers differ"
        elif k == "num":
            bad = next((i for i, (x, y) in enumerate(zip(xa, xb)) if not close(x, y)), None)
            if bad is not None:
                return f"{p}[{bad}]: {xa[bad]} vs {xb[bad]}"
        elif xa != xb:
            return f"{p}: values differ"
    return None


def compare(py_path, r_path):
    py, r = read(py_path), read(r_path)
    passed = failed = errors = 0
    for vid in py:
        msg = "missing in R" if vid not in r else compare_rows(py[vid], r[vid])
        if msg is None:
            passed += 1
            errors += any(k == "error" for _, k, _ in py[vid])
        else:
            failed += 1
            print(f"FAIL {vid}: {msg}")
    for vid in r:
        if vid not in py:
            failed += 1
            print(f"FAIL {vid}: missing in Python")
    methods = {vid.split("!")[0] for vid in py}
    failed += len(check_coverage())
    print(f"   {len(methods)} cases, {len(py) - len(methods)} bad-input variants "
          f"({errors} raised the same error in both languages)")
    print(f"conformance: {passed} passed, {failed} failed")
    return failed == 0


def check_coverage():
    """Every method the core exposes has at least one case."""
    from hrrstats import _hrrstats as core
    covered = {c["method"] for c in load_cases()}
    missing = [m for m in core.methods() if m not in covered]
    for m in missing:
        print(f"FAIL coverage: no conformance case for method {m!r}")
    return missing


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "run-python":
        run_python(sys.argv[2])
    elif cmd == "emit-r":
        emit_r(sys.argv[2])
    elif cmd == "compare":
        sys.exit(0 if compare(sys.argv[2], sys.argv[3]) else 1)
    else:
        raise SystemExit(__doc__)
