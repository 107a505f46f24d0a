# Deterministic numbers: the same input gives bitwise the same output on every run and
# for any number of threads (a registry analysis re-run by a reviewer on another server
# must reproduce to the last digit). The core's parallel sums add fixed groups of persons
# in a fixed order; here each method runs twice in this session and the results must be
# identical (==, not all.equal).

test_that("person_time_table gives identical sums on every run", {
  set.seed(2026)
  n <- 300000
  entry <- 1990 + 30 * runif(n)
  age <- 90 * runif(n)
  exit <- pmax(pmin(entry + rexp(n, 1 / 12), 2020), entry + 1e-3)
  status <- ifelse(exit < 2020, as.numeric(runif(n) < 0.6), 0)
  d <- data.frame(entry = entry, exit = exit, age = age, status = status,
                  sex = sample(1:2, n, TRUE), region = sample(0:19, n, TRUE))
  pt <- function() {
    person_time_table(d, "entry", "exit", "status", time_scales = list(per = NULL, age = "age"),
                      breaks = list(age = seq(0, 110, 0.5), per = 1990:2020),
                      by = c("sex", "region"))
  }
  a <- pt()
  b <- pt()
  expect_gt(nrow(a), 10000)
  expect_identical(a, b)
  expect_true(all(a$person_time == b$person_time))
})

test_that("net_survival gives identical curves on every run", {
  rt <- example_ratetable()
  co <- example_cohort()
  for (m in c("pohar-perme", "ederer2")) {
    x <- net_survival(Surv(time, status) ~ 1, data = co, ratetable = rt, method = m)
    y <- net_survival(Surv(time, status) ~ 1, data = co, ratetable = rt, method = m)
    expect_gt(length(x$survival), 1000)
    expect_true(all(x$survival == y$survival), info = m)
    expect_true(all(x$std_err == y$std_err), info = m)
    expect_identical(as.data.frame(x), as.data.frame(y))
  }
})
