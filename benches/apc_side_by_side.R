# Age-period-cohort speed, R side: hrrstats::apc_fit vs Epi::apc.fit (natural splines,
# npar 5, parm "ACP", the defaults) on the same table, one run. Writes the table to
# <dir>/apc.csv for the Python side. Prints CSV lines (language, tool, seconds).
#   Rscript benches/apc_side_by_side.R /tmp/hrrstats-apc [n_age] [n_period]
suppressPackageStartupMessages({library(Epi); library(hrrstats)})
args <- commandArgs(trailingOnly = TRUE)
dir <- if (length(args) >= 1) args[1] else "/tmp/hrrstats-apc"
na <- if (length(args) >= 2) as.integer(args[2]) else 100L
np <- if (length(args) >= 3) as.integer(args[3]) else 60L
dir.create(dir, showWarnings = FALSE, recursive = TRUE)
set.seed(16)
d <- expand.grid(A = seq_len(na) - 0.5, P = 1950 + seq_len(np) - 0.5)
d$Y <- round(runif(nrow(d), 1e3, 1e4))
d$D <- rpois(nrow(d), d$Y * exp(-10 + 0.09 * d$A - 3e-4 * d$A^2 + 0.01 * (d$P - 1980) +
                                   0.1 * sin((d$P - d$A) / 9)))
write.csv(d, file.path(dir, "apc.csv"), row.names = FALSE)
best <- function(fn, r = 3L) min(vapply(seq_len(r), function(i) system.time(fn())[["elapsed"]], 0))
e <- NULL
cat(sprintf("r,Epi::apc.fit,%.4f\n", best(function() capture.output(e <<- apc.fit(d, print.AOV = FALSE)), 1L)))
h <- NULL
cat(sprintf("r,hrrstats::apc_fit,%.4f\n", best(function() h <<- apc_fit(d))))
# same answer
stopifnot(max(abs(h$cohort$estimate / e$Coh[, 2] - 1)) < 1e-8,
          max(abs(h$anova$mod_dev / e$Anova[["Mod. dev."]] - 1)) < 1e-8)
