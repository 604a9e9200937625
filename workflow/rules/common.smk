# Config validation (before any job), the image selection, and target lists.
import os

from semcom_pipeline.config import validate_config
from semcom_pipeline.figures import figure_names
from semcom_pipeline.records import fmt_num
from semcom_pipeline.sample import select_images

_validated = validate_config(config, os.path.join(workflow.basedir, "workflow", "schemas", "config.schema.yaml"))
config.clear()
config.update(_validated)

RESULTS = "results"
IMAGES = select_images(config["sample"], config["seed"])
EXP_A = config["experiments"]["A"]
FIGURE_NAMES = figure_names(config)


wildcard_constraints:
    image="[A-Za-z0-9_-]+",
    codec="[a-z0-9_]+",
    bpp="[0-9.e-]+",


def originals():
    return expand(f"{RESULTS}/originals/{{image}}.png", image=sorted(IMAGES))


def shards_a():
    if not EXP_A["enabled"]:
        return []
    return expand(
        f"{RESULTS}/A/scores/{{codec}}/bpp{{bpp}}.csv",
        codec=EXP_A["codecs"],
        bpp=[fmt_num(b) for b in EXP_A["bpp"]],
    )


def all_shards():
    return shards_a()


def all_targets():
    figures = expand(f"{RESULTS}/figures/{{name}}.{{ext}}", name=FIGURE_NAMES, ext=["png", "pdf"])
    return [f"{RESULTS}/scores.csv", f"{RESULTS}/summary.csv", *figures]
