// Output lines of the node entry point, byte-identical to the native CLI's (native/cmd_classify.cpp,
// native/json_output.cpp): the same %.6g numbers, the same string escaping, the same table and CSV.

// C's printf("%.<precision>g", x).
export function formatG(x, precision = 6) {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const p = Math.max(precision, 1);
  const exp = Number(x.toExponential(p - 1).split('e')[1]);  // exponent after rounding to p digits
  let s;
  if (exp < -4 || exp >= p) {
    let [mant, e] = x.toExponential(p - 1).split('e');
    if (mant.includes('.')) mant = mant.replace(/0+$/, '').replace(/\.$/, '');
    const n = Number(e);
    s = `${mant}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  } else {
    s = x.toFixed(Math.max(p - 1 - exp, 0));
    if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  }
  return s;
}

// json_string(): escapes ", \, \n, \r, \t and other control bytes as \u00XX; everything else verbatim.
export function jsonString(s) {
  let out = '"';
  for (const ch of String(s)) {
    const c = ch.codePointAt(0);
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

// json_number(): %.6g, null for non-finite values.
export function jsonNumber(x) {
  return Number.isFinite(x) ? formatG(x, 6) : 'null';
}

function jsonScores(labels, scores) {
  return `{${labels.map((l, i) => `${jsonString(l)}:${jsonNumber(scores[i])}`).join(',')}}`;
}

const topOf = (scores) => scores.reduce((best, v, i) => (v > scores[best] ? i : best), 0);

// {"file":..., "genre":..., "confidence":..., "scores":{...}[, "segments":[...]]}
export function formatJsonLine(file, result, labels, { segments = false } = {}) {
  let line = `{"file":${jsonString(file)},"genre":${jsonString(labels[result.top])},` +
    `"confidence":${jsonNumber(result.confidence)},"scores":${jsonScores(labels, result.scores)}`;
  if (segments) {
    const segs = result.segments.map(
      (s) => `{"start":${jsonNumber(s.start)},"end":${jsonNumber(s.end)},"scores":${jsonScores(labels, s.scores)}}`);
    line += `,"segments":[${segs.join(',')}]`;
  }
  return `${line}}\n`;
}

// printf("%-<w>s") / ("%<w>.<p>f")
const padRight = (s, w) => s.padEnd(w);
const fixed = (x, p, w = 0) => x.toFixed(p).padStart(w);

function csvField(s) {
  if (!/[,"\n\r]/.test(s)) return s;
  return `"${s.replace(/"/g, '""')}"`;
}

export function csvHeader(labels, { segments = false } = {}) {
  return `${segments ? 'file,start,end,genre,confidence' : 'file,genre,confidence'}${labels.map((l) => `,${csvField(l)}`).join('')}\n`;
}

export function formatCsvLines(file, result, labels, { segments = false } = {}) {
  let out = `${csvField(file)}${segments ? ',,' : ''},${csvField(labels[result.top])},${formatG(result.confidence)}` +
    `${result.scores.map((s) => `,${formatG(s)}`).join('')}\n`;
  if (segments) {
    for (const s of result.segments) {
      const t = topOf(s.scores);
      out += `${csvField(file)},${s.start.toFixed(3)},${s.end.toFixed(3)},${csvField(labels[t])},${formatG(s.scores[t])}` +
        `${s.scores.map((v) => `,${formatG(v)}`).join('')}\n`;
    }
  }
  return out;
}

// "genre  97.5%  (runner-up 2%)  file", then one line per segment with --segments.
export function formatTableLines(file, result, labels, { segments = false } = {}) {
  const r = result;
  let second = r.top === 0 ? 1 : 0;
  for (let i = 0; i < r.scores.length; ++i) if (i !== r.top && r.scores[i] > r.scores[second]) second = i;
  const alt = r.scores.length > 1 ? `(${labels[second]} ${(100 * r.scores[second]).toFixed(0)}%)` : '';
  let out = `${padRight(labels[r.top], 10)} ${fixed(100 * r.confidence, 1, 5)}%  ${padRight(alt, 18)} ${file}\n`;
  if (segments) {
    for (const s of r.segments) {
      const t = topOf(s.scores);
      out += `    ${fixed(s.start, 2, 7)}-${fixed(s.end, 2, 7)} s  ${padRight(labels[t], 10)} ${fixed(100 * s.scores[t], 1, 5)}%\n`;
    }
  }
  return out;
}
