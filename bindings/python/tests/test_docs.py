"""Documentation conveniences (#19): the typing marker, a docstring for every public name,
and complete numpydoc docstrings (every parameter, Returns, Examples) for the main
functions. The Sphinx build and the docstrings' doctests run in scripts/build-docs.sh."""
import inspect
import pathlib
import re

import pytest

import hrrstats as hs
import hrrstats.dask as hd

# functions whose docstrings are full numpydoc (Parameters with types and defaults,
# Returns, Examples run as doctests); add a name here when its docstring is converted
NUMPYDOC = ["kaplan_meier", "logrank_test", "cox_ph", "glm_fit", "poisson_glm", "lexis_split", "rate", "sir",
            "cumulative_incidence", "fine_gray", "parametric_survival", "rate_ratio", "direct_standardize",
            "logistic_glm", "pool", "flexible_parametric", "nested_case_control", "conditional_logistic",
            "funnel", "life_table",
            "person_time_table", "net_survival"]


def test_py_typed_marker_ships_in_the_package():
    assert (pathlib.Path(hs.__file__).parent / "py.typed").is_file()


@pytest.mark.parametrize("module", [hs, hd], ids=["hrrstats", "hrrstats.dask"])
def test_every_public_name_has_a_docstring(module):
    missing = [n for n in module.__all__ if n != "__version__" and not inspect.getdoc(getattr(module, n))]
    assert missing == []


def _section(doc, title):
    m = re.search(rf"^{title}\n-{{{len(title)}}}\n(.*?)(?=^\S[^\n]*\n-{{3,}}\n|\Z)", doc, re.S | re.M)
    return m.group(1) if m else None


@pytest.mark.parametrize("name", NUMPYDOC)
def test_main_functions_have_complete_numpydoc(name):
    f = getattr(hs, name)
    doc = inspect.getdoc(f)
    params = _section(doc, "Parameters")
    assert params is not None, f"{name}: no Parameters section"
    documented = set()
    for line in params.splitlines():
        if line and not line.startswith(" "):
            documented.update(p.strip().lstrip("*") for p in line.split(" : ")[0].split(","))
    wanted = {p.name for p in inspect.signature(f).parameters.values()}
    assert wanted - documented == set(), f"{name}: parameters not documented"
    assert documented - wanted == set(), f"{name}: documents parameters it does not take"
    for title in ("Returns", "Examples"):
        assert _section(doc, title), f"{name}: no {title} section"
    assert ">>> " in _section(doc, "Examples")
