# Registry study designs against their anchors (fixtures from
# tests/reference/generate_designs.R): pool() against mice::pool (1e-10),
# conditional_logistic() against survival::clogit, nested_case_control() against
# Epi::ccwc's risk sets.

test_that("pool matches mice::pool on the nhanes fits", {
  skip_without_fixtures()
  for (case in c("lm", "glm")) {
    fits <- read_fixture(sprintf("pool_fits_%s.csv", case))
    pooled <- read_fixture(sprintf("pool_pooled_%s.csv", case))
    terms <- pooled$term
    est <- sapply(terms, function(t) fits$estimate[fits$term == t])
    var <- sapply(terms, function(t) fits$variance[fits$term == t])
    p <- pool(est, var, df_complete = pooled$dfcom[1])
    s <- summary(p)
    expect_equal(s$term, terms)
    for (k in list(c("estimate", "estimate"), c("se", "std_error"), c("statistic", "statistic"),
                   c("df", "df"), c("p", "p_value"), c("lower", "conf_low"), c("upper", "conf_high"),
                   c("riv", "riv"), c("lambda", "lambda"), c("fmi", "fmi"), c("ubar", "ubar"),
                   c("b", "b"), c("t", "t"))) {
      expect_close(s[[k[1]]], pooled[[k[2]]], paste(case, k[1]), tol = 1e-10)
    }
    # the same analyses as a list of (coef, vcov) pairs
    pairs <- lapply(seq_len(nrow(est)), function(i) list(est[i, ], diag(var[i, ])))
    p2 <- pool(pairs, df_complete = pooled$dfcom[1])
    expect_close(unname(coef(p2)), pooled$estimate, "pairs", tol = 1e-10)
    expect_close(unname(p2$df), pooled$df, "pairs df", tol = 1e-10)
  }
})

test_that("pool matches mice::pool.scalar", {
  skip_without_fixtures()
  sc <- read_fixture("pool_scalar.csv")
  for (i in seq_len(nrow(sc))) {
    q <- as.double(strsplit(sc$q[i], " ")[[1]])
    u <- as.double(strsplit(sc$u[i], " ")[[1]])
    p <- summary(pool(q, u, df_complete = sc$n[i] - sc$k[i]))
    for (k in list(c("estimate", "qbar"), c("ubar", "ubar"), c("b", "b"), c("t", "t"),
                   c("df", "df"), c("riv", "r"), c("fmi", "fmi"))) {
      expect_close(p[[k[1]]], sc[[k[2]]][i], paste("scalar", i, k[1]), tol = 1e-10)
    }
  }
})

test_that("pool accepts a mice mira object and lm fits as mice::pool does", {
  skip_if_not_installed("mice")
  imp <- mice::mice(mice::nhanes, m = 5, seed = 123, printFlag = FALSE)
  fit <- with(imp, lm(chl ~ age + bmi))
  ours <- pool(fit)
  theirs <- summary(mice::pool(fit), type = "all", conf.int = TRUE)
  expect_close(unname(coef(ours)), theirs$estimate, "mira estimate", tol = 1e-10)
  expect_close(unname(ours$df), theirs$df, "mira df", tol = 1e-10)
  expect_close(unname(confint(ours)[, 1]), theirs[["2.5 %"]], "mira lower", tol = 1e-10)
  expect_output(print(ours), "Rubin's rules over m = 5")
  expect_equal(dim(confint(ours, level = 0.9)), c(3L, 2L))
})

test_that("pool errors name the argument", {
  expect_error(pool(1, 1), "argument `estimates`: Rubin's rules need estimates from at least 2", fixed = TRUE)
  expect_error(pool(c(1, 2), c(1, -1)),
               "argument `variances`: a variance must be positive and finite (value -1) at row 2", fixed = TRUE)
  expect_error(pool(c(1, 2), c(1, 1), df_complete = 0), "argument `df_complete`", fixed = TRUE)
})

test_that("conditional_logistic matches survival::clogit on every case", {
  skip_without_fixtures()
  cases <- read_fixture("clogit_cases.csv")
  expect_gte(nrow(cases), 9L)
  for (i in seq_len(nrow(cases))) {
    cs <- cases[i, ]
    d <- read_fixture(sprintf("data_clogit_%s.csv", cs$data))
    rhs <- c(strsplit(cs$covariates, " ")[[1]], "strata(set)")
    if (nzchar(cs$offset)) rhs <- c(rhs, sprintf("offset(%s)", cs$offset))
    f <- stats::as.formula(paste("case ~", paste(rhs, collapse = " + ")))
    m <- conditional_logistic(f, data = d, method = cs$method)
    coef_ref <- read_fixture(sprintf("clogit_%s_coef.csv", cs$case))
    var_ref <- read_fixture(sprintf("clogit_%s_var.csv", cs$case))
    fit_ref <- read_fixture(sprintf("clogit_%s_fit.csv", cs$case))
    expect_equal(names(coef(m)), coef_ref$term)
    expect_close(unname(coef(m)), coef_ref$coef, paste(cs$case, "coef"))
    expect_close(unname(sqrt(diag(vcov(m)))), coef_ref$se, paste(cs$case, "se"))
    expect_close(vcov(m)[cbind(var_ref$i, var_ref$j)], var_ref$value, paste(cs$case, "var"))
    expect_close(m$loglik, c(fit_ref$loglik0, fit_ref$loglik1), paste(cs$case, "loglik"), tol = 1e-10)
    expect_close(m$score, fit_ref$score, paste(cs$case, "score"))
    expect_close(m$wald.test, fit_ref$wald, paste(cs$case, "wald"))
    expect_close(m$lr_test[["statistic"]], fit_ref$lr, paste(cs$case, "lr"))
    expect_equal(m$iter, fit_ref$iter)
    expect_equal(m$nevent, fit_ref$nevent)
  }
})

test_that("conditional_logistic agrees with clogit directly and prints", {
  d <- datasets::infert
  m <- conditional_logistic(case ~ spontaneous + induced + strata(stratum), data = d)
  coxph <- survival::coxph   # clogit() evaluates a coxph() call in the caller's frame
  r <- survival::clogit(case ~ spontaneous + induced + strata(stratum), data = d)
  expect_close(unname(coef(m)), unname(coef(r)), "infert coef")
  expect_close(unname(confint(m)), unname(confint(r)), "infert confint")
  expect_output(print(m), "Conditional logistic regression \\(exact likelihood\\)")
  expect_equal(dim(confint(m, level = 0.9)), c(2L, 2L))
})

test_that("conditional_logistic errors name the argument", {
  d <- datasets::infert
  expect_error(conditional_logistic(case ~ spontaneous + strata(stratum), data = d, exact_limit = 2),
               "argument `exact_limit`: matched set", fixed = TRUE)
  expect_error(conditional_logistic(case ~ spontaneous + strata(stratum), data = d, weights = rep(1, nrow(d))),
               "argument `weights`: case weights are not supported by the exact method", fixed = TRUE)
  expect_error(conditional_logistic(case ~ spontaneous + strata(stratum), data = d, method = "exakt"),
               "argument `method`: unknown value \"exakt\"", fixed = TRUE)
  d$case2 <- d$case + 1
  expect_error(conditional_logistic(case2 ~ spontaneous + strata(stratum), data = d), "argument `case`", fixed = TRUE)
})
