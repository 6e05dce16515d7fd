// The synthetic checkouts a sample is detonated on, all served from memory at one https origin:
// https://shop.example, or the origin of the page the script was seen on (see originFor).
//
// The platforms, in this order, each at the URL skimmers gate on:
//   magento2     https://shop.example/checkout/#payment      (checkout, payment; require/define;
//                                                             Authorize.Net's card fields and a
//                                                             Braintree hosted-fields method)
//   magento1     https://shop.example/checkout/onepage/?section=billing&layout=onestepcheckout
//                                                            (onepage; billing and onestepcheckout
//                                                             in the query, for href tests)
//   woocommerce  https://shop.example/checkout/              (the exact WooCommerce path; two card
//                                                             gateways' forms: WooCommerce's own
//                                                             and Authorize.Net CIM's field ids;
//                                                             and Stripe's card element)
//   woocommerce-blocks  the same URL, WooCommerce's block checkout: no form post, the order
//                goes as JSON to the Store API by fetch (assets.ts)
//   opencart     https://shop.example/index.php?route=checkout/checkout
//                                                            (the route in the query; its pay
//                                                             button is "Confirm Order", #button-confirm)
// Together the URLs satisfy location tests on checkout, onepage, onestepcheckout, payment,
// billing, pay and order (in the form actions). A test on `location.pathname` alone for
// onestepcheckout or billing is not met. Every page has jQuery; only Magento 2 has AMD; Magento 1
// has Prototype and its one-page checkout objects (magento1.ts), `$` being Prototype's. The
// WooCommerce and OpenCart checkouts place the order as those platforms' scripts do: the form
// serialized with jQuery and posted with $.ajax to its action; Magento 2's posts the payment
// data as JSON to its REST payment-information endpoint (assets.ts); Magento 1's
// steps post with Ajax.Request, and its forms and PrestaShop's are submitted by the browser.
//
// After them, a sample that wrote to storage (localStorage, sessionStorage, a cookie, an
// IndexedDB database) also runs on an order-confirmation page, with that storage kept: code that
// stashes the card at checkout and sends it once the order is placed does so there.

export const ORIGIN = 'https://shop.example'
/** The guest cart's masked id in Magento 2's checkout config; its REST calls carry it. */
export const MAGENTO2_CART = 'Zq8vR3kT1mWb6YcN0pLx4HdG7sJe2AfU'
export const STATIC = `${ORIGIN}/static/version1712345678/frontend`

/** Page scripts of ours, served from memory; the sample's own URL is added per detonation. */
export const ASSET_URLS = {
  jquery: `${STATIC}/jquery/jquery.min.js`,
  jqueryCompat: `${STATIC}/jquery/jquery-migrate.min.js`,
  require: `${STATIC}/requirejs/require.js`,
  checkoutConfig: `${STATIC}/Magento_Checkout/js/checkout-config.js`,
  wooParams: `${ORIGIN}/wp-content/plugins/woocommerce/assets/js/frontend/checkout-params.js`,
  placeOrder: `${STATIC}/checkout/place-order.js`,
  wooBlocksCheckout: `${ORIGIN}/wp-content/plugins/woocommerce/assets/client/blocks/checkout.js`,
  magento2PlaceOrder: `${STATIC}/Magento/luma/en_US/Magento_Checkout/js/action/place-order.js`,
  prototype: `${ORIGIN}/js/prototype/prototype.js`,
  noConflict: `${ORIGIN}/js/lib/jquery/noconflict.js`,
  opcheckout: `${STATIC}/base/default/js/opcheckout.js`,
  // processors' hosted-field frames: the card is typed there, out of the page's reach
  braintreeFrame:
    'https://assets.braintreegateway.com/web/3.97.2/html/hosted-fields-frame.min.html',
  stripeFrame: 'https://js.stripe.com/v3/elements-inner-card.html',
} as const

/** A processor's hosted field: its iframe in the container the processor's script fills. */
const hostedFrame = (src: string, name: string, title: string) =>
  `<iframe name="${name}" src="${src}" title="${title}" frameborder="0" allowtransparency="true" scrolling="no" style="border:none;width:100%;height:40px"></iframe>`

export type PlatformName =
  | 'magento2'
  | 'magento1'
  | 'woocommerce'
  | 'woocommerce-blocks'
  | 'opencart'
  | 'prestashop'
  | 'success'

export interface Variant {
  name: PlatformName
  url: string
  /** the page, with the sample's script tag where `{{SAMPLE}}` stands */
  html: string
  /** where this page's own forms post: submitting them is the chamber's doing, not the sample's */
  formActions: string[]
}

const months = Array.from({ length: 12 }, (_, i) => String(i + 1).padStart(2, '0'))
const years = Array.from({ length: 11 }, (_, i) => String(2026 + i))
const options = (values: string[], short = false) =>
  values.map((v) => `<option value="${v}">${short ? v.slice(-2) : v}</option>`).join('')

const scripts = (urls: string[]) => urls.map((u) => `<script src="${u}"></script>`).join('\n')

const magento2 = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Checkout</title>
<script type="text/x-magento-init">{"*": {"Magento_Ui/js/core/app": {"components": {"checkout": {}}}}}</script>
${scripts([ASSET_URLS.require, ASSET_URLS.jquery, ASSET_URLS.jqueryCompat, ASSET_URLS.checkoutConfig, ASSET_URLS.magento2PlaceOrder])}
</head>
<body class="checkout-index-index page-layout-checkout">
<header class="page-header"><a class="logo" href="/">Luma</a></header>
<main id="maincontent" class="page-main">
<div id="checkout" class="checkout-container">
  <ol class="opc-progress-bar"><li class="opc-progress-bar-item">Shipping</li><li class="opc-progress-bar-item _active">Review &amp; Payments</li></ol>
  <ol class="opc" id="checkoutSteps">
  <li id="shipping" class="checkout-shipping-address">
    <div class="form form-login" id="customer-email-fieldset">
      <label for="customer-email">Email Address</label>
      <input type="email" class="input-text" name="username" id="customer-email" autocomplete="email">
    </div>
    <div class="form form-shipping-address" id="co-shipping-form">
      <div class="field"><label for="shipping-firstname">First Name</label><input type="text" class="input-text" name="firstname" id="shipping-firstname"></div>
      <div class="field"><label for="shipping-lastname">Last Name</label><input type="text" class="input-text" name="lastname" id="shipping-lastname"></div>
      <div class="field"><label for="shipping-street0">Street Address</label><input type="text" class="input-text" name="street[0]" id="shipping-street0"></div>
      <div class="field"><label for="shipping-city">City</label><input type="text" class="input-text" name="city" id="shipping-city"></div>
      <div class="field"><label for="shipping-postcode">Zip/Postal Code</label><input type="text" class="input-text" name="postcode" id="shipping-postcode"></div>
      <div class="field"><label for="shipping-telephone">Phone Number</label><input type="text" class="input-text" name="telephone" id="shipping-telephone"></div>
    </div>
  </li>
  <li id="payment" class="checkout-payment-method" role="presentation">
    <form id="co-payment-form" class="form payments" action="/checkout/onepage/saveOrder/" method="post">
      <div class="payment-method _active">
        <input type="radio" name="payment[method]" class="radio" id="authorizenet_directpost" value="authorizenet_directpost" checked>
        <label for="authorizenet_directpost">Credit Card</label>
        <fieldset class="fieldset payment items ccard authorizenet_directpost" id="payment_form_authorizenet_directpost">
          <div class="field number required"><label for="authorizenet_directpost_cc_number">Credit Card Number</label>
            <input type="number" class="input-text" name="payment[cc_number]" id="authorizenet_directpost_cc_number" autocomplete="off" data-container="authorizenet_directpost-cc-number"></div>
          <div class="field date required"><label for="authorizenet_directpost_expiration">Expiration Date</label>
            <select name="payment[cc_exp_month]" id="authorizenet_directpost_expiration" class="select month"><option value="">Month</option>${options(months)}</select>
            <select name="payment[cc_exp_year]" id="authorizenet_directpost_expiration_yr" class="select year"><option value="">Year</option>${options(years)}</select></div>
          <div class="field cvv required"><label for="authorizenet_directpost_cc_cid">Card Verification Number</label>
            <input type="number" class="input-text cvv" name="payment[cc_cid]" id="authorizenet_directpost_cc_cid" autocomplete="off"></div>
        </fieldset>
        <fieldset class="fieldset billing-address-form">
          <input type="text" name="billingAddressauthorizenet_directpost.firstname" id="billing-firstname" aria-label="First Name">
          <input type="text" name="billingAddressauthorizenet_directpost.street.0" id="billing-street" aria-label="Street Address">
        </fieldset>
        <div class="actions-toolbar"><div class="primary">
          <button class="action primary checkout" type="submit" title="Place Order"><span>Place Order</span></button>
        </div></div>
      </div>
      <div class="payment-method payment-method-braintree">
        <input type="radio" name="payment[method]" class="radio" id="braintree" value="braintree">
        <label for="braintree">Credit Card (Braintree)</label>
        <div class="payment-method-content">
          <fieldset class="fieldset payment items ccard braintree" id="payment_form_braintree">
            <div class="field number required"><label for="braintree_cc_number">Credit Card Number</label>
              <div class="control"><div class="hosted-control braintree-hosted-fields" id="braintree_cc_number">${hostedFrame(ASSET_URLS.braintreeFrame, 'braintree-hosted-field-number', 'Secure Credit Card Frame - Credit Card Number')}</div></div></div>
          </fieldset>
        </div>
      </div>
    </form>
  </li>
  </ol>
</div>
</main>
{{SAMPLE}}
</body>
</html>`

const magento1 = `<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>Checkout</title>
${scripts([ASSET_URLS.prototype, ASSET_URLS.jquery, ASSET_URLS.noConflict, ASSET_URLS.jqueryCompat, ASSET_URLS.opcheckout])}
</head>
<body class="checkout-onepage-index">
<div class="wrapper"><div class="page">
<ol class="opc" id="checkoutSteps">
<li id="opc-billing" class="section allow active">
  <div class="step-title"><h2>Billing Information</h2></div>
  <form id="co-billing-form" action="/checkout/onepage/saveBilling/" method="post">
    <input type="text" id="billing:firstname" name="billing[firstname]" title="First Name" class="input-text">
    <input type="text" id="billing:lastname" name="billing[lastname]" title="Last Name" class="input-text">
    <input type="email" id="billing:email" name="billing[email]" title="Email Address" class="input-text">
    <input type="text" id="billing:street1" name="billing[street][]" title="Street Address" class="input-text">
    <input type="text" id="billing:city" name="billing[city]" title="City" class="input-text">
    <input type="text" id="billing:postcode" name="billing[postcode]" title="Zip/Postal Code" class="input-text">
    <input type="text" id="billing:telephone" name="billing[telephone]" title="Telephone" class="input-text">
    <div class="buttons-set" id="billing-buttons-container"><button type="button" title="Continue" class="button"><span><span>Continue</span></span></button></div>
  </form>
</li>
<li id="opc-payment" class="section allow">
  <div class="step-title"><h2>Payment Information</h2></div>
  <form id="co-payment-form" action="/checkout/onepage/savePayment/" method="post">
    <dl class="sp-methods" id="checkout-payment-method-load">
      <dt><input id="p_method_ccsave" value="ccsave" type="radio" name="payment[method]" checked class="radio"><label for="p_method_ccsave">Credit Card (saved)</label></dt>
      <dd><ul class="form-list" id="payment_form_ccsave">
        <li><label for="ccsave_cc_owner">Name on Card</label><input type="text" title="Name on Card" class="input-text" id="ccsave_cc_owner" name="payment[cc_owner]"></li>
        <li><label for="ccsave_cc_type">Credit Card Type</label><select id="ccsave_cc_type" name="payment[cc_type]"><option value="VI">Visa</option><option value="MC">MasterCard</option></select></li>
        <li><label for="ccsave_cc_number">Credit Card Number</label><input type="text" id="ccsave_cc_number" name="payment[cc_number]" title="Credit Card Number" class="input-text validate-cc-number"></li>
        <li><label for="ccsave_expiration">Expiration Date</label>
          <select id="ccsave_expiration" name="payment[cc_exp_month]" class="month"><option value="">Month</option>${options(months)}</select>
          <select id="ccsave_expiration_yr" name="payment[cc_exp_year]" class="year"><option value="">Year</option>${options(years)}</select></li>
        <li><label for="ccsave_cc_cid">Card Verification Number</label><input type="text" title="Card Verification Number" class="input-text cvv" id="ccsave_cc_cid" name="payment[cc_cid]"></li>
      </ul></dd>
    </dl>
  </form>
  <div class="buttons-set" id="payment-buttons-container"><button type="button" class="button"><span><span>Continue</span></span></button></div>
</li>
<li id="opc-review" class="section allow">
  <div class="step-title"><h2>Order Review</h2></div>
  <form id="co-review-form" action="/checkout/onepage/saveOrder/" method="post">
    <div class="buttons-set" id="review-buttons-container">
      <button type="submit" title="Place Order" class="button btn-checkout"><span><span>Place Order</span></span></button>
    </div>
  </form>
</li>
</ol>
</div></div>
{{SAMPLE}}
</body>
</html>`

const woocommerce = `<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="UTF-8">
<title>Checkout &#8211; Shop</title>
${scripts([ASSET_URLS.jquery, ASSET_URLS.jqueryCompat, ASSET_URLS.wooParams, ASSET_URLS.placeOrder])}
</head>
<body class="page-template-default page woocommerce-checkout woocommerce-page">
<div class="woocommerce">
<form name="checkout" method="post" class="checkout woocommerce-checkout" action="/checkout/?wc-ajax=checkout" enctype="multipart/form-data">
  <div class="col2-set" id="customer_details"><div class="woocommerce-billing-fields">
    <h3>Billing details</h3>
    <p class="form-row"><label for="billing_first_name">First name</label><input type="text" class="input-text" name="billing_first_name" id="billing_first_name" autocomplete="given-name"></p>
    <p class="form-row"><label for="billing_last_name">Last name</label><input type="text" class="input-text" name="billing_last_name" id="billing_last_name" autocomplete="family-name"></p>
    <p class="form-row"><label for="billing_address_1">Street address</label><input type="text" class="input-text" name="billing_address_1" id="billing_address_1" autocomplete="address-line1"></p>
    <p class="form-row"><label for="billing_city">Town / City</label><input type="text" class="input-text" name="billing_city" id="billing_city" autocomplete="address-level2"></p>
    <p class="form-row"><label for="billing_postcode">ZIP Code</label><input type="text" class="input-text" name="billing_postcode" id="billing_postcode" autocomplete="postal-code"></p>
    <p class="form-row"><label for="billing_phone">Phone</label><input type="tel" class="input-text" name="billing_phone" id="billing_phone" autocomplete="tel"></p>
    <p class="form-row"><label for="billing_email">Email address</label><input type="email" class="input-text" name="billing_email" id="billing_email" autocomplete="email"></p>
  </div></div>
  <div id="order_review" class="woocommerce-checkout-review-order">
    <div id="payment" class="woocommerce-checkout-payment">
      <ul class="wc_payment_methods payment_methods methods"><li class="wc_payment_method payment_method_cc">
        <input id="payment_method_cc" type="radio" class="input-radio" name="payment_method" value="cc" checked>
        <label for="payment_method_cc">Credit card</label>
        <fieldset id="wc-cc-cc-form" class="wc-credit-card-form wc-payment-form">
          <p class="form-row"><label for="card-number">Card number</label><input id="card-number" name="card-number" class="input-text wc-credit-card-form-card-number" inputmode="numeric" autocomplete="cc-number" type="tel" placeholder="&bull;&bull;&bull;&bull; &bull;&bull;&bull;&bull; &bull;&bull;&bull;&bull; &bull;&bull;&bull;&bull;"></p>
          <p class="form-row"><label for="card-expiry">Expiry (MM/YY)</label><input id="card-expiry" name="card-expiry" class="input-text wc-credit-card-form-card-expiry" autocomplete="cc-exp" type="tel" placeholder="MM / YY"></p>
          <p class="form-row"><label for="card-cvc">Card code</label><input id="card-cvc" name="card-cvc" class="input-text wc-credit-card-form-card-cvc" autocomplete="off" type="tel" maxlength="4" placeholder="CVC"></p>
        </fieldset>
      </li>
      <li class="wc_payment_method payment_method_authorize_net_cim_credit_card">
        <input id="payment_method_authorize_net_cim_credit_card" type="radio" class="input-radio" name="payment_method" value="authorize_net_cim_credit_card">
        <label for="payment_method_authorize_net_cim_credit_card">Credit Card (Authorize.Net)</label>
        <fieldset id="wc-authorize-net-cim-credit-card-credit-card-form" class="wc-credit-card-form wc-payment-form sv-wc-payment-gateway-payment-form">
          <p class="form-row"><label for="wc-authorize-net-cim-credit-card-account-number">Card Number</label><input type="tel" id="wc-authorize-net-cim-credit-card-account-number" name="wc-authorize-net-cim-credit-card-account-number" class="input-text js-sv-wc-payment-gateway-credit-card-form-input js-sv-wc-payment-gateway-credit-card-form-account-number" autocomplete="cc-number" maxlength="20"></p>
          <p class="form-row"><label for="wc-authorize-net-cim-credit-card-expiry">Expiration (MM/YY)</label><input type="tel" id="wc-authorize-net-cim-credit-card-expiry" name="wc-authorize-net-cim-credit-card-expiry" class="input-text js-sv-wc-payment-gateway-credit-card-form-input js-sv-wc-payment-gateway-credit-card-form-expiry" autocomplete="cc-exp" placeholder="MM / YY"></p>
          <p class="form-row"><label for="wc-authorize-net-cim-credit-card-csc">Card Security Code</label><input type="tel" id="wc-authorize-net-cim-credit-card-csc" name="wc-authorize-net-cim-credit-card-csc" class="input-text js-sv-wc-payment-gateway-credit-card-form-input js-sv-wc-payment-gateway-credit-card-form-csc" autocomplete="off" maxlength="4"></p>
        </fieldset>
      </li>
      <li class="wc_payment_method payment_method_stripe">
        <input id="payment_method_stripe" type="radio" class="input-radio" name="payment_method" value="stripe">
        <label for="payment_method_stripe">Credit Card (Stripe)</label>
        <fieldset id="wc-stripe-cc-form" class="wc-credit-card-form wc-payment-form">
          <div class="form-row form-row-wide"><label for="stripe-card-element">Card Number</label>
            <div id="stripe-card-element" class="wc-stripe-elements-field StripeElement"><div class="__PrivateStripeElement">${hostedFrame(ASSET_URLS.stripeFrame, '__privateStripeFrame6', 'Secure card payment input frame')}</div></div></div>
        </fieldset>
      </li></ul>
      <div class="form-row place-order">
        <button type="submit" class="button alt" name="woocommerce_checkout_place_order" id="place_order" value="Place order" data-value="Place order">Place order</button>
      </div>
    </div>
  </div>
</form>
</div>
{{SAMPLE}}
</body>
</html>`

// OpenCart 3's one-page checkout with a card-taking payment extension: guest details, then the
// extension's card form and its script-driven "Confirm Order" input (no form of its own posts).
const opencart = `<!DOCTYPE html>
<html dir="ltr" lang="en">
<head>
<meta charset="UTF-8">
<title>Checkout</title>
${scripts([ASSET_URLS.jquery, ASSET_URLS.placeOrder])}
</head>
<body class="checkout-checkout">
<div id="checkout-checkout" class="container"><div class="row"><div id="content" class="col-sm-12">
<h1>Checkout</h1>
<div class="panel-group" id="accordion">
  <div class="panel panel-default"><div class="panel-heading"><h4 class="panel-title">Step 2: Account &amp; Billing Details</h4></div>
  <div class="panel-collapse collapse in" id="collapse-payment-address"><div class="panel-body">
  <form id="form-guest" class="form-horizontal" action="/index.php?route=checkout/guest/save" method="post">
    <div class="form-group required"><label class="control-label" for="input-payment-firstname">First Name</label><input type="text" name="firstname" value="" placeholder="First Name" id="input-payment-firstname" class="form-control"></div>
    <div class="form-group required"><label class="control-label" for="input-payment-lastname">Last Name</label><input type="text" name="lastname" value="" placeholder="Last Name" id="input-payment-lastname" class="form-control"></div>
    <div class="form-group required"><label class="control-label" for="input-payment-email">E-Mail</label><input type="text" name="email" value="" placeholder="E-Mail" id="input-payment-email" class="form-control"></div>
    <div class="form-group required"><label class="control-label" for="input-payment-telephone">Telephone</label><input type="text" name="telephone" value="" placeholder="Telephone" id="input-payment-telephone" class="form-control"></div>
    <div class="form-group required"><label class="control-label" for="input-payment-address-1">Address 1</label><input type="text" name="address_1" value="" placeholder="Address 1" id="input-payment-address-1" class="form-control"></div>
    <div class="form-group required"><label class="control-label" for="input-payment-city">City</label><input type="text" name="city" value="" placeholder="City" id="input-payment-city" class="form-control"></div>
    <div class="form-group required"><label class="control-label" for="input-payment-postcode">Post Code</label><input type="text" name="postcode" value="" placeholder="Post Code" id="input-payment-postcode" class="form-control"></div>
  </form>
  </div></div></div>
  <div class="panel panel-default"><div class="panel-heading"><h4 class="panel-title">Step 6: Confirm Order</h4></div>
  <div class="panel-collapse collapse in" id="collapse-checkout-confirm"><div class="panel-body">
  <form id="payment" class="form-horizontal" action="/index.php?route=extension/payment/authorizenet_aim/send" method="post">
    <fieldset><legend>Credit Card Details</legend>
    <div class="form-group required"><label class="col-sm-2 control-label" for="input-cc-owner">Card Owner</label><input type="text" name="cc_owner" value="" placeholder="Card Owner" id="input-cc-owner" class="form-control"></div>
    <div class="form-group required"><label class="col-sm-2 control-label" for="input-cc-number">Card Number</label><input type="text" name="cc_number" value="" placeholder="Card Number" id="input-cc-number" class="form-control"></div>
    <div class="form-group required"><label class="col-sm-2 control-label" for="input-cc-expire-date">Card Expiry Date</label>
      <select name="cc_expire_date_month" id="input-cc-expire-date" class="form-control">${options(months)}</select>
      <select name="cc_expire_date_year" class="form-control">${options(years)}</select></div>
    <div class="form-group required"><label class="col-sm-2 control-label" for="input-cc-cvv2">Card Security Code (CVV2)</label><input type="text" name="cc_cvv2" value="" placeholder="Card Security Code (CVV2)" id="input-cc-cvv2" class="form-control"></div>
    </fieldset>
  </form>
  <div class="buttons"><div class="pull-right"><input type="button" value="Confirm Order" id="button-confirm" data-loading-text="Loading..." class="btn btn-primary"></div></div>
  </div></div></div>
</div>
</div></div></div>
{{SAMPLE}}
</body>
</html>`

// PrestaShop 8's one-page checkout (classic theme): the shop's `prestashop` object (with the
// on/emit events its core adds), the address step, and a card-taking payment module's form in
// the payment step, placed by the "Place order" button of #payment-confirmation.
const prestashop = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Order</title>
<script>var prestashop = {"page":{"page_name":"checkout","body_classes":{"page-order":true}},"customer":{"is_logged":false,"addresses":{}},"cart":{"products_count":1,"products":[{"id_product":"7","name":"Linen shirt","quantity":1}]},"urls":{"base_url":"/","pages":{"order":"/order"}}};
(function (h) { prestashop.on = function (e, f) { (h[e] = h[e] || []).push(f) }; prestashop.emit = function (e, d) { (h[e] || []).forEach(function (f) { f(d) }) } })({});</script>
${scripts([ASSET_URLS.jquery])}
</head>
<body id="checkout" class="lang-en country-us page-order">
<section id="wrapper"><div class="container"><section id="content"><div class="row"><div class="cart-grid-body col-xs-12 col-lg-8">
  <section id="checkout-addresses-step" class="checkout-step -reachable -complete">
    <h1 class="step-title h3">2 Addresses</h1>
    <form id="address-form" method="post" action="/order">
      <div class="form-group row"><label class="col-md-3 form-control-label required" for="field-firstname">First name</label><input id="field-firstname" class="form-control" name="firstname" type="text" required></div>
      <div class="form-group row"><label class="col-md-3 form-control-label required" for="field-lastname">Last name</label><input id="field-lastname" class="form-control" name="lastname" type="text" required></div>
      <div class="form-group row"><label class="col-md-3 form-control-label required" for="field-email">Email</label><input id="field-email" class="form-control" name="email" type="email" required></div>
      <div class="form-group row"><label class="col-md-3 form-control-label required" for="field-address1">Address</label><input id="field-address1" class="form-control" name="address1" type="text" required></div>
      <div class="form-group row"><label class="col-md-3 form-control-label required" for="field-postcode">Zip/Postal Code</label><input id="field-postcode" class="form-control" name="postcode" type="text" required></div>
      <div class="form-group row"><label class="col-md-3 form-control-label required" for="field-city">City</label><input id="field-city" class="form-control" name="city" type="text" required></div>
      <div class="form-group row"><label class="col-md-3 form-control-label" for="field-phone">Phone</label><input id="field-phone" class="form-control" name="phone" type="tel"></div>
    </form>
  </section>
  <section id="checkout-payment-step" class="checkout-step -current -reachable">
    <h1 class="step-title h3">4 Payment</h1>
    <div class="payment-options">
      <div id="payment-option-1-container" class="payment-option clearfix">
        <span class="custom-radio float-xs-left"><input class="ps-shown-by-js" id="payment-option-1" data-module-name="cardpay" name="payment-option" type="radio" required checked></span>
        <label for="payment-option-1"><span>Pay by card</span></label>
      </div>
      <div id="pay-with-payment-option-1-form" class="js-payment-option-form">
        <form id="payment-form" action="/module/cardpay/validation" method="post">
          <div class="form-group"><label for="cardpay-holder">Name on card</label><input id="cardpay-holder" class="form-control" name="card_holder" type="text" autocomplete="cc-name"></div>
          <div class="form-group"><label for="cardpay-number">Card number</label><input id="cardpay-number" class="form-control" name="card_number" type="text" inputmode="numeric" autocomplete="cc-number"></div>
          <div class="form-group"><label for="cardpay-expiry">Expiry date (MM/YY)</label><input id="cardpay-expiry" class="form-control" name="card_expiry" type="text" autocomplete="cc-exp" placeholder="MM/YY"></div>
          <div class="form-group"><label for="cardpay-cvc">CVC</label><input id="cardpay-cvc" class="form-control" name="card_cvc" type="text" inputmode="numeric" autocomplete="cc-csc" maxlength="4"></div>
        </form>
      </div>
    </div>
    <div id="payment-confirmation" class="js-payment-confirmation">
      <div class="ps-shown-by-js"><button type="submit" class="btn btn-primary center-block">Place order</button></div>
    </div>
  </section>
</div></div></section></div></section>
{{SAMPLE}}
</body>
</html>`

// Magento 2's order-confirmation page: where the buyer lands once the order is placed.
const success = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Success Page</title>
${scripts([ASSET_URLS.require, ASSET_URLS.jquery, ASSET_URLS.jqueryCompat])}
</head>
<body class="checkout-onepage-success page-layout-1column">
<main id="maincontent" class="page-main">
<h1 class="page-title"><span class="base">Thank you for your purchase!</span></h1>
<div class="checkout-success">
  <p>Your order # is: <span>000000123</span>.</p>
  <p>We'll email you an order confirmation with details and tracking info.</p>
  <div class="actions-toolbar"><div class="primary"><a class="action primary continue" href="/"><span>Continue Shopping</span></a></div></div>
</div>
</main>
{{SAMPLE}}
</body>
</html>`

/** The Store API endpoint the block checkout posts the order to. */
const STORE_API_CHECKOUT = `${ORIGIN}/wp-json/wc/store/v1/checkout`

const wooField = (id: string, label: string, autocomplete: string, type = 'text') =>
  `<div class="wc-block-components-text-input"><input type="${type}" id="${id}" autocomplete="${autocomplete}" aria-label="${label}" required><label for="${id}">${label}</label></div>`

const wooBlocks = `<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="UTF-8">
<title>Checkout &#8211; Shop</title>
<script id="wc-settings-js-before">var wcSettings = { storeApiNonce: "4f1c2a9be0", storeApiCheckout: "${STORE_API_CHECKOUT}", currency: { code: "USD" } };</script>
${scripts([ASSET_URLS.jquery, ASSET_URLS.wooBlocksCheckout])}
</head>
<body class="page-template-default page woocommerce-checkout woocommerce-page wp-theme-twentytwentyfour">
<div class="wp-block-woocommerce-checkout alignwide wc-block-checkout is-large">
<div class="wc-block-components-main wc-block-checkout__main">
<form class="wc-block-components-form wc-block-checkout__form">
  <fieldset class="wc-block-checkout__contact-fields"><legend>Contact information</legend>
    ${wooField('email', 'Email address', 'email', 'email')}
  </fieldset>
  <fieldset id="billing" class="wc-block-checkout__billing-fields"><legend>Billing address</legend>
    ${wooField('billing-first_name', 'First name', 'given-name')}
    ${wooField('billing-last_name', 'Last name', 'family-name')}
    ${wooField('billing-address_1', 'Address', 'address-line1')}
    ${wooField('billing-city', 'City', 'address-level2')}
    ${wooField('billing-postcode', 'ZIP Code', 'postal-code')}
    ${wooField('billing-phone', 'Phone', 'tel', 'tel')}
  </fieldset>
  <fieldset class="wc-block-checkout__payment-method"><legend>Payment options</legend>
    <div class="wc-block-components-radio-control">
      <input type="radio" class="wc-block-components-radio-control__input" id="radio-control-wc-payment-method-options-authorize_net_cim_credit_card" name="radio-control-wc-payment-method-options" value="authorize_net_cim_credit_card" checked>
      <label for="radio-control-wc-payment-method-options-authorize_net_cim_credit_card">Credit Card</label>
    </div>
    <div class="wc-block-components-radio-control-accordion-content">
      ${wooField('wc-authorize-net-cim-credit-card-account-number', 'Card Number', 'cc-number', 'tel')}
      ${wooField('wc-authorize-net-cim-credit-card-expiry', 'Expiration (MM/YY)', 'cc-exp', 'tel')}
      ${wooField('wc-authorize-net-cim-credit-card-csc', 'Card Security Code', 'cc-csc', 'tel')}
    </div>
  </fieldset>
  <div class="wc-block-checkout__actions"><div class="wc-block-checkout__actions_row">
    <button type="button" class="components-button wc-block-components-button wp-element-button wc-block-components-checkout-place-order-button contained"><span class="wc-block-components-button__text">Place Order</span></button>
  </div></div>
</form>
</div>
</div>
{{SAMPLE}}
</body>
</html>`

export const VARIANTS: readonly Variant[] = [
  {
    name: 'magento2',
    url: `${ORIGIN}/checkout/#payment`,
    html: magento2,
    formActions: [
      `${ORIGIN}/checkout/onepage/saveOrder/`,
      `${ORIGIN}/rest/default/V1/guest-carts/${MAGENTO2_CART}/payment-information`,
    ],
  },
  {
    name: 'magento1',
    url: `${ORIGIN}/checkout/onepage/?section=billing&layout=onestepcheckout`,
    html: magento1,
    formActions: ['saveBilling', 'savePayment', 'saveOrder'].map(
      (a) => `${ORIGIN}/checkout/onepage/${a}/`,
    ),
  },
  {
    name: 'woocommerce',
    url: `${ORIGIN}/checkout/`,
    html: woocommerce,
    formActions: [`${ORIGIN}/checkout/?wc-ajax=checkout`],
  },
  {
    name: 'woocommerce-blocks',
    url: `${ORIGIN}/checkout/`,
    html: wooBlocks,
    formActions: [STORE_API_CHECKOUT],
  },
  {
    name: 'opencart',
    url: `${ORIGIN}/index.php?route=checkout/checkout`,
    html: opencart,
    formActions: ['checkout/guest/save', 'extension/payment/authorizenet_aim/send'].map(
      (r) => `${ORIGIN}/index.php?route=${r}`,
    ),
  },
  {
    name: 'prestashop',
    url: `${ORIGIN}/order`,
    html: prestashop,
    formActions: [`${ORIGIN}/order`, `${ORIGIN}/module/cardpay/validation`],
  },
]

/** The order-confirmation page, for samples that wrote to storage at checkout. */
export const SUCCESS: Variant = {
  name: 'success',
  url: `${ORIGIN}/checkout/onepage/success/`,
  html: success,
  formActions: [],
}

const rebased = (v: Variant, origin: string): Variant => ({
  ...v,
  url: rebase(v.url, origin),
  html: rebase(v.html, origin),
  formActions: v.formActions.map((a) => rebase(a, origin)),
})

/** `text` with the chamber's own origin replaced by `origin`. */
export function rebase(text: string, origin: string): string {
  return origin === ORIGIN ? text : text.split(ORIGIN).join(origin)
}

/**
 * The checkouts served at `origin` (a shop's own, when the page a script was seen on is known),
 * so code keyed to the shop's host name runs there as it would on the shop.
 */
export function variantsAt(origin: string): readonly Variant[] {
  return origin === ORIGIN ? VARIANTS : VARIANTS.map((v) => rebased(v, origin))
}

/** The order-confirmation page served at `origin`. */
export function successAt(origin: string): Variant {
  return origin === ORIGIN ? SUCCESS : rebased(SUCCESS, origin)
}

/**
 * The https origin of the page a script was seen on (its host name is what keyed payloads read;
 * an http page is served over https, as the browser would upgrade it), else the chamber's own.
 * Addresses and local names gain nothing and change what a page may do: they get ours.
 */
export function originFor(pageUrl: string | null | undefined): string {
  if (!pageUrl) return ORIGIN
  try {
    const u = new URL(pageUrl)
    const host = u.hostname.toLowerCase()
    if (!/^https?:$/.test(u.protocol) || !/^[a-z0-9-]+(?:\.[a-z0-9-]+)+$/.test(host)) return ORIGIN
    if (/^[\d.]+$/.test(host) || /(?:^|\.)(?:localhost|local|internal|lan)$/.test(host))
      return ORIGIN
    return `https://${host}`
  } catch {
    return ORIGIN
  }
}

/**
 * The variant's page with the sample loaded from `sampleUrl` as its last script. An HTML
 * sample (a CMS block, a footer snippet) is put in the page as markup after that script, which
 * is then an empty marker: what the markup's inline scripts and handlers do is the sample's.
 */
export function pageHtml(variant: Variant, sampleUrl: string, markup?: string): string {
  const tag = `<script src="${sampleUrl.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"></script>`
  // a function as the replacement: `$&` and friends in the markup stay as written
  return variant.html.replace('{{SAMPLE}}', () =>
    markup === undefined ? tag : `${tag}\n${markup}`,
  )
}
