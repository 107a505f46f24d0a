# Reference fixtures written by tests/reference/generate.R (survival package answers).
# Set HRRSTATS_FIXTURES to their directory; inside the repository they are found
# without it. Tests that need them are skipped when neither works.
fixture_dir <- function() {
  env <- Sys.getenv("HRRSTATS_FIXTURES", "")
  candidates <- c(env, file.path("..", "..", "..", "..", "tests", "reference", "fixtures"),
                  file.path("..", "..", "..", "..", "..", "tests", "reference", "fixtures"))
  for (d in candidates[nzchar(candidates)]) {
    if (file.exists(file.path(d, "km_cases.csv"))) return(normalizePath(d))
  }
  NULL
}

skip_without_fixtures <- function() {
  if (is.null(fixture_dir())) {
    testthat::skip("reference fixtures not found (set HRRSTATS_FIXTURES)")
  }
}

read_fixture <- function(name) {
  utils::read.csv(file.path(fixture_dir(), name), stringsAsFactors = FALSE,
                  colClasses = if (grepl("_cases\\.csv$", name)) "character" else NA)
}

# Equal to the reference at 1e-8 relative (or `tol`): |a - b| <= tol |b| + floor, with
# floor 1e-14, NA matching NA and an infinite reference matched by the same infinity; with
# `scaled_floor`, the floor is 1e-12 * max|expected| and NA is never accepted (residuals:
# values that are 0 in exact arithmetic come out as rounding noise of that size in R and
# in the core).
expect_close <- function(actual, expected, what, scaled_floor = FALSE, tol = 1e-8) {
  actual <- as.double(actual)
  expected <- as.double(expected)
  testthat::expect_identical(length(actual), length(expected),
                             label = paste0("length of ", what))
  if (length(actual) != length(expected)) return(invisible())
  na_a <- is.na(actual)
  na_e <- is.na(expected)
  floor <- if (scaled_floor) 1e-12 * max(abs(expected), na.rm = TRUE) else 1e-14
  both_na <- if (scaled_floor) FALSE else na_a & na_e
  same_inf <- !na_a & !na_e & is.infinite(expected) & actual == expected
  ok <- both_na | same_inf | (!na_a & !na_e & abs(actual - expected) <= tol * abs(expected) + floor)
  bad <- which(!ok)
  testthat::expect(
    length(bad) == 0L,
    if (length(bad)) sprintf("%s: %d of %d values differ; first at %d: %.17g vs reference %.17g",
                             what, length(bad), length(ok), bad[1L], actual[bad[1L]],
                             expected[bad[1L]]) else ""
  )
}

# Long i, j, value -> matrix.
wide <- function(long) {
  k <- max(long$i)
  m <- matrix(NA_real_, k, k)
  m[cbind(long$i, long$j)] <- long$value
  m
}

expect_close_floor <- function(actual, expected, what) {
  expect_close(actual, expected, what, scaled_floor = TRUE)
}

# Build the fit a KM manifest row describes.
fit_km_case <- function(cs) {
  d <- read_fixture(paste0("data_", cs$data, ".csv"))
  lhs <- if (nzchar(cs$entry)) sprintf("Surv(%s, %s, %s)", cs$entry, cs$time, cs$status) else
    sprintf("Surv(%s, %s)", cs$time, cs$status)
  rhs <- if (nzchar(cs$strata)) cs$strata else "1"
  f <- stats::as.formula(paste(lhs, "~", rhs))
  w <- if (nzchar(cs$weights)) d[[cs$weights]] else NULL
  kaplan_meier(f, data = d, weights = w, conf_type = cs$conf_type,
               conf_level = as.numeric(cs$conf_level))
}
