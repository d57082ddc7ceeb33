import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
# TensorFlow 2.21's oneDNN kernels corrupt the heap after a long run of rejected
# tf.matmul calls (the oracle tests make hundreds): the worker dies with
# "munmap_chunk(): invalid pointer". The reference kernels compute the same shapes.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
