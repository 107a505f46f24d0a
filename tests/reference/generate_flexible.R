#!/usr/bin/env Rscript
# Reference answers for hrrstats' flexible parametric (Royston-Parmar) models.
#
# No anchor is installable here (rstpm2 and flexsurv are not in Debian), so the model is
# written in plain R: the spline of log time from splines::ns() with the same knots as
# stpm2/rstpm2 (boundary knots at the extreme log event times, interior knots at the
# centiles 100 j / df of the log event times, type-7 quantiles), its derivative in log
# time by central differences, and the full log-likelihood
#   l = sum w [ d log(bhazard + h(t)) + G(eta(t)) - G(eta(t0)) ],  log S = G(eta),
#   h(t) = (1/t) (d eta / d log t) q(eta),
# with G = -exp (scale "hazard"), -log(1 + exp) ("odds"), log pnorm(-.) ("normal"),
# maximised with optim (BFGS, analytic gradient, reltol 1e-16) and polished by Newton
# steps on the numerical Hessian of the analytic gradient until the largest score is
# below 1e-9. The variance is the inverse of the Hessian from central differences of the
# analytic score (Richardson-extrapolated); standard errors of
# predictions by the delta method with numerical gradients. With df = 1 and scale
# "hazard" the model is the Weibull: those cases also write survreg's answers.
#
# Writes tests/reference/fixtures/ (prefix flex_ / data_flex_):
#   data_flex_<data>.csv     input data (numeric columns; bh = an expected hazard per row)
#   flex_cases.csv           case, data, covariates, df, scale, tvc, tvc_df, entry,
#                            weights, bhazard, knots (interior knots, times, space-separated)
#   flex_<case>_fit.csv      loglik, npar, max_score, survreg_loglik (df 1 hazard cases)
#   flex_<case>_pred.csv     pattern, time, covariates..., surv, se_surv, haz, se_haz,
#                            cumhaz, se_cumhaz, hr, se_hr (pattern 2 vs 1; NA on pattern 1),
#                            survreg_surv (df 1 hazard cases)
#   flex_<case>_rmst.csv     pattern, tau, rmst, se_rmst (integrate, rel.tol 1e-12)
#   flex_<case>_std.csv      type (survival/rmst), time, estimate, se: the mean over the
#                            data set's rows; survival_diff: the mean survival with the
#                            last covariate set to 1 minus that with it set to 0
# Run from the repository root:  Rscript tests/reference/generate_flexible.R
suppressPackageStartupMessages({library(survival); library(splines)})
source(file.path("tests", "reference", "fixture_io.R"))
write_csv <- fixture_writer("^(flex_|data_flex_)")
`%||%` <- function(a, b) if (is.null(a)) b else a

## ---- data -------------------------------------------------------------------
rate <- function(age, t_years) exp(-9.5 + 0.085 * (age + t_years)) # per year
lung <- survival::lung
lung <- lung[complete.cases(lung[, c("time", "status", "age", "sex", "ph.ecog")]), ]
d_lung <- data.frame(time = lung$time, status = lung$status - 1, age = lung$age,
                     sex = lung$sex - 1, ph_ecog = lung$ph.ecog,
                     w = 0.5 + (seq_len(nrow(lung)) %% 4) / 4,
                     entry = pmin(lung$time * 0.4, 60))
d_lung$bh <- rate(d_lung$age, d_lung$time / 365.25) / 365.25
col <- survival::colon
col <- col[col$etype == 2, ]
d_colon <- data.frame(time = col$time, status = col$status, age = col$age, sex = col$sex,
                      rx_lev = as.numeric(col$rx == "Lev"), rx_lev5fu = as.numeric(col$rx == "Lev+5FU"))
d_colon$bh <- rate(d_colon$age, d_colon$time / 365.25) / 365.25
# twenty times that: the excess hazard is then negative at late follow-up (mortality
# below the "population's"), allowed as in stpm2/rstpm2 (only the total hazard must be
# positive at the event times)
d_colon$bh20 <- 20 * d_colon$bh
vet <- survival::veteran
d_vet <- data.frame(time = vet$time, status = vet$status, karno = vet$karno, trt = vet$trt - 1)
d_vet$bh <- rate(60, d_vet$time / 365.25) / 365.25
datasets <- list(lung = d_lung, colon = d_colon, veteran = d_vet)
for (nm in names(datasets)) write_csv(datasets[[nm]], sprintf("data_flex_%s.csv", nm))

pattern_of <- list(
  lung = data.frame(age = c(60, 70), sex = c(0, 1), ph_ecog = c(1, 2)),
  colon = data.frame(age = c(55, 70), sex = c(0, 1), rx_lev = c(0, 1), rx_lev5fu = c(1, 0)),
  veteran = data.frame(karno = c(60, 80), trt = c(0, 1)))
times_of <- list(lung = c(50, 200, 500), colon = c(365, 1000, 2500), veteran = c(10, 50, 200))
tau_of <- list(lung = c(365, 700), colon = c(1000, 2500), veteran = c(100, 300))

cases <- list(
  list(case = "lung_h1", data = "lung", cov = c("age", "sex"), df = 1, scale = "hazard"),
  list(case = "lung_h3", data = "lung", cov = c("age", "sex", "ph_ecog"), df = 3, scale = "hazard"),
  list(case = "lung_o3", data = "lung", cov = c("age", "sex", "ph_ecog"), df = 3, scale = "odds"),
  list(case = "lung_n2", data = "lung", cov = c("age", "sex"), df = 2, scale = "normal"),
  list(case = "lung_h5", data = "lung", cov = c("age", "sex", "ph_ecog"), df = 5, scale = "hazard"),
  list(case = "lung_h4_tvc", data = "lung", cov = c("age", "sex"), df = 4, scale = "hazard",
       tvc = "sex", tvc_df = 2),
  list(case = "lung_h3_entry", data = "lung", cov = c("age", "sex"), df = 3, scale = "hazard",
       entry = "entry"),
  list(case = "lung_o2_weights", data = "lung", cov = c("age", "sex"), df = 2, scale = "odds",
       weights = "w"),
  list(case = "lung_h3_bh", data = "lung", cov = c("age", "sex"), df = 3, scale = "hazard",
       bhazard = "bh"),
  list(case = "lung_h3_knots", data = "lung", cov = c("age", "sex"), df = 3, scale = "hazard",
       knots = c(100, 300)),
  list(case = "colon_h4", data = "colon", cov = c("age", "sex", "rx_lev", "rx_lev5fu"), df = 4,
       scale = "hazard"),
  list(case = "colon_n3_bh_tvc", data = "colon", cov = c("age", "rx_lev5fu"), df = 3,
       scale = "normal", tvc = "rx_lev5fu", tvc_df = 1, bhazard = "bh"),
  list(case = "colon_h2_all", data = "colon", cov = c("age", "rx_lev5fu"), df = 2,
       scale = "hazard", tvc = "rx_lev5fu", tvc_df = 2, bhazard = "bh", weights = "age"),
  list(case = "veteran_h1", data = "veteran", cov = c("karno", "trt"), df = 1, scale = "hazard"),
  list(case = "veteran_o2", data = "veteran", cov = c("karno", "trt"), df = 2, scale = "odds"),
  list(case = "lung_h4_bh", data = "lung", cov = c("age", "sex"), df = 4, scale = "hazard",
       bhazard = "bh"),
  list(case = "colon_h3_bh20", data = "colon", cov = c("age", "rx_lev5fu"), df = 3,
       scale = "hazard", bhazard = "bh20", start_without_bhazard = TRUE),
  list(case = "colon_h4_bh20_tvc", data = "colon", cov = c("age", "rx_lev5fu"), df = 4,
       scale = "hazard", tvc = "rx_lev5fu", tvc_df = 2, bhazard = "bh20", start_without_bhazard = TRUE))

G <- function(eta, scale) switch(scale, hazard = -exp(eta),
  odds = plogis(eta, lower.tail = FALSE, log.p = TRUE), normal = pnorm(eta, lower.tail = FALSE, log.p = TRUE))
G1 <- function(eta, scale) switch(scale, hazard = -exp(eta), odds = -plogis(eta),
  normal = -exp(dnorm(eta, log = TRUE) - pnorm(eta, lower.tail = FALSE, log.p = TRUE)))
logq <- function(eta, scale) switch(scale, hazard = eta, odds = plogis(eta, log.p = TRUE),
  normal = dnorm(eta, log = TRUE) - pnorm(eta, lower.tail = FALSE, log.p = TRUE))
logq1 <- function(eta, scale) switch(scale, hazard = 1 + 0 * eta, odds = plogis(-eta),
  normal = -eta - G1(eta, scale))

# a spline object: ns basis on log time with the given knots; design and its derivative
spline_of <- function(logt_ev, df, knots = NULL) {
  bk <- range(logt_ev)
  ik <- if (!is.null(knots)) log(knots) else if (df > 1)
    quantile(logt_ev, seq_len(df - 1) / df, names = FALSE, type = 7) else NULL
  basis <- function(x) ns(x, knots = ik, Boundary.knots = bk)
  list(b = function(x) unclass(basis(x))[, , drop = FALSE],
       d = function(x, h = 1e-6) (unclass(basis(x + h)) - unclass(basis(x - h))) / (2 * h))
}

fit_case <- function(cs) {
  d <- datasets[[cs$data]]
  n <- nrow(d)
  lt <- log(d$time)
  ev <- d$status == 1
  sp <- spline_of(lt[ev], cs$df, cs$knots)
  spt <- if (!is.null(cs$tvc)) spline_of(lt[ev], cs$tvc_df) else NULL
  X <- as.matrix(d[, cs$cov, drop = FALSE])
  design <- function(x, lt) {  # x: rows of covariates, lt: log times (same length)
    B <- sp$b(lt); D <- sp$d(lt)
    Z <- cbind(1, B, x); ZD <- cbind(0, D, 0 * x)
    if (!is.null(spt)) {
      v <- x[, cs$tvc]
      Z <- cbind(Z, v * spt$b(lt)); ZD <- cbind(ZD, v * spt$d(lt))
    }
    list(Z = Z, ZD = ZD)
  }
  dz <- design(X, lt)
  w <- if (!is.null(cs$weights)) d[[cs$weights]] else rep(1, n)
  bh <- if (!is.null(cs$bhazard)) d[[cs$bhazard]] else rep(0, n)
  has_entry <- !is.null(cs$entry)
  if (has_entry) {
    e <- d[[cs$entry]]
    z0 <- design(X, log(pmax(e, 1e-300)))$Z
    ein <- e > 0
  }
  scale <- cs$scale
  # the hazard h = A ds with A = q(eta) / t; with bhazard it is the excess hazard and may
  # be negative (as in stpm2/rstpm2): only the total hazard bhazard + h must be positive
  ll <- function(th) {
    eta <- drop(dz$Z %*% th); ds <- drop(dz$ZD %*% th)
    h <- exp(logq(eta[ev], scale) - lt[ev]) * ds[ev]
    # ... and the excess hazard positive at the earliest events (below the lower boundary
    # knot the spline is linear with that slope: a negative one gives H(0) = Inf)
    if (any(bh[ev] + h <= 0) || any(ds[ev][lt[ev] <= min(lt[ev])] <= 0)) return(-1e100)
    l <- w * G(eta, scale)
    l[ev] <- l[ev] + w[ev] * log(bh[ev] + h)
    if (has_entry) l[ein] <- l[ein] - w[ein] * G(drop(z0[ein, , drop = FALSE] %*% th), scale)
    sum(l)
  }
  score <- function(th) {
    eta <- drop(dz$Z %*% th); ds <- drop(dz$ZD %*% th)
    a <- w * G1(eta, scale)
    g <- colSums(a * dz$Z)
    A <- exp(logq(eta[ev], scale) - lt[ev])
    h <- A * ds[ev]; r <- h / (bh[ev] + h)
    g <- g + colSums((w[ev] * r * logq1(eta[ev], scale)) * dz$Z[ev, , drop = FALSE]) +
      colSums((w[ev] * A / (bh[ev] + h)) * dz$ZD[ev, , drop = FALSE])
    if (has_entry) {
      e0 <- drop(z0[ein, , drop = FALSE] %*% th)
      g <- g - colSums((w[ein] * G1(e0, scale)) * z0[ein, , drop = FALSE])
    }
    g
  }
  # start: least squares of g(S_KM) at the event times on (1, spline); exponential fallback
  km <- survfit(Surv(d$time, d$status) ~ 1)
  s_ev <- pmin(pmax(summary(km, times = d$time[ev])$surv, 1e-4), 1 - 1e-4)
  y <- switch(scale, hazard = log(-log(s_ev)), odds = log((1 - s_ev) / s_ev), normal = -qnorm(s_ev))
  ns1 <- 1 + cs$df
  th <- rep(0, ncol(dz$Z))
  th[seq_len(ns1)] <- coef(lm.fit(dz$Z[ev, seq_len(ns1), drop = FALSE], y))
  if (ll(th) < -1e99) {
    th[] <- 0
    th[seq_len(ns1)] <- coef(lm.fit(dz$Z[ev, seq_len(ns1), drop = FALSE], lt[ev] + log(sum(ev) / sum(d$time))))
  }
  ps <- rep(1, length(th))
  if (isTRUE(cs$start_without_bhazard)) {
    # from the fit without bhazard, and BFGS in standard-error units (parscale): from the
    # Kaplan-Meier start the first BFGS step (along the score, dominated by age's) lands
    # in a degenerate region where the excess hazard vanishes for everyone
    th <- fit_case(modifyList(cs, list(bhazard = NULL, start_without_bhazard = NULL)))$th
    ps <- 1 / sqrt(abs(diag(optimHess(th, ll, score))))
  }
  o <- optim(th, ll, score, method = "BFGS",
             control = list(fnscale = -1, reltol = 1e-16, maxit = 20000, parscale = ps))
  th <- o$par
  hess <- function(th) optimHess(th, ll, score, control = list(fnscale = -1, ndeps = rep(1e-5, length(th))))
  for (it in 1:50) {
    H <- hess(th)
    g <- score(th)
    if (max(abs(g)) < 1e-9) break
    step <- solve(-H, g)
    k <- 0
    while (ll(th + step) < ll(th) - 1e-12 && k < 30) { step <- step / 2; k <- k + 1 }
    th <- th + step
  }
  g <- score(th)
  stopifnot(max(abs(g)) < 1e-6)
  # the variance: the Hessian by central differences of the analytic score with
  # Richardson extrapolation (h = 1e-4, 5e-5), accurate to ~1e-10 relative
  jac <- function(h) {
    q <- length(th); H <- matrix(0, q, q)
    for (j in 1:q) {
      e <- replace(rep(0, q), j, h * max(1, abs(th[j])))
      H[, j] <- (score(th + e) - score(th - e)) / (2 * e[j])
    }
    (H + t(H)) / 2
  }
  V <- solve(-(4 * jac(5e-5) - jac(1e-4)) / 3)
  list(th = th, V = V, ll = ll(th), g = g, design = design, scale = scale, cs = cs, d = d, score = score)
}

num_grad <- function(f, th, h = 1e-6) {
  vapply(seq_along(th), function(j) {
    e <- replace(rep(0, length(th)), j, h * max(1, abs(th[j])))
    (f(th + e) - f(th - e)) / (2 * e[j])
  }, 0)
}

surv_fun <- function(fr, x, t) function(th) {
  dz <- fr$design(x, log(t))
  exp(G(drop(dz$Z %*% th), fr$scale))
}
haz_fun <- function(fr, x, t) function(th) {
  dz <- fr$design(x, log(t))
  eta <- drop(dz$Z %*% th); ds <- drop(dz$ZD %*% th)
  exp(logq(eta, fr$scale) - log(t)) * ds  # of either sign (an excess hazard may be negative)
}
rmst_fun <- function(fr, x, tau) function(th) {
  integrate(function(t) surv_fun(fr, x[rep(1L, length(t)), , drop = FALSE], t)(th), 0, tau,
            rel.tol = 1e-12, subdivisions = 1000L)$value
}
with_se <- function(f, fr) {
  est <- f(fr$th)
  g <- num_grad(f, fr$th)
  c(est, sqrt(drop(t(g) %*% fr$V %*% g)))
}

manifest <- list()
for (cs in cases) {
  fr <- fit_case(cs)
  pat <- pattern_of[[cs$data]]
  pat <- pat[, cs$cov, drop = FALSE]
  tm <- times_of[[cs$data]]
  rows <- list()
  sr_fit <- NULL
  if (cs$df == 1 && cs$scale == "hazard" && is.null(cs$tvc) && is.null(cs$entry) && is.null(cs$bhazard)) {
    fo <- as.formula(paste("Surv(time, status) ~", paste(cs$cov, collapse = " + ")))
    sr_fit <- survreg(fo, data = fr$d, dist = "weibull", control = survreg.control(rel.tolerance = 1e-13, iter.max = 100))
  }
  for (k in 1:2) {
    x <- as.matrix(pat[k, , drop = FALSE])
    for (t in tm) {
      s <- with_se(surv_fun(fr, x, t), fr)
      h <- with_se(haz_fun(fr, x, t), fr)
      H <- with_se(function(th) -log(surv_fun(fr, x, t)(th)), fr)
      hr <- if (k == 2) with_se(function(th) haz_fun(fr, x, t)(th) /
                                  haz_fun(fr, as.matrix(pat[1, , drop = FALSE]), t)(th), fr) else c(NA, NA)
      if (!is.na(hr[1]) && hr[1] <= 0) hr <- c(NA, NA)  # excess hazards of opposite signs
      r <- data.frame(pattern = k, time = t, pat[k, , drop = FALSE], surv = s[1], se_surv = s[2],
                      haz = h[1], se_haz = h[2], cumhaz = H[1], se_cumhaz = H[2], hr = hr[1], se_hr = hr[2],
                      row.names = NULL)
      if (!is.null(sr_fit)) {
        lp <- sum(c(1, x) * coef(sr_fit))
        r$survreg_surv <- 1 - psurvreg(t, lp, sr_fit$scale, "weibull")
      }
      rows[[length(rows) + 1]] <- r
    }
  }
  write_csv(do.call(rbind, rows), sprintf("flex_%s_pred.csv", cs$case))
  rm_rows <- list()
  for (k in 1:2) for (tau in tau_of[[cs$data]]) {
    x <- as.matrix(pat[k, , drop = FALSE])
    v <- with_se(rmst_fun(fr, x, tau), fr)
    rm_rows[[length(rm_rows) + 1]] <- data.frame(pattern = k, tau = tau, rmst = v[1], se_rmst = v[2])
  }
  write_csv(do.call(rbind, rm_rows), sprintf("flex_%s_rmst.csv", cs$case))
  Xall <- as.matrix(fr$d[, cs$cov, drop = FALSE])
  std <- list()
  for (t in tm) {
    v <- with_se(function(th) mean(surv_fun(fr, Xall, rep(t, nrow(Xall)))(th)), fr)
    std[[length(std) + 1]] <- data.frame(type = "survival", time = t, estimate = v[1], se = v[2])
  }
  # the contrast: every row with the last covariate at 1 minus every row with it at 0
  X1 <- X0 <- Xall
  X1[, ncol(Xall)] <- 1
  X0[, ncol(Xall)] <- 0
  for (t in tm) {
    v <- with_se(function(th) mean(surv_fun(fr, X1, rep(t, nrow(Xall)))(th)) -
                   mean(surv_fun(fr, X0, rep(t, nrow(Xall)))(th)), fr)
    std[[length(std) + 1]] <- data.frame(type = "survival_diff", time = t, estimate = v[1], se = v[2])
  }
  if (cs$data == "veteran") {  # mean RMST (integrate per row: the small data set only)
    tau <- tau_of$veteran[1]
    v <- with_se(function(th) mean(vapply(seq_len(nrow(Xall)), function(i)
      rmst_fun(fr, Xall[i, , drop = FALSE], tau)(th), 0)), fr)
    std[[length(std) + 1]] <- data.frame(type = "rmst", time = tau, estimate = v[1], se = v[2])
  }
  write_csv(do.call(rbind, std), sprintf("flex_%s_std.csv", cs$case))
  write_csv(data.frame(loglik = fr$ll, npar = length(fr$th), max_score = max(abs(fr$g)),
                       survreg_loglik = if (!is.null(sr_fit)) sr_fit$loglik[2] else NA),
            sprintf("flex_%s_fit.csv", cs$case))
  manifest[[length(manifest) + 1]] <- data.frame(
    case = cs$case, data = cs$data, covariates = paste(cs$cov, collapse = " "), df = cs$df,
    scale = cs$scale, tvc = cs$tvc %||% "", tvc_df = cs$tvc_df %||% 0, entry = cs$entry %||% "",
    weights = cs$weights %||% "", bhazard = cs$bhazard %||% "",
    knots = if (is.null(cs$knots)) "" else paste(cs$knots, collapse = " "))
  cat(cs$case, "loglik", format(fr$ll, digits = 12), "max score", format(max(abs(fr$g)), digits = 3), "\n")
}
write_csv(do.call(rbind, manifest), "flex_cases.csv")
