# Each case of tests/reference/fixtures/survreg_cases.csv (written by
# tests/reference/generate_parametric.R from survival::survreg) against
# parametric_survival(), at 1e-8 relative; delayed entry against the maximised
# closed-form likelihood at 1e-6.

survreg_cases <- function() {
  if (is.null(fixture_dir()) || !file.exists(file.path(fixture_dir(), "survreg_cases.csv"))) {
    return(data.frame(case = "(fixtures not found)"))
  }
  read_fixture("survreg_cases.csv")
}

fit_survreg_case <- function(cs) {
  d <- read_fixture(paste0("data_survreg_", cs$data, ".csv"))
  rhs <- strsplit(cs$covariates, " ")[[1]]
  if (nzchar(cs$strata)) rhs <- c(rhs, sprintf("strata(%s)", cs$strata))
  if (nzchar(cs$offset)) rhs <- c(rhs, sprintf("offset(%s)", cs$offset))
  lhs <- if (nzchar(cs$entry)) sprintf("Surv(%s, %s, %s)", cs$entry, cs$time, cs$status) else
    sprintf("Surv(%s, %s)", cs$time, cs$status)
  f <- stats::as.formula(paste(lhs, "~", paste(rhs, collapse = " + ")))
  wts <- if (nzchar(cs$weights)) d[[cs$weights]] else NULL
  list(fit = parametric_survival(f, data = d, dist = cs$dist, weights = wts), data = d)
}

test_that("parametric_survival matches survreg on every case", {
  skip_without_fixtures()
  cases <- survreg_cases()
  expect_gt(nrow(cases), 10L)
  for (i in seq_len(nrow(cases))) {
    cs <- cases[i, ]
    r <- fit_survreg_case(cs)
    m <- r$fit
    coef_ref <- read_fixture(paste0("survreg_", cs$case, "_coef.csv"))
    fit_ref <- read_fixture(paste0("survreg_", cs$case, "_fit.csv"))
    tab <- summary(m)$table
    if (cs$anchor == "optim") {
      expect_close(tab$coef, coef_ref$value, paste(cs$case, "coef"), tol = 1e-6)
      expect_close(m$loglik[2], fit_ref$loglik1, paste(cs$case, "loglik"), tol = 1e-9)
      next
    }
    expect_close(tab$coef, coef_ref$value, paste(cs$case, "coef"))
    expect_close(tab$se, coef_ref$se, paste(cs$case, "se"))
    expect_close(m$loglik, c(fit_ref$loglik0, fit_ref$loglik1), paste(cs$case, "loglik"))
    expect_close(m$lr_test[["statistic"]], fit_ref$chisq, paste(cs$case, "chisq"))
    expect_close(unname(m$scale), unlist(fit_ref[grepl("^scale_", names(fit_ref))]),
                 paste(cs$case, "scale"))
    v_ref <- read_fixture(paste0("survreg_", cs$case, "_var.csv"))
    expect_close(vcov(m)[cbind(v_ref$i, v_ref$j)], v_ref$value, paste(cs$case, "var"))
    p <- read_fixture(paste0("survreg_", cs$case, "_predict.csv"))
    lp <- predict(m, se.fit = TRUE)
    expect_close(lp$fit[p$row], p$lp, paste(cs$case, "lp"))
    expect_close(lp$se.fit[p$row], p$se_lp, paste(cs$case, "se lp"))
    q <- predict(m, type = "quantile", p = c(0.1, 0.5, 0.9), se.fit = TRUE)
    expect_close(q$fit[p$row, 2], p$q50, paste(cs$case, "q50"))
    expect_close(q$se.fit[p$row, 3], p$se_q90, paste(cs$case, "se q90"))
    s <- predict(m, type = "survival", times = c(100, 400))
    expect_close(s[p$row, 1], p$surv_t1, paste(cs$case, "S(100)"))
    if (!nzchar(cs$offset)) {
      nd <- r$data[p$row, ]
      qn <- predict(m, newdata = nd, type = "quantile", p = 0.5, se.fit = TRUE)
      expect_close(qn$fit, p$q50, paste(cs$case, "q50 newdata"))
      expect_close(qn$se.fit, p$se_q50, paste(cs$case, "se q50 newdata"))
    }
  }
})

test_that("parametric_survival agrees with survreg called directly, and reports errors", {
  lung <- survival::lung
  lung$status <- lung$status - 1
  m <- parametric_survival(Surv(time, status) ~ age + factor(ph.ecog), data = lung,
                           dist = "loglogistic", na_action = "drop")
  s <- survival::survreg(Surv(time, status) ~ age + factor(ph.ecog), data = lung,
                         dist = "loglogistic", control = survival::survreg.control(rel.tolerance = 1e-12))
  expect_close(coef(m), coef(s), "coef (factor)")
  expect_equal(names(coef(m)), names(coef(s)))
  expect_equal(m$n_dropped, 1L)
  expect_output(print(m), "Loglik\\(model\\)")
  expect_error(parametric_survival(Surv(time, status) ~ age, data = lung, dist = "weibul"),
               "argument `dist`: unknown value \"weibul\"", fixed = TRUE)
  lung$time[3] <- 0
  expect_error(parametric_survival(Surv(time, status) ~ age, data = lung),
               "argument `time`: times must be positive .* at row 3")
  lung$time[3] <- 1
  lung$status <- 0
  expect_error(parametric_survival(Surv(time, status) ~ age, data = lung),
               "argument `status`: there are no events")
})

test_that("parametric_survival's formula: `.` without the response, fitted bases, specials", {
  lung <- survival::lung[, c("time", "status", "age", "sex")]
  lung$status <- lung$status - 1
  m <- parametric_survival(Surv(time, status) ~ ., data = lung)
  expect_equal(names(coef(m)), c("(Intercept)", "age", "sex"))
  s <- survival::survreg(Surv(time, status) ~ age + sex, data = lung,
                         control = survival::survreg.control(rel.tolerance = 1e-12))
  expect_close(coef(m), coef(s), "coef with .")
  m2 <- parametric_survival(Surv(time, status) ~ poly(age, 2) + sex, data = lung)
  expect_close(predict(m2, newdata = lung[1:10, ]), m2$linear.predictors[1:10], "lp newdata poly()")
  expect_error(parametric_survival(Surv(time, status) ~ age + cluster(sex), data = lung),
               "cluster() is not supported by parametric_survival()", fixed = TRUE)
  expect_error(parametric_survival(Surv(time, status) ~ age, data = lung,
                                   control = list(iter.max = -1)), "control$iter.max", fixed = TRUE)
})

test_that("rmst() matches print(survfit, rmean = tau)", {
  skip_without_fixtures()
  cases <- read_fixture("rmst_cases.csv")
  for (i in seq_len(nrow(cases))) {
    cs <- cases[i, ]
    d <- read_fixture(paste0("data_survreg_", cs$data, ".csv"))
    f <- stats::as.formula(paste("Surv(time, status) ~", if (nzchar(cs$strata)) cs$strata else "1"))
    km <- if (nzchar(cs$weights)) kaplan_meier(f, data = d, weights = d[[cs$weights]]) else
      kaplan_meier(f, data = d)
    r <- read_fixture(paste0("rmst_", cs$case, ".csv"))
    t <- rmst(km, as.numeric(cs$tau))
    expect_close(t$rmst, r$rmean, paste(cs$case, "rmst"))
    expect_close(t$std_err, r$se, paste(cs$case, "se"))
    if (nrow(r) == 2L) {
      dd <- rmst_difference(km, as.numeric(cs$tau))
      expect_close(dd$difference, r$rmean[1] - r$rmean[2], paste(cs$case, "difference"))
    }
  }
  expect_error(rmst(km, -1), "argument `tau`")
})

test_that("concordance(cox_ph fit) matches survival::concordance(coxph fit)", {
  lung <- survival::lung
  lung$status <- lung$status - 1
  for (f in list(Surv(time, status) ~ age + ph.ecog, Surv(time, status) ~ sex + ph.ecog,
                 Surv(time, status) ~ age + strata(sex),
                 Surv(pmin(time / 3, 50), time, status) ~ age + sex)) {
    ours <- concordance(cox_ph(f, data = lung, na_action = "drop"))
    ref <- survival::concordance(survival::coxph(f, data = lung))
    expect_close(ours$concordance, ref$concordance, "concordance")
    expect_close(ours$var, ref$var, "var")
    k <- if (is.matrix(ref$count)) colSums(ref$count) else ref$count
    expect_close(ours$count, unname(k), "counts")
  }
  expect_output(print(ours), "Concordance")
})
