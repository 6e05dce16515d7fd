// Confirmed indicators as CSV (RFC 4180), one row per indicator value.
import type { Indicator } from './indicators.ts'

export const CSV_HEADER = [
  'type',
  'value',
  'sha256',
  'first_seen',
  'last_seen',
  'sites',
  'rules',
  'confirmed_by',
  'confirmed_at',
]

function cell(value: string | number): string {
  const s = String(value)
  // a leading = + - @ would be read as a formula by spreadsheets
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

export function indicatorsCsv(indicators: Indicator[]): string {
  const rows: (string | number)[][] = [CSV_HEADER]
  for (const i of indicators) {
    const common = [
      i.sha256,
      i.firstSeen,
      i.lastSeen,
      i.sites,
      i.rules.join(' '),
      i.confirmedBy,
      i.confirmedAt,
    ]
    const values: [string, string][] = [
      ['sha256', i.sha256],
      ...i.scriptUrls.map((u): [string, string] => ['url', u]),
      ...i.exfilUrls.map((u): [string, string] => ['url', u]),
      ...i.domains.map((d): [string, string] => ['domain', d]),
    ]
    const seen = new Set<string>()
    for (const [type, value] of values) {
      if (!seen.has(`${type} ${value}`)) rows.push([type, value, ...common])
      seen.add(`${type} ${value}`)
    }
  }
  return rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n'
}
