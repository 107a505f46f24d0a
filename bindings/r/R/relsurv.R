# Relative and net survival (rate tables, expected survival, relsurv's estimators). R
# resolves columns and dates; the core matches labels, converts units, estimates and lays
# out every result. A rate table keeps the core's record, sent back on each call (it survives
# saveRDS()/readRDS()).

# relsurv's convention for ages in days (for showing a table in days in years)
DAYS_PER_YEAR <- 365.241

# Calendar time as the core reads it: decimal years, or dates (a Date, relsurv's/the date
# package's 'date' (days since 1960-01-01), POSIXct) as days since 1970-01-01, which the
# core converts to decimal years (year + (date - Jan 1) / days in that year).
calendar_time <- function(x, arg) {
  if (inherits(x, "date")) x <- as.Date(as.numeric(unclass(x)), origin = "1960-01-01")
  if (inherits(x, "POSIXt")) x <- as.Date(x)
  if (inherits(x, "Date")) return(list(days = as.numeric(x)))
  if (!is.numeric(x)) {
    stop(sprintf("argument `%s` must be a Date, a 'date' or decimal years, not %s", arg,
                 class(x)[1L]), call. = FALSE)
  }
  as.double(x)
}

age_years <- function(x, arg) {
  if (!is.numeric(x)) {
    stop(sprintf("argument `%s` must be numeric (age), not %s", arg, class(x)[1L]),
         call. = FALSE)
  }
  as.double(x)
}

# ---- rate tables --------------------------------------------------------------------------

# The hrr_ratetable of the core's record `rec` (see hrrstats_core::api::relsurv): the
# record itself (passed back as `ratetable`), and for R's methods its dimensions (name,
# kind, cuts or levels, size) and long columns.
new_rate_table <- function(rec) {
  us <- isTRUE(rec$us_date)
  long <- list(names = as.character(rec$dims), continuous = rec$kinds != "factor",
               columns = unname(lapply(rec$long, as.double)), rate = rec$rate,
               us_date = if (us) c("year", "age"))
  structure(list(rec = rec, dims = unname(rec$dimensions), long = long,
                 time_unit = rec$time_unit, source = rec$source, us_date = us, name = rec$name),
            class = "hrr_ratetable")
}

rate_table <- function(data, age = "age", year = "year", sex = "sex", rate = "rate",
                       time_unit = "days") {
  if (!is.data.frame(data)) stop("argument `data` must be a data frame", call. = FALSE)
  r <- column_of(rate, "rate", data)
  if (!is.numeric(r)) stop("argument `rate` must be numeric", call. = FALSE)
  fc <- factor_codes(column_of(sex, "sex", data))
  rec <- hrr_call("rate_table", list(
    age = age_years(column_of(age, "age", data), "age"),
    year = calendar_time(column_of(year, "year", data), "year"),
    sex = as_grouping(fc), rate = as.double(r), time_unit = time_unit))$value
  new_rate_table(rec)
}

as_rate_table <- function(x, ...) UseMethod("as_rate_table")

as_rate_table.hrr_ratetable <- function(x, ...) x

as_rate_table.data.frame <- function(x, ...) rate_table(x, ...)

# A survival/relsurv `ratetable` (hazards per day): its attributes, checked and laid
# out by the core (see survival_long in hrrstats_core::api::relsurv). Persons' values of
# a factor other than sex (e.g. race of survexp.usr) are read from the column of `data`
# with its name.
as_rate_table.ratetable <- function(x, ...) {
  a <- attributes(x)
  # calendar cut-points as days since 1960-01-01 ('date', Date, or plain day numbers)
  cuts <- lapply(a$cutpoints, function(c) as.numeric(unclass(c)) + 3653 * inherits(c, "Date"))
  new_rate_table(hrr_call("rate_table", list(survival = list(
    dim = dim(x), dimid = a$dimid %||% names(dimnames(x)), levels = unname(dimnames(x)),
    cutpoints = unname(cuts), type = a$type, factor = a$factor, rate = as.numeric(x))))$value)
}

# A rate table shipped with hrrstats (in days; sex "male", "female").
builtin_rate_table <- function(name = "survexp.us") {
  if (!is.character(name) || length(name) != 1L || is.na(name)) {
    stop("argument `name` must be a single string, such as \"survexp.us\"", call. = FALSE)
  }
  new_rate_table(hrr_call("builtin_rate_table", list(name = name))$value)
}

# The synthetic population table behind hrrstats' example cohort (hazards per day).
example_ratetable <- function() {
  rec <- rate_table(hrr_call("example_ratetable", list())$value, time_unit = "days")$rec
  rec$source <- paste("example_ratetable(): synthetic Gompertz population mortality",
                      "(per year 5e-5 exp(0.092 age), women 0.7 times men)")
  rec$name <- "example"
  new_rate_table(hrr_call("rate_table", list(ratetable = rec))$value)
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

# The core's description of the table.
print.hrr_ratetable <- function(x, ...) {
  rec <- check_rate_table(x)$rec
  # a record saved by an earlier version has none: the core reads it again
  if (is.null(rec$description)) rec <- hrr_call("rate_table", list(ratetable = rec))$value
  cat(rec$description, sep = "\n")
  invisible(x)
}

# The persons' values at diagnosis as the core reads them: age (years, or days with
# age_unit = "days"), year (decimal years), sex and, for a factor dimension other than
# sex (e.g. race of survexp.usr), `factors`: the column of `data` with its name. The
# core matches the factors' labels to the table's levels.
rate_values <- function(ratetable, age, year, sex, data, age_unit = "years") {
  rec <- ratetable$rec
  out <- list(ratetable = rec, age_unit = age_unit,
              age = age_years(column_of(age, "age", data), "age"),
              year = calendar_time(column_of(year, "year", data), "year"))
  if ("sex" %in% rec$dims) out$sex <- label_column(column_of(sex, "sex", data))
  others <- setdiff(rec$dims[rec$kinds == "factor"], "sex")
  out$factors <- lapply(data[intersect(others, names(data))], label_column)
  out
}

# A factor column as the core matches it against a rate table's levels: numbers as they
# are, anything else as labels and each row's position among them (NA where missing).
label_column <- function(x) {
  if (is.numeric(x)) return(list(values = as.double(x)))
  x <- as.character(x)
  labels <- unique(x[!is.na(x)])
  list(codes = match(x, labels) - 1, labels = labels)
}

check_rate_table <- function(ratetable) {
  if (inherits(ratetable, "ratetable")) ratetable <- as_rate_table(ratetable)
  if (!inherits(ratetable, "hrr_ratetable")) {
    stop("argument `ratetable` must be a rate table from rate_table() or as_rate_table()",
         call. = FALSE)
  }
  # saved by hrrstats before the core kept the table's record: rebuilt from its columns
  if (is.null(ratetable$rec)) {
    ratetable <- new_rate_table(hrr_call("rate_table", list(ratetable = unclass(ratetable)))$value)
  }
  ratetable
}

expected_survival <- function(ratetable, data = NULL, age = "age", year = "year",
                              sex = "sex", times, age_unit = "years") {
  ratetable <- check_rate_table(ratetable)
  if (!is.numeric(times) || !length(times)) {
    stop("argument `times` must be a numeric vector", call. = FALSE)
  }
  args <- rate_values(ratetable, age, year, sex, data, age_unit)
  args$times <- as.double(times)
  m <- hrr_call("expected_survival", args)$value
  dimnames(m) <- list(NULL, format(times))
  m
}

# Each person's population hazard `time` after diagnosis (their own time in the table's
# unit, e.g. the exit time), per the table's unit: the `bhazard` of a relative-survival
# model.
expected_hazard <- function(ratetable, data = NULL, age = "age", year = "year", sex = "sex",
                            time, age_unit = "years") {
  ratetable <- check_rate_table(ratetable)
  args <- rate_values(ratetable, age, year, sex, data, age_unit)
  args$time <- as.double(column_of(time, "time", data))
  hrr_call("expected_hazard", args)$value
}

# ---- net survival -----------------------------------------------------------------------

NETSURV_COLUMNS <- c("strata", "time", "n_risk", "n_event", "n_censor", "survival", "std_err",
                     "lower", "upper", "std_err_cumulative_hazard")

net_survival <- function(formula, data = NULL, ratetable, age = "age", year = "year",
                         sex = "sex", method = "pohar-perme", conf_type = "log",
                         conf_level = 0.95, precision = NULL, fin_date = NULL) {
  call <- match.call()
  ratetable <- check_rate_table(ratetable)
  cols <- relsurv_columns(formula, data, ratetable, age, year, sex, "net_survival")
  st <- cols$all_rhs
  levels <- if (is.null(st)) "all" else st$levels
  fin <- if (!is.null(fin_date)) calendar_time(fin_date, "fin_date")
  inputs <- c(cols$args, list(strata = as_grouping(st), method = method,
                              precision = precision, conf_type = conf_type,
                              conf_level = conf_level, fin_date = fin))
  out <- netsurv_call(inputs, levels)
  tab <- labelled(out$value$table, "strata", levels)
  fit <- c(as.list(tab[NETSURV_COLUMNS]), list(
    strata_levels = levels, has_strata = !is.null(st),
    n = stats::setNames(out$value$n, levels), events = stats::setNames(out$value$events, levels),
    method = method, conf_type = conf_type, conf_level = conf_level, title = out$value$title,
    time_unit = ratetable$time_unit, call = call, ptr = out$fit, inputs = inputs))
  class(fit) <- "hrr_netsurv"
  fit
}

netsurv_call <- function(inputs, levels) {
  hrr_call("net_survival", inputs, hint = if (!is.null(inputs$strata)) strata_hint(levels))
}

netsurv_ptr <- function(x) fit_ptr(x, function() netsurv_call(x$inputs, x$strata_levels))


# The core's 1-based positions in column `by` as a factor of `levels`; NA where the
# columns `na` are undefined (NaN).
labelled <- function(t, by, levels, na = c("lower", "upper")) {
  if (!is.null(t[[by]])) t[[by]] <- factor(levels[t[[by]]], levels = levels)
  for (k in intersect(na, names(t))) t[[k]] <- nan_to_na(t[[k]])
  t
}

check_times <- function(times, what = "") {
  if (!is.numeric(times) || !length(times) || anyNA(times)) {
    stop(sprintf("argument `times` must be a numeric vector %swithout missing values", what),
         call. = FALSE)
  }
  as.double(times)
}


as.data.frame.hrr_netsurv <- function(x, row.names = NULL, optional = FALSE, ...) {
  data.frame(unclass(x)[NETSURV_COLUMNS], row.names = row.names)
}

# Values at `times` (by the core): those of the last reported time <= each time
# (survival 1, standard errors 0 and n_risk NA before the first).
netsurv_at <- function(x, times) {
  labelled(hrr_fit_call(netsurv_ptr(x), "at", list(times = check_times(times))), "strata",
           x$strata_levels, "n_risk")
}

summary.hrr_netsurv <- function(object, times = NULL, ...) {
  tab <- if (is.null(times)) as.data.frame(object) else netsurv_at(object, times)
  structure(c(list(table = tab, times = !is.null(times), by = "strata",
                   header = paste0(object$title, "; time in ", object$time_unit)),
              object[c("has_strata", "method", "conf_level", "call", "time_unit", "title")]),
            class = "summary.hrr_netsurv")
}

as.data.frame.summary.hrr_netsurv <- function(x, row.names = NULL, optional = FALSE, ...) {
  with_row_names(x$table, row.names)
}

print.summary.hrr_netsurv <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  print_call(x)
  cat(x$header, "\n\n", sep = "")
  cols <- setdiff(names(x$table), c(x$by, if (x$times) "n_risk"))
  print_blocks(x$table, x$by, cols, x$conf_level, x$has_strata %||% x$has_groups, digits, ...)
  invisible(x)
}

# The row of the last time of each of the `k` levels of the factor `f` (NA if none).
last_row <- function(f, k) length(f) + 1L - match(seq_len(k), rev(as.integer(f)))

# The final estimates (n, events, time, survival, lower, upper; one row per level).
print_final <- function(x, tab, levels, header, digits, ...) {
  colnames(tab)[ncol(tab) - 1:0] <- paste0(format(x$conf_level), c("LCL", "UCL"))
  rownames(tab) <- if (header) levels else ""
  print(signif(tab, digits), ...)
  invisible(x)
}

print.hrr_netsurv <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  print_call(x)
  cat(x$title, "; time in ", x$time_unit, "\n", sep = "")
  last <- last_row(x$strata, length(x$strata_levels))
  print_final(x, cbind(n = x$n, events = x$events, last_time = x$time[last],
                       survival = x$survival[last], x$lower[last], x$upper[last]),
              x$strata_levels, x$has_strata, digits, ...)
}

# Survival curves from time 0, one per level: step curves with step bands (`step`), or
# points joined by lines with a polygon band.
plot_curves <- function(curves, labels, step, xmax, conf_int, col, lty, lwd, pch, xlab, ylab,
                        ylim, legend, legend_pos, main, ...) {
  k <- length(curves)
  col <- rep_len(col %||% seq_len(k), k)
  lty <- rep_len(lty, k)
  if (is.null(ylim)) {
    ys <- c(0, 1, unlist(lapply(curves, function(cv)
      c(cv$surv, if (conf_int) c(cv$lower, cv$upper)))))
    ylim <- c(0, max(1, ys[is.finite(ys)]))
  }
  plot(NA, xlim = c(0, xmax), ylim = ylim, xlab = xlab, ylab = ylab, main = main, ...)
  for (i in seq_len(k)) {
    cv <- curves[[i]]
    if (step) {
      if (conf_int) step_band(cv$time, cv$lower, cv$upper, xmax, col[i])
      lines(c(cv$time, xmax), c(cv$surv, cv$surv[length(cv$surv)]), type = "s", col = col[i],
            lty = lty[i], lwd = lwd)
      if (!is.null(cv$marks)) points(cv$marks$x, cv$marks$y, pch = 3, col = col[i], cex = 0.6)
      next
    }
    ok <- is.finite(cv$lower) & is.finite(cv$upper)
    if (conf_int && sum(ok) >= 2L) {
      polygon(c(cv$time[ok], rev(cv$time[ok])), c(cv$upper[ok], rev(cv$lower[ok])),
              col = adjustcolor(col[i], alpha.f = 0.2), border = NA)
    }
    lines(cv$time, cv$surv, type = "o", col = col[i], lty = lty[i], lwd = lwd, pch = pch,
          cex = 0.6)
  }
  if (isTRUE(legend) && k > 1L) {
    graphics::legend(legend_pos, legend = labels, col = col, lty = lty, lwd = lwd, pch = pch,
                     bty = "n")
  }
}

# The curves of `tab` per level of `by` (as an integer), from (0, 1); times divided by
# `xscale`.
curves_of <- function(tab, by, k, time, xscale = 1) {
  lapply(seq_len(k), function(i) {
    t <- tab[as.integer(tab[[by]]) == i, , drop = FALSE]
    list(time = c(0, t[[time]]) / xscale, surv = c(1, t$survival), lower = c(1, t$lower),
         upper = c(1, t$upper))
  })
}

plot.hrr_netsurv <- function(x, conf_int = TRUE, col = NULL, lty = 1, lwd = 1.5,
                             xlab = paste0("Time (", x$time_unit, ")"),
                             ylab = if (x$method %in% c("pohar-perme", "pp")) "Net survival" else
                               "Relative survival",
                             ylim = NULL, legend = x$has_strata, legend_pos = "topright",
                             main = NULL, risk_table = FALSE, risk_times = NULL, xscale = 1,
                             ...) {
  inp <- x$inputs
  counts <- function(t) risk_counts(inp$time, inp$status, NULL, inp$strata, x$strata_levels, t)
  plot_survival(x, conf_int, col, FALSE, risk_table, risk_times, xscale, counts, lty = lty,
                lwd = lwd, xlab = xlab, ylab = ylab, ylim = ylim, legend = legend,
                legend_pos = legend_pos, main = main, ...)
}

# plot() of a Kaplan-Meier or net-survival fit `x`: its step curves (plot_curves(), `...`
# its other arguments) with censoring marks, and the number at risk under the axis
# (`counts(times)`, times in the data's unit; returned as the attribute "risk_table").
plot_survival <- function(x, conf_int, col, censor_marks, risk_table, risk_times, xscale,
                          counts, ...) {
  check_xscale(xscale)
  k <- length(x$strata_levels)
  col <- rep_len(col %||% seq_len(k), k)
  if (isTRUE(risk_table)) {
    op <- risk_table_margin(k)
    on.exit(graphics::par(op))
  }
  curves <- curves_of(as.data.frame(x), "strata", k, "time", xscale)
  if (isTRUE(censor_marks)) {
    for (i in seq_len(k)) {
      m <- which(as.integer(x$strata) == i & x$n_censor > 0)
      curves[[i]]$marks <- list(x = x$time[m] / xscale, y = x$survival[m])
    }
  }
  plot_curves(curves, x$strata_levels, TRUE, (if (length(x$time)) max(x$time) else 1) / xscale,
              conf_int, col, pch = NULL, ...)
  if (!isTRUE(risk_table)) return(invisible(x))
  tab <- counts(risk_table_times(risk_times) * xscale)
  tab$time <- tab$time / xscale
  draw_risk_table(tab, x$strata_levels, col)
  invisible(structure(x, risk_table = tab))
}

# ---- age standardisation ----------------------------------------------------------------

# The International Cancer Survival Standard age group of each age at diagnosis (under 15
# in the first group), a factor in the standard's order.
icss_group <- function(age) {
  if (!is.numeric(age)) {
    stop(sprintf("argument `age` must be numeric (age in years), not %s", class(age)[1L]),
         call. = FALSE)
  }
  g <- hrr_call("icss_group", list(age = as.double(age)))$value
  factor(g$levels[g$codes + 1], levels = g$levels)
}

age_standardized <- function(fit, times, weights = "icss1", ...) UseMethod("age_standardized")

# The standard's weights as the core reads them: "icss1", "icss2", "icss3" (the five age
# groups of icss_group()) or one number per stratum / group.
standard_weights <- function(weights) {
  if (is.character(weights)) return(tolower(weights))
  if (!is.numeric(weights)) {
    stop("argument `weights` must be \"icss1\", \"icss2\", \"icss3\" or a numeric vector",
         call. = FALSE)
  }
  as.double(weights)
}

# Direct age standardisation over the strata (the age groups, in the order of the strata
# levels), by the core: S(t) = sum w_k S_k(t), SE = sqrt(sum w_k^2 se_k^2), limits
# S -/+ z SE.
age_standardized.hrr_netsurv <- function(fit, times, weights = "icss1", ...) {
  hrr_fit_call(netsurv_ptr(fit), "age_standardized",
               list(times = check_times(times), weights = standard_weights(weights)))
}

# ---- comparing net survival, excess-hazard regression, crude probabilities ------------


# Follow-up, status and the persons' rate-table values of `Surv(time, status) ~ rhs`
# (no delayed entry); `fun` names the caller. `args`: the core's arguments.
relsurv_columns <- function(formula, data, ratetable, age, year, sex, fun) {
  env <- environment(formula) %||% parent.frame(2L)
  cols <- model_columns(formula, data, NULL, "fail", env, method = fun)
  if (!is.null(cols$entry)) {
    stop(sprintf("%s(): delayed entry (Surv(start, stop, status)) is not supported", fun),
         call. = FALSE)
  }
  cols$args <- c(list(time = cols$time, status = cols$status),
                 rate_values(ratetable, age, year, sex, data))
  cols
}

# Log-rank-type comparison of net survival between groups, as relsurv::rs.diff.
net_survival_test <- function(formula, data = NULL, ratetable, age = "age", year = "year",
                              sex = "sex", precision = NULL) {
  call <- match.call()
  ratetable <- check_rate_table(ratetable)
  cols <- relsurv_columns(formula, data, ratetable, age, year, sex, "net_survival_test")
  g <- cols$plain
  if (is.null(g)) {
    stop("argument `formula` must name the groups to compare: Surv(time, status) ~ group",
         call. = FALSE)
  }
  v <- hrr_call("net_survival_test", c(cols$args, list(
    group = as_grouping(g), strata = as_grouping(cols$strata),
    precision = precision)))$value
  structure(list(
    statistic = c(Chisq = v$statistic), df = v$df, p_value = v$p_value, p.value = v$p_value,
    score = stats::setNames(v$score, g$levels), variance = v$variance, groups = g$levels,
    n = stats::setNames(v$n, g$levels), n_event = stats::setNames(v$events, g$levels),
    method = v$title,
    data.name = label_of(formula), time_unit = ratetable$time_unit, call = call
  ), class = "hrr_netsurv_test")
}

print.hrr_netsurv_test <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  print_call(x)
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
  ratetable <- check_rate_table(ratetable)
  check_data(data)
  surv <- parse_surv_lhs(formula)
  if (!is.null(surv$entry)) {
    stop("excess_hazard_model(): delayed entry (Surv(start, stop, status)) is not supported",
         call. = FALSE)
  }
  if (!is.numeric(breaks) || length(breaks) < 2L || anyNA(breaks)) {
    stop(paste("argument `breaks` must be numeric follow-up boundaries in years, such as",
               "c(0, 1, 3, 5, 10)"), call. = FALSE)
  }
  pre <- surv_entries(surv, data, environment(formula) %||% parent.frame(), c("time", "status"))
  time <- pre[[1L]]$value

  # Covariates: R's model.matrix() with the intercept (factor contrasts as usual), the
  # intercept column then dropped; the follow-up intervals take its place.
  tt <- rhs_terms(formula, data)   # `.`: the columns not in Surv()
  check_specials(tt, unsupported_specials("excess_hazard_model"))
  attr(tt, "intercept") <- 1L
  mf <- frame_of(tt, data)
  handle_missing(c(pre, frame_entries(mf, function(nm, j) "covariates")), "fail")
  X <- model.matrix(tt, mf)
  X <- X[, attr(X, "assign") != 0L, drop = FALSE]
  v <- hrr_call("excess_hazard_model", c(
    list(time = time, status = pre[[2L]]$value),
    rate_values(ratetable, age, year, sex, data),
    list(covariates = matrix_columns(X), breaks = as.double(breaks), method = method)))$value
  by_term <- function(x) if (length(x)) stats::setNames(x, v$names)
  structure(list(
    coefficients = by_term(v$coef), se = by_term(v$se),
    var = structure(v$var, dimnames = list(v$names, v$names)),
    loglik = v$loglik, iterations = v$iterations, converged = v$converged,
    # glm.poi: the grouped GLM as rsadd reports it (glm's default stopping rule)
    rsadd_coefficients = by_term(v$rsadd_coef), rsadd_se = by_term(v$rsadd_se),
    coef_table = with_row_names(v$coefficients, v$coefficients$term),
    covariates = colnames(X), breaks = as.double(breaks),
    n = length(time), nevent = v$events, method = v$method, title = v$title,
    time_unit = ratetable$time_unit, formula = formula, call = call
  ), class = "hrr_excess")
}

print.hrr_excess <- function(x, digits = max(1L, getOption("digits") - 3L), ...) {
  show_call(x$call, paste0("\nExcess-hazard model (", x$title, ")\n\n"))
  print(signif(coef_matrix_of(x$coef_table, "Pr(>|z|)"), digits), ...)
  cat(sprintf("\nn= %d, number of events= %s; log-likelihood %s\n", x$n, format(x$nevent),
              format(x$loglik, digits = digits + 3L)))
  invisible(x)
}

summary.hrr_excess <- function(object, ...) {
  structure(c(list(coefficients = object$coef_table, method = object$method %||% "glm.poi"),
              object[c("call", "n", "nevent", "loglik", "iterations", "converged", "breaks",
                       "covariates", "title")]),
            class = "summary.hrr_excess")
}

print.summary.hrr_excess <- function(x, digits = max(getOption("digits") - 3L, 3L),
                                     signif.stars = getOption("show.signif.stars"), ...) {
  show_call(x$call, paste0("\n  ", x$title, "\n"))
  cat(sprintf("  n= %d, number of events= %s\n", x$n, format(x$nevent)))
  cat(sprintf("  follow-up intervals (years): %s\n\n", paste(x$breaks, collapse = ", ")))
  stats::printCoefmat(coef_matrix_of(x$coefficients, "Pr(>|z|)"), digits = digits,
                      signif.stars = signif.stars, P.values = TRUE, has.Pvalue = TRUE,
                      na.print = "NA", ...)
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
  cols <- relsurv_columns(formula, data, ratetable, age, year, sex, "crude_probabilities")
  g <- cols$all_rhs
  out <- hrr_call("crude_probabilities", c(cols$args, list(
    group = as_grouping(g), tau = tau, precision = precision)))$value
  if (!is.null(g)) out$group <- g$levels[out$group]
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
  if (!is.numeric(breaks)) {
    stop("argument `breaks` must be numeric interval boundaries in years from 0, such as 0:10",
         call. = FALSE)
  }
  cols <- relsurv_columns(formula, data, ratetable, age, year, sex, "interval_net_survival")
  g <- cols$all_rhs
  levels <- if (is.null(g)) "all" else g$levels
  inputs <- c(cols$args, list(group = as_grouping(g), breaks = as.double(breaks),
                              method = method, pp_weight = pp_weight, conf_type = conf_type,
                              conf_level = conf_level))
  out <- hrr_call("interval_net_survival", inputs)
  v <- out$value
  structure(list(
    table = labelled(v$table, "group", levels), groups = levels, has_groups = !is.null(g),
    n = stats::setNames(v$n, levels), events = stats::setNames(v$events, levels),
    breaks = as.double(breaks),
    method = v$method, pp_weight = v$pp_weight, conf_type = v$conf_type, title = v$title,
    conf_level = conf_level, time_unit = ratetable$time_unit, call = call,
    ptr = out$fit, inputs = inputs
  ), class = "hrr_interval_netsurv")
}

# The popEpi-style column names of the interval tables before hrrstats 0.2 (kept for
# as.data.frame(x, popepi_names = TRUE)).
INTERVAL_POPEPI_NAMES <- c(start = "Tstart", stop = "Tstop", d_exp = "d.exp", d_pp = "d.pp",
                           d_pp2 = "d.pp.2", pyrs_pp = "pyrs.pp", d_exp_pp = "d.exp.pp",
                           surv_obs = "surv.obs", se_obs = "SE.surv.obs", surv_exp = "surv.exp",
                           survival = "surv", std_err = "SE")

popepi_names <- function(t) {
  hit <- names(t) %in% names(INTERVAL_POPEPI_NAMES)
  names(t)[hit] <- INTERVAL_POPEPI_NAMES[names(t)[hit]]
  t
}

# One row per group and interval, the core's columns (`popepi_names = TRUE`: the
# popEpi-style names of earlier versions).
as.data.frame.hrr_interval_netsurv <- function(x, row.names = NULL, optional = FALSE,
                                               popepi_names = FALSE, ...) {
  out <- with_row_names(x$table, row.names)
  if (isTRUE(popepi_names)) popepi_names(out) else out
}

# Cumulative estimates at `times` (years), by the core: those at the end of the last
# interval ending at or before each time (1 before the first interval's end, NA after a
# group's last).
interval_at <- function(x, times) {
  ptr <- ptr_or_refit(x, "interval_net_survival")
  labelled(hrr_fit_call(ptr, "at", list(times = check_times(times, "of years "))), "group",
           x$groups, c("lower", "upper", "survival", "std_err"))
}

summary.hrr_interval_netsurv <- function(object, times = NULL, ...) {
  tab <- if (is.null(times)) {
    as.data.frame(object)[, c("group", "interval", "start", "stop", "n_start", "n_censor",
                              "d", "survival", "std_err", "lower", "upper")]
  } else interval_at(object, times)
  structure(c(list(table = tab, times = !is.null(times), by = "group",
                   header = paste0(object$title, "; times in years; ", object$conf_type,
                                   " limits")),
              object[c("has_groups", "method", "conf_type", "conf_level", "call", "title")]),
            class = "summary.hrr_interval_netsurv")
}

as.data.frame.summary.hrr_interval_netsurv <- as.data.frame.summary.hrr_netsurv

print.summary.hrr_interval_netsurv <- print.summary.hrr_netsurv

print.hrr_interval_netsurv <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  print_call(x)
  cat(x$title, ", life table with ", length(x$breaks) - 1L,
      " intervals to ", format(x$breaks[length(x$breaks)]), " years",
      if (x$method == "pohar-perme") paste0(" (", x$pp_weight, " weights)"), "\n", sep = "")
  tb <- x$table
  last <- last_row(tb$group, length(x$groups))
  seen <- !is.na(last)
  print_final(x, cbind(n = x$n, deaths = ifelse(seen, x$events, 0),
                       years = ifelse(seen, tb$stop[last], 0), survival = tb$survival[last],
                       tb$lower[last], tb$upper[last]),
              x$groups, x$has_groups, digits, ...)
}

plot.hrr_interval_netsurv <- function(x, conf_int = TRUE, col = NULL, lty = 1, lwd = 1.5,
                                      pch = 20, xlab = "Years since diagnosis",
                                      ylab = if (x$method == "pohar-perme") "Net survival" else
                                        "Relative survival",
                                      ylim = NULL, legend = x$has_groups,
                                      legend_pos = "topright", main = NULL, ...) {
  curves <- curves_of(x$table, "group", length(x$groups), "stop")
  xmax <- max(unlist(lapply(curves, `[[`, "time")), 1e-8)
  plot_curves(curves, x$groups, FALSE, xmax, conf_int, col, lty, lwd, pch, xlab, ylab, ylim,
              legend, legend_pos, main, ...)
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
  t <- hrr_fit_call(ptr_or_refit(fit, "interval_net_survival"), "age_standardized",
                    list(weights = standard_weights(weights)))
  labelled(t, "group", fit$groups)
}
