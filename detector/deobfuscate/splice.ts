import type { Node } from 'acorn'
// Text edits over a source, with a map from offsets in the edited text back to the original.

export interface Edit {
  start: number
  end: number
  text: string
  /** the expression replaced and the value written for it, when the edit writes a value */
  wrote?: { node: Node; value: string | number }
}

export interface Position {
  line: number
  column: number
}

export interface Spliced {
  text: string
  /** the edits applied, in order (an edit overlapping an earlier one is dropped) */
  kept: Edit[]
  /** where an offset of the edited text came from, as an offset of the original */
  origin(offset: number): number
}

/** Apply non-overlapping edits (overlaps keep the outermost, earliest edit). */
export function splice(source: string, edits: Edit[]): Spliced {
  const sorted = [...edits].sort((a, b) => a.start - b.start || b.end - a.end)
  const kept: Edit[] = []
  let end = -1
  for (const e of sorted) {
    if (e.start < end) continue
    kept.push(e)
    end = e.end
  }
  // newStarts[i]: offset in the edited text where kept[i]'s replacement begins
  const newStarts: number[] = []
  let out = ''
  let from = 0
  for (const e of kept) {
    out += source.slice(from, e.start)
    newStarts.push(out.length)
    out += e.text
    from = e.end
  }
  out += source.slice(from)
  const toOriginal = (offset: number): number => {
    let lo = 0
    let hi = kept.length - 1
    let at = -1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      if ((newStarts[mid] as number) <= offset) {
        at = mid
        lo = mid + 1
      } else hi = mid - 1
    }
    if (at < 0) return offset
    const e = kept[at] as Edit
    const rel = offset - (newStarts[at] as number)
    return rel < e.text.length ? e.start : e.end + (rel - e.text.length)
  }
  return { text: out, kept, origin: toOriginal }
}

/** Offsets where each line begins, by acorn's line breaks: \n, \r\n, \r, U+2028, U+2029. */
export function lineStarts(source: string): number[] {
  const starts = [0]
  if (!/[\r\u2028\u2029]/.test(source)) {
    for (let i = source.indexOf('\n'); i >= 0; i = source.indexOf('\n', i + 1)) starts.push(i + 1)
    return starts
  }
  const breaks = /\r\n?|[\n\u2028\u2029]/g
  for (let m = breaks.exec(source); m; m = breaks.exec(source)) starts.push(m.index + m[0].length)
  return starts
}

export function positionIn(starts: number[], offset: number): Position {
  let lo = 0
  let hi = starts.length - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if ((starts[mid] as number) <= offset) lo = mid
    else hi = mid - 1
  }
  return { line: lo + 1, column: offset - (starts[lo] as number) }
}
