# Lexis splitting speed and memory, R side: one tool per process (so peak memory is the
# tool's own), on the data written by benches/lexis_data.py. Prints one CSV line:
# language,tool,seconds,rows,peak_rss_gb,peak_above_data_gb
#   Rscript benches/lexis_side_by_side.R /tmp/hrrstats-lexis <tool> [repeat]
# tools: popepi_split (popEpi::splitMulti), popepi_table (splitMulti + data.table
# aggregation of person-time and events by age x period x sex), hrr_split, hrr_table.
suppressPackageStartupMessages({library(data.table)})
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]; tool <- args[2]
rep <- if (length(args) >= 3) as.integer(args[3]) else 1L
n <- file.size(file.path(dir, "entry.f64")) / 8
rd <- function(x) readBin(file.path(dir, paste0(x, ".f64")), "double", n = n)
d <- data.frame(id = seq_len(n), entry = rd("entry"), exit = rd("exit"), age0 = rd("age"), status = rd("status"),
                sex = rd("sex"))
kb <- function(key) {
  l <- grep(paste0("^", key, ":"), readLines("/proc/self/status"), value = TRUE)
  as.numeric(strsplit(trimws(sub(".*:", "", l)), " +")[[1]][1])
}
age_br <- 0:110; per_br <- 1990:2020
best <- function(f) min(vapply(seq_len(rep), function(i) system.time(f())[["elapsed"]], 0))
rows <- 0
if (startsWith(tool, "popepi")) {
  suppressPackageStartupMessages({library(Epi); library(popEpi)})
  # The Lexis object is the anchor's input; building it is not timed.
  lx <- Lexis(entry = list(per = entry, age = age0), exit = list(per = exit), exit.status = status, entry.status = 0,
              id = id, data = d, tol = 0)
  lx$sex <- d$sex[lx$lex.id]
  base <- kb("VmRSS")
  if (tool == "popepi_split") {
    name <- "popEpi::splitMulti"
    sec <- best(function() { s <- splitMulti(lx, breaks = list(age = age_br, per = per_br)); rows <<- nrow(s) })
  } else {
    name <- "popEpi::splitMulti + data.table aggregation"
    sec <- best(function() {
      s <- splitMulti(lx, breaks = list(age = age_br, per = per_br))
      s <- as.data.table(s)
      s[, `:=`(age_band = age_br[findInterval(age + lex.dur / 2, age_br)],
               per_band = per_br[findInterval(per + lex.dur / 2, per_br)])]
      t <- s[, .(pyrs = sum(lex.dur), events = sum(lex.Xst != lex.Cst)), by = .(age_band, per_band, sex)]
      rows <<- nrow(t)
    })
  }
} else {
  suppressPackageStartupMessages(library(hrrstats))
  base <- kb("VmRSS")
  ts <- list(per = NULL, age = "age0")
  br <- list(age = age_br, per = per_br)
  if (tool == "hrr_split") {
    name <- "hrrstats::lexis_split (data.frame)"
    sec <- best(function() { s <- lexis_split(d, entry = "entry", exit = "exit", status = "status", time_scales = ts,
                                               breaks = br); rows <<- nrow(s) })
  } else {
    name <- "hrrstats::person_time_table (by sex)"
    sec <- best(function() { t <- person_time_table(d, entry = "entry", exit = "exit", status = "status",
                                                     time_scales = ts, breaks = br, by = "sex"); rows <<- nrow(t) })
  }
}
peak <- kb("VmHWM")
cat(sprintf("r,%s,%.4f,%d,%.3f,%.3f\n", name, sec, as.integer(rows), peak / 1e6, (peak - base) / 1e6))
