#!/usr/bin/env python3
"""Reference renderings of real Hugging Face chat templates for the chat-template bundle's tests.

Renders every request below with jinja2 set up exactly as transformers' apply_chat_template sets it up
(transformers/utils/chat_template_utils.py: ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
extensions=[loopcontrols]), its tojson, raise_exception and strftime_now; render(messages=..., tools=...,
documents=None, add_generation_prompt=..., **special_tokens, **other_variables)) and writes

  fixtures/chat-templates/cases/<model>--<case>.json   {"model", "request", "expected" | "error"}
  fixtures/chat-templates/engine/cases.json            engine semantics: {"name", "template", "variables",
                                                       "expected" | "error"}

The templates are read from fixtures/chat-templates/<model>/ in transformers' order: chat_template.jinja,
chat_template.json, tokenizer_config.json's chat_template. When transformers is installed, its own compiled
environment is used as well and must agree. Needs Jinja2 3.1 (checked with 3.1.6, transformers 5.17.0).

Usage:  python3 tools/reference/make_chat_fixtures.py [--root REPO]
"""

import argparse
import json
import os
from datetime import datetime

import jinja2
import jinja2.ext
from jinja2.sandbox import ImmutableSandboxedEnvironment

MODELS = ["gemma3", "gemma3n", "qwen2.5", "qwen2.5-vl", "qwen3"]


def compile_template(source):
    """A copy of transformers' _compile_jinja_template without the {% generation %} tracker's bookkeeping."""

    class GenerationBlock(jinja2.ext.Extension):
        tags = {"generation"}

        def parse(self, parser):
            lineno = next(parser.stream).lineno
            body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
            return jinja2.nodes.CallBlock(self.call_method("_render"), [], [], body).set_lineno(lineno)

        def _render(self, caller):
            return caller()

    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(format):
        return datetime.now().strftime(format)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=[GenerationBlock, jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env.from_string(source)


def transformers_compile():
    try:
        from transformers.utils.chat_template_utils import _compile_jinja_template
        return _compile_jinja_template
    except ImportError:
        return None


def load_model(folder):
    config_path = os.path.join(folder, "tokenizer_config.json")
    config = json.load(open(config_path, encoding="utf-8")) if os.path.exists(config_path) else {}
    if os.path.exists(os.path.join(folder, "chat_template.jinja")):
        template = open(os.path.join(folder, "chat_template.jinja"), encoding="utf-8").read()
    elif os.path.exists(os.path.join(folder, "chat_template.json")):
        template = json.load(open(os.path.join(folder, "chat_template.json"), encoding="utf-8"))["chat_template"]
    else:
        template = config["chat_template"]
        if isinstance(template, list):
            template = {t["name"]: t["template"] for t in template}["default"]
    tokens = {}
    for key in ["bos_token", "eos_token", "unk_token", "pad_token"]:
        value = config.get(key)
        if isinstance(value, dict):
            value = value.get("content")
        if value is not None:
            tokens[key] = value
    return template, tokens


def render(compile_fn, template, tokens, request):
    variables = {k: v for k, v in request.items() if k != "messages"}
    context = dict(tokens)
    context.update({"tools": None, "documents": None, "add_generation_prompt": False})
    context.update(variables)
    try:
        return {"expected": compile_fn(template).render(messages=request["messages"], **context)}
    except Exception as e:  # the template's own error message is what the Java side must report
        return {"error": str(e)}


def render_plain(compile_fn, template, variables):
    try:
        return {"expected": compile_fn(template).render(**variables)}
    except Exception as e:
        return {"error": str(e)}


# ---- requests -------------------------------------------------------------------------------------------------

def user(text):
    return {"role": "user", "content": text}


def assistant(text):
    return {"role": "assistant", "content": text}


def system(text):
    return {"role": "system", "content": text}


WEATHER_TOOL = {"type": "function", "function": {
    "name": "get_weather", "description": "Get the current weather in a city",
    "parameters": {"type": "object", "properties": {
        "city": {"type": "string", "description": "The city, e.g. \"Paris\""},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
        "required": ["city"]}}}
TIME_TOOL = {"type": "function", "function": {
    "name": "get_time", "description": "Heure locale — local time",
    "parameters": {"type": "object", "properties": {"timezone": {"type": "string"}}, "required": []}}}

TOOL_CALL = {"role": "assistant", "content": "", "tool_calls": [
    {"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}}]}
TOOL_CALL_STRING_ARGS = {"role": "assistant", "content": "Let me check.", "tool_calls": [
    {"type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Berlin\"}"}}]}
TWO_TOOL_CALLS = {"role": "assistant", "content": "", "tool_calls": [
    {"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Tokyo", "days": 3,
                                                                           "hourly": True, "ratio": 0.5,
                                                                           "extra": None}}},
    {"type": "function", "function": {"name": "get_time", "arguments": {"timezone": "Asia/Tokyo"}}}]}

COMMON = {
    "single-user": {"messages": [user("Hello!")]},
    "single-user-gen": {"messages": [user("Hello!")], "add_generation_prompt": True},
    "system-user-gen": {"messages": [system("You are a pirate."), user("Who are you?")],
                        "add_generation_prompt": True},
    "multi-turn": {"messages": [user("Hi"), assistant("Hello! How can I help?"), user("Tell me a joke.")],
                   "add_generation_prompt": True},
    "multi-turn-system-no-gen": {"messages": [system("Be brief."), user("Hi"), assistant("Hello."),
                                              user("Bye"), assistant("Goodbye.")]},
    "whitespace-content": {"messages": [user("  \n padded question \t\n"), assistant("\n answer  \n"),
                                        user("next")], "add_generation_prompt": True},
    "unicode-content": {"messages": [user("你好, wie geht's? 🦄 — «ça va» \\ \"quoted\" {{ not a tag }} {% raw %}")],
                        "add_generation_prompt": True},
    "empty-user-content": {"messages": [user("")], "add_generation_prompt": True},
    "no-messages": {"messages": [], "add_generation_prompt": True},
    "extra-variable": {"messages": [user("Hi")], "add_generation_prompt": True, "custom_flag": True},
}

PARTS = {
    "parts-image-text": {"messages": [{"role": "user", "content": [
        {"type": "image"}, {"type": "text", "text": "What is in this picture?"}]}],
        "add_generation_prompt": True},
    "parts-two-images-multi-turn": {"messages": [
        {"role": "user", "content": [{"type": "text", "text": "Compare "}, {"type": "image"},
                                     {"type": "text", "text": " and "}, {"type": "image"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "The first is red."}]},
        {"role": "user", "content": [{"type": "text", "text": "And now?"}]}], "add_generation_prompt": True},
    "parts-system-list": {"messages": [
        {"role": "system", "content": [{"type": "text", "text": "You describe images."}]},
        {"role": "user", "content": [{"type": "image", "url": "http://example.com/cat.png"},
                                     {"type": "text", "text": " Describe. "}]}], "add_generation_prompt": True},
}

GEMMA = {
    "error-roles-alternate": {"messages": [user("one"), user("two")]},
    "error-assistant-first": {"messages": [assistant("I start"), user("no")]},
    "error-invalid-content": {"messages": [{"role": "user", "content": None}]},
    "system-then-assistant-error": {"messages": [system("sys"), assistant("hi")]},
    "error-system-parts-without-text": {"messages": [{"role": "system", "content": [{"type": "image"}]},
                                                     user("hi")]},
}

QWEN_TOOLS = {
    "tools-user": {"messages": [user("Weather in Paris?")], "tools": [WEATHER_TOOL, TIME_TOOL],
                   "add_generation_prompt": True},
    "tools-system-user": {"messages": [system("You are a weather bot."), user("Weather in Paris?")],
                          "tools": [WEATHER_TOOL], "add_generation_prompt": True},
    "tool-call-and-response": {"messages": [user("Weather in Paris?"), TOOL_CALL,
                                            {"role": "tool", "content": "{\"temperature\": 21}"}],
                               "tools": [WEATHER_TOOL], "add_generation_prompt": True},
    "tool-call-string-arguments": {"messages": [user("Weather in Berlin?"), TOOL_CALL_STRING_ARGS,
                                                {"role": "tool", "content": "sunny"},
                                                assistant("It is sunny in Berlin.")],
                                   "tools": [WEATHER_TOOL]},
    "two-tool-calls-two-responses": {"messages": [system("Use tools."), user("Tokyo weather and time?"),
                                                  TWO_TOOL_CALLS, {"role": "tool", "content": "rain"},
                                                  {"role": "tool", "content": "09:00"}],
                                     "tools": [WEATHER_TOOL, TIME_TOOL], "add_generation_prompt": True},
    "tool-call-no-tools-list": {"messages": [user("Weather?"), TOOL_CALL, {"role": "tool", "content": "21C"},
                                             assistant("21 degrees.")], "add_generation_prompt": False},
    "empty-tools-list": {"messages": [user("Hi")], "tools": [], "add_generation_prompt": True},
    "system-in-middle": {"messages": [user("Hi"), assistant("Hello"), system("Switch to French."),
                                      user("Bonjour")], "add_generation_prompt": True},
    "error-list-content": {"messages": [{"role": "user", "content": [{"type": "text", "text": "parts"}]}]},
    "error-none-user-content": {"messages": [{"role": "user", "content": None}]},
}

QWEN3 = {
    "thinking-disabled": {"messages": [user("2+2?")], "add_generation_prompt": True, "enable_thinking": False},
    "thinking-enabled": {"messages": [user("2+2?")], "add_generation_prompt": True, "enable_thinking": True},
    "reasoning-content-last": {"messages": [user("2+2?"), {"role": "assistant", "content": "4",
                                                           "reasoning_content": "Two plus two is four."}]},
    "reasoning-content-history": {"messages": [user("2+2?"), {"role": "assistant", "content": "4",
                                                              "reasoning_content": "Easy."},
                                               user("3+3?")], "add_generation_prompt": True},
    "think-tags-in-content": {"messages": [user("Why?"),
                                           assistant("<think>\nLet me think.\n</think>\n\nBecause.")]},
    "think-tags-in-history": {"messages": [user("Why?"), assistant("<think>\nhmm\n</think>\n\nBecause."),
                                           user("Sure?")], "add_generation_prompt": True,
                              "enable_thinking": False},
    "multi-step-tool-reasoning": {"messages": [
        user("Weather in Paris?"),
        {"role": "assistant", "content": "", "reasoning_content": "I should call the tool.",
         "tool_calls": TOOL_CALL["tool_calls"]},
        {"role": "tool", "content": "{\"temperature\": 21}"},
        {"role": "assistant", "content": "It is 21 degrees.", "reasoning_content": "The tool answered."}],
        "tools": [WEATHER_TOOL]},
    "tool-response-looking-user": {"messages": [
        user("first"), assistant("<think>a</think>ok"),
        user("<tool_response>\nresult\n</tool_response>"), assistant("<think>b</think>done")]},
    "tool-call-with-content": {"messages": [user("Weather?"), TOOL_CALL_STRING_ARGS],
                               "tools": [WEATHER_TOOL]},
    "error-none-assistant-content": {"messages": [user("Hi"), {"role": "assistant", "content": None}]},
    "reasoning-none": {"messages": [user("Hi"), {"role": "assistant", "content": "Hello",
                                                 "reasoning_content": None}]},
}

VL = {
    "video": {"messages": [{"role": "user", "content": [{"type": "video"},
                                                        {"type": "text", "text": "What happens?"}]}],
              "add_generation_prompt": True},
    "vision-ids": {"messages": [
        {"role": "user", "content": [{"type": "image"}, {"type": "video"}, {"type": "text", "text": "A"}]},
        {"role": "assistant", "content": "B"},
        {"role": "user", "content": [{"type": "image_url", "image_url": "http://x/y.png"},
                                     {"type": "text", "text": "C"}]}],
        "add_generation_prompt": True, "add_vision_id": True},
    "image-key-parts": {"messages": [system("sys"), {"role": "user", "content": [
        {"image": "file:///tmp/a.png"}, {"video": ["f1.jpg", "f2.jpg"]}, {"text": "described by keys"}]}],
        "add_generation_prompt": True},
}

GEMMA3N = {
    "audio": {"messages": [{"role": "user", "content": [{"type": "audio"},
                                                        {"type": "text", "text": "Transcribe this."}]}],
              "add_generation_prompt": True},
    "audio-image-text": {"messages": [system("Be precise."), {"role": "user", "content": [
        {"type": "image"}, {"type": "audio"}, {"type": "text", "text": "  What do you see and hear?  "}]}],
        "add_generation_prompt": True},
}


def requests_for(model):
    cases = dict(COMMON)
    if model in ("gemma3", "gemma3n", "qwen2.5-vl"):
        cases.update(PARTS)
    if model in ("gemma3", "gemma3n"):
        cases.update(GEMMA)
    if model == "gemma3n":
        cases.update(GEMMA3N)
    if model in ("qwen2.5", "qwen3"):
        cases.update(QWEN_TOOLS)
    if model == "qwen3":
        cases.update(QWEN3)
    if model == "qwen2.5-vl":
        cases.update(VL)
    return cases


# ---- engine semantics -----------------------------------------------------------------------------------------

ENGINE = [
    ("text-only", "Hello\nworld\n", {}),
    ("trailing-newline-kept-once", "a\n\n", {}),
    ("crlf", "a\r\nb{% if true %}\r\nc{% endif %}\r\n", {}),
    ("trim-blocks", "{% if true %}\nyes\n{% endif %}\nafter", {}),
    ("lstrip-blocks", "  {% if true %}\n    x\n  {% endif %}\n  done", {}),
    ("lstrip-not-for-vars", "  {{ 'v' }}\n  {% if true %}t{% endif %}", {}),
    ("lstrip-mid-line", "a  {% if true %}b{% endif %}  c", {}),
    ("plus-disables-lstrip", "  {%+ if true %}x{% endif +%}\ny", {}),
    ("minus-both-sides", "a \n {%- if true -%} \n b \n {%- endif -%} \n c", {}),
    ("minus-vars", "a  {{- 'b' -}}  \n c", {}),
    ("comments", "a {# note #}\n  {#- gone -#}  b\n{# line #}\nc", {}),
    ("raw", "{% raw %}{{ not }} {% evaluated %}{% endraw %}", {}),
    ("loop-vars", "{% for x in 'abc' %}{{ loop.index0 }}{{ loop.index }}{{ loop.revindex }}{{ loop.revindex0 }}"
                  "{{ loop.first }}{{ loop.last }}{{ loop.length }}|{% endfor %}", {}),
    ("loop-prev-next-cycle", "{% for x in [1,2,3] %}{{ loop.previtem }}/{{ loop.nextitem }}/"
                             "{{ loop.cycle('a','b') }} {% endfor %}", {}),
    ("loop-else-and-filter", "{% for x in xs if x > 1 %}{{ x }}{{ loop.length }}{% else %}none{% endfor %}"
                             "{% for x in [] %}x{% else %}empty{% endfor %}", {"xs": [1, 2, 3]}),
    ("loop-controls", "{% for x in range(10) %}{% if x is odd %}{% continue %}{% endif %}{% if x > 6 %}"
                      "{% break %}{% endif %}{{ x }}{% endfor %}", {}),
    ("loop-unpack-items", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}"
                          "{% for k, v in d|items %}{{ k }}{% endfor %}{% for k, v in d|dictsort %}{{ k }}{% endfor %}",
     {"d": {"b": 1, "a": [1, 2], "C": None}}),
    ("loop-scope", "{% set x = 'outer' %}{% for i in [1,2] %}{% set x = i %}{{ x }}{% endfor %}{{ x }}", {}),
    ("loop-scope-per-iteration", "{% for i in [1,2] %}{% if i == 2 %}[{{ y }}]{% endif %}{% set y = i %}"
                                 "{% endfor %}", {}),
    ("namespace", "{% set ns = namespace(n=0, s='') %}{% for i in [1,2,3] %}{% set ns.n = ns.n + i %}"
                  "{% set ns.s = ns.s ~ i %}{% endfor %}{{ ns.n }} {{ ns.s }}", {}),
    ("namespace-precedence", "{% set ns = namespace(x=a|length - 1) %}{{ ns.x }}", {"a": [1, 2, 3]}),
    ("set-block", "{% set b %}\n  inner {{ 1 + 1 }}\n{% endset %}[{{ b }}]", {}),
    ("set-tuple", "{% set a, b = 1, 'two' %}{{ a }}{{ b }}", {}),
    ("macro-defaults", "{% macro f(a, b='B', c=none) %}{{ a }}{{ b }}{{ c }}{% endmacro %}"
                       "{{ f(1) }} {{ f(1, 2) }} {{ f(1, c=3) }} {{ f() }}", {}),
    ("macro-caller", "{% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}"
                     "{% call wrap('b') %}bold{% endcall %}", {}),
    ("macro-recursive", "{% macro show(v) %}{% if v is mapping %}{{ '{' }}{% for k, x in v.items() %}"
                        "{{ k }}:{{ show(x) }}{% if not loop.last %},{% endif %}{% endfor %}{{ '}' }}"
                        "{% elif v is sequence and v is not string %}[{% for x in v %}{{ show(x) }}{% endfor %}]"
                        "{% else %}{{ v }}{% endif %}{% endmacro %}{{ show(d) }}",
     {"d": {"a": [1, {"b": "c"}], "t": True}}),
    ("operators", "{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} "
                  "{{ 2 ** 10 }} {{ 2 ** -1 }} {{ 7 / 2 }} {{ 4 / 2 }} {{ 1 ~ 2 ~ 'x' }} {{ 'ab' * 3 }} "
                  "{{ -3 }} {{ 1.5 + 1 }} {{ 0.1 + 0.2 }} {{ 1e20 }} {{ 1e-7 }} {{ 123456789.0 * 10 }}", {}),
    ("precedence", "{{ not true and false }} {{ not (true and false) }} {{ true or false and false }} "
                   "{{ 1 if false else 2 if false else 3 }} {{ 'a' if true }}{{ 'b' if false }}| "
                   "{{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 'x' in 'xyz' }} {{ 'q' not in ['q'] }} "
                   "{{ not 'a' in 'abc' }} {{ 2 + 3|length if false else -2 ** 2 }}", {}),
    ("truthiness", "{% for v in [0, 1, '', 'a', [], [0], {}, none, 0.0, false] %}"
                   "{{ 'T' if v else 'F' }}{% endfor %}", {}),
    ("str-of-values", "{{ none }} {{ true }} {{ 1.0 }} {{ [1, 'a', none, 1.5, true] }} {{ {'k': 'v'} }} "
                      "{{ (1,) }} {{ ('a', 2) }} {{ \"it's\" }} {{ ['it\\'s', 'a\"b', 'n\\nl'] }}", {}),
    ("json-values-str", "{{ x }} {{ y }} {{ z }} {{ w }}", {"x": 3, "y": 2.50, "z": [1.0, -0.0],
                                                            "w": {"a": None}}),
    ("subscripts-slices", "{{ l[0] }}{{ l[-1] }}{{ l[1:3] }}{{ l[::-1] }}{{ l[::2] }}{{ l[-2:] }}{{ l[:-3] }}"
                          "{{ s[1:4] }}{{ s[::-1] }}{{ s[-1] }}{{ l[10] }}|{{ l[3:1] }}{{ l[5:-9:-2] }}",
     {"l": [1, 2, 3, 4, 5], "s": "héllo🦄"}),
    ("attribute-vs-item", "{{ d.a }} {{ d['a'] }} {{ d.missing }}|{{ d.items is defined }}|{{ l.0 }} {{ d.get('a') }} "
                          "{{ d.get('zz', 'dflt') }} {{ d.get('zz') }} {{ d.keys()|list }} {{ d.values()|list }}",
     {"d": {"a": 1, "b": 2}, "l": ["x"]}),
    ("string-methods", "{{ s.startswith('  He') }}{{ s.endswith(('x', '! ')) }}|{{ s.strip() }}|"
                       "{{ s.lstrip() }}|{{ s.rstrip() }}|{{ s.strip(' !H') }}|{{ s.split() }}{{ s.split('l') }}"
                       "{{ s.split('l', 1) }}{{ s.rsplit('l', 1) }}{{ s.replace('l', 'L') }}"
                       "{{ s.replace('l', '', 1) }}{{ s.upper() }}{{ s.lower() }}{{ 'hello wORLD-x y'.title() }}"
                       "{{ '{} and {name}'.format(1, name='n') }}{{ s.count('l') }}{{ s.find('o') }}"
                       "{{ s.find('z') }}{{ 'a\\nb\\n'.splitlines() }}{{ ','.join(['a', 'b']) }}",
     {"s": "  Hello world! "}),
    ("filters-text", "{{ '  x  '|trim }}|{{ 'abc'|upper }}{{ 'ABC'|lower }}{{ 'hello WORLD'|capitalize }}"
                     "{{ 'hello wORLD-x (y)'|title }}{{ 'aXa'|replace('a', 'b') }}{{ '<a href=\"x\">&\\''|e }}"
                     "{{ 'abc'|length }}{{ [1, 2]|length }}{{ {'a': 1}|count }}{{ 'x'|string }}{{ 42|string }}"
                     "{{ '  a\\n b'|indent(2) }}{{ 'a\\n\\nb'|indent(2, true) }}", {}),
    ("filters-lists", "{{ [3, 1, 2]|join(',') }} {{ [1, 2]|first }} {{ [1, 2]|last }} {{ 'ab'|list }} "
                      "{{ [3, 1, 2]|sort }} {{ ['b', 'A', 'c']|sort }} {{ [3, 1, 2]|sort(reverse=true) }} "
                      "{{ [1, 2, 2, 1]|unique|list }} {{ [1, 2, 3]|sum }} {{ [4, 2, 8]|min }} {{ [4, 2, 8]|max }} "
                      "{{ [1, 2, 3]|reverse|list }} {{ 'abc'|reverse }} {{ ['a', 'b']|map('upper')|list }} "
                      "{{ range(3)|list }} {{ range(1, 10, 3)|list }}", {}),
    ("filters-attr", "{{ parts|selectattr('type', 'equalto', 'text')|map(attribute='text')|join('+') }} "
                     "{{ parts|rejectattr('type', 'eq', 'text')|list|length }} "
                     "{{ parts|selectattr('text')|list|length }} {{ parts|map(attribute='type')|list }} "
                     "{{ [1, 2, 3, 4]|select('even')|list }} {{ [1, 2, 3, 4]|reject('odd')|list }} "
                     "{{ parts|sort(attribute='type')|map(attribute='type')|join }} "
                     "{{ parts|map(attribute='missing', default='D')|list }}",
     {"parts": [{"type": "text", "text": "a"}, {"type": "image"}, {"type": "text", "text": "b"}]}),
    ("filters-numbers", "{{ '42'|int }} {{ '4.7'|int }} {{ 'x'|int }} {{ 'x'|int(7) }} {{ 3.9|int }} "
                        "{{ '2.5'|float }} {{ 3|float }} {{ -3|abs }} {{ 2.5|round }} {{ 3.5|round }} "
                        "{{ 2.675|round(2) }} {{ 2.1|round(0, 'ceil') }} {{ 2.9|round(method='floor') }}", {}),
    ("filter-default", "{{ u|default('d') }} {{ none|default('d') }} {{ ''|default('d', true) }} "
                       "{{ 0|d('z', boolean=true) }} {{ x|default('no') }}", {"x": "yes"}),
    ("tojson", "{{ v|tojson }}\n{{ v|tojson(indent=2) }}\n{{ v|tojson(indent=4, sort_keys=true) }}\n"
               "{{ v|tojson(separators=(',', ':')) }}\n{{ 'é\"\\\\\\n\\t\\u0001'|tojson }} {{ 'é'|tojson(ensure_ascii=true) }}"
               "\n{{ [1.0, 2.5e-7, 1e16, true, none]|tojson }} {{ {}|tojson(indent=2) }} {{ []|tojson(indent=2) }}",
     {"v": {"name": "get_weather", "b": [1, 2.5, {"z": None, "a": True}], "ü": "ß"}}),
    ("tests", "{{ u is defined }}{{ u is undefined }}{{ none is none }}{{ 'a' is string }}{{ {} is mapping }}"
              "{{ [] is iterable }}{{ 'a' is iterable }}{{ 1 is iterable }}{{ {} is sequence }}{{ 1 is number }}"
              "{{ 1.5 is number }}{{ true is number }}{{ true is boolean }}{{ 1 is boolean }}{{ true is true }}"
              "{{ 1 is true }}{{ false is false }}{{ 3 is odd }}{{ 4 is even }}{{ 'a' is in 'abc' }}"
              "{{ 1 is integer }}{{ 1.0 is float }}{{ 6 is divisibleby 3 }}{{ 'a' is eq 'a' }}"
              "{{ x is not none }}{{ 'ab' is lower }}{{ 2 is gt 1 }}",
     {"x": 1}),
    ("undefined", "[{{ u }}][{{ u|length }}][{% for x in u %}x{% endfor %}][{{ 'no' if u else 'falsy' }}]"
                  "[{{ u is defined }}][{{ d.missing is defined }}][{{ d['missing'] }}][{{ u == u }}]"
                  "[{{ l[3] is defined }}][{{ u|default('x') }}][{{ u|trim }}]", {"d": {}, "l": [1]}),
    ("error-undefined-attribute-of-undefined", "{{ d.missing.deeper }}", {"d": {}}),
    ("error-undefined-name-attribute", "{{ nothing.here }}", {}),
    ("error-undefined-arithmetic", "{{ u + 1 }}", {}),
    ("error-raise-exception", "{% if true %}{{ raise_exception('Custom failure: ' ~ 42) }}{% endif %}", {}),
    ("error-str-plus-int", "{{ 'a' + 1 }}", {}),
    ("error-int-plus-str", "{{ 1 + 'a' }}", {}),
    ("error-list-append-unsafe", "{% set l = [] %}{{ l.append(1) }}", {}),
    ("error-compare-types", "{{ 1 < 'a' }}", {}),
    ("error-tojson-undefined", "{{ u|tojson }}", {}),
    ("error-none-iteration", "{% for x in n %}{% endfor %}", {"n": None}),
    ("error-unknown-filter", "{{ 1|nosuchfilter }}", {}),
    ("error-unknown-test", "{{ 'ab' is startingwith 'a' }}", {}),
    ("float-repr-extremes", "{{ 5e-324 }} {{ 2.0 ** -1074 * 3 }} {{ 1e22 }} {{ 9007199254740993.0 }} {{ 0.3 }} "
                            "{{ 1.7976931348623157e308 }} {{ 123456789012345.6 }} {{ 1e15 }} {{ 1e16 }} {{ 0.0001 }}", {}),
    ("with-block", "{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}{{ a }}", {}),
    ("filter-block", "{% filter upper %}shout {{ 'this' }}{% endfilter %}", {}),
    ("string-concat-literals", "{{ 'a' 'b' \"c\" }} {{ 'esc\\t\\x41\\u00e9' }}", {}),
    ("dict-literal-braces", "{{ {'a': {'b': 1}} }} {{ {'a': {'b': 1}}['a']['b'] }}", {}),
    ("in-dict-and-list", "{{ 'a' in {'a': 1} }} {{ 1 in [1.0] }} {{ 'image' in {'type': 'image'} }}", {}),
    ("equality", "{{ 1 == 1.0 }} {{ true == 1 }} {{ 'a' == 'a' }} {{ [1, 2] == [1, 2] }} {{ none == none }} "
                 "{{ u == none }} {{ {'a': 1} == {'a': 1} }}", {}),
    ("whitespace-heavy-template", "{%- for m in ms %}\n    {%- if m %}\n        {{- m ~ '\\n' }}\n    {%- endif %}"
                                  "\n{%- endfor %}\n{%- if end %}\n    {{- 'END' }}\n{%- endif %}\n", 
     {"ms": ["a", "", "b"], "end": True}),
    ("generation-block", "{% for m in ms %}{% generation %}{{ m }}{% endgeneration %}|{% endfor %}",
     {"ms": ["a", "b"]}),
    ("strftime-literal", "{{ strftime_now('%%') }}", {}),
    ("llama-style-reassign-messages",
     "{%- if not date_string is defined %}\n    {%- if strftime_now is defined %}\n        {%- set date_string = \"26 Jul 2024\" %}\n"
     "    {%- endif %}\n{%- endif %}\n{%- if messages[0]['role'] == 'system' %}\n"
     "    {%- set system_message = messages[0]['content']|trim %}\n    {%- set messages = messages[1:] %}\n"
     "{%- else %}\n    {%- set system_message = \"\" %}\n{%- endif %}\n"
     "{{- \"Today Date: \" + date_string + \"\\n\\n\" }}{{- system_message }}\n"
     "{%- for message in messages %}\n    {%- if not (message.role == 'ipython' or 'tool_calls' in message) %}\n"
     "        {{- '<' + message['role'] + '>' + message['content'] | trim + '</>' }}\n"
     "    {%- elif 'tool_calls' in message %}\n        {%- if not message.tool_calls|length == 1 %}\n"
     "            {{- raise_exception(\"single tool-calls only\") }}\n        {%- endif %}\n"
     "        {%- set tool_call = message.tool_calls[0].function %}\n"
     "        {{- '{\"name\": \"' + tool_call.name + '\", \"parameters\": ' }}{{- tool_call.arguments | tojson(indent=4) }}"
     "{{- '}' }}\n    {%- endif %}\n{%- endfor %}\n{{- messages|length }}",
     {"messages": [{"role": "system", "content": "  sys  "}, {"role": "user", "content": " hi "},
                   {"role": "assistant", "tool_calls": [{"function": {"name": "f", "arguments": {"a": [1, {"b": None}],
                                                                                                  "c": "d"}}}]}]}),
    ("gemma-style-macros",
     "{%- macro format_argument(argument, escape_keys=True) -%}\n    {%- if argument is string -%}\n"
     "        {{- '<|\"|>' + argument + '<|\"|>' -}}\n    {%- elif argument is boolean -%}\n"
     "        {{- 'true' if argument else 'false' -}}\n    {%- elif argument is mapping -%}\n        {{- '{' -}}\n"
     "        {%- set ns = namespace(found_first=false) -%}\n        {%- for key, value in argument | dictsort -%}\n"
     "            {%- if ns.found_first %},{% endif -%}\n            {%- set ns.found_first = true -%}\n"
     "            {%- if escape_keys -%}{{- '<|\"|>' + key + '<|\"|>' -}}{%- else -%}{{- key -}}{%- endif -%}\n"
     "            :{{- format_argument(value, escape_keys=escape_keys) -}}\n        {%- endfor -%}\n        {{- '}' -}}\n"
     "    {%- elif argument is sequence -%}\n        {{- '[' -}}\n        {%- for item in argument -%}\n"
     "            {{- format_argument(item, escape_keys=escape_keys) -}}\n            {%- if not loop.last %},{% endif -%}\n"
     "        {%- endfor -%}\n        {{- ']' -}}\n    {%- else -%}\n        {{- argument -}}\n    {%- endif -%}\n"
     "{%- endmacro -%}\n{%- macro strip_thinking(text) -%}\n    {%- set ns = namespace(result='') -%}\n"
     "    {%- for part in text.split('<channel|>') -%}\n        {%- if '<|channel>' in part -%}\n"
     "            {%- set ns.result = ns.result + part.split('<|channel>')[0] -%}\n        {%- else -%}\n"
     "            {%- set ns.result = ns.result + part -%}\n        {%- endif -%}\n    {%- endfor -%}\n"
     "    {{- ns.result | trim -}}\n{%- endmacro -%}\n"
     "{{ format_argument(args) }}\n{{ format_argument(args, escape_keys=False) }}\n"
     "{{ strip_thinking(' a<|channel>thought<channel|>b ') }}\n"
     "{{ 'response:' + name | default('unknown') + '{' }}{{ types | map('upper') | list }}"
     "{{ (types | first) | upper == 'STRING' }}",
     {"args": {"z": [1, 2.5, "s", True, None], "City": "Paris", "nested": {"b": False, "a": {}}},
      "types": ["string", "object"]}),
    ("nested-loops-outer-loop", "{% for a in [1, 2] %}{% set outer = loop %}{% for b in 'xy' %}"
                                "{{ outer.index }}{{ loop.index }}{{ a }}{{ b }}{% if loop.last and outer.last %}!"
                                "{% endif %} {% endfor %}{% endfor %}", {}),
    ("loop-changed-and-first-continue", "{% for m in ms %}{{ loop.index }}{% if loop.changed(m) %}*{% endif %}"
                                        "{% endfor %}|{% for m in ms %}{% if loop.first %}{% continue %}{% endif %}"
                                        "{{ m }}{% if loop.index == 3 %}{% break %}{% endif %}{% endfor %}",
     {"ms": ["a", "a", "b", "b", "a"]}),
    ("set-block-filter-and-macro-sees-later-set", "{% set t | upper %}abc {{ x }}{% endset %}{{ t }}"
                                                  "{% macro m() %}{{ y }}{% endmacro %}{% set y = 5 %}{{ m() }}",
     {"x": "def"}),
    ("round-int-and-attr", "{{ 3|round }} {{ 3|round(1, 'floor') }} {{ d|attr('role') }}|{{ d|attr('items') is defined }}",
     {"d": {"role": "user"}}),
    ("python-arithmetic-and-tests", "{{ 2 * [1] }} {{ [0] * 2 }} {{ (1,) * 2 }} {{ 0.5 is even }} {{ 3.0 is odd }} "
                                    "{{ {'k': 2} is lower }} {{ 'ABC1' is upper }} {{ u is sequence }} {{ d|last }} "
                                    "{{ -7.5 % 2 }} {{ 7 // -2.0 }}", {"d": {"a": 1, "b": 2}}),
    ("error-pow-list", "{{ [1] ** 2 }}", {}),
    ("error-modulo-zero", "{{ 1 % 0 }}", {}),
    ("error-float-division-zero", "{{ 0.5 / 0 }}", {}),
    ("error-multiply-sequence-by-float", "{{ 'ab' * 1.5 }}", {}),
    ("error-dictsort-list", "{{ x|dictsort }}", {"x": [1]}),
    ("error-abs-list", "{{ x|abs }}", {"x": [1]}),
    ("error-round-str", "{{ x|round }}", {"x": "1.5"}),
    ("error-slice-int", "{{ x[1:] }}", {"x": 5}),
    ("error-slice-dict", "{{ x[1:] }}", {"x": {"a": 1}}),
    ("error-tuple-concat", "{{ x + 0.5 }}", {"x": [1, 2]}),
    ("macro-varargs-kwargs", "{% macro m(a) %}{{ a }}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1, 2, 3, x=4) }}", {}),
    ("none-content-concat-error", "{{ 'x' + c }}", {"c": None}),
    ("conditional-filter-chain", "{{ (messages | selectattr('role', 'equalto', 'system') | list | first).content "
                                 "if messages | selectattr('role', 'equalto', 'system') | list else 'none' }}",
     {"messages": [{"role": "user", "content": "u"}, {"role": "system", "content": "s"}]}),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", default=os.path.join(os.path.dirname(__file__), "..", ".."))
    args = parser.parse_args()
    base = os.path.join(args.root, "fixtures", "chat-templates")
    hf = transformers_compile()
    cases_dir = os.path.join(base, "cases")
    os.makedirs(cases_dir, exist_ok=True)
    for old in os.listdir(cases_dir):
        if old.endswith(".json"):
            os.remove(os.path.join(cases_dir, old))
    count = 0
    for model in MODELS:
        template, tokens = load_model(os.path.join(base, model))
        for name, request in sorted(requests_for(model).items()):
            result = render(compile_template, template, tokens, request)
            if hf is not None:
                assert render(hf, template, tokens, request) == result, (model, name)
            case = {"model": model, "request": request, **result}
            with open(os.path.join(cases_dir, f"{model}--{name}.json"), "w", encoding="utf-8") as f:
                json.dump(case, f, ensure_ascii=False, indent=2)
                f.write("\n")
            count += 1
    engine = []
    for name, template, variables in ENGINE:
        result = render_plain(compile_template, template, variables)
        if hf is not None:
            assert render_plain(hf, template, variables) == result, name
        engine.append({"name": name, "template": template, "variables": variables, **result})
    os.makedirs(os.path.join(base, "engine"), exist_ok=True)
    with open(os.path.join(base, "engine", "cases.json"), "w", encoding="utf-8") as f:
        json.dump(engine, f, ensure_ascii=False, indent=2)
        f.write("\n")
    print(f"wrote {count} template cases and {len(engine)} engine cases under {base} "
          f"(jinja2 {jinja2.__version__}{', checked against transformers' if hf else ''})")


if __name__ == "__main__":
    main()
