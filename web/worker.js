// All of melgenre's computation runs here, off the page's main thread. A classic worker (so the
// Emscripten module sees a worker environment) that loads the ES module build with import().
//
// Messages in:  {type:'init', threaded, modelUrl}
//               {type:'classify', id, bytes}            encoded file bytes (ArrayBuffer)
//               {type:'classifyPcm', id, samples, sampleRate}
//               {type:'liveStart', sampleRate, port}     port: MessagePort fed by the AudioWorklet
//               {type:'liveStop'}
// Messages out: {type:'ready', threaded, backend, labels, threads, ms}
//               {type:'result', id, result, mel} | {type:'needsDecode', id} | {type:'error', id?, message}
//               {type:'live', result?, latest?, message?}
'use strict';

let melgenre = null;    // Melgenre (api.mjs)
let classifier = null;  // Classifier (api.mjs)
let live = null;        // {port, stream, timer, pushed}

const LIVE_UPDATE_MS = 250;

function errorMessage(e) {
  return e && e.message ? e.message : String(e);
}

async function loadModule(api, threaded) {
  const factory = (await import(threaded ? './melgenre-web-mt.mjs' : './melgenre-web-st.mjs')).default;
  return api.loadMelgenre(factory, { threaded });
}

async function init({ threaded, modelUrl }) {
  const t0 = performance.now();
  const api = await import('./api.mjs');
  const modelRequest = fetch(modelUrl).then((r) => {
    if (!r.ok) throw new Error(`cannot load the model ${modelUrl}: HTTP ${r.status}`);
    return r.arrayBuffer();
  });
  modelRequest.catch(() => {});  // awaited below; this only keeps an early failure from being "unhandled"
  try {
    melgenre = await loadModule(api, threaded);
  } catch (err) {
    if (!threaded) throw err;
    // Isolated but threads still unavailable (e.g. a browser limit on workers): single-threaded.
    console.warn('threaded module failed, using the single-threaded one:', err);
    threaded = false;
    melgenre = await loadModule(api, false);
  }
  const modelBytes = await modelRequest;
  const threads = Math.max(1, Math.min(self.navigator.hardwareConcurrency || 1, melgenre.maxThreads));
  classifier = melgenre.createClassifier(new Uint8Array(modelBytes), { threads });
  postMessage({
    type: 'ready', threaded, threads, backend: classifier.backend, labels: classifier.labels,
    ms: performance.now() - t0,
  });
}

function classify({ id, bytes, name }) {
  const data = new Uint8Array(bytes);
  if (melgenre.sniff(data) === 'unknown') {
    // Not a format the core decodes: the page decodes it with Web Audio and sends PCM back.
    postMessage({ type: 'needsDecode', id });
    return;
  }
  const { result, mel } = classifier.classifyEncodedWithMel(data, name);
  postMessage({ type: 'result', id, result, mel }, [mel.data.buffer]);
}

function classifyPcm({ id, samples, sampleRate }) {
  const pcm = new Float32Array(samples);
  const result = classifier.classifyPcm(pcm, sampleRate);
  const mel = classifier.logMelPcm(pcm, sampleRate);
  postMessage({ type: 'result', id, result, mel }, [mel.data.buffer]);
}

function liveStop() {
  if (!live) return;
  clearInterval(live.timer);
  live.port.close();
  live.stream.close();
  live = null;
}

function liveStart({ sampleRate, port }) {
  liveStop();
  const stream = classifier.openStream(sampleRate);
  live = { port, stream, pushed: 0, timer: 0, error: null };
  port.onmessage = (e) => {
    if (!live || live.port !== port) return;
    try {
      stream.push(e.data);
      live.pushed += e.data.length;
    } catch (err) {
      // Reported by the next update (not overwritten by it).
      live.error = errorMessage(err);
    }
  };
  live.timer = setInterval(() => {
    if (!live) return;
    if (live.error) {
      postMessage({ type: 'live', message: `Live classification stopped: ${live.error}` });
      liveStop();
      return;
    }
    let result = null, latest = null;
    try {
      result = live.stream.result();
      latest = live.stream.latest();
    } catch {
      // No full segment yet: report how much audio is buffered instead.
    }
    postMessage({ type: 'live', result, latest, seconds: live.pushed / sampleRate });
  }, LIVE_UPDATE_MS);
}

self.onmessage = async (e) => {
  const msg = e.data;
  try {
    switch (msg.type) {
      case 'init': await init(msg); break;
      case 'classify': classify(msg); break;
      case 'classifyPcm': classifyPcm(msg); break;
      case 'liveStart': liveStart(msg); break;
      case 'liveStop': liveStop(); break;
      default: throw new Error(`unknown message ${msg.type}`);
    }
  } catch (err) {
    postMessage({ type: msg.type === 'init' ? 'initError' : 'error', id: msg.id, message: errorMessage(err) });
  }
};
