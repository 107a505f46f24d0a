"""Documentation conveniences (#19): the typing marker, and complete numpydoc docstrings
for EVERY public name of ``hrrstats`` and ``hrrstats.dask`` (derived from ``__all__``, so
a new undocumented function fails here): every parameter documented (no more, no
fewer), a Returns section and a runnable Examples section (run as doctests by
scripts/build-docs.sh); for the result classes, every public method that takes
arguments documents them and what it returns. Public functions carry type hints on
their signatures or document each parameter's type in the docstring (``name : type``).
"""
import inspect
import pathlib
import re

import pytest

import hrrstats as hs
import hrrstats.dask as hd

MODULES = {"hrrstats": hs, "hrrstats.dask": hd}


def _public(module):
    return [n for n in module.__all__ if n != "__version__"]


FUNCTIONS = [(m, n) for m, mod in MODULES.items() for n in _public(mod)
             if not isinstance(getattr(mod, n), type)]
METHODS = [(c, name) for c in [getattr(hs, n) for n in _public(hs) if isinstance(getattr(hs, n), type)]
           for name, f in vars(c).items()
           if not name.startswith("_") and inspect.isfunction(f)
           and [p for p in inspect.signature(f).parameters if p != "self"]]


def test_py_typed_marker_ships_in_the_package():
    assert (pathlib.Path(hs.__file__).parent / "py.typed").is_file()


@pytest.mark.parametrize("module", [hs, hd], ids=["hrrstats", "hrrstats.dask"])
def test_every_public_name_has_a_docstring(module):
    missing = [n for n in _public(module) if not inspect.getdoc(getattr(module, n))]
    assert missing == []


def _section(doc, title):
    m = re.search(rf"^{title}\n-{{{len(title)}}}\n(.*?)(?=^\S[^\n]*\n-{{3,}}\n|\Z)", doc, re.S | re.M)
    return m.group(1) if m else None


def _documented(params):
    """{name: has a type} of a Parameters section."""
    out = {}
    for line in params.splitlines():
        if line and not line.startswith(" "):
            head, _, typ = line.partition(" : ")
            for p in head.split(","):
                out[p.strip().lstrip("*")] = bool(typ.strip())
    return out


def _check_parameters(label, f, doc):
    wanted = [p for p in inspect.signature(f).parameters.values() if p.name != "self"]
    params = _section(doc, "Parameters")
    if not wanted:
        return
    assert params is not None, f"{label}: no Parameters section"
    documented = _documented(params)
    names = {p.name for p in wanted}
    assert names - set(documented) == set(), f"{label}: parameters not documented"
    assert set(documented) - names == set(), f"{label}: documents parameters it does not take"
    return documented, wanted


@pytest.mark.parametrize("module,name", FUNCTIONS, ids=[f"{m}.{n}" for m, n in FUNCTIONS])
def test_public_functions_have_complete_numpydoc(module, name):
    f = getattr(MODULES[module], name)
    doc = inspect.getdoc(f)
    checked = _check_parameters(f"{module}.{name}", f, doc)
    for title in ("Returns", "Examples"):
        assert _section(doc, title), f"{name}: no {title} section"
    assert ">>> " in _section(doc, "Examples")
    if checked:
        documented, wanted = checked
        # a type for every parameter: a hint on the signature or "name : type" in the docstring
        untyped = [p.name for p in wanted
                   if p.annotation is inspect.Parameter.empty and not documented[p.name]
                   and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]
        assert untyped == [], f"{name}: parameters without a type"


@pytest.mark.parametrize("cls,name", METHODS, ids=[f"{c.__name__}.{n}" for c, n in METHODS])
def test_result_methods_document_their_arguments_and_returns(cls, name):
    f = getattr(cls, name)
    doc = inspect.getdoc(f) or ""
    _check_parameters(f"{cls.__name__}.{name}", f, doc)
    assert _section(doc, "Returns"), f"{cls.__name__}.{name}: no Returns section"


# hrrstats.dask: every public function and every public method of its result classes
# carries type hints on every parameter and its return, and they resolve (a misspelt
# name fails) with the names the module imports for type checkers only.
DASK_CLASSES = [c for c in vars(hd).values() if isinstance(c, type) and c.__module__ == hd.__name__]
DASK_SIGNATURES = ([(n, getattr(hd, n)) for n in _public(hd)]
                   + [(f"{c.__name__}.{name}", f) for c in DASK_CLASSES for name, f in vars(c).items()
                      if not name.startswith("_") and inspect.isfunction(f)])


@pytest.mark.parametrize("name,f", DASK_SIGNATURES, ids=[n for n, _ in DASK_SIGNATURES])
def test_dask_signatures_have_type_hints(name, f):
    import typing

    import dask.dataframe as dd
    from hrrstats import _typing

    sig = inspect.signature(f)
    params = [p for p in sig.parameters if p != "self"]
    assert [p for p in params if sig.parameters[p].annotation is inspect.Parameter.empty] == [], \
        f"hrrstats.dask.{name}: parameters without a type hint"
    assert sig.return_annotation is not inspect.Signature.empty, f"hrrstats.dask.{name}: no return type hint"
    hints = typing.get_type_hints(f, globalns={**vars(hd), **vars(_typing), "dd": dd})
    assert set(hints) == set(params) | {"return"}


def test_the_lists_are_not_empty():
    # the parametrisations above come from __all__: they must find the public names
    assert len(FUNCTIONS) >= 60 and len(METHODS) >= 50
    assert len(DASK_SIGNATURES) >= 15 and DASK_CLASSES
