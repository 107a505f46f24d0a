# Comorbidity indices against comorbidipy (fixtures from
# tests/reference/generate_comorbidity.py; comorbidipy is not needed): flags exactly,
# scores at 1e-12, Charlson (original and Quan 2011 weights) and Elixhauser (van Walraven
# and Swiss weights) with a 365-day look-back window.

comorbidity_input <- function() {
  utils::read.csv(file.path(fixture_dir(), "comorbidity_input.csv"), stringsAsFactors = FALSE,
                  strip.white = FALSE)
}

test_that("comorbidity matches comorbidipy (flags exactly, scores at 1e-12)", {
  skip_without_fixtures()
  inp <- comorbidity_input()
  cases <- list(c("charlson", "charlson"), c("charlson", "quan"),
                c("elixhauser", "van_walraven"), c("elixhauser", "swiss"))
  for (k in cases) {
    fx <- read_fixture(sprintf("comorbidity_%s.csv", k[1]))
    r <- comorbidity(inp, date = "date", index_date = "index_date", lookback = 365,
                     index = k[1], weights = k[2])
    expect_equal(r$id, fx$id)
    cats <- setdiff(names(fx), c("id", grep("score", names(fx), value = TRUE)))
    expect_length(cats, if (k[1] == "charlson") 17L else 31L)
    expect_equal(names(r), c("id", cats, "score"))
    for (c in cats) expect_identical(r[[c]], as.integer(fx[[c]]), info = paste(k, c))
    expect_lte(max(abs(r$score - fx[[paste0("score_", k[2])]])), 1e-12)
    expect_equal(attr(r, "weights"), k[2])
  }
})

test_that("comorbidity: dates as Dates, written codes, hierarchy", {
  skip_without_fixtures()
  inp <- comorbidity_input()
  d <- inp
  d$date <- as.Date(d$date, origin = "1970-01-01")
  d$index_date <- as.Date(d$index_date, origin = "1970-01-01")
  a <- comorbidity(inp, date = "date", index_date = "index_date", lookback = 365)
  b <- comorbidity(d, date = "date", index_date = "index_date", lookback = as.difftime(365, units = "days"))
  expect_equal(a, b)
  r <- comorbidity(id = c("a", "a", "b", "b", "c"), code = c("E10.9", "e11.2", "C50.9", "C78 7", "Z00"),
                   date = 1:5, index_date = 10)
  expect_equal(r$id, c("a", "b", "c"))
  expect_equal(r$diab, c(1L, 0L, 0L))
  expect_equal(r$diabwc, c(1L, 0L, 0L))
  expect_equal(r$metacanc, c(0L, 1L, 0L))
  expect_equal(r$score, c(2, 6, 0))
})

test_that("comorbidity: missing values named or dropped; unknown options are the core's errors", {
  expect_error(comorbidity(id = c(1, 1, 2), code = c("I21", NA, "I50")),
               "argument `code`: missing value at row 2", fixed = TRUE)
  expect_error(comorbidity(id = c(1, 1, NA), code = c("I21", "C50", "I50")),
               "argument `id`: missing value at row 3", fixed = TRUE)
  expect_error(comorbidity(id = c(1, 1, 2), code = c("I21", "C50", "I50"), date = c(1, NA, 2), index_date = 5),
               "argument `date`: missing value (NaN) at row 2", fixed = TRUE)
  r <- comorbidity(id = c(1, 1, 2, NA), code = c("I21", NA, "I50", "C50"), na_action = "drop")
  expect_equal(r$id, c(1, 2))
  expect_equal(r$ami, c(1L, 0L))
  expect_equal(r$chf, c(0L, 1L))
  expect_equal(attr(r, "n_dropped"), 2L)
  expect_error(comorbidity(id = 1, code = "I21", index = "elix"),
               "argument `index`: unknown value \"elix\"; accepted: \"charlson\", \"elixhauser\"", fixed = TRUE)
  expect_error(comorbidity(id = 1, code = "I21", weights = "swiss"),
               "argument `weights`: \"swiss\" is not a weighting of the charlson index", fixed = TRUE)
})

test_that("AHRQ Elixhauser indices (Moore et al. 2017) by hand from the published weights", {
  skip_without_fixtures()
  # AHRQ comindex2012-2015.txt: variable, our category, mortality, readmission
  ahrq <- data.frame(
    v = c("AIDS", "ALCOHOL", "ANEMDEF", "ARTH", "BLDLOSS", "CHF", "CHRNLUNG", "COAG", "DEPRESS", "DM",
          "DMCX", "DRUG", "HYPOTHY", "LIVER", "LYMPH", "LYTES", "METS", "NEURO", "OBESE", "PARA",
          "PERIVASC", "PSYCH", "PULMCIRC", "RENLFAIL", "TUMOR", "ULCER", "VALVE", "WGHTLOSS"),
    cat = c("aids", "alcohol", "dane", "rheumd", "blane", "chf", "cpd", "coag", "depre", "diabunc",
            "diabc", "drug", "hypothy", "ld", "lymph", "fed", "metacanc", "ond", "obes", "para",
            "pvd", "psycho", "pcd", "rf", "solidtum", "pud", "valv", "wloss"),
    m = c(0, -1, -2, 0, -3, 9, 3, 11, -5, 0, -3, -7, 0, 4, 6, 11, 14, 5, -5, 5, 3, -5, 6, 6, 7, 0, 0, 9),
    r = c(19, 6, 9, 4, 3, 13, 8, 7, 4, 6, 9, 14, 0, 10, 16, 8, 21, 7, -3, 6, 4, 10, 5, 15, 15, 0, 0, 10))
  inp <- read_fixture("comorbidity_input.csv")
  fx <- read_fixture("comorbidity_elixhauser.csv")
  for (w in c("ahrq_mortality", "ahrq_readmission")) {
    res <- comorbidity(inp, date = "date", index_date = "index_date", lookback = 365, index = "elixhauser",
                       weights = w)
    s <- numeric(nrow(fx))
    for (j in seq_len(nrow(ahrq))) {
      f <- fx[[ahrq$cat[j]]] == 1
      if (ahrq$v[j] == "DM") f <- f & fx$diabc == 0
      if (ahrq$v[j] == "TUMOR") f <- f & fx$metacanc == 0
      s <- s + f * if (w == "ahrq_mortality") ahrq$m[j] else ahrq$r[j]
    }
    s <- s - 1 * (fx$hypunc == 1 | fx$hypc == 1)   # HTN_C, counted once
    expect_equal(res$score, s, tolerance = 1e-12)
  }
})
