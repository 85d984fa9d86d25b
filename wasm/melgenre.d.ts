// TypeScript declarations of melgenre's WebAssembly API (wasm/api.mjs, copied to web-dist/api.mjs).
//
//   import createModule from './melgenre-web-st.mjs';        // or -mt (needs crossOriginIsolated)
//   import { loadMelgenre } from './api.mjs';
//   const melgenre = await loadMelgenre(createModule);
//   const classifier = melgenre.createClassifier(modelBytes, { threads: 2 });
//   const result = classifier.classifyEncoded(fileBytes);  // result.genre, result.scores, ...

/** Thrown for every failure of the core; `message` is the core's message, naming the input and the reason. */
export declare class MelgenreError extends Error {
  readonly name: 'MelgenreError';
  /** The core's Status: 'invalid_argument' | 'unsupported_format' | 'corrupt_input' | 'io_error' |
   *  'invalid_model' | 'backend_unavailable' | 'resource_limit' | 'internal'. */
  readonly status: string;
}

export interface SegmentResult {
  /** Seconds from the start of the audio. */
  start: number;
  end: number;
  /** One probability per label, in `Classifier.labels` order. */
  scores: number[];
}

export interface TrackResult {
  /** The label with the highest probability. */
  genre: string;
  /** Index of `genre` in the labels. */
  top: number;
  /** scores[top]. */
  confidence: number;
  /** Seconds of audio classified. */
  duration: number;
  /** One probability per label (sums to 1), the mean over segments. */
  scores: number[];
  /** Per-segment results of the first mel network (empty for summary-feature models). */
  segments: SegmentResult[];
}

/** A frame-major matrix: data[frame * bins + bin]. */
export interface FeatureMatrix {
  frames: number;
  bins: number;
  data: Float32Array;
}

export interface DecodedAudio {
  /** Mono float32 PCM. */
  samples: Float32Array;
  sampleRate: number;
}

export type Bytes = Uint8Array | ArrayBuffer | ArrayBufferView;

export declare class ClassifierStream {
  /** Appends mono PCM at the stream's sample rate. */
  push(samples: Float32Array): void;
  /** The mean over the segments completed so far; throws before the first full segment. */
  result(): TrackResult;
  /** Only the most recent segment. */
  latest(): SegmentResult;
  close(): void;
}

export declare class Classifier {
  readonly labels: string[];
  /** The backend actually in use ('simd', 'reference', ...). */
  readonly backend: string;
  readonly modelName: string;
  /** Encoded WAV, AU, MP3 or OGG bytes (the format is sniffed from the content); `name` replaces
   *  "<memory>" in error messages. */
  classifyEncoded(bytes: Bytes, name?: string): TrackResult;
  /** Mono PCM at any sample rate (resampled by the core). */
  classifyPcm(samples: Float32Array, sampleRate: number): TrackResult;
  /** The model's log-mel matrix, for drawing. */
  logMelPcm(samples: Float32Array, sampleRate: number): FeatureMatrix;
  logMelEncoded(bytes: Bytes, name?: string): FeatureMatrix;
  /** classifyEncoded and logMelEncoded from one decode of the bytes. */
  classifyEncodedWithMel(bytes: Bytes, name?: string): { result: TrackResult; mel: FeatureMatrix };
  /** One live stream per classifier; opening another closes the previous one. */
  openStream(sampleRate: number): ClassifierStream;
  /** Frees the wasm memory of this classifier. */
  delete(): void;
}

export interface ClassifierOptions {
  /** Worker threads (clamped to `Melgenre.maxThreads`; 1 in the single-threaded module). */
  threads?: number;
  /** 'auto' (default), 'simd' or 'reference'. */
  backend?: string;
}

export declare class Melgenre {
  /** The raw Emscripten module. */
  readonly module: unknown;
  readonly threaded: boolean;
  /** Size of the module's thread pool (1 for the single-threaded module). */
  readonly maxThreads: number;
  /** Parses a model file (.mgm); throws MelgenreError for a truncated, corrupt or inconsistent one. */
  createClassifier(modelBytes: Bytes, options?: ClassifierOptions): Classifier;
  /** Decodes WAV/AU/MP3/OGG to mono float32; targetRate 0 keeps the file's rate. */
  decode(bytes: Bytes, targetRate?: number, name?: string): DecodedAudio;
  /** The container detected from the first bytes. */
  sniff(bytes: Bytes): 'wav' | 'au' | 'mp3' | 'ogg' | 'unknown';
  /** The core's band-limited resampler. */
  resample(samples: Float32Array, inRate: number, outRate: number): Float32Array;
}

/** An Emscripten module factory: the default export of melgenre-web-{st,mt}.mjs or melgenre-node-{st,mt}.js. */
export type ModuleFactory = (moduleArgs?: object) => Promise<unknown>;

export declare function loadMelgenre(
  factory: ModuleFactory,
  options?: { threaded?: boolean; moduleArgs?: object },
): Promise<Melgenre>;
