// The TypeScript declarations (wasm/melgenre.d.ts) against the JavaScript API they describe:
//   1. the .d.ts and a usage example (types_usage.ts) type-check under --strict, and a wrong use of a
//      declared type is rejected (so the checker is really looking);
//   2. every member of every class and every required property of every result interface declared
//      there exists at run time on the objects the node module returns, with functions where methods
//      are declared; and every public method of the runtime classes is declared.
// Run by ctest (web.types) in the wasm build, with the environment of common.mjs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import ts from 'typescript';

import { loadNodeMelgenre } from '../../wasm/melgenre.mjs';
import { check, DATA, finish, modelPath, requireArtifacts, ROOT, scratchDir, WASM_BUILD } from './common.mjs';

const DTS = join(ROOT, 'wasm', 'melgenre.d.ts');
const OPTIONS = {
  strict: true, noEmit: true, target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler, lib: ['lib.es2020.d.ts', 'lib.dom.d.ts'], types: [],
};

function diagnostics(files, extra = {}) {
  const host = ts.createCompilerHost(OPTIONS);
  const read = host.readFile.bind(host);
  host.readFile = (f) => (f in extra ? extra[f] : read(f));
  const exists = host.fileExists.bind(host);
  host.fileExists = (f) => f in extra || exists(f);
  const program = ts.createProgram([...files, ...Object.keys(extra)], OPTIONS, host);
  return ts.getPreEmitDiagnostics(program).map((d) =>
    `${d.file ? d.file.fileName.replace(ROOT + '/', '') : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
}

// 1. Static checks.
const usage = join(ROOT, 'tests', 'web', 'types_usage.ts');
const errs = diagnostics([DTS, usage]);
check(errs.length === 0, `melgenre.d.ts and types_usage.ts type-check under --strict${errs.length ? ':\n  ' + errs.join('\n  ') : ''}`);
const wrong = join(ROOT, 'tests', 'web', '__wrong_use.ts');
const wrongErrs = diagnostics([DTS], {
  [wrong]: "import type { TrackResult } from '../../wasm/melgenre';\n" +
           'export function f(r: TrackResult): number { return r.genre; }\n',
});
check(wrongErrs.length > 0, `a wrong use (a string genre returned as number) is rejected (${wrongErrs.length} error(s))`);

// 2. Declared names, from the .d.ts syntax tree.
const source = ts.createSourceFile(DTS, readFileSync(DTS, 'utf8'), ts.ScriptTarget.ES2020, true);
const declared = {};  // name -> { kind: 'class'|'interface', members: { name: { method, optional } } }
source.forEachChild((node) => {
  if (!ts.isClassDeclaration(node) && !ts.isInterfaceDeclaration(node)) return;
  const members = {};
  for (const m of node.members) {
    if (!m.name || !ts.isIdentifier(m.name)) continue;
    members[m.name.text] = {
      method: ts.isMethodDeclaration(m) || ts.isMethodSignature(m),
      optional: !!m.questionToken,
    };
  }
  declared[node.name.text] = { kind: ts.isClassDeclaration(node) ? 'class' : 'interface', members };
});
for (const name of ['Melgenre', 'Classifier', 'ClassifierStream', 'MelgenreError', 'TrackResult', 'SegmentResult',
                    'FeatureMatrix', 'DecodedAudio']) {
  check(name in declared, `melgenre.d.ts declares ${name}`);
}

function conforms(name, value) {
  const d = declared[name];
  if (!d) return;
  const missing = [];
  for (const [member, info] of Object.entries(d.members)) {
    if (info.optional && !(member in value)) continue;
    if (!(member in value)) missing.push(member);
    else if (info.method && typeof value[member] !== 'function') missing.push(`${member} (not a function)`);
  }
  check(missing.length === 0, `${name}: every declared member exists at run time${missing.length ? ' — missing: ' + missing.join(', ') : ''}`);
  if (d.kind === 'class') {
    const proto = Object.getPrototypeOf(value);
    const undeclared = Object.getOwnPropertyNames(proto)
      .filter((m) => m !== 'constructor' && !m.startsWith('_') && typeof value[m] === 'function' && !(m in d.members));
    check(undeclared.length === 0, `${name}: every public runtime method is declared${undeclared.length ? ' — undeclared: ' + undeclared.join(', ') : ''}`);
  }
}

requireArtifacts();
const tmp = scratchDir('types');
const melgenre = await loadNodeMelgenre('st', WASM_BUILD);
conforms('Melgenre', melgenre);
const classifier = melgenre.createClassifier(readFileSync(modelPath(tmp)), { threads: 1 });
conforms('Classifier', classifier);
const clip = readFileSync(join(DATA, 'gtzan-mini', 'genres', 'jazz', 'jazz.00001.wav'));
const result = classifier.classifyEncoded(clip);
conforms('TrackResult', result);
check(result.segments.length > 0, `the track has segments (${result.segments.length})`);
conforms('SegmentResult', result.segments[0]);
const both = classifier.classifyEncodedWithMel(clip);
conforms('FeatureMatrix', both.mel);
check(both.mel.data instanceof Float32Array, 'FeatureMatrix.data is a Float32Array');
const audio = melgenre.decode(clip, 16000);
conforms('DecodedAudio', audio);
check(audio.samples instanceof Float32Array && audio.sampleRate === 16000, 'DecodedAudio: Float32Array at the asked rate');
const stream = classifier.openStream(audio.sampleRate);
conforms('ClassifierStream', stream);
stream.close();
try {
  classifier.classifyEncoded(new Uint8Array([1, 2, 3, 4]), 'junk.bin');
  check(false, 'junk bytes must throw');
} catch (e) {
  conforms('MelgenreError', e);
  check(typeof e.status === 'string' && e.status.length > 0, `MelgenreError.status is a non-empty string ('${e.status}')`);
}
classifier.delete();
finish();
