#!/usr/bin/env Rscript
# Reference answers for hrrstats' standard expected years of life lost
# (years_of_life_lost, GBD's SEYLL), by hand in plain R: each death at age a loses the
# remaining life expectancy e*(a) of a standard life table, interpolated linearly between
# the standard's ages (stats::approx); with a continuous discount rate r and/or the GBD
# 1990 age weights C x exp(-beta x) (beta = 0.04, C = 0.1658, K = 1) the years lost per
# death are the closed form of Murray (1994, Bull WHO 72:429-445, eq. 4), checked here
# against numerical integration (stats::integrate) of the weighted, discounted years.
# No package in Debian computes SEYLL (CRAN's DALY/YLL packages are not installable here).
#
# Data (public): the standard is the complete US 2000 female life table of
# generate_lifetable.R (survival::survexp.us by Chiang's method, ages 0-109: the
# fixture lifetable_expected.csv, case us_female); the deaths are the abridged US 2000
# male and female deaths of the same fixture (case us_abridged, ages 0, 1-4, 5-9, ...,
# 85+), dying at the middle of their age group (at 90 in the open group 85+).
# Cases: plain (no discounting, no weights), discount (r = 0.03), weighted (age weights,
# r = 0), gbd1990 (r = 0.03 and age weights: YLL(3,1)); all by sex.
#
# Writes tests/reference/fixtures/ (every file prefixed yll_):
#   yll_standard.csv   age, ex
#   yll_input.csv      sex, age (at death), deaths
#   yll_cases.csv      case, discount, age_weighting
#   yll_expected.csv   case, sex, age, deaths, standard_ex, years_lost_per_death, years_lost
#   yll_total.csv      case, sex, deaths, years_lost
#
# Run from the repository root:  Rscript tests/reference/generate_yll.R
source(file.path("tests", "reference", "fixture_io.R"))
write_csv <- fixture_writer("^yll_")
fx <- file.path("tests", "reference", "fixtures")

lt <- read.csv(file.path(fx, "lifetable_expected.csv"), stringsAsFactors = FALSE)
std <- lt[lt$case == "us_female", c("age", "ex")]
lin <- read.csv(file.path(fx, "lifetable_input.csv"), stringsAsFactors = FALSE)
ab <- lin[lin$case == "us_abridged", c("group", "age", "deaths")]
# age at death: the middle of the age group (85+: 90)
mid <- function(a) {
  up <- c(a[-1], NA)
  ifelse(is.na(up), 90, (a + up) / 2)
}
input <- do.call(rbind, lapply(split(ab, ab$group), function(d) {
  data.frame(sex = d$group, age = mid(d$age), deaths = d$deaths)
}))
input <- input[order(input$sex == "male", decreasing = TRUE), ]  # male first, as in the fixture
rownames(input) <- NULL

beta <- 0.04; C <- 0.1658
per_death <- function(a, l, r, aw) {
  if (aw) {
    rb <- r + beta
    C * exp(r * a) / rb^2 * (exp(-rb * (a + l)) * (-rb * (a + l) - 1) - exp(-rb * a) * (-rb * a - 1))
  } else if (r > 0) {
    (1 - exp(-r * l)) / r
  } else l
}
by_integration <- function(a, l, r, aw) {
  w <- function(x) (if (aw) C * x * exp(-beta * x) else 1) * exp(-r * (x - a))
  integrate(w, a, a + l, rel.tol = 1e-12)$value
}

cases <- data.frame(case = c("plain", "discount", "weighted", "gbd1990"),
                    discount = c(0, 0.03, 0, 0.03), age_weighting = c(FALSE, FALSE, TRUE, TRUE))
e_star <- approx(std$age, std$ex, xout = input$age)$y
expected <- NULL; total <- NULL
for (k in seq_len(nrow(cases))) {
  r <- cases$discount[k]; aw <- cases$age_weighting[k]
  pd <- mapply(per_death, input$age, e_star, MoreArgs = list(r = r, aw = aw))
  num <- mapply(by_integration, input$age, e_star, MoreArgs = list(r = r, aw = aw))
  stopifnot(max(abs(pd - num) / pmax(1, abs(num))) < 1e-9)
  e <- data.frame(case = cases$case[k], sex = input$sex, age = input$age, deaths = input$deaths,
                  standard_ex = e_star, years_lost_per_death = pd, years_lost = input$deaths * pd)
  expected <- rbind(expected, e)
  tt <- aggregate(cbind(deaths, years_lost) ~ sex, data = e, FUN = sum)
  total <- rbind(total, data.frame(case = cases$case[k], tt[order(tt$sex == "male", decreasing = TRUE), ]))
}
# sanity: a death at age 0 with no discounting loses e0 of the standard
stopifnot(abs(approx(std$age, std$ex, xout = 0)$y - std$ex[1]) < 1e-12)
print(total)

write_csv(std, "yll_standard.csv")
write_csv(input, "yll_input.csv")
write_csv(cases, "yll_cases.csv")
write_csv(expected, "yll_expected.csv")
write_csv(total, "yll_total.csv")
