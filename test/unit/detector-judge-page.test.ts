import { describe, expect, it } from 'vitest'
import type { CapturedRequest, PageCapture, ScriptVerdict } from '../../core/types.ts'
import { analyzeScript, judgePage } from '../../detector/index.ts'

function capture(requests: Partial<CapturedRequest>[], cardReaders: string[] = []): PageCapture {
  return {
    url: 'https://shop-a.test/',
    finalUrl: 'https://shop-a.test/checkout',
    status: 'ok',
    reason: null,
    startedAt: '2026-11-01T00:00:00Z',
    durationMs: 1000,
    visited: [],
    filledCard: true,
    scripts: [],
    requests: requests.map((r) => ({
      url: 'https://x.test/',
      method: 'GET',
      type: 'image',
      body: null,
      carriesCard: false,
      carriesPersonal: false,
      thirdParty: true,
      script: null,
      ...r,
    })),
    cardReaders,
  }
}

const clean: ScriptVerdict = analyzeScript('var a = 1')

describe('judgePage', () => {
  it('is clean when nothing is flagged', () => {
    expect(judgePage(capture([]), [clean]).verdict).toBe('clean')
  })
  it('is malicious when the card leaves for a third party, whatever the code looks like', () => {
    const v = judgePage(capture([{ url: 'https://drop.test/c.gif?d=x', carriesCard: true }]), [
      clean,
    ])
    expect(v.verdict).toBe('malicious')
    expect(v.reasons).toContain('card sent to drop.test')
  })
  it('is malicious when a card-reading script sends to a third party (encrypted payload)', () => {
    const v = judgePage(capture([{ url: 'https://e.test/p', script: 'abc' }], ['abc']), [clean])
    expect(v.verdict).toBe('malicious')
  })
  it('is suspicious when personal data goes to a third party', () => {
    expect(judgePage(capture([{ carriesPersonal: true }]), [clean]).verdict).toBe('suspicious')
  })
  it('follows the worst script verdict', () => {
    const bad = { ...clean, verdict: 'malicious' as const, score: 90 }
    expect(judgePage(capture([]), [clean, bad]).verdict).toBe('malicious')
  })
})
