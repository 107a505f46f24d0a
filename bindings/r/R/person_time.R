# Person-time on the Lexis diagram, rates and standardisation
#
# lexis_split(), lexis_cut() and person_time_table() split follow-up by time scales (as
# Epi::splitLexis / popEpi::splitMulti) and at individual dates (as Epi::cutLexis) and
# tabulate person-time and events; rate(), rate_ratio(), rate_difference(),
# direct_standardize() and sir() give rates with exact limits, directly standardised
# rates and standardised incidence ratios. The computation is in Rust: this file
# resolves columns, codes by-variables, and arranges the results as data frames.

# ---- inputs ---------------------------------------------------------------------------

# `data` is NULL, a data frame or a list of columns. `how` shows how to pass vectors.
pt_check_data <- function(data, how) {
  if (!is.null(data) && !is.list(data)) {
    stop("argument `data` must be a data frame (or NULL); to pass vectors, name them: ",
         how, call. = FALSE)
  }
  invisible(data)
}

# A column of `data` by name, or the vector itself. `within` names the data argument.
pt_column <- function(x, arg, data, within = "data") {
  if (is.character(x) && length(x) == 1L && !is.null(data)) {
    if (!x %in% names(data)) {
      stop(sprintf("argument `%s`: no column \"%s\" in `%s`", arg, x, within), call. = FALSE)
    }
    return(data[[x]])
  }
  if (is.null(x)) stop(sprintf("argument `%s` is missing", arg), call. = FALSE)
  x
}

# A numeric column (name or vector) as double.
pt_double <- function(x, arg, data, within = "data") {
  v <- pt_column(x, arg, data, within)
  if (is.numeric(v) || is.logical(v)) {
    return(as.double(v))
  }
  stop(sprintf("argument `%s` must be numeric (a numeric vector or the name of a numeric column of `%s`), not %s",
               arg, within, class(v)[1L]), call. = FALSE)
}

pt_check_length <- function(x, arg, n, ref) {
  if (length(x) != n) {
    stop(sprintf("argument `%s` has length %d but `%s` has length %d", arg, length(x), ref, n),
         call. = FALSE)
  }
}

pt_flag <- function(x, arg) {
  if (!is.logical(x) || length(x) != 1L || is.na(x)) {
    stop(sprintf("argument `%s` must be TRUE or FALSE", arg), call. = FALSE)
  }
  x
}

pt_number <- function(x, arg, positive = FALSE) {
  if (!is.numeric(x) || length(x) != 1L || is.na(x) || (positive && !(x > 0))) {
    stop(sprintf("argument `%s` must be a single %snumber", arg, if (positive) "positive " else ""),
         call. = FALSE)
  }
  as.double(x)
}

# Numeric arguments of the rate functions: vectors, column names or single numbers;
# single values are recycled to the length of the others.
pt_numbers <- function(data, args) {
  out <- lapply(names(args), function(a) {
    x <- args[[a]]
    if (is.numeric(x) && length(x) == 1L) as.double(x) else pt_double(x, a, data)
  })
  names(out) <- names(args)
  lens <- lengths(out)
  n <- max(lens)
  for (a in names(out)) {
    if (lens[[a]] == 1L && n > 1L) {
      out[[a]] <- rep(out[[a]], n)
    } else if (lens[[a]] != n) {
      ref <- names(out)[which(lens == n)[1L]]
      stop(sprintf("argument `%s` has length %d but `%s` has length %d", a, lens[[a]], ref, n),
           call. = FALSE)
    }
  }
  out
}

# A data frame from a named list of equal-length columns (no copies, no name mangling).
pt_frame <- function(cols) {
  n <- if (length(cols)) length(cols[[1L]]) else 0L
  structure(cols, names = names(cols), class = "data.frame", row.names = .set_row_names(n))
}

# The result columns appended to `data` when it is a data frame, else a data frame.
pt_result <- function(cols, data) {
  if (!is.data.frame(data)) return(pt_frame(cols))
  for (k in names(cols)) data[[k]] <- cols[[k]]
  data
}

# `time_scales`: a named list (or named character vector) {scale: value at entry}. The
# first scale is the one entry and exit are measured on: its value is `entry` (NULL).
pt_scales <- function(entry_value, entry, time_scales, data) {
  if (is.character(time_scales) && !is.null(names(time_scales))) time_scales <- as.list(time_scales)
  nm <- names(time_scales)
  if (!is.list(time_scales) || !length(time_scales) || is.null(nm) || any(!nzchar(nm))) {
    stop("argument `time_scales` must be a named list: list(<scale> = <value at entry>, ...), ",
         "the first scale being the one `entry` and `exit` are measured on (give it as NULL)",
         call. = FALSE)
  }
  if (anyDuplicated(nm)) {
    stop(sprintf("argument `time_scales`: scale \"%s\" is given twice", nm[anyDuplicated(nm)]),
         call. = FALSE)
  }
  values <- vector("list", length(nm))
  for (k in seq_along(nm)) {
    v <- time_scales[[k]]
    if (k == 1L && (is.null(v) || (is.character(entry) && length(entry) == 1L && identical(v, entry)))) {
      values[[k]] <- entry_value
      next
    }
    arr <- pt_double(v, "time_scales", data)
    if (k == 1L && !identical(arr, entry_value)) {
      stop(sprintf(paste0("argument `time_scales`: the first scale (\"%s\") is the one `entry` and ",
                          "`exit` are measured on; its value at entry must be `entry` (give NULL)"),
                   nm[k]), call. = FALSE)
    }
    if (length(arr) != length(entry_value)) {
      stop(sprintf("argument `time_scales` (%s) has length %d but `entry` has length %d", nm[k],
                   length(arr), length(entry_value)), call. = FALSE)
    }
    values[[k]] <- arr
  }
  list(names = nm, values = values)
}

# `breaks`: a named list {scale: break points}.
pt_breaks <- function(breaks) {
  nm <- names(breaks)
  if (!is.list(breaks) || !length(breaks) || is.null(nm) || any(!nzchar(nm))) {
    stop("argument `breaks` must be a named list: list(<scale> = <break points>, ...)",
         call. = FALSE)
  }
  values <- lapply(seq_along(breaks), function(k) {
    b <- breaks[[k]]
    if (!is.numeric(b)) {
      stop(sprintf("argument `breaks`: the breaks of `%s` must be numeric", nm[k]), call. = FALSE)
    }
    as.double(b)
  })
  list(names = nm, values = values)
}

pt_lexis_args <- function(data, entry, exit, status, time_scales, entry_status, fun) {
  pt_check_data(data, sprintf("%s(entry = , exit = , status = , ...)", fun))
  entry_value <- pt_double(entry, "entry", data)
  n <- length(entry_value)
  sc <- pt_scales(entry_value, entry, time_scales, data)
  exit <- pt_double(exit, "exit", data)
  pt_check_length(exit, "exit", n, "entry")
  status <- pt_double(status, "status", data)
  pt_check_length(status, "status", n, "entry")
  if (!is.null(entry_status)) {
    entry_status <- pt_double(entry_status, "entry_status", data)
    pt_check_length(entry_status, "entry_status", n, "entry")
  }
  list(names = sc$names, values = sc$values, exit = exit, status = status,
       entry_status = entry_status, n = n)
}

pt_ids <- function(id, data, n) {
  if (is.null(id)) return(NULL)
  ids <- pt_column(id, "id", data)
  pt_check_length(ids, "id", n, "entry")
  ids
}

# `by`: column names of `data`, a vector, or a (named) list of vectors.
# Returns a named list of the by-variables.
pt_by <- function(by, data, n, within = "data") {
  if (is.null(by)) return(list())
  if (is.character(by) && !is.null(data)) {
    miss <- setdiff(by, names(data))
    if (length(miss)) {
      stop(sprintf("argument `by`: no column \"%s\" in `%s`", miss[1L], within), call. = FALSE)
    }
    items <- lapply(by, function(b) data[[b]])
    names(items) <- by
  } else if (is.list(by)) {
    items <- lapply(by, function(b) pt_column(b, "by", data, within))
    nm <- names(by) %||% rep("", length(by))
    auto <- if (length(by) == 1L) "by" else paste0("by_", seq_along(by))
    for (k in seq_along(by)) {
      if (!nzchar(nm[k])) nm[k] <- if (is.character(by[[k]]) && length(by[[k]]) == 1L) by[[k]] else auto[k]
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
    if (length(v) != n) {
      stop(sprintf("argument `by` (%s) has length %d but the data have %d rows",
                   names(items)[k], length(v), n), call. = FALSE)
    }
  }
  items
}

# A by-variable as codes 1..k and the values behind the codes, of the variable's own type
# (a factor keeps its levels, numbers stay numbers): values[codes] is the variable.
pt_by_codes <- function(v) {
  if (is.factor(v)) {
    values <- factor(levels(v), levels = levels(v), ordered = is.ordered(v))
    return(list(codes = as.integer(v), values = values))
  }
  u <- sort(unique(v))
  list(codes = match(v, u), values = u)
}

# Several by-variables as one grouping (first variable varying slowest), with every
# group used; `labels` are the by-variables' values of each group (a named list).
pt_groups <- function(items) {
  coded <- lapply(items, pt_by_codes)
  key <- as.double(coded[[1L]]$codes)
  for (j in seq_along(coded)[-1L]) {
    key <- (key - 1) * length(coded[[j]]$values) + coded[[j]]$codes
  }
  u <- sort(unique(key))
  g <- match(key, u)
  first <- match(seq_along(u), g)
  labels <- lapply(items, function(v) v[first])
  list(codes = g, n = length(u), labels = labels)
}

# The core's message with its 0-based "group k" / "stratum k" replaced by the labels.
pt_relabel <- function(res, labels) {
  if (isTRUE(res$ok) || !length(labels)) return(res)
  m <- regmatches(res$message, regexec("(group|stratum) ([0-9]+)", res$message))[[1L]]
  if (length(m) == 3L) {
    k <- as.integer(m[3L]) + 1L
    lab <- paste(names(labels), vapply(labels, function(col) as.character(col[k]), ""),
                 sep = "=", collapse = ", ")
    res$message <- sub(m[1L], paste(m[2L], lab), res$message, fixed = TRUE)
  }
  res
}

pt_label <- function(state) as.character(state)

# ---- splitting and tabulation -----------------------------------------------------------

lexis_split <- function(data = NULL, entry, exit, status, time_scales, breaks, id = NULL,
                        entry_status = NULL, drop = TRUE) {
  a <- pt_lexis_args(data, entry, exit, status, time_scales, entry_status, "lexis_split")
  ids <- pt_ids(id, data, a$n)
  b <- pt_breaks(breaks)
  r <- rust_value(lexis_split_(a$names, a$values, a$exit, a$status, a$entry_status, b$names,
                               b$values, pt_flag(drop, "drop")))
  out <- list(id = if (is.null(ids)) r$row else ids[r$row])
  for (k in seq_along(a$names)) out[[a$names[k]]] <- r$start[[k]]
  for (k in seq_along(b$names)) out[[paste0(b$names[k], "_band")]] <- nan_to_na(r$band[[k]])
  out$duration <- r$duration
  if (!is.null(a$entry_status)) out$entry_status <- r$entry_status
  out$status <- r$status
  pt_frame(out)
}

lexis_cut <- function(data = NULL, entry, exit, status, time_scales, cut, new_state,
                      timescale = NULL, precursor_states = NULL, progressive = FALSE,
                      entry_status = NULL, id = NULL) {
  a <- pt_lexis_args(data, entry, exit, status, time_scales, entry_status, "lexis_cut")
  ids <- pt_ids(id, data, a$n)
  cut <- pt_double(cut, "cut", data)
  pt_check_length(cut, "cut", a$n, "entry")
  new_state <- if (is.numeric(new_state) && length(new_state) == 1L) {
    rep(as.double(new_state), a$n)
  } else {
    pt_double(new_state, "new_state", data)
  }
  pt_check_length(new_state, "new_state", a$n, "entry")
  if (!is.null(precursor_states)) {
    if (!is.numeric(precursor_states) || anyNA(precursor_states)) {
      stop("argument `precursor_states` must be NULL (the entry states) or state codes (numeric(0): none)",
           call. = FALSE)
    }
    precursor_states <- as.double(precursor_states)
  }
  timescale <- timescale %||% a$names[1L]
  if (!is.character(timescale) || length(timescale) != 1L || is.na(timescale)) {
    stop("argument `timescale` must be the name of a time scale", call. = FALSE)
  }
  r <- rust_value(lexis_cut_(a$names, a$values, a$exit, a$status, a$entry_status, cut, timescale,
                             new_state, precursor_states, pt_flag(progressive, "progressive")))
  out <- list(id = if (is.null(ids)) r$row else ids[r$row])
  for (k in seq_along(a$names)) out[[a$names[k]]] <- r$at_entry[[k]]
  out$exit <- r$exit
  out$duration <- r$duration
  out$entry_status <- r$entry_status
  out$status <- r$status
  pt_frame(out)
}

person_time_table <- function(data = NULL, entry, exit, status, time_scales, breaks, by = NULL,
                              entry_status = NULL, drop = TRUE) {
  a <- pt_lexis_args(data, entry, exit, status, time_scales, entry_status, "person_time_table")
  b <- pt_breaks(breaks)
  items <- pt_by(by, data, a$n)
  coded <- lapply(items, pt_by_codes)
  r <- rust_value(person_time_table_(
    a$names, a$values, a$exit, a$status, a$entry_status, b$names, b$values,
    pt_flag(drop, "drop"), lapply(coded, `[[`, "codes"),
    vapply(coded, function(c) length(c$values), 0L)))
  out <- list()
  for (k in seq_along(b$names)) out[[paste0(b$names[k], "_band")]] <- nan_to_na(r$band[[k]])
  for (j in seq_along(items)) out[[names(items)[j]]] <- coded[[j]]$values[r$by[[j]]]
  if (!is.null(a$entry_status)) out$entry_status <- r$entry_status
  out$person_time <- r$person_time
  tr <- r$transitions
  out$events <- Reduce(`+`, tr, rep(0, length(r$person_time)))
  if (length(r$states) > 1L) {
    for (s in seq_along(r$states)) out[[paste0("events_", pt_label(r$states[s]))]] <- tr[[s]]
  }
  pt_frame(out)
}

# ---- rates ---------------------------------------------------------------------------------

rate <- function(data = NULL, events, person_time, conf_level = 0.95, null_rate = NULL,
                 per = 1) {
  pt_check_data(data, "rate(events = , person_time = )")
  v <- pt_numbers(data, list(events = events, person_time = person_time))
  per <- pt_number(per, "per", positive = TRUE)
  if (!is.null(null_rate)) null_rate <- pt_number(null_rate, "null_rate")
  r <- rust_value(crude_rates_(v$events, v$person_time, null_rate,
                               as.double(conf_level_of(conf_level))))
  out <- list(events = v$events, person_time = v$person_time, rate = r$rate * per,
              lower = r$lower * per, upper = r$upper * per)
  if (!is.null(r$p_value)) out$p_value <- r$p_value
  pt_result(out, data)
}

rate_ratio <- function(data = NULL, events1, person_time1, events2, person_time2,
                       null_ratio = 1, conf_level = 0.95) {
  pt_check_data(data, "rate_ratio(events1 = , person_time1 = , events2 = , person_time2 = )")
  v <- pt_numbers(data, list(events1 = events1, person_time1 = person_time1,
                             events2 = events2, person_time2 = person_time2))
  r <- rust_value(compare_rates_(v$events1, v$person_time1, v$events2, v$person_time2, "ratio",
                                 pt_number(null_ratio, "null_ratio"),
                                 as.double(conf_level_of(conf_level))))
  pt_result(list(rate_ratio = r$estimate, lower = r$lower, upper = r$upper, p_value = r$p_value),
            data)
}

rate_difference <- function(data = NULL, events1, person_time1, events2, person_time2,
                            conf_level = 0.95, per = 1) {
  pt_check_data(data, "rate_difference(events1 = , person_time1 = , events2 = , person_time2 = )")
  v <- pt_numbers(data, list(events1 = events1, person_time1 = person_time1,
                             events2 = events2, person_time2 = person_time2))
  per <- pt_number(per, "per", positive = TRUE)
  r <- rust_value(compare_rates_(v$events1, v$person_time1, v$events2, v$person_time2,
                                 "difference", 1, as.double(conf_level_of(conf_level))))
  pt_result(list(rate_difference = r$estimate * per, se = r$se * per, lower = r$lower * per,
                 upper = r$upper * per, p_value = r$p_value), data)
}

standard_population <- function(name = "who2000") {
  if (!is.character(name) || length(name) != 1L || is.na(name)) {
    stop("argument `name` must be a single string such as \"who2000\"", call. = FALSE)
  }
  s <- rust_value(standard_population_(name))
  out <- pt_frame(list(age_lower = s$age_lower, age_upper = s$age_upper, weight = s$weight))
  attr(out, "name") <- s$name
  attr(out, "source") <- s$source
  out
}

direct_standardize <- function(data = NULL, events, person_time, standard_weights, age = NULL,
                               by = NULL, conf_level = 0.95, per = 1) {
  pt_check_data(data, "direct_standardize(events = , person_time = , standard_weights = )")
  e <- pt_double(events, "events", data)
  n <- length(e)
  t <- pt_double(person_time, "person_time", data)
  pt_check_length(t, "person_time", n, "events")
  per <- pt_number(per, "per", positive = TRUE)
  conf_level <- as.double(conf_level_of(conf_level))
  items <- pt_by(by, data, n)
  named_standard <- is.character(standard_weights) && length(standard_weights) == 1L &&
    (is.null(data) || !standard_weights %in% names(data))
  if (named_standard) {
    std <- standard_population(standard_weights)
    if (is.null(age)) {
      stop("argument `age`: a named standard population needs each row's age (age = )",
           call. = FALSE)
    }
    a <- pt_double(age, "age", data)
    pt_check_length(a, "age", n, "events")
    bad <- which(!(a >= 0))
    if (length(bad)) {
      stop(sprintf("argument `age`: missing or negative value at row %d", bad[1L]), call. = FALSE)
    }
    # Rows in the same age group of the standard (and by-group) are pooled.
    k <- length(std$age_lower)
    grp <- findInterval(a, std$age_lower)
    if (length(items)) {
      for (j in seq_along(items)) {
        if (anyNA(items[[j]])) {
          stop(sprintf("argument `by` (%s): missing value (NA) at row %d", names(items)[j],
                       which(is.na(items[[j]]))[1L]), call. = FALSE)
        }
      }
      gb <- pt_groups(items)
    } else {
      gb <- list(codes = rep(1L, n), n = 1L, labels = list())
    }
    key <- (gb$codes - 1) * k + grp
    u <- sort(unique(key))
    sums <- rowsum(cbind(e, t), match(key, u), reorder = TRUE)
    pg <- (u - 1) %% k + 1
    pb <- (u - 1) %/% k + 1
    for (g in seq_len(gb$n)) {
      missing_groups <- setdiff(seq_len(k), pg[pb == g])
      if (length(missing_groups)) {
        where <- if (length(gb$labels)) {
          paste0(" in by group ", paste(names(gb$labels),
                                        vapply(gb$labels, function(col) as.character(col[g]), ""),
                                        sep = "=", collapse = ", "))
        } else ""
        stop(sprintf(paste0("argument `age`: no person-time in the standard's age group(s) ",
                            "starting at %s%s; pass the weights of the groups you have as ",
                            "standard_weights ="),
                     paste(std$age_lower[missing_groups], collapse = ", "), where), call. = FALSE)
      }
    }
    e <- unname(sums[, 1L])
    t <- unname(sums[, 2L])
    w <- std$weight[pg]
    groups <- if (length(items)) as.integer(pb) else NULL
    labels <- gb$labels
    n_groups <- gb$n
  } else {
    w <- pt_double(standard_weights, "standard_weights", data)
    pt_check_length(w, "standard_weights", n, "events")
    gb <- if (length(items)) pt_groups(items) else NULL
    groups <- gb$codes
    labels <- gb$labels
    n_groups <- gb$n
  }
  res <- direct_standardize_(e, t, w, groups, if (is.null(groups)) NULL else as.integer(n_groups),
                             conf_level)
  r <- rust_value(pt_relabel(res, labels))
  out <- if (length(labels)) labels else list()
  out <- c(out, list(events = r$events, person_time = r$person_time, crude_rate = r$crude_rate * per,
                     rate = r$rate * per, lower = r$lower * per, upper = r$upper * per))
  pt_frame(out)
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
    tt <- terms(formula[-2L])
    vars <- as.list(attr(tt, "variables"))[-1L]
    by <- if (length(vars)) {
      stats::setNames(lapply(vars, function(e) eval_in(e, data, env)),
                      vapply(vars, label_of, ""))
    } else NULL
  }
  v <- pt_numbers(data, list(observed = observed, person_time = person_time,
                             reference_rate = reference_rate))
  n <- length(v$observed)
  items <- pt_by(by, data, n)
  gb <- if (length(items)) pt_groups(items) else NULL
  res <- sir_(v$observed, v$person_time, v$reference_rate, gb$codes,
              if (is.null(gb)) NULL else as.integer(gb$n), as.double(conf_level_of(conf_level)))
  r <- rust_value(pt_relabel(res, gb$labels))
  last <- length(r$sir)
  tab <- if (is.null(gb)) list() else lapply(gb$labels, function(col) col[c(seq_len(gb$n), NA)])
  tab <- pt_frame(c(tab, list(observed = r$observed, expected = r$expected,
                              person_time = r$person_time, sir = r$sir, lower = r$lower,
                              upper = r$upper, p_value = r$p_value, p_chisq = r$p_chisq)))
  h <- r$homogeneity
  homogeneity <- if (is.null(h)) NULL else
    data.frame(test = c("likelihood ratio", "Pearson"), statistic = c(h$lrt, h$pearson),
               df = rep(h$df, 2L), p_value = c(h$p_lrt, h$p_pearson))
  structure(list(observed = r$observed[last], expected = r$expected[last],
                 person_time = r$person_time[last], sir = r$sir[last], lower = r$lower[last],
                 upper = r$upper[last], p_value = r$p_value[last], p_chisq = r$p_chisq[last],
                 homogeneity = homogeneity, table = tab, by = names(items),
                 conf_level = conf_level, call = call),
            class = "hrr_sir")
}

as.data.frame.hrr_sir <- function(x, row.names = NULL, optional = FALSE, overall = TRUE, ...) {
  tab <- x$table
  if (!overall && length(x$by)) tab <- tab[-nrow(tab), , drop = FALSE]
  if (!is.null(row.names)) row.names(tab) <- row.names
  tab
}

pt_sir_line <- function(x, digits) {
  lev <- format(100 * x$conf_level)
  sprintf("SIR %s (%s%% CI %s to %s); observed %s, expected %s, p = %s",
          format(signif(x$sir, digits)), lev, format(signif(x$lower, digits)),
          format(signif(x$upper, digits)), format(x$observed), format(signif(x$expected, digits)),
          format.pval(x$p_value, digits = max(1L, digits - 1L)))
}

pt_homogeneity_line <- function(x, digits) {
  h <- x$homogeneity[1L, ]
  sprintf("homogeneity across %s: LR chi2 = %s on %d df, p = %s", paste(x$by, collapse = ", "),
          format(signif(h$statistic, digits)), as.integer(h$df),
          format.pval(h$p_value, digits = max(1L, digits - 1L)))
}

print.hrr_sir <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat("Standardised incidence ratio\n")
  cat(pt_sir_line(x, digits), "\n", sep = "")
  if (!is.null(x$homogeneity)) cat(pt_homogeneity_line(x, digits), "\n", sep = "")
  invisible(x)
}

summary.hrr_sir <- function(object, ...) {
  structure(list(sir = object, table = as.data.frame(object)), class = "summary.hrr_sir")
}

print.summary.hrr_sir <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  s <- x$sir
  cat("Call: ", paste(deparse(s$call), collapse = "\n"), "\n\n", sep = "")
  tab <- x$table
  if (length(s$by)) {
    for (b in s$by) {
      lab <- as.character(tab[[b]])
      lab[nrow(tab)] <- "(all)"
      tab[[b]] <- lab
    }
  }
  num <- vapply(tab, is.numeric, logical(1L))
  tab[num] <- lapply(tab[num], signif, digits = digits)
  names(tab)[names(tab) == "lower"] <- paste0("lower ", format(100 * s$conf_level), "%")
  names(tab)[names(tab) == "upper"] <- paste0("upper ", format(100 * s$conf_level), "%")
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
  if (length(a$names) < 2L) {
    stop("argument `time_scales`: a Lexis diagram needs two time scales", call. = FALSE)
  }
  if (!is.numeric(sample) || length(sample) != 1L || is.na(sample) || sample < 1) {
    stop("argument `sample` must be a number >= 1", call. = FALSE)
  }
  if (!is.null(breaks)) breaks <- pt_breaks(breaks)
  n <- a$n
  if (!is.null(seed)) set.seed(seed)
  idx <- if (n <= sample) seq_len(n) else sort(sample.int(n, as.integer(sample)))
  x0 <- a$values[[1L]][idx]
  y0 <- a$values[[2L]][idx]
  x1 <- a$exit[idx]
  y1 <- y0 + (x1 - x0)
  event <- a$status[idx] != 0
  plot(NA, xlim = range(x0, x1, finite = TRUE), ylim = range(y0, y1, finite = TRUE), asp = 1,
       xlab = xlab %||% a$names[1L], ylab = ylab %||% a$names[2L], main = main, ...)
  if (!is.null(breaks)) {
    at <- function(s) {
      k <- match(s, breaks$names)
      if (is.na(k)) NULL else breaks$values[[k]]
    }
    graphics::abline(v = at(a$names[1L]), h = at(a$names[2L]), col = grid_col, lwd = 0.5)
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
  per <- pt_number(per, "per", positive = TRUE)
  log <- pt_flag(log, "log")
  numeric_x <- is.numeric(xv)
  ux <- sort(unique(xv))
  xi <- match(xv, ux)
  items <- pt_by(by, table, nrow(table), "table")
  gb <- if (length(items)) pt_groups(items) else list(codes = rep(1L, nrow(table)), n = 1L,
                                                         labels = list())
  k <- gb$n
  col <- rep_len(col %||% seq_len(k), k)
  curves <- lapply(seq_len(k), function(g) {
    rows <- which(gb$codes == g & !is.na(xi))
    s <- rowsum(cbind(ev[rows], pt[rows]), xi[rows], reorder = TRUE)
    at <- as.integer(rownames(s))
    keep <- s[, 2L] > 0
    r <- rate(events = s[keep, 1L], person_time = s[keep, 2L], conf_level = conf_level, per = per)
    list(x = if (numeric_x) ux[at[keep]] else at[keep], rate = r$rate, lower = r$lower,
         upper = r$upper, events = r$events, person_time = r$person_time)
  })
  shown <- function(v) if (log) ifelse(v > 0, v, NA_real_) else v
  yall <- unlist(lapply(curves, function(cv) c(shown(cv$rate), shown(cv$lower), cv$upper)))
  yall <- yall[is.finite(yall)]
  if (!length(yall)) yall <- c(1, 10)
  xall <- unlist(lapply(curves, `[[`, "x"))
  plot(NA, xlim = range(xall), ylim = range(yall), log = if (log) "y" else "", xlab = xlab,
       ylab = ylab %||% paste("rate per", format(per, scientific = FALSE, big.mark = ",")),
       main = main, xaxt = if (numeric_x) "s" else "n", ...)
  if (!numeric_x) graphics::axis(1, at = seq_along(ux), labels = as.character(ux))
  bottom <- if (log) 10^graphics::par("usr")[3L] else graphics::par("usr")[3L]
  for (g in seq_len(k)) {
    cv <- curves[[g]]
    if (!length(cv$x)) next
    lo <- cv$lower
    if (log) lo[!(lo > 0)] <- bottom
    polygon(c(cv$x, rev(cv$x)), c(lo, rev(cv$upper)), col = adjustcolor(col[g], alpha.f = 0.15),
            border = NA)
    lines(cv$x, shown(cv$rate), type = "o", pch = 16, cex = 0.6, col = col[g])
  }
  if (k > 1L) {
    labs <- do.call(paste, c(lapply(gb$labels, as.character), sep = ", "))
    graphics::legend(legend_pos, legend = labs, col = col, lty = 1, pch = 16,
                     title = paste(names(gb$labels), collapse = ", "), bty = "n")
  }
  out <- lapply(seq_len(k), function(g) {
    cv <- curves[[g]]
    m <- length(cv$x)
    c(lapply(gb$labels, function(col) rep(col[g], m)),
      list(x = if (numeric_x) cv$x else ux[cv$x], events = cv$events,
           person_time = cv$person_time, rate = cv$rate, lower = cv$lower, upper = cv$upper))
  })
  res <- do.call(rbind, lapply(out, pt_frame))
  names(res)[names(res) == "x"] <- x
  invisible(res)
}
