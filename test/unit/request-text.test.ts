// What of a request the exfil matcher reads besides its URL: compressed bodies inflated, and the
// headers a page can set or steer.
import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { TEST_VALUES, matchExfil } from '../../crawler/exfil-match.ts'
import { inflateBody, matchedText, pageHeaders } from '../../crawler/request-text.ts'

const form = JSON.stringify({ number: TEST_VALUES.card, cvc: TEST_VALUES.cvv })

describe('inflateBody', () => {
  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['deflate-raw', deflateRawSync],
  ] as const)('reads a %s body as the text it packs', (name, pack) => {
    const got = inflateBody(pack(Buffer.from(form)), 65536)
    expect(got?.compressed).toBe(name)
    expect(got?.text).toContain(form)
    expect(matchExfil('https://x.example/', got?.text ?? null).carriesCard).toBe(true)
  })

  it('leaves text and uncompressed bytes alone', () => {
    expect(inflateBody(Buffer.from(form), 65536)).toBeNull()
    expect(inflateBody(Buffer.from('x^ starts like a zlib header'), 65536)).toBeNull()
    expect(inflateBody(Buffer.from([0x1f, 0x8b, 1, 2, 3]), 65536)).toBeNull()
  })

  it('reads the head of a body that inflates beyond the limit, and no more', () => {
    const events = Array.from({ length: 40_000 }, (_, i) => `{"e":"move","x":${i % 97}}`)
    const batch = gzipSync(Buffer.from(`[${form},${events.join(',')}]`))
    const got = inflateBody(batch, 65536)
    expect(got?.text.length).toBeLessThanOrEqual(65536)
    expect(got?.text).toContain(TEST_VALUES.card)
    // a bomb: megabytes of zeros in a few kilobytes
    const bomb = gzipSync(Buffer.alloc(64 << 20))
    expect(inflateBody(bomb, 65536)?.text.length ?? 0).toBeLessThanOrEqual(65536)
  })
})

describe('pageHeaders', () => {
  it('keeps headers the page set and a Referer that is more than an origin', () => {
    const text = pageHeaders({
      'user-agent': 'Mozilla/5.0',
      accept: '*/*',
      'sec-fetch-mode': 'cors',
      referer: 'https://shop.example/checkout/?s=NDExMQ',
      'x-trace-context': 'abc',
    })
    expect(text.split('\n')).toEqual([
      'referer: https://shop.example/checkout/?s=NDExMQ',
      'x-trace-context: abc',
    ])
  })

  it('drops the origin-only Referer every cross-site request carries', () => {
    expect(pageHeaders({ referer: 'https://shop.example/', accept: 'image/*' })).toBe('')
  })

  it('puts headers after the body for the matcher', () => {
    expect(matchedText(null, undefined)).toBeNull()
    expect(matchedText('a=1', 'x: 2')).toBe('a=1\nx: 2')
    expect(matchedText(null, 'x: 2')).toBe('x: 2')
  })
})
