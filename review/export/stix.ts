// Confirmed indicators as a STIX 2.1 bundle: indicators (file hash, URL, domain patterns),
// one malware object per confirmed script, and `indicates` relationships between them.
import { uuidV5, type Indicator } from './indicators.ts'

/** The predefined TLP:AMBER marking of STIX 2.1 (section 7.2.1.4). */
export const TLP_AMBER = 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82'

type StixObject = Record<string, unknown> & { type: string; id: string }

const stixId = (type: string, name: string): string => `${type}--${uuidV5(`${type}:${name}`)}`

/** STIX timestamps are RFC 3339 in UTC with a Z. */
const ts = (iso: string): string => new Date(iso).toISOString()

/** A string literal of the STIX patterning language: quotes and backslashes escaped. */
export const patternString = (s: string): string =>
  `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`

export function stixBundle(indicators: Indicator[], now = new Date()): Record<string, unknown> {
  const identity: StixObject = {
    type: 'identity',
    spec_version: '2.1',
    id: stixId('identity', 'skimwatch'),
    created: '2026-01-01T00:00:00.000Z',
    modified: '2026-01-01T00:00:00.000Z',
    name: 'skimwatch',
    identity_class: 'system',
  }
  const objects: StixObject[] = [identity]
  const common = (created: string) => ({
    spec_version: '2.1',
    created: ts(created),
    modified: ts(created),
    created_by_ref: identity.id,
    object_marking_refs: [TLP_AMBER],
  })
  for (const i of indicators) {
    const malware: StixObject = {
      type: 'malware',
      id: stixId('malware', i.sha256),
      ...common(i.confirmedAt),
      name: `web skimmer ${i.sha256.slice(0, 12)}`,
      description: `Card-skimming JavaScript seen on ${i.sites} site(s); rules: ${i.rules.join(', ') || 'none'}. ${i.reason}`,
      is_family: false,
      malware_types: ['spyware'],
      first_seen: ts(i.firstSeen),
      last_seen: ts(i.lastSeen),
    }
    objects.push(malware)
    const patterns: [string, string, string][] = [
      ['file', i.sha256, `[file:hashes.'SHA-256' = ${patternString(i.sha256)}]`],
      ...[...new Set([...i.scriptUrls, ...i.exfilUrls])].map((u): [string, string, string] => [
        'url',
        u,
        `[url:value = ${patternString(u)}]`,
      ]),
      ...i.domains.map((d): [string, string, string] => [
        'domain',
        d,
        `[domain-name:value = ${patternString(d)}]`,
      ]),
    ]
    for (const [kind, value, pattern] of patterns) {
      const indicator: StixObject = {
        type: 'indicator',
        id: stixId('indicator', `${i.sha256} ${kind} ${value}`),
        ...common(i.confirmedAt),
        name: `${kind} of web skimmer ${i.sha256.slice(0, 12)}`,
        indicator_types: ['malicious-activity'],
        pattern,
        pattern_type: 'stix',
        pattern_version: '2.1',
        valid_from: ts(i.confirmedAt),
      }
      objects.push(indicator, {
        type: 'relationship',
        id: stixId('relationship', `${indicator.id} indicates ${malware.id}`),
        ...common(i.confirmedAt),
        relationship_type: 'indicates',
        source_ref: indicator.id,
        target_ref: malware.id,
      })
    }
  }
  return { type: 'bundle', id: `bundle--${uuidV5(`bundle:${now.toISOString()}`)}`, objects }
}
