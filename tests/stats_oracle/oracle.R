# The statistics oracle: R's survival package computes the numbers of specs/stats.md for one
# case and prints them as JSON in the same shape as `livercell stats ... --format json`.
#   Rscript oracle.R km|logrank CSV FORMULA [CONF_TYPE] [CONF_LEVEL]
suppressMessages({library(survival); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
command <- args[1]; csv <- args[2]; f <- as.formula(args[3])
conf_type <- if (length(args) >= 4) args[4] else "log"
conf_level <- if (length(args) >= 5) as.numeric(args[5]) else 0.95
d <- read.csv(csv)
out <- NULL
if (command == "km") {
  fit <- survfit(f, data = d, conf.type = conf_type, conf.int = conf_level)
  ns <- if (is.null(fit$strata)) c(all = length(fit$time)) else fit$strata
  tab <- summary(fit)$table
  if (is.null(dim(tab))) tab <- matrix(tab, nrow = 1, dimnames = list("all", names(tab)))
  start <- 0
  strata <- list()
  for (i in seq_along(ns)) {
    idx <- seq(start + 1, length.out = ns[i]); start <- start + ns[i]
    row <- tab[i, ]
    strata[[i]] <- list(name = names(ns)[i], n = unname(row["n.start"]), n_event = unname(row["events"]),
      time = fit$time[idx], n_risk = fit$n.risk[idx], n_event_at = fit$n.event[idx],
      n_censor = fit$n.censor[idx], surv = fit$surv[idx], std_err = fit$std.err[idx],
      lower = fit$lower[idx], upper = fit$upper[idx], median = unname(row["median"]),
      median_lower = unname(row[grep("LCL$", names(row))]),
      median_upper = unname(row[grep("UCL$", names(row))]))
  }
  out <- list(n = sum(fit$n), n_event = sum(fit$n.event), n_dropped = nrow(d) - sum(fit$n),
              strata = strata)
} else if (command == "cox") {
  fit <- coxph(f, data = d, ties = conf_type)
  s <- summary(fit)
  co <- s$coefficients; ci <- s$conf.int
  coefs <- lapply(seq_len(nrow(co)), function(i) list(term = rownames(co)[i], coef = co[i, "coef"],
    se = co[i, "se(coef)"], z = co[i, "z"], p = co[i, "Pr(>|z|)"], hr = co[i, "exp(coef)"],
    hr_lower = ci[i, 3], hr_upper = ci[i, 4]))
  k <- length(coef(fit))
  tst <- function(chisq) list(chisq = unname(chisq), df = k, p = pchisq(unname(chisq), k, lower.tail = FALSE))
  out <- list(n = fit$n, n_event = fit$nevent, n_dropped = nrow(d) - fit$n, coefficients = coefs,
              loglik = fit$loglik, iterations = fit$iter,
              lr_test = tst(2 * diff(fit$loglik)), wald_test = tst(fit$wald.test),
              score_test = tst(fit$score), concordance = unname(fit$concordance["concordance"]))
} else if (command == "cif") {
  ev <- all.vars(f[[2]])[2]
  d[[ev]] <- factor(d[[ev]])
  fit <- survfit(f, data = d)
  ns <- if (is.null(fit$strata)) c(all = length(fit$time)) else fit$strata
  start <- 0; strata <- list()
  for (i in seq_along(ns)) {
    idx <- seq(start + 1, length.out = ns[i]); start <- start + ns[i]
    strata[[i]] <- list(name = names(ns)[i], time = fit$time[idx], n_risk = fit$n.risk[idx, 1],
      pstate = unname(fit$pstate[idx, , drop = FALSE]), std_err = unname(fit$std.err[idx, , drop = FALSE]))
  }
  out <- list(states = fit$states, n_dropped = nrow(d) - sum(fit$n), strata = strata)
} else if (command == "logrank") {
  sd <- survdiff(f, data = d)
  df <- sum(sd$exp > 0) - 1
  groups <- lapply(seq_along(sd$n), function(i) list(name = names(sd$n)[i], n = unname(sd$n[i]),
    observed = unname(sd$obs[i]), expected = unname(sd$exp[i])))
  out <- list(chisq = sd$chisq, df = df, p = pchisq(sd$chisq, df, lower.tail = FALSE),
              groups = groups)
}
cat(toJSON(out, auto_unbox = TRUE, digits = NA, na = "null"), "\n")
