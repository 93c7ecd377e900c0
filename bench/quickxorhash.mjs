// Hash 1 GiB held in memory with QuickXorHash and, in the same run, with
// node:crypto SHA-1 as the baseline. Prints MiB/s for each and their ratio.
// Usage: npm run bench:quickxorhash [-- SIZE_MIB [ROUNDS]]
import { createHash, randomFillSync } from 'node:crypto';
import os from 'node:os';
import { QuickXorHash } from '@skydrive/quickxorhash';

const sizeMiB = Number(process.argv[2] ?? 1024);
const rounds = Number(process.argv[3] ?? 3);
if (!Number.isInteger(sizeMiB) || sizeMiB < 1 || !Number.isInteger(rounds) || rounds < 1) {
  console.error('usage: node bench/quickxorhash.mjs [SIZE_MIB >= 1] [ROUNDS >= 1]');
  process.exit(2);
}

const chunkBytes = 4 * 1024 * 1024;
const chunks = [];
for (let filled = 0; filled < sizeMiB * 1024 * 1024; filled += chunkBytes) {
  chunks.push(randomFillSync(Buffer.allocUnsafe(chunkBytes)));
}

function timeIt(label, run) {
  const samples = [];
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    run();
    samples.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  const best = Math.min(...samples);
  const rate = sizeMiB / best;
  console.log(
    `${label.padEnd(14)} best ${best.toFixed(3)} s  ${rate.toFixed(0)} MiB/s  (rounds: ${samples.map((s) => s.toFixed(3)).join(', ')})`,
  );
  return rate;
}

console.log(
  `input: ${sizeMiB} MiB in ${chunks.length} chunks of 4 MiB; ${rounds} rounds; node ${process.version}; ${os.cpus()[0]?.model} x${os.cpus().length}`,
);
const quickXor = timeIt('quickxorhash', () => {
  const hash = new QuickXorHash();
  for (const chunk of chunks) hash.update(chunk);
  hash.digest();
});
const sha1 = timeIt('sha1 (crypto)', () => {
  const hash = createHash('sha1');
  for (const chunk of chunks) hash.update(chunk);
  hash.digest('base64');
});
console.log(`quickxorhash / sha1 throughput: ${(quickXor / sha1).toFixed(2)}x`);
