# Registry-design speed, R side, one run each on the same data:
#   conditional logistic regression, exact likelihood: hrrstats::conditional_logistic vs
#   survival::clogit on `sets` matched sets of 1 case : 4 controls, 5 covariates;
#   nested case-control sampling: hrrstats::nested_case_control on `n` persons with
#   `cases` cases and 5 controls each, and Epi::ccwc at `n_ccwc` persons (the same
#   case fraction; ccwc loops over the failure times in R).
# Prints CSV lines (task, tool, size, seconds).
#   Rscript benches/designs_side_by_side.R [sets=1e5] [n=5e6] [cases=1e5] [n_ccwc=2e5]
suppressPackageStartupMessages({library(survival); library(hrrstats); library(Epi)})
a <- as.numeric(commandArgs(trailingOnly = TRUE))
sets <- if (length(a) >= 1) a[1] else 1e5
n <- if (length(a) >= 2) a[2] else 5e6
cases <- if (length(a) >= 3) a[3] else 1e5
n_ccwc <- if (length(a) >= 4) a[4] else 2e5
tm <- function(expr) system.time(expr)[["elapsed"]]

set.seed(1)
d <- data.frame(set = rep(seq_len(sets), each = 5), case = rep(c(1, 0, 0, 0, 0), sets))
for (j in 1:5) d[[paste0("x", j)]] <- rnorm(nrow(d)) + 0.2 * j * d$case
f <- case ~ x1 + x2 + x3 + x4 + x5 + strata(set)
coxph <- survival::coxph   # clogit() evaluates a coxph() call in the caller's frame
h <- NULL; s <- NULL
cat(sprintf("clogit_exact,hrrstats::conditional_logistic,%g,%.4f\n", sets,
            tm(h <- conditional_logistic(f, data = d, method = "exact"))))
cat(sprintf("clogit_exact,survival::clogit,%g,%.4f\n", sets,
            tm(s <- clogit(f, data = d, method = "exact"))))
stopifnot(max(abs(coef(h) - coef(s)) / abs(coef(s))) < 1e-8)

sim <- function(n, cases) {
  entry <- runif(n, 0, 10)
  exit <- entry + rexp(n, 0.1)
  status <- as.numeric(seq_len(n) %in% sample.int(n, cases))
  data.frame(entry = entry, exit = exit, status = status, sex = sample(1:2, n, TRUE))
}
big <- sim(n, cases)
cat(sprintf("ncc,hrrstats::nested_case_control,%g,%.4f\n", n,
            tm(suppressWarnings(nested_case_control(entry, exit, status, controls = 5, match = sex,
                                                    seed = 1, data = big)))))
small <- sim(n_ccwc, round(cases * n_ccwc / n))
cat(sprintf("ncc,hrrstats::nested_case_control,%g,%.4f\n", n_ccwc,
            tm(suppressWarnings(nested_case_control(entry, exit, status, controls = 5, match = sex,
                                                    seed = 1, data = small)))))
cat(sprintf("ncc,Epi::ccwc,%g,%.4f\n", n_ccwc,
            tm(suppressWarnings(ccwc(entry, exit, status, controls = 5, match = sex, data = small,
                                     silent = TRUE)))))
