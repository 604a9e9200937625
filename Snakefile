# semcom-eval: SeSS and baseline metrics on images sent through codecs and channels.
# Rules live in workflow/rules/, scripts in workflow/scripts/, the config schema in workflow/schemas/.


configfile: "config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
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
