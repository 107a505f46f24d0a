# tidy(), glance() and augment() (#19): broom's column names over the fits' own numbers,
# compared with broom's methods for the survival/stats fits of the same data.

skip_if_not_installed("generics")
skip_if_not_installed("broom")
# the generics are called qualified: attaching generics would mask base's setdiff() & co
# for the test files that run after this one

lung01 <- function() {
  d <- survival::lung
  d$status <- d$status - 1
  d
}

test_that("tidy/glance/augment of cox_ph match broom on coxph", {
  d <- lung01()
  d <- d[stats::complete.cases(d[c("time", "status", "age", "sex", "ph.ecog")]), ]
  fit <- cox_ph(Surv(time, status) ~ age + sex + ph.ecog, data = d)
  ref <- survival::coxph(survival::Surv(time, status) ~ age + sex + ph.ecog, data = d)
  t1 <- generics::tidy(fit, conf.int = TRUE)
  t0 <- broom::tidy(ref, conf.int = TRUE)
  expect_identical(names(t1), c("term", "estimate", "std.error", "statistic", "p.value",
                                "conf.low", "conf.high"))
  expect_identical(t1$term, t0$term)
  for (k in c("estimate", "std.error", "statistic", "p.value", "conf.low", "conf.high")) {
    expect_equal(t1[[k]], t0[[k]], tolerance = 1e-6, info = k)
  }
  te <- generics::tidy(fit, conf.int = TRUE, conf.level = 0.9, exponentiate = TRUE)
  t0e <- broom::tidy(ref, conf.int = TRUE, conf.level = 0.9, exponentiate = TRUE)
  for (k in c("estimate", "conf.low", "conf.high")) {
    expect_equal(te[[k]], t0e[[k]], tolerance = 1e-6, info = k)
  }
  g1 <- generics::glance(fit)
  g0 <- broom::glance(ref)
  expect_identical(nrow(g1), 1L)
  for (k in c("n", "nevent", "statistic.log", "statistic.sc", "logLik", "AIC", "BIC", "nobs")) {
    expect_equal(g1[[k]], unname(g0[[k]]), tolerance = 1e-6, info = k)
  }
  # summary.coxph (hence broom) rounds the Wald statistic to 2 decimals: against coxph's own
  expect_equal(g1$statistic.wald, ref$wald.test, tolerance = 1e-6)
  for (k in c("p.value.log", "p.value.sc", "p.value.wald")) {
    expect_equal(g1[[k]], unname(g0[[k]]), tolerance = 1e-3, info = k)
  }
  a1 <- generics::augment(fit, data = d)
  expect_identical(nrow(a1), nrow(d))
  expect_equal(a1$.fitted, unname(stats::predict(ref, type = "lp")), tolerance = 1e-6)
  expect_equal(a1$.resid, unname(stats::residuals(ref, type = "martingale")), tolerance = 1e-6)
  an <- generics::augment(fit, newdata = d[1:5, ], type.predict = "risk")
  expect_equal(an$.fitted, unname(stats::predict(ref, newdata = d[1:5, ], type = "risk")),
               tolerance = 1e-6)
})

test_that("tidy of a robust cox_ph: std.error robust, naive.std.error model-based", {
  d <- lung01()
  fit <- cox_ph(Surv(time, status) ~ age + sex + cluster(inst), data = d, na_action = "drop")
  ref <- survival::coxph(survival::Surv(time, status) ~ age + sex, data = d, cluster = inst)
  t1 <- generics::tidy(fit)
  expect_equal(t1$std.error, unname(sqrt(diag(ref$var))), tolerance = 1e-6)
  expect_equal(t1$naive.std.error, unname(sqrt(diag(ref$naive.var))), tolerance = 1e-6)
})

test_that("tidy/glance/augment of a Poisson GLM match broom on glm", {
  d <- data.frame(y = c(2, 3, 6, 7, 8, 9, 10, 12, 15), x = 0:8, g = factor(rep(c("a", "b", "c"), 3)))
  fit <- poisson_glm(y ~ x + g, data = d)
  ref <- stats::glm(y ~ x + g, family = stats::poisson, data = d)
  t1 <- generics::tidy(fit, conf.int = TRUE, exponentiate = TRUE)
  t0 <- broom::tidy(ref, conf.int = TRUE, exponentiate = TRUE, conf.method = "Wald")
  expect_identical(t1$term, t0$term)
  for (k in c("estimate", "std.error", "statistic", "p.value")) {
    expect_equal(t1[[k]], t0[[k]], tolerance = 1e-6, info = k)
  }
  # Wald limits on the exp scale (broom's default profiles the likelihood instead)
  expect_equal(t1$conf.low, unname(exp(stats::confint.default(ref)[, 1])), tolerance = 1e-6)
  g1 <- generics::glance(fit)
  g0 <- broom::glance(ref)
  for (k in c("null.deviance", "df.null", "logLik", "AIC", "BIC", "deviance", "df.residual", "nobs")) {
    expect_equal(g1[[k]], g0[[k]], tolerance = 1e-6, info = k)
  }
  a1 <- generics::augment(fit, data = d, type.predict = "response", type.residuals = "pearson")
  a0 <- broom::augment(ref, data = d, type.predict = "response", type.residuals = "pearson")
  expect_equal(a1$.fitted, unname(a0$.fitted), tolerance = 1e-6)
  expect_equal(a1$.resid, unname(a0$.resid), tolerance = 1e-6)
})

test_that("augment with rows dropped for missing values gives NA there", {
  d <- lung01()
  fit <- cox_ph(Surv(time, status) ~ age + ph.ecog, data = d, na_action = "drop")
  a <- generics::augment(fit, data = d)
  expect_identical(nrow(a), nrow(d))
  expect_identical(which(is.na(a$.fitted)), which(is.na(d$ph.ecog)))
  expect_error(generics::augment(fit), "argument `data`")
})

test_that("tidy/glance of kaplan_meier match broom on survfit", {
  d <- lung01()
  fit <- kaplan_meier(Surv(time, status) ~ sex, data = d)
  ref <- survival::survfit(survival::Surv(time, status) ~ sex, data = d)
  t1 <- generics::tidy(fit)
  t0 <- broom::tidy(ref)
  expect_identical(names(t1), c("time", "n.risk", "n.event", "n.censor", "estimate", "std.error",
                                "conf.low", "conf.high", "strata"))
  for (k in c("time", "n.risk", "n.event", "n.censor", "estimate", "conf.low", "conf.high")) {
    expect_equal(t1[[k]], t0[[k]], tolerance = 1e-6, info = k)
  }
  expect_identical(as.character(t1$strata), t0$strata)
  # std.error is of the survival probability (summary.survfit's), not survfit's std.err
  s <- summary(ref, censored = TRUE)
  expect_equal(t1$std.error, s$std.err, tolerance = 1e-6)
  g <- generics::glance(fit)
  expect_identical(nrow(g), 2L)
  expect_equal(g$median, unname(summary(ref)$table[, "median"]))
  expect_equal(g$records, unname(summary(ref)$table[, "records"]))
})

test_that("tidy/glance of logrank_test match broom on survdiff", {
  d <- lung01()
  lr <- logrank_test(Surv(time, status) ~ sex, data = d)
  ref <- survival::survdiff(survival::Surv(time, status) ~ sex, data = d)
  t1 <- generics::tidy(lr)
  t0 <- broom::tidy(ref)
  expect_equal(t1$obs, t0$obs)
  expect_equal(t1$exp, t0$exp, tolerance = 1e-8)
  expect_equal(t1$N, t0$N)
  g1 <- generics::glance(lr)
  g0 <- broom::glance(ref)
  expect_equal(g1$statistic, g0$statistic, tolerance = 1e-8)
  expect_equal(g1$p.value, g0$p.value, tolerance = 1e-8)
  expect_equal(g1$df, g0$df)
})

test_that("tidy/glance of parametric_survival match broom on survreg", {
  d <- lung01()
  fit <- parametric_survival(Surv(time, status) ~ age + sex, data = d)
  ref <- survival::survreg(survival::Surv(time, status) ~ age + sex, data = d)
  t1 <- generics::tidy(fit, conf.int = TRUE)
  t0 <- broom::tidy(ref, conf.int = TRUE)
  expect_identical(t1$term, t0$term)
  for (k in c("estimate", "std.error", "statistic", "p.value")) {
    expect_equal(t1[[k]], t0[[k]], tolerance = 1e-5, info = k)
  }
  # broom leaves Log(scale)'s limits NA; ours are its Wald limits
  ok <- !is.na(t0$conf.low)
  expect_identical(t1$term[!ok], "Log(scale)")
  expect_equal(t1$conf.low[ok], t0$conf.low[ok], tolerance = 1e-5)
  expect_equal(t1$conf.high[ok], t0$conf.high[ok], tolerance = 1e-5)
  g1 <- generics::glance(fit)
  g0 <- broom::glance(ref)
  for (k in c("logLik", "AIC", "BIC", "statistic", "p.value")) {
    expect_equal(g1[[k]], g0[[k]], tolerance = 1e-6, info = k)
  }
})

test_that("tidy of fine_gray and cumulative_incidence: columns; a bad conf.level is an error", {
  d <- lung01()
  d$cause <- ifelse(d$status == 1, ifelse(d$sex == 1, 1, 2), 0)
  fg <- fine_gray(Surv(time, cause) ~ age, data = d, cause = 1)
  t <- generics::tidy(fg, conf.int = TRUE, exponentiate = TRUE)
  expect_identical(names(t), c("term", "estimate", "std.error", "statistic", "p.value",
                               "conf.low", "conf.high"))
  expect_equal(t$estimate, unname(exp(coef(fg))))
  expect_identical(nrow(generics::glance(fg)), 1L)
  ci <- cumulative_incidence(Surv(time, cause) ~ 1, data = d)
  tc <- generics::tidy(ci)
  expect_true(all(c("time", "estimate", "conf.low", "conf.high") %in% names(tc)))
  expect_error(generics::tidy(fit <- cox_ph(Surv(time, status) ~ age, data = d), conf.level = 2),
               "argument `conf.level`")
})
