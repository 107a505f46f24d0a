# Disclosure control of tables: primary and secondary cell suppression with an LP audit
# (as sdcTable / tau-argus), for count tables (threshold rule) and magnitude tables
# (p%-rule, dominance rule), with hierarchies within a dimension; or controlled rounding.
#
# `protect_table()` resolves the columns, codes the dimensions as factors and passes
# them to the core, which finds the primary cells, chooses the secondary cells
# (hypercubes) and audits every suppressed cell by linear programming (or rounds the
# table). The labels (and the `total` marker of the margins) are put back here.

sdc_hierarchy <- function(h, d) {
  if (is.data.frame(h)) {
    if (ncol(h) < 2L)
      stop(sprintf("argument `hierarchies`: dimension `%s`: a data frame needs columns child, parent", d), call. = FALSE)
    return(list(child = as.character(h[[1L]]), parent = as.character(h[[2L]])))
  }
  if ((is.character(h) || is.factor(h) || is.list(h)) && !is.null(names(h)))
    return(list(child = names(h), parent = as.character(unlist(h, use.names = FALSE))))
  stop(sprintf("argument `hierarchies`: dimension `%s` must be a named vector c(child = \"parent\") or a data frame",
               d), call. = FALSE)
}

protect_table <- function(data, count = "n", dims = NULL, threshold = NULL, protection = NULL,
                          suppress_zeros = NULL, margins = TRUE, cost = NULL,
                          exact_intervals = NULL, total = "Total", magnitude = NULL, unit = NULL,
                          p = NULL, dominance = NULL, hierarchies = NULL, method = "suppress",
                          base = NULL) {
  is_result <- !is.data.frame(data)
  if (!is.data.frame(data)) {
    data <- tryCatch(as.data.frame(data), error = function(e)
      stop("argument `data` must be a data.frame (or convertible with as.data.frame())", call. = FALSE))
  }
  data <- as.data.frame(data)
  if (is.null(dims) || length(dims) == 0L)
    stop("argument `dims`: name one to three columns of `data` (the table's dimensions)", call. = FALSE)
  if (!is.null(magnitude)) {
    if (!is.character(magnitude) || length(magnitude) != 1L || !magnitude %in% names(data))
      stop(sprintf("argument `magnitude`: no column '%s' in data", paste(magnitude, collapse = ",")), call. = FALSE)
    count <- magnitude
  } else {
    if (!is.character(count) || length(count) != 1L)
      stop("argument `count` must be a column name", call. = FALSE)
    if (!count %in% names(data)) {
      found <- intersect(c("n", "count", "events", "observed", "n_risk", "n_event", "deaths"), names(data))
      if (!length(found)) stop(sprintf("argument `count`: no column '%s' in data", count), call. = FALSE)
      count <- found[1L]
    }
  }
  for (d in dims)
    if (!d %in% names(data)) stop(sprintf("argument `dims`: no column '%s' in data", d), call. = FALSE)
  if (count %in% dims) stop(sprintf("argument `dims`: '%s' is the count column", count), call. = FALSE)
  if (is_result) {
    # an hrrstats result's overall rows (every dimension missing, e.g. sir's total) are
    # its own totals: the protected margins take their place
    overall <- Reduce(`&`, lapply(dims, function(d) is.na(data[[d]])))
    if (any(overall)) data <- data[!overall, , drop = FALSE]
    rownames(data) <- NULL
  }
  label <- if (is.null(magnitude)) "count" else "magnitude"
  cnt <- data[[count]]
  if (!is.numeric(cnt) && !is.logical(cnt))
    stop(sprintf("argument `%s` must be numeric, not %s", label, class(cnt)[1L]), call. = FALSE)
  fcs <- list()
  for (d in dims) {
    v <- data[[d]]
    bad <- which(is.na(v))
    if (length(bad)) stop(sprintf("argument `dims`: missing value at row %d", bad[1L]), call. = FALSE)
    fcs[[d]] <- factor_codes(v)
  }
  hier <- NULL
  if (!is.null(hierarchies)) {
    if (!is.list(hierarchies) || is.null(names(hierarchies)))
      stop("argument `hierarchies` must be a named list: list(dimension = c(child = \"parent\", ...))", call. = FALSE)
    hier <- Map(sdc_hierarchy, hierarchies, names(hierarchies))
  }
  unit_arg <- NULL
  if (!is.null(unit)) {
    u <- if (is.character(unit) && length(unit) == 1L && unit %in% names(data)) data[[unit]] else unit
    if (anyNA(u)) stop(sprintf("argument `unit`: missing value at row %d", which(is.na(u))[1L]), call. = FALSE)
    unit_arg <- as_grouping(factor_codes(u))
  }
  dom_n <- dom_k <- NULL
  if (!is.null(dominance)) {
    if (!is.numeric(dominance) || length(dominance) != 2L)
      stop("argument `dominance`: give c(n, k), e.g. c(1, 80)", call. = FALSE)
    dom_n <- as.double(dominance[1L]); dom_k <- as.double(dominance[2L])
  }
  inputs <- list(dims = lapply(fcs, as_grouping), threshold = threshold,
                 protection = protection, suppress_zeros = suppress_zeros, margins = margins, cost = cost,
                 exact_intervals = exact_intervals, hierarchies = hier, method = method, base = base,
                 p = p, dominance_n = dom_n, dominance_k = dom_k, unit = unit_arg)
  inputs[[label]] <- as.double(cnt)
  v <- hrr_call("protect_table", inputs)$value
  t <- v$table
  out <- list()
  for (d in dims) {
    code <- t[[d]]
    src <- data[[d]]
    lev <- fcs[[d]]$levels
    all_lab <- as.character(v$labels[[d]])
    extra <- all_lab[-seq_along(lev)]
    is_total <- code < 0L
    if (any(is_total) && total %in% c(lev, extra))
      stop(sprintf("argument `total`: '%s' is a level of '%s'; choose another marker", total, d), call. = FALSE)
    names_all <- c(lev, extra)
    if (is.factor(src)) {
      vals <- ifelse(is_total, total, names_all[pmax(code, 0L) + 1L])
      out[[d]] <- factor(vals, levels = c(levels(src), setdiff(extra, levels(src)), if (any(is_total)) total))
    } else if (any(is_total) || any(code >= length(lev))) {
      u <- as.character(sort(unique(src)))
      vals <- c(u, extra)[pmax(code, 0L) + 1L]
      vals[is_total] <- total
      out[[d]] <- vals
    } else {
      out[[d]] <- sort(unique(src))[code + 1L]
    }
  }
  out[[count]] <- if (is.integer(cnt) && is.null(magnitude)) as.integer(t$count) else t$count
  row <- t$row
  if (is.null(magnitude)) {
    for (c in setdiff(names(data), c(dims, count))) {
      x <- data[[c]][ifelse(row >= 0L, row + 1L, NA_integer_)]
      out[[c]] <- x
    }
  }
  if (identical(v$method, "round")) {
    out$rounded <- if (is.integer(cnt)) as.integer(t$rounded) else t$rounded
    res <- as.data.frame(out, stringsAsFactors = FALSE, optional = TRUE)
    attr(res, "method") <- "round"
    attr(res, "base") <- v$base
    return(res)
  }
  out$suppressed <- t$suppressed
  out$reason <- t$reason
  out$lower <- t$lower
  out$upper <- t$upper
  if (!is.null(magnitude)) {
    out$contributors <- as.integer(t$contributors)
    out$protection_level <- t$protection_level
  }
  res <- as.data.frame(out, stringsAsFactors = FALSE, optional = TRUE)
  attr(res, "n_primary") <- v$n_primary
  attr(res, "n_secondary") <- v$n_secondary
  attr(res, "suppressed_total") <- v$suppressed_total
  attr(res, "threshold") <- v$threshold
  attr(res, "protection") <- v$protection
  attr(res, "method") <- "suppress"
  res
}
