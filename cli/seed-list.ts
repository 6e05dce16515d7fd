// Parses an operator's list of shops: one domain or URL per line, '#' comments.

export interface SeedEntry {
  domain: string
  url: string
}
export interface SeedError {
  line: number
  text: string
  reason: string
}

/** How much of a bad line is echoed back: a 1 MB line must not flood the terminal. */
export const MAX_ECHO = 120

/** A bad line as it is reported: control characters visible, never interpreted by a terminal. */
function echo(raw: string): string {
  const shown = raw.trim().replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
  })
  return shown.length > MAX_ECHO ? `${shown.slice(0, MAX_ECHO - 1)}…` : shown
}

const HOST = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/

export function parseSeedList(text: string): { entries: SeedEntry[]; errors: SeedError[] } {
  const byDomain = new Map<string, SeedEntry>()
  const errors: SeedError[] = []
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim()
    if (line === '') return
    const parsed = parseSeedLine(line)
    if ('reason' in parsed) errors.push({ line: i + 1, text: echo(raw), reason: parsed.reason })
    else if (!byDomain.has(parsed.domain)) byDomain.set(parsed.domain, parsed)
  })
  return { entries: [...byDomain.values()], errors }
}

function parseSeedLine(line: string): SeedEntry | { reason: string } {
  if (/\s/.test(line)) return { reason: 'contains spaces (one domain or URL per line)' }
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(line)
  let url: URL
  try {
    url = new URL(hasScheme ? line : `https://${line}`)
  } catch {
    return { reason: 'not a domain or URL' }
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { reason: `unsupported scheme ${url.protocol.replace(':', '')} (use http or https)` }
  }
  if (url.username || url.password) return { reason: 'URLs with credentials are not accepted' }
  const host = url.hostname.toLowerCase()
  const bracketed = host.startsWith('[')
  if (!bracketed && !IPV4.test(host) && !HOST.test(host)) {
    return { reason: `"${echo(host)}" is not a valid host name` }
  }
  if (IPV4.test(host) && host.split('.').some((o) => Number(o) > 255)) {
    return { reason: `"${host}" is not a valid IPv4 address` }
  }
  const path = hasScheme ? url.pathname + url.search : '/'
  return { domain: host, url: `${url.protocol}//${url.host}${path}` }
}
