# Joinpoint regression against the exhaustive grid search done by hand in plain R
# (fixtures written by tests/reference/generate_joinpoint.R: Epi::testisDK yearly rates,
# datasets::airmiles, simulated series) at 1e-8; seeded permutation tests; by-groups;
# errors naming the argument.

TOL <- 1e-8
jp_manifest <- if (is.null(fixture_dir())) data.frame(case = character(0)) else read_fixture("joinpoint_cases.csv")

jp_fit <- function(cs) {
  d <- read_fixture("joinpoint_data.csv")
  d <- d[d$series == cs$series, ]
  joinpoint(y ~ x, d, se = if (cs$variance == "se") ~se, variance = cs$variance,
            log_linear = cs$log_linear == "TRUE", max_joinpoints = as.numeric(cs$max_joinpoints),
            selection = cs$selection, min_obs_end = as.numeric(cs$min_obs_end),
            min_obs_between = as.numeric(cs$min_obs_between))
}

for (i in seq_len(nrow(jp_manifest))) local({
  cs <- jp_manifest[i, , drop = FALSE]
  test_that(paste("joinpoint matches the grid search by hand:", cs$case), {
    skip_without_fixtures()
    jp <- jp_fit(cs)
    m <- read_fixture("joinpoint_models.csv")
    m <- m[m$case == cs$case, ]
    expect_identical(as.numeric(jp$models$joinpoints), as.numeric(m$k))
    expect_identical(gsub(", ", ";", jp$models$locations), ifelse(is.na(m$locations), "", as.character(m$locations)))
    for (c in c("sse", "bic", "bic3")) expect_close(jp$models[[c]], m[[c]], paste(cs$case, c), tol = TOL)
    expect_identical(jp$models$selected, as.logical(m$selected))
    s <- read_fixture("joinpoint_segments.csv")
    s <- s[s$case == cs$case, ]
    for (c in c("start", "end", "apc", "lower", "upper", "slope", "slope_se")) {
      expect_close(jp$segments[[c]], s[[c]], paste(cs$case, c), tol = TOL)
    }
    f <- read_fixture("joinpoint_fitted.csv")
    expect_close(predict(jp), f$fitted[f$case == cs$case], paste(cs$case, "fitted"), tol = TOL)
    a <- read_fixture("joinpoint_aapc.csv")
    a <- a[a$case == cs$case, ]
    ours <- aapc(jp, a$start, a$end)
    for (c in c("aapc", "lower", "upper")) expect_close(ours[[c]], a[[c]], paste(cs$case, "aapc", c), tol = TOL)
    expect_identical(unname(coef(jp)), jp$segments$apc)
  })
})

test_that("joinpoint by groups fits each series as alone", {
  skip_without_fixtures()
  d <- read_fixture("joinpoint_data.csv")
  d <- d[d$series %in% c("sim1", "sim3"), ]
  both <- joinpoint(y ~ x + series, d)
  for (g in c("sim1", "sim3")) {
    alone <- joinpoint(y ~ x, d[d$series == g, ])
    expect_close(both$segments$apc[both$segments$series == g], alone$segments$apc, g, tol = 1e-12)
    a <- aapc(both, 1990, 2019)
    expect_close(a$aapc[a$series == g], aapc(alone, 1990, 2019)$aapc, g, tol = 1e-12)
  }
  expect_output(print(both), "series=sim1|sim1")
  pdf(NULL); on.exit(dev.off())
  expect_silent(plot(both))
})

test_that("joinpoint permutation tests are seeded (the same p-values as Python for a seed)", {
  skip_without_fixtures()
  d <- read_fixture("joinpoint_data.csv")
  d <- d[d$series == "sim1", ]
  a <- joinpoint(y ~ x, d, se = ~se, selection = "permutation", n_permutations = 199, seed = 3)
  b <- joinpoint(y ~ x, d, se = ~se, selection = "permutation", n_permutations = 199, seed = 3)
  expect_identical(a$tests$p_value, b$tests$p_value)
  expect_equal(a$tests$level[1], 0.05 / 3)
  expect_true(all(c(1999, 2013) %in% a$joinpoints))
})

test_that("joinpoint errors name the argument", {
  x <- 2000:2011
  y <- rep(1, 12); y[5] <- 0
  expect_error(joinpoint(x = x, y = y), "`y`.*row 5")
  expect_error(joinpoint(x = x, y = rep(1, 12), selection = "aic"), "selection")
  expect_error(aapc(joinpoint(x = x, y = exp(0.01 * x)), 1990, 2005), "start")
  expect_error(joinpoint(x = x, y = rep(1, 12), se = c(rep(1, 11), -1)), "`se`")
  expect_warning(joinpoint(x = x[1:8], y = exp(0.01 * x[1:8])), "max_joinpoints reduced")
  expect_error(joinpoint(x = 2e303 + (0:7) * 1e300, y = c(11.5, 3.5, 3.5, 1.5, 8.5, 9.5, 1.5, 1.5),
                         max_joinpoints = 2), "argument `x`: the fitted trend is not finite")
})
