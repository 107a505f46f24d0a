# Age-period-cohort models (apc_fit, as Epi::apc.fit). The core fits; this file resolves
# the columns and npar, and presents the effects (print, plot). Nothing here computes a
# statistic.

# The core's argument names as apc.fit's user writes them.
apc_labels <- list(events = "D", person_time = "Y", age = "A", period = "P", ref_c = "ref.c",
                   ref_p = "ref.p", dr_extr = "dr.extr", knots_age = "npar", knots_period = "npar",
                   knots_cohort = "npar")

# npar as apc.fit takes it: one number, three (named A, P, C or in that order), or a named
# list of three knot vectors.
apc_npar <- function(npar) {
  if (is.null(npar)) return(list())
  pick <- function(x) {
    nm <- names(x)
    if (is.null(nm)) return(x)
    key <- toupper(substr(nm, 1L, 1L))
    if (!all(c("A", "P", "C") %in% key)) {
      stop("argument `npar`: the names must be A, P and C (age, period, cohort)", call. = FALSE)
    }
    x[match(c("A", "P", "C"), key)]
  }
  if (is.list(npar)) {
    if (length(npar) != 3L) {
      stop("argument `npar`: a list must hold three knot vectors (A, P, C)", call. = FALSE)
    }
    k <- pick(npar)
    return(list(knots_age = as.double(k[[1L]]), knots_period = as.double(k[[2L]]),
                knots_cohort = as.double(k[[3L]])))
  }
  if (!is.numeric(npar)) stop("argument `npar` must be numeric or a list of knots", call. = FALSE)
  list(npar = as.double(if (length(npar) == 3L) pick(npar) else npar))
}

apc_fit <- function(data = NULL, A, P, D, Y, ref.c = NULL, ref.p = NULL, model = "ns",
                    dr.extr = "weighted", parm = "ACP", npar = c(A = 5, P = 5, C = 5), scale = 1,
                    alpha = 0.05) {
  call <- match.call()
  pt_check_data(data, "apc_fit(A = , P = , D = , Y = )")
  col <- function(x, name) {
    if (missing(x)) {
      if (is.null(data) || is.null(data[[name]])) {
        stop(sprintf("argument `%s` is missing (give it, or `data` with a column %s)", name, name),
             call. = FALSE)
      }
      x <- name
    }
    pt_double(x, name, data)
  }
  v <- list(events = col(D, "D"), person_time = col(Y, "Y"), age = col(A, "A"),
            period = col(P, "P"))
  if (is.character(dr.extr)) {
    dr <- dr.extr
  } else if (is.numeric(dr.extr)) {
    dr <- as.double(dr.extr)
  } else {
    stop("argument `dr.extr` must be a string, a number or one weight per row", call. = FALSE)
  }
  inputs <- c(v, apc_npar(npar), list(model = model, parm = parm, dr_extr = dr,
                                       ref_c = ref.c, ref_p = ref.p, scale = scale,
                                       alpha = alpha, labels = apc_labels))
  out <- hrr_call("apc_fit", inputs)$value
  # the first row tests nothing: NA, as anova()
  out$anova[] <- lapply(out$anova, function(v) if (is.double(v)) replace(v, is.nan(v), NA_real_) else v)
  structure(list(age = out$age, period = out$period, cohort = out$cohort, drift = out$drift,
                 anova = out$anova, ref_p = out$ref_p, ref_c = out$ref_c, knots = out$knots,
                 model = out$model, parm = out$parm, dr_extr = out$dr_extr, alpha = out$alpha,
                 call = call),
            class = "hrr_apc")
}

print.hrr_apc <- function(x, digits = 4L, ...) {
  cat(sprintf("Age-period-cohort model (%s, parm %s, dr.extr %s): %d ages, %d periods, %d cohorts\n",
              x$model, x$parm, x$dr_extr, nrow(x$age), nrow(x$period), nrow(x$cohort)))
  cat(sprintf("Reference period %s, cohort %s\n", format(x$ref_p), format(x$ref_c)))
  lvl <- format(100 * (1 - x$alpha))
  for (i in seq_len(nrow(x$drift))) {
    cat(sprintf("Drift %s: %s (%s%% CI %s to %s)\n", x$drift$term[i],
                formatC(x$drift$estimate[i], digits = digits, format = "f"), lvl,
                formatC(x$drift$lower[i], digits = digits, format = "f"),
                formatC(x$drift$upper[i], digits = digits, format = "f")))
  }
  cat("Analysis of deviance:\n")
  print(x$anova, row.names = FALSE, digits = 6L)
  invisible(x)
}

summary.hrr_apc <- function(object, ...) object$anova

plot.hrr_apc <- function(x, col = "black", ...) {
  old <- graphics::par(mfrow = c(1L, 3L))
  on.exit(graphics::par(old))
  lab <- c(age = "Rate", period = "Rate ratio", cohort = "Rate ratio")
  for (e in c("age", "period", "cohort")) {
    t <- x[[e]]
    graphics::matplot(t$value, cbind(t$estimate, t$lower, t$upper), type = "l", lty = c(1, 2, 2),
                      lwd = c(2, 1, 1), col = col, log = "y", xlab = e, ylab = lab[[e]], ...)
  }
  invisible(x)
}

as.data.frame.hrr_apc <- function(x, row.names = NULL, optional = FALSE, ...) {
  do.call(rbind, lapply(c("age", "period", "cohort"), function(e) cbind(effect = e, x[[e]])))
}
