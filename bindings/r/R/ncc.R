# Nested case-control (risk-set) sampling, as Epi::ccwc.
#
# `nested_case_control()` resolves the columns (bare names or vectors, as ccwc) and the
# matching variables, and passes them to the core, which draws the sets with its own
# seeded generator (so a seed gives the same sets in R and Python). The matching
# columns of the sampled rows are added from the data.

nested_case_control <- function(entry = NULL, exit, status, controls = 1, match = NULL,
                                seed = NULL, data = NULL, na_action = c("fail", "drop")) {
  na_action <- check_na_action(na_action)
  pf <- parent.frame()
  col <- function(expr, arg) {
    v <- resolve_weights(expr, data, pf, arg)
    if (is.null(v)) return(NULL)
    col_entry(arg, expr, as_double_column(v, arg, label_of(expr)))
  }
  cols <- list(col(substitute(exit), "exit"), col(substitute(status), "status"),
               col(substitute(entry), "entry"))
  cols <- cols[!vapply(cols, is.null, TRUE)]
  mexpr <- substitute(match)
  mlist <- NULL
  if (!is.null(mexpr)) {
    if (is.call(mexpr) && identical(mexpr[[1L]], as.name("list"))) {
      mlist <- eval_in(mexpr, data, pf)
      if (is.null(names(mlist))) names(mlist) <- rep("", length(mlist))
      unnamed <- !nzchar(names(mlist))
      names(mlist)[unnamed] <- vapply(as.list(mexpr)[-1L][unnamed], label_of, "")
    } else {
      v <- eval_in(mexpr, data, pf)
      n <- NROW(cols[[1L]]$value)
      mlist <- if (is.null(v)) NULL else if (is.character(v) && !is.null(data) && length(v) != n && all(v %in% names(data)))
        as.list(data[v]) else if (is.character(v) && length(v) == 1L && !is.null(data) && v %in% names(data))
        as.list(data[v]) else stats::setNames(list(v), label_of(mexpr))
    }
    for (nm in names(mlist)) cols[[length(cols) + 1L]] <- list(value = mlist[[nm]], arg = "match", label = nm)
  }
  miss <- handle_missing(cols, na_action)
  keep <- miss$keep
  take <- function(x) if (is.null(keep)) x else x[keep]
  by_arg <- function(a) {
    i <- base::match(a, vapply(cols, `[[`, "", "arg"))
    if (is.na(i)) NULL else take(cols[[i]]$value)
  }
  grp <- NULL
  if (!is.null(mlist)) {
    g <- if (length(mlist) == 1L) take(mlist[[1L]]) else
      interaction(lapply(mlist, take), drop = TRUE, lex.order = TRUE)
    grp <- as_grouping(factor_codes(g))
  }
  inputs <- list(exit = by_arg("exit"), status = by_arg("status"), entry = by_arg("entry"),
                 match = grp, controls = controls,
                 seed = if (!is.null(seed)) as.double(seed), rows = keep)
  out <- hrr_call("nested_case_control", inputs)
  v <- out$value
  tab <- v$table
  if (!is.null(keep)) tab$id <- keep[tab$id]
  tab$match <- NULL
  for (nm in names(mlist)) tab[[nm]] <- mlist[[nm]][tab$id]
  attr(tab, "seed") <- v$seed
  attr(tab, "n_sets") <- v$n_sets
  attr(tab, "n_incomplete") <- v$n_incomplete
  attr(tab, "n_unmatched") <- v$n_unmatched
  tab
}
