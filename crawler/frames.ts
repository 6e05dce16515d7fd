// Page-side work in an isolated world per same-origin frame, through the visit's CDP session.
// An isolated world shares the DOM but not the page's globals: page scripts cannot see or fake
// what the crawler does, and our reads never trip the init script's card-read hooks.
import type { CDPSession } from 'playwright'

export interface FrameWorld {
  contextId: number
  url: string
  main: boolean
}

interface FrameTree {
  frame: { id: string; url: string; parentId?: string }
  childFrames?: FrameTree[]
}

const WORLD = 'skimwatch-fill'
const EVAL_MS = 3000

function originOf(url: string): string | null {
  try {
    return new URL(url).origin
  } catch {
    return null
  }
}

function flatten(tree: FrameTree, out: FrameTree['frame'][] = []): FrameTree['frame'][] {
  out.push(tree.frame)
  for (const child of tree.childFrames ?? []) flatten(child, out)
  return out
}

/** The main frame and every frame of the same origin (about:blank and srcdoc included). */
export async function sameOriginWorlds(cdp: CDPSession): Promise<FrameWorld[]> {
  const { frameTree } = (await cdp.send('Page.getFrameTree')) as { frameTree: FrameTree }
  const frames = flatten(frameTree)
  const mainOrigin = originOf(frameTree.frame.url)
  const wanted = frames.filter(
    (f) =>
      f.parentId === undefined ||
      f.url === 'about:blank' ||
      f.url === 'about:srcdoc' ||
      originOf(f.url) === mainOrigin,
  )
  const worlds = await Promise.all(
    wanted.map(async (f) => {
      const world = (await cdp
        .send('Page.createIsolatedWorld', { frameId: f.id, worldName: WORLD })
        .catch(() => null)) as { executionContextId: number } | null
      return world === null
        ? null
        : { contextId: world.executionContextId, url: f.url, main: f.parentId === undefined }
    }),
  )
  return worlds.filter((w): w is FrameWorld => w !== null)
}

/** Calls the page-side function `fn` (source text) with `arg` in `world`; null when it fails. */
export async function callIn<T>(
  cdp: CDPSession,
  world: FrameWorld,
  fn: string,
  arg: unknown,
): Promise<T | null> {
  const call = cdp
    .send('Runtime.evaluate', {
      expression: `(${fn})(${JSON.stringify(arg)})`,
      contextId: world.contextId,
      returnByValue: true,
      awaitPromise: true,
    })
    .then((r) => {
      const { result, exceptionDetails } = r as {
        result: { value?: unknown }
        exceptionDetails?: unknown
      }
      return exceptionDetails === undefined ? ((result.value ?? null) as T | null) : null
    })
    .catch(() => null)
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<null>((r) => {
    timer = setTimeout(() => r(null), EVAL_MS)
  })
  try {
    return await Promise.race([call, late])
  } finally {
    clearTimeout(timer)
  }
}

/** The frame's serialised DOM, as page.content() gives it. */
export const HTML_FN = `() => {
  const dt = document.doctype;
  const head = dt ? '<!DOCTYPE ' + dt.name + '>' : '';
  return head + (document.documentElement ? document.documentElement.outerHTML : '');
}`
