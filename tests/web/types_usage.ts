// A TypeScript user of melgenre's wasm API, type-checked under --strict by tests/web/types.test.mjs
// against wasm/melgenre.d.ts (never run: it shows the declared types are usable as documented).
import {
  loadMelgenre,
  MelgenreError,
  type Bytes,
  type Classifier,
  type ClassifierStream,
  type FeatureMatrix,
  type Melgenre,
  type ModuleFactory,
  type SegmentResult,
  type TrackResult,
} from '../../wasm/melgenre';

export async function classifyFile(factory: ModuleFactory, model: Bytes, file: Uint8Array): Promise<string> {
  const melgenre: Melgenre = await loadMelgenre(factory, { threaded: false });
  const classifier: Classifier = melgenre.createClassifier(model, { threads: Math.min(2, melgenre.maxThreads) });
  try {
    const result: TrackResult = classifier.classifyEncoded(file, 'song.wav');
    const best: number = result.scores[result.top];
    const segments: SegmentResult[] = result.segments;
    const spans = segments.map((s) => `${s.start.toFixed(1)}-${s.end.toFixed(1)} s`);
    const both: { result: TrackResult; mel: FeatureMatrix } = classifier.classifyEncodedWithMel(file);
    const cells: number = both.mel.frames * both.mel.bins;
    const first: number | undefined = both.mel.data[0];
    return `${result.genre} ${best.toFixed(2)} ${result.confidence} ${spans.join(',')} ${cells} ${first}`;
  } catch (e) {
    if (e instanceof MelgenreError) return `${e.status}: ${e.message}`;
    throw e;
  } finally {
    classifier.delete();
  }
}

export function live(classifier: Classifier, chunks: Float32Array[], rate: number): SegmentResult | null {
  const stream: ClassifierStream = classifier.openStream(rate);
  for (const c of chunks) stream.push(c);
  const latest = stream.latest();
  const overall: TrackResult = stream.result();
  stream.close();
  return overall.duration > 0 ? latest : null;
}

export function pcm(melgenre: Melgenre, bytes: ArrayBuffer): number {
  const kind: 'wav' | 'au' | 'mp3' | 'ogg' | 'unknown' = melgenre.sniff(bytes);
  if (kind === 'unknown') return 0;
  const audio = melgenre.decode(bytes, 22050, 'x');
  const down: Float32Array = melgenre.resample(audio.samples, audio.sampleRate, 16000);
  return down.length;
}
