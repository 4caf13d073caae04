"""Read template.yaml as the local stack needs it: CloudFormation's short tags, and the few
intrinsic functions our template uses (Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select, and for
Conditions Fn::If, Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition, with `AWS::NoValue`).

Written by hand because no maintained library resolves a SAM template against local resources;
cfn-lint only validates. Anything the template uses that this does not know is an error, so local
and cloud cannot silently drift.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"


class UnsupportedTemplate(Exception):
    """template.yaml uses something the local stack cannot evaluate or create: extend it, don't guess."""


class _Loader(yaml.SafeLoader):
    """A YAML loader that turns `!Ref x` into {"Ref": "x"} and `!Sub s` into {"Fn::Sub": s}."""


def _construct(loader: _Loader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if tag_suffix == "Ref":
        return {"Ref": value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{tag_suffix}": value}


_Loader.add_multi_constructor("!", _construct)

NO_VALUE = object()  # `!Ref AWS::NoValue`: the property (or list item) is left out


def load(path: Path = TEMPLATE) -> dict[str, Any]:
    return yaml.load(path.read_text(), Loader=_Loader)  # a SafeLoader subclass


class Resolver:
    """Evaluates intrinsic functions with the local stack's physical ids and attributes."""

    def __init__(
        self,
        parameters: dict[str, Any],
        refs: dict[str, str],
        attributes: Callable[[str, str], str],
        pseudo: dict[str, str],
        conditions: dict[str, Any] | None = None,
    ) -> None:
        self.parameters = parameters
        self.refs = refs
        self.attributes = attributes
        self.pseudo = pseudo
        self.conditions = conditions or {}
        self._evaluated: dict[str, bool] = {}

    def condition(self, name: str) -> bool:
        """A template Condition's value (evaluated once; conditions may name other conditions)."""
        if name not in self._evaluated:
            if name not in self.conditions:
                raise KeyError(f"template refers to unknown condition {name!r}")
            self._evaluated[name] = bool(self._truth(self.conditions[name]))
        return self._evaluated[name]

    def condition_holds(self, name: str | None) -> bool:
        """True for a resource without a Condition, else its Condition's value."""
        return name is None or self.condition(name)

    def _truth(self, value: Any) -> bool:
        ((key, argument),) = value.items()
        if key in ("Condition", "Fn::Condition"):  # `!Condition Name` loads as Fn::Condition
            return self.condition(argument)
        if key == "Fn::Equals":
            left, right = (self.resolve(item) for item in argument)
            return str(left) == str(right)
        if key == "Fn::Not":
            return not self._truth(argument[0])
        if key == "Fn::And":
            return all(self._truth(item) for item in argument)
        if key == "Fn::Or":
            return any(self._truth(item) for item in argument)
        raise UnsupportedTemplate(f"the local stack does not evaluate condition {key}")

    def ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        for table in (self.pseudo, self.parameters, self.refs):
            if name in table:
                return table[name]
        raise KeyError(f"template refers to unknown {name!r}")

    def resolve(self, value: Any) -> Any:
        """The value with its intrinsic functions evaluated; `AWS::NoValue` drops the key or item."""
        if isinstance(value, list):
            return [item for item in (self.resolve(item) for item in value) if item is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref":
                return self.ref(argument)
            if key == "Fn::If":
                name, when_true, when_false = argument
                return self.resolve(when_true if self.condition(name) else when_false)
            if key == "Fn::GetAtt":
                return self.attributes(argument[0], argument[1])
            if key == "Fn::Sub":
                return self._sub(argument)
            if key == "Fn::Join":
                separator, items = argument
                return separator.join(str(self.resolve(item)) for item in items)
            if key == "Fn::Select":
                index, items = argument
                return self.resolve(items)[int(index)]
            if key.startswith("Fn::"):
                raise UnsupportedTemplate(f"the local stack does not evaluate {key}")
        resolved = {key: self.resolve(item) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not NO_VALUE}

    def _sub(self, argument: str | list[Any]) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else argument
        variables = {name: self.resolve(item) for name, item in variables.items()}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(variables[name])
            if "." in name and not name.startswith("AWS::"):
                logical, attribute = name.split(".", 1)
                return str(self.attributes(logical, attribute))
            return str(self.ref(name))

        return re.sub(r"\$\{([^!}][^}]*)\}", replace, text)
