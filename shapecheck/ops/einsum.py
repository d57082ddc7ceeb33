"""``einsum``: subscripts read the way Keras's symbolic ``Einsum`` reads them, then the way TensorFlow
runs them.

Keras computes the symbolic shape by substituting sizes into the subscripts string
(``Einsum.compute_output_spec``); it never compares the sizes of a summed label, so
``einsum("ij,jk->ik")`` on ``(None, 3)`` and ``(4, 5)`` builds.  TensorFlow checks every
label once data flows.  Both are mirrored: what Keras rejects symbolically, in its words,
then what certainly fails on data, in TensorFlow's.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, Optional

from ..core import dims
from ..core.dims import Dim
from ..core.findings import INCOMPATIBLE_SHAPES, INPUT_COUNT, INVALID_ARGUMENT, RANK_MISMATCH, ShapeError
from ..core.ir import UNKNOWN
from ..core.rules import Call, Example, OpRule, Unknowable, register
from ..core.shapes import Shape, TensorType, broadcast, show_shape
from .op_utils import broadcast_or_fail, shape_of

# Equations Keras's TensorFlow backend computes with ``tf.matmul`` (``backend/tensorflow/numpy.py``
# ``einsum``), letters renamed in order of appearance: a label shared by both operands and kept in the
# output is a matmul batch axis (it broadcasts), one that is summed is the inner axis (it must agree).
MATMUL_EINSUMS = frozenset({
    "a,b->ab", "ab,b->a", "ab,bc->ac", "ab,cb->ac", "abc,cd->abd", "abc,dc->abd", "abcd,abde->abce",
    "abcd,abed->abce", "abcd,acbe->adbe", "abcd,adbe->acbe", "abcd,aecd->acbe", "abcd,aecd->aceb",
})
# Equations the backend computes by reshaping an operand before ``tf.matmul``: a summed label whose
# sizes differ can still go through (the reshape regroups elements), so data decides.
RESHAPE_EINSUMS = frozenset({
    "abc,cde->abde", "abc,dce->abde", "abc,dec->abde", "abcd,cde->abe", "abcd,ced->abe", "abcd,ecd->abe",
    "abcde,aebf->adbcf", "abcde,afce->acdbf",
})
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def relabel(equation: str) -> str:
    """``_normalize_einsum_subscripts``: letters renamed a, b, c, ... in order of first appearance."""
    names: dict[str, str] = {}
    for c in equation:
        if c in _LETTERS and c not in names:
            names[c] = _LETTERS[len(names)]
    return "".join(names.get(c, c) for c in equation)


def _keras_list(shape: Shape) -> str:
    """An operand's shape as ``Einsum`` prints it (``-1`` for an undefined axis)."""
    return "[" + ", ".join("-1" if d is None else dims.show(d) for d in shape) + "]"


def _rank_error(spec: str, shape: Shape) -> ShapeError:
    return ShapeError(RANK_MISMATCH, f"The einsum subscript `{spec}` names more axes than the operand of shape "
                      f"{show_shape(shape)} has (Keras: list index out of range).")


class _Sizes:
    """Sizes stand in the subscripts string as ``#k#`` tokens while Keras's substitutions run."""

    def __init__(self) -> None:
        self.table: list[Dim] = []

    def token(self, d: Dim) -> str:
        self.table.append(d)
        return f"#{len(self.table) - 1}# "

    def value(self, chunk: str, subscripts: str) -> Dim:
        """``None if size == "-1" else int(size)`` on the chunk Keras's string would hold."""
        whole = re.fullmatch(r"#(\d+)#", chunk)
        if whole:
            return self.table[int(whole.group(1))]
        parts = []
        for piece in re.split(r"(#\d+#)", chunk):
            m = re.fullmatch(r"#(\d+)#", piece)
            if not m:
                parts.append(piece)
                continue
            d = self.table[int(m.group(1))]
            if not (d is None or dims.is_known(d)):
                raise Unknowable()  # the digits Keras would see here are not known
            parts.append("-1" if d is None else str(d))
        text = "".join(parts)
        try:
            size = int(text)
        except ValueError:
            raise ShapeError(INVALID_ARGUMENT, f"invalid literal for int() with base 10: '{text}' (Keras's symbolic "
                             "`einsum` substitutes sizes for the labels of each operand and 1 for the missing "
                             f"lowercase ones; with subscripts={subscripts!r} this is left over)") from None
        return None if text == "-1" else size


def _odd(spec: str) -> bool:
    """Characters other than letters and one ``...``: Keras's string substitutions are not followed."""
    if spec.count("...") > 1:
        return True
    rest = spec.replace("...", "", 1)
    return any(not c.isalpha() for c in rest)


def keras_einsum_shape(subscripts: str, shapes: list[Shape]) -> Shape:
    """``Einsum.compute_output_spec``: the symbolic shape, or the error Keras raises."""
    split = subscripts.split("->")
    if len(split) > 2:
        raise ShapeError(INVALID_ARGUMENT, "At most one '->' is supported in `einsum` subscripts, but received "
                         f"{subscripts}.")
    inputs_part, output_spec = (split[0], split[1]) if len(split) == 2 else (subscripts, None)
    specs = inputs_part.split(",")
    if len(specs) != len(shapes):
        raise ShapeError(INPUT_COUNT, f"Number of operands ({len(shapes)}) does not match the number of input "
                         f"specs ({len(specs)}) in `einsum`, received subscripts={subscripts}.")
    kept: set[str] = set()
    reduced: set[str] = set()
    for s in inputs_part:  # the labels used once: the implicit output
        if not s.isalpha():
            continue
        if s not in reduced and s not in kept:
            kept.add(s)
        elif s in kept:
            kept.remove(s)
            reduced.add(s)
    target = output_spec if output_spec is not None else "..." + "".join(sorted(kept))
    if "#" in target:
        raise Unknowable()  # the character our size tokens are made of
    sizes = _Sizes()
    expanded_shapes: list[Shape] = []
    for shape, spec in zip(shapes, specs):
        rank = len(shape)
        plain = "..." not in spec
        if plain and rank != len(spec):
            raise ShapeError(RANK_MISMATCH, "Number of dimensions in the subscript does not match the number of "
                             f"dimensions in the operand, received subscript `{spec}` and operand of shape "
                             f"{_keras_list(shape)}.")
        if _odd(spec):
            raise Unknowable()
        expanded = target
        if plain:
            for size, s in zip(shape, spec):
                expanded = expanded.replace(s, sizes.token(size))
            expanded = expanded.replace("...", "")
        else:
            before, after = spec.split("...")
            if len(before) > rank or len(after) > rank:
                raise _rank_error(spec, shape)
            for i, s in enumerate(before):
                expanded = expanded.replace(s, sizes.token(shape[i]))
            for i in range(len(after)):
                expanded = expanded.replace(after[-i - 1], sizes.token(shape[-i - 1]))
            wildcard = shape[len(before):rank - len(after)]
            expanded = expanded.replace("...", "".join(sizes.token(d) for d in wildcard) or " ")
        expanded = re.sub("[a-z]", "1 ", expanded)
        expanded_shapes.append(tuple(sizes.value(chunk, subscripts) for chunk in expanded.split()))
    out = expanded_shapes[0]
    for s in expanded_shapes[1:]:
        out = broadcast_or_fail(out, s)
    return out


def _size_of(occurrences: list[Dim]) -> Dim:
    return next((d for d in occurrences if dims.is_known(d)), occurrences[0])


def tf_einsum_shape(equation: str, shapes: list[Shape]) -> Shape:
    """TensorFlow's einsum (``_einsum_v2`` and the ``Einsum`` kernel): the output shape, or the error for
    what certainly fails.  Labels must agree exactly; the ``...`` axes broadcast."""
    resolved = equation.replace(" ", "")
    ellipsis = "..." in equation
    if ellipsis:
        if "0" in resolved:
            raise ShapeError(INVALID_ARGUMENT, f'Invalid character "0" in equation: {equation}.')
        resolved = resolved.replace("...", "0")
    labels = "a-zA-Z0" if ellipsis else "a-zA-Z"
    m = re.match(f"^([{labels},]*)(->[{labels}]*)?$", resolved)
    if not m:
        raise ShapeError(INVALID_ARGUMENT, f"Subscripts have incorrect format: {resolved}")
    inputs = m.group(1).split(",")
    output = m.group(2)[2:] if m.group(2) else ""
    if len(shapes) != len(inputs):
        raise ShapeError(INPUT_COUNT, f'Got {len(shapes)} inputs for equation "{equation}", expecting {len(inputs)}')
    if "->" not in resolved:
        counts = Counter(m.group(1))
        output = "".join(x for x in sorted(counts) if x != "," and counts[x] == 1)
    if len(set(output)) != len(output):
        raise ShapeError(INVALID_ARGUMENT, f"Output subscripts contain a label appearing more than once: {equation}")
    for label in output:
        if label != "0" and label not in m.group(1):
            raise ShapeError(INVALID_ARGUMENT, f"Output subscripts contain the label {label} not present in the "
                             "input subscripts.")
    found: dict[str, list[tuple[int, Dim]]] = {}
    ellipses: list[Shape] = []
    for i, (spec, shape) in enumerate(zip(inputs, shapes)):
        if spec.count("0") > 1:
            raise Unknowable()
        named = spec.replace("0", "")
        if "0" in spec:
            if len(shape) < len(named):
                raise ShapeError(RANK_MISMATCH, f"Expected input {i} to have rank at least {len(named)} but got: "
                                 f"{len(shape)} (shape {show_shape(shape)}, subscripts {equation!r})")
            before, after = spec.split("0")
            ellipses.append(shape[len(before):len(shape) - len(after)])
            pairs = list(zip(before, shape)) + list(zip(after, shape[len(shape) - len(after):]))
        else:
            if len(shape) != len(spec):
                raise ShapeError(RANK_MISMATCH, f"Expected input {i} to have rank {len(spec)} but got: {len(shape)} "
                                 f"(shape {show_shape(shape)}, subscripts {equation!r})")
            pairs = list(zip(spec, shape))
        for label, d in pairs:
            for j, other in found.get(label, []):
                if dims.differs(d, other):
                    raise ShapeError(INCOMPATIBLE_SHAPES, f"Expected dimension {dims.show(other)} but got dimension "
                                     f"{dims.show(d)}: label '{label}' has size {dims.show(other)} in input {j} "
                                     f"{show_shape(shapes[j])} and {dims.show(d)} in input {i} "
                                     f"{show_shape(shape)} (subscripts {equation!r})")
            found.setdefault(label, []).append((i, d))
    batch: Optional[Shape] = ()
    for e in ellipses:
        batch = broadcast(batch, e) if batch is not None else None
    if batch is None:
        raise ShapeError(INCOMPATIBLE_SHAPES, "The `...` axes must broadcast, but the inputs have "
                         f"{', '.join(show_shape(s) for s in ellipses)} there (input shapes "
                         f"{', '.join(show_shape(s) for s in shapes)}, subscripts {equation!r})")
    if "0" not in output and batch:
        raise ShapeError(INCOMPATIBLE_SHAPES, f"Output contains {len(batch)} broadcasting dimension(s) but no "
                         f"ellipsis (...) was found in the output subscripts (subscripts {equation!r}, input "
                         f"shapes {', '.join(show_shape(s) for s in shapes)}).")
    out: list[Dim] = []
    for label in output:
        if label == "0":
            out.extend(batch)
        else:
            out.append(_size_of([d for _, d in found[label]]))
    return tuple(out)


def keras_backend_check(subscripts: str, shapes: list[Shape]) -> None:
    """What Keras's TensorFlow backend certainly rejects once data flows (after the symbolic pass)."""
    normalized = relabel(subscripts)
    if normalized in RESHAPE_EINSUMS:
        return
    if normalized in MATMUL_EINSUMS:
        ins, out = normalized.split("->")
        x, y = ins.split(",")
        for label in sorted((set(x) & set(y)) - set(out)):
            a, b = shapes[0][x.index(label)], shapes[1][y.index(label)]
            if dims.differs(a, b):
                raise ShapeError(INCOMPATIBLE_SHAPES, f"Matrix size-incompatible: In[0]: {show_shape(shapes[0])}, "
                                 f"In[1]: {show_shape(shapes[1])}: a label summed away has size {dims.show(a)} in "
                                 f"one and {dims.show(b)} in the other (subscripts {subscripts!r}); Keras builds it, "
                                 "but the einsum fails as soon as data flows.")
        return
    try:
        # The renaming changes no label's role: TensorFlow accepts the subscripts as written exactly
        # when it accepts them renamed, and says so in the user's letters.
        tf_einsum_shape(subscripts, shapes)
    except ShapeError as e:
        raise ShapeError(e.code, f"{e.message}; Keras builds `einsum({subscripts!r}, ...)`, but it fails as soon "
                         "as data flows.") from None


def _operands(call: Call) -> tuple[Any, list]:
    """The subscripts and the operands: ``einsum(subscripts, *operands)``."""
    args = list(call.args)
    subscripts = call.kwargs.get("subscripts", call.kwargs.get("equation", call.config.get("subscripts", UNKNOWN)))
    if subscripts is UNKNOWN and args:
        subscripts = args.pop(0)
    if not isinstance(subscripts, str):
        raise Unknowable()
    return subscripts, args


def _dtype(operands: list) -> Any:
    found = {t.dtype for t in operands if isinstance(t, TensorType)}
    return found.pop() if len(found) == 1 else None


@register
class Einsum(OpRule):
    """``keras.ops.einsum(subscripts, *operands)``: each operand's labels give its axes' sizes; a label summed away
    must have one size everywhere (checked when data flows); ``...`` axes broadcast."""

    names = ("keras.ops.einsum",)
    params = ("subscripts",)
    examples = (
        Example({}, "ij,jk->ik", (None, 4), args=((None, 3), (3, 4))),
        Example({}, "bij,bjk->bik", (None, 5, 4), args=((None, 5, 3), (None, 3, 4))),
        Example({}, "...ij,jk->...ik", (None, 7, 5, 4), args=((None, 7, 5, 3), (3, 4))),
        Example({}, "ij,jk", (None, 4), args=((None, 3), (3, 4))),
        Example({}, "ii->i", (3,), args=((3, 3),)),
        Example({}, "...i,...i->...", (2, 5), args=((2, 1, 3), (5, 3))),
        Example({}, "ij,jk->ik", "incompatible-shapes", args=((None, 3), (4, 5))),
        Example({}, "bij,bjk->bik", "incompatible-shapes", args=((None, 5, 3), (None, 4, 4))),
        Example({}, "ij,jk->ik", "rank-mismatch", args=((None, 3), (3,))),
        Example({}, "ij,jk->ik", "input-count", args=((None, 3),)),
        Example({}, "ij->ijk", "invalid-argument", args=((None, 3),)),
        Example({}, "...ij->ij", "incompatible-shapes", args=((None, 2, 3),)),
        Example({}, "...i,...i->...i", "incompatible-shapes", args=((2, 3), (4, 3))),
    )

    def output(self, call: Call) -> TensorType:
        subscripts, operands = _operands(call)
        shapes = [shape_of(v) for v in operands]
        if call.traced:
            return TensorType(traced_einsum_shape(subscripts, shapes), _dtype(operands))
        out = keras_einsum_shape(subscripts, shapes)
        keras_backend_check(subscripts, shapes)
        return TensorType(out, _dtype(operands))


def traced_einsum_shape(subscripts: str, shapes: list[Shape]) -> Shape:
    """Inside a layer's ``call`` the operands are backend tensors: Keras's symbolic ``Einsum`` never runs, the
    backend does (its subscripts renamed, which orders an implicit output by first appearance)."""
    keras_backend_check(subscripts, shapes)
    normalized = relabel(subscripts)
    if normalized in RESHAPE_EINSUMS:
        raise Unknowable()  # the static shape the reshapes leave is not followed
    if normalized in MATMUL_EINSUMS:
        try:
            return keras_einsum_shape(normalized, shapes)  # letters in order: no implicit output to reorder
        except ShapeError:
            raise Unknowable() from None
    return tf_einsum_shape(normalized, shapes)


@register
class TfEinsum(OpRule):
    """``tf.einsum(equation, *inputs)``: each input's labels give its axes' sizes, which must agree; ``...`` axes
    broadcast; without ``->`` the output is ``...`` and the labels used once, sorted."""

    names = ("tensorflow.einsum", "tensorflow.linalg.einsum")
    params = ("equation",)
    keras_equivalent = "keras.ops.einsum"
    examples = (
        Example({}, "ij,jk->ik", (None, 4), args=((None, 3), (3, 4))),
        Example({}, "ba", (4, 3), args=((3, 4),)),
        Example({}, "ij,jk->ik", "incompatible-shapes", args=((None, 3), (4, 5))),
    )

    def output(self, call: Call) -> TensorType:
        equation, operands = _operands(call)
        return TensorType(tf_einsum_shape(equation, [shape_of(v) for v in operands]), _dtype(operands))
