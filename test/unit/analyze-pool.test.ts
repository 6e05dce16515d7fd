import { describe, expect, it } from 'vitest'
import { largest, threadCount } from '../../cli/analyze-pool.ts'

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

  it('running from source, judges on the main thread whatever is configured', () => {
    // the worker script is the compiled build's: without it there are no threads
    expect(threadCount(['x.js', 'y.js'], 4)).toBe(1)
  })
})
