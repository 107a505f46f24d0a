# Fine-Gray speed, R side: cmprsk::crr (once) and hrrstats::fine_gray on the data of
# benches/cr_data.py. Prints CSV lines: language,tool,seconds,coef1,coef2,coef3
#   Rscript benches/cr_side_by_side.R /tmp/hrrstats-cr [crr|hrr|both] [repeat]
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
which <- if (length(args) >= 2) args[2] else "both"
rep <- if (length(args) >= 3) as.integer(args[3]) else 3L
n <- file.size(file.path(dir, "time.f64")) / 8
rd <- function(x) readBin(file.path(dir, paste0(x, ".f64")), "double", n = n)
d <- data.frame(time = rd("time"), event = rd("event"), x1 = rd("x1"), x2 = rd("x2"), x3 = rd("x3"))
line <- function(tool, sec, b) cat(sprintf("r,%s,%.4f,%.10f,%.10f,%.10f\n", tool, sec, b[1], b[2], b[3]))
if (which %in% c("crr", "both")) {
  suppressPackageStartupMessages(library(cmprsk))
  sec <- system.time(f <- crr(d$time, d$event, as.matrix(d[, c("x1", "x2", "x3")]), failcode = 1, cencode = 0))[["elapsed"]]
  line("cmprsk::crr", sec, f$coef)
}
if (which %in% c("hrr", "both") && requireNamespace("hrrstats", quietly = TRUE) &&
    "fine_gray" %in% getNamespaceExports("hrrstats")) {
  suppressPackageStartupMessages({library(hrrstats); library(survival)})
  best <- Inf
  for (i in seq_len(rep)) {
    sec <- system.time(f <- hrrstats::fine_gray(Surv(time, event) ~ x1 + x2 + x3, data = d, cause = 1))[["elapsed"]]
    best <- min(best, sec)
  }
  line("hrrstats::fine_gray", best, coef(f))
}
