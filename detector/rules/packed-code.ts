import type { Rule } from './types.ts'

// Plenty of honest old plugins ship packed, so the wrapper alone is a note, not evidence;
// what the payload does is judged in its decoded layer like any plain script.
export const packedCode = {
  id: 'packed-code',
  severity: 'info',
  description: "Wrapped in Dean Edwards' p,a,c,k,e,d packer (unpacked statically)",
  points: 0,
  check(script) {
    return script.packed.map((p) => ({
      site: p.site,
      message: 'packed with p,a,c,k,e,d; the unpacked code is judged as a decoded layer',
    }))
  },
} satisfies Rule
