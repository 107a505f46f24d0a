# Ctrl-C stops long computations (issue "No silent wrong answers": "an interrupt does not
# stop it"): the core polls R_CheckUserInterrupt (under R_ToplevelExec, so no longjmp
# crosses Rust frames) in its long loops; the call ends with an `interrupt` condition
# (tryCatch(interrupt = ) sees it) and, unhandled, an error "interrupted by the user".

long_net_survival <- function() {
  # 20,000 persons on a 0.02-day grid: about 15 s of work without an interrupt.
  net_survival(survival::Surv(time, status) ~ 1, data = example_cohort(),
               ratetable = example_ratetable(), precision = 0.02)
}

# SIGINT to this R process after `seconds` (in the background: the parentheses make `&`
# apply to both commands).
sigint_self_after <- function(seconds) {
  system(sprintf("(sleep %s; kill -INT %d)", seconds, Sys.getpid()), wait = FALSE)
}

test_that("Ctrl-C stops a long computation with an interrupt condition", {
  skip_on_os("windows")
  sigint_self_after(1)
  t0 <- Sys.time()
  res <- tryCatch(long_net_survival(), interrupt = function(e) "interrupted")
  elapsed <- as.numeric(difftime(Sys.time(), t0, units = "secs"))
  expect_identical(res, "interrupted")
  expect_lt(elapsed, 6)
  # The next call answers.
  fit <- net_survival(survival::Surv(time, status) ~ 1, data = head(example_cohort(), 200),
                      ratetable = example_ratetable())
  expect_true(is.list(fit))
})

test_that("an interrupt nobody handles is an error naming it", {
  skip_on_os("windows")
  # In a child R (testthat itself stops the run on an unhandled interrupt condition).
  script <- tempfile(fileext = ".R")
  writeLines(c(
    sprintf(".libPaths(c(%s))", paste(sprintf("'%s'", .libPaths()), collapse = ", ")),
    "suppressPackageStartupMessages(library(hrrstats))",
    "d <- example_cohort()",
    "rt <- example_ratetable()",
    "system(sprintf('(sleep 1; kill -INT %d)', Sys.getpid()), wait = FALSE)",
    "r <- tryCatch(net_survival(survival::Surv(time, status) ~ 1, data = d, ratetable = rt,",
    "                           precision = 0.02), error = function(e) conditionMessage(e))",
    "cat('RESULT:', r, '\\n')"
  ), script)
  out <- system2(file.path(R.home("bin"), "Rscript"), c("--vanilla", script),
                 stdout = TRUE, stderr = TRUE)
  expect_true(any(grepl("RESULT: interrupted by the user", out)), info = paste(out, collapse = "\n"))
})

test_that("Ctrl-C stops a long Cox evaluation, not only between Newton steps", {
  skip_on_os("windows")
  # 300-level factor on 1e5 rows: one evaluation takes seconds (O(n p^2)); the core
  # polls inside its row loop.
  n <- 1e5
  i <- seq_len(n) - 1
  d <- data.frame(time = 1 + (i * 7919) %% 9973, status = as.double(i %% 3 != 0),
                  f = factor((i * 31) %% 300))
  X <- model.matrix(~ f, d)  # warm: the R side's own work before the core
  rm(X)
  sigint_self_after(2)
  t0 <- Sys.time()
  res <- tryCatch(cox_ph(survival::Surv(time, status) ~ f, data = d),
                  interrupt = function(e) "interrupted")
  elapsed <- as.numeric(difftime(Sys.time(), t0, units = "secs"))
  expect_identical(res, "interrupted")
  # the signal comes 2 s in (R's model frame and matrix first); uninterrupted the fit
  # takes a minute
  expect_lt(elapsed, 5)
})
