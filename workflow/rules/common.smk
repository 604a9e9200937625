# Config validation (before any job), the image selection, and the lists of targets.
import functools
import os

from snakemake.utils import validate

from semcom_pipeline.config import validate_config
from semcom_pipeline.figures import figure_names
from semcom_pipeline.plan import Plan
from semcom_pipeline.sample import select_images

_SCHEMA = os.path.join(workflow.basedir, "workflow", "schemas", "config.schema.yaml")
# Our validation first: its messages name the key (experiments.B.systems.x.codec: unknown
# codec 'jpg'; available: ...), it fills nested defaults and checks every registered name.
_validated = validate_config(config, _SCHEMA)
config.clear()
config.update(_validated)
validate(config, _SCHEMA)  # Snakemake's own schema check, on the filled config

if workflow.is_main_process:
    # Building the metrics to list their weights imports torch: done once, by the process
    # that schedules the jobs, never by a job (a SLURM job re-parses this file).
    from semcom_pipeline.weights_check import check_weights

    check_weights(
        config
    )  # stop before the first job, listing every missing weight file

RESULTS = "results"
IMAGES = select_images(config["sample"], config["seed"])
PLAN = Plan(config)
FIGURE_NAMES = figure_names(config)


wildcard_constraints:
    image="[A-Za-z0-9_-]+",
    codec="[a-z0-9_]+",
    bpp="[0-9.e-]+",
    exp="[A-Z]",
    system="[A-Za-z0-9_+.-]+",
    cond="[A-Za-z0-9_.=+-]+",
    transform="[a-z_]+",
    strength="[0-9.e-]+",
    snr="-?[0-9.e]+",


def originals():
    return expand(f"{RESULTS}/originals/{{image}}.png", image=sorted(IMAGES))


def received(exp, system, cond):
    return expand(
        f"{RESULTS}/{exp}/{system}/{cond}/{{image}}.png", image=sorted(IMAGES)
    )


def records(exp, system, cond):
    return expand(
        f"{RESULTS}/{exp}/{system}/{cond}/{{image}}.json", image=sorted(IMAGES)
    )


def all_shards():
    return [
        f"{RESULTS}/{exp}/scores/{system}/{cond}.csv"
        for exp, system, cond in PLAN.shards()
    ]


def figures(for_report=False):
    paths = expand(
        f"{RESULTS}/figures/{{name}}.{{ext}}", name=FIGURE_NAMES, ext=["png", "pdf"]
    )
    if for_report:
        caption = os.path.join(workflow.basedir, "workflow", "report", "figure.rst")
        # (`report` must not start a line: Snakemake would parse it as the directive)
        flag = functools.partial(report, caption=caption, category="Figures")
        paths = [flag(p) if p.endswith(".png") else p for p in paths]
    return paths


def example_tables():
    """Fig. 13's table: its own rule's output (the plot rule renders it)."""
    if "fig13_example_table" in FIGURE_NAMES:
        return [f"{RESULTS}/figures/fig13_example_table.csv"]
    return []


def plot_inputs(wildcards):
    return {
        "summary": f"{RESULTS}/summary.csv",
        **dict(zip(["table"], example_tables())),
    }


def all_targets():
    # Intermediate images are targets too, so a deleted one is rebuilt (with what depends on it)
    # instead of being silently left missing.
    inter = [p for s in PLAN.shards() for p in received(*s) + records(*s)]
    return [
        *originals(),
        *inter,
        *all_shards(),
        f"{RESULTS}/scores.csv",
        f"{RESULTS}/summary.csv",
        *example_tables(),
        *figures(),
    ]
