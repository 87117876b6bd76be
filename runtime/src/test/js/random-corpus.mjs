// Generates runtime/src/test/resources/devalue-random-corpus.json from the real devalue library:
// random values (every type devalue writes, shared references, cycles, holes, odd numbers and
// strings) and their stringify output, plus random doubles and JavaScript's String(n) for them.
//
//   cd "$(mktemp -d)" && npm install devalue@6.0.3 && \
//     NODE_PATH="$PWD/node_modules" node /path/to/random-corpus.mjs > devalue-random-corpus.json
//
// The generator is seeded, so the output is the same on every run.
import { seededRandom } from './seeded-random.mjs';
import { createRequire } from 'node:module';
const require = createRequire(process.env.NODE_PATH + '/');
const { stringify } = require('devalue');

const random = seededRandom(0x5a7c4e1);
const int = (n) => Math.floor(random() * n);
const pick = (xs) => xs[int(xs.length)];

function randomDouble() {
  const buffer = new DataView(new ArrayBuffer(8));
  switch (int(6)) {
    case 0: return pick([0, -0, 1, -1, 0.1, 0.5, 1e21, 1e-7, 123e-20, 2 ** 53, -(2 ** 53) + 1, 5e-324, 1.7976931348623157e308]);
    case 1: return int(2000) - 1000;
    case 2: return (random() - 0.5) * 10 ** (int(40) - 20);
    case 3: return Math.round(random() * 1e6) / 100;
    default:
      buffer.setUint32(0, int(2 ** 32));
      buffer.setUint32(4, int(2 ** 32));
      return buffer.getFloat64(0);
  }
}

function randomString() {
  const pieces = ['a', 'key', '<', '</script>', '"', '\\', '\n', '\u2028', '\u2029', 'é', '世界', '😀',
    '\ud800', '\udc00', '\u0000', '\u001f', '\u007f', '\ufeff', ' ', 'sku-0001', '0', '10', '__proto', '$x'];
  let s = '';
  for (let i = int(5); i > 0; i--) s += pick(pieces);
  return s;
}

const keys = ['a', 'b', 'id', 'name', '0', '1', '10', '2', '01', '-1', 'a b', '4294967294', '4294967295', '1.5', '', 'constructor', 'x'];

function randomValue(depth, pool) {
  if (pool.length && random() < 0.1) return pick(pool);
  const leaf = depth <= 0 || random() < 0.35;
  const choice = leaf ? int(12) : 12 + int(8);
  let v;
  switch (choice) {
    case 0: case 1: v = randomDouble(); break;
    case 2: case 3: v = randomString(); break;
    case 4: v = pick([true, false, null, undefined]); break;
    case 5: v = BigInt(int(1e9)) * BigInt(pick([1, -1, 10 ** 12])); break;
    case 6: v = new Date(pick([0, 8.64e15, -8.64e15, NaN, Math.round((random() - 0.5) * 1e14), -62198755200000])); break;
    case 7: v = new RegExp(pick(['abc', 'a\\/b', '[<>]', '', '\\d+', '\u2028', '/', '[/]']), pick(['', 'g', 'gi', 'ymsu', 'dgimsuy'])); break;
    case 8: v = new URL(pick(['https://example.com/', 'https://astro.build/shop?ref=satchel', 'http://a.test/b%20c#f', 'https://bücher.example/ä?x=ö', 'mailto:a@b.c', 'file:///tmp/x', 'https://u:p@h.test:8080/p?q#f'])); break;
    case 9: v = Object(pick([1, 'boxed', false, NaN, 7n, -0, '', Infinity])); break;
    case 10: {
      const b = new Uint8Array(8 * int(4)).map(() => int(256));
      v = pick([
        b, b.buffer, new Uint16Array(b.buffer, 0, b.length >> 2), new DataView(b.buffer),
        new DataView(b.buffer, b.length >> 1), new Float64Array(b.buffer), new BigInt64Array(b.buffer),
        new Int32Array(b.buffer, b.length >> 1), new Float32Array([NaN, -0, 1.5, Infinity]),
        new Uint8ClampedArray([0, 255]), Buffer.from([1, 2, 3]),
      ]);
      break;
    }
    case 11: v = new URLSearchParams(pick(['a=1&b=2', 'q=%3C+%3E', '', '?x=%20y', 'é=ü&k', 'a+b=c%2Bd'])); break;
    case 12: case 13: {
      const a = [];
      const n = int(6);
      for (let i = 0; i < n; i++) if (random() > 0.15) a[i] = randomValue(depth - 1, pool); else a.length = i + 1;
      if (random() < 0.1) a[int(200)] = randomValue(depth - 1, pool);
      if (random() < 0.03) a[int(4294967294)] = randomValue(depth - 1, pool);
      v = a;
      break;
    }
    case 14: case 15: {
      const o = random() < 0.15 ? Object.create(null) : {};
      for (let i = int(5); i > 0; i--) o[pick(keys)] = randomValue(depth - 1, pool);
      v = o;
      break;
    }
    case 16: {
      const m = new Map();
      for (let i = int(4); i > 0; i--) m.set(random() < 0.6 ? pick(keys) : random() < 0.5 ? pick([NaN, -0, undefined, null, 0, 1n, true]) : randomValue(depth - 1, pool), randomValue(depth - 1, pool));
      v = m;
      break;
    }
    case 17: {
      const s = new Set();
      for (let i = int(4); i > 0; i--) s.add(randomValue(depth - 1, pool));
      v = s;
      break;
    }
    case 18: {
      const o = { self: null, n: randomValue(0, pool) };
      o.self = o;
      v = random() < 0.5 ? o : [o, o];
      break;
    }
    default: v = [randomValue(depth - 1, pool), randomValue(depth - 1, pool)];
  }
  if (v !== null && typeof v === 'object') pool.push(v);
  return v;
}

const values = [];
for (let i = 0; i < 1500; i++) {
  values.push(stringify(randomValue(4, [])));
}
const numbers = [];
for (let i = 0; i < 3000; i++) {
  const n = randomDouble();
  if (!Number.isFinite(n)) continue;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, n);
  const bits = view.getBigUint64(0).toString(16).padStart(16, '0');
  numbers.push([bits, String(n)]);
}
console.log(JSON.stringify({ devalue: '6.0.3', values, numbers }, null, 1));
