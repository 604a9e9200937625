from semcom_codecs.registry import build_codec
from semcom_pipeline.records import write_json
from semcom_pipeline.smk import setup_logging
from seess.imageio import load_rgb, save_png

log = setup_logging(snakemake)
codec = build_codec(snakemake.wildcards.codec, **snakemake.params.options)
original = load_rgb(snakemake.input.original)
encoded = codec.encode(original, float(snakemake.wildcards.bpp))
decoded = codec.decode(encoded.data, original.shape)
record = {**encoded.record(), **codec.describe(), "image": snakemake.wildcards.image, "decode_failed": False}
save_png(snakemake.output.image, decoded)
write_json(snakemake.output.record, record)
log.info("%s", record)
