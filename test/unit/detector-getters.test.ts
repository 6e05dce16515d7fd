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

describe('getters, as the browser reads them', () => {
  it('a later property of the same name, or a spread, replaces the getter', () => {
    const out = rewrite(
      `${DEC} var T = { get u() { return dec([${codes('https://a.example')}]) }, u: 'https://b.example' }; window['fe' + 'tch'](T.u)`,
    )
    expect(out).toContain('window.fetch(T.u)')
    const spread = rewrite(
      `${DEC} var T = { get u() { return dec([${codes('https://a.example')}]) }, ...other }; window['fe' + 'tch'](T.u)`,
    )
    expect(spread).toContain('window.fetch(T.u)')
  })

  it('a number a getter returns is not written where a member is read next', () => {
    const out = rewrite(
      `${DEC} var T = { get n() { return 5 }, get k() { return dec([${codes('fetch')}]) } }; T.n.toFixed(2); window[T.k]('/x')`,
    )
    expect(out).toContain('window.fetch')
    expect(out).not.toContain('5.toFixed')
  })

  it('Array.from hands the mapper the item and its index only, and stops at the array budget', () => {
    const out = rewrite(
      `var a = Array.from([1, 2], function (v, i, k) { return k === undefined ? 'A' : 'B' }).join('');
       var n = Array.from('x'.repeat(200000)).length + ''`,
    )
    expect(out).toContain('var a = "AA"')
    expect(out ?? '').not.toContain('"200000"')
  })

  it("a pattern's source is the browser's: slashes escaped", () => {
    const out = rewrite(`var s = new RegExp('a/b').source + /x/gi.flags; fetch(s)`)
    expect(out).toContain(String.raw`var s = "a\\/bgi"`)
  })

  it('translation getters are no string table', () => {
    const i18n = `var L = { get save() { return __('Save') }, get cancel() { return __('Cancel') }, get title() { return t('cart.title') }, get pay() { return t('checkout.pay_now') } }`
    expect(analyzeScript(i18n).triage ?? []).not.toContain(
      'obfuscated strings static analysis could not read',
    )
  })
})
