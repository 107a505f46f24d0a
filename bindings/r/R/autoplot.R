# ggplot2 autoplot() methods for the main curves of hrrstats (#19).
#
# ggplot2 is a Suggests dependency: the methods are registered lazily in NAMESPACE
# (S3method(ggplot2::autoplot, cls)), so they exist as soon as ggplot2 is loaded and the
# package works without it. Nothing is computed here: each method puts the fit's own
# table (the core's numbers) into a ggplot and returns it, for the user to add layers,
# scales and themes.

# ggplot2's aes() from column names (no non-standard evaluation in the package code).
gg_aes <- function(...) {
  cols <- list(...)
  do.call(ggplot2::aes, lapply(cols, as.name))
}

# Right-continuous step ribbons through (time, lower, upper) per curve: the corner points
# of each step, for geom_ribbon (ggplot2 has no step ribbon).
step_ribbon <- function(d, by) {
  parts <- lapply(split(d, d[[by]], drop = TRUE), function(g) {
    n <- nrow(g)
    if (n < 2L) return(NULL)
    i <- c(1L, rep(seq_len(n)[-1L], each = 2L))
    j <- c(rep(seq_len(n - 1L), each = 2L), n)
    data.frame(g[j, by, drop = FALSE], time = g$time[i], lower = g$lower[j],
               upper = g$upper[j])
  })
  do.call(rbind, parts)
}

# Survival-type step curves (Kaplan-Meier, net survival) from time 0 with step bands and
# censoring marks. `tab`: strata, time, survival, lower, upper (and n_censor).
autoplot_steps <- function(tab, levels, conf_int, censor_marks, xscale, xlab, ylab) {
  k <- length(levels)
  start <- data.frame(strata = factor(levels, levels = levels), time = 0, survival = 1,
                      lower = 1, upper = 1)
  cur <- rbind(start, tab[c("strata", "time", "survival", "lower", "upper")])
  cur <- cur[order(as.integer(cur$strata), cur$time), , drop = FALSE]
  cur$time <- cur$time / xscale
  p <- ggplot2::ggplot(cur, gg_aes(x = "time", y = "survival", colour = "strata"))
  if (isTRUE(conf_int)) {
    rib <- step_ribbon(cur[is.finite(cur$lower) & is.finite(cur$upper), , drop = FALSE],
                       "strata")
    if (!is.null(rib)) {
      p <- p + ggplot2::geom_ribbon(data = rib, gg_aes(x = "time", ymin = "lower",
                                                        ymax = "upper", fill = "strata"),
                                    inherit.aes = FALSE, alpha = 0.2)
    }
  }
  p <- p + ggplot2::geom_step()
  if (isTRUE(censor_marks) && !is.null(tab$n_censor)) {
    m <- tab[tab$n_censor > 0, , drop = FALSE]
    m$time <- m$time / xscale
    p <- p + ggplot2::geom_point(data = m, shape = 3, size = 1.5)
  }
  p <- p + ggplot2::labs(x = xlab, y = ylab, colour = NULL, fill = NULL) +
    ggplot2::coord_cartesian(ylim = c(0, 1))
  if (k < 2L) p <- p + ggplot2::theme(legend.position = "none")
  p
}

check_gg <- function() {
  if (!requireNamespace("ggplot2", quietly = TRUE)) {
    stop("autoplot() needs the ggplot2 package", call. = FALSE)
  }
}

# ---- survival curves -------------------------------------------------------------------------

autoplot.hrr_km <- function(object, conf_int = TRUE, censor_marks = TRUE, xscale = 1,
                            xlab = "Time", ylab = "Survival probability", ...) {
  check_gg()
  check_xscale(xscale)
  autoplot_steps(as.data.frame(object), object$strata_levels, conf_int, censor_marks,
                 xscale, xlab, ylab)
}

autoplot.hrr_netsurv <- function(object, conf_int = TRUE, censor_marks = FALSE, xscale = 1,
                                 xlab = paste0("Time (", object$time_unit, ")"),
                                 ylab = if (object$method %in% c("pohar-perme", "pp"))
                                   "Net survival" else "Relative survival", ...) {
  check_gg()
  check_xscale(xscale)
  autoplot_steps(as.data.frame(object), object$strata_levels, conf_int, censor_marks,
                 xscale, xlab, ylab)
}

autoplot.hrr_interval_netsurv <- function(object, conf_int = TRUE,
                                          xlab = "Years since diagnosis",
                                          ylab = if (object$method == "pohar-perme")
                                            "Net survival" else "Relative survival", ...) {
  check_gg()
  t <- as.data.frame(object)
  groups <- object$groups
  start <- data.frame(group = factor(groups, levels = groups), stop = 0, survival = 1,
                      lower = 1, upper = 1)
  cur <- rbind(start, data.frame(group = factor(as.character(t$group), levels = groups),
                                 stop = t$stop, survival = t$survival, lower = t$lower,
                                 upper = t$upper))
  cur <- cur[order(as.integer(cur$group), cur$stop), , drop = FALSE]
  p <- ggplot2::ggplot(cur, gg_aes(x = "stop", y = "survival", colour = "group"))
  if (isTRUE(conf_int)) {
    p <- p + ggplot2::geom_ribbon(gg_aes(ymin = "lower", ymax = "upper", fill = "group"),
                                  colour = NA, alpha = 0.2)
  }
  p <- p + ggplot2::geom_line() + ggplot2::geom_point(size = 1) +
    ggplot2::labs(x = xlab, y = ylab, colour = NULL, fill = NULL)
  if (length(groups) < 2L) p <- p + ggplot2::theme(legend.position = "none")
  p
}

autoplot.hrr_cuminc <- function(object, conf_int = FALSE, xscale = 1, xlab = "Time",
                                ylab = "Cumulative incidence", ...) {
  check_gg()
  check_xscale(xscale)
  tab <- object$table
  key <- interaction(tab$group, tab$cause, drop = TRUE, lex.order = TRUE)
  start <- unique(data.frame(group = tab$group, cause = tab$cause, key = key))
  start <- data.frame(start, time = 0, estimate = 0, lower = 0, upper = 0)
  cur <- rbind(start, data.frame(group = tab$group, cause = tab$cause, key = key,
                                 time = tab$time, estimate = tab$estimate,
                                 lower = tab$lower, upper = tab$upper))
  cur <- cur[order(as.integer(cur$key), cur$time), , drop = FALSE]
  cur$time <- cur$time / xscale
  aes <- if (object$has_group) {
    gg_aes(x = "time", y = "estimate", colour = "cause", linetype = "group", group = "key")
  } else {
    gg_aes(x = "time", y = "estimate", colour = "cause", group = "key")
  }
  p <- ggplot2::ggplot(cur, aes)
  if (isTRUE(conf_int) && object$conf_type != "none") {
    ok <- is.finite(cur$lower) & is.finite(cur$upper)
    rib <- step_ribbon(cur[ok, , drop = FALSE], "key")
    if (!is.null(rib)) {
      rib$cause <- cur$cause[match(rib$key, cur$key)]
      p <- p + ggplot2::geom_ribbon(data = rib, gg_aes(x = "time", ymin = "lower",
                                                        ymax = "upper", fill = "cause",
                                                        group = "key"),
                                    inherit.aes = FALSE, alpha = 0.2)
    }
  }
  p + ggplot2::geom_step() + ggplot2::labs(x = xlab, y = ylab, fill = "cause")
}

# ---- model predictions, trends, quality indicators --------------------------------------------

autoplot.hrr_flexsurv <- function(object, newdata = NULL, type = "survival", times = NULL,
                                  reference = NULL, conf_int = TRUE, xlab = "Time",
                                  ylab = NULL, ...) {
  check_gg()
  if (is.null(times)) {
    times <- seq(object$knots[1L], object$knots[length(object$knots)], length.out = 100)
  }
  p <- predict(object, newdata, type = type, times = times, reference = reference)
  p$row <- factor(p$row)
  ylab <- ylab %||% switch(type, hr = "Hazard ratio", survival = "Survival",
                           hazard = "Hazard", cumhaz = "Cumulative hazard", rmst = "RMST",
                           type)
  g <- ggplot2::ggplot(p, gg_aes(x = "time", y = "estimate", colour = "row"))
  if (isTRUE(conf_int) && !is.null(p$lower)) {
    g <- g + ggplot2::geom_ribbon(gg_aes(ymin = "lower", ymax = "upper", fill = "row"),
                                  colour = NA, alpha = 0.2)
  }
  g <- g + ggplot2::geom_line() + ggplot2::labs(x = xlab, y = ylab, colour = "row",
                                                fill = "row")
  if (nlevels(p$row) < 2L) g <- g + ggplot2::theme(legend.position = "none")
  g
}

autoplot.hrr_apc <- function(object, ...) {
  check_gg()
  d <- as.data.frame(object)
  d$effect <- factor(d$effect, levels = c("age", "period", "cohort"),
                     labels = c("Age (rate)", "Period (rate ratio)", "Cohort (rate ratio)"))
  ggplot2::ggplot(d, gg_aes(x = "value", y = "estimate")) +
    ggplot2::geom_ribbon(gg_aes(ymin = "lower", ymax = "upper"), alpha = 0.2) +
    ggplot2::geom_line() +
    ggplot2::scale_y_log10() +
    ggplot2::facet_wrap(~effect, scales = "free") +
    ggplot2::labs(x = NULL, y = NULL)
}

autoplot.hrr_joinpoint <- function(object, xlab = "x", ylab = "y", log = object$log_linear,
                                   ...) {
  check_gg()
  f <- object$fitted
  f$by <- if (length(object$by)) {
    interaction(f[object$by], sep = ", ", drop = TRUE, lex.order = TRUE)
  } else {
    factor(rep("all", nrow(f)))
  }
  p <- ggplot2::ggplot(f, gg_aes(x = "x", colour = "by")) +
    ggplot2::geom_point(gg_aes(y = "y")) + ggplot2::geom_line(gg_aes(y = "fitted")) +
    ggplot2::labs(x = xlab, y = ylab, colour = NULL)
  if (isTRUE(log)) p <- p + ggplot2::scale_y_log10()
  if (nlevels(f$by) < 2L) p <- p + ggplot2::theme(legend.position = "none")
  p
}

autoplot.hrr_funnel <- function(object, labels = c("flagged", "all", "none"), xlab = NULL,
                                ylab = NULL, ...) {
  check_gg()
  labels <- match.arg(labels)
  t <- object$table
  cv <- object$curve
  lab <- trimws(vapply(object$limits, function(l) format(100 * l), ""))
  lim <- do.call(rbind, lapply(lab, function(l) {
    rbind(data.frame(denominator = cv$denominator, value = cv[[paste0("lower_", l)]],
                     limit = paste0(l, "%"), side = "lower"),
          data.frame(denominator = cv$denominator, value = cv[[paste0("upper_", l)]],
                     limit = paste0(l, "%"), side = "upper"))
  }))
  lim$limit <- factor(lim$limit, levels = paste0(lab, "%"))
  lim$curve <- interaction(lim$limit, lim$side)
  t$flagged <- t$flag != ""
  xlab <- xlab %||% switch(object$kind, ratio = "Expected", rate = "Person-time",
                           "Denominator")
  ylab <- ylab %||% switch(object$kind, ratio = "Observed / expected", rate = "Rate",
                           "Proportion")
  p <- ggplot2::ggplot(t, gg_aes(x = "denominator", y = "indicator")) +
    ggplot2::geom_line(data = lim, gg_aes(x = "denominator", y = "value",
                                          linetype = "limit", group = "curve"),
                       colour = "grey40") +
    ggplot2::geom_hline(yintercept = object$target) +
    ggplot2::geom_point(gg_aes(colour = "flagged"), size = 1.5) +
    ggplot2::scale_colour_manual(values = c(`FALSE` = "steelblue", `TRUE` = "red"),
                                 guide = "none") +
    ggplot2::labs(x = xlab, y = ylab, linetype = "limits")
  show <- switch(labels, flagged = t$flagged, all = rep(TRUE, nrow(t)),
                 none = rep(FALSE, nrow(t)))
  if (any(show)) {
    t$label <- as.character(t$unit)
    p <- p + ggplot2::geom_text(data = t[show, , drop = FALSE], gg_aes(label = "label"),
                                hjust = -0.2, size = 3)
  }
  p
}
