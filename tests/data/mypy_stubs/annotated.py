"""Fully annotated Keras code: must pass mypy --strict with the stubs."""
from typing import Any, Optional

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


# annotated overrides of the stubs' (*args: Any, **kwargs: Any) methods are compatible
class Annotated(keras.layers.Layer):
    def build(self, input_shape: tuple[Optional[int], ...]) -> None:
        super().build(input_shape)
    def call(self, inputs: keras.KerasTensor, training: bool = False) -> keras.KerasTensor:
        return inputs * 2
    def compute_output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        return input_shape

class AnnotatedModel(keras.Model):
    def compile(self, optimizer: str = "adam", **kwargs: Any) -> None:
        super().compile(optimizer=optimizer, **kwargs)
    def train_step(self, data: tuple[tf.Tensor, tf.Tensor]) -> dict[str, float]:
        return {}
    def summary(self) -> None:
        print("M")

class StopCallback(keras.callbacks.Callback):
    def on_epoch_end(self, epoch: int, logs: Optional[dict[str, float]] = None) -> None:
        self.model.stop_training = True

class Data(keras.utils.PyDataset):
    def __len__(self) -> int:
        return 1
    def __getitem__(self, i: int) -> tuple[int, int]:
        return (i, i)

class MyDense(keras.layers.Dense):
    pass
