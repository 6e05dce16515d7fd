import type { AnyNode, Node } from 'acorn'
import type { Layer, Sink } from '../facts.ts'
import { bodyCarriesForm, cardReads } from './card-reads.ts'
import type { Rule } from './types.ts'

// Skimmers on a compromised shop often send what they collect to the shop itself: to a server
// script the attackers dropped where only images, uploads and caches belong
// (`/pub/media/tmp/.cache.php`, `/wp-content/uploads/x.php`). The request never leaves the
// site, so only where it goes gives it away: no shop's own code posts form data there.

/**
 * Rules whose evidence is data that stays on the shop's own site: a visit in which nothing
 * left the site does not clear them.
 */
export const SAME_SITE_EXFIL: ReadonlySet<string> = new Set([
  'drop-in-static-folder',
  'observed-drop-in-static-folder',
  'card-stash-on-site',
])

/** Whether a verdict rests on evidence of exfiltration to the shop's own site. */
export function sameSiteExfil(findings: readonly { rule: string; points: number }[]): boolean {
  return findings.some((f) => f.points > 0 && SAME_SITE_EXFIL.has(f.rule))
}

/** A server script inside a folder of static files, uploads or caches. */
const DROP =
  /\/(?:pub\/media|media|skin|wp-content\/uploads|uploads?|images?|img|static|cache|tmp)\/(?:[^?#\s'"]*\/)?[^/?#\s'"]*\.(?:php\d?|phtml|aspx?|jsp)(?:[?#]|$)/i
/**
 * A static file (an image, a style sheet, a font) in such a folder: the web server hands it out
 * as it is and reads no request body; only code planted to catch requests there does.
 */
const STATIC_FILE =
  /\/(?:pub\/media|media|skin|wp-content\/uploads|uploads?|images?|img|static|cache|tmp)\/(?:[^?#\s'"]*\/)?[^/?#\s'"]*\.(?:jpe?g|png|gif|webp|avif|bmp|svg|ico|css|woff2?|ttf|otf)(?:[?#]|$)/i
/** Requests whose body the server is asked to take. */
const BODIES = new Set(['fetch', 'xhr', 'beacon'])
/** Hidden file names (`.cache.php`) are never a shop's own endpoint. */
const HIDDEN_SCRIPT = /\/\.[^/?#\s'"]+\.(?:php\d?|phtml|aspx?|jsp)(?:[?#]|$)/i

/** Whether a URL (or the constant text of one) names a server script dropped among static files. */
export function inStaticFolder(url: string): boolean {
  return DROP.test(url) || HIDDEN_SCRIPT.test(url)
}

/** The constant pieces a URL is built from, through names that hold them (a few hops). */
function pieces(node: Node, layer: Layer, depth = 0): string[] {
  const n = node as AnyNode
  if (depth > 6) return []
  const whole = layer.folder.foldString(n)
  if (whole !== undefined) return [whole]
  if (n.type === 'BinaryExpression' && n.operator === '+')
    return [...pieces(n.left, layer, depth + 1), ...pieces(n.right, layer, depth + 1)]
  if (n.type === 'TemplateLiteral') return n.quasis.map((q) => q.value.cooked ?? '')
  if (n.type === 'Identifier') {
    const init = layer.initOf(n)
    return init ? pieces(init, layer, depth + 1) : []
  }
  return []
}

export const dropInStaticFolder = {
  id: 'drop-in-static-folder',
  severity: 'high',
  description: 'Sends form data to a server script hidden in a folder of images, uploads or caches',
  points: 60,
  check(script) {
    const reads = cardReads(script)
    const read = reads.strong ?? reads.generic
    if (!read) return []
    // a scheme and host read at run time leave only their slashes: `///pub/media/…` reads as a path
    const pathOf = (s: Sink): string =>
      s.url
        ? pieces(s.url, s.layer)
            .join('')
            .replace(/^\/{3,}/, '/')
        : ''
    // `x.send(body)` goes where the layer's `x.open(method, url)` points
    const opened = script.sinks.filter((o) => o.kind === 'xhr' && STATIC_FILE.test(pathOf(o)))
    for (const s of script.sinks) {
      // a fixed image or script URL is a resource load; a request sends whatever comes with it
      if (s.constant && (s.kind === 'element-src' || s.kind === 'image')) continue
      const opener = s.url || s.kind !== 'xhr' ? undefined : opened.find((o) => o.layer === s.layer)
      const path = opener ? pathOf(opener) : pathOf(s)
      if (!path) continue
      const posted = BODIES.has(s.kind) && STATIC_FILE.test(path) && bodyCarriesForm(s)
      if (!inStaticFolder(path) && !posted) continue
      return [
        {
          site: s.site,
          message: `reads ${reads.strong ? 'card fields' : 'every form field'} and sends ${posted ? 'their values in a request body' : 'them'} to ${path.slice(0, 120)}, ${posted ? 'a static file' : 'a server script'} in a folder of static files`,
          // card fields sent there weigh as card values sent to a foreign host
          points: reads.strong ? 60 : 45,
        },
      ]
    }
    return []
  },
} satisfies Rule
