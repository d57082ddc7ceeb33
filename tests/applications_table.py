"""What each ``keras.applications`` model does, measured: the ground truth of the application rules.

For every application Keras ships, with ``weights=None`` (nothing is downloaded):

* ``dynamic``: built with ``include_top=False, input_shape=(None, None, C)``; its output shape, its
  ``(trainable, non_trainable)`` parameter counts, the path of size-changing layers from its output
  back to its input (``chain``: convolutions, poolings, paddings, croppings, as Keras configured
  them), and the output of ``compute_output_shape((1, H, W, C))`` -- what a call of that model on a
  tensor of that size gives -- for a range of sizes (``sizes``: ``[h, w, c]`` or the error);
* ``static``: built with ``input_shape=(m, m + 1, 3)`` (``m`` the smallest size the constructor
  accepts): output shape and chain (the two parities of ``m`` and ``m + 1``: some paddings follow
  the parity of a static size);
* ``top``: built with the defaults (``include_top=True``) and with ``classes=7``: input and output
  shapes and parameter counts;
* ``cases``: constructor calls Keras rejects before building anything (``ValueError`` and its first
  line), or ``null`` where it accepted them (then only the cheap ones are built);
* ``pooling``: ``pooling="sum"`` (not a pooling Keras knows) with ``include_top=False``.

Plus ``preprocess``: each module's ``preprocess_input`` on a symbolic ``(None, 40, 48, 3)`` tensor,
and ``channels_first``: a few models built under ``image_data_format="channels_first"``.

Regenerate (about 15 minutes on two busy cores)::

    python -m tests.applications_table               # writes tests/data/applications_table.json
    python -m tests.applications_table ResNet50      # prints one model's record, writes nothing
    python -m tests.applications_table --part 1/2    # half of the models into a part file (run 2/2
                                                     # beside it), then --merge 2 writes the table
    python -m tests.applications_table --update ConvNeXtTiny   # measures some models again into the table
    python -m tests.applications_table --rules       # writes what the rules hold (their _DATA) from the table

tests/test_oracle_applications.py compares the rules with the table, and a few cases with live Keras.
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

TABLE = Path(__file__).parent / "data" / "applications_table.json"
#: sizes whose dynamic-model output is recorded (every one up to 80, then a few large ones)
SIZES = [*range(1, 81), 96, 97, 127, 160, 199, 224, 225, 299, 331, 600]
#: rectangular sizes
RECTS = [(64, 97), (224, 160)]
CHANNELS_FIRST = ("ResNet50", "VGG16", "MobileNetV2", "EfficientNetB0", "DenseNet121", "InceptionV3",
                  "NASNetMobile", "ConvNeXtTiny")

_SPATIAL = {"Conv2D", "DepthwiseConv2D", "SeparableConv2D", "MaxPooling2D", "AveragePooling2D", "ZeroPadding2D",
            "Cropping2D"}


def _first_line(e: BaseException) -> str:
    return str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__


def _err(e: BaseException, width: int = 300) -> dict:
    return {"error": type(e).__name__, "message": _first_line(e)[:width]}


def _step(layer: Any) -> list:
    cls = type(layer).__name__
    cfg = layer.get_config()
    if cls in ("Conv2D", "DepthwiseConv2D", "SeparableConv2D"):
        return ["conv", list(cfg["kernel_size"]), list(cfg["strides"]), cfg["padding"], list(cfg["dilation_rate"])]
    if cls in ("MaxPooling2D", "AveragePooling2D"):
        return ["pool", list(cfg["pool_size"]), list(cfg["strides"]), cfg["padding"], [1, 1]]
    if cls == "ZeroPadding2D":
        return ["pad", [list(p) for p in cfg["padding"]]]
    return ["crop", [list(p) for p in cfg["cropping"]]]


def chain(model: Any) -> list:
    """The size-changing layers from the input to the output, following at each merge the input
    whose spatial shape is the output's (an SE block's ``Multiply`` broadcasts a 1x1 tensor)."""
    import keras

    steps: list = []
    t = model.outputs[0]
    while True:
        layer, node_index, _ = t._keras_history
        if type(layer).__name__ == "InputLayer":
            break
        node = layer._inbound_nodes[node_index]
        ins = [x for x in node.input_tensors if len(x.shape) == 4]
        if not ins:
            steps.append(["unknown", type(layer).__name__])
            break
        pick = next((x for x in ins if tuple(x.shape[1:3]) == tuple(t.shape[1:3])), None)
        if isinstance(layer, keras.Model) and len(ins) == 1:
            # a block of its own (ConvNeXt's stem and downsampling are Sequential models)
            steps.extend(reversed(chain(layer) if not isinstance(layer, keras.Sequential) else
                                  [_step(x) for x in layer.layers if type(x).__name__ in _SPATIAL]))
            pick = ins[0]
        elif type(layer).__name__ in _SPATIAL:
            step = _step(layer)
            if step[0] in ("pad", "crop") or step[2] != [1, 1] or step[3] == "valid" and step[1] != [1, 1]:
                steps.append(step)  # (a 1x1 or "same" stride-1 window keeps the size)
            pick = ins[0]
        elif pick is None:
            steps.append(["unknown", type(layer).__name__, [list(x.shape) for x in ins], list(t.shape)])
            pick = ins[0]
        elif type(layer).__name__ not in ("BatchNormalization", "Activation", "ReLU", "Add", "Concatenate",
                                          "Multiply", "Rescaling", "Normalization", "Dropout", "LayerNormalization",
                                          "Lambda", "Layer", "LayerScale", "StochasticDepth", "Identity") \
                and tuple(pick.shape[1:3]) != tuple(t.shape[1:3]):
            steps.append(["unknown", type(layer).__name__])
        t = pick
    return list(reversed(steps))


def params(model: Any) -> list:
    trainable = sum(int(w.numpy().size) for w in model.trainable_weights)
    frozen = sum(int(w.numpy().size) for w in model.non_trainable_weights)
    return [trainable, frozen]


def _shape(s: Any) -> list:
    return [None if d is None else int(d) for d in s]


def attempt(build: Any) -> dict:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model = build()
        except Exception as e:  # noqa: BLE001 - what Keras raises is the record
            return _err(e)
    out = {"model": model}
    warned = [str(w.message).splitlines()[0][:200] for w in caught if "deprecat" not in str(w.message).lower()]
    if warned:
        out["warnings"] = warned
    return out


def measure(name: str) -> dict:
    import keras

    app = getattr(keras.applications, name)
    keras.config.set_image_data_format("channels_last")
    rec: dict[str, Any] = {"modules": sorted(m for m in dir(keras.applications) if not m.startswith("_")
                                             and name in dir(getattr(keras.applications, m)))}
    # The smallest size: from the message of a size the constructor rejects.
    tiny = attempt(lambda: app(include_top=False, weights=None, input_shape=(1, 1, 3)))
    rec["tiny"] = {k: v for k, v in tiny.items() if k != "model"}
    msg = tiny.get("message", "")
    m = int(msg.split("at least ")[1].split("x")[0]) if "at least " in msg else 32
    rec["min_size"] = m

    cases: list = []

    def case(kwargs: dict, build: bool = False) -> None:
        r = attempt(lambda: app(**kwargs))
        entry = {"kwargs": {k: (list(v) if isinstance(v, tuple) else v) for k, v in kwargs.items()}}
        if "model" in r:
            entry["ok"] = True
            entry["output_shape"] = _shape(r["model"].output_shape)
            entry["input_shape"] = _shape(r["model"].input_shape)
        else:
            entry.update(r)
        if r.get("warnings"):
            entry["warnings"] = r["warnings"]
        cases.append(entry)

    for kw in (
        {"include_top": False, "weights": None, "input_shape": (m - 1, m - 1, 3)},
        {"include_top": False, "weights": None, "input_shape": (m, m - 1, 3)},
        {"include_top": False, "weights": None, "input_shape": (m - 1, None, 3)},
        {"include_top": False, "weights": None, "input_shape": (m, m)},
        {"include_top": False, "weights": None, "input_shape": (m, m, m, 3)},
        {"include_top": True, "weights": None, "input_shape": (None, None, 3)},
        {"include_top": True, "weights": None, "input_shape": (None, m + 8, 3)},
        {"include_top": False, "weights": "imagenet", "input_shape": (m, m, 4)},
        {"include_top": False, "weights": "imagenet", "input_shape": (m, m, 1)},
        {"include_top": True, "weights": "imagenet", "input_shape": (m, m, 3)},
        {"include_top": True, "weights": "imagenet", "classes": 10},
        {"include_top": False, "weights": "no/such/file.h5"},
        {"include_top": True, "weights": None, "input_shape": (m - 1, m - 1, 3)},
    ):
        case(kw)
    rec["cases"] = cases

    # The dynamic model (pooling="sum": an unknown pooling, as include_top=False with pooling=None?)
    r = attempt(lambda: app(include_top=False, weights=None, input_shape=(None, None, 3), pooling="sum"))
    rec["pooling_sum"] = {k: v for k, v in r.items() if k != "model"}
    if "model" in r:
        rec["pooling_sum"]["output_shape"] = _shape(r["model"].output_shape)
    r = attempt(lambda: app(include_top=False, weights=None, input_shape=(None, None, 3)))
    dyn = r["model"]
    sizes: dict = {}
    for h in SIZES:
        sizes[str(h)] = _size(dyn, h, h)
    for h, w in RECTS:
        sizes[f"{h}x{w}"] = _size(dyn, h, w)
    rec["dynamic"] = {"output_shape": _shape(dyn.output_shape), "params": params(dyn), "chain": chain(dyn),
                      "sizes": sizes, "name": dyn.name}
    del dyn

    r = attempt(lambda: app(include_top=False, weights=None, input_shape=(m, m + 1, 3)))
    if "model" in r:
        st = r["model"]
        rec["static"] = {"input_shape": [m, m + 1, 3], "output_shape": _shape(st.output_shape), "params": params(st),
                         "chain": chain(st), "name": st.name}
        del st
    else:
        rec["static"] = {"input_shape": [m, m + 1, 3], **r}

    top: dict = {}
    for key, kw in (("default", {}), ("classes7", {"classes": 7})):
        r = attempt(lambda kw=kw: app(weights=None, **kw))
        if "model" in r:
            t = r["model"]
            top[key] = {"input_shape": _shape(t.input_shape), "output_shape": _shape(t.output_shape),
                        "params": params(t), "name": t.name, "last_activation": t.layers[-1].get_config().get(
                            "activation")}
            del t
        else:
            top[key] = r
    rec["top"] = top
    keras.utils.clear_session(free_memory=True)
    return rec


def _size(model: Any, h: int, w: int) -> Any:
    try:
        return _shape(model.compute_output_shape((1, h, w, model.input_shape[-1]))[1:])
    except Exception as e:  # noqa: BLE001
        return _err(e, 100)


def preprocess() -> dict:
    import keras

    out: dict = {}
    for mod in sorted(m for m in dir(keras.applications) if not m.startswith("_")):
        fn = getattr(getattr(keras.applications, mod), "preprocess_input", None)
        if fn is None:
            continue
        x = keras.Input((40, 48, 3))
        try:
            out[mod] = {"output_shape": _shape(fn(x).shape)}
        except Exception as e:  # noqa: BLE001
            out[mod] = _err(e)
    return out


def channels_first() -> dict:
    import keras

    out: dict = {}
    for name in CHANNELS_FIRST:
        keras.config.set_image_data_format("channels_first")
        try:
            app = getattr(keras.applications, name)
            entry: dict = {}
            for key, shape in (("static", (3, 96, 97)), ("dynamic", (3, None, None))):
                r = attempt(lambda app=app, shape=shape: app(include_top=False, weights=None, input_shape=shape))
                if "model" in r:
                    entry[key] = {"input_shape": _shape(r["model"].input_shape),
                                  "output_shape": _shape(r["model"].output_shape)}
                else:
                    entry[key] = r
                if r.get("warnings"):
                    entry[key]["warnings"] = r["warnings"]
            entry["data_format_after"] = keras.config.image_data_format()
            out[name] = entry
        finally:
            keras.config.set_image_data_format("channels_last")
            keras.utils.clear_session(free_memory=True)
    return out


#: the arguments every application takes (the others are model-specific: ``alpha``, ``minimalistic``)
COMMON = ("include_top", "weights", "input_tensor", "input_shape", "pooling", "classes", "classifier_activation",
          "name")


def _rule_steps(dynamic: list, static: list) -> list:
    """The steps of ``layers/applications.py`` from the two measured chains: equal steps as they
    are (square windows), and a padding that differs between them as ``correct_pad``."""
    assert len(dynamic) == len(static), (dynamic, static)
    steps: list = []
    for i, (d, s) in enumerate(zip(dynamic, static)):
        if d[0] in ("conv", "pool"):
            assert d == s and d[1][0] == d[1][1] and d[2][0] == d[2][1] and d[4][0] == d[4][1], (d, s)
            steps.append([d[0], d[1][0], d[2][0], d[3], d[4][0]] if d[0] == "conv" else
                         [d[0], d[1][0], d[2][0], d[3]])
        elif d == s:
            assert d[1][0] == d[1][1], d
            steps.append([d[0], *d[1][0]])
        else:
            nxt = dynamic[i + 1]
            assert d[0] == "pad" and nxt[0] in ("conv", "pool") and nxt[3] == "valid" and nxt[2] == [2, 2], \
                (d, s, nxt)
            steps.append(["correct_pad", nxt[1][0]])
    return steps


def _exact(name: str, steps: list, rec: dict) -> bool:
    from shapecheck.core.findings import ShapeError
    from shapecheck.layers.applications import Application, feature_size

    app = Application(name, (), (), "", 0, rec["min_size"], 0, tuple(tuple(s) for s in steps))
    for size, want in rec["dynamic"]["sizes"].items():
        h, _, w = size.partition("x")
        try:
            got = [feature_size(app, int(h), False), feature_size(app, int(w or h), False)]
        except ShapeError:
            got = None
        if got != (want[:2] if isinstance(want, list) else None):
            return False
    return True


def rule_data(table: dict) -> dict:
    """What ``shapecheck/layers/applications.py`` holds of each model (its ``_DATA``), derived from
    the table: ``python -m tests.applications_table --rules`` prints it."""
    out: dict = {}
    for name, rec in table["models"].items():
        sig = {k: v for k, v in rec["signature"]}
        default_top = rec["top"]["default"]
        top7 = rec["top"]["classes7"]
        per_class, rest = divmod(default_top["params"][0] - top7["params"][0], 1000 - 7)
        assert rest == 0 and default_top["params"][1] == top7["params"][1], name
        steps = _rule_steps(rec["dynamic"]["chain"], rec["static"]["chain"])
        classes_case = next(c for c in rec["cases"] if c["kwargs"].get("classes") == 10)
        top_extra = default_top["params"][0] - rec["dynamic"]["params"][0]
        out[name] = {
            "modules": rec["modules"],
            "params": [k for k, _ in rec["signature"]],
            "keras_name": sig["name"],
            "default_size": default_top["input_shape"][1],
            "min_size": rec["min_size"],
            "features": rec["dynamic"]["output_shape"][-1],
            "steps": steps,
            "notop_params": rec["dynamic"]["params"],
            "top_params": default_top["params"],
            "per_class": per_class,
            # the constructor's words for classes != 1000 with ImageNet weights and the top
            "classes_message": classes_case["message"].replace("classes=10", "classes={classes}"),
            # more than a global pooling and one Dense on top (VGG's Flatten and two Dense layers): its
            # counts are taken at the default size only
            **({"flatten_top": True} if top_extra != (rec["dynamic"]["output_shape"][-1] + 1) * 1000 else {}),
            # the sizes follow the steps at every measured size (not NASNet's: see the rule's docstring)
            **({} if _exact(name, steps, rec) else {"exact": False}),
            **({"extras": {k: v for k, v in rec["signature"] if k not in COMMON}}
               if any(k not in COMMON for k, _ in rec["signature"]) else {}),
        }
    return out


RULES = Path(__file__).parent.parent / "shapecheck" / "layers" / "applications.py"
_BEGIN = "_DATA: dict[str, dict] = {  # generated: python -m tests.applications_table --rules\n"
_END = "}  # end of the generated data\n"


def write_rule_data(data: dict) -> None:
    """Put ``data`` into the rule module, between its markers (one model a paragraph)."""
    text = RULES.read_text()
    start = text.index(_BEGIN) + len(_BEGIN)
    end = text.index(_END, start)
    lines = []
    for name, d in data.items():
        lines.append(f"    {name!r}: {{")
        for k, v in d.items():
            lines.append(f"        {k!r}: {v!r},")
        lines.append("    },")
    RULES.write_text(text[:start] + "\n".join(lines) + "\n" + text[end:])


def signature(name: str) -> list:
    """The constructor's parameters and their defaults."""
    import inspect

    import keras

    return [[p.name, p.default] for p in inspect.signature(getattr(keras.applications, name)).parameters.values()]


def names() -> list[str]:
    import keras

    return sorted(n for n in dir(keras.applications) if n[:1].isupper())


def main(argv: list[str]) -> int:
    # A weights download would be a bug of this script: make it fail at once.  (Set here, not when
    # the module is imported: the tests import it, and pip in other tests of that process needs the network.)
    os.environ["http_proxy"] = os.environ["https_proxy"] = "http://127.0.0.1:9"
    import keras

    if argv and argv[0] == "--part":
        i, n = map(int, argv[1].split("/"))
        part = {name: measure(name) for name in names()[i - 1::n] if print(name, file=sys.stderr, flush=True) or 1}
        if i == 1:
            part["__preprocess__"] = preprocess()
            part["__channels_first__"] = channels_first()
        TABLE.with_suffix(f".part{i}").write_text(json.dumps(part))
        return 0
    if argv and argv[0] == "--merge":
        table = {"keras": keras.__version__, "models": {}}
        for i in range(1, int(argv[1]) + 1):
            path = TABLE.with_suffix(f".part{i}")
            part = json.loads(path.read_text())
            table["preprocess"] = part.pop("__preprocess__", table.get("preprocess"))
            table["channels_first"] = part.pop("__channels_first__", table.get("channels_first"))
            table["models"].update(part)
        for name, rec in table["models"].items():
            rec["signature"] = signature(name)
        table["models"] = dict(sorted(table["models"].items()))
        TABLE.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n")
        for i in range(1, int(argv[1]) + 1):
            TABLE.with_suffix(f".part{i}").unlink()
        return 0
    if argv and argv[0] == "--update":
        table = json.loads(TABLE.read_text())
        for name in argv[1:]:
            print(name, file=sys.stderr, flush=True)
            table["models"][name] = {**measure(name), "signature": signature(name)}
        TABLE.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n")
        return 0
    if argv and argv[0] == "--rules":
        write_rule_data(rule_data(json.loads(TABLE.read_text())))
        return 0
    if argv:
        for name in argv:
            print(json.dumps(measure(name), indent=1))
        return 0
    table: dict[str, Any] = {"keras": keras.__version__, "models": {}}
    for name in names():
        print(name, file=sys.stderr, flush=True)
        table["models"][name] = measure(name)
        table["models"][name]["signature"] = signature(name)
    table["preprocess"] = preprocess()
    table["channels_first"] = channels_first()
    TABLE.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
