# Fits that run off to infinity along a direction of monotone likelihood say so (issue "No
# silent wrong answers"): survival's rule (coxph.fit: the Newton step left at the estimate,
# |(V u)_j| > 1e-9 and > sqrt(1e-9) |b_j|, or information that vanished in the fit) with
# coxph's warning; coxph's max(lp) > 500 test on the fitted linear predictor of flexible
# parametric fits; clogit's and cch's warnings in their words. The anchors run live
# (survival; survreg itself stops silently on such data) and the same cases are in
# tests/monotone_likelihood.rs.

ml_time <- c(0.755, 1.182, 0.146, 0.14, 0.436, 2.895, 1.23, 0.54, 0.957, 0.147, 1.391, 0.762,
             1.238, 4.424, 1.055, 1.035)
ml_z <- c(-0.89, 0.44, -1.24, -0.22, 0.38, 0.13, 0.8, -0.06, 0.5, 1.09, -0.69, -1.28, 0.05,
          -0.24, -0.54, -0.43)
ml_status <- c(1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 0)
ml_data <- function(separated) {
  d <- data.frame(time = ml_time, x = rep(c(0, 1), 8), z = ml_z)
  d$status <- if (separated) 1 - d$x else ml_status
  d
}
ml_warnings <- function(expr) {
  ws <- character()
  value <- withCallingHandlers(expr, warning = function(w) {
    ws <<- c(ws, conditionMessage(w)); invokeRestart("muffleWarning")
  })
  list(value = value, warnings = ws)
}
ml_infinite <- function(j) sprintf("^Loglik converged before variable  %d ; coefficient may be infinite\\. $", j)

test_that("parametric_survival warns of an infinite coefficient (survreg is silent)", {
  for (dist in c("weibull", "exponential", "lognormal", "loglogistic")) {
    expect_warning(m <- parametric_survival(Surv(time, status) ~ x + z, data = ml_data(TRUE),
                                            dist = dist), ml_infinite(2))
    expect_false(m$converged)
    ref <- ml_warnings(survival::survreg(survival::Surv(time, status) ~ x + z,
                                         data = ml_data(TRUE), dist = dist))
    expect_length(ref$warnings, 0)
    expect_gt(unname(coef(m)[2]), 5)
    expect_equal(unname(coef(m)[3]), unname(coef(ref$value)[3]), tolerance = 1e-6)
    expect_silent(m <- parametric_survival(Surv(time, status) ~ x + z, data = ml_data(FALSE),
                                           dist = dist))
    ref <- survival::survreg(survival::Surv(time, status) ~ x + z, data = ml_data(FALSE), dist = dist)
    expect_equal(unname(coef(m)), unname(coef(ref)), tolerance = 1e-6)
  }
})

test_that("flexible_parametric warns of an infinite coefficient", {
  for (df in 1:3) {
    expect_warning(f <- flexible_parametric(Surv(time, status) ~ x + z, data = ml_data(TRUE), df = df),
                   ml_infinite(df + 2))
    expect_false(f$converged)
    expect_silent(f <- flexible_parametric(Surv(time, status) ~ x + z, data = ml_data(FALSE), df = df))
    expect_true(f$converged)
  }
})

ml_rs <- function(bh) {
  data.frame(time = c(1000, 200, 400, 1200, 1100, 200, 1100, 1200, 200, 500, 800, 700, 200, 400, 400, 1100),
             status = c(1, 0, 1, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 0),
             x = c(-0.31, -0.12, 1.26, 1.43, -0.79, -0.61, 1.9, -1.16, -1.74, 0.98, -0.89, -1.43, 0.87,
                   0.04, -0.54, 0.13),
             bh = bh)
}

ml_rs2 <- data.frame(
  time = c(700, 1200, 1100, 600, 1000, 800, 600, 500, 900, 1100, 100, 800, 800, 600, 600, 500, 400),
  status = c(0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 1),
  x = c(-0.8954322319883046, -1.4573558383952996, -0.6448490055472513, 0.8201179954272853,
        -1.5897153771736376, -1.598527139765027, -0.29309031496819093, -0.8411300084560631,
        -0.9009158840795268, -1.926607245446601, -1.2948612999865063, 1.5556754840407958,
        1.5595919216987193, -0.9381448299098989, -0.998489193197742, -0.7769677133392077,
        -0.8608419160075278),
  bh = 0.000885072484880526)
ml_excess_zero <- "the fitted excess hazard is numerically 0 at some event times"

test_that("flexible_parametric with bhazard says when the excess hazard runs off", {
  r <- ml_warnings(flexible_parametric(Surv(time, status) ~ x, data = ml_rs(5.222e-4), df = 1,
                                       bhazard = "bh"))
  expect_false(r$value$converged)
  expect_length(r$warnings, 2)
  expect_match(r$warnings[1], ml_infinite(2))
  expect_true(startsWith(r$warnings[2], ml_excess_zero))
  r <- ml_warnings(flexible_parametric(Surv(time, status) ~ x, data = ml_rs2, df = 1, bhazard = "bh"))
  expect_false(r$value$converged)
  expect_gt(max(abs(coef(r$value))), 100)
  expect_length(r$warnings, 2)
  expect_true(startsWith(r$warnings[1], "one or more coefficients may be infinite"))
  expect_true(startsWith(r$warnings[2], ml_excess_zero))
  for (df in 1:3) {
    expect_silent(f <- flexible_parametric(Surv(time, status) ~ x, data = ml_rs(1e-4), df = df,
                                           bhazard = "bh"))
    expect_true(f$converged)
    expect_true(all(abs(coef(f)) < 5))
  }
})

test_that("flexible_parametric needs distinct event times for df", {
  d <- data.frame(time = c(1, 2, 2, 2, 3, 3, 3, 3, 4, 5), status = c(1, 1, 1, 1, 1, 1, 1, 0, 0, 1))
  for (df in 1:3) expect_silent(flexible_parametric(Surv(time, status) ~ 1, data = d, df = df))
  expect_error(flexible_parametric(Surv(time, status) ~ 1, data = d, df = 4),
               "argument `df`: too few distinct event times \\(4\\) for 4 degrees of freedom")
  d$status <- c(0, 1, 1, 0, 0, 0, 0, 0, 0, 0)
  expect_error(flexible_parametric(Surv(time, status) ~ 1, data = d),
               "two or more distinct times")
})

test_that("case_cohort warns in cch's words and order", {
  sub <- c(1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1)
  for (separated in c(TRUE, FALSE)) {
    d <- ml_data(separated)
    d$sub <- sub
    d$id <- seq_len(16)
    for (method in c("Prentice", "SelfPrentice", "LinYing")) {
      ours <- ml_warnings(case_cohort(Surv(time, status) ~ x + z, data = d, subcoh = ~sub, id = ~id,
                                      cohort.size = 40, method = method))
      ref <- ml_warnings(survival::cch(survival::Surv(time, status) ~ x + z, data = d, subcoh = ~sub,
                                       id = ~id, cohort.size = 40, method = method))
      expect_identical(ours$warnings, ref$warnings)
      expect_identical(length(ours$warnings) > 0, separated)
      expect_equal(unname(coef(ours$value)[2]), unname(coef(ref$value)[2]), tolerance = 1e-6)
    }
  }
})

test_that("conditional_logistic separation runs out of iterations as clogit", {
  # clogit evaluates its coxph() call in the caller's frame: survival need not be attached
  coxph <- survival::coxph
  Surv <- survival::Surv
  strata <- survival::strata
  d <- data.frame(case = rep(c(1, 0), 8), set = rep(1:8, each = 2), z = ml_z,
                  xx = c(1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 0, 1, 1, 0, 1, 1))
  d$sep <- d$case
  for (method in c("exact", "approximate", "efron")) {
    ours <- ml_warnings(conditional_logistic(case ~ sep + z + strata(set), data = d, method = method))
    ref <- ml_warnings(survival::clogit(case ~ sep + z + strata(set), data = d, method = method))
    expect_identical(ours$warnings, ref$warnings)
    expect_identical(ours$warnings, "Ran out of iterations and did not converge")
    expect_silent(f <- conditional_logistic(case ~ xx + z + strata(set), data = d, method = method))
    ref <- survival::clogit(case ~ xx + z + strata(set), data = d, method = method)
    expect_equal(unname(coef(f)), unname(coef(ref)), tolerance = 1e-6)
  }
})

test_that("logistic separation warns as glm", {
  d <- data.frame(y = as.numeric(ml_z > 0), z = ml_z, status = ml_status)
  ours <- ml_warnings(logistic_glm(y ~ z, data = d))
  ref <- ml_warnings(glm(y ~ z, data = d, family = binomial))
  expect_identical(ours$warnings, ref$warnings)
  expect_silent(logistic_glm(status ~ z, data = d))
})
