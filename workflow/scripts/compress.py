from semcom_codecs.registry import build_codec
from semcom_pipeline.records import write_json
from semcom_pipeline.smk import setup_logging
from seess.imageio import load_rgb, save_png

log = setup_logging(snakemake)
wc = snakemake.wildcards
codec = build_codec(wc.codec, **snakemake.params.options)
original = load_rgb(snakemake.input.original)
encoded = codec.encode(original, float(wc.bpp))
decoded = codec.decode(encoded.data, original.shape)
row = {
    "experiment": "A",
    "system": wc.codec,
    "codec": wc.codec,
    "condition": f"bpp={wc.bpp}",
    "target_bpp": encoded.target_bpp,
    "achieved_bpp": encoded.achieved_bpp,
    "decode_failed": False,
}
save_png(snakemake.output.image, decoded)
write_json(snakemake.output.record, {"row": row, "skip": False, "details": {**encoded.record(), **codec.describe()}})
log.info("%s", row)
