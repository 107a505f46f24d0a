# Log-rank and Fleming-Harrington G-rho tests
#
# Compares survival curves between groups, as `survival::survdiff()`, with the
# computation in Rust.
#
# @param formula `Surv(time, status) ~ group`, optionally `+ strata(s)` for a
#   stratified test; several plain terms are crossed into one grouping.
#   `Surv(start, stop, status)` gives risk sets with delayed entry.
# @param data a data frame holding the variables.
# @param rho 0 for the log-rank test, 1 for the Peto-Peto modification of the
#   Gehan-Wilcoxon test; weights are `S(t-)^rho`.
# @param na_action "fail" (default) or "drop".
# @return an object of class `hrr_logrank` with `statistic`, `df`, `p_value`,
#   `observed`, `expected`, `variance`, `n`.
logrank_test <- function(formula, data = NULL, rho = 0, na_action = c("fail", "drop")) {
  na_action <- check_na_action(na_action)
  env <- environment(formula) %||% parent.frame()
  cols <- model_columns(formula, data, NULL, na_action, env, method = "logrank_test")
  if (is.null(cols$plain)) {
    stop("argument `formula` needs a grouping variable: Surv(time, status) ~ group",
         call. = FALSE)
  }
  g <- cols$plain
  st <- cols$strata
  v <- hrr_call("logrank_test",
                list(time = cols$time, status = cols$status, entry = cols$entry,
                     group = as_grouping(g), strata = as_grouping(st), rho = rho),
                rows = cols$keep,
                hint = if (!is.null(st)) strata_hint(st$levels))$value
  groups <- g$levels
  # the core names the matrices' rows and columns by the groups and strata
  for (k in c("observed", "expected", "n")) v[[k]] <- stats::setNames(v$table[[k]], groups)
  structure(c(v[c("statistic", "df", "p_value", "observed", "expected", "variance", "n",
                  "table", "observed_by_stratum", "expected_by_stratum", "rho")],
              list(groups = groups, strata_levels = if (is.null(st)) NULL else st$levels,
                   n_dropped = cols$n_dropped, call = match.call())),
            class = "hrr_logrank")
}

print.hrr_logrank <- function(x, digits = max(1L, getOption("digits") - 4L), ...) {
  show_call(x$call)
  dropped_note(x$n_dropped, sprintf("n=%d, ", sum(x$n)),
               "%s%d observation%s deleted due to missingness.\n\n")
  tab <- cbind(N = x$n, Observed = x$observed, Expected = x$expected,
               `(O-E)^2/E` = x$table[["(O-E)^2/E"]], `(O-E)^2/V` = x$table[["(O-E)^2/V"]])
  rownames(tab) <- x$groups
  print(tab, digits = digits, ...)
  cat("\n Chisq=", format(round(x$statistic, 1)), " on", x$df,
      "degrees of freedom, p=", format.pval(x$p_value, digits = digits), "\n")
  if (x$rho != 0) cat(" (G-rho test, rho =", x$rho, ")\n")
  invisible(x)
}
