/*
  Fake payment form injectors (Sansec / Malwarebytes / Trustwave write-ups on WooCommerce
  and Magento "double-entry" skimmers): HTML text with card input fields is written into
  the checkout, often hiding the real payment iframe.
*/
rule skimmer_fake_form_injector : magecart overlay
{
  meta:
    author = "skimwatch"
    description = "Writes HTML card inputs (number, expiry, CVV) into the page"
    reference = "Sansec 'fake payment forms' 2020-2024; Malwarebytes 2022"
    severity = "high"
    score = 40
  strings:
    $in_num = /<input[^>]{0,200}(name|id|autocomplete)\s*=\s*\\?["']?[\w-]{0,20}(cardnumber|card[-_]?num|cc[-_]?num|cc-number)/ nocase
    $in_cvv = /<input[^>]{0,200}(name|id|autocomplete)\s*=\s*\\?["']?[\w-]{0,20}(cvv|cvc|csc|cc-csc|security[-_]?code)/ nocase
    $in_exp = /<input[^>]{0,200}(name|id|autocomplete|placeholder)\s*=\s*\\?["']?[\w\/ -]{0,20}(exp|MM ?\/ ?YY|cc-exp)/ nocase
    $inject1 = "innerHTML"
    $inject2 = "insertAdjacentHTML"
    $inject3 = /\.(html|append|prepend|before|after)\s*\(/
  condition:
    filesize < 2MB and $in_num and ($in_cvv or $in_exp) and any of ($inject*)
}
