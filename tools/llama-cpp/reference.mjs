// llama.cpp (prebuilt, through node-llama-cpp, CPU) as the reference for a GGUF file. Prints JSON on stdout.
//
//   node reference.mjs top1   MODEL.gguf --text-file F [--tokens 256]   ids of the text (llama.cpp's tokenizer,
//        or --ids 1,2,3 instead of the text)
//        BOS as the model adds it) and, for every position, the two largest next-token logits
//        (--one-by-one 1: evaluate the ids one at a time, as decoding does, instead of as one batch)
//   node reference.mjs greedy MODEL.gguf --ids 1,2,3 [--max 64]          greedy continuation, stopping at an
//        end-of-generation token (not included), and its text
//   node reference.mjs tokenize MODEL.gguf --text-file F [--special 1]   llama.cpp's ids of a text
//   node reference.mjs bench  MODEL.gguf [--threads 2] [--prompt 128] [--gen 64] [--reps 3]
import fs from "node:fs";
import {getLlama, LlamaLogLevel} from "node-llama-cpp";

const [mode, modelPath, ...rest] = process.argv.slice(2);
const opt = {tokens: 256, max: 64, threads: 2, prompt: 128, gen: 64, reps: 3, special: 0};
for (let i = 0; i < rest.length; i += 2) {
    const k = rest[i].replace(/^--/, ""), v = rest[i + 1];
    opt[k] = ["text-file", "ids"].includes(k) ? v : Number(v);
}
if (!mode || !modelPath) {
    console.error("usage: node reference.mjs top1|greedy|tokenize|bench MODEL.gguf [options]");
    process.exit(2);
}
const llama = await getLlama({gpu: false, build: "never", maxThreads: opt.threads, logLevel: LlamaLogLevel.error});
const model = await llama.loadModel({modelPath, gpuLayers: 0});
const ctxSize = Math.max(512, Math.ceil((Math.max(opt.tokens, opt.prompt + opt.gen, 64 + opt.max) + 64) / 256) * 256);
const context = await model.createContext({contextSize: ctxSize, batchSize: Math.min(512, ctxSize), sequences: 1,
    threads: {ideal: opt.threads, min: opt.threads}});
const seq = context.getSequence();
const out = {llamaCppRelease: llama.llamaCppRelease, model: modelPath};

if (mode === "tokenize") {
    out.ids = model.tokenize(fs.readFileSync(opt["text-file"], "utf8"), !!opt.special);
    out.bos = model.tokens.bos;
    out.addBos = !!model.tokens.shouldPrependBosToken;
    out.arch = model.fileInfo?.metadata?.general?.architecture ?? null;
} else if (mode === "top1") {
    let ids;
    if (opt.ids) {
        ids = opt.ids.split(",").map(Number);
    } else {
        ids = model.tokenize(fs.readFileSync(opt["text-file"], "utf8"), false);
        if (model.tokens.shouldPrependBosToken && model.tokens.bos != null) ids = [model.tokens.bos, ...ids];
        ids = ids.slice(0, opt.tokens);
    }
    const input = ids.map((t) => [t, {generateNext: {logits: {filter: {tokens: [], includeTop: 2}}}}]);
    let res = [];
    if (opt["one-by-one"]) {
        // one token per llama_decode call: llama.cpp's decoding kernels (one-row matmuls and flash attention)
        for (const item of input) res.push(...await seq.controlledEvaluate([item]));
    } else {
        res = await seq.controlledEvaluate(input);
    }
    out.ids = ids;
    out.top = res.map((r) => [...(r?.next?.logits ?? new Map()).entries()]
        .sort((a, b) => b[1] - a[1]).slice(0, 2).map(([t, l]) => [t, l]));
} else if (mode === "greedy") {
    const ids = opt.ids.split(",").map(Number);
    const generated = [];
    let stopped = false;
    for await (const tok of seq.evaluate(ids, {temperature: 0})) {
        if (model.isEogToken(tok)) { stopped = true; break; }
        generated.push(tok);
        if (generated.length >= opt.max) break;
    }
    out.ids = generated;
    out.stopped = stopped;
    out.text = model.detokenize(generated);
} else if (mode === "bench") {
    const nVocab = model.tokens?.bos != null ? 100000 : 100000;
    let state = 1;
    const rand = () => { state = (state * 1103515245 + 12345) % 2147483648; return state / 2147483648; };
    const randTok = () => 300 + Math.floor(rand() * Math.min(model.fileInsights?.tokens?.count ?? nVocab, 100000) * 0.5);
    const runs = [];
    for (let r = -1; r < opt.reps; r++) {
        await seq.clearHistory();
        const prompt = Array.from({length: opt.prompt}, randTok);
        const t0 = performance.now();
        await seq.evaluateWithoutGeneratingNewTokens(prompt);
        const t1 = performance.now();
        let n = 0;
        const t2 = performance.now();
        for await (const tok of seq.evaluate([randTok()], {temperature: 0})) {
            if (++n >= (r < 0 ? 4 : opt.gen)) break;
        }
        const t3 = performance.now();
        if (r >= 0) runs.push({prefill: opt.prompt / ((t1 - t0) / 1000), decode: n / ((t3 - t2) / 1000)});
    }
    const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
    out.prefill_tps = median(runs.map((r) => r.prefill));
    out.decode_tps = median(runs.map((r) => r.decode));
    out.runs = runs;
} else {
    console.error(`unknown mode ${mode}`);
    process.exit(2);
}
process.stdout.write(JSON.stringify(out) + "\n");
await context.dispose();
await model.dispose();
await llama.dispose();
