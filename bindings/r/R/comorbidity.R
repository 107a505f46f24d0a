# Comorbidity indices (Charlson, Elixhauser) from ICD-10 codes, as the R comorbidity
# package and Python's comorbidipy.
#
# `comorbidity()` resolves the columns (names of `data` or vectors; dates to days since
# 1970), codes ids and diagnosis codes as factors and passes them to the core, which
# matches the codes (Quan 2005 lists), applies the look-back window and the hierarchy
# rules and computes the scores. The ids are put back as the user gave them.

comorbidity <- function(data = NULL, id = "id", code = "code", date = NULL, index_date = NULL,
                        lookback = NULL, index = "charlson", weights = NULL,
                        na_action = c("fail", "drop")) {
  na_action <- check_na_action(na_action)
  col <- function(x, arg) {
    if (is.character(x) && length(x) == 1L && !is.null(data) && x %in% names(data)) data[[x]] else x
  }
  days <- function(x, arg) {
    if (is.null(x)) return(NULL)
    if (inherits(x, "Date")) return(as.double(unclass(x)))
    if (inherits(x, "POSIXt")) return(as.double(as.POSIXct(x)) / 86400)
    if (is.character(x) && length(x) == 1L) return(as.double(as.Date(x)))
    if (!is.numeric(x) && !is.logical(x))
      stop(sprintf("argument `%s` must be dates or numbers, not %s", arg, class(x)[1L]), call. = FALSE)
    as.double(x)
  }
  idv <- col(id, "id")
  codev <- col(code, "code")
  if (is.factor(codev)) codev <- as.character(codev)
  n <- length(idv)
  if (length(codev) != n)
    stop(sprintf("argument `code` has length %d but `id` has length %d", length(codev), n), call. = FALSE)
  cols <- list(date = days(col(date, "date"), "date"))
  idate <- if (!is.null(index_date)) days(col(index_date, "index_date"), "index_date")
  if (length(idate) == n && n != 1L) cols$index_date <- idate
  keep <- NULL
  if (na_action == "drop") {
    miss <- is.na(idv) | is.na(codev)
    for (v in cols) if (length(v) == n) miss <- miss | is.na(v)
    if (any(miss)) {
      keep <- which(!miss)
      idv <- idv[keep]
      codev <- codev[keep]
      cols <- lapply(cols, function(v) if (length(v) == n) v[keep] else v)
    }
  } else {
    for (a in c("id", "code")) {
      bad <- which(is.na(if (a == "id") idv else codev))
      if (length(bad))
        stop(sprintf("argument `%s`: missing value at row %d", a, bad[1L]), call. = FALSE)
    }
  }
  fid <- factor_codes(idv)
  ids <- if (is.factor(idv)) factor(fid$levels, levels = fid$levels) else sort(unique(idv))
  fcode <- factor_codes(codev)
  lb <- if (inherits(lookback, "difftime")) as.double(lookback, units = "days") else lookback
  inputs <- list(id = as_grouping(fid), code = as_grouping(fcode), date = cols$date,
                 index_date = if (!is.null(cols$index_date)) cols$index_date else idate,
                 lookback = lb, index = index, weights = weights)
  v <- hrr_call("comorbidity", inputs, rows = keep)$value
  tab <- v$table
  tab$id <- ids[tab$id]
  attr(tab, "index") <- v$index
  attr(tab, "weights") <- v$weights
  attr(tab, "categories") <- stats::setNames(v$categories$label, v$categories$name)
  attr(tab, "n_dropped") <- if (is.null(keep)) 0L else n - length(keep)
  tab
}
