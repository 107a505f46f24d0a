# Names and labels the core attaches to Cox, GLM and log-rank results (R no longer
# builds them): the Cox tests' labels in print() and print(summary()), GLM and log-rank
# matrices with dimnames; residual matrices named by the coefficients, the strata of
# Schoenfeld residuals, and the notes of dropped rows and aliased coefficients.

labels_data <- function() {
  data.frame(time = c(5, 8, 3, 9, 12, 4, 7, 15, 2, 11, 6, 10),
             status = c(1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1),
             age = c(61, 55, 70, 48, 52, 66, 59, 45, 73, 50, 63, 57),
             treat = c(0, 1, 0, 1, 1, 0, 1, 1, 0, 0, 1, 0),
             site = rep(c("north", "south"), 6))
}

test_that("print() and print(summary()) of a Cox fit list the core's tests", {
  d <- labels_data()
  for (robust in c(FALSE, TRUE)) {
    fit <- cox_ph(Surv(time, status) ~ age + treat + strata(site), data = d, robust = robust)
    out <- capture.output(print(fit))
    lr <- fit$lr_test
    want <- sprintf("Likelihood ratio test=%s  on %d df, p=%s", format(round(lr[["statistic"]], 2)),
                    as.integer(lr[["df"]]), format.pval(lr[["p_value"]], digits = 4))
    expect_true(want %in% out)
    expect_true(any(startsWith(out, "Wald test=")))
    expect_true(any(startsWith(out, "Score (logrank) test=")))
    expect_identical(any(startsWith(out, "Robust score test=")), robust)
    s <- capture.output(print(summary(fit)))
    expect_true(any(startsWith(s, "Likelihood ratio test= ")))
    expect_true(any(startsWith(s, "Wald test            = ")))
    expect_true(any(startsWith(s, "Score (logrank) test = ")))
    expect_identical(any(startsWith(s, "Robust score test    = ")), robust)
    expect_identical(summary(fit)$logtest, fit$lr_test)
    old <- fit   # a fit saved by a version that did not keep the tests table
    old$tests <- NULL
    expect_identical(capture.output(print(old)), out)
    expect_identical(capture.output(print(summary(old))), s)
  }
})

test_that("Cox residual matrices carry the coefficient names; Schoenfeld residuals their strata", {
  d <- labels_data()
  fit <- cox_ph(Surv(time, status) ~ age + treat + strata(site), data = d)
  for (type in c("score", "dfbeta", "dfbetas")) {
    r <- residuals(fit, type)
    expect_identical(dimnames(r), list(rownames(d), c("age", "treat")))
  }
  s <- residuals(fit, "schoenfeld")
  expect_identical(colnames(s), c("age", "treat"))
  st <- attr(s, "strata")
  expect_identical(names(st), fit$strata_levels)
  expect_identical(as.vector(st), as.vector(table(d$site[d$status == 1])))
  one <- cox_ph(Surv(time, status) ~ age, data = d)
  expect_identical(names(residuals(one, "score")), rownames(d))
})

test_that("GLM variances and log-rank matrices have dimnames", {
  d <- labels_data()
  m <- glm_fit(status ~ age + treat, data = d, family = "binomial", robust = TRUE)
  cf <- c("(Intercept)", "age", "treat")
  expect_identical(dimnames(vcov(m)), list(cf, cf))
  expect_identical(dimnames(m$naive_var), list(cf, cf))
  expect_identical(dimnames(m$cov.unscaled), list(cf, cf))
  sm <- summary(m)$coefficients
  expect_identical(dimnames(sm), list(cf, c("Estimate", "Std. Error", "z value", "Pr(>|z|)")))
  expect_equal(unname(sm[, "Std. Error"]), unname(m$se))
  lr <- logrank_test(Surv(time, status) ~ treat, data = d)
  expect_identical(dimnames(lr$variance), list(c("treat=0", "treat=1"), c("treat=0", "treat=1")))
  expect_identical(dimnames(lr$observed_by_stratum), list(c("treat=0", "treat=1"), "all"))
  lr <- logrank_test(Surv(time, status) ~ treat + strata(site), data = d)
  expect_identical(colnames(lr$expected_by_stratum), c("site=north", "site=south"))
  expect_equal(rowSums(lr$observed_by_stratum), lr$observed)
})

test_that("notes of dropped rows and aliased coefficients print as before", {
  d <- labels_data()
  d$age[3] <- NA
  lr <- logrank_test(Surv(time, status) ~ age > 55, data = d, na_action = "drop")
  expect_true("n=11, 1 observation deleted due to missingness." %in% capture.output(print(lr)))
  d$age2 <- 2 * d$age
  fit <- cox_ph(Surv(time, status) ~ age + age2, data = d, na_action = "drop")
  out <- capture.output(print(fit))
  expect_true("   (1 observation deleted due to missingness)" %in% out)
  expect_true("   (1 coefficient not defined because of singularities)" %in% out)
  km <- kaplan_meier(Surv(time, status) ~ 1, data = d)
  expect_false(any(grepl("deleted", capture.output(print(km)))))
  d$time[2] <- NA
  km <- kaplan_meier(Surv(time, status) ~ 1, data = d, na_action = "drop")
  expect_true("   1 observation deleted due to missingness" %in% capture.output(print(km)))
})
