from semcom_codecs.registry import build_codec
from semcom_codecs.safe import safe_decode
from semcom_pipeline.records import write_json
from semcom_pipeline.smk import setup_logging
from seess.imageio import load_rgb, save_png

log = setup_logging(snakemake)
wc = snakemake.wildcards
codec = build_codec(wc.codec, **snakemake.params.options)
original = load_rgb(snakemake.input.original)
encoded = codec.encode(original, float(wc.bpp))
decoded = safe_decode(codec, encoded.data, original.shape, fallback="black")
if decoded.decode_failed:  # a clean stream of our own encoder must decode
    raise RuntimeError(f"{wc.codec} could not decode its own stream: {decoded.reason}")
row = {
    "experiment": "A",
    "system": wc.codec,
    "codec": wc.codec,
    "condition": f"bpp={wc.bpp}",
    "target_bpp": encoded.target_bpp,
    "achieved_bpp": encoded.achieved_bpp,
    "decode_failed": False,
}
save_png(snakemake.output.image, decoded.image)
write_json(snakemake.output.record, {"row": row, "skip": False, "details": {**encoded.record(), **codec.describe()}})
log.info("%s", row)
