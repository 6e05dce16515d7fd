// Splits an HTML document into the code a browser would compile from it: pure, no I/O.
import { load } from 'cheerio'
import type { AnyNode, Element } from 'domhandler'

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

interface Location {
  startLine: number
  startCol: number
  startOffset: number
  endOffset: number
}
type Located = Element & {
  sourceCodeLocation?: (Location & { attrs?: Record<string, Location> }) | null
}

/** Every inline script, event-handler attribute and javascript: URL, in document order. */
export function splitHtml(html: string): HtmlSplit {
  const $ = load(html, { sourceCodeLocationInfo: true })
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
  const stack: AnyNode[] = [...$.root().toArray()].reverse()
  while (stack.length > 0) {
    const node = stack.pop()
    if (!node || !('children' in node)) continue
    if (node.type === 'tag' || node.type === 'script') {
      const el = node as Located
      for (const part of attributeParts(html, el)) add(part)
      if (el.name === 'script') {
        const src = el.attribs.src
        if (src !== undefined) {
          if (src.trim() !== '') out.external.push(src.trim())
        } else if (isJavaScript(el)) {
          const part = scriptPart(el)
          if (part) add(part)
        }
      }
    }
    for (let i = node.children.length - 1; i >= 0; i--) {
      const child = node.children[i]
      if (child) stack.push(child)
    }
  }
  return out
}

function isJavaScript(el: Element): boolean {
  const type = el.attribs.type
  const language = el.attribs.language
  // no type: the legacy language attribute decides, and without either it is JavaScript
  const effective = type ?? (language ? `text/${language}` : '')
  return JS_TYPES.has((effective.split(';')[0] ?? '').trim().toLowerCase())
}

function scriptPart(el: Located): HtmlPart | undefined {
  const text = el.children[0]
  if (!text || text.type !== 'text') return undefined
  const loc = text.sourceCodeLocation
  return {
    kind: 'script',
    label: 'inline <script>',
    source: text.data,
    line: loc?.startLine ?? 1,
    column: loc ? loc.startCol - 1 : 0,
  }
}

function attributeParts(html: string, el: Located): HtmlPart[] {
  const parts: HtmlPart[] = []
  for (const [name, value] of Object.entries(el.attribs)) {
    const lower = name.toLowerCase()
    const at = valueStart(html, el.sourceCodeLocation?.attrs?.[name])
    if (HANDLER.test(lower)) {
      parts.push({ kind: 'handler', label: `${lower} handler`, source: value, ...at })
      continue
    }
    if (!URL_ATTRIBUTES.has(lower)) continue
    const code = javascriptUrlCode(value)
    if (code === undefined) continue
    // the code starts after `javascript:` on the attribute's line, near enough for a reader
    const prefix = value.toLowerCase().indexOf('javascript:')
    const column = prefix >= 0 && !value.slice(0, prefix).includes('\n') ? prefix + 11 : 0
    parts.push({
      kind: 'url',
      label: `javascript: URL in ${lower}`,
      source: code,
      line: at.line,
      column: at.column + column,
    })
  }
  return parts
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

// Where an attribute's value starts: after `name=` and its opening quote, if any.
function valueStart(html: string, loc: Location | undefined): { line: number; column: number } {
  if (!loc) return { line: 1, column: 0 }
  const raw = html.slice(loc.startOffset, loc.endOffset)
  const eq = raw.indexOf('=')
  let i = eq === -1 ? raw.length : eq + 1
  while (i < raw.length && /\s/.test(raw[i] ?? '')) i++
  if (raw[i] === '"' || raw[i] === "'") i++
  let line = loc.startLine
  let column = loc.startCol - 1
  for (let k = 0; k < i; k++) {
    if (raw[k] === '\n') {
      line++
      column = 0
    } else column++
  }
  return { line, column }
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
