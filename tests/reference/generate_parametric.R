#!/usr/bin/env Rscript
# Reference answers for hrrstats' parametric survival regression, from survival::survreg
# (and, for delayed entry, which survreg does not have, the closed-form log-likelihood
# maximised numerically: nlm, then Newton steps on numerical derivatives).
#
# Writes tests/reference/fixtures/ (every file prefixed survreg_, data_survreg_, rmst_ or
# concordance_):
#   data_survreg_<data>.csv      input data: numeric columns, factors dummy-coded
#   survreg_cases.csv            manifest: case, data, time, status, entry, covariates,
#                                strata, weights, offset, dist, anchor ("survreg"/"optim")
#   survreg_<case>_coef.csv      summary(fit)$table: term, value, se, z, p
#                                (coefficients, then Log(scale) per stratum)
#   survreg_<case>_var.csv       fit$var, long format i, j, value
#   survreg_<case>_fit.csv       loglik0, loglik1, chisq, df, iter, n, scale_1..k
#   survreg_<case>_predict.csv   first 12 rows: lp, se_lp (predict type "lp", se.fit),
#                                q10, q50, q90 and se_q10, se_q50, se_q90
#                                (type "quantile", p = c(.1, .5, .9), se.fit), and
#                                surv_t1, surv_t2: S(t | x) at t1 = 100 (t2 = 400) as
#                                1 - psurvreg(t, lp, scale, dist)
#   rmst_cases.csv               restricted mean survival time cases: case, data,
#                                strata, weights, tau
#   rmst_<case>.csv              print(survfit(...), rmean = tau)'s table: stratum
#                                (1-based, in level order), rmean, se (se(rmean))
#   concordance_cases.csv        Cox fits: case, data, covariates, strata, weights, entry
#   concordance_<case>.csv       concordance(coxph fit): concordance, var, and the counts
#                                concordant, discordant, tied_x, tied_y, tied_xy
#
# Run from the repository root:  Rscript tests/reference/generate_parametric.R
# survreg is called with rel.tolerance = 1e-12 (default 1e-9), iter.max = 100: at its
# default survreg stops when the log-likelihood changes by 1e-9 relative, where a
# parameter near zero (log scale 0.028 for the log-normal on lung) is still 4e-10 from
# the maximum, 1.4e-8 relative; at 1e-12 both implementations are at the maximum and
# agree to the tolerance of the comparison (1e-8).
suppressPackageStartupMessages(library(survival))
source(file.path("tests", "reference", "fixture_io.R"))
write_csv <- fixture_writer("^(survreg_|data_survreg_|rmst_|concordance_)")

dummies <- function(f, prefix) {
  f <- factor(f)
  m <- model.matrix(~ f)[, -1, drop = FALSE]
  colnames(m) <- paste0(prefix, "_", gsub("[^A-Za-z0-9]", "", levels(f)[-1]))
  as.data.frame(m, row.names = NULL)
}

## ---- data -------------------------------------------------------------------
lung <- survival::lung
lung <- lung[complete.cases(lung[, c("time", "status", "age", "sex", "ph.ecog")]), ]
d_lung <- data.frame(time = lung$time, status = lung$status - 1, age = lung$age,
                     sex = lung$sex, ph_ecog = lung$ph.ecog,
                     # non-integer case weights; entry times for delayed entry
                     w = 0.5 + (seq_len(nrow(lung)) %% 4) / 4,
                     entry = pmin(lung$time * 0.4, 60))
ov <- survival::ovarian
d_ov <- data.frame(time = ov$futime, status = ov$fustat, age = ov$age,
                   resid_ds = ov$resid.ds - 1, rx = ov$rx - 1, ecog = ov$ecog.ps - 1,
                   off = 0.02 * (ov$age - 55))
vet <- survival::veteran
d_vet <- cbind(data.frame(time = vet$time, status = vet$status, karno = vet$karno,
                          trt = vet$trt - 1, prior = vet$prior / 10),
               dummies(vet$celltype, "cell"))
write_csv(d_lung, "data_survreg_lung.csv")
write_csv(d_ov, "data_survreg_ovarian.csv")
write_csv(d_vet, "data_survreg_veteran.csv")
datasets <- list(lung = d_lung, ovarian = d_ov, veteran = d_vet)

cases <- data.frame(
  case = c("lung_weibull", "lung_exponential", "lung_lognormal", "lung_loglogistic",
           "lung_gaussian", "lung_logistic", "lung_weibull_strata", "lung_weibull_weights",
           "ovarian_weibull_offset", "veteran_loglogistic", "veteran_lognormal_strata",
           "lung_weibull_entry", "lung_lognormal_entry", "lung_gompertz",
           "lung_gompertz_entry"),
  data = c(rep("lung", 8), "ovarian", "veteran", "veteran", "lung", "lung", "lung", "lung"),
  time = "time", status = "status",
  entry = c(rep("", 11), "entry", "entry", "", "entry"),
  covariates = c(rep("age sex ph_ecog", 6), "age ph_ecog", "age sex ph_ecog",
                 "age resid_ds rx ecog", "karno trt prior cell_smallcell cell_adeno cell_large",
                 "karno trt", "age sex ph_ecog", "age sex ph_ecog", "age sex ph_ecog",
                 "age sex"),
  strata = c(rep("", 6), "sex", rep("", 3), "cell_adeno", "", "", "", ""),
  weights = c(rep("", 7), "w", rep("", 7)),
  offset = c(rep("", 8), "off", rep("", 6)),
  dist = c("weibull", "exponential", "lognormal", "loglogistic", "gaussian", "logistic",
           "weibull", "weibull", "weibull", "loglogistic", "lognormal", "weibull",
           "lognormal", "gompertz", "gompertz"),
  anchor = c(rep("survreg", 11), "optim", "optim", "optim", "optim"),
  stringsAsFactors = FALSE)
write_csv(cases, "survreg_cases.csv")

# survreg's distributions: S(z) of the standardised error and the log density
std_surv <- function(dist, z) switch(dist,
  weibull = , exponential = exp(-exp(z)),
  lognormal = , gaussian = pnorm(-z),
  loglogistic = , logistic = plogis(-z))
log_dens <- function(dist, z) switch(dist,
  weibull = , exponential = z - exp(z),
  lognormal = , gaussian = dnorm(z, log = TRUE),
  loglogistic = , logistic = dlogis(z, log = TRUE))
log_time <- function(dist) !dist %in% c("gaussian", "logistic")

# Delayed entry (survreg has none): the log-likelihood conditional on survival to the
# entry time, maximised by nlm from the survreg fit without entry, then polished by
# Newton steps on numerical derivatives. Parameters (beta, log scale).
fit_entry <- function(d, covs, dist) {
  X <- cbind(1, as.matrix(d[, covs]))
  y <- log(d$time); ye <- log(d$entry)
  ll <- function(th) {
    b <- th[seq_len(ncol(X))]; s <- th[ncol(X) + 1]; sig <- exp(s)
    eta <- drop(X %*% b)
    z <- (y - eta) / sig; ze <- (ye - eta) / sig
    sum(ifelse(d$status == 1, log_dens(dist, z) - s - y, log(std_surv(dist, z)))) -
      sum(ifelse(d$entry > 0, log(std_surv(dist, ze)), 0))
  }
  f <- as.formula(paste("Surv(time, status) ~", paste(covs, collapse = " + ")))
  f0 <- survreg(f, data = d, dist = dist)
  th <- c(coef(f0), log(f0$scale))
  th <- nlm(function(t) -ll(t), th, gradtol = 1e-10, iterlim = 1000, typsize = abs(th) + 0.01)$estimate
  # polish: Newton steps on numerical derivatives (central differences; optimHess),
  # independent of hrrstats' analytic ones; nlm alone stops ~1e-5 short here.
  grad <- function(t) vapply(seq_along(t), function(j) {
    h <- 1e-5 * (abs(t[j]) + 0.01); e <- replace(numeric(length(t)), j, h)
    (ll(t + e) - ll(t - e)) / (2 * h)
  }, 0)
  for (k in 1:20) {
    H <- optimHess(th, ll, grad)
    step <- -solve(H, grad(th))
    if (ll(th + step) < ll(th)) break
    th <- th + step
    if (max(abs(step)) < 1e-12) break
  }
  list(par = th, loglik = ll(th), f0 = f0)
}

# Gompertz (flexsurv's parametrisation, proportional hazards: h(t) = exp(x'b) exp(a t),
# no anchor installable: flexsurv is not in Debian): the log-likelihood written out,
# d (eta + a t) - exp(eta) (G(a, t) - G(a, t0)), G(a, t) = (exp(a t) - 1) / a, maximised
# as above from the exponential fit. Parameters (beta, shape a).
fit_gompertz <- function(d, covs, entry) {
  X <- cbind(1, as.matrix(d[, covs]))
  t0 <- if (entry) d$entry else rep(0, nrow(d))
  G <- function(a, t) if (abs(a) < 1e-12) t else expm1(a * t) / a
  ll <- function(th) {
    b <- th[seq_len(ncol(X))]; a <- th[ncol(X) + 1]
    eta <- drop(X %*% b)
    sum(d$status * (eta + a * d$time) - exp(eta) * (G(a, d$time) - G(a, t0)))
  }
  f0 <- survreg(as.formula(paste("Surv(time, status) ~", paste(covs, collapse = " + "))),
                data = d, dist = "exponential")
  th <- c(-coef(f0), 0)
  th <- nlm(function(t) -ll(t), th, gradtol = 1e-10, iterlim = 1000,
            typsize = abs(th) + 1e-3)$estimate
  grad <- function(t) vapply(seq_along(t), function(j) {
    h <- 1e-5 * (abs(t[j]) + 1e-3); e <- replace(numeric(length(t)), j, h)
    (ll(t + e) - ll(t - e)) / (2 * h)
  }, 0)
  for (k in 1:30) {
    H <- optimHess(th, ll, grad)
    step <- -solve(H, grad(th))
    if (ll(th + step) < ll(th)) break
    th <- th + step
    if (max(abs(step)) < 1e-13) break
  }
  list(par = th, loglik = ll(th))
}

for (i in seq_len(nrow(cases))) {
  cs <- cases[i, ]
  d <- datasets[[cs$data]]
  covs <- strsplit(cs$covariates, " ")[[1]]
  rhs <- paste(covs, collapse = " + ")
  if (nzchar(cs$strata)) rhs <- paste0(rhs, " + strata(", cs$strata, ")")
  if (nzchar(cs$offset)) rhs <- paste0(rhs, " + offset(", cs$offset, ")")
  f <- as.formula(paste("Surv(time, status) ~", rhs))
  nm <- paste0("survreg_", cs$case, "_")
  if (cs$anchor == "optim") {
    r <- if (cs$dist == "gompertz") fit_gompertz(d, covs, nzchar(cs$entry)) else
      fit_entry(d, covs, cs$dist)
    terms <- c("(Intercept)", covs, if (cs$dist == "gompertz") "shape" else "Log(scale)")
    write_csv(data.frame(term = terms, value = r$par, se = NA, z = NA, p = NA),
              paste0(nm, "coef.csv"))
    write_csv(data.frame(loglik0 = NA, loglik1 = r$loglik, chisq = NA, df = NA,
                         iter = NA, n = nrow(d),
                         scale_1 = if (cs$dist == "gompertz") NA else exp(r$par[length(r$par)])),
              paste0(nm, "fit.csv"))
    next
  }
  ctl <- survreg.control(rel.tolerance = 1e-12, iter.max = 100)
  fit <- if (nzchar(cs$weights)) {
    survreg(f, data = d, dist = cs$dist, weights = d[[cs$weights]], control = ctl)
  } else {
    survreg(f, data = d, dist = cs$dist, control = ctl)
  }
  s <- summary(fit)
  tab <- s$table
  write_csv(data.frame(term = rownames(tab), value = tab[, 1], se = tab[, 2], z = tab[, 3],
                       p = tab[, 4]), paste0(nm, "coef.csv"))
  v <- fit$var
  write_csv(data.frame(i = rep(seq_len(nrow(v)), ncol(v)), j = rep(seq_len(ncol(v)), each = nrow(v)),
                       value = as.vector(v)), paste0(nm, "var.csv"))
  sc <- fit$scale
  fitrow <- data.frame(loglik0 = fit$loglik[1], loglik1 = fit$loglik[2],
                       chisq = s$chi, df = sum(fit$df) - fit$idf, iter = fit$iter, n = nrow(d))
  for (k in seq_along(sc)) fitrow[[paste0("scale_", k)]] <- sc[k]
  write_csv(fitrow, paste0(nm, "fit.csv"))
  rows <- 1:12
  plp <- predict(fit, type = "lp", se.fit = TRUE)
  pq <- predict(fit, type = "quantile", p = c(0.1, 0.5, 0.9), se.fit = TRUE)
  lp <- plp$fit[rows]
  sig <- if (length(sc) > 1) sc[as.integer(factor(d[[cs$strata]]))][rows] else rep(sc, 12)
  surv_at <- function(t) {
    y <- if (log_time(cs$dist)) log(t) else t
    std_surv(cs$dist, (y - lp) / sig)
  }
  write_csv(data.frame(row = rows, lp = lp, se_lp = plp$se.fit[rows],
                       q10 = pq$fit[rows, 1], q50 = pq$fit[rows, 2], q90 = pq$fit[rows, 3],
                       se_q10 = pq$se.fit[rows, 1], se_q50 = pq$se.fit[rows, 2],
                       se_q90 = pq$se.fit[rows, 3], surv_t1 = surv_at(100),
                       surv_t2 = surv_at(400)), paste0(nm, "predict.csv"))
}
## ---- restricted mean survival time (survfit's rmean) ---------------------------
rmst_cases <- data.frame(
  case = c("lung_sex_365", "lung_sex_1100", "lung_all_500", "lung_weighted_sex_300",
           "ovarian_rx_800"),
  data = c("lung", "lung", "lung", "lung", "ovarian"),
  strata = c("sex", "sex", "", "sex", "rx"),
  weights = c("", "", "", "w", ""),
  tau = c(365, 1100, 500, 300, 800), stringsAsFactors = FALSE)
write_csv(rmst_cases, "rmst_cases.csv")
for (i in seq_len(nrow(rmst_cases))) {
  cs <- rmst_cases[i, ]
  d <- datasets[[cs$data]]
  f <- as.formula(paste("Surv(time, status) ~", if (nzchar(cs$strata)) cs$strata else "1"))
  fit <- if (nzchar(cs$weights)) survfit(f, data = d, weights = d[[cs$weights]]) else
    survfit(f, data = d)
  tab <- summary(fit, rmean = cs$tau)$table
  if (!is.matrix(tab)) tab <- t(tab)
  write_csv(data.frame(stratum = seq_len(nrow(tab)), rmean = tab[, "rmean"],
                       se = tab[, "se(rmean)"]), paste0("rmst_", cs$case, ".csv"))
}
## ---- concordance of Cox fits (survival::concordance) ---------------------------
conc_cases <- data.frame(
  case = c("lung_cont", "lung_factors", "lung_strata_weights", "veteran_cell", "lung_entry"),
  data = c("lung", "lung", "lung", "veteran", "lung"),
  covariates = c("age ph_ecog", "sex ph_ecog", "age ph_ecog",
                 "karno cell_smallcell cell_adeno cell_large", "age sex"),
  strata = c("", "", "sex", "", ""),
  weights = c("", "", "w", "", ""),
  entry = c("", "", "", "", "entry"), stringsAsFactors = FALSE)
write_csv(conc_cases, "concordance_cases.csv")
for (i in seq_len(nrow(conc_cases))) {
  cs <- conc_cases[i, ]
  d <- datasets[[cs$data]]
  rhs <- strsplit(cs$covariates, " ")[[1]]
  if (nzchar(cs$strata)) rhs <- c(rhs, sprintf("strata(%s)", cs$strata))
  lhs <- if (nzchar(cs$entry)) "Surv(entry, time, status)" else "Surv(time, status)"
  f <- as.formula(paste(lhs, "~", paste(rhs, collapse = " + ")))
  fit <- if (nzchar(cs$weights)) coxph(f, data = d, weights = d[[cs$weights]]) else coxph(f, data = d)
  cc <- concordance(fit)
  k <- cc$count
  if (is.matrix(k)) k <- colSums(k)
  write_csv(data.frame(concordance = cc$concordance, var = cc$var, concordant = k[["concordant"]],
                       discordant = k[["discordant"]], tied_x = k[["tied.x"]],
                       tied_y = k[["tied.y"]], tied_xy = k[["tied.xy"]]),
            paste0("concordance_", cs$case, ".csv"))
}
cat("wrote", length(written), "files\n")
