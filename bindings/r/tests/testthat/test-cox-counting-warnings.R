# Infinite-coefficient warnings of Cox fits in survival's words, checked against
# survival::coxph run live: right-censored data as coxph.fit ("Loglik converged before
# variable  j ; coefficient may be infinite. "), counting-process data (Surv(start, stop,
# event)) as agreg.fit ("... ; beta may be infinite. "). The same cases as
# tests/cox_counting_warnings.rs and the Python test.

cw_data <- function(separated, entry = c(0, 0.355, 0.015, 0, 0.218, 0.579, 0, 0.162, 0.096, 0,
                                         0.696, 0.152, 0, 1.327, 0.106, 0)) {
  d <- data.frame(
    time = c(0.755, 1.182, 0.146, 0.14, 0.436, 2.895, 1.23, 0.54, 0.957, 0.147, 1.391, 0.762,
             1.238, 4.424, 1.055, 1.035),
    x = rep(c(0, 1), 8),
    z = c(-0.89, 0.44, -1.24, -0.22, 0.38, 0.13, 0.8, -0.06, 0.5, 1.09, -0.69, -1.28, 0.05,
          -0.24, -0.54, -0.43),
    entry = entry)
  d$status <- if (separated) 1 - d$x else c(1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 0)
  d
}
cw_warnings <- function(expr) {
  ws <- character()
  value <- withCallingHandlers(expr, warning = function(w) {
    ws <<- c(ws, conditionMessage(w)); invokeRestart("muffleWarning")
  })
  list(value = value, warnings = ws)
}

test_that("counting-process Cox fits warn in agreg.fit's words, as coxph", {
  for (entry in list(NULL, rep(0, 16))) {
    d <- if (is.null(entry)) cw_data(TRUE) else cw_data(TRUE, entry)
    ours <- cw_warnings(cox_ph(Surv(entry, time, status) ~ x + z, data = d))
    ref <- cw_warnings(survival::coxph(survival::Surv(entry, time, status) ~ x + z, data = d))
    expect_identical(ref$warnings, "Loglik converged before variable  1 ; beta may be infinite. ")
    expect_identical(ours$warnings, ref$warnings)
    expect_equal(unname(coef(ours$value)[2]), unname(coef(ref$value)[2]), tolerance = 1e-6)
  }
})

test_that("right-censored Cox fits keep coxph.fit's words", {
  d <- cw_data(TRUE)
  ours <- cw_warnings(cox_ph(Surv(time, status) ~ x + z, data = d))
  ref <- cw_warnings(survival::coxph(survival::Surv(time, status) ~ x + z, data = d))
  expect_identical(ref$warnings, "Loglik converged before variable  1 ; coefficient may be infinite. ")
  expect_identical(ours$warnings, ref$warnings)
})

test_that("ordinary counting-process data give no warning, as coxph", {
  d <- cw_data(FALSE)
  expect_silent(m <- cox_ph(Surv(entry, time, status) ~ x + z, data = d))
  ref <- survival::coxph(survival::Surv(entry, time, status) ~ x + z, data = d)
  expect_equal(unname(coef(m)), unname(coef(ref)), tolerance = 1e-8)
})
