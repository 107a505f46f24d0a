# Relative and net survival: population rate tables (hazards by age x calendar year x
# sex), expected survival, and the Pohar-Perme, Ederer II, Ederer I and Hakulinen
# estimators as relsurv::rs.surv. R resolves columns, sex labels and units (ages in
# years, calendar time as Date, relsurv's 'date' or decimal years); the estimation is in
# the core. The rate table is kept as its long columns and rebuilt by the core on each
# call (it is small, and the object survives saveRDS()/readRDS()).

# relsurv's convention for ages in days: rmap = list(age = age * 365.241, ...)
DAYS_PER_YEAR <- 365.241

check_time_unit <- function(time_unit) {
  if (!is.character(time_unit) || length(time_unit) != 1L ||
      !time_unit %in% c("days", "years")) {
    stop("argument `time_unit` must be \"days\" or \"years\"", call. = FALSE)
  }
  time_unit
}

# Decimal calendar years of Dates: year + (date - Jan 1) / days in that year.
decimal_years <- function(d) {
  lt <- as.POSIXlt(d)
  y <- lt$year + 1900L
  leap <- (y %% 4L == 0L & y %% 100L != 0L) | y %% 400L == 0L
  y + lt$yday / ifelse(leap, 366, 365)
}

# Calendar time in the table's unit: days since 1960-01-01 ("days") or decimal years
# ("years"), from a Date, relsurv's/the date package's 'date' (days since 1960-01-01),
# POSIXct, or decimal years.
calendar_time <- function(x, arg, time_unit) {
  if (inherits(x, "date")) x <- as.Date(as.numeric(unclass(x)), origin = "1960-01-01")
  if (inherits(x, "POSIXt")) x <- as.Date(x)
  if (inherits(x, "Date")) {
    if (time_unit == "days") return(as.numeric(x) + 3653)  # 1970-01-01 is day 3653
    return(decimal_years(x))
  }
  if (!is.numeric(x)) {
    stop(sprintf("argument `%s` must be a Date, a 'date' or decimal years, not %s", arg,
                 class(x)[1L]), call. = FALSE)
  }
  x <- as.double(x)
  if (time_unit == "years") return(x)
  d <- rust_value(days_since_1960_(x))
  d[is.na(x)] <- NA_real_
  d
}

# Ages in the table's unit, from years (x 365.241 for a table in days, as relsurv) or,
# with `age_unit = "days"`, from days (as survival's rmap).
age_time <- function(x, arg, time_unit, age_unit = "years") {
  if (!is.numeric(x)) {
    stop(sprintf("argument `%s` must be numeric (age in %s), not %s", arg, age_unit,
                 class(x)[1L]), call. = FALSE)
  }
  x <- as.double(x)
  if (age_unit == "days") return(if (time_unit == "days") x else x / DAYS_PER_YEAR)
  if (time_unit == "days") x * DAYS_PER_YEAR else x
}

check_age_unit <- function(age_unit) {
  if (!is.character(age_unit) || length(age_unit) != 1L || !age_unit %in% c("years", "days")) {
    stop("argument `age_unit` must be \"years\" or \"days\"", call. = FALSE)
  }
  age_unit
}

# A column given by name (a single string naming a column of `data`) or as a vector.
column_of <- function(x, arg, data, n = NULL) {
  if (is.character(x) && length(x) == 1L && !is.null(data)) {
    if (!x %in% names(data)) {
      stop(sprintf("argument `%s`: no column \"%s\" in `data`", arg, x), call. = FALSE)
    }
    return(data[[x]])
  }
  if (!is.null(n) && length(x) != n) {
    stop(sprintf("argument `%s` has length %d but there are %d persons", arg, length(x), n),
         call. = FALSE)
  }
  x
}

# Core messages about the persons' values name the rate-table column; name the argument.
relsurv_message <- function(res) {
  if (isTRUE(res$ok)) return(res)
  res$message <- sub("^argument `(rmap|ratetable)`, column `([^`]+)`: ", "argument `\\2`: ",
                     res$message)
  res
}

# ---- rate tables --------------------------------------------------------------------------

# Build the hrr_ratetable from its dimensions. `dims`: list of list(name, kind ("age",
# "calendar" or "factor"), cuts (in the table's unit) or levels); `columns`: the long
# columns (cut-points, or factor codes 0..k-1), one per dimension; `rate`: hazards;
# `us_date`: TRUE for a US-style calendar dimension (survival's type 4: the calendar row
# changes on the birthday), which needs dimensions called year and age in days; `name`:
# a short name (built-in tables).
new_rate_table <- function(dims, columns, rate, time_unit, source, us_date = FALSE,
                           name = NULL) {
  long <- list(names = vapply(dims, `[[`, "", "name"),
               continuous = vapply(dims, function(d) d$kind != "factor", TRUE),
               columns = lapply(columns, as.double), rate = as.double(rate),
               us_date = if (us_date) c("year", "age"))
  sizes <- rust_value(rate_table_check_(long))
  for (k in seq_along(dims)) {
    if (dims[[k]]$kind != "factor") dims[[k]]$cuts <- sort(unique(long$columns[[k]]))
    dims[[k]]$size <- sizes[k]
  }
  structure(list(dims = dims, long = long, time_unit = time_unit, source = source,
                 us_date = us_date, name = name),
            class = "hrr_ratetable")
}

rate_table <- function(data, age = "age", year = "year", sex = "sex", rate = "rate",
                       time_unit = "days") {
  time_unit <- check_time_unit(time_unit)
  if (!is.data.frame(data)) stop("argument `data` must be a data frame", call. = FALSE)
  a <- age_time(column_of(age, "age", data), "age", time_unit)
  y <- calendar_time(column_of(year, "year", data), "year", time_unit)
  s <- column_of(sex, "sex", data)
  r <- column_of(rate, "rate", data)
  if (!is.numeric(r)) stop("argument `rate` must be numeric", call. = FALSE)
  for (v in list(list(a, "age"), list(y, "year"), list(s, "sex"), list(r, "rate"))) {
    if (length(v[[1L]]) != length(r)) {
      stop(sprintf("argument `%s` has length %d but `rate` has length %d", v[[2L]],
                   length(v[[1L]]), length(r)), call. = FALSE)
    }
    if (anyNA(v[[1L]])) {
      stop(sprintf("argument `%s`: missing value (NA) at row %d", v[[2L]],
                   which(is.na(v[[1L]]))[1L]), call. = FALSE)
    }
  }
  fc <- factor_codes(s)
  dims <- list(list(name = "age", kind = "age"), list(name = "year", kind = "calendar"),
               list(name = "sex", kind = "factor", levels = fc$levels))
  new_rate_table(dims, list(a, y, fc$codes - 1L), r, time_unit,
                 source = "rate_table() from a long table")
}

as_rate_table <- function(x, ...) UseMethod("as_rate_table")

as_rate_table.hrr_ratetable <- function(x, ...) x

as_rate_table.data.frame <- function(x, ...) rate_table(x, ...)

# A survival/relsurv `ratetable` (hazards per day): dimensions of type 1 (factor),
# 2 (continuous: age in days), 3 (calendar date) and 4 (US-style calendar date: the
# calendar row changes on the birthday, as survexp.us). There must be an age and a year
# dimension; every other dimension must be a factor (sex, and e.g. race of
# survexp.usr: persons' values of a factor other than sex are read from the column of
# `data` with its name).
as_rate_table.ratetable <- function(x, ...) {
  a <- attributes(x)
  dn <- dimnames(x)
  ids <- a$dimid %||% names(dn)
  cp <- a$cutpoints
  if (is.null(ids) || length(ids) != length(dim(x)) || is.null(cp)) {
    stop("argument `x`: not a survival rate table (no dimid/dimnames or cutpoints)",
         call. = FALSE)
  }
  # older tables have only `factor`: 1 factor, 0 continuous, > 1 US-style
  fac <- as.numeric(a$factor)
  type <- as.numeric(a$type %||% ifelse(fac == 1, 1, ifelse(fac > 1, 4, 2)))
  if (!all(type %in% 1:4)) {
    stop(sprintf("argument `x`: unknown dimension type %s", type[!type %in% 1:4][1L]),
         call. = FALSE)
  }
  if (!all(c("age", "year") %in% ids) || anyDuplicated(ids)) {
    stop(sprintf(paste0("argument `x`: the dimensions must include age and year, each ",
                        "once (this table has %s)"), paste(ids, collapse = ", ")),
         call. = FALSE)
  }
  dims <- vector("list", length(ids))
  idx <- vector("list", length(ids))
  for (k in seq_along(ids)) {
    m <- dim(x)[k]
    if (type[k] == 1) {
      if (ids[k] %in% c("age", "year")) {
        stop(sprintf("argument `x`: dimension `%s` is a factor; it must be continuous",
                     ids[k]), call. = FALSE)
      }
      dims[[k]] <- list(name = ids[k], kind = "factor",
                        levels = dn[[k]] %||% as.character(seq_len(m)))
      idx[[k]] <- seq_len(m) - 1
    } else {
      cuts <- cp[[k]]
      if (!ids[k] %in% c("age", "year")) {
        stop(sprintf(paste0("argument `x`: dimension `%s` is continuous; only age and ",
                            "year may be"), ids[k]), call. = FALSE)
      }
      if (type[k] %in% 3:4 || ids[k] == "year") {
        if (ids[k] != "year") {
          stop(sprintf("argument `x`: dimension `%s` is a date; only year may be", ids[k]),
               call. = FALSE)
        }
        # cut-points as days since 1960-01-01 ('date', Date, or plain day numbers)
        cuts <- if (inherits(cuts, "Date")) as.numeric(cuts) + 3653 else
          as.numeric(unclass(cuts))
        dims[[k]] <- list(name = "year", kind = "calendar")
      } else {
        cuts <- as.numeric(cuts)
        dims[[k]] <- list(name = ids[k], kind = "age")
      }
      if (length(cuts) != m) {
        stop(sprintf("argument `x`: dimension `%s` has %d rows but %d cut-points", ids[k],
                     m, length(cuts)), call. = FALSE)
      }
      idx[[k]] <- cuts
    }
  }
  g <- expand.grid(lapply(dim(x), seq_len), KEEP.OUT.ATTRS = FALSE)
  columns <- lapply(seq_along(ids), function(k) idx[[k]][g[[k]]])
  new_rate_table(dims, columns, as.numeric(x), "days",
                 source = "as_rate_table() from a survival rate table",
                 us_date = any(type == 4))
}

# A rate table shipped with hrrstats (in days; sex "male", "female").
builtin_rate_table <- function(name = "survexp.us") {
  if (!is.character(name) || length(name) != 1L || is.na(name)) {
    stop("argument `name` must be a single string, such as \"survexp.us\"", call. = FALSE)
  }
  b <- rust_value(builtin_rate_table_(name))
  dims <- list(list(name = "age", kind = "age"), list(name = "year", kind = "calendar"),
               list(name = "sex", kind = "factor", levels = c("male", "female")))
  new_rate_table(dims, list(b$age, b$year, b$sex), b$rate, "days", source = b$source,
                 us_date = isTRUE(b$us_date), name = b$name)
}

# The synthetic population table behind hrrstats' example cohort (hazards per day).
example_ratetable <- function() {
  t <- rust_value(example_ratetable_())
  rt <- rate_table(data.frame(age = t$age, year = t$year, sex = t$sex, rate = t$rate),
                   time_unit = "days")
  rt$source <- paste("example_ratetable(): synthetic Gompertz population mortality",
                     "(per year 5e-5 exp(0.092 age), women 0.7 times men)")
  rt$name <- "example"
  rt
}

as.data.frame.hrr_ratetable <- function(x, row.names = NULL, optional = FALSE, ...) {
  out <- list()
  for (k in seq_along(x$dims)) {
    d <- x$dims[[k]]
    v <- x$long$columns[[k]]
    out[[d$name]] <- switch(d$kind,
      factor = factor(d$levels[v + 1], levels = d$levels),
      age = if (x$time_unit == "days") v / DAYS_PER_YEAR else v,
      calendar = if (x$time_unit == "days") as.Date(v, origin = "1960-01-01") else v)
  }
  out$rate <- x$long$rate
  as.data.frame(out, row.names = row.names, stringsAsFactors = FALSE)
}

print.hrr_ratetable <- function(x, ...) {
  cat(sprintf("Rate table (%s): hazards per %s, %d cells\n", x$name %||% x$source,
              if (x$time_unit == "days") "day" else "person-year", length(x$long$rate)))
  for (d in x$dims) {
    desc <- switch(d$kind,
      factor = sprintf("%d levels: %s", length(d$levels), paste(d$levels, collapse = ", ")),
      age = {
        r <- range(d$cuts)
        if (x$time_unit == "days") r <- r / DAYS_PER_YEAR
        sprintf("%d cut-points, %s to %s years", length(d$cuts), format(r[1L]), format(r[2L]))
      },
      calendar = {
        r <- range(d$cuts)
        shown <- if (x$time_unit == "days") format(as.Date(r, origin = "1960-01-01")) else format(r)
        sprintf("%d cut-points, %s to %s%s%s", length(d$cuts), shown[1L], shown[2L],
                if (x$time_unit == "days") "" else " (decimal years)",
                if (isTRUE(x$us_date)) "; US-style (the row changes on the birthday)" else "")
      })
    cat(sprintf("  %-5s %s\n", d$name, desc))
  }
  if (!is.null(x$name)) cat("Source: ", x$source, "\n", sep = "")
  cat(sprintf("Ages are converted %s; follow-up times are in %s.\n",
              if (x$time_unit == "days") "to days (x 365.241)" else "as years",
              x$time_unit))
  invisible(x)
}

# The persons' values at diagnosis, one double vector per table dimension (table order).
# `sex` labels are matched to the table's levels; numeric sex codes that are not labels
# of the table are taken as level positions (1, 2, ...), as survival does. A factor
# dimension other than sex (e.g. race of survexp.usr) is read from the column of `data`
# with its name.
rate_values <- function(ratetable, age, year, sex, data, n, age_unit = "years") {
  tu <- ratetable$time_unit
  lapply(ratetable$dims, function(d) {
    switch(d$kind,
      age = age_time(column_of(age, "age", data, n), "age", tu, age_unit),
      calendar = calendar_time(column_of(year, "year", data, n), "year", tu),
      factor = if (d$name == "sex") sex_codes(column_of(sex, "sex", data, n), d$levels) else {
        if (is.null(data) || !d$name %in% names(data)) {
          stop(sprintf(paste0("the rate table has a dimension `%s` (%s): `data` needs a ",
                              "column `%s`"), d$name, paste(d$levels, collapse = ", "), d$name),
               call. = FALSE)
        }
        sex_codes(data[[d$name]], d$levels, d$name)
      })
  })
}

sex_codes <- function(s, levels, arg = "sex") {
  code <- match(as.character(s), levels)
  if (is.numeric(s) && anyNA(code[!is.na(s)]) &&
      all(s[!is.na(s)] %in% seq_along(levels)) && !any(levels %in% as.character(s))) {
    code <- match(s, seq_along(levels))
  }
  if (anyNA(code)) {
    row <- which(is.na(code))[1L]
    what <- if (arg == "sex") "argument `sex`" else sprintf("column `%s` of `data`", arg)
    if (is.na(s[row])) stop(sprintf("%s: missing value (NA) at row %d", what, row), call. = FALSE)
    stop(sprintf("%s: value \"%s\" at row %d is not a %s of the rate table (%s)",
                 what, as.character(s[row]), row,
                 if (arg == "sex") "sex" else sprintf("level of `%s`", arg),
                 paste(levels, collapse = ", ")), call. = FALSE)
  }
  as.double(code - 1L)
}

check_rate_table <- function(ratetable) {
  if (inherits(ratetable, "ratetable")) ratetable <- as_rate_table(ratetable)
  if (!inherits(ratetable, "hrr_ratetable")) {
    stop("argument `ratetable` must be a rate table from rate_table() or as_rate_table()",
         call. = FALSE)
  }
  ratetable
}

n_of <- function(data, ...) {
  if (!is.null(data)) return(nrow(data))
  for (v in list(...)) if (!(is.character(v) && length(v) == 1L)) return(length(v))
  NULL
}

expected_survival <- function(ratetable, data = NULL, age = "age", year = "year",
                              sex = "sex", times, age_unit = "years") {
  ratetable <- check_rate_table(ratetable)
  age_unit <- check_age_unit(age_unit)
  if (!is.numeric(times) || !length(times)) {
    stop("argument `times` must be a numeric vector", call. = FALSE)
  }
  n <- n_of(data, age, year, sex)
  vals <- rate_values(ratetable, age, year, sex, data, n, age_unit)
  m <- rust_value(relsurv_message(expected_survival_(ratetable$long, vals, as.double(times))))
  dimnames(m) <- list(NULL, format(times))
  m
}

# ---- net survival -----------------------------------------------------------------------

net_survival <- function(formula, data = NULL, ratetable, age = "age", year = "year",
                         sex = "sex", method = "pohar-perme", conf_type = "log",
                         conf_level = 0.95, precision = NULL, fin_date = NULL) {
  call <- match.call()
  ratetable <- check_rate_table(ratetable)
  env <- environment(formula) %||% parent.frame()
  cols <- model_columns(formula, data, NULL, "fail", env)
  if (!is.null(cols$entry)) {
    stop("net_survival(): delayed entry (Surv(start, stop, status)) is not supported",
         call. = FALSE)
  }
  if (!is.character(method) || length(method) != 1L) {
    stop("argument `method` must be a single string", call. = FALSE)
  }
  n <- length(cols$time)
  vals <- rate_values(ratetable, age, year, sex, data, n)
  st <- cols$all_rhs
  levels <- if (is.null(st)) "all" else st$levels
  tu <- ratetable$time_unit
  precision <- precision %||% (if (tu == "days") 1 else 1 / DAYS_PER_YEAR)
  if (!is.numeric(precision) || length(precision) != 1L) {
    stop("argument `precision` must be a single number", call. = FALSE)
  }
  fin <- if (is.null(fin_date)) NULL else calendar_time(fin_date, "fin_date", tu)
  if (!is.null(fin) && length(fin) != 1L) {
    stop("argument `fin_date` must be a single date", call. = FALSE)
  }
  v <- rust_value(relsurv_message(net_survival_(
    ratetable$long, cols$time, cols$status, vals, st$codes,
    if (is.null(st)) NULL else length(levels), method, as.double(precision), conf_type,
    as.double(conf_level_of(conf_level)), fin)), hint = if (!is.null(st)) strata_hint(levels))
  fit <- list(
    strata = factor(levels[v$strata], levels = levels),
    time = v$time, n_risk = v$n_risk, n_event = v$n_event, n_censor = v$n_censor,
    survival = v$survival, std_err = v$std_err,
    lower = nan_to_na(v$lower), upper = nan_to_na(v$upper),
    std_err_cumulative_hazard = v$std_err_cumulative_hazard,
    strata_levels = levels,
    has_strata = !is.null(st),
    n = stats::setNames(if (is.null(st)) n else tabulate(st$codes, length(levels)), levels),
    method = method, conf_type = conf_type, conf_level = conf_level,
    time_unit = tu, call = call
  )
  class(fit) <- "hrr_netsurv"
  fit
}

netsurv_label <- function(method) {
  switch(method, "pohar-perme" = , pp = "Net survival (Pohar-Perme)",
         ederer2 = , e2 = "Relative survival (Ederer II)",
         ederer1 = , e1 = "Relative survival (Ederer I)",
         hakulinen = "Relative survival (Hakulinen)", method)
}

as.data.frame.hrr_netsurv <- function(x, row.names = NULL, optional = FALSE, ...) {
  data.frame(strata = x$strata, time = x$time, n_risk = x$n_risk, n_event = x$n_event,
             n_censor = x$n_censor, survival = x$survival, std_err = x$std_err,
             lower = x$lower, upper = x$upper,
             std_err_cumulative_hazard = x$std_err_cumulative_hazard, row.names = row.names)
}

# Values at `times`: those of the last reported time <= each time (survival 1 and
# standard errors 0 before the first). std_err is of the survival estimate (as
# summary(rs.surv(...))), std_err_cumulative_hazard relsurv's std.err.
netsurv_at <- function(x, times) {
  if (!is.numeric(times) || !length(times) || anyNA(times)) {
    stop("argument `times` must be a numeric vector without missing values", call. = FALSE)
  }
  out <- lapply(seq_along(x$strata_levels), function(k) {
    r <- which(as.integer(x$strata) == k)
    j <- findInterval(times, x$time[r])
    pick <- function(v, start) ifelse(j > 0L, v[r][pmax(j, 1L)], start)
    data.frame(strata = factor(rep(x$strata_levels[k], length(times)), levels = x$strata_levels),
               time = times,
               n_risk = pick(x$n_risk, NA_real_),
               survival = pick(x$survival, 1), std_err = pick(x$std_err, 0),
               lower = pick(x$lower, 1), upper = pick(x$upper, 1),
               std_err_cumulative_hazard = pick(x$std_err_cumulative_hazard, 0))
  })
  do.call(rbind, out)
}

summary.hrr_netsurv <- function(object, times = NULL, ...) {
  tab <- if (is.null(times)) as.data.frame(object) else netsurv_at(object, times)
  structure(list(table = tab, times = !is.null(times), has_strata = object$has_strata,
                 method = object$method, conf_level = object$conf_level, call = object$call,
                 time_unit = object$time_unit),
            class = "summary.hrr_netsurv")
}

as.data.frame.summary.hrr_netsurv <- function(x, row.names = NULL, optional = FALSE, ...) {
  tab <- x$table
  if (!is.null(row.names)) rownames(tab) <- row.names
  tab
}

print.summary.hrr_netsurv <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat("Call: ", paste(deparse(x$call), collapse = "\n"), "\n\n", sep = "")
  cat(netsurv_label(x$method), "; time in ", x$time_unit, "\n\n", sep = "")
  t <- x$table
  cols <- setdiff(names(t), c("strata", if (x$times) "n_risk"))
  lev <- format(100 * x$conf_level)
  for (s in levels(t$strata)) {
    d <- t[t$strata == s, cols, drop = FALSE]
    names(d)[names(d) == "lower"] <- paste0("lower ", lev, "% CI")
    names(d)[names(d) == "upper"] <- paste0("upper ", lev, "% CI")
    if (x$has_strata) cat("                ", s, "\n", sep = "")
    num <- vapply(d, is.numeric, logical(1L))
    d[num] <- lapply(d[num], signif, digits = digits)
    print(d, row.names = FALSE, ...)
    cat("\n")
  }
  invisible(x)
}

print.hrr_netsurv <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat("Call: ", paste(deparse(x$call), collapse = "\n"), "\n\n", sep = "")
  cat(netsurv_label(x$method), "; time in ", x$time_unit, "\n", sep = "")
  last <- vapply(seq_along(x$strata_levels), function(k) {
    r <- which(as.integer(x$strata) == k)
    if (length(r)) r[length(r)] else NA_integer_
  }, 1L)
  lev <- format(x$conf_level)
  tab <- cbind(n = x$n,
               events = as.vector(tapply(x$n_event, x$strata, sum)),
               last_time = x$time[last], survival = x$survival[last],
               x$lower[last], x$upper[last])
  colnames(tab)[5:6] <- paste0(lev, c("LCL", "UCL"))
  rownames(tab) <- if (x$has_strata) x$strata_levels else ""
  print(signif(tab, digits), ...)
  invisible(x)
}

plot.hrr_netsurv <- function(x, conf_int = TRUE, col = NULL, lty = 1, lwd = 1.5,
                             xlab = paste0("Time (", x$time_unit, ")"),
                             ylab = if (x$method %in% c("pohar-perme", "pp")) "Net survival" else
                               "Relative survival",
                             ylim = NULL, legend = x$has_strata, legend_pos = "topright",
                             main = NULL, ...) {
  k <- length(x$strata_levels)
  col <- rep_len(col %||% seq_len(k), k)
  lty <- rep_len(lty, k)
  xmax <- if (length(x$time)) max(x$time) else 1
  if (is.null(ylim)) {
    ys <- c(0, 1, x$survival, if (conf_int) c(x$lower, x$upper))
    ylim <- c(0, max(1, ys[is.finite(ys)]))
  }
  plot(NA, xlim = c(0, xmax), ylim = ylim, xlab = xlab, ylab = ylab, main = main, ...)
  for (i in seq_len(k)) {
    r <- which(as.integer(x$strata) == i)
    tt <- c(0, x$time[r])
    if (conf_int) {
      lo <- c(1, x$lower[r])
      hi <- c(1, x$upper[r])
      ok <- is.finite(lo) & is.finite(hi)
      if (sum(ok) >= 2L) {
        t1 <- tt[ok]
        xs <- c(rep(t1, each = 2L)[-1L], xmax)
        polygon(c(xs, rev(xs)), c(rep(hi[ok], each = 2L), rev(rep(lo[ok], each = 2L))),
                col = adjustcolor(col[i], alpha.f = 0.2), border = NA)
      }
    }
    lines(c(tt, xmax), c(1, x$survival[r], utils_last(x$survival[r], 1)), type = "s",
          col = col[i], lty = lty[i], lwd = lwd)
  }
  if (isTRUE(legend) && k > 1L) {
    graphics::legend(legend_pos, legend = x$strata_levels, col = col, lty = lty, lwd = lwd,
                     bty = "n")
  }
  invisible(x)
}

# ---- age standardisation ----------------------------------------------------------------

ICSS_LABELS <- c("15-44", "45-54", "55-64", "65-74", "75+")

# The International Cancer Survival Standard age group of each age at diagnosis (under 15
# in the first group), a factor in the standard's order.
icss_group <- function(age) {
  if (!is.numeric(age)) {
    stop(sprintf("argument `age` must be numeric (age in years), not %s", class(age)[1L]),
         call. = FALSE)
  }
  lower <- icss_weights_()$age_lower
  k <- findInterval(as.double(age), lower[-1L]) + 1L
  k[is.na(age)] <- NA_integer_
  factor(ICSS_LABELS[k], levels = ICSS_LABELS)
}

age_standardized <- function(fit, times, weights = "icss1", ...) UseMethod("age_standardized")

# Direct age standardisation over the strata (the age groups, in the order of the strata
# levels): S(t) = sum w_k S_k(t), SE = sqrt(sum w_k^2 (S_k se_k)^2), limits S -/+ z SE.
# The standard's weights for `k` strata or groups (`what`): "icss1", "icss2", "icss3"
# (the five age groups of icss_group()) or one number per stratum.
standard_weights <- function(weights, k, what = "strata") {
  one <- if (what == "strata") "stratum" else "group"
  if (is.character(weights)) {
    key <- tolower(weights)
    if (length(key) != 1L || !key %in% c("icss1", "icss2", "icss3")) {
      stop(sprintf("argument `weights`: unknown standard \"%s\"; use \"icss1\", \"icss2\" or \"icss3\", or one number per %s",
                   paste(weights, collapse = "\", \""), one), call. = FALSE)
    }
    w <- icss_weights_()$weights[[as.integer(substring(key, 5L))]]
    if (length(w) != k) {
      stop(sprintf(paste0("argument `weights`: the ICSS weights are for the %d age groups of ",
                          "icss_group(), but the fit has %d %s"), length(w), k, what),
           call. = FALSE)
    }
  } else if (is.numeric(weights)) {
    w <- as.double(weights)
    if (length(w) != k) {
      stop(sprintf("argument `weights` has length %d but the fit has %d %s", length(w), k, what),
           call. = FALSE)
    }
  } else {
    stop("argument `weights` must be \"icss1\", \"icss2\", \"icss3\" or a numeric vector",
         call. = FALSE)
  }
  w
}

age_standardized.hrr_netsurv <- function(fit, times, weights = "icss1", ...) {
  if (!is.numeric(times) || !length(times) || anyNA(times)) {
    stop("argument `times` must be a numeric vector without missing values", call. = FALSE)
  }
  k <- length(fit$strata_levels)
  w <- standard_weights(weights, k, "strata")
  codes <- as.integer(fit$strata)
  curves <- lapply(seq_len(k), function(i) {
    r <- which(codes == i)
    list(as.double(fit$time[r]), as.double(fit$survival[r]), as.double(fit$std_err[r]))
  })
  times <- as.double(times)
  v <- rust_value(net_age_standardized_(curves, w, times, as.double(fit$conf_level)))
  data.frame(time = times, survival = v$survival, std_err = v$std_err, lower = v$lower,
             upper = v$upper)
}

# ---- comparing net survival, excess-hazard regression, crude probabilities ------------

# The default integration step: one day (days), or one day in years (years), as
# net_survival().
relsurv_precision <- function(precision, time_unit) {
  precision <- precision %||% (if (time_unit == "days") 1 else 1 / DAYS_PER_YEAR)
  if (!is.numeric(precision) || length(precision) != 1L) {
    stop("argument `precision` must be a single number", call. = FALSE)
  }
  as.double(precision)
}

# Follow-up, status and the persons' rate-table values of `Surv(time, status) ~ rhs`
# (no delayed entry), as net_survival() resolves them; `fun` names the caller.
relsurv_columns <- function(formula, data, ratetable, age, year, sex, env, fun) {
  cols <- model_columns(formula, data, NULL, "fail", env)
  if (!is.null(cols$entry)) {
    stop(sprintf("%s(): delayed entry (Surv(start, stop, status)) is not supported", fun),
         call. = FALSE)
  }
  n <- length(cols$time)
  cols$values <- rate_values(ratetable, age, year, sex, data, n)
  cols
}

# Log-rank-type comparison of net survival between groups, as relsurv::rs.diff.
net_survival_test <- function(formula, data = NULL, ratetable, age = "age", year = "year",
                              sex = "sex", precision = NULL) {
  call <- match.call()
  ratetable <- check_rate_table(ratetable)
  env <- environment(formula) %||% parent.frame()
  cols <- relsurv_columns(formula, data, ratetable, age, year, sex, env, "net_survival_test")
  st <- cols$strata
  g <- cols$plain
  if (is.null(g)) {
    stop("argument `formula` must name the groups to compare: Surv(time, status) ~ group",
         call. = FALSE)
  }
  tu <- ratetable$time_unit
  precision <- relsurv_precision(precision, tu)
  k <- length(g$levels)
  v <- rust_value(relsurv_message(net_survival_test_(
    ratetable$long, cols$time, cols$status, cols$values, g$codes, k, precision,
    if (is.null(st)) NULL else st$codes, if (is.null(st)) 1L else length(st$levels))))
  score <- stats::setNames(v$score, g$levels)
  variance <- v$variance
  dimnames(variance) <- list(g$levels, g$levels)
  structure(list(
    statistic = c(Chisq = v$statistic), df = v$df, p.value = v$p_value,
    score = score, variance = variance, groups = g$levels,
    n = stats::setNames(tabulate(g$codes, k), g$levels),
    n_event = stats::setNames(as.vector(tapply(cols$status, factor(g$codes, seq_len(k)),
                                               sum)), g$levels),
    method = paste0("Log-rank-type test of equal net survival (Pohar-Perme weighting)",
                    if (is.null(st)) "" else sprintf(", stratified (%d strata)", length(st$levels))),
    data.name = label_of(formula), time_unit = tu, call = call
  ), class = "hrr_netsurv_test")
}

print.hrr_netsurv_test <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat("Call: ", paste(deparse(x$call), collapse = "\n"), "\n\n", sep = "")
  cat(x$method, "\n\n", sep = "")
  tab <- cbind(N = x$n, Events = x$n_event, Z = signif(x$score, digits))
  rownames(tab) <- x$groups
  print(tab, ...)
  cat(sprintf("\n Chisq= %s  on %d degrees of freedom, p= %s\n",
              format(round(x$statistic, 1), nsmall = 1L), as.integer(x$df),
              format.pval(x$p.value, digits = digits)))
  invisible(x)
}

# Excess-hazard regression as relsurv::rsadd: the grouped Poisson GLM of Dickman et al.
# (2004) (method = "glm.poi") or the full likelihood on the individual data
# (method = "max.lik"). `breaks` in years.
excess_hazard_model <- function(formula, data = NULL, ratetable, age = "age", year = "year",
                                sex = "sex", breaks = c(0, 1, 3, 5, 10),
                                method = c("glm.poi", "max.lik")) {
  call <- match.call()
  if (identical(method, c("glm.poi", "max.lik"))) method <- "glm.poi"
  if (!is.character(method) || length(method) != 1L || is.na(method)) {
    stop("argument `method` must be \"glm.poi\" or \"max.lik\"", call. = FALSE)
  }
  ratetable <- check_rate_table(ratetable)
  if (!is.null(data) && !is.data.frame(data) && !is.list(data)) {
    stop("argument `data` must be a data frame", call. = FALSE)
  }
  surv <- parse_surv_lhs(formula)
  if (!is.null(surv$entry)) {
    stop("excess_hazard_model(): delayed entry (Surv(start, stop, status)) is not supported",
         call. = FALSE)
  }
  if (!is.numeric(breaks) || length(breaks) < 2L || anyNA(breaks)) {
    stop("argument `breaks` must be numeric follow-up boundaries in years, such as c(0, 1, 3, 5, 10)",
         call. = FALSE)
  }
  env <- environment(formula) %||% parent.frame()
  ev <- function(e) eval_in(e, data, env)
  time <- as_double_column(ev(surv$time), "time", label_of(surv$time))
  status <- as_double_column(ev(surv$status), "status", label_of(surv$status))

  # Covariates: R's model.matrix() with the intercept (factor contrasts as usual), the
  # intercept column then dropped; the follow-up intervals take its place.
  tt <- if (is.null(data)) terms(formula[-2L]) else terms(formula[-2L], data = data)
  attr(tt, "intercept") <- 1L
  mf <- if (is.null(data)) model.frame(tt, na.action = stats::na.pass) else
    model.frame(tt, data = data, na.action = stats::na.pass)
  cols <- list(list(value = time, arg = "time", label = label_of(surv$time)),
               list(value = status, arg = "status", label = label_of(surv$status)))
  for (j in seq_along(mf)) {
    v <- mf[[j]]
    if (is.matrix(v)) v <- ifelse(rowSums(is.na(v)) > 0, NA_real_, 0)
    cols[[length(cols) + 1L]] <- list(value = v, arg = "covariates", label = names(mf)[j])
  }
  handle_missing(cols, "fail")
  X <- model.matrix(tt, mf)
  X <- X[, attr(X, "assign") != 0L, drop = FALSE]
  xnames <- colnames(X)
  storage.mode(X) <- "double"

  n <- length(time)
  vals <- rate_values(ratetable, age, year, sex, data, n)
  tu <- ratetable$time_unit
  unit <- if (tu == "days") DAYS_PER_YEAR else 1
  v <- rust_value(relsurv_message(excess_hazard_(
    ratetable$long, time, status, vals, X, as.character(xnames), as.double(breaks) * unit,
    unit, method)))
  if (!isTRUE(v$converged)) {
    warning(sprintf("excess_hazard_model: did not converge in %d iterations", v$iterations),
            call. = FALSE)
  }
  names_ <- v$names
  var <- v$var
  dimnames(var) <- list(names_, names_)
  fit <- list(
    coefficients = stats::setNames(v$coef, names_),
    se = stats::setNames(v$se, names_),
    var = var,
    loglik = v$loglik,
    iterations = v$iterations,
    converged = v$converged,
    # glm.poi: the grouped GLM as rsadd reports it (glm's default stopping rule)
    rsadd_coefficients = if (length(v$glm_coef)) stats::setNames(v$glm_coef, names_),
    rsadd_se = if (length(v$glm_se)) stats::setNames(v$glm_se, names_),
    covariates = xnames,
    breaks = as.double(breaks),
    n = n,
    nevent = sum(status),
    method = method,
    time_unit = tu,
    formula = formula,
    call = call
  )
  class(fit) <- "hrr_excess"
  fit
}

excess_method_label <- function(method) {
  switch(method %||% "glm.poi",
         glm.poi = "grouped Poisson GLM, Dickman et al. 2004",
         max.lik = "maximum likelihood on the individual data, as rsadd(method = \"max.lik\")",
         method)
}

coef.hrr_excess <- function(object, ...) object$coefficients

vcov.hrr_excess <- function(object, ...) object$var

excess_coef_matrix <- function(x) {
  cf <- x$coefficients
  z <- cf / x$se
  tab <- cbind(cf, exp(cf), x$se, z, 2 * stats::pnorm(-abs(z)))
  dimnames(tab) <- list(names(cf), c("coef", "exp(coef)", "se(coef)", "z", "Pr(>|z|)"))
  tab
}

print.hrr_excess <- function(x, digits = max(1L, getOption("digits") - 3L), ...) {
  cat("Call:\n")
  print(x$call)
  cat("\nExcess-hazard model (", excess_method_label(x$method), ")\n\n", sep = "")
  tab <- excess_coef_matrix(x)
  print(signif(tab, digits), ...)
  cat(sprintf("\nn= %d, number of events= %s; log-likelihood %s\n", x$n, format(x$nevent),
              format(x$loglik, digits = digits + 3L)))
  invisible(x)
}

summary.hrr_excess <- function(object, ...) {
  structure(list(call = object$call, coefficients = excess_coef_matrix(object),
                 n = object$n, nevent = object$nevent, loglik = object$loglik,
                 iterations = object$iterations, converged = object$converged,
                 breaks = object$breaks, covariates = object$covariates,
                 method = object$method %||% "glm.poi"),
            class = "summary.hrr_excess")
}

print.summary.hrr_excess <- function(x, digits = max(getOption("digits") - 3L, 3L),
                                     signif.stars = getOption("show.signif.stars"), ...) {
  cat("Call:\n")
  print(x$call)
  cat("\n  ", excess_method_label(x$method), "\n", sep = "")
  cat(sprintf("  n= %d, number of events= %s\n", x$n, format(x$nevent)))
  cat(sprintf("  follow-up intervals (years): %s\n\n", paste(x$breaks, collapse = ", ")))
  stats::printCoefmat(x$coefficients, digits = digits, signif.stars = signif.stars,
                      P.values = TRUE, has.Pvalue = TRUE, na.print = "NA", ...)
  cat("\n  exp(coef) of the covariates: excess hazard ratios; of the fu terms: excess\n",
      "  hazards per person-year in each follow-up interval (covariates at 0).\n", sep = "")
  cat(sprintf("  log-likelihood %s, %d iterations%s\n", format(x$loglik, digits = digits + 3L),
              as.integer(x$iterations), if (isTRUE(x$converged)) "" else " (NOT converged)"))
  invisible(x)
}

# Crude probabilities of death from the cancer and from population causes, as
# relsurv::cmp.rel.
crude_probabilities <- function(formula, data = NULL, ratetable, age = "age", year = "year",
                                sex = "sex", tau = NULL, precision = NULL) {
  ratetable <- check_rate_table(ratetable)
  env <- environment(formula) %||% parent.frame()
  cols <- relsurv_columns(formula, data, ratetable, age, year, sex, env, "crude_probabilities")
  g <- cols$all_rhs
  tu <- ratetable$time_unit
  precision <- relsurv_precision(precision, tu)
  if (!is.null(tau) && (!is.numeric(tau) || length(tau) != 1L)) {
    stop("argument `tau` must be a single number (in the follow-up time unit)", call. = FALSE)
  }
  vs <- rust_value(relsurv_message(crude_probabilities_(
    ratetable$long, cols$time, cols$status, cols$values, precision,
    if (is.null(tau)) NULL else as.double(tau), if (is.null(g)) NULL else g$codes,
    if (is.null(g)) 1L else length(g$levels))))
  out <- do.call(rbind, lapply(seq_along(vs), function(k) {
    v <- vs[[k]]
    m <- length(v$time)
    d <- data.frame(time = c(v$time, v$time),
                    cause = rep(c("cancer", "population"), each = m),
                    estimate = c(v$cancer, v$population),
                    variance = c(v$cancer_var, v$population_var),
                    stringsAsFactors = FALSE)
    if (!is.null(g)) d <- cbind(group = g$levels[k], d, stringsAsFactors = FALSE)
    d
  }))
  rownames(out) <- NULL
  out
}

# ---- interval (life-table) net survival -------------------------------------------------

# Interval (life-table) net or relative survival as popEpi::survtab(surv.type =
# "surv.rel", surv.method = "hazard"): follow-up cut at `breaks` (years since
# diagnosis), each interval row's population hazard taken at its mid-point, Pohar-Perme
# weights or Ederer II. One table per group of the right-hand side.
interval_net_survival <- function(formula, data = NULL, ratetable, age = "age", year = "year",
                                  sex = "sex", breaks = 0:10, method = "pohar-perme",
                                  pp_weight = "midpoint", conf_type = "log-log",
                                  conf_level = 0.95) {
  call <- match.call()
  ratetable <- check_rate_table(ratetable)
  for (a in c("method", "pp_weight", "conf_type")) {
    v <- get(a)
    if (!is.character(v) || length(v) != 1L || is.na(v)) {
      stop(sprintf("argument `%s` must be a single string", a), call. = FALSE)
    }
  }
  if (!is.numeric(breaks)) {
    stop("argument `breaks` must be numeric interval boundaries in years from 0, such as 0:10",
         call. = FALSE)
  }
  env <- environment(formula) %||% parent.frame()
  cols <- relsurv_columns(formula, data, ratetable, age, year, sex, env,
                          "interval_net_survival")
  g <- cols$all_rhs
  levels <- if (is.null(g)) "all" else g$levels
  tu <- ratetable$time_unit
  unit <- if (tu == "days") DAYS_PER_YEAR else 1
  tables <- rust_value(relsurv_message(interval_survival_(
    ratetable$long, cols$time, cols$status, cols$values, g$codes,
    if (is.null(g)) NULL else length(levels), as.double(breaks) * unit, unit, method,
    pp_weight, conf_type, as.double(conf_level_of(conf_level)))))
  n <- if (is.null(g)) length(cols$time) else tabulate(g$codes, length(levels))
  structure(list(
    tables = tables, groups = levels, has_groups = !is.null(g),
    n = stats::setNames(n, levels),
    breaks = as.double(breaks),
    method = switch(method, pp = "pohar-perme", e2 = "ederer2", method),
    pp_weight = pp_weight, conf_type = conf_type, conf_level = conf_level,
    time_unit = tu, unit = unit, call = call
  ), class = "hrr_interval_netsurv")
}

interval_label <- function(method) {
  switch(method, "pohar-perme" = "Interval net survival (Pohar-Perme)",
         ederer2 = "Interval relative survival (Ederer II)", method)
}

# One interval table (a list of the core's columns, in the rate table's unit) as a data
# frame with popEpi's column names; times and person-time in years.
interval_frame <- function(t, x) {
  m <- length(t$surv)
  k <- seq_len(m)
  u <- x$unit
  data.frame(interval = k, Tstart = x$breaks[k], Tstop = x$breaks[k + 1L],
             delta = x$breaks[k + 1L] - x$breaks[k], n_start = t$n_start,
             n_censor = t$n_censor, pyrs = t$pyrs / u, d = t$d, d.exp = t$d_exp,
             d.pp = t$d_pp, d.pp.2 = t$d_pp2, pyrs.pp = t$pyrs_pp / u, d.exp.pp = t$d_exp_pp,
             surv.obs = t$surv_obs, SE.surv.obs = t$se_obs, surv.exp = t$surv_exp,
             surv = t$surv, SE = t$std_err, lower = nan_to_na(t$lower),
             upper = nan_to_na(t$upper))
}

as.data.frame.hrr_interval_netsurv <- function(x, row.names = NULL, optional = FALSE, ...) {
  out <- do.call(rbind, lapply(seq_along(x$groups), function(k) {
    f <- interval_frame(x$tables[[k]], x)
    cbind(group = factor(rep(x$groups[k], nrow(f)), levels = x$groups), f)
  }))
  rownames(out) <- row.names
  out
}

# Cumulative estimates at `times` (years): those at the end of the last interval ending at
# or before each time (1 before the first interval's end, NA after a group's last).
interval_at <- function(x, times) {
  if (!is.numeric(times) || !length(times) || anyNA(times)) {
    stop("argument `times` must be a numeric vector of years without missing values",
         call. = FALSE)
  }
  do.call(rbind, lapply(seq_along(x$groups), function(k) {
    f <- interval_frame(x$tables[[k]], x)
    j <- findInterval(times, f$Tstop)
    beyond <- times > if (nrow(f)) f$Tstop[nrow(f)] else 0
    pick <- function(v, start) {
      out <- ifelse(j > 0L, v[pmax(j, 1L)], start)
      out[beyond] <- NA_real_
      out
    }
    data.frame(group = factor(rep(x$groups[k], length(times)), levels = x$groups),
               time = times, surv = pick(f$surv, 1), SE = pick(f$SE, 0),
               lower = pick(f$lower, 1), upper = pick(f$upper, 1))
  }))
}

summary.hrr_interval_netsurv <- function(object, times = NULL, ...) {
  tab <- if (is.null(times)) {
    as.data.frame(object)[, c("group", "interval", "Tstart", "Tstop", "n_start", "n_censor",
                              "d", "surv", "SE", "lower", "upper")]
  } else interval_at(object, times)
  structure(list(table = tab, times = !is.null(times), has_groups = object$has_groups,
                 method = object$method, conf_type = object$conf_type,
                 conf_level = object$conf_level, call = object$call),
            class = "summary.hrr_interval_netsurv")
}

as.data.frame.summary.hrr_interval_netsurv <- function(x, row.names = NULL, optional = FALSE,
                                                        ...) {
  tab <- x$table
  if (!is.null(row.names)) rownames(tab) <- row.names
  tab
}

print.summary.hrr_interval_netsurv <- function(x, digits = max(3L, getOption("digits") - 3L),
                                               ...) {
  cat("Call: ", paste(deparse(x$call), collapse = "\n"), "\n\n", sep = "")
  cat(interval_label(x$method), "; times in years; ", x$conf_type, " limits\n\n", sep = "")
  t <- x$table
  lev <- format(100 * x$conf_level)
  for (s in levels(t$group)) {
    d <- t[t$group == s, setdiff(names(t), "group"), drop = FALSE]
    names(d)[names(d) == "lower"] <- paste0("lower ", lev, "% CI")
    names(d)[names(d) == "upper"] <- paste0("upper ", lev, "% CI")
    if (x$has_groups) cat("                ", s, "\n", sep = "")
    num <- vapply(d, is.numeric, logical(1L))
    d[num] <- lapply(d[num], signif, digits = digits)
    print(d, row.names = FALSE, ...)
    cat("\n")
  }
  invisible(x)
}

print.hrr_interval_netsurv <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat("Call: ", paste(deparse(x$call), collapse = "\n"), "\n\n", sep = "")
  cat(interval_label(x$method), ", life table with ", length(x$breaks) - 1L,
      " intervals to ", format(x$breaks[length(x$breaks)]), " years",
      if (x$method == "pohar-perme") paste0(" (", x$pp_weight, " weights)"), "\n", sep = "")
  tab <- t(vapply(seq_along(x$groups), function(k) {
    tb <- x$tables[[k]]
    m <- length(tb$surv)
    if (m == 0L) return(c(x$n[k], 0, 0, NA, NA, NA))
    c(x$n[k], sum(tb$d), x$breaks[m + 1L], tb$surv[m], nan_to_na(tb$lower[m]),
      nan_to_na(tb$upper[m]))
  }, numeric(6L)))
  lev <- format(x$conf_level)
  colnames(tab) <- c("n", "deaths", "years", "survival", paste0(lev, c("LCL", "UCL")))
  rownames(tab) <- if (x$has_groups) x$groups else ""
  print(signif(tab, digits), ...)
  invisible(x)
}

plot.hrr_interval_netsurv <- function(x, conf_int = TRUE, col = NULL, lty = 1, lwd = 1.5,
                                      pch = 20, xlab = "Years since diagnosis",
                                      ylab = if (x$method == "pohar-perme") "Net survival" else
                                        "Relative survival",
                                      ylim = NULL, legend = x$has_groups,
                                      legend_pos = "topright", main = NULL, ...) {
  k <- length(x$groups)
  col <- rep_len(col %||% seq_len(k), k)
  lty <- rep_len(lty, k)
  curves <- lapply(seq_len(k), function(i) {
    t <- x$tables[[i]]
    m <- length(t$surv)
    list(time = c(0, x$breaks[seq_len(m) + 1L]), surv = c(1, t$surv),
         lower = c(1, nan_to_na(t$lower)), upper = c(1, nan_to_na(t$upper)))
  })
  if (is.null(ylim)) {
    ys <- c(0, 1, unlist(lapply(curves, function(cv)
      c(cv$surv, if (conf_int) c(cv$lower, cv$upper)))))
    ylim <- c(0, max(1, ys[is.finite(ys)]))
  }
  xmax <- max(unlist(lapply(curves, `[[`, "time")), 1e-8)
  plot(NA, xlim = c(0, xmax), ylim = ylim, xlab = xlab, ylab = ylab, main = main, ...)
  for (i in seq_len(k)) {
    cv <- curves[[i]]
    if (conf_int) {
      ok <- is.finite(cv$lower) & is.finite(cv$upper)
      if (sum(ok) >= 2L) {
        polygon(c(cv$time[ok], rev(cv$time[ok])), c(cv$upper[ok], rev(cv$lower[ok])),
                col = adjustcolor(col[i], alpha.f = 0.2), border = NA)
      }
    }
    lines(cv$time, cv$surv, type = "o", col = col[i], lty = lty[i], lwd = lwd, pch = pch,
          cex = 0.6)
  }
  if (isTRUE(legend) && k > 1L) {
    graphics::legend(legend_pos, legend = x$groups, col = col, lty = lty, lwd = lwd,
                     pch = pch, bty = "n")
  }
  invisible(x)
}

# Direct age standardisation over the groups (age groups, in the order of the fit's
# groups), by the core: per interval S = sum w_g S_g, SE = sqrt(sum w_g^2 SE_g^2), limits
# of the fit's type; counts summed; cropped to the shortest group's table (as popEpi's
# adjust()). `times` is not used (the table has a row per interval); a string given in its
# place is taken as the weights.
age_standardized.hrr_interval_netsurv <- function(fit, times = NULL, weights = "icss1", ...) {
  if (!is.null(times)) {
    if (is.character(times) && missing(weights)) {
      weights <- times
    } else {
      stop(paste0("argument `times` is not used for interval tables (the standardised table ",
                  "has a row per interval); give the standard as `weights =`"), call. = FALSE)
    }
  }
  w <- standard_weights(weights, length(fit$groups), "groups")
  t <- rust_value(interval_age_standardized_(fit$tables, w, fit$method, fit$conf_type,
                                             as.double(fit$conf_level)))
  interval_frame(t, fit)
}
