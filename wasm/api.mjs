// The JS API of melgenre's WebAssembly module, shared by node (wasm/melgenre.mjs) and the browser
// worker (web/worker.js). It wraps the Embind module (wasm/bindings.cpp): failures come back from C++
// as values and are thrown here as MelgenreError, carrying the core's message and status.

export class MelgenreError extends Error {
  constructor(message, status) {
    super(message);
    this.name = 'MelgenreError';
    this.status = status;
  }
}

function unwrap(value) {
  if (value && typeof value === 'object' && value.melgenreError !== undefined) {
    throw new MelgenreError(value.melgenreError, value.status);
  }
  return value;
}

// The core names in-memory input "<memory>"; put the caller's name for it (a file name) instead.
function named(fn, name) {
  try {
    return fn();
  } catch (e) {
    if (name && e instanceof MelgenreError) e.message = e.message.replace(/^<memory>/, name);
    throw e;
  }
}

function asBytes(data) {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw new TypeError('expected a Uint8Array, ArrayBuffer or typed array of encoded bytes');
}

function asSamples(samples) {
  if (samples instanceof Float32Array) return samples;
  if (Array.isArray(samples) || ArrayBuffer.isView(samples)) return Float32Array.from(samples);
  throw new TypeError('expected a Float32Array of PCM samples');
}

function asRate(rate) {
  if (!Number.isInteger(rate) || rate <= 0) throw new TypeError(`sample rate must be a positive integer, got ${rate}`);
  return rate;
}

// Live classification over one Classifier: push PCM chunks, read the running result.
export class ClassifierStream {
  constructor(engine) { this._engine = engine; }
  push(samples) { unwrap(this._engine.streamPush(asSamples(samples))); }
  // Mean over the segments completed so far; throws before the first full segment.
  result() { return unwrap(this._engine.streamResult()); }
  // The most recent segment only.
  latest() { return unwrap(this._engine.streamLatest()); }
  close() { this._engine.streamClose(); }
}

export class Classifier {
  constructor(engine, info) {
    this._engine = engine;
    this.labels = info.labels;
    this.backend = info.backend;
    this.modelName = info.model;
  }
  // Encoded bytes of a WAV, AU, MP3 or OGG file (sniffed from the content); `name` (e.g. the file name)
  // replaces "<memory>" in error messages.
  classifyEncoded(bytes, name) { return named(() => unwrap(this._engine.classifyEncoded(asBytes(bytes))), name); }
  // Mono PCM at any sample rate (resampled by the core).
  classifyPcm(samples, sampleRate) { return unwrap(this._engine.classifyPcm(asSamples(samples), asRate(sampleRate))); }
  // The model's log-mel matrix, frame-major: data[frame * bins + bin].
  logMelPcm(samples, sampleRate) { return unwrap(this._engine.logMelPcm(asSamples(samples), asRate(sampleRate))); }
  logMelEncoded(bytes, name) { return named(() => unwrap(this._engine.logMelEncoded(asBytes(bytes))), name); }
  // Both of the above from one decode: { result, mel }.
  classifyEncodedWithMel(bytes, name) {
    return named(() => unwrap(this._engine.classifyEncodedWithMel(asBytes(bytes))), name);
  }
  openStream(sampleRate) {
    unwrap(this._engine.streamOpen(asRate(sampleRate)));
    return new ClassifierStream(this._engine);
  }
  // Frees the wasm-side classifier; the object is unusable afterwards.
  delete() { this._engine.delete(); this._engine = null; }
}

export class Melgenre {
  constructor(module, threaded) {
    this.module = module;
    this.threaded = threaded;
    this.maxThreads = module.maxThreads();
  }
  // options: { threads (clamped to maxThreads), backend ('auto' | 'reference' | 'simd') }
  createClassifier(modelBytes, options = {}) {
    const engine = new this.module.Engine();
    try {
      const info = unwrap(engine.load(asBytes(modelBytes), options.threads ?? this.maxThreads, options.backend ?? 'auto'));
      return new Classifier(engine, info);
    } catch (e) {
      engine.delete();
      throw e;
    }
  }
  // Decodes WAV/AU/MP3/OGG bytes to mono float32 (targetRate 0 keeps the file's rate).
  decode(bytes, targetRate = 0, name) { return named(() => unwrap(this.module.decode(asBytes(bytes), targetRate)), name); }
  // 'wav' | 'au' | 'mp3' | 'ogg' | 'unknown'
  sniff(bytes) { return this.module.sniff(asBytes(bytes).subarray(0, 64)).toLowerCase(); }
  resample(samples, inRate, outRate) { return unwrap(this.module.resample(asSamples(samples), asRate(inRate), asRate(outRate))); }
}

// factory: the Emscripten module factory (default export of melgenre-web-*.mjs, or the CommonJS
// melgenre-node-*.js); moduleArgs go to it unchanged (e.g. locateFile).
export async function loadMelgenre(factory, { threaded = false, moduleArgs = {} } = {}) {
  const module = await factory(moduleArgs);
  return new Melgenre(module, threaded);
}
