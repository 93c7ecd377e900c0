import { SkydriveError } from '../errors.js';

/** Run `work` over `inputs` with at most `concurrency` in flight; results keep input order. */
export async function runPool<I, O>(
  inputs: readonly I[],
  concurrency: number,
  work: (input: I) => Promise<O>,
): Promise<O[]> {
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new SkydriveError(
      'INVALID_ARGUMENT',
      `concurrency ${concurrency} must be a whole number from 1 to 64`,
    );
  }
  const results: O[] = new Array(inputs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < inputs.length) {
      const index = next++;
      results[index] = await work(inputs[index] as I);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, inputs.length) }, worker));
  return results;
}
