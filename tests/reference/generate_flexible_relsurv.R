#!/usr/bin/env Rscript
# Reference answers for the relative-survival outputs of hrrstats' flexible parametric
# (Royston-Parmar) models: crude probabilities of death from the cancer and from other
# causes (Cronin & Feuer 2000; Lambert et al. 2010) and the loss in life expectancy
# (Andersson et al. 2013), as rstpm2's predict(type = "lel") and popEpi::survmean.
#
# No anchor is installable here (rstpm2 and popEpi's survmean need packages not in
# Debian), so everything is plain R: the model is fitted exactly as
# generate_flexible.R does (its functions are read from that file: spline of log time
# from splines::ns() with stpm2's knots, full likelihood with bhazard maximised by optim
# and Newton polishing), on relsurv's rdata with the expected hazard at each exit time
# from the Slovene table slopop (the fixtures of generate_relsurv.R). For each person
# (age in days = age * 365.241, date of diagnosis in days since 1960-01-01, sex), with
# R(u) = S(u | x) the fitted net survival, lambda(u) its excess hazard and the
# population hazard h*(u) = slopop[age + u, date + u, sex] (findInterval lookup, the
# last row continuing), S*(u) = exp(-int_0^u h*) (exact: piecewise exponential),
#   P_cancer(t)     = int_0^t S* R lambda du
#   P_population(t) = int_0^t S* R h* du
#   expected(T)     = int_0^T S* du,   observed(T) = int_0^T S* R du,  loss = expected - observed
# with T the time to attained age 110 years (110 * 365.241 days), each integral by
# stats::integrate (rel.tol 1e-12) on every piece between the table's cell crossings
# and the spline knots. Checks: S* against survival::survexp at the pieces' ends (1e-12);
# P_cancer + P_population + S*(t) R(t) = 1 (1e-9); for the df = 1 fit (a Weibull
# excess hazard) the observed life time and P_cancer again with R written in closed form
# (exp(-exp(a + b log t + x'beta)), no spline code) (1e-9). Standard errors by the delta
# method with central-difference gradients over the coefficients (steps of 1e-3 standard
# errors) (the variance is the
# fit's inverse Hessian, as in generate_flexible.R). Standardised values: the mean over
# the persons, its gradient the mean gradient.
#
# Writes tests/reference/fixtures/ (prefix flexrs_):
#   flexrs_data.csv            rdata with the model's columns: time (days), status, age
#                              (years), female (0/1), sex (1 male, 2 female), year_days1960,
#                              year_decimal, bh (slopop hazard per day at the exit time)
#   flexrs_cases.csv           case, df, covariates, loglik, persons (the first `persons`
#                              rows are the data set of the standardised values)
#   flexrs_<case>_crude.csv    row (0 = standardised), time, cause (cancer/population),
#                              estimate, se
#   flexrs_<case>_lel.csv      row (0 = standardised), horizon (NA for row 0), expected,
#                              observed, se_observed, loss
# Run from the repository root:  Rscript tests/reference/generate_flexible_relsurv.R
suppressPackageStartupMessages({library(survival); library(splines)})
source(file.path("tests", "reference", "fixture_io.R"))
write_csv <- fixture_writer("^flexrs_")

# the model code of generate_flexible.R (its top-level function definitions only)
for (e in parse(file.path("tests", "reference", "generate_flexible.R"))) {
  if (is.call(e) && identical(e[[1]], as.name("<-")) && is.call(e[[3]]) &&
      identical(e[[3]][[1]], as.name("function"))) eval(e, globalenv())
}
`%||%` <- function(a, b) if (is.null(a)) b else a
# the same spline as ns() (checked below), written out so that its derivative in log
# time is exact (splineDesign(derivs = 1), linear beyond the boundary knots as ns): the
# integrals below need a smooth integrand to reach integrate()'s 1e-11
spline_of <- function(logt_ev, df, knots = NULL) {
  bk <- range(logt_ev)
  ik <- if (!is.null(knots)) log(knots) else if (df > 1)
    quantile(logt_ev, seq_len(df - 1) / df, names = FALSE, type = 7) else NULL
  Ak <- sort(c(rep(bk, 4), ik))
  qc <- qr(t(splineDesign(Ak, bk, 4, c(2, 2))[, -1L, drop = FALSE]))  # ns without intercept
  raw <- function(x, der) t(qr.qty(qc, t(splineDesign(Ak, x, 4, rep(der, length(x)), outer.ok = TRUE)[, -1L, drop = FALSE])))[, -(1:2), drop = FALSE]
  b0 <- raw(bk, 0); d0 <- raw(bk, 1)
  side <- function(x) ifelse(x < bk[1], 1L, ifelse(x > bk[2], 2L, 0L))
  b <- function(x) {
    s <- side(x); B <- raw(pmin(pmax(x, bk[1]), bk[2]), 0)
    out <- s > 0
    if (any(out)) B[out, ] <- b0[s[out], , drop = FALSE] + (x[out] - bk[s[out]]) * d0[s[out], , drop = FALSE]
    B
  }
  d <- function(x) {
    s <- side(x); D <- raw(pmin(pmax(x, bk[1]), bk[2]), 1)
    out <- s > 0
    if (any(out)) D[out, ] <- d0[s[out], , drop = FALSE]
    D
  }
  xs <- c(bk[1] - 2, seq(bk[1], bk[2], length.out = 50), bk[2] + 3)
  stopifnot(max(abs(b(xs) - unclass(ns(xs, knots = ik, Boundary.knots = bk))[, , drop = FALSE])) < 1e-12,
            max(abs(d(xs) - (b(xs + 1e-6) - b(xs - 1e-6)) / 2e-6)) < 1e-7)
  list(b = b, d = d)
}

## ---- data and rate table ----------------------------------------------------------
rd <- read.csv(file.path(out, "data_rs_rdata.csv"))
sl <- read.csv(file.path(out, "data_rs_slopop.csv"))
AGECUT <- sort(unique(sl$age_days)); YEARCUT <- sort(unique(sl$year_days1960))
RATE <- array(NA_real_, c(length(AGECUT), length(YEARCUT), 2))
RATE[cbind(match(sl$age_days, AGECUT), match(sl$year_days1960, YEARCUT), sl$sex)] <- sl$rate
rate_at <- function(a, y, s) RATE[cbind(pmax(findInterval(a, AGECUT), 1), pmax(findInterval(y, YEARCUT), 1), s)]

d <- data.frame(time = rd$time, status = rd$cens, age = rd$age, female = rd$sex - 1, sex = rd$sex,
                year_days1960 = rd$year_days1960, year_decimal = rd$year_decimal)
d$bh <- rate_at(d$age * 365.241 + d$time, d$year_days1960 + d$time, d$sex)
write_csv(d, "flexrs_data.csv")
datasets <- list(rdata = d)

NP <- 20L                      # persons of the standardised values; all get individual rows
TIMES <- c(365.241, 1826.205, 3652.41)
MAXAGE <- 110 * 365.241

# the pieces of [0, end] for person i: breaks at cell crossings, knots and `ends`
pieces <- function(i, end, extra) {
  a0 <- d$age[i] * 365.241; y0 <- d$year_days1960[i]
  b <- c(AGECUT - a0, YEARCUT - y0, extra)
  b <- sort(unique(c(0, b[b > 0 & b < end], end)))
  b <- b[c(TRUE, diff(b) > 1e-7)]  # crossings that coincide (to rounding) with a time
  lo <- head(b, -1); hi <- b[-1]
  r <- rate_at(a0 + (lo + hi) / 2, y0 + (lo + hi) / 2, d$sex[i])
  H <- c(0, cumsum(r * (hi - lo)))
  list(lo = lo, hi = hi, r = r, H0 = head(H, -1), H = H, brk = b)
}

cases <- list(
  list(case = "rd_h3", data = "rdata", cov = c("age", "female"), df = 3, scale = "hazard", bhazard = "bh"),
  list(case = "rd_h1", data = "rdata", cov = c("age", "female"), df = 1, scale = "hazard", bhazard = "bh"))

manifest <- list()
for (cs in cases) {
  fr <- fit_case(cs)
  lt_ev <- log(d$time[d$status == 1])
  knots_t <- exp(c(range(lt_ev), if (cs$df > 1) quantile(lt_ev, seq_len(cs$df - 1) / cs$df, names = FALSE, type = 7)))
  X <- as.matrix(d[, cs$cov, drop = FALSE])
  R_fun <- function(th, x, u) exp(G(drop(fr$design(x[rep(1L, length(u)), , drop = FALSE], log(u))$Z %*% th), "hazard"))
  lam_fun <- function(th, x, u) {
    dz <- fr$design(x[rep(1L, length(u)), , drop = FALSE], log(u))
    eta <- drop(dz$Z %*% th); ds <- drop(dz$ZD %*% th)
    exp(eta + log(ds) - log(u))
  }
  # the integrals of person i at `ends` (ascending) for coefficients th
  integrals <- function(th, i, ends, pc, which = 1:4) {
    x <- X[i, , drop = FALSE]
    vals <- matrix(0, 4, length(ends))  # cancer, population, expected, observed
    acc <- c(0, 0, 0, 0)
    k <- 1L
    for (j in seq_along(pc$lo)) {
      lo <- pc$lo[j]; hi <- pc$hi[j]; r <- pc$r[j]; H0 <- pc$H0[j]
      ss <- function(u) exp(-(H0 + r * (u - lo)))
      f <- list(function(u) ss(u) * R_fun(th, x, u) * lam_fun(th, x, u),
                function(u) ss(u) * R_fun(th, x, u) * r,
                function(u) ss(u),
                function(u) ss(u) * R_fun(th, x, u))
      for (m in which) acc[m] <- acc[m] + if (lo > 0) {
        integrate(f[[m]], lo, hi, rel.tol = 1e-11, abs.tol = 1e-14, subdivisions = 1000L)$value
      } else {  # from 0: in log time (the excess hazard may be infinite at 0), from hi e^-40
        integrate(function(v) f[[m]](exp(v)) * exp(v), log(hi) - 40, log(hi), rel.tol = 1e-11,
                  abs.tol = 1e-14, subdivisions = 1000L)$value
      }
      while (k <= length(ends) && abs(hi - ends[k]) < 1e-6) { vals[, k] <- acc; k <- k + 1L }
    }
    stopifnot(k == length(ends) + 1L)
    vals
  }
  # central differences with steps of 1e-3 standard errors (accurate to ~1e-9 relative:
  # small against the curvature, large against integrate's 1e-11)
  jac <- function(f, th, h = 1e-3) {
    v0 <- f(th)
    J <- array(0, c(dim(v0), length(th)))
    for (j in seq_along(th)) {
      e <- replace(rep(0, length(th)), j, h * sqrt(fr$V[j, j]))
      J[, , j] <- (f(th + e) - f(th - e)) / (2 * e[j])
    }
    list(v = v0, J = J)
  }
  se_of <- function(g) sqrt(drop(t(g) %*% fr$V %*% g))
  crude <- list(); lel <- list()
  Gc <- array(0, c(2, length(TIMES), length(fr$th))); Vc <- matrix(0, 2, length(TIMES))
  Go <- rep(0, length(fr$th)); Vo <- 0; Ve <- 0
  for (i in seq_len(NP)) {
    pc <- pieces(i, max(TIMES), c(knots_t, TIMES))
    # S* against survexp at the pieces' ends
    nb <- length(pc$hi)
    se_x <- survexp(t ~ 1, data = data.frame(t = pc$hi, age = rep(d$age[i] * 365.241, nb), sex = rep(d$sex[i], nb),
                                           year = rep(as.Date(d$year_days1960[i], origin = "1960-01-01"), nb)),
                    ratetable = relsurv::slopop, rmap = list(age = age, sex = sex, year = year),
                    method = "individual.s")
    stopifnot(max(abs(exp(-pc$H[-1]) / se_x - 1)) < 1e-12)
    cj <- jac(function(th) integrals(th, i, TIMES, pc), fr$th)
    # the three probabilities add up to one
    alive <- exp(-pc$H[vapply(TIMES, function(t) which.min(abs(pc$brk - t)), 1L)]) * R_fun(fr$th, X[i, , drop = FALSE], TIMES)
    stopifnot(max(abs(cj$v[1, ] + cj$v[2, ] + alive - 1)) < 1e-9)
    for (k in seq_along(TIMES)) for (m in 1:2) {
      crude[[length(crude) + 1]] <- data.frame(row = i, time = TIMES[k], cause = c("cancer", "population")[m],
                                               estimate = cj$v[m, k], se = se_of(cj$J[m, k, ]))
    }
    Vc <- Vc + cj$v[1:2, ] / NP; Gc <- Gc + cj$J[1:2, , ] / NP
    T <- MAXAGE - d$age[i] * 365.241
    pl <- pieces(i, T, knots_t)
    lj <- jac(function(th) integrals(th, i, T, pl, which = 4)[3:4, , drop = FALSE], fr$th)
    lj$v[1, 1] <- integrals(fr$th, i, T, pl, which = 3)[3, 1]
    if (cs$df == 1) {
      # the Weibull in closed form: eta = a + b log t + x'beta (ns with df 1 is linear)
      # a, b: the linear predictor at log t = 0 and its slope (two evaluations)
      e01 <- drop(fr$design(X[c(i, i), , drop = FALSE], c(0, 1))$Z %*% fr$th)
      a <- e01[1]; b <- e01[2] - e01[1]
      Rw <- function(u) exp(-exp(a + b * log(u)))
      ob <- sum(vapply(seq_along(pl$lo), function(j) integrate(function(u) exp(-(pl$H0[j] + pl$r[j] * (u - pl$lo[j]))) * Rw(u),
                                                                pl$lo[j], pl$hi[j], rel.tol = 1e-12)$value, 0))
      stopifnot(abs(ob / lj$v[2, 1] - 1) < 1e-9)
      pcw <- sum(vapply(seq_along(pc$lo), function(j) integrate(function(u) exp(-(pc$H0[j] + pc$r[j] * (u - pc$lo[j]))) *
                                                                  Rw(u) * exp(a) * b * u^(b - 1),
                                                                pc$lo[j], pc$hi[j], rel.tol = 1e-12)$value, 0))
      stopifnot(abs(pcw / cj$v[1, length(TIMES)] - 1) < 1e-9)
    }
    lel[[length(lel) + 1]] <- data.frame(row = i, horizon = T, expected = lj$v[1, 1], observed = lj$v[2, 1],
                                         se_observed = se_of(lj$J[2, 1, ]), loss = lj$v[1, 1] - lj$v[2, 1])
    Ve <- Ve + lj$v[1, 1] / NP; Vo <- Vo + lj$v[2, 1] / NP; Go <- Go + lj$J[2, 1, ] / NP
    cat(cs$case, "person", i, "\n")
  }
  for (k in seq_along(TIMES)) for (m in 1:2) {
    crude[[length(crude) + 1]] <- data.frame(row = 0, time = TIMES[k], cause = c("cancer", "population")[m],
                                             estimate = Vc[m, k], se = se_of(Gc[m, k, ]))
  }
  lel[[length(lel) + 1]] <- data.frame(row = 0, horizon = NA, expected = Ve, observed = Vo,
                                       se_observed = se_of(Go), loss = Ve - Vo)
  write_csv(do.call(rbind, crude), sprintf("flexrs_%s_crude.csv", cs$case))
  write_csv(do.call(rbind, lel), sprintf("flexrs_%s_lel.csv", cs$case))
  manifest[[length(manifest) + 1]] <- data.frame(case = cs$case, df = cs$df, covariates = paste(cs$cov, collapse = " "),
                                                 loglik = fr$ll, persons = NP)
  cat(cs$case, "loglik", format(fr$ll, digits = 12), "\n")
}
write_csv(do.call(rbind, manifest), "flexrs_cases.csv")
