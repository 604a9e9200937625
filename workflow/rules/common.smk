# Config validation (before any job), the image selection, and the lists of targets.
import functools
import os

from snakemake.logging import logger
from snakemake.utils import validate

from semcom_pipeline.config import cache_dir, resolve_base, run_dir, validate_config
from semcom_pipeline.experiment_c import FIGURES_C
from semcom_pipeline.figures import figure_names
from semcom_pipeline.plan import Plan
from semcom_pipeline.preflight import check_output_folder
from semcom_pipeline.sample import select_images
from semcom_pipeline.smk import code_version

_SCHEMA = os.path.join(workflow.basedir, "workflow", "schemas", "config.schema.yaml")
# Our validation first: its messages name the key (experiments.B.systems.x.codec: unknown
# codec 'jpg'; available: ...), it fills nested defaults and checks every registered name.
# `base:` configs are merged in first (semcom_pipeline.config.resolve_base).
_validated = validate_config(resolve_base(config, [".", workflow.basedir]), _SCHEMA)
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

# The code behind each step that makes images or scores, carried in that step's params (code=...), so
# that an edit or an update of it makes Snakemake redo its outputs and everything downstream.
SCORE_CODE = code_version("semcom_metrics", "seess", "semcom_core")
_SHARD_CODE = ("semcom_core", "semcom_pipeline.grid", "semcom_pipeline.records")
SAMPLE_CODE = code_version("semcom_core", "semcom_pipeline.sample")
COMPRESS_CODE = code_version(*_SHARD_CODE, "semcom_pipeline.shards", "semcom_codecs")
TRANSFORM_CODE = code_version(
    *_SHARD_CODE, "semcom_pipeline.shards", "semcom_pipeline.transforms"
)
TRANSMIT_CODE = code_version(
    *_SHARD_CODE,
    "semcom_pipeline.experiment_b",
    "semcom_pipeline.systems",
    "semcom_channels",
    "semcom_codecs",
)
GENERATE_CODE = code_version(
    *_SHARD_CODE, "semcom_pipeline.experiment_c", "semcom_generation"
)

RESULTS = run_dir(config)  # this run's folder: results/<run_name>/
CACHE = cache_dir(config)  # shared by every run: results/cache/
logger.info(
    f"config: {', '.join(map(str, workflow.configfiles)) or '(none)'}; run folder: {RESULTS}/"
)
# a clear error before any job when the results cannot be written
check_output_folder(RESULTS)
IMAGES = select_images(config["sample"], config["seed"])
# fewer images than asked only with sample.on_shortfall: warn (else select_images stops)
if len(IMAGES) < config["sample"]["count"]:
    logger.warning(
        f"sample: {config['sample']['count']} images asked for, only {len(IMAGES)} available;"
        " this run uses them all"
    )
PLAN = Plan(config)
FIGURE_NAMES = figure_names(config)


wildcard_constraints:
    image="[A-Za-z0-9_-]+",
    codec="[a-z0-9_]+",
    bpp="[0-9.e-]+",
    exp="[A-Z]",
    system="[A-Za-z0-9_+.-]+",
    cond="[A-Za-z0-9_.=+,-]+",
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


def figures_c(for_report=False):
    """Figs 12 and 16 as PNG + PDF (none when Experiment C is off, unless for the rule)."""
    if not (config["experiments"]["C"]["enabled"] or for_report):
        return []
    paths = expand(
        f"{RESULTS}/figures/{{name}}.{{ext}}", name=FIGURES_C, ext=["png", "pdf"]
    )
    if for_report:
        caption = os.path.join(workflow.basedir, "workflow", "report", "figure.rst")
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
        f"{RESULTS}/config.yaml",
        *originals(),
        *inter,
        *all_shards(),
        f"{RESULTS}/scores.csv",
        f"{RESULTS}/summary.csv",
        *example_tables(),
        *figures(),
        *figures_c(),  # workflow/rules/experiment_c.smk
    ]
