"""The little PromQL handling the monitoring check needs, done on the text:
Grafana's template variables replaced, the vector selectors an expression
reads, and an alert's condition turned into 0/1 per series (`bool`)."""
import re

# Grafana's $__rate_interval is at least four scrape intervals. The load runs
# about 25 s and Prometheus is asked right after it, so one minute covers all
# of it (four scrapes at the 15 s interval Grafana assumes by default).
GRAFANA_VARIABLES = {"$__rate_interval": "1m", "${__rate_interval}": "1m"}

# A metric name and its matchers; a matcher's value is a quoted string that may hold braces.
_SELECTOR = re.compile(r"""([a-zA-Z_:][a-zA-Z0-9_:]*)\{((?:[^}"]|"(?:[^"\\]|\\.)*")*)\}""")
_RECORDED = re.compile(r"\b[a-z_]+:[a-z0-9_:]+\b")
_COMPARISON = re.compile(r"==|!=|>=|<=|>|<")


def substitute(expr):
    """The expression with Grafana's variables replaced; fails naming any variable it does not know."""
    for variable, value in GRAFANA_VARIABLES.items():
        expr = expr.replace(variable, value)
    unknown = re.findall(r"\$\{?\w+\}?", expr)
    assert not unknown, f"template variables the check does not know how to replace: {unknown}"
    return expr


def selectors(expr):
    """Every vector selector (name{matchers}) and recorded series name the expression reads."""
    found = {f"{name}{{{matchers}}}" for name, matchers in _SELECTOR.findall(expr)}
    bare = _SELECTOR.sub(" ", _strip_strings(expr))
    found |= set(_RECORDED.findall(bare))
    return found


def _strip_strings(expr):
    return re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)


def as_bool(expr):
    """The alert's condition with `bool` after every comparison outside selectors and strings: instead of
    keeping the series that meet the threshold, it gives each watched series 0 or 1."""
    out, depth, quote, i = [], 0, None, 0
    while i < len(expr):
        char = expr[i]
        if quote:
            out.append(char)
            if char == "\\":
                out.append(expr[i + 1])
                i += 1
            elif char == quote:
                quote = None
        elif char in "\"'`":
            quote = char
            out.append(char)
        elif char == "{":
            depth += 1
            out.append(char)
        elif char == "}":
            depth -= 1
            out.append(char)
        elif depth == 0 and (match := _COMPARISON.match(expr, i)):
            out.append(match.group(0))
            i = match.end()
            if not re.match(r"\s*bool\b", expr[i:]):
                out.append(" bool")
            continue
        else:
            out.append(char)
        i += 1
    return "".join(out)
