import type { ScriptFacts, Site } from '../facts.ts'
import { processorOf } from '../processors.ts'
import { destination, JQUERY_PATH } from '../sinks.ts'
import { checkoutGate } from './checkout-url-gating.ts'
import { hostOf } from '../paths.ts'
import { createsScript, JQUERY_INSERTS } from './dynamic-code-from-decoded.ts'
import type { Rule } from './types.ts'

// A skimmer's first stage: on checkout pages only, it adds a script from another host, and it
// hides that script's address (base64, escapes, reversed text, a decoded layer) so that nobody
// reading the page sees where it goes. A tag manager or a widget loads its scripts in the open.

/**
 * Calls whose markup's `<script src>` loads: document.write and jQuery's inserting methods
 * (jQuery runs the scripts it inserts; innerHTML and insertAdjacentHTML never do).
 */
const MARKUP_WRITERS = new Set(['write', 'writeln', ...JQUERY_INSERTS])

/** The address of an external script in markup. */
const SCRIPT_SRC = /<\s*script\b[^>]*?\bsrc\s*=\s*["']?([^"'\s>]+)/i

/**
 * An address is hidden when its host name is nowhere in the file as written: base64, escapes,
 * character codes, reversed or shuffled pieces, a decoded layer. A loader that spells its
 * host in the open (a tag manager, a testing tool) is not hiding where it goes.
 */
function concealed(url: string, source: string): boolean {
  const host = hostOf(url)
  return host !== undefined && !source.toLowerCase().includes(host)
}

interface Load {
  url: string
  site: Site
  how: string
}

/** The address `$.getScript(url)` loads and runs. */
function scriptLoad(c: ScriptFacts['calls'][number]): string | undefined {
  if (c.name !== 'getScript' || !JQUERY_PATH.test(c.object) || !c.args[0]) return undefined
  return c.layer.folder.foldString(c.args[0]) ?? c.layer.leadingString(c.args[0])
}

/** Every script from a hidden address the script adds to the page. */
function hiddenLoads(script: ScriptFacts): Load[] {
  const out: Load[] = []
  for (const c of script.calls) {
    const arg = MARKUP_WRITERS.has(c.name) ? c.args[0] : undefined
    const url = arg && SCRIPT_SRC.exec(c.layer.folder.foldString(arg) ?? '')?.[1]
    if (url && concealed(url, script.source))
      out.push({ url, site: c.site, how: `${c.name}() of <script> markup` })
    // jQuery's script loader fetches the file and runs it
    const loaded = scriptLoad(c)
    if (loaded && concealed(loaded, script.source))
      out.push({ url: loaded, site: c.site, how: 'jQuery.getScript()' })
  }
  if (createsScript(script))
    for (const s of script.sinks) {
      if (s.kind !== 'element-src' || !s.url || s.urlText === undefined) continue
      if (concealed(s.urlText, script.source))
        out.push({ url: s.urlText, site: s.site, how: 'a new <script> element' })
    }
  return out
}

export const hiddenCheckoutLoader = {
  id: 'hidden-checkout-loader',
  severity: 'high',
  description: 'On checkout pages only, adds a script from another host whose address it hides',
  points: 25,
  check(script, ctx) {
    const gate = checkoutGate(script)
    if (!gate) return []
    const load = hiddenLoads(script).find(
      (l) => destination(l.url, ctx) === 'external' && processorOf(l.url) === undefined,
    )
    if (!load) return []
    return [
      {
        site: load.site,
        message: `on checkout pages only (${gate.message.replace(/^acts only on /, '')}), loads a script from ${load.url} through ${load.how}, its address hidden`,
      },
    ]
  },
} satisfies Rule
