"""The README's pictures of the trend plots, drawn with the Python package's own plot()
methods on public data (the reference fixtures in tests/reference/fixtures/):

  docs/img/apc.png        apc_fit on Epi's lungDK (Danish male lung cancer, Lexis
                          triangles), natural splines, ACP: age, period and cohort effects
  docs/img/joinpoint.png  joinpoint on Epi's testisDK summed to yearly rates (Danish
                          testis cancer, 1943-1996) with Poisson standard errors, BIC
  docs/img/seyll.png      years_of_life_lost: US 2000 deaths by age and sex against the
                          US 2000 female life table (the generate_yll.R fixtures)

(docs/img/funnel.png and docs/img/life_table.png were made earlier, from the fixtures.)
Run from the repository root after building the package:
    MPLBACKEND=Agg python scripts/readme-figures.py
Each PNG is kept under 100 kB (80 dpi)."""
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

import hrrstats as hs  # noqa: E402

FIX = os.path.join("tests", "reference", "fixtures")
OUT = os.path.join("docs", "img")
DPI = 80


def fixture(name):
    return pd.read_csv(os.path.join(FIX, name))


def save(fig, name):
    path = os.path.join(OUT, name)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    size = os.path.getsize(path)
    print(f"{path}: {size / 1024:.0f} kB")
    assert size < 100 * 1024, f"{path} is {size} bytes"


def apc():
    d = fixture("apc_input.csv")
    d = d[d["data"] == "lungDK"]
    fit = hs.apc_fit("D", "Y", "A", "P", model="ns", df=5, parm="ACP", data=d)
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.4))
    fit.plot(ax=axes)
    fig.suptitle("Age-period-cohort model: lung cancer, Danish men (Epi::lungDK)", fontsize=10)
    save(fig, "apc.png")


def joinpoint():
    d = fixture("joinpoint_data.csv")
    d = d[d["series"] == "testis"]
    jp = hs.joinpoint("x", "y", se="se", data=d)
    fig, ax = plt.subplots(figsize=(6.4, 4))
    jp.plot(ax=ax)
    ax.set_title("Joinpoint regression: testis cancer incidence, Denmark (Epi::testisDK)", fontsize=9)
    ax.set_xlabel("year")
    ax.set_ylabel("rate per 100,000")
    save(fig, "joinpoint.png")


def seyll():
    d = fixture("yll_input.csv")
    std = fixture("yll_standard.csv")
    y = hs.years_of_life_lost("deaths", "age", standard=std, by="sex", data=d)
    fig, ax = plt.subplots(figsize=(6.4, 4))
    y.plot(ax=ax)
    ax.set_title("Standard expected years of life lost, US 2000", fontsize=10)
    save(fig, "seyll.png")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    apc()
    joinpoint()
    seyll()
