"""tf.keras (Keras 2 style), tf_keras and tf.data idioms."""
import tensorflow as tf
import tf_keras
from tensorflow import keras
from tensorflow.keras import layers
from tensorflow.keras.layers import Dense, Conv2D
from tensorflow.keras.models import Model, Sequential
from tensorflow.keras.optimizers import Adam
from tensorflow.keras.layers.experimental import preprocessing
from sklearn.model_selection import train_test_split


def f(x: tf.Tensor) -> tf.Tensor:
    return tf.nn.relu(x) + 1.0


def normalize(image, label):
    image = tf.cast(image, tf.float32) / 255.0
    return tf.reshape(image, (28, 28, 1)), label


class Block(tf.keras.layers.Layer):
    def __init__(self, filters, **kwargs):
        super(Block, self).__init__(**kwargs)
        self.conv = Conv2D(filters, 3, padding="same")
        self.bn = layers.BatchNormalization()

    def call(self, x, training=False):
        return tf.nn.relu(self.bn(self.conv(x), training=training))

    def get_config(self):
        base = super(Block, self).get_config()
        return dict(list(base.items()) + [("filters", 3)])


class Net(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.block = Block(8)
        self.pool = tf.keras.layers.GlobalAveragePooling2D()
        self.out = tf.keras.layers.Dense(10)

    def call(self, x):
        return self.out(self.pool(self.block(x)))

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            logits = self(x, training=True)
            loss = self.compiled_loss(y, logits)
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        return {"loss": loss}


@tf.function
def step(model, x):
    return model(x, training=False)


tf.keras.backend.clear_session()
(x_train, y_train), _ = tf.keras.datasets.mnist.load_data()
x_a, x_b, y_a, y_b = train_test_split(x_train, y_train, test_size=0.2)
ds = (tf.data.Dataset.from_tensor_slices((x_a, y_a))
      .map(normalize, num_parallel_calls=tf.data.AUTOTUNE)
      .shuffle(1000).batch(32).prefetch(tf.data.AUTOTUNE))
for images, labels in ds.take(1):
    print(images.shape, labels.shape)

inp = tf.keras.Input(shape=(28, 28, 1))
h = preprocessing.Rescaling(1.0 / 255)(inp)
h = Conv2D(8, 3)(h)
h = tf.keras.layers.Flatten()(h)
out = Dense(10, activation="softmax")(h)
model = Model(inputs=inp, outputs=out)
model.compile(optimizer=Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(ds, epochs=1, callbacks=[tf.keras.callbacks.EarlyStopping(patience=1)])
seq = Sequential([layers.Dense(4, input_shape=(8,)), layers.Dense(1)])
net = Net()
net.compile(optimizer="adam", loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
t = tf.constant([[1.0, 2.0]])
t2 = tf.matmul(t, tf.transpose(t))
t3 = tf.reduce_sum(t2, axis=-1) * 2
v = tf.Variable(tf.zeros((3,)))
v.assign_add(tf.ones((3,)))
m = tf.math.reduce_mean(t) + tf.linalg.trace(t2)
img = tf.image.resize(tf.zeros((1, 8, 8, 3)), (4, 4))
n = int(tf.shape(t)[0])

k2 = tf_keras.Sequential([tf_keras.layers.Dense(3, input_shape=(2,)), tf_keras.layers.Dropout(0.5)])
k2.compile(optimizer=tf_keras.optimizers.SGD(0.1), loss="mse")
k2_in = tf_keras.Input(shape=(2,))
k2_out = tf_keras.layers.Dense(1)(k2_in)
k2_model = tf_keras.Model(k2_in, k2_out)
tf_keras.backend.clear_session()
