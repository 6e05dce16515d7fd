import fc from 'fast-check'
import { minify } from 'terser'
import { describe, expect, it } from 'vitest'
import { analyzeScript } from '../../detector/index.ts'
import { parseStrict } from '../../detector/parse.ts'
import { loadSamples, rewritable } from '../../fixtures/samples/load.ts'
import { renameDeclared } from './detector/rename.ts'

// Dressing a skimmer in ways that leave its behaviour alone must never make it look clean.

const RUNS = 25
const malicious = loadSamples()
  .filter(rewritable)
  .filter(
    (s) =>
      s.kind === 'malicious' &&
      analyzeScript(s.source, s.expected.ctx ?? {}).verdict === 'malicious',
  )

const sample = fc.constantFrom(...malicious)
const freshNames = fc.uniqueArray(fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9]{1,6}$/), {
  minLength: 8,
  maxLength: 8,
})

function stillCaught(name: string, source: string, ctx: object): void {
  const v = analyzeScript(source, ctx)
  expect({ name, verdict: v.verdict }).not.toEqual({ name, verdict: 'clean' })
}

describe('dressing a malicious sample never makes it clean', () => {
  it('has malicious samples to dress', () => {
    expect(malicious.length).toBeGreaterThanOrEqual(10)
  })

  it('renaming declared identifiers', () => {
    fc.assert(
      fc.property(sample, freshNames, (s, fresh) => {
        const renamed = renameDeclared(
          s.source,
          fresh.map((f) => `$${f}`),
        )
        expect(parseStrict(renamed)).not.toBeNull()
        stillCaught(s.name, renamed, s.expected.ctx ?? {})
      }),
      { numRuns: RUNS },
    )
  })

  it('reformatting with terser (compress, mangle, beautify on or off)', async () => {
    await fc.assert(
      fc.asyncProperty(
        sample,
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        async (s, compress, mangle, toplevel, beautify) => {
          const out = await minify(s.source, {
            compress,
            mangle: mangle ? { toplevel } : false,
            toplevel,
            format: { beautify },
          })
          stillCaught(s.name, out.code ?? '', s.expected.ctx ?? {})
        },
      ),
      { numRuns: RUNS },
    )
  }, 60_000)

  it('wrapping in an IIFE, !function(){}() or an arrow', () => {
    const wraps = [
      (b: string) => `(function () {\n${b}\n})()`,
      (b: string) => `!function(){${b}\n}()`,
      (b: string) => `;(() => {\n${b}\n})();`,
      (b: string) => `void function (w, d) {\n${b}\n}(window, document)`,
    ]
    fc.assert(
      fc.property(sample, fc.constantFrom(...wraps), fc.nat(2), (s, wrap, times) => {
        let out = s.source
        for (let i = 0; i <= times; i++) out = wrap(out)
        stillCaught(s.name, out, s.expected.ctx ?? {})
      }),
      { numRuns: RUNS },
    )
  })

  it('all three at once', async () => {
    await fc.assert(
      fc.asyncProperty(sample, freshNames, fc.boolean(), async (s, fresh, beautify) => {
        const renamed = renameDeclared(
          s.source,
          fresh.map((f) => `$${f}`),
        )
        const wrapped = `!function(){${renamed}\n}()`
        const out = await minify(wrapped, { compress: false, mangle: false, format: { beautify } })
        stillCaught(s.name, out.code ?? '', s.expected.ctx ?? {})
      }),
      { numRuns: RUNS },
    )
  }, 60_000)
})
