import type { CallFact, ScriptFacts, Site } from '../facts.ts'
import { decodedName, directlyDecoded } from './dynamic-code-from-decoded.ts'
import type { Rule } from './types.ts'

const IMAGE_URL = /\.(png|jpe?g|gif|ico|webp|bmp|svg)(\?|#|$)|favicon/i
const EVALS = new Set(['eval', 'Function', 'execScript', 'setTimeout', 'setInterval'])

/** Where decoded text is run: eval-like calls with string arguments, or script element text. */
function runsCode(script: ScriptFacts): Site | undefined {
  const call = script.calls.find(
    (c) =>
      EVALS.has(c.name) &&
      (c.object === '' || c.object === 'window') &&
      c.args.length > 0 &&
      decodedArg(c),
  )
  if (call) return call.site
  const makesScript = script.calls.some(
    (c) =>
      c.name === 'createElement' &&
      c.args[0] !== undefined &&
      c.layer.folder.foldString(c.args[0])?.toLowerCase() === 'script',
  )
  return makesScript
    ? script.assigns.find(
        (a) =>
          (a.target === 'text' || a.target === 'textContent') &&
          /^[\w$]+$/.test(a.object) &&
          (directlyDecoded(a.value, a.layer) || decodedName(a.value, a.layer)),
      )?.site
    : undefined
}

function decodedArg(c: CallFact): boolean {
  const arg = c.name === 'Function' ? c.args[c.args.length - 1] : c.args[0]
  if (arg === undefined) return false
  const timer = c.name === 'setTimeout' || c.name === 'setInterval'
  return directlyDecoded(arg, c.layer) || (!timer && decodedName(arg, c.layer))
}

// Loaders are compact: the read, the decode and the run sit together, not 500 KB apart in a bundle.
function near(a: Site, b: Site): boolean {
  if (a.layer !== b.layer) return false
  if (a.line === b.line) return Math.abs(a.column - b.column) < 2000
  // A few lines apart counts only for ordinary lines, not a minified library's one long line.
  return Math.abs(a.line - b.line) < 40 && a.column < 2000 && b.column < 2000
}

/** A call by that name near the site that runs code (bundles hold such calls far away too). */
const calledNear = (script: ScriptFacts, re: RegExp, run: Site): CallFact | undefined =>
  script.calls.find((c) => re.test(c.name) && near(c.site, run))

export const imageStegoLoader = {
  id: 'image-stego-loader',
  severity: 'critical',
  description:
    'Pulls code out of an image, favicon or stylesheet (pixel reads, image bytes, CSS values) and runs it',
  // No legitimate page script runs text pulled out of image pixels or bytes.
  points: 70,
  check(script) {
    const run = runsCode(script)
    if (!run) return []
    const chars = calledNear(script, /^fromCharCode$/, run)
    const text = calledNear(script, /^(atob|decodeURIComponent|unescape)$/, run)
    if (!chars && !text) return []
    const pixels = calledNear(script, /^getImageData$/, run)
    if (pixels && chars)
      return [
        {
          site: pixels.site,
          message: 'reads canvas pixels, turns them into characters and runs the result',
        },
      ]
    const bytes =
      calledNear(script, /^arrayBuffer$/, run) ??
      script.assigns.find(
        (a) =>
          a.target === 'responseType' &&
          near(a.site, run) &&
          a.layer.folder.foldString(a.value) === 'arraybuffer',
      )
    const image = script.strings.find((s) => s.value.length < 500 && IMAGE_URL.test(s.value))
    if (bytes && chars && image)
      return [
        {
          site: bytes.site,
          message: `fetches image bytes (${image.value.slice(0, 60)}), decodes text hidden in them and runs it`,
        },
      ]
    const css = calledNear(script, /^(getComputedStyle|getPropertyValue)$/, run)
    if (css && text)
      return [
        {
          site: css.site,
          message: 'reads a stylesheet value, decodes it and runs it as code',
        },
      ]
    return []
  },
} satisfies Rule
