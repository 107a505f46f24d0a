# Poisson GLM speed, R side: stats::glm vs hrrstats::poisson_glm on the same data.
#   Rscript benches/glm_side_by_side.R /tmp/hrrstats-glm [repeat] [--no-glm]
suppressPackageStartupMessages(library(hrrstats))
args <- commandArgs(trailingOnly = TRUE)
dir <- if (length(args) >= 1) args[1] else "/tmp/hrrstats-glm"
rep <- if (length(args) >= 2) as.integer(args[2]) else 2L
p <- as.integer(readLines(file.path(dir, "p.txt")))
n <- file.size(file.path(dir, "y.f64")) / 8
rd <- function(x) readBin(file.path(dir, paste0(x, ".f64")), "double", n = n)
d <- data.frame(y = rd("y"), logpt = rd("logpt"))
for (j in seq_len(p)) d[[paste0("x", j)]] <- rd(paste0("x", j))
f <- as.formula(paste("y ~", paste0("x", seq_len(p), collapse = " + "), "+ offset(logpt)"))
best <- function(fn, r = rep) min(vapply(seq_len(r), function(i) system.time(fn())[["elapsed"]], 0))
if (!("--no-glm" %in% args)) cat(sprintf("r,stats::glm,%.4f\n", best(function() glm(f, family = poisson, data = d), 1L)))
if (exists("poisson_glm")) cat(sprintf("r,hrrstats::poisson_glm,%.4f\n", best(function() poisson_glm(f, data = d))))
