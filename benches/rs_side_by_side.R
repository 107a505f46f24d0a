# Net survival (Pohar-Perme) speed, R side: relsurv::rs.surv (once) and
# hrrstats::net_survival on the data of benches/rs_data.py. Prints:
# language,tool,seconds,final_survival
#   Rscript benches/rs_side_by_side.R /tmp/hrrstats-rs [relsurv|hrr|both] [repeat]
suppressPackageStartupMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
which <- if (length(args) >= 2) args[2] else "both"
rep <- if (length(args) >= 3) as.integer(args[3]) else 3L
n <- file.size(file.path(dir, "time.f64")) / 8
rd <- function(x) readBin(file.path(dir, paste0(x, ".f64")), "double", n = n)
d <- data.frame(time = rd("time"), cens = rd("cens"), age = rd("age"), sex = rd("sex"))
d$dx <- as.Date(rd("year"), origin = "1960-01-01")
if (which %in% c("relsurv", "both")) {
  suppressPackageStartupMessages(library(relsurv))
  sl <- relsurv::slopop
  sec <- system.time(f <- rs.surv(Surv(time, cens) ~ 1, data = d, ratetable = sl,
                                  rmap = list(age = age * 365.241, sex = sex, year = dx)))[["elapsed"]]
  cat(sprintf("r,relsurv::rs.surv (pohar-perme),%.4f,%.10f\n", sec, f$surv[length(f$surv)]))
}
if (which %in% c("hrr", "both") && requireNamespace("hrrstats", quietly = TRUE) &&
    "net_survival" %in% getNamespaceExports("hrrstats")) {
  suppressPackageStartupMessages(library(hrrstats))
  fix <- file.path(dirname(dirname(normalizePath(sub("--file=", "", grep("--file=", commandArgs(), value = TRUE))))),
                   "tests", "reference", "fixtures")
  rt <- rate_table(read.csv(file.path(fix, "data_rs_slopop.csv")), time_unit = "days")
  best <- Inf
  for (i in seq_len(rep)) {
    sec <- system.time(f <- net_survival(Surv(time, cens) ~ 1, data = d, ratetable = rt, age = "age",
                                         year = "dx", sex = "sex"))[["elapsed"]]
    best <- min(best, sec)
  }
  s <- as.data.frame(f)$survival
  cat(sprintf("r,hrrstats::net_survival (pohar-perme),%.4f,%.10f\n", best, s[length(s)]))
}
