// Parity: the node entry point of the wasm build (single-threaded and threaded modules) against the
// native CLI on 20 held-out clips plus MP3 and OGG encodes of 10 of them: identical top-1 on every file,
// max |probability difference| <= 1e-3, the same segment boundaries (--segments), and the same JSON
// line shape (keys, order, file names). Per-segment differences are reported, not bounded: with an int8
// model a 1e-6 feature difference can move one quantised input by 1 LSB, which a single segment shows
// more than the track mean.
import {
  check, encode, finish, heldOutClips, modelPath, nativeClassify, nodeClassify, requireArtifacts, scratchDir,
} from './common.mjs';

const TOLERANCE = 1e-3;

requireArtifacts();
const tmp = scratchDir('parity');
const model = modelPath(tmp);
const wavs = heldOutClips(2);
const encoded = wavs.filter((_, i) => i % 2 === 0).flatMap((w) => [encode(w, 'mp3', tmp), encode(w, 'ogg', tmp)]);
const files = [...wavs, ...encoded];
console.log(`${wavs.length} WAV clips + ${encoded.length} MP3/OGG encodes, model ${model}`);

const native = nativeClassify(model, files, ['--segments']);
check(native.status === 0, `native CLI exit status 0 (got ${native.status}) ${native.stderr.trim()}`);
check(native.byFile.size === files.length, `native CLI classified ${native.byFile.size}/${files.length} files`);

function shape(o) {
  return JSON.stringify(Object.keys(o)) + JSON.stringify(Object.keys(o.scores));
}

for (const [flavour, extra] of [['single-threaded', ['--segments']], ['threaded', ['--segments', '--threads', '2']]]) {
  const wasm = nodeClassify(model, files, extra);
  check(wasm.status === 0, `${flavour}: node entry exit status 0 (got ${wasm.status}) ${wasm.stderr.trim()}`);
  check(wasm.byFile.size === files.length, `${flavour}: node entry classified ${wasm.byFile.size}/${files.length} files`);
  let maxDiff = 0, worst = '', sameTop = 0, sameShape = 0, identicalLines = 0;
  let maxSegDiff = 0, worstSeg = '', segmentMismatch = 0, segments = 0;
  for (const file of files) {
    const n = native.byFile.get(file), w = wasm.byFile.get(file);
    if (!n || !w) continue;
    if (n.json.genre === w.json.genre) ++sameTop;
    else console.log(`  top-1 differs on ${file}: native ${n.json.genre}, wasm ${w.json.genre}`);
    if (shape(n.json) === shape(w.json)) ++sameShape;
    if (n.line === w.line) ++identicalLines;
    for (const label of Object.keys(n.json.scores)) {
      const d = Math.abs(n.json.scores[label] - (w.json.scores[label] ?? Infinity));
      if (!(d <= maxDiff)) { maxDiff = d; worst = `${file} ${label}`; }
    }
    const ns = n.json.segments, ws = w.json.segments ?? [];
    if (ns.length !== ws.length || ns.some((seg, i) => seg.start !== ws[i].start || seg.end !== ws[i].end)) {
      ++segmentMismatch;
      console.log(`  segments differ on ${file}: ${ns.length} native, ${ws.length} wasm`);
      continue;
    }
    ns.forEach((seg, i) => {
      for (const label of Object.keys(seg.scores)) {
        const d = Math.abs(seg.scores[label] - (ws[i].scores[label] ?? Infinity));
        if (!(d <= maxSegDiff)) { maxSegDiff = d; worstSeg = `${file} ${seg.start}-${seg.end} s ${label}`; }
      }
    });
    segments += ns.length;
  }
  check(segmentMismatch === 0, `${flavour}: same segment boundaries on every file (${segments} segments)`);
  console.log(`  ${flavour}: max per-segment |probability difference| ${maxSegDiff.toExponential(2)} (${worstSeg})`);
  check(sameTop === files.length, `${flavour}: identical top-1 on ${sameTop}/${files.length} files`);
  check(sameShape === files.length, `${flavour}: same JSON keys and order on ${sameShape}/${files.length} lines`);
  check(maxDiff <= TOLERANCE, `${flavour}: max |probability difference| ${maxDiff.toExponential(2)} <= ${TOLERANCE} (worst: ${worst})`);
  console.log(`  ${flavour}: ${identicalLines}/${files.length} JSON lines byte-identical to the native CLI's`);
}

// Bad input is reported like the native CLI: a message naming the file, exit status 2, others still done.
const bad = nodeClassify(model, [files[0], `${tmp}/does-not-exist.wav`]);
check(bad.status === 2 && bad.byFile.size === 1 && /does-not-exist\.wav/.test(bad.stderr),
  `a missing file is reported and skipped (status ${bad.status}, stderr: ${bad.stderr.trim()})`);
finish();
