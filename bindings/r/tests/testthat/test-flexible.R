# Each case of tests/reference/fixtures/flex_cases.csv (written by
# tests/reference/generate_flexible.R: the plain-R likelihood maximised with optim) against
# flexible_parametric(), at 1e-6 relative; df = 1 against survreg's Weibull at 1e-8.

flex_cases <- function() {
  if (is.null(fixture_dir()) || !file.exists(file.path(fixture_dir(), "flex_cases.csv"))) {
    return(data.frame(case = "(fixtures not found)"))
  }
  read_fixture("flex_cases.csv")
}

fit_flex_case <- function(cs) {
  d <- read_fixture(paste0("data_flex_", cs$data, ".csv"))
  cov <- strsplit(cs$covariates, " ")[[1]]
  lhs <- if (nzchar(cs$entry)) sprintf("Surv(%s, time, status)", cs$entry) else "Surv(time, status)"
  f <- stats::as.formula(paste(lhs, "~", paste(cov, collapse = " + ")))
  tvc <- if (nzchar(cs$tvc)) stats::setNames(list(as.numeric(cs$tvc_df)), cs$tvc)
  knots <- if (nzchar(cs$knots)) as.numeric(strsplit(cs$knots, " ")[[1]])
  wts <- if (nzchar(cs$weights)) d[[cs$weights]]
  bhz <- if (nzchar(cs$bhazard)) cs$bhazard
  list(fit = flexible_parametric(f, data = d, df = as.numeric(cs$df), scale = cs$scale, tvc = tvc,
                                 knots = knots, weights = wts, bhazard = bhz), data = d, cov = cov)
}

test_that("flexible_parametric matches the optim anchor on every case", {
  skip_without_fixtures()
  cases <- flex_cases()
  expect_equal(nrow(cases), 18L)
  tol <- 1e-6
  for (i in seq_len(nrow(cases))) {
    cs <- cases[i, ]
    r <- fit_flex_case(cs)
    m <- r$fit
    nm <- cs$case
    fr <- read_fixture(paste0("flex_", nm, "_fit.csv"))
    expect_true(m$converged)
    expect_close(m$loglik, fr$loglik, paste(nm, "loglik"), tol = tol)
    if (!is.na(fr$survreg_loglik)) expect_close(m$loglik, fr$survreg_loglik, paste(nm, "vs survreg"))
    p <- read_fixture(paste0("flex_", nm, "_pred.csv"))
    for (k in 1:2) {
      pk <- p[p$pattern == k, ]
      nd <- pk[1, r$cov, drop = FALSE]
      for (ty in c("survival", "hazard", "cumhaz")) {
        col <- c(survival = "surv", hazard = "haz", cumhaz = "cumhaz")[[ty]]
        o <- predict(m, nd, type = ty, times = pk$time)
        expect_close(o$estimate, pk[[col]], paste(nm, ty, k), tol = tol)
        expect_close(o$std_err, pk[[paste0("se_", col)]], paste(nm, "se", ty, k), tol = tol)
      }
      if (!is.null(pk$survreg_surv)) {
        expect_close(predict(m, nd, times = pk$time)$estimate, pk$survreg_surv, paste(nm, "S vs survreg"))
      }
    }
    p1 <- p[p$pattern == 1, ]; p2 <- p[p$pattern == 2, ]
    o <- predict(m, p2[1, r$cov, drop = FALSE], type = "hr", times = p2$time,
                 reference = p1[1, r$cov, drop = FALSE])
    expect_close(o$estimate, p2$hr, paste(nm, "hr"), tol = tol)
    expect_close(o$std_err, p2$se_hr, paste(nm, "se hr"), tol = tol)
    rm <- read_fixture(paste0("flex_", nm, "_rmst.csv"))
    for (k in 1:2) {
      rk <- rm[rm$pattern == k, ]
      o <- predict(m, p[p$pattern == k, ][1, r$cov, drop = FALSE], type = "rmst", times = rk$tau)
      expect_close(o$estimate, rk$rmst, paste(nm, "rmst"), tol = tol)
      expect_close(o$std_err, rk$se_rmst, paste(nm, "se rmst"), tol = tol)
    }
    st <- read_fixture(paste0("flex_", nm, "_std.csv"))
    s <- st[st$type == "survival_diff", ]
    d1 <- d0 <- r$data
    d1[[r$cov[length(r$cov)]]] <- 1
    d0[[r$cov[length(r$cov)]]] <- 0
    o <- standardize(m, s$time, d1, reference = d0)
    expect_close(o$difference, s$estimate, paste(nm, "standardized difference"), tol = tol)
    expect_close(o$difference_std_err, s$se, paste(nm, "se standardized difference"), tol = tol)
    for (ty in setdiff(unique(st$type), "survival_diff")) {
      s <- st[st$type == ty, ]
      o <- standardize(m, s$time, r$data, type = ty)
      expect_close(o$estimate, s$estimate, paste(nm, "standardized", ty), tol = tol)
      expect_close(o$std_err, s$se, paste(nm, "se standardized", ty), tol = tol)
    }
  }
})

test_that("flexible_parametric methods and errors", {
  skip_without_fixtures()
  d <- read_fixture("data_flex_lung.csv")
  m <- flexible_parametric(Surv(time, status) ~ age + sex, data = d, df = 2, tvc = list(sex = 1))
  expect_equal(names(coef(m)), c("(Intercept)", "rcs1", "rcs2", "age", "sex", "rcs_sex1"))
  expect_equal(dim(vcov(m)), c(6L, 6L))
  expect_equal(dim(confint(m)), c(6L, 2L))
  expect_output(print(m), "Flexible parametric")
  grDevices::pdf(NULL)
  p <- plot(m, data.frame(age = c(60, 70), sex = c(0, 1)), type = "hr",
            reference = data.frame(age = 60, sex = 0))
  grDevices::dev.off()
  expect_equal(nrow(p), 200L)
  expect_error(flexible_parametric(Surv(time, status) ~ age, data = d, tvc = list(ph = 2)),
               "`tvc`.*\"ph\"")
  expect_error(flexible_parametric(Surv(time, status) ~ age, data = d, scale = "logit"), "`scale`")
  d$bh[5] <- -1
  expect_error(flexible_parametric(Surv(time, status) ~ age, data = d, bhazard = bh),
               "`bhazard`.*row 5")
})
