// Confirmed indicators: what analysts confirmed malicious, with the URLs and hosts tied to it.
import { createHash } from 'node:crypto'
import type { DecisionRecord, Store } from '../../store/index.ts'

export interface Indicator {
  sha256: string
  /** where the script was loaded from (external scripts only) */
  scriptUrls: string[]
  /** where it sent data */
  exfilUrls: string[]
  /** hosts of both */
  domains: string[]
  rules: string[]
  sites: number
  firstSeen: string
  lastSeen: string
  confirmedBy: string
  confirmedAt: string
  reason: string
}

function hostOf(url: string): string | null {
  try {
    const u = new URL(url)
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.hostname.toLowerCase() : null
  } catch {
    return null
  }
}

const isWebUrl = (u: string): boolean => hostOf(u) !== null

/** The indicator a confirm decision about a script makes; null when the script is not stored. */
export async function indicatorOf(store: Store, d: DecisionRecord): Promise<Indicator | null> {
  const v = d.sha256 ? await store.review.scriptView(d.sha256) : null
  if (!v) return null
  const scriptUrls = [...new Set(v.sightings.flatMap((s) => (s.url ? [s.url] : [])))]
    .filter(isWebUrl)
    .sort()
  const exfilUrls = [...new Set(v.exfil.map((e) => e.url))].filter(isWebUrl).sort()
  const siteDomains = new Set(v.sightings.flatMap((s) => (s.domain ? [s.domain] : [])))
  // a shop's own host is a victim, not an indicator
  const domains = [...new Set([...scriptUrls, ...exfilUrls].flatMap((u) => hostOf(u) ?? []))]
    .filter((h) => ![...siteDomains].some((s) => h === s || h.endsWith(`.${s}`)))
    .sort()
  return {
    sha256: v.sha256,
    scriptUrls,
    exfilUrls,
    domains,
    rules: [...new Set(v.findings.filter((f) => f.points > 0).map((f) => f.rule))].sort(),
    sites: new Set(v.sightings.map((s) => s.siteId)).size,
    firstSeen: v.firstSeen ?? d.createdAt,
    lastSeen: v.lastSeen ?? d.createdAt,
    confirmedBy: d.createdBy,
    confirmedAt: d.createdAt,
    reason: d.reason,
  }
}

export async function confirmedIndicators(store: Store): Promise<Indicator[]> {
  const confirmed = (await store.review.activeDecisions()).filter((d) => d.kind === 'confirm')
  const out: Indicator[] = []
  for (const d of confirmed) {
    if (!d.sha256 || out.some((i) => i.sha256 === d.sha256)) continue
    const i = await indicatorOf(store, d)
    if (i) out.push(i)
  }
  return out.sort((a, b) => a.sha256.localeCompare(b.sha256))
}

/** RFC 4122 version 5 UUID: the same indicator gets the same id in every export. */
export function uuidV5(name: string, namespace = '6ba7b811-9dad-11d1-80b4-00c04fd430c8'): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex')
  const h = createHash('sha1').update(ns).update(name).digest()
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x50
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80
  const x = h.subarray(0, 16).toString('hex')
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`
}
