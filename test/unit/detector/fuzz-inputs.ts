// Inputs for the detector's property tests: token soup, real code spliced and mutated,
// deep nesting, huge literals, invalid UTF-8, random HTML with scripts and handlers.
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { JQUERY_MIN, loadSamples } from '../../../fixtures/samples/load.ts'

const samples = loadSamples().map((s) => s.source)
const jquery = readFileSync(JQUERY_MIN, 'utf8')
const jqueryFull = readFileSync(JQUERY_MIN.replace(/\.min\.js$/, '.js'), 'utf8')
const htmlDir = join(import.meta.dirname, '../../../fixtures/analyze-mix')
const pages = readdirSync(htmlDir)
  .filter((f) => f.endsWith('.html'))
  .map((f) => readFileSync(join(htmlDir, f), 'utf8'))
const corpus = [...samples, jquery, jqueryFull, ...pages]

// JavaScript tokens, skimmer vocabulary included; whitespace tokens are added below.
const WORDS = `var let const function return if else for while new this typeof in of class extends
  async await yield try catch throw switch case default break delete void import export => ...
  ( ) { } [ ] ; , . ?. ? : = == === + - * / % ** ! ~ && || ?? < > << >>> ++ -- += \` \${ ' "
  /* */ // \\u0061 \\x41 #x @ <!-- --> a b _0x1f2e $ window document location navigator atob
  btoa eval Function setTimeout String.fromCharCode unescape escape JSON stringify fetch
  XMLHttpRequest open send sendBeacon WebSocket Image src value querySelector querySelectorAll
  getElementById addEventListener forms elements cookie localStorage innerHTML createElement
  appendChild "input[name*=card]" 'cc-number' "https://x.test/c.gif?d=" '//1.2.3.4/p'
  'ZXZhbCgxKQ==' 0x1f 1e308 -0 NaN /[a-z]+/gi \`t\${x}t\` null undefined true false "checkout"
  'onepage' debugger outerWidth innerWidth`
export const TOKENS = [...WORDS.trim().split(/\s+/), ' ', '\n']

export const tokenSoup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 300 }).chain((tokens) =>
  fc
    .array(fc.constantFrom(' ', '', '\n', '\t'), {
      minLength: tokens.length,
      maxLength: tokens.length,
    })
    .map((gaps) => tokens.map((t, i) => `${t}${gaps[i] ?? ''}`).join('')),
)

const slice = fc
  .tuple(fc.constantFrom(...corpus), fc.nat(), fc.integer({ min: 0, max: 6000 }))
  .map(([text, start, len]) => {
    const from = text.length === 0 ? 0 : start % text.length
    return text.slice(from, from + len)
  })

type Mutation =
  | { op: 'delete'; at: number; len: number }
  | { op: 'insert'; at: number; text: string }
  | { op: 'duplicate'; at: number; len: number }
  | { op: 'swap'; a: number; b: number; len: number }
  | { op: 'truncate'; at: number }

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), len: fc.nat(200) }),
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(
      fc.constantFrom(...TOKENS),
      slice.map((s) => s.slice(0, 400)),
    ),
  }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat(), len: fc.nat(400) }),
  fc.record({ op: fc.constant('swap' as const), a: fc.nat(), b: fc.nat(), len: fc.nat(300) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
)

function mutate(text: string, m: Mutation): string {
  const n = Math.max(text.length, 1)
  switch (m.op) {
    case 'delete':
      return text.slice(0, m.at % n) + text.slice((m.at % n) + m.len)
    case 'insert':
      return text.slice(0, m.at % n) + m.text + text.slice(m.at % n)
    case 'duplicate': {
      const part = text.slice(m.at % n, (m.at % n) + m.len)
      return text.slice(0, m.at % n) + part + part + text.slice(m.at % n)
    }
    case 'swap': {
      const [a, b] = [m.a % n, m.b % n].sort((x, y) => x - y) as [number, number]
      if (b - a < m.len) return text
      const first = text.slice(a, a + m.len)
      const second = text.slice(b, b + m.len)
      return text.slice(0, a) + second + text.slice(a + m.len, b) + first + text.slice(b + m.len)
    }
    case 'truncate':
      return text.slice(0, m.at % n)
  }
}

export const spliced = fc
  .tuple(fc.array(slice, { minLength: 1, maxLength: 4 }), fc.array(mutation, { maxLength: 8 }))
  .map(([parts, mutations]) => mutations.reduce(mutate, parts.join('\n')))

const OPENERS: [string, string][] = [
  ['(', ')'],
  ['[', ']'],
  ['{a:', '}'],
  ['function(){', '}'],
  ['()=>{', '}'],
  ['atob(', ')'],
  ['eval(', ')'],
  ['f(', ')'],
  ['!', ''],
  ['-', ''],
  ['1+(', ')'],
  ['x?', ':0'],
  ['if(a){', '}'],
  ['`${', '}`'],
  ['new ', '()'],
]

export const deep = fc
  .tuple(
    fc.array(fc.constantFrom(...OPENERS), { minLength: 1, maxLength: 8 }),
    fc.integer({ min: 50, max: 3000 }),
    fc.constantFrom("'YQ=='", 'x', '1', 'document.cookie', 'a.value'),
  )
  .map(([cycle, depth, core]) => {
    let open = 'x='
    let close = ''
    for (let i = 0; i < depth; i++) {
      const [o, c] = cycle[i % cycle.length] ?? ['(', ')']
      open += o
      close = c + close
    }
    return open + core + close
  })

export const huge = fc
  .tuple(
    fc.constantFrom(
      (n: number) => `var s = '${'A'.repeat(n)}'`,
      (n: number) =>
        `var s = "${Buffer.from(jquery.slice(0, n)).toString('base64')}"; eval(atob(s))`,
      (n: number) => `var n = ${'9'.repeat(n)}`,
      (n: number) => `var r = /${'a|'.repeat(n / 2)}b/`,
      (n: number) => `var t = \`${'x${a}'.repeat(n / 5)}\``,
      (n: number) => `var ${'v'.repeat(n)} = 1`,
      (n: number) => `var a = [${'1,'.repeat(n / 2)}]`,
      (n: number) => `var s = '${'\\x41'.repeat(n / 4)}'`,
      (n: number) => `document.write(unescape('${'%3C'.repeat(n / 3)}'))`,
      (n: number) => `x = ${"'ab' + ".repeat(n / 7)}'c'`,
    ),
    fc.integer({ min: 1000, max: 300_000 }),
  )
  .map(([make, n]) => make(n))

export const bytes = fc
  .tuple(fc.uint8Array({ maxLength: 4000 }), fc.option(slice, { nil: undefined }))
  .map(([b, js]) => {
    const junk = Buffer.from(b).toString('utf8')
    return js === undefined ? junk : `${js}\n${junk}\n${js}`
  })

export const unicodeText = fc
  .tuple(fc.string({ unit: 'binary', maxLength: 500 }), slice)
  .map(([u, js]) => `var s = '${u.replace(/['\\\n\r\u2028\u2029]/g, '')}';\n${js}\n// ${u}`)

const jsSnippet = fc.oneof(
  slice.map((s) => s.slice(0, 1500)),
  tokenSoup,
)
const attrValue = jsSnippet.map((s) => s.replace(/"/g, '&quot;'))
const tagName = fc.constantFrom(
  'div',
  'a',
  'form',
  'button',
  'img',
  'p',
  'span',
  'iframe',
  'svg',
  'table',
  'noscript',
  'template',
  'textarea',
  'b',
)

const htmlNode: fc.Arbitrary<string> = fc.letrec<{ node: string }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string({ maxLength: 40 }).map((t) => t.replace(/</g, '&lt;')),
    jsSnippet.map((s) => `<script>${s.replace(/<\/script/gi, '')}</script>`),
    fc
      .tuple(
        fc.constantFrom(
          '',
          'module',
          'text/javascript',
          'text/template',
          'application/ld+json',
          'text/x-magento-init',
        ),
        jsSnippet,
      )
      .map(([type, s]) => `<script type="${type}">${s.replace(/<\/script/gi, '')}</script>`),
    fc.webUrl().map((u) => `<script src="${u}"></script>`),
    fc
      .tuple(
        tagName,
        fc.constantFrom('onclick', 'onload', 'onerror', 'onsubmit', 'onmouseover', 'ONFOCUS'),
        attrValue,
        tie('node'),
      )
      .map(([t, on, v, inner]) => `<${t} ${on}="${v}">${inner}</${t}>`),
    fc
      .tuple(fc.constantFrom('href', 'src', 'action', 'formaction'), jsSnippet)
      .map(([a, s]) => `<a ${a}="javascript:${encodeURIComponent(s)}">x</a>`),
    fc
      .tuple(tagName, fc.array(tie('node'), { maxLength: 4 }))
      .map(([t, kids]) => `<${t}>${kids.join('')}</${t}>`),
    fc.constantFrom(
      '<!-- c -->',
      '<![CDATA[ x ]]>',
      '<br>',
      '</div>',
      '<div',
      '<a href=',
      '&amp;&#x41;&bogus;',
      '<?xml version="1.0"?>',
      '<!doctype html>',
    ),
  ),
})).node

export const htmlPage = fc
  .tuple(
    fc.constantFrom('', '<!doctype html>', '\uFEFF<!-- x -->\n<html>', '<html><body>'),
    fc.array(htmlNode, { maxLength: 12 }),
  )
  .map(([head, nodes]) => `${head}${nodes.join('\n')}`)
