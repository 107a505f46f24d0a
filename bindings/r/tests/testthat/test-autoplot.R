# autoplot() methods (#19): each returns a ggplot whose data are the fit's own numbers
# (the core's tables); registered when ggplot2 is loaded.

d <- example_cohort()

built <- function(p) {
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off())
  ggplot2::ggplot_build(p)
}

test_that("Kaplan-Meier with strata: step curves, bands and censoring marks", {
  km <- kaplan_meier(Surv(time, status) ~ stage, data = d)
  p <- ggplot2::autoplot(km, xscale = 365.25)
  expect_s3_class(p, "ggplot")
  b <- built(p)
  # layers: ribbon, step, censor marks
  expect_length(b$data, 3L)
  tab <- as.data.frame(km)
  step <- p$data
  expect_equal(nrow(step), nrow(tab) + 4L)          # plus (0, 1) per stratum
  expect_identical(levels(step$strata), km$strata_levels)
  s2 <- step[step$strata == "stage=2" & step$time > 0, ]
  expect_equal(s2$survival, tab$survival[tab$strata == "stage=2"])
  expect_equal(s2$time, tab$time[tab$strata == "stage=2"] / 365.25)
  expect_equal(nrow(b$data[[3]]), sum(tab$n_censor > 0))
  p1 <- ggplot2::autoplot(kaplan_meier(Surv(time, status) ~ 1, data = d),
                          conf_int = FALSE, censor_marks = FALSE)
  expect_length(built(p1)$data, 1L)
  expect_error(ggplot2::autoplot(km, xscale = 0), "argument `xscale`")
})

test_that("net survival and interval net survival", {
  rt <- example_ratetable()
  ns <- net_survival(Surv(time, status) ~ sex, data = d, ratetable = rt)
  p <- ggplot2::autoplot(ns)
  expect_s3_class(p, "ggplot")
  expect_equal(p$data$survival[p$data$time > 0], ns$survival)
  expect_identical(p$labels$y, "Net survival")
  built(p)
  ins <- interval_net_survival(Surv(time, status) ~ sex, data = d, ratetable = rt,
                               breaks = 0:5)
  q <- ggplot2::autoplot(ins)
  t <- as.data.frame(ins)
  expect_equal(q$data$survival[q$data$stop > 0], t$survival)
  built(q)
})

test_that("cumulative incidence: one curve per group and cause", {
  dd <- d[1:3000, ]
  dd$cause <- ifelse(dd$status == 1, ifelse(dd$stage >= 3, 1, 2), 0)
  ci <- cumulative_incidence(Surv(time, cause) ~ sex, data = dd)
  p <- ggplot2::autoplot(ci, conf_int = TRUE)
  expect_s3_class(p, "ggplot")
  expect_equal(nlevels(droplevels(p$data$key)), 4L)
  r <- p$data[p$data$time > 0 & p$data$group == ci$groups[1] & p$data$cause == "1", ]
  t <- ci$table[ci$table$group == ci$groups[1] & ci$table$cause == "1", ]
  expect_equal(r$estimate, t$estimate)
  expect_length(built(p)$data, 2L)
})

test_that("flexible parametric predictions with bands", {
  fit <- flexible_parametric(Surv(time, status) ~ age, data = d[1:3000, ], df = 2)
  nd <- data.frame(age = c(50, 80))
  p <- ggplot2::autoplot(fit, newdata = nd, times = c(100, 1000, 3000))
  want <- predict(fit, nd, type = "survival", times = c(100, 1000, 3000))
  expect_equal(p$data$estimate, want$estimate)
  expect_equal(p$data$lower, want$lower)
  expect_length(built(p)$data, 2L)
})

test_that("APC effects, joinpoint fits and funnel plots", {
  a <- data.frame(A = rep(seq(42.5, 77.5, 5), 6), P = rep(seq(1982.5, 2007.5, 5), each = 8))
  a$Y <- 1e5
  a$D <- round(a$Y * 1e-5 * exp(0.08 * (a$A - 40)) * (1 + 0.01 * (a$P - 1980)))
  ap <- apc_fit(A = a$A, P = a$P, D = a$D, Y = a$Y)
  p <- ggplot2::autoplot(ap)
  expect_equal(sort(unique(as.character(p$data$effect))),
               c("Age (rate)", "Cohort (rate ratio)", "Period (rate ratio)"))
  expect_equal(p$data$estimate, as.data.frame(ap)$estimate)
  built(p)
  yr <- 1990:2015
  jd <- data.frame(year = yr, rate = 50 * exp(ifelse(yr < 2003, 0.03 * (yr - 1990),
                                                    0.39 - 0.02 * (yr - 2003))) *
                     (1 + 0.01 * sin(yr)))
  jp <- joinpoint(jd, x = "year", y = "rate", max_joinpoints = 1)
  q <- ggplot2::autoplot(jp)
  expect_equal(q$data$fitted, jp$fitted$fitted)
  built(q)
  fd <- data.frame(unit = paste0("h", 1:20), n = seq(50, 1000, 50))
  fd$obs <- round(fd$n * 0.1) + c(rep(0, 19), 40)
  f <- funnel(fd, observed = "obs", denominator = "n", unit = "unit")
  r <- ggplot2::autoplot(f)
  expect_equal(r$data$indicator, f$table$indicator)
  expect_length(built(r)$data, 4L)        # limits, target, units, labels of the flagged
})
