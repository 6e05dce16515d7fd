import { describe, expect, it } from 'vitest'
import { fingerprint } from '../../crawler/platform.ts'

const page = (html: string, urls: string[] = [], cookies: string[] = []) => ({
  html: [html],
  urls,
  cookies,
})

describe('fingerprint recognises shop platforms from HTML, cookies and asset paths', () => {
  const cases: Array<
    [string, ReturnType<typeof page>, { name: string; version: string | null } | null]
  > = [
    [
      'Magento 2 static path',
      page('<link href="/static/version1712345678/frontend/Magento/luma/en_US/css/styles-m.css">'),
      { name: 'magento', version: '2' },
    ],
    [
      'Magento 1 skin path',
      page('<link href="/skin/frontend/default/theme/css/styles.css">'),
      { name: 'magento', version: '1' },
    ],
    [
      'Magento by cookie',
      page('<p>shop</p>', [], ['form_key']),
      { name: 'magento', version: null },
    ],
    [
      'WooCommerce generator',
      page('<meta name="generator" content="WooCommerce 8.5.1">'),
      { name: 'woocommerce', version: '8.5.1' },
    ],
    [
      'WooCommerce asset ?ver=',
      page('', [
        'https://s.test/wp-content/plugins/woocommerce/assets/js/frontend/cart.min.js?ver=7.9.0',
      ]),
      { name: 'woocommerce', version: '7.9.0' },
    ],
    [
      'Shopify CDN',
      page('<script src="https://cdn.shopify.com/s/files/1/theme.js"></script>'),
      { name: 'shopify', version: null },
    ],
    [
      'Shopify.theme',
      page('<script>Shopify.theme = {"name":"Dawn"};</script>'),
      { name: 'shopify', version: null },
    ],
    [
      'PrestaShop var',
      page('<script>var prestashop = {"version":"1.7.8.10","currency":{}};</script>'),
      { name: 'prestashop', version: '1.7.8.10' },
    ],
    [
      'OpenCart theme path',
      page('<link href="catalog/view/theme/default/stylesheet/stylesheet.css">'),
      { name: 'opencart', version: null },
    ],
    [
      'OpenCart generator',
      page(
        '<meta name="generator" content="OpenCart 3.0.3.8"><link href="catalog/view/theme/x.css">',
      ),
      { name: 'opencart', version: '3.0.3.8' },
    ],
    [
      'BigCommerce stencil',
      page('<script>window.stencilBootstrap("product", "{}")</script>'),
      { name: 'bigcommerce', version: null },
    ],
    [
      'plain WordPress',
      page(
        '<meta name="generator" content="WordPress 6.4.2"><link href="/wp-content/themes/x/style.css">',
      ),
      { name: 'wordpress', version: '6.4.2' },
    ],
    ['nothing known', page('<html><body>hand made</body></html>'), null],
  ]
  it.each(cases)('%s', (_, evidence, expected) => {
    expect(fingerprint(evidence)).toEqual(expected)
  })
})
