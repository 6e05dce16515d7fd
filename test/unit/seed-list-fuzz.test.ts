// Whatever an operator or a web form sends as a domain list, `seed` reports each bad line by its
// number and keeps every good one normalised; nothing crashes it.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_ECHO, parseSeedList } from '../../cli/seed-list.ts'
import { fuzzRuns } from '../helpers/fuzz.ts'

const HOST =
  /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$|^[\d.]+$|^\[[0-9a-f:.]+\]$/
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/

// hyphens in the third and fourth places are reserved (RFC 5891): `xn--` labels must be
// valid punycode, so such a label is not a plain good one
const label = fc
  .stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,20}[a-z0-9])?$/)
  .filter((l) => l.slice(2, 4) !== '--')
const goodDomain = fc
  .tuple(
    fc.array(label, { minLength: 1, maxLength: 3 }),
    fc.constantFrom('example', 'test', 'shop'),
  )
  .map(([ls, tld]) => [...ls, tld].join('.'))

/** Lines made to be wrong in the ways lists go wrong. */
const badLine = fc.oneof(
  fc
    .string({ minLength: 64, maxLength: 80, unit: fc.constantFrom('a', 'b') })
    .map((l) => `${l}.example`),
  goodDomain.map((d) => `${d}\u0000x`),
  goodDomain.map((d) => `${d} ${d}`),
  goodDomain.map((d) => `ftp://${d}/`),
  goodDomain.map((d) => `https://user:pw@${d}/`),
  goodDomain.map((d) => `-${d}`),
  fc.constantFrom('999.1.1.1', 'http://', '..', 'a..b.example', '\u001b[31mred.example'),
)

/** Any text at all, as one line (line breaks taken out so line numbers stay known). */
const anyLine = fc
  .string({
    unit: fc.oneof(
      fc.constant('\u0000'),
      fc.constantFrom('é', 'ß', '中', '\u{1F600}', '.', '-', ':', '/', '@', '%'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    ),
  })
  .map((s) => s.replace(/[\r\n#]/g, ''))

const idn = fc.constantFrom(
  'bücher.example',
  'ΣHOP.example',
  'магазин.test',
  'xn--bcher-kva.example',
)

function checkShape(text: string) {
  const { entries, errors } = parseSeedList(text)
  for (const e of entries) {
    expect(e.domain).toMatch(HOST)
    expect(e.url).not.toMatch(/[\s\u0000-\u001f]/)
    expect(new URL(e.url).hostname).toBe(e.domain)
  }
  for (const e of errors) {
    expect(e.text.length).toBeLessThanOrEqual(MAX_ECHO)
    expect(e.text).not.toMatch(CONTROL)
    expect(e.reason).not.toMatch(CONTROL)
    expect(e.reason.length).toBeLessThan(MAX_ECHO + 80)
  }
  return { entries, errors }
}

describe('seed list fuzzing', () => {
  it('reports every bad line by its number and keeps every good one, in any mix', () => {
    const item = fc.oneof(
      goodDomain.map((text) => ({ good: true, text })),
      badLine.map((text) => ({ good: false, text })),
    )
    fc.assert(
      fc.property(
        fc.array(item, { maxLength: 30 }),
        fc.constantFrom('\n', '\r\n'),
        (items, eol) => {
          const { entries, errors } = checkShape(items.map((i) => i.text).join(eol))
          const badAt = items.flatMap((i, n) => (i.good ? [] : [n + 1]))
          expect(errors.map((e) => e.line)).toEqual(badAt)
          const good = new Set(items.filter((i) => i.good).map((i) => i.text))
          expect(new Set(entries.map((e) => e.domain))).toEqual(good)
        },
      ),
      fuzzRuns(500),
    )
  })

  it('never crashes on any text, and every line is either kept or reported', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(anyLine, idn, goodDomain), { maxLength: 20 }), (lines) => {
        const { entries, errors } = checkShape(lines.join('\n'))
        const nonEmpty = lines.filter((l) => l.trim() !== '').length
        expect(errors.length).toBeLessThanOrEqual(nonEmpty)
        expect(errors.length + entries.length).toBeLessThanOrEqual(nonEmpty)
        for (const e of errors) expect(lines[e.line - 1]?.trim()).not.toBe('')
      }),
      fuzzRuns(1000),
    )
  })

  it('normalises international names to their ASCII form', () => {
    const { entries, errors } = checkShape('bücher.example\nMAGAZIN.test\n')
    expect(errors).toEqual([])
    expect(entries.map((e) => e.domain)).toEqual(['xn--bcher-kva.example', 'magazin.test'])
  })

  it('reports a 1 MB line briefly, by its number, and keeps the next one', () => {
    const huge = 'a'.repeat(1024 * 1024)
    const { entries, errors } = checkShape(`${huge}.example\n${huge}\u0000\nshop.example`)
    expect(errors.map((e) => e.line)).toEqual([1, 2])
    expect(entries.map((e) => e.domain)).toEqual(['shop.example'])
  })
})
