import { describe, expect, it } from 'vitest'
import type {
  CapturedRequest,
  CapturedScript,
  PageCapture,
  ScriptKind,
  ScriptVerdict,
  Verdict,
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

// What the browser saw and how each script was judged, with the page verdict that must follow.
interface Case {
  name: string
  requests?: Partial<CapturedRequest>[]
  /** script URLs captured on the page (by sha256) */
  scripts?: Record<string, string>
  readers?: string[]
  filledCard?: boolean
  /** static verdicts by sha256 */
  verdicts?: Record<string, Verdict>
  want: Verdict
  /** a reason that must be given, as a substring */
  reason?: string
}

const STRIPE_JS = { 'st-sha': 'https://js.stripe.com/v3/' }
const FRAMES_DOC: Partial<CapturedRequest> = {
  url: 'https://cdn.checkout.com/frames/card.html',
  type: 'document',
}
const OWN_POST: Partial<CapturedRequest> = {
  url: 'https://shop-a.test/api/checkout',
  type: 'fetch',
  method: 'POST',
  carriesCard: true,
  carriesPersonal: true,
  thirdParty: false,
  script: 'own',
}

const CASES: Case[] = [
  {
    name: 'card data sent to the processor the page embeds is normal',
    scripts: STRIPE_JS,
    requests: [{ url: 'https://api.stripe.com/v1/tokens', type: 'fetch', carriesCard: true }],
    want: 'clean',
    reason: 'the Stripe origin the page embeds',
  },
  {
    name: 'card data sent to a processor the page does not embed is still exfiltration',
    requests: [{ url: 'https://api.stripe.com/v1/tokens', type: 'fetch', carriesCard: true }],
    want: 'malicious',
    reason: 'card sent to api.stripe.com',
  },
  {
    name: 'card data sent to a lookalike of the embedded processor is exfiltration',
    scripts: STRIPE_JS,
    requests: [{ url: 'https://api.stripe.com.cdn-sync.test/t', carriesCard: true }],
    want: 'malicious',
    reason: 'card sent to api.stripe.com.cdn-sync.test',
  },
  {
    name: "a card reader's encrypted send to its framed processor is normal",
    requests: [FRAMES_DOC, { url: 'https://api.checkout.com/tokens', type: 'fetch', script: 'fr' }],
    readers: ['fr'],
    want: 'clean',
  },
  {
    name: "a card reader's encrypted send to a non-processor third party stays malicious",
    requests: [FRAMES_DOC, { url: 'https://metrics.cdn-sync.test/c', type: 'xhr', script: 'fr' }],
    readers: ['fr'],
    want: 'malicious',
    reason: 'encrypted exfiltration',
  },
  {
    name: 'personal data for the embedded processor is normal',
    scripts: STRIPE_JS,
    requests: [{ url: 'https://api.stripe.com/v1/payment_methods', carriesPersonal: true }],
    want: 'clean',
  },
  {
    name: 'a statically suspicious script that only posted to its own site leaves the page clean',
    requests: [OWN_POST],
    verdicts: { own: 'suspicious' },
    want: 'clean',
    reason: 'is suspicious statically (score 45) but sent nothing off-site during the visit',
  },
  {
    name: 'a statically suspicious script that sent nothing at all leaves the page clean',
    verdicts: { own: 'suspicious' },
    want: 'clean',
    reason: 'kept for analysts',
  },
  {
    name: 'a statically suspicious script that only talked to the embedded processor is quiet',
    scripts: STRIPE_JS,
    requests: [{ url: 'https://api.stripe.com/v1/tokens', type: 'fetch', script: 'own' }],
    verdicts: { own: 'suspicious' },
    want: 'clean',
  },
  {
    name: 'a statically suspicious script that sent something off-site keeps the page suspicious',
    requests: [OWN_POST, { url: 'https://stats.cdn-sync.test/e', type: 'beacon', script: 'own' }],
    verdicts: { own: 'suspicious' },
    want: 'suspicious',
    reason: 'is suspicious (score 45)',
  },
  {
    name: 'no card typed in: a quiet suspicious script proves nothing',
    requests: [OWN_POST],
    filledCard: false,
    verdicts: { own: 'suspicious' },
    want: 'suspicious',
  },
  {
    name: 'an unattributed off-site send could be the suspicious script: no pass',
    requests: [OWN_POST, { url: 'https://x.cdn-sync.test/p', type: 'fetch', method: 'POST' }],
    verdicts: { own: 'suspicious' },
    want: 'suspicious',
  },
  {
    name: 'when a card left the site, statically suspicious scripts stay suspicious',
    requests: [OWN_POST, { url: 'https://drop.test/g.gif', carriesCard: true, script: 'other' }],
    verdicts: { own: 'suspicious' },
    want: 'malicious',
    reason: 'is suspicious (score 45)',
  },
  {
    name: 'a statically malicious script is malicious even when it sent nothing',
    verdicts: { own: 'malicious' },
    want: 'malicious',
  },
]

describe('judgePage with payment processors and quiet scripts', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const base = capture(c.requests ?? [], c.readers ?? [])
    const scripts = Object.entries(c.scripts ?? {}).map(([sha256, url]): CapturedScript => ({
      sha256,
      url,
      kind: 'external',
      source: '',
      pageUrl: base.finalUrl,
    }))
    // Every captured script is judged; the processor's own script statically clean.
    const judged = {
      ...Object.fromEntries(scripts.map((x) => [x.sha256, 'clean' as Verdict])),
      ...c.verdicts,
    }
    const verdicts = Object.entries(judged).map(([sha256, verdict]): ScriptVerdict => ({
      ...clean,
      sha256,
      verdict,
      score: verdict === 'malicious' ? 80 : 45,
    }))
    const v = judgePage(
      { ...base, scripts, filledCard: c.filledCard ?? true, url: 'https://shop-a.test/' },
      [clean, ...verdicts],
    )
    expect(v.verdict, v.reasons.join('\n')).toBe(c.want)
    if (c.reason) expect(v.reasons.join('\n')).toContain(c.reason)
  })
})
