// Does a request carry the honeypot values? Checks the encodings skimmers use to hide them.

/** The recognisable values typed into checkout forms. */
export const TEST_VALUES = {
  card: '4111111111111111',
  expMonth: '12',
  expYear: '30',
  exp: '12/30',
  cvv: '123',
  name: 'Skim Watch',
  email: 'skimwatch-test@example.com',
  phone: '+15550100123',
  address: '42 Skimwatch Lane',
  zip: '99501',
  city: 'Honeypotville',
} as const

const MAX_DEPTH = 3
const MAX_TEXT = 256 * 1024

// Separators skimmers and card formatters put between digits or words.
const SEPARATORS = /[\s\-._+]/g

function safeDecodeUri(s: string): string {
  let out = s.replace(/\+/g, ' ')
  for (let i = 0; i < 3; i++) {
    try {
      const next = decodeURIComponent(out)
      if (next === out) break
      out = next
    } catch {
      break
    }
  }
  return out
}

function isMostlyPrintable(s: string): boolean {
  if (s.length === 0) return false
  let printable = 0
  for (const ch of s) {
    const c = ch.charCodeAt(0)
    if ((c >= 0x20 && c < 0x7f) || c === 0x0a || c === 0x0d || c === 0x09) printable++
  }
  return printable / s.length > 0.85
}

const fromBase64 = (token: string): string =>
  Buffer.from(token.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('latin1')

/**
 * Readable text under base64 tokens; `reversed` gets tokens that are base64 written backwards
 * (`=0nIl…`), turned around for the next step to decode.
 */
function decodeBase64Tokens(
  s: string,
  reversed: string[] = [],
  xored: Step[] = [],
  budget = { bytes: 0 },
): string[] {
  const out: string[] = []
  for (const m of s.matchAll(/[A-Za-z0-9+/_-]{12,}={0,2}/g)) {
    // A token glued to a URL path decodes misaligned, so each path segment is tried too.
    const tokens = new Set([m[0], ...m[0].split('/').filter((t) => t.length >= 12)])
    for (const token of tokens) {
      const decoded = fromBase64(token)
      for (const x of unXored(decoded, budget)) xored.push({ s: x, e: ['base64', 'xor'] })
      if (isMostlyPrintable(decoded)) out.push(decoded)
      else if (token.length >= 16) {
        const back = reverse(token)
        if (isMostlyPrintable(fromBase64(back))) reversed.push(back)
      }
    }
  }
  return out
}

function decodeHexTokens(s: string, xored: Step[] = [], budget = { bytes: 0 }): string[] {
  const out: string[] = []
  for (const m of s.matchAll(/(?:[0-9a-fA-F]{2}){8,}/g)) {
    const decoded = Buffer.from(m[0], 'hex').toString('latin1')
    if (isMostlyPrintable(decoded)) out.push(decoded)
    for (const x of unXored(decoded, budget)) xored.push({ s: x, e: ['hex', 'xor'] })
  }
  return out
}

/** Bytes of decoded tokens tried against every key, per text matched */
const XOR_BYTES = 4 * 1024
/** What serialised form data is mostly made of: lower-case words, digits, JSON and query marks */
const DATA_CHARS = new Uint8Array(256)
for (const ch of 'abcdefghijklmnopqrstuvwxyz0123456789 ":,{}&=._-@/')
  DATA_CHARS[ch.charCodeAt(0)] = 1

/**
 * Bytes XORed with one key byte, the commonest cipher in skimmer kits, under hex or base64:
 * every key is tried. Kept are the two outputs most made of what data is written in (lower-case
 * words, digits, JSON and query marks; a key with its case bit flipped reads as text too, as
 * noise), and any that holds a run of twelve digits or more (a card number, whatever else).
 */
function unXored(bytes: string, budget: { bytes: number }): string[] {
  if (bytes.length < 8 || bytes.length > budget.bytes) return []
  budget.bytes -= bytes.length
  const readable: { key: number; words: number; digits: boolean }[] = []
  // a key byte of 0 is the text itself; 0x20 flips only the case of letters
  for (let key = 1; key < 256; key++) {
    if (key === 0x20) continue
    let printable = 0
    let words = 0
    let run = 0
    let digits = false
    for (let i = 0; i < bytes.length; i++) {
      const c = (bytes.charCodeAt(i) ^ key) & 0xff
      if ((c >= 0x20 && c < 0x7f) || c === 0x0a || c === 0x0d || c === 0x09) printable++
      if (DATA_CHARS[c] === 1) words++
      run = c >= 0x30 && c <= 0x39 ? run + 1 : 0
      if (run >= 12) digits = true
    }
    if (printable / bytes.length > 0.85) readable.push({ key, words, digits })
  }
  const ranked = readable.sort((a, b) => b.words - a.words)
  // a run of one repeated byte reads as digits under ten keys: a card's digits are among them
  const kept = [
    ...ranked.slice(0, 2),
    ...ranked
      .slice(2)
      .filter((r) => r.digits)
      .slice(0, 10),
  ]
  const out = kept.map(({ key }) => {
    const codes = new Uint8Array(bytes.length)
    for (let i = 0; i < bytes.length; i++) codes[i] = (bytes.charCodeAt(i) ^ key) & 0xff
    return Buffer.from(codes).toString('latin1')
  })
  const keyed = underRepeatingKey(bytes, TEST_VALUES.card)
  return keyed === null ? out : [...out, keyed]
}

/** The longest repeating XOR key looked for: a key word of a kit (`kR7q`, `s3cr3t!`) */
const MAX_KEY = 8

/**
 * Bytes XORed with a repeating key of two to eight bytes, read by the value the chamber typed:
 * where `known` would sit, the bytes XOR it give the key, and a key that repeats within those
 * bytes is the cipher's (a window of random bytes repeats so by chance once in 2^64). The whole
 * text deciphered with it, or null.
 */
function underRepeatingKey(bytes: string, known: string): string | null {
  const n = known.length
  if (n < 2 * MAX_KEY) return null
  const k = new Uint8Array(n)
  for (let at = 0; at + n <= bytes.length; at++) {
    for (let m = 0; m < n; m++) k[m] = (bytes.charCodeAt(at + m) ^ known.charCodeAt(m)) & 0xff
    for (let len = 2; len <= MAX_KEY; len++) {
      let repeats = true
      for (let m = len; m < n && repeats; m++) repeats = k[m] === k[m - len]
      // one key byte repeated is the single-key case, read above
      if (!repeats || k.subarray(0, len).every((b) => b === k[0])) continue
      const codes = new Uint8Array(bytes.length)
      for (let i = 0; i < bytes.length; i++)
        codes[i] = (bytes.charCodeAt(i) ^ (k[(((i - at) % len) + len) % len] ?? 0)) & 0xff
      // the whole text reads as text under the key, not just the window it came from
      const text = Buffer.from(codes).toString('latin1')
      if (isMostlyPrintable(text)) return text
    }
  }
  return null
}

// JSON and JS escapes: "\u0034", "\x34", and char-code lists like "52,49,49,49".
function decodeEscapes(s: string): Array<{ s: string; e: Encoding }> {
  const out: Array<{ s: string; e: Encoding }> = []
  if (/\\u[0-9a-f]{4}|\\x[0-9a-f]{2}/i.test(s)) {
    const decoded = s
      .replace(/\\u([0-9a-f]{4})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
      .replace(/\\x([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
    out.push({ s: decoded, e: 'escape' })
  }
  for (const m of s.matchAll(/\d{2,3}(?:\s*,\s*\d{2,3}){7,}/g)) {
    const codes = m[0].split(',').map((n) => Number(n.trim()))
    out.push({ s: String.fromCharCode(...codes), e: 'charcodes' })
  }
  return out
}

/** How a readable view of a request was reached from its raw text. */
export type Encoding =
  | 'plain'
  | 'url'
  | 'base64'
  | 'hex'
  | 'xor'
  | 'escape'
  | 'charcodes'
  | 'reversed'
  | 'json'
  | 'split'

/** One decoding of a text: what came out and how (a cipher under an encoding names both). */
interface Step {
  s: string
  e: Encoding | Encoding[]
}

/** One readable form of a request's text and the decodings that led to it, outermost first. */
export interface View {
  text: string
  encodings: Encoding[]
}

function decodeStep(s: string, budget: { bytes: number }): Step[] {
  const out: Step[] = [{ s: safeDecodeUri(s), e: 'url' }]
  const backwards: string[] = []
  const xored: Step[] = []
  for (const d of decodeBase64Tokens(s, backwards, xored, budget)) out.push({ s: d, e: 'base64' })
  for (const d of backwards) out.push({ s: d, e: 'reversed' })
  for (const d of decodeHexTokens(s, xored, budget)) out.push({ s: d, e: 'hex' })
  out.push(...xored)
  out.push(...decodeEscapes(s))
  return out
}

/** Every readable form of `text` with how it was decoded, shallowest first. */
export function labelledViews(text: string): View[] {
  const seen = new Map<string, Encoding[]>()
  const queue: Array<{ s: string; depth: number; via: Encoding[] }> = [
    { s: text.slice(0, MAX_TEXT), depth: 0, via: [] },
  ]
  const budget = { bytes: XOR_BYTES }
  while (queue.length > 0) {
    const item = queue.shift()
    if (item === undefined || seen.has(item.s)) continue
    seen.set(item.s, item.via)
    if (item.depth >= MAX_DEPTH || seen.size > 200) continue
    for (const { s, e } of decodeStep(item.s, budget)) {
      if (!seen.has(s)) queue.push({ s, depth: item.depth + 1, via: item.via.concat(e) })
    }
  }
  return [...seen].map(([t, encodings]) => ({ text: t, encodings }))
}

/** Every readable form of `text`: itself, URL-decoded, and decoded base64/hex/escapes, recursively. */
export function decodedViews(text: string): string[] {
  return labelledViews(text).map((v) => v.text)
}

function normalise(s: string): string {
  return s.replace(SEPARATORS, '').toLowerCase()
}

function reverse(s: string): string {
  return [...s].reverse().join('')
}

/** True when any decoded view of `text` holds `value`, plain or reversed, separators ignored. */
export function containsValue(text: string, value: string, views = decodedViews(text)): boolean {
  return (
    findValue(
      value,
      views.map((t) => ({ text: t, encodings: [] })),
    ) !== null
  )
}

const JSON_LIKE = /[{[]\s*"[^"]*"\s*:|^\s*\[\s*"/

/** How `value` is encoded in the shallowest view that holds it (JSON if any such view is), or null. */
export function findValue(value: string, views: View[]): Encoding[] | null {
  const needle = normalise(value)
  if (needle.length < 4) return null
  const reversed = reverse(needle)
  let found: Encoding[] | null = null
  let json = false
  for (const v of views) {
    const n = normalise(v.text)
    const forward = n.includes(needle)
    if (!forward && !n.includes(reversed)) continue
    found ??= forward ? v.encodings : [...v.encodings, 'reversed']
    json ||= JSON_LIKE.test(v.text)
  }
  if (found === null) return null
  const out: Encoding[] = [...new Set(found)]
  if (json) out.push('json')
  return out.length > 0 ? out : ['plain']
}

export interface ExfilMatch {
  carriesCard: boolean
  carriesPersonal: boolean
}

const personalValues = () => [
  TEST_VALUES.email,
  TEST_VALUES.name,
  TEST_VALUES.phone.replace(/\D/g, '').slice(1),
  TEST_VALUES.address,
  TEST_VALUES.city,
]

/** Checks a request's URL and body for the test card and the personal test values. */
export function matchExfil(url: string, body: string | null): ExfilMatch {
  const { carriesCard, carriesPersonal } = matchExfilEncoded(url, body)
  return { carriesCard, carriesPersonal }
}

/** matchExfil, plus how the values found were encoded (card first, then personal values). */
export function matchExfilEncoded(
  url: string,
  body: string | null,
): ExfilMatch & { encodings: Encoding[] } {
  const views = labelledViews(body === null ? url : `${url}\n${body}`)
  const card = findValue(TEST_VALUES.card, views)
  const personal = personalValues()
    .map((v) => findValue(v, views))
    .filter((e): e is Encoding[] => e !== null)
  return {
    carriesCard: card !== null,
    carriesPersonal: personal.length > 0,
    encodings: [...new Set([...(card ?? []), ...personal.flat()])],
  }
}

/** Digit runs in a request's decoded views that could be one piece of a split card number. */
function digitPieces(text: string): Set<string> {
  const out = new Set<string>()
  for (const view of decodedViews(text)) {
    for (const m of view.matchAll(/\d{4,15}/g)) out.add(m[0])
  }
  return out
}

/**
 * A card split across parameters or requests: a prefix piece and the matching suffix piece,
 * both seen in the same visit, mark every request that carries one of them.
 */
export function markSplitCard<T extends { url: string; body: string | null; carriesCard: boolean }>(
  requests: T[],
): T[] {
  const card = TEST_VALUES.card
  const pieces = requests.map((r) =>
    r.carriesCard ? new Set<string>() : digitPieces(`${r.url}\n${r.body ?? ''}`),
  )
  const prefixes = new Set<string>()
  const suffixes = new Set<string>()
  for (const set of pieces) {
    for (const p of set) {
      if (card.startsWith(p)) prefixes.add(p)
      if (card.endsWith(p)) suffixes.add(p)
    }
  }
  const used = new Set<string>()
  for (const p of prefixes) {
    const rest = card.slice(p.length)
    if (suffixes.has(rest)) used.add(p).add(rest)
  }
  if (used.size === 0) return requests
  requests.forEach((r, i) => {
    const set = pieces[i]
    if (set && [...set].some((p) => used.has(p))) r.carriesCard = true
  })
  return requests
}
