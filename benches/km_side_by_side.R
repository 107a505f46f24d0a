# Kaplan-Meier speed, R side: hrrstats vs survival::survfit on the same data, one run.
# Reads the binary data written by benches/km_data.py. Prints one CSV line per tool.
#   Rscript benches/km_side_by_side.R /tmp/hrrstats-bench [repeat]
suppressPackageStartupMessages({library(survival); library(hrrstats)})
args <- commandArgs(trailingOnly = TRUE)
dir <- if (length(args) >= 1) args[1] else "/tmp/hrrstats-bench"
rep <- if (length(args) >= 2) as.integer(args[2]) else 3L
n <- file.size(file.path(dir, "time.f64")) / 8
rd <- function(x) readBin(file.path(dir, paste0(x, ".f64")), "double", n = n)
d <- data.frame(time = rd("time"), event = rd("event"), group = rd("group"))
best <- function(f) min(vapply(seq_len(rep), function(i) system.time(f())[["elapsed"]], 0))
t_surv <- best(function() survfit(Surv(time, event) ~ group, data = d))
t_hrr <- best(function() kaplan_meier(Surv(time, event) ~ group, data = d))
t_hrr_df <- best(function() as.data.frame(kaplan_meier(Surv(time, event) ~ group, data = d)))
cat(sprintf("r,survival::survfit,%.4f\n", t_surv))
cat(sprintf("r,hrrstats::kaplan_meier,%.4f\n", t_hrr))
cat(sprintf("r,hrrstats::kaplan_meier + as.data.frame(),%.4f\n", t_hrr_df))
