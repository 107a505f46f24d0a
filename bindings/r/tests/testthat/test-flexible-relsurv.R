# Relative-survival outputs of flexible_parametric() fits with bhazard: model-based crude
# probabilities of death (rp_crude_probabilities) and the loss in life expectancy
# (loss_in_life_expectancy) against the same integrals in plain R (fixtures written by
# tests/reference/generate_flexible_relsurv.R on relsurv's rdata with slopop), at 1e-6.

flexrs_fit <- function(case) {
  cs <- read_fixture("flexrs_cases.csv")
  cs <- cs[cs$case == case, ]
  d <- read_fixture("flexrs_data.csv")
  fit <- flexible_parametric(Surv(time, status) ~ age + female, data = d, df = as.numeric(cs$df),
                             bhazard = "bh")
  expect_close(fit$loglik, as.numeric(cs$loglik), paste(case, "loglik"), tol = 1e-6)
  expect_true(fit$relative)
  list(fit = fit, persons = d[seq_len(as.integer(cs$persons)), ], np = as.integer(cs$persons))
}

flexrs_slopop <- function() rate_table(read_fixture("data_rs_slopop.csv"), age = "age", year = "year",
                                       sex = "sex", rate = "rate", time_unit = "days")

test_that("rp_crude_probabilities matches integrate() on rdata with slopop", {
  skip_without_fixtures()
  rt <- flexrs_slopop()
  times <- c(365.241, 1826.205, 3652.41)
  for (case in c("rd_h3", "rd_h1")) {
    r <- flexrs_fit(case)
    ref <- read_fixture(sprintf("flexrs_%s_crude.csv", case))
    for (individual in c(FALSE, TRUE)) {
      cp <- rp_crude_probabilities(r$fit, times, newdata = r$persons, ratetable = rt, year = "year_decimal",
                                   sex = "sex", individual = individual)
      expect_identical(nrow(cp), (if (individual) r$np else 1L) * 6L)
      row <- if (individual) cp$row else rep(0, nrow(cp))
      key <- paste(row, format(cp$time), cp$cause)
      m <- match(key, paste(ref$row, format(ref$time), ref$cause))
      expect_false(anyNA(m))
      expect_close(cp$estimate, ref$estimate[m], paste(case, "estimate"), tol = 1e-6)
      expect_close(cp$std_err, ref$se[m], paste(case, "std_err"), tol = 1e-6)
    }
  }
})

test_that("loss_in_life_expectancy matches integrate() on rdata with slopop", {
  skip_without_fixtures()
  rt <- flexrs_slopop()
  for (case in c("rd_h3", "rd_h1")) {
    r <- flexrs_fit(case)
    ref <- read_fixture(sprintf("flexrs_%s_lel.csv", case))
    l <- loss_in_life_expectancy(r$fit, newdata = r$persons, ratetable = rt, year = "year_decimal",
                                 sex = "sex", individual = TRUE)
    ri <- ref[ref$row > 0, ]
    expect_close(l$horizon, ri$horizon, paste(case, "horizon"), tol = 1e-6)
    expect_close(l$expected, ri$expected, paste(case, "expected"), tol = 1e-6)
    expect_close(l$observed, ri$observed, paste(case, "observed"), tol = 1e-6)
    expect_close(l$observed_std_err, ri$se_observed, paste(case, "observed_std_err"), tol = 1e-6)
    expect_close(l$loss, ri$loss, paste(case, "loss"), tol = 1e-6)
    s <- loss_in_life_expectancy(r$fit, newdata = r$persons, ratetable = rt, year = "year_decimal",
                                 sex = "sex")
    r0 <- ref[ref$row == 0, ]
    expect_close(s$loss, r0$loss, paste(case, "standardised loss"), tol = 1e-6)
    expect_close(s$loss_std_err, r0$se_observed, paste(case, "standardised loss_std_err"), tol = 1e-6)
  }
})

test_that("relative-survival outputs refuse a fit without bhazard and name bad arguments", {
  skip_without_fixtures()
  rt <- flexrs_slopop()
  d <- read_fixture("flexrs_data.csv")
  plain <- flexible_parametric(Surv(time, status) ~ age, data = d, df = 2)
  expect_error(loss_in_life_expectancy(plain, newdata = d[1:3, ], ratetable = rt, year = "year_decimal",
                                       sex = "sex"), "bhazard")
  r <- flexrs_fit("rd_h3")
  expect_error(rp_crude_probabilities(r$fit, -1, newdata = r$persons, ratetable = rt, year = "year_decimal",
                                      sex = "sex"), "times")
  expect_error(loss_in_life_expectancy(r$fit, newdata = r$persons, ratetable = rt, year = "year_decimal",
                                       sex = "sex", max_age = 70), "age")
  expect_error(loss_in_life_expectancy(r$fit, newdata = r$persons, ratetable = "slopop"), "ratetable")
})

test_that("bhazard fits on the example cohort converge for df 3 to 5 (negative excess hazard allowed)", {
  # Issue #14: df >= 3 used to stop with "step halving failed": the maximum has a negative
  # excess hazard at late follow-up, which the fit refused; as in stpm2/rstpm2 only the
  # total hazard must be positive. Now: converged, no warnings, log-likelihood rising with df.
  d <- example_cohort()
  rt <- example_ratetable()
  d$bh <- expected_hazard(rt, data = d, age = "age", year = "year", sex = "sex", time = "time")
  last <- -Inf
  for (df in 2:5) {
    warned <- character(0)
    fit <- withCallingHandlers(
      flexible_parametric(Surv(time, status) ~ age + sex, data = d, df = df, bhazard = "bh"),
      warning = function(w) { warned <<- c(warned, conditionMessage(w)); invokeRestart("muffleWarning") })
    expect_length(warned, 0)
    expect_true(fit$converged)
    expect_lte(fit$iter, 12)
    expect_gt(fit$loglik, last)
    last <- fit$loglik
    if (df >= 3) {
      h <- predict(fit, newdata = data.frame(age = 70, sex = 1), times = 8506, type = "hazard")
      expect_lt(h$estimate, 0)
      expect_true(h$lower < h$estimate && h$estimate < h$upper)
    }
  }
})
