#!/usr/bin/env Rscript
# Reference answers for hrrstats, from the R packages practitioners trust.
#
# Writes tests/reference/fixtures/:
#   data_<name>.csv          input data (from survival's public data sets), strata and
#                            groups as integer codes 1..k in R's factor-level order
#   km_cases.csv             manifest of Kaplan-Meier cases (columns to use, options)
#   km_<case>.csv            summary(survfit(...), censored = TRUE) rows
#   km_<case>_quantile.csv   quantile(fit, c(.25, .5, .75)) with limits
#   km_<case>_at.csv         summary(fit, times = ..., extend = TRUE)
#   logrank_cases.csv        manifest of log-rank cases
#   logrank_<case>.csv       survdiff(): per group n, observed, expected, chisq, df, p
#   logrank_<case>_var.csv   survdiff()$var, long format
#
# Run from the repository root:  Rscript tests/reference/generate.R
# Numbers are written with 17 significant digits (exact round trip of doubles).
suppressPackageStartupMessages(library(survival))

source(file.path("tests", "reference", "fixture_io.R"))
write_csv <- fixture_writer("^(data_|km_|logrank_)")
codes <- function(f) as.integer(factor(f))

## ---- data sets --------------------------------------------------------------
set.seed(20261124)
lung_d <- with(survival::lung, data.frame(
  time = time, status = status - 1, sex = sex,
  w_int = (seq_along(time) %% 3) + 1,
  w_frac = round(runif(length(time), 0.2, 3), 4)))
veteran_d <- with(survival::veteran, data.frame(
  time = time, status = status, trt = trt, celltype = codes(celltype),
  karno_grp = codes(cut(karno, c(0, 40, 60, 100)))))
ovarian_d <- with(survival::ovarian, data.frame(
  time = futime, status = fustat, rx = rx, resid = resid.ds))
heart_d <- with(survival::heart, data.frame(
  start = start, stop = stop, event = event,
  transplant = codes(transplant), surgery = surgery,
  w_frac = round(runif(length(start), 0.2, 3), 4)))
# A set with heavy ties and survival reaching zero in one stratum.
tied_d <- data.frame(
  time = c(1, 1, 1, 2, 2, 3, 3, 3, 3, 5, 5, 6, 1, 2, 2, 2, 4, 4, 4, 7),
  status = c(1, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1, 0, 1),
  grp = rep(1:2, c(12, 8)))
# Delayed entry, continuous times (no ties), three groups: the log-rank test with
# entry equals coxph's score test (ties = "breslow"), our anchor for that case.
set.seed(7)
n_sim <- 300
sim_grp <- sample(1:3, n_sim, replace = TRUE)
sim_entry <- round(runif(n_sim, 0, 2), 6)
sim_d <- data.frame(entry = sim_entry,
                    exit = sim_entry + round(rexp(n_sim, c(0.5, 0.7, 0.9)[sim_grp]), 6) + 1e-6,
                    status = rbinom(n_sim, 1, 0.8), grp = sim_grp)
stopifnot(!anyDuplicated(sim_d$exit[sim_d$status == 1]))
datasets <- list(lung = lung_d, veteran = veteran_d, ovarian = ovarian_d,
                 heart = heart_d, tied = tied_d, sim_entry = sim_d)
for (nm in names(datasets)) write_csv(datasets[[nm]], paste0("data_", nm, ".csv"))

## ---- Kaplan-Meier ------------------------------------------------------------
km_cases <- read.csv(text = "
case,data,entry,time,status,strata,weights,conf_type,conf_level
lung,lung,,time,status,,,log,0.95
lung_sex,lung,,time,status,sex,,log,0.95
lung_loglog,lung,,time,status,sex,,log-log,0.95
lung_plain,lung,,time,status,sex,,plain,0.95
lung_arcsin,lung,,time,status,sex,,arcsin,0.95
lung_logit,lung,,time,status,,,logit,0.9
lung_wint,lung,,time,status,sex,w_int,log,0.95
lung_wfrac,lung,,time,status,sex,w_frac,log,0.95
lung_wfrac_loglog,lung,,time,status,,w_frac,log-log,0.95
veteran_trt,veteran,,time,status,trt,,log,0.95
veteran_cell,veteran,,time,status,celltype,,log-log,0.99
ovarian_rx,ovarian,,time,status,rx,,log,0.95
heart,heart,start,stop,event,,,log,0.95
heart_tx,heart,start,stop,event,transplant,,log-log,0.95
heart_wfrac,heart,start,stop,event,transplant,w_frac,log,0.95
tied_grp,tied,,time,status,grp,,log,0.95
tied_plain,tied,,time,status,grp,,plain,0.8
", colClasses = "character")
km_cases <- km_cases[nchar(km_cases$case) > 0, ]
write_csv(km_cases, "km_cases.csv")

at_times <- list(lung = c(0, 5, 100, 365, 730, 1022, 2000), veteran = c(0, 30, 100, 365, 999, 1200),
                 ovarian = c(0, 100, 365, 800, 1300), heart = c(0, 10, 50, 365, 1000, 2000),
                 tied = c(0, 1, 2.5, 4, 6, 10))

for (i in seq_len(nrow(km_cases))) {
  cs <- km_cases[i, ]
  d <- datasets[[cs$data]]
  y <- if (nchar(cs$entry)) Surv(d[[cs$entry]], d[[cs$time]], d[[cs$status]])
       else Surv(d[[cs$time]], d[[cs$status]])
  s <- if (nchar(cs$strata)) d[[cs$strata]] else rep(1, nrow(d))
  w <- if (nchar(cs$weights)) d[[cs$weights]] else rep(1, nrow(d))
  fit <- survfit(y ~ s, weights = w, conf.type = cs$conf_type,
                 conf.int = as.numeric(cs$conf_level))
  sm <- summary(fit, censored = TRUE)
  strata <- if (is.null(sm$strata)) rep(1L, length(sm$time)) else as.integer(sm$strata)
  write_csv(data.frame(strata = strata, time = sm$time, n_risk = sm$n.risk,
                       n_event = sm$n.event, n_censor = sm$n.censor,
                       survival = sm$surv, std_err = sm$std.err,
                       lower = sm$lower, upper = sm$upper,
                       cumulative_hazard = sm$cumhaz, std_err_cumulative_hazard = sm$std.chaz),
            paste0("km_", cs$case, ".csv"))
  q <- quantile(fit, probs = c(0.25, 0.5, 0.75))
  nst <- if (is.null(fit$strata)) 1 else length(fit$strata)
  qq <- function(m) matrix(m, nrow = nst)
  write_csv(data.frame(strata = rep(seq_len(nst), 3), prob = rep(c(0.25, 0.5, 0.75), each = nst),
                       quantile = c(qq(q$quantile)), lower = c(qq(q$lower)), upper = c(qq(q$upper))),
            paste0("km_", cs$case, "_quantile.csv"))
  sa <- summary(fit, times = at_times[[cs$data]], extend = TRUE)
  sa_strata <- if (is.null(sa$strata)) rep(1L, length(sa$time)) else as.integer(sa$strata)
  write_csv(data.frame(strata = sa_strata, time = sa$time, n_risk = sa$n.risk,
                       survival = sa$surv, std_err = sa$std.err, lower = sa$lower, upper = sa$upper),
            paste0("km_", cs$case, "_at.csv"))
}

## ---- log-rank (survdiff) -------------------------------------------------------
lr_cases <- read.csv(text = "
case,data,time,status,group,strata,rho
lung_sex,lung,time,status,sex,,0
lung_sex_rho1,lung,time,status,sex,,1
veteran_cell,veteran,time,status,celltype,,0
veteran_cell_strata,veteran,time,status,celltype,trt,0
veteran_cell_rho05,veteran,time,status,celltype,karno_grp,0.5
ovarian_rx,ovarian,time,status,rx,resid,0
tied_grp,tied,time,status,grp,,0
", colClasses = "character")
lr_cases <- lr_cases[nchar(lr_cases$case) > 0, ]
write_csv(lr_cases, "logrank_cases.csv")
for (i in seq_len(nrow(lr_cases))) {
  cs <- lr_cases[i, ]
  d <- datasets[[cs$data]]
  y <- Surv(d[[cs$time]], d[[cs$status]])
  g <- d[[cs$group]]
  rho <- as.numeric(cs$rho)
  sd <- if (nchar(cs$strata)) survdiff(y ~ g + strata(d[[cs$strata]]), rho = rho)
        else survdiff(y ~ g, rho = rho)
  o <- if (is.matrix(sd$obs)) rowSums(sd$obs) else sd$obs
  e <- if (is.matrix(sd$exp)) rowSums(sd$exp) else sd$exp
  write_csv(data.frame(group = seq_along(o), n = as.vector(sd$n), observed = o, expected = e,
                       statistic = sd$chisq, df = length(o[e > 0]) - 1,
                       p_value = pchisq(sd$chisq, length(o[e > 0]) - 1, lower.tail = FALSE)),
            paste0("logrank_", cs$case, ".csv"))
  k <- length(o)
  write_csv(data.frame(i = rep(seq_len(k), k), j = rep(seq_len(k), each = k), value = c(sd$var)),
            paste0("logrank_", cs$case, "_var.csv"))
}
## log-rank with delayed entry: coxph score test (Breslow, no ties) and a brute-force
## expected count over the risk sets entry < t <= exit.
cx <- coxph(Surv(entry, exit, status) ~ factor(grp), data = sim_d, ties = "breslow")
ev_times <- sort(unique(sim_d$exit[sim_d$status == 1]))
expected <- sapply(1:3, function(g) sum(sapply(ev_times, function(t) {
  at_risk <- sim_d$entry < t & sim_d$exit >= t
  d <- sum(sim_d$exit == t & sim_d$status == 1)
  d * sum(at_risk & sim_d$grp == g) / sum(at_risk)
})))
write_csv(data.frame(group = 1:3, observed = as.vector(tapply(sim_d$status, sim_d$grp, sum)),
                     expected = expected, statistic = unname(cx$score), df = 2,
                     p_value = pchisq(unname(cx$score), 2, lower.tail = FALSE)),
          "logrank_entry_coxph.csv")

cat("fixtures written to", out, "with survival", as.character(packageVersion("survival")), "\n")
