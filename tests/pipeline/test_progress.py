"""Progress: bars count images (score, transmit during LDPC decoding too); each job's log starts
and ends with one line; log lines never share a line with a bar (issue 15 finding 9)."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap

from semcom_core.imageio import resize_longer_side, save_png
from semcom_pipeline.config import validate_config
from semcom_pipeline.experiment_b import transmit_shard
from semcom_pipeline.records import read_json
from semcom_pipeline.scoring import score_pairs


def _originals(tmp_path, bundled_images, n=3, side=40):
    out = {}
    for name in sorted(bundled_images)[:n]:
        p = tmp_path / f"{name}.png"
        save_png(p, resize_longer_side(bundled_images[name], side))
        out[name] = str(p)
    return out


def test_score_bar_counts_images_not_metrics(tmp_path, bundled_images, capsys):
    originals = _originals(tmp_path, bundled_images)
    pairs = [(i, p, p) for i, p in originals.items()]
    recs = {
        i: {"experiment": "A", "system": "s", "condition": "bpp=1", "decode_failed": False}
        for i in originals
    }
    rows = score_pairs(pairs, ["psnr", "ssim"], recs, device="cpu")
    assert len(rows) == 6
    err = capsys.readouterr().err
    assert re.search(r"score: 100%\S* 3/3 ", err), err[-500:]
    assert not re.search(r"\b\d/2\b", err)  # no bar over the two metrics


def test_transmit_bar_counts_images_through_ldpc_decoding(tmp_path, bundled_images, capsys):
    originals = _originals(tmp_path, bundled_images)
    cfg = validate_config(
        {
            "seed": 0,
            "sample": {"source": "bundled"},
            "experiments": {
                "B": {
                    "snr_db": [10],
                    "systems": {
                        "jpeg2000+ldpc-qpsk": {
                            "codec": "jpeg2000",
                            "link": "ldpc",
                            "modulation": "qpsk",
                        }
                    },
                }
            },
        }
    )
    out = tmp_path / "B"
    transmit_shard("jpeg2000+ldpc-qpsk", 10.0, originals, out, cfg, device="cpu")
    err = capsys.readouterr().err
    assert re.search(r"jpeg2000\+ldpc-qpsk 10 dB: 100%\S* 3/3 ", err), err[-500:]
    for i in originals:
        rec = read_json(out / f"{i}.json")
        assert rec["details"]["link"]["n_blocks"] >= 1 and (out / f"{i}.png").is_file()


_JOB = textwrap.dedent(
    """
    import sys, types, logging
    from tqdm import tqdm
    from semcom_pipeline.smk import setup_logging

    class Wildcards(dict):
        pass

    smk = types.SimpleNamespace(
        rule="score", log=[sys.argv[1]], input=["a.png", "b.png"],
        wildcards=Wildcards(exp="A", system="jpeg", cond="bpp0.5"),
    )
    log = setup_logging(smk)
    for i in tqdm(range(3), desc="score", unit="image"):
        log.info("image %d scored", i)
    if sys.argv[2] == "fail":
        raise RuntimeError("metric exploded")
    """
)


def _job(tmp_path, mode):
    log = tmp_path / f"{mode}.log"
    p = subprocess.run(
        [sys.executable, "-c", _JOB, str(log), mode],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return p, log.read_text().splitlines()


def test_job_log_has_one_start_and_one_end_line(tmp_path):
    p, lines = _job(tmp_path, "ok")
    assert p.returncode == 0, p.stderr
    assert "start score exp=A system=jpeg cond=bpp0.5 (2 input files)" in lines[0]
    assert re.search(r"done score exp=A system=jpeg cond=bpp0.5 in \d+\.\d s$", lines[-1])
    assert len(lines) == 5 and all("%|" not in line for line in lines)  # no bars in the log
    # on stderr, every log record starts its own line, never after a bar
    records = [seg for seg in re.split(r"[\r\n]", p.stderr) if " INFO " in seg]
    assert len(records) == 5
    assert all(re.match(r"^\d{4}-\d\d-\d\d ", r) for r in records), records
    p, lines = _job(tmp_path, "fail")
    assert p.returncode != 0
    assert "FAILED score exp=A" in lines[-1] and "metric exploded" in lines[-1]
