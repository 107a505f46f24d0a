#!/usr/bin/env Rscript
# Reference answers for hrrstats' funnel plots (funnel): control limits, z-scores,
# overdispersion and flags as Spiegelhalter (2005, Stat Med 24:1185-1202; Qual Saf Health
# Care 14:347-351), computed by hand in plain R from the closed forms (FunnelPlotR, the
# usual anchor, is CRAN-only and not installable from Debian):
#   - exact limits with Spiegelhalter's interpolation: r_p = qbinom(p, n, theta0) or
#     qpois(p, theta0 * rho), alpha = (F(r_p) - p) / (F(r_p) - F(r_p - 1)),
#     limit (r_p - alpha) / rho;
#   - z = (y - theta0) / sqrt(V), V = theta0 (1 - theta0) / n (proportions) or
#     theta0 / rho (ratios, rates);
#   - phi = mean of the z-scores Winsorised at their q and 1 - q quantiles (type 7),
#     multiplicative limits theta0 +- z_L sqrt(phi V) when phi > 1;
#   - tau^2 = max(0, (I phi - (I - 1)) / (sum w - sum w^2 / sum w)), w = 1 / V,
#     additive limits theta0 +- z_L sqrt(V + tau^2) when tau^2 > 0; empirical-Bayes
#     estimates theta0 + tau^2 / (tau^2 + V) (y - theta0), sd sqrt(tau^2 V / (tau^2 + V));
#   - limits clipped to [0, 1] (proportions) or at 0 (the interpolation gives -alpha/rho
#     where the quantile is 0); flag at the widest level
#     exceeded ("high 99.8%", "low 95%", "").
#
# Data: `sim` (seeded simulated hospitals: 40 units, 30-3000 cases, overdispersed
# proportions), `ucb` (datasets::UCBAdmissions: admitted / applicants per department x
# gender, 12 units), `insurance` (MASS::Insurance: claims over the expected number from a
# Poisson model of claims on age with log(holders) offset, per district x car group,
# 16 units; and claims per holder as a rate).
#
# Writes tests/reference/fixtures/ (every file prefixed funnel_):
#   funnel_data.csv      data, unit, observed, denominator
#   funnel_cases.csv     case, data, kind, overdispersion, limits (";"-separated), target
#                        (NA: default), winsorize, conf_level
#   funnel_expected.csv  case, unit, level, indicator, z, z_unadjusted, lower, upper, flag,
#                        shrunk, shrunk_lower, shrunk_upper (NA unless additive)
#   funnel_summary.csv   case, target, phi, tau2, adjusted
#
# Run from the repository root:  Rscript tests/reference/generate_funnel.R
suppressPackageStartupMessages(library(MASS))
source(file.path("tests", "reference", "fixture_io.R"))
write_csv <- fixture_writer("^funnel_")

# ---- data -------------------------------------------------------------------------------
set.seed(20261205)
n_sim <- round(exp(runif(40, log(30), log(3000))))
p_sim <- plogis(qlogis(0.12) + rnorm(40, 0, 0.3))
sim <- data.frame(data = "sim", unit = sprintf("H%02d", 1:40), observed = rbinom(40, n_sim, p_sim),
                  denominator = n_sim)
ucb_t <- as.data.frame(UCBAdmissions)
ucb <- do.call(rbind, lapply(split(ucb_t, list(ucb_t$Dept, ucb_t$Gender)), function(s) {
  data.frame(data = "ucb", unit = paste0(s$Dept[1], "-", s$Gender[1]),
             observed = s$Freq[s$Admit == "Admitted"], denominator = sum(s$Freq))
}))
ins <- Insurance
fit <- glm(Claims ~ Age + offset(log(Holders)), family = poisson, data = ins)
ins$E <- fitted(fit)
units <- interaction(ins$District, ins$Group, sep = "-", lex.order = TRUE)
insurance <- data.frame(data = "insurance", unit = levels(units),
                        observed = as.numeric(tapply(ins$Claims, units, sum)),
                        denominator = as.numeric(tapply(ins$E, units, sum)))
insurance_rate <- data.frame(data = "insurance_rate", unit = levels(units),
                             observed = insurance$observed,
                             denominator = as.numeric(tapply(ins$Holders, units, sum)))
data <- rbind(sim, ucb, insurance, insurance_rate)
rownames(data) <- NULL

cases <- data.frame(
  case = c("sim_none", "sim_mult", "sim_add", "sim_levels", "ucb_none", "ucb_mult", "ucb_add",
           "ins_ratio", "ins_ratio_add", "ins_rate_mult", "ins_rate_target"),
  data = c("sim", "sim", "sim", "sim", "ucb", "ucb", "ucb", "insurance", "insurance",
           "insurance_rate", "insurance_rate"),
  kind = c(rep("proportion", 7), "ratio", "ratio", "rate", "rate"),
  overdispersion = c("none", "multiplicative", "additive", "multiplicative", "none",
                     "multiplicative", "additive", "none", "additive", "multiplicative", "none"),
  limits = c("0.95;0.998", "0.95;0.998", "0.95;0.998", "0.8;0.95;0.999", "0.95;0.998",
             "0.95;0.998", "0.95;0.998", "0.95;0.998", "0.95;0.998", "0.95;0.998", "0.9"),
  target = c(NA, NA, NA, 0.11, NA, NA, NA, NA, NA, NA, 0.15),
  winsorize = c(0.1, 0.1, 0.1, 0.05, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1),
  conf_level = c(0.95, 0.95, 0.9, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95)
)

# ---- the closed forms ---------------------------------------------------------------------
exact_limit <- function(kind, theta, rho, p) {
  if (kind == "proportion") {
    r <- qbinom(p, rho, theta)
    f <- pbinom(r, rho, theta)
    f1 <- pbinom(r - 1, rho, theta)
  } else {
    r <- qpois(p, theta * rho)
    f <- ppois(r, theta * rho)
    f1 <- ppois(r - 1, theta * rho)
  }
  alpha <- ifelse(f > f1, (f - p) / (f - f1), 0)
  (r - alpha) / rho
}

funnel_by_hand <- function(O, rho, kind, overdispersion, levels, target, winsorize, conf_level) {
  theta <- if (!is.na(target)) target else if (kind == "ratio") 1 else sum(O) / sum(rho)
  g <- if (kind == "proportion") theta * (1 - theta) else theta
  V <- g / rho
  y <- O / rho
  z0 <- (y - theta) / sqrt(V)
  qs <- quantile(z0, c(winsorize, 1 - winsorize), type = 7, names = FALSE)
  I <- length(O)
  phi <- mean(pmin(pmax(z0, qs[1]), qs[2])^2)
  w <- 1 / V
  tau2 <- max(0, (I * phi - (I - 1)) / (sum(w) - sum(w^2) / sum(w)))
  adjusted <- switch(overdispersion, none = FALSE, multiplicative = phi > 1, additive = tau2 > 0)
  total_var <- if (overdispersion == "multiplicative") phi * V else V + tau2
  z <- if (adjusted) (y - theta) / sqrt(total_var) else z0
  clip <- function(x) if (kind == "proportion") pmin(pmax(x, 0), 1) else pmax(x, 0)
  lim <- lapply(levels, function(L) {
    p <- (1 - L) / 2
    if (adjusted) {
      cbind(clip(theta - qnorm(1 - p) * sqrt(total_var)), clip(theta + qnorm(1 - p) * sqrt(total_var)))
    } else {
      cbind(clip(vapply(rho, function(r) exact_limit(kind, theta, r, p), 0)),
            clip(vapply(rho, function(r) exact_limit(kind, theta, r, 1 - p), 0)))
    }
  })
  lab <- function(L) format(L * 100)
  flag <- rep("", I)
  done <- rep(FALSE, I)
  for (k in order(-levels)) {
    hi <- !done & y > lim[[k]][, 2]
    lo <- !done & !hi & y < lim[[k]][, 1]
    flag[hi] <- paste0("high ", lab(levels[k]), "%")
    flag[lo] <- paste0("low ", lab(levels[k]), "%")
    done <- done | hi | lo
  }
  if (overdispersion == "additive") {
    b <- tau2 / (tau2 + V)
    shrunk <- theta + b * (y - theta)
    s <- sqrt(tau2 * V / (tau2 + V))
    zc <- qnorm(1 - (1 - conf_level) / 2)
    sh <- cbind(shrunk, clip(shrunk - zc * s), clip(shrunk + zc * s))
  } else {
    sh <- matrix(NA_real_, I, 3)
  }
  list(theta = theta, phi = phi, tau2 = tau2, adjusted = adjusted, y = y, z = z, z0 = z0,
       lim = lim, flag = flag, sh = sh)
}

expected <- list()
summary <- list()
for (i in seq_len(nrow(cases))) {
  cs <- cases[i, ]
  d <- data[data$data == cs$data, ]
  levels <- as.numeric(strsplit(cs$limits, ";")[[1]])
  r <- funnel_by_hand(d$observed, d$denominator, cs$kind, cs$overdispersion, levels,
                      cs$target, cs$winsorize, cs$conf_level)
  for (k in seq_along(levels)) {
    expected[[length(expected) + 1]] <- data.frame(
      case = cs$case, unit = d$unit, level = levels[k], indicator = r$y, z = r$z,
      z_unadjusted = r$z0, lower = r$lim[[k]][, 1], upper = r$lim[[k]][, 2], flag = r$flag,
      shrunk = r$sh[, 1], shrunk_lower = r$sh[, 2], shrunk_upper = r$sh[, 3])
  }
  summary[[i]] <- data.frame(case = cs$case, target = r$theta, phi = r$phi, tau2 = r$tau2,
                             adjusted = r$adjusted)
}
expected <- do.call(rbind, expected)
summary <- do.call(rbind, summary)
print(summary)
print(table(expected$case, expected$flag != ""))

write_csv(data, "funnel_data.csv")
write_csv(cases, "funnel_cases.csv")
write_csv(expected, "funnel_expected.csv")
write_csv(summary, "funnel_summary.csv")
cat("wrote", written, "\n")
cat(R.version.string, "MASS", as.character(packageVersion("MASS")), "\n")
