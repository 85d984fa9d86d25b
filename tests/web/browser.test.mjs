// Browser test: tools/serve + Debian Chromium (headless) driven by playwright-core.
// 1. load the page (cross-origin isolated -> threaded module), classify a held-out clip: the shown genre
//    equals the native CLI's; the keyboard opens the picker, which takes two files at once; 2. reload offline (service worker) and classify again; 3. a dropped corrupt
//    file, random bytes and a silent WAV each show an error and the page stays usable: a good file dropped after it classifies; 4. a FLAC file goes
//    through the browser's decoder + the core's resampler; 5. live mode on the playing file; 6. without
//    COOP/COEP the single-threaded module is used; live mode on a (fake) microphone.
// Screenshots go to <wasm build>/tests/screenshots.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  check, DATA, encode, finish, skip, modelPath, nativeClassify, requireArtifacts, ROOT, scratchDir, WASM_BUILD,
} from './common.mjs';

const CHROMIUM = '/usr/bin/chromium';
const READY_TIMEOUT = 120_000;

requireArtifacts();
if (!existsSync(CHROMIUM)) skip(`${CHROMIUM} not installed`);
const { chromium } = await import('playwright-core');

const tmp = scratchDir('browser');
const shots = join(WASM_BUILD, 'tests', 'screenshots');
mkdirSync(shots, { recursive: true });
const model = modelPath(tmp);
const clip = (genre, id) => join(DATA, 'gtzan-mini', 'genres', genre, `${genre}.${id}.wav`);
const first = clip('reggae', '00004'), offline = clip('metal', '00006'), afterError = clip('country', '00007');
const flac = encode(clip('classical', '00005'), 'flac', tmp);
const nativeRun = nativeClassify(model, [first, offline, afterError, clip('classical', '00005')]);
const expected = (file) => nativeRun.byFile.get(file)?.json.genre;
check(nativeRun.status === 0, `native CLI classified the reference clips (${nativeRun.stderr.trim()})`);

// A truncated WAV (header only) and random bytes with an audio name.
const corrupt = join(tmp, 'corrupt.wav');
writeFileSync(corrupt, readFileSync(first).subarray(0, 40));
const noise = join(tmp, 'noise.mp3');
writeFileSync(noise, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 251)));
// 3 s of digital silence in a valid 16-bit WAV: decodes fine, but there is nothing to classify.
const silence = join(tmp, 'silence.wav');
{
  const data = 2 * 3 * 22050, wav = Buffer.alloc(44 + data);
  wav.write('RIFF', 0); wav.writeUInt32LE(36 + data, 4); wav.write('WAVEfmt ', 8);
  wav.writeUInt32LE(16, 16); wav.writeUInt16LE(1, 20); wav.writeUInt16LE(1, 22); wav.writeUInt32LE(22050, 24);
  wav.writeUInt32LE(2 * 22050, 28); wav.writeUInt16LE(2, 32); wav.writeUInt16LE(16, 34);
  wav.write('data', 36); wav.writeUInt32LE(data, 40);
  writeFileSync(silence, wav);
}

function serve(extra = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'tools', 'serve.mjs'), '--port', '0', '--build', WASM_BUILD,
      '--model', model, ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/serving (http:\/\/\S+)/);
      if (m) resolve({ child, url: m[1] });
    });
    child.on('exit', (code) => reject(new Error(`tools/serve exited with ${code}`)));
  });
}

async function launch(extraArgs = []) {
  return chromium.launchPersistentContext(scratchDir('chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', ...extraArgs],
  });
}

// Live mode: waits until the live display names a genre, then samples it for a few seconds.
async function watchLive(page, seconds) {
  await page.waitForFunction(() => /^Now:/.test(document.querySelector('#live-status').textContent), null,
    { timeout: 60_000 });
  const seen = new Set();
  for (let i = 0; i < seconds * 5; ++i) {
    seen.add(await page.locator('#live-status').textContent());
    await page.waitForTimeout(200);
  }
  return { updates: seen.size, genre: await page.locator('#live-status').getAttribute('data-genre'),
    text: await page.locator('#live-status').textContent() };
}

async function waitReady(page) {
  await page.waitForSelector('body[data-state="ready"], body[data-state="failed"]', { timeout: READY_TIMEOUT });
  return page.evaluate(() => ({
    state: document.body.dataset.state, threaded: document.body.dataset.threaded,
    readyMs: Number(document.body.dataset.readyMs), readyAt: Number(document.body.dataset.readyAt),
    isolated: self.crossOriginIsolated, status: document.querySelector('#status').textContent,
  }));
}

// Drops a file on the drop zone as a browser would (a DataTransfer holding a File).
async function dropFile(page, file) {
  const dataTransfer = await page.evaluateHandle(({ name, base64 }) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], name));
    return dt;
  }, { name: file.split('/').pop(), base64: readFileSync(file).toString('base64') });
  await page.dispatchEvent('#dropzone', 'dragenter', { dataTransfer });
  await page.dispatchEvent('#dropzone', 'drop', { dataTransfer });
}

// Gives the page one file (through the picker, or dropped); returns the new result card's final state.
async function classify(page, file, { drop = false } = {}) {
  const before = await page.locator('.result').count();
  const t0 = performance.now();
  if (drop) await dropFile(page, file);
  else await page.setInputFiles('#file-input', file);
  await page.waitForFunction((n) => document.querySelectorAll('.result').length > n, before);
  const card = page.locator('.result').first();
  await page.waitForFunction(() => ['done', 'error'].includes(document.querySelector('.result').dataset.state),
    null, { timeout: READY_TIMEOUT });
  const ms = performance.now() - t0;
  return {
    ms,
    state: await card.getAttribute('data-state'),
    genre: await card.getAttribute('data-genre'),
    shownGenre: (await card.locator('.genre').textContent()).trim(),
    message: (await card.locator('.message').textContent()).trim(),
  };
}

const server = await serve();
const isolatedServer = server;
let context;
try {
  context = await launch();
  const page = context.pages()[0] ?? await context.newPage();
  const consoleErrors = [];
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  // Intercept file choosers from the start: enabling interception at the moment of the key press races.
  const choosers = [];
  page.on('filechooser', (c) => choosers.push(c));

  // 1. cold start and a held-out clip.
  await page.goto(server.url);
  const cold = await waitReady(page);
  console.log(`cold start: navigation -> ready ${cold.readyAt} ms (worker start -> ready ${cold.readyMs} ms); ${cold.status}`);
  check(cold.state === 'ready', `page ready (${cold.status})`);
  check(cold.isolated === true && cold.threaded === 'true', `cross-origin isolated page uses the threaded module (isolated=${cold.isolated}, threaded=${cold.threaded})`);
  const r1 = await classify(page, first);
  check(r1.state === 'done' && r1.shownGenre === expected(first),
    `shown genre '${r1.shownGenre}' equals the native CLI's '${expected(first)}' for ${first} (file given -> result drawn: ${r1.ms.toFixed(0)} ms)`);
  check(await page.locator('.result .bars .bar-track').count() === 10, 'bar chart of the 10 probabilities');

  // Keyboard: Enter on the focused drop zone opens the picker; several files at once.
  await page.focus('#dropzone');
  check(await page.evaluate(() => document.activeElement.id) === 'dropzone', 'keyboard: the drop zone takes focus');
  await page.keyboard.press('Enter');
  for (let i = 0; i < 100 && choosers.length === 0; ++i) await page.waitForTimeout(100);
  check(choosers.length === 1, 'keyboard: Enter on the drop zone opens the file picker');
  const chooser = choosers[0];
  check(chooser.isMultiple(), 'the picker takes several files');
  await chooser.setFiles([afterError, offline]);
  await page.waitForFunction(() => {
    const cards = [...document.querySelectorAll('.result')].slice(0, 2);
    return cards.length === 2 && cards.every((c) => c.dataset.state === 'done');
  }, null, { timeout: READY_TIMEOUT });
  const pair = await page.$$eval('.result', (cards) => cards.slice(0, 2).map((c) => [c.querySelector('.file-name').textContent, c.dataset.genre]));
  const want = [[offline, expected(offline)], [afterError, expected(afterError)]].map(([f, g]) => [f.split('/').pop(), g]);
  check(JSON.stringify(pair) === JSON.stringify(want), `two files at once: ${JSON.stringify(pair)} (native: ${JSON.stringify(want)})`);
  await page.screenshot({ path: join(shots, '1-classified.png'), fullPage: true });

  // 2. offline: the service worker serves every asset from its cache.
  await page.waitForSelector('body[data-offline="ready"]', { timeout: READY_TIMEOUT });
  await context.setOffline(true);
  await page.reload();
  const off = await waitReady(page);
  check(off.state === 'ready', `offline reload: page ready again (${off.status})`);
  const r2 = await classify(page, offline);
  check(r2.state === 'done' && r2.shownGenre === expected(offline),
    `offline: shown genre '${r2.shownGenre}' equals the native CLI's '${expected(offline)}'`);
  await page.screenshot({ path: join(shots, '2-offline.png'), fullPage: true });
  await context.setOffline(false);

  // 3. corrupt input: a clear message, then the page still works.
  const bad = await classify(page, corrupt, { drop: true });
  check(bad.state === 'error' && /corrupt\.wav/.test(bad.message) && (await page.locator('.result .message[role=alert]').first().isVisible()),
    `truncated WAV shows an error: "${bad.message}"`);
  const bad2 = await classify(page, noise);
  check(bad2.state === 'error' && /noise\.mp3/.test(bad2.message), `random bytes show an error: "${bad2.message}"`);
  const quiet = await classify(page, silence);
  check(quiet.state === 'error' && /silence\.wav/.test(quiet.message) && /silent/.test(quiet.message),
    `a silent WAV gets no genre but a reason: "${quiet.message}"`);
  await page.screenshot({ path: join(shots, '3-error.png'), fullPage: true });
  const r3 = await classify(page, afterError, { drop: true });
  check(r3.state === 'done' && r3.shownGenre === expected(afterError),
    `after the errors: '${r3.shownGenre}' equals the native CLI's '${expected(afterError)}'`);

  // 4. a format only the browser decodes (FLAC) -> decodeAudioData + the core's resampler.
  const r4 = await classify(page, flac);
  check(r4.state === 'done', `FLAC through the browser's decoder classified as '${r4.shownGenre}' (native on the WAV: '${expected(clip('classical', '00005'))}') ${r4.message}`);
  await page.screenshot({ path: join(shots, '4-flac.png'), fullPage: true });

  // 5. live: the playing file through the AudioWorklet into streaming classification.
  await page.click('#live-player');
  const livePlayer = await watchLive(page, 3);
  check(livePlayer.updates >= 3 && livePlayer.genre, `live (playing file): ${livePlayer.updates} display updates in 3 s; ${livePlayer.text}`);
  await page.screenshot({ path: join(shots, '5-live-player.png'), fullPage: true });
  await page.click('#live-stop');
  check(consoleErrors.length === 0, `no uncaught page errors ${consoleErrors.join('; ')}`);
  await context.close();
  context = null;

  // 6. a plain static host (no COOP/COEP): single-threaded module, still classifies; and the
  //    microphone (Chromium's fake capture device playing a held-out clip) in live mode.
  const plain = await serve(['--no-isolation']);
  try {
    context = await launch(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${clip('rock', '00003')}`]);
    const p2 = context.pages()[0] ?? await context.newPage();
    await p2.goto(plain.url);
    const st = await waitReady(p2);
    check(st.state === 'ready' && st.isolated === false && st.threaded === 'false',
      `without COOP/COEP the page uses the single-threaded module (${st.status})`);
    const r5 = await classify(p2, first);
    check(r5.state === 'done' && r5.shownGenre === expected(first), `single-threaded page: '${r5.shownGenre}' equals native '${expected(first)}' (${r5.ms.toFixed(0)} ms)`);
    await p2.screenshot({ path: join(shots, '6-single-threaded.png'), fullPage: true });
    await p2.click('#live-mic');
    const liveMic = await watchLive(p2, 3);
    check(liveMic.updates >= 3 && liveMic.genre, `live (microphone): ${liveMic.updates} display updates in 3 s; ${liveMic.text}`);
    await p2.screenshot({ path: join(shots, '7-live-microphone.png'), fullPage: true });
    await p2.click('#live-stop');
  } finally {
    plain.child.kill();
  }
} catch (e) {
  check(false, `browser test threw: ${e.stack || e}`);
} finally {
  if (context) await context.close().catch(() => {});
  isolatedServer.child.kill();
}
console.log(`screenshots in ${shots}`);
finish();
