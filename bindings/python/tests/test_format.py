"""How results print (issue 19's printing items): p-values as R's format.pval, counts as
integers, aligned test lines."""
import hrrstats as hs
from hrrstats import _format


def test_pvalue_as_format_pval():
    assert _format.pvalue(0.0) == "<2e-16"
    assert _format.pvalue(1e-300) == "<2e-16"
    assert _format.pvalue(3e-16) == "3e-16"
    assert _format.pvalue(0.04567) == "0.0457"
    assert _format.pvalue(float("nan")) == "NA"


def test_fits_print_like_r():
    df = hs.example_cohort()
    text = repr(hs.cox_ph("time", "status", ["age", "stage"], data=df))
    assert "p = 0\n" not in text and " 0\n" not in text.split("\n")[2]
    assert "<2e-16" in text
    tests = [l for l in text.splitlines() if " df, p = " in l]
    assert len(tests) == 3 and len({l.index("=") for l in tests}) == 1  # aligned
    lr = repr(hs.logrank_test("time", "status", "stage", data=df))
    assert "2315 " in lr and "2315.0" not in lr  # observed counts as integers
    assert "p = <2e-16" in lr
