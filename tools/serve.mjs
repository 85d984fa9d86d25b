// Static server for the web page on 127.0.0.1: web/ overlaid with the built wasm modules
// (<build>/wasm/web-dist) and the model at models/default.mgm. Sends COOP/COEP so the page is
// cross-origin isolated and may use the threaded module.
//   node tools/serve.mjs [--port N] [--build DIR] [--model FILE] [--no-isolation]
// Prints "melgenre: serving http://127.0.0.1:PORT/" once listening. --port 0 picks a free port.
import { createServer } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm', '.mgm': 'application/octet-stream', '.json': 'application/json',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon',
};

function usage(message) {
  if (message) process.stderr.write(`serve: ${message}\n`);
  process.stderr.write('usage: tools/serve [--port N] [--build DIR] [--model FILE] [--no-isolation]\n');
  process.exit(1);
}

const opts = { port: 8080, build: join(root, 'build', 'wasm'), model: join(root, 'models', 'default.mgm'), isolation: true };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; ++i) {
  const a = argv[i];
  const value = () => (i + 1 < argv.length ? argv[++i] : usage(`${a} needs a value`));
  if (a === '--port') opts.port = Number(value());
  else if (a === '--build') opts.build = resolve(value());
  else if (a === '--model') opts.model = resolve(value());
  else if (a === '--no-isolation') opts.isolation = false;
  else if (a === '-h' || a === '--help') usage();
  else usage(`unknown argument ${a}`);
}
if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) usage('--port must be 0..65535');

const webDir = join(root, 'web');
const distDir = join(opts.build, 'wasm', 'web-dist');
const isFile = (p) => { try { return statSync(p).isFile(); } catch { return false; } };
if (!isFile(join(distDir, 'melgenre-web-st.mjs'))) {
  process.stderr.write(`serve: warning: no wasm modules in ${distDir} (build the wasm preset first)\n`);
}
if (!isFile(opts.model)) process.stderr.write(`serve: warning: no model at ${opts.model}\n`);

// URL path -> file: the model, else built artifacts, else web/ sources. Never outside those folders.
function locate(urlPath) {
  if (urlPath === '/models/default.mgm') return opts.model;
  const rel = normalize(decodeURIComponent(urlPath === '/' ? '/index.html' : urlPath)).replace(/^[/\\]+/, '');
  if (rel.startsWith('..') || rel.includes(`${sep}..`)) return null;
  for (const dir of [distDir, webDir]) {
    const p = join(dir, rel);
    if (p.startsWith(dir + sep) && isFile(p)) return p;
  }
  return null;
}

const server = createServer((req, res) => {
  const headers = { 'Cache-Control': 'no-cache', 'Cross-Origin-Resource-Policy': 'same-origin' };
  if (opts.isolation) {
    headers['Cross-Origin-Opener-Policy'] = 'same-origin';
    headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
  }
  let path;
  try { path = locate(new URL(req.url, 'http://localhost').pathname); } catch { path = null; }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end();
    return;
  }
  if (!path) {
    res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found\n');
    return;
  }
  const st = statSync(path);
  const etag = `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
  Object.assign(headers, {
    'Content-Type': TYPES[extname(path)] || 'application/octet-stream',
    'Content-Length': st.size, ETag: etag,
  });
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers).end();
    return;
  }
  res.writeHead(200, headers);
  if (req.method === 'HEAD') { res.end(); return; }
  createReadStream(path).on('error', () => res.destroy()).pipe(res);
});

server.on('error', (e) => { process.stderr.write(`serve: ${e.message}\n`); process.exit(1); });
server.listen(opts.port, '127.0.0.1', () => {
  process.stdout.write(`melgenre: serving http://127.0.0.1:${server.address().port}/\n`);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(0));
