# Each Kaplan-Meier case of tests/reference/fixtures/km_cases.csv against
# summary(survfit(...), censored = TRUE), quantile(survfit) and
# summary(survfit, times = , extend = TRUE) from the survival package.

km_columns <- c("time", "n_risk", "n_event", "n_censor", "survival", "std_err", "lower",
                "upper", "cumulative_hazard", "std_err_cumulative_hazard")

km_cases <- function() {
  if (is.null(fixture_dir())) return(data.frame(case = "(fixtures not found)"))
  read_fixture("km_cases.csv")
}

for (i in seq_len(nrow(km_cases()))) local({
  cs <- km_cases()[i, , drop = FALSE]

  test_that(paste("km table matches survfit:", cs$case), {
    skip_without_fixtures()
    fit <- fit_km_case(cs)
    got <- as.data.frame(fit)
    ref <- read_fixture(paste0("km_", cs$case, ".csv"))
    expect_identical(nrow(got), nrow(ref))
    expect_identical(as.integer(got$strata), as.integer(ref$strata))
    for (col in km_columns) expect_close(got[[col]], ref[[col]], paste(cs$case, col))
  })

  test_that(paste("km quantiles match quantile.survfit:", cs$case), {
    skip_without_fixtures()
    fit <- fit_km_case(cs)
    q <- quantile(fit, probs = c(0.25, 0.5, 0.75))
    ref <- read_fixture(paste0("km_", cs$case, "_quantile.csv"))
    q <- q[order(q$prob, as.integer(q$strata)), ]
    ref <- ref[order(ref$prob, ref$strata), ]
    expect_identical(as.integer(q$strata), as.integer(ref$strata))
    expect_close(q$prob, ref$prob, paste(cs$case, "prob"))
    expect_close(q$quantile, ref$quantile, paste(cs$case, "quantile"))
    expect_close(q$lower, ref$lower, paste(cs$case, "quantile lower"))
    expect_close(q$upper, ref$upper, paste(cs$case, "quantile upper"))
    med <- median(fit)
    expect_close(med$median, ref$quantile[ref$prob == 0.5], paste(cs$case, "median"))
  })

  test_that(paste("km survival_at matches summary(times =, extend = TRUE):", cs$case), {
    skip_without_fixtures()
    fit <- fit_km_case(cs)
    ref <- read_fixture(paste0("km_", cs$case, "_at.csv"))
    at <- survival_at(fit, unique(ref$time))
    at <- at[order(as.integer(at$strata), at$time), ]
    ref <- ref[order(ref$strata, ref$time), ]
    expect_identical(as.integer(at$strata), as.integer(ref$strata))
    for (col in c("time", "n_risk", "survival", "std_err", "lower", "upper")) {
      expect_close(at[[col]], ref[[col]], paste(cs$case, "at", col))
    }
  })
})
