import type { Node } from 'acorn'
import { describe, expect, it } from 'vitest'
import { parseStrict } from '../../detector/parse.ts'
import { resolveStatically } from '../../detector/deobfuscate/partial.ts'
import { analyzeScript } from '../../detector/index.ts'

// Strings kept behind getters of an object literal (`get h() { return dec([…]) }`): the
// evaluator runs a getter where its member is read, and a handful of getters that only decode
// constants is a string table, worth a closer look.

const rewrite = (source: string): string | undefined =>
  resolveStatically(parseStrict(source) as Node, source)?.source

const DEC = `var dec = function (a) { return Array.from(a, function (n, i) { return String.fromCharCode(n - i) }).join('') };`
const codes = (s: string): string => [...s].map((c, i) => c.charCodeAt(0) + i).join(',')

describe('getters of an object literal', () => {
  it('reads a getter where its member is read, by name or computed', () => {
    const out = rewrite(
      `${DEC} var T = { get h() { return dec([${codes('https://a.example')}]) }, get k() { return dec([${codes('fetch')}]) } };
       window[T.k](T.h)`,
    )
    expect(out).toContain('window.fetch("https://a.example")')
  })

  it('Array.from copies, spreads a string and fills { length }, mapping with the index', () => {
    const out =
      rewrite(`var a = Array.from('abc').join('-'); var b = Array.from({ length: 3 }, function (_, i) { return i * 2 }).join('');
      var c = Array.from([1, 2], function (n) { return n + 1 }).join('')`)
    expect(out).toContain('var a = "a-b-c"')
    expect(out).toContain('var b = "024"')
    expect(out).toContain('var c = "23"')
  })

  it('a handful of decoding getters is a reason to look closer; accessors of state are not', () => {
    const table = (n: number): string =>
      `${DEC} var T = { ${Array.from({ length: n }, (_, i) => `get g${i}() { return dec([${codes(`name${i}`)}]) }`).join(', ')} };`
    const reason = 'obfuscated strings static analysis could not read'
    expect(analyzeScript(table(3)).triage ?? []).toContain(reason)
    expect(analyzeScript(table(2)).triage ?? []).not.toContain(reason)
    const state = `var s = { _a: 1, get a() { return this._a }, get b() { return fmt(this._a) }, get c() { return fmt('x', this) } }`
    expect(analyzeScript(state).triage ?? []).not.toContain(reason)
  })
})
