# Disclosure control of count tables: primary and secondary cell suppression with an
# LP audit (as sdcTable / tau-argus).
#
# `protect_table()` resolves the columns, codes the dimensions as factors and passes
# them to the core, which finds the primary cells, chooses the secondary cells
# (hypercubes) and audits every suppressed cell by linear programming. The labels (and
# the `total` marker of the margins) are put back here.

protect_table <- function(data, count = "n", dims = NULL, threshold = 5, protection = NULL,
                          suppress_zeros = FALSE, margins = TRUE, cost = "value",
                          exact_intervals = FALSE, total = "Total") {
  if (!is.data.frame(data)) {
    data <- tryCatch(as.data.frame(data), error = function(e)
      stop("argument `data` must be a data.frame (or convertible with as.data.frame())", call. = FALSE))
  }
  data <- as.data.frame(data)
  if (is.null(dims) || length(dims) == 0L)
    stop("argument `dims`: name one to three columns of `data` (the table's dimensions)", call. = FALSE)
  if (!is.character(count) || length(count) != 1L)
    stop("argument `count` must be a column name", call. = FALSE)
  if (!count %in% names(data)) {
    found <- intersect(c("n", "count", "events", "observed", "n_risk", "n_event", "deaths"), names(data))
    if (!length(found)) stop(sprintf("argument `count`: no column '%s' in data", count), call. = FALSE)
    count <- found[1L]
  }
  for (d in dims)
    if (!d %in% names(data)) stop(sprintf("argument `dims`: no column '%s' in data", d), call. = FALSE)
  if (count %in% dims) stop(sprintf("argument `dims`: '%s' is the count column", count), call. = FALSE)
  cnt <- data[[count]]
  if (!is.numeric(cnt) && !is.logical(cnt))
    stop(sprintf("argument `count` must be numeric, not %s", class(cnt)[1L]), call. = FALSE)
  fcs <- list()
  for (d in dims) {
    v <- data[[d]]
    bad <- which(is.na(v))
    if (length(bad)) stop(sprintf("argument `dims`: missing value at row %d", bad[1L]), call. = FALSE)
    fcs[[d]] <- factor_codes(v)
  }
  inputs <- list(count = as.double(cnt), dims = lapply(fcs, as_grouping), threshold = threshold,
                 protection = protection, suppress_zeros = suppress_zeros, margins = margins, cost = cost,
                 exact_intervals = exact_intervals)
  v <- hrr_call("protect_table", inputs)$value
  t <- v$table
  out <- list()
  for (d in dims) {
    code <- t[[d]]
    src <- data[[d]]
    lev <- fcs[[d]]$levels
    is_total <- code < 0L
    if (any(is_total) && total %in% lev)
      stop(sprintf("argument `total`: '%s' is a level of '%s'; choose another marker", total, d), call. = FALSE)
    if (is.factor(src)) {
      vals <- ifelse(is_total, total, lev[pmax(code, 0L) + 1L])
      out[[d]] <- factor(vals, levels = c(levels(src), if (any(is_total)) total))
    } else if (any(is_total)) {
      u <- sort(unique(src))
      vals <- as.character(u)[pmax(code, 0L) + 1L]
      vals[is_total] <- total
      out[[d]] <- vals
    } else {
      out[[d]] <- sort(unique(src))[code + 1L]
    }
  }
  out[[count]] <- if (is.integer(cnt)) as.integer(t$count) else t$count
  row <- t$row
  for (c in setdiff(names(data), c(dims, count))) {
    x <- data[[c]][ifelse(row >= 0L, row + 1L, NA_integer_)]
    out[[c]] <- x
  }
  out$suppressed <- t$suppressed
  out$reason <- t$reason
  out$lower <- t$lower
  out$upper <- t$upper
  res <- as.data.frame(out, stringsAsFactors = FALSE, optional = TRUE)
  attr(res, "n_primary") <- v$n_primary
  attr(res, "n_secondary") <- v$n_secondary
  attr(res, "suppressed_total") <- v$suppressed_total
  attr(res, "threshold") <- v$threshold
  attr(res, "protection") <- v$protection
  res
}
