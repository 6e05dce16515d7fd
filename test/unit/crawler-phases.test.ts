// The visit's phase clock: one phase runs at a time, a nested phase counts once, the parts add up.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { phaseClock } from '../../crawler/phases.ts'

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['performance'] })
})
afterEach(() => {
  vi.useRealTimers()
})

const pass = (ms: number) => vi.advanceTimersByTime(ms)

describe('phaseClock', () => {
  it('gives a nested phase its own time and the outer phase the rest', async () => {
    const clock = phaseClock('context')
    pass(100)
    clock.enter('find')
    await clock.during('steps', async () => {
      pass(30)
      await clock.during('settle step', async () => {
        pass(200)
        return Promise.resolve()
      })
      pass(20)
    })
    pass(50)
    expect(clock.times()).toEqual({ context: 100, find: 50, steps: 50, 'settle step': 200 })
  })

  it('gives the time back to the outer phase when the inner one throws', async () => {
    const clock = phaseClock('find')
    const failing = clock.during('pay', async () => {
      pass(40)
      return Promise.reject(new Error('gone'))
    })
    await expect(failing).rejects.toThrow('gone')
    pass(10)
    expect(clock.times()).toEqual({ find: 10, pay: 40 })
  })
})
