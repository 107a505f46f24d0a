# Progress of long computations (#19): the core reports the fraction done from its long
# loops through one hook (hrrstats_core::progress) installed by the binding for every
# call; set_progress() shows it (txtProgressBar) or hands it to a function. The reports
# are monotone and end at 1 when the call succeeds; FALSE, options(hrrstats.quiet) and
# non-interactive sessions (the default "auto") print nothing.

# The core's hook runs at most every 200 ms: a fast machine would finish the long table
# before the first report; the variable makes every report go through (this file only).
Sys.setenv(HRRSTATS_PROGRESS_INTERVAL_MS = "0")

long_table <- function() {
  set.seed(1)
  n <- 400000
  d <- data.frame(entry = 0, exit = runif(n, 0.5, 30), status = as.numeric(runif(n) < 0.3),
                  age = runif(n, 20, 80))
  person_time_table(d, entry = "entry", exit = "exit", status = "status",
                    time_scales = list(fu = NULL, age = "age"),
                    breaks = list(age = seq(20, 110, 1), fu = seq(0, 30, 1)))
}

test_that("the hook reports monotone fractions ending at 1", {
  seen <- numeric()
  old <- set_progress(function(f) seen <<- c(seen, f))
  on.exit(set_progress(old))
  tab <- long_table()
  expect_gt(nrow(tab), 0)
  expect_gte(length(seen), 2)
  expect_true(all(seen >= 0 & seen <= 1))
  expect_false(is.unsorted(seen))
  expect_equal(seen[length(seen)], 1)
})

test_that("short calls report nothing and the answer does not change", {
  seen <- numeric()
  old <- set_progress(function(f) seen <<- c(seen, f))
  on.exit(set_progress(old))
  rate(events = 10, person_time = 1000)
  expect_length(seen, 0)
  with_progress <- long_table()
  set_progress(FALSE)
  quiet <- long_table()
  expect_equal(with_progress, quiet, tolerance = 1e-13)
})

test_that("quiet prints nothing, a forced bar prints one", {
  old <- set_progress(TRUE)
  on.exit({ set_progress(old); options(hrrstats.quiet = NULL) })
  assign("delay", 0, envir = hrrstats:::hrr_progress_env)
  on.exit(assign("delay", 1, envir = hrrstats:::hrr_progress_env), add = TRUE)
  options(hrrstats.quiet = TRUE)
  expect_silent(long_table())
  options(hrrstats.quiet = NULL)
  set_progress(FALSE)
  expect_silent(long_table())
  set_progress("auto")          # not interactive under testthat: nothing
  expect_silent(long_table())
  set_progress(TRUE)
  out <- capture.output(invisible(long_table()), type = "message")
  expect_true(any(grepl("100%", out)))
})

test_that("an error in the progress function does not change the result", {
  # R reports the function's error on stderr (it runs under R_ToplevelExec, so the
  # error ends there); the reports stop and the call goes on
  old <- set_progress(function(f) stop("callback failed"))
  on.exit(set_progress(old))
  expect_gt(nrow(long_table()), 0)
})

test_that("a bad setting is an error naming the argument", {
  expect_error(set_progress("sometimes"), "argument `show`")
})

Sys.unsetenv("HRRSTATS_PROGRESS_INTERVAL_MS")
