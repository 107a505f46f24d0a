# Bad input gives an ordinary R error naming the argument (and the row, counted from
# 1, where one row is at fault), never a Rust panic.

small <- function() {
  data.frame(time = c(5, 8, 12, 3, 9, 15, 7, 11), status = c(1, 0, 1, 1, 1, 0, 1, 0),
             grp = c(1, 1, 1, 1, 2, 2, 2, 2), entry = c(0, 1, 2, 0, 1, 3, 0, 2))
}

# The error's message, checked for the pattern and for any sign of a panic.
expect_clean_error <- function(expr, pattern) {
  err <- tryCatch({ force(expr); NULL }, error = function(e) e)
  expect_true(inherits(err, "error"), label = "an R error was raised")
  if (is.null(err)) return(invisible())
  msg <- conditionMessage(err)
  expect_match(msg, pattern)
  expect_no_match(msg, "panick|internal error")
  invisible(msg)
}

test_that("NaN time names time and the row", {
  d <- small(); d$time[3] <- NaN
  expect_clean_error(kaplan_meier(Surv(time, status) ~ 1, data = d), "`time`.*NaN.*row 3")
  expect_clean_error(logrank_test(Surv(time, status) ~ grp, data = d), "`time`.*row 3")
})

test_that("negative time names time and the row", {
  d <- small(); d$time[5] <- -2
  expect_clean_error(kaplan_meier(Surv(time, status) ~ grp, data = d),
                     "argument `time`: negative value.*row 5")
  expect_clean_error(logrank_test(Surv(time, status) ~ grp, data = d), "`time`.*row 5")
})

test_that("exit <= entry names entry and the row", {
  d <- small(); d$entry[6] <- 15
  expect_clean_error(kaplan_meier(Surv(entry, time, status) ~ 1, data = d),
                     "argument `entry`: exit time must be greater than entry time.*row 6")
})

test_that("status coded 1/2 (lung's raw coding) is an error naming status and the row", {
  expect_clean_error(kaplan_meier(Surv(time, status) ~ sex, data = survival::lung),
                     "argument `status`: status must be 0.*or 1.*value 2.*row 1")
  expect_clean_error(logrank_test(Surv(time, status) ~ sex, data = survival::lung),
                     "argument `status`.*row 1")
  d <- small(); d$status[4] <- 3
  expect_clean_error(kaplan_meier(Surv(time, status) ~ 1, data = d), "`status`.*value 3.*row 4")
})

test_that("a factor status is refused", {
  d <- small(); d$status <- factor(d$status)
  expect_clean_error(kaplan_meier(Surv(time, status) ~ 1, data = d), "`status`.*numeric")
})

test_that("weights of the wrong length name weights and both lengths", {
  d <- small()
  expect_clean_error(kaplan_meier(Surv(time, status) ~ 1, data = d, weights = rep(1, 3)),
                     "`weights`.*length 3.*`time` has length 8")
})

test_that("negative weights name weights and the row", {
  d <- small(); d$w <- c(1, 1, -1, 1, 1, 1, 1, 1)
  expect_clean_error(kaplan_meier(Surv(time, status) ~ 1, data = d, weights = w),
                     "argument `weights`: negative value.*row 3")
})

test_that("empty data is an error naming time", {
  d <- small()[0, ]
  expect_clean_error(kaplan_meier(Surv(time, status) ~ 1, data = d), "argument `time` is empty")
  expect_clean_error(kaplan_meier(Surv(time, status) ~ grp, data = d), "argument `time` is empty")
  expect_clean_error(logrank_test(Surv(time, status) ~ grp, data = d), "argument `time` is empty")
})

test_that("a stratum with one row is an error naming strata and the stratum", {
  d <- small(); d$grp[8] <- 3
  msg <- expect_clean_error(kaplan_meier(Surv(time, status) ~ grp, data = d),
                            "argument `strata`: stratum 3.*1 row")
  expect_match(msg, "3 = grp=3", fixed = TRUE)
})

test_that("missing values are an error unless na_action = \"drop\"", {
  d <- small(); d$grp[2] <- NA; d$status[7] <- NA
  expect_clean_error(kaplan_meier(Surv(time, status) ~ grp, data = d),
                     "argument `status`.*missing value \\(NA\\) at row 7.*na_action")
  fit <- kaplan_meier(Surv(time, status) ~ grp, data = d, na_action = "drop")
  expect_identical(fit$n_dropped, 2L)
  expect_identical(sum(fit$n), 6L)
  expect_output(print(fit), "2 observations deleted due to missingness")
  expect_clean_error(logrank_test(Surv(time, status) ~ grp, data = d), "`status`.*row 7")
  lr <- logrank_test(Surv(time, status) ~ grp, data = d, na_action = "drop")
  expect_identical(lr$n_dropped, 2L)
  expect_clean_error(kaplan_meier(Surv(time, status) ~ grp, data = d, na_action = "omit"),
                     "`na_action`")
})

test_that("logical status TRUE/FALSE works like 1/0", {
  d <- small()
  d$dead <- d$status == 1
  a <- as.data.frame(kaplan_meier(Surv(time, dead) ~ grp, data = d))
  b <- as.data.frame(kaplan_meier(Surv(time, status) ~ grp, data = d))
  expect_equal(a, b)
  expect_equal(logrank_test(Surv(time, dead) ~ grp, data = d)$statistic,
               logrank_test(Surv(time, status) ~ grp, data = d)$statistic)
  d$dead[2] <- NA
  expect_clean_error(kaplan_meier(Surv(time, dead) ~ 1, data = d), "`status`.*row 2")
})

test_that("integer columns are accepted", {
  d <- small()
  d$time <- as.integer(d$time); d$status <- as.integer(d$status)
  expect_s3_class(kaplan_meier(Surv(time, status) ~ grp, data = d), "hrr_km")
})

test_that("bad options name the option", {
  d <- small()
  expect_clean_error(kaplan_meier(Surv(time, status) ~ 1, data = d, conf_type = "logg"),
                     "argument `conf_type`")
  expect_clean_error(kaplan_meier(Surv(time, status) ~ 1, data = d, conf_level = 1.5),
                     "argument `conf_level`")
  expect_clean_error(kaplan_meier(Surv(time, status) ~ 1, data = d, variance = "jackknife"),
                     "argument `variance`")
  expect_clean_error(kaplan_meier(time ~ 1, data = d), "Surv")
  expect_clean_error(logrank_test(Surv(time, status) ~ 1, data = d), "grouping variable")
  expect_clean_error(logrank_test(Surv(time, status) ~ grp, data = d, rho = NA_real_),
                     "argument `rho`")
  d$grp <- 1
  expect_clean_error(logrank_test(Surv(time, status) ~ grp, data = d),
                     "argument `group`: there is only one group")
  fit <- kaplan_meier(Surv(time, status) ~ 1, data = small())
  expect_clean_error(quantile(fit, probs = 1.5), "argument `probs`")
  expect_clean_error(survival_at(fit, c(1, NaN)), "argument `times`.*row 2")
  expect_clean_error(survival_at(fit, 1, stratum = "grp=9"), "argument `stratum`")
})

test_that("errors leave nothing on stderr (no Rust panic message)", {
  rscript <- file.path(R.home("bin"), "Rscript")
  script <- tempfile(fileext = ".R")
  writeLines(c(
    "suppressPackageStartupMessages(library(hrrstats))",
    "d <- data.frame(time = c(5, -1, 3), status = c(1, 1, 2))",
    "try(kaplan_meier(Surv(time, status) ~ 1, data = d), silent = TRUE)",
    "try(kaplan_meier(Surv(time, status) ~ sex, data = survival::lung), silent = TRUE)",
    "try(logrank_test(Surv(time, status) ~ sex, data = survival::lung), silent = TRUE)",
    "try(kaplan_meier(Surv(time, status) ~ 1, data = d[0, ]), silent = TRUE)",
    "cat('done\\n')"), script)
  env <- paste0("R_LIBS=", paste(.libPaths(), collapse = .Platform$path.sep))
  out <- suppressWarnings(system2(rscript, script, stdout = TRUE, stderr = TRUE, env = env))
  expect_true("done" %in% out)
  expect_false(any(grepl("panick", out)))
})

# ---- Cox regression -----------------------------------------------------------------

cox_small <- function() {
  data.frame(time = c(5, 8, 12, 3, 9, 15, 7, 11, 4, 6), status = c(1, 0, 1, 1, 1, 0, 1, 0, 1, 1),
             x = c(1.2, 0.4, 2.2, 1.1, 0.3, 0.9, 1.7, 0.2, 1.4, 0.8),
             z = c(0, 1, 1, 0, 1, 0, 1, 0, 0, 1))
}

test_that("cox_ph: no events is an error naming status", {
  d <- cox_small(); d$status <- 0
  expect_clean_error(cox_ph(Surv(time, status) ~ x, data = d), "argument `status`: no events")
})

test_that("cox_ph: a non-finite covariate names the column and the row", {
  d <- cox_small(); d$x[4] <- Inf
  expect_clean_error(cox_ph(Surv(time, status) ~ x + z, data = d),
                     "argument `covariates`, column `x`: value is not finite.*row 4")
  d <- cox_small(); d$x[6] <- 0
  expect_clean_error(cox_ph(Surv(time, status) ~ z + log(x), data = d),
                     "column `log\\(x\\)`.*row 6")
  # rows of the caller's data also after dropping rows with missing values
  d <- cox_small(); d$x[6] <- 0; d$z[2] <- NA
  expect_clean_error(cox_ph(Surv(time, status) ~ z + log(x), data = d, na_action = "drop"),
                     "column `log\\(x\\)`.*row 6")
})

test_that("cox_ph: missing values name the variable and the row unless dropped", {
  d <- cox_small(); d$z[7] <- NA
  expect_clean_error(cox_ph(Surv(time, status) ~ x + factor(z), data = d),
                     "argument `covariates` \\(factor\\(z\\)\\): missing value \\(NA\\) at row 7.*na_action")
  fit <- cox_ph(Surv(time, status) ~ x + factor(z), data = d, na_action = "drop")
  expect_identical(fit$n, 9L)
  expect_identical(fit$n_dropped, 1L)
  d <- cox_small(); d$x[3] <- -1
  expect_clean_error(suppressWarnings(cox_ph(Surv(time, status) ~ log(x), data = d)),
                     "`covariates` \\(log\\(x\\)\\): missing value \\(NaN\\) at row 3")
})

test_that("cox_ph: negative or zero weights name weights and the row", {
  d <- cox_small()
  expect_clean_error(cox_ph(Surv(time, status) ~ x, data = d,
                            weights = c(1, 1, -1, 1, 1, 1, 1, 1, 1, 1)),
                     "argument `weights`: negative value.*row 3")
  expect_clean_error(cox_ph(Surv(time, status) ~ x, data = d,
                            weights = c(1, 1, 1, 1, 0, 1, 1, 1, 1, 1)),
                     "argument `weights`: Cox weights must be positive.*row 5")
})

test_that("cox_ph: bad options name the option", {
  d <- cox_small()
  expect_clean_error(cox_ph(Surv(time, status) ~ x, data = d, ties = "exact"),
                     "argument `ties`: unknown value \"exact\"; accepted: \"efron\", \"breslow\"")
  expect_clean_error(cox_ph(Surv(time, status) ~ x, data = d, control = list(iter.max = -1)),
                     "argument `control\\$iter\\.max`")
  expect_clean_error(cox_ph(Surv(time, status) ~ x, data = d, control = list(toler = 1)),
                     "argument `control`: unknown setting \"toler\"")
  expect_clean_error(cox_ph(Surv(time, status) ~ x, data = d, init = c(0, 1)),
                     "argument `init`: has 2 values for 1 coefficients")
  expect_clean_error(cox_ph(Surv(time, status) ~ x, data = d, robust = NA),
                     "argument `robust`")
  expect_clean_error(cox_ph(Surv(time, status) ~ strata(z), data = d),
                     "at least one covariate")
  expect_clean_error(cox_ph(Surv(time, status) ~ age, data = survival::lung[1:20, ]),
                     "argument `status`.*1 = censored, 2 = event")
  expect_clean_error(cox_ph(time ~ x, data = d), "Surv")
})

test_that("cox_ph: a collinear covariate gets coefficient NA as coxph, not an error", {
  d <- cox_small(); d$x2 <- 2 * d$x
  fit <- cox_ph(Surv(time, status) ~ x + z + x2, data = d)
  ref <- survival::coxph(Surv(time, status) ~ x + z + x2, data = d)
  expect_true(is.na(coef(fit)[["x2"]]))
  expect_identical(is.na(coef(fit)), is.na(coef(ref)))
  expect_equal(unname(coef(fit)[1:2]), unname(coef(ref)[1:2]), tolerance = 1e-8)
  expect_identical(fit$lr_test[["df"]], 2)
  expect_output(print(fit), "not defined because of singularities")
  expect_silent(predict(fit, newdata = d))
})

test_that("cox_ph: errors leave nothing on stderr", {
  rscript <- file.path(R.home("bin"), "Rscript")
  script <- tempfile(fileext = ".R")
  writeLines(c(
    "suppressPackageStartupMessages(library(hrrstats))",
    "d <- data.frame(time = c(5, 8, 3, 4), status = c(0, 0, 0, 0), x = c(1, Inf, 2, 3))",
    "try(cox_ph(Surv(time, status) ~ x, data = d), silent = TRUE)",
    "d$status <- c(1, 0, 1, 1)",
    "try(cox_ph(Surv(time, status) ~ x, data = d), silent = TRUE)",
    "try(cox_ph(Surv(time, status) ~ x, data = d, ties = 'exact'), silent = TRUE)",
    "cat('done\\n')"), script)
  env <- paste0("R_LIBS=", paste(.libPaths(), collapse = .Platform$path.sep))
  out <- suppressWarnings(system2(rscript, script, stdout = TRUE, stderr = TRUE, env = env))
  expect_true("done" %in% out)
  expect_false(any(grepl("panick", out)))
})

# ---- generalised linear models --------------------------------------------------------

glm_small <- function() {
  data.frame(y = c(2, 0, 5, 1, 3, 4, 0, 2), x = c(0.5, 1.2, 2.2, 0.1, 1.7, 2.9, 0.4, 1.1),
             g = c("a", "a", "b", "b", "c", "c", "a", "b"), n = c(5, 3, 6, 2, 4, 5, 3, 4))
}

test_that("glm: negative counts name the response and the row", {
  d <- glm_small(); d$y[3] <- -1
  expect_clean_error(poisson_glm(y ~ x, data = d), "argument `y` \\(y\\): negative count.*row 3")
  expect_clean_error(negbin_glm(y ~ x, data = d), "argument `y`.*negative count.*row 3")
})

test_that("glm: a binomial response outside [0, 1] names the response and the row", {
  d <- glm_small()
  expect_clean_error(logistic_glm(y ~ x, data = d), "argument `y` \\(y\\): binomial.*row 1")
  d$p <- d$y / d$n; d$p[6] <- 1.5
  expect_clean_error(logistic_glm(p ~ x, data = d, weights = n), "argument `y`.*\\[0, 1\\].*row 6")
  expect_clean_error(logistic_glm(g ~ x, data = transform(d, g = as.character(g))),
                     "argument `y` \\(g\\) must be numeric, logical, a factor")
})

test_that("glm: unknown family or link is an error naming it", {
  d <- glm_small()
  expect_clean_error(glm_fit(y ~ x, data = d, family = "gamma"),
                     "argument `family`: unknown value \"gamma\"")
  expect_clean_error(glm_fit(y ~ x, data = d, family = "poisson", link = "sqrt"),
                     "argument `link`: unknown value \"sqrt\"")
  expect_clean_error(glm_fit(y ~ x, data = d, family = c("poisson", "binomial")),
                     "argument `family`: must be a single string")
  expect_clean_error(glm_fit(y ~ x, data = d, family = "poisson", theta = 2),
                     "argument `theta`: applies only to family \"negbin\", not \"poisson\"")
  expect_clean_error(poisson_glm(y ~ x, data = d, family = "binomial"), "argument `family`")
})

test_that("glm: missing values name the variable and the row unless na_action = \"drop\"", {
  d <- glm_small(); d$x[4] <- NA
  expect_clean_error(poisson_glm(y ~ x, data = d),
                     "argument `covariates` \\(x\\): missing value \\(NA\\) at row 4")
  d <- glm_small(); d$y[6] <- NA
  expect_clean_error(poisson_glm(y ~ x + g, data = d), "argument `y` \\(y\\): missing.*row 6")
  d <- glm_small(); d$n[2] <- NA
  expect_clean_error(poisson_glm(y ~ x, data = d, weights = n), "argument `weights`.*row 2")
  expect_clean_error(poisson_glm(y ~ x + offset(log(n)), data = d),
                     "argument `offset` \\(offset\\(log\\(n\\)\\)\\).*row 2")
  fit <- poisson_glm(y ~ x + offset(log(n)), data = d, na_action = "drop")
  expect_identical(fit$n_dropped, 1L)
  # after dropping rows, core errors still count rows of the caller's data
  d <- glm_small(); d$x[2] <- NA; d$y[5] <- -3
  expect_clean_error(poisson_glm(y ~ x, data = d, na_action = "drop"), "negative count.*row 5")
})

test_that("glm: bad weights, start, control, robust and formulas are clean errors", {
  d <- glm_small()
  expect_clean_error(poisson_glm(y ~ x, data = d, weights = rep(1, 3)),
                     "`weights`.*length 3.*`y` has length 8")
  d$w <- c(1, 1, -1, 1, 1, 1, 1, 1)
  expect_clean_error(poisson_glm(y ~ x, data = d, weights = w),
                     "argument `weights`: negative value.*row 3")
  expect_clean_error(poisson_glm(y ~ x, data = d, start = c(0, 0, 0)),
                     "argument `start`: has 3 values for 2 coefficients")
  expect_clean_error(poisson_glm(y ~ x, data = d, control = list(maxit = 0)),
                     "argument `control\\$maxit`: must be a whole number >= 1")
  expect_clean_error(poisson_glm(y ~ x, data = d, control = list(epsilon = -1)),
                     "argument `control\\$epsilon`: must be positive")
  expect_clean_error(poisson_glm(y ~ x, data = d, control = list(tol = 1)), "unknown setting")
  expect_clean_error(poisson_glm(y ~ x, data = d, robust = "HC3"), "argument `robust`")
  expect_clean_error(poisson_glm(y ~ x, data = d, robust = "HC0", cluster = g), "HC1")
  expect_clean_error(poisson_glm(y ~ 1, data = d), "at least one covariate")
  expect_clean_error(poisson_glm(~ x, data = d), "two-sided formula")
  expect_clean_error(poisson_glm(y ~ x, data = d, weights = "nope"), "no column \"nope\"")
  expect_clean_error(glm_fit(cbind(y, n) ~ x, data = d, family = "poisson"),
                     "matrix response is only for the binomial")
  expect_clean_error(predict(poisson_glm(y ~ x + g, data = d), data.frame(x = 1, g = "z")),
                     "factor g has new level")
  # option values are the core's to check, with the same error as in Python
  fit <- poisson_glm(y ~ x, data = d)
  expect_clean_error(predict(fit, type = "risk"), "argument `type`: unknown value \"risk\"")
  expect_clean_error(residuals(fit, "raw"), "argument `type`: unknown value \"raw\"")
  expect_clean_error(confint(fit, level = 2), "argument `level`")
})

test_that("glm: errors leave nothing on stderr", {
  rscript <- file.path(R.home("bin"), "Rscript")
  script <- tempfile(fileext = ".R")
  writeLines(c(
    "suppressPackageStartupMessages(library(hrrstats))",
    "d <- data.frame(y = c(2, -1, 3, 4), x = c(1, 2, 2, 3))",
    "try(poisson_glm(y ~ x, data = d), silent = TRUE)",
    "d$y[2] <- 1",
    "try(glm_fit(y ~ x, data = d, family = 'poisson', link = 'nope'), silent = TRUE)",
    "try(logistic_glm(y ~ x, data = d), silent = TRUE)",
    "try(poisson_glm(y ~ x, data = d, start = 1), silent = TRUE)",
    "cat('done\\n')"), script)
  env <- paste0("R_LIBS=", paste(.libPaths(), collapse = .Platform$path.sep))
  out <- suppressWarnings(system2(rscript, script, stdout = TRUE, stderr = TRUE, env = env))
  expect_true("done" %in% out)
  expect_false(any(grepl("panick", out)))
  expect_identical(out, "done")
})

# ---- person-time, rates, standardisation and SIR ------------------------------------------

lexis_small <- function() {
  data.frame(id = 1:6, entry = c(2001, 2005, 2003.5, 2008, 2002, 2010),
             exit = c(2009, 2010, 2006, 2015, 2004, 2012), status = c(1, 0, 1, 0, 2, 0),
             age_at_entry = c(35, 40, 50, 72, 61, 58))
}
lexis_scales <- list(per = NULL, age = "age_at_entry")
lexis_breaks <- list(age = c(0, 40, 60, 80))

test_that("lexis: exit before entry, NaN and NA name the argument and the row", {
  d <- lexis_small(); d$exit[3] <- d$entry[3] - 1
  expect_clean_error(lexis_split(d, "entry", "exit", "status", time_scales = lexis_scales,
                                 breaks = lexis_breaks),
                     "argument `exit`: exit is before entry.*row 3")
  expect_clean_error(person_time_table(d, "entry", "exit", "status", time_scales = lexis_scales,
                                       breaks = lexis_breaks), "argument `exit`.*row 3")
  d <- lexis_small(); d$age_at_entry[4] <- NA
  expect_clean_error(lexis_split(d, "entry", "exit", "status", time_scales = lexis_scales,
                                 breaks = lexis_breaks),
                     "argument `time_scales`, column `age`: missing value \\(NaN\\) at row 4")
  d <- lexis_small(); d$exit[5] <- NaN
  expect_clean_error(lexis_split(d, "entry", "exit", "status", time_scales = lexis_scales,
                                 breaks = lexis_breaks), "argument `exit`: missing value \\(NaN\\) at row 5")
  d <- lexis_small(); d$status[6] <- NA
  expect_clean_error(lexis_cut(d, "entry", "exit", "status", time_scales = lexis_scales,
                               cut = rep(NA, 6), new_state = 3),
                     "argument `status`: missing value.*row 6")
  expect_clean_error(lexis_split(lexis_small()[0, ], "entry", "exit", "status",
                                 time_scales = lexis_scales, breaks = lexis_breaks),
                     "argument `exit` is empty")
})

test_that("lexis: bad time scales, breaks and columns name the argument", {
  d <- lexis_small()
  expect_clean_error(person_time_table(d, "entry", "exit", "status", time_scales = lexis_scales,
                                       breaks = list(tsd = c(0, 1))),
                     "argument `breaks`: no time scale named `tsd` \\(scales: per, age\\)")
  expect_clean_error(lexis_split(d, "entry", "exit", "status", breaks = lexis_breaks,
                                 time_scales = list(per = "age_at_entry", age = "age_at_entry")),
                     "argument `time_scales`: the first scale .* `entry`")
  expect_clean_error(lexis_split(d, "entry", "exit", "status", time_scales = "per",
                                 breaks = lexis_breaks), "argument `time_scales` must be a named list")
  expect_clean_error(lexis_split(d, "entry", "exit", "status", breaks = lexis_breaks,
                                 time_scales = list(per = NULL, age = "age_at_entry", age = "id")),
                     "the time scale `age` is given twice")
  expect_clean_error(lexis_split(d, "entry", "exit", "status", time_scales = lexis_scales,
                                 breaks = c(0, 40)), "argument `breaks` must be a named list")
  expect_clean_error(lexis_split(d, "entry", "exit", "status", time_scales = lexis_scales,
                                 breaks = list(age = c(40, 0))),
                     "argument `breaks`: breaks of `age` must be .* increasing")
  expect_clean_error(lexis_split(d, "entry", "exit", "nope", time_scales = lexis_scales,
                                 breaks = lexis_breaks),
                     "argument `status`: no column \"nope\" in `data`")
  expect_clean_error(lexis_split(d, "entry", "exit", "status", time_scales = lexis_scales,
                                 breaks = lexis_breaks, drop = NA), "argument `drop`")
  expect_clean_error(lexis_split(d, "entry", "exit", "status", time_scales = lexis_scales,
                                 breaks = lexis_breaks, id = 1:3),
                     "argument `id` has length 3 but `entry` has length 6")
  expect_clean_error(lexis_split(entry = d$entry, exit = d$exit[-1], status = d$status,
                                 time_scales = list(per = NULL, age = d$age_at_entry),
                                 breaks = lexis_breaks),
                     "argument `exit` has length 5 but `entry` has length 6")
  expect_clean_error(lexis_split(d, factor(d$entry), "exit", "status",
                                 time_scales = list(per = NULL), breaks = list(per = c(2000, 2010))),
                     "argument `entry` must be numeric")
  expect_clean_error(lexis_split(d$entry, "exit", "status", time_scales = lexis_scales,
                                 breaks = lexis_breaks), "argument `data` must be a data frame")
  # vectors work without data
  s <- lexis_split(entry = d$entry, exit = d$exit, status = d$status,
                   time_scales = list(per = NULL, age = d$age_at_entry), breaks = lexis_breaks)
  expect_identical(sort(unique(s$id)), 1:6)
})

test_that("lexis: bad by-variables and cuts name the argument and the row", {
  d <- lexis_small()
  expect_clean_error(person_time_table(d, "entry", "exit", "status", time_scales = lexis_scales,
                                       breaks = lexis_breaks, by = list(g = c("a", NA, rep("b", 4)))),
                     "argument `by`: missing value \\(NA\\) at row 2")
  expect_clean_error(person_time_table(d, "entry", "exit", "status", time_scales = lexis_scales,
                                       breaks = lexis_breaks, by = "zz"),
                     "argument `by`: no column \"zz\" in `data`")
  expect_clean_error(person_time_table(d, "entry", "exit", "status", time_scales = lexis_scales,
                                       breaks = lexis_breaks, by = list(g = 1:3)),
                     "argument `by`: `g` has length 3 but `entry` has length 6")
  d$cut <- c(2003, Inf, NA, NA, NA, NA)
  expect_clean_error(lexis_cut(d, "entry", "exit", "status", time_scales = lexis_scales,
                               cut = "cut", new_state = 3),
                     "argument `cut`: cut time is infinite.*row 2")
  d$cut[2] <- NA
  expect_clean_error(lexis_cut(d, "entry", "exit", "status", time_scales = lexis_scales,
                               cut = "cut", new_state = 3, timescale = "tsd"),
                     "argument `timescale`: no time scale named `tsd`")
  expect_clean_error(lexis_cut(d, "entry", "exit", "status", time_scales = lexis_scales,
                               cut = "cut", new_state = c(3, 3, NA, 3, 3, 3)),
                     "argument `new_state`: state is missing.*row 3")
  expect_clean_error(lexis_cut(d, "entry", "exit", "status", time_scales = lexis_scales,
                               cut = "cut", new_state = 3, precursor_states = "0"),
                     "argument `precursor_states`")
  expect_clean_error(lexis_cut(d, "entry", "exit", "status", time_scales = lexis_scales,
                               cut = "cut", new_state = 3, progressive = "yes"),
                     "argument `progressive`")
})

test_that("rates: bad counts, person-time and options name the argument and the row", {
  expect_clean_error(rate(events = c(1, 2.5), person_time = c(10, 10)),
                     "argument `events`: .*whole number.*row 2")
  expect_clean_error(rate(events = c(1, 2), person_time = c(10, 0)),
                     "argument `person_time`: person-time must be positive.*row 2")
  expect_clean_error(rate(events = c(1, NA), person_time = 10), "argument `events`: .*missing.*row 2")
  expect_clean_error(rate(events = -1, person_time = 10), "argument `events`: count is negative.*row 1")
  expect_clean_error(rate(events = 1:3, person_time = c(10, 10)),
                     "argument `person_time` has length 2 but `events` has length 3")
  expect_clean_error(rate(3, 100), "argument `data` must be a data frame.*rate\\(events = ")
  expect_clean_error(rate(events = 3, person_time = 100, conf_level = 1.5), "argument `conf_level`")
  expect_clean_error(rate(events = 3, person_time = 100, null_rate = -1), "argument `null_rate`")
  expect_clean_error(rate(events = 3, person_time = 100, per = 0), "argument `per`")
  expect_clean_error(rate(data.frame(x = 1), "events", "x"),
                     "argument `events`: no column \"events\" in `data`")
  expect_clean_error(rate_ratio(events1 = 0, person_time1 = 10, events2 = 0, person_time2 = 10),
                     "argument `events1`: no events in either group.*row 1")
  expect_clean_error(rate_ratio(events1 = 1, person_time1 = 10, events2 = 0, person_time2 = 10,
                                null_ratio = 0), "argument `null_ratio`")
  expect_clean_error(rate_difference(events1 = 1, person_time1 = c(10, -1), events2 = 0,
                                     person_time2 = 10),
                     "argument `person_time1`: .*row 2")
  expect_clean_error(standard_population("martian"),
                     "argument `name`: unknown value \"martian\"; accepted: \"who2000\"")
  expect_clean_error(standard_population(2), "argument `name`")
})

test_that("direct_standardize and sir: bad input names the argument, row or stratum", {
  expect_clean_error(direct_standardize(events = c(1, 2), person_time = c(10, 10),
                                        standard_weights = c(1, -1)),
                     "argument `standard_weights`: .*non-negative.*row 2")
  expect_clean_error(direct_standardize(events = c(1, 2, 3), person_time = c(10, 10, 10),
                                        standard_weights = c(1, 0, 0), by = list(g = c("a", "b", "b"))),
                     "argument `standard_weights`: group g=b .*sum to zero")
  expect_clean_error(direct_standardize(events = c(1, 2), person_time = c(10, 10),
                                        standard_weights = "who2000", age = c(5, -1)),
                     "argument `age`: missing or negative value.*at row 2")
  expect_clean_error(direct_standardize(events = c(1, 2), person_time = c(10, 10),
                                        standard_weights = c(1, 1), by = list(g = c("a", NA))),
                     "argument `by`: missing value \\(NA\\) at row 2")
  expect_clean_error(sir(observed = c(1, 2), person_time = c(10, 10), reference_rate = c(0.1, 0.1),
                         by = list(g = c("a", NA))),
                     "argument `by`: missing value \\(NA\\) at row 2")
  expect_clean_error(sir(observed = c(1, 2, 3), person_time = c(10, 10, 10),
                         reference_rate = c(0.1, 0, 0.1), by = list(g = c("a", "b", "a"))),
                     "argument `reference_rate`: the expected count is zero in stratum g=b")
  expect_clean_error(sir(observed = c(1, 2), person_time = c(10, NA), reference_rate = c(0.1, 0.1)),
                     "argument `person_time`: .*row 2")
  expect_clean_error(sir(observed = c(1, 2.5), person_time = c(10, 10), reference_rate = 0.1),
                     "argument `observed`: .*whole number.*row 2")
  d <- data.frame(y = 1:2, g = 1:2)
  expect_clean_error(sir(y ~ g, d, person_time = 1, reference_rate = 1, by = "g"),
                     "either in the formula or as `by`")
  expect_clean_error(sir(~ g, d, person_time = 1, reference_rate = 1), "two-sided")
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off(), add = TRUE)
  expect_clean_error(lexis_diagram(lexis_small(), "entry", "exit", "status",
                                   time_scales = list(per = NULL)), "needs two time scales")
  expect_clean_error(plot_rates(data.frame(a = 1), "a", events = "zz"),
                     "argument `events`: no column \"zz\" in `table`")
})

test_that("person-time errors leave nothing on stderr", {
  rscript <- file.path(R.home("bin"), "Rscript")
  script <- tempfile(fileext = ".R")
  writeLines(c(
    "suppressPackageStartupMessages(library(hrrstats))",
    "d <- data.frame(entry = c(1, 2, 3), exit = c(2, 1, 4), status = c(0, 1, 0))",
    "try(lexis_split(d, 'entry', 'exit', 'status', time_scales = list(t = NULL), breaks = list(t = 0:5)), silent = TRUE)",
    "try(person_time_table(d, 'entry', 'exit', 'status', time_scales = list(t = NULL), breaks = list(u = 0:5)), silent = TRUE)",
    "try(rate(events = 1.5, person_time = 2), silent = TRUE)",
    "try(sir(observed = 1, person_time = 1, reference_rate = 0), silent = TRUE)",
    "cat('done\\n')"), script)
  env <- paste0("R_LIBS=", paste(.libPaths(), collapse = .Platform$path.sep))
  out <- suppressWarnings(system2(rscript, script, stdout = TRUE, stderr = TRUE, env = env))
  expect_identical(out, "done")
})

# ---- competing risks --------------------------------------------------------------------

cr_small <- function() {
  data.frame(time = c(5, 8, 12, 3, 9, 15, 7, 11, 4, 6), event = c(1, 0, 2, 1, 1, 0, 2, 0, 1, 2),
             grp = c(1, 1, 1, 1, 1, 2, 2, 2, 2, 2),
             x = c(0.5, 1.2, -0.3, 0.8, 0, 1.5, -1, 0.2, 0.7, -0.4),
             entry = c(0, 1, 2, 0, 1, 3, 0, 2, 0, 1))
}

test_that("cumulative_incidence: bad times, entries, events and weights name the argument and row", {
  d <- cr_small(); d$time[3] <- -1
  expect_clean_error(cumulative_incidence(Surv(time, event) ~ grp, data = d),
                     "argument `time`: negative value.*row 3")
  d <- cr_small(); d$entry[5] <- d$time[5]
  expect_clean_error(cumulative_incidence(Surv(entry, time, event) ~ 1, data = d),
                     "argument `entry`: entry is not before the exit time.*row 5")
  d <- cr_small(); d$event[4] <- NA
  expect_clean_error(cumulative_incidence(Surv(time, event) ~ grp, data = d),
                     "argument `cause` \\(event\\): missing value \\(NA\\) at row 4.*na_action")
  expect_identical(cumulative_incidence(Surv(time, event) ~ grp, data = d,
                                        na_action = "drop")$n_dropped, 1L)
  d <- cr_small(); d$event[4] <- NA; d$time[7] <- -2
  expect_clean_error(cumulative_incidence(Surv(time, event) ~ grp, data = d, na_action = "drop"),
                     "argument `time`: negative value.*row 7")
  d <- cr_small(); d$event <- as.character(d$event)
  expect_clean_error(cumulative_incidence(Surv(time, event) ~ 1, data = d),
                     "argument `cause` \\(event\\) must be numeric codes .* or a factor")
  d <- cr_small(); d$event <- factor(d$event)
  expect_clean_error(cumulative_incidence(Surv(time, event) ~ 1, data = d, censor_code = 0),
                     "argument `censor_code`.*first level \\(\"0\"\\) is censoring")
  d <- cr_small(); d$wt <- c(1, 1, 1, 1, 1, 1, -1, 1, 1, 1)
  expect_clean_error(cumulative_incidence(Surv(time, event) ~ 1, data = d, weights = wt),
                     "argument `weights`: weight is negative.*row 7")
  expect_clean_error(cumulative_incidence(Surv(time, event) ~ 1, data = cr_small(),
                                          weights = rep(1, 3)),
                     "`weights`.*length 3.*`time` has length 10")
})

test_that("cumulative_incidence: bad formulas, options and times name the argument", {
  d <- cr_small()
  expect_clean_error(cumulative_incidence(time ~ grp, data = d), "Surv\\(time, event\\)")
  expect_clean_error(cumulative_incidence(Surv(time) ~ grp, data = d), "needs an event")
  expect_clean_error(cumulative_incidence(Surv(time, event, type = "interval") ~ grp, data = d),
                     "\"mstate\"")
  expect_clean_error(cumulative_incidence(Surv(time, event) ~ grp, data = d, conf_type = "logg"),
                     "argument `conf_type`: unknown value")
  expect_clean_error(cumulative_incidence(Surv(time, event) ~ grp, data = d, conf_level = 2),
                     "argument `conf_level`")
  expect_clean_error(cumulative_incidence(Surv(time, event) ~ grp, data = d, rho = "a"),
                     "argument `rho`")
  ci <- cumulative_incidence(Surv(time, event) ~ grp, data = d)
  expect_clean_error(summary(ci, times = c(1, NA)), "argument `times`: missing value \\(NaN\\) at row 2")
  expect_clean_error(summary(ci, times = "a"), "argument `times`")
  expect_clean_error(summary(ci, times = 1, group = "grp=9"), "argument `group`: no group \"grp=9\"")
  expect_clean_error(summary(ci, times = 1, group = 3), "argument `group`")
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off(), add = TRUE)
  expect_clean_error(plot(ci, causes = 7), "argument `causes`: no cause \"7\"")
  expect_clean_error(plot(ci, stacked = NA), "argument `stacked`")
})

test_that("fine_gray: bad data, causes and options name the argument and the row", {
  d <- cr_small()
  expect_clean_error(fine_gray(Surv(time, event) ~ x, data = d, cause = 7),
                     "argument `cause`: no events of the cause of interest \\(7\\)")
  expect_clean_error(fine_gray(Surv(time, event) ~ x, data = d, cause = 0),
                     "argument `cause`: the cause of interest is the censoring code")
  expect_clean_error(fine_gray(Surv(time, event) ~ x, data = d, cause = "a"),
                     "argument `cause`: the event is numeric")
  d$x[2] <- NaN
  expect_clean_error(fine_gray(Surv(time, event) ~ x, data = d),
                     "argument `covariates` \\(x\\): missing value \\(NaN\\) at row 2")
  d <- cr_small(); d$time[6] <- -1
  expect_clean_error(fine_gray(Surv(time, event) ~ x, data = d),
                     "argument `time`: negative value.*row 6")
  d <- cr_small()
  expect_clean_error(fine_gray(Surv(entry, time, event) ~ x, data = d),
                     "argument `entry`: .*delayed entry is not supported")
  expect_clean_error(fine_gray(Surv(time, event) ~ x + strata(grp), data = d),
                     "argument `formula`: strata\\(\\), cluster\\(\\) and offset\\(\\)")
  expect_clean_error(fine_gray(Surv(time, event) ~ 1, data = d), "at least one covariate")
  expect_clean_error(fine_gray(Surv(time, event) ~ x + I(2 * x), data = d),
                     "argument `covariates`: the information matrix is singular")
  expect_clean_error(fine_gray(Surv(time, event) ~ x, data = d, cengroup = 1:3),
                     "argument `cengroup`.*length 3.*`time` has length 10")
  expect_clean_error(fine_gray(Surv(time, event) ~ x, data = d, cengroup = "nope"),
                     "argument `cengroup`: no column \"nope\"")
  expect_clean_error(fine_gray(Surv(time, event) ~ x, data = d, gtol = -1), "argument `gtol`")
  expect_clean_error(fine_gray(Surv(time, event) ~ x, data = d, max_iter = -1),
                     "argument `max_iter`")
  expect_clean_error(fine_gray(Surv(time, event) ~ x, data = d, conf_level = 1),
                     "argument `conf_level`")
  d$ev <- factor(d$event, 0:2, c("censored", "relapse", "death"))
  expect_clean_error(fine_gray(Surv(time, ev) ~ x, data = d, cause = "rel"),
                     "argument `cause`: no level \"rel\"")
  fg <- fine_gray(Surv(time, event) ~ x, data = d)
  expect_clean_error(predict(fg, data.frame(x = c(1, NA))),
                     "argument `newdata`: covariate is missing or not finite at row 2")
  expect_clean_error(predict(fg), "argument `newdata`")
  expect_clean_error(confint(fg, level = 2), "argument `level`")
  expect_clean_error(baseline_hazard(stats::lm(dist ~ speed, datasets::cars)),
                     "argument `fit` must be a cox_ph\\(\\) or fine_gray\\(\\) fit")
})

test_that("competing risks: options are parsed by the core; dropped rows keep the user's row numbers", {
  d <- cr_small()
  expect_clean_error(cumulative_incidence(Surv(time, event) ~ grp, data = d, variance = "x"),
                     "argument `variance`: unknown value \"x\"; accepted: \"cuminc\", \"survfit\"")
  expect_clean_error(cumulative_incidence(Surv(time, event) ~ grp, data = d, conf_type = "logg"),
                     "accepted: \"log\", \"log-log\", \"plain\", \"logit\", \"arcsin\", \"none\"")
  d$x[3] <- NA
  fg <- fine_gray(Surv(time, event) ~ x, data = d, na_action = "drop")
  expect_identical(c(fg$n, fg$n_dropped), c(9L, 1L))
  d$time[6] <- -1
  expect_clean_error(fine_gray(Surv(time, event) ~ x, data = d, na_action = "drop"),
                     "argument `time`: negative value.*row 6")
})

test_that("competing-risks errors leave nothing on stderr", {
  rscript <- file.path(R.home("bin"), "Rscript")
  script <- tempfile(fileext = ".R")
  writeLines(c(
    "suppressPackageStartupMessages(library(hrrstats))",
    "d <- data.frame(time = c(1, -2, 3, 4), event = c(1, 2, 0, 1), x = c(0, 1, 2, 3))",
    "try(cumulative_incidence(Surv(time, event) ~ 1, data = d), silent = TRUE)",
    "try(fine_gray(Surv(time, event) ~ x, data = d), silent = TRUE)",
    "d$time[2] <- 2",
    "try(fine_gray(Surv(time, event) ~ x, data = d, cause = 5), silent = TRUE)",
    "cat('done\\n')"), script)
  env <- paste0("R_LIBS=", paste(.libPaths(), collapse = .Platform$path.sep))
  out <- suppressWarnings(system2(rscript, script, stdout = TRUE, stderr = TRUE, env = env))
  expect_identical(out, "done")
})

# ---- interval (life-table) net survival ---------------------------------------------------

rs_small <- function() {
  data.frame(time = c(0.5, 2.2, 1.1, 3.4, 0.8, 4.9), status = c(1, 0, 1, 0, 1, 0),
             age = c(50, 62, 71, 45, 80, 66), year = c(1995.2, 1996.7, 1998.1, 1999.9, 2001.3, 2003.5),
             sex = c(1, 2, 1, 2, 2, 1), grp = c("a", "a", "b", "b", "a", "b"))
}

rs_small_table <- function(time_unit = "years") {
  tab <- expand.grid(age = c(0, 50, 70), year = c(1990, 2000), sex = c(1, 2))
  tab$rate <- 0.01 * (1 + tab$age / 10) / (if (time_unit == "days") 365.241 else 1)
  rate_table(tab, time_unit = time_unit)
}

test_that("interval_net_survival: bad time, status, breaks and options name the argument and the row", {
  d <- rs_small()
  rt <- rs_small_table()
  fit <- interval_net_survival(Surv(time, status) ~ grp, d, rt, breaks = 0:5)
  expect_s3_class(fit, "hrr_interval_netsurv")
  d2 <- d; d2$time[3] <- -1
  expect_clean_error(interval_net_survival(Surv(time, status) ~ 1, d2, rt, breaks = 0:5),
                     "argument `time`: follow-up time must be positive.*value -1.*row 3")
  d2 <- d; d2$time[2] <- NA
  expect_clean_error(interval_net_survival(Surv(time, status) ~ 1, d2, rt, breaks = 0:5),
                     "argument `time`.*missing value \\(NA\\) at row 2")
  d2 <- d; d2$status[4] <- 2
  expect_clean_error(interval_net_survival(Surv(time, status) ~ 1, d2, rt, breaks = 0:5),
                     "argument `status`.*value 2.*row 4")
  expect_clean_error(interval_net_survival(Surv(time, status) ~ 1, d, rt, breaks = 1:5),
                     "argument `breaks`: the first boundary must be 0.*value 1.*row 1")
  # a table in days: boundaries are still reported in years
  expect_clean_error(interval_net_survival(Surv(time, status) ~ 1, transform(d, time = time * 365.241),
                                           rs_small_table("days"), breaks = c(2, 3)),
                     "argument `breaks`: the first boundary must be 0 .*\\(value 2\\) at row 1")
  expect_clean_error(interval_net_survival(Surv(time, status) ~ 1, d, rt, breaks = c(0, 2, 1)),
                     "argument `breaks`: boundaries must be strictly increasing.*row 3")
  expect_clean_error(interval_net_survival(Surv(time, status) ~ 1, d, rt, breaks = c(0, NA, 2)),
                     "argument `breaks`: boundary is not finite.*row 2")
  expect_clean_error(interval_net_survival(Surv(time, status) ~ 1, d, rt, breaks = 0),
                     "argument `breaks`: at least two")
  expect_clean_error(interval_net_survival(Surv(time, status) ~ 1, d, rt, breaks = "0:5"),
                     "argument `breaks` must be numeric")
  expect_clean_error(interval_net_survival(Surv(time, status) ~ 1, d, rt, method = "ederer1"),
                     "argument `method`: unknown value \"ederer1\"")
  expect_clean_error(interval_net_survival(Surv(time, status) ~ 1, d, rt, method = c("pp", "e2")),
                     "argument `method`: must be a single string, got strings")
  expect_clean_error(interval_net_survival(Surv(time, status) ~ 1, d, rt, pp_weight = "end"),
                     "argument `pp_weight`: unknown value")
  expect_clean_error(interval_net_survival(Surv(time, status) ~ 1, d, rt, conf_type = "logit"),
                     "argument `conf_type`")
  expect_clean_error(interval_net_survival(Surv(time, status) ~ 1, d, rt, conf_level = 1.5),
                     "argument `conf_level`")
  d2 <- d; d2$age[5] <- -3
  expect_clean_error(interval_net_survival(Surv(time, status) ~ 1, d2, rt),
                     "argument `age`.*row 5")
  d2 <- d; d2$sex[6] <- 3
  expect_clean_error(interval_net_survival(Surv(time, status) ~ 1, d2, rt),
                     "argument `sex`: value \"3\" at row 6")
  expect_clean_error(interval_net_survival(Surv(entry, time, status) ~ 1, transform(d, entry = 0), rt),
                     "delayed entry")
  expect_clean_error(interval_net_survival(Surv(time, status) ~ 1, d, list()),
                     "argument `ratetable`")
})

test_that("relative-survival errors leave nothing on stderr", {
  rscript <- file.path(R.home("bin"), "Rscript")
  script <- tempfile(fileext = ".R")
  writeLines(c(
    "suppressPackageStartupMessages(library(hrrstats))",
    "tab <- expand.grid(age = c(0, 50), year = c(1990, 2000), sex = c(1, 2))",
    "tab$rate <- 0.01",
    "rt <- rate_table(tab, time_unit = 'years')",
    "d <- data.frame(time = c(1, -2, 3), status = c(1, 0, 1), age = 60, year = 1995, sex = 1)",
    "try(interval_net_survival(Surv(time, status) ~ 1, d, rt), silent = TRUE)",
    "d$time[2] <- 2",
    "try(interval_net_survival(Surv(time, status) ~ 1, d, rt, breaks = c(1, 2)), silent = TRUE)",
    "try(interval_net_survival(Surv(time, status) ~ 1, d, rt, method = 'x'), silent = TRUE)",
    "try(builtin_rate_table('x'), silent = TRUE)",
    "cat('done\\n')"), script)
  env <- paste0("R_LIBS=", paste(.libPaths(), collapse = .Platform$path.sep))
  out <- suppressWarnings(system2(rscript, script, stdout = TRUE, stderr = TRUE, env = env))
  expect_identical(out, "done")
})
