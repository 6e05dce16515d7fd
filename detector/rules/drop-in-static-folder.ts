import type { AnyNode, Node } from 'acorn'
import type { Layer, Sink } from '../facts.ts'
import { propertyValue } from '../deobfuscate/fold.ts'
import { receiverOf } from '../sinks.ts'
import { cardReads, formTaint } from './card-reads.ts'
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
/** Methods whose requests carry no body. */
const NO_BODY = /^\s*(GET|HEAD)\s*$/i

/** An object literal's property of that name, written as a name or a string. */
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
    const opens = script.calls.filter(
      (c) => c.name === 'open' && c.object !== '' && c.args.length >= 2,
    )
    // the static file a request posts field values to, in its body (a GET or HEAD has none)
    const postedTo = (s: Sink): string | undefined => {
      let path = pathOf(s)
      let body: Node | undefined
      if (s.kind === 'beacon') body = s.data[0]
      else if (s.kind === 'fetch') {
        const opts = s.data[0] as AnyNode | undefined
        if (opts?.type !== 'ObjectExpression') return undefined
        const method = s.layer.folder.foldString(propertyValue(opts, 'method') ?? opts)
        if (!method || NO_BODY.test(method)) return undefined
        body = propertyValue(opts, 'body')
      } else if (s.kind === 'xhr' && !s.url) {
        // `x.send(body)` goes where `x.open(method, url)` points, on that same object
        const send = script.calls.find(
          (c) =>
            c.name === 'send' &&
            c.layer === s.layer &&
            c.site.line === s.site.line &&
            c.site.column === s.site.column,
        )
        const on = send && receiverOf(send)
        const open =
          on === undefined
            ? undefined
            : opens.find((o) => o.layer === s.layer && receiverOf(o) === on)
        const method = open && s.layer.folder.foldString(open.args[0] as Node)
        if (!open || !method || NO_BODY.test(method)) return undefined
        path = pieces(open.args[1] as Node, s.layer)
          .join('')
          .replace(/^\/{3,}/, '/')
        body = s.data[0]
      }
      return body && STATIC_FILE.test(path) && formTaint(s, body) ? path : undefined
    }
    for (const s of script.sinks) {
      // a fixed image or script URL is a resource load; a request sends whatever comes with it
      if (s.constant && (s.kind === 'element-src' || s.kind === 'image')) continue
      const file = postedTo(s)
      const posted = file !== undefined
      const path = file ?? pathOf(s)
      if (!path || (!posted && !inStaticFolder(path))) continue
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
