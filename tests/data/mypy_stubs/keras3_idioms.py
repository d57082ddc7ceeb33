"""Idiomatic Keras 3 code, mostly unannotated (as most Keras code is)."""
import keras
import numpy as np
from keras import layers, ops
from keras.callbacks import EarlyStopping, ModelCheckpoint
from keras.src.layers import Dense
import keras.src.ops
from keras.src.layers.core.dense import Dense as DeepDense


@keras.saving.register_keras_serializable()
class Residual(layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.dense = layers.Dense(units)
        self.norm = layers.LayerNormalization()

    def build(self, input_shape):
        self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones", trainable=True)
        super().build(input_shape)

    def call(self, inputs, training=None):
        x = self.dense(inputs)
        x = self.norm(x, training=training)
        return inputs + x * self.scale

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units})
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class Classifier(keras.Model):
    def __init__(self, num_classes=10, **kwargs):
        super().__init__(**kwargs)
        self.body = keras.Sequential([layers.Dense(64, activation="relu"), layers.Dropout(0.2)])
        self.head = layers.Dense(num_classes)
        self.loss_tracker = keras.metrics.Mean(name="loss")

    def call(self, inputs, training=False):
        return self.head(self.body(inputs, training=training))

    def compile(self, optimizer="adam", loss=None, **kwargs):
        super().compile(optimizer=optimizer, loss=loss, **kwargs)

    def train_step(self, data):
        x, y = data
        y_pred = self(x, training=True)
        loss = self.compute_loss(x=x, y=y, y_pred=y_pred)
        self.loss_tracker.update_state(loss)
        return {"loss": self.loss_tracker.result()}

    @property
    def metrics(self):
        return [self.loss_tracker]


class PrintEpoch(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        super().on_epoch_end(epoch, logs)
        print(epoch, (logs or {}).get("loss"))


class MeanError(keras.metrics.Metric):
    def __init__(self, name="mean_error", **kwargs):
        super().__init__(name=name, **kwargs)
        self.total = self.add_weight(name="total", initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        self.total.assign_add(ops.sum(ops.abs(y_true - y_pred)))

    def result(self):
        return self.total


class WarmUp(keras.optimizers.schedules.LearningRateSchedule):
    def __init__(self, base):
        self.base = base

    def __call__(self, step):
        return self.base * ops.minimum(1.0, ops.cast(step, "float32") / 1000.0)


inputs = keras.Input(shape=(28, 28, 1))
x = layers.Conv2D(32, 3, activation="relu")(inputs)
x = layers.MaxPooling2D()(x)
x = layers.Convolution2D(16, (3, 3), padding="same")(x)
x = layers.Flatten()(x)
features = x.shape[1] * 2
width = int(x.shape[-1])
x = Dense(features)(x)
x = DeepDense(10)(x)
x = x + 1
x = -x
x = x * 2.0 - x / 3
first = x[:, 0]
w = ops.ones((10, 4))
y = x @ w
y = ops.matmul(x, w)
y = ops.reshape(y, (-1, 2, 2))
y = keras.ops.softmax(y, axis=-1)
y = keras.src.ops.relu(y)
z = ops.mean(y, axis=1) > 0.5
outputs = layers.Dense(10, activation="softmax")(layers.Flatten()(y))
model = keras.Model(inputs, outputs)
last = model.layers[-1].output
first_layer = model.get_layer(index=0)
model.layers[0].trainable = False
model.trainable = True
model.compile(optimizer=keras.optimizers.Adam(learning_rate=WarmUp(1e-3)),
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=False),
              metrics=["accuracy", MeanError()])
model.summary()
(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train = x_train.astype("float32")[..., None] / 255.0
y_onehot = keras.utils.to_categorical(y_train, 10)
history = model.fit(x_train, y_train, epochs=1, batch_size=128, validation_split=0.1,
                    callbacks=[EarlyStopping(patience=2), ModelCheckpoint("m.keras"), PrintEpoch()])
print(history.history["loss"][-1])
preds = model.predict(x_test[:4])
print(np.argmax(preds, axis=-1))
model.save("model.keras")
restored = keras.saving.load_model("model.keras", custom_objects={"Residual": Residual})
clf = Classifier()
clf.compile(loss="sparse_categorical_crossentropy")
seq = keras.Sequential()
seq.add(keras.Input(shape=(4,)))
seq.add(Residual(4))
seq.add(layers.Dense(1))
seq.pop()
count = seq.count_params() + 1
keras.backend.clear_session()
keras.utils.set_random_seed(0)
noise = keras.random.normal((2, 3))
merged = layers.concatenate([inputs, inputs], axis=-1)
added = layers.Add()([inputs, inputs])
policy = keras.mixed_precision.set_global_policy("mixed_float16")
init = keras.initializers.GlorotUniform(seed=1)
reg = keras.regularizers.l2(1e-4)
act = keras.activations.relu
