// What of a request the page wrote, as text the exfil matcher reads: the body (inflated when the
// page compressed it) and the headers the page set or steered. Shared by visits and the chamber.
import { constants, gunzipSync, inflateRawSync, inflateSync, type ZlibOptions } from 'node:zlib'
import type { Request } from 'playwright'

export type Compression = 'gzip' | 'deflate' | 'deflate-raw'

type Inflate = (b: Buffer, opts: ZlibOptions) => Buffer

/**
 * A body the page compressed (CompressionStream, pako) as readable text: gzip and zlib by their
 * headers, raw deflate when the bytes are not text. Inflated no further than `limit` bytes: a
 * body that would inflate beyond it (a compression bomb, a large batch) gives the text of a
 * shorter and shorter head of itself until one fits, so the start is still read.
 */
export function inflateBody(
  buf: Buffer,
  limit: number,
): { text: string; compressed: Compression } | null {
  const attempt = (compressed: Compression, inflate: Inflate) => {
    const whole = tryInflate(inflate, buf, { maxOutputLength: limit })
    if (whole) return { text: whole.toString('utf8'), compressed }
    // a truncated stream is read as far as it goes
    const partial = { maxOutputLength: limit, finishFlush: constants.Z_SYNC_FLUSH }
    for (let n = Math.min(buf.length, limit) >> 1; n >= 16; n >>= 2) {
      const head = tryInflate(inflate, buf.subarray(0, n), partial)
      if (head) return { text: head.toString('utf8'), compressed }
    }
    return null
  }
  const [b0, b1] = [buf[0] ?? 0, buf[1] ?? 0]
  if (b0 === 0x1f && b1 === 0x8b) return attempt('gzip', gunzipSync)
  if ((b0 & 0x0f) === 8 && (b0 * 256 + b1) % 31 === 0) return attempt('deflate', inflateSync)
  const raw = buf.toString('utf8')
  if (buf.length < 2 || !raw.includes('\uFFFD')) return null
  // raw deflate has no header nor checksum: what inflates may be noise, so the bytes stay too
  const inflated = attempt('deflate-raw', inflateRawSync)
  return inflated && { ...inflated, text: `${inflated.text}\n${raw}` }
}

function tryInflate(inflate: Inflate, buf: Buffer, opts: ZlibOptions): Buffer | null {
  try {
    const out = inflate(buf, opts)
    return out.length > 0 ? out : null
  } catch {
    return null
  }
}

/** Headers every request carries whatever the page does: nothing of the page's data in them. */
const PLAIN_HEADERS = new Set([
  'accept',
  'accept-encoding',
  'accept-language',
  'cache-control',
  'connection',
  'content-length',
  'content-type',
  'cookie',
  'host',
  'origin',
  'pragma',
  'upgrade-insecure-requests',
  'user-agent',
])

/**
 * What a page can carry in a request's headers: one it set itself (`X-Data`), or a Referer that
 * holds more than an origin — under the default referrer policy a cross-site request says only
 * where it came from, so a full URL there means the page asked for it (`unsafe-url`), having
 * first written data into its own address (`history.replaceState`).
 */
export function pageHeaders(headers: Record<string, string>): string {
  const lines: string[] = []
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase()
    if (PLAIN_HEADERS.has(key) || key.startsWith('sec-')) continue
    if (key === 'referer' && /^[a-z][a-z0-9+.-]*:\/\/[^/]*\/?$/i.test(value)) continue
    lines.push(`${key}: ${value}`)
  }
  return lines.join('\n')
}

/** A request's body and page-set headers as text, reading no more than `limit` bytes of body. */
export function requestText(
  req: Request,
  limit: number,
): { body: string | null; compressed?: Compression; headers?: string } {
  const buf = req.postDataBuffer()?.subarray(0, limit)
  const inflated = buf ? inflateBody(buf, limit) : null
  const headers = pageHeaders(req.headers())
  return {
    body: inflated ? inflated.text : (buf?.toString('utf8') ?? null),
    ...(inflated ? { compressed: inflated.compressed } : {}),
    ...(headers ? { headers } : {}),
  }
}

/** The text the exfil matcher reads after a request's URL: its body and its page-set headers. */
export function matchedText(body: string | null, headers: string | undefined): string | null {
  if (!headers) return body
  return body === null ? headers : `${body}\n${headers}`
}
