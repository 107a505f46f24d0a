# Parametric survival (Weibull AFT) speed, R side: hrrstats::parametric_survival vs
# survival::survreg on the same data, one run. Reads the binary data written by
# benches/cox_data.py. Prints CSV lines (language, tool, seconds).
#   Rscript benches/survreg_side_by_side.R /tmp/hrrstats-cox [repeat]
suppressPackageStartupMessages({library(survival); library(hrrstats)})
args <- commandArgs(trailingOnly = TRUE)
dir <- if (length(args) >= 1) args[1] else "/tmp/hrrstats-cox"
rep <- if (length(args) >= 2) as.integer(args[2]) else 3L
p <- as.integer(readLines(file.path(dir, "p.txt")))
n <- file.size(file.path(dir, "time.f64")) / 8
rd <- function(x) readBin(file.path(dir, paste0(x, ".f64")), "double", n = n)
d <- data.frame(time = rd("time"), status = rd("status"))
for (j in seq_len(p)) d[[paste0("x", j)]] <- rd(paste0("x", j))
f <- as.formula(paste("Surv(time, status) ~", paste0("x", seq_len(p), collapse = " + ")))
best <- function(fn, r = rep) min(vapply(seq_len(r), function(i) system.time(fn())[["elapsed"]], 0))
s <- NULL
cat(sprintf("r,survival::survreg,%.4f\n", best(function() s <<- survreg(f, data = d), 1L)))
h <- NULL
cat(sprintf("r,hrrstats::parametric_survival,%.4f\n", best(function() h <<- parametric_survival(f, data = d))))
# same answer (survreg stops at its default 1e-9 relative change of the log-likelihood)
stopifnot(max(abs(coef(h) - coef(s)) / abs(coef(s))) < 1e-5)
