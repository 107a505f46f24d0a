# Each Cox case of tests/reference/fixtures/cox_cases.csv (written by
# tests/reference/generate_cox.R from survival::coxph) against cox_ph(), at 1e-8
# relative: coefficients, variances, tests, residuals, predictions, baseline hazard.

cox_cases <- function() {
  if (is.null(fixture_dir()) ||
      !file.exists(file.path(fixture_dir(), "cox_cases.csv"))) {
    return(data.frame(case = "(fixtures not found)"))
  }
  read_fixture("cox_cases.csv")
}

# The formula and fit a manifest row describes (as generate_cox.R builds them).
fit_cox_case <- function(cs) {
  d <- read_fixture(paste0("data_", cs$data, ".csv"))
  rhs <- strsplit(cs$covariates, " ")[[1]]
  if (nzchar(cs$strata)) rhs <- c(rhs, sprintf("strata(%s)", cs$strata))
  if (nzchar(cs$cluster)) rhs <- c(rhs, sprintf("cluster(%s)", cs$cluster))
  if (nzchar(cs$offset)) rhs <- c(rhs, sprintf("offset(%s)", cs$offset))
  lhs <- if (nzchar(cs$entry)) sprintf("Surv(%s, %s, %s)", cs$entry, cs$time, cs$status) else
    sprintf("Surv(%s, %s)", cs$time, cs$status)
  f <- stats::as.formula(paste(lhs, "~", paste(rhs, collapse = " + ")))
  wts <- if (nzchar(cs$weights)) d[[cs$weights]] else NULL
  fit <- cox_ph(f, data = d, weights = wts, ties = cs$ties, robust = as.logical(cs$robust))
  list(fit = fit, data = d)
}

skip_without_cox_fixtures <- function() {
  skip_without_fixtures()
  if (!file.exists(file.path(fixture_dir(), "cox_cases.csv"))) {
    testthat::skip("Cox fixtures not found (run tests/reference/generate_cox.R)")
  }
}

for (i in seq_len(nrow(cox_cases()))) local({
  cs <- cox_cases()[i, , drop = FALSE]
  pre <- paste0("cox_", cs$case)

  test_that(paste("cox coefficients, variances and tests match coxph:", cs$case), {
    skip_without_cox_fixtures()
    fit <- fit_cox_case(cs)$fit
    expect_s3_class(fit, "hrr_coxph")
    co <- read_fixture(paste0(pre, "_coef.csv"))
    expect_identical(names(coef(fit)), co$term)
    expect_close(coef(fit), co$coef, paste(cs$case, "coef"))
    expect_close(fit$se, co$se, paste(cs$case, "se"))
    expect_close(fit$naive_se, co$naive_se, paste(cs$case, "naive se"))
    tab <- as.data.frame(fit)
    expect_close(tab$z, co$z, paste(cs$case, "z"))
    expect_close(tab$p, co$p, paste(cs$case, "p"))
    expect_close(vcov(fit), wide(read_fixture(paste0(pre, "_var.csv"))), paste(cs$case, "var"))
    if (as.logical(cs$robust)) {
      expect_true(fit$robust)
      expect_close(fit$naive_var, wide(read_fixture(paste0(pre, "_naive_var.csv"))),
                   paste(cs$case, "naive var"))
    } else {
      expect_null(fit$naive_var)
    }

    st <- read_fixture(paste0(pre, "_fit.csv"))
    expect_close(fit$loglik, c(st$loglik_null, st$loglik), paste(cs$case, "loglik"))
    expect_close(logLik(fit), st$loglik, paste(cs$case, "logLik"))
    expect_close(fit$score_test, c(st$score, st$df, st$score_p), paste(cs$case, "score test"))
    expect_close(fit$wald_test, c(st$wald, st$df, st$wald_p), paste(cs$case, "wald test"))
    expect_close(fit$lr_test, c(st$lr, st$df, st$lr_p), paste(cs$case, "lr test"))
    if (is.na(st$rscore)) {
      expect_null(fit$robust_score_test)
    } else {
      expect_close(fit$robust_score_test, c(st$rscore, st$df, st$rscore_p),
                   paste(cs$case, "robust score test"))
    }
    expect_identical(fit$iter, as.integer(st$iterations))
    expect_identical(fit$n, as.integer(st$n))
    expect_identical(fit$nevent, as.integer(st$nevent))
    expect_identical(nobs(fit), as.integer(st$nevent))
  })

  test_that(paste("cox residuals and predictions match coxph:", cs$case), {
    skip_without_cox_fixtures()
    fit <- fit_cox_case(cs)$fit
    rs <- read_fixture(paste0(pre, "_resid.csv"))
    expect_close(residuals(fit), rs$martingale, paste(cs$case, "martingale"))
    expect_close(residuals(fit, type = "deviance"), rs$deviance, paste(cs$case, "deviance"))
    pr <- read_fixture(paste0(pre, "_predict.csv"))
    expect_close(predict(fit), pr$lp_sample, paste(cs$case, "lp"))
    expect_close(predict(fit, type = "risk"), exp(pr$lp_sample), paste(cs$case, "risk"))
    expect_close(predict(fit, type = "expected"), pr$expected, paste(cs$case, "expected"))
    if (!nzchar(cs$strata)) {
      expect_close(predict(fit, type = "risk"), pr$risk, paste(cs$case, "risk (reference)"))
    }
  })

  test_that(paste("cox baseline hazard matches basehaz:", cs$case), {
    skip_without_cox_fixtures()
    fit <- fit_cox_case(cs)$fit
    ref <- read_fixture(paste0(pre, "_basehaz.csv"))
    b0 <- baseline_hazard(fit)
    b1 <- baseline_hazard(fit, centered = TRUE)
    expect_identical(names(b0), c("strata", "time", "cumulative_hazard"))
    expect_identical(as.integer(b0$strata), as.integer(ref$strata))
    expect_close(b0$time, ref$time, paste(cs$case, "basehaz time"))
    expect_close(b0$cumulative_hazard, ref$hazard, paste(cs$case, "basehaz"))
    expect_close(b1$cumulative_hazard, ref$hazard_centered, paste(cs$case, "basehaz centered"))
  })
})

# Score, dfbeta, dfbetas, Schoenfeld and scaled Schoenfeld residuals and cox.zph()
# against cox_<case>_resid_matrix.csv and cox_<case>_zph.csv
# (expect_close_floor() and wide() are in helper-fixtures.R).

# Long type/row/term/value rows of one residual type -> matrix (rows x terms).
resid_wide <- function(long, terms) {
  m <- matrix(NA_real_, max(long$row), length(terms), dimnames = list(NULL, terms))
  m[cbind(long$row, match(long$term, terms))] <- long$value
  m
}

for (i in seq_len(nrow(cox_cases()))) local({
  cs <- cox_cases()[i, , drop = FALSE]
  pre <- paste0("cox_", cs$case)

  test_that(paste("cox score, dfbeta, Schoenfeld residuals match coxph:", cs$case), {
    skip_without_cox_fixtures()
    fit <- fit_cox_case(cs)$fit
    ref <- read_fixture(paste0(pre, "_resid_matrix.csv"))
    terms <- names(coef(fit))
    for (ty in c("score", "dfbeta", "dfbetas", "schoenfeld", "scaledsch")) {
      long <- ref[ref$type == ty, ]
      expect_true(nrow(long) > 0L, label = paste(cs$case, ty, "in the fixture"))
      want <- resid_wide(long, terms)
      got <- residuals(fit, type = ty)
      expect_true(is.matrix(got))
      expect_identical(colnames(got), terms)
      expect_identical(dim(got), dim(want))
      expect_close_floor(got, want, paste(cs$case, ty))
      if (ty %in% c("schoenfeld", "scaledsch")) {
        ev <- long[long$term == terms[1L], ]
        ev <- ev[order(ev$row), ]
        expect_close(as.numeric(rownames(got)), ev$time, paste(cs$case, ty, "event times"))
        # the event rows, in residuals.coxph's order (stratum, time, data row)
        s <- hrrstats:::hrr_fit_call(hrrstats:::cox_ptr(fit), "residuals", list(type = ty))
        expect_identical(s$row, as.integer(ev$obs))
        if (nzchar(cs$strata)) {
          expect_identical(s$strata, as.integer(ev$strata))
          expect_identical(as.vector(attr(got, "strata")), as.vector(table(ev$strata)))
        } else {
          expect_null(attr(got, "strata"))
        }
      } else {
        expect_identical(rownames(got), as.character(seq_len(nrow(got))))
      }
    }
  })

  test_that(paste("cox_zph matches cox.zph for km, rank, identity:", cs$case), {
    skip_without_cox_fixtures()
    fit <- fit_cox_case(cs)$fit
    ref <- read_fixture(paste0(pre, "_zph.csv"))
    for (tr in c("km", "rank", "identity")) {
      r <- ref[ref$transform == tr, ]
      expect_true(nrow(r) > 0L, label = paste(cs$case, tr, "in the fixture"))
      z <- cox_zph(fit, transform = tr)
      expect_s3_class(z, "hrr_coxzph")
      expect_identical(rownames(z$table), r$term)
      expect_identical(colnames(z$table), c("chisq", "df", "p"))
      expect_close(z$table[, "chisq"], r$chisq, paste(cs$case, tr, "zph chisq"))
      expect_close(z$table[, "df"], r$df, paste(cs$case, tr, "zph df"))
      expect_close(z$table[, "p"], r$p, paste(cs$case, tr, "zph p"))
    }
  })
})

test_that("cox_zph groups a factor's dummies into one term as cox.zph (veteran)", {
  v <- survival::veteran
  f <- Surv(time, status) ~ factor(celltype) + karno
  ref <- survival::coxph(f, data = v)
  fit <- cox_ph(f, data = v)
  for (tr in c("km", "rank", "identity", "log")) {
    z <- cox_zph(fit, transform = tr)
    rz <- survival::cox.zph(ref, transform = tr)
    expect_identical(dimnames(z$table), dimnames(rz$table))
    expect_close(z$table, rz$table, paste("veteran zph", tr))
  }
  expect_identical(unname(cox_zph(fit)$table["factor(celltype)", "df"]), 3)
  # one test per column, and without the global test
  z <- cox_zph(fit, terms = FALSE, global = FALSE)
  rz <- survival::cox.zph(ref, terms = FALSE, global = FALSE)
  expect_identical(dimnames(z$table), dimnames(rz$table))
  expect_close(z$table, rz$table, "veteran zph per column")
  expect_output(print(cox_zph(fit)), "GLOBAL")
  expect_error(cox_zph(fit, transform = "squared"), "transform")
  expect_error(cox_zph(list()), "cox_ph\\(\\) fit")
})

test_that("cox residuals: collapse, weighted, one covariate, after saveRDS/readRDS", {
  d <- survival::lung
  d$status <- d$status - 1
  d <- d[stats::complete.cases(d[, c("age", "ph.ecog", "inst")]), ]
  f <- Surv(time, status) ~ age + ph.ecog + strata(sex)
  ref <- survival::coxph(f, data = d)
  fit <- cox_ph(f, data = d)
  for (ty in c("score", "dfbeta", "dfbetas")) {
    expect_close(residuals(fit, ty, collapse = d$inst),
                 residuals(ref, ty, collapse = d$inst), paste("collapse", ty))
    expect_identical(rownames(residuals(fit, ty, collapse = d$inst)),
                     rownames(residuals(ref, ty, collapse = d$inst)))
  }
  expect_close(residuals(fit, "martingale", collapse = d$inst),
               residuals(ref, "martingale", collapse = d$inst), "collapse martingale")
  expect_close(residuals(fit, "dfbeta", weighted = FALSE),
               residuals(ref, "dfbeta", weighted = FALSE), "dfbeta unweighted")
  expect_identical(attr(residuals(fit, "schoenfeld"), "strata"),
                   attr(residuals(ref, "schoenfeld"), "strata"))
  expect_identical(rownames(residuals(fit, "schoenfeld")),
                   rownames(residuals(ref, "schoenfeld")))
  expect_error(residuals(fit, "score", collapse = 1:3), "collapse")
  expect_error(residuals(fit, "schoenfeld", collapse = d$inst), "collapse")
  expect_error(residuals(fit, "score", weighted = TRUE), "weighted")

  # one covariate: vectors, as residuals.coxph
  f1 <- Surv(time, status) ~ age
  fit1 <- cox_ph(f1, data = d)
  ref1 <- survival::coxph(f1, data = d)
  for (ty in c("score", "dfbeta", "dfbetas", "schoenfeld", "scaledsch")) {
    got <- residuals(fit1, ty)
    want <- residuals(ref1, ty)
    expect_false(is.matrix(got))
    expect_identical(names(got), names(want))
    expect_close(got, want, paste("one covariate", ty))
  }

  # R does not save external pointers: the core refits from the stored inputs.
  path <- tempfile(fileext = ".rds")
  on.exit(unlink(path))
  saveRDS(fit, path)
  back <- readRDS(path)
  for (ty in c("score", "dfbetas", "scaledsch")) {
    expect_identical(residuals(back, ty), residuals(fit, ty))
  }
  expect_identical(cox_zph(back)$table, cox_zph(fit)$table)
})

test_that("cox predict(newdata) reproduces the fitted linear predictors", {
  skip_without_cox_fixtures()
  cs <- cox_cases()
  for (case in c("lung", "veteran_strata", "heart_cluster")) {
    x <- fit_cox_case(cs[cs$case == case, ])
    lp <- predict(x$fit, newdata = x$data)
    expect_close(lp, predict(x$fit), paste(case, "lp from newdata"))
    expect_close(predict(x$fit, newdata = x$data, type = "risk"), exp(lp),
                 paste(case, "risk from newdata"))
  }
})

# ---- formula handling against survival::coxph on survival::lung ------------------------

lung01 <- function() {
  d <- survival::lung
  d$status <- d$status - 1
  d
}

test_that("factor(), an interaction and a transformation give coxph's coefficients", {
  d <- lung01()
  f <- Surv(time, status) ~ age + factor(ph.ecog) + age:sex + log(meal.cal)
  ref <- survival::coxph(f, data = d)
  fit <- cox_ph(f, data = d, na_action = "drop")
  expect_identical(names(coef(fit)), names(coef(ref)))
  expect_close(coef(fit), coef(ref), "coef")
  expect_close(vcov(fit), ref$var, "var")
  expect_close(fit$loglik, ref$loglik, "loglik")
  expect_identical(fit$n, ref$n)
  expect_identical(fit$n_dropped, 48L)
  # new data through the model's terms and factor levels
  nd <- d[c(1, 3, 5, 12), ]
  expect_close(predict(fit, newdata = nd),
               predict(ref, newdata = nd, reference = "sample"), "predict newdata")
  expect_close(predict(fit, newdata = nd, type = "risk"),
               predict(ref, newdata = nd, type = "risk", reference = "sample"), "risk newdata")
})

test_that("strata(), cluster() and weights in a formula give coxph's fit", {
  d <- lung01()
  d <- d[stats::complete.cases(d[, c("age", "ph.ecog", "inst", "wt.loss")]), ]
  d$w <- seq(0.5, 2, length.out = nrow(d))
  f <- Surv(time, status) ~ age + wt.loss + strata(sex) + cluster(inst)
  ref <- survival::coxph(f, data = d, weights = w)
  fit <- cox_ph(f, data = d, weights = w)
  expect_close(coef(fit), coef(ref), "coef")
  expect_close(vcov(fit), ref$var, "robust var")
  expect_close(fit$naive_var, ref$naive.var, "naive var")
  expect_close(fit$robust_score_test[["statistic"]], ref$rscore, "robust score")
  expect_identical(fit$n_cluster, length(unique(d$inst)))
  bh <- survival::basehaz(ref, centered = FALSE)
  expect_close(baseline_hazard(fit)$cumulative_hazard, bh$hazard, "basehaz")
  expect_identical(levels(baseline_hazard(fit)$strata), c("sex=1", "sex=2"))
  expect_identical(as.character(baseline_hazard(fit)$strata), as.character(bh$strata))
})

test_that("offset() in a formula, fitted and for new data, as coxph", {
  d <- lung01()
  d <- d[stats::complete.cases(d[, c("age", "ph.ecog")]), ]
  f <- Surv(time, status) ~ age + strata(sex) + offset(ph.ecog / 10)
  ref <- survival::coxph(f, data = d)
  fit <- cox_ph(f, data = d)
  expect_close(coef(fit), coef(ref), "coef")
  expect_close(predict(fit), predict(ref, reference = "sample"), "lp")
  expect_close(predict(fit, newdata = d[1:5, ]),
               predict(ref, newdata = d[1:5, ], reference = "sample"), "lp newdata")
  expect_close(baseline_hazard(fit)$cumulative_hazard,
               survival::basehaz(ref, centered = FALSE)$hazard, "basehaz")
})

test_that("cox_ph methods: print, summary, confint, as.data.frame, anova", {
  d <- lung01()
  fit1 <- cox_ph(Surv(time, status) ~ age, data = d)
  fit2 <- cox_ph(Surv(time, status) ~ age + sex, data = d)
  ref1 <- survival::coxph(Surv(time, status) ~ age, data = d)
  ref2 <- survival::coxph(Surv(time, status) ~ age + sex, data = d)
  expect_output(print(fit2), "exp\\(coef\\)")
  expect_output(print(fit2), "Likelihood ratio test")
  expect_output(print(fit2), "Score \\(logrank\\) test")
  s <- summary(fit2)
  expect_output(print(s), "lower \\.95")
  expect_close(s$conf.int, summary(ref2)$conf.int, "summary conf.int")
  expect_close(s$coefficients, summary(ref2)$coefficients, "summary coefficients")
  expect_close(confint(fit2), confint(ref2), "confint")
  expect_identical(dimnames(confint(fit2)), dimnames(confint(ref2)))
  # the core's coefficient table: lower/upper limit coef, exp_lower/exp_upper exp(coef)
  expect_identical(names(as.data.frame(fit2)),
                   c("term", "coef", "exp_coef", "se", "z", "p", "exp_lower", "exp_upper",
                     "lower", "upper"))
  expect_close(as.matrix(as.data.frame(fit2)[, c("lower", "upper")]), unname(confint(ref2)),
               "as.data.frame limits")
  a <- anova(fit1, fit2)
  ra <- anova(ref1, ref2)
  expect_close(a$loglik, ra$loglik, "anova loglik")
  expect_close(a$Chisq, ra$Chisq, "anova chisq")
  expect_close(a$`Pr(>|Chi|)`, ra$`Pr(>|Chi|)`, "anova p")
  expect_output(print(a), "Analysis of Deviance")
  rb <- cox_ph(Surv(time, status) ~ age + sex, data = d, robust = TRUE)
  expect_output(print(rb), "robust se")
  expect_output(print(summary(rb)), "Robust score test")
  expect_error(predict(fit2, newdata = d, type = "expected"), "fitted data only")
})

test_that("logical status and ties = \"breslow\" as coxph", {
  d <- lung01()
  d$dead <- d$status == 1
  ref <- survival::coxph(Surv(time, status) ~ age + sex, data = d, ties = "breslow")
  fit <- cox_ph(Surv(time, dead) ~ age + sex, data = d, ties = "breslow")
  expect_close(coef(fit), coef(ref), "breslow coef")
  expect_identical(fit$method, "breslow")
})

test_that("predict(type = \"survival\") for new data matches survfit.coxph", {
  d <- lung01()
  f <- Surv(time, status) ~ age + sex
  ref <- survival::coxph(f, data = d)
  fit <- cox_ph(f, data = d)
  nd <- data.frame(age = c(50, 70, NA), sex = c(1, 2, 1))
  s <- predict(fit, newdata = nd, type = "survival", times = c(100, 400))
  sf <- summary(survival::survfit(ref, newdata = nd[1:2, ]), times = c(100, 400))
  expect_close(unname(s[1:2, ]), t(sf$surv), "predicted survival")
  expect_true(all(is.na(s[3, ])))
  expect_close(predict(fit, type = "expected"), predict(ref, type = "expected"), "expected")
  expect_error(predict(fit, type = "linear"), "argument `type`: unknown value")
})
