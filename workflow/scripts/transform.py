from semcom_pipeline.records import write_json
from semcom_pipeline.smk import setup_logging
from semcom_pipeline.transforms import apply_transform
from seess.imageio import load_rgb, save_png

log = setup_logging(snakemake)
wc = snakemake.wildcards
strength = float(wc.strength)
out = apply_transform(wc.transform, load_rgb(snakemake.input.original), strength)
save_png(snakemake.output.image, out)
row = {
    "experiment": "D",
    "system": wc.transform,
    "condition": f"{wc.transform}={wc.strength}",
    "transform": wc.transform,
    "strength": strength,
    "decode_failed": False,
}
write_json(snakemake.output.record, {"row": row, "skip": False})
