import type { Rule } from './types.ts'

// Method names of sold skimmer kits (Inter / "Sniffer" family write-ups): property names
// survive minification and renaming of the kit object.
const KIT_METHODS = new Set([
  'SaveParam',
  'SendData',
  'GetCCInfo',
  'TrySend',
  'IsValid',
  'LoadImage',
  'GetImageUrl',
  'SaveAllFields',
  'GetCCData',
  'CreateImage',
])

export const skimmerKitStructure = {
  id: 'skimmer-kit-structure',
  severity: 'critical',
  description:
    'Has the structure of a sold skimmer kit: one object calling SaveParam / SendData / GetCCInfo-style methods',
  points: 50,
  check(script) {
    const byObject = new Map<string, Set<string>>()
    for (const c of script.calls) {
      if (!KIT_METHODS.has(c.name) || c.object === '') continue
      const set = byObject.get(c.object) ?? new Set<string>()
      set.add(c.name)
      byObject.set(c.object, set)
    }
    for (const [object, names] of byObject) {
      if (names.size < 2) continue
      const site = script.calls.find((c) => c.object === object && KIT_METHODS.has(c.name))?.site
      if (site)
        return [
          {
            site,
            message: `kit object ${object} drives ${[...names].join(', ')} (Inter-style Gate)`,
          },
        ]
    }
    const data = script.assigns.find(
      (a) => /\.Data$/.test(a.object) && a.layer.taint(a.value).has('value'),
    )
    const kitCall = script.calls.find((c) => KIT_METHODS.has(c.name))
    if (data && kitCall)
      return [
        {
          site: data.site,
          message: `stores field values in ${a(data.object)} and calls ${kitCall.name}`,
        },
      ]
    return []
  },
} satisfies Rule

function a(object: string): string {
  return object.length > 40 ? `${object.slice(0, 40)}…` : object
}
