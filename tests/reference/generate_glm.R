#!/usr/bin/env Rscript
# Reference answers for hrrstats' generalized linear models, from R's stats::glm,
# MASS::glm.nb / MASS::confint.glm and the sandwich package.
# Companion of generate.R and generate_cox.R; same helpers and conventions.
#
# Writes tests/reference/fixtures/ (every file prefixed glm_ or data_glm_):
#   data_glm_<name>.csv      input data: numeric columns only; factors already dummy-coded
#                            with treatment contrasts (first level = reference), named as
#                            model.matrix() names them (<factor><level>, e.g. woolB, tensionM)
#                            with non-alphanumerics dropped (Group "1-1.5l" -> Group115l,
#                            agegp "75+" -> agegp75). Ordered factors are made unordered
#                            first (R would otherwise use polynomial contrasts).
#   glm_cases.csv            manifest: one row per case (see "cases" below)
#   glm_<case>_coef.csv      term, coef, se, stat, p (summary(fit)$coefficients; NA when aliased)
#   glm_<case>_var.csv       vcov(fit), long format i, j, value (NA rows/columns when aliased)
#   glm_<case>_fit.csv       one row of fit-level statistics (see "fit statistics" below)
#   glm_<case>_robust.csv    sandwich variances, long format type, i, j, value
#                            (type HC0, HC1 always; CL when the case has a cluster column)
#   glm_<case>_predict.csv   predict(fit, type = "link"/"response", se.fit = TRUE), fitted rows
#   glm_<case>_resid.csv     residuals(fit, type) for deviance, pearson, working, response
#   glm_<case>_confint.csv   Wald (confint.default), MASS profile (confint.glm) and exact
#                            profile-likelihood limits (root-found here, see below)
#   glm_warnings.csv         every warning (and error) R emitted, per case and stage
#
# Run from the repository root:  Rscript tests/reference/generate_glm.R
# Numbers are written with 17 significant digits (exact round trip of doubles); NA as "NA".
# Written with R 4.2.2, MASS 7.3-58.2, sandwich 3.0-2 (versions printed at the end).
#
# Every fit uses the numeric data exactly as written to data_glm_<name>.csv, with the
# formula  response ~ [0 +] cov1 + cov2 + ... [+ offset(col)]  built from the manifest
# (covariates in coefficient order; "(Intercept)" first when intercept = TRUE).
#   family poisson/binomial/gaussian:
#     glm(formula, family = <family>(link = <link>), data, weights = <weights column>,
#         start = <start>, control = glm.control(epsilon = <epsilon>, maxit = <maxit>))
#     glm.control defaults are epsilon = 1e-8, maxit = 25 (convergence when
#     |dev - dev_old| / (|dev| + 0.1) < epsilon); method = "glm.fit" (IRLS, QR with
#     pivoting, rank tolerance min(1e-7, epsilon / 1000)), no etastart/mustart.
#   family negbin:
#     MASS::glm.nb(formula, data, weights, link = log, control = glm.control(epsilon, maxit))
#     (alternates glm.fit at fixed theta with theta.ml() at fixed mu; init.theta not given,
#     so the first fit is Poisson). theta is treated as known in vcov/se/predict/sandwich/
#     profile, as MASS and sandwich do.
#   Binomial responses are 0/1 or, for grouped data, the proportion ncases / total with
#   weights = total (equivalent to cbind(ncases, ncontrols); checked below).
suppressPackageStartupMessages({
  library(MASS)
  library(sandwich)
})

source(file.path("tests", "reference", "fixture_io.R"))
write_csv <- fixture_writer("^(glm_|data_glm_)")
# Treatment-contrast dummies exactly as model.matrix(~ f) builds them (reference = first
# level; an ordered factor keeps its level order but gets treatment, not poly, contrasts),
# named <prefix><level> with non-alphanumerics dropped.
dummies <- function(f, prefix) {
  lev <- if (is.factor(f)) levels(f) else sort(unique(f))
  f <- factor(f, levels = lev, ordered = FALSE)
  m <- model.matrix(~ f, contrasts.arg = list(f = "contr.treatment"))[, -1, drop = FALSE]
  colnames(m) <- paste0(prefix, gsub("[^A-Za-z0-9]", "", levels(f)[-1]))
  rownames(m) <- NULL
  as.data.frame(m)
}

# Warnings and errors, per case and stage. Warnings are recorded and muffled (the fit still
# returns); an error makes the stage return NULL and nothing is written for it.
# Commas in messages become ";" and newlines spaces (the CSV has no quoting).
conds <- data.frame(case = character(0), stage = character(0), kind = character(0),
                    text = character(0))
note <- function(case, stage, kind, msg) {
  msg <- gsub("[\r\n]+", " ", gsub(",", ";", msg))
  conds[nrow(conds) + 1, ] <<- c(case, stage, kind, msg)
}
attempt <- function(case, stage, expr) {
  withCallingHandlers(
    tryCatch(expr, error = function(e) {
      note(case, stage, "error", conditionMessage(e))
      NULL
    }),
    warning = function(w) {
      note(case, stage, "warning", conditionMessage(w))
      invokeRestart("muffleWarning")
    })
}

## ---- data sets --------------------------------------------------------------
# warpbreaks (datasets, 54 rows): breaks; wool A (reference)/B; tension L (reference)/M/H.
# woolA = 1 - woolB is written too: used by the no-intercept case (woolA + woolB spans
# the intercept) and the aliased case (woolA is collinear with intercept + woolB).
glm_warpbreaks <- with(warpbreaks, cbind(
  data.frame(breaks = breaks), dummies(wool, "wool"), dummies(tension, "tension"),
  data.frame(woolA = as.numeric(wool == "A"))))

# quine (MASS, 146 rows): Days absent; Eth A/N, Sex F/M, Age F0/F1/F2/F3, Lrn AL/SL.
glm_quine <- with(MASS::quine, cbind(
  data.frame(Days = Days), dummies(Eth, "Eth"), dummies(Sex, "Sex"), dummies(Age, "Age"),
  dummies(Lrn, "Lrn")))

# Insurance (MASS, 64 rows): Claims, Holders (all > 0), log_Holders = log(Holders) (the
# offset); District 1..4; Group "<1l" "1-1.5l" "1.5-2l" ">2l" and Age "<25" "25-29"
# "30-35" ">35" are ORDERED factors in MASS, dummy-coded here with treatment contrasts
# (-> Group115l Group152l Group2l, Age2529 Age3035 Age35).
glm_insurance <- with(MASS::Insurance, cbind(
  data.frame(Claims = Claims, Holders = Holders, log_Holders = log(Holders)),
  dummies(District, "District"), dummies(Group, "Group"), dummies(Age, "Age")))

# esoph (datasets, 88 rows, grouped case-control counts): ncases, ncontrols,
# total = ncases + ncontrols (binomial weights, all >= 1), prop = ncases / total (response);
# ordered factors agegp, alcgp, tobgp dummy-coded with treatment contrasts.
glm_esoph <- with(datasets::esoph, cbind(
  data.frame(ncases = ncases, ncontrols = ncontrols, total = ncases + ncontrols,
             prop = ncases / (ncases + ncontrols)),
  dummies(agegp, "agegp"), dummies(alcgp, "alcgp"), dummies(tobgp, "tobgp")))
stopifnot(all(glm_esoph$total > 0))

# birthwt (MASS, 189 rows): low (0/1), age, lwt, race 1 = white (reference) /2 = black
# /3 = other -> race2 race3, smoke, ptl, ht, ui, ftv.
glm_birthwt <- with(MASS::birthwt, cbind(
  data.frame(low = low, age = age, lwt = lwt), dummies(race, "race"),
  data.frame(smoke = smoke, ptl = ptl, ht = ht, ui = ui, ftv = ftv)))

# mtcars (datasets, 32 rows): mpg, wt, hp; w = seeded non-integer weights in [0.5, 2].
set.seed(20261127)
glm_mtcars <- with(datasets::mtcars, data.frame(
  mpg = mpg, wt = wt, hp = hp, w = round(runif(length(mpg), 0.5, 2), 4)))

# separation (constructed, 10 rows): y = 1 exactly when x > 5 -- complete separation,
# the logistic MLE does not exist (coefficient of x -> +Inf).
glm_separation <- data.frame(y = rep(0:1, each = 5), x = 1:10)

# zerocell (constructed, 12 rows = 3 groups x 2 exposure levels x 2 replicates), exposure
# in person-years, log_exposure the offset. y_cell: the cell (g3, e2) has zero counts but
# every margin is positive, so the main-effects Poisson MLE is finite. y_group: all of
# group g3 is zero, so the g3 coefficient diverges to -Inf (R stops at a large negative
# value with a huge standard error).
glm_zerocell <- data.frame(
  g2 = rep(c(0, 1, 0), each = 4), g3 = rep(c(0, 0, 1), each = 4),
  e2 = rep(rep(c(0, 1), each = 2), 3),
  exposure = c(100, 120, 80, 90, 150, 140, 110, 100, 60, 70, 50, 55),
  y_cell = c(12, 15, 8, 5, 20, 17, 9, 11, 4, 6, 0, 0),
  y_group = c(12, 15, 8, 5, 20, 17, 9, 11, 0, 0, 0, 0))
glm_zerocell$log_exposure <- log(glm_zerocell$exposure)

# panel (seeded simulation, 60 subjects x 5 visits = 300 rows): id 1..60 (the cluster);
# x1 ~ N(0, 1) per visit, x2 ~ Bernoulli(0.5) per subject, time ~ U(0.5, 2) per visit
# (log_time = log(time) is the offset), subject effect u ~ N(0, 0.5^2) shared by the
# subject's visits (so the visits are correlated and overdispersed):
#   y    ~ Poisson(time * exp(-0.5 + 0.3 x1 + 0.4 x2 + u))
#   ybin ~ Bernoulli(plogis(-0.3 + 0.5 x1 - 0.4 x2 + u))
set.seed(20261128)
n_id <- 60; n_vis <- 5
p_id <- rep(seq_len(n_id), each = n_vis)
p_x1 <- round(rnorm(n_id * n_vis), 4)
p_x2 <- rbinom(n_id, 1, 0.5)[p_id]
p_time <- round(runif(n_id * n_vis, 0.5, 2), 4)
p_u <- rnorm(n_id, 0, 0.5)[p_id]
glm_panel <- data.frame(
  id = p_id, visit = rep(seq_len(n_vis), n_id), x1 = p_x1, x2 = p_x2, time = p_time,
  log_time = log(p_time),
  y = rpois(n_id * n_vis, p_time * exp(-0.5 + 0.3 * p_x1 + 0.4 * p_x2 + p_u)),
  ybin = rbinom(n_id * n_vis, 1, plogis(-0.3 + 0.5 * p_x1 - 0.4 * p_x2 + p_u)))

datasets_glm <- list(glm_warpbreaks = glm_warpbreaks, glm_quine = glm_quine,
                     glm_insurance = glm_insurance, glm_esoph = glm_esoph,
                     glm_birthwt = glm_birthwt, glm_mtcars = glm_mtcars,
                     glm_separation = glm_separation, glm_zerocell = glm_zerocell,
                     glm_panel = glm_panel)
for (nm in names(datasets_glm)) {
  stopifnot(all(vapply(datasets_glm[[nm]], is.numeric, TRUE)))
  write_csv(datasets_glm[[nm]], paste0("data_", nm, ".csv"))
}
# Read the data back as the tests will: the fits below use exactly the written numbers.
datasets_glm <- lapply(setNames(names(datasets_glm), names(datasets_glm)), function(nm)
  read.csv(file.path(out, paste0("data_", nm, ".csv"))))

## ---- cases ------------------------------------------------------------------
# data: data set written as data_<data>.csv; family: poisson, binomial, gaussian, negbin
# (MASS::glm.nb); link: the family's link; response: response column; covariates:
# space-separated design columns in coefficient order (without the intercept);
# offset: column entering as offset() (already on the link scale); weights: prior weights
# column; cluster: column for sandwich::vcovCL; start: space-separated start values in
# coefficient order ("(Intercept)" first), empty = R's default initialisation
# (family$initialize, mustart); intercept: TRUE adds "(Intercept)" first, FALSE fits
# response ~ 0 + covariates; epsilon, maxit: glm.control() values (R defaults 1e-8, 25).
#
# Start values (log-binomial and identity-binomial only): intercept at the link of the
# overall risk mean(low) = 59/189, slopes 0 -- a feasible point (0 < mu < 1 everywhere).
# Without start R's default mustart = (y + 0.5) / 2 gives eta = log(mustart) and the
# first IRLS step leaves the parameter space for these links.
# quine_negbin_tight repeats quine_negbin with epsilon = 1e-12, maxit = 100: glm.nb's
# alternation stops at the default 1e-8 with coefficients ~1e-7 (relative) short of the
# joint MLE; the tight fit is the MLE to ~1e-12.
p_low <- mean(datasets_glm$glm_birthwt$low)
start_logbin <- paste(sprintf("%.17g", c(log(p_low), 0, 0, 0)), collapse = " ")
start_ident <- paste(sprintf("%.17g", c(p_low, 0, 0, 0)), collapse = " ")
cases <- read.csv(text = "
case,data,family,link,response,covariates,offset,weights,cluster,start,intercept,epsilon,maxit
warpbreaks_poisson,glm_warpbreaks,poisson,log,breaks,woolB tensionM tensionH,,,,,TRUE,1e-8,25
warpbreaks_noint,glm_warpbreaks,poisson,log,breaks,woolA woolB tensionM tensionH,,,,,FALSE,1e-8,25
warpbreaks_aliased,glm_warpbreaks,poisson,log,breaks,woolB tensionM tensionH woolA,,,,,TRUE,1e-8,25
warpbreaks_negbin,glm_warpbreaks,negbin,log,breaks,woolB tensionM tensionH,,,,,TRUE,1e-8,25
quine_poisson,glm_quine,poisson,log,Days,EthN SexM AgeF1 AgeF2 AgeF3 LrnSL,,,,,TRUE,1e-8,25
quine_negbin,glm_quine,negbin,log,Days,EthN SexM AgeF1 AgeF2 AgeF3 LrnSL,,,,,TRUE,1e-8,25
quine_negbin_tight,glm_quine,negbin,log,Days,EthN SexM AgeF1 AgeF2 AgeF3 LrnSL,,,,,TRUE,1e-12,100
insurance_poisson,glm_insurance,poisson,log,Claims,District2 District3 District4 Group115l Group152l Group2l Age2529 Age3035 Age35,log_Holders,,,,TRUE,1e-8,25
esoph_logit,glm_esoph,binomial,logit,prop,agegp3544 agegp4554 agegp5564 agegp6574 agegp75 alcgp4079 alcgp80119 alcgp120 tobgp1019 tobgp2029 tobgp30,,total,,,TRUE,1e-8,25
birthwt_logit,glm_birthwt,binomial,logit,low,age lwt race2 race3 smoke ptl ht ui ftv,,,,,TRUE,1e-8,25
birthwt_probit,glm_birthwt,binomial,probit,low,age lwt race2 race3 smoke ptl ht ui ftv,,,,,TRUE,1e-8,25
birthwt_logbin,glm_birthwt,binomial,log,low,smoke ht ui,,,,START_LOGBIN,TRUE,1e-8,25
birthwt_identity,glm_birthwt,binomial,identity,low,smoke ht ui,,,,START_IDENT,TRUE,1e-8,25
mtcars_gaussian,glm_mtcars,gaussian,identity,mpg,wt hp,,,,,TRUE,1e-8,25
mtcars_weighted,glm_mtcars,gaussian,identity,mpg,wt hp,,w,,,TRUE,1e-8,25
separation_logit,glm_separation,binomial,logit,y,x,,,,,TRUE,1e-8,25
zerocell_poisson,glm_zerocell,poisson,log,y_cell,g2 g3 e2,log_exposure,,,,TRUE,1e-8,25
zerogroup_poisson,glm_zerocell,poisson,log,y_group,g2 g3 e2,log_exposure,,,,TRUE,1e-8,25
panel_poisson,glm_panel,poisson,log,y,x1 x2,log_time,,id,,TRUE,1e-8,25
panel_logit,glm_panel,binomial,logit,ybin,x1 x2,,,id,,TRUE,1e-8,25
panel_negbin,glm_panel,negbin,log,y,x1 x2,log_time,,id,,TRUE,1e-8,25
", colClasses = "character")
cases <- cases[nchar(cases$case) > 0, ]
cases$start[cases$start == "START_LOGBIN"] <- start_logbin
cases$start[cases$start == "START_IDENT"] <- start_ident
write_csv(cases, "glm_cases.csv")

fit_case <- function(cs, d) {
  covs <- strsplit(cs$covariates, " ")[[1]]
  intercept <- as.logical(cs$intercept)
  rhs <- c(if (!intercept) "0", covs, if (nchar(cs$offset)) sprintf("offset(%s)", cs$offset))
  fml <- as.formula(paste(cs$response, "~", paste(rhs, collapse = " + ")))
  ctrl <- glm.control(epsilon = as.numeric(cs$epsilon), maxit = as.integer(cs$maxit))
  w <- if (nchar(cs$weights)) as.name(cs$weights) else NULL
  if (cs$family == "negbin") {
    stopifnot(cs$link == "log", !nchar(cs$start))
    eval(bquote(glm.nb(.(fml), data = d, weights = .(w), control = .(ctrl), link = log)))
  } else {
    fam <- get(cs$family, mode = "function")(link = cs$link)
    start <- if (nchar(cs$start)) as.numeric(strsplit(cs$start, " ")[[1]]) else NULL
    eval(bquote(glm(.(fml), family = .(fam), data = d, weights = .(w), start = .(start),
                    control = .(ctrl))))
  }
}

## ---- checks: the dummy-coded numeric data reproduce the factor-formula fits -----------
# (all.equal tolerance 1e-10 on coefficients; not written anywhere)
chk <- function(a, b) stopifnot(isTRUE(all.equal(unname(coef(a)), unname(coef(b)), tolerance = 1e-10)))
dd <- datasets_glm
chk(glm(breaks ~ wool + tension, poisson, warpbreaks),
    glm(breaks ~ woolB + tensionM + tensionH, poisson, dd$glm_warpbreaks))
chk(glm.nb(Days ~ Eth + Sex + Age + Lrn, MASS::quine),
    glm.nb(Days ~ EthN + SexM + AgeF1 + AgeF2 + AgeF3 + LrnSL, dd$glm_quine))
ins <- MASS::Insurance
ins$Group <- factor(ins$Group, ordered = FALSE)
ins$Age <- factor(ins$Age, ordered = FALSE)
ins_f <- glm(Claims ~ District + Group + Age + offset(log(Holders)), poisson, ins)
stopifnot(identical(gsub("[^A-Za-z0-9]", "", names(coef(ins_f)))[-1],
                    strsplit(cases$covariates[cases$case == "insurance_poisson"], " ")[[1]]))
chk(ins_f, fit_case(cases[cases$case == "insurance_poisson", ], dd$glm_insurance))
es <- datasets::esoph
for (v in c("agegp", "alcgp", "tobgp")) es[[v]] <- factor(es[[v]], ordered = FALSE)
es_f <- glm(cbind(ncases, ncontrols) ~ agegp + alcgp + tobgp, binomial, es)
es_p <- fit_case(cases[cases$case == "esoph_logit", ], dd$glm_esoph)
chk(es_f, es_p)  # cbind(ncases, ncontrols) form == proportion + weights form:
stopifnot(isTRUE(all.equal(c(deviance(es_f), es_f$null.deviance, es_f$aic),
                           c(deviance(es_p), es_p$null.deviance, es_p$aic), tolerance = 1e-10)),
          isTRUE(all.equal(unname(vcov(es_f)), unname(vcov(es_p)), tolerance = 1e-8)))
chk(glm(low ~ age + lwt + factor(race) + smoke + ptl + ht + ui + ftv, binomial, MASS::birthwt),
    fit_case(cases[cases$case == "birthwt_logit", ], dd$glm_birthwt))

## ---- exact profile-likelihood limits ------------------------------------------
# MASS::confint.glm (profile_lower/profile_upper) profiles each coefficient on a grid of
# at most 2 x 9 points (steps of zmax/5 standard errors) and interpolates the signed root
# with spline() + approx(): its limits are accurate to roughly 1e-4 relative only.
# profile_exact_lower/upper solve the same equation to near machine precision:
#   (D(b_j = b) - D_hat) / phi = qnorm(0.975)^2
# where D(b_j = b) is the deviance minimised over the other (non-aliased) coefficients
# with b_j fixed (glm.fit with offset + x_j * b, control epsilon = 1e-10, maxit = 100),
# D_hat = deviance(fit), phi = summary(fit)$dispersion (1 for poisson/binomial/negbin,
# the Pearson estimate for gaussian -- the statistic MASS profiles and
# confint.profile.glm inverts with qnorm), theta held at its estimate for negbin.
# Continuation: b walks away from b_hat in steps of se / 4 (at most 128 steps = 32 se),
# each constrained fit started (glm.fit start =) from the solved point nearest to it
# (IRLS started far from the solution can diverge); the first step with a positive value
# brackets the root, then uniroot(tol = 1e-12 * max(1, |b_hat|), maxiter = 200).
# NA (and an error row in glm_warnings.csv) when an inner fit fails or does not
# converge, or no bracket is found within 32 se; NA for both limits of every term when
# the fit itself did not converge (separation_logit).
ctrl_profile <- glm.control(epsilon = 1e-10, maxit = 100)
profile_limit <- function(fit, j, sgn, level = 0.95) {
  b <- coef(fit)
  if (is.na(b[j]) || !fit$converged) return(NA_real_)
  X <- model.matrix(fit)
  keep <- !is.na(b) & seq_along(b) != j
  Y <- fit$y
  W <- fit$prior.weights
  O <- if (is.null(fit$offset)) rep(0, length(Y)) else fit$offset
  fam <- family(fit)
  phi <- summary(fit)$dispersion
  dev0 <- deviance(fit)
  crit <- qnorm((1 + level) / 2)^2
  se <- sqrt(diag(vcov(fit)))[[j]]
  bhat <- b[[j]]
  solved_b <- bhat
  solved_start <- list(unname(b[keep]))
  g <- function(bj) {
    start <- solved_start[[which.min(abs(solved_b - bj))]]
    fm <- glm.fit(X[, keep, drop = FALSE], Y, weights = W, offset = O + X[, j] * bj,
                  start = start, family = fam, control = ctrl_profile)
    if (!fm$converged) stop(sprintf("inner fit did not converge at %s = %.6g", names(b)[j], bj))
    solved_b <<- c(solved_b, bj)
    solved_start[[length(solved_start) + 1]] <<- unname(fm$coefficients)
    (fm$deviance - dev0) / phi - crit
  }
  prev <- bhat
  fprev <- -crit
  for (m in 1:128) {
    end <- bhat + sgn * m * se / 4
    v <- g(end)
    if (v > 0) {
      lo_hi <- if (sgn < 0) c(end, prev) else c(prev, end)
      f_lo_hi <- if (sgn < 0) c(v, fprev) else c(fprev, v)
      return(uniroot(g, lo_hi, f.lower = f_lo_hi[1], f.upper = f_lo_hi[2],
                     tol = 1e-12 * max(1, abs(bhat)), maxiter = 200)$root)
    }
    prev <- end
    fprev <- v
  }
  stop("no bracket within 32 standard errors")
}

## ---- per-case outputs -------------------------------------------------------
fit_rows <- list()
for (i in seq_len(nrow(cases))) {
  cs <- cases[i, ]
  d <- datasets_glm[[cs$data]]
  pre <- paste0("glm_", cs$case)
  fit <- attempt(cs$case, "fit", fit_case(cs, d))
  if (is.null(fit)) next
  b <- coef(fit)
  terms <- names(b)
  covs <- strsplit(cs$covariates, " ")[[1]]
  stopifnot(identical(terms, c(if (as.logical(cs$intercept)) "(Intercept)", covs)))
  k <- length(b)
  nonA <- !is.na(b)
  # k x k matrix over all terms; aliased rows/columns NA.
  full <- function(m) {
    r <- matrix(NA_real_, k, k, dimnames = list(terms, terms))
    r[rownames(m), colnames(m)] <- m
    r
  }
  long <- function(m) data.frame(i = rep(seq_len(k), k), j = rep(seq_len(k), each = k),
                                 value = c(m))

  ## coefficients -- anchor: summary(fit)$coefficients (summary.negbin for negbin, which
  ## fixes dispersion = 1). se = sqrt(diag(vcov)); stat = coef / se: "z value" for
  ## poisson/binomial/negbin (p = 2 pnorm(-|z|)), "t value" for gaussian (dispersion
  ## estimated; p = 2 pt(-|t|, df.residual)). Aliased coefficients (NA in coef(fit)) are
  ## absent from summary()$coefficients and written as NA in every column.
  sm <- summary(fit)
  sc <- sm$coefficients
  test <- if (colnames(sc)[3] == "t value") "t" else "z"
  sc_full <- matrix(NA_real_, k, 4, dimnames = list(terms, NULL))
  sc_full[rownames(sc), ] <- sc
  write_csv(data.frame(term = terms, coef = unname(b), se = sc_full[, 2], stat = sc_full[, 3],
                       p = sc_full[, 4]),
            paste0(pre, "_coef.csv"))

  ## variance -- anchor: vcov(fit) = dispersion * (X'WX)^-1 (vcov.glm, complete = TRUE:
  ## NA rows/columns for aliased terms; vcov.negbin for negbin, dispersion 1). Long
  ## format in column-major order; i, j index the terms of _coef.csv (1-based).
  write_csv(long(full(vcov(fit))), paste0(pre, "_var.csv"))

  ## fit statistics -- anchors: deviance(fit), fit$null.deviance (intercept-only model,
  ## with the offset; for intercept = FALSE R's null model is eta = offset, df_null = n),
  ## fit$aic, logLik(fit) and its "df"
  ## attribute (rank, + 1 for gaussian's sigma and negbin's theta), fit$df.residual,
  ## fit$df.null, fit$iter (IRLS iterations; for negbin the IRLS iterations of
  ## glm.nb's LAST inner glm.fit call, usually 1-2 -- glm.nb does not return its
  ## alternation count), fit$converged and fit$boundary (of that last inner call for
  ## negbin), summary(fit)$dispersion (1 for poisson/binomial/negbin; for gaussian
  ## sum(w * r_working^2) / df.residual), fit$rank, nobs(fit) (rows with non-zero
  ## weight), test = z or t (the statistic in _coef.csv). negbin only (else NA): theta =
  ## fit$theta, se_theta = fit$SE.theta (theta.ml's 1 / sqrt(observed information)),
  ## twologlik = fit$twologlik.
  ## glm.nb subtleties (checked when this script was written): the returned fit is its
  ## last inner glm.fit call, made at the theta from the alternation BEFORE the final
  ## theta.ml() update, so deviance, weights, residuals, vcov and the family name use that
  ## previous theta (they differ from the values at fit$theta by ~1e-9 relative at the
  ## default epsilon); fit$null.deviance is that inner call's intercept-only deviance (same
  ## previous theta) when there is no offset, but is refitted at the final fit$theta when
  ## there is an offset (panel_negbin); twologlik and aic use the final theta and the last
  ## fitted mu. quine_negbin_tight makes all of this immaterial (~1e-12).
  ll <- logLik(fit)
  nb <- inherits(fit, "negbin")
  fr <- data.frame(deviance = deviance(fit), null_deviance = fit$null.deviance, aic = fit$aic,
                   loglik = as.numeric(ll), loglik_df = attr(ll, "df"),
                   df_residual = fit$df.residual, df_null = fit$df.null,
                   iterations = fit$iter, converged = fit$converged, boundary = fit$boundary,
                   dispersion = sm$dispersion, rank = fit$rank, nobs = nobs(fit), test = test,
                   theta = if (nb) fit$theta else NA_real_,
                   se_theta = if (nb) fit$SE.theta else NA_real_,
                   twologlik = if (nb) fit$twologlik else NA_real_)
  write_csv(fr, paste0(pre, "_fit.csv"))
  fit_rows[[cs$case]] <- fr
  if (nb && !is.null(fit$th.warn)) note(cs$case, "fit", "th.warn", fit$th.warn)

  ## sandwich variances -- anchors (sandwich 3.0-2):
  ##   HC0: sandwich::vcovHC(fit, type = "HC0")
  ##   HC1: sandwich::vcovHC(fit, type = "HC1")
  ##   CL:  sandwich::vcovCL(fit, cluster = d[[cluster]], type = "HC1", cadjust = TRUE)
  ## (vcovCL's own default for a glm would be type = "HC0"; HC1 + cadjust is Stata's
  ## convention.) With B = summary(fit)$cov.unscaled = (X'WX)^-1 over the non-aliased
  ## columns, W = working weights (prior weights included), and the score rows
  ## u_i = r_i w_i x_i (r = working residual), all of which the script re-derives below:
  ##   HC0 = B (sum_i u_i u_i') B
  ##   HC1 = n / (n - p) * HC0                       n = rows, p = rank
  ##   CL  = G / (G - 1) * (n - 1) / (n - p) * B (sum_g U_g U_g') B,  U_g = sum_{i in g} u_i
  ## The dispersion cancels (gaussian too: the sandwich is not scaled by phi); for negbin
  ## theta is treated as known. Aliased terms: NA rows/columns (as in _var.csv).
  X <- model.matrix(fit)[, nonA, drop = FALSE]
  U <- as.vector(residuals(fit, "working")) * weights(fit, "working") * X
  B <- sm$cov.unscaled
  n <- nrow(X); p <- sum(nonA)
  hc0_hand <- B %*% crossprod(U) %*% B
  rob <- list(HC0 = attempt(cs$case, "vcovHC HC0", vcovHC(fit, type = "HC0")),
              HC1 = attempt(cs$case, "vcovHC HC1", vcovHC(fit, type = "HC1")))
  stopifnot(isTRUE(all.equal(unname(rob$HC0), unname(hc0_hand), tolerance = 1e-10)),
            isTRUE(all.equal(unname(rob$HC1), unname(hc0_hand) * n / (n - p), tolerance = 1e-10)))
  if (nchar(cs$cluster)) {
    cl <- d[[cs$cluster]]
    rob$CL <- attempt(cs$case, "vcovCL", vcovCL(fit, cluster = cl, type = "HC1", cadjust = TRUE))
    G <- length(unique(cl))
    Ug <- rowsum(U, cl)
    cl_hand <- G / (G - 1) * (n - 1) / (n - p) * B %*% crossprod(Ug) %*% B
    stopifnot(isTRUE(all.equal(unname(rob$CL), unname(cl_hand), tolerance = 1e-10)))
  }
  write_csv(do.call(rbind, lapply(names(rob), function(ty)
              cbind(data.frame(type = ty), long(full(rob[[ty]]))))),
            paste0(pre, "_robust.csv"))

  ## predictions for the fitted rows -- anchor: predict(fit, type = "link", se.fit = TRUE)
  ## and predict(fit, type = "response", se.fit = TRUE) without newdata (predict.glm):
  ## link = linear predictor including the offset; link_se = sqrt(phi * x_i' B x_i) with
  ## phi = summary(fit)$dispersion; response = fitted mean (the proportion for binomial);
  ## response_se = |dmu/deta| * link_se (delta method).
  pl <- predict(fit, type = "link", se.fit = TRUE)
  pr <- predict(fit, type = "response", se.fit = TRUE)
  write_csv(data.frame(row = seq_len(nrow(d)), link = unname(pl$fit), link_se = unname(pl$se.fit),
                       response = unname(pr$fit), response_se = unname(pr$se.fit)),
            paste0(pre, "_predict.csv"))

  ## residuals -- anchor: residuals(fit, type) (residuals.glm): deviance =
  ## sign(y - mu) sqrt(d_i) (d_i includes the prior weight), pearson = (y - mu) sqrt(w) /
  ## sqrt(V(mu)), working = (y - mu) / (dmu/deta), response = y - mu. Not scaled by phi.
  write_csv(data.frame(row = seq_len(nrow(d)),
                       deviance = unname(residuals(fit, "deviance")),
                       pearson = unname(residuals(fit, "pearson")),
                       working = unname(residuals(fit, "working")),
                       response = unname(residuals(fit, "response"))),
            paste0(pre, "_resid.csv"))

  ## confidence intervals (95%) --
  ##   lower/upper: confint.default(fit) = coef -/+ qnorm(0.975) * sqrt(diag(vcov(fit)))
  ##     (Wald, normal quantile also for gaussian).
  ##   profile_lower/upper: MASS:::confint.glm(fit, level = 0.95) (profile.glm with
  ##     alpha = 0.0125, maxsteps = 10, del = zmax / 5; spline-interpolated, see above).
  ##     What `confint(fit)` gives in R 4.2.2 (stats:::confint.glm calls MASS's).
  ##   profile_exact_lower/upper: profile_limit() above.
  ## NA for aliased terms, and where the stage errored (see glm_warnings.csv).
  wald <- confint.default(fit)
  prof <- attempt(cs$case, "confint.glm (MASS profile)",
                  suppressMessages(MASS:::confint.glm(fit, level = 0.95)))
  if (is.null(prof)) prof <- matrix(NA_real_, k, 2)
  prof <- matrix(prof, ncol = 2)
  ex <- t(vapply(seq_len(k), function(j) vapply(c(-1, 1), function(sgn) {
    r <- attempt(cs$case, paste("profile_exact", terms[j], if (sgn < 0) "lower" else "upper"),
                 profile_limit(fit, j, sgn))
    if (is.null(r)) NA_real_ else r
  }, numeric(1)), numeric(2)))
  write_csv(data.frame(term = terms, lower = unname(wald[, 1]), upper = unname(wald[, 2]),
                       profile_lower = prof[, 1], profile_upper = prof[, 2],
                       profile_exact_lower = ex[, 1], profile_exact_upper = ex[, 2]),
            paste0(pre, "_confint.csv"))
}

## ---- warnings -----------------------------------------------------------------
# Every condition caught above: case, stage (fit = the glm()/glm.nb() call; the other
# stages name the anchor function), kind (warning, error, or th.warn = glm.nb's
# fit$th.warn, theta.ml's warning text kept on the fit), text (conditionMessage; commas
# -> ";"). Cases absent from the file emitted nothing at that stage. Duplicates within a
# case and stage are dropped (profiling repeats the same warning many times).
conds <- unique(conds)
write_csv(conds, "glm_warnings.csv")

## ---- summary ----------------------------------------------------------------
cat(length(written), "files written to", out, "with R", as.character(getRversion()),
    "MASS", as.character(packageVersion("MASS")),
    "sandwich", as.character(packageVersion("sandwich")), "\n")
for (cs in cases$case) {
  f <- grep(paste0("^glm_", cs, "_[a-z]+[.]csv$"), written, value = TRUE)
  fr <- fit_rows[[cs]]
  cat(sprintf("  %-20s %-45s converged=%s boundary=%s iter=%s\n", cs,
              paste(sub(paste0("^glm_", cs, "_"), "", sub("[.]csv$", "", f)), collapse = " "),
              fr$converged, fr$boundary, fr$iterations))
}
if (nrow(conds)) {
  cat("conditions recorded in glm_warnings.csv:\n")
  cat(sprintf("  %-20s %-40s %-8s %s\n", conds$case, conds$stage, conds$kind, conds$text),
      sep = "")
} else cat("no warnings or errors\n")
