#!/usr/bin/env Rscript
# Reference answers for hrrstats' joinpoint regression (joinpoint), as the NCI Joinpoint
# Regression Program defines it (Kim et al. 2000, Stat Med 19:335-351; Clegg et al. 2009,
# Stat Med 28:3670-3682; the program's help pages). The program is Windows-only and not
# installable here, so the grid search is done by hand in plain R:
#   - response z = log(y) (log-linear) or y; weights 1 (constant variance), y^2/se^2
#     (log-linear with standard errors; 1/se^2 linear), y (log-linear Poisson variance);
#   - every admissible joinpoint set on the observed x (at least `end` observations before
#     the first and after the last joinpoint, `between` strictly between two), for
#     k = 0..K, fitted by weighted least squares (lm.wfit on the hinge terms
#     (x - tau)_+); the k-joinpoint model is the set with the smallest weighted SSE
#     (the first in lexicographic order on ties);
#   - BIC(k) = log(SSE/n) + 2(k+1) log(n)/n, BIC3(k) = log(SSE/n) + (3k+2) log(n)/n;
#     the smallest wins (the fewer joinpoints on ties);
#   - the selected model refitted with lm(weights = w); covariance conditional on the
#     joinpoints with the program's MSE = SSE/(n - 2k - 2) (lm's vcov rescaled);
#     segment slopes b_j, APC = 100 (exp(b_j) - 1), limits 100 (exp(b_j -+ t_{n-2k-2}
#     se_j) - 1) (linear: the slope and its limits);
#   - AAPC over [a, b] (Clegg et al.): mu = sum w_j b_j / sum w_j, w_j the length of
#     segment j inside [a, b], se = sqrt(w'Vw) / sum w, normal limits (t limits of the
#     APC when [a, b] lies inside one segment).
# segmented (r-cran-segmented) is used as a second opinion: its breakpoint estimate from
# the grid solution as a start is printed, not written.
#
# Data: `testis` (Epi::testisDK, testis cancer in Denmark 1943-1996, summed over age to
# yearly rates per 100,000 with Poisson standard errors 1e5 sqrt(D)/Y), `airmiles`
# (datasets::airmiles, US airline passenger miles 1937-1960), and seeded simulated series.
#
# Writes tests/reference/fixtures/ (every file prefixed joinpoint_):
#   joinpoint_data.csv      series, x, y, se
#   joinpoint_cases.csv     case, series, log_linear, variance, max_joinpoints, selection,
#                           min_obs_end, min_obs_between, aapc_start, aapc_end
#   joinpoint_models.csv    case, k, locations (";"-separated), sse, bic, bic3, selected
#   joinpoint_segments.csv  case, segment, start, end, apc, lower, upper, slope, slope_se
#   joinpoint_fitted.csv    case, x, fitted
#   joinpoint_aapc.csv      case, start, end, aapc, lower, upper
#
# Run from the repository root:  Rscript tests/reference/generate_joinpoint.R
suppressPackageStartupMessages(library(Epi))
source(file.path("tests", "reference", "fixture_io.R"))
write_csv <- fixture_writer("^joinpoint_")

# ---- data -------------------------------------------------------------------------------
data(testisDK, package = "Epi")
tt <- aggregate(cbind(D, Y) ~ P, testisDK, sum)
testis <- data.frame(series = "testis", x = tt$P, y = 1e5 * tt$D / tt$Y, se = 1e5 * sqrt(tt$D) / tt$Y)
air <- data.frame(series = "airmiles", x = 1937:1960, y = as.numeric(datasets::airmiles), se = NA)
set.seed(20261205)
x1 <- 1990:2019
eta1 <- log(50) + 0.03 * (x1 - 1990) - 0.05 * pmax(x1 - 2001, 0) + 0.04 * pmax(x1 - 2011, 0)
se1 <- runif(length(x1), 0.02, 0.05) * exp(eta1)
sim1 <- data.frame(series = "sim1", x = x1, y = exp(eta1) * exp(rnorm(length(x1), 0, se1 / exp(eta1))), se = se1)
x2 <- 2000:2024
mu2 <- 20 + 0.8 * (x2 - 2000) - 1.5 * pmax(x2 - 2012, 0)
sim2 <- data.frame(series = "sim2", x = x2, y = mu2 + rnorm(length(x2), 0, 0.6), se = NA)
x3 <- 1980:2019
sim3 <- data.frame(series = "sim3", x = x3, y = exp(log(10) - 0.01 * (x3 - 1980) + rnorm(length(x3), 0, 0.03)), se = NA)
data <- rbind(testis, air, sim1, sim2, sim3)

cases <- data.frame(
  case = c("testis_se", "testis_const", "testis_poisson", "airmiles", "sim1_se", "sim2_linear", "sim3_flat", "sim1_constraints"),
  series = c("testis", "testis", "testis", "airmiles", "sim1", "sim2", "sim3", "sim1"),
  log_linear = c(TRUE, TRUE, TRUE, TRUE, TRUE, FALSE, TRUE, TRUE),
  variance = c("se", "constant", "poisson", "constant", "se", "constant", "constant", "se"),
  max_joinpoints = c(3, 3, 2, 3, 3, 3, 3, 2),
  selection = c("bic", "bic", "bic3", "bic", "bic", "bic", "bic", "bic"),
  min_obs_end = c(2, 2, 2, 2, 2, 2, 2, 3),
  min_obs_between = c(2, 2, 2, 2, 2, 2, 2, 1),
  aapc_start = c(1987, 1987, 1943, 1950, 2010, 2005, 1980, 1990),
  aapc_end = c(1996, 1996, 1996, 1960, 2019, 2024, 2019, 2019),
  stringsAsFactors = FALSE)

# ---- the exhaustive grid search ------------------------------------------------------------
admissible <- function(n, k, end, between) {
  if (k == 0) return(list(integer(0)))
  out <- list()
  rec <- function(prefix, from, left) {
    if (left == 0) { out[[length(out) + 1]] <<- prefix; return(invisible()) }
    hi <- n - 1 - end            # 0-based last admissible index
    if (from > hi) return(invisible())
    for (j in from:hi) rec(c(prefix, j), j + between + 1, left - 1)
  }
  rec(integer(0), end, k)
  out
}
design <- function(x, idx) {
  X <- cbind(1, x)
  for (j in idx) X <- cbind(X, pmax(x - x[j + 1], 0))
  X
}

fit_case <- function(cs) {
  d <- data[data$series == cs$series, ]
  d <- d[order(d$x), ]
  x <- d$x; y <- d$y; n <- length(x)
  z <- if (cs$log_linear) log(y) else y
  w <- switch(cs$variance,
              constant = rep(1, n),
              se = if (cs$log_linear) (y / d$se)^2 else 1 / d$se^2,
              poisson = if (cs$log_linear) y else 1 / y)
  models <- list()
  for (k in 0:cs$max_joinpoints) {
    sets <- admissible(n, k, cs$min_obs_end, cs$min_obs_between)
    if (length(sets) == 0 || n - 2 * k - 2 < 1) break
    sse <- vapply(sets, function(s) { f <- lm.wfit(design(x, s), z, w); sum(w * f$residuals^2) }, 0)
    b <- which.min(sse)
    models[[k + 1]] <- list(k = k, idx = sets[[b]], sse = sse[b])
  }
  K <- length(models) - 1
  bic <- vapply(models, function(m) log(m$sse / n) + 2 * (m$k + 1) * log(n) / n, 0)
  bic3 <- vapply(models, function(m) log(m$sse / n) + (3 * m$k + 2) * log(n) / n, 0)
  crit <- if (cs$selection == "bic") bic else bic3
  sel <- which.min(crit)
  m <- models[[sel]]; k <- m$k
  X <- design(x, m$idx)
  colnames(X) <- paste0("c", seq_len(ncol(X)))
  fit <- lm(z ~ X - 1, weights = w)
  stopifnot(abs(sum(w * residuals(fit)^2) - m$sse) <= 1e-9 * m$sse)
  V <- vcov(fit) * (n - k - 2) / (n - 2 * k - 2)
  L <- t(vapply(0:k, function(j) c(0, 1, rep(1, j), rep(0, k - j)), numeric(k + 2)))
  if (k == 0) L <- matrix(c(0, 1), 1)
  b <- drop(L %*% coef(fit)); Vs <- L %*% V %*% t(L); se <- sqrt(diag(Vs))
  tq <- qt(0.975, n - 2 * k - 2)
  tr <- function(v) if (cs$log_linear) 100 * expm1(v) else v
  bounds <- c(x[1], x[m$idx + 1], x[n])
  segs <- data.frame(case = cs$case, segment = seq_along(b), start = head(bounds, -1), end = bounds[-1],
                     apc = tr(b), lower = tr(b - tq * se), upper = tr(b + tq * se), slope = b, slope_se = se)
  a <- cs$aapc_start; e <- cs$aapc_end
  wt <- pmax(pmin(segs$end, e) - pmax(segs$start, a), 0)
  mu <- sum(wt * b) / sum(wt); sm <- sqrt(drop(t(wt) %*% Vs %*% wt)) / sum(wt)
  q <- if (sum(wt > 0) == 1) tq else qnorm(0.975)
  aapc <- data.frame(case = cs$case, start = a, end = e, aapc = tr(mu), lower = tr(mu - q * sm), upper = tr(mu + q * sm))
  fitted <- data.frame(case = cs$case, x = x, fitted = if (cs$log_linear) exp(fitted(fit)) else fitted(fit))
  mt <- data.frame(case = cs$case, k = vapply(models, `[[`, 0, "k"),
                   locations = vapply(models, function(m) paste(x[m$idx + 1], collapse = ";"), ""),
                   sse = vapply(models, `[[`, 0, "sse"), bic = bic, bic3 = bic3,
                   selected = seq_along(models) == sel)
  # second opinion: segmented from the grid solution (continuous breakpoints, not on the grid)
  if (k > 0 && requireNamespace("segmented", quietly = TRUE)) {
    o <- try(segmented::segmented(lm(z ~ x, weights = w), seg.Z = ~x, psi = x[m$idx + 1]), silent = TRUE)
    if (!inherits(o, "try-error"))
      cat(sprintf("%s: grid joinpoints %s; segmented's %s\n", cs$case, paste(x[m$idx + 1], collapse = ", "),
                  paste(sprintf("%.2f", o$psi[, "Est."]), collapse = ", ")))
  }
  list(models = mt, segments = segs, aapc = aapc, fitted = fitted)
}

res <- lapply(seq_len(nrow(cases)), function(i) fit_case(cases[i, ]))
write_csv(data, "joinpoint_data.csv")
write_csv(cases, "joinpoint_cases.csv")
write_csv(do.call(rbind, lapply(res, `[[`, "models")), "joinpoint_models.csv")
write_csv(do.call(rbind, lapply(res, `[[`, "segments")), "joinpoint_segments.csv")
write_csv(do.call(rbind, lapply(res, `[[`, "fitted")), "joinpoint_fitted.csv")
write_csv(do.call(rbind, lapply(res, `[[`, "aapc")), "joinpoint_aapc.csv")
cat("wrote", written, "\n")
