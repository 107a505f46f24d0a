#!/usr/bin/env Rscript
# Reference answers for hrrstats' case_cohort against survival::cch, on the Wilms
# tumour example of cch's help page (nwtco: cases and the random subcohort, age in
# years, stage and histology as factors; cohort of 4028).
#
#   data_cch_nwtco.csv      seqno, edrel, rel, subcohort, instit, stage (I-IV), histol
#                           (FH/UH), age, the design columns stageII, stageIII,
#                           stageIV, histolUH, and an artificial delayed entry `entry`
#                           (edrel x (seqno mod 5) / 10, rounded to 0.1)
#   cch_<case>_coef.csv     term, coef, se (sqrt(diag(vcov(fit))))
#   cch_<case>_var.csv      i, j, var, naive_var (cch's $var and $naive.var)
#   cch_<case>_fit.csv      loglik0, loglik1 (cch's $loglik; NA for Prentice, whose
#                           $loglik is not of its own estimate), n, subcohort, cohort
# Cases: Prentice, SelfPrentice, LinYing, LinYing_robust (robust = TRUE), and the
# exposure-stratified I.Borgan and II.Borgan with stratum = instit and cohort sizes
# table(nwtco$instit), as the help page; Prentice_entry, LinYing_entry and
# II.Borgan_entry on Surv(entry, edrel, rel) (delayed entry).
#
# Run from the repository root:  Rscript tests/reference/generate_case_cohort.R
suppressPackageStartupMessages(library(survival))
source(file.path("tests", "reference", "fixture_io.R"))
w <- fixture_writer("^(cch_|data_cch_)")

subcoh <- nwtco$in.subcohort
selccoh <- with(nwtco, rel == 1 | subcoh == 1)
d <- nwtco[selccoh, ]
d$subcohort <- subcoh[selccoh]
d$histol <- factor(d$histol, labels = c("FH", "UH"))
d$stage <- factor(d$stage, labels = c("I", "II", "III", "IV"))
d$age <- d$age / 12
X <- model.matrix(~ stage + histol + age, d)[, -1]
d$entry <- round(d$edrel * ((d$seqno %% 5) / 10), 1)
w(data.frame(seqno = d$seqno, edrel = d$edrel, rel = d$rel, subcohort = as.integer(d$subcohort),
             instit = d$instit, stage = d$stage, histol = d$histol, age = d$age,
             stageII = X[, "stageII"], stageIII = X[, "stageIII"], stageIV = X[, "stageIV"],
             histolUH = X[, "histolUH"], entry = d$entry), "data_cch_nwtco.csv")

stratsizes <- table(nwtco$instit)
fits <- list(
  Prentice = cch(Surv(edrel, rel) ~ stage + histol + age, data = d, subcoh = ~subcohort,
                 id = ~seqno, cohort.size = 4028, method = "Prentice"),
  SelfPrentice = cch(Surv(edrel, rel) ~ stage + histol + age, data = d, subcoh = ~subcohort,
                     id = ~seqno, cohort.size = 4028, method = "SelfPrentice"),
  LinYing = cch(Surv(edrel, rel) ~ stage + histol + age, data = d, subcoh = ~subcohort,
                id = ~seqno, cohort.size = 4028, method = "LinYing"),
  LinYing_robust = cch(Surv(edrel, rel) ~ stage + histol + age, data = d, subcoh = ~subcohort,
                       id = ~seqno, cohort.size = 4028, method = "LinYing", robust = TRUE),
  I.Borgan = cch(Surv(edrel, rel) ~ stage + histol + age, data = d, subcoh = ~subcohort,
                 id = ~seqno, stratum = ~instit, cohort.size = stratsizes, method = "I.Borgan"),
  II.Borgan = cch(Surv(edrel, rel) ~ stage + histol + age, data = d, subcoh = ~subcohort,
                  id = ~seqno, stratum = ~instit, cohort.size = stratsizes, method = "II.Borgan"),
  Prentice_entry = cch(Surv(entry, edrel, rel) ~ stage + histol + age, data = d, subcoh = ~subcohort,
                       id = ~seqno, cohort.size = 4028, method = "Prentice"),
  LinYing_entry = cch(Surv(entry, edrel, rel) ~ stage + histol + age, data = d, subcoh = ~subcohort,
                      id = ~seqno, cohort.size = 4028, method = "LinYing"),
  II.Borgan_entry = cch(Surv(entry, edrel, rel) ~ stage + histol + age, data = d, subcoh = ~subcohort,
                        id = ~seqno, stratum = ~instit, cohort.size = stratsizes, method = "II.Borgan"))
for (nm in names(fits)) {
  f <- fits[[nm]]
  b <- coef(f)
  w(data.frame(term = names(b), coef = unname(b), se = sqrt(diag(vcov(f)))),
    sprintf("cch_%s_coef.csv", nm))
  p <- length(b)
  w(data.frame(i = rep(seq_len(p), each = p), j = rep(seq_len(p), p),
               var = as.vector(t(f$var)), naive_var = as.vector(t(f$naive.var))),
    sprintf("cch_%s_var.csv", nm))
  ll <- if (startsWith(nm, "Prentice")) c(NA, NA) else f$loglik
  w(data.frame(loglik0 = ll[1], loglik1 = ll[2], n = nrow(d), subcohort = sum(d$subcohort),
               cohort = sum(f$cohort.size)), sprintf("cch_%s_fit.csv", nm))
}
cat("wrote", length(written), "files\n")
