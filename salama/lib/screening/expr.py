"""The small expression language of instruments: scoring rules, outcomes and
relevance conditions. Python syntax, a whitelist of nodes, no calls, no
attributes: an instrument file is data and cannot run code.

    strong >= 2 or (strong >= 1 and medium + weak >= 1)
    (D1 or D2 or D3) and D4 and (D5 or D6)
    profile == 'child' and q_unaccompanied == 'yes'

The same tree is evaluated here and translated to XPath for XLSForm
relevance, so that a form in the field skips what the web form skips.
"""

import ast
import operator
from collections.abc import Mapping
from functools import lru_cache
from typing import Any


class ExpressionError(ValueError):
    pass


_COMPARE = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_ARITHMETIC = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul}
_XPATH_COMPARE = {ast.Eq: "=", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">"}
_XPATH_COMPARE[ast.GtE] = ">="
_XPATH_ARITHMETIC = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*"}


@lru_cache(maxsize=1024)
def parse(text: str) -> ast.expr:
    """The checked tree of `text`; ExpressionError names what is not allowed."""
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        raise ExpressionError(f"cannot parse {text!r}: {exc.msg}") from None
    for node in ast.walk(tree):
        allowed = (
            ast.BoolOp,
            ast.And,
            ast.Or,
            ast.UnaryOp,
            ast.Not,
            ast.USub,
            ast.Compare,
            ast.BinOp,
            ast.Name,
            ast.Load,
            ast.Constant,
            ast.Tuple,
            ast.In,
            ast.NotIn,
            *_COMPARE,
            *_ARITHMETIC,
        )
        if not isinstance(node, allowed):
            raise ExpressionError(f"{type(node).__name__} is not allowed in {text!r}")
        if isinstance(node, ast.Constant) and not isinstance(node.value, str | int | float | bool):
            raise ExpressionError(f"constant {node.value!r} is not allowed in {text!r}")
    return tree


def names(text: str) -> set[str]:
    """The names an expression reads."""
    return {n.id for n in ast.walk(parse(text)) if isinstance(n, ast.Name)}


def evaluate(text: str, values: Mapping[str, Any]) -> Any:
    """Value of `text` given `values`. Unknown names raise. A name whose value
    is None (unanswered) equals only the empty string and has no order."""
    return _eval(parse(text), values, text)


def _eval(node: ast.expr, values: Mapping[str, Any], text: str) -> Any:
    match node:
        case ast.Constant(value=value):
            return value
        case ast.Name(id=name):
            if name not in values:
                raise ExpressionError(f"unknown name {name!r} in {text!r}")
            return values[name]
        case ast.Tuple(elts=elements):
            return tuple(_eval(e, values, text) for e in elements)
        case ast.BoolOp(op=ast.And(), values=parts):
            return all(bool(_eval(p, values, text)) for p in parts)
        case ast.BoolOp(op=ast.Or(), values=parts):
            return any(bool(_eval(p, values, text)) for p in parts)
        case ast.UnaryOp(op=ast.Not(), operand=operand):
            return not _eval(operand, values, text)
        case ast.UnaryOp(op=ast.USub(), operand=operand):
            return -_number(_eval(operand, values, text), text)
        case ast.BinOp(left=left, op=op, right=right):
            a, b = (
                _number(_eval(left, values, text), text),
                _number(_eval(right, values, text), text),
            )
            return _ARITHMETIC[type(op)](a, b)
        case ast.Compare(left=left, ops=ops, comparators=comparators):
            return _compare(left, ops, comparators, values, text)
    raise ExpressionError(f"cannot evaluate {ast.dump(node)} in {text!r}")


def _number(value: Any, text: str) -> float:
    if isinstance(value, bool) or value is None:
        return int(bool(value))
    if isinstance(value, int | float):
        return value
    raise ExpressionError(f"{value!r} is not a number in {text!r}")


def _compare(
    left: ast.expr,
    ops: list[ast.cmpop],
    comparators: list[ast.expr],
    values: Mapping[str, Any],
    text: str,
) -> bool:
    current = _eval(left, values, text)
    for op, right in zip(ops, comparators, strict=True):
        other = _eval(right, values, text)
        if isinstance(op, ast.Eq | ast.NotEq | ast.In | ast.NotIn):
            # As in XPath, an unanswered field compares as the empty string,
            # so the field form and the engine agree on relevance.
            current, other = _blank(current), _blank(other)
        elif current is None or other is None:
            return False  # as XPath's NaN: no order with an unanswered number
        if isinstance(op, ast.In | ast.NotIn):
            inside = current in (other if isinstance(other, tuple) else (other,))
            ok = inside if isinstance(op, ast.In) else not inside
        else:
            try:
                ok = _COMPARE[type(op)](current, other)
            except TypeError:
                raise ExpressionError(
                    f"cannot compare {current!r} and {other!r} in {text!r}"
                ) from None
        if not ok:
            return False
        current = other
    return True


def _blank(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return tuple(_blank(v) for v in value)
    return value


def to_xpath(text: str, fields: Mapping[str, str] | None = None) -> str:
    """XLSForm relevance for `text`: names become ${name} (or what `fields`
    maps them to), operators their XPath forms."""
    return _xpath(parse(text), fields or {}, text)


def _xpath(node: ast.expr, fields: Mapping[str, str], text: str) -> str:
    match node:
        case ast.Constant(value=bool() as value):
            return "true()" if value else "false()"
        case ast.Constant(value=str() as value):
            if "'" in value:
                raise ExpressionError(f"quote inside a string in {text!r}")
            return f"'{value}'"
        case ast.Constant(value=value):
            return str(value)
        case ast.Name(id=name):
            return fields.get(name, f"${{{name}}}")
        case ast.BoolOp(op=op, values=parts):
            joiner = " and " if isinstance(op, ast.And) else " or "
            return "(" + joiner.join(_xpath(p, fields, text) for p in parts) + ")"
        case ast.UnaryOp(op=ast.Not(), operand=operand):
            return f"not({_xpath(operand, fields, text)})"
        case ast.UnaryOp(op=ast.USub(), operand=operand):
            return f"-{_xpath(operand, fields, text)}"
        case ast.BinOp(left=left, op=op, right=right):
            symbol = _XPATH_ARITHMETIC[type(op)]
            return f"({_xpath(left, fields, text)} {symbol} {_xpath(right, fields, text)})"
        case ast.Compare(left=left, ops=[op], comparators=[right]):
            return _xpath_compare(left, op, right, fields, text)
    raise ExpressionError(f"{text!r} has no XPath form (chained comparison?)")


def _xpath_compare(
    left: ast.expr, op: ast.cmpop, right: ast.expr, fields: Mapping[str, str], text: str
) -> str:
    subject = _xpath(left, fields, text)
    if isinstance(op, ast.In | ast.NotIn):
        options = right.elts if isinstance(right, ast.Tuple) else [right]
        either = " or ".join(f"{subject} = {_xpath(o, fields, text)}" for o in options)
        return f"({either})" if isinstance(op, ast.In) else f"not({either})"
    return f"{subject} {_XPATH_COMPARE[type(op)]} {_xpath(right, fields, text)}"
