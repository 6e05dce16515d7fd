import { CARD_FIELD } from '../patterns.ts'
import type { Evidence, Rule } from './types.ts'

const HTML_SINKS = new Set(['innerHTML', 'outerHTML'])
const HTML_CALLS = new Set([
  'insertAdjacentHTML',
  'write',
  'html',
  'append',
  'prepend',
  'after',
  'before',
  'replaceWith',
])

export const fakePaymentForm = {
  id: 'fake-payment-form',
  severity: 'high',
  description: 'Injects its own card-entry form (HTML with card inputs) into the page',
  points: 35,
  check(script) {
    const isCardForm = (html: string | undefined): boolean =>
      html !== undefined && /<input/i.test(html) && CARD_FIELD.test(html)
    // A form whose values this script never sends anywhere is the page's own to submit: a
    // card-input component renders one. Said, at fewer points; with any outbound channel in
    // the script (or code it loads) it is the full finding.
    const quiet = script.sinks.length === 0 && script.imports.length === 0
    const found = (site: Evidence['site'], message: string): Evidence[] => [
      quiet
        ? {
            site,
            message: `${message}; the script sends nothing itself`,
            points: 10,
            severity: 'low',
          }
        : { site, message },
    ]
    for (const a of script.assigns) {
      if (
        HTML_SINKS.has(a.target) &&
        isCardForm(a.layer.folder.foldString(a.value) ?? a.layer.leadingString(a.value))
      )
        return found(a.site, `writes a card form into .${a.target}`)
    }
    for (const c of script.calls) {
      if (!HTML_CALLS.has(c.name)) continue
      if (c.args.some((x) => isCardForm(c.layer.folder.foldString(x))))
        return found(c.site, `injects a card form with ${c.name}()`)
    }
    return []
  },
} satisfies Rule
