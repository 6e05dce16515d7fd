import type { Node } from 'acorn'
import type { AssignFact, Layer, ScriptFacts, Site, Taint } from '../facts.ts'
import { CARD_FIELD } from '../patterns.ts'
import { CSS_URL, VALUE_SELECTOR } from '../taint.ts'
import { madeBy } from '../sinks.ts'
import { cardReads } from './card-reads.ts'
import type { Evidence, Rule } from './types.ts'

/** Properties whose text becomes a style sheet or markup (and a `url(…)` in it a request). */
const TEXT_PROPS = new Set(['textContent', 'innerHTML', 'outerHTML', 'innerText', 'cssText'])
/** Style properties that take a `url(…)`. */
const URL_STYLE =
  /^(background|backgroundImage|listStyle|listStyleImage|content|borderImage|cursor)$/
/** Calls that put style or markup text into the page, and which argument is the text. */
const TEXT_CALLS = new Map([
  ['insertRule', 0],
  ['replaceSync', 0],
  ['replace', 0],
  ['addRule', 1],
  ['appendRule', 0],
  ['setProperty', 1],
  ['createTextNode', 0],
  ['write', 0],
  ['writeln', 0],
  ['insertAdjacentHTML', 1],
  ['text', 0],
  ['html', 0],
  ['append', 0],
  ['prepend', 0],
  // `new FontFace(family, 'url(…)')`: the Font Loading API's source descriptor
  ['FontFace', 1],
])
/** Where the text can only be CSS: a url() in it is requested, whatever else is around it. */
const STYLE_ONLY = new Set([
  'insertRule',
  'replaceSync',
  'addRule',
  'appendRule',
  'setProperty',
  'FontFace',
])

interface StyleWrite {
  site: Site
  taint: Set<Taint>
  /** the text is a style sheet or a style value, not markup that may hold one */
  css: boolean
}

/** `var st = document.createElement('style')`: the element an assignment writes to is a style. */
function madeStyle(a: AssignFact): boolean {
  const made = madeBy(a)
  if (made?.type !== 'CallExpression' || !made.arguments[0]) return false
  return (
    a.layer.folder
      .foldString(made.arguments[0] as Node)
      ?.trim()
      .toLowerCase() === 'style'
  )
}

function styleWrites(script: ScriptFacts): StyleWrite[] {
  const out: StyleWrite[] = []
  const add = (layer: Layer, node: Node | undefined, site: Site, css: boolean): void => {
    if (!node) return
    const taint = layer.taint(node)
    if (taint.has('css-url')) out.push({ site, taint, css })
  }
  for (const a of script.assigns) {
    if (TEXT_PROPS.has(a.target))
      add(a.layer, a.value, a.site, a.target === 'cssText' || madeStyle(a))
    else if (URL_STYLE.test(a.target) && /(^|\.)style$/.test(a.object))
      add(a.layer, a.value, a.site, true)
  }
  for (const c of script.calls) {
    const at = TEXT_CALLS.get(c.name)
    if (at !== undefined) add(c.layer, c.args[at], c.site, STYLE_ONLY.has(c.name))
  }
  return out
}

/** `el.setAttribute('value', el.value)`, `el.defaultValue = el.value`: typed text made markup. */
function mirrorsValues(script: ScriptFacts): boolean {
  const typed = (layer: Layer, n: Node | undefined): boolean =>
    n !== undefined && layer.taint(n).has('value')
  return (
    script.calls.some(
      (c) =>
        (c.name === 'setAttribute' || c.name === 'attr') &&
        c.args[0] !== undefined &&
        c.layer.folder.foldString(c.args[0]) === 'value' &&
        typed(c.layer, c.args[1]),
    ) || script.assigns.some((a) => a.target === 'defaultValue' && typed(a.layer, a.value))
  )
}

/**
 * CSS as the way out: a style whose `url(…)` carries what was typed, or whose selectors match
 * the typed value of card fields (`input[name*=cc][value$="4"]`) and load a URL for each match.
 * The browser makes the requests; no send call is ever written.
 */
export const cssExfil = {
  id: 'css-exfil',
  severity: 'critical',
  description:
    'Writes CSS that makes the browser request URLs carrying, or chosen by, what is typed into card fields',
  points: 70,
  check(script) {
    // Taint is the costly part: only where the text has a url() and something to key it on.
    const texts = [script.source, ...script.layers]
    if (!texts.some((t) => CSS_URL.test(t))) return []
    const keys =
      texts.some((t) => VALUE_SELECTOR.test(t)) ||
      cardReads(script).strong !== undefined ||
      script.strings.some((s) => s.value.length < 200 && CARD_FIELD.test(s.value))
    if (!keys) return []
    const writes = styleWrites(script)
    if (writes.length === 0) return []
    const keyed = writes.find((w) => w.taint.has('value-selector') && w.taint.has('card'))
    if (keyed) {
      // A page's own fields keep what is typed out of their value attribute: copying it there is
      // what lets those selectors see it. A framework that does so itself leaves the doubt.
      const mirrored = mirrorsValues(script)
      return [
        {
          site: keyed.site,
          message: `writes CSS whose selectors match the value typed into card fields and load a URL for each match${mirrored ? ", and copies typed values into the fields' value attribute (a CSS keylogger)" : ''}`,
          points: mirrored ? 70 : 45,
        },
      ]
    }
    const strong = cardReads(script).strong !== undefined
    // markup may hold an unrelated url() beside a value it shows: only style text counts here
    const carried = writes.find(
      (w) =>
        w.css &&
        (w.taint.has('value') || w.taint.has('harvest')) &&
        (strong || w.taint.has('card')),
    )
    if (!carried) return []
    const ev: Evidence = {
      site: carried.site,
      message: 'writes CSS whose url() carries typed field values: the browser requests it',
      points: 60,
    }
    return [ev]
  },
} satisfies Rule
