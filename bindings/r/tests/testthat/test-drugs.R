# Drug exposure (issue 17) against the day-by-day coverage-vector definitions of
# tests/reference/generate_drugs.R: episodes exactly, adherence (PDC, MPR) at 1e-12;
# Dates in, Dates out; bad input names the argument and the row (1-based).

drug_cases <- c("overlap_stockpile", "overlap_no_stockpile", "same_day", "grace_boundary",
                "grace_zero", "single", "unsorted_ids", "proportional_end_grace",
                "proportional_no_stockpile", "window_start", "random_stockpile",
                "random_no_stockpile")

test_that("episodes equal the day-by-day definition exactly", {
  skip_without_fixtures()
  cases <- read_fixture("drugs_cases.csv")
  disp <- read_fixture("drugs_dispensings.csv")
  ref <- read_fixture("drugs_episodes.csv")
  for (case in drug_cases) {
    cs <- cases[cases$case == case, ]
    d <- disp[disp$case == case, ]
    e <- drug_exposure(id, date, amount, daily_dose = daily_dose, grace = cs$grace,
                       grace_fraction = cs$grace_fraction, stockpile = cs$stockpile == 1,
                       end_grace = cs$end_grace == 1, data = d)
    r <- ref[ref$case == case, ]
    expect_equal(names(e), c("id", "start", "end", "dispensings", "supplied"))
    for (c in names(e)) expect_identical(as.double(e[[c]]), as.double(r[[c]]), info = paste(case, c))
  }
})

test_that("adherence (PDC, MPR) equals the day-by-day definition", {
  skip_without_fixtures()
  cases <- read_fixture("drugs_cases.csv")
  disp <- read_fixture("drugs_dispensings.csv")
  ref <- read_fixture("drugs_adherence.csv")
  for (case in drug_cases) for (m in c("pdc", "mpr")) {
    cs <- cases[cases$case == case, ]
    d <- disp[disp$case == case, ]
    ws <- if (all(is.na(d$window_start))) NULL else d$window_start
    a <- adherence(d$id, d$date, d$amount, daily_dose = d$daily_dose, window = cs$window,
                   window_start = ws, measure = m, stockpile = cs$stockpile == 1)
    r <- ref[ref$case == case, ]
    for (c in c("id", "window_start", "window_end", "dispensings"))
      expect_identical(as.double(a[[c]]), as.double(r[[c]]), info = paste(case, c))
    for (c in c("supplied", "covered", m)) expect_close(a[[c]], r[[c]], paste(case, c), tol = 1e-12)
  }
})

test_that("Dates in, Dates out; ids keep their values", {
  d <- data.frame(pid = c("b", "a", "b", "a"),
                  when = as.Date(c("2020-01-01", "2020-03-01", "2020-01-21", "2020-05-01")),
                  ddd = c(30, 60, 30, 10))
  e <- drug_exposure(pid, when, ddd, grace = 10, data = d)
  expect_identical(e$id, c("a", "b"))
  expect_identical(e$start, as.Date(c("2020-03-01", "2020-01-01")))
  # a: 60 days from Mar 1 run out Apr 30, refill May 1 (gap 1) -> May 11; b stockpiled -> Mar 1
  expect_identical(e$end, as.Date(c("2020-05-11", "2020-03-01")))
  a <- adherence("pid", "when", "ddd", window = 30, data = d)
  expect_identical(a$window_start, as.Date(c("2020-03-01", "2020-01-01")))
  expect_identical(a$pdc, c(1, 1))
  e <- drug_exposure(c(1, 1), c(0, 40), c(60, 60), daily_dose = 2, grace = 9)
  expect_identical(e$end, c(30, 70))
})

test_that("bad input names the argument and the row", {
  run <- function(id = c("a", "a", "b"), date = c(0, 10, 5), amount = c(30, 30, 30), ...)
    drug_exposure(id, date, amount, ...)
  expect_error(run(date = c(0, NaN, 5)), "argument `date`: missing value (NaN) at row 2", fixed = TRUE)
  expect_error(run(date = c(0, NA, 5)), "argument `date`: missing value (NaN) at row 2", fixed = TRUE)
  expect_error(run(amount = c(30, 30, -1)), "argument `amount`: negative value (value -1) at row 3", fixed = TRUE)
  expect_error(run(daily_dose = c(1, 2, 0)), "argument `daily_dose`: daily dose is zero (value 0) at row 3", fixed = TRUE)
  expect_error(run(daily_dose = c(1, -2, 1)), "argument `daily_dose`: negative daily dose (value -2) at row 2", fixed = TRUE)
  expect_error(run(id = c("a", NA, "b")), "argument `id`: missing value at row 2", fixed = TRUE)
  expect_error(run(grace = -1), "argument `grace`: must be a finite number of days >= 0, got -1", fixed = TRUE)
  expect_error(adherence(1, 0, 30, measure = "cma9"), "argument `measure`", fixed = TRUE)
  expect_error(adherence(1, 0, 30, window = 0), "argument `window`", fixed = TRUE)
  expect_error(adherence(c(1, 1), c(0, 1), c(30, 30), window_start = c(0, 1)),
               "argument `window_start`: window start differs between rows of the same id (value 1) at row 2",
               fixed = TRUE)
})

test_that("POSIXct in, POSIXct out", {
  t <- as.POSIXct(c("2020-01-01", "2020-01-21"), tz = "UTC")
  e <- drug_exposure(c(1, 1), t, c(30, 30))
  expect_s3_class(e$end, "POSIXct")
  expect_equal(as.double(e$end), as.double(as.POSIXct("2020-03-01", tz = "UTC")))
})

# ---- per (id, drug) ---------------------------------------------------------------------
grouped_cases <- c("two_drugs", "random_atc", "random_atc_no_stockpile")

test_that("episodes and adherence per id and drug equal the day-by-day definition", {
  skip_without_fixtures()
  cases <- read_fixture("drugs_grouped_cases.csv")
  disp <- read_fixture("drugs_grouped_dispensings.csv")
  eps <- read_fixture("drugs_grouped_episodes.csv")
  adh <- read_fixture("drugs_grouped_adherence.csv")
  for (case in grouped_cases) {
    cs <- cases[cases$case == case, ]
    d <- disp[disp$case == case, ]
    e <- drug_exposure(id, date, amount, daily_dose = daily_dose, grace = cs$grace,
                       grace_fraction = cs$grace_fraction, stockpile = cs$stockpile == 1,
                       end_grace = cs$end_grace == 1, data = d, drug = drug)
    r <- eps[eps$case == case, ]
    expect_equal(names(e), c("id", "drug", "start", "end", "dispensings", "supplied"))
    expect_identical(as.character(e$drug), as.character(r$drug))
    for (c in c("id", "start", "end", "dispensings", "supplied"))
      expect_identical(as.double(e[[c]]), as.double(r[[c]]), info = paste(case, c))
    for (m in c("pdc", "mpr")) {
      a <- adherence(d$id, d$date, d$amount, daily_dose = d$daily_dose, window = cs$window, measure = m,
                     stockpile = cs$stockpile == 1, drug = factor(d$drug))
      r <- adh[adh$case == case, ]
      expect_identical(as.character(a$drug), as.character(r$drug))
      for (c in c("id", "window_start", "window_end", "dispensings"))
        expect_identical(as.double(a[[c]]), as.double(r[[c]]), info = paste(case, m, c))
      for (c in c("supplied", "covered", m))
        expect_equal(a[[c]], r[[c]], tolerance = 1e-12, info = paste(case, m, c))
    }
  }
})

test_that("without drug the drugs pool; a short drug column names the argument", {
  skip_without_fixtures()
  d <- read_fixture("drugs_grouped_dispensings.csv")
  d <- d[d$case == "two_drugs", ]
  expect_equal(drug_exposure(id, date, amount, grace = 10, data = d)$id, c(1, 2))
  expect_error(drug_exposure(d$id, d$date, d$amount, drug = d$drug[1:4]),
               "argument `drug` has length 4 but `date` has length 5", fixed = TRUE)
})
