# Disclosure control of count tables (issue 17): protect_table().
#
# The attacker test with a solver that is not ours (lpSolve): the table with its margins
# is rebuilt from the result, published cells fixed, additivity imposed, and every
# suppressed cell minimised and maximised over non-negative tables. Every primary cell
# must be suppressed and its interval at least the protection level wide; the intervals
# must be the ones reported (rounded inwards for whole counts). sdcTable is not
# installable here; its protection model (sliding protection, LP audit) is the one
# checked.

attacker <- function(out, dims, count = "n", total = "Total") {
  levs <- lapply(dims, function(d) setdiff(unique(as.character(out[[d]])), total))
  ext <- vapply(levs, length, 0L) + 1L
  pos <- function(key) sum((key - 1L) * cumprod(c(1L, ext))[seq_along(ext)]) + 1L
  idx <- integer(prod(ext))
  for (i in seq_len(nrow(out))) {
    key <- vapply(seq_along(dims), function(d) {
      v <- as.character(out[[dims[d]]][i])
      if (v == total) ext[d] else match(v, levs[[d]])
    }, 0L)
    idx[pos(key)] <- i
  }
  expect_true(all(idx > 0L))
  n <- nrow(out)
  rows <- list()
  grid <- as.matrix(expand.grid(lapply(ext, seq_len)))
  for (d in seq_along(dims)) {
    for (g in seq_len(nrow(grid))) {
      key <- grid[g, ]
      if (key[d] != 1L) next
      a <- numeric(n)
      for (l in seq_len(ext[d] - 1L)) { k2 <- key; k2[d] <- l; a[idx[pos(k2)]] <- a[idx[pos(k2)]] + 1 }
      k2 <- key; k2[d] <- ext[d]; a[idx[pos(k2)]] <- a[idx[pos(k2)]] - 1
      rows[[length(rows) + 1L]] <- a
    }
  }
  vals <- as.double(out[[count]])
  sup <- out$suppressed
  # published cells fixed by equations of their own
  for (i in which(!sup)) { a <- numeric(n); a[i] <- 1; rows[[length(rows) + 1L]] <- a }
  A <- do.call(rbind, rows)
  b <- c(rep(0, length(rows) - sum(!sup)), vals[!sup])
  lo <- vals; hi <- vals
  for (i in which(sup)) {
    obj <- numeric(n); obj[i] <- 1
    r <- lpSolve::lp("min", obj, A, rep("=", nrow(A)), b)
    expect_equal(r$status, 0)
    lo[i] <- r$objval
    r <- lpSolve::lp("max", obj, A, rep("=", nrow(A)), b)
    hi[i] <- if (r$status == 3) Inf else r$objval
    if (r$status != 3) expect_equal(r$status, 0)
  }
  list(lower = lo, upper = hi)
}

check_protected <- function(out, dims, threshold = 5, protection = threshold, count = "n", exact = TRUE) {
  v <- as.double(out[[count]])
  small <- v > 0 & v < threshold
  expect_true(all(out$suppressed[small]))
  expect_true(all(out$reason[small] == "primary"))
  expect_identical(out$reason != "", out$suppressed)
  a <- attacker(out, dims, count)
  rlo <- ceiling(a$lower - 1e-6)
  rhi <- ifelse(is.infinite(a$upper), Inf, floor(a$upper + 1e-6))
  prim <- out$reason == "primary"
  expect_true(all(rhi[prim] - rlo[prim] >= protection - 1e-9))
  if (!exact) {
    # certified bounds: inside the attacker's interval, at least `protection` apart
    sec <- out$reason == "secondary"
    expect_true(all(is.nan(out$lower[sec]) & is.nan(out$upper[sec])))
    expect_true(all(out$lower[!sec] >= rlo[!sec] - 1e-6 & out$upper[!sec] <= rhi[!sec] + 1e-6))
    expect_true(all(out$upper[prim] - out$lower[prim] >= protection - 1e-9))
    return(invisible())
  }
  expect_equal(out$lower, rlo, tolerance = 1e-6)
  expect_identical(is.infinite(out$upper), is.infinite(rhi))
  fin <- is.finite(rhi)
  expect_equal(out$upper[fin], rhi[fin], tolerance = 1e-6)
}

grid_frame <- function(values, levels) {
  nm <- c("r", "c", "k")[seq_along(levels)]
  g <- expand.grid(rev(lapply(seq_along(levels), function(d) paste0(nm[d], seq_len(levels[d]) - 1L))),
                   stringsAsFactors = FALSE)
  g <- g[, rev(seq_along(levels)), drop = FALSE]
  names(g) <- nm
  g$n <- values
  g
}

test_that("a hand-made 2 x 3 table: the cheapest rectangle, margins marked Total", {
  d <- grid_frame(c(3, 12, 20, 15, 9, 11), c(2, 3))
  out <- protect_table(d, count = "n", dims = c("r", "c"), exact_intervals = TRUE)
  expect_identical(names(out), c("r", "c", "n", "suppressed", "reason", "lower", "upper"))
  expect_identical(which(out$suppressed), c(1L, 2L, 4L, 5L))
  expect_identical(c(out$lower[1], out$upper[1]), c(0, 15))
  expect_identical(out$r[7:12], c("r0", "r1", "Total", "Total", "Total", "Total"))
  expect_identical(out$n[7:12], c(35, 35, 18, 21, 31, 70))
  expect_equal(attr(out, "n_secondary"), 3)
  check_protected(out, c("r", "c"))
})

test_that("one dimension; small totals suppress everything", {
  out <- protect_table(data.frame(g = c("a", "b", "c", "d"), n = c(2, 30, 8, 40)), dims = "g",
                       exact_intervals = TRUE)
  expect_identical(out$reason, c("primary", "", "secondary", "", ""))
  check_protected(out, "g")
  out <- protect_table(data.frame(g = c("a", "b"), n = c(1L, 2L)), dims = "g")
  expect_true(all(out$suppressed) && all(is.infinite(out$upper)))
})

test_that("random 2-D and 3-D tables pass the attacker test (lpSolve)", {
  set.seed(17)
  for (s in 1:6) {
    levels <- c(sample(3:6, 1), sample(3:5, 1), if (s %% 2 == 0) sample(2:3, 1))
    size <- prod(levels)
    small <- runif(size) < 0.2
    values <- ifelse(small, sample(0:4, size, TRUE), sample(5:39, size, TRUE))
    d <- grid_frame(values, levels)
    dims <- names(d)[seq_along(levels)]
    fast <- protect_table(d, dims = dims)
    check_protected(fast, dims, exact = FALSE)
    exact <- protect_table(d, dims = dims, exact_intervals = TRUE)
    expect_identical(exact$suppressed, fast$suppressed)
    check_protected(exact, dims)
    out <- protect_table(d, dims = dims, suppress_zeros = TRUE, threshold = 8, protection = 3, cost = "cells",
                         exact_intervals = TRUE)
    expect_true(all(out$suppressed[out$n == 0]))
    check_protected(out, dims, threshold = 8, protection = 3)
  }
})

test_that("the same answer as Python's on the conformance table; absent cells; no margins", {
  d <- data.frame(r = c("x", "x", "y"), c = c(1, 2, 1), n = c(3, 20, 30), pt = c(1.5, 2.5, 3.5))
  out <- protect_table(d, dims = c("r", "c"), exact_intervals = TRUE)
  expect_identical(out$n[1:4], c(3, 20, 30, 0))
  expect_identical(out$pt[1:4], c(1.5, 2.5, 3.5, NA))
  check_protected(out, c("r", "c"))
  out <- protect_table(d, dims = c("r", "c"), margins = FALSE)
  expect_identical(nrow(out), 4L)
  expect_identical(out$reason, c("primary", "", "", ""))
  expect_identical(out$c, c(1, 2, 1, 2))
})

test_that("bad input: the core's messages, rows counted from 1", {
  expect_error(protect_table(data.frame(g = c("a", "b"), n = c(1, NA)), dims = "g"),
               "argument `count`: count is missing at row 2", fixed = TRUE)
  expect_error(protect_table(data.frame(g = c("a", "b", "a"), n = 1:3), dims = "g"),
               "argument `dims`: the same cell as an earlier row (give each combination of the dimensions once) at row 3",
               fixed = TRUE)
  expect_error(protect_table(data.frame(g = c("a", "b"), n = 1:2), dims = "g", cost = "x"),
               "argument `cost`: unknown value", fixed = TRUE)
  expect_error(protect_table(data.frame(g = c("Total", "b"), n = 1:2), dims = "g"), "argument `total`")
})
