#!/usr/bin/env -S node --no-experimental-fetch
// Node entry point of the WebAssembly build: the same classification as the native CLI, for parity
// checks and scripting.
//   node wasm/melgenre.mjs classify [--model FILE] [--format table|json|csv] [--segments] [--threads N]
//                                   [--backend NAME] [--build DIR] PATH...
// With --threads > 1 the threaded (pthreads) module is used, otherwise the single-threaded one.
// Output (every format) and error lines are exactly the native CLI's. The modules are found in --build DIR, or
// $MELGENRE_WASM_BUILD, or <repo>/build/wasm.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { loadMelgenre, MelgenreError } from './api.mjs';
import { csvHeader, formatCsvLines, formatJsonLine, formatTableLines } from './format.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const EXIT_OK = 0, EXIT_USAGE = 1, EXIT_BAD_INPUT = 2;

const USAGE = `usage: node wasm/melgenre.mjs classify [--model FILE] [--format table|json|csv] [--segments]
                                 [--threads N] [--backend NAME] [--build DIR] PATH...`;

// Loads the node flavour of the module: 'st' (single-threaded) or 'mt' (pthreads).
export async function loadNodeMelgenre(flavour, buildDir = defaultBuildDir()) {
  const path = resolve(buildDir, 'wasm', `melgenre-node-${flavour}.js`);
  let factory;
  try {
    factory = createRequire(import.meta.url)(path);
  } catch (e) {
    throw new Error(`cannot load ${path} (build the wasm preset first: cmake --preset wasm && cmake --build --preset wasm): ${e.message.split('\n')[0]}`);
  }
  return loadMelgenre(factory, { threaded: flavour === 'mt' });
}

export function defaultBuildDir() {
  return process.env.MELGENRE_WASM_BUILD || join(repoRoot, 'build', 'wasm');
}

export function defaultModelPath() {
  return join(repoRoot, 'models', 'default.mgm');
}

// Files as given, directories walked recursively in sorted order skipping dot-names (as the native CLI).
export function expandPaths(paths) {
  const files = [], errors = [];
  for (const p of paths) {
    let st;
    try { st = statSync(p); } catch { errors.push(`${p}: no such file or directory`); continue; }
    if (!st.isDirectory()) { files.push(p); continue; }
    const found = [];
    const walk = (dir) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.name.startsWith('.')) continue;
        const full = join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.isFile()) found.push(full);
      }
    };
    try { walk(p); } catch (e) { errors.push(`${p}: cannot list directory: ${e.message}`); continue; }
    found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    files.push(...found);
  }
  return { files, errors };
}

function parseArgs(argv) {
  const takesValue = new Set(['model', 'format', 'threads', 'backend', 'build']);
  const flags = new Set(['segments', 'help']);
  const opts = { positional: [] };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    if (a === '--') { opts.positional.push(...argv.slice(i + 1)); break; }
    if (a === '-h') { opts.help = true; continue; }
    if (!a.startsWith('--') || a === '-') { opts.positional.push(a); continue; }
    let [name, value] = a.slice(2).split(/=(.*)/s, 2);
    if (flags.has(name) && value === undefined) { opts[name] = true; continue; }
    if (!takesValue.has(name)) throw new Error(`unknown option --${name}`);
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new Error(`option --${name} needs a value`);
      value = argv[++i];
    }
    opts[name] = value;
  }
  return opts;
}

async function runClassify(argv) {
  let opts;
  try {
    opts = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`melgenre classify: ${e.message}\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  if (opts.help) { process.stdout.write(`${USAGE}\n`); return EXIT_OK; }
  const format = opts.format ?? 'table';
  if (!['json', 'table', 'csv'].includes(format)) {
    process.stderr.write(`melgenre classify: --format must be table, json or csv, got '${format}'\n`);
    return EXIT_USAGE;
  }
  const threads = opts.threads === undefined ? 1 : Number(opts.threads);
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
    process.stderr.write(`melgenre classify: --threads must be an integer in [1, 64], got '${opts.threads}'\n`);
    return EXIT_USAGE;
  }
  if (opts.positional.length === 0) {
    process.stderr.write(`melgenre classify: no input: give audio files, folders or '-'\n\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  const modelPath = opts.model ?? defaultModelPath();
  let modelBytes;
  try {
    modelBytes = readFileSync(modelPath);
  } catch (e) {
    process.stderr.write(`melgenre classify: cannot read model ${modelPath}: ${e.code === 'ENOENT' ? 'no such file' : e.message}\n`);
    return EXIT_BAD_INPUT;
  }

  let melgenre;
  try {
    melgenre = await loadNodeMelgenre(threads > 1 ? 'mt' : 'st', opts.build ?? defaultBuildDir());
  } catch (e) {
    process.stderr.write(`melgenre classify: ${e.message}\n`);
    return EXIT_USAGE;
  }
  let classifier;
  try {
    classifier = melgenre.createClassifier(modelBytes, { threads, backend: opts.backend ?? 'auto' });
  } catch (e) {
    if (!(e instanceof MelgenreError)) throw e;
    process.stderr.write(`melgenre classify: ${modelPath}: ${e.message}\n`);
    return EXIT_BAD_INPUT;
  }

  const { files, errors } = expandPaths(opts.positional);
  let failed = errors.length > 0;
  for (const err of errors) process.stderr.write(`${err}\n`);
  if (files.length === 0) {
    if (!failed) process.stderr.write('melgenre classify: no audio files found\n');
    return EXIT_BAD_INPUT;
  }
  const segments = !!opts.segments;
  if (format === 'csv') process.stdout.write(csvHeader(classifier.labels, { segments }));
  let stdinUsed = false;
  for (const file of files) {
    let result;
    try {
      if (file === '-' && stdinUsed) throw new Error('standard input given twice');
      stdinUsed ||= file === '-';
      const bytes = file === '-' ? readFileSync(0) : readFileSync(file);
      result = classifier.classifyEncoded(bytes, file);
    } catch (e) {
      if (!(e instanceof MelgenreError) && !e.code && !/given twice/.test(e.message)) throw e;
      const reason = e.code === 'EISDIR' ? 'is a directory' : e.code ? `cannot read: ${e.message}` : e.message;
      // As the native failure_line(): the message alone when it already names the file.
      process.stderr.write(reason.startsWith(`${file}:`) ? `${reason}\n` : `${file}: ${reason}\n`);
      failed = true;
      continue;
    }
    const labels = classifier.labels;
    process.stdout.write(format === 'json' ? formatJsonLine(file, result, labels, { segments })
      : format === 'csv' ? formatCsvLines(file, result, labels, { segments })
        : formatTableLines(file, result, labels, { segments }));
  }
  classifier.delete();
  return failed ? EXIT_BAD_INPUT : EXIT_OK;
}

async function main(argv) {
  const [command, ...rest] = argv;
  if (command === 'classify') return runClassify(rest);
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return EXIT_OK;
  }
  process.stderr.write(`melgenre: unknown command '${command ?? ''}'\n${USAGE}\n`);
  return EXIT_USAGE;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    // Exit explicitly: the threaded module's worker pool would otherwise keep node alive.
    (code) => process.stdout.write('', () => process.exit(code)),
    (e) => { process.stderr.write(`melgenre: ${e.stack || e}\n`); process.exit(EXIT_USAGE); });
}
