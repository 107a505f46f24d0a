# Checks made once, in the core, with the same message as in Python (test_hostchk.py): the
# Lexis lengths (against `entry`), the by-variables' lengths, the Kaplan-Meier stratum
# lookup and `na_action`.
hc_entry <- c(2001, 2005, 2003.5, 2008, 2002, 2010)
hc_exit <- c(2009, 2010, 2006, 2015, 2004, 2012)
hc_status <- c(1, 0, 1, 0, 2, 0)
hc_age <- c(35, 40, 50, 72, 61, 58)
hc_breaks <- list(age = c(0, 40, 60, 80))

hc_error <- function(expr) tryCatch({ force(expr); "" }, error = conditionMessage)

test_that("Lexis lengths are checked against `entry` by the core", {
  for (fun in list(lexis_split, person_time_table)) {
    sc <- list(per = NULL, age = hc_age)
    expect_identical(hc_error(fun(entry = hc_entry, exit = hc_exit[-1], status = hc_status,
                                  time_scales = sc, breaks = hc_breaks)),
                     "argument `exit` has length 5 but `entry` has length 6")
    expect_identical(hc_error(fun(entry = hc_entry, exit = hc_exit, status = hc_status[1:4],
                                  time_scales = sc, breaks = hc_breaks)),
                     "argument `status` has length 4 but `entry` has length 6")
    expect_identical(hc_error(fun(entry = hc_entry, exit = hc_exit, status = hc_status,
                                  time_scales = list(per = NULL, age = hc_age[1:3]),
                                  breaks = hc_breaks)),
                     "argument `time_scales`: scale `age` has length 3 but `entry` has length 6")
    expect_identical(hc_error(fun(entry = hc_entry, exit = hc_exit, status = hc_status,
                                  time_scales = sc, breaks = hc_breaks, entry_status = c(0, 0))),
                     "argument `entry_status` has length 2 but `entry` has length 6")
  }
})

test_that("lexis_cut and by-variables name `entry`", {
  sc <- list(per = NULL, age = hc_age)
  expect_identical(hc_error(lexis_cut(entry = hc_entry, exit = hc_exit, status = hc_status,
                                      time_scales = sc, cut = c(2003, NA), new_state = 3)),
                   "argument `cut` has length 2 but `entry` has length 6")
  expect_identical(hc_error(person_time_table(entry = hc_entry, exit = hc_exit, status = hc_status,
                                              time_scales = sc, breaks = hc_breaks,
                                              by = list(g = c("a", "b", "a")))),
                   "argument `by`: `g` has length 3 but `entry` has length 6")
})

test_that("the Kaplan-Meier stratum is looked up by the core", {
  d <- data.frame(time = 1:6, status = c(1, 0, 1, 1, 0, 1), g = rep(c("a", "b"), 3))
  km <- kaplan_meier(Surv(time, status) ~ g, data = d)
  lev <- km$strata_levels
  msg <- sprintf("argument `stratum`: \"zzz\" is not a stratum of the fit (strata: %s)",
                 paste(lev, collapse = ", "))
  expect_identical(hc_error(survival_at(km, 1, stratum = "zzz")), msg)
  expect_identical(hc_error(survival_at(km, 1, stratum = 3)),
                   sub("zzz", "3", msg, fixed = TRUE))
  a <- survival_at(km, c(1, 5), stratum = lev[1])
  expect_equal(a$survival, survival_at(km, c(1, 5), stratum = 1)$survival)
  expect_false(identical(a$survival, survival_at(km, c(1, 5), stratum = 2)$survival))
  expect_identical(hc_error(rmst_difference(km, 4, strata = c(lev[1], "zzz"))),
                   sub("`stratum`", "`strata`", msg, fixed = TRUE))
  expect_identical(as.character(rmst_difference(km, 4, strata = rev(lev))$strata), rev(lev))
})

test_that("an unknown na_action is the core's wording", {
  expect_identical(hc_error(kaplan_meier(Surv(time, status) ~ 1, data = data.frame(time = 1:2, status = 1),
                                         na_action = "omit")),
                   "argument `na_action`: unknown value \"omit\"; accepted: \"fail\", \"drop\"")
})

test_that("scalar arguments are read by the core (the same message as Python's)", {
  d <- data.frame(time = 1:6, cause = c(1, 2, 0, 1, 0, 2), status = c(1, 0, 1, 1, 0, 1),
                  g = rep(c("a", "b"), 3))
  expect_identical(hc_error(cumulative_incidence(Surv(time, cause) ~ 1, data = d, censor_code = NA_real_)),
                   "argument `censor_code`: must be a finite code")
  expect_identical(hc_error(cumulative_incidence(Surv(time, cause) ~ 1, data = d, censor_code = "a")),
                   "argument `censor_code`: must be a single number, got a string")
  expect_identical(hc_error(logrank_test(Surv(time, status) ~ g, data = d, rho = "a")),
                   "argument `rho`: must be a single number, got a string")
})
