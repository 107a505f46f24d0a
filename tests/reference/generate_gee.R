#!/usr/bin/env Rscript
# Reference answers for hrrstats' generalised estimating equations against
# geepack::geeglm (geepack 1.3.9), on data shipped with geepack: ohio (binary panel,
# 537 children x 4 ages), dietox (pig weights, 72 pigs, 11-12 weeks: clusters of
# unequal size), seizure (epilepsy counts, long format with a baseline period and an
# offset log(weeks)), respiratory (binary, clusters = center x id).
#
# Every fit uses geese.control(epsilon = 1e-12, maxit = 200) so geepack converges
# tightly (each case records geepack's error flag; 0 = converged).
#
#   gee_cases.csv          case, family, link, corstr, waves (1: waves passed),
#                          weights, offset, scale_fix (0/1), p (columns besides the
#                          intercept)
#   gee_<case>_data.csv    y, id (cluster), wave, w, off, x1..xp (the model matrix
#                          without its intercept)
#   gee_<case>_coef.csv    term, coef, se (robust, geeglm's Std.err), naive_se
#   gee_<case>_var.csv     i, j (1-based), var (vbeta), naive_var (vbeta.naiv)
#   gee_<case>_par.csv     name, value: scale, alpha (names as geeglm's), error
#
# Run from the repository root:  Rscript tests/reference/generate_gee.R
suppressPackageStartupMessages(library(geepack))
source(file.path("tests", "reference", "fixture_io.R"))
w <- fixture_writer("^gee_")

ctrl <- geese.control(epsilon = 1e-12, maxit = 200)
cases <- list()

run <- function(name, formula, data, family, corstr, waves = NULL, weights = NULL,
                offset = NULL, scale_fix = FALSE, link = NULL) {
  data$.w <- if (is.null(weights)) 1 else weights
  data$.off <- if (is.null(offset)) 0 else offset
  data$.wave <- if (is.null(waves)) NA_real_ else waves
  fam <- if (is.null(link)) family() else family(link = link)
  fit <- if (is.null(waves)) {
    geeglm(formula, data = data, id = .id, family = fam, corstr = corstr,
           weights = .w, offset = .off, control = ctrl, scale.fix = scale_fix)
  } else {
    geeglm(formula, data = data, id = .id, family = fam, corstr = corstr, waves = .wave,
           weights = .w, offset = .off, control = ctrl, scale.fix = scale_fix)
  }
  X <- model.matrix(fit)
  X <- X[, colnames(X) != "(Intercept)", drop = FALSE]
  dd <- data.frame(y = fit$y, id = as.integer(factor(data$.id, levels = unique(data$.id))),
                   wave = data$.wave, w = data$.w, off = data$.off)
  for (j in seq_len(ncol(X))) dd[[paste0("x", j)]] <- X[, j]
  w(dd, sprintf("gee_%s_data.csv", name))
  g <- fit$geese
  w(data.frame(term = names(coef(fit)), coef = unname(coef(fit)),
               se = sqrt(diag(g$vbeta)), naive_se = sqrt(diag(g$vbeta.naiv))),
    sprintf("gee_%s_coef.csv", name))
  p <- length(coef(fit))
  ij <- expand.grid(i = seq_len(p), j = seq_len(p))
  w(data.frame(i = ij$i, j = ij$j, var = as.vector(g$vbeta), naive_var = as.vector(g$vbeta.naiv)),
    sprintf("gee_%s_var.csv", name))
  par <- data.frame(name = c("scale", names(g$alpha), "error"),
                    value = c(unname(g$gamma), unname(g$alpha), g$error))
  w(par, sprintf("gee_%s_par.csv", name))
  cases[[length(cases) + 1L]] <<- data.frame(
    case = name, family = fam$family, link = fam$link, corstr = corstr,
    waves = as.integer(!is.null(waves)), weights = as.integer(!is.null(weights)),
    offset = as.integer(!is.null(offset)), scale_fix = as.integer(scale_fix), p = ncol(X))
  if (g$error != 0) message("geepack did not converge: ", name)
}

# ---- ohio: binary, 4 ages per child -------------------------------------------------
data(ohio)
ohio$.id <- ohio$id
for (cs in c("independence", "exchangeable", "ar1", "unstructured")) {
  run(paste0("ohio_", substr(cs, 1, 5)), resp ~ age + smoke + age:smoke, ohio, binomial, cs)
}
run("ohio_ar1_waves", resp ~ age + smoke, ohio, binomial, "ar1", waves = ohio$age + 3)
run("ohio_exch_scalefix", resp ~ age + smoke, ohio, binomial, "exchangeable", scale_fix = TRUE)

# ---- dietox: Gaussian, 11-12 weeks per pig --------------------------------------------
data(dietox)
dietox$.id <- dietox$Pig
run("dietox_exch", Weight ~ Time + Cu, dietox, gaussian, "exchangeable")
run("dietox_ar1", Weight ~ Time + Cu, dietox, gaussian, "ar1")
run("dietox_ar1_waves", Weight ~ Time + Cu, dietox, gaussian, "ar1", waves = dietox$Time)
run("dietox_exch_w", Weight ~ Time + Cu, dietox, gaussian, "exchangeable",
    weights = 1 + (as.integer(dietox$Pig) %% 3) / 2)
run("dietox_exch_log", Weight ~ Time + Cu, dietox, gaussian, "exchangeable", link = "log")

# ---- seizure: counts, baseline (8 weeks) and four 2-week periods ----------------------
data(seizure)
sz <- do.call(rbind, lapply(seq_len(nrow(seizure)), function(i) {
  s <- seizure[i, ]
  data.frame(.id = i, count = c(s$base, s$y1, s$y2, s$y3, s$y4), period = 0:4,
             weeks = c(8, 2, 2, 2, 2), trt = s$trt, lage = log(s$age))
}))
sz$post <- as.integer(sz$period > 0)
for (cs in c("independence", "exchangeable", "ar1")) {
  run(paste0("seizure_", substr(cs, 1, 5)), count ~ trt * post + lage, sz, poisson, cs,
      offset = log(sz$weeks))
}
run("seizure_exch_w", count ~ trt * post + lage, sz, poisson, "exchangeable",
    offset = log(sz$weeks), weights = 1 + (sz$.id %% 4) / 4)

# ---- respiratory: binary, clusters are center x id ------------------------------------
data(respiratory)
respiratory$.id <- respiratory$center * 1000 + respiratory$id
run("resp_exch", outcome ~ treat + sex + age + baseline + center, respiratory, binomial,
    "exchangeable")
run("resp_ar1_probit", outcome ~ treat + age + baseline, respiratory, binomial, "ar1",
    link = "probit", waves = respiratory$visit)
run("resp_unstr", outcome ~ treat + age + baseline, respiratory, binomial, "unstructured")

w(do.call(rbind, cases), "gee_cases.csv")
cat("wrote", length(written), "files\n")
