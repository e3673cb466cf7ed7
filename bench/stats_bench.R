# Times R's survival model calls for bench/stats_bench (read.csv timed separately).
#   Rscript stats_bench.R km|logrank|cox|cif CSV
suppressMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
t_read <- system.time(d <- read.csv(args[2]))[["elapsed"]]
cmd <- args[1]
t_model <- system.time({
  if (cmd == "km") survfit(Surv(time, status > 0) ~ trt, data = d)
  if (cmd == "logrank") survdiff(Surv(time, status > 0) ~ trt, data = d)
  if (cmd == "cox") coxph(Surv(time, status > 0) ~ age + log(bili) + log(albumin) + log(protime) +
                            strata(sex), data = d, ties = "efron")
  if (cmd == "cif") { d$status <- factor(d$status); survfit(Surv(time, status) ~ trt, data = d) }
})[["elapsed"]]
cat(t_model, t_read, "\n")
