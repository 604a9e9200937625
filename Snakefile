# semcom-eval: SeSS and baseline metrics on images sent through codecs and channels.
# Rules live in workflow/rules/, scripts in workflow/scripts/, the config schema in workflow/schemas/.
# Targets come before options: `snakemake train_deepjscc --configfile X` (docs/architecture.md).
from snakemake.utils import min_version

min_version("9.0")


# config.yaml is the default run, read only when no --configfile is given: a config passed with
# --configfile is complete on its own (schema defaults fill the rest; layer with `base:`).
if not workflow.overwrite_configfiles:

    configfile: "config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/run.smk"
include: "workflow/rules/sample.smk"
include: "workflow/rules/experiment_a.smk"
include: "workflow/rules/experiment_b.smk"
include: "workflow/rules/experiment_c.smk"
include: "workflow/rules/experiment_d.smk"
include: "workflow/rules/score.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/agree.smk"


rule all:
    input:
        all_targets(),
        alignment_targets(config, RESULTS),
