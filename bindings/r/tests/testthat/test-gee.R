# Generalised estimating equations against geepack::geeglm: the fixtures of
# tests/reference/generate_gee.R (estimates at 1e-8, variances at 1e-6, issue #15) and
# live geeglm fits through the formula interface (factors, offset, id as a column).

gee_case_fit <- function(c, perm = NULL) {
  d <- read_fixture(sprintf("gee_%s_data.csv", c$case))
  if (!is.null(perm)) d <- d[perm, ]
  xs <- paste0("x", seq_len(as.integer(c$p)))
  f <- stats::as.formula(paste("y ~", paste(xs, collapse = " + ")))
  fam <- get(c$family)(link = c$link)
  sv <- if (c$scale_fix == "1") read_fixture(sprintf("gee_%s_par.csv", c$case))$value[1] else 1
  gee(f, data = d, id = id, family = fam, corstr = c$corstr,
      waves = if (c$waves == "1") d$wave else NULL,
      weights = if (c$weights == "1") d$w else NULL,
      offset = if (c$offset == "1") d$off else NULL,
      scale.fix = c$scale_fix == "1", scale.value = sv,
      control = list(epsilon = 1e-12, maxit = 500))
}

test_that("gee matches geeglm on every fixture case", {
  skip_without_fixtures()
  cases <- read_fixture("gee_cases.csv")
  for (i in seq_len(nrow(cases))) {
    c <- cases[i, ]
    fit <- gee_case_fit(c)
    coef <- read_fixture(sprintf("gee_%s_coef.csv", c$case))
    v <- read_fixture(sprintf("gee_%s_var.csv", c$case))
    par <- read_fixture(sprintf("gee_%s_par.csv", c$case))
    expect_true(fit$converged, label = c$case)
    expect_close(coef(fit), coef$coef, paste(c$case, "coef"))
    expect_close(fit$se, coef$se, paste(c$case, "se"), tol = 1e-6)
    expect_close(fit$naive_se, coef$naive_se, paste(c$case, "naive_se"), tol = 1e-6)
    expect_close(as.vector(vcov(fit)), v$var, paste(c$case, "var"), tol = 1e-6)
    expect_close(as.vector(fit$naive_var), v$naive_var, paste(c$case, "naive_var"), tol = 1e-6)
    k <- nrow(par)
    expect_close(fit$scale, par$value[1], paste(c$case, "scale"))
    expect_close(unname(fit$alpha), par$value[-c(1, k)], paste(c$case, "alpha"))
    expect_identical(names(fit$alpha), par$name[-c(1, k)])
  }
})

test_that("gee groups the rows of a cluster wherever they are", {
  skip_without_fixtures()
  cases <- read_fixture("gee_cases.csv")
  c <- cases[cases$case == "dietox_ar1_waves", ]
  n <- nrow(read_fixture("gee_dietox_ar1_waves_data.csv"))
  perm <- ((seq_len(n) - 1) * 7919) %% n + 1
  a <- gee_case_fit(c)
  b <- gee_case_fit(c, perm)
  expect_close(coef(b), coef(a), "coef", tol = 1e-9)
  expect_close(b$se, a$se, "se", tol = 1e-9)
  expect_close(b$alpha, a$alpha, "alpha", tol = 1e-9)
  expect_close(unname(b$fitted.values), unname(a$fitted.values[perm]), "fitted", tol = 1e-9)
})

test_that("gee's formula interface gives geeglm's fit (factors, offset, id column)", {
  library(geepack)
  data(dietox, package = "geepack")
  ctrl <- geepack::geese.control(epsilon = 1e-12, maxit = 200)
  g <- geepack::geeglm(Weight ~ Time + Cu, data = dietox, id = Pig, family = gaussian,
                       corstr = "exchangeable", control = ctrl)
  f <- gee(Weight ~ Time + Cu, data = dietox, id = Pig, family = gaussian,
           corstr = "exchangeable", control = list(epsilon = 1e-12, maxit = 500))
  expect_identical(names(coef(f)), names(coef(g)))
  expect_close(coef(f), coef(g), "coef")
  expect_close(vcov(f), g$geese$vbeta, "vcov", tol = 1e-6)
  s <- summary(f)
  sg <- summary(g)$coefficients
  expect_close(s$coefficients[, "Wald"], sg$Wald, "Wald", tol = 1e-6)
  expect_close(s$coefficients[, "Pr(>|W|)"], sg[["Pr(>|W|)"]], "p", tol = 1e-5)
  expect_equal(f$n_clusters, 72L)
  expect_equal(f$max_cluster_size, 12L)
  ci <- confint(f)
  expect_close(ci[, 1], coef(g) - qnorm(0.975) * sqrt(diag(g$geese$vbeta)), "lower", tol = 1e-6)
  nd <- dietox[1:5, ]
  expect_close(predict(f, nd), predict(f)[1:5], "predict newdata", tol = 1e-12)
  p <- predict(f, nd, type = "response", se.fit = TRUE)
  expect_true(all(p$se.fit > 0))
  expect_output(print(f), "exchangeable")
  expect_output(print(summary(f)), "Number of clusters: 72")

  data(seizure, package = "geepack")
  sz <- do.call(rbind, lapply(seq_len(nrow(seizure)), function(i) {
    s <- seizure[i, ]
    data.frame(subj = i, count = c(s$base, s$y1, s$y2, s$y3, s$y4),
               weeks = c(8, 2, 2, 2, 2), trt = factor(s$trt), post = c(0, 1, 1, 1, 1))
  }))
  g <- geepack::geeglm(count ~ trt * post + offset(log(weeks)), data = sz, id = subj,
                       family = poisson, corstr = "ar1", control = ctrl)
  f <- gee(count ~ trt * post + offset(log(weeks)), data = sz, id = subj, family = poisson,
           corstr = "ar1", control = list(epsilon = 1e-12, maxit = 500))
  expect_close(coef(f), coef(g), "seizure coef")
  expect_close(unname(f$alpha), unname(g$geese$alpha), "seizure alpha")
  expect_close(f$se, sqrt(diag(g$geese$vbeta)), "seizure se", tol = 1e-6)
})

test_that("gee's errors name the argument and the row, as in Python", {
  d <- data.frame(y = c(0, 1, 2, 0, 1, 1), x = c(1, 2, 3, 4, 5, 6), g = c(1, 1, 2, 2, 3, 3))
  expect_error(gee(y ~ x, data = d, id = g, family = binomial),
               "argument `y` \\(y\\).*at row 3")
  d$y[3] <- 1
  expect_error(gee(y ~ x, data = d, id = g, corstr = "toeplitz"),
               "argument `corstr`: unknown value \"toeplitz\"")
  d$g[2] <- NA
  expect_error(gee(y ~ x, data = d, id = g), "argument `id` \\(g\\).*row 2")
  d$g[2] <- 1
  expect_error(gee(y ~ x, data = d, id = g, corstr = "ar1", waves = c(1, 1, 1, 2, 1, 2)),
               "argument `waves`.*at row 2")
  expect_error(gee(y ~ x, data = d, id = g, family = "negbin"), "argument `family`")
})
