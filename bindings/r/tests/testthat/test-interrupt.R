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
