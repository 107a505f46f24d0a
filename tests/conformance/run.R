# Conformance runner, R side: runs the cases written by `conformance.py emit-r` through
# the package's generic call and writes the flattened results (see conformance.py).
#   Rscript run.R CASES.R OUT.tsv
args <- commandArgs(trailingOnly = TRUE)
suppressPackageStartupMessages(library(hrrstats))
call_ <- getFromNamespace("hrr_call_", "hrrstats")
fit_call_ <- getFromNamespace("hrr_fit_call_", "hrrstats")
source(args[1])
SEP <- "\x1f"
num <- function(x) paste(sprintf("%.17g", x), collapse = SEP)
clean <- function(s) gsub("[\t\n]", " ", s)

flatten <- function(x, path, out) {
  add <- function(p, kind, v) out[[length(out) + 1L]] <<- c(p, kind, v)
  walk <- function(x, path) {
    if (is.null(x)) {
      add(path, "null", "")
    } else if (is.data.frame(x)) {
      add(path, "table", paste(names(x), collapse = SEP))
      for (nm in names(x)) walk(x[[nm]], paste0(path, "/", nm))
    } else if (is.factor(x)) {
      add(path, "str", paste(as.character(x), collapse = SEP))
    } else if (is.matrix(x)) {
      add(paste0(path, "#dim"), "int", paste(dim(x), collapse = SEP))
      walk(as.vector(x), path)
      dn <- dimnames(x)
      if (!is.null(dn)) add(paste0(path, "#dimnames"), "str", paste(c(dn[[1]], dn[[2]]), collapse = SEP))
    } else if (is.list(x)) {
      nms <- names(x)
      for (i in seq_along(x)) walk(x[[i]], paste0(path, "/", if (is.null(nms)) i else nms[i]))
    } else if (is.double(x)) {
      add(path, "num", num(x))
    } else if (is.integer(x)) {
      add(path, "int", paste(x, collapse = SEP))
    } else if (is.logical(x)) {
      add(path, "lgl", paste(ifelse(x, "TRUE", "FALSE"), collapse = SEP))
    } else if (is.character(x)) {
      add(path, "str", paste(x, collapse = SEP))
    } else {
      add(path, "unknown", class(x)[1])
    }
  }
  walk(x, path)
  out
}

lines <- character(0)
for (cs in cases) {
  rows <- list()
  res <- call_(cs$method, cs$args)
  if (isTRUE(res$ok)) {
    rows <- flatten(res$value$value, "", rows)
    for (i in seq_along(cs$fit_calls)) {
      fc <- cs$fit_calls[[i]]
      r <- fit_call_(res$value$fit, fc$method, fc$args)
      rows <- if (isTRUE(r$ok)) flatten(r$value, paste0("@", i), rows) else
        c(rows, list(c(paste0("@", i), "error", clean(r$message))))
    }
  } else {
    rows <- list(c("", "error", clean(res$message)))
  }
  lines <- c(lines, vapply(rows, function(r) paste(c(cs$id, r), collapse = "\t"), ""))
}
writeLines(lines, args[2])
