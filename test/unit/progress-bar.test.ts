// The terminal progress bar: drawn in place on a TTY, silent otherwise.
import { describe, expect, it } from 'vitest'
import { progressBar } from '../../cli/progress-bar.ts'

const sink = (isTTY: boolean) => {
  const out: string[] = []
  return { isTTY, columns: 200, write: (t: string) => out.push(t), out }
}

describe('progress bar', () => {
  it('redraws one line with count, rate and time left, and keeps logged lines above it', () => {
    const s = sink(true)
    let t = 0
    const bar = progressBar('seed', 100, s, () => t)
    t = 2_000
    bar.update(50, 'shop-49.example')
    expect(s.out.at(-1)).toBe(
      '\r\x1b[2Kseed [############------------] 50/100 25.0/s eta 2s  shop-49.example',
    )
    bar.log('shop-3.example malicious')
    expect(s.out.slice(-3)).toEqual([
      '\r\x1b[2K',
      'shop-3.example malicious\n',
      'seed [############------------] 50/100 25.0/s eta 2s  shop-49.example',
    ])
    t = 4_000
    bar.update(100)
    expect(s.out.at(-1)).toBe('\r\x1b[2Kseed [########################] 100/100 25.0/s')
    bar.finish()
    expect(s.out.at(-1)).toBe('\r\x1b[2K')
  })

  it('writes nothing when the stream is not a terminal', () => {
    const s = sink(false)
    const bar = progressBar('run', 10, s)
    bar.update(5)
    bar.log('x')
    bar.finish()
    expect(bar.active).toBe(false)
    expect(s.out).toEqual([])
  })
})
