# Drug exposure from dispensings (issue 17): treatment episodes and adherence (PDC, MPR)
# computed by hand, day by day, on a daily coverage vector — the obviously correct (and
# slow) definition that crates/hrrstats-core/src/drugs.rs must reproduce exactly.
# AdhereR (the anchor for the CMA definitions) is CRAN only, not installable here.
#
# Definitions (days are whole numbers here; day t is covered or not):
# - a dispensing on day d supplying s = amount / daily_dose days; dispensings of one id
#   on the same day are added;
# - stockpile = TRUE: each day of supply is used on the first uncovered day on or after
#   d (an early refill's leftover is carried over); FALSE: days d .. d+s-1 are covered
#   (overlaps counted once);
# - the supply runs out at E = the last covered day + 1 (before a dispensing); a
#   dispensing on day d continues the episode when d - E <= grace + grace_fraction *
#   s_prev (s_prev: the previous dispensing day's supply), else a new episode starts at
#   d; an episode ends at E after its last dispensing (+ its permissible gap with
#   end_grace);
# - adherence over [w0, w0 + window) (w0: window_start, or the first dispensing): PDC =
#   covered days in the window / window (coverage from every dispensing dated before the
#   window's end, including those before w0); MPR = supply of the dispensings dated in
#   the window / window.
# Run from the repository root: Rscript tests/reference/generate_drugs.R
source(file.path("tests", "reference", "fixture_io.R"))
write_fixture <- fixture_writer("^drugs_")

person <- function(date, days, grace, frac, stockpile, end_grace, window, w0) {
  ud <- sort(unique(date))
  s <- vapply(ud, function(d) sum(days[date == d]), 0)
  cnt <- vapply(ud, function(d) sum(date == d), 0)
  off <- min(c(ud, w0), na.rm = TRUE) - 1
  cov <- logical(max(ud) - off + sum(days) + 2)     # cov[t - off] <=> day t covered
  E_now <- function() { w <- which(cov); if (length(w)) max(w) + off + 1 else -Inf }
  eps <- NULL
  for (j in seq_along(ud)) {
    d <- ud[j]
    E <- E_now()
    if (j == 1 || d - E > allow) {
      if (j > 1) eps <- rbind(eps, c(start, E + if (end_grace) allow else 0, k, sup))
      start <- d; k <- 0; sup <- 0
    }
    if (stockpile) {
      t <- d; rem <- s[j]
      while (rem > 0) {
        if (!cov[t - off]) { cov[t - off] <- TRUE; rem <- rem - 1 }
        t <- t + 1
      }
    } else {
      cov[(d:(d + s[j] - 1)) - off] <- TRUE
    }
    k <- k + cnt[j]; sup <- sup + s[j]
    allow <- grace + frac * s[j]
  }
  eps <- rbind(eps, c(start, E_now() + if (end_grace) allow else 0, k, sup))
  # adherence: coverage again, from the dispensings dated before the window's end
  if (is.na(w0)) w0 <- ud[1]
  w1 <- w0 + window
  cov[] <- FALSE
  for (j in which(ud < w1)) {
    d <- ud[j]
    if (stockpile) {
      t <- d; rem <- s[j]
      while (rem > 0) {
        if (!cov[t - off]) { cov[t - off] <- TRUE; rem <- rem - 1 }
        t <- t + 1
      }
    } else cov[(d:(d + s[j] - 1)) - off] <- TRUE
  }
  days_in <- (w0:(w1 - 1)) - off
  covered <- sum(cov[days_in[days_in >= 1 & days_in <= length(cov)]])
  inw <- ud >= w0 & ud < w1
  list(episodes = eps,
       adherence = c(w0, w1, sum(cnt[inw]), sum(s[inw]), covered, covered / window,
                     sum(s[inw]) / window))
}

cases <- list()
disp <- list()
add <- function(name, id, date, amount, dose = rep(1, length(id)), grace = 10, frac = 0,
                stockpile = TRUE, end_grace = FALSE, window = 100, window_start = NA) {
  cases[[name]] <<- data.frame(case = name, grace = grace, grace_fraction = frac,
                               stockpile = as.integer(stockpile), end_grace = as.integer(end_grace),
                               window = window)
  disp[[name]] <<- data.frame(case = name, id = id, date = date, amount = amount,
                              daily_dose = dose, window_start = window_start)
}
# overlapping refills: stockpiled (20 + leftover 10 -> runs out at 60) or not (at 50);
# a refill exactly `grace` days after the end of supply continues the episode.
d1 <- list(id = c(1, 1, 1, 1), date = c(0, 20, 70, 111), amount = c(30, 30, 30, 1))
add("overlap_stockpile", d1$id, d1$date, d1$amount, window = 120)
add("overlap_no_stockpile", d1$id, d1$date, d1$amount, stockpile = FALSE, window = 120)
# same-day dispensings are added (and counted)
add("same_day", c(1, 1, 1, 1), c(0, 0, 40, 40), c(10, 20, 5, 5), window = 60)
# gaps at the grace boundary: exactly grace (continues), grace + 1 (new episode)
add("grace_boundary", rep(1, 3), c(0, 40, 81), c(30, 30, 30), window = 200)
add("grace_zero", rep(1, 3), c(0, 30, 61), c(30, 30, 30), grace = 0, window = 100)
add("single", 1, 5, 28, window = 10)
# unsorted rows, several ids, a daily dose column (2 units a day)
add("unsorted_ids", c(3, 1, 2, 3, 1, 2, 3), c(50, 10, 0, 0, 0, 30, 20), c(60, 20, 40, 60, 20, 40, 60),
    dose = rep(2, 7), grace = 5, window = 90)
# proportional grace (half the previous supply) and the grace added to the end
add("proportional_end_grace", rep(1, 4), c(0, 40, 85, 200), c(20, 60, 10, 10), grace = 0,
    frac = 0.5, end_grace = TRUE, window = 150)
add("proportional_no_stockpile", rep(1, 4), c(0, 10, 45, 90), c(30, 30, 30, 10), grace = 0,
    frac = 0.5, stockpile = FALSE, window = 120)
# a window starting after the first dispensings: supply carried in from before (PDC)
add("window_start", c(1, 1, 1, 2, 2), c(0, 10, 100, 0, 50), c(90, 90, 30, 30, 30),
    window = 60, window_start = c(60, 60, 60, 40, 40))
# random: 150 ids, 1-12 dispensings each, integer days, doses 1, 2 or 4 units a day
set.seed(17)
for (sp in c(TRUE, FALSE)) {
  ids <- integer(0); dates <- numeric(0); amounts <- numeric(0); doses <- numeric(0)
  for (i in 1:150) {
    m <- sample(1:12, 1)
    dt <- sort(sample(0:400, m, replace = TRUE))
    dy <- sample(c(7, 14, 28, 30, 60, 90), m, replace = TRUE)
    ds <- sample(c(1, 2, 4), m, replace = TRUE)
    ids <- c(ids, rep(1000 + i, m)); dates <- c(dates, dt); amounts <- c(amounts, dy * ds)
    doses <- c(doses, ds)
  }
  p <- sample(length(ids))
  add(if (sp) "random_stockpile" else "random_no_stockpile", ids[p], dates[p], amounts[p],
      dose = doses[p], grace = 15, frac = 0.2, stockpile = sp, window = 180)
}

eps <- list(); adh <- list()
for (name in names(cases)) {
  cs <- cases[[name]]; dd <- disp[[name]]
  for (i in sort(unique(dd$id))) {
    r <- dd[dd$id == i, ]
    res <- person(r$date, r$amount / r$daily_dose, cs$grace, cs$grace_fraction,
                  cs$stockpile == 1, cs$end_grace == 1, cs$window, r$window_start[1])
    e <- res$episodes
    eps[[length(eps) + 1]] <- data.frame(case = name, id = i, start = e[, 1], end = e[, 2],
                                         dispensings = e[, 3], supplied = e[, 4])
    a <- res$adherence
    adh[[length(adh) + 1]] <- data.frame(case = name, id = i, window_start = a[1], window_end = a[2],
                                         dispensings = a[3], supplied = a[4], covered = a[5],
                                         pdc = a[6], mpr = a[7])
  }
}
write_fixture(do.call(rbind, cases), "drugs_cases.csv")
write_fixture(do.call(rbind, disp), "drugs_dispensings.csv")
write_fixture(do.call(rbind, eps), "drugs_episodes.csv")
write_fixture(do.call(rbind, adh), "drugs_adherence.csv")
cat("wrote", written, "\n")

# Per (id, drug) (issue 17: episodes "per id and drug/ATC group"): the same definitions
# applied to the rows of each id and drug; fixtures drugs_grouped_*.csv.
gcases <- list(); gdisp <- list()
addg <- function(name, id, drug, date, amount, dose = rep(1, length(id)), grace = 10, frac = 0,
                 stockpile = TRUE, end_grace = FALSE, window = 100, window_start = NA) {
  gcases[[name]] <<- data.frame(case = name, grace = grace, grace_fraction = frac,
                                stockpile = as.integer(stockpile), end_grace = as.integer(end_grace),
                                window = window)
  gdisp[[name]] <<- data.frame(case = name, id = id, drug = drug, date = date, amount = amount,
                               daily_dose = dose, window_start = window_start)
}
# two drugs of one person overlapping in time: separate supplies and episodes (pooled,
# the C10AA refill would extend the C09AA episode)
addg("two_drugs", c(1, 1, 1, 1, 2), c("C09AA", "C10AA", "C09AA", "C10AA", "C09AA"),
     c(0, 20, 45, 70, 5), c(30, 30, 30, 30, 10), window = 120)
# random: 80 ids, 1-3 ATC groups each, 1-8 dispensings per group, unsorted
set.seed(1717)
ids <- integer(0); drugs <- character(0); dates <- numeric(0); amounts <- numeric(0); doses <- numeric(0)
for (i in 1:80) for (g in sample(c("A10BA", "C09AA", "C10AA", "N06AB"), sample(1:3, 1))) {
  m <- sample(1:8, 1)
  ds <- sample(c(1, 2), m, replace = TRUE)
  ids <- c(ids, rep(500 + i, m)); drugs <- c(drugs, rep(g, m))
  dates <- c(dates, sort(sample(0:300, m, replace = TRUE)))
  amounts <- c(amounts, sample(c(14, 28, 30, 90), m, replace = TRUE) * ds); doses <- c(doses, ds)
}
p <- sample(length(ids))
addg("random_atc", ids[p], drugs[p], dates[p], amounts[p], dose = doses[p], grace = 15, frac = 0.2,
     window = 180)
addg("random_atc_no_stockpile", ids[p], drugs[p], dates[p], amounts[p], dose = doses[p], grace = 15,
     frac = 0.2, stockpile = FALSE, window = 180)

geps <- list(); gadh <- list()
for (name in names(gcases)) {
  cs <- gcases[[name]]; dd <- gdisp[[name]]
  for (i in sort(unique(dd$id))) for (g in sort(unique(dd$drug[dd$id == i]))) {
    r <- dd[dd$id == i & dd$drug == g, ]
    res <- person(r$date, r$amount / r$daily_dose, cs$grace, cs$grace_fraction,
                  cs$stockpile == 1, cs$end_grace == 1, cs$window, r$window_start[1])
    e <- res$episodes
    geps[[length(geps) + 1]] <- data.frame(case = name, id = i, drug = g, start = e[, 1], end = e[, 2],
                                           dispensings = e[, 3], supplied = e[, 4])
    a <- res$adherence
    gadh[[length(gadh) + 1]] <- data.frame(case = name, id = i, drug = g, window_start = a[1],
                                           window_end = a[2], dispensings = a[3], supplied = a[4],
                                           covered = a[5], pdc = a[6], mpr = a[7])
  }
}
write_fixture(do.call(rbind, gcases), "drugs_grouped_cases.csv")
write_fixture(do.call(rbind, gdisp), "drugs_grouped_dispensings.csv")
write_fixture(do.call(rbind, geps), "drugs_grouped_episodes.csv")
write_fixture(do.call(rbind, gadh), "drugs_grouped_adherence.csv")
cat("wrote grouped fixtures\n")
