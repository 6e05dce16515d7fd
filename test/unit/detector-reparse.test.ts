import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseStrict } from '../../detector/parse.ts'
import { resolveEdits } from '../../detector/deobfuscate/partial.ts'
import { reparseEdited } from '../../detector/deobfuscate/reparse.ts'
import { splice, type Edit } from '../../detector/deobfuscate/splice.ts'

// The tree built from the old one and the edited statements must be the tree a whole parse of
// the edited text gives, node for node, offsets included; where it cannot be, it declines.
// (a BigInt literal's value is written as its digits: JSON has no BigInt)
const plain = (n: unknown): unknown =>
  JSON.parse(JSON.stringify(n, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)))

function compare(source: string, edits: Edit[]): 'same' | 'declined' {
  const spliced = splice(source, edits)
  const whole = parseStrict(spliced.text)
  const built = reparseEdited(parseStrict(source)!, source, spliced.kept, spliced.text)
  if (!built) return 'declined'
  expect(plain(built)).toEqual(plain(whole))
  return 'same'
}

const dir = (d: string): string[] =>
  readdirSync(d)
    .filter((f) => f.endsWith('.js'))
    .map((f) => join(d, f))

describe('rebuilding the tree after edits', () => {
  it('agrees with a whole parse on every fixture sample the evaluator rewrites', () => {
    const files = [
      ...dir('fixtures/samples/malicious'),
      ...dir('fixtures/samples/benign'),
      ...dir('fixtures/blind/malicious'),
      ...dir('fixtures/blind/benign'),
    ]
    const tally = { same: 0, declined: 0 }
    for (const file of files) {
      const source = readFileSync(file, 'utf8')
      const ast = parseStrict(source)
      if (!ast) continue
      let edits: Edit[]
      try {
        edits = resolveEdits(ast, source)
      } catch (err) {
        // nesting deeper than the stack allows is the analysis budget (the pipeline says so)
        if (err instanceof RangeError) {
          tally.declined++
          continue
        }
        throw err
      }
      if (edits.length > 0) tally[compare(source, edits)]++
    }
    // most rewrites are rebuilt; declining is allowed, disagreeing never
    expect(tally.same).toBeGreaterThan(20)
    expect(tally.same).toBeGreaterThan(tally.declined * 4)
  })

  const cases: { name: string; source: string; edit: (s: string) => Edit[]; expect: string }[] = [
    {
      name: 'a statement ended by a line break, followed by a branch turned into `;`',
      source: 'function f(m,t){let e=m.items[t]\nif(!e)return 1\nreturn e}',
      edit: (s) => [{ start: s.indexOf('if('), end: s.indexOf('\nreturn e'), text: ';' }],
      expect: 'same',
    },
    {
      name: 'a call replaced inside a derived class constructor',
      source: 'class A extends B{constructor(e){super(e),this.k=d(3)}}',
      edit: (s) => [{ start: s.indexOf('d(3)'), end: s.indexOf('d(3)') + 4, text: '"key"' }],
      expect: 'same',
    },
    {
      name: 'an edit inside a labelled loop that breaks out by label',
      source: 'out:for(;;){for(;;){if(g(1))break out;x=y(2)}}',
      edit: (s) => [{ start: s.indexOf('y(2)'), end: s.indexOf('y(2)') + 4, text: '"v"' }],
      expect: 'same',
    },
    {
      name: 'an await in an async arrow and a yield in a generator',
      source: 'const a=async()=>{await h(c(1))};function*g(){yield c(2)}',
      edit: (s) => [
        { start: s.indexOf('c(1)'), end: s.indexOf('c(1)') + 4, text: '"one"' },
        { start: s.indexOf('c(2)'), end: s.indexOf('c(2)') + 4, text: '"two"' },
      ],
      expect: 'same',
    },
    {
      name: 'export specifiers holding one node under two names',
      source: 'const k=c(1);\nexport { k };\nexport const z=c(2)',
      edit: (s) => [{ start: s.indexOf('c(2)'), end: s.indexOf('c(2)') + 4, text: '"two"' }],
      expect: 'same',
    },
    {
      name: 'a branch opened in one statement and closed at its end',
      source: 'function f(){if(k)throw new Error("x");return 2}',
      edit: (s) => [
        { start: s.indexOf('if(k)'), end: s.indexOf('throw'), text: '{' },
        { start: s.indexOf(';return'), end: s.indexOf(';return'), text: '}' },
      ],
      expect: 'same',
    },
    {
      name: 'an edit that would turn a statement into a directive',
      source: 'function f(){d(1);return 2}',
      edit: (s) => [{ start: s.indexOf('d(1)'), end: s.indexOf('d(1)') + 4, text: '"use strict"' }],
      expect: 'declined',
    },
    {
      name: 'an edit spanning two statements',
      source: 'a();b();c()',
      edit: () => [{ start: 1, end: 6, text: '' }],
      expect: 'declined',
    },
  ]
  for (const c of cases)
    it(c.name, () => {
      expect(compare(c.source, c.edit(c.source))).toBe(c.expect)
    })
})
