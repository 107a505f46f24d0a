# The "Getting started" vignette (#19) runs: its R code, extracted with knitr::purl
# (no pandoc needed), runs without error against the installed package. (R CMD build
# renders it to HTML with rmarkdown where pandoc is available.)

# A vignette's R code (extracted with knitr::purl) run in a fresh environment, plots to
# a null device; returns the environment it ran in.
run_vignette <- function(name) {
  rmd <- file.path("..", "..", "vignettes", name)
  expect_true(file.exists(rmd))
  code <- tempfile(fileext = ".R")
  on.exit(unlink(code), add = TRUE)
  knitr::purl(rmd, output = code, quiet = TRUE, documentation = 0L)
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off(), add = TRUE)
  env <- new.env(parent = globalenv())
  expect_no_error(capture.output(sys.source(code, envir = env)))
  env
}

test_that("the Getting started vignette's code runs", {
  skip_if_not_installed("knitr")
  env <- run_vignette("getting-started.Rmd")
  # what it shows is there: a Kaplan-Meier fit by stage, a Cox fit, a person-time table,
  # net survival
  expect_s3_class(env$km, "hrr_km")
  expect_identical(env$km$strata_levels, c("stage=1", "stage=2", "stage=3", "stage=4"))
  expect_s3_class(env$fit, "hrr_coxph")
  expect_identical(names(env$pt), c("age_band", "sex", "person_time", "events"))
  expect_s3_class(env$ns, "hrr_netsurv")
})

test_that("the Relative survival vignette's code runs", {
  skip_if_not_installed("knitr")
  env <- run_vignette("relative-survival.Rmd")
  # net survival (continuous and interval), age-standardised, excess-hazard model,
  # Royston-Parmar with bhazard and the loss in life expectancy
  expect_s3_class(env$ns, "hrr_netsurv")
  expect_identical(names(attr(env$p, "risk_table")), c("strata", "time", "n_risk"))
  expect_s3_class(env$ins, "hrr_interval_netsurv")
  expect_identical(env$by_age$strata_levels, c("agegr=15-44", "agegr=45-54", "agegr=55-64",
                                               "agegr=65-74", "agegr=75+"))
  expect_s3_class(env$eh, "hrr_excess")
  expect_s3_class(env$rp, "hrr_flexsurv")
  expect_equal(nrow(env$lle), 2L)
  expect_true(all(env$lle$loss > 0))
  expect_true(env$lle$loss[2] > env$lle$loss[1])    # stage 4 loses more than stage 1
})
