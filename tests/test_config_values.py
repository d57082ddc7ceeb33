"""Configuration values reach the layers: argparse defaults, absl flags, click options, namespaces,
config dicts, dataclasses and NamedTuples, config classes (issue 10).

Every program here is also run for real, in a subprocess, by Python with the real argparse,
click, absl, ml_collections and easydict, and with a stand-in ``keras`` whose ``Dense`` only
records the ``units`` it is given and the line it is given on: what the program really passes
is the ground truth, and shapecheck's ``Dense`` output must end in exactly that (Keras's Dense
makes ``(..., units)``; tests/test_oracle_core.py compares that rule with Keras). A line marked
``# unknown`` is one shapecheck must leave unknown (the value comes from outside the program, or
from a path that may not run), whatever the real run happened to give there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections import defaultdict
from pathlib import Path

import pytest

from shapecheck.api import check_source
from shapecheck.core import dims

#: a stand-in for keras: Dense records (line, units); the record is printed at exit
FAKE_KERAS = '''
import atexit, json, sys
_seen = []
def Input(shape=None, **kwargs):
    return object()
class _Dense:
    def __init__(self, units, **kwargs):
        _seen.append((sys._getframe(1).f_lineno, units))
    def __call__(self, x, *args, **kwargs):
        return x
class layers:
    Dense = _Dense
class Model:
    def __init__(self, *args, **kwargs):
        pass
atexit.register(lambda: print("UNITS=" + json.dumps(_seen, default=repr)))
'''

HEADER = "import keras\nx = keras.Input(shape=(3,))\n"


def real_units(tmp_path: Path, source: str) -> dict[int, list]:
    """Run the program with the stand-in keras and no command-line arguments: the units per line."""
    package = tmp_path / "fake" / "keras"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text(FAKE_KERAS)
    program = tmp_path / "program.py"
    program.write_text(source)
    env = dict(os.environ, PYTHONPATH=str(tmp_path / "fake"))
    done = subprocess.run([sys.executable, str(program)], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=60)
    record = [line for line in done.stdout.splitlines() if line.startswith("UNITS=")]
    assert done.returncode == 0 and record, f"the program failed:\n{done.stdout}\n{done.stderr}"
    out: dict[int, list] = defaultdict(list)
    for line, units in json.loads(record[-1][len("UNITS="):]):
        out[line].append(units)
    return dict(out)


def static_units(source: str) -> dict[int, list]:
    """What shapecheck says Dense's last axis is, per line (None: unknown)."""
    result = check_source(source, "t.py")
    assert not result.findings, [f.message for f in result.findings]
    out: dict[int, list] = defaultdict(list)
    for entry in result.shapes:
        if entry["layer"] == "keras.layers.Dense":
            shape = entry["outputs"][0].shape
            out[entry["span"].line].append(None if shape is None else dims.to_json(shape[-1]))
    return dict(out)


def unknown_lines(source: str) -> set[int]:
    return {n for n, text in enumerate(source.splitlines(), start=1) if "# unknown" in text}


PROGRAMS = {
    "argparse defaults, dest names, store_true, a string default through type=": '''
        import argparse
        parser = argparse.ArgumentParser(description="train")
        parser.add_argument("--units", type=int, default=64)
        parser.add_argument("--num-classes", type=int, default=10)
        parser.add_argument("-e", "--embed_dim", default=16, type=int)
        parser.add_argument("--hidden", dest="hid", type=int, default="32")
        parser.add_argument("--wide", action="store_true")
        parser.add_argument("--narrow", action="store_false")
        parser.add_argument("--sizes", type=int, nargs="+", default=[8, 4])
        parser.add_argument("--verbose", "-v", action="count", default=0)
        args = parser.parse_args()
        y = keras.layers.Dense(args.units)(x)
        y = keras.layers.Dense(args.num_classes)(x)
        y = keras.layers.Dense(args.embed_dim)(x)
        y = keras.layers.Dense(args.hid)(x)
        y = keras.layers.Dense(2 if args.wide else 3)(x)
        y = keras.layers.Dense(5 if args.narrow else 7)(x)
        y = keras.layers.Dense(args.sizes[1])(x)
        y = keras.layers.Dense(args.verbose + 1)(x)
    ''',
    "argparse in a function, parse_known_args, vars(), groups, set_defaults, parents": '''
        import argparse
        base = argparse.ArgumentParser(add_help=False)
        base.add_argument("--depth", type=int, default=3)

        def get_args():
            p = argparse.ArgumentParser(parents=[base])
            group = p.add_argument_group("model")
            group.add_argument("--units", default=12, type=int)
            exclusive = p.add_mutually_exclusive_group()
            exclusive.add_argument("--small", action="store_const", const=4, dest="size", default=6)
            p.add_argument("--extra", type=int)
            p.set_defaults(extra=9, lr_units=20)
            return p.parse_known_args()[0]

        args = get_args()
        cfg = vars(args)
        y = keras.layers.Dense(args.units)(x)
        y = keras.layers.Dense(cfg["units"] * 2)(x)
        y = keras.layers.Dense(args.depth)(x)
        y = keras.layers.Dense(args.size)(x)
        y = keras.layers.Dense(args.extra)(x)
        y = keras.layers.Dense(args.lr_units)(x)
        y = keras.layers.Dense(getattr(args, "missing", 11))(x)
        args.units = 30
        y = keras.layers.Dense(args.units)(x)
    ''',
    "parse_args with an explicit list, argparse.Namespace": '''
        import argparse
        p = argparse.ArgumentParser()
        p.add_argument("--units", type=int, default=64)
        p.add_argument("--layers", type=int, nargs=2, default=(1, 2))
        args = p.parse_args(["--units", "24", "--layers", "5", "6"])
        y = keras.layers.Dense(args.units)(x)
        y = keras.layers.Dense(args.layers[0])(x)
        ns = argparse.Namespace(units=13, other="a")
        y = keras.layers.Dense(ns.units)(x)
    ''',
    "argparse values that cannot be known": '''
        import argparse, random, sys
        def positive(text):
            return int(text)
        p = argparse.ArgumentParser()
        p.add_argument("--a", type=positive, default="8")
        p.add_argument("--b", type=positive, default=8)
        p.add_argument("--c", type=int, default=5)
        if random.random() < 2:
            p.add_argument("--d", type=int, default=4)
        args = p.parse_args()
        y = keras.layers.Dense(args.a)(x)  # unknown
        y = keras.layers.Dense(args.b)(x)
        y = keras.layers.Dense(args.c)(x)
        y = keras.layers.Dense(args.d)(x)  # unknown
        if random.random() < 2:
            args.c = 6
        y = keras.layers.Dense(args.c)(x)  # unknown
    ''',
    "types.SimpleNamespace, dict configs, nested dicts, dict(), .get": '''
        import types
        from types import SimpleNamespace
        d = {"units": 64, "model": {"hidden": 32, "widths": [16, 8]}}
        cfg = SimpleNamespace(**d)
        cfg2 = types.SimpleNamespace(units=12)
        c3 = dict(units=7)
        y = keras.layers.Dense(cfg.units)(x)
        y = keras.layers.Dense(cfg.model["hidden"])(x)
        y = keras.layers.Dense(d["model"]["widths"][1])(x)
        y = keras.layers.Dense(cfg2.units)(x)
        y = keras.layers.Dense(c3["units"])(x)
        y = keras.layers.Dense(c3.get("units", 3))(x)
        y = keras.layers.Dense(c3.get("missing", 5))(x)
        sizes = dict(zip(["small", "big"], [3, 9]))
        y = keras.layers.Dense(sizes["big"])(x)
        y = keras.layers.Dense(dict([("units", 4)], depth=2)["depth"])(x)
        cfg2.units = 14
        y = keras.layers.Dense(cfg2.units)(x)
    ''',
    "ml_collections.ConfigDict and easydict.EasyDict": '''
        import ml_collections
        from easydict import EasyDict

        def get_config():
            config = ml_collections.ConfigDict()
            config.units = 64
            config.model = ml_collections.ConfigDict()
            config.model.hidden = 32
            config.update({"classes": 5})
            return config

        cfg = get_config()
        c2 = ml_collections.ConfigDict({"units": 5, "block": {"width": 3}})
        e = EasyDict({"units": 6, "head": {"classes": 2}})
        y = keras.layers.Dense(cfg.units)(x)
        y = keras.layers.Dense(cfg.model.hidden)(x)
        y = keras.layers.Dense(cfg["classes"])(x)
        y = keras.layers.Dense(c2.block.width)(x)
        y = keras.layers.Dense(c2.get("units", 1))(x)
        y = keras.layers.Dense(e.units)(x)
        y = keras.layers.Dense(e.head.classes)(x)
    ''',
    "config classes: constants, inheritance, __init__ defaults, super(), properties, class methods": '''
        class Base:
            UNITS = 16
            def __init__(self, classes=10):
                self.classes = classes

        class Small(Base):
            UNITS = 8
            def __init__(self):
                super().__init__(classes=4)
                self.hidden = self.UNITS * 2

            @property
            def width(self):
                return self.hidden + 1

            @classmethod
            def tiny(cls):
                obj = cls()
                obj.hidden = 3
                return obj

            @staticmethod
            def double(n):
                return 2 * n

        cfg = Small()
        y = keras.layers.Dense(Base.UNITS)(x)
        y = keras.layers.Dense(Small.UNITS)(x)
        y = keras.layers.Dense(cfg.classes)(x)
        y = keras.layers.Dense(cfg.hidden)(x)
        y = keras.layers.Dense(cfg.width)(x)
        y = keras.layers.Dense(Small.tiny().hidden)(x)
        y = keras.layers.Dense(cfg.double(5))(x)
        y = keras.layers.Dense(Small.double(6))(x)
    ''',
    "dataclasses and NamedTuples: fields, factories, __post_init__, replace, _replace": '''
        from dataclasses import dataclass, field, replace
        from typing import ClassVar, NamedTuple

        @dataclass
        class Cfg:
            units: int = 8
            widths: list = field(default_factory=lambda: [16, 4])
            depth: int = field(default=2)
            SCALE: ClassVar[int] = 3

            def __post_init__(self):
                self.total = self.units * self.SCALE

        @dataclass
        class Big(Cfg):
            heads: int = 5

        class Hyper(NamedTuple):
            units: int = 6
            act: str = "relu"

        cfg = Cfg()
        y = keras.layers.Dense(cfg.widths[0])(x)
        y = keras.layers.Dense(cfg.depth)(x)
        y = keras.layers.Dense(cfg.total)(x)
        y = keras.layers.Dense(replace(cfg, units=3).total)(x)
        y = keras.layers.Dense(Big(units=1).heads + Big(units=1).total)(x)
        y = keras.layers.Dense(Hyper(9).units)(x)
        y = keras.layers.Dense(Hyper(units=11).units)(x)
        y = keras.layers.Dense(Hyper()._replace(units=12).units)(x)
        y = keras.layers.Dense(Hyper().units)(x)
    ''',
    "attrs classes, pydantic models, classes whose __init__ is not in the file": '''
        import attr
        import attrs
        from pydantic import BaseModel

        @attr.define
        class A:
            units: int = 6
            depth: int = 2

        @attrs.frozen
        class B:
            units: int = 6

        @attr.s
        class C:
            units = attr.ib(default=6)

        class P(BaseModel):
            units: int = 6

        class Kw:
            def __init__(self, **kwargs):
                self.__dict__.update(kwargs)

        y = keras.layers.Dense(A(16).units + A(16).depth)(x)
        y = keras.layers.Dense(A().units)(x)
        y = keras.layers.Dense(B(units=17).units)(x)
        y = keras.layers.Dense(C(units=18).units)(x)  # unknown
        y = keras.layers.Dense(P(units=19).units)(x)
        y = keras.layers.Dense(P().units)(x)
        y = keras.layers.Dense(Kw(units=20).units)(x)
    ''',
    "collections.namedtuple and enum members": '''
        import collections
        import enum
        from collections import namedtuple

        Cfg = namedtuple("Cfg", ["units", "depth"])
        Wide = collections.namedtuple("Wide", "units, depth", defaults=[3])

        class Size(enum.Enum):
            SMALL = 4
            BIG = 8

        class Level(enum.IntEnum):
            LOW = 5

        c = Cfg(64, 2)
        y = keras.layers.Dense(c.units)(x)
        y = keras.layers.Dense(c[1])(x)
        y = keras.layers.Dense(Wide(units=5).depth)(x)
        y = keras.layers.Dense(c._replace(depth=9).depth + len(c._fields))(x)
        y = keras.layers.Dense(Size.BIG.value)(x)
        y = keras.layers.Dense(len(Size.SMALL.name))(x)
        y = keras.layers.Dense(Level.LOW)(x)
    ''',
    "click options: the command called with an empty command line": '''
        import click

        @click.command()
        @click.option("--hidden", default=16, type=int)
        @click.option("--num-classes", default="3", type=int)
        @click.option("--flat/--no-flat", default=True)
        @click.option("--wide", is_flag=True)
        def main(hidden, num_classes, flat, wide):
            y = keras.layers.Dense(hidden)(x)
            y = keras.layers.Dense(num_classes)(x)
            y = keras.layers.Dense(4 if flat else 5)(x)
            y = keras.layers.Dense(6 if wide else 7)(x)

        if __name__ == "__main__":
            main()
    ''',
    "absl flags": '''
        from absl import app, flags

        FLAGS = flags.FLAGS
        flags.DEFINE_integer("units", 32, "number of units")
        flags.DEFINE_integer("classes", "12", "given as a string")
        flags.DEFINE_boolean("wide", False, "wider")

        def main(argv):
            y = keras.layers.Dense(FLAGS.units)(x)
            y = keras.layers.Dense(FLAGS.classes)(x)
            y = keras.layers.Dense(8 if FLAGS.wide else 9)(x)

        if __name__ == "__main__":
            app.run(main)
    ''',
}


@pytest.mark.parametrize("body", list(PROGRAMS.values()), ids=list(PROGRAMS))
def test_the_values_keras_gets_are_the_values_python_gives(body, tmp_path):
    source = HEADER + textwrap.dedent(body)
    real = real_units(tmp_path, source)
    static = static_units(source)
    unknown = unknown_lines(source)
    assert set(static) == set(real), "shapecheck and the real run see Dense on different lines"
    for line, values in sorted(real.items()):
        expected = [None] * len(values) if line in unknown else values
        assert static[line] == expected, f"line {line}: {source.splitlines()[line - 1].strip()}"
    assert unknown <= set(real), "an '# unknown' line that never ran"


# ------------------------------------------------------------------------------ no false positives

def findings(source: str) -> list[tuple[int, str]]:
    return [(f.span.line, f.code.name) for f in check_source(textwrap.dedent(source), "t.py").findings]


def test_a_namedtuple_built_with_arguments_is_not_its_defaults():
    # Before: Hyper(units=16).units read the class default (6), and Reshape((6,)) of 16 values
    # was reported, although Keras accepts this program.
    assert findings('''
        from typing import NamedTuple
        import keras
        class Hyper(NamedTuple):
            units: int = 6
        h = Hyper(units=16)
        x = keras.Input(shape=(16,))
        y = keras.layers.Reshape((h.units,))(x)
    ''') == []


def test_an_attribute_set_where_the_code_may_not_run_is_unknown():
    # Before: the 5 set under an unknown condition leaked out of the branch.
    assert findings('''
        import random
        import keras
        class Config:
            units = 16
        cfg = Config()
        if random.random() > 0.5:
            cfg.units = 5
        x = keras.Input(shape=(16,))
        y = keras.layers.Reshape((cfg.units,))(x)
    ''') == []


def test_a_known_config_value_still_finds_the_bug():
    assert findings('''
        import argparse
        import keras
        parser = argparse.ArgumentParser()
        parser.add_argument("--units", type=int, default=5)
        args = parser.parse_args()
        x = keras.Input(shape=(16,))
        y = keras.layers.Reshape((args.units,))(x)
    ''') == [(8, "invalid-reshape")]


# ------------------------------------------------------------------------------ argparse, generated

from hypothesis import given  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_WORDS = st.sampled_from(["units", "num-classes", "hidden_dim", "depth", "use-bn", "lr", "size", "n"])


@st.composite
def add_argument_calls(draw) -> list[str]:
    """A few ``add_argument`` calls of the kinds real training scripts write."""
    calls = []
    for index, word in enumerate(draw(st.lists(_WORDS, min_size=1, max_size=4, unique=True))):
        flags = [f'"--{word}"'] + ([f'"-{chr(97 + index)}"'] if draw(st.booleans()) else [])
        options = []
        if draw(st.booleans()):
            options.append(f'dest="d{index}"')
        kind = draw(st.sampled_from(["store", "store_true", "store_false", "count", "store_const", "nargs"]))
        if kind == "store":
            # argparse converts a string default with type=, and leaves other defaults as they are
            type_, default = draw(st.sampled_from([
                (None, None), (None, "3"), (None, '"8"'), ("int", None), ("int", '"8"'), ("int", "64"),
                ("int", '"-3"'), ("float", '"0.5"'), ("float", "2"), ("str", "5"), ("str", '"abc"')]))
            if type_:
                options.append(f"type={type_}")
            if default is not None:
                options.append(f"default={default}")
        elif kind == "nargs":
            options.append(f'nargs={draw(st.sampled_from(["?", "*", "+", 2]))!r}'.replace("'", '"'))
            options.append(f"default={draw(st.sampled_from(['[1, 2]', '(3,)', '4', 'None']))}")
        else:
            options.append(f'action="{kind}"')
            if kind == "store_const":
                options.append(f"const={draw(st.integers(0, 9))}")
            if kind in ("count", "store_const") and draw(st.booleans()):
                options.append(f"default={draw(st.integers(0, 9))}")
        calls.append(f"parser.add_argument({', '.join(flags + options)})")
    return calls


@hypothesis_settings(max_examples=60, deadline=None)
@given(add_argument_calls())
def test_argparse_defaults_agree_with_argparse(calls):
    """Whatever the spelling, each value shapecheck gives is argparse's own for an empty command line."""
    import argparse

    setup = ("import argparse\nparser = argparse.ArgumentParser()\n" + "\n".join(calls)
             + "\nargs = parser.parse_args([])\n")
    namespace: dict = {}
    exec(setup, namespace)  # the test's own program: real argparse
    real = vars(namespace["args"])
    assert isinstance(namespace["parser"], argparse.ArgumentParser)
    dests = sorted(real)
    source = (HEADER + setup.replace("parse_args([])", "parse_args()")
              + "".join(f"y = keras.layers.Dense(len(repr(args.{d})) + 1)(x)\n" for d in dests))
    static = static_units(source)
    first = HEADER.count("\n") + setup.count("\n") + 1
    got = {d: static[first + i] for i, d in enumerate(dests)}
    assert got == {d: [len(repr(real[d])) + 1] for d in dests}, source


# ------------------------------------------------------------------------------ branches on config values

def test_a_known_config_condition_follows_only_its_branch():
    source = '''
        import argparse
        import keras
        from keras import layers
        parser = argparse.ArgumentParser()
        parser.add_argument("--flatten", action="store_true")
        parser.add_argument("--sequence", action="store_false")
        args = parser.parse_args()
        x = keras.Input(shape=(20, 8))
        if args.flatten:
            x = layers.Flatten()(x)
        y = layers.Conv1D(4, 3)(x)
        if args.sequence:
            z = layers.Flatten()(x)
        w = layers.LSTM(4)(z)
    '''
    # flatten is False (Conv1D gets the sequence: fine); sequence is True (LSTM gets a matrix: Keras fails).
    assert findings(source) == [(15, "rank-mismatch")]


def test_a_condition_set_in_init_from_a_config_is_known_in_call():
    source = '''
        from dataclasses import dataclass
        import keras
        from keras import layers

        @dataclass
        class Config:
            pool: bool = False

        class Net(keras.Model):
            def __init__(self, config):
                super().__init__()
                self.pool = config.pool
                self.conv = layers.Conv1D(8, 3)
                self.gpool = layers.GlobalAveragePooling1D()
                self.rnn = layers.GRU(4)

            def call(self, x):
                x = self.conv(x)
                if self.pool:
                    x = self.gpool(x)
                return self.rnn(x)

        y = Net(Config())(keras.Input(shape=(10, 3)))
        z = Net(Config(pool=True))(keras.Input(shape=(10, 3)))
    '''
    # Config(pool=True): GRU gets the pooled matrix, on line 22 of that call only.
    assert findings(source) == [(22, "rank-mismatch")]


def test_an_unknown_config_condition_reports_only_what_fails_on_every_path():
    source = '''
        import argparse
        import keras
        from keras import layers
        parser = argparse.ArgumentParser()
        parser.add_argument("mode")
        args = parser.parse_args()
        x = keras.Input(shape=(20, 8))
        if args.mode == "flat":
            h = layers.Flatten()(x)
        else:
            h = layers.GlobalAveragePooling1D()(x)
        y = layers.Conv1D(4, 3)(h)
        if args.mode == "flat":
            g = layers.Flatten()(x)
        else:
            g = x
        z = layers.LSTM(4)(g)
    '''
    # `mode` is a required positional argument: unknown. Conv1D fails after either branch; the
    # LSTM only after one.
    assert findings(source) == [(13, "rank-mismatch")]


def test_a_class_attribute_set_where_the_code_may_not_run_is_unknown():
    assert findings('''
        import sys
        import keras
        class Config:
            UNITS = 16
        if len(sys.argv) > 1:
            Config.UNITS = 5
        x = keras.Input(shape=(16,))
        y = keras.layers.Reshape((Config.UNITS,))(x)
    ''') == []


def test_build_with_input_shape_as_a_keyword_runs_the_class_build():
    # Keras 3: model.build(input_shape=...) runs the class's own build, as the positional form does.
    assert findings('''
        import keras
        from keras import layers
        class Net(keras.Model):
            def build(self, input_shape):
                self.proj = layers.Dense(4)
                self.proj.build(input_shape)
                layers.Reshape((5,))(keras.Input(shape=input_shape[1:]))
        net = Net()
        net.build(input_shape=(None, 6))
    ''') == [(8, "invalid-reshape")]


def test_an_attribute_of_a_keras_model_set_where_the_code_may_not_run_is_either_value():
    # Before: self.flat = True under an unknown condition leaked out of the branch, and the LSTM
    # after the Flatten was reported, although Keras accepts the program run without arguments.
    source = '''
        import sys
        import keras
        from keras import layers

        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.flat = False
                if len(sys.argv) > 1:
                    self.flat = True
                self.rnn = layers.LSTM(4)
                self.flatten = layers.Flatten()

            def call(self, x):
                if self.flat:
                    x = self.flatten(x)
                return self.rnn(x)

        y = Net()(keras.Input(shape=(5, 3)))
    '''
    assert findings(source) == []


def test_an_attribute_first_set_where_the_code_may_not_run_keeps_its_value():
    # Without the branch the attribute does not exist (reading it fails): after it, it is the value set.
    source = textwrap.dedent('''
        import sys
        import keras
        from keras import layers

        class Head(layers.Layer):
            def build(self, input_shape):
                self.proj = layers.Dense(input_shape[-1] * 2)

            def call(self, x):
                return self.proj(x)

        class Config:
            pass

        config = Config()
        head = Head()
        x = keras.Input(shape=(6,))
        if len(sys.argv) > 1:
            config.units = 7
            y = head(x)
        z = layers.Dense(config.units)(head(x))
    ''')
    assert static_units(source)[22] == [7]
    built = [e for e in check_source(source, "t.py").shapes if e["span"].line == 22 and e["layer"] == "Head()"]
    assert [tuple(dims.to_json(d) for d in e["outputs"][0].shape) for e in built] == [(None, 12)]


def test_a_dict_entry_set_where_the_code_may_not_run_is_either_value():
    assert findings('''
        import sys
        import keras

        class Trainer:
            def __init__(self):
                self.hparams = {"units": 16}

        trainer = Trainer()
        if len(sys.argv) > 1:
            trainer.hparams["units"] = 5
        x = keras.Input(shape=(16,))
        y = keras.layers.Reshape((trainer.hparams["units"],))(x)
    ''') == []


def test_a_list_of_layers_extended_where_the_code_may_not_run_is_unknown():
    # Before: the pooling layer appended under an unknown condition stayed in the list, and the
    # LSTM after it was reported; Keras accepts the program run without arguments.
    source = '''
        import sys
        import keras
        from keras import layers

        class Net(keras.Model):
            def __init__(self, pool):
                super().__init__()
                self.blocks = [layers.Conv1D(8, 3)]
                if pool:
                    self.blocks.append(layers.GlobalAveragePooling1D())
                self.blocks.append(layers.LSTM(4))

            def call(self, x):
                for block in self.blocks:
                    x = block(x)
                return x

        y = Net(len(sys.argv) > 1)(keras.Input(shape=(10, 3)))
        z = Net(True)(keras.Input(shape=(10, 3)))
    '''
    # Net(True) holds the pooling layer for sure: that call fails under Keras.
    assert findings(source) == [(16, "rank-mismatch")]
