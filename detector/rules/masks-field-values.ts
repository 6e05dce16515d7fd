import { cardReads, maskingExplains } from './card-reads.ts'
import type { Rule } from './types.ts'

/**
 * Session replay and form analytics read card fields to mask them: the masking itself is what
 * fusion weighs against what the chamber saw leave (readable events without the card).
 */
export const masksFieldValues = {
  id: 'masks-field-values',
  severity: 'info',
  description: 'Names card fields and masks field values before anything is sent',
  points: 0,
  check(script) {
    if (!maskingExplains(script)) return []
    const reads = cardReads(script)
    const read = reads.strong ?? reads.generic
    return read
      ? [{ site: read, message: 'masks the values of the fields it reads', points: 0 }]
      : []
  },
} satisfies Rule
