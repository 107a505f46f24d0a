# The robust variance of conditional_logistic against survival::clogit (fixtures from
# tests/reference/generate_clogit_robust.R, infert) at 1e-6: robust = TRUE and cluster()
# terms, for the approximations; the exact method refuses them, as clogit.

test_that("conditional_logistic's robust variance matches clogit", {
  d <- read_fixture("data_clogit_robust_infert.csv")
  fits <- list(
    approximate_robust = conditional_logistic(case ~ spontaneous + induced + strata(set), data = d,
                                              method = "approximate", robust = TRUE),
    efron_cluster_set = conditional_logistic(case ~ spontaneous + induced + strata(set) + cluster(set),
                                             data = d, method = "efron"),
    approximate_cluster_pooled = conditional_logistic(
      case ~ spontaneous + induced + strata(set) + cluster(pooled), data = d, method = "approximate"))
  for (nm in names(fits)) {
    f <- fits[[nm]]
    co <- read_fixture(sprintf("clogit_robust_%s_coef.csv", nm))
    va <- read_fixture(sprintf("clogit_robust_%s_var.csv", nm))
    fx <- read_fixture(sprintf("clogit_robust_%s_fit.csv", nm))
    expect_equal(names(coef(f)), co$term)
    expect_equal(unname(coef(f)), co$coef, tolerance = 1e-8)
    expect_equal(unname(sqrt(diag(vcov(f)))), co$se, tolerance = 1e-6)
    expect_equal(as.vector(t(f$var)), va$var, tolerance = 1e-6)
    expect_equal(as.vector(t(f$naive.var)), va$naive_var, tolerance = 1e-6)
    expect_equal(f$rscore, fx$rscore, tolerance = 1e-6)
    expect_equal(unname(f$wald_test["statistic"]), fx$wald, tolerance = 1e-6)
    expect_equal(f$n_cluster, fx$n_cluster)
    expect_equal(summary(f)$table$naive_se, co$naive_se, tolerance = 1e-6)
    expect_output(print(f), "Robust score test")
  }
  # live, with clogit's own call (its model frame needs survival's cluster())
  cluster <- survival::cluster
  coxph <- survival::coxph   # clogit() evaluates a coxph() call in the caller's frame
  s <- survival::clogit(case ~ spontaneous + induced + strata(set) + cluster(set), data = d,
                        method = "efron")
  expect_equal(unname(vcov(fits$efron_cluster_set)), unname(vcov(s)), tolerance = 1e-6)
})

test_that("the exact method refuses a robust variance, naming the argument", {
  d <- read_fixture("data_clogit_robust_infert.csv")
  expect_error(conditional_logistic(case ~ spontaneous + strata(set), data = d, robust = TRUE),
               "`robust`.*exact")
  expect_error(conditional_logistic(case ~ spontaneous + strata(set) + cluster(set), data = d),
               "`cluster`.*exact")
  f <- conditional_logistic(case ~ spontaneous + strata(set), data = d, method = "efron")
  expect_false(f$robust)
  expect_null(f$naive.var)
})
