#!/usr/bin/env Rscript
# Reference answers for hrrstats' age-period-cohort models (apc_fit) from Epi::apc.fit
# (Epi 2.47; Carstensen 2007, Stat Med 26:3018-45).
#
# Data (public): Epi's lungDK (male lung cancer in Denmark 1943-2002 by Lexis triangles:
# A = mean age Ax, P = mean period Px, D, Y = person-years / 1e5), and a simulated
# table (ages 32.5..82.5 by 5, periods 1977.5..2017.5 by 5, Poisson counts from a known
# age-period-cohort rate, seed 16, no empty cell: an empty corner cohort has an infinite
# factor effect, and glm then neither converges nor finds the design's rank).
# Cases: every parm ("ACP", "APC", "AdCP", "AdPC", "Ad-P-C", "Ad-C-P", "AC-P", "AP-C")
# with natural splines (npar 5) on lungDK and with factor effects on the simulated table,
# each with dr.extr "Y" (hrrstats: "weighted") and "Holford" (naive inner product); then
# single cases: npar c(A=6, P=4, C=7), npar as a list of knots, given ref.c and ref.p,
# dr.extr "D" and "L", numeric 0.5 (D + 0.5 Y) and a weight per row ("vector":
# sqrt(Y) + D), scale 1e5 with alpha 0.1, and
# B-spline ("bs") and linear-spline ("ls") models, factor models on lungDK. A case that
# makes apc.fit warn (e.g. glm.fit not converging) stops the script.
#
# Writes tests/reference/fixtures/ (every file prefixed apc_):
#   apc_input.csv    data, A, P, D, Y
#   apc_cases.csv    case, data, model, parm, dr_extr, dr_num, npar_A, npar_P, npar_C,
#                    knots (0/1: apc_knots.csv), ref_c, ref_p (NA: default), scale, alpha
#   apc_knots.csv    case, effect (A/P/C), knot
#   apc_effects.csv  case, effect (age/period/cohort), value, estimate, lower, upper
#   apc_drift.csv    case, row, estimate, lower, upper
#   apc_anova.csv    case, row, aic, mod_df, mod_dev, test_df, test_dev, p, dev_df
#
# Run from the repository root:  Rscript tests/reference/generate_apc.R
suppressPackageStartupMessages(library(Epi))
source(file.path("tests", "reference", "fixture_io.R"))
write_csv <- fixture_writer("^apc_")

data(lungDK)
lung <- data.frame(A = lungDK$Ax, P = lungDK$Px, D = lungDK$D, Y = lungDK$Y / 1e5)
set.seed(16)
sim <- expand.grid(A = seq(32.5, 82.5, 5), P = seq(1977.5, 2017.5, 5))
sim$Y <- round(runif(nrow(sim), 5e4, 2e5))
rate <- exp(-6 + 0.08 * (sim$A - 60) - 0.0005 * (sim$A - 60)^2 +
            0.01 * (sim$P - 2000) + 0.1 * sin((sim$P - sim$A) / 7))
sim$D <- rpois(nrow(sim), sim$Y * rate)
sim <- sim[, c("A", "P", "D", "Y")]
stopifnot(all(sim$D > 0))  # no empty corner cohort: the factor model has finite effects
datas <- list(lungDK = lung, sim = sim)
write_csv(rbind(cbind(data = "lungDK", lung), cbind(data = "sim", sim)), "apc_input.csv")

parms <- c("ACP", "APC", "AdCP", "AdPC", "Ad-P-C", "Ad-C-P", "AC-P", "AP-C")
cases <- list()
add <- function(data, model, parm, dr = "weighted", dr_num = NA, npar = c(5, 5, 5),
                knots = NULL, ref_c = NA, ref_p = NA, scale = 1, alpha = 0.05) {
  cases[[length(cases) + 1]] <<- list(
    case = sprintf("c%02d", length(cases) + 1), data = data, model = model, parm = parm,
    dr = dr, dr_num = dr_num, npar = npar, knots = knots, ref_c = ref_c, ref_p = ref_p,
    scale = scale, alpha = alpha)
}
for (p in parms) for (dr in c("weighted", "holford")) add("lungDK", "ns", p, dr)
for (p in parms) for (dr in c("weighted", "holford")) add("sim", "factor", p, dr)
add("lungDK", "ns", "ACP", npar = c(6, 4, 7))
add("lungDK", "ns", "APC", knots = list(A = c(45, 55, 65, 75, 85), P = c(1950, 1970, 1990),
                                        C = c(1870, 1890, 1910, 1930, 1950)))
add("lungDK", "ns", "ACP", ref_c = 1920, ref_p = 1970)
add("lungDK", "ns", "APC", ref_c = 1920, ref_p = 1970)
add("lungDK", "ns", "AdPC", ref_c = 1915, ref_p = 1975)
add("lungDK", "ns", "AdCP", "D")
add("lungDK", "ns", "APC", "L")
add("lungDK", "ns", "ACP", "number", dr_num = 0.5)
add("lungDK", "ns", "AdPC", "vector")  # weights sqrt(Y) + D, one per row
add("lungDK", "ns", "AC-P", scale = 1e5, alpha = 0.1)
add("sim", "bs", "ACP", npar = c(5, 4, 6))
add("sim", "ls", "APC", npar = c(4, 4, 5))
add("sim", "ns", "Ad-P-C", npar = c(4, 3, 4), ref_p = 2000)
add("sim", "factor", "ACP", ref_c = 1940, ref_p = 2002.5)
add("lungDK", "factor", "APC")
add("lungDK", "factor", "Ad-C-P", "holford")

r_dr <- c(weighted = "Y", holford = "Holford", D = "D", L = "L")
eff <- list(); dri <- list(); aov <- list(); cas <- list(); kn <- list()
for (cc in cases) {
  d <- datas[[cc$data]]
  npar <- if (is.null(cc$knots)) c(A = cc$npar[1], P = cc$npar[2], C = cc$npar[3]) else cc$knots
  args <- list(data = d, model = cc$model, parm = cc$parm, npar = npar, scale = cc$scale,
               alpha = cc$alpha, print.AOV = FALSE)
  args$dr.extr <- if (cc$dr == "number") cc$dr_num else
    if (cc$dr == "vector") sqrt(d$Y) + d$D else r_dr[[cc$dr]]
  if (!is.na(cc$ref_c)) args$ref.c <- cc$ref_c
  if (!is.na(cc$ref_p)) args$ref.p <- cc$ref_p
  # any warning (e.g. glm.fit not converging) would make the case a bad reference
  capture.output(fit <- withCallingHandlers(do.call(apc.fit, args), warning = function(w)
    stop(cc$case, ": ", conditionMessage(w))))
  cas[[cc$case]] <- data.frame(case = cc$case, data = cc$data, model = cc$model,
    parm = cc$parm, dr_extr = cc$dr, dr_num = cc$dr_num, npar_A = cc$npar[1],
    npar_P = cc$npar[2], npar_C = cc$npar[3], knots = as.integer(!is.null(cc$knots)),
    ref_c = cc$ref_c, ref_p = cc$ref_p, scale = cc$scale, alpha = cc$alpha)
  if (!is.null(cc$knots)) for (e in c("A", "P", "C"))
    kn[[paste(cc$case, e)]] <- data.frame(case = cc$case, effect = e, knot = cc$knots[[e]])
  for (e in c("Age", "Per", "Coh")) {
    m <- fit[[e]]
    eff[[paste(cc$case, e)]] <- data.frame(case = cc$case,
      effect = c(Age = "age", Per = "period", Coh = "cohort")[[e]],
      value = m[, 1], estimate = m[, 2], lower = m[, 3], upper = m[, 4])
  }
  dr <- fit$Drift
  dri[[cc$case]] <- data.frame(case = cc$case, row = seq_len(nrow(dr)),
    estimate = dr[, 1], lower = dr[, 2], upper = dr[, 3])
  a <- fit$Anova
  aov[[cc$case]] <- data.frame(case = cc$case, row = 1:6, aic = a$AIC,
    mod_df = a[["Mod. df."]], mod_dev = a[["Mod. dev."]], test_df = a[["Test df."]],
    test_dev = a[["Test dev."]], p = a[["Pr(>Chi)"]], dev_df = a[["Test dev/df"]])
}
write_csv(do.call(rbind, cas), "apc_cases.csv")
write_csv(do.call(rbind, kn), "apc_knots.csv")
write_csv(do.call(rbind, eff), "apc_effects.csv")
write_csv(do.call(rbind, dri), "apc_drift.csv")
write_csv(do.call(rbind, aov), "apc_anova.csv")
cat("wrote", length(written), "files,", length(cases), "cases\n")
