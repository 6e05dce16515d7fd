// Confirmed indicators as one MISP event (the MISP core format's Event object).
import { uuidV5, type Indicator } from './indicators.ts'

const epoch = (iso: string): string => String(Math.floor(new Date(iso).getTime() / 1000))

export function mispEvent(indicators: Indicator[], now = new Date()): Record<string, unknown> {
  const attributes: Record<string, unknown>[] = []
  const add = (i: Indicator, type: string, category: string, value: string) =>
    attributes.push({
      uuid: uuidV5(`misp-attribute:${type}:${value}`),
      type,
      category,
      value,
      to_ids: true,
      distribution: '5',
      comment: `web skimmer ${i.sha256.slice(0, 12)} (${i.sites} site(s)); confirmed by ${i.confirmedBy}`,
      timestamp: epoch(i.confirmedAt),
      first_seen: new Date(i.firstSeen).toISOString(),
      last_seen: new Date(i.lastSeen).toISOString(),
    })
  const seen = new Set<string>()
  for (const i of indicators) {
    const values: [string, string, string][] = [
      ['sha256', 'Payload delivery', i.sha256],
      ...[...i.scriptUrls, ...i.exfilUrls].map((u): [string, string, string] => [
        'url',
        'Network activity',
        u,
      ]),
      ...i.domains.map((d): [string, string, string] => ['domain', 'Network activity', d]),
    ]
    for (const [type, category, value] of values) {
      if (seen.has(`${type} ${value}`)) continue
      seen.add(`${type} ${value}`)
      add(i, type, category, value)
    }
  }
  return {
    Event: {
      uuid: uuidV5(`misp-event:${now.toISOString()}`),
      info: `skimwatch: ${indicators.length} confirmed web skimmer script(s)`,
      date: now.toISOString().slice(0, 10),
      timestamp: epoch(now.toISOString()),
      threat_level_id: '1',
      analysis: '2',
      distribution: '0',
      published: false,
      Orgc: { name: 'skimwatch' },
      Tag: [{ name: 'tlp:amber' }],
      Attribute: attributes,
    },
  }
}
