# Each log-rank case of tests/reference/fixtures/logrank_cases.csv against
# survival::survdiff().

lr_cases <- function() {
  if (is.null(fixture_dir())) return(data.frame(case = "(fixtures not found)"))
  read_fixture("logrank_cases.csv")
}

for (i in seq_len(nrow(lr_cases()))) local({
  cs <- lr_cases()[i, , drop = FALSE]

  test_that(paste("logrank matches survdiff:", cs$case), {
    skip_without_fixtures()
    d <- read_fixture(paste0("data_", cs$data, ".csv"))
    rhs <- cs$group
    if (nzchar(cs$strata)) rhs <- sprintf("%s + strata(%s)", rhs, cs$strata)
    f <- stats::as.formula(sprintf("Surv(%s, %s) ~ %s", cs$time, cs$status, rhs))
    lr <- logrank_test(f, data = d, rho = as.numeric(cs$rho))
    ref <- read_fixture(paste0("logrank_", cs$case, ".csv"))
    var <- read_fixture(paste0("logrank_", cs$case, "_var.csv"))
    k <- nrow(ref)
    expect_close(lr$n, ref$n, paste(cs$case, "n"))
    expect_close(lr$observed, ref$observed, paste(cs$case, "observed"))
    expect_close(lr$expected, ref$expected, paste(cs$case, "expected"))
    expect_close(lr$statistic, ref$statistic[1L], paste(cs$case, "statistic"))
    expect_identical(as.integer(lr$df), as.integer(ref$df[1L]))
    expect_close(lr$p_value, ref$p_value[1L], paste(cs$case, "p_value"))
    v <- matrix(NA_real_, k, k)
    v[cbind(var$i, var$j)] <- var$value
    expect_identical(dim(lr$variance), c(k, k))
    expect_close(lr$variance, v, paste(cs$case, "variance"))
    # By-stratum tables add up to the totals.
    expect_close(rowSums(lr$observed_by_stratum), ref$observed, paste(cs$case, "obs by stratum"))
  })
})

test_that("logrank with delayed entry matches coxph's score test (no ties)", {
  skip_without_fixtures()
  d <- read_fixture("data_sim_entry.csv")
  lr <- logrank_test(Surv(entry, exit, status) ~ grp, data = d)
  ref <- read_fixture("logrank_entry_coxph.csv")
  expect_close(lr$observed, ref$observed, "entry observed")
  expect_close(lr$expected, ref$expected, "entry expected")
  expect_close(lr$statistic, ref$statistic[1L], "entry statistic")
  expect_close(lr$p_value, ref$p_value[1L], "entry p_value")
})
