# Progress bars for long computations. The Rust core reports the fraction of its work
# done from the outer loops of its long methods (large Lexis splits and person-time
# tables, joinpoint permutation tests, protect_table's audit, ...) through one hook
# that the binding installs for every call (hrrstats_core::progress); nothing here
# knows any method. Reports arrive at most five times a second.

hrr_progress_env <- new.env(parent = emptyenv())
hrr_progress_env$mode <- "auto"
hrr_progress_env$delay <- 1

# The function the binding calls with each fraction (NA: a call that reported failed);
# returns TRUE for more reports of this call.
hrr_progress_report <- function(fraction) {
  e <- hrr_progress_env
  if (is.na(fraction)) {
    hrr_progress_close()
    return(FALSE)
  }
  mode <- e$mode
  if (isFALSE(mode) || isTRUE(getOption("hrrstats.quiet"))) {
    hrr_progress_close()
    return(FALSE)
  }
  if (is.function(mode)) {
    mode(fraction)
    return(TRUE)
  }
  if (identical(mode, "auto") && !interactive()) {
    hrr_progress_close()
    return(FALSE)
  }
  now <- proc.time()[["elapsed"]]
  if (is.null(e$start)) e$start <- now
  if (is.null(e$bar) && fraction < 1 && now - e$start >= e$delay) {
    e$bar <- utils::txtProgressBar(min = 0, max = 1, style = 3, file = stderr())
  }
  if (!is.null(e$bar)) utils::setTxtProgressBar(e$bar, fraction)
  if (fraction >= 1) hrr_progress_close()
  TRUE
}

hrr_progress_close <- function() {
  e <- hrr_progress_env
  if (!is.null(e$bar)) close(e$bar)
  e$bar <- NULL
  e$start <- NULL
}

# Choose how long computations show their progress (see man/set_progress.Rd).
set_progress <- function(show = "auto") {
  ok <- is.function(show) || (is.logical(show) && length(show) == 1L && !is.na(show)) ||
    identical(show, "auto")
  if (!ok) stop("argument `show`: must be \"auto\", TRUE, FALSE or a function", call. = FALSE)
  previous <- hrr_progress_env$mode
  hrr_progress_env$mode <- show
  invisible(previous)
}

.onLoad <- function(libname, pkgname) {
  hrr_set_progress_(hrr_progress_report)
  invisible()
}
