#!/usr/bin/env Rscript
# Reference answers for the robust variance of hrrstats' conditional_logistic against
# survival::clogit (which passes robust = TRUE and cluster() terms to coxph; the exact
# method refuses them), on infert (stats):
#   data_clogit_robust_infert.csv   case, spontaneous, induced, set (stratum), pooled
#                                   (pooled.stratum)
#   clogit_robust_<case>_coef.csv   term, coef, se (robust), naive_se
#   clogit_robust_<case>_var.csv    i, j, var (robust), naive_var
#   clogit_robust_<case>_fit.csv    rscore (robust score test), wald (with the robust
#                                   variance), n_cluster
# Cases: approximate_robust (robust = TRUE: each row its own cluster), efron_cluster_set
# (cluster(stratum): by matched set), approximate_cluster_pooled (cluster(pooled.stratum)).
#
# Run from the repository root:  Rscript tests/reference/generate_clogit_robust.R
suppressPackageStartupMessages(library(survival))
source(file.path("tests", "reference", "fixture_io.R"))
w <- fixture_writer("^(clogit_robust_|data_clogit_robust_)")

d <- data.frame(case = infert$case, spontaneous = infert$spontaneous, induced = infert$induced,
                set = infert$stratum, pooled = infert$pooled.stratum)
w(d, "data_clogit_robust_infert.csv")
fits <- list(
  approximate_robust = clogit(case ~ spontaneous + induced + strata(set), data = d,
                              method = "approximate", robust = TRUE),
  efron_cluster_set = clogit(case ~ spontaneous + induced + strata(set) + cluster(set), data = d,
                             method = "efron"),
  approximate_cluster_pooled = clogit(case ~ spontaneous + induced + strata(set) + cluster(pooled),
                                      data = d, method = "approximate"))
for (nm in names(fits)) {
  f <- fits[[nm]]
  b <- coef(f)
  p <- length(b)
  w(data.frame(term = names(b), coef = unname(b), se = sqrt(diag(f$var)),
               naive_se = sqrt(diag(f$naive.var))), sprintf("clogit_robust_%s_coef.csv", nm))
  w(data.frame(i = rep(seq_len(p), each = p), j = rep(seq_len(p), p),
               var = as.vector(t(f$var)), naive_var = as.vector(t(f$naive.var))),
    sprintf("clogit_robust_%s_var.csv", nm))
  w(data.frame(rscore = f$rscore, wald = f$wald.test, n_cluster = length(unique(
    if (nm == "approximate_robust") seq_len(nrow(d)) else if (nm == "efron_cluster_set") d$set else d$pooled))),
    sprintf("clogit_robust_%s_fit.csv", nm))
}
cat("wrote", length(written), "files\n")
