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
function decodeBase64Tokens(s: string, reversed: string[] = []): string[] {
  const out: string[] = []
  for (const m of s.matchAll(/[A-Za-z0-9+/_-]{12,}={0,2}/g)) {
    // A token glued to a URL path decodes misaligned, so each path segment is tried too.
    const tokens = new Set([m[0], ...m[0].split('/').filter((t) => t.length >= 12)])
    for (const token of tokens) {
      const decoded = fromBase64(token)
      if (isMostlyPrintable(decoded)) out.push(decoded)
      else if (token.length >= 16) {
        const back = reverse(token)
        if (isMostlyPrintable(fromBase64(back))) reversed.push(back)
      }
    }
  }
  return out
}

function decodeHexTokens(s: string): string[] {
  const out: string[] = []
  for (const m of s.matchAll(/(?:[0-9a-fA-F]{2}){8,}/g)) {
    const decoded = Buffer.from(m[0], 'hex').toString('latin1')
    if (isMostlyPrintable(decoded)) out.push(decoded)
  }
  return out
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
  'plain' | 'url' | 'base64' | 'hex' | 'escape' | 'charcodes' | 'reversed' | 'json' | 'split'

/** One readable form of a request's text and the decodings that led to it, outermost first. */
export interface View {
  text: string
  encodings: Encoding[]
}

function decodeStep(s: string): Array<{ s: string; e: Encoding }> {
  const out: Array<{ s: string; e: Encoding }> = [{ s: safeDecodeUri(s), e: 'url' }]
  const backwards: string[] = []
  for (const d of decodeBase64Tokens(s, backwards)) out.push({ s: d, e: 'base64' })
  for (const d of backwards) out.push({ s: d, e: 'reversed' })
  for (const d of decodeHexTokens(s)) out.push({ s: d, e: 'hex' })
  out.push(...decodeEscapes(s))
  return out
}

/** Every readable form of `text` with how it was decoded, shallowest first. */
export function labelledViews(text: string): View[] {
  const seen = new Map<string, Encoding[]>()
  const queue: Array<{ s: string; depth: number; via: Encoding[] }> = [
    { s: text.slice(0, MAX_TEXT), depth: 0, via: [] },
  ]
  while (queue.length > 0) {
    const item = queue.shift()
    if (item === undefined || seen.has(item.s)) continue
    seen.set(item.s, item.via)
    if (item.depth >= MAX_DEPTH || seen.size > 200) continue
    for (const { s, e } of decodeStep(item.s)) {
      if (!seen.has(s)) queue.push({ s, depth: item.depth + 1, via: [...item.via, e] })
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
