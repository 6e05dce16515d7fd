import { describe, expect, it } from 'vitest'
import type { PageCapture, ScriptVerdict } from '../../core/types.ts'
import { decisionFor, overlay, type AnalystDecision } from '../../detector/decisions.ts'

const verdict = (sha256: string, v: ScriptVerdict['verdict'], score: number): ScriptVerdict => ({
  sha256,
  verdict: v,
  score,
  rulesVersion: 'test',
  findings: [{ rule: 'r', severity: 'high', message: 'm', line: 1, column: 0, points: score }],
})
const capture = (sha256: string, url: string): Pick<PageCapture, 'scripts'> => ({
  scripts: [{ sha256, url, kind: 'external', source: '', pageUrl: 'https://shop.test/checkout' }],
})
const decision = (d: Partial<AnalystDecision>): AnalystDecision => ({
  kind: 'false-positive',
  sha256: null,
  host: null,
  reason: 'checked by hand',
  expires: null,
  createdBy: 'ana',
  createdAt: '2026-12-01T10:00:00Z',
  ...d,
})

describe('analysts decisions over verdicts', () => {
  const a = 'a'.repeat(64)

  it('a false positive by hash clears the script and keeps its findings with no points', () => {
    const d = decision({ sha256: a })
    const out = overlay(
      verdict(a, 'malicious', 90),
      decisionFor(verdict(a, 'malicious', 90), capture(a, 'https://cdn.test/x.js'), [d]),
    )
    expect(out.verdict).toBe('clean')
    expect(out.findings.map((f) => f.points)).toEqual([0, 0])
    expect(out.findings[0]?.message).toContain('false-positive by ana')
  })

  it('an allowlisted host matches the scripts served from it and under it, not a lookalike', () => {
    const d = decision({ kind: 'allowlist', host: '*.cdn.test', expires: '2999-01-01' })
    const v = verdict(a, 'suspicious', 40)
    expect(decisionFor(v, capture(a, 'https://eu.cdn.test/x.js'), [d])).toBe(d)
    expect(decisionFor(v, capture(a, 'https://cdn.test.evil.example/x.js'), [d])).toBeUndefined()
    expect(
      decisionFor(
        verdict('b'.repeat(64), 'suspicious', 40),
        capture(a, 'https://eu.cdn.test/x.js'),
        [d],
      ),
    ).toBeUndefined()
  })

  it('a confirmation makes a script malicious; with no decision the verdict is untouched', () => {
    const v = verdict(a, 'suspicious', 40)
    expect(overlay(v, decision({ kind: 'confirm', sha256: a })).verdict).toBe('malicious')
    expect(overlay(v, undefined)).toBe(v)
  })
})
