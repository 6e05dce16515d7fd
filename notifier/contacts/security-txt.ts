// security.txt (RFC 9116): Contact, Expires and Preferred-Languages; a PGP-signed file is read too.

export interface SecurityTxt {
  contacts: string[]
  /** ISO date-time, or null when the file gives none */
  expires: string | null
  languages: string[]
  signed: boolean
}

const SIGNED_HEAD = '-----BEGIN PGP SIGNED MESSAGE-----'
const SIGNATURE_HEAD = '-----BEGIN PGP SIGNATURE-----'

/** The signed text of a cleartext-signed message (RFC 4880 §7), dash-escaping undone. */
function cleartext(lines: string[]): string[] {
  const bodyStart = lines.findIndex((l, i) => i > 0 && l.trim() === '') + 1
  const end = lines.indexOf(SIGNATURE_HEAD)
  return lines
    .slice(bodyStart, end === -1 ? undefined : end)
    .map((l) => (l.startsWith('- ') ? l.slice(2) : l))
}

export function parseSecurityTxt(text: string): SecurityTxt {
  let lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  const signed = lines[0]?.trim() === SIGNED_HEAD
  if (signed) lines = cleartext(lines)
  const out: SecurityTxt = { contacts: [], expires: null, languages: [], signed }
  for (const raw of lines) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const m = /^([A-Za-z-]+):\s*(.+)$/.exec(line)
    if (!m) continue
    const field = m[1]!.toLowerCase()
    const value = m[2]!.trim()
    if (field === 'contact') out.contacts.push(value)
    else if (field === 'expires' && out.expires === null) {
      const t = Date.parse(value)
      out.expires = Number.isNaN(t) ? 'invalid' : new Date(t).toISOString()
    } else if (field === 'preferred-languages' && out.languages.length === 0) {
      out.languages = value
        .split(',')
        .map((l) => l.trim())
        .filter(Boolean)
    }
  }
  return out
}

/** A file whose Expires is past (or unreadable) must not be used (RFC 9116 §2.5.5). */
export function expiredReason(st: SecurityTxt, now: Date): string | null {
  if (st.expires === 'invalid') return 'its Expires field is not a date'
  if (st.expires !== null && Date.parse(st.expires) <= now.getTime()) {
    return `it expired on ${st.expires}`
  }
  return null
}
