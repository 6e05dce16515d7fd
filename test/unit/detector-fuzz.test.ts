import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { ScriptVerdict } from '../../core/types.ts'
import { ANALYSIS_ERROR, analyzeScript, type DocumentContext } from '../../detector/index.ts'
import { verdictOf } from '../../detector/score.ts'
import { JQUERY_MIN, loadSamples } from '../../fixtures/samples/load.ts'

// Whatever text arrives, every rule runs over it through the public path and a verdict comes out.
// detector-property.test.ts checks that dressing a skimmer keeps it caught; this checks survival.

/** One analysis may take this long on a loaded 2-core machine; longer counts as a hang. */
const PER_RUN_MS = 15_000
const TEST_MS = 240_000

const samples = loadSamples().map((s) => s.source)
const jquery = readFileSync(JQUERY_MIN, 'utf8')
const jqueryFull = readFileSync(JQUERY_MIN.replace(/\.min\.js$/, '.js'), 'utf8')
const htmlDir = join(import.meta.dirname, '../../fixtures/analyze-mix')
const pages = readdirSync(htmlDir)
  .filter((f) => f.endsWith('.html'))
  .map((f) => readFileSync(join(htmlDir, f), 'utf8'))
const corpus = [...samples, jquery, jqueryFull, ...pages]

function sane(input: string, ctx: DocumentContext = {}): ScriptVerdict {
  const started = performance.now()
  const v = analyzeScript(input, ctx)
  const took = performance.now() - started
  expect(took, `analysis of ${input.length} chars took ${Math.round(took)} ms`).toBeLessThan(
    PER_RUN_MS,
  )
  expect(['clean', 'suspicious', 'malicious']).toContain(v.verdict)
  expect(Number.isFinite(v.score)).toBe(true)
  expect(v.score).toBeGreaterThanOrEqual(0)
  expect(v.score).toBeLessThanOrEqual(100)
  expect(v.verdict).toBe(verdictOf(v.score))
  expect(v.sha256).toMatch(/^[0-9a-f]{64}$/)
  for (const f of v.findings) {
    expect(Number.isInteger(f.line) && f.line >= 1, `${f.rule} line ${f.line}`).toBe(true)
    expect(Number.isInteger(f.column) && f.column >= 0, `${f.rule} column ${f.column}`).toBe(true)
    expect(f.points).toBeGreaterThanOrEqual(0)
  }
  // a step that threw is contained: a finding without points that names the step
  for (const f of v.findings.filter((x) => x.rule === ANALYSIS_ERROR)) {
    expect(f.points).toBe(0)
    expect(f.message).toMatch(
      /^(rule [\w-]+|parse|collect|sinks|YARA signatures.*|HTML parsing|analysis|input check|allowlist) failed: /,
    )
  }
  return v
}

// ---- generators ----

const TOKENS = [
  'var',
  'let',
  'const',
  'function',
  'return',
  'if',
  'else',
  'for',
  'while',
  'new',
  'this',
  'typeof',
  'in',
  'of',
  'class',
  'extends',
  'async',
  'await',
  'yield',
  'try',
  'catch',
  'throw',
  'switch',
  'case',
  'default',
  'break',
  'delete',
  'void',
  'import',
  'export',
  '=>',
  '...',
  '(',
  ')',
  '{',
  '}',
  '[',
  ']',
  ';',
  ',',
  '.',
  '?.',
  '?',
  ':',
  '=',
  '==',
  '===',
  '+',
  '-',
  '*',
  '/',
  '%',
  '**',
  '!',
  '~',
  '&&',
  '||',
  '??',
  '<',
  '>',
  '<<',
  '>>>',
  '++',
  '--',
  '+=',
  '`',
  '${',
  "'",
  '"',
  '/*',
  '*/',
  '//',
  '\n',
  ' ',
  '\\u0061',
  '\\x41',
  '#x',
  '@',
  '<!--',
  '-->',
  'a',
  'b',
  '_0x1f2e',
  '$',
  'window',
  'document',
  'location',
  'navigator',
  'atob',
  'btoa',
  'eval',
  'Function',
  'setTimeout',
  'String.fromCharCode',
  'unescape',
  'escape',
  'JSON',
  'stringify',
  'fetch',
  'XMLHttpRequest',
  'open',
  'send',
  'sendBeacon',
  'WebSocket',
  'Image',
  'src',
  'value',
  'querySelector',
  'querySelectorAll',
  'getElementById',
  'addEventListener',
  'forms',
  'elements',
  'cookie',
  'localStorage',
  'innerHTML',
  'createElement',
  'appendChild',
  '"input[name*=card]"',
  "'cc-number'",
  '"https://x.test/c.gif?d="',
  "'//1.2.3.4/p'",
  "'ZXZhbCgxKQ=='",
  '0x1f',
  '1e308',
  '-0',
  'NaN',
  '/[a-z]+/gi',
  '`t${x}t`',
  'null',
  'undefined',
  'true',
  'false',
  '"checkout"',
  "'onepage'",
  'debugger',
  'outerWidth',
  'innerWidth',
]

const tokenSoup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 300 }).chain((tokens) =>
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

const spliced = fc
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

const deep = fc
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

const huge = fc
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

const bytes = fc
  .tuple(fc.uint8Array({ maxLength: 4000 }), fc.option(slice, { nil: undefined }))
  .map(([b, js]) => {
    const junk = Buffer.from(b).toString('utf8')
    return js === undefined ? junk : `${js}\n${junk}\n${js}`
  })

const unicodeText = fc
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

const htmlPage = fc
  .tuple(
    fc.constantFrom('', '<!doctype html>', '\uFEFF<!-- x -->\n<html>', '<html><body>'),
    fc.array(htmlNode, { maxLength: 12 }),
  )
  .map(([head, nodes]) => `${head}${nodes.join('\n')}`)

const RUNS = { numRuns: 0 }
function runs(n: number): { numRuns: number } {
  RUNS.numRuns += n
  return { numRuns: n }
}

describe('no input escapes the detector without a sane verdict', { timeout: TEST_MS }, () => {
  it('random token soup', () => {
    fc.assert(
      fc.property(tokenSoup, (s) => void sane(s)),
      runs(600),
    )
  })

  it('spliced and mutated skimmer, benign and library code', () => {
    fc.assert(
      fc.property(spliced, (s) => void sane(s)),
      runs(800),
    )
  })

  it('deeply nested expressions', () => {
    fc.assert(
      fc.property(deep, (s) => void sane(s)),
      runs(150),
    )
  })

  it('huge literals', () => {
    fc.assert(
      fc.property(huge, (s) => void sane(s)),
      runs(80),
    )
  })

  it('invalid UTF-8 and any code point (lone surrogates included) turned into strings', () => {
    fc.assert(
      fc.property(fc.oneof(bytes, unicodeText), (s) => void sane(s)),
      runs(400),
    )
  })

  it('random HTML with scripts, handlers and javascript: URLs, read by content or as a .html file', () => {
    fc.assert(
      fc.property(
        htmlPage,
        fc.boolean(),
        (page, named) => void sane(page, named ? { html: true } : {}),
      ),
      runs(1000),
    )
  })

  it('ran thousands of inputs', () => {
    expect(RUNS.numRuns).toBeGreaterThanOrEqual(3000)
  })
})
