#!/usr/bin/env Rscript
# Reference answers for hrrstats' relative / net survival code: net survival (Pohar Perme),
# relative survival (Ederer I, Ederer II, Hakulinen) and the rate-table lookup behind them
# (relsurv::rs.surv, relsurv's C routines, survival::survexp), the log-rank-type test for net
# survival (relsurv::rs.diff), excess-hazard regression (relsurv::rsadd: glm.poi, max.lik, EM),
# crude probabilities of death (relsurv::cmp.rel), interval (life-table) relative survival with
# Ederer II and Pohar Perme weighting, also age-standardised with the ICSS weights
# (popEpi::survtab). Companion of generate.R, generate_cox.R, generate_glm.R,
# generate_lexis.R and generate_cmprsk.R; same helpers and conventions (fixture_io.R).
#
# Writes tests/reference/fixtures/ (every file prefixed rs_ or data_rs_), 40 files:
#   data_rs_rdata.csv          relsurv::rdata: id, time (days), cens (1 death), age (years),
#                              sex (1 male, 2 female), year_days1960 (date of diagnosis, days
#                              since 1960-01-01), year_days1970 (the same, days since
#                              1970-01-01), year_decimal (section 1)
#   data_rs_slopop.csv         relsurv::slopop, long: age (years), year (calendar year), sex
#                              (1 male, 2 female), age_days, year_days1960 (the cut-points as
#                              stored), rate (hazard per DAY); age varies fastest, then year
#   rs_slopop_meta.csv         attributes(slopop): dim, dimid, type, factor, n_levels, index,
#                              label (dimnames), cutpoint (NA for the factor dimension)
#   rs_expected_rdata.csv      individual expected survival, first 20 persons at 9 times: id,
#                              time (days), age, sex, year_days1960, surv_exact, cumhaz_exact,
#                              surv_daily (section 2)
#   rs_surv_cases.csv          manifest of rs.surv cases: case, method, strata (covariate or
#                              empty), conf_type, ratetable (slopop / slopop_Date), conf_int
#   rs_surv_<case>.csv         strata (sex value; NA for ~ 1), time, n_risk, n_event, n_censor,
#                              surv, std_err (of surv: summary(fit, times = ...)$std.err),
#                              lower, upper, std_err_cumulative_hazard (fit$std.err, of the
#                              cumulative hazard) -- every time the fit reports (12 cases)
#   rs_diff.csv                rs.diff by sex: group, statistic, df, p_value (as rs.diff:
#                              1 - pchisq), p_upper (pchisq(..., lower.tail = FALSE)), z_1, z_2
#                              (the score per group), var_11, var_12, var_22 (its covariance)
#   rs_rsadd_glm.poi.csv       term, coef, se (as rsadd returns them), coef_converged,
#                              se_converged (the exact optimum of the same likelihood)
#   rs_rsadd_glm.poi_table.csv the grouped data glm.poi fits: sub_interval (1..10), fu (the
#                              interval label), sex, age, nd, lny, dstar
#   rs_rsadd_max.lik.csv       term, coef, se, coef_converged, se_converged
#   rs_rsadd_EM.csv            term, coef, se, iterations, bwinfac (relsurv's output only)
#   rs_cmprel.csv              time, cause (cancer / population), estimate, variance: at 0 and
#                              every distinct observed time
#   rs_diff_strata.csv         rs.diff(~ sex + strata(agegr3)): group, strata, statistic, df,
#                              p_value, z_1, z_2, var_11, var_12, var_22 (summed over strata)
#   rs_cmprel_sex.csv          cmp.rel(~ sex): group, time, cause, estimate, variance
#   rs_cmprel_area.csv         cause, tau, area (area under the crude-probability curve, years)
#   data_rs_sire.csv           popEpi::sire rows with dg_date < ex_date: id, sex, bi_date,
#                              dg_date, ex_date (ISO dates), status (0 alive, 1 cancer death,
#                              2 other death), dg_age (years), dg_cal, ex_cal (get.yrs())
#   data_rs_popmort.csv        popEpi::popmort: sex (0 male, 1 female), year, agegroup, haz
#                              (hazard per person-YEAR)
#   rs_survtab_cases.csv       case, relsurv_method, formula, weights
#   rs_survtab_<case>.csv      group (lower age bound of the age group; NA without groups),
#                              interval, Tstart, Tstop, delta (years), pyrs, d, then d.exp (e2)
#                              or d.pp, d.pp.2, pyrs.pp, d.exp.pp (pp), surv.obs, SE.surv.obs,
#                              surv (r.e2 / r.pp, or the .as age-standardised value), SE,
#                              lower, upper (6 cases)
#   rs_survtab_pp_midpoint.csv, rs_survtab_pp_agegr_midpoint.csv
#                              the pp tables with the Pohar Perme weight at the interval's
#                              mid-point (the popEpi sign corrected; by hand): group,
#                              interval, pyrs, d, d.pp, d.pp.2, pyrs.pp, d.exp.pp, surv, SE,
#                              lower, upper
#   rs_icss.csv                popEpi::ICSS: age_lower, age_upper, icss1, icss2, icss3
#                              (per 100 000, 5-year age groups)
#   rs_surv_icss1.csv          age-standardised (ICSS 1) Pohar-Perme net survival on rdata at
#                              1..10 years, with the age groups' curves (section 9): time,
#                              group, surv, std_err (of surv), std_err_cumulative_hazard
#                              (groups only)
#   rs_icss_5groups.csv        the standard 5 ICSS age groups: age_group, age_lower, age_upper,
#                              icss1, icss2, icss3 (proportions)
#
# Run from the repository root:  Rscript tests/reference/generate_relsurv.R
# Numbers are written with 17 significant digits (exact round trip of doubles); NA as "NA".
# No quoting: text fields carry no commas (interval labels like "(1,3]" are written "(1-3]").
# Written with R 4.2.2 Patched, survival 3.5-3, relsurv 2.2-9 (Debian r-cran-relsurv),
# popEpi 0.4.10, Epi 2.47, data.table 1.14.8 (versions printed at the end).
# The formulas below were read from relsurv 2.2-9's source (R/Rcode.r: rs.surv, exp.prep,
# rsadd, glmxp, maxlik, lik.fit, mlfit, em, rsfitterem; R/rformulate.r; R/rsdiff.r;
# R/cmprel.r; src/netfastpinter2.c, netfastpinter.c, netwei.c, cmpfast.c, exps.c, pystep.c,
# pystep2.c -- the installed R functions were checked identical to that source), survival
# 3.5-3's match.ratetable / ratetableDate, and popEpi 0.4.10's (R/survival_lexis.R,
# survival_aggregated.R, survival_utility_functions.R, utility_functions.R cutLow /
# cutLowMerge, fractional_years.R). Everything except the EM fit is re-implemented by hand
# below from the written data files and checked against the package output (stopifnot)
# before it is written.
# Also prints (no file) how long rs.surv takes on 1e5 persons (about 20 s for pohar-perme;
# set RS_SKIP_TIMING=1 to skip it -- the files do not depend on it).
suppressPackageStartupMessages({
  library(survival)
  library(relsurv)
  library(popEpi)
  library(Epi)
  library(data.table)
})

source(file.path("tests", "reference", "fixture_io.R"))
write_csv <- fixture_writer("^(rs_|data_rs_)")
# relative-or-absolute closeness, NA only where both are NA
near <- function(a, b, tol) {
  a <- as.numeric(a); b <- as.numeric(b)
  length(a) == length(b) && identical(is.na(a), is.na(b)) &&
    all(abs(a - b)[!is.na(a)] <= tol * pmax(1, abs(a), abs(b))[!is.na(a)])
}
# a private, never-shared copy of a rate table: relsurv's C routine netwei writes into the
# table it is given (see "zero rates" below), so every call gets its own copy
fresh <- function(x) unserialize(serialize(x, NULL))
notes <- character(0)
note <- function(...) notes <<- c(notes, sprintf(...))

## ---- 1. data: relsurv::rdata and the slopop rate table ------------------------------
# rdata (relsurv 2.2-9, ?rdata): 1040 cancer patients. time = follow-up in DAYS (integers
# 9..5345), cens = 1 death (547) / 0 censored (493), age = age at diagnosis in whole YEARS
# (24..95), sex = 1 male (751) / 2 female (289), year = date of diagnosis (1982-01-19 ..
# 1986-12-28) stored as class 'date' (package date: days since 1960-01-01).
# Written: year_days1960 = the stored number, year_days1970 = the same date as days since
# 1970-01-01 (= year_days1960 - 3653), year_decimal = Y + (date - Jan 1 of Y) / (days in year
# Y) (calendar year Y; not used by relsurv, for convenience only).
# relsurv is given year as a Date (as.Date(year_days1960, origin = "1960-01-01")); results are
# identical to the original 'date' column. Internally relsurv (via survival 3.5-3's
# match.ratetable -> ratetableDate) converts EVERY date -- the data and the rate table's date
# cut-points alike -- to days since 1970-01-01 ('date' x -> x - 3653; Date as is). Only the
# differences (year + t) - cutpoint matter, so any origin works if data and cut-points share
# it. Age goes in as days: rmap = list(age = age * 365.241, sex = sex, year = year).
#
# slopop (relsurv::slopop, Slovene population mortality): a ratetable array 104 x 45 x 2,
# dimid (= names(dimnames)) c("age", "year", "sex"), attr type c(2, 3, 1) (2 continuous,
# 3 continuous date, 1 factor), attr factor c(0, 0, 1); values are hazards per DAY.
#   age:  cut-points k * 365.241 days, k = 0..103 (labels "0".."103" = age in years)
#   year: cut-points = January 1 of 1930, 1948, 1952, 1960, 1970, 1980, then every year
#         1982..2020 (labels = the years), class 'date' (days since 1960-01-01, -10957..21915)
#   sex:  factor, labels "male", "female" = data codes 1, 2
# 267 rates are exactly 0 (18 at ages >= 20, e.g. women aged 20-31 in 2000-2020).
# Cell lookup (pystep / pystep2 with edge = 1, used by every relsurv routine): for a
# continuous dimension with value v (age in days, date in days), the index is the number of
# cut-points <= v (findInterval), at least 1 -- values below the first cut-point use the first
# cell, values beyond the last use the last (the table extends without end: age >= 103 years
# uses age 103, dates after 2020-01-01 use 2020). Factor dimension: the code itself.
#   rate = slopop[age index, year index, sex]
# slopop_Date (used only for the Hakulinen "datecut" cases, section 3) is slopop with the
# year cut-points given as Date (1970 origin) instead of 'date' (1960 origin): the same table.
rd0 <- relsurv::rdata
slopop0 <- fresh(relsurv::slopop)
stopifnot(inherits(rd0$year, "date"), nrow(rd0) == 1040, all(rd0$time == round(rd0$time)))
ydate <- as.Date(as.numeric(unclass(rd0$year)), origin = "1960-01-01")
yr <- as.integer(format(ydate, "%Y"))
jan1 <- as.Date(sprintf("%d-01-01", yr)); jan1n <- as.Date(sprintf("%d-01-01", yr + 1L))
rdata_out <- data.frame(
  id = seq_len(nrow(rd0)), time = rd0$time, cens = rd0$cens, age = rd0$age, sex = rd0$sex,
  year_days1960 = as.numeric(unclass(rd0$year)),
  year_days1970 = as.numeric(ydate),
  year_decimal = yr + as.numeric(ydate - jan1) / as.numeric(jan1n - jan1))
stopifnot(all(rdata_out$year_days1960 - rdata_out$year_days1970 == 3653))
write_csv(rdata_out, "data_rs_rdata.csv")
rd <- read.csv(file.path(out, "data_rs_rdata.csv"))
rd$year <- as.Date(rd$year_days1960, origin = "1960-01-01")   # the Date given to relsurv

# slopop as a long table
dn <- dimnames(slopop0)
cp <- attr(slopop0, "cutpoints")
stopifnot(identical(attr(slopop0, "dimid"), c("age", "year", "sex")),
          identical(dim(slopop0), c(104L, 45L, 2L)),
          identical(as.numeric(attr(slopop0, "type")), c(2, 3, 1)),
          identical(as.numeric(attr(slopop0, "factor")), c(0, 0, 1)),
          identical(dn$sex, c("male", "female")), is.null(cp[[3]]),
          inherits(cp[[2]], "date"))
age_cut <- as.numeric(cp[[1]]); year_cut60 <- as.numeric(unclass(cp[[2]]))
stopifnot(all(age_cut == (0:103) * 365.241),
          all(year_cut60 == as.numeric(as.Date(sprintf("%s-01-01", dn$year)) -
                                         as.Date("1960-01-01"))))
g <- expand.grid(ia = 1:104, iy = 1:45, is = 1:2)
slopop_long <- data.frame(age = as.numeric(dn$age)[g$ia], year = as.numeric(dn$year)[g$iy],
                          sex = g$is, age_days = age_cut[g$ia], year_days1960 = year_cut60[g$iy],
                          rate = as.numeric(slopop0))
write_csv(slopop_long, "data_rs_slopop.csv")
meta <- do.call(rbind, lapply(1:3, function(k) data.frame(
  dim = k, dimid = attr(slopop0, "dimid")[k], type = attr(slopop0, "type")[k],
  factor = attr(slopop0, "factor")[k], n_levels = dim(slopop0)[k],
  index = seq_len(dim(slopop0)[k]), label = dn[[k]],
  cutpoint = if (is.null(cp[[k]])) NA_real_ else as.numeric(unclass(cp[[k]])))))
write_csv(meta, "rs_slopop_meta.csv")

# rebuild the table from the written file; everything below uses the rebuilt copy
sl <- read.csv(file.path(out, "data_rs_slopop.csv"))
RATE <- array(NA_real_, c(104, 45, 2))
AGECUT <- sort(unique(as.numeric(sl$age_days)))
YEARCUT60 <- sort(unique(as.numeric(sl$year_days1960)))
RATE[cbind(match(sl$age_days, AGECUT), match(sl$year_days1960, YEARCUT60), sl$sex)] <- sl$rate
stopifnot(identical(as.numeric(slopop0), as.numeric(RATE)), identical(AGECUT, age_cut),
          identical(YEARCUT60, year_cut60))
note("slopop: %d zero rates (%d at ages >= 20)", sum(RATE == 0), sum(RATE[21:104, , ] == 0))

# slopop with the year cut-points as Date (1970 origin) instead of 'date' (1960 origin):
# the same table for survival::match.ratetable, used for the Hakulinen "datecut" cases
slopop_Date <- fresh(slopop0)
attr(slopop_Date, "cutpoints")[[2]] <- as.Date(year_cut60, origin = "1960-01-01")

rmap_fit <- function(fun, formula, data, ratetable, ...)
  fun(formula, data = data, ratetable = ratetable,
      rmap = list(age = age * 365.241, sex = sex, year = year), ...)

## ---- 2. the rate-table lookup by hand -----------------------------------------------
# Along follow-up both age and calendar time advance one day per day, so person i's
# population hazard at t days after diagnosis is
#   lambda_i(t) = rate(age_i * 365.241 + t, year_i + t, sex_i),
# piecewise constant in t, changing where age_i + t or year_i + t crosses a cut-point.
# Two versions of the individual expected survival S_Pi(t) are used by relsurv:
#   exact: S_Pi(t) = exp(-integral_0^t lambda_i(u) du), integrated exactly: pystep returns
#     the time to the next cut-point of ANY continuous dimension, so the integral is split at
#     every crossing (exp.prep without status -> C expc; netwei; netfastpinter; cmpfast).
#     survival::survexp(..., method = "individual.s") gives the same (checked to 1e-13).
#   daily grid: rs.surv's pohar-perme and ederer2 (C netfastpinter2; rs.surv always passes
#     prec = precision, default 1, so netfastpinter2 is always the routine used): each crude
#     interval (t_{j-1}, t_j] between consecutive output times is cut into fine intervals of
#     length `precision` days starting at t_{j-1} (the last one shortened to end at t_j); a
#     fine interval [u, u + l) uses the rate of the cell containing its START (pystep2, no
#     split at crossings), and S is updated S <- S exp(-l lambda_i(u)). With integer output
#     times and precision = 1 the fine grid is just the whole days since diagnosis:
#       S_daily(t) = prod_{d = 0}^{t - 1} exp(-lambda_i(d))      (integer t)
# Here every time is an integer number of days; the daily hazards are computed once for all
# 1040 persons and days 0..5344 (lam = rate at the start of the day, h = exact integral over
# the day) and all the by-hand estimators below are built from them.
# Zero rates: netwei (Ederer I, Hakulinen) replaces a 0 rate it meets by 1e-9 -- by writing
# 1e-9 into the rate table it was passed (REAL(expect2)[indx] = 1e-9), i.e. into the caller's
# object (see section 3). rdata meets one zero cell (male, age 98, 1986) on 330 person-days:
# person 58 (95 years old at diagnosis in 1982), after his death on day 25 -- so it matters
# only for Ederer I and Hakulinen, which follow everyone's expected survival to the end.
# rs_expected_rdata.csv: persons 1..20 at t = 1, 7, 30, 100, 365, 1000, 1826, 3653, 5345 days
# (past the person's own follow-up too): surv_exact (relsurv's exp.prep / expc; equal to
# survexp), cumhaz_exact = -log(surv_exact), surv_daily (the daily grid above). They differ
# by up to 1.1e-4 (where a cut-point falls inside a day the daily grid uses the old cell for
# the whole day).
cell_rate <- function(a, y, s, ycut, zero_fix = FALSE) {
  r <- RATE[cbind(pmax(findInterval(a, AGECUT), 1L), pmax(findInterval(y, ycut), 1L), s)]
  if (zero_fix) r[r == 0] <- 1e-9
  r
}
# Day-by-day hazards of each person from diagnosis (day d = [d, d + 1), d = 0 .. D - 1),
# as D x n matrices (days in rows):
#   lam: the rate of the cell containing the START of the day (relsurv's daily grid,
#        netfastpinter2 / pystep2)
#   h:   the exact integral of the piecewise-constant rate over the day (pystep splits
#        at every age or calendar cut-point crossed; netwei, netfastpinter, cmpfast, expc)
daily_hazards <- function(a0, y0, s, D, ycut, zero_fix = FALSE) {
  n <- length(a0)
  dd <- 0:(D - 1)
  lam <- matrix(cell_rate(outer(dd, a0, "+"), outer(dd, y0, "+"), rep(s, each = D), ycut,
                          zero_fix), D, n)
  h <- lam
  for (i in seq_len(n)) {
    cr <- c(AGECUT - a0[i], ycut - y0[i])
    cr <- cr[cr > 0 & cr < D & cr != floor(cr)]     # crossings inside a day
    for (day in unique(floor(cr))) {
      pts <- sort(unique(c(day, cr[floor(cr) == day], day + 1)))
      mid <- (pts[-1] + pts[-length(pts)]) / 2
      h[day + 1, i] <- sum(diff(pts) * cell_rate(a0[i] + mid, y0[i] + mid, s[i], ycut, zero_fix))
    }
  }
  list(lam = lam, h = h)
}
A0 <- rd$age * 365.241; Y60 <- rd$year_days1960; Y70 <- rd$year_days1970; SX <- rd$sex
DMAX <- max(rd$time)
hz <- daily_hazards(A0, Y60, SX, DMAX, YEARCUT60)                       # rs.surv pp/e2, rs.diff, cmp.rel
hz_fix <- daily_hazards(A0, Y60, SX, DMAX, YEARCUT60, zero_fix = TRUE)  # netwei (ederer1, hakulinen)
hz_bug <- daily_hazards(A0, Y70, SX, DMAX, YEARCUT60, zero_fix = TRUE)  # hakulinen potential part
cumsurv <- function(m) apply(exp(-m), 2, cumprod)   # S at the END of each day (D x n)
S_exact <- cumsurv(hz$h); S_daily <- cumsurv(hz$lam)
S_fix <- cumsurv(hz_fix$h); S_bug <- cumsurv(hz_bug$h)
note("daily hazards: %d persons x %d days; %d person-days in zero-rate cells (netwei uses 1e-9)",
     ncol(hz$h), DMAX, sum(hz$lam == 0))

# individual expected survival for the first 20 persons (the lookup on its own)
exp_times <- c(1, 7, 30, 100, 365, 1000, 1826, 3653, 5345)
ids <- 1:20
ex <- expand.grid(time = exp_times, id = ids)[, 2:1]
rf20 <- relsurv:::rformulate(Surv(time, cens) ~ 1, rd[ids, ], fresh(slopop0), rmap =
                               quote(list(age = age * 365.241, sex = sex, year = year)))
stopifnot(near(rf20$R[, "year"], Y70[ids], 0))      # relsurv works in days since 1970-01-01
ex$surv_exact <- relsurv:::exp.prep(rf20$R[ex$id, , drop = FALSE], ex$time, rf20$ratetable)
ex_sv <- survexp(time ~ 1, data = merge(ex, rd[ids, c("id", "age", "sex", "year")], by = "id",
                                        sort = FALSE),
                 ratetable = fresh(slopop0), method = "individual.s",
                 rmap = list(age = age * 365.241, sex = sex, year = year))
ex$surv_exact_survexp <- as.numeric(ex_sv)
ex$surv_daily <- S_daily[cbind(ex$time, ex$id)]
ex$cumhaz_exact <- -log(ex$surv_exact)
stopifnot(near(ex$surv_exact, ex$surv_exact_survexp, 1e-13),
          near(ex$surv_exact, S_exact[cbind(ex$time, ex$id)], 1e-12))
ex$surv_exact_survexp <- NULL
ex <- cbind(ex[, c("id", "time")], rd[ex$id, c("age", "sex", "year_days1960")],
            ex[, c("surv_exact", "cumhaz_exact", "surv_daily")])
write_csv(ex, "rs_expected_rdata.csv")
note("expected survival: max |exact - daily grid| = %.3g (first 20 persons, t <= 5345 days)",
     max(abs(ex$surv_exact - ex$surv_daily)))

## ---- 3. net / relative survival: relsurv::rs.surv ------------------------------------
# anchor: fit <- rs.surv(Surv(time, cens) ~ 1 (or ~ sex), data = rd, ratetable = <private copy
#           of slopop or slopop_Date>, rmap = list(age = age * 365.241, sex = sex, year = year),
#           method = m, conf.type = c, conf.int = 0.95)   (precision = 1, type "kaplan-meier")
# Each covariate combination is a separate stratum (strata(X): "sex=1" then "sex=2"; written
# strata = the sex value, NA for ~ 1). Per stratum, t_1 < ... < t_J are the distinct follow-up
# times of the stratum (deaths AND censorings; Hakulinen adds more, below) -- the only times
# reported, although the integrals run on the daily grid in between. With t_0 = 0:
#   n_risk  Y_j = #{time_i >= t_j};  n_event d_j = #{time_i = t_j, death}
#   n_censor = Y_j - Y_{j+1} - d_j (last time: Y_J - d_J)
# Pohar Perme (method 1, C netfastpinter2). Risk set R_j = {time_i >= t_j}. For each day u of
#   the crude interval, u = t_{j-1}, ..., t_j - 1, with the daily-grid S_i and lambda_i(u):
#     a(u) = sum_{R_j} lambda_i(u) / S_i(u),     b(u) = sum_{R_j} 1 / S_i(u)
#     a2(u) = sum_{R_j} lambda_i(u) / S_i(u + 1), b2(u) = sum_{R_j} 1 / S_i(u + 1)
#   A(u), B(u), A2(u), B2(u) = the running sums of a, b, a2, b2 from u = t_{j-1} (restarted at
#   every crude time), and the expected part of the interval is
#     fint_j = sum_{u = t_{j-1}}^{t_j - 1} l_u (A(u) / B(u) + A2(u) / B2(u)) / 2   (l_u = 1 day)
#   -- sic: a ratio of RUNNING sums, not a(u) / b(u) day by day (the per-day ratio would give
#   a final net survival 0.70254 instead of 0.70186 here, relative difference <= 9.6e-4).
#     dNw_j = sum_{time_i = t_j, death} 1 / S_i(t_j),  Yw_j = sum_{R_j} 1 / S_i(t_j)
#     dLambda_j = dNw_j / Yw_j - fint_j;  surv(t_j) = prod_{k <= j} (1 - dLambda_k)
#     std_err(t_j) = sqrt( sum_{k <= j} [sum_{time_i = t_k, death} 1 / S_i(t_k)^2] / Yw_k^2 )
#   (the standard error of the cumulative net hazard, i.e. on the log(surv) scale).
#   For precision p != 1 the fine intervals have length p (last one shorter) and l_u = their
#   length; add.times (pohar-perme only) would add crude times. Both unused here.
# Ederer II (method 2, same routine, daily grid, unweighted):
#     dLambda_j = d_j / Y_j - (1 / Y_j) sum_{R_j} sum_{u = t_{j-1}}^{t_j - 1} lambda_i(u)
#     surv = prod (1 - dLambda), std_err(t_j) = sqrt(sum_{k <= j} d_k / Y_k^2)
# Ederer I (method 4, C netwei: exact integration, zero rates -> 1e-9):
#     surv(t_j) = prod_{k <= j} (1 - d_k / Y_k) / ( (1/n) sum_{i in stratum} S_i(t_j) )
#   -- the expected survival of EVERY member of the stratum, whatever their follow-up;
#   std_err = sqrt(sum d_k / Y_k^2) (the observed part only).
# Hakulinen (method 3, netwei on the observed and on the potential follow-up):
#   fin.date = max(time + year) over the WHOLE data (days since 1970), potential follow-up
#   Y2_i = time_i if censored, fin.date - year_i if dead. The output times become
#   sort(unique(pmin(t_J, c(t_1..t_J, Y2 of the stratum)))) (1246 instead of 945 rows), and
#   n_risk, n_event, n_censor refer to that grid. With h_ij = integral_{t_{j-1}}^{t_j}
#   lambda_i (exact) and S_i(t_j) = exp(-integral_0^{t_j} lambda_i) (end-of-interval weights):
#     L_j = sum_{Y2_i >= t_j} h_ij S_i(t_j) / sum_{Y2_i >= t_j} S_i(t_j)
#     surv(t_j) = prod_{k <= j} (1 - d_k / Y_k) / exp(-sum_{k <= j} L_k),
#     std_err = sqrt(sum d_k / Y_k^2)
#   BUG (relsurv 2.2-9; the same line is still in 2.3-2): the potential-follow-up call is
#   exp.prep(R, Y2, ratetable, ...) with the ORIGINAL ratetable argument instead of
#   rform$ratetable. R holds the dates in days since 1970, but slopop's 'date' cut-points are
#   days since 1960, so every calendar lookup in L_j is 3653 days (10 years) too early.
#   hak / hak_sex are what relsurv returns with slopop (reproduced by looking up year_days1970
#   against the 1960 cut-points): final relative survival 0.812. hak_datecut / _sex use
#   slopop_Date, whose cut-points are converted to the same 1970 origin both ways: the
#   intended Hakulinen estimate, final 0.759 (Ederer I 0.740, Ederer II 0.702, Pohar Perme
#   0.702). Every other method gives bit-identical results with either table (checked).
#   The same call also passes the caller's table to netwei, which writes 1e-9 into its zero
#   cells: rs.surv(method = "hakulinen", ratetable = slopop) changes the caller's slopop
#   (here slopop["98", "1986", "male"]); every call below gets a private copy.
# std.err above is relsurv's fit$std.err, the standard error of the cumulative hazard (written
# std_err_cumulative_hazard). The standard error of surv itself (written std_err) is what
# summary(fit, times = ...) reports: summary.survfit (survival 3.5-3) multiplies std.err by surv
# at the selected rows when fit$logse is NULL or TRUE (rs.surv sets no logse), so
#   std_err(t_j) = surv(t_j) * std.err(t_j)
# (0 before the first reported time, where survfit0 puts surv 1 and std.err 0, and 0 wherever
# surv is 0). Taken per stratum with summary(fit[q], times = <the stratum's times>), checked
# identical to summary(fit, censored = TRUE) and to surv * std.err computed here.
# Confidence limits (on fit$std.err), z = sqrt(qchisq(conf.int, 1)) (= qnorm(0.975) to rounding):
#   log:     exp(log S -/+ z se)
#   log-log: exp(-exp(log(-log S) -/+ z se / log S))   (lower with -, upper with +)
#   plain:   S -/+ z se S
surv_cases <- data.frame(
  case = c("pp", "pp_sex", "pp_loglog", "pp_plain", "e2", "e2_sex", "e1", "e1_sex",
           "hak", "hak_sex", "hak_datecut", "hak_datecut_sex"),
  method = c("pohar-perme", "pohar-perme", "pohar-perme", "pohar-perme", "ederer2", "ederer2",
             "ederer1", "ederer1", "hakulinen", "hakulinen", "hakulinen", "hakulinen"),
  strata = c("", "sex", "", "", "", "sex", "", "sex", "", "sex", "", "sex"),
  conf_type = c("log", "log", "log-log", "plain", rep("log", 8)),
  ratetable = c(rep("slopop", 10), "slopop_Date", "slopop_Date"),
  stringsAsFactors = FALSE)
surv_cases$conf_int <- 0.95
write_csv(surv_cases, "rs_surv_cases.csv")

# by hand, one stratum (rows idx of rd); returns the columns rs.surv reports
rs_hand <- function(method, idx, fin_date = NULL, bug = TRUE) {
  Y <- rd$time[idx]; st <- rd$cens[idx]
  tis <- sort(unique(Y))
  if (method == "hakulinen") {
    Y2 <- Y; Y2[st == 1] <- fin_date - Y70[idx][st == 1]
    tis <- sort(unique(pmin(max(tis), c(tis, Y2))))
  }
  yi <- vapply(tis, function(t) sum(Y >= t), 0)
  dni <- vapply(tis, function(t) sum(Y == t & st == 1), 0)
  D <- max(tis)
  if (method %in% c("pohar-perme", "ederer2")) {
    lam <- hz$lam[seq_len(D), idx, drop = FALSE]
    Send <- S_daily[seq_len(D), idx, drop = FALSE]
    Sstart <- rbind(1, Send[-D, , drop = FALSE])
    risk <- outer(0:(D - 1), Y, "<")                 # at risk during day d: Y > d
    grp <- findInterval(0:(D - 1), tis) + 1           # crude interval of day d
    if (method == "ederer2") {
      yidli <- as.numeric(tapply(rowSums(risk * lam), grp, sum))
      haz <- dni / yi - yidli / yi
    } else {
      a <- rowSums(risk * lam / Sstart); b <- rowSums(risk / Sstart)
      a2 <- rowSums(risk * lam / Send); b2 <- rowSums(risk / Send)
      cs <- function(v) ave(v, grp, FUN = cumsum)
      fint <- as.numeric(tapply((cs(a) / cs(b) + cs(a2) / cs(b2)) / 2, grp, sum))
      SE <- Send[tis, , drop = FALSE]                 # S_Pi(t_j), row j
      atr <- outer(tis, Y, "<="); ev <- outer(tis, Y, "==") & rep(st == 1, each = length(tis))
      dnisi <- rowSums(ev / SE); yisi <- rowSums(atr / SE); dnisisq <- rowSums(ev / SE^2)
      haz <- dnisi / yisi - fint
    }
    surv <- cumprod(1 - haz)
    se <- if (method == "ederer2") sqrt(cumsum(dni / yi^2)) else sqrt(cumsum(dnisisq / yisi^2))
  } else {
    surv <- cumprod(1 - dni / yi); se <- sqrt(cumsum(dni / yi^2))
    if (method == "ederer1") {
      popsur <- rowMeans(S_fix[tis, idx, drop = FALSE])
    } else {
      SP <- (if (bug) S_bug else S_fix)[tis, idx, drop = FALSE]
      H <- -log(SP)
      hazj <- H - rbind(0, H[-length(tis), , drop = FALSE])   # hazard over (t_{j-1}, t_j]
      atr2 <- outer(tis, Y2, "<=")
      popsur <- exp(-cumsum(rowSums(atr2 * hazj * SP) / rowSums(atr2 * SP)))
    }
    surv <- surv / popsur
  }
  data.frame(time = tis, n_risk = yi, n_event = dni, n_censor = c(-diff(yi), yi[length(yi)]) - dni,
             surv = surv, std_err = se)
}
ci_hand <- function(s, se, type, level = 0.95) {
  f <- sqrt(qchisq(level, 1))
  switch(type,
         plain = list(lower = s - se * f * s, upper = s + se * f * s),
         log = list(lower = exp(log(s) - se * f), upper = exp(log(s) + se * f)),
         "log-log" = list(lower = exp(-exp(log(-log(s)) - se * f / log(s))),
                          upper = exp(-exp(log(-log(s)) + se * f / log(s)))))
}
rt_of <- function(name) fresh(if (name == "slopop") slopop0 else slopop_Date)
surv_fits <- list()
for (i in seq_len(nrow(surv_cases))) {
  cs <- surv_cases[i, ]
  fo <- as.formula(paste("Surv(time, cens) ~", if (nchar(cs$strata)) cs$strata else "1"))
  rt <- rt_of(cs$ratetable)
  fit <- suppressWarnings(rmap_fit(rs.surv, fo, rd, rt, method = cs$method,
                                   conf.type = cs$conf_type, conf.int = cs$conf_int))
  surv_fits[[cs$case]] <- fit
  sv <- if (is.null(fit$strata)) rep(NA_real_, length(fit$time)) else
    as.numeric(sub(".*=", "", rep(names(fit$strata), fit$strata)))
  se_surv <- unlist(lapply(seq_along(if (is.null(fit$strata)) 1 else fit$strata), function(q) {
    fq <- if (is.null(fit$strata)) fit else fit[q]
    summary(fq, times = fq$time)$std.err
  }))
  stopifnot(identical(se_surv, summary(fit, censored = TRUE)$std.err),
            identical(se_surv, fit$surv * fit$std.err))
  res <- data.frame(strata = sv, time = fit$time, n_risk = fit$n.risk, n_event = fit$n.event,
                    n_censor = fit$n.censor, surv = fit$surv, std_err = se_surv,
                    lower = fit$lower, upper = fit$upper,
                    std_err_cumulative_hazard = fit$std.err)
  fin_date <- max(rd$time + Y70)
  for (g in unique(sv)) {
    idx <- if (is.na(g)) seq_len(nrow(rd)) else which(rd[[cs$strata]] == g)
    r <- if (is.na(g)) rep(TRUE, nrow(res)) else !is.na(sv) & sv == g
    h <- rs_hand(cs$method, idx, fin_date, bug = cs$ratetable == "slopop")
    ci <- ci_hand(h$surv, h$std_err, cs$conf_type)
    ok <- c(time = near(h$time, res$time[r], 0), n_risk = near(h$n_risk, res$n_risk[r], 0),
            n_event = near(h$n_event, res$n_event[r], 0), n_censor = near(h$n_censor, res$n_censor[r], 0),
            surv = near(h$surv, res$surv[r], 1e-11),
            se = near(h$std_err, res$std_err_cumulative_hazard[r], 1e-11),
            se_surv = near(h$surv * h$std_err, res$std_err[r], 1e-11),
            lower = near(ci$lower, res$lower[r], 1e-11), upper = near(ci$upper, res$upper[r], 1e-11))
    if (!all(ok)) {
      print(cs); print(ok); print(max(abs(h$surv - res$surv[r])))
      stop("rs.surv by hand disagrees")
    }
  }
  write_csv(res, paste0("rs_surv_", cs$case, ".csv"))
}

## ---- 4. log-rank-type test for net survival: relsurv::rs.diff --------------------------
# anchor: rsd <- rs.diff(Surv(time, cens) ~ sex, data = rd, ratetable = slopop,
#                        rmap = list(age = age * 365.241, sex = sex, year = year))
#   (precision = 1; groups = the covariate combinations, K = 2 here; a strata() term would
#   run the sums below per stratum and add the scores and covariances -- not used)
# Time grid, COMMON to all groups: t = sort(union(seq(1, max(time), by = precision), times))
# = days 1..5345. C netfastpinter (exact integration over each interval, NOT the daily start
# rate of rs.surv); per group g and t_j, risk set time_i >= t_j, h_ij = integral over
# (t_{j-1}, t_j] of lambda_i, S_i = exact expected survival:
#   Yw_gj = sum_risk 1 / S_i(t_j)
#   Nw_gj = sum_{time_i = t_j, death} 1 / S_i(t_j) - sum_risk h_ij / S_i(t_j)
#   q_gj  = sum_{time_i = t_j, death} 1 / S_i(t_j)^2
#   Yw_j = sum_g Yw_gj, Nw_j = sum_g Nw_gj; only times with Yw_j > 0 enter:
#   Z_g  = sum_j (Nw_gj - Yw_gj / Yw_j * Nw_j)                            (z_1, z_2)
#   V_gh = sum_j sum_k q_kj (delta_gk - Yw_gj / Yw_j) (delta_hk - Yw_hj / Yw_j)  (var_gh)
#   statistic = Z[-K]' V[-K, -K]^-1 Z[-K], df = K - 1, p_value = 1 - pchisq(statistic, df)
rsd <- rmap_fit(rs.diff, Surv(time, cens) ~ sex, rd, fresh(slopop0))
rsdiff_hand <- function(group, sub = rep(TRUE, nrow(rd))) {
  lv <- sort(unique(group)); K <- length(lv)
  tis <- sort(union(seq(1, max(rd$time)), rd$time)); D <- length(tis)
  stopifnot(all(tis == seq_len(max(rd$time))))
  w_risk <- w_event <- dsq <- matrix(0, D, K)
  for (k in seq_len(K)) {
    idx <- which(group == lv[k] & sub); Y <- rd$time[idx]; st <- rd$cens[idx]
    S <- S_exact[seq_len(D), idx, drop = FALSE]; h <- hz$h[seq_len(D), idx, drop = FALSE]
    atr <- outer(tis, Y, "<="); ev <- outer(tis, Y, "==") & rep(st == 1, each = D)
    w_risk[, k] <- rowSums(atr / S)
    w_event[, k] <- rowSums(ev / S) - rowSums(atr * h / S)
    dsq[, k] <- rowSums(ev / S^2)
  }
  keep <- rowSums(w_risk) > 0
  w_risk <- w_risk[keep, , drop = FALSE]; w_event <- w_event[keep, , drop = FALSE]
  dsq <- dsq[keep, , drop = FALSE]
  tot_r <- rowSums(w_risk); tot_e <- rowSums(w_event)
  z <- colSums(w_event - w_risk / tot_r * tot_e)
  V <- matrix(0, K, K)
  for (k in seq_len(K)) {
    e <- matrix(0, nrow(w_risk), K); e[, k] <- 1
    yk <- e - w_risk / tot_r
    V <- V + crossprod(yk * dsq[, k], yk)
  }
  zz <- z[-K]; VV <- V[-K, -K, drop = FALSE]
  list(z = z, V = V, stat = drop(zz %*% solve(VV, zz)), df = K - 1)
}
hd <- rsdiff_hand(rd$sex)
stopifnot(near(hd$stat, rsd$test.stat, 1e-10), near(hd$z[-2], rsd$zh, 1e-10),
          near(hd$V[-2, -2], rsd$covmat, 1e-10), rsd$df == 1)
write_csv(data.frame(group = "sex", statistic = drop(rsd$test.stat), df = rsd$df,
                     p_value = drop(rsd$p.value),
                     p_upper = pchisq(drop(rsd$test.stat), rsd$df, lower.tail = FALSE),
                     z_1 = hd$z[1], z_2 = hd$z[2], var_11 = hd$V[1, 1], var_12 = hd$V[1, 2],
                     var_22 = hd$V[2, 2]), "rs_diff.csv")
note("rs.diff sex: statistic %.6g, p %.3g", drop(rsd$test.stat), drop(rsd$p.value))
# stratified: rs.diff(Surv(time, cens) ~ sex + strata(agegr3)), agegr3 = cut(age, c(0, 60, 75,
# Inf), right = FALSE): per stratum the weighted numbers at risk / events on the common grid
# (days 1..max(time) of everyone), scores and covariances summed over the strata (times
# where a stratum has nobody at risk skipped in that stratum).
rd_st <- rd
rd_st$agegr3 <- cut(rd_st$age, c(0, 60, 75, Inf), right = FALSE)
rsd_st <- rmap_fit(rs.diff, Surv(time, cens) ~ sex + strata(agegr3), rd_st, fresh(slopop0))
hs <- lapply(levels(rd_st$agegr3), function(l) rsdiff_hand(rd$sex, rd_st$agegr3 == l))
z_st <- Reduce(`+`, lapply(hs, `[[`, "z")); V_st <- Reduce(`+`, lapply(hs, `[[`, "V"))
stat_st <- drop(z_st[1] * z_st[1] / V_st[1, 1])
stopifnot(near(stat_st, drop(rsd_st$test.stat), 1e-10), near(z_st[1], drop(rsd_st$zh), 1e-10),
          near(V_st[1, 1], drop(rsd_st$covmat), 1e-10), rsd_st$df == 1)
write_csv(data.frame(group = "sex", strata = "agegr3", statistic = drop(rsd_st$test.stat),
                     df = rsd_st$df, p_value = drop(rsd_st$p.value), z_1 = z_st[1], z_2 = z_st[2],
                     var_11 = V_st[1, 1], var_12 = V_st[1, 2], var_22 = V_st[2, 2]),
          "rs_diff_strata.csv")
note("rs.diff sex + strata(agegr3): statistic %.6g", drop(rsd_st$test.stat))

## ---- 5. excess-hazard regression: relsurv::rsadd --------------------------------------
# anchor: fit <- rsadd(Surv(time, cens) ~ sex + age, data = rd, ratetable = slopop,
#                      rmap = list(age = age * 365.241, sex = sex, year = year),
#                      method = "glm.poi" / "max.lik" (int = c(0, 1, 3, 5, 10)) or
#                      method = "EM" (int = 10))
# int is in YEARS (?rsadd: "the intervals (in years) in which the hazard is constant"; scaled
# by 365.241 inside). rformulate censors at max(int): time > 3652.41 days becomes time =
# 3652.41, status 0. sex (1/2) and age (years) enter as numeric covariates. Model: hazard of
# person i = lambda_i(t) (population, from slopop) + exp(x_i' beta + gamma_fu(t)).
# glm.poi (glmxp; the Dickman et al. 2004 Poisson GLM for grouped data):
#   every int interval is cut into 1-year sub-intervals (a shorter last piece if its width is
#   not whole): boundaries c_k = k * 365.241, k = 0..10; groups = the distinct covariate
#   vectors (here each (sex, age) pair). For sub-interval k everyone with time > c_k is in,
#   with y_i = (min(time_i, c_{k+1}) - c_k) / 365.241 years and a death if time_i <= c_{k+1}.
#   Per group and sub-interval (one row of rs_rsadd_glm.poi_table.csv, 1005 rows):
#     nd = deaths, lny = log(sum y_i),
#     dstar = sum_i y_i * (-log S*_ik) / len_k, len_k = (c_{k+1} - c_k) / 365.241 (= 1),
#     S*_ik = the exact expected survival over the WHOLE sub-interval from age_i + c_k,
#     year_i + c_k -- the expected deaths are each person's years at risk times the person's
#     mean population hazard (per year) over the full sub-interval, not over the exposure.
#     fu = the int interval holding the sub-interval: "[0,1]", "(1,3]", "(3,5]", "(5,10]"
#     (written with "-" for ",").
#   glm(nd ~ -1 + xmat + fu, offset = lny, mustart = pmax(nd, dstar) + 0.1, family =
#   poisson() with linkfun log(mu - dstar) and linkinv dstar + exp(eta)), i.e.
#     nd ~ Poisson(mu), mu = dstar + exp(lny + beta_sex sex + beta_age age + gamma_fu),
#   default glm.control() (epsilon 1e-8, maxit 25: rsadd's control is not passed on to glm).
#   coef, se = glm's (se = sqrt(diag(chol2inv(final QR))), dispersion 1, as summary.rsadd).
#   coef_converged, se_converged: Fisher scoring on the same table until the step < 1e-15:
#     beta <- beta + I^-1 U, U = X' [(nd - mu) / mu * e], I = X' diag(e^2 / mu) X, e = mu - dstar
#   glm's default stop leaves the coefficients up to 3.8e-5 from the optimum (a
#   glm.control(epsilon = 1e-15) refit is within 3e-9 of it).
# max.lik (maxlik, lik.fit, mlfit; the default method): split at the int boundaries only
#   (C_a = int[a] * 365.241): piece a of person i = [C_a, min(time_i, C_{a+1})] for
#   time_i > C_a, d = death in the piece, y = piece length / 365.241 years,
#   ds = integral of lambda_i over the piece (exact), and for deaths the yearly population
#   hazard at death lambda*_i = 365.241 * integral_{time_i}^{time_i + 1 day} lambda_i
#   (relsurv: -log of the 1-day expected survival from the death time, times 365.241).
#   x = (sex, age, indicator of each int interval); e = exp(x' beta):
#     loglik = sum d log(lambda* + e) - ds - y e
#     U = sum (d / (lambda* + e) - y) e x,  H = sum (d / (lambda* + e) - d e / (lambda* + e)^2 - y) e x x'
#     Newton beta <- beta - H^-1 U until max |step| < 1e-8 (control$epsilon) or 25 steps;
#     first the fu terms alone from 0, then the full model from (0, 0, those).
#   coef = the last iterate, se = sqrt(diag(-H^-1)) with H at the iterate BEFORE the last
#   step (relsurv's var); coef_converged / se_converged: Newton continued to |step| < 1e-15,
#   H at the optimum. Term names as relsurv's: sex.1, age.1, fu [0-1), ...
# EM (em, rsfitterem; Pohar Perme, Henderson & Stare 2009): semiparametric baseline. Each
#   death's probability of being an excess death, N_i = l0(t_i) e_i / (a_i + l0(t_i) e_i)
#   (a_i = 1-day population cumulative hazard at the death), weights a Cox fit (coxph on the
#   deaths duplicated as excess / population events, weights N_i, 1 - N_i) for beta; l0 is
#   a Breslow-type sum_{deaths at t} N_i / sum_{risk} e_i, kernel-smoothed with a bandwidth
#   chosen by a grid search (bwin = -1 default, bwinfac written); at most control$maxit = 25
#   iterations (tolerance 1e-8 on beta); se from the Cox information minus the missing
#   information. Here it stops at 25 iterations without meeting the tolerance (with maxit =
#   300 the sex coefficient moves from 0.6743 to 0.6769). Written as relsurv returns it; NOT
#   re-derived.
INT <- c(0, 1, 3, 5, 10)
# exact integral of the rate over [0, len] from (age a, year y) -- pystep / expc, any len
seg_cumhaz <- function(a, y, s, len, ycut = YEARCUT60) {
  vapply(seq_along(a), function(r) {
    pts <- c(0, AGECUT - a[r], ycut - y[r], len[r])
    pts <- sort(unique(pts[pts >= 0 & pts <= len[r]]))
    if (length(pts) < 2) return(0)
    mid <- (pts[-1] + pts[-length(pts)]) / 2
    sum(diff(pts) * cell_rate(a[r] + mid, y[r] + mid, s[r], ycut))
  }, 0)
}
Ycap <- pmin(rd$time, max(INT) * 365.241)
Dcap <- ifelse(rd$time > max(INT) * 365.241, 0, rd$cens)

# -- glm.poi: the grouped table (1-year sub-intervals x covariate groups)
glm_table_hand <- function() {
  cuts <- (0:max(INT)) * 365.241
  fu_lab <- c("[0,1]", sprintf("(%g,%g]", INT[-c(1, length(INT))], INT[-(1:2)]))
  rows <- list()
  for (k in seq_len(length(cuts) - 1)) {
    inn <- which(Ycap > cuts[k])
    if (!length(inn)) break
    len <- cuts[k + 1] - cuts[k]
    y <- (pmin(Ycap[inn], cuts[k + 1]) - cuts[k]) / 365.241
    ev <- Dcap[inn] * (Ycap[inn] <= cuts[k + 1])
    ps <- exp(-seg_cumhaz(A0[inn] + cuts[k], Y60[inn] + cuts[k], SX[inn], rep(len, length(inn))))
    kk <- len / 365.241
    grp <- interaction(rd$sex[inn], rd$age[inn], drop = TRUE)
    agg <- data.frame(sex = tapply(rd$sex[inn], grp, `[`, 1), age = tapply(rd$age[inn], grp, `[`, 1),
                      nd = tapply(ev, grp, sum), lny = log(tapply(y, grp, sum)),
                      dstar = tapply(-log(ps) / kk * y, grp, sum),
                      fu = fu_lab[findInterval(cuts[k] + 1e-9, INT * 365.241)], sub = k)
    rows[[k]] <- agg
  }
  r <- do.call(rbind, rows); rownames(r) <- NULL
  r[order(r$sub, r$sex, r$age), ]
}
gt <- glm_table_hand()
fit_poi <- suppressWarnings(rmap_fit(rsadd, Surv(time, cens) ~ sex + age, rd, fresh(slopop0),
                                     method = "glm.poi", int = INT))
gd <- fit_poi$groups
# relsurv's rows are in covariate-group order within each sub-interval; compare sorted by
# (fu, sex, age, dstar) -- several sub-intervals share one fu label
o1 <- order(match(gt$fu, unique(gt$fu)), gt$sex, gt$age, gt$dstar)
o2 <- order(match(gd$fu, unique(gt$fu)), gd$sex, gd$age, gd$dstar)
stopifnot(nrow(gt) == nrow(gd), near(gt$nd[o1], gd$nd[o2], 0), near(gt$lny[o1], gd$lny[o2], 1e-13),
          near(gt$dstar[o1], gd$dstar[o2], 1e-10), all(as.character(gd$fu[o2]) == gt$fu[o1]))
# the same glm on the by-hand table reproduces relsurv's fit; Fisher scoring to the exact
# optimum gives coef_converged / se_converged
Xg <- cbind(sex = gt$sex, age = gt$age, sapply(unique(gt$fu), function(l) as.numeric(gt$fu == l)))
poi_fit_hand <- function(X, nd, off, dstar, b) {
  for (it in 1:100) {
    eta <- drop(X %*% b) + off; ex <- exp(eta); mu <- dstar + ex
    U <- crossprod(X, (nd - mu) / mu * ex)
    I <- crossprod(X * (ex^2 / mu), X)
    step <- solve(I, U); b <- b + drop(step)
    if (max(abs(step)) < 1e-15 * max(1, abs(b))) break
  }
  eta <- drop(X %*% b) + off; ex <- exp(eta); mu <- dstar + ex
  list(coef = b, se = sqrt(diag(solve(crossprod(X * (ex^2 / mu), X)))), iter = it)
}
ph <- poi_fit_hand(Xg, gt$nd, gt$lny, gt$dstar, unname(coef(fit_poi)))
se_poi <- sqrt(diag(summary(fit_poi)$var))   # chol2inv of glm's final QR (dispersion 1)
# relsurv's own glm call (family, offset, mustart) on the by-hand table
poi_glm <- function(tab, control = glm.control()) {
  dstar <- tab$dstar
  pot <- poisson()
  pot$linkfun <- function(mu) log(mu - dstar)
  pot$linkinv <- function(eta) dstar + exp(eta)
  fu <- factor(tab$fu, levels = unique(tab$fu)); xmat <- cbind(sex = tab$sex, age = tab$age)
  glm(tab$nd ~ -1 + xmat + fu, family = pot, offset = tab$lny,
      mustart = pmax(tab$nd, tab$dstar) + 0.1, control = control)
}
g_def <- poi_glm(gt); g_tight <- poi_glm(gt, glm.control(epsilon = 1e-15, maxit = 100))
stopifnot(fit_poi$converged, all(gt$nd >= 0),
          near(coef(g_def), coef(fit_poi), 1e-9), g_def$iter == fit_poi$iter,
          near(sqrt(diag(chol2inv(g_def$qr$qr))), se_poi, 1e-8),
          near(ph$coef, coef(g_tight), 1e-7), near(ph$se, sqrt(diag(chol2inv(g_tight$qr$qr))), 1e-7))
nocomma <- function(x) gsub(",", "-", x, fixed = TRUE)
write_csv(data.frame(term = nocomma(names(coef(fit_poi))), coef = unname(coef(fit_poi)), se = unname(se_poi),
                     coef_converged = ph$coef, se_converged = ph$se), "rs_rsadd_glm.poi.csv")
write_csv(data.frame(sub_interval = gt$sub, fu = nocomma(gt$fu), sex = gt$sex, age = gt$age, nd = gt$nd,
                     lny = gt$lny, dstar = gt$dstar), "rs_rsadd_glm.poi_table.csv")
note("rsadd glm.poi: %d grouped rows, glm iterations %d, max|coef - converged| = %.3g",
     nrow(gt), fit_poi$iter, max(abs(ph$coef - coef(fit_poi))))

# -- max.lik: split at the int boundaries, Newton-Raphson on the full likelihood
fit_ml <- rmap_fit(rsadd, Surv(time, cens) ~ sex + age, rd, fresh(slopop0), method = "max.lik",
                   int = INT)
ml_hand <- function() {
  cuts <- INT * 365.241
  pieces <- do.call(rbind, lapply(seq_len(length(cuts) - 1), function(a) {
    inn <- which(Ycap > cuts[a])
    data.frame(i = inn, a = a, start = cuts[a], stop = pmin(Ycap[inn], cuts[a + 1]),
               d = Dcap[inn] * (Ycap[inn] <= cuts[a + 1]))
  }))
  pieces <- pieces[order(pieces$a, pieces$i), ]
  i <- pieces$i
  ds <- seg_cumhaz(A0[i] + pieces$start, Y60[i] + pieces$start, SX[i], pieces$stop - pieces$start)
  lam <- numeric(nrow(pieces)); e <- pieces$d == 1
  lam[e] <- seg_cumhaz(A0[i][e] + pieces$stop[e], Y60[i][e] + pieces$stop[e], SX[i][e],
                       rep(1, sum(e))) * 365.241
  X <- cbind(sex = rd$sex[i], age = rd$age[i],
             sapply(seq_len(length(cuts) - 1), function(a) as.numeric(pieces$a == a)))
  y <- (pieces$stop - pieces$start) / 365.241
  newton <- function(X, b, tol = 1e-8, maxit = 25) {   # mlfit
    for (nit in 1:maxit) {
      b0 <- b; ebx <- exp(drop(X %*% b))
      fd <- crossprod(X, (pieces$d / (lam + ebx) - y) * ebx)
      sd <- crossprod(X * ((pieces$d / (lam + ebx) - pieces$d * ebx / (lam + ebx)^2 - y) * ebx), X)
      b <- b - drop(solve(sd, fd))
      if (max(abs(b - b0)) < tol) break
    }
    ebx <- exp(drop(X %*% b))
    list(b = b, var = -solve(sd), nit = nit, loglik = sum(pieces$d * log(lam + ebx) - ds - y * ebx))
  }
  f0 <- newton(X[, -(1:2)], rep(0, ncol(X) - 2))
  f1 <- newton(X, c(0, 0, f0$b))
  f2 <- newton(X, f1$b, tol = 1e-15, maxit = 100)     # polished: Hessian at the optimum
  list(fit = f1, conv = f2)
}
mh <- ml_hand()
se_ml <- sqrt(diag(fit_ml$var))
stopifnot(near(mh$fit$b, fit_ml$coefficients, 1e-9), near(sqrt(diag(mh$fit$var)), se_ml, 1e-9),
          mh$fit$nit == fit_ml$iter, near(mh$fit$loglik, fit_ml$loglik[2], 1e-10))
write_csv(data.frame(term = nocomma(names(fit_ml$coefficients)), coef = unname(fit_ml$coefficients),
                     se = unname(se_ml), coef_converged = mh$conv$b,
                     se_converged = sqrt(diag(mh$conv$var))), "rs_rsadd_max.lik.csv")
note("rsadd max.lik: %d Newton steps, loglik %.10g", fit_ml$iter, fit_ml$loglik[2])

# -- EM (semiparametric baseline; relsurv's output only, not re-derived)
el_em <- system.time(fit_em <- suppressWarnings(rmap_fit(rsadd, Surv(time, cens) ~ sex + age, rd,
                                                        fresh(slopop0), method = "EM", int = 10)))[["elapsed"]]
write_csv(data.frame(term = names(fit_em$coefficients), coef = unname(fit_em$coefficients),
                     se = unname(sqrt(diag(fit_em$var))), iterations = fit_em$iter,
                     bwinfac = fit_em$bwin$bwinfac), "rs_rsadd_EM.csv")
note("rsadd EM: %.1f s, %d iterations, bandwidth factor %g", el_em, fit_em$iter, fit_em$bwin$bwinfac)

## ---- 6. crude probabilities of death: relsurv::cmp.rel --------------------------------
# anchor: cmp <- cmp.rel(Surv(time, cens) ~ 1, data = rd, ratetable = slopop,
#                        rmap = list(age = age * 365.241, sex = sex, year = year))
#   (tau = max(time), precision = 1, conf.int = 0.95)
# Grid t_j = sort(unique(pmin(tau, union(times, seq(1, max(time), by = precision))))) = days
# 1..5345 (C cmpfast, exact integration, unweighted). Per t_j: Y_j = #{time_i >= t_j},
# d_j = deaths at t_j, E_j = sum_{time_i >= t_j} integral_{t_{j-1}}^{t_j} lambda_i:
#   dLP_j = E_j / Y_j, dLO_j = d_j / Y_j, dLE_j = dLO_j - dLP_j, sigma_j = d_j / Y_j^2
#   SO(t_j) = prod_{k <= j} (1 - dLO_k)                       (all-cause Kaplan-Meier)
#   FE(t_j) = sum_{k <= j} SO(t_{k-1}) dLE_k   (cause "cancer": excess, may decrease)
#   FP(t_j) = sum_{k <= j} SO(t_{k-1}) dLP_k   (cause "population")
#   Var FE(t_j) = sum_{k <= j} (SO(t_k) - (FE(t_j) - FE(t_k)))^2 sigma_k
#   Var FP(t_j) = sum_{k <= j} (FP(t_j) - FP(t_k))^2 sigma_k
#   (SO(t_k) AFTER the step at t_k, as in the C code)
# area (rs_cmprel_area.csv) = sum_j (t_j - t_{j-1}) F(t_j) / 365.241 (right end-points; years).
# cmp.rel returns the whole grid with time 0 prepended (estimate 0, variance 0); written here
# at time 0 and every distinct observed time. (cmp.rel's own lower / upper omit time 0, so
# they are shifted by one position against its time vector; not written: est -/+ z sqrt(var).)
cmp <- suppressWarnings(rmap_fit(cmp.rel, Surv(time, cens) ~ 1, rd, fresh(slopop0)))
cmp_hand <- function(idx = seq_len(nrow(rd))) {
  Y <- rd$time[idx]; st <- rd$cens[idx]
  tis <- seq_len(max(Y))
  yi <- tabulate(Y, max(Y)); yi <- rev(cumsum(rev(yi)))          # # with Y >= t
  dni <- tabulate(Y[st == 1], max(Y))
  atr <- outer(tis, Y, "<=")
  yidli <- rowSums(atr * hz$h[tis, idx, drop = FALSE])
  dLp <- yidli / yi; dLo <- dni / yi; dLe <- dLo - dLp; sig <- dni / yi^2
  So <- cumprod(1 - dLo); Sprev <- c(1, So[-length(So)])
  Fe <- cumsum(Sprev * dLe); Fp <- cumsum(Sprev * dLp)
  list(time = tis, Fe = Fe, Fp = Fp, So = So, sig = sig,
       area_e = sum(Fe) / 365.241, area_p = sum(Fp) / 365.241)
}
ch <- cmp_hand()
at <- c(0, sort(unique(rd$time)))                  # 0 and every observed time
j <- match(at[-1], ch$time)
ve <- vapply(j, function(jj) { k <- seq_len(jj)
  sum((ch$So[k] - (ch$Fe[jj] - ch$Fe[k]))^2 * ch$sig[k]) }, 0)
vp <- vapply(j, function(jj) { k <- seq_len(jj); sum((ch$Fp[jj] - ch$Fp[k])^2 * ch$sig[k]) }, 0)
r <- match(at, cmp$causeSpec$time)
stopifnot(identical(cmp$causeSpec$time, c(0, ch$time)), identical(cmp$population$time, c(0, ch$time)),
          near(c(0, ch$Fe[j]), cmp$causeSpec$est[r], 1e-11), near(c(0, ch$Fp[j]), cmp$population$est[r], 1e-11),
          near(c(0, ve), cmp$causeSpec$var[r], 1e-9), near(c(0, vp), cmp$population$var[r], 1e-9),
          near(ch$area_e, cmp$causeSpec$area, 1e-11), near(ch$area_p, cmp$population$area, 1e-11))
write_csv(rbind(data.frame(time = at, cause = "cancer", estimate = cmp$causeSpec$est[r],
                           variance = cmp$causeSpec$var[r]),
                data.frame(time = at, cause = "population", estimate = cmp$population$est[r],
                           variance = cmp$population$var[r])), "rs_cmprel.csv")
write_csv(data.frame(cause = c("cancer", "population"), tau = cmp$tau,
                     area = c(cmp$causeSpec$area, cmp$population$area)), "rs_cmprel_area.csv")
# by sex: cmp.rel(Surv(time, cens) ~ sex): each group on its own grid (days 1..its longest
# follow-up), tau = the longest follow-up of all. rs_cmprel_sex.csv: group (sex), time (0 and
# the group's observed times), cause, estimate, variance.
cmp_sex <- suppressWarnings(rmap_fit(cmp.rel, Surv(time, cens) ~ sex, rd, fresh(slopop0)))
stopifnot(cmp_sex$tau == max(rd$time))
cmp_rows <- list()
for (g in 1:2) {
  idx <- which(rd$sex == g); h <- cmp_hand(idx)
  ce <- cmp_sex[[2 * g - 1]]; cp <- cmp_sex[[2 * g]]
  at_g <- c(0, sort(unique(rd$time[idx]))); jg <- match(at_g[-1], h$time); rg <- match(at_g, ce$time)
  ve_g <- vapply(jg, function(jj) { k <- seq_len(jj)
    sum((h$So[k] - (h$Fe[jj] - h$Fe[k]))^2 * h$sig[k]) }, 0)
  stopifnot(identical(ce$time, c(0, h$time)), near(c(0, h$Fe[jg]), ce$est[rg], 1e-11),
            near(c(0, h$Fp[jg]), cp$est[rg], 1e-11), near(c(0, ve_g), ce$var[rg], 1e-9))
  cmp_rows[[g]] <- rbind(data.frame(group = g, time = at_g, cause = "cancer", estimate = ce$est[rg],
                                    variance = ce$var[rg]),
                         data.frame(group = g, time = at_g, cause = "population", estimate = cp$est[rg],
                                    variance = cp$var[rg]))
}
write_csv(do.call(rbind, cmp_rows), "rs_cmprel_sex.csv")
note("cmp.rel at %g days: cancer %.6f, population %.6f; min variance %.3g", max(at),
     cmp$causeSpec$est[length(cmp$causeSpec$est)], cmp$population$est[length(cmp$population$est)],
     min(c(cmp$causeSpec$var, cmp$population$var)))

## ---- 7. interval (life-table) relative survival: popEpi::survtab ---------------------
# Data: popEpi::sire (simulated Finnish female rectal cancer patients, diagnosed 1993-2012,
# closing date 2012-12-31; sex is 1 = female for all), the 8227 rows with dg_date < ex_date
# (16 rows without follow-up dropped, as in survtab's example). dg_age is age at diagnosis in
# fractional years (30.6..100.9). popEpi::popmort: Finnish population mortality 1951-2013,
# sex 0 male / 1 female, agegroup 0..100 (single years; 100 = 100+), haz = hazard per
# person-YEAR.
# Lexis (Epi 2.47) as in ?survtab: entry FUT = 0, AGE = dg_age, CAL = get.yrs(dg_date),
# exit CAL = get.yrs(ex_date), get.yrs(d) = year(d) + (yday(d) - 1) / 365.242199 (written
# dg_cal, ex_cal); lex.dur = ex_cal - dg_cal; exit status factor alive / canD / othD
# (status 0 / 1 / 2); survtab takes every level after the first as the event (any death).
# anchor: survtab(FUT ~ 1 (or ~ agegr, or ~ adjust(agegr)), data = lx, surv.type = "surv.rel",
#                 relsurv.method = "e2" / "pp", pophaz = pm (popmort renamed sex, CAL, AGE, haz),
#                 breaks = list(FUT = seq(0, 5, 1/12)) [, weights = ICSS1 by agegr])
#   (defaults surv.method = "hazard", conf.type = "log-log", conf.level = 0.95)
# Steps (the "hazard" = exponential-within-interval life table):
#   follow-up is cut at FUT = 5 (a death after 5 years becomes a censoring at 5); split at
#   b_k = (k - 1) / 12: row (i, k) = [b_k, min(b_{k+1}, end_i)), the death on the last row.
#   Population hazard of a row: popmort at (sex, cutLow(dg_cal + b_k + dur / 2),
#   cutLow(dg_age + b_k + dur / 2)), cutLow(x) = the largest table value <= x + sqrt(eps)
#   (beyond the last year / age the last one; below the first the row would be dropped --
#   none here): ONE hazard per monthly row, at its MID-POINT, no split at a new year or age.
#   Interval k, Delta = b_{k+1} - b_k: pyrs = sum dur, d = sum deaths, d.exp = sum dur * haz.
#   surv.obs = prod exp(-Delta d / pyrs), SE.surv.obs = surv.obs sqrt(sum Delta^2 d / pyrs^2)
#   e2: surv.exp = prod exp(-Delta d.exp / pyrs), r.e2 = prod exp(-Delta (d - d.exp) / pyrs),
#       SE.r.e2 = SE.surv.obs / surv.exp
#   pp: weight of row (i, k) (comp_pp_weights, style "delta", a person's only row in the
#       interval): pcs = exp(-sum_{rows of i up to and incl. k} haz dur) / exp(-haz dur) (the
#       expected survival at the row's start), w = 1 / (pcs exp(+haz (b_{k+1} - sqrt(eps) -
#       b_k) / 2)). Note the PLUS sign: the expected survival is moved half an interval
#       BACKWARDS, w ~ 1 / S*(b_k - Delta / 2) instead of 1 / S*(b_k + Delta / 2) (the
#       several-rows branch uses exp(-...); the sign is the same in popEpi 0.5.0; with a minus
#       sign r.pp would differ by up to 9e-4 relative).
#       d.pp = sum_deaths w, d.pp.2 = sum_deaths w^2, pyrs.pp = sum dur w,
#       d.exp.pp = sum dur haz w;  r.pp = prod exp(-Delta (d.pp - d.exp.pp) / pyrs.pp),
#       SE.r.pp = r.pp sqrt(sum Delta^2 d.pp.2 / pyrs.pp^2)
#   log-log limits: u = SE / (|log S| S), lower = S^exp(z u), upper = S^exp(-z u), with
#   z = as.numeric(as.character(qnorm(0.975))) = 1.95996398454005 (popEpi pastes the quantile
#   into an expression: 15 significant digits); SE = 0 gives lower = upper = S.
# agegr: cut(dg_age, c(0, 45, 55, 65, 75, Inf), right = FALSE), the ICSS age groups
#   (nobody is under 30); ~ agegr gives one table per group (written group = lower bound).
# icss1 (age-standardised): ~ adjust(agegr), weights = ICSS1 summed into those 5 groups
#   (15-44 including the zero-weight 0-14 row) = 0.07, 0.12, 0.23, 0.29, 0.29 after popEpi
#   normalises them: per interval surv = sum_g w_g S_g (written as surv; SE =
#   sqrt(sum_g w_g^2 SE_g^2); surv.obs / SE.surv.obs likewise), log-log limits on these;
#   pyrs, d, d.exp (d.pp, ...) are summed over the groups. (All groups reach 60 intervals, so
#   survtab's cropping to the shortest group does nothing.)
# ICSS (Corazziari, Quinn & Capocaccia 2004, popEpi::ICSS): three standard cancer-patient
#   age distributions, per 100 000 in 5-year groups 0 (0-14, weight 0), 15, ..., 85 (85+):
#   ICSS1 cancers whose incidence rises with age, ICSS2 broadly constant with age, ICSS3
#   mainly young adults. rs_icss_5groups.csv: the standard 15-44, 45-54, 55-64, 65-74, 75+
#   weights (ICSS1 0.07 0.12 0.23 0.29 0.29; ICSS2 0.28 0.17 0.21 0.20 0.14; ICSS3 0.60 0.10
#   0.10 0.10 0.10).
sire0 <- as.data.frame(popEpi::sire)
sire0 <- sire0[sire0$dg_date < sire0$ex_date, ]
sire_out <- data.frame(id = seq_len(nrow(sire0)), sex = sire0$sex,
                       bi_date = format(sire0$bi_date), dg_date = format(sire0$dg_date),
                       ex_date = format(sire0$ex_date), status = sire0$status,
                       dg_age = sire0$dg_age,
                       dg_cal = as.numeric(get.yrs(sire0$dg_date)),
                       ex_cal = as.numeric(get.yrs(sire0$ex_date)))
yday0 <- function(d) as.numeric(format(as.Date(d), "%j")) - 1
stopifnot(near(sire_out$dg_cal, as.numeric(format(as.Date(sire_out$dg_date), "%Y")) +
                 yday0(sire_out$dg_date) / 365.242199, 1e-15))
write_csv(sire_out, "data_rs_sire.csv")
pm0 <- as.data.frame(popEpi::popmort)
write_csv(data.frame(sex = pm0$sex, year = pm0$year, agegroup = pm0$agegroup, haz = pm0$haz),
          "data_rs_popmort.csv")
si <- read.csv(file.path(out, "data_rs_sire.csv"))
pmr <- read.csv(file.path(out, "data_rs_popmort.csv"))
stopifnot(nrow(si) == 8227, near(si$dg_age, sire0$dg_age, 0), near(pmr$haz, pm0$haz, 0))

# the Lexis object of popEpi's survtab example, built from the written data
sire_lex <- function(d) {
  d$dg_date <- as.Date(d$dg_date); d$ex_date <- as.Date(d$ex_date)
  Lexis(entry = list(FUT = 0, AGE = dg_age, CAL = get.yrs(dg_date)),
        exit = list(CAL = get.yrs(ex_date)), data = d,
        entry.status = factor(rep("alive", nrow(d)), levels = c("alive", "canD", "othD")),
        exit.status = factor(status, levels = 0:2, labels = c("alive", "canD", "othD")),
        merge = TRUE)
}
lx <- suppressMessages(sire_lex(si))
pm <- data.frame(sex = pmr$sex, CAL = pmr$year, AGE = pmr$agegroup, haz = pmr$haz)
BR <- seq(0, 5, 1/12)
ICSS_CUT <- c(0, 45, 55, 65, 75, Inf)
lx$agegr <- cut(lx$dg_age, ICSS_CUT, right = FALSE)
icss <- as.data.frame(popEpi::ICSS)
w_icss1 <- tapply(icss$ICSS1, cut(icss$age, ICSS_CUT, right = FALSE), sum)
stopifnot(sum(w_icss1) == 1e5, icss$ICSS1[icss$age == 0] == 0)

# by hand: split, population hazards, interval sums and estimates
survtab_hand <- function(d, method, group = NULL, pp_weight = "popepi") {
  e <- d$ex_cal - d$dg_cal                            # lex.dur
  fend <- pmin(e, max(BR)); ev <- as.numeric(d$status %in% 1:2 & e <= max(BR))
  K <- length(BR) - 1
  rows <- do.call(rbind, lapply(seq_len(K), function(k) {
    inn <- which(fend > BR[k])
    if (!length(inn)) return(NULL)
    stop <- pmin(BR[k + 1], fend[inn])
    data.frame(i = inn, k = k, start = BR[k], dur = stop - BR[k],
               ev = ev[inn] * (fend[inn] <= BR[k + 1]))
  }))
  rows <- rows[order(rows$i, rows$k), ]
  tol <- .Machine$double.eps^0.5
  yrs <- sort(unique(pm$CAL)); ags <- sort(unique(pm$AGE))
  lowcut <- function(x, br) c(br, Inf)[findInterval(x + tol, c(br, Inf))]
  calm <- lowcut(d$dg_cal[rows$i] + rows$start + rows$dur / 2, yrs)
  agem <- lowcut(d$dg_age[rows$i] + rows$start + rows$dur / 2, ags)
  rows$haz <- pm$haz[match(paste(d$sex[rows$i], calm, agem), paste(pm$sex, pm$CAL, pm$AGE))]
  stopifnot(!anyNA(rows$haz))
  # Pohar Perme weights (comp_pp_weights, style "delta"; one row per person and interval)
  ps <- exp(-rows$haz * rows$dur)
  pcs <- ave(rows$haz * rows$dur, rows$i, FUN = function(v) exp(-cumsum(v))) / ps
  stop_shift <- BR[rows$k + 1] - tol
  rows$pp <- if (pp_weight == "popepi") 1 / (pcs * exp(rows$haz * (stop_shift - rows$start) / 2)) else
    1 / (pcs * exp(-rows$haz * (BR[rows$k + 1] - rows$start) / 2))   # 1 / S*(interval mid-point)
  gv <- if (is.null(group)) rep(1, nrow(rows)) else group[rows$i]
  key <- interaction(gv, rows$k, drop = TRUE, lex.order = TRUE)
  s <- function(v) as.numeric(tapply(v, key, sum))
  tab <- data.frame(group = as.character(tapply(as.character(gv), key, `[`, 1)),
                    k = as.numeric(tapply(rows$k, key, `[`, 1)),
                    pyrs = s(rows$dur), d = s(rows$ev), d.exp = s(rows$dur * rows$haz),
                    d.pp = s(rows$ev * rows$pp), d.pp.2 = s(rows$ev * rows$pp^2),
                    pyrs.pp = s(rows$dur * rows$pp), d.exp.pp = s(rows$dur * rows$haz * rows$pp))
  tab$delta <- diff(BR)[tab$k]
  z <- as.numeric(as.character(qnorm(0.975)))
  llci <- function(S, SE) { u <- SE / (abs(log(S)) * S)
    list(lo = S^exp(z * u), hi = S^exp(-z * u)) }
  res <- do.call(rbind, lapply(split(tab, tab$group), function(t) {
    t$surv.obs <- cumprod(exp(-t$delta * t$d / t$pyrs))
    t$SE.surv.obs <- t$surv.obs * sqrt(cumsum(t$delta^2 * t$d / t$pyrs^2))
    if (method == "e2") {
      t$surv.exp <- cumprod(exp(-t$delta * t$d.exp / t$pyrs))
      t$est <- cumprod(exp(-t$delta * (t$d - t$d.exp) / t$pyrs))
      t$SE <- t$SE.surv.obs / t$surv.exp
    } else {
      t$est <- cumprod(exp(-t$delta * (t$d.pp - t$d.exp.pp) / t$pyrs.pp))
      t$SE <- t$est * sqrt(cumsum(t$delta^2 * t$d.pp.2 / t$pyrs.pp^2))
    }
    ci <- llci(t$est, t$SE); t$lo <- ci$lo; t$hi <- ci$hi
    t
  }))
  rownames(res) <- NULL
  res
}
st_cases <- data.frame(case = c("e2", "pp", "e2_agegr", "pp_agegr", "e2_icss1", "pp_icss1"),
                       relsurv_method = rep(c("e2", "pp"), 3),
                       formula = c("FUT ~ 1", "FUT ~ 1", "FUT ~ agegr", "FUT ~ agegr",
                                   "FUT ~ adjust(agegr)", "FUT ~ adjust(agegr)"),
                       weights = c("", "", "", "", "ICSS1", "ICSS1"), stringsAsFactors = FALSE)
write_csv(st_cases, "rs_survtab_cases.csv")
st_hand <- list()
for (m in c("e2", "pp")) {
  st_hand[[m]] <- survtab_hand(si, m)
  st_hand[[paste0(m, "_agegr")]] <- survtab_hand(si, m, as.character(lx$agegr))
}
for (i in seq_len(nrow(st_cases))) {
  cs <- st_cases[i, ]; m <- cs$relsurv_method
  args <- list(formula = as.formula(cs$formula), data = lx, surv.type = "surv.rel",
               relsurv.method = m, pophaz = pm, breaks = list(FUT = BR))
  if (nchar(cs$weights)) args$weights <- as.numeric(w_icss1)
  st <- as.data.frame(suppressMessages(do.call(survtab, args)))
  est <- if (m == "e2") "r.e2" else "r.pp"
  if (nchar(cs$weights)) est <- paste0(est, ".as")
  grp <- if ("agegr" %in% names(st)) as.character(st$agegr) else rep(NA_character_, nrow(st))
  res <- data.frame(group = grp, interval = st[["surv.int"]], Tstart = st[["Tstart"]],
                    Tstop = st[["Tstop"]], delta = st[["delta"]], pyrs = st[["pyrs"]], d = st[["d"]])
  for (v in if (m == "e2") "d.exp" else c("d.pp", "d.pp.2", "pyrs.pp", "d.exp.pp")) res[[v]] <- st[[v]]
  stopifnot(all(vapply(res, function(v) length(v) == nrow(st), TRUE)))
  obs <- if (nchar(cs$weights)) "surv.obs.as" else "surv.obs"     # [[ ]]: no partial matching
  res$surv.obs <- st[[obs]]; res$SE.surv.obs <- st[[paste0("SE.", obs)]]
  res$surv <- st[[est]]; res$SE <- st[[paste0("SE.", est)]]
  res$lower <- st[[paste0(est, ".lo")]]; res$upper <- st[[paste0(est, ".hi")]]
  # checks against the by-hand tables
  if (!nchar(cs$weights)) {
    h <- st_hand[[cs$case]]
    if (!all(is.na(grp))) h <- h[order(h$group, h$k), ] else h$group <- NA_character_
    stopifnot(identical(as.character(h$group), res$group), all(h$k == res$interval))
    vars <- c("pyrs", "d", if (m == "e2") "d.exp" else c("d.pp", "d.pp.2", "pyrs.pp", "d.exp.pp"))
    for (v in vars) if (!near(h[[v]], res[[v]], 1e-10)) stop("survtab ", cs$case, ": ", v)
    for (v in c("surv.obs", "SE.surv.obs")) if (!near(h[[v]], res[[v]], 1e-10)) stop(cs$case, v)
    if (!near(h$est, res$surv, 1e-10) || !near(h$SE, res$SE, 1e-10) ||
        !near(h$lo, res$lower, 1e-10) || !near(h$hi, res$upper, 1e-10)) stop("survtab ", cs$case)
  } else {
    h <- st_hand[[sub("icss1", "agegr", cs$case)]]
    w <- as.numeric(w_icss1 / sum(w_icss1))[match(h$group, names(w_icss1))]
    a_est <- as.numeric(tapply(h$est * w, h$k, sum))
    a_se <- sqrt(as.numeric(tapply(h$SE^2 * w^2, h$k, sum)))
    z <- as.numeric(as.character(qnorm(0.975))); u <- a_se / (abs(log(a_est)) * a_est)
    stopifnot(length(unique(table(h$group))) == 1,
              near(a_est, res$surv, 1e-10), near(a_se, res$SE, 1e-10),
              near(a_est^exp(z * u), res$lower, 1e-10), near(a_est^exp(-z * u), res$upper, 1e-10),
              near(as.numeric(tapply(h$pyrs, h$k, sum)), res$pyrs, 1e-10),
              near(as.numeric(tapply(h$surv.obs * w, h$k, sum)), res$surv.obs, 1e-10))
  }
  res$group <- as.numeric(sub("^\\[([0-9.]+),.*$", "\\1", res$group))   # lower age bound
  write_csv(res, paste0("rs_survtab_", cs$case, ".csv"))
}
# pp with the weight at the interval's mid-point (Pohar Perme et al. 2012; the popEpi sign
# corrected): w = 1 / (pcs exp(-haz Delta / 2)) = 1 / S*(b_k + Delta / 2); by hand only (no
# package computes it this way on these data), overall and by age group.
for (cs in c("pp", "pp_agegr")) {
  h <- survtab_hand(si, "pp", if (cs == "pp") NULL else as.character(lx$agegr), "midpoint")
  pe <- st_hand[[cs]]
  stopifnot(max(abs(h$est / pe$est - 1)) > 1e-5, all(h$pyrs == pe$pyrs))
  grp <- if (cs == "pp") NA_real_ else as.numeric(sub("^\\[([0-9.]+),.*$", "\\1", h$group))
  write_csv(data.frame(group = grp, interval = h$k, pyrs = h$pyrs, d = h$d, d.pp = h$d.pp,
                       d.pp.2 = h$d.pp.2, pyrs.pp = h$pyrs.pp, d.exp.pp = h$d.exp.pp,
                       surv = h$est, SE = h$SE, lower = h$lo, upper = h$hi),
            paste0("rs_survtab_", cs, "_midpoint.csv"))
  note("survtab %s: mid-point weights move r.pp by up to %.2g relative", cs,
       max(abs(h$est / pe$est - 1)))
}
write_csv(data.frame(age_lower = icss$age, age_upper = c(icss$age[-1], Inf),
                     icss1 = icss$ICSS1, icss2 = icss$ICSS2, icss3 = icss$ICSS3), "rs_icss.csv")
g5 <- cut(icss$age, c(0, 45, 55, 65, 75, Inf), right = FALSE)
write_csv(data.frame(age_group = c("15-44", "45-54", "55-64", "65-74", "75+"),
                     age_lower = c(15, 45, 55, 65, 75), age_upper = c(45, 55, 65, 75, Inf),
                     icss1 = as.numeric(tapply(icss$ICSS1, g5, sum)) / 1e5,
                     icss2 = as.numeric(tapply(icss$ICSS2, g5, sum)) / 1e5,
                     icss3 = as.numeric(tapply(icss$ICSS3, g5, sum)) / 1e5), "rs_icss_5groups.csv")

## ---- 9. age-standardised net survival (ICSS 1) from rs.surv by age group ----------------
# anchor: rs.surv(Surv(time, cens) ~ agegr, method = "pohar-perme") on rdata with the five
# ICSS age groups (15-44 holding everyone under 45, 45-54, 55-64, 65-74, 75+; left-closed)
# and the ICSS 1 weights of rs_icss_5groups.csv (direct standardisation, Corazziari et al.
# 2004): S_as(t) = sum_k w_k S_k(t), SE(S_as) = sqrt(sum_k w_k^2 SE_k(t)^2), where S_k(t),
# SE_k(t) = S_k(t) se_k(t) are group k's estimate and its standard error as
# summary(fit, times = t, extend = TRUE) reports them (se_k = rs.surv's std.err, of the
# cumulative hazard) at its last reported time <= t (1 and 0 before its first time).
# Written at t = 1..10 years (365.241 days each): rs_surv_icss1.csv: time, group (the age
# group or "standardised"), surv, std_err (of surv: SE_k, or the SE of S_as),
# std_err_cumulative_hazard (groups: se_k; NA for the standardised rows).
icss5 <- read.csv(file.path(out, "rs_icss_5groups.csv"))
rd_ag <- rd
rd_ag$agegr <- cut(rd_ag$age, c(0, 45, 55, 65, 75, Inf), right = FALSE,
                   labels = icss5$age_group)
fit_ag <- rmap_fit(rs.surv, Surv(time, cens) ~ agegr, rd_ag, fresh(slopop0), method = "pohar-perme")
tt <- 365.241 * (1:10)
strata_ends <- cumsum(fit_ag$strata)
# rs.surv names its strata by the dummy columns ("agegr45-54=0, agegr55-64=1, ..."), sorted
# as strings: the order is NOT the factor's. Map each age group to its stratum by name.
stratum_of <- vapply(icss5$age_group, function(g) {
  on <- grepl(paste0("agegr", g, "=1"), names(fit_ag$strata), fixed = TRUE)
  if (any(on)) which(on) else which(!grepl("=1", names(fit_ag$strata), fixed = TRUE))
}, 1L)
stopifnot(length(unique(stratum_of)) == nrow(icss5))
rows <- list()
S <- SE <- matrix(NA_real_, length(tt), nrow(icss5))
for (k in seq_len(nrow(icss5))) {
  q <- stratum_of[k]
  idx <- (if (q == 1) 1 else strata_ends[q - 1] + 1):strata_ends[q]
  tk <- fit_ag$time[idx]
  j <- findInterval(tt, tk)
  S[, k] <- ifelse(j == 0, 1, fit_ag$surv[idx][pmax(j, 1)])
  SE[, k] <- ifelse(j == 0, 0, fit_ag$std.err[idx][pmax(j, 1)])
  sm <- summary(fit_ag[q], times = tt, extend = TRUE)
  stopifnot(identical(sm$surv, S[, k]), identical(sm$std.err, S[, k] * SE[, k]))
  rows[[k]] <- data.frame(time = tt, group = icss5$age_group[k], surv = S[, k],
                          std_err = sm$std.err, std_err_cumulative_hazard = SE[, k])
}
w <- icss5$icss1
sas <- as.vector(S %*% w)
se_as <- sqrt(as.vector((S * SE)^2 %*% w^2))
write_csv(rbind(do.call(rbind, rows),
                data.frame(time = tt, group = "standardised", surv = sas, std_err = se_as,
                           std_err_cumulative_hazard = NA_real_)),
          "rs_surv_icss1.csv")
note("age-standardised (ICSS 1) net survival at 5 years: %.4f (se %.4f)", sas[5], se_as[5])

## ---- summary -----------------------------------------------------------------------
stopifnot(identical(as.numeric(relsurv::slopop), as.numeric(slopop0)))   # never written into
cat(length(unique(written)), "files written to", out, "with R", as.character(getRversion()),
    "survival", as.character(packageVersion("survival")),
    "relsurv", as.character(packageVersion("relsurv")),
    "popEpi", as.character(packageVersion("popEpi")),
    "Epi", as.character(packageVersion("Epi")),
    "data.table", as.character(packageVersion("data.table")), "\n")
cat(notes, sep = "\n")

## ---- 8. timing hint (no file): rs.surv pohar-perme on 1e5 resampled rdata rows --------
# 1e5 rows drawn with replacement from rdata (seed 20261212), ~ 1, slopop; one run each.
# netfastpinter2 loops over every person for every day up to max(time): O(n * days).
if (!identical(Sys.getenv("RS_SKIP_TIMING"), "1")) {
  set.seed(20261212)
  big <- rd[sample.int(nrow(rd), 1e5, replace = TRUE), ]
  el <- system.time(fb <- rmap_fit(rs.surv, Surv(time, cens) ~ 1, big, fresh(slopop0),
                                   method = "pohar-perme"))[["elapsed"]]
  el2 <- system.time(rmap_fit(rs.surv, Surv(time, cens) ~ 1, big, fresh(slopop0),
                              method = "ederer2"))[["elapsed"]]
  cat(sprintf("timing: rs.surv n=%d (%d distinct times, max %d days): pohar-perme %.1f s, ederer2 %.1f s\n",
              nrow(big), length(unique(big$time)), max(big$time), el, el2))
}
