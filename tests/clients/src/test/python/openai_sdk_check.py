"""The official OpenAI Python SDK against a running `./unicorn serve`.

Usage: python openai_sdk_check.py BASE_URL API_KEY MODEL_ID
Runs each check, prints one line per check ("ok NAME" or "FAIL NAME: why") and exits 1 if any failed.
"""
import json
import sys
import traceback

import openai

base_url, api_key, model = sys.argv[1:4]
client = openai.OpenAI(base_url=base_url, api_key=api_key, max_retries=0, timeout=120)
checks = []


def check(fn):
    checks.append(fn)
    return fn


def chat(content, **kw):
    return client.chat.completions.create(model=model, messages=[{"role": "user", "content": content}], **kw)


@check
def models_list():
    ids = [m.id for m in client.models.list().data]
    assert model in ids, ids


@check
def plain_and_streamed_chat():
    plain = chat("Name three colours.", temperature=0, max_tokens=16)
    text = plain.choices[0].message.content
    assert text and text.strip(), repr(text)
    assert plain.choices[0].message.role == "assistant"
    u = plain.usage
    assert u.prompt_tokens > 5 and 1 <= u.completion_tokens <= 16, u
    assert u.total_tokens == u.prompt_tokens + u.completion_tokens, u
    pieces, usage, finish = [], None, None
    for chunk in chat("Name three colours.", temperature=0, max_tokens=16, stream=True,
                      stream_options={"include_usage": True}):
        for c in chunk.choices:
            if c.delta.content:
                pieces.append(c.delta.content)
            if c.finish_reason:
                finish = c.finish_reason
        if chunk.usage:
            usage = chunk.usage
    assert "".join(pieces) == text, ("".join(pieces), text)
    assert usage is not None and usage.completion_tokens == u.completion_tokens, usage
    assert finish == plain.choices[0].finish_reason, finish


@check
def list_of_parts_content_and_system_prompt():
    r = client.chat.completions.create(model=model, temperature=0, max_tokens=8, messages=[
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": [{"type": "text", "text": "Name three colours."}]}])
    assert r.choices[0].message.content, r


@check
def stop_sequence():
    full = chat("Write a sentence about the sea.", temperature=0, max_tokens=24).choices[0].message.content
    start = len(full) // 3
    stop = full[start:start + 3]
    assert stop.strip(), repr(full)
    cut = chat("Write a sentence about the sea.", temperature=0, max_tokens=24, stop=[stop])
    assert cut.choices[0].message.content == full[:full.index(stop)], (cut.choices[0].message.content, full, stop)
    assert cut.choices[0].finish_reason == "stop"


@check
def length_limit():
    r = chat("Count from one to fifty.", temperature=0, max_tokens=4)
    assert r.choices[0].finish_reason == "length" and r.usage.completion_tokens == 4, r


@check
def seed_reproducibility():
    a = chat("Tell me a story.", temperature=1.0, seed=42, max_tokens=16).choices[0].message.content
    b = chat("Tell me a story.", temperature=1.0, seed=42, max_tokens=16).choices[0].message.content
    assert a == b, (a, b)


@check
def n_choices_and_logprobs():
    r = chat("Tell me a story.", temperature=1.0, seed=7, max_tokens=6, n=2, logprobs=True, top_logprobs=3)
    assert [c.index for c in r.choices] == [0, 1], r.choices
    for c in r.choices:
        content = c.logprobs.content
        assert len(content) >= 1
        for t in content:
            assert t.logprob <= 0 and len(t.top_logprobs) == 3, t
            assert t.top_logprobs[0].logprob >= t.top_logprobs[-1].logprob, t


@check
def tool_call_when_required():
    tools = [{"type": "function", "function": {
        "name": "get_weather", "description": "Current weather of a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                       "required": ["city"], "additionalProperties": False}}}]
    r = chat("What is the weather in Paris?", temperature=0, max_tokens=40, tools=tools, tool_choice="required")
    c = r.choices[0]
    assert c.finish_reason == "tool_calls", c
    call = c.message.tool_calls[0]
    assert call.type == "function" and call.function.name == "get_weather" and call.id, call
    assert isinstance(json.loads(call.function.arguments)["city"], str), call.function.arguments
    # The conversation goes on with the tool's answer.
    r2 = client.chat.completions.create(model=model, temperature=0, max_tokens=8, messages=[
        {"role": "user", "content": "What is the weather in Paris?"},
        {"role": "assistant", "tool_calls": [call.model_dump()]},
        {"role": "tool", "tool_call_id": call.id, "content": "sunny, 21 C"}], tools=tools)
    assert r2.choices[0].message.content is not None or r2.choices[0].message.tool_calls, r2


@check
def json_schema_output():
    schema = {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"},
                                               "tags": {"type": "array", "items": {"enum": ["a", "b"]}}},
              "required": ["name", "age", "tags"], "additionalProperties": False}
    r = chat("Invent a person as JSON.", temperature=0.8, seed=11, max_tokens=80,
             response_format={"type": "json_schema", "json_schema": {"name": "person", "schema": schema,
                                                                     "strict": True}})
    v = json.loads(r.choices[0].message.content)
    assert set(v) == {"name", "age", "tags"}, v
    assert isinstance(v["name"], str) and isinstance(v["age"], int) and not isinstance(v["age"], bool), v
    assert all(t in ("a", "b") for t in v["tags"]), v


@check
def json_object_output():
    r = chat("Describe a cat as JSON.", temperature=0.8, seed=2, max_tokens=60,
             response_format={"type": "json_object"})
    assert isinstance(json.loads(r.choices[0].message.content), dict), r.choices[0].message.content


@check
def legacy_completions():
    r = client.completions.create(model=model, prompt="The capital of France is", max_tokens=5, temperature=0)
    assert r.choices[0].text and r.usage.completion_tokens >= 1, r
    streamed = "".join(c.choices[0].text for c in client.completions.create(
        model=model, prompt="The capital of France is", max_tokens=5, temperature=0, stream=True) if c.choices)
    assert streamed == r.choices[0].text, (streamed, r.choices[0].text)


@check
def errors():
    try:
        client.chat.completions.create(model="no-such-model", messages=[{"role": "user", "content": "hi"}])
        raise AssertionError("no error for an unknown model")
    except openai.NotFoundError as e:
        assert e.status_code == 404 and "no-such-model" in str(e), e
    try:
        chat("hi", temperature=-1)
        raise AssertionError("no error for temperature -1")
    except openai.BadRequestError as e:
        assert e.status_code == 400 and "temperature" in str(e), e
    try:
        client.chat.completions.create(model=model, messages=[])
        raise AssertionError("no error for empty messages")
    except openai.BadRequestError as e:
        assert "messages" in str(e), e
    try:
        openai.OpenAI(base_url=base_url, api_key="wrong", max_retries=0).models.list()
        raise AssertionError("no error for a wrong API key")
    except openai.AuthenticationError as e:
        assert e.status_code == 401, e


failed = 0
for fn in checks:
    try:
        fn()
        print("ok", fn.__name__, flush=True)
    except Exception as e:  # noqa: BLE001 - report every failure and go on
        failed += 1
        print("FAIL", fn.__name__ + ":", repr(e)[:2000], flush=True)
        traceback.print_exc(file=sys.stderr)
print(f"{len(checks) - failed} of {len(checks)} checks passed", flush=True)
sys.exit(1 if failed else 0)
