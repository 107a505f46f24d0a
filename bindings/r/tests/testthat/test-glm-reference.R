# Each GLM case of tests/reference/fixtures/glm_cases.csv (written by
# tests/reference/generate_glm.R from stats::glm, MASS::glm.nb and sandwich) against
# glm_fit(), at 1e-8 relative: coefficients, standard errors, tests, variances, fit
# statistics, sandwich variances, predictions and residuals. Then live checks against
# stats::glm (factor(), interactions, cbind(), offset()), MASS::glm.nb and sandwich.

glm_cases <- function() {
  if (is.null(fixture_dir()) ||
      !file.exists(file.path(fixture_dir(), "glm_cases.csv"))) {
    return(data.frame(case = "(fixtures not found)"))
  }
  read_fixture("glm_cases.csv")
}

skip_without_glm_fixtures <- function() {
  skip_without_fixtures()
  if (!file.exists(file.path(fixture_dir(), "glm_cases.csv"))) {
    testthat::skip("GLM fixtures not found (run tests/reference/generate_glm.R)")
  }
}

# The fit a manifest row describes (as generate_glm.R builds it):
# response ~ [0 +] covariates [+ offset(col)], with weights, start and control.
# `robust`: FALSE, "HC0", "HC1" or "CL" (cluster = the case's cluster column).
# Returns list(fit, warnings = the warnings glm_fit() gave).
fit_glm_case <- function(cs, robust = FALSE) {
  d <- read_fixture(paste0("data_", cs$data, ".csv"))
  covs <- strsplit(cs$covariates, " ")[[1]]
  rhs <- c(if (!as.logical(cs$intercept)) "0", covs,
           if (nzchar(cs$offset)) sprintf("offset(%s)", cs$offset))
  f <- stats::as.formula(paste(cs$response, "~", paste(rhs, collapse = " + ")))
  wts <- if (nzchar(cs$weights)) d[[cs$weights]] else NULL
  start <- if (nzchar(cs$start)) as.numeric(strsplit(cs$start, " ")[[1]]) else NULL
  ctrl <- list(epsilon = as.numeric(cs$epsilon), maxit = as.numeric(cs$maxit))
  cl <- if (identical(robust, "CL")) d[[cs$cluster]] else NULL
  warns <- character(0)
  fit <- withCallingHandlers(
    glm_fit(f, data = d, family = cs$family, link = cs$link, weights = wts, start = start,
            control = ctrl, robust = if (robust %in% c("HC0", "HC1")) robust else FALSE,
            cluster = cl),
    warning = function(w) {
      warns <<- c(warns, conditionMessage(w))
      invokeRestart("muffleWarning")
    })
  list(fit = fit, warnings = warns)
}

for (i in seq_len(nrow(glm_cases()))) local({
  cs <- glm_cases()[i, , drop = FALSE]
  pre <- paste0("glm_", cs$case)

  test_that(paste("glm coefficients, variances and fit statistics match R:", cs$case), {
    skip_without_glm_fixtures()
    res <- fit_glm_case(cs)
    fit <- res$fit
    expect_s3_class(fit, "hrr_glm")
    # the warnings R gave when fitting (glm_warnings.csv, stage "fit"; "," written ";")
    wr <- read_fixture("glm_warnings.csv")
    want <- wr$text[wr$case == cs$case & wr$stage == "fit" & wr$kind == "warning"]
    expect_setequal(gsub(",", ";", res$warnings), want)

    co <- read_fixture(paste0(pre, "_coef.csv"))
    expect_identical(names(coef(fit)), co$term)
    expect_close(coef(fit), co$coef, paste(cs$case, "coef"))
    expect_close(fit$se, co$se, paste(cs$case, "se"))
    tab <- as.data.frame(fit)
    expect_identical(tab$term, co$term)
    expect_close(tab[[fit$test]], co$stat, paste(cs$case, "stat"))
    expect_close(tab$p, co$p, paste(cs$case, "p"))
    sm <- summary(fit)$coefficients
    expect_close(sm[, 3L], co$stat, paste(cs$case, "summary stat"))
    expect_close(sm[, 4L], co$p, paste(cs$case, "summary p"))
    expect_close(vcov(fit), wide(read_fixture(paste0(pre, "_var.csv"))), paste(cs$case, "var"))
    expect_null(fit$naive_var)

    st <- read_fixture(paste0(pre, "_fit.csv"))
    expect_close(fit$deviance, st$deviance, paste(cs$case, "deviance"))
    expect_close(fit$null.deviance, st$null_deviance, paste(cs$case, "null deviance"))
    expect_close(fit$aic, st$aic, paste(cs$case, "aic"))
    expect_close(AIC(fit), st$aic, paste(cs$case, "AIC()"))
    ll <- logLik(fit)
    expect_close(ll, st$loglik, paste(cs$case, "logLik"))
    expect_identical(attr(ll, "df"), as.integer(st$loglik_df))
    expect_identical(fit$df.residual, as.integer(st$df_residual))
    expect_identical(fit$df.null, as.integer(st$df_null))
    expect_identical(fit$iter, as.integer(st$iterations))
    expect_identical(fit$converged, as.logical(st$converged))
    expect_identical(fit$boundary, as.logical(st$boundary))
    expect_close(fit$dispersion, st$dispersion, paste(cs$case, "dispersion"))
    expect_identical(fit$rank, as.integer(st$rank))
    expect_identical(nobs(fit), as.integer(st$nobs))
    expect_identical(fit$test, st$test)
    expect_identical(colnames(sm)[3L], paste(st$test, "value"))
    if (cs$family == "negbin") {
      expect_close(fit$theta, st$theta, paste(cs$case, "theta"))
      expect_close(fit$SE.theta, st$se_theta, paste(cs$case, "se theta"))
      expect_close(fit$twologlik, st$twologlik, paste(cs$case, "twologlik"))
    } else {
      expect_null(fit$theta)
    }
  })

  test_that(paste("glm sandwich variances match sandwich:", cs$case), {
    skip_without_glm_fixtures()
    ref <- read_fixture(paste0(pre, "_robust.csv"))
    types <- unique(ref$type)
    expect_true(all(c("HC0", "HC1") %in% types))
    expect_identical("CL" %in% types, nzchar(cs$cluster))
    naive <- fit_glm_case(cs)$fit
    for (ty in types) {
      fit <- fit_glm_case(cs, robust = ty)$fit
      expect_identical(fit$robust, ty)
      want <- wide(ref[ref$type == ty, ])
      expect_close(vcov(fit), want, paste(cs$case, ty))
      expect_close(fit$se, sqrt(diag(want)), paste(cs$case, ty, "se"))
      expect_identical(fit$naive_var, vcov(naive))
      expect_identical(coef(fit), coef(naive))
      z <- coef(fit) / sqrt(diag(want))
      expect_close(fit$statistic, z, paste(cs$case, ty, "stat"))
    }
  })

  test_that(paste("glm predictions and residuals match R:", cs$case), {
    skip_without_glm_fixtures()
    fit <- fit_glm_case(cs)$fit
    pr <- read_fixture(paste0(pre, "_predict.csv"))
    pl <- predict(fit, type = "link", se.fit = TRUE)
    pp <- predict(fit, type = "response", se.fit = TRUE)
    expect_close(pl$fit, pr$link, paste(cs$case, "link"))
    expect_close(pl$se.fit, pr$link_se, paste(cs$case, "link se"))
    expect_close(pp$fit, pr$response, paste(cs$case, "response"))
    expect_close(pp$se.fit, pr$response_se, paste(cs$case, "response se"))
    expect_close(predict(fit), pr$link, paste(cs$case, "linear predictors"))
    expect_close(predict(fit, type = "response"), pr$response, paste(cs$case, "fitted"))
    # newdata = the fitted data gives the fitted rows again
    d <- read_fixture(paste0("data_", cs$data, ".csv"))
    pn <- predict(fit, newdata = d, type = "response", se.fit = TRUE)
    expect_close(pn$fit, pr$response, paste(cs$case, "response (newdata)"))
    expect_close(pn$se.fit, pr$response_se, paste(cs$case, "response se (newdata)"))
    rs <- read_fixture(paste0(pre, "_resid.csv"))
    for (ty in c("deviance", "pearson", "working", "response")) {
      expect_close_floor(residuals(fit, type = ty), rs[[ty]], paste(cs$case, ty, "residuals"))
    }
    expect_identical(residuals(fit), residuals(fit, "deviance"))
  })
})

# ---- live checks against stats::glm, MASS::glm.nb and sandwich ------------------------

# Everything glm() reports, compared at 1e-8 relative.
expect_like_glm <- function(fit, ref, what, newdata = NULL) {
  expect_s3_class(fit, "hrr_glm")
  expect_identical(names(coef(fit)), names(coef(ref)))
  expect_close(coef(fit), coef(ref), paste(what, "coef"))
  expect_close(vcov(fit), vcov(ref), paste(what, "vcov"))
  sr <- summary(ref)$coefficients
  sf <- summary(fit)$coefficients
  ok <- !is.na(coef(ref))
  expect_identical(colnames(sf), colnames(sr))
  expect_close(sf[ok, , drop = FALSE], sr, paste(what, "summary table"))
  expect_close(fit$deviance, deviance(ref), paste(what, "deviance"))
  expect_close(fit$null.deviance, ref$null.deviance, paste(what, "null deviance"))
  expect_close(AIC(fit), AIC(ref), paste(what, "AIC"))
  expect_close(logLik(fit), logLik(ref), paste(what, "logLik"))
  expect_identical(attr(logLik(fit), "df"), as.integer(attr(logLik(ref), "df")))
  expect_identical(nobs(fit), nobs(ref))
  expect_identical(fit$df.residual, ref$df.residual)
  expect_identical(fit$df.null, ref$df.null)
  expect_identical(fit$iter, ref$iter)
  expect_close(fitted(fit), fitted(ref), paste(what, "fitted"))
  expect_identical(names(fitted(fit)), names(fitted(ref)))
  expect_close(confint(fit), stats::confint.default(ref), paste(what, "confint"))
  for (ty in c("deviance", "pearson", "working", "response")) {
    expect_close_floor(residuals(fit, ty), residuals(ref, ty), paste(what, ty))
  }
  for (ty in c("link", "response")) {
    p1 <- predict(fit, newdata, type = ty, se.fit = TRUE)
    p2 <- predict(ref, newdata, type = ty, se.fit = TRUE)
    expect_close(p1$fit, p2$fit, paste(what, ty, "prediction"))
    expect_close(p1$se.fit, p2$se.fit, paste(what, ty, "prediction se"))
    expect_close(p1$residual.scale, p2$residual.scale, paste(what, "residual scale"))
    expect_close(predict(fit, newdata, type = ty), predict(ref, newdata, type = ty),
                 paste(what, ty, "prediction without se"))
  }
}

test_that("poisson_glm with factors and an interaction matches glm (warpbreaks)", {
  f <- breaks ~ wool * tension
  nd <- data.frame(wool = c("B", "A", "B"), tension = c("H", "L", "M"))
  expect_like_glm(poisson_glm(f, data = warpbreaks),
                  glm(f, family = poisson, data = warpbreaks), "warpbreaks", nd)
  # factor() of a numeric code, log() of a covariate, no intercept
  d <- warpbreaks
  d$tcode <- as.integer(d$tension)
  d$x <- seq_len(nrow(d)) / 10
  f2 <- breaks ~ factor(tcode) + wool + log(x) - 1
  expect_like_glm(poisson_glm(f2, data = d), glm(f2, family = poisson, data = d),
                  "warpbreaks factor()", data.frame(tcode = c(3, 1), wool = "A", x = c(1, 2)))
  f3 <- breaks ~ 0 + wool:tension
  fit3 <- poisson_glm(f3, data = warpbreaks)
  expect_false(fit3$intercept)
  expect_like_glm(fit3, glm(f3, family = poisson, data = warpbreaks), "warpbreaks + 0")
  # the family as glm_fit() argument, a string or a stats family
  expect_identical(coef(glm_fit(f, data = warpbreaks, family = "poisson")),
                   coef(glm_fit(f, data = warpbreaks, family = poisson)))
  expect_identical(coef(glm_fit(f, data = warpbreaks, family = poisson(link = "log"))),
                   coef(poisson_glm(f, data = warpbreaks)))
})

test_that("logistic_glm with cbind(), ordered factors and links matches glm (esoph)", {
  f <- cbind(ncases, ncontrols) ~ agegp + tobgp * alcgp
  expect_like_glm(logistic_glm(f, data = esoph),
                  suppressWarnings(glm(f, family = binomial, data = esoph)), "esoph",
                  esoph[c(5, 40, 77), ])
  f2 <- cbind(ncases, ncontrols) ~ unclass(agegp) + alcgp
  expect_like_glm(logistic_glm(f2, data = esoph, link = "probit"),
                  glm(f2, family = binomial(link = "probit"), data = esoph), "esoph probit")
  expect_like_glm(glm_fit(f2, data = esoph, family = binomial(link = "cloglog")),
                  glm(f2, family = binomial(link = "cloglog"), data = esoph), "esoph cloglog")
  # a proportion with weights = trials is the same model as cbind()
  d <- esoph
  d$prop <- d$ncases / (d$ncases + d$ncontrols)
  d$n <- d$ncases + d$ncontrols
  a <- logistic_glm(prop ~ agegp + alcgp, data = d, weights = n)
  b <- logistic_glm(cbind(ncases, ncontrols) ~ agegp + alcgp, data = d)
  expect_close(coef(a), coef(b), "proportion vs cbind coef")
  expect_close(vcov(a), vcov(b), "proportion vs cbind vcov")
  expect_close(a$deviance, b$deviance, "proportion vs cbind deviance")
  # logical and factor 0/1 responses
  d2 <- data.frame(y = c(TRUE, FALSE, TRUE, TRUE, FALSE, FALSE, TRUE, FALSE, TRUE, TRUE),
                   x = c(1.2, 0.4, 2.2, 1.9, 0.3, 1.1, 0.8, 0.5, 1.6, 0.9))
  ref <- glm(y ~ x, family = binomial, data = d2)
  expect_like_glm(logistic_glm(y ~ x, data = d2), ref, "logical y")
  d2$yf <- factor(ifelse(d2$y, "case", "control"), levels = c("control", "case"))
  expect_close(coef(logistic_glm(yf ~ x, data = d2)), coef(ref), "factor y")
})

test_that("offset() in the formula and the offset argument match glm", {
  set.seed(11)
  d <- data.frame(grp = factor(rep(c("a", "b", "c"), each = 8)), x = rnorm(24),
                  pyrs = runif(24, 50, 500))
  d$y <- rpois(24, d$pyrs / 100 * exp(0.3 * d$x + (d$grp == "b") * 0.5))
  ref <- glm(y ~ grp + x + offset(log(pyrs)), family = poisson, data = d)
  nd <- data.frame(grp = c("c", "a"), x = c(0.5, -1), pyrs = c(100, 1000))
  expect_like_glm(poisson_glm(y ~ grp + x + offset(log(pyrs)), data = d), ref, "offset()", nd)
  expect_like_glm(poisson_glm(y ~ grp + x, data = d, offset = log(pyrs)), ref,
                  "offset argument", nd)
  # an offset vector cannot follow newdata
  fv <- poisson_glm(y ~ grp + x, data = d, offset = log(d$pyrs))
  expect_close(coef(fv), coef(ref), "offset vector")
  expect_error(predict(fv, nd), "offset")
  # the intercept-and-offset null deviance is a refit (as glm)
  expect_close(fv$null.deviance, ref$null.deviance, "null deviance with offset")
})

test_that("gaussian glm_fit with weights matches glm (t tests, dispersion)", {
  d <- mtcars
  d$w <- seq(0.5, 2, length.out = nrow(d))
  f <- mpg ~ wt + factor(cyl) + hp
  fit <- glm_fit(f, data = d, weights = w)
  ref <- glm(f, data = d, weights = w)
  expect_like_glm(fit, ref, "mtcars", d[1:4, ])
  expect_close(fit$dispersion, summary(ref)$dispersion, "dispersion")
  expect_identical(fit$test, "t")
  expect_close(confint(fit, "wt", level = 0.9), stats::confint.default(ref, "wt", level = 0.9),
               "confint one parm")
})

test_that("aliased columns are NA as in glm", {
  d <- warpbreaks
  d$woolA <- as.numeric(d$wool == "A")
  f <- breaks ~ wool + tension + woolA
  fit <- poisson_glm(f, data = d)
  ref <- glm(f, family = poisson, data = d)
  expect_true(is.na(coef(fit)[["woolA"]]))
  expect_identical(fit$aliased, is.na(coef(ref)))
  expect_true(all(is.na(vcov(fit)["woolA", ])))
  expect_like_glm(fit, ref, "aliased")
  expect_output(print(summary(fit)), "1 not defined because of singularities")
})

test_that("negbin_glm matches MASS::glm.nb (quine)", {
  skip_if_not_installed("MASS")
  q <- MASS::quine
  f <- Days ~ Eth + Sex + Age + Lrn
  fit <- negbin_glm(f, data = q)
  ref <- MASS::glm.nb(f, data = q)
  expect_close(fit$theta, ref$theta, "theta")
  expect_close(fit$SE.theta, ref$SE.theta, "SE theta")
  expect_close(fit$twologlik, ref$twologlik, "twologlik")
  expect_like_glm(fit, ref, "quine", q[c(1, 50, 146), ])
  expect_output(print(fit), "Theta")
  expect_output(print(summary(fit)), "Negative Binomial\\(1.2749\\)")
  # with theta known: glm() with MASS::negative.binomial(theta)
  fk <- negbin_glm(f, data = q, theta = 1.5)
  rk <- glm(f, family = MASS::negative.binomial(1.5), data = q)
  expect_close(coef(fk), coef(rk), "known theta coef")
  expect_close(vcov(fk), vcov(rk) / summary(rk)$dispersion, "known theta vcov")
  expect_close(fk$deviance, deviance(rk), "known theta deviance")
  expect_close(AIC(fk), AIC(rk), "known theta AIC")
  expect_null(fk$SE.theta)
})

test_that("robust and cluster-robust variances match sandwich", {
  skip_if_not_installed("sandwich")
  f <- breaks ~ wool + tension
  ref <- glm(f, family = poisson, data = warpbreaks)
  h1 <- poisson_glm(f, data = warpbreaks, robust = TRUE)
  expect_identical(h1$robust, "HC1")
  expect_close(vcov(h1), sandwich::vcovHC(ref, type = "HC1"), "HC1")
  expect_close(h1$naive_var, vcov(ref), "naive var")
  expect_close(h1$naive_se, sqrt(diag(vcov(ref))), "naive se")
  h0 <- poisson_glm(f, data = warpbreaks, robust = "HC0")
  expect_close(vcov(h0), sandwich::vcovHC(ref, type = "HC0"), "HC0")
  expect_close(confint(h0), coef(ref) + sqrt(diag(sandwich::vcovHC(ref, type = "HC0"))) %o%
                 stats::qnorm(c(0.025, 0.975)), "robust confint")
  d <- warpbreaks
  d$id <- rep(1:18, each = 3)
  cl <- poisson_glm(f, data = d, cluster = id)
  want <- sandwich::vcovCL(ref, cluster = d$id, type = "HC1", cadjust = TRUE)
  expect_identical(cl$robust, "CL")
  expect_identical(cl$n_cluster, 18L)
  expect_close(vcov(cl), want, "CL")
  expect_close(vcov(poisson_glm(f, data = d, cluster = d$id, robust = TRUE)), want, "CL vector")
  expect_close(vcov(poisson_glm(f, data = d, cluster = "id")), want, "CL quoted")
  expect_output(print(summary(cl)), "cluster-robust \\(HC1, 18 clusters\\)")
  expect_output(print(h1), "robust \\(HC1\\)")
  lg <- logistic_glm(cbind(ncases, ncontrols) ~ agegp + alcgp, data = esoph, robust = TRUE)
  rl <- glm(cbind(ncases, ncontrols) ~ agegp + alcgp, family = binomial, data = esoph)
  expect_close(vcov(lg), sandwich::vcovHC(rl, type = "HC1"), "HC1 cbind binomial")
})

test_that("na_action = \"drop\" drops rows as glm(na.action = na.omit)", {
  d <- warpbreaks
  d$x <- seq_len(nrow(d)) / 7
  d$x[c(4, 20)] <- NA
  d$breaks[9] <- NA
  fit <- poisson_glm(breaks ~ wool + x, data = d, na_action = "drop")
  ref <- glm(breaks ~ wool + x, family = poisson, data = d)
  expect_identical(fit$n_dropped, 3L)
  expect_like_glm(fit, ref, "na drop")
  expect_output(print(fit), "3 observations deleted due to missingness")
})

test_that("glm methods: print, summary, as.data.frame, saveRDS/readRDS", {
  fit <- poisson_glm(breaks ~ wool + tension, data = warpbreaks)
  expect_output(print(fit), "Degrees of Freedom: 53 Total")
  expect_output(print(fit), "Residual Deviance")
  expect_output(print(summary(fit)), "Dispersion parameter for poisson family taken to be 1")
  expect_output(print(summary(fit)), "Number of Fisher Scoring iterations: 4")
  expect_output(print(summary(glm_fit(mpg ~ wt, data = mtcars))), "t value")
  df <- as.data.frame(fit)
  expect_identical(names(df), c("term", "coef", "exp_coef", "se", "z", "p", "exp_lower",
                                "exp_upper", "lower", "upper"))
  expect_identical(df$term, names(coef(fit)))
  f <- tempfile(fileext = ".rds")
  on.exit(unlink(f), add = TRUE)
  saveRDS(fit, f)
  back <- readRDS(f)
  for (ty in c("deviance", "pearson", "working", "response")) {
    expect_identical(residuals(back, ty), residuals(fit, ty))
  }
  expect_identical(predict(back, type = "response", se.fit = TRUE),
                   predict(fit, type = "response", se.fit = TRUE))
  nd <- data.frame(wool = "A", tension = c("M", "H"))
  expect_identical(predict(back, nd, se.fit = TRUE), predict(fit, nd, se.fit = TRUE))
  d <- warpbreaks
  d$id <- rep(1:9, 6)
  cl <- poisson_glm(breaks ~ wool, data = d, cluster = id)
  saveRDS(cl, f)
  expect_identical(residuals(readRDS(f)), residuals(cl))
  # newdata with missing values predicts NA for those rows
  nd$tension[2] <- NA
  expect_identical(is.na(predict(fit, nd)), c(`1` = FALSE, `2` = TRUE))
})

test_that("separation gives R's warnings and the fit still returns", {
  d <- data.frame(y = rep(0:1, each = 5), x = 1:10)
  expect_warning(
    expect_warning(fit <- logistic_glm(y ~ x, data = d),
                   "fitted probabilities numerically 0 or 1 occurred", fixed = TRUE),
    "glm.fit: algorithm did not converge", fixed = TRUE)
  expect_false(fit$converged)
  expect_identical(fit$warnings, c("glm.fit: algorithm did not converge",
                                   "glm.fit: fitted probabilities numerically 0 or 1 occurred"))
})
