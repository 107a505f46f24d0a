# Inputs that used to kill R, hang or mislead: now an error naming the argument (or NA
# for a test on 0 degrees of freedom), the same as in Python and Rust.

test_that("an identifier as the log-rank group is an error, not an abort", {
  n <- 20000
  d <- data.frame(time = seq_len(n), status = 1, id = seq_len(n))
  expect_error(logrank_test(survival::Surv(time, status) ~ id, data = d),
               "argument `group`: has 20000 levels")
})

test_that("an identifier as the cumulative-incidence group is an error", {
  n <- 10000
  d <- data.frame(time = seq_len(n), cause = (seq_len(n) - 1) %% 3, id = seq_len(n))
  expect_error(cumulative_incidence(survival::Surv(time, cause) ~ id, data = d),
               "argument `group`: has 10000 levels")
})

test_that("a log-rank test without events has no p-value", {
  d <- data.frame(time = 1:4, status = 0, g = c(1, 1, 2, 2))
  expect_warning(lr <- logrank_test(survival::Surv(time, status) ~ g, data = d),
                 "0 degrees of freedom")
  expect_identical(as.integer(lr$df), 0L)
  expect_true(is.na(lr$p_value))
})

test_that("a tiny precision in net survival is an error, not unbounded memory", {
  d <- head(example_cohort(), 200)
  rt <- example_ratetable()
  expect_error(net_survival(survival::Surv(time, status) ~ 1, data = d, ratetable = rt,
                            precision = 1e-6),
               "argument `precision`: .*integration steps")
  expect_error(crude_probabilities(survival::Surv(time, status) ~ 1, data = d, ratetable = rt,
                                   precision = 1e-6),
               "argument `precision`: .*integration steps")
})

test_that("an underdispersed negative binomial fit stops", {
  n <- 40
  d <- data.frame(y = 3 + (seq_len(n) - 1) %% 2, x = (seq_len(n) - 1) / n)
  t0 <- Sys.time()
  res <- tryCatch(expect_warning(negbin_glm(y ~ x, data = d, control = list(maxit = 1e9)),
                                 "theta"),
                  error = function(e) conditionMessage(e))
  if (is.character(res)) expect_match(res, "overdispersion|theta")
  expect_lt(as.numeric(difftime(Sys.time(), t0, units = "secs")), 30)
})

test_that("GLM inputs that cannot be fitted are errors", {
  d <- data.frame(y = c(1, 2, 3, 4), x = c(1, 2, 3, 4), w = 0, cl = 1)
  expect_error(poisson_glm(y ~ x, data = d, weights = w), "argument `weights`: every weight is 0")
  expect_error(poisson_glm(y ~ x, data = d, start = c(NA, 0)), "argument `start`")
  expect_error(poisson_glm(y ~ x, data = d, cluster = cl), "argument `cluster`: .*at least 2 clusters")
})

test_that("Kaplan-Meier with all weights 0 is an error", {
  d <- data.frame(time = 1:3, status = c(1, 0, 1), w = 0)
  expect_error(kaplan_meier(survival::Surv(time, status) ~ 1, data = d, weights = w),
               "argument `weights`: every weight is 0")
})

test_that("icss_group refuses negative and infinite ages", {
  expect_error(icss_group(c(-5, 50)), "argument `age`.*row 1")
  expect_error(icss_group(c(50, Inf)), "argument `age`.*row 2")
})

test_that("huge counts are refused and large ones are fast", {
  expect_error(rate(events = 1e300, person_time = 1), "argument `events`.*2\\^53")
  t0 <- Sys.time()
  rate(events = 1e15, person_time = 1e16)
  expect_lt(as.numeric(difftime(Sys.time(), t0, units = "secs")), 1)
})

test_that("a Cox model with monotone likelihood warns as coxph does", {
  # No events in the x = 1 group; coxph (survival 3.5-3) warns the same and gives the
  # same coefficients (checked live against survival here).
  d <- data.frame(
    time = c(0.755, 1.182, 0.146, 0.14, 0.436, 2.895, 1.23, 0.54, 0.957, 0.147, 1.391, 0.762,
             1.238, 4.424, 1.055, 1.035),
    x = rep(c(0, 1), 8),
    z = c(-0.89, 0.44, -1.24, -0.22, 0.38, 0.13, 0.8, -0.06, 0.5, 1.09, -0.69, -1.28, 0.05,
          -0.24, -0.54, -0.43))
  d$status <- 1 - d$x
  expect_warning(f <- cox_ph(survival::Surv(time, status) ~ x + z, data = d),
                 "Loglik converged before variable  1 ; coefficient may be infinite")
  ref <- suppressWarnings(survival::coxph(survival::Surv(time, status) ~ x + z, data = d))
  expect_equal(unname(coef(f)), unname(coef(ref)), tolerance = 1e-8)
})

test_that("a 500-level factor in Cox on 1e6 rows is an error before model.matrix allocates", {
  # 499 dummy columns x 1e6 rows: 4 GB per copy; refused (the core's design_size check)
  # before R's model.matrix() builds it, with the message Python gets from the core.
  n <- 1e6
  i <- seq_len(n) - 1
  d <- data.frame(time = 1 + i %% 997, status = as.double(i %% 3 != 0),
                  f = paste0("L", i %% 500))
  msg <- paste0("argument `covariates`: factor `f` has 500 levels: the design has 499 columns ",
                "x 1000000 rows (4.0 GB), more than")
  t0 <- Sys.time()
  expect_error(cox_ph(survival::Surv(time, status) ~ f, data = d), msg, fixed = TRUE)
  d$f <- factor(d$f)
  expect_error(cox_ph(survival::Surv(time, status) ~ f, data = d), msg, fixed = TRUE)
  expect_lt(as.numeric(difftime(Sys.time(), t0, units = "secs")), 30)
})

test_that("a Cox design too wide for its p x p matrices is an error", {
  d <- data.frame(time = 1:10, status = 1)
  d$X <- matrix(seq_len(10 * 5001) %% 7, 10, 5001)
  expect_error(cox_ph(survival::Surv(time, status) ~ X, data = d),
               "argument `covariates`: the design has 5001 columns x 10 rows", fixed = TRUE)
})

test_that("a Cox init that overflows exp() is an error naming init, as coxph", {
  d <- data.frame(time = 1 + (0:15 * 5) %% 16, status = 1, x = 40 + 30 * (0:15) / 15)
  msg <- "argument `init`: initial values lead to overflow or underflow of the exp function"
  for (init in c(1e300, -1e308, 48)) {
    expect_error(cox_ph(survival::Surv(time, status) ~ x, data = d, init = init,
                        control = list(iter.max = 0)), msg, fixed = TRUE)
  }
  # coxph's boundary: 48 refused, 47 accepted, by both
  expect_error(survival::coxph(survival::Surv(time, status) ~ x, data = d, init = 48),
               "initial values lead to overflow or underflow of the exp function")
  expect_silent(ref <- survival::coxph(survival::Surv(time, status) ~ x, data = d, init = 47,
                                       control = survival::coxph.control(iter.max = 0)))
  f <- cox_ph(survival::Surv(time, status) ~ x, data = d, init = 47, control = list(iter.max = 0))
  expect_equal(f$loglik, ref$loglik, tolerance = 1e-8)
})

test_that("rate_ratio() limits stay finite for huge counts", {
  # binom.test's exact limits with 1 - p from the mirrored beta quantile; poisson.test's
  # own upper limit is Inf here (qbeta(0.975, 1e15 + 1, 1) rounds to 1).
  r <- rate_ratio(events1 = 1e15, person_time1 = 1, events2 = 1, person_time2 = 1)
  q_hi <- qbeta(0.025, 1, 1e15 + 1)
  q_lo <- qbeta(0.975, 2, 1e15)
  expect_true(is.finite(r$upper))
  expect_equal(c(r$lower, r$upper), c((1 - q_lo) / q_lo, (1 - q_hi) / q_hi), tolerance = 1e-6)
  # where poisson.test is finite, its limits
  r <- rate_ratio(events1 = 1e6, person_time1 = 1, events2 = 7, person_time2 = 3)
  expect_equal(c(r$lower, r$upper),
               as.numeric(stats::poisson.test(c(1e6, 7), c(1, 3))$conf.int), tolerance = 1e-9)
})

test_that("inputs that used to panic (found from Python) are answers or named errors", {
  d <- head(example_cohort(), 300)
  expect_error(fine_gray(survival::Surv(time, status) ~ age, data = d, conf_level = 1.5),
               "argument `conf_level`: must be strictly between 0 and 1, got 1.5", fixed = TRUE)
  g <- glm_fit(y ~ x, data = data.frame(y = c(1, 2), x = c(1, 2)), family = "gaussian")
  expect_output(print(g))
  expect_output(print(summary(g)))
  expect_true(all(is.finite(coef(g))))
  expect_error(direct_standardize(events = c(1e300, 1), person_time = c(100, 100),
                                  standard_weights = c(0.5, 0.5)),
               "argument `events`: count is above 2^53", fixed = TRUE)
})
