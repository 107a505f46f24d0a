# Case-cohort speed, R side, one run each on the same data: hrrstats::case_cohort vs
# survival::cch on a case-cohort sample of a simulated cohort of `n` persons (a
# `frac` random subcohort plus every case; about 2% cases; 5 covariates), for the
# Prentice, LinYing and (two sampling strata) II.Borgan estimators. Each pair is checked
# to agree (coefficients 1e-8, variances 1e-6). Prints CSV lines (task, tool, size,
# seconds); size is the number of records in the sample.
#   Rscript benches/case_cohort_side_by_side.R [n=1e6] [frac=0.05]
suppressPackageStartupMessages({library(survival); library(hrrstats)})
a <- as.numeric(commandArgs(trailingOnly = TRUE))
n <- if (length(a) >= 1) a[1] else 1e6
frac <- if (length(a) >= 2) a[2] else 0.05
tm <- function(expr) system.time(expr)[["elapsed"]]

set.seed(15)
x <- matrix(rnorm(n * 5), n, 5, dimnames = list(NULL, paste0("x", 1:5)))
st <- sample(1:2, n, TRUE, prob = c(0.7, 0.3))
lp <- drop(x %*% c(0.5, -0.3, 0.2, 0, 0.1)) + 0.4 * (st == 2)
t_ev <- rexp(n, 0.002 * exp(lp))
t_c <- runif(n, 5, 10)
cohort <- data.frame(x, st = st, time = round(pmin(t_ev, t_c), 4), status = as.numeric(t_ev <= t_c))
cohort$sub <- as.numeric(seq_len(n) %in% sample.int(n, round(frac * n)))
cohort$id <- seq_len(n)
d <- cohort[cohort$status == 1 | cohort$sub == 1, ]
sizes <- table(cohort$st)
f <- Surv(time, status) ~ x1 + x2 + x3 + x4 + x5
for (m in c("Prentice", "LinYing", "II.Borgan")) {
  h <- NULL; s <- NULL
  if (m == "II.Borgan") {
    th <- tm(h <- case_cohort(f, data = d, subcoh = ~sub, id = ~id, stratum = ~st, cohort.size = sizes, method = m))
    ts <- tm(s <- cch(f, data = d, subcoh = ~sub, id = ~id, stratum = ~st, cohort.size = sizes, method = m))
  } else {
    th <- tm(h <- case_cohort(f, data = d, subcoh = ~sub, id = ~id, cohort.size = n, method = m))
    ts <- tm(s <- cch(f, data = d, subcoh = ~sub, id = ~id, cohort.size = n, method = m))
  }
  stopifnot(max(abs(coef(h) - coef(s)) / abs(coef(s))) < 1e-8,
            max(abs(vcov(h) - vcov(s)) / abs(vcov(s))) < 1e-6)
  cat(sprintf("cch_%s,hrrstats::case_cohort,%d,%.4f\n", m, nrow(d), th))
  cat(sprintf("cch_%s,survival::cch,%d,%.4f\n", m, nrow(d), ts))
}
