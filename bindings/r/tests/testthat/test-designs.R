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

ncc_case <- function(cs, seed, d) {
  m <- if (nzchar(cs$match)) strsplit(cs$match, " ")[[1]] else NULL
  suppressWarnings(nested_case_control(entry = if (nzchar(cs$entry)) d$entry, exit = exit, status = status,
                                       controls = as.numeric(cs$controls), match = m, seed = seed, data = d))
}

test_that("nested_case_control samples from Epi::ccwc's risk sets", {
  skip_without_fixtures()
  cases <- read_fixture("ncc_cases.csv")
  d <- read_fixture("data_ncc_cohort.csv")
  for (i in seq_len(nrow(cases))) {
    cs <- cases[i, ]
    fx <- read_fixture(sprintf("ncc_%s_sets.csv", cs$case))
    for (seed in c(1, 2, 12345)) {
      s <- ncc_case(cs, seed, d)
      expect_equal(unique(s$set), as.integer(fx$set))
      for (k in seq_len(nrow(fx))) {
        g <- s[s$set == fx$set[k], ]
        expect_equal(sort(g$id[g$fail == 1]), as.integer(strsplit(fx$cases[k], " ")[[1]]))
        expect_true(all(g$time == fx$time[k]))
        expect_true(all(g$n_eligible == fx$n_eligible[k]))
        ctrl <- g$id[g$fail == 0]
        expect_equal(length(ctrl), fx$n_controls[k])
        expect_false(anyDuplicated(ctrl) > 0)
        expect_true(all(ctrl %in% as.integer(strsplit(as.character(fx$eligible[k]), " ")[[1]])))
        if (nzchar(cs$match)) for (m in strsplit(cs$match, " ")[[1]]) {
          expect_equal(g[[m]], d[[m]][g$id])
          expect_equal(length(unique(g[[m]])), 1L)
        }
      }
    }
    a <- ncc_case(cs, 7, d)
    expect_identical(a, ncc_case(cs, 7, d))
    expect_false(identical(a, ncc_case(cs, 8, d)))
    expect_equal(attr(a, "seed"), 7)
  }
})

test_that("nested_case_control gives Python's sample for the same seed, with ccwc's warnings", {
  skip_without_fixtures()
  d <- read_fixture("data_ncc_cohort.csv")
  ws <- character()
  s <- withCallingHandlers(
    nested_case_control(entry, exit, status, controls = 2, match = sex, seed = 2026, data = d),
    warning = function(w) { ws <<- c(ws, conditionMessage(w)); invokeRestart("muffleWarning") })
  expect_true("there were tied failure times" %in% ws)
  expect_true(any(grepl("cases could not be matched", ws)))
  # bindings/python/tests/test_designs.py: NCC_SEED_2026
  expect_equal(s$id[1:9], c(7, 10, 140, 44, 268, 348, 9, 290, 274))
  expect_equal(names(s), c("set", "id", "fail", "time", "n_eligible", "sex"))
})

test_that("nested_case_control errors name the argument", {
  expect_error(nested_case_control(c(0, 2.5, 0), c(1, 2, 3), c(1, 0, 0)),
               "argument `entry`: entry is after exit (value 2.5) at row 2", fixed = TRUE)
  expect_error(nested_case_control(NULL, c(1, 2, 3), c(1, 0, 0), controls = 0), "argument `controls`", fixed = TRUE)
  expect_error(nested_case_control(NULL, c(1, 2, 3), c(1, 0, 0), seed = -1), "argument `seed`", fixed = TRUE)
})
