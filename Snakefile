# semcom-eval: SeSS and baseline metrics on images sent through codecs and channels.
# Rules live in workflow/rules/, scripts in workflow/scripts/, the config schema in workflow/schemas/.
# Targets come before options: `snakemake train_deepjscc --configfile X` (docs/architecture.md).
from snakemake.utils import min_version

min_version("9.0")


configfile: "config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/sample.smk"
include: "workflow/rules/experiment_a.smk"
include: "workflow/rules/experiment_b.smk"
include: "workflow/rules/experiment_d.smk"
include: "workflow/rules/score.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/report.smk"


rule all:
    input:
        all_targets(),
