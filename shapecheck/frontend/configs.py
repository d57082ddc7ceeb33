"""Configuration values: where real projects keep their sizes.

``argparse`` defaults, ``absl.flags``, ``click`` options, attribute-style namespaces
(``argparse.Namespace``, ``types.SimpleNamespace``, ``ml_collections.ConfigDict``,
``easydict.EasyDict``), ``dataclasses.field`` defaults, and the classes that hold them
(inherited methods through ``super()``, properties, class methods).

A command-line value is its default: the program as run without arguments. The real
``argparse`` (and ``click``) parse that empty command line, from the arguments as far as
they are known, so ``dest`` names, ``nargs``, ``store_true``, ``type=`` applied to a string
default and ``set_defaults`` mean exactly what they mean to Python. Nothing of the analysed
code runs: only the standard parser, with literal option strings and plain types.
An argument whose value cannot be known (required, a ``type=`` or ``action=`` of the
program's own, added where the code may not run) is unknown.
"""

from __future__ import annotations

import argparse
import contextlib
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator, Optional

import libcst as cst

from ..core.ir import UNKNOWN
from .values import (ArgParser, BoundMethod, Builtin, ClassValue, FunctionValue, Instance, Namespace, QualName,
                     is_literal)

if TYPE_CHECKING:
    from .interpreter import Interpreter

#: calls that make an attribute-style namespace from keyword arguments or a dict; the second
#: item: whether it is read as a mapping too; the third: whether nested dicts become namespaces
_NAMESPACES = {
    "argparse.Namespace": (False, False),
    "types.SimpleNamespace": (False, False),
    "ml_collections.ConfigDict": (True, True),
    "ml_collections.config_dict.ConfigDict": (True, True),
    "ml_collections.FrozenConfigDict": (True, True),
    "ml_collections.config_dict.FrozenConfigDict": (True, True),
    "easydict.EasyDict": (True, True),
    "omegaconf.OmegaConf.create": (True, True),
}
#: ConfigDict / EasyDict methods followed (a dict's)
_MAPPING_METHODS = {"get", "keys", "values", "items", "to_dict", "copy", "update", "lock", "unlock",
                    "copy_and_resolve_references"}
_PARSER_METHODS = {"parse_args", "parse_known_args", "parse_intermixed_args", "parse_known_intermixed_args"}
#: argparse actions given by name
_ACTIONS = {"store", "store_const", "store_true", "store_false", "append", "append_const", "count", "extend",
            "help", "version"}
#: ``type=`` callables that the real parser may apply (to a string default): Python's own
_TYPES = {"int": int, "float": float, "str": str}
#: absl.flags spellings of ``FLAGS``
_FLAG_MODULES = ("absl.flags", "tensorflow.compat.v1.flags", "tensorflow.compat.v1.app.flags", "tensorflow.app.flags")
_CLICK = ("click.command", "click.group", "click.option", "click.argument", "click.pass_context",
          "click.version_option", "click.help_option")


@dataclass(frozen=True)
class TupleClass:
    """A class made by ``collections.namedtuple(name, fields, defaults=...)``; its instances are
    namespaces whose fields also read by position."""

    fields: tuple
    defaults: tuple = ()


@dataclass(frozen=True)
class Factory:
    """``dataclasses.field(default_factory=f)``: each instance gets ``f()``."""

    func: Any


@dataclass(frozen=True)
class ClickParam:
    """A click decorator: ``click.option``/``click.argument`` hold the real click parameter
    (``param``); ``command``, ``pass_context`` ... none. ``known``: false when its value cannot be
    known (a default that is not a literal, a ``type=`` of the program's own)."""

    param: Any
    known: bool = True
    #: its declarations could be evaluated (else the function's parameters are not known)
    readable: bool = True


class _Opaque:
    """A default the real parser carries around without looking at it."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


_REQUIRED = _Opaque(UNKNOWN)
_ABSENT = object()  # an attribute an object surely does not have


def _bases_known(cls: Any) -> bool:
    """Every class ``cls`` derives from is in the file (or is a Keras class, whose attributes a
    program does not set in a branch and read back): an attribute not found there is absent."""
    for base in cls.bases:
        if isinstance(base, ClassValue):
            if not _bases_known(base):
                return False
        elif not (isinstance(base, QualName) and base.name.split(".")[0] in ("keras", "tensorflow", "tf_keras")):
            return False
    return True  # what a required argument holds after an empty command line


def _plain(v: Any) -> Any:
    """What the real parser returned, back as an abstract value."""
    if isinstance(v, _Opaque):
        return v.value
    if is_literal(v):
        return v
    return UNKNOWN


def super_lookup(cls: Any, name: str) -> Any:
    """``super().name`` in a method of ``cls``: the first definition in its bases (depth first,
    Python's order for single inheritance); None when only a Keras or unknown base may define it."""
    if not isinstance(cls, ClassValue):
        return None
    for base in cls.bases:
        if isinstance(base, ClassValue):
            if name in base.attrs:
                return base.attrs[name]
            found = super_lookup(base, name)
            if found is not None:
                return found
    return None


def library_bases(cls: Any) -> Iterator[str]:
    """The canonical names of the classes ``cls`` derives from that are not the program's own
    (``keras.layers.Dense``, ``keras.losses.Loss``), depth first through the program's classes."""
    from . import names

    for base in getattr(cls, "bases", ()):
        if isinstance(base, QualName):
            yield names.canonical(base.name)
        elif isinstance(base, ClassValue):
            yield from library_bases(base)


def keras_base(cls: Any) -> Optional[str]:
    """The Keras layer class a class derives from (``Dense`` for ``class MyDense(layers.Dense)``),
    the first one met depth first; None when none is a ``keras.layers`` name."""
    return next((n[len("keras.layers."):] for n in library_bases(cls) if n.startswith("keras.layers.")), None)


#: classes whose generated ``__init__`` sets the annotated fields, as a dataclass's does
_DATACLASS_DECORATORS = {"attr.define", "attrs.define", "attr.frozen", "attrs.frozen", "attr.mutable",
                         "attrs.mutable", "define", "frozen", "pydantic.dataclasses.dataclass"}
_DATACLASS_BASES = {"pydantic.BaseModel", "pydantic.main.BaseModel", "msgspec.Struct"}


def dataclass_like(node: cst.ClassDef, bases: list) -> bool:
    """attrs classes (``@attr.define``), pydantic models and msgspec structs: their fields are
    the annotated names, set from the call as a dataclass's are."""
    decorators = {_dotted(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator)
                  for d in node.decorators}
    return bool(decorators & _DATACLASS_DECORATORS) or any(
        isinstance(b, QualName) and b.name in _DATACLASS_BASES for b in bases)


def foreign_init(inst: Any, cls: Any, args: list, kwargs: dict, fields: list) -> None:
    """A class with no ``__init__`` of its own or of its bases in the file, called with arguments:
    an ``__init__`` from elsewhere (a base class not followed, a class decorator) may set any
    attribute, so those it could have set read as unknown, not as the class's defaults."""
    if not args and not kwargs:
        return
    names = set(fields) | set(kwargs)
    klass = cls
    stack = [klass]
    while stack:
        c = stack.pop()
        names |= {k for k, v in c.attrs.items() if not isinstance(v, FunctionValue)}
        stack.extend(b for b in c.bases if isinstance(b, ClassValue))
    for name in names:
        inst.attrs.setdefault(name, UNKNOWN)


_ENUMS = {"enum.Enum", "enum.StrEnum", "enum.Flag"}


def enum_members(cls: Any) -> None:
    """``class Size(enum.Enum): SMALL = 4``: ``Size.SMALL`` is a member whose ``.value`` is 4 and
    ``.name`` "SMALL" (an ``IntEnum``'s members stay the ints they are equal to)."""
    if not any(isinstance(b, QualName) and b.name in _ENUMS for b in cls.bases):
        return
    for name, value in list(cls.attrs.items()):
        if not name.startswith("_") and not isinstance(value, (FunctionValue, ClassValue)):
            cls.attrs[name] = Namespace({"value": value, "name": name}) if is_literal(value) else UNKNOWN


def decorator_names(fn: Any) -> set[str]:
    node = getattr(fn, "node", None)
    if not isinstance(node, cst.FunctionDef):
        return set()
    out = set()
    for d in node.decorators:
        expr = d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator
        out.add(_dotted(expr))
    return out


def _dotted(node: cst.CSTNode) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return "?"


class Configs:
    """The interpreter's part for configuration values; one per interpreter."""

    def __init__(self, interp: Interpreter) -> None:
        self.interp = interp
        #: absl flags defined so far: name -> default
        self.flags: dict[str, Any] = {}
        #: id of a list or dict held by an object's attribute -> (it, the object, the attribute)
        self._containers: dict[int, tuple] = {}

    # -- which calls ---------------------------------------------------------
    def handles(self, name: str) -> bool:
        return (name in _NAMESPACES or name in ("argparse.ArgumentParser", "dataclasses.field", "dataclasses.replace",
                                                "collections.namedtuple")
                or name.startswith(tuple(f"{m}.DEFINE_" for m in _FLAG_MODULES)) or name in _CLICK)

    def call(self, name: str, args: list, kwargs: dict) -> Any:
        if name in _NAMESPACES:
            return self.namespace(name, args, kwargs)
        if name == "argparse.ArgumentParser":
            return self.argument_parser(kwargs)
        if name == "dataclasses.field":
            if "default" in kwargs:
                return kwargs["default"]
            return Factory(kwargs["default_factory"]) if "default_factory" in kwargs else UNKNOWN
        if name == "dataclasses.replace":
            return self.replace(args, kwargs)
        if name == "collections.namedtuple":
            return self.namedtuple(args, kwargs)
        if name in _CLICK:
            return self.click_param(name, args, kwargs)
        return self.define_flag(name, args, kwargs)

    # -- namespaces ----------------------------------------------------------
    def namespace(self, name: str, args: list, kwargs: dict) -> Any:
        items, nested = _NAMESPACES[name]
        source: Any = {}
        if args:
            if len(args) > 1 or not isinstance(args[0], (dict, Namespace)) or not items:
                return UNKNOWN  # SimpleNamespace takes keywords only (3.11)
            source = args[0].attrs if isinstance(args[0], Namespace) else args[0]
        if not all(isinstance(k, str) for k in source):
            return UNKNOWN
        attrs = {**source, **kwargs}
        if nested:
            attrs = {k: self._nest(v, name, 0) for k, v in attrs.items()}
        return Namespace(attrs, items=items, depth=self.interp._maybe)

    def _nest(self, v: Any, name: str, level: int) -> Any:
        """ConfigDict and EasyDict turn the dicts inside (also inside lists) into their own kind."""
        if isinstance(v, dict) and all(isinstance(k, str) for k in v):
            if level > 20:
                return UNKNOWN  # (a dict that holds itself)
            items, nested = _NAMESPACES[name]
            return Namespace({k: self._nest(x, name, level + 1) for k, x in v.items()}, items=items,
                             depth=self.interp._maybe)
        if isinstance(v, list):
            return [self._nest(x, name, level + 1) for x in v]
        return v

    def attribute(self, obj: Any, attr: str) -> Any:
        if isinstance(obj, ArgParser):
            return BoundMethod(obj, attr)
        if attr in obj.attrs:
            return obj.attrs[attr]
        if attr == "__dict__" and not obj.items:
            return obj.attrs
        if obj.items and attr in _MAPPING_METHODS or obj.order and attr in ("_replace", "_asdict"):
            return BoundMethod(obj, attr)
        if obj.order and attr == "_fields":
            return obj.order
        return UNKNOWN

    def set_attribute(self, obj: Any, attr: str, value: Any) -> None:
        """``obj.attr = value`` on a namespace, an instance or a class. Where the assignment may not
        run (deeper in branches than the object was made), the attribute is either value after it:
        the one it had (also through its class) joined with the new one; one it did not have is the
        new value (without the assignment, reading it fails)."""
        if self.interp._maybe > getattr(obj, "depth", 0):
            current = self._current(obj, attr)
            if current is not _ABSENT:
                value = self.interp.join(current, value)
        if isinstance(obj, Namespace) and obj.items and isinstance(value, dict):
            value = self._nest(value, "ml_collections.ConfigDict", 0)
        obj.attrs[attr] = value
        if isinstance(value, (list, dict)):
            self._containers[id(value)] = (value, obj, attr)

    def mutated(self, container: Any) -> None:
        """A list held by an object's attribute changes (``self.blocks.append(...)``) where the code
        may not run: the attribute is unknown after it (lists are not copied per branch)."""
        entry = self._containers.get(id(container))
        if entry is not None and entry[0] is container and self.interp._maybe > getattr(entry[1], "depth", 0):
            entry[1].attrs[entry[2]] = UNKNOWN
            del self._containers[id(container)]

    @staticmethod
    def _current(obj: Any, attr: str) -> Any:
        """The value ``obj.attr`` reads now; ``_ABSENT`` when it surely has none."""
        from .interpreter import _class_lookup

        if attr in obj.attrs:
            return obj.attrs[attr]
        if isinstance(obj, Namespace):
            return _ABSENT if obj.complete else UNKNOWN
        cls = obj.cls if isinstance(obj, Instance) else obj
        found = _class_lookup(cls, attr)
        if found is not None:
            return found
        return _ABSENT if _bases_known(cls) else UNKNOWN

    def subscript(self, obj: Namespace, key: Any) -> Any:
        if obj.items and isinstance(key, str) and key in obj.attrs:
            return obj.attrs[key]
        if obj.order and isinstance(key, int) and not isinstance(key, bool) and -len(obj.order) <= key < len(obj.order):
            return obj.attrs.get(obj.order[key], UNKNOWN)
        return UNKNOWN

    # -- collections.namedtuple ----------------------------------------------
    def namedtuple(self, args: list, kwargs: dict) -> Any:
        fields = args[1] if len(args) > 1 else kwargs.get("field_names")
        if isinstance(fields, str):
            fields = fields.replace(",", " ").split()
        defaults = kwargs.get("defaults", ())
        if not isinstance(fields, (list, tuple)) or not all(isinstance(f, str) and f.isidentifier() for f in fields) \
                or not isinstance(defaults, (list, tuple)) or len(defaults) > len(fields):
            return UNKNOWN
        return TupleClass(tuple(fields), tuple(defaults))

    def make_tuple(self, cls: TupleClass, args: list, kwargs: dict) -> Any:
        """An instance: the fields from the call, the last ones from ``defaults``; a call Python
        refuses (too many or missing arguments) is unknown."""
        values = dict(zip(cls.fields[len(cls.fields) - len(cls.defaults):], cls.defaults))
        if len(args) > len(cls.fields) or any(k not in cls.fields for k in kwargs):
            return UNKNOWN
        values.update(zip(cls.fields, args))
        values.update(kwargs)
        if any(f not in values for f in cls.fields):
            return UNKNOWN
        return Namespace({f: values[f] for f in cls.fields}, depth=self.interp._maybe, order=cls.fields)

    def lacks(self, obj: Any, attr: str) -> bool:
        """Whether ``obj`` surely has no attribute ``attr`` (``getattr(obj, attr, default)`` gives the default)."""
        if isinstance(obj, Namespace):
            return obj.complete and attr not in obj.attrs and not (obj.items and attr in _MAPPING_METHODS)
        if isinstance(obj, Instance):
            from .interpreter import _class_lookup

            return not obj.cls.keras_kind and attr not in obj.attrs and _class_lookup(obj.cls, attr) is None
        return False

    def method(self, obj: Any, name: str, args: list, kwargs: dict) -> Any:
        if isinstance(obj, ArgParser):
            return self.parser_method(obj, name, args, kwargs)
        attrs = obj.attrs
        if name == "get" and args and isinstance(args[0], str):
            if args[0] in attrs:
                return attrs[args[0]]
            return (args[1] if len(args) > 1 else kwargs.get("default")) if obj.complete else UNKNOWN
        if obj.order and name == "_replace" and not args:
            if any(k not in obj.order for k in kwargs):
                return UNKNOWN
            return Namespace({**attrs, **kwargs}, depth=self.interp._maybe, order=obj.order)
        if obj.order and name == "_asdict" and not args:
            return dict(attrs)
        if name in ("keys", "values", "items"):
            return list(getattr(attrs, name)())
        if name in ("to_dict", "copy", "copy_and_resolve_references"):
            return dict(attrs) if name == "to_dict" else Namespace(dict(attrs), obj.items, obj.complete,
                                                                    self.interp._maybe)
        if name == "update":
            for source in [*args, kwargs]:
                source = source.attrs if isinstance(source, Namespace) else source
                if not isinstance(source, dict):
                    obj.complete = False
                    for k in list(attrs):
                        attrs[k] = UNKNOWN
                    return None
                for k, v in source.items():
                    self.set_attribute(obj, k, v)
            return None
        return None if name in ("lock", "unlock") else UNKNOWN

    # -- dataclasses ---------------------------------------------------------
    def replace(self, args: list, kwargs: dict) -> Any:
        """``dataclasses.replace(obj, **changes)`` (and a NamedTuple's ``_replace``): a new instance
        made from the old one's fields and the changes, as Python makes it (``__post_init__`` runs)."""
        if len(args) != 1 or not isinstance(args[0], Instance) or not args[0].cls.is_dataclass:
            return UNKNOWN
        old = args[0]
        return self.interp.instantiate(old.cls, [], {**{k: v for k, v in old.attrs.items()
                                                        if k in self.field_names(old.cls)}, **kwargs},
                                       self.interp.module)

    def field_names(self, cls: ClassValue) -> list[str]:
        """A dataclass's (or NamedTuple's) fields in order, its bases' first; ClassVar excluded."""
        out: list[str] = []
        for base in reversed(cls.bases):
            if isinstance(base, ClassValue) and base.is_dataclass:
                out.extend(f for f in self.field_names(base) if f not in out)
        for s in cls.node.body.body if isinstance(cls.node.body, cst.IndentedBlock) else []:
            if isinstance(s, cst.SimpleStatementLine):
                for small in s.body:
                    if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) \
                            and "ClassVar" not in _dotted(_annotation_head(small.annotation.annotation)):
                        name = small.target.value
                        if name not in out:
                            out.append(name)
        return out

    def field_default(self, cls: ClassValue, name: str) -> Any:
        from .interpreter import _class_lookup

        value = _class_lookup(cls, name)
        if value is None:
            return UNKNOWN  # a field without a default, not given: the call fails
        if isinstance(value, Factory):
            return self.interp.call_value(value.func, [], {}, self.interp.module)
        return value

    # -- argparse ------------------------------------------------------------
    def argument_parser(self, kwargs: dict) -> Any:
        options: dict = {"add_help": False, "conflict_handler": "resolve", "exit_on_error": False}
        unknown: set = set()
        complete = True
        prefix = kwargs.get("prefix_chars", "-")
        if not isinstance(prefix, str) or not prefix:
            return UNKNOWN
        options["prefix_chars"] = prefix
        if isinstance(kwargs.get("allow_abbrev"), bool):
            options["allow_abbrev"] = kwargs["allow_abbrev"]
        if "argument_default" in kwargs:
            default = kwargs["argument_default"]
            options["argument_default"] = default if is_literal(default) else _Opaque(default)
        parents = kwargs.get("parents", [])
        if not isinstance(parents, (list, tuple)) or not all(isinstance(p, ArgParser) for p in parents):
            return UNKNOWN
        options["parents"] = [p.parser for p in parents]
        for p in parents:
            unknown |= p.unknown
            complete = complete and p.complete
        try:
            parser = argparse.ArgumentParser(**options)
        except Exception:  # noqa: BLE001 - an argument the real parser refuses: the program fails there
            return UNKNOWN
        return ArgParser(parser, unknown, self.interp._maybe, complete)

    def parser_method(self, p: ArgParser, name: str, args: list, kwargs: dict) -> Any:
        if name == "add_argument":
            self.add_argument(p, args, kwargs)
            return UNKNOWN  # the Action
        if name in ("add_argument_group", "add_mutually_exclusive_group"):
            return p  # its arguments land in the same namespace
        if name == "set_defaults":
            for key, value in kwargs.items():
                p.parser.set_defaults(**{key: value if is_literal(value) else _Opaque(value)})
                if self.interp._maybe > p.depth:
                    p.unknown.add(key)
            return None
        if name == "add_subparsers":
            p.complete = False  # what a subcommand adds is not followed
            return UNKNOWN
        if name in _PARSER_METHODS:
            return self.parse(p, name, args, kwargs)
        return UNKNOWN

    def add_argument(self, p: ArgParser, args: list, kwargs: dict) -> None:
        dest = kwargs.get("dest")
        if not args or not all(isinstance(a, str) and a for a in args) or (
                "dest" in kwargs and not isinstance(dest, str)):
            if isinstance(dest, str):
                p.parser.set_defaults(**{dest: _REQUIRED})
            else:
                p.complete = False
            return
        options: dict = {}
        known = self.interp._maybe <= p.depth
        positional = args[0][0] not in p.parser.prefix_chars
        for key, value in kwargs.items():
            if key == "dest":
                options["dest"] = value
            elif key == "type":
                converter = _TYPES.get(value.name) if isinstance(value, Builtin) else None
                if converter is not None:
                    options["type"] = converter
                elif isinstance(kwargs.get("default"), str) or "default" not in kwargs and positional:
                    known = False  # the real parser would convert the string with the program's own code
            elif key == "action":
                if isinstance(value, str) and value in _ACTIONS:
                    options["action"] = value
                elif isinstance(value, QualName) and value.name == "argparse.BooleanOptionalAction":
                    options["action"] = argparse.BooleanOptionalAction
                else:
                    known = False  # the program's own Action class
            elif key == "nargs":
                if (isinstance(value, int) and not isinstance(value, bool)) or value in ("?", "*", "+", "..."):
                    options["nargs"] = value
                else:
                    known = False
            elif key in ("default", "const"):
                options[key] = value if is_literal(value) else _Opaque(value)
            elif key == "required":
                if value is not False:
                    known = False  # the program stops without it
        if "action" in options and options["action"] in ("help", "version"):
            return
        if positional and options.get("nargs") not in ("?", "*"):
            options["nargs"] = "?"  # required: the empty command line has no value for it
            options["default"] = _REQUIRED
        if not known and options.get("action") is None:
            options.pop("type", None)
        try:
            action = p.parser.add_argument(*args, **options)
        except Exception:  # noqa: BLE001 - the real program fails here (or we kept too little of it)
            p.complete = False
            return
        if not known:
            p.unknown.add(action.dest)
        else:
            p.unknown.discard(action.dest)

    def parse(self, p: ArgParser, name: str, args: list, kwargs: dict) -> Any:
        argv = args[0] if args else kwargs.get("args")
        if not (isinstance(argv, (list, tuple)) and all(isinstance(a, str) for a in argv)):
            argv = []  # None, or what the program got on its command line: the empty one
        out, err = io.StringIO(), io.StringIO()
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                parsed = getattr(p.parser, name)(list(argv))
        except (SystemExit, Exception):  # noqa: BLE001 - the program stops on this command line
            return UNKNOWN
        known = name.startswith("parse_known")
        ns, rest = parsed if known else (parsed, None)
        attrs = {k: UNKNOWN if k in p.unknown else _plain(v) for k, v in vars(ns).items()}
        result = Namespace(attrs, complete=p.complete, depth=self.interp._maybe)
        return (result, list(rest)) if known else result

    # -- absl.flags ----------------------------------------------------------
    def is_flags(self, qualname: str) -> bool:
        return qualname in tuple(f"{m}.FLAGS" for m in _FLAG_MODULES)

    def define_flag(self, name: str, args: list, kwargs: dict) -> Any:
        kind = name.rsplit(".DEFINE_", 1)[-1]
        flag = args[0] if args else kwargs.get("name")
        default = args[1] if len(args) > 1 else kwargs.get("default", UNKNOWN)
        if not isinstance(flag, str):
            return UNKNOWN
        self.flags[flag] = self._flag_value(kind, default) if self.interp._maybe == 0 else UNKNOWN
        return UNKNOWN  # a FlagHolder: its .value is not followed

    @staticmethod
    def _flag_value(kind: str, default: Any) -> Any:
        """absl parses a string default with the flag's own parser; other defaults stay as they are."""
        if default is None or not isinstance(default, str):
            return default if is_literal(default) or default is UNKNOWN else UNKNOWN
        try:
            if kind == "integer":
                return int(default, 0)
            if kind == "float":
                return float(default)
            if kind in ("bool", "boolean"):
                lowered = default.lower()
                return True if lowered in ("true", "t", "1") else (False if lowered in ("false", "f", "0") else UNKNOWN)
            if kind in ("string", "enum"):
                return default
            if kind == "list":
                return [part.strip() for part in default.split(",")] if default else []
        except ValueError:
            return UNKNOWN
        return UNKNOWN

    def flag(self, attr: str) -> Any:
        return self.flags.get(attr, UNKNOWN)

    # -- click ---------------------------------------------------------------
    def click_param(self, name: str, args: list, kwargs: dict) -> Any:
        if name not in ("click.option", "click.argument"):
            return ClickParam(None)  # command, group, pass_context ...: no parameter of their own
        import click

        if not all(isinstance(a, str) for a in args):
            return ClickParam(None, readable=False)
        known = True
        options: dict = {}
        for key in ("default", "is_flag", "multiple", "flag_value", "count", "nargs", "required", "envvar"):
            if key in kwargs:
                if is_literal(kwargs[key]) and key != "envvar":
                    options[key] = kwargs[key]
                else:
                    known = False  # (an environment variable: the value may come from there)
        value_type = kwargs.get("type")
        if isinstance(value_type, Builtin) and value_type.name in _TYPES:
            options["type"] = _TYPES[value_type.name]
        elif value_type is not None:
            known = False  # converted by the program's own type
        try:
            param = (click.Option if name == "click.option" else click.Argument)(list(args), **options)
        except Exception:  # noqa: BLE001 - click refuses the declarations: the program fails there
            return ClickParam(None, readable=False)
        return ClickParam(param, known and not param.required)

    def click_defaults(self, decorators: list) -> Optional[dict]:
        """What click passes to a command's function when the command line is empty: the real
        click parses it; None when the decorators are not all click's or not all readable."""
        import click

        if not decorators or not all(isinstance(d, ClickParam) and d.readable for d in decorators):
            return None
        params = [d for d in decorators if d.param is not None]
        try:
            command = click.Command("shapecheck", params=[d.param for d in params])
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                values = command.make_context("shapecheck", [], resilient_parsing=True).params
        except Exception:  # noqa: BLE001 - a default click refuses: the program stops there
            return {d.param.name: UNKNOWN for d in params if d.param.name}
        return {d.param.name: _plain(values.get(d.param.name)) if d.known else UNKNOWN
                for d in params if d.param.name}


def _annotation_head(node: cst.BaseExpression) -> cst.BaseExpression:
    return node.value if isinstance(node, cst.Subscript) else node
