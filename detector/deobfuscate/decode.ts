import type { AnyNode } from 'acorn'

// Pure decoders for the encodings skimmers use to hide strings; none of them runs sample code.

const B64 = /^[A-Za-z0-9+/_-]+={0,2}$/

export function decodeBase64(s: string): string | undefined {
  const t = s.replace(/\s+/g, '')
  if (t.length < 4 || !B64.test(t)) return undefined
  const out = Buffer.from(t, 'base64').toString('latin1')
  return out.length > 0 ? out : undefined
}

export function decodeUnescape(s: string): string {
  return s.replace(
    /%u([0-9a-fA-F]{4})|%([0-9a-fA-F]{2})/g,
    (_m, u: string | undefined, h: string) => String.fromCharCode(parseInt(u ?? h, 16)),
  )
}

export function decodeUri(s: string): string | undefined {
  try {
    return decodeURIComponent(s)
  } catch {
    return undefined
  }
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
}

/** `&#104;&#x74;&amp;` → `ht&`: the text a browser reads out of markup. Tags are dropped. */
export function decodeEntities(s: string): string | undefined {
  const out = s
    .replace(/<[^>]*>/g, '')
    .replace(
      /&#(?:x([0-9a-f]+)|(\d+));|&(\w+);/gi,
      (m, hex?: string, dec?: string, name?: string) => {
        if (name !== undefined) return NAMED_ENTITIES[name.toLowerCase()] ?? m
        const code = parseInt(hex ?? dec ?? '', hex ? 16 : 10)
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m
      },
    )
  return isPrintable(out) ? out : undefined
}

export function fromCharCodes(codes: number[]): string | undefined {
  if (codes.some((c) => !Number.isInteger(c) || c < 0 || c > 0xffff)) return undefined
  let out = ''
  for (const c of codes) out += String.fromCharCode(c)
  return out
}

/** Printable enough to be text rather than random bytes. */
export function isPrintable(s: string): boolean {
  if (s.length === 0) return false
  let bad = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || (c >= 127 && c < 160)) bad++
  }
  return bad / s.length < 0.05
}

/** Escapes that spell a character: `\x76`, `\u0061`, `\u{61}`, `\166` (octal). */
const ESCAPE = /\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|u\{[0-9a-fA-F]+\}|[0-7]{1,3})/g
const ESCAPED_MIN = 16
const ASCII_TEXT = /^[\t\n\r\x20-\x7e]*$/

/**
 * A string literal written mostly as escapes of plain ASCII (`'\x6F\x6E\x65…'`): text hidden
 * from a plain read of the file. Escaped non-ASCII (`'\u00e9t\u00e9'`) is how bundles keep
 * their files ASCII, and does not count.
 */
export function hiddenByEscapes(n: AnyNode): boolean {
  if (n.type !== 'Literal' || typeof n.value !== 'string' || n.raw === undefined) return false
  return escapeHidden(n.raw, n.value)
}

function escapeHidden(raw: string, value: string): boolean {
  if (raw.length < ESCAPED_MIN || !raw.includes('\\') || !ASCII_TEXT.test(value)) return false
  let escaped = 0
  for (const m of raw.matchAll(ESCAPE)) escaped += m[0].length
  return escaped * 2 > raw.length
}

/** Quoted strings of a source text, roughly (comments and regexes are not told apart). */
const QUOTED = /"(?:[^"\\\r\n]|\\.){16,}?"|'(?:[^'\\\r\n]|\\.){16,}?'/g
const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n',
  r: '\r',
  t: '\t',
  b: '\b',
  f: '\f',
  v: '\v',
}

/**
 * The texts a source writes as escaped plain ASCII (see hiddenByEscapes), read from the text
 * itself: what a file hid stays known after the evaluator has replaced the literals.
 */
export function escapedTexts(source: string): Set<string> {
  const out = new Set<string>()
  if (!/\\(?:x[0-9a-fA-F]|u[0-9a-fA-F{]|[0-7])/.test(source)) return out
  for (const m of source.matchAll(QUOTED)) {
    const raw = m[0]
    if (!raw.includes('\\')) continue
    const value = unescapeRaw(raw.slice(1, -1))
    if (escapeHidden(raw, value)) out.add(value)
  }
  return out
}

function unescapeRaw(body: string): string {
  return body.replace(
    /\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|u\{([0-9a-fA-F]{1,6})\}|([0-7]{1,3})|([\s\S]))/g,
    (_m, x?: string, u?: string, cp?: string, oct?: string, ch?: string) => {
      const hex = x ?? u ?? cp
      if (hex !== undefined) return String.fromCodePoint(Math.min(parseInt(hex, 16), 0x10ffff))
      if (oct !== undefined) return String.fromCharCode(parseInt(oct, 8) & 0xff)
      return ch === undefined ? '' : (SIMPLE_ESCAPES[ch] ?? ch)
    },
  )
}

/** Cheap pre-check before parsing a decoded string as code. */
export function mightBeCode(s: string): boolean {
  return s.length >= 8 && /[(=]/.test(s) && /[;)}]/.test(s) && isPrintable(s)
}

/** The shape of a p,a,c,k,e,d packer call: a function of four or more parameters given as many. */
export function packerShaped(call: AnyNode): boolean {
  if (call.type !== 'CallExpression') return false
  const callee = call.callee as AnyNode
  return (
    callee.type === 'FunctionExpression' && callee.params.length >= 4 && call.arguments.length >= 4
  )
}

/**
 * Unpack Dean Edwards' packer payload (p,a,c,k,e,d) statically: each base-`a` word in `p`
 * indexes the keyword list `k`.
 */
export function unpackPacker(p: string, radix: number, k: string[]): string | undefined {
  // Minifiers may inline the radix into the unpacker and leave 0 behind; 62 is the packer default.
  const a = Number.isInteger(radix) && radix >= 2 && radix <= 62 ? radix : 62
  const digits = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'
  const toIndex = (w: string): number => {
    let n = 0
    for (const ch of w) {
      const d = digits.indexOf(ch)
      if (d < 0 || d >= a) return -1
      n = n * a + d
    }
    return n
  }
  return p.replace(/\b\w+\b/g, (w) => {
    const i = toIndex(w)
    const rep = i >= 0 ? k[i] : undefined
    return rep !== undefined && rep !== '' ? rep : w
  })
}
