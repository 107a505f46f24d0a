# Standard expected years of life lost (years_of_life_lost, GBD's SEYLL) against the
# computation by hand in plain R (fixtures written by tests/reference/generate_yll.R), at
# 1e-10; the standard from our own life_table; errors naming the argument.

YLL_TOL <- 1e-10
yll_manifest <- if (is.null(fixture_dir())) data.frame(case = character(0)) else read_fixture("yll_cases.csv")

for (i in seq_len(nrow(yll_manifest))) local({
  cs <- yll_manifest[i, , drop = FALSE]
  test_that(paste("SEYLL matches the computation by hand:", cs$case), {
    skip_without_fixtures()
    d <- read_fixture("yll_input.csv")
    std <- read_fixture("yll_standard.csv")
    y <- years_of_life_lost(d, deaths = "deaths", age = "age", standard = std, by = "sex",
                            discount = as.numeric(cs$discount),
                            age_weighting = cs$age_weighting == "TRUE")
    e <- read_fixture("yll_expected.csv")
    e <- e[e$case == cs$case, ]
    expect_equal(as.character(y$table$sex), e$sex)
    for (col in c("age", "deaths", "standard_ex", "years_lost_per_death", "years_lost")) {
      expect_close(y$table[[col]], e[[col]], paste(cs$case, col), tol = YLL_TOL)
    }
    tot <- read_fixture("yll_total.csv")
    tot <- tot[tot$case == cs$case, ]
    ours <- y$total[match(tot$sex, as.character(y$total$sex)), ]
    expect_close(ours$deaths, tot$deaths, paste(cs$case, "total deaths"), tol = YLL_TOL)
    expect_close(ours$years_lost, tot$years_lost, paste(cs$case, "total years_lost"), tol = YLL_TOL)
  })
})

test_that("SEYLL with the standard from our own life table, and the formula interface", {
  skip_without_fixtures()
  lin <- read_fixture("lifetable_input.csv")
  lin <- lin[lin$case == "us_female", ]
  lt <- life_table(deaths = lin$deaths, population = lin$population, age = lin$age, sex = "female")
  d <- read_fixture("yll_input.csv")
  y <- years_of_life_lost(deaths ~ age + sex, d, standard = lt)
  e <- read_fixture("yll_expected.csv")
  e <- e[e$case == "plain", ]
  expect_close(y$table$years_lost, e$years_lost, "years_lost, standard from life_table", tol = YLL_TOL)
  y2 <- years_of_life_lost(deaths = d$deaths, age = d$age, standard_age = lt$table$age,
                           standard_ex = lt$table$ex, by = d$sex)
  expect_identical(y2$table$years_lost, y$table$years_lost)
  expect_output(print(y), "years lost")
  pdf(NULL)
  on.exit(dev.off())
  expect_silent(plot(y))
})

test_that("SEYLL discounting and age weights follow their integrals", {
  y <- years_of_life_lost(deaths = 1, age = 30, standard_age = c(0, 100), standard_ex = c(80, 0),
                          discount = 0.03)
  expect_equal(y$table$standard_ex, 56, tolerance = 1e-14)
  expect_equal(y$table$years_lost_per_death, (1 - exp(-0.03 * 56)) / 0.03, tolerance = 1e-13)
  w <- years_of_life_lost(deaths = 1, age = 30, standard_age = c(0, 100), standard_ex = c(80, 0),
                          age_weighting = TRUE)
  num <- integrate(function(x) 0.1658 * x * exp(-0.04 * x), 30, 86, rel.tol = 1e-12)$value
  expect_equal(w$table$years_lost_per_death, num, tolerance = 1e-10)
})

test_that("SEYLL errors name the argument", {
  std_a <- c(0, 20, 40, 60); std_e <- c(80, 60, 40, 22)
  expect_error(years_of_life_lost(deaths = c(1, 2), age = c(10, 70), standard_age = std_a, standard_ex = std_e),
               "argument `age`.*outside the standard life table's ages.*row 2")
  expect_error(years_of_life_lost(deaths = c(1, 2), age = c(10, 50), standard_age = c(0, 20, 20, 60),
                                  standard_ex = std_e), "argument `standard_age`.*not increasing")
  expect_error(years_of_life_lost(deaths = c(1, 2), age = c(10, 50), standard_age = std_a,
                                  standard_ex = std_e, discount = -0.01), "argument `discount`")
  expect_error(years_of_life_lost(deaths = c(1, -2), age = c(10, 50), standard_age = std_a,
                                  standard_ex = std_e), "argument `deaths`")
})
