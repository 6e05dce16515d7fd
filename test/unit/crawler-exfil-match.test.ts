import { describe, expect, it } from 'vitest'
import { containsValue, decodedViews, matchExfil, TEST_VALUES } from '../../crawler/exfil-match.ts'

const card = TEST_VALUES.card
const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64')
const hex = (s: string | Buffer) => Buffer.from(s).toString('hex')
const reversed = (s: string) => [...s].reverse().join('')
const json = JSON.stringify({ cc: '4111 1111 1111 1111', exp: '12/30', cvv: '123' })
const xored = (s: string, key: number) => Buffer.from([...Buffer.from(s)].map((b) => b ^ key))
/** XOR with a repeating key word, as kits write it */
const keyed = (s: string, key: string) =>
  Buffer.from([...Buffer.from(s)].map((b, i) => b ^ key.charCodeAt(i % key.length)))
const compact = JSON.stringify({ n: card, e: '12/30', c: '123' })

describe('matchExfil finds the test card', () => {
  const cases: Array<[string, string, string | null]> = [
    ['plain in the query', `https://x.test/c?n=${card}`, null],
    ['with spaces', 'https://x.test/c', 'n=4111 1111 1111 1111'],
    ['with dashes', 'https://x.test/c', 'n=4111-1111-1111-1111'],
    ['URL-encoded', `https://x.test/c?d=${encodeURIComponent(json)}`, null],
    ['form-encoded with +', 'https://x.test/c', 'cc=4111+1111+1111+1111'],
    ['base64 JSON', `https://x.test/i.gif?d=${b64(json)}`, null],
    ['URL-encoded base64', `https://x.test/i.gif?d=${encodeURIComponent(b64(json))}`, null],
    [
      'base64url in a path',
      `https://x.test/p/${b64(json).replace(/\+/g, '-').replace(/\//g, '_')}`,
      null,
    ],
    ['double base64', 'https://x.test/c', b64(b64(json))],
    ['hex', 'https://x.test/c', `data=${hex(json)}`],
    ['reversed', 'https://x.test/c', `v=${reversed(card)}`],
    ['reversed with spaces', 'https://x.test/c', reversed('4111 1111 1111 1111')],
    ['reversed base64', 'https://x.test/c', `d=${reversed(b64(json))}`],
    [
      'JSON unicode escapes',
      'https://x.test/c',
      '{"n":"\\u0034\\u0031\\u0031\\u0031111111111111"}',
    ],
    ['char codes', 'https://x.test/c', [...card].map((c) => c.charCodeAt(0)).join(',')],
    ['base64 of JSON inside JSON', 'https://x.test/c', JSON.stringify({ payload: b64(json) })],
    ['one key byte XOR, base64', 'https://x.test/b', `v=${b64(xored(card, 0x5a))}`],
    ['one key byte XOR of JSON, hex', `https://x.test/p.webp?w=${hex(xored(json, 0x37))}`, null],
    ['one key byte XOR of JSON, base64', 'https://x.test/c', b64(xored(json, 0xa3))],
    [
      'four-byte key XOR, hex',
      `https://x.test/m.gif?id=${hex(keyed(`${card}|12/30|123`, 'kR7q'))}`,
      null,
    ],
    ['seven-byte key XOR of JSON, base64', 'https://x.test/c', b64(keyed(compact, 's3cr3t!'))],
    [
      'two-byte key XOR at an odd offset, hex',
      'https://x.test/c',
      hex(keyed(`x=${card};`, '\x91\x2c')),
    ],
  ]
  it.each(cases)('%s', (_, url, body) => {
    expect(matchExfil(url, body).carriesCard).toBe(true)
  })
})

describe('matchExfil finds personal values', () => {
  it.each([
    ['email', `e=${encodeURIComponent(TEST_VALUES.email)}`],
    ['name with +', 'n=Skim+Watch'],
    ['phone', 'p=%2B1%20555%20010%200123'],
    ['base64 name', b64('{"name":"Skim Watch"}')],
  ])('%s', (_, body) => {
    const m = matchExfil('https://x.test/c', body)
    expect(m.carriesPersonal).toBe(true)
    expect(m.carriesCard).toBe(false)
  })
})

describe('matchExfil stays quiet on clean traffic', () => {
  it.each([
    [
      'page view beacon',
      'https://analytics-stats.test/collect',
      '{"p":"/checkout/","r":"/cart/","w":1366}',
    ],
    ['other card number', 'https://x.test/c', 'n=5500 0000 0000 0004'],
    ['partial card', 'https://x.test/c', 'last4=1111&bin=411111'],
    ['random base64', `https://x.test/c?t=${b64('session=abcdef; theme=dark')}`, null],
    [
      'binary with repeating structure',
      'https://x.test/c',
      hex(Buffer.from([0x05, ...Array.from({ length: 40 }, (_, i) => [0, 7, 0x80, 0xff][i % 4]!)])),
    ],
    ['another card under a key', 'https://x.test/c', hex(keyed('5500000000000004', 'kR7q'))],
  ])('%s', (_, url, body) => {
    expect(matchExfil(url, body)).toEqual({ carriesCard: false, carriesPersonal: false })
  })
})

describe('decodedViews', () => {
  it('is bounded on hostile input', () => {
    const big = 'QUFB'.repeat(200_000)
    const started = Date.now()
    decodedViews(big)
    expect(Date.now() - started).toBeLessThan(2000)
  })
  it('ignores needles too short to mean anything', () => {
    expect(containsValue('123', '123')).toBe(false)
  })
})
