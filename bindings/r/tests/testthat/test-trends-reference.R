# Life tables and funnel plots against the closed forms computed by hand in plain R
# (fixtures written by tests/reference/generate_lifetable.R and generate_funnel.R), at the
# issue's 1e-10.

TOL <- 1e-10
close10 <- function(actual, expected, what) expect_close(actual, expected, what, tol = TOL)
LT_COLS <- c("age", "mx", "ax", "qx", "lx", "dx", "Lx", "Tx", "ex", "std_err", "lower", "upper")

lt_manifest <- if (is.null(fixture_dir())) data.frame(case = character(0)) else read_fixture("lifetable_cases.csv")

fit_case <- function(cs) {
  d <- read_fixture("lifetable_input.csv")
  d <- d[d$case == cs$case, ]
  d$group[is.na(d$group)] <- ""
  a0 <- if (cs$a0 %in% c("coale_demeny", "half")) cs$a0 else as.numeric(cs$a0)
  by <- if (length(unique(d$group)) > 1L) "group" else NULL
  list(d = d, lt = life_table(d, deaths = "deaths", population = "population", age = "age", by = by,
                              ax = if (cs$use_ax == "TRUE") "ax", a0 = a0, sex = cs$sex,
                              conf_level = as.numeric(cs$conf_level), radix = as.numeric(cs$radix)))
}

for (i in seq_len(nrow(lt_manifest))) local({
  cs <- lt_manifest[i, , drop = FALSE]
  test_that(paste("life table matches Chiang by hand:", cs$case), {
    skip_without_fixtures()
    f <- fit_case(cs)
    ref <- read_fixture("lifetable_expected.csv")
    ref <- ref[ref$case == cs$case, ]
    ref$group[is.na(ref$group)] <- ""
    t <- as.data.frame(f$lt)
    for (g in unique(f$d$group)) {
      ours <- if (is.null(t$group)) t else t[t$group == g, ]
      theirs <- ref[ref$group == g, ]
      for (col in LT_COLS) close10(ours[[col]], theirs[[col]], paste(cs$case, g, col))
    }
  })
})

test_that("US 2000 life expectancy is the published one; formula interface agrees", {
  skip_without_fixtures()
  for (k in c("us_male", "us_female")) {
    f <- fit_case(lt_manifest[lt_manifest$case == k, ])
    e0 <- c(us_male = 74.1, us_female = 79.5)[[k]]
    expect_lt(abs(f$lt$table$ex[1] - e0), 0.3)
  }
  cs <- lt_manifest[lt_manifest$case == "us_abridged", ]
  f <- fit_case(cs)
  g <- life_table(deaths ~ age + group, f$d, population = "population")
  expect_equal(g$table, f$lt$table, tolerance = 0)
  expect_output(print(g), "Life table \\(Chiang\\)")
})

test_that("temporary life expectancy and Arriaga match by hand", {
  skip_without_fixtures()
  tmp <- read_fixture("lifetable_temporary.csv")
  for (r in seq_len(nrow(tmp))) {
    f <- fit_case(lt_manifest[lt_manifest$case == tmp$case[r], ])
    t <- temporary_life_expectancy(f$lt, tmp$from[r], tmp$to[r])
    row <- t[t$group == tmp$group[r], ]
    close10(row$temporary_ex, tmp$temporary_ex[r], "temporary_ex")
    close10(row$years_lost, tmp$years_lost[r], "years_lost")
  }
  arr <- read_fixture("lifetable_arriaga.csv")
  for (k in unique(arr$case)) {
    a <- arr[arr$case == k, ]
    f <- fit_case(lt_manifest[lt_manifest$case == k, ])
    ours <- arriaga(f$lt, a$group1[1], a$group2[1])
    for (col in c("age", "direct", "indirect", "total")) close10(ours[[col]], a[[col]], paste(k, col))
    expect_lt(abs(sum(ours$total) - attr(ours, "difference")), 1e-9)
  }
})

test_that("life table errors name the argument and the row (counted from 1)", {
  base <- list(deaths = c(5, 1, 30), population = c(1000, 4000, 500), age = c(0, 1, 5))
  lt <- function(...) do.call(life_table, utils::modifyList(base, list(...)))
  expect_error(lt(deaths = c(5, -1, 30)), "argument `deaths`: negative value (value -1) at row 2", fixed = TRUE)
  expect_error(lt(population = c(1000, 0, 500)),
               "argument `population`: no population but deaths > 0 (value 0) at row 2", fixed = TRUE)
  expect_error(lt(age = c(0, 5, 1)), "argument `age`: ages not increasing within a group", fixed = TRUE)
  expect_error(lt(age = c(0, 1, 1)), "argument `age`: duplicated age within a group (value 1) at row 3", fixed = TRUE)
  expect_error(lt(population = c(1000, 4000, NA)), "argument `population`: missing value (NaN) at row 3", fixed = TRUE)
  expect_error(lt(a0 = "west"), "argument `a0`: unknown value", fixed = TRUE)
})

# ---- funnel plots ----------------------------------------------------------------------------

fn_manifest <- if (is.null(fixture_dir())) data.frame(case = character(0)) else read_fixture("funnel_cases.csv")

fit_funnel <- function(i) {
  cs <- fn_manifest[i, ]
  data <- read_fixture("funnel_data.csv")
  d <- data[data$data == cs$data, ]
  levels <- as.numeric(strsplit(cs$limits, ";")[[1]])
  od <- if (cs$overdispersion == "none") NULL else cs$overdispersion
  target <- if (is.na(cs$target) || cs$target == "NA") NULL else as.numeric(cs$target)
  list(levels = levels, f = funnel(d, observed = "observed", denominator = "denominator", kind = cs$kind,
                                   limits = levels, overdispersion = od, unit = "unit", target = target,
                                   winsorize = as.numeric(cs$winsorize),
                                   conf_level = as.numeric(cs$conf_level)))
}

for (i in seq_len(nrow(fn_manifest))) local({
  cs <- fn_manifest[i, , drop = FALSE]
  idx <- i
  test_that(paste("funnel matches Spiegelhalter by hand:", cs$case), {
    skip_without_fixtures()
    r <- fit_funnel(idx)
    f <- r$f
    s <- read_fixture("funnel_summary.csv")[idx, ]
    close10(f$target, s$target, "target")
    close10(f$phi, s$phi, "phi")
    close10(f$tau2, s$tau2, "tau2")
    expect_identical(f$adjusted, as.logical(s$adjusted))
    exp <- read_fixture("funnel_expected.csv")
    exp$flag[is.na(exp$flag)] <- ""
    t <- as.data.frame(f)
    for (level in r$levels) {
      e <- exp[exp$case == cs$case & exp$level == level, ]
      expect_identical(as.character(t$unit), e$unit)
      for (col in c("indicator", "z", "z_unadjusted")) close10(t[[col]], e[[col]], paste(cs$case, col))
      lab <- format(100 * level)
      close10(t[[paste0("lower_", lab)]], e$lower, paste(cs$case, "lower"))
      close10(t[[paste0("upper_", lab)]], e$upper, paste(cs$case, "upper"))
      expect_identical(t$flag, e$flag)
      if (cs$overdispersion == "additive") {
        for (col in c("shrunk", "shrunk_lower", "shrunk_upper")) close10(t[[col]], e[[col]], paste(cs$case, col))
      }
    }
  })
})

test_that("funnel and life table plots draw; print shows the flagged units", {
  skip_without_fixtures()
  f <- fit_funnel(2)$f
  pdf(NULL)
  on.exit(dev.off())
  expect_identical(plot(f), f)
  expect_output(print(f), "Funnel plot \\(proportion\\)")
  lt <- fit_case(lt_manifest[lt_manifest$case == "us_abridged", ])$lt
  expect_identical(plot(lt), lt)
})

test_that("funnel errors name the argument and the row (counted from 1)", {
  expect_error(funnel(observed = c(1, 12), denominator = c(10, 10)),
               "argument `observed`: more observed than the denominator (a proportion above 1) (value 12) at row 2", fixed = TRUE)
  expect_error(funnel(observed = c(1, 2), denominator = c(10, 0), kind = "rate"),
               "argument `denominator`: zero denominator (value 0) at row 2", fixed = TRUE)
  expect_error(funnel(observed = c(NA, 2), denominator = c(10, 10), kind = "ratio"),
               "argument `observed`: missing value (NaN) at row 1", fixed = TRUE)
  expect_error(funnel(observed = c(1, 2), denominator = c(10, 10), overdispersion = "both"),
               "argument `overdispersion`: unknown value \"both\"", fixed = TRUE)
})
