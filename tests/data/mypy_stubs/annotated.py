"""Fully annotated Keras code: must pass mypy --strict with the stubs."""
from typing import Any

import keras
import tensorflow as tf
from keras import layers, ops


def block(x: keras.KerasTensor, units: int) -> keras.KerasTensor:
    return layers.Dense(units)(x)


def activate(x: keras.KerasTensor) -> keras.KerasTensor:
    y = ops.relu(x) + 1
    return -y[:, :2] @ ops.ones((2, 2))


def tf_block(x: tf.Tensor) -> tf.Tensor:
    return tf.nn.relu(x)


def build_layer() -> keras.layers.Layer:
    return layers.Dense(3)


def build_model(width: int) -> keras.Model:
    inputs = keras.Input(shape=(width,))
    x = activate(block(inputs, 8))
    outputs = layers.Dense(1)(x)
    return keras.Model(inputs, outputs)


class Scale(keras.layers.Layer):
    def __init__(self, factor: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, inputs: keras.KerasTensor) -> keras.KerasTensor:
        return ops.multiply(inputs, self.factor)

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = super().get_config()
        config["factor"] = self.factor
        return config


def widths(model: keras.Model) -> list[int]:
    return [int(layer.output.shape[-1]) for layer in model.layers]


model: keras.Model = build_model(4)
layer: keras.layers.Layer = build_layer()
seq: keras.Sequential = keras.Sequential([layer, Scale(2.0)])
tensor: keras.KerasTensor = keras.Input(shape=(3,))
doubled = tensor * 2
n: int = int(tensor.shape[-1])
print(widths(model), doubled, n, seq)
