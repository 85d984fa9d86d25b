#!/usr/bin/env -S node --no-experimental-fetch
// Benchmark of the WebAssembly build in node: ms per 30 s track (decode + features + inference, the
// whole classifyEncoded call) for the single-threaded and the threaded module, and the same work done
// by the native CLI (measured as the extra time of classifying the track K more times in one process,
// so process start and model load cancel out; the CLI spreads tracks over its threads, so its threaded
// figure is throughput). Minimums of repeated runs are compared: the machine may be shared.
//   node wasm/bench.mjs [--model FILE] [--runs N] [--threads N] [--native PATH] [--build DIR] [TRACK]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

import { defaultBuildDir, defaultModelPath, loadNodeMelgenre } from './melgenre.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const opts = {
  model: defaultModelPath(), runs: 10, threads: 2, native: join(root, 'build', 'native', 'melgenre'),
  build: defaultBuildDir(),
  track: join(root, '..', 'shared', 'data', 'gtzan-mini', 'genres', 'rock', 'rock.00000.wav'),
};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; ++i) {
  const a = argv[i];
  if (['--model', '--runs', '--threads', '--native', '--build'].includes(a) && i + 1 < argv.length) {
    const key = a.slice(2);
    opts[key] = ['runs', 'threads'].includes(key) ? Number(argv[++i]) : argv[++i];
  } else if (!a.startsWith('--')) {
    opts.track = a;
  } else {
    console.error('usage: node wasm/bench.mjs [--model FILE] [--runs N] [--threads N] [--native PATH] [--build DIR] [TRACK]');
    process.exit(1);
  }
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const modelBytes = readFileSync(opts.model);
const track = readFileSync(opts.track);

async function benchWasm(flavour, threads) {
  const t0 = performance.now();
  const melgenre = await loadNodeMelgenre(flavour, opts.build);
  const classifier = melgenre.createClassifier(modelBytes, { threads });
  const startup = performance.now() - t0;
  const first = classifier.classifyEncoded(track);  // warm-up
  const times = [], cpus = [];
  for (let i = 0; i < opts.runs; ++i) {
    const t = performance.now(), c = process.cpuUsage();
    classifier.classifyEncoded(track);
    times.push(performance.now() - t);
    const dc = process.cpuUsage(c);
    cpus.push((dc.user + dc.system) / 1000);  // this process: the main thread and the pthread workers
  }
  const secs = first.duration;
  const backend = classifier.backend;
  classifier.delete();
  const per30 = 30 / secs;
  return { ms: median(times) * per30, min: Math.min(...times) * per30, cpu: median(cpus) * per30, startup, backend, secs };
}

function benchNative(threads, secs) {
  if (!existsSync(opts.native)) return null;
  // Wall and CPU time (user + system, all threads) of one CLI run, through /usr/bin/time.
  const run = (copies) => {
    const t = performance.now();
    const r = spawnSync('/usr/bin/time', ['-f', 'cpu %U %S', opts.native, 'classify', '--model', opts.model,
      '--format', 'json', '--threads', String(threads), ...Array(copies).fill(opts.track)],
    { encoding: 'utf8', maxBuffer: 1 << 26 });
    const wall = performance.now() - t;
    if (r.status !== 0) throw new Error(`native classify failed: ${r.stderr}`);
    const m = r.stderr.match(/cpu ([\d.]+) ([\d.]+)\s*$/);
    return { wall, cpu: m ? (Number(m[1]) + Number(m[2])) * 1000 : NaN };
  };
  const k = opts.runs;
  const one = [], many = [];
  for (let i = 0; i < 5; ++i) { one.push(run(1)); many.push(run(1 + k)); }
  // Minimum of several tries: the least disturbed by other processes on a shared machine.
  const min = (xs, key) => Math.min(...xs.map((x) => x[key]));
  const per30 = 30 / secs;
  return {
    ms: ((min(many, 'wall') - min(one, 'wall')) / k) * per30,
    cpu: ((min(many, 'cpu') - min(one, 'cpu')) / k) * per30,
  };
}

console.log(`track ${opts.track} (${(track.length / 1024).toFixed(0)} KiB), model ${opts.model}, ${opts.runs} runs, median`);
const st = await benchWasm('st', 1);
const mt = await benchWasm('mt', opts.threads);
const n1 = benchNative(1, st.secs);
const nT = benchNative(opts.threads, st.secs);
const row = (name, r, native) => {
  const ratio = native ? `  wall min/native ${(r.min / native.ms).toFixed(2)}x, cpu/native ${(r.cpu / native.cpu).toFixed(2)}x` : '';
  console.log(`${name.padEnd(32)} wall median ${r.ms.toFixed(1).padStart(7)} ms/track, min ${r.min.toFixed(1).padStart(7)}, cpu ${r.cpu.toFixed(1).padStart(7)} ms` +
    ` (module+model load ${r.startup.toFixed(0)} ms, backend ${r.backend})${ratio}`);
};
row('wasm single-threaded (node)', st, n1);
row(`wasm threaded, ${opts.threads} threads (node)`, mt, nT);
if (n1) console.log(`${'native CLI, --threads 1'.padEnd(32)}    wall min ${n1.ms.toFixed(1).padStart(7)} ms/track,              cpu ${n1.cpu.toFixed(1).padStart(7)} ms`);
if (nT) console.log(`${`native CLI, --threads ${opts.threads}`.padEnd(32)}    wall min ${nT.ms.toFixed(1).padStart(7)} ms/track,              cpu ${nT.cpu.toFixed(1).padStart(7)} ms (tracks in parallel: throughput)`);
process.exit(0);
