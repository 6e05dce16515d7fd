import { compile } from '@litko/yara-x'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { builtinSignatureInput } from '../../detector/signatures/builtin.ts'
import { yaraGate } from '../../detector/signatures/gate.ts'

// Each rule exercises one part of the reader; the property below holds for all of them: when
// the YARA engine finds a match, the gate said "maybe".
const RULES: Record<string, string> = {
  text: 'rule r { strings: $a = "new WebSocket(" condition: $a }',
  escapes: 'rule r { strings: $a = "say \\"hi\\"\\x21" condition: $a }',
  nocase: 'rule r { strings: $a = "CardNumber" nocase condition: $a }',
  wide: 'rule r { strings: $a = "card" wide ascii condition: $a }',
  fullword: 'rule r { strings: $a = "cvv" fullword condition: $a }',
  regex: 'rule r { strings: $a = /\\.send\\s*\\(\\s*btoa/ condition: $a }',
  regexOptional: 'rule r { strings: $a = /cards?x?_?num/ condition: $a }',
  regexRepeat: 'rule r { strings: $a = /ab+cd{2,3}e/ condition: $a }',
  regexGroup: 'rule r { strings: $a = /(card|cc)[-_]?num\\b/ condition: $a }',
  regexAlternation: 'rule r { strings: $a = /btoa|atob/ condition: $a }',
  regexFlags: 'rule r { strings: $a = /websocket/i condition: $a }',
  regexClass: 'rule r { strings: $a = /[\\]x]send[^)]{0,3}\\)/ condition: $a }',
  hex: 'rule r { strings: $a = { 63 61 72 64 ?? 6E [1-3] ( 75 | 55 ) 6D } condition: $a }',
  and: 'rule r { strings: $a = "card" $b = "send" condition: $a and $b }',
  or: 'rule r { strings: $a = "card" $b = "send" condition: $a or $b }',
  not: 'rule r { strings: $a = "card" condition: not $a }',
  notOr: 'rule r { strings: $a = "card" $b = "send" condition: not ($a or $b) and filesize > 0 }',
  anyOf: 'rule r { strings: $c1 = "card" $c2 = "cvv" $s = "send" condition: any of ($c*) and $s }',
  allOf: 'rule r { strings: $a = "card" $b = "send" condition: all of them }',
  noneOf: 'rule r { strings: $a = "card" $b = "send" condition: none of them }',
  nOf: 'rule r { strings: $a = "card" $b = "send" $c = "btoa" condition: 2 of them }',
  percentOf: 'rule r { strings: $a = "card" $b = "send" $c = "btoa" condition: 50% of them }',
  countZero: 'rule r { strings: $a = "card" condition: #a == 0 }',
  countMany: 'rule r { strings: $a = "card" condition: #a > 1 and filesize < 10KB }',
  noStrings: 'rule r { condition: filesize < 40 }',
  two: 'rule r { strings: $a = "card" condition: $a } rule s { strings: $b = "send" condition: $b }',
  comments:
    '/* rule x { condition: true } */ rule r { // "$a" = 1\n strings: $a = "ca//rd" condition: $a }',
}

const FRAGMENTS = [
  'card',
  'CARD',
  'Card',
  'cards',
  'cc',
  'cc_',
  'num',
  'Number',
  'cvv',
  ' cvv ',
  'send',
  '.send(',
  '.send( btoa',
  'btoa',
  'atob',
  'new WebSocket(',
  'websocket',
  'say "hi"!',
  'ab',
  'bbb',
  'cdd',
  'cddd',
  'e',
  'x',
  '_',
  '-',
  ']',
  ')',
  ' ',
  '\n',
  'é',
  '\u0000',
  'c\u0000a\u0000r\u0000d\u0000',
  'cardxnum',
  'cardxnUm',
  'ca//rd',
  'CardNumber',
  'CARDNUMBER',
]

const text = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 12 }).map((xs) => xs.join(''))

describe('the YARA gate', () => {
  for (const [name, source] of Object.entries(RULES)) {
    it(`never says "no" where the engine matches: ${name}`, () => {
      const gate = yaraGate(source)
      expect(gate, 'every rule here is one the gate reads').toBeDefined()
      const engine = compile(source)
      fc.assert(
        fc.property(text, (t) => {
          const matched = engine.scan(Buffer.from(t, 'utf8')).length > 0
          return !matched || gate?.mayMatch(t) === true
        }),
        { numRuns: 400 },
      )
    })
  }

  it('says "no" where a rule cannot match, so the engine need not start', () => {
    const no = (source: string, t: string): boolean => yaraGate(source)?.mayMatch(t) === false
    expect(no(RULES.text ?? '', 'var a = 1')).toBe(true)
    expect(no(RULES.nocase ?? '', 'CARDNUMBER')).toBe(false)
    expect(no(RULES.and ?? '', 'card only')).toBe(true)
    expect(no(RULES.or ?? '', 'card only')).toBe(false)
    expect(no(RULES.not ?? '', 'nothing')).toBe(false)
    expect(no(RULES.noneOf ?? '', 'nothing')).toBe(false)
    expect(no(RULES.nOf ?? '', 'card only')).toBe(true)
    expect(no(RULES.countMany ?? '', 'no such word')).toBe(true)
    expect(no(RULES.regexAlternation ?? '', 'atob')).toBe(false)
    expect(no(RULES.hex ?? '', 'car')).toBe(true)
  })

  it('reads every shipped rule file, and a one-line script starts no engine', () => {
    for (const file of builtinSignatureInput().yara) {
      const gate = yaraGate(file.source)
      expect(gate, file.name).toBeDefined()
      expect(gate?.mayMatch('document.title = "hello"\n'), file.name).toBe(false)
    }
  })

  it('leaves to the engine what it cannot read', () => {
    for (const source of [
      'import "pe"\nrule r { condition: pe.is_dll() }',
      'rule r { strings: $a = "x" condition: for any i in (1..#a): (@a[i] > 10) }',
      'rule q { condition: true } rule r { condition: q }',
      'rule r { strings: $a = "x" condition: $a at 0 }',
      'rule r { strings: $a = "x" xor condition: $a }',
    ]) {
      const gate = yaraGate(source)
      expect(gate === undefined || gate.mayMatch('') === true, source).toBe(true)
    }
  })
})
