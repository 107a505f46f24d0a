# Turning a formula and a data frame into the columns the Rust core takes.
# No statistics here: only evaluation, type coercion, missing-value handling and
# factor coding. Value checks (negative times, status codes, exit <= entry, ...)
# happen once, in the core, and come back as R errors through rust_value().

# The value of a binding call, or an R error carrying the core's message (`hint` is
# appended to errors about strata: the labels behind the stratum numbers).
rust_value <- function(res, hint = NULL) {
  if (isTRUE(res$ok)) {
    return(res$value)
  }
  msg <- res$message
  if (isTRUE(res$interrupted)) hrr_interrupted(msg)
  if (!is.null(hint) && startsWith(msg, "argument `strata`")) msg <- paste0(msg, hint)
  stop(msg, call. = FALSE)
}

# The user pressed Ctrl-C / Esc during a long computation (the core polls for it and
# stops): signal an `interrupt` condition, as R's own interrupt does, so that
# tryCatch(interrupt = ) and withCallingHandlers(interrupt = ) see it; unhandled, stop
# with the message (an error, so that a script stops there too).
hrr_interrupted <- function(msg) {
  signalCondition(structure(class = c("interrupt", "condition"),
                            list(message = msg, call = NULL)))
  stop(msg, call. = FALSE)
}

# The Surv() of a formula's left-hand side: the expressions of time, status and entry
# (NULL without delayed entry). Surv() itself is never called, so with `mstate = TRUE`
# (competing risks) the status may be any numeric code or a factor, and
# `type = "mstate"` is accepted.
parse_surv_lhs <- function(formula, mstate = FALSE) {
  status <- if (mstate) "event" else "status"
  check_two_sided(formula, sprintf("Surv(time, %s) ~ %s", status, if (mstate) "x" else "group"))
  lhs <- formula[[2L]]
  fname <- if (is.call(lhs)) paste(deparse(lhs[[1L]]), collapse = "") else ""
  if (!fname %in% c("Surv", "survival::Surv")) {
    stop(sprintf("the left-hand side of `formula` must be Surv(time, %s) or Surv(%s, %s)",
                 status, if (mstate) "entry, time" else "start, stop", status), call. = FALSE)
  }
  m <- as.list(match.call(survival::Surv, lhs))[-1L]
  types <- c("right", "counting", if (mstate) "mstate")
  if (!is.null(m$type) && !(is.character(m$type) && length(m$type) == 1L && m$type %in% types)) {
    stop(if (mstate) "Surv(): only right-censored, counting-process or \"mstate\" data are supported"
         else "Surv(): only right-censored or counting-process (start, stop] data are supported",
         call. = FALSE)
  }
  if (is.null(m$time2)) {
    stop(if (mstate) "Surv() needs an event: Surv(time, event) or Surv(entry, time, event)"
         else "Surv() needs a status: Surv(time, status) or Surv(start, stop, status)",
         call. = FALSE)
  }
  if (is.null(m$event)) {
    list(time = m$time, status = m$time2, entry = NULL)
  } else {
    list(time = m$time2, status = m$event, entry = m$time)
  }
}

# The terms of a model formula's right-hand side. `.` stands for every column of
# `data` not used in the response, as model.frame() expands it for coxph(), survfit()
# and glm(): the variables of Surv(time, status), Surv(start, stop, status) or
# Surv(time, event) are never covariates. `env` (default the formula's) is where the
# terms' functions are looked up.
rhs_terms <- function(formula, data, specials = NULL, env = environment(formula)) {
  environment(formula) <- env
  stats::delete.response(terms(formula, specials = specials, data = data))
}

# The model frame of the terms `tt` in `data` (NULL: the formula's environment), missing
# values kept (handle_missing() decides).
frame_of <- function(tt, data) model.frame(tt, data = data, na.action = stats::na.pass)

# An environment over `env` in which a formula's strata() (survival's, or `strata`) and
# cluster() (the variable itself) are found even when survival is not attached, as coxph
# finds them in its own environment.
specials_env <- function(env, strata = survival::strata, cluster = TRUE) {
  e <- new.env(parent = env)
  assign("strata", strata, envir = e)
  if (cluster) assign("cluster", function(x) x, envir = e)
  e
}

check_data <- function(data) {
  if (!is.null(data) && !is.data.frame(data) && !is.list(data)) {
    stop("argument `data` must be a data frame", call. = FALSE)
  }
}

check_two_sided <- function(formula, example = "y ~ x") {
  if (!inherits(formula, "formula") || length(formula) != 3L) {
    stop("argument `formula` must be a two-sided formula such as ", example, call. = FALSE)
  }
}

# The survival package's terms a method does not support, by function name: the
# message for each (%s: the term as written). coxph()'s penalised terms and tt() are
# refused by every method; cluster() and offset() where `cluster` / `offset` say so.
unsupported_specials <- function(method, cluster = TRUE, offset = TRUE) {
  pen <- paste0("%s: frailty()/penalised terms (frailty, ridge, pspline) are not ",
                "supported by ", method, "(); fit them with survival::coxph()",
                if (method == "cox_ph") ", or use cluster() for a robust variance" else "")
  out <- c(frailty = pen, frailty.gamma = pen, frailty.gaussian = pen, frailty.t = pen,
           ridge = pen, pspline = pen,
           tt = paste0("%s: time-transformed covariates (tt()) are not supported by ", method,
                       "(); split the follow-up (lexis_split) and use a time-varying ",
                       "covariate in Surv(start, stop, status)"),
           ratetable = paste0("%s: ratetable() terms are not supported by ", method, "()",
                              if (method %in% relsurv_methods)
                                "; give the rate-table variables as `age`, `year` and `sex`"
                              else ""))
  if (cluster) {
    out["cluster"] <- paste0("%s: cluster() is not supported by ", method, "()",
                             if (method %in% c("kaplan_meier", "cumulative_incidence"))
                               " (no clustered robust variance; it would be a grouping)"
                             else " (it would be treated as a grouping)")
  }
  if (offset) out["offset"] <- paste0("%s: offset() terms are not supported by ", method, "()")
  out
}

# The relative-survival functions (their rate-table variables are arguments).
relsurv_methods <- c("net_survival", "net_survival_test", "crude_probabilities",
                     "interval_net_survival", "excess_hazard_model")

# Stop with "argument `formula`: <term>: ..." for the first variable of `tt` that calls
# one of the functions in `refused` (names: function names, values: sprintf messages).
check_specials <- function(tt, refused) {
  for (e in as.list(attr(tt, "variables"))[-1L]) {
    if (!is.call(e)) next
    fn <- e[[1L]]
    if (is.call(fn) && length(fn) == 3L && as.character(fn[[1L]]) %in% c("::", ":::")) {
      fn <- fn[[3L]]
    }
    if (!is.name(fn)) next
    msg <- refused[as.character(fn)]
    if (!is.na(msg)) stop("argument `formula`: ", sprintf(msg, label_of(e)), call. = FALSE)
  }
  invisible(tt)
}

# Parse `Surv(time, status) ~ rhs` or `Surv(start, stop, status) ~ rhs`.
# Returns the expressions of time/status/entry and of the right-hand-side variables,
# split into plain terms and strata() terms. `method` names the function in errors
# about terms it does not support (cluster(), tt(), frailty(), offset()).
parse_surv_formula <- function(formula, data, mstate = FALSE, method = "kaplan_meier") {
  surv <- parse_surv_lhs(formula, mstate)
  tt <- rhs_terms(formula, data, specials = "strata")
  check_specials(tt, unsupported_specials(method))
  vars <- as.list(attr(tt, "variables"))[-1L]
  is_strata <- seq_along(vars) %in% attr(tt, "specials")$strata
  plain <- vars[!is_strata]
  strata_args <- unlist(lapply(vars[is_strata], function(call) {
    a <- as.list(call)[-1L]
    if (is.null(names(a))) a else a[names(a) == ""]   # drop strata()'s options
  }), recursive = FALSE)
  list(surv = surv, plain = plain, strata = strata_args)
}

label_of <- function(expr) paste(deparse(expr, width.cutoff = 500L), collapse = " ")

# Evaluate an expression in `data`, with the formula's environment as enclosure.
eval_in <- function(expr, data, env) {
  if (is.null(data)) eval(expr, env) else eval(expr, as.list(data), env)
}

# A numeric input column as double. `what` names the argument in messages.
as_double_column <- function(x, what, expr_label) {
  if (is.logical(x) || is.numeric(x)) {
    return(as.double(x))
  }
  stop(sprintf("argument `%s` (%s) must be numeric%s, not %s", what, expr_label,
               if (what == "status") " (0/1) or logical" else "", class(x)[1L]),
       call. = FALSE)
}

# Check lengths and missing values of a named list of columns.
# `columns`: list of list(value =, arg =, label =). Returns list(keep = rows, n_dropped).
handle_missing <- function(columns, na_action) {
  n <- NROW(columns[[1L]]$value)
  for (col in columns[-1L]) {
    if (NROW(col$value) != n) {
      stop(sprintf("argument `%s` (%s) has length %d but `%s` has length %d",
                   col$arg, col$label, NROW(col$value), columns[[1L]]$arg, n),
           call. = FALSE)
    }
  }
  miss <- rep(FALSE, n)
  for (col in columns) {
    if (!anyNA(col$value)) next
    bad <- is.na(col$value)
    if (na_action == "fail" && any(bad)) {
      row <- which(bad)[1L]
      what <- if (is.double(col$value) && is.nan(col$value[row])) "missing value (NaN)" else
        "missing value (NA)"
      stop(sprintf(paste0("argument `%s` (%s): %s at row %d; ",
                          "use na_action = \"drop\" to drop rows with missing values"),
                   col$arg, col$label, what, row), call. = FALSE)
    }
    miss <- miss | bad
  }
  n_dropped <- sum(miss)
  list(keep = if (n_dropped > 0L) which(!miss) else NULL, n_dropped = n_dropped)
}

# The columns of a model call, checked once: `pre` (the response, weights, ... as
# list(value, arg, label) entries; see col_entry()) and every variable of the model
# frame `mf`, whose argument is `arg_of(name, j)` ("covariates", "strata", "offset", ...;
# a matrix variable such as poly() enters as an NA marker). Rows with a missing value
# are an error naming the variable and the user's row, or dropped (`na_action`).
# Returns list(by_arg = function(arg): that column on the kept rows (NULL if absent),
# miss = handle_missing()'s list(keep, n_dropped), mf = the kept frame (kept_frame())).
# Shared by the survival-type fitters (cox_ph(), fine_gray(), parametric_survival(), ...
model_inputs <- function(pre, mf, arg_of, na_action) {
  cols <- c(pre, frame_entries(mf, arg_of))
  miss <- handle_missing(cols, na_action)
  list(by_arg = function(a) kept_column(cols, miss, a), miss = miss,
       mf = kept_frame(mf, miss$keep))
}

# The column of argument `a` among the entries `cols` (list(value, arg, label)) on the
# rows handle_missing() kept (`miss`); NULL if absent.
kept_column <- function(cols, miss, a) {
  i <- match(a, vapply(cols, `[[`, "", "arg"))
  if (!is.na(i)) kept_rows(cols[[i]]$value, miss)
}
kept_rows <- function(x, miss) if (miss$n_dropped > 0L) x[miss$keep] else x

# The design of a model as coxph (and, `coxph_intercept = FALSE`, glm) builds it: the
# model terms `xterms` (with the fitted bases, fitted_terms()) with an intercept, whose
# column is then dropped; factors checked for two levels and, with `size`, the design's
# size by the core first. `empty`: the error when there are no terms. Returns
# list(terms, X, assign, contrasts, xlevels, intercept (whether the formula has one)).
model_design <- function(xterms, mf, size = TRUE, empty = NULL, coxph_intercept = TRUE) {
  intercept <- attr(xterms, "intercept") == 1L
  if (coxph_intercept) attr(xterms, "intercept") <- 1L
  if (!is.null(empty) && length(attr(xterms, "term.labels")) == 0L) {
    stop("argument `formula`: ", empty, call. = FALSE)
  }
  check_two_levels(xterms, mf)
  if (size) check_design_size(xterms, mf)
  X <- model.matrix(xterms, mf)
  a <- attr(X, "assign")
  list(terms = xterms, X = X[, a != 0L, drop = FALSE], assign = a[a != 0L],
       contrasts = attr(X, "contrasts"), xlevels = stats::.getXlevels(xterms, mf),
       intercept = intercept)
}

# model_inputs()'s argument of each model-frame variable: the response (position
# `response`, 0: none) as `y`, the variables of strata() and cluster() terms
# (untangle.specials() results), offset() terms (positions `offset_cols`), else covariates.
special_arg <- function(st_sp, cl_sp = NULL, offset_cols = NULL, response = 0L) {
  function(nm, j) {
    if (j == response) "y" else if (nm %in% st_sp$vars) "strata" else
      if (nm %in% cl_sp$vars) "cluster" else if (j %in% offset_cols) "offset" else "covariates"
  }
}

check_one_cluster <- function(cl_sp) {
  if (length(cl_sp$vars) > 1L) {
    stop("argument `formula`: only one cluster() term is allowed", call. = FALSE)
  }
}

# The terms `tt` without the terms at positions `drop` (strata(), cluster()), with the
# fitted bases of the model frame's terms `mf_terms`.
model_terms <- function(tt, drop, mf_terms) {
  fitted_terms(if (length(drop)) tt[-drop] else tt, mf_terms)
}

# The stratum of each row from the strata() variables `vars` of `mf` (several crossed by
# `cross`: by default survival::strata() with short labels), as factor_codes(); NULL
# without.
strata_codes <- function(mf, vars, cross = function(v) {
  do.call(survival::strata, c(v, shortlabel = TRUE))
}) {
  if (!length(vars)) return(NULL)
  factor_codes(if (length(vars) == 1L) mf[[vars]] else cross(unname(as.list(mf[vars]))))
}

# The variables of the model frame `mf` as handle_missing() checks them: the argument of
# each is `arg_of(name, j)`, a matrix variable (cbind(), poly()) enters as an NA marker.
frame_entries <- function(mf, arg_of) {
  lapply(seq_along(mf), function(j) {
    v <- mf[[j]]
    if (is.matrix(v)) v <- ifelse(rowSums(is.na(v)) > 0, NA_real_, 0)
    list(value = v, arg = arg_of(names(mf)[j], j), label = names(mf)[j])
  })
}

# An entry of model_inputs()'s `pre`: the column `value` of argument `arg`, written by
# the user as `expr` (a call or a label).
col_entry <- function(arg, expr, value) {
  list(value = value, arg = arg, label = if (is.character(expr)) expr else label_of(expr))
}

# model_inputs()'s entry of an optional argument (none when `value` is NULL); num_entry():
# a numeric one.
opt_entry <- function(arg, value, label = arg) {
  if (!is.null(value)) list(col_entry(arg, label, value))
}
num_entry <- function(arg, value, label = arg) {
  opt_entry(arg, if (!is.null(value)) as_double_column(value, arg, label), label)
}

# The response columns time, status and entry of Surv(...) (parse_surv_lhs()) as
# model_inputs() entries, each evaluated in `data` and checked numeric.
surv_entries <- function(surv, data, env, what = c("time", "status", "entry")) {
  lapply(Filter(function(a) !is.null(surv[[a]]), what), function(a) {
    e <- surv[[a]]
    col_entry(a, e, as_double_column(eval_in(e, data, env), a, label_of(e)))
  })
}

# One variable as 1-based integer codes in factor-level order, unused levels dropped.
# As factor() (sorted unique values; a factor keeps its own level order), but hash-based
# unique()/match() instead of factor()'s conversion of every value to character, which
# takes seconds on a million rows.
factor_codes <- function(v) {
  if (is.factor(v)) {
    v <- droplevels(v)
    return(list(codes = as.integer(v), levels = levels(v)))
  }
  u <- sort(unique(v))
  list(codes = match(v, u), levels = as.character(u))
}

# Code one or more variables (each from factor_codes()) as a single factor: labels
# "name=level" joined by ", " (as survfit/survdiff), first variable varying slowest
# (crossed by the core, as Python crosses them). Returns list(codes = 1..k integer,
# levels = labels).
combine_factors <- function(fcs, names) {
  hrr_call("cross_factors", list(factors = stats::setNames(lapply(fcs, as_grouping), names)))$value
}

# Everything the core needs from `formula` and `data`. With `event = TRUE` (competing
# risks) the status is the event: numeric codes or a factor, returned as it is (as
# `status`, after dropping rows with missing values) and named `cause` in messages.
model_columns <- function(formula, data, weights, na_action, env, event = FALSE,
                          method = "kaplan_meier") {
  check_data(data)
  f <- parse_surv_formula(formula, data, mstate = event, method = method)
  s <- f$surv
  fixed <- c(surv_entries(s, data, env, "time"),
             if (event) cause_entry(s, data, env) else surv_entries(s, data, env, "status"),
             surv_entries(s, data, env, "entry"), num_entry("weights", weights))
  rhs <- c(lapply(f$plain, function(e) col_entry("group", e, eval_in(e, data, env))),
           lapply(f$strata, function(e) col_entry("strata", e, eval_in(e, data, env))))
  miss <- handle_missing(c(fixed, rhs), na_action)
  by_arg <- function(a) kept_column(fixed, miss, a)
  fcs <- lapply(rhs, function(col) factor_codes(kept_rows(col$value, miss)))  # each coded once
  factor_of <- function(idx) {
    if (length(idx)) combine_factors(fcs[idx], vapply(rhs[idx], `[[`, "", "label"))
  }
  n_plain <- length(f$plain)
  list(time = by_arg("time"), status = by_arg(if (event) "cause" else "status"),
       entry = by_arg("entry"), weights = by_arg("weights"), plain = factor_of(seq_len(n_plain)),
       strata = factor_of(n_plain + seq_along(f$strata)), all_rhs = factor_of(seq_along(rhs)),
       n_dropped = miss$n_dropped, keep = miss$keep)
}

# The event of Surv(time, event) as model_inputs()' entry `cause` (event_column()).
cause_entry <- function(surv, data, env) {
  list(col_entry("cause", surv$status, event_column(eval_in(surv$status, data, env),
                                                    label_of(surv$status))))
}

# `weights` given as NULL, a numeric vector, a column name, or a bare column name.
resolve_weights <- function(wexpr, data, env, arg = "weights") {
  if (is.null(wexpr)) return(NULL)
  column_of(if (is.name(wexpr) || is.call(wexpr)) eval_in(wexpr, data, env) else wexpr, arg, data)
}

# A column given by name (a single string naming a column of `data`, called `within` in
# errors) or as a vector. Its length is checked by the core or handle_missing().
column_of <- function(x, arg, data, within = "data") {
  if (is.character(x) && length(x) == 1L && !is.null(data)) {
    if (!x %in% names(data)) {
      stop(sprintf("argument `%s`: no column \"%s\" in `%s`", arg, x, within), call. = FALSE)
    }
    return(data[[x]])
  }
  x
}

strata_hint <- function(levels) {
  if (length(levels) < 2L) return(NULL)
  shown <- levels[seq_len(min(10L, length(levels)))]
  paste0(" [strata: ", paste(seq_along(shown), shown, sep = " = ", collapse = "; "),
         if (length(levels) > 10L) "; ..." else "", "]")
}

with_row_names <- function(tab, row.names) {
  if (!is.null(row.names)) rownames(tab) <- row.names
  tab
}

# R's missing value where the core gives NaN (undefined limits, unreached quantiles),
# as survival does.
nan_to_na <- function(x) replace(x, is.nan(x), NA_real_)

# "Call: <call>" and a blank line (print.survfit's header).
print_call <- function(x) cat("Call: ", paste(deparse(x$call), collapse = "\n"), "\n\n", sep = "")

# "Call:", the call and `after` (print.coxph's header).
show_call <- function(call, after = "\n") {
  cat("Call:\n")
  print(call)
  cat(after)
}

# Print a long table one block per level of `by` (survfit's summary layout): the
# limits headed "lower/upper <level>% CI", numbers to `digits` significant digits.
print_blocks <- function(t, by, cols, conf_level, header, digits, ...) {
  lev <- format(100 * conf_level)
  for (s in levels(t[[by]])) {
    d <- t[t[[by]] == s, cols, drop = FALSE]
    names(d)[names(d) == "lower"] <- paste0("lower ", lev, "% CI")
    names(d)[names(d) == "upper"] <- paste0("upper ", lev, "% CI")
    if (header) cat("                ", s, "\n", sep = "")
    num <- vapply(d, is.numeric, logical(1L))
    d[num] <- lapply(d[num], signif, digits = digits)
    print(d, row.names = FALSE, ...)
    cat("\n")
  }
}

# A shaded step-shaped confidence band: each (lo, hi) holds from its time to the next,
# the last to `xmax`; undefined limits left out.
step_band <- function(tt, lo, hi, xmax, col) {
  ok <- is.finite(lo) & is.finite(hi)
  if (sum(ok) < 2L) return(invisible(NULL))
  xs <- c(rep(tt[ok], each = 2L)[-1L], xmax)
  polygon(c(xs, rev(xs)), c(rep(hi[ok], each = 2L), rev(rep(lo[ok], each = 2L))),
          col = adjustcolor(col, alpha.f = 0.2), border = NA)
}

# summary.coxph's conf.int matrix from a coefficient table of the core: exp(coef),
# exp(-coef) and the limits of exp(coef), rows named by term.
ratio_ci <- function(tab, conf.int) {
  ci <- cbind(tab$exp_coef, exp(-tab$coef), tab$exp_lower, tab$exp_upper)
  lev <- substring(format(conf.int), 2L)
  dimnames(ci) <- list(tab$term, c("exp(coef)", "exp(-coef)", paste0("lower ", lev),
                                   paste0("upper ", lev)))
  ci
}

# The core's coefficient table of fit `x` at `level` (`label`: the caller's name for the
# level, for errors): the fit's own table `own` at its level, else the core fit's
# (`ptr(x)`, refitted after readRDS()).
table_at <- function(x, level, label, ptr, own = x$table) {
  if (isTRUE(all.equal(level, x$conf_level)) && !is.null(own)) return(own)
  hrr_fit_call(ptr(x), "coef_table", list(conf_level = level, labels = list(conf_level = label)))
}

# The columns `cols` of a coefficient table as a matrix (rows: terms) with the column
# names `labels` and `p_label`; by default print.coxph's columns.
coef_matrix_of <- function(tab, p_label = "p", cols = c("coef", "exp_coef", "se", "z", "p"),
                           labels = c("coef", "exp(coef)", "se(coef)", "z")) {
  m <- as.matrix(tab[, cols])
  dimnames(m) <- list(tab$term, c(labels, p_label))
  m
}

# print.summary() of such a fit: its call and the matrix `m` to `digits` significant digits.
print_fit_table <- function(x, m, digits) {
  if (!is.null(x$fit$call)) {
    cat("Call: ")
    print(x$fit$call)
  }
  print(signif(m, digits))
}

# " (k observations deleted due to missingness)" after a fit's n (nothing with none).
deleted_note <- function(n_dropped) {
  if (n_dropped) sprintf(" (%d observations deleted due to missingness)", n_dropped)
}

# confint() from the coefficient table's Wald limits at `level` (`summary(object,
# conf.int = level)`), as confint.default labels them.
confint_from_summary <- function(object, parm, level = 0.95, ...) {
  wald_confint(summary(object, conf.int = level, .label = "level")$table, parm, level)
}

# summary(), print() and confint() of the fits whose summary is their core coefficient
# table; summary_methods: the core's method of each, to refit after readRDS(). summary():
# the fit and its table at `conf.int`; print(): the summary.
summary_methods <- c(hrr_survreg = "parametric_survival", hrr_flexsurv = "flexible_parametric",
                     hrr_clogit = "conditional_logistic", hrr_cch = "case_cohort")
summary.hrr_survreg <- summary.hrr_flexsurv <- summary.hrr_clogit <- summary.hrr_cch <-
  function(object, conf.int = 0.95, ..., .label = "conf.int") {
  cls <- class(object)[1L]
  tab <- table_at(object, conf.int, .label, function(x) ptr_or_refit(x, summary_methods[[cls]]))
  structure(list(fit = object, table = na_table(tab)), class = paste0("summary.", cls))
}
print.hrr_survreg <- print.hrr_flexsurv <- print.hrr_clogit <- print.hrr_cch <- function(x, ...) {
  print(summary(x), ...)
  invisible(x)
}
confint.hrr_flexsurv <- confint.hrr_clogit <- confint.hrr_cch <- confint_from_summary

# The limits of a coefficient table `tab` (term, lower, upper at `level`) as a confint()
# matrix labelled as confint.default; `parm` (names or positions) selects rows.
wald_confint <- function(tab, parm, level) {
  m <- cbind(tab$lower, tab$upper)
  a <- (1 - level) / 2
  dimnames(m) <- list(tab$term, paste(format(100 * c(a, 1 - a), trim = TRUE, scientific = FALSE,
                                             digits = 3), "%"))
  if (missing(parm)) m else m[parm, , drop = FALSE]
}
