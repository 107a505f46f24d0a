# Interval (life-table) Pohar-Perme net survival speed and memory, R side: one tool per
# process (so peak memory is the tool's own), on the data written by
# benches/survtab_data.py with the popmort rate table. Prints one CSV line:
# language,tool,seconds,final_survival,peak_rss_gb,peak_above_data_gb
#   Rscript benches/survtab_side_by_side.R /tmp/hrrstats-survtab <popepi|hrr> [repeat]
# popepi: popEpi::survtab(FUT ~ 1, surv.type = "surv.rel", relsurv.method = "pp") on the
# Lexis object of its example (as tests/reference/generate_relsurv.R, section 7);
# hrr: hrrstats::interval_net_survival(pp_weight = "popepi"), the same estimate.
suppressPackageStartupMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]; tool <- args[2]
rep <- if (length(args) >= 3) as.integer(args[3]) else 1L
d <- read.csv(file.path(dir, "data.csv"))
n <- nrow(d)
fix <- file.path(dirname(dirname(normalizePath(sub("--file=", "", grep("--file=", commandArgs(), value = TRUE))))),
                 "tests", "reference", "fixtures")
pmr <- read.csv(file.path(fix, "data_rs_popmort.csv"))
kb <- function(key) {
  l <- grep(paste0("^", key, ":"), readLines("/proc/self/status"), value = TRUE)
  as.numeric(strsplit(trimws(sub(".*:", "", l)), " +")[[1]][1])
}
best <- function(f) min(vapply(seq_len(rep), function(i) system.time(f())[["elapsed"]], 0))
BR <- seq(0, 5, 1/12)
if (tool == "popepi") {
  suppressPackageStartupMessages({library(Epi); library(popEpi)})
  # The Lexis object is the anchor's input; building it is not timed. Exit on FUT = time
  # gives lex.dur = time = ex_cal - dg_cal exactly (the generator's exit CAL = ex_cal).
  lx <- suppressMessages(Lexis(entry = list(FUT = 0, AGE = dg_age, CAL = dg_cal), exit = list(FUT = time),
                               data = d,
                               entry.status = factor(rep("alive", n), levels = c("alive", "canD", "othD")),
                               exit.status = factor(status, levels = 0:2, labels = c("alive", "canD", "othD")),
                               merge = TRUE))
  pm <- data.frame(sex = pmr$sex, CAL = pmr$year, AGE = pmr$agegroup, haz = pmr$haz)
  name <- "popEpi::survtab (pp)"
  base <- kb("VmRSS")
  sec <- best(function() st <<- suppressMessages(survtab(FUT ~ 1, data = lx, surv.type = "surv.rel",
                                                         relsurv.method = "pp", pophaz = pm,
                                                         breaks = list(FUT = BR))))
  s <- as.data.frame(st)$r.pp
} else {
  suppressPackageStartupMessages(library(hrrstats))
  rt <- rate_table(pmr, age = "agegroup", year = "year", sex = "sex", rate = "haz", time_unit = "years")
  name <- "hrrstats::interval_net_survival (pp)"
  base <- kb("VmRSS")
  sec <- best(function() f <<- interval_net_survival(Surv(time, event) ~ 1, data = d, ratetable = rt,
                                                     age = "dg_age", year = "dg_cal", sex = "sex",
                                                     breaks = (0:60) / 12, pp_weight = "popepi"))
  s <- as.data.frame(f)[["surv"]]
}
peak <- kb("VmHWM")
cat(sprintf("r,%s,%.4f,%.17g,%.3f,%.3f\n", name, sec, s[length(s)], peak / 1e6, (peak - base) / 1e6))
