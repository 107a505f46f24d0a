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

# ---- magnitude tables (p%-rule, dominance), hierarchies, controlled rounding ----

# lpSolve's attacker over the equations sum(children) = node, given parent(d, label)
# (NULL for the total); published cells fixed unless `bounds` (lower, upper per row).
attacker_tree <- function(out, dims, parent, value, bounds = NULL) {
  keys <- do.call(paste, c(lapply(dims, function(d) as.character(out[[d]])), sep = "\r"))
  n <- nrow(out)
  expect_identical(anyDuplicated(keys), 0L)
  eqs <- list()
  for (i in seq_len(n)) for (d in seq_along(dims)) {
    k <- vapply(dims, function(x) as.character(out[[x]][i]), "")
    par <- parent(d, k[d])
    if (is.null(par)) next
    k[d] <- par
    node <- match(paste(k, collapse = "\r"), keys)
    id <- paste(node, d)
    eqs[[id]] <- c(eqs[[id]], i)
  }
  A <- do.call(rbind, lapply(names(eqs), function(id) {
    a <- numeric(n); a[eqs[[id]]] <- 1; node <- as.integer(strsplit(id, " ")[[1]][1]); a[node] <- a[node] - 1; a
  }))
  vals <- as.double(out[[value]])
  if (is.null(bounds)) {
    sup <- out$suppressed
    B <- diag(n)[!sup, , drop = FALSE]
    con <- rbind(A, B); dir <- rep("=", nrow(con)); rhs <- c(rep(0, nrow(A)), vals[!sup])
    which_rows <- which(sup)
  } else {
    con <- rbind(A, diag(n), diag(n)); dir <- c(rep("=", nrow(A)), rep(">=", n), rep("<=", n))
    rhs <- c(rep(0, nrow(A)), bounds$lower, bounds$upper)
    which_rows <- seq_len(n)
  }
  lo <- vals; hi <- vals
  for (i in which_rows) {
    obj <- numeric(n); obj[i] <- 1
    r <- lpSolve::lp("min", obj, con, dir, rhs)
    expect_equal(r$status, 0)
    lo[i] <- r$objval
    r <- lpSolve::lp("max", obj, con, dir, rhs)
    hi[i] <- if (r$status == 3) Inf else r$objval
  }
  list(lower = lo, upper = hi, A = A)
}

flat_parent <- function(total = "Total") function(d, label) if (label == total) NULL else total

contributions <- function(seed, levels, units = 12) {
  set.seed(seed)
  g <- expand.grid(rev(lapply(seq_along(levels), function(d) paste0(c("r", "c", "k")[d], seq_len(levels[d]) - 1L))),
                   stringsAsFactors = FALSE)
  g <- g[, rev(seq_along(levels)), drop = FALSE]
  names(g) <- c("r", "c", "k")[seq_along(levels)]
  rows <- g[rep(seq_len(nrow(g)), sample(1:5, nrow(g), TRUE)), , drop = FALSE]
  big <- runif(nrow(rows)) < 0.25
  rows$turnover <- ifelse(big, sample(50:549, nrow(rows), TRUE), sample(1:40, nrow(rows), TRUE)) + 0.25
  rows$unit <- paste0("u", sample(0:(units - 1), nrow(rows), TRUE))
  rownames(rows) <- NULL
  rows
}

by_hand <- function(df, out, dims, total = "Total") {
  lapply(seq_len(nrow(out)), function(i) {
    m <- rep(TRUE, nrow(df))
    for (d in dims) if (as.character(out[[d]][i]) != total) m <- m & df[[d]] == as.character(out[[d]][i])
    s <- sort(tapply(df$turnover[m], df$unit[m], sum), decreasing = TRUE)
    list(x = sum(s), v = as.numeric(s))
  })
}

test_that("p%-rule: primary cells by hand, protection levels against lpSolve's attacker", {
  for (s in 1:3) {
    levels <- if (s == 2) c(2, 3, 2) else c(4, 3)
    df <- contributions(s, levels)
    dims <- names(df)[seq_along(levels)]
    p <- 10 + s
    out <- protect_table(df, dims = dims, magnitude = "turnover", unit = "unit", p = p)
    expect_true(all(c("contributors", "protection_level") %in% names(out)) && !"unit" %in% names(out))
    hand <- by_hand(df, out, dims)
    a <- attacker_tree(out, dims, flat_parent(), "turnover")
    expect_true(any(out$reason == "primary"))
    for (i in seq_len(nrow(out))) {
      x <- hand[[i]]$x; v <- c(hand[[i]]$v, 0, 0)
      expect_equal(out$turnover[i], x)
      expect_equal(out$contributors[i], length(hand[[i]]$v))
      sensitive <- x > 0 && x - v[1] - v[2] < p / 100 * v[1]
      expect_identical(out$reason[i] == "primary", sensitive)
      if (sensitive) {
        need <- p / 100 * v[1] - (x - v[1] - v[2])
        expect_equal(out$protection_level[i], need)
        expect_true(a$upper[i] >= x + need - 1e-6 && a$lower[i] <= max(x - need, 0) + 1e-6)
        expect_equal(out$lower[i], a$lower[i], tolerance = 1e-6)
      }
    }
  }
})

test_that("dominance rule; magnitude errors name the argument", {
  df <- contributions(11, c(4, 3), units = 15)
  out <- protect_table(df, dims = c("r", "c"), magnitude = "turnover", unit = "unit", dominance = c(1, 75),
                       exact_intervals = TRUE)
  hand <- by_hand(df, out, c("r", "c"))
  a <- attacker_tree(out, c("r", "c"), flat_parent(), "turnover")
  expect_equal(out$lower, a$lower, tolerance = 1e-6)
  fin <- is.finite(a$upper)
  expect_identical(is.infinite(out$upper), !fin)
  expect_equal(out$upper[fin], a$upper[fin], tolerance = 1e-6)
  for (i in seq_len(nrow(out))) {
    x <- hand[[i]]$x; v1 <- hand[[i]]$v[1]
    sensitive <- x > 0 && v1 > 0.75 * x
    expect_identical(out$reason[i] == "primary", sensitive)
  }
  expect_error(protect_table(df, dims = c("r", "c"), magnitude = "turnover", p = 10, threshold = 3),
               "argument `threshold`: applies to count tables", fixed = TRUE)
  expect_error(protect_table(df, dims = c("r", "c"), magnitude = "turnover"),
               "argument `p`: a magnitude table needs a sensitivity rule", fixed = TRUE)
  expect_error(protect_table(data.frame(g = c("a", "b"), n = 1:2), dims = "g", p = 10),
               "argument `p`: applies to magnitude tables", fixed = TRUE)
})

HIER <- c(m0 = "A", m1 = "A", m2 = "A", m3 = "B", m4 = "B", m5 = "B", A = "R", B = "R")

test_that("hierarchies: every level's equations protected (lpSolve's attacker)", {
  for (s in 1:3) {
    set.seed(100 + s)
    g <- expand.grid(c = paste0("c", 0:2), muni = paste0("m", 0:5), stringsAsFactors = FALSE)[, 2:1]
    small <- runif(nrow(g)) < 0.15
    g$n <- ifelse(small, sample(0:4, nrow(g), TRUE), sample(5:24, nrow(g), TRUE))
    out <- protect_table(g, dims = c("muni", "c"), hierarchies = list(muni = HIER), exact_intervals = TRUE)
    expect_setequal(unique(out$muni), c(paste0("m", 0:5), "A", "B", "R", "Total"))
    expect_identical(nrow(out), 40L)
    parent <- function(d, lab) {
      if (lab == "Total") return(NULL)
      if (d == 2) "Total" else if (lab %in% names(HIER)) HIER[[lab]] else "Total"
    }
    a <- attacker_tree(out, c("muni", "c"), parent, "n")
    expect_identical(nrow(a$A), 26L)
    expect_equal(as.numeric(a$A %*% out$n), rep(0, 26))
    v <- out$n
    expect_true(all(out$reason[v > 0 & v < 5] == "primary"))
    rlo <- ceiling(a$lower - 1e-6); rhi <- ifelse(is.infinite(a$upper), Inf, floor(a$upper + 1e-6))
    prim <- out$reason == "primary"
    expect_true(all(rhi[prim] - rlo[prim] >= 5))
    expect_equal(out$lower, rlo, tolerance = 1e-6)
    expect_identical(is.infinite(out$upper), is.infinite(rhi))
  }
  d <- data.frame(muni = c("m0", "m1", "m3"), n = c(3L, 20L, 30L))
  out <- protect_table(d, dims = "muni",
                       hierarchies = list(muni = data.frame(child = c("m0", "m1", "m2", "m3"), parent = c("A", "A", "A", "B"))))
  expect_identical(out$muni, c("m0", "m1", "m3", "m2", "A", "B", "Total"))
  expect_identical(out$n, c(3L, 20L, 30L, 0L, 23L, 30L, 53L))
  expect_error(protect_table(d, dims = "muni", hierarchies = list(muni = c(m1 = "m0"))),
               "argument `hierarchies`: dimension `muni`: `m0` is a level in the data and a subtotal", fixed = TRUE)
})

test_that("controlled rounding: multiples of the base, within the base, additive, nothing pinned (lpSolve)", {
  for (s in 1:8) {
    set.seed(200 + s)
    levels <- c(sample(1:6, 1), sample(1:5, 1))
    size <- prod(levels)
    values <- ifelse(runif(size) < 0.3, sample(0:4, size, TRUE), sample(5:39, size, TRUE))
    d <- grid_frame(as.integer(values), levels)
    base <- c(3, 5)[s %% 2 + 1]
    out <- protect_table(d, dims = c("r", "c"), method = "round", base = base)
    expect_identical(names(out), c("r", "c", "n", "rounded"))
    r <- out$rounded; n <- out$n
    expect_true(all(r %% base == 0) && all(abs(r - n) < base))
    expect_true(all(r[n %% base == 0] == n[n %% base == 0]))
    a <- attacker_tree(out, c("r", "c"), flat_parent(), "rounded",
                       bounds = list(lower = pmax(0, r - base + 1), upper = r + base - 1))
    expect_equal(as.numeric(a$A %*% r), rep(0, nrow(a$A)))
    expect_true(all(a$lower <= n + 1e-6 & n <= a$upper + 1e-6))
    expect_true(all(a$upper - a$lower >= 1 - 1e-6))
  }
  expect_error(protect_table(d, dims = c("r", "c"), method = "round", exact_intervals = TRUE),
               "argument `exact_intervals`: applies to method = \"suppress\"", fixed = TRUE)
})

test_that("hrrstats results in one call: person-time, rate (sir) and Kaplan-Meier tables", {
  coh <- head(example_cohort(), 400)
  coh$exit <- coh$age + coh$time / 365.25
  pt <- person_time_table(entry = "age", exit = "exit", status = "status", time_scales = list(age = "age"),
                          breaks = list(age = c(0, 50, 60, 70, 80, 120)), by = "sex", data = coh)
  out <- protect_table(pt, count = "events", dims = c("age_band", "sex"))
  expect_true("person_time" %in% names(out) && any(out$suppressed))
  r <- protect_table(pt, count = "events", dims = c("age_band", "sex"), method = "round", base = 3)
  expect_true(all(r$rounded %% 3 == 0))
  s <- sir(observed = pt$events, person_time = pt$person_time, reference_rate = rep(0.01, nrow(pt)),
           by = data.frame(age_band = pt$age_band))
  out <- protect_table(s, count = "observed", dims = "age_band", threshold = 20)
  expect_identical(as.character(out$age_band)[6], "Total")
  expect_identical(out$observed, c(3, 17, 48, 92, 117, 277))
  expect_identical(out$reason[1:2], c("primary", "primary"))
  # a Kaplan-Meier fit: its table's n_risk is the count by default
  km <- kaplan_meier(survival::Surv(time, status) ~ stage, data = coh)
  out <- protect_table(km, dims = c("strata", "time"), margins = FALSE)
  small <- out$n_risk > 0 & out$n_risk < 5
  expect_true(any(small) && all(out$reason[small] == "primary") && !any(out$suppressed[!small]))
})
