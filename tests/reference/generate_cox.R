#!/usr/bin/env Rscript
# Reference answers for hrrstats' Cox proportional-hazards code, from R's survival package.
# Companion of generate.R (Kaplan-Meier / log-rank); same helpers and conventions.
#
# Writes tests/reference/fixtures/ (every file prefixed cox_ or data_cox_):
#   data_cox_<name>.csv          input data: numeric columns only, factors already dummy-coded
#                                with treatment contrasts (first level = reference), named
#                                <factor>_<level> with non-alphanumerics dropped (Lev+5FU -> Lev5FU)
#   cox_cases.csv                manifest: one row per Cox case (see "cases" below)
#   cox_<case>_coef.csv          summary(fit)$coefficients: term, coef, se, naive_se, z, p
#   cox_<case>_var.csv           fit$var, long format i, j, value (robust variance if robust)
#   cox_<case>_naive_var.csv     fit$naive.var (model-based inverse information), robust cases only
#   cox_<case>_fit.csv           one row of fit-level statistics (see the "fit statistics" block)
#   cox_<case>_basehaz.csv       basehaz(fit, centered = FALSE) and basehaz(fit, centered = TRUE)
#   cox_<case>_survfit.csv       survfit(fit, newdata = 2 rows) object components
#   cox_<case>_resid.csv         residuals(fit, "martingale"), residuals(fit, "deviance")
#   cox_<case>_resid_matrix.csv  residuals(fit, type) for score, schoenfeld, scaledsch, dfbeta, dfbetas
#   cox_<case>_zph.csv           cox.zph(fit, transform)$table for km, rank, identity
#   cox_<case>_predict.csv       predict(fit, type = "lp" (+ se.fit), "risk", "expected")
#
# Run from the repository root:  Rscript tests/reference/generate_cox.R
# Numbers are written with 17 significant digits (exact round trip of doubles); NA as "NA".
# coxph() is called with its defaults unless the manifest says otherwise:
#   ties = manifest value, iter.max = 20, eps = 1e-9, toler.chol = .Machine$double.eps^.75,
#   timefix = TRUE (aeqSurv() merges times that differ only by rounding; all times here are
#   integers or simple decimals, so it changes nothing).
suppressPackageStartupMessages(library(survival))

source(file.path("tests", "reference", "fixture_io.R"))
write_csv <- fixture_writer("^(cox_|data_cox_)")
# Treatment-contrast dummies exactly as model.matrix(~ f) builds them (reference = first level).
dummies <- function(f, prefix) {
  f <- factor(f)
  m <- model.matrix(~ f)[, -1, drop = FALSE]
  colnames(m) <- paste0(prefix, "_", gsub("[^A-Za-z0-9]", "", levels(f)[-1]))
  as.data.frame(m, row.names = NULL)
}
# Anchor functions that error are recorded here (and printed at the end); nothing is
# written for them. With survival 3.5-3 none errors: every case gets every file
# (naive_var only for the robust cases lung_robust and heart_cluster); cox.zph also runs
# for the cluster, weighted and offset fits.
failures <- character(0)
attempt <- function(label, expr) {
  tryCatch(expr, error = function(e) {
    failures <<- c(failures, paste0(label, ": ", conditionMessage(e)))
    NULL
  })
}

## ---- data sets --------------------------------------------------------------
removed <- list()

# lung: complete cases of the used columns time, status, age, sex, ph.ecog, wt.loss.
# Removes 15 of 228 rows (14 with wt.loss NA, 1 with ph.ecog NA) -> 213 rows.
# status recoded 1/2 -> 0/1. `off` is a seeded offset for the lung_offset case.
lung_used <- c("time", "status", "age", "sex", "ph.ecog", "wt.loss")
lung_keep <- complete.cases(survival::lung[, lung_used])
removed$lung <- sum(!lung_keep)
lung_src <- survival::lung[lung_keep, ]
set.seed(20261125)
cox_lung <- with(lung_src, data.frame(
  time = time, status = status - 1, age = age, sex = sex, ph_ecog = ph.ecog,
  wt_loss = wt.loss, off = round(runif(length(time), -0.5, 0.5), 4)))

# tied: the same 213 lung rows with time in months, ceiling(time / 30.4): 213 rows on
# few distinct times (heavy ties, Efron vs Breslow differ clearly).
cox_tied <- with(cox_lung, data.frame(
  time = ceiling(time / 30.4), status = status, age = age, sex = sex, ph_ecog = ph_ecog))

# veteran: no missing values (0 rows removed). trt is 1/2 (standard/test), prior 0/10,
# celltype levels squamous (reference), smallcell, adeno, large.
removed$veteran <- 0L
cox_veteran <- with(survival::veteran, cbind(
  data.frame(time = time, status = status, trt = trt, karno = karno, age = age,
             prior = prior, diagtime = diagtime),
  dummies(celltype, "celltype")))

# ovarian: no missing values (0 rows removed); rx, resid.ds, ecog.ps are 1/2 codes kept numeric.
removed$ovarian <- 0L
cox_ovarian <- with(survival::ovarian, data.frame(
  futime = futime, fustat = fustat, age = age, rx = rx, resid_ds = resid.ds,
  ecog_ps = ecog.ps))

# pbc: first 312 rows (the randomised trial), complete cases of time, status, age, bili,
# edema, albumin, protime (0 rows removed). Event = death (status == 2); transplant
# (status 1) counts as censored. Model of Fleming & Harrington / Therneau & Grambsch.
pbc_used <- c("time", "status", "age", "bili", "edema", "albumin", "protime")
pbc_src <- survival::pbc[1:312, ]
pbc_keep <- complete.cases(pbc_src[, pbc_used])
removed$pbc <- sum(!pbc_keep)
pbc_src <- pbc_src[pbc_keep, ]
cox_pbc <- with(pbc_src, data.frame(
  time = time, status = as.integer(status == 2), age = age, edema = edema,
  log_bili = log(bili), albumin = albumin, log_protime = log(protime)))

# colon: death records (etype == 2), complete cases of time, status, rx, sex, age, nodes,
# extent: removes 18 of 929 rows (nodes NA) -> 911 rows. rx levels Obs (reference), Lev,
# Lev+5FU. `w` = seeded non-integer case weights in [0.5, 2].
colon_used <- c("time", "status", "rx", "sex", "age", "nodes", "extent")
colon_src <- survival::colon[survival::colon$etype == 2, ]
colon_keep <- complete.cases(colon_src[, colon_used])
removed$colon <- sum(!colon_keep)
colon_src <- colon_src[colon_keep, ]
set.seed(20261126)
cox_colon <- with(colon_src, cbind(
  data.frame(id = id, time = time, status = status),
  dummies(rx, "rx"),
  data.frame(sex = sex, age = age, nodes = nodes, node4 = node4, extent = extent,
             w = round(runif(length(time), 0.5, 2), 4))))

# heart (Stanford heart transplant, counting-process form): no missing values
# (0 rows removed). transplant factor 0/1 -> numeric 0/1; id = subject (cluster).
removed$heart <- 0L
cox_heart <- with(survival::heart, data.frame(
  start = start, stop = stop, event = event, age = age, year = year, surgery = surgery,
  transplant = as.integer(as.character(transplant)), id = id))

datasets <- list(cox_lung = cox_lung, cox_tied = cox_tied, cox_veteran = cox_veteran,
                 cox_ovarian = cox_ovarian, cox_pbc = cox_pbc, cox_colon = cox_colon,
                 cox_heart = cox_heart)
for (nm in names(datasets)) write_csv(datasets[[nm]], paste0("data_", nm, ".csv"))

## ---- cases ------------------------------------------------------------------
# data: data set written as data_<data>.csv; entry/time/status: Surv() columns;
# covariates: space-separated columns of the design matrix (in coefficient order);
# strata: column in strata(); cluster: column in cluster() (implies robust);
# weights: case weights column; offset: column in offset(); ties: coxph ties;
# robust: coxph(robust = ) -- TRUE for the cluster case because cluster() implies it.
cases <- read.csv(text = "
case,data,entry,time,status,covariates,strata,cluster,weights,offset,ties,robust
lung,cox_lung,,time,status,age sex ph_ecog wt_loss,,,,,efron,FALSE
lung_breslow,cox_lung,,time,status,age sex ph_ecog wt_loss,,,,,breslow,FALSE
lung_robust,cox_lung,,time,status,age sex ph_ecog wt_loss,,,,,efron,TRUE
lung_offset,cox_lung,,time,status,age sex,,,,off,efron,FALSE
lung_strata,cox_lung,,time,status,age ph_ecog wt_loss,sex,,,,efron,FALSE
veteran,cox_veteran,,time,status,trt karno celltype_smallcell celltype_adeno celltype_large,,,,,efron,FALSE
veteran_strata,cox_veteran,,time,status,karno age celltype_smallcell celltype_adeno celltype_large,trt,,,,efron,FALSE
ovarian,cox_ovarian,,futime,fustat,age rx resid_ds ecog_ps,,,,,efron,FALSE
pbc,cox_pbc,,time,status,age edema log_bili albumin log_protime,,,,,efron,FALSE
colon_weights,cox_colon,,time,status,rx_Lev rx_Lev5FU sex age nodes extent,,,w,,efron,FALSE
heart_cluster,cox_heart,start,stop,event,age year surgery transplant,,id,,,efron,TRUE
heart_entry_breslow,cox_heart,start,stop,event,age year surgery transplant,,,,,breslow,FALSE
tied_efron,cox_tied,,time,status,age sex ph_ecog,,,,,efron,FALSE
tied_breslow,cox_tied,,time,status,age sex ph_ecog,,,,,breslow,FALSE
", colClasses = "character")
cases <- cases[nchar(cases$case) > 0, ]
write_csv(cases, "cox_cases.csv")

# Second survfit() profile per data set (the first profile is always fit$means). Only the
# case's covariates are used; an offset column gets its mean in row 1 and 0.25 in row 2.
profiles <- list(
  cox_lung = c(age = 60, sex = 2, ph_ecog = 1, wt_loss = 5),
  cox_tied = c(age = 60, sex = 2, ph_ecog = 1),
  cox_veteran = c(trt = 2, karno = 60, age = 60, celltype_smallcell = 1,
                  celltype_adeno = 0, celltype_large = 0),
  cox_ovarian = c(age = 55, rx = 2, resid_ds = 2, ecog_ps = 1),
  cox_pbc = c(age = 50, edema = 0.5, log_bili = 0.5, albumin = 3.5, log_protime = 2.35),
  cox_colon = c(rx_Lev = 0, rx_Lev5FU = 1, sex = 1, age = 60, nodes = 3, extent = 3),
  cox_heart = c(age = 0, year = 3, surgery = 1, transplant = 1))

## ---- per-case outputs -------------------------------------------------------
# Stratum codes: 1..k in the order of the strata() factor levels (sorted values of the
# strata column), 1 when the model has no strata -- as generate.R.
strata_codes <- function(s, n) if (is.null(s)) rep(1L, n) else as.integer(factor(s))

fit_case <- function(cs, d, timefix = TRUE) {
  covs <- strsplit(cs$covariates, " ")[[1]]
  rhs <- covs
  if (nchar(cs$strata)) rhs <- c(rhs, sprintf("strata(%s)", cs$strata))
  if (nchar(cs$cluster)) rhs <- c(rhs, sprintf("cluster(%s)", cs$cluster))
  if (nchar(cs$offset)) rhs <- c(rhs, sprintf("offset(%s)", cs$offset))
  lhs <- if (nchar(cs$entry)) sprintf("Surv(%s, %s, %s)", cs$entry, cs$time, cs$status)
         else sprintf("Surv(%s, %s)", cs$time, cs$status)
  fml <- as.formula(paste(lhs, "~", paste(rhs, collapse = " + ")))
  # Anchor: coxph(formula, data, ties, robust, weights, timefix = TRUE (default)); x = TRUE
  # and model = TRUE only store the design matrix / model frame for the downstream
  # functions (no numeric effect). timefix = FALSE gives identical coef and var for every
  # case (checked when this script was written).
  eval(bquote(coxph(.(fml), data = d, ties = .(cs$ties), robust = .(as.logical(cs$robust)),
                    weights = .(if (nchar(cs$weights)) as.name(cs$weights) else NULL),
                    x = TRUE, model = TRUE, timefix = .(timefix))))
}

for (i in seq_len(nrow(cases))) {
  cs <- cases[i, ]
  d <- datasets[[cs$data]]
  covs <- strsplit(cs$covariates, " ")[[1]]
  fit <- fit_case(cs, d)
  robust <- !is.null(fit$naive.var)
  stopifnot(identical(names(coef(fit)), covs))
  pre <- paste0("cox_", cs$case)

  ## coefficients -- anchor: summary(fit)$coefficients. `se` is the column summary reports
  ## ("robust se" for robust/cluster fits, else "se(coef)"); naive_se = sqrt(diag(naive.var))
  ## for robust fits, else the same as se. z = coef / se, p = 2 * pnorm(-|z|).
  sc <- summary(fit)$coefficients
  se <- if (robust) sc[, "robust se"] else sc[, "se(coef)"]
  write_csv(data.frame(term = covs, coef = unname(coef(fit)), se = unname(se),
                       naive_se = sqrt(diag(if (robust) fit$naive.var else fit$var)),
                       z = unname(sc[, "z"]), p = unname(sc[, "Pr(>|z|)"])),
            paste0(pre, "_coef.csv"))

  ## variance -- anchor: fit$var (robust sandwich when robust), fit$naive.var
  k <- length(covs)
  long <- function(m) data.frame(i = rep(seq_len(k), k), j = rep(seq_len(k), each = k),
                                 value = c(m))
  write_csv(long(fit$var), paste0(pre, "_var.csv"))
  if (robust) write_csv(long(fit$naive.var), paste0(pre, "_naive_var.csv"))

  ## fit statistics -- anchors: fit$loglik (null, final), fit$score (score test at beta = 0,
  ## always model-based), fit$wald.test (uses fit$var, i.e. the robust variance when
  ## robust), lr = 2 * diff(fit$loglik), fit$iter, fit$concordance["concordance"] and
  ## fit$concordance["std"] (survival 3.x stores the standard error as "std"; there is no
  ## "var" element), fit$n (rows), fit$nevent (unweighted event count), fit$rscore (robust
  ## score test, robust fits only, else NA). p-values as summary(fit) reports them, df =
  ## number of non-NA coefficients.
  df_ <- sum(!is.na(coef(fit)))
  lr <- 2 * (fit$loglik[2] - fit$loglik[1])
  rscore <- if (is.null(fit$rscore)) NA_real_ else unname(fit$rscore)
  write_csv(data.frame(loglik_null = fit$loglik[1], loglik = fit$loglik[2],
                       score = unname(fit$score), wald = unname(fit$wald.test), lr = lr,
                       df = df_, iterations = fit$iter,
                       concordance = unname(fit$concordance["concordance"]),
                       concordance_se = unname(fit$concordance["std"]),
                       n = fit$n, nevent = fit$nevent, rscore = rscore,
                       lr_p = pchisq(lr, df_, lower.tail = FALSE),
                       wald_p = pchisq(unname(fit$wald.test), df_, lower.tail = FALSE),
                       score_p = pchisq(unname(fit$score), df_, lower.tail = FALSE),
                       rscore_p = pchisq(rscore, df_, lower.tail = FALSE)),
            paste0(pre, "_fit.csv"))

  ## baseline hazard -- anchor: basehaz(fit, centered = FALSE) (x = 0) and
  ## basehaz(fit, centered = TRUE) (x = fit$means). In both the offset sits at its mean:
  ## basehaz() is survfit(fit) (curve at x = fit$means, offset = mean(offset)), and
  ## centered = FALSE multiplies it by exp(-sum(fit$means * coef)). Rows are every distinct
  ## observed time per stratum (event and censoring times; survfit.coxph keeps censored
  ## times), hazard = cumulative hazard. The hazard increments follow the fit's ties method
  ## (Efron-type increments for ties = "efron", Breslow/Nelson-Aalen-type for "breslow").
  ## For weighted fits fit$means are weighted means.
  bu <- attempt(paste(cs$case, "basehaz(centered = FALSE)"), basehaz(fit, centered = FALSE))
  bc <- attempt(paste(cs$case, "basehaz(centered = TRUE)"), basehaz(fit, centered = TRUE))
  if (!is.null(bu) && !is.null(bc)) {
    stopifnot(all.equal(bu$time, bc$time))
    write_csv(data.frame(strata = strata_codes(bu$strata, nrow(bu)), time = bu$time,
                         hazard = bu$hazard, hazard_centered = bc$hazard),
              paste0(pre, "_basehaz.csv"))
  }

  ## predicted curves -- anchor: survfit(fit, newdata = nd) with survfit.coxph defaults
  ## (se.fit = TRUE, stype = 2: S = exp(-cumhaz), ctype from the ties method,
  ## censor = TRUE keeps censoring times). Row 1 of nd = fit$means, row 2 = the profile
  ## above; an offset column is its (case-weighted) mean in row 1, so row 1 reproduces
  ## basehaz(centered = TRUE), and 0.25 in row 2. The newdata columns are repeated on
  ## every row of the file. Strata models: one curve per stratum x newdata row.
  ## Written from the survfit object's components directly (not summary()):
  ##   std_err = sf$std.err = standard error of the cumulative hazard (-log S);
  ##   std_err_survival = survival * std_err, which is what summary(sf)$std.err reports.
  ## For robust/cluster fits survfit.coxph computes std.err with the robust (grouped
  ## infinitesimal-jackknife) variance, clustering on cluster() or on each row.
  nd <- as.data.frame(rbind(fit$means, profiles[[cs$data]][covs]))
  if (nchar(cs$offset)) {
    w_off <- if (nchar(cs$weights)) d[[cs$weights]] else rep(1, nrow(d))
    nd[[cs$offset]] <- c(weighted.mean(d[[cs$offset]], w_off), 0.25)
  }
  sf <- attempt(paste(cs$case, "survfit(fit, newdata)"), survfit(fit, newdata = nd))
  if (!is.null(sf)) {
    nt <- length(sf$time)
    surv <- matrix(sf$surv, nrow = nt)
    stopifnot(ncol(surv) == nrow(nd))
    sstr <- if (is.null(sf$strata)) rep(1L, nt) else rep(seq_along(sf$strata), sf$strata)
    rows <- lapply(seq_len(nrow(nd)), function(r) {
      se_r <- matrix(sf$std.err, nrow = nt)[, r]
      surv_r <- surv[, r]
      cbind(data.frame(strata = sstr, newdata_row = r, time = sf$time, n_risk = sf$n.risk,
                       n_event = sf$n.event, n_censor = sf$n.censor, survival = surv_r,
                       std_err = se_r, std_err_survival = surv_r * se_r,
                       cumhaz = matrix(sf$cumhaz, nrow = nt)[, r]),
            nd[rep(r, nt), , drop = FALSE])
    })
    write_csv(do.call(rbind, rows), paste0(pre, "_survfit.csv"))
  }

  ## residuals -- anchor: residuals(fit, type) with residuals.coxph defaults:
  ## collapse = FALSE (one value per data row, also for the counting-process and cluster
  ## cases), weighted = TRUE only for dfbeta / dfbetas (score, schoenfeld, scaledsch and
  ## martingale residuals are not multiplied by the case weights).
  write_csv(data.frame(row = seq_len(nrow(d)),
                       martingale = unname(residuals(fit, type = "martingale")),
                       deviance = unname(residuals(fit, type = "deviance"))),
            paste0(pre, "_resid.csv"))
  # Long format: type, row, obs, strata, time, term, value.
  #   score / dfbeta / dfbetas: row = obs = data row, strata = NA, time = NA.
  #   schoenfeld / scaledsch: one row per event in R's output order (by stratum, then
  #     event time, ties in data-row order); row = 1..nevent, obs = the data row of the
  #     event (the order residuals.coxph uses: order(strata, time, -status)), strata =
  #     stratum code, time = event time (the residual's row name).
  #   scaledsch = schoenfeld %*% var * nevent + coef, with var = fit$naive.var for
  #     robust fits (residuals.coxph uses the model-based variance), else fit$var.
  st <- if (nchar(cs$strata)) as.integer(factor(d[[cs$strata]])) else rep(1L, nrow(d))
  stop_t <- d[[cs$time]]
  ord <- order(st, stop_t, -d[[cs$status]])
  ev_obs <- ord[d[[cs$status]][ord] == 1]
  rm_rows <- list()
  for (ty in c("score", "schoenfeld", "scaledsch", "dfbeta", "dfbetas")) {
    r <- attempt(paste(cs$case, "residuals", ty), residuals(fit, type = ty))
    if (is.null(r)) next
    r <- as.matrix(r)
    if (ty %in% c("schoenfeld", "scaledsch")) {
      stopifnot(nrow(r) == length(ev_obs),
                isTRUE(all.equal(as.numeric(rownames(r)), stop_t[ev_obs])))
      meta <- data.frame(row = seq_len(nrow(r)), obs = ev_obs, strata = st[ev_obs],
                         time = stop_t[ev_obs])
    } else {
      meta <- data.frame(row = seq_len(nrow(r)), obs = seq_len(nrow(r)),
                         strata = NA_integer_, time = NA_real_)
    }
    rm_rows[[ty]] <- do.call(rbind, lapply(seq_len(k), function(j)
      cbind(data.frame(type = ty), meta, data.frame(term = covs[j], value = unname(r[, j])))))
  }
  write_csv(do.call(rbind, rm_rows), paste0(pre, "_resid_matrix.csv"))

  ## proportional-hazards test -- anchor: cox.zph(fit, transform = tr) with defaults
  ## terms = TRUE (each dummy column is its own term here, since the factors are already
  ## dummy-coded) and global = TRUE; the survival 3.x score test (not the 2.x
  ## approximation). Rows: covariates in coefficient order, then GLOBAL.
  zrows <- list()
  for (tr in c("km", "rank", "identity")) {
    z <- attempt(paste(cs$case, "cox.zph", tr), cox.zph(fit, transform = tr))
    if (is.null(z)) next
    zrows[[tr]] <- data.frame(transform = tr, term = rownames(z$table),
                              chisq = unname(z$table[, "chisq"]), df = unname(z$table[, "df"]),
                              p = unname(z$table[, "p"]))
  }
  if (length(zrows)) write_csv(do.call(rbind, zrows), paste0(pre, "_zph.csv"))

  ## predictions for the fitted rows -- anchor: predict(fit, type, se.fit) with default
  ## reference = "strata" (survival 3.x): covariates centred at fit$means, or at the
  ## per-stratum (weighted) means for stratified models; identical to "sample" when there
  ## are no strata. Offsets enter as offset - mean(offset) under every reference.
  ## lp_se = se.fit of lp at the default reference. lp_sample / lp_zero: reference =
  ## "sample" / "zero"; lp_zero = x %*% coef + offset - mean(offset) (x not centred).
  ## risk = exp(lp).
  ## expected = predict(type = "expected"): cumulative hazard at each row's (start,) stop
  ## time given its covariates (does not depend on the reference).
  plp <- predict(fit, type = "lp", se.fit = TRUE)
  write_csv(data.frame(row = seq_len(nrow(d)), lp = unname(plp$fit), lp_se = unname(plp$se.fit),
                       risk = unname(predict(fit, type = "risk")),
                       expected = unname(predict(fit, type = "expected")),
                       lp_sample = unname(predict(fit, type = "lp", reference = "sample")),
                       lp_zero = unname(predict(fit, type = "lp", reference = "zero"))),
            paste0(pre, "_predict.csv"))
}

## ---- summary ----------------------------------------------------------------
cat("rows removed by complete cases:",
    paste(names(removed), unlist(removed), sep = " = ", collapse = ", "), "\n")
cat(length(written), "files written to", out, "with survival",
    as.character(packageVersion("survival")), "\n")
for (cs in cases$case) {
  f <- grep(paste0("^cox_", cs, "_(coef|var|naive_var|fit|basehaz|survfit|resid|resid_matrix|zph|predict)[.]csv$"),
            written, value = TRUE)
  cat(sprintf("  %-20s %s\n", cs, paste(sub(paste0("^cox_", cs, "_"), "", f), collapse = " ")))
}
if (length(failures)) {
  cat("anchor functions that errored (nothing written for them):\n")
  cat(paste0("  ", failures, "\n"), sep = "")
} else cat("no anchor function errored\n")
