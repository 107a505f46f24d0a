#!/usr/bin/env Rscript
# Reference answers for hrrstats' registry study designs.
#
#   pool (Rubin's rules) against mice::pool and mice::pool.scalar (mice 3.15):
#     pool_fits_<case>.csv     the m analyses of nhanes imputed with mice (seed 123):
#                              imputation, term, estimate, variance (= std.error^2, what
#                              mice::pool uses)
#     pool_pooled_<case>.csv   summary(pool(fit), conf.int = TRUE) with every column:
#                              term, m, estimate, std_error, statistic, df, p_value,
#                              conf_low, conf_high, riv, lambda, fmi, ubar, b, t, dfcom
#     pool_scalar.csv          mice::pool.scalar on fixed vectors: case, q (space
#                              separated), u, n, k, qbar, ubar, b, t, df, r, fmi
#   conditional logistic regression against survival::clogit:
#     data_clogit_<data>.csv   the data (case, covariates, set)
#     clogit_<case>_coef.csv   term, coef, se (method exact / approximate / efron)
#     clogit_<case>_var.csv    i, j, value
#     clogit_<case>_fit.csv    loglik0, loglik1, score, wald, lr, iter, n, nevent
#   nested case-control sampling against Epi::ccwc's logic:
#     data_ncc_<data>.csv      entry, exit, status, matching variable
#     ncc_<case>_sets.csv      set (ccwc's numbering), time, case ids (1-based,
#                              space separated), eligible ids (space separated), n_controls
#
# Run from the repository root:  Rscript tests/reference/generate_designs.R
suppressPackageStartupMessages({
  library(survival); library(mice); library(Epi)
})
source(file.path("tests", "reference", "fixture_io.R"))
w <- fixture_writer("^(pool_|clogit_|data_clogit_|ncc_|data_ncc_)")

# ---- pool ------------------------------------------------------------------------------
imp <- mice(nhanes, m = 5, seed = 123, printFlag = FALSE)
pool_case <- function(name, fit) {
  fits <- do.call(rbind, lapply(seq_along(fit$analyses), function(i) {
    td <- broom::tidy(fit$analyses[[i]])
    data.frame(imputation = i, term = td$term, estimate = td$estimate,
               variance = td$std.error^2)
  }))
  w(fits, sprintf("pool_fits_%s.csv", name))
  s <- summary(pool(fit), type = "all", conf.int = TRUE)
  out <- data.frame(term = as.character(s$term), m = s$m, estimate = s$estimate,
                    std_error = s$std.error, statistic = s$statistic, df = s$df,
                    p_value = s$p.value, conf_low = s[["2.5 %"]], conf_high = s[["97.5 %"]],
                    riv = s$riv, lambda = s$lambda, fmi = s$fmi, ubar = s$ubar, b = s$b,
                    t = s$t, dfcom = s$dfcom)
  w(out, sprintf("pool_pooled_%s.csv", name))
}
pool_case("lm", with(imp, lm(chl ~ age + bmi)))
pool_case("glm", with(imp, glm(I(hyp == 2) ~ age + bmi, family = binomial)))

sc <- list(list(q = c(1.2, 1.5, 0.9, 1.1), u = c(0.04, 0.05, 0.045, 0.05), n = Inf, k = 1),
           list(q = c(1.2, 1.5, 0.9, 1.1), u = c(0.04, 0.05, 0.045, 0.05), n = 30, k = 2),
           list(q = c(-0.3, -0.31, -0.29), u = c(0.01, 0.012, 0.011), n = 100, k = 3),
           list(q = c(2, 2, 2), u = c(0.5, 0.5, 0.5), n = 12, k = 2))
w(do.call(rbind, lapply(seq_along(sc), function(i) {
  a <- sc[[i]]
  p <- pool.scalar(a$q, a$u, n = a$n, k = a$k)
  data.frame(case = i, q = paste(sprintf("%.17g", a$q), collapse = " "),
             u = paste(sprintf("%.17g", a$u), collapse = " "), n = a$n, k = a$k,
             qbar = p$qbar, ubar = p$ubar, b = p$b, t = p$t, df = p$df, r = p$r, fmi = p$fmi)
})), "pool_scalar.csv")

# ---- conditional logistic regression -------------------------------------------------
# infert (stats): 83 matched sets of 1 case : 2 controls (some 1:1), two covariates.
inf <- data.frame(case = infert$case, spontaneous = infert$spontaneous,
                  induced = infert$induced, age = infert$age, set = infert$stratum)
w(inf, "data_clogit_infert.csv")
# A simulated 1:4 matched design (500 sets, three covariates, one binary).
set.seed(15)
ns <- 500
sim14 <- data.frame(set = rep(seq_len(ns), each = 5), case = rep(c(1, 0, 0, 0, 0), ns))
sim14$x1 <- rnorm(nrow(sim14)) + 0.5 * sim14$case
sim14$x2 <- rbinom(nrow(sim14), 1, 0.3 + 0.2 * sim14$case)
sim14$x3 <- round(rnorm(nrow(sim14), 50, 10))
w(sim14, "data_clogit_sim14.csv")
# k:M sets: 150 sets of 3 to 9 members with 1 to 3 cases (several cases per set).
set.seed(16)
sz <- sample(3:9, 150, replace = TRUE)
kc <- pmin(sample(1:3, 150, replace = TRUE), sz - 1)
simkm <- do.call(rbind, lapply(seq_along(sz), function(k)
  data.frame(set = k, case = c(rep(1, kc[k]), rep(0, sz[k] - kc[k])))))
simkm$x1 <- rnorm(nrow(simkm)) + 0.7 * simkm$case
simkm$x2 <- rnorm(nrow(simkm))
simkm$off <- round(runif(nrow(simkm), -0.5, 0.5), 2)
w(simkm, "data_clogit_simkm.csv")

clogit_cases <- data.frame(
  case = c("infert_exact", "infert_approximate", "infert_efron", "sim14_exact", "sim14_efron",
           "simkm_exact", "simkm_approximate", "simkm_efron", "simkm_offset_exact"),
  data = c("infert", "infert", "infert", "sim14", "sim14", "simkm", "simkm", "simkm", "simkm"),
  covariates = c(rep("spontaneous induced", 3), rep("x1 x2 x3", 2), rep("x1 x2", 4)),
  method = c("exact", "approximate", "efron", "exact", "efron", "exact", "approximate", "efron", "exact"),
  offset = c(rep("", 8), "off"))
w(clogit_cases, "clogit_cases.csv")
for (i in seq_len(nrow(clogit_cases))) {
  cs <- clogit_cases[i, ]
  d <- read.csv(file.path(out, sprintf("data_clogit_%s.csv", cs$data)))
  rhs <- c(strsplit(cs$covariates, " ")[[1]], "strata(set)")
  if (nzchar(cs$offset)) rhs <- c(rhs, sprintf("offset(%s)", cs$offset))
  f <- as.formula(paste("case ~", paste(rhs, collapse = " + ")))
  fit <- clogit(f, data = d, method = cs$method)
  s <- summary(fit)
  w(data.frame(term = names(coef(fit)), coef = unname(coef(fit)),
               se = unname(sqrt(diag(vcov(fit))))), sprintf("clogit_%s_coef.csv", cs$case))
  v <- vcov(fit)
  w(data.frame(i = rep(seq_len(nrow(v)), ncol(v)), j = rep(seq_len(ncol(v)), each = nrow(v)),
               value = as.vector(v)), sprintf("clogit_%s_var.csv", cs$case))
  w(data.frame(loglik0 = fit$loglik[1], loglik1 = fit$loglik[2], score = fit$score,
               wald = fit$wald.test, lr = 2 * diff(fit$loglik), iter = fit$iter,
               n = fit$n, nevent = fit$nevent), sprintf("clogit_%s_fit.csv", cs$case))
}

# ---- nested case-control sampling (Epi::ccwc) -------------------------------------------
# A cohort with delayed entry, tied failure times (times rounded to 0.1), two matching
# variables, and a few late failures with small risk sets (incomplete sets).
set.seed(17)
nc <- 400
coh <- data.frame(entry = round(runif(nc, 0, 5), 1))
coh$exit <- round(coh$entry + rexp(nc, 0.15) + 0.1, 1)
coh$status <- rbinom(nc, 1, 0.3)
coh$sex <- sample(1:2, nc, replace = TRUE)
coh$agegrp <- sample(1:3, nc, replace = TRUE)
w(coh, "data_ncc_cohort.csv")
ncc_cases <- data.frame(case = c("match_entry", "nomatch_noentry"),
                        controls = c(3, 2), match = c("sex agegrp", ""), entry = c("entry", ""))
w(ncc_cases, "ncc_cases.csv")
for (i in seq_len(nrow(ncc_cases))) {
  cs <- ncc_cases[i, ]
  set.seed(1)
  r <- if (nzchar(cs$match)) {
    suppressWarnings(ccwc(entry = entry, exit = exit, fail = status, controls = cs$controls,
                          match = list(sex, agegrp), data = coh, silent = TRUE))
  } else {
    suppressWarnings(ccwc(exit = exit, fail = status, controls = cs$controls, data = coh, silent = TRUE))
  }
  ent <- if (nzchar(cs$entry)) coh$entry else rep(0, nc)
  grp <- if (nzchar(cs$match)) interaction(coh$sex, coh$agegrp) else rep(1, nc)
  sets <- unique(r$Set)
  w(do.call(rbind, lapply(sets, function(s) {
    rows <- r[r$Set == s, ]
    tf <- rows$Time[1]
    cases <- rows$Map[rows$Fail == 1]
    g <- grp[cases[1]]
    # ccwc's risk set: same group, entry <= tf <= exit, not a case of this set
    noncase <- which(grp == g & ent <= tf & coh$exit >= tf & !(seq_len(nc) %in% cases))
    stopifnot(all(rows$Map[rows$Fail == 0] %in% noncase))   # ccwc's own draws are in it
    data.frame(set = s, time = tf, cases = paste(cases, collapse = " "),
               eligible = paste(noncase, collapse = " "), n_eligible = length(noncase),
               n_controls = sum(rows$Fail == 0))
  })), sprintf("ncc_%s_sets.csv", cs$case))
}

cat("wrote", length(written), "files\n")
