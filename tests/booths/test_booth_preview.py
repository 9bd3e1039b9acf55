"""The server-side preview picture of a fitted model."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from metaexpo.booths.preview import HEIGHT, WIDTH, render_preview
from metaexpo.models import normalise_model
from tests.backoffice import DUCK


def test_a_fitted_model_renders_to_a_picture_showing_it() -> None:
    fitted = normalise_model(DUCK)
    assert fitted.glb is not None
    image = Image.open(io.BytesIO(render_preview(fitted.glb)))
    assert image.format == "PNG" and image.size == (WIDTH, HEIGHT)
    pixels = np.asarray(image.convert("RGB")).reshape(-1, 3)
    yellow = (pixels[:, 0] > 180) & (pixels[:, 1] > 150) & (pixels[:, 2] < 80)
    assert yellow.mean() > 0.1, "the duck's yellow should fill a good part of the picture"


def test_bytes_that_are_not_a_model_raise_value_error() -> None:
    with pytest.raises(ValueError):
        render_preview(b"glTF" + bytes(40))
