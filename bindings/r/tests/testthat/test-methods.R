# The R idiom around the fits: methods run and give the documented shapes.

lung01 <- function() {
  d <- survival::lung
  d$status <- d$status - 1
  d
}

test_that("kaplan_meier methods run: print, summary, plot, as.data.frame, quantile", {
  fit <- kaplan_meier(Surv(time, status) ~ sex, data = lung01())
  expect_s3_class(fit, "hrr_km")
  expect_output(print(fit), "sex=2")
  expect_output(print(fit), "0.95LCL")
  expect_output(print(summary(fit)), "n_censor")
  expect_output(print(summary(fit, times = c(100, 365))), "lower 95% CI")
  df <- as.data.frame(fit)
  expect_identical(names(df), c("strata", "time", "n_risk", "n_event", "n_censor", "survival",
                                "std_err", "lower", "upper", "cumulative_hazard",
                                "std_err_cumulative_hazard"))
  expect_identical(levels(df$strata), c("sex=1", "sex=2"))
  q <- quantile(fit)
  expect_identical(names(q), c("strata", "prob", "quantile", "lower", "upper"))
  expect_identical(nrow(q), 6L)
  expect_identical(names(median(fit)), c("strata", "median", "lower", "upper"))
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off(), add = TRUE)
  expect_silent(plot(fit))
  expect_silent(plot(fit, conf_int = FALSE, col = c("black", "red")))
  expect_silent(plot(kaplan_meier(Surv(time, status) ~ 1, data = lung01())))
})

test_that("survival_at selects strata by label or number", {
  fit <- kaplan_meier(Surv(time, status) ~ sex, data = lung01())
  a <- survival_at(fit, c(0, 100, 5000), stratum = "sex=2")
  b <- survival_at(fit, c(0, 100, 5000), stratum = 2)
  expect_identical(a, b)
  expect_identical(as.character(a$strata), rep("sex=2", 3))
  expect_identical(a$survival[1], 1)
  expect_identical(a$n_risk[3], 0)
  expect_identical(nrow(survival_at(fit, c(10, 20))), 4L)
})

test_that("several right-hand-side variables give survfit's strata and labels", {
  d <- lung01()
  d <- d[is.na(d$ph.ecog) | d$ph.ecog < 3, ]   # ph.ecog = 3 has a single row
  fit <- kaplan_meier(Surv(time, status) ~ sex + ph.ecog, data = d, na_action = "drop")
  sf <- survival::survfit(Surv(time, status) ~ sex + ph.ecog, data = d)
  expect_identical(fit$strata_levels, names(sf$strata))
  expect_equal(fit$survival, sf$surv, tolerance = 1e-12)
  expect_identical(fit$n_dropped, 1L)
})

test_that("a fit saved and reloaded still answers quantile and survival_at", {
  fit <- kaplan_meier(Surv(time, status) ~ sex, data = lung01())
  f <- tempfile(fileext = ".rds")
  saveRDS(fit, f)
  back <- readRDS(f)
  expect_identical(quantile(back), quantile(fit))
  expect_identical(survival_at(back, c(100, 200)), survival_at(fit, c(100, 200)))
})

test_that("weights may be given as a bare or quoted column name or a vector", {
  d <- lung01()
  d$w <- (seq_len(nrow(d)) %% 3) + 1
  a <- as.data.frame(kaplan_meier(Surv(time, status) ~ sex, data = d, weights = w))
  b <- as.data.frame(kaplan_meier(Surv(time, status) ~ sex, data = d, weights = "w"))
  v <- as.data.frame(kaplan_meier(Surv(time, status) ~ sex, data = d, weights = d$w))
  expect_identical(a, b)
  expect_identical(a, v)
})

test_that("logrank_test result has survdiff's components and prints its table", {
  lr <- logrank_test(Surv(time, status) ~ sex, data = lung01())
  expect_s3_class(lr, "hrr_logrank")
  for (nm in c("statistic", "df", "p_value", "observed", "expected", "variance", "n")) {
    expect_true(nm %in% names(lr), label = nm)
  }
  sd <- survival::survdiff(Surv(time, status) ~ sex, data = lung01())
  expect_equal(lr$statistic, sd$chisq, tolerance = 1e-10)
  expect_equal(unname(lr$observed), as.vector(sd$obs), tolerance = 1e-12)
  expect_output(print(lr), "\\(O-E\\)\\^2/V")
  expect_output(print(lr), "Chisq= 10.3")
  s <- logrank_test(Surv(time, status) ~ celltype + strata(trt), data = survival::veteran)
  sd2 <- survival::survdiff(Surv(time, status) ~ celltype + strata(trt),
                            data = survival::veteran)
  expect_equal(s$statistic, sd2$chisq, tolerance = 1e-10)
  expect_identical(dim(s$observed_by_stratum), c(4L, 2L))
})

# ---- competing risks ------------------------------------------------------------------------

mgus_cr <- function() {
  m <- survival::mgus2
  data.frame(etime = ifelse(m$pstat == 1, m$ptime, m$futime),
             event = ifelse(m$pstat == 1, 1, 2 * m$death),
             status = factor(ifelse(m$pstat == 1, 1, 2 * m$death), 0:2,
                             c("censored", "pcm", "death")),
             sex = m$sex, age = m$age)
}

test_that("cumulative_incidence methods run: print, summary, as.data.frame, plot", {
  ci <- cumulative_incidence(Surv(etime, status) ~ sex, data = mgus_cr())
  expect_s3_class(ci, "hrr_cuminc")
  expect_identical(ci$causes, c("pcm", "death"))
  expect_identical(ci$groups, c("sex=F", "sex=M"))
  expect_output(print(ci), "Gray's test")
  expect_output(print(ci), "sex=M death")
  df <- as.data.frame(ci)
  expect_identical(names(df), c("group", "cause", "time", "n_risk", "n_event", "estimate",
                                "variance", "std_err", "lower", "upper"))
  expect_equal(df$std_err, sqrt(df$variance), tolerance = 1e-15)
  expect_identical(levels(df$group), c("sex=F", "sex=M"))
  s <- summary(ci, times = c(12, 120, 1e4))
  expect_output(print(s), "Variances")
  tab <- as.data.frame(s)
  expect_identical(names(tab), c("group", "cause", "time", "estimate", "variance", "std_err"))
  expect_identical(nrow(tab), 12L)
  expect_true(all(is.na(tab$estimate[tab$time == 1e4])))
  expect_identical(summary(ci, times = 0)$table$estimate, c(0, 0, 0, 0))
  # the curves rise to 1 - all-cause survival
  last <- tapply(df$estimate, list(df$group, df$cause), function(v) v[length(v)])
  surv <- tapply(ci$all_cause$survival, ci$all_cause$group, function(v) v[length(v)])
  expect_equal(as.vector(rowSums(last)), as.vector(1 - surv), tolerance = 1e-12)
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off(), add = TRUE)
  expect_silent(plot(ci))
  expect_silent(plot(ci, conf_int = TRUE, causes = "pcm"))
  expect_silent(plot(ci, stacked = TRUE, group = "sex=M"))
  expect_silent(plot(ci, stacked = TRUE, group = 1, col = c("grey40", "tomato")))
  expect_silent(plot(cumulative_incidence(Surv(etime, event) ~ 1, data = mgus_cr())))
})

test_that("fine_gray methods run: print, summary, coef, vcov, confint, predict, baseline_hazard", {
  d <- mgus_cr()
  fg <- fine_gray(Surv(etime, status) ~ age + sex, data = d, cause = "pcm")
  expect_s3_class(fg, "hrr_finegray")
  expect_identical(names(coef(fg)), c("age", "sexM"))
  expect_output(print(fg), "Cause of interest: pcm")
  expect_output(print(summary(fg)), "exp\\(-coef\\)")
  expect_identical(dim(vcov(fg)), c(2L, 2L))
  ci95 <- confint(fg)
  expect_identical(colnames(ci95), c("2.5 %", "97.5 %"))
  expect_identical(rownames(confint(fg, "sexM", level = 0.9)), "sexM")
  tab <- as.data.frame(fg)
  expect_identical(names(tab), c("term", "coef", "exp_coef", "se", "z", "p", "exp_lower",
                                 "exp_upper", "lower", "upper"))
  expect_equal(tab$lower, unname(ci95[, 1]), tolerance = 1e-12)
  expect_equal(log(tab$exp_lower), unname(ci95[, 1]), tolerance = 1e-12)
  expect_identical(nobs(fg), fg$nevent)
  expect_identical(attr(logLik(fg), "df"), 2L)
  nd <- data.frame(age = c(60, 75), sex = factor(c("F", "M"), levels = c("F", "M")))
  pr <- predict(fg, nd)
  expect_identical(colnames(pr), c("time", "1", "2"))
  expect_identical(nrow(pr), length(fg$event_times))
  expect_true(all(diff(pr[, "2"]) >= 0))
  bh <- baseline_hazard(fg)
  expect_identical(names(bh), c("time", "cumulative_hazard"))
  # predictions are 1 - exp(-exp(x b) H0(t)) at covariates x
  expect_equal(pr[, "1"], 1 - exp(-exp(60 * coef(fg)[["age"]]) * bh$cumulative_hazard),
               tolerance = 1e-12)
  # the fit survives saveRDS()/readRDS() (external pointers do not): refitted on demand
  f2 <- unserialize(serialize(fg, NULL))
  expect_identical(predict(f2, nd), pr)
  expect_identical(confint(f2, level = 0.9), confint(fg, level = 0.9))
  ci <- cumulative_incidence(Surv(etime, event) ~ sex, data = d)
  c2 <- unserialize(serialize(ci, NULL))
  expect_identical(summary(c2, times = c(10, 100))$table, summary(ci, times = c(10, 100))$table)
})
