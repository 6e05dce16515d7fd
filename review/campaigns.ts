// Flagged scripts that belong together: same exfil host, same signature family, same loader host.
import type { FlaggedScript } from '../store/index.ts'

export interface Campaign {
  kind: 'exfil host' | 'signature' | 'loader host'
  key: string
  scripts: string[]
  siteIds: number[]
}

const SIGNATURE_RULE = /^(yara:|known-bad)/

function keysOf(s: FlaggedScript): { kind: Campaign['kind']; key: string }[] {
  const keys: { kind: Campaign['kind']; key: string }[] = []
  for (const h of s.exfilHosts) keys.push({ kind: 'exfil host', key: h })
  for (const r of s.rules) if (SIGNATURE_RULE.test(r)) keys.push({ kind: 'signature', key: r })
  for (const u of s.urls) {
    try {
      keys.push({ kind: 'loader host', key: new URL(u).hostname.toLowerCase() })
    } catch {
      // a script URL that does not parse names no host
    }
  }
  return keys
}

/** One campaign per shared key, widest reach first; a key seen on one script alone still counts. */
export function groupCampaigns(scripts: FlaggedScript[]): Campaign[] {
  const byKey = new Map<string, Campaign>()
  for (const s of scripts) {
    for (const { kind, key } of keysOf(s)) {
      const id = `${kind} ${key}`
      const c = byKey.get(id) ?? { kind, key, scripts: [], siteIds: [] }
      if (!c.scripts.includes(s.sha256)) c.scripts.push(s.sha256)
      c.siteIds = [...new Set([...c.siteIds, ...s.siteIds])].sort((a, b) => a - b)
      byKey.set(id, c)
    }
  }
  return [...byKey.values()].sort(
    (a, b) =>
      b.siteIds.length - a.siteIds.length ||
      b.scripts.length - a.scripts.length ||
      a.key.localeCompare(b.key),
  )
}
