# Plots draw the core's numbers: the risk table is survival_at()'s n_risk (as
# summary(survfit, times)$n.risk), the forest plot the fit's coefficient table.

d <- example_cohort()

test_that("the number-at-risk table is survival_at's n_risk at the times", {
  km <- kaplan_meier(Surv(time, status) ~ sex, data = d)
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off())
  times <- c(0, 2, 5, 10, 20)
  r <- plot(km, risk_table = TRUE, risk_times = times, xscale = 365.25)
  tab <- attr(r, "risk_table")
  want <- survival_at(km, times * 365.25)
  expect_equal(tab$n_risk, want$n_risk)
  expect_equal(tab$time, rep(times, 2))
  expect_equal(tab$n_risk[1], sum(d$sex == 1))
  s <- survival::survfit(survival::Surv(time, status) ~ sex, data = d)
  expect_equal(tab$n_risk, summary(s, times = times * 365.25, extend = TRUE)$n.risk)
  expect_null(attr(plot(km), "risk_table"))
})

test_that("plot arguments are checked", {
  km <- kaplan_meier(Surv(time, status) ~ 1, data = d)
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off())
  expect_error(plot(km, xscale = 0), "argument `xscale` must be one positive number")
  expect_error(plot(km, risk_table = TRUE, risk_times = c(1, NaN)),
               "argument `risk_times` must be finite numbers")
  expect_silent(plot(km, censor_marks = FALSE, conf_int = FALSE))
})

test_that("the forest plot draws the fit's ratios and limits", {
  fit <- cox_ph(Surv(time, status) ~ age + sex + stage, data = d)
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off())
  f <- forest_plot(fit, level = 0.9)
  tab <- as.data.frame(fit, conf_level = 0.9)
  expect_equal(f$term, c("age", "sex", "stage"))
  expect_equal(f$estimate, tab$exp_coef)
  expect_equal(f$lower, tab$exp_lower)
  expect_equal(f$upper, tab$exp_upper)
  expect_equal(log(f$lower), unname(confint(fit, level = 0.9)[, 1]))
  f <- forest_plot(fit, terms = c("stage", "age"))
  expect_equal(f$term, c("stage", "age"))
})

test_that("a Gaussian GLM's forest plot is on the coefficient scale", {
  g <- glm_fit(age ~ sex, data = d)
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off())
  f <- forest_plot(g)
  expect_equal(f$estimate, unname(coef(g)["sex"]))
  expect_equal(nrow(forest_plot(g, intercept = TRUE)), 2L)
  expect_error(forest_plot(g, exp = TRUE), "argument `exp`")
  expect_error(forest_plot(g, terms = "x"),
               "argument `terms`: x not among the fit's terms \\(\\(Intercept\\), sex\\)")
  expect_error(forest_plot(1), "argument `fit`: a regression fit is needed, not numeric")
})

test_that("net survival plots the number at risk under the axis (#19)", {
  rt <- example_ratetable()
  ns <- net_survival(Surv(time, status) ~ sex, data = d, ratetable = rt)
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off())
  times <- c(0, 2, 5, 10)
  r <- plot(ns, risk_table = TRUE, risk_times = times, xscale = 365.241)
  tab <- attr(r, "risk_table")
  expect_identical(names(tab), c("strata", "time", "n_risk"))
  expect_equal(tab$time, rep(times, 2))
  expect_identical(levels(tab$strata), ns$strata_levels)
  # the risk set at each time, as survival's
  s <- survival::survfit(survival::Surv(time, status) ~ sex, data = d)
  expect_equal(tab$n_risk, summary(s, times = times * 365.241, extend = TRUE)$n.risk)
  expect_equal(tab$n_risk[c(1, 5)], as.numeric(table(d$sex)))
  expect_null(attr(plot(ns), "risk_table"))
  # without strata, and with the axis ticks as times
  ns1 <- net_survival(Surv(time, status) ~ 1, data = d, ratetable = rt)
  tab1 <- attr(plot(ns1, risk_table = TRUE), "risk_table")
  expect_identical(as.character(unique(tab1$strata)), "all")
  expect_true(all(diff(tab1$n_risk) <= 0))
  expect_error(plot(ns, xscale = -1), "argument `xscale` must be one positive number")
  expect_error(plot(ns, risk_table = TRUE, risk_times = "a"),
               "argument `risk_times` must be finite numbers")
})

test_that("cumulative incidence plots the number at risk per group drawn (#19)", {
  dd <- d[1:3000, ]
  dd$cause <- ifelse(dd$status == 1, ifelse(dd$stage >= 3, 1, 2), 0)
  ci <- cumulative_incidence(Surv(time, cause) ~ sex, data = dd)
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off())
  times <- c(0, 1, 3, 5)
  tab <- attr(plot(ci, risk_table = TRUE, risk_times = times, xscale = 365.25), "risk_table")
  expect_identical(names(tab), c("group", "time", "n_risk"))
  s <- survival::survfit(survival::Surv(time, cause != 0) ~ sex, data = dd)
  expect_equal(tab$n_risk, summary(s, times = times * 365.25, extend = TRUE)$n.risk)
  # stacked: the one group shown
  st <- attr(plot(ci, stacked = TRUE, group = 2, risk_table = TRUE, risk_times = times,
                  xscale = 365.25), "risk_table")
  expect_identical(as.character(unique(st$group)), ci$groups[2])
  expect_equal(st$n_risk, tab$n_risk[5:8])
  expect_null(attr(plot(ci), "risk_table"))
  # delayed entry: the risk set is entry < t <= exit
  dd$entry <- pmin(dd$time / 2, 200)
  ce <- cumulative_incidence(Surv(entry, time, cause) ~ 1, data = dd)
  te <- attr(plot(ce, risk_table = TRUE, risk_times = c(100, 500)), "risk_table")
  expect_equal(te$n_risk, c(sum(dd$entry < 100 & dd$time >= 100),
                            sum(dd$entry < 500 & dd$time >= 500)))
})
