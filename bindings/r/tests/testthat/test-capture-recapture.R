# Capture-recapture against tests/reference/generate_capture_recapture.R (stats::glm fits
# of the same log-linear models, the profile likelihood over the missing cell by
# optimize/uniroot, Chapman by formula) on the diabetes data of Bruno et al. (1994) and
# the hepatitis A data of Chao et al. (2001): every model at 1e-8 (estimates) and 1e-6
# (profile limits); selection by AIC/BIC; per-person rows; errors naming the argument.
EST_TOL <- 1e-8
PROFILE_TOL <- 1e-6
cr_sets <- list(diabetes = paste0("c", 1:4), hepatitis = c("P", "Q", "E"),
                hepatitis_PQ = c("P", "Q"), diabetes_c1c2c3 = paste0("c", 1:3))

cr_data <- function(ds) {
  t <- read_fixture("capture_recapture_counts.csv")
  t <- t[t$dataset == ds, ]
  out <- as.data.frame(lapply(seq_along(cr_sets[[ds]]), function(j) (t$pattern %/% 2^(j - 1)) %% 2))
  names(out) <- cr_sets[[ds]]
  out$n <- t$count
  out
}

cr_close <- function(ours, theirs, tol, what) {
  ok <- abs(ours - theirs) <= tol * abs(theirs) + 1e-14
  expect_true(all(ok), info = paste(what, paste(format(ours[!ok], digits = 17), collapse = " "),
                                    paste(format(theirs[!ok], digits = 17), collapse = " ")))
}

test_that("every model matches glm and the profile likelihood", {
  skip_without_fixtures()
  fx <- read_fixture("capture_recapture_models.csv")
  for (ds in names(cr_sets)) {
    f <- fx[fx$dataset == ds, ]
    r <- capture_recapture("n", cr_sets[[ds]], data = cr_data(ds))
    m <- r$models
    expect_setequal(m$model, f$model)
    m <- m[match(f$model, m$model), ]
    expect_equal(m$df, f$df)
    expect_true(all(abs(m$deviance - f$deviance) <= EST_TOL * pmax(abs(f$deviance), 1)))
    for (c in c("aic", "bic", "n_unobserved", "n_hat", "std_err", "wald_lower", "wald_upper"))
      cr_close(m[[c]], f[[c]], EST_TOL, paste(ds, c))
    for (c in c("lower", "upper")) cr_close(m[[c]], f[[c]], PROFILE_TOL, paste(ds, c))
  }
})

test_that("selection by AIC and BIC", {
  skip_without_fixtures()
  sel <- read_fixture("capture_recapture_selected.csv")
  fx <- read_fixture("capture_recapture_models.csv")
  for (crit in c("aic", "bic")) for (i in seq_len(nrow(sel))) {
    ds <- sel$dataset[i]
    r <- capture_recapture("n", cr_sets[[ds]], criterion = crit, data = cr_data(ds))
    expect_equal(r$selected, sel[[crit]][i])
    row <- fx[fx$dataset == ds & fx$model == r$selected, ]
    cr_close(c(r$n_hat, r$n_unobserved, r$std_err), c(row$n_hat, row$n_unobserved, row$std_err), EST_TOL, ds)
    cr_close(c(r$lower, r$upper, r$lower_unobserved + r$n_observed), c(row$lower, row$upper, row$lower),
             PROFILE_TOL, ds)
  }
  r <- capture_recapture("n", cr_sets$diabetes, criterion = "bic", data = cr_data("diabetes"))
  expect_equal(r$selected, "c1:c3 + c2:c4 + c3:c4")  # Rivest's (2011) set in Rcapture's example
  s <- summary(r)
  expect_equal(s$estimate, c("total", "unobserved"))
  expect_output(print(r), "estimated total")
})

test_that("Chapman for two sources", {
  skip_without_fixtures()
  fx <- read_fixture("capture_recapture_chapman.csv")
  r <- capture_recapture("n", c("P", "Q"), data = cr_data("hepatitis_PQ"))
  cr_close(unname(r$chapman), unlist(fx[1, c("n_hat", "std_err", "lower", "upper")]), EST_TOL, "chapman")
  expect_null(capture_recapture("n", c("P", "Q", "E"), data = cr_data("hepatitis"))$chapman)
  expect_equal(nrow(summary(r)), 3L)
})

test_that("a given model and one row per person", {
  skip_without_fixtures()
  d <- cr_data("hepatitis")
  a <- capture_recapture("n", c("P", "Q", "E"), model = "Q:E + P:Q", data = d)
  expect_equal(a$selected, "P:Q + Q:E")
  people <- d[rev(rep(seq_len(nrow(d)), d$n)), c("P", "Q", "E")]
  b <- capture_recapture(sources = people, model = "P:Q+Q:E")
  m <- as.matrix(people); colnames(m) <- NULL
  e <- capture_recapture(sources = m == 1, model = "s1:s2 + s2:s3")
  for (r in list(b, e)) {
    expect_identical(r$n_hat, a$n_hat)
    expect_identical(c(r$lower, r$upper), c(a$lower, a$upper))
  }
})

test_that("bad input names the argument", {
  d <- data.frame(A = c(1, 0, 1), B = c(1, 1, 2))
  expect_error(capture_recapture(sources = c("A", "B"), data = d),
               "argument `sources`, column `B`: a capture indicator must be 0 or 1 (value 2) at row 3", fixed = TRUE)
  d <- data.frame(A = c(1, 0, 1), B = c(1, 0, 0))
  expect_error(capture_recapture(sources = c("A", "B"), data = d), "argument `sources`: found by no source", fixed = TRUE)
  d <- data.frame(A = c(1, 0, 1), B = c(1, 1, 0), n = c(3, 2, 1.5))
  expect_error(capture_recapture("n", c("A", "B"), data = d),
               "argument `counts`: a count must be a whole number (value 1.5) at row 3", fixed = TRUE)
  expect_error(capture_recapture(sources = c("A", "B"), model = "A:B", data = d),
               "argument `model`: the model A:B is saturated", fixed = TRUE)
  expect_error(capture_recapture(sources = c("A", "B"), criterion = "aicc", data = d), "argument `criterion`", fixed = TRUE)
  expect_error(capture_recapture(sources = c("A"), data = d), "argument `sources`: needs 2 to 4 source columns, got 1",
               fixed = TRUE)
})
