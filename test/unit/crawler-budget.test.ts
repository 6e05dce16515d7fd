import { EventEmitter } from 'node:events'
import type { CDPSession, Page } from 'playwright'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { BudgetExceeded, watchBudgets, type Budgets } from '../../crawler/budget.ts'

const MAIN = 'frame-main'

function fakes() {
  const cdp = new EventEmitter() as EventEmitter & { sent: string[] }
  cdp.sent = []
  Object.assign(cdp, {
    send: (method: string) => {
      cdp.sent.push(method)
      return Promise.resolve({})
    },
  })
  const page = Object.assign(new EventEmitter(), { url: () => 'about:blank' })
  return { cdp, page }
}

function watch(budgets: Partial<Budgets> = {}, timeoutMs = 60_000) {
  const { cdp, page } = fakes()
  const monitor = watchBudgets(page as unknown as Page, cdp as unknown as CDPSession, {
    timeoutMs,
    budgets,
  })
  let n = 0
  const doc = (url: string, redirect = false, id = 'nav') =>
    cdp.emit('Network.requestWillBeSent', {
      requestId: id,
      loaderId: id,
      frameId: MAIN,
      type: 'Document',
      request: { url },
      ...(redirect ? { redirectResponse: { status: 302 } } : {}),
    })
  const sub = (url = `http://shop.test/i/${n}.gif`) =>
    cdp.emit('Network.requestWillBeSent', {
      requestId: `r${n++}`,
      loaderId: 'nav',
      frameId: MAIN,
      type: 'Image',
      request: { url },
    })
  return { monitor, cdp, doc, sub }
}

afterEach(() => {
  vi.useRealTimers()
})

describe('watchBudgets', () => {
  it('breaks the request budget on the first request over it, per page', async () => {
    const { monitor, cdp, doc, sub } = watch({ requests: 5 })
    doc('http://shop.test/')
    for (let i = 0; i < 4; i++) sub()
    doc('http://shop.test/cart/', false, 'nav2')
    for (let i = 0; i < 4; i++) sub()
    expect(monitor.reason()).toBeNull()
    sub()
    sub()
    await expect(monitor.broken).rejects.toBeInstanceOf(BudgetExceeded)
    expect(monitor.reason()).toBe('more than 5 requests (request budget) on http://shop.test/cart/')
    expect(cdp.sent).toEqual(
      expect.arrayContaining(['Network.emulateNetworkConditions', 'Page.stopLoading']),
    )
    monitor.stop()
  })

  it('ignores data: URLs', () => {
    const { monitor, doc, sub } = watch({ requests: 2 })
    doc('http://shop.test/')
    for (let i = 0; i < 10; i++) sub('data:image/gif;base64,R0lGOD')
    expect(monitor.reason()).toBeNull()
    monitor.stop()
  })

  it('counts the redirect chain of the main frame', async () => {
    const { monitor, doc } = watch({ redirects: 3 })
    doc('http://loop.test/')
    for (let i = 1; i <= 3; i++) doc(`http://loop.test/?n=${i}`, true)
    expect(monitor.reason()).toBeNull()
    doc('http://loop.test/?n=4', true)
    await expect(monitor.broken).rejects.toThrow(
      'redirected more than 3 times (redirect budget) at http://loop.test/?n=4',
    )
    monitor.stop()
  })

  it('sums bytes as they stream and does not count them twice at the end', async () => {
    const { monitor, cdp, doc } = watch({ bytes: 1000 })
    doc('http://big.test/')
    cdp.emit('Network.dataReceived', { requestId: 'a', dataLength: 400, encodedDataLength: 0 })
    cdp.emit('Network.loadingFinished', { requestId: 'a', encodedDataLength: 300 })
    cdp.emit('Network.dataReceived', { requestId: 'b', dataLength: 0, encodedDataLength: 500 })
    cdp.emit('Network.loadingFinished', { requestId: 'b', encodedDataLength: 550 })
    expect(monitor.reason()).toBeNull()
    cdp.emit('Network.dataReceived', { requestId: 'c', dataLength: 60, encodedDataLength: 60 })
    await expect(monitor.broken).rejects.toThrow(
      /^page larger than 1000 bytes \(response bytes budget\) at http:\/\/big\.test\/$/,
    )
    monitor.stop()
  })

  it('breaks the time budget naming the page still loading', async () => {
    vi.useFakeTimers()
    const { monitor, doc } = watch({}, 30_000)
    doc('http://hang.test/')
    vi.advanceTimersByTime(29_999)
    expect(monitor.reason()).toBeNull()
    vi.advanceTimersByTime(1)
    await expect(monitor.broken).rejects.toThrow(
      'time budget of 30000 ms exceeded while loading http://hang.test/',
    )
  })

  it('keeps the first reason when several budgets break', () => {
    const { monitor, doc, sub } = watch({ requests: 1, redirects: 0 })
    doc('http://shop.test/')
    sub()
    sub()
    doc('http://shop.test/?again', true)
    expect(monitor.reason()).toMatch(/^more than 1 requests/)
    monitor.stop()
  })
})
