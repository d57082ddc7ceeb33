"""shapecheck: a static tensor-shape checker for Keras and tf.keras code."""

__version__ = "0.1.0"
