// Confirmed indicators as STIX 2.1: indicators (file hash, URL, domain patterns), one malware
// object per confirmed script, and `indicates` relationships between them, each marked with the
// TLP it is shared under.
import type { Tlp } from '../../store/index.ts'
import { uuidV5, type Indicator } from './indicators.ts'

/** The predefined TLP:AMBER marking of STIX 2.1 (section 7.2.1.4), TLP 1.0. */
export const TLP_AMBER = 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82'

/** The TLP 2.0 marking definitions OASIS publishes for STIX 2.1 (stix-common-objects). */
export const TLP2_MARKINGS: Record<Tlp, string> = {
  clear: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  green: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  amber: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'amber+strict': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  red: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
}
const TLP2_EXTENSION = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d'

export type StixObject = Record<string, unknown> & { type: string; id: string }

const stixId = (type: string, name: string): string => `${type}--${uuidV5(`${type}:${name}`)}`

/** STIX timestamps are RFC 3339 in UTC with a Z. */
const ts = (iso: string): string => new Date(iso).toISOString()

/** A string literal of the STIX patterning language: quotes and backslashes escaped. */
export const patternString = (s: string): string =>
  `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`

export const IDENTITY: StixObject = {
  type: 'identity',
  spec_version: '2.1',
  id: stixId('identity', 'skimwatch'),
  created: '2026-01-01T00:00:00.000Z',
  modified: '2026-01-01T00:00:00.000Z',
  name: 'skimwatch',
  identity_class: 'system',
}

/** The TLP 2.0 marking-definition object, as OASIS publishes it. */
export function tlpMarkingDefinition(tlp: Tlp): StixObject {
  return {
    type: 'marking-definition',
    spec_version: '2.1',
    id: TLP2_MARKINGS[tlp],
    created: '2022-10-01T00:00:00.000Z',
    name: `TLP:${tlp.toUpperCase()}`,
    extensions: { [TLP2_EXTENSION]: { extension_type: 'property-extension', tlp_2_0: tlp } },
  }
}

export interface Version {
  markingRefs: string[]
  /** when this version was made; the creation time when absent */
  modified?: string
  revoked?: boolean
}

/** The malware object, and an indicator and an `indicates` relationship per value, of one script. */
export function indicatorObjects(i: Indicator, version: Version): StixObject[] {
  const created = ts(i.confirmedAt)
  const modified =
    version.modified && ts(version.modified) > created ? ts(version.modified) : created
  const common = {
    spec_version: '2.1',
    created,
    modified,
    created_by_ref: IDENTITY.id,
    ...(version.revoked ? { revoked: true } : {}),
    object_marking_refs: version.markingRefs,
  }
  const malware: StixObject = {
    type: 'malware',
    id: stixId('malware', i.sha256),
    ...common,
    name: `web skimmer ${i.sha256.slice(0, 12)}`,
    description: `Card-skimming JavaScript seen on ${i.sites} site(s); rules: ${i.rules.join(', ') || 'none'}. ${i.reason}`,
    is_family: false,
    malware_types: ['spyware'],
    first_seen: ts(i.firstSeen),
    last_seen: ts(i.lastSeen),
  }
  const objects: StixObject[] = [malware]
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
      ...common,
      name: `${kind} of web skimmer ${i.sha256.slice(0, 12)}`,
      indicator_types: ['malicious-activity'],
      pattern,
      pattern_type: 'stix',
      pattern_version: '2.1',
      valid_from: created,
    }
    objects.push(indicator, {
      type: 'relationship',
      id: stixId('relationship', `${indicator.id} indicates ${malware.id}`),
      ...common,
      relationship_type: 'indicates',
      source_ref: indicator.id,
      target_ref: malware.id,
    })
  }
  return objects
}

export function stixBundle(indicators: Indicator[], now = new Date()): Record<string, unknown> {
  const objects: StixObject[] = [IDENTITY]
  for (const i of indicators) objects.push(...indicatorObjects(i, { markingRefs: [TLP_AMBER] }))
  return { type: 'bundle', id: `bundle--${uuidV5(`bundle:${now.toISOString()}`)}`, objects }
}
