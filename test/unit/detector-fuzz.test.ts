import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { ANALYSIS_ERROR, type DocumentContext } from '../../detector/index.ts'
import { verdictOf } from '../../detector/score.ts'
import {
  bytes,
  deep,
  htmlPage,
  huge,
  spliced,
  tokenSoup,
  unicodeText,
} from './detector/fuzz-inputs.ts'
import { isolatedDetector } from './detector/isolated.ts'
import { FUZZ_SCALE, fuzzRuns } from '../helpers/fuzz.ts'

// Whatever text arrives, every rule runs over it through the public path and a verdict comes out.
// detector-property.test.ts checks that dressing a skimmer keeps it caught; this checks survival.
// Each analysis runs in a child process, so a hang or a runaway heap fails one run, by name.

/** One analysis may take this long on a loaded 2-core machine; longer counts as a hang. */
const PER_RUN_MS = 15_000
/** Heap one analysis may use; the detector needs a fraction of it on real scripts. */
const HEAP_MB = 1024
const TEST_MS = 300_000 * FUZZ_SCALE

const detector = isolatedDetector({ heapMb: HEAP_MB, timeoutMs: PER_RUN_MS })
afterAll(() => detector.close())

async function sane(input: string, ctx: DocumentContext = {}): Promise<void> {
  let got: Awaited<ReturnType<typeof detector.analyze>>
  try {
    got = await detector.analyze(input, ctx)
  } catch (err) {
    const head = JSON.stringify(input.slice(0, 300))
    throw new Error(`${(err as Error).message}, on ${input.length} chars: ${head}`)
  }
  const v = got.verdict
  expect(['clean', 'suspicious', 'malicious']).toContain(v.verdict)
  expect(Number.isFinite(v.score)).toBe(true)
  expect(v.score).toBeGreaterThanOrEqual(0)
  expect(v.score).toBeLessThanOrEqual(100)
  expect(v.verdict).toBe(verdictOf(v.score))
  expect(v.sha256).toMatch(/^[0-9a-f]{64}$/)
  for (const f of v.findings) {
    expect(Number.isInteger(f.line) && f.line >= 1, `${f.rule} line ${f.line}`).toBe(true)
    expect(Number.isInteger(f.column) && f.column >= 0, `${f.rule} column ${f.column}`).toBe(true)
    expect(f.points).toBeGreaterThanOrEqual(0)
  }
  // a step that throws is contained as a finding, but it is still a bug: name it and the input
  const error = v.findings.find((x) => x.rule === ANALYSIS_ERROR)
  expect(error, `${error?.message ?? ''} on ${JSON.stringify(input.slice(0, 300))}`).toBeUndefined()
}

const RUNS = { numRuns: 0 }
/** numRuns times FUZZ_SCALE, counted; a failure ends the property at once (shrinking reruns slow inputs) */
function runs(n: number) {
  const params = fuzzRuns(n)
  RUNS.numRuns += params.numRuns
  return params
}

describe('no input escapes the detector without a sane verdict', { timeout: TEST_MS }, () => {
  it('random token soup', async () => {
    await fc.assert(
      fc.asyncProperty(tokenSoup, (s) => sane(s)),
      runs(600),
    )
  })

  it('spliced and mutated skimmer, benign and library code', async () => {
    await fc.assert(
      fc.asyncProperty(spliced, (s) => sane(s)),
      runs(800),
    )
  })

  it('deeply nested expressions', async () => {
    await fc.assert(
      fc.asyncProperty(deep, (s) => sane(s)),
      runs(150),
    )
  })

  it('nesting whose stack overflow once came while V8 compiled a regular expression', async () => {
    // an overflow there aborts the process (SIGABRT) instead of throwing: refused earlier now
    const cycle: [string, string][] = [
      ['{a:', '}'],
      ['-', ''],
      ['`${', '}`'],
      ['()=>{', '}'],
      ['if(a){', '}'],
      ['()=>{', '}'],
      ['x?', ':0'],
    ]
    for (const depth of [700, 1400, 2800]) {
      let open = 'x='
      let close = ''
      for (let i = 0; i < depth; i++) {
        const [o, c] = cycle[i % cycle.length] as [string, string]
        open += o
        close = c + close
      }
      const input = `${open}1${close}`
      await sane(input)
      const { verdict } = await detector.analyze(input)
      expect(verdict.findings.map((f) => f.rule)).toContain('analysis-budget')
    }
  })

  it('huge literals', async () => {
    await fc.assert(
      fc.asyncProperty(huge, (s) => sane(s)),
      runs(80),
    )
  })

  it('invalid UTF-8 and any code point (lone surrogates included) turned into strings', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(bytes, unicodeText), (s) => sane(s)),
      runs(400),
    )
  })

  it('random HTML with scripts, handlers and javascript: URLs, read by content or as a .html file', async () => {
    const page = fc.tuple(htmlPage, fc.boolean())
    await fc.assert(
      fc.asyncProperty(page, ([html, named]) => sane(html, named ? { html: true } : {})),
      runs(1000),
    )
  })

  it('ran thousands of inputs', () => {
    expect(RUNS.numRuns).toBeGreaterThanOrEqual(3000)
  })
})
