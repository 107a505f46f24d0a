# Drug exposure from dispensings (issue 17): treatment episodes and adherence (PDC, MPR).
#
# The episodes and measures are computed by the core (`drug_exposure`, `adherence`;
# definitions in crates/hrrstats-core/src/drugs.rs); this file resolves the columns
# (bare names, strings or vectors), turns Dates (and POSIXct) into days and back, and
# gives the ids their original values.

drug_column <- function(expr, data, env, arg) {
  v <- resolve_weights(expr, data, env, arg)
  if (is.null(v)) return(NULL)
  v
}

drug_days <- function(v, arg) {
  if (is.null(v)) return(list(days = NULL, kind = "none"))
  if (inherits(v, "Date")) return(list(days = as.double(unclass(v)), kind = "Date"))
  if (inherits(v, "POSIXt")) return(list(days = as.double(as.POSIXct(v)) / 86400, kind = "POSIXct"))
  list(days = as_double_column(v, arg, arg), kind = "numeric")
}

drug_undays <- function(x, kind) {
  switch(kind,
         Date = structure(x, class = "Date"),
         POSIXct = as.POSIXct(x * 86400, origin = "1970-01-01", tz = "UTC"),
         x)
}

drug_inputs <- function(id, date, amount, daily_dose, drug = NULL) {
  if (anyNA(id)) stop(sprintf("argument `id`: missing value at row %d", which(is.na(id))[1L]), call. = FALSE)
  fc <- factor_codes(id)
  ids <- if (is.factor(id)) levels(droplevels(id)) else sort(unique(id))
  d <- drug_days(date, "date")
  drugs <- NULL
  if (!is.null(drug)) {
    if (anyNA(drug)) stop(sprintf("argument `drug`: missing value at row %d", which(is.na(drug))[1L]), call. = FALSE)
    dc <- factor_codes(drug)
    drugs <- if (is.factor(drug)) levels(droplevels(drug)) else sort(unique(drug))
  }
  list(args = list(id = as_grouping(fc), drug = if (!is.null(drug)) as_grouping(dc), date = d$days,
                   amount = as_double_column(amount, "amount", "amount"),
                   daily_dose = if (!is.null(daily_dose)) as_double_column(daily_dose, "daily_dose", "daily_dose")),
       ids = ids, drugs = drugs, kind = d$kind)
}

drug_table <- function(tab, inp, date_cols) {
  tab$id <- inp$ids[as.integer(tab$id)]
  if (!is.null(tab$drug)) tab$drug <- inp$drugs[as.integer(tab$drug)]
  for (c in date_cols) tab[[c]] <- drug_undays(tab[[c]], inp$kind)
  tab
}

drug_exposure <- function(id, date, amount, daily_dose = NULL, grace = 30, grace_fraction = 0,
                          stockpile = TRUE, end_grace = FALSE, data = NULL, drug = NULL) {
  pf <- parent.frame()
  inp <- drug_inputs(drug_column(substitute(id), data, pf, "id"), drug_column(substitute(date), data, pf, "date"),
                     drug_column(substitute(amount), data, pf, "amount"),
                     drug_column(substitute(daily_dose), data, pf, "daily_dose"),
                     drug_column(substitute(drug), data, pf, "drug"))
  args <- c(inp$args, list(grace = as.double(grace), grace_fraction = as.double(grace_fraction),
                           stockpile = stockpile, end_grace = end_grace))
  out <- hrr_call("drug_exposure", args)
  drug_table(out$value$table, inp, c("start", "end"))
}

adherence <- function(id, date, amount, daily_dose = NULL, window = 365, window_start = NULL,
                      measure = c("pdc", "mpr"), stockpile = TRUE, data = NULL, drug = NULL) {
  pf <- parent.frame()
  if (length(measure) > 1L) measure <- measure[1L]
  inp <- drug_inputs(drug_column(substitute(id), data, pf, "id"), drug_column(substitute(date), data, pf, "date"),
                     drug_column(substitute(amount), data, pf, "amount"),
                     drug_column(substitute(daily_dose), data, pf, "daily_dose"),
                     drug_column(substitute(drug), data, pf, "drug"))
  ws <- drug_days(drug_column(substitute(window_start), data, pf, "window_start"), "window_start")
  if (ws$kind != "none" && (ws$kind == "numeric") != (inp$kind == "numeric"))
    stop("argument `window_start`: must be dates when `date` is dates, numbers when it is numbers", call. = FALSE)
  args <- c(inp$args, list(window = as.double(window), window_start = ws$days, measure = measure,
                           stockpile = stockpile))
  out <- hrr_call("adherence", args)
  drug_table(out$value$table, inp, c("window_start", "window_end"))
}
