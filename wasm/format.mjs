// Output lines of the node entry point, byte-identical to the native CLI's (native/cmd_classify.cpp).

// C's printf("%.<precision>g", x) for finite doubles.
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

export function jsonString(s) {
  return JSON.stringify(String(s));
}

const num = (x) => formatG(x, 6);

function scoresObject(labels, scores) {
  return `{${labels.map((l, i) => `${jsonString(l)}:${num(scores[i])}`).join(',')}}`;
}

// {"file":..., "genre":..., "confidence":..., "scores":{...}[, "segments":[...]]}
export function formatJsonLine(file, result, labels, { segments = false } = {}) {
  let line = `{"file":${jsonString(file)},"genre":${jsonString(result.genre)},"confidence":${num(result.confidence)},` +
    `"scores":${scoresObject(labels, result.scores)}`;
  if (segments) {
    const segs = result.segments.map(
      (s) => `{"start":${num(s.start)},"end":${num(s.end)},"scores":${scoresObject(labels, s.scores)}}`);
    line += `,"segments":[${segs.join(',')}]`;
  }
  return `${line}}\n`;
}

export function tableHeader(labels) {
  return `file\tgenre\tconfidence\n`;
}

export function formatTableLine(file, result) {
  return `${file}\t${result.genre}\t${result.confidence.toFixed(3)}\n`;
}
