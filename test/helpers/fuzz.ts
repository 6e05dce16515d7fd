// Run counts for property tests: CI size by default, FUZZ_SCALE=N for N times as many (npm run fuzz),
// FUZZ_SEED=<seed> to replay the seed a failure printed.

const scale = Math.max(1, Number(process.env['FUZZ_SCALE'] ?? 1) || 1)
const seedText = process.env['FUZZ_SEED']
const seed = seedText === undefined || seedText === '' ? undefined : Number(seedText)

export interface FuzzParams {
  numRuns: number
  endOnFailure: true
  seed?: number
}

/** fast-check parameters for `n` runs at CI size; a failure reports its seed and path. */
export function fuzzRuns(n: number): FuzzParams {
  const params: FuzzParams = { numRuns: Math.ceil(n * scale), endOnFailure: true }
  if (seed !== undefined && Number.isFinite(seed)) params.seed = seed
  return params
}

export const FUZZ_SCALE = scale
