// Splits an HTML document into the code a browser would compile from it: pure, no I/O.
import { createRequire } from 'node:module'
import type { AnyNode, Element } from 'domhandler'
import type * as Htmlparser2 from 'htmlparser2'

type ParseDocument = typeof Htmlparser2.parseDocument
let parser: ParseDocument | undefined

// The parser is loaded on the first HTML input: most runs judge only scripts, and its entity
// tables cost every start of the CLI a few milliseconds when loaded up front.
function parseDocument(...args: Parameters<ParseDocument>): ReturnType<ParseDocument> {
  parser ??= (createRequire(import.meta.url)('htmlparser2') as typeof Htmlparser2).parseDocument
  return parser(...args)
}

/** One piece of code found in the markup, with where its first character sits in the file. */
export interface HtmlPart {
  kind: 'script' | 'handler' | 'url'
  /** how a reader finds it: `inline <script>`, `onclick handler`, `javascript: URL in href` */
  label: string
  source: string
  /** 1-based line and 0-based column (UTF-16 units) of the code's first character */
  line: number
  column: number
}

export interface HtmlSplit {
  parts: HtmlPart[]
  /** `src` of external scripts: the page loads them, this file does not contain them */
  external: string[]
  /** parts left out over the MAX_PARTS budget */
  skipped: number
}

/** Parts judged per document at most; the same code in many places counts once. */
export const MAX_PARTS = 2000

// Per the HTML standard, these type strings (before any parameters) mean classic JavaScript.
const JS_TYPES = new Set([
  '',
  'module',
  'application/ecmascript',
  'application/javascript',
  'application/x-ecmascript',
  'application/x-javascript',
  'text/ecmascript',
  'text/javascript',
  'text/javascript1.0',
  'text/javascript1.1',
  'text/javascript1.2',
  'text/javascript1.3',
  'text/javascript1.4',
  'text/javascript1.5',
  'text/jscript',
  'text/livescript',
  'text/x-ecmascript',
  'text/x-javascript',
])
const URL_ATTRIBUTES = new Set(['href', 'src', 'action', 'formaction', 'xlink:href'])
const HANDLER = /^on[a-z]+$/i
const FIRST_TAG = /^<(?:!doctype\b|\?xml\b|[a-z][a-z0-9-]*(?:[\s/>]|$))/i

/** True when the text starts (after a BOM, whitespace and HTML comments) with markup. */
export function looksLikeHtml(text: string): boolean {
  const head = text.slice(0, 64 * 1024)
  let i = skipSpace(head, 0)
  while (head.startsWith('<!--', i)) {
    const end = head.indexOf('-->', i + 4)
    // `<!--` alone also starts a legacy one-line comment in classic scripts
    if (end === -1) return false
    i = skipSpace(head, end + 3)
  }
  return FIRST_TAG.test(head.slice(i, i + 64))
}

function skipSpace(text: string, from: number): number {
  let i = from
  while (i < text.length && /[\s\uFEFF]/.test(text[i] ?? '')) i++
  return i
}

// Elements whose content a browser running scripts never parses as markup.
const INERT = new Set(['noscript', 'noembed', 'noframes', 'iframe', 'plaintext'])

/** Every inline script, event-handler attribute and javascript: URL, in document order. */
export function splitHtml(html: string): HtmlSplit {
  // htmlparser2 (what cheerio/slim parses with): linear time even on hostile nesting, where
  // parse5 is quadratic; the DOM is walked directly, no selector engine is needed
  const doc = parseDocument(html, {
    xmlMode: false,
    withStartIndices: true,
    withEndIndices: true,
    decodeEntities: true,
  })
  const at = positions(html)
  const out: HtmlSplit = { parts: [], external: [], skipped: 0 }
  const seen = new Set<string>()
  const add = (part: HtmlPart): void => {
    if (part.source.trim() === '' || seen.has(part.source)) return
    if (out.parts.length >= MAX_PARTS) {
      out.skipped++
      return
    }
    seen.add(part.source)
    out.parts.push(part)
  }
  // an explicit stack: hostile markup nests elements far deeper than the call stack allows
  const data: { id: string; text: string }[] = []
  const encoded: Encoded[] = []
  const stack: AnyNode[] = [doc]
  while (stack.length > 0) {
    const node = stack.pop()
    if (!node || !('children' in node)) continue
    if (node.type === 'tag' || node.type === 'script' || node.type === 'style') {
      const el = node as Element
      for (const part of attributeParts(html, el, at)) add(part)
      if (INERT.has(el.name)) {
        // never markup, but text a script of the page can read (`noscript.textContent`)
        const held = encodedText(textOf(el), el.attribs)
        if (held) encoded.push(held)
        continue
      }
      if (el.name === 'script') {
        const src = el.attribs.src
        if (src !== undefined) {
          if (src.trim() !== '') out.external.push(src.trim())
        } else if (DATA_TYPES.has(scriptType(el)) && el.attribs.id) {
          const text = el.children[0]
          if (text?.type === 'text') data.push({ id: el.attribs.id, text: text.data })
        } else if (isJavaScript(el)) {
          const text = el.children[0]
          if (text?.type === 'text') {
            add({
              kind: 'script',
              label: 'inline <script>',
              source: text.data,
              ...at(text.startIndex ?? 0),
            })
          }
        }
        continue
      }
    }
    for (let i = node.children.length - 1; i >= 0; i--) {
      const child = node.children[i]
      if (child?.type === 'text') {
        const held = encodedText(child.data, (node as Partial<Element>).attribs ?? {})
        if (held) encoded.push(held)
      }
      if (child) stack.push(child)
    }
  }
  withDataBlocks(out.parts, data)
  withEncodedText(out.parts, encoded)
  return out
}

/** An element's text held in base64 or hex, and the attributes of the element holding it. */
interface Encoded {
  /** the text without its white space */
  text: string
  encoding: 'base64' | 'hex'
  attribs: Record<string, string>
}

/**
 * An element's text that is base64 or hex and nothing else (wrapped over lines, maybe): no
 * words a page shows are written so. Chunks of a longer text are as short as 32 characters.
 */
function encodedText(data: string, attribs: Record<string, string>): Encoded | undefined {
  if (data.length < 32 || data.length > DATA_BYTES) return undefined
  const text = data.replace(/\s+/g, '')
  if (text.length < 32) return undefined
  // a piece of a longer hex text may hold an odd count of digits
  if (/^[0-9a-f]+$/i.test(text)) return { text, encoding: 'hex', attribs }
  return /^[A-Za-z0-9+/]+={0,2}$/.test(text) ? { text, encoding: 'base64', attribs } : undefined
}

/** The text an element holds, markup and all, as `textContent` reads it. */
function textOf(el: Element): string {
  let out = ''
  const stack: AnyNode[] = [el]
  while (stack.length > 0 && out.length <= DATA_BYTES) {
    const node = stack.pop()
    if (node?.type === 'text') out += node.data
    else if (node && 'children' in node)
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as AnyNode)
  }
  return out
}

/** Scripts that read elements' text. */
const READS_TEXT = /\.(?:textContent|innerText|innerHTML|nodeValue|text)\b/

/**
 * A script of the page that reads elements' text (`desc.textContent`) may run what elements of
 * the same page hold in base64 or hex (`<svg><desc>…</desc>`, `<noscript data-i="3">…`): that
 * text is judged with it, as a decoded string after its code, so the code it decodes to is read
 * as a layer. Each text alone, and a text split over several elements joined: in the order an
 * attribute all of them number (`data-i`, `data-order`), or else the page's own order.
 */
function withEncodedText(parts: HtmlPart[], encoded: Encoded[]): void {
  if (encoded.length === 0) return
  // joins first: one long text split into pieces is what a stage hidden so looks like
  const texts = [...joined(encoded), ...encoded.filter((e) => e.text.length >= ALONE).map(asBase64)]
  let room = DATA_BYTES
  const tail = texts
    .filter((t) => (room -= t.length) >= 0)
    .map((t) => `\n;void atob(${JSON.stringify(t)});`)
    .join('')
  if (tail === '') return
  for (const part of parts)
    if (part.kind === 'script' && READS_TEXT.test(part.source)) {
      part.source += tail
      part.label += ' (with the encoded text of the page)'
    }
}

/** An encoded text is judged on its own from this length; shorter ones only as pieces. */
const ALONE = 60

/** The text in base64, as the script's decoder of it (hex digits to bytes, or atob) would read it. */
function asBase64(e: Encoded): string {
  return e.encoding === 'base64' ? e.text : Buffer.from(e.text, 'hex').toString('base64')
}

/**
 * Pieces joined, in base64: for each encoding and each attribute that numbers two or more of
 * its texts with distinct integers (`data-i`, `data-order`), those texts in that order; and
 * every text of the encoding in the page's order. Base64 pieces lose their padding inside a join.
 */
function joined(encoded: Encoded[]): string[] {
  const out: string[] = []
  const join = (chunks: Encoded[]): void => {
    if (chunks.length < 2) return
    const text = chunks.map((c) => c.text.replace(/=+$/, '')).join('')
    out.push(asBase64({ ...(chunks[0] as Encoded), text }))
  }
  for (const encoding of ['base64', 'hex'] as const) {
    const chunks = encoded.filter((e) => e.encoding === encoding)
    const names = new Set(chunks.flatMap((c) => Object.keys(c.attribs)))
    for (const name of names) {
      const numbered = chunks.filter((c) => /^\d{1,4}$/.test(c.attribs[name] ?? ''))
      if (new Set(numbered.map((c) => c.attribs[name])).size !== numbered.length) continue
      join(numbered.sort((a, b) => Number(a.attribs[name]) - Number(b.attribs[name])))
    }
    join(chunks)
  }
  return out
}

// Data blocks: script elements the browser keeps as text for the page's scripts to read.
const DATA_TYPES = new Set(['application/json', 'application/ld+json'])
/** Text of the data blocks one script is judged with, at most. */
const DATA_BYTES = 256 * 1024

/**
 * An inline script that names a data block's id (`JSON.parse(getElementById('cfg').text…)`)
 * reads its settings from the page: the field names and addresses it acts on are there, not in
 * its code. The block's JSON, a JavaScript expression too, is judged with the script, after its
 * code so the script's own positions stand.
 */
function withDataBlocks(parts: HtmlPart[], data: { id: string; text: string }[]): void {
  if (data.length === 0) return
  // one budget for the whole document: many scripts naming one block share it
  let room = DATA_BYTES
  for (const part of parts) {
    if (part.kind !== 'script') continue
    const read: string[] = []
    let tail = ''
    for (const block of data) {
      if (block.text.length > room || !namesId(part.source, block.id)) continue
      const json = asJson(block.text)
      if (json === undefined) continue
      room -= json.length
      read.push(`#${block.id}`)
      tail += `\n;void (${json});`
    }
    if (read.length === 0) continue
    part.source += tail
    part.label += ` (with data block ${read.join(', ')})`
  }
}

function namesId(code: string, id: string): boolean {
  return [`'${id}'`, `"${id}"`, `\`${id}\``, `#${id}'`, `#${id}"`].some((q) => code.includes(q))
}

/** The block as JSON written anew (`__proto__` twice is JSON, not a JavaScript literal). */
function asJson(text: string): string | undefined {
  try {
    return JSON.stringify(JSON.parse(text), (key, value: unknown) =>
      key === '__proto__' ? undefined : value,
    )
  } catch {
    return undefined
  }
}

function scriptType(el: Element): string {
  return ((el.attribs.type ?? '').split(';')[0] ?? '').trim().toLowerCase()
}

function isJavaScript(el: Element): boolean {
  const type = el.attribs.type
  const language = el.attribs.language
  // no type: the legacy language attribute decides, and without either it is JavaScript
  const effective = type ?? (language ? `text/${language}` : '')
  return JS_TYPES.has((effective.split(';')[0] ?? '').trim().toLowerCase())
}

type At = (offset: number) => { line: number; column: number }

/** Line (1-based) and column (0-based) of an offset, by binary search over line starts. */
function positions(text: string): At {
  const starts = [0]
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1)
  return (offset) => {
    let lo = 0
    let hi = starts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if ((starts[mid] ?? 0) <= offset) lo = mid
      else hi = mid - 1
    }
    return { line: lo + 1, column: offset - (starts[lo] ?? 0) }
  }
}

function attributeParts(html: string, el: Element, at: At): HtmlPart[] {
  const parts: HtmlPart[] = []
  let offsets: Map<string, number> | undefined
  const where = (name: string): { line: number; column: number } => {
    offsets ??= valueOffsets(html, el.startIndex ?? 0)
    return at(offsets.get(name) ?? el.startIndex ?? 0)
  }
  for (const [name, value] of Object.entries(el.attribs)) {
    const lower = name.toLowerCase()
    if (HANDLER.test(lower)) {
      parts.push({ kind: 'handler', label: `${lower} handler`, source: value, ...where(lower) })
      continue
    }
    if (!URL_ATTRIBUTES.has(lower)) continue
    const code = javascriptUrlCode(value)
    if (code === undefined) continue
    const start = where(lower)
    // the code starts after `javascript:` on the attribute's line, near enough for a reader
    const prefix = value.toLowerCase().indexOf('javascript:')
    const column = prefix >= 0 && !value.slice(0, prefix).includes('\n') ? prefix + 11 : 0
    parts.push({
      kind: 'url',
      label: `javascript: URL in ${lower}`,
      source: code,
      line: start.line,
      column: start.column + column,
    })
  }
  return parts
}

/** Where each attribute value of the start tag at `start` begins (first occurrence wins). */
export function valueOffsets(html: string, start: number): Map<string, number> {
  const out = new Map<string, number>()
  let i = start + 1
  while (i < html.length && !/[\s/>]/.test(html[i] ?? '')) i++
  for (;;) {
    while (i < html.length && /[\s/]/.test(html[i] ?? '')) i++
    if (i >= html.length || html[i] === '>') return out
    const nameStart = i
    i++
    while (i < html.length && !/[\s/>=]/.test(html[i] ?? '')) i++
    const name = html.slice(nameStart, i).toLowerCase()
    while (i < html.length && /\s/.test(html[i] ?? '')) i++
    if (html[i] !== '=') {
      if (!out.has(name)) out.set(name, nameStart)
      continue
    }
    i++
    while (i < html.length && /\s/.test(html[i] ?? '')) i++
    const quote = html[i]
    if (quote === '"' || quote === "'") {
      if (!out.has(name)) out.set(name, i + 1)
      const end = html.indexOf(quote, i + 1)
      i = end === -1 ? html.length : end + 1
    } else {
      if (!out.has(name)) out.set(name, i)
      while (i < html.length && !/[\s>]/.test(html[i] ?? '')) i++
    }
  }
}

/** The code of a `javascript:` URL as a browser runs it (tabs and newlines dropped, %-decoded). */
export function javascriptUrlCode(value: string): string | undefined {
  // as the URL parser does: tabs and newlines go anywhere, C0 controls and spaces at the ends
  const url = value.replace(/[\t\n\r]/g, '').replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '')
  if (!/^javascript:/i.test(url)) return undefined
  const body = url.slice('javascript:'.length)
  try {
    return decodeURIComponent(body)
  } catch {
    return body
  }
}

/** Where a position inside a part (1-based line, 0-based column) sits in the HTML file. */
export function htmlPosition(
  part: Pick<HtmlPart, 'line' | 'column'>,
  line: number,
  column: number,
): { line: number; column: number } {
  return line <= 1
    ? { line: part.line, column: part.column + column }
    : { line: part.line + line - 1, column }
}
