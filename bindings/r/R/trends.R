# Life tables and funnel plots. The core computes (through hrr_call()); this file resolves
# columns, formulas and by-variables and arranges the results.

# ---- life tables ---------------------------------------------------------------------------

life_table <- function(data = NULL, deaths, population, age, by = NULL, ax = NULL,
                       a0 = "coale_demeny", sex = "both", conf_level = 0.95, radix = 1e5,
                       method = "chiang2") {
  call <- match.call()
  a <- deaths_age_args(data, deaths, age, by, "life_table(deaths = , population = , age = )", parent.frame())
  data <- a$data; deaths <- a$deaths; age <- a$age; by <- a$by
  v <- pt_numbers(data, list(deaths = deaths, population = population, age = age))
  if (!is.null(ax)) ax <- pt_double(ax, "ax", data)
  by <- pt_by_args(pt_by(by, data))
  inputs <- c(v, list(ax = ax, by = by$args, a0 = a0, sex = sex, conf_level = conf_level,
                      radix = radix, method = method))
  out <- hrr_call("life_table", inputs)
  structure(list(table = pt_show_levels(out$value$table, by$values), by = names(by$values),
                 values = by$values, conf_level = out$value$conf_level,
                 radix = out$value$radix, call = call, ptr = out$fit, inputs = inputs),
            class = "hrr_lifetable")
}

as.data.frame.hrr_lifetable <- function(x, row.names = NULL, optional = FALSE, ...) {
  with_row_names(x$table, row.names)
}

print.hrr_lifetable <- function(x, digits = 2L, ...) {
  tab <- x$table
  first <- if (length(x$by)) !duplicated(tab[x$by]) else seq_len(nrow(tab)) == 1L
  cat(sprintf("Life table (Chiang), %d age groups; life expectancy at age %s:\n", nrow(tab),
              format(tab$age[1L])))
  for (i in which(first)) {
    cat(sprintf("  %s: %s (%s%% CI %s to %s)\n", by_label(tab, x$by, i),
                formatC(tab$ex[i], digits = digits, format = "f"),
                format(100 * x$conf_level), formatC(tab$lower[i], digits = digits, format = "f"),
                formatC(tab$upper[i], digits = digits, format = "f")))
  }
  invisible(x)
}

plot.hrr_lifetable <- function(x, col = NULL, xlab = "Age", ylab = "Life expectancy",
                               legend_pos = "topright", main = NULL, ...) {
  tab <- x$table
  key <- by_key(tab, x$by)
  k <- nlevels(key)
  col <- rep_len(col %||% seq_len(k), k)
  plot(NA, xlim = range(tab$age), ylim = range(c(tab$lower, tab$upper)), xlab = xlab,
       ylab = ylab, main = main, ...)
  for (i in seq_len(k)) {
    r <- which(as.integer(key) == i)
    polygon(c(tab$age[r], rev(tab$age[r])), c(tab$lower[r], rev(tab$upper[r])),
            col = adjustcolor(col[i], alpha.f = 0.15), border = NA)
    lines(tab$age[r], tab$ex[r], col = col[i], type = "o", pch = 20, cex = 0.6)
  }
  if (k > 1L) graphics::legend(legend_pos, legend = levels(key), col = col, lty = 1, bty = "n")
  invisible(x)
}

temporary_life_expectancy <- function(x, from_age, to_age) {
  if (!inherits(x, "hrr_lifetable")) stop("argument `x` must be a life_table() result", call. = FALSE)
  r <- hrr_fit_call(ptr_or_refit(x, "life_table"), "temporary",
                    list(from = as.double(from_age), to = as.double(to_age)))
  pt_show_levels(r, x$values)
}

arriaga <- function(x, group1, group2) {
  if (!inherits(x, "hrr_lifetable")) stop("argument `x` must be a life_table() result", call. = FALSE)
  label <- function(g) paste(as.character(g), collapse = ", ")
  r <- hrr_fit_call(ptr_or_refit(x, "life_table"), "arriaga",
                    list(group1 = label(group1), group2 = label(group2)))
  structure(r$table, e1 = r$e1, e2 = r$e2, difference = r$difference, group1 = r$group1,
            group2 = r$group2)
}

# ---- standard expected years of life lost ------------------------------------------------

years_of_life_lost <- function(data = NULL, deaths, age, standard = NULL, standard_age = NULL,
                               standard_ex = NULL, by = NULL, discount = 0,
                               age_weighting = FALSE) {
  call <- match.call()
  a <- deaths_age_args(data, deaths, age, by, "years_of_life_lost(deaths = , age = )", parent.frame())
  data <- a$data; deaths <- a$deaths; age <- a$age; by <- a$by
  if (!is.null(standard)) {
    tab <- if (inherits(standard, "hrr_lifetable")) standard$table else as.data.frame(standard)
    standard_age <- tab$age
    standard_ex <- tab$ex
  }
  v <- pt_numbers(data, list(deaths = deaths, age = age))
  if (!is.null(standard_age)) standard_age <- pt_double(standard_age, "standard_age", NULL)
  if (!is.null(standard_ex)) standard_ex <- pt_double(standard_ex, "standard_ex", NULL)
  by <- pt_by_args(pt_by(by, data))
  inputs <- c(v, list(standard_age = standard_age, standard_ex = standard_ex, by = by$args,
                      discount = discount, age_weighting = age_weighting))
  out <- hrr_call("years_of_life_lost", inputs)$value
  structure(list(table = pt_show_levels(out$table, by$values),
                 total = pt_show_levels(out$total, by$values), by = names(by$values),
                 discount = out$discount, age_weighting = out$age_weighting, call = call),
            class = "hrr_yll")
}

as.data.frame.hrr_yll <- function(x, row.names = NULL, optional = FALSE, ...) {
  with_row_names(x$table, row.names)
}

print.hrr_yll <- function(x, ...) {
  how <- c(if (x$discount > 0) sprintf("discounted at %s", format(x$discount)),
           if (isTRUE(x$age_weighting)) "age-weighted")
  cat(sprintf("Standard expected years of life lost%s:\n",
              if (length(how)) paste0(" (", paste(how, collapse = ", "), ")") else ""))
  tot <- x$total
  for (i in seq_len(nrow(tot))) {
    cat(sprintf("  %s: %s years lost, %s deaths\n", by_label(tot, x$by, i),
                format(signif(tot$years_lost[i], 6)),
                format(signif(tot$deaths[i], 6))))
  }
  invisible(x)
}

plot.hrr_yll <- function(x, col = NULL, xlab = "Age at death", ylab = "Years of life lost",
                         legend_pos = "topright", main = NULL, ...) {
  tab <- x$table
  key <- by_key(tab, x$by)
  k <- nlevels(key)
  col <- rep_len(col %||% seq_len(k), k)
  plot(NA, xlim = range(tab$age), ylim = c(0, max(tab$years_lost)), xlab = xlab, ylab = ylab,
       main = main, ...)
  for (i in seq_len(k)) {
    r <- which(as.integer(key) == i)
    lines(tab$age[r], tab$years_lost[r], col = col[i], type = "o", pch = 20, cex = 0.6)
  }
  if (k > 1L) graphics::legend(legend_pos, legend = levels(key), col = col, lty = 1, bty = "n")
  invisible(x)
}

# ---- funnel plots ---------------------------------------------------------------------------

funnel <- function(data = NULL, observed, denominator, kind = "proportion",
                   limits = c(0.95, 0.998), overdispersion = NULL, unit = NULL, target = NULL,
                   winsorize = 0.1, conf_level = 0.95) {
  pt_check_data(data, "funnel(observed = , denominator = )")
  v <- pt_numbers(data, list(observed = observed, denominator = denominator))
  n <- length(v$observed)
  units <- if (is.null(unit)) seq_len(n) else pt_column(unit, "unit", data)
  if (length(units) != n) {
    stop(sprintf("argument `unit` has length %d but `observed` has length %d", length(units), n), call. = FALSE)
  }
  r <- hrr_call("funnel", c(v, list(kind = kind, limits = as.double(limits),
                                    overdispersion = overdispersion, target = target,
                                    winsorize = winsorize, conf_level = conf_level)))$value
  structure(list(table = pt_frame(c(list(unit = units), as.list(r$table))), curve = r$curve,
                 kind = r$kind, overdispersion = r$overdispersion, limits = r$limits,
                 target = r$target, phi = r$phi, tau2 = r$tau2, adjusted = r$adjusted,
                 call = match.call()),
            class = "hrr_funnel")
}

as.data.frame.hrr_funnel <- function(x, row.names = NULL, optional = FALSE, ...) {
  with_row_names(x$table, row.names)
}

print.hrr_funnel <- function(x, ...) {
  od <- if (x$overdispersion == "none") "" else
    sprintf(", %s overdispersion (phi = %s, tau2 = %s%s)", x$overdispersion,
            format(signif(x$phi, 3)), format(signif(x$tau2, 3)),
            if (x$adjusted) "" else ", none found")
  cat(sprintf("Funnel plot (%s), %d units, target %s%s; %d flagged\n", x$kind, nrow(x$table),
              format(signif(x$target, 4)), od, sum(x$table$flag != "")))
  flagged <- x$table[x$table$flag != "", c("unit", "observed", "denominator", "indicator", "flag")]
  if (nrow(flagged)) print(flagged, row.names = FALSE)
  invisible(x)
}

plot.hrr_funnel <- function(x, labels = c("flagged", "all", "none"), xlab = NULL, ylab = NULL,
                            main = NULL, ...) {
  labels <- match.arg(labels)
  t <- x$table
  cv <- x$curve
  lab <- trimws(vapply(x$limits, function(l) format(100 * l), ""))
  cols <- unlist(lapply(lab, function(l) cv[c(paste0("lower_", l), paste0("upper_", l))]))
  xlab <- xlab %||% switch(x$kind, ratio = "Expected", rate = "Person-time", "Denominator")
  ylab <- ylab %||% switch(x$kind, ratio = "Observed / expected", rate = "Rate", "Proportion")
  plot(t$denominator, t$indicator, xlim = range(c(cv$denominator, t$denominator)),
       ylim = range(c(unlist(cols), t$indicator)), xlab = xlab, ylab = ylab, main = main,
       type = "n", ...)
  for (k in seq_along(lab)) {
    lines(cv$denominator, cv[[paste0("lower_", lab[k])]], lty = k + 1L, col = "grey40")
    lines(cv$denominator, cv[[paste0("upper_", lab[k])]], lty = k + 1L, col = "grey40")
  }
  graphics::abline(h = x$target)
  flagged <- t$flag != ""
  graphics::points(t$denominator, t$indicator, pch = 19, cex = 0.7,
                   col = ifelse(flagged, "red", "steelblue"))
  show <- switch(labels, flagged = flagged, all = rep(TRUE, nrow(t)), none = rep(FALSE, nrow(t)))
  if (any(show)) {
    graphics::text(t$denominator[show], t$indicator[show], labels = as.character(t$unit[show]),
                   pos = 4, cex = 0.7)
  }
  graphics::legend("topright", legend = paste0(lab, "% limits"), lty = seq_along(lab) + 1L,
                   col = "grey40", bty = "n", cex = 0.8)
  invisible(x)
}

# "a=1, b=2": the by-values of row `i` of `tab` ("all" without by-variables).
by_label <- function(tab, by, i) {
  if (!length(by)) return("all")
  paste(sprintf("%s=%s", by, vapply(by, function(b) as.character(tab[[b]][i]), "")),
        collapse = ", ")
}

# The rows' groups by the by-variables `by` of `tab` (one group "all" without), a factor.
by_key <- function(tab, by) {
  if (!length(by)) return(factor(rep("all", nrow(tab))))
  interaction(tab[by], sep = ", ", drop = TRUE, lex.order = TRUE)
}

# The arguments of life_table and years_of_life_lost given either directly or as a
# formula `deaths ~ age (+ by-variables)` in `data` or `deaths` (`data` then the next
# argument); `frame` is the caller's caller, where a formula without an environment is
# evaluated.
deaths_age_args <- function(data, deaths, age, by, usage, frame) {
  formula <- NULL
  if (inherits(data, "formula")) {
    formula <- data
    data <- if (missing(deaths)) NULL else deaths
  } else if (!missing(deaths) && inherits(deaths, "formula")) {
    formula <- deaths
  }
  pt_check_data(data, usage)
  if (is.null(formula)) {
    return(list(data = data, deaths = if (!missing(deaths)) deaths,
                age = if (!missing(age)) age, by = by))
  }
  if (length(formula) != 3L) {
    stop("argument `formula` must be two-sided: deaths ~ age (+ by-variables)", call. = FALSE)
  }
  env <- environment(formula) %||% frame
  vars <- as.list(attr(terms(formula[-2L]), "variables"))[-1L]
  if (!length(vars)) stop("argument `formula`: give the age on the right: deaths ~ age", call. = FALSE)
  deaths <- eval_in(formula[[2L]], data, env)
  age <- eval_in(vars[[1L]], data, env)
  if (length(vars) > 1L) {
    if (!is.null(by)) {
      stop("argument `by`: give the groups either in the formula or as `by`, not both",
           call. = FALSE)
    }
    by <- stats::setNames(lapply(vars[-1L], function(e) eval_in(e, data, env)),
                          vapply(vars[-1L], label_of, ""))
  }
  list(data = data, deaths = deaths, age = age, by = by)
}
