# Grouping variables crossed by the core (cross_factors), as Python crosses them: the
# same codes and "name=level, name=level" labels as R's former crossing, and grouping
# codes checked by the core with one message in both languages.

# R's former crossing (combine_factors before it moved into the core).
old_combine <- function(fcs, names) {
  if (length(fcs) == 1L) {
    return(list(codes = fcs[[1L]]$codes, levels = paste0(names, "=", fcs[[1L]]$levels)))
  }
  sizes <- vapply(fcs, function(fc) length(fc$levels), 0)
  key <- as.double(fcs[[1L]]$codes)
  for (j in seq_along(fcs)[-1L]) key <- (key - 1) * sizes[j] + fcs[[j]]$codes
  u <- sort(unique(key))
  idx <- matrix(0L, length(u), length(fcs))
  rest <- u - 1
  for (j in rev(seq_along(fcs))) {
    idx[, j] <- as.integer(rest %% sizes[j]) + 1L
    rest <- rest %/% sizes[j]
  }
  labels <- do.call(paste, c(lapply(seq_along(fcs), function(j)
    paste0(names[j], "=", fcs[[j]]$levels[idx[, j]])), sep = ", "))
  list(codes = as.integer(match(key, u)), levels = labels)
}

test_that("crossing by the core matches R's former crossing", {
  set.seed(13)
  n <- 80
  vars <- list(a = sample(3, n, TRUE), b = sample(c("y", "x", "z"), n, TRUE),
               c = factor(sample(c("lo", "hi"), n, TRUE), levels = c("lo", "hi", "none")),
               d = sample(c(0.5, 1.5, 10), n, TRUE))
  for (k in seq_along(vars)) {
    fcs <- lapply(vars[seq_len(k)], hrrstats:::factor_codes)
    nm <- names(vars)[seq_len(k)]
    expect_identical(hrrstats:::combine_factors(unname(fcs), nm), old_combine(unname(fcs), nm))
  }
})

test_that("several strata label the Kaplan-Meier curves name=level", {
  d <- data.frame(time = c(5, 8, 3, 9, 4, 6, 7, 2), status = c(1, 0, 1, 1, 1, 0, 1, 1),
                  sex = c("m", "f", "m", "f", "m", "m", "f", "f"),
                  stage = c(2, 1, 1, 2, 2, 1, 1, 2))
  km <- kaplan_meier(Surv(time, status) ~ sex + stage, data = d)
  expect_identical(km$strata_levels,
                   c("sex=f, stage=1", "sex=f, stage=2", "sex=m, stage=1", "sex=m, stage=2"))
})

test_that("grouping codes are checked by the core, rows from 1", {
  f <- structure(c(1L, NA), levels = "a", class = "factor")
  expect_error(hrrstats:::hrr_call("cross_factors", list(factors = list(f = f))),
               "argument `f`: missing value at row 2", fixed = TRUE)
  expect_error(hrrstats:::hrr_call("cross_factors", list(factors = list(1))),
               "argument `factors`: must be a list of one or more factors", fixed = TRUE)
})
