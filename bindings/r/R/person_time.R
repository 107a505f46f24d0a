# Person-time on the Lexis diagram, rates and standardisation. The core computes (through
# hrr_call()); this file resolves columns, codes by-variables and arranges the results.

# ---- inputs ---------------------------------------------------------------------------

# `data` is NULL, a data frame or a list of columns. `how` shows how to pass vectors.
pt_check_data <- function(data, how) {
  if (!is.null(data) && !is.list(data)) {
    stop("argument `data` must be a data frame (or NULL); to pass vectors, name them: ",
         how, call. = FALSE)
  }
}

# A column of `data` by name, or the vector itself. `within` names the data argument.
pt_column <- function(x, arg, data, within = "data") {
  if (is.null(x)) stop(sprintf("argument `%s` is missing", arg), call. = FALSE)
  column_of(x, arg, data, within)
}

# A numeric column (name or vector) as double.
pt_double <- function(x, arg, data, within = "data") {
  v <- pt_column(x, arg, data, within)
  if (is.numeric(v) || is.logical(v)) return(as.double(v))
  stop(sprintf("argument `%s` must be numeric (a numeric vector or the name of a numeric column of `%s`), not %s",
               arg, within, class(v)[1L]), call. = FALSE)
}

# Numeric arguments given as a named list: vectors, column names or single numbers (the
# core recycles single numbers).
pt_numbers <- function(data, args) Map(pt_double, args, names(args), MoreArgs = list(data = data))

# A data frame from a named list of equal-length columns (no copies, no name mangling).
pt_frame <- function(cols) {
  n <- if (length(cols)) length(cols[[1L]]) else 0L
  structure(cols, names = names(cols), class = "data.frame", row.names = .set_row_names(n))
}

# `x` (argument `arg`) as a non-empty list with names; else an error showing `form`.
pt_named_list <- function(x, arg, form) {
  nm <- names(x)
  if (!is.list(x) || !length(x) || is.null(nm) || any(!nzchar(nm))) {
    stop(sprintf("argument `%s` must be a named list: %s", arg, form), call. = FALSE)
  }
  x
}

# `time_scales`: a named list (or named character vector) {scale: value at entry}, each
# value resolved. The first scale is the one entry and exit are measured on: its value is
# `entry` (NULL), as the core checks.
pt_scales <- function(time_scales, data) {
  if (is.character(time_scales) && !is.null(names(time_scales))) time_scales <- as.list(time_scales)
  pt_named_list(time_scales, "time_scales", paste(
    "list(<scale> = <value at entry>, ...), the first scale being the one `entry` and",
    "`exit` are measured on (give it as NULL)"))
  lapply(time_scales, function(v) if (!is.null(v)) pt_double(v, "time_scales", data))
}

# `breaks`: a named list {scale: break points} (the core checks the points).
pt_breaks <- function(breaks) pt_named_list(breaks, "breaks", "list(<scale> = <break points>, ...)")

# The core's Lexis arguments: entry, time_scales, exit, status, entry_status (NULL when
# absent); the core checks their lengths.
pt_lexis_args <- function(data, entry, exit, status, time_scales, entry_status, fun) {
  pt_check_data(data, sprintf("%s(entry = , exit = , status = , ...)", fun))
  entry <- pt_double(entry, "entry", data)
  cols <- list(exit = exit, status = status, entry_status = entry_status)
  for (arg in names(cols)[!vapply(cols, is.null, TRUE)]) cols[[arg]] <- pt_double(cols[[arg]], arg, data)
  c(list(entry = entry, time_scales = pt_scales(time_scales, data)), cols)
}

# The user's ids (not sent to the core, which checks that there is one per row of `entry`).
pt_ids <- function(id, data) if (!is.null(id)) pt_column(id, "id", data)

# `by`: column names of `data`, a vector, or a (named) list of vectors.
# Returns a named list of the by-variables.
pt_by <- function(by, data, within = "data", allow_na = FALSE) {
  if (is.null(by)) return(list())
  if (is.character(by) && !is.null(data)) by <- as.list(unname(by))
  if (is.list(by)) {
    items <- lapply(by, function(b) pt_column(b, "by", data, within))
    nm <- names(by) %||% rep("", length(by))
    auto <- if (length(by) == 1L) "by" else paste0("by_", seq_along(by))
    for (k in seq_along(by)) {
      named <- is.character(by[[k]]) && length(by[[k]]) == 1L
      if (!nzchar(nm[k])) nm[k] <- if (named) by[[k]] else auto[k]
    }
    names(items) <- nm
  } else {
    items <- list(by = by)
  }
  for (k in seq_along(items)) {
    v <- items[[k]]
    if (!is.atomic(v) || is.matrix(v)) {
      stop(sprintf("argument `by` (%s) must be a vector or a factor", names(items)[k]), call. = FALSE)
    }
    if (!allow_na && anyNA(v)) {
      stop(sprintf("argument `by`: missing value (NA) at row %d", which(is.na(v))[1L]),
           call. = FALSE)
    }
  }
  items
}

# The by-variables as the core's named list of factors, with the values behind their
# codes, of each variable's own type (a factor keeps its levels, numbers stay numbers), to
# show the core's level codes as the user's values.
pt_by_args <- function(items) {
  values <- lapply(items, function(v) {
    if (is.factor(v)) factor(levels(v), levels = levels(v), ordered = is.ordered(v)) else
      sort(unique(v))
  })
  args <- Map(function(v, u) {
    codes <- if (is.factor(v)) as.integer(v) else match(v, u)
    structure(codes, levels = as.character(u), class = "factor")
  }, items, values)
  list(args = if (length(items)) args, values = values)
}

# Level codes (1-based) of the by-variables in `tab` shown as the user's values.
pt_show_levels <- function(tab, values) {
  for (nm in names(values)) tab[[nm]] <- values[[nm]][tab[[nm]]]
  tab
}

# ---- splitting and tabulation -----------------------------------------------------------

# Bands missing in the core's table (NaN: time outside the breaks kept) as NA.
pt_bands_na <- function(tab) {
  bands <- endsWith(names(tab), "_band")
  tab[bands] <- lapply(tab[bands], nan_to_na)
  tab
}

# The core's `row` column (1-based) replaced by `id` (the user's ids, or the row).
pt_with_id <- function(tab, ids) {
  row <- tab$row
  tab$row <- NULL
  pt_frame(c(list(id = if (is.null(ids)) row else ids[row]), as.list(pt_bands_na(tab))))
}

lexis_split <- function(data = NULL, entry, exit, status, time_scales, breaks, id = NULL,
                        entry_status = NULL, drop = TRUE) {
  a <- pt_lexis_args(data, entry, exit, status, time_scales, entry_status, "lexis_split")
  ids <- pt_ids(id, data)
  args <- c(a, list(breaks = pt_breaks(breaks), drop = drop,
                    id_length = if (!is.null(ids)) length(ids)))
  pt_with_id(hrr_call("lexis_split", args)$value$table, ids)
}

lexis_cut <- function(data = NULL, entry, exit, status, time_scales, cut, new_state,
                      timescale = NULL, precursor_states = NULL, progressive = FALSE,
                      entry_status = NULL, id = NULL) {
  a <- pt_lexis_args(data, entry, exit, status, time_scales, entry_status, "lexis_cut")
  ids <- pt_ids(id, data)
  cut <- pt_double(cut, "cut", data)
  args <- c(a, pt_numbers(data, list(new_state = new_state)),
            list(cut = cut, timescale = timescale, precursor_states = precursor_states,
                 progressive = progressive, id_length = if (!is.null(ids)) length(ids)))
  pt_with_id(hrr_call("lexis_cut", args)$value$table, ids)
}

person_time_table <- function(data = NULL, entry, exit, status, time_scales, breaks, by = NULL,
                              entry_status = NULL, drop = TRUE) {
  a <- pt_lexis_args(data, entry, exit, status, time_scales, entry_status, "person_time_table")
  by <- pt_by_args(pt_by(by, data))
  args <- c(a, list(breaks = pt_breaks(breaks), drop = drop, by = by$args))
  pt_bands_na(pt_show_levels(hrr_call("person_time_table", args)$value$table, by$values))
}

# ---- rates ---------------------------------------------------------------------------------

# A rate method on numeric `cols` and `options`: the result columns appended to `data`
# when it is a data frame, else a data frame.
pt_rates <- function(method, data, cols, options) {
  r <- hrr_call(method, c(pt_numbers(data, cols), options))$value
  if (!is.data.frame(data)) return(pt_frame(r))
  for (k in names(r)) data[[k]] <- r[[k]]
  data
}

rate <- function(data = NULL, events, person_time, conf_level = 0.95, null_rate = NULL,
                 per = 1) {
  pt_check_data(data, "rate(events = , person_time = )")
  pt_rates("rate", data, list(events = events, person_time = person_time),
           list(conf_level = conf_level, null_rate = null_rate, per = per))
}

rate_ratio <- function(data = NULL, events1, person_time1, events2, person_time2,
                       null_ratio = 1, conf_level = 0.95) {
  pt_check_data(data, "rate_ratio(events1 = , person_time1 = , events2 = , person_time2 = )")
  pt_rates("rate_ratio", data, list(events1 = events1, person_time1 = person_time1,
                                    events2 = events2, person_time2 = person_time2),
           list(null_ratio = null_ratio, conf_level = conf_level))
}

rate_difference <- function(data = NULL, events1, person_time1, events2, person_time2,
                            conf_level = 0.95, per = 1) {
  pt_check_data(data, "rate_difference(events1 = , person_time1 = , events2 = , person_time2 = )")
  pt_rates("rate_difference", data, list(events1 = events1, person_time1 = person_time1,
                                         events2 = events2, person_time2 = person_time2),
           list(conf_level = conf_level, per = per))
}

standard_population <- function(name = "who2000") {
  s <- hrr_call("standard_population", list(name = name))$value
  structure(s$table, name = s$name, source = s$source)
}

direct_standardize <- function(data = NULL, events, person_time, standard_weights, age = NULL,
                               by = NULL, conf_level = 0.95, per = 1) {
  pt_check_data(data, "direct_standardize(events = , person_time = , standard_weights = )")
  v <- pt_numbers(data, list(events = events, person_time = person_time))
  named_standard <- is.character(standard_weights) && length(standard_weights) == 1L &&
    (is.null(data) || !standard_weights %in% names(data))
  if (!named_standard) standard_weights <- pt_double(standard_weights, "standard_weights", data)
  if (!is.null(age)) age <- pt_double(age, "age", data)
  by <- pt_by_args(pt_by(by, data))
  r <- hrr_call("direct_standardize", c(v, list(standard_weights = standard_weights, age = age,
                                                by = by$args, conf_level = conf_level, per = per)))
  pt_show_levels(r$value, by$values)
}

# ---- standardised incidence ratios ---------------------------------------------------------

sir <- function(data = NULL, observed, person_time, reference_rate, by = NULL,
                conf_level = 0.95) {
  call <- match.call()
  formula <- NULL
  if (inherits(data, "formula")) {
    formula <- data
    data <- if (missing(observed)) NULL else observed
    # sir(observed ~ strata, data, ...): name the call's arguments as they were meant
    nm <- names(call)
    names(call)[nm == "data"] <- "formula"
    names(call)[nm == "observed"] <- "data"
  } else if (!missing(observed) && inherits(observed, "formula")) {
    formula <- observed
  }
  pt_check_data(data, "sir(observed = , person_time = , reference_rate = )")
  if (!is.null(formula)) {
    if (length(formula) != 3L) {
      stop("argument `formula` must be two-sided: observed ~ strata (or observed ~ 1)",
           call. = FALSE)
    }
    if (!is.null(by)) {
      stop("argument `by`: give the strata either in the formula or as `by`, not both",
           call. = FALSE)
    }
    env <- environment(formula) %||% parent.frame()
    lhs <- formula[[2L]]
    observed <- eval_in(lhs, data, env)
    if (!is.numeric(observed) && !is.logical(observed)) {
      stop(sprintf("argument `observed` (%s) must be numeric", label_of(lhs)), call. = FALSE)
    }
    vars <- as.list(attr(terms(formula[-2L]), "variables"))[-1L]
    if (length(vars)) {
      by <- stats::setNames(lapply(vars, function(e) eval_in(e, data, env)),
                            vapply(vars, label_of, ""))
    }
  }
  v <- pt_numbers(data, list(observed = observed, person_time = person_time,
                             reference_rate = reference_rate))
  by <- pt_by_args(pt_by(by, data))
  r <- hrr_call("sir", c(v, list(by = by$args, conf_level = conf_level)))$value
  strata <- pt_show_levels(r$strata, by$values)
  # the strata's by-values, then missing on the last (whole-cohort) row
  tab <- lapply(strata[names(by$values)], function(s) s[c(seq_along(s), NA)])
  tab <- pt_frame(c(tab, as.list(r$table)))
  structure(c(r$overall, list(homogeneity = r$homogeneity, table = tab, by = names(by$values),
                               conf_level = r$conf_level, call = call)),
            class = "hrr_sir")
}

as.data.frame.hrr_sir <- function(x, row.names = NULL, optional = FALSE, overall = TRUE, ...) {
  tab <- x$table
  if (!overall && length(x$by)) tab <- tab[-nrow(tab), , drop = FALSE]
  with_row_names(tab, row.names)
}

print.hrr_sir <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  sig <- function(v) format(signif(v, digits))
  pval <- function(p) format.pval(p, digits = max(1L, digits - 1L))
  cat("Standardised incidence ratio\n")
  cat(sprintf("SIR %s (%s%% CI %s to %s); observed %s, expected %s, p = %s\n",
              sig(x$sir), format(100 * x$conf_level), sig(x$lower), sig(x$upper),
              format(x$observed), sig(x$expected), pval(x$p_value)))
  if (!is.null(x$homogeneity)) {
    h <- x$homogeneity[1L, ]
    cat(sprintf("homogeneity across %s: LR chi2 = %s on %d df, p = %s\n",
                paste(x$by, collapse = ", "), sig(h$statistic), as.integer(h$df), pval(h$p_value)))
  }
  invisible(x)
}

summary.hrr_sir <- function(object, ...) {
  structure(list(sir = object, table = as.data.frame(object)), class = "summary.hrr_sir")
}

print.summary.hrr_sir <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  s <- x$sir
  print_call(s)
  tab <- x$table
  for (b in s$by) {
    tab[[b]] <- as.character(tab[[b]])
    tab[[b]][nrow(tab)] <- "(all)"
  }
  num <- vapply(tab, is.numeric, logical(1L))
  tab[num] <- lapply(tab[num], signif, digits = digits)
  limits <- names(tab) %in% c("lower", "upper")
  names(tab)[limits] <- paste0(names(tab)[limits], " ", format(100 * s$conf_level), "%")
  print(tab, row.names = FALSE, ...)
  if (!is.null(s$homogeneity)) {
    cat("\nHomogeneity of the SIR across ", paste(s$by, collapse = ", "), ":\n", sep = "")
    h <- s$homogeneity
    h$statistic <- signif(h$statistic, digits)
    h$p_value <- format.pval(h$p_value, digits = max(1L, digits - 1L))
    print(h, row.names = FALSE, ...)
  }
  invisible(x)
}

# ---- plots -------------------------------------------------------------------------------

lexis_diagram <- function(data = NULL, entry, exit, status, time_scales, sample = 300,
                          breaks = NULL, seed = NULL, col = "grey30", event_col = "red",
                          grid_col = "grey85", xlab = NULL, ylab = NULL, main = NULL, ...) {
  a <- pt_lexis_args(data, entry, exit, status, time_scales, NULL, "lexis_diagram")
  scales <- names(a$time_scales)
  if (!is.null(breaks)) breaks <- pt_breaks(breaks)
  # the core checks the rows (an exit missing or before entry) and the breaks, and gives
  # the life lines
  seg <- hrr_call("lexis_segments", c(a, list(breaks = breaks)))$value
  if (!is.numeric(sample) || length(sample) != 1L || is.na(sample) || sample < 1) {
    stop("argument `sample` must be a number >= 1", call. = FALSE)
  }
  n <- length(a$exit)
  if (!is.null(seed)) set.seed(seed)
  idx <- if (n <= sample) seq_len(n) else sort(sample.int(n, as.integer(sample)))
  x0 <- seg$x0[idx]
  y0 <- seg$y0[idx]
  x1 <- seg$x1[idx]
  y1 <- seg$y1[idx]
  event <- seg$event[idx] != 0
  plot(NA, xlim = range(x0, x1, finite = TRUE), ylim = range(y0, y1, finite = TRUE), asp = 1,
       xlab = xlab %||% scales[1L], ylab = ylab %||% scales[2L], main = main, ...)
  if (!is.null(breaks)) {
    graphics::abline(v = breaks[[scales[1L]]], h = breaks[[scales[2L]]], col = grid_col, lwd = 0.5)
  }
  graphics::segments(x0, y0, x1, y1, col = col, lwd = 0.6)
  graphics::points(x1[event], y1[event], pch = 16, cex = 0.5, col = event_col)
  invisible(pt_frame(list(row = idx, x0 = x0, y0 = y0, x1 = x1, y1 = y1, event = event)))
}

plot_rates <- function(table, x, by = NULL, per = 1e5, conf_level = 0.95, events = "events",
                       person_time = "person_time", log = TRUE, col = NULL, xlab = x,
                       ylab = NULL, main = NULL, legend_pos = "topleft", ...) {
  if (!is.data.frame(table)) stop("argument `table` must be a data frame", call. = FALSE)
  if (!is.character(x) || length(x) != 1L) {
    stop("argument `x` must be the name of a column of `table`", call. = FALSE)
  }
  xv <- pt_column(x, "x", table, "table")
  ev <- pt_double(events, "events", table, "table")
  pt <- pt_double(person_time, "person_time", table, "table")
  log <- check_flag(log, "log")
  numeric_x <- is.numeric(xv)
  ux <- sort(unique(xv))
  # rows with a missing x or by-value are not drawn; the core pools the rest
  items <- pt_by(by, table, "table", allow_na = TRUE)
  keep <- Reduce(`&`, lapply(items, function(v) !is.na(v)), !is.na(xv))
  by_args <- pt_by_args(c(lapply(items, `[`, keep), list(.x = xv[keep])))
  r <- hrr_call("pooled_rates", list(events = ev[keep], person_time = pt[keep], by = by_args$args,
                                     conf_level = conf_level, per = per))$value
  r <- pt_show_levels(r, by_args$values)
  # one curve per combination of by-values, in order of appearance
  gkey <- if (length(items)) do.call(paste, c(lapply(r[names(items)], as.character), sep = "\r")) else
    rep("", nrow(r))
  groups <- unique(gkey)
  k <- length(groups)
  col <- rep_len(col %||% seq_len(max(k, 1L)), max(k, 1L))
  rx <- if (numeric_x) r$.x else match(r$.x, ux)
  shown <- function(v) if (log) ifelse(v > 0, v, NA_real_) else v
  yall <- c(shown(r$rate), shown(r$lower), r$upper)
  yall <- yall[is.finite(yall)]
  if (!length(yall)) yall <- c(1, 10)
  plot(NA, xlim = range(rx), ylim = range(yall), log = if (log) "y" else "", xlab = xlab,
       ylab = ylab %||% paste("rate per", format(per, scientific = FALSE, big.mark = ",")),
       main = main, xaxt = if (numeric_x) "s" else "n", ...)
  if (!numeric_x) graphics::axis(1, at = seq_along(ux), labels = as.character(ux))
  bottom <- if (log) 10^graphics::par("usr")[3L] else graphics::par("usr")[3L]
  for (g in seq_len(k)) {
    i <- which(gkey == groups[g])
    lo <- r$lower[i]
    if (log) lo[!(lo > 0)] <- bottom
    polygon(c(rx[i], rev(rx[i])), c(lo, rev(r$upper[i])), col = adjustcolor(col[g], alpha.f = 0.15),
            border = NA)
    lines(rx[i], shown(r$rate[i]), type = "o", pch = 16, cex = 0.6, col = col[g])
  }
  if (k > 1L) {
    first <- match(groups, gkey)
    labels <- lapply(r[names(items)], function(v) as.character(v[first]))
    labs <- do.call(paste, c(labels, sep = ", "))
    graphics::legend(legend_pos, legend = labs, col = col, lty = 1, pch = 16,
                     title = paste(names(items), collapse = ", "), bty = "n")
  }
  names(r)[names(r) == ".x"] <- x
  invisible(r)
}
