// Generates runtime/src/test/resources/js-number-strings.json: doubles from the shapes that are
// hard to print (random bits, random fractions, subnormals, powers of two and their neighbours,
// the layout boundaries) and JavaScript's String(n) for each, as [bits in hex, text] pairs.
//
//   node runtime/src/test/js/number-strings.mjs > runtime/src/test/resources/js-number-strings.json
//
// The generator is seeded, so the output is the same on every run.
import { seededRandom } from './seeded-random.mjs';
const random = seededRandom(0x1d2c3b4a);
const view = new DataView(new ArrayBuffer(8));
const fromBits = (high, low) => {
  view.setUint32(0, high >>> 0);
  view.setUint32(4, low >>> 0);
  return view.getFloat64(0);
};
const bitsOf = (n) => {
  view.setFloat64(0, n);
  return view.getBigUint64(0).toString(16).padStart(16, '0');
};
const word = () => Math.floor(random() * 4294967296);

const numbers = [];
const add = (n) => {
  if (Number.isFinite(n) && n !== 0) numbers.push([bitsOf(n), String(n)]);
};
for (let i = 0; i < 3000; i++) add(fromBits(word() & 0x7fefffff, word()));
for (let i = 0; i < 2000; i++) add(random());
for (let i = 0; i < 1000; i++) add(random() * 10 ** Math.floor(random() * 60 - 30));
for (let i = 0; i < 1000; i++) add(fromBits(word() & 0x000fffff, word()));
for (let e = -1074; e <= 1023; e += 3) {
  const power = 2 ** e;
  view.setFloat64(0, power);
  const bits = view.getBigUint64(0);
  for (const delta of [-1n, 0n, 1n]) {
    view.setBigUint64(0, bits + delta);
    add(view.getFloat64(0));
  }
}
for (const boundary of [1e21, 1e-6, 1e-7, 2 ** 53]) {
  view.setFloat64(0, boundary);
  const bits = view.getBigUint64(0);
  for (let delta = -20n; delta <= 20n; delta++) {
    view.setBigUint64(0, bits + delta);
    add(view.getFloat64(0));
  }
}
console.log(JSON.stringify(numbers));
