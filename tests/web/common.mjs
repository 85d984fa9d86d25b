// Shared plumbing of the wasm tests (parity.test.mjs, browser.test.mjs), run by ctest in the wasm build
// with MELGENRE (native CLI), MELGENRE_WASM_BUILD, DATA, ROOT and TMPDIR_BASE in the environment.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SKIP = 77;
export const ROOT = process.env.ROOT || resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DATA = process.env.DATA || resolve(ROOT, '..', 'shared', 'data');
export const WASM_BUILD = process.env.MELGENRE_WASM_BUILD || join(ROOT, 'build', 'wasm');
export const NATIVE = process.env.MELGENRE || join(ROOT, 'build', 'native', 'melgenre');

export function skip(reason) {
  console.log(`SKIP: ${reason}`);
  process.exit(SKIP);
}

let failures = 0;
export function check(ok, message) {
  if (ok) {
    console.log(`ok: ${message}`);
  } else {
    console.log(`FAIL: ${message}`);
    ++failures;
  }
  return ok;
}
const scratchDirs = [];
// Scratch dirs (encodes, test model, browser profiles) are removed at the end unless KEEP_TMP=1.
export function finish() {
  console.log(failures ? `${failures} check(s) failed` : 'all checks passed');
  if (process.env.KEEP_TMP !== '1') for (const d of scratchDirs) rmSync(d, { recursive: true, force: true });
  process.exit(failures ? 1 : 0);
}

export function scratchDir(name) {
  const base = process.env.TMPDIR_BASE || join(WASM_BUILD, 'tests', 'tmp');
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, `${name}-`));
  scratchDirs.push(dir);
  return dir;
}

export function requireArtifacts() {
  if (!existsSync(NATIVE)) skip(`native CLI ${NATIVE} not built (cmake --preset native && cmake --build --preset native)`);
  for (const f of ['wasm/melgenre-node-st.js', 'wasm/melgenre-node-mt.js', 'wasm/web-dist/melgenre-web-st.mjs']) {
    if (!existsSync(join(WASM_BUILD, f))) skip(`${join(WASM_BUILD, f)} not built`);
  }
  if (!existsSync(join(DATA, 'gtzan-mini', 'genres'))) skip(`no held-out data in ${DATA}/gtzan-mini`);
}

// $MELGENRE_TEST_MODEL, else the shipped model; until it exists, a small random-weight test model
// written to the scratch dir.
export function modelPath(tmp) {
  if (process.env.MELGENRE_TEST_MODEL) return process.env.MELGENRE_TEST_MODEL;
  const shipped = join(ROOT, 'models', 'default.mgm');
  if (existsSync(shipped)) return shipped;
  const out = join(tmp, 'test-model.mgm');
  execFileSync('/usr/bin/python3', [join(ROOT, 'tests', 'web', 'make_test_model.py'), out], { stdio: 'inherit' });
  console.log(`note: models/default.mgm does not exist yet; using the test model ${out}`);
  return out;
}

// The first `perGenre` held-out tracks of every genre, in sorted order.
export function heldOutClips(perGenre) {
  const dir = join(DATA, 'gtzan-mini', 'genres');
  const clips = [];
  for (const genre of readdirSync(dir).sort()) {
    const files = readdirSync(join(dir, genre)).filter((f) => f.endsWith('.wav')).sort();
    clips.push(...files.slice(0, perGenre).map((f) => join(dir, genre, f)));
  }
  return clips;
}

// Encodes a WAV copy with ffmpeg: 'mp3' (LAME) or 'ogg' (Vorbis) or 'flac'.
export function encode(wav, format, outDir) {
  const codec = { mp3: ['-c:a', 'libmp3lame', '-b:a', '128k'], ogg: ['-c:a', 'libvorbis', '-q:a', '5'], flac: ['-c:a', 'flac'] }[format];
  const out = join(outDir, `${wav.split('/').pop().replace(/\.wav$/, '')}.${format}`);
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', wav, ...codec, out]);
  if (r.status !== 0) throw new Error(`ffmpeg failed on ${wav}: ${r.stderr}`);
  return out;
}

// Runs a classify command and parses its JSON lines by file.
export function classifyJson(command, args) {
  const r = spawnSync(command[0], [...command.slice(1), ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.error) throw r.error;
  const lines = r.stdout.split('\n').filter((l) => l.trim());
  const byFile = new Map(lines.map((l) => { const o = JSON.parse(l); return [o.file, { json: o, line: l }]; }));
  return { status: r.status, stderr: r.stderr, lines, byFile };
}

export function nativeClassify(model, files, extra = []) {
  return classifyJson([NATIVE], ['classify', '--model', model, '--format', 'json', ...extra, ...files]);
}

export function nodeClassify(model, files, extra = []) {
  return classifyJson([process.execPath, '--no-experimental-fetch', join(ROOT, 'wasm', 'melgenre.mjs')],
    ['classify', '--build', WASM_BUILD, '--model', model, '--format', 'json', ...extra, ...files]);
}
