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
  lr <- logrank_test(survival::Surv(time, status) ~ g, data = d)
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
  res <- tryCatch(negbin_glm(y ~ x, data = d, control = list(maxit = 1e9)),
                  error = function(e) conditionMessage(e))
  if (is.character(res)) expect_match(res, "overdispersion|theta")
  expect_lt(as.numeric(difftime(Sys.time(), t0, units = "secs")), 30)
})
