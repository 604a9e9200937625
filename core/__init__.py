"""semcom_core: the basics every package of the toolkit shares, and nothing of ours below it.

- :mod:`semcom_core.imageio`: images as ``(H, W, 3)`` uint8 RGB (read, write, convert,
  resize to the longer side, scan a folder);
- :mod:`semcom_core.fsutil`: atomic writes that follow the umask;
- :mod:`semcom_core.models`: device resolution and the process-wide model cache;
- :mod:`semcom_core.weights`: pretrained files, one download-and-verify path;
- :mod:`semcom_core.seeds`: the one seed derivation (experiment, grid point, image id);
- :mod:`semcom_core.logs`: logging to a job's log file;
- :mod:`semcom_core.bundled`: the photographs shipped inside scikit-image / scikit-learn;
- :mod:`semcom_core.phy`: one SNR conversion, one seeded AWGN (Sionna's block) and one
  16QAM constellation, shared by the channels and the learned codec.

Importing this package loads nothing heavy (torch and Sionna are imported where used).
"""
