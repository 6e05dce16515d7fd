import { describe, expect, it } from 'vitest'
import type {
  CapturedRequest,
  CapturedScript,
  PageCapture,
  ScriptKind,
  ScriptVerdict,
} from '../../core/types.ts'
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

  it.each([
    ['handler', null, 'event-handler attribute'],
    ['inline', null, 'inline script'],
    ['eval', null, 'eval/Function code'],
    ['injected', null, 'injected script'],
    ['injected', 'https://cdn.evil.test/a.js', 'https://cdn.evil.test/a.js'],
    ['external', 'https://shop-a.test/app.js', 'https://shop-a.test/app.js'],
  ] as [ScriptKind, string | null, string][])(
    'names a flagged %s script (url %s) as "%s"',
    (kind, url, label) => {
      const bad = { ...clean, sha256: 'f00d'.repeat(16), verdict: 'malicious' as const, score: 90 }
      const script: CapturedScript = {
        sha256: bad.sha256,
        url,
        kind,
        source: '',
        pageUrl: 'https://shop-a.test/checkout',
      }
      const v = judgePage({ ...capture([]), scripts: [script] }, [bad])
      const name = url ?? `${label} ${bad.sha256.slice(0, 12)}`
      expect(v.reasons[0]).toBe(`${name} is malicious (score 90)`)
    },
  )

  it('names a script that reads the card and sends it out by its kind', () => {
    const script: CapturedScript = {
      sha256: 'abc',
      url: null,
      kind: 'handler',
      source: '',
      pageUrl: 'https://shop-a.test/checkout',
    }
    const v = judgePage(
      { ...capture([{ url: 'https://e.test/p', script: 'abc' }], ['abc']), scripts: [script] },
      [clean],
    )
    expect(v.reasons.join('\n')).toContain('by event-handler attribute abc')
  })
})
