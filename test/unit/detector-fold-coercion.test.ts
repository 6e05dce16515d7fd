import { describe, expect, it } from 'vitest'
import type { Node } from 'acorn'
import { parseStrict } from '../../detector/parse.ts'
import { createFolder } from '../../detector/deobfuscate/fold.ts'
import { resolveStatically } from '../../detector/deobfuscate/partial.ts'
import { factsOf } from './detector/facts-of.ts'

// JavaScript's own conversions on the values the folder and the evaluator know: JSFuck-style
// spellings (`![]+[]`, `[][[]]`, `+!![]`) fold to the strings and numbers an engine gives.
const CASES: [string, string | number | undefined][] = [
  ['[]+""', ''],
  ['![]+""', 'false'],
  ['!![]+""', 'true'],
  ['[][[]]+""', 'undefined'],
  ['({})+""', '[object Object]'],
  ['[![]]+[][[]]', 'falseundefined'],
  ['+[]', 0],
  ['+!![]', 1],
  ['!![]+!![]', 2],
  ['[+!![]]+[+[]]', '10'],
  ['(![]+[])[+[]]', 'f'],
  ['([![]]+[][[]])[+!![]+[+[]]]', 'i'],
  ['(!0+[])[-~[]]', 'r'],
  ['"abc"["1"]', 'b'],
  ['[1,[2,3]]+""', '1,2,3'],
  ['void 0+""', 'undefined'],
  ['null+[]', 'null'],
  ['"5"*2', 10],
  ['"ab"[7]+""', 'undefined'],
  ['""["sub"]+""', undefined], // a method's text is not known
  ['({toString:f})+""', undefined], // its own toString would run
  ['({[k]:1})+""', undefined], // a computed key could be Symbol.toPrimitive
  ['[].map+""', undefined],
  // an assignment's value is what it assigns: minifiers name a value where it is first read
  ['(t=![]+[])[1]', 'a'],
  ['(t+=[])[0]', undefined],
]

function fold(expr: string): unknown {
  const ast = parseStrict(expr) as Node & { body: { expression: Node }[] }
  const first = ast.body[0]
  if (!first) throw new Error('no expression')
  return createFolder({ get: () => undefined }).fold(first.expression)
}

describe('JSFuck-style coercions', () => {
  for (const [expr, want] of CASES) it(`folds ${expr}`, () => expect(fold(expr)).toBe(want))

  it('follows names that hold coerced values', () => {
    const src = `var e = [], s = e + "", t = !e + s, o = {} + s
      var name = t[0] + o[1] + o[2] + t[1]
      window[name] = 1`
    expect(factsOf(src).strings.map((s) => s.value)).toContain('foba')
  })

  it('builds property names in the evaluator the same way', () => {
    const src = `var _ = {}, a = [][[]] + '', b = !!_ + '', n = a[0] + a[1] + b[1]; fetch(window[n + 'x'])`
    const out = resolveStatically(parseStrict(src) as Node, src)?.source ?? src
    expect(out).toContain('window.unrx')
  })

  it('reads an absent property of a string or array as undefined, a present one as unknown', () => {
    const src = `var a = [], t = 'x'; fetch(a.nope + '|' + t.nope + '|' + a.length + '|' + a.map)`
    const out = resolveStatically(parseStrict(src) as Node, src)?.source ?? src
    expect(out).toContain('"undefined|undefined|0|" + a.map')
  })
})
