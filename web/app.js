// The page: file intake, drawing of results, live mode. All computation happens in worker.js.
// The threaded wasm module is used only when the page is cross-origin isolated (SharedArrayBuffer).

const $ = (sel, root = document) => root.querySelector(sel);
const statusEl = $('#status');
const dropzone = $('#dropzone');
const fileInput = $('#file-input');
const results = $('#results');
const template = $('#result-template');

// One colour per GTZAN genre (others cycle), used by the timeline.
const GENRE_COLOURS = {
  blues: '#3b5bdb', classical: '#a9a9a9', country: '#e67700', disco: '#d6336c', hiphop: '#7048e8',
  jazz: '#0ca678', metal: '#212529', pop: '#f783ac', reggae: '#74b816', rock: '#c92a2a',
};
const FALLBACK_COLOURS = ['#1c7ed6', '#f59f00', '#37b24d', '#f03e3e', '#ae3ec9'];
// Browser-decoded audio is requested at this rate (Opus is 48 kHz, most AAC 44.1/48 kHz); the core's
// resampler then converts it to the model's rate.
const BROWSER_DECODE_RATE = 48000;
// Bigger files are refused before reading (the core also refuses audio longer than an hour).
const MAX_FILE_BYTES = 512 * 1024 * 1024;

let labels = [];
let nextId = 1;
const pending = new Map();  // id -> {card, file}
let ready = false;

function setStatus(text, isError = false) {
  statusEl.textContent = text;
  statusEl.classList.toggle('error', isError);
}

function colourOf(genre, index) {
  return GENRE_COLOURS[genre] || FALLBACK_COLOURS[index % FALLBACK_COLOURS.length];
}

// ---- worker ---------------------------------------------------------------------------------------
const threaded = self.crossOriginIsolated === true;
const worker = new Worker('worker.js');
const startedAt = performance.now();
worker.postMessage({ type: 'init', threaded, modelUrl: 'models/default.mgm' });

worker.onmessage = (e) => {
  const msg = e.data;
  switch (msg.type) {
    case 'ready': onReady(msg); break;
    case 'initError':
      setStatus(`Could not start: ${msg.message}`, true);
      document.body.dataset.state = 'failed';
      break;
    case 'result': onResult(msg); break;
    case 'needsDecode': decodeInBrowser(msg.id); break;
    case 'error':
      if (msg.id !== undefined) onFileError(msg.id, msg.message);
      else setStatus(msg.message, true);
      break;
    case 'live': onLive(msg); break;
    default: break;
  }
};
worker.onerror = (e) => setStatus(`The worker failed: ${e.message}`, true);

function onReady(msg) {
  ready = true;
  labels = msg.labels;
  const ms = performance.now() - startedAt;
  const mode = msg.threaded ? `threaded, ${msg.threads} threads` : 'single-threaded';
  setStatus(`Ready (${mode}, ${msg.backend} backend, started in ${Math.round(ms)} ms).`);
  document.body.dataset.state = 'ready';
  document.body.dataset.threaded = String(msg.threaded);
  document.body.dataset.readyMs = String(Math.round(ms));  // worker start -> model ready
  document.body.dataset.readyAt = String(Math.round(performance.now()));  // navigation -> model ready
  dropzone.setAttribute('aria-disabled', 'false');
  for (const b of ['#live-mic', '#live-player']) $(b).disabled = false;
  for (const entry of pending.values()) if (entry.waitingForReady) send(entry);
}

// ---- file intake ----------------------------------------------------------------------------------
function addFiles(files) {
  for (const file of files) {
    const id = nextId++;
    const card = template.content.firstElementChild.cloneNode(true);
    card.classList.add('pending');
    card.dataset.state = 'pending';
    $('.file-name', card).textContent = file.name;
    $('.message', card).textContent = ready ? 'Classifying…' : 'Waiting for the model…';
    $('.message', card).removeAttribute('role');
    results.prepend(card);
    const entry = { id, card, file, waitingForReady: !ready };
    pending.set(id, entry);
    if (ready) send(entry);
  }
}

async function send(entry) {
  entry.waitingForReady = false;
  $('.message', entry.card).textContent = 'Classifying…';
  if (entry.file.size > MAX_FILE_BYTES) {
    onFileError(entry.id, `the file is ${(entry.file.size / 2 ** 20).toFixed(0)} MiB; melgenre reads files up to ${MAX_FILE_BYTES / 2 ** 20} MiB`);
    return;
  }
  try {
    const bytes = await entry.file.arrayBuffer();
    worker.postMessage({ type: 'classify', id: entry.id, name: entry.file.name, bytes }, [bytes]);
  } catch (err) {
    onFileError(entry.id, `cannot read the file: ${err.message}`);
  }
}

async function decodeInBrowser(id) {
  const entry = pending.get(id);
  if (!entry) return;
  try {
    const bytes = await entry.file.arrayBuffer();
    const ctx = new OfflineAudioContext(1, 1, BROWSER_DECODE_RATE);
    let buffer;
    try {
      buffer = await ctx.decodeAudioData(bytes);
    } catch {
      throw new Error('not an audio format melgenre or this browser can decode (or the file is damaged)');
    }
    if (buffer.duration > 3600) throw new Error(`the audio lasts ${(buffer.duration / 60).toFixed(0)} minutes; melgenre classifies up to an hour`);
    const mono = new Float32Array(buffer.length);
    for (let c = 0; c < buffer.numberOfChannels; ++c) {
      const ch = buffer.getChannelData(c);
      for (let i = 0; i < ch.length; ++i) mono[i] += ch[i] / buffer.numberOfChannels;
    }
    worker.postMessage({ type: 'classifyPcm', id, samples: mono.buffer, sampleRate: buffer.sampleRate },
      [mono.buffer]);
  } catch (err) {
    onFileError(id, err.message);
  }
}

function onFileError(id, message) {
  const entry = pending.get(id);
  if (!entry) return;
  pending.delete(id);
  const { card, file } = entry;
  card.classList.remove('pending');
  card.classList.add('failed');
  card.dataset.state = 'error';
  const msg = $('.message', card);
  msg.setAttribute('role', 'alert');
  // Core messages already start with the file's name ("song.wav: truncated ...").
  msg.textContent = message.startsWith(`${file.name}:`) ? `Cannot classify ${message}` : `Cannot classify ${file.name}: ${message}`;
}

function onResult({ id, result, mel }) {
  const entry = pending.get(id);
  if (!entry) return;
  pending.delete(id);
  const { card, file } = entry;
  card.classList.remove('pending');
  $('.message', card).textContent = '';
  $('.genre', card).textContent = result.genre;
  $('.confidence', card).textContent = `${(result.confidence * 100).toFixed(1)} %`;
  drawBars($('.bars', card), result.scores);
  drawSpectrogram($('.spectrogram', card), mel);
  const audio = $('.player', card);
  audio.src = URL.createObjectURL(file);
  setupTimeline(card, result, audio);
  card.dataset.genre = result.genre;
  card.dataset.state = 'done';
}

// ---- drawing --------------------------------------------------------------------------------------
function drawBars(container, scores) {
  container.replaceChildren();
  const top = scores.indexOf(Math.max(...scores));
  labels.forEach((label, i) => {
    const name = document.createElement('span');
    name.className = 'bar-label' + (i === top ? ' top' : '');
    name.textContent = label;
    const track = document.createElement('div');
    track.className = 'bar-track';
    track.setAttribute('role', 'meter');
    track.setAttribute('aria-label', label);
    track.setAttribute('aria-valuemin', '0');
    track.setAttribute('aria-valuemax', '1');
    track.setAttribute('aria-valuenow', scores[i].toFixed(3));
    const fill = document.createElement('div');
    fill.className = 'bar-fill';
    fill.style.width = `${(scores[i] * 100).toFixed(1)}%`;
    track.append(fill);
    const value = document.createElement('span');
    value.className = 'bar-value';
    value.textContent = `${(scores[i] * 100).toFixed(1)}%`;
    container.append(name, track, value);
  });
}

// A perceptual dark-to-bright ramp (approximates 'magma').
const RAMP = [[0, 0, 4], [59, 15, 112], [140, 41, 129], [222, 73, 104], [254, 159, 109], [252, 253, 191]];
function rampColour(t) {
  const x = Math.min(Math.max(t, 0), 1) * (RAMP.length - 1);
  const i = Math.min(Math.floor(x), RAMP.length - 2), f = x - i;
  return RAMP[i].map((v, k) => Math.round(v + (RAMP[i + 1][k] - v) * f));
}

function drawSpectrogram(canvas, mel) {
  const { frames, bins, data } = mel;
  const ctx = canvas.getContext('2d');
  if (!frames || !bins) { ctx.clearRect(0, 0, canvas.width, canvas.height); return; }
  let max = -Infinity;
  for (const v of data) if (v > max) max = v;
  const floor = max - 80;
  const image = ctx.createImageData(frames, bins);
  for (let t = 0; t < frames; ++t) {
    for (let b = 0; b < bins; ++b) {
      const [r, g, bl] = rampColour((data[t * bins + b] - floor) / 80);
      const p = ((bins - 1 - b) * frames + t) * 4;  // low frequencies at the bottom
      image.data[p] = r; image.data[p + 1] = g; image.data[p + 2] = bl; image.data[p + 3] = 255;
    }
  }
  const off = new OffscreenCanvas(frames, bins);
  off.getContext('2d').putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(off, 0, 0, canvas.width, canvas.height);
}

// Swatches for the genres that appear on the timeline.
function drawLegend(container, segments) {
  const tops = new Set(segments.map((s) => s.scores.indexOf(Math.max(...s.scores))));
  container.replaceChildren(...[...tops].sort((a, b) => a - b).map((i) => {
    const item = document.createElement('li');
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = colourOf(labels[i], i);
    item.append(swatch, labels[i]);
    return item;
  }));
}

// The segment whose centre is nearest to time t.
function segmentAt(segments, t) {
  let best = -1, bestDist = Infinity;
  segments.forEach((s, i) => {
    const d = Math.abs((s.start + s.end) / 2 - t);
    if (d < bestDist) { bestDist = d; best = i; }
  });
  return best;
}

function setupTimeline(card, result, audio) {
  const canvas = $('.timeline', card);
  const now = $('.now', card);
  const segments = result.segments;
  const duration = Math.max(result.duration, ...segments.map((s) => s.end), 1e-3);
  const ctx = canvas.getContext('2d');
  const draw = () => {
    const w = canvas.width, h = canvas.height;
    ctx.clearRect(0, 0, w, h);
    segments.forEach((s, i) => {
      const top = s.scores.indexOf(Math.max(...s.scores));
      const end = i + 1 < segments.length ? segments[i + 1].start : s.end;
      // Whole pixels, so neighbouring segments of one genre join without seams.
      const x0 = Math.round((s.start / duration) * w), x1 = Math.round((end / duration) * w);
      ctx.fillStyle = colourOf(labels[top], top);
      ctx.fillRect(x0, 0, x1 - x0, h);
    });
    const x = (audio.currentTime / duration) * w;
    ctx.fillStyle = '#fff';
    ctx.fillRect(x - 1.5, 0, 3, h);
    const i = segmentAt(segments, audio.currentTime);
    if (i >= 0) {
      const s = segments[i];
      const top = s.scores.indexOf(Math.max(...s.scores));
      now.textContent = `${labels[top]} (${(s.scores[top] * 100).toFixed(0)} %) at ${audio.currentTime.toFixed(1)} s`;
    } else {
      now.textContent = 'no segments';
    }
  };
  drawLegend($('.legend', card), segments);
  let raf = 0;
  const loop = () => { draw(); raf = audio.paused ? 0 : requestAnimationFrame(loop); };
  audio.addEventListener('play', () => { if (!raf) raf = requestAnimationFrame(loop); });
  audio.addEventListener('timeupdate', draw);
  audio.addEventListener('seeked', draw);
  audio.addEventListener('play', () => { lastPlayer = audio; });
  const seek = (t) => { audio.currentTime = Math.min(Math.max(t, 0), duration); draw(); };
  canvas.addEventListener('click', (e) => {
    const r = canvas.getBoundingClientRect();
    seek(((e.clientX - r.left) / r.width) * duration);
  });
  canvas.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowRight') { seek(audio.currentTime + 5); e.preventDefault(); }
    if (e.key === 'ArrowLeft') { seek(audio.currentTime - 5); e.preventDefault(); }
  });
  draw();
}

// ---- live mode ------------------------------------------------------------------------------------
let audioCtx = null;
let tapNode = null;
let liveSource = null;
let lastPlayer = null;
const elementSources = new WeakMap();  // an <audio> can be wrapped by a MediaElementSource only once

async function ensureAudioGraph() {
  if (!audioCtx) {
    audioCtx = new AudioContext();
    await audioCtx.audioWorklet.addModule('worklet.js');
  }
  await audioCtx.resume();
  if (!tapNode) tapNode = new AudioWorkletNode(audioCtx, 'melgenre-tap', { numberOfOutputs: 1 });
}

async function startLive(makeSource, description) {
  stopLive();
  try {
    await ensureAudioGraph();
    liveSource = await makeSource();
    liveSource.connect(tapNode);
    tapNode.connect(audioCtx.destination);  // keeps the processor running; it outputs silence
    const channel = new MessageChannel();
    tapNode.port.postMessage({ type: 'connect', port: channel.port1 }, [channel.port1]);
    worker.postMessage({ type: 'liveStart', sampleRate: audioCtx.sampleRate, port: channel.port2 },
      [channel.port2]);
    $('#live-status').textContent = `Listening to ${description}…`;
    $('#live-stop').disabled = false;
  } catch (err) {
    $('#live-status').textContent = `Live mode unavailable: ${err.message}`;
    stopLive();
  }
}

function stopLive() {
  if (tapNode) tapNode.port.postMessage({ type: 'disconnect' });
  if (liveSource) {
    liveSource.disconnect();
    if (liveSource.mediaStream) for (const t of liveSource.mediaStream.getTracks()) t.stop();
    if (liveSource.mediaElement) liveSource.connect(audioCtx.destination);  // keep the player audible
  }
  liveSource = null;
  worker.postMessage({ type: 'liveStop' });
  $('#live-stop').disabled = true;
}

function onLive(msg) {
  const status = $('#live-status');
  if (msg.message) { status.textContent = msg.message; return; }
  if (!msg.result) {
    status.textContent = `Listening… ${msg.seconds.toFixed(1)} s buffered, waiting for a full segment.`;
    return;
  }
  const latest = msg.latest.scores;
  const top = latest.indexOf(Math.max(...latest));
  status.textContent = `Now: ${labels[top]} (${(latest[top] * 100).toFixed(0)} %); overall: ` +
    `${msg.result.genre} over ${msg.result.segments.length} segments, ${msg.seconds.toFixed(1)} s heard.`;
  status.dataset.genre = labels[top];
  drawBars($('#live-bars'), latest);
}

$('#live-mic').addEventListener('click', () => startLive(async () => {
  const media = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false } });
  return audioCtx.createMediaStreamSource(media);
}, 'the microphone'));

$('#live-player').addEventListener('click', () => {
  const player = lastPlayer || $('.result .player');
  if (!player || !player.src) {
    $('#live-status').textContent = 'Classify a file and play it first.';
    return;
  }
  startLive(async () => {
    let source = elementSources.get(player);
    if (!source) {
      source = audioCtx.createMediaElementSource(player);
      elementSources.set(player, source);
    }
    source.disconnect();
    source.connect(audioCtx.destination);
    if (player.paused) await player.play();
    return source;
  }, 'the playing file');
});
$('#live-stop').addEventListener('click', stopLive);

// ---- drop zone and picker (keyboard: Enter/Space opens the picker) ----------------------------------
dropzone.addEventListener('click', () => fileInput.click());
dropzone.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); fileInput.click(); }
});
fileInput.addEventListener('change', () => {
  addFiles([...fileInput.files]);
  fileInput.value = '';
});
for (const type of ['dragenter', 'dragover']) {
  dropzone.addEventListener(type, (e) => { e.preventDefault(); dropzone.classList.add('dragover'); });
}
for (const type of ['dragleave', 'drop']) {
  dropzone.addEventListener(type, () => dropzone.classList.remove('dragover'));
}
dropzone.addEventListener('drop', (e) => {
  e.preventDefault();
  addFiles([...e.dataTransfer.files]);
});
// A file dropped outside the zone must not navigate away from the page.
window.addEventListener('dragover', (e) => e.preventDefault());
window.addEventListener('drop', (e) => e.preventDefault());

// ---- offline: the service worker caches every asset after the first visit --------------------------
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('sw.js').then(
    () => navigator.serviceWorker.ready.then(() => { document.body.dataset.offline = 'ready'; }),
    (err) => console.warn('service worker not registered:', err));
}
