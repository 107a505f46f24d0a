# Joinpoint regression (NCI's Joinpoint program). The core computes (through hrr_call());
# this file resolves the formula, columns and by-variables and arranges the results.

joinpoint <- function(x, y = NULL, data = NULL, se = NULL, log_linear = TRUE, max_joinpoints = 3,
                      selection = "bic", n_permutations = 4499, alpha = 0.05, min_obs_end = NULL,
                      min_obs_between = NULL, seed = NULL, variance = NULL, conf_level = 0.95,
                      by = NULL) {
  call <- match.call()
  if (inherits(x, "formula")) {
    # y ~ x (+ by-variables); joinpoint(rate ~ year, data)
    if (is.null(data) && is.list(y)) { data <- y; y <- NULL }
    formula <- x
    if (length(formula) != 3L) {
      stop("argument `formula` must be two-sided: y ~ x (+ by-variables)", call. = FALSE)
    }
    env <- environment(formula) %||% parent.frame()
    vars <- as.list(attr(terms(formula[-2L]), "variables"))[-1L]
    if (!length(vars)) stop("argument `formula`: give x on the right: y ~ x", call. = FALSE)
    y <- eval_in(formula[[2L]], data, env)
    x <- eval_in(vars[[1L]], data, env)
    if (length(vars) > 1L) {
      if (!is.null(by)) {
        stop("argument `by`: give the groups either in the formula or as `by`, not both", call. = FALSE)
      }
      by <- stats::setNames(lapply(vars[-1L], function(e) eval_in(e, data, env)),
                            vapply(vars[-1L], label_of, ""))
    }
    if (inherits(se, "formula")) se <- eval_in(se[[length(se)]], data, env)
  }
  pt_check_data(data, "joinpoint(x = , y = )")
  v <- pt_numbers(data, list(x = x, y = y))
  if (!is.null(se)) se <- pt_double(se, "se", data)
  by <- pt_by_args(pt_by(by, data))
  inputs <- c(v, list(se = se, log_linear = log_linear, max_joinpoints = max_joinpoints,
                      selection = selection, n_permutations = n_permutations, alpha = alpha,
                      min_obs_end = min_obs_end, min_obs_between = min_obs_between, seed = seed,
                      variance = variance, conf_level = conf_level, by = by$args))
  out <- hrr_call("joinpoint", inputs)
  r <- out$value
  show <- function(t) pt_show_levels(t, by$values)
  fitted <- show(r$fitted)
  structure(list(joinpoints = if (length(by$values)) show(r$joinpoints) else r$joinpoints$joinpoint,
                 segments = show(r$segments), fitted = fitted, models = show(r$models),
                 tests = show(r$tests), log_linear = r$log_linear, selection = r$selection,
                 conf_level = r$conf_level, by = names(by$values), values = by$values,
                 call = call, ptr = out$fit, inputs = inputs),
            class = "hrr_joinpoint")
}

aapc <- function(x, start, end) {
  if (!inherits(x, "hrr_joinpoint")) stop("argument `x` must be a joinpoint() result", call. = FALSE)
  r <- hrr_fit_call(ptr_or_refit(x, "joinpoint"), "aapc", list(start = as.double(start), end = as.double(end)))
  pt_show_levels(r, x$values)
}

coef.hrr_joinpoint <- function(object, ...) {
  s <- object$segments
  stats::setNames(s$apc, sprintf("%s-%s", format(s$start), format(s$end)))
}

as.data.frame.hrr_joinpoint <- function(x, row.names = NULL, optional = FALSE, ...) {
  with_row_names(x$segments, row.names)
}

summary.hrr_joinpoint <- function(object, ...) object$models

predict.hrr_joinpoint <- function(object, ...) {
  f <- object$fitted
  out <- numeric(nrow(f))
  out[f$row] <- f$fitted
  out
}

print.hrr_joinpoint <- function(x, digits = 3L, ...) {
  cat(sprintf("Joinpoint regression (%s, selection by %s)\n",
              if (x$log_linear) "log-linear" else "linear", x$selection))
  s <- x$segments
  key <- if (length(x$by)) interaction(s[x$by], sep = ", ", drop = TRUE, lex.order = TRUE) else
    factor(rep("", nrow(s)))
  what <- if (x$log_linear) "APC" else "slope"
  for (g in levels(key)) {
    if (nzchar(g)) cat(g, "\n", sep = "")
    r <- s[as.character(key) == g, ]
    for (i in seq_len(nrow(r))) {
      cat(sprintf("  %s-%s: %s %s (%s%% CI %s to %s)\n", format(r$start[i]), format(r$end[i]), what,
                  format(signif(r$apc[i], digits)), format(100 * x$conf_level),
                  format(signif(r$lower[i], digits)), format(signif(r$upper[i], digits))))
    }
  }
  invisible(x)
}

plot.hrr_joinpoint <- function(x, col = NULL, xlab = "x", ylab = "y", log = if (x$log_linear) "y" else "",
                               legend_pos = "topright", main = NULL, ...) {
  f <- x$fitted
  key <- if (length(x$by)) interaction(f[x$by], sep = ", ", drop = TRUE, lex.order = TRUE) else
    factor(rep("all", nrow(f)))
  k <- nlevels(key)
  col <- rep_len(col %||% seq_len(k), k)
  plot(NA, xlim = range(f$x), ylim = range(c(f$y, f$fitted)), xlab = xlab, ylab = ylab, log = log,
       main = main, ...)
  for (i in seq_len(k)) {
    r <- which(as.integer(key) == i)
    graphics::points(f$x[r], f$y[r], col = col[i], pch = 20)
    lines(f$x[r], f$fitted[r], col = col[i])
  }
  if (k > 1L) graphics::legend(legend_pos, legend = levels(key), col = col, lty = 1, bty = "n")
  invisible(x)
}
