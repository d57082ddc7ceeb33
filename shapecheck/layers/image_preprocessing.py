"""Rules for the image augmentation and bounding-box layers of
``keras/src/layers/preprocessing/image_preprocessing``, and ``Pipeline``."""

from __future__ import annotations
