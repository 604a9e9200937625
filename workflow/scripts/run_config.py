from semcom_pipeline.run_config import write_run_config
from semcom_pipeline.smk import setup_logging

log = setup_logging(snakemake)
path = write_run_config(snakemake.output[0], dict(snakemake.params.config))
log.info("effective config written to %s", path)
