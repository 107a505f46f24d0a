#!/usr/bin/env Rscript
# Reference answers for hrrstats' life tables (life_table): Chiang's period life table with
# Coale-Demeny a(0)/a(1-4), Chiang II standard errors of life expectancy (the open
# interval's term as Silcocks, Jenner & Reza 2001), temporary life expectancy and the
# Arriaga decomposition, computed by hand in plain R from the closed forms (no package in
# Debian computes these; demography/MortalityLaws/LifeTables are CRAN-only).
#
# Data (public): survival::survexp.us, the US life-table hazards by single year of age
# (0-109), sex and calendar year; year 2000 is used (per day x 365.25 = per year). With a
# hypothetical population of 100,000 at each single year of age, deaths = m x P. Cases:
#   us_male, us_female   complete tables (ages 0, 1, ..., 109 open), Coale-Demeny a(0)
#                        for that sex; e0 is checked against the published US 1999-2001
#                        decennial life table (NCHS: males 74.1, females 79.5) to 0.3 years
#   us_abridged          abridged tables by sex (0, 1-4, 5-9, ..., 85+) from the same
#                        rates in their stationary population (deaths and person-years
#                        summed over single years), both-sex Coale-Demeny a(0) and a(1-4);
#                        e0 within 0.2 years of the complete table's
#   sim                  simulated small abridged tables in two regions with irregular
#                        widths, zero deaths in a closed interval, a given ax column,
#                        conf_level 0.9, radix 1
#   half                 us_abridged's males with a0 = "half"
#   given                the same with a given a0 = 0.1
#
# Writes tests/reference/fixtures/ (every file prefixed lifetable_):
#   lifetable_cases.csv      case, a0 (method or number), sex, conf_level, radix, use_ax
#   lifetable_input.csv      case, group, age, deaths, population, ax
#   lifetable_expected.csv   case, group, age, mx, ax, qx, lx, dx, Lx, Tx, ex, std_err,
#                            lower, upper
#   lifetable_temporary.csv  case, group, from, to, temporary_ex, years_lost
#   lifetable_arriaga.csv    case, group1, group2, age, direct, indirect, total
#
# Run from the repository root:  Rscript tests/reference/generate_lifetable.R
suppressPackageStartupMessages(library(survival))
source(file.path("tests", "reference", "fixture_io.R"))
write_csv <- fixture_writer("^lifetable_")

coale_demeny <- function(m0, sex) {
  male <- if (m0 >= 0.107) c(0.330, 1.352) else c(0.045 + 2.684 * m0, 1.651 - 2.816 * m0)
  female <- if (m0 >= 0.107) c(0.350, 1.361) else c(0.053 + 2.800 * m0, 1.522 - 1.518 * m0)
  switch(sex, male = male, female = female, both = (male + female) / 2)
}

# One group's life table by hand.
chiang <- function(age, D, P, ax = NULL, a0 = "coale_demeny", sex = "both",
                   conf_level = 0.95, radix = 1e5) {
  k <- length(age)
  n <- c(diff(age), Inf)
  m <- ifelse(P > 0, D / P, 0)
  a <- n / 2
  if (!is.null(ax)) {
    a <- ax
  } else if (age[1] == 0 && n[1] == 1) {
    cd <- coale_demeny(m[1], sex)
    if (is.numeric(a0)) {
      a[1] <- a0
    } else if (a0 == "coale_demeny") {
      a[1] <- cd[1]
      if (k > 2 && age[2] == 1 && n[2] == 4) a[2] <- cd[2]
    } else {
      a[1] <- 0.5
    }
  }
  a[k] <- 1 / m[k]
  q <- c(n[-k] * m[-k] / (1 + (n[-k] - a[-k]) * m[-k]), 1)
  l <- radix * cumprod(c(1, 1 - q[-k]))
  d <- l * q
  L <- c(n[-k] * l[-1] + a[-k] * d[-k], l[k] / m[k])
  Tx <- rev(cumsum(rev(L)))
  e <- Tx / l
  varq <- ifelse(P > 0 & m > 0, n^2 * m * (1 - a * m) / (P * (1 + (n - a) * m)^3), 0)
  term <- c(l[-k]^2 * ((n[-k] - a[-k]) + e[-1])^2 * varq[-k], l[k]^2 * (D[k] / P[k]^2) / m[k]^4)
  v <- rev(cumsum(rev(term))) / l^2
  z <- qnorm(1 - (1 - conf_level) / 2)
  data.frame(age = age, mx = m, ax = a, qx = q, lx = l, dx = d, Lx = L, Tx = Tx, ex = e,
             std_err = sqrt(v), lower = e - z * sqrt(v), upper = e + z * sqrt(v))
}

# ---- inputs ---------------------------------------------------------------------------
us <- function(sex) survexp.us[, sex, "2000"] * 365.25
single <- function(sex) {
  m <- us(sex)
  data.frame(group = "", age = 0:109, deaths = m * 1e5, population = 1e5, ax = NA)
}
abridged <- function(sex) {
  m <- us(sex)
  lower <- c(0, 1, seq(5, 85, 5))
  grp <- findInterval(0:109, lower)
  # the stationary population of these rates (1e6 births a year) at each single age
  P <- 1e6 * exp(-cumsum(c(0, m[-110])) - m / 2)
  data.frame(group = sex, age = lower, deaths = as.numeric(tapply(m * P, grp, sum)),
             population = as.numeric(tapply(P, grp, sum)), ax = NA)
}
set.seed(20261205)
sim_group <- function(g, scale) {
  age <- c(0, 1, 5, 15, 25, 45, 65, 80, 90)
  P <- round(runif(length(age), 800, 4000) * c(0.2, 0.8, 2, 2, 4, 4, 3, 1, 0.4))
  m <- scale * c(0.006, 3e-4, 1e-4, 5e-4, 1e-3, 4e-3, 0.03, 0.1, 0.25)
  D <- rpois(length(age), m * P)
  D[3] <- 0
  D[length(age)] <- max(D[length(age)], 5)
  n <- c(diff(age), 1)
  data.frame(group = g, age = age, deaths = D, population = P,
             ax = c(0.1, 1.5, 5, 5, 10, 10, 7.5, 5, 0) * c(1, 1, 1, 1, 1, 1, 1, 0.9, 1))
}
inputs <- list(
  us_male = single("male"),
  us_female = single("female"),
  us_abridged = rbind(abridged("male"), abridged("female")),
  sim = rbind(sim_group("north", 1), sim_group("south", 1.4)),
  half = abridged("male"),
  given = abridged("male")
)
cases <- data.frame(
  case = names(inputs),
  a0 = c("coale_demeny", "coale_demeny", "coale_demeny", "coale_demeny", "half", "0.1"),
  sex = c("male", "female", "both", "both", "both", "both"),
  conf_level = c(0.95, 0.95, 0.95, 0.9, 0.95, 0.95),
  radix = c(1e5, 1e5, 1e5, 1, 1e5, 1e5),
  use_ax = c(FALSE, FALSE, FALSE, TRUE, FALSE, FALSE)
)

expected <- list()
tables <- list()
for (i in seq_len(nrow(cases))) {
  cs <- cases[i, ]
  d <- inputs[[cs$case]]
  a0 <- if (cs$a0 %in% c("coale_demeny", "half")) cs$a0 else as.numeric(cs$a0)
  for (g in unique(d$group)) {
    s <- d[d$group == g, ]
    t <- chiang(s$age, s$deaths, s$population, ax = if (cs$use_ax) s$ax, a0 = a0,
                sex = cs$sex, conf_level = cs$conf_level, radix = cs$radix)
    tables[[paste(cs$case, g)]] <- t
    expected[[length(expected) + 1]] <- cbind(case = cs$case, group = g, t)
  }
}
expected <- do.call(rbind, expected)

# Sanity against the published US decennial table 1999-2001 (NCHS): e0 74.1 / 79.5.
e0m <- tables[["us_male "]]$ex[1]
e0f <- tables[["us_female "]]$ex[1]
cat(sprintf("US 2000 e0: males %.3f, females %.3f\n", e0m, e0f))
stopifnot(abs(e0m - 74.1) < 0.3, abs(e0f - 79.5) < 0.3)
ab <- c(tables[["us_abridged male"]]$ex[1], tables[["us_abridged female"]]$ex[1])
cat(sprintf("abridged e0: males %.3f, females %.3f\n", ab[1], ab[2]))
stopifnot(abs(ab - c(e0m, e0f)) < 0.2)

# Temporary life expectancy (years lived in [from, to) per person alive at from).
temporary <- list()
for (key in c("us_abridged", "sim")) {
  for (ft in list(c(0, 65), c(15, 80), c(1, 90))) {
    if (key == "us_abridged" && ft[2] == 90) ft[2] <- 85
    for (g in unique(inputs[[key]]$group)) {
      t <- tables[[paste(key, g)]]
      ix <- match(ft[1], t$age)
      iy <- match(ft[2], t$age)
      te <- (t$Tx[ix] - t$Tx[iy]) / t$lx[ix]
      temporary[[length(temporary) + 1]] <- data.frame(case = key, group = g, from = ft[1],
        to = ft[2], temporary_ex = te, years_lost = (ft[2] - ft[1]) - te)
    }
  }
}
temporary <- do.call(rbind, temporary)

# Arriaga: e0(2) - e0(1) by age (Preston et al. 2001, Box 3.4).
arriaga <- function(t1, t2) {
  k <- nrow(t1)
  l0 <- t1$lx[1]
  direct <- t1$lx / l0 * (t2$Lx / t2$lx - t1$Lx / t1$lx)
  indirect <- c(t2$Tx[-1] / l0 * (t1$lx[-k] / t2$lx[-k] - t1$lx[-1] / t2$lx[-1]), 0)
  direct[k] <- t1$lx[k] / l0 * (t2$Tx[k] / t2$lx[k] - t1$Tx[k] / t1$lx[k])
  stopifnot(abs(sum(direct + indirect) - (t2$ex[1] - t1$ex[1])) < 1e-9)
  data.frame(age = t1$age, direct = direct, indirect = indirect, total = direct + indirect)
}
arr <- rbind(
  cbind(case = "us_abridged", group1 = "male", group2 = "female",
        arriaga(tables[["us_abridged male"]], tables[["us_abridged female"]])),
  cbind(case = "sim", group1 = "south", group2 = "north",
        arriaga(tables[["sim south"]], tables[["sim north"]]))
)

write_csv(cases, "lifetable_cases.csv")
write_csv(do.call(rbind, lapply(names(inputs), function(k) cbind(case = k, inputs[[k]]))),
          "lifetable_input.csv")
write_csv(expected, "lifetable_expected.csv")
write_csv(temporary, "lifetable_temporary.csv")
write_csv(arr, "lifetable_arriaga.csv")
cat("wrote", written, "\n")
cat(R.version.string, "survival", as.character(packageVersion("survival")), "\n")
