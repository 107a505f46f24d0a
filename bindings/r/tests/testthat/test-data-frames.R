# data.table and tibble inputs are data frames to every function (#19): the same results
# as with a base data.frame.

d <- example_cohort()[1:4000, ]

same_as_base <- function(f) {
  base <- f(d)
  expect_equal(f(data.table::as.data.table(d)), base, ignore_attr = TRUE)
  expect_equal(f(tibble::as_tibble(d)), base, ignore_attr = TRUE)
}

test_that("formula methods accept data.table and tibble", {
  same_as_base(function(x) as.data.frame(kaplan_meier(Surv(time, status) ~ stage, data = x)))
  same_as_base(function(x) coef(cox_ph(Surv(time, status) ~ age + factor(stage), data = x)))
  same_as_base(function(x) coef(glm_fit(status ~ age + sex, data = x, family = "binomial")))
  same_as_base(function(x) logrank_test(Surv(time, status) ~ sex, data = x)$statistic)
  rt <- example_ratetable()
  same_as_base(function(x) as.data.frame(net_survival(Surv(time, status) ~ sex, data = x,
                                                      ratetable = rt)))
})

test_that("column-name methods accept data.table and tibble", {
  same_as_base(function(x) {
    x$entry <- 0
    person_time_table(x, "entry", "time", "status", time_scales = list(fu = NULL),
                      breaks = list(fu = c(0, 365, 1000, 5000)), by = "sex")
  })
  same_as_base(function(x) expected_survival(example_ratetable(), x, times = c(365, 730)))
  agg <- aggregate(cbind(status, n = 1) ~ region, data = d, FUN = sum)
  f0 <- funnel(agg, observed = "status", denominator = "n", unit = "region")$table
  expect_equal(funnel(data.table::as.data.table(agg), observed = "status", denominator = "n",
                      unit = "region")$table, f0, ignore_attr = TRUE)
  expect_equal(funnel(tibble::as_tibble(agg), observed = "status", denominator = "n",
                      unit = "region")$table, f0, ignore_attr = TRUE)
})

test_that("competing risks, registry and trend functions accept data.table and tibble", {
  same_as_base(function(x) {
    x$cause <- ifelse(x$status == 1, ifelse(x$stage >= 3, 1, 2), 0)
    cumulative_incidence(Surv(time, cause) ~ sex, data = x)$table
  })
  rx <- data.frame(id = c(1, 1, 1, 2),
                   date = as.Date(c("2020-01-01", "2020-01-21", "2020-04-01", "2020-02-01")),
                   ddd = c(30, 30, 30, 60))
  e0 <- drug_exposure(id, date, ddd, grace = 15, data = rx)
  expect_equal(drug_exposure(id, date, ddd, grace = 15, data = data.table::as.data.table(rx)),
               e0, ignore_attr = TRUE)
  expect_equal(drug_exposure(id, date, ddd, grace = 15, data = tibble::as_tibble(rx)), e0,
               ignore_attr = TRUE)
  a <- data.frame(A = rep(seq(42.5, 77.5, 5), 6), P = rep(seq(1982.5, 2007.5, 5), each = 8))
  a$Y <- 1e5
  a$D <- round(a$Y * 1e-5 * exp(0.08 * (a$A - 40)) * (1 + 0.01 * (a$P - 1980)))
  a0 <- as.data.frame(apc_fit(a, A = "A", P = "P", D = "D", Y = "Y"))
  expect_equal(as.data.frame(apc_fit(data.table::as.data.table(a), A = "A", P = "P", D = "D",
                                     Y = "Y")), a0)
  expect_equal(as.data.frame(apc_fit(tibble::as_tibble(a), A = "A", P = "P", D = "D",
                                     Y = "Y")), a0)
})
