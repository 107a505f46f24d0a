#!/usr/bin/env Rscript
# Built-in population rate tables of crates/hrrstats-data and reference answers for the
# survival::survexp lookup on survexp.us (a "type 4", US-style, rate table). Companion of
# generate_relsurv.R; same helpers and conventions (fixture_io.R).
#
# Writes crates/hrrstats-data/data/ (data shipped with the crate):
#   survexp_us.csv   survival::survexp.us, long: age (cut-point in DAYS as stored, k * 365.25,
#                    k = 0..109), sex (0 male, 1 female), year (cut-point = January 1 of
#                    1940..2014 as DAYS SINCE 1960-01-01, i.e. the stored Date + 3653), rate
#                    (hazard per DAY); age varies fastest, then year, then sex (16 500 rows)
# and tests/reference/fixtures/ (every file prefixed rt_):
#   rt_survexp_us_cases.csv     40 synthetic persons: id, age_days (age at start, days),
#                               sex (0 male, 1 female), date_days1960 (start date, days since
#                               1960-01-01; some fractional ages make the birth date fractional)
#   rt_survexp_us_expected.csv  id, time (days since start: 1, 100, 365, 1000, 3652.5, 9000),
#                               surv (survexp, method "individual.s"), cumhaz (the hand
#                               integral below: equal to -log(surv) within 1e-13 absolute,
#                               but exact to ~1e-15 relative also where it is tiny),
#                               year_shifted_days1960 (the transformed start date, below)
#
# What survexp does with survexp.us (survival 3.5-3: survexp -> match.ratetable ->
# survexp.fit -> C pyears3b / pystep; pyears does the same). survexp.us has attr type
# c(2, 1, 4) for dims (age, sex, year): 2 = continuous, 1 = factor, 4 = "US-style" date.
# With a `type` attribute present, survexp.fit sets the C factor flag to 1 * (type == 1), so
# the year dimension is an ORDINARY continuous dimension in C (no interpolation: that only
# happens for old tables without `type` whose `factor` attribute is > 1, e.g. decennial
# tables). The only type-4 special is a shift of each person's start value on the year
# dimension, done once in R before the C call (survexp.fit, "us.special"):
#   b      = d - a                      birth date (d = start date in days, a = age in days;
#                                       may be fractional)
#   J(b)   = January 1 of the calendar year containing floor(b) (R: format(as.Date(b), "%Y"),
#            which floors fractional dates), in the same day units as d
#   offset = b - J(b)                   in [0, 366), fractional part kept
#   d'     = d - offset  (= J(b) + a)   the shifted start date
# After that the table is an ordinary table: at follow-up time t the hazard is
#   rate[age index of a + t, sex, year index of d' + t]
# where the index of a continuous value v is the number of cut-points <= v, at least 1 (the
# first row also covers values below the first cut-point, the last row continues past the
# last), rates are hazards per day, and S(t) = exp(-integral_0^t hazard). Since
# d' + t = J(b) + (a + t), the calendar year used is the birth year plus the completed
# years of age counted in calendar days: it moves on at (within a day of) each birthday,
# not on January 1 -- the life-table definition "q for a person who turns x in year Y".
# The shift uses only calendar arithmetic on days, so any day origin works if J is computed
# in that origin (survival works in days since 1970; this file writes days since 1960).
#
# The generator checks (stopifnot): the written tables read back identical to the package
# objects; survexp "individual.s" (one row per person and time, the practitioners' call)
# agrees with the per-person cohort curves survexp(~ id, times = ...); a copy of survexp.us
# declared type c(2, 1, 3) (plain date) given d' reproduces survexp.us given d; and the
# hand re-derivation from the written survexp_us.csv (transform + exact piecewise-constant
# integration, split at every age and year cut-point crossing) agrees with survexp to 1e-12
# relative in surv (cumhaz: 1e-13 absolute).
#
# Run from the repository root:  Rscript tests/reference/generate_ratetables.R
# Numbers are written with 17 significant digits (exact round trip of doubles). No quoting.
# Written with R 4.2.2, survival 3.5-3, popEpi 0.4.10 (versions printed at the end).
suppressPackageStartupMessages({
  library(survival)
  library(popEpi)
})

source(file.path("tests", "reference", "fixture_io.R"))
write_csv <- fixture_writer("^rt_")
data_dir <- file.path("crates", "hrrstats-data", "data")
dir.create(data_dir, showWarnings = FALSE, recursive = TRUE)
write_data <- function(df, name) {
  df <- as.data.frame(df)
  df[] <- lapply(df, fmt)
  write.csv(df, file.path(data_dir, name), row.names = FALSE, quote = FALSE)
  written <<- c(written, file.path(data_dir, name))
}
notes <- character(0)
note <- function(...) notes <<- c(notes, sprintf(...))
# largest relative difference (both must be finite and positive)
maxrel <- function(a, b) max(abs(a - b) / abs(b))

## ---- 1. survexp.us as a long table ---------------------------------------------------
us <- survival::survexp.us
cp <- attr(us, "cutpoints")
dn <- dimnames(us)
stopifnot(identical(names(dn), c("age", "sex", "year")), identical(dim(us), c(110L, 2L, 75L)),
          identical(as.numeric(attr(us, "type")), c(2, 1, 4)),
          identical(dn$sex, c("male", "female")), is.null(cp[[2]]),
          inherits(cp[[3]], "Date"), all(us > 0))
age_cut <- as.numeric(cp[[1]])
year_cut60 <- as.numeric(cp[[3]]) + 3653          # Date (days since 1970) -> days since 1960
stopifnot(all(age_cut == (0:109) * 365.25), identical(dn$age, as.character(0:109)),
          identical(dn$year, as.character(1940:2014)),
          all(year_cut60 == as.numeric(as.Date(sprintf("%s-01-01", dn$year)) -
                                         as.Date("1960-01-01"))))
g <- expand.grid(ia = 1:110, iy = 1:75, is = 1:2)   # age fastest, then year, then sex
write_data(data.frame(age = age_cut[g$ia], sex = g$is - 1L, year = year_cut60[g$iy],
                      rate = us[cbind(g$ia, g$is, g$iy)]),
           "survexp_us.csv")

# rebuild from the written file; the hand re-derivation below uses only this copy
tab <- read.csv(file.path(data_dir, "survexp_us.csv"))
tab[c("age", "year", "rate")] <- lapply(tab[c("age", "year", "rate")], as.numeric)
AGECUT <- sort(unique(tab$age)); YEARCUT <- sort(unique(tab$year))
RATE <- array(NA_real_, c(length(AGECUT), 2, length(YEARCUT)))
RATE[cbind(match(tab$age, AGECUT), tab$sex + 1L, match(tab$year, YEARCUT))] <- tab$rate
stopifnot(identical(AGECUT, age_cut), identical(YEARCUT, year_cut60),
          identical(as.numeric(RATE), as.numeric(us)))

## ---- 2. synthetic persons --------------------------------------------------------------
# Each person: start date, and the age either in years (* 365.25) or from a birth date (+ a
# fraction of a day, to put the birth date just after / before a January 1). Covers: starts
# before the table (1935, 1938) and in the 1940s, on Dec 31 / Jan 1, in leap years and on
# Feb 29, in the 1990s and 2010s, on and past the last year cut-point (2014-01-01: 2015, 2018,
# 2020, 2025, 2030); newborns, ages just before / after a birthday (= age cut-point), birth
# dates on / just before / just after January 1 and on Dec 31 (offset 0, 364, 365, 365.9),
# ages near and beyond the last age cut-point (109 years).
D <- function(s) as.numeric(as.Date(s) - as.Date("1960-01-01"))
yrs <- function(date, y) c(D(date), y * 365.25)
born <- function(date, birth, frac = 0) c(D(date), D(date) - (D(birth) + frac))
spec <- rbind(
  yrs("1940-01-01", 50),           yrs("1940-03-15", 0),
  yrs("1942-07-01", 30.5),         born("1945-12-31", "1900-01-01"),
  born("1946-01-01", "1899-12-31"), yrs("1949-06-30", 70.999),
  yrs("1935-06-01", 40),           yrs("1938-11-11", 89.6),
  yrs("1990-12-31", 65),           yrs("1991-01-01", 65),
  born("1995-02-28", "1932-02-29"), yrs("1996-02-29", 45.25),
  born("1999-12-31", "1940-01-01", -0.3), born("2000-01-01", "1940-01-01", 0.2),
  yrs("1997-05-05", 80.0001),      yrs("1998-08-08", 79.9999),
  yrs("2010-06-15", 55.5),         yrs("2011-01-01", 12.3),
  yrs("2013-12-31", 100),          c(D("2014-01-01"), 100 * 365.25 - 0.5),
  yrs("2015-07-01", 60),           yrs("2020-01-01", 75.75),
  yrs("2025-05-05", 85.123),       yrs("2018-03-03", 108.9),
  yrs("2005-09-09", 112),          c(D("1960-01-01"), 0.5),
  c(D("1970-01-01"), 20 * 365.25 + 0.5), born("1984-02-29", "1920-02-29"),
  born("1988-12-31", "1924-12-31"), born("2001-01-01", "1936-12-31", 0.9),
  c(D("1993-07-04"), 1),           born("1947-01-01", "1946-12-31", 0.5),
  c(D("1944-12-31"), 18 * 365.25 - 0.25), yrs("2016-02-29", 66.6),
  yrs("2003-03-03", 95),           yrs("1975-06-15", 45),
  born("1952-12-31", "1880-01-01"), yrs("2009-12-31", 0),
  yrs("2030-01-01", 50.5),         yrs("2012-10-10", 33.333))
cases <- data.frame(id = seq_len(nrow(spec)), age_days = spec[, 2],
                    sex = (seq_len(nrow(spec)) - 1L) %% 2L, date_days1960 = spec[, 1])
stopifnot(nrow(cases) == 40, all(cases$age_days >= 0),
          all(cases$date_days1960 == round(cases$date_days1960)))
write_csv(cases, "rt_survexp_us_cases.csv")
cs <- read.csv(file.path(out, "rt_survexp_us_cases.csv"))
cs[c("age_days", "date_days1960")] <- lapply(cs[c("age_days", "date_days1960")], as.numeric)
stopifnot(identical(cs$age_days, cases$age_days), identical(cs$date_days1960, cases$date_days1960))
cs$date <- as.Date(cs$date_days1960, origin = "1960-01-01")
cs$sexf <- factor(c("male", "female")[cs$sex + 1L], levels = c("male", "female"))
times <- c(1, 100, 365, 1000, 3652.5, 9000)

## ---- 4. survexp ------------------------------------------------------------------------
# the practitioners' call: one row per person and evaluation time, the time as the response
long <- cs[rep(seq_len(nrow(cs)), each = length(times)), ]
long$time <- rep(times, nrow(cs))
rownames(long) <- NULL
s_ind <- as.numeric(survexp(time ~ 1, data = long, ratetable = survexp.us, method = "individual.s",
                            rmap = list(age = age_days, sex = sexf, year = date)))
# the same as per-person cohort curves (one person per group, Ederer = that person's survival)
coh <- survexp(~ factor(id), data = cs, ratetable = survexp.us, times = times,
               rmap = list(age = age_days, sex = sexf, year = date))
s_coh <- as.numeric(coh$surv)                        # times x persons, time fastest
stopifnot(identical(dim(coh$surv), c(length(times), nrow(cs))), maxrel(s_coh, s_ind) < 1e-13)
note("survexp individual.s vs per-person cohort curves: max rel diff %.2e", maxrel(s_coh, s_ind))

## ---- 5. the type-4 transform and the hand re-derivation --------------------------------
jan1 <- function(b) {        # January 1 (days since 1960) of the calendar year of floor(b)
  y <- as.integer(format(as.Date(floor(b), origin = "1960-01-01"), "%Y"))
  as.numeric(as.Date(sprintf("%04d-01-01", y)) - as.Date("1960-01-01"))
}
b <- cs$date_days1960 - cs$age_days
offset <- b - jan1(b)
stopifnot(all(offset >= 0 & offset < 366))
cs$year_shifted <- cs$date_days1960 - offset

# with the shifted date the table is an ordinary one: survexp.us declared type c(2, 1, 3)
us3 <- survexp.us
attr(us3, "type") <- c(2, 1, 3)
long$date_shifted <- as.Date(rep(cs$year_shifted, each = length(times)), origin = "1960-01-01")
s_t3 <- as.numeric(survexp(time ~ 1, data = long, ratetable = us3, method = "individual.s",
                           rmap = list(age = age_days, sex = sexf, year = date_shifted)))
stopifnot(maxrel(s_t3, s_ind) < 1e-13)
note("type 3 table + shifted dates vs survexp.us: max rel diff %.2e", maxrel(s_t3, s_ind))
s_noshift <- as.numeric(survexp(time ~ 1, data = long, ratetable = us3, method = "individual.s",
                                rmap = list(age = age_days, sex = sexf, year = date)))
note("without the shift: %d of %d survivals differ by > 1e-6 relative (max %.2e)",
     sum(abs(s_noshift - s_ind) / s_ind > 1e-6), length(s_ind), maxrel(s_noshift, s_ind))

# exact piecewise-constant integration from the written table: cell index = number of
# cut-points <= value, at least 1; segments split at every age / year cut-point crossing
cell <- function(v, cuts) pmax(findInterval(v, cuts), 1L)
cumhaz_hand <- function(a0, y0, sex, tt) {
  brk <- c(AGECUT - a0, YEARCUT - y0, tt)
  brk <- sort(unique(c(0, brk[brk > 0 & brk < max(tt)], tt)))
  mid <- (brk[-1] + brk[-length(brk)]) / 2
  rate <- RATE[cbind(cell(a0 + mid, AGECUT), sex + 1L, cell(y0 + mid, YEARCUT))]
  H <- c(0, cumsum(rate * diff(brk)))
  H[match(tt, brk)]
}
H_hand <- unlist(lapply(seq_len(nrow(cs)), function(i)
  cumhaz_hand(cs$age_days[i], cs$year_shifted[i], cs$sex[i], times)))
s_hand <- exp(-H_hand)
# surv relative <=> cumhaz absolute; -log(surv) cannot carry cumhaz to 1e-12 relative when
# cumhaz is ~1e-7 (t = 1 day), so the cumhaz written is the hand integral, checked absolutely
stopifnot(maxrel(s_hand, s_ind) < 1e-12, max(abs(H_hand + log(s_ind))) < 1e-13)
note("hand re-derivation vs survexp: max rel diff surv %.2e, max abs diff cumhaz %.2e",
     maxrel(s_hand, s_ind), max(abs(H_hand + log(s_ind))))

write_csv(data.frame(id = long$id, time = long$time, surv = s_ind, cumhaz = H_hand,
                     year_shifted_days1960 = rep(cs$year_shifted, each = length(times))),
          "rt_survexp_us_expected.csv")

## ---- summary -----------------------------------------------------------------------
cat(length(unique(written)), "files written (", paste(unique(written), collapse = ", "),
    ") with R", as.character(getRversion()),
    "survival", as.character(packageVersion("survival")),
    "popEpi", as.character(packageVersion("popEpi")), "\n")
cat(notes, sep = "\n")
