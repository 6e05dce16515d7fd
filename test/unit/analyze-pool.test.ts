import { describe, expect, it } from 'vitest'
import { defaultThreads, largest, THREADED_BYTES, threadCount } from '../../cli/analyze-pool.ts'

describe('analyze thread pool', () => {
  it('hands out the largest waiting file first, the earlier one of equal size first', () => {
    const queue = [
      { file: 'a', size: 10 },
      { file: 'b', size: 300 },
      { file: 'c', size: 40 },
      { file: 'd', size: 300 },
    ]
    const order: string[] = []
    for (let job = largest(queue); job; job = largest(queue)) order.push(job.file)
    expect(order).toEqual(['b', 'd', 'c', 'a'])
    expect(queue).toHaveLength(0)
  })

  it('by default leaves one core to V8, keeps small batches on the main thread, stops at 8', () => {
    const big = THREADED_BYTES
    expect(defaultThreads(big - 1, 50, 16)).toBe(1)
    expect(defaultThreads(big, 50, 2)).toBe(1)
    expect(defaultThreads(big, 50, 4)).toBe(3)
    expect(defaultThreads(big, 50, 32)).toBe(8)
    expect(defaultThreads(big, 2, 16)).toBe(2)
    expect(defaultThreads(big, 50, 1)).toBe(1)
  })

  it('running from source, judges on the main thread whatever is configured', () => {
    // the worker script is the compiled build's: without it there are no threads
    expect(threadCount(['x.js', 'y.js'], 4)).toBe(1)
  })
})
