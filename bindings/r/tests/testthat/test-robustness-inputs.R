# Input checks and error messages (issue "No silent wrong answers"): a bad input is an
# error naming the argument as the user wrote it (and the row, counted from 1), with the
# text of Python and Rust where the core words it; a row dropped for a reason is announced
# by a warning.

# The error's message, exactly (fixed = TRUE) or by pattern; never a panic.
input_error <- function(expr, want, fixed = TRUE) {
  err <- tryCatch({ force(expr); NULL }, error = function(e) e)
  expect_true(inherits(err, "error"), label = "an R error was raised")
  if (is.null(err)) return(invisible())
  msg <- conditionMessage(err)
  if (fixed) expect_identical(msg, want) else expect_match(msg, want)
  expect_no_match(msg, "panick|internal error")
  invisible(msg)
}

year_table <- function() {
  rows <- expand.grid(age = 0:100, year = c(1990, 2000), sex = c("m", "f"))
  rows$rate <- 0.001 + 0.001 * rows$age
  rate_table(rows, time_unit = "years")
}

competing_data <- function() {
  data.frame(time = 1:8, cause = c(1, 2, NA, 1, 0, 2, 1, 0), x = c(1, 0, 1, 0, 1, 0, 1, 1))
}

# ---- cause-specific models ----------------------------------------------------------------

test_that("a missing cause is an error naming the row, or dropped and counted, never censored", {
  d <- competing_data()
  # the core's message, as Python's (rows counted from 1 in R)
  input_error(cause_specific_cox(survival::Surv(time, cause) ~ x, d),
              "argument `cause`: missing value \\(NaN\\) at row 3", fixed = FALSE)
  fits <- suppressWarnings(cause_specific_cox(survival::Surv(time, cause) ~ x, d,
                                              na_action = "drop"))
  expect_identical(names(fits), c("1", "2"))
  for (f in fits) {
    expect_identical(as.integer(f$n), 7L)
    expect_identical(as.integer(f$n_dropped), 1L)
  }
})

# ---- relative survival --------------------------------------------------------------------

test_that("expected_survival refuses the persons net_survival refuses", {
  us <- builtin_rate_table("survexp.us")
  p <- data.frame(time = c(100, 200), status = c(1, 0), age = c(50, 50),
                  year = c(1990, 1930), sex = "male")
  msg <- input_error(expected_survival(us, p, times = 365),
                     "^argument `year`: the rate table does not cover this person.* at row 2$",
                     fixed = FALSE)
  input_error(net_survival(survival::Surv(time, status) ~ 1, p, ratetable = us), msg)
})

test_that("follow-up in days against a table per year is an error about units", {
  rt <- year_table()
  p <- data.frame(time = c(30, 365, 3650), status = c(1, 0, 1), age = c(60, 70, 65),
                  year = c(1995, 1996, 1995), sex = c("m", "f", "m"))
  want <- paste0("argument `time`: the age at the end of follow-up (age + time) is over 150 ",
                 "years: follow-up must be in the rate table's time unit (years), not days or ",
                 "months (value 365) at row 2")
  input_error(net_survival(survival::Surv(time, status) ~ 1, p, ratetable = rt), want)
  input_error(interval_net_survival(survival::Surv(time, status) ~ 1, p, ratetable = rt), want)
  input_error(crude_probabilities(survival::Surv(time, status) ~ 1, p, ratetable = rt), want)
  input_error(expected_survival(rt, p, times = p$time), sub("`time`", "`times`", want))
  p$time <- c(0.1, 1, 10)
  fit <- net_survival(survival::Surv(time, status) ~ 1, p, ratetable = rt)
  expect_true(all(is.finite(fit$survival)))
})

test_that("relative-survival length errors name the persons' argument", {
  us <- builtin_rate_table("survexp.us")
  input_error(expected_survival(us, age = c(50, 60), year = 1990, sex = c("male", "female"),
                                times = 1),
              "argument `year` has length 1 but `age` has length 2")
  input_error(net_survival(survival::Surv(time, status) ~ 1,
                           data.frame(time = c(10, 20), status = c(1, 0)), ratetable = us,
                           age = c(50, 60), year = c(1990, 1991), sex = c(1)),
              "argument `sex` has length 1 but `time` has length 2")
})

# ---- Lexis --------------------------------------------------------------------------------

lexis_zero <- function() data.frame(entry = c(1, 0, 3), exit = c(1, 5, 3), status = c(1, 1, 0))
zero_warning <- paste0("2 rows with zero-length follow-up (exit - entry < 1.5e-8) dropped, 1 ",
                       "of them with an event (an exit status other than the entry status), ",
                       "as Epi::Lexis drops them")

test_that("an event at zero-length follow-up is dropped with a warning", {
  d <- lexis_zero()
  args <- list(d, "entry", "exit", "status", time_scales = list(t = NULL),
               breaks = list(t = c(0, 2, 10)))
  expect_warning(do.call(lexis_split, args), zero_warning, fixed = TRUE)
  expect_warning(tab <- do.call(person_time_table, args), zero_warning, fixed = TRUE)
  expect_identical(tab$events, c(0, 1))
  expect_warning(lexis_cut(d[1:2, ], "entry", "exit", "status", time_scales = list(t = NULL),
                           cut = c(NA, 2), new_state = 2),
                 "1 row with zero-length follow-up (exit = entry) dropped", fixed = TRUE)
  expect_no_warning(lexis_split(d[2, ], "entry", "exit", "status", time_scales = list(t = NULL),
                                breaks = list(t = c(0, 2, 10))))
})

test_that("lexis_diagram refuses missing and reversed exits", {
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off())
  d <- data.frame(entry = c(0, 1), exit = c(3, NA), status = c(1, 0), age = c(50, 60))
  ts <- list(t = NULL, age = "age")
  input_error(lexis_diagram(d, "entry", "exit", "status", time_scales = ts),
              "argument `exit`: missing value (NaN) at row 2")
  d$exit[2] <- 0.5
  input_error(lexis_diagram(d, "entry", "exit", "status", time_scales = ts),
              "argument `exit`: exit is before entry (value 0.5) at row 2")
  d$exit[2] <- 4
  lines <- lexis_diagram(d, "entry", "exit", "status", time_scales = ts)
  expect_identical(lines$y1, c(53, 63))
  expect_identical(lines$event, c(TRUE, FALSE))
})

test_that("a missing Lexis entry is reported as `entry`", {
  d <- data.frame(entry = c(0, NaN), exit = c(1, 5), status = c(1, 1))
  input_error(lexis_split(d, "entry", "exit", "status", time_scales = list(t = NULL),
                          breaks = list(t = c(0, 2, 10))),
              "argument `entry`: missing value (NaN) at row 2")
  d$entry[2] <- 0
  input_error(lexis_split(d, "entry", "exit", "status", time_scales = list(t = NULL),
                          breaks = list(t = 5)),
              paste0("argument `breaks`: breaks of `t` must be at least two finite, strictly ",
                     "increasing values"))
})

# ---- rates and standardisation ------------------------------------------------------------

test_that("a named standard checks the user's rows before pooling", {
  age <- c(0, 1, 5 * (1:17))
  std <- function(e, t) direct_standardize(events = e, person_time = t,
                                           standard_weights = "esp2013", age = age)
  input_error(std(c(1, -2, rep(1, 17)), rep(100, 19)),
              "argument `events`: count is negative (value -2) at row 2")
  input_error(std(c(1, NA, rep(1, 17)), rep(100, 19)),
              "argument `events`: count is missing or not finite at row 2")
  input_error(std(c(1, 2, rep(1, 17)), c(100, -50, rep(100, 17))),
              "^argument `person_time`: .* at row 2$", fixed = FALSE)
})

test_that("rate(per = ) must be finite and positive", {
  for (p in list(Inf, NaN, -1, 0)) {
    input_error(rate(events = 1, person_time = 10, per = p),
                "^argument `per`: must be a finite positive number", fixed = FALSE)
  }
})

# ---- one wording --------------------------------------------------------------------------

test_that("a missing time is worded as in Python, status 2 the same everywhere", {
  us <- builtin_rate_table("survexp.us")
  input_error(expected_survival(us, age = 50, year = 1990, sex = "male", times = NaN),
              "argument `times`: missing value (NaN) at row 1")
  km <- input_error(kaplan_meier(survival::Surv(time, st) ~ 1,
                                 data.frame(time = c(1, 2), st = c(1, 2))),
                    "status must be 0 \\(censored\\) or 1 \\(event\\)", fixed = FALSE)
  net <- input_error(net_survival(survival::Surv(time, st) ~ 1,
                                  data.frame(time = c(1, 2), st = c(1, 2), age = 50,
                                             year = 1990, sex = "male"), ratetable = us),
                     "status must be 0 \\(censored\\) or 1 \\(event\\)", fixed = FALSE)
  expect_identical(km, net)
})

test_that("confint() at another level checks it as the fit does (Cox, Fine-Gray, GLM)", {
  d <- competing_data()
  d$cause[is.na(d$cause)] <- 0
  d$status <- as.double(d$cause > 0)
  fits <- suppressWarnings(list(
    cox_ph(survival::Surv(time, status) ~ x, data = d),
    fine_gray(survival::Surv(time, cause) ~ x, data = d),
    poisson_glm(cause ~ x, data = d)))
  for (f in fits) {
    expect_true(all(is.finite(confint(f, level = 0.9))))
    for (bad in c(2, NaN, 0)) {
      # named as the caller wrote it: confint's `level`
      input_error(confint(f, level = bad),
                  "^argument `level`: must be strictly between 0 and 1", fixed = FALSE)
    }
  }
})
