# Non-convergence, degenerate fits and differences from the anchors (issue "No silent
# wrong answers"): every iterative fit says whether and why it stopped and warns in the
# anchors' words; what cannot be fitted is an error naming the argument. Numbers are
# checked live against survival, MASS, stats and cmprsk (installed by scripts/test-all.sh) and against the
# values recorded in tests/robustness_converge.rs.

conv_time <- c(0.755, 1.182, 0.146, 0.14, 0.436, 2.895, 1.23, 0.54, 0.957, 0.147, 1.391, 0.762,
               1.238, 4.424, 1.055, 1.035)
conv_z <- c(-0.89, 0.44, -1.24, -0.22, 0.38, 0.13, 0.8, -0.06, 0.5, 1.09, -0.69, -1.28, 0.05,
            -0.24, -0.54, -0.43)
conv_mono <- function() {
  d <- data.frame(time = conv_time, x = rep(c(0, 1), 8), z = conv_z)
  d$status <- 1 - d$x
  d
}

test_that("every iterative fit reports whether and why it stopped", {
  expect_warning(f <- cox_ph(survival::Surv(time, status) ~ x + z, data = conv_mono(),
                             control = list(iter.max = 3)),
                 "^Ran out of iterations and did not converge$")
  expect_identical(f$convergence, "max_iterations")
  expect_equal(f$iter, 3)
  d <- data.frame(y = (0:19) %% 4, x = (0:19) / 20)
  expect_warning(g <- poisson_glm(y ~ x, data = d, control = list(maxit = 1)),
                 "glm.fit: algorithm did not converge")
  expect_false(g$converged)
  expect_identical(g$convergence, "max_iterations")
  fgd <- data.frame(time = conv_time, cause = (0:15) %% 3, z = conv_z)
  expect_warning(fg <- fine_gray(survival::Surv(time, cause) ~ z, data = fgd, max_iter = 1),
                 "^Ran out of iterations and did not converge$")
  expect_false(fg$converged)
  expect_identical(fg$convergence, "max_iterations")
  expect_silent(fg <- fine_gray(survival::Surv(time, cause) ~ z, data = fgd))
  expect_true(fg$converged)
  expect_identical(fg$convergence, "converged")
})

test_that("Fine-Gray separation is flagged, not converged", {
  d <- data.frame(time = conv_time, x = rep(c(0, 1), 8), z = conv_z,
                  cause = ifelse(0:15 %% 2 == 0, 1, ifelse(0:15 %% 4 == 1, 2, 0)))
  expect_warning(fg <- fine_gray(survival::Surv(time, cause) ~ x + z, data = d),
                 "^Loglik converged before variable  1 ; coefficient may be infinite\\. $")
  expect_false(fg$converged)
  expect_identical(fg$convergence, "infinite_coefficient")
  expect_lt(unname(coef(fg)[1]), -20)
  # crr's z (its x stops at -11.58 after maxiter = 10, converged = FALSE)
  expect_equal(unname(coef(fg)[2]), -0.089083001429947614, tolerance = 1e-6)
  skip_if_not_installed("cmprsk")
  ref <- cmprsk::crr(d$time, d$cause, cbind(d$x, d$z))
  expect_false(ref$converged)
  expect_equal(unname(coef(fg)[2]), unname(ref$coef[2]), tolerance = 1e-6)
})

test_that("a negative binomial without overdispersion warns as MASS does", {
  n <- 40
  d <- data.frame(y = 3 + (seq_len(n) - 1) %% 2, x = (seq_len(n) - 1) / n)
  expect_warning(f <- negbin_glm(y ~ x, data = d), "^theta.ml: iteration limit reached$")
  expect_identical(f$convergence, "theta_iteration_limit")
  ws <- character()
  ref <- withCallingHandlers(MASS::glm.nb(y ~ x, data = d), warning = function(w) {
    ws <<- c(ws, conditionMessage(w)); invokeRestart("muffleWarning")
  })
  expect_true(all(ws == "iteration limit reached"))
  expect_identical(ref$th.warn, "iteration limit reached")
  expect_equal(unname(coef(f)), unname(coef(ref)), tolerance = 1e-8)
  expect_warning(f <- negbin_glm(y ~ x, data = d, control = list(maxit = 1e9)),
                 "theta is going to infinity")
  expect_identical(f$convergence, "theta_infinite")
  expect_true(is.finite(f$loglik))
})

test_that("Cox residuals of a fit that did not converge are finite, as coxph's", {
  d <- conv_mono()
  expect_warning(f <- cox_ph(survival::Surv(time, status) ~ x + z, data = d,
                             control = list(iter.max = 3)))
  ref <- suppressWarnings(survival::coxph(survival::Surv(time, status) ~ x + z, data = d,
                                          control = survival::coxph.control(iter.max = 3)))
  expect_equal(unname(residuals(f)), unname(residuals(ref)), tolerance = 1e-8)
  expect_equal(unname(residuals(f, "deviance")), unname(residuals(ref, "deviance")),
               tolerance = 1e-8)
  # far from the optimum (exp() of the linear predictor overflows): finite, those of the
  # saturated fit (coxph's at init = 30)
  f <- cox_ph(survival::Surv(time, status) ~ x, data = d, init = 1000,
              control = list(iter.max = 0))
  ref <- survival::coxph(survival::Surv(time, status) ~ x, data = d, init = 30,
                         control = survival::coxph.control(iter.max = 0))
  expect_true(all(is.finite(residuals(f))))
  expect_equal(unname(residuals(f)), unname(residuals(ref)), tolerance = 1e-8)
})

test_that("Cox with non-integer case weights is robust, as coxph", {
  d <- data.frame(time = conv_time, x = rep(c(0, 1), 8), z = conv_z,
                  st = c(1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 0),
                  w = c(0.5, 1.25, 2, 1, 0.75, 1.5, 1, 2.5, 0.5, 1, 1.75, 1, 0.25, 1.5, 1, 2))
  f <- cox_ph(survival::Surv(time, st) ~ x + z, data = d, weights = w)
  ref <- survival::coxph(survival::Surv(time, st) ~ x + z, data = d, weights = w)
  expect_true(f$robust)
  expect_equal(unname(coef(f)), unname(coef(ref)), tolerance = 1e-8)
  expect_equal(unname(f$se), unname(sqrt(diag(ref$var))), tolerance = 1e-8)
  expect_equal(unname(f$naive_se), unname(sqrt(diag(ref$naive.var))), tolerance = 1e-8)
  expect_equal(unname(f$se), c(0.63740927764426147, 0.52426863804804635), tolerance = 1e-8)
  f0 <- cox_ph(survival::Surv(time, st) ~ x + z, data = d, weights = w, robust = FALSE)
  ref0 <- survival::coxph(survival::Surv(time, st) ~ x + z, data = d, weights = w,
                          robust = FALSE)
  expect_false(f0$robust)
  expect_equal(unname(f0$se), unname(sqrt(diag(ref0$var))), tolerance = 1e-8)
})

test_that("GLMs warn about non-integer counts as glm does", {
  d <- data.frame(y = c(0.3, 0.5, 0.7, 0.2), x = c(1, 2, 3, 4), w = 3)
  expect_warning(g <- logistic_glm(y ~ x, data = d, weights = w),
                 "^non-integer #successes in a binomial glm!$")
  ref <- suppressWarnings(glm(y ~ x, family = binomial, data = d, weights = w))
  expect_equal(unname(coef(g)), unname(coef(ref)), tolerance = 1e-8)
  expect_equal(g$aic, ref$aic, tolerance = 1e-8)
  d <- data.frame(y = c(0.5, 1.5, 2.5, 3, 4), x = 1:5)
  expect_warning(g <- poisson_glm(y ~ x, data = d),
                 "^non-integer x = 0\\.500000 \\(and 2 more non-integer counts\\)$")
  ref <- suppressWarnings(glm(y ~ x, family = poisson, data = d))
  expect_equal(unname(coef(g)), unname(coef(ref)), tolerance = 1e-8)
  expect_identical(g$aic, ref$aic)   # Inf
})

test_that("huge covariates are named errors, not aliased NaNs", {
  d <- data.frame(time = conv_time, y = (0:15) %% 3, x = c(0:2, 1e300, 4:15), st = 1)
  msg <- "^argument `covariates`: covariate `x`: values too large to fit \\(\\|x\\| up to 1e\\+?300\\); rescale it$"
  expect_error(poisson_glm(y ~ x, data = d), msg)
  expect_error(fine_gray(survival::Surv(time, y) ~ x, data = d), msg)
  # Cox scales its covariates: 1e300 fits, as coxph
  f <- cox_ph(survival::Surv(time, st) ~ x, data = d)
  ref <- survival::coxph(survival::Surv(time, st) ~ x, data = d)
  expect_equal(unname(coef(f)), unname(coef(ref)), tolerance = 1e-6)
  d$x <- rep(c(0, 1.7e308), 8)
  expect_error(cox_ph(survival::Surv(time, st) ~ x, data = d),
               "covariate `x`: values too large to fit")
})

test_that("no events is said, not 'information matrix is singular'", {
  d <- data.frame(time = conv_time, st = 0, z = conv_z, cause = 2 * ((0:15) %% 2))
  expect_error(cox_ph(survival::Surv(time, st) ~ z, data = d), "^argument `status`: no events")
  expect_error(fine_gray(survival::Surv(time, cause) ~ z, data = d),
               "^argument `cause`: no events of the cause of interest \\(1\\)$")
})

test_that("a link the family does not have is named", {
  d <- data.frame(y = c(1, 2, 3, 4), x = c(1, 2, 3, 5))
  expect_error(poisson_glm(y ~ x, data = d, link = "logit"),
               "^argument `link`: \"logit\" is not available for family \"poisson\"; accepted: \"log\", \"identity\"$")
  expect_error(glm_fit(y ~ x, data = d, family = "gaussian", link = "cloglog"),
               "^argument `link`: \"cloglog\" is not available for family \"gaussian\"")
  expect_silent(poisson_glm(y ~ x, data = d, link = "identity"))
})

test_that("tests on zero degrees of freedom: coxph's p = 1, log-rank NA with a warning", {
  d <- data.frame(time = 1:6, status = c(1, 0, 1, 1, 0, 1), x = 1)
  f <- cox_ph(survival::Surv(time, status) ~ x, data = d)
  ref <- summary(survival::coxph(survival::Surv(time, status) ~ x, data = d))
  expect_equal(unname(f$lr_test[3]), unname(ref$logtest["pvalue"]))
  expect_equal(unname(f$wald_test[3]), 1)
  expect_equal(unname(f$score_test[3]), 1)
  d <- data.frame(time = 1:4, status = 0, g = c(1, 1, 2, 2))
  expect_warning(lr <- logrank_test(survival::Surv(time, status) ~ g, data = d),
                 "0 degrees of freedom")
  expect_true(is.na(lr$p_value))
})

test_that("the excess-hazard model reports convergence and refuses no deaths", {
  rt <- rate_table(data.frame(age = c(0, 50, 0, 50), year = 1990, sex = c(0, 0, 1, 1),
                              rate = c(1e-5, 1e-4, 2e-5, 2e-4)), time_unit = "days")
  d <- data.frame(time = c(100, 400, 800, 900, 1500, 2000, 300, 1200),
                  age = c(60, 70, 55, 65, 75, 50, 62, 58),
                  year = c(1995, 1996.5, 1997, 1998.2, 1999, 2000, 1996, 1997.5),
                  sex = c(0, 1, 0, 1, 0, 1, 1, 0), x = c(0, 1, 0, 1, 1, 0, 1, 0))
  for (method in c("glm.poi", "max.lik")) {
    d$status <- c(1, 0, 1, 1, 0, 1, 1, 0)
    expect_silent(m <- excess_hazard_model(survival::Surv(time, status) ~ x, data = d,
                                           ratetable = rt, breaks = c(0, 2, 10),
                                           method = method))
    expect_true(m$converged)
    d$status <- c(1, 0, 1, 0, 0, 1, 0, 1)   # no deaths with x = 1
    expect_warning(m <- excess_hazard_model(survival::Surv(time, status) ~ x, data = d,
                                            ratetable = rt, breaks = c(0, 2, 10),
                                            method = method),
                   "coefficient may be infinite")
    expect_false(m$converged)
    d$status <- c(1, 0, 1, 0, 0, 0, 1, 0)   # no deaths after year 3
    expect_error(excess_hazard_model(survival::Surv(time, status) ~ x, data = d,
                                     ratetable = rt, breaks = c(0, 3, 10), method = method),
                 "^argument `breaks`: no deaths in follow-up interval fu\\[3,10\\)")
    d$status <- 0
    expect_error(excess_hazard_model(survival::Surv(time, status) ~ x, data = d,
                                     ratetable = rt, breaks = c(0, 2, 10), method = method),
                 "no events")
  }
})

test_that("cluster() with robust = FALSE is ignored with coxph's warning", {
  d <- data.frame(time = conv_time, z = conv_z, id = rep(1:8, each = 2),
                  st = c(1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 0))
  expect_warning(f <- cox_ph(survival::Surv(time, st) ~ z + cluster(id), data = d, robust = FALSE),
                 "^cluster specified with robust=FALSE, cluster ignored$")
  expect_warning(ref <- survival::coxph(survival::Surv(time, st) ~ z + cluster(id), data = d,
                                        robust = FALSE),
                 "cluster specified with robust=FALSE, cluster ignored")
  expect_false(f$robust)
  expect_equal(unname(f$se), unname(sqrt(diag(ref$var))), tolerance = 1e-8)
})
